/**
 * After delivery: the client's revisions (included and paid), complaints that must be resolved
 * before closing, silence that becomes acceptance, payments chased, and projects cancelled in
 * production or in review. Each path runs concurrently against one worker.
 */
import {
  cancelProjectUpdate,
  getStatusQuery,
  recordFeedbackUpdate,
  recordPaymentUpdate,
  resolveComplaintUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
import type { ClientActor } from '../../workflows/project/schemas';
import { HasOpenComplaintKey } from '../../workflows/search-attributes';
import { clientActorId } from '../../workflows/vocabulary';
import { claimTaskUpdate, getStatusQuery as getTaskStatusQuery, submitTaskUpdate } from '../../workflows/task/contract';
import { eventually } from '../support/temporal';
import {
  approvePlan,
  complaint,
  deliverTask,
  documentsFor,
  inSeconds,
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
  refusal,
  staff,
  startProject,
  startWorkflowTestEnv,
  taskHandle,
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

jest.setTimeout(90_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.concurrent('revisions: the included round is free, the next one needs and bills an extra price', async () => {
  const input = projectInput({ departments: ['design', 'copywriting'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('site', 'design', { price: 1_500 }), planTask('copy', 'copywriting', { price: 500 })], { includedRevisionRounds: 1 }));
  await Promise.all([deliverTask(env, projectId, 'site', 'design'), deliverTask(env, projectId, 'copy', 'copywriting')]);
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');

  const first = { kind: 'revisions_requested' as const, description: 'darker header', departments: ['design' as const], dueAt: inSeconds(600) };
  // A department that did no work has nothing to rework: refused at it, the round not used.
  const seo = projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { ...first, departments: ['design', 'seo'] }, by: MANAGER }] });
  await expect(seo).rejects.toMatchObject({
    cause: {
      type: 'InvalidInput',
      details: [{ field: 'departments[1]', message: 'SEO did no work in this project: the departments that did are Design and Copywriting' }],
    },
  });
  expect((await handle.query(getStatusQuery)).revisionRoundsUsed).toBe(0);
  // An included round has no price of its own.
  expect(await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { ...first, extraPrice: 150 }, by: MANAGER }] }))).toEqual({
    type: 'InvalidInput',
    field: 'extraPrice',
  });
  let s = await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: first, by: MANAGER }] });
  expect(s.stage).toBe('in_production');
  expect(s.revisionRoundsUsed).toBe(1);
  expect(s.revisions[0]).toMatchObject({ round: 1, beyondIncluded: false, extraPrice: 0, taskIds: [`${projectId}.rev1.design`] });
  expect(s.tasks.find((t) => t.key === 'rev1.design')).toMatchObject({ revisionRound: 1 });
  // Open once its workflow exists (until then the snapshot says waiting: nothing to claim yet).
  s = await waitForStatus(handle, (x) => x.tasks.find((t) => t.key === 'rev1.design')?.status === 'open', 'revision task open');
  await deliverTask(env, projectId, 'rev1.design', 'design');
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'back in review');
  await waitForNotice(env, projectId, 'delivery_ready', 2);

  // Beyond the included rounds: refused without the agreed price.
  const second = { kind: 'revisions_requested' as const, description: 'new copy and colours', departments: ['design' as const, 'copywriting' as const], dueAt: inSeconds(600) };
  expect(await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: second, by: MANAGER }] }))).toEqual({
    type: 'InvalidInput',
    field: 'extraPrice',
  });
  s = await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { ...second, extraPrice: 350.25 }, by: MANAGER }] });
  expect(s.revisions[1]).toMatchObject({ round: 2, beyondIncluded: true, extraPrice: 350.25 });
  await Promise.all([deliverTask(env, projectId, 'rev2.design', 'design'), deliverTask(env, projectId, 'rev2.copywriting', 'copywriting')]);
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'back in review again');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: '' }, by: MANAGER }] });

  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  expect(s.invoices[0].amount).toBe(2_350.25);
  const lines = documentsFor(env, projectId).find((d) => d.kind === 'final_invoice')!.invoice!.lines;
  expect(lines.map((l) => l.amount)).toEqual([1_500, 500, 350.25]);
  await payInFull(handle);
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  expect(result.tasks.map((t) => t.key)).toEqual(['site', 'copy', 'rev1.design', 'rev2.design', 'rev2.copywriting']);
  await recordHistory(handle, 'project-revisions');
});

test.concurrent('a complaint is recorded, escalated to leadership, and blocks closing until resolved', async () => {
  const input = projectInput({ departments: ['seo'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo')]));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');

  // A complaint of spaces says nothing: refused at its description, nothing recorded.
  expect(await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'complaint', description: '   ' }, by: MANAGER }] }))).toEqual({
    type: 'InvalidInput',
    field: 'description',
  });
  let s = await projectUpdate(handle, recordFeedbackUpdate, {
    args: [{ feedback: { kind: 'complaint', description: 'the report came late and was thin' }, by: MANAGER }],
  });
  expect(s.stage).toBe('client_review');
  expect(s.complaints).toEqual([expect.objectContaining({ complaintId: 'c1', recordedBy: MANAGER.id })]);
  const [filed] = await waitForNotice(env, projectId, 'complaint_filed');
  expect(filed.recipients).toEqual({ personIds: [MANAGER.id], roles: ['leadership'], exceptPersonIds: [MANAGER.id] });
  expect((await handle.describe()).typedSearchAttributes.get(HasOpenComplaintKey)).toBe(true);

  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 3, comment: 'ok' }, by: MANAGER }] });
  await payInFull(handle);
  s = await waitForStatus(handle, (x) => timelineEvents(x).includes('closing_blocked'), 'closing blocked');
  expect(s.stage).toBe('invoicing');
  await sleep(1_000);
  expect((await waitForStatus(handle, () => true, 'status')).stage).toBe('invoicing');

  expect(
    await refusal(projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c9', resolution: 'x', by: LEADER }] })),
  ).toEqual({ type: 'NotFound', field: 'complaintId' });
  s = await projectUpdate(handle, resolveComplaintUpdate, {
    args: [{ complaintId: 'c1', resolution: 'discount on the next order, apology call', by: LEADER }],
  });
  expect(s.complaints[0]).toMatchObject({ resolvedBy: LEADER.id, resolution: 'discount on the next order, apology call' });
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  expect(result.feedback.map((f) => f.kind)).toEqual(['complaint', 'accepted']);
  await recordHistory(handle, 'project-complaint');
});

test.concurrent('the client answers on their page: a complaint while the work is under way, then acceptance; a round of changes stays the manager\u2019s', async () => {
  const input = projectInput({ departments: ['design'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  const client: ClientActor = { id: clientActorId(input.client.id), role: 'client', name: 'Jane Doe' };
  await approvePlan(handle, plan([planTask('site', 'design', { price: 900 })]));

  // Before the delivery there is nothing to accept; another client's id (a link of another project) is not this client.
  expect(await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: client }] }))).toEqual({
    type: 'WrongStage',
  });
  const stranger: ClientActor = { ...client, id: clientActorId('client-globex') };
  expect(await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'complaint', description: 'x' }, by: stranger }] }))).toEqual({
    type: 'NotAllowed',
  });

  // A complaint while the work is under way: kept with who at the client made it; the manager and leadership hear of it.
  let s = await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'complaint', description: 'nobody answers our mails' }, by: client }] });
  expect(s.complaints).toEqual([expect.objectContaining({ complaintId: 'c1', recordedBy: client.id, clientContact: 'Jane Doe' })]);
  expect(s.timeline.find((e) => e.event === 'complaint_filed')).toMatchObject({ by: client.id, detail: 'c1: nobody answers our mails' });
  const [filed] = await waitForNotice(env, projectId, 'complaint_filed');
  expect(filed.recipients).toEqual({ personIds: [MANAGER.id], roles: ['leadership'], exceptPersonIds: [client.id] });
  expect(filed.data).toMatchObject({ clientContact: 'Jane Doe', description: 'nobody answers our mails' });
  await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c1', resolution: 'called them back', by: MANAGER }] });

  await deliverTask(env, projectId, 'site', 'design');
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  // A round of changes needs departments, dates and perhaps a price: the manager's to settle.
  const changes = { kind: 'revisions_requested' as const, description: 'bigger logo', departments: ['design' as const], dueAt: inSeconds(600) };
  expect(await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: changes, by: client }] }))).toEqual({ type: 'NotAllowed' });
  expect((await handle.query(getStatusQuery)).revisionRoundsUsed).toBe(0);

  s = await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: 'lovely' }, by: client }] });
  expect(s.stage).toBe('invoicing');
  expect(s.feedback.at(-1)).toMatchObject({ kind: 'accepted', rating: 5, comment: 'lovely', recordedBy: client.id, clientContact: 'Jane Doe' });
  // The manager is told (they did not record it); the client's own answer is not mailed back to them.
  const [accepted] = await waitForNotice(env, projectId, 'client_accepted');
  expect(accepted.recipients).toEqual({ personIds: [MANAGER.id] });
  expect(accepted.data).toMatchObject({ rating: 5, comment: 'lovely', clientContact: 'Jane Doe' });
  await payInFull(handle);
  expect(((await handle.result()) as ProjectStatus).stage).toBe('completed');
  await recordHistory(handle, 'project-client-answers-on-page');
});

test.concurrent('a client who never answers: reminded after one window, deemed to accept after the second', async () => {
  const input = projectInput({ departments: ['ads'], policy: { acceptanceWindowMs: 1_500 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('campaign', 'ads')]));
  await deliverTask(env, projectId, 'campaign', 'ads');
  const s = await waitForStatus(handle, (x) => x.stage === 'invoicing', 'deemed accepted', 20_000);
  expect(s.feedback).toEqual([expect.objectContaining({ kind: 'deemed_accepted' })]);
  // Notices go out on their own path: the reminder may still be on its way under load.
  const [due] = await waitForNotice(env, projectId, 'client_response_due');
  expect(due.recipients).toEqual({ emails: [input.client.email], personIds: [MANAGER.id] });
  expect(noticesFor(env, projectId, 'client_response_due')).toHaveLength(1);
  // The final invoice's mail says why it comes: the work counts as accepted.
  const [invoiced] = await waitForNotice(env, projectId, 'invoice_issued');
  expect(invoiced.data).toMatchObject({ kind: 'final', deemedAccepted: true });
  await payInFull(handle);
  expect(((await handle.result()) as ProjectStatus).stage).toBe('completed');
  const [completed] = await waitForNotice(env, projectId, 'project_completed');
  expect(completed.data).toMatchObject({ acceptance: 'deemed' });
  await recordHistory(handle, 'project-deemed-accepted');
});

test.concurrent('an unpaid invoice: the client is reminded at the due date, manager and leadership told after the grace, once each', async () => {
  const input = projectInput({ departments: ['analytics'], policy: { paymentTermsMs: 1_500, paymentEscalationMs: 1_500 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('report', 'analytics', { price: 500 })]));
  await deliverTask(env, projectId, 'report', 'analytics');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] });
  await waitForNotice(env, projectId, 'payment_escalation', 1, 30_000);
  await sleep(1_500);
  expect(noticesFor(env, projectId, 'payment_reminder')).toHaveLength(1);
  expect(noticesFor(env, projectId, 'payment_reminder')[0].recipients).toEqual({ emails: [input.client.email] });
  expect(noticesFor(env, projectId, 'payment_overdue')).toHaveLength(1);
  const escalations = noticesFor(env, projectId, 'payment_escalation');
  expect(escalations).toHaveLength(1);
  expect(escalations[0].recipients).toEqual({ personIds: [MANAGER.id], roles: ['leadership'] });
  await payInFull(handle);
  expect(((await handle.result()) as ProjectStatus).stage).toBe('completed');
  await recordHistory(handle, 'project-payment-chased');
});

test.concurrent('a complaint left unresolved is brought to the manager and leadership after the policy’s time, once; one resolved in time is not', async () => {
  // 8 s: time enough to file and resolve the second complaint on a busy machine.
  const input = projectInput({ departments: ['analytics'], policy: { complaintResolutionMs: 8_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('report', 'analytics', { price: 500 })]));
  await deliverTask(env, projectId, 'report', 'analytics');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  const complain = (description: string) => projectUpdate(handle, recordFeedbackUpdate, { args: [complaint(description)] });
  const resolve = (complaintId: string) => projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId, resolution: 'call and fix', by: LEADER }] });
  await complain('numbers do not add up');
  await complain('and the charts are unreadable');
  await resolve('c2');

  const [brought] = await waitForNotice(env, projectId, 'complaint_unresolved', 1, 30_000);
  expect(brought.recipients).toEqual({ personIds: [MANAGER.id], roles: ['leadership'] });
  expect(brought.data).toMatchObject({ complaintId: 'c1', description: 'numbers do not add up' });
  const s = await waitForStatus(handle, (x) => timelineEvents(x).includes('complaint_unresolved'), 'complaint unresolved');
  expect(Date.parse(s.timeline.find((e) => e.event === 'complaint_unresolved')!.at) - Date.parse(s.complaints[0].at)).toBeGreaterThanOrEqual(8_000);
  await sleep(2_000);
  // Once, and only for the complaint still open.
  expect(noticesFor(env, projectId, 'complaint_unresolved').map((n) => n.data.complaintId)).toEqual(['c1']);
  await resolve('c1');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: '' }, by: MANAGER }] });
  await payInFull(handle);
  expect(((await handle.result()) as ProjectStatus).stage).toBe('completed');
  expect(noticesFor(env, projectId, 'complaint_unresolved')).toHaveLength(1);
  await recordHistory(handle, 'project-complaint-followed-up');
});

test.concurrent('a complaint recorded while the process waits with nothing else to time (invoice reminded and escalated) is still brought up on time', async () => {
  const input = projectInput({ departments: ['analytics'], policy: { paymentTermsMs: 1_000, paymentEscalationMs: 1_000, complaintResolutionMs: 3_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('report', 'analytics', { price: 500 })]));
  await deliverTask(env, projectId, 'report', 'analytics');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] });
  // Every payment notice is out: the wait for the payment has no timer left.
  await waitForNotice(env, projectId, 'payment_escalation', 1, 30_000);
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'complaint', description: 'the totals are wrong' }, by: MANAGER }] });
  const [brought] = await waitForNotice(env, projectId, 'complaint_unresolved', 1, 30_000);
  expect(brought.data).toMatchObject({ complaintId: 'c1' });
  await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c1', resolution: 'corrected', by: LEADER }] });
  await payInFull(handle);
  expect(((await handle.result()) as ProjectStatus).stage).toBe('completed');
  await recordHistory(handle, 'project-complaint-while-invoicing');
});

test.concurrent('cancelled in production: open work stops (assignees told), accepted work is invoiced less the prepayment paid', async () => {
  const input = projectInput({ departments: ['design', 'copywriting', 'ads'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(
    handle,
    plan(
      [
        planTask('done', 'design', { price: 1_000 }),
        planTask('doing', 'copywriting', { price: 700 }),
        planTask('later', 'ads', { price: 300, dependsOn: ['doing'] }),
      ],
      { prepaymentPercent: 10 },
    ),
  );
  await payInFull(handle, 'prepayment'); // 200
  await deliverTask(env, projectId, 'done', 'design');
  await waitForTask(env, projectId, 'doing', (v) => v.status === 'open');
  await taskHandle(env, projectId, 'doing').executeUpdate(claimTaskUpdate, { args: [{ by: staff('copywriting') }] });

  expect(
    await refusal(projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'x', by: staff('design') }] })),
  ).toMatchObject({ type: 'NotAllowed' });
  const s = await projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'client budget frozen', by: MANAGER }] });
  expect(s.stage).toBe('cancelled');
  expect(s.cancellation).toMatchObject({ reason: 'client budget frozen', by: MANAGER.id, stageAtCancel: 'in_production' });
  expect(Object.fromEntries(s.tasks.map((t) => [t.key, t.status]))).toEqual({ done: 'accepted', doing: 'cancelled', later: 'cancelled' });
  const bill = s.invoices.find((i) => i.kind === 'cancellation')!;
  expect(bill.amount).toBe(800);
  expect(s.documents.map((d) => d.kind)).toEqual(['contract', 'prepayment_invoice', 'cancellation_invoice', 'final_report']);
  const [told] = await waitForNotice(env, projectId, 'task_cancelled');
  expect(told.recipients).toEqual({ personIds: [staff('copywriting').id] });
  expect(noticesFor(env, projectId, 'task_cancelled')).toHaveLength(1); // nobody held "later"
  const [cancelled] = await waitForNotice(env, projectId, 'project_cancelled');
  // The client is told too (their own words: without the agency's reason).
  // Whoever cancelled it (the manager here) is not told of their own step; the client reads what
  // the settlement leaves them (an invoice for the work accepted).
  expect(cancelled.recipients).toEqual({ roles: ['leadership'], personIds: [MANAGER.id], emails: [input.client.email], exceptPersonIds: [MANAGER.id] });
  expect(cancelled.data).toMatchObject({ settlement: 'invoice' });
  const cancelMails = await eventually(async () => mailFor(env, cancelled).length === 2 && mailFor(env, cancelled), { what: 'the cancellation mails' });
  expect(cancelMails.map((m) => m.to).sort()).toEqual([[input.client.email], ['lena.lead@agency.example']].sort());
  const report = documentsFor(env, projectId).find((d) => d.kind === 'final_report')!;
  expect(report.snapshot.cancellation?.reason).toBe('client budget frozen');
  expect((await taskHandle(env, projectId, 'doing').query(getTaskStatusQuery)).cancelReason).toBe('client budget frozen');
  // The client still owes the accepted work: the project stays open until that invoice is paid.
  expect((await handle.describe()).status.name).toBe('RUNNING');
  const paid = await payInFull(handle, 'cancellation');
  expect(paid.invoices.find((i) => i.kind === 'cancellation')).toMatchObject({ status: 'paid', paidAmount: 800 });
  const closed = (await handle.result()) as ProjectStatus;
  expect(closed.stage).toBe('cancelled');
  expect(closed.timeline.map((e) => e.event)).toContain('invoice_paid');
  await recordHistory(handle, 'project-cancelled-in-production-then-paid');
});

test.concurrent('cancelled during a revision round: delivered work is invoiced, the revision in review is stopped', async () => {
  const input = projectInput({ departments: ['design', 'seo'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('a', 'design', { price: 400 }), planTask('b', 'seo', { price: 600 })]));
  await Promise.all([deliverTask(env, projectId, 'a', 'design'), deliverTask(env, projectId, 'b', 'seo')]);
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  // Revisions requested, then the client walks away before the revision is delivered.
  await projectUpdate(handle, recordFeedbackUpdate, {
    args: [{ feedback: { kind: 'revisions_requested', description: 'more', departments: ['seo'], dueAt: inSeconds(600) }, by: MANAGER }],
  });
  await waitForTask(env, projectId, 'rev1.seo', (v) => v.status === 'open');
  await taskHandle(env, projectId, 'rev1.seo').executeUpdate(claimTaskUpdate, { args: [{ by: staff('seo') }] });
  await taskHandle(env, projectId, 'rev1.seo').executeUpdate(submitTaskUpdate, { args: [{ by: staff('seo'), summary: 'x', links: [] }] });
  const s = await projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'client closed the account', by: LEADER }] });
  expect(s.stage).toBe('cancelled');
  expect(s.cancellation?.stageAtCancel).toBe('in_production');
  expect(s.invoices.map((i) => [i.kind, i.amount])).toEqual([['cancellation', 1_000]]);
  expect(s.tasks.find((t) => t.key === 'rev1.seo')?.status).toBe('cancelled');
  await waitForNotice(env, projectId, 'task_cancelled');
  // It closes once its last snapshot is published (a moment later).
  const described = await eventually(async () => {
    const d = await taskHandle(env, projectId, 'rev1.seo').describe();
    return d.status.name !== 'RUNNING' ? d : undefined;
  }, { what: 'the revision task closed' });
  expect(described.status.name).toBe('COMPLETED');
});

test.concurrent('cancelled while the client reviews: the delivered work is invoiced', async () => {
  const input = projectInput({ departments: ['copywriting'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('copy', 'copywriting', { price: 900 })]));
  await deliverTask(env, projectId, 'copy', 'copywriting');
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  const s = await projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'client insolvent', by: MANAGER }] });
  expect(s.cancellation?.stageAtCancel).toBe('client_review');
  expect(s.invoices.map((i) => [i.kind, i.amount])).toEqual([['cancellation', 900]]);
  expect(noticesFor(env, projectId, 'task_cancelled')).toHaveLength(0);
  await recordHistory(handle, 'project-cancelled-in-review');
});

test.concurrent('cancelled with all its work accepted, the final invoice part-paid: nothing stops, the invoices stay as they are, and the notice says no work was open', async () => {
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: true } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('listing', 'design', { price: 1_000 })], { prepaymentPercent: 20 }));
  await payInFull(handle, 'prepayment'); // 200: the work starts
  await deliverTask(env, projectId, 'listing', 'design');
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: '' }, by: MANAGER }] });
  const billed = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = billed.invoices.find((i) => i.kind === 'final')!;
  const before = await projectUpdate(handle, recordPaymentUpdate, {
    args: [{ invoiceNumber: final.number, amount: 300, paidAt: new Date().toISOString(), reference: `${projectId}-part`, by: LEADER }],
  });

  const s = await projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'the client stopped the app', by: MANAGER }] });
  expect(s.cancellation?.stageAtCancel).toBe('invoicing');
  const [cancelled] = await waitForNotice(env, projectId, 'project_cancelled');
  // Nothing was stopped: the client's mail must not say "we have stopped the work".
  expect(cancelled.data).toMatchObject({ noWorkOpen: true, settlement: 'still_due' });
  // The money stays as it was: nothing voided, added or changed.
  const money = (x: ProjectStatus) => x.invoices.map((i) => [i.number, i.kind, i.amount, i.paidAmount, i.status]);
  expect(money(await handle.query(getStatusQuery))).toEqual(money(before));
  await payInFull(handle, 'final');
  expect(((await handle.result()) as ProjectStatus).stage).toBe('cancelled');
});

test.concurrent('a Temporal-level cancel (operator, UI) is the same business cancellation: work stops, accepted work is billed', async () => {
  const input = projectInput({ departments: ['design', 'copywriting'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('done', 'design', { price: 600 }), planTask('doing', 'copywriting', { price: 400 })]));
  await deliverTask(env, projectId, 'done', 'design');
  await waitForTask(env, projectId, 'doing', (v) => v.status === 'open');
  await taskHandle(env, projectId, 'doing').executeUpdate(claimTaskUpdate, { args: [{ by: staff('copywriting') }] });

  await handle.cancel();

  const s = await waitForStatus(handle, (x) => x.stage === 'cancelled', 'cancelled');
  expect(s.cancellation).toMatchObject({ by: 'temporal', stageAtCancel: 'in_production' });
  expect(Object.fromEntries(s.tasks.map((t) => [t.key, t.status]))).toEqual({ done: 'accepted', doing: 'cancelled' });
  expect(s.invoices.map((i) => [i.kind, i.amount])).toEqual([['cancellation', 600]]);
  expect(s.documents.map((d) => d.kind)).toContain('final_report');
  await waitForNotice(env, projectId, 'task_cancelled');
  await payInFull(handle, 'cancellation');
  expect(((await handle.result()) as ProjectStatus).stage).toBe('cancelled');
});

test.concurrent('a complaint while the work is under way, recorded by leadership (the client went over the manager\u2019s head): leadership told, the review waits for its resolution; none before there is work', async () => {
  const input = projectInput({ departments: ['design'], policy: { acceptanceWindowMs: 2_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  // Nothing to complain about yet: no work has started.
  expect(await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'complaint', description: 'slow answer' }, by: LEADER }] }))).toEqual({
    type: 'WrongStage',
    field: undefined,
  });
  await approvePlan(handle, plan([planTask('site', 'design')]));
  await waitForStatus(handle, (s) => s.stage === 'in_production', 'production');
  let s = await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'complaint', description: 'The first mock-up came a week late.' }, by: LEADER }] });
  expect(s.complaints).toEqual([expect.objectContaining({ complaintId: 'c1', recordedBy: LEADER.id })]);
  const [filed] = await waitForNotice(env, projectId, 'complaint_filed');
  // The manager hears of a complaint the client brought to leadership.
  expect(filed.recipients).toEqual({ personIds: [MANAGER.id], roles: ['leadership'], exceptPersonIds: [LEADER.id] });
  expect(filed.data).toMatchObject({ by: LEADER.id });
  // Leadership records complaints only: the client's acceptance is the manager's to record.
  await deliverTask(env, projectId, 'site', 'design');
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  expect(await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: LEADER }] }))).toEqual({
    type: 'NotAllowed',
    field: undefined,
  });
  // While it is open the acceptance window does not run: no reminder, no deemed acceptance.
  await new Promise((r) => setTimeout(r, 5_000));
  expect(noticesFor(env, projectId, 'client_response_due')).toEqual([]);
  expect((await waitForStatus(handle, () => true, 'status')).stage).toBe('client_review');
  s = await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c1', resolution: 'Apologised; a new date agreed.', by: MANAGER }] });
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: '' }, by: MANAGER }] });
  await payInFull(handle);
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  expect(result.feedback.map((f) => f.kind)).toEqual(['complaint', 'accepted']);
  await recordHistory(handle, 'project-complaint-in-production');
});
