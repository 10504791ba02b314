/**
 * `npm run reports:rebuild`: reconstructs the reporting store from Temporal, for every project and
 * task workflow still retained there, through the same publish path the workflows use, so it never
 * duplicates what the store holds (see activities/reporting/rebuild.ts).
 *
 * Temporal: TEMPORAL_ADDRESS, else the embedded dev server of a running `npm start`. Running
 * workflows answer a query, so a worker must be polling (the one in `npm start` or `npm run
 * worker`); closed ones need none. The store: REPORTING_DATABASE_URL, else the embedded store of a
 * running `npm start` (it writes its address to DATA_DIR/reporting.url).
 * Exit code 1 when any workflow could not be read; it says which.
 */
import { Client } from '@temporalio/client';
import { rebuildReportingStore } from '../activities/reporting/rebuild';
import { describeDatabaseUrl, openReportingStore } from '../activities/reporting/store';
import { loadConfigOrExit } from '../common/config';
import { toolReportingStore } from '../common/reporting-url';
import { createLogger } from '../common/logger';
import { connectClient } from '../common/temporal';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'agencyflow-reports-rebuild' });
  const { url, password } = toolReportingStore(config, 'reports:rebuild');
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  const connection = await connectClient(config.temporalAddress, { log: logger, signal: abort.signal });
  const store = await openReportingStore({ url, password, schema: config.REPORTING_SCHEMA, logger, signal: abort.signal });
  clearTimeout(timer);
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const started = Date.now();
    const result = await rebuildReportingStore({ client, store, logger });
    process.stdout.write(
      [
        `Rebuilt the reporting store at ${describeDatabaseUrl(url)} (schema ${config.REPORTING_SCHEMA}) from ${config.temporalAddress} in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
        `  ${result.projects} projects and ${result.tasks} tasks read; ${result.written} snapshots written, ${result.factsAdded} facts added.`,
        ...(result.failed.length > 0
          ? [`  ${result.failed.length} workflows could not be read:`, ...result.failed.map((f) => `    ${f.workflowId} (${f.runId}): ${f.error}`)]
          : []),
        '',
      ].join('\n'),
    );
    process.exitCode = result.failed.length > 0 ? 1 : 0;
  } finally {
    await store.close();
    await connection.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`reports:rebuild failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
