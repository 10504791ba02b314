/**
 * Work that waits for its prepayment, started before it is paid: by the project's manager or
 * leadership, with a reason kept on the project. The tasks open with their dates moved by the wait
 * so far; the prepayment stays owed and chased, no longer as what the work waits for; a second
 * request is answered as done; refusals change nothing.
 */
import { ErrorType } from '../../workflows/errors';
import { recordPaymentUpdate, startWorkUpdate, type ProjectStatus } from '../../workflows/project/contract';
import {
  approvePlan,
  LEADER,
  MANAGER,
  OTHER_MANAGER,
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
  waitForStatus,
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(120_000);

test.concurrent('started before the prepayment is paid: tasks open, the prepayment stays owed, the reason is kept; again is done; refusals first', async () => {
  const input = projectInput({ departments: ['design'], policy: { startAfterPrepayment: true } });
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('hero', 'design', { price: 1_000 })], { prepaymentPercent: 30 }));
  const issued = await waitForStatus(handle, (s) => s.invoices.some((i) => i.documentId !== undefined), 'prepayment invoice');
  const prepayment = issued.invoices[0];
  expect(issued.tasks).toEqual([]);

  const start = (by = MANAGER, reason = 'long-standing client; the transfer is on its way') =>
    projectUpdate(handle, startWorkUpdate, { args: [{ by, reason }] });
  expect(await refusal(start(staff('design')))).toMatchObject({ type: ErrorType.NotAllowed });
  expect(await refusal(start(OTHER_MANAGER))).toMatchObject({ type: ErrorType.NotAllowed });
  expect(await refusal(start(MANAGER, '   '))).toMatchObject({ type: ErrorType.InvalidInput, field: 'reason' });
  const before = await statusOf(handle);
  expect(before.startedBeforePrepayment).toBeUndefined();
  expect(timelineEvents(before)).not.toContain('work_started_before_prepayment');

  const started = await start(LEADER);
  expect(started.startedBeforePrepayment).toMatchObject({ by: LEADER.id, reason: 'long-standing client; the transfer is on its way' });
  expect(started.timeline.find((e) => e.event === 'work_started_before_prepayment')).toMatchObject({
    by: LEADER.id,
    detail: `${prepayment.number} still owed: long-standing client; the transfer is on its way`,
  });
  const working = await waitForStatus(handle, (s) => s.tasks.length === 1 && s.tasks[0].status === 'open', 'the task opens');
  expect(working.invoices[0]).toMatchObject({ number: prepayment.number, status: 'open', paidAmount: 0 });

  // Again (a retry, the manager after leadership): done, nothing more recorded.
  const again = await start(MANAGER);
  expect(again.startedBeforePrepayment?.by).toBe(LEADER.id);
  expect((await statusOf(handle)).timeline.filter((e) => e.event === 'work_started_before_prepayment')).toHaveLength(1);

  // Paid later: recorded as any payment; nothing starts twice.
  const paid = (await projectUpdate(handle, recordPaymentUpdate, {
    args: [{ invoiceNumber: prepayment.number, amount: 300, paidAt: new Date().toISOString(), reference: `${input.projectId}-pre`, by: MANAGER }],
  })) as ProjectStatus;
  expect(paid.invoices[0].status).toBe('paid');
  expect(paid.tasks).toHaveLength(1);
  await recordHistory(handle, 'project-started-before-prepayment');
  await handle.terminate('test done');
});

test.concurrent('nothing to start: work not waiting for a prepayment, or already under way', async () => {
  const input = projectInput({ departments: ['seo'], policy: { startAfterPrepayment: false } });
  const handle = await startProject(env, input);
  const reason = 'the client asked';
  expect(await refusal(projectUpdate(handle, startWorkUpdate, { args: [{ by: MANAGER, reason }] }))).toMatchObject({ type: ErrorType.WrongStage });
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 500 })], { prepaymentPercent: 20 }));
  await waitForStatus(handle, (s) => s.tasks.length === 1, 'work under way without waiting');
  expect(await refusal(projectUpdate(handle, startWorkUpdate, { args: [{ by: MANAGER, reason }] }))).toMatchObject({ type: ErrorType.WrongStage });
  expect((await statusOf(handle)).startedBeforePrepayment).toBeUndefined();
  await handle.terminate('test done');
});
