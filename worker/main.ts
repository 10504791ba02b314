/** `npm run worker`: the worker as its own process, as production runs it. */
import { loadConfigOrExit } from '../common/config';
import { createLogger } from '../common/logger';
import { installTemporalRuntimeLogging } from '../common/temporal-runtime';
import { onShutdown } from '../common/shutdown';
import { serveWorkerHealth } from './health';
import { runWorker } from './run';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'agencyflow-worker' });
  installTemporalRuntimeLogging(logger, { port: config.WORKER_METRICS_PORT, host: config.API_HOST });
  const worker = await runWorker(config, logger);
  const health =
    config.WORKER_HEALTH_PORT > 0
      ? await serveWorkerHealth({ port: config.WORKER_HEALTH_PORT, host: config.API_HOST, polling: worker.polling, log: logger })
      : undefined;
  onShutdown(logger, async () => {
    health?.close();
    await worker.stop();
  });
}

main().catch((err: Error) => {
  process.stderr.write(`worker failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
