/**
 * Pure helpers over the project's snapshot: how it starts, what a task summary holds, what is
 * owed, and which search attributes describe it. Kept apart from workflow.ts so the process there
 * reads as the business process. Workflow-safe: no I/O, no clock (callers pass the time).
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { InvoiceLine } from '../../activities/contract';
import { fromMinor, subtractAmounts, sumAmounts, toMinor } from '../money';
import { DEPARTMENTS, departmentName, type Department } from '../vocabulary';
import {
  ClientIdKey,
  ClientSegmentKey,
  DepartmentsKey,
  DueAtKey,
  HasOpenComplaintKey,
  ManagerIdKey,
  OverdueKey,
  PaymentDueAtKey,
  ProjectStageKey,
  StageEnteredAtKey,
} from '../search-attributes';
import { CURRENT_PATCH_BASELINE } from '../common/patches';
import { taskId, type TaskInput } from '../task/contract';
import type { ChangeRequestView, DocumentKind, ProjectInput, ProjectStatus, PlanVersionView, SetOffView, TaskChangedSignal, TaskSummary, InvoiceView } from './contract';
import type { PlanTask } from './schemas';

export function initialStatus(input: ProjectInput, intakeAt: string): ProjectStatus {
  return {
    projectId: input.projectId,
    version: 1,
    stage: 'intake',
    stageEnteredAt: intakeAt,
    title: input.title,
    brief: input.brief,
    client: input.client,
    segment: input.client.segment,
    managerId: input.managerId,
    departments: input.departments,
    budget: input.budget,
    desiredDeadline: input.desiredDeadline,
    policy: input.policy,
    intakeAt,
    plans: [],
    tasks: [],
    revisions: [],
    revisionRoundsUsed: 0,
    feedback: [],
    complaints: [],
    invoices: [],
    documents: [],
    timeline: [{ at: intakeAt, event: 'intake', detail: `request from ${input.client.name}`, by: input.managerId }],
    overdue: false,
  };
}

/**
 * The snapshot a project starts from: intake recorded, planning begun, both at `openedAt`. The
 * workflow builds its state from it and the API answers a create with it, so the two never differ.
 */
export function openingStatus(input: ProjectInput, openedAt: string): ProjectStatus {
  const status = initialStatus(input, openedAt);
  status.stage = 'planning';
  status.stageEnteredAt = openedAt;
  status.timeline.push({ at: openedAt, event: 'stage_planning' });
  status.version += 1;
  return status;
}

/**
 * What a completed project's run again starts with (the API's `reopenProject`): its request as the
 * final snapshot has it, carrying on from that snapshot; every patch so far from its start, and
 * the snapshot already in the store (`starterStoresOpening`), so the run publishes only what changes.
 */
export function reopenedProjectInput(final: ProjectStatus): ProjectInput {
  return {
    projectId: final.projectId,
    managerId: final.managerId,
    client: final.client,
    title: final.title,
    brief: final.brief,
    departments: final.departments,
    budget: final.budget,
    desiredDeadline: final.desiredDeadline,
    policy: final.policy,
    patchBaseline: CURRENT_PATCH_BASELINE,
    reopenedFrom: final,
  };
}

export const planTotal = (tasks: PlanTask[], currency: string): number => sumAmounts(tasks.map((t) => t.price), currency);

export function approvedPlan(status: Pick<ProjectStatus, 'plans' | 'approvedPlanVersion'>): PlanVersionView {
  const plan = status.plans.find((p) => p.version === status.approvedPlanVersion);
  if (!plan) throw new Error('no approved plan'); // a bug, not a business case: fails the task, not the project
  return plan;
}

/**
 * The departments that did work in the project: those with a task not cancelled (the approved
 * plan's, and earlier revision rounds'), in the vocabulary's order. A revision round reworks what
 * was delivered, so only these can be asked for one.
 */
export function departmentsWithWork(status: Pick<ProjectStatus, 'tasks'>): Department[] {
  const worked = new Set(status.tasks.filter((t) => t.status !== 'cancelled').map((t) => t.department));
  return DEPARTMENTS.filter((d) => worked.has(d));
}

/** What `waitingForPrepayment` reads of a snapshot (the reporting store selects just these). */
export type PrepaymentWaitFacts = Pick<ProjectStatus, 'stage' | 'policy' | 'tasks' | 'invoices' | 'plans' | 'approvedPlanVersion'>;

/**
 * A project whose policy starts the work only once the prepayment is paid, while it waits for that
 * (`runProduction`): the prepayment invoice and the approved plan's tasks, none of which has a
 * workflow yet. Undefined for any other project — its tasks have started (they are in `tasks`),
 * or the prepayment is paid or not issued yet (a moment after the approval), or it was cancelled.
 */
export function waitingForPrepayment(status: PrepaymentWaitFacts): { invoice: InvoiceView; tasks: PlanTask[] } | undefined {
  if (status.stage !== 'in_production' || !status.policy.startAfterPrepayment || status.tasks.length > 0) return undefined;
  const invoice = status.invoices.find((i) => i.kind === 'prepayment' && i.status === 'open');
  const plan = status.plans.find((p) => p.version === status.approvedPlanVersion);
  return invoice && plan ? { invoice, tasks: plan.tasks } : undefined;
}

/**
 * What the approval request and its reminder print beside a plan (its total against the budget, its
 * last due date against the client's date): carried in the notice, so its mail needs no read of
 * the project (activities/mail/templates.ts `needsProjectSnapshot`).
 */
export function planAgainstRequestFigures(
  status: Pick<ProjectStatus, 'plans' | 'budget' | 'desiredDeadline'>,
  version: number,
): { total?: number; currency: string; budget: number; budgetCurrency: string; clientDate: string; lastDueAt?: string } {
  const plan = status.plans.find((p) => p.version === version);
  const lastDueAt = plan?.tasks.map((t) => t.dueAt).reduce<string | undefined>((latest, at) => (latest === undefined || Date.parse(at) > Date.parse(latest) ? at : latest), undefined);
  return {
    ...(plan && { total: plan.total }),
    currency: status.budget.currency,
    budget: status.budget.amount,
    budgetCurrency: status.budget.currency,
    clientDate: status.desiredDeadline,
    ...(lastDueAt !== undefined && { lastDueAt }),
  };
}

/** What a task's input takes from its project's snapshot. */
export type TaskStartFacts = Pick<ProjectStatus, 'projectId' | 'title' | 'client' | 'managerId' | 'policy'>;

/** What a plan task (or a revision request) becomes as a child workflow's input. */
export function taskInputFor(
  status: TaskStartFacts,
  task: Pick<PlanTask, 'key' | 'department' | 'title' | 'description' | 'estimateHours' | 'dueAt' | 'price' | 'dependsOn'>,
  extra: { startOpen: boolean; revisionRound?: number; patchBaseline?: number },
): TaskInput {
  return {
    projectId: status.projectId,
    taskKey: task.key,
    projectTitle: status.title,
    clientName: status.client.name,
    managerId: status.managerId,
    department: task.department,
    title: task.title,
    description: task.description ?? '',
    estimateHours: task.estimateHours,
    dueAt: task.dueAt,
    price: task.price,
    dependsOn: task.dependsOn ?? [],
    ...(extra.revisionRound !== undefined && { revisionRound: extra.revisionRound }),
    reminderLeadMs: status.policy.reminderLeadMs,
    overdueGraceMs: status.policy.overdueGraceMs,
    ...(status.policy.reviewSlaMs !== undefined && { reviewSlaMs: status.policy.reviewSlaMs }),
    startOpen: extra.startOpen,
    // A task has the patches of the project that starts it.
    ...(extra.patchBaseline !== undefined && { patchBaseline: extra.patchBaseline }),
  };
}

/**
 * What a task of the approved plan starts with: it opens at once when it depends on nothing, and
 * names what it depends on by title (staff may not read another department's task to learn it).
 */
export function planTaskInput(status: TaskStartFacts & Pick<ProjectStatus, 'plans' | 'approvedPlanVersion'>, task: PlanTask, patchBaseline?: number): TaskInput {
  const planned = approvedPlan(status).tasks;
  const dependencies = task.dependsOn.flatMap((key) => {
    const dependency = planned.find((t) => t.key === key);
    return dependency ? [{ key, title: dependency.title, department: dependency.department }] : [];
  });
  return { ...taskInputFor(status, task, { startOpen: task.dependsOn.length === 0, patchBaseline }), ...(dependencies.length > 0 && { dependencies }) };
}

/** Due dates are read to the minute: a shorter wait for the prepayment moves none. */
const DUE_DATE_STEP_MS = 60_000;

/**
 * How much later the plan's work starts than its approval, when it waits for the prepayment: the
 * plan's dates assume the work starts on approval, so they run from the payment instead (as the
 * contract says). Whole minutes; nothing when the plan records no approval.
 */
export function prepaymentWaitMs(plan: PlanVersionView, nowMs: number): number {
  const approvedAt = plan.decision ? Date.parse(plan.decision.at) : Number.NaN;
  if (Number.isNaN(approvedAt)) return 0;
  return Math.floor(Math.max(0, nowMs - approvedAt) / DUE_DATE_STEP_MS) * DUE_DATE_STEP_MS;
}

/** A task's input with its due date `ms` later (unchanged for 0). */
export const dueMovedLater = (input: TaskInput, ms: number): TaskInput =>
  ms > 0 ? { ...input, dueAt: new Date(Date.parse(input.dueAt) + ms).toISOString() } : input;

/** A task's summary before its workflow runs: `waiting` until it exists and can be claimed. */
export function summaryFor(input: TaskInput): TaskSummary {
  return {
    taskId: taskId(input.projectId, input.taskKey),
    key: input.taskKey,
    department: input.department,
    title: input.title,
    status: 'waiting',
    dueAt: input.dueAt,
    originalDueAt: input.dueAt,
    price: input.price,
    dependsOn: input.dependsOn,
    reviewRounds: 0,
    overdue: false,
    ...(input.revisionRound !== undefined && { revisionRound: input.revisionRound }),
  };
}

/** Applies a task's report to its summary; returns the timeline events it amounts to. */
export function applyTaskChange(summary: TaskSummary, change: Omit<TaskChangedSignal, 'at'>): string[] {
  const events: string[] = [];
  if (change.status !== summary.status) events.push(`task_${change.status}`);
  if (change.reviewRounds > summary.reviewRounds) events.push('task_changes_requested');
  if (change.overdue && !summary.overdue) events.push('task_overdue');
  if (change.dueAt !== summary.dueAt) events.push('task_due_date_moved');
  if (change.assigneeId !== summary.assigneeId && change.assigneeId && summary.assigneeId && change.status === 'claimed') {
    events.push('task_reassigned');
  }
  summary.status = change.status;
  if (change.assigneeId === undefined) delete summary.assigneeId;
  else summary.assigneeId = change.assigneeId;
  summary.dueAt = change.dueAt;
  summary.reviewRounds = change.reviewRounds;
  if (change.submittedAt !== undefined) summary.submittedAt = change.submittedAt;
  if (change.acceptedAt !== undefined) summary.acceptedAt = change.acceptedAt;
  // Reports coalesce: the first delivery comes from the task itself, or is the only one seen.
  summary.firstSubmittedAt ??= change.firstSubmittedAt ?? change.submittedAt;
  summary.overdue = change.overdue;
  if (summary.firstSubmittedAt) {
    // On time means the first delivery met the due date of the plan, however it moved since.
    summary.onTime = Date.parse(summary.firstSubmittedAt) <= Date.parse(summary.originalDueAt ?? summary.dueAt);
  }
  // Changes-requested goes back to claimed: keep the event list from claiming it was claimed anew.
  return events.filter((e) => !(e === 'task_claimed' && events.includes('task_changes_requested')));
}

const setOffMinor = (invoice: InvoiceView): number => (invoice.setOffs ?? []).reduce((n, s) => n + toMinor(s.amount, invoice.currency), 0);

/**
 * What is still owed on an invoice (for a credit note: by us, to the client), after payments and
 * set-offs; nothing once void, and nothing (not less) once paid beyond it (`overpaidMinor`).
 */
export const owedMinor = (invoice: InvoiceView): number =>
  invoice.status === 'void' ? 0 : Math.max(0, toMinor(invoice.amount, invoice.currency) - toMinor(invoice.paidAmount, invoice.currency) - setOffMinor(invoice));
export const owedAmount = (invoice: InvoiceView): number => fromMinor(owedMinor(invoice), invoice.currency);

/** What the client paid beyond what an invoice asked, not yet credited back to them (`excessCredited`). */
export const overpaidMinor = (invoice: InvoiceView): number =>
  invoice.kind === 'credit_note' || invoice.status === 'void'
    ? 0
    : Math.max(
        0,
        toMinor(invoice.paidAmount, invoice.currency) + setOffMinor(invoice) - toMinor(invoice.amount, invoice.currency) - toMinor(invoice.excessCredited ?? 0, invoice.currency),
      );

/** Invoices the client paid more than they asked, the excess still to credit back (a credit note each). */
export const overpaidInvoices = (status: ProjectStatus): InvoiceView[] => status.invoices.filter((i) => overpaidMinor(i) > 0);

/** Invoices the client still has to pay (credit notes are money owed to the client, not chased). */
export const unpaidInvoices = (status: ProjectStatus): InvoiceView[] =>
  status.invoices.filter((i) => i.status === 'open' && i.kind !== 'credit_note');

/** Credit notes the agency has still to pay out: refunds owed to the client. */
export const refundsOwed = (status: ProjectStatus): InvoiceView[] => status.invoices.filter((i) => i.status === 'open' && i.kind === 'credit_note');

/**
 * Sets a credit note against what the client has not paid yet, the final invoice first (a
 * compensation is for the work it bills), then the oldest: the client pays that much less and the
 * agency refunds only the rest, instead of paying out money to a client who still owes it. What
 * this settles is marked paid. Returns the credit note's set-offs.
 */
export function setOffCreditNote(status: ProjectStatus, note: InvoiceView, at: string): SetOffView[] {
  const finalFirst = (i: InvoiceView): number => (i.kind === 'final' ? 0 : 1);
  const unpaid = unpaidInvoices(status)
    .filter((i) => owedMinor(i) > 0)
    .sort((a, b) => finalFirst(a) - finalFirst(b) || Date.parse(a.issuedAt) - Date.parse(b.issuedAt));
  for (const invoice of unpaid) {
    const left = owedMinor(note);
    if (left <= 0) break;
    const amount = fromMinor(Math.min(left, owedMinor(invoice)), note.currency);
    (invoice.setOffs ??= []).push({ invoiceNumber: note.number, amount, at });
    (note.setOffs ??= []).push({ invoiceNumber: invoice.number, amount, at });
    if (owedMinor(invoice) <= 0) invoice.status = 'paid';
  }
  if (owedMinor(note) <= 0) note.status = 'paid';
  return note.setOffs ?? [];
}

/** What of an invoice is covered by credit notes set against it (net of reversals). */
export const setOffAmount = (invoice: InvoiceView): number => fromMinor(setOffMinor(invoice), invoice.currency);

/**
 * A payment more than an invoice still asks, but not more than it asked before credit notes were
 * set against it: the client paid (before the statement was recorded) what the set-off took off.
 * The set-offs are undone by the excess, newest first, as entries of their own (negative amounts,
 * so the history of what happened stays); each credit note gives that much back as a refund
 * instead. Returns what was undone, per credit note.
 */
export function reverseSetOffs(status: ProjectStatus, invoice: InvoiceView, excessMinor: number, at: string): SetOffView[] {
  const undone: SetOffView[] = [];
  let left = excessMinor;
  // Net per credit note, newest set-off first.
  const net = new Map<string, number>();
  for (const s of invoice.setOffs ?? []) net.set(s.invoiceNumber, (net.get(s.invoiceNumber) ?? 0) + toMinor(s.amount, invoice.currency));
  for (const noteNumber of [...net.keys()].reverse()) {
    if (left <= 0) break;
    const taken = Math.min(left, net.get(noteNumber)!);
    if (taken <= 0) continue;
    left -= taken;
    const amount = -fromMinor(taken, invoice.currency);
    invoice.setOffs!.push({ invoiceNumber: noteNumber, amount, at });
    const note = status.invoices.find((i) => i.number === noteNumber)!;
    (note.setOffs ??= []).push({ invoiceNumber: invoice.number, amount, at });
    if (owedMinor(note) > 0) note.status = 'open';
    undone.push({ invoiceNumber: noteNumber, amount: -amount, at });
  }
  return undone;
}

/** A compensation agreed in resolving a complaint, as an invoice takes it off or a credit note gives it back. */
export interface Compensation {
  complaintId: string;
  amount: number;
}

/**
 * Compensations that used up all the final invoice would have billed, so none was issued: settled,
 * but carried by no invoice. A cancellation after that must still take them off the work it bills.
 */
export const compensationsBilledNothing = (status: ProjectStatus): Compensation[] =>
  status.complaints.flatMap((c) =>
    c.compensation?.settled && c.compensation.invoiceNumber === undefined && c.compensation.takenOff === undefined
      ? [{ complaintId: c.complaintId, amount: c.compensation.amount }]
      : [],
  );

/** Compensations agreed that no invoice or credit note carries yet. */
export const compensationsToSettle = (status: ProjectStatus): Compensation[] =>
  status.complaints.flatMap((c) => (c.compensation && !c.compensation.settled ? [{ complaintId: c.complaintId, amount: c.compensation.amount }] : []));

/** Marks the compensations as carried by an invoice or credit note (none: nothing was left to bill). */
export function settleCompensations(status: ProjectStatus, compensations: Compensation[], invoiceNumber?: string): void {
  for (const c of compensations) {
    const complaint = status.complaints.find((k) => k.complaintId === c.complaintId)!;
    complaint.compensation = { amount: complaint.compensation!.amount, settled: true, ...(invoiceNumber !== undefined && { invoiceNumber }) };
  }
}

/** What the client is billed in all, net of credit notes (voided parts not counted). */
export function netBilled(status: ProjectStatus): number {
  const currency = status.budget.currency;
  const billedMinor = status.invoices
    .filter((i) => i.kind !== 'credit_note')
    .reduce((n, i) => n + toMinor(i.amount, currency) - toMinor(i.voidedAmount ?? 0, currency), 0);
  const creditedMinor = status.invoices.filter((i) => i.kind === 'credit_note').reduce((n, i) => n + toMinor(i.amount, currency), 0);
  return fromMinor(billedMinor - creditedMinor, currency);
}

/** The outcome leadership and the manager are told when a project completes (the final report has the rest). */
/** Whether the client's last acceptance was their silence through the review period (the contract's "deemed accepted"). */
export const deemedAccepted = (status: Pick<ProjectStatus, 'feedback'>): boolean =>
  status.feedback.filter((f) => f.kind === 'accepted' || f.kind === 'deemed_accepted').at(-1)?.kind === 'deemed_accepted';

export function completionSummary(status: ProjectStatus): Record<string, string | number> {
  const delivered = status.tasks.filter((t) => t.status === 'accepted');
  const rating = status.feedback.filter((f) => f.kind === 'accepted' && f.rating !== undefined).at(-1)?.rating;
  const writtenOff = sumAmounts(status.invoices.flatMap((i) => (i.writtenOff ? [i.writtenOff.amount] : [])), status.budget.currency);
  return {
    acceptance: deemedAccepted(status) ? 'deemed' : 'accepted',
    tasksAccepted: delivered.length,
    tasksOnTime: delivered.filter((t) => t.onTime === true).length,
    revisionRounds: status.revisionRoundsUsed,
    ...(rating !== undefined && { rating }),
    complaints: status.complaints.length,
    amount: netBilled(status),
    currency: status.budget.currency,
    ...(writtenOff > 0 && { writtenOff }),
  };
}

/**
 * The final invoice: the approved plan, less the prepayment invoiced, plus extra revision rounds,
 * less the compensations agreed in resolving complaints before it.
 */
export function finalInvoiceContent(status: ProjectStatus): {
  amount: number;
  lines: InvoiceLine[];
  prepaymentDeducted: number;
  compensations: Compensation[];
} {
  const currency = status.budget.currency;
  const plan = approvedPlan(status);
  const prepayment = status.invoices.find((i) => i.kind === 'prepayment');
  const prepaymentDeducted = prepayment?.amount ?? 0;
  const lines: InvoiceLine[] = [
    ...plan.tasks.map((t) => ({ description: `${t.title} (${departmentName(t.department)})`, amount: t.price })),
    ...status.revisions
      .filter((r) => r.extraPrice > 0)
      .map((r) => ({ description: `Revision round ${r.round}, beyond the included rounds: ${r.description}`, amount: r.extraPrice })),
  ];
  const compensations = compensationsToSettle(status);
  const deducted = sumAmounts([prepaymentDeducted, ...compensations.map((c) => c.amount)], currency);
  const amount = subtractAmounts(sumAmounts(lines.map((l) => l.amount), currency), deducted, currency);
  return { amount, lines, prepaymentDeducted, compensations };
}

/** Runs recorded before cancellations settled prepayments: the accepted work, less the prepayment received. */
export function cancellationInvoiceContent(status: ProjectStatus): { amount: number; lines: InvoiceLine[]; prepaymentDeducted: number } {
  const currency = status.budget.currency;
  const accepted = status.tasks.filter((t) => t.status === 'accepted' && t.price > 0);
  const prepaymentPaid = status.invoices.find((i) => i.kind === 'prepayment')?.paidAmount ?? 0;
  const lines = accepted.map((t) => ({ description: `${t.title} (${departmentName(t.department)}), accepted`, amount: t.price }));
  const amount = subtractAmounts(sumAmounts(lines.map((l) => l.amount), currency), prepaymentPaid, currency);
  return { amount, lines, prepaymentDeducted: prepaymentPaid };
}

/**
 * What a cancelled project owes, exactly once: the accepted work and the extra rounds whose work
 * was accepted, less every prepayment actually received. Unpaid prepayments are voided, not
 * chased; a prepayment larger than the work becomes a credit note (a refund owed to the client).
 */
export function cancellationSettlement(
  status: ProjectStatus,
  options: {
    /** Compensations already settled with nothing left to bill (no final invoice was issued): taken off first. */
    unbilled?: Compensation[];
    /** Credit notes set against an unpaid prepayment count as received (runs since that patch). */
    countSetOffs?: boolean;
  } = {},
): {
  voids: InvoiceView[];
  lines: InvoiceLine[];
  prepaymentReceived: number;
  /**
   * What the bill takes off for compensations agreed and not yet taken off anything: together at
   * most the work accepted, so a credit note only ever gives back money the client paid.
   */
  compensations: Compensation[];
  /** Every compensation the settlement closes, whatever it could take off for it. */
  agreed: Compensation[];
  /** Positive: the client owes it (cancellation invoice). Negative: we owe it back (credit note). */
  balance: number;
} {
  const currency = status.budget.currency;
  const acceptedKeys = new Set(status.tasks.filter((t) => t.status === 'accepted').map((t) => t.taskId));
  const lines: InvoiceLine[] = [
    ...status.tasks
      .filter((t) => t.status === 'accepted' && t.price > 0)
      .map((t) => ({ description: `${t.title} (${departmentName(t.department)}), accepted`, amount: t.price })),
    ...status.revisions
      .filter((r) => r.extraPrice > 0 && r.taskIds.length > 0 && r.taskIds.every((id) => acceptedKeys.has(id)))
      .map((r) => ({ description: `Revision round ${r.round}, beyond the included rounds, accepted`, amount: r.extraPrice })),
  ];
  const prepayments = status.invoices.filter((i) => i.kind === 'prepayment');
  // A credit note set against an unpaid prepayment settled that much of it: received, as if paid.
  const prepaymentReceived = sumAmounts(
    prepayments.flatMap((i) => [i.paidAmount, options.countSetOffs ? setOffAmount(i) : 0]),
    currency,
  );
  const accepted = sumAmounts(lines.map((l) => l.amount), currency);
  const agreed = compensationsToSettle(status);
  let room = toMinor(accepted, currency);
  const compensations = [...(options.unbilled ?? []), ...agreed].flatMap((c) => {
    const taken = Math.min(toMinor(c.amount, currency), room);
    room -= taken;
    return taken > 0 ? [{ complaintId: c.complaintId, amount: fromMinor(taken, currency) }] : [];
  });
  const deducted = sumAmounts([prepaymentReceived, ...compensations.map((c) => c.amount)], currency);
  const balance = subtractAmounts(accepted, deducted, currency);
  return { voids: prepayments.filter((i) => i.status === 'open' && owedMinor(i) > 0), lines, prepaymentReceived, compensations, agreed, balance };
}

/**
 * What a document needs of the snapshot, and no more: no document prints the plan's task
 * descriptions (up to 5,000 characters each), and only the final report prints the timeline.
 */
/**
 * What a cancellation leaves the client to expect, for their mail (`invoices` as it stood before
 * the settlement: `issuedBefore` of them): the paper the settlement issued — an invoice for the
 * work accepted or a credit note for a prepayment due back — or, when it issued none, invoices
 * sent before that are still due, what was paid covering the work, or nothing owed at all.
 */
export function cancellationSettlementInWords(
  status: Pick<ProjectStatus, 'invoices'>,
  issuedBefore: number,
): { settlement: 'invoice' | 'credit_note' | 'still_due' | 'covered' | 'nothing' } {
  const issued = status.invoices.slice(issuedBefore);
  if (issued.some((i) => i.kind === 'credit_note')) return { settlement: 'credit_note' };
  if (issued.length > 0) return { settlement: 'invoice' };
  if (status.invoices.some((i) => i.status === 'open' && i.kind !== 'credit_note')) return { settlement: 'still_due' };
  if (status.invoices.some((i) => i.paidAmount > 0 && i.kind !== 'credit_note')) return { settlement: 'covered' };
  return { settlement: 'nothing' };
}

export function documentSnapshot(status: ProjectStatus, kind: DocumentKind): ProjectStatus {
  return {
    ...status,
    plans: status.plans.map((p) => ({ ...p, tasks: p.tasks.map((t) => ({ ...t, description: '' })) })),
    timeline: kind === 'final_report' ? status.timeline : [],
  };
}

/**
 * Whether a task's due date may move to `dueMs` beside the work it waits for and the work waiting
 * for it (the plan's rule, kept when dates move later): not before a dependency still to be done
 * is due, not after a task that waits for it is due. Work already accepted or cancelled has no
 * date left to keep. The problem (`before` a dependency, `after` a dependent) in words, or undefined.
 */
export function dueDateOutOfOrder(
  tasks: Pick<TaskSummary, 'key' | 'title' | 'status' | 'dueAt' | 'dependsOn'>[],
  taskKey: string,
  dueMs: number,
): { kind: 'before' | 'after'; message: string } | undefined {
  const pending = tasks.filter((t) => t.status !== 'accepted' && t.status !== 'cancelled');
  const me = tasks.find((t) => t.key === taskKey);
  const before = pending.find((t) => me?.dependsOn.includes(t.key) && dueMs < Date.parse(t.dueAt));
  if (before) return { kind: 'before', message: `due before “${before.title}”, which it waits for, is due: give it a later date, or move that one first` };
  const after = pending.find((t) => t.dependsOn.includes(taskKey) && dueMs > Date.parse(t.dueAt));
  if (after) return { kind: 'after', message: `due after “${after.title}”, which waits for it, is due: move that one later first` };
  return undefined;
}

/** The project is due when its last task is; before there are tasks, when the client wants it. */
export function projectDueAt(status: ProjectStatus): string {
  const live = status.tasks.filter((t) => t.status !== 'cancelled');
  if (live.length === 0) return status.desiredDeadline;
  return live.reduce((latest, t) => (Date.parse(t.dueAt) > Date.parse(latest) ? t.dueAt : latest), live[0].dueAt);
}

/** The earliest due date among unpaid invoices: "unpaid past due" is `PaymentDueAt < now`. */
export function paymentDueAt(status: ProjectStatus): string | undefined {
  const unpaid = unpaidInvoices(status);
  if (unpaid.length === 0) return undefined;
  return unpaid.reduce((earliest, i) => (Date.parse(i.dueAt) < Date.parse(earliest) ? i.dueAt : earliest), unpaid[0].dueAt);
}

export const hasOpenComplaint = (status: ProjectStatus): boolean => status.complaints.some((c) => !c.resolvedAt);

/** The client's request for changes the manager has not answered yet (one at a time). */
export const openChangeRequest = (status: Pick<ProjectStatus, 'changeRequests'>): ChangeRequestView | undefined =>
  status.changeRequests?.find((r) => r.outcome === undefined);

/**
 * The client's open request for changes, settled: what became of it (a round recorded for it, an
 * answer without one, the work accepted first, the project cancelled first), when and by whom.
 * Nothing when none is open.
 */
export function settleChangeRequest(
  status: Pick<ProjectStatus, 'changeRequests'>,
  answer: Pick<ChangeRequestView, 'outcome' | 'round' | 'reply'>,
  by: string,
  at: string,
): void {
  const request = openChangeRequest(status);
  if (request !== undefined) Object.assign(request, { ...answer, answeredAt: at, answeredBy: by });
}

/**
 * The project's cancellation, noted the moment it is asked for (by the API or through Temporal). A
 * request for changes still waiting will not be answered now: it closes with the project, so that
 * neither the manager, nor the client, nor the papers read it as waiting.
 */
export function noteCancellation(status: ProjectStatus, { reason, by }: { reason: string; by: string }, at: string): void {
  status.cancellation = { reason, by, at, stageAtCancel: status.stage };
  settleChangeRequest(status, { outcome: 'project_cancelled' }, by, at);
}

/** Where a run's policy does not say (runs started before complaints were followed up): 48 hours. */
export const COMPLAINT_RESOLUTION_DEFAULT_MS = 48 * 3_600_000;

/** By when a complaint should be resolved: the policy's time after it was recorded (past that, manager and leadership are told). */
export const complaintDueMs = (complaint: { at: string }, policy: Pick<ProjectStatus['policy'], 'complaintResolutionMs'>): number =>
  Date.parse(complaint.at) + (policy.complaintResolutionMs ?? COMPLAINT_RESOLUTION_DEFAULT_MS);

export function projectSearchAttributes(status: ProjectStatus): SearchAttributeUpdatePair[] {
  const due = paymentDueAt(status);
  return [
    { key: ProjectStageKey, value: status.stage },
    { key: ManagerIdKey, value: status.managerId },
    { key: ClientIdKey, value: status.client.id },
    { key: ClientSegmentKey, value: status.segment },
    { key: DepartmentsKey, value: [...status.departments] },
    { key: StageEnteredAtKey, value: new Date(Date.parse(status.stageEnteredAt ?? status.intakeAt)) },
    { key: PaymentDueAtKey, value: due ? new Date(Date.parse(due)) : null },
    { key: HasOpenComplaintKey, value: hasOpenComplaint(status) },
    { key: DueAtKey, value: new Date(Date.parse(projectDueAt(status))) },
    { key: OverdueKey, value: status.overdue },
  ];
}
