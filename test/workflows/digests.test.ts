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
    expect(text).toMatch(/Open in the portal: \S+\/projects\n$/);
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
    // Their own projects only; the other manager gets their own mail, with theirs.
    expect(text).not.toMatch(/not theirs|Digest: /);
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
