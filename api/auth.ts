/**
 * Identity and roles. `Authorization: Bearer <token>` names a person in the people directory, and
 * so does the portal's session cookie (see sessions.ts); each route declares the roles that may
 * call it (`allow(...)`), and handlers check ownership (the project's manager, the task's
 * department) once they know the object. Cookie-authenticated requests that change something must
 * also carry the session's CSRF token (`csrfGuard`); bearer requests need none, since no browser
 * attaches a bearer token on its own.
 */
import type { RequestHandler } from 'express';
import type { Person, PeopleDirectory } from '../common/people';
import type { Actor, Role } from '../workflows/shared-schemas';
import { ApiProblem, forbidden, ProblemType, unauthenticated } from './errors';
import { CSRF_HEADER, csrfMatches, readCookie, SESSION_COOKIE, type Session, type SessionStore } from './sessions';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the request-id middleware for every request. */
    requestId: string;
    /** `performance.now()` when the request arrived (the same middleware): reads count their budget from it. */
    receivedAt: number;
    /** The caller, when the bearer token or the session cookie names a person. */
    person?: Person;
    /** The portal session, when the caller came with the session cookie (not a bearer token). */
    session?: Session;
    /** Why there is no person: nothing sent, a token nobody holds, or a session that ended. */
    authProblem?: 'missing' | 'invalid' | 'session-ended';
  }
}

/** Requests that change nothing: no CSRF token needed, and a session looked up a moment ago will do. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Resolves the bearer token (first) or the session cookie to a person; never refuses by itself
 * (the route's `allow` does).
 */
export function authenticate(people: PeopleDirectory, sessions?: SessionStore): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (header) {
      const match = BEARER.exec(header);
      const person = match ? people.authenticate(match[1]) : undefined;
      if (person) req.person = person;
      else req.authProblem = 'invalid';
      return next();
    }
    const sessionId = sessions ? readCookie(req.headers.cookie, SESSION_COOKIE) : undefined;
    if (!sessions || !sessionId) {
      req.authProblem = 'missing';
      return next();
    }
    const session = await sessions.get(sessionId, { forRead: SAFE_METHODS.has(req.method) });
    // Someone removed from the directory loses their open sessions too.
    const person = session ? people.get(session.personId) : undefined;
    if (session && person) {
      req.person = person;
      req.session = session;
    } else {
      req.authProblem = 'session-ended';
    }
    next();
  };
}

/**
 * Cookie-authenticated requests that change something carry the session's CSRF token in
 * `X-CSRF-Token` (the page got it from sign-in or GET /api/me). SameSite=Strict already keeps the
 * cookie off cross-site requests; this is the second lock. Signing in is exempt: it proves itself
 * with the token in its body.
 */
export const csrfGuard: RequestHandler = (req, _res, next) => {
  if (!req.session || SAFE_METHODS.has(req.method)) return next();
  if (req.method === 'POST' && req.originalUrl.split('?')[0] === '/api/session') return next();
  if (csrfMatches(req.session, req.get(CSRF_HEADER))) return next();
  next(
    new ApiProblem({
      type: ProblemType.csrf,
      title: 'Missing or wrong CSRF token',
      status: 403,
      detail: `Requests signed in with the session cookie that change something must send the ${CSRF_HEADER} header given at sign-in (also in GET /api/me).`,
    }),
  );
};

/** 401 without a known person, 403 for a role the route does not serve. */
export function allow(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const person = req.person;
    if (!person) {
      return next(
        unauthenticated(
          req.authProblem === 'invalid'
            ? 'The bearer token is not valid. Send `Authorization: Bearer <token>` with a token from the people directory.'
            : req.authProblem === 'session-ended'
              ? 'Your session has ended. Sign in again (POST /api/session), or send `Authorization: Bearer <token>`.'
              : 'Send `Authorization: Bearer <token>` with a token from the people directory.',
        ),
      );
    }
    if (!roles.includes(person.role)) {
      return next(forbidden(`This action is for ${roles.join(' or ')}; you are ${person.role}.`));
    }
    next();
  };
}

/** The person behind an authenticated request (routes run behind `allow`). */
export function caller(req: { person?: Person }): Person {
  if (!req.person) throw unauthenticated('Send `Authorization: Bearer <token>`.');
  return req.person;
}

/** Who acts, as every workflow update expects it. */
/** The acting person, with the request id so the workflow and activity logs can name the request. */
export function actorOf(person: Person, requestId?: string): Actor {
  return {
    id: person.id,
    role: person.role,
    ...(person.department && { department: person.department }),
    ...(requestId && { requestId }),
  };
}
