/**
 * The work-reassignment workflow's contract: its type and ids, shared by the API, the worker and
 * the tests. Workflow-safe (types only from schemas.ts).
 */
export type { ReassignAllResult, ReassignedTaskOutcome, WorkReassignmentInput } from './schemas';

export const WORK_REASSIGNMENT_WORKFLOW_TYPE = 'workReassignmentWorkflow';
export const workReassignmentWorkflowId = (reassignmentId: string): string => `reassign-work-${reassignmentId}`;
/** The workflow that mails the one taking the tasks (and the one they were taken from) once the reassignment has answered. */
export const workReassignmentNoticeWorkflowId = (reassignmentId: string): string => `reassign-work-${reassignmentId}-notice`;

/** The update id of one task's part: a retried activity, or a second run of it, changes the task once. */
export const taskReassignmentUpdateId = (reassignmentId: string, taskId: string): string => `reassign-work-${reassignmentId}-${taskId}`;
