/**
 * What each role receives of a task, and how a manager is refused one that is no longer theirs.
 * Staff never receive a task's price (the portal hides it from them; so does the API): not in its
 * read, its list, its context, nor the answers to their actions; managers and leadership do. A
 * manager whose project was handed over is told who manages it now, by name and without ids, the
 * same way by the project, its task, and an action the task's workflow refuses.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { getStatusQuery as getTaskStatusQuery, taskWorkflowId } from '../../workflows/task/contract';
import { planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness, type PersonKey } from '../support/api';
import { eventually } from '../support/temporal';

jest.setTimeout(120_000);

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

/** A project of the manager's with its design task open (price 1200); the task's id. */
async function openDesignTask(title: string): Promise<{ projectId: string; taskId: string }> {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title, departments: ['design'] })).expect(201);
  const projectId = (created.body as ProjectStatus).projectId;
  const plan = planRequest();
  await h
    .http()
    .put(`/api/projects/${projectId}/plan`)
    .set(h.auth('manager'))
    .send({ ...plan, tasks: [(plan.tasks as object[])[0]] })
    .expect(200);
  await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const taskId = `${projectId}.design-home`;
  await waitForTask(h, taskId, 'open');
  return { projectId, taskId };
}

const nameOf = (who: PersonKey): string => h.directory.get(h.people[who].id)!.name;

test('staff never receive a task\u2019s price: not in its read, its list, its context, nor their actions\u2019 answers; managers and leadership do', async () => {
  const { projectId, taskId } = await openDesignTask('Prices are not for staff');
  const read = async (who: PersonKey) => (await h.http().get(`/api/tasks/${taskId}`).set(h.auth(who)).expect(200)).body as Record<string, unknown>;

  const designers = await read('designer');
  expect(designers).toMatchObject({ taskId, title: 'Home page design', estimateHours: 8 });
  expect(designers).not.toHaveProperty('price');
  expect(await read('manager')).toMatchObject({ price: 1200 });
  expect(await read('leadership')).toMatchObject({ price: 1200 });

  const claimed = await h.http().post(`/api/tasks/${taskId}/claim`).set(h.auth('designer')).send({}).expect(200);
  expect(claimed.body).toMatchObject({ status: 'claimed' });
  expect(claimed.body).not.toHaveProperty('price');
  const submitted = await h.http().post(`/api/tasks/${taskId}/submit`).set(h.auth('designer')).send({ summary: 'Drafts', links: [] }).expect(200);
  expect(submitted.body).toMatchObject({ status: 'submitted' });
  expect(submitted.body).not.toHaveProperty('price');
  const sentBack = await h.http().post(`/api/tasks/${taskId}/review`).set(h.auth('manager')).send({ decision: 'changes_requested', comment: 'Bigger logo' }).expect(200);
  expect(sentBack.body).toMatchObject({ status: 'claimed', price: 1200 });
  // Read again after the actions (the workflow's view, or its stored copy): still without it.
  expect(await read('designer')).not.toHaveProperty('price');

  // Nothing else staff read of the task carries it either.
  await eventually(async () => ((await h.http().get('/api/tasks').query({ projectId }).set(h.auth('designer'))).body.items as unknown[]).length === 1, {
    what: 'the task in the design inbox',
  });
  const list = await h.http().get('/api/tasks').query({ projectId }).set(h.auth('designer')).expect(200);
  const context = await h.http().get(`/api/tasks/${taskId}/context`).set(h.auth('designer')).expect(200);
  for (const body of [list.body, context.body]) expect(JSON.stringify(body)).not.toMatch(/"price"/);
});

test('after a handover the manager before is told who manages the project now, by name and without ids: by the project, its task, and an action on it', async () => {
  const { projectId, taskId } = await openDesignTask('Handed over while waiting for review');
  await h.http().post(`/api/tasks/${taskId}/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${taskId}/submit`).set(h.auth('designer')).send({ summary: 'v1', links: [] }).expect(200);
  // The manager opens it (this process now knows them as the one who may act on it) ...
  await h.http().get(`/api/tasks/${taskId}`).set(h.auth('manager')).expect(200);
  // ... and leadership hands the project to the other manager; the task follows.
  await h.http().post(`/api/projects/${projectId}/handover`).set(h.auth('leadership')).send({ toManagerId: h.people.otherManager.id }).expect(200);
  // Asked of the task's workflow itself: a read through the API would teach it the new manager,
  // and the first review below is to reach the workflow, as one from a mail opened earlier does.
  const workflow = h.temporal.client.workflow.getHandle(taskWorkflowId(taskId));
  await eventually(async () => (await workflow.query(getTaskStatusQuery)).managerId === h.people.otherManager.id, { what: 'the task reviewed by the new manager' });

  const now = nameOf('otherManager');
  const taskRefusal = `This task belongs to a project managed by ${now} now; managers act on their own projects.`;
  // (The harness's people are named after their ids, "Test mgr2-…": the detail's people are its words above.)
  const refused = (res: { status: number; headers: Record<string, string>; body: { detail?: string } }, detail: string) => {
    expect([res.status, res.headers['content-type']]).toEqual([403, expect.stringMatching(/application\/problem\+json/)]);
    expect(res.body.detail).toBe(detail);
    expect(res.body.detail).not.toContain(projectId);
  };

  // The review the manager sends from the mail they had: their task's workflow refuses it first.
  refused(await h.http().post(`/api/tasks/${taskId}/review`).set(h.auth('manager')).send({ decision: 'accept' }), taskRefusal);
  // Again: this time the API refuses it itself, in the same words.
  refused(await h.http().post(`/api/tasks/${taskId}/review`).set(h.auth('manager')).send({ decision: 'accept' }), taskRefusal);
  refused(await h.http().get(`/api/tasks/${taskId}`).set(h.auth('manager')), taskRefusal);
  refused(await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')), `This project is managed by ${now} now; managers act on their own projects.`);

  // Nothing changed: the delivery waits for the new manager, who may review it.
  const task = (await h.http().get(`/api/tasks/${taskId}`).set(h.auth('otherManager')).expect(200)).body as { status: string };
  expect(task.status).toBe('submitted');
  await h.http().post(`/api/tasks/${taskId}/review`).set(h.auth('otherManager')).send({ decision: 'accept' }).expect(200);
});
