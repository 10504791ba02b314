/**
 * A complaint made after the window while the project's run is ending — its window closed, its
 * last notices held by a mail outage — is heard in that run, which stays open for it and ends once
 * it is settled (workflow.ts, `endRunHearingLateComplaints`). Before, it was refused ("the project
 * is closing; send the complaint again in a moment") for as long as the mail server stayed down.
 * The API's side of a complaint after the window is test/api/complaint-after-window.test.ts.
 */
import { projectWorkflowId, recordFeedbackUpdate, resolveComplaintUpdate, type ProjectStatus } from '../../workflows/project/contract';
import {
  approvePlan,
  complaint,
  deliverTask,
  LEADER,
  mailFor,
  MANAGER,
  noticesFor,
  payInFull,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  startProject,
  startWorkflowTestEnv,
  statusOf,
  timelineEvents,
  waitForNotice,
  waitForStatus,
  type WorkflowTestEnv,
} from './support';
import { eventually } from '../support/temporal';

// Its own worker and mail server: the outage below must not touch other files' mail.
let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

// Mail held by the outage goes out at its next retry, within a minute of the server's return.
jest.setTimeout(300_000);

const RESOLUTION_MS = 4_000;

/**
 * A project completed and paid; within its window, with the mail server down, a complaint made and
 * resolved (c1), so its notices wait for the server and the run cannot end once the window closes.
 * The mail server is left down; the run is ending, its window closed.
 */
async function endingRun(title: string) {
  const input = projectInput({ title, departments: ['seo'], policy: { complaintWindowMs: 10_000, complaintResolutionMs: RESOLUTION_MS } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 1_000 })]));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] });
  await payInFull(handle);
  await waitForStatus(handle, (s) => s.stage === 'completed' && s.complaintsHeardUntil !== undefined, 'completed, hearing complaints');
  await env.smtp.stop();
  await projectUpdate(handle, recordFeedbackUpdate, { args: [complaint('the audit came a day late')] });
  await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c1', resolution: 'apologised', by: MANAGER }] });
  const closed = await waitForStatus(handle, (s) => timelineEvents(s).at(-1) === 'complaint_window_closed', 'the window closed', 30_000);
  expect(closed.timeline.at(-1)?.detail).toBeUndefined();
  const { runId, status } = await handle.describe();
  expect(status.name).toBe('RUNNING');
  return { projectId, handle, closed, runId };
}

/** Leadership records a complaint the client rang them with: taken, as one made after the window. */
async function lateComplaint(handle: Awaited<ReturnType<typeof endingRun>>['handle']): Promise<void> {
  const { version } = await projectUpdate(handle, recordFeedbackUpdate, { args: [complaint('the shop pages were never audited', LEADER)] });
  const s = await statusOf(handle);
  expect(s.version).toBe(version);
  expect(s.complaints.at(-1)).toMatchObject({ complaintId: 'c2', afterWindow: true, recordedBy: LEADER.id });
  expect(s.complaints[0]).not.toHaveProperty('afterWindow');
}

/** The run ended — the same run, not one started again — its last entry saying what it was kept open for. */
async function endedKeptOpen(ending: Awaited<ReturnType<typeof endingRun>>, expectedAdded: string[]): Promise<ProjectStatus> {
  const { handle, closed, runId, projectId } = ending;
  const result = (await handle.result()) as ProjectStatus;
  expect(result).toEqual(await statusOf(handle));
  expect(timelineEvents(result).slice(closed.timeline.length)).toEqual(expectedAdded);
  expect(result.timeline.at(-1)?.detail).toBe('what the project was kept open for is settled');
  expect(result.complaints.map((c) => c.resolvedAt !== undefined)).toEqual([true, true]);
  const ended = await env.temporal.client.workflow.getHandle(projectWorkflowId(projectId)).describe();
  expect({ runId: ended.runId, status: ended.status.name }).toEqual({ runId, status: 'COMPLETED' });
  // The report made again counts c2.
  const reports = env.effects.documents.filter((d) => d.input.projectId === projectId && d.input.kind === 'final_report');
  expect(reports.at(-1)?.input.snapshot.complaints.map((c) => c.complaintId)).toEqual(['c1', 'c2']);
  return result;
}

test('a complaint made while the run is ending keeps it open: heard as one after the window, followed up, settled, then the run ends', async () => {
  const ending = await endingRun('Ending audit');
  const { projectId, handle } = ending;
  await lateComplaint(handle);

  // The mail is back: every notice held goes out, c2's too; the run hears c2 as it would within
  // the window: left open past the policy's time, it is brought to the manager and leadership.
  await env.smtp.start();
  const filed = await eventually(
    async () => {
      const c2 = noticesFor(env, projectId, 'complaint_filed').find((n) => n.data.complaintId === 'c2');
      return c2 && mailFor(env, c2).length > 0 ? c2 : undefined;
    },
    { what: 'c2 mailed once the mail server is back', timeoutMs: 150_000 },
  );
  expect(filed).toMatchObject({ recipients: { personIds: [MANAGER.id], roles: ['leadership'], exceptPersonIds: [LEADER.id] }, data: { afterWindow: true } });
  const [unresolved] = await waitForNotice(env, projectId, 'complaint_unresolved', 1, RESOLUTION_MS + 20_000);
  expect(unresolved.data).toMatchObject({ complaintId: 'c2' });
  expect((await handle.describe()).status.name).toBe('RUNNING');

  await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c2', resolution: 'shop pages audited', by: MANAGER }] });
  await endedKeptOpen(ending, ['complaint_filed', 'complaint_unresolved', 'complaint_resolved', 'complaints_settled_after_completion', 'document_produced', 'complaint_window_closed']);
  expect(noticesFor(env, projectId, 'complaint_unresolved')).toHaveLength(1);
  await recordHistory(handle, 'project-complaint-while-ending');
});

test('a complaint made and resolved while the run is ending still has the report made again before the run ends', async () => {
  const ending = await endingRun('Ending audit resolved');
  const { projectId, handle } = ending;
  await lateComplaint(handle);
  // Resolved while the mail is still down: the run has not heard it yet.
  await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c2', resolution: 'shop pages audited', by: MANAGER }] });
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await env.smtp.start();
  await endedKeptOpen(ending, ['complaint_filed', 'complaint_resolved', 'complaints_settled_after_completion', 'document_produced', 'complaint_window_closed']);
  expect(noticesFor(env, projectId).every((n) => mailFor(env, n).length > 0)).toBe(true);
});
