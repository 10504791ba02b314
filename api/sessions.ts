/**
 * Browser sessions for the portal. Signing in (POST /api/session) turns a token from the people
 * directory into a session: an httpOnly, SameSite=Strict cookie carrying a random id, and a CSRF
 * token the page sends back in `X-CSRF-Token` on every request that changes something.
 *
 * Sessions live behind `SessionStore`. The API keeps them in its database
 * (`StoredSessionStore`): every API process sees the same sessions and a restart signs nobody
 * out. A store keeps only a digest of each session id, so a leaked store cannot be replayed as
 * cookies.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PortalSessionRecords } from '../activities/reporting/store';

export interface Session {
  /** The cookie value (never stored: the store keys sessions by its digest). */
  id: string;
  personId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

/** Where sessions are kept. */
export interface SessionStore {
  create(personId: string, ttlMs: number, now?: number): Promise<Session>;
  /**
   * The live session with this id; undefined when unknown, ended or expired. `forRead`: the
   * request changes nothing (GET, HEAD), so a lookup this process made a moment ago will do.
   */
  get(id: string, options?: { now?: number; forRead?: boolean }): Promise<Session | undefined>;
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

/** How long a process answers reads with a session it looked up in the database before asking again. */
export const SESSION_READ_REUSE_MS = 5_000;
/** At most this many lookups are kept for reuse (the oldest go first). */
const SESSIONS_REMEMBERED = 10_000;

/**
 * Sessions in the API's database (the reporting store's `portal_sessions`): shared by every API
 * process, kept across restarts. A request that changes something always asks the database, so a
 * session ended through any process is refused there at once; a read may be answered with a
 * lookup this process made within `readReuseMs`, because a portal page polls and every poll would
 * otherwise wait for a statement — under load the store's tail (see README, *Reads from memory*).
 * So a session signed out through another API process can still read for up to 5 seconds there;
 * through this process, not at all.
 */
export class StoredSessionStore implements SessionStore {
  /** Lookups for reuse, oldest first; at most SESSIONS_REMEMBERED. */
  private readonly recent = new Map<string, { session: Omit<Session, 'id'>; lookedUpAt: number }>();
  /** Counts this process's sign-outs: a lookup that overlapped one is not kept for reuse. */
  private signOuts = 0;

  constructor(
    private readonly records: PortalSessionRecords,
    private readonly options: { readReuseMs?: number } = {},
  ) {}

  async create(personId: string, ttlMs: number, now = Date.now()): Promise<Session> {
    const session: Session = { id: token(), personId, csrfToken: token(), createdAt: now, expiresAt: now + ttlMs };
    const { id, ...kept } = session;
    await this.records.add({ idDigest: digest(id), ...kept }, now);
    return session;
  }

  async get(id: string, { now = Date.now(), forRead = false }: { now?: number; forRead?: boolean } = {}): Promise<Session | undefined> {
    const key = digest(id);
    const recent = this.recent.get(key);
    if (forRead && recent && now - recent.lookedUpAt < (this.options.readReuseMs ?? SESSION_READ_REUSE_MS) && recent.session.expiresAt > now) {
      return { id, ...recent.session };
    }
    const signOutsBefore = this.signOuts;
    const found = await this.records.find(key, now);
    if (!found) {
      this.recent.delete(key);
      return undefined;
    }
    const { idDigest: _digest, ...kept } = found;
    // Read before a sign-out through this process that ended meanwhile: good for this request, not for reuse.
    if (this.signOuts === signOutsBefore) this.remember(key, kept, now);
    return { id, ...kept };
  }

  async delete(id: string): Promise<void> {
    const key = digest(id);
    this.signOuts += 1;
    this.recent.delete(key);
    await this.records.remove(key);
  }

  private remember(key: string, session: Omit<Session, 'id'>, now: number): void {
    this.recent.delete(key); // re-inserted last: the map's order is the order of lookups
    this.recent.set(key, { session, lookedUpAt: now });
    for (const oldest of this.recent.keys()) {
      if (this.recent.size <= SESSIONS_REMEMBERED) break;
      this.recent.delete(oldest);
    }
  }
}

/** `name=value` pairs of a Cookie header (no dependency for one cookie). */
export function readCookie(header: string | undefined, name: string, maxLength = 200): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value.length <= maxLength && /^[A-Za-z0-9_-]+$/.test(value) ? value : undefined;
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
