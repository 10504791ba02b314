/**
 * The agency's client directory, from the reporting store: who the agency has worked for, under
 * which id. The new-project form offers these as the manager types a client's name, so a returning
 * client's project carries the id its earlier projects had (regular clients and client spend are
 * counted by id). Every manager sees every client's name and segment, as an agency's client list is
 * shared; a client's email only leadership and the managers who have a project with that client.
 */
import { Router } from 'express';
import type { AppDeps } from '../app';
import { allow, caller } from '../auth';
import { clientListQuerySchema } from '../schemas';
import { parseQuery } from '../validation';

export function createClientsRouter(deps: Pick<AppDeps, 'reporting'>): Router {
  const router = Router();

  router.get('/api/clients', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(clientListQuerySchema, req);
    const person = caller(req);
    const emailsFor = person.role === 'leadership' ? 'everyone' : { managerId: person.id };
    res.json({ items: await deps.reporting.clients({ search: q.q, clientId: q.id, limit: q.limit, emailsFor }) });
  });

  return router;
}
