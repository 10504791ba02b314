/**
 * The task workflow's contract: one child workflow per department task, with its own id and
 * history. Imported by the API, the project workflow and the tests. Workflow-safe.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ClaimTaskInput,
  MoveDueDateInput,
  ReassignTaskInput,
  ReleaseTaskInput,
  ReviewTaskInput,
  SubmitTaskInput,
  TaskInput,
  TaskStatus,
  TaskView,
} from './schemas';

export type { Deliverable, ReviewView, TaskNoticeView } from './schemas';
export type { TaskInput, TaskStatus, TaskView };

export const TASK_WORKFLOW_TYPE = 'taskWorkflow';
const TASK_PREFIX = 'task-';

/** A task's public id joins its project id and its plan key: `p-7f3k2m.design-home`. */
export const taskId = (projectId: string, taskKey: string): string => `${projectId}.${taskKey}`;
export const parseTaskId = (id: string): { projectId: string; taskKey: string } | undefined => {
  const dot = id.indexOf('.');
  if (dot <= 0 || dot === id.length - 1) return undefined;
  return { projectId: id.slice(0, dot), taskKey: id.slice(dot + 1) };
};
/** The key part of a task id: a plan key, or a revision's `rev2.design` (the dot never occurs in plan keys). */
export const TASK_ID_KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,79}$/;
export const taskWorkflowId = (id: string): string => `${TASK_PREFIX}${id}`;
export const taskIdFrom = (workflowId: string): string | undefined =>
  workflowId.startsWith(TASK_PREFIX) ? workflowId.slice(TASK_PREFIX.length) : undefined;

/** What the child returns to the project when it ends. */
export interface TaskOutcome {
  taskKey: string;
  status: 'accepted' | 'cancelled';
  view: TaskView;
}

export const getStatusQuery = defineQuery<TaskView>('getStatus');

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
