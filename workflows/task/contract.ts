/**
 * The task workflow's contract: one child workflow per department task, with its own id and
 * history. Imported by the API, the project workflow and the tests. Workflow-safe.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Department } from '../shared-schemas';
import type {
  ClaimTaskInput,
  MoveDueDateInput,
  ReassignTaskInput,
  ReleaseTaskInput,
  ReviewTaskInput,
  SubmitTaskInput,
  TaskInput,
  TaskStatus,
} from './schemas';

export type { TaskInput, TaskStatus };

export const TASK_WORKFLOW_TYPE = 'taskWorkflow';
const TASK_PREFIX = 'task-';

/** A task's public id joins its project id and its plan key: `p-7f3k2m.design-home`. */
export const taskId = (projectId: string, taskKey: string): string => `${projectId}.${taskKey}`;
export const parseTaskId = (id: string): { projectId: string; taskKey: string } | undefined => {
  const dot = id.indexOf('.');
  if (dot <= 0 || dot === id.length - 1) return undefined;
  return { projectId: id.slice(0, dot), taskKey: id.slice(dot + 1) };
};
export const taskWorkflowId = (id: string): string => `${TASK_PREFIX}${id}`;
export const taskIdFrom = (workflowId: string): string | undefined =>
  workflowId.startsWith(TASK_PREFIX) ? workflowId.slice(TASK_PREFIX.length) : undefined;

export interface Deliverable {
  summary: string;
  links: string[];
  submittedAt: string;
  submittedBy: string;
}

export interface ReviewView {
  decision: 'accept' | 'changes_requested';
  comment: string;
  by: string;
  at: string;
}

export interface TaskNoticeView {
  kind: 'reminder' | 'overdue' | 'escalation';
  dueAt: string;
  sentAt: string;
}

export interface TaskView {
  taskId: string;
  /** Grows with every change of the task: the store keeps the newest, clients tell views apart. */
  version: number;
  projectId: string;
  taskKey: string;
  projectTitle: string;
  clientName: string;
  managerId: string;
  department: Department;
  title: string;
  description: string;
  estimateHours: number;
  price: number;
  dependsOn: string[];
  status: TaskStatus;
  assigneeId?: string;
  dueAt: string;
  dueDateChanges: { from: string; to: string; reason: string; by: string; at: string }[];
  /** Times the manager sent the work back. */
  reviewRounds: number;
  deliverables: Deliverable[];
  reviews: ReviewView[];
  notices: TaskNoticeView[];
  overdue: boolean;
  openedAt?: string;
  submittedAt?: string;
  acceptedAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
  revisionRound?: number;
  history: { at: string; event: string; by?: string; detail?: string }[];
}

/** What the child returns to the project when it ends. */
export interface TaskOutcome {
  taskKey: string;
  status: 'accepted' | 'cancelled';
  view: TaskView;
}

export const getTaskQuery = defineQuery<TaskView>('getStatus');

export const claimTaskUpdate = defineUpdate<TaskView, [ClaimTaskInput]>('claimTask');
export const releaseTaskUpdate = defineUpdate<TaskView, [ReleaseTaskInput]>('releaseTask');
export const submitTaskUpdate = defineUpdate<TaskView, [SubmitTaskInput]>('submitTask');
export const reviewTaskUpdate = defineUpdate<TaskView, [ReviewTaskInput]>('reviewTask');
export const reassignTaskUpdate = defineUpdate<TaskView, [ReassignTaskInput]>('reassignTask');
export const moveDueDateUpdate = defineUpdate<TaskView, [MoveDueDateInput]>('moveDueDate');

/** From the project: every dependency is accepted, the task enters its department's queue. */
export const openTaskSignal = defineSignal<[]>('openTask');
/** From the project: the project was cancelled; the assignee is told. */
export const cancelTaskSignal = defineSignal<[{ reason: string }]>('cancelTask');
