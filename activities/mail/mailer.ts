/**
 * The mail transport: SMTP through nodemailer when SMTP_HOST is configured, otherwise one
 * structured log line per message, so a deployment without SMTP still shows every notification
 * instead of dropping it silently.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';

export interface MailAddress {
  address: string;
  name?: string;
}

export interface OutgoingMail {
  to: MailAddress;
  subject: string;
  text: string;
  /** Deterministic per (idempotency key, recipient): receivers can drop duplicates too. */
  messageId: string;
  idempotencyKey: string;
  projectId?: string;
  taskId?: string;
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
      // Generous enough for a slow server (tens of seconds to accept a message), yet shorter than the
      // notify activity's heartbeat timeout (90 s, workflows/common/outbox.ts): an attempt stuck on a
      // dead server fails by itself before Temporal starts another that could mail the same person.
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: mail.to.name ? { name: mail.to.name, address: mail.to.address } : mail.to.address,
      subject: mail.subject,
      text: mail.text,
      messageId: mail.messageId,
      headers: { 'X-Agencyflow-Idempotency-Key': mail.idempotencyKey },
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
        text: mail.text,
      },
      'mail (no SMTP configured)',
    );
  }

  close(): void {}
}

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
