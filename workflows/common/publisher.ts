/**
 * Publishes the workflow's snapshot to the reporting store whenever it changes, so people can read
 * their projects and inboxes (and leadership its reports) without asking a worker, and after
 * Temporal's retention has deleted a finished run.
 *
 * A local activity, on purpose: its input never enters the history (a 200-task plan costs one
 * small marker event, not a copy of the plan), and it runs inside the workflow task that made the
 * change, so by the time an update's caller gets its answer the store already holds the new state.
 * The store keeps the highest `seq` it has seen, so retries, replays and racing workers are harmless.
 * While the store is down, the local activity is retried with growing pauses (by Temporal).
 *
 * `publishIfChanged` is called at fixed points — at the end of every handler and before every
 * wait of the process — and never from a callback of a local activity: a local activity resolves
 * at a different moment when a run is replayed, so a command issued in reaction to one could come
 * out in another order on replay and break the run.
 */
import { condition, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { ProjectActivities, PublishSnapshotInput } from '../../activities/contract';

const { publishSnapshot } = proxyLocalActivities<ProjectActivities>({
  startToCloseTimeout: '10s',
  scheduleToCloseTimeout: '1d',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' },
});

export interface Publisher {
  /** Hands the current snapshot to the store when it changed since the last one handed over. */
  publishIfChanged(): void;
  /** Resolves once the latest change is in the store (a run publishes its final state before it ends). */
  caughtUp(): Promise<void>;
}

export function createPublisher(options: { version(): number; snapshot(seq: number): PublishSnapshotInput }): Publisher {
  // Runs recorded before publishing existed replay without it.
  if (!patched('publish-snapshots')) return { publishIfChanged: () => undefined, caughtUp: async () => undefined };
  /** The newest seq given to a local activity, and the newest the store confirmed. */
  let handedOver = 0;
  let stored = 0;
  let failures = 0;
  const publishIfChanged = (): void => {
    const seq = options.version();
    if (seq <= handedOver) return;
    handedOver = seq;
    publishSnapshot(options.snapshot(seq)).then(
      () => {
        stored = Math.max(stored, seq);
      },
      () => {
        // Given up (a day of retries, or cancelled with its scope): the next fixed point hands the
        // latest snapshot over again. State only — no command from here (see above).
        failures += 1;
        if (handedOver === seq) handedOver = stored;
      },
    );
  };
  return {
    publishIfChanged,
    async caughtUp() {
      for (;;) {
        publishIfChanged();
        if (stored >= options.version()) return;
        const seenFailures = failures;
        await condition(() => stored >= options.version() || failures !== seenFailures);
      }
    },
  };
}
