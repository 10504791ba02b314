/**
 * Every workflow task handled by a worker that keeps no workflow cached: each task replays the
 * history and then runs the new work live — what a fresh worker does after another one was
 * killed, here on every task. Those histories must replay afterwards exactly as they ran.
 *
 * Why this needs its own test: when a workflow task completes without commands (an activity's
 * result that changes nothing, e.g. a finished snapshot publish) and the next task carries only
 * an update, a worker without the run cached is handed that result together with the update in
 * one activation, while a later replay delivers them apart. Code that reacts to such a result (a
 * publisher waiting for its activity before looking for the next change) then issues its commands
 * in another order on replay: the chaos run found histories failing with "Activity machine does
 * not handle this event: TimerCanceled", and this test failed the same way in 3 of 4 runs until
 * the publisher stopped waiting (`publish-without-waiting`). The pause before each action lets
 * the last publish finish in a workflow task of its own, which is what sets the trap.
 *
 * A worker without a cache also drops a query that arrives while it works on the same run (the
 * SDK logs "leftover buffered tasks when evicting run"); the query then times out on the server.
 * So this test reads through queries only where it must and waits generously; the snapshot
 * publishes' own queries are retried by their activity.
 */
import { Worker } from '@temporalio/worker';
import { decidePlanUpdate, recordFeedbackUpdate, recordPaymentUpdate, submitPlanUpdate, type ProjectStatus } from '../../workflows/project/contract';
import { claimTaskUpdate, releaseTaskUpdate, reviewTaskUpdate, submitTaskUpdate } from '../../workflows/task/contract';
import { testBundlePath } from '../support/temporal';
import {
  inSeconds,
  LEADER,
  MANAGER,
  plan,
  planTask,
  projectInput,
  recordHistory,
  staff,
  startProject,
  startWorkflowTestEnv,
  taskHandle,
  waitForStatus,
  waitForTask,
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv({ maxCachedWorkflows: 0 });
});
afterAll(() => env?.close());

jest.setTimeout(480_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Long enough for the snapshot publish the last action started to finish in a workflow task of its own. */
const settle = () => sleep(1_500);
/** A lost query costs its whole timeout: allow for a few. */
const PATIENCE_MS = 150_000;

test('a lifecycle run by a worker without a workflow cache replays as it ran', async () => {
  // Deadlines far away: the task workflow waits on a timer while its publishes come and go.
  const input = projectInput({ departments: ['design'], policy: { reminderLeadMs: 60_000, overdueGraceMs: 60_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await settle();
  const { version } = await handle.executeUpdate(submitPlanUpdate, {
    args: [plan([planTask('a', 'design', { dueAt: inSeconds(3_600) })], { prepaymentPercent: 0 })],
  });
  expect(version).toBeGreaterThan(1);
  await settle();
  await handle.executeUpdate(decidePlanUpdate, { args: [{ planVersion: 1, decision: 'approve', comment: 'go', by: LEADER }] });
  await waitForTask(env, projectId, 'a', (v) => v.status === 'open', 'a open', PATIENCE_MS);
  await settle();

  const task = taskHandle(env, projectId, 'a');
  const by = staff('design');
  const views = [];
  for (const step of [
    () => task.executeUpdate(claimTaskUpdate, { args: [{ by }] }),
    () => task.executeUpdate(releaseTaskUpdate, { args: [{ by }] }),
    () => task.executeUpdate(claimTaskUpdate, { args: [{ by }] }),
    () => task.executeUpdate(submitTaskUpdate, { args: [{ by, summary: 'done', links: [] }] }),
    () => task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] }),
  ]) {
    views.push((await step()).status);
    await settle();
  }
  expect(views).toEqual(['claimed', 'open', 'claimed', 'submitted', 'accepted']);

  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review', PATIENCE_MS);
  await settle();
  await handle.executeUpdate(recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] });
  const billed = await waitForStatus(handle, (s) => s.invoices.length === 1 && s.invoices[0].documentId !== undefined, 'final invoice', PATIENCE_MS);
  await settle();
  const [invoice] = billed.invoices;
  await handle.executeUpdate(recordPaymentUpdate, {
    args: [{ invoiceNumber: invoice.number, amount: invoice.amount, paidAt: new Date().toISOString(), reference: invoice.number, by: MANAGER }],
  });
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  // The final state reached the store before the run ended.
  expect((await env.reporting.project(projectId))?.value.version).toBe(result.version);

  const histories = await Promise.all([handle, task].map(async (h) => ({ workflowId: h.workflowId, history: await h.fetchHistory() })));
  const failures: string[] = [];
  for await (const replay of Worker.runReplayHistories({ workflowBundle: { codePath: testBundlePath() } }, histories)) {
    if (replay.error) failures.push(`${replay.workflowId}: ${replay.error.message}`);
  }
  expect(failures).toEqual([]);
  await recordHistory(handle, 'project-uncached-worker');
  await recordHistory(task, 'task-uncached-worker');
});
