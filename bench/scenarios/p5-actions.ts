/**
 * P5: task actions through the API — claim, release, submit, review — beside a bare no-I/O
 * update on a bare workflow. Each task goes through claim → release → claim → submit →
 * review (changes) → submit → review (accept); after each task the bare side makes the same
 * number of updates (and a describe and a query, for the floors printed below the figures), so
 * both sides share whatever else the machine is doing.
 *
 * Back to back, each action meets what the one before it set going. A task reports to its project,
 * publishes its view and sends its notices once nobody has acted on it for REPORT_QUIET_MS, each
 * of those ending in another workflow task of the run, which an update arriving meanwhile waits
 * for. A person never acts twice within milliseconds, so the same cycle is measured again with
 * each action sent once the task's run has settled (that quiet moment passed, no pending activity
 * or workflow task): what one action costs on its own.
 */
import type { BenchContext } from '../context';
import { planTask } from '../agencyflow/driver';
import { inParallel } from '../lib/pool';
import { breakdown } from '../lib/profile';
import { latencyFigure, tolerate, withFailures } from '../lib/report';
import { Samples, summarize, timed } from '../lib/stats';
import { REPORT_QUIET_MS, taskWorkflowId } from '../../workflows/task/contract';

const TASKS_PER_PROJECT = 5;
const ACTIONS = ['claim', 'submit', 'review', 'release'] as const;
type Action = (typeof ACTIONS)[number];

/** Until the task's run has nothing pending (its quiet moment after `lastActionAt` passed, no activity, no workflow task), at most 5 s. */
async function untilSettled(ctx: BenchContext, taskId: string, lastActionAt: number): Promise<void> {
  const handle = ctx.client.workflow.getHandle(taskWorkflowId(taskId));
  const quietEnds = lastActionAt + REPORT_QUIET_MS + 100;
  if (Date.now() < quietEnds) await new Promise((r) => setTimeout(r, quietEnds - Date.now()));
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    if ((raw.pendingActivities ?? []).length === 0 && !raw.pendingWorkflowTask) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runP5(ctx: BenchContext): Promise<void> {
  const { agency, bare, counts } = ctx;
  const tasks = counts.taskCycles + 1; // the first is the warm-up
  const settledCycles = Math.max(1, Math.floor(counts.taskCycles / 2));
  const projects = Math.ceil((tasks + settledCycles) / TASKS_PER_PROJECT);
  ctx.log(`P5: ${counts.taskCycles} task cycles back to back and ${settledCycles} settled (7 actions each) on ${projects} projects, as many bare updates`);

  const manager = agency.manager(0);
  const staff = agency.tokens.staff.design;
  const taskIds: string[] = [];
  const projectIds = await inParallel(Array.from({ length: projects }), 4, () =>
    agency.openProject(
      manager,
      Array.from({ length: TASKS_PER_PROJECT }, (_, i) => planTask(`design-${i}`, 'design')),
    ),
  );
  for (const projectId of projectIds) for (let i = 0; i < TASKS_PER_PROJECT; i++) taskIds.push(`${projectId}.design-${i}`);
  await inParallel(taskIds, 8, (taskId) => agency.waitForTask(taskId, staff, 'open'));
  await bare.prepareUpdatable(20);
  for (let i = 0; i < 20; i++) await bare.update(); // warm-up
  await ctx.api?.stages();

  /** One task through claim → release → claim → submit → changes → submit → accept; `before` and `after` run around each action. */
  const cycle = async (
    taskId: string,
    samples: Samples | undefined,
    before: () => Promise<void> = async () => undefined,
    after: () => void = () => undefined,
  ) => {
    const act = async (name: Action, token: string, body: unknown = {}) => {
      await before();
      const res = await agency.taskAction(name, taskId, token, body);
      after();
      samples?.add(name, res.ms);
    };
    await act('claim', staff);
    await act('release', staff);
    await act('claim', staff);
    await act('submit', staff, { summary: 'First version', links: ['https://files.example/v1'] });
    await act('review', manager, { decision: 'changes_requested', comment: 'Warmer colours, please' });
    await act('submit', staff, { summary: 'Second version', links: ['https://files.example/v2'] });
    await act('review', manager, { decision: 'accept' });
  };
  await cycle(taskIds[0], undefined);
  await ctx.api?.stages();

  const samples = new Samples();
  const failures: string[] = [];
  for (const taskId of taskIds.slice(1, tasks)) {
    await tolerate(failures, () => cycle(taskId, samples));
    for (let i = 0; i < 7; i++) await timed(samples.list('bare update'), () => bare.update());
    await timed(samples.list('bare describe'), () => bare.describe());
    await timed(samples.list('bare query'), () => bare.query());
  }
  const records = await ctx.api?.stages();

  // The same cycle on fresh tasks, each action once the run has settled from the one before.
  const settled = new Samples();
  for (const taskId of taskIds.slice(tasks, tasks + settledCycles)) {
    let lastActionAt = 0;
    const settle = () => untilSettled(ctx, taskId, lastActionAt);
    await tolerate(failures, () => cycle(taskId, settled, settle, () => (lastActionAt = Date.now())));
    for (let i = 0; i < 7; i++) await timed(samples.list('bare update'), () => bare.update());
  }
  await ctx.api?.stages();

  const bareUpdate = samples.summary('bare update');
  ctx.floors.update = bareUpdate;
  ctx.floors.describe = samples.summary('bare describe');
  ctx.floors.query = samples.summary('bare query');
  const goal = { p50Ratio: 1.5, p99Ratio: 2 };
  for (const action of ACTIONS) {
    ctx.figures.push(latencyFigure(`P5.${action}`, `P5 ${action} a task vs bare no-I/O update`, samples.summary(action), bareUpdate, goal));
  }
  const all = summarize(ACTIONS.flatMap((a) => samples.list(a)));
  ctx.figures.push(withFailures(latencyFigure('P5.all', 'P5 all four actions vs bare no-I/O update', all, bareUpdate, goal), failures));
  for (const action of ACTIONS) {
    const label = `P5 ${action}, the task settled first (as a person acts) vs bare no-I/O update`;
    ctx.figures.push(latencyFigure(`P5.settled.${action}`, label, settled.summary(action), bareUpdate, goal));
  }
  const allSettled = summarize(ACTIONS.flatMap((a) => settled.list(a)));
  ctx.figures.push(latencyFigure('P5.settled.all', 'P5 all four actions, the task settled first vs bare no-I/O update', allSettled, bareUpdate, goal));

  if (records) {
    for (const action of ['claim', 'release', 'submit', 'review'] as const) {
      ctx.profile.push(breakdown(`POST /api/tasks/:taskId/${action}`, records, samples.list(action)));
    }
  }
}
