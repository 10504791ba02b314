/**
 * Leadership's KPIs to the unit, over a portfolio with known outcomes (test/reporting/dataset.ts:
 * each figure below is worked out there), through HTTP: the JSON report, the CSV with the same
 * numbers, manager scoping (403 for another manager's), filters, bad filters named in a 400, the
 * sales plan set by leadership, and snapshots arriving again and out of order changing nothing;
 * client spend below 0 (more credited than invoiced) and the growth taken only from a spend above 0.
 */
import { openTestStore, type TestStore } from '../support/reporting';
import type { KpiReport, SalesTarget } from '../../api/schemas';
import { CSV_COLUMNS } from '../../api/kpi-csv';
import { buildOpenApiDocument } from '../../api/openapi';
import { ProjectBuilder } from './builders';
import { ANNA, BORIS, buildDataset, NOW, OVERLOAD_HOURS, PERIOD } from './dataset';
import { parseCsv } from '../support/csv';
import { reportApp, type ReportApp } from './support';

let t: TestStore;
let r: ReportApp;
const dataset = buildDataset();

beforeAll(async () => {
  t = await openTestStore();
  // As the workflows would: every snapshot in order, as it happened.
  for (const snapshot of dataset.live) await t.store.publish(snapshot);
  r = reportApp(t.store, { now: NOW, env: { WORKLOAD_OVERLOAD_HOURS: String(OVERLOAD_HOURS) } });
  // Leadership sets the sales plan (one target outside the period, one overlapping its end).
  for (const [manager, period, amount] of [
    [ANNA, '2026-01', 10_000],
    [ANNA, '2026-02', 1_000],
    [ANNA, '2025-Q4', 5_000],
    [BORIS, '2026-Q1', 2_000],
  ] as const) {
    await r.http().put(`/api/reports/sales-targets/${manager}/${period}`).set(r.auth('lena')).send({ amount, currency: 'EUR' }).expect(201);
  }
});
afterAll(async () => {
  await r?.close();
  await t?.dispose();
});

async function kpis(query: Record<string, string> = {}, who: 'lena' | 'anna' | 'boris' = 'lena'): Promise<KpiReport> {
  return (await r.http().get('/api/reports/kpis').query({ ...PERIOD, ...query }).set(r.auth(who)).expect(200)).body as KpiReport;
}

const stats = (projects: number, medianHours: number | null, p90Hours: number | null, averageHours: number | null) => ({
  projects,
  medianHours,
  p90Hours,
  averageHours,
});
const delivery = (delivered: number, onTime: number, late: number, onTimeRate: number | null, averageDaysLate: number | null) => ({
  delivered,
  onTime,
  late,
  onTimeRate,
  averageDaysLate,
});
const FLOWS = ['invoiced', 'voided', 'credited', 'netInvoiced', 'paid', 'refunded', 'netPaid'] as const;
/** A week's money flows in EUR: the same fields, and the same definitions, as the period's. */
const flows = (o: Partial<Record<(typeof FLOWS)[number], number>>) => ({
  currency: 'EUR',
  ...(Object.fromEntries(FLOWS.map((f) => [f, 0])) as Record<(typeof FLOWS)[number], number>),
  ...o,
});
/** A money row in EUR: the period's flows, and what was planned and is owed. */
const money = (o: Partial<Record<(typeof FLOWS)[number] | 'planned' | 'outstanding' | 'overdue' | 'refundsOwed', number>>) => ({
  planned: 0,
  ...flows({}),
  outstanding: 0,
  overdue: 0,
  // CN-1 was refunded within the period: nothing is owed back at its end.
  refundsOwed: 0,
  ...o,
});

describe('the whole portfolio, for leadership', () => {
  let report: KpiReport;
  beforeAll(async () => {
    report = await kpis();
  });

  test('says what it covers and how fresh it is', async () => {
    expect(report.scope).toEqual(PERIOD);
    expect(report.generatedAt).toBe(NOW.toISOString());
    expect(Date.parse(report.asOf!)).toBeLessThanOrEqual(Date.now());
    expect(report.asOf).toBe(await t.store.asOf());
  });

  test('response time: intake to first plan, median and p90 per manager and segment', () => {
    // First plans in the period: anna 2, 4, 12 h (B2B); boris 2, 8 h (B2C).
    expect(report.responseTime).toEqual({
      overall: stats(5, 4, 10.4, 5.6),
      byManager: [
        { managerId: ANNA, ...stats(3, 4, 10.4, 6) },
        { managerId: BORIS, ...stats(2, 5, 7.4, 5) },
      ],
      bySegment: [
        { segment: 'B2B', ...stats(3, 4, 10.4, 6) },
        { segment: 'B2C', ...stats(2, 5, 7.4, 5) },
      ],
      byManagerAndSegment: [
        { managerId: ANNA, segment: 'B2B', ...stats(3, 4, 10.4, 6) },
        { managerId: BORIS, segment: 'B2C', ...stats(2, 5, 7.4, 5) },
      ],
      awaitingFirstPlan: 1,
    });
  });

  test('delivery: first delivery against the original due date, per department and person', () => {
    expect(report.delivery).toEqual({
      overall: delivery(6, 3, 3, 0.5, 1.33),
      byDepartment: [
        { department: 'design', ...delivery(2, 2, 0, 1, null) },
        { department: 'copywriting', ...delivery(2, 0, 2, 0, 1.5) },
        { department: 'seo', ...delivery(1, 1, 0, 1, null) },
        { department: 'ads', ...delivery(1, 0, 1, 0, 1) },
      ],
      byPerson: [
        { personId: 'dima.design', department: 'design', ...delivery(2, 2, 0, 1, null) },
        { personId: 'ivan.copy', department: 'copywriting', ...delivery(2, 0, 2, 0, 1.5) },
        { personId: 'maria.seo', department: 'seo', ...delivery(1, 1, 0, 1, null) },
        { personId: 'pavel.ads', department: 'ads', ...delivery(1, 0, 1, 0, 1) },
      ],
    });
  });

  test('quality: review rounds and rework, client revision rounds used against included, extra revenue', () => {
    expect(report.quality).toEqual({
      tasks: { accepted: 6, reviewRounds: 1, roundsPerTask: 0.17, reworked: 1, reworkRate: 0.1667 },
      byDepartment: [
        { department: 'design', accepted: 2, reviewRounds: 0, roundsPerTask: 0, reworked: 0, reworkRate: 0 },
        { department: 'copywriting', accepted: 2, reviewRounds: 1, roundsPerTask: 0.5, reworked: 1, reworkRate: 0.5 },
        { department: 'seo', accepted: 1, reviewRounds: 0, roundsPerTask: 0, reworked: 0, reworkRate: 0 },
        { department: 'ads', accepted: 1, reviewRounds: 0, roundsPerTask: 0, reworked: 0, reworkRate: 0 },
      ],
      clientRevisions: {
        roundsUsed: 2,
        withinIncluded: 1,
        beyondIncluded: 1,
        extraRevenue: [{ currency: 'EUR', amount: 500 }],
        acceptedProjects: 3,
        acceptedProjectsRoundsUsed: 2,
        acceptedProjectsRoundsIncluded: 3,
      },
    });
  });

  test('money: planned, invoiced, paid, outstanding per manager, client and segment; days to payment; overdue receivables', () => {
    expect(report.money.outstandingAsOf).toBe(PERIOD.to);
    expect(report.money.totals).toEqual([
      money({ planned: 14_800, invoiced: 8_200, voided: 900, credited: 100, netInvoiced: 7_200, paid: 7_800, refunded: 100, netPaid: 7_700, outstanding: 3_500, overdue: 1_000 }),
    ]);
    expect(report.money.byManager).toEqual([
      { managerId: ANNA, ...money({ planned: 11_000, invoiced: 6_500, netInvoiced: 6_500, paid: 7_500, netPaid: 7_500, outstanding: 3_000, overdue: 500 }) },
      { managerId: BORIS, ...money({ planned: 3_800, invoiced: 1_700, voided: 900, credited: 100, netInvoiced: 700, paid: 300, refunded: 100, netPaid: 200, outstanding: 500, overdue: 500 }) },
    ]);
    expect(report.money.byClient).toEqual([
      { clientId: 'acme', clientName: 'ACME Ltd', ...money({ planned: 6_000, invoiced: 6_500, netInvoiced: 6_500, paid: 3_500, netPaid: 3_500, outstanding: 3_000, overdue: 500 }) },
      { clientId: 'carol', clientName: 'Carol Singer', ...money({ planned: 800, invoiced: 800, credited: 100, netInvoiced: 700, paid: 300, refunded: 100, netPaid: 200, outstanding: 500, overdue: 500 }) },
      { clientId: 'dave', clientName: '=Dave', ...money({ planned: 3_000, invoiced: 900, voided: 900 }) },
      { clientId: 'globex', clientName: 'Globex, "the" company', ...money({ planned: 5_000, paid: 4_000, netPaid: 4_000 }) },
    ]);
    expect(report.money.bySegment).toEqual([
      { segment: 'B2B', ...money({ planned: 11_000, invoiced: 6_500, netInvoiced: 6_500, paid: 7_500, netPaid: 7_500, outstanding: 3_000, overdue: 500 }) },
      { segment: 'B2C', ...money({ planned: 3_800, invoiced: 1_700, voided: 900, credited: 100, netInvoiced: 700, paid: 300, refunded: 100, netPaid: 200, outstanding: 500, overdue: 500 }) },
    ]);
    // Settled in the period: INV-2 after 2 days, INV-4 after 9 (INV-1 was settled after it).
    expect(report.money.daysToPayment).toEqual({ invoices: 2, averageDays: 5.5, medianDays: 5.5 });
    expect(report.money.overdueReceivables).toEqual({
      invoices: 2,
      byCurrency: [{ currency: 'EUR', amount: 1_000, invoices: 2 }],
      items: [
        { invoiceNumber: 'INV-5', projectId: 'p-kpi-4', managerId: BORIS, clientId: 'carol', clientName: 'Carol Singer', currency: 'EUR', outstanding: 500, dueAt: '2026-01-27T10:00:00.000Z', daysOverdue: 5.58 },
        { invoiceNumber: 'INV-3', projectId: 'p-kpi-2', managerId: ANNA, clientId: 'acme', clientName: 'ACME Ltd', currency: 'EUR', outstanding: 500, dueAt: '2026-01-31T12:00:00.000Z', daysOverdue: 1.5 },
      ],
    });
  });

  test('clients: ratings and negative feedback, complaints, regular clients, spend and its growth', () => {
    const dist = (o: Record<string, number>) => ({ '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, ...o });
    expect(report.clients.ratings).toEqual({ count: 2, average: 3.5, negative: 1, distribution: dist({ '2': 1, '5': 1 }) });
    expect(report.clients.ratingsByManager).toEqual([
      { managerId: ANNA, count: 1, average: 5, negative: 0, distribution: dist({ '5': 1 }) },
      { managerId: BORIS, count: 1, average: 2, negative: 1, distribution: dist({ '2': 1 }) },
    ]);
    const complaints = { filed: 2, open: 1, resolved: 1, averageHoursToResolve: 24, medianHoursToResolve: 24 };
    expect(report.clients.complaints).toEqual(complaints);
    expect(report.clients.complaintsByManager).toEqual([{ managerId: BORIS, ...complaints }]);
    expect(report.clients.regularClients).toEqual({
      count: 2,
      items: [
        { clientId: 'acme', clientName: 'ACME Ltd', segment: 'B2B', projects: 2, managerIds: [ANNA] },
        { clientId: 'carol', clientName: 'Carol Singer', segment: 'B2C', projects: 2, managerIds: [BORIS] },
      ],
    });
    expect(report.clients.regularClientsByManager).toEqual([
      { managerId: ANNA, count: 1 },
      { managerId: BORIS, count: 1 },
    ]);
    expect(report.clients.spend).toEqual({
      previousFrom: '2025-12-08T00:00:00.000Z',
      previousTo: PERIOD.from,
      totals: [{ currency: 'EUR', spend: 7_200, previousSpend: 4_000, growth: 0.8 }],
      byClient: [
        { clientId: 'acme', clientName: 'ACME Ltd', segment: 'B2B', currency: 'EUR', spend: 6_500, previousSpend: 0, growth: null, projects: 2, previousProjects: 0 },
        { clientId: 'carol', clientName: 'Carol Singer', segment: 'B2C', currency: 'EUR', spend: 700, previousSpend: 0, growth: null, projects: 2, previousProjects: 0 },
        { clientId: 'dave', clientName: '=Dave', segment: 'B2C', currency: 'EUR', spend: 0, previousSpend: 0, growth: null, projects: 1, previousProjects: 0 },
        { clientId: 'globex', clientName: 'Globex, "the" company', segment: 'B2B', currency: 'EUR', spend: 0, previousSpend: 4_000, growth: -1, projects: 1, previousProjects: 1 },
      ],
    });
  });

  test('sales plan: each target overlapping the period, fulfilled from payments over its own period', () => {
    expect(report.salesPlan).toEqual([
      { managerId: ANNA, period: '2026-01', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z', currency: 'EUR', target: 10_000, paid: 7_500, fulfilment: 0.75 },
      { managerId: BORIS, period: '2026-Q1', from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', currency: 'EUR', target: 2_000, paid: 200, fulfilment: 0.1 },
      { managerId: ANNA, period: '2026-02', from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z', currency: 'EUR', target: 1_000, paid: 2_500, fulfilment: 2.5 },
    ]);
  });

  test('workload now: open and claimed tasks and hours per department and person (every staff member, 0 h for those with room), and who is overloaded', () => {
    expect(report.workload).toEqual({
      asOf: NOW.toISOString(),
      thresholdHours: OVERLOAD_HOURS,
      totals: { open: 1, claimed: 2, openHours: 15, claimedHours: 42, overdue: 2 },
      byDepartment: [
        { department: 'design', open: 0, claimed: 1, openHours: 0, claimedHours: 30, overdue: 1 },
        { department: 'copywriting', open: 1, claimed: 0, openHours: 15, claimedHours: 0, overdue: 1 },
        { department: 'seo', open: 0, claimed: 1, openHours: 0, claimedHours: 12, overdue: 0 },
      ],
      // The directory's six staff: those with nothing in hand at 0 h, so who has room can be read off.
      byPerson: [
        { personId: 'dima.design', department: 'design', claimed: 1, claimedHours: 30, overdue: 1, overloaded: true },
        { personId: 'ivan.copy', department: 'copywriting', claimed: 0, claimedHours: 0, overdue: 0, overloaded: false },
        { personId: 'maria.seo', department: 'seo', claimed: 1, claimedHours: 12, overdue: 0, overloaded: false },
        { personId: 'nina.analytics', department: 'analytics', claimed: 0, claimedHours: 0, overdue: 0, overloaded: false },
        { personId: 'olga.design', department: 'design', claimed: 0, claimedHours: 0, overdue: 0, overloaded: false },
        { personId: 'pavel.ads', department: 'ads', claimed: 0, claimedHours: 0, overdue: 0, overloaded: false },
      ],
      overloaded: ['dima.design'],
    });
  });

  test('a weekly series with the same definitions', () => {
    // Money per week: INV-4's payment (01-08); INV-2 and INV-5 issued, INV-2 paid (01-13, 01-15);
    // INV-6 and INV-3 issued, CN-1 credited, 300 paid on INV-5 and 100 refunded on CN-1 (01-19 to
    // 01-25); INV-1 issued and 3000 paid on it, INV-6 voided on cancellation (from 01-26).
    const week = (o: Partial<KpiReport['series'][number]>) => ({
      projectsOpened: 0,
      plansSent: 0,
      medianResponseHours: null,
      delivered: 0,
      onTime: 0,
      late: 0,
      complaints: 0,
      ratings: 0,
      averageRating: null,
      money: [],
      ...o,
    });
    expect(report.series).toEqual([
      week({ weekStart: '2026-01-05T00:00:00.000Z', projectsOpened: 2, plansSent: 2, medianResponseHours: 3, delivered: 1, late: 1, complaints: 1, money: [flows({ paid: 4_000, netPaid: 4_000 })] }),
      week({ weekStart: '2026-01-12T00:00:00.000Z', projectsOpened: 1, plansSent: 1, medianResponseHours: 12, delivered: 2, onTime: 1, late: 1, ratings: 1, averageRating: 2, money: [flows({ invoiced: 1_300, netInvoiced: 1_300, paid: 500, netPaid: 500 })] }),
      week({ weekStart: '2026-01-19T00:00:00.000Z', projectsOpened: 1, plansSent: 1, medianResponseHours: 8, delivered: 2, onTime: 2, money: [flows({ invoiced: 1_400, credited: 100, netInvoiced: 1_300, paid: 300, refunded: 100, netPaid: 200 })] }),
      week({ weekStart: '2026-01-26T00:00:00.000Z', projectsOpened: 2, plansSent: 1, medianResponseHours: 2, delivered: 1, late: 1, complaints: 1, ratings: 1, averageRating: 5, money: [flows({ invoiced: 5_500, voided: 900, netInvoiced: 4_600, paid: 3_000, netPaid: 3_000 })] }),
    ]);
  });

  test('the weekly money adds up to the period\u2019s totals, field by field: a prepayment invoiced one week and voided the next, a credit note and its refund', async () => {
    // The dashboard's chart and its tile must say the same: summed over the weeks, every flow and
    // net of the series is the period's total, for the whole portfolio and within each filter.
    // Per currency of the totals (one with only plans approved has no week of money: zeros), in
    // cents so that adding amounts is exact; and no week has a currency the totals lack.
    const weeklySums = (report: KpiReport) => {
      const weekly = report.series.flatMap((w) => w.money);
      expect(weekly.filter((m) => !report.money.totals.some((t) => t.currency === m.currency))).toEqual([]);
      return report.money.totals.map(({ currency }) => ({
        currency,
        ...Object.fromEntries(FLOWS.map((f) => [f, weekly.filter((m) => m.currency === currency).reduce((n, m) => Math.round(n * 100 + m[f] * 100) / 100, 0)])),
      }));
    };
    const totals = (report: KpiReport) => report.money.totals.map((t) => ({ currency: t.currency, ...Object.fromEntries(FLOWS.map((f) => [f, t[f]])) }));
    expect(weeklySums(report)).toEqual([flows({ invoiced: 8_200, voided: 900, credited: 100, netInvoiced: 7_200, paid: 7_800, refunded: 100, netPaid: 7_700 })]);
    expect(weeklySums(report)).toEqual(totals(report));
    for (const query of [{ managerId: BORIS }, { managerId: ANNA }, { segment: 'B2C' }, { department: 'design' }] as Record<string, string>[]) {
      const narrowed = await kpis(query);
      expect([query, weeklySums(narrowed)]).toEqual([query, totals(narrowed)]);
    }
  });

  test('snapshots published again, older ones late and in any order, change no figure', async () => {
    const shuffled = [...dataset.live, ...dataset.finals].sort(() => Math.random() - 0.5);
    for (const snapshot of shuffled) expect((await t.store.publish(snapshot)).factsAdded).toBe(0);
    expect(await kpis()).toEqual(report);
  });
});

describe('filters and scope', () => {
  test('a manager gets their own figures; another manager\u2019s are refused with 403', async () => {
    const own = await kpis({}, 'anna');
    expect(own.scope.managerId).toBe(ANNA);
    expect(own.responseTime.overall).toEqual(stats(3, 4, 10.4, 6));
    expect(own.money.byManager.map((m) => m.managerId)).toEqual([ANNA]);
    expect(own.salesPlan.map((s) => s.managerId)).toEqual([ANNA, ANNA]);
    expect(await kpis({ managerId: ANNA }, 'anna')).toEqual(own);
    expect(await kpis({ managerId: ANNA })).toEqual(own);

    const refused = await r.http().get('/api/reports/kpis').query({ managerId: BORIS }).set(r.auth('anna')).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await r.http().get('/api/reports/kpis.csv').query({ managerId: BORIS }).set(r.auth('anna')).expect(403);
    await r.http().get('/api/reports/kpis').set(r.auth('dima')).expect(403);
    await r.http().get('/api/reports/kpis').expect(401);
  });

  test('segment and department narrow the figures', async () => {
    const b2c = await kpis({ segment: 'B2C' });
    expect(b2c.responseTime.overall).toEqual(stats(2, 5, 7.4, 5));
    expect(b2c.money.byClient.map((c) => c.clientId)).toEqual(['carol', 'dave']);
    expect(b2c.clients.regularClients.items.map((c) => c.clientId)).toEqual(['carol']);
    expect(b2c.workload.totals).toEqual({ open: 0, claimed: 0, openHours: 0, claimedHours: 0, overdue: 0 });

    const design = await kpis({ department: 'design' });
    expect(design.delivery.overall).toEqual(delivery(2, 2, 0, 1, null));
    expect(design.quality.tasks.accepted).toBe(2);
    expect(design.workload.byDepartment.map((d) => d.department)).toEqual(['design']);
    expect(design.series.reduce((n, w) => n + w.delivered, 0)).toBe(2);
    // The workload per person: the department's staff only, Olga with room at 0 h.
    expect(design.workload.byPerson.map((p) => [p.personId, p.claimedHours])).toEqual([
      ['dima.design', 30],
      ['olga.design', 0],
    ]);
    // Project and money figures cover whole projects.
    expect(design.money.totals).toEqual((await kpis()).money.totals);
  });

  test('a period asked in a reader\u2019s own midnights: the same days at their offset, weeks cut at their Monday; bare days stay UTC days', async () => {
    // Tokyo's four weeks from Monday 5 January: 4 January 15:00 UTC to 1 February 15:00 UTC.
    const tokyo = await kpis({ from: '2026-01-05T00:00:00+09:00', to: '2026-02-02T00:00:00+09:00' });
    expect(tokyo.scope).toEqual({ from: '2026-01-04T15:00:00.000Z', to: '2026-02-01T15:00:00.000Z' });
    expect(tokyo.series.map((w) => w.weekStart)).toEqual(['2026-01-04T15:00:00.000Z', '2026-01-11T15:00:00.000Z', '2026-01-18T15:00:00.000Z', '2026-01-25T15:00:00.000Z']);
    // Los Angeles' are eight hours behind UTC: Monday 00:00 there is Monday 08:00 UTC.
    const la = await kpis({ from: '2026-01-05T00:00:00-08:00', to: '2026-02-02T00:00:00-08:00' });
    expect(la.series.map((w) => w.weekStart)).toEqual(['2026-01-05T08:00:00.000Z', '2026-01-12T08:00:00.000Z', '2026-01-19T08:00:00.000Z', '2026-01-26T08:00:00.000Z']);
    // Every fact of the period is in one of its weeks, and in no week outside it.
    for (const report of [tokyo, la]) {
      expect(report.series.reduce((n, w) => n + w.plansSent, 0)).toBe(report.responseTime.overall.projects);
      expect(report.series.reduce((n, w) => n + w.delivered, 0)).toBe(report.delivery.overall.delivered);
    }
    // A bare day is still a UTC day, for the API's callers.
    const days = await kpis({ from: '2026-01-05', to: '2026-02-02' });
    expect(days.scope).toEqual({ from: '2026-01-05T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' });
    expect(days.series[0].weekStart).toBe('2026-01-05T00:00:00.000Z');
    // The CSV is named by the first and the last day asked for, both inclusive, at their offset.
    const csvName = async (query: Record<string, string>) =>
      (await r.http().get('/api/reports/kpis.csv').query(query).set(r.auth('lena')).expect(200)).headers['content-disposition'];
    expect(await csvName({ from: '2026-01-05T00:00:00+09:00', to: '2026-02-02T00:00:00+09:00' })).toBe('attachment; filename="kpis-2026-01-05-2026-02-01.csv"');
    expect(await csvName({ from: '2026-01-05T00:00:00-08:00', to: '2026-02-02T00:00:00-08:00' })).toBe('attachment; filename="kpis-2026-01-05-2026-02-01.csv"');
    // Berlin from summer into winter time: each end named at its own offset.
    expect(await csvName({ from: '2025-10-01T00:00:00+02:00', to: '2026-01-01T00:00:00+01:00' })).toBe('attachment; filename="kpis-2025-10-01-2025-12-31.csv"');
    expect(await csvName({ from: '2026-01-05', to: '2026-01-09' })).toBe('attachment; filename="kpis-2026-01-05-2026-01-08.csv"');
  });

  test('with the reader\u2019s time zone, weeks start at their Monday on both sides of a change of clocks: no hour-long week at an end, every fact in its week', async () => {
    // Berlin from Monday 20 October 2025 (summer time) to Sunday 1 February 2026 inclusive; the
    // clocks went back on 26 October. Fifteen weeks, each from a Monday 00:00 in Berlin.
    const berlin = await kpis({ from: '2025-10-20T00:00:00+02:00', to: '2026-02-02T00:00:00+01:00', timeZone: 'Europe/Berlin' });
    const starts = berlin.series.map((w) => w.weekStart);
    expect(starts).toHaveLength(15);
    expect(starts.slice(0, 2)).toEqual(['2025-10-19T22:00:00.000Z', '2025-10-26T23:00:00.000Z']);
    expect(starts.at(-1)).toBe('2026-01-25T23:00:00.000Z');
    // Its last four weeks hold what the UTC weeks of the same days hold (no fact falls in the hour between them).
    const utc = await kpis();
    const figures = (w: KpiReport['series'][number]) => ({ ...w, weekStart: undefined });
    expect(berlin.series.slice(-4).map(figures)).toEqual(utc.series.map(figures));
    expect(berlin.series.reduce((n, w) => n + w.delivered, 0)).toBe(berlin.delivery.overall.delivered);
    // Where the zone keeps one offset, its weeks are those of the offset.
    const tokyoZone = await kpis({ from: '2026-01-05T00:00:00+09:00', to: '2026-02-02T00:00:00+09:00', timeZone: 'Asia/Tokyo' });
    const tokyoOffset = await kpis({ from: '2026-01-05T00:00:00+09:00', to: '2026-02-02T00:00:00+09:00' });
    expect(tokyoZone.series).toEqual(tokyoOffset.series);
    // The CSV says the same weeks.
    const csv = await r.http().get('/api/reports/kpis.csv').query({ from: '2025-10-20T00:00:00+02:00', to: '2026-02-02T00:00:00+01:00', timeZone: 'Europe/Berlin' }).set(r.auth('lena')).expect(200);
    const [header, ...rows] = parseCsv(csv.text.slice(1));
    const weekStarts = new Set(rows.map((row) => row[header.indexOf('weekStart')]).filter((w) => w !== ''));
    expect([...weekStarts]).toEqual(starts);
  });

  test('bad filters are a 400 problem naming the field', async () => {
    const bad = async (query: Record<string, string>, field: string) => {
      const res = await r.http().get('/api/reports/kpis').query(query).set(r.auth('lena')).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad({ from: 'yesterday' }, 'from');
    await bad({ to: '2026-13-01' }, 'to');
    await bad({ segment: 'B2G' }, 'segment');
    await bad({ department: 'sales' }, 'department');
    await bad({ managerId: "x' OR 1=1" }, 'managerId');
    await bad({ color: 'blue' }, 'color');
    await bad({ timeZone: 'Mars/Olympus' }, 'timeZone');
    await bad({ from: '2026-02-01', to: '2026-01-01' }, 'from');
    await bad({ from: '2020-01-01', to: '2026-01-01' }, 'from');
    await r.http().get('/api/reports/kpis.csv').query({ segment: 'B2G' }).set(r.auth('lena')).expect(400);
  });

  test('without dates: the 90 days up to now', async () => {
    const report = (await r.http().get('/api/reports/kpis').set(r.auth('lena')).expect(200)).body as KpiReport;
    expect(report.scope).toEqual({ from: '2025-12-01T00:00:00.000Z', to: NOW.toISOString() });
    expect(report.money.outstandingAsOf).toBe(NOW.toISOString());
  });
});

describe('the CSV', () => {
  test('is an attachment a spreadsheet opens: header row, one figure per row, RFC 4180 quoting, the same numbers as the JSON', async () => {
    const json = await kpis();
    const res = await r.http().get('/api/reports/kpis.csv').query(PERIOD).set(r.auth('lena')).buffer(true).parse((response, done) => {
      let data = '';
      response.setEncoding('utf8');
      response.on('data', (c: string) => (data += c));
      response.on('end', () => done(null, data));
    }).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="kpis-2026-01-05-2026-02-01.csv"');
    const text = res.body as string;
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);

    const [header, ...rows] = parseCsv(text.slice(1));
    expect(header).toEqual([...CSV_COLUMNS]);
    for (const row of rows) expect(row).toHaveLength(header.length);
    const records = rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));

    // Every figure row matches the JSON at its section, dimensions and figure.
    const dims = CSV_COLUMNS.filter((c) => c !== 'section' && c !== 'figure' && c !== 'value');
    let checked = 0;
    for (const rec of records.filter((x) => x.section !== 'report')) {
      let node: unknown = json;
      for (const part of rec.section.split('.')) {
        if (Array.isArray(node)) break;
        node = (node as Record<string, unknown>)[part];
        if (Array.isArray(node)) {
          const wanted = dims.filter((d) => rec[d] !== '');
          node = node.find((el: Record<string, unknown>) => wanted.every((d) => typeof el[d] !== 'string' || el[d] === rec[d] || `'${String(el[d])}` === rec[d]));
        }
      }
      let value: unknown = node;
      const path = rec.figure.split('.');
      // `distribution.5` is one figure with a sub-name.
      for (const part of path) value = (value as Record<string, unknown>)?.[part];
      const expected = value === null ? '' : String(value);
      if (rec.value !== expected) throw new Error(`CSV ${rec.section} ${rec.figure} ${JSON.stringify(rec)} = ${rec.value}, JSON ${expected}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);

    // A few by hand, as a person reading the spreadsheet would find them.
    const find = (section: string, figure: string, where: Record<string, string> = {}) =>
      records.filter((x) => x.section === section && x.figure === figure && Object.entries(where).every(([k, v]) => x[k] === v));
    expect(find('money.byManager', 'paid', { managerId: ANNA, currency: 'EUR' }).map((x) => x.value)).toEqual(['7500']);
    expect(find('responseTime.overall', 'p90Hours').map((x) => x.value)).toEqual(['10.4']);
    expect(find('delivery.byPerson', 'late', { personId: 'ivan.copy' }).map((x) => x.value)).toEqual(['2']);
    expect(find('clients.ratings', 'distribution.5').map((x) => x.value)).toEqual(['1']);
    expect(find('series.money', 'invoiced', { weekStart: '2026-01-26T00:00:00.000Z', currency: 'EUR' }).map((x) => x.value)).toEqual(['5500']);
    expect(find('series.money', 'voided', { weekStart: '2026-01-26T00:00:00.000Z', currency: 'EUR' }).map((x) => x.value)).toEqual(['900']);
    expect(find('series.money', 'netInvoiced', { weekStart: '2026-01-26T00:00:00.000Z', currency: 'EUR' }).map((x) => x.value)).toEqual(['4600']);
    expect(find('series.money', 'netPaid', { weekStart: '2026-01-19T00:00:00.000Z', currency: 'EUR' }).map((x) => x.value)).toEqual(['200']);
    expect(find('money.totals', 'netPaid', { currency: 'EUR' }).map((x) => x.value)).toEqual(['7700']);
    expect(find('salesPlan', 'fulfilment', { managerId: BORIS, period: '2026-Q1' }).map((x) => x.value)).toEqual(['0.1']);
    expect(find('workload.byPerson', 'overloaded', { personId: 'dima.design' }).map((x) => x.value)).toEqual(['true']);
    expect(find('report', 'from').map((x) => x.value)).toEqual([PERIOD.from]);
    // Text a spreadsheet would take for a formula is defused; quotes and commas survive quoting.
    expect(text).toContain("'=Dave");
    expect(text).not.toMatch(/(^|,)=Dave/m);
  });
});

test('every figure states its definition in the OpenAPI document', () => {
  type Node = { $ref?: string; description?: string; type?: string | string[]; anyOf?: Node[]; properties?: Record<string, Node>; items?: Node };
  const doc = buildOpenApiDocument() as { components: { schemas: Record<string, Node> } };
  const undefinedFigures: string[] = [];
  const walk = (node: Node | undefined, path: string, described: boolean): void => {
    if (!node) return;
    const resolved = node.$ref ? doc.components.schemas[node.$ref.split('/').pop()!] : node;
    const here = described || typeof resolved.description === 'string';
    const types = ([] as string[]).concat(resolved.type ?? []);
    if (resolved.anyOf) for (const option of resolved.anyOf) walk(option, path, here);
    else if (types.includes('object')) for (const [key, child] of Object.entries(resolved.properties ?? {})) walk(child, `${path}.${key}`, false);
    else if (types.includes('array')) walk(resolved.items, `${path}[]`, false);
    else if (['number', 'integer', 'boolean'].some((t) => types.includes(t)) && !here) undefinedFigures.push(path);
  };
  walk(doc.components.schemas.KpiReport, 'KpiReport', false);
  // The list of sales targets carries the sales plan's figures too.
  walk(doc.components.schemas.SalesTargetList, 'SalesTargetList', false);
  expect(undefinedFigures).toEqual([]);
});

describe('sales targets', () => {
  test('each target carries its net paid and fulfilment, as the KPI report\u2019s sales plan counts them; a target with nothing paid at 0', async () => {
    const listed = async (who: 'lena' | 'anna') =>
      (await r.http().get('/api/reports/sales-targets').set(r.auth(who)).expect(200)).body.items as SalesTarget[];
    const figures = (t: { managerId: string; period: string; currency: string; paid: number; fulfilment: number }) => [t.managerId, t.period, t.currency, t.paid, t.fulfilment];
    const targets = await listed('lena');
    expect(targets.map(figures)).toEqual([
      // Nothing of anna's paid in the quarter.
      [ANNA, '2025-Q4', 'EUR', 0, 0],
      [ANNA, '2026-01', 'EUR', 7_500, 0.75],
      [BORIS, '2026-Q1', 'EUR', 200, 0.1],
      [ANNA, '2026-02', 'EUR', 2_500, 2.5],
    ]);
    // The same figures as the KPI report's sales plan over every target's period.
    const report = await kpis({ from: '2025-10-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
    expect(report.salesPlan.map(figures)).toEqual(targets.map(figures));
    // A manager's own targets, counted the same.
    expect((await listed('anna')).map(figures)).toEqual(targets.filter((t) => t.managerId === ANNA).map(figures));
  });

  test('PUT is idempotent: the same body again is 200 and changes nothing; a new amount replaces it', async () => {
    const path = `/api/reports/sales-targets/${BORIS}/2026-03`;
    const first = await r.http().put(path).set(r.auth('lena')).send({ amount: 750.5, currency: 'EUR' }).expect(201);
    expect(first.body).toEqual({
      managerId: BORIS,
      period: '2026-03',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      currency: 'EUR',
      amount: 750.5,
      setBy: 'lena.director',
      setAt: NOW.toISOString(),
      // Nothing of boris's was paid in March.
      paid: 0,
      fulfilment: 0,
    });
    const again = await r.http().put(path).set(r.auth('lena')).send({ amount: 750.5, currency: 'EUR' }).expect(200);
    expect(again.body).toEqual(first.body);
    const changed = await r.http().put(path).set(r.auth('lena')).send({ amount: 900, currency: 'EUR' }).expect(200);
    expect(changed.body.amount).toBe(900);
    const listed = await r.http().get('/api/reports/sales-targets').query({ managerId: BORIS, period: '2026-03' }).set(r.auth('boris')).expect(200);
    expect(listed.body.items).toEqual([changed.body]);
  });

  test('DELETE removes a target set by mistake, and answers the same when retried; only leadership may', async () => {
    const path = `/api/reports/sales-targets/${ANNA}/2027-Q1`;
    await r.http().put(path).set(r.auth('lena')).send({ amount: 5_000, currency: 'EUR' }).expect(201);
    await r.http().delete(path).set(r.auth('anna')).expect(403);
    await r.http().delete(path).set(r.auth('lena')).expect(204);
    await r.http().delete(path).set(r.auth('lena')).expect(204);
    expect((await r.http().get('/api/reports/sales-targets').query({ managerId: ANNA, period: '2027-Q1' }).set(r.auth('lena')).expect(200)).body.items).toEqual([]);
    const badPeriod = await r.http().delete(`/api/reports/sales-targets/${ANNA}/2027-Q5`).set(r.auth('lena')).expect(400);
    expect(badPeriod.body.errors).toEqual([{ field: 'period', message: expect.stringMatching(/quarter/) }]);
    await r.http().delete('/api/reports/sales-targets/dima.design/2027-Q1').set(r.auth('lena')).expect(404);
  });

  test('only leadership sets targets, for managers in the directory, with a valid period and body; managers list their own', async () => {
    await r.http().put(`/api/reports/sales-targets/${ANNA}/2026-Q2`).set(r.auth('anna')).send({ amount: 1, currency: 'EUR' }).expect(403);
    await r.http().put('/api/reports/sales-targets/dima.design/2026-Q2').set(r.auth('lena')).send({ amount: 1, currency: 'EUR' }).expect(404);
    const badPeriod = await r.http().put(`/api/reports/sales-targets/${ANNA}/2026-Q5`).set(r.auth('lena')).send({ amount: 1, currency: 'EUR' }).expect(400);
    expect(badPeriod.body.errors).toEqual([{ field: 'period', message: expect.stringMatching(/quarter/) }]);
    const badBody = await r.http().put(`/api/reports/sales-targets/${ANNA}/2026-Q2`).set(r.auth('lena')).send({ amount: -1, currency: 'euro' }).expect(400);
    expect(new Set(badBody.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['amount', 'currency']));
    // Three letters are not enough: a made-up currency is refused at its field.
    const madeUp = await r.http().put(`/api/reports/sales-targets/${ANNA}/2026-Q2`).set(r.auth('lena')).send({ amount: 1, currency: 'XYZ' }).expect(400);
    expect(madeUp.body.errors).toEqual([{ field: 'currency', message: 'not a currency code (ISO 4217, such as EUR or USD)' }]);
    await r.http().get('/api/reports/sales-targets').query({ managerId: BORIS }).set(r.auth('anna')).expect(403);
    const own = await r.http().get('/api/reports/sales-targets').set(r.auth('anna')).expect(200);
    expect(new Set(own.body.items.map((i: { managerId: string }) => i.managerId))).toEqual(new Set([ANNA]));
  });
});

describe('client spend credited more than invoiced', () => {
  // A store of its own: the main dataset's figures stay as worked out in dataset.ts.
  let own: TestStore;
  let app: ReportApp;
  beforeAll(async () => {
    own = await openTestStore();
    const client = (id: string, name: string) => ({ id, name, segment: 'B2B' as const });
    const project = (id: string, c: { id: string; name: string; segment: 'B2B' }) =>
      // Opened before the previous period (2025-12-08 on): spend only, no projects in either period.
      new ProjectBuilder({ projectId: id, managerId: ANNA, client: c, intakeAt: '2025-10-20T09:00:00.000Z' });
    // Invoiced 800 before either period; 300 of it credited in this one: -300, nothing before.
    const credited = project('p-credited', client('credited', 'Credited Ltd'))
      .invoice('final', 'INV-R1', 800, '2025-11-20T10:00:00.000Z')
      .invoice('credit_note', 'CN-R1', 300, '2026-01-15T10:00:00.000Z');
    // A net credit before (400 of an older 1000), then 250 invoiced: no growth from -400.
    const recovered = project('p-recovered', client('recovered', 'Recovered GmbH'))
      .invoice('final', 'INV-R2', 1_000, '2025-11-10T10:00:00.000Z')
      .invoice('credit_note', 'CN-R2', 400, '2025-12-15T10:00:00.000Z')
      .invoice('final', 'INV-R3', 250, '2026-01-20T10:00:00.000Z');
    // 300 invoiced before, then 800 credited (of an older 1000): -800 against a positive 300.
    const lapsed = project('p-lapsed', client('lapsed', 'Lapsed SA'))
      .invoice('final', 'INV-R4', 1_000, '2025-11-01T10:00:00.000Z')
      .invoice('final', 'INV-R5', 300, '2025-12-20T10:00:00.000Z')
      .invoice('credit_note', 'CN-R3', 800, '2026-01-25T10:00:00.000Z');
    for (const p of [credited, recovered, lapsed]) for (const snapshot of p.publishAll()) await own.store.publish(snapshot);
    app = reportApp(own.store, { now: NOW });
  });
  afterAll(async () => {
    await app?.close();
    await own?.dispose();
  });

  test('spend goes below 0; growth is taken only from a previous spend above 0, for each client and for the totals', async () => {
    const report = (await app.http().get('/api/reports/kpis').query(PERIOD).set(app.auth('lena')).expect(200)).body as KpiReport;
    const row = (clientId: string, clientName: string, spend: number, previousSpend: number, growth: number | null) => ({
      clientId,
      clientName,
      segment: 'B2B',
      currency: 'EUR',
      spend,
      previousSpend,
      growth,
      projects: 0,
      previousProjects: 0,
    });
    expect(report.clients.spend.byClient).toEqual([
      row('credited', 'Credited Ltd', -300, 0, null),
      // From 300 to -800: taken from a spend above 0, a growth still (-1100 / 300).
      row('lapsed', 'Lapsed SA', -800, 300, -3.6667),
      // From -400 to 250 is not "-162.5%".
      row('recovered', 'Recovered GmbH', 250, -400, null),
    ]);
    // All together -100 before, -850 now: not "+750%".
    expect(report.clients.spend.totals).toEqual([{ currency: 'EUR', spend: -850, previousSpend: -100, growth: null }]);
  });
});
