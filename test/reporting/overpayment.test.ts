/**
 * A credit note giving back an overpayment (the client paid an invoice more than it asked; the
 * workflow credits the excess back and lists the note in the invoice's `excessCreditedBy`) is not
 * money taken off what was invoiced: refunded, or set off against another invoice, the nets equal
 * what was invoiced and paid; a compensation's credit note still is. The KPI report's money
 * figures, the list of the money behind them, the clients' spend and the project list count
 * alike. The note's first snapshot may not list it yet (the workflow adds it to
 * `excessCreditedBy` once the note is issued): a later one relabels its fact. Migration 14 labels
 * the facts a store holds from before.
 */
import type { KpiReport, ProjectListItem } from '../../api/schemas';
import type { KpiInvoicedList, KpiMoneyList, KpiPaidList } from '../../api/kpi-money-schemas';
import type { InvoiceView, ProjectStatus } from '../../workflows/project/contract';
import { MIGRATIONS, migrate } from '../../activities/reporting/migrations';
import { openDatabase, schemaIdentifier, sql } from '../../activities/reporting/sql';
import { projectFacts, projectRow } from '../../activities/reporting/facts';
import { ReportingStore } from '../../activities/reporting/store';
import { openTestStore, testReportingUrl, uniqueSchema, type TestStore } from '../support/reporting';
import { ProjectBuilder } from './builders';
import { reportApp, type ReportApp } from './support';

const NOW = new Date('2026-05-01T00:00:00.000Z');
/** One project per month, so each report counts one project's money only. */
const JANUARY = { from: '2026-01-05T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' };
const FEBRUARY = { from: '2026-02-02T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' };
const MARCH = { from: '2026-03-02T00:00:00.000Z', to: '2026-03-30T00:00:00.000Z' };
const MANAGER = 'anna.manager';
const acme = { id: 'acme', name: 'ACME Ltd', segment: 'B2B' as const };

let t: TestStore;
let r: ReportApp;
beforeAll(async () => {
  t = await openTestStore();
  r = reportApp(t.store, { now: NOW });
});
afterAll(async () => {
  await r?.close();
  await t?.dispose();
});

const invoiceOf = (p: ProjectBuilder, number: string): InvoiceView => p.status.invoices.find((i) => i.number === number)!;

/** The report's money for EUR in a period: its totals, and the clients' spend. */
async function report(period: { from: string; to: string }): Promise<{ totals: KpiReport['money']['totals'][number]; spend: number }> {
  const body = await r.answer<KpiReport>('/api/reports/kpis', period);
  const totals = body.money.totals.find((m) => m.currency === 'EUR')!;
  return { totals, spend: body.clients.spend.totals.find((s) => s.currency === 'EUR')!.spend };
}
async function invoicedList(period: { from: string; to: string }): Promise<KpiInvoicedList> {
  return r.answer<KpiMoneyList>('/api/reports/kpis/money', { ...period, flow: 'invoiced' }) as Promise<KpiInvoicedList>;
}
async function paidList(period: { from: string; to: string }): Promise<KpiPaidList> {
  return r.answer<KpiMoneyList>('/api/reports/kpis/money', { ...period, flow: 'paid' }) as Promise<KpiPaidList>;
}
async function listed(projectId: string): Promise<ProjectListItem> {
  const items = (await t.store.listProjects({}, { pageSize: 50 }, NOW)).items;
  return items.find((i) => i.projectId === projectId)!;
}

test('an invoice paid beyond its amount, the excess credited back and refunded: net invoiced and net paid are the invoice', async () => {
  const p = new ProjectBuilder({ projectId: 'p-over-refund', managerId: MANAGER, client: acme, intakeAt: '2026-01-05T09:00:00.000Z' });
  p.invoice('final', 'INV-OVER-1', 1_000, '2026-01-10T10:00:00.000Z', undefined, { status: 'open' });
  p.pay('INV-OVER-1', 1_200, '2026-01-12T10:00:00.000Z', 'BANK-1');
  // As the workflow issues the credit note: the excess counted as credited first, the note issued
  // (a snapshot may carry it now), and only then listed in `excessCreditedBy`.
  invoiceOf(p, 'INV-OVER-1').excessCredited = 200;
  p.invoice('credit_note', 'CN-OVER-1', 200, '2026-01-13T10:00:00.000Z', undefined, { status: 'open' });
  await t.store.publish(p.publish());
  invoiceOf(p, 'INV-OVER-1').excessCreditedBy = ['CN-OVER-1'];
  await t.store.publish(p.publish());
  // The manager pays the 200 back.
  p.pay('CN-OVER-1', 200, '2026-01-15T10:00:00.000Z', 'REFUND-1');
  await t.store.publish(p.publish());

  const { totals, spend } = await report(JANUARY);
  expect(totals).toMatchObject({ invoiced: 1_000, voided: 0, credited: 0, netInvoiced: 1_000, paid: 1_200, refunded: 200, netPaid: 1_000 });
  expect(spend).toBe(1_000);
  // The money behind the figures: the invoice only (no credit note), summing to the report's.
  const invoiced = await invoicedList(JANUARY);
  expect(invoiced.items.map((i) => [i.kind, i.number])).toEqual([['invoice', 'INV-OVER-1']]);
  expect(invoiced.totals).toEqual([{ currency: 'EUR', invoiced: 1_000, voided: 0, credited: 0, netInvoiced: totals.netInvoiced }]);
  // The refund is a refund all the same.
  const paid = await paidList(JANUARY);
  expect(paid.items.map((i) => [i.kind, i.number, i.amount])).toEqual([
    ['refund', 'CN-OVER-1', 200],
    ['payment', 'INV-OVER-1', 1_200],
  ]);
  expect(paid.totals).toEqual([{ currency: 'EUR', paid: 1_200, refunded: 200, netPaid: totals.netPaid }]);
  expect(await listed('p-over-refund')).toMatchObject({ invoiced: 1_000, paid: 1_000 });

  // An older snapshot arriving late does not take the label back.
  const stale: ProjectStatus = structuredClone(p.status);
  delete stale.invoices.find((i) => i.number === 'INV-OVER-1')!.excessCreditedBy;
  await t.store.publish({ kind: 'project', projectId: stale.projectId, seq: 2, snapshot: stale });
  expect((await report(JANUARY)).totals).toMatchObject({ credited: 0, netInvoiced: 1_000 });
});

test('the excess set off against a second invoice, which the client then pays the rest of: net invoiced and net paid are both invoices', async () => {
  const p = new ProjectBuilder({ projectId: 'p-over-setoff', managerId: MANAGER, client: acme, intakeAt: '2026-02-02T09:00:00.000Z' });
  p.invoice('prepayment', 'INV-OVER-2', 1_000, '2026-02-03T10:00:00.000Z', undefined, { status: 'open' });
  p.pay('INV-OVER-2', 1_200, '2026-02-05T10:00:00.000Z', 'BANK-2');
  p.invoice('final', 'INV-OVER-3', 500, '2026-02-10T10:00:00.000Z', undefined, { status: 'open' });
  const at = '2026-02-11T10:00:00.000Z';
  invoiceOf(p, 'INV-OVER-2').excessCredited = 200;
  invoiceOf(p, 'INV-OVER-2').excessCreditedBy = ['CN-OVER-2'];
  p.invoice('credit_note', 'CN-OVER-2', 200, at, undefined, { status: 'paid', setOffs: [{ invoiceNumber: 'INV-OVER-3', amount: 200, at }] });
  invoiceOf(p, 'INV-OVER-3').setOffs = [{ invoiceNumber: 'CN-OVER-2', amount: 200, at }];
  p.pay('INV-OVER-3', 300, '2026-02-16T10:00:00.000Z', 'BANK-3');
  invoiceOf(p, 'INV-OVER-3').status = 'paid';
  await t.store.publish(p.publish());

  const { totals, spend } = await report(FEBRUARY);
  expect(totals).toMatchObject({ invoiced: 1_500, voided: 0, credited: 0, netInvoiced: 1_500, paid: 1_500, refunded: 0, netPaid: 1_500 });
  expect(spend).toBe(1_500);
  const invoiced = await invoicedList(FEBRUARY);
  expect(invoiced.items.map((i) => i.number).sort()).toEqual(['INV-OVER-2', 'INV-OVER-3']);
  expect(invoiced.totals).toEqual([{ currency: 'EUR', invoiced: 1_500, voided: 0, credited: 0, netInvoiced: 1_500 }]);
  expect(await listed('p-over-setoff')).toMatchObject({ invoiced: 1_500, paid: 1_500 });
});

test('a compensation’s credit note still takes money off what was invoiced', async () => {
  const p = new ProjectBuilder({ projectId: 'p-compensation', managerId: MANAGER, client: acme, intakeAt: '2026-03-02T09:00:00.000Z' });
  p.invoice('final', 'INV-COMP-1', 1_000, '2026-03-03T10:00:00.000Z', undefined, { status: 'open' });
  p.pay('INV-COMP-1', 1_000, '2026-03-05T10:00:00.000Z', 'BANK-4');
  p.invoice('credit_note', 'CN-COMP-1', 100, '2026-03-10T10:00:00.000Z', undefined, { status: 'open' });
  p.pay('CN-COMP-1', 100, '2026-03-12T10:00:00.000Z', 'REFUND-4');
  await t.store.publish(p.publish());

  const { totals, spend } = await report(MARCH);
  expect(totals).toMatchObject({ invoiced: 1_000, credited: 100, netInvoiced: 900, paid: 1_000, refunded: 100, netPaid: 900 });
  expect(spend).toBe(900);
  const invoiced = await invoicedList(MARCH);
  expect(invoiced.items.map((i) => [i.kind, i.number])).toEqual([
    ['credit_note', 'CN-COMP-1'],
    ['invoice', 'INV-COMP-1'],
  ]);
  expect(invoiced.totals).toEqual([{ currency: 'EUR', invoiced: 1_000, voided: 0, credited: 100, netInvoiced: 900 }]);
  expect(await listed('p-compensation')).toMatchObject({ invoiced: 900, paid: 900 });
});

test('migration 14 labels the overpayments’ credit notes a store holds from before, from the stored snapshots; a compensation’s stays', async () => {
  const schema = uniqueSchema('m14');
  const url = testReportingUrl();
  const db = openDatabase({ url });
  const s = schemaIdentifier(schema);
  try {
    await migrate(db, schema, MIGRATIONS.filter((m) => m.version < 14));
    const p = new ProjectBuilder({ projectId: 'p-old-over', managerId: MANAGER, client: acme, intakeAt: '2026-01-05T09:00:00.000Z' });
    p.invoice('final', 'INV-OLD-1', 1_000, '2026-01-10T10:00:00.000Z', undefined, { status: 'paid' });
    p.pay('INV-OLD-1', 1_200, '2026-01-12T10:00:00.000Z', 'BANK-5');
    invoiceOf(p, 'INV-OLD-1').excessCredited = 200;
    invoiceOf(p, 'INV-OLD-1').excessCreditedBy = ['CN-OLD-1'];
    p.invoice('credit_note', 'CN-OLD-1', 200, '2026-01-13T10:00:00.000Z', undefined, { status: 'open' });
    p.invoice('credit_note', 'CN-OLD-2', 50, '2026-01-14T10:00:00.000Z', undefined, { status: 'open' });
    const snapshot = structuredClone(p.status);
    const row = projectRow(snapshot);
    await db.rows(sql`
      INSERT INTO ${s}.projects (project_id, seq, published_at, snapshot, title, client_id, client_name, segment, manager_id, stage,
        intake_at, has_open_complaint, closed, currency, departments)
      VALUES (${row.projectId}, 1, now(), ${JSON.stringify(snapshot)}::jsonb, ${row.title}, ${row.clientId}, ${row.clientName}, ${row.segment},
        ${row.managerId}, ${row.stage}, ${row.intakeAt}::timestamptz, ${row.hasOpenComplaint}, ${row.closed}, ${row.currency}, ARRAY['design'])`);
    // The credit notes' facts as the store wrote them before: labelled with the invoice kind.
    for (const f of projectFacts(snapshot).filter((x) => x.kind === 'credit_note' || x.kind === 'invoice')) {
      await db.rows(sql`
        INSERT INTO ${s}.facts (fact_id, kind, project_id, manager_id, ref, at, ref_at, amount, currency, label)
        VALUES (${f.factId}, ${f.kind}, ${f.projectId}, ${f.managerId}, ${f.ref}, ${f.at}::timestamptz, ${f.refAt}::timestamptz, ${f.amount},
          ${f.currency}, ${f.kind === 'credit_note' ? 'credit_note' : f.label})`);
    }
    expect(await migrate(db, schema)).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= 14));
    const labels = await db.rows<{ fact_id: string; label: string }>(sql`SELECT fact_id, label FROM ${s}.facts ORDER BY fact_id`);
    expect(labels.map((l) => [l.fact_id, l.label])).toEqual([
      ['invoice:CN-OLD-1', 'overpayment'],
      ['invoice:CN-OLD-2', 'credit_note'],
      ['invoice:INV-OLD-1', 'final'],
    ]);
    const store = await ReportingStore.open({ url, schema });
    try {
      // 1000 invoiced, less the 50 of the other credit note only.
      expect((await store.listProjects({}, { pageSize: 10 }, NOW)).items[0]).toMatchObject({ projectId: 'p-old-over', invoiced: 950 });
    } finally {
      await store.dropSchema();
      await store.close();
    }
  } finally {
    await db.close();
  }
});
