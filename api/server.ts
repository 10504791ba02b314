/**
 * The API process around the app: one Temporal connection for the process (lazy, so the API
 * starts and listens while Temporal is down: one clear error log, retries with backoff, /readyz
 * 503 and 503 problems from routes that need Temporal until it answers), the people directory,
 * the document store, and the HTTP listener on API_HOST:API_PORT (0 = an ephemeral port).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { followedPeopleFile } from '../common/people';
import { retryWithBackoff } from '../common/temporal';
import { createDocumentStoreFromConfig } from '../activities/documents/store';
import type { ReportingStore } from '../activities/reporting/store';
import { createApp } from './app';
import { createTemporalConnection, TemporalGateway } from './temporal-gateway';

export interface ApiServerOptions {
  config: Config;
  logger: Logger;
  /** npm start's in-process worker: /readyz requires it polling */
  workerPolling?: () => boolean;
  /** The reporting store lists, single reads and reports come from (the caller opens and closes it). */
  reporting: ReportingStore;
}

export interface ApiServer {
  url: string;
  docsUrl: string;
  close(): Promise<void>;
}

const LOOPBACK_OR_ANY = new Set(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost']);

function baseUrl(config: Config, port: number): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL.replace(/\/$/, '');
  const host = LOOPBACK_OR_ANY.has(config.API_HOST) ? 'localhost' : config.API_HOST.includes(':') ? `[${config.API_HOST}]` : config.API_HOST;
  return `http://${host}:${port}`;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { config } = options;
  const log = options.logger.child({ component: 'api' });

  const people = followedPeopleFile(config, log);
  const documents = createDocumentStoreFromConfig(config, options.reporting);
  const connection = createTemporalConnection(config.temporalAddress);
  const temporal = new TemporalGateway({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    logger: log,
  });

  // Not awaited: the API listens at once. One error line if Temporal is unreachable, one info
  // line when it answers; until then /readyz says 503 and routes needing Temporal answer 503.
  const abort = new AbortController();
  const reachable = retryWithBackoff(
    async () => {
      if (!(await temporal.answers(2_000))) throw new Error(`no answer from ${config.temporalAddress} within 2 s`);
    },
    { log, what: `Connecting the API to Temporal at ${config.temporalAddress}`, signal: abort.signal },
  ).catch(() => undefined);

  const app = createApp({
    config,
    logger: log,
    temporal,
    people,
    documents,
    reporting: options.reporting,
    workerPolling: options.workerPolling,
  });
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.API_PORT, config.API_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = baseUrl(config, port);
  log.info({ url, host: config.API_HOST, port, people: people.all().length }, 'API listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    docsUrl: `${url}/docs`,
    close() {
      closed ??= (async () => {
        abort.abort();
        people.stopFollowing();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Requests still running get a moment to finish; then their connections are cut.
          setTimeout(() => server.closeAllConnections(), 5_000).unref();
        });
        await reachable;
        await temporal.drain();
        await connection.close().catch(() => undefined);
        log.info('API stopped');
      })();
      return closed;
    },
  };
}
