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
 * And a step whose own notices must not overtake the one that announces it (a cancellation: its
 * voided and settling invoices go to the client after "your project is cancelled", not before)
 * holds them back (`holdBack`) until that announcement is out (`sendFirst`).
 *
 * Commands are issued from the code that queues or releases a notice, and — for notices held back
 * behind an announcement — when that announcement's activity completes: the same points in the
 * same order when a run is replayed.
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
  /** Own path: notices sent from now on wait for the next `sendFirst` (inline runs: nothing changes). */
  holdBack(): void;
  /** Sends this notice now, and those held back since `holdBack` once it is out (or given up). */
  sendFirst(template: NotifyInput['template'], key: string, recipients: RecipientSpec, data?: NotifyInput['data']): void;
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
  /** Notices held back behind an announcement not sent yet (`holdBack`), and those waiting behind one sent. */
  let heldBack: NotifyInput[] | undefined;
  let waitingBehind = 0;

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

  /** Resolves once the notice is out or given up. */
  const dispatch = (notice: NotifyInput): Promise<void> => {
    inFlight += 1;
    // Not cancellable: after a Temporal-level cancel the cancellation's own notices still go out.
    return CancellationScope.nonCancellable(() => ownPath.notify(notice)).then(
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
    for (const notice of held.splice(0)) void dispatch(notice);
  };

  /** The notices held back, handed to their activities once `first` is out. */
  const sendBehind = (first: Promise<void>, behind: NotifyInput[]): void => {
    waitingBehind += behind.length;
    void first.then(() => {
      waitingBehind -= behind.length;
      for (const notice of behind) void dispatch(notice);
    });
  };

  const noticeOf = (template: NotifyInput['template'], key: string, recipients: RecipientSpec, data: NotifyInput['data']): NotifyInput => {
    const requestId = options.requestId();
    return {
      idempotencyKey: `${options.keyPrefix}:${key}`,
      template,
      recipients,
      projectId: options.projectId,
      ...(options.taskId !== undefined && { taskId: options.taskId }),
      ...(requestId !== undefined && { requestId }),
      data: { ...options.commonData(), ...data },
    };
  };

  const send: Outbox['send'] = (template, key, recipients, data = {}) => {
    const notice = noticeOf(template, key, recipients, data);
    if (!ownPathRun) queue.push(notice);
    else if (options.held) held.push(notice);
    else if (heldBack) heldBack.push(notice);
    else void dispatch(notice);
  };

  return {
    send,
    needsProcess: () => queue.length > 0 || held.length > 0,
    release,
    holdBack() {
      if (ownPathRun && !options.held) heldBack ??= [];
    },
    sendFirst(template, key, recipients, data = {}) {
      const behind = heldBack;
      heldBack = undefined;
      if (!behind) return send(template, key, recipients, data);
      sendBehind(dispatch(noticeOf(template, key, recipients, data)), behind);
    },
    async deliverQueued() {
      while (queue.length > 0) await deliverFirstInline();
    },
    async drained() {
      release();
      // Held back behind an announcement that never came (the step failed before it): they go now.
      if (heldBack) sendBehind(Promise.resolve(), heldBack.splice(0));
      heldBack = undefined;
      while (queue.length > 0) await deliverFirstInline();
      await condition(() => inFlight === 0 && waitingBehind === 0);
    },
  };
}
