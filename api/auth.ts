/**
 * Identity and roles. `Authorization: Bearer <token>` names a person in the people directory;
 * each route declares the roles that may call it (`allow(...)`), and handlers check ownership
 * (the project's manager, the task's department) once they know the object.
 */
import type { RequestHandler } from 'express';
import type { Person, PeopleDirectory } from '../common/people';
import type { Actor, Role } from '../workflows/shared-schemas';
import { forbidden, unauthenticated } from './errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the request-id middleware for every request. */
    requestId: string;
    /** The caller, when the bearer token names a person. */
    person?: Person;
    /** Why there is no person: no header, or a token nobody holds. */
    authProblem?: 'missing' | 'invalid';
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Resolves the bearer token to a person; never refuses by itself (the route's `allow` does). */
export function authenticate(people: PeopleDirectory): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) {
      req.authProblem = 'missing';
      return next();
    }
    const match = BEARER.exec(header);
    const person = match ? people.authenticate(match[1]) : undefined;
    if (person) req.person = person;
    else req.authProblem = 'invalid';
    next();
  };
}

/** 401 without a known person, 403 for a role the route does not serve. */
export function allow(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const person = req.person;
    if (!person) {
      return next(
        unauthenticated(
          req.authProblem === 'invalid'
            ? 'The bearer token is not valid. Send `Authorization: Bearer <token>` with a token from the people directory.'
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
