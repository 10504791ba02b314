/**
 * Which behaviour changes a run has, without the SDK's per-patch cost for runs that had them all
 * from their start.
 *
 * Every patch a new run asks the SDK about (`patched` with its id) writes a marker and, from the
 * SDK's core, an upsert of the `TemporalChangeVersion` search attribute: two commands, two history
 * events, two state machines the worker keeps for as long as the run is cached, and a visibility
 * write on the server. A task asked five of them in its first workflow task — ten of its first
 * events, on every task of every project. Runs started with a `patchBaseline` have every patch of
 * that baseline from their first line, so they ask the SDK only about patches added after it; runs
 * started without one (recorded before baselines existed, and still running) ask as they always
 * did, so they replay as recorded.
 * The baseline travels in the run's input (the API sets it for new projects, a project passes its
 * own to its tasks): it is fixed for the life of the run, so the choice is deterministic.
 *
 * A new patch is asked through the run's `patched` (this function's result) like the others; when
 * the next baseline is cut, its id joins a new set and new runs get that baseline.
 */
import { patched as sdkPatched } from '@temporalio/workflow';

export type Patched = (patchId: string) => boolean;

/** Every patch in the workflow code on 2026-12-01 (test/workflows/patches.test.ts keeps this list whole). */
export const BASELINE_1_PATCHES: ReadonlySet<string> = new Set([
  'cancellation-settles-prepayment',
  'cancellation-waits-for-task-reports',
  'cancelled-collects-payment',
  'chase-every-unpaid-invoice',
  'complaint-pauses-acceptance',
  'notices-own-path',
  'publish-without-waiting',
  'reassign-tells-previous-assignee',
  'revision-task-keys',
  'snapshot-publishing',
  'task-memo-titles',
  'task-publish-carries-view',
  'task-reports-when-quiet',
  'temporal-cancel-runs-cancellation',
]);

/**
 * The baseline new runs start with.
 * - 1: every patch in BASELINE_1_PATCHES.
 * - 2: the same patches, and whoever starts a project stores its opening snapshot (the API does,
 *   right after the start: `starterStoresOpening`), so the run does not publish it again: no
 *   activity and no second workflow task before anyone acts.
 */
export const CURRENT_PATCH_BASELINE = 2;

/** `patched` for a run started with `baseline` (none: the SDK's markers decide, as recorded). */
export function patchesFor(baseline: number | undefined): Patched {
  if (baseline === undefined) return sdkPatched;
  // Baseline 2 added no patch, only the starter's duty below.
  return (patchId) => BASELINE_1_PATCHES.has(patchId) || sdkPatched(patchId);
}

/** Whether the run's starter stored its opening snapshot (baseline 2 on); runs started before publish it themselves. */
export function starterStoresOpening(baseline: number | undefined): boolean {
  return baseline !== undefined && baseline >= 2;
}
