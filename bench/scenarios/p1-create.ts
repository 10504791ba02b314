/**
 * P1: `POST /api/projects`, one after another, beside a bare `client.workflow.start` of a
 * workflow that finishes in its first task. Interleaved in blocks of ten, each side first in every
 * other pair, so load from anything else on the machine falls on both sides alike, and so does
 * what each call sets going (a new project's first workflow task and publish are much more work
 * than a bare workflow's: with a fixed order they slowed the bare block after them). Then the
 * same with the machine settled before each call (as managers create projects: minutes apart),
 * where neither side meets the other's work.
 */
import type { BenchContext } from '../context';
import { sleep } from '../lib/pool';
import { breakdown, type ClientTiming } from '../lib/profile';
import { latencyFigure, tolerate, valueFigure, withFailures, type Figure } from '../lib/report';
import { round, summarize, timed, type Summary } from '../lib/stats';

const BLOCK = 10;
/** Long enough for what a create or a bare start sets going to finish on an idle machine. */
const SETTLE_MS = 500;

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
  // Each create as the client saw it, to line up with the API's records (the way in and back).
  const creates: ClientTiming[] = [];
  agency.onRequest = (r) => {
    if (r.label === 'create' && Number.isFinite(r.ms)) creates.push(r);
  };
  for (let done = 0; done < counts.creates; done += BLOCK) {
    const n = Math.min(BLOCK, counts.creates - done);
    const bareBlock = async () => {
      for (let i = 0; i < n; i++) await timed(plain, () => bare.start());
    };
    const createBlock = async () => {
      for (let i = 0; i < n; i++) {
        const created = await tolerate(failures, () => agency.createProject(agency.manager(done + i)));
        if (created) api.push(created.ms);
      }
    };
    // Each side goes first in every other pair of blocks, so each follows the other as often.
    if ((done / BLOCK) % 2 === 0) {
      await bareBlock();
      await createBlock();
    } else {
      await createBlock();
      await bareBlock();
    }
  }
  const bareStarts = summarize(plain);
  ctx.floors.start = bareStarts;
  ctx.figures.push(
    withFailures(
      latencyFigure('P1', 'P1 `POST /api/projects` vs bare start (sequential)', summarize(api), bareStarts, { p50Ratio: 1.15, p99Ratio: 1.3 }),
      failures,
    ),
  );
  const sequential = ctx.api ? breakdown('POST /api/projects', await ctx.api.stages(), creates.splice(0)) : undefined;
  if (sequential) ctx.profile.push(sequential);

  const settledCount = Math.max(2, Math.floor(counts.creates / 5));
  ctx.log(`P1: ${settledCount} creates and as many bare starts, each ${SETTLE_MS} ms after the one before`);
  const apiSettled: number[] = [];
  const plainSettled: number[] = [];
  const settledFailures: string[] = [];
  for (let i = 0; i < settledCount; i++) {
    await sleep(SETTLE_MS);
    await timed(plainSettled, () => bare.start());
    await sleep(SETTLE_MS);
    const created = await tolerate(settledFailures, () => agency.createProject(agency.manager(i)));
    if (created) apiSettled.push(created.ms);
  }
  const bareStartsSettled = summarize(plainSettled);
  ctx.figures.push(
    withFailures(
      latencyFigure(
        'P1.settled',
        'P1 `POST /api/projects`, the machine settled before each (as managers create projects) vs bare start, the same',
        summarize(apiSettled),
        bareStartsSettled,
        { p50Ratio: 1.15, p99Ratio: 1.3 },
      ),
      settledFailures,
    ),
  );
  agency.onRequest = undefined;
  const settled = ctx.api ? breakdown('POST /api/projects', await ctx.api.stages(), creates.splice(0)) : undefined;
  if (settled) ctx.profile.push({ ...settled, route: 'POST /api/projects (settled first)' });
  const floor = hopFloorFigure(
    sequential?.transport && { hop: sequential.transport.hop, bareStart: bareStarts },
    settled?.transport && { hop: settled.transport.hop, bareStart: bareStartsSettled },
  );
  if (floor) ctx.figures.push(floor);
}

/**
 * The least P1 could be in this run: a bare start plus only the way to the API's handler and back
 * (p50 of each create's way in + way back), with no handler work at all. Where this is above
 * P1's goal of 1.15×, no API in a process of its own between the client and Temporal meets it on
 * this machine, whatever its handler does. The settled side is the clean bound; one after another,
 * a create's way in also holds what the API was still doing for the one before (its store write
 * after answering), so that side is a little above what a handler with no work at all would see.
 * Undefined without the split (`--no-profile`, `--api-url`).
 */
interface FloorSide {
  hop: Summary;
  bareStart: Summary;
}

export function hopFloorFigure(sequential?: FloorSide, settled?: FloorSide): Figure | undefined {
  const floorOf = (side?: FloorSide) =>
    side && side.hop.n && side.bareStart.n ? { hopMs: side.hop.p50, bareStartMs: side.bareStart.p50, floor: round((side.bareStart.p50 + side.hop.p50) / side.bareStart.p50, 2) } : undefined;
  const sides = [floorOf(sequential), floorOf(settled)];
  if (!sides.some(Boolean)) return undefined;
  /** "one after another; settled", a dash for a side without the split. */
  const cells = (show: (f: NonNullable<(typeof sides)[number]>) => string) => sides.map((f) => (f ? show(f) : '–')).join('; ');
  const [a, b] = sides;
  return valueFigure(
    'P1.hop',
    "P1's floor: a bare start plus only the way to the API's handler and back (p50; no handler work at all), one after another; settled",
    {
      agencyflow: `way in + back ${cells((f) => `${f.hopMs.toFixed(1)} ms`)}`,
      bare: `start ${cells((f) => `${f.bareStartMs.toFixed(1)} ms`)}`,
      ratio: cells((f) => `${f.floor.toFixed(2)}×`),
    },
    { ...(a && { sequential: a }), ...(b && { settled: b }) },
  );
}
