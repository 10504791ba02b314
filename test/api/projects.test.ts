/**
 * Opening projects idempotently, listing them from visibility with filters and pages, and the
 * portfolio report's counts. Each test uses its own client id and this file's own managers, so
 * other test files sharing the dev server do not disturb the numbers.
 */
import { respondBy } from '../../api/routes/client-view';
import type { ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectInClientReview, projectRequest, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

interface ListBody {
  items: { projectId: string; stage?: string; clientId?: string; segment?: string; title?: string; managerId?: string; overdue: boolean }[];
  nextPageToken?: string;
}

const list = async (query: Record<string, string | number>, who: 'manager' | 'otherManager' | 'leadership' = 'manager') =>
  (await h.http().get('/api/projects').query(query).set(h.auth(who)).expect(200)).body as ListBody;

describe('POST /api/projects', () => {
  test('creates a project: 201, Location, the workflow\u2019s own snapshot, policy resolved from config and overrides', async () => {
    const res = await h
      .http()
      .post('/api/projects')
      .set(h.auth('manager'))
      .send(projectRequest({ policy: { approvalSla: '90s', paymentTerms: 3_600_000 } }))
      .expect(201)
      .expect('Content-Type', /application\/json/);
    const body = res.body as ProjectStatus;
    expect(body.projectId).toMatch(/^p-[a-z2-7]{10}$/);
    expect(res.headers.location).toBe(`/api/projects/${body.projectId}`);
    expect(body).toMatchObject({ stage: 'planning', managerId: h.people.manager.id, title: 'Spring campaign' });
    expect(body.policy).toEqual({
      approvalSlaMs: 90_000,
      escalationSlaMs: h.config.POLICY_ESCALATION_SLA,
      reminderLeadMs: h.config.POLICY_REMINDER_LEAD,
      overdueGraceMs: h.config.POLICY_OVERDUE_GRACE,
      acceptanceWindowMs: h.config.POLICY_ACCEPTANCE_WINDOW,
      paymentTermsMs: 3_600_000,
      paymentEscalationMs: h.config.POLICY_PAYMENT_ESCALATION,
      complaintResolutionMs: h.config.POLICY_COMPLAINT_RESOLUTION,
      reviewSlaMs: h.config.POLICY_REVIEW_SLA,
      planningSlaMs: h.config.POLICY_PLANNING_SLA,
      startAfterPrepayment: h.config.POLICY_START_AFTER_PREPAYMENT,
      complaintWindowMs: h.config.POLICY_COMPLAINT_WINDOW,
    });
    const again = await h.http().get(res.headers.location).set(h.auth('manager')).expect(200);
    expect(again.body.projectId).toBe(body.projectId);
  });

  test('concurrent identical requests with one Idempotency-Key create one project', async () => {
    const key = uniqueId('key');
    const request = projectRequest();
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => h.http().post('/api/projects').set(h.auth('manager')).set('Idempotency-Key', key).send(request)),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 201]);
    const ids = new Set(responses.map((r) => (r.body as ProjectStatus).projectId));
    expect(ids.size).toBe(1);
    const [projectId] = [...ids];
    for (const r of responses) expect(r.headers.location).toBe(`/api/projects/${projectId}`);

    const clientId = (request.client as { id: string }).id;
    const listed = await eventually(async () => {
      const page = await list({ clientId });
      return page.items.length > 0 ? page : undefined;
    }, { what: 'the project in the list' });
    await new Promise((r) => setTimeout(r, 500));
    expect((await list({ clientId })).items.map((i) => i.projectId)).toEqual([projectId]);
    expect(listed.items[0]).toMatchObject({ projectId, clientId, title: 'Spring campaign', managerId: h.people.manager.id });

    // The same key later, after the project ended, still names that project (its id is never reused).
    await h.http().post(`/api/projects/${projectId}/cancel`).set(h.auth('manager')).send({ reason: 'client withdrew' }).expect(200);
    await eventually(async () => {
      const d = await h.temporal.client.workflow.getHandle(`project-${projectId}`).describe();
      return d.status.name !== 'RUNNING';
    }, { what: 'the cancelled project to close' });
    const replay = await h.http().post('/api/projects').set(h.auth('manager')).set('Idempotency-Key', key).send(request).expect(200);
    expect(replay.body).toMatchObject({ projectId, stage: 'cancelled' });
  });

  test('the same Idempotency-Key with another body is 422 and creates nothing', async () => {
    const key = uniqueId('key');
    const first = projectRequest();
    const created = await h.http().post('/api/projects').set(h.auth('manager')).set('Idempotency-Key', key).send(first).expect(201);
    const other = projectRequest({ title: 'Something else' });
    const res = await h.http().post('/api/projects').set(h.auth('manager')).set('Idempotency-Key', key).send(other).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, type: 'urn:agencyflow:problem:idempotency-key-conflict' });
    expect(res.body.detail).toContain(created.body.projectId);
    // The original is untouched.
    const still = await h.http().get(`/api/projects/${created.body.projectId}`).set(h.auth('manager')).expect(200);
    expect(still.body.title).toBe('Spring campaign');
    // Another manager's same key is their own, separate project.
    const theirs = await h.http().post('/api/projects').set(h.auth('otherManager')).set('Idempotency-Key', key).send(first).expect(201);
    expect(theirs.body.projectId).not.toBe(created.body.projectId);
  });
});

describe('Idempotency-Key on actions', () => {
  test('a key retried with its request answers as the first time; the key with another request is 422 and changes nothing', async () => {
    const projectId = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body.projectId as string;
    const key = uniqueId('plan-key');
    const putPlan = (plan: Record<string, unknown>) =>
      h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).set('Idempotency-Key', key).send(plan);
    const plan = planRequest();
    const first = await putPlan(plan).expect(200);
    const again = await putPlan(plan).expect(200);
    expect(again.body).toEqual(first.body);

    // Another plan under the same key: Temporal alone would answer with the first plan's outcome.
    const other = await putPlan(planRequest({ includedRevisionRounds: 3 }));
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(other.body).toMatchObject({ type: 'urn:agencyflow:problem:idempotency-key-conflict', title: 'Idempotency-Key reused with another request' });
    const now = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    expect(now.plans).toHaveLength(1);
    expect(now.plans[0].includedRevisionRounds).toBe(1);
    expect(now.version).toBe((first.body as ProjectStatus).version);

    // The same key on another action, or from leadership, is a key of its own.
    await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).set('Idempotency-Key', key).send({ planVersion: 1, decision: 'reject', comment: 'Too few rounds' }).expect(200);
    const changed = await h
      .http()
      .post(`/api/projects/${projectId}/plan/decision`)
      .set(h.auth('leadership'))
      .set('Idempotency-Key', key)
      .send({ planVersion: 1, decision: 'approve' });
    expect(changed.status).toBe(422);
    const after = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('leadership')).expect(200)).body as ProjectStatus;
    expect(after.plans[0].decision).toMatchObject({ decision: 'reject' });
  });

  test('two requests with one key at the same moment: one body wins, the other is 422 or the same answer', async () => {
    const projectId = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body.projectId as string;
    const key = uniqueId('race-key');
    const [a, b] = await Promise.all(
      [1, 2].map((rounds) =>
        h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).set('Idempotency-Key', key).send(planRequest({ includedRevisionRounds: rounds })),
      ),
    );
    expect([a.status, b.status].sort()).toEqual([200, 422]);
    const won = (a.status === 200 ? a : b).body as ProjectStatus;
    const now = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    expect(now.plans).toHaveLength(1);
    expect(now.plans[0].includedRevisionRounds).toBe(won.plans[0].includedRevisionRounds);
  });
});

describe('POST /api/projects/:id/handover', () => {
  test('a manager hands a project to another manager: the project, its tasks (an ended one too) and their review go along; bad requests change nothing', async () => {
    const projectId = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body.projectId as string;
    await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
    await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
    const design = `${projectId}.design-home`;
    const copy = `${projectId}.copy-home`;
    await waitForTask(h, design, 'open');
    await h.http().post(`/api/tasks/${design}/claim`).set(h.auth('designer')).expect(200);
    await h.http().post(`/api/tasks/${design}/submit`).set(h.auth('designer')).send({ summary: 'Mock-ups', links: [] }).expect(200);
    await h.http().post(`/api/tasks/${design}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
    await waitForTask(h, copy, 'open');

    const handOver = (who: 'manager' | 'otherManager' | 'leadership' | 'designer', body: object, key?: string) => {
      const req = h.http().post(`/api/projects/${projectId}/handover`).set(h.auth(who));
      return (key ? req.set('Idempotency-Key', key) : req).send(body);
    };
    const fieldOf = (res: { body: { errors?: { field: string; message: string }[] } }) => res.body.errors?.map((e) => e.field);
    const nobody = await handOver('leadership', { toManagerId: 'nobody.here' }).expect(400);
    expect(fieldOf(nobody)).toEqual(['toManagerId']);
    const notAManager = await handOver('leadership', { toManagerId: h.people.designer.id }).expect(400);
    expect(notAManager.body.errors[0].message).toMatch(/department staff, not a manager$/);
    expect(fieldOf(await handOver('leadership', {}).expect(400))).toEqual(['toManagerId']);
    expect(fieldOf(await handOver('leadership', { toManagerId: h.people.manager.id }).expect(400))).toEqual(['toManagerId']);
    await handOver('designer', { toManagerId: h.people.otherManager.id }).expect(403);
    await handOver('otherManager', { toManagerId: h.people.otherManager.id }).expect(403);
    const unchanged = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    expect(unchanged.managerId).toBe(h.people.manager.id);
    expect(unchanged.timeline.map((e) => e.event)).not.toContain('handed_over');

    // The manager hands it over; retried with its key (the answer was lost), the handover answers as
    // the first time, though the project is no longer theirs. Without the key, or with another body, it is refused.
    const key = uniqueId('handover');
    const body = { toManagerId: h.people.otherManager.id, note: 'Anna is on leave until March' };
    const first = await handOver('manager', body, key).expect(200);
    expect(first.body).toMatchObject({ managerId: h.people.otherManager.id });
    expect((await handOver('manager', body, key).expect(200)).body).toEqual(first.body);
    await handOver('manager', body).expect(403);
    await handOver('manager', { ...body, note: 'another' }, key).expect(403);

    // The manager before no longer sees it; the new one sees the project and every task, the ended one too.
    await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(403);
    await h.http().get(`/api/tasks/${design}`).set(h.auth('manager')).expect(403);
    expect((await h.http().get(`/api/projects/${projectId}`).set(h.auth('otherManager')).expect(200)).body.managerId).toBe(h.people.otherManager.id);
    expect((await h.http().get(`/api/tasks/${design}`).set(h.auth('otherManager')).expect(200)).body.status).toBe('accepted');
    await eventually(
      async () => {
        const mine = (await h.http().get('/api/tasks').query({ projectId }).set(h.auth('otherManager')).expect(200)).body.items as { taskId: string; managerId?: string }[];
        const theirs = (await h.http().get('/api/tasks').query({ projectId }).set(h.auth('manager')).expect(200)).body.items as unknown[];
        return mine.length === 2 && theirs.length === 0 ? true : undefined;
      },
      { what: 'both tasks listed for the new manager only', timeoutMs: 30_000 },
    );
    expect((await list({ clientId: unchanged.client.id }, 'otherManager')).items.map((p) => p.projectId)).toEqual([projectId]);

    // The running task's delivery is the new manager's to review; the one before is refused.
    await h.http().post(`/api/tasks/${copy}/claim`).set(h.auth('copywriter')).expect(200);
    await h.http().post(`/api/tasks/${copy}/submit`).set(h.auth('copywriter')).send({ summary: 'Copy', links: [] }).expect(200);
    await h.http().post(`/api/tasks/${copy}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(403);
    const accepted = await h.http().post(`/api/tasks/${copy}/review`).set(h.auth('otherManager')).send({ decision: 'accept' }).expect(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', managerId: h.people.otherManager.id });
  });
});

describe('the client\u2019s link', () => {
  test('opens the one project, as its client sees it: where the work stands, what was delivered to them, their documents; a wrong key opens nothing', async () => {
    const projectId = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: 'Client link' })).expect(201)).body.projectId as string;
    const other = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body.projectId as string;
    await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
    await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);

    const link = async (who: 'manager' | 'leadership', id = projectId) =>
      new URL((await h.http().get(`/api/projects/${id}/client-link`).set(h.auth(who)).expect(200)).body.url as string);
    const url = await link('manager');
    expect(url.pathname).toBe(`/client/${projectId}`);
    expect((await link('leadership')).href).toBe(url.href);
    const refused = await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('otherManager')).expect(403);
    expect(refused.body.detail).toMatch(/managed by .+ now/);
    await h.http().get('/api/projects/no-such-project/client-link').set(h.auth('leadership')).expect(404);
    const key = url.searchParams.get('key')!;
    const otherKey = (await link('manager', other)).searchParams.get('key')!;
    expect(otherKey).not.toBe(key);

    // No token: the key is the access. A wrong key, another project's key and an unknown project are one 404.
    // So is a key of no key's form (a link a mail program cut short or mangled): the client cannot tell them apart.
    const view = (id: string, k?: string) => h.http().get(`/api/client/projects/${id}`).query(k === undefined ? {} : { key: k });
    const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    const malformed = ['wrongkey', '', key.slice(0, 20), `${key}x`, `${key.slice(0, -1)}.`, `${key.slice(0, -1)}%`];
    for (const [id, k] of [[projectId, wrong], [projectId, otherKey], ['p-nosuchproject', key], ...malformed.map((m) => [projectId, m] as const)] as const) {
      const res = await view(id, k);
      expect({ key: k, status: res.status, detail: res.body.detail }).toEqual({
        key: k,
        status: 404,
        detail: 'This link does not open a project. Ask your account manager for the current one.',
      });
      // A document through such a link: the same.
      const doc = await h.http().get(`/api/client/projects/${id}/documents/d-anything`).query({ key: k });
      expect({ key: k, status: doc.status, detail: doc.body.detail }).toEqual({ key: k, status: 404, detail: res.body.detail });
    }
    expect((await view(projectId)).status).toBe(400);

    // Once the contract is made (an activity after the approval).
    const inProduction = await eventually(
      async () => {
        const body = (await view(projectId, key).expect(200)).body;
        return body.documents.some((d: { kind: string }) => d.kind === 'contract') ? body : undefined;
      },
      { what: 'the contract on the client\u2019s page', timeoutMs: 30_000 },
    );
    expect(inProduction).toMatchObject({
      projectId,
      title: 'Client link',
      clientName: 'ACME Ltd',
      stage: 'in_production',
      manager: { name: h.directory.get(h.people.manager.id)!.name },
      plan: { total: 2000, currency: 'EUR', prepaymentPercent: 0, includedRevisionRounds: 1 },
      work: [
        { title: 'Home page design', department: 'design', progress: 'planned' },
        { title: 'Home page copy', department: 'copywriting', progress: 'planned' },
      ],
      invoices: [],
    });
    // Nothing internal: no people's ids, per-task prices, timeline or comments.
    const text = JSON.stringify(inProduction);
    for (const internal of ['managerId', 'assigneeId', 'price', 'timeline', 'brief', 'Landing page and ads']) expect(text).not.toContain(internal);
    const contract = inProduction.documents.find((d: { kind: string }) => d.kind === 'contract');
    const pdf = await h.http().get(contract.href).buffer(true).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    // A link that came back through a newsletter tool or a tracker, with parameters of its own added:
    // the page and its documents still open (the extra parameters are ignored, not refused).
    const tracked = { utm_source: 'newsletter', utm_medium: 'email', fbclid: 'IwAR0x' };
    expect((await view(projectId, key).query(tracked).expect(200)).body.projectId).toBe(projectId);
    expect((await h.http().get(contract.href).query(tracked).buffer(true).expect(200)).body.subarray(0, 5).toString()).toBe('%PDF-');
    // …and a wrong key with them is still the one 404.
    expect((await view(projectId, wrong).query(tracked)).status).toBe(404);
    // The same document through another project's key: nothing.
    await h.http().get(contract.href.replace(`key=${key}`, `key=${otherKey}`)).expect(404);

    // Once the work is with the client: what was delivered, and by when they are asked to answer.
    for (const [task, who] of [
      [`${projectId}.design-home`, 'designer'],
      [`${projectId}.copy-home`, 'copywriter'],
    ] as const) {
      await waitForTask(h, task, 'open');
      await h.http().post(`/api/tasks/${task}/claim`).set(h.auth(who)).expect(200);
      await h.http().post(`/api/tasks/${task}/submit`).set(h.auth(who)).send({ summary: `${who} work`, links: [`https://files.example/${who}`] }).expect(200);
      await h.http().post(`/api/tasks/${task}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
    }
    const inReview = await eventually(
      async () => {
        const body = (await view(projectId, key).expect(200)).body;
        return body.stage === 'client_review' && body.work.every((w: { delivered?: unknown }) => w.delivered) ? body : undefined;
      },
      { what: 'the work delivered to the client', timeoutMs: 30_000 },
    );
    expect(inReview.work.map((w: { progress: string; delivered: unknown }) => [w.progress, w.delivered])).toEqual([
      ['done', { summary: 'designer work', links: ['https://files.example/designer'] }],
      ['done', { summary: 'copywriter work', links: ['https://files.example/copywriter'] }],
    ]);
    expect(Date.parse(inReview.respondBy)).toBeGreaterThan(Date.now());
  });

  test('a compensation\u2019s credit note taken off an unpaid invoice: the client reads what was taken off which invoice, what they paid and what is refunded, not a plain refund', async () => {
    const projectId = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: 'Client set-off', departments: ['design'] })).expect(201)).body
      .projectId as string;
    const plan = planRequest();
    await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send({ ...plan, tasks: [(plan.tasks as object[])[0]] }).expect(200);
    await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
    const task = `${projectId}.design-home`;
    await waitForTask(h, task, 'open');
    await h.http().post(`/api/tasks/${task}/claim`).set(h.auth('designer')).expect(200);
    await h.http().post(`/api/tasks/${task}/submit`).set(h.auth('designer')).send({ summary: 'Done', links: [] }).expect(200);
    await h.http().post(`/api/tasks/${task}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
    const get = async () => (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    await eventually(async () => (await get()).stage === 'client_review', { what: 'client review', timeoutMs: 30_000 });
    await h.http().post(`/api/projects/${projectId}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 4 }).expect(200);
    const final = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'final'), { what: 'the final invoice', timeoutMs: 30_000 });
    // The client paid 1,000 of the 1,200; then complained, and 500 back was agreed: 200 is taken off what they still owe, 300 goes back.
    await h.http().post(`/api/projects/${projectId}/payments`).set(h.auth('manager')).send({ invoiceNumber: final.number, amount: 1_000, paidAt: new Date().toISOString(), reference: `${projectId}-part` }).expect(200);
    await h.http().post(`/api/projects/${projectId}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The icons are blurry.' }).expect(200);
    await h.http().post(`/api/projects/${projectId}/complaints/c1/resolution`).set(h.auth('manager')).send({ resolution: 'Icons redrawn; 500 back.', compensation: 500 }).expect(200);
    const credit = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'credit_note'), { what: 'the credit note', timeoutMs: 30_000 });

    const key = new URL((await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
    type Invoices = { number: string; status: string; amount: number; paid: number; stillOwed: number; setOffs: unknown[] }[];
    const invoices = async () => (await h.http().get(`/api/client/projects/${projectId}`).query({ key }).expect(200)).body.invoices as Invoices;
    const seen = await eventually(async () => {
      const now = await invoices();
      return now.some((i) => i.number === credit.number) && now.every((i) => i.number !== final.number || i.status === 'paid') ? now : undefined;
    }, { what: 'the credit note on the client\u2019s page', timeoutMs: 30_000 });
    expect(seen).toEqual([
      expect.objectContaining({ number: final.number, amount: 1_200, status: 'paid', paid: 1_000, stillOwed: 0, setOffs: [{ invoiceNumber: credit.number, amount: 200 }] }),
      // Its due date is when the refund is owed by (the page: "Refund by …"; the client pays nothing on it).
      expect.objectContaining({ number: credit.number, amount: 500, status: 'open', paid: 0, stillOwed: 300, dueAt: credit.dueAt, setOffs: [{ invoiceNumber: final.number, amount: 200 }] }),
    ]);

    // The 300 refunded: paid back is what moved, the 200 stays taken off the invoice.
    await h.http().post(`/api/projects/${projectId}/payments`).set(h.auth('manager')).send({ invoiceNumber: credit.number, amount: 300, paidAt: new Date().toISOString(), reference: `${projectId}-refund` }).expect(200);
    const refunded = await eventually(async () => (await invoices()).find((i) => i.number === credit.number && i.status === 'paid'), { what: 'the refund on the client\u2019s page', timeoutMs: 30_000 });
    expect(refunded).toMatchObject({ paid: 300, stillOwed: 0, setOffs: [{ invoiceNumber: final.number, amount: 200 }] });
  });

  test('a complaint after completion sent back to the department that did the work: the client\u2019s view says which work is redone and by when, then when it was; resolved, no longer; never the instruction, the task or who does it', async () => {
    const projectId = await projectInClientReview(h, { title: 'Client rework', policy: { complaintWindow: '10m' } });
    const get = async () => (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    await h.http().post(`/api/projects/${projectId}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 5 }).expect(200);
    const final = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'final'), { what: 'the final invoice', timeoutMs: 30_000 });
    await h.http().post(`/api/projects/${projectId}/payments`).set(h.auth('manager')).send({ invoiceNumber: final.number, amount: final.amount, paidAt: new Date().toISOString(), reference: `${projectId}-final` }).expect(200);
    await eventually(async () => (await get()).stage === 'completed', { what: 'the project completed', timeoutMs: 30_000 });
    await h.http().post(`/api/projects/${projectId}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The banner is cut off on phones' }).expect(200);
    const instruction = 'Re-crop the hero for 390 px screens';
    const dueAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const reworked = (await h.http().post(`/api/projects/${projectId}/complaints/c1/rework`).set(h.auth('manager')).send({ departments: ['design'], description: instruction, dueAt }).expect(200)).body as ProjectStatus;
    const complaint = reworked.complaints[0];

    const key = new URL((await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
    type View = { complaintsBeingPutRight: { complaintAt: string; complaintAbout: string; work: { department: string; dueAt: string; redoneAt?: string }[] }[] };
    const view = async () => (await h.http().get(`/api/client/projects/${projectId}`).query({ key }).expect(200)).body as View;
    const redoing = await eventually(async () => {
      const now = await view();
      return now.complaintsBeingPutRight.length > 0 ? now : undefined;
    }, { what: 'the work being redone in the client\u2019s view', timeoutMs: 30_000 });
    expect(redoing.complaintsBeingPutRight).toEqual([{ complaintAt: complaint.at, complaintAbout: 'The banner is cut off on phones', work: [{ department: 'design', dueAt }] }]);
    // Nothing of the agency's own: what the department was told, the fix's task, who does it.
    const said = JSON.stringify(redoing);
    for (const internal of [instruction, 'c1.design', 'requestedBy', 'taskKeys']) expect([internal, said.includes(internal)]).toEqual([internal, false]);

    const fix = `${projectId}.c1.design`;
    await waitForTask(h, fix, 'open');
    await h.http().post(`/api/tasks/${fix}/claim`).set(h.auth('designer')).expect(200);
    await h.http().post(`/api/tasks/${fix}/submit`).set(h.auth('designer')).send({ summary: 'Re-cropped', links: [] }).expect(200);
    await h.http().post(`/api/tasks/${fix}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
    const redone = await eventually(async () => {
      const now = await view();
      return now.complaintsBeingPutRight[0]?.work[0]?.redoneAt ? now : undefined;
    }, { what: 'the work redone in the client\u2019s view', timeoutMs: 30_000 });
    const acceptedAt = (await get()).tasks.find((t) => t.taskId === fix)!.acceptedAt;
    expect(redone.complaintsBeingPutRight).toEqual([{ complaintAt: complaint.at, complaintAbout: 'The banner is cut off on phones', work: [{ department: 'design', dueAt, redoneAt: acceptedAt }] }]);
    expect(JSON.stringify(redone)).not.toContain(h.people.designer.id);

    // Resolved: no longer being put right (with no compensation, nothing more to say).
    await h.http().post(`/api/projects/${projectId}/complaints/c1/resolution`).set(h.auth('manager')).send({ resolution: 'Banner re-cropped' }).expect(200);
    const resolved = await eventually(async () => {
      const now = await view();
      return now.complaintsBeingPutRight.length === 0 ? now : undefined;
    }, { what: 'the resolved complaint out of the client\u2019s view', timeoutMs: 30_000 });
    expect(resolved).toMatchObject({ stage: 'completed', compensations: [] });
  });

  test('while the work waits for the prepayment, the client\u2019s view names the invoice it waits for; once it is paid, the work starts and the view no longer does', async () => {
    const projectId = (
      await h
        .http()
        .post('/api/projects')
        .set(h.auth('manager'))
        .send(projectRequest({ title: 'Client prepayment first', policy: { startAfterPrepayment: true } }))
        .expect(201)
    ).body.projectId as string;
    await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest({ prepaymentPercent: 40 })).expect(200);
    await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
    const key = new URL((await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
    const view = async () => (await h.http().get(`/api/client/projects/${projectId}`).query({ key }).expect(200)).body;
    const waiting = await eventually(async () => {
      const body = await view();
      return body.waitingForPrepayment ? body : undefined;
    }, { what: 'the prepayment the work waits for on the client\u2019s view', timeoutMs: 30_000 });
    const prepayment = waiting.invoices.find((i: { kind: string }) => i.kind === 'prepayment');
    expect(waiting).toMatchObject({
      stage: 'in_production',
      waitingForPrepayment: { invoiceNumber: prepayment.number, stillOwed: 800, currency: 'EUR', dueAt: prepayment.dueAt },
      work: [{ progress: 'planned' }, { progress: 'planned' }],
    });

    // A project that starts its work without waiting: never said to wait, its prepayment open or not.
    const other = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ policy: { startAfterPrepayment: false } })).expect(201)).body.projectId as string;
    await h.http().put(`/api/projects/${other}/plan`).set(h.auth('manager')).send(planRequest({ prepaymentPercent: 40 })).expect(200);
    await h.http().post(`/api/projects/${other}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
    const otherKey = new URL((await h.http().get(`/api/projects/${other}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
    const otherView = await eventually(async () => {
      const body = (await h.http().get(`/api/client/projects/${other}`).query({ key: otherKey }).expect(200)).body;
      return body.invoices.some((i: { kind: string; status: string }) => i.kind === 'prepayment' && i.status === 'open') ? body : undefined;
    }, { what: 'the other project\u2019s open prepayment', timeoutMs: 30_000 });
    expect(otherView.waitingForPrepayment).toBeUndefined();

    await h
      .http()
      .post(`/api/projects/${projectId}/payments`)
      .set(h.auth('manager'))
      .send({ invoiceNumber: prepayment.number, amount: 800, paidAt: new Date().toISOString(), reference: `${projectId}-prepayment` })
      .expect(200);
    const started = await eventually(async () => {
      const body = await view();
      return body.invoices.some((i: { number: string; status: string }) => i.number === prepayment.number && i.status === 'paid') ? body : undefined;
    }, { what: 'the prepayment paid on the client\u2019s view', timeoutMs: 30_000 });
    expect(started.waitingForPrepayment).toBeUndefined();
  });

  test('a new link ends the old one at once; a retried renewal gives the same new link; a stale or bad one changes nothing', async () => {
    // The new project's copies reach the store only 2 s late, as on a busy machine: the manager
    // copies the link as soon as the project exists (its manager is read from the start event).
    const publish = h.reporting.publish.bind(h.reporting);
    const late = jest.spyOn(h.reporting, 'publish').mockImplementation(async (record) => {
      if (record.kind === 'project' && record.snapshot?.title === 'Renewed link') await new Promise((resolve) => setTimeout(resolve, 2_000));
      return publish(record);
    });
    const projectId = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: 'Renewed link' })).expect(201)).body.projectId as string;
    const read = async () => (await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body as { url: string; generation: number };
    const opens = async (url: string) => (await h.http().get(`/api/client/projects/${projectId}`).query({ key: new URL(url).searchParams.get('key') })).status;
    const first = await read().finally(() => late.mockRestore());
    expect(first.generation).toBe(0);
    await eventually(async () => (await opens(first.url)) === 200, { what: 'the project on the client\u2019s page' });

    const renew = (body: object, who: 'manager' | 'leadership' | 'otherManager' = 'manager', key?: string) => {
      const req = h.http().post(`/api/projects/${projectId}/client-link`).set(h.auth(who));
      return (key ? req.set('Idempotency-Key', key) : req).send(body);
    };
    // Refused requests first: none of them renews anything.
    for (const [body, who, status, field] of [
      [{}, 'manager', 400, 'replaces'],
      [{ replaces: -1 }, 'manager', 400, 'replaces'],
      [{ replaces: 'zero' }, 'manager', 400, 'replaces'],
      [{ replaces: 0, extra: true }, 'manager', 400, 'extra'],
      [{ replaces: 0 }, 'otherManager', 403, undefined],
      [{ replaces: 3 }, 'manager', 409, undefined],
    ] as const) {
      const res = await renew(body, who);
      expect({ body, status: res.status, type: res.headers['content-type'] }).toEqual({ body, status, type: expect.stringContaining('application/problem+json') });
      if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await read()).toEqual(first);

    const key = uniqueId('renew');
    const renewed = (await renew({ replaces: 0 }, 'manager', key).expect(200)).body as { url: string; generation: number };
    expect(renewed.generation).toBe(1);
    expect(renewed.url).not.toBe(first.url);
    expect(await opens(renewed.url)).toBe(200);
    expect(await opens(first.url)).toBe(404);
    expect(await read()).toEqual(renewed);
    // A retry (same Idempotency-Key): the same new link, nothing renewed twice.
    expect((await renew({ replaces: 0 }, 'manager', key).expect(200)).body).toEqual(renewed);
    expect(await opens(renewed.url)).toBe(200);
    // Someone else renewing from the link already replaced (a page open since before): told, and
    // nothing changes — they must not believe they ended the link now in use.
    const stale = await renew({ replaces: 0 }, 'leadership', uniqueId('renew')).expect(409);
    expect(stale.body).toMatchObject({ type: 'urn:agencyflow:problem:stale-client-link', detail: expect.stringContaining('nothing changed') });
    expect(await read()).toEqual(renewed);
    // The key of the first renewal sent with another body: 422, nothing changes.
    expect((await renew({ replaces: 1 }, 'manager', key).expect(422)).body.type).toBe('urn:agencyflow:problem:idempotency-key-conflict');
    expect(await read()).toEqual(renewed);
    const again = (await renew({ replaces: 1 }, 'leadership', uniqueId('renew')).expect(200)).body as { url: string; generation: number };
    expect(again.generation).toBe(2);
    expect(await opens(again.url)).toBe(200);
    expect(await opens(renewed.url)).toBe(404);
  });

  test('the client answers on their page: a bad answer is 400 at its field and changes nothing; an acceptance is recorded once with its key, by the client with their name; then only a complaint is heard', async () => {
    const projectId = await projectInClientReview(h, { title: 'Client answers on the page' });
    const key = new URL((await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
    const answer = (body: object, idempotencyKey?: string, k = key) => {
      const req = h.http().post(`/api/client/projects/${projectId}/answers`).query({ key: k });
      return (idempotencyKey ? req.set('Idempotency-Key', idempotencyKey) : req).send(body);
    };
    const project = async () => (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    const before = await eventually(async () => {
      const body = (await h.http().get(`/api/client/projects/${projectId}`).query({ key }).expect(200)).body;
      return body.stage === 'client_review' ? body : undefined;
    }, { what: 'the client\u2019s view in review', timeoutMs: 30_000 });
    expect(before).toMatchObject({ mayAnswer: { accept: true, complain: true, askForChanges: true }, answeredHere: [], changeRequests: [] });

    // A wrong key answers nothing, as it opens nothing.
    const wrong = await answer({ kind: 'accepted', name: 'Jane Doe', rating: 4 }, undefined, key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')).expect(404);
    expect(wrong.body.detail).toBe('This link does not open a project. Ask your account manager for the current one.');
    // Bad answers: refused at their fields; a round of changes (departments, dates) is not answered here.
    const bad = await answer({ kind: 'accepted', name: '  ', rating: 6 }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'rating']);
    const changes = await answer({ kind: 'revisions_requested', name: 'Jane Doe', description: 'bigger logo' }).expect(400);
    expect(changes.body.errors).toEqual([expect.objectContaining({ field: 'kind', message: 'expected "accepted", "changes" or "complaint"' })]);
    const version = (await project()).version;
    expect((await project()).feedback).toEqual([]);

    const idempotencyKey = uniqueId('answer');
    const accepted = (await answer({ kind: 'accepted', name: ' Jane Doe ', rating: 4, comment: 'Good work' }, idempotencyKey).expect(200)).body;
    expect(accepted).toMatchObject({
      mayAnswer: { accept: false, complain: true, askForChanges: false },
      answeredHere: [{ kind: 'accepted', name: 'Jane Doe', rating: 4, comment: 'Good work' }],
    });
    expect(['invoicing', 'closing', 'completed']).toContain(accepted.stage);
    // Retried with its key: the same answer, recorded once. The key with another answer: 422, nothing changes.
    expect((await answer({ kind: 'accepted', name: ' Jane Doe ', rating: 4, comment: 'Good work' }, idempotencyKey).expect(200)).body.answeredHere).toHaveLength(1);
    expect((await answer({ kind: 'accepted', name: 'Jane Doe', rating: 2 }, idempotencyKey).expect(422)).body.type).toBe('urn:agencyflow:problem:idempotency-key-conflict');
    const after = await project();
    expect(after.version).toBeGreaterThan(version);
    expect(after.feedback).toEqual([expect.objectContaining({ kind: 'accepted', rating: 4, recordedBy: expect.stringMatching(/^client:/), clientContact: 'Jane Doe' })]);
    // Accepted already: a second acceptance is 409 and changes nothing.
    const again = await answer({ kind: 'accepted', name: 'John Roe', rating: 5 }, uniqueId('answer')).expect(409);
    expect(again.body).toMatchObject({ type: 'urn:agencyflow:problem:wrong-stage', detail: expect.stringContaining('The work is not waiting for your review now') });
    expect((await project()).feedback).toHaveLength(1);

    // A complaint is heard while the work is paid for.
    const complained = (await answer({ kind: 'complaint', name: 'John Roe', description: 'The invoice names the wrong company' }, uniqueId('answer')).expect(200)).body;
    expect(complained.answeredHere).toEqual([
      expect.objectContaining({ kind: 'accepted', name: 'Jane Doe' }),
      expect.objectContaining({ kind: 'complaint', name: 'John Roe', description: 'The invoice names the wrong company' }),
    ]);
    expect((await project()).complaints).toEqual([expect.objectContaining({ description: 'The invoice names the wrong company', clientContact: 'John Roe' })]);
  });

  test('the client asks for changes on their page: they wait for the manager, the review period stops; a second is refused in their words; the manager answers without a round, and the page shows why', async () => {
    const projectId = await projectInClientReview(h, { title: 'Client asks for changes' });
    const key = new URL((await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
    const answer = (body: object, idempotencyKey = uniqueId('answer')) =>
      h.http().post(`/api/client/projects/${projectId}/answers`).query({ key }).set('Idempotency-Key', idempotencyKey).send(body);
    const declineAs = (who: 'manager' | 'leadership', requestId: string, body: object, idempotencyKey = uniqueId('decline')) =>
      h.http().post(`/api/projects/${projectId}/change-requests/${requestId}/decline`).set(h.auth(who)).set('Idempotency-Key', idempotencyKey).send(body);
    const project = async () => (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    const inReview = await eventually(async () => {
      const body = (await h.http().get(`/api/client/projects/${projectId}`).query({ key }).expect(200)).body;
      return body.stage === 'client_review' ? body : undefined;
    }, { what: 'the client\u2019s view in review', timeoutMs: 30_000 });
    expect(inReview.respondBy).toBeDefined();

    // Nothing said, no name: 400 at the fields, nothing recorded.
    const bad = await answer({ kind: 'changes', name: '', description: '  ' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['description', 'name']);
    expect((await project()).changeRequests).toBeUndefined();

    const idempotencyKey = uniqueId('answer');
    const asked = (await answer({ kind: 'changes', name: 'Jane Doe', description: 'A bigger logo, please' }, idempotencyKey).expect(200)).body;
    expect(asked).toMatchObject({
      stage: 'client_review',
      mayAnswer: { accept: true, complain: true, askForChanges: false },
      changeRequests: [{ name: 'Jane Doe', description: 'A bigger logo, please', recordedByManager: false, status: 'waiting' }],
      answeredHere: [],
    });
    // The review period is paused: no date to answer by while the manager has the request.
    expect(asked.respondBy).toBeUndefined();
    // Retried with its key: the same page, one request.
    expect((await answer({ kind: 'changes', name: 'Jane Doe', description: 'A bigger logo, please' }, idempotencyKey).expect(200)).body.changeRequests).toHaveLength(1);
    // A second while the first waits: 409 in the client's words, nothing recorded.
    const second = await answer({ kind: 'changes', name: 'John Roe', description: 'And a darker blue' }).expect(409);
    expect(second.body).toMatchObject({ title: 'Your earlier request is with your account manager', detail: expect.stringContaining('nothing new was recorded') });
    expect((await project()).changeRequests).toEqual([expect.objectContaining({ requestId: 'r1', clientContact: 'Jane Doe', description: 'A bigger logo, please' })]);

    // The manager answers without a round: the reply is needed, the request must be one of the project's, and it is the manager's to give.
    expect((await declineAs('manager', 'r1', { reply: ' ' }).expect(400)).body.errors).toEqual([expect.objectContaining({ field: 'reply' })]);
    expect((await declineAs('manager', 'r7', { reply: 'No.' }).expect(404)).body.detail).toContain('r7');
    await declineAs('leadership', 'r1', { reply: 'No.' }).expect(403);
    const replyKey = uniqueId('decline');
    const reply = 'The logo is the size of your brand book; a larger one is a new round, priced in the plan.';
    const answered = (await declineAs('manager', 'r1', { reply }, replyKey).expect(200)).body as ProjectStatus;
    expect(answered.changeRequests![0]).toMatchObject({ outcome: 'declined', reply });
    // Retried with its key: the same answer, once; answered already: 409.
    expect((await declineAs('manager', 'r1', { reply }, replyKey).expect(200)).body.version).toBe(answered.version);
    expect((await declineAs('manager', 'r1', { reply: 'Again' }).expect(409)).body.type).toBe('urn:agencyflow:problem:already-done');

    // The client's page: the reply, and they may ask again.
    const after = await eventually(async () => {
      const body = (await h.http().get(`/api/client/projects/${projectId}`).query({ key }).expect(200)).body;
      return body.changeRequests[0]?.status === 'declined' ? body : undefined;
    }, { what: 'the reply on the client\u2019s page', timeoutMs: 30_000 });
    expect(after).toMatchObject({ mayAnswer: { accept: true, askForChanges: true }, changeRequests: [{ status: 'declined', reply, answeredAt: expect.any(String) }] });
  });

  test('changes the client asked for by mail: the manager records them, the review period stops as for the page, the client\u2019s page shows them noted; refused in fields, twice, or by anyone else', async () => {
    const projectId = await projectInClientReview(h, { title: 'Client asks by mail' });
    const record = (who: 'manager' | 'otherManager' | 'leadership', body: object, idempotencyKey = uniqueId('record')) =>
      h.http().post(`/api/projects/${projectId}/change-requests`).set(h.auth(who)).set('Idempotency-Key', idempotencyKey).send(body);
    const project = async () => (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    await eventually(async () => ((await project()).stage === 'client_review' ? true : undefined), { what: 'the review', timeoutMs: 30_000 });

    // Nothing said, nobody named: 400 at both fields, nothing recorded; not theirs to record: 403.
    const bad = await record('manager', { description: ' ', clientContact: '' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['clientContact', 'description']);
    await record('leadership', { description: 'A bigger logo', clientContact: 'Jane Doe' }).expect(403);
    await record('otherManager', { description: 'A bigger logo', clientContact: 'Jane Doe' }).expect(403);
    expect((await project()).changeRequests).toBeUndefined();

    const key = uniqueId('record');
    const recorded = (await record('manager', { description: 'A bigger logo, as Jane wrote on Monday', clientContact: 'Jane Doe' }, key).expect(200)).body as ProjectStatus;
    expect(recorded.changeRequests).toEqual([
      expect.objectContaining({ requestId: 'r1', description: 'A bigger logo, as Jane wrote on Monday', clientContact: 'Jane Doe', recordedBy: h.people.manager.id }),
    ]);
    // Retried with its key: the same answer, one request; another while it waits: 409, nothing new.
    expect((await record('manager', { description: 'A bigger logo, as Jane wrote on Monday', clientContact: 'Jane Doe' }, key).expect(200)).body.version).toBe(recorded.version);
    expect((await record('manager', { description: 'And a darker blue', clientContact: 'John Roe' }).expect(409)).body.type).toBe('urn:agencyflow:problem:already-done');
    expect((await project()).changeRequests).toHaveLength(1);

    // The client's page: the request noted for them, and no date to answer by while the manager has it.
    const clientKey = new URL((await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
    const page = await eventually(async () => {
      const body = (await h.http().get(`/api/client/projects/${projectId}`).query({ key: clientKey }).expect(200)).body;
      return body.changeRequests.length === 1 ? body : undefined;
    }, { what: 'the request on the client\u2019s page', timeoutMs: 30_000 });
    expect(page.changeRequests).toEqual([expect.objectContaining({ name: 'Jane Doe', recordedByManager: true, status: 'waiting' })]);
    expect(page.respondBy).toBeUndefined();
    expect(page.mayAnswer).toMatchObject({ askForChanges: false });
  });

  test('two people at the client accept at the same moment (two tabs, two keys): one acceptance is recorded, the other is told it is no longer heard', async () => {
    const projectId = await projectInClientReview(h, { title: 'Client answers twice at once' });
    const key = new URL((await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
    const accept = (name: string, rating: number) =>
      h.http().post(`/api/client/projects/${projectId}/answers`).query({ key }).set('Idempotency-Key', uniqueId('answer')).send({ kind: 'accepted', name, rating });
    const answers = await Promise.all([accept('Jane Doe', 5), accept('John Roe', 2)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const project = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    const winner = answers.find((a) => a.status === 200)!.body.answeredHere[0];
    expect(project.feedback).toEqual([expect.objectContaining({ kind: 'accepted', clientContact: winner.name, rating: winner.rating })]);
    expect(answers.find((a) => a.status === 409)!.body.detail).toMatch(/^The work is not waiting for your review now .*nothing was recorded/);
  });
});

describe('GET /api/projects', () => {
  test('filters by client, stage, segment, manager and words found, pages with nextPageToken, and scopes managers to their own', async () => {
    const clientId = uniqueId('client');
    const client = (segment: string) => ({ id: clientId, name: 'Filter Co', segment, email: 'f@filter.example' });
    // A word no other project of the run has, in one title.
    const word = uniqueId('harbour');
    const ids: string[] = [];
    for (const [i, segment] of ['B2B', 'B2B', 'B2C', 'B2C', 'B2C'].entries()) {
      const request = projectRequest({ client: client(segment), ...(i === 1 && { title: `Leaflets for the ${word} festival` }) });
      const res = await h.http().post('/api/projects').set(h.auth('manager')).send(request).expect(201);
      ids.push(res.body.projectId);
    }
    // One goes to awaiting approval.
    await h.http().put(`/api/projects/${ids[0]}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
    // Another manager's project for the same client.
    const foreign = await h.http().post('/api/projects').set(h.auth('otherManager')).send(projectRequest({ client: client('B2B') })).expect(201);

    await eventually(async () => {
      const all = await list({ clientId, pageSize: 100 }, 'leadership');
      return all.items.length === 6 && all.items.some((i) => i.projectId === ids[0] && i.stage === 'awaiting_approval');
    }, { what: 'six projects in visibility, one awaiting approval' });

    const mine = await list({ clientId, pageSize: 100 });
    expect(mine.items.map((i) => i.projectId).sort()).toEqual([...ids].sort());
    expect((await list({ clientId }, 'otherManager')).items.map((i) => i.projectId)).toEqual([foreign.body.projectId]);
    expect((await list({ clientId, stage: 'awaiting_approval' })).items.map((i) => i.projectId)).toEqual([ids[0]]);
    expect((await list({ clientId, segment: 'B2C', pageSize: 100 })).items).toHaveLength(3);
    expect((await list({ clientId, overdue: 'false', pageSize: 100 })).items).toHaveLength(5);
    // A portfolio set (the store's tests hold each rule): none of these has a complaint.
    expect((await list({ clientId, only: 'complaints', pageSize: 100 })).items).toEqual([]);
    expect((await list({ clientId, managerId: h.people.otherManager.id }, 'leadership')).items).toHaveLength(1);
    // Words found (the store's tests hold the rule): in the title and the client's name, any case,
    // every word; the client's id; a manager's own projects only, as with every filter.
    expect((await list({ q: `${word.toUpperCase()} leaflets` })).items.map((i) => i.projectId)).toEqual([ids[1]]);
    expect((await list({ q: `filter co ${word}` })).items.map((i) => i.projectId)).toEqual([ids[1]]);
    expect((await list({ q: `${word} spring` })).items).toEqual([]);
    expect((await list({ q: clientId, pageSize: 100 })).items.map((i) => i.projectId).sort()).toEqual([...ids].sort());
    expect((await list({ q: clientId, pageSize: 100 }, 'leadership')).items).toHaveLength(6);
    expect((await list({ q: clientId, segment: 'B2C', pageSize: 100 })).items).toHaveLength(3);

    // Pages of two: three pages, every project once.
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await list({ clientId, pageSize: 2, ...(pageToken && { pageToken }) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.projectId));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken && pages < 10);
    expect(seen.sort()).toEqual([...ids].sort());
    expect(pages).toBeGreaterThanOrEqual(3);

    // A page token belongs to its list: with other filters, or another manager's list, it is refused.
    const first = await list({ clientId, pageSize: 2 });
    const elsewhere = await h.http().get('/api/projects').query({ pageSize: 2, pageToken: first.nextPageToken! }).set(h.auth('manager')).expect(400);
    expect(elsewhere.body.errors).toEqual([{ field: 'pageToken', message: expect.stringMatching(/belongs to another list/) }]);
    await h.http().get('/api/projects').query({ clientId, pageSize: 2, pageToken: first.nextPageToken! }).set(h.auth('otherManager')).expect(400);
  });

  test('bad filters are 400 naming the parameter; other managers\u2019 lists are 403; staff may not list projects', async () => {
    const bad = async (query: Record<string, string>, field: string) => {
      const res = await h.http().get('/api/projects').query(query).set(h.auth('manager')).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad({ pageSize: '0' }, 'pageSize');
    await bad({ pageSize: 'many' }, 'pageSize');
    await bad({ stage: 'dreaming' }, 'stage');
    await bad({ overdue: 'maybe' }, 'overdue');
    await bad({ only: 'everything' }, 'only');
    // A search blank, too long, or with a control character (a NUL the database could not take):
    // refused for what it is, not as an unknown parameter.
    const searchRefused = async (q: string) => (await h.http().get('/api/projects').query({ q }).set(h.auth('manager')).expect(400)).body.errors;
    expect(await searchRefused('')).toEqual([{ field: 'q', message: 'required' }]);
    expect(await searchRefused('   ')).toEqual([{ field: 'q', message: 'required' }]);
    expect(await searchRefused('x'.repeat(101))).toEqual([{ field: 'q', message: 'at most 100 characters' }]);
    expect(await searchRefused('nul\u0000here')).toEqual([{ field: 'q', message: 'must not contain control characters' }]);
    await bad({ q: 'x'.repeat(101) }, 'q');
    await bad({ clientId: "x' OR 1=1" }, 'clientId');
    await bad({ colour: 'blue' }, 'colour');
    await bad({ pageToken: 'bm90LWEtdG9rZW4' }, 'pageToken');
    await h.http().get('/api/projects').query({ managerId: h.people.otherManager.id }).set(h.auth('manager')).expect(403);
    await h.http().get('/api/projects').set(h.auth('designer')).expect(403);
  });
});

describe('GET /api/reports/portfolio', () => {
  test('counts a manager\u2019s projects per stage and lists the plans waiting for a decision', async () => {
    // reportManager's projects are made here only, so the counts are exact.
    const who = 'reportManager' as const;
    const create = async () => (await h.http().post('/api/projects').set(h.auth(who)).send(projectRequest()).expect(201)).body.projectId as string;
    await create();
    await create();
    const awaiting = await create();
    await h.http().put(`/api/projects/${awaiting}/plan`).set(h.auth(who)).send(planRequest()).expect(200);
    const cancelled = await create();
    await h.http().post(`/api/projects/${cancelled}/cancel`).set(h.auth(who)).send({ reason: 'lost the pitch' }).expect(200);

    const expectedStages = {
      intake: 0,
      planning: 2,
      awaiting_approval: 1,
      in_production: 0,
      client_review: 0,
      invoicing: 0,
      closing: 0,
      completed: 0,
      cancelled: 1,
    };
    const report = await eventually(async () => {
      const r = (await h.http().get('/api/reports/portfolio').set(h.auth(who)).expect(200)).body;
      return JSON.stringify(r.projects.byStage) === JSON.stringify(expectedStages) ? r : undefined;
    }, { what: 'the portfolio counts' });
    expect(report.scope).toEqual({ managerId: h.people.reportManager.id });
    // Its cancelled project owes nothing either way (cancelled at intake): none with money to settle.
    expect(report.projects).toEqual({ byStage: expectedStages, active: 3, overdue: 0, cancelledToSettle: 0 });
    expect(report.plansAwaitingDecision.count).toBe(1);
    expect(report.plansAwaitingDecision.items).toHaveLength(1);
    const item = report.plansAwaitingDecision.items[0];
    expect(item).toMatchObject({ projectId: awaiting, managerId: h.people.reportManager.id, title: 'Spring campaign', href: `/api/projects/${awaiting}` });
    expect(new Date(item.waitingSince).getTime()).toBeLessThanOrEqual(Date.now());
    expect(item.waitingMs).toBeGreaterThanOrEqual(0);
    expect(report.openComplaints).toEqual({ count: 0, pastDue: 0, items: [] });
    expect(report.unpaidInvoicesPastDue).toEqual({ count: 0, items: [] });
    expect(report.refundsOwed).toEqual({ count: 0, pastDue: 0, items: [] });
    expect(report.tasks.overdue).toBe(0);
    for (const d of ['design', 'copywriting', 'seo', 'ads', 'analytics']) {
      expect(report.tasks.byDepartment[d]).toEqual({ open: 0, overdue: 0 });
    }

    // Leadership sees the same slice when asking for this manager; the whole portfolio otherwise.
    const slice = (await h.http().get('/api/reports/portfolio').query({ managerId: h.people.reportManager.id }).set(h.auth('leadership')).expect(200)).body;
    expect(slice.projects).toEqual(report.projects);
    const all = (await h.http().get('/api/reports/portfolio').set(h.auth('leadership')).expect(200)).body;
    expect(all.scope).toEqual({});
    expect(all.projects.byStage.planning).toBeGreaterThanOrEqual(2);

    // Managers cannot look into another manager's slice; staff get no report.
    await h.http().get('/api/reports/portfolio').query({ managerId: h.people.otherManager.id }).set(h.auth(who)).expect(403);
    await h.http().get('/api/reports/portfolio').set(h.auth('designer')).expect(403);
  });

  test('asked with the project list’s words, client or segment, it counts the projects the list finds by them', async () => {
    const clientId = uniqueId('client');
    const word = uniqueId('lighthouse');
    const client = (segment: string) => ({ id: clientId, name: 'Counted Co', segment, email: 'c@counted.example' });
    const create = async (segment: string, title?: string) =>
      (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ client: client(segment), ...(title && { title }) })).expect(201)).body.projectId as string;
    const worded = await create('B2B', `Posters for the ${word} fair`);
    await create('B2C');
    await create('B2C');
    await h.http().put(`/api/projects/${worded}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);

    type Report = { scope: Record<string, string>; projects: { byStage: Record<string, number>; active: number }; plansAwaitingDecision: { count: number; items: { projectId: string }[] } };
    const report = async (query: Record<string, string>, who: 'manager' | 'leadership' = 'manager') =>
      (await h.http().get('/api/reports/portfolio').query(query).set(h.auth(who)).expect(200)).body as Report;
    const total = (r: Report) => Object.values(r.projects.byStage).reduce((n, c) => n + c, 0);
    await eventually(async () => (await report({ clientId })).plansAwaitingDecision.count === 1 && total(await report({ clientId })) === 3, {
      what: 'the client’s three projects counted, one awaiting approval',
    });

    // The words: the one project, whoever asks; its plan the one waiting. The scope says what was counted.
    const found = await report({ q: `${word.toUpperCase()} posters` });
    expect(found.scope).toEqual({ managerId: h.people.manager.id, q: `${word.toUpperCase()} posters` });
    expect(found.projects.byStage).toMatchObject({ awaiting_approval: 1 });
    expect(total(found)).toBe(1);
    expect(found.plansAwaitingDecision.items.map((i) => i.projectId)).toEqual([worded]);
    expect(total(await report({ q: word }, 'leadership'))).toBe(1);
    // The client and a segment: as the list finds them, count for count.
    const b2c = await report({ clientId, segment: 'B2C' });
    expect([total(b2c), b2c.plansAwaitingDecision.count]).toEqual([2, 0]);
    const queries: Record<string, string>[] = [{ q: word }, { clientId }, { clientId, segment: 'B2C' }, { q: clientId, segment: 'B2B' }, { q: `${word} nowhere` }];
    for (const query of queries) {
      expect(total(await report(query))).toBe((await list({ ...query, pageSize: 100 })).items.length);
    }
    // Asked for nothing: every project of theirs, as before.
    const whole = await report({});
    expect(whole.scope).toEqual({ managerId: h.people.manager.id });
    expect(total(whole)).toBeGreaterThanOrEqual(3);
  });

  test('words, a client or a segment the project list refuses are refused alike: 400 problem+json naming the parameter', async () => {
    const refused = async (query: Record<string, string>) => {
      const res = await h.http().get('/api/reports/portfolio').query(query).set(h.auth('manager')).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const listed = await h.http().get('/api/projects').query(query).set(h.auth('manager')).expect(400);
      expect(res.body.errors).toEqual(listed.body.errors);
      return res.body.errors;
    };
    expect(await refused({ q: '' })).toEqual([{ field: 'q', message: 'required' }]);
    expect(await refused({ q: '   ' })).toEqual([{ field: 'q', message: 'required' }]);
    expect(await refused({ q: 'x'.repeat(101) })).toEqual([{ field: 'q', message: 'at most 100 characters' }]);
    expect(await refused({ q: 'nul\u0000here' })).toEqual([{ field: 'q', message: 'must not contain control characters' }]);
    expect((await refused({ segment: 'B2X' })).map((e: { field: string }) => e.field)).toEqual(['segment']);
    expect((await refused({ clientId: "x' OR 1=1" })).map((e: { field: string }) => e.field)).toEqual(['clientId']);
  });
});

test('the client page asks for an answer by the end of the first review window, and after the reminder by the end of the second, later by the time the clock stood still', () => {
  const window = 4 * 3_600_000;
  const entered = new Date(Date.now() - 5 * 3_600_000).toISOString(); // the first window is over
  const reminded = new Date(Date.now() - 3_600_000).toISOString();
  const inReview = {
    stage: 'client_review',
    stageEnteredAt: entered,
    complaints: [],
    policy: { acceptanceWindowMs: window },
    timeline: [{ at: entered, event: 'stage_client_review' }],
  } as unknown as ProjectStatus;
  expect(respondBy(inReview)).toBeUndefined(); // not reminded yet: the agency is about to remind
  const afterReminder = { ...inReview, timeline: [...inReview.timeline, { at: reminded, event: 'client_response_due' }] } as ProjectStatus;
  expect(respondBy(afterReminder)).toBe(new Date(Date.parse(reminded) + window).toISOString());
  const fresh = { ...inReview, stageEnteredAt: reminded } as ProjectStatus;
  expect(respondBy(fresh)).toBe(new Date(Date.parse(reminded) + window).toISOString());
  // A request for changes and a complaint open for overlapping hours stopped the clock once for the hours either was open.
  const hour = 3_600_000;
  const at = (msAfterReminder: number) => new Date(Date.parse(reminded) + msAfterReminder).toISOString();
  const paused = {
    ...afterReminder,
    changeRequests: [{ requestId: 'r1', at: at(0.1 * hour), answeredAt: at(0.5 * hour), description: 'x', clientContact: 'Jane', deliveryRound: 0, outcome: 'declined' }],
    complaints: [{ complaintId: 'c1', at: at(0.3 * hour), resolvedAt: at(0.7 * hour), description: 'y', recordedBy: 'client:acme' }],
  } as ProjectStatus;
  expect(respondBy(paused)).toBe(new Date(Date.parse(reminded) + window + 0.6 * hour).toISOString());
  // While one is open: no date (the clock waits).
  expect(respondBy({ ...paused, changeRequests: [{ ...paused.changeRequests![0], outcome: undefined, answeredAt: undefined }] } as ProjectStatus)).toBeUndefined();
});
