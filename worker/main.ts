/** `npm run worker`: the worker as its own process, as production runs it. */
import { openReportingStore } from '../activities/reporting/store';
import { loadConfigOrExit } from '../common/config';
import { createLogger } from '../common/logger';
import { requireReportingUrl } from '../common/reporting-url';
import { installTemporalRuntimeLogging } from '../common/temporal-runtime';
import { checkProductionSafetyOrExit } from '../common/production-checks';
import { onShutdown } from '../common/shutdown';
import { serveWorkerHealth } from './health';
import { metricsAccess } from '../common/metrics-access';
import { runWorker } from './run';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'agencyflow-worker' });
  checkProductionSafetyOrExit(config, logger);
  const reportingUrl = requireReportingUrl(config, '`npm run worker`');
  installTemporalRuntimeLogging(logger, { port: config.WORKER_METRICS_PORT, host: config.API_HOST });
  // Migrates the store's schema if this process is the first to start (safe beside the API doing the same).
  const reporting = await openReportingStore({ url: reportingUrl, password: config.REPORTING_DATABASE_PASSWORD, schema: config.REPORTING_SCHEMA, logger });
  const worker = await runWorker(config, logger, reporting);
  const health =
    config.WORKER_HEALTH_PORT > 0
      ? await serveWorkerHealth({ port: config.WORKER_HEALTH_PORT, host: config.API_HOST, polling: worker.polling, log: logger, people: worker.people, metricsAllowed: metricsAccess(config) })
      : undefined;
  onShutdown(logger, async () => {
    health?.close();
    await worker.stop();
    await reporting.close();
  });
}

main().catch((err: Error) => {
  process.stderr.write(`worker failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
