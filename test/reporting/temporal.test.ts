/**
 * The store fed by real workflows on the test Temporal: real lifecycles (one completed and paid,
 * one cancelled, one still in production) publish their snapshots through publishSnapshot (a local
 * activity of every workflow task that changes them); the rebuild from Temporal into
 * an empty store gives every figure the live feed gave, a second rebuild adds nothing, and a
 * finished project whose workflows were deleted from Temporal (what retention does) still counts.
 */
import {
  cancelProjectUpdate,
  projectWorkflowId,
  recordFeedbackUpdate,
  recordPaymentUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
import { claimTaskUpdate, getStatusQuery as getTaskQuery, taskId, taskWorkflowId } from '../../workflows/task/contract';
import { rebuildReportingStore } from '../../activities/reporting/rebuild';
import type { ReportingStore } from '../../activities/reporting/store';
import type { KpiReport } from '../../api/schemas';
import { openTestStore } from '../support/reporting';
import { eventually } from '../support/temporal';
import {
  approvePlan,
  deliverTask,
  MANAGER,
  plan,
  planTask,
  projectInput,
  startProject,
  startWorkflowTestEnv,
  staff,
  taskHandle,
  waitForStatus,
  type WorkflowTestEnv,
} from '../workflows/support';

jest.setTimeout(180_000);

let env: WorkflowTestEnv;
/** The store the worker's publishSnapshot feeds: the live feed. */
let live: ReportingStore;
const ids = { completed: '', cancelled: '', running: '' };

/** The live store holds this project's state once `done` holds for its stored snapshot. */
async function stored(projectId: string, done: (s: ProjectStatus) => boolean, what: string): Promise<ProjectStatus> {
  return eventually(
    async () => {
      const s = (await live.project(projectId))?.value;
      return s && done(s) ? s : undefined;
    },
    { what: `the store to hold ${what}`, timeoutMs: 30_000 },
  );
}

/** A period holding everything these tests do. */
const PERIOD = { from: new Date(Date.now() - 200 * 86_400_000), to: new Date(Date.now() + 100 * 86_400_000) };

async function figures(store: ReportingStore, now: Date, period = PERIOD): Promise<Omit<KpiReport, 'asOf' | 'generatedAt'>> {
  const { asOf: _asOf, generatedAt: _generatedAt, ...rest } = await store.kpis({ ...period, overloadHours: 20, now });
  return rest;
}

beforeAll(async () => {
  env = await startWorkflowTestEnv();
  live = env.reporting;

  // 1. Completed: two tasks delivered, the client accepts (rating 4), the final invoice is paid.
  const completed = projectInput({ managerId: MANAGER.id, client: { id: 'client-acme', name: 'Acme Ltd', segment: 'B2B', email: 'b@acme.example' } });
  ids.completed = completed.projectId;
  const a = await startProject(env, completed);
  await waitForStatus(a, (s) => s.stage === 'planning', 'planning');
  await approvePlan(a, plan([planTask('design', 'design', { price: 1_200 }), planTask('copy', 'copywriting', { price: 800 })]));
  await deliverTask(env, ids.completed, 'design', 'design');
  await deliverTask(env, ids.completed, 'copy', 'copywriting');
  await waitForStatus(a, (s) => s.stage === 'client_review', 'client review');
  await a.executeUpdate(recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: '' }, by: MANAGER }] });
  const invoiced = await waitForStatus(a, (s) => s.invoices.some((i) => i.kind === 'final'), 'final invoice');
  const final = invoiced.invoices.find((i) => i.kind === 'final')!;
  await a.executeUpdate(recordPaymentUpdate, {
    args: [{ invoiceNumber: final.number, amount: final.amount, paidAt: new Date().toISOString(), reference: `${ids.completed}-pay`, by: MANAGER }],
  });
  await a.result();

  // 2. Cancelled while its only task was in hand (nothing accepted: nothing billed).
  const cancelled = projectInput({ client: { id: 'client-carol', name: 'Carol', segment: 'B2C', email: 'carol@example.com' } });
  ids.cancelled = cancelled.projectId;
  const c = await startProject(env, cancelled);
  await approvePlan(c, plan([planTask('ads', 'ads', { estimateHours: 6 })]));
  await eventually(async () => (await taskHandle(env, ids.cancelled, 'ads').query(getTaskQuery)).status === 'open', { what: 'ads open' });
  await taskHandle(env, ids.cancelled, 'ads').executeUpdate(claimTaskUpdate, { args: [{ by: staff('ads') }] });
  await c.executeUpdate(cancelProjectUpdate, { args: [{ reason: 'budget frozen', by: MANAGER }] });
  await c.result();
  await taskHandle(env, ids.cancelled, 'ads').result();

  // 3. Still in production: one task claimed (25 h), one open.
  const running = projectInput({ client: { id: 'client-acme', name: 'Acme Ltd', segment: 'B2B', email: 'b@acme.example' } });
  ids.running = running.projectId;
  const r = await startProject(env, running);
  await approvePlan(r, plan([planTask('seo', 'seo', { estimateHours: 25 }), planTask('data', 'analytics', { estimateHours: 3 })]));
  await eventually(async () => (await taskHandle(env, ids.running, 'seo').query(getTaskQuery)).status === 'open', { what: 'seo open' });
  await taskHandle(env, ids.running, 'seo').executeUpdate(claimTaskUpdate, { args: [{ by: staff('seo') }] });

  // The store has what the workflows published (the project learns of the claim by a signal).
  await stored(ids.completed, (s) => s.stage === 'completed', 'the completed project');
  await stored(ids.cancelled, (s) => s.stage === 'cancelled' && s.tasks.every((t) => t.status === 'cancelled'), 'the cancelled project');
  await stored(ids.running, (s) => s.tasks.some((t) => t.key === 'seo' && t.status === 'claimed'), 'the claim');
  await eventually(async () => (await live.task(taskId(ids.cancelled, 'ads')))?.value.status === 'cancelled', { what: 'the cancelled task in the store' });
  // Each workflow publishes on its own, a moment after its change: the task's own row, too.
  await eventually(async () => (await live.task(taskId(ids.running, 'seo')))?.value.status === 'claimed', { what: 'the claimed task in the store' });
});

afterAll(async () => {
  await env?.close();
});

test('real lifecycles give the figures they lived', async () => {
  const now = new Date();
  const report = await figures(live, now);
  expect(report.responseTime.overall.projects).toBe(3);
  expect(report.delivery.overall).toMatchObject({ delivered: 2, onTime: 2, late: 0 });
  expect(report.quality.tasks).toMatchObject({ accepted: 2, reviewRounds: 0 });
  expect(report.clients.ratings).toMatchObject({ count: 1, average: 4 });
  expect(report.clients.regularClients.items.map((c) => c.clientId)).toEqual(['client-acme']);
  expect(report.money.totals).toEqual([
    expect.objectContaining({ currency: 'EUR', planned: 2_000 + 1_000 + 2_000, invoiced: 2_000, paid: 2_000, outstanding: 0 }),
  ]);
  expect(report.workload.totals).toEqual({ open: 1, claimed: 1, openHours: 3, claimedHours: 25, overdue: 0 });
  expect(report.workload.overloaded).toEqual(['seo.one']);
  const portfolio = await live.portfolio({ now });
  expect(portfolio.projects.byStage).toMatchObject({ completed: 1, cancelled: 1, in_production: 1 });
  expect(portfolio.projects.active).toBe(1);
});

test('a rebuild from Temporal into an empty store gives every figure; a second rebuild adds nothing', async () => {
  const rebuilt = await openTestStore();
  try {
    const extraQuery = `TaskQueue = '${env.taskQueue}'`;
    // Visibility is eventually consistent: wait until it lists the 3 projects and their 5 tasks.
    await eventually(async () => (await env.temporal.client.workflow.count(`WorkflowType IN ('projectWorkflow', 'taskWorkflow') AND ${extraQuery}`)).count === 8, {
        what: 'visibility to list 8 workflows',
      timeoutMs: 60_000,
    });
    const first = await rebuildReportingStore({ client: env.temporal.client, store: rebuilt.store, extraQuery });
    expect(first).toMatchObject({ projects: 3, tasks: 5, written: 8, failed: [] });
    // The workflows published every snapshot themselves: nothing of theirs is missing here.
    expect(env.effects.published.length).toBeGreaterThan(8);
    expect(first.factsAdded).toBeGreaterThan(20);

    const now = new Date();
    expect(await figures(rebuilt.store, now)).toEqual(await figures(live, now));
    expect(await rebuilt.store.portfolio({ now })).toEqual(await live.portfolio({ now }));
    // The project list too, the client's date and the plan's end included (the portfolio's "Late for the client").
    const listed = await rebuilt.store.listProjects({}, { pageSize: 10 }, now);
    expect(listed).toEqual(await live.listProjects({}, { pageSize: 10 }, now));
    expect(listed.items.find((p) => p.projectId === ids.running)).toMatchObject({ clientDueAt: expect.any(String), plannedEndAt: expect.any(String), endsAfterClientDate: false });
    // The same rows, the same seq (the snapshot's version), the same facts.
    expect(await rebuilt.store.dump()).toEqual(await live.dump());

    const second = await rebuildReportingStore({ client: env.temporal.client, store: rebuilt.store, extraQuery });
    expect(second).toMatchObject({ projects: 3, tasks: 5, written: 0, factsAdded: 0, failed: [] });
    // Into the live-fed store, too: nothing it had is duplicated or replaced.
    const intoLive = await rebuildReportingStore({ client: env.temporal.client, store: live, extraQuery });
    expect(intoLive).toMatchObject({ written: 0, factsAdded: 0, failed: [] });
  } finally {
    await rebuilt.dispose();
  }
});

test('a finished project whose workflows Temporal deleted (as retention does) still counts', async () => {
  const now = new Date();
  const before = await figures(live, now);
  const status = (await live.project(ids.completed))!.value;
  const workflowIds = [projectWorkflowId(ids.completed), ...status.tasks.map((t) => taskWorkflowId(taskId(ids.completed, t.key)))];
  for (const workflowId of workflowIds) {
    await env.temporal.connection.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId } });
  }
  await eventually(
    async () => {
      try {
        await env.temporal.client.workflow.getHandle(projectWorkflowId(ids.completed)).describe();
        return false;
      } catch {
        return true;
      }
    },
    // Deletion runs as a background task of the server: seconds, more on a busy machine.
    { what: 'the project workflow to be gone from Temporal', timeoutMs: 90_000, intervalMs: 500 },
  );

  expect(await figures(live, now)).toEqual(before);
  expect((await live.project(ids.completed))?.value.stage).toBe('completed');
  const listed = await live.listProjects({ stage: 'completed' }, { pageSize: 10 }, now);
  expect(listed.items.map((p) => p.projectId)).toEqual([ids.completed]);
  // A rebuild no longer sees it, and never removes what the store keeps.
  const extraQuery = `TaskQueue = '${env.taskQueue}'`;
  // Its task workflows too: visibility drops each deleted workflow on its own, a moment apart (a
  // rebuild listing one still would find it gone).
  const deleted = new Set(workflowIds);
  await eventually(
    async () => {
      for await (const info of env.temporal.client.workflow.list({ query: extraQuery })) if (deleted.has(info.workflowId)) return false;
      return true;
    },
    { what: 'visibility to drop the deleted project and its tasks', timeoutMs: 90_000, intervalMs: 500 },
  );
  expect((await env.temporal.client.workflow.count(`WorkflowType = 'projectWorkflow' AND ${extraQuery}`)).count).toBe(2);
  const result = await rebuildReportingStore({ client: env.temporal.client, store: live, extraQuery });
  expect(result).toMatchObject({ projects: 2, failed: [] });
  expect(await figures(live, now)).toEqual(before);
});
