/**
 * "Reassign all": every task in work of one person, in the caller's projects, to someone else of
 * the department at once — someone who left held several, each waiting until it moved. A workflow
 * of its own (workflows/work-reassignment, on a real worker) moves each through its own reassign
 * update; the answer says task by task what happened; what is not theirs to move, or not in work,
 * stays; the same Idempotency-Key reads the first answer.
 */
import { claimedDesignTask, planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { eventually, uniqueId } from '../support/temporal';
import type { ReassignAllResult } from '../../api/schemas';
import type { TaskView } from '../../workflows/task/schemas';
import { getStatusQuery, taskWorkflowId } from '../../workflows/task/contract';
import { WORK_REASSIGNMENT_WORKFLOW_TYPE, type WorkReassignmentInput } from '../../workflows/work-reassignment/contract';
import { defaultPayloadConverter } from '@temporalio/common';

jest.setTimeout(120_000);

let h: ApiHarness;
let first: string;
let second: string;
let delivered: string;

beforeAll(async () => {
  h = await startApiHarness();
  first = (await claimedDesignTask(h, `Reassign all 1 ${uniqueId('r')}`)).designTask;
  second = (await claimedDesignTask(h, `Reassign all 2 ${uniqueId('r')}`)).designTask;
  // Delivered, awaiting the manager's review: not in work, so it stays with the designer.
  delivered = (await claimedDesignTask(h, `Reassign all 3 ${uniqueId('r')}`)).designTask;
  await h.http().post(`/api/tasks/${delivered}/submit`).set(h.auth('designer')).send({ summary: 'Mock-ups', links: [] }).expect(200);
  await eventually(
    async () => {
      const listed = (await h.http().get(`/api/tasks?assignee=${h.people.designer.id}&status=claimed`).set(h.auth('manager')).expect(200)).body.items as unknown[];
      return listed.length === 2;
    },
    { what: 'both tasks in work listed' },
  );
});
afterAll(async () => {
  await h?.close();
});

const reassignAll = (who: 'manager' | 'otherManager' | 'designer2' | 'leadership', toPersonId: unknown, key?: string, fromPersonId = h.people.designer.id) => {
  const req = h.http().post(`/api/people/${fromPersonId}/reassign-work`).set(h.auth(who));
  return (key ? req.set('Idempotency-Key', key) : req).send({ toPersonId });
};
const holderOf = async (taskId: string) => ((await h.http().get(`/api/tasks/${taskId}`).set(h.auth('leadership')).expect(200)).body as { assigneeId?: string; status: string });

test('someone who cannot take them is refused with the field at fault, and nothing moves', async () => {
  for (const [to, message] of [
    [h.people.manager.id, `${h.people.manager.id} is manager, not department staff`],
    ['nobody.here', 'nobody with id "nobody.here" in the people directory'],
    [h.people.designer.id, 'the tasks are theirs already'],
  ]) {
    const res = await reassignAll('manager', to).expect(400);
    expect(res.body.errors).toEqual([{ field: 'toPersonId', message }]);
  }
  await reassignAll('manager', undefined).expect(400);
  await reassignAll('designer2', h.people.designer2.id).expect(403);
  expect((await holderOf(first)).assigneeId).toBe(h.people.designer.id);
});

test('staff of another department: each task stays, saying why', async () => {
  const res = await reassignAll('manager', h.people.copywriter.id).expect(200);
  const why = `${h.people.copywriter.id} works in copywriting; the task belongs to design`;
  expect(res.body as ReassignAllResult).toEqual({
    reassigned: 0,
    refused: 2,
    tasks: expect.arrayContaining([expect.objectContaining({ taskId: first, outcome: 'refused', detail: why }), expect.objectContaining({ taskId: second, outcome: 'refused', detail: why })]),
  });
  expect((await holderOf(second)).assigneeId).toBe(h.people.designer.id);
});

test("another manager moves nothing of projects not theirs", async () => {
  expect((await reassignAll('otherManager', h.people.designer2.id).expect(200)).body).toEqual({ reassigned: 0, refused: 0, tasks: [] });
});

test('to another designer: every task in work moves, the delivered one stays; a retry reads the first answer, a new request finds nothing left', async () => {
  const key = uniqueId('reassign-all');
  const res = await reassignAll('manager', h.people.designer2.id, key).expect(200);
  expect(res.body.reassigned).toBe(2);
  expect((res.body as ReassignAllResult).tasks.map((t) => [t.taskId, t.outcome]).sort()).toEqual(
    [
      [first, 'reassigned'],
      [second, 'reassigned'],
    ].sort(),
  );
  for (const task of [first, second]) expect(await holderOf(task)).toMatchObject({ assigneeId: h.people.designer2.id, status: 'claimed' });
  // The run was given each task's due date from the store, for the new holder's mail.
  const runs = await eventually(
    async () => {
      const found = [];
      for await (const run of h.temporal.client.workflow.list({ query: `WorkflowType = '${WORK_REASSIGNMENT_WORKFLOW_TYPE}' AND TaskQueue = '${h.taskQueue}'` })) found.push(run);
      return found.length > 0 ? found : undefined;
    },
    { what: 'the reassignment run listed' },
  );
  const started = (await h.temporal.client.workflow.getHandle(runs[0]!.workflowId).fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!;
  const input = defaultPayloadConverter.fromPayload<WorkReassignmentInput>(started.input!.payloads![0]!);
  for (const task of [first, second]) {
    const { dueAt } = (await h.http().get(`/api/tasks/${task}`).set(h.auth('manager')).expect(200)).body as TaskView;
    expect(input.tasks.find((t) => t.taskId === task)).toMatchObject({ dueAt });
  }
  expect(await holderOf(delivered)).toMatchObject({ assigneeId: h.people.designer.id, status: 'submitted' });
  // The new holder sees them as theirs at once (the answer reached the store first).
  const theirs = (await h.http().get('/api/tasks?assignee=me').set(h.auth('designer2')).expect(200)).body.items as { taskId: string }[];
  expect(theirs.map((t) => t.taskId)).toEqual(expect.arrayContaining([first, second]));
  // The same request again (a lost answer): the first answer, read from its run; nothing moves twice.
  expect((await reassignAll('manager', h.people.designer2.id, key).expect(200)).body).toEqual(res.body);
  // A new request finds nothing left in work.
  expect((await reassignAll('manager', h.people.designer2.id, uniqueId('reassign-all')).expect(200)).body).toEqual({ reassigned: 0, refused: 0, tasks: [] });
  // The same key for another request: refused, nothing moves.
  const reused = await reassignAll('manager', h.people.copywriter.id, key).expect(422);
  expect(reused.body.title).toBe('Idempotency-Key reused with another request');
});

test('a task delivered meanwhile (the store not told yet) stays, with the task’s own reason, and the others would go on', async () => {
  // The store's row as it was a moment before the delivery: claimed, and newer than what the store has.
  const view = (await h.http().get(`/api/tasks/${delivered}`).set(h.auth('manager')).expect(200)).body as TaskView;
  await h.reporting.publish({ kind: 'task', taskId: delivered, projectId: view.projectId, seq: view.version + 1_000, view: { ...view, status: 'claimed' } });
  const res = await reassignAll('manager', h.people.designer2.id).expect(200);
  expect(res.body.refused).toBe(1);
  expect(res.body.tasks).toContainEqual({ taskId: delivered, title: view.title, outcome: 'refused', detail: 'the task is submitted; only open or claimed work can be reassigned' });
  // The workflow's own word (a read through the API may serve the store's row).
  const now = await h.temporal.client.workflow.getHandle(taskWorkflowId(delivered)).query(getStatusQuery);
  expect(now).toMatchObject({ assigneeId: h.people.designer.id, status: 'submitted' });
});

test('leadership moves the tasks in work of every manager’s projects at once, and one task from its page; another manager cannot', async () => {
  // Designer 2 holds the first manager's two tasks (moved above) and, now, one of another manager's project.
  const created = await h.http().post('/api/projects').set(h.auth('otherManager')).send(projectRequest({ title: `Reassign all, another manager ${uniqueId('r')}` })).expect(201);
  const id = created.body.projectId as string;
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('otherManager')).send(planRequest()).expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const others = `${id}.design-home`;
  await waitForTask(h, others, 'open');
  await h.http().post(`/api/tasks/${others}/claim`).set(h.auth('designer2')).send({}).expect(200);
  await eventually(
    async () => ((await h.http().get(`/api/tasks?assignee=${h.people.designer2.id}&status=claimed`).set(h.auth('leadership')).expect(200)).body.items as unknown[]).length === 3,
    { what: 'designer 2’s three tasks in work listed' },
  );

  const res = await reassignAll('leadership', h.people.designer.id, uniqueId('reassign-all'), h.people.designer2.id).expect(200);
  expect((res.body as ReassignAllResult).tasks.map((t) => [t.taskId, t.outcome]).sort()).toEqual(
    [
      [first, 'reassigned'],
      [second, 'reassigned'],
      [others, 'reassigned'],
    ].sort(),
  );
  for (const task of [first, second, others]) expect(await holderOf(task)).toMatchObject({ assigneeId: h.people.designer.id, status: 'claimed' });

  // One task, from its page: leadership gives it to designer 2; the first manager may not touch another manager's task.
  const one = await h.http().post(`/api/tasks/${others}/reassign`).set(h.auth('leadership')).send({ assigneeId: h.people.designer2.id }).expect(200);
  expect(one.body).toMatchObject({ taskId: others, assigneeId: h.people.designer2.id, status: 'claimed' });
  await h.http().post(`/api/tasks/${others}/reassign`).set(h.auth('manager')).send({ assigneeId: h.people.designer.id }).expect(403);
  expect(await holderOf(others)).toMatchObject({ assigneeId: h.people.designer2.id });
});
