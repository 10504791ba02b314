/**
 * The portal talks to the public API only, typed by the OpenAPI document: `paths` and `components`
 * are generated from api/openapi.ts at build time (scripts/build-portal.ts), and openapi-fetch
 * checks every path, parameter and body against them. Requests ride on the session cookie; the
 * ones that change something carry the session's CSRF token.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './generated/openapi';

export type Schemas = components['schemas'];
export type Person = Schemas['Person'];
export type FormerPerson = Schemas['FormerPerson'];
export type Me = Schemas['Me'];
export type ProjectStatus = Schemas['ProjectStatus'];
export type ProjectListItem = Schemas['ProjectListItem'];
export type Task = Schemas['Task'];
export type TaskListItem = Schemas['TaskListItem'];
export type PlanInput = Schemas['Plan'];
export type PlanTaskInput = PlanInput['tasks'][number];
export type PlanVersion = ProjectStatus['plans'][number];
export type PortfolioReport = Schemas['PortfolioReport'];
/** The portfolio's CSV file's query: the project list's filters and `finished`. */
export type PortfolioCsvQuery = NonNullable<paths['/api/projects.csv']['get']['parameters']['query']>;
export type DocumentItem = Schemas['DocumentList']['items'][number];
export type Problem = Schemas['Problem'];
export type Department = Task['department'];
export type Stage = ProjectStatus['stage'];
export type TaskStatus = Task['status'];
export type Role = Person['role'];

export const DEPARTMENTS: readonly Department[] = ['design', 'copywriting', 'seo', 'ads', 'analytics'];
export const STAGES: readonly Stage[] = [
  'intake',
  'planning',
  'awaiting_approval',
  'in_production',
  'client_review',
  'invoicing',
  'closing',
  'completed',
  'cancelled',
];

/** A refusal of the API: its problem document (RFC 9457), with `errors` naming fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** How long the API asked to wait before asking again (its Retry-After, in seconds), when it said. */
    readonly retryAfterSeconds?: number,
    /** A read the page asks again by itself in this many seconds (`useResource`): the problem says so. */
    readonly readAgainInSeconds?: number,
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
  }

  /** The same refusal, of a read the page will ask again in `seconds`. */
  readAgainIn(seconds: number): ApiError {
    return new ApiError(this.status, this.problem, this.retryAfterSeconds, seconds);
  }

  /**
   * The messages for one field (`tasks[1].dueAt`), including its sub-fields (`tasks[1].dependsOn[0]`).
   * (A list typed as one field names its entries in its own words: the links, `linkRefusals` in format.ts.)
   */
  at(field: string): string | undefined {
    const own = (this.problem.errors ?? []).filter(
      (e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`),
    );
    return own.length > 0 ? own.map((e) => humanize(e.message)).join('; ') : undefined;
  }
}

/**
 * zod's words for an empty field ("Too small: expected string to have >=1 characters"), as a
 * person would say them ("required", as the API itself now says any missing value); every other
 * message as the API wrote it. Used at the field and in the list of a form's refusals alike, so
 * both say the same.
 */
export function humanize(message: string): string {
  if (/^Too small: expected string to have >=1 characters?$/.test(message) || /^required \(\w+\)$/.test(message)) return 'required';
  if (/^Invalid input: expected number, received (null|NaN)$/.test(message)) return 'required';
  return message;
}

let csrfToken: string | undefined;
/** Set at sign-in and from GET /api/me; cleared at sign-out. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const listeners = new Set<() => void>();
/** Called when the API says the session has ended (401): the app shows the sign-in page. */
export function onSignedOut(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (!['GET', 'HEAD'].includes(request.method) && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    const signingIn = request.method === 'POST' && new URL(request.url).pathname === '/api/session';
    if (response.status === 401 && !signingIn) listeners.forEach((l) => l());
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

/** The data of a response, or an ApiError carrying the problem. */
export async function ok<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch (err) {
    throw new ApiError(0, {
      type: 'about:blank',
      title: 'No connection',
      status: 0,
      detail: `The server could not be reached (${(err as Error).message}). Check the connection and try again.`,
    });
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const problem =
    error && typeof error === 'object' && 'title' in error
      ? (error as Problem)
      : { type: 'about:blank', title: response.statusText || 'Request failed', status: response.status };
  throw new ApiError(response.status, problem, retryAfterOf(response.headers.get('Retry-After')));
}

/**
 * A Retry-After header in seconds: a number of seconds, or an HTTP date ("Mon, 07 Dec 2026 20:00:12
 * GMT": how far ahead it is). Only a date in GMT counts as one: the browser's Date.parse would take
 * "-3" or "5.5" for years.
 */
export function retryAfterOf(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = /\bGMT$/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Every page of a list (visibility lists are paged); stops at `max` items. */
export async function allPages<T>(
  page: (pageToken: string | undefined) => Promise<{ items: T[]; nextPageToken?: string }>,
  max = 500,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const next = await page(token);
    items.push(...next.items);
    token = next.nextPageToken;
  } while (token && items.length < max);
  return items;
}

/** A fresh key per form submission, so a repeated click or a retried request acts once. */
export function idempotencyKey(): string {
  // getRandomValues works outside secure contexts too (randomUUID does not).
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
