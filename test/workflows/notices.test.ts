/**
 * Notices never stall the business: with the mail server down, work still opens when what it
 * depends on is accepted, deadlines still fire, a cancellation still completes in seconds — and
 * every notice held up goes out exactly once when the server is back. Also: who hears what when a
 * task changes hands.
 */
import { cancelProjectUpdate } from '../../workflows/project/contract';
import { claimTaskUpdate, getStatusQuery as getTaskStatusQuery, reassignTaskUpdate } from '../../workflows/task/contract';
import {
  approvePlan,
  deliverTask,
  inSeconds,
  MANAGER,
  mailFor,
  noticesFor,
  plan,
  planTask,
  projectInput,
  recordHistory,
  staff,
  startProject,
  startWorkflowTestEnv,
  taskHandle,
  waitForNotice,
  waitForStatus,
  waitForTask,
  type WorkflowTestEnv,
} from './support';

// Its own worker and mail server: the outage below must not touch other files' mail.
let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(420_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long the mail server stays down: long enough for every step below to happen during it. */
const OUTAGE_MS = Number(process.env.SMTP_OUTAGE_MS ?? 30_000);

test('with the mail server down, work opens, deadlines fire and a cancellation completes; every notice arrives once when it is back', async () => {
  const input = projectInput({ departments: ['design', 'copywriting', 'seo'], policy: { reminderLeadMs: 2_000, overdueGraceMs: 2_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);

  await env.smtp.stop();
  const outageStarted = Date.now();
  await approvePlan(
    handle,
    plan([
      planTask('design', 'design', { price: 500 }),
      planTask('copy', 'copywriting', { price: 500, dependsOn: ['design'] }),
      planTask('late', 'seo', { price: 500, dueAt: inSeconds(8) }),
    ]),
  );

  // Work goes on: design is delivered, copy opens behind it.
  await deliverTask(env, projectId, 'design', 'design');
  await waitForTask(env, projectId, 'copy', (v) => v.status === 'open', 'copy opens while mail is down');

  // Deadlines fire on time: the late task's reminder, overdue and escalation are decided, though
  // none can be mailed yet.
  const late = await waitForTask(env, projectId, 'late', (v) => v.notices.length === 3, 'deadlines fired', 30_000);
  expect(late.notices.map((n) => n.kind)).toEqual(['reminder', 'overdue', 'escalation']);
  expect(late.overdue).toBe(true);

  // A cancellation completes within seconds, its notices queued behind the outage too.
  const started = Date.now();
  await handle.executeUpdate(cancelProjectUpdate, { args: [{ reason: 'client went silent', by: MANAGER }] });
  expect(Date.now() - started).toBeLessThan(15_000);
  const cancelled = await waitForStatus(handle, (s) => s.stage === 'cancelled', 'cancelled');
  expect(cancelled.tasks.map((t) => t.status).sort()).toEqual(['accepted', 'cancelled', 'cancelled']);

  // Everything so far happened during the outage; nothing was mailed.
  expect(Date.now() - outageStarted).toBeLessThan(OUTAGE_MS);
  const mailedDuringOutage = env.mail.filter((m) => m.idempotencyKey?.includes(projectId)).length;
  expect(mailedDuringOutage).toBe(0);
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
  await env.smtp.start();

  // Back: every notice goes out (within the one-minute retry interval), each exactly once per recipient.
  const expected = ['task_opened', 'task_submitted', 'task_deadline_reminder', 'task_overdue', 'task_escalation', 'project_cancelled', 'invoice_issued'] as const;
  await Promise.all(expected.map((template) => waitForNotice(env, projectId, template, 1, 180_000)));
  await sleep(2_000);
  const mine = env.mail.filter((m) => m.idempotencyKey?.includes(projectId));
  const perRecipient = new Map<string, number>();
  for (const m of mine) for (const to of m.to) perRecipient.set(`${m.idempotencyKey} ${to}`, (perRecipient.get(`${m.idempotencyKey} ${to}`) ?? 0) + 1);
  expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
  for (const notice of noticesFor(env, projectId)) expect(mailFor(env, notice).length).toBeGreaterThan(0);
  await handle.terminate('test done'); // it would wait for the cancellation invoice to be paid
});

test('a reassigned task tells the new assignee and the one who held it', async () => {
  const input = projectInput({ departments: ['copywriting'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('text', 'copywriting')]));
  await waitForTask(env, projectId, 'text', (v) => v.status === 'open');
  const task = taskHandle(env, projectId, 'text');
  const first = staff('copywriting', 'one');
  const second = staff('copywriting', 'two');
  await task.executeUpdate(claimTaskUpdate, { args: [{ by: first }] });
  await task.executeUpdate(reassignTaskUpdate, { args: [{ by: MANAGER, assigneeId: second.id, assigneeDepartment: 'copywriting' }] });

  const [toNew] = await waitForNotice(env, projectId, 'task_reassigned');
  expect(toNew.recipients).toEqual({ personIds: [second.id] });
  const [toPrevious] = await waitForNotice(env, projectId, 'task_unassigned');
  expect(toPrevious.recipients).toEqual({ personIds: [first.id] });
  expect(mailFor(env, toPrevious).map((m) => m.to)).toEqual([['copywriting.one@agency.example']]);
  expect((await task.query(getTaskStatusQuery)).assigneeId).toBe(second.id);
  await recordHistory(task, 'task-reassigned');
  await handle.terminate('test done');
});
