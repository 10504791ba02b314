/**
 * The app of `npm run api` with a stand-in for Temporal that answers a start at once, for
 * `npm run bench:api-alone`: what the API process itself adds to a create (HTTP, Express,
 * authentication, rate limit, body, zod, fingerprint, the opening snapshot, the answer), with
 * no Temporal server behind it. Only `POST /api/projects` works here. It writes its port to
 * stdout as one JSON line once listening, and its CPU seconds on each `cpu` IPC message.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../../api/app';
import type { TemporalGateway } from '../../api/temporal-gateway';
import type { ReportingStore } from '../../activities/reporting/store';
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { PeopleDirectory } from '../../common/people';

const config = loadConfig({ ...process.env, API_RATE_LIMIT_PER_MINUTE: '1000000' });
// Logged as `npm run api` logs (a line per request, written at once), to a file nobody reads.
const logger = createLogger({ level: 'info', name: 'api-alone', destination: pino.destination({ dest: '/dev/null', sync: true }) });
/** A start that is always new and costs nothing: the create's answer is its opening snapshot. */
const temporal = { startProject: async () => true } as unknown as TemporalGateway;
const app = createApp({
  config,
  logger,
  temporal,
  people: PeopleDirectory.fromFile(config.peopleFile),
  documents: {} as never,
  // No store: the copies in memory only subscribe to its writes (and reads never come here).
  reporting: { onWritten: () => () => undefined } as unknown as ReportingStore,
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('message', (message) => {
  if (message !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.send?.({ cpuSeconds: (user + system) / 1e6 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
