/**
 * Notices for the people of a project, sent through the `notify` activity. Shared by the project
 * and task workflows, which differ only in the ids and the data every notice of theirs carries.
 *
 * Two ways out, chosen once per run:
 * - **own path** (every run since the `notices-own-path` patch): each notice is handed to its own
 *   activity the moment it is queued — from the handler or step that caused it — and retried while
 *   the mail server is down (for up to three days). Nothing waits for it: opening tasks, deadlines
 *   and a cancellation go on whatever the mail server does. The run ends once every notice is out.
 * - **inline** (runs recorded before that patch): the process delivers the queue itself whenever
 *   it waits, giving a notice up after ten tries. Kept so those histories replay as they ran.
 *
 * A run may also hold its own-path notices until its process lets them go (`held`, `release`): a
 * task's notices wait until people stop acting on it for a moment, like its report and publish.
 *
 * Commands are only ever issued from the code that queues or releases a notice, never from a
 * callback of another activity, so their order is the same when a run is replayed.
 */
import { CancellationScope, condition, isCancellation, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { NotifyInput, ProjectActivities, RecipientSpec } from '../../activities/contract';
import type { Patched } from './patches';

const inline = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

// One attempt mails each recipient in turn and heartbeats between them, so a slow mail server
// (tens of seconds per message) never makes Temporal start a second attempt while the first is
// still talking to it: a second copy could reach whoever the first was mailing. A dead worker
// is noticed by the missing heartbeat and its attempt retried elsewhere; the sent-log skips whoever
// was already reached. While one message is being sent the activity keeps heartbeating (every
// 10 s), and it stops itself before its own timeouts run out; the SMTP client's timeouts apply
// per step of the conversation (activities/mail/mailer.ts), so a server that accepts slowly is
// waited for rather than retried into a second copy.
export const NOTICE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1h',
  heartbeatTimeout: '90s',
  scheduleToCloseTimeout: '3d',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' },
};
const ownPath = proxyActivities<ProjectActivities>(NOTICE_ACTIVITY_OPTIONS);

export interface OutboxOptions {
  /** Prefix of every idempotency key: the workflow id, so keys never collide across workflows. */
  keyPrefix: string;
  projectId: string;
  taskId?: string;
  /** The request whose handler is running (for the activity's log line). */
  requestId(): string | undefined;
  /** Data every notice of this workflow carries (titles, names...), under the notice's own data. */
  commonData(): NotifyInput['data'];
  /** A notice given up on: the workflow records it where people can see it. */
  onFailed(notice: NotifyInput, message: string): void;
  /** Own-path notices wait for `release()` instead of going at once. */
  held?: boolean;
  /** The run's `patched` (workflows/common/patches.ts). */
  patched: Patched;
}

export interface Outbox {
  send(template: NotifyInput['template'], key: string, recipients: RecipientSpec, data?: NotifyInput['data']): void;
  /** True while the process must wake to deliver (inline runs) or release (held notices). */
  needsProcess(): boolean;
  /** Hands every held notice to its activity. */
  release(): void;
  /** Inline runs: delivers the queued notices in order (a Temporal cancel is rethrown). Own path: nothing to do. */
  deliverQueued(): Promise<void>;
  /** Resolves once every notice queued so far is delivered or given up (the run may then end). */
  drained(): Promise<void>;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const queue: NotifyInput[] = [];
  const held: NotifyInput[] = [];
  const ownPathRun = options.patched('notices-own-path');
  let inFlight = 0;

  const deliverFirstInline = async (): Promise<void> => {
    const next = queue[0];
    try {
      await inline.notify(next);
    } catch (err) {
      if (isCancellation(err)) throw err;
      options.onFailed(next, (err as Error).message);
    }
    queue.shift();
  };

  const dispatch = (notice: NotifyInput): void => {
    inFlight += 1;
    // Not cancellable: after a Temporal-level cancel the cancellation's own notices still go out.
    CancellationScope.nonCancellable(() => ownPath.notify(notice)).then(
      () => {
        inFlight -= 1;
      },
      (err: unknown) => {
        inFlight -= 1;
        options.onFailed(notice, (err as Error).message);
      },
    );
  };

  const release = (): void => {
    for (const notice of held.splice(0)) dispatch(notice);
  };

  return {
    send(template, key, recipients, data = {}) {
      const requestId = options.requestId();
      const notice: NotifyInput = {
        idempotencyKey: `${options.keyPrefix}:${key}`,
        template,
        recipients,
        projectId: options.projectId,
        ...(options.taskId !== undefined && { taskId: options.taskId }),
        ...(requestId !== undefined && { requestId }),
        data: { ...options.commonData(), ...data },
      };
      if (!ownPathRun) queue.push(notice);
      else if (options.held) held.push(notice);
      else dispatch(notice);
    },
    needsProcess: () => queue.length > 0 || held.length > 0,
    release,
    async deliverQueued() {
      while (queue.length > 0) await deliverFirstInline();
    },
    async drained() {
      release();
      while (queue.length > 0) await deliverFirstInline();
      await condition(() => inFlight === 0);
    },
  };
}
