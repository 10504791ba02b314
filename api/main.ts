/** `npm run api`: the HTTP API as its own process, as production runs it (the worker runs apart). */
import { loadConfigOrExit } from '../common/config';
import { createLogger } from '../common/logger';
import { checkProductionSafetyOrExit } from '../common/production-checks';
import { onShutdown } from '../common/shutdown';
import { startApiServer } from './server';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'agencyflow-api' });
  checkProductionSafetyOrExit(config, logger);
  const api = await startApiServer({ config, logger });
  logger.info({ api: `${api.url}/api`, docs: api.docsUrl }, 'agencyflow API is running');
  onShutdown(logger, () => api.close());
}

main().catch((err: Error) => {
  process.stderr.write(`API failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
