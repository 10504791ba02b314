/**
 * The people directory as the portal needs it: names for ids, and the staff of a department for
 * the manager's reassign picker. Names, roles and departments only; emails and tokens stay here.
 * The people who left, by name only: the ids their work and histories hold still read as names.
 */
import { Router } from 'express';
import type { AppDeps } from '../app';
import { allow } from '../auth';
import { peopleQuerySchema, type FormerPeopleList } from '../schemas';
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

  router.get('/api/people/former', allow('staff', 'manager', 'leadership'), (_req, res) => {
    const items: FormerPeopleList['items'] = deps.people.formerPeople();
    res.json({ items });
  });

  return router;
}
