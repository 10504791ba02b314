/**
 * A client who paid more than an invoice asked: refused unless confirmed (most such amounts are
 * typos), then recorded whole, and the excess comes back by a credit note once the project is
 * invoicing — set first against what the client has not paid yet, the rest refunded before the
 * project completes. Never on a refund paid out.
 */
import { ErrorType } from '../../workflows/errors';
import { recordFeedbackUpdate, type ProjectStatus } from '../../workflows/project/contract';
import {
  approvePlan,
  deliverTask,
  documentsFor,
  MANAGER,
  pay,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  refusal,
  startProject,
  startWorkflowTestEnv,
  statusOf,
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
type Handle = Awaited<ReturnType<typeof startProject>>;

async function toInvoicing(handle: Handle, projectId: string, key: string): Promise<void> {
  await deliverTask(env, projectId, key, 'design');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] });
}

test.concurrent('the final invoice paid beyond what it asked: refused until confirmed; then a credit note for the excess, refunded before the project completes', async () => {
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: false } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('logo', 'design', { price: 1_000 })], { prepaymentPercent: 0 }));
  await toInvoicing(handle, projectId, 'logo');
  const billed = await waitForStatus(handle, (s) => s.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = billed.invoices.find((i) => i.kind === 'final')!;

  const payment = { invoiceNumber: final.number, amount: 1_050, reference: `${projectId}-over`, by: MANAGER };
  expect(await refusal(pay(handle, payment))).toMatchObject({ type: ErrorType.Overpayment, field: 'amount' });
  expect((await statusOf(handle)).invoices.find((i) => i.kind === 'final')).toMatchObject({ paidAmount: 0, status: 'open' });

  const paid = await pay(handle, { ...payment, moreThanOwed: true });
  expect(paid.invoices.find((i) => i.kind === 'final')).toMatchObject({ paidAmount: 1_050, status: 'paid' });
  const [receipt] = await waitForNotice(env, projectId, 'payment_received');
  expect(receipt.data).toMatchObject({ invoiceNumber: final.number, amount: 1_050, stillOwed: 0, overpaid: 50 });

  // The excess comes back: a credit note of 50, a refund owed (nothing else unpaid to set it against).
  const credited = await waitForStatus(handle, (s) => s.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'the credit note');
  const note = credited.invoices.find((i) => i.kind === 'credit_note')!;
  expect(note).toMatchObject({ amount: 50, status: 'open' });
  expect(credited.invoices.find((i) => i.kind === 'final')).toMatchObject({ excessCredited: 50, excessCreditedBy: [note.number] });
  expect(credited.stage).toBe('invoicing');
  const [notice] = await waitForNotice(env, projectId, 'credit_note_issued');
  expect(notice).toMatchObject({ recipients: { emails: [input.client.email], personIds: [MANAGER.id] }, data: expect.objectContaining({ overpaymentOf: final.number, amount: 50 }) });
  expect(documentsFor(env, projectId).find((d) => d.kind === 'credit_note')?.invoice).toMatchObject({ overpaymentOf: final.number, amount: 50 });

  // Refunded: the project completes.
  await pay(handle, { invoiceNumber: note.number, amount: 50, reference: `${projectId}-refund`, by: MANAGER });
  const done = (await handle.result()) as ProjectStatus;
  expect(done.stage).toBe('completed');
  expect(done.invoices.filter((i) => i.kind === 'credit_note')).toHaveLength(1);
  await recordHistory(handle, 'project-overpaid-final-invoice');
});

test.concurrent('a prepayment paid twice over: the excess is taken off the final invoice, nothing paid out; a refund can never be overpaid', async () => {
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: true } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('poster', 'design', { price: 1_000 })], { prepaymentPercent: 20 }));
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  const prepayment = issued.invoices[0];
  // The client paid the prepayment twice (the same 200 sent again): 400 in one line of the statement.
  await pay(handle, { invoiceNumber: prepayment.number, amount: 400, reference: `${projectId}-pre`, moreThanOwed: true, by: MANAGER });
  await waitForStatus(handle, (s) => s.tasks.length === 1, 'work starts once paid');
  await toInvoicing(handle, projectId, 'poster');

  const settled = await waitForStatus(handle, (s) => s.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'the credit note');
  const final = settled.invoices.find((i) => i.kind === 'final')!;
  const note = settled.invoices.find((i) => i.kind === 'credit_note')!;
  // Final: 1,000 less the 200 prepayment asked = 800; the 200 paid beyond it is set against that.
  expect(final).toMatchObject({ amount: 800, status: 'open', setOffs: [expect.objectContaining({ invoiceNumber: note.number, amount: 200 })] });
  expect(note).toMatchObject({ amount: 200, status: 'paid' });
  expect(settled.invoices.find((i) => i.kind === 'prepayment')).toMatchObject({ paidAmount: 400, excessCredited: 200 });

  // A refund paid out beyond the credit note is the agency's own mistake: refused even when confirmed.
  expect(await refusal(pay(handle, { invoiceNumber: note.number, amount: 10, reference: `${projectId}-refund`, moreThanOwed: true, by: MANAGER }))).toMatchObject({
    type: ErrorType.Overpayment,
  });
  await pay(handle, { invoiceNumber: final.number, amount: 600, reference: `${projectId}-final`, by: MANAGER });
  const done = (await handle.result()) as ProjectStatus;
  expect(done.stage).toBe('completed');
  expect(done.invoices.map((i) => [i.kind, i.status])).toEqual([
    ['prepayment', 'paid'],
    ['final', 'paid'],
    ['credit_note', 'paid'],
  ]);
});
