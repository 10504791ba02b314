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
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PortalSessionRecords, ProviderSignIn } from '../activities/reporting/store';

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
  /** `signedInBy`: the provider's subject and session, when single sign-on started it (its back-channel logout ends it). */
  create(personId: string, ttlMs: number, now?: number, signedInBy?: ProviderSignIn): Promise<Session>;
  /**
   * The live session with this id; undefined when unknown, ended or expired. `forRead`: the
   * request changes nothing (GET, HEAD), so a lookup this process made a moment ago will do.
   */
  get(id: string, options?: { now?: number; forRead?: boolean }): Promise<Session | undefined>;
  delete(id: string): Promise<void>;
  /** Ends the sessions the provider started for this subject, or in its session `sid`; how many ended. */
  endSignedInBy(by: { subject?: string; sid?: string }): Promise<number>;
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

  async create(personId: string, ttlMs: number, now = Date.now(), signedInBy?: ProviderSignIn): Promise<Session> {
    const session: Session = { id: token(), personId, csrfToken: token(), createdAt: now, expiresAt: now + ttlMs };
    const { id, ...kept } = session;
    await this.records.add({ idDigest: digest(id), ...kept, ...(signedInBy && { signedInBy }) }, now);
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

  /**
   * The provider's back-channel logout: its sessions end in the database (every process refuses
   * them at their next change, and at their next read once its reuse is over) and in this
   * process's lookups at once.
   */
  async endSignedInBy(by: { subject?: string; sid?: string }): Promise<number> {
    this.signOuts += 1;
    const ended = await this.records.removeSignedInBy(by);
    for (const key of ended) this.recent.delete(key);
    return ended.length;
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

/**
 * What the provider needs to end its own session when a session it started ends: the sign-in's
 * ID token (`id_token_hint`, api/oidc.ts `logoutUrl`). It rides in a cookie of its own, sealed
 * (AES-256-GCM) with a key derived from the session's id — so it is worthless without the session
 * cookie, unreadable to the page's scripts (HttpOnly) and sent only to /api/session's paths. A
 * cookie rather than a column of `portal_sessions`: every API process and a restarted one can read
 * it without a migration, and what the store keeps stays what cannot be replayed. It ends with the
 * session (its Max-Age) and at sign-out.
 */
export const SIGN_OUT_HINT_COOKIE = 'agencyflow_signout';
const SIGN_OUT_HINT_PATH = '/api/session';
/** A cookie's name, value and attributes must stay under the 4,096 bytes browsers keep. */
const SIGN_OUT_HINT_MAX_LENGTH = 3_900;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const hintKey = (session: Pick<Session, 'id'>): Buffer =>
  Buffer.from(hkdfSync('sha256', session.id, 'agencyflow sign-out hint', '', 32));

/** The sign-out hint of a session the provider started; `idToken` too long for a cookie is left out (the provider is then named by `client_id` only). */
export interface SignOutHint {
  idToken?: string;
}

/** Set with the session it belongs to, for as long as that session lives. */
export function signOutHintCookie(session: Session, hint: SignOutHint, options: CookieOptions): string {
  const seal = (plain: string): string => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', hintKey(session), iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  };
  let value = seal(hint.idToken ?? '');
  if (value.length > SIGN_OUT_HINT_MAX_LENGTH) value = seal('');
  const maxAge = Math.max(0, Math.floor((session.expiresAt - session.createdAt) / 1000));
  return [`${SIGN_OUT_HINT_COOKIE}=${value}`, `Path=${SIGN_OUT_HINT_PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

export function clearedSignOutHintCookie(options: CookieOptions): string {
  return [`${SIGN_OUT_HINT_COOKIE}=`, `Path=${SIGN_OUT_HINT_PATH}`, 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(options.secure ? ['Secure'] : [])].join('; ');
}

/** The hint this browser carries for `session`; undefined for a token session, or a hint sealed for another session. */
export function readSignOutHint(cookieHeader: string | undefined, session: Session): SignOutHint | undefined {
  const value = readCookie(cookieHeader, SIGN_OUT_HINT_COOKIE, SIGN_OUT_HINT_MAX_LENGTH);
  if (!value) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', hintKey(session), bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const idToken = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    return idToken ? { idToken } : {};
  } catch {
    return undefined;
  }
}

/** Whether this browser carries a sign-out hint (of any session): a new sign-in clears it. */
export const hasSignOutHint = (cookieHeader: string | undefined): boolean => readCookie(cookieHeader, SIGN_OUT_HINT_COOKIE, SIGN_OUT_HINT_MAX_LENGTH) !== undefined;
