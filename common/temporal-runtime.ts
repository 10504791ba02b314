/**
 * Routes the Temporal SDK's own log lines (worker state changes, core warnings) through our pino
 * logger, so a process writes one structured format. Must run before anything uses the SDK.
 */
import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import type { Logger } from './logger';

const PINO_METHOD: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function installTemporalRuntimeLogging(logger: Logger): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  const level: LogLevel = sdk.isLevelEnabled('debug') ? 'DEBUG' : 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const meta: LogMetadata = entry.meta ?? {};
      sdk[PINO_METHOD[entry.level]](meta, entry.message);
    }),
  });
}
