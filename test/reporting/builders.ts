/**
 * Typed builders for the snapshots the workflows publish: a project and its tasks are driven
 * through business events at chosen times, and each call of `publish()` yields the next snapshot
 * with the next seq, exactly the shape `getStatus` returns. Lets KPI tests build projects with
 * known outcomes (late tasks, rejected plans, partial payments...) dated anywhere in the past.
 */
import type { SnapshotRecord } from '../../activities/contract';
import type { InvoiceKind, InvoiceView, ProjectStatus, TaskSummary } from '../../workflows/project/contract';
import type { Department, Segment } from '../../workflows/shared-schemas';
import { openingTaskView, type TaskView } from '../../workflows/task/contract';

const clone = <T>(v: T): T => structuredClone(v);
const total = (tasks: { price: number }[]) => Math.round(tasks.reduce((n, t) => n + t.price * 100, 0)) / 100;

export const at = (iso: string): string => new Date(iso).toISOString();
/** `hours` after `iso`. */
export const plusHours = (iso: string, hours: number): string => new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
export const plusDays = (iso: string, days: number): string => plusHours(iso, days * 24);

export interface PlanTaskSpec {
  key: string;
  department: Department;
  dueAt: string;
  price?: number;
  estimateHours?: number;
}

/** An invoice; without `status` it is one of a snapshot from before invoices had one (still read right). */
export type InvoiceSpec = Omit<InvoiceView, 'status'> & { status?: InvoiceView['status'] };

export class TaskBuilder {
  private seq = 0;
  readonly view: TaskView;

  constructor(
    private readonly project: ProjectBuilder,
    readonly summary: TaskSummary,
    spec: PlanTaskSpec & { revisionRound?: number },
  ) {
    const p = project.status;
    // The view a task workflow starts from, before its first publish (seq counts from 0 here).
    this.view = {
      ...openingTaskView({
        projectId: p.projectId,
        taskKey: spec.key,
        projectTitle: p.title,
        clientName: p.client.name,
        managerId: p.managerId,
        department: spec.department,
        title: summary.title,
        description: '',
        estimateHours: spec.estimateHours ?? 8,
        price: spec.price ?? 0,
        dependsOn: [],
        dueAt: spec.dueAt,
        reminderLeadMs: 0,
        overdueGraceMs: 0,
        startOpen: false,
        ...(spec.revisionRound !== undefined && { revisionRound: spec.revisionRound }),
      }),
      taskId: summary.taskId,
      version: 0,
    };
  }

  private sync(): this {
    const s = this.summary;
    s.status = this.view.status;
    s.dueAt = this.view.dueAt;
    s.reviewRounds = this.view.reviewRounds;
    if (this.view.assigneeId) s.assigneeId = this.view.assigneeId;
    else delete s.assigneeId;
    if (this.view.submittedAt) s.submittedAt = this.view.submittedAt;
    if (this.view.deliverables[0]) s.firstSubmittedAt = this.view.deliverables[0].submittedAt;
    if (this.view.acceptedAt) {
      s.acceptedAt = this.view.acceptedAt;
      s.onTime = Date.parse(this.view.acceptedAt) <= Date.parse(this.view.dueAt);
    }
    return this;
  }

  open(when: string): this {
    this.view.status = 'open';
    this.view.openedAt ??= when;
    return this.sync();
  }

  claim(personId: string): this {
    this.view.status = 'claimed';
    this.view.assigneeId = personId;
    return this.sync();
  }

  moveDue(to: string, when: string, by = 'someone'): this {
    this.view.dueDateChanges.push({ from: this.view.dueAt, to, reason: 'moved', by, at: when });
    this.view.dueAt = to;
    return this.sync();
  }

  submit(when: string, by = this.view.assigneeId ?? 'someone'): this {
    this.view.deliverables.push({ summary: 'done', links: [], submittedAt: when, submittedBy: by });
    this.view.status = 'submitted';
    this.view.submittedAt = when;
    return this.sync();
  }

  sendBack(when: string): this {
    this.view.reviews.push({ decision: 'changes_requested', comment: 'again', by: this.view.managerId, at: when });
    this.view.reviewRounds += 1;
    this.view.status = 'claimed';
    return this.sync();
  }

  accept(when: string): this {
    this.view.reviews.push({ decision: 'accept', comment: '', by: this.view.managerId, at: when });
    this.view.status = 'accepted';
    this.view.acceptedAt = when;
    return this.sync();
  }

  cancel(when: string): this {
    this.view.status = 'cancelled';
    this.view.cancelledAt = when;
    this.view.cancelReason = 'project cancelled';
    return this.sync();
  }

  /** Shortcut: opened, claimed, delivered (first delivery at `deliveredAt`), accepted. */
  deliver(personId: string, openedAt: string, deliveredAt: string, options: { sendBack?: number; acceptedAt?: string } = {}): this {
    this.open(openedAt).claim(personId).submit(deliveredAt, personId);
    let t = deliveredAt;
    for (let i = 0; i < (options.sendBack ?? 0); i++) {
      t = plusHours(t, 1);
      this.sendBack(t);
      t = plusHours(t, 1);
      this.submit(t, personId);
    }
    return this.accept(options.acceptedAt ?? plusHours(t, 1));
  }

  publish(): SnapshotRecord {
    this.seq += 1;
    this.view.version = this.seq;
    return { kind: 'task', taskId: this.view.taskId, projectId: this.view.projectId, seq: this.seq, view: clone(this.view) };
  }

  get id(): string {
    return this.view.taskId;
  }
}

export class ProjectBuilder {
  private seq = 0;
  readonly status: ProjectStatus;
  readonly tasks = new Map<string, TaskBuilder>();

  constructor(o: {
    projectId: string;
    managerId: string;
    client: { id: string; name: string; segment: Segment };
    intakeAt: string;
    currency?: string;
    departments?: Department[];
    budget?: number;
  }) {
    this.status = {
      projectId: o.projectId,
      version: 0,
      stage: 'planning',
      stageEnteredAt: o.intakeAt,
      title: `Project ${o.projectId}`,
      brief: 'brief',
      client: { ...o.client, email: `${o.client.id}@client.example` },
      segment: o.client.segment,
      managerId: o.managerId,
      departments: o.departments ?? ['design', 'copywriting'],
      budget: { amount: o.budget ?? 10_000, currency: o.currency ?? 'EUR' },
      desiredDeadline: plusDays(o.intakeAt, 60),
      policy: {
        approvalSlaMs: 1,
        escalationSlaMs: 2,
        reminderLeadMs: 1,
        overdueGraceMs: 1,
        acceptanceWindowMs: 1,
        paymentTermsMs: 14 * 86_400_000,
        paymentEscalationMs: 1,
        startAfterPrepayment: false,
      },
      intakeAt: o.intakeAt,
      plans: [],
      tasks: [],
      revisions: [],
      revisionRoundsUsed: 0,
      feedback: [],
      complaints: [],
      invoices: [],
      documents: [],
      timeline: [{ at: o.intakeAt, event: 'intake' }],
      overdue: false,
    };
  }

  private stage(stage: ProjectStatus['stage'], when: string): this {
    this.status.stage = stage;
    this.status.stageEnteredAt = when;
    return this;
  }

  submitPlan(when: string, tasks: PlanTaskSpec[], options: { includedRevisionRounds?: number; prepaymentPercent?: number } = {}): this {
    const version = this.status.plans.length + 1;
    this.status.plans.push({
      version,
      submittedAt: when,
      submittedBy: this.status.managerId,
      tasks: tasks.map((t) => ({
        key: t.key,
        department: t.department,
        title: `${t.department} ${t.key}`,
        description: '',
        estimateHours: t.estimateHours ?? 8,
        dueAt: t.dueAt,
        price: t.price ?? 1_000,
        dependsOn: [],
      })),
      prepaymentPercent: options.prepaymentPercent ?? 0,
      includedRevisionRounds: options.includedRevisionRounds ?? 1,
      total: total(tasks.map((t) => ({ price: t.price ?? 1_000 }))),
    });
    if (!this.status.firstPlanAt) {
      this.status.firstPlanAt = when;
      this.status.responseTimeMs = Date.parse(when) - Date.parse(this.status.intakeAt);
    }
    this.status.pendingPlanVersion = version;
    return this.stage('awaiting_approval', when);
  }

  reject(when: string, by = 'lena'): this {
    const plan = this.status.plans[this.status.plans.length - 1];
    plan.decision = { decision: 'reject', comment: 'no', by, at: when };
    this.status.pendingPlanVersion = undefined;
    return this.stage('planning', when);
  }

  /** Approves the pending plan and creates its tasks (waiting). */
  approve(when: string, by = 'lena'): this {
    const plan = this.status.plans[this.status.plans.length - 1];
    plan.decision = { decision: 'approve', comment: 'go', by, at: when };
    this.status.pendingPlanVersion = undefined;
    this.status.approvedPlanVersion = plan.version;
    for (const t of plan.tasks) this.addTask({ key: t.key, department: t.department, dueAt: t.dueAt, price: t.price, estimateHours: t.estimateHours });
    return this.stage('in_production', when);
  }

  private addTask(spec: PlanTaskSpec & { revisionRound?: number }): TaskBuilder {
    const summary: TaskSummary = {
      taskId: `${this.status.projectId}.${spec.key}`,
      key: spec.key,
      department: spec.department,
      title: `${spec.department} ${spec.key}`,
      status: 'waiting',
      dueAt: spec.dueAt,
      originalDueAt: spec.dueAt,
      price: spec.price ?? 0,
      dependsOn: [],
      reviewRounds: 0,
      overdue: false,
      ...(spec.revisionRound !== undefined && { revisionRound: spec.revisionRound }),
    };
    this.status.tasks.push(summary);
    const builder = new TaskBuilder(this, summary, spec);
    this.tasks.set(spec.key, builder);
    return builder;
  }

  task(key: string): TaskBuilder {
    const t = this.tasks.get(key);
    if (!t) throw new Error(`no task ${key}`);
    return t;
  }

  toClientReview(when: string): this {
    return this.stage('client_review', when);
  }

  /** The client asks for another round: revision tasks (open at once) in the given departments. */
  requestRevisions(when: string, departments: Department[], dueAt: string, extraPrice = 0): TaskBuilder[] {
    const round = this.status.revisionRoundsUsed + 1;
    const included = this.status.plans.find((p) => p.version === this.status.approvedPlanVersion)!.includedRevisionRounds;
    const beyond = round > included;
    const tasks = departments.map((department) => this.addTask({ key: `rev${round}-${department}`, department, dueAt, estimateHours: 1, revisionRound: round }));
    this.status.revisionRoundsUsed = round;
    this.status.revisions.push({
      round,
      description: 'more',
      departments,
      requestedAt: when,
      beyondIncluded: beyond,
      extraPrice: beyond ? extraPrice : 0,
      taskIds: tasks.map((t) => t.id),
    });
    this.status.feedback.push({ at: when, kind: 'revisions_requested', description: 'more', recordedBy: this.status.managerId });
    for (const t of tasks) t.open(when);
    this.stage('in_production', when);
    return tasks;
  }

  clientAccepts(when: string, rating: number): this {
    this.status.feedback.push({ at: when, kind: 'accepted', rating, comment: '', recordedBy: this.status.managerId });
    return this.stage('invoicing', when);
  }

  deemedAccepted(when: string): this {
    this.status.feedback.push({ at: when, kind: 'deemed_accepted' });
    return this.stage('invoicing', when);
  }

  complain(when: string): string {
    const complaintId = `c${this.status.complaints.length + 1}`;
    this.status.complaints.push({ complaintId, description: 'bad', at: when, recordedBy: this.status.managerId });
    this.status.feedback.push({ at: when, kind: 'complaint', description: 'bad', recordedBy: this.status.managerId });
    return complaintId;
  }

  resolve(complaintId: string, when: string): this {
    const c = this.status.complaints.find((x) => x.complaintId === complaintId)!;
    c.resolution = 'fixed';
    c.resolvedAt = when;
    c.resolvedBy = this.status.managerId;
    return this;
  }

  invoice(kind: InvoiceKind | 'credit_note', number: string, amount: number, issuedAt: string, dueAt = plusDays(issuedAt, 14), extra: Partial<InvoiceSpec> = {}): this {
    const invoice: InvoiceSpec = {
      kind: kind as InvoiceKind,
      number,
      amount,
      currency: this.status.budget.currency,
      issuedAt,
      dueAt,
      payments: [],
      paidAmount: 0,
      ...extra,
    };
    this.status.invoices.push(invoice as InvoiceView);
    return this;
  }

  pay(number: string, amount: number, paidAt: string, reference: string): this {
    const invoice = this.status.invoices.find((i) => i.number === number)! as InvoiceSpec;
    invoice.payments.push({ amount, paidAt, reference, recordedAt: paidAt, recordedBy: this.status.managerId });
    invoice.paidAmount = Math.round((invoice.paidAmount + amount) * 100) / 100;
    if (invoice.status !== undefined) invoice.status = invoice.paidAmount >= invoice.amount ? 'paid' : 'open';
    return this;
  }

  /** What the workflow does when a payment is taken back: out of `payments`, into `reversedPayments`, the invoice open again. */
  takeBack(number: string, reference: string, cause: 'entered_by_mistake' | 'returned_by_bank', reversedAt: string): this {
    const invoice = this.status.invoices.find((i) => i.number === number)! as InvoiceView;
    const payment = invoice.payments.find((x) => x.reference === reference)!;
    invoice.payments = invoice.payments.filter((x) => x !== payment);
    (invoice.reversedPayments ??= []).push({ ...payment, reversedAt, reversedBy: this.status.managerId, cause });
    invoice.paidAmount = Math.round((invoice.paidAmount - payment.amount) * 100) / 100;
    invoice.status = 'open';
    return this;
  }

  voidInvoice(number: string, when = this.status.cancellation?.at): this {
    const invoice = this.status.invoices.find((i) => i.number === number)! as InvoiceSpec;
    invoice.status = 'void';
    if (when) invoice.voidedAt = when;
    invoice.voidedAmount = Math.round((invoice.amount - invoice.paidAmount) * 100) / 100;
    return this;
  }

  cancel(when: string, by = 'lena'): this {
    this.status.cancellation = { reason: 'client left', by, at: when, stageAtCancel: this.status.stage };
    for (const t of this.tasks.values()) if (t.view.status !== 'accepted' && t.view.status !== 'cancelled') t.cancel(when);
    return this.stage('cancelled', when);
  }

  complete(when: string): this {
    this.status.completedAt = when;
    return this.stage('completed', when);
  }

  publish(): SnapshotRecord {
    this.seq += 1;
    this.status.version = this.seq;
    return { kind: 'project', projectId: this.status.projectId, seq: this.seq, snapshot: clone(this.status) };
  }

  /** Every snapshot the project and its tasks would publish now. */
  publishAll(): SnapshotRecord[] {
    return [this.publish(), ...[...this.tasks.values()].map((t) => t.publish())];
  }
}
