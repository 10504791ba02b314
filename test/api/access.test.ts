/**
 * Who may do what: every role (no token, an unknown token, the project's manager, another
 * manager, staff of the task's department, staff of another department, leadership) on every
 * route. Allowed calls send an invalid body where the route takes one, so they prove they got
 * past the access checks (400) without changing anything; refused calls are 401 or 403
 * problem+json. The role half of the table is the one the OpenAPI document publishes.
 */
import { OPERATIONS } from '../../api/openapi';
import type { ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness, type PersonKey } from '../support/api';
import { eventually, quietHistoryLength } from '../support/temporal';

jest.setTimeout(120_000);

type Caller = 'none' | 'badToken' | 'manager' | 'otherManager' | 'designer' | 'copywriter' | 'leadership';
const CALLERS: Caller[] = ['none', 'badToken', 'manager', 'otherManager', 'designer', 'copywriter', 'leadership'];
const ROLE_OF: Record<Caller, 'manager' | 'staff' | 'leadership' | undefined> = {
  none: undefined,
  badToken: undefined,
  manager: 'manager',
  otherManager: 'manager',
  designer: 'staff',
  copywriter: 'staff',
  leadership: 'leadership',
};

/** Beyond the role: whose project or task it is. `manager` owns the project; the task is design's. */
type Scope = 'none' | 'project' | 'task';
const OWNS: Record<Scope, (c: Caller) => boolean> = {
  none: () => true,
  project: (c) => c === 'manager' || c === 'leadership',
  task: (c) => c === 'manager' || c === 'leadership' || c === 'designer',
};

interface Row {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: () => string;
  scope: Scope;
  body?: object;
  /** What an allowed caller gets (400: the invalid body was read, nothing changed). */
  ok: number;
}

let h: ApiHarness;
let projectId: string;
let taskId: string;
let documentId: string;

const ROWS: Row[] = [
  { operationId: 'health', method: 'get', path: () => '/healthz', scope: 'none', ok: 200 },
  { operationId: 'readiness', method: 'get', path: () => '/readyz', scope: 'none', ok: 200 },
  { operationId: 'metrics', method: 'get', path: () => '/metrics', scope: 'none', ok: 200 },
  { operationId: 'openapi', method: 'get', path: () => '/openapi.json', scope: 'none', ok: 200 },
  { operationId: 'signIn', method: 'post', path: () => '/api/session', scope: 'none', body: {}, ok: 400 },
  { operationId: 'signOut', method: 'delete', path: () => '/api/session', scope: 'none', ok: 204 },
  { operationId: 'me', method: 'get', path: () => '/api/me', scope: 'none', ok: 200 },
  { operationId: 'myMail', method: 'get', path: () => '/api/me/mail', scope: 'none', ok: 200 },
  { operationId: 'setMyMail', method: 'put', path: () => '/api/me/mail', scope: 'none', body: {}, ok: 400 },
  // Open to anyone holding a digest's link: a token that is not one is refused whoever calls; following the link only leads to the page.
  { operationId: 'unsubscribeFromDigest', method: 'post', path: () => '/api/mail/unsubscribe?token=not-a-token', scope: 'none', ok: 400 },
  { operationId: 'unsubscribePage', method: 'get', path: () => '/api/mail/unsubscribe?token=not-a-token', scope: 'none', ok: 303 },
  { operationId: 'sessionState', method: 'get', path: () => '/api/session', scope: 'none', ok: 200 },
  { operationId: 'demoSignIns', method: 'get', path: () => '/api/session/demo', scope: 'none', ok: 200 },
  // Open to anyone, as a sign-in must be; this harness has no OIDC_* set, so both say so (test/api/single-sign-on.test.ts has them set up).
  { operationId: 'singleSignOn', method: 'get', path: () => '/api/session/oidc', scope: 'none', ok: 404 },
  { operationId: 'singleSignOnCallback', method: 'get', path: () => '/api/session/oidc/callback', scope: 'none', ok: 404 },
  { operationId: 'singleSignOnBackChannelLogout', method: 'post', path: () => '/api/session/oidc/backchannel-logout', scope: 'none', ok: 404 },
  { operationId: 'listPeople', method: 'get', path: () => '/api/people', scope: 'none', ok: 200 },
  { operationId: 'listFormerPeople', method: 'get', path: () => '/api/people/former', scope: 'none', ok: 200 },
  { operationId: 'listClients', method: 'get', path: () => '/api/clients', scope: 'none', ok: 200 },
  { operationId: 'createProject', method: 'post', path: () => '/api/projects', scope: 'none', body: { title: 7 }, ok: 400 },
  { operationId: 'listProjects', method: 'get', path: () => '/api/projects', scope: 'none', ok: 200 },
  { operationId: 'listProjectsCsv', method: 'get', path: () => '/api/projects.csv', scope: 'none', ok: 200 },
  { operationId: 'getProject', method: 'get', path: () => `/api/projects/${projectId}`, scope: 'project', ok: 200 },
  { operationId: 'submitPlan', method: 'put', path: () => `/api/projects/${projectId}/plan`, scope: 'project', body: {}, ok: 400 },
  { operationId: 'decidePlan', method: 'post', path: () => `/api/projects/${projectId}/plan/decision`, scope: 'project', body: {}, ok: 400 },
  { operationId: 'recordFeedback', method: 'post', path: () => `/api/projects/${projectId}/feedback`, scope: 'project', body: {}, ok: 400 },
  {
    operationId: 'resolveComplaint',
    method: 'post',
    path: () => `/api/projects/${projectId}/complaints/c1/resolution`,
    scope: 'project',
    body: {},
    ok: 400,
  },
  {
    operationId: 'reworkComplaint',
    method: 'post',
    path: () => `/api/projects/${projectId}/complaints/c1/rework`,
    scope: 'project',
    body: {},
    ok: 400,
  },
  { operationId: 'recordChangeRequest', method: 'post', path: () => `/api/projects/${projectId}/change-requests`, scope: 'project', body: {}, ok: 400 },
  {
    operationId: 'declineChangeRequest',
    method: 'post',
    path: () => `/api/projects/${projectId}/change-requests/r1/decline`,
    scope: 'project',
    body: {},
    ok: 400,
  },
  { operationId: 'recordPayment', method: 'post', path: () => `/api/projects/${projectId}/payments`, scope: 'project', body: {}, ok: 400 },
  { operationId: 'reversePayment', method: 'post', path: () => `/api/projects/${projectId}/payment-reversals`, scope: 'project', body: {}, ok: 400 },
  { operationId: 'startWorkBeforePrepayment', method: 'post', path: () => `/api/projects/${projectId}/start-work`, scope: 'project', body: {}, ok: 400 },
  { operationId: 'writeOffInvoice', method: 'post', path: () => `/api/projects/${projectId}/write-offs`, scope: 'project', body: {}, ok: 400 },
  { operationId: 'cancelProject', method: 'post', path: () => `/api/projects/${projectId}/cancel`, scope: 'project', body: {}, ok: 400 },
  { operationId: 'handOverProject', method: 'post', path: () => `/api/projects/${projectId}/handover`, scope: 'project', body: {}, ok: 400 },
  { operationId: 'handOverManagersProjects', method: 'post', path: () => `/api/managers/${h.people.manager.id}/handover`, scope: 'project', body: {}, ok: 400 },
  { operationId: 'getClientLink', method: 'get', path: () => `/api/projects/${projectId}/client-link`, scope: 'project', ok: 200 },
  { operationId: 'renewClientLink', method: 'post', path: () => `/api/projects/${projectId}/client-link`, scope: 'project', body: {}, ok: 400 },
  // Public (the link's key is the access): without a key, 400 for anyone.
  { operationId: 'getClientProject', method: 'get', path: () => `/api/client/projects/${projectId}`, scope: 'none', ok: 400 },
  { operationId: 'answerAsClient', method: 'post', path: () => `/api/client/projects/${projectId}/answers`, scope: 'none', body: {}, ok: 400 },
  { operationId: 'getClientDocument', method: 'get', path: () => `/api/client/projects/${projectId}/documents/${documentId}`, scope: 'none', ok: 400 },
  { operationId: 'listProjectDocuments', method: 'get', path: () => `/api/projects/${projectId}/documents`, scope: 'project', ok: 200 },
  { operationId: 'getDocument', method: 'get', path: () => `/api/documents/${documentId}`, scope: 'project', ok: 200 },
  { operationId: 'listTasks', method: 'get', path: () => '/api/tasks', scope: 'none', ok: 200 },
  { operationId: 'listPlannedTasks', method: 'get', path: () => '/api/tasks/planned', scope: 'none', ok: 200 },
  { operationId: 'getTask', method: 'get', path: () => `/api/tasks/${taskId}`, scope: 'task', ok: 200 },
  { operationId: 'getTaskContext', method: 'get', path: () => `/api/tasks/${taskId}/context`, scope: 'task', ok: 200 },
  { operationId: 'claimTask', method: 'post', path: () => `/api/tasks/${taskId}/claim`, scope: 'task', body: { now: true }, ok: 400 },
  { operationId: 'releaseTask', method: 'post', path: () => `/api/tasks/${taskId}/release`, scope: 'task', body: { now: true }, ok: 400 },
  { operationId: 'submitTask', method: 'post', path: () => `/api/tasks/${taskId}/submit`, scope: 'task', body: {}, ok: 400 },
  { operationId: 'reviewTask', method: 'post', path: () => `/api/tasks/${taskId}/review`, scope: 'task', body: {}, ok: 400 },
  { operationId: 'reassignTask', method: 'post', path: () => `/api/tasks/${taskId}/reassign`, scope: 'task', body: {}, ok: 400 },
  // The caller's own projects only (the store's list is narrowed to them): no task scope to refuse.
  { operationId: 'reassignPersonsWork', method: 'post', path: () => `/api/people/${h.people.designer.id}/reassign-work`, scope: 'none', body: {}, ok: 400 },
  { operationId: 'moveTaskDueDate', method: 'patch', path: () => `/api/tasks/${taskId}`, scope: 'task', body: {}, ok: 400 },
  { operationId: 'portfolioReport', method: 'get', path: () => '/api/reports/portfolio', scope: 'none', ok: 200 },
  { operationId: 'kpiReport', method: 'get', path: () => '/api/reports/kpis', scope: 'none', ok: 200 },
  { operationId: 'kpiReportCsv', method: 'get', path: () => '/api/reports/kpis.csv', scope: 'none', ok: 200 },
  { operationId: 'kpiDeliveries', method: 'get', path: () => '/api/reports/kpis/deliveries', scope: 'none', ok: 200 },
  { operationId: 'kpiResponses', method: 'get', path: () => '/api/reports/kpis/responses', scope: 'none', ok: 200 },
  { operationId: 'kpiFeedback', method: 'get', path: () => '/api/reports/kpis/feedback', scope: 'none', ok: 200 },
  // Without its required `flow`: past the access checks, a 400.
  { operationId: 'kpiMoney', method: 'get', path: () => '/api/reports/kpis/money', scope: 'none', ok: 400 },
  { operationId: 'kpiWorkload', method: 'get', path: () => '/api/reports/kpis/workload', scope: 'none', ok: 200 },
  { operationId: 'listSalesTargets', method: 'get', path: () => '/api/reports/sales-targets', scope: 'none', ok: 200 },
  {
    operationId: 'setSalesTarget',
    method: 'put',
    path: () => `/api/reports/sales-targets/${h.people.manager.id}/2026-Q1`,
    scope: 'none',
    body: {},
    ok: 400,
  },
  { operationId: 'deleteSalesTarget', method: 'delete', path: () => `/api/reports/sales-targets/${h.people.manager.id}/2026-Q1`, scope: 'none', ok: 204 },
];

function expected(row: Row, caller: Caller): number {
  const op = OPERATIONS.find((o) => o.operationId === row.operationId)!;
  if (!op.roles) return row.ok; // public
  const role = ROLE_OF[caller];
  if (!role) return 401;
  if (!op.roles.includes(role)) return 403;
  return OWNS[row.scope](caller) ? row.ok : 403;
}

function send(row: Row, caller: Caller) {
  const req = h.http()[row.method](row.path());
  if (caller === 'badToken') req.set('Authorization', 'Bearer not-a-real-token-0000000000');
  else if (caller !== 'none') req.set(h.auth(caller as PersonKey));
  return row.body ? req.send(row.body) : req;
}

async function historyLength(workflowId: string): Promise<number> {
  return (await h.temporal.client.workflow.getHandle(workflowId).describe()).historyLength;
}

beforeAll(async () => {
  h = await startApiHarness();
  // The manager's project, approved, its design task open for the design department.
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201);
  projectId = (created.body as ProjectStatus).projectId;
  await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  await h
    .http()
    .post(`/api/projects/${projectId}/plan/decision`)
    .set(h.auth('leadership'))
    .send({ planVersion: 1, decision: 'approve', comment: '' })
    .expect(200);
  taskId = `${projectId}.design-home`;
  await waitForTask(h, taskId, 'open');
  // A stored document of the project (the store is the one the worker writes).
  const doc = await h.store.put(
    { projectId, kind: 'acceptance_act', sequence: 9, createdAt: new Date().toISOString() },
    Buffer.from('%PDF-1.4\n% access test\n'),
  );
  documentId = doc.documentId;
});
afterAll(async () => {
  await h?.close();
});

test('the matrix covers every documented operation', () => {
  expect(ROWS.map((r) => r.operationId).sort()).toEqual(OPERATIONS.map((o) => o.operationId).sort());
});

describe.each(ROWS)('$method $operationId', (row) => {
  test.each(CALLERS)('as %s', async (caller) => {
    const want = expected(row, caller);
    const res = await send(row, caller);
    if (res.status !== want) throw new Error(`${row.method.toUpperCase()} ${row.path()} as ${caller}: expected ${want}, got ${res.status} ${JSON.stringify(res.body)}`);
    if (want >= 400) {
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: want, title: expect.any(String), type: expect.any(String), instance: row.path() });
    }
    if (want === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});

test('none of the refused or invalid calls above changed the project or the task', async () => {
  const projectHistory = await quietHistoryLength(h.temporal.client, `project-${projectId}`);
  const taskHistory = await quietHistoryLength(h.temporal.client, `task-${taskId}`);
  const before = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  expect(before.stage).toBe('in_production');
  expect(before.plans).toHaveLength(1);
  expect(before.feedback).toEqual([]);
  expect(before.cancellation).toBeUndefined();
  const task = (await h.http().get(`/api/tasks/${taskId}`).set(h.auth('manager')).expect(200)).body;
  expect(task.status).toBe('open');
  expect(task.assigneeId).toBeUndefined();
  // Run the whole matrix again: the histories do not grow.
  for (const row of ROWS) for (const caller of CALLERS) await send(row, caller);
  expect(await historyLength(`project-${projectId}`)).toBe(projectHistory);
  expect(await historyLength(`task-${taskId}`)).toBe(taskHistory);
});

test('staff see only their department\u2019s tasks; managers only their projects\u2019', async () => {
  const ids = async (who: PersonKey, query: Record<string, string> = {}) =>
    ((await h.http().get('/api/tasks').query(query).set(h.auth(who)).expect(200)).body.items as { taskId: string }[]).map((t) => t.taskId);
  await eventually(async () => (await ids('designer', { projectId })).includes(taskId), { what: 'the task in the design inbox' });
  expect(await ids('copywriter', { projectId })).toEqual([`${projectId}.copy-home`]); // waiting on design, but theirs
  expect((await ids('manager', { projectId })).sort()).toEqual([`${projectId}.copy-home`, taskId].sort());
  expect(await ids('otherManager', { projectId })).toEqual([]);
  expect(await ids('leadership', { projectId, department: 'design' })).toEqual([taskId]);
  await h.http().get('/api/tasks').query({ department: 'design' }).set(h.auth('copywriter')).expect(403);
  await h.http().get('/api/tasks').query({ managerId: h.people.manager.id }).set(h.auth('otherManager')).expect(403);
});
