/**
 * P4 (the part after memory): what a project costs once it is out of the worker's cache. The
 * worker process is replaced by a fresh one with the default cache (500) — every workflow is
 * evicted — and then, per project: its snapshot (a query: the worker replays the project's
 * history first), the same read again (now cached), and a claim on one of its tasks (the task's
 * history replayed, then the update). While no worker runs, one snapshot and one inbox read show
 * what a person sees during a worker restart. Also: reads of the completed 50-task project,
 * which no cache holds (each query replays its whole history).
 */
import type { BenchContext } from '../context';
import type { HttpResult } from '../lib/http';
import { latencyFigure, tolerate, valueFigure, withFailures } from '../lib/report';
import { Samples } from '../lib/stats';
import { loadLiveProjects } from './p3-reads';

const DEFAULT_CACHE = 500;

export async function runP4(ctx: BenchContext): Promise<void> {
  await loadLiveProjects(ctx);
  const { agency, counts } = ctx;
  if (!ctx.restartWorker) {
    ctx.notes.push('P4 eviction figures need the bench to run the worker (not with --api-url).');
    return;
  }
  ctx.log(`P4: replacing the worker by a fresh one (cache ${DEFAULT_CACHE}); reading ${counts.evictedSamples} evicted projects`);
  const probe = ctx.live[0];
  const down: Record<string, { status: number; ms: number; detail?: unknown }> = {};
  const attempt = async (name: string, fn: () => Promise<HttpResult>) => {
    try {
      const res = await fn();
      const problem = res.body as { type?: string; detail?: string } | undefined;
      down[name] = { status: res.status, ms: Math.round(res.ms), ...(res.status >= 400 && { detail: `${problem?.type ?? ''} ${problem?.detail ?? ''}`.trim() }) };
    } catch (err) {
      const e = err as { status?: number; body?: { detail?: string } };
      down[name] = { status: e.status ?? 0, ms: NaN, detail: e.body?.detail ?? String(err) };
    }
  };
  const timedDown = async (name: string, fn: () => Promise<HttpResult>) => {
    const t0 = performance.now();
    await attempt(name, fn);
    if (Number.isNaN(down[name].ms)) down[name].ms = Math.round(performance.now() - t0);
  };
  await ctx.restartWorker(DEFAULT_CACHE, async () => {
    await timedDown('project snapshot', () => agency.http.request('GET', `/api/projects/${probe.projectId}`, { token: probe.managerToken }));
    await timedDown('department inbox', () => agency.http.request('GET', '/api/tasks', { token: agency.tokens.staff.design }));
  });
  const cell = (r: { status: number; ms: number; detail?: unknown }) =>
    `${r.status} after ${r.ms} ms${r.detail ? ` (${String(r.detail).replace('urn:agencyflow:problem:', '').slice(0, 140)})` : ''}`;
  ctx.figures.push(
    valueFigure(
      'P4.workerDown',
      'P4 reads while no worker runs (during a restart)',
      { agencyflow: `snapshot: ${cell(down['project snapshot'])}; inbox: ${cell(down['department inbox'])}` },
      down,
      { text: 'reads answer (200)', met: down['project snapshot'].status === 200 && down['department inbox'].status === 200 },
    ),
  );

  const samples = new Samples();
  const chosen = [...ctx.live].sort(() => Math.random() - 0.5).slice(0, counts.evictedSamples);
  const staffOf = (taskId: string) => {
    const department = (['design', 'copywriting', 'seo', 'ads', 'analytics'] as const).find((d) => taskId.includes(`.${d}-`));
    return agency.tokens.staff[department ?? 'design'];
  };
  const failures: string[] = [];
  const sample = async (name: string, fn: () => Promise<{ ms: number }>) => {
    const res = await tolerate(failures, fn);
    if (res) samples.add(name, res.ms);
  };
  for (const p of chosen) {
    await sample('evicted read', () => agency.project(p.projectId, p.managerToken));
    await sample('cached read', () => agency.project(p.projectId, p.managerToken));
    const taskId = p.taskIds[0];
    await sample('evicted claim', () => agency.taskAction('claim', taskId, staffOf(taskId)));
    await sample('cached release', () => agency.taskAction('release', taskId, staffOf(taskId)));
  }
  ctx.figures.push(
    withFailures(latencyFigure('P4.evictedRead', 'P4 snapshot of a project evicted from the cache through the API (replay + query, or the stored copy when that misses 40 ms)', samples.summary('evicted read')), failures),
    latencyFigure('P4.cachedRead', 'P4 the same snapshot again, cached', samples.summary('cached read')),
    latencyFigure('P4.evictedClaim', 'P4 claim on a task evicted from the cache (replay + update)', samples.summary('evicted claim')),
    latencyFigure('P4.cachedRelease', 'P4 release right after, cached', samples.summary('cached release')),
  );

  if (ctx.bigProjectId) {
    const big = ctx.bigProjectId;
    for (let i = 0; i < 5; i++) await sample('big read', () => agency.project(big, agency.manager(0)));
    ctx.figures.push(
      latencyFigure('P4.bigRead', `P4 snapshot of the completed ${counts.bigTasks}-task project through the API (no cache holds it: full replay, or the stored copy when that misses 40 ms)`, samples.summary('big read')),
    );
  }

  // The default cache with every live project read at random: what P3 sees out of the box.
  for (let i = 0; i < counts.snapshotReads; i++) {
    const p = ctx.live[Math.floor(Math.random() * ctx.live.length)];
    await sample('default cache read', () => agency.project(p.projectId, p.managerToken));
  }
  ctx.figures.push(
    latencyFigure(
      'P4.defaultCacheRead',
      `P3 project snapshot with the default cache (${DEFAULT_CACHE}) at ${ctx.live.length.toLocaleString('en')} live projects`,
      samples.summary('default cache read'),
      ctx.floors.query,
      { p99Ms: 50 },
    ),
  );
  await ctx.api?.stages();
}
