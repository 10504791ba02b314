/**
 * The shape of every activity, shared by the workflows (type-only import, through proxyActivities)
 * and by the factories in this folder that implement them. Each takes one input object carrying
 * an idempotency key or a natural key, so a retried activity finds its earlier effect.
 */
import type { Department, Role } from '../workflows/shared-schemas';
import type { DocumentKind, DocumentRef, InvoiceKind, ProjectStatus } from '../workflows/project/contract';
import type { HandOverProjectInput } from '../workflows/project/schemas';
import type { ReassignTaskInput } from '../workflows/task/schemas';
import type { TaskView } from '../workflows/task/contract';
import type { NumberSeries } from '../workflows/invoice-number/contract';

export const NOTIFICATION_TEMPLATES = [
  // staff
  'task_opened',
  'task_changes_requested',
  'task_reassigned',
  'task_unassigned',
  'tasks_reassigned',
  'task_deadline_reminder',
  'task_cancelled',
  // managers
  'task_submitted',
  'task_overdue',
  'task_review_due',
  'plan_decided',
  'plan_overdue',
  'project_handed_over',
  'projects_handed_over',
  'client_response_due',
  'client_accepted',
  'changes_asked',
  'payment_overdue',
  'refund_overdue',
  'invoice_written_off',
  // leadership
  'plan_waiting',
  'plan_approval_escalation',
  'plan_overdue_escalation',
  'task_escalation',
  'task_review_escalation',
  'complaint_filed',
  'payment_escalation',
  'refund_escalation',
  'complaint_unresolved',
  'project_cancelled',
  'project_completed',
  'leadership_digest',
  'manager_digest',
  // clients
  'delivery_ready',
  'invoice_issued',
  'invoice_voided',
  'credit_note_issued',
  'payment_reminder',
  'payment_received',
  'payment_returned',
  'work_started',
  'acceptance_act_to_sign',
  'refund_paid',
  'complaint_resolved',
  'change_request_declined',
  'complaint_rework_started',
  'project_completed_for_client',
] as const;
export type NotificationTemplate = (typeof NOTIFICATION_TEMPLATES)[number];

/** Who receives a message; resolved against the people directory by the activity. */
export interface RecipientSpec {
  personIds?: string[];
  roles?: Role[];
  /** Every staff member of this department. */
  department?: Department;
  /** Addresses outside the directory: the client's contact. */
  emails?: string[];
  /** The configured escalation contact (ESCALATION_EMAIL), falling back to leadership. */
  escalationContact?: boolean;
  /** People not to mail although named above: whoever caused the notice (a task given back is not news to who gave it back). */
  exceptPersonIds?: string[];
}

export interface NotifyInput {
  /** Derived from the workflow and the business event: `project-p1:plan-waiting:v2`. */
  idempotencyKey: string;
  template: NotificationTemplate;
  recipients: RecipientSpec;
  projectId?: string;
  taskId?: string;
  /** The API request whose action caused this notice (absent for timers): for the logs. */
  requestId?: string;
  /** Values the template prints: titles, names, dates, amounts, comments. */
  data: Record<string, string | number | boolean | undefined>;
}

export interface NotifyResult {
  /** Messages handed to the transport by this call (0 when an earlier attempt already sent them). */
  sent: number;
  recipients: string[];
  duplicate: boolean;
}

export interface AllocateInvoiceNumberInput {
  /** `project-p1:final` — the same key always gets the same number. */
  idempotencyKey: string;
  /** The year of the series (UTC): what runs recorded before 2026-12-06 send alone. */
  year: number;
  /**
   * The invoice's moment of issue: when given, the series is its year in the agency's zone
   * (AGENCY_TIME_ZONE), the year its paper is dated in, and `year` is not used.
   */
  issuedAt?: string;
  /** Credit notes are numbered in a series of their own (none: an invoice). */
  series?: NumberSeries;
}

export interface InvoiceLine {
  description: string;
  amount: number;
}

export interface InvoiceContent {
  kind: InvoiceKind;
  number: string;
  amount: number;
  currency: string;
  issuedAt: string;
  dueAt: string;
  lines: InvoiceLine[];
  /**
   * The prepayment taken into account: subtracted from the lines' total on a final or cancellation
   * invoice; on a credit note, the prepayment received that the lines (the accepted work) are
   * subtracted from.
   */
  prepaymentDeducted?: number;
  /**
   * Compensations agreed in resolving complaints: taken off a final or cancellation invoice; on a
   * credit note, what it gives back (with a cancellation's balance, or on their own).
   */
  compensations?: { complaintId: string; amount: number }[];
  /** A credit note that gives back compensations agreed after the final invoice (not a cancellation's settlement). */
  refundsCompensation?: boolean;
  /** A credit note that gives back what the client paid beyond this invoice (its number). */
  overpaymentOf?: string;
  /**
   * On such a credit note: the invoices it was set against because the client had not paid them,
   * each with what that invoice still asks after it. Only the rest is refunded.
   */
  setOffs?: { invoiceNumber: string; amount: number; stillOwed: number }[];
}

export interface ProduceDocumentInput {
  projectId: string;
  kind: DocumentKind;
  /** 1 for the first document of this kind in the project; a later contract (re-approval) is 2. */
  sequence: number;
  /** The document number printed on it (invoice number, or contract/act number). */
  number?: string;
  /** The project's snapshot at the time: client, plan, tasks, feedback... */
  snapshot: ProjectStatus;
  invoice?: InvoiceContent;
}

/**
 * Which workflow's snapshot to hand to the reporting store, and the version that asked for it.
 * A project's snapshot can be megabytes: the activity reads it itself (the status query), so it is
 * never copied into history. A task's view is a few kilobytes and travels with the publish (when
 * it is small enough, see workflows/task/workflow.ts): no query, so no worker answers one per change.
 */
export type PublishSnapshotInput =
  | { kind: 'project'; projectId: string; seq: number }
  | { kind: 'task'; taskId: string; projectId: string; seq: number; view?: TaskView };

/**
 * A workflow's whole snapshot as the reporting store receives it. `seq` is the snapshot's own
 * `version`, which grows with every change; the store keeps the highest it has seen.
 */
export type SnapshotRecord =
  | { kind: 'project'; projectId: string; seq: number; snapshot: ProjectStatus }
  | { kind: 'task'; taskId: string; projectId: string; seq: number; view: TaskView };

/** One project's part of a manager's handover (workflows/manager-handover): its update, by an id that makes it once. */
export interface HandOverProjectPartInput {
  projectId: string;
  updateId: string;
  input: HandOverProjectInput;
}
/** `refused`: the project said no (ended meanwhile, no longer that manager's); nothing changed in it. */
export type HandOverProjectPartResult = { outcome: 'handed_over'; version: number } | { outcome: 'refused'; reason: string };

/** One task's part of a "reassign all" (workflows/work-reassignment): its update, by an id that makes it once. */
export interface ReassignTaskPartInput {
  taskId: string;
  updateId: string;
  input: ReassignTaskInput;
}
/** `refused`: the task said no (delivered or released meanwhile, another department); nothing changed in it. */
export type ReassignTaskPartResult = { outcome: 'reassigned'; version: number } | { outcome: 'refused'; reason: string };

/** One manager's weekly digest: whom it goes to, and what it prints. */
export interface ManagerDigest {
  managerId: string;
  data: NotifyInput['data'];
}

/** The weekly digests (workflows/leadership-digest, workflows/manager-digest): the figures, read at the schedule's moment. */
export interface DigestActivities {
  prepareLeadershipDigest(input: { at: string }): Promise<NotifyInput['data']>;
  /** Every manager with a project under way, money open either way, or a task of theirs held by someone gone; the others get no mail. */
  prepareManagerDigests(input: { at: string }): Promise<ManagerDigest[]>;
}

export interface ProjectActivities {
  notify(input: NotifyInput): Promise<NotifyResult>;
  allocateInvoiceNumber(input: AllocateInvoiceNumberInput): Promise<{ number: string }>;
  produceDocument(input: ProduceDocumentInput): Promise<DocumentRef>;
  publishSnapshot(input: PublishSnapshotInput): Promise<void>;
  handOverProject(input: HandOverProjectPartInput): Promise<HandOverProjectPartResult>;
  reassignTask(input: ReassignTaskPartInput): Promise<ReassignTaskPartResult>;
}
