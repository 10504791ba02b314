/** `npm run api`: the HTTP API as its own process, as production runs it (the worker runs apart). */
import { openReportingStore } from '../activities/reporting/store';
import { loadConfigOrExit } from '../common/config';
import { createLogger } from '../common/logger';
import { requireReportingUrl } from '../common/reporting-url';
import { checkProductionSafetyOrExit } from '../common/production-checks';
import { onShutdown } from '../common/shutdown';
import { startApiServer } from './server';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'agencyflow-api' });
  checkProductionSafetyOrExit(config, logger);
  const reportingUrl = requireReportingUrl(config, '`npm run api`');
  // Migrates the store's schema if this process is the first to start (safe beside the worker doing the same).
  const reporting = await openReportingStore({ url: reportingUrl, password: config.REPORTING_DATABASE_PASSWORD, schema: config.REPORTING_SCHEMA, logger });
  const api = await startApiServer({ config, logger, reporting });
  logger.info({ api: `${api.url}/api`, docs: api.docsUrl }, 'agencyflow API is running');
  onShutdown(logger, async () => {
    await api.close();
    await reporting.close();
  });
}

main().catch((err: Error) => {
  process.stderr.write(`API failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
