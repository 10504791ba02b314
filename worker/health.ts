/**
 * A separate worker process has no API, but orchestrators still need to ask whether it is alive
 * and polling: /healthz (the process lives) and /readyz (Temporal answers and the worker polls).
 * /metrics: the process's own metrics for Prometheus (memory, event loop, its people directory);
 * the Temporal SDK's are on WORKER_METRICS_PORT, served by the SDK's core.
 */
import http from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../common/logger';
import type { PeopleDirectory } from '../common/people';
import { registerPeopleGauges } from '../common/people-metrics';

const METRICS_PREFIX = 'agencyflow_';

export function serveWorkerHealth(options: {
  port: number;
  host: string;
  polling: () => boolean;
  log: Logger;
  /** The directory the worker's activities follow (PEOPLE_FILE); without it /metrics has no people gauges. */
  people?: Pick<PeopleDirectory, 'all' | 'fileRefused'>;
}): Promise<http.Server> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  if (options.people) registerPeopleGauges(registry, METRICS_PREFIX)(options.people);
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
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
