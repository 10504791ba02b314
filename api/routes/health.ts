/**
 * /healthz: the process lives (always 200 while it answers at all).
 * /readyz: Temporal and the reporting store (lists, reports, access checks) answer within two
 * seconds and, in `npm start`'s process, the worker polls; otherwise 503 naming what is missing,
 * so an orchestrator holds traffic back.
 */
import { Router } from 'express';
import type { AppDeps } from '../app';
import { ApiProblem, ProblemType } from '../errors';

/** True when the store answers (and its schema is current) within `ms`. */
async function storeAnswers(reporting: Pick<AppDeps['reporting'], 'upToDate'>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([reporting.upToDate().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createHealthRouter(deps: Pick<AppDeps, 'temporal' | 'workerPolling' | 'reporting'>): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const [temporalOk, reportingOk] = await Promise.all([deps.temporal.answers(2_000), storeAnswers(deps.reporting, 2_000)]);
    const checks: { temporal: string; reporting: string; worker?: string } = {
      temporal: temporalOk ? 'ok' : 'unreachable',
      reporting: reportingOk ? 'ok' : 'unreachable',
    };
    let workerOk = true;
    if (deps.workerPolling) {
      workerOk = deps.workerPolling();
      checks.worker = workerOk ? 'polling' : 'not polling';
    }
    if (temporalOk && reportingOk && workerOk) {
      res.json({ status: 'ready', checks });
      return;
    }
    const missing = [
      ...(temporalOk ? [] : ['Temporal does not answer']),
      ...(reportingOk ? [] : ['the reporting store does not answer']),
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
