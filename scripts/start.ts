/**
 * `npm start`: the whole service on one machine.
 * Without TEMPORAL_ADDRESS it runs the embedded default: the Temporal dev server with its SQLite
 * file under DATA_DIR (a restart keeps every project), namespace retention set explicitly, our
 * search attributes registered; then the worker and the API in this process.
 * With TEMPORAL_ADDRESS it connects to that cluster and starts no server.
 * The portal (web/) is built first when its build is missing or stale (under a second).
 * The reporting store is an embedded PGlite under DATA_DIR/reporting, served on a loopback port to
 * this process's worker and API (a restart keeps every figure); with REPORTING_DATABASE_URL it is
 * that PostgreSQL instead.
 * Ctrl-C / SIGTERM stop the API, the worker, the reporting store and the dev server, in that order.
 * A start that fails part-way (a port already taken) stops what it had started before exiting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit, type Config } from '../common/config';
import { formatDuration } from '../common/duration';
import { createLogger } from '../common/logger';
import { installTemporalRuntimeLogging } from '../common/temporal-runtime';
import { checkProductionSafetyOrExit } from '../common/production-checks';
import { onShutdown } from '../common/shutdown';
import { ensureSearchAttributes } from '../common/temporal';
import { startDevServer, type DevServer } from '../common/dev-server';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../common/embedded-postgres';
import { openReportingStore, describeDatabaseUrl } from '../activities/reporting/store';
import { ensureTemporalCli } from '../common/temporal-cli';
import { runWorker } from '../worker/run';
import { startApiServer } from '../api/server';
import { ensurePortal } from './build-portal';
import { embeddedReportingUrlFile } from '../common/reporting-url';

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

/**
 * What has been started so far, each with how to stop it: stopped last-started first at Ctrl-C, and
 * also when a later part fails to start, so that a failed start (the API's port taken, say) leaves
 * no dev server holding the data file and the Temporal port behind it for the next try to meet.
 */
const running: Array<{ part: string; stop: () => Promise<unknown> }> = [];

/** Stops every part, even after one fails to stop; then says which did not. */
async function stopRunning(): Promise<void> {
  const failed: string[] = [];
  for (const { part, stop } of running.splice(0).reverse()) {
    try {
      await stop();
    } catch (err) {
      failed.push(`${part} (${(err as Error).message})`);
    }
  }
  if (failed.length > 0) throw new Error(`could not stop: ${failed.join('; ')}`);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL });
  // From here on, not only once all is up: Ctrl-C while the dev server starts stops it too.
  onShutdown(logger, stopRunning);
  checkProductionSafetyOrExit(config, logger);
  installTemporalRuntimeLogging(logger, { port: config.WORKER_METRICS_PORT, host: config.API_HOST });
  await ensurePortal({ logger });
  const devServer = config.embeddedTemporal ? await startEmbeddedTemporal(config, logger) : undefined;
  if (devServer) running.push({ part: 'dev server', stop: () => devServer.stop() });
  const effective: Config = devServer ? { ...config, temporalAddress: devServer.address } : config;

  // After the dev server, not beside it: the SDK gives the server 5 s to come up, and PGlite's
  // start-up (WebAssembly compilation, on a busy machine for many seconds) would compete for the CPU.
  let embeddedReporting: EmbeddedPostgres | undefined;
  if (!config.REPORTING_DATABASE_URL) {
    logger.info({ dataDir: config.reportingDataDir }, 'starting the embedded reporting store (PGlite)');
    const store = await startEmbeddedPostgres({ dataDir: config.reportingDataDir });
    running.push({ part: 'embedded reporting store', stop: () => store.stop() });
    embeddedReporting = store;
  }
  const reportingUrl = embeddedReporting?.url ?? config.REPORTING_DATABASE_URL!;
  // Where `npm run reports:rebuild` and `documents:copy` find the embedded store while this process runs.
  const urlFile = embeddedReportingUrlFile(config.dataDir);
  if (embeddedReporting) {
    fs.writeFileSync(urlFile, `${embeddedReporting.url}\n`);
    running.push({ part: 'reporting.url', stop: async () => fs.rmSync(urlFile, { force: true }) });
  }
  const reporting = await openReportingStore({
    url: reportingUrl,
    ...(!embeddedReporting && { password: config.REPORTING_DATABASE_PASSWORD }),
    schema: config.REPORTING_SCHEMA,
    logger,
  });
  running.push({ part: 'reporting connection', stop: () => reporting.close() });

  const worker = await runWorker(effective, logger, reporting);
  running.push({ part: 'worker', stop: () => worker.stop() });
  const api = await startApiServer({ config: effective, logger, workerPolling: worker.polling, reporting });
  running.push({ part: 'API', stop: () => api.close() });

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
      `  Reports:      ${embeddedReporting ? `embedded PGlite in ${config.reportingDataDir} (${embeddedReporting.url})` : describeDatabaseUrl(reportingUrl)}`,
      '  Demo people:  the portal’s sign-in page lists them (README "Try it"). Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
}

main().catch(async (err: Error) => {
  process.stderr.write(`agencyflow failed to start: ${err.stack ?? err.message}\n`);
  await stopRunning().catch((stopErr: Error) => process.stderr.write(`${stopErr.message}\n`));
  process.exit(1);
});
