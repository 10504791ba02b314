/**
 * P2: whole lifecycles through HTTP — create, plan (design → copy, and SEO beside them), approve,
 * each task claimed, delivered and accepted, the client accepts, the final invoice is paid, the
 * project completes — with 5 and 20 in flight, beside the bare one-activity-workflow throughput
 * of the same server at the same concurrency. Where a step waits for the process (tasks opening,
 * the client review, the invoice, completion) the lifecycle polls its task or project as a page
 * would (after 100 ms, then ×1.5 up to once a second); those polls are reads measured under load,
 * and a department's inbox is read every 250 ms beside them. Any 5xx is counted.
 */
import type { BenchContext } from '../context';
import { planTask, type RequestLog } from '../agencyflow/driver';
import { projectWorkflowId } from '../../workflows/project/contract';
import { taskWorkflowId } from '../../workflows/task/contract';
import { inParallel, sleep } from '../lib/pool';
import { cpuDelta, cpuStallMicros, mainThreadSchedule, schedulePerSecond, stallShare } from '../lib/cpu';
import { histogramMeansMs } from '../lib/processes';
import { breakdown, type ClientTiming } from '../lib/profile';
import { latencyFigure, pair, percent, tolerate, valueFigure, withFailures } from '../lib/report';
import { round, Samples, summarize } from '../lib/stats';
import { READER_LABELS, ReaderProcess, type ReaderSamples } from '../agencyflow/stack';
import { historyFigure, historyOf } from './history';
import { describeLoopDelay, watchLoopDelay, type LoopDelay } from '../lib/loop-delay';

const WORKER_HISTOGRAMS = [
  'temporal_workflow_task_schedule_to_start_latency_seconds',
  'temporal_workflow_task_execution_latency_seconds',
  'temporal_activity_schedule_to_start_latency_seconds',
];

const ACTIONS = ['create', 'submit plan', 'approve plan', 'claim', 'submit', 'review', 'feedback', 'payment'];

async function lifecycle(ctx: BenchContext, i: number, reader?: ReaderProcess): Promise<string> {
  const { agency } = ctx;
  const manager = agency.manager(i);
  const { projectId } = await agency.createProject(manager, { departments: ['design', 'copywriting', 'seo'] });
  reader?.watch(projectId);
  try {
    await steer(ctx, manager, projectId);
  } finally {
    reader?.unwatch(projectId);
  }
  return projectId;
}

/** A created project through to its completion. */
async function steer(ctx: BenchContext, manager: string, projectId: string): Promise<void> {
  const { agency } = ctx;
  const planned = await agency.submitPlan(manager, projectId, [
    planTask('design', 'design'),
    planTask('copy', 'copywriting', { dependsOn: ['design'] }),
    planTask('seo', 'seo'),
  ]);
  await agency.approvePlan(projectId, planned.pendingPlanVersion ?? 1);
  await Promise.all([
    agency.deliverTask(`${projectId}.design`, 'design', manager).then(() => agency.deliverTask(`${projectId}.copy`, 'copywriting', manager)),
    agency.deliverTask(`${projectId}.seo`, 'seo', manager),
  ]);
  await agency.waitForProject(projectId, manager, 'client review', (s) => s.stage === 'client_review');
  await agency.feedback(projectId, manager, { kind: 'accepted', rating: 5, comment: 'Thank you' });
  const invoiced = await agency.waitForProject(projectId, manager, 'the final invoice', (s) => s.invoices.some((inv) => inv.kind === 'final'));
  for (const invoice of invoiced.invoices.filter((inv) => inv.status === 'open')) await agency.pay(projectId, manager, invoice);
  await agency.waitForProject(projectId, manager, 'completion', (s) => s.stage === 'completed');
}

export async function runP2(ctx: BenchContext): Promise<void> {
  const { agency, bare, counts } = ctx;
  let sampleProject: string | undefined;
  for (const inFlight of counts.inFlight) {
    // Bare: one-activity workflows, `inFlight` at a time.
    const bareStarted = performance.now();
    const bareCpu0 = ctx.cpu();
    const bareStall0 = cpuStallMicros();
    await inParallel(Array.from({ length: counts.bareWorkflowsPerLevel }), inFlight, () => bare.oneActivityWorkflow());
    const bareSeconds = (performance.now() - bareStarted) / 1000;
    const bareCpu = cpuDelta(bareCpu0, ctx.cpu());
    const bareStall = stallShare(bareStall0, cpuStallMicros(), bareSeconds);
    const barePerMinute = (counts.bareWorkflowsPerLevel / bareSeconds) * 60;

    // agencyflow: `inFlight` people each running `lifecyclesPerSlot` lifecycles in a row.
    const total = inFlight * counts.lifecyclesPerSlot;
    ctx.log(`P2: ${total} lifecycles, ${inFlight} in flight (bare: ${counts.bareWorkflowsPerLevel} one-activity workflows)`);
    const samples = new Samples();
    /** Requests by label and status (status 0: no answer at all). */
    const statuses = new Map<string, Map<number, number>>();
    /** Each request as the client saw it, by the same keys as `samples` (to line up with the API's records). */
    const timings = new Map<string, ClientTiming[]>();
    const keep = (key: string, r: RequestLog) => {
      const list = timings.get(key) ?? [];
      list.push(r);
      timings.set(key, list);
    };
    agency.onRequest = (r: RequestLog) => {
      if (Number.isFinite(r.ms)) {
        samples.add(r.label, r.ms);
        samples.add(`${r.label} ${r.status}`, r.ms); // a read's tail by answer: found (200) or not there yet (404)
        keep(r.label, r);
        keep(`${r.label} ${r.status}`, r);
      }
      const byStatus = statuses.get(r.label) ?? new Map<number, number>();
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      statuses.set(r.label, byStatus);
    };
    const count = (labels: string[] | undefined, match: (status: number) => boolean): number =>
      [...statuses]
        .filter(([label]) => !labels || labels.includes(label))
        .flatMap(([, byStatus]) => [...byStatus])
        .filter(([status]) => match(status))
        .reduce((a, [, n]) => a + n, 0);
    const failed = (status: number) => status >= 500 || status === 0;
    let running = true;
    const inboxReader = (async () => {
      while (running) {
        await agency.inbox(agency.tokens.staff.design, 'inbox under load').catch(() => undefined);
        await sleep(250);
      }
    })();
    // At the top level, a person reading beside the load from a process of its own (see there).
    const top = inFlight === Math.max(...counts.inFlight);
    const apiUrl = ctx.api?.url ?? ctx.options.apiUrl;
    const reader =
      top && apiUrl
        ? await ReaderProcess.start({ apiUrl, leadershipToken: agency.tokens.leadership, inboxToken: agency.tokens.staff.design, logDir: ctx.logDir })
        : undefined;
    let readerSamples: ReaderSamples | undefined;
    const durations: number[] = [];
    const failures: string[] = [];
    const metricsBefore = await ctx.workerMetrics().catch(() => undefined);
    await ctx.api?.stages({ watchLoop: top }); // the stage timers (and, at the top level, the API's loop watch) from here on are this level's
    const cpu0 = ctx.cpu();
    const stall0 = cpuStallMicros();
    const apiThread0 = top ? mainThreadSchedule(ctx.api?.child.pid) : undefined;
    const loop = top ? watchLoopDelay() : undefined;
    let loopDelay: LoopDelay | undefined;
    const started = performance.now();
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          for (let i = next++; i < total; i = next++) {
            const t0 = performance.now();
            const projectId = await tolerate(failures, () => lifecycle(ctx, i, reader));
            if (projectId) {
              sampleProject = projectId;
              durations.push(performance.now() - t0);
            }
          }
        }),
      );
    } finally {
      running = false;
      loopDelay = loop?.stop();
      await inboxReader;
      agency.onRequest = undefined;
      readerSamples = await reader?.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuDelta(cpu0, ctx.cpu());
    const stall = stallShare(stall0, cpuStallMicros(), seconds);
    const apiThread1 = apiThread0 && mainThreadSchedule(ctx.api?.child.pid);
    const apiThread = apiThread0 && apiThread1 ? schedulePerSecond(apiThread0, apiThread1, seconds) : undefined;
    const { records, loopDelay: apiLoopDelay } = (await ctx.api?.stagesAndLoop()) ?? {};
    const worker = histogramMeansMs(metricsBefore, await ctx.workerMetrics().catch(() => undefined), WORKER_HISTOGRAMS);
    const completed = durations.length;
    const perLifecycle = (seconds?: number) => (seconds === undefined ? '–' : Math.round((seconds * 1000) / completed));
    const perMinute = (completed / seconds) * 60;
    const lifecycleS = summarize(durations.map((d) => d / 1000));
    const requests = count(undefined, () => true);
    const errors5xx = count(undefined, failed);
    const throughput = valueFigure(
      `P2.${inFlight}`,
      `P2 lifecycles per minute, ${inFlight} in flight (3 tasks, one dependency)`,
      {
        agencyflow:
          `${perMinute.toFixed(1)}/min (${completed} of ${total} completed in ${seconds.toFixed(1)} s; ` +
          `one lifecycle p50 ${lifecycleS.p50.toFixed(1)} s, p99 ${lifecycleS.p99.toFixed(1)} s; ${requests} requests, 5xx: ${errors5xx}` +
          (completed && cpu.worker !== undefined
            ? `; CPU per lifecycle: worker ${perLifecycle(cpu.worker)} ms, API ${perLifecycle(cpu.api)} ms, Temporal ${perLifecycle(cpu.temporal)} ms`
            : '') +
          (stall === undefined ? '' : `; work waited for a CPU ${percent(stall)} of the time`) +
          (worker[WORKER_HISTOGRAMS[0]] === undefined
            ? ')'
            : `; worker means: workflow task schedule-to-start ${worker[WORKER_HISTOGRAMS[0]]} ms, execution ${worker[WORKER_HISTOGRAMS[1]]} ms, activity schedule-to-start ${worker[WORKER_HISTOGRAMS[2]] ?? '–'} ms)`),
        bare:
          `${Math.round(barePerMinute)} one-activity workflows/min (${counts.bareWorkflowsPerLevel} in ${bareSeconds.toFixed(1)} s` +
          (bareCpu['bare worker'] !== undefined
            ? `; CPU per workflow: worker ${Math.round((bareCpu['bare worker'] * 1000) / counts.bareWorkflowsPerLevel)} ms, Temporal ${bareCpu.temporal === undefined ? '–' : Math.round((bareCpu.temporal * 1000) / counts.bareWorkflowsPerLevel)} ms`
            : '') +
          (bareStall === undefined ? '' : `; work waited for a CPU ${percent(bareStall)} of the time`) +
          ')',
      },
      {
        lifecycles: total,
        completed,
        inFlight,
        seconds: round(seconds, 2),
        lifecyclesPerMinute: round(perMinute, 2),
        lifecycleSeconds: lifecycleS,
        requests,
        statuses: Object.fromEntries([...statuses].map(([label, byStatus]) => [label, Object.fromEntries(byStatus)])),
        errors5xx,
        bareWorkflows: counts.bareWorkflowsPerLevel,
        bareSeconds: round(bareSeconds, 2),
        bareWorkflowsPerMinute: round(barePerMinute, 1),
        actions: Object.fromEntries(ACTIONS.map((a) => [a, samples.summary(a)])),
        workerMeansMs: worker,
        /** Share of the phase during which some runnable work waited for a CPU (Linux PSI), and the same for the bare level. */
        cpuStallShare: stall === undefined ? undefined : round(stall, 3),
        bareCpuStallShare: bareStall === undefined ? undefined : round(bareStall, 3),
        cpuSeconds: cpu,
        bareCpuSeconds: bareCpu,
        /** CPU ms per lifecycle by process, and per bare one-activity workflow. */
        cpuMsPerLifecycle: Object.fromEntries(Object.entries(cpu).map(([name, s]) => [name, completed ? Math.round((s * 1000) / completed) : undefined])),
        bareCpuMsPerWorkflow: Object.fromEntries(Object.entries(bareCpu).map(([name, s]) => [name, Math.round((s * 1000) / counts.bareWorkflowsPerLevel)])),
      },
    );
    ctx.figures.push(withFailures(throughput, failures));
    if (top) {
      /** Reads under load must not fail: any 5xx misses the goal. */
      const read = (
        id: string,
        label: string,
        sampleLabel: string,
        p99Ms: number,
        from: { samples: Samples; count: typeof count } = { samples, count },
      ) => {
        const figure = latencyFigure(id, label, from.samples.summary(sampleLabel), undefined, { p99Ms });
        const errors = from.count([sampleLabel], failed);
        figure.data.errors5xx = errors;
        const notFound = from.samples.summary(`${sampleLabel} 404`);
        if (notFound.n > 0) {
          const found = from.samples.summary(`${sampleLabel} 200`);
          figure.agencyflow += `; found (200): ${pair(found)}; not started yet (404): ${pair(notFound)}`;
          figure.data.byStatus = { found, notFound };
        }
        if (errors > 0) {
          figure.agencyflow += `; 5xx: ${errors}`;
          figure.met = false;
        }
        return figure;
      };
      ctx.figures.push(
        read('P2.read.project', `P2 project snapshot read while ${inFlight} lifecycles run`, 'poll project', 50),
        read('P2.read.task', `P2 task read while ${inFlight} lifecycles run`, 'poll task', 50),
        read('P2.read.inbox', `P2 department inbox while ${inFlight} lifecycles run`, 'inbox under load', 100),
        latencyFigure('P2.actions', `P2 every action while ${inFlight} lifecycles run`, summarize(ACTIONS.flatMap((a) => samples.list(a)))),
      );
      if (readerSamples) {
        const person = {
          samples: Samples.of(readerSamples.samples),
          count: statusCounter(readerSamples.statuses),
        };
        ctx.figures.push(
          read('P2.person.project', `P2 project read by a person beside ${inFlight} lifecycles (a process of its own)`, READER_LABELS.project, 50, person),
          read('P2.person.task', `P2 task read by a person beside ${inFlight} lifecycles (a process of its own)`, READER_LABELS.task, 50, person),
          read('P2.person.inbox', `P2 department inbox read by a person beside ${inFlight} lifecycles (a process of its own)`, READER_LABELS.inbox, 100, person),
        );
      }
      // Between the API's stage timers and a client's clock: how late each process's event loop ran.
      const loops = (
        [
          ['the API process', apiLoopDelay],
          ['the bench process (the lifecycles and their polls)', loopDelay],
          ['the person\'s process', readerSamples?.loopDelay],
        ] as Array<[string, LoopDelay | undefined]>
      ).filter((entry): entry is [string, LoopDelay] => entry[1] !== undefined);
      if (loops.length > 0) {
        // Whether the API's loop was late from its own work or from waiting for a CPU: its main
        // thread's time on a CPU and on the run queue (what the kernel counts for it).
        const apiCpu = apiThread
          ? `; the API's main thread ran ${apiThread.ranMs} ms and waited for a CPU ${apiThread.waitedMs} ms of each second (${apiThread.meanWaitMs} ms each time it was put on one, on average)`
          : '';
        ctx.figures.push(
          valueFigure(
            'P2.loops',
            `P2 event loops while ${inFlight} lifecycles run: a reply arriving at a random moment waited over this 1% of the time`,
            { agencyflow: loops.map(([who, delay]) => describeLoopDelay(who, delay)).join('; ') + apiCpu },
            { loopDelayMs: Object.fromEntries(loops), ...(apiThread && { apiMainThreadPerSecond: apiThread }) },
          ),
        );
      }
      // Where a read's time goes under load (the labels' client times are this level's alone).
      if (records) {
        const under = ` (${inFlight} lifecycles running)`;
        const rows = [
          ['GET /api/projects/:id', 'poll project', undefined],
          ['GET /api/tasks/:taskId', 'poll task 200', undefined],
          ['GET /api/tasks/:taskId', 'poll task 404', 404],
          ['GET /api/tasks', 'inbox under load', undefined],
        ] as const;
        for (const [route, label, status] of rows) {
          const rowRoute = `${route}${status ? ` answered ${status}` : ''}${under}`;
          if (status === undefined || samples.list(label).length > 0) ctx.profile.push({ ...breakdown(route, records, timings.get(label) ?? [], status), route: rowRoute });
        }
      }
    }
  }
  await ctx.api?.stages();

  if (sampleProject) {
    const project = await historyOf(ctx.client, 'H typical 3-task lifecycle', [projectWorkflowId(sampleProject)]);
    const all = await historyOf(
      ctx.client,
      'H typical 3-task lifecycle',
      [projectWorkflowId(sampleProject), ...['design', 'copy', 'seo'].map((k) => taskWorkflowId(`${sampleProject}.${k}`))],
    );
    ctx.history.push(project, all);
    ctx.figures.push(historyFigure('H.lifecycle', all, project));
  }
}

/** `count` over a reader process's answers by label and status. */
function statusCounter(statuses: ReaderSamples['statuses']) {
  return (labels: string[] | undefined, match: (status: number) => boolean): number =>
    Object.entries(statuses)
      .filter(([label]) => !labels || labels.includes(label))
      .flatMap(([, byStatus]) => Object.entries(byStatus))
      .filter(([status]) => match(Number(status)))
      .reduce((a, [, n]) => a + n, 0);
}
