/**
 * The app of `npm run api` with a stand-in for Temporal that answers a start at once, for
 * `npm run bench:api-alone`: what the API process itself adds to a create (HTTP, Express,
 * authentication, rate limit, body, zod, fingerprint, the opening snapshot, the answer), with
 * no Temporal server behind it. Only `POST /api/projects` works here. It writes its port to
 * stdout as one JSON line once listening, and on each `cpu` IPC message its CPU seconds and how
 * many lines it logged at warn or above.
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
// Logged as `npm run api` logs (a line per request, written at once), to a file nobody reads;
// lines at warn or above are counted: a create that went wrong after answering (it still
// answered 201) is no figure of what a create costs, so the bench refuses the run.
const sink = pino.destination({ dest: '/dev/null', sync: true });
let warnings = 0;
let lastWarning = '';
const destination = {
  write(line: string): void {
    if ((JSON.parse(line) as { level: number }).level >= pino.levels.values.warn) {
      warnings += 1;
      lastWarning = line.slice(0, 500);
    }
    sink.write(line);
  },
};
const logger = createLogger({ level: 'info', name: 'api-alone', destination });
/** A start that is always new and costs nothing: the create's answer is its opening snapshot. */
const temporal = { startProject: async () => true } as unknown as TemporalGateway;
const app = createApp({
  config,
  logger,
  temporal,
  people: PeopleDirectory.fromFile(config.peopleFile),
  documents: {} as never,
  // No store: the copies in memory only subscribe to its writes (and reads never come here), and
  // a create's opening snapshot, written after the answer, is taken at once (the real store is
  // another process or a database). Without `publish` every create threw after answering and
  // logged the error, which the figures then measured.
  reporting: {
    onWritten: () => () => undefined,
    publish: async () => ({ written: true, factsAdded: 0, publishedAt: new Date().toISOString() }),
  } as unknown as ReportingStore,
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('message', (message) => {
  if (message !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.send?.({ cpuSeconds: (user + system) / 1e6, warnings, lastWarning });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
