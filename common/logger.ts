/**
 * One pino logger per process. Children carry projectId / taskId / requestId so every line can be
 * traced back to the business object it concerns. Secrets are redacted by path, wherever they hide.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'smtp.auth',
  '*.SMTP_PASSWORD',
  'SMTP_PASSWORD',
  '*.REPORTING_DATABASE_URL',
  'REPORTING_DATABASE_URL',
  '*.REPORTING_DATABASE_PASSWORD',
  'REPORTING_DATABASE_PASSWORD',
  '*.OIDC_CLIENT_SECRET',
  'OIDC_CLIENT_SECRET',
  'client_secret',
  '*.client_secret',
];

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'agencyflow',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
