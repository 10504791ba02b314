/**
 * What the agency owes back to its clients, beside what clients owe it (the KPIs' money rows,
 * `refundsOwed`): each credit note issued by the end of the period, less the refunds paid out and
 * what was set against the client's invoices by then. A credit note is never counted as money a
 * client owes, nor among the overdue receivables.
 */
import type { KpiReport } from '../../api/schemas';
import { openTestStore, type TestStore } from '../support/reporting';
import { ProjectBuilder } from './builders';
import { reportApp, type ReportApp } from './support';

const JANUARY = { from: '2026-01-05T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' };
const FEBRUARY = { from: '2026-02-02T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' };

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

const moneyOf = async (period: { from: string; to: string }): Promise<KpiReport['money']> =>
  ((await r.http().get('/api/reports/kpis').query({ ...period, managerId: 'rita.manager' }).set(r.auth('lena')).expect(200)).body as KpiReport).money;

test('refunds owed: a credit note less what was paid out and set off by the end of the period; never counted as owed by the client', async () => {
  const p = new ProjectBuilder({ projectId: 'p-refunds-owed', managerId: 'rita.manager', client: { id: 'refunds', name: 'Refunds Ltd', segment: 'B2B' }, intakeAt: '2026-01-05T09:00:00.000Z' });
  p.invoice('final', 'INV-2026-000971', 1_000, '2026-01-10T00:00:00.000Z', '2026-01-12T00:00:00.000Z', { status: 'open' });
  p.pay('INV-2026-000971', 1_000, '2026-01-11T00:00:00.000Z', 'RF-1');
  p.status.invoices[0].status = 'paid';
  // A compensation of 300 after it was paid: owed back, due long after the period.
  p.invoice('credit_note', 'CN-2026-000971', 300, '2026-01-20T00:00:00.000Z', '2026-01-25T00:00:00.000Z', { status: 'open' });
  await t.store.publish(p.publish());
  let january = await moneyOf(JANUARY);
  expect(january.totals).toEqual([expect.objectContaining({ currency: 'EUR', outstanding: 0, overdue: 0, refundsOwed: 300 })]);
  expect(january.byManager).toEqual([expect.objectContaining({ managerId: 'rita.manager', refundsOwed: 300 })]);
  // Past its due date, it is still no client's overdue receivable.
  expect(january.overdueReceivables.invoices).toBe(0);

  // 120 paid out in February: at January's end 300 was owed back, at February's 180.
  p.pay('CN-2026-000971', 120, '2026-02-10T00:00:00.000Z', 'RF-OUT-1');
  await t.store.publish(p.publish());
  january = await moneyOf(JANUARY);
  expect(january.totals[0].refundsOwed).toBe(300);
  expect((await moneyOf(FEBRUARY)).totals[0]).toMatchObject({ refundsOwed: 180, refunded: 120 });
});
