/**
 * The work-reassignment workflow ("reassign all") on a real worker: each task of the list
 * reassigned by its own reassign update (its history as for one task), one that says no (delivered
 * meanwhile) reported with its reason while the rest go on, the one taking them and the one they
 * were taken from mailed once for all of them (also when the mail server is down at the time), no
 * task mailing anyone itself, and a second run of the same reassignment changing nothing twice.
 */
import { simpleParser } from 'mailparser';
import { claimTaskUpdate, submitTaskUpdate, taskId } from '../../workflows/task/contract';
import {
  WORK_REASSIGNMENT_WORKFLOW_TYPE,
  workReassignmentNoticeWorkflowId,
  workReassignmentWorkflowId,
  type ReassignAllResult,
  type WorkReassignmentInput,
} from '../../workflows/work-reassignment/contract';
import { eventually, uniqueId } from '../support/temporal';
import { approvePlan, MANAGER, plan, planTask, projectInput, recordHistory, staff, startProject, startWorkflowTestEnv, taskHandle, waitForTask, type WorkflowTestEnv } from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(90_000);

test('every task of the list is reassigned by its own update; one delivered meanwhile stays with its reason; both people get one mail and no task mails; the same reassignment again changes nothing', async () => {
  const leaving = staff('design', 'one');
  const taking = staff('design', 'two');
  const input = projectInput({ departments: ['design'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('logo', 'design'), planTask('banner', 'design'), planTask('icons', 'design')]));
  const tasks = ['logo', 'banner', 'icons'].map((key) => ({ key, handle: taskHandle(env, projectId, key) }));
  for (const { key, handle: task } of tasks) {
    await waitForTask(env, projectId, key, (v) => v.status === 'open');
    await task.executeUpdate(claimTaskUpdate, { args: [{ by: leaving }] });
  }
  // The third is delivered after the list was made: its own validator refuses it.
  await tasks[2]!.handle.executeUpdate(submitTaskUpdate, { args: [{ by: leaving, summary: 'icons v1', links: [] }] });

  const reassignmentId = uniqueId('r');
  const listed = tasks.map(({ key }, i) => ({ taskId: taskId(projectId, key), projectId, title: key, projectTitle: input.title, dueAt: `2099-01-1${i + 1}T17:00:00.000Z` }));
  const reassignment: WorkReassignmentInput = {
    reassignmentId,
    fromPersonId: leaving.id,
    toPersonId: taking.id,
    toDepartment: 'design',
    by: MANAGER,
    tasks: listed,
    stayed: [{ taskId: 'other.copy', projectId, title: 'Copy', detail: `${taking.id} works in design; the task belongs to copywriting` }],
  };
  const runIds: string[] = [];
  const run = () => {
    runIds.push(workReassignmentWorkflowId(`${reassignmentId}-${runIds.length + 1}`));
    return env.temporal.client.workflow.execute(WORK_REASSIGNMENT_WORKFLOW_TYPE, { taskQueue: env.taskQueue, workflowId: runIds.at(-1)!, args: [reassignment] }) as Promise<ReassignAllResult>;
  };
  // The mail server is down while the tasks move: the answer does not wait for it.
  await env.smtp.stop();
  const result = await run();
  expect(result).toEqual({
    reassigned: 2,
    refused: 2,
    tasks: [
      { taskId: listed[0]!.taskId, title: 'logo', outcome: 'reassigned' },
      { taskId: listed[1]!.taskId, title: 'banner', outcome: 'reassigned' },
      { taskId: listed[2]!.taskId, title: 'icons', outcome: 'refused', detail: 'the task is submitted; only open or claimed work can be reassigned' },
      { taskId: 'other.copy', title: 'Copy', outcome: 'refused', detail: `${taking.id} works in design; the task belongs to copywriting` },
    ],
  });
  for (const { key } of tasks.slice(0, 2)) {
    const view = await waitForTask(env, projectId, key, (v) => v.assigneeId === taking.id, `${key} with the new designer`);
    expect(view.history.filter((e) => e.event === 'reassigned')).toEqual([expect.objectContaining({ by: MANAGER.id, detail: `${leaving.id} → ${taking.id}` })]);
  }
  expect((await waitForTask(env, projectId, 'icons', (v) => v.status === 'submitted')).assigneeId).toBe(leaving.id);

  // Once the mail server is back: each person once, from the reassignment; no task mailed either.
  await env.smtp.start();
  const mails = await eventually(
    async () => {
      const got = env.mail.filter((m) => m.idempotencyKey === `${workReassignmentNoticeWorkflowId(reassignmentId)}:reassigned`);
      return got.length >= 2 ? got : undefined;
    },
    { timeoutMs: 60_000, what: 'the reassignment mail', intervalMs: 200 },
  );
  expect(mails.map((m) => m.to).sort()).toEqual([[`${leaving.id}@agency.example`], [`${taking.id}@agency.example`]]);
  expect(mails.map((m) => m.subject).sort()).toEqual(['2 tasks of yours now with design two', 'Assigned to you: 2 tasks from design one']);
  // The one taking them reads each task's due date (the run carried it to the mail).
  const takingText = (await simpleParser(mails.find((m) => m.to[0] === `${taking.id}@agency.example`)!.raw)).text ?? '';
  expect(takingText).toContain(`- logo (${input.title}), due 2099-01-11 17:00 UTC:`);
  expect(env.effects.notices.filter((n) => n.input.projectId === projectId && ['task_reassigned', 'task_unassigned'].includes(n.input.template))).toEqual([]);

  // A second run of the same reassignment (its update ids are the reassignment's): the same answers, no second reassignment.
  const again = await run();
  expect(again).toEqual(result);
  for (const { key } of tasks.slice(0, 2)) {
    const view = await waitForTask(env, projectId, key, (v) => v.assigneeId === taking.id);
    expect(view.history.filter((e) => e.event === 'reassigned')).toHaveLength(1);
  }
  // ...and no second mail (the first run's mail workflow has the id).
  expect(env.mail.filter((m) => m.idempotencyKey?.startsWith(workReassignmentNoticeWorkflowId(reassignmentId)))).toHaveLength(2);

  await recordHistory(env.temporal.client.workflow.getHandle(runIds[0]!), 'work-reassignment');
  await recordHistory(env.temporal.client.workflow.getHandle(workReassignmentNoticeWorkflowId(reassignmentId)), 'work-reassignment-notice');
  await recordHistory(tasks[0]!.handle, 'task-reassigned-with-others');
  await handle.terminate('test done');
});
