/**
 * A client who will not pay: leadership writes off what is still owed on an invoice. The invoice
 * asks nothing more (void, the amount written off), what was paid on it stands, the manager is
 * mailed (the client is not), and the project goes on as if it were settled — it completes, or a
 * cancelled one ends. Only leadership, only once the project is invoiced or cancelled, and again
 * is answered as done.
 */
import {
  cancelProjectUpdate,
  recordFeedbackUpdate,
  writeOffUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
import { ErrorType } from '../../workflows/errors';
import {
  approvePlan,
  deliverTask,
  LEADER,
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

type Handle = Awaited<ReturnType<typeof startProject>>;

const writeOff = (handle: Handle, invoiceNumber: string, reason: string, by = LEADER) =>
  projectUpdate(handle, writeOffUpdate, { args: [{ invoiceNumber, reason, by }] });

test.concurrent('the rest of a final invoice written off: void for what was owed, the payment stands, the manager told, the project completes', async () => {
  // A complaint window keeps the workflow open after it completes, so the write-off can be sent again.
  const input = projectInput({ departments: ['seo'], policy: { complaintWindowMs: 120_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 1_000 })]));
  // While the work runs, nothing is written off.
  await waitForStatus(handle, (s) => s.tasks.length === 1, 'the task');
  expect(await refusal(writeOff(handle, 'INV-nothing', 'gone'))).toMatchObject({ type: ErrorType.NotFound, field: 'invoiceNumber' });

  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 3, comment: 'fine' }, by: MANAGER }] });
  let s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = s.invoices.find((i) => i.kind === 'final')!;
  await pay(handle, { invoiceNumber: final.number, amount: 300, reference: 'PART-1' });

  // Refused, changing nothing: the manager; no reason.
  const before = await statusOf(handle);
  expect(await refusal(writeOff(handle, final.number, 'client went bust', MANAGER))).toMatchObject({ type: ErrorType.NotAllowed });
  expect(await refusal(writeOff(handle, final.number, '  '))).toMatchObject({ type: ErrorType.InvalidInput, field: 'reason' });
  expect((await statusOf(handle)).version).toBe(before.version);

  s = await writeOff(handle, final.number, 'client went bust');
  expect(s.invoices.find((i) => i.number === final.number)).toMatchObject({
    status: 'void',
    paidAmount: 300,
    voidedAmount: 700,
    voidReason: 'written off',
    writtenOff: { by: LEADER.id, reason: 'client went bust', amount: 700 },
  });
  await waitForStatus(handle, (x) => x.stage === 'completed', 'completed');
  // Again (a retry, a colleague's click), the project completed meanwhile: done, nothing more.
  const again = await writeOff(handle, final.number, 'client went bust');
  expect(again.invoices.find((i) => i.number === final.number)?.writtenOff?.at).toBe(s.invoices.find((i) => i.number === final.number)?.writtenOff?.at);
  expect(timelineEvents(again).filter((e) => e === 'invoice_written_off')).toHaveLength(1);
  const [told] = await waitForNotice(env, projectId, 'invoice_written_off');
  expect(told.recipients).toEqual({ personIds: [MANAGER.id], exceptPersonIds: [LEADER.id] });
  expect(told.data).toMatchObject({ invoiceNumber: final.number, amount: 700, amountPaid: 300, reason: 'client went bust' });
  const [completed] = await waitForNotice(env, projectId, 'project_completed');
  expect(completed.data).toMatchObject({ writtenOff: 700 });
  // The client hears nothing of it: no voided-invoice mail, no reminder after it.
  expect(noticesFor(env, projectId, 'invoice_voided')).toEqual([]);
  await recordHistory(handle, 'project-invoice-written-off');
  await handle.terminate('test done');
});

test.concurrent('a cancelled project whose bill is never paid ends once its bill is written off; the prepayment, before the cancellation or voided by it, is refused', async () => {
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: false } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('logo', 'design', { price: 800 }), planTask('site', 'design', { price: 2_000, dependsOn: ['logo'] })], { prepaymentPercent: 50 }));
  await deliverTask(env, projectId, 'logo', 'design');
  await waitForStatus(handle, (x) => x.tasks.find((t) => t.key === 'logo')?.status === 'accepted', 'logo accepted');
  const issued = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'prepayment' && i.documentId !== undefined), 'prepayment invoice');
  const prepayment = issued.invoices[0];
  // Before the cancellation: the prepayment is written off at invoicing, not while the work runs.
  expect(await refusal(writeOff(handle, prepayment.number, 'no money'))).toMatchObject({ type: ErrorType.WrongStage, field: 'invoiceNumber' });

  await handle.executeUpdate(cancelProjectUpdate, { args: [{ reason: 'client stopped answering', by: MANAGER }] });
  const cancelled = await waitForStatus(handle, (x) => x.stage === 'cancelled' && x.invoices.every((i) => i.documentId !== undefined), 'cancelled');
  const bill = cancelled.invoices.find((i) => i.status === 'open' && i.kind !== 'credit_note')!;
  expect(bill).toBeDefined();
  // The unpaid prepayment was voided by the cancellation: nothing is owed on it to write off.
  const voided = cancelled.invoices.find((i) => i.number === prepayment.number)!;
  expect(voided).toMatchObject({ status: 'void' });
  expect(await refusal(writeOff(handle, voided.number, 'no money'))).toMatchObject({ type: ErrorType.WrongStage, field: 'invoiceNumber' });

  await writeOff(handle, bill.number, 'client stopped answering; not worth a court');
  const ended = (await handle.result()) as ProjectStatus;
  expect(ended.stage).toBe('cancelled');
  expect(ended.invoices.find((i) => i.number === bill.number)).toMatchObject({ status: 'void', writtenOff: expect.objectContaining({ amount: bill.amount - bill.paidAmount }) });
  expect(ended.invoices.every((i) => i.status !== 'open')).toBe(true);
});
