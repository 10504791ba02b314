/**
 * Signing in to the portal and out again. A person signs in with their token from the people
 * directory and gets the session cookie (httpOnly, SameSite=Strict) plus a CSRF token for the
 * page; GET /api/me says who is signed in (and gives the CSRF token again after a reload); signing
 * out ends the session on the server, so the cookie is worthless even if it was copied.
 *
 * This is the seam for an organisation's single sign-on: an OpenID Connect callback would map the
 * ID token's verified email to a person of the directory and call the same `startSession` (see
 * the README, "Sign-in").
 */
import { Router, type Response } from 'express';
import type { Person } from '../../common/people';
import type { AppDeps } from '../app';
import { allow, caller } from '../auth';
import { ApiProblem, ProblemType } from '../errors';
import { clearedSessionCookie, sessionCookie, type CookieOptions, type Session, type SessionStore } from '../sessions';
import { signInRequestSchema } from '../schemas';
import { parseBody } from '../validation';

export interface SessionDeps extends Pick<AppDeps, 'people'> {
  sessions: SessionStore;
  sessionTtlMs: number;
  cookie: CookieOptions;
  now?: () => number;
}

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

/** Starts a session for a person whose identity is established (token today, OIDC tomorrow). */
export async function startSession(deps: SessionDeps, res: Response, person: Person): Promise<Session> {
  const now = (deps.now ?? Date.now)();
  const session = await deps.sessions.create(person.id, deps.sessionTtlMs, now);
  res.setHeader('Set-Cookie', sessionCookie(session, deps.cookie, now));
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
    // A new sign-in replaces the session this browser had.
    if (req.session) await deps.sessions.delete(req.session.id);
    const session = await startSession(deps, res, person);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(me(person, session));
  });

  router.delete('/api/session', allow('staff', 'manager', 'leadership'), async (req, res) => {
    if (req.session) await deps.sessions.delete(req.session.id);
    res.setHeader('Set-Cookie', clearedSessionCookie(deps.cookie));
    res.status(204).end();
  });

  router.get('/api/me', allow('staff', 'manager', 'leadership'), (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(me(caller(req), req.session));
  });

  // The portal's first question on every page load: answered 200 either way, so a visitor who is
  // not signed in sees the sign-in page without a failed request in the browser's console.
  router.get('/api/session', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(req.person ? { signedIn: true, ...me(req.person, req.session) } : { signedIn: false });
  });

  router.get('/api/session/demo', (_req, res) => {
    res.json({ items: deps.people.demoSignIns().map(({ person, token }) => ({ ...publicPerson(person), token })) });
  });

  return router;
}
