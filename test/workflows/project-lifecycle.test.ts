/**
 * A project from the request to the final report, as the people involved live it: the manager
 * plans, leadership decides (or does not), departments deliver in dependency order, the client
 * accepts and pays. Independent paths run concurrently against one worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { eventually } from '../support/temporal';
import {
  decidePlanUpdate,
  recordFeedbackUpdate,
  recordPaymentUpdate,
  submitPlanUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
import {
  DueAtKey,
  HasOpenComplaintKey,
  ManagerIdKey,
  PaymentDueAtKey,
  ProjectStageKey,
  TaskStatusKey,
} from '../../workflows/search-attributes';
import {
  approvePlan,
  deliverTask,
  documentsFor,
  ESCALATION_EMAIL,
  LEADER,
  mailFor,
  MANAGER,
  noticesFor,
  OTHER_MANAGER,
  pay,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  startProject,
  startWorkflowTestEnv,
  statusOf,
  taskHandle,
  timelineEvents,
  waitForNotice,
  waitForStatus,
  waitForTask,
  inSeconds,
  staff,
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(120_000);

/** The failure type of a refused update (validators throw ApplicationFailure with a stable type). */
async function refusal(promise: Promise<unknown>): Promise<{ type?: string | null; field?: string }> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    const failure = cause as ApplicationFailure;
    return { type: failure.type, field: (failure.details?.[0] as { field?: string } | undefined)?.field };
  }
  throw new Error('expected the update to be refused');
}

test.concurrent('happy path: plan, approval, prepayment, production in dependency order, acceptance, partial then full payment, report', async () => {
  const input = projectInput({ policy: { startAfterPrepayment: true } });
  const { projectId } = input;
  const handle = await startProject(env, input);

  let s = await waitForStatus(handle, (x) => x.stage === 'planning', 'planning');
  expect(s.intakeAt).toBeDefined();
  expect(s.responseTimeMs).toBeUndefined();

  const submitted = plan(
    [
      planTask('design', 'design', { price: 1_200.5 }),
      planTask('copy', 'copywriting', { price: 800 }),
      planTask('ads', 'ads', { price: 1_000, dependsOn: ['copy'] }),
    ],
    { prepaymentPercent: 30 },
  );
  s = await projectUpdate(handle, submitPlanUpdate, { args: [submitted] });
  expect(s.stage).toBe('awaiting_approval');
  expect(s.pendingPlanVersion).toBe(1);
  expect(s.plans[0].total).toBe(3_000.5);
  expect(s.responseTimeMs).toBeGreaterThanOrEqual(0);
  expect(s.firstPlanAt).toBeDefined();
  await waitForNotice(env, projectId, 'plan_waiting');

  s = await projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'approve', comment: 'fine', by: LEADER }] });
  expect(s.stage).toBe('in_production');
  expect(s.approvedPlanVersion).toBe(1);

  // Prepayment first: the work waits for the money (startAfterPrepayment).
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'prepayment' && i.documentId !== undefined), 'prepayment invoice');
  const prepayment = s.invoices.find((i) => i.kind === 'prepayment')!;
  expect(prepayment.amount).toBe(900.15);
  expect(s.tasks).toHaveLength(0);
  expect(s.documents.map((d) => d.kind)).toEqual(['contract', 'prepayment_invoice']);
  await waitForNotice(env, projectId, 'invoice_issued');
  s = await projectUpdate(handle, recordPaymentUpdate, {
    args: [{ invoiceNumber: prepayment.number, amount: 900.15, paidAt: new Date().toISOString(), reference: `${projectId}-pre`, by: MANAGER }],
  });
  expect(s.invoices[0].status).toBe('paid');

  // Tasks start; the ads task waits for the copy it depends on.
  // A task says open once its workflow exists (before, waiting: nothing to claim yet).
  s = await waitForStatus(handle, (x) => x.tasks.filter((t) => t.status === 'open').length === 2, 'tasks started');
  expect(Object.fromEntries(s.tasks.map((t) => [t.key, t.status]))).toEqual({ design: 'open', copy: 'open', ads: 'waiting' });
  await waitForTask(env, projectId, 'ads', (v) => v.status === 'waiting');
  const adsDescribed = await taskHandle(env, projectId, 'ads').describe();
  expect(adsDescribed.typedSearchAttributes.get(TaskStatusKey)).toBe('waiting');

  await deliverTask(env, projectId, 'design', 'design');
  await deliverTask(env, projectId, 'copy', 'copywriting');
  const ads = await waitForTask(env, projectId, 'ads', (v) => v.status === 'open', 'ads opens after copy');
  expect(ads.openedAt! >= (await waitForTask(env, projectId, 'copy', (v) => v.status === 'accepted')).acceptedAt!).toBe(true);
  await deliverTask(env, projectId, 'ads', 'ads');

  // Delivered: the client is told, the manager records acceptance.
  s = await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  expect(s.tasks.every((t) => t.status === 'accepted' && t.onTime === true)).toBe(true);
  const ready = await waitForNotice(env, projectId, 'delivery_ready');
  expect(ready[0].recipients.emails).toEqual([input.client.email]);
  s = await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: 'lovely' }, by: MANAGER }] });
  expect(s.stage).toBe('invoicing');

  // Final invoice: plan total less the prepayment.
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === 'final' && i.documentId !== undefined), 'final invoice');
  const final = s.invoices.find((i) => i.kind === 'final')!;
  expect(final.amount).toBe(2_100.35);
  const finalDoc = documentsFor(env, projectId).find((d) => d.kind === 'final_invoice')!;
  expect(finalDoc.invoice?.prepaymentDeducted).toBe(900.15);
  expect(finalDoc.invoice?.lines).toHaveLength(3);
  expect((await handle.describe()).typedSearchAttributes.get(PaymentDueAtKey)?.toISOString()).toBe(final.dueAt);

  // Partial, the same payment imported twice (counted once), a reference reused for another
  // payment (refused, naming the first), then the rest.
  const paidAt = new Date().toISOString();
  const payFinal = (amount: number, reference: string, invoiceNumber = final.number) => pay(handle, { invoiceNumber, amount, paidAt, reference, by: MANAGER });
  s = await payFinal(1_000, `${projectId}-a`);
  expect(s.invoices[1].paidAmount).toBe(1_000);
  expect(s.invoices[1].status).toBe('open');
  s = await payFinal(1_000, `${projectId}-a`);
  expect(s.invoices[1].paidAmount).toBe(1_000);
  expect(s.invoices[1].payments).toHaveLength(1);
  const reused = await refusal(payFinal(500, `${projectId}-a`));
  expect(reused).toEqual({ type: 'PaymentReferenceReused', field: 'reference' });
  expect((await refusal(payFinal(1, `${projectId}-pre`))).type).toBe('PaymentReferenceReused');
  s = await statusOf(handle);
  expect(s.invoices[1].payments).toHaveLength(1);
  expect((await refusal(payFinal(1_100.36, `${projectId}-b`))).type).toBe('Overpayment');
  s = await payFinal(1_100.35, `${projectId}-b`);
  expect(s.invoices[1].status).toBe('paid');

  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  expect(result.completedAt).toBeDefined();
  expect(result.documents.map((d) => d.kind)).toEqual([
    'contract',
    'prepayment_invoice',
    'acceptance_act',
    'final_invoice',
    'final_report',
  ]);
  expect(timelineEvents(result)).toEqual(
    expect.arrayContaining(['intake', 'plan_submitted', 'plan_approved', 'invoice_paid', 'client_accepted', 'completed']),
  );
  const sa = (await handle.describe()).typedSearchAttributes;
  expect(sa.get(ProjectStageKey)).toBe('completed');
  expect(sa.get(ManagerIdKey)).toBe(MANAGER.id);
  expect(sa.get(PaymentDueAtKey)).toBeUndefined();
  expect(sa.get(DueAtKey)).toBeInstanceOf(Date);
  expect(noticesFor(env, projectId, 'invoice_issued')).toHaveLength(2);
  // Real effects: the client received both invoices by mail; every document is a stored PDF.
  const invoiceMail = noticesFor(env, projectId, 'invoice_issued').flatMap((n) => mailFor(env, n));
  expect(invoiceMail.map((m) => m.to)).toEqual([[input.client.email], [input.client.email]]);
  // Each with the paper that goes with it: the contract with the prepayment's, the act with the final one.
  const pdfsIn = (raw: string) => (raw.match(/Content-Type: application\/pdf/gi) ?? []).length;
  expect(invoiceMail.map((m) => pdfsIn(m.raw))).toEqual([2, 2]);
  expect(invoiceMail.map((m) => /filename="?([a-z_]+)-/.exec(m.raw.slice(m.raw.lastIndexOf('Content-Type: application/pdf')))?.[1])).toEqual(['contract', 'acceptance_act']);
  // A receipt for every payment recorded (the repeated one counts once): the prepayment, then the two on the final invoice.
  // Each receipt is its own activity, so two payments recorded a moment apart may be mailed in
  // either order (seen in CI); each says what was open after its own payment.
  const receipts = await waitForNotice(env, projectId, 'payment_received', 3);
  const receiptFigures = receipts.map((r) => [r.data.invoiceNumber, r.data.stillOwed, r.data.startsWork === true]);
  expect(receiptFigures).toHaveLength(3);
  expect(receiptFigures).toEqual(
    expect.arrayContaining([
      [prepayment.number, 0, true],
      [final.number, 1_100.35, false],
      [final.number, 0, false],
    ]),
  );
  for (const doc of result.documents) {
    expect(fs.statSync(path.join(env.documentsDir, projectId, `${doc.documentId}.pdf`)).size).toBeGreaterThan(500);
  }
  expect(noticesFor(env, projectId, 'task_opened')).toHaveLength(3);
  expect(noticesFor(env, projectId, 'task_submitted')).toHaveLength(3);
  // The end of the cycle is announced to leadership and the manager, the final report attached.
  const [completed] = await waitForNotice(env, projectId, 'project_completed');
  expect(completed.recipients).toEqual({ roles: ['leadership'], personIds: [MANAGER.id] });
  expect(completed.data).toMatchObject({
    documentId: result.documents.find((d) => d.kind === 'final_report')!.documentId,
    tasksAccepted: 3,
    revisionRounds: 0,
    complaints: 0,
    currency: input.budget.currency,
  });
  const completionMail = mailFor(env, completed);
  expect(completionMail.map((m) => m.subject)).toEqual([expect.stringContaining('Project completed'), expect.stringContaining('Project completed')]);
  expect(completionMail[0].raw).toMatch(/Content-Type: application\/pdf/i);
  await recordHistory(handle, 'project-completion-announced');
  await recordHistory(handle, 'project-happy-path');
  // The same run on today's code: receipts (payment-receipt-mail) and papers with the invoices.
  await recordHistory(handle, 'project-receipts-and-papers');
  await recordHistory(taskHandle(env, projectId, 'ads'), 'task-dependent-accepted');
});

test.concurrent('a rejected plan goes back to planning with the comment, and the next version is approved', async () => {
  const input = projectInput();
  const handle = await startProject(env, input);
  await waitForStatus(handle, (x) => x.stage === 'planning', 'planning');
  await projectUpdate(handle, submitPlanUpdate, {
    args: [plan([planTask('a', 'design', { description: 'Three logo directions' }), planTask('b', 'design', { description: 'Business cards' })])],
  });
  let s = await projectUpdate(handle, decidePlanUpdate, {
    args: [{ planVersion: 1, decision: 'reject', comment: 'too expensive', by: LEADER }],
  });
  expect(s.stage).toBe('planning');
  expect(s.lastRejectionComment).toBe('too expensive');
  expect(s.pendingPlanVersion).toBeUndefined();
  const decided = await waitForNotice(env, input.projectId, 'plan_decided');
  expect(decided[0].recipients.personIds).toEqual([MANAGER.id]);

  s = await projectUpdate(handle, submitPlanUpdate, {
    args: [plan([planTask('a', 'design', { price: 600, description: 'Two logo directions' }), planTask('b', 'design', { description: 'Business cards' })])],
  });
  expect(s.pendingPlanVersion).toBe(2);
  // Version 1 keeps no descriptions now; version 2 says which of its tasks' descriptions changed.
  expect(s.plans[0].tasks.map((t) => t.description)).toEqual(['', '']);
  expect(s.plans[1].descriptionsChanged).toEqual(['a']);
  expect(s.responseTimeMs).toBeDefined();
  expect(s.firstPlanAt).toBe(s.plans[0].submittedAt); // the clock stopped at the first proposal
  s = await projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 2, decision: 'approve', comment: '', by: LEADER }] });
  expect(s.stage).toBe('in_production');
  expect(s.plans.map((p) => p.decision?.decision)).toEqual(['reject', 'approve']);
  await waitForStatus(handle, (x) => x.tasks.length === 2, 'tasks started');
  // No prepayment: the client gets the contract in a mail of its own as the work starts.
  const [started] = await waitForNotice(env, input.projectId, 'work_started');
  const contract = s.documents.find((d) => d.kind === 'contract') ?? (await statusOf(handle)).documents.find((d) => d.kind === 'contract')!;
  expect(started).toMatchObject({ recipients: { emails: [input.client.email] }, data: expect.objectContaining({ documentId: contract.documentId }) });
  const startedMail = await eventually(async () => mailFor(env, started).length > 0 && mailFor(env, started), { what: 'the work-started mail' });
  expect(startedMail.map((m) => m.subject)).toEqual([`The work on ${input.title} has started`]);
  expect(startedMail[0].raw).toMatch(/Content-Type: application\/pdf/i);
  await recordHistory(handle, 'project-contract-to-client');
  await handle.terminate('test done');
});

test.concurrent('no decision: leadership is reminded after the SLA, the escalation contact after the escalation SLA, once each', async () => {
  const input = projectInput({ policy: { approvalSlaMs: 1_500, escalationSlaMs: 3_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await waitForStatus(handle, (x) => x.stage === 'planning', 'planning');
  await projectUpdate(handle, submitPlanUpdate, { args: [plan([planTask('a', 'design')])] });
  expect(noticesFor(env, projectId, 'plan_approval_escalation')).toHaveLength(0);
  await waitForNotice(env, projectId, 'plan_approval_escalation', 1, 30_000);
  const waiting = noticesFor(env, projectId, 'plan_waiting');
  expect(waiting).toHaveLength(2); // the submission, then the reminder
  expect(waiting[1].idempotencyKey).toMatch(/plan-reminder:v1$/);
  // Both carry the plan against the request (total, budget, the client's date, its last due date): their mails need no read of the project.
  const submitted = (await statusOf(handle)).plans[0];
  for (const notice of waiting) {
    expect(notice.data).toMatchObject({ total: submitted.total, budget: input.budget.amount, budgetCurrency: input.budget.currency, clientDate: input.desiredDeadline, lastDueAt: submitted.tasks[0].dueAt });
  }
  const [escalation] = noticesFor(env, projectId, 'plan_approval_escalation');
  expect(escalation.recipients).toEqual({ escalationContact: true });
  expect(mailFor(env, escalation).map((m) => m.to)).toEqual([[ESCALATION_EMAIL]]);
  // Nothing more while still undecided.
  await new Promise((r) => setTimeout(r, 2_000));
  expect(noticesFor(env, projectId, 'plan_waiting')).toHaveLength(2);
  expect(noticesFor(env, projectId, 'plan_approval_escalation')).toHaveLength(1);
  const s = await statusOf(handle);
  expect(timelineEvents(s)).toEqual(expect.arrayContaining(['plan_approval_reminder', 'plan_approval_escalated']));
  // A late approval still works.
  await projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'approve', comment: '', by: LEADER }] });
  await waitForStatus(handle, (x) => x.tasks.length === 1, 'task started');
  await recordHistory(handle, 'project-approval-escalated');
  await handle.terminate('test done');
});

test.concurrent('validators refuse the wrong person, the wrong stage, stale versions, repeats and bad input before anything is recorded', async () => {
  const input = projectInput();
  const handle = await startProject(env, input);
  await waitForStatus(handle, (x) => x.stage === 'planning', 'planning');
  const good = plan([planTask('a', 'design'), planTask('b', 'copywriting', { dependsOn: ['a'] })]);

  expect(await refusal(projectUpdate(handle, submitPlanUpdate, { args: [{ ...good, by: OTHER_MANAGER }] }))).toMatchObject({ type: 'NotAllowed' });
  expect(
    await refusal(projectUpdate(handle, submitPlanUpdate, { args: [plan([planTask('a', 'design', { dueAt: inSeconds(-60) })])] })),
  ).toEqual({ type: 'InvalidInput', field: 'tasks[0].dueAt' });
  expect(
    await refusal(projectUpdate(handle, submitPlanUpdate, { args: [plan([planTask('a', 'design', { dependsOn: ['zzz'] })])] })),
  ).toEqual({ type: 'InvalidInput', field: 'tasks[0].dependsOn[0]' });
  expect(
    await refusal(projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'approve', comment: '', by: LEADER }] })),
  ).toMatchObject({ type: 'StalePlanVersion' });
  expect(
    await refusal(projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] })),
  ).toMatchObject({ type: 'WrongStage' });

  await projectUpdate(handle, submitPlanUpdate, { args: [good] });
  expect(await refusal(projectUpdate(handle, submitPlanUpdate, { args: [good] }))).toMatchObject({ type: 'WrongStage' });
  expect(
    await refusal(projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'approve', comment: '', by: MANAGER }] })),
  ).toMatchObject({ type: 'NotAllowed' });
  expect(
    await refusal(projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 2, decision: 'approve', comment: '', by: LEADER }] })),
  ).toEqual({ type: 'StalePlanVersion', field: 'planVersion' });
  expect(
    await refusal(projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'reject', comment: ' ', by: LEADER }] })),
  ).toEqual({ type: 'InvalidInput', field: 'comment' });
  await projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'approve', comment: '', by: LEADER }] });
  expect(
    await refusal(projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'approve', comment: '', by: LEADER }] })),
  ).toEqual({ type: 'AlreadyDone', field: 'planVersion' });
  expect(
    await refusal(
      projectUpdate(handle, recordPaymentUpdate, {
        args: [{ invoiceNumber: 'INV-1999-000001', amount: 1, paidAt: new Date().toISOString(), reference: 'r', by: MANAGER }],
      }),
    ),
  ).toEqual({ type: 'NotFound', field: 'invoiceNumber' });

  const s = await statusOf(handle);
  expect(s.plans).toHaveLength(1);
  expect(timelineEvents(s).filter((e) => e === 'plan_submitted')).toHaveLength(1);
  // Validators ran before history: no update but the two accepted ones reached the history.
  const history = await handle.fetchHistory();
  const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  expect(accepted).toHaveLength(2);

  // Task validators: wrong department, wrong status, another holder, the same holder again.
  await waitForTask(env, input.projectId, 'a', (v) => v.status === 'open');
  const a = taskHandle(env, input.projectId, 'a');
  const b = taskHandle(env, input.projectId, 'b');
  const { claimTaskUpdate, submitTaskUpdate, reviewTaskUpdate, moveDueDateUpdate, reassignTaskUpdate, releaseTaskUpdate } = await import(
    '../../workflows/task/contract'
  );
  expect(await refusal(a.executeUpdate(claimTaskUpdate, { args: [{ by: staff('copywriting') }] }))).toMatchObject({ type: 'NotAllowed' });
  expect(await refusal(b.executeUpdate(claimTaskUpdate, { args: [{ by: staff('copywriting') }] }))).toMatchObject({ type: 'WrongStage' });
  await a.executeUpdate(claimTaskUpdate, { args: [{ by: staff('design') }] });
  const again = await a.executeUpdate(claimTaskUpdate, { args: [{ by: staff('design') }] });
  expect(again.assigneeId).toBe(staff('design').id);
  expect(await refusal(a.executeUpdate(claimTaskUpdate, { args: [{ by: staff('design', 'two') }] }))).toMatchObject({
    type: 'TaskAlreadyClaimed',
  });
  expect(
    await refusal(a.executeUpdate(submitTaskUpdate, { args: [{ by: staff('design', 'two'), summary: 'x', links: [] }] })),
  ).toMatchObject({ type: 'NotAllowed' });
  expect(await refusal(a.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] }))).toMatchObject({
    type: 'WrongStage',
  });
  expect(
    await refusal(a.executeUpdate(moveDueDateUpdate, { args: [{ by: MANAGER, dueAt: inSeconds(-5), reason: 'late' }] })),
  ).toEqual({ type: 'InvalidInput', field: 'dueAt' });
  expect(
    await refusal(a.executeUpdate(moveDueDateUpdate, { args: [{ by: OTHER_MANAGER, dueAt: inSeconds(500), reason: 'x' }] })),
  ).toMatchObject({ type: 'NotAllowed' });
  expect(
    await refusal(
      a.executeUpdate(reassignTaskUpdate, { args: [{ by: MANAGER, assigneeId: 'seo.one', assigneeDepartment: 'seo' }] }),
    ),
  ).toEqual({ type: 'InvalidInput', field: 'assigneeId' });
  expect(await refusal(a.executeUpdate(releaseTaskUpdate, { args: [{ by: staff('design', 'two') }] }))).toMatchObject({
    type: 'NotAllowed',
  });
  await a.executeUpdate(submitTaskUpdate, { args: [{ by: staff('design'), summary: 'x', links: [] }] });
  expect(await refusal(a.executeUpdate(submitTaskUpdate, { args: [{ by: staff('design'), summary: 'x', links: [] }] }))).toMatchObject({
    type: 'AlreadyDone',
  });
  expect(
    await refusal(a.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'changes_requested', comment: '' }] })),
  ).toEqual({ type: 'InvalidInput', field: 'comment' });
  await a.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });
  expect(await refusal(a.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] }))).toMatchObject({
    type: 'AlreadyDone',
  });
  await handle.terminate('test done');
});

test.concurrent('search attributes follow the stage and the open complaint', async () => {
  const input = projectInput({ departments: ['seo'] });
  const handle = await startProject(env, input);
  await waitForStatus(handle, (x) => x.stage === 'planning', 'planning');
  let sa = (await handle.describe()).typedSearchAttributes;
  expect(sa.get(ProjectStageKey)).toBe('planning');
  expect(sa.get(HasOpenComplaintKey)).toBe(false);
  await approvePlan(handle, plan([planTask('s', 'seo')]));
  await deliverTask(env, input.projectId, 's', 'seo');
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'complaint', description: 'late' }, by: MANAGER }] });
  sa = (await handle.describe()).typedSearchAttributes;
  expect(sa.get(ProjectStageKey)).toBe('client_review');
  expect(sa.get(HasOpenComplaintKey)).toBe(true);
  await handle.terminate('test done');
});
