/**
 * `npm run bench`: agencyflow beside bare Temporal, on the same server, in the same run.
 * See bench/options.ts for the flags and README "Performance" for what each figure means.
 *
 * Topology (own stack): a Temporal dev server (SQLite WAL in a temp dir, free ports) started
 * the way `npm start` starts it; the agencyflow API (`api/main.ts`, with stage timers) and worker
 * (`worker/main.ts`) as two processes on their own task queue; the bare worker as a third; this
 * process is the HTTP client (keep-alive, loopback) and the bare Temporal client.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../common/dev-server';
import { ensureTemporalCli } from '../common/temporal-cli';
import { resolveWorkflowBundle } from '../common/workflow-bundle';
import { ProductionStack } from '../test/production/stack';
import { Agency } from './agencyflow/driver';
import { ApiProcess, BENCH_TASK_QUEUE, StoreProcess, WorkerProcess } from './agencyflow/stack';
import { Bare } from './bare/client';
import { compareRuns, printRun } from './compare';
import type { BenchContext } from './context';
import { JsonClient } from './lib/http';
import { childPids, cpuDelta, cpuStallMicros, sampleCpu, stallShare, type CpuUse } from './lib/cpu';
import { profilesTable, summarizeProfiles, type ThreadSummary } from './lib/cpu-profile';
import { imageAllocator } from './lib/allocator';
import { PROJECT_ROOT, BACKGROUND_AUTOGROUP_NICE, BACKGROUND_CPU_SHARE, OWN_SESSIONS, atBackgroundShare, inOwnSession, lowerCpuShare, preloadForNodeProcesses, rssMiB, scrapePrometheus, stopEveryChild } from './lib/processes';
import { breakdownTable } from './lib/profile';
import { figuresTable, markdownTable, pair, percent } from './lib/report';
import { HelpRequested, parseOptions, USAGE, type Options, type Phase } from './options';
import { runP1 } from './scenarios/p1-create';
import { runP2 } from './scenarios/p2-lifecycles';
import { runP3 } from './scenarios/p3-reads';
import { runP4 } from './scenarios/p4-eviction';
import { runP5 } from './scenarios/p5-actions';
import { runBigProject } from './scenarios/history';

const started = Date.now();
const CPU_COLUMNS = ['api', 'worker', 'temporal', 'store', 'bare worker', 'bench'];
const log = (message: string): void => {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
};

// Run in reverse order: stopping whatever child is still running comes last.
const cleanups: (() => Promise<unknown>)[] = [stopEveryChild];
/** A failed run keeps its directory (the processes' logs) for a look. */
let failed = false;
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch((err: Error) => log(`cleanup: ${err.message}`));
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanup().then(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(USAGE);
      return;
    }
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.compare) {
    process.stdout.write(compareRuns(...options.compare));
    return;
  }
  if (options.print) {
    process.stdout.write(printRun(options.print));
    return;
  }
  const { counts } = options;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-bench-'));
  const logDir = path.join(runDir, 'logs');
  const dataDir = path.join(runDir, 'data');
  fs.mkdirSync(logDir, { recursive: true });
  cleanups.push(async () => {
    if (failed || options.keep) log(`kept the run's directory (logs of every process) in ${runDir}`);
    else fs.rmSync(runDir, { recursive: true, force: true });
  });
  const loadAtStart = os.loadavg()[0];
  log(`${options.mode} run; logs in ${logDir}; load average ${loadAtStart.toFixed(2)} on ${os.cpus().length} cores`);
  const allocator = imageAllocator({ glibc: options.glibcMalloc });
  preloadForNodeProcesses(allocator.preload);
  log(`Node processes' allocator: ${allocator.description}`);

  // Temporal: the given cluster, the production topology's (on PostgreSQL), or an own dev server started like npm start's.
  let devServer: DevServer | undefined;
  let cluster: ProductionStack | undefined;
  let address = options.temporalAddress;
  let reportingUrl = process.env.REPORTING_DATABASE_URL;
  if (options.productionTopology) {
    cluster = await ProductionStack.startCluster({ say: log, keep: options.keep });
    cleanups.push(() => cluster!.stop());
    address = cluster.temporalAddress;
    reportingUrl = cluster.reportingUrl;
    // Its own session already (test/production starts it detached); the compose file's cpu_shares.
    const background = lowerCpuShare(cluster.server?.pid, 'Temporal');
    log(
      `production topology: Temporal ${cluster.tools.version} on PostgreSQL at ${address}${background ? ' (background CPU share)' : ''}; reporting store on that PostgreSQL`,
    );
  } else if (!address) {
    const cli = await ensureTemporalCli({ say: log });
    // Temporal in a session of its own, as the API and worker are (and as its container would be):
    // else the dev server — the busiest process here — shares its CPU share with this process, the
    // clients whose requests are timed.
    const ownSession = cli.kind === 'binary' ? inOwnSession(cli.path, runDir) : undefined;
    devServer = await startDevServer({
      cli: ownSession && cli.kind === 'binary' ? { ...cli, path: ownSession } : cli,
      namespace: options.namespace,
      dbFilename: path.join(runDir, 'temporal.sqlite'),
      retentionMs: 7 * 86_400_000,
    });
    cleanups.push(() => devServer!.stop());
    address = devServer.address;
    const background = lowerCpuShare(childPids(process.pid, 'temporal')[0], 'Temporal');
    log(
      `Temporal dev server on ${address} (SQLite WAL, ${path.join(runDir, 'temporal.sqlite')}${ownSession ? '; a session of its own' : ''}${background ? ', background CPU share' : ''})`,
    );
  }
  // The reporting store: the given PostgreSQL, or an embedded PGlite like npm start's.
  let store: StoreProcess | undefined;
  if (!reportingUrl && !options.apiUrl) {
    store = await StoreProcess.start({ dataDir: path.join(runDir, 'reporting'), logDir });
    cleanups.push(() => store!.stop());
    reportingUrl = store.url;
    log(`reporting store: PGlite on ${store.url} (its own process)`);
  }
  const connection = await Connection.connect({ address });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, namespace: options.namespace });

  // The bare worker and agencyflow's two processes start side by side.
  let worker: WorkerProcess | undefined;
  let taskQueue: string | undefined;
  let restartWorker: BenchContext['restartWorker'];
  const stack = options.apiUrl
    ? undefined
    : {
        temporalAddress: address,
        namespace: options.namespace,
        dataDir,
        reportingUrl: reportingUrl!,
        reportingPassword: cluster?.postgresPassword,
        logDir,
        bundlePath: await resolveWorkflowBundle(),
        taskQueue: (taskQueue = BENCH_TASK_QUEUE),
        profile: options.profile,
        cpuProfileDir: options.cpuProf ? path.join(runDir, 'profiles') : undefined,
        // Sized to hold every live project of P3/P4 with its tasks, and what the other phases leave.
        maxCachedWorkflows: counts.liveProjects * (1 + counts.tasksPerProject) + 2_000,
      };
  const [bareStarted, workerStarted, apiStarted] = await Promise.allSettled([
    Bare.start({ client, address, namespace: options.namespace, logDir }),
    stack ? WorkerProcess.start({ ...stack, name: 'worker' }) : Promise.resolve(undefined),
    stack ? ApiProcess.start(stack) : Promise.resolve(undefined),
  ]);
  if (bareStarted.status === 'fulfilled') cleanups.push(() => bareStarted.value.close());
  if (workerStarted.status === 'fulfilled') worker = workerStarted.value;
  cleanups.push(async () => worker?.stop());
  if (apiStarted.status === 'fulfilled' && apiStarted.value) cleanups.push(() => apiStarted.value!.stop());
  for (const result of [bareStarted, workerStarted, apiStarted]) if (result.status === 'rejected') throw result.reason;
  const bare = (bareStarted as PromiseFulfilledResult<Bare>).value;
  const api = (apiStarted as PromiseFulfilledResult<ApiProcess | undefined>).value;
  log(`bare worker polling ${bare.taskQueue}`);
  const workerRssAtStart = worker?.rssMiB();
  if (stack && api && worker) {
    log(`agencyflow API ${api.url} and worker (cache ${stack.maxCachedWorkflows}) on ${taskQueue}`);
    let generation = 1;
    restartWorker = async (maxCachedWorkflows, whileDown) => {
      await worker!.stop();
      await whileDown?.();
      worker = await WorkerProcess.start({ ...stack, maxCachedWorkflows, name: `worker-${++generation}` });
      ctx.worker = worker;
      return worker;
    };
  }
  const apiUrl = options.apiUrl ?? api!.url;
  const http = new JsonClient(apiUrl);
  cleanups.push(async () => http.close());

  const ctx: BenchContext = {
    logDir,
    options,
    counts,
    http,
    agency: new Agency(http, options.tokens),
    client,
    bare,
    api,
    worker,
    restartWorker,
    taskQueue,
    workerRss: () => (ctx.worker ? ctx.worker.rssMiB() : options.workerPid ? rssMiB(options.workerPid) : undefined),
    workerMetrics: async () =>
      ctx.worker ? ctx.worker.metrics() : options.workerMetricsUrl ? scrapePrometheus(options.workerMetricsUrl) : undefined,
    figures: [],
    floors: {},
    profile: [],
    history: [],
    notes: [],
    live: [],
    cpu: () =>
      sampleCpu({
        bench: process.pid,
        api: api?.child.pid,
        worker: ctx.worker?.child.pid ?? options.workerPid,
        'bare worker': bare.worker.pid,
        temporal: devServer ? childPids(process.pid, 'temporal')[0] : cluster?.server?.pid,
        store: store?.child.pid,
      }),
    log,
  };

  const phases: [Phase, (c: BenchContext) => Promise<void>][] = [
    ['P1', runP1],
    ['P5', runP5],
    ['P2', runP2],
    ['H', runBigProject],
    ['P3', runP3],
    ['P4', runP4],
  ];
  const timings: Record<string, number> = {};
  const phaseCpu: Record<string, CpuUse> = {};
  /** Share of each phase during which some runnable work on the machine waited for a CPU (Linux PSI). */
  const phaseStall: Record<string, number | undefined> = {};

  /** The results so far: written as JSON after every phase (a run that dies keeps them), printed at the end. */
  const results = (complete: boolean) => {
    const loadAtEnd = os.loadavg()[0];
    const meta = {
      date: new Date().toISOString(),
      startedAt: new Date(started).toISOString(),
      mode: options.mode,
      complete,
      counts,
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      loadAverage: { atStart: loadAtStart, atEnd: loadAtEnd },
      temporal: devServer
        ? 'own dev server (temporal server start-dev, SQLite file, WAL)'
        : cluster
          ? `production topology: Temporal server ${cluster.tools.version} on PostgreSQL (docker-compose.yml's setup, 4 history shards), reporting store on that PostgreSQL`
          : `${address} (given)`,
      api: options.apiUrl
        ? `${options.apiUrl} (given)`
        : `own: npm run api and npm run worker as separate processes, loopback HTTP, keep-alive; allocator: ${allocator.description}`,
      cpuShares: options.apiUrl
        ? undefined
        : !OWN_SESSIONS
          ? "the services in the bench's session (BENCH_SHARED_SESSION=1)"
          : atBackgroundShare.length > 0
            ? `each service in a session of its own; at the background CPU share (autogroup nice ${BACKGROUND_AUTOGROUP_NICE}, as docker-compose.yml's cpu_shares 340 against 1024): ${atBackgroundShare.join(', ')}`
            : `each service in a session of its own, all at the same CPU share${BACKGROUND_CPU_SHARE ? ' (no autogroup on this machine)' : ' (BENCH_EQUAL_CPU_SHARES=1)'}`,
      backgroundCpuShare: [...atBackgroundShare],
      profile: Boolean(api && options.profile),
      workerRssAtStartMiB: workerRssAtStart,
      apiRssMiB: api?.rssMiB(),
      phaseSeconds: timings,
      phaseCpuSeconds: phaseCpu,
      phaseCpuStallShare: phaseStall,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    if (options.json) {
      fs.mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
      fs.writeFileSync(
        options.json,
        `${JSON.stringify({ meta, figures: ctx.figures, profile: ctx.profile, floors: ctx.floors, history: ctx.history, cpuProfiles: ctx.cpuProfiles, notes: ctx.notes }, null, 2)}\n`,
      );
    }
    return meta;
  };

  for (const [phase, run] of phases) {
    if (!options.phases.has(phase)) continue;
    const t0 = Date.now();
    const cpu0 = ctx.cpu();
    const stall0 = cpuStallMicros();
    try {
      await run(ctx);
    } catch (err) {
      // One phase failing (a timeout on an overloaded machine) must not cost the others' figures.
      process.exitCode = 1;
      failed = true;
      ctx.notes.push(`phase ${phase} failed: ${(err as Error).message}`);
      log(`phase ${phase} failed: ${(err as Error).stack ?? (err as Error).message}`);
    }
    phaseCpu[phase] = cpuDelta(cpu0, ctx.cpu());
    const stall = stallShare(stall0, cpuStallMicros(), (Date.now() - t0) / 1000);
    phaseStall[phase] = stall === undefined ? undefined : Math.round(stall * 1000) / 1000;
    timings[phase] = Math.round((Date.now() - t0) / 1000);
    results(false);
  }

  let threads: ThreadSummary[] = [];
  if (options.cpuProf && stack) {
    // Profiles are written when the processes exit.
    await api?.stop();
    await ctx.worker?.stop();
    threads = summarizeProfiles(path.join(runDir, 'profiles'), PROJECT_ROOT);
    ctx.cpuProfiles = threads;
  }
  const meta = results(true);
  const scaleNote =
    options.mode === 'full'
      ? ''
      : ` ${options.mode} mode: fewer samples; P3/P4 at ${counts.liveProjects} live projects / ${counts.liveProjects * counts.tasksPerProject} tasks, not 1,000 / 5,000.`;
  const header =
    `agencyflow bench, ${meta.startedAt.slice(0, 16).replace('T', ' ')}–${meta.date.slice(11, 16)} UTC, ${options.mode} run (${meta.totalSeconds} s).${scaleNote}\n` +
    `Machine: ${meta.machine.cores} cores (${meta.machine.cpu}), ${meta.machine.memoryGiB} GiB, Node ${process.version}; ` +
    `load average ${loadAtStart.toFixed(2)} at start, ${meta.loadAverage.atEnd.toFixed(2)} at end` +
    // The load at the end is mostly the run's own; at the start it is what else was (or had just been) running.
    `${loadAtStart > meta.machine.cores * 0.5 ? ' (the machine was busy when the run started: figures are noisier)' : ''}.\n` +
    `Temporal: ${meta.temporal}. API: ${meta.api}.${meta.cpuShares ? ` CPU: ${meta.cpuShares}.` : ''}`;
  const floors = Object.entries(ctx.floors).map(([name, s]) => [name, pair(s)]);
  const out = [
    '',
    header,
    '',
    figuresTable(ctx.figures),
    '',
    ...(ctx.profile.length
      ? ['Where the time goes (API stage timers; ms; server = headers parsed → response finished):', '', breakdownTable(ctx.profile), '']
      : []),
    'CPU seconds each process used per phase (user + system; wall-clock seconds beside them; "waited": the share of the phase during which some runnable work on the machine waited for a CPU, from /proc/pressure/cpu):',
    '',
    markdownTable(
      ['phase', 'wall s', 'waited', ...CPU_COLUMNS],
      Object.entries(phaseCpu).map(([phase, cpu]) => [
        phase,
        String(timings[phase]),
        phaseStall[phase] === undefined ? '–' : percent(phaseStall[phase]!),
        ...CPU_COLUMNS.map((c) => (cpu[c] === undefined ? '–' : cpu[c].toFixed(1))),
      ]),
    ),
    '',
    ...(threads.length
      ? ['Where the API and worker spent their CPU (V8 profiles, --cpu-prof; one row per thread):', '', profilesTable(threads), '']
      : []),
    ...(floors.length ? ['Bare Temporal calls from the bench client, same run:', '', markdownTable(['call', 'p50 / p99'], floors), ''] : []),
    ...ctx.notes.map((n) => `Note: ${n}`),
  ].join('\n');
  process.stdout.write(`${out}\n`);
  if (options.json) log(`results written to ${options.json}`);
}

main()
  .catch((err: Error) => {
    failed = true;
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
