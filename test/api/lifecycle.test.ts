/**
 * The whole request-to-report cycle driven through HTTP alone, as the people who do the work
 * would: a manager opens a project and plans it, leadership approves, each department sees the
 * work planned for it coming up while the prepayment is unpaid, the client pays it, departments
 * claim and deliver their tasks (one is sent back once, one runs late), the client complains and
 * is satisfied, the final invoice is paid, and the final report is downloaded as a
 * PDF whose digest header matches its bytes. The portfolio report follows along: the waiting
 * plan, the late task, the open complaint and the unpaid invoice each show up while they last.
 * Policies are in seconds so the run takes well under a minute.
 * `npm run test:production` runs this same journey against the production topology (PostgreSQL,
 * the Temporal server, `npm run api` and `npm run worker` as separate processes).
 */
import { createHash } from 'node:crypto';
import type { ProjectStatus } from '../../workflows/project/contract';
import type { TaskView } from '../../workflows/task/contract';
import type { z } from 'zod';
import type { PlannedTaskItem, portfolioReportSchema, TaskContext } from '../../api/schemas';
import { startHttpHarness, type HttpHarness, type PersonKey } from '../support/api';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);

type Report = z.infer<typeof portfolioReportSchema>;

let h: HttpHarness;
beforeAll(async () => {
  h = await startHttpHarness();
});
afterAll(async () => {
  await h?.close();
});

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

async function status(projectId: string): Promise<ProjectStatus> {
  return (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
}

async function waitForStatus(projectId: string, what: string, done: (s: ProjectStatus) => boolean): Promise<ProjectStatus> {
  return eventually(async () => {
    const s = await status(projectId);
    return done(s) ? s : undefined;
  }, { what, timeoutMs: 30_000 });
}

async function portfolio(): Promise<Report> {
  return (await h.http().get('/api/reports/portfolio').set(h.auth('manager')).expect(200)).body as Report;
}

async function waitForReport(what: string, done: (r: Report) => boolean): Promise<Report> {
  return eventually(async () => {
    const r = await portfolio();
    return done(r) ? r : undefined;
  }, { what, timeoutMs: 30_000 });
}

/** The task shows in the actor's inbox (visibility) with this status. */
async function inInbox(who: PersonKey, taskId: string, taskStatus: string): Promise<void> {
  await eventually(async () => {
    const res = await h.http().get('/api/tasks').query({ status: taskStatus }).set(h.auth(who)).expect(200);
    return (res.body.items as { taskId: string }[]).some((t) => t.taskId === taskId);
  }, { what: `${taskId} ${taskStatus} in ${who}'s inbox`, timeoutMs: 30_000 });
}

/** The work planned for `who` (not started yet: its project waits for the prepayment), of one project. */
async function plannedWork(who: PersonKey, projectId: string): Promise<PlannedTaskItem[]> {
  const res = await h.http().get('/api/tasks/planned').set(h.auth(who)).expect(200);
  return (res.body.items as PlannedTaskItem[]).filter((t) => t.projectId === projectId);
}

async function act(who: PersonKey, path: string, body: object = {}, expected = 200): Promise<TaskView> {
  const res = await h.http().post(path).set(h.auth(who)).send(body);
  if (res.status !== expected) throw new Error(`POST ${path} as ${who}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as TaskView;
}

test('from the client request to the final report PDF, through HTTP alone', async () => {
  const clientId = uniqueId('client');

  // 1. The manager takes the client's request.
  const created = await h
    .http()
    .post('/api/projects')
    .set(h.auth('manager'))
    .set('Idempotency-Key', uniqueId('key'))
    .send({
      client: { id: clientId, name: 'Northwind Bakery', segment: 'B2C', email: 'owner@northwind.example' },
      title: 'Bakery relaunch',
      brief: 'New site design, copy and an SEO audit',
      departments: ['design', 'copywriting', 'seo'],
      budget: { amount: 3000, currency: 'EUR' },
      desiredDeadline: inMs(14 * 86_400_000),
      policy: {
        approvalSla: '30s',
        escalationSla: '60s',
        reminderLead: '30s',
        overdueGrace: '1s',
        acceptanceWindow: '120s',
        paymentTerms: '2s',
        paymentEscalation: '60s',
        startAfterPrepayment: true,
      },
    })
    .expect(201);
  const projectId = (created.body as ProjectStatus).projectId;
  expect(created.headers.location).toBe(`/api/projects/${projectId}`);
  expect(created.body).toMatchObject({ stage: 'planning', managerId: h.people.manager.id });
  expect((created.body as ProjectStatus).policy).toMatchObject({ approvalSlaMs: 30_000, paymentTermsMs: 2_000, overdueGraceMs: 1_000 });

  // 2. The plan: design first, copy after it, an SEO audit due almost at once (it will run late).
  const planned = await h
    .http()
    .put(`/api/projects/${projectId}/plan`)
    .set(h.auth('manager'))
    .send({
      tasks: [
        { key: 'design-home', department: 'design', title: 'Home page design', estimateHours: 8, dueAt: inMs(5 * 60_000), price: 1200 },
        {
          key: 'copy-home',
          department: 'copywriting',
          title: 'Home page copy',
          estimateHours: 4,
          dueAt: inMs(10 * 60_000),
          price: 800,
          dependsOn: ['design-home'],
        },
        { key: 'seo-audit', department: 'seo', title: 'SEO audit', estimateHours: 2, dueAt: inMs(4_000), price: 500 },
      ],
      prepaymentPercent: 20,
      includedRevisionRounds: 1,
    })
    .expect(200);
  expect(planned.body).toMatchObject({ stage: 'awaiting_approval', pendingPlanVersion: 1 });

  // Leadership sees the plan waiting (and for how long).
  const waiting = await waitForReport('the plan waiting for a decision', (r) =>
    r.plansAwaitingDecision.items.some((i) => i.projectId === projectId),
  );
  expect(waiting.plansAwaitingDecision.items[0].waitingMs).toBeGreaterThanOrEqual(0);

  // 3. Leadership approves: contract and prepayment invoice; work waits for the prepayment.
  const approved = await h
    .http()
    .post(`/api/projects/${projectId}/plan/decision`)
    .set(h.auth('leadership'))
    .send({ planVersion: 1, decision: 'approve', comment: 'Go' })
    .expect(200);
  expect(approved.body).toMatchObject({ stage: 'in_production', approvedPlanVersion: 1 });
  const withPrepayment = await waitForStatus(projectId, 'the prepayment invoice', (s) => s.invoices.some((i) => i.kind === 'prepayment'));
  const prepayment = withPrepayment.invoices.find((i) => i.kind === 'prepayment')!;
  expect(prepayment.amount).toBe(500); // 20% of 2500

  // No task starts before the prepayment is paid, yet each department sees the work planned for it
  // coming up, with the invoice it waits for; nobody sees another department's.
  const planTasks = (planned.body as ProjectStatus).plans[0].tasks;
  const plannedEntry = (key: string, extra: object = {}) => {
    const t = planTasks.find((p) => p.key === key)!;
    return {
      taskId: `${projectId}.${key}`,
      projectId,
      projectTitle: 'Bakery relaunch',
      title: t.title,
      department: t.department,
      managerId: h.people.manager.id,
      dueAt: t.dueAt,
      estimateHours: t.estimateHours,
      prepayment: { invoiceNumber: prepayment.number, dueAt: prepayment.dueAt },
      ...extra,
    };
  };
  await eventually(async () => ((await plannedWork('designer', projectId)).length > 0 ? true : undefined), {
    what: 'the design work planned in the design department',
    timeoutMs: 30_000,
  });
  expect(await plannedWork('designer', projectId)).toEqual([plannedEntry('design-home')]);
  expect(await plannedWork('copywriter', projectId)).toEqual([plannedEntry('copy-home', { waitingFor: ['Home page design'] })]);
  expect(await plannedWork('seo', projectId)).toEqual([plannedEntry('seo-audit')]);
  expect((await plannedWork('manager', projectId)).map((t) => t.title).sort()).toEqual(['Home page copy', 'Home page design', 'SEO audit']);
  await h.http().get('/api/tasks/planned').query({ department: 'design' }).set(h.auth('copywriter')).expect(403);
  // Planned, not a task: no task list has it, and its page is not there yet.
  const designList = await h.http().get('/api/tasks').query({ projectId }).set(h.auth('designer')).expect(200);
  expect(designList.body.items).toEqual([]);
  await h.http().get(`/api/tasks/${projectId}.design-home`).set(h.auth('designer')).expect(404);

  // 4. The client pays the prepayment; the tasks without dependencies open.
  await h
    .http()
    .post(`/api/projects/${projectId}/payments`)
    .set(h.auth('manager'))
    .send({ invoiceNumber: prepayment.number, amount: prepayment.amount, paidAt: new Date().toISOString(), reference: `bank-${uniqueId('ref')}` })
    .expect(200);

  const design = `${projectId}.design-home`;
  const copy = `${projectId}.copy-home`;
  const seo = `${projectId}.seo-audit`;

  // 5. Design: Dima claims; Olga is too late; the manager sends the first delivery back once.
  await inInbox('designer', design, 'open');
  // The started tasks replace the planned work: none is left for anyone (lists follow within about a second).
  const stillPlanned = async () => (await Promise.all((['designer', 'copywriter', 'seo', 'manager'] as const).map((who) => plannedWork(who, projectId)))).flat();
  await eventually(async () => ((await stillPlanned()).length === 0 ? true : undefined), { what: 'the planned work gone once the prepayment is paid', timeoutMs: 10_000 });
  const designInbox = await h.http().get('/api/tasks').query({ status: 'open' }).set(h.auth('designer')).expect(200);
  // The inbox is one visibility list, yet shows what the work is and for which project.
  expect((designInbox.body.items as { taskId: string }[]).find((t) => t.taskId === design)).toMatchObject({
    title: 'Home page design',
    projectTitle: 'Bakery relaunch',
  });
  const copyInbox = await h.http().get('/api/tasks').set(h.auth('copywriter')).expect(200);
  expect((copyInbox.body.items as { taskId: string }[]).map((t) => t.taskId)).not.toContain(design);
  expect((await act('designer', `/api/tasks/${design}/claim`)).status).toBe('claimed');
  const taken = await h.http().post(`/api/tasks/${design}/claim`).set(h.auth('designer2')).send({}).expect(409);
  expect(taken.body.type).toBe('urn:agencyflow:problem:task-already-claimed');
  await act('designer', `/api/tasks/${design}/submit`, { summary: 'First mock-ups', links: ['https://files.example/design-v1'] });
  // Sent back with a date for the rework: the task is due then — but not after the copy that waits for it.
  const tooLate = await h
    .http()
    .post(`/api/tasks/${design}/review`)
    .set(h.auth('manager'))
    .send({ decision: 'changes_requested', comment: 'Warmer colours, please', dueAt: new Date(Date.now() + 2 * 86_400_000).toISOString() })
    .expect(400);
  expect(tooLate.body.errors).toEqual([{ field: 'dueAt', message: 'due after “Home page copy”, which waits for it, is due: move that one later first' }]);
  const reworkDue = new Date(Date.now() + 8 * 60_000).toISOString();
  const sentBack = await act('manager', `/api/tasks/${design}/review`, { decision: 'changes_requested', comment: 'Warmer colours, please', dueAt: reworkDue });
  expect(sentBack.reviewRounds).toBe(1);
  expect(sentBack.dueAt).toBe(reworkDue);
  expect(sentBack.dueDateChanges.at(-1)).toMatchObject({ to: reworkDue, reason: 'sent back for changes' });
  // Nor may the copy be moved before the design it waits for is due (the rework date, just given).
  const early = await h.http().patch(`/api/tasks/${copy}`).set(h.auth('manager')).send({ dueAt: inMs(6 * 60_000), reason: 'sooner' }).expect(400);
  expect(early.body.errors).toEqual([{ field: 'dueAt', message: 'due before “Home page design”, which it waits for, is due: give it a later date, or move that one first' }]);
  await act('designer', `/api/tasks/${design}/submit`, { summary: 'Warmer mock-ups', links: ['https://files.example/design-v2'] });
  expect((await act('manager', `/api/tasks/${design}/review`, { decision: 'accept' })).status).toBe('accepted');

  // 6. The SEO audit ran late: the report shows it, in its department.
  // (The task's flag and the project's, which the task signals, land in visibility separately.)
  await waitForReport(
    'the late SEO task and its late project',
    (r) => r.tasks.byDepartment.seo.overdue >= 1 && r.tasks.overdue >= 1 && r.projects.overdue >= 1,
  );
  await act('seo', `/api/tasks/${seo}/claim`);
  await act('seo', `/api/tasks/${seo}/submit`, { summary: 'Audit done', links: [] });
  await act('manager', `/api/tasks/${seo}/review`, { decision: 'accept' });

  // 7. Copy opens once design is accepted; the copywriter reads the design it is written for
  // (not allowed to open the design task itself) and the client's request.
  await inInbox('copywriter', copy, 'open');
  await h.http().get(`/api/tasks/${design}`).set(h.auth('copywriter')).expect(403);
  const context = await eventually(async () => {
    const res = await h.http().get(`/api/tasks/${copy}/context`).set(h.auth('copywriter')).expect(200);
    return res.body.buildsOn[0]?.accepted ? res.body : undefined;
  }, { what: 'the accepted design in the copy task\u2019s context' });
  expect(context).toMatchObject({
    taskId: copy,
    brief: 'New site design, copy and an SEO audit',
    buildsOn: [
      {
        taskId: design,
        title: 'Home page design',
        department: 'design',
        status: 'accepted',
        why: 'dependency',
        accepted: { summary: 'Warmer mock-ups', links: ['https://files.example/design-v2'], submittedBy: h.people.designer.id },
      },
    ],
  });
  // The designer sees, from their side, whose work theirs holds up.
  const designContext = (await h.http().get(`/api/tasks/${design}/context`).set(h.auth('designer')).expect(200)).body as TaskContext;
  expect(designContext.waitingOnIt).toEqual([{ taskId: copy, title: expect.any(String), department: 'copywriting', status: 'open', dueAt: expect.any(String) }]);
  // The manager moves its due date and assigns it.
  const moved = await h
    .http()
    .patch(`/api/tasks/${copy}`)
    .set(h.auth('manager'))
    .send({ dueAt: inMs(15 * 60_000), reason: 'Client sends photos late' })
    .expect(200);
  expect((moved.body as TaskView).dueDateChanges).toHaveLength(1);
  const wrongPerson = await h.http().post(`/api/tasks/${copy}/reassign`).set(h.auth('manager')).send({ assigneeId: h.people.designer.id }).expect(400);
  expect(wrongPerson.body.errors[0].field).toBe('assigneeId');
  const assigned = await h.http().post(`/api/tasks/${copy}/reassign`).set(h.auth('manager')).send({ assigneeId: h.people.copywriter.id }).expect(200);
  expect((assigned.body as TaskView).assigneeId).toBe(h.people.copywriter.id);
  await inInbox('copywriter', copy, 'claimed');
  const mine = await h.http().get('/api/tasks').query({ assignee: 'me' }).set(h.auth('copywriter')).expect(200);
  expect((mine.body.items as { taskId: string }[]).map((t) => t.taskId)).toContain(copy);
  await act('copywriter', `/api/tasks/${copy}/submit`, { summary: 'Copy written', links: ['https://files.example/copy'] });
  await act('manager', `/api/tasks/${copy}/review`, { decision: 'accept', comment: 'Good' });

  // 8. Delivered: the client complains first; the complaint is resolved; then they accept.
  await waitForStatus(projectId, 'client review', (s) => s.stage === 'client_review');
  const complained = await h
    .http()
    .post(`/api/projects/${projectId}/feedback`)
    .set(h.auth('manager'))
    .send({ kind: 'complaint', description: 'The logo is too small' })
    .expect(200);
  const complaintId = (complained.body as ProjectStatus).complaints[0].complaintId;
  await waitForReport('the open complaint', (r) => r.openComplaints.items.some((i) => i.projectId === projectId));
  await h
    .http()
    .post(`/api/projects/${projectId}/complaints/${complaintId}/resolution`)
    .set(h.auth('leadership'))
    .send({ resolution: 'Logo enlarged, client confirmed by phone' })
    .expect(200);
  await waitForReport('the complaint resolved', (r) => !r.openComplaints.items.some((i) => i.projectId === projectId));
  await h
    .http()
    .post(`/api/projects/${projectId}/feedback`)
    .set(h.auth('manager'))
    .send({ kind: 'accepted', rating: 5, comment: 'Lovely' })
    .expect(200);

  // 9. Invoicing: the act and the final invoice; unpaid past its (two-second) terms, it shows.
  const invoicing = await waitForStatus(projectId, 'the final invoice', (s) => s.invoices.some((i) => i.kind === 'final'));
  const final = invoicing.invoices.find((i) => i.kind === 'final')!;
  expect(final.amount).toBe(2000); // 2500 - 500 prepaid
  await waitForReport('the unpaid final invoice', (r) =>
    r.unpaidInvoicesPastDue.items.some((i) => i.projectId === projectId),
  );
  const finalPayment = { invoiceNumber: final.number, amount: final.amount, paidAt: new Date().toISOString(), reference: `bank-${uniqueId('ref')}` };
  await h.http().post(`/api/projects/${projectId}/payments`).set(h.auth('leadership')).send(finalPayment).expect(200);

  // 10. Closed: the final report, downloadable as a PDF whose digest matches its bytes.
  const done = await waitForStatus(projectId, 'completion', (s) => s.stage === 'completed');
  expect(done.completedAt).toBeDefined();
  const docs = await h.http().get(`/api/projects/${projectId}/documents`).set(h.auth('manager')).expect(200);
  const kinds = (docs.body.items as { kind: string }[]).map((d) => d.kind).sort();
  expect(kinds).toEqual(['acceptance_act', 'contract', 'final_invoice', 'final_report', 'prepayment_invoice']);
  const report = (docs.body.items as { kind: string; href: string; sha256: string }[]).find((d) => d.kind === 'final_report')!;
  const pdf = await h
    .http()
    .get(report.href)
    .set(h.auth('manager'))
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    })
    .expect(200)
    .expect('Content-Type', 'application/pdf');
  const bytes = pdf.body as Buffer;
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  const digest = createHash('sha256').update(bytes).digest('base64');
  expect(pdf.headers['repr-digest']).toBe(`sha-256=:${digest}:`);
  expect(pdf.headers.digest).toBe(`sha-256=${digest}`);
  expect(report.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  await h.http().get(report.href).set(h.auth('leadership')).expect(200);
  await h.http().get(report.href).set(h.auth('otherManager')).expect(403);
  await h.http().get(report.href).set(h.auth('designer')).expect(403);

  // 11. A completed project refuses further actions, and the portfolio counts it as completed;
  // the last bank statement imported again is still the same payment, recorded once.
  const late409 = await h.http().post(`/api/projects/${projectId}/cancel`).set(h.auth('manager')).send({ reason: 'too late' }).expect(409);
  expect(late409.headers['content-type']).toMatch(/application\/problem\+json/);
  const again = await h.http().post(`/api/projects/${projectId}/payments`).set(h.auth('leadership')).send(finalPayment).expect(200);
  expect((again.body.invoices as { number: string; payments: unknown[] }[]).find((i) => i.number === final.number)!.payments).toHaveLength(1);
  const otherAmount = await h.http().post(`/api/projects/${projectId}/payments`).set(h.auth('leadership')).send({ ...finalPayment, amount: 1 }).expect(409);
  expect(otherAmount.headers['content-type']).toMatch(/application\/problem\+json/);
  await waitForReport('the project counted as completed', (r) => r.projects.byStage.completed >= 1);
});
