/**
 * Browser sessions for the portal. Signing in (POST /api/session) turns a token from the people
 * directory into a session: an httpOnly, SameSite=Strict cookie carrying a random id, and a CSRF
 * token the page sends back in `X-CSRF-Token` on every request that changes something.
 *
 * Sessions live behind `SessionStore` so they can move into a shared database (several API
 * processes, sessions surviving a restart) without touching the routes; the store keeps only a
 * digest of each session id, so a leaked store cannot be replayed as cookies.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  /** The cookie value (never stored: the store keys sessions by its digest). */
  id: string;
  personId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

/** Where sessions are kept. Asynchronous, so a database-backed store fits the same seam. */
export interface SessionStore {
  create(personId: string, ttlMs: number, now?: number): Promise<Session>;
  /** The live session with this id; undefined when unknown, ended or expired. */
  get(id: string, now?: number): Promise<Session | undefined>;
  delete(id: string): Promise<void>;
}

export const SESSION_COOKIE = 'agencyflow_session';
export const CSRF_HEADER = 'X-CSRF-Token';

const digest = (id: string): string => createHash('sha256').update(id).digest('hex');
const token = (): string => randomBytes(32).toString('base64url');

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(session: Session, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * One process's sessions in memory: lost on restart (people sign in again) and not shared
 * between API processes. Enough for `npm start` and a single API container.
 */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Omit<Session, 'id'>>();

  async create(personId: string, ttlMs: number, now = Date.now()): Promise<Session> {
    this.sweep(now);
    const session: Session = { id: token(), personId, csrfToken: token(), createdAt: now, expiresAt: now + ttlMs };
    const { id, ...kept } = session;
    this.sessions.set(digest(id), kept);
    return session;
  }

  async get(id: string, now = Date.now()): Promise<Session | undefined> {
    const key = digest(id);
    const kept = this.sessions.get(key);
    if (!kept) return undefined;
    if (kept.expiresAt <= now) {
      this.sessions.delete(key);
      return undefined;
    }
    return { id, ...kept };
  }

  async delete(id: string): Promise<void> {
    this.sessions.delete(digest(id));
  }

  /** Drops expired sessions (on each sign-in, so the map never grows without bound). */
  private sweep(now: number): void {
    for (const [key, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(key);
  }
}

/** `name=value` pairs of a Cookie header (no dependency for one cookie). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export interface CookieOptions {
  /** Only over HTTPS (set when PUBLIC_BASE_URL is https). */
  secure: boolean;
}

export function sessionCookie(session: Session, options: CookieOptions, now = Date.now()): string {
  const maxAge = Math.max(0, Math.floor((session.expiresAt - now) / 1000));
  return [
    `${SESSION_COOKIE}=${session.id}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAge}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(options: CookieOptions): string {
  return [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(options.secure ? ['Secure'] : [])].join(
    '; ',
  );
}
