/**
 * Money on the edge paths: what a cancelled project owes when its prepayment was never paid (or
 * was more than the work), a prepayment chased while the work waits for it, an invoice a
 * Temporal-level cancel lands on while it is being numbered, and currencies with no or three
 * decimals. Each asks: is the client asked for exactly what they owe, once?
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import {
  cancelProjectUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
import { PaymentDueAtKey } from '../../workflows/search-attributes';
import { eventually } from '../support/temporal';
import {
  approvePlan,
  deliverTask,
  documentsFor,
  inSeconds,
  LEADER,
  mailFor,
  MANAGER,
  noticesFor,
  pay,
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
  waitForTask,
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.concurrent('cancelled with an unpaid prepayment: the client owes exactly the accepted work, the prepayment is voided and never chased', async () => {
  // 10,000 planned, 30 % prepayment never paid; work does not wait for it here. 4,000 accepted.
  const input = projectInput({ departments: ['design', 'copywriting'], policy: { startAfterPrepayment: false, paymentTermsMs: 3_000, paymentEscalationMs: 3_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('done', 'design', { price: 4_000 }), planTask('left', 'copywriting', { price: 6_000 })], { prepaymentPercent: 30 }));
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.kind === 'prepayment' && i.documentId !== undefined), 'prepayment invoice');
  const prepayment = issued.invoices[0];
  expect(prepayment).toMatchObject({ amount: 3_000, status: 'open' });
  await deliverTask(env, projectId, 'done', 'design');
  await waitForStatus(handle, (s) => s.tasks.find((t) => t.key === 'done')?.status === 'accepted', 'done accepted');

  await handle.executeUpdate(cancelProjectUpdate, { args: [{ reason: 'client budget frozen', by: MANAGER }] });
  const cancelled = await waitForStatus(handle, (s) => s.stage === 'cancelled' && s.invoices.every((i) => i.kind !== 'cancellation' || i.documentId), 'cancelled');
  const [voided, bill] = cancelled.invoices;
  expect(voided).toMatchObject({ kind: 'prepayment', number: prepayment.number, status: 'void', voidedAmount: 3_000, paidAmount: 0 });
  expect(bill).toMatchObject({ kind: 'cancellation', amount: 4_000, status: 'open' });
  // 4,000 asked in all, not 7,000.
  const owed = cancelled.invoices.reduce((sum, i) => sum + (i.status === 'open' ? i.amount - i.paidAmount : 0), 0);
  expect(owed).toBe(4_000);
  const billDoc = documentsFor(env, projectId).find((d) => d.kind === 'cancellation_invoice')!;
  expect(billDoc.invoice).toMatchObject({ amount: 4_000 });
  expect(billDoc.invoice?.prepaymentDeducted).toBeUndefined();
  const [voidNotice] = await waitForNotice(env, projectId, 'invoice_voided');
  expect(voidNotice.recipients).toEqual({ emails: [input.client.email] });
  expect(voidNotice.data).toMatchObject({ invoiceNumber: prepayment.number, amountVoided: 3_000 });
  // The client learns the project is cancelled first, then what is voided and what is billed: the
  // settlement's mails go once that one is out (in the order they were delivered).
  const [announced] = await waitForNotice(env, projectId, 'project_cancelled');
  // It carries the money as the settlement left it: the mail reads nothing of the project.
  expect(announced.data.cancelledAt).toBe(cancelled.cancellation!.at);
  expect(JSON.parse(String(announced.data.settledInvoices))).toEqual([
    expect.objectContaining({ number: prepayment.number, status: 'void' }),
    expect.objectContaining({ number: bill.number, kind: 'cancellation', amount: 4_000, status: 'open' }),
  ]);
  // Both invoices' notices out (the prepayment's at approval, the bill's last of the settlement).
  await waitForNotice(env, projectId, 'invoice_issued', 2);
  const order = noticesFor(env, projectId)
    .filter((n) => ['project_cancelled', 'invoice_voided'].includes(n.template) || (n.template === 'invoice_issued' && n.data.kind === 'cancellation'))
    .map((n) => n.template);
  // The two settlement mails go together once the announcement is out: either may finish first.
  expect(order[0]).toBe('project_cancelled');
  expect(order.slice(1).sort()).toEqual(['invoice_issued', 'invoice_voided']);

  // Past both terms: the cancellation invoice is chased; the voided prepayment never again (it may
  // have been chased before the cancellation, when it was still owed).
  await waitForStatus(handle, (s) => s.timeline.some((e) => e.event === 'payment_escalated' && e.detail?.startsWith(bill.number)), 'bill chased', 30_000);
  await sleep(1_000);
  const after = await statusOf(handle);
  const chasedAfterCancel = after.timeline
    .filter((e) => (e.event === 'payment_reminder' || e.event === 'payment_escalated') && e.at >= after.cancellation!.at)
    .map((e) => e.detail?.split(':')[0]);
  expect(chasedAfterCancel).toEqual([bill.number, bill.number]);
  expect(noticesFor(env, projectId, 'payment_escalation').map((n) => n.data.invoiceNumber)).toContain(bill.number);
  expect(timelineEvents(after)).toContain('invoice_voided');
  // A payment against the voided invoice is refused; the cancellation invoice's payment closes the project.
  await expect(pay(handle, { invoiceNumber: prepayment.number, amount: 100, reference: `${projectId}-void` })).rejects.toThrow(WorkflowUpdateFailedError);
  await pay(handle, { invoiceNumber: bill.number, amount: 4_000, reference: `${projectId}-bill` });
  const closed = (await handle.result()) as ProjectStatus;
  expect(closed.stage).toBe('cancelled');
  expect(closed.invoices.map((i) => [i.kind, i.status])).toEqual([['prepayment', 'void'], ['cancellation', 'paid']]);
  await recordHistory(handle, 'project-cancelled-with-unpaid-prepayment');
  await recordHistory(handle, 'project-cancellation-announced-first');
});

test.concurrent('cancelled before any work was accepted: the unpaid prepayment is voided and the project ends at once, owing nothing', async () => {
  const input = projectInput({ departments: ['seo'], policy: { startAfterPrepayment: true } });
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 2_000 })], { prepaymentPercent: 50 }));
  await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  await handle.executeUpdate(cancelProjectUpdate, { args: [{ reason: 'changed their mind', by: LEADER }] });
  const closed = (await handle.result()) as ProjectStatus;
  expect(closed.stage).toBe('cancelled');
  expect(closed.invoices).toEqual([expect.objectContaining({ kind: 'prepayment', status: 'void', voidedAmount: 1_000 })]);
  expect(closed.tasks).toEqual([]);
  // Nothing had started: the notice says so, instead of "we have stopped the work".
  const [cancelled] = await waitForNotice(env, input.projectId, 'project_cancelled');
  expect(cancelled.data).toMatchObject({ noWorkStarted: true, stage: 'in_production' });
});

test.concurrent('a prepayment larger than the accepted work becomes a credit note: a refund owed, recorded and settled', async () => {
  const input = projectInput({ departments: ['design', 'ads'], policy: { startAfterPrepayment: true } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('small', 'design', { price: 2_000 }), planTask('big', 'ads', { price: 8_000 })], { prepaymentPercent: 50 }));
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  await pay(handle, { invoiceNumber: issued.invoices[0].number, amount: 5_000, reference: `${projectId}-pre` });
  await deliverTask(env, projectId, 'small', 'design');
  await waitForStatus(handle, (s) => s.tasks.find((t) => t.key === 'small')?.status === 'accepted', 'small accepted');

  await handle.executeUpdate(cancelProjectUpdate, { args: [{ reason: 'campaign dropped', by: MANAGER }] });
  const cancelled = await waitForStatus(handle, (s) => s.stage === 'cancelled' && s.invoices.length === 2 && !!s.invoices[1].documentId, 'credit note');
  expect(cancelled.invoices[0]).toMatchObject({ kind: 'prepayment', status: 'paid', paidAmount: 5_000 });
  const credit = cancelled.invoices[1];
  expect(credit).toMatchObject({ kind: 'credit_note', amount: 3_000, status: 'open' });
  expect(documentsFor(env, projectId).find((d) => d.kind === 'credit_note')?.invoice).toMatchObject({ amount: 3_000, prepaymentDeducted: 5_000 });
  // The client, and the manager who pays the refund out (who cancelled, so got no cancellation mail).
  expect((await waitForNotice(env, projectId, 'credit_note_issued'))[0].recipients).toEqual({ emails: [input.client.email], personIds: [MANAGER.id] });
  // We owe it: never chased as if the client did.
  expect(noticesFor(env, projectId, 'payment_reminder')).toEqual([]);

  // The refund paid out settles it, and the project ends.
  const refunded = await pay(handle, { invoiceNumber: credit.number, amount: 3_000, reference: `${projectId}-refund` });
  expect(refunded.invoices[1].status).toBe('paid');
  expect(timelineEvents(refunded)).toContain('refund_paid');
  const ended = (await handle.result()) as ProjectStatus;
  expect(ended.stage).toBe('cancelled');
  // The report made at the cancellation showed the refund owed; a second one, once it is paid, the final figures.
  const reports = documentsFor(env, projectId).filter((d) => d.kind === 'final_report');
  expect(reports.map((r) => r.sequence)).toEqual([1, 2]);
  expect(reports[0].snapshot.invoices.find((i) => i.kind === 'credit_note')?.status).toBe('open');
  expect(reports[1].snapshot.invoices.find((i) => i.kind === 'credit_note')?.status).toBe('paid');
  expect(ended.documents.filter((d) => d.kind === 'final_report')).toHaveLength(2);
  await recordHistory(handle, 'project-cancelled-report-when-settled');
});

test.concurrent('an unpaid prepayment is chased like any invoice while the work waits for it, and shows as unpaid past due', async () => {
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: true, paymentTermsMs: 2_000, paymentEscalationMs: 2_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('hero', 'design', { price: 1_000 })], { prepaymentPercent: 20 }));
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  const prepayment = issued.invoices[0];

  const [reminder] = await waitForNotice(env, projectId, 'payment_reminder', 1, 30_000);
  // The invoice, its reminder, the manager's notice and the escalation all say the work waits for it.
  const [invoiceNotice] = await waitForNotice(env, projectId, 'invoice_issued');
  expect(invoiceNotice.data).toMatchObject({ kind: 'prepayment', startsWorkWhenPaid: true });
  expect(reminder).toMatchObject({
    recipients: { emails: [input.client.email] },
    data: expect.objectContaining({ invoiceNumber: prepayment.number, amountOwed: 200, startsWorkWhenPaid: true }),
  });
  // It carries what came in on the invoice (nothing yet), so its mail needs no read of the project.
  expect(reminder.data).toMatchObject({ invoiceTotal: 200, received: 0, paymentsReceived: 0 });
  expect(reminder.data.lastPaidAt).toBeUndefined();
  const [overdue] = await waitForNotice(env, projectId, 'payment_overdue');
  expect(overdue).toMatchObject({ recipients: { personIds: [MANAGER.id] }, data: expect.objectContaining({ startsWorkWhenPaid: true }) });
  const [escalation] = await waitForNotice(env, projectId, 'payment_escalation', 1, 30_000);
  expect(escalation).toMatchObject({ recipients: { personIds: [MANAGER.id], roles: ['leadership'] }, data: expect.objectContaining({ startsWorkWhenPaid: true }) });
  const waiting = await statusOf(handle);
  expect(waiting.stage).toBe('in_production');
  expect(waiting.tasks).toEqual([]);
  expect(timelineEvents(waiting)).toEqual(expect.arrayContaining(['waiting_for_prepayment', 'payment_reminder', 'payment_escalated']));
  // "Unpaid past due" in the portfolio is PaymentDueAt < now.
  expect((await handle.describe()).typedSearchAttributes.get(PaymentDueAtKey)?.toISOString()).toBe(prepayment.dueAt);

  await pay(handle, { invoiceNumber: prepayment.number, amount: 200, reference: `${projectId}-pre` });
  await waitForStatus(handle, (s) => s.tasks.length === 1 && s.tasks[0].status === 'open', 'work starts once paid');
  // The client's receipt: paid in full, and the work it waited for starts.
  const [receipt] = await waitForNotice(env, projectId, 'payment_received');
  expect(receipt).toMatchObject({
    recipients: { emails: [input.client.email] },
    data: expect.objectContaining({ invoiceNumber: prepayment.number, amount: 200, stillOwed: 0, startsWork: true, reference: `${projectId}-pre`, waitsForPrepayment: false }),
  });
  const receiptMail = await eventually(async () => mailFor(env, receipt).length > 0 && mailFor(env, receipt), { what: 'the receipt mail' });
  expect(receiptMail.map((m) => m.subject)).toEqual([`Payment received: invoice ${prepayment.number} (${input.title})`]);
  await sleep(500);
  expect(noticesFor(env, projectId, 'payment_reminder')).toHaveLength(1);
  expect(noticesFor(env, projectId, 'payment_received')).toHaveLength(1);
  await recordHistory(handle, 'project-prepayment-chased');
  await handle.terminate('test done');
});

test.concurrent('a Temporal-level cancel landing while the prepayment is numbered leaves no number without its paper and notice', async () => {
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: true } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  let numbering!: () => void;
  const entered = new Promise<void>((resolve) => (numbering = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  env.gates.beforeInvoiceNumber = async (allocation) => {
    if (!allocation.idempotencyKey.includes(projectId)) return;
    numbering();
    await released;
  };
  await approvePlan(handle, plan([planTask('hero', 'design', { price: 1_000 })], { prepaymentPercent: 40 }));
  await entered;
  await handle.cancel(); // the UI's button, while the number is being allocated
  await sleep(500);
  release();

  const done = await waitForStatus(handle, (s) => s.stage === 'cancelled', 'cancelled');
  const numbers = env.effects.invoiceNumbers.filter((n) => n.input.idempotencyKey.includes(projectId)).map((n) => n.number);
  expect(numbers).toHaveLength(1);
  // The number taken is an invoice with its paper and its notice, then voided: nothing was paid.
  expect(done.invoices).toEqual([expect.objectContaining({ number: numbers[0], kind: 'prepayment', status: 'void' })]);
  expect(done.invoices[0].documentId).toBeDefined();
  expect(documentsFor(env, projectId).filter((d) => d.kind === 'prepayment_invoice').map((d) => d.number)).toEqual(numbers);
  expect((await waitForNotice(env, projectId, 'invoice_issued'))[0].data.invoiceNumber).toBe(numbers[0]);
  expect(done.cancellation).toMatchObject({ by: 'temporal' });
  // One moment for the number's year and the date printed on the invoice.
  expect(numbers[0]).toContain(`-${new Date(done.invoices[0].issuedAt).getUTCFullYear()}-`);
  await recordHistory(handle, 'project-temporal-cancel-while-invoicing');
});

test.concurrent('currencies keep their own minor units: yen without decimals, dinar with three, exactly', async () => {
  const yen = projectInput({ departments: ['design'], budget: { amount: 100_001, currency: 'JPY' } });
  const yenHandle = await startProject(env, yen);
  // A price with sen is refused at the field, the workflow knowing the project's currency.
  const refused = await projectUpdate(yenHandle, (await import('../../workflows/project/contract')).submitPlanUpdate, {
    args: [plan([planTask('a', 'design', { price: 10.5 })])],
  }).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  const failure = (refused as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(failure.details?.[0]).toMatchObject({ field: 'tasks[0].price' });
  await approvePlan(yenHandle, plan([planTask('a', 'design', { price: 100_001 })], { prepaymentPercent: 33 }));
  const yenStatus = await waitForStatus(yenHandle, (s) => s.invoices.length === 1, 'yen prepayment');
  expect(yenStatus.invoices[0]).toMatchObject({ amount: 33_000, currency: 'JPY' }); // 33,000.33 rounded to the yen

  const dinar = projectInput({ departments: ['design'], budget: { amount: 1.235, currency: 'KWD' } });
  const dinarHandle = await startProject(env, dinar);
  await approvePlan(dinarHandle, plan([planTask('a', 'design', { price: 1.234 }), planTask('b', 'design', { price: 0.001 })], { prepaymentPercent: 10 }));
  const dinarStatus = await waitForStatus(dinarHandle, (s) => s.invoices.length === 1, 'dinar prepayment');
  expect(dinarStatus.plans[0].total).toBe(1.235);
  expect(dinarStatus.invoices[0]).toMatchObject({ amount: 0.124, currency: 'KWD' }); // 0.1235 to the fils
  await Promise.all([yenHandle.terminate('test done'), dinarHandle.terminate('test done')]);
});

test.concurrent('work that waited for the prepayment starts with its due dates moved by that wait, not already late', async () => {
  const input = projectInput({ departments: ['design', 'copywriting'], policy: { startAfterPrepayment: true } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  // The first task is due before the client will have paid: without the move it would open overdue.
  const planned = plan([planTask('look', 'design', { dueAt: inSeconds(45) }), planTask('words', 'copywriting', { dependsOn: ['look'] })], { prepaymentPercent: 50 });
  await approvePlan(handle, planned);
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  const approvedAt = Date.parse(issued.plans[0].decision!.at);
  // The client pays a minute and a bit after the approval: dates are read to the minute.
  await sleep(approvedAt + 62_000 - Date.now());
  const paidAt = Date.now();
  await pay(handle, { invoiceNumber: issued.invoices[0].number, amount: 1_000, reference: `${projectId}-pre` });

  const started = await waitForStatus(handle, (s) => s.tasks.length === 2, 'tasks added');
  const movedBy = (key: string) => Date.parse(started.tasks.find((t) => t.key === key)!.dueAt) - Date.parse(planned.tasks.find((t) => t.key === key)!.dueAt);
  // Whole minutes, at least the one waited, at most the time from approval to the payment.
  expect(movedBy('look') % 60_000).toBe(0);
  expect(movedBy('look')).toBeGreaterThanOrEqual(60_000);
  expect(movedBy('look')).toBeLessThanOrEqual(Date.now() - approvedAt);
  expect(movedBy('words')).toBe(movedBy('look'));
  expect(started.timeline.find((e) => e.event === 'due_dates_moved')?.detail).toMatch(/^every due date 1 minute later: the prepayment came that long after the plan's approval$/);
  // The task itself runs on the moved date: not overdue, and the department's mail names it.
  const look = await waitForTask(env, projectId, 'look', (v) => v.status === 'open');
  expect(look.dueAt).toBe(started.tasks.find((t) => t.key === 'look')!.dueAt);
  expect(Date.parse(look.dueAt)).toBeGreaterThan(paidAt);
  expect(look.overdue).toBe(false);
  await recordHistory(handle, 'project-dates-from-prepayment');
});
