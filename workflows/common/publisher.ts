/**
 * Publishes the workflow's snapshot to the reporting store whenever it changes, so people can read
 * their projects and inboxes (and leadership its reports) without asking a worker, and after
 * Temporal's retention has deleted a finished run.
 *
 * A coroutine of its own hands the store each new version through the `publishSnapshot`
 * activity, one at a time: a burst of changes costs one or two publishes, and the business never
 * waits for the store. The activity carries ids only and reads the snapshot from the workflow
 * itself (the status query), so a 200-task plan is never copied into the history; the store keeps
 * the newest version it has seen, so retries and racing workers are harmless.
 *
 * A regular activity, not a local one: a local activity's result is replayed from a marker at
 * another moment of the run than it arrived in, and the workflow's clock moved with it — under
 * worker restarts that made timers come out with other durations on replay (found by the chaos
 * run on the production topology).
 */
import { CancellationScope, condition, log, patched, proxyActivities } from '@temporalio/workflow';
import type { ProjectActivities, PublishSnapshotInput } from '../../activities/contract';

const { publishSnapshot } = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1d',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export interface Publisher {
  /** Resolves once the latest change is in the store (a run publishes its final state before it ends). */
  caughtUp(): Promise<void>;
}

export function startPublisher(options: { version(): number; target(seq: number): PublishSnapshotInput }): Publisher {
  // Runs recorded before publishing existed replay without it.
  if (!patched('snapshot-publishing')) return { caughtUp: async () => undefined };
  let published = 0;
  // Not cancellable: after a Temporal-level cancel the final state still reaches the store.
  void CancellationScope.nonCancellable(async () => {
    for (;;) {
      await condition(() => options.version() > published);
      const seq = options.version();
      try {
        await publishSnapshot(options.target(seq));
      } catch (err) {
        // A day of retries failed: the next change publishes again; `reports:rebuild` repairs.
        log.error('snapshot not published', { seq, error: (err as Error).message });
      }
      published = seq;
    }
  });
  return { caughtUp: () => condition(() => published >= options.version()) };
}
