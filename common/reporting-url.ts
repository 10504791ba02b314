/**
 * `npm run api` and `npm run worker` run apart, so they can only share the reporting store
 * through a PostgreSQL server: without REPORTING_DATABASE_URL they stop at once with a message
 * saying what to do (only `npm start` runs an embedded store, inside its own process).
 */
import type { Config } from './config';

export function requireReportingUrl(config: Config, processName: string): string {
  if (config.REPORTING_DATABASE_URL) return config.REPORTING_DATABASE_URL;
  process.stderr.write(
    [
      `Invalid configuration:`,
      `  REPORTING_DATABASE_URL: required for ${processName}. The API and the worker share the reporting store`,
      `  (KPIs, lists, reports) through PostgreSQL: set REPORTING_DATABASE_URL=postgres://user:password@host:5432/reporting.`,
      `  \`npm start\` runs an embedded store itself and needs no database.`,
      '',
    ].join('\n'),
  );
  process.exit(78); // EX_CONFIG, like every other configuration error
}
