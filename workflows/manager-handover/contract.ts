/**
 * The manager-handover workflow's contract: its type and id, shared by the API, the worker and
 * the tests. Workflow-safe (types only from schemas.ts).
 */
export type { ManagerHandoverInput, ManagerHandoverResult, ProjectHandoverOutcome } from './schemas';

export const MANAGER_HANDOVER_WORKFLOW_TYPE = 'managerHandoverWorkflow';
export const managerHandoverWorkflowId = (handoverId: string): string => `handover-${handoverId}`;
/** The workflow that mails both managers once the handover has answered. */
export const managerHandoverNoticeWorkflowId = (handoverId: string): string => `handover-${handoverId}-notice`;

/** The update id of one project's part: a retried activity, or a second run of it, changes the project once. */
export const projectHandoverUpdateId = (handoverId: string, projectId: string): string => `handover-${handoverId}-${projectId}`;
