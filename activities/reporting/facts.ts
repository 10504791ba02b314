/**
 * What the reporting store derives from a snapshot: the row that lists and filters read, and the
 * business facts the KPIs count. Pure functions, no I/O and no clock, so the live feed and a
 * rebuild from Temporal produce identical rows.
 *
 * A fact has a stable id (`invoice:<number>`, `payment:<invoice>:<reference>`...) and holds only
 * values that never change once the fact exists (a payment's amount, a task's original due date),
 * so it does not matter which of a workflow's snapshots first carried it: the store inserts each
 * fact once and ignores it afterwards. One exception: a credit note's label, which becomes
 * `overpayment` (OVERPAYMENT_CREDIT_NOTE) once a snapshot lists it in an invoice's
 * `excessCreditedBy` (the workflow lists it only after the note is issued, so the first snapshot
 * carrying the note may not say so yet): the store relabels it then, never back.
 */
import type { InvoiceView, ProjectStatus } from '../../workflows/project/contract';
import type { TaskView } from '../../workflows/task/contract';
import { fromMinor, subtractAmounts, toMinor } from '../../workflows/money';
import { complaintDueMs, overpaidInvoices, owedMinor } from '../../workflows/project/state';

export const FACT_KINDS = [
  'project_opened',
  'first_plan',
  'plan_submitted',
  'plan_approved',
  'plan_rejected',
  'revision_round',
  'client_accepted',
  'deemed_accepted',
  'complaint',
  'complaint_resolved',
  'invoice',
  'credit_note',
  'payment',
  'refund',
  /** A credit note set against an unpaid invoice: one on each side (ref: that side's number), no money moved. */
  'set_off',
  'invoice_settled',
  'invoice_void',
  'cancelled',
  'completed',
  'task_opened',
  'first_delivery',
  'review',
  'task_accepted',
  'task_cancelled',
] as const;
export type FactKind = (typeof FACT_KINDS)[number];

export interface Fact {
  factId: string;
  kind: FactKind;
  projectId: string;
  taskId?: string;
  managerId: string;
  department?: string;
  /** Who: the deliverer, the reviewer, the payer's recorder... */
  personId?: string;
  /** The object a fact belongs to: an invoice number, a complaint (`<projectId>:<complaintId>`). */
  ref?: string;
  /** When it happened (business time, from the snapshot). */
  at: string;
  /** The time it is measured against: the original due date, the issue date, the intake. */
  refAt?: string;
  amount?: number;
  currency?: string;
  value?: number;
  label?: string;
}

const DAY_MS = 86_400_000;
const ms = (iso: string): number => Date.parse(iso);

// ---------------------------------------------------------------------------------------------
// Invoices as the store reads them, tolerant of older and newer snapshots
// ---------------------------------------------------------------------------------------------

/**
 * Snapshots published before invoices had a `status` (runs from older code, and rebuilt from
 * their results) have only `paidAmount`: without a status an invoice is paid when paidAmount ≥
 * amount, else open.
 */
export type InvoiceLike = Omit<InvoiceView, 'kind' | 'status'> & {
  kind: string;
  status?: InvoiceView['status'];
};

export function invoiceStatus(invoice: InvoiceLike): 'open' | 'paid' | 'void' {
  if (invoice.status === 'open' || invoice.status === 'paid' || invoice.status === 'void') return invoice.status;
  return toMinor(invoice.paidAmount, invoice.currency) >= toMinor(invoice.amount, invoice.currency) ? 'paid' : 'open';
}

export const isCreditNote = (invoice: InvoiceLike): boolean => invoice.kind === 'credit_note';

const invoicesOf = (s: ProjectStatus): InvoiceLike[] => (s.invoices ?? []) as InvoiceLike[];

/**
 * The label of a credit note that gives back what the client paid beyond an invoice (listed in that
 * invoice's `excessCreditedBy`): money received beyond the invoice going back, not money taken off
 * what was sold, so the KPIs do not count it as credited (kpis.ts, CREDITED). Its refunds are
 * refunds all the same.
 */
export const OVERPAYMENT_CREDIT_NOTE = 'overpayment';

/** The credit notes that give back an overpayment, by number: those an invoice's `excessCreditedBy` lists. */
export const overpaymentCreditNotes = (s: ProjectStatus): Set<string> => new Set(invoicesOf(s).flatMap((i) => i.excessCreditedBy ?? []));

/** Invoices the client still owes on: open, and not a credit note (that is money owed to the client). */
export const receivables = (s: ProjectStatus): InvoiceLike[] =>
  invoicesOf(s).filter((i) => !isCreditNote(i) && invoiceStatus(i) === 'open');

/**
 * What is still owed on a project's open invoices, less what was paid and set off on them, as the
 * workflow chases it (`owedMinor`): by the client on its invoices (`client`: the project list's
 * `amountOwed`), or by the agency on its credit notes (`agency`: refunds, `refundOwed`). Worked
 * out from the stored snapshot's invoices when the list is read.
 */
export function amountOwed(invoices: InvoiceLike[], currency: string, by: 'client' | 'agency' = 'client'): number {
  const open = invoices.filter((i) => isCreditNote(i) === (by === 'agency') && invoiceStatus(i) === 'open');
  // `owedMinor` reads the status only to leave a void invoice out, and these are open.
  return fromMinor(open.reduce((n, i) => n + owedMinor({ ...i, status: 'open' } as InvoiceView), 0), currency);
}

// ---------------------------------------------------------------------------------------------
// The rows lists read
// ---------------------------------------------------------------------------------------------

const earliest = (dates: string[]): string | undefined =>
  dates.length === 0 ? undefined : dates.reduce((a, b) => (ms(b) < ms(a) ? b : a));
const latest = (dates: string[]): string | undefined =>
  dates.length === 0 ? undefined : dates.reduce((a, b) => (ms(b) > ms(a) ? b : a));

export interface ProjectRow {
  projectId: string;
  snapshotVersion?: number;
  title: string;
  clientId: string;
  clientName: string;
  segment: string;
  managerId: string;
  stage: string;
  stageEnteredAt: string;
  intakeAt: string;
  /** When its last live task is due; before there are tasks, the client's desired deadline. */
  dueAt: string;
  /** The date the client asked for the whole project by (`desiredDeadline`). */
  clientDueAt: string;
  /**
   * When the planned work ends: its last live task's due date; before any task has started (the
   * work waits for its prepayment), the approved plan's last. None while no plan is approved.
   */
  plannedEndAt?: string;
  /** The earliest due date of work not yet delivered (open or claimed): overdue once it passes. */
  pendingDueAt?: string;
  /** The earliest due date of an unpaid invoice: unpaid past due once it passes. */
  paymentDueAt?: string;
  hasOpenComplaint: boolean;
  /** By when the oldest open complaint should be resolved (the policy's time after it was recorded). */
  complaintDueAt?: string;
  /** The earliest due date of a refund the agency owes its client (a credit note not yet paid out nor set off). */
  refundDueAt?: string;
  /** The workflow has ended: completed, or cancelled with nothing left to settle either way. */
  closed: boolean;
  currency: string;
  departments: string[];
}

export function projectRow(s: ProjectStatus): ProjectRow {
  const liveTasks = s.tasks.filter((t) => t.status !== 'cancelled');
  const owed = receivables(s);
  const refunds = invoicesOf(s).filter((i) => isCreditNote(i) && invoiceStatus(i) === 'open');
  const openComplaints = s.complaints.filter((c) => !c.resolvedAt);
  const version = (s as { version?: unknown }).version;
  return {
    projectId: s.projectId,
    ...(typeof version === 'number' && { snapshotVersion: version }),
    title: s.title,
    clientId: s.client.id,
    clientName: s.client.name,
    segment: s.segment,
    managerId: s.managerId,
    stage: s.stage,
    stageEnteredAt: s.stageEnteredAt ?? s.intakeAt,
    intakeAt: s.intakeAt,
    dueAt: latest(liveTasks.map((t) => t.dueAt)) ?? s.desiredDeadline,
    clientDueAt: s.desiredDeadline,
    plannedEndAt: plannedEndAt(s),
    pendingDueAt: earliest(s.tasks.filter((t) => t.status === 'open' || t.status === 'claimed').map((t) => t.dueAt)),
    paymentDueAt: earliest(owed.map((i) => i.dueAt)),
    hasOpenComplaint: openComplaints.length > 0,
    complaintDueAt: earliest(openComplaints.map((c) => new Date(complaintDueMs(c, s.policy)).toISOString())),
    refundDueAt: earliest(refunds.map((i) => i.dueAt)),
    // A cancelled project's workflow runs until the client has paid what it billed and the agency
    // has paid back what it owes (a credit note): the same condition as its last wait. A completed
    // one is done unless a complaint made after completion (or its refund) is still open, a
    // payment taken back after completion left an invoice owed again, or an invoice paid twice
    // after completion waits (a moment) for the credit note that gives the excess back.
    closed:
      s.stage === 'completed'
        ? openComplaints.length === 0 && refunds.length === 0 && owed.length === 0 && overpaidInvoices(s).length === 0
        : s.stage === 'cancelled' && owed.length === 0 && refunds.length === 0,
    currency: s.budget.currency,
    departments: [...s.departments],
  };
}

/** `ProjectRow.plannedEndAt`; migration 10 says the same in SQL for rows stored before it. */
function plannedEndAt(s: ProjectStatus): string | undefined {
  const live = latest(s.tasks.filter((t) => t.status !== 'cancelled').map((t) => t.dueAt));
  if (live !== undefined) return live;
  const approved = s.plans.find((p) => p.version === s.approvedPlanVersion);
  return approved && latest(approved.tasks.map((t) => t.dueAt));
}

/**
 * Stages where the end of the work no longer warns: delivered and accepted (what is left is
 * money), or ended.
 */
const WORK_DONE_STAGES: readonly string[] = ['invoicing', 'closing', 'completed', 'cancelled'];

/**
 * The client asks for the work by a day, and the portal's form stores that day as 17:00 in the
 * manager's zone: work due later that same evening is still on the client's day (the plan and
 * approval pages judge it so, by the reader's day), so the day ends seven hours after that moment.
 */
const CLIENT_DAY_LEFT_MS = 7 * 3_600_000;

/**
 * The planned work ends after the date the client asked for: the portfolio's warning that a
 * project will miss the client's date before it does, so only while the work is still to be
 * delivered and accepted. It says nothing about now (that is `overdue`: work already past due).
 * The client's date is the moment the project was opened with; a plan ending after the end of
 * that day (`CLIENT_DAY_LEFT_MS`) ends after it.
 */
export function endsAfterClientDate(row: { stage?: string; clientDueAt?: string; plannedEndAt?: string }): boolean {
  if (row.stage === undefined || WORK_DONE_STAGES.includes(row.stage) || row.clientDueAt === undefined || row.plannedEndAt === undefined) return false;
  return ms(row.plannedEndAt) > ms(row.clientDueAt) + CLIENT_DAY_LEFT_MS;
}

export interface TaskRow {
  taskId: string;
  projectId: string;
  snapshotVersion?: number;
  title: string;
  projectTitle: string;
  department: string;
  status: string;
  assigneeId?: string;
  managerId: string;
  dueAt: string;
  estimateHours: number;
  revisionRound?: number;
  reviewRounds: number;
  clientName?: string;
  submittedAt?: string;
  acceptedAt?: string;
}

export function taskRow(v: TaskView): TaskRow {
  const version = (v as { version?: unknown }).version;
  return {
    taskId: v.taskId,
    projectId: v.projectId,
    ...(typeof version === 'number' && { snapshotVersion: version }),
    title: v.title,
    projectTitle: v.projectTitle,
    department: v.department,
    status: v.status,
    ...(v.assigneeId !== undefined && { assigneeId: v.assigneeId }),
    managerId: v.managerId,
    dueAt: v.dueAt,
    estimateHours: v.estimateHours,
    ...(v.revisionRound !== undefined && { revisionRound: v.revisionRound }),
    reviewRounds: v.reviewRounds,
    ...(v.clientName !== undefined && { clientName: v.clientName }),
    ...(v.submittedAt !== undefined && { submittedAt: v.submittedAt }),
    ...(v.acceptedAt !== undefined && { acceptedAt: v.acceptedAt }),
  };
}

/** The due date a task was planned with: the first move's `from`, else its due date. */
export const originalDueAt = (v: TaskView): string => v.dueDateChanges[0]?.from ?? v.dueAt;

// ---------------------------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------------------------

export function projectFacts(s: ProjectStatus): Fact[] {
  const pid = s.projectId;
  const base = { projectId: pid, managerId: s.managerId };
  const currency = s.budget.currency;
  const facts: Fact[] = [
    { ...base, factId: `intake:${pid}`, kind: 'project_opened', at: s.intakeAt, amount: s.budget.amount, currency: s.budget.currency, label: s.client.id },
  ];

  if (s.firstPlanAt) {
    facts.push({ ...base, factId: `first-plan:${pid}`, kind: 'first_plan', at: s.firstPlanAt, refAt: s.intakeAt, value: ms(s.firstPlanAt) - ms(s.intakeAt) });
  }
  for (const plan of s.plans) {
    facts.push({
      ...base,
      factId: `plan:${pid}:${plan.version}`,
      kind: 'plan_submitted',
      at: plan.submittedAt,
      amount: plan.total,
      currency,
      value: plan.version,
      personId: plan.submittedBy,
    });
    if (plan.decision) {
      facts.push({
        ...base,
        factId: `plan-decision:${pid}:${plan.version}`,
        kind: plan.decision.decision === 'approve' ? 'plan_approved' : 'plan_rejected',
        at: plan.decision.at,
        refAt: plan.submittedAt,
        amount: plan.total,
        currency,
        value: plan.includedRevisionRounds,
        personId: plan.decision.by,
        ref: String(plan.version),
      });
    }
  }
  for (const revision of s.revisions) {
    facts.push({
      ...base,
      factId: `revision:${pid}:${revision.round}`,
      kind: 'revision_round',
      at: revision.requestedAt,
      amount: revision.extraPrice,
      currency,
      value: revision.beyondIncluded ? 1 : 0,
      ref: String(revision.round),
      label: revision.departments.join(' '),
    });
  }
  s.feedback.forEach((feedback, index) => {
    if (feedback.kind === 'accepted') {
      facts.push({
        ...base,
        factId: `feedback:${pid}:${index + 1}`,
        kind: 'client_accepted',
        at: feedback.at,
        ...(feedback.rating !== undefined && { value: feedback.rating }),
        ...(feedback.recordedBy !== undefined && { personId: feedback.recordedBy }),
      });
    } else if (feedback.kind === 'deemed_accepted') {
      facts.push({ ...base, factId: `feedback:${pid}:${index + 1}`, kind: 'deemed_accepted', at: feedback.at });
    }
  });
  for (const complaint of s.complaints) {
    const ref = `${pid}:${complaint.complaintId}`;
    facts.push({ ...base, factId: `complaint:${ref}`, kind: 'complaint', at: complaint.at, ref, personId: complaint.recordedBy });
    if (complaint.resolvedAt) {
      facts.push({
        ...base,
        factId: `complaint-resolved:${ref}`,
        kind: 'complaint_resolved',
        at: complaint.resolvedAt,
        refAt: complaint.at,
        value: ms(complaint.resolvedAt) - ms(complaint.at),
        ref,
        ...(complaint.resolvedBy !== undefined && { personId: complaint.resolvedBy }),
      });
    }
  }
  const overpayments = overpaymentCreditNotes(s);
  for (const invoice of invoicesOf(s)) {
    const credit = isCreditNote(invoice);
    const status = invoiceStatus(invoice);
    const money = { amount: invoice.amount, currency: invoice.currency, ref: invoice.number };
    // A credit note giving back an overpayment says so (the store relabels one first stored without).
    const label = credit && overpayments.has(invoice.number) ? OVERPAYMENT_CREDIT_NOTE : invoice.kind;
    facts.push({ ...base, ...money, factId: `invoice:${invoice.number}`, kind: credit ? 'credit_note' : 'invoice', at: invoice.issuedAt, refAt: invoice.dueAt, label });
    // A payment taken back stays in the ledger as it was entered, with an entry of its own that
    // takes it off again (the ledger is only ever added to): dated when the money went back for a
    // bank's return, and as the payment itself for one entered by mistake (it never came).
    const reversed = invoice.reversedPayments ?? [];
    reversed.forEach((payment, index) => {
      facts.push({
        ...base,
        factId: `payment-reversed:${invoice.number}:${payment.reference}:${index + 1}`,
        kind: credit ? 'refund' : 'payment',
        at: payment.cause === 'returned_by_bank' ? payment.reversedAt : payment.paidAt,
        refAt: invoice.issuedAt,
        amount: -payment.amount,
        currency: invoice.currency,
        ref: invoice.number,
        label: invoice.kind,
        personId: payment.reversedBy,
      });
    });
    // A reference recorded again after its payment was taken back is a payment of its own.
    const takenBackBefore = (reference: string, upTo: number) => reversed.slice(0, upTo).filter((p) => p.reference === reference).length;
    for (const [index, payment] of [...reversed, ...invoice.payments].entries()) {
      const again = takenBackBefore(payment.reference, index);
      facts.push({
        ...base,
        factId: `payment:${invoice.number}:${payment.reference}${again > 0 ? `:${again + 1}` : ''}`,
        kind: credit ? 'refund' : 'payment',
        at: payment.paidAt,
        refAt: invoice.issuedAt,
        amount: payment.amount,
        currency: invoice.currency,
        ref: invoice.number,
        label: invoice.kind,
        personId: payment.recordedBy,
      });
    }
    // A credit note set against an unpaid invoice: no money moved, but each side owes that much less.
    // Undone ones (the invoice turned out paid) are entries of their own, with negative amounts.
    (invoice.setOffs ?? []).forEach((setOff, index) => {
      facts.push({
        ...base,
        factId: `set-off:${invoice.number}:${index + 1}`,
        kind: 'set_off',
        at: setOff.at,
        refAt: invoice.issuedAt,
        amount: setOff.amount,
        currency: invoice.currency,
        ref: invoice.number,
        label: invoice.kind,
      });
    });
    // Days to payment: when the money came, so an invoice settled only by a credit note has none.
    // An invoice settled again after payments were taken back gets a settlement of its own,
    // numbered by those taken back before it (`invoice-settled:<number>:<round>`); the KPIs count
    // only the settlement no payment was taken back after (kpis.ts, SETTLEMENT_STANDS).
    if (!credit && status === 'paid' && invoice.payments.length > 0) {
      const settledAt = latest(invoice.payments.map((p) => p.paidAt))!;
      facts.push({
        ...base,
        ...money,
        factId: `invoice-settled:${invoice.number}${reversed.length > 0 ? `:${reversed.length + 1}` : ''}`,
        kind: 'invoice_settled',
        at: settledAt,
        refAt: invoice.issuedAt,
        // A payment dated a little before the invoice (time zones, the grace a payment date has) is same-day.
        value: Math.max(0, ms(settledAt) - ms(invoice.issuedAt)) / DAY_MS,
        label: invoice.kind,
      });
    }
    const voided = invoice.voidedAmount ?? (status === 'void' ? subtractAmounts(invoice.amount, invoice.paidAmount, invoice.currency) : 0);
    if (voided > 0) {
      facts.push({
        ...base,
        ...money,
        amount: voided,
        factId: `invoice-void:${invoice.number}`,
        kind: 'invoice_void',
        at: invoice.voidedAt ?? s.cancellation?.at ?? invoice.issuedAt,
        refAt: invoice.issuedAt,
        label: invoice.kind,
      });
    }
  }
  if (s.cancellation) {
    facts.push({ ...base, factId: `cancellation:${pid}`, kind: 'cancelled', at: s.cancellation.at, label: s.cancellation.stageAtCancel, personId: s.cancellation.by });
  }
  if (s.completedAt) {
    facts.push({ ...base, factId: `completion:${pid}`, kind: 'completed', at: s.completedAt });
  }
  return facts;
}

export function taskFacts(v: TaskView): Fact[] {
  const base = { projectId: v.projectId, taskId: v.taskId, managerId: v.managerId, department: v.department };
  const due = originalDueAt(v);
  const facts: Fact[] = [];
  if (v.openedAt) {
    facts.push({ ...base, factId: `task-opened:${v.taskId}`, kind: 'task_opened', at: v.openedAt, refAt: due, value: v.estimateHours });
  }
  const first = v.deliverables[0];
  if (first) {
    facts.push({
      ...base,
      factId: `delivery:${v.taskId}:1`,
      kind: 'first_delivery',
      at: first.submittedAt,
      refAt: due,
      personId: first.submittedBy,
      ...(v.revisionRound !== undefined && { value: v.revisionRound }),
    });
  }
  v.reviews.forEach((review, index) => {
    facts.push({ ...base, factId: `review:${v.taskId}:${index + 1}`, kind: 'review', at: review.at, label: review.decision, personId: review.by });
  });
  if (v.status === 'accepted' && v.acceptedAt) {
    facts.push({
      ...base,
      factId: `task-accepted:${v.taskId}`,
      kind: 'task_accepted',
      at: v.acceptedAt,
      refAt: due,
      value: v.reviewRounds,
      ...(v.assigneeId !== undefined && { personId: v.assigneeId }),
    });
  }
  if (v.cancelledAt) {
    facts.push({ ...base, factId: `task-cancelled:${v.taskId}`, kind: 'task_cancelled', at: v.cancelledAt, ...(v.cancelReason && { label: v.cancelReason }) });
  }
  return facts;
}
