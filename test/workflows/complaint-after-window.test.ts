/**
 * A claim is recorded, escalated and resolved whenever it comes (DOMAIN.md): a complaint about a
 * completed project whose complaint window is over runs the project's workflow again, started by
 * update-with-start as the API does (`TemporalGateway.reopenProject`) and carrying on from its
 * final snapshot. Here the workflow is driven directly: the run heard with the complaint, followed
 * up, compensated by a credit note, reported again, ended once settled; and a run whose complaint
 * was refused ending as it began. The HTTP side is test/api/complaint-after-window.test.ts.
 */
import { WithStartWorkflowOperation } from '@temporalio/client';
import fs from 'node:fs';
import path from 'node:path';
import { reopenedProjectInput } from '../../workflows/project/state';
import {
  PROJECT_WORKFLOW_TYPE,
  projectWorkflowId,
  recordFeedbackUpdate,
  resolveComplaintUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
import type { ClientActor, RecordFeedbackInput } from '../../workflows/project/schemas';
import { clientActorId } from '../../workflows/vocabulary';
import {
  approvePlan,
  complaint,
  deliverTask,
  documentsFor,
  LEADER,
  mailFor,
  MANAGER,
  noticesFor,
  pay,
  payInFull,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  refusal,
  startProject,
  startWorkflowTestEnv,
  statusOf,
  timelineEvents,
  waitForNotice,
  waitForStatus,
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

// A reopened run whose complaint never came waits a minute for it (REOPENED_WAITS_FOR_COMPLAINT_MS
// in workflows/project/workflow.ts) before it ends: the second test waits that minute, beside the first.
jest.setTimeout(240_000);

const RESOLUTION_MS = 5_000;

/**
 * A project with a complaint made and resolved during production (c1), then delivered, accepted
 * and paid; its 3-second window over and its workflow ended. Its final snapshot, as the API reads it.
 */
async function completedPastItsWindow(title: string): Promise<ProjectStatus> {
  const input = projectInput({ title, departments: ['seo'], policy: { complaintWindowMs: 3_000, complaintResolutionMs: RESOLUTION_MS } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 1_000 })]));
  await projectUpdate(handle, recordFeedbackUpdate, { args: [complaint('the first draft was late')] });
  await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c1', resolution: 'apologised', by: MANAGER }] });
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: '' }, by: MANAGER }] });
  await payInFull(handle);
  const ended = await handle.result();
  const final = await statusOf(handle);
  expect(final).toEqual(ended);
  expect(final.stage).toBe('completed');
  expect(timelineEvents(final).at(-1)).toBe('complaint_window_closed');
  return final;
}

/** What the API does for a complaint on an ended project: a new run under the same id, with the complaint. */
function reopen(final: ProjectStatus, feedback: RecordFeedbackInput) {
  const startWorkflowOperation = new WithStartWorkflowOperation(PROJECT_WORKFLOW_TYPE, {
    workflowId: projectWorkflowId(final.projectId),
    taskQueue: env.taskQueue,
    args: [reopenedProjectInput(final)],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  const recorded = env.temporal.client.workflow.executeUpdateWithStart(recordFeedbackUpdate, { args: [feedback], startWorkflowOperation });
  return { recorded, run: startWorkflowOperation.workflowHandle() };
}

const runIdOf = async (projectId: string): Promise<{ runId: string; status: string }> => {
  const d = await env.temporal.client.workflow.getHandle(projectWorkflowId(projectId)).describe();
  return { runId: d.runId, status: d.status.name };
};

test.concurrent('a complaint after the window runs the project again: c2 told to the manager and leadership, followed up, refunded, reported again; the run ends once settled', async () => {
  const final = await completedPastItsWindow('Late complaint audit');
  const { projectId } = final;
  const firstRun = await runIdOf(projectId);
  expect(firstRun.status).toBe('COMPLETED');
  const noticesBefore = noticesFor(env, projectId).length;

  // Leadership records it (the client rang them): a new run, carrying on from the final snapshot.
  const { recorded, run } = reopen(final, complaint('the audit missed the shop pages', LEADER));
  const { version } = await recorded;
  const handle = await run;
  let s = await statusOf(handle);
  expect(s.version).toBe(version);
  const reopened = await runIdOf(projectId);
  expect(reopened.status).toBe('RUNNING');
  expect(reopened.runId).not.toBe(firstRun.runId);
  expect(s).toMatchObject({ stage: 'completed', completedAt: final.completedAt, complaintsHeardUntil: final.complaintsHeardUntil, invoices: final.invoices });
  expect(s.timeline.slice(0, final.timeline.length)).toEqual(final.timeline);
  expect(timelineEvents(s).slice(final.timeline.length)).toEqual(['complaint_filed']);
  expect(s.complaints).toEqual([
    expect.not.objectContaining({ afterWindow: expect.anything() }),
    expect.objectContaining({ complaintId: 'c2', afterWindow: true, recordedBy: LEADER.id, description: 'the audit missed the shop pages' }),
  ]);

  // The manager and leadership hear of it, but not the one who recorded it; that the window is over.
  const filed = (await waitForNotice(env, projectId, 'complaint_filed', 2)).find((n) => n.data.complaintId === 'c2')!;
  expect(filed.recipients).toEqual({ personIds: [MANAGER.id], roles: ['leadership'], exceptPersonIds: [LEADER.id] });
  expect(filed.data).toMatchObject({ by: LEADER.id, afterWindow: true, complaintsHeardUntil: final.complaintsHeardUntil });
  expect(noticesFor(env, projectId, 'complaint_filed').find((n) => n.data.complaintId === 'c1')!.data).not.toHaveProperty('afterWindow');
  expect(mailFor(env, filed).map((m) => m.to)).toEqual([['anna.manager@agency.example']]);

  // The client records none after the window, not even in the run heard for one.
  const client: ClientActor = { id: clientActorId(final.client.id), role: 'client', name: 'Jane Doe' };
  expect(await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [complaint('and the blog too', client)] }))).toMatchObject({ type: 'NotAllowed' });

  // Left open past the policy's time: brought to the manager and leadership, once.
  const [unresolved] = await waitForNotice(env, projectId, 'complaint_unresolved', 1, RESOLUTION_MS + 20_000);
  expect(unresolved).toMatchObject({ recipients: { personIds: [MANAGER.id], roles: ['leadership'] }, data: { complaintId: 'c2' } });

  // Resolved with money back: a credit note to the client and the manager, the run waiting for the refund.
  await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c2', resolution: 'shop pages audited, part refunded', compensation: 100, by: MANAGER }] });
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'the credit note');
  const note = s.invoices.find((i) => i.kind === 'credit_note')!;
  expect(note).toMatchObject({ amount: 100, status: 'open' });
  const [issued] = await waitForNotice(env, projectId, 'credit_note_issued');
  expect(issued).toMatchObject({ recipients: { emails: [final.client.email], personIds: [MANAGER.id] }, data: { invoiceNumber: note.number, compensationFor: 'c2' } });
  expect((await runIdOf(projectId)).status).toBe('RUNNING');

  // The refund paid out settles it: the final report is made again, beside the first.
  await pay(handle, { invoiceNumber: note.number, amount: 100, reference: 'REFUND-LATE-1', by: MANAGER });
  const result = (await handle.result()) as ProjectStatus;
  expect(result).toEqual(await statusOf(handle));
  expect(result).toMatchObject({ stage: 'completed', completedAt: final.completedAt });
  expect(result.version).toBeGreaterThan(version);
  const added = timelineEvents(result).slice(final.timeline.length);
  expect(added.filter((e) => e === 'complaint_unresolved')).toHaveLength(1);
  expect(noticesFor(env, projectId, 'complaint_unresolved')).toHaveLength(1);
  const reports = env.effects.documents.filter((d) => d.input.projectId === projectId && d.input.kind === 'final_report');
  expect(documentsFor(env, projectId).filter((d) => d.kind === 'final_report').map((d) => d.sequence)).toEqual([1, 2]);
  expect(new Set(reports.map((r) => r.result.documentId)).size).toBe(2);
  expect(result.documents.filter((d) => d.kind === 'final_report').map((d) => d.documentId)).toEqual(reports.map((r) => r.result.documentId));
  for (const r of reports) expect(fs.existsSync(path.join(env.documentsDir, projectId, `${r.result.documentId}.pdf`))).toBe(true);
  expect(reports[1].input.snapshot.complaints.at(-1)).toMatchObject({ complaintId: 'c2', afterWindow: true, compensation: expect.objectContaining({ amount: 100, settled: true }) });
  expect(noticesFor(env, projectId).length).toBeGreaterThan(noticesBefore);
  expect(await runIdOf(projectId)).toEqual({ runId: reopened.runId, status: 'COMPLETED' });
  // Its last entry says the window is over again (before the fixture is kept: a run without it is not the path).
  expect(added.slice(-4)).toEqual(['refund_paid', 'complaints_settled_after_completion', 'document_produced', 'complaint_window_closed']);
  await recordHistory(handle, 'project-complaint-after-window');
});

test.concurrent('a run started for a complaint the workflow refuses ends after its minute as it began: nothing recorded, told or published anew', async () => {
  const final = await completedPastItsWindow('Refused late complaint');
  const { projectId } = final;
  const firstRun = await runIdOf(projectId);
  const noticesBefore = noticesFor(env, projectId).length;
  const publishedBefore = env.effects.published.filter((p) => p.projectId === projectId).length;

  // Spaces say nothing (the API's schema refuses them first; sent straight to the workflow here).
  const { recorded, run } = reopen(final, complaint('   '));
  expect(await refusal(recorded)).toMatchObject({ type: 'InvalidInput', field: 'description' });
  const handle = await run;
  const reopened = await runIdOf(projectId);
  expect(reopened.status).toBe('RUNNING');
  expect(reopened.runId).not.toBe(firstRun.runId);

  const startedAt = Date.now();
  const result = (await handle.result()) as ProjectStatus;
  expect(Date.now() - startedAt).toBeGreaterThan(50_000);
  expect(result).toEqual(final);
  expect(noticesFor(env, projectId)).toHaveLength(noticesBefore);
  // The run may hand the store its opening version again (the store keeps it as it is), never a newer one.
  const published = env.effects.published.filter((p) => p.projectId === projectId).slice(publishedBefore);
  expect(published.filter((p) => p.seq !== final.version)).toEqual([]);
  expect(await runIdOf(projectId)).toEqual({ runId: reopened.runId, status: 'COMPLETED' });
});
