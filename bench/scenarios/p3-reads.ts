/**
 * P3: read latencies with many live projects loaded — a project's snapshot (as its manager), a
 * department's inbox (as its staff), a manager's project list, the portfolio report (as
 * leadership) — beside the bare Temporal calls they rest on (a query, one visibility page).
 * The load (projects planned and approved, their tasks open) is made through the API; the
 * worker's RSS and sticky cache size before and after it are P4's memory figures.
 */
import type { BenchContext } from '../context';
import { DEPARTMENTS, planTask } from '../agencyflow/driver';
import { inParallel, sleep, until } from '../lib/pool';
import { histogramMeansMs, lowestRssMiB, metricTotal } from '../lib/processes';
import { breakdown } from '../lib/profile';
import { latencyFigure, tolerate, valueFigure, withFailures } from '../lib/report';
import { round, Samples, summarize, timed } from '../lib/stats';

const OPEN_TASKS = `WorkflowType = 'taskWorkflow' AND ExecutionStatus = 'Running' AND TaskStatus = 'open'`;

export interface MemoryPoint {
  rssMiB?: number;
  cachedWorkflows?: number;
}

async function memoryPoint(ctx: BenchContext): Promise<MemoryPoint> {
  const metrics = await ctx.workerMetrics().catch(() => undefined);
  // The gauge appears with the first cached workflow: a scrape without it means an empty cache.
  return { rssMiB: ctx.workerRss(), cachedWorkflows: metrics && (metricTotal(metrics, 'temporal_sticky_cache_size') ?? 0) };
}

/** Slope of the least-squares line through (x, y) points; undefined with fewer than 2 distinct x. */
export function leastSquaresSlope(points: [number, number][]): number | undefined {
  if (points.length < 2) return undefined;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  if (sxx === 0) return undefined;
  return points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
}

/** The worker's lowest RSS over `counts.settleSeconds` of idleness. */
const settledRssMiB = (ctx: BenchContext): Promise<number | undefined> => lowestRssMiB(() => ctx.workerRss(), ctx.counts.settleSeconds);

/** Loads the live projects once (P3 and P4 share them) and records the worker's memory around it. */
export async function loadLiveProjects(ctx: BenchContext): Promise<void> {
  if (ctx.live.length > 0) return;
  const { agency, counts } = ctx;
  const n = counts.liveProjects;
  const perProject = counts.tasksPerProject;
  ctx.log(`P3/P4: loading ${n} live projects with ${perProject} open tasks each through the API`);
  const beforeSettled = await settledRssMiB(ctx);
  const before = await memoryPoint(ctx);
  const openBefore = await ctx.client.workflow.count(OPEN_TASKS);
  const started = performance.now();
  const plan = Array.from({ length: perProject }, (_, i) => planTask(`${DEPARTMENTS[i % 5]}-${i}`, DEPARTMENTS[i % 5]));
  const loadFailures: string[] = [];
  // Memory along the way: RSS against the cache size at every tenth of the load, for a slope
  // that one garbage collection more or less at the end cannot swing.
  const points: MemoryPoint[] = [before];
  const checkpoints = new Set(Array.from({ length: 9 }, (_, k) => Math.round(((k + 1) * n) / 10)));
  let done = 0;
  const openMs: number[] = [];
  const metricsBefore = await ctx.workerMetrics().catch(() => undefined);
  const opened = await inParallel(Array.from({ length: n }), 8, async (_, i) => {
    const managerToken = agency.manager(i);
    const t0 = performance.now();
    const projectId = await tolerate(loadFailures, () => agency.openProject(managerToken, plan));
    openMs.push(performance.now() - t0);
    if (checkpoints.has(++done)) points.push(await memoryPoint(ctx));
    return projectId === undefined ? undefined : { projectId, managerToken, taskIds: plan.map((t) => `${projectId}.${t.key}`) };
  });
  const openedSeconds = (performance.now() - started) / 1000;
  const workerMeans = histogramMeansMs(metricsBefore, await ctx.workerMetrics().catch(() => undefined), [
    'temporal_workflow_task_schedule_to_start_latency_seconds',
    'temporal_workflow_task_execution_latency_seconds',
  ]);
  const ids = opened.filter((p): p is NonNullable<typeof p> => p !== undefined);
  if (loadFailures.length) ctx.notes.push(`P3 load: ${loadFailures.length} of ${n} projects failed to open; first: ${loadFailures[0]}`);
  // Every task open (as visibility sees them: the inbox reads visibility).
  await until(
    async () => ((await ctx.client.workflow.count(OPEN_TASKS)).count >= openBefore.count + ids.length * perProject ? true : undefined),
    { what: `${ids.length * perProject} open tasks in visibility`, timeoutMs: 600_000, intervalMs: 1_000 },
  );
  const loadSeconds = (performance.now() - started) / 1000;
  ctx.live.push(...ids);
  await sleep(3_000); // let the worker settle before reading its memory
  const after = await memoryPoint(ctx);
  points.push(after);
  const afterSettled = await settledRssMiB(ctx);
  const open = summarize(openMs);
  ctx.log(
    `P3/P4: ${ids.length} projects opened in ${openedSeconds.toFixed(0)} s (create + plan + approve p50 ${open.p50.toFixed(0)} ms, p99 ${open.p99.toFixed(0)} ms; ` +
      `worker task schedule-to-start mean ${workerMeans.temporal_workflow_task_schedule_to_start_latency_seconds ?? '?'} ms), all tasks open after ${loadSeconds.toFixed(0)} s; ` +
      `worker RSS ${before.rssMiB?.toFixed(0)} → ${after.rssMiB?.toFixed(0)} MiB, cache ${before.cachedWorkflows} → ${after.cachedWorkflows}`,
  );

  const workflows = ids.length * (1 + perProject);
  const growthMiB = before.rssMiB !== undefined && after.rssMiB !== undefined ? after.rssMiB - before.rssMiB : undefined;
  const cachedGrowth =
    before.cachedWorkflows !== undefined && after.cachedWorkflows !== undefined ? after.cachedWorkflows - before.cachedWorkflows : undefined;
  // MiB per cached workflow: the least-squares slope of RSS over cache size along the load.
  const slope = leastSquaresSlope(points.filter((p) => p.rssMiB !== undefined && p.cachedWorkflows !== undefined).map((p) => [p.cachedWorkflows!, p.rssMiB!]));
  const endpointsPerGb = growthMiB !== undefined && cachedGrowth !== undefined && growthMiB > 0 ? cachedGrowth / (growthMiB / 1024) : undefined;
  const perGb = slope !== undefined && slope > 0 ? 1024 / slope : endpointsPerGb;
  const per1000 = slope !== undefined ? slope * (1 + perProject) * 1000 : growthMiB !== undefined ? (growthMiB / ids.length) * 1000 : undefined;
  const settledGrowthMiB = beforeSettled !== undefined && afterSettled !== undefined ? afterSettled - beforeSettled : undefined;
  const settledPerGb = settledGrowthMiB !== undefined && settledGrowthMiB > 0 && cachedGrowth !== undefined ? cachedGrowth / (settledGrowthMiB / 1024) : undefined;
  ctx.figures.push(
    valueFigure(
      'P4.memory',
      `P4 worker RSS growth per 1,000 live projects held in cache (each with ${perProject} task workflows)`,
      {
        agencyflow:
          growthMiB === undefined
            ? 'n/a (no worker process to read: use --worker-pid)'
            : `${per1000!.toFixed(0)} MiB per 1,000 projects (RSS ${before.rssMiB!.toFixed(0)} → ${after.rssMiB!.toFixed(0)} MiB while the cache went ${before.cachedWorkflows ?? '?'} → ${after.cachedWorkflows ?? '?'} workflows)`,
      },
      {
        before,
        after,
        points,
        mibPerCachedWorkflow: slope === undefined ? undefined : round(slope, 4),
        endpointsPerGb: endpointsPerGb && Math.round(endpointsPerGb),
        projects: ids.length,
        workflowsLoaded: workflows,
        growthMiB,
        cachedGrowth,
        openSeconds: round(openedSeconds, 1),
        loadSeconds: round(loadSeconds, 1),
        openProjectMs: open,
        workerMeansMs: workerMeans,
      },
    ),
    valueFigure(
      'P4.perGb',
      'P4 cached workflows per GB of worker RSS growth',
      {
        agencyflow:
          perGb === undefined
            ? 'n/a (needs the worker RSS and its SDK metrics)'
            : `${Math.round(perGb)} per GB (slope of RSS over cache size at ${points.length} points; end points alone: ${endpointsPerGb === undefined ? '–' : Math.round(endpointsPerGb)})`,
        bare: 'SDK guidance ≈ 600 per GB of heap',
      },
      { perGb: perGb && Math.round(perGb), endpointsPerGb: endpointsPerGb && Math.round(endpointsPerGb), cachedGrowth, growthMiB },
    ),
    valueFigure(
      'P4.perGbSettled',
      'P4 cached workflows per GB of worker RSS growth, the worker settled before and after the load (what the cache holds)',
      {
        agencyflow:
          settledGrowthMiB === undefined || cachedGrowth === undefined
            ? 'n/a (needs the worker RSS and its SDK metrics)'
            : settledPerGb === undefined
              ? `n/a: RSS ${beforeSettled!.toFixed(0)} → ${afterSettled!.toFixed(0)} MiB for ${cachedGrowth} more cached workflows (too few to move it)`
              : `${Math.round(settledPerGb)} per GB (lowest RSS over ${ctx.counts.settleSeconds} s idle: ${beforeSettled!.toFixed(0)} → ${afterSettled!.toFixed(0)} MiB for ${cachedGrowth} more cached workflows)`,
        bare: 'SDK guidance ≈ 600 per GB of heap',
      },
      { perGb: settledPerGb && Math.round(settledPerGb), beforeSettledMiB: beforeSettled, afterSettledMiB: afterSettled, cachedGrowth },
      { text: '≥ 6,000', met: settledPerGb === undefined ? undefined : settledPerGb >= 6_000 },
    ),
  );
}

export async function runP3(ctx: BenchContext): Promise<void> {
  await loadLiveProjects(ctx);
  const { agency, bare, counts } = ctx;
  const live = ctx.live;
  const scale = `${live.length.toLocaleString('en')} live projects / ${(live.length * counts.tasksPerProject).toLocaleString('en')} tasks`;
  ctx.log(`P3: reads at ${scale}`);
  const samples = new Samples();
  const pick = () => live[Math.floor(Math.random() * live.length)];
  const rounds = Math.max(counts.snapshotReads, counts.inboxReads, counts.listReads, counts.portfolioReads);
  await bare.prepareUpdatable(20);
  for (let i = 0; i < 3; i++) {
    await bare.query();
    await agency.project(pick().projectId, pick().managerToken).catch(() => undefined);
    await agency.inbox(agency.tokens.staff.design);
    await bare.listPage();
  }
  await ctx.api?.stages();
  const failures: Record<string, string[]> = { snapshot: [], inbox: [], list: [], portfolio: [] };
  const read = async (kind: string, fn: () => Promise<{ ms: number }>) => {
    const res = await tolerate(failures[kind], fn);
    if (res) samples.add(kind, res.ms);
  };
  for (let i = 0; i < rounds; i++) {
    if (i < counts.snapshotReads) {
      const p = pick();
      await read('snapshot', () => agency.project(p.projectId, p.managerToken));
      await timed(samples.list('bare query'), () => bare.query());
    }
    if (i < counts.inboxReads) {
      await read('inbox', () => agency.inbox(agency.tokens.staff[DEPARTMENTS[i % 5]]));
      await timed(samples.list('bare list'), () => bare.listPage());
    }
    if (i < counts.listReads) await read('list', () => agency.projectList(agency.manager(i)));
    if (i < counts.portfolioReads) {
      await read('portfolio', () => agency.portfolio(agency.tokens.leadership));
      await timed(samples.list('bare count'), () => bare.count());
    }
  }
  ctx.floors.list = samples.summary('bare list');
  ctx.floors.count = samples.summary('bare count');
  ctx.floors.query ??= samples.summary('bare query');
  const at = `at ${scale}`;
  ctx.figures.push(
    withFailures(
      latencyFigure('P3.snapshot', `P3 project snapshot ${at} vs bare query`, samples.summary('snapshot'), samples.summary('bare query'), { p99Ms: 50 }),
      failures.snapshot,
    ),
    withFailures(
      latencyFigure('P3.inbox', `P3 department inbox ${at} vs one bare visibility page`, samples.summary('inbox'), samples.summary('bare list'), { p99Ms: 100 }),
      failures.inbox,
    ),
    withFailures(
      latencyFigure('P3.list', `P3 manager's project list ${at} vs one bare visibility page`, samples.summary('list'), samples.summary('bare list')),
      failures.list,
    ),
    withFailures(
      latencyFigure('P3.portfolio', `P3 portfolio report (leadership) ${at} vs one bare count`, samples.summary('portfolio'), samples.summary('bare count'), { p99Ms: 300 }),
      failures.portfolio,
    ),
  );
  if (ctx.api) {
    const records = await ctx.api.stages();
    ctx.profile.push(
      breakdown('GET /api/projects/:id', records, samples.list('snapshot')),
      breakdown('GET /api/tasks', records, samples.list('inbox')),
      breakdown('GET /api/projects', records, samples.list('list')),
      breakdown('GET /api/reports/portfolio', records, samples.list('portfolio')),
    );
  }
}
