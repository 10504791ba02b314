/**
 * Notices queued by handlers and timers and delivered one at a time through the `notify`
 * activity. Handlers only queue (no update ever waits on a mail server); the workflow's process
 * hands the queue over. Shared by the project and task workflows, which differ only in the ids
 * and the data every notice of theirs carries.
 */
import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { NotifyInput, ProjectActivities, RecipientSpec } from '../../activities/contract';

// A notice that still fails after ten tries is recorded instead of holding the work up.
const { notify } = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

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
}

export interface Outbox {
  send(template: NotifyInput['template'], key: string, recipients: RecipientSpec, data?: NotifyInput['data']): void;
  /** True while notices wait to be delivered. */
  hasQueued(): boolean;
  /** Delivers the queued notices in order (a Temporal cancel of the scope is rethrown). */
  deliverQueued(): Promise<void>;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const queue: NotifyInput[] = [];
  return {
    send(template, key, recipients, data = {}) {
      const requestId = options.requestId();
      queue.push({
        idempotencyKey: `${options.keyPrefix}:${key}`,
        template,
        recipients,
        projectId: options.projectId,
        ...(options.taskId !== undefined && { taskId: options.taskId }),
        ...(requestId !== undefined && { requestId }),
        data: { ...options.commonData(), ...data },
      });
    },
    hasQueued: () => queue.length > 0,
    async deliverQueued() {
      while (queue.length > 0) {
        const next = queue[0];
        try {
          await notify(next);
        } catch (err) {
          if (isCancellation(err)) throw err;
          options.onFailed(next, (err as Error).message);
        }
        queue.shift();
      }
    },
  };
}
