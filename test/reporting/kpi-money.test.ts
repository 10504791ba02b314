/**
 * The invoices and payments behind the KPI report's money figures and its sales plan (GET
 * /api/reports/kpis/money), over the KPI tests' portfolio (dataset.ts: a partial payment, a payment
 * after the period, a prepayment voided by a cancellation, a credit note with its refund) and three
 * projects of this file's own (a handover between managers, a project in USD, a payment the bank
 * returned): asked with the report's own query, the list's totals are the figures it explains —
 * invoiced, voided, credited and net invoiced; paid, refunded and net paid — per currency, for
 * everyone, each manager, each week, a segment, one currency, a reader's own days and a manager's
 * own; with `salesPlan`, the net paid is each target's `paid` (the payments credited to the manager
 * recorded with them, which a handover does not move); asked for one client, the net invoiced is
 * their spend in the report's Clients figures; the newest first; a manager gets their own
 * projects' money only; a bad parameter is a 400 naming it; a long list is cut at its cap and still
 * summed whole.
 */
import { openTestStore, type TestStore } from '../support/reporting';
import type { KpiReport, SalesTarget } from '../../api/schemas';
import type { SnapshotRecord } from '../../activities/contract';
import type { InvoiceView } from '../../workflows/project/contract';
import type { KpiInvoicedList, KpiMoneyList, KpiPaidList } from '../../api/kpi-money-schemas';
import { ANNA, BORIS, buildDataset, NOW, PERIOD } from './dataset';
import { ProjectBuilder, plusDays, plusHours } from './builders';
import { reportApp, type ReportApp, type Who } from './support';

let t: TestStore;
let r: ReportApp;

const acme = { id: 'acme', name: 'ACME Ltd', segment: 'B2B' as const };
const globex = { id: 'globex', name: 'Globex, "the" company', segment: 'B2B' as const };
const carol = { id: 'carol', name: 'Carol Singer', segment: 'B2C' as const };

/**
 * Besides the dataset's money:
 * P30 globex B2B, anna's until the handover to boris on 01-15: INV-30 2000 issued 01-07 (due
 * 01-21), 1200 paid 01-09 (recorded while anna managed it), 800 paid 01-26 (boris's).
 * P31 boris/carol B2C in USD: INV-31 1500 issued 01-14, paid 01-21.
 * P32 anna/acme B2B: INV-32 1000 issued 01-10, 500 paid 01-12 that the bank returned on 01-20 (a
 * payment fact of +500 on 01-12 and one of -500 on 01-20).
 */
function extraSnapshots(): SnapshotRecord[] {
  const p30 = new ProjectBuilder({ projectId: 'p-kpi-30', managerId: ANNA, client: globex, intakeAt: '2026-01-05T09:00:00.000Z' });
  p30.invoice('final', 'INV-30', 2_000, '2026-01-07T10:00:00.000Z', '2026-01-21T10:00:00.000Z', { status: 'open' });
  p30.pay('INV-30', 1_200, '2026-01-09T10:00:00.000Z', 'H1');
  const beforeHandover = p30.publishAll();
  p30.status.managerId = BORIS;
  p30.pay('INV-30', 800, '2026-01-26T10:00:00.000Z', 'H2');
  const afterHandover = p30.publishAll();

  const p31 = new ProjectBuilder({ projectId: 'p-kpi-31', managerId: BORIS, client: carol, intakeAt: '2026-01-05T09:00:00.000Z', currency: 'USD' });
  p31.invoice('final', 'INV-31', 1_500, '2026-01-14T10:00:00.000Z', undefined, { status: 'open' });
  p31.pay('INV-31', 1_500, '2026-01-21T10:00:00.000Z', 'U1');

  const p32 = new ProjectBuilder({ projectId: 'p-kpi-32', managerId: ANNA, client: acme, intakeAt: '2026-01-05T09:00:00.000Z' });
  p32.invoice('final', 'INV-32', 1_000, '2026-01-10T10:00:00.000Z', undefined, { status: 'open' });
  p32.pay('INV-32', 500, '2026-01-12T10:00:00.000Z', 'K1');
  const invoice = p32.status.invoices[0] as InvoiceView;
  const payment = invoice.payments[0];
  invoice.payments = [];
  invoice.reversedPayments = [{ ...payment, reversedAt: '2026-01-20T10:00:00.000Z', reversedBy: ANNA, cause: 'returned_by_bank' }];
  invoice.paidAmount = 0;
  return [...beforeHandover, ...afterHandover, ...p31.publishAll(), ...p32.publishAll()];
}

beforeAll(async () => {
  t = await openTestStore();
  for (const snapshot of buildDataset().live) await t.store.publish(snapshot);
  for (const snapshot of extraSnapshots()) await t.store.publish(snapshot);
  r = reportApp(t.store, { now: NOW });
  // Leadership's sales plan: anna's January (the handover moves none of what she brought in), boris's quarter, a target in USD.
  for (const [manager, period, amount, currency] of [
    [ANNA, '2026-01', 10_000, 'EUR'],
    [BORIS, '2026-Q1', 2_000, 'EUR'],
    [BORIS, '2026-01', 1_000, 'USD'],
  ] as const) {
    await r.http().put(`/api/reports/sales-targets/${manager}/${period}`).set(r.auth('lena')).send({ amount, currency }).expect(201);
  }
});
afterAll(async () => {
  await r?.close();
  await t?.dispose();
});

type Query = Record<string, string>;

async function kpis(query: Query, who: Who = 'lena'): Promise<KpiReport> {
  return r.answer<KpiReport>('/api/reports/kpis', query, who);
}
async function money(query: Query, who: Who = 'lena'): Promise<KpiMoneyList> {
  const list = await r.answer<KpiMoneyList>('/api/reports/kpis/money', query, who);
  // Below the cap everything counted is listed, and the rows add up to the totals.
  expect(list.items).toHaveLength(list.total);
  expect(totalsOfRows(list)).toEqual(list.totals);
  return list;
}
async function invoiced(query: Query, who: Who = 'lena'): Promise<KpiInvoicedList> {
  const list = await money({ ...query, flow: 'invoiced' }, who);
  if (list.flow !== 'invoiced') throw new Error(`asked for invoiced, got ${list.flow}`);
  return list;
}
async function paid(query: Query, who: Who = 'lena'): Promise<KpiPaidList> {
  const list = await money({ ...query, flow: 'paid' }, who);
  if (list.flow !== 'paid') throw new Error(`asked for paid, got ${list.flow}`);
  return list;
}

const cents = (n: number) => Math.round(n * 100) / 100;
/** The list's rows added up by kind, per currency, as its totals say them. */
function totalsOfRows(list: KpiMoneyList): object[] {
  const currencies = [...new Set(list.items.map((i) => i.currency))].sort();
  const of = (currency: string, kind: string) => cents(list.items.filter((i) => i.currency === currency && i.kind === kind).reduce((n, i) => n + i.amount, 0));
  return currencies.map((currency) => {
    if (list.flow === 'invoiced') {
      const [gross, voided, credited] = [of(currency, 'invoice'), of(currency, 'void'), of(currency, 'credit_note')];
      return { currency, invoiced: gross, voided, credited, netInvoiced: cents(gross - voided - credited) };
    }
    const [gross, refunded] = [of(currency, 'payment'), of(currency, 'refund')];
    return { currency, paid: gross, refunded, netPaid: cents(gross - refunded) };
  });
}

type Flows = KpiReport['money']['totals'][number];
/** What the report says of one side of the money, per currency, as the list's totals say it. */
const invoicedFigures = (rows: Omit<Flows, 'planned' | 'outstanding' | 'overdue' | 'refundsOwed'>[]) =>
  rows.filter((m) => m.invoiced + m.voided + m.credited !== 0).map((m) => ({ currency: m.currency, invoiced: m.invoiced, voided: m.voided, credited: m.credited, netInvoiced: m.netInvoiced }));
const paidFigures = (rows: Omit<Flows, 'planned' | 'outstanding' | 'overdue' | 'refundsOwed'>[]) =>
  rows.filter((m) => m.paid !== 0 || m.refunded !== 0).map((m) => ({ currency: m.currency, paid: m.paid, refunded: m.refunded, netPaid: m.netPaid }));

describe('asked with the report\u2019s own query, the list adds up to the figure it explains', () => {
  const QUERIES: [string, Query, Who][] = [
    ['leadership, the whole portfolio', { ...PERIOD }, 'lena'],
    ['one manager, asked by leadership', { ...PERIOD, managerId: BORIS }, 'lena'],
    ['a manager, their own', { ...PERIOD }, 'anna'],
    ['B2C clients', { ...PERIOD, segment: 'B2C' }, 'lena'],
    ['a reader in Tokyo, their own midnights and Mondays', { from: '2026-01-05T00:00:00+09:00', to: '2026-02-02T00:00:00+09:00', timeZone: 'Asia/Tokyo' }, 'lena'],
  ];

  test.each(QUERIES)('%s: the period, each currency, each manager, each week', async (_what, query, who) => {
    const report = await kpis(query, who);
    expect((await invoiced(query, who)).totals).toEqual(invoicedFigures(report.money.totals));
    expect((await paid(query, who)).totals).toEqual(paidFigures(report.money.totals));
    for (const m of report.money.totals) {
      const one = { ...query, currency: m.currency };
      expect([m.currency, (await invoiced(one, who)).totals, (await paid(one, who)).totals]).toEqual([m.currency, invoicedFigures([m]), paidFigures([m])]);
    }
    for (const managerId of new Set(report.money.byManager.map((m) => m.managerId))) {
      const mine = report.money.byManager.filter((m) => m.managerId === managerId);
      const one = { ...query, managerId };
      expect([managerId, (await invoiced(one, who)).totals, (await paid(one, who)).totals]).toEqual([managerId, invoicedFigures(mine), paidFigures(mine)]);
    }
    for (const w of report.series) {
      const one = { ...query, week: w.weekStart };
      expect([w.weekStart, (await invoiced(one, who)).totals, (await paid(one, who)).totals]).toEqual([w.weekStart, invoicedFigures(w.money), paidFigures(w.money)]);
    }
  });

  test('the portfolio\u2019s figures are the dataset\u2019s and this file\u2019s (the lists are not empty by accident)', async () => {
    // The dataset's 8200 invoiced, 900 voided, 100 credited; INV-30 2000 and INV-32 1000 here; INV-31 in USD.
    expect((await invoiced({ ...PERIOD })).totals).toEqual([
      { currency: 'EUR', invoiced: 11_200, voided: 900, credited: 100, netInvoiced: 10_200 },
      { currency: 'USD', invoiced: 1_500, voided: 0, credited: 0, netInvoiced: 1_500 },
    ]);
    // The dataset's 7800 paid and 100 refunded; 1200 and 800 on INV-30; 500 on INV-32 and taken back.
    expect((await paid({ ...PERIOD })).totals).toEqual([
      { currency: 'EUR', paid: 9_800, refunded: 100, netPaid: 9_700 },
      { currency: 'USD', paid: 1_500, refunded: 0, netPaid: 1_500 },
    ]);
  });
});

describe('one client\u2019s money: the invoices behind their spend', () => {
  type Spend = KpiReport['clients']['spend']['byClient'];
  /** Per currency, what is not 0 (a client with projects and nothing invoiced has a spend of 0 and an empty list). */
  const nonZero = (rows: { currency: string; amount: number }[]) => Object.fromEntries(rows.filter((r) => r.amount !== 0).map((r) => [r.currency, r.amount]));
  const spendOf = (byClient: Spend, clientId: string, previous = false) =>
    nonZero(byClient.filter((c) => c.clientId === clientId).map((c) => ({ currency: c.currency, amount: previous ? c.previousSpend : c.spend })));
  const netInvoicedOf = (list: KpiInvoicedList) => nonZero(list.totals.map((t) => ({ currency: t.currency, amount: t.netInvoiced })));

  const QUERIES: [string, Query, Who][] = [
    ['leadership, the whole portfolio', { ...PERIOD }, 'lena'],
    ['a manager, their own', { ...PERIOD }, 'anna'],
    ['the other manager, their own (a handover moved a project of globex to them)', { ...PERIOD }, 'boris'],
    ['B2C clients', { ...PERIOD, segment: 'B2C' }, 'lena'],
    ['a reader in Tokyo, their own midnights', { from: '2026-01-05T00:00:00+09:00', to: '2026-02-02T00:00:00+09:00', timeZone: 'Asia/Tokyo' }, 'lena'],
  ];

  test.each(QUERIES)('%s: each client\u2019s net invoiced is their spend, this period and the one before', async (_what, query, who) => {
    const report = await kpis(query, who);
    const { byClient } = report.clients.spend;
    for (const clientId of new Set(byClient.map((c) => c.clientId))) {
      const list = await invoiced({ ...query, clientId }, who);
      expect([clientId, netInvoicedOf(list)]).toEqual([clientId, spendOf(byClient, clientId)]);
      // The money figures by client count the same facts.
      const byClientMoney = report.money.byClient.filter((m) => m.clientId === clientId).map((m) => ({ currency: m.currency, amount: m.netInvoiced }));
      expect([clientId, netInvoicedOf(list)]).toEqual([clientId, nonZero(byClientMoney)]);
      expect(list.items.every((i) => byClient.some((c) => c.clientId === clientId && c.clientName === i.clientName))).toBe(true);
      const before = await invoiced({ ...query, from: report.clients.spend.previousFrom, to: report.clients.spend.previousTo, clientId }, who);
      expect([clientId, 'before', netInvoicedOf(before)]).toEqual([clientId, 'before', spendOf(byClient, clientId, true)]);
    }
  });

  test('the figures are the dataset\u2019s and this file\u2019s, and the scope names the client', async () => {
    const acme = await invoiced({ ...PERIOD, clientId: 'acme' });
    expect(acme.scope).toEqual({ ...PERIOD, clientId: 'acme', clientName: 'ACME Ltd' });
    // The dataset's 6500 to ACME and INV-32's 1000 here.
    expect(acme.totals.map((t) => [t.currency, t.netInvoiced])).toEqual([['EUR', 7_500]]);
    expect(new Set(acme.items.map((i) => i.clientName))).toEqual(new Set(['ACME Ltd']));
    // What is still owed on each listed invoice is the same as in the list of every client's.
    const owedOn = (list: KpiInvoicedList) => new Map(list.items.map((i) => [i.number, i.outstanding]));
    const everyones = owedOn(await invoiced(PERIOD));
    expect([...owedOn(acme)].filter(([, outstanding]) => outstanding !== undefined).length).toBeGreaterThan(0);
    expect([...owedOn(acme)]).toEqual([...owedOn(acme)].map(([number]) => [number, everyones.get(number)]));
    // Carol in two currencies, one total each.
    expect((await invoiced({ ...PERIOD, clientId: 'carol' })).totals.map((t) => [t.currency, t.netInvoiced])).toEqual([
      ['EUR', 700],
      ['USD', 1_500],
    ]);
    // Globex's INV-30 is boris's since the handover: his own list has it, anna's has nothing of globex's this period.
    expect((await invoiced({ ...PERIOD, clientId: 'globex' }, 'boris')).items.map((i) => [i.number, i.managerId])).toEqual([['INV-30', BORIS]]);
    const annas = await invoiced({ ...PERIOD, clientId: 'globex' }, 'anna');
    expect([annas.scope, annas.total]).toEqual([{ ...PERIOD, managerId: ANNA, clientId: 'globex', clientName: 'Globex, "the" company' }, 0]);
    // An id no project has: nothing listed, and no name to give.
    const nobody = await invoiced({ ...PERIOD, clientId: 'nobody' });
    expect([nobody.scope, nobody.total]).toEqual([{ ...PERIOD, clientId: 'nobody' }, 0]);
  });
});

describe('each invoice and payment, the newest first', () => {
  test('invoiced: the invoices, the void and the credit note, each with its project, client and manager; an invoice with its due date and what is still owed on it now', async () => {
    const list = await invoiced({ ...PERIOD, managerId: BORIS });
    expect(list.scope).toEqual({ ...PERIOD, managerId: BORIS });
    expect(list.limit).toBe(200);
    expect(list.outstandingAsOf).toBe(NOW.toISOString());
    expect(list.items.map((i) => [i.at, i.kind, i.number, i.amount, i.currency, i.outstanding ?? null])).toEqual([
      ['2026-01-30T10:00:00.000Z', 'void', 'INV-6', 900, 'EUR', null],
      ['2026-01-20T20:00:00.000Z', 'invoice', 'INV-6', 900, 'EUR', 0],
      ['2026-01-20T12:00:00.000Z', 'credit_note', 'CN-1', 100, 'EUR', 0],
      ['2026-01-14T10:00:00.000Z', 'invoice', 'INV-31', 1_500, 'USD', 0],
      ['2026-01-13T10:00:00.000Z', 'invoice', 'INV-5', 800, 'EUR', 500],
      // Boris's now: the money figures count a project's money for its manager now.
      ['2026-01-07T10:00:00.000Z', 'invoice', 'INV-30', 2_000, 'EUR', 0],
    ]);
    expect(list.items[4]).toEqual({
      at: '2026-01-13T10:00:00.000Z',
      kind: 'invoice',
      number: 'INV-5',
      amount: 800,
      currency: 'EUR',
      dueAt: '2026-01-27T10:00:00.000Z',
      outstanding: 500,
      projectId: 'p-kpi-4',
      projectTitle: 'Project p-kpi-4',
      clientName: 'Carol Singer',
      segment: 'B2C',
      managerId: BORIS,
      managerName: 'Boris Ivanov',
      href: '/api/projects/p-kpi-4',
    });
    expect(list.items[0].dueAt).toBeUndefined();
  });

  test('paid: the payments and the refund; a payment the bank returned is listed twice, the second time taken back', async () => {
    const list = await paid({ ...PERIOD, managerId: ANNA });
    expect(list.items.map((i) => [i.at, i.kind, i.number, i.amount, i.takenBack ?? false, i.projectId])).toEqual([
      ['2026-01-30T12:00:00.000Z', 'payment', 'INV-1', 3_000, false, 'p-kpi-1'],
      ['2026-01-20T10:00:00.000Z', 'payment', 'INV-32', -500, true, 'p-kpi-32'],
      ['2026-01-15T10:00:00.000Z', 'payment', 'INV-2', 500, false, 'p-kpi-2'],
      ['2026-01-12T10:00:00.000Z', 'payment', 'INV-32', 500, false, 'p-kpi-32'],
      ['2026-01-08T10:00:00.000Z', 'payment', 'INV-4', 4_000, false, 'p-kpi-3'],
    ]);
    expect(list.items.every((i) => i.dueAt === undefined && i.outstanding === undefined)).toBe(true);
    const refund = (await paid({ ...PERIOD, segment: 'B2C' })).items.find((i) => i.kind === 'refund');
    expect(refund).toMatchObject({ at: '2026-01-22T12:00:00.000Z', number: 'CN-1', amount: 100, clientName: 'Carol Singer', managerId: BORIS });
  });

  test('one week of the series: the part of it inside the period', async () => {
    const week = '2026-01-05T00:00:00.000Z';
    const list = await invoiced({ ...PERIOD, week });
    expect(list.scope).toEqual({ from: PERIOD.from, to: '2026-01-12T00:00:00.000Z', week });
    expect(list.items.map((i) => i.number)).toEqual(['INV-32', 'INV-30']);
  });
});

describe('the sales plan', () => {
  test('asked with a target\u2019s manager, period and currency, the net paid is the target\u2019s paid', async () => {
    const report = await kpis({ ...PERIOD });
    expect(report.salesPlan.map((s) => [s.managerId, s.period, s.currency]).sort()).toEqual([
      [ANNA, '2026-01', 'EUR'],
      [BORIS, '2026-01', 'USD'],
      [BORIS, '2026-Q1', 'EUR'],
    ]);
    for (const target of report.salesPlan) {
      const list = await paid({ salesPlan: 'true', managerId: target.managerId, from: target.from, to: target.to, currency: target.currency });
      expect(list.scope).toEqual({ from: target.from, to: target.to, managerId: target.managerId, currency: target.currency, salesPlan: true });
      expect([target.managerId, target.period, list.totals.map((m) => m.netPaid)]).toEqual([target.managerId, target.period, [target.paid]]);
    }
  });

  test('a payment counts for the manager recorded with it: a handover moves the project\u2019s money figures, not the sales plan', async () => {
    const january = { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z', currency: 'EUR' };
    const annaTarget = (await kpis({ ...PERIOD })).salesPlan.find((s) => s.managerId === ANNA)!;
    // 7500 from the dataset and the 1200 paid on INV-30 while anna managed it.
    expect(annaTarget.paid).toBe(8_700);
    const salesPlan = await paid({ ...january, managerId: ANNA, salesPlan: 'true' });
    expect(salesPlan.totals).toEqual([{ currency: 'EUR', paid: 8_700, refunded: 0, netPaid: 8_700 }]);
    expect(salesPlan.items.find((i) => i.number === 'INV-30')).toMatchObject({ amount: 1_200, projectId: 'p-kpi-30', managerId: ANNA });
    // Her projects now: INV-30 is boris's, so its 1200 is not among them.
    expect((await paid({ ...january, managerId: ANNA })).totals.map((m) => m.netPaid)).toEqual([7_500]);
    // A manager's own sales plan, as the report gives it to them.
    expect((await paid({ ...january, salesPlan: 'true' }, 'anna')).totals.map((m) => m.netPaid)).toEqual([8_700]);
    // The list of targets counts each as the report does: anna's January keeps the 1200 after the handover.
    const report = await kpis({ ...PERIOD });
    const listed = await r.answer<{ items: SalesTarget[] }>('/api/reports/sales-targets', {});
    const figures = (t: { managerId: string; period: string; currency: string; paid: number; fulfilment: number }) => [t.managerId, t.period, t.currency, t.paid, t.fulfilment];
    expect(listed.items.map(figures)).toEqual(report.salesPlan.map(figures));
    expect(listed.items.find((t) => t.managerId === ANNA)).toMatchObject({ period: '2026-01', paid: 8_700, fulfilment: 0.87 });
    expect((await r.answer<{ items: SalesTarget[] }>('/api/reports/sales-targets', {}, 'anna')).items).toEqual(listed.items.filter((t) => t.managerId === ANNA));
  });
});

describe('scope', () => {
  test('a manager gets their own projects\u2019 money only; another manager\u2019s is refused with 403', async () => {
    const anna = await invoiced({ ...PERIOD }, 'anna');
    expect(anna.scope.managerId).toBe(ANNA);
    expect([...new Set(anna.items.map((i) => i.managerId))]).toEqual([ANNA]);
    expect(await invoiced({ ...PERIOD, managerId: ANNA }, 'anna')).toEqual(anna);
    const refused = await r.http().get('/api/reports/kpis/money').query({ ...PERIOD, flow: 'paid', managerId: BORIS }).set(r.auth('anna')).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await r.http().get('/api/reports/kpis/money').query({ ...PERIOD, flow: 'paid' }).set(r.auth('dima')).expect(403);
    await r.http().get('/api/reports/kpis/money').query({ ...PERIOD, flow: 'paid' }).expect(401);
  });
});

test('bad parameters are a 400 problem naming the field', async () => {
  const bad = (query: Query, field: string) => r.expectRefusedAt('/api/reports/kpis/money', query, field);
  // Which side of the money is not guessed: the two are different sums.
  await bad({ ...PERIOD }, 'flow');
  await bad({ ...PERIOD, flow: 'owed' }, 'flow');
  await bad({ ...PERIOD, flow: 'paid', currency: 'eur' }, 'currency');
  await bad({ ...PERIOD, flow: 'paid', currency: 'EURO' }, 'currency');
  // A time inside a week, not its start; a Monday outside the period.
  await bad({ ...PERIOD, flow: 'paid', week: '2026-01-13T00:00:00.000Z' }, 'week');
  await bad({ ...PERIOD, flow: 'paid', week: '2026-02-09T00:00:00.000Z' }, 'week');
  await bad({ ...PERIOD, flow: 'paid', week: 'last week' }, 'week');
  await bad({ ...PERIOD, flow: 'paid', segment: 'B2G' }, 'segment');
  await bad({ from: '2026-02-01', to: '2026-01-01', flow: 'paid' }, 'from');
  // The sales plan counts payments, of every client, over a target's period.
  await bad({ ...PERIOD, flow: 'invoiced', salesPlan: 'true' }, 'flow');
  await bad({ ...PERIOD, flow: 'paid', salesPlan: 'true', segment: 'B2B' }, 'segment');
  await bad({ ...PERIOD, flow: 'paid', salesPlan: 'true', week: PERIOD.from }, 'week');
  await bad({ ...PERIOD, flow: 'paid', salesPlan: 'yes' }, 'salesPlan');
  // The sales plan counts a manager's payments from every client.
  await bad({ ...PERIOD, flow: 'paid', salesPlan: 'true', clientId: 'acme' }, 'clientId');
  await bad({ ...PERIOD, flow: 'invoiced', clientId: 'ac"me' }, 'clientId');
});

describe('a period with more payments than one list gives', () => {
  let big: TestStore;
  let app: ReportApp;
  const PAYMENTS = 203;
  const from = '2026-03-02T00:00:00.000Z';
  const to = '2026-03-09T00:00:00.000Z';

  beforeAll(async () => {
    big = await openTestStore();
    // One invoice of 203 × 10, paid in 203 payments of 10 on 03-02, the n-th after n minutes.
    const p = new ProjectBuilder({ projectId: 'p-paid-often', managerId: ANNA, client: acme, intakeAt: plusHours(from, 1) });
    p.invoice('final', 'INV-MANY', PAYMENTS * 10, plusHours(from, 2), undefined, { status: 'open' });
    for (let n = 1; n <= PAYMENTS; n++) p.pay('INV-MANY', 10, plusHours(from, 9 + n / 60), `P${String(n).padStart(3, '0')}`);
    for (const snapshot of p.publishAll()) await big.store.publish(snapshot);
    app = reportApp(big.store, { now: new Date(plusDays(to, 1)) });
  });
  afterAll(async () => {
    await app?.close();
    await big?.dispose();
  });

  test('lists the 200 newest, and sums all 203 as the report does', async () => {
    const report = (await app.http().get('/api/reports/kpis').query({ from, to }).set(app.auth('lena')).expect(200)).body as KpiReport;
    expect(report.money.totals[0].paid).toBe(PAYMENTS * 10);
    const list = (await app.http().get('/api/reports/kpis/money').query({ from, to, flow: 'paid' }).set(app.auth('lena')).expect(200)).body as KpiPaidList;
    expect(list.total).toBe(PAYMENTS);
    expect(list.items).toHaveLength(200);
    expect(list.totals).toEqual(paidFigures(report.money.totals));
    // The newest first: the three paid first are left out.
    expect(list.items[0].at).toBe(plusHours(from, 9 + PAYMENTS / 60));
    expect(list.items[199].at).toBe(plusHours(from, 9 + 4 / 60));
    const times = list.items.map((i) => i.at);
    expect([...times].sort().reverse()).toEqual(times);
  });
});
