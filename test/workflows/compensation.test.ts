/**
 * A complaint resolved with money: a compensation agreed before the final invoice is taken off
 * it; one agreed after it is a credit note, set first against what the client has not paid yet,
 * the rest a refund the project waits for before it completes;
 * one agreed before a cancellation is taken off what the cancelled project bills. Never more than
 * is left to bill, and each shows on the paper with the complaint it was agreed for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import pdfParse from 'pdf-parse/lib/pdf-parse.js';
import {
  cancelProjectUpdate,
  recordFeedbackUpdate,
  resolveComplaintUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
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
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  refusal,
  startProject,
  startWorkflowTestEnv,
  timelineEvents,
  waitForNotice,
  waitForStatus,
  type WorkflowTestEnv,
} from './support';
import { eventually } from '../support/temporal';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(120_000);

type Handle = Awaited<ReturnType<typeof startProject>>;

const complain = (handle: Handle, description: string) =>
  projectUpdate(handle, recordFeedbackUpdate, { args: [complaint(description)] });
const resolve = (handle: Handle, complaintId: string, compensation?: number) =>
  projectUpdate(handle, resolveComplaintUpdate, {
    args: [{ complaintId, resolution: `apology call and ${compensation ?? 'no'} off`, ...(compensation !== undefined && { compensation }), by: LEADER }],
  });

/** The text of a document the project produced, whitespace collapsed. */
async function documentText(projectId: string, documentId: string): Promise<string> {
  const bytes = fs.readFileSync(path.join(env.documentsDir, projectId, `${documentId}.pdf`));
  return (await pdfParse(new Uint8Array(bytes) as unknown as Buffer)).text.replace(/\s+/g, ' ');
}

test.concurrent('before the final invoice a compensation is taken off it; after it, a credit note the project waits to refund', async () => {
  const input = projectInput({ departments: ['seo'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 2_000 })]));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');

  await complain(handle, 'the audit missed the blog');
  // Never more than the final invoice would bill; nothing recorded by a refusal.
  expect(await refusal(resolve(handle, 'c1', 2_000.01))).toMatchObject({ type: 'InvalidInput', field: 'compensation' });
  expect(await refusal(resolve(handle, 'c1', 0.001))).toMatchObject({ type: 'InvalidInput', field: 'compensation' });
  let s = await resolve(handle, 'c1', 300);
  expect(s.complaints[0]).toMatchObject({ resolvedBy: LEADER.id, compensation: { amount: 300, settled: false } });
  // The client hears their complaint is resolved and where the money goes; never the agency's note of how.
  const [resolvedBefore] = await waitForNotice(env, projectId, 'complaint_resolved');
  expect(resolvedBefore).toMatchObject({
    recipients: { emails: [input.client.email] },
    data: expect.objectContaining({ complaintId: 'c1', description: 'the audit missed the blog', amount: 300, currency: 'EUR', settledBy: 'final_invoice' }),
  });
  const [resolvedMail] = await eventually(async () => mailFor(env, resolvedBefore).length > 0 && mailFor(env, resolvedBefore), { what: 'the complaint-resolved mail' });
  expect(resolvedMail.subject).toBe(`Your complaint is resolved: ${input.title}`);
  const resolvedText = ((await simpleParser(resolvedMail.raw)).text ?? '').replace(/\s+/g, ' ');
  expect(resolvedText).toMatch(/We have resolved your complaint of .+: “the audit missed the blog”\./);
  expect(resolvedText).toContain('We agreed a compensation of 300.00 EUR: it is taken off your final invoice.');
  expect(resolvedText).not.toContain('apology call');

  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: 'fine now' }, by: MANAGER }] });
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = s.invoices.find((i) => i.kind === 'final')!;
  expect(final.amount).toBe(1_700);
  expect(s.complaints[0].compensation).toEqual({ amount: 300, settled: true, invoiceNumber: final.number });
  const finalDoc = documentsFor(env, projectId).find((d) => d.kind === 'final_invoice')!;
  expect(finalDoc.invoice?.compensations).toEqual([{ complaintId: 'c1', amount: 300 }]);
  const finalText = await documentText(projectId, final.documentId!);
  expect(finalText).toMatch(/Less compensation agreed \(complaint of \d{4}-\d{2}-\d{2}\): -300\.00 EUR Amount due: 1,700\.00 EUR/);
  expect(finalText).toContain('the audit missed the blog');

  // After the final invoice, not paid yet: a second complaint, compensated by a credit note of its
  // own, set against that invoice. The client pays that much less; nothing is paid out.
  await complain(handle, 'the report came a week late');
  expect(await refusal(resolve(handle, 'c2', 1_700.01))).toMatchObject({ type: 'InvalidInput', field: 'compensation' });
  await resolve(handle, 'c2', 200);
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'credit note');
  const resolvedAfter = await waitForNotice(env, projectId, 'complaint_resolved', 2);
  expect(resolvedAfter[1].data).toMatchObject({ complaintId: 'c2', amount: 200, settledBy: 'credit_note' });
  const [creditNoteFollows] = await eventually(async () => mailFor(env, resolvedAfter[1]).length > 0 && mailFor(env, resolvedAfter[1]), { what: 'the second complaint-resolved mail' });
  expect(((await simpleParser(creditNoteFollows.raw)).text ?? '').replace(/\s+/g, ' ')).toContain('your final invoice is already out, so a credit note for it follows in a separate e-mail');
  const credit = s.invoices.find((i) => i.kind === 'credit_note')!;
  // Credit notes in their own series, invoices in theirs.
  expect(credit.number).toMatch(/^CN-\d{4}-\d{6}$/);
  expect(final.number).toMatch(/^INV-\d{4}-\d{6}$/);
  expect(credit).toMatchObject({ amount: 200, paidAmount: 0, status: 'paid', setOffs: [{ invoiceNumber: final.number, amount: 200, at: credit.issuedAt }] });
  expect(s.invoices.find((i) => i.kind === 'final')).toMatchObject({ status: 'open', paidAmount: 0, setOffs: [{ invoiceNumber: credit.number, amount: 200 }] });
  expect(s.complaints[1].compensation).toEqual({ amount: 200, settled: true, invoiceNumber: credit.number });
  const [notice] = await waitForNotice(env, projectId, 'credit_note_issued');
  expect(notice.data).toMatchObject({ invoiceNumber: credit.number, amount: 200, compensationFor: 'c2', setAgainst: final.number, setOffAmount: 200, stillOwed: 1_500, refundOwed: 0 });
  // Nothing to pay out: the client alone is told.
  expect(notice.recipients).toEqual({ emails: [input.client.email] });
  const creditText = await documentText(projectId, credit.documentId!);
  expect(creditText).toMatch(/Compensation agreed \(complaint of \d{4}-\d{2}-\d{2}\): 200\.00 EUR Set against invoice \S+ \(not yet paid in full\): -200\.00 EUR Refund owed to the Client: 0\.00 EUR/);
  expect(creditText).toContain(`taken off invoice ${final.number}, which the Client had not paid in full: it now asks 1,500.00 EUR`);
  expect(creditText).toContain('200.00 EUR of it is taken off what the Client has not paid, so nothing is paid out');
  expect(creditText).not.toContain('by bank transfer');
  expect(timelineEvents(s)).toContain('credit_set_off');

  // What is left to give back is what was billed less the credit notes out: 1,700 - 200.
  await complain(handle, 'and the invoice had a typo');
  expect(await refusal(resolve(handle, 'c3', 1_500.01))).toMatchObject({ type: 'InvalidInput', field: 'compensation' });
  await resolve(handle, 'c3');
  const resolvedWithout = await waitForNotice(env, projectId, 'complaint_resolved', 3);
  expect(resolvedWithout[2].data).toMatchObject({ complaintId: 'c3', description: 'and the invoice had a typo' });
  expect(resolvedWithout[2].data).not.toHaveProperty('amount');

  // The final invoice asks 1,500 now: more than it asked before is refused, and paying 1,500 completes the project.
  await expect(pay(handle, { invoiceNumber: final.number, amount: 1_700.01, reference: `${projectId}-final` })).rejects.toMatchObject({
    cause: { type: 'Overpayment', message: expect.stringContaining('is more than the €1,500.00 still owed on ' + final.number + ' (€1,700.00 before credit notes') },
  });
  await pay(handle, { invoiceNumber: final.number, amount: 1_500, reference: `${projectId}-final` });
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  expect(timelineEvents(result)).not.toContain('refund_paid');
  const report = result.documents.find((d) => d.kind === 'final_report')!;
  const reportText = await documentText(projectId, report.documentId);
  expect(reportText).toContain(`credit note ${credit.number} set against ${final.number}, 200.00 EUR (no money moved)`);
  expect(reportText).toMatch(/Paid by the client: 1,500\.00 EUR Set off by credit notes: 200\.00 EUR Outstanding: 0\.00 EUR/);
  expect(reportText).toMatch(/Refunds owed to the client \(credit notes\): 0\.00 EUR/);
  // Its timeline in words, not as recorded: kinds and amounts as people write them.
  expect(reportText).not.toMatch(/acceptance_act|final_invoice|credit_note|\d{4}-\d{2}-\d{2}T/);
  expect(reportText).toContain(`final invoice ${final.number}: 1,700.00 EUR`);
  expect(reportText).toContain('acceptance act');
  await recordHistory(handle, 'project-compensation-set-off');
  await recordHistory(handle, 'project-complaint-resolved-mail');
});

test.concurrent('a compensation after the final invoice is part paid: set against what is left, the rest refunded, and the store agrees', async () => {
  // A client of its own, so the KPIs for that client are this project's alone.
  const clientId = `client-setoff-${Date.now().toString(36)}`;
  const input = projectInput({ departments: ['seo'], client: { id: clientId, name: 'Set-off GmbH', segment: 'B2B', email: 'ap@setoff.example' } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 2_000 })]));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 3, comment: 'ok' }, by: MANAGER }] });
  let s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = s.invoices.find((i) => i.kind === 'final')!;
  await pay(handle, { invoiceNumber: final.number, amount: 1_500, reference: `${projectId}-part` });

  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'complaint', description: 'half the pages were missed' }, by: MANAGER }] });
  await resolve(handle, 'c1', 900);
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'credit note');
  const credit = s.invoices.find((i) => i.kind === 'credit_note')!;
  // 500 settles the final invoice; 400 is refunded.
  expect(credit).toMatchObject({ amount: 900, status: 'open', setOffs: [{ invoiceNumber: final.number, amount: 500 }] });
  expect(s.invoices.find((i) => i.kind === 'final')).toMatchObject({ status: 'paid', paidAmount: 1_500, setOffs: [{ invoiceNumber: credit.number, amount: 500 }] });
  const [notice] = await waitForNotice(env, projectId, 'credit_note_issued');
  expect(notice.data).toMatchObject({ setAgainst: final.number, setOffAmount: 500, stillOwed: 0, refundOwed: 400 });
  expect(notice.recipients).toEqual({ emails: [input.client.email], personIds: [MANAGER.id] });
  const creditText = await documentText(projectId, credit.documentId!);
  expect(creditText).toMatch(/Set against invoice \S+ \(not yet paid in full\): -500\.00 EUR Refund owed to the Client: 400\.00 EUR/);
  expect(creditText).toContain('nothing is left to pay on it');
  expect(creditText).toContain('The Agency refunds 400.00 EUR to the Client');

  // The store: a refund owed in the portfolio, nothing outstanding on the final invoice.
  const owed = await eventually(async () => (await env.reporting.portfolio({})).refundsOwed.items.find((i) => i.projectId === projectId), {
    what: 'the refund owed in the portfolio',
  });
  expect(owed.refundDueAt).toBe(credit.dueAt);
  const moneyNow = async () => {
    const { money } = await env.reporting.kpis({ from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000), overloadHours: 40, now: new Date() });
    return money.byClient.find((c) => c.clientId === clientId);
  };
  expect(await moneyNow()).toMatchObject({ invoiced: 2_000, credited: 900, paid: 1_500, refunded: 0, outstanding: 0 });

  // More than the 400 left is refused; the 400 completes the project and clears the portfolio.
  expect(await refusal(pay(handle, { invoiceNumber: credit.number, amount: 400.01, reference: `${projectId}-refund` }))).toMatchObject({ type: 'Overpayment', field: 'amount' });
  await pay(handle, { invoiceNumber: credit.number, amount: 400, reference: `${projectId}-refund` });
  expect(((await handle.result()) as ProjectStatus).stage).toBe('completed');
  await eventually(async () => !(await env.reporting.portfolio({})).refundsOwed.items.some((i) => i.projectId === projectId), {
    what: 'the refund paid out',
  });
  expect(await moneyNow()).toMatchObject({ paid: 1_500, refunded: 400, outstanding: 0 });
});

test.concurrent('a set-off against an invoice the client had in fact paid is undone when that payment is recorded: the credit note is refunded instead', async () => {
  const input = projectInput({ departments: ['seo'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 1_000 })]));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: 'fine' }, by: MANAGER }] });
  let s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = s.invoices.find((i) => i.kind === 'final')!;
  // The client pays the 1,000 today; the statement is not imported yet when a complaint is settled with 100.
  const paidAt = new Date().toISOString();
  await complain(handle, 'one page was missed');
  await resolve(handle, 'c1', 100);
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'credit note');
  const credit = s.invoices.find((i) => i.kind === 'credit_note')!;
  expect(credit).toMatchObject({ status: 'paid', setOffs: [{ invoiceNumber: final.number, amount: 100 }] });

  // More than the invoice asked before the set-off is still refused, saying both amounts.
  const pay1000 = (amount: number) => pay(handle, { invoiceNumber: final.number, amount, paidAt, reference: `${projectId}-final` });
  await expect(pay1000(1_000.01)).rejects.toMatchObject({
    cause: { type: 'Overpayment', message: expect.stringContaining('more than the €900.00 still owed on ' + final.number + ' (€1,000.00 before credit notes were set against it)') },
  });
  // The statement's 1,000 is taken: the set-off is undone, and the credit note is a refund owed.
  s = await pay1000(1_000);
  expect(s.invoices.find((i) => i.kind === 'final')).toMatchObject({
    status: 'paid',
    paidAmount: 1_000,
    setOffs: [
      { invoiceNumber: credit.number, amount: 100 },
      { invoiceNumber: credit.number, amount: -100 },
    ],
  });
  expect(s.invoices.find((i) => i.kind === 'credit_note')).toMatchObject({ status: 'open', paidAmount: 0 });
  expect(timelineEvents(s)).toContain('set_off_undone');
  expect(s.stage).toBe('invoicing');
  const owed = await eventually(async () => (await env.reporting.portfolio({})).refundsOwed.items.find((i) => i.projectId === projectId), {
    what: 'the refund owed in the portfolio',
  });
  expect(owed.refundDueAt).toBe(credit.dueAt);
  // The same statement imported again counts once.
  expect((await pay1000(1_000)).invoices.find((i) => i.kind === 'final')!.payments).toHaveLength(1);
  await pay(handle, { invoiceNumber: credit.number, amount: 100, reference: `${projectId}-refund` });
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  const reportText = await documentText(projectId, result.documents.find((d) => d.kind === 'final_report')!.documentId);
  expect(reportText).toContain(`100.00 EUR of credit note ${credit.number} no longer set against ${final.number}, which was paid in full: refunded instead`);
  expect(reportText).toMatch(/Paid by the client: 1,000\.00 EUR Outstanding: 0\.00 EUR/);
  expect(reportText).toMatch(/Refunds owed to the client \(credit notes\): 100\.00 EUR Refunds paid: 100\.00 EUR Refunds still to pay: 0\.00 EUR/);
});

test.concurrent('with nothing left to bill (the prepayment covered the plan) no final invoice goes out: the act is mailed to the client on its own, to sign', async () => {
  const input = projectInput({ departments: ['design'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('logo', 'design', { price: 800 })], { prepaymentPercent: 100 }));
  const prepayment = (await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'prepayment' && i.documentId), 'prepayment invoice')).invoices[0];
  await pay(handle, { invoiceNumber: prepayment.number, amount: 800, reference: `${projectId}-prepayment` });
  await deliverTask(env, projectId, 'logo', 'design');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] });
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  expect(result.invoices.map((i) => i.kind)).toEqual(['prepayment']);
  const act = result.documents.find((d) => d.kind === 'acceptance_act')!;
  const [notice] = await waitForNotice(env, projectId, 'acceptance_act_to_sign');
  expect(notice).toMatchObject({ recipients: { emails: [input.client.email] }, data: { documentId: act.documentId, covered: 'the prepayment' } });
  expect(notice.data).not.toHaveProperty('unpaidInvoices'); // paid: the mail says nothing is left to pay
  expect(noticesFor(env, projectId, 'acceptance_act_to_sign')).toHaveLength(1);
  const [mail] = await eventually(async () => mailFor(env, notice).length > 0 && mailFor(env, notice), { what: 'the act mail' });
  expect(mail.subject).toBe(`Acceptance act to sign: ${input.title}`);
  expect(mail.to).toEqual([input.client.email]);
  // The act itself, as a PDF.
  expect(mail.raw).toMatch(/Content-Type: application\/pdf/i);
  expect(/filename="?([a-z_]+)-/.exec(mail.raw.slice(mail.raw.lastIndexOf('Content-Type: application/pdf')))?.[1]).toBe('acceptance_act');
  await recordHistory(handle, 'project-act-without-final-invoice');
});

test.concurrent('a cancellation counts a credit note set against the unpaid prepayment as received: the compensation is not billed again', async () => {
  // The whole plan is prepaid on paper, so the final invoice bills nothing; the prepayment is unpaid.
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: false } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('logo', 'design', { price: 1_000 })], { prepaymentPercent: 100 }));
  await deliverTask(env, projectId, 'logo', 'design');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 3, comment: '' }, by: MANAGER }] });
  const billedNothing = await waitForStatus(handle, (x) => timelineEvents(x).includes('nothing_left_to_invoice'), 'nothing left to invoice');
  // The act comes on its own, and says the prepayment is what is still to pay (not "nothing").
  const [act] = await waitForNotice(env, projectId, 'acceptance_act_to_sign');
  expect(act.data).toMatchObject({ covered: 'the prepayment', unpaidInvoices: billedNothing.invoices.find((i) => i.kind === 'prepayment')!.number, stillOwed: 1_000, currency: 'EUR' });
  await complain(handle, 'the logo came late');
  await resolve(handle, 'c1', 300);
  let s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'credit note');
  const prepayment = s.invoices.find((i) => i.kind === 'prepayment')!;
  expect(prepayment.setOffs).toEqual([expect.objectContaining({ amount: 300 })]);

  s = await projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'client closed', by: MANAGER }] });
  s = await waitForStatus(handle, (x) => x.stage === 'cancelled' && x.invoices.some((i) => i.kind === 'cancellation' && i.documentId), 'cancellation invoice');
  // 1,000 of work accepted, less the 300 settled by the credit note: 700, the rest of the prepayment void.
  expect(s.invoices.find((i) => i.kind === 'prepayment')).toMatchObject({ status: 'void', voidedAmount: 700 });
  const bill = s.invoices.find((i) => i.kind === 'cancellation')!;
  expect(bill.amount).toBe(700);
  await pay(handle, { invoiceNumber: bill.number, amount: 700, reference: `${projectId}-bill` });
  expect(((await handle.result()) as ProjectStatus).stage).toBe('cancelled');
  await recordHistory(handle, 'project-cancelled-after-set-off');
});

test.concurrent('a cancellation after compensations left nothing to bill still takes them off the work it bills', async () => {
  // 1,000 of work, half prepaid on paper (unpaid); a compensation of 500 leaves the final invoice nothing to bill.
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: false } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('logo', 'design', { price: 1_000 })], { prepaymentPercent: 50 }));
  await deliverTask(env, projectId, 'logo', 'design');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await complain(handle, 'the logo was late');
  await resolve(handle, 'c1', 500);
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 3, comment: '' }, by: MANAGER }] });
  let s = await waitForStatus(handle, (x) => timelineEvents(x).includes('nothing_left_to_invoice'), 'nothing left to invoice');
  expect(s.complaints[0].compensation).toEqual({ amount: 500, settled: true });

  await projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'client went quiet', by: MANAGER }] });
  s = await waitForStatus(handle, (x) => x.stage === 'cancelled' && x.invoices.some((i) => i.kind === 'cancellation' && i.documentId), 'cancellation invoice');
  // 1,000 accepted, nothing received (the prepayment is void), less the 500 agreed: 500, not 1,000.
  expect(s.invoices.find((i) => i.kind === 'prepayment')).toMatchObject({ status: 'void', voidedAmount: 500 });
  const bill = s.invoices.find((i) => i.kind === 'cancellation')!;
  expect(bill.amount).toBe(500);
  expect(s.complaints[0].compensation).toEqual({ amount: 500, settled: true, invoiceNumber: bill.number });
  expect(documentsFor(env, projectId).find((d) => d.kind === 'cancellation_invoice')?.invoice?.compensations).toEqual([{ complaintId: 'c1', amount: 500 }]);
  await pay(handle, { invoiceNumber: bill.number, amount: 500, reference: `${projectId}-bill` });
  expect(((await handle.result()) as ProjectStatus).stage).toBe('cancelled');
  await recordHistory(handle, 'project-cancelled-after-nothing-billed');
});

test.concurrent('a compensation after the final invoice is paid in full is refunded whole, and chased until it is paid out', async () => {
  // Short terms: the refund falls due in 2 s, and is escalated 2 s later.
  const input = projectInput({ departments: ['seo'], policy: { paymentTermsMs: 2_000, paymentEscalationMs: 2_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 1_000 })]));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: 'good' }, by: MANAGER }] });
  let s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = s.invoices.find((i) => i.kind === 'final')!;
  // A complaint before the payment keeps the project from closing once it is paid.
  await complain(handle, 'the audit was late');
  await pay(handle, { invoiceNumber: final.number, amount: 1_000, reference: `${projectId}-final` });
  await resolve(handle, 'c1', 100);
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'credit_note' && i.documentId !== undefined), 'credit note');
  const credit = s.invoices.find((i) => i.kind === 'credit_note')!;
  expect(credit).toMatchObject({ amount: 100, status: 'open' });
  expect(credit.setOffs).toBeUndefined();
  const [notice] = await waitForNotice(env, projectId, 'credit_note_issued');
  expect(notice.data).not.toHaveProperty('setAgainst');
  expect(notice.recipients).toEqual({ emails: [input.client.email], personIds: [MANAGER.id] });
  const creditNoteText = await documentText(projectId, credit.documentId!);
  expect(creditNoteText).toMatch(/Compensation agreed \(complaint of \d{4}-\d{2}-\d{2}\): 100\.00 EUR Refund owed to the Client: 100\.00 EUR/);
  // It names the invoice it corrects, and when that was issued.
  expect(creditNoteText).toContain(`Credit note to final invoice ${final.number} of ${final.issuedAt.slice(0, 10)}.`);
  // The paper names the complaint by its day and the client's words, never by the agency's id.
  expect(creditNoteText).toMatch(/100\.00 EUR agreed in resolving the Client's complaint of \d{4}-\d{2}-\d{2} \(“/);
  expect(creditNoteText).not.toMatch(/\bc1\b/);
  s = await waitForStatus(handle, (x) => x.stage === 'invoicing' && timelineEvents(x).includes('invoice_paid'), 'final paid');

  // Not paid out by its due date: the manager is reminded, then leadership hears of it; each once.
  const [overdue] = await waitForNotice(env, projectId, 'refund_overdue', 1, 30_000);
  expect(overdue.recipients).toEqual({ personIds: [MANAGER.id] });
  expect(overdue.data).toMatchObject({ invoiceNumber: credit.number, amount: 100, currency: 'EUR', dueAt: credit.dueAt });
  const [escalated] = await waitForNotice(env, projectId, 'refund_escalation', 1, 30_000);
  expect(escalated.recipients).toMatchObject({ personIds: [MANAGER.id], roles: ['leadership'] });
  // The client is not asked to pay what the agency owes them.
  expect(noticesFor(env, projectId, 'payment_reminder').filter((n) => n.data.invoiceNumber === credit.number)).toEqual([]);
  await pay(handle, { invoiceNumber: credit.number, amount: 100, reference: `${projectId}-refund` });
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  expect(timelineEvents(result)).toEqual(expect.arrayContaining(['credit_note_issued', 'refund_overdue', 'refund_escalated', 'refund_paid', 'completed']));
  expect(noticesFor(env, projectId, 'refund_overdue')).toHaveLength(1);
  expect(noticesFor(env, projectId, 'refund_escalation')).toHaveLength(1);
  // The client hears the refund is paid out, by mail.
  const [refunded] = await waitForNotice(env, projectId, 'refund_paid');
  expect(refunded).toMatchObject({
    recipients: { emails: [input.client.email] },
    data: expect.objectContaining({ invoiceNumber: credit.number, amount: 100, stillOwed: 0, reference: `${projectId}-refund` }),
  });
  const [refundMail] = await eventually(async () => mailFor(env, refunded).length > 0 && mailFor(env, refunded), { what: 'the refund mail' });
  expect(refundMail.subject).toBe(`Your refund is on its way: ${input.title}`);
  await recordHistory(handle, 'project-refund-chased');
  await recordHistory(handle, 'project-refund-paid-mail');
});

test.concurrent('a compensation agreed before a cancellation is taken off what the cancelled project bills', async () => {
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: true } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('logo', 'design', { price: 2_000 })], { prepaymentPercent: 50 }));
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  await pay(handle, { invoiceNumber: issued.invoices[0].number, amount: 1_000, reference: `${projectId}-pre` });
  await deliverTask(env, projectId, 'logo', 'design');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await complain(handle, 'colours are off');
  await complain(handle, 'and the font too');
  // Before the final invoice: at most what it would bill (2,000 less the 1,000 prepayment).
  expect(await refusal(resolve(handle, 'c1', 1_000.01))).toMatchObject({ type: 'InvalidInput', field: 'compensation' });
  await resolve(handle, 'c1', 250);

  await projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'client closed the brand', by: MANAGER }] });
  const s = await waitForStatus(handle, (x) => x.stage === 'cancelled' && x.invoices.some((i) => i.kind === 'cancellation' && i.documentId), 'cancellation invoice');
  const bill = s.invoices.find((i) => i.kind === 'cancellation')!;
  expect(bill.amount).toBe(750); // 2,000 accepted - 1,000 received - 250 agreed
  expect(s.complaints[0].compensation).toEqual({ amount: 250, settled: true, invoiceNumber: bill.number });
  expect(documentsFor(env, projectId).find((d) => d.kind === 'cancellation_invoice')?.invoice?.compensations).toEqual([{ complaintId: 'c1', amount: 250 }]);
  // A cancelled project's bill stands as it is: the other complaint is resolved without money.
  expect(await refusal(resolve(handle, 'c2', 10))).toMatchObject({ type: 'WrongStage', field: 'compensation' });
  expect((await resolve(handle, 'c2')).complaints[1]).toMatchObject({ resolvedBy: LEADER.id });
  expect(await refusal(resolve(handle, 'c2'))).toMatchObject({ type: 'AlreadyDone', field: 'complaintId' });
  await pay(handle, { invoiceNumber: bill.number, amount: 750, reference: `${projectId}-bill` });
  expect(((await handle.result()) as ProjectStatus).stage).toBe('cancelled');
});

test.concurrent('a cancellation takes off compensations only up to the work accepted: a credit note never gives back money not paid', async () => {
  const input = projectInput({ departments: ['design'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('logo', 'design', { price: 1_000 })], { includedRevisionRounds: 0 }));
  await deliverTask(env, projectId, 'logo', 'design');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await complain(handle, 'the logo is blurry');
  // A paid revision round: the final invoice would bill 1,000 + 500, so 1,500 can be agreed.
  await projectUpdate(handle, recordFeedbackUpdate, {
    args: [{ feedback: { kind: 'revisions_requested', description: 'sharper', departments: ['design'], dueAt: new Date(Date.now() + 600_000).toISOString(), extraPrice: 500 }, by: MANAGER }],
  });
  await resolve(handle, 'c1', 1_500);

  // Cancelled before the revision is accepted: 1,000 of work accepted, nothing paid. The
  // compensation takes the whole 1,000 off, and no credit note gives back the other 500.
  await projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'client gone', by: MANAGER }] });
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('cancelled');
  expect(result.invoices).toEqual([]);
  // The page and the report say what was taken off for it, not only what was agreed.
  expect(result.complaints[0].compensation).toEqual({ amount: 1_500, settled: true, takenOff: 1_000 });
});
