/**
 * Money and review edges through HTTP: a bank reference names one payment (the same reference
 * with another invoice or amount is a 409 naming the earlier payment; the identical repeat is a
 * success that adds nothing), a retried complaint with one Idempotency-Key is one complaint and
 * one notice to leadership, and a plan priced in cents for a yen project is refused naming the
 * field. Mail goes to the log (no SMTP configured), captured here: each line is a mail sent.
 */
import type { Response } from 'supertest';
import type { ClientProjectView } from '../../api/schemas';
import type { InvoiceView, ProjectStatus } from '../../workflows/project/contract';
import { capturedLogger } from '../activities/fixtures';
import { planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { eventually, quietHistoryLength, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);

let h: ApiHarness;
const log = capturedLogger();
beforeAll(async () => {
  h = await startApiHarness({ logger: log.logger });
});
afterAll(async () => {
  await h?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

function expectProblem(res: Response, status: number, type: string): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: `urn:agencyflow:problem:${type}`, title: expect.any(String), detail: expect.any(String) });
}

const statusOf = async (projectId: string): Promise<ProjectStatus> =>
  (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;

const waitForStatus = (projectId: string, what: string, done: (s: ProjectStatus) => boolean): Promise<ProjectStatus> =>
  eventually(async () => {
    const s = await statusOf(projectId);
    return done(s) ? s : undefined;
  }, { what, timeoutMs: 30_000 });

const historyLength = async (projectId: string): Promise<number> =>
  (await h.temporal.client.workflow.getHandle(`project-${projectId}`).describe()).historyLength;

const settled = (projectId: string): Promise<number> => quietHistoryLength(h.temporal.client, `project-${projectId}`);

async function post(who: Parameters<ApiHarness['auth']>[0], path: string, body: object, expected = 200): Promise<Response> {
  const res = await h.http().post(path).set(h.auth(who)).send(body);
  if (res.status !== expected) throw new Error(`POST ${path} as ${who}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** A one-task design project (10 % prepayment, work not waiting for it), planned, approved, delivered and accepted by the manager: the client reviews. */
async function projectInClientReview(policy: Record<string, string> = {}): Promise<string> {
  const created = await h
    .http()
    .post('/api/projects')
    .set(h.auth('manager'))
    .send(projectRequest({ departments: ['design'], policy: { acceptanceWindow: '1h', paymentTerms: '1h', startAfterPrepayment: false, ...policy } }))
    .expect(201);
  const projectId = (created.body as ProjectStatus).projectId;
  const plan = planRequest({
    tasks: [{ key: 'hero', department: 'design', title: 'Hero banner', estimateHours: 4, dueAt: inMs(10 * 60_000), price: 1000 }],
    prepaymentPercent: 10,
  });
  await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(plan).expect(200);
  await post('leadership', `/api/projects/${projectId}/plan/decision`, { planVersion: 1, decision: 'approve', comment: 'go' });
  const taskId = `${projectId}.hero`;
  await waitForTask(h, taskId, 'open');
  await post('designer', `/api/tasks/${taskId}/claim`, {});
  await post('designer', `/api/tasks/${taskId}/submit`, { summary: 'Banner done', links: ['https://files.example/hero'] });
  await post('manager', `/api/tasks/${taskId}/review`, { decision: 'accept' });
  await waitForStatus(projectId, 'client review', (s) => s.stage === 'client_review');
  return projectId;
}

/** The client-review project accepted and both its invoices paid in full: completed, hearing complaints for `complaintWindow`. */
async function completedAndPaid(complaintWindow: string): Promise<{ projectId: string; final: InvoiceView }> {
  const projectId = await projectInClientReview({ complaintWindow });
  await post('manager', `/api/projects/${projectId}/feedback`, { kind: 'accepted', rating: 5 });
  const invoiced = await waitForStatus(projectId, 'prepayment and final invoice', (s) => s.invoices.filter((i) => i.documentId).length === 2);
  for (const invoice of invoiced.invoices) {
    await post('manager', `/api/projects/${projectId}/payments`, { invoiceNumber: invoice.number, amount: invoice.amount, paidAt: new Date().toISOString(), reference: `PAID-${invoice.number}` });
  }
  await waitForStatus(projectId, 'completed', (s) => s.stage === 'completed');
  return { projectId, final: invoiced.invoices.find((i) => i.kind === 'final')! };
}


test('a payment reference used with another amount or invoice is 409 naming the earlier payment; the identical repeat adds nothing', async () => {
  const projectId = await projectInClientReview();
  await post('manager', `/api/projects/${projectId}/feedback`, { kind: 'accepted', rating: 5 });
  const invoiced = await waitForStatus(projectId, 'prepayment and final invoice', (s) => s.invoices.filter((i) => i.documentId).length === 2);
  const prepayment = invoiced.invoices.find((i) => i.kind === 'prepayment')!;
  const final = invoiced.invoices.find((i) => i.kind === 'final')!;
  expect([prepayment.amount, final.amount]).toEqual([100, 900]);

  const reference = `bank-${uniqueId('ref')}`;
  const payment = { invoiceNumber: prepayment.number, amount: 60, paidAt: new Date().toISOString(), reference };
  await post('manager', `/api/projects/${projectId}/payments`, payment);
  const length = await settled(projectId);
  const before = await statusOf(projectId);

  // Another amount on the same invoice, and the same amount on another invoice: both refused.
  const otherAmount = await h.http().post(`/api/projects/${projectId}/payments`).set(h.auth('manager')).send({ ...payment, amount: 40 });
  expectProblem(otherAmount, 409, 'payment-reference-reused');
  expect(otherAmount.body.detail).toContain(reference);
  expect(otherAmount.body.detail).toContain(`60 EUR on invoice ${prepayment.number}`);
  const otherInvoice = await h
    .http()
    .post(`/api/projects/${projectId}/payments`)
    .set(h.auth('leadership'))
    .send({ ...payment, invoiceNumber: final.number });
  expectProblem(otherInvoice, 409, 'payment-reference-reused');
  expect(otherInvoice.body.detail).toContain(`60 EUR on invoice ${prepayment.number}`);
  // Refused by the validator: nothing was written.
  expect(await statusOf(projectId)).toEqual(before);
  expect(await historyLength(projectId)).toBe(length);

  // The same statement line imported again: a success that records nothing more.
  const repeat = await post('manager', `/api/projects/${projectId}/payments`, payment);
  expect((repeat.body as ProjectStatus).invoices).toEqual(before.invoices);
  const after = await statusOf(projectId);
  expect(after.invoices.find((i) => i.number === prepayment.number)).toMatchObject({ paidAmount: 60, payments: [expect.objectContaining({ reference, amount: 60 })] });
  expect(after.timeline).toEqual(before.timeline);
  expect(after.version).toBe(before.version);
});

test('the same amount on the same invoice within a day under another reference is 409 possible-duplicate-payment, changing nothing, until confirmed as another payment', async () => {
  const projectId = await projectInClientReview();
  await post('manager', `/api/projects/${projectId}/feedback`, { kind: 'accepted', rating: 5 });
  const invoiced = await waitForStatus(projectId, 'prepayment and final invoice', (s) => s.invoices.filter((i) => i.documentId).length === 2);
  const final = invoiced.invoices.find((i) => i.kind === 'final')!;
  const paidAt = new Date().toISOString();
  await post('manager', `/api/projects/${projectId}/payments`, { invoiceNumber: final.number, amount: 300, paidAt, reference: 'GLX-4471' });
  const length = await settled(projectId);
  const before = await statusOf(projectId);

  // The same bank line, typed by someone else under another spelling of its reference (a few hours' difference in the date typed).
  const again = { invoiceNumber: final.number, amount: 300, paidAt: new Date(Date.parse(paidAt) - 5 * 3_600_000).toISOString(), reference: 'Globex transfer 4471' };
  const refused = await h.http().post(`/api/projects/${projectId}/payments`).set(h.auth('leadership')).send(again);
  expectProblem(refused, 409, 'possible-duplicate-payment');
  expect(refused.body.detail).toContain(`is already recorded on ${final.number} under reference GLX-4471`);
  expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'reference' })]);
  expect(await statusOf(projectId)).toEqual(before);
  expect(await historyLength(projectId)).toBe(length);
  // Another amount is simply another payment.
  await post('manager', `/api/projects/${projectId}/payments`, { ...again, amount: 250, reference: 'GLX-4472' });
  // Confirmed as another payment, it is recorded.
  const confirmed = (await post('leadership', `/api/projects/${projectId}/payments`, { ...again, anotherPayment: true })).body as ProjectStatus;
  expect(confirmed.invoices.find((i) => i.number === final.number)?.payments.map((p) => [p.reference, p.amount])).toEqual([
    ['GLX-4471', 300],
    ['GLX-4472', 250],
    ['Globex transfer 4471', 300],
  ]);
  // The confirmation is the request's, not the payment's: it is not kept.
  expect(JSON.stringify(confirmed.invoices)).not.toContain('anotherPayment');
});

test('a payment taken back over HTTP: bad input is a 400 naming the field and changes nothing; done, the invoice is owed again; retried with its key, the same answer', async () => {
  const projectId = await projectInClientReview();
  await post('manager', `/api/projects/${projectId}/feedback`, { kind: 'accepted', rating: 5 });
  const invoiced = await waitForStatus(projectId, 'prepayment and final invoice', (s) => s.invoices.filter((i) => i.documentId).length === 2);
  const final = invoiced.invoices.find((i) => i.kind === 'final')!;
  await post('manager', `/api/projects/${projectId}/payments`, { invoiceNumber: final.number, amount: 300, paidAt: new Date().toISOString(), reference: 'GLX-9001' });
  const length = await settled(projectId);
  const before = await statusOf(projectId);
  const reversal = { invoiceNumber: final.number, reference: 'GLX-9001', cause: 'returned_by_bank', note: 'R01' };
  const path = `/api/projects/${projectId}/payment-reversals`;

  const badCause = await h.http().post(path).set(h.auth('manager')).send({ ...reversal, cause: 'changed_my_mind' });
  expectProblem(badCause, 400, 'validation');
  expect(badCause.body.errors).toEqual([expect.objectContaining({ field: 'cause' })]);
  const unknown = await h.http().post(path).set(h.auth('manager')).send({ ...reversal, reference: 'GLX-0000' });
  expectProblem(unknown, 404, 'not-found');
  expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'reference' })]);
  expect(unknown.body.detail).toContain(`no payment under reference GLX-0000 is recorded on ${final.number}`);
  expect((await h.http().post(path).set(h.auth('designer')).send(reversal)).status).toBe(403);
  expect(await statusOf(projectId)).toEqual(before);
  expect(await historyLength(projectId)).toBe(length);

  const key = uniqueId('reversal');
  const first = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send(reversal).expect(200)).body as ProjectStatus;
  const invoice = first.invoices.find((i) => i.number === final.number)!;
  expect(invoice).toMatchObject({ status: 'open', paidAmount: 0, payments: [] });
  expect(invoice.reversedPayments).toEqual([expect.objectContaining({ reference: 'GLX-9001', amount: 300, cause: 'returned_by_bank', note: 'R01' })]);
  const second = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send(reversal).expect(200)).body as ProjectStatus;
  expect(second.version).toBe(first.version);
  expect(second.invoices.find((i) => i.number === final.number)?.reversedPayments).toHaveLength(1);
  // The client was told the money came back (mail goes to the log here).
  await eventually(async () => log.lines.some((l) => l.msg === 'mail (no SMTP configured)' && l.projectId === projectId && /:payment-returned:/.test(String(l.idempotencyKey))) || undefined, { what: 'the payment_returned mail' });
});

test('work started before its prepayment over HTTP: no reason is a 400 naming it and changes nothing; done, the task opens and the prepayment stays owed', async () => {
  const created = await h
    .http()
    .post('/api/projects')
    .set(h.auth('manager'))
    .send(projectRequest({ departments: ['design'], policy: { startAfterPrepayment: true } }))
    .expect(201);
  const projectId = (created.body as ProjectStatus).projectId;
  const plan = planRequest({
    tasks: [{ key: 'hero', department: 'design', title: 'Hero banner', estimateHours: 4, dueAt: inMs(24 * 3_600_000), price: 1000 }],
    prepaymentPercent: 40,
  });
  await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(plan).expect(200);
  await post('leadership', `/api/projects/${projectId}/plan/decision`, { planVersion: 1, decision: 'approve', comment: 'go' });
  await waitForStatus(projectId, 'the prepayment invoice', (s) => s.invoices.some((i) => i.documentId));
  const length = await settled(projectId);
  const before = await statusOf(projectId);

  const path = `/api/projects/${projectId}/start-work`;
  const noReason = await h.http().post(path).set(h.auth('manager')).send({ reason: '  ' });
  expectProblem(noReason, 400, 'validation');
  expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
  expect((await h.http().post(path).set(h.auth('designer')).send({ reason: 'go' })).status).toBe(403);
  expect(await statusOf(projectId)).toEqual(before);
  expect(await historyLength(projectId)).toBe(length);

  const started = (await post('manager', path, { reason: 'PO signed; the transfer is on its way' })).body as ProjectStatus;
  expect(started.startedBeforePrepayment).toMatchObject({ reason: 'PO signed; the transfer is on its way' });
  await waitForTask(h, `${projectId}.hero`, 'open');
  const now = await statusOf(projectId);
  expect(now.invoices[0]).toMatchObject({ kind: 'prepayment', status: 'open', paidAmount: 0 });
});

test('a complaint after the client paid in full: heard on the completed project until its window ends; after it one saying nothing is refused, nothing changed', async () => {
  const noWindow = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ policy: { complaintWindow: '0s' } }));
  expectProblem(noWindow, 400, 'validation');
  expect(noWindow.body.errors).toEqual([expect.objectContaining({ field: 'policy.complaintWindow' })]);

  const projectId = await projectInClientReview({ complaintWindow: '12s' });
  await post('manager', `/api/projects/${projectId}/feedback`, { kind: 'accepted', rating: 5 });
  const invoiced = await waitForStatus(projectId, 'prepayment and final invoice', (s) => s.invoices.filter((i) => i.documentId).length === 2);
  for (const invoice of invoiced.invoices) {
    await post('manager', `/api/projects/${projectId}/payments`, { invoiceNumber: invoice.number, amount: invoice.amount, paidAt: new Date().toISOString(), reference: `PAID-${invoice.number}` });
  }
  const completed = await waitForStatus(projectId, 'completed', (s) => s.stage === 'completed');
  expect(Date.parse(completed.complaintsHeardUntil!) - Date.parse(completed.completedAt!)).toBe(12_000);

  const path = `/api/projects/${projectId}/feedback`;
  const complaint = { kind: 'complaint', description: 'The banner is blurred on phones' };
  expect((await h.http().post(path).set(h.auth('designer')).send(complaint)).status).toBe(403);
  const key = uniqueId('late-complaint');
  const first = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send(complaint).expect(200)).body as ProjectStatus;
  expect(first).toMatchObject({ stage: 'completed', complaints: [expect.objectContaining({ complaintId: 'c1', description: 'The banner is blurred on phones' })] });
  const again = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send(complaint).expect(200)).body as ProjectStatus;
  expect(again.complaints).toHaveLength(1);
  await post('leadership', `/api/projects/${projectId}/complaints/c1/resolution`, { resolution: 'Re-exported at twice the size' });

  // The window over, the project's workflow ends: a complaint now runs it again
  // (complaint-after-window.test.ts); one that says nothing is refused first and changes nothing.
  await eventually(async () => (await h.temporal.client.workflow.getHandle(`project-${projectId}`).describe()).status.name === 'COMPLETED' || undefined, {
    what: 'the workflow ended with its window',
    timeoutMs: 40_000,
  });
  const before = await statusOf(projectId);
  expect(before.timeline.at(-1)?.event).toBe('complaint_window_closed');
  const blank = await h.http().post(path).set(h.auth('manager')).send({ kind: 'complaint', description: '  ' });
  expectProblem(blank, 400, 'validation');
  expect(blank.body.errors).toEqual([expect.objectContaining({ field: 'description', message: 'describe the complaint' })]);
  expect(await statusOf(projectId)).toEqual(before);
  expect((await h.temporal.client.workflow.getHandle(`project-${projectId}`).describe()).status.name).toBe('COMPLETED');
});

test('a final payment the bank returned after completion over HTTP: taken back within the window, retried with its key the same; owed and paid again; after the window 409, nothing changed', async () => {
  const { projectId, final } = await completedAndPaid('20s');
  const path = `/api/projects/${projectId}/payment-reversals`;
  const reversal = { invoiceNumber: final.number, reference: `PAID-${final.number}`, cause: 'returned_by_bank', note: 'R01' };

  const key = uniqueId('late-reversal');
  const first = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send(reversal).expect(200)).body as ProjectStatus;
  expect(first.stage).toBe('completed');
  expect(first.invoices.find((i) => i.number === final.number)).toMatchObject({ status: 'open', paidAmount: 0, payments: [] });
  const retried = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send(reversal).expect(200)).body as ProjectStatus;
  expect(retried.version).toBe(first.version);
  expect(retried.invoices.find((i) => i.number === final.number)?.reversedPayments).toHaveLength(1);
  // The client's page says why the invoice they paid is open again (the store's copy, a moment behind).
  const clientKey = new URL((await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
  const taken = first.invoices.find((i) => i.number === final.number)!.reversedPayments![0];
  const clientInvoice = await eventually(async () => {
    const view = (await h.http().get(`/api/client/projects/${projectId}`).query({ key: clientKey }).expect(200)).body as ClientProjectView;
    const invoice = view.invoices.find((i) => i.number === final.number)!;
    return invoice.status === 'open' ? invoice : undefined;
  }, { what: 'the client view of the invoice owed again' });
  expect(clientInvoice).toMatchObject({ stillOwed: final.amount, payments: [], returned: [{ amount: final.amount, paidAt: taken.paidAt, returnedAt: taken.reversedAt }] });
  // Lists show it running again, with what is owed (a completed project is otherwise done there).
  const listed = async () =>
    ((await h.http().get('/api/projects?stage=completed&pageSize=100').set(h.auth('manager')).expect(200)).body.items as { projectId: string; executionStatus: string; amountOwed?: number }[]).find(
      (item) => item.projectId === projectId,
    );
  await eventually(async () => ((await listed())?.executionStatus === 'RUNNING' ? true : undefined), { what: 'the list showing it running' });
  expect((await listed())?.amountOwed).toBe(final.amount);

  // Paid again on the completed project: settled, and the workflow ends once its window is over.
  const paid = (await post('manager', `/api/projects/${projectId}/payments`, { invoiceNumber: final.number, amount: final.amount, paidAt: new Date().toISOString(), reference: 'PAID-AGAIN' }))
    .body as ProjectStatus;
  expect(paid.invoices.find((i) => i.number === final.number)).toMatchObject({ status: 'paid', paidAmount: final.amount });
  await eventually(async () => (await h.temporal.client.workflow.getHandle(`project-${projectId}`).describe()).status.name === 'COMPLETED' || undefined, {
    what: 'the workflow ended with its window',
    timeoutMs: 40_000,
  });
  const before = await statusOf(projectId);
  expect(before.timeline.map((e) => e.event)).toContain('payments_settled_after_completion');
  const late = await h.http().post(path).set(h.auth('manager')).send({ ...reversal, reference: 'PAID-AGAIN' });
  expectProblem(late, 409, 'closed');
  expect(await statusOf(projectId)).toEqual(before);
});

test('an invoice paid twice after completion over HTTP: 409 naming the field until confirmed, nothing changed; confirmed, credited back at once, listed as a refund owed; retried with its key, the same answer', async () => {
  const { projectId, final } = await completedAndPaid('30s');
  const path = `/api/projects/${projectId}/payments`;
  const again = { invoiceNumber: final.number, amount: final.amount, paidAt: new Date().toISOString(), reference: 'PAID-TWICE', anotherPayment: true };

  // Unconfirmed, it is more than the invoice asks: 409 at the amount, nothing changed.
  const before = await statusOf(projectId);
  const refused = await h.http().post(path).set(h.auth('manager')).send(again);
  expectProblem(refused, 409, 'overpayment');
  expect(refused.body).toMatchObject({ errors: [expect.objectContaining({ field: 'amount' })] });
  expect(refused.body.detail).toContain('moreThanOwed');
  expect(await statusOf(projectId)).toEqual(before);

  const key = uniqueId('paid-twice');
  const first = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send({ ...again, moreThanOwed: true }).expect(200)).body as ProjectStatus;
  expect(first.stage).toBe('completed');
  expect(first.invoices.find((i) => i.number === final.number)).toMatchObject({ status: 'paid', paidAmount: final.amount * 2 });
  const retried = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send({ ...again, moreThanOwed: true }).expect(200)).body as ProjectStatus;
  // Recorded once: the retry answers with the project as it stands since (the credit note may have come by then).
  expect(retried.version).toBeGreaterThanOrEqual(first.version);
  expect(retried.invoices.find((i) => i.number === final.number)?.payments).toHaveLength(2);

  // Credited back at once; lists show the project running with the refund owed.
  const credited = await waitForStatus(projectId, 'the credit note', (s) => s.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined));
  const note = credited.invoices.find((i) => i.kind === 'credit_note')!;
  expect(note).toMatchObject({ amount: final.amount, status: 'open' });
  const listed = async () =>
    ((await h.http().get('/api/projects?stage=completed&pageSize=100').set(h.auth('manager')).expect(200)).body.items as { projectId: string; executionStatus: string; refundOwed?: number }[]).find(
      (item) => item.projectId === projectId,
    );
  await eventually(async () => ((await listed())?.refundOwed === final.amount ? true : undefined), { what: 'the list showing the refund owed' });
  expect((await listed())?.executionStatus).toBe('RUNNING');

  // Refunded: settled, the report made again.
  await post('manager', path, { invoiceNumber: note.number, amount: final.amount, paidAt: new Date().toISOString(), reference: 'REFUND-TWICE' });
  const settled = await waitForStatus(projectId, 'settled after completion', (s) => s.timeline.some((e) => e.event === 'payments_settled_after_completion'));
  expect(settled.invoices.find((i) => i.kind === 'credit_note')).toMatchObject({ status: 'paid' });
  expect(settled.stage).toBe('completed');
});

test('a flaw found after completion sent back over HTTP: the manager only, bad input named and nothing changed; the department redoes it from its inbox; retried with its key, the same answer', async () => {
  const projectId = await projectInClientReview({ complaintWindow: '1h' });
  await post('manager', `/api/projects/${projectId}/feedback`, { kind: 'accepted', rating: 5 });
  const invoiced = await waitForStatus(projectId, 'prepayment and final invoice', (s) => s.invoices.filter((i) => i.documentId).length === 2);
  for (const invoice of invoiced.invoices) {
    await post('manager', `/api/projects/${projectId}/payments`, { invoiceNumber: invoice.number, amount: invoice.amount, paidAt: new Date().toISOString(), reference: `PAID-${invoice.number}` });
  }
  await waitForStatus(projectId, 'completed', (s) => s.stage === 'completed');
  await post('manager', `/api/projects/${projectId}/feedback`, { kind: 'complaint', description: 'The banner is cut off on phones' });
  const length = await settled(projectId);
  const before = await statusOf(projectId);

  const path = `/api/projects/${projectId}/complaints/c1/rework`;
  const good = { departments: ['design'], description: 'Re-crop the banner for phones', dueAt: inMs(60 * 60_000) };
  const missing = await h.http().post(path).set(h.auth('manager')).send({ description: 'x', dueAt: good.dueAt });
  expectProblem(missing, 400, 'validation');
  expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'departments' })]);
  const idle = await h.http().post(path).set(h.auth('manager')).send({ ...good, departments: ['seo'] });
  expect(idle.status).toBe(400);
  expect(idle.body.errors).toEqual([expect.objectContaining({ field: 'departments[0]', message: expect.stringContaining('did no work in this project') })]);
  const past = await h.http().post(path).set(h.auth('manager')).send({ ...good, dueAt: new Date(Date.now() - 60_000).toISOString() });
  expect(past.status).toBe(400);
  expect(past.body.errors).toEqual([expect.objectContaining({ field: 'dueAt' })]);
  expect((await h.http().post(`/api/projects/${projectId}/complaints/c7/rework`).set(h.auth('manager')).send(good)).status).toBe(404);
  for (const who of ['designer', 'leadership'] as const) expect((await h.http().post(path).set(h.auth(who)).send(good)).status).toBe(403);
  expect(await statusOf(projectId)).toEqual(before);
  expect(await historyLength(projectId)).toBe(length);

  const key = uniqueId('rework');
  const first = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send(good).expect(200)).body as ProjectStatus;
  expect(first.stage).toBe('completed');
  expect(first.complaints[0].rework).toMatchObject({ departments: ['design'], description: 'Re-crop the banner for phones', taskKeys: ['c1.design'] });
  expect(first.tasks.map((t) => t.key)).toEqual(['hero', 'c1.design']);
  const again = (await h.http().post(path).set(h.auth('manager')).set('Idempotency-Key', key).send(good).expect(200)).body as ProjectStatus;
  expect(again.complaints[0].rework).toEqual(first.complaints[0].rework);
  expect(again.tasks).toHaveLength(2);
  // Not resolved while the fix is open: 409 naming the complaint.
  const early = await h.http().post(`/api/projects/${projectId}/complaints/c1/resolution`).set(h.auth('manager')).send({ resolution: 'fixed' });
  expect(early.status).toBe(409);

  // The designer redoes it as any task; accepted, the complaint is resolved.
  const fixId = `${projectId}.c1.design`;
  await waitForTask(h, fixId, 'open');
  // What the designer works from: the complaint it answers, and the accepted work it redoes.
  const context = await eventually(async () => {
    const answer = await h.http().get(`/api/tasks/${fixId}/context`).set(h.auth('designer'));
    return answer.status === 200 && answer.body;
  }, { what: 'the fix task\u2019s context' });
  expect(context.complaint).toEqual({ at: first.complaints[0].at, description: 'The banner is cut off on phones' });
  expect(context.buildsOn).toEqual([expect.objectContaining({ taskId: `${projectId}.hero`, why: 'revised', status: 'accepted' })]);
  await post('designer', `/api/tasks/${fixId}/claim`, {});
  await post('designer', `/api/tasks/${fixId}/submit`, { summary: 'Re-cropped', links: ['https://files.example/hero-phone'] });
  await post('manager', `/api/tasks/${fixId}/review`, { decision: 'accept' });
  await waitForStatus(projectId, 'the fix accepted', (s) => s.tasks.find((t) => t.key === 'c1.design')?.status === 'accepted');
  const resolved = (await post('manager', `/api/projects/${projectId}/complaints/c1/resolution`, { resolution: 'Banner re-cropped for phones' })).body as ProjectStatus;
  expect(resolved.complaints[0]).toMatchObject({ resolution: 'Banner re-cropped for phones', rework: expect.objectContaining({ taskKeys: ['c1.design'] }) });
  expect(resolved.stage).toBe('completed');
});

test('an invoice written off over HTTP: leadership only, a reason required, nothing changed by a refusal; done, the project completes; retried with its key, the same answer', async () => {
  const projectId = await projectInClientReview();
  await post('manager', `/api/projects/${projectId}/feedback`, { kind: 'accepted', rating: 4 });
  const invoiced = await waitForStatus(projectId, 'prepayment and final invoice', (s) => s.invoices.filter((i) => i.documentId).length === 2);
  const [prepayment, final] = invoiced.invoices;
  await post('manager', `/api/projects/${projectId}/payments`, { invoiceNumber: prepayment.number, amount: prepayment.amount, paidAt: new Date().toISOString(), reference: 'WO-PRE' });
  const length = await settled(projectId);
  const before = await statusOf(projectId);
  const path = `/api/projects/${projectId}/write-offs`;
  const writeOff = { invoiceNumber: final.number, reason: 'The client closed down' };

  expect((await h.http().post(path).set(h.auth('manager')).send(writeOff)).status).toBe(403);
  const noReason = await h.http().post(path).set(h.auth('leadership')).send({ ...writeOff, reason: ' ' });
  expectProblem(noReason, 400, 'validation');
  expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
  const settledInvoice = await h.http().post(path).set(h.auth('leadership')).send({ ...writeOff, invoiceNumber: prepayment.number });
  expect(settledInvoice.status).toBe(409);
  expect(settledInvoice.body.errors).toEqual([expect.objectContaining({ field: 'invoiceNumber' })]);
  expect(await statusOf(projectId)).toEqual(before);
  expect(await historyLength(projectId)).toBe(length);

  const key = uniqueId('write-off');
  const first = (await h.http().post(path).set(h.auth('leadership')).set('Idempotency-Key', key).send(writeOff).expect(200)).body as ProjectStatus;
  expect(first.invoices.find((i) => i.number === final.number)).toMatchObject({ status: 'void', writtenOff: { reason: 'The client closed down', amount: final.amount } });
  // The same request again: answered as done, not written off twice (the project may have moved
  // on meanwhile — it completes —, so the answer is its snapshot now, at least the first one's).
  const second = (await h.http().post(path).set(h.auth('leadership')).set('Idempotency-Key', key).send(writeOff).expect(200)).body as ProjectStatus;
  expect(second.version).toBeGreaterThanOrEqual(first.version);
  expect(second.invoices.find((i) => i.number === final.number)?.writtenOff).toEqual(first.invoices.find((i) => i.number === final.number)?.writtenOff);
  const done = await waitForStatus(projectId, 'completed', (s) => s.stage === 'completed');
  expect(done.timeline.filter((e) => e.event === 'invoice_written_off')).toHaveLength(1);
});

test('a complaint POSTed twice with one Idempotency-Key records one complaint and tells leadership once', async () => {
  const projectId = await projectInClientReview();
  const key = uniqueId('complaint');
  const complain = () =>
    h
      .http()
      .post(`/api/projects/${projectId}/feedback`)
      .set(h.auth('manager'))
      .set('Idempotency-Key', key)
      .send({ kind: 'complaint', description: 'The banner shows last year\u2019s prices' })
      .expect(200);
  const first = (await complain()).body as ProjectStatus;
  const second = (await complain()).body as ProjectStatus;
  expect(first.complaints).toHaveLength(1);
  expect(second.complaints).toEqual(first.complaints);
  await settled(projectId);
  const s = await statusOf(projectId);
  expect(s.complaints).toHaveLength(1);
  expect(s.timeline.filter((e) => e.event === 'complaint_filed')).toHaveLength(1);

  // One notice: one key, each member of leadership mailed once.
  const leadership = h.directory.withRole('leadership');
  const complaintMails = () =>
    log.lines.filter((l) => l.msg === 'mail (no SMTP configured)' && l.projectId === projectId && /:complaint:/.test(String(l.idempotencyKey)));
  await eventually(async () => complaintMails().length >= leadership.length, { what: 'the complaint notice', timeoutMs: 30_000 });
  await sleep(1_000);
  const mails = complaintMails();
  expect(new Set(mails.map((m) => m.idempotencyKey)).size).toBe(1);
  expect(mails.map((m) => m.to).sort()).toEqual(leadership.map((p) => p.email).sort());
});

test('a plan priced in cents for a yen project is 400 naming the price, and nothing changes', async () => {
  const created = await h
    .http()
    .post('/api/projects')
    .set(h.auth('manager'))
    .send(projectRequest({ departments: ['design'], budget: { amount: 500_000, currency: 'JPY' } }))
    .expect(201);
  const projectId = (created.body as ProjectStatus).projectId;
  const length = await settled(projectId);
  const before = await statusOf(projectId);

  const plan = planRequest({
    tasks: [
      { key: 'hero', department: 'design', title: 'Hero banner', estimateHours: 4, dueAt: inMs(10 * 60_000), price: 100_000 },
      { key: 'icons', department: 'design', title: 'Icons', estimateHours: 4, dueAt: inMs(10 * 60_000), price: 100.5 },
    ],
  });
  const res = await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(plan);
  expectProblem(res, 400, 'validation');
  expect(res.body.errors).toEqual([{ field: 'tasks[1].price', message: expect.stringMatching(/JPY/) }]);
  // A price with a row of zeros too many is refused at its field too (ten billion at most, in any currency).
  const huge = await h
    .http()
    .put(`/api/projects/${projectId}/plan`)
    .set(h.auth('manager'))
    .send({ ...plan, tasks: [{ ...(plan.tasks as object[])[0], price: 50_000_000_000 }] });
  expectProblem(huge, 400, 'validation');
  expect(huge.body.errors).toEqual([{ field: 'tasks[0].price', message: 'must be at most 10,000,000,000' }]);

  expect(await statusOf(projectId)).toEqual(before);
  expect(await historyLength(projectId)).toBe(length);
});

test('a revision round for a department that did no work is 400 naming it, retried alike, and nothing changes: no task, the included round not used', async () => {
  const projectId = await projectInClientReview(); // design did the work, nobody else
  const length = await settled(projectId);
  const before = await statusOf(projectId);

  const revision = { kind: 'revisions_requested', description: 'Keywords in the banner', departments: ['seo'], dueAt: inMs(3_600_000) };
  const key = uniqueId('revision');
  // Retried with its Idempotency-Key: refused the same way, never half done.
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await h.http().post(`/api/projects/${projectId}/feedback`).set(h.auth('manager')).set('Idempotency-Key', key).send(revision);
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([{ field: 'departments[0]', message: 'SEO did no work in this project: the department that did is Design' }]);
  }
  // Beside one that did: the one that did not is named, at its place in the list.
  const mixed = await h.http().post(`/api/projects/${projectId}/feedback`).set(h.auth('manager')).send({ ...revision, departments: ['design', 'ads'] });
  expectProblem(mixed, 400, 'validation');
  expect(mixed.body.errors).toEqual([{ field: 'departments[1]', message: 'Ads did no work in this project: the department that did is Design' }]);

  expect(await statusOf(projectId)).toEqual(before);
  expect(await historyLength(projectId)).toBe(length);

  // The department that did the work: the round opens, for it alone.
  const opened = (await post('manager', `/api/projects/${projectId}/feedback`, { ...revision, departments: ['design'] })).body as ProjectStatus;
  expect(opened.revisions).toEqual([expect.objectContaining({ round: 1, departments: ['design'], beyondIncluded: false })]);
});
