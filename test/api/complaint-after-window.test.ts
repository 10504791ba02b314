/**
 * A claim is recorded, escalated and resolved whenever it comes (DOMAIN.md): a complaint about a
 * completed project whose complaint window is over runs the project's workflow again for it
 * (update-with-start, carrying on from the final snapshot). Over HTTP against a real Temporal:
 * who may record one, retries and two at once, a compensation refunded by a credit note, the
 * final report made again, the run ending once it is settled, and the KPIs counting it.
 */
import type { Response } from 'supertest';
import type { KpiComplaintList } from '../../api/kpi-feedback-schemas';
import type { ProjectStatus } from '../../workflows/project/contract';
import { completedProject, projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

const statusOf = async (projectId: string): Promise<ProjectStatus> =>
  (await h.http().get(`/api/projects/${projectId}`).set(h.auth('leadership')).expect(200)).body as ProjectStatus;

const runOf = async (projectId: string): Promise<{ runId: string; status: string }> => {
  const d = await h.temporal.client.workflow.getHandle(`project-${projectId}`).describe();
  return { runId: d.runId, status: d.status.name };
};

/** Waits for the project's latest run to have ended; its run id. */
const ended = (projectId: string, what: string): Promise<string> =>
  eventually(async () => {
    const run = await runOf(projectId);
    return run.status === 'COMPLETED' ? run.runId : undefined;
  }, { what, timeoutMs: 60_000 });

function expectProblem(res: Response, status: number, field?: string): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (field) expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
}

const complain = (who: Parameters<ApiHarness['auth']>[0], projectId: string, description: string, key?: string) => {
  const req = h.http().post(`/api/projects/${projectId}/feedback`).set(h.auth(who));
  return (key ? req.set('Idempotency-Key', key) : req).send({ kind: 'complaint', description });
};

/** A project completed and paid, its 3-second window over and its workflow ended. */
async function completedPastItsWindow(title: string): Promise<{ projectId: string; final: ProjectStatus; firstRun: string }> {
  const completed = await completedProject(h, title, '3s');
  const firstRun = await ended(completed.projectId, 'the workflow ended with its window');
  const final = await statusOf(completed.projectId);
  expect(final.timeline.at(-1)?.event).toBe('complaint_window_closed');
  return { projectId: completed.projectId, final, firstRun };
}

test('a complaint after the window runs the project again: recorded once however often it is sent, two at once in one run, refunded, reported again, and the run ends', async () => {
  const { projectId, final, firstRun } = await completedPastItsWindow('Late complaint banner');

  // Refused, changing nothing: staff, a complaint that says nothing, and the client on their link
  // (told in their words to write to their manager).
  expectProblem(await complain('designer', projectId, 'The banner fades'), 403);
  const link = (await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string;
  const byClient = await h
    .http()
    .post(`/api/client/projects/${projectId}/answers`)
    .query({ key: new URL(link).searchParams.get('key')! })
    .send({ kind: 'complaint', name: 'John Roe', description: 'The banner fades' });
  expectProblem(byClient, 409);
  expect(byClient.body.detail).toBe('A complaint about this project is no longer taken here: nothing was recorded. Please write to your account manager.');
  expectProblem(await complain('manager', projectId, '   '), 400, 'description');
  expect(await runOf(projectId)).toEqual({ runId: firstRun, status: 'COMPLETED' });
  expect(await statusOf(projectId)).toEqual(final);

  // The manager records it: the project's workflow runs again, from where it ended.
  const key = uniqueId('after-window');
  const first = await complain('manager', projectId, 'The banner fades after a month', key);
  expect(first.status).toBe(200);
  const reopened = first.body as ProjectStatus;
  expect(reopened).toMatchObject({ stage: 'completed', completedAt: final.completedAt, complaintsHeardUntil: final.complaintsHeardUntil });
  expect(reopened.complaints).toEqual([expect.objectContaining({ complaintId: 'c1', afterWindow: true, recordedBy: h.people.manager.id, description: 'The banner fades after a month' })]);
  expect(reopened.version).toBeGreaterThan(final.version);
  expect(reopened.invoices).toEqual(final.invoices);
  expect(reopened.timeline.slice(0, final.timeline.length)).toEqual(final.timeline);
  const second = await runOf(projectId);
  expect(second.status).toBe('RUNNING');
  expect(second.runId).not.toBe(firstRun);

  // The same request again is the same complaint; two others at once go to the one run.
  const again = await complain('manager', projectId, 'The banner fades after a month', key);
  expect(again.status).toBe(200);
  expect((again.body as ProjectStatus).complaints).toHaveLength(1);
  const [byManager, byLeadership] = await Promise.all([
    complain('manager', projectId, 'The logo is the old one'),
    complain('leadership', projectId, 'The client called me about the colours'),
  ]);
  expect([byManager.status, byLeadership.status]).toEqual([200, 200]);
  const both = await statusOf(projectId);
  expect(both.complaints.map((c) => c.description).sort()).toEqual(['The banner fades after a month', 'The client called me about the colours', 'The logo is the old one']);
  expect(both.complaints.every((c) => c.afterWindow)).toBe(true);
  expect((await runOf(projectId)).runId).toBe(second.runId);

  // Resolved as any complaint: one with money back is a credit note, refunded.
  const resolve = (complaintId: string, body: object) =>
    h.http().post(`/api/projects/${projectId}/complaints/${complaintId}/resolution`).set(h.auth('manager')).send(body);
  expectProblem(await resolve('c1', { resolution: 'Reprinted', compensation: 1_000_000 }), 400, 'compensation');
  expect((await resolve('c1', { resolution: 'Reprinted with fade-proof ink', compensation: 100 })).status).toBe(200);
  for (const c of ['c2', 'c3']) expect((await resolve(c, { resolution: 'Put right' })).status).toBe(200);
  const credited = await eventually(async () => {
    const s = await statusOf(projectId);
    return s.invoices.find((i) => i.kind === 'credit_note' && i.documentId !== undefined) ? s : undefined;
  }, { what: 'the credit note', timeoutMs: 30_000 });
  const note = credited.invoices.find((i) => i.kind === 'credit_note')!;
  expect(note).toMatchObject({ amount: 100, status: 'open' });
  expect((await runOf(projectId)).status).toBe('RUNNING');
  const refund = { invoiceNumber: note.number, amount: 100, paidAt: new Date().toISOString(), reference: 'REFUND-LATE-1' };
  expect((await h.http().post(`/api/projects/${projectId}/payments`).set(h.auth('manager')).send(refund)).status).toBe(200);

  // Settled: the final report is made again and the run ends.
  const thirdRun = await ended(projectId, 'the reopened run ended once settled');
  expect(thirdRun).toBe(second.runId);
  const settled = await statusOf(projectId);
  expect(settled.documents.filter((d) => d.kind === 'final_report')).toHaveLength(2);
  expect(settled.timeline.map((e) => e.event)).toContain('complaints_settled_after_completion');
  expect(settled.timeline.at(-1)).toMatchObject({ event: 'complaint_window_closed', detail: 'what the project was opened again for is settled' });
  expect(settled.complaints.every((c) => c.resolvedAt !== undefined)).toBe(true);

  // The first request once more, its run over: still one complaint, nothing run again.
  const late = await complain('manager', projectId, 'The banner fades after a month', key);
  expect(late.status).toBe(200);
  expect((late.body as ProjectStatus).complaints).toHaveLength(3);
  expect(await runOf(projectId)).toEqual({ runId: second.runId, status: 'COMPLETED' });

  // Leadership's figures count them: filed in the period, by the project's manager.
  const from = new Date(Date.parse(final.completedAt!) - 60_000).toISOString();
  const listed = await h
    .http()
    .get('/api/reports/kpis/feedback')
    .query({ complaints: 'filed', from, to: new Date(Date.now() + 60_000).toISOString(), managerId: h.people.manager.id })
    .set(h.auth('leadership'))
    .expect(200);
  const ours = (listed.body as KpiComplaintList).items.filter((i) => i.projectId === projectId);
  expect(ours.map((i) => i.description).sort()).toEqual(['The banner fades after a month', 'The client called me about the colours', 'The logo is the old one']);
  expect(ours.map((i) => i.afterWindow)).toEqual([true, true, true]);
});

test('a project run again and settled is run again for the next complaint; a cancelled project that ended takes none', async () => {
  const { projectId } = await completedPastItsWindow('Twice late');
  expect((await complain('leadership', projectId, 'Wrong font')).status).toBe(200);
  expect((await h.http().post(`/api/projects/${projectId}/complaints/c1/resolution`).set(h.auth('leadership')).send({ resolution: 'Font fixed' })).status).toBe(200);
  const secondRun = await ended(projectId, 'the first reopened run ended');
  const next = await complain('manager', projectId, 'Wrong colour too');
  expect(next.status).toBe(200);
  expect((next.body as ProjectStatus).complaints.map((c) => c.complaintId)).toEqual(['c1', 'c2']);
  expect((await runOf(projectId)).runId).not.toBe(secondRun);
  // While it is open the project goes to another manager as any, who resolves it; the run ends.
  const handedOver = await h.http().post(`/api/projects/${projectId}/handover`).set(h.auth('leadership')).send({ toManagerId: h.people.otherManager.id });
  expect(handedOver.status).toBe(200);
  expect((handedOver.body as ProjectStatus).managerId).toBe(h.people.otherManager.id);
  expect((await h.http().post(`/api/projects/${projectId}/complaints/c2/resolution`).set(h.auth('manager')).send({ resolution: 'x' })).status).toBe(403);
  expect((await h.http().post(`/api/projects/${projectId}/complaints/c2/resolution`).set(h.auth('otherManager')).send({ resolution: 'Colour fixed' })).status).toBe(200);
  await ended(projectId, 'the second reopened run ended');

  // Past Temporal's retention (its runs deleted, as retention does): run again from the store's copy.
  const settledBefore = await statusOf(projectId);
  for (;;) {
    try {
      await h.temporal.client.workflow.getHandle(`project-${projectId}`).describe();
    } catch {
      break;
    }
    await h.temporal.connection.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: `project-${projectId}` } }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
  }
  const afterRetention = await complain('otherManager', projectId, 'Still the wrong colour');
  expect(afterRetention.status).toBe(200);
  expect((afterRetention.body as ProjectStatus).complaints.map((c) => c.complaintId)).toEqual(['c1', 'c2', 'c3']);
  expect((afterRetention.body as ProjectStatus).timeline.slice(0, settledBefore.timeline.length)).toEqual(settledBefore.timeline);
  expect((await runOf(projectId)).status).toBe('RUNNING');

  // Cancelled at planning: its workflow ends; a complaint stays 409 and changes nothing.
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: 'Cancelled early' })).expect(201);
  const cancelledId = (created.body as ProjectStatus).projectId;
  await h.http().post(`/api/projects/${cancelledId}/cancel`).set(h.auth('manager')).send({ reason: 'client withdrew' }).expect(200);
  await ended(cancelledId, 'the cancelled project ended');
  const before = await statusOf(cancelledId);
  expectProblem(await complain('manager', cancelledId, 'Too late'), 409);
  expect(await statusOf(cancelledId)).toEqual(before);
});

test('past its window, a project still settling a complaint made within it takes one made after it in the same run', async () => {
  const completed = await completedProject(h, 'Settling past the window', '4s');
  const { projectId } = completed;
  expect((await complain('manager', projectId, 'Within the window')).status).toBe(200);
  const { runId } = await runOf(projectId);
  // The window ends while that complaint is open: the run goes on until it is settled.
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(completed.complaintsHeardUntil!) - Date.now()) + 500));
  const late = await complain('leadership', projectId, 'After the window');
  expect(late.status).toBe(200);
  expect((late.body as ProjectStatus).complaints).toEqual([
    expect.objectContaining({ complaintId: 'c1', description: 'Within the window' }),
    expect.objectContaining({ complaintId: 'c2', description: 'After the window', afterWindow: true }),
  ]);
  expect((late.body as ProjectStatus).complaints[0].afterWindow).toBeUndefined();
  expect(await runOf(projectId)).toEqual({ runId, status: 'RUNNING' });
  for (const c of ['c1', 'c2']) {
    expect((await h.http().post(`/api/projects/${projectId}/complaints/${c}/resolution`).set(h.auth('manager')).send({ resolution: 'Put right' })).status).toBe(200);
  }
  expect(await ended(projectId, 'the run ended once both were settled')).toBe(runId);
  const settled = await statusOf(projectId);
  expect(settled.timeline.filter((e) => e.event === 'complaint_window_closed')).toHaveLength(1);
  // Leadership's list of complaints says which came after the window.
  const listed = await h
    .http()
    .get('/api/reports/kpis/feedback')
    .query({ complaints: 'filed', from: new Date(Date.parse(completed.completedAt!) - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() })
    .set(h.auth('leadership'))
    .expect(200);
  const ours = (listed.body as KpiComplaintList).items.filter((i) => i.projectId === projectId);
  expect(Object.fromEntries(ours.map((i) => [i.description, i.afterWindow ?? false]))).toEqual({ 'Within the window': false, 'After the window': true });
});
