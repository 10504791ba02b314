/**
 * Notifications reach a real local SMTP server exactly once per (event, recipient), whatever the
 * retries; without SMTP every message is a structured log line. Staff read where to act (a portal
 * link), clients what to do (they have no portal account: their one link is their project's page,
 * opened by its key) with their invoice attached.
 * Templates print what they are given and read well when a value is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import pdfParse from 'pdf-parse/lib/pdf-parse.js';
import { NOTIFICATION_TEMPLATES, type NotificationTemplate, type NotifyInput } from '../../activities/contract';
import type { InvoiceView, ProjectStatus } from '../../workflows/project/contract';
import { createDocumentActivities } from '../../activities/documents';
import { agencyDetailsFromConfig } from '../../activities/documents/pdf';
import { FilesystemDocumentStore } from '../../activities/documents/store';
import { createMailerFromConfig, LogMailer, SmtpMailer, type Mailer } from '../../activities/mail/mailer';
import { FileSentLog } from '../../activities/mail/sent-log';
import { needsProjectSnapshot, renderNotification } from '../../activities/mail/templates';
import { planAgainstRequestFigures } from '../../workflows/project/state';
import { createNotificationActivities } from '../../activities/notifications';
import type { Client } from '@temporalio/client';
import { ClientLinks, type ClientLinkStore } from '../../common/client-links';
import { loadConfig } from '../../common/config';
import { PeopleDirectory } from '../../common/people';
import { agency, capturedLogger, finalInvoice, people, sampleSnapshot } from './fixtures';
import { startSmtpServer, type TestSmtpServer } from './smtp';
import { eventually } from '../support/temporal';

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

/** The document store the notices read attachments from (and the documents activity writes). */
const documentStore = () => new FilesystemDocumentStore(path.join(tmp, 'documents'));

/**
 * The client links as the worker makes them, on a store held in memory (the reporting store's part
 * is tested in test/reporting and test/api); `down` makes the store fail as one that is down.
 */
function clientLinks(state: { down?: boolean } = {}): ClientLinks {
  const store: ClientLinkStore = {
    sharedSecret: async () => {
      if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return 'a-secret-shared-by-every-process';
    },
    clientLinkGeneration: async () => 0,
    renewClientLink: async (_projectId, from) => ({ generation: from + 1, renewed: true }),
  };
  return new ClientLinks(store, BASE_URL);
}

function notifier(options: { mailer?: Mailer; escalationEmail?: string; logger?: ReturnType<typeof capturedLogger>['logger']; links?: ClientLinks; people?: PeopleDirectory } = {}) {
  return createNotificationActivities({
    mailer: options.mailer ?? smtpMailer(),
    sentLog: new FileSentLog(path.join(tmp, 'mail-sent')),
    people: options.people ?? people,
    logger: options.logger ?? capturedLogger().logger,
    publicBaseUrl: BASE_URL,
    clientLinks: options.links ?? clientLinks(),
    escalationEmail: options.escalationEmail,
    store: documentStore(),
  });
}

/** A real invoice PDF in the store, as the project workflow has it produced before the notice. */
async function producedInvoice(kind: 'final_invoice' | 'credit_note' = 'final_invoice'): Promise<string> {
  const { produceDocument } = createDocumentActivities({ store: documentStore(), logger: capturedLogger().logger, agency, people });
  const invoice = kind === 'credit_note' ? { ...finalInvoice, kind: 'credit_note' as const, number: 'INV-2026-000032', amount: 420.35 } : finalInvoice;
  const snapshot = sampleSnapshot('acme', kind === 'credit_note' ? { cancellation: { reason: 'Budget cut', by: 'anna.manager', at: '2026-03-08T11:00:00Z', stageAtCancel: 'in_production' } } : {});
  return (await produceDocument({ projectId: 'acme', kind, sequence: 1, snapshot, invoice })).documentId;
}

const CLIENT_TEMPLATES: NotificationTemplate[] = ['delivery_ready', 'client_response_due', 'invoice_issued', 'invoice_voided', 'credit_note_issued', 'payment_reminder', 'payment_received', 'payment_returned', 'work_started', 'acceptance_act_to_sign', 'refund_paid', 'project_cancelled', 'complaint_resolved', 'change_request_declined', 'complaint_rework_started', 'project_completed_for_client'];
/** Where each staff notice links: the page of the portal where its reader acts. */
const PORTAL_PAGE: Record<NotificationTemplate, string> = {
  task_opened: '/tasks/acme.design',
  task_changes_requested: '/tasks/acme.design',
  task_reassigned: '/tasks/acme.design',
  task_unassigned: '/tasks/acme.design',
  tasks_reassigned: '/inbox',
  task_deadline_reminder: '/tasks/acme.design',
  task_cancelled: '/tasks/acme.design',
  task_submitted: '/tasks/acme.design',
  task_overdue: '/tasks/acme.design',
  task_escalation: '/tasks/acme.design',
  task_review_due: '/tasks/acme.design',
  task_review_escalation: '/tasks/acme.design',
  plan_decided: '/projects/acme',
  plan_overdue: '/projects/acme',
  project_handed_over: '/projects/acme',
  projects_handed_over: '/projects',
  leadership_digest: '/projects',
  manager_digest: '/projects',
  plan_overdue_escalation: '/projects/acme',
  client_response_due: '/projects/acme',
  client_accepted: '/projects/acme',
  changes_asked: '/projects/acme',
  payment_overdue: '/projects/acme',
  refund_overdue: '/projects/acme',
  invoice_written_off: '/projects/acme',
  plan_waiting: '/approvals',
  plan_approval_escalation: '/approvals',
  complaint_filed: '/projects/acme',
  complaint_unresolved: '/projects/acme',
  payment_escalation: '/projects/acme',
  refund_escalation: '/projects/acme',
  project_cancelled: '/projects/acme',
  project_completed: '/projects/acme',
  delivery_ready: '/projects/acme',
  invoice_issued: '/projects/acme',
  invoice_voided: '/projects/acme',
  credit_note_issued: '/projects/acme',
  payment_reminder: '/projects/acme',
  payment_received: '/projects/acme',
  payment_returned: '/projects/acme',
  work_started: '/projects/acme',
  acceptance_act_to_sign: '/projects/acme',
  refund_paid: '/projects/acme',
  complaint_resolved: '/projects/acme',
  change_request_declined: '/projects/acme',
  complaint_rework_started: '/projects/acme',
  project_completed_for_client: '/projects/acme',
};
const isTaskNotice = (template: NotificationTemplate) => PORTAL_PAGE[template].startsWith('/tasks/');

const fullData: NotifyInput['data'] = {
  projectTitle: 'Spring campaign landing page',
  clientName: 'Globex Corporation',
  taskTitle: 'Landing page design',
  department: 'design',
  dueAt: '2026-03-10T17:00:00Z',
  submittedAt: '2026-03-01T13:00:00Z',
  reviewDueAt: '2026-03-02T13:00:00Z',
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

test('every template reaches staff once with a link to the portal page where they act, and never an /api/ URL', async () => {
  const { notify } = notifier();
  for (const template of NOTIFICATION_TEMPLATES) {
    const result = await notify({
      idempotencyKey: `project-acme:${template}`,
      template,
      recipients: { personIds: ['lena.director'] },
      projectId: 'acme',
      taskId: isTaskNotice(template) ? 'acme.design' : undefined,
      data: fullData,
    });
    expect(result).toEqual({ sent: 1, recipients: ['lena.director@agency.example'], duplicate: false });
  }

  expect(smtp.received).toHaveLength(NOTIFICATION_TEMPLATES.length);
  expect(new Set(smtp.received.map((m) => m.parsed.subject)).size).toBe(NOTIFICATION_TEMPLATES.length); // each says something of its own
  for (const mail of smtp.received) {
    const template = mail.parsed.headers.get('x-agencyflow-idempotency-key')!.toString().replace('project-acme:', '') as NotificationTemplate;
    expect(mail.envelopeTo).toEqual(['lena.director@agency.example']);
    expect(mail.parsed.from?.text).toContain('no-reply@agency.example');
    expect(mail.parsed.messageId).toMatch(/^<[0-9a-f]{40}\.agencyflow@agency\.example>$/);
    expect(mail.parsed.replyTo).toBeUndefined(); // staff answer in the portal
    const text = mail.parsed.text ?? '';
    expect(text).not.toMatch(/undefined|NaN|\[object/);
    expect({ template, link: /Open in the portal: (\S+)/.exec(text)?.[1] }).toEqual({ template, link: `${BASE_URL}${PORTAL_PAGE[template]}` });
    expect(text).not.toContain('/api/');
  }

  const byKey = (template: string) =>
    smtp.received.find((m) => m.parsed.headers.get('x-agencyflow-idempotency-key') === `project-acme:${template}`)!;
  expect(byKey('task_changes_requested').parsed.text).toContain('Make the hero brighter');
  expect(byKey('task_reassigned').parsed.text).toContain('Olga Morozova'); // ids are printed as names
  expect(byKey('plan_decided').parsed.subject).toBe('Plan v2 approved: Spring campaign landing page');
  expect(byKey('project_cancelled').parsed.text).toContain('Client budget cut');
  expect(byKey('task_opened').parsed.text).toContain('2026-03-10 17:00 UTC');
});

test('client notices say what to do and whom a reply reaches, and link to nothing but their project\'s page', async () => {
  const links = clientLinks();
  const { url: clientPage } = await links.current('acme');
  expect(clientPage).toMatch(new RegExp(`^${BASE_URL}/client/acme\\?key=[A-Za-z0-9_-]{32}$`));
  const { notify } = notifier({ links });
  for (const template of CLIENT_TEMPLATES) {
    const data = template === 'invoice_voided' ? { ...fullData, amountVoided: 1420.35, amountPaid: 0 } : fullData;
    // delivery_ready and client_response_due go to the client and the manager in one notice.
    await notify({ idempotencyKey: `project-acme:${template}`, template, recipients: { emails: ['buyer@globex.example'], personIds: ['anna.manager'] }, projectId: 'acme', data });
  }

  const clientMails = smtp.received.filter((m) => m.envelopeTo[0] === 'buyer@globex.example');
  const managerMails = smtp.received.filter((m) => m.envelopeTo[0] === 'anna.manager@agency.example');
  expect(clientMails).toHaveLength(CLIENT_TEMPLATES.length);
  expect(managerMails).toHaveLength(CLIENT_TEMPLATES.length);
  for (const mail of clientMails) {
    const text = mail.parsed.text ?? '';
    expect(text).toContain(`\n\nWhere your project stands, with its invoices and documents: ${clientPage}\n`);
    expect(text.replace(clientPage, '')).not.toMatch(/https?:|\/api\/|portal/i);
    expect(text).not.toMatch(/undefined|NaN|\[object/);
    expect(text).toContain('reply to this e-mail; it reaches your account manager, Anna Petrova (anna.manager@agency.example)');
    expect(mail.parsed.replyTo?.value).toEqual([{ name: 'Anna Petrova', address: 'anna.manager@agency.example' }]);
  }
  for (const mail of managerMails) {
    expect(mail.parsed.text).toContain(`Open in the portal: ${BASE_URL}/projects/acme`);
    expect(mail.parsed.text).not.toContain('/client/'); // the manager's copy is theirs, not the client's
  }

  const forClient = (template: string) =>
    clientMails.find((m) => m.parsed.headers.get('x-agencyflow-idempotency-key') === `project-acme:${template}`)!.parsed;
  expect(forClient('invoice_issued').subject).toBe('Invoice INV-2026-000019: Spring campaign landing page');
  expect(forClient('invoice_issued').text).toContain('3,314.15 EUR, due 2026-03-10 17:00 UTC');
  expect(forClient('invoice_issued').text).toContain('quoting INV-2026-000019 as the payment reference');
  expect(forClient('payment_reminder').text).toContain('quoting INV-2026-000019 as the payment reference');
  expect(forClient('invoice_voided').text).toContain('1,420.35 EUR of it is no longer owed. Please do not pay it.');
  expect(forClient('credit_note_issued').text).toContain('We owe you 3,314.15 EUR');
  expect(forClient('credit_note_issued').text).toContain('account holder, IBAN or account number, bank name and BIC/SWIFT');
  expect(forClient('delivery_ready').text).toContain('whether you accept it or what should change');
  // Their page takes an acceptance, a request for changes or a complaint (its link ends the mail).
  expect(forClient('delivery_ready').text).toContain("You can accept it, ask for changes or make a complaint on your project's page (the link below).");
  expect(forClient('delivery_ready').text).toContain('To ask anything about the work: reply to this e-mail');
  expect(forClient('delivery_ready').text).toMatch(/Where your project stands, with its invoices and documents: http\S+key=/);
  expect(forClient('client_response_due').text).toContain('the work counts as accepted');
  // Their complaint in their words; a compensation and where it goes; never how the agency noted it.
  expect(forClient('complaint_resolved').subject).toBe('Your complaint is resolved: Spring campaign landing page');
  expect(forClient('complaint_resolved').text).toContain('about Spring campaign landing page: “The first draft was late”.');
  expect(forClient('complaint_resolved').text).toContain('We agreed a compensation of 3,314.15 EUR: it is taken off your final invoice.');
});

test('a task mail names the date the work is due, or says that date has passed and whom to tell; an escalation names the manager', async () => {
  const { notify } = notifier();
  const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const past = new Date(Date.now() - 2 * 86_400_000).toISOString();
  const mail = async (template: NotificationTemplate, dueAt: string) => {
    await notify({ idempotencyKey: `project-acme:${template}:${dueAt}`, template, recipients: { personIds: ['dima.design'] }, projectId: 'acme', taskId: 'acme.design', data: { ...fullData, dueAt } });
    return (smtp.received.at(-1)!.parsed.text ?? '').replace(/\s+/g, ' ');
  };
  const sentBackInTime = await mail('task_changes_requested', future);
  expect(sentBackInTime).toMatch(/Due: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\./);
  const sentBackLate = await mail('task_changes_requested', past);
  expect(sentBackLate).not.toContain('Due:');
  expect(sentBackLate).toMatch(/It was due \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, which has passed: deliver it as soon as you can, or tell Anna Petrova when it will come\./);
  expect(await mail('task_reassigned', past)).toContain('which has passed');
  expect(await mail('task_escalation', past)).toContain('Manager: Anna Petrova.');
});

test("a store that cannot give the client's link fails the attempt (retried) before any mail; the retry mails with the link, and no log line carries its key", async () => {
  const { lines, logger } = capturedLogger();
  const state = { down: true };
  const links = clientLinks(state);
  const { notify } = notifier({ logger, links });
  const input: NotifyInput = { idempotencyKey: 'project-acme:delivery-ready', template: 'delivery_ready', recipients: { emails: ['buyer@globex.example'], personIds: ['anna.manager'] }, projectId: 'acme', data: fullData };
  await expect(notify(input)).rejects.toThrow('ECONNREFUSED');
  expect(smtp.received).toHaveLength(0); // not even the manager's copy: the retry sends both
  state.down = false;
  await notify(input);
  const { url } = await links.current('acme');
  expect(smtp.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['anna.manager@agency.example', 'buyer@globex.example']);
  expect(smtp.received.find((m) => m.envelopeTo[0] === 'buyer@globex.example')?.parsed.text).toContain(url);

  // Without SMTP, mails are log lines: the link is in them, its key is not.
  const key = new URL(url).searchParams.get('key')!;
  const { notify: notifyToLog } = notifier({ logger, links, mailer: new LogMailer(logger, FROM) });
  await notifyToLog({ idempotencyKey: 'project-acme:payment-reminder', template: 'payment_reminder', recipients: { emails: ['buyer@globex.example'] }, projectId: 'acme', data: fullData });
  const logged = lines.find((l) => l.msg === 'mail (no SMTP configured)');
  expect(logged?.text).toContain(`${BASE_URL}/client/acme?key=[redacted]`);
  expect(JSON.stringify(lines)).not.toContain(key);
});

test('the invoice notice carries the invoice PDF, and the credit note notice the credit note', async () => {
  const invoiceId = await producedInvoice('final_invoice');
  const creditNoteId = await producedInvoice('credit_note');
  const { notify } = notifier();
  const client = { emails: ['buyer@globex.example'] };
  await notify({ idempotencyKey: 'project-acme:invoice-issued:final', template: 'invoice_issued', recipients: client, projectId: 'acme', data: { ...fullData, documentId: invoiceId } });
  await notify({
    idempotencyKey: 'project-acme:invoice-issued:credit_note',
    template: 'credit_note_issued',
    recipients: client,
    projectId: 'acme',
    data: { ...fullData, invoiceNumber: 'INV-2026-000032', amount: 420.35, documentId: creditNoteId },
  });

  const [invoiceMail, creditMail] = smtp.received.map((m) => m.parsed);
  expect(invoiceMail.attachments.map((a) => [a.filename, a.contentType])).toEqual([['final_invoice-INV-2026-000019.pdf', 'application/pdf']]);
  expect(creditMail.attachments.map((a) => a.filename)).toEqual(['credit_note-INV-2026-000032.pdf']);
  const invoiceText = (await pdfParse(new Uint8Array(invoiceMail.attachments[0].content) as unknown as Buffer)).text;
  expect(invoiceText).toContain('Amount due: 3,314.15 EUR');
  const creditText = (await pdfParse(new Uint8Array(creditMail.attachments[0].content) as unknown as Buffer)).text;
  expect(creditText).toContain('Credit note INV-2026-000032');
  expect(invoiceMail.text).toContain('is attached');
});

test('the papers that go with an invoice travel with it: the contract with the prepayment invoice, the act to sign with the final one', async () => {
  const invoiceId = await producedInvoice('final_invoice');
  const { produceDocument } = createDocumentActivities({ store: documentStore(), logger: capturedLogger().logger, agency, people });
  const act = await produceDocument({ projectId: 'acme', kind: 'acceptance_act', sequence: 1, snapshot: sampleSnapshot('acme') });
  const { notify } = notifier();
  await notify({
    idempotencyKey: 'project-acme:invoice-issued:final-with-act',
    template: 'invoice_issued',
    recipients: { emails: ['buyer@globex.example'] },
    projectId: 'acme',
    data: { ...fullData, kind: 'final', documentId: invoiceId, alsoAttach: act.documentId, alsoAttachKind: 'acceptance_act' },
  });
  const [mail] = smtp.received.map((m) => m.parsed);
  expect(mail.attachments.map((a) => a.filename)).toEqual(['final_invoice-INV-2026-000019.pdf', expect.stringMatching(/^acceptance_act-.*\.pdf$/)]);
  expect(mail.text).toContain('The acceptance act for the work delivered is attached too: please sign it and send a signed copy back to your account manager.');
  const ctx = { publicBaseUrl: BASE_URL };
  const prepayment = renderNotification({ template: 'invoice_issued', data: { ...fullData, kind: 'prepayment', documentId: 'x', alsoAttach: 'y', alsoAttachKind: 'contract' } }, ctx, 'client');
  expect(prepayment.text).toContain('The contract for the work, as agreed, is attached too.');
  expect(renderNotification({ template: 'invoice_issued', data: { ...fullData, kind: 'final' } }, ctx, 'client').text).not.toContain('attached too');
});

test('money that comes back in the client\'s words: a payment beyond the invoice, its credit note, a payment the bank returned', () => {
  const ctx = { publicBaseUrl: BASE_URL };
  const client = (template: NotificationTemplate, data: NotifyInput['data']) => renderNotification({ template, data, projectId: 'acme' }, ctx, 'client').text;
  const receipt = client('payment_received', { ...fullData, invoiceNumber: 'INV-2026-000019', amount: 1_050, currency: 'EUR', stillOwed: 0, overpaid: 50 });
  expect(receipt).toContain('The invoice is paid in full.');
  expect(receipt).toContain('That is 50.00 EUR more than it asked: we return it with a credit note');
  expect(client('payment_received', { ...fullData, amount: 1_000, currency: 'EUR', stillOwed: 0 })).not.toContain('more than it asked');
  const note = client('credit_note_issued', { ...fullData, invoiceNumber: 'INV-2026-000033', amount: 50, currency: 'EUR', overpaymentOf: 'INV-2026-000019' });
  expect(note).toContain('you paid us that much more than invoice INV-2026-000019 asked.');
  expect(note).not.toContain('cancelled');
  const returned = client('payment_returned', {
    ...fullData,
    invoiceNumber: 'INV-2026-000019',
    amount: 300,
    currency: 'EUR',
    reference: 'GLX-9001',
    paidAt: '2026-03-02T10:00:00Z',
    stillOwed: 300,
    dueAt: '2099-03-20T10:00:00Z',
  });
  expect(returned).toContain('Your payment of 300.00 EUR of 2026-03-02 10:00 UTC (reference GLX-9001) for invoice INV-2026-000019 was returned to you by the bank, so it has not reached us.');
  expect(returned).toContain('300.00 EUR is open on invoice INV-2026-000019, due 2099-03-20 10:00 UTC.');
});

test('an invoice notice whose document is not in the store yet fails (retried), and sends it once it is', async () => {
  const { notify } = notifier();
  const input: NotifyInput = {
    idempotencyKey: 'project-acme:invoice-issued:final',
    template: 'invoice_issued',
    recipients: { emails: ['buyer@globex.example'] },
    projectId: 'acme',
    data: { ...fullData, documentId: 'doc-acme-final_invoice-1' },
  };

  const failure = await notify(input).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'DocumentNotFound', nonRetryable: false });
  expect(smtp.received).toHaveLength(0); // never a mail that refers to a missing invoice

  await producedInvoice('final_invoice');
  expect(await notify(input)).toMatchObject({ sent: 1 });
  expect(smtp.received.map((m) => m.parsed.attachments.length)).toEqual([1]);
});

test('amounts in mails follow the currency: JPY without decimals, KWD with three', async () => {
  const { notify } = notifier();
  const remind = (currency: string, amountOwed: number) =>
    notify({
      idempotencyKey: `project-acme:reminder:${currency}`,
      template: 'payment_reminder',
      recipients: { emails: ['buyer@globex.example'] },
      projectId: 'acme',
      data: { ...fullData, amountOwed, currency },
    });
  await remind('JPY', 331415);
  await remind('KWD', 2264.431);
  expect(smtp.received.map((m) => /\(([^)]*)\) was due/.exec(m.parsed.text ?? '')?.[1])).toEqual(['331,415 JPY', '2,264.431 KWD']);
});

test('a template with no data still reads as a sentence, for staff and for clients', () => {
  for (const template of NOTIFICATION_TEMPLATES) {
    for (const audience of ['staff', 'client'] as const) {
      const rendered = renderNotification({ template, data: {} }, { publicBaseUrl: BASE_URL }, audience);
      expect(rendered.subject.trim().length).toBeGreaterThan(5);
      expect(`${rendered.subject}\n${rendered.text}`).not.toMatch(/undefined|NaN|null|\[object|: *$|\(\)/m);
    }
  }
});

test('templates read the values under the names the project workflow sends them', () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  const render = (template: NotifyInput['template'], data: NotifyInput['data']) => renderNotification({ template, data, projectId: 'acme' }, ctx);
  const forClient = (template: NotifyInput['template'], data: NotifyInput['data']) => renderNotification({ template, data, projectId: 'acme' }, ctx, 'client');

  expect(forClient('payment_reminder', { invoiceNumber: 'INV-2026-000019', amountOwed: 1200.5, currency: 'EUR', dueAt: '2026-03-30T11:00:00Z' }).text).toContain(
    'Invoice INV-2026-000019 for your project (1,200.50 EUR) was due 2026-03-30 11:00 UTC',
  );
  expect(render('plan_waiting', { planVersion: 3, total: 4734.5, currency: 'EUR', reminder: true })).toMatchObject({
    subject: 'Reminder: Plan v3 awaits approval: your project',
    text: expect.stringContaining('Total: 4,734.50 EUR.'),
  });
  expect(render('plan_approval_escalation', { planVersion: 3, waitingSince: '2026-03-01T13:00:00Z' }).text).toContain('submitted 2026-03-01 13:00 UTC');
  expect(render('client_response_due', { deemedAcceptedAt: '2026-03-20T09:00:00Z' }).text).toContain('by 2026-03-20 09:00 UTC');
  expect(forClient('client_response_due', { deemedAcceptedAt: '2026-03-20T09:00:00Z' }).text).toContain('by 2026-03-20 09:00 UTC');
  // The stage in people's words, not its id ("at the in production stage").
  expect(render('project_cancelled', { cancelledBy: 'anna.manager', stage: 'in_production', reason: 'Budget cut' }).text).toContain(
    'Your project was cancelled by Anna Petrova while the work was under way.\nReason: Budget cut',
  );
  expect(render('project_cancelled', { cancelledBy: 'anna.manager', stage: 'awaiting_approval' }).text).toContain('was cancelled by Anna Petrova while the plan waited for approval.');
  expect(render('project_cancelled', { cancelledBy: 'anna.manager', stage: 'client_review' }).text).toContain('was cancelled by Anna Petrova while the client was reviewing the work.');
  for (const stage of ['in_production', 'awaiting_approval', 'client_review', 'invoicing', 'planning', 'intake', 'no_such_stage']) {
    expect(render('project_cancelled', { cancelledBy: 'anna.manager', stage }).text).not.toMatch(/_| stage\b/);
  }
  expect(forClient('delivery_ready', { revisionRound: 2 }).text).toContain('(revision round 2)');
  expect(forClient('delivery_ready', { respondBy: '2026-03-20T09:00:00Z' }).text).toContain('Please tell us by 2026-03-20 09:00 UTC whether you accept it');
  expect(forClient('credit_note_issued', { amount: 420.35, currency: 'EUR', dueAt: '2026-03-22T12:00:00Z', invoiceNumber: 'INV-2026-000032' })).toMatchObject({
    subject: 'Credit note INV-2026-000032: your project',
    text: expect.stringContaining('We refund it by bank transfer by 2026-03-22 12:00 UTC'),
  });
  // A compensation's credit note set against an unpaid invoice: what that invoice asks now, and
  // only the rest refunded (bank details asked for only when something is paid out).
  const setOff = { amount: 300, currency: 'EUR', invoiceNumber: 'INV-2026-000040', compensationFor: 'c2', setAgainst: 'INV-2026-000039', setOffAmount: 300 };
  const wholly = forClient('credit_note_issued', { ...setOff, stillOwed: 1200, refundOwed: 0 }).text;
  expect(wholly).toContain('We credit you 300.00 EUR for your project');
  expect(wholly).toContain('We have taken 300.00 EUR of it off INV-2026-000039, which you had not paid in full: it now asks 1,200.00 EUR.');
  expect(wholly).not.toContain('IBAN');
  const partly = forClient('credit_note_issued', { ...setOff, setOffAmount: 200, stillOwed: 0, refundOwed: 100, dueAt: '2026-03-22T12:00:00Z' }).text;
  expect(partly).toContain('We have taken 200.00 EUR of it off INV-2026-000039, which you had not paid in full: nothing is left to pay on it now.');
  expect(partly).toContain('We refund the rest, 100.00 EUR, by bank transfer by 2026-03-22 12:00 UTC');
  expect(render('credit_note_issued', { ...setOff, setOffAmount: 200, stillOwed: 0, refundOwed: 100 }).text).toContain(
    'is owed a refund of 100.00 EUR on credit note INV-2026-000040. The credit note is for 300.00 EUR; 200.00 EUR of that was set against INV-2026-000039, which the client had not paid.',
  );
  expect(forClient('invoice_voided', { invoiceNumber: 'INV-2026-000007', amountVoided: 1000, amountPaid: 420.35, currency: 'EUR' }).text).toContain(
    'What you already paid on it (420.35 EUR) is counted in the final settlement.',
  );
  // Without a manager in the directory, the client is still told whom to write to.
  expect(forClient('invoice_issued', { invoiceNumber: 'INV-1' }).text).toContain('Questions about it: please write to your account manager.');
});

/** The fixtures' people and a second manager, who takes projects over. */
const withBoris = () => new PeopleDirectory([...people.all(), { id: 'boris.manager', name: 'Boris Ivanov', email: 'boris.manager@agency.example', role: 'manager' }]);

test("a handover tells the manager before that the project has left their portfolio, without a link they cannot open", async () => {
  const { notify } = notifier({ people: withBoris() });
  await notify({
    idempotencyKey: 'project-acme:handed_over:7',
    template: 'project_handed_over',
    recipients: { personIds: ['boris.manager', 'anna.manager', 'lena.director'] },
    projectId: 'acme',
    data: { ...fullData, from: 'anna.manager', to: 'boris.manager', by: 'lena.director' },
  });
  const textFor = (address: string) => smtp.received.find((m) => m.envelopeTo[0] === address)?.parsed.text ?? '';
  for (const reader of ['boris.manager', 'lena.director']) {
    expect(textFor(`${reader}@agency.example`)).toContain(`Open in the portal: ${BASE_URL}/projects/acme`);
    expect(textFor(`${reader}@agency.example`)).not.toContain('left your portfolio');
  }
  const before = textFor('anna.manager@agency.example');
  expect(before).toContain('Spring campaign landing page for Globex Corporation moves from Anna Petrova to Boris Ivanov (handed over by Lena Smirnova).');
  expect(before).toContain('It has left your portfolio');
  expect(before).not.toMatch(/https?:/);
});

test('a handover from a manager who has left names them by the name the people file keeps (formerPeople)', async () => {
  const { notify } = notifier({ people: new PeopleDirectory(people.all(), { former: [{ id: 'boris.left', name: 'Boris Lebedev' }] }) });
  await notify({
    idempotencyKey: 'project-acme:handed_over:from-left',
    template: 'project_handed_over',
    recipients: { personIds: ['anna.manager', 'lena.director'] },
    projectId: 'acme',
    data: { ...fullData, from: 'boris.left', to: 'anna.manager', by: 'lena.director' },
  });
  const text = smtp.received.find((m) => m.envelopeTo[0] === 'lena.director@agency.example' && m.parsed.text?.includes('Boris'))?.parsed.text ?? '';
  expect(text).toContain('Spring campaign landing page for Globex Corporation moves from Boris Lebedev to Anna Petrova (handed over by Lena Smirnova).');
});

test("a manager's whole handover tells each manager once, with every project that moved and every one that stayed", async () => {
  const { notify } = notifier({ people: withBoris() });
  const projects = [
    { projectId: 'acme', title: 'Spring campaign', clientName: 'Acme Ltd' },
    { projectId: 'globex', title: 'Rebrand', clientName: 'Globex Corporation' },
  ];
  const stayed = [{ projectId: 'initech', title: 'Catalogue', clientName: 'Initech', reason: 'the project is completed' }];
  const input: NotifyInput = {
    idempotencyKey: 'handover-h1-notice:handed-over',
    template: 'projects_handed_over',
    recipients: { personIds: ['boris.manager', 'anna.manager'] },
    data: { from: 'anna.manager', to: 'boris.manager', by: 'lena.director', note: 'Anna is on leave until March', projects: JSON.stringify(projects), stayed: JSON.stringify(stayed) },
  };
  expect(await notify(input)).toMatchObject({ sent: 2 });
  expect(await notify(input)).toMatchObject({ sent: 0, duplicate: true });
  const mailTo = (address: string) => smtp.received.find((m) => m.envelopeTo[0] === address)!.parsed;

  const taking = mailTo('boris.manager@agency.example');
  expect(taking.subject).toBe('2 projects handed over from Anna Petrova to Boris Ivanov');
  expect(taking.text).toContain('2 projects of Anna Petrova move to Boris Ivanov (handed over by Lena Smirnova).\nNote: Anna is on leave until March\n');
  expect(taking.text).toContain(`- Spring campaign for Acme Ltd: ${BASE_URL}/projects/acme\n- Rebrand for Globex Corporation: ${BASE_URL}/projects/globex\n`);
  expect(taking.text).toContain('Stayed with Anna Petrova, as they were:\n- Catalogue for Initech (the project is completed)\n');
  expect(taking.text).toContain(`Open in the portal: ${BASE_URL}/projects\n`);

  // The manager before opens none of the projects that moved; their portfolio shows what they still have.
  const handing = mailTo('anna.manager@agency.example');
  expect(handing.subject).toBe('2 projects handed over to Boris Ivanov');
  expect(handing.text).toContain('- Spring campaign for Acme Ltd\n- Rebrand for Globex Corporation\n');
  expect(handing.text).toContain(`- Catalogue for Initech: ${BASE_URL}/projects/initech (the project is completed)\n`);
  expect(handing.text).not.toContain('/projects/acme');
  expect(handing.text).toContain(`Open in the portal: ${BASE_URL}/projects\n`);
});

test('a "reassign all" tells the one taking the tasks once, each task linked, and the one they were taken from what moved and what stayed', async () => {
  const { notify } = notifier();
  const tasks = [
    { taskId: 'acme.design', projectId: 'acme', title: 'Home page design', projectTitle: 'Spring campaign', dueAt: '2099-01-15T17:00:00.000Z' },
    { taskId: 'globex.design', projectId: 'globex', title: 'Home page design', projectTitle: 'Rebrand', dueAt: '2020-03-02T09:30:00.000Z' },
  ];
  const stayed = [{ taskId: 'initech.design', projectId: 'initech', title: 'Logo', projectTitle: 'Catalogue', reason: 'the task is submitted; only open or claimed work can be reassigned' }];
  const input: NotifyInput = {
    idempotencyKey: 'reassign-work-r1-notice:reassigned',
    template: 'tasks_reassigned',
    recipients: { personIds: ['olga.design', 'dima.design'] },
    data: { from: 'dima.design', to: 'olga.design', by: 'anna.manager', tasks: JSON.stringify(tasks), stayed: JSON.stringify(stayed) },
  };
  expect(await notify(input)).toMatchObject({ sent: 2 });
  expect(await notify(input)).toMatchObject({ sent: 0, duplicate: true });
  const mailTo = (address: string) => smtp.received.find((m) => m.envelopeTo[0] === address)!.parsed;

  const taking = mailTo('olga.design@agency.example');
  expect(taking.subject).toBe('Assigned to you: 2 tasks from Dima Kozlov');
  expect(taking.text).toContain('2 tasks that Dima Kozlov held are now assigned to you by Anna Petrova.');
  // Each with when it is due, or since when it is late: what to take first.
  expect(taking.text).toContain(
    `- Home page design (Spring campaign), due 2099-01-15 17:00 UTC: ${BASE_URL}/tasks/acme.design\n- Home page design (Rebrand), overdue since 2020-03-02 09:30 UTC: ${BASE_URL}/tasks/globex.design\n`,
  );
  expect(taking.text).not.toContain('Logo');
  expect(taking.text).toContain(`Open in the portal: ${BASE_URL}/inbox\n`);

  // The one before opens none of the tasks that moved; those that stayed are still theirs.
  const giving = mailTo('dima.design@agency.example');
  expect(giving.subject).toBe('2 tasks of yours now with Olga Morozova');
  expect(giving.text).toContain('2 tasks you held were given to Olga Morozova by Anna Petrova; you no longer need to work on them.');
  expect(giving.text).toContain('- Home page design (Spring campaign)\n- Home page design (Rebrand)\n');
  expect(giving.text).not.toContain('/tasks/acme.design');
  expect(giving.text).toContain(`Still yours, as they were:\n- Logo (Catalogue): ${BASE_URL}/tasks/initech.design (the task is submitted; only open or claimed work can be reassigned)\n`);
});

test('mails read as people write: articles, a plan sent back, what an approval starts, a silent client, a cancellation told to the client', () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  const staffText = (template: NotifyInput['template'], data: NotifyInput['data']) => renderNotification({ template, data, projectId: 'acme' }, ctx);
  const clientText = (template: NotifyInput['template'], data: NotifyInput['data']) => renderNotification({ template, data, projectId: 'acme' }, ctx, 'client');

  expect(staffText('task_opened', { department: 'analytics' }).text).toContain('An Analytics task is open');
  expect(staffText('task_opened', { department: 'seo' }).text).toContain('An SEO task is open');
  expect(staffText('task_opened', { department: 'design' }).text).toContain('A Design task is open');

  const sentBack = staffText('plan_decided', { decision: 'reject', planVersion: 2, by: 'lena.director', comment: 'Too dear' });
  expect(sentBack.subject).toBe('Plan v2 sent back: your project');
  // "Leadership", as the portal says it ("Leadership sent the plan back").
  expect(sentBack.text).toContain('Leadership sent back plan v2 for your project (Lena Smirnova).');
  expect(sentBack.text).not.toMatch(/management/i);
  expect(sentBack.text).not.toContain('rejected');
  expect(staffText('plan_decided', { decision: 'approve', planVersion: 2, prepaymentPercent: 30 }).text).toContain(
    "The work starts once the client has paid the prepayment (30% of the plan's total)",
  );
  expect(staffText('plan_decided', { decision: 'approve', planVersion: 2, prepaymentPercent: 0 }).text).toContain('The work starts now.');

  const deemedInvoice = clientText('invoice_issued', { ...fullData, kind: 'final', deemedAccepted: true });
  expect(deemedInvoice.text).toMatch(/^We did not hear from you within the review period, so under the contract the work delivered for Spring campaign landing page counts as accepted\.\n/);
  expect(clientText('invoice_issued', { ...fullData, kind: 'final' }).text).not.toContain('review period');
  expect(staffText('project_completed', { ...fullData, acceptance: 'deemed' }).text).toContain('the work counts as accepted (the client did not answer within the review period)');
  expect(staffText('project_completed', { ...fullData, acceptance: 'accepted' }).text).toContain('the client accepted the work');
  // A write-off: who, how much, why, and that nothing more is to be done; what was paid stands.
  const writtenOff = staffText('invoice_written_off', { ...fullData, amount: 700, amountPaid: 300, reason: 'Client went out of business' });
  expect(writtenOff.subject).toBe('Written off: invoice INV-2026-000019 (Spring campaign landing page)');
  expect(writtenOff.text).toContain('Lena Smirnova wrote off the 700.00 EUR Globex Corporation still owed on invoice INV-2026-000019 of Spring campaign landing page (the 300.00 EUR paid on it stands).');
  expect(writtenOff.text).toContain('Why: Client went out of business');
  expect(writtenOff.text).toContain('the client was not told');
  // A project completed with a complaint window says until when it still hears complaints; one without says nothing of it.
  expect(staffText('project_completed', { ...fullData, complaintsHeardUntil: '2027-01-04T10:00:00Z' }).text).toContain(
    'A complaint about the work can still be recorded on the project until 2027-01-04 10:00 UTC.',
  );
  expect(staffText('project_completed', fullData).text).not.toContain('can still be recorded');

  const cancelled = clientText('project_cancelled', { ...fullData, reason: 'Client stopped paying; margin too thin' });
  expect(cancelled.subject).toBe('Your project is cancelled: Spring campaign landing page');
  expect(cancelled.text).not.toContain('margin'); // the agency's reason is its own
  expect(staffText('project_cancelled', { ...fullData, reason: 'Client stopped paying; margin too thin' }).text).toContain('Reason: Client stopped paying; margin too thin');
  expect(staffText('complaint_filed', { ...fullData, by: 'lena.director' }).text).toContain('A complaint was recorded on Spring campaign landing page by Lena Smirnova.');
  // The client answered on their page: who at the client, never the client's id.
  const complainedOnPage = staffText('complaint_filed', { ...fullData, by: 'client:globex', clientContact: 'Jane Doe', description: 'Too dark' }).text;
  expect(complainedOnPage).toContain('Jane Doe of Globex Corporation made a complaint about Spring campaign landing page on their page.');
  expect(complainedOnPage).not.toContain('client:globex');
  // Made after the completed project's window: the mail says the project is open again for it.
  const afterWindow = staffText('complaint_filed', { ...fullData, by: 'lena.director', afterWindow: true, complaintsHeardUntil: '2026-03-01T12:00:00.000Z' }).text;
  expect(afterWindow).toContain('The project had completed and heard complaints until 2026-03-01 12:00 UTC: it is open again until this is settled.');
  expect(staffText('complaint_filed', { ...fullData, by: 'lena.director' }).text).not.toContain('open again');
  const acceptedOnPage = staffText('client_accepted', { ...fullData, rating: 4, comment: 'Good work', clientContact: 'Jane Doe' });
  expect(acceptedOnPage.subject).toBe('Accepted by the client: Spring campaign landing page');
  expect(acceptedOnPage.text).toContain('Jane Doe of Globex Corporation accepted the delivered work for Spring campaign landing page on their page, rating it 4 of 5.');
  expect(acceptedOnPage.text).toContain('Their comment: Good work');
  // Changes asked for on the page: the manager reads them in the client's words, and what to do.
  const changesAsked = staffText('changes_asked', { ...fullData, requestId: 'r1', description: 'A lighter blue, please', clientContact: 'Jane Doe' });
  expect(changesAsked.subject).toBe('Changes asked for by the client: Spring campaign landing page');
  expect(changesAsked.text).toContain('Jane Doe of Globex Corporation asked for changes to the delivered work for Spring campaign landing page on their page: “A lighter blue, please”');
  expect(changesAsked.text).toContain('Until you do, the review period is paused');
  // Answered without a round: the client reads why, and that the review goes on.
  const declined = clientText('change_request_declined', { ...fullData, requestId: 'r1', description: 'A lighter blue, please', askedAt: '2026-03-02T10:00:00Z', reply: 'The blue is the brand colour you gave us.' });
  expect(declined.subject).toBe('About the changes you asked for: Spring campaign landing page');
  expect(declined.text).toContain('You asked on 2026-03-02 10:00 UTC for changes to the work on Spring campaign landing page: “A lighter blue, please”.');
  expect(declined.text).toContain('We will not make them as a round of changes, and this is why: “The blue is the brand colour you gave us.”');
  expect(declined.text).toContain("you can accept it, ask for changes again or make a complaint on your project's page");
  expect(declined.text).not.toContain('r1');

  const setOff = clientText('credit_note_issued', { ...fullData, setAgainst: 'INV-2026-000020', setOffAmount: 500, stillOwed: 0, refundOwed: 0 });
  expect(setOff.text).toContain('which you had not paid in full: nothing is left to pay on it now.');

  // A cancellation tells the client what its settlement left them to expect, not a bill that never comes.
  const settled = (settlement: string) => clientText('project_cancelled', { ...fullData, settlement }).text;
  expect(settled('nothing')).toContain('Nothing is billed: you owe nothing for this project.');
  expect(settled('nothing')).not.toContain('comes in an e-mail of its own');
  expect(settled('invoice')).toContain('An invoice for the work accepted until now comes in an e-mail of its own.');
  expect(settled('credit_note')).toContain('A credit note for the part of your prepayment due back to you comes in an e-mail of its own.');
  expect(settled('covered')).toContain('What you have paid covers the work done until now: nothing more is billed.');
  expect(settled('still_due')).toContain('The invoices already sent to you stay due for the work they cover.');

  // A delivery after changes says which delivery it is and after how many rounds of changes, as the
  // review queue and the task page count them (the workflow sends the rounds: the send-backs), and
  // carries the links to review.
  const first = staffText('task_submitted', { ...fullData, links: 'https://figma.example/a\nhttps://docs.example/b' });
  expect(first.subject).toBe('Delivered for review: Landing page design (Spring campaign landing page)');
  expect(first.text).toContain('Links:\n  https://figma.example/a\n  https://docs.example/b');
  const second = staffText('task_submitted', { ...fullData, reviewRounds: 1 });
  expect(second.subject).toBe('Delivered again for review (2nd delivery): Landing page design (Spring campaign landing page)');
  expect(second.text).toContain('Dima Kozlov delivered "Landing page design" for Spring campaign landing page again: its 2nd delivery, after 1 round of changes. Please review it.');
  const third = staffText('task_submitted', { ...fullData, reviewRounds: 2 });
  expect(third.subject).toBe('Delivered again for review (3rd delivery): Landing page design (Spring campaign landing page)');
  expect(third.text).toContain('again: its 3rd delivery, after 2 rounds of changes.');

  // A reminder names the project, as every staff mail does (one person may hold the same task of
  // several projects); work nobody has taken asks the department for a taker, with the task's link.
  const held = staffText('task_deadline_reminder', fullData);
  expect(held.subject).toBe('Reminder: Landing page design (Spring campaign landing page) is due 2026-03-10 17:00 UTC');
  expect(held.text).toContain('"Landing page design" for Spring campaign landing page, which you hold, is due 2026-03-10 17:00 UTC and is not delivered yet.');
  const { assigneeId: _nobody, ...untaken } = fullData;
  const open = renderNotification({ template: 'task_deadline_reminder', data: untaken, projectId: 'acme', taskId: 'acme.design' }, ctx);
  expect(open.subject).toBe('Reminder: Landing page design (Spring campaign landing page) is due 2026-03-10 17:00 UTC');
  expect(open.text).toContain('"Landing page design" (Design) for Spring campaign landing page is due 2026-03-10 17:00 UTC, and nobody has taken it yet.\nClaim it in the portal if it is yours to take.');
  expect(open.text).not.toContain('not delivered');
  expect(open.link).toBe(`${BASE_URL}/tasks/acme.design`);

  // Given back: open again, from whom — not a second "New task".
  const givenBack = staffText('task_opened', { ...fullData, givenBackBy: 'olga.design' });
  expect(givenBack.subject).toBe('Open again: Landing page design (Spring campaign landing page)');
  expect(givenBack.text).toContain('Olga Morozova gave "Landing page design" for Spring campaign landing page back to the department: it is open again.');

  // Overdue: the assignee's copy speaks to them; the manager's names who holds it.
  const overdueFor = (readerId: string) => renderNotification({ template: 'task_overdue', data: fullData, projectId: 'acme' }, { ...ctx, readerId }).text;
  expect(overdueFor('dima.design')).toContain('"Landing page design" for Spring campaign landing page, which you hold, was due');
  expect(overdueFor('dima.design')).toContain("tell the project's manager, Anna Petrova, when it will come");
  expect(overdueFor('anna.manager')).toContain('Assignee: Dima Kozlov.');

  // A receipt: what arrived, what is left, and that the work starts once the prepayment it waited for is paid.
  const beforeDue = { ...ctx, now: Date.parse('2026-03-09T12:00:00Z') }; // fullData's dueAt is 2026-03-10 17:00 UTC
  const part = renderNotification({ template: 'payment_received', data: { ...fullData, amount: 1000, stillOwed: 2314.15, reference: 'BANK-7' }, projectId: 'acme' }, beforeDue, 'client');
  expect(part.subject).toBe('Payment received: invoice INV-2026-000019 (Spring campaign landing page)');
  expect(part.text).toContain('Thank you: we received 1,000.00 EUR for invoice INV-2026-000019 (your reference BANK-7).');
  expect(part.text).toContain('2,314.15 EUR of it is still to pay, due 2026-03-10 17:00 UTC.');
  // Part-paid after its due date: the rest is late already, and the receipt says so as a reminder does.
  const afterDue = { ...ctx, now: Date.parse('2026-03-10T17:05:00Z') };
  const late = renderNotification({ template: 'payment_received', data: { ...fullData, amount: 1000, stillOwed: 2314.15 }, projectId: 'acme' }, afterDue, 'client');
  expect(late.text).toContain('2,314.15 EUR of it is still to pay; it was due 2026-03-10 17:00 UTC, so please pay it as soon as you can.');
  expect(late.text).not.toContain(', due 2026');
  const whole = clientText('payment_received', { ...fullData, kind: 'prepayment', stillOwed: 0, startsWork: true });
  expect(whole.text).toContain('The invoice is paid in full.');
  expect(whole.text).toContain('The work on Spring campaign landing page starts now.');

  // A prepayment the work waits for: its invoice, its reminder and the staff's notices say so; the
  // client's mails say too that the planned dates move with the payment (patch dates-from-prepayment).
  const prepaymentMail = clientText('invoice_issued', { ...fullData, kind: 'prepayment', startsWorkWhenPaid: true });
  expect(prepaymentMail.text).toContain(
    'It is the prepayment agreed in the contract: the work starts as soon as it is paid, and its planned dates move later by as long as the payment takes.',
  );
  expect(clientText('invoice_issued', { ...fullData, kind: 'prepayment' }).text).not.toContain('dates move');
  expect(clientText('invoice_issued', { ...fullData, kind: 'prepayment' }).text).toContain('It is the prepayment agreed in the contract.');
  expect(clientText('invoice_issued', { ...fullData, kind: 'final' }).text).not.toContain('prepayment agreed');
  expect(clientText('payment_reminder', { ...fullData, kind: 'prepayment', startsWorkWhenPaid: true }).text).toContain(
    'It is the prepayment: the work on Spring campaign landing page starts as soon as it is paid, and its planned dates move later by as long as the payment takes.',
  );
  expect(clientText('payment_reminder', { ...fullData, kind: 'final' }).text).not.toContain('dates move');
  for (const template of ['payment_overdue', 'payment_escalation'] as const) {
    expect(renderNotification({ template, data: { ...fullData, startsWorkWhenPaid: true }, projectId: 'acme' }, ctx).text).toContain(
      'It is the prepayment the work waits for: nothing has started yet.',
    );
  }
  expect(renderNotification({ template: 'payment_escalation', data: fullData, projectId: 'acme' }, ctx).text).toContain('is still not paid after a reminder to the client.');

  // A project cancelled before any work started does not say the work was stopped.
  const notStarted = { ...fullData, stage: 'in_production', noWorkStarted: true };
  expect(clientText('project_cancelled', notStarted).text).toContain('Spring campaign landing page is cancelled; no work on it had started.');
  expect(clientText('project_cancelled', notStarted).text).not.toContain('stopped the work');
  expect(renderNotification({ template: 'project_cancelled', data: notStarted, projectId: 'acme' }, ctx).text).toMatch(/was cancelled( by [^,]+)?, before any work started\./);
  expect(clientText('project_cancelled', { ...fullData, stage: 'in_production' }).text).toContain('We have stopped the work on Spring campaign landing page');
  // Nor does one cancelled with all its work accepted (the final invoice part-paid): nothing was left to stop.
  const allAccepted = { ...fullData, stage: 'invoicing', noWorkOpen: true, settlement: 'still_due' };
  const toClient = clientText('project_cancelled', allAccepted).text;
  expect(toClient).toContain('Spring campaign landing page is cancelled; all the work on it had already been accepted, so none was left to stop.');
  expect(toClient).not.toContain('stopped the work');
  expect(renderNotification({ template: 'project_cancelled', data: allAccepted, projectId: 'acme' }, ctx).text).toMatch(
    /was cancelled( by [^,]+)? while the final invoice waited to be paid, with all its work already accepted: no work was stopped\./,
  );

  // A refund paid out: the client hears it is on its way, and whether more is to come.
  const refund = clientText('refund_paid', { ...fullData, invoiceNumber: 'INV-2026-000032', amount: 100, currency: 'EUR', paidAt: '2026-03-10T09:00:00Z', reference: 'OUT-7', stillOwed: 0 });
  expect(refund.subject).toBe('Your refund is on its way: Spring campaign landing page');
  expect(refund.text).toContain('We have paid you 100.00 EUR by bank transfer on 2026-03-10 09:00 UTC for credit note INV-2026-000032 (payment reference OUT-7).');
  expect(refund.text).toContain('Nothing more is owed to you on it.');
  expect(clientText('refund_paid', { ...fullData, amount: 60, currency: 'EUR', stillOwed: 40 }).text).toContain('40.00 EUR of it is still to come.');

  // No final invoice to carry the act: it comes on its own, to sign, and says why nothing is billed.
  const act = clientText('acceptance_act_to_sign', { ...fullData, covered: 'the prepayment' });
  expect(act.subject).toBe('Acceptance act to sign: Spring campaign landing page');
  expect(act.text).toContain('Thank you for accepting the work on Spring campaign landing page.');
  expect(act.text).toContain('The acceptance act for the work delivered is attached: please sign it and send a signed copy back to your account manager.');
  expect(act.text).toContain('There is nothing left to pay: the prepayment covered the whole plan.');
  const silent = clientText('acceptance_act_to_sign', { ...fullData, covered: 'the compensations agreed', deemedAccepted: true });
  expect(silent.text).toContain('so under the contract the work delivered for Spring campaign landing page counts as accepted.');
  expect(silent.text).not.toContain('Thank you for accepting');
  // The prepayment that covers the plan may still be unpaid: then something is left to pay, on it.
  const owing = clientText('acceptance_act_to_sign', { ...fullData, covered: 'the prepayment', unpaidInvoices: 'INV-2026-000007', stillOwed: 800, currency: 'EUR' });
  expect(owing.text).toContain('No final invoice follows: the prepayment covers the whole plan. What is still to pay is 800.00 EUR on INV-2026-000007, as that invoice says.');
  expect(owing.text).not.toContain('nothing left to pay');
});

test("a plan waiting for approval is set against the budget and the client's date, as the approvals page flags it", () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  // Version 2 of the fixture: 4,734.50 EUR, its last task due 2026-03-10 17:00 UTC.
  const waiting = (project: ProjectStatus, data: NotifyInput['data'] = { planVersion: 2, total: 4734.5, currency: 'EUR' }) =>
    renderNotification({ template: 'plan_waiting', data, projectId: 'acme' }, { ...ctx, project }).text;

  const overAndLate = waiting(sampleSnapshot('acme', { budget: { amount: 4000, currency: 'EUR' }, desiredDeadline: '2026-03-09T17:00:00Z' }));
  expect(overAndLate).toContain('Total: 4,734.50 EUR, over budget by 734.50 EUR (budget 4,000.00 EUR).');
  expect(overAndLate).toContain("It ends after the client's date (2026-03-09): its last task is due 2026-03-10 17:00 UTC.");

  const within = waiting(sampleSnapshot('acme')); // budget 6,000 EUR, wanted by 2026-03-15
  expect(within).toContain('Total: 4,734.50 EUR (budget 6,000.00 EUR).');
  expect(within).toContain("It ends 2026-03-10 17:00 UTC, by the client's date (2026-03-15).");
  expect(within).not.toMatch(/over budget|after the client/);
  // Due on the client's day itself is in time, as on the approvals page.
  expect(waiting(sampleSnapshot('acme', { desiredDeadline: '2026-03-10T09:00:00Z' }))).toContain("by the client's date (2026-03-10)");

  // A reminder carries no total: the snapshot's plan gives it.
  const reminder = waiting(sampleSnapshot('acme', { budget: { amount: 4000, currency: 'EUR' } }), { planVersion: 2, reminder: true });
  expect(reminder).toContain('Total: 4,734.50 EUR, over budget by 734.50 EUR (budget 4,000.00 EUR).');

  // Notices made since 2026-12-05 night carry those figures (as the workflow puts them in): the same
  // mail without a snapshot, and the activity reads none for them.
  for (const project of [
    sampleSnapshot('acme', { budget: { amount: 4000, currency: 'EUR' }, desiredDeadline: '2026-03-09T17:00:00Z' }),
    sampleSnapshot('acme'),
    sampleSnapshot('acme', { desiredDeadline: '2026-03-10T09:00:00Z' }),
  ]) {
    for (const data of [{ planVersion: 2, total: 4734.5, currency: 'EUR' }, { planVersion: 2, reminder: true }]) {
      const carried = { ...data, ...planAgainstRequestFigures(project, 2) };
      expect(renderNotification({ template: 'plan_waiting', data: carried, projectId: 'acme' }, ctx).text).toBe(waiting(project, data));
      expect(needsProjectSnapshot({ template: 'plan_waiting', data: carried })).toBe(false);
      expect(needsProjectSnapshot({ template: 'plan_waiting', data })).toBe(true);
    }
  }
});

/** The notify activity as a worker builds it from the environment (the agency's details among it), mailing the test SMTP server. */
function notifierFromConfig(env: Record<string, string>) {
  const config = loadConfig({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), ...env });
  const mailer = createMailerFromConfig(config, capturedLogger().logger);
  const { notify } = createNotificationActivities({
    mailer,
    sentLog: new FileSentLog(path.join(tmp, 'mail-sent')),
    people,
    logger: capturedLogger().logger,
    publicBaseUrl: BASE_URL,
    clientLinks: clientLinks(),
    store: documentStore(),
    agency: agencyDetailsFromConfig(config),
  });
  return { notify, mailer };
}

test("mails print times in the agency's zone (AGENCY_TIME_ZONE), named, summer time included; the client's date is theirs whole in that zone", async () => {
  const { notify, mailer } = notifierFromConfig({ AGENCY_TIME_ZONE: 'Europe/Berlin' });
  const deliveredIn = async (respondBy: string, key: string) => {
    await notify({ idempotencyKey: key, template: 'delivery_ready', recipients: { emails: ['buyer@globex.example'] }, projectId: 'acme', data: { ...fullData, respondBy } });
    return smtp.received.filter((m) => m.envelopeTo[0] === 'buyer@globex.example').at(-1)!.parsed.text ?? '';
  };
  expect(await deliveredIn('2026-03-20T09:00:00Z', 'project-acme:tz-winter')).toContain('Please tell us by 2026-03-20 10:00 CET whether you accept it');
  expect(await deliveredIn('2026-07-20T09:00:00Z', 'project-acme:tz-summer')).toContain('Please tell us by 2026-07-20 11:00 CEST whether you accept it');
  mailer.close();

  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  // Version 2 of the fixture ends with a task due 2026-03-10 17:00 UTC: in Tokyo that is already the 11th.
  const waitingIn = (timeZone: string | undefined, desiredDeadline: string) =>
    renderNotification(
      { template: 'plan_waiting', data: { planVersion: 2, total: 4734.5, currency: 'EUR' }, projectId: 'acme' },
      { ...ctx, ...(timeZone && { timeZone }), project: sampleSnapshot('acme', { desiredDeadline }) },
    ).text;
  expect(waitingIn(undefined, '2026-03-10')).toContain("It ends 2026-03-10 17:00 UTC, by the client's date (2026-03-10).");
  expect(waitingIn('Asia/Tokyo', '2026-03-10')).toContain("It ends after the client's date (2026-03-10): its last task is due 2026-03-11 02:00 UTC+9.");
  // A client's date written as an instant is the day it falls on in the agency's zone.
  expect(waitingIn('Europe/Berlin', '2026-03-09T23:30:00Z')).toContain("It ends 2026-03-10 18:00 CET, by the client's date (2026-03-10).");
  expect(waitingIn(undefined, '2026-03-09T23:30:00Z')).toContain("It ends after the client's date (2026-03-09)");
});

test('a part-paid prepayment is chased for the rest: the reminder says what came in and what is open, and neither mail reads as the go-ahead', () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name, now: Date.parse('2026-12-05T12:00:00Z') };
  const prepayment: InvoiceView = {
    kind: 'prepayment',
    number: 'INV-2026-000006',
    amount: 500,
    currency: 'EUR',
    issuedAt: '2026-11-21T03:51:00Z',
    dueAt: '2026-12-05T03:51:00Z',
    payments: [{ amount: 200, paidAt: '2026-12-05T09:00:00Z', reference: 'BANK-200', recordedAt: '2026-12-05T09:05:00Z', recordedBy: 'anna.manager' }],
    paidAmount: 200,
    status: 'open',
  };
  // Approved, the prepayment part-paid, no task started: the project waits for the rest.
  const waiting = sampleSnapshot('acme', { stage: 'in_production', tasks: [], invoices: [prepayment] });
  const data = { ...fullData, projectTitle: 'Gift voucher design', invoiceNumber: 'INV-2026-000006', kind: 'prepayment', dueAt: prepayment.dueAt };
  const render = (template: NotificationTemplate, extra: NotifyInput['data'], project?: ProjectStatus, audience: 'client' | 'staff' = 'client') =>
    renderNotification({ template, data: { ...data, ...extra }, projectId: 'acme' }, { ...ctx, ...(project && { project }) }, audience).text;

  const reminder = render('payment_reminder', { amountOwed: 300, startsWorkWhenPaid: true }, waiting);
  expect(reminder).toContain('Invoice INV-2026-000006 for Gift voucher design (500.00 EUR) was due 2026-12-05 03:51 UTC. We received 200.00 EUR of it on 2026-12-05; 300.00 EUR is still open.');
  expect(reminder).toContain('It is the prepayment: the work on Gift voucher design starts as soon as the rest is paid, and its planned dates move later by as long as the payment takes.');
  expect(reminder).toContain('Please pay the 300.00 EUR still open to the bank account printed on the invoice, quoting INV-2026-000006 as the payment reference.');
  expect(reminder).not.toContain('have not received');
  expect(render('payment_reminder', { amountOwed: 300 }, waiting, 'staff')).toContain('was reminded that invoice INV-2026-000006 (300.00 EUR of 500.00 EUR still open, 200.00 EUR received) was due');
  // Nothing paid yet, or no snapshot to tell: the reminder says what it always said.
  const unpaid = sampleSnapshot('acme', { stage: 'in_production', tasks: [], invoices: [{ ...prepayment, payments: [], paidAmount: 0 }] });
  expect(render('payment_reminder', { amountOwed: 500, startsWorkWhenPaid: true }, unpaid)).toContain('(500.00 EUR) was due 2026-12-05 03:51 UTC and we have not received the payment yet.');
  expect(render('payment_reminder', { amountOwed: 300 })).toContain('and we have not received the payment yet.');
  // A snapshot that has moved on (another payment since) does not speak for the reminder's moment.
  expect(render('payment_reminder', { amountOwed: 450 }, waiting)).not.toContain('We received');

  // The receipt for the part: the rest is still to pay, and the work still waits for it.
  const receipt = render('payment_received', { amount: 200, stillOwed: 300, reference: 'BANK-200' }, waiting);
  expect(receipt).toContain('300.00 EUR of it is still to pay; it was due 2026-12-05 03:51 UTC, so please pay it as soon as you can.');
  expect(receipt).toContain('It is the prepayment: the work on Gift voucher design starts as soon as the rest is paid.');
  // Only when the project really waits: work already started, a policy that does not wait, or no snapshot says nothing of it.
  const started = sampleSnapshot('acme', { stage: 'in_production', invoices: [prepayment] });
  const noWait = sampleSnapshot('acme', { stage: 'in_production', tasks: [], invoices: [prepayment], policy: { ...waiting.policy, startAfterPrepayment: false } });
  for (const project of [started, noWait, undefined]) {
    expect(render('payment_received', { amount: 200, stillOwed: 300 }, project)).not.toContain('the work on Gift voucher design starts');
  }

  // Notices made since 2026-12-05 night carry those figures: the same words without the snapshot,
  // and the activity reads none for them.
  const carried = { invoiceTotal: 500, received: 200, paymentsReceived: 1, lastPaidAt: '2026-12-05T09:00:00Z' };
  expect(render('payment_reminder', { amountOwed: 300, startsWorkWhenPaid: true, ...carried })).toContain(
    'Invoice INV-2026-000006 for Gift voucher design (500.00 EUR) was due 2026-12-05 03:51 UTC. We received 200.00 EUR of it on 2026-12-05; 300.00 EUR is still open.',
  );
  expect(render('payment_reminder', { amountOwed: 300, ...carried, received: 350, paymentsReceived: 2 }, undefined, 'staff')).toContain('(300.00 EUR of 500.00 EUR still open, 350.00 EUR received)');
  expect(render('payment_reminder', { amountOwed: 500, invoiceTotal: 500, received: 0, paymentsReceived: 0 })).toContain('and we have not received the payment yet.');
  // The carried figures rule over a snapshot read later.
  expect(render('payment_reminder', { amountOwed: 300, ...carried, lastPaidAt: '2026-12-04T09:00:00Z' }, waiting)).toContain('We received 200.00 EUR of it on 2026-12-04;');
  expect(render('payment_received', { amount: 200, stillOwed: 300, waitsForPrepayment: true })).toContain('It is the prepayment: the work on Gift voucher design starts as soon as the rest is paid.');
  expect(render('payment_received', { amount: 200, stillOwed: 300, waitsForPrepayment: false }, waiting)).not.toContain('the work on Gift voucher design starts');
  const notice = (template: NotificationTemplate, extra: NotifyInput['data']) => ({ template, data: { ...data, ...extra } });
  expect(needsProjectSnapshot(notice('payment_reminder', { amountOwed: 300 }))).toBe(true);
  expect(needsProjectSnapshot(notice('payment_reminder', { amountOwed: 300, ...carried }))).toBe(false);
  expect(needsProjectSnapshot(notice('payment_received', { amount: 200 }))).toBe(true);
  expect(needsProjectSnapshot(notice('payment_received', { amount: 200, waitsForPrepayment: false }))).toBe(false);
  expect(needsProjectSnapshot(notice('project_cancelled', {}))).toBe(true);
  expect(needsProjectSnapshot(notice('payment_overdue', {}))).toBe(false);
});

test('an invoice chased again after a payment was taken back: the client reads that their money came back, or that a payment was recorded by mistake; the agency which payment and why', () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  const data = { ...fullData, invoiceNumber: 'INV-2026-000006', kind: 'final', dueAt: '2026-12-05T03:51:00Z', amountOwed: 500 };
  const takenBack = { takenBackReference: 'BANK-500', takenBackAmount: 500, takenBackAt: '2026-12-08T10:00:00Z' };
  const render = (template: NotificationTemplate, extra: NotifyInput['data'], audience: 'client' | 'staff' = 'client') =>
    renderNotification({ template, data: { ...data, ...extra }, projectId: 'acme' }, ctx, audience).text.replace(/\s+/g, ' ');

  const returned = render('payment_reminder', { ...takenBack, takenBackCause: 'returned_by_bank' });
  expect(returned).toContain('As we wrote to you on 2026-12-08 10:00 UTC, the payment of 500.00 EUR (reference BANK-500) came back from your bank, so it has not reached us.');
  expect(returned).toContain('Please pay it to the bank account printed on the invoice');
  const mistake = render('payment_reminder', { ...takenBack, takenBackCause: 'entered_by_mistake' });
  expect(mistake).toContain('We had recorded the payment of 500.00 EUR (reference BANK-500) for it by mistake and corrected that on 2026-12-08 10:00 UTC: it has not reached us.');
  for (const template of ['payment_overdue', 'payment_escalation'] as const) {
    expect(render(template, { ...takenBack, takenBackCause: 'returned_by_bank' }, 'staff')).toContain(
      'It is chased again: the payment of 500.00 EUR under reference BANK-500 was taken back on 2026-12-08 10:00 UTC (the bank returned it).',
    );
  }
  // A refund the client's bank sent back is owed again: the manager's reminder says so.
  const refund = { ...fullData, invoiceNumber: 'CN-2026-000002', kind: 'credit_note', dueAt: '2026-12-05T03:51:00Z', amount: 300 };
  for (const template of ['refund_overdue', 'refund_escalation'] as const) {
    const text = renderNotification({ template, data: { ...refund, ...takenBack, takenBackAmount: 300, takenBackCause: 'returned_by_bank' }, projectId: 'acme' }, ctx, 'staff').text.replace(/\s+/g, ' ');
    expect(text).toContain('It is chased again: the payment of 300.00 EUR under reference BANK-500 was taken back on 2026-12-08 10:00 UTC (the bank returned it).');
  }
  // The first round says nothing of it.
  expect(render('payment_reminder', {})).not.toContain('reached us');
  expect(render('payment_overdue', {}, 'staff')).not.toContain('chased again');
});

test('the client is told the project is completed, and until when to tell us if something is not right; no report attached', () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  const mail = renderNotification(
    { template: 'project_completed_for_client', data: { projectTitle: 'Spring campaign landing page', complaintsHeardUntil: '2027-01-04T10:00:00Z' }, projectId: 'acme' },
    ctx,
    'client',
  );
  expect(mail.subject).toBe('Your project is completed: Spring campaign landing page');
  expect(mail.text.replace(/\s+/g, ' ')).toContain('Spring campaign landing page is completed and paid in full. Thank you for working with us.');
  expect(mail.text.replace(/\s+/g, ' ')).toContain('If something is not right with the work, please tell us by 2027-01-04 10:00 UTC: we will put it right.');
});

test('a complaint after completion being put right: the client reads which teams redo it and by when, never the instruction to them', () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  const data = { projectTitle: 'Spring campaign landing page', clientName: 'Globex Corporation', complaintId: 'c1', description: 'The banner is cut off on phones', recordedAt: '2026-12-04T09:00:00Z', dueAt: '2026-12-09T17:00:00Z' };
  const render = (extra: NotifyInput['data'], audience: 'client' | 'staff' = 'client') =>
    renderNotification({ template: 'complaint_rework_started', data: { ...data, ...extra }, projectId: 'acme' }, ctx, audience);
  const one = render({ departments: 'Design', departmentCount: 1 });
  expect(one.subject).toBe('We are putting it right: Spring campaign landing page');
  expect(one.text.replace(/\s+/g, ' ')).toContain('Thank you for telling us what is not right with Spring campaign landing page: “The banner is cut off on phones”.');
  expect(one.text.replace(/\s+/g, ' ')).toContain('Our Design team is redoing that work; it is due by 2026-12-09 17:00 UTC. We will write to you once it is done.');
  expect(render({ departments: 'Design and SEO', departmentCount: 2 }).text.replace(/\s+/g, ' ')).toContain('Our Design and SEO teams are redoing that work');
  expect(render({ departments: 'Design', departmentCount: 1 }, 'staff').text.replace(/\s+/g, ' ')).toContain(
    'Globex Corporation was told that Design redoes the work for their complaint of 2026-12-04 09:00 UTC, by 2026-12-09 17:00 UTC.',
  );
});

test('a cancellation tells the manager and leadership what money is left to settle: what the client owes and what goes back', () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  const cancellation = { reason: 'Budget cut', by: 'anna.manager', at: '2026-03-08T11:00:00Z', stageAtCancel: 'in_production' as const };
  const creditNote: InvoiceView = { kind: 'credit_note', number: 'INV-2026-000032', amount: 1000, currency: 'EUR', issuedAt: '2026-03-08T11:00:01Z', dueAt: '2026-03-22T11:00:01Z', payments: [], paidAmount: 0, status: 'open' };
  const partPaid: InvoiceView = { kind: 'final', number: 'INV-2026-000007', amount: 1600, currency: 'EUR', issuedAt: '2026-03-01T10:00:00Z', dueAt: '2026-03-15T10:00:00Z', payments: [], paidAmount: 500, status: 'open' };
  const staff = (data: NotifyInput['data'], project?: ProjectStatus) =>
    renderNotification({ template: 'project_cancelled', data: { ...fullData, ...data }, projectId: 'acme' }, { ...ctx, ...(project && { project }) }).text;

  const refund = staff({ noWorkStarted: true, settlement: 'credit_note' }, sampleSnapshot('acme', { cancellation, invoices: [creditNote] }));
  expect(refund).toMatch(/before any work started\./);
  expect(refund).toContain(
    '1,000.00 EUR goes back to the client on credit note INV-2026-000032, to be refunded by 2026-03-22 11:00 UTC: pay it to the account the client names and record the refund in the portal.',
  );
  const owing = staff({ settlement: 'still_due' }, sampleSnapshot('acme', { cancellation, invoices: [partPaid] }));
  expect(owing).toContain('The client still owes 1,100.00 EUR on invoice INV-2026-000007, due 2026-03-15 10:00 UTC.');
  expect(staff({ settlement: 'nothing' }, sampleSnapshot('acme', { cancellation, invoices: [] }))).toContain('Nothing is billed: the client owes nothing, and nothing goes back.');
  // Without the figures, what the settlement made, in words.
  expect(staff({ settlement: 'credit_note' })).toContain("Part of the client's prepayment goes back to them: they are sent a credit note.");
  // Notices made since 2026-12-06 carry the invoices as the settlement left them: the same words, no snapshot read,
  // and they rule over a snapshot read later (a payment since says nothing of the cancellation's moment).
  const carried = { settledInvoices: JSON.stringify([partPaid]), cancelledAt: cancellation.at };
  expect(staff({ settlement: 'still_due', ...carried })).toContain('The client still owes 1,100.00 EUR on invoice INV-2026-000007, due 2026-03-15 10:00 UTC.');
  expect(staff({ settlement: 'still_due', ...carried }, sampleSnapshot('acme', { cancellation, invoices: [{ ...partPaid, paidAmount: 1600, status: 'paid' }] }))).toContain(
    'The client still owes 1,100.00 EUR',
  );
  expect(needsProjectSnapshot({ template: 'project_cancelled', data: { ...fullData, ...carried } })).toBe(false);
  // Unreadable figures fall back to the snapshot, or to the words.
  expect(staff({ settlement: 'credit_note', settledInvoices: '[{"number":1}]' })).toContain("Part of the client's prepayment goes back to them");
  // The client's copy keeps its own words.
  expect(renderNotification({ template: 'project_cancelled', data: { ...fullData, settlement: 'credit_note' } }, { ...ctx, project: sampleSnapshot('acme', { cancellation, invoices: [creditNote] }) }, 'client').text).not.toContain('record the refund');
});

test('a cancellation tells the client in one line what they still pay or get back, with the figures', () => {
  const ctx = { publicBaseUrl: BASE_URL, personName: (id: string) => people.get(id)?.name };
  const cancellation = { reason: 'Budget cut', by: 'anna.manager', at: '2026-03-08T11:00:00Z', stageAtCancel: 'in_production' as const };
  const sentBefore = { currency: 'EUR', issuedAt: '2026-03-02T10:00:00Z', dueAt: '2026-03-16T10:00:00Z', payments: [] };
  const issuedBySettlement = { currency: 'EUR', issuedAt: '2026-03-08T11:00:01Z', dueAt: '2026-03-22T11:00:01Z', payments: [], paidAmount: 0, status: 'open' as const };
  const voidedPrepayment: InvoiceView = { ...sentBefore, kind: 'prepayment', number: 'INV-2026-000006', amount: 1420.35, paidAmount: 0, status: 'void', voidedAmount: 1420.35 };
  const paidPrepayment: InvoiceView = { ...sentBefore, kind: 'prepayment', number: 'INV-2026-000006', amount: 1420.35, paidAmount: 1420.35, status: 'paid' };
  const cancellationInvoice: InvoiceView = { ...issuedBySettlement, kind: 'cancellation', number: 'INV-2026-000041', amount: 3500 };
  const creditNote: InvoiceView = { ...issuedBySettlement, kind: 'credit_note', number: 'INV-2026-000032', amount: 1000 };
  const partPaidFinal: InvoiceView = { ...sentBefore, kind: 'final', number: 'INV-2026-000007', amount: 1600, paidAmount: 500, status: 'open' };
  const client = (settlement: string, invoices: InvoiceView[]) =>
    renderNotification({ template: 'project_cancelled', data: { ...fullData, settlement }, projectId: 'acme' }, { ...ctx, project: sampleSnapshot('acme', { cancellation, invoices }) }, 'client').text;

  const billed = client('invoice', [voidedPrepayment, cancellationInvoice]);
  expect(billed).toContain('For the work accepted until now we bill you 3,500.00 EUR: invoice INV-2026-000041 follows in an e-mail of its own.\n');
  expect(billed).not.toContain('INV-2026-000006'); // the voided prepayment has a mail of its own
  expect(client('credit_note', [paidPrepayment, creditNote])).toContain('We owe you 1,000.00 EUR back: credit note INV-2026-000032 follows in an e-mail of its own.\n');
  expect(client('still_due', [partPaidFinal])).toContain('You still owe 1,100.00 EUR on invoice INV-2026-000007, already sent to you.\n');
  expect(client('covered', [paidPrepayment])).toContain('What you have paid covers the work done until now: you owe nothing more, and nothing is due back to you.\n');
  expect(client('nothing', [voidedPrepayment])).toContain('You owe nothing for this project, and nothing is due back to you.\n');
  // Carried by the notice (since 2026-12-06): the same line without the snapshot.
  expect(
    renderNotification(
      { template: 'project_cancelled', data: { ...fullData, settlement: 'invoice', settledInvoices: JSON.stringify([voidedPrepayment, cancellationInvoice]), cancelledAt: cancellation.at }, projectId: 'acme' },
      ctx,
      'client',
    ).text,
  ).toContain('For the work accepted until now we bill you 3,500.00 EUR: invoice INV-2026-000041 follows in an e-mail of its own.\n');
  // Without the figures (the snapshot could not be read), the settlement in words, as before.
  expect(renderNotification({ template: 'project_cancelled', data: { ...fullData, settlement: 'invoice' }, projectId: 'acme' }, ctx, 'client').text).toContain(
    'An invoice for the work accepted until now comes in an e-mail of its own.',
  );
});

test("client mails are signed by the agency, and without MAIL_FROM the sender shows the agency's name", async () => {
  const agencyName = 'Müller & Söhne, Design';
  const { notify, mailer } = notifierFromConfig({ AGENCY_NAME: agencyName });
  await notify({ idempotencyKey: 'project-acme:delivery-ready', template: 'delivery_ready', recipients: { emails: ['buyer@globex.example'], personIds: ['anna.manager'] }, projectId: 'acme', data: fullData });
  mailer.close();

  const to = (address: string) => smtp.received.find((m) => m.envelopeTo[0] === address)!.parsed;
  for (const mail of [to('buyer@globex.example'), to('anna.manager@agency.example')]) {
    expect(mail.from?.value).toEqual([{ name: agencyName, address: 'no-reply@agency.example' }]);
  }
  expect(to('buyer@globex.example').text).toMatch(/\n\n— Müller & Söhne, Design\n\nWhere your project stands, with its invoices and documents: \S+\n$/);
  expect(to('anna.manager@agency.example').text).not.toContain(`— ${agencyName}`); // staff know whom they work for
});

test("the figures a notice lacks come from the project's status query; a query that fails sends the mail without them", async () => {
  const { lines, logger } = capturedLogger();
  let answer: () => Promise<ProjectStatus> = async () => sampleSnapshot('acme', { budget: { amount: 4000, currency: 'EUR' } });
  const asked: string[] = [];
  const temporal = {
    withAbortSignal: <T>(_signal: AbortSignal, call: () => Promise<T>) => call(),
    workflow: { getHandle: (workflowId: string) => ({ query: () => (asked.push(workflowId), answer()) }) },
  } as unknown as Pick<Client, 'workflow' | 'withAbortSignal'>;
  const { notify } = createNotificationActivities({
    mailer: smtpMailer(),
    sentLog: new FileSentLog(path.join(tmp, 'mail-sent')),
    people,
    logger,
    publicBaseUrl: BASE_URL,
    store: documentStore(),
    client: temporal,
  });
  const waiting = (key: string): NotifyInput => ({ idempotencyKey: key, template: 'plan_waiting', recipients: { personIds: ['lena.director'] }, projectId: 'acme', data: { planVersion: 2, total: 4734.5, currency: 'EUR' } });
  await notify(waiting('project-acme:plan-waiting:v2'));
  expect(asked).toEqual(['project-acme']);
  expect(smtp.received[0].parsed.text).toContain('over budget by 734.50 EUR');

  answer = async () => {
    throw new Error('query timed out');
  };
  await notify(waiting('project-acme:plan-reminder:v2'));
  expect(smtp.received[1].parsed.text).toContain('Total: 4,734.50 EUR.');
  expect(lines).toContainEqual(expect.objectContaining({ msg: "could not read the project's figures; the notice is sent with what its data carries" }));

  // Notices that print no figures of the snapshot do not ask for it.
  await notify({ idempotencyKey: 'project-acme:overdue', template: 'payment_overdue', recipients: { personIds: ['lena.director'] }, projectId: 'acme', data: fullData });
  expect(asked).toHaveLength(2);
  // A reminder and a receipt ask: what was paid before, and whether the work still waits for the prepayment.
  await notify({ idempotencyKey: 'project-acme:reminder', template: 'payment_reminder', recipients: { personIds: ['lena.director'] }, projectId: 'acme', data: fullData });
  await notify({ idempotencyKey: 'project-acme:receipt', template: 'payment_received', recipients: { personIds: ['lena.director'] }, projectId: 'acme', data: fullData });
  expect(asked).toHaveLength(4);
});

test('whoever caused a notice is not mailed about it: a task given back opens again for the rest of the department', async () => {
  const { notify } = notifier();
  const result = await notify({
    idempotencyKey: 'task-acme.design:opened:2',
    template: 'task_opened',
    recipients: { department: 'design', exceptPersonIds: ['olga.design'] },
    projectId: 'acme',
    taskId: 'acme.design',
    data: fullData,
  });
  expect(result.recipients).toEqual(['dima.design@agency.example']);
  expect(smtp.received.map((m) => m.envelopeTo)).toEqual([['dima.design@agency.example']]);
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

/** An attempt that started just now, with the options the workflows give notify. */
const attemptStartedNow = { currentAttemptScheduledTimestampMs: Date.now(), startToCloseTimeoutMs: 3_600_000, heartbeatTimeoutMs: 90_000 };

test('inside an activity the log lines name the workflow, project and task', async () => {
  const { lines, logger } = capturedLogger();
  const { notify } = notifier({ logger });
  const env = new MockActivityEnvironment({
    workflowExecution: { workflowId: 'task-acme.design', runId: 'run-1' },
    activityType: 'notify',
    ...attemptStartedNow,
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

test('without SMTP the log line names the attachment and its size', async () => {
  const documentId = await producedInvoice('final_invoice');
  const { lines, logger } = capturedLogger();
  const { notify } = notifier({ mailer: new LogMailer(logger, FROM), logger });
  await notify({
    idempotencyKey: 'project-acme:invoice-issued:final',
    template: 'invoice_issued',
    recipients: { emails: ['buyer@globex.example'] },
    projectId: 'acme',
    data: { ...fullData, documentId },
  });
  const size = (await documentStore().get(documentId))!.size;
  expect(lines).toContainEqual(
    expect.objectContaining({
      msg: 'mail (no SMTP configured)',
      to: 'buyer@globex.example',
      replyTo: 'anna.manager@agency.example',
      attachments: [{ fileName: 'final_invoice-INV-2026-000019.pdf', contentType: 'application/pdf', size }],
    }),
  );
});

test('an attempt Temporal gave up on stops before the next recipient; the next attempt mails only the rest', async () => {
  await smtp.close();
  smtp = await startSmtpServer({ acceptAfterMs: 1_500 });
  const { notify } = notifier();
  const input: NotifyInput = {
    idempotencyKey: 'project-acme:task-opened:1',
    template: 'task_opened',
    recipients: { department: 'design' },
    projectId: 'acme',
    taskId: 'acme.design',
    data: fullData,
  };
  const first = new MockActivityEnvironment({ activityType: 'notify', ...attemptStartedNow });
  const running = first.run(notify, input);
  setTimeout(() => first.cancel('TIMED_OUT'), 500); // while the first message is being accepted

  await expect(running).rejects.toThrow();
  // The attempt's code finishes the message in flight and records it, then stops: nobody after it is mailed.
  const sentLog = new FileSentLog(path.join(tmp, 'mail-sent'));
  await eventually(() => sentLog.has(input.idempotencyKey, 'dima.design@agency.example'), { what: 'the first message recorded' });
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // long enough to have mailed Olga, had it gone on
  expect(smtp.arrived.map((m) => m.envelopeTo[0])).toEqual(['dima.design@agency.example']);

  const second = new MockActivityEnvironment({ activityType: 'notify', ...attemptStartedNow });
  expect(await second.run(notify, input)).toMatchObject({ sent: 1 });
  expect(smtp.arrived.map((m) => m.envelopeTo[0])).toEqual(['dima.design@agency.example', 'olga.design@agency.example']);
});

test('an attempt near its start-to-close timeout starts no new message and fails for the next attempt to carry on', async () => {
  const { notify } = notifier();
  const env = new MockActivityEnvironment({
    activityType: 'notify',
    currentAttemptScheduledTimestampMs: Date.now() - 3_580_000, // 20 s left of the hour
    startToCloseTimeoutMs: 3_600_000,
  });
  const failure = await env
    .run(notify, { idempotencyKey: 'k-late', template: 'task_opened', recipients: { department: 'design' }, projectId: 'acme', data: fullData } satisfies NotifyInput)
    .catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'AttemptTimeNearlyUp', nonRetryable: false });
  expect(smtp.arrived).toHaveLength(0);
});

test('while a slow server takes its time over a message, the attempt keeps heartbeating', async () => {
  await smtp.close();
  smtp = await startSmtpServer({ acceptAfterMs: 11_500 });
  const { notify } = notifier();
  const env = new MockActivityEnvironment({ activityType: 'notify', ...attemptStartedNow });
  const beats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => beats.push(details));

  await env.run(notify, { idempotencyKey: 'k-slow', template: 'task_opened', recipients: { personIds: ['dima.design'] }, projectId: 'acme', data: fullData } satisfies NotifyInput);

  expect(beats).toEqual([{ next: 'dima.design@agency.example' }, { sending: 'dima.design@agency.example' }]);
}, 30_000);

/** A digest's data when nobody gone holds work (activities/digest.ts). */
const NOBODY_GONE = { goneManagersRunning: 0, goneManagersCount: 0, goneManagers: '[]', goneHoldersInWork: 0, goneHoldersCount: 0, goneHolders: '[]' };

test("leadership's weekly digest: the projects under way by stage, then only what needs someone, ten projects a list and how many more; a quiet week in one line", () => {
  const ctx = { publicBaseUrl: BASE_URL, timeZone: 'Europe/Berlin' };
  const plans = Array.from({ length: 10 }, (_, i) => ({ projectId: `p-${i}`, title: `Campaign ${i}`, clientName: 'ACME', since: '2026-12-03T23:30:00Z' }));
  const busy = renderNotification(
    {
      template: 'leadership_digest',
      data: {
        at: '2026-12-07T07:00:00Z',
        active: 4,
        byStage: JSON.stringify({ planning: 1, in_production: 3, completed: 30 }),
        overdueProjects: 1,
        overdueTasks: 3,
        tasksByDepartment: JSON.stringify({ design: { open: 4, overdue: 2 }, seo: { open: 1, overdue: 1 }, ads: { open: 2, overdue: 0 } }),
        plansWaiting: 12,
        plansWaitingList: JSON.stringify(plans),
        refundsOwed: 1,
        refundsPastDue: 0,
        refundsList: JSON.stringify([{ projectId: 'p-r', title: 'Rebrand', clientName: 'Globex', since: '2026-12-20T10:00:00Z' }]),
      },
    },
    ctx,
  );
  expect(busy.subject).toBe('Where the agency stands, 2026-12-07');
  expect(busy.text).toContain('Projects under way: 4 (1 being planned, 3 in production).');
  // The agency's day: 23:30 UTC on the 3rd is the 4th in Berlin.
  expect(busy.text).toContain(`Plans waiting for your decision: 12\n- Campaign 0 for ACME, waiting since 2026-12-04: ${BASE_URL}/projects/p-0\n`);
  expect(busy.text).toContain('- Campaign 9 for ACME');
  expect(busy.text).toContain('- and 2 more projects: see the portfolio');
  expect(busy.text).toContain("Late: 1 project past the client's date, 3 tasks past due (Design 2, SEO 1).");
  expect(busy.text).toContain(`Refunds the agency owes: 1\n- Rebrand for Globex, due 2026-12-20: ${BASE_URL}/projects/p-r`);
  expect(busy.text).not.toMatch(/complaints|invoice past due|Nothing is waiting/);
  expect(busy.link).toBe(`${BASE_URL}/projects`);

  // Nobody gone either: the data carries the empty lists, and the mail no block for them.
  const quiet = renderNotification({ template: 'leadership_digest', data: { at: '2026-12-07T07:00:00Z', active: 0, byStage: '{}', ...NOBODY_GONE } }, ctx);
  expect(quiet.text).toBe(`Projects under way: 0.\n\nNothing is waiting for a decision, late, disputed or owed.\n\nOpen in the portal: ${BASE_URL}/projects\n`);
});

test("a manager's weekly digest: their projects under way, then what only they can do (deliveries to review by project, plans to write), the plans with leadership, and the rest; a quiet week in one line", () => {
  const ctx = { publicBaseUrl: BASE_URL, timeZone: 'Europe/Berlin' };
  const deliveries = Array.from({ length: 10 }, (_, i) => ({ projectId: `p-${i}`, title: `Campaign ${i}`, clientName: 'ACME', reason: i === 0 ? '3 deliveries' : '1 delivery', since: '2026-12-03T23:30:00Z' }));
  const busy = renderNotification(
    {
      template: 'manager_digest',
      data: {
        at: '2026-12-07T07:00:00Z',
        active: 14,
        byStage: JSON.stringify({ intake: 1, planning: 1, awaiting_approval: 1, in_production: 11 }),
        deliveriesToReview: 14,
        deliveryProjects: 12,
        deliveriesList: JSON.stringify(deliveries),
        plansToWrite: 2,
        plansToWriteList: JSON.stringify([
          { projectId: 'p-new', title: 'Launch', clientName: 'Globex', since: '2026-12-01T09:00:00Z' },
          { projectId: 'p-back', title: 'Rebrand', clientName: 'Initech', since: '2026-12-02T09:00:00Z', reason: 'sent back by leadership' },
        ]),
        plansWaiting: 1,
        plansWaitingList: JSON.stringify([{ projectId: 'p-sent', title: 'Fair', clientName: 'Umbrella', since: '2026-12-04T10:00:00Z' }]),
        overdueProjects: 0,
        overdueTasks: 1,
        tasksByDepartment: JSON.stringify({ copywriting: { open: 2, overdue: 1 } }),
      },
    },
    ctx,
  );
  expect(busy.subject).toBe('Your projects this week, 2026-12-07');
  expect(busy.text).toContain('Your projects under way: 14 (1 waiting for a plan, 1 being planned, 1 waiting for approval, 11 in production).\n\nDeliveries waiting for your review: 14\n');
  // By project, each with its count, the agency's day of the oldest (23:30 UTC on the 3rd is the 4th in Berlin), and how many projects more.
  expect(busy.text).toContain(`- Campaign 0 for ACME, 3 deliveries, waiting since 2026-12-04: ${BASE_URL}/projects/p-0\n`);
  expect(busy.text).toContain('- and 2 more projects: see the portfolio');
  expect(busy.text).toContain(
    `Plans to write: 2\n- Launch for Globex, waiting since 2026-12-01: ${BASE_URL}/projects/p-new\n- Rebrand for Initech, sent back by leadership, waiting since 2026-12-02: ${BASE_URL}/projects/p-back\n`,
  );
  expect(busy.text).toContain(`Plans with leadership for their decision: 1\n- Fair for Umbrella, sent 2026-12-04: ${BASE_URL}/projects/p-sent\n`);
  expect(busy.text).toContain("Late: 0 projects past the client's date, 1 task past due (Copywriting 1).");
  // What waits on the manager comes before what waits on others.
  expect(busy.text.indexOf('Deliveries waiting')).toBeLessThan(busy.text.indexOf('Plans to write'));
  expect(busy.text.indexOf('Plans to write')).toBeLessThan(busy.text.indexOf('Plans with leadership'));
  expect(busy.text).not.toMatch(/waiting for your decision|complaints|invoice past due|Nothing waits/);
  expect(busy.link).toBe(`${BASE_URL}/projects`);

  const quiet = renderNotification({ template: 'manager_digest', data: { at: '2026-12-07T07:00:00Z', active: 2, byStage: JSON.stringify({ client_review: 2 }), ...NOBODY_GONE } }, ctx);
  expect(quiet.text).toBe(
    `Your projects under way: 2 (2 with the client for review).\n\nNothing waits on you: no delivery to review or plan to write, nothing late, disputed or owed.\n\nOpen in the portal: ${BASE_URL}/projects\n`,
  );
});

test('the digests name the work of people no longer here: leadership the running projects to hand over (the portfolio narrowed to their manager) and the tasks in work to reassign, a manager the tasks of their own projects; ten named and how many more', () => {
  const ctx = { publicBaseUrl: BASE_URL, timeZone: 'Europe/Berlin' };
  const workInHand = (id: string) => `${BASE_URL}/kpis/workload?assignee=${id}&state=in_work`;
  const leadership = renderNotification(
    {
      template: 'leadership_digest',
      data: {
        at: '2026-12-07T07:00:00Z',
        active: 3,
        byStage: JSON.stringify({ in_production: 3 }),
        goneManagersRunning: 3,
        goneManagersCount: 2,
        goneManagers: JSON.stringify([
          { personId: 'boris.left', running: 2 },
          { personId: 'sasha.copy', name: 'Sasha Belova', nowRole: 'staff', running: 1 },
        ]),
        goneHoldersInWork: 4,
        goneHoldersCount: 2,
        goneHolders: JSON.stringify([
          { personId: 'anton.left', inWork: 3 },
          { personId: 'lena.director', name: 'Lena Smirnova', nowRole: 'leadership', inWork: 1 },
        ]),
      },
    },
    ctx,
  );
  expect(leadership.text).toBe(
    [
      'Projects under way: 3 (3 in production).',
      '',
      'Work of people no longer here — hand it over or reassign it: 3 projects, 4 tasks',
      `- boris.left: 2 running projects: ${BASE_URL}/projects?manager=boris.left`,
      `- Sasha Belova, now department staff: 1 running project: ${BASE_URL}/projects?manager=sasha.copy`,
      `- anton.left: 3 tasks in work: ${workInHand('anton.left')}`,
      `- Lena Smirnova, now in leadership: 1 task in work: ${workInHand('lena.director')}`,
      '',
      `Open in the portal: ${BASE_URL}/projects`,
      '',
    ].join('\n'),
  );

  // Ten holders named (as the activity lists them), and how many more; projects only, or tasks only, say only theirs.
  const holders = Array.from({ length: 10 }, (_, i) => ({ personId: `gone-${i}`, inWork: 1 }));
  const many = renderNotification(
    { template: 'leadership_digest', data: { active: 1, ...NOBODY_GONE, goneHoldersInWork: 12, goneHoldersCount: 12, goneHolders: JSON.stringify(holders) } },
    ctx,
  );
  expect(many.text).toContain(`Work of people no longer here — hand it over or reassign it: 12 tasks\n- gone-0: 1 task in work: ${workInHand('gone-0')}\n`);
  expect(many.text).toContain(`- gone-9: 1 task in work: ${workInHand('gone-9')}\n- and 2 more: see the portfolio\n`);
  const projectsOnly = renderNotification(
    { template: 'leadership_digest', data: { active: 1, ...NOBODY_GONE, goneManagersRunning: 1, goneManagersCount: 1, goneManagers: JSON.stringify([{ personId: 'boris.left', running: 1 }]) } },
    ctx,
  );
  expect(projectsOnly.text).toContain(`Work of people no longer here — hand it over or reassign it: 1 project\n- boris.left: 1 running project: ${BASE_URL}/projects?manager=boris.left\n\n`);

  // A manager's: the tasks in work of their own projects, theirs to reassign.
  const manager = renderNotification(
    {
      template: 'manager_digest',
      data: {
        at: '2026-12-07T07:00:00Z',
        active: 0,
        byStage: JSON.stringify({ completed: 1 }),
        ...NOBODY_GONE,
        goneHoldersInWork: 1,
        goneHoldersCount: 1,
        goneHolders: JSON.stringify([{ personId: 'anton.left', inWork: 1 }]),
      },
    },
    ctx,
  );
  expect(manager.text).toBe(
    `Your projects under way: 0.\n\nWork of people no longer here — reassign it: 1 task\n- anton.left: 1 task in work: ${workInHand('anton.left')}\n\nOpen in the portal: ${BASE_URL}/projects\n`,
  );
});
