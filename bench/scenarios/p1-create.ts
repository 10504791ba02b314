/**
 * P1: `POST /api/projects`, one after another, beside a bare `client.workflow.start` of a
 * workflow that finishes in its first task. Interleaved in blocks of ten, so load from anything
 * else on the machine falls on both sides alike.
 */
import type { BenchContext } from '../context';
import { breakdown } from '../lib/profile';
import { latencyFigure, tolerate, withFailures } from '../lib/report';
import { summarize, timed } from '../lib/stats';

const BLOCK = 10;

export async function runP1(ctx: BenchContext): Promise<void> {
  const { agency, bare, counts } = ctx;
  ctx.log(`P1: ${counts.warmup} warm-up + ${counts.creates} creates and as many bare starts`);
  const failures: string[] = [];
  for (let i = 0; i < counts.warmup; i++) {
    await bare.start();
    await tolerate([], () => agency.createProject(agency.manager(i), { label: 'warm-up' }));
  }
  await ctx.api?.stages(); // drop the warm-up's records

  const api: number[] = [];
  const plain: number[] = [];
  for (let done = 0; done < counts.creates; done += BLOCK) {
    const n = Math.min(BLOCK, counts.creates - done);
    for (let i = 0; i < n; i++) await timed(plain, () => bare.start());
    for (let i = 0; i < n; i++) {
      const created = await tolerate(failures, () => agency.createProject(agency.manager(done + i)));
      if (created) api.push(created.ms);
    }
  }
  ctx.floors.start = summarize(plain);
  ctx.figures.push(
    withFailures(
      latencyFigure('P1', 'P1 `POST /api/projects` vs bare start (sequential)', summarize(api), summarize(plain), { p50Ratio: 1.15, p99Ratio: 1.3 }),
      failures,
    ),
  );
  if (ctx.api) ctx.profile.push(breakdown('POST /api/projects', await ctx.api.stages(), api));
}
