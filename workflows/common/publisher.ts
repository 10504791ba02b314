/**
 * Publishes the workflow's snapshot to the reporting store whenever it changes, so people can read
 * their projects and inboxes (and leadership its reports) without asking a worker, and after
 * Temporal's retention has deleted a finished run.
 *
 * A coroutine of its own hands the store each new version through the `publishSnapshot`
 * activity: changes made together (one update, one signal, one step of the process) cost one
 * publish, and the business never waits for the store. A project's publish carries ids only and
 * the activity reads the snapshot from the workflow itself (the status query), so a 200-task plan
 * is never copied into the history; a task's carries its small view (`target`); the store keeps the newest version it has seen, so publishes that overlap or
 * arrive out of order, retries and racing workers are all harmless. (Throttling publishes with a
 * timer was tried: the chaos run then found histories that did not replay; not understood yet.)
 *
 * Nothing in the run waits for a publish to finish (except the run's very end). Runs recorded
 * before the `publish-without-waiting` patch published one at a time, each waiting for the last:
 * that made the moment of the next publish depend on whether the last one's result arrived in
 * the same activation as the next change or in one of its own, and a worker without the run
 * cached (a fresh worker after a kill) receives a command-less result together with the next
 * update, while a replay delivers them apart — the commands came out in another order on replay
 * (chaos run; `test/workflows/uncached-worker.test.ts` reproduces it).
 *
 * A regular activity, not a local one: a local activity's result is replayed from a marker at
 * another moment of the run than it arrived in, and the workflow's clock moved with it — under
 * worker restarts that made timers come out with other durations on replay (found by the chaos
 * run on the production topology).
 */
import { CancellationScope, condition, log, proxyActivities } from '@temporalio/workflow';
import type { ProjectActivities, PublishSnapshotInput } from '../../activities/contract';
import type { Patched } from './patches';

const { publishSnapshot } = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1d',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export interface Publisher {
  /** Resolves once the latest change is in the store (a run publishes its final state before it ends). */
  caughtUp(): Promise<void>;
  /** Publishes the current version again (whoever was to store an earlier one could not). */
  again(): void;
}

export function startPublisher(options: {
  version(): number;
  target(seq: number): PublishSnapshotInput;
  patched: Patched;
  /** The version the store has from whoever started the run (the API stores a new project's opening snapshot): not published again. */
  storedByStarter?: number;
}): Publisher {
  const { patched } = options;
  // Runs recorded before publishing existed replay without it.
  if (!patched('snapshot-publishing')) return { caughtUp: async () => undefined, again: () => undefined };
  const withoutWaiting = patched('publish-without-waiting');
  let published = options.storedByStarter ?? 0;
  let inFlight = 0;
  // A day of retries failed: the next change publishes again; `reports:rebuild` repairs.
  const notPublished = (seq: number, err: unknown): void => log.error('snapshot not published', { seq, error: (err as Error).message });
  // Not cancellable: after a Temporal-level cancel the final state still reaches the store.
  void CancellationScope.nonCancellable(async () => {
    for (;;) {
      await condition(() => options.version() > published);
      const seq = options.version();
      if (withoutWaiting) {
        published = seq;
        inFlight += 1;
        // The result only counts for the run's end: it must not move any command of the run.
        publishSnapshot(options.target(seq)).then(
          () => {
            inFlight -= 1;
          },
          (err: unknown) => {
            inFlight -= 1;
            notPublished(seq, err);
          },
        );
        continue;
      }
      try {
        await publishSnapshot(options.target(seq));
      } catch (err) {
        notPublished(seq, err);
      }
      published = seq;
    }
  });
  return {
    caughtUp: () => condition(() => published >= options.version() && inFlight === 0),
    again: () => {
      published = Math.min(published, options.version() - 1);
    },
  };
}
