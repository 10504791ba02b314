/**
 * Each manager's weekly digest: a Temporal Schedule (`manager-digest`, made by the worker at start
 * from MANAGER_DIGEST, in the agency's zone) starts this workflow, which reads from the reporting
 * store what waits on each manager in their own projects and mails it to them, one mail each.
 */
export const MANAGER_DIGEST_WORKFLOW_TYPE = 'managerDigestWorkflow';
export const MANAGER_DIGEST_SCHEDULE_ID = 'manager-digest';
