/**
 * /metrics is not for the world, the API's nor a separate worker's: with METRICS_TOKEN it needs
 * `Authorization: Bearer <token>`; without one it is open in development and absent (404) under
 * PRODUCTION_CHECKS.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from './config';

export const METRICS_NEED_THE_TOKEN = 'GET /metrics needs the bearer token configured in METRICS_TOKEN.';

/** Whether a request with this Authorization header may read /metrics. */
export type MetricsAccess = (authorization: string | undefined) => boolean;

/** Undefined: /metrics is off. */
export function metricsAccess(config: Pick<Config, 'METRICS_TOKEN' | 'PRODUCTION_CHECKS'>): MetricsAccess | undefined {
  const token = config.METRICS_TOKEN;
  if (!token) return config.PRODUCTION_CHECKS ? undefined : () => true;
  const expected = createHash('sha256').update(token).digest();
  // Digests of equal length compared in constant time: the time taken does not tell how close a guess was.
  return (authorization) => {
    const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
    return timingSafeEqual(createHash('sha256').update(given).digest(), expected);
  };
}
