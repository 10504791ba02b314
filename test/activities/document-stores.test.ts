/**
 * Both document stores keep the same promises (activities/documents/store.ts): the first writer of
 * an id wins, racing writers leave one record, a document is whole or absent, unknown and
 * malformed ids are nothing, a project lists its own oldest first. The database store is then seen
 * end to end: a project's contract made by the worker and served by the API with
 * DOCUMENTS_STORE=database, with nothing written to DOCUMENTS_DIR.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { FilesystemDocumentStore, type DocumentStore, type NewDocument } from '../../activities/documents/store';
import { openTestStore, type TestStore } from '../support/reporting';
import { downloadedContract, openDesignTask, startApiHarness, type ApiHarness } from '../support/api';

let root: string;
let reporting: TestStore;

beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'agencyflow-stores-'));
  reporting = await openTestStore();
});

afterAll(async () => {
  await reporting?.dispose();
  await fs.promises.rm(root, { recursive: true, force: true });
});

const stores: [string, () => DocumentStore][] = [
  ['the filesystem store', () => new FilesystemDocumentStore(fs.mkdtempSync(path.join(root, 'fs-')))],
  ['the database store', () => reporting.store.documents],
];

let projectCounter = 0;
/** A project id of the store's pattern, new for each test (the database store is shared by the file's tests). */
const newProjectId = (): string => `p-stores${String(++projectCounter).padStart(4, '0')}${Date.now().toString(36)}`;

const doc = (projectId: string, overrides: Partial<NewDocument> = {}): NewDocument => ({
  projectId,
  kind: 'contract',
  sequence: 1,
  number: 'CTR-2026-0001',
  createdAt: '2026-03-02T10:00:00.000Z',
  ...overrides,
});

describe.each(stores)('%s', (_name, makeStore) => {
  test('a document stored is read back whole, with its metadata, as bytes and as a stream', async () => {
    const store = makeStore();
    const projectId = newProjectId();
    const bytes = Buffer.from('%PDF-1.7 contract body \u00e9\n');
    const stored = await store.put(doc(projectId), bytes);
    expect(stored).toMatchObject({ projectId, kind: 'contract', number: 'CTR-2026-0001', sequence: 1, size: bytes.length, contentType: 'application/pdf' });
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.get(stored.documentId)).toEqual(stored);
    expect((await store.read(stored.documentId))!.equals(bytes)).toBe(true);
    expect(await text((await store.stream(stored.documentId))!)).toBe(bytes.toString());
  });

  test('the first writer of an id wins: a later attempt gets the stored metadata, and its bytes are dropped', async () => {
    const store = makeStore();
    const projectId = newProjectId();
    const first = await store.put(doc(projectId), Buffer.from('%PDF- first'));
    const second = await store.put(doc(projectId, { createdAt: '2026-03-03T10:00:00.000Z' }), Buffer.from('%PDF- second, longer'));
    expect(second).toEqual(first);
    expect((await store.read(first.documentId))!.toString()).toBe('%PDF- first');
  });

  test('ten attempts racing on one id leave one record, and all of them answer with it', async () => {
    const store = makeStore();
    const projectId = newProjectId();
    const bytes = Buffer.from('%PDF- raced');
    const answers = await Promise.all(Array.from({ length: 10 }, () => store.put(doc(projectId), bytes)));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await store.listByProject(projectId)).toEqual([answers[0]]);
  });

  test('unknown and malformed ids are nothing; a project lists its own documents, oldest first', async () => {
    const store = makeStore();
    const projectId = newProjectId();
    for (const id of ['doc-p-nowhere-contract-1', '../etc/passwd', 'doc-x', '']) {
      expect(await store.get(id)).toBeUndefined();
      expect(await store.read(id)).toBeUndefined();
      expect(await store.stream(id)).toBeUndefined();
    }
    expect(await store.listByProject('../etc')).toEqual([]);
    const later = await store.put(doc(projectId, { kind: 'final_report', number: 'RPT-1', createdAt: '2026-03-20T10:00:00.000Z' }), Buffer.from('%PDF- report'));
    const earlier = await store.put(doc(projectId), Buffer.from('%PDF- contract'));
    await store.put(doc(newProjectId()), Buffer.from('%PDF- another project'));
    expect((await store.listByProject(projectId)).map((d) => d.documentId)).toEqual([earlier.documentId, later.documentId]);
  });
});

describe('DOCUMENTS_STORE=database, end to end', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ env: { DOCUMENTS_STORE: 'database' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the worker stores the contract in the database, the API serves it from there, and DOCUMENTS_DIR stays empty', async () => {
    const { projectId } = await openDesignTask(h, 'Documents in the database');
    const { documentId, pdf } = await downloadedContract(h, projectId);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await h.reporting.documents.read(documentId))!.equals(pdf)).toBe(true);
    const files = fs.existsSync(h.config.documentsDir) ? await fs.promises.readdir(h.config.documentsDir, { recursive: true }) : [];
    expect(files.filter((f) => String(f).endsWith('.pdf'))).toEqual([]);
  });
});
