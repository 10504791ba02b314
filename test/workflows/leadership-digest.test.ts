/**
 * Leadership's weekly digest, end to end on the real dev server: the Temporal Schedule made from
 * LEADERSHIP_DIGEST in the agency's zone (and brought in line, and deleted with `off`), a run it
 * starts reading the reporting store, and the mail leadership receives over SMTP.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { loadConfig, parseDigestSchedule } from '../../common/config';
import { createLogger } from '../../common/logger';
import { ensureLeadershipDigestSchedule } from '../../worker/leadership-digest-schedule';
import { planRequest, projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { eventually, uniqueId } from '../support/temporal';
import { startSmtpServer, type TestSmtpServer } from '../activities/smtp';
import { recordHistory } from './support';

let smtp: TestSmtpServer;
let h: ApiHarness;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  smtp = await startSmtpServer();
  h = await startApiHarness({ env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), AGENCY_TIME_ZONE: 'Europe/Berlin' } });
});

afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

test('LEADERSHIP_DIGEST: days and a time, or off; anything else stops start-up naming it', () => {
  expect(loadConfig({}).LEADERSHIP_DIGEST).toEqual({ days: ['MONDAY'], hour: 8, minute: 0 });
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
  await eventually(async () => ((await h.reporting.portfolio({})).plansAwaitingDecision.count === 1 ? true : undefined), { what: 'the plan in the store', timeoutMs: 30_000 });

  const scheduleId = uniqueId('digest');
  const handle = h.temporal.client.schedule.getHandle(scheduleId);
  const ensure = (schedule: string) =>
    ensureLeadershipDigestSchedule(h.temporal.client, { schedule: parseDigestSchedule(schedule)!, timeZone: 'Europe/Berlin', taskQueue: h.taskQueue, scheduleId, logger });
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
    expect(text).toContain('Projects under way: 2 (1 being planned, 1 waiting for approval).');
    expect(text).toContain(`Plans waiting for your decision: 1\n- Digest: plan to decide for ACME Ltd, waiting since `);
    expect(text).toContain(`/projects/${waiting.body.projectId}`);
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
