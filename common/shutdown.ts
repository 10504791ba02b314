/**
 * Ctrl-C (SIGINT) and SIGTERM stop the process cleanly: the handler runs once, a second signal
 * forces the exit, and a stuck shutdown ends after a deadline rather than hanging.
 */
import type { Logger } from './logger';

export function onShutdown(logger: Logger, stop: () => Promise<void>, deadlineMs = 20_000): void {
  let stoppingSince: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C reaches us twice at once: from the terminal and relayed by tsx/npm. Only a signal
      // sent deliberately later means "stop waiting".
      if (Date.now() - stoppingSince < 2_000) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    stop()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: Error) => {
        logger.error({ err: err.message }, 'error while shutting down');
        process.exit(1);
      });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
