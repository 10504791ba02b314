/**
 * A recorded payment taken back: one the bank returned (the client is told the invoice is open
 * again) and one entered by mistake (corrected without a mail, then recorded as it was). The
 * invoice is owed and chased again, work already started goes on, a retry changes nothing, and
 * the refusals name what is wrong before anything is recorded.
 */
import {
  cancelProjectUpdate,
  recordFeedbackUpdate,
  reversePaymentUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
import { ErrorType } from '../../workflows/errors';
import type { ReversePaymentInput } from '../../workflows/project/schemas';
import { simpleParser } from 'mailparser';
import { eventually } from '../support/temporal';
import {
  approvePlan,
  deliverTask,
  LEADER,
  MANAGER,
  mailFor,
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
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Handle = Awaited<ReturnType<typeof startProject>>;

function takeBack(handle: Handle, reversal: Omit<ReversePaymentInput, 'by'> & { by?: ReversePaymentInput['by'] }, updateId?: string): Promise<ProjectStatus> {
  return projectUpdate(handle, reversePaymentUpdate, { args: [{ by: MANAGER, ...reversal }], ...(updateId && { updateId }) });
}

test.concurrent('a prepayment the bank returned after the work started: owed again, the client told, the work goes on; paid again under the same reference', async () => {
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: true } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('hero', 'design', { price: 1_000 })], { prepaymentPercent: 20 }));
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  const prepayment = issued.invoices[0];
  const reference = `${projectId}-pre`;
  await pay(handle, { invoiceNumber: prepayment.number, amount: 200, reference, by: MANAGER });
  await waitForStatus(handle, (s) => s.tasks.length === 1, 'work starts once paid');

  const reversed = await takeBack(handle, { invoiceNumber: prepayment.number, reference, cause: 'returned_by_bank', note: 'bank return R01, insufficient funds' });
  const invoice = reversed.invoices.find((i) => i.number === prepayment.number)!;
  expect(invoice).toMatchObject({ status: 'open', paidAmount: 0, payments: [] });
  expect(invoice.reversedPayments).toEqual([
    expect.objectContaining({ amount: 200, reference, recordedBy: MANAGER.id, reversedBy: MANAGER.id, cause: 'returned_by_bank', note: 'bank return R01, insufficient funds' }),
  ]);
  expect(reversed.timeline.at(-1)).toMatchObject({
    event: 'payment_reversed',
    by: MANAGER.id,
    detail: `${prepayment.number}: 200 EUR (${reference}) taken back, returned by the bank: bank return R01, insufficient funds`,
  });
  // The work started stays started.
  expect(reversed.tasks).toHaveLength(1);
  // The client hears the money came back and what is open, with the invoice attached to pay from.
  const [returned] = await waitForNotice(env, projectId, 'payment_returned');
  expect(returned).toMatchObject({
    recipients: { emails: [input.client.email] },
    data: expect.objectContaining({ invoiceNumber: prepayment.number, amount: 200, stillOwed: 200, reference, documentId: prepayment.documentId }),
  });

  // The same reversal again (a retry, a colleague's click) answers as done and changes nothing.
  const again = await takeBack(handle, { invoiceNumber: prepayment.number, reference, cause: 'returned_by_bank' });
  expect(again.version).toBe(reversed.version);
  expect(again.invoices[0].reversedPayments).toHaveLength(1);

  // Paid again under the same reference: recorded, with a receipt of its own.
  const paidAgain = await pay(handle, { invoiceNumber: prepayment.number, amount: 200, reference, by: MANAGER });
  expect(paidAgain.invoices[0]).toMatchObject({ status: 'paid', paidAmount: 200, payments: [expect.objectContaining({ reference, amount: 200 })] });
  const receipts = await waitForNotice(env, projectId, 'payment_received', 2);
  expect(receipts.map((r) => [r.data.reference, r.data.stillOwed])).toEqual([
    [reference, 0],
    [reference, 0],
  ]);
  await sleep(300);
  expect(noticesFor(env, projectId, 'payment_returned')).toHaveLength(1);
  await handle.terminate('test done');
});

test.concurrent('a part payment entered by mistake on the final invoice: taken back without a mail, recorded again rightly; refusals first', async () => {
  const input = projectInput({ departments: ['seo'], policy: { startAfterPrepayment: false } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 1_000 })], { prepaymentPercent: 0 }));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] });
  const billed = await waitForStatus(handle, (s) => s.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = billed.invoices.find((i) => i.kind === 'final')!;
  const reference = `${projectId}-typo`;
  // 300 typed where the bank says 30.
  await pay(handle, { invoiceNumber: final.number, amount: 300, reference, by: MANAGER });

  // Refused, each before anything is recorded, naming what is wrong.
  const base = { invoiceNumber: final.number, reference, cause: 'entered_by_mistake' as const };
  expect(await refusal(takeBack(handle, { ...base, by: staff('seo') }))).toMatchObject({ type: ErrorType.NotAllowed });
  expect(await refusal(takeBack(handle, { ...base, by: OTHER_MANAGER }))).toMatchObject({ type: ErrorType.NotAllowed });
  expect(await refusal(takeBack(handle, { ...base, invoiceNumber: 'INV-1999-000001' }))).toMatchObject({ type: ErrorType.NotFound, field: 'invoiceNumber' });
  expect(await refusal(takeBack(handle, { ...base, reference: 'never-recorded' }))).toMatchObject({ type: ErrorType.NotFound, field: 'reference' });
  const before = await statusOf(handle);
  expect(before.invoices.find((i) => i.kind === 'final')).toMatchObject({ paidAmount: 300, payments: [expect.objectContaining({ amount: 300 })] });
  expect(timelineEvents(before)).not.toContain('payment_reversed');

  const corrected = await takeBack(handle, { ...base, by: LEADER });
  expect(corrected.invoices.find((i) => i.kind === 'final')).toMatchObject({
    status: 'open',
    paidAmount: 0,
    payments: [],
    reversedPayments: [expect.objectContaining({ amount: 300, reference, reversedBy: LEADER.id, cause: 'entered_by_mistake' })],
  });
  expect(corrected.stage).toBe('invoicing');
  const rightly = await pay(handle, { invoiceNumber: final.number, amount: 30, reference, by: MANAGER });
  expect(rightly.invoices.find((i) => i.kind === 'final')).toMatchObject({ status: 'open', paidAmount: 30 });
  // Two receipts went (the client did get the first, for 300 — the agency's own mistake); no
  // "payment returned" mail: the money never came back from anywhere.
  await waitForNotice(env, projectId, 'payment_received', 2);
  await sleep(300);
  expect(noticesFor(env, projectId, 'payment_returned')).toEqual([]);

  // Paid in full: the project completes; its payments can no longer be taken back.
  await pay(handle, { invoiceNumber: final.number, amount: 970, reference: `${projectId}-rest`, by: MANAGER });
  await handle.result();
  await recordHistory(handle, 'project-payment-taken-back');
});

test.concurrent('a cancelled project keeps its payments: its settlement was worked out from them', async () => {
  const input = projectInput({ departments: ['design', 'copywriting'], policy: { startAfterPrepayment: true } });
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('a', 'design', { price: 1_000 }), planTask('b', 'copywriting', { price: 1_000 })], { prepaymentPercent: 50 }));
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  const prepayment = issued.invoices[0];
  await pay(handle, { invoiceNumber: prepayment.number, amount: 1_000, reference: `${input.projectId}-pre`, by: MANAGER });
  await waitForStatus(handle, (s) => s.tasks.length === 2, 'work started');
  await handle.executeUpdate(cancelProjectUpdate, { args: [{ reason: 'client budget frozen', by: MANAGER }] });
  await waitForStatus(handle, (s) => s.stage === 'cancelled', 'cancelled');
  expect(await refusal(takeBack(handle, { invoiceNumber: prepayment.number, reference: `${input.projectId}-pre`, cause: 'returned_by_bank' }))).toMatchObject({
    type: ErrorType.WrongStage,
  });
  const after = await statusOf(handle);
  expect(after.invoices[0]).toMatchObject({ paidAmount: 1_000, payments: [expect.objectContaining({ amount: 1_000 })] });
  expect(after.invoices[0].reversedPayments).toBeUndefined();
  await handle.terminate('test done');
});

test.concurrent('a payment the bank returned after the invoice was reminded: chased afresh one grace after, reminder then escalation, each naming the payment that came back', async () => {
  // Long enough for a busy machine to pay between the first reminder and its escalation.
  const graceMs = 10_000;
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: true, paymentTermsMs: 1_000, paymentEscalationMs: graceMs } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('hero', 'design', { price: 1_000 })], { prepaymentPercent: 20 }));
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  const prepayment = issued.invoices[0];
  // Reminded at its due date, then paid before the escalation.
  await waitForNotice(env, projectId, 'payment_reminder', 1, 30_000);
  const reference = `${projectId}-pre`;
  await pay(handle, { invoiceNumber: prepayment.number, amount: 200, reference, by: MANAGER });
  await waitForStatus(handle, (s) => s.tasks.length === 1, 'work starts once paid');

  const reversed = await takeBack(handle, { invoiceNumber: prepayment.number, reference, cause: 'returned_by_bank', note: 'R01' });
  const takenBackAt = reversed.invoices[0].reversedPayments![0].reversedAt;
  await waitForNotice(env, projectId, 'payment_returned');
  // Not reminded again at once: the client was just told; they have the escalation grace to pay.
  expect(noticesFor(env, projectId, 'payment_reminder')).toHaveLength(1);

  const reminders = await waitForNotice(env, projectId, 'payment_reminder', 2, 30_000);
  const again = { invoiceNumber: prepayment.number, amountOwed: 200, takenBackReference: reference, takenBackAmount: 200, takenBackAt, takenBackCause: 'returned_by_bank' };
  expect(reminders[1]).toMatchObject({ recipients: { emails: [input.client.email] }, idempotencyKey: expect.stringMatching(new RegExp(`:payment-reminder:${prepayment.number}:1$`)), data: expect.objectContaining(again) });
  const overdue = await waitForNotice(env, projectId, 'payment_overdue', 2);
  expect(overdue[1]).toMatchObject({ recipients: { personIds: [MANAGER.id] }, data: expect.objectContaining(again) });
  const escalation = await waitForNotice(env, projectId, 'payment_escalation', 1, 30_000);
  expect(escalation[0]).toMatchObject({ recipients: { personIds: [MANAGER.id], roles: ['leadership'] }, data: expect.objectContaining(again) });

  // The timeline says when and why; the new round began one grace after the take-back, not before.
  const chased = await statusOf(handle);
  const entries = chased.timeline.filter((e) => e.event === 'payment_reminder' || e.event === 'payment_escalated');
  expect(entries.map((e) => [e.event, e.detail])).toEqual([
    ['payment_reminder', `${prepayment.number}: 200 owed`],
    ['payment_reminder', `${prepayment.number}: 200 owed again, after ${reference} was taken back`],
    ['payment_escalated', `${prepayment.number}: 200 owed again, after ${reference} was taken back`],
  ]);
  expect(Date.parse(entries[1].at)).toBeGreaterThanOrEqual(Date.parse(takenBackAt) + graceMs);

  // The client's mail says their money came back; the manager's which payment was taken back.
  const textOf = async (notice: (typeof reminders)[number]): Promise<string> => {
    const [mail] = await eventually(async () => mailFor(env, notice).length > 0 && mailFor(env, notice), { what: `the mail of ${notice.template}` });
    return ((await simpleParser(mail.raw)).text ?? '').replace(/\s+/g, ' ');
  };
  const clientText = await textOf(reminders[1]);
  expect(clientText).toContain(`(reference ${reference}) came back from your bank, so it has not reached us.`);
  expect(await textOf(overdue[1])).toContain(`It is chased again: the payment of 200.00 EUR under reference ${reference} was taken back on`);

  // Paid again: nothing more is chased.
  await pay(handle, { invoiceNumber: prepayment.number, amount: 200, reference, by: MANAGER });
  await sleep(graceMs + 1_000);
  expect(noticesFor(env, projectId, 'payment_reminder')).toHaveLength(2);
  expect(noticesFor(env, projectId, 'payment_escalation')).toHaveLength(1);
  await recordHistory(handle, 'project-chased-after-take-back');
  await handle.terminate('test done');
});
