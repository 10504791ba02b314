/**
 * The mail transport: SMTP through nodemailer when SMTP_HOST is configured, otherwise one
 * structured log line per message, so a deployment without SMTP still shows every notification
 * instead of dropping it silently.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../common/config';
import { withoutLinkKeys } from '../../common/client-links';
import type { Logger } from '../../common/logger';
import { withoutUnsubscribeTokens } from './digest-mail';

export interface MailAddress {
  address: string;
  name?: string;
}

export interface MailAttachment {
  fileName: string;
  contentType: string;
  content: Buffer;
}

export interface OutgoingMail {
  to: MailAddress;
  /** Where a reply goes (the client's account manager); the sender address takes no replies. */
  replyTo?: MailAddress;
  subject: string;
  text: string;
  attachments?: MailAttachment[];
  /** Deterministic per (idempotency key, recipient): receivers can drop duplicates too. */
  messageId: string;
  idempotencyKey: string;
  projectId?: string;
  taskId?: string;
  /**
   * For mail a person may stop (the weekly digests): where a mail client's one-click unsubscribe
   * POSTs (RFC 8058): sent as `List-Unsubscribe` with `List-Unsubscribe-Post`.
   */
  oneClickUnsubscribe?: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'log';
  readonly from: string;
  /** Resolves once the transport accepted the message; rejects otherwise. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  readonly from: string;
  private readonly transport: Transporter;

  constructor(settings: SmtpSettings) {
    this.from = settings.from;
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ...(settings.user && { auth: { user: settings.user, pass: settings.password ?? '' } }),
      // A server that is down fails the attempt within seconds (connection refused) or 15 s (no
      // answer), so Temporal retries it soon. A slow one may take tens of seconds per message: up
      // to a minute of silence is waited out. These bound each step, not a whole message (a server
      // slow at every step takes minutes), so notify heartbeats while a message is being sent and
      // the attempt stays alive; see activities/notifications.ts.
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: address(mail.to),
      ...(mail.replyTo && { replyTo: address(mail.replyTo) }),
      subject: mail.subject,
      text: mail.text,
      attachments: mail.attachments?.map((a) => ({ filename: a.fileName, contentType: a.contentType, content: a.content })),
      messageId: mail.messageId,
      headers: {
        'X-Agencyflow-Idempotency-Key': mail.idempotencyKey,
        ...(mail.oneClickUnsubscribe && { 'List-Unsubscribe': `<${mail.oneClickUnsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
      },
    });
  }

  close(): void {
    this.transport.close();
  }
}

export class LogMailer implements Mailer {
  readonly kind = 'log';

  constructor(
    private readonly logger: Logger,
    readonly from: string,
  ) {}

  async send(mail: OutgoingMail): Promise<void> {
    this.logger.info(
      {
        to: mail.to.address,
        subject: mail.subject,
        idempotencyKey: mail.idempotencyKey,
        projectId: mail.projectId,
        taskId: mail.taskId,
        messageId: mail.messageId,
        ...(mail.replyTo && { replyTo: mail.replyTo.address }),
        // A client's mail carries the link to their project's page, a digest the link that stops
        // it: their keys stay out of the log.
        text: withoutUnsubscribeTokens(withoutLinkKeys(mail.text)),
        ...(mail.oneClickUnsubscribe && { oneClickUnsubscribe: withoutUnsubscribeTokens(mail.oneClickUnsubscribe) }),
        ...(mail.attachments && { attachments: mail.attachments.map((a) => ({ fileName: a.fileName, contentType: a.contentType, size: a.content.length })) }),
      },
      'mail (no SMTP configured)',
    );
  }

  close(): void {}
}

const address = (a: MailAddress): string | { name: string; address: string } => (a.name ? { name: a.name, address: a.address } : a.address);

/**
 * The server refused this recipient for good (5xx on RCPT): retrying cannot help. Other failures
 * (connection, timeouts, 4xx, authentication) are worth a retry or need an operator.
 */
export function isPermanentRecipientRejection(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number };
  return e?.code === 'EENVELOPE' && typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
}

/** The domain for Message-IDs: the sender's, so ids look like the agency's own. */
export function senderDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'agencyflow.invalid';
}

export function createMailerFromConfig(
  config: Pick<Config, 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_SECURE' | 'SMTP_USER' | 'SMTP_PASSWORD' | 'MAIL_FROM'>,
  logger: Logger,
): Mailer {
  if (!config.SMTP_HOST) {
    logger.warn('SMTP_HOST is not set: notifications are written to the log instead of being mailed');
    return new LogMailer(logger.child({ component: 'mail' }), config.MAIL_FROM);
  }
  // Host, port and user only: the password never reaches a log line.
  logger.info({ host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE, user: config.SMTP_USER }, 'mail via SMTP');
  return new SmtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    user: config.SMTP_USER,
    password: config.SMTP_PASSWORD,
    from: config.MAIL_FROM,
  });
}
