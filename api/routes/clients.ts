/**
 * The agency's client directory, from the reporting store: who the agency has worked for, under
 * which id. The new-project form offers these as the manager types a client's name, so a returning
 * client's project carries the id its earlier projects had (regular clients and client spend are
 * counted by id). Every manager sees every client's name, segment and email, as an agency's client
 * list is shared; which projects a client has stays with each project's manager and leadership.
 */
import { Router } from 'express';
import type { AppDeps } from '../app';
import { allow } from '../auth';
import { clientListQuerySchema } from '../schemas';
import { parseQuery } from '../validation';

export function createClientsRouter(deps: Pick<AppDeps, 'reporting'>): Router {
  const router = Router();

  router.get('/api/clients', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(clientListQuerySchema, req);
    res.json({ items: await deps.reporting.clients({ search: q.q, limit: q.limit }) });
  });

  return router;
}
