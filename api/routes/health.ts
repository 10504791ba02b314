/**
 * /healthz: the process lives (always 200 while it answers at all).
 * /readyz: Temporal answers within two seconds and, in `npm start`'s process, the worker polls;
 * otherwise 503 naming what is missing, so an orchestrator holds traffic back.
 */
import { Router } from 'express';
import type { AppDeps } from '../app';
import { ApiProblem, ProblemType } from '../errors';

export function createHealthRouter(deps: Pick<AppDeps, 'temporal' | 'workerPolling'>): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const temporalOk = await deps.temporal.answers(2_000);
    const checks: { temporal: string; worker?: string } = { temporal: temporalOk ? 'ok' : 'unreachable' };
    let workerOk = true;
    if (deps.workerPolling) {
      workerOk = deps.workerPolling();
      checks.worker = workerOk ? 'polling' : 'not polling';
    }
    if (temporalOk && workerOk) {
      res.json({ status: 'ready', checks });
      return;
    }
    const missing = [
      ...(temporalOk ? [] : ['Temporal does not answer']),
      ...(workerOk ? [] : ['the worker is not polling its task queue']),
    ];
    throw new ApiProblem({
      type: ProblemType.notReady,
      title: 'Not ready',
      status: 503,
      detail: `Not ready: ${missing.join(' and ')}.`,
      extensions: { checks },
      headers: { 'Retry-After': '5' },
    });
  });

  return router;
}
