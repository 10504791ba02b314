/**
 * The bare baseline: the least Temporal allows, no project code. Bundled on its own (not with
 * workflows/index.ts) and run by its own worker process, so the figures beside agencyflow's are
 * what Temporal itself costs on the same server in the same run.
 */
import { condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/** A no-I/O update: changes state in memory and returns it. */
export const bumpUpdate = defineUpdate<number, [number]>('bump');
export const countQuery = defineQuery<number>('count');
export const finishSignal = defineSignal('finish');

/** Started and finished in its first workflow task: the baseline for a start. */
export async function bareTrivial(): Promise<void> {
  // nothing: the start is what is measured
}

/** Lives until told to finish; answers a query and a no-I/O update. */
export async function bareUpdatable(): Promise<number> {
  let count = 0;
  let finished = false;
  setHandler(bumpUpdate, (by) => (count += by));
  setHandler(countQuery, () => count);
  setHandler(finishSignal, () => {
    finished = true;
  });
  await condition(() => finished);
  return count;
}

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30s' });

/** One activity that does nothing: the baseline for workflow throughput. */
export async function bareOneActivity(): Promise<void> {
  await noop();
}

/**
 * P4's floor: waits like a cached project does, after `activities` no-op activities (each adds
 * six events to its history), so the worker's memory per cached workflow can be read against
 * the length of its history.
 */
export async function bareWaiting(activities: number): Promise<void> {
  let finished = false;
  setHandler(finishSignal, () => {
    finished = true;
  });
  for (let i = 0; i < activities; i++) await noop();
  await condition(() => finished);
}
