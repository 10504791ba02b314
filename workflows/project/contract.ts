/**
 * The project workflow's contract: message definitions, status snapshot, ids and task queue.
 * Imported by the API, the workflow and the tests. Workflow-safe (types only from schemas.ts).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, Department, Money, Policy, Segment } from '../shared-schemas';
import type {
  CancelProjectInput,
  Client,
  DecidePlanInput,
  FeedbackRequest,
  PlanTask,
  ProjectStage,
  RecordFeedbackInput,
  RecordPaymentInput,
  ResolveComplaintInput,
  SubmitPlanInput,
} from './schemas';
import type { TaskStatus } from '../task/schemas';

export type { ProjectStage, ProjectInput } from './schemas';

export const PROJECT_WORKFLOW_TYPE = 'projectWorkflow';
const PROJECT_PREFIX = 'project-';

export const projectWorkflowId = (projectId: string): string => `${PROJECT_PREFIX}${projectId}`;
export const projectIdFrom = (workflowId: string): string | undefined =>
  workflowId.startsWith(PROJECT_PREFIX) ? workflowId.slice(PROJECT_PREFIX.length) : undefined;

/** Project ids: lower-case letters, digits and dashes, so task ids can join them with a dot. */
export const PROJECT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;

// ---------------------------------------------------------------------------------------------
// Status snapshot (GET /api/projects/:id is exactly this)
// ---------------------------------------------------------------------------------------------

export interface TimelineEntry {
  at: string;
  event: string;
  detail?: string;
  by?: string;
}

export interface PlanDecisionView {
  decision: 'approve' | 'reject';
  comment: string;
  by: string;
  at: string;
}

export interface PlanVersionView {
  version: number;
  submittedAt: string;
  submittedBy: string;
  tasks: PlanTask[];
  prepaymentPercent: number;
  includedRevisionRounds: number;
  total: number;
  decision?: PlanDecisionView;
}

export interface TaskSummary {
  taskId: string;
  key: string;
  department: Department;
  title: string;
  status: TaskStatus;
  assigneeId?: string;
  dueAt: string;
  price: number;
  dependsOn: string[];
  /** Times the manager sent the work back. */
  reviewRounds: number;
  submittedAt?: string;
  acceptedAt?: string;
  /** Accepted by the due date; undefined while not accepted. */
  onTime?: boolean;
  overdue: boolean;
  /** Set for tasks opened by a client revision round. */
  revisionRound?: number;
}

export interface RevisionView {
  round: number;
  description: string;
  departments: Department[];
  requestedAt: string;
  /** Beyond the rounds included in the plan: the client pays `extraPrice`. */
  beyondIncluded: boolean;
  extraPrice: number;
  taskIds: string[];
}

export interface FeedbackView {
  at: string;
  kind: FeedbackRequest['kind'] | 'deemed_accepted';
  rating?: number;
  comment?: string;
  description?: string;
  recordedBy?: string;
}

export interface ComplaintView {
  complaintId: string;
  description: string;
  at: string;
  recordedBy: string;
  resolution?: string;
  resolvedAt?: string;
  resolvedBy?: string;
}

export type InvoiceKind = 'prepayment' | 'final' | 'cancellation';

export interface PaymentView {
  amount: number;
  paidAt: string;
  reference: string;
  recordedAt: string;
  recordedBy: string;
}

export interface InvoiceView {
  kind: InvoiceKind;
  number: string;
  amount: number;
  currency: string;
  issuedAt: string;
  dueAt: string;
  documentId?: string;
  payments: PaymentView[];
  paidAmount: number;
  paid: boolean;
}

export type DocumentKind =
  | 'contract'
  | 'prepayment_invoice'
  | 'final_invoice'
  | 'cancellation_invoice'
  | 'acceptance_act'
  | 'final_report';

export interface DocumentRef {
  documentId: string;
  kind: DocumentKind;
  number?: string;
  createdAt: string;
}

export interface ProjectStatus {
  projectId: string;
  /** Grows with every change of the project: the store keeps the newest, clients tell snapshots apart. */
  version: number;
  stage: ProjectStage;
  /** When the project entered its current stage (also the StageEnteredAt search attribute). */
  stageEnteredAt?: string;
  title: string;
  brief: string;
  client: Client;
  segment: Segment;
  managerId: string;
  departments: Department[];
  budget: Money;
  desiredDeadline: string;
  policy: Policy;
  intakeAt: string;
  /** When the first plan was submitted: stops the manager's response-time clock. */
  firstPlanAt?: string;
  responseTimeMs?: number;
  plans: PlanVersionView[];
  /** The version awaiting a decision, if any. */
  pendingPlanVersion?: number;
  approvedPlanVersion?: number;
  /** The last rejection's comment, shown to the manager while revising. */
  lastRejectionComment?: string;
  tasks: TaskSummary[];
  revisions: RevisionView[];
  revisionRoundsUsed: number;
  feedback: FeedbackView[];
  complaints: ComplaintView[];
  invoices: InvoiceView[];
  documents: DocumentRef[];
  timeline: TimelineEntry[];
  overdue: boolean;
  cancellation?: { reason: string; by: string; at: string; stageAtCancel: ProjectStage };
  completedAt?: string;
}

// ---------------------------------------------------------------------------------------------
// Messages. Updates (with validators) wherever the caller must learn at once whether it worked.
// ---------------------------------------------------------------------------------------------

export const getStatusQuery = defineQuery<ProjectStatus>('getStatus');

export const submitPlanUpdate = defineUpdate<ProjectStatus, [SubmitPlanInput]>('submitPlan');
export const decidePlanUpdate = defineUpdate<ProjectStatus, [DecidePlanInput]>('decidePlan');
export const recordFeedbackUpdate = defineUpdate<ProjectStatus, [RecordFeedbackInput]>('recordFeedback');
export const resolveComplaintUpdate = defineUpdate<ProjectStatus, [ResolveComplaintInput]>('resolveComplaint');
export const recordPaymentUpdate = defineUpdate<ProjectStatus, [RecordPaymentInput]>('recordPayment');
export const cancelProjectUpdate = defineUpdate<ProjectStatus, [CancelProjectInput]>('cancelProject');

/** Sent by task workflows whenever their status changes, so the project's snapshot stays current. */
export interface TaskChangedSignal {
  taskKey: string;
  status: TaskStatus;
  assigneeId?: string;
  dueAt: string;
  reviewRounds: number;
  submittedAt?: string;
  acceptedAt?: string;
  overdue: boolean;
  at: string;
}
export const taskChangedSignal = defineSignal<[TaskChangedSignal]>('taskChanged');

export type { Actor };
