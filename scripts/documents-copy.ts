/**
 * `npm run documents:copy -- --to database` (or `--to filesystem`): copies every produced document
 * from the store DOCUMENTS_STORE does not name to the one it will, before an operator switches it
 * (activities/documents/copy.ts). `--to database`: from DOCUMENTS_DIR (default
 * `<DATA_DIR>/documents`) into the reporting database's `documents` table; `--to filesystem`: back.
 *
 * Safe to run again and beside running workers (the target keeps what it holds); nothing is
 * deleted from the source. The database: REPORTING_DATABASE_URL, else the embedded store of a
 * running `npm start`. Exit code 1 when any document could not be copied; it says which and why.
 */
import { copyDocuments } from '../activities/documents/copy';
import { FilesystemDocumentStore } from '../activities/documents/store';
import { describeDatabaseUrl, openReportingStore } from '../activities/reporting/store';
import { loadConfigOrExit } from '../common/config';
import { createLogger } from '../common/logger';
import { toolReportingStore } from '../common/reporting-url';

const USAGE = 'Usage: npm run documents:copy -- --to database|filesystem';

function targetFromArgs(args: string[]): 'database' | 'filesystem' {
  const at = args.indexOf('--to');
  const target = at >= 0 ? args[at + 1] : undefined;
  if (target === 'database' || target === 'filesystem') return target;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  process.stderr.write(`${target === undefined ? 'Say where the documents go' : `Unknown target "${target}"`}. ${USAGE}\n`);
  process.exit(64); // EX_USAGE
}

async function main(): Promise<void> {
  const target = targetFromArgs(process.argv.slice(2));
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'agencyflow-documents-copy' });
  const { url, password } = toolReportingStore(config, 'documents:copy');
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  const reporting = await openReportingStore({ url, password, schema: config.REPORTING_SCHEMA, logger, signal: abort.signal });
  clearTimeout(timer);
  try {
    const folder = new FilesystemDocumentStore(config.documentsDir);
    const database = reporting.documents;
    const [from, to] = target === 'database' ? [folder, database] : [database, folder];
    const folderName = `the folder ${config.documentsDir}`;
    const databaseName = `the reporting database at ${describeDatabaseUrl(url)} (schema ${config.REPORTING_SCHEMA})`;
    const [fromName, toName] = target === 'database' ? [folderName, databaseName] : [databaseName, folderName];
    const started = Date.now();
    const result = await copyDocuments(from, to, {
      onDocument: (m, outcome) => logger.debug({ projectId: m.projectId, documentId: m.documentId, outcome }, 'document'),
    });
    process.stdout.write(
      [
        `Documents of ${result.projects} projects from ${fromName} to ${toName} in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
        `  ${result.copied} copied, ${result.alreadyThere} already there, ${result.failed.length} not copied.`,
        ...(result.failed.length > 0 ? ['  Not copied:', ...result.failed.map((f) => `    ${f.documentId}: ${f.reason}`)] : []),
        result.failed.length === 0
          ? `  Every document is in ${target === 'database' ? 'the database' : 'the folder'}: set DOCUMENTS_STORE=${target}, restart the API and the workers, then run this once more for what they produced in between.`
          : '  Keep DOCUMENTS_STORE as it is until these are mended (or accepted as lost), and run this again.',
        '',
      ].join('\n'),
    );
    process.exitCode = result.failed.length > 0 ? 1 : 0;
  } finally {
    await reporting.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`documents:copy failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
