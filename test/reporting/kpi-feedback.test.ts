/**
 * The ratings and complaints behind the KPI report's "Clients" figures (GET
 * /api/reports/kpis/feedback), over the KPI tests' portfolio (dataset.ts) and six projects of this
 * file's own: asked with the report's own query, the list has as many ratings as each bar of the
 * ratings and their count (with the same average), and as many complaints as each complaint figure
 * — filed, still open, resolved — for everyone, each manager, a segment and a reader's own days;
 * lowest ratings first, open complaints first (the oldest first), with what the client said; a
 * manager gets their own projects' feedback only; a bad parameter is a 400 naming it; a long list
 * is cut at its cap and still counted (and averaged) whole.
 */
import { openTestStore, type TestStore } from '../support/reporting';
import type { KpiReport } from '../../api/schemas';
import type { KpiComplaintList, KpiFeedbackList, KpiRatingList } from '../../api/kpi-feedback-schemas';
import { ANNA, BORIS, buildDataset, NOW, PERIOD } from './dataset';
import { ProjectBuilder, plusDays, plusHours } from './builders';
import { reportApp, type ReportApp, type Who } from './support';

let t: TestStore;
let r: ReportApp;

const acme = { id: 'acme', name: 'ACME Ltd', segment: 'B2B' as const };
const carol = { id: 'carol', name: 'Carol Singer', segment: 'B2C' as const };
const dave = { id: 'dave', name: '=Dave', segment: 'B2C' as const };

/** A complaint with words of its own (the builders' say "bad"). */
function complain(p: ProjectBuilder, when: string, description: string): string {
  const id = p.complain(when);
  p.status.complaints.find((c) => c.complaintId === id)!.description = description;
  return id;
}

/**
 * Besides the dataset's (ratings P1 5 on 01-28, P4 2 on 01-13, P3 2 in December; complaints P4
 * filed 01-11 and resolved after 24 h, P5 filed 01-29 and open):
 * P20 rated 1 with a comment; P21 rated 3; P22 accepted without a rating (no rating at all); P23
 * rated 4 after the period; complaints: P23 filed in December and resolved 01-07 (resolved in the
 * period, not filed in it), P24 filed 01-25 and resolved 02-10 (filed in the period, not open, not
 * resolved in it), P25 filed 01-08 and open.
 */
function extraFeedback(): ProjectBuilder[] {
  const p20 = new ProjectBuilder({ projectId: 'p-kpi-20', managerId: ANNA, client: carol, intakeAt: '2026-01-05T09:00:00.000Z' });
  p20.clientAccepts('2026-01-20T09:00:00.000Z', 1);
  p20.status.feedback.at(-1)!.comment = 'Late, and the logo was the wrong blue.';
  const p21 = new ProjectBuilder({ projectId: 'p-kpi-21', managerId: BORIS, client: acme, intakeAt: '2026-01-05T09:00:00.000Z' });
  p21.clientAccepts('2026-01-15T09:00:00.000Z', 3);
  const p22 = new ProjectBuilder({ projectId: 'p-kpi-22', managerId: ANNA, client: acme, intakeAt: '2026-01-05T09:00:00.000Z' });
  p22.status.feedback.push({ at: '2026-01-16T09:00:00.000Z', kind: 'accepted', comment: 'No rating given' });
  const p23 = new ProjectBuilder({ projectId: 'p-kpi-23', managerId: BORIS, client: dave, intakeAt: '2025-12-01T09:00:00.000Z' });
  p23.resolve(complain(p23, '2025-12-20T09:00:00.000Z', 'The banner shows last year\u2019s prices.'), '2026-01-07T09:00:00.000Z');
  p23.clientAccepts('2026-02-05T09:00:00.000Z', 4);
  const p24 = new ProjectBuilder({ projectId: 'p-kpi-24', managerId: ANNA, client: acme, intakeAt: '2026-01-05T09:00:00.000Z' });
  p24.resolve(complain(p24, '2026-01-25T09:00:00.000Z', 'Texts full of typos.'), '2026-02-10T09:00:00.000Z');
  const p25 = new ProjectBuilder({ projectId: 'p-kpi-25', managerId: ANNA, client: carol, intakeAt: '2026-01-05T09:00:00.000Z' });
  complain(p25, '2026-01-08T09:00:00.000Z', 'Nobody answers the phone.');
  return [p20, p21, p22, p23, p24, p25];
}

beforeAll(async () => {
  t = await openTestStore();
  for (const snapshot of buildDataset().live) await t.store.publish(snapshot);
  for (const p of extraFeedback()) for (const snapshot of p.publishAll()) await t.store.publish(snapshot);
  r = reportApp(t.store, { now: NOW });
});
afterAll(async () => {
  await r?.close();
  await t?.dispose();
});

async function kpis(query: Record<string, string>, who: Who = 'lena'): Promise<KpiReport> {
  return r.answer<KpiReport>('/api/reports/kpis', query, who);
}
async function feedback(query: Record<string, string>, who: Who = 'lena'): Promise<KpiFeedbackList> {
  return r.answer<KpiFeedbackList>('/api/reports/kpis/feedback', query, who);
}
async function ratings(query: Record<string, string>, who: Who = 'lena'): Promise<KpiRatingList> {
  const list = await feedback(query, who);
  if (list.listed !== 'ratings') throw new Error(`asked for ratings, got ${list.listed}`);
  // Below the cap everything counted is listed.
  expect(list.items).toHaveLength(list.total);
  return list;
}
async function complaints(query: Record<string, string>, figure: 'filed' | 'open' | 'resolved', who: Who = 'lena'): Promise<KpiComplaintList> {
  const list = await feedback({ ...query, complaints: figure }, who);
  if (list.listed !== 'complaints') throw new Error(`asked for complaints, got ${list.listed}`);
  expect(list.items).toHaveLength(list.total);
  return list;
}

type RatingFigure = KpiReport['clients']['ratings'];
type ComplaintFigures = KpiReport['clients']['complaints'];

/** What a ratings figure says, read off the lists behind it: the count, the average, each bar. */
async function ratingsListed(query: Record<string, string>, who: Who): Promise<Pick<RatingFigure, 'count' | 'average' | 'distribution'>> {
  const all = await ratings(query, who);
  const distribution = {} as RatingFigure['distribution'];
  for (const value of ['1', '2', '3', '4', '5'] as const) {
    const bar = await ratings({ ...query, rating: value }, who);
    expect(bar.items.every((i) => i.rating === Number(value))).toBe(true);
    distribution[value] = bar.total;
  }
  return { count: all.total, average: all.averageRating, distribution };
}

/** What the complaint figures say, read off the lists behind them. */
async function complaintsListed(query: Record<string, string>, who: Who): Promise<Pick<ComplaintFigures, 'filed' | 'open' | 'resolved'>> {
  const [filed, open, resolved] = await Promise.all((['filed', 'open', 'resolved'] as const).map((f) => complaints(query, f, who)));
  expect(open.items.every((i) => i.resolvedAt === undefined && i.openHours !== undefined)).toBe(true);
  expect(resolved.items.every((i) => i.resolvedAt !== undefined && i.hoursToResolve !== undefined)).toBe(true);
  return { filed: filed.total, open: open.total, resolved: resolved.total };
}

const ratingFigure = (f: RatingFigure) => ({ count: f.count, average: f.average, distribution: f.distribution });
const complaintFigure = (f: ComplaintFigures) => ({ filed: f.filed, open: f.open, resolved: f.resolved });

describe('asked with the report\u2019s own query, the list has as many ratings and complaints as the figure it explains', () => {
  const QUERIES: [string, Record<string, string>, Who][] = [
    ['leadership, the whole portfolio', { ...PERIOD }, 'lena'],
    ['one manager, asked by leadership', { ...PERIOD, managerId: ANNA }, 'lena'],
    ['a manager, their own', { ...PERIOD }, 'boris'],
    ['B2C clients', { ...PERIOD, segment: 'B2C' }, 'lena'],
    ['one department (client feedback covers whole projects)', { ...PERIOD, department: 'copywriting' }, 'lena'],
    ['a reader in Tokyo, their own midnights', { from: '2026-01-05T00:00:00+09:00', to: '2026-02-02T00:00:00+09:00' }, 'lena'],
  ];

  test.each(QUERIES)('%s: the ratings, each bar, the complaints filed, open and resolved, and each manager\u2019s', async (_what, query, who) => {
    const report = await kpis(query, who);
    expect(await ratingsListed(query, who)).toEqual(ratingFigure(report.clients.ratings));
    expect(await complaintsListed(query, who)).toEqual(complaintFigure(report.clients.complaints));
    for (const m of report.clients.ratingsByManager) {
      expect([m.managerId, await ratingsListed({ ...query, managerId: m.managerId }, who)]).toEqual([m.managerId, ratingFigure(m)]);
    }
    for (const m of report.clients.complaintsByManager) {
      expect([m.managerId, await complaintsListed({ ...query, managerId: m.managerId }, who)]).toEqual([m.managerId, complaintFigure(m)]);
    }
  });

  test('the portfolio\u2019s figures are the dataset\u2019s and this file\u2019s (the lists are not empty by accident)', async () => {
    expect(await ratingsListed({ ...PERIOD }, 'lena')).toEqual({ count: 4, average: 2.75, distribution: { '1': 1, '2': 1, '3': 1, '4': 0, '5': 1 } });
    expect(await complaintsListed({ ...PERIOD }, 'lena')).toEqual({ filed: 4, open: 2, resolved: 2 });
    expect(await complaintsListed({ ...PERIOD, managerId: BORIS }, 'lena')).toEqual({ filed: 2, open: 1, resolved: 2 });
  });
});

describe('each rating, lowest first, and each complaint, the oldest open first', () => {
  test('ratings: which project, client and manager, the rating, what the client said, when; an acceptance without a rating is none', async () => {
    const list = await ratings({ ...PERIOD });
    expect(list.listed).toBe('ratings');
    expect(list.scope).toEqual({ ...PERIOD });
    expect(list.limit).toBe(200);
    expect(list.items[0]).toEqual({
      projectId: 'p-kpi-20',
      projectTitle: 'Project p-kpi-20',
      clientName: 'Carol Singer',
      segment: 'B2C',
      managerId: ANNA,
      managerName: 'Anna Petrova',
      rating: 1,
      comment: 'Late, and the logo was the wrong blue.',
      ratedAt: '2026-01-20T09:00:00.000Z',
      href: '/api/projects/p-kpi-20',
    });
    expect(list.items.map((i) => [i.projectId, i.rating])).toEqual([
      ['p-kpi-20', 1],
      ['p-kpi-4', 2],
      ['p-kpi-21', 3],
      ['p-kpi-1', 5],
    ]);
    const bar = await ratings({ ...PERIOD, rating: '2' });
    expect(bar.scope).toEqual({ ...PERIOD, rating: 2 });
    expect(bar.items.map((i) => [i.projectId, i.clientName, i.managerName])).toEqual([['p-kpi-4', 'Carol Singer', 'Boris Ivanov']]);
    expect(bar.averageRating).toBe(2);
  });

  test('complaints still open: the oldest first, how long open so far, what the client said', async () => {
    const open = await complaints({ ...PERIOD }, 'open');
    expect(open.listed).toBe('complaints');
    expect(open.scope).toEqual({ ...PERIOD, complaints: 'open' });
    expect(open.openAsOf).toBe(NOW.toISOString());
    expect(open.items[0]).toEqual({
      projectId: 'p-kpi-25',
      projectTitle: 'Project p-kpi-25',
      clientName: 'Carol Singer',
      segment: 'B2C',
      managerId: ANNA,
      managerName: 'Anna Petrova',
      // Filed 01-08 09:00, open at 03-01 00:00: 51 days 15 hours.
      filedAt: '2026-01-08T09:00:00.000Z',
      openHours: 1239,
      description: 'Nobody answers the phone.',
      href: '/api/projects/p-kpi-25',
    });
    expect(open.items.map((i) => i.projectId)).toEqual(['p-kpi-25', 'p-kpi-5']);
  });

  test('complaints filed: the open ones first, then the resolved ones (one after the period), the longest to resolve first', async () => {
    const filed = await complaints({ ...PERIOD }, 'filed');
    expect(filed.items.map((i) => [i.projectId, i.resolvedAt ?? null, i.hoursToResolve ?? null])).toEqual([
      ['p-kpi-25', null, null],
      ['p-kpi-5', null, null],
      // Resolved after the period: not open (the report counts it so), and not among those resolved in it.
      ['p-kpi-24', '2026-02-10T09:00:00.000Z', 384],
      ['p-kpi-4', '2026-01-12T09:00:00.000Z', 24],
    ]);
    expect(filed.items[2]).toMatchObject({ description: 'Texts full of typos.', resolution: 'fixed' });
  });

  test('complaints resolved in the period, whenever they were filed', async () => {
    const resolved = await complaints({ ...PERIOD }, 'resolved');
    expect(resolved.items.map((i) => [i.projectId, i.filedAt, i.hoursToResolve])).toEqual([
      ['p-kpi-23', '2025-12-20T09:00:00.000Z', 432],
      ['p-kpi-4', '2026-01-11T09:00:00.000Z', 24],
    ]);
    expect(resolved.items[0].description).toBe('The banner shows last year\u2019s prices.');
  });
});

describe('scope', () => {
  test('a manager gets their own projects\u2019 feedback only; another manager\u2019s are refused with 403', async () => {
    const anna = await ratings({ ...PERIOD }, 'anna');
    expect(anna.scope.managerId).toBe(ANNA);
    expect(anna.items.map((i) => i.projectId)).toEqual(['p-kpi-20', 'p-kpi-1']);
    expect(anna.averageRating).toBe(3);
    expect(await ratings({ ...PERIOD, managerId: ANNA }, 'anna')).toEqual(anna);
    expect((await complaints({ ...PERIOD }, 'filed', 'anna')).items.map((i) => i.projectId)).toEqual(['p-kpi-25', 'p-kpi-24']);

    const refused = await r.http().get('/api/reports/kpis/feedback').query({ ...PERIOD, managerId: BORIS }).set(r.auth('anna')).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await r.http().get('/api/reports/kpis/feedback').query(PERIOD).set(r.auth('dima')).expect(403);
    await r.http().get('/api/reports/kpis/feedback').query(PERIOD).expect(401);
  });

  test('leadership narrows to one segment, as the report does', async () => {
    expect((await ratings({ ...PERIOD, segment: 'B2B' })).items.map((i) => i.projectId)).toEqual(['p-kpi-21', 'p-kpi-1']);
    expect((await complaints({ ...PERIOD, segment: 'B2C' }, 'resolved')).items.map((i) => i.projectId)).toEqual(['p-kpi-23', 'p-kpi-4']);
  });
});

test('bad parameters are a 400 problem naming the field', async () => {
  const bad = (query: Record<string, string>, field: string) => r.expectRefusedAt('/api/reports/kpis/feedback', query, field);
  await bad({ ...PERIOD, rating: '6' }, 'rating');
  await bad({ ...PERIOD, rating: 'two' }, 'rating');
  await bad({ ...PERIOD, complaints: 'closed' }, 'complaints');
  // A rating's bar and a complaint figure at once: no figure counts that.
  await bad({ ...PERIOD, rating: '1', complaints: 'open' }, 'rating');
  await bad({ ...PERIOD, segment: 'B2G' }, 'segment');
  await bad({ from: '2026-02-01', to: '2026-01-01' }, 'from');
  await bad({ ...PERIOD, week: '2026-01-05T00:00:00.000Z' }, 'week');
});

describe('a period with more ratings than one list gives', () => {
  let big: TestStore;
  let app: ReportApp;
  const RATED = 203;
  const from = '2026-03-02T00:00:00.000Z';
  const to = '2026-03-09T00:00:00.000Z';

  beforeAll(async () => {
    big = await openTestStore();
    // 203 projects rated on 03-02, the n-th after n minutes: three 1s first, then 5s.
    for (let n = 1; n <= RATED; n++) {
      const p = new ProjectBuilder({ projectId: `p-rated-${String(n).padStart(3, '0')}`, managerId: ANNA, client: carol, intakeAt: plusHours(from, 1) });
      p.clientAccepts(plusHours(from, 9 + n / 60), n <= 3 ? 1 : 5);
      for (const snapshot of p.publishAll()) await big.store.publish(snapshot);
    }
    app = reportApp(big.store, { now: new Date(plusDays(to, 1)) });
  });
  afterAll(async () => {
    await app?.close();
    await big?.dispose();
  });

  test('lists the 200 lowest, and counts all 203 and their average as the report does', async () => {
    const report = (await app.http().get('/api/reports/kpis').query({ from, to }).set(app.auth('lena')).expect(200)).body as KpiReport;
    expect(report.clients.ratings.count).toBe(RATED);
    const list = (await app.http().get('/api/reports/kpis/feedback').query({ from, to }).set(app.auth('lena')).expect(200)).body as KpiRatingList;
    expect(list.total).toBe(RATED);
    expect(list.items).toHaveLength(200);
    expect(list.items.slice(0, 4).map((i) => [i.projectId, i.rating])).toEqual([
      ['p-rated-001', 1],
      ['p-rated-002', 1],
      ['p-rated-003', 1],
      ['p-rated-004', 5],
    ]);
    // The three best given last are left out; the average is still of all 203.
    expect(list.items[199].projectId).toBe('p-rated-200');
    expect(list.averageRating).toBe(report.clients.ratings.average);
    expect(list.averageRating).toBe(4.94);
  });
});
