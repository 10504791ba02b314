/**
 * Documents are real PDFs carrying the agency, the client, the number, the lines and the totals;
 * they are stored once per (project, kind, sequence) and read back by id for the API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import pdfParse from 'pdf-parse/lib/pdf-parse.js';
import type { InvoiceContent, ProduceDocumentInput } from '../../activities/contract';
import { createDocumentActivities } from '../../activities/documents';
import { documentIdFor, parseDocumentId } from '../../activities/documents/ids';
import { renderDocument } from '../../activities/documents/pdf';
import { createDocumentStoreFromConfig, FilesystemDocumentStore } from '../../activities/documents/store';
import type { DocumentKind } from '../../workflows/project/contract';
import { agency, capturedLogger, finalInvoice, people, sampleSnapshot } from './fixtures';

/**
 * The PDF's text, one string with whitespace collapsed (where a line wraps depends on the font's
 * metrics, not on what the document says). pdf.js (inside pdf-parse) misreads Node Buffers that
 * share the allocation pool, so it gets a Uint8Array of its own.
 */
async function pdfText(bytes: Buffer): Promise<string> {
  return (await pdfParse(new Uint8Array(bytes) as unknown as Buffer)).text.replace(/\s+/g, ' ');
}

let root: string;
let dir: string;
let store: FilesystemDocumentStore;
let logLines: Record<string, unknown>[];

beforeEach(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'agencyflow-docs-'));
  dir = path.join(root, 'documents');
  store = new FilesystemDocumentStore(dir);
});

afterEach(async () => {
  await fs.promises.rm(root, { recursive: true, force: true });
});

function activities() {
  const { lines, logger } = capturedLogger();
  logLines = lines;
  return createDocumentActivities({ store, logger, agency, people });
}

const prepaymentInvoice: InvoiceContent = {
  kind: 'prepayment',
  number: 'INV-2026-000007',
  amount: 1420.35,
  currency: 'EUR',
  issuedAt: '2026-03-02T10:00:00Z',
  dueAt: '2026-03-16T10:00:00Z',
  lines: [{ description: 'Prepayment 30% of plan v2 (4,734.50 EUR)', amount: 1420.35 }],
};

const cancellationInvoice: InvoiceContent = {
  kind: 'cancellation',
  number: 'INV-2026-000031',
  amount: 2079.65,
  currency: 'EUR',
  issuedAt: '2026-03-08T12:00:00Z',
  dueAt: '2026-03-22T12:00:00Z',
  lines: [{ description: 'Landing page design (accepted work)', amount: 3500 }],
  prepaymentDeducted: 1420.35,
};

const cancellation = { reason: 'The client closed the spring campaign', by: 'anna.manager', at: '2026-03-08T11:00:00Z', stageAtCancel: 'in_production' as const };

/** What each kind must show, beyond the agency and client every document names. */
const cases: { kind: DocumentKind; number?: string; invoice?: InvoiceContent; cancelled?: boolean; expected: string[] }[] = [
  {
    kind: 'contract',
    number: 'CTR-2026-0042',
    expected: [
      'CTR-2026-0042',
      'Landing page design',
      'Landing page copy',
      'Copywriting',
      '12.5 h',
      '3,500.00 EUR',
      '1,234.50 EUR',
      'Total: 4,734.50 EUR',
      '30% of the total (1,420.35 EUR)',
      'within 14 days',
      'Signature',
      'For the Client',
    ],
  },
  {
    kind: 'prepayment_invoice',
    invoice: prepaymentInvoice,
    expected: ['INV-2026-000007', 'Prepayment 30% of plan v2', 'Amount due: 1,420.35 EUR', 'Due date: 2026-03-16', 'IBAN XX12 3456 7890 1234 5678'],
  },
  {
    kind: 'final_invoice',
    invoice: finalInvoice,
    expected: [
      'INV-2026-000019',
      'Subtotal: 4,734.50 EUR',
      'Less prepayment received: -1,420.35 EUR',
      'Amount due: 3,314.15 EUR',
      'Due date: 2026-03-30',
      'Contract No.: CTR-2026-0042',
    ],
  },
  {
    kind: 'cancellation_invoice',
    invoice: cancellationInvoice,
    cancelled: true,
    expected: ['INV-2026-000031', 'Amount due: 2,079.65 EUR', 'cancelled on 2026-03-08', 'The client closed the spring campaign'],
  },
  {
    kind: 'acceptance_act',
    number: 'ACT-2026-0007',
    expected: ['ACT-2026-0007', 'Under contract No.: CTR-2026-0042', 'Landing page design', 'Total: 4,734.50 EUR', 'rating 4/5', 'Looks great', 'Signature'],
  },
  {
    kind: 'final_report',
    expected: [
      'Final project report',
      'Anna Petrova',
      'response time 4 hours',
      'Rejected by Lena Smirnova',
      'Add the copy to the plan',
      'Approved by Lena Smirnova',
      'Dima Kozlov',
      'Ivan Volkov',
      'on time',
      'late',
      '1 of 2 accepted tasks on time; 1 review round in total.',
      'Brighter hero image',
      'rating 4/5',
      'Apologised and gave a discount',
      'INV-2026-000007',
      'GLX-PAY-1',
      'Outstanding: 3,314.15 EUR',
      'plan_approved',
    ],
  },
];

test.each(cases)('a $kind is a PDF with the agency, the client, its number, lines and totals', async ({ kind, number, invoice, cancelled, expected }) => {
  const projectId = 'acme-site';
  const snapshot = sampleSnapshot(projectId, cancelled ? { stage: 'cancelled', cancellation, completedAt: undefined } : {});

  const ref = await activities().produceDocument({ projectId, kind, sequence: 1, number, snapshot, invoice });

  expect(ref).toEqual({ documentId: `doc-${projectId}-${kind}-1`, kind, number: number ?? invoice?.number ?? expect.any(String), createdAt: expect.any(String) });
  const bytes = await store.read(ref.documentId);
  expect(bytes?.subarray(0, 5).toString()).toBe('%PDF-');
  const text = await pdfText(bytes!);
  for (const fragment of [agency.name, agency.address, agency.taxId, 'Globex Corporation', 'Spring campaign landing page', ref.number!, ...expected]) {
    expect(text).toContain(fragment);
  }
});

test('a final report of a cancelled project says it was cancelled, when and why', async () => {
  const snapshot = sampleSnapshot('acme-site', { stage: 'cancelled', cancellation, completedAt: undefined });
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'final_report', sequence: 1, snapshot });
  const text = await pdfText((await store.read(ref.documentId))!);
  expect(text).toContain('Outcome: Cancelled');
  expect(text).toContain('cancelled on 2026-03-08 11:00 UTC by Anna Petrova (anna.manager) at the in production stage');
  expect(text).toContain('Reason: The client closed the spring campaign');
});

test('a long final report flows over several pages without losing rows', async () => {
  const base = sampleSnapshot('acme-site');
  const timeline = Array.from({ length: 150 }, (_, i) => ({ at: `2026-03-0${1 + (i % 9)}T10:00:00Z`, event: `event_${i}` }));
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'final_report', sequence: 1, snapshot: { ...base, timeline } });
  const parsed = await pdfParse(new Uint8Array((await store.read(ref.documentId))!) as unknown as Buffer);
  expect(parsed.numpages).toBeGreaterThan(2);
  expect(parsed.text).toContain('event_0');
  expect(parsed.text).toContain('event_149');
});

test('producing the same document again returns the stored one unchanged, without rendering', async () => {
  const { produceDocument } = activities();
  const input: ProduceDocumentInput = {
    projectId: 'acme-site',
    kind: 'final_invoice',
    sequence: 1,
    snapshot: sampleSnapshot('acme-site'),
    invoice: finalInvoice,
  };
  const first = await produceDocument(input);
  const before = await store.get(first.documentId);

  // A retry whose input drifted (a later snapshot) must still get the document already handed out.
  const again = await produceDocument({ ...input, snapshot: sampleSnapshot('acme-site', { title: 'Renamed project' }) });

  expect(again).toEqual(first);
  expect(await store.get(first.documentId)).toEqual(before);
  const text = await pdfText((await store.read(first.documentId))!);
  expect(text).toContain('Spring campaign landing page');
  expect(text).not.toContain('Renamed project');
  expect(await store.listByProject('acme-site')).toHaveLength(1);
  expect(logLines.map((l) => l.msg)).toEqual(['document produced', 'document already produced; returning it unchanged']);
});

test('a later sequence of the same kind is a separate document', async () => {
  const { produceDocument } = activities();
  const snapshot = sampleSnapshot('acme-site');
  const first = await produceDocument({ projectId: 'acme-site', kind: 'contract', sequence: 1, number: 'CTR-1', snapshot });
  const second = await produceDocument({ projectId: 'acme-site', kind: 'contract', sequence: 2, number: 'CTR-2', snapshot });
  expect(second.documentId).not.toBe(first.documentId);
  expect((await store.listByProject('acme-site')).map((d) => d.number)).toEqual(['CTR-1', 'CTR-2']);
});

test('the same input renders the same bytes', async () => {
  const input: ProduceDocumentInput = { projectId: 'acme-site', kind: 'contract', sequence: 1, snapshot: sampleSnapshot('acme-site') };
  const a = await renderDocument(input, { agency });
  const b = await renderDocument(input, { agency });
  expect(a.bytes.equals(b.bytes)).toBe(true);
  expect(a.date).toBe('2026-03-02T10:00:00Z'); // the approval, not the clock
});

test('the store keeps <dir>/<projectId>/<documentId>.pdf with metadata the API can serve', async () => {
  const ref = await activities().produceDocument({
    projectId: 'acme-site',
    kind: 'prepayment_invoice',
    sequence: 1,
    snapshot: sampleSnapshot('acme-site'),
    invoice: prepaymentInvoice,
  });
  const pdfPath = path.join(dir, 'acme-site', `${ref.documentId}.pdf`);
  const bytes = await fs.promises.readFile(pdfPath);
  const metadata = JSON.parse(await fs.promises.readFile(path.join(dir, 'acme-site', `${ref.documentId}.json`), 'utf8'));

  expect(metadata).toEqual({
    documentId: 'doc-acme-site-prepayment_invoice-1',
    kind: 'prepayment_invoice',
    number: 'INV-2026-000007',
    projectId: 'acme-site',
    sequence: 1,
    createdAt: ref.createdAt,
    size: bytes.length,
    sha256: (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'),
    fileName: 'prepayment_invoice-INV-2026-000007.pdf',
    contentType: 'application/pdf',
  });
  expect(await store.get(ref.documentId)).toEqual(metadata);
  expect(await store.read(ref.documentId)).toEqual(bytes);
  const streamed: Buffer[] = [];
  for await (const chunk of (await store.stream(ref.documentId))!) streamed.push(chunk as Buffer);
  expect(Buffer.concat(streamed)).toEqual(bytes);
  expect(await store.listByProject('acme-site')).toEqual([metadata]);
  expect((await fs.promises.readdir(path.join(dir, 'acme-site'))).sort()).toEqual([`${ref.documentId}.json`, `${ref.documentId}.pdf`]); // no temp files left
});

test('unknown and malformed ids find nothing and never leave the documents directory', async () => {
  // A file just outside the store that a path-traversing id would reach.
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.writeFile(path.join(root, 'doc-x-contract-1.json'), '{"documentId":"leak"}');
  for (const id of ['doc-acme-site-contract-1', 'doc-..-contract-1', '../doc-x-contract-1', 'doc-../doc-x-contract-1', 'doc-acme-site-receipt-1', '']) {
    expect(await store.get(id)).toBeUndefined();
    expect(await store.read(id)).toBeUndefined();
    expect(await store.stream(id)).toBeUndefined();
  }
  expect(await store.listByProject('..')).toEqual([]);
  expect(await store.listByProject('no-such-project')).toEqual([]);
  expect(parseDocumentId(documentIdFor({ projectId: 'acme-site-2', kind: 'final_invoice', sequence: 12 }))).toEqual({
    projectId: 'acme-site-2',
    kind: 'final_invoice',
    sequence: 12,
  });
});

test('first writer wins: storing an existing id keeps the stored document', async () => {
  const doc = { projectId: 'acme-site', kind: 'contract' as const, sequence: 1, number: 'CTR-1', createdAt: '2026-03-02T10:00:00Z' };
  const first = await store.put(doc, Buffer.from('%PDF-first'));
  const second = await store.put({ ...doc, number: 'CTR-X', createdAt: '2026-03-05T10:00:00Z' }, Buffer.from('%PDF-second'));
  expect(second).toEqual(first);
  expect((await store.read('doc-acme-site-contract-1'))!.toString()).toBe('%PDF-first');

  // Racing attempts (same rendering, same bytes) agree on one record.
  const racing = { ...doc, sequence: 2 };
  const results = await Promise.all([1, 2, 3].map((i) => store.put({ ...racing, createdAt: `2026-03-0${i}T00:00:00Z` }, Buffer.from('%PDF-same'))));
  expect(new Set(results.map((r) => r.createdAt)).size).toBe(1);
  expect(await store.get('doc-acme-site-contract-2')).toEqual(results[0]);
});

test('an invoice without its content fails at once (not retried)', async () => {
  const failure = await activities()
    .produceDocument({ projectId: 'acme-site', kind: 'final_invoice', sequence: 1, snapshot: sampleSnapshot('acme-site') })
    .catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
  expect(await store.listByProject('acme-site')).toEqual([]);
});

test('the store from config lives in DOCUMENTS_DIR', async () => {
  const fromConfig = createDocumentStoreFromConfig({ documentsDir: dir });
  await store.put({ projectId: 'acme-site', kind: 'final_report', sequence: 1, createdAt: '2026-04-02T09:00:00Z' }, Buffer.from('%PDF-1.3'));
  expect(await fromConfig.get('doc-acme-site-final_report-1')).toMatchObject({ kind: 'final_report', size: 8 });
});

test('client names in Cyrillic are printed, not mangled (an embedded Unicode font)', async () => {
  const base = sampleSnapshot('romashka-site');
  const snapshot = { ...base, client: { ...base.client, name: 'ООО «Ромашка»' }, title: 'Сайт и реклама' };
  const ref = await activities().produceDocument({ projectId: 'romashka-site', kind: 'contract', sequence: 1, snapshot });
  const text = await pdfText((await store.read(ref.documentId))!);
  expect(text).toContain('ООО «Ромашка»');
  expect(text).toContain('Сайт и реклама');
});
