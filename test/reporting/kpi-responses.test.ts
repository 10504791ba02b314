/**
 * The client requests behind the KPI report's response-time figures (GET
 * /api/reports/kpis/responses), over the KPI tests' portfolio (dataset.ts) and three requests of
 * this file's own: asked with the report's own query, the list has as many requests as the figure it
 * was reached from — first plans sent in the period, each manager's, each week's; requests received
 * each week; requests still waiting — and the median of its response times is the figure's, for a
 * manager and in a reader's own time zone; slowest first, the longest-waiting unanswered ones among
 * them; a manager gets their own projects' requests only; a bad parameter is a 400 naming it; a long
 * period is cut at the list's cap and still counted (and its median taken) whole.
 */
import { openTestStore, type TestStore } from '../support/reporting';
import type { KpiReport } from '../../api/schemas';
import type { KpiResponseList } from '../../api/kpi-response-schemas';
import { ANNA, BORIS, buildDataset, NOW, PERIOD } from './dataset';
import { ProjectBuilder, plusDays, plusHours } from './builders';
import { reportApp, type ReportApp, type Who } from './support';

let t: TestStore;
let r: ReportApp;

const carol = { id: 'carol', name: 'Carol Singer', segment: 'B2C' as const };
const dave = { id: 'dave', name: '=Dave', segment: 'B2C' as const };
const globex = { id: 'globex', name: 'Globex, "the" company', segment: 'B2B' as const };
const plan = [{ key: 'design', department: 'design' as const, dueAt: '2026-03-30T17:00:00.000Z' }];

/**
 * Besides the dataset's (responses P1 4 h, P2 12 h, P4 2 h, P5 8 h, P7 2 h; P6 waiting since 01-26):
 * P9 received in the last week, its plan sent after the period (145 h); P10 received and cancelled
 * without a plan; P11 received before the period, its plan sent in its first week (72 h).
 */
function extraRequests(): ProjectBuilder[] {
  const p9 = new ProjectBuilder({ projectId: 'p-kpi-9', managerId: BORIS, client: dave, intakeAt: '2026-01-28T09:00:00.000Z' });
  p9.submitPlan('2026-02-03T10:00:00.000Z', plan);
  const p10 = new ProjectBuilder({ projectId: 'p-kpi-10', managerId: ANNA, client: globex, intakeAt: '2026-01-13T09:00:00.000Z' });
  p10.cancel('2026-01-14T09:00:00.000Z');
  const p11 = new ProjectBuilder({ projectId: 'p-kpi-11', managerId: ANNA, client: carol, intakeAt: '2026-01-02T09:00:00.000Z' });
  p11.submitPlan('2026-01-05T09:00:00.000Z', plan);
  return [p9, p10, p11];
}

beforeAll(async () => {
  t = await openTestStore();
  for (const snapshot of buildDataset().live) await t.store.publish(snapshot);
  for (const p of extraRequests()) for (const snapshot of p.publishAll()) await t.store.publish(snapshot);
  r = reportApp(t.store, { now: NOW });
});
afterAll(async () => {
  await r?.close();
  await t?.dispose();
});

async function kpis(query: Record<string, string>, who: Who = 'lena'): Promise<KpiReport> {
  return r.answer<KpiReport>('/api/reports/kpis', query, who);
}
async function responses(query: Record<string, string>, who: Who = 'lena'): Promise<KpiResponseList> {
  return r.answer<KpiResponseList>('/api/reports/kpis/responses', query, who);
}

/** The median of some hours, as a reader would take it from the list's column. */
function medianOf(values: number[]): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The first plans a list names: how many, their median as the list says it, and as its rows say it. */
async function plansListed(query: Record<string, string>, who: Who) {
  const list = await responses({ ...query, answered: 'true' }, who);
  // Below the cap every request counted is listed, and each has its first plan.
  expect(list.items).toHaveLength(list.total);
  expect(list.items.every((i) => i.firstPlanAt !== undefined && i.responseHours !== undefined)).toBe(true);
  return { projects: list.total, medianHours: list.medianResponseHours, medianOfRows: medianOf(list.items.map((i) => i.responseHours!)) };
}

describe('asked with the report\u2019s own query, the list has as many requests as the figure it explains, and its median', () => {
  const QUERIES: [string, Record<string, string>, Who][] = [
    ['leadership, the whole portfolio', { ...PERIOD }, 'lena'],
    ['one manager, asked by leadership', { ...PERIOD, managerId: ANNA }, 'lena'],
    ['a manager, their own', { ...PERIOD }, 'anna'],
    ['B2C clients', { ...PERIOD, segment: 'B2C' }, 'lena'],
    ['one department (response time covers whole projects)', { ...PERIOD, department: 'copywriting' }, 'lena'],
    ['a reader in Tokyo, their own midnights', { from: '2026-01-05T00:00:00+09:00', to: '2026-02-02T00:00:00+09:00' }, 'lena'],
    ['a reader in Berlin, weeks at their Mondays', { from: '2026-01-05T00:00:00+01:00', to: '2026-02-02T00:00:00+01:00', timeZone: 'Europe/Berlin' }, 'lena'],
  ];

  test.each(QUERIES)('%s: the period, each manager, each week, and the requests still waiting', async (_what, query, who) => {
    const report = await kpis(query, who);
    const figure = (f: { projects: number; medianHours: number | null }) => ({ projects: f.projects, medianHours: f.medianHours, medianOfRows: f.medianHours });

    expect(await plansListed(query, who)).toEqual(figure(report.responseTime.overall));
    for (const m of report.responseTime.byManager) {
      expect([m.managerId, await plansListed({ ...query, managerId: m.managerId }, who)]).toEqual([m.managerId, figure(m)]);
    }
    for (const w of report.series) {
      const plans = await plansListed({ ...query, week: w.weekStart }, who);
      const received = await responses({ ...query, week: w.weekStart }, who);
      expect([w.weekStart, plans, received.total]).toEqual([w.weekStart, { projects: w.plansSent, medianHours: w.medianResponseHours, medianOfRows: w.medianResponseHours }, w.projectsOpened]);
    }
    // The weeks cover the period: together they list each request received (and each first plan sent) once.
    const ids = (lists: KpiResponseList[]) => lists.flatMap((l) => l.items.map((i) => i.projectId)).sort();
    const receivedOrSent: Record<string, string>[] = [{}, { answered: 'true' }];
    for (const answered of receivedOrSent) {
      const weekly = await Promise.all(report.series.map((w) => responses({ ...query, ...answered, week: w.weekStart }, who)));
      expect(ids(weekly)).toEqual(ids([await responses({ ...query, ...answered }, who)]));
    }

    const waiting = await responses({ ...query, answered: 'false' }, who);
    expect(waiting.total).toBe(report.responseTime.awaitingFirstPlan);
    expect(waiting.items.every((i) => i.firstPlanAt === undefined && i.waitingHours !== undefined && !i.cancelled)).toBe(true);
  });

  test('the portfolio\u2019s figures are the dataset\u2019s (the lists are not empty by accident)', async () => {
    expect(await plansListed({ ...PERIOD }, 'lena')).toEqual({ projects: 6, medianHours: 6, medianOfRows: 6 });
    expect(await plansListed({ ...PERIOD, managerId: ANNA }, 'lena')).toEqual({ projects: 4, medianHours: 8, medianOfRows: 8 });
    expect(await plansListed({ ...PERIOD, managerId: BORIS }, 'lena')).toEqual({ projects: 2, medianHours: 5, medianOfRows: 5 });
    expect((await responses({ ...PERIOD })).total).toBe(8);
    expect((await responses({ ...PERIOD, answered: 'false' })).total).toBe(1);
  });
});

describe('each request, slowest first', () => {
  test('first plans sent: which project, client and manager, when the request came and the plan went, how long it took', async () => {
    const sent = await responses({ ...PERIOD, answered: 'true' });
    expect(sent.scope).toEqual({ ...PERIOD, answered: true });
    expect(sent.limit).toBe(200);
    expect(sent.waitingAsOf).toBe(NOW.toISOString());
    // P11 came before the period and counts in it: its plan was sent in it (the figures count so).
    expect(sent.items[0]).toEqual({
      projectId: 'p-kpi-11',
      projectTitle: 'Project p-kpi-11',
      clientName: 'Carol Singer',
      segment: 'B2C',
      managerId: ANNA,
      managerName: 'Anna Petrova',
      receivedAt: '2026-01-02T09:00:00.000Z',
      firstPlanAt: '2026-01-05T09:00:00.000Z',
      responseHours: 72,
      cancelled: false,
      href: '/api/projects/p-kpi-11',
    });
    // Then 12 h, 8 h (P5, cancelled after its plan: its response still counts), 4 h, and the two
    // of 2 h in the order their requests came.
    expect(sent.items.map((i) => [i.projectId, i.responseHours])).toEqual([
      ['p-kpi-11', 72],
      ['p-kpi-2', 12],
      ['p-kpi-5', 8],
      ['p-kpi-1', 4],
      ['p-kpi-4', 2],
      ['p-kpi-7', 2],
    ]);
  });

  test('requests received: the one still waiting first (the longest wait so far), answered ones by their response, a cancelled one without a plan last', async () => {
    const received = await responses({ ...PERIOD });
    expect(received.scope).toEqual({ ...PERIOD });
    expect(received.items.map((i) => [i.projectId, i.responseHours ?? null, i.waitingHours ?? null, i.cancelled])).toEqual([
      // Received 01-26 09:00, no plan by now (03-01): 33 days 15 hours.
      ['p-kpi-6', null, 807, false],
      // Its plan came after the period: the request was received in it, so it is here, answered.
      ['p-kpi-9', 145, null, false],
      ['p-kpi-2', 12, null, false],
      // Cancelled after its plan: answered all the same.
      ['p-kpi-5', 8, null, true],
      ['p-kpi-1', 4, null, false],
      ['p-kpi-4', 2, null, false],
      ['p-kpi-7', 2, null, false],
      ['p-kpi-10', null, null, true],
    ]);
    expect(received.items[7].firstPlanAt).toBeUndefined();
    // The median of those answered, whenever: 145, 12, 8, 4, 2, 2.
    expect(received.medianResponseHours).toBe(6);
  });

  test('still waiting: only the request with no first plan at all, not the cancelled one, not one answered after the period', async () => {
    const waiting = await responses({ ...PERIOD, answered: 'false' });
    expect(waiting.scope).toEqual({ ...PERIOD, answered: false });
    expect(waiting.items).toEqual([
      {
        projectId: 'p-kpi-6',
        projectTitle: 'Project p-kpi-6',
        clientName: 'Carol Singer',
        segment: 'B2C',
        managerId: BORIS,
        managerName: 'Boris Ivanov',
        receivedAt: '2026-01-26T09:00:00.000Z',
        waitingHours: 807,
        cancelled: false,
        href: '/api/projects/p-kpi-6',
      },
    ]);
    expect(waiting.medianResponseHours).toBeNull();
  });

  test('one week of the series: first plans sent in it, and requests received in it', async () => {
    const week = '2026-01-05T00:00:00.000Z';
    const sent = await responses({ ...PERIOD, week, answered: 'true' });
    expect(sent.scope).toEqual({ from: PERIOD.from, to: '2026-01-12T00:00:00.000Z', week, answered: true });
    expect(sent.items.map((i) => i.projectId)).toEqual(['p-kpi-11', 'p-kpi-1', 'p-kpi-4']);
    expect(sent.medianResponseHours).toBe(4);
    expect((await responses({ ...PERIOD, week })).items.map((i) => i.projectId)).toEqual(['p-kpi-1', 'p-kpi-4']);
  });
});

describe('scope', () => {
  test('a manager gets their own projects\u2019 requests only; another manager\u2019s are refused with 403', async () => {
    const anna = await responses({ ...PERIOD }, 'anna');
    expect(anna.scope.managerId).toBe(ANNA);
    expect(anna.items.map((i) => i.projectId).sort()).toEqual(['p-kpi-1', 'p-kpi-10', 'p-kpi-2', 'p-kpi-7']);
    expect(await responses({ ...PERIOD, managerId: ANNA }, 'anna')).toEqual(anna);

    const boris = await responses({ ...PERIOD, answered: 'true' }, 'boris');
    expect(boris.items.map((i) => i.projectId)).toEqual(['p-kpi-5', 'p-kpi-4']);
    expect(boris.medianResponseHours).toBe(5);

    const refused = await r.http().get('/api/reports/kpis/responses').query({ ...PERIOD, managerId: BORIS }).set(r.auth('anna')).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await r.http().get('/api/reports/kpis/responses').query(PERIOD).set(r.auth('dima')).expect(403);
    await r.http().get('/api/reports/kpis/responses').query(PERIOD).expect(401);
  });

  test('leadership narrows to one manager and to one segment, as the report does', async () => {
    const boris = await responses({ ...PERIOD, managerId: BORIS, answered: 'false' });
    expect(boris.scope).toEqual({ ...PERIOD, managerId: BORIS, answered: false });
    expect(boris.items.map((i) => i.projectId)).toEqual(['p-kpi-6']);
    const b2b = await responses({ ...PERIOD, segment: 'B2B' });
    expect(b2b.items.map((i) => i.projectId)).toEqual(['p-kpi-2', 'p-kpi-1', 'p-kpi-7', 'p-kpi-10']);
  });
});

test('bad parameters are a 400 problem naming the field', async () => {
  const bad = (query: Record<string, string>, field: string) => r.expectRefusedAt('/api/reports/kpis/responses', query, field);
  await bad({ ...PERIOD, answered: 'yes' }, 'answered');
  await bad({ ...PERIOD, week: 'last week' }, 'week');
  // A time inside a week, not its start: the list would count other requests than the series' week.
  await bad({ ...PERIOD, week: '2026-01-13T00:00:00.000Z' }, 'week');
  // A week before the period.
  await bad({ ...PERIOD, week: '2025-12-29T00:00:00.000Z' }, 'week');
  await bad({ ...PERIOD, segment: 'B2G' }, 'segment');
  await bad({ from: '2026-02-01', to: '2026-01-01' }, 'from');
  await bad({ ...PERIOD, late: 'true' }, 'late');
});

describe('a period with more first plans than one list gives', () => {
  let big: TestStore;
  let app: ReportApp;
  const SENT = 203;
  const from = '2026-03-02T00:00:00.000Z';
  const to = '2026-03-09T00:00:00.000Z';

  beforeAll(async () => {
    big = await openTestStore();
    // 203 requests received 03-02 09:00, the n-th answered n minutes later (the slowest last).
    const received = plusHours(from, 9);
    for (let n = 1; n <= SENT; n++) {
      const p = new ProjectBuilder({ projectId: `p-many-${String(n).padStart(3, '0')}`, managerId: ANNA, client: carol, intakeAt: received });
      p.submitPlan(plusHours(received, n / 60), plan);
      for (const snapshot of p.publishAll()) await big.store.publish(snapshot);
    }
    app = reportApp(big.store, { now: new Date(plusDays(to, 1)) });
  });
  afterAll(async () => {
    await app?.close();
    await big?.dispose();
  });

  test('lists the 200 slowest, and counts all 203 and their median as the report does', async () => {
    const report = (await app.http().get('/api/reports/kpis').query({ from, to }).set(app.auth('lena')).expect(200)).body as KpiReport;
    expect(report.responseTime.overall.projects).toBe(SENT);
    const list = (await app.http().get('/api/reports/kpis/responses').query({ from, to, answered: 'true' }).set(app.auth('lena')).expect(200)).body as KpiResponseList;
    expect(list.total).toBe(SENT);
    expect(list.items).toHaveLength(200);
    expect(list.items[0].projectId).toBe('p-many-203');
    // The three quickest are the ones left out; the median is still the 102nd of all 203 (1.7 h).
    expect(list.items[199].projectId).toBe('p-many-004');
    expect(list.medianResponseHours).toBe(report.responseTime.overall.medianHours);
    expect(list.medianResponseHours).toBe(1.7);
  });
});
