/**
 * A manager's projects handed to another at once (POST /api/managers/:id/handover): leadership
 * for anyone, a manager for their own; every running project or the ones named; each as by its
 * own handover (tasks and reviews go along), answered project by project; retries with the same
 * Idempotency-Key read the first answer; bad requests change nothing.
 */
import { createHandoverActivities } from '../../activities/handover';
import { createLogger } from '../../common/logger';
import { getStatusQuery, type ProjectStatus } from '../../workflows/project/contract';
import type { ManagerHandoverResult } from '../../workflows/manager-handover/contract';
import { planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness, type PersonKey } from '../support/api';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

const create = async (who: PersonKey, title: string): Promise<string> =>
  (await h.http().post('/api/projects').set(h.auth(who)).send(projectRequest({ title })).expect(201)).body.projectId as string;
const project = async (projectId: string): Promise<ProjectStatus> =>
  (await h.http().get(`/api/projects/${projectId}`).set(h.auth('leadership')).expect(200)).body as ProjectStatus;
const listed = async (who: PersonKey): Promise<string[]> =>
  ((await h.http().get('/api/projects').set(h.auth(who)).expect(200)).body.items as { projectId: string }[]).map((p) => p.projectId).sort();
const handOver = (who: PersonKey, from: string, body: object, key?: string) => {
  const req = h.http().post(`/api/managers/${from}/handover`).set(h.auth(who));
  return (key ? req.set('Idempotency-Key', key) : req).send(body);
};
const fieldsOf = (res: { body: { errors?: { field: string }[] } }) => res.body.errors?.map((e) => e.field);
const handovers = (status: ProjectStatus) => status.timeline.filter((e) => e.event === 'handed_over');

test('leadership hands every running project of a manager to another: each goes with its tasks, ended ones stay; a retry reads the first answer', async () => {
  const manager = h.people.manager.id;
  const other = h.people.otherManager.id;
  const producing = await create('manager', 'In production');
  await h.http().put(`/api/projects/${producing}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  await h.http().post(`/api/projects/${producing}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const design = `${producing}.design-home`;
  await waitForTask(h, design, 'open');
  const planning = await create('manager', 'Still planning');
  const ended = await create('manager', 'Withdrawn');
  await h.http().post(`/api/projects/${ended}/cancel`).set(h.auth('manager')).send({ reason: 'client withdrew' }).expect(200);
  await eventually(async () => ((await h.http().get('/api/projects').query({ stage: 'cancelled' }).set(h.auth('manager'))).body.items as { projectId: string }[]).some((p) => p.projectId === ended), {
    what: 'the withdrawn project listed as cancelled',
  });
  const theirs = await create('otherManager', 'Already the other manager\u2019s');

  const key = uniqueId('handover');
  const body = { toManagerId: other, note: 'Anna has left the agency' };
  // Two at once with one key (a double click): one handover, both get its answer.
  const [first, second] = await Promise.all([handOver('leadership', manager, body, key), handOver('leadership', manager, body, key)]);
  expect(first.status).toBe(200);
  expect(second.body).toEqual(first.body);
  const answer = first.body as ManagerHandoverResult;
  expect(answer).toMatchObject({ fromManagerId: manager, toManagerId: other, note: body.note, by: h.people.leadership.id, handedOver: 2, refused: 0 });
  expect(answer.projects.map((p) => [p.projectId, p.outcome, p.title]).sort()).toEqual(
    [
      [planning, 'handed_over', 'Still planning'],
      [producing, 'handed_over', 'In production'],
    ].sort(),
  );

  // Through this process the lists show it at once: nothing left with the manager, all with the other.
  expect(await listed('manager')).toEqual([ended]);
  expect(await listed('otherManager')).toEqual([planning, producing, theirs].sort());
  for (const id of [planning, producing]) {
    const now = await project(id);
    expect(now.managerId).toBe(other);
    expect(handovers(now)).toHaveLength(1);
    expect(handovers(now)[0]).toMatchObject({ by: h.people.leadership.id, detail: `from ${manager} to ${other}: ${body.note}` });
  }
  expect((await project(ended)).managerId).toBe(manager);
  // The open task is the new manager's to review.
  expect((await h.http().get(`/api/tasks/${design}`).set(h.auth('otherManager')).expect(200)).body.managerId).toBe(other);
  await h.http().get(`/api/tasks/${design}`).set(h.auth('manager')).expect(403);

  // The same key again, later: the first answer, though nothing is left to hand over. Another body
  // with it: 422. No key: there is nothing to hand over now, said at the manager.
  expect((await handOver('leadership', manager, body, key).expect(200)).body).toEqual(first.body);
  await handOver('leadership', manager, { ...body, note: 'another' }, key).expect(422);
  const nothing = await handOver('leadership', manager, body).expect(400);
  expect(nothing.body.errors).toEqual([{ field: 'id', message: `Test ${manager} has no running project to hand over` }]);
  for (const id of [planning, producing]) expect(handovers(await project(id))).toHaveLength(1);
});

test('a manager hands over the projects they name, their own only; bad requests are refused field by field and change nothing', async () => {
  const manager = h.people.manager.id;
  const other = h.people.otherManager.id;
  const keep = await create('manager', 'Kept');
  const give = await create('manager', 'Given');
  const notMine = await create('otherManager', 'Not mine');

  const refusals: [PersonKey, string, object, number, string[] | undefined][] = [
    ['manager', manager, { toManagerId: 'nobody.here' }, 400, ['toManagerId']],
    ['manager', manager, { toManagerId: h.people.designer.id }, 400, ['toManagerId']],
    ['manager', manager, { toManagerId: manager }, 400, ['toManagerId']],
    ['manager', manager, {}, 400, ['toManagerId']],
    ['manager', manager, { toManagerId: other, projectIds: [give, notMine, 'p-nosuchthing'] }, 400, ['projectIds.1', 'projectIds.2']],
    ['manager', manager, { toManagerId: other, projectIds: [] }, 400, ['projectIds']],
    ['manager', manager, { toManagerId: other, extra: true }, 400, ['extra']],
    ['otherManager', manager, { toManagerId: other }, 403, undefined],
    ['designer', manager, { toManagerId: other }, 403, undefined],
  ];
  for (const [who, from, body, status, fields] of refusals) {
    const res = await handOver(who, from, body);
    if (res.status !== status) throw new Error(`${who} ${JSON.stringify(body)}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(fieldsOf(res)).toEqual(fields);
  }
  for (const id of [keep, give, notMine]) expect(handovers(await project(id))).toEqual([]);

  const answer = (await handOver('manager', manager, { toManagerId: other, projectIds: [give] }).expect(200)).body as ManagerHandoverResult;
  expect(answer).toMatchObject({ by: manager, handedOver: 1, refused: 0, projects: [{ projectId: give, outcome: 'handed_over', title: 'Given' }] });
  expect((await project(give)).managerId).toBe(other);
  expect((await project(keep)).managerId).toBe(manager);
  expect(await listed('manager')).toContain(keep);
  expect(await listed('manager')).not.toContain(give);
});

test('the part each project runs: a project that says no is reported as refused, with its reason; the same update id twice hands over once', async () => {
  const { handOverProject } = createHandoverActivities({ client: h.temporal.client, logger: createLogger({ level: 'silent' }) });
  const by = { id: h.people.leadership.id, role: 'leadership' as const };
  const running = await create('manager', 'Running');
  const ended = await create('manager', 'Ended');
  await h.http().post(`/api/projects/${ended}/cancel`).set(h.auth('manager')).send({ reason: 'client withdrew' }).expect(200);
  await eventually(async () => (await h.temporal.client.workflow.getHandle(`project-${ended}`).describe()).status.name === 'COMPLETED', { what: 'the cancelled project to end' });

  const part = (projectId: string, toManagerId: string) => handOverProject({ projectId, updateId: uniqueId('part'), input: { toManagerId, by } });
  expect(await part(running, h.people.manager.id)).toEqual({ outcome: 'refused', reason: `${h.people.manager.id} already manages this project` });
  expect(await part(ended, h.people.otherManager.id)).toEqual({ outcome: 'refused', reason: 'the project has ended' });
  expect(await part('p-nosuchthing', h.people.otherManager.id)).toEqual({ outcome: 'refused', reason: 'there is no such project' });
  // The same update id twice (a retried attempt): handed over once, the same answer.
  const updateId = uniqueId('part');
  const once = await handOverProject({ projectId: running, updateId, input: { toManagerId: h.people.otherManager.id, by } });
  expect(once).toMatchObject({ outcome: 'handed_over' });
  expect(await handOverProject({ projectId: running, updateId, input: { toManagerId: h.people.otherManager.id, by } })).toEqual(once);
  // Read from the workflow itself: these parts ran outside the API, so the store's copy follows only with the project's own publish.
  expect(handovers(await h.temporal.client.workflow.getHandle(`project-${running}`).query(getStatusQuery))).toHaveLength(1);
});
