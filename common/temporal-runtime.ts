/**
 * The Temporal SDK's native runtime, installed once per process before anything uses the SDK:
 * its own log lines (worker state changes, core warnings) go through our pino logger, so a
 * process writes one structured format; and, when asked, its metrics (workflow task
 * schedule-to-start latency, sticky cache hits and size, task slots in use, poll and RPC
 * latencies) are served for Prometheus at http://<host>:<port>/metrics by the SDK's own exporter.
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

export interface RuntimeMetricsOptions {
  /** Port of the SDK's Prometheus exporter; 0 or undefined = no metrics. */
  port?: number;
  /** Address to bind it to (default loopback). */
  host?: string;
}

/** `host:port` as the SDK's exporter expects it (IPv6 literals in brackets). */
export function metricsBindAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function installTemporalRuntimeLogging(logger: Logger, metrics: RuntimeMetricsOptions = {}): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  const level: LogLevel = sdk.isLevelEnabled('debug') ? 'DEBUG' : 'INFO';
  const bindAddress = metrics.port ? metricsBindAddress(metrics.host ?? '127.0.0.1', metrics.port) : undefined;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const meta: LogMetadata = entry.meta ?? {};
      sdk[PINO_METHOD[entry.level]](meta, entry.message);
    }),
    // Durations in seconds with unit suffixes, as Prometheus conventions (and its dashboards) expect.
    ...(bindAddress && {
      telemetryOptions: {
        metrics: { prometheus: { bindAddress, useSecondsForDurations: true, unitSuffix: true, countersTotalSuffix: true } },
      },
    }),
  });
  if (bindAddress) sdk.info({ metrics: `http://${bindAddress}/metrics` }, 'Temporal SDK metrics served for Prometheus');
}
