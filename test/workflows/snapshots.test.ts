/**
 * What people read must be true: a task is open in the project's snapshot only once it can be
 * claimed; "on time" means the first delivery met the plan's due date; the final report knows the
 * project completed. And what the history keeps stays small: a big plan rejected ten times is
 * far below Temporal's payload and history limits.
 */
import { temporal } from '@temporalio/proto';
import { decidePlanUpdate, recordFeedbackUpdate, recordPaymentUpdate, submitPlanUpdate, type ProjectStatus } from '../../workflows/project/contract';
import { claimTaskUpdate, moveDueDateUpdate, reviewTaskUpdate, submitTaskUpdate } from '../../workflows/task/contract';
import {
  approvePlan,
  documentsFor,
  inSeconds,
  LEADER,
  MANAGER,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  staff,
  startProject,
  startWorkflowTestEnv,
  statusOf,
  taskHandle,
  waitForStatus,
  waitForTask,
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
// Closing replays every history of the file, the 13 MB one of the 200-task plan among them: minutes
// under the full suite's load (it passed 240 s once in a CI-like run).
afterAll(() => env?.close(), 600_000);

jest.setTimeout(240_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.concurrent('a task shows as open only once its workflow exists: claiming right after reading "open" always finds it', async () => {
  const input = projectInput({ departments: ['design'] });
  const handle = await startProject(env, input);
  const keys = Array.from({ length: 12 }, (_, i) => `t${i}`);
  await approvePlan(handle, plan(keys.map((k) => planTask(k, 'design', { price: 10 }))));
  const claimed = new Set<string>();
  const deadline = Date.now() + 60_000;
  while (claimed.size < keys.length && Date.now() < deadline) {
    const s = await statusOf(handle);
    for (const task of s.tasks.filter((t) => t.status === 'open' && !claimed.has(t.key))) {
      // Read "open" from the project: the claim must not meet "there is no task".
      await taskHandle(env, input.projectId, task.key).executeUpdate(claimTaskUpdate, { args: [{ by: staff('design') }] });
      claimed.add(task.key);
    }
  }
  expect(claimed.size).toBe(keys.length);
  await handle.terminate('test done');
});

test.concurrent('on time is the first delivery against the plan\u2019s due date; the final report knows the project completed', async () => {
  const input = projectInput({ departments: ['design', 'copywriting'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  const dueSoon = inSeconds(12);
  await approvePlan(handle, plan([planTask('early', 'design', { dueAt: dueSoon, price: 100 }), planTask('moved', 'copywriting', { dueAt: dueSoon, price: 100 })]));

  // "early" is first delivered in time, sent back, and redelivered after its due date: on time.
  await waitForTask(env, projectId, 'early', (v) => v.status === 'open');
  const early = taskHandle(env, projectId, 'early');
  const designer = staff('design');
  await early.executeUpdate(claimTaskUpdate, { args: [{ by: designer }] });
  await early.executeUpdate(submitTaskUpdate, { args: [{ by: designer, summary: 'v1', links: [] }] });
  await early.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'changes_requested', comment: 'again' }] });
  // "moved" gets a later date from the manager and is first delivered after the original one: late.
  await waitForTask(env, projectId, 'moved', (v) => v.status === 'open');
  const moved = taskHandle(env, projectId, 'moved');
  const writer = staff('copywriting');
  await moved.executeUpdate(moveDueDateUpdate, { args: [{ by: MANAGER, dueAt: inSeconds(600), reason: 'photos late' }] });
  await sleep(Math.max(0, Date.parse(dueSoon) - Date.now() + 1_000));
  await early.executeUpdate(submitTaskUpdate, { args: [{ by: designer, summary: 'v2', links: [] }] });
  await early.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });
  await moved.executeUpdate(claimTaskUpdate, { args: [{ by: writer }] });
  await moved.executeUpdate(submitTaskUpdate, { args: [{ by: writer, summary: 'done', links: [] }] });
  await moved.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });

  let s = await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  const byKey = Object.fromEntries(s.tasks.map((t) => [t.key, t]));
  expect(byKey.early).toMatchObject({ onTime: true, originalDueAt: new Date(dueSoon).toISOString(), reviewRounds: 1 });
  expect(byKey.moved).toMatchObject({ onTime: false, originalDueAt: new Date(dueSoon).toISOString() });
  expect(byKey.moved.dueAt).not.toBe(byKey.moved.originalDueAt);
  expect(Date.parse(byKey.early.firstSubmittedAt!)).toBeLessThan(Date.parse(dueSoon));

  s = await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: '' }, by: MANAGER }] });
  s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.documentId), 'invoice');
  await projectUpdate(handle, recordPaymentUpdate, {
    args: [{ invoiceNumber: s.invoices[0].number, amount: s.invoices[0].amount, paidAt: new Date().toISOString(), reference: `${projectId}-x`, by: LEADER }],
  });
  const done = (await handle.result()) as ProjectStatus;
  const report = documentsFor(env, projectId).find((d) => d.kind === 'final_report')!;
  // The report was written knowing the outcome and its date.
  expect(report.snapshot.completedAt).toBe(done.completedAt);
  expect(report.snapshot.completedAt).toBeDefined();
  expect(report.snapshot.timeline.length).toBeGreaterThan(0);
  // Documents get the plan without its task descriptions; only the report gets the timeline.
  const contract = documentsFor(env, projectId).find((d) => d.kind === 'contract')!;
  expect(contract.snapshot.timeline).toEqual([]);
});

test('a 200-task plan with 5,000-character descriptions, sent back ten times, stays far below the payload and history limits', async () => {
  const input = projectInput({ departments: ['design', 'copywriting', 'seo', 'ads', 'analytics'] });
  const handle = await startProject(env, input);
  const description = 'Scope, acceptance criteria and references. '.repeat(120).slice(0, 5_000);
  const bigPlan = (round: number) =>
    plan(
      Array.from({ length: 200 }, (_, i) =>
        planTask(`t${i}`, (['design', 'copywriting', 'seo', 'ads', 'analytics'] as const)[i % 5], { description, price: 10 + round, dueAt: inSeconds(3_600) }),
      ),
    );
  for (let round = 1; round <= 10; round++) {
    await handle.executeUpdate(submitPlanUpdate, { args: [bigPlan(round)] });
    await handle.executeUpdate(decidePlanUpdate, { args: [{ planVersion: round, decision: 'reject', comment: `round ${round}: not yet`, by: LEADER }] });
  }
  await handle.executeUpdate(submitPlanUpdate, { args: [bigPlan(11)] });
  await handle.executeUpdate(decidePlanUpdate, { args: [{ planVersion: 11, decision: 'approve', comment: '', by: LEADER }] });
  await waitForStatus(handle, (s) => s.tasks.filter((t) => t.status === 'open').length === 200, '200 tasks started', 180_000);

  const history = await handle.fetchHistory();
  // Bytes as Temporal stores them (protobuf), the unit of its limits.
  const sizes = (history.events ?? []).map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const largest = Math.max(...sizes);
  console.log(`200-task plan, 11 versions: ${sizes.length} events, ${(total / 1e6).toFixed(1)} MB of history, largest event ${(largest / 1e6).toFixed(2)} MB`);
  // Each plan version is in the history once (the update's input): about 1 MB each.
  expect(largest).toBeLessThan(1.5e6); // the limit is 2 MB per payload
  expect(total).toBeLessThan(20e6); // the limit is 50 MB per history
  const s = await statusOf(handle);
  // The approved version keeps its descriptions; earlier ones keep all but those.
  expect(s.plans.at(-1)!.tasks.every((t) => t.description === description)).toBe(true);
  expect(s.plans.slice(0, -1).every((p) => p.tasks.length === 200 && p.tasks.every((t) => t.description === ''))).toBe(true);
  await handle.terminate('test done');
});
