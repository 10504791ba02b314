/**
 * A manager's projects handed to another at once. The API fixes which projects (the input); each
 * is then handed over by its own workflow's handover update, as if the project had been handed
 * over alone: the client and both managers are told, its tasks follow. The run is the handover's
 * record: a retried request (the same Idempotency-Key) reads this run's answer, and a request
 * whose API died half-way is finished here all the same.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ProjectActivities } from '../../activities/contract';
import { projectHandoverUpdateId, type ManagerHandoverInput, type ManagerHandoverResult, type ProjectHandoverOutcome } from './contract';

const { handOverProject } = proxyActivities<ProjectActivities>({
  // An update waits for its project's worker; a project whose worker is gone is tried again
  // (with the same update id) until it answers, for at most a day.
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '1d',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** Projects handed over at the same moment: enough to be quick, few enough not to crowd the workers. */
const AT_ONCE = 4;

export async function managerHandoverWorkflow(input: ManagerHandoverInput): Promise<ManagerHandoverResult> {
  const { handoverId, fromManagerId, toManagerId, note, by, projects } = input;
  const outcomes: ProjectHandoverOutcome[] = [];
  for (let first = 0; first < projects.length; first += AT_ONCE) {
    const batch = projects.slice(first, first + AT_ONCE);
    const answers = await Promise.all(
      batch.map((project) =>
        handOverProject({
          projectId: project.projectId,
          updateId: projectHandoverUpdateId(handoverId, project.projectId),
          input: { toManagerId, fromManagerId, ...(note !== undefined && { note }), by },
        }),
      ),
    );
    batch.forEach((project, i) => outcomes.push({ ...project, ...answers[i]! }));
  }
  const handedOver = outcomes.filter((o) => o.outcome === 'handed_over').length;
  return {
    handoverId,
    fromManagerId,
    toManagerId,
    ...(note !== undefined && { note }),
    by: by.id,
    handedOver,
    refused: outcomes.length - handedOver,
    projects: outcomes,
  };
}
