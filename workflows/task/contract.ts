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

/**
 * A task's view as its workflow begins, before anything has happened to it (version 1, waiting):
 * the workflow starts from it, and the API shows it for a task the reporting store has not seen
 * yet, read from the start event's input (Temporal answers that without a worker).
 */
export function openingTaskView(input: TaskInput): TaskView {
  return {
    taskId: taskId(input.projectId, input.taskKey),
    projectId: input.projectId,
    taskKey: input.taskKey,
    projectTitle: input.projectTitle,
    clientName: input.clientName,
    managerId: input.managerId,
    department: input.department,
    title: input.title,
    description: input.description,
    estimateHours: input.estimateHours,
    price: input.price,
    dependsOn: input.dependsOn,
    ...(input.dependencies !== undefined && { dependencies: input.dependencies }),
    version: 1,
    status: 'waiting',
    dueAt: input.dueAt,
    dueDateChanges: [],
    reviewRounds: 0,
    deliverables: [],
    reviews: [],
    notices: [],
    overdue: false,
    ...(input.revisionRound !== undefined && { revisionRound: input.revisionRound }),
    history: [],
  };
}

/** What the child returns to the project when it ends. */
export interface TaskOutcome {
  taskKey: string;
  status: 'accepted' | 'cancelled';
  view: TaskView;
}

/**
 * After a person's action, how long the task waits for the next one before it reports to its
 * project, publishes its view and sends its notices (runs since the `task-reports-when-quiet`
 * patch), and the longest it waits while actions keep coming. Each report, publish and notice ends
 * in a workflow task of its own, and an action arriving meanwhile waited for it: back to back, an
 * action took twice what it takes on its own. The API writes each action's answer to the store
 * itself, so lists do not wait for this; a quarter of a second is nothing to a mail.
 */
export const REPORT_QUIET_MS = 250;
export const REPORT_AT_MOST_MS = 2_000;

export const getStatusQuery = defineQuery<TaskView>('getStatus');

export const claimTaskUpdate = defineUpdate<TaskView, [ClaimTaskInput]>('claimTask');
export const releaseTaskUpdate = defineUpdate<TaskView, [ReleaseTaskInput]>('releaseTask');
export const submitTaskUpdate = defineUpdate<TaskView, [SubmitTaskInput]>('submitTask');
export const reviewTaskUpdate = defineUpdate<TaskView, [ReviewTaskInput]>('reviewTask');
export const reassignTaskUpdate = defineUpdate<TaskView, [ReassignTaskInput]>('reassignTask');
export const moveDueDateUpdate = defineUpdate<TaskView, [MoveDueDateInput]>('moveDueDate');

/** From the project: every dependency is accepted, the task enters its department's queue. */
export const openTaskSignal = defineSignal<[]>('openTask');
/** From the project: it was handed to another manager, who reviews this task from now on. */
export const managerChangedSignal = defineSignal<[{ managerId: string; by: string }]>('managerChanged');
/** From the project: the project was cancelled; the assignee is told. */
export const cancelTaskSignal = defineSignal<[{ reason: string }]>('cancelTask');
