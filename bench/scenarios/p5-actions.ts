/**
 * P5: task actions through the API — claim, release, submit, review — beside a bare no-I/O
 * update on a bare workflow. Each task goes through claim → release → claim → submit →
 * review (changes) → submit → review (accept); after each task the bare side makes the same
 * number of updates (and a describe and a query, the two reads an action does before its update
 * today), so both sides share whatever else the machine is doing.
 */
import type { BenchContext } from '../context';
import { planTask } from '../agencyflow/driver';
import { inParallel } from '../lib/pool';
import { breakdown } from '../lib/profile';
import { latencyFigure, tolerate, withFailures } from '../lib/report';
import { Samples, summarize, timed } from '../lib/stats';

const TASKS_PER_PROJECT = 5;

export async function runP5(ctx: BenchContext): Promise<void> {
  const { agency, bare, counts } = ctx;
  const tasks = counts.taskCycles + 1; // the first is the warm-up
  const projects = Math.ceil(tasks / TASKS_PER_PROJECT);
  ctx.log(`P5: ${counts.taskCycles} task cycles (7 actions each) on ${projects} projects, as many bare updates`);

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

  const samples = new Samples();
  const cycle = async (taskId: string, record: boolean) => {
    const act = async (name: 'claim' | 'release' | 'submit' | 'review', token: string, body: unknown = {}) => {
      const res = await agency.taskAction(name, taskId, token, body);
      if (record) samples.add(name, res.ms);
    };
    await act('claim', staff);
    await act('release', staff);
    await act('claim', staff);
    await act('submit', staff, { summary: 'First version', links: ['https://files.example/v1'] });
    await act('review', manager, { decision: 'changes_requested', comment: 'Warmer colours, please' });
    await act('submit', staff, { summary: 'Second version', links: ['https://files.example/v2'] });
    await act('review', manager, { decision: 'accept' });
  };
  await cycle(taskIds[0], false);
  await ctx.api?.stages();

  const failures: string[] = [];
  for (const taskId of taskIds.slice(1, tasks)) {
    await tolerate(failures, () => cycle(taskId, true));
    for (let i = 0; i < 7; i++) await timed(samples.list('bare update'), () => bare.update());
    await timed(samples.list('bare describe'), () => bare.describe());
    await timed(samples.list('bare query'), () => bare.query());
  }

  const bareUpdate = samples.summary('bare update');
  ctx.floors.update = bareUpdate;
  ctx.floors.describe = samples.summary('bare describe');
  ctx.floors.query = samples.summary('bare query');
  const goal = { p50Ratio: 1.5, p99Ratio: 2 };
  for (const action of ['claim', 'submit', 'review', 'release'] as const) {
    ctx.figures.push(latencyFigure(`P5.${action}`, `P5 ${action} a task vs bare no-I/O update`, samples.summary(action), bareUpdate, goal));
  }
  const all = ['claim', 'submit', 'review', 'release'].flatMap((a) => samples.list(a));
  ctx.figures.push(withFailures(latencyFigure('P5.all', 'P5 all four actions vs bare no-I/O update', summarize(all), bareUpdate, goal), failures));

  if (ctx.api) {
    const records = await ctx.api.stages();
    for (const action of ['claim', 'release', 'submit', 'review'] as const) {
      ctx.profile.push(breakdown(`POST /api/tasks/:taskId/${action}`, records, samples.list(action)));
    }
  }
}
