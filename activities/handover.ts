/**
 * handOverProject: one project's part of a manager's handover (workflows/manager-handover). It
 * runs the project's own handover update, so the project's validator decides as it does for a
 * handover of that one project; the update id comes from the handover, so a retried attempt (or
 * a worker that died after the update) changes the project once and reads the first answer.
 * reassignTask: one task's part of a "reassign all" (workflows/work-reassignment), the same way
 * through the task's own reassign update.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../common/logger';
import { endedWorkflowMessage } from '../common/temporal';
import { handOverProjectUpdate, projectWorkflowId } from '../workflows/project/contract';
import { reassignTaskUpdate, taskWorkflowId } from '../workflows/task/contract';
import type { HandOverProjectPartInput, HandOverProjectPartResult, ProjectActivities, ReassignTaskPartInput, ReassignTaskPartResult } from './contract';
import { activityLogger } from './log';

export interface HandoverActivityDeps {
  client: Client;
  logger: Logger;
}

export function createHandoverActivities(deps: HandoverActivityDeps): Pick<ProjectActivities, 'handOverProject' | 'reassignTask'> {
  return {
    async handOverProject({ projectId, updateId, input }: HandOverProjectPartInput): Promise<HandOverProjectPartResult> {
      const log = activityLogger(deps.logger, { projectId, updateId, toManagerId: input.toManagerId });
      try {
        const result = await deps.client.workflow
          .getHandle(projectWorkflowId(projectId))
          .executeUpdate(handOverProjectUpdate, { args: [input], updateId });
        log.info({ version: result.version }, 'project handed over');
        return { outcome: 'handed_over', version: result.version };
      } catch (err) {
        const refusal = refusalOf(err);
        if (refusal === undefined) {
          // Temporal or the project's worker did not answer: retried (the same update id).
          log.warn({ err: (err as Error).message }, 'project handover not done yet; retried');
          throw err;
        }
        log.info({ reason: refusal }, 'project refused the handover');
        return { outcome: 'refused', reason: refusal };
      }
    },

    async reassignTask({ taskId, updateId, input }: ReassignTaskPartInput): Promise<ReassignTaskPartResult> {
      const log = activityLogger(deps.logger, { taskId, updateId, toPersonId: input.assigneeId });
      try {
        const view = await deps.client.workflow.getHandle(taskWorkflowId(taskId)).executeUpdate(reassignTaskUpdate, { args: [input], updateId });
        log.info({ version: view.version }, 'task reassigned');
        return { outcome: 'reassigned', version: view.version };
      } catch (err) {
        const refusal = refusalOf(err, 'task');
        if (refusal === undefined) {
          log.warn({ err: (err as Error).message }, 'task reassignment not done yet; retried');
          throw err;
        }
        log.info({ reason: refusal }, 'task refused the reassignment');
        return { outcome: 'refused', reason: refusal };
      }
    },
  };
}

/** The project's (or task's) own no (its validator, or it has ended): the same request gets the same no. */
function refusalOf(err: unknown, what: 'project' | 'task' = 'project'): string | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    // An update the worker never took up (README, What is not finished yet) is not a no: retried.
    return err.cause.nonRetryable && err.cause.type !== 'UnprocessedUpdate' ? err.cause.message : undefined;
  }
  if (err instanceof WorkflowNotFoundError) {
    return endedWorkflowMessage(err.message) ? `the ${what} has ended` : `there is no such ${what}`;
  }
  return undefined;
}
