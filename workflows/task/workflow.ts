// PLACEHOLDER — replaced by the task workflow implementation.
import { condition } from '@temporalio/workflow';
import type { TaskInput, TaskOutcome } from './contract';

export async function taskWorkflow(input: TaskInput): Promise<TaskOutcome> {
  await condition(() => false);
  return { taskKey: input.taskKey, status: 'cancelled' } as TaskOutcome;
}
