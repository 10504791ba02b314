/**
 * The weekly digests, end to end on the real dev server: the Temporal Schedules made from
 * LEADERSHIP_DIGEST and MANAGER_DIGEST in the agency's zone (and brought in line, and deleted with
 * `off`), a run each starts reading the reporting store, and the mails leadership and each manager
 * receive over SMTP.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { loadConfig, parseDigestSchedule } from '../../common/config';
import { createLogger } from '../../common/logger';
import { ensureDigestSchedule } from '../../worker/digest-schedules';
import { planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness, type PersonKey } from '../support/api';
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { eventually, uniqueId } from '../support/temporal';
import { startSmtpServer, type TestSmtpServer } from '../activities/smtp';
import { recordHistory } from './support';

let smtp: TestSmtpServer;
let h: ApiHarness;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  smtp = await startSmtpServer();
  // An overload threshold below one task's estimate (8 h), so one claim makes its designer overloaded.
  h = await startApiHarness({ env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), AGENCY_TIME_ZONE: 'Europe/Berlin', WORKLOAD_OVERLOAD_HOURS: '6' } });
});

afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

test('LEADERSHIP_DIGEST and MANAGER_DIGEST: days and a time, or off; anything else stops start-up naming it', () => {
  expect(loadConfig({}).LEADERSHIP_DIGEST).toEqual({ days: ['MONDAY'], hour: 8, minute: 0 });
  expect(loadConfig({}).MANAGER_DIGEST).toEqual({ days: ['MONDAY'], hour: 8, minute: 0 });
  expect(loadConfig({ MANAGER_DIGEST: 'off' }).MANAGER_DIGEST).toBe('off');
  expect(() => loadConfig({ MANAGER_DIGEST: 'weekly' })).toThrow(/MANAGER_DIGEST: expected days and a time such as MON 08:00/);
  expect(parseDigestSchedule('mon,thu 8:30')).toEqual({ days: ['MONDAY', 'THURSDAY'], hour: 8, minute: 30 });
  expect(parseDigestSchedule('Off')).toBe('off');
  for (const wrong of ['MONDAY 08:00', 'MON 24:00', 'MON 8', 'every monday']) expect(parseDigestSchedule(wrong)).toBeUndefined();
  expect(() => loadConfig({ LEADERSHIP_DIGEST: 'MON 25:00' })).toThrow(/LEADERSHIP_DIGEST: expected days and a time such as MON 08:00/);
});

test("the schedule runs in the agency's zone; a run it starts mails leadership where the agency stands, with what waits for them", async () => {
  // What the digest should find: a request without a plan, and a plan waiting for leadership.
  const waiting = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: 'Digest: plan to decide' })).expect(201);
  await h.http().put(`/api/projects/${waiting.body.projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: 'Digest: new request' })).expect(201);
  // And a designer with more in hand than the threshold: 8 h claimed, above 6.
  const inWork = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: 'Digest: in work' })).expect(201);
  await h.http().put(`/api/projects/${inWork.body.projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  await h.http().post(`/api/projects/${inWork.body.projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const claimed = `${inWork.body.projectId}.design-home`;
  await waitForTask(h, claimed, 'open');
  await h.http().post(`/api/tasks/${claimed}/claim`).set(h.auth('designer')).send({}).expect(200);
  await eventually(async () => ((await h.reporting.portfolio({})).plansAwaitingDecision.count === 1 ? true : undefined), { what: 'the plan in the store', timeoutMs: 30_000 });
  await eventually(async () => ((await h.reporting.overloadedPeople(6)).length === 1 ? true : undefined), { what: 'the claim in the store', timeoutMs: 30_000 });

  const scheduleId = uniqueId('digest');
  const handle = h.temporal.client.schedule.getHandle(scheduleId);
  const ensure = (schedule: string) =>
    ensureDigestSchedule(h.temporal.client, { digest: 'leadership', schedule: parseDigestSchedule(schedule)!, timeZone: 'Europe/Berlin', taskQueue: h.taskQueue, scheduleId, logger });
  try {
    expect(await ensure('MON 08:00')).toBe('created');
    const created = await handle.describe();
    expect(created.spec.timezone).toBe('Europe/Berlin');
    expect(created.spec.calendars).toEqual([expect.objectContaining({ dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY', step: 1 }], hour: [{ start: 8, end: 8, step: 1 }] })]);
    // The next run is a Monday at 08:00 on Berlin's clock (07:00 UTC in winter, 06:00 in summer), whatever the day the test runs.
    const onBerlinClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    expect(onBerlinClock.format(created.info.nextActionTimes[0])).toBe('Mon 08:00');
    // A worker starting with another setting brings it in line.
    expect(await ensure('FRI 17:30')).toBe('updated');
    const updated = await handle.describe();
    expect(updated.spec.calendars).toEqual([expect.objectContaining({ dayOfWeek: [{ start: 'FRIDAY', end: 'FRIDAY', step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] })]);
    expect(updated.state.paused).toBe(false);

    // Run it now, as Friday's run would.
    await handle.trigger();
    const leader = `${h.people.leadership.id}@agency.example`;
    const isDigest = (subject: string | undefined): boolean => subject?.startsWith('Where the agency stands') === true;
    const mail = await eventually(async () => smtp.received.find((m) => m.envelopeTo.includes(leader) && isDigest(m.parsed.subject))?.parsed, {
      what: 'the digest mailed to leadership',
      timeoutMs: 60_000,
    });
    expect(mail.subject).toMatch(/^Where the agency stands, \d{4}-\d{2}-\d{2}$/);
    const text = mail.text ?? '';
    expect(text).toContain('Projects under way: 3 (1 being planned, 1 waiting for approval, 1 in production).');
    expect(text).toContain(`Plans waiting for your decision: 1\n- Digest: plan to decide for ACME Ltd, waiting since `);
    expect(text).toContain(`/projects/${waiting.body.projectId}`);
    // Who is overloaded, with their hours in work and the way to their work in hand.
    const designerLink = `/kpis/workload?assignee=${encodeURIComponent(h.people.designer.id)}&state=in_work`.replace(/[?]/g, '\\?');
    expect(text).toMatch(new RegExp(`Overloaded, above 6 h in work: 1 person\n- [^\n:]+: 8 h in 1 task: \\S+${designerLink}\n`));
    // Nobody who holds work has left: no block for it.
    expect(text).not.toContain('no longer here');
    // The portal's link, then (last) why it comes and how to stop it.
    expect(text).toMatch(/Open in the portal: \S+\/projects\n\nYou get this every week as a member of leadership\. Stop these mails: \S+\n$/);
    // Leadership only: the managers are not mailed it.
    expect(smtp.received.some((m) => isDigest(m.parsed.subject) && m.envelopeTo.includes(`${h.people.manager.id}@agency.example`))).toBe(false);

    const run = (await handle.describe()).info.recentActions.at(-1)!.action;
    const runHandle = h.temporal.client.workflow.getHandle(run.workflow.workflowId, run.workflow.firstExecutionRunId);
    await runHandle.result();
    await recordHistory(runHandle, 'leadership-digest');

    expect(await ensure('off')).toBe('deleted');
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    expect(await ensure('off')).toBe('none');
  } finally {
    await handle.delete().catch(() => undefined);
  }
});

test('the managers\' schedule starts a run that mails each manager with something under way what waits on them in their own projects, and nobody else', async () => {
  // The other manager's week: a request to plan, a plan with leadership, and a delivery to review; and a project of another manager's.
  const create = (manager: PersonKey, title: string, clientName: string) =>
    h.http().post('/api/projects').set(h.auth(manager)).send(projectRequest({ title, client: { id: uniqueId('client'), name: clientName, segment: 'B2B', email: 'buyer@client.example' } })).expect(201);
  const toPlan = await create('otherManager', 'Week: new request', 'Globex');
  const sent = await create('otherManager', 'Week: plan sent', 'Umbrella');
  await h.http().put(`/api/projects/${sent.body.projectId}/plan`).set(h.auth('otherManager')).send(planRequest()).expect(200);
  await create('manager', 'Week: not theirs', 'Hooli');
  const delivered = await create('otherManager', 'Week: delivered work', 'Initech');
  const id = delivered.body.projectId as string;
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('otherManager')).send(planRequest()).expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const task = `${id}.design-home`;
  await waitForTask(h, task, 'open');
  await h.http().post(`/api/tasks/${task}/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${task}/submit`).set(h.auth('designer')).send({ summary: 'Home page, first version', links: ['https://files.example/home.pdf'] }).expect(200);
  await eventually(async () => ((await h.reporting.listTasks({ managerId: h.people.otherManager.id, status: 'submitted' }, { pageSize: 10 })).items.length === 1 ? true : undefined), {
    what: 'the delivery in the store',
    timeoutMs: 30_000,
  });

  const scheduleId = uniqueId('manager-digest');
  const handle = h.temporal.client.schedule.getHandle(scheduleId);
  try {
    expect(await ensureDigestSchedule(h.temporal.client, { digest: 'manager', schedule: parseDigestSchedule('MON 08:00')!, timeZone: 'Europe/Berlin', taskQueue: h.taskQueue, scheduleId, logger })).toBe(
      'created',
    );
    const described = await handle.describe();
    expect(described.action).toEqual(expect.objectContaining({ workflowType: 'managerDigestWorkflow' }));
    expect(described.spec.timezone).toBe('Europe/Berlin');

    const sentBefore = smtp.received.length;
    await handle.trigger();
    const run = await eventually(async () => (await handle.describe()).info.recentActions.at(-1)?.action, { what: 'the triggered run', timeoutMs: 30_000 });
    const runHandle = h.temporal.client.workflow.getHandle(run.workflow.workflowId, run.workflow.firstExecutionRunId);
    await runHandle.result();
    const digests = smtp.received.slice(sentBefore).filter((m) => m.parsed.subject?.startsWith('Your projects this week'));
    const to = (key: PersonKey) => digests.filter((m) => m.envelopeTo.includes(`${h.people[key].id}@agency.example`));

    const [theirs, ...again] = to('otherManager');
    expect(again).toHaveLength(0);
    const text = theirs!.parsed.text ?? '';
    expect(theirs!.parsed.subject).toMatch(/^Your projects this week, \d{4}-\d{2}-\d{2}$/);
    expect(text).toContain('Your projects under way: 3 (1 being planned, 1 waiting for approval, 1 in production).');
    expect(text).toContain(`Deliveries waiting for your review: 1\n- Week: delivered work for Initech, 1 delivery, waiting since `);
    expect(text).toContain(`/projects/${id}\n`);
    expect(text).toContain(`Plans to write: 1\n- Week: new request for Globex, waiting since `);
    expect(text).toContain(`/projects/${toPlan.body.projectId}\n`);
    expect(text).toContain(`Plans with leadership for their decision: 1\n- Week: plan sent for Umbrella, sent `);
    // What waits on them comes first.
    expect(text.indexOf('Deliveries waiting')).toBeLessThan(text.indexOf('Plans to write'));
    expect(text.indexOf('Plans to write')).toBeLessThan(text.indexOf('Plans with leadership'));
    // Their own projects only; the other manager gets their own mail, with theirs. Nobody gone holds their work.
    expect(text).not.toMatch(/not theirs|Digest: |no longer here/);
    expect(to('manager')).toHaveLength(1);
    expect(to('manager')[0]!.parsed.text).toContain('- Week: not theirs for Hooli, waiting since ');
    // A manager with nothing under way, and leadership, get none.
    expect(to('reportManager')).toHaveLength(0);
    expect(digests.filter((m) => m.envelopeTo.includes(`${h.people.leadership.id}@agency.example`))).toHaveLength(0);
    await recordHistory(runHandle, 'manager-digest');

    expect(await ensureDigestSchedule(h.temporal.client, { digest: 'manager', schedule: 'off', timeZone: 'Europe/Berlin', taskQueue: h.taskQueue, scheduleId, logger })).toBe('deleted');
  } finally {
    await handle.delete().catch(() => undefined);
  }
});

/** A digest run as the schedule starts one, and the digests it mailed. */
const runDigest = async (workflow: 'leadershipDigestWorkflow' | 'managerDigestWorkflow', subject: string) => {
  const before = smtp.received.length;
  await h.temporal.client.workflow.execute(workflow, { taskQueue: h.taskQueue, workflowId: uniqueId('digest-run') });
  return smtp.received.slice(before).filter((m) => m.parsed.subject?.startsWith(subject) === true);
};
const toPerson = <M extends { envelopeTo: string[] }>(mails: M[], id: string): M[] => mails.filter((m) => m.envelopeTo.includes(`${id}@agency.example`));

describe('a person who stopped their digest', () => {
  /** The `List-Unsubscribe` header as the mail carried it (one line, unfolded). */
  const header = (mail: (typeof smtp.received)[number], name: string): string | undefined =>
    mail.parsed.headerLines.find((l) => l.key === name.toLowerCase())?.line.replace(/\r?\n[ \t]+/g, ' ').replace(/^[^:]+:\s*/, '');

  test('gets none while the others do, even as its other notices keep coming, and gets it again once they turn it back on', async () => {
    const manager = h.people.manager.id;
    const leader = h.people.leadership.id;
    // Something under way for both managers, so each has a digest to get (whatever ran before).
    for (const who of ['manager', 'otherManager'] as const) {
      const made = await h.http().post('/api/projects').set(h.auth(who)).send(projectRequest({ title: `Stopped digest: under way for ${who}` })).expect(201);
      await eventually(async () => ((await h.reporting.listProjects({ managerId: h.people[who].id }, { pageSize: 100 })).items.some((p) => p.projectId === made.body.projectId) ? true : undefined), {
        what: 'the project in the store',
        timeoutMs: 30_000,
      });
    }
    const first = await runDigest('managerDigestWorkflow', 'Your projects this week');
    const [mail] = toPerson(first, manager);
    expect(toPerson(first, h.people.otherManager.id)).toHaveLength(1);
    // The digest says why it comes and how to stop it, in its last line and in its headers (RFC 8058).
    const text = mail!.parsed.text ?? '';
    expect(text).toMatch(/\nYou get this every week as an account manager\. Stop these mails: http:\/\/localhost:3000\/mail\/unsubscribe\?token=[\w-]+\.[\w-]{32}\n$/);
    const listUnsubscribe = header(mail!, 'List-Unsubscribe');
    expect(listUnsubscribe).toMatch(/^<http:\/\/localhost:3000\/api\/mail\/unsubscribe\?token=[\w-]+\.[\w-]{32}>$/);
    expect(header(mail!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const oneClick = new URL(listUnsubscribe!.slice(1, -1));
    expect(oneClick.searchParams.get('token')).toBe(new URL(/Stop these mails: (\S+)/.exec(text)![1]!).searchParams.get('token'));

    // The mail client's one-click button: a form POST to the header's address, nothing else.
    const stopped = await h.http().post(`${oneClick.pathname}${oneClick.search}`).type('form').send('List-Unsubscribe=One-Click').expect(200);
    expect(stopped.body).toEqual({ digest: 'manager_digest', receives: false, changed: true });
    // And leadership's harness leader stops theirs in the portal.
    await h.http().put('/api/me/mail').set(h.auth('leadership')).send({ digests: [{ digest: 'leadership_digest', receives: false }] }).expect(200);

    const second = await runDigest('managerDigestWorkflow', 'Your projects this week');
    expect(toPerson(second, manager)).toHaveLength(0);
    expect(toPerson(second, h.people.otherManager.id)).toHaveLength(1);
    const leaders = await runDigest('leadershipDigestWorkflow', 'Where the agency stands');
    expect(toPerson(leaders, leader)).toHaveLength(0);
    // The other member of leadership still gets it, with their own way out.
    const lena = leaders.filter((m) => m.envelopeTo.includes('lena.director@agency.example'));
    expect(lena).toHaveLength(1);
    expect(lena[0]!.parsed.text).toMatch(/You get this every week as a member of leadership\. Stop these mails: \S+\n$/);
    expect(header(lena[0]!, 'List-Unsubscribe')).toMatch(/^<http:\/\/localhost:3000\/api\/mail\/unsubscribe\?token=/);

    // Every other notice still reaches them: the plan waiting for leadership, the decision for its manager.
    const before = smtp.received.length;
    const project = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: 'Stopped digest: still told' })).expect(201);
    await h.http().put(`/api/projects/${project.body.projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
    await h.http().post(`/api/projects/${project.body.projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
    const since = () => smtp.received.slice(before);
    const waiting = await eventually(async () => toPerson(since(), leader).find((m) => /awaits approval: Stopped digest/.test(m.parsed.subject ?? '')), { what: 'the plan waiting, to the leader', timeoutMs: 30_000 });
    const decided = await eventually(async () => toPerson(since(), manager).find((m) => /approved: Stopped digest/.test(m.parsed.subject ?? '')), { what: 'the decision, to the manager', timeoutMs: 30_000 });
    // Not digests: no way out in them.
    for (const notice of [waiting, decided]) {
      expect(notice.parsed.text).not.toContain('Stop these mails');
      expect(header(notice, 'List-Unsubscribe')).toBeUndefined();
    }

    // Turned on again in the portal: the next digest comes.
    await h.http().put('/api/me/mail').set(h.auth('manager')).send({ digests: [{ digest: 'manager_digest', receives: true }] }).expect(200);
    await h.http().put('/api/me/mail').set(h.auth('leadership')).send({ digests: [{ digest: 'leadership_digest', receives: true }] }).expect(200);
    expect(toPerson(await runDigest('managerDigestWorkflow', 'Your projects this week'), manager)).toHaveLength(1);
    expect(toPerson(await runDigest('leadershipDigestWorkflow', 'Where the agency stands'), leader)).toHaveLength(1);
  });
});

/**
 * Work held by people no longer here, as the store has it (published as the workflows would: no
 * workflow runs for these projects): last in this file, so the weeks above had none.
 */
describe('work of people no longer here', () => {
  const GONE_MANAGER = 'boris.left';
  const GONE_DESIGNER = 'anton.left';
  const base = new Date(Date.now() - 10 * 86_400_000).toISOString();
  const due = new Date(Date.now() + 10 * 86_400_000).toISOString();
  /** A project of `managerId` in production, its design tasks (`keys`) open. */
  const project = (managerId: string, keys: string[]) => {
    const built = new ProjectBuilder({ projectId: uniqueId('p-gone'), managerId, client: { id: uniqueId('client-gone'), name: 'Gone Ltd', segment: 'B2B' }, intakeAt: base })
      .submitPlan(plusDays(base, 1), keys.map((key) => ({ key, department: 'design' as const, dueAt: due })))
      .approve(plusDays(base, 2));
    for (const key of keys) built.task(key).open(plusDays(base, 2));
    return built;
  };
  const publish = async (...projects: ProjectBuilder[]) => {
    for (const p of projects) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  };
  const portal = () => h.config.publicBaseUrl;
  const workInHand = (id: string) => `${portal()}/kpis/workload?assignee=${id}&state=in_work`;

  test("leadership's digest names the running projects of a manager gone (the portfolio narrowed to them, to hand over) and the tasks in work of people gone (to reassign); each manager's, those of their own projects", async () => {
    // The manager who left runs a project, its design held by the designer who left; the harness's
    // manager has a task of theirs held by that designer and one by someone now in leadership; the
    // other manager one held by that designer.
    const orphan = project(GONE_MANAGER, ['a']);
    orphan.task('a').claim(GONE_DESIGNER);
    const mine = project(h.people.manager.id, ['a', 'b']);
    mine.task('a').claim(GONE_DESIGNER);
    mine.task('b').claim('lena.director');
    const theirs = project(h.people.otherManager.id, ['a']);
    theirs.task('a').claim(GONE_DESIGNER);
    await publish(orphan, mine, theirs);

    const [leaders] = toPerson(await runDigest('leadershipDigestWorkflow', 'Where the agency stands'), h.people.leadership.id);
    expect(leaders!.parsed.text).toContain(
      [
        '',
        'Work of people no longer here — hand it over or reassign it: 1 project, 4 tasks',
        `- ${GONE_MANAGER}: 1 running project: ${portal()}/projects?manager=${GONE_MANAGER}`,
        `- ${GONE_DESIGNER}: 3 tasks in work: ${workInHand(GONE_DESIGNER)}`,
        `- Lena Smirnova, now in leadership: 1 task in work: ${workInHand('lena.director')}`,
        '',
        '',
      ].join('\n'),
    );

    const managers = await runDigest('managerDigestWorkflow', 'Your projects this week');
    const [manager] = toPerson(managers, h.people.manager.id);
    expect(manager!.parsed.text).toContain(
      [
        '',
        'Work of people no longer here — reassign it: 2 tasks',
        `- ${GONE_DESIGNER}: 1 task in work: ${workInHand(GONE_DESIGNER)}`,
        `- Lena Smirnova, now in leadership: 1 task in work: ${workInHand('lena.director')}`,
        '',
        '',
      ].join('\n'),
    );
    const [other] = toPerson(managers, h.people.otherManager.id);
    expect(other!.parsed.text).toContain(`\nWork of people no longer here — reassign it: 1 task\n- ${GONE_DESIGNER}: 1 task in work: ${workInHand(GONE_DESIGNER)}\n\n`);
    // Not theirs: the manager who left is no reader, and their project is nobody else's to see here.
    expect(toPerson(managers, GONE_MANAGER)).toHaveLength(0);
    expect(`${manager!.parsed.text}${other!.parsed.text}`).not.toContain(GONE_MANAGER);
  });

  test('ten holders named and how many more; a manager whose only open matter is a task held by someone gone still gets the digest', async () => {
    // The store's copy of a completed project with its tasks still in work (a task's copy behind its
    // project's), each held by someone who left: the manager has nothing else under way.
    const gone = Array.from({ length: 11 }, (_, i) => `gone-${String(i + 1).padStart(2, '0')}`);
    const finished = project(h.people.reportManager.id, gone);
    for (const id of gone) finished.task(id).claim(id);
    finished.toClientReview(plusDays(base, 4)).clientAccepts(plusDays(base, 4), 5).complete(plusDays(base, 5));
    await publish(finished);

    const [mail] = toPerson(await runDigest('managerDigestWorkflow', 'Your projects this week'), h.people.reportManager.id);
    const text = mail!.parsed.text ?? '';
    expect(text).toMatch(/^Your projects under way: 0\.\n\nWork of people no longer here — reassign it: 11 tasks\n/);
    for (const id of gone.slice(0, 10)) expect(text).toContain(`\n- ${id}: 1 task in work: ${workInHand(id)}\n`);
    expect(text).toContain(`\n- gone-10: 1 task in work: ${workInHand('gone-10')}\n- and 1 more: see the portfolio\n\n`);
    expect(text).not.toContain('gone-11');
  });
});
