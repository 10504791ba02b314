/**
 * `npm start`: the whole service on one machine.
 * Without TEMPORAL_ADDRESS it runs the embedded default: the Temporal dev server with its SQLite
 * file under DATA_DIR (a restart keeps every project), namespace retention set explicitly, our
 * search attributes registered; then the worker and the API in this process.
 * With TEMPORAL_ADDRESS it connects to that cluster and starts no server.
 * The portal (web/) is built first when its build is missing or stale (under a second).
 * Ctrl-C / SIGTERM stop the API, the worker and the dev server, in that order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit, type Config } from '../common/config';
import { formatDuration } from '../common/duration';
import { createLogger } from '../common/logger';
import { installTemporalRuntimeLogging } from '../common/temporal-runtime';
import { onShutdown } from '../common/shutdown';
import { ensureSearchAttributes } from '../common/temporal';
import { startDevServer, type DevServer } from '../common/dev-server';
import { ensureTemporalCli } from '../common/temporal-cli';
import { runWorker } from '../worker/run';
import { startApiServer } from '../api/server';
import { ensurePortal } from './build-portal';

async function startEmbeddedTemporal(config: Config, log: ReturnType<typeof createLogger>): Promise<DevServer> {
  const cli = await ensureTemporalCli({ say: (m) => log.info(m) });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const dbFilename = path.join(config.dataDir, 'temporal.sqlite');
  log.info({ dbFilename, port: config.TEMPORAL_DEV_PORT }, 'starting the Temporal dev server');
  const server = await startDevServer({
    cli,
    namespace: config.TEMPORAL_NAMESPACE,
    dbFilename,
    port: config.TEMPORAL_DEV_PORT,
    uiPort: config.TEMPORAL_UI_PORT,
    retentionMs: config.TEMPORAL_RETENTION,
  });
  // start-dev registers them on a new database; this also covers attributes added since.
  const added = await ensureSearchAttributes(server.connection, config.TEMPORAL_NAMESPACE);
  if (added.length > 0) log.info({ added }, 'search attributes registered');
  log.info({ retention: formatDuration(config.TEMPORAL_RETENTION) }, 'namespace retention set');
  return server;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL });
  installTemporalRuntimeLogging(logger);
  await ensurePortal({ logger });
  const devServer = config.embeddedTemporal ? await startEmbeddedTemporal(config, logger) : undefined;
  const effective: Config = devServer ? { ...config, temporalAddress: devServer.address } : config;

  const worker = await runWorker(effective, logger);
  const api = await startApiServer({ config: effective, logger, workerPolling: worker.polling });

  const uiUrl = devServer?.uiUrl ?? (config.embeddedTemporal ? undefined : 'your cluster’s Temporal UI');
  process.stdout.write(
    [
      '',
      'agencyflow is running.',
      `  Portal:       ${api.url}/`,
      `  API:          ${api.url}/api`,
      `  API docs:     ${api.docsUrl}`,
      `  Temporal UI:  ${uiUrl ?? '-'}`,
      `  Temporal:     ${effective.temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE}${devServer ? `, data in ${config.dataDir}` : ''})`,
      '  Demo people:  the portal’s sign-in page lists them (README "Try it"). Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );

  onShutdown(logger, async () => {
    await api.close();
    await worker.stop();
    await devServer?.stop();
  });
}

main().catch((err: Error) => {
  process.stderr.write(`agencyflow failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
