/**
 * Pure helpers over the project's snapshot: how it starts, what a task summary holds, what is
 * owed, and which search attributes describe it. Kept apart from workflow.ts so the process there
 * reads as the business process. Workflow-safe: no I/O, no clock (callers pass the time).
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { InvoiceLine } from '../../activities/contract';
import { fromCents, sumAmounts, toCents } from '../money';
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
import { taskId, type TaskInput } from '../task/contract';
import type { ProjectInput, ProjectStatus, PlanVersionView, TaskChangedSignal, TaskSummary, InvoiceView } from './contract';
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

export const planTotal = (tasks: PlanTask[]): number => sumAmounts(tasks.map((t) => t.price));

export function approvedPlan(status: ProjectStatus): PlanVersionView {
  const plan = status.plans.find((p) => p.version === status.approvedPlanVersion);
  if (!plan) throw new Error('no approved plan'); // a bug, not a business case: fails the task, not the project
  return plan;
}

/** What a plan task (or a revision request) becomes as a child workflow's input. */
export function taskInputFor(
  status: ProjectStatus,
  task: Pick<PlanTask, 'key' | 'department' | 'title' | 'description' | 'estimateHours' | 'dueAt' | 'price' | 'dependsOn'>,
  extra: { startOpen: boolean; revisionRound?: number },
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
    startOpen: extra.startOpen,
  };
}

export function summaryFor(input: TaskInput): TaskSummary {
  return {
    taskId: taskId(input.projectId, input.taskKey),
    key: input.taskKey,
    department: input.department,
    title: input.title,
    status: input.startOpen ? 'open' : 'waiting',
    dueAt: input.dueAt,
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
  summary.overdue = change.overdue;
  if (summary.status === 'accepted' && summary.acceptedAt) {
    summary.onTime = Date.parse(summary.acceptedAt) <= Date.parse(summary.dueAt);
  }
  // Changes-requested goes back to claimed: keep the event list from claiming it was claimed anew.
  return events.filter((e) => !(e === 'task_claimed' && events.includes('task_changes_requested')));
}

export const owedCents = (invoice: InvoiceView): number => toCents(invoice.amount) - toCents(invoice.paidAmount);

/** The final invoice: the approved plan, less the prepayment invoiced, plus extra revision rounds. */
export function finalInvoiceContent(status: ProjectStatus): { amount: number; lines: InvoiceLine[]; prepaymentDeducted: number } {
  const plan = approvedPlan(status);
  const prepayment = status.invoices.find((i) => i.kind === 'prepayment');
  const prepaymentDeducted = prepayment?.amount ?? 0;
  const lines: InvoiceLine[] = [
    ...plan.tasks.map((t) => ({ description: `${t.title} (${t.department})`, amount: t.price })),
    ...status.revisions
      .filter((r) => r.extraPrice > 0)
      .map((r) => ({ description: `Revision round ${r.round}, beyond the included rounds: ${r.description}`, amount: r.extraPrice })),
  ];
  const amount = fromCents(lines.reduce((sum, l) => sum + toCents(l.amount), 0) - toCents(prepaymentDeducted));
  return { amount, lines, prepaymentDeducted };
}

/** After a cancellation: the accepted work, less the prepayment actually received. */
export function cancellationInvoiceContent(status: ProjectStatus): { amount: number; lines: InvoiceLine[]; prepaymentDeducted: number } {
  const accepted = status.tasks.filter((t) => t.status === 'accepted' && t.price > 0);
  const prepaymentPaid = status.invoices.find((i) => i.kind === 'prepayment')?.paidAmount ?? 0;
  const lines = accepted.map((t) => ({ description: `${t.title} (${t.department}), accepted`, amount: t.price }));
  const amount = fromCents(lines.reduce((sum, l) => sum + toCents(l.amount), 0) - toCents(prepaymentPaid));
  return { amount, lines, prepaymentDeducted: prepaymentPaid };
}

/** The project is due when its last task is; before there are tasks, when the client wants it. */
export function projectDueAt(status: ProjectStatus): string {
  const live = status.tasks.filter((t) => t.status !== 'cancelled');
  if (live.length === 0) return status.desiredDeadline;
  return live.reduce((latest, t) => (Date.parse(t.dueAt) > Date.parse(latest) ? t.dueAt : latest), live[0].dueAt);
}

/** The earliest due date among unpaid invoices: "unpaid past due" is `PaymentDueAt < now`. */
export function paymentDueAt(status: ProjectStatus): string | undefined {
  const unpaid = status.invoices.filter((i) => !i.paid);
  if (unpaid.length === 0) return undefined;
  return unpaid.reduce((earliest, i) => (Date.parse(i.dueAt) < Date.parse(earliest) ? i.dueAt : earliest), unpaid[0].dueAt);
}

export const hasOpenComplaint = (status: ProjectStatus): boolean => status.complaints.some((c) => !c.resolvedAt);

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
