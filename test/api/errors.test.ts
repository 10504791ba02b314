/**
 * Every class of error the API returns, each as RFC 9457 problem+json with an actionable detail
 * and never a stack trace: 400 (malformed JSON, wrong types naming each field, plan rules,
 * business rules only the workflow knows), 401, 403, 404, 409 (wrong stage, stale version,
 * already done, already claimed, overpayment, closed), 413, 415, 429. And a refused request
 * changes nothing: the status snapshot is the same and the workflow's history did not grow,
 * because validators reject before anything is written.
 */
import type { Response } from 'supertest';
import type { ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { eventually, quietHistoryLength, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);

let h: ApiHarness;
/** Awaiting approval of plan version 1 (24 h SLA: nothing happens by itself during the test). */
let awaiting: string;
/** In production with a 10% prepayment invoice; its design task claimed by Dima. */
let producing: string;
let designTask: string;
let prepaymentNumber: string;

function expectProblem(res: Response, status: number, type?: string): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String), instance: expect.any(String) });
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.detail.length).toBeGreaterThan(10);
  if (type) expect(res.body.type).toBe(`urn:agencyflow:problem:${type}`);
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(res.body.stack).toBeUndefined();
}

const fields = (res: Response): string[] => (res.body.errors as { field: string }[]).map((e) => e.field);
/** How many projects the manager's list shows: a refused create adds none. */
const listed = async (): Promise<number> => (await h.http().get('/api/projects?pageSize=100').set(h.auth('manager')).expect(200)).body.items.length as number;

async function historyLength(workflowId: string): Promise<number> {
  return (await h.temporal.client.workflow.getHandle(workflowId).describe()).historyLength;
}

const settled = (workflowId: string): Promise<number> => quietHistoryLength(h.temporal.client, workflowId);

/** Runs `refuse` and checks the project's snapshot and history (and the task's, if given) did not change. */
async function unchanged(projectId: string, refuse: () => Promise<void>, taskId?: string): Promise<void> {
  const projectHistory = await settled(`project-${projectId}`);
  const taskHistory = taskId ? await settled(`task-${taskId}`) : undefined;
  const before = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  const taskBefore = taskId ? (await h.http().get(`/api/tasks/${taskId}`).set(h.auth('manager')).expect(200)).body : undefined;
  await refuse();
  expect((await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body).toEqual(before);
  expect(await historyLength(`project-${projectId}`)).toBe(projectHistory);
  if (taskId) {
    expect((await h.http().get(`/api/tasks/${taskId}`).set(h.auth('manager')).expect(200)).body).toEqual(taskBefore);
    expect(await historyLength(`task-${taskId}`)).toBe(taskHistory);
  }
}

beforeAll(async () => {
  h = await startApiHarness();
  awaiting = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body.projectId;
  await h.http().put(`/api/projects/${awaiting}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);

  producing = (
    await h
      .http()
      .post('/api/projects')
      .set(h.auth('manager'))
      .send(projectRequest({ policy: { startAfterPrepayment: false } }))
      .expect(201)
  ).body.projectId;
  await h.http().put(`/api/projects/${producing}/plan`).set(h.auth('manager')).send(planRequest({ prepaymentPercent: 10 })).expect(200);
  await h.http().post(`/api/projects/${producing}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  designTask = `${producing}.design-home`;
  await waitForTask(h, designTask, 'open');
  await h.http().post(`/api/tasks/${designTask}/claim`).set(h.auth('designer')).expect(200);
  const withInvoice = await eventually(async () => {
    const s = (await h.http().get(`/api/projects/${producing}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    return s.invoices.find((i) => i.kind === 'prepayment');
  }, { what: 'the prepayment invoice' });
  prepaymentNumber = withInvoice.number;
});
afterAll(async () => {
  await h?.close();
});

describe('400: the request itself is wrong', () => {
  test('malformed JSON', async () => {
    await unchanged(awaiting, async () => {
      const res = await h
        .http()
        .post(`/api/projects/${awaiting}/plan/decision`)
        .set(h.auth('leadership'))
        .set('Content-Type', 'application/json')
        .send('{"planVersion": 1, "decision": "approve",');
      expectProblem(res, 400, 'malformed-json');
      expect(fields(res)).toEqual(['body']);
    });
  });

  test('wrong types name every bad field, nested ones as paths', async () => {
    const res = await h
      .http()
      .post('/api/projects')
      .set(h.auth('manager'))
      .send({
        client: { id: '', name: 5, segment: 'B2X', email: 'not-an-email' },
        title: 7,
        departments: ['design', 'catering'],
        budget: { amount: -1, currency: 'eur' },
        desiredDeadline: 'next tuesday',
        colour: 'blue',
      });
    expectProblem(res, 400, 'validation');
    expect(fields(res)).toEqual(
      expect.arrayContaining([
        'client.id',
        'client.name',
        'client.segment',
        'client.email',
        'title',
        'brief',
        'departments[1]',
        'budget.amount',
        'budget.currency',
        'desiredDeadline',
        'colour',
      ]),
    );
    expect(res.body.detail).toContain('desiredDeadline');
  });

  test('a plan\u2019s bad fields and broken rules are named the way the client wrote them', async () => {
    await unchanged(awaiting, async () => {
      const plan = planRequest();
      const tasks = plan.tasks as Record<string, unknown>[];
      const typed = await h
        .http()
        .put(`/api/projects/${awaiting}/plan`)
        .set(h.auth('manager'))
        .send({ ...plan, tasks: [...tasks, { ...tasks[0], key: 'third', dueAt: 'soon', price: '12' }] });
      expectProblem(typed, 400, 'validation');
      expect(fields(typed)).toEqual(expect.arrayContaining(['tasks[2].dueAt', 'tasks[2].price']));

      const cyclic = await h
        .http()
        .put(`/api/projects/${awaiting}/plan`)
        .set(h.auth('manager'))
        .send({ ...plan, tasks: [{ ...tasks[0], dependsOn: ['copy-home'] }, tasks[1]] });
      expectProblem(cyclic, 400, 'validation');
      expect(cyclic.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/cycle/) })]));

      const past = await h
        .http()
        .put(`/api/projects/${awaiting}/plan`)
        .set(h.auth('manager'))
        .send({ ...plan, tasks: [tasks[0], { ...tasks[1], dueAt: '2020-01-01T00:00:00Z' }] });
      expectProblem(past, 400, 'validation');
      expect(fields(past)).toContain('tasks[1].dueAt');

      // A prepayment over 100% and a past due date: both in one answer, not one per try.
      const both = await h
        .http()
        .put(`/api/projects/${awaiting}/plan`)
        .set(h.auth('manager'))
        .send({ ...plan, prepaymentPercent: 150, tasks: [tasks[0], { ...tasks[1], dueAt: '2020-01-01T00:00:00Z' }] });
      expectProblem(both, 400, 'validation');
      expect(fields(both)).toEqual(expect.arrayContaining(['tasks[1].dueAt', 'prepaymentPercent']));

      // A price that is not a number (the schema's), a dependency on no task and a past due date
      // (the plan rules'): all in one answer, not the rules' only on the next try.
      const mixed = await h
        .http()
        .put(`/api/projects/${awaiting}/plan`)
        .set(h.auth('manager'))
        .send({ ...plan, tasks: [{ ...tasks[0], price: 'a lot', dependsOn: ['nope'] }, { ...tasks[1], dueAt: '2020-01-01T00:00:00Z' }] });
      expectProblem(mixed, 400, 'validation');
      expect(fields(mixed)).toEqual(expect.arrayContaining(['tasks[0].price', 'tasks[0].dependsOn[0]', 'tasks[1].dueAt']));
      expect(mixed.body.errors.find((e: { field: string }) => e.field === 'tasks[0].price').message).toBe('expected a number');
      // A field the schema refuses is named once, in its words (a due date that is not text is not also "not a date").
      const notText = await h
        .http()
        .put(`/api/projects/${awaiting}/plan`)
        .set(h.auth('manager'))
        .send({ ...plan, tasks: [{ ...tasks[0], dueAt: 12_345 }, tasks[1]] });
      expectProblem(notText, 400, 'validation');
      expect(fields(notText)).toEqual(['tasks[0].dueAt']);
      // A task that is not an object is named once, not again for each of its fields.
      const notATask = await h.http().put(`/api/projects/${awaiting}/plan`).set(h.auth('manager')).send({ ...plan, tasks: [null, tasks[1]] });
      expectProblem(notATask, 400, 'validation');
      expect(fields(notATask)).toEqual(['tasks[0]']);
    });
  });

  test('control characters in any text are refused at their field (tabs and line breaks are fine), and nothing changes', async () => {
    const before = await listed();
    const created = await h
      .http()
      .post('/api/projects')
      .set(h.auth('manager'))
      .send(projectRequest({ title: 'Launch\u0000', client: { id: 'ctl', name: 'Bell\u0007 & Co', segment: 'B2B', email: 'bell@client.example' } }));
    expectProblem(created, 400, 'validation');
    expect(created.body.errors).toEqual([
      { field: 'client.name', message: expect.stringMatching(/control characters/) },
      { field: 'title', message: expect.stringMatching(/control characters/) },
    ]);
    expect(await listed()).toBe(before);

    await unchanged(awaiting, async () => {
      const plan = planRequest();
      const tasks = plan.tasks as Record<string, unknown>[];
      const res = await h
        .http()
        .put(`/api/projects/${awaiting}/plan`)
        .set(h.auth('manager'))
        .send({ ...plan, tasks: [tasks[0], { ...tasks[1], title: 'Copy\u001b[31m' }] });
      expectProblem(res, 400, 'validation');
      expect(fields(res)).toEqual(['tasks[1].title']);
    });
    await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ brief: 'Two lines:\n\tfirst\r\n\tsecond' })).expect(201);
  });

  test('a rule only the workflow knows (a rejection needs a comment) comes back as 400 naming the field', async () => {
    await unchanged(awaiting, async () => {
      const res = await h
        .http()
        .post(`/api/projects/${awaiting}/plan/decision`)
        .set(h.auth('leadership'))
        .send({ planVersion: 1, decision: 'reject', comment: '  ' });
      expectProblem(res, 400, 'validation');
      expect(fields(res)).toEqual(['comment']);
    });
  });

  test('a body nested deeper than any request is 400, signed in or not (not a 500 from walking it)', async () => {
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    for (const res of [
      await h.http().post('/api/session').set('Content-Type', 'application/json').send(deep),
      await h.http().post('/api/projects').set(h.auth('manager')).set('Content-Type', 'application/json').send(deep),
    ]) {
      expectProblem(res, 400, 'validation');
      expect(res.body.errors[0].message).toMatch(/nests deeper than 16 levels/);
    }
  });

  test('a new project with a blank title or brief, an unknown currency, a budget past ten billion or a client date already past: each field named, nothing created', async () => {
    const before = await listed();
    const res = await h
      .http()
      .post('/api/projects')
      .set(h.auth('manager'))
      .send(projectRequest({ title: '   ', brief: '\n\t', desiredDeadline: '2020-01-01T00:00:00Z', budget: { amount: 1e20, currency: 'XYZ' } }));
    expectProblem(res, 400, 'validation');
    // The schema's refusals first (the budget's size: the limit of every amount), then the rules'.
    expect(fields(res)).toEqual(['budget.amount', 'title', 'brief', 'budget.currency', 'desiredDeadline']);
    expect(res.body.errors[0].message).toBe('must be at most 10,000,000,000');
    expect(res.body.errors[4].message).toMatch(/in the past/);
    expect(await listed()).toBe(before);
  });

  test('a new project the schema refuses is also checked by the rules: a past client date is named in the same answer; an empty email or date is "required"', async () => {
    const before = await listed();
    const res = await h
      .http()
      .post('/api/projects')
      .set(h.auth('manager'))
      .send(projectRequest({ client: { id: uniqueId('client'), name: 'ACME Ltd', segment: 'B2B', email: '' }, departments: [], desiredDeadline: '2020-01-01T00:00:00Z' }));
    expectProblem(res, 400, 'validation');
    const byField = Object.fromEntries((res.body.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]));
    expect(byField).toEqual({
      'client.email': 'required',
      departments: 'at least one is required',
      desiredDeadline: 'this date is in the past; give the date the client wants the work by',
    });
    const noDate = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ desiredDeadline: '' }));
    expect(noDate.body.errors).toEqual([{ field: 'desiredDeadline', message: 'required' }]);
    expect(await listed()).toBe(before);
  });

  test('a payment dated in the future or before its invoice, a delivery link that is not a web address: named, and nothing changes', async () => {
    await unchanged(
      producing,
      async () => {
        const future = await h
          .http()
          .post(`/api/projects/${producing}/payments`)
          .set(h.auth('manager'))
          .send({ invoiceNumber: prepaymentNumber, amount: 10, paidAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), reference: uniqueId('ref') });
        expectProblem(future, 400, 'validation');
        expect(fields(future)).toEqual(['paidAt']);
        // Last year's date typed by mistake: before the client had the invoice (the workflow's rule).
        const beforeIssue = await h
          .http()
          .post(`/api/projects/${producing}/payments`)
          .set(h.auth('manager'))
          .send({ invoiceNumber: prepaymentNumber, amount: 10, paidAt: new Date(Date.now() - 365 * 86_400_000).toISOString(), reference: uniqueId('ref') });
        expectProblem(beforeIssue, 400, 'validation');
        expect(fields(beforeIssue)).toEqual(['paidAt']);
        expect(beforeIssue.body.errors[0].message).toMatch(new RegExp(`before invoice ${prepaymentNumber} was issued`));
        const links = await h
          .http()
          .post(`/api/tasks/${designTask}/submit`)
          .set(h.auth('designer'))
          .send({ summary: 'Mock-ups', links: ['https://files.example/ok', 'javascript:alert(document.domain)', 'data:text/html,<b>x</b>'] });
        expectProblem(links, 400, 'validation');
        expect(fields(links)).toEqual(['links[1]', 'links[2]']);
        // A rework date goes with sending work back, not with an acceptance.
        const acceptWithDate = await h
          .http()
          .post(`/api/tasks/${designTask}/review`)
          .set(h.auth('manager'))
          .send({ decision: 'accept', dueAt: new Date(Date.now() + 86_400_000).toISOString() });
        expectProblem(acceptWithDate, 400, 'validation');
        expect(fields(acceptWithDate)).toEqual(['dueAt']);
      },
      designTask,
    );
  });

  test('a bad Idempotency-Key header is named', async () => {
    const res = await h.http().post('/api/projects').set(h.auth('manager')).set('Idempotency-Key', 'has spaces').send(projectRequest());
    expectProblem(res, 400, 'validation');
    expect(fields(res)).toEqual(['Idempotency-Key']);
  });
});

describe('401 and 403', () => {
  test('no token, or one nobody holds: 401 with WWW-Authenticate', async () => {
    const none = await h.http().get(`/api/projects/${awaiting}`);
    expectProblem(none, 401, 'unauthenticated');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await h.http().get(`/api/projects/${awaiting}`).set('Authorization', 'Bearer demo-manager-anna-token-but-not');
    expectProblem(wrong, 401, 'unauthenticated');
    expect(wrong.body.detail).toMatch(/not valid/);
    expectProblem(await h.http().get(`/api/projects/${awaiting}`).set('Authorization', 'Basic YTpi'), 401);
  });

  test('outside one\u2019s role, project or department: 403, and nothing changes', async () => {
    await unchanged(
      producing,
      async () => {
        expectProblem(await h.http().get(`/api/projects/${producing}`).set(h.auth('designer')), 403, 'forbidden');
        const other = await h.http().post(`/api/projects/${producing}/cancel`).set(h.auth('otherManager')).send({ reason: 'mine now' });
        expectProblem(other, 403, 'forbidden');
        expect(other.body.detail).toBe(`This project is managed by ${h.directory.get(h.people.manager.id)!.name} now; managers act on their own projects.`);
        const dept = await h.http().post(`/api/tasks/${designTask}/release`).set(h.auth('copywriter'));
        expectProblem(dept, 403, 'forbidden');
        expect(dept.body.detail).toMatch(/design department/);
        // The workflow's own rule: only the assignee may deliver (Olga is design staff, Dima holds it).
        const notAssignee = await h.http().post(`/api/tasks/${designTask}/submit`).set(h.auth('designer2')).send({ summary: 'mine' });
        expectProblem(notAssignee, 403, 'forbidden');
        expect(notAssignee.body.detail).toMatch(/assignee/);
      },
      designTask,
    );
  });
});

describe('404', () => {
  test('unknown project, task, document, complaint, invoice and route; a known route under another method is 405', async () => {
    expectProblem(await h.http().get('/api/projects/p-zzzzzzzzzz').set(h.auth('leadership')), 404, 'not-found');
    expectProblem(await h.http().get('/api/projects/NOT_AN_ID').set(h.auth('leadership')), 404, 'not-found');
    expectProblem(await h.http().post('/api/projects/p-zzzzzzzzzz/cancel').set(h.auth('leadership')).send({ reason: 'x' }), 404);
    expectProblem(await h.http().get(`/api/tasks/${producing}.no-such-task`).set(h.auth('leadership')), 404, 'not-found');
    expectProblem(await h.http().get('/api/tasks/nodot').set(h.auth('leadership')), 404);
    expectProblem(await h.http().get(`/api/documents/doc-${producing}-final_report-7`).set(h.auth('leadership')), 404);
    expectProblem(await h.http().get('/api/documents/..%2F..%2Fetc%2Fpasswd').set(h.auth('leadership')), 404);
    expectProblem(await h.http().get('/api/nothing-here').set(h.auth('leadership')), 404, 'not-found');
    expectProblem(await h.http().get('/nothing'), 404);
    // A route that exists under other methods: 405 naming them, and nothing changes.
    await unchanged(awaiting, async () => {
      const wrongMethod = await h.http().delete(`/api/projects/${awaiting}`).set(h.auth('manager'));
      expectProblem(wrongMethod, 405, 'method-not-allowed');
      expect(wrongMethod.headers.allow).toBe('GET, HEAD');
      expect((await h.http().get(`/api/projects/${awaiting}/plan/decision`).set(h.auth('leadership'))).headers.allow).toBe('POST');
    });
    await unchanged(producing, async () => {
      const complaint = await h
        .http()
        .post(`/api/projects/${producing}/complaints/c42/resolution`)
        .set(h.auth('manager'))
        .send({ resolution: 'done' });
      expectProblem(complaint, 404, 'not-found');
      const invoice = await h
        .http()
        .post(`/api/projects/${producing}/payments`)
        .set(h.auth('manager'))
        .send({ invoiceNumber: 'INV-0000', amount: 1, paidAt: new Date().toISOString(), reference: uniqueId('ref') });
      expectProblem(invoice, 404, 'not-found');
    });
  });
});

describe('409: not possible in the current state, and nothing changes', () => {
  test('wrong stage, stale plan version', async () => {
    await unchanged(awaiting, async () => {
      const feedback = await h.http().post(`/api/projects/${awaiting}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'x' });
      expectProblem(feedback, 409, 'wrong-stage');
      expect(feedback.body.detail).toMatch(/awaiting_approval/);
      const stale = await h.http().post(`/api/projects/${awaiting}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 2, decision: 'approve' });
      expectProblem(stale, 409, 'stale-plan-version');
      const resubmit = await h.http().put(`/api/projects/${awaiting}/plan`).set(h.auth('manager')).send(planRequest());
      expectProblem(resubmit, 409, 'wrong-stage');
    });
  });

  test('task already claimed, overpayment', async () => {
    await unchanged(
      producing,
      async () => {
        const claimed = await h.http().post(`/api/tasks/${designTask}/claim`).set(h.auth('designer2'));
        expectProblem(claimed, 409, 'task-already-claimed');
        // The holder by name, for the colleague who lost the race; the id beside it.
        expect(claimed.body.detail).toBe(`${h.directory.get(h.people.designer.id)!.name} (${h.people.designer.id}) took this task first; it is theirs now.`);
        const over = await h
          .http()
          .post(`/api/projects/${producing}/payments`)
          .set(h.auth('manager'))
          .send({ invoiceNumber: prepaymentNumber, amount: 999_999, paidAt: new Date().toISOString(), reference: uniqueId('ref') });
        expectProblem(over, 409, 'overpayment');
        // Said at the field too (a form shows it at the amount), in money as people read it.
        expect(over.body.errors).toEqual([{ field: 'amount', message: expect.stringMatching(/^€999,999\.00 is more than the €[\d,.]+ still owed on /) }]);
      },
      designTask,
    );
  });

  test('already done, and actions on a finished project', async () => {
    const id = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body.projectId;
    await h.http().post(`/api/projects/${id}/cancel`).set(h.auth('manager')).send({ reason: 'client withdrew' }).expect(200);
    // Cancelled and closed: the workflow has ended, so no validator can run; the API still says 409.
    await eventually(async () => (await h.temporal.client.workflow.getHandle(`project-${id}`).describe()).status.name !== 'RUNNING', {
      what: 'the cancelled project to close',
    });
    const again = await h.http().post(`/api/projects/${id}/cancel`).set(h.auth('manager')).send({ reason: 'really' });
    expectProblem(again, 409);
    expect(again.body.type).toBe('urn:agencyflow:problem:closed');
    expect(again.body.detail).toMatch(/has ended/);
    const plan = await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send(planRequest());
    expectProblem(plan, 409);
    // Its status is still readable.
    expect((await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body.stage).toBe('cancelled');
  });
});

describe('413, 415, 429', () => {
  test('a body over API_BODY_LIMIT is 413', async () => {
    const res = await h
      .http()
      .post('/api/projects')
      .set(h.auth('manager'))
      .send(projectRequest({ brief: 'x'.repeat(200_000) }));
    expectProblem(res, 413, 'payload-too-large');
  });

  test('a body that is not JSON is 415, before anything runs', async () => {
    await unchanged(awaiting, async () => {
      const text = await h
        .http()
        .post(`/api/projects/${awaiting}/plan/decision`)
        .set(h.auth('leadership'))
        .set('Content-Type', 'text/plain')
        .send('approve please');
      expectProblem(text, 415, 'unsupported-media-type');
      const form = await h
        .http()
        .post(`/api/projects/${awaiting}/plan/decision`)
        .set(h.auth('leadership'))
        .type('form')
        .send({ planVersion: '1', decision: 'approve' });
      expectProblem(form, 415, 'unsupported-media-type');
    });
  });

  test('more requests a minute than API_RATE_LIMIT_PER_MINUTE, per token: 429 with Retry-After', async () => {
    const limited = await startApiHarness({ withoutWorker: true, env: { API_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      for (let i = 0; i < 3; i++) await limited.http().get('/api/projects').set(limited.auth('designer')).expect(403);
      const res = await limited.http().get('/api/projects').set(limited.auth('designer'));
      expectProblem(res, 429, 'rate-limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Another person's token has its own allowance; anonymous callers are counted by address.
      await limited.http().get('/api/projects').set(limited.auth('copywriter')).expect(403);
      for (let i = 0; i < 3; i++) await limited.http().get('/api/projects').expect(401);
      expectProblem(await limited.http().get('/api/projects'), 429);
      // X-Forwarded-For from a proxy nobody named in API_TRUSTED_PROXIES is not believed: the same address.
      expectProblem(await limited.http().get('/api/projects').set('X-Forwarded-For', '203.0.113.9'), 429);
      // Operations endpoints are not limited.
      await limited.http().get('/healthz').expect(200);
    } finally {
      await limited.close();
    }
  });

  test('behind a proxy named in API_TRUSTED_PROXIES, anonymous callers are counted by the address it forwards, not as one', async () => {
    const behindProxy = await startApiHarness({ withoutWorker: true, env: { API_RATE_LIMIT_PER_MINUTE: '3', API_TRUSTED_PROXIES: 'loopback' } });
    try {
      const from = (address: string) => behindProxy.http().post('/api/session').set('X-Forwarded-For', address).send({ token: 'not-a-real-token-0000000000' });
      for (let i = 0; i < 3; i++) expect((await from('203.0.113.5')).status).not.toBe(429);
      expectProblem(await from('203.0.113.5'), 429);
      // Someone else signing in through the same proxy is not locked out by the first caller's attempts.
      expect((await from('198.51.100.20')).status).toBe(401);
      // The proxy appends the address it saw: a caller's own X-Forwarded-For in front of it changes nothing.
      expectProblem(await from('198.51.100.77, 203.0.113.5'), 429);
    } finally {
      await behindProxy.close();
    }
  });
});

describe('messages a person reads', () => {
  test('zod’s own wording comes back in plain words; the schemas’ own messages unchanged', async () => {
    const res = await h
      .http()
      .post('/api/projects')
      .set(h.auth('manager'))
      .send(projectRequest({ title: '', brief: 'x'.repeat(10_001), departments: [], budget: { amount: null, currency: 'EUR' }, policy: { startAfterPrepayment: 'yes' } }));
    expectProblem(res, 400, 'validation');
    const byField = Object.fromEntries((res.body.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]));
    expect(byField).toMatchObject({
      title: 'required',
      brief: 'at most 10000 characters',
      departments: 'at least one is required',
      // Missing is "required" whatever the type, as an empty text field reads.
      'budget.amount': 'required',
      'policy.startAfterPrepayment': 'expected true or false',
    });
    expect(JSON.stringify(res.body)).not.toMatch(/Too small|Too big|Invalid input/);
  });

  test('an unknown kind reads like any other choice, a missing value is "required" whatever its type, and a field two rules refuse gets one message', async () => {
    const refused = async (path: string, body: object, who: 'manager' | 'leadership' = 'manager'): Promise<Response> => {
      const res = await h.http().post(path).set(h.auth(who)).send(body);
      expectProblem(res, 400, 'validation');
      expect(JSON.stringify([res.body.detail, res.body.errors])).not.toMatch(/Too small|Too big|Invalid|discriminator|Unrecognized/);
      return res;
    };
    await unchanged(awaiting, async () => {
      const kind = await refused(`/api/projects/${awaiting}/feedback`, { kind: 'praise', description: 'Lovely' });
      expect(kind.body.errors).toEqual([{ field: 'kind', message: 'expected one of: accepted, revisions_requested, complaint' }]);
      expect(kind.body.detail).toBe('kind: expected one of: accepted, revisions_requested, complaint');
      // The same words as any enum's.
      const decision = await refused(`/api/projects/${awaiting}/plan/decision`, { planVersion: 1, decision: 'maybe' }, 'leadership');
      expect(decision.body.errors).toEqual([{ field: 'decision', message: 'expected one of: approve, reject' }]);
      // A due date moved for a key no plan could have: the key's own rule, not "Invalid key in record".
      const key = await refused(`/api/projects/${awaiting}/plan/decision`, { planVersion: 1, decision: 'approve', dueDates: { 'Not a key': new Date(Date.now() + 86_400_000).toISOString() } }, 'leadership');
      expect(key.body.errors).toEqual([{ field: 'dueDates.Not a key', message: 'expected a task key of the plan' }]);

      const cancel = await refused(`/api/projects/${awaiting}/cancel`, {});
      expect(cancel.body.errors).toEqual([{ field: 'reason', message: 'required' }]);
      expect(cancel.body.detail).toBe('reason: required');
    });
    await unchanged(producing, async () => {
      // "at least 0" (any amount) and "must be positive" (a payment's): one message, the payment's rule.
      const negative = await refused(`/api/projects/${producing}/payments`, { invoiceNumber: prepaymentNumber, amount: -5, paidAt: new Date().toISOString(), reference: uniqueId('ref') });
      expect(negative.body.errors).toEqual([{ field: 'amount', message: 'must be positive' }]);
      expect(negative.body.detail).toBe('amount: must be positive');
      // A row of zeros too many: refused at its field, never on a receipt.
      const huge = await refused(`/api/projects/${producing}/payments`, { invoiceNumber: prepaymentNumber, amount: 120_000_000_000, paidAt: new Date().toISOString(), reference: uniqueId('ref') });
      expect(huge.body.errors).toEqual([{ field: 'amount', message: 'must be at most 10,000,000,000' }]);
    });
    // A duration neither a number nor text: what it may be, not "Invalid input".
    const before = await listed();
    const duration = await refused('/api/projects', projectRequest({ policy: { approvalSla: true } }));
    expect(duration.body.errors).toEqual([{ field: 'policy.approvalSla', message: 'expected a number or text' }]);
    const missingDate = await refused('/api/projects', { ...projectRequest(), desiredDeadline: undefined });
    expect(missingDate.body.errors).toEqual([{ field: 'desiredDeadline', message: 'required' }]);
    expect(await listed()).toBe(before);
  });
});
