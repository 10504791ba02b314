/**
 * Notifications reach a real local SMTP server exactly once per (event, recipient), whatever the
 * retries; without SMTP every message is a structured log line. Templates print what they are
 * given and read well when a value is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { NOTIFICATION_TEMPLATES, type NotifyInput } from '../../activities/contract';
import { createMailerFromConfig, LogMailer, SmtpMailer, type Mailer } from '../../activities/mail/mailer';
import { FileSentLog } from '../../activities/mail/sent-log';
import { renderNotification } from '../../activities/mail/templates';
import { createNotificationActivities } from '../../activities/notifications';
import { capturedLogger, people } from './fixtures';
import { startSmtpServer, type TestSmtpServer } from './smtp';

const FROM = 'agencyflow <no-reply@agency.example>';
const BASE_URL = 'https://portal.agency.example';

let smtp: TestSmtpServer;
let tmp: string;

beforeEach(async () => {
  smtp = await startSmtpServer();
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'agencyflow-mail-'));
});

afterEach(async () => {
  await smtp.close();
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

function smtpMailer(): Mailer {
  return new SmtpMailer({ host: '127.0.0.1', port: smtp.port, secure: false, from: FROM });
}

function notifier(options: { mailer?: Mailer; escalationEmail?: string; logger?: ReturnType<typeof capturedLogger>['logger'] } = {}) {
  return createNotificationActivities({
    mailer: options.mailer ?? smtpMailer(),
    sentLog: new FileSentLog(path.join(tmp, 'mail-sent')),
    people,
    logger: options.logger ?? capturedLogger().logger,
    publicBaseUrl: BASE_URL,
    escalationEmail: options.escalationEmail,
  });
}

const fullData: NotifyInput['data'] = {
  projectTitle: 'Spring campaign landing page',
  clientName: 'Globex Corporation',
  taskTitle: 'Landing page design',
  department: 'design',
  dueAt: '2026-03-10T17:00:00Z',
  submittedAt: '2026-03-01T13:00:00Z',
  assigneeId: 'dima.design',
  previousAssigneeId: 'olga.design',
  managerId: 'anna.manager',
  by: 'lena.director',
  comment: 'Make the hero brighter',
  summary: 'Three layouts attached',
  description: 'The first draft was late',
  reason: 'Client budget cut',
  decision: 'approve',
  planVersion: 2,
  amount: 3314.15,
  currency: 'EUR',
  invoiceNumber: 'INV-2026-000019',
};

test('every template renders and reaches the SMTP server exactly once, linking to the API resource', async () => {
  const { notify } = notifier();
  for (const template of NOTIFICATION_TEMPLATES) {
    const result = await notify({
      idempotencyKey: `project-acme:${template}`,
      template,
      recipients: { emails: ['buyer@globex.example'] },
      projectId: 'acme',
      taskId: template.startsWith('task_') ? 'acme.design' : undefined,
      data: fullData,
    });
    expect(result).toEqual({ sent: 1, recipients: ['buyer@globex.example'], duplicate: false });
  }

  expect(smtp.received).toHaveLength(NOTIFICATION_TEMPLATES.length);
  const subjects = new Set(smtp.received.map((m) => m.parsed.subject));
  expect(subjects.size).toBe(NOTIFICATION_TEMPLATES.length); // each template says something of its own
  for (const mail of smtp.received) {
    expect(mail.envelopeTo).toEqual(['buyer@globex.example']);
    expect(mail.parsed.from?.text).toContain('no-reply@agency.example');
    expect(mail.parsed.messageId).toMatch(/^<[0-9a-f]{40}\.agencyflow@agency\.example>$/);
    const text = mail.parsed.text ?? '';
    expect(text).not.toMatch(/undefined|NaN|\[object/);
    expect(text).toMatch(/Open: https:\/\/portal\.agency\.example\/api\/(tasks\/acme\.design|projects\/acme)/);
  }

  const byKey = (template: string) =>
    smtp.received.find((m) => m.parsed.headers.get('x-agencyflow-idempotency-key') === `project-acme:${template}`)!;
  expect(byKey('invoice_issued').parsed.subject).toContain('INV-2026-000019');
  expect(byKey('invoice_issued').parsed.text).toContain('3,314.15 EUR');
  expect(byKey('task_changes_requested').parsed.text).toContain('Make the hero brighter');
  expect(byKey('task_reassigned').parsed.text).toContain('Olga Morozova'); // ids are printed as names
  expect(byKey('plan_decided').parsed.subject).toBe('Plan v2 approved: Spring campaign landing page');
  expect(byKey('project_cancelled').parsed.text).toContain('Client budget cut');
  expect(byKey('task_opened').parsed.text).toContain('2026-03-10 17:00 UTC');
});

test('a template with no data still reads as a sentence', () => {
  for (const template of NOTIFICATION_TEMPLATES) {
    const rendered = renderNotification({ template, data: {} }, { publicBaseUrl: BASE_URL });
    expect(rendered.subject.trim().length).toBeGreaterThan(5);
    expect(`${rendered.subject}\n${rendered.text}`).not.toMatch(/undefined|NaN|null|\[object|: *$|\(\)/m);
  }
});

test('templates read the values under the names the project workflow sends them', () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  const render = (template: NotifyInput['template'], data: NotifyInput['data']) => renderNotification({ template, data, projectId: 'acme' }, ctx);

  expect(render('payment_reminder', { invoiceNumber: 'INV-2026-000019', amountOwed: 1200.5, currency: 'EUR', dueAt: '2026-03-30T11:00:00Z' }).text).toContain(
    'Invoice INV-2026-000019 for your project (1,200.50 EUR) was due 2026-03-30 11:00 UTC',
  );
  expect(render('plan_waiting', { planVersion: 3, total: 4734.5, currency: 'EUR', reminder: true })).toMatchObject({
    subject: 'Reminder: Plan v3 awaits approval: your project',
    text: expect.stringContaining('Total: 4,734.50 EUR.'),
  });
  expect(render('plan_approval_escalation', { planVersion: 3, waitingSince: '2026-03-01T13:00:00Z' }).text).toContain('submitted 2026-03-01 13:00 UTC');
  expect(render('client_response_due', { deemedAcceptedAt: '2026-03-20T09:00:00Z' }).text).toContain('by 2026-03-20 09:00 UTC');
  expect(render('project_cancelled', { cancelledBy: 'anna.manager', stage: 'in_production', reason: 'Budget cut' }).text).toContain(
    'Your project was cancelled by Anna Petrova at the in production stage.\nReason: Budget cut',
  );
  expect(render('delivery_ready', { revisionRound: 2 }).text).toContain('(revision round 2)');
});

test('calling notify twice with the same key sends once', async () => {
  const { notify } = notifier();
  const input: NotifyInput = {
    idempotencyKey: 'project-acme:plan-waiting:v2',
    template: 'plan_waiting',
    recipients: { roles: ['leadership'] },
    projectId: 'acme',
    data: fullData,
  };
  const first = await notify(input);
  const second = await notify(input);

  expect(first).toEqual({ sent: 2, recipients: ['lena.director@agency.example', 'oleg.director@agency.example'], duplicate: false });
  expect(second).toEqual({ sent: 0, recipients: first.recipients, duplicate: true });
  expect(smtp.received.map((m) => m.envelopeTo[0]).sort()).toEqual(first.recipients);
});

test('recipients resolve from the directory, each address once, each in its own message', async () => {
  const { notify } = notifier();
  const result = await notify({
    idempotencyKey: 'project-acme:mixed',
    template: 'task_opened',
    recipients: {
      personIds: ['anna.manager', 'dima.design', 'nobody.here'],
      department: 'design',
      roles: ['manager'],
      emails: ['Buyer@Globex.example', 'not-an-address'],
    },
    projectId: 'acme',
    data: fullData,
  });

  const expected = ['anna.manager@agency.example', 'dima.design@agency.example', 'olga.design@agency.example', 'Buyer@Globex.example'];
  expect(result.recipients).toEqual(expected);
  expect(smtp.received).toHaveLength(4);
  for (const mail of smtp.received) expect(mail.envelopeTo).toHaveLength(1); // no one sees the others' addresses
  const dimaMail = smtp.received.find((m) => m.envelopeTo[0] === 'dima.design@agency.example');
  expect(dimaMail?.parsed.to).toMatchObject({ value: [{ name: 'Dima Kozlov', address: 'dima.design@agency.example' }] });
});

test('escalations go to ESCALATION_EMAIL when it is set, otherwise to all of leadership', async () => {
  const withContact = notifier({ escalationEmail: 'escalations@agency.example' });
  const withoutContact = notifier();
  const input = (key: string): NotifyInput => ({
    idempotencyKey: key,
    template: 'task_escalation',
    recipients: { escalationContact: true },
    projectId: 'acme',
    taskId: 'acme.design',
    data: fullData,
  });

  expect((await withContact.notify(input('k1'))).recipients).toEqual(['escalations@agency.example']);
  expect((await withoutContact.notify(input('k2'))).recipients).toEqual(['lena.director@agency.example', 'oleg.director@agency.example']);
  expect(smtp.received).toHaveLength(3);
});

test('a retry after a temporary failure reaches only the recipients the first attempt missed', async () => {
  const { notify } = notifier();
  const input: NotifyInput = {
    idempotencyKey: 'project-acme:task-opened:1',
    template: 'task_opened',
    recipients: { department: 'design', personIds: ['anna.manager'] },
    projectId: 'acme',
    taskId: 'acme.design',
    data: fullData,
  };
  smtp.refuse.set('olga.design@agency.example', 451); // the last of three: mailbox busy

  await expect(notify(input)).rejects.toMatchObject({ responseCode: 451 });
  expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual(['anna.manager@agency.example', 'dima.design@agency.example']);

  smtp.refuse.clear();
  const retry = await notify(input);
  expect(retry).toMatchObject({ sent: 1, duplicate: false });
  expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual([
    'anna.manager@agency.example',
    'dima.design@agency.example',
    'olga.design@agency.example',
  ]);
});

test('an address the server refuses for good is reported and skipped; the others are reached', async () => {
  const { lines, logger } = capturedLogger();
  const { notify } = notifier({ logger });
  smtp.refuse.set('dima.design@agency.example', 550);

  const result = await notify({
    idempotencyKey: 'project-acme:opened',
    template: 'task_opened',
    recipients: { department: 'design' },
    projectId: 'acme',
    data: fullData,
  });

  expect(result.sent).toBe(1);
  expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual(['olga.design@agency.example']);
  expect(lines).toContainEqual(expect.objectContaining({ level: 50, to: 'dima.design@agency.example', projectId: 'acme' }));
});

test('without SMTP each message is one structured log line, and a retry logs nothing more', async () => {
  const { lines, logger } = capturedLogger();
  const mailer = createMailerFromConfig(
    { SMTP_HOST: undefined, SMTP_PORT: 587, SMTP_SECURE: false, SMTP_USER: undefined, SMTP_PASSWORD: undefined, MAIL_FROM: FROM },
    logger,
  );
  expect(mailer).toBeInstanceOf(LogMailer);
  const { notify } = notifier({ mailer, logger });
  const input: NotifyInput = {
    idempotencyKey: 'project-acme:acme.design:overdue',
    template: 'task_overdue',
    recipients: { personIds: ['anna.manager', 'lena.director'] },
    projectId: 'acme',
    taskId: 'acme.design',
    data: fullData,
  };

  await notify(input);
  await notify(input);

  const mails = lines.filter((l) => l.msg === 'mail (no SMTP configured)');
  expect(mails).toEqual([
    expect.objectContaining({
      to: 'anna.manager@agency.example',
      subject: 'Overdue: Landing page design (Spring campaign landing page)',
      idempotencyKey: input.idempotencyKey,
      projectId: 'acme',
      taskId: 'acme.design',
    }),
    expect.objectContaining({ to: 'lena.director@agency.example' }),
  ]);
  expect(smtp.received).toHaveLength(0);
});

test('the SMTP password never reaches the log', () => {
  const { lines, logger } = capturedLogger();
  const mailer = createMailerFromConfig(
    { SMTP_HOST: '127.0.0.1', SMTP_PORT: smtp.port, SMTP_SECURE: false, SMTP_USER: 'mailer', SMTP_PASSWORD: 'hunter2-very-secret', MAIL_FROM: FROM },
    logger,
  );
  expect(mailer).toBeInstanceOf(SmtpMailer);
  expect(JSON.stringify(lines)).not.toContain('hunter2-very-secret');
  expect(lines).toContainEqual(expect.objectContaining({ host: '127.0.0.1', user: 'mailer' }));
  mailer.close();
});

test('inside an activity the log lines name the workflow, project and task', async () => {
  const { lines, logger } = capturedLogger();
  const { notify } = notifier({ logger });
  const env = new MockActivityEnvironment({
    workflowExecution: { workflowId: 'task-acme.design', runId: 'run-1' },
    activityType: 'notify',
  });

  const input: NotifyInput = {
    idempotencyKey: 'task-acme.design:opened:1',
    template: 'task_opened',
    recipients: { personIds: ['dima.design'] },
    projectId: 'acme',
    taskId: 'acme.design',
    data: fullData,
  };
  await env.run(notify, input);

  expect(lines).toContainEqual(
    expect.objectContaining({
      msg: 'notification delivered to the transport',
      workflowId: 'task-acme.design',
      activityType: 'notify',
      projectId: 'acme',
      taskId: 'acme.design',
      sent: 1,
    }),
  );
});

test('bad input fails at once instead of being retried', async () => {
  const { notify } = notifier();
  const failure = await notify({
    idempotencyKey: '',
    template: 'task_opened',
    recipients: { emails: ['a@b.example'] },
    data: {},
  }).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
  expect(smtp.received).toHaveLength(0);
});
