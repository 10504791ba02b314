/**
 * One client project, from the request to the final report: plan, approval, production by the
 * departments (one child workflow per task), the client's response, payment and the paperwork.
 * The snapshot served by `getStatus` is the single source of truth for the portal.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  patched,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { requestTracker } from '../acting';
import type { InvoiceContent, InvoiceLine, NotifyInput, ProjectActivities, RecipientSpec } from '../../activities/contract';
import { businessFailure, ErrorType } from '../errors';
import { fromCents, percentOf, toCents } from '../money';
import {
  changedSearchAttributes,
  DepartmentKey,
  DueAtKey,
  ManagerIdKey,
  OverdueKey,
  ProjectIdKey,
  TaskStatusKey,
} from '../search-attributes';
import type { Actor } from '../shared-schemas';
import type { RecordFeedbackInput } from './schemas';
import {
  cancelTaskSignal,
  openTaskSignal,
  taskId,
  taskWorkflowId,
  TASK_WORKFLOW_TYPE,
  type TaskInput,
  type TaskOutcome,
} from '../task/contract';
import type { taskWorkflow } from '../task/workflow';
import {
  cancelProjectUpdate,
  decidePlanUpdate,
  getStatusQuery,
  recordFeedbackUpdate,
  recordPaymentUpdate,
  resolveComplaintUpdate,
  submitPlanUpdate,
  taskChangedSignal,
  type DocumentKind,
  type DocumentRef,
  type InvoiceKind,
  type InvoiceView,
  type ProjectInput,
  type ProjectStage,
  type ProjectStatus,
  type TaskSummary,
} from './contract';
import { checkPlan } from './plan-rules';
import {
  applyTaskChange,
  approvedPlan,
  cancellationInvoiceContent,
  finalInvoiceContent,
  hasOpenComplaint,
  initialStatus,
  owedCents,
  planTotal,
  projectSearchAttributes,
  summaryFor,
  taskInputFor,
} from './state';

// ---------------------------------------------------------------------------------------------
// Activities and limits
// ---------------------------------------------------------------------------------------------

// A notice that still fails after ten tries goes to the timeline instead of stopping the project.
const { notify } = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

// Contracts, invoices and their numbers the business cannot go on without: retried until they
// succeed (an operator sees the failing activity), never skipped.
const { allocateInvoiceNumber, produceDocument } = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** Children started at once: a 200-task plan starts in waves rather than 200 commands in one task. */
const CHILD_START_WAVE = 50;

/** Thrown out of any wait once the project is cancelled; the process turns to `cancelProject`. */
class ProjectCancelled extends Error {}

interface TaskRuntime {
  input: TaskInput;
  summary: TaskSummary;
  handle?: ChildWorkflowHandle<typeof taskWorkflow>;
  /** The child asked to open (all dependencies accepted). */
  openSent: boolean;
  /** The child workflow ended (accepted or cancelled), or was never started. */
  closed: boolean;
}

export async function projectWorkflow(input: ProjectInput): Promise<ProjectStatus> {
  const { workflowId, startTime } = workflowInfo();
  const nowIso = (): string => new Date(Date.now()).toISOString();
  // The response-time clock starts when the request reached us, not when a worker picked it up.
  const status = initialStatus(input, startTime.toISOString());
  const tasks = new Map<string, TaskRuntime>();
  const outbox: NotifyInput[] = [];
  /** Bumped by every change the process waits on: task reports, payments, complaints. */
  let changes = 0;
  let cancelRequest: { reason: string; by: string } | undefined;
  /** True once the process has turned to cancelling: its own documents and invoice go ahead. */
  let cancelling = false;
  let clientDecision: 'accepted' | 'revisions_requested' | undefined;
  const chased = new Set<string>();

  const requests = requestTracker();
  const record = (event: string, by?: string, detail?: string, at = nowIso()): void => {
    status.timeline.push({ at, event, ...(detail !== undefined && { detail }), ...(by !== undefined && { by }) });
    log.info(event, { projectId: input.projectId, by, detail, requestId: requests.current() });
  };
  const changed = (): void => {
    changes += 1;
    syncSearchAttributes();
  };
  const enterStage = (stage: ProjectStage): void => {
    if (status.stage === stage) return;
    status.stage = stage;
    status.stageEnteredAt = nowIso();
    record(`stage_${stage}`);
    changed();
  };
  const send = (template: NotifyInput['template'], key: string, recipients: RecipientSpec, data: NotifyInput['data'] = {}): void => {
    outbox.push({
      idempotencyKey: `${workflowId}:${key}`,
      template,
      recipients,
      projectId: input.projectId,
      ...(requests.current() !== undefined && { requestId: requests.current() }),
      data: { projectTitle: input.title, clientName: input.client.name, managerId: input.managerId, ...data },
    });
  };
  // Intake is recorded (initialStatus); planning starts at once, before any handler can run: an
  // update delivered with the start is dispatched as soon as its handler is registered.
  enterStage('planning');

  const manager: RecipientSpec = { personIds: [input.managerId] };
  const leadership: RecipientSpec = { roles: ['leadership'] };
  const client: RecipientSpec = { emails: [input.client.email] };

  // ---------------------------------------------------------------------------------------------
  // Message handlers. Validators refuse before anything is written to history; handlers record
  // the event and return the new snapshot. Slow effects (mail) are queued, not awaited.
  // ---------------------------------------------------------------------------------------------

  setHandler(getStatusQuery, () => status);

  const refuseUnless = (allowed: boolean, who: string): void => {
    if (!allowed) throw businessFailure(ErrorType.NotAllowed, `only ${who} may do this`);
  };
  const isManager = (by: Actor): boolean => by.id === input.managerId;
  const isLeadership = (by: Actor): boolean => by.role === 'leadership';
  const refuseIfClosing = (): void => {
    if (status.stage === 'completed' || status.stage === 'cancelled' || cancelRequest) {
      throw businessFailure(ErrorType.WrongStage, `the project is ${cancelRequest ? 'being cancelled' : status.stage}`);
    }
  };
  const refuseUnlessStage = (stage: ProjectStage): void => {
    refuseIfClosing();
    if (status.stage !== stage) {
      throw businessFailure(ErrorType.WrongStage, `the project is in ${status.stage}, not ${stage}`);
    }
  };

  setHandler(
    submitPlanUpdate,
    requests.acting(({ by, tasks: planTasks, prepaymentPercent, includedRevisionRounds }) => {
      const version = status.plans.length + 1;
      const at = nowIso();
      status.plans.push({
        version,
        submittedAt: at,
        submittedBy: by.id,
        tasks: planTasks,
        prepaymentPercent,
        includedRevisionRounds,
        total: planTotal(planTasks),
      });
      if (status.firstPlanAt === undefined) {
        // The manager's response time: from the client's request to the first proposal.
        status.firstPlanAt = at;
        status.responseTimeMs = Date.now() - startTime.getTime();
      }
      status.pendingPlanVersion = version;
      record('plan_submitted', by.id, `version ${version}, ${planTasks.length} tasks, total ${planTotal(planTasks)}`);
      enterStage('awaiting_approval');
      send('plan_waiting', `plan-waiting:v${version}`, leadership, { planVersion: version, total: planTotal(planTasks) });
      changed();
      return status;
    }),
    {
      validator: (plan) => {
        refuseUnless(isManager(plan.by), "the project's manager");
        refuseIfClosing();
        if (status.stage === 'awaiting_approval') {
          throw businessFailure(ErrorType.WrongStage, `plan version ${status.pendingPlanVersion} is waiting for a decision`);
        }
        refuseUnlessStage('planning');
        // The API ran the same rules; this is the last word, with workflow time as "now".
        const problems = checkPlan(plan, Date.now());
        if (problems.length > 0) {
          throw businessFailure(
            ErrorType.InvalidInput,
            problems.map((p) => `${p.field}: ${p.message}`).join('; '),
            problems.map((p) => ({ field: p.field, message: p.message })),
          );
        }
      },
    },
  );

  setHandler(
    decidePlanUpdate,
    requests.acting(({ by, planVersion, decision, comment }) => {
      const plan = status.plans.find((p) => p.version === planVersion)!;
      plan.decision = { decision, comment, by: by.id, at: nowIso() };
      status.pendingPlanVersion = undefined;
      if (decision === 'approve') {
        status.approvedPlanVersion = planVersion;
        status.lastRejectionComment = undefined;
        record('plan_approved', by.id, `version ${planVersion}${comment ? `: ${comment}` : ''}`);
        enterStage('in_production');
      } else {
        status.lastRejectionComment = comment;
        record('plan_rejected', by.id, `version ${planVersion}: ${comment}`);
        enterStage('planning');
      }
      send('plan_decided', `plan-decided:v${planVersion}`, manager, { planVersion, decision, comment });
      changed();
      return status;
    }),
    {
      validator: ({ by, planVersion, decision, comment }) => {
        refuseUnless(isLeadership(by), 'leadership');
        refuseIfClosing();
        const plan = status.plans.find((p) => p.version === planVersion);
        if (plan?.decision) {
          throw businessFailure(ErrorType.AlreadyDone, `plan version ${planVersion} was already ${plan.decision.decision}d`, 'planVersion');
        }
        if (!plan || planVersion !== status.pendingPlanVersion) {
          throw businessFailure(
            ErrorType.StalePlanVersion,
            `plan version ${planVersion} is not the one awaiting a decision (${status.pendingPlanVersion ?? 'none'})`,
            'planVersion',
          );
        }
        if (decision === 'reject' && comment.trim() === '') {
          throw businessFailure(ErrorType.InvalidInput, 'say why the plan goes back', 'comment');
        }
      },
    },
  );

  setHandler(
    recordFeedbackUpdate,
    requests.acting(({ by, feedback }: RecordFeedbackInput) => {
      const at = nowIso();
      if (feedback.kind === 'accepted') {
        status.feedback.push({ at, kind: 'accepted', rating: feedback.rating, comment: feedback.comment, recordedBy: by.id });
        record('client_accepted', by.id, `rating ${feedback.rating}${feedback.comment ? `: ${feedback.comment}` : ''}`);
        clientDecision = 'accepted';
        enterStage('invoicing');
      } else if (feedback.kind === 'revisions_requested') {
        const round = status.revisionRoundsUsed + 1;
        const beyondIncluded = round > approvedPlan(status).includedRevisionRounds;
        const departments = [...new Set(feedback.departments)];
        const inputs = departments.map((department) =>
          taskInputFor(
            status,
            {
              key: `rev${round}-${department}`,
              department,
              title: `Revision ${round} (${department})`,
              description: feedback.description,
              estimateHours: 1,
              dueAt: new Date(Date.parse(feedback.dueAt)).toISOString(),
              price: 0,
              dependsOn: [],
            },
            { startOpen: true, revisionRound: round },
          ),
        );
        status.revisionRoundsUsed = round;
        status.revisions.push({
          round,
          description: feedback.description,
          departments,
          requestedAt: at,
          beyondIncluded,
          extraPrice: beyondIncluded ? (feedback.extraPrice ?? 0) : 0,
          taskIds: inputs.map((i) => taskId(i.projectId, i.taskKey)),
        });
        status.feedback.push({ at, kind: 'revisions_requested', description: feedback.description, recordedBy: by.id });
        // The tasks show in the snapshot at once; the process starts their workflows.
        for (const taskInput of inputs) addTask(taskInput);
        record('revisions_requested', by.id, `round ${round}${beyondIncluded ? ` (extra ${feedback.extraPrice ?? 0})` : ''}: ${feedback.description}`);
        clientDecision = 'revisions_requested';
        enterStage('in_production');
      } else {
        const complaintId = `c${status.complaints.length + 1}`;
        status.complaints.push({ complaintId, description: feedback.description, at, recordedBy: by.id });
        status.feedback.push({ at, kind: 'complaint', description: feedback.description, recordedBy: by.id });
        record('complaint_filed', by.id, `${complaintId}: ${feedback.description}`);
        send('complaint_filed', `complaint:${complaintId}`, leadership, { complaintId, description: feedback.description });
      }
      changed();
      return status;
    }),
    {
      validator: ({ by, feedback }) => {
        refuseUnless(isManager(by), "the project's manager");
        refuseUnlessStage('client_review');
        if (feedback.kind === 'accepted' && !(Number.isInteger(feedback.rating) && feedback.rating >= 1 && feedback.rating <= 5)) {
          throw businessFailure(ErrorType.InvalidInput, 'rating is 1 to 5', 'rating');
        }
        if (feedback.kind === 'revisions_requested') {
          const due = Date.parse(feedback.dueAt);
          if (Number.isNaN(due) || due <= Date.now()) {
            throw businessFailure(ErrorType.InvalidInput, 'the revision must be due in the future', 'dueAt');
          }
          const round = status.revisionRoundsUsed + 1;
          const included = approvedPlan(status).includedRevisionRounds;
          if (round > included && feedback.extraPrice === undefined) {
            throw businessFailure(
              ErrorType.InvalidInput,
              `round ${round} is beyond the ${included} included in the plan: give the extra price the client agreed`,
              'extraPrice',
            );
          }
          if (round <= included && (feedback.extraPrice ?? 0) > 0) {
            throw businessFailure(ErrorType.InvalidInput, `round ${round} is included in the plan: no extra price`, 'extraPrice');
          }
        }
      },
    },
  );

  setHandler(
    resolveComplaintUpdate,
    requests.acting(({ by, complaintId, resolution }) => {
      const complaint = status.complaints.find((c) => c.complaintId === complaintId)!;
      complaint.resolution = resolution;
      complaint.resolvedAt = nowIso();
      complaint.resolvedBy = by.id;
      record('complaint_resolved', by.id, `${complaintId}: ${resolution}`);
      changed();
      return status;
    }),
    {
      validator: ({ by, complaintId, resolution }) => {
        refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership");
        // A cancelled project still takes the payment of what it billed for accepted work.
        if (status.stage === 'completed' || (status.stage === 'cancelled' && status.invoices.every((i) => i.paid))) {
          throw businessFailure(ErrorType.WrongStage, `the project is ${status.stage}`);
        }
        const complaint = status.complaints.find((c) => c.complaintId === complaintId);
        if (!complaint) throw businessFailure(ErrorType.NotFound, `no complaint ${complaintId}`, 'complaintId');
        if (complaint.resolvedAt) throw businessFailure(ErrorType.AlreadyDone, `complaint ${complaintId} is already resolved`, 'complaintId');
        if (resolution.trim() === '') throw businessFailure(ErrorType.InvalidInput, 'describe the resolution', 'resolution');
      },
    },
  );

  const paymentRecorded = (reference: string): boolean =>
    status.invoices.some((i) => i.payments.some((p) => p.reference === reference));

  setHandler(
    recordPaymentUpdate,
    requests.acting(({ by, invoiceNumber, amount, paidAt, reference }) => {
      // The bank's reference is the payment's identity: a statement imported twice counts once.
      if (paymentRecorded(reference)) return status;
      const invoice = status.invoices.find((i) => i.number === invoiceNumber)!;
      invoice.payments.push({ amount, paidAt: new Date(Date.parse(paidAt)).toISOString(), reference, recordedAt: nowIso(), recordedBy: by.id });
      invoice.paidAmount = fromCents(toCents(invoice.paidAmount) + toCents(amount));
      invoice.paid = owedCents(invoice) <= 0;
      record(invoice.paid ? 'invoice_paid' : 'payment_received', by.id, `${invoiceNumber}: ${amount} ${invoice.currency} (${reference})`);
      changed();
      return status;
    }),
    {
      validator: ({ by, invoiceNumber, amount, paidAt, reference }) => {
        refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership");
        // A cancelled project still takes the payment of what it billed for accepted work.
        if (status.stage === 'completed' || (status.stage === 'cancelled' && status.invoices.every((i) => i.paid))) {
          throw businessFailure(ErrorType.WrongStage, `the project is ${status.stage}`);
        }
        const invoice = status.invoices.find((i) => i.number === invoiceNumber);
        if (!invoice) throw businessFailure(ErrorType.NotFound, `no invoice ${invoiceNumber} was issued for this project`, 'invoiceNumber');
        if (paymentRecorded(reference)) return;
        if (!(amount > 0)) throw businessFailure(ErrorType.InvalidInput, 'the amount must be positive', 'amount');
        if (Number.isNaN(Date.parse(paidAt))) throw businessFailure(ErrorType.InvalidInput, 'not a date', 'paidAt');
        if (toCents(amount) > owedCents(invoice)) {
          throw businessFailure(
            ErrorType.Overpayment,
            `${amount} is more than the ${fromCents(owedCents(invoice))} ${invoice.currency} still owed on ${invoiceNumber}`,
            'amount',
          );
        }
      },
    },
  );

  setHandler(
    cancelProjectUpdate,
    requests.acting(async ({ by, reason }) => {
      cancelRequest = { reason, by: by.id };
      status.cancellation = { reason, by: by.id, at: nowIso(), stageAtCancel: status.stage };
      record('cancellation_requested', by.id, reason);
      changed();
      // The caller learns the outcome (cancelled tasks, invoice for accepted work), not just "noted".
      await condition(() => status.stage === 'cancelled');
      return status;
    }),
    {
      validator: ({ by, reason }) => {
        refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership");
        if (status.stage === 'cancelled' || cancelRequest) throw businessFailure(ErrorType.AlreadyDone, 'the project is already cancelled');
        // Closing means paid in full: the report is being written, there is nothing left to stop.
        if (status.stage === 'completed' || status.stage === 'closing') {
          throw businessFailure(ErrorType.WrongStage, `the project is ${status.stage}`);
        }
        if (reason.trim() === '') throw businessFailure(ErrorType.InvalidInput, 'give a reason', 'reason');
      },
    },
  );

  // A signal, not an update: a task must never wait on its project.
  setHandler(taskChangedSignal, ({ at, ...change }) => {
    const task = tasks.get(change.taskKey);
    if (!task || task.summary.status === 'accepted' || task.summary.status === 'cancelled') return;
    for (const event of applyTaskChange(task.summary, change)) record(event, undefined, taskDetail(task.summary), at);
    status.overdue = status.tasks.some((t) => t.overdue);
    changed();
  });

  // ---------------------------------------------------------------------------------------------
  // The process
  // ---------------------------------------------------------------------------------------------

  // Every wait of the process goes through `until`/`untilOr`. While waiting they send the notices
  // handlers queued and keep the search attributes current, so all the talking to the outside
  // happens in this one coroutine, one thing at a time: the order of commands then never depends
  // on which of several coroutines woke first (a race that makes a replay disagree with the run).

  /** Waits for `done`, or throws ProjectCancelled once the project is cancelled. */
  const until = async (done: () => boolean): Promise<void> => {
    for (;;) {
      await deliverNotices();
      syncSearchAttributes();
      if (done() || cancelRequest) break;
      await condition(() => done() || cancelRequest !== undefined || outbox.length > 0);
    }
    if (cancelRequest) throw new ProjectCancelled();
  };
  /** Before a step with effects (documents, invoices, task starts): stop if cancelled meanwhile. */
  const proceed = (): void => {
    if (cancelRequest && !cancelling) throw new ProjectCancelled();
  };
  /** Like `until`, but gives up after `ms`: true when `done` came first. */
  const untilOr = async (done: () => boolean, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    for (;;) {
      await deliverNotices();
      syncSearchAttributes();
      const left = deadline - Date.now();
      if (done() || cancelRequest || left <= 0) break;
      await condition(() => done() || cancelRequest !== undefined || outbox.length > 0, left);
    }
    if (cancelRequest) throw new ProjectCancelled();
    return done();
  };

  /** The manager drafts a plan; leadership decides; a rejected plan comes back for another round. */
  async function awaitPlanApproval(): Promise<void> {
    // Waits on facts that only grow (plan versions, their decisions), never on the stage, which
    // may pass through "awaiting approval" while the process is busy sending a notice.
    for (let version = 1; ; version++) {
      await until(() => status.plans.length >= version);
      const plan = status.plans[version - 1];
      const submittedMs = Date.parse(plan.submittedAt);
      const decided = (): boolean => plan.decision !== undefined;
      if (!(await untilOr(decided, submittedMs + input.policy.approvalSlaMs - Date.now()))) {
        record('plan_approval_reminder', undefined, `version ${version}`);
        send('plan_waiting', `plan-reminder:v${version}`, leadership, { planVersion: version, reminder: true });
        if (!(await untilOr(decided, submittedMs + input.policy.escalationSlaMs - Date.now()))) {
          record('plan_approval_escalated', undefined, `version ${version}`);
          send('plan_approval_escalation', `plan-escalation:v${version}`, { escalationContact: true }, {
            planVersion: version,
            waitingSince: plan.submittedAt,
          });
          await until(decided);
        }
      }
      if (plan.decision?.decision === 'approve') return;
    }
  }

  /** Contract, prepayment, then the departments' work: every plan task as its own workflow. */
  async function runProduction(): Promise<void> {
    const plan = approvedPlan(status);
    await produce('contract');
    if (plan.prepaymentPercent > 0) {
      const prepayment = await issueInvoice('prepayment', percentOf(plan.total, plan.prepaymentPercent), [
        { description: `Prepayment, ${plan.prepaymentPercent}% of ${plan.total}`, amount: percentOf(plan.total, plan.prepaymentPercent) },
      ]);
      if (input.policy.startAfterPrepayment) {
        record('waiting_for_prepayment', undefined, prepayment.number);
        await until(() => prepayment.paid);
      }
    }
    for (const task of plan.tasks) addTask(taskInputFor(status, task, { startOpen: task.dependsOn.length === 0 }));
    await startPendingTasks();
    await awaitTasksAccepted();
  }

  /** Delivered: the client accepts, asks for revisions (back to production), complains, or is silent. */
  async function collectClientResponse(): Promise<void> {
    for (;;) {
      enterStage('client_review');
      const round = status.revisionRoundsUsed;
      clientDecision = undefined;
      send('delivery_ready', `delivery-ready:${round}`, { ...client, ...manager }, { revisionRound: round });
      const answered = (): boolean => clientDecision !== undefined;
      if (!(await untilOr(answered, input.policy.acceptanceWindowMs))) {
        record('client_response_due', undefined, `round ${round}`);
        // The client is told too: silence through a second window counts as acceptance.
        send('client_response_due', `response-due:${round}`, { ...client, ...manager }, {
          deemedAcceptedAt: new Date(Date.now() + input.policy.acceptanceWindowMs).toISOString(),
        });
        if (!(await untilOr(answered, input.policy.acceptanceWindowMs))) {
          status.feedback.push({ at: nowIso(), kind: 'deemed_accepted' });
          record('deemed_accepted', undefined, `no response in ${(2 * input.policy.acceptanceWindowMs) / 1000} s`);
          enterStage('invoicing');
          return;
        }
      }
      if (clientDecision === 'accepted') return;
      await startPendingTasks();
      await awaitTasksAccepted();
    }
  }

  /** The act and the final invoice, then payments chased until everything issued is paid. */
  async function collectPayment(): Promise<void> {
    enterStage('invoicing');
    await produce('acceptance_act');
    const final = finalInvoiceContent(status);
    if (final.amount > 0) await issueInvoice('final', final.amount, final.lines, final.prepaymentDeducted);
    else record('nothing_left_to_invoice', undefined, 'the prepayment covered the whole plan');

    let blockedNoted = false;
    for (;;) {
      const unpaid = status.invoices.filter((i) => !i.paid);
      if (unpaid.length === 0) {
        if (!hasOpenComplaint(status)) return;
        if (!blockedNoted) record('closing_blocked', undefined, 'an open complaint must be resolved first');
        blockedNoted = true;
      }
      const next = chaseDuePayments(unpaid);
      const seen = changes;
      if (next === undefined) await until(() => changes !== seen);
      else await untilOr(() => changes !== seen, next - Date.now());
    }
  }

  /** Sends the reminders and escalations now due on unpaid invoices; returns when the next falls due. */
  function chaseDuePayments(unpaid: InvoiceView[]): number | undefined {
    const now = Date.now();
    const notices = unpaid.flatMap((invoice) => [
      { invoice, kind: 'reminder' as const, at: Date.parse(invoice.dueAt) },
      { invoice, kind: 'escalation' as const, at: Date.parse(invoice.dueAt) + input.policy.paymentEscalationMs },
    ]).filter((n) => !chased.has(`${n.kind}:${n.invoice.number}`));
    for (const n of notices.filter((n) => n.at <= now)) chasePayment(n.invoice, n.kind);
    return notices.filter((n) => n.at > now).reduce<number | undefined>((min, n) => (min === undefined || n.at < min ? n.at : min), undefined);
  }

  /**
   * A cancelled project still bills the work that was accepted: it stays open, chasing the
   * invoice like any other, until the client has paid it. (`until` would stop at the cancellation
   * itself, so this waits on its own.)
   */
  async function collectCancellationPayment(): Promise<void> {
    for (;;) {
      await deliverNotices();
      syncSearchAttributes();
      const unpaid = status.invoices.filter((i) => !i.paid);
      if (unpaid.length === 0) return;
      const next = chaseDuePayments(unpaid);
      const seen = changes;
      const wake = () => changes !== seen || outbox.length > 0;
      if (next === undefined) await condition(wake);
      else await condition(wake, Math.max(1, next - Date.now()));
    }
  }

  function chasePayment(invoice: InvoiceView, kind: 'reminder' | 'escalation'): void {
    chased.add(`${kind}:${invoice.number}`);
    const owed = fromCents(owedCents(invoice));
    const data = { invoiceNumber: invoice.number, amountOwed: owed, currency: invoice.currency, dueAt: invoice.dueAt };
    record(kind === 'reminder' ? 'payment_reminder' : 'payment_escalated', undefined, `${invoice.number}: ${owed} owed`);
    if (kind === 'reminder') {
      send('payment_reminder', `payment-reminder:${invoice.number}`, client, data);
      send('payment_overdue', `payment-overdue:${invoice.number}`, manager, data);
    } else {
      send('payment_escalation', `payment-escalation:${invoice.number}`, { ...manager, ...leadership }, data);
    }
  }

  /** Paid and no open complaint: the report for management, and the project is done. */
  async function closeProject(): Promise<void> {
    enterStage('closing');
    await produce('final_report');
    status.completedAt = nowIso();
    record('completed');
    enterStage('completed');
  }

  /** Open work is stopped (assignees told by their tasks), accepted work is invoiced, all reported. */
  async function cancelProject(): Promise<void> {
    const { reason, by } = cancelRequest!;
    cancelling = true;
    const running: TaskRuntime[] = [];
    for (const task of tasks.values()) {
      if (task.summary.status === 'accepted' || task.summary.status === 'cancelled' || task.closed) continue;
      if (task.handle) {
        running.push(task);
      } else {
        // Never started (revisions requested just before the cancellation): nothing to stop.
        task.summary.status = 'cancelled';
        task.closed = true;
      }
    }
    // A task that finished meanwhile cannot take the signal; its result still arrives below.
    await Promise.all(running.map((t) => t.handle!.signal(cancelTaskSignal, { reason }).catch(() => undefined)));
    await condition(() => [...tasks.values()].every((t) => t.closed));
    for (const task of tasks.values()) if (task.summary.status !== 'accepted') task.summary.status = 'cancelled';
    status.overdue = false;
    const accepted = status.tasks.filter((t) => t.status === 'accepted');
    record('work_stopped', by, `${accepted.length} of ${status.tasks.length} tasks accepted`);

    // A final invoice already covers the work; otherwise the client owes what was accepted.
    if (accepted.length > 0 && !status.invoices.some((i) => i.kind === 'final')) {
      const bill = cancellationInvoiceContent(status);
      if (bill.amount > 0) await issueInvoice('cancellation', bill.amount, bill.lines, bill.prepaymentDeducted);
    }
    send('project_cancelled', 'cancelled', { ...leadership, ...manager }, { reason, cancelledBy: by, stage: status.cancellation!.stageAtCancel });
    await produce('final_report');
    record('cancelled', by, reason);
    enterStage('cancelled');
  }

  // --- steps shared by the stages above ---

  function taskDetail(summary: TaskSummary): string {
    return summary.assigneeId ? `${summary.key} (${summary.assigneeId})` : summary.key;
  }

  function addTask(taskInput: TaskInput): void {
    const summary = summaryFor(taskInput);
    status.tasks.push(summary);
    tasks.set(taskInput.taskKey, { input: taskInput, summary, openSent: taskInput.startOpen, closed: false });
  }

  async function startPendingTasks(): Promise<void> {
    proceed();
    const pending = [...tasks.values()].filter((t) => !t.handle && !t.closed);
    for (let i = 0; i < pending.length; i += CHILD_START_WAVE) {
      await Promise.all(pending.slice(i, i + CHILD_START_WAVE).map(startTask));
    }
    record('tasks_started', undefined, `${pending.length} tasks`);
    changed();
  }

  async function startTask(task: TaskRuntime): Promise<void> {
    const { input: taskInput } = task;
    // Titles in the memo let the task inbox (a visibility list) show them without a query per task.
    // Added after histories were recorded: patched, so those runs replay as they ran.
    const memo = patched('task-memo-titles') ? { memo: { title: taskInput.title, projectTitle: taskInput.projectTitle } } : {};
    task.handle = await startChild<typeof taskWorkflow>(TASK_WORKFLOW_TYPE, {
      workflowId: taskWorkflowId(taskId(taskInput.projectId, taskInput.taskKey)),
      args: [taskInput],
      ...memo,
      // REQUEST_CANCEL: cancelling is our own explicit signal with a reason; this is only the net
      // for a project that is terminated by an operator, so no task is left chasing its deadlines.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: [
        { key: ProjectIdKey, value: taskInput.projectId },
        { key: ManagerIdKey, value: taskInput.managerId },
        { key: DepartmentKey, value: taskInput.department },
        { key: TaskStatusKey, value: task.summary.status },
        { key: DueAtKey, value: new Date(Date.parse(taskInput.dueAt)) },
        { key: OverdueKey, value: false },
      ],
    });
    task.handle.result().then(
      (outcome) => taskClosed(task, outcome),
      (err: unknown) => taskClosed(task, undefined, err),
    );
  }

  function taskClosed(task: TaskRuntime, outcome: TaskOutcome | undefined, err?: unknown): void {
    task.closed = true;
    if (outcome) {
      const { view } = outcome;
      const events = applyTaskChange(task.summary, {
        taskKey: view.taskKey,
        status: view.status,
        ...(view.assigneeId !== undefined && { assigneeId: view.assigneeId }),
        dueAt: view.dueAt,
        reviewRounds: view.reviewRounds,
        ...(view.submittedAt !== undefined && { submittedAt: view.submittedAt }),
        ...(view.acceptedAt !== undefined && { acceptedAt: view.acceptedAt }),
        overdue: view.overdue,
      });
      for (const event of events) record(event, undefined, taskDetail(task.summary));
    } else {
      // A task workflow that fails is a bug; the timeline shows it, the manager can cancel.
      record('task_failed', undefined, `${task.summary.key}: ${isCancellation(err) ? 'cancelled' : String((err as Error)?.message ?? err)}`);
    }
    status.overdue = status.tasks.some((t) => t.overdue);
    // Runs in a promise callback, not a handler: change state only; the waiting process upserts.
    changes += 1;
  }

  /** Opens each task whose dependencies are all accepted, until every task is accepted. */
  async function awaitTasksAccepted(): Promise<void> {
    for (;;) {
      const accepted = new Set(status.tasks.filter((t) => t.status === 'accepted').map((t) => t.key));
      const ready = [...tasks.values()].filter(
        (t) => !t.openSent && t.summary.status === 'waiting' && t.input.dependsOn.every((d) => accepted.has(d)),
      );
      for (const task of ready) {
        task.openSent = true;
        task.summary.status = 'open';
        record('task_opened', undefined, task.summary.key);
      }
      // The signal is queued before any wait below: no task is left waiting on a lost "open".
      await Promise.all(
        ready.map((t) =>
          t.handle!.signal(openTaskSignal).catch((err: unknown) => {
            record('task_open_failed', undefined, `${t.summary.key}: ${(err as Error).message}`);
          }),
        ),
      );
      if (status.tasks.every((t) => t.status === 'accepted')) return;
      const seen = changes;
      await until(() => changes !== seen);
    }
  }

  async function produce(kind: DocumentKind, invoice?: InvoiceContent): Promise<DocumentRef> {
    if (!invoice) proceed(); // an invoice already numbered gets its paper whatever happens next
    const sequence = status.documents.filter((d) => d.kind === kind).length + 1;
    const ref = await produceDocument({
      projectId: input.projectId,
      kind,
      sequence,
      ...(invoice && { number: invoice.number }),
      snapshot: status,
      ...(invoice && { invoice }),
    });
    status.documents.push(ref);
    record('document_produced', undefined, `${kind}${invoice ? ` ${invoice.number}` : ''}`);
    return ref;
  }

  async function issueInvoice(kind: InvoiceKind, amount: number, lines: InvoiceLine[], prepaymentDeducted?: number): Promise<InvoiceView> {
    proceed();
    // One key per project and kind: a retried allocation gets the same number, never a gap.
    const { number } = await allocateInvoiceNumber({
      idempotencyKey: `${workflowId}:${kind}`,
      year: new Date(Date.now()).getUTCFullYear(),
    });
    const issuedAt = nowIso();
    const invoice: InvoiceView = {
      kind,
      number,
      amount,
      currency: input.budget.currency,
      issuedAt,
      dueAt: new Date(Date.now() + input.policy.paymentTermsMs).toISOString(),
      payments: [],
      paidAmount: 0,
      paid: false,
    };
    status.invoices.push(invoice);
    record('invoice_issued', undefined, `${kind} ${number}: ${amount} ${invoice.currency}`);
    changed();
    const documentKind = `${kind}_invoice` as const;
    const doc = await produce(documentKind, {
      kind,
      number,
      amount,
      currency: invoice.currency,
      issuedAt,
      dueAt: invoice.dueAt,
      lines,
      ...(prepaymentDeducted !== undefined && prepaymentDeducted > 0 && { prepaymentDeducted }),
    });
    invoice.documentId = doc.documentId;
    send('invoice_issued', `invoice-issued:${kind}`, client, {
      invoiceNumber: number,
      amount,
      currency: invoice.currency,
      dueAt: invoice.dueAt,
      documentId: doc.documentId,
      kind,
    });
    return invoice;
  }

  /** Sends the queued notices in order. Handlers only queue them: no update waits on a mail server. */
  async function deliverNotices(): Promise<void> {
    while (outbox.length > 0) {
      const next = outbox[0];
      try {
        await notify(next);
      } catch (err) {
        record('notification_failed', undefined, `${next.template}: ${(err as Error).message}`);
      }
      outbox.shift();
    }
  }

  function syncSearchAttributes(): void {
    const stale = changedSearchAttributes(workflowInfo().typedSearchAttributes, projectSearchAttributes(status));
    if (stale.length > 0) upsertSearchAttributes(stale);
  }

  // --- the cycle, in the article's order ---
  syncSearchAttributes();
  try {
    await awaitPlanApproval();
    await runProduction();
    await collectClientResponse();
    await collectPayment();
    await closeProject();
  } catch (err) {
    if (isCancellation(err) && !cancelRequest) {
      // Cancelled from outside the API (`temporal workflow cancel`, the UI's button): the same
      // business cancellation, so open work stops, accepted work is billed and a report is made.
      cancelRequest = { reason: 'cancelled through Temporal (operator)', by: 'temporal' };
      status.cancellation = { ...cancelRequest, at: nowIso(), stageAtCancel: status.stage };
      record('cancellation_requested', 'temporal', cancelRequest.reason);
    } else if (!(err instanceof ProjectCancelled)) {
      throw err;
    }
    // Not cancellable itself: after a Temporal cancel, these steps must still run to the end.
    await CancellationScope.nonCancellable(async () => {
      await cancelProject();
      // Added after histories were recorded (those runs completed at once): patched to replay them.
      if (patched('cancelled-collects-payment')) await collectCancellationPayment();
    });
  }
  // Every update answered (the cancellation's caller gets its snapshot), then every notice out.
  await CancellationScope.nonCancellable(async () => {
    await condition(allHandlersFinished);
    await deliverNotices();
  });
  return status;
}
