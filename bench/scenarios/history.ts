/**
 * History events and bytes as Temporal counts them (describe: historyLength, historySize — what
 * the 51,200-event / 50 MB limits apply to), for a typical 3-task lifecycle (from P2) and for a
 * 50-task project with 3 client revision rounds, driven through the API (H).
 */
import type { Client } from '@temporalio/client';
import type { BenchContext, HistoryFigure } from '../context';
import { DEPARTMENTS, planTask } from '../agencyflow/driver';
import { projectWorkflowId } from '../../workflows/project/contract';
import { taskWorkflowId } from '../../workflows/task/contract';
import { inParallel } from '../lib/pool';
import { valueFigure } from '../lib/report';

export async function historyOf(client: Client, what: string, workflowIds: string[]): Promise<HistoryFigure> {
  const sizes = await inParallel(workflowIds, 8, async (workflowId) => {
    const d = await client.workflow.getHandle(workflowId).describe();
    let bytes = d.historySize;
    if (bytes === undefined) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      bytes = JSON.stringify(history).length; // only on servers before 1.20
    }
    return { events: d.historyLength, bytes };
  });
  return {
    what,
    workflows: workflowIds.length,
    events: sizes.reduce((a, s) => a + s.events, 0),
    bytes: sizes.reduce((a, s) => a + s.bytes, 0),
    largestEvents: Math.max(...sizes.map((s) => s.events)),
    largestBytes: Math.max(...sizes.map((s) => s.bytes)),
  };
}

export function historyFigure(id: string, h: HistoryFigure, projectOnly: HistoryFigure): ReturnType<typeof valueFigure> {
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  return valueFigure(
    id,
    `${h.what}: history events / bytes`,
    {
      agencyflow: `project ${projectOnly.events} events, ${kb(projectOnly.bytes)}; with its ${h.workflows - 1} tasks ${h.events} events, ${kb(h.bytes)}`,
    },
    { project: projectOnly, withTasks: h },
  );
}

/**
 * H: the history-bound shape through HTTP: five waves of ten tasks (task i depends on i-10),
 * every fifth task sent back once, then `rounds` client revision rounds over every department.
 */
export async function runBigProject(ctx: BenchContext): Promise<void> {
  const { agency, counts } = ctx;
  const n = counts.bigTasks;
  ctx.log(`H: a ${n}-task project with ${counts.bigRounds} revision rounds, through the API`);
  const manager = agency.manager(0);
  const wave = Math.min(10, n);
  const tasks = Array.from({ length: n }, (_, i) =>
    planTask(`t${i}`, DEPARTMENTS[i % 5], { price: 100, ...(i >= wave && { dependsOn: [`t${i - wave}`] }) }),
  );
  const { projectId } = await agency.createProject(manager, { departments: DEPARTMENTS });
  const planned = await agency.submitPlan(manager, projectId, tasks, { prepaymentPercent: 10, includedRevisionRounds: 1 });
  await agency.approvePlan(projectId, planned.pendingPlanVersion ?? 1);
  for (let start = 0; start < n; start += wave) {
    await inParallel(tasks.slice(start, start + wave), wave, (t) =>
      agency.deliverTask(`${projectId}.${t.key}`, t.department, manager, Number(t.key.slice(1)) % 5 === 0 ? 1 : 0),
    );
  }
  for (let round = 1; round <= counts.bigRounds; round++) {
    await agency.waitForProject(projectId, manager, `client review ${round}`, (s) => s.stage === 'client_review' && s.revisionRoundsUsed === round - 1);
    await agency.feedback(projectId, manager, {
      kind: 'revisions_requested',
      description: `Round ${round}`,
      departments: DEPARTMENTS,
      dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      ...(round > 1 && { extraPrice: 50 }),
    });
    // Revision tasks are keyed rev<round>.<department> (a dot: never a plan key).
    await inParallel(DEPARTMENTS, 5, (d) => agency.deliverTask(`${projectId}.rev${round}.${d}`, d, manager));
  }
  await agency.waitForProject(projectId, manager, 'final review', (s) => s.stage === 'client_review' && s.revisionRoundsUsed === counts.bigRounds);
  await agency.feedback(projectId, manager, { kind: 'accepted', rating: 5, comment: '' });
  const invoiced = await agency.waitForProject(projectId, manager, 'final invoice', (s) => s.invoices.some((i) => i.kind === 'final'));
  for (const invoice of invoiced.invoices) await agency.pay(projectId, manager, invoice);
  const done = await agency.waitForProject(projectId, manager, 'completion', (s) => s.stage === 'completed');
  ctx.bigProjectId = projectId;

  const taskIds = done.tasks.map((t) => taskWorkflowId(t.taskId));
  const label = `H ${n} tasks × ${counts.bigRounds} revision rounds (+${done.tasks.length - n} revision tasks)`;
  const project = await historyOf(ctx.client, label, [projectWorkflowId(projectId)]);
  const all = await historyOf(ctx.client, label, [projectWorkflowId(projectId), ...taskIds]);
  ctx.history.push(project, all);
  ctx.figures.push(historyFigure('H.big', all, project));
}
