/**
 * A separate worker process has no API, but orchestrators still need to ask whether it is alive
 * and polling: /healthz (the process lives) and /readyz (Temporal answers and the worker polls).
 */
import http from 'node:http';
import type { Logger } from '../common/logger';

export function serveWorkerHealth(options: {
  port: number;
  host: string;
  polling: () => boolean;
  log: Logger;
}): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') {
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
