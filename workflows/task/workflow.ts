/**
 * One department task of a project: a child workflow with its own id and history, so the claims,
 * deliveries and reviews of fifty tasks never crowd the project's history. It waits for its
 * dependencies (the project opens it), is claimed, delivered and reviewed, chases its own due date,
 * and tells the project about every change through one coalesced signal.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RecipientSpec } from '../../activities/contract';
import { createJournal, nowIso } from '../common/journal';
import { createOutbox } from '../common/outbox';
import { patchesFor } from '../common/patches';
import { startPublisher } from '../common/publisher';
import { syncSearchAttributes as syncChangedSearchAttributes } from '../common/search-attribute-sync';
import { businessFailure, ErrorType } from '../errors';
import { taskChangedSignal, type TaskChangedSignal } from '../project/contract';
import { AssigneeIdKey, DueAtKey, ManagerIdKey, OverdueKey, TaskStatusKey } from '../search-attributes';
import type { Actor } from '../shared-schemas';
import {
  cancelTaskSignal,
  claimTaskUpdate,
  getStatusQuery,
  managerChangedSignal,
  moveDueDateUpdate,
  openingTaskView,
  openTaskSignal,
  REPORT_AT_MOST_MS,
  REPORT_QUIET_MS,
  reassignTaskUpdate,
  releaseTaskUpdate,
  reviewTaskUpdate,
  submitTaskUpdate,
  type TaskInput,
  type TaskNoticeView,
  type TaskOutcome,
  type TaskView,
} from './contract';

type DeadlineKind = TaskNoticeView['kind'];
/** A notice to send at `at`, about the date `dueAt` (the task's due date, or when its review was due). */
interface Deadline {
  kind: DeadlineKind;
  at: number;
  dueAt: string;
}
/** Above this size (JSON characters) a publish carries ids only and the activity queries the view. */
const MAX_CARRIED_VIEW_CHARS = 16_000;
const DEADLINE_TEMPLATES = {
  reminder: 'task_deadline_reminder',
  overdue: 'task_overdue',
  escalation: 'task_escalation',
  review_reminder: 'task_review_due',
  review_escalation: 'task_review_escalation',
} as const;

export async function taskWorkflow(input: TaskInput): Promise<TaskOutcome> {
  const { workflowId } = workflowInfo();
  const patched = patchesFor(input.patchBaseline);
  const view: TaskView = openingTaskView(input);
  /** Bumped on every change: wakes the deadline loop so it re-arms for the new state. */
  let changes = 0;
  let cancelRequest: { reason: string } | undefined;
  let opens = 0;
  let reassignments = 0;
  /** Updates handled (people's actions), and how many of them the project and the store have heard of. */
  let actions = 0;
  let actionsReported = 0;

  const journal = createJournal(view.history, { projectId: input.projectId, taskId: view.taskId });
  const { requests } = journal;
  const acting: typeof requests.acting = (handler) =>
    requests.acting((input) => {
      actions += 1;
      return handler(input);
    });
  const record = (event: string, by?: string, detail?: string): void => {
    journal.record(event, by, detail);
    view.version += 1;
  };
  const reportsWhenQuiet = patched('task-reports-when-quiet');
  const outbox = createOutbox({
    keyPrefix: workflowId,
    projectId: input.projectId,
    taskId: view.taskId,
    requestId: () => requests.current(),
    commonData: () => ({
      projectTitle: input.projectTitle,
      clientName: input.clientName,
      taskTitle: view.title,
      department: view.department,
      dueAt: view.dueAt,
      assigneeId: view.assigneeId,
      // Every task mail can name whom to go to (an escalation, work late). Only the activity's
      // input changes: replay compares commands, not their arguments.
      managerId: view.managerId,
    }),
    // Recorded in the task's history rather than holding the task up: the work itself must go on.
    onFailed: (notice, message) => record('notification_failed', undefined, `${notice.template}: ${message}`),
    held: reportsWhenQuiet,
    patched,
  });
  const send = outbox.send;
  /** The version the publisher may publish: every change at once, or (quiet runs) what the process has let go. */
  let released = 0;
  const unreleased = (): boolean => reportsWhenQuiet && released !== view.version;
  const publisher = startPublisher({
    version: () => (reportsWhenQuiet ? released : view.version),
    target: (seq) => ({ kind: 'task', taskId: view.taskId, projectId: input.projectId, seq, ...carriedView() }),
    patched,
  });
  const changed = (): void => {
    refreshOverdue();
    changes += 1;
    view.version += 1;
    syncSearchAttributes();
  };
  const finished = (): boolean => view.status === 'accepted' || view.status === 'cancelled';
  /** Deadlines only matter while the work is not delivered: open or claimed. */
  const workPending = (): boolean => view.status === 'open' || view.status === 'claimed';
  const refreshOverdue = (): void => {
    view.overdue = workPending() && Date.now() >= Date.parse(view.dueAt);
  };

  /** `givenBackBy`: the person who released it hears nothing of it opening again. */
  const open = (givenBackBy?: string): void => {
    opens += 1;
    view.status = 'open';
    view.openedAt ??= nowIso();
    record('opened');
    // Given back, the department reads that it is open again (and from whom), not news of a new task.
    send(
      'task_opened',
      `opened:${opens}`,
      { department: view.department, ...(givenBackBy !== undefined && { exceptPersonIds: [givenBackBy] }) },
      givenBackBy !== undefined ? { givenBackBy } : undefined,
    );
  };

  // Open before any handler is registered: a claim delivered with the start must find it open.
  if (input.startOpen) open();

  // ---------------------------------------------------------------------------------------------
  // Message handlers
  // ---------------------------------------------------------------------------------------------

  setHandler(getStatusQuery, () => view);

  const refuseUnlessActive = (): void => {
    if (view.status === 'cancelled') throw businessFailure(ErrorType.WrongStage, 'the task was cancelled');
    if (view.status === 'accepted') throw businessFailure(ErrorType.AlreadyDone, 'the task was already accepted');
  };
  const refuseUnlessAssignee = (by: Actor): void => {
    if (view.assigneeId !== by.id) {
      throw businessFailure(ErrorType.NotAllowed, `only the assignee (${view.assigneeId ?? 'nobody yet'}) may do this`);
    }
  };
  const refuseUnlessManager = (by: Actor, orLeadership = false): void => {
    if (by.id === view.managerId || (orLeadership && by.role === 'leadership')) return;
    throw businessFailure(ErrorType.NotAllowed, `only the project's manager${orLeadership ? ' or leadership' : ''} may do this`);
  };

  // Updates, not signals: the person acting must learn at once whether the task was theirs to take.
  setHandler(
    claimTaskUpdate,
    acting(({ by }) => {
      // A repeated claim by the holder (a retried request) changes nothing and returns the view.
      if (view.status === 'claimed' && view.assigneeId === by.id) return view;
      view.status = 'claimed';
      view.assigneeId = by.id;
      record('claimed', by.id);
      changed();
      return view;
    }),
    {
      validator: ({ by }) => {
        if (by.role !== 'staff' || by.department !== view.department) {
          throw businessFailure(ErrorType.NotAllowed, `only ${view.department} staff may take this task`);
        }
        refuseUnlessActive();
        if (view.status === 'claimed' && view.assigneeId === by.id) return;
        if (view.status === 'claimed' || view.status === 'submitted') {
          throw businessFailure(ErrorType.TaskAlreadyClaimed, `the task is held by ${view.assigneeId}`);
        }
        if (view.status !== 'open') throw businessFailure(ErrorType.WrongStage, 'the task is waiting for its dependencies');
      },
    },
  );

  setHandler(
    releaseTaskUpdate,
    acting(({ by }) => {
      record('released', by.id);
      view.assigneeId = undefined;
      open(by.id);
      changed();
      return view;
    }),
    {
      validator: ({ by }) => {
        refuseUnlessActive();
        refuseUnlessAssignee(by);
        if (view.status !== 'claimed') throw businessFailure(ErrorType.WrongStage, `the task is ${view.status}, not in work`);
      },
    },
  );

  setHandler(
    submitTaskUpdate,
    acting(({ by, summary, links }) => {
      const at = nowIso();
      view.deliverables.push({ summary, links, submittedAt: at, submittedBy: by.id });
      view.status = 'submitted';
      view.submittedAt = at;
      record('submitted', by.id, summary);
      // The manager reviews from the mail's links too; a delivery after changes says which round it answers.
      send('task_submitted', `submitted:${view.deliverables.length}`, { personIds: [view.managerId] }, {
        summary,
        links: links.join('\n'),
        ...(view.reviewRounds > 0 && { reviewRounds: view.reviewRounds }),
      });
      changed();
      return view;
    }),
    {
      validator: ({ by, summary }) => {
        refuseUnlessActive();
        refuseUnlessAssignee(by);
        if (view.status === 'submitted') throw businessFailure(ErrorType.AlreadyDone, 'the work was already submitted');
        if (view.status !== 'claimed') throw businessFailure(ErrorType.WrongStage, `the task is ${view.status}, not in work`);
        if (summary.trim() === '') throw businessFailure(ErrorType.InvalidInput, 'a summary of the work is required', 'summary');
      },
    },
  );

  setHandler(
    reviewTaskUpdate,
    acting(({ by, decision, comment, dueAt }) => {
      const at = nowIso();
      view.reviews.push({ decision, comment, by: by.id, at });
      if (decision === 'accept') {
        view.status = 'accepted';
        view.acceptedAt = at;
        record('accepted', by.id, comment || undefined);
      } else {
        // The same person reworks it: they know the work and the comments are addressed to them.
        view.status = 'claimed';
        view.reviewRounds += 1;
        record('changes_requested', by.id, comment);
        // The rework's own date, given with the review (requests before it had none): the
        // deadlines re-arm for it, as for a moved due date.
        if (dueAt !== undefined && Date.parse(dueAt) !== Date.parse(view.dueAt)) moveDueDate(dueAt, 'sent back for changes', by.id);
        send('task_changes_requested', `changes:${view.reviewRounds}`, { personIds: [view.assigneeId!] }, { comment });
      }
      changed();
      return view;
    }),
    {
      validator: ({ by, decision, comment, dueAt }) => {
        refuseUnlessManager(by);
        refuseUnlessActive();
        if (view.status !== 'submitted') throw businessFailure(ErrorType.WrongStage, `nothing to review: the task is ${view.status}`);
        if (decision === 'changes_requested' && comment.trim() === '') {
          throw businessFailure(ErrorType.InvalidInput, 'say what must change', 'comment');
        }
        if (dueAt !== undefined) {
          if (decision !== 'changes_requested') throw businessFailure(ErrorType.InvalidInput, 'a new due date goes with changes requested', 'dueAt');
          refuseDueDate(dueAt);
        }
      },
    },
  );

  setHandler(
    reassignTaskUpdate,
    acting(({ by, assigneeId, partOfReassignment }) => {
      if (view.status === 'claimed' && view.assigneeId === assigneeId) return view;
      const from = view.assigneeId;
      reassignments += 1;
      view.status = 'claimed';
      view.assigneeId = assigneeId;
      record('reassigned', by.id, from ? `${from} → ${assigneeId}` : assigneeId);
      // Given with others at once ("reassign all"): that workflow mails both people once for all
      // of them. Runs that took such an update before 2026-12-07 mailed per task.
      if (partOfReassignment !== undefined && patched('reassign-all-one-mail')) {
        changed();
        return view;
      }
      send('task_reassigned', `reassigned:${reassignments}`, { personIds: [assigneeId] }, { previousAssigneeId: from });
      // Whoever held it stops working on it. Runs recorded before told only the new assignee.
      if (from && patched('reassign-tells-previous-assignee')) {
        send('task_unassigned', `unassigned:${reassignments}`, { personIds: [from] }, { previousAssigneeId: from });
      }
      changed();
      return view;
    }),
    {
      validator: ({ by, assigneeId, assigneeDepartment }) => {
        refuseUnlessManager(by, true);
        refuseUnlessActive();
        if (view.status !== 'open' && view.status !== 'claimed') {
          throw businessFailure(ErrorType.WrongStage, `the task is ${view.status}; only open or claimed work can be reassigned`);
        }
        if (assigneeDepartment !== view.department) {
          throw businessFailure(ErrorType.InvalidInput, `${assigneeId} is not in ${view.department}`, 'assigneeId');
        }
      },
    },
  );

  setHandler(
    moveDueDateUpdate,
    acting(({ by, dueAt, reason }) => {
      moveDueDate(dueAt, reason, by.id);
      changed();
      return view;
    }),
    {
      validator: ({ by, dueAt, reason }) => {
        refuseUnlessManager(by);
        refuseUnlessActive();
        refuseDueDate(dueAt);
        if (Date.parse(dueAt) === Date.parse(view.dueAt)) throw businessFailure(ErrorType.AlreadyDone, 'the task is already due then', 'dueAt');
        if (reason.trim() === '') throw businessFailure(ErrorType.InvalidInput, 'give a reason', 'reason');
      },
    },
  );

  function moveDueDate(dueAt: string, reason: string, by: string): void {
    const to = new Date(Date.parse(dueAt)).toISOString();
    view.dueDateChanges.push({ from: view.dueAt, to, reason, by, at: nowIso() });
    record('due_date_moved', by, `${view.dueAt} → ${to}: ${reason}`);
    // A new due date is a new set of deadlines: the loop re-arms, notices are keyed by it.
    view.dueAt = to;
  }

  function refuseDueDate(dueAt: string): void {
    const ms = Date.parse(dueAt);
    if (Number.isNaN(ms)) throw businessFailure(ErrorType.InvalidInput, 'not a date', 'dueAt');
    if (ms <= Date.now()) throw businessFailure(ErrorType.InvalidInput, 'the new due date must be in the future', 'dueAt');
  }

  // Signals from the project: it does not need an answer, and must not wait on a task.
  setHandler(openTaskSignal, () => {
    if (view.status !== 'waiting') return; // a repeated open changes nothing
    open();
    changed();
  });

  // The manager is the project's: a handover moves the reviewing (and the notices) here too.
  setHandler(managerChangedSignal, ({ managerId, by }) => {
    if (finished() || view.managerId === managerId) return;
    const from = view.managerId;
    view.managerId = managerId;
    record('manager_changed', by, `from ${from} to ${managerId}`);
    // A delivery already waiting for review: the manager before was told of it, the new one is now.
    if (view.status === 'submitted') {
      const latest = view.deliverables[view.deliverables.length - 1];
      send('task_submitted', `submitted:${view.deliverables.length}:${managerId}`, { personIds: [managerId] }, {
        summary: latest?.summary ?? '',
        links: (latest?.links ?? []).join('\n'),
        ...(view.reviewRounds > 0 && { reviewRounds: view.reviewRounds }),
        // Why it comes now, long after the delivery (an activity's input: replay does not compare it).
        handedOverFrom: from,
        handedOverBy: by,
        ...(latest && { submittedAt: latest.submittedAt }),
      });
    }
    changed();
  });

  setHandler(cancelTaskSignal, ({ reason }) => {
    if (!finished()) cancelRequest ??= { reason };
  });

  // ---------------------------------------------------------------------------------------------
  // The process
  // ---------------------------------------------------------------------------------------------

  // One loop does everything that talks to the outside (notices, the report to the project,
  // deadline timers), one thing at a time. Handlers only change state and queue notices: so a claim
  // answers in milliseconds, and the order of commands never depends on which of several
  // coroutines woke first — the kind of race that makes a replay disagree with the original run.
  const parent = workflowInfo().parent;
  const projectHandle = parent ? getExternalWorkflowHandle(parent.workflowId, parent.runId) : undefined;
  const summary = (): Omit<TaskChangedSignal, 'at'> => ({
    taskKey: view.taskKey,
    status: view.status,
    ...(view.assigneeId !== undefined && { assigneeId: view.assigneeId }),
    dueAt: view.dueAt,
    reviewRounds: view.reviewRounds,
    ...(view.deliverables.length > 0 && { firstSubmittedAt: view.deliverables[0].submittedAt }),
    ...(view.submittedAt !== undefined && { submittedAt: view.submittedAt }),
    ...(view.acceptedAt !== undefined && { acceptedAt: view.acceptedAt }),
    overdue: view.overdue,
  });
  // The project started us knowing our first status; report only what differs from that.
  let reported = JSON.stringify({ ...summary(), status: input.startOpen ? 'open' : 'waiting', overdue: false });

  // One signal per settled state, not per click: the project's history grows with the work done.
  const reportToProject = async (): Promise<void> => {
    if (!projectHandle) return;
    while (JSON.stringify(summary()) !== reported) {
      const current = summary();
      reported = JSON.stringify(current);
      try {
        await projectHandle.signal(taskChangedSignal, { ...current, at: nowIso() });
      } catch (err) {
        if (isCancellation(err)) throw err;
        // The project closed (or was terminated): nobody is left to tell.
        log.info('could not report to the project', { error: (err as Error).message });
      }
    }
  };

  /**
   * Quiet runs: after people's actions, wait until none has come for REPORT_QUIET_MS (at most
   * REPORT_AT_MOST_MS) before reporting, so a burst of actions costs one report and one publish,
   * made while nobody is acting. The end of the task or a cancellation is reported at once, as is
   * anything else (opening, deadlines): nobody is waiting on an action then.
   */
  const untilQuiet = async (): Promise<void> => {
    const since = Date.now();
    const settles = (): boolean => finished() || cancelRequest !== undefined;
    while (actions !== actionsReported && !settles()) {
      actionsReported = actions;
      const left = REPORT_AT_MOST_MS - (Date.now() - since);
      if (left <= 0) return;
      await condition(() => actions !== actionsReported || settles(), Math.min(REPORT_QUIET_MS, left));
    }
    actionsReported = actions;
  };

  /** Deadline notices not yet sent for the current due date (or the delivery waiting for review), with when each falls due. */
  const pendingDeadlines = (): Deadline[] => {
    if (view.status === 'submitted') return pendingReviewDeadlines();
    if (!workPending()) return [];
    const due = Date.parse(view.dueAt);
    const all: Deadline[] = [
      { kind: 'reminder', at: due - input.reminderLeadMs, dueAt: view.dueAt },
      { kind: 'overdue', at: due, dueAt: view.dueAt },
      { kind: 'escalation', at: due + input.overdueGraceMs, dueAt: view.dueAt },
    ];
    return all.filter(
      (d) =>
        !view.notices.some((n) => n.kind === d.kind && n.dueAt === view.dueAt) &&
        // A reminder after the due date says less than the overdue notice already going out.
        !(d.kind === 'reminder' && Date.now() >= due),
    );
  };

  /**
   * Delivered work waits for the manager: reminded once the policy's time since the delivery has
   * passed, leadership told the grace period later; each once per delivery. Tasks started before
   * reviews were chased have no `reviewSlaMs` and wait, as they were recorded.
   */
  const pendingReviewDeadlines = (): Deadline[] => {
    if (input.reviewSlaMs === undefined || view.submittedAt === undefined) return [];
    const due = Date.parse(view.submittedAt) + input.reviewSlaMs;
    const dueAt = new Date(due).toISOString();
    const all: Deadline[] = [
      { kind: 'review_reminder', at: due, dueAt },
      { kind: 'review_escalation', at: due + input.overdueGraceMs, dueAt },
    ];
    return all.filter((d) => !view.notices.some((n) => n.kind === d.kind && n.dueAt === dueAt));
  };

  const sendDeadlineNotice = ({ kind, dueAt }: Deadline): void => {
    view.notices.push({ kind, dueAt, sentAt: nowIso() });
    const review = kind === 'review_reminder' || kind === 'review_escalation';
    record(review ? kind : `deadline_${kind}`, undefined, dueAt);
    const recipients: RecipientSpec =
      kind === 'reminder'
        ? view.assigneeId
          ? { personIds: [view.assigneeId] }
          : { department: view.department }
        : kind === 'overdue'
          ? // The one holding the work hears it is late, as the manager does.
            { personIds: view.assigneeId ? [view.managerId, view.assigneeId] : [view.managerId] }
          : kind === 'review_reminder'
            ? { personIds: [view.managerId] }
          : { roles: ['leadership'] };
    // Keyed by the date: each notice once per due date, and again after the date is moved (a
    // review's: once per delivery).
    send(
      DEADLINE_TEMPLATES[kind],
      `${kind}:${dueAt}`,
      recipients,
      review ? { reviewDueAt: dueAt, submittedAt: view.submittedAt, managerId: view.managerId } : kind === 'overdue' ? { managerId: view.managerId } : undefined,
    );
  };

  const cancel = (reason: string): void => {
    view.status = 'cancelled';
    view.cancelledAt = nowIso();
    view.cancelReason = reason;
    record('cancelled', undefined, reason);
    if (view.assigneeId) send('task_cancelled', 'cancelled', { personIds: [view.assigneeId] }, { reason });
    changed();
  };

  /** The task's life: wait for the next deadline or the next change, whichever comes first. */
  const runTask = async (): Promise<void> => {
    changed();
    for (;;) {
      // The project first (a signal is quick, the portal shows it), then the mail.
      // Only quiet runs await here: an extra await would move the commands of runs recorded before.
      if (reportsWhenQuiet) await untilQuiet();
      released = view.version;
      outbox.release();
      await reportToProject();
      await outbox.deliverQueued();
      if (outbox.needsProcess() || JSON.stringify(summary()) !== reported || unreleased()) continue; // changed meanwhile
      if (finished()) return;
      if (cancelRequest) {
        cancel(cancelRequest.reason);
        continue;
      }
      const now = Date.now();
      const due = pendingDeadlines().filter((d) => d.at <= now);
      if (due.length > 0) {
        for (const d of due) sendDeadlineNotice(d);
        changed();
        continue;
      }
      const next = pendingDeadlines().reduce<number | undefined>((min, d) => (min === undefined || d.at < min ? d.at : min), undefined);
      const seen = changes;
      const wake = (): boolean => changes !== seen || outbox.needsProcess() || cancelRequest !== undefined || unreleased();
      if (next === undefined) await condition(wake);
      else await condition(wake, Math.max(next - now, 1));
    }
  };

  try {
    await runTask();
    await condition(allHandlersFinished);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The project closed without cancelling us (REQUEST_CANCEL when an operator terminates it):
    // close as cancelled and tell the assignee, outside the cancelled scope.
    if (!finished()) cancel('the project was closed');
  }
  // Every notice out and the final view in the store, also after a Temporal-level cancel.
  await CancellationScope.nonCancellable(async () => {
    await outbox.drained();
    released = view.version;
    await publisher.caughtUp();
  });
  return { taskKey: input.taskKey, status: view.status === 'accepted' ? 'accepted' : 'cancelled', view };

  /**
   * The view itself travels with its publish, so the activity need not query this workflow for it:
   * a query per change cost a worker activation and a server round trip, and a query reaching a
   * worker that has not cached the run is what sets off the SDK bug in the README. Runs recorded
   * before the patch published ids only; an unusually large view (a long timeline) still does.
   */
  function carriedView(): { view?: TaskView } {
    if (!patched('task-publish-carries-view')) return {};
    return JSON.stringify(view).length <= MAX_CARRIED_VIEW_CHARS ? { view } : {};
  }

  // Search attributes (declared last: they serve the process above, they are not part of it).
  function syncSearchAttributes(): void {
    syncChangedSearchAttributes([
      { key: TaskStatusKey, value: view.status },
      { key: AssigneeIdKey, value: view.assigneeId ?? null },
      { key: DueAtKey, value: new Date(Date.parse(view.dueAt)) },
      { key: OverdueKey, value: view.overdue },
      { key: ManagerIdKey, value: view.managerId },
    ]);
  }
}
