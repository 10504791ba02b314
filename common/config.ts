/**
 * Every setting comes from the environment, validated once at start-up. An invalid value stops
 * the process with a message naming the variable, never a half-configured service.
 * The README's configuration table lists the same variables with the same defaults.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from './duration';
import { DEFAULT_WORKER_HEAP_FLAGS, parseHeapFlags } from './heap-flags';
import { timeZoneSchema } from './time-zone';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a positive duration such as 90s, 15m, 24h or 5d, got "${text}"` });
        return z.NEVER;
      }
      return ms;
    });

const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A weekly digest's days and time (`parseDigestSchedule`), or `off`. */
const digestSchedule = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx): DigestSchedule => {
      const parsed = parseDigestSchedule(value);
      if (parsed) return parsed;
      ctx.addIssue({ code: 'custom', message: 'expected days and a time such as MON 08:00 or MON,THU 08:30, or off' });
      return z.NEVER;
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** One entry of API_TRUSTED_PROXIES: a named range Express knows, an address, or an address/prefix. */
function isProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

export const envSchema = z.object({
  LOG_LEVEL: logLevel,
  DATA_DIR: z.string().min(1).default('./data'),

  // Temporal
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('agencyflow'),
  TEMPORAL_CLI_PATH: optionalText,
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_RETENTION: duration('365d'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(500),
  /** Stack frames the workflow sandbox keeps per pending promise and per error (worker/sandbox-stack-traces.ts). */
  WORKER_STACK_TRACE_FRAMES: z.coerce.number().int().min(0).max(100).default(3),
  /** V8 heap sizing for the worker process (common/heap-flags.ts); empty keeps V8's defaults. */
  WORKER_HEAP_FLAGS: z
    .string()
    .default(DEFAULT_WORKER_HEAP_FLAGS)
    .transform((text, ctx) => {
      const parsed = parseHeapFlags(text);
      if ('flags' in parsed) return parsed.flags;
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }),
  WORKFLOW_BUNDLE_PATH: optionalText,
  /** A separate worker process serves /healthz and /readyz here (0 = off; `npm start` uses the API's). */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  /** The worker's Temporal SDK metrics for Prometheus (schedule-to-start, cache, slots) on this port (0 = off). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),

  // API
  API_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 = any free port (tests). */
  API_PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  PUBLIC_BASE_URL: z.url({ message: 'expected an absolute URL such as https://agency.example' }).optional(),
  API_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 100kb or 1mb').default('100kb'),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  API_CORS_ORIGINS: optionalText,
  /**
   * The reverse proxies in front of the API, whose `X-Forwarded-For` names the caller: addresses,
   * CIDR ranges or `loopback` / `linklocal` / `uniquelocal`, comma-separated. Unset: the header is
   * ignored (a caller could write anything in it), and every caller behind a proxy is the proxy.
   */
  API_TRUSTED_PROXIES: optionalText.pipe(
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return undefined;
        const entries = v.split(',').map((e) => e.trim()).filter(Boolean);
        const wrong = entries.filter((e) => !isProxyEntry(e));
        if (wrong.length > 0) {
          ctx.addIssue({ code: 'custom', message: `expected addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated; not ${wrong.join(', ')}` });
          return z.NEVER;
        }
        return entries;
      }),
  ),
  /** How long a portal sign-in lasts. */
  SESSION_TTL: duration('12h'),
  /**
   * Single sign-on with the organisation's OpenID Connect provider (api/oidc.ts): all three or none.
   * The portal is registered there with the redirect URI `${PUBLIC_BASE_URL}/api/session/oidc/callback`.
   */
  OIDC_ISSUER: optionalText.pipe(z.url({ message: 'expected the provider\'s issuer URL, e.g. https://accounts.google.com' }).optional()),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  /** The sign-in button's words: "Sign in with <this>". */
  OIDC_PROVIDER_NAME: optionalText,

  /** Bearer token for GET /metrics; unset = open, or off under PRODUCTION_CHECKS. */
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || v.length >= 16, 'expected at least 16 characters'),

  // Safe production defaults (common/production-checks.ts)
  PRODUCTION_CHECKS: bool(false),
  ALLOW_DEMO_PEOPLE: bool(false),

  // People, documents and mail
  PEOPLE_FILE: z.string().min(1).default('./config/people.example.json'),
  /** How often the API and the worker read PEOPLE_FILE again (people added or removed need no restart). */
  PEOPLE_RELOAD_INTERVAL: duration('5s'),
  DOCUMENTS_DIR: optionalText,
  /**
   * Where produced PDFs live: `filesystem` (DOCUMENTS_DIR, a folder every worker and the API
   * share) or `database` (the reporting database: no shared disk, and in its backups).
   */
  DOCUMENTS_STORE: z.enum(['filesystem', 'database'], { message: 'expected filesystem or database' }).default('filesystem'),
  SMTP_HOST: optionalText,
  SMTP_PORT: port(587),
  SMTP_SECURE: bool(false),
  SMTP_USER: optionalText,
  SMTP_PASSWORD: optionalText,
  /** Unset: the agency's name (AGENCY_NAME) at `no-reply@agency.example`, see defaultMailFrom. */
  MAIL_FROM: optionalText.pipe(z.string().min(3).optional()),
  ESCALATION_EMAIL: z.email({ message: 'expected an email address' }).optional(),

  // The agency's details printed on every document
  AGENCY_NAME: z.string().min(1).default('Northwind Creative Agency'),
  AGENCY_ADDRESS: z.string().min(1).default('12 Market Street, Springfield'),
  AGENCY_TAX_ID: z.string().min(1).default('TAX-0000000000'),
  AGENCY_BANK_DETAILS: z.string().min(1).default('Bank of Springfield, IBAN XX00 0000 0000 0000 0000, BIC SPRGXX00'),
  /** The zone the agency works in: mails and papers print their dates and times there (pages use the reader's own). */
  AGENCY_TIME_ZONE: timeZoneSchema.default('UTC'),

  // The reporting store (KPIs, lists, reports): PostgreSQL, or an embedded PGlite under DATA_DIR
  REPORTING_DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\/./.test(v), 'expected a PostgreSQL URL such as postgres://user:password@host:5432/reporting'),
  /** Overrides the URL's password, so a password needs no URL-encoding and stays out of the URL. */
  REPORTING_DATABASE_PASSWORD: optionalText,
  REPORTING_SCHEMA: z
    .string()
    .regex(/^(?!pg_)[a-z_][a-z0-9_]{0,47}$/, 'expected a schema name: lower-case letters, digits and _ (not starting with pg_)')
    .default('reporting'),
  WORKLOAD_OVERLOAD_HOURS: z.coerce.number().positive().default(40),
  /**
   * The weekly digests (worker/digest-schedules.ts): leadership's, and each manager's of their own
   * projects. Days and a time in the agency's zone, `MON 08:00` or `MON,THU 08:30`; `off` for none.
   */
  LEADERSHIP_DIGEST: digestSchedule('MON 08:00'),
  MANAGER_DIGEST: digestSchedule('MON 08:00'),

  // Default project policy; each project may override any of these at intake
  POLICY_APPROVAL_SLA: duration('24h'),
  POLICY_ESCALATION_SLA: duration('48h'),
  POLICY_REMINDER_LEAD: duration('24h'),
  POLICY_OVERDUE_GRACE: duration('24h'),
  POLICY_ACCEPTANCE_WINDOW: duration('5d'),
  POLICY_PAYMENT_TERMS: duration('14d'),
  POLICY_PAYMENT_ESCALATION: duration('7d'),
  POLICY_COMPLAINT_RESOLUTION: duration('48h'),
  POLICY_REVIEW_SLA: duration('24h'),
  POLICY_PLANNING_SLA: duration('24h'),
  POLICY_START_AFTER_PREPAYMENT: bool(true),
  POLICY_COMPLAINT_WINDOW: duration('30d'),
});

/** When a weekly digest goes out: days of the week and a time of day in the agency's zone, or never. */
export type DigestSchedule = 'off' | { days: DigestDay[]; hour: number; minute: number };
const DIGEST_DAYS = { MON: 'MONDAY', TUE: 'TUESDAY', WED: 'WEDNESDAY', THU: 'THURSDAY', FRI: 'FRIDAY', SAT: 'SATURDAY', SUN: 'SUNDAY' } as const;
type DigestDay = (typeof DIGEST_DAYS)[keyof typeof DIGEST_DAYS];

export function parseDigestSchedule(value: string): DigestSchedule | undefined {
  const text = value.trim().toUpperCase();
  if (text === 'OFF') return 'off';
  const match = /^([A-Z]{3}(?:,[A-Z]{3})*)\s+(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const days = match[1].split(',').map((d) => DIGEST_DAYS[d as keyof typeof DIGEST_DAYS]);
  const hour = Number(match[2]);
  const minute = Number(match[3]);
  if (days.some((d) => d === undefined) || hour > 23 || minute > 59) return undefined;
  return { days: [...new Set(days)], hour, minute };
}

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  /** MAIL_FROM, or the default sender that shows the agency's name. */
  MAIL_FROM: string;
  /** Absolute paths, resolved once so every process agrees on them. */
  dataDir: string;
  documentsDir: string;
  peopleFile: string;
  /** Where `npm start` keeps the embedded reporting database (PGlite) when REPORTING_DATABASE_URL is unset. */
  reportingDataDir: string;
  /** True when no TEMPORAL_ADDRESS is given: `npm start` runs the embedded dev server. */
  embeddedTemporal: boolean;
  temporalAddress: string;
  publicBaseUrl: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })),
    );
  }
  const e = parsed.data;
  const oidc = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
  const oidcMissing = oidc.filter((name) => e[name] === undefined);
  if (oidcMissing.length > 0 && oidcMissing.length < oidc.length) {
    throw new ConfigError(oidcMissing.map((variable) => ({ variable, message: `required with ${oidc.filter((n) => !oidcMissing.includes(n)).join(' and ')} (single sign-on takes all three)` })));
  }
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  return {
    ...e,
    dataDir,
    documentsDir: e.DOCUMENTS_DIR ? path.resolve(cwd, e.DOCUMENTS_DIR) : path.join(dataDir, 'documents'),
    peopleFile: path.resolve(cwd, e.PEOPLE_FILE),
    reportingDataDir: path.join(dataDir, 'reporting'),
    embeddedTemporal: e.TEMPORAL_ADDRESS === undefined,
    temporalAddress: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_DEV_PORT}`,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.API_PORT}`).replace(/\/$/, ''),
    MAIL_FROM: e.MAIL_FROM ?? defaultMailFrom(e.AGENCY_NAME),
  };
}

/**
 * The sender when MAIL_FROM is unset: clients see the agency they deal with, as on its papers,
 * not the software's name. A name with a comma, quote or the like is quoted (RFC 5322), or mail
 * clients would read "Müller, Design" as two addresses.
 */
export function defaultMailFrom(agencyName: string): string {
  const name = agencyName.trim();
  const display = /^[\p{L}\p{N} !#$%&'*+\-/=?^_`{|}~]+$/u.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
  return `${display} <no-reply@agency.example>`;
}

/** For entry points: a bad configuration ends the process with the message, not a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
