/**
 * The state one project run carries, and the few moves every part of it makes: record an event,
 * say that something changed, enter a stage, queue a notice, and wait — for a fact, or until a
 * deadline — while stopping as soon as the project is cancelled. The story (workflow.ts), the
 * message handlers (handlers.ts), the departments' work (production.ts) and the money
 * (billing.ts) all work on this one context.
 */
import { condition, workflowInfo, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { RecipientSpec } from '../../activities/contract';
import { createJournal, nowIso, type Journal } from '../common/journal';
import { createOutbox, type Outbox } from '../common/outbox';
import { patchesFor, starterStoresOpening, type Patched } from '../common/patches';
import { startPublisher, type Publisher } from '../common/publisher';
import { syncSearchAttributes } from '../common/search-attribute-sync';
import type { Actor } from '../shared-schemas';
import type { TaskInput } from '../task/contract';
import type { taskWorkflow } from '../task/workflow';
import type { ProjectInput, ProjectStage, ProjectStatus, TaskSummary } from './contract';
import { openingStatus, projectSearchAttributes } from './state';

/** Thrown out of any wait once the project is cancelled; the process turns to `cancelProject`. */
export class ProjectCancelled extends Error {}

export interface TaskRuntime {
  input: TaskInput;
  summary: TaskSummary;
  handle?: ChildWorkflowHandle<typeof taskWorkflow>;
  /** The child asked to open (all dependencies accepted). */
  openSent: boolean;
  /** The child workflow ended (accepted or cancelled), or was never started. */
  closed: boolean;
}

export interface ProjectContext {
  readonly input: ProjectInput;
  /** The run's `patched` (workflows/common/patches.ts): the SDK's, or all of its baseline's at once. */
  readonly patched: Patched;
  readonly workflowId: string;
  readonly startTime: Date;
  readonly status: ProjectStatus;
  readonly tasks: Map<string, TaskRuntime>;
  readonly journal: Journal;
  readonly outbox: Outbox;
  readonly publisher: Publisher;
  readonly manager: RecipientSpec;
  readonly leadership: RecipientSpec;
  readonly client: RecipientSpec;
  /** Bumped by every change the process waits on: task reports, payments, complaints. */
  changes: number;
  cancelRequest?: { reason: string; by: string };
  /** True once the process has turned to cancelling: its own documents and invoice go ahead. */
  cancelling: boolean;
  clientDecision?: 'accepted' | 'revisions_requested';
  /**
   * The final invoice is out (or nothing was left to bill): a compensation agreed from now on is
   * given back as a credit note, not taken off the final invoice.
   */
  finalBilled: boolean;
  /** Payment notices already sent (`reminder:<number>`, `escalation:<number>`). */
  readonly chased: Set<string>;
  /**
   * A wait wakes when a complaint is recorded, so its follow-up is timed even where nothing else
   * would wake the wait (patch `complaint-wakes-wait`, asked as a complaint is recorded).
   */
  followsUpComplaints: boolean;
  /** A completed project's complaint window has ended: its workflow is about to end. */
  complaintWindowOver: boolean;
  /**
   * This run carries on a completed project whose workflow had ended, to hear a complaint made
   * after its window (`input.reopenedFrom`); it ends once that is settled.
   */
  readonly reopened: boolean;

  record(event: string, by?: string, detail?: string, at?: string): void;
  /** Something the process may wait on changed: wake it, keep the search attributes current. */
  changed(): void;
  enterStage(stage: ProjectStage): void;
  send: Outbox['send'];
  syncSearchAttributes(): void;
  /**
   * Waits for `done` (true) or `ms` (false); throws ProjectCancelled once the project is cancelled,
   * unless `stopOnCancel` is false (the cancelled project settling its invoices).
   */
  wait(done: () => boolean, options?: { ms?: number; stopOnCancel?: boolean }): Promise<boolean>;
  /** Waits for `done`, or throws ProjectCancelled once the project is cancelled. */
  until(done: () => boolean): Promise<void>;
  /** Like `until`, but gives up after `ms`: true when `done` came first. */
  untilOr(done: () => boolean, ms: number): Promise<boolean>;
  /**
   * Run before every wait of the process: each may act (send a reminder now due) and returns when
   * it next needs to (undefined: never). Registered by the parts that chase deadlines.
   */
  readonly waitHooks: (() => number | undefined)[];
  /** Before a step with effects (documents, invoices, task starts): stop if cancelled meanwhile. */
  proceed(): void;
  /** Wraps an update handler: the acting request is known while it runs. */
  acting<A extends { by: Pick<Actor, 'requestId'> }, R>(handler: (input: A) => R): (input: A) => R;
}

export function createProjectContext(input: ProjectInput): ProjectContext {
  const { workflowId, startTime } = workflowInfo();
  // The response-time clock starts when the request reached us, not when a worker picked it up.
  // A completed project run again for a late complaint goes on from where its last run ended.
  const status = input.reopenedFrom ?? openingStatus(input, input.receivedAt ?? startTime.toISOString());
  const journal = createJournal(status.timeline, { projectId: input.projectId });
  const patched = patchesFor(input.patchBaseline);
  const outbox = createOutbox({
    keyPrefix: workflowId,
    projectId: input.projectId,
    requestId: () => journal.requests.current(),
    commonData: () => ({ projectTitle: input.title, clientName: input.client.name, managerId: status.managerId }),
    onFailed: (notice, message) => ctx.record('notification_failed', undefined, `${notice.template}: ${message}`),
    patched,
  });

  const publisher = startPublisher({
    version: () => status.version,
    target: (seq) => ({ kind: 'project', projectId: input.projectId, seq }),
    patched,
    ...(starterStoresOpening(input.patchBaseline) && { storedByStarter: status.version }),
  });

  const ctx: ProjectContext = {
    input,
    patched,
    workflowId,
    startTime,
    status,
    tasks: new Map(),
    journal,
    outbox,
    publisher,
    manager: { personIds: [input.managerId] },
    leadership: { roles: ['leadership'] },
    client: { emails: [input.client.email] },
    changes: 0,
    cancelling: false,
    // A reopened project was accepted by its client and billed in full by its last run.
    ...(input.reopenedFrom && { clientDecision: 'accepted' as const }),
    finalBilled: input.reopenedFrom !== undefined,
    chased: new Set(),
    followsUpComplaints: false,
    complaintWindowOver: false,
    reopened: input.reopenedFrom !== undefined,
    waitHooks: [],

    record(event, by, detail, at) {
      journal.record(event, by, detail, at);
      status.version += 1;
    },
    changed() {
      ctx.changes += 1;
      status.version += 1;
      ctx.syncSearchAttributes();
    },
    enterStage(stage) {
      if (status.stage === stage) return;
      status.stage = stage;
      status.stageEnteredAt = nowIso();
      ctx.record(`stage_${stage}`);
      ctx.changed();
    },
    send: (template, key, recipients, data) => outbox.send(template, key, recipients, data),
    syncSearchAttributes: () => syncSearchAttributes(projectSearchAttributes(status)),

    // Every wait of the process goes through `wait`: before waiting it keeps the search attributes
    // and the store current, lets the wait hooks act (payment reminders fall due while the process
    // waits on anything else), and wakes for the earliest hook's next moment.
    async wait(done, options = {}) {
      const stopOnCancel = options.stopOnCancel ?? true;
      const deadline = options.ms === undefined ? undefined : Date.now() + options.ms;
      const cancelled = (): boolean => stopOnCancel && ctx.cancelRequest !== undefined;
      for (;;) {
        await outbox.deliverQueued();
        ctx.syncSearchAttributes();
        if (done() || cancelled() || (deadline !== undefined && deadline - Date.now() <= 0)) break;
        const wakeAt = [deadline, ...ctx.waitHooks.map((hook) => hook())].reduce<number | undefined>(
          (min, at) => (at === undefined ? min : min === undefined ? at : Math.min(min, at)),
          undefined,
        );
        const complaintsBefore = status.complaints.length;
        const wake = (): boolean =>
          done() || cancelled() || outbox.needsProcess() || (ctx.followsUpComplaints && status.complaints.length !== complaintsBefore);
        if (wakeAt === undefined) await condition(wake);
        else await condition(wake, Math.max(1, wakeAt - Date.now()));
      }
      if (cancelled()) throw new ProjectCancelled();
      return done();
    },
    async until(done) {
      await ctx.wait(done);
    },
    untilOr: (done, ms) => ctx.wait(done, { ms }),
    proceed() {
      if (ctx.cancelRequest && !ctx.cancelling) throw new ProjectCancelled();
    },
    acting: (handler) => journal.requests.acting(handler),
  };
  return ctx;
}
