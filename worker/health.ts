/**
 * A separate worker process has no API, but orchestrators still need to ask whether it is alive
 * and polling: /healthz (the process lives) and /readyz (Temporal answers and the worker polls).
 * /metrics: the process's own metrics for Prometheus (memory, event loop, its people directory),
 * behind METRICS_TOKEN as the API's; the Temporal SDK's are on WORKER_METRICS_PORT, served by the
 * SDK's core.
 */
import http from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../common/logger';
import type { PeopleDirectory } from '../common/people';
import { registerPeopleGauges } from '../common/people-metrics';
import { METRICS_NEED_THE_TOKEN, type MetricsAccess } from '../common/metrics-access';
import { unauthenticated } from '../api/errors';

const METRICS_PREFIX = 'agencyflow_';

export function serveWorkerHealth(options: {
  port: number;
  host: string;
  polling: () => boolean;
  log: Logger;
  /** Who may read /metrics (common/metrics-access.ts: METRICS_TOKEN, as the API's); undefined: /metrics is off. */
  metricsAllowed?: MetricsAccess;
  /** The directory the worker's activities follow (PEOPLE_FILE); without it /metrics has no people gauges. */
  people?: Pick<PeopleDirectory, 'all' | 'fileRefused'>;
}): Promise<http.Server> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  if (options.people) registerPeopleGauges(registry, METRICS_PREFIX)(options.people);
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics' && options.metricsAllowed) {
      if (!options.metricsAllowed(req.headers.authorization)) {
        const { type, title, status, detail, headers } = unauthenticated(METRICS_NEED_THE_TOKEN);
        res.writeHead(status, { 'content-type': 'application/problem+json', ...headers }).end(JSON.stringify({ type, title, status, detail }));
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => {
          options.log.error({ err }, 'Worker metrics could not be collected');
          res.writeHead(500).end();
        },
      );
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (req.url === '/readyz') {
      if (options.polling()) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      } else {
        res.writeHead(503, { 'content-type': 'application/problem+json' }).end(
          JSON.stringify({
            type: 'about:blank',
            title: 'Not ready',
            status: 503,
            detail: 'The worker is not polling its task queue (Temporal unreachable or worker starting).',
            checks: { worker: 'not polling' },
          }),
        );
      }
    } else {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(
        JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }),
      );
    }
  });
  return new Promise((resolve) =>
    server.listen(options.port, options.host, () => {
      options.log.info({ port: options.port }, 'worker health endpoint listening');
      resolve(server);
    }),
  );
}
