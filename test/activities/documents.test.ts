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
import { PeopleDirectory } from '../../common/people';
import { documentIdFor, parseDocumentId } from '../../activities/documents/ids';
import { renderDocument } from '../../activities/documents/pdf';
import { createDocumentStoreFromConfig, FilesystemDocumentStore, STALE_TEMP_MS } from '../../activities/documents/store';
import type { DocumentKind } from '../../workflows/project/contract';
import { finalInvoiceContent } from '../../workflows/project/state';
import { fmtMoney } from '../../activities/format';
import { agency, capturedLogger, finalInvoice, LONG_URL, longNamesSnapshot, people, sampleSnapshot } from './fixtures';

/**
 * The PDF's text, one string with whitespace collapsed (where a line wraps depends on the font's
 * metrics, not on what the document says). pdf.js (inside pdf-parse) misreads Node Buffers that
 * share the allocation pool, so it gets a Uint8Array of its own.
 */
async function pdfText(bytes: Buffer): Promise<string> {
  return (await pdfParse(new Uint8Array(bytes) as unknown as Buffer)).text.replace(/\s+/g, ' ');
}

/** One line of text as drawn: a table cell's line is one item, so a cut word shows as two items. */
interface TextItem {
  page: number;
  text: string;
  x: number;
  y: number;
  width: number;
}

/** Every text item of every page, with where it sits (points, origin bottom left) and the page size. */
async function pdfItems(bytes: Buffer): Promise<{ items: TextItem[]; pageWidth: number; pageHeight: number }> {
  const items: TextItem[] = [];
  let page = 0;
  let size = { width: 0, height: 0 };
  await pdfParse(new Uint8Array(bytes) as unknown as Buffer, {
    pagerender: async (pageData: {
      getViewport(scale: number): { width: number; height: number };
      getTextContent(): Promise<{ items: { str: string; transform: number[]; width: number }[] }>;
    }) => {
      page += 1;
      size = pageData.getViewport(1);
      for (const item of (await pageData.getTextContent()).items) {
        if (item.str.trim() !== '') items.push({ page, text: item.str, x: item.transform[4], y: item.transform[5], width: item.width });
      }
      return '';
    },
  });
  return { items, pageWidth: size.width, pageHeight: size.height };
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
const cases: { kind: DocumentKind; number?: string; invoice?: InvoiceContent; cancelled?: boolean; expected: string[]; absent?: string[] }[] = [
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
      // The work waits for the prepayment (the fixture's policy): its dates run from the payment.
      'The work starts once the prepayment is received',
      'each moves later by as long as it takes to arrive',
      'the Client is reminded',
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
      'Less prepayment (INV-2026-000007): -1,420.35 EUR',
      'Amount due: 3,314.15 EUR',
      'Due date: 2026-03-30',
      'Contract No.: CTR-2026-0042',
    ],
  },
  {
    kind: 'cancellation_invoice',
    invoice: cancellationInvoice,
    cancelled: true,
    expected: [
      'INV-2026-000031',
      'Work accepted before the cancellation',
      'Accepted work: 3,500.00 EUR',
      'Less prepayment received (INV-2026-000007): -1,420.35 EUR',
      'Amount due: 2,079.65 EUR',
      'cancelled on 2026-03-08 while the work was under way.',
    ],
    // The agency's reason for cancelling is its own note, not the client's paper.
    absent: ['closed the spring campaign', 'Reason'],
  },
  {
    kind: 'acceptance_act',
    number: 'ACT-2026-0007',
    expected: ['ACT-2026-0007', 'Under contract No.: CTR-2026-0042', 'Landing page design', 'Total: 4,734.50 EUR', 'Looks great', 'Signature'],
  },
  {
    kind: 'final_report',
    expected: [
      'Final project report',
      'Anna Petrova',
      'response time 4 hours',
      'Sent back by Lena Smirnova',
      'Add the copy to the plan',
      'Approved by Lena Smirnova',
      'Dima Kozlov',
      'Ivan Volkov',
      'Outcome: Completed on 2026-04-02',
      'on time',
      'late',
      "1 of 2 delivered tasks on time (first delivery against the plan's due date); 1 review round in total.",
      'Brighter hero image',
      'rating 4/5',
      'Apologised and gave a discount',
      'INV-2026-000007',
      'GLX-PAY-1',
      'Outstanding: 3,314.15 EUR',
      'plan approved',
    ],
  },
];

test.each(cases)('a $kind is a PDF with the agency, the client, its number, lines and totals', async ({ kind, number, invoice, cancelled, expected, absent = [] }) => {
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
  for (const fragment of absent) expect(text).not.toContain(fragment);
});

test('a final report of a cancelled project says it was cancelled, when and why', async () => {
  // The client's request for changes that was waiting: closed by the cancellation, unanswered.
  const waiting = { requestId: 'r1', at: '2026-03-07T10:00:00Z', description: 'A bigger logo', clientContact: 'Jane Doe', deliveryRound: 0 };
  const closed = { ...waiting, outcome: 'project_cancelled' as const, answeredAt: cancellation.at, answeredBy: cancellation.by };
  const snapshot = sampleSnapshot('acme-site', { stage: 'cancelled', cancellation, completedAt: undefined, changeRequests: [closed] });
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'final_report', sequence: 1, snapshot });
  const text = await pdfText((await store.read(ref.documentId))!);
  expect(text).toContain('2026-03-07, Jane Doe: A bigger logo — not answered: the project was cancelled on 2026-03-08');
  expect(text).toContain('Outcome: Cancelled on 2026-03-08 while the work was under way');
  expect(text).not.toContain('Completed on');
  expect(text).toContain('cancelled on 2026-03-08 11:00 UTC by Anna Petrova (anna.manager) while the work was under way');
  expect(text).toContain('Reason: The client closed the spring campaign');
});

test('a final report names someone who has left by the name the people file keeps (formerPeople), an id it no longer has by id', async () => {
  const snapshot = sampleSnapshot('acme-left', { stage: 'cancelled', cancellation: { ...cancellation, by: 'boris.left' }, completedAt: undefined });
  const directory = new PeopleDirectory(people.all(), { former: [{ id: 'boris.left', name: 'Boris Lebedev', leftOn: '2026-03-31' }] });
  const kept = createDocumentActivities({ store, logger: capturedLogger().logger, agency, people: directory });
  const named = await pdfText((await store.read((await kept.produceDocument({ projectId: 'acme-left', kind: 'final_report', sequence: 1, snapshot })).documentId))!);
  expect(named).toContain('cancelled on 2026-03-08 11:00 UTC by Boris Lebedev (boris.left) while the work was under way');
  const byId = await pdfText((await store.read((await activities().produceDocument({ projectId: 'acme-left', kind: 'final_report', sequence: 2, snapshot })).documentId))!);
  expect(byId).toContain('cancelled on 2026-03-08 11:00 UTC by boris.left while the work was under way');
});

test("papers are dated in the agency's zone (AGENCY_TIME_ZONE): an invoice issued late on New Year's Eve in UTC is of 1 January in Berlin, and times name the zone", async () => {
  const inBerlin = createDocumentActivities({ store, logger: capturedLogger().logger, agency: { ...agency, timeZone: 'Europe/Berlin' }, people });
  const lateInvoice: InvoiceContent = { ...prepaymentInvoice, number: 'INV-2026-000099', issuedAt: '2026-12-31T23:30:00Z', dueAt: '2027-01-14T23:30:00Z' };
  const invoice = await inBerlin.produceDocument({ projectId: 'acme-site', kind: 'prepayment_invoice', sequence: 1, snapshot: sampleSnapshot('acme-site'), invoice: lateInvoice });
  const invoiceText = await pdfText((await store.read(invoice.documentId))!);
  expect(invoiceText).toContain('Date of issue: 2027-01-01');
  expect(invoiceText).toContain('Due date: 2027-01-15');

  const snapshot = sampleSnapshot('acme-site', { stage: 'cancelled', cancellation, completedAt: undefined });
  const report = await inBerlin.produceDocument({ projectId: 'acme-site', kind: 'final_report', sequence: 1, snapshot });
  const reportText = await pdfText((await store.read(report.documentId))!);
  expect(reportText).toContain('cancelled on 2026-03-08 12:00 CET by Anna Petrova (anna.manager)');
  expect(reportText).not.toMatch(/\d{2}:\d{2} UTC/);
});

test("a compensation's credit note names its complaint by the agency's day, never the UTC day the workflow's line carries", async () => {
  // Made at 20:00 UTC on 14 March: the 15th in Tokyo. The workflow's line (activity input) says "of 2026-03-14".
  const base = sampleSnapshot('acme-site');
  const snapshot: ReturnType<typeof sampleSnapshot> = { ...base, complaints: [{ ...base.complaints[0], at: '2026-03-14T20:00:00Z', compensation: { amount: 150, settled: false } }] };
  const note: InvoiceContent = {
    kind: 'credit_note',
    number: 'CN-2026-000003',
    amount: 150,
    currency: 'EUR',
    issuedAt: '2026-03-20T10:00:00Z',
    dueAt: '2026-04-03T10:00:00Z',
    lines: [{ description: 'Compensation agreed in resolving your complaint of 2026-03-14', amount: 150 }],
    compensations: [{ complaintId: 'c-1', amount: 150 }],
    refundsCompensation: true,
  };
  const inTokyo = createDocumentActivities({ store, logger: capturedLogger().logger, agency: { ...agency, timeZone: 'Asia/Tokyo' }, people });
  const ref = await inTokyo.produceDocument({ projectId: 'acme-site', kind: 'credit_note', sequence: 1, snapshot, invoice: note });
  const text = (await pdfText((await store.read(ref.documentId))!)).replace(/\s+/g, ' ');
  expect(text).toContain('Compensation agreed (complaint of 2026-03-15): 150.00 EUR');
  expect(text).toContain("agreed in resolving the Client's complaint of 2026-03-15");
  expect(text).not.toContain('2026-03-14');
});

test('a final report names who at the client answered on their page, for an acceptance and a complaint, and the changes they asked for there', async () => {
  const base = sampleSnapshot('acme-site');
  const client = 'client:globex';
  const snapshot: ReturnType<typeof sampleSnapshot> = {
    ...base,
    feedback: [
      { at: '2026-03-14T10:00:00Z', kind: 'complaint', description: 'The first draft was late', recordedBy: client, clientContact: 'Jane Doe' },
      { at: '2026-03-16T10:00:00Z', kind: 'accepted', rating: 5, comment: 'Lovely', recordedBy: client, clientContact: 'John Roe' },
    ],
    complaints: [{ ...base.complaints[0], recordedBy: client, clientContact: 'Jane Doe' }],
    changeRequests: [
      { requestId: 'r1', at: '2026-03-12T10:00:00Z', description: 'A bigger logo', clientContact: 'Jane Doe', deliveryRound: 0, outcome: 'round_recorded', round: 1, answeredAt: '2026-03-12T12:00:00Z', answeredBy: 'anna.manager' },
      { requestId: 'r2', at: '2026-03-15T10:00:00Z', description: 'A darker blue', clientContact: 'John Roe', deliveryRound: 1, outcome: 'declined', reply: 'The blue is your brand colour', answeredAt: '2026-03-15T12:00:00Z', answeredBy: 'anna.manager' },
    ],
    timeline: [...base.timeline, { at: '2026-03-16T10:00:00Z', event: 'client_accepted', by: client, detail: 'rating 5: Lovely' }],
  };
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'final_report', sequence: 1, snapshot });
  const text = (await pdfText((await store.read(ref.documentId))!)).replace(/\s+/g, ' ');
  expect(text).toContain("accepted (John Roe, on the client's page), rating 5/5 — Lovely");
  expect(text).toContain("(made by Jane Doe on the client's page): The first draft was late");
  expect(text).toContain('the client (on their page)');
  expect(text).not.toContain('client:globex');
  // Changes asked for there, and how each was answered.
  expect(text).toContain('Changes asked for on the client\u2019s page:');
  expect(text).toContain('2026-03-12, Jane Doe: A bigger logo — round 1 recorded for it');
  expect(text).toContain('2026-03-15, John Roe: A darker blue — answered without a round on 2026-03-15: The blue is your brand colour');
});

test('a final report names changes the client asked for by mail or phone as the manager recorded them, beside those asked on their page', async () => {
  const base = sampleSnapshot('acme-site');
  const snapshot: ReturnType<typeof sampleSnapshot> = {
    ...base,
    changeRequests: [
      { requestId: 'r1', at: '2026-03-12T10:00:00Z', description: 'A bigger logo', clientContact: 'Jane Doe', deliveryRound: 0, outcome: 'round_recorded', round: 1, answeredAt: '2026-03-12T12:00:00Z', answeredBy: 'anna.manager' },
      { requestId: 'r2', at: '2026-03-15T10:00:00Z', description: 'A darker blue', clientContact: 'John Roe', recordedBy: 'anna.manager', deliveryRound: 1, outcome: 'declined', reply: 'The blue is your brand colour', answeredAt: '2026-03-15T12:00:00Z', answeredBy: 'anna.manager' },
    ],
  };
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'final_report', sequence: 1, snapshot });
  const text = (await pdfText((await store.read(ref.documentId))!)).replace(/\s+/g, ' ');
  expect(text).toContain('Changes the client asked for:');
  expect(text).toContain('2026-03-12, Jane Doe (on their page): A bigger logo — round 1 recorded for it');
  expect(text).toContain('2026-03-15, John Roe (by mail or phone, recorded by Anna Petrova (anna.manager)): A darker blue — answered without a round');
});

test('an acceptance act records every complaint and how it was settled, drops the rating, and nets the compensation as the final invoice sent with it does', async () => {
  const base = sampleSnapshot('acme-site');
  // As at the act's making: the work accepted, the final invoice not issued yet (it comes right after).
  const snapshot: ReturnType<typeof sampleSnapshot> = {
    ...base,
    stage: 'invoicing',
    completedAt: undefined,
    invoices: [base.invoices[0]],
    complaints: [
      ...base.complaints,
      {
        complaintId: 'c-2',
        description: 'The hero image is too dark',
        at: '2026-03-15T09:00:00Z',
        recordedBy: 'anna.manager',
        resolution: 'Internal: Dima to brighten it; offered 150',
        resolvedAt: '2026-03-15T16:00:00Z',
        resolvedBy: 'anna.manager',
        compensation: { amount: 150, settled: false },
      },
      { complaintId: 'c-3', description: 'The copy has a typo', at: '2026-03-16T09:00:00Z', recordedBy: 'anna.manager' },
    ],
  };
  const { produceDocument } = activities();
  const act = await produceDocument({ projectId: 'acme-site', kind: 'acceptance_act', sequence: 1, number: 'ACT-2026-0009', snapshot });
  const text = await pdfText((await store.read(act.documentId))!);

  for (const fragment of [
    'The parties have no claims against each other regarding its scope, quality and timing, except as recorded in this act (Complaints, below).',
    'Price of the work: 4,734.50 EUR',
    'Less compensation agreed (complaint of 2026-03-15): -150.00 EUR',
    'Total after compensation: 4,584.50 EUR',
    'The final invoice sent with this act asks 3,164.15 EUR: the total after compensation less the prepayment invoiced (INV-2026-000007, 1,420.35 EUR).',
    'Complaint of 2026-03-14 (“The first draft was late”): resolved on 2026-03-15; no compensation was agreed.',
    'Complaint of 2026-03-15 (“The hero image is too dark”): resolved on 2026-03-15 with a compensation of 150.00 EUR, taken off the final invoice sent with this act.',
    "Complaint of 2026-03-16 (“The copy has a typo”): not resolved at the date of this act. The Client's claims under it are not waived by this act.",
    'Accepted on 2026-03-16: "Looks great"',
  ]) {
    expect(text).toContain(fragment);
  }
  // The client's rating is the agency's own measure (the final report keeps it); the agency's notes on a resolution stay inside.
  expect(text).not.toMatch(/rating|4\/5/i);
  expect(text).not.toContain('Internal: Dima');

  // The final invoice the workflow issues next, by its own rule, asks exactly what the act says.
  const final = finalInvoiceContent(snapshot);
  const invoice: InvoiceContent = { ...finalInvoice, amount: final.amount, lines: final.lines, prepaymentDeducted: final.prepaymentDeducted, compensations: final.compensations };
  const bill = await produceDocument({ projectId: 'acme-site', kind: 'final_invoice', sequence: 1, snapshot, invoice });
  const billText = await pdfText((await store.read(bill.documentId))!);
  expect(billText).toContain('Less compensation agreed (complaint of 2026-03-15): -150.00 EUR');
  expect(billText).toContain('Amount due: 3,164.15 EUR');
});

test('an acceptance act of a project without complaints waives all claims, with no exception it does not record', async () => {
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'acceptance_act', sequence: 1, number: 'ACT-2026-0010', snapshot: sampleSnapshot('acme-site', { complaints: [] }) });
  const text = await pdfText((await store.read(ref.documentId))!);
  expect(text).toContain('The parties have no claims against each other regarding its scope, quality and timing.');
  expect(text).not.toMatch(/except as recorded|Complaints|compensation/);
  expect(text).toContain('Total: 4,734.50 EUR');
});

test("an acceptance act names a revision's work once, by the title that already says its round", async () => {
  const base = sampleSnapshot('acme-site');
  const design = base.tasks.find((t) => t.taskId === 'acme-site.design')!;
  const revision = { ...design, taskId: 'acme-site.rev1.design', key: 'rev1.design', title: 'Revision 1 (Design)', revisionRound: 1 };
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'acceptance_act', sequence: 1, number: 'ACT-2026-0008', snapshot: { ...base, tasks: [...base.tasks, revision] } });
  const text = await pdfText((await store.read(ref.documentId))!);
  expect(text).toContain('Revision 1 (Design)');
  expect(text).not.toContain('revision round 1');
});

test('a long final report flows over several pages without losing rows', async () => {
  const base = sampleSnapshot('acme-site');
  const timeline = Array.from({ length: 150 }, (_, i) => ({ at: `2026-03-0${1 + (i % 9)}T10:00:00Z`, event: `event_${i}` }));
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'final_report', sequence: 1, snapshot: { ...base, timeline } });
  const parsed = await pdfParse(new Uint8Array((await store.read(ref.documentId))!) as unknown as Buffer);
  expect(parsed.numpages).toBeGreaterThan(2);
  expect(parsed.text).toContain('event 0');
  expect(parsed.text).toContain('event 149');
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

test('temp files a crash left behind are removed by the next write into the project, once stale', async () => {
  const projectDir = path.join(dir, 'acme-site');
  await fs.promises.mkdir(projectDir, { recursive: true });
  const stale = path.join(projectDir, '.tmp-left-by-a-killed-worker');
  const fresh = path.join(projectDir, '.tmp-being-written-now');
  await fs.promises.writeFile(stale, '%PDF-half');
  await fs.promises.writeFile(fresh, '%PDF-half');
  const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
  await fs.promises.utimes(stale, old, old);
  await store.put({ projectId: 'acme-site', kind: 'contract', sequence: 1, number: 'CTR-1', createdAt: '2026-03-02T10:00:00Z' }, Buffer.from('%PDF-1'));
  const names = await fs.promises.readdir(projectDir);
  expect(names).not.toContain('.tmp-left-by-a-killed-worker');
  expect(names).toContain('.tmp-being-written-now'); // another writer's file in progress is left alone
  expect(await store.listByProject('acme-site')).toHaveLength(1);
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

// ---------------------------------------------------------------------------------------------
// Money in the currency's own minor units
// ---------------------------------------------------------------------------------------------

test('amounts print with the minor units of their currency: JPY none, EUR two, KWD three', () => {
  expect(fmtMoney(120000, 'JPY')).toBe('120,000 JPY');
  expect(fmtMoney(1234.5, 'EUR')).toBe('1,234.50 EUR');
  expect(fmtMoney(0.1 + 0.2, 'EUR')).toBe('0.30 EUR');
  expect(fmtMoney(12.345, 'KWD')).toBe('12.345 KWD');
  expect(fmtMoney(0.001, 'KWD')).toBe('0.001 KWD');
  expect(fmtMoney(1_000_000.005, 'KWD')).toBe('1,000,000.005 KWD');
  expect(fmtMoney(-970.47, 'KWD')).toBe('-970.470 KWD');
});

/** The sample project in another currency: its plan, its invoices and the invoice printed. */
function inCurrency(currency: string, prices: [number, number], prepayment: number): { snapshot: ReturnType<typeof sampleSnapshot>; invoice: InvoiceContent } {
  const base = sampleSnapshot('acme-site');
  const [a, b] = prices;
  const total = Number((a + b).toFixed(3));
  const plans = base.plans.map((p) => (p.version === 2 ? { ...p, tasks: [{ ...p.tasks[0], price: a }, { ...p.tasks[1], price: b }], total } : p));
  const invoices = base.invoices.map((i) => ({ ...i, currency, amount: i.kind === 'prepayment' ? prepayment : i.amount, payments: [] }));
  const invoice: InvoiceContent = {
    ...finalInvoice,
    currency,
    lines: [
      { description: 'Landing page design', amount: a },
      { description: 'Landing page copy', amount: b },
    ],
    prepaymentDeducted: prepayment,
    amount: Number((total - prepayment).toFixed(3)),
  };
  return { snapshot: { ...base, budget: { amount: 6000, currency }, plans, invoices }, invoice };
}

test('a JPY invoice and contract print whole yen, never decimals', async () => {
  const { snapshot, invoice } = inCurrency('JPY', [350000, 123450], 142035);
  const { produceDocument } = activities();
  const bill = await produceDocument({ projectId: 'acme-site', kind: 'final_invoice', sequence: 1, snapshot, invoice });
  const contract = await produceDocument({ projectId: 'acme-site', kind: 'contract', sequence: 1, number: 'CTR-1', snapshot });

  const billText = await pdfText((await store.read(bill.documentId))!);
  for (const fragment of ['350,000 JPY', '123,450 JPY', 'Subtotal: 473,450 JPY', 'Less prepayment (INV-2026-000007): -142,035 JPY', 'Amount due: 331,415 JPY', 'Please pay 331,415 JPY']) {
    expect(billText).toContain(fragment);
  }
  const contractText = await pdfText((await store.read(contract.documentId))!);
  expect(contractText).toContain('Total: 473,450 JPY');
  expect(contractText).toContain('30% of the total (142,035 JPY)');
  expect(contractText).toContain('the remainder (331,415 JPY)');
  expect(`${billText} ${contractText}`).not.toMatch(/\d\.\d+ JPY/);
});

test('a contract prepaid in full promises no invoice of nothing on acceptance', async () => {
  const { snapshot } = inCurrency('EUR', [1000, 800.5], 0);
  const prepaid = { ...snapshot, plans: snapshot.plans.map((p) => ({ ...p, prepaymentPercent: 100 })) };
  const contract = await activities().produceDocument({ projectId: 'acme-site', kind: 'contract', sequence: 1, number: 'CTR-100', snapshot: prepaid });
  const text = await pdfText((await store.read(contract.documentId))!);
  expect(text).toContain('Prepayment: the whole total (1,800.50 EUR), invoiced on approval; nothing more is invoiced on acceptance.');
  expect(text).not.toContain('remainder');
});

test('a KWD invoice and contract keep all three decimals through every sum and deduction', async () => {
  // The lines add up to 3,234.901: a sum rounded to cents anywhere would print 3,234.900.
  const { snapshot, invoice } = inCurrency('KWD', [1234.567, 2000.334], 970.47);
  const { produceDocument } = activities();
  const bill = await produceDocument({ projectId: 'acme-site', kind: 'final_invoice', sequence: 1, snapshot, invoice });
  const contract = await produceDocument({ projectId: 'acme-site', kind: 'contract', sequence: 1, number: 'CTR-1', snapshot });

  const billText = await pdfText((await store.read(bill.documentId))!);
  for (const fragment of ['1,234.567 KWD', '2,000.334 KWD', 'Subtotal: 3,234.901 KWD', '-970.470 KWD', 'Amount due: 2,264.431 KWD']) {
    expect(billText).toContain(fragment);
  }
  const contractText = await pdfText((await store.read(contract.documentId))!);
  expect(contractText).toContain('Total: 3,234.901 KWD');
  expect(contractText).toContain('30% of the total (970.470 KWD)'); // 970.4703 rounded to the fils
  expect(contractText).toContain('the remainder (2,264.431 KWD)');
  expect(`${billText} ${contractText}`).not.toMatch(/\d\.\d\d KWD|\d\.\d{4,} KWD/);
});

// ---------------------------------------------------------------------------------------------
// Tables on A4: words and dates whole
// ---------------------------------------------------------------------------------------------

/** Words a narrow column would cut; each must only ever appear whole. */
const LONG_WORDS = [
  'Internationalisation',
  'Departmental',
  'Communications',
  'Strategy',
  'Contextual',
  'advertising',
  'Transportation',
  'Department',
  'Konstantin',
  'Konstantinopolsky-Vasilevsky',
  'Analytics',
  'Copywriting',
  'Assignee',
  'delivery',
];

const longInvoice: InvoiceContent = {
  ...finalInvoice,
  lines: [
    { description: 'Internationalisation of the Departmental Communications Strategy (Contextual ads)', amount: 3500 },
    { description: `Contextual advertising campaign for the Department of Transportation, brand book ${LONG_URL}`, amount: 1234.5 },
  ],
};

const A4 = { width: 595.28, height: 841.89, margin: 50 };

test.each<DocumentKind>(['contract', 'final_invoice', 'cancellation_invoice', 'credit_note', 'acceptance_act', 'final_report'])(
  'the %s keeps every word and date whole and stays within the A4 margins',
  async (kind) => {
    const snapshot = { ...longNamesSnapshot('acme-site'), ...(kind === 'cancellation_invoice' || kind === 'credit_note' ? { cancellation } : {}) };
    const invoice = kind.endsWith('invoice') || kind === 'credit_note' ? { ...longInvoice, kind: kind === 'credit_note' ? ('credit_note' as const) : ('final' as const) } : undefined;
    const ref = await activities().produceDocument({ projectId: 'acme-site', kind, sequence: 1, number: 'N-1', snapshot, invoice });
    const { items, pageWidth, pageHeight } = await pdfItems((await store.read(ref.documentId))!);

    expect(pageWidth).toBeCloseTo(A4.width, 1);
    expect(pageHeight).toBeCloseTo(A4.height, 1);
    for (const item of items) {
      expect({ text: item.text, left: item.x >= A4.margin - 0.5, right: item.x + item.width <= A4.width - A4.margin + 0.5 }).toEqual({
        text: item.text,
        left: true,
        right: true,
      });
    }

    const tokens = items.flatMap((i) => i.text.split(/\s+/).map((t) => ({ raw: t, word: t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '') })));
    // A cut word leaves a piece that is the start or the end of a long word, and not a word itself.
    const pieces = tokens.filter(
      ({ word }) => word.length >= 3 && !LONG_WORDS.includes(word) && LONG_WORDS.some((w) => w.startsWith(word) || w.endsWith(word)),
    );
    expect(pieces).toEqual([]);
    // Dates are whole: every token that starts like a date is a whole date.
    expect(tokens.filter(({ word }) => /^\d{4}-\d/.test(word) && !/^\d{4}-\d{2}-\d{2}$/.test(word))).toEqual([]);
    // Only the URL, a token too long for any column, is hyphenated (or cut after one of its "/" or "-").
    for (const item of items.filter((i) => /-$/.test(i.text.trim()))) expect(LONG_URL).toContain(item.text.trim().replace(/-$/, ''));
  },
);

test("the final report's task table shows department, assignee, the plan's due date and where it moved, the first delivery, on time and review rounds", async () => {
  const snapshot = longNamesSnapshot('acme-site');
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'final_report', sequence: 1, snapshot });
  const { items } = await pdfItems((await store.read(ref.documentId))!);
  const texts = items.map((i) => i.text);
  for (const word of LONG_WORDS.filter((w) => w !== 'delivery')) expect(texts.some((t) => t.split(/[\s(),]+/).includes(word))).toBe(true);

  /** The text in a row (found by the first line of its first cell) under a column (found by its header's first line). */
  const cell = (row: string, header: string): string | undefined => {
    const first = items.find((i) => Math.abs(i.x - (A4.margin + 3)) < 0.5 && i.text.startsWith(row)); // the first column's text
    // The header nearest above the row (PDF y grows upwards).
    const column = items
      .filter((i) => i.page === first?.page && i.y > first.y && (i.text === header || i.text.startsWith(`${header} `)))
      .sort((a, b) => a.y - b.y)[0];
    return items.find((i) => i.page === first?.page && Math.abs(i.y - first.y) < 0.5 && Math.abs(i.x - column!.x) < 0.5)?.text;
  };
  const design = 'Internationalisation';
  const ads = 'Contextual';
  expect(cell(design, 'Department')).toBe('Ads');
  expect(cell(design, 'Assignee')).toBe('Konstantin');
  expect(cell(design, 'Due')).toBe('2026-11-20'); // the plan's
  expect(cell(design, 'Moved')).toBe('2026-11-30');
  expect(cell(design, 'First')).toBe('2026-11-25'); // after the plan's date, before the moved one:
  expect(cell(design, 'On')).toBe('late'); // judged against the plan
  expect(cell(ads, 'Due')).toBe('2026-11-30');
  expect(cell(ads, 'Moved')).toBe('—');
  expect(cell(ads, 'First')).toBe('2026-11-29');
  expect(cell(ads, 'On')).toBe('on time');
  expect(texts).toContain('Konstantinopolsky-Vasilevsky');
  expect(texts).toContain('(konstantin.ads)');
});

// ---------------------------------------------------------------------------------------------
// Money on the edge paths: voided prepayments, credit notes, outcomes
// ---------------------------------------------------------------------------------------------

function cancelledSnapshot(invoices: ReturnType<typeof sampleSnapshot>['invoices']): ReturnType<typeof sampleSnapshot> {
  const base = sampleSnapshot('acme-site');
  return {
    ...base,
    stage: 'cancelled',
    cancellation,
    completedAt: undefined,
    tasks: [base.tasks[0], { ...base.tasks[1], status: 'cancelled', acceptedAt: undefined, firstSubmittedAt: undefined, submittedAt: undefined, onTime: undefined }],
    invoices,
  };
}

const unpaidPrepaymentVoided = {
  ...sampleSnapshot('acme-site').invoices[0],
  payments: [],
  paidAmount: 0,
  status: 'void' as const,
  voidedAmount: 1420.35,
  voidedAt: '2026-03-08T11:00:00Z',
  voidReason: 'the project was cancelled',
};

test('a cancellation invoice bills the accepted work and names the prepayment invoice it voided', async () => {
  const snapshot = cancelledSnapshot([unpaidPrepaymentVoided]);
  const invoice: InvoiceContent = { ...cancellationInvoice, amount: 3500, prepaymentDeducted: undefined };
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'cancellation_invoice', sequence: 1, snapshot, invoice });
  const text = await pdfText((await store.read(ref.documentId))!);

  expect(text).toContain('Landing page design (accepted work)');
  expect(text).toContain('Accepted work: 3,500.00 EUR');
  expect(text).not.toContain('Less prepayment');
  expect(text).toContain('Amount due: 3,500.00 EUR');
  expect(text).toContain('Prepayment invoice INV-2026-000007 (1,420.35 EUR) is void: the unpaid 1,420.35 EUR is no longer owed and must not be paid.');
});

test('a credit note says what is owed back and why, by when, and how the client gives their bank details', async () => {
  const prepaid = { ...sampleSnapshot('acme-site').invoices[0] }; // 1,420.35 paid
  const snapshot = cancelledSnapshot([prepaid]);
  const note: InvoiceContent = {
    kind: 'credit_note',
    number: 'INV-2026-000032',
    amount: 420.35,
    currency: 'EUR',
    issuedAt: '2026-03-08T12:00:00Z',
    dueAt: '2026-03-22T12:00:00Z',
    lines: [{ description: 'Landing page copy (copywriting), accepted', amount: 1000 }],
    prepaymentDeducted: 1420.35,
  };
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'credit_note', sequence: 1, snapshot, invoice: note });
  expect(ref).toMatchObject({ documentId: 'doc-acme-site-credit_note-1', kind: 'credit_note', number: 'INV-2026-000032' });
  const text = await pdfText((await store.read(ref.documentId))!);

  for (const fragment of [
    'Credit note INV-2026-000032',
    'Credit note No.: INV-2026-000032',
    'Refund due by: 2026-03-22',
    'Northwind Creative Agency owes Globex Corporation 420.35 EUR',
    'The project was cancelled on 2026-03-08 while the work was under way.',
    'had paid 1,420.35 EUR in advance (prepayment invoice INV-2026-000007)',
    'the work accepted up to the cancellation is worth 1,000.00 EUR',
    'Landing page copy (copywriting), accepted',
    'Prepayment received: 1,420.35 EUR',
    'Less work accepted: -1,000.00 EUR',
    'Refund owed to the Client: 420.35 EUR',
    'refunds 420.35 EUR to the Client by 2026-03-22',
    'account holder, IBAN or account number, bank name and BIC/SWIFT',
    'Anna Petrova (anna.manager@agency.example)',
    'quoting INV-2026-000032',
  ]) {
    expect(text).toContain(fragment);
  }
  expect(text).not.toMatch(/Please pay|Amount due/);
  // The reason is the agency's own note: the client's paper leaves it out (the final report keeps it).
  expect(text).not.toContain('closed the spring campaign');
  expect((await store.get(ref.documentId))?.fileName).toBe('credit_note-INV-2026-000032.pdf');
});

test('a credit note for an overpayment names the invoice paid beyond, what it asked and what came, and refunds the rest after what it set off', async () => {
  const snapshot = sampleSnapshot('acme-site');
  const overpaid = { ...snapshot.invoices[0], paidAmount: 2_840.7 }; // asked 1,420.35, paid twice
  const note: InvoiceContent = {
    kind: 'credit_note',
    number: 'INV-2026-000033',
    amount: 1_420.35,
    currency: 'EUR',
    issuedAt: '2026-03-08T12:00:00Z',
    dueAt: '2026-03-22T12:00:00Z',
    lines: [{ description: `Paid beyond invoice ${overpaid.number}: returned to you`, amount: 1_420.35 }],
    overpaymentOf: overpaid.number,
    setOffs: [{ invoiceNumber: 'INV-2026-000040', amount: 1_000, stillOwed: 0 }],
  };
  const ref = await activities().produceDocument({ projectId: 'acme-site', kind: 'credit_note', sequence: 1, snapshot: { ...snapshot, invoices: [overpaid] }, invoice: note });
  const text = await pdfText((await store.read(ref.documentId))!);
  for (const fragment of [
    `Credit note to prepayment invoice ${overpaid.number}`,
    `Northwind Creative Agency credits Globex Corporation 1,420.35 EUR, paid beyond what invoice ${overpaid.number} asked: 1,000.00 EUR of it is taken off what the Client has not paid, and 420.35 EUR is refunded.`,
    `Invoice ${overpaid.number} asked 1,420.35 EUR; the Client paid 2,840.70 EUR on it.`,
    `Paid beyond invoice ${overpaid.number}: 1,420.35 EUR`,
    'Set against invoice INV-2026-000040 (not yet paid in full): -1,000.00 EUR',
    'Refund owed to the Client: 420.35 EUR',
    'refunds 420.35 EUR to the Client by 2026-03-22',
  ]) {
    expect(text).toContain(fragment);
  }
  // Not a cancellation's credit note, nor a compensation's.
  expect(text).not.toMatch(/cancel|compensation/i);
});

test('the final report shows a voided invoice as void and counts only what is owed; credit notes apart, as refunds', async () => {
  const partlyPaidVoided = {
    ...unpaidPrepaymentVoided,
    payments: [{ amount: 420.35, paidAt: '2026-03-04T10:00:00Z', reference: 'GLX-PAY-1', recordedAt: '2026-03-04T11:00:00Z', recordedBy: 'anna.manager' }],
    paidAmount: 420.35,
    voidedAmount: 1000,
  };
  const cancellationBill = {
    kind: 'cancellation' as const,
    number: 'INV-2026-000031',
    amount: 3079.65,
    currency: 'EUR',
    issuedAt: '2026-03-08T12:00:00Z',
    dueAt: '2026-03-22T12:00:00Z',
    payments: [],
    paidAmount: 0,
    status: 'open' as const,
  };
  const ref = await activities().produceDocument({
    projectId: 'acme-site',
    kind: 'final_report',
    sequence: 1,
    snapshot: cancelledSnapshot([partlyPaidVoided, cancellationBill]),
  });
  const text = await pdfText((await store.read(ref.documentId))!);
  expect(text).toContain('void since 2026-03-08');
  expect(text).toContain('1,000.00 EUR'); // the voided column
  expect(text).toContain('INV-2026-000007 is void: 1,000.00 EUR of it is not owed (the project was cancelled); the 420.35 EUR paid on it stays paid.');
  expect(text).toContain('Invoiced and owed (voided parts excluded): 3,500.00 EUR');
  expect(text).toContain('Paid by the client: 420.35 EUR');
  expect(text).toContain('Outstanding: 3,079.65 EUR');
  expect(text).not.toContain('Refunds');

  // Prepaid 1,420.35 for 1,000.00 of accepted work: 420.35 is owed back, and not yet paid.
  const creditNote = { ...cancellationBill, kind: 'credit_note' as const, number: 'INV-2026-000032', amount: 420.35 };
  const withRefund = await activities().produceDocument({
    projectId: 'acme-site',
    kind: 'final_report',
    sequence: 2,
    snapshot: cancelledSnapshot([sampleSnapshot('acme-site').invoices[0], creditNote]),
  });
  const refundText = await pdfText((await store.read(withRefund.documentId))!);
  expect(refundText).toContain('credit note');
  expect(refundText).toContain('refund due');
  expect(refundText).toContain('Invoiced and owed (voided parts excluded): 1,420.35 EUR');
  expect(refundText).toContain('Outstanding: 0.00 EUR');
  expect(refundText).toContain('Refunds owed to the client (credit notes): 420.35 EUR');
  expect(refundText).toContain('Refunds paid: 0.00 EUR');

  // Leadership wrote off the rest of the bill: listed as written off, with why, not as owed.
  const writtenOffBill = {
    ...cancellationBill,
    paidAmount: 79.65,
    status: 'void' as const,
    voidedAmount: 3000,
    voidedAt: '2026-04-20T09:00:00Z',
    voidReason: 'written off',
    writtenOff: { by: 'lena.director', at: '2026-04-20T09:00:00Z', reason: 'the client closed down', amount: 3000 },
  };
  const withWriteOff = await activities().produceDocument({
    projectId: 'acme-site',
    kind: 'final_report',
    sequence: 3,
    snapshot: cancelledSnapshot([partlyPaidVoided, writtenOffBill]),
  });
  const writeOffText = await pdfText((await store.read(withWriteOff.documentId))!);
  expect(writeOffText).toContain('written off 2026-04-20');
  expect(writeOffText).toContain('INV-2026-000031 was written off on 2026-04-20: 3,000.00 EUR of it is not pursued (the client closed down); the 79.65 EUR paid on it stays paid.');
  expect(writeOffText).toContain('Outstanding: 0.00 EUR');
  expect(refundText).toContain('Refunds still to pay: 420.35 EUR');
});
