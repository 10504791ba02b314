/**
 * notify: resolves who should hear about a business event, renders the template and mails each
 * recipient separately (clients never see staff addresses, and each send can be skipped on
 * retry). A retried activity sends only to recipients an earlier attempt did not reach.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import type { Logger } from '../common/logger';
import type { PeopleDirectory } from '../common/people';
import { ErrorType, businessFailure } from '../workflows/errors';
import { NOTIFICATION_TEMPLATES, type NotifyInput, type NotifyResult, type ProjectActivities, type RecipientSpec } from './contract';
import { activityLogger } from './log';
import { isPermanentRecipientRejection, senderDomain, type MailAddress, type Mailer } from './mail/mailer';
import { SentLog } from './mail/sent-log';
import { renderNotification } from './mail/templates';

export interface NotificationActivityDeps {
  mailer: Mailer;
  sentLog: SentLog;
  people: PeopleDirectory;
  logger: Logger;
  publicBaseUrl: string;
  /** ESCALATION_EMAIL; when unset, escalations go to everyone in leadership. */
  escalationEmail?: string;
}

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

      const recipients = resolveRecipients(input.recipients ?? {}, deps, log);
      const addresses = recipients.map((r) => r.address);
      if (recipients.length === 0) {
        log.warn({ recipients: input.recipients }, 'notification has no recipients; nothing sent');
        return { sent: 0, recipients: [], duplicate: false };
      }

      const rendered = renderNotification(input, {
        publicBaseUrl: deps.publicBaseUrl,
        personName: (id) => deps.people.get(id)?.name,
      });
      const domain = senderDomain(deps.mailer.from);
      let sent = 0;
      let alreadySent = 0;
      for (const to of recipients) {
        // Between recipients: tell Temporal this attempt is alive (a slow server is not a dead
        // worker), and stop if Temporal gave up on it, so two attempts never mail the same person.
        stillWanted(to.address);
        if (await deps.sentLog.has(input.idempotencyKey, to.address)) {
          alreadySent += 1;
          continue;
        }
        const messageId = `<${SentLog.entryName(input.idempotencyKey, to.address).slice(0, 40)}.agencyflow@${domain}>`;
        try {
          await deps.mailer.send({
            to,
            subject: rendered.subject,
            text: rendered.text,
            messageId,
            idempotencyKey: input.idempotencyKey,
            projectId: input.projectId,
            taskId: input.taskId,
          });
        } catch (err) {
          // A refused address stays refused: report it and reach the others. Anything else
          // fails the attempt; the retry skips whoever was already reached.
          if (isPermanentRecipientRejection(err)) {
            log.error({ to: to.address, err }, 'mail server refused the recipient; not retried');
            continue;
          }
          throw err;
        }
        await deps.sentLog.record(input.idempotencyKey, to.address, { messageId, at: new Date().toISOString() });
        sent += 1;
      }

      log.info({ sent, alreadySent, recipients: addresses, transport: deps.mailer.kind }, 'notification delivered to the transport');
      return { sent, recipients: addresses, duplicate: sent === 0 && alreadySent === recipients.length };
    },
  };
}

/** Heartbeats inside an activity (no-op when called directly, as unit tests do); throws once the attempt is cancelled. */
function stillWanted(next: string): void {
  const context = asyncLocalStorage.getStore();
  if (!context) return;
  context.cancellationSignal.throwIfAborted();
  context.heartbeat({ next });
}

/** Directory entries and literal addresses, each address once (first name wins). */
function resolveRecipients(spec: RecipientSpec, deps: NotificationActivityDeps, log: Logger): MailAddress[] {
  const found = new Map<string, MailAddress>();
  const add = (address: string, name?: string): void => {
    const trimmed = address.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(trimmed)) {
      log.warn({ address }, 'not an email address; not notified');
      return;
    }
    const key = trimmed.toLowerCase();
    if (!found.has(key)) found.set(key, name ? { address: trimmed, name } : { address: trimmed });
  };

  for (const id of spec.personIds ?? []) {
    const person = deps.people.get(id);
    if (person) add(person.email, person.name);
    else log.warn({ personId: id }, 'person not in the directory; not notified');
  }
  for (const role of spec.roles ?? []) for (const p of deps.people.withRole(role)) add(p.email, p.name);
  if (spec.department) for (const p of deps.people.inDepartment(spec.department)) add(p.email, p.name);
  for (const email of spec.emails ?? []) add(email);
  if (spec.escalationContact) {
    if (deps.escalationEmail) add(deps.escalationEmail);
    else for (const p of deps.people.withRole('leadership')) add(p.email, p.name);
  }
  return [...found.values()];
}
