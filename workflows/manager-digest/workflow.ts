/**
 * The managers' weekly digest, as the business does it: on the schedule's day, read what waits on
 * each manager, then tell each of them once (each notice's key is this run's and the manager's: a
 * retried send mails nobody twice, the next week's run mails again). Whom to mail is the
 * activity's to say (`prepareManagerDigests`: nothing under way, nothing owed and no task held by
 * someone gone, no mail).
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DigestActivities, ProjectActivities } from '../../activities/contract';

const { prepareManagerDigests } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 20 },
});
const { notify } = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', maximumAttempts: 50 },
});

export async function managerDigestWorkflow(): Promise<void> {
  const { workflowId, runId, startTime } = workflowInfo();
  const digests = await prepareManagerDigests({ at: startTime.toISOString() });
  // One mail each, side by side: a manager whose mail server is slow holds up nobody else's.
  await Promise.all(
    digests.map(({ managerId, data }) =>
      notify({ idempotencyKey: `${workflowId}:${runId}:${managerId}`, template: 'manager_digest', recipients: { personIds: [managerId] }, data }),
    ),
  );
}
