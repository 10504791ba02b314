/**
 * A delivery's links through HTTP: every link that is not a web address is named in one refusal,
 * each at its place, whatever is wrong with it — no address at all (`www.…`, typed without its
 * scheme) or an address of another scheme (`ftp:`, `javascript:`, `data:`) — and with whatever else
 * is wrong with the delivery (a missing summary), so that one round of fixes is enough. Nothing is
 * recorded until all are right.
 */
import type { Response } from 'supertest';
import type { ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness } from '../support/api';

jest.setTimeout(120_000);

let h: ApiHarness;
let task: string;

beforeAll(async () => {
  h = await startApiHarness();
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201);
  const projectId = (created.body as ProjectStatus).projectId;
  await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  task = `${projectId}.design-home`;
  await waitForTask(h, task, 'open');
  await h.http().post(`/api/tasks/${task}/claim`).set(h.auth('designer')).send({}).expect(200);
});

afterAll(async () => {
  await h?.close();
});

const deliver = (body: object): Promise<Response> => h.http().post(`/api/tasks/${task}/submit`).set(h.auth('designer')).send(body);

const webAddress = (link: string) => ({ message: `expected a web address starting with http:// or https:// (got ${JSON.stringify(link)})` });

test('links of both kinds of wrong are named in one refusal, each at its place, and nothing is recorded', async () => {
  const links = ['https://drive.example.com/ok.pdf', 'ftp://files.example.com/mockups.zip', 'www.figma.com/file/abc123', 'javascript:alert(document.domain)', 'data:text/html,<b>x</b>', 'not an address'];
  const res = await deliver({ summary: 'Mock-ups', links });
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.type).toBe('urn:agencyflow:problem:validation');
  const byField = Object.fromEntries((res.body.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]));
  expect(byField).toEqual({
    'links[1]': webAddress(links[1]).message,
    'links[2]': 'expected an absolute URL',
    'links[3]': webAddress(links[3]).message,
    'links[4]': webAddress(links[4]).message,
    'links[5]': 'expected an absolute URL',
  });
  expect(((await h.http().get(`/api/tasks/${task}`).set(h.auth('designer')).expect(200)).body as { status: string }).status).toBe('claimed');
});

test('a delivery with no summary at all still names its bad links in the same refusal', async () => {
  const res = await deliver({ links: ['ftp://files.example.com/mockups.zip', 'www.figma.com/file/abc123'] });
  expect(res.status).toBe(400);
  expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['links[0]', 'links[1]', 'summary']);
});

test('once every link is a web address, the delivery is recorded with them', async () => {
  const links = ['https://files.example.com/mockups.zip', 'HTTP://www.figma.com/file/abc123'];
  const res = await deliver({ summary: 'Mock-ups', links }).then((r) => (r.status === 200 ? r : Promise.reject(new Error(JSON.stringify(r.body)))));
  expect(res.body.status).toBe('submitted');
});
