/**
 * Every task in work of one person given to someone else of the department at once (someone who
 * left, or is away for weeks). The API fixes which tasks (the input); each is then reassigned by
 * the task's own reassign update, as if it had been reassigned alone, so the task decides (one
 * delivered meanwhile stays). The one taking them, and the one they were taken from, get one mail
 * listing every task, not one per task. The run is the reassignment's record: a retried request
 * (the same Idempotency-Key) reads this run's answer, and a request whose API died half-way is
 * finished here all the same.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { NotifyInput, ProjectActivities } from '../../activities/contract';
import { inBatches, mailOnce, UPDATE_ELSEWHERE_OPTIONS } from '../common/many-at-once';
import { NOTICE_ACTIVITY_OPTIONS } from '../common/outbox';
import {
  taskReassignmentUpdateId,
  workReassignmentNoticeWorkflowId,
  type ReassignAllResult,
  type ReassignedTaskOutcome,
  type WorkReassignmentInput,
} from './contract';

const { reassignTask } = proxyActivities<ProjectActivities>(UPDATE_ELSEWHERE_OPTIONS);

const { notify } = proxyActivities<ProjectActivities>(NOTICE_ACTIVITY_OPTIONS);

export async function workReassignmentWorkflow(input: WorkReassignmentInput): Promise<ReassignAllResult> {
  const { reassignmentId, toPersonId, toDepartment, by, tasks } = input;
  const answers = await inBatches(tasks, (task) =>
    reassignTask({
      taskId: task.taskId,
      updateId: taskReassignmentUpdateId(reassignmentId, task.taskId),
      input: { assigneeId: toPersonId, assigneeDepartment: toDepartment, by, partOfReassignment: reassignmentId },
    }),
  );
  // The tasks tried, in the API's order (most urgent first), then those the API knew would stay.
  const answer: ReassignedTaskOutcome[] = [
    ...tasks.map(({ taskId, title }, i): ReassignedTaskOutcome => {
      const part = answers[i]!;
      return part.outcome === 'reassigned' ? { taskId, title, outcome: 'reassigned' } : { taskId, title, outcome: 'refused', detail: part.reason };
    }),
    ...input.stayed.map(({ taskId, title, detail }): ReassignedTaskOutcome => ({ taskId, title, outcome: 'refused', detail })),
  ];
  const reassigned = answer.filter((t) => t.outcome === 'reassigned').length;
  if (reassigned > 0) await mailOnce(workReassignmentNoticeWorkflow, workReassignmentNoticeWorkflowId(reassignmentId), reassignmentNotice(input, answer));
  return { reassigned, refused: answer.length - reassigned, tasks: answer };
}

/** Both people told once: the tasks that moved (with their projects), and those that stayed and why. */
function reassignmentNotice({ reassignmentId, fromPersonId, toPersonId, by, tasks, stayed }: WorkReassignmentInput, answer: ReassignedTaskOutcome[]): NotifyInput {
  const listed = new Map([...tasks, ...stayed].map((t) => [t.taskId, t]));
  const of = (outcome: ReassignedTaskOutcome['outcome']) =>
    JSON.stringify(
      answer
        .filter((t) => t.outcome === outcome)
        .map(({ taskId, title, detail }) => {
          const { projectId, projectTitle, dueAt } = listed.get(taskId)!;
          return {
            taskId,
            title,
            projectId,
            ...(projectTitle !== undefined && { projectTitle }),
            ...(dueAt !== undefined && { dueAt }),
            ...(detail !== undefined && { reason: detail }),
          };
        }),
    );
  return {
    idempotencyKey: `${workReassignmentNoticeWorkflowId(reassignmentId)}:reassigned`,
    template: 'tasks_reassigned',
    // The one they were taken from is told too: someone away comes back to a list of what moved
    // (someone who left is no longer in the directory and gets nothing).
    recipients: { personIds: [toPersonId, fromPersonId] },
    requestId: by.requestId,
    data: { from: fromPersonId, to: toPersonId, by: by.id, tasks: of('reassigned'), stayed: of('refused') },
  };
}

/** The reassignment's mail, sent (and retried while the mail server is down) after the reassignment has answered. */
export async function workReassignmentNoticeWorkflow(notice: NotifyInput): Promise<void> {
  await notify(notice);
}
