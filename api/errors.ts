/**
 * Every error the API returns is an RFC 9457 problem (`application/problem+json`): a stable
 * `type`, a `title`, the `status`, a `detail` a person can act on, the `instance` (the request
 * path) and the request id, plus `errors: [{ field, message }]` for validation. One middleware
 * writes them all; anything unexpected becomes a generic 500 with the cause logged, never a stack
 * trace in a body.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { ZodError } from 'zod';
import type { Logger } from '../common/logger';
import { withoutLinkKeys } from '../common/client-links';
import { withoutUnsubscribeTokens } from '../activities/mail/digest-mail';
import { ReportingInputError } from '../activities/reporting/store';

type ZodIssue = ZodError['issues'][number];

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem types: stable identifiers clients may switch on. */
export const ProblemType = {
  validation: 'urn:agencyflow:problem:validation',
  malformedJson: 'urn:agencyflow:problem:malformed-json',
  unauthenticated: 'urn:agencyflow:problem:unauthenticated',
  forbidden: 'urn:agencyflow:problem:forbidden',
  csrf: 'urn:agencyflow:problem:csrf',
  notFound: 'urn:agencyflow:problem:not-found',
  wrongStage: 'urn:agencyflow:problem:wrong-stage',
  stalePlanVersion: 'urn:agencyflow:problem:stale-plan-version',
  staleClientLink: 'urn:agencyflow:problem:stale-client-link',
  alreadyDone: 'urn:agencyflow:problem:already-done',
  taskAlreadyClaimed: 'urn:agencyflow:problem:task-already-claimed',
  overpayment: 'urn:agencyflow:problem:overpayment',
  paymentReferenceReused: 'urn:agencyflow:problem:payment-reference-reused',
  possibleDuplicatePayment: 'urn:agencyflow:problem:possible-duplicate-payment',
  closed: 'urn:agencyflow:problem:closed',
  payloadTooLarge: 'urn:agencyflow:problem:payload-too-large',
  unsupportedMediaType: 'urn:agencyflow:problem:unsupported-media-type',
  methodNotAllowed: 'urn:agencyflow:problem:method-not-allowed',
  idempotencyKeyConflict: 'urn:agencyflow:problem:idempotency-key-conflict',
  rateLimited: 'urn:agencyflow:problem:rate-limited',
  temporalUnavailable: 'urn:agencyflow:problem:temporal-unavailable',
  workflowCannotAnswer: 'urn:agencyflow:problem:workflow-cannot-answer',
  reportingUnavailable: 'urn:agencyflow:problem:reporting-unavailable',
  identityProviderUnavailable: 'urn:agencyflow:problem:identity-provider-unavailable',
  notReady: 'urn:agencyflow:problem:not-ready',
  internal: 'urn:agencyflow:problem:internal',
} as const;

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ProblemInit {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldProblem[];
  /** Extra members of the problem body (e.g. readiness `checks`). */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** An error that already knows how it reads over HTTP. Thrown by routes and the Temporal gateway. */
export class ApiProblem extends Error {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: FieldProblem[];
  readonly extensions?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(init: ProblemInit, options?: { cause?: unknown }) {
    super(init.detail ?? init.title, options);
    this.name = 'ApiProblem';
    this.type = init.type;
    this.title = init.title;
    this.status = init.status;
    this.detail = init.detail;
    this.errors = init.errors;
    this.extensions = init.extensions;
    this.headers = init.headers;
  }
}

export const badRequest = (errors: FieldProblem[], detail?: string): ApiProblem =>
  new ApiProblem({
    type: ProblemType.validation,
    title: 'Invalid request',
    status: 400,
    detail: detail ?? errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });

export const unauthenticated = (detail: string): ApiProblem =>
  new ApiProblem({
    type: ProblemType.unauthenticated,
    title: 'Authentication required',
    status: 401,
    detail,
    headers: { 'WWW-Authenticate': 'Bearer realm="agencyflow"' },
  });

/** `extensions`: what a client may act on without reading the words (a task's `department`). */
export const forbidden = (detail: string, extensions?: Record<string, unknown>): ApiProblem =>
  new ApiProblem({ type: ProblemType.forbidden, title: 'Forbidden', status: 403, detail, extensions });

export const notFound = (detail: string): ApiProblem =>
  new ApiProblem({ type: ProblemType.notFound, title: 'Not found', status: 404, detail });

/** `tasks[2].dueAt` from a zod path. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

const KIND: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

/**
 * zod's own wording, whatever the check: "Too small: …", "Invalid input: …", "Invalid option: …",
 * "Invalid discriminator value. …", "Invalid key in record", "Unrecognized key: …". Any other
 * message was written by our schemas and is theirs already.
 */
const ZOD_WORDING = /^(Too (small|big)\b|Invalid (input|option|discriminator value|key in|value in|string|number)\b|Unrecognized key)/;

const isZodWording = (issue: ZodIssue): boolean => ZOD_WORDING.test(issue.message);

/** No value at all where one is needed: said "required" whatever the type, as an empty field is. */
function isMissing(issue: ZodIssue): boolean {
  if (!isZodWording(issue)) return false;
  if (issue.code === 'invalid_type') return /received (undefined|null)$/.test(issue.message);
  return issue.code === 'too_small' && issue.origin === 'string' && Number(issue.minimum) <= 1;
}

const oneOf = (values: readonly unknown[]): string => `expected one of: ${values.map((v) => String(v)).join(', ')}`;

/**
 * zod's own messages ("Too small: expected string to have >=1 characters") in the words a person
 * filling a form reads; messages our schemas set themselves are theirs already and pass unchanged.
 */
export function inWords(issue: ZodIssue): string {
  if (!isZodWording(issue)) return issue.message;
  if (isMissing(issue)) return 'required';
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${KIND[issue.expected] ?? issue.expected}`;
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string') return `at least ${n} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return n <= 1 ? 'at least one is required' : `at least ${n} are required`;
      return issue.inclusive ? `at least ${n}` : `more than ${n}`;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'string') return `at most ${n} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at most ${n} items`;
      return issue.inclusive ? `at most ${n}` : `less than ${n}`;
    }
    // An enum, a literal, and the tag of a union of kinds (feedback's `kind`) read alike.
    case 'invalid_value':
      return oneOf(issue.values);
    case 'invalid_union': {
      const options = (issue as { options?: unknown }).options;
      if (Array.isArray(options) && options.length > 0) return oneOf(options);
      // Every alternative refused the value's type (a duration as `true`): "expected a number or text".
      const firsts = issue.errors.map((alternative) => alternative[0]).filter((i): i is ZodIssue => i !== undefined);
      if (firsts.length > 0 && firsts.every((i) => i.code === 'invalid_type' && i.path.length === 0)) {
        if (firsts.some(isMissing)) return 'required';
        return `expected ${[...new Set(firsts.map((i) => (i.code === 'invalid_type' ? (KIND[i.expected] ?? i.expected) : '')))].join(' or ')}`;
      }
      return firsts[0] ? inWords(firsts[0]) : 'not one of the forms this field takes';
    }
    // A record's key (`dueDates.<key>`) or a set's element: the check it failed, in its words.
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues[0] ? inWords(issue.issues[0]) : issue.code === 'invalid_key' ? 'not a key this field takes' : 'not a value this field takes';
    default:
      return issue.message;
  }
}

/**
 * Which of a field's refusals is said, when rules overlap (a negative amount is both "at least 0"
 * and "must be positive"): a missing value first, then the schema's own words (the rule written
 * for this field), then zod's; the first of equals.
 */
const precedence = (issue: ZodIssue): number => (isMissing(issue) ? 0 : isZodWording(issue) ? 2 : 1);

/** One entry per bad field, named the way the client wrote it, in the order zod found them. */
export function zodFieldProblems(error: ZodError, options: { prefix?: string; root?: string } = {}): FieldProblem[] {
  const byField = new Map<string, { problem: FieldProblem; rank: number }>();
  const add = (field: string, message: string, rank: number): void => {
    const earlier = byField.get(field);
    if (!earlier || rank < earlier.rank) byField.set(field, { problem: { field, message }, rank });
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(fieldPath([...issue.path, key], options.prefix), 'unknown field', 1);
      continue;
    }
    add(fieldPath(issue.path, options.prefix) || options.root || 'body', inWords(issue), precedence(issue));
  }
  return [...byField.values()].map((entry) => entry.problem);
}

export function sendProblem(res: Response, problem: ApiProblem, instance: string): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
  const body: Record<string, unknown> = {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    ...(problem.detail !== undefined && { detail: problem.detail }),
    instance,
    ...(res.req.requestId && { requestId: res.req.requestId }),
    ...(problem.errors && { errors: problem.errors }),
    ...problem.extensions,
  };
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Errors raised by express.json (body-parser) carry a `type` and a `status`. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

function fromBodyParser(err: BodyParserError): ApiProblem | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ApiProblem({
        type: ProblemType.malformedJson,
        title: 'Malformed JSON',
        status: 400,
        detail: `The request body is not valid JSON: ${err.message}`,
        errors: [{ field: 'body', message: 'not valid JSON' }],
      });
    case 'entity.too.large':
      return new ApiProblem({
        type: ProblemType.payloadTooLarge,
        title: 'Request body too large',
        status: 413,
        detail: `The request body is larger than the limit of ${err.limit ?? '?'} bytes.`,
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiProblem({
        type: ProblemType.unsupportedMediaType,
        title: 'Unsupported media type',
        status: 415,
        detail: err.message,
      });
    default:
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
        return new ApiProblem({ type: 'about:blank', title: err.message || 'Bad request', status: err.status });
      }
      return undefined;
  }
}

/** Network-level failures reaching the reporting store's database (and PostgreSQL's "shutting down / starting up"). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

function fromReportingStore(err: Error): ApiProblem | undefined {
  if (err instanceof ReportingInputError) return badRequest([{ field: err.field, message: err.message }]);
  const code = (err as { code?: unknown }).code;
  const unreachable =
    (typeof code === 'string' && UNREACHABLE_CODES.has(code)) ||
    /timeout exceeded when trying to connect|Connection terminated|Too many connections/i.test(err.message);
  if (!unreachable) return undefined;
  return new ApiProblem(
    {
      type: ProblemType.reportingUnavailable,
      title: 'Reporting store unavailable',
      status: 503,
      detail: 'The reporting store does not answer. Retry in a moment.',
      headers: { 'Retry-After': '5' },
    },
    { cause: err },
  );
}

/**
 * A request's URL for the logs: the key of a client's link (`key=`) opens their project, and the
 * token of a digest's link (`token=`) stops that person's digest, so neither is ever written down.
 */
export const loggableUrl = (url: string): string => withoutUnsubscribeTokens(withoutLinkKeys(url));

/** The one error middleware: every failure leaves as problem+json. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let problem: ApiProblem | undefined;
    if (err instanceof ApiProblem) problem = err;
    else if (err instanceof Error) problem = fromBodyParser(err as BodyParserError) ?? fromReportingStore(err);
    if (!problem) {
      logger.error({ err, requestId: req.requestId, method: req.method, url: loggableUrl(req.originalUrl) }, 'unhandled error');
      problem = new ApiProblem({
        type: ProblemType.internal,
        title: 'Internal server error',
        status: 500,
        detail: `Something went wrong on our side. Quote request id ${req.requestId ?? '-'} when reporting it.`,
      });
    } else if (problem.status >= 500 && problem.cause !== undefined) {
      // What the client is not told (the gRPC error behind a 503, an unexpected workflow failure).
      const cause = problem.cause instanceof Error ? `${problem.cause.name}: ${problem.cause.message}` : String(problem.cause);
      logger.warn({ requestId: req.requestId, status: problem.status, detail: problem.detail, cause }, problem.title);
    }
    res.locals.problemType = problem.type;
    sendProblem(res, problem, req.originalUrl);
  };
}

/**
 * Unknown routes: problem+json rather than Express's HTML page — 405 with `Allow` when the path is
 * one of `routes` (OpenAPI templates such as `/api/projects/{id}`) under other methods, else 404.
 */
export function routeNotFound(routes: readonly { method: string; path: string }[]): RequestHandler {
  const templates = routes.map((r) => ({
    method: r.method.toUpperCase(),
    pattern: new RegExp(`^${r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
  }));
  return (req, _res, next) => {
    const allowed = [...new Set(templates.filter((t) => t.pattern.test(req.path)).map((t) => t.method))];
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
      next(
        new ApiProblem({
          type: ProblemType.methodNotAllowed,
          title: 'Method not allowed',
          status: 405,
          detail: `${req.path} answers ${allow}, not ${req.method}. See /openapi.json.`,
          headers: { Allow: allow },
        }),
      );
      return;
    }
    next(notFound(`No route ${req.method} ${req.path}. See /openapi.json for the routes this API serves.`));
  };
}
