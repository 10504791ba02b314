/**
 * The project's history stays bounded however much work flows through it: claims, deliveries and
 * reviews land in the task workflows, the project only hears one signal per settled task change.
 * A 50-task plan with three client revision rounds must close under 5,000 project events.
 */
import { recordFeedbackUpdate, recordPaymentUpdate, type ProjectStatus } from '../../workflows/project/contract';
import type { Department } from '../../workflows/shared-schemas';
import { claimTaskUpdate, reviewTaskUpdate, submitTaskUpdate } from '../../workflows/task/contract';
import {
  approvePlan,
  deliverTask,
  inSeconds,
  MANAGER,
  plan,
  planTask,
  projectInput,
  projectUpdate,
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
  env = await startWorkflowTestEnv();
});
// Closing replays all 66 histories (the project's 1,400-odd events and every task's): 10 s alone,
// past 240 s once in a full run beside the heaviest suites (CI-like, 2026-12-07).
afterAll(() => env?.close(), 600_000);

jest.setTimeout(240_000);

const DEPARTMENTS: Department[] = ['design', 'copywriting', 'seo', 'ads', 'analytics'];

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

test('a 50-task plan with 3 revision rounds keeps the project under 5,000 history events', async () => {
  const input = projectInput({ departments: DEPARTMENTS });
  const { projectId } = input;
  const handle = await startProject(env, input);
  // Five waves of ten: task i depends on task i-10, so opening by dependencies is exercised too.
  const tasks = Array.from({ length: 50 }, (_, i) =>
    planTask(`t${i}`, DEPARTMENTS[i % 5], { price: 100, dependsOn: i >= 10 ? [`t${i - 10}`] : [] }),
  );
  await approvePlan(handle, plan(tasks, { includedRevisionRounds: 1, prepaymentPercent: 10 }));
  await waitForStatus(handle, (s) => s.tasks.length === 50, '50 tasks');

  for (let wave = 0; wave < 5; wave++) {
    await inParallel(tasks.slice(wave * 10, wave * 10 + 10), 10, async (t) => {
      // Every fifth task goes back once for changes, as real work does.
      if (Number(t.key.slice(1)) % 5 === 0) {
        await waitForTask(env, projectId, t.key, (v) => v.status === 'open', `${t.key} open`, 60_000);
        const h = taskHandle(env, projectId, t.key);
        const by = staff(t.department);
        await h.executeUpdate(claimTaskUpdate, { args: [{ by }] });
        await h.executeUpdate(submitTaskUpdate, { args: [{ by, summary: 'v1', links: [] }] });
        await h.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'changes_requested', comment: 'again' }] });
        await h.executeUpdate(submitTaskUpdate, { args: [{ by, summary: 'v2', links: [] }] });
        await h.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });
      } else {
        await deliverTask(env, projectId, t.key, t.department);
      }
    });
  }

  for (let round = 1; round <= 3; round++) {
    await waitForStatus(handle, (s) => s.stage === 'client_review' && s.revisionRoundsUsed === round - 1, `review ${round}`, 60_000);
    await projectUpdate(handle, recordFeedbackUpdate, {
      args: [
        {
          feedback: {
            kind: 'revisions_requested',
            description: `round ${round}`,
            departments: DEPARTMENTS,
            dueAt: inSeconds(900),
            ...(round > 1 && { extraPrice: 50 }),
          },
          by: MANAGER,
        },
      ],
    });
    await inParallel(DEPARTMENTS, 5, (d) => deliverTask(env, projectId, `rev${round}.${d}`, d));
  }
  await waitForStatus(handle, (s) => s.stage === 'client_review' && s.revisionRoundsUsed === 3, 'final review', 60_000);
  await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 5, comment: '' }, by: MANAGER }] });
  const s = await waitForStatus(handle, (x) => x.invoices.length === 2 && x.invoices[1].documentId !== undefined, 'final invoice', 60_000);
  expect(s.invoices[1].amount).toBe(5_000 - 500 + 100);
  for (const invoice of s.invoices) {
    await projectUpdate(handle, recordPaymentUpdate, {
      args: [{ invoiceNumber: invoice.number, amount: invoice.amount, paidAt: new Date().toISOString(), reference: invoice.number, by: MANAGER }],
    });
  }
  const result = (await handle.result()) as ProjectStatus;
  expect(result.stage).toBe('completed');
  expect(result.tasks).toHaveLength(65);

  const events = (await handle.fetchHistory()).events ?? [];
  // Printed so a regression shows by how much, not just that it failed.
  console.log(`project history: ${events.length} events for 65 tasks and 3 revision rounds`);
  expect(events.length).toBeLessThan(5_000);
});
