/**
 * A worker that dies mid-production and comes back: the project and its tasks resume from
 * their histories with nothing lost (claims, statuses, a deadline that fell while no worker ran)
 * and nothing repeated (each notice, document and invoice number asked for exactly once).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testBundlePath } from '../support/temporal';
import { recordFeedbackUpdate, recordPaymentUpdate, type ProjectStatus } from '../../workflows/project/contract';
import { claimTaskUpdate, getStatusQuery as getTaskStatusQuery, moveDueDateUpdate, reviewTaskUpdate, submitTaskUpdate } from '../../workflows/task/contract';
import {
  approvePlan,
  deliverTask,
  historyToFixture,
  inSeconds,
  MANAGER,
  noticesFor,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  staff,
  startProject,
  startWorkflowTestEnv,
  statusOf,
  taskHandle,
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

// Generous: CI machines are busy; the test asserts what happens, not how fast.
jest.setTimeout(240_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// This test once failed in 3 of 4 fresh-clone CI runs: stopping the worker took 30–60 s on a
// busy machine, because a snapshot publish in flight asked its workflow a query that only a
// polling worker could answer, so c's due date passed before the restart. A stopping worker now
// cancels its activities after a short grace (worker/worker.ts) and the publish gives up at once.
test('a worker stopped and restarted mid-production resumes with nothing lost or repeated', async () => {
  const input = projectInput({ departments: ['design', 'copywriting', 'ads'], policy: { reminderLeadMs: 30_000, overdueGraceMs: 60_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(
    handle,
    plan(
      [
        planTask('a', 'design', { dueAt: inSeconds(3_600) }),
        planTask('b', 'copywriting', { dependsOn: ['a'], dueAt: inSeconds(3_600) }),
        planTask('c', 'ads', { dueAt: inSeconds(3_600) }),
      ],
      { prepaymentPercent: 20 },
    ),
  );
  await deliverTask(env, projectId, 'a', 'design');
  await waitForTask(env, projectId, 'b', (v) => v.status === 'open');
  await taskHandle(env, projectId, 'b').executeUpdate(claimTaskUpdate, { args: [{ by: staff('copywriting') }] });
  await taskHandle(env, projectId, 'c').executeUpdate(claimTaskUpdate, { args: [{ by: staff('ads') }] });
  // c's reminder (30 s before the new due date) falls due 6 s from now, while no worker runs (a
  // busy machine needs seconds to read the status and stop the worker: with 2 s the worker still
  // running sent it once in CI); the due date itself stays well after the restart (a reminder
  // found only after the due date is dropped for the overdue notice).
  const reminderAt = Date.now() + 6_000;
  await taskHandle(env, projectId, 'c').executeUpdate(moveDueDateUpdate, { args: [{ by: MANAGER, dueAt: new Date(reminderAt + 30_000).toISOString(), reason: 'rush' }] });
  const before = await waitForStatus(
    handle,
    (s) => s.tasks.filter((t) => t.status === 'claimed').length === 2 && s.tasks.find((t) => t.key === 'c')!.dueAt !== s.plans[0].tasks[2].dueAt,
    'two claimed, c moved',
  );

  await env.stopWorker();
  expect(noticesFor(env, projectId, 'task_deadline_reminder')).toHaveLength(0);
  // Restart once the reminder's moment has passed with no worker to see it.
  await sleep(Math.max(reminderAt + 3_000 - Date.now(), 0));
  await env.restartWorker();

  // Nothing lost: the same state, and the deadline that passed meanwhile is honoured once.
  const after = await statusOf(handle);
  expect(after.tasks).toEqual(before.tasks);
  expect(after.invoices).toEqual(before.invoices);
  // Generous: the new worker first waits out the old one's sticky queue, then replays.
  const [reminder] = await waitForNotice(env, projectId, 'task_deadline_reminder', 1, 90_000);
  expect(reminder.taskId).toBe(`${projectId}.c`);

  for (const [key, department] of [['b', 'copywriting'], ['c', 'ads']] as const) {
    const task = taskHandle(env, projectId, key);
    await task.executeUpdate(submitTaskUpdate, { args: [{ by: staff(department), summary: 'done', links: [] }] });
    await task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });
  }
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] });
  const s = await waitForStatus(handle, (x) => x.invoices.length === 2 && x.invoices[1].documentId !== undefined, 'final invoice');
  for (const invoice of s.invoices) {
    await projectUpdate(handle, recordPaymentUpdate, {
      args: [{ invoiceNumber: invoice.number, amount: invoice.amount, paidAt: new Date().toISOString(), reference: invoice.number, by: MANAGER }],
    });
  }
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  expect(result.tasks.every((t) => t.status === 'accepted')).toBe(true);
  expect((await taskHandle(env, projectId, 'b').query(getTaskStatusQuery)).assigneeId).toBe(staff('copywriting').id);

  // Nothing repeated: every effect was asked for once.
  const mine = <T extends { input: { idempotencyKey?: string; projectId?: string } }>(list: T[]) =>
    list.filter((e) => (e.input.projectId ?? e.input.idempotencyKey ?? '').includes(projectId));
  const keys = mine(env.effects.notices).map((n) => n.input.idempotencyKey);
  expect(new Set(keys).size).toBe(keys.length);
  const documents = env.effects.documents.filter((d) => d.input.projectId === projectId).map((d) => `${d.input.kind}#${d.input.sequence}`);
  expect(documents).toEqual(['contract#1', 'prepayment_invoice#1', 'acceptance_act#1', 'final_invoice#1', 'final_report#1']);
  const numbers = env.effects.invoiceNumbers.filter((n) => n.input.idempotencyKey.includes(projectId));
  expect(numbers).toHaveLength(2);
  // And every history involved replays deterministically from scratch (what a restart does).
  const handles = [handle, ...['a', 'b', 'c'].map((key) => taskHandle(env, projectId, key))];
  const histories = await Promise.all(handles.map(async (h) => ({ workflowId: h.workflowId, history: await h.fetchHistory() })));
  const failures: string[] = [];
  for await (const replay of Worker.runReplayHistories({ workflowBundle: { codePath: testBundlePath() } }, histories)) {
    if (replay.error) {
      failures.push(`${replay.workflowId}: ${replay.error.message}`);
      fs.writeFileSync(path.join(os.tmpdir(), `${replay.workflowId}.history.json`), historyToFixture(histories.find((h) => h.workflowId === replay.workflowId)!.history));
    }
  }
  expect(failures).toEqual([]);
  await recordHistory(handle, 'project-worker-restarted');
  await recordHistory(taskHandle(env, projectId, 'c'), 'task-worker-restarted');
});
