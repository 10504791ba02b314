/**
 * A complaint after the client has paid in full: a completed project hears complaints for its
 * policy's window (`complaintWindowMs`). One recorded then is resolved on the completed project; a
 * compensation agreed for it is a credit note refunded to the client; once it is settled the final
 * report is made again; when the window ends the workflow does. Runs without a window end at
 * completion (every other workflow test).
 */
import {
  handOverProjectUpdate,
  recordFeedbackUpdate,
  resolveComplaintUpdate,
  reversePaymentUpdate,
  reworkComplaintUpdate,
  writeOffUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
import type { ReversePaymentInput } from '../../workflows/project/schemas';
import { eventually } from '../support/temporal';
import {
  approvePlan,
  complaint,
  deliverTask,
  documentsFor,
  LEADER,
  MANAGER,
  noticesFor,
  OTHER_MANAGER,
  pay,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  refusal,
  staff,
  startProject,
  startWorkflowTestEnv,
  statusOf,
  timelineEvents,
  waitForNotice,
  waitForStatus,
  waitForTask,
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(120_000);

type Handle = Awaited<ReturnType<typeof startProject>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const takeBack = (handle: Handle, reversal: Omit<ReversePaymentInput, 'by'> & { by?: ReversePaymentInput['by'] }) =>
  projectUpdate(handle, reversePaymentUpdate, { args: [{ by: MANAGER, ...reversal }] });

const complain = (handle: Handle, description: string) =>
  projectUpdate(handle, recordFeedbackUpdate, { args: [complaint(description)] });

/** Delivered, accepted and the final invoice paid in full: the project completes. */
async function complete(handle: Handle, projectId: string): Promise<ProjectStatus> {
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 1_000 })]));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: 'all good' }, by: MANAGER }] });
  const s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = s.invoices.find((i) => i.kind === 'final')!;
  await pay(handle, { invoiceNumber: final.number, amount: final.amount, reference: 'BANK-1' });
  return waitForStatus(handle, (x) => x.stage === 'completed', 'completed');
}

test.concurrent('a complaint after completion is heard, compensated by a refund, and reported; the workflow ends with the window', async () => {
  const input = projectInput({ departments: ['seo'], policy: { complaintWindowMs: 25_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  let s = await complete(handle, projectId);
  expect(Date.parse(s.complaintsHeardUntil!) - Date.parse(s.completedAt!)).toBe(25_000);
  const final = s.invoices.find((i) => i.kind === 'final')!;
  // Leadership and the manager hear of the completion, and until when complaints are heard.
  const [announced] = await waitForNotice(env, projectId, 'project_completed');
  expect(announced.data).toMatchObject({ complaintsHeardUntil: s.complaintsHeardUntil });
  // The client hears it is done, and until when to tell us if something is not right (no report).
  const [toClient] = await waitForNotice(env, projectId, 'project_completed_for_client');
  expect(toClient).toMatchObject({ recipients: { emails: [input.client.email] }, data: { complaintsHeardUntil: s.complaintsHeardUntil } });

  // Completed and paid: a flaw found now is still a complaint, told to leadership as ever.
  s = await complain(handle, 'the audit missed half the site');
  expect(s.stage).toBe('completed');
  expect(s.complaints).toEqual([expect.objectContaining({ complaintId: 'c1', description: 'the audit missed half the site' })]);
  const [filed] = await waitForNotice(env, projectId, 'complaint_filed');
  expect(filed.recipients).toMatchObject({ roles: ['leadership'] });
  // Its invoices stay settled: a payment on them is more than they ask, refused unless confirmed
  // (the client paid twice: the test below).
  expect(await refusal(pay(handle, { invoiceNumber: final.number, amount: 10, reference: 'BANK-2' }))).toMatchObject({ type: 'Overpayment', field: 'amount' });

  // A compensation is never more than was billed; the one agreed is a refund owed.
  const resolve = (compensation: number) =>
    projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c1', resolution: 'second audit and money back', compensation, by: LEADER }] });
  expect(await refusal(resolve(1_000.01))).toMatchObject({ type: 'InvalidInput', field: 'compensation' });
  await resolve(150);
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'credit note');
  const credit = s.invoices.find((i) => i.kind === 'credit_note')!;
  expect(credit).toMatchObject({ amount: 150, status: 'open', paidAmount: 0 });
  expect(s.stage).toBe('completed');
  const [issued] = await waitForNotice(env, projectId, 'credit_note_issued');
  expect(issued.data).toMatchObject({ invoiceNumber: credit.number, amount: 150, compensationFor: 'c1' });
  // The refund is owed; the final invoice is still paid: a payment on it is more than it asks.
  expect(await refusal(pay(handle, { invoiceNumber: final.number, amount: 10, reference: 'BANK-3' }))).toMatchObject({
    type: 'Overpayment',
    field: 'amount',
  });

  // Its manager leaving, the open refund goes to another with the project.
  s = await projectUpdate(handle, handOverProjectUpdate, { args: [{ toManagerId: OTHER_MANAGER.id, by: LEADER }] });
  expect(s).toMatchObject({ stage: 'completed', managerId: OTHER_MANAGER.id });

  // The refund paid out settles it: the final report is made again, with the complaint in it.
  s = await pay(handle, { invoiceNumber: credit.number, amount: 150, reference: 'REFUND-1', by: OTHER_MANAGER });
  expect(s.invoices.find((i) => i.kind === 'credit_note')).toMatchObject({ status: 'paid' });
  s = await waitForStatus(handle, (x) => timelineEvents(x).includes('complaints_settled_after_completion'), 'settled after completion');
  await waitForStatus(handle, (x) => x.documents.filter((d) => d.kind === 'final_report').length === 2, 'the report made again');
  const reports = documentsFor(env, projectId).filter((d) => d.kind === 'final_report');
  expect(reports).toHaveLength(2);
  expect(reports[1].snapshot.complaints).toEqual([expect.objectContaining({ complaintId: 'c1', compensation: expect.objectContaining({ amount: 150, settled: true }) })]);

  // The window ends: the workflow does, its last entry says so.
  const result = await handle.result();
  expect(result.stage).toBe('completed');
  expect(timelineEvents(result).at(-1)).toBe('complaint_window_closed');
  expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(result.complaintsHeardUntil!));
  await recordHistory(handle, 'project-complaint-after-completion');
});

test.concurrent('with no complaint the workflow ends when the window does; a project without a window ends at completion', async () => {
  // Ten seconds: the handover below must reach the workflow within its window even under CI's load
  // (with three, the window once closed first and the update found the workflow ended).
  const input = projectInput({ departments: ['seo'], policy: { complaintWindowMs: 10_000 } });
  const handle = await startProject(env, input);
  const s = await complete(handle, input.projectId);
  // Nothing open after completion: no handover (its work and money are done).
  expect(await refusal(projectUpdate(handle, handOverProjectUpdate, { args: [{ toManagerId: OTHER_MANAGER.id, by: LEADER }] }))).toMatchObject({ type: 'WrongStage' });
  const result = await handle.result();
  expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(s.complaintsHeardUntil!));
  expect(timelineEvents(result).slice(-2)).toEqual(['stage_completed', 'complaint_window_closed']);
  expect(result.complaints).toEqual([]);
  expect(noticesFor(env, input.projectId, 'project_completed_for_client')).toHaveLength(1);
  await recordHistory(handle, 'project-completion-mailed-to-client');

  const without = projectInput({ departments: ['seo'] });
  const handleWithout = await startProject(env, without);
  await complete(handleWithout, without.projectId);
  const ended = await handleWithout.result();
  expect(ended.complaintsHeardUntil).toBeUndefined();
  expect(timelineEvents(ended)).not.toContain('complaint_window_closed');
  // Without a window, the client is not mailed a window (as before it).
  expect(noticesFor(env, without.projectId, 'project_completed_for_client')).toEqual([]);
});

test.concurrent('a flaw found after completion is sent back to the department that did the work: redone free of charge, then resolved; refusals first', async () => {
  const input = projectInput({ departments: ['seo', 'design'], policy: { complaintWindowMs: 10_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await complete(handle, projectId);
  await complain(handle, 'the audit missed the blog section');
  const rework = (over: Partial<{ departments: ('seo' | 'design')[]; description: string; dueAt: string; complaintId: string; by: typeof MANAGER }> = {}) =>
    projectUpdate(handle, reworkComplaintUpdate, {
      args: [{ complaintId: 'c1', departments: ['seo'], description: 'audit the blog section too', dueAt: new Date(Date.now() + 3_600_000).toISOString(), by: MANAGER, ...over }],
    });

  // Refused, each before anything changes, naming what is wrong.
  expect(await refusal(rework({ by: LEADER }))).toMatchObject({ type: 'NotAllowed' });
  expect(await refusal(rework({ complaintId: 'c9' }))).toMatchObject({ type: 'NotFound', field: 'complaintId' });
  expect(await refusal(rework({ departments: ['design'] }))).toMatchObject({ type: 'InvalidInput', field: 'departments[0]' });
  expect(await refusal(rework({ dueAt: new Date(Date.now() - 60_000).toISOString() }))).toMatchObject({ type: 'InvalidInput', field: 'dueAt' });
  expect(await refusal(rework({ description: '  ' }))).toMatchObject({ type: 'InvalidInput', field: 'description' });

  // Sent back: a task of the completed project, free of charge, carrying the complaint.
  let s = await rework();
  expect(s.stage).toBe('completed');
  expect(s.complaints[0].rework).toMatchObject({ departments: ['seo'], description: 'audit the blog section too', requestedBy: MANAGER.id, taskKeys: ['c1.seo'] });
  expect(s.tasks.find((t) => t.key === 'c1.seo')).toMatchObject({ department: 'seo', price: 0, title: 'Fix for a complaint (SEO)' });
  expect(timelineEvents(s)).toContain('complaint_rework_requested');
  // The client hears it is being put right: which team, by when; not the instruction to it.
  const [told] = await waitForNotice(env, projectId, 'complaint_rework_started');
  expect(told).toMatchObject({ recipients: { emails: [input.client.email] }, data: expect.objectContaining({ departments: 'SEO', departmentCount: 1, description: 'the audit missed the blog section' }) });
  expect(JSON.stringify(told.data)).not.toContain('audit the blog section too');
  // Once is enough: the same again (a second click) is refused as done, nothing more started.
  expect(await refusal(rework())).toMatchObject({ type: 'AlreadyDone', field: 'complaintId' });
  const fix = await waitForTask(env, projectId, 'c1.seo', (v) => v.status === 'open', 'the fix open');
  expect(fix.description).toContain('The client’s complaint: the audit missed the blog section');

  // Not resolved before the fix is accepted; the window passing does not end the workflow meanwhile.
  const resolve = () => projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c1', resolution: 'blog audited', by: MANAGER }] });
  expect(await refusal(resolve())).toMatchObject({ type: 'WrongStage', field: 'complaintId' });
  await new Promise((r) => setTimeout(r, 5_000));
  await deliverTask(env, projectId, 'c1.seo', 'seo');
  s = await waitForStatus(handle, (x) => x.tasks.find((t) => t.key === 'c1.seo')?.status === 'accepted', 'the fix accepted');
  expect(s.stage).toBe('completed');
  expect(s.invoices.map((i) => i.kind)).toEqual(['final']);
  await resolve();

  // Settled: reported again with the fix in it, then the workflow ends (its window is over).
  const result = await handle.result();
  expect(timelineEvents(result).slice(-3)).toEqual(['complaints_settled_after_completion', 'document_produced', 'complaint_window_closed']);
  const reports = documentsFor(env, projectId).filter((d) => d.kind === 'final_report');
  expect(reports.at(-1)!.snapshot.tasks.map((t) => [t.key, t.status])).toEqual([
    ['audit', 'accepted'],
    ['c1.seo', 'accepted'],
  ]);
  await recordHistory(handle, 'project-complaint-rework-after-completion');
});

test.concurrent('a final payment the bank returned after completion: owed and chased again, the workflow waits past its window until it is paid, then reports again', async () => {
  const graceMs = 3_000;
  // A window long enough for a busy machine to take the payment back within it.
  const input = projectInput({ departments: ['seo'], policy: { complaintWindowMs: 12_000, paymentTermsMs: 1_000, paymentEscalationMs: graceMs } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  let s = await complete(handle, projectId);
  const final = s.invoices.find((i) => i.kind === 'final')!;
  const returned = { invoiceNumber: final.number, reference: 'BANK-1', cause: 'returned_by_bank' as const, note: 'R01, account closed' };

  // Staff take nothing back; the manager does, on the completed project.
  expect(await refusal(takeBack(handle, { ...returned, by: staff('seo') }))).toMatchObject({ type: 'NotAllowed' });
  s = await takeBack(handle, returned);
  expect(s.stage).toBe('completed');
  expect(s.invoices.find((i) => i.kind === 'final')).toMatchObject({ status: 'open', paidAmount: 0, payments: [], reversedPayments: [expect.objectContaining({ reference: 'BANK-1', cause: 'returned_by_bank' })] });
  // The client hears their money came back and what is owed.
  const [told] = await waitForNotice(env, projectId, 'payment_returned');
  expect(told).toMatchObject({ recipients: { emails: [input.client.email] }, data: expect.objectContaining({ invoiceNumber: final.number, stillOwed: final.amount }) });
  // Chased afresh a grace after, naming the payment that came back.
  const again = await eventually(
    async () => noticesFor(env, projectId, 'payment_reminder').find((n) => n.idempotencyKey.endsWith(`:payment-reminder:${final.number}:1`)),
    { what: 'the reminder after the take-back', timeoutMs: 30_000 },
  );
  expect(again.data).toMatchObject({ invoiceNumber: final.number, amountOwed: final.amount, takenBackReference: 'BANK-1', takenBackCause: 'returned_by_bank' });

  // The window passes, the money still owed: the workflow waits for it.
  await sleep(Math.max(0, Date.parse(s.complaintsHeardUntil!) - Date.now()) + 1_000);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  expect(timelineEvents(await statusOf(handle))).not.toContain('complaint_window_closed');

  // Past its window, more than is owed is refused even confirmed: nothing would credit the excess back.
  expect(await refusal(pay(handle, { invoiceNumber: final.number, amount: final.amount + 1, reference: 'BANK-2', moreThanOwed: true, by: MANAGER }))).toMatchObject({
    type: 'Overpayment',
    field: 'amount',
  });
  // Paid again: settled, the report made again with it, and the workflow ends.
  s = await pay(handle, { invoiceNumber: final.number, amount: final.amount, reference: 'BANK-2', by: MANAGER });
  expect(s.invoices.find((i) => i.kind === 'final')).toMatchObject({ status: 'paid', paidAmount: final.amount });
  const result = await handle.result();
  expect(timelineEvents(result).slice(-3)).toEqual(['payments_settled_after_completion', 'document_produced', 'complaint_window_closed']);
  const reports = documentsFor(env, projectId).filter((d) => d.kind === 'final_report');
  expect(reports).toHaveLength(2);
  expect(reports[1].snapshot.invoices.find((i) => i.kind === 'final')).toMatchObject({ status: 'paid', payments: [expect.objectContaining({ reference: 'BANK-2' })] });
  await recordHistory(handle, 'project-payment-returned-after-completion');
});

test.concurrent('an invoice paid twice after completion: refused until confirmed, then credited back at once and refunded; the report made again, the workflow ends with its window', async () => {
  // A window long enough for a busy machine to record the payment and its refund within it.
  const input = projectInput({ departments: ['seo'], policy: { complaintWindowMs: 15_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  let s = await complete(handle, projectId);
  const final = s.invoices.find((i) => i.kind === 'final')!;
  // The client's bank sent the final payment again, the same amount.
  const again = { invoiceNumber: final.number, amount: final.amount, reference: 'BANK-2', paidAt: new Date().toISOString(), by: MANAGER };

  expect(await refusal(pay(handle, { ...again, by: staff('seo') }))).toMatchObject({ type: 'NotAllowed' });
  // The same amount within a day looks like the same bank line typed twice; then, said to be
  // another payment, it is more than the invoice asks: each refused until confirmed.
  expect(await refusal(pay(handle, again))).toMatchObject({ type: 'PossibleDuplicatePayment', field: 'reference' });
  expect(await refusal(pay(handle, { ...again, anotherPayment: true }))).toMatchObject({ type: 'Overpayment', field: 'amount' });
  expect((await statusOf(handle)).invoices.find((i) => i.kind === 'final')).toMatchObject({ paidAmount: final.amount, payments: [expect.anything()] });

  s = await pay(handle, { ...again, anotherPayment: true, moreThanOwed: true });
  expect(s.stage).toBe('completed');
  expect(s.invoices.find((i) => i.kind === 'final')).toMatchObject({ status: 'paid', paidAmount: final.amount * 2 });
  const receipt = await eventually(async () => noticesFor(env, projectId, 'payment_received').find((n) => n.data.reference === 'BANK-2'), { what: 'the second receipt' });
  expect(receipt.data).toMatchObject({ invoiceNumber: final.number, overpaid: final.amount, stillOwed: 0 });

  // Credited back at once: a credit note for the whole second payment, a refund owed.
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'the credit note');
  const note = s.invoices.find((i) => i.kind === 'credit_note')!;
  expect(note).toMatchObject({ amount: final.amount, status: 'open' });
  expect(s.invoices.find((i) => i.kind === 'final')).toMatchObject({ excessCredited: final.amount, excessCreditedBy: [note.number] });
  expect(s.stage).toBe('completed');
  const [issued] = await waitForNotice(env, projectId, 'credit_note_issued');
  expect(issued.data).toMatchObject({ invoiceNumber: note.number, overpaymentOf: final.number, amount: final.amount });

  // Refunded: settled, the report made again, and the workflow ends with its window.
  s = await pay(handle, { invoiceNumber: note.number, amount: final.amount, reference: 'REFUND-1', by: MANAGER });
  expect(s.invoices.find((i) => i.kind === 'credit_note')).toMatchObject({ status: 'paid' });
  const result = await handle.result();
  expect(timelineEvents(result).slice(-3)).toEqual(['payments_settled_after_completion', 'document_produced', 'complaint_window_closed']);
  const reports = documentsFor(env, projectId).filter((d) => d.kind === 'final_report');
  expect(reports).toHaveLength(2);
  expect(reports[1].snapshot.invoices.filter((i) => i.kind !== 'prepayment').map((i) => [i.kind, i.status, i.paidAmount])).toEqual([
    ['final', 'paid', final.amount * 2],
    ['credit_note', 'paid', final.amount],
  ]);
  await recordHistory(handle, 'project-paid-twice-after-completion');
});

test.concurrent('a payment taken back after completion and never paid again is written off by leadership; the project then ends with its window', async () => {
  const input = projectInput({ departments: ['seo'], policy: { complaintWindowMs: 10_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  const s = await complete(handle, projectId);
  const final = s.invoices.find((i) => i.kind === 'final')!;
  // Entered by mistake (the money never came): corrected without a mail to the client.
  await takeBack(handle, { invoiceNumber: final.number, reference: 'BANK-1', cause: 'entered_by_mistake', by: LEADER });
  const writeOff = (by: typeof LEADER, reason = 'the client has closed down') => projectUpdate(handle, writeOffUpdate, { args: [{ invoiceNumber: final.number, reason, by }] });
  expect(await refusal(writeOff(MANAGER))).toMatchObject({ type: 'NotAllowed' });
  expect(await refusal(writeOff(LEADER, ' '))).toMatchObject({ type: 'InvalidInput', field: 'reason' });
  const written = await writeOff(LEADER);
  expect(written.invoices.find((i) => i.kind === 'final')).toMatchObject({ status: 'void', writtenOff: expect.objectContaining({ amount: final.amount, by: LEADER.id }) });
  const result = await handle.result();
  expect(timelineEvents(result)).toContain('payments_settled_after_completion');
  expect(timelineEvents(result).at(-1)).toBe('complaint_window_closed');
  expect(documentsFor(env, projectId).filter((d) => d.kind === 'final_report')).toHaveLength(2);
  expect(noticesFor(env, projectId, 'payment_returned')).toEqual([]);
});
