/**
 * Activity log lines name the business object (projectId / taskId) and the workflow that asked,
 * so a mail or a document can be traced back to its project's history.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import type { Logger } from '../common/logger';

export function activityLogger(base: Logger, fields: { projectId?: string; taskId?: string; [key: string]: unknown }): Logger {
  // Outside an activity (unit tests, scripts) there is no context: log without the workflow fields.
  const info = asyncLocalStorage.getStore()?.info;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return base.child({
    ...(info && {
      workflowId: info.workflowExecution?.workflowId,
      activityType: info.activityType,
      attempt: info.attempt,
    }),
    ...defined,
  });
}
