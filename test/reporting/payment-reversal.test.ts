/**
 * Payments taken back, in the reporting store's ledger (facts are only ever added): a payment
 * entered by mistake leaves the period it was entered in as if it never came; one the bank returned
 * counted when it came and taken off when it went back; the same reference recorded again is a
 * payment of its own. Published again, nothing changes.
 */
import type { KpiReport } from '../../api/schemas';
import { openTestStore, type TestStore } from '../support/reporting';
import { ProjectBuilder } from './builders';
import { reportApp, type ReportApp } from './support';

const JANUARY = { from: '2026-01-05T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' };
const FEBRUARY = { from: '2026-02-02T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' };
const MANAGER = 'anna.manager';

let t: TestStore;
let r: ReportApp;
beforeAll(async () => {
  t = await openTestStore();
  r = reportApp(t.store, { now: new Date('2026-03-01T00:00:00.000Z') });
});
afterAll(async () => {
  await r?.close();
  await t?.dispose();
});

const paidIn = async (period: { from: string; to: string }): Promise<number | undefined> =>
  ((await r.http().get('/api/reports/kpis').query(period).set(r.auth('lena')).expect(200)).body as KpiReport).money.totals.find((m) => m.currency === 'EUR')?.paid;

test('a mistaken entry leaves its period; a bank return is taken off when it went back; the reference recorded again counts once more', async () => {
  const p = new ProjectBuilder({ projectId: 'p-reversal-1', managerId: MANAGER, client: { id: 'acme', name: 'ACME Ltd', segment: 'B2B' }, intakeAt: '2026-01-05T09:00:00.000Z' });
  p.invoice('final', 'INV-2026-000901', 1_000, '2026-01-10T10:00:00.000Z', undefined, { status: 'open' });
  // 300 typed where the bank says 30; 500 that arrived on the 15th and came back on 10 February.
  p.pay('INV-2026-000901', 300, '2026-01-12T10:00:00.000Z', 'BANK-1');
  p.pay('INV-2026-000901', 500, '2026-01-15T10:00:00.000Z', 'BANK-2');
  await t.store.publish(p.publish());
  expect(await paidIn(JANUARY)).toBe(800);

  p.takeBack('INV-2026-000901', 'BANK-1', 'entered_by_mistake', '2026-02-05T09:00:00.000Z');
  p.pay('INV-2026-000901', 30, '2026-01-12T10:00:00.000Z', 'BANK-1');
  p.takeBack('INV-2026-000901', 'BANK-2', 'returned_by_bank', '2026-02-10T09:00:00.000Z');
  const latest = p.publish();
  expect((await t.store.publish(latest)).factsAdded).toBe(3);
  // January: 30 (the mistake never came) + 500 (it did come then); February: the 500 went back.
  expect(await paidIn(JANUARY)).toBe(530);
  expect(await paidIn(FEBRUARY)).toBe(-500);
  // The same snapshot again, or an older one late: nothing added, nothing changed.
  expect((await t.store.publish(latest)).factsAdded).toBe(0);
  expect(await paidIn(JANUARY)).toBe(530);
});

const daysToPayment = async (period: { from: string; to: string }): Promise<KpiReport['money']['daysToPayment']> =>
  ((await r.http().get('/api/reports/kpis').query({ ...period, managerId: 'vera.manager' }).set(r.auth('lena')).expect(200)).body as KpiReport).money.daysToPayment;

test('days to payment: an invoice paid, taken back and paid again counts its last settlement; taken back and not paid again, none', async () => {
  const p = new ProjectBuilder({ projectId: 'p-reversal-days', managerId: 'vera.manager', client: { id: 'days', name: 'Days Ltd', segment: 'B2B' }, intakeAt: '2026-01-05T09:00:00.000Z' });
  p.invoice('final', 'INV-2026-000951', 1_000, '2026-01-10T00:00:00.000Z', undefined, { status: 'open' });
  p.pay('INV-2026-000951', 1_000, '2026-01-12T00:00:00.000Z', 'DAYS-1');
  p.status.invoices[0].status = 'paid';
  await t.store.publish(p.publish());
  expect(await daysToPayment(JANUARY)).toMatchObject({ invoices: 1, averageDays: 2 });

  // The bank returned it in February: the invoice is open again, settled by nothing.
  p.takeBack('INV-2026-000951', 'DAYS-1', 'returned_by_bank', '2026-02-03T00:00:00.000Z');
  await t.store.publish(p.publish());
  expect(await daysToPayment(JANUARY)).toMatchObject({ invoices: 0, averageDays: null });

  // Paid again on 20 February: settled then, 41 days after its issue.
  p.pay('INV-2026-000951', 1_000, '2026-02-20T00:00:00.000Z', 'DAYS-2');
  p.status.invoices[0].status = 'paid';
  await t.store.publish(p.publish());
  expect(await daysToPayment(JANUARY)).toMatchObject({ invoices: 0 });
  expect(await daysToPayment(FEBRUARY)).toMatchObject({ invoices: 1, averageDays: 41 });
});
