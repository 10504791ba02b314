/**
 * The Express app, apart from `listen`: security headers, request ids and logs, metrics, CORS,
 * JSON bodies within the limit, per-token rate limits, the routers, the docs and the one error
 * middleware. Everything it needs comes in `deps`, so tests build apps against the real stack
 * (or against a Temporal address that answers nothing) without a server process.
 */
import { createHash, randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import swaggerUi from 'swagger-ui-express';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { METRICS_NEED_THE_TOKEN, metricsAccess } from '../common/metrics-access';
import type { PeopleDirectory } from '../common/people';
import type { DocumentStore } from '../activities/documents/store';
import type { Page, ReportingStore } from '../activities/reporting/store';
import { authenticate, csrfGuard } from './auth';
import { ApiProblem, loggableUrl, problemHandler, ProblemType, routeNotFound, unauthenticated } from './errors';
import { createHttpMetrics, routeLabel, type HttpMetrics } from './metrics';
import { buildOpenApiDocument, OPERATIONS } from './openapi';
import { createPortalRouter } from './portal';
import { createClientsRouter } from './routes/clients';
import { createDocumentsRouter } from './routes/documents';
import { createHealthRouter } from './routes/health';
import { createPeopleRouter } from './routes/people';
import { createMailSettingsRouter, createUnsubscribeRouter } from './routes/mail';
import { UnsubscribeLinks } from '../activities/mail/digest-mail';
import { createClientViewRouter } from './routes/client-view';
import { ClientLinks } from '../common/client-links';
import { CopiesInMemory } from './copies-in-memory';
import { ListsInMemory } from './lists-in-memory';
import { SeenVersions } from './snapshot-reads';
import type { ProjectStatus } from '../workflows/project/contract';
import { createProjectsRouter } from './routes/projects';
import { createReportsRouter } from './routes/reports';
import { createBackChannelLogoutRouter, createSessionRouter, type SessionDeps } from './routes/session';
import { singleSignOnFromConfig } from './oidc';
import { createTasksRouter } from './routes/tasks';
import { StoredSessionStore, type SessionStore } from './sessions';
import type { TemporalGateway } from './temporal-gateway';
import { requireJsonBody } from './validation';
import type { PlannedTaskItem, TaskListItem } from './schemas';

/** What the API needs of the activities' document store: metadata, bytes, a project's list. */
export type DocumentSource = Pick<DocumentStore, 'get' | 'read' | 'listByProject'>;

export type ApiConfig = Pick<
  Config,
  | 'API_BODY_LIMIT'
  | 'API_RATE_LIMIT_PER_MINUTE'
  | 'API_CORS_ORIGINS'
  | 'API_TRUSTED_PROXIES'
  | 'SESSION_TTL'
  | 'METRICS_TOKEN'
  | 'PRODUCTION_CHECKS'
  | 'POLICY_APPROVAL_SLA'
  | 'POLICY_ESCALATION_SLA'
  | 'POLICY_REMINDER_LEAD'
  | 'POLICY_OVERDUE_GRACE'
  | 'POLICY_ACCEPTANCE_WINDOW'
  | 'POLICY_PAYMENT_TERMS'
  | 'POLICY_PAYMENT_ESCALATION'
  | 'POLICY_COMPLAINT_RESOLUTION'
  | 'POLICY_REVIEW_SLA'
  | 'POLICY_PLANNING_SLA'
  | 'POLICY_START_AFTER_PREPAYMENT'
  | 'POLICY_COMPLAINT_WINDOW'
  | 'WORKLOAD_OVERLOAD_HOURS'
  // The client's page names the agency, as its papers do.
  | 'AGENCY_NAME'
> &
  // Single sign-on: off unless all three of OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET are set.
  Partial<Pick<Config, 'publicBaseUrl' | 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_PROVIDER_NAME'>>;

export interface AppDeps {
  config: ApiConfig;
  logger: Logger;
  temporal: TemporalGateway;
  people: PeopleDirectory;
  documents: DocumentSource;
  /** The reporting store: lists, single reads and reports that must not depend on a worker or on visibility. */
  reporting: ReportingStore;
  /** `npm start`'s in-process worker: /readyz requires it polling. */
  workerPolling?: () => boolean;
  /** The clock for due-date checks and reports (tests may pin it). */
  now?: () => number;
  /** Portal sessions; default: in the reporting store's database (shared by API processes, kept across restarts). */
  sessions?: SessionStore;
  /** The built portal (index.html and assets/); default web/dist. */
  portalDir?: string;
}

export interface AppExtras {
  metrics: HttpMetrics;
  openapi: Record<string, unknown>;
  sessions: SessionStore;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Request id (accepted from X-Request-Id or made up), echoed back, and one log line per request. */
function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get('X-Request-Id');
    req.requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    req.receivedAt = performance.now();
    res.setHeader('X-Request-Id', req.requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = routeLabel(req);
      const entry = {
        requestId: req.requestId,
        method: req.method,
        route,
        url: loggableUrl(req.originalUrl),
        status: res.statusCode,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
        personId: req.person?.id,
        ...(res.locals.problemType && { problem: res.locals.problemType }),
      };
      if (res.statusCode >= 500) logger.warn(entry, 'request failed');
      else if (QUIET_ROUTES.has(route)) logger.debug(entry, 'request');
      else logger.info(entry, 'request');
    });
    next();
  };
}

/** CORS stays off unless API_CORS_ORIGINS lists origins (comma-separated, or `*`). */
function cors(origins: string | undefined): RequestHandler | undefined {
  if (!origins) return undefined;
  const allowed = origins.split(',').map((o) => o.trim()).filter(Boolean);
  const any = allowed.includes('*');
  return (req, res, next) => {
    const origin = req.get('Origin');
    if (!origin || !(any || allowed.includes(origin))) return next();
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    res.append('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', 'Location, X-Request-Id, Retry-After, Repr-Digest, Digest, RateLimit, RateLimit-Policy');
    if (req.method === 'OPTIONS' && req.get('Access-Control-Request-Method')) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-CSRF-Token');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/** /metrics by common/metrics-access.ts's rule; a refusal is the API's problem+json 401. */
function metricsGuard(config: Pick<ApiConfig, 'METRICS_TOKEN' | 'PRODUCTION_CHECKS'>): RequestHandler | undefined {
  const allowed = metricsAccess(config);
  if (!allowed) return undefined;
  return (req, _res, next) => (allowed(req.get('Authorization')) ? next() : next(unauthenticated(METRICS_NEED_THE_TOKEN)));
}

/** Per-person rate limit (per IP for anonymous callers or unknown tokens). */
function perTokenRateLimit(limitPerMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: limitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) =>
      req.person
        ? `person:${createHash('sha256').update(req.person.id).digest('hex').slice(0, 16)}`
        : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    handler: (req, res, next, options) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
      next(
        new ApiProblem({
          type: ProblemType.rateLimited,
          title: 'Too many requests',
          status: 429,
          detail: `More than ${limitPerMinute} requests a minute for this token. Retry after ${retryAfter} s.`,
          headers: { 'Retry-After': String(retryAfter) },
        }),
      );
    },
  });
}

export function createApp(deps: AppDeps): Express & { locals: AppExtras } {
  const app = express();
  const metrics = createHttpMetrics();
  const openapi = buildOpenApiDocument({ serverUrl: deps.config.publicBaseUrl });
  const sessions = deps.sessions ?? new StoredSessionStore(deps.reporting.portalSessions);
  app.locals.metrics = metrics;
  app.locals.openapi = openapi;
  app.locals.sessions = sessions;

  app.disable('x-powered-by');
  // Only the proxies named in API_TRUSTED_PROXIES may say who the caller is (req.ip: the per-address rate limit).
  app.set('trust proxy', deps.config.API_TRUSTED_PROXIES ?? false);
  app.use(requestLog(deps.logger));
  app.use(metrics.middleware);
  app.use(helmet());
  const corsMiddleware = cors(deps.config.API_CORS_ORIGINS);
  if (corsMiddleware) app.use(corsMiddleware);

  // Operations: no token, no rate limit (orchestrators and scrapers poll these).
  app.use(createHealthRouter(deps));
  const metricsAllowed = metricsGuard(deps.config);
  if (metricsAllowed) app.get('/metrics', metricsAllowed, metrics.handler);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  // The UI fetches /openapi.json; assets come from the local swagger-ui-dist package, no CDN.
  app.use(
    '/docs',
    (req, res, next) => {
      if (req.originalUrl === '/docs') return res.redirect(301, '/docs/');
      next();
    },
    ...swaggerUi.serveFiles(undefined, { swaggerUrl: '/openapi.json', swaggerOptions: { validatorUrl: null } }),
    swaggerUi.setup(undefined, {
      swaggerUrl: '/openapi.json',
      customSiteTitle: 'agencyflow API',
      // No call-outs to the public validator (and the CSP would block them anyway).
      swaggerOptions: { validatorUrl: null },
    }),
  );

  // The API proper.
  app.use('/api', authenticate(deps.people, sessions));
  app.use('/api', perTokenRateLimit(deps.config.API_RATE_LIMIT_PER_MINUTE));
  const sessionDeps: SessionDeps = {
    people: deps.people,
    sessions,
    sessionTtlMs: deps.config.SESSION_TTL,
    cookie: { secure: (deps.config.publicBaseUrl ?? '').startsWith('https:') },
    now: deps.now,
    logger: deps.logger,
    ...(deps.config.OIDC_ISSUER && deps.config.OIDC_CLIENT_ID && deps.config.OIDC_CLIENT_SECRET && { singleSignOn: singleSignOnFromConfig(deps.config, deps.now) }),
  };
  // A digest's one-click stop (RFC 8058) and the provider's back-channel logout: no session, no
  // CSRF token, a form body; rate-limited as above.
  app.use(createUnsubscribeRouter(deps, new UnsubscribeLinks(deps.reporting, deps.config.publicBaseUrl ?? '')));
  app.use(createBackChannelLogoutRouter(sessionDeps));
  app.use('/api', csrfGuard);
  app.use('/api', requireJsonBody);
  app.use('/api', express.json({ limit: deps.config.API_BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  app.use(createSessionRouter(sessionDeps));
  app.use(createPeopleRouter(deps));
  app.use(createMailSettingsRouter(deps));
  app.use(createClientsRouter(deps));
  // Stored copies of what people read, served from memory while the workflows are slow to answer.
  const copies = new CopiesInMemory(deps.reporting, deps.logger, {
    onRead: (source) => metrics.copyReads.inc({ source }),
  });
  metrics.copiesHeld(() => copies.size);
  // The project snapshots this process answered with: task reads use them too (a task read right
  // after its plan's approval, before the answer reached the store, knows the task is planned).
  const projectsAnswered = new SeenVersions<ProjectStatus>();
  app.use(createProjectsRouter(deps, copies, projectsAnswered));
  // Task lists polled often, served from memory and refreshed in the background while they are.
  const lists = new ListsInMemory<Page<TaskListItem>>(deps.logger, {
    onRead: (source) => metrics.listReads.inc({ source }),
  });
  // The same for the work of projects waiting for their prepayment (the inbox's "Coming up").
  const plannedLists = new ListsInMemory<PlannedTaskItem[]>(deps.logger, {
    onRead: (source) => metrics.listReads.inc({ source }),
  });
  metrics.listsHeld(() => lists.size + plannedLists.size);
  metrics.people(deps.people);
  app.use(createTasksRouter(deps, copies, projectsAnswered, lists, plannedLists));
  app.use(createDocumentsRouter(deps));
  // The client's link to their project (no account: the link's key opens that one project).
  app.use(createClientViewRouter(deps, new ClientLinks(deps.reporting, deps.config.publicBaseUrl ?? ''), projectsAnswered));
  app.use(createReportsRouter(deps));

  // The portal: its assets, and index.html for the pages a browser opens.
  app.use(createPortalRouter({ dir: deps.portalDir, logger: deps.logger }));

  app.use(routeNotFound(OPERATIONS));
  app.use(problemHandler(deps.logger));
  return app as Express & { locals: AppExtras };
}
