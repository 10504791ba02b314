/**
 * The deliveries behind the KPI report's delivery figures (GET /api/reports/kpis/deliveries), over
 * the KPI tests' portfolio (dataset.ts): asked with the report's own query, the list has as many
 * tasks as the figure it was reached from — the period's delivered, on time and late, each
 * department's, each week's, for a manager and in a reader's own time zone — most late first; a
 * manager gets their own projects' tasks only; a bad parameter is a 400 naming it; a long period is
 * cut at the list's cap and still counted whole.
 */
import { openTestStore, type TestStore } from '../support/reporting';
import type { KpiDeliveryList, KpiReport } from '../../api/schemas';
import { ANNA, BORIS, buildDataset, NOW, PERIOD } from './dataset';
import { ProjectBuilder, plusDays, plusHours } from './builders';
import { reportApp, type ReportApp, type Who } from './support';

let t: TestStore;
let r: ReportApp;

beforeAll(async () => {
  t = await openTestStore();
  for (const snapshot of buildDataset().live) await t.store.publish(snapshot);
  r = reportApp(t.store, { now: NOW });
});
afterAll(async () => {
  await r?.close();
  await t?.dispose();
});

async function kpis(query: Record<string, string>, who: Who = 'lena'): Promise<KpiReport> {
  return r.answer<KpiReport>('/api/reports/kpis', query, who);
}
async function deliveries(query: Record<string, string>, who: Who = 'lena'): Promise<KpiDeliveryList> {
  return r.answer<KpiDeliveryList>('/api/reports/kpis/deliveries', query, who);
}

/** The list's own count of each figure: how many it lists, and how many of them are late. */
async function counted(query: Record<string, string>, who: Who = 'lena') {
  const [all, late, onTime] = await Promise.all([deliveries(query, who), deliveries({ ...query, late: 'true' }, who), deliveries({ ...query, late: 'false' }, who)]);
  // Below the cap every task counted is listed, and each is what it was asked for.
  expect(all.items).toHaveLength(all.total);
  expect(late.items.every((i) => i.late)).toBe(true);
  expect(onTime.items.every((i) => !i.late)).toBe(true);
  return { delivered: all.total, late: late.total, onTime: onTime.total, lateListed: all.items.filter((i) => i.late).length };
}

describe('asked with the report\u2019s own query, the list has as many tasks as the figure it explains', () => {
  const QUERIES: [string, Record<string, string>, Who][] = [
    ['leadership, the whole portfolio', { ...PERIOD }, 'lena'],
    ['one manager, asked by leadership', { ...PERIOD, managerId: ANNA }, 'lena'],
    ['a manager, their own', { ...PERIOD }, 'anna'],
    ['B2C clients', { ...PERIOD, segment: 'B2C' }, 'lena'],
    ['one department', { ...PERIOD, department: 'copywriting' }, 'lena'],
    ['a reader in Tokyo, their own midnights', { from: '2026-01-05T00:00:00+09:00', to: '2026-02-02T00:00:00+09:00' }, 'lena'],
    ['a reader in Berlin, weeks at their Mondays', { from: '2026-01-05T00:00:00+01:00', to: '2026-02-02T00:00:00+01:00', timeZone: 'Europe/Berlin' }, 'lena'],
  ];

  test.each(QUERIES)('%s: the period, each department and each week', async (_what, query, who) => {
    const report = await kpis(query, who);
    const figures = (f: { delivered: number; onTime: number; late: number }) => ({ delivered: f.delivered, late: f.late, onTime: f.onTime, lateListed: f.late });

    expect(await counted(query, who)).toEqual(figures(report.delivery.overall));
    for (const d of report.delivery.byDepartment) {
      expect([d.department, await counted({ ...query, department: d.department }, who)]).toEqual([d.department, figures(d)]);
    }
    for (const w of report.series) {
      expect([w.weekStart, await counted({ ...query, week: w.weekStart }, who)]).toEqual([w.weekStart, figures(w)]);
    }
    // The weeks cover the period: together they list each delivery once.
    const weekly = await Promise.all(report.series.map((w) => deliveries({ ...query, week: w.weekStart }, who)));
    expect(weekly.flatMap((l) => l.items.map((i) => i.taskId)).sort()).toEqual((await deliveries(query, who)).items.map((i) => i.taskId).sort());
  });

  test('the portfolio\u2019s figures are the dataset\u2019s: 6 delivered, 3 late (the lists are not empty by accident)', async () => {
    expect(await counted({ ...PERIOD })).toEqual({ delivered: 6, late: 3, onTime: 3, lateListed: 3 });
  });
});

describe('each delivery, for leadership', () => {
  test('the late ones, most late first: which task, of which project and client, its original due date, when it came and how late', async () => {
    const late = await deliveries({ ...PERIOD, late: 'true' });
    expect(late.scope).toEqual({ ...PERIOD, late: true });
    expect(late.total).toBe(3);
    expect(late.limit).toBe(200);
    // P1's copy: due 01-14 17:00 (moved to 01-20 later: it is measured against the original),
    // delivered 01-16 17:00, 48 h late. Then 24 h each: P4's ads (delivered 01-10) before P1's
    // second revision (01-27), the earlier delivery first.
    expect(late.items).toEqual([
      {
        taskId: 'p-kpi-1.copy',
        projectId: 'p-kpi-1',
        taskTitle: 'copywriting copy',
        projectTitle: 'Project p-kpi-1',
        clientName: 'ACME Ltd',
        department: 'copywriting',
        deliveredBy: 'ivan.copy',
        dueAt: '2026-01-14T17:00:00.000Z',
        deliveredAt: '2026-01-16T17:00:00.000Z',
        late: true,
        lateByHours: 48,
        href: '/api/tasks/p-kpi-1.copy',
      },
      expect.objectContaining({ taskId: 'p-kpi-4.ads', clientName: 'Carol Singer', department: 'ads', lateByHours: 24, deliveredAt: '2026-01-10T17:00:00.000Z' }),
      expect.objectContaining({ projectId: 'p-kpi-1', department: 'copywriting', lateByHours: 24, deliveredAt: '2026-01-27T17:00:00.000Z' }),
    ]);
  });

  test('on time ones say so, with no lateness; without `late`, both, the late ones first', async () => {
    const onTime = await deliveries({ ...PERIOD, late: 'false' });
    expect(onTime.items.map((i) => [i.taskId, i.late, i.lateByHours])).toEqual([
      // Closest to its due date first: delivered 5 h before it, then 31 h, then 55 h.
      ['p-kpi-1.design', false, 0],
      ['p-kpi-2.seo', false, 0],
      [expect.stringMatching(/^p-kpi-1\./), false, 0],
    ]);
    const all = await deliveries({ ...PERIOD });
    expect(all.items.map((i) => i.late)).toEqual([true, true, true, false, false, false]);
  });

  test('one week of the series: only the part of it inside the period', async () => {
    // The period starts on a Tuesday: its first week is cut at the period's start.
    const from = '2026-01-06T00:00:00.000Z';
    const report = await kpis({ from, to: PERIOD.to });
    expect(report.series[0].weekStart).toBe('2026-01-05T00:00:00.000Z');
    const first = await deliveries({ from, to: PERIOD.to, week: '2026-01-05T00:00:00.000Z' });
    expect(first.scope).toEqual({ from, to: '2026-01-12T00:00:00.000Z', week: '2026-01-05T00:00:00.000Z' });
    expect(first.items.map((i) => i.taskId)).toEqual(['p-kpi-4.ads']);
  });
});

describe('scope', () => {
  test('a manager gets their own projects\u2019 deliveries only; another manager\u2019s are refused with 403', async () => {
    const anna = await deliveries({ ...PERIOD }, 'anna');
    expect(anna.scope.managerId).toBe(ANNA);
    expect(anna.total).toBe(5);
    expect(new Set(anna.items.map((i) => i.projectId))).toEqual(new Set(['p-kpi-1', 'p-kpi-2']));
    expect(await deliveries({ ...PERIOD, managerId: ANNA }, 'anna')).toEqual(anna);

    const boris = await deliveries({ ...PERIOD }, 'boris');
    expect(boris.items.map((i) => i.taskId)).toEqual(['p-kpi-4.ads']);

    const refused = await r.http().get('/api/reports/kpis/deliveries').query({ ...PERIOD, managerId: BORIS }).set(r.auth('anna')).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await r.http().get('/api/reports/kpis/deliveries').query(PERIOD).set(r.auth('dima')).expect(403);
    await r.http().get('/api/reports/kpis/deliveries').query(PERIOD).expect(401);
  });

  test('leadership narrows to one manager, as the report does', async () => {
    const boris = await deliveries({ ...PERIOD, managerId: BORIS });
    expect(boris.scope).toEqual({ ...PERIOD, managerId: BORIS });
    expect(boris.items.map((i) => i.taskId)).toEqual(['p-kpi-4.ads']);
  });
});

test('bad parameters are a 400 problem naming the field', async () => {
  const bad = (query: Record<string, string>, field: string) => r.expectRefusedAt('/api/reports/kpis/deliveries', query, field);
  await bad({ ...PERIOD, late: 'yes' }, 'late');
  await bad({ ...PERIOD, week: 'last week' }, 'week');
  // A time inside a week, not its start: the list would count other deliveries than the series' week.
  await bad({ ...PERIOD, week: '2026-01-13T00:00:00.000Z' }, 'week');
  // A week before the period.
  await bad({ ...PERIOD, week: '2025-12-29T00:00:00.000Z' }, 'week');
  await bad({ ...PERIOD, department: 'sales' }, 'department');
  await bad({ from: '2026-02-01', to: '2026-01-01' }, 'from');
  await bad({ ...PERIOD, page: '2' }, 'page');
});

describe('a period with more deliveries than one list gives', () => {
  let big: TestStore;
  let app: ReportApp;
  const DELIVERED = 203;
  const from = '2026-03-02T00:00:00.000Z';
  const to = '2026-03-09T00:00:00.000Z';

  beforeAll(async () => {
    big = await openTestStore();
    // One project, 203 design tasks all due 03-02 09:00 and delivered 1, 2, ... 203 minutes late.
    const due = '2026-03-02T09:00:00.000Z';
    const keys = Array.from({ length: DELIVERED }, (_, i) => `t${String(i + 1).padStart(3, '0')}`);
    const p = new ProjectBuilder({ projectId: 'p-many', managerId: ANNA, client: { id: 'many', name: 'Many Tasks', segment: 'B2B' }, intakeAt: plusDays(from, -7) });
    p.submitPlan(plusDays(from, -6), keys.map((key) => ({ key, department: 'design' as const, dueAt: due })));
    p.approve(plusDays(from, -5));
    keys.forEach((key, i) => p.task(key).deliver('dima.design', plusDays(from, -5), plusHours(due, (i + 1) / 60)));
    for (const snapshot of p.publishAll()) await big.store.publish(snapshot);
    app = reportApp(big.store, { now: NOW });
  });
  afterAll(async () => {
    await app?.close();
    await big?.dispose();
  });

  test('lists the 200 most late, and counts all 203 as the report does', async () => {
    const report = (await app.http().get('/api/reports/kpis').query({ from, to }).set(app.auth('lena')).expect(200)).body as KpiReport;
    expect(report.delivery.overall.late).toBe(DELIVERED);
    const list = (await app.http().get('/api/reports/kpis/deliveries').query({ from, to, late: 'true' }).set(app.auth('lena')).expect(200)).body as KpiDeliveryList;
    expect(list.total).toBe(DELIVERED);
    expect(list.items).toHaveLength(200);
    expect(list.items[0].taskId).toBe('p-many.t203');
    // The three least late are the ones left out.
    expect(list.items[199].taskId).toBe('p-many.t004');
  });
});
