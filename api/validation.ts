/**
 * Parsing at the edge: each handler parses its body, query and path parameters once with zod and
 * passes the typed value on. A failure is a 400 naming every bad field the way the client wrote
 * it (`tasks[2].dueAt`, `pageSize`).
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { KeyUse } from '../activities/reporting/store';
import type { Person } from '../common/people';
import type { z } from 'zod';
import { PROJECT_ID_PATTERN } from '../workflows/project/contract';
import { parseTaskId, TASK_ID_KEY_PATTERN } from '../workflows/task/contract';
import { ApiProblem, badRequest, notFound, ProblemType, zodFieldProblems } from './errors';

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  refuseControlCharacters(req.body);
  const result = schema.safeParse(req.body === undefined ? undefined : req.body);
  if (!result.success) throw badRequest(zodFieldProblems(result.error, { root: 'body' }));
  return result.data;
}

/** For actions whose body is optional (claim, release): no body reads as `{}`. */
export function parseOptionalBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  refuseControlCharacters(req.body);
  const result = schema.safeParse(req.body === undefined ? {} : req.body);
  if (!result.success) throw badRequest(zodFieldProblems(result.error, { root: 'body' }));
  return result.data;
}

/** A C0 control character or DEL, but for tab and line breaks (multi-line text keeps them). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

/** Far deeper than any body of this API (its deepest, a plan's task's dependency, is three levels down). */
export const MAX_BODY_DEPTH = 16;

/**
 * No text in a body may carry a control character: none is ever meant (a NUL in a title is a
 * client's bug or a probe), mail and PDFs would carry it on, and the reporting database cannot
 * keep a NUL. Every such field is named, the way the client wrote it (`tasks[1].title`).
 */
function refuseControlCharacters(body: unknown): void {
  const problems: { field: string; message: string }[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > MAX_BODY_DEPTH) {
      // No request of ours nests this deep; walking on would exhaust the stack (a 500) on a few KB.
      throw badRequest([{ field: path || 'body', message: `nests deeper than ${MAX_BODY_DEPTH} levels; no request of this API does` }]);
    }
    if (typeof value === 'string') {
      if (hasControlCharacter(value)) problems.push({ field: path || 'body', message: 'must not contain control characters (such as NUL); tabs and line breaks are fine' });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`, depth + 1));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, path ? `${path}.${key}` : key, depth + 1);
    }
  };
  visit(body, '', 0);
  if (problems.length > 0) throw badRequest(problems);
}

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const result = schema.safeParse({ ...(req.query as Record<string, unknown>) });
  if (!result.success) throw badRequest(zodFieldProblems(result.error, { root: 'query' }));
  return result.data;
}

/** Ids that cannot exist are simply not found: no Temporal call for them. */
export function projectIdParam(req: Request, name = 'id'): string {
  const id = String(req.params[name] ?? '');
  if (!PROJECT_ID_PATTERN.test(id)) throw notFound(`There is no project ${JSON.stringify(id)}.`);
  return id;
}

export function taskIdParam(req: Request): string {
  const id = String(req.params.taskId ?? '');
  const parsed = parseTaskId(id);
  if (!parsed || !PROJECT_ID_PATTERN.test(parsed.projectId) || !TASK_ID_KEY_PATTERN.test(parsed.taskKey)) {
    throw notFound(`There is no task ${JSON.stringify(id)}.`);
  }
  return id;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The optional `Idempotency-Key` header (printable ASCII, up to 200 characters). */
export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('Idempotency-Key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badRequest([{ field: 'Idempotency-Key', message: 'expected 1-200 printable ASCII characters without spaces' }]);
  }
  return key;
}

/** Bodies must be JSON: a body of another type is refused with 415 before anything runs. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return next();
  const length = Number(req.headers['content-length'] ?? 0);
  const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return next();
  if (req.is(['application/json', 'application/*+json'])) return next();
  next(
    new ApiProblem({
      type: ProblemType.unsupportedMediaType,
      title: 'Unsupported media type',
      status: 415,
      detail: `Send the body as application/json (got ${req.headers['content-type'] ?? 'no Content-Type'}).`,
      headers: { 'Accept-Post': 'application/json' },
    }),
  );
};

/** JSON with sorted keys, so the same request always has the same fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * An action's Idempotency-Key may be retried with the same request only. Temporal answers a
 * repeated update id with the first outcome, whatever the new arguments: without this check a
 * key reused for another request (a reject after an approve) would come back 200 with the first
 * answer, and the client would believe its new request was done. Checked before the update runs,
 * so the refused request changes nothing. Should the store not answer, the action goes on as
 * before this check existed (a retry still gets its first answer from Temporal).
 */
export async function refuseReusedKey(
  keys: { useActionKey(updateId: string, fingerprint: string): Promise<KeyUse> },
  updateId: string | undefined,
  request: unknown,
  logger: Logger,
): Promise<void> {
  if (updateId === undefined) return;
  const fingerprint = requestFingerprintOf(request);
  let use: KeyUse;
  try {
    use = await keys.useActionKey(updateId, fingerprint);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'could not check an Idempotency-Key against its first request; going on');
    return;
  }
  if (use === 'conflict') {
    throw new ApiProblem({
      type: ProblemType.idempotencyKeyConflict,
      title: 'Idempotency-Key reused with another request',
      status: 422,
      detail: 'This Idempotency-Key was first sent with a different request body for this action. Nothing was changed; use a new key for a new request.',
    });
  }
}

const requestFingerprintOf = (request: unknown): string => createHash('sha256').update(canonicalJson(request ?? null)).digest('hex');

/** Whether this update id was first used with this very request: a retry of an action already let through. */
export async function repeatsFirstRequest(
  keys: { actionKeyFingerprint(updateId: string): Promise<string | undefined> },
  updateId: string,
  request: unknown,
): Promise<boolean> {
  return (await keys.actionKeyFingerprint(updateId).catch(() => undefined)) === requestFingerprintOf(request);
}

/** Update ids from the caller's Idempotency-Key: a retried action is applied once. */
export function updateIdFor(req: Request, person: Pick<Person, 'id'>, action: string, objectId: string): string | undefined {
  const key = idempotencyKey(req);
  if (key === undefined) return undefined;
  return createHash('sha256').update(`${person.id}\u0000${action}\u0000${objectId}\u0000${key}`).digest('hex').slice(0, 32);
}
