/**
 * notify: resolves who should hear about a business event, renders the template for each kind of
 * reader (staff get the portal link, clients what to do and whom to answer) and mails each
 * recipient separately (clients never see staff addresses, and each send can be skipped on
 * retry). A retried activity sends only to recipients an earlier attempt did not reach.
 *
 * Exactly once per recipient, also with a slow mail server: the workflow runs notify with a
 * heartbeat timeout (90 s) and a long start-to-close timeout (1 h), retried for days
 * (workflows/common/outbox.ts). Temporal starts a second attempt only when the first one timed
 * out, failed or its worker died; a second attempt running while the first is still talking to
 * the server is how a person would get two copies. So an attempt:
 * - heartbeats before each recipient *and while each message is being sent*: a server that takes
 *   minutes per message (each SMTP step may be silent for up to a minute, mailer.ts) is a slow
 *   server, not a dead worker, and never lets the heartbeat timeout start another attempt;
 * - stops before the next recipient once Temporal has given up on it (cancelled, timed out);
 * - stops starting new messages when its own start-to-close timeout is near, and fails so that
 *   the next attempt carries on from the sent-log (rather than being cut off mid-message);
 * - fails at once when the server cannot be reached, so Temporal retries it with backoff.
 * What remains is the window of sent-log.ts: a worker dying between the server's acceptance and
 * the sent-log entry.
 */
import { ApplicationFailure } from '@temporalio/common';
import { asyncLocalStorage } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ClientLinks } from '../common/client-links';
import type { Logger } from '../common/logger';
import type { PeopleDirectory } from '../common/people';
import { ErrorType, businessFailure } from '../workflows/errors';
import { getStatusQuery, projectWorkflowId, type ProjectStatus } from '../workflows/project/contract';
import { untilCancelled } from './cancellation';
import { NOTIFICATION_TEMPLATES, type NotifyInput, type NotifyResult, type ProjectActivities, type RecipientSpec } from './contract';
import type { AgencyDetails } from './documents/pdf';
import type { DocumentStore } from './documents/store';
import { activityLogger } from './log';
import { isPermanentRecipientRejection, senderDomain, type MailAddress, type MailAttachment, type Mailer } from './mail/mailer';
import { sentLogEntryName, type SentLog } from './mail/sent-log';
import { isDigest, type DigestKind, type MailPreferenceStore, type StopLinks, type UnsubscribeLinks } from './mail/digest-mail';
import { ATTACHES_DOCUMENT, needsProjectSnapshot, renderNotification, type Audience, type RenderedNotification } from './mail/templates';

export interface NotificationActivityDeps {
  mailer: Mailer;
  sentLog: SentLog;
  people: PeopleDirectory;
  logger: Logger;
  /** The portal's address, for the links in staff notices. */
  publicBaseUrl: string;
  /** ESCALATION_EMAIL; when unset, escalations go to everyone in leadership. */
  escalationEmail?: string;
  /** The client's link to their project's page, which client notices carry (none when absent). */
  clientLinks?: Pick<ClientLinks, 'current'>;
  /** Where the invoices and credit notes attached to client notices are read from. */
  store: Pick<DocumentStore, 'get' | 'read'>;
  /** The agency (AGENCY_NAME) that signs client mails, as it heads its papers, unsigned without it; and its zone, where mails print their times (UTC without it). */
  agency?: Pick<AgencyDetails, 'name'> & Partial<Pick<AgencyDetails, 'timeZone'>>;
  /**
   * Reads a project's snapshot (its status query) for the notices that print figures their data
   * lacks (templates.ts `needsProjectSnapshot`); without it they print what the data carries.
   */
  client?: Pick<Client, 'workflow' | 'withAbortSignal'>;
  /**
   * Who stopped which weekly digest, and the links a digest carries to stop it (digest-mail.ts).
   * Without it every digest goes to all its readers, with no way out in the mail.
   */
  digestMail?: { preferences: Pick<MailPreferenceStore, 'stoppedDigest'>; links: Pick<UnsubscribeLinks, 'forDigest'> };
}

/** A recipient and which version of the notice they read. */
interface Recipient extends MailAddress {
  audience: Audience;
  /** Who in the directory this is: a notice may read differently for one of the people it names (the manager who handed a project over). */
  personId?: string;
}

/** How often a message being sent reports the attempt alive (the SDK throttles what reaches the server). */
const HEARTBEAT_WHILE_SENDING_MS = 10_000;
/**
 * No new message is started this close to the attempt's start-to-close timeout (or in its last
 * quarter, for short timeouts): the slowest send the SMTP client's timeouts allow is about this
 * long, and the next attempt would otherwise start while this one is still mid-message.
 */
const STOP_BEFORE_TIMEOUT_MS = 5 * 60_000;

export function createNotificationActivities(deps: NotificationActivityDeps): Pick<ProjectActivities, 'notify'> {
  return {
    async notify(input: NotifyInput): Promise<NotifyResult> {
      if (!(NOTIFICATION_TEMPLATES as readonly string[]).includes(input.template)) {
        throw businessFailure(ErrorType.InvalidInput, `unknown notification template "${input.template}"`, 'template');
      }
      if (typeof input.idempotencyKey !== 'string' || input.idempotencyKey.trim() === '') {
        throw businessFailure(ErrorType.InvalidInput, 'notify needs an idempotencyKey', 'idempotencyKey');
      }
      const log = activityLogger(deps.logger, {
        projectId: input.projectId,
        taskId: input.taskId,
        template: input.template,
        idempotencyKey: input.idempotencyKey,
        requestId: input.requestId,
      });

      const resolved = resolveRecipients(input.recipients ?? {}, deps, log);
      if (resolved.length === 0) {
        log.warn({ recipients: input.recipients }, 'notification has no recipients; nothing sent');
        return { sent: 0, recipients: [], duplicate: false };
      }
      const recipients = isDigest(input.template) ? await withoutThoseWhoStopped(input.template, resolved, deps, log) : resolved;
      const addresses = recipients.map((r) => r.address);
      if (recipients.length === 0) return { sent: 0, recipients: [], duplicate: false };

      const clientPageUrl = recipients.some((r) => r.audience === 'client') ? await clientPage(input, deps) : undefined;
      const project = needsProjectSnapshot(input) ? await projectSnapshot(input, deps, log) : undefined;
      const context = {
        publicBaseUrl: deps.publicBaseUrl,
        ...(deps.agency && { agencyName: deps.agency.name }),
        ...(deps.agency?.timeZone && { timeZone: deps.agency.timeZone }),
        // Written now: a receipt for an invoice whose due date passed says it was due.
        now: Date.now(),
        ...(project && { project }),
        personName: (id: string) => deps.people.nameOf(id),
        personEmail: (id: string) => deps.people.get(id)?.email,
        ...(clientPageUrl && { clientPageUrl }),
      };
      const renderings = new Map<string, RenderedNotification>();
      const rendered = ({ audience, personId }: Recipient, stop?: StopLinks): RenderedNotification => {
        const key = `${audience}:${personId ?? ''}`;
        let r = renderings.get(key);
        if (!r) {
          const reader = { ...(personId && { readerId: personId }), ...(stop && { stopMailsUrl: stop.page }) };
          renderings.set(key, (r = renderNotification(input, { ...context, ...reader }, audience)));
        }
        return r;
      };
      // A reply from a client reaches their account manager, not the no-reply sender.
      const manager = typeof input.data?.managerId === 'string' ? deps.people.get(input.data.managerId) : undefined;
      const replyTo: MailAddress | undefined = manager ? { address: manager.email, name: manager.name } : undefined;
      let attachments: MailAttachment[] | undefined;

      const domain = senderDomain(deps.mailer.from);
      let sent = 0;
      let alreadySent = 0;
      for (const to of recipients) {
        stillWanted(to.address);
        if (await deps.sentLog.has(input.idempotencyKey, to.address)) {
          alreadySent += 1;
          continue;
        }
        attachments ??= await documentAttachments(input, deps.store, log);
        const messageId = `<${sentLogEntryName(input.idempotencyKey, to.address).slice(0, 40)}.agencyflow@${domain}>`;
        // A digest's reader gets their own way to stop it: in its footer, and for their mail client's button.
        const stop = isDigest(input.template) && to.personId && deps.digestMail ? await deps.digestMail.links.forDigest(to.personId, input.template) : undefined;
        const { subject, text } = rendered(to, stop);
        try {
          await aliveWhile(
            deps.mailer.send({
              to: { address: to.address, ...(to.name && { name: to.name }) },
              ...(to.audience === 'client' && replyTo && { replyTo }),
              subject,
              text,
              ...(attachments.length > 0 && { attachments }),
              messageId,
              idempotencyKey: input.idempotencyKey,
              projectId: input.projectId,
              taskId: input.taskId,
              ...(stop && { oneClickUnsubscribe: stop.oneClick }),
            }),
            to.address,
          );
        } catch (err) {
          // A refused address stays refused: report it and reach the others. Anything else
          // fails the attempt; the retry skips whoever was already reached.
          if (isPermanentRecipientRejection(err)) {
            log.error({ to: to.address, err }, 'mail server refused the recipient; not retried');
            continue;
          }
          throw err;
        }
        // Recorded even if the attempt was given up meanwhile: the message is out.
        await deps.sentLog.record(input.idempotencyKey, to.address, { messageId, at: new Date().toISOString() });
        sent += 1;
      }

      log.info(
        { sent, alreadySent, recipients: addresses, transport: deps.mailer.kind, attachments: attachments?.map((a) => a.fileName) },
        'notification delivered to the transport',
      );
      return { sent, recipients: addresses, duplicate: sent === 0 && alreadySent === recipients.length };
    },
  };
}

/**
 * A digest's readers but those who stopped it. Only the weekly digests can be stopped: they sum up
 * what the portal shows anyway. Every other notice asks someone to act (a plan to approve, work
 * overdue, an invoice to chase) or tells them what was done with their work; stopping those would
 * leave work unseen, so they reach everyone they name whatever their mail preferences say.
 */
async function withoutThoseWhoStopped(digest: DigestKind, recipients: Recipient[], deps: NotificationActivityDeps, log: Logger): Promise<Recipient[]> {
  if (!deps.digestMail) return recipients;
  const personIds = recipients.flatMap((r) => (r.personId ? [r.personId] : []));
  const stopped = await deps.digestMail.preferences.stoppedDigest(digest, personIds);
  if (stopped.size === 0) return recipients;
  const readers = recipients.filter((r) => r.personId === undefined || !stopped.has(r.personId));
  log.info({ leftOut: stopped.size, readers: readers.length }, readers.length === 0 ? 'everyone stopped this digest; nothing sent' : 'left out of the digest: they stopped it');
  return readers;
}

/**
 * The papers a notice carries (the invoice or credit note, and what goes with it). A notice that
 * names a document the store does not have fails (retried): the client must get the paper, not a
 * mail that refers to it.
 */
async function documentAttachments(input: NotifyInput, store: NotificationActivityDeps['store'], log: Logger): Promise<MailAttachment[]> {
  if (!ATTACHES_DOCUMENT.has(input.template)) return [];
  const documentId = input.data?.documentId;
  if (typeof documentId !== 'string' || documentId === '') {
    // Notices queued by runs recorded before the document id travelled with them.
    log.warn('notice names no document; sent without the attachment');
    return [];
  }
  // And the paper that goes with it (the contract with the prepayment invoice, the act with the final one).
  const also = input.data?.alsoAttach;
  const ids = typeof also === 'string' && also !== '' ? [documentId, also] : [documentId];
  return Promise.all(
    ids.map(async (id) => {
      const [metadata, bytes] = await Promise.all([store.get(id), store.read(id)]);
      if (!metadata || !bytes) {
        throw ApplicationFailure.create({
          type: 'DocumentNotFound',
          message: `document ${id} is not in the document store; the ${input.template} notice waits for it`,
          nonRetryable: false,
        });
      }
      return { fileName: metadata.fileName, contentType: metadata.contentType, content: bytes };
    }),
  );
}

/**
 * Before each recipient: tells Temporal this attempt is alive, and stops it (throws) once Temporal
 * gave up on it or its time is nearly up, so two attempts never mail the same person. No-op when
 * called directly, as unit tests do.
 */
function stillWanted(next: string): void {
  const context = asyncLocalStorage.getStore();
  if (!context) return;
  context.cancellationSignal.throwIfAborted();
  const { currentAttemptScheduledTimestampMs: started, startToCloseTimeoutMs: limit } = context.info;
  if (limit > 0 && Date.now() > started + limit - Math.min(STOP_BEFORE_TIMEOUT_MS, limit / 4)) {
    throw ApplicationFailure.retryable(`attempt stopped before ${next}: its start-to-close timeout is near; the next attempt continues`, 'AttemptTimeNearlyUp');
  }
  context.heartbeat({ next });
}

/** Heartbeats while a message is being sent: a slow server is not a dead worker. */
async function aliveWhile<T>(sending: Promise<T>, to: string): Promise<T> {
  const context = asyncLocalStorage.getStore();
  if (!context) return sending;
  const timer = setInterval(() => context.heartbeat({ sending: to }), HEARTBEAT_WHILE_SENDING_MS);
  try {
    return await sending;
  } finally {
    clearInterval(timer);
  }
}

/**
 * Directory entries and literal addresses, each address once (first name wins). People of the
 * directory and the escalation contact read the staff version; other literal addresses are the
 * client's contacts.
 */
function resolveRecipients(spec: RecipientSpec, deps: NotificationActivityDeps, log: Logger): Recipient[] {
  const found = new Map<string, Recipient>();
  const staffAddresses = new Set(deps.people.all().map((p) => p.email.toLowerCase()));
  const add = (address: string, audience: Audience, name?: string, personId?: string): void => {
    const trimmed = address.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(trimmed)) {
      log.warn({ address }, 'not an email address; not notified');
      return;
    }
    const key = trimmed.toLowerCase();
    if (!found.has(key)) found.set(key, { address: trimmed, audience, ...(name && { name }), ...(personId && { personId }) });
  };

  for (const id of spec.personIds ?? []) {
    const person = deps.people.get(id);
    if (person) add(person.email, 'staff', person.name, person.id);
    else log.warn({ personId: id }, 'person not in the directory; not notified');
  }
  for (const role of spec.roles ?? []) for (const p of deps.people.withRole(role)) add(p.email, 'staff', p.name, p.id);
  if (spec.department) for (const p of deps.people.inDepartment(spec.department)) add(p.email, 'staff', p.name, p.id);
  for (const email of spec.emails ?? []) add(email, staffAddresses.has(email.trim().toLowerCase()) ? 'staff' : 'client');
  if (spec.escalationContact) {
    if (deps.escalationEmail) add(deps.escalationEmail, 'staff');
    else for (const p of deps.people.withRole('leadership')) add(p.email, 'staff', p.name, p.id);
  }
  const except = new Set(spec.exceptPersonIds ?? []);
  return [...found.values()].filter((r) => r.personId === undefined || !except.has(r.personId));
}

/**
 * The project's snapshot, for a notice whose template prints figures its data lacks. It is read
 * when the mail is written (the figures it prints do not change after the notice: a plan's
 * version, the budget, a cancellation's settlement; what is owed is as it stands then). A query
 * that fails is logged and the mail goes out with what its data carries: a notice is not held
 * back for the figures. A cancelled attempt stops (the next attempt reads it again).
 */
async function projectSnapshot(input: NotifyInput, deps: NotificationActivityDeps, log: Logger): Promise<ProjectStatus | undefined> {
  const client = deps.client;
  if (!client || !input.projectId) return undefined;
  const projectId = input.projectId;
  try {
    return await untilCancelled(client, () => client.workflow.getHandle(projectWorkflowId(projectId)).query(getStatusQuery));
  } catch (err) {
    if (asyncLocalStorage.getStore()?.cancellationSignal.aborted) throw err;
    log.warn({ err }, "could not read the project's figures; the notice is sent with what its data carries");
    return undefined;
  }
}

/**
 * The project's page for its client, for the client's copy of a notice. A store that cannot
 * answer fails the attempt before anyone is mailed (the sent-log is in the same store, so the
 * attempt could not go on anyway): the retry mails everyone, the client with their link.
 */
async function clientPage(input: NotifyInput, deps: NotificationActivityDeps): Promise<string | undefined> {
  if (!deps.clientLinks || !input.projectId) return undefined;
  return (await deps.clientLinks.current(input.projectId)).url;
}
