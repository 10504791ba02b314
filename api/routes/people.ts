/**
 * The people directory as the portal needs it: names for ids, and the staff of a department for
 * the manager's reassign picker. Names, roles and departments only; emails and tokens stay here.
 */
import { Router } from 'express';
import type { AppDeps } from '../app';
import { allow } from '../auth';
import { peopleQuerySchema } from '../schemas';
import { parseQuery } from '../validation';
import { publicPerson } from './session';

export function createPeopleRouter(deps: Pick<AppDeps, 'people'>): Router {
  const router = Router();

  router.get('/api/people', allow('staff', 'manager', 'leadership'), (req, res) => {
    const q = parseQuery(peopleQuerySchema, req);
    const items = deps.people
      .all()
      .filter((p) => (q.role === undefined || p.role === q.role) && (q.department === undefined || p.department === q.department))
      .map(publicPerson);
    res.json({ items });
  });

  return router;
}
