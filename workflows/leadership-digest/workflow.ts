/**
 * The weekly digest, as the business does it: on the schedule's day, read where every project
 * stands, then tell leadership once (the notice's key is this run's: a retried send mails nobody
 * twice, the next week's run mails again).
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DigestActivities, ProjectActivities } from '../../activities/contract';

const { prepareLeadershipDigest } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 20 },
});
const { notify } = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', maximumAttempts: 50 },
});

export async function leadershipDigestWorkflow(): Promise<void> {
  const { workflowId, runId, startTime } = workflowInfo();
  const data = await prepareLeadershipDigest({ at: startTime.toISOString() });
  await notify({ idempotencyKey: `${workflowId}:${runId}`, template: 'leadership_digest', recipients: { roles: ['leadership'] }, data });
}
