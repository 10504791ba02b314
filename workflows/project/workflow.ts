// PLACEHOLDER — replaced by the project workflow implementation.
import { condition, setHandler } from '@temporalio/workflow';
import { getStatusQuery, type ProjectInput, type ProjectStatus } from './contract';

export async function projectWorkflow(input: ProjectInput): Promise<ProjectStatus> {
  const status = { projectId: input.projectId, stage: 'planning' } as ProjectStatus;
  setHandler(getStatusQuery, () => status);
  await condition(() => false);
  return status;
}
