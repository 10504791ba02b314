/**
 * `npm run api` and `npm run worker` run apart, so they can only share the reporting store
 * through a PostgreSQL server: without REPORTING_DATABASE_URL they stop at once with a message
 * saying what to do (only `npm start` runs an embedded store, inside its own process).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

/** Where a running `npm start` writes the address of its embedded store, for the tools run beside it. */
export const embeddedReportingUrlFile = (dataDir: string): string => path.join(dataDir, 'reporting.url');

/**
 * The store a maintenance tool (`npm run reports:rebuild`, `npm run documents:copy`) works on:
 * REPORTING_DATABASE_URL, else the embedded store of a running `npm start`; otherwise it stops,
 * saying how to give it one. `password`: REPORTING_DATABASE_PASSWORD, for a configured URL only.
 */
export function toolReportingStore(config: Config, command: string): { url: string; password?: string } {
  if (config.REPORTING_DATABASE_URL) {
    return { url: config.REPORTING_DATABASE_URL, ...(config.REPORTING_DATABASE_PASSWORD !== undefined && { password: config.REPORTING_DATABASE_PASSWORD }) };
  }
  const urlFile = embeddedReportingUrlFile(config.dataDir);
  if (fs.existsSync(urlFile)) return { url: fs.readFileSync(urlFile, 'utf8').trim() };
  process.stderr.write(`No reporting store for ${command}: set REPORTING_DATABASE_URL, or run it beside \`npm start\` (its embedded store writes ${urlFile}).\n`);
  process.exit(78);
}

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
