/**
 * Switching DOCUMENTS_STORE keeps the documents already handed out: `npm run documents:copy`
 * copies every document from the folder into the reporting database (and back), whole and with
 * its metadata, again without writing twice, and never spreads a damaged file.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { copyDocuments } from '../../activities/documents/copy';
import { FilesystemDocumentStore, type DocumentStore, type NewDocument } from '../../activities/documents/store';
import { openTestStore, type TestStore } from '../support/reporting';

const ROOT = path.join(__dirname, '..', '..');
let root: string;
let reporting: TestStore;

beforeEach(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'agencyflow-copy-'));
  reporting = await openTestStore();
});

afterEach(async () => {
  await reporting?.dispose();
  await fs.promises.rm(root, { recursive: true, force: true });
});

const contract = (projectId: string): NewDocument => ({
  projectId,
  kind: 'contract',
  sequence: 1,
  number: 'CTR-2026-0001',
  createdAt: '2026-03-02T10:00:00.000Z',
  fileName: 'Contract CTR-2026-0001.pdf',
});
const invoice = (projectId: string, sequence: number): NewDocument => ({
  projectId,
  kind: 'final_invoice',
  sequence,
  number: `INV-2026-00000${sequence}`,
  createdAt: `2026-03-0${2 + sequence}T10:00:00.000Z`,
});

/** Two projects' documents in a store: a contract and two invoices, and one contract. */
async function fill(store: DocumentStore) {
  return [
    await store.put(contract('p-acme-site'), Buffer.from('%PDF- acme contract')),
    await store.put(invoice('p-acme-site', 1), Buffer.from('%PDF- acme invoice 1')),
    await store.put(invoice('p-acme-site', 2), Buffer.from('%PDF- acme invoice 2 \u00e9')),
    await store.put(contract('p-borealis-ads'), Buffer.from('%PDF- borealis contract')),
  ];
}

async function everything(store: DocumentStore) {
  const found = [];
  for (const projectId of await store.listProjects()) {
    for (const metadata of await store.listByProject(projectId)) found.push({ metadata, bytes: (await store.read(metadata.documentId))!.toString() });
  }
  return found;
}

test('from the folder into the database: every document whole, with the metadata it was handed out with; a second run writes nothing', async () => {
  const folder = new FilesystemDocumentStore(path.join(root, 'documents'));
  const stored = await fill(folder);
  const database = reporting.store.documents;

  expect(await copyDocuments(folder, database)).toEqual({ projects: 2, copied: 4, alreadyThere: 0, failed: [] });
  expect(await everything(database)).toEqual(await everything(folder));
  // Created when first stored, not when copied; the download name and number kept.
  expect((await database.get(stored[0]!.documentId))!).toEqual(stored[0]);

  expect(await copyDocuments(folder, database)).toEqual({ projects: 2, copied: 0, alreadyThere: 4, failed: [] });
});

test('and back from the database into a folder', async () => {
  const database = reporting.store.documents;
  await fill(database);
  const folder = new FilesystemDocumentStore(path.join(root, 'back'));
  expect(await copyDocuments(database, folder)).toEqual({ projects: 2, copied: 4, alreadyThere: 0, failed: [] });
  expect(await everything(folder)).toEqual(await everything(database));
});

test('a file damaged in the folder is reported and not copied; one the target holds with other bytes is reported, and the target keeps its own', async () => {
  const folder = new FilesystemDocumentStore(path.join(root, 'documents'));
  const [acmeContract, , acmeInvoice2] = await fill(folder);
  await fs.promises.writeFile(path.join(root, 'documents', 'p-acme-site', `${acmeContract!.documentId}.pdf`), '%PDF- truncated');
  const database = reporting.store.documents;
  await database.put(invoice('p-acme-site', 2), Buffer.from('%PDF- another invoice 2'));

  const result = await copyDocuments(folder, database);
  expect(result).toEqual({
    projects: 2,
    copied: 2,
    alreadyThere: 0,
    failed: [
      { documentId: acmeContract!.documentId, reason: expect.stringContaining('not the ones its metadata describes') },
      { documentId: acmeInvoice2!.documentId, reason: expect.stringContaining('the target holds other bytes under this id') },
    ],
  });
  expect(await database.get(acmeContract!.documentId)).toBeUndefined();
  expect((await database.read(acmeInvoice2!.documentId))!.toString()).toBe('%PDF- another invoice 2');
});

test('npm run documents:copy: copies, says what it did and what to do next; a wrong target is a usage error that touches nothing', async () => {
  const documentsDir = path.join(root, 'documents');
  await fill(new FilesystemDocumentStore(documentsDir));
  const env = {
    ...process.env,
    DATA_DIR: path.join(root, 'data'),
    DOCUMENTS_DIR: documentsDir,
    REPORTING_DATABASE_URL: reporting.url,
    REPORTING_SCHEMA: reporting.schema,
    LOG_LEVEL: 'warn',
  };
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/documents-copy.ts', ...args], { cwd: ROOT, env, timeout: 60_000 }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );

  const wrong = await run('--to', 's3');
  expect([wrong.code, wrong.stderr]).toEqual([64, 'Unknown target "s3". Usage: npm run documents:copy -- --to database|filesystem\n']);
  expect(await reporting.store.documents.listProjects()).toEqual([]);

  const copied = await run('--to', 'database');
  expect(copied.code).toBe(0);
  expect(copied.stdout).toContain(`Documents of 2 projects from the folder ${documentsDir} to the reporting database at`);
  expect(copied.stdout).toContain('4 copied, 0 already there, 0 not copied.');
  expect(copied.stdout).toContain('set DOCUMENTS_STORE=database, restart the API and the workers, then run this once more');
  expect(await reporting.store.documents.listProjects()).toEqual(['p-acme-site', 'p-borealis-ads']);

  // The folder's record of one document changed since (its digest): exit code 1, named, nothing written.
  const metadataFile = path.join(documentsDir, 'p-acme-site', 'doc-p-acme-site-contract-1.json');
  const record = JSON.parse(await fs.promises.readFile(metadataFile, 'utf8')) as { sha256: string };
  await fs.promises.writeFile(metadataFile, JSON.stringify({ ...record, sha256: '0'.repeat(64) }));
  const again = await run('--to', 'database');
  expect(again.code).toBe(1);
  expect(again.stdout).toContain('0 copied, 3 already there, 1 not copied.');
  expect(again.stdout).toContain('    doc-p-acme-site-contract-1: the target holds other bytes under this id');
  expect(again.stdout).toContain('Keep DOCUMENTS_STORE as it is');
  expect((await reporting.store.documents.get('doc-p-acme-site-contract-1'))!.sha256).toBe(record.sha256);
});
