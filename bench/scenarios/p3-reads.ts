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
import { metricTotal } from '../lib/processes';
import { breakdown } from '../lib/profile';
import { latencyFigure, tolerate, valueFigure, withFailures } from '../lib/report';
import { round, Samples, timed } from '../lib/stats';

const OPEN_TASKS = `WorkflowType = 'taskWorkflow' AND ExecutionStatus = 'Running' AND TaskStatus = 'open'`;

export interface MemoryPoint {
  rssMiB?: number;
  cachedWorkflows?: number;
}

async function memoryPoint(ctx: BenchContext): Promise<MemoryPoint> {
  const metrics = await ctx.workerMetrics().catch(() => undefined);
  return { rssMiB: ctx.workerRss(), cachedWorkflows: metrics && metricTotal(metrics, 'temporal_sticky_cache_size') };
}

/** Loads the live projects once (P3 and P4 share them) and records the worker's memory around it. */
export async function loadLiveProjects(ctx: BenchContext): Promise<void> {
  if (ctx.live.length > 0) return;
  const { agency, counts } = ctx;
  const n = counts.liveProjects;
  const perProject = counts.tasksPerProject;
  ctx.log(`P3/P4: loading ${n} live projects with ${perProject} open tasks each through the API`);
  await sleep(2_000);
  const before = await memoryPoint(ctx);
  const openBefore = await ctx.client.workflow.count(OPEN_TASKS);
  const started = performance.now();
  const plan = Array.from({ length: perProject }, (_, i) => planTask(`${DEPARTMENTS[i % 5]}-${i}`, DEPARTMENTS[i % 5]));
  const loadFailures: string[] = [];
  const opened = await inParallel(Array.from({ length: n }), 8, async (_, i) => {
    const managerToken = agency.manager(i);
    const projectId = await tolerate(loadFailures, () => agency.openProject(managerToken, plan));
    return projectId === undefined ? undefined : { projectId, managerToken, taskIds: plan.map((t) => `${projectId}.${t.key}`) };
  });
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
  ctx.log(`P3/P4: loaded in ${loadSeconds.toFixed(0)} s; worker RSS ${before.rssMiB?.toFixed(0)} → ${after.rssMiB?.toFixed(0)} MiB, cache ${before.cachedWorkflows} → ${after.cachedWorkflows}`);

  const workflows = ids.length * (1 + perProject);
  const growthMiB = before.rssMiB !== undefined && after.rssMiB !== undefined ? after.rssMiB - before.rssMiB : undefined;
  const cachedGrowth =
    before.cachedWorkflows !== undefined && after.cachedWorkflows !== undefined ? after.cachedWorkflows - before.cachedWorkflows : undefined;
  const perGb = growthMiB !== undefined && cachedGrowth !== undefined && growthMiB > 0 ? cachedGrowth / (growthMiB / 1024) : undefined;
  const per1000 = growthMiB !== undefined ? (growthMiB / ids.length) * 1000 : undefined;
  ctx.figures.push(
    valueFigure(
      'P4.memory',
      `P4 worker RSS growth per 1,000 live projects held in cache (each with ${perProject} task workflows)`,
      {
        agencyflow:
          growthMiB === undefined
            ? 'n/a (no worker process to read: use --worker-pid)'
            : `${per1000!.toFixed(0)} MiB per 1,000 projects (RSS ${before.rssMiB!.toFixed(0)} → ${after.rssMiB!.toFixed(0)} MiB; cache ${before.cachedWorkflows ?? '?'} → ${after.cachedWorkflows ?? '?'} workflows)`,
      },
      { before, after, projects: ids.length, workflowsLoaded: workflows, growthMiB, cachedGrowth, loadSeconds: round(loadSeconds, 1) },
    ),
    valueFigure(
      'P4.perGb',
      'P4 cached workflows per GB of worker RSS growth',
      {
        agencyflow: perGb === undefined ? 'n/a (needs the worker RSS and its SDK metrics)' : `${Math.round(perGb)} per GB`,
        bare: 'SDK guidance ≈ 600 per GB of heap',
      },
      { perGb: perGb && Math.round(perGb), cachedGrowth, growthMiB },
      { text: '≥ 6,000', met: perGb === undefined ? undefined : perGb >= 6_000 },
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
  for (let i = 0; i < 3; i++) {
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
