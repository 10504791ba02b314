/**
 * A manager's projects handed to another at once. The API fixes which projects (the input); each
 * is then handed over by its own workflow's handover update, as if the project had been handed
 * over alone: its client is told, its tasks follow. Both managers get one mail listing every
 * project, not one per project. The run is the handover's record: a retried request (the same
 * Idempotency-Key) reads this run's answer, and a request whose API died half-way is finished
 * here all the same.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { NotifyInput, ProjectActivities } from '../../activities/contract';
import { inBatches, mailOnce, UPDATE_ELSEWHERE_OPTIONS } from '../common/many-at-once';
import { NOTICE_ACTIVITY_OPTIONS } from '../common/outbox';
import {
  managerHandoverNoticeWorkflowId,
  projectHandoverUpdateId,
  type ManagerHandoverInput,
  type ManagerHandoverResult,
  type ProjectHandoverOutcome,
} from './contract';

const { handOverProject } = proxyActivities<ProjectActivities>(UPDATE_ELSEWHERE_OPTIONS);

const { notify } = proxyActivities<ProjectActivities>(NOTICE_ACTIVITY_OPTIONS);

export async function managerHandoverWorkflow(input: ManagerHandoverInput): Promise<ManagerHandoverResult> {
  const { handoverId, fromManagerId, toManagerId, note, by, projects } = input;
  // Runs started before 2026-12-04 left the managers' mails to each project.
  const oneMailForAll = patched('handover-summary-mail');
  const answers = await inBatches(projects, (project) =>
    handOverProject({
      projectId: project.projectId,
      updateId: projectHandoverUpdateId(handoverId, project.projectId),
      input: { toManagerId, fromManagerId, ...(note !== undefined && { note }), by, ...(oneMailForAll && { partOfHandover: handoverId }) },
    }),
  );
  const outcomes: ProjectHandoverOutcome[] = projects.map((project, i) => ({ ...project, ...answers[i]! }));
  const handedOver = outcomes.filter((o) => o.outcome === 'handed_over').length;
  if (oneMailForAll && handedOver > 0) await mailOnce(managerHandoverNoticeWorkflow, managerHandoverNoticeWorkflowId(handoverId), handoverNotice(input, outcomes));
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

/** Both managers told once: the projects that moved, and those that stayed and why. */
function handoverNotice({ handoverId, fromManagerId, toManagerId, note, by }: ManagerHandoverInput, outcomes: ProjectHandoverOutcome[]): NotifyInput {
  const listed = (outcome: ProjectHandoverOutcome['outcome']) =>
    JSON.stringify(
      outcomes
        .filter((o) => o.outcome === outcome)
        .map(({ projectId, title, clientName, reason }) => ({ projectId, title, clientName, ...(outcome === 'refused' && { reason }) })),
    );
  return {
    idempotencyKey: `${managerHandoverNoticeWorkflowId(handoverId)}:handed-over`,
    template: 'projects_handed_over',
    recipients: { personIds: [toManagerId, fromManagerId] },
    requestId: by.requestId,
    data: { from: fromManagerId, to: toManagerId, by: by.id, ...(note !== undefined && { note }), projects: listed('handed_over'), stayed: listed('refused') },
  };
}

/** The handover's mail to both managers, sent (and retried while the mail server is down) after the handover has answered. */
export async function managerHandoverNoticeWorkflow(notice: NotifyInput): Promise<void> {
  await notify(notice);
}
