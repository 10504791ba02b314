/**
 * Signing in to the portal and out again. A person signs in with their token from the people
 * directory and gets the session cookie (httpOnly, SameSite=Strict) plus a CSRF token for the
 * page; GET /api/me says who is signed in (and gives the CSRF token again after a reload); signing
 * out ends the session on the server, so the cookie is worthless even if it was copied.
 *
 * An organisation's single sign-on ends in the same `startSession`: with OIDC_* set, the sign-in
 * page offers "Sign in with …", `GET /api/session/oidc` sends the browser to the provider, and its
 * callback maps the verified email to a person of the directory (api/oidc.ts does the protocol).
 * Signing out of a session the provider started ends the provider's session too when it offers
 * that: the answer names where the browser goes next (`logoutUrl`), and the provider sends it back
 * to the sign-in page (`/login?signedOut=1`). And a session the provider ends ends the portal's
 * sessions it started: the provider POSTs a logout token to `/api/session/oidc/backchannel-logout`.
 */
import express, { Router, type Request, type Response } from 'express';
import type { ProviderSignIn } from '../../activities/reporting/store';
import type { Person } from '../../common/people';
import type { AppDeps } from '../app';
import { allow, caller } from '../auth';
import { ApiProblem, badRequest, ProblemType } from '../errors';
import { OidcError, OidcProviderUnreachable, type OidcClient, type PendingSignIn, type SignedOut } from '../oidc';
import {
  clearedSessionCookie,
  clearedSignOutHintCookie,
  hasSignOutHint,
  readCookie,
  readSignOutHint,
  sessionCookie,
  signOutHintCookie,
  type CookieOptions,
  type Session,
  type SessionStore,
} from '../sessions';
import { signInRequestSchema } from '../schemas';
import { parseBody } from '../validation';

export interface SessionDeps extends Pick<AppDeps, 'people' | 'logger'> {
  sessions: SessionStore;
  sessionTtlMs: number;
  cookie: CookieOptions;
  now?: () => number;
  /** Single sign-on, when OIDC_* are set: the provider's client and the button's name for it. */
  singleSignOn?: { client: OidcClient; providerName: string };
}

/** The sign-in waiting for the provider's answer: this browser's own, for ten minutes, sent to the callback only. */
const PENDING_COOKIE = 'agencyflow_oidc';
const PENDING_PATH = '/api/session/oidc/callback';
const PENDING_MAX_AGE_S = 600;
/** Registered with the provider as the client's backchannel_logout_uri (`<PUBLIC_BASE_URL>` before it). */
export const BACK_CHANNEL_LOGOUT_PATH = '/api/session/oidc/backchannel-logout';
/** Each of state, nonce and verifier: 32 random bytes in base64url. */
const RANDOM_LENGTH = 43;

/**
 * Lax, not Strict: the provider sends the browser back by a top-level navigation from its own
 * site, which carries Lax cookies and never Strict ones. The values are random and compared, and
 * are worthless after one use.
 */
function pendingCookie(pending: PendingSignIn | undefined, options: CookieOptions): string {
  const value = pending ? `${pending.state}${pending.nonce}${pending.codeVerifier}${Buffer.from(pending.returnTo).toString('base64url')}` : '';
  return [`${PENDING_COOKIE}=${value}`, `Path=${PENDING_PATH}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${pending ? PENDING_MAX_AGE_S : 0}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

function readPending(req: Request): PendingSignIn | undefined {
  const value = readCookie(req.headers.cookie, PENDING_COOKIE, 1_000);
  if (!value || value.length < RANDOM_LENGTH * 3) return undefined;
  const part = (i: number): string => value.slice(i * RANDOM_LENGTH, (i + 1) * RANDOM_LENGTH);
  return { state: part(0), nonce: part(1), codeVerifier: part(2), returnTo: Buffer.from(value.slice(RANDOM_LENGTH * 3), 'base64url').toString('utf8') };
}

/** A portal path to come back to (`/projects/x?tab=y`), never another site (`//host`, `/\\host`) nor the API. */
function portalPath(next: unknown): string {
  if (typeof next !== 'string' || next.length > 500 || !/^\/(?![/\\])/.test(next) || next.startsWith('/api/')) return '';
  return next;
}

/** Where the browser lands after the provider: the sign-in page, which leads on to `next` once signed in, or says why not. */
function signInPage(next: string, failure?: { reason: string; email?: string }): string {
  const query = new URLSearchParams();
  if (failure) query.set('signInError', failure.reason);
  if (failure?.email) query.set('email', failure.email);
  if (next) query.set('next', next);
  const search = query.toString();
  return `/login${search ? `?${search}` : ''}`;
}

const singleSignOnNotSetUp = (): never => {
  throw new ApiProblem({ type: ProblemType.notFound, title: 'Single sign-on is not set up', status: 404, detail: 'OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are not set.' });
};

/** What the portal shows of a person: never their email or token. */
export const publicPerson = (p: Person) => ({
  id: p.id,
  name: p.name,
  role: p.role,
  ...(p.department && { department: p.department }),
});

const me = (person: Person, session?: Session) => ({
  person: publicPerson(person),
  ...(session && { session: { csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() } }),
});

/** Starts a session for a person whose identity is established (their token, or their organisation's sign-in). */
export async function startSession(deps: SessionDeps, res: Response, person: Person, signedInBy?: ProviderSignIn): Promise<Session> {
  const now = (deps.now ?? Date.now)();
  const session = await deps.sessions.create(person.id, deps.sessionTtlMs, now, signedInBy);
  res.append('Set-Cookie', sessionCookie(session, deps.cookie, now));
  return session;
}

export function createSessionRouter(deps: SessionDeps): Router {
  const router = Router();

  router.post('/api/session', async (req, res) => {
    const { token } = parseBody(signInRequestSchema, req);
    const person = deps.people.authenticate(token);
    if (!person) {
      throw new ApiProblem({
        type: ProblemType.unauthenticated,
        title: 'Sign-in refused',
        status: 401,
        detail: 'Nobody in the people directory holds this token.',
        errors: [{ field: 'token', message: 'nobody in the people directory holds this token' }],
      });
    }
    // A new sign-in replaces the session this browser had, and the provider's sign-out hint with it.
    if (req.session) await deps.sessions.delete(req.session.id);
    if (hasSignOutHint(req.headers.cookie)) res.append('Set-Cookie', clearedSignOutHintCookie(deps.cookie));
    const session = await startSession(deps, res, person);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(me(person, session));
  });

  router.delete('/api/session', allow('staff', 'manager', 'leadership'), async (req, res) => {
    const hint = req.session && readSignOutHint(req.headers.cookie, req.session);
    if (req.session) await deps.sessions.delete(req.session.id);
    res.setHeader('Set-Cookie', [clearedSessionCookie(deps.cookie), ...(hasSignOutHint(req.headers.cookie) ? [clearedSignOutHintCookie(deps.cookie)] : [])]);
    // A token session (or a bearer caller): nothing more to end, as before.
    if (!hint || !deps.singleSignOn) return res.status(204).end();

    // The provider started this session: its own session ends too, if it says where (the portal's
    // has ended either way, so a provider that cannot be asked only costs the person a warning).
    const { client, providerName } = deps.singleSignOn;
    const answer: SignedOut = { providerName };
    try {
      const logoutUrl = await client.logoutUrl(hint.idToken);
      if (logoutUrl) answer.logoutUrl = logoutUrl;
    } catch (err) {
      if (!(err instanceof OidcError)) throw err;
      deps.logger.warn({ failure: err.failure, reason: err.message }, 'single sign-on: the provider could not be asked to sign out');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json(answer);
  });

  router.get('/api/me', allow('staff', 'manager', 'leadership'), (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(me(caller(req), req.session));
  });

  // The portal's first question on every page load: answered 200 either way, so a visitor who is
  // not signed in sees the sign-in page without a failed request in the browser's console.
  router.get('/api/session', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const singleSignOn = deps.singleSignOn && { singleSignOn: { providerName: deps.singleSignOn.providerName, url: '/api/session/oidc' } };
    res.json(req.person ? { signedIn: true, ...me(req.person, req.session) } : { signedIn: false, ...singleSignOn });
  });

  // Single sign-on (api/oidc.ts). The browser comes and goes by navigation, so answers are
  // redirects to the sign-in page, which says in words what went wrong: never a JSON error page.
  router.get('/api/session/oidc', async (req, res) => {
    const sso = deps.singleSignOn ?? singleSignOnNotSetUp();
    const next = portalPath(req.query.next);
    res.setHeader('Cache-Control', 'no-store');
    try {
      const { url, pending } = await sso.client.begin(next);
      res.setHeader('Set-Cookie', pendingCookie(pending, deps.cookie));
      res.redirect(303, url);
    } catch (err) {
      if (!(err instanceof OidcError)) throw err;
      deps.logger.warn({ failure: err.failure, reason: err.message }, 'single sign-on could not start');
      res.redirect(303, signInPage(next, { reason: err.failure }));
    }
  });

  router.get(PENDING_PATH, async (req, res) => {
    const sso = deps.singleSignOn ?? singleSignOnNotSetUp();
    const pending = readPending(req);
    const next = portalPath(pending?.returnTo);
    // Used or not, the waiting sign-in is over: an answer replayed later finds nothing.
    res.append('Set-Cookie', pendingCookie(undefined, deps.cookie));
    res.setHeader('Cache-Control', 'no-store');
    try {
      const identity = await sso.client.finish(req.query, pending);
      const person = deps.people.withEmail(identity.email);
      if (!person) throw new OidcError('unknown_person', 'nobody in the people directory has this email', identity.email);
      // As a token sign-in: a new sign-in replaces the session this browser had.
      if (req.session) await deps.sessions.delete(req.session.id);
      const session = await startSession(deps, res, person, { subject: identity.subject, ...(identity.sid && { sid: identity.sid }) });
      // Kept for signing out, when the provider's session ends with the portal's (never logged).
      res.append('Set-Cookie', signOutHintCookie(session, { idToken: identity.idToken }, deps.cookie));
      deps.logger.info({ personId: person.id, subject: identity.subject }, 'signed in through single sign-on');
      res.redirect(303, signInPage(next));
    } catch (err) {
      if (!(err instanceof OidcError)) throw err;
      deps.logger.warn({ failure: err.failure, reason: err.message }, 'single sign-on refused');
      res.redirect(303, signInPage(next, { reason: err.failure, ...(err.email && { email: err.email }) }));
    }
  });

  router.get('/api/session/demo', (_req, res) => {
    res.json({ items: deps.people.demoSignIns().map(({ person, token }) => ({ ...publicPerson(person), token })) });
  });

  return router;
}

/**
 * Mounted before the API's CSRF check and JSON-only bodies (api/app.ts), like a digest's one-click stop:
 * the provider calls it server to server, with a form body.
 */
export function createBackChannelLogoutRouter(deps: SessionDeps): Router {
  const router = Router();

  // OpenID Connect Back-Channel Logout 1.0: the provider, its session ended (the person signed out
  // there, or an administrator ended it), POSTs a logout token here — registered with it as the
  // client's backchannel_logout_uri. No browser, cookie or CSRF token: the token's signature is
  // the proof. The portal's sessions it started for that subject (or in that session) end; 200
  // also when none was open (the provider may tell every client). A token that fails its checks
  // ends nothing: 400, as the spec asks, naming `logout_token`.
  router.post(BACK_CHANNEL_LOGOUT_PATH, express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const sso = deps.singleSignOn ?? singleSignOnNotSetUp();
    res.setHeader('Cache-Control', 'no-store');
    const token = (req.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string' || token === '') throw badRequest([{ field: 'logout_token', message: 'required: the logout token, as an application/x-www-form-urlencoded field' }]);
    let ending;
    try {
      ending = await sso.client.logoutRequest(token);
    } catch (err) {
      if (!(err instanceof OidcError)) throw err;
      deps.logger.warn({ reason: err.message }, 'single sign-on: a back-channel logout refused');
      // The provider's keys could not be read: not the token's fault, so not a 400 (the provider may send it again).
      if (err instanceof OidcProviderUnreachable) {
        throw new ApiProblem({
          type: ProblemType.identityProviderUnavailable,
          title: 'The provider did not answer',
          status: 503,
          detail: `The provider's keys could not be read to check the logout token: ${err.message}.`,
          headers: { 'Retry-After': '5' },
        });
      }
      throw badRequest([{ field: 'logout_token', message: err.message }]);
    }
    const ended = await deps.sessions.endSignedInBy(ending);
    deps.logger.info({ subject: ending.subject, providerSession: ending.sid !== undefined, sessionsEnded: ended }, 'single sign-on: the provider ended its session (back-channel logout)');
    res.status(200).end();
  });

  return router;
}
