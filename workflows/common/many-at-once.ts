/**
 * What a request that changes many workflows at once (a manager's handover, a "reassign all") does
 * the same way: each workflow is changed through its own update, by an activity (a workflow
 * cannot send another an update), and the people are then told once for all of it.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, WorkflowIdReusePolicy, type ActivityOptions } from '@temporalio/workflow';
import type { NotifyInput } from '../../activities/contract';

/**
 * The activity running one workflow's update: it waits for that workflow's worker; one whose
 * worker is gone is tried again (with the same update id) until it answers, for at most a day.
 */
export const UPDATE_ELSEWHERE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '1d',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

/** Workflows changed at the same moment: enough to be quick, few enough not to crowd the workers. */
const AT_ONCE = 4;

/** `act` on each item, AT_ONCE at a time; the answers in the items' order. */
export async function inBatches<Item, Answer>(items: Item[], act: (item: Item) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let first = 0; first < items.length; first += AT_ONCE) answers.push(...(await Promise.all(items.slice(first, first + AT_ONCE).map(act))));
  return answers;
}

/**
 * The one mail, on a workflow of its own so the answer never waits for a mail server that is slow
 * or down. Once per id: another run of the same request mailed them already.
 */
export async function mailOnce(noticeWorkflow: (notice: NotifyInput) => Promise<void>, workflowId: string, notice: NotifyInput): Promise<void> {
  try {
    await startChild(noticeWorkflow, {
      workflowId,
      args: [notice],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
