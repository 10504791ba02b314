/**
 * The project workflow's contract: message definitions, status snapshot, ids and task queue.
 * Imported by the API, the workflow and the tests. Workflow-safe (types only from schemas.ts).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../shared-schemas';
import type {
  AskForChangesInput,
  CancelProjectInput,
  DeclineChangeRequestInput,
  DecidePlanInput,
  HandOverProjectInput,
  ProjectStage,
  ProjectStatus,
  RecordFeedbackInput,
  RecordPaymentInput,
  ResolveComplaintInput,
  ReversePaymentInput,
  ReworkComplaintInput,
  StartWorkInput,
  SubmitPlanInput,
  WriteOffInput,
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

// The status snapshot and its parts are zod schemas in schemas.ts (one definition for the
// workflow, the API's document and the activities); their types are re-exported here.
export type {
  ChangeRequestView,
  ComplaintView,
  DocumentRef,
  FeedbackView,
  InvoiceView,
  PaymentView,
  ReversedPaymentView,
  PlanDecisionView,
  SetOffView,
  PlanVersionView,
  ProjectStatus,
  RevisionView,
  TaskSummary,
  TimelineEntry,
} from './schemas';
export type { DocumentKind, InvoiceKind } from '../vocabulary';

// ---------------------------------------------------------------------------------------------
// Messages. Updates (with validators) wherever the caller must learn at once whether it worked.
// ---------------------------------------------------------------------------------------------

export const getStatusQuery = defineQuery<ProjectStatus>('getStatus');

/**
 * What every project update answers: the version of the snapshot it produced (the snapshot itself
 * is read from the store or the status query; an answer is written to the history, a snapshot
 * there at every action would not be).
 */
export interface ProjectActionResult {
  projectId: string;
  version: number;
  stage: ProjectStage;
}

export const submitPlanUpdate = defineUpdate<ProjectActionResult, [SubmitPlanInput]>('submitPlan');
export const decidePlanUpdate = defineUpdate<ProjectActionResult, [DecidePlanInput]>('decidePlan');
export const recordFeedbackUpdate = defineUpdate<ProjectActionResult, [RecordFeedbackInput]>('recordFeedback');
export const askForChangesUpdate = defineUpdate<ProjectActionResult, [AskForChangesInput]>('askForChanges');
export const declineChangeRequestUpdate = defineUpdate<ProjectActionResult, [DeclineChangeRequestInput]>('declineChangeRequest');
export const resolveComplaintUpdate = defineUpdate<ProjectActionResult, [ResolveComplaintInput]>('resolveComplaint');
export const reworkComplaintUpdate = defineUpdate<ProjectActionResult, [ReworkComplaintInput]>('reworkComplaint');
export const recordPaymentUpdate = defineUpdate<ProjectActionResult, [RecordPaymentInput]>('recordPayment');
export const reversePaymentUpdate = defineUpdate<ProjectActionResult, [ReversePaymentInput]>('reversePayment');
export const startWorkUpdate = defineUpdate<ProjectActionResult, [StartWorkInput]>('startWorkBeforePrepayment');
export const writeOffUpdate = defineUpdate<ProjectActionResult, [WriteOffInput]>('writeOffInvoice');
export const cancelProjectUpdate = defineUpdate<ProjectActionResult, [CancelProjectInput]>('cancelProject');
export const handOverProjectUpdate = defineUpdate<ProjectActionResult, [HandOverProjectInput]>('handOverProject');

/** Sent by task workflows whenever their status changes, so the project's snapshot stays current. */
export interface TaskChangedSignal {
  taskKey: string;
  status: TaskStatus;
  assigneeId?: string;
  dueAt: string;
  reviewRounds: number;
  /** The first delivery (reports coalesce, so the latest alone would hide it). */
  firstSubmittedAt?: string;
  submittedAt?: string;
  acceptedAt?: string;
  overdue: boolean;
  at: string;
}
export const taskChangedSignal = defineSignal<[TaskChangedSignal]>('taskChanged');

/**
 * Sent by the API when it could not store the opening snapshot of a project it started (the store
 * was down): the run publishes its current snapshot itself (it leaves that to the API otherwise:
 * `starterStoresOpening`).
 */
export const publishAgainSignal = defineSignal('publishSnapshotAgain');

export type { Actor };
