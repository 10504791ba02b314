/**
 * The tasks behind the KPI report's workload figures (GET /api/reports/kpis/workload), over the KPI
 * tests' portfolio (dataset.ts) and two projects of work in hand added here: asked with the
 * report's own scope, the list counts the tasks and hours of the figure it was reached from — the
 * totals, each department's open and in-work hours, each person's hours in work, for leadership, a
 * manager, a segment and a department — most urgent first (overdue, then due soonest); a manager
 * gets their own projects' tasks only; a bad parameter is a 400 naming it; a long list is cut at
 * its cap and still counted whole.
 */
import { openTestStore, type TestStore } from '../support/reporting';
import type { KpiReport } from '../../api/schemas';
import type { KpiWorkloadList } from '../../api/kpi-workload-schemas';
import { ANNA, BORIS, buildDataset, NOW, OVERLOAD_HOURS, PERIOD } from './dataset';
import { ProjectBuilder, plusDays, plusHours } from './builders';
import { reportApp, type ReportApp, type Who } from './support';

let t: TestStore;
let r: ReportApp;

/**
 * Work in hand beside the dataset's P7 (copy open 15 h due 02-15, design claimed by Dima 30 h due
 * 02-20, SEO claimed by Maria 12 h due 03-20; now is 03-01):
 * - Boris's project for Carol (B2C): a design banner open (4.25 h, due 03-02 09:00), a design
 *   layout claimed by Olga (7.5 h, due 03-03), ads open and overdue (3 h, due 02-26), an SEO audit
 *   claimed by Maria (20 h, due 03-10: 32 h in all, over the 25 h threshold), copy delivered and
 *   waiting for review (not in hand), a task still waiting for the one before it (not in hand).
 * - Anna's project for ACME (B2B): a copywriting tagline claimed by Dima, a designer (2.5 h, due
 *   03-05: 32.5 h in all), a hero image delivered and accepted (not in hand).
 */
function workInHand(): ProjectBuilder[] {
  const boris = new ProjectBuilder({
    projectId: 'p-wl-boris',
    managerId: BORIS,
    client: { id: 'carol', name: 'Carol Singer', segment: 'B2C' },
    intakeAt: '2026-02-10T09:00:00.000Z',
    departments: ['design', 'ads', 'seo', 'copywriting'],
  });
  boris.submitPlan('2026-02-10T12:00:00.000Z', [
    { key: 'banner', department: 'design', dueAt: '2026-03-02T09:00:00.000Z', estimateHours: 4.25 },
    { key: 'layout', department: 'design', dueAt: '2026-03-03T17:00:00.000Z', estimateHours: 7.5 },
    { key: 'ads', department: 'ads', dueAt: '2026-02-26T17:00:00.000Z', estimateHours: 3 },
    { key: 'audit', department: 'seo', dueAt: '2026-03-10T17:00:00.000Z', estimateHours: 20 },
    { key: 'copy', department: 'copywriting', dueAt: '2026-03-04T17:00:00.000Z', estimateHours: 5 },
    { key: 'later', department: 'design', dueAt: '2026-03-20T17:00:00.000Z', estimateHours: 9 },
  ]);
  boris.approve('2026-02-10T13:00:00.000Z');
  boris.task('banner').open('2026-02-11T09:00:00.000Z');
  boris.task('layout').open('2026-02-11T09:00:00.000Z').claim('olga.design');
  boris.task('ads').open('2026-02-11T09:00:00.000Z');
  boris.task('audit').open('2026-02-11T09:00:00.000Z').claim('maria.seo');
  boris.task('copy').open('2026-02-11T09:00:00.000Z').claim('ivan.copy').submit('2026-02-28T09:00:00.000Z');

  const anna = new ProjectBuilder({ projectId: 'p-wl-anna', managerId: ANNA, client: { id: 'acme', name: 'ACME Ltd', segment: 'B2B' }, intakeAt: '2026-02-12T09:00:00.000Z' });
  anna.submitPlan('2026-02-12T12:00:00.000Z', [
    { key: 'tagline', department: 'copywriting', dueAt: '2026-03-05T17:00:00.000Z', estimateHours: 2.5 },
    { key: 'hero', department: 'design', dueAt: '2026-02-25T17:00:00.000Z', estimateHours: 6 },
  ]);
  anna.approve('2026-02-12T13:00:00.000Z');
  anna.task('tagline').open('2026-02-13T09:00:00.000Z').claim('dima.design');
  anna.task('hero').deliver('olga.design', '2026-02-13T09:00:00.000Z', '2026-02-20T09:00:00.000Z');
  return [boris, anna];
}

beforeAll(async () => {
  t = await openTestStore();
  for (const snapshot of buildDataset().live) await t.store.publish(snapshot);
  for (const p of workInHand()) for (const snapshot of p.publishAll()) await t.store.publish(snapshot);
  r = reportApp(t.store, { now: NOW, env: { WORKLOAD_OVERLOAD_HOURS: String(OVERLOAD_HOURS) } });
});
afterAll(async () => {
  await r?.close();
  await t?.dispose();
});

async function kpis(query: Record<string, string>, who: Who = 'lena'): Promise<KpiReport> {
  return r.answer<KpiReport>('/api/reports/kpis', { ...PERIOD, ...query }, who);
}
async function workload(query: Record<string, string>, who: Who = 'lena'): Promise<KpiWorkloadList> {
  return r.answer<KpiWorkloadList>('/api/reports/kpis/workload', query, who);
}

/** The list's own count, in the report's terms; below the cap every task counted is listed, each of the state asked. */
async function counted(query: Record<string, string>, who: Who) {
  const list = await workload(query, who);
  expect(list.items).toHaveLength(list.total);
  if (query.state !== undefined) expect(list.items.every((i) => i.state === query.state)).toBe(true);
  expect(list.items.filter((i) => i.overdue)).toHaveLength(list.overdue);
  return { tasks: list.total, hours: list.totalHours, overdue: list.overdue };
}

describe('asked with the report\u2019s own scope, the list counts the tasks and hours of the figure it explains', () => {
  const SCOPES: [string, Record<string, string>, Who][] = [
    ['leadership, the whole portfolio', {}, 'lena'],
    ['one manager, asked by leadership', { managerId: ANNA }, 'lena'],
    ['a manager, their own', {}, 'anna'],
    ['the other manager, their own', {}, 'boris'],
    ['B2C clients', { segment: 'B2C' }, 'lena'],
    ['one department', { department: 'design' }, 'lena'],
  ];

  test.each(SCOPES)('%s: the totals, each department open and in work, each person in work', async (_what, scope, who) => {
    const report = await kpis(scope, who);
    const w = report.workload;

    const all = await workload(scope, who);
    expect(all.items).toHaveLength(all.total);
    expect({ tasks: all.total, hours: all.totalHours, open: all.open, inWork: all.inWork, overdue: all.overdue }).toEqual({
      tasks: w.totals.open + w.totals.claimed,
      hours: w.totals.openHours + w.totals.claimedHours,
      open: { tasks: w.totals.open, hours: w.totals.openHours },
      inWork: { tasks: w.totals.claimed, hours: w.totals.claimedHours },
      overdue: w.totals.overdue,
    });
    expect(all.thresholdHours).toBe(w.thresholdHours);

    for (const d of w.byDepartment) {
      const q = { ...scope, department: d.department };
      expect([d.department, await counted({ ...q, state: 'open' }, who)]).toEqual([d.department, { tasks: d.open, hours: d.openHours, overdue: expect.any(Number) }]);
      expect([d.department, await counted({ ...q, state: 'in_work' }, who)]).toEqual([d.department, { tasks: d.claimed, hours: d.claimedHours, overdue: expect.any(Number) }]);
      expect([d.department, (await counted(q, who)).overdue]).toEqual([d.department, d.overdue]);
    }
    for (const p of w.byPerson) {
      const inWork = await counted({ ...scope, assignee: p.personId, state: 'in_work' }, who);
      expect([p.personId, inWork.tasks, inWork.hours, inWork.hours > w.thresholdHours]).toEqual([p.personId, p.claimed, p.claimedHours, p.overloaded]);
      expect([p.personId, (await counted({ ...scope, assignee: p.personId }, who)).overdue]).toEqual([p.personId, p.overdue]);
    }
  });

  test('the figures are the ones the work in hand was built for (the lists are not empty by accident)', async () => {
    const w = (await kpis({})).workload;
    expect(w.totals).toEqual({ open: 3, claimed: 5, openHours: 22.25, claimedHours: 72, overdue: 3 });
    expect(w.overloaded).toEqual(['dima.design', 'maria.seo']);
    const design = await workload({ department: 'design', state: 'in_work' });
    expect([design.total, design.totalHours]).toEqual([2, 37.5]);
    const dima = await workload({ assignee: 'dima.design', state: 'in_work' });
    expect([dima.total, dima.totalHours]).toEqual([2, 32.5]);
  });

  test("leadership's digest names the people the report calls overloaded, the most loaded first, with their hours in work", async () => {
    const w = (await kpis({})).workload;
    const overloaded = await t.store.overloadedPeople(OVERLOAD_HOURS);
    expect(overloaded.map((p) => p.personId).sort()).toEqual([...w.overloaded].sort());
    const inWork = (id: string) => w.byPerson.find((p) => p.personId === id)!;
    expect(overloaded).toEqual(
      [...overloaded].sort((a, b) => b.hours - a.hours).map((p) => ({ personId: p.personId, hours: inWork(p.personId).claimedHours, tasks: inWork(p.personId).claimed })),
    );
    expect(overloaded[0]).toEqual({ personId: 'dima.design', hours: 32.5, tasks: 2 });
  });
});

describe('each task in hand, for leadership', () => {
  test('most urgent first: the overdue ones, longest overdue first, then those due soonest', async () => {
    const all = await workload({});
    expect(all.items.map((i) => [i.taskId, i.dueAt, i.overdue])).toEqual([
      ['p-kpi-7.copy', '2026-02-15T17:00:00.000Z', true],
      ['p-kpi-7.design', '2026-02-20T17:00:00.000Z', true],
      ['p-wl-boris.ads', '2026-02-26T17:00:00.000Z', true],
      ['p-wl-boris.banner', '2026-03-02T09:00:00.000Z', false],
      ['p-wl-boris.layout', '2026-03-03T17:00:00.000Z', false],
      ['p-wl-anna.tagline', '2026-03-05T17:00:00.000Z', false],
      ['p-wl-boris.audit', '2026-03-10T17:00:00.000Z', false],
      ['p-kpi-7.seo', '2026-03-20T17:00:00.000Z', false],
    ]);
  });

  test('which task, of which project and client, in which department, who has it, its estimate, when it is due, whether overdue', async () => {
    const dima = await workload({ assignee: 'dima.design' });
    expect(dima).toEqual({
      asOf: NOW.toISOString(),
      thresholdHours: OVERLOAD_HOURS,
      scope: { assignee: 'dima.design' },
      total: 2,
      totalHours: 32.5,
      open: { tasks: 0, hours: 0 },
      inWork: { tasks: 2, hours: 32.5 },
      overdue: 1,
      limit: 200,
      items: [
        {
          taskId: 'p-kpi-7.design',
          projectId: 'p-kpi-7',
          taskTitle: 'design design',
          projectTitle: 'Project p-kpi-7',
          clientName: 'Globex, "the" company',
          department: 'design',
          state: 'in_work',
          assigneeId: 'dima.design',
          assigneeName: 'Dima Kozlov',
          estimateHours: 30,
          dueAt: '2026-02-20T17:00:00.000Z',
          overdue: true,
          href: '/api/tasks/p-kpi-7.design',
        },
        // Another department's task he has claimed is his work in hand too (as the figure counts it).
        expect.objectContaining({ taskId: 'p-wl-anna.tagline', department: 'copywriting', state: 'in_work', estimateHours: 2.5, overdue: false }),
      ],
    });
    // Open work has nobody yet.
    const open = await workload({ state: 'open' });
    expect(open.items.map((i) => [i.taskId, i.state, i.assigneeId, i.assigneeName])).toEqual([
      ['p-kpi-7.copy', 'open', undefined, undefined],
      ['p-wl-boris.ads', 'open', undefined, undefined],
      ['p-wl-boris.banner', 'open', undefined, undefined],
    ]);
  });
});

describe('scope', () => {
  test('a manager gets their own projects\u2019 work in hand only; another manager\u2019s is refused with 403', async () => {
    const anna = await workload({}, 'anna');
    expect(anna.scope).toEqual({ managerId: ANNA });
    expect(anna.items.map((i) => i.taskId)).toEqual(['p-kpi-7.copy', 'p-kpi-7.design', 'p-wl-anna.tagline', 'p-kpi-7.seo']);
    expect(await workload({ managerId: ANNA }, 'anna')).toEqual(anna);
    // Maria's hours on Boris's audit are not Anna's to see: only her 12 h on Anna's SEO task.
    const maria = await workload({ assignee: 'maria.seo', state: 'in_work' }, 'anna');
    expect([maria.total, maria.totalHours]).toEqual([1, 12]);

    const boris = await workload({}, 'boris');
    expect(new Set(boris.items.map((i) => i.projectId))).toEqual(new Set(['p-wl-boris']));

    const refused = await r.http().get('/api/reports/kpis/workload').query({ managerId: BORIS }).set(r.auth('anna')).expect(403);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    await r.http().get('/api/reports/kpis/workload').set(r.auth('dima')).expect(403);
    await r.http().get('/api/reports/kpis/workload').expect(401);
  });

  test('leadership narrows to one manager and one segment, as the report does', async () => {
    const boris = await workload({ managerId: BORIS, segment: 'B2C' });
    expect(boris.scope).toEqual({ managerId: BORIS, segment: 'B2C' });
    expect(boris.items.map((i) => i.taskId)).toEqual(['p-wl-boris.ads', 'p-wl-boris.banner', 'p-wl-boris.layout', 'p-wl-boris.audit']);
    expect((await workload({ managerId: BORIS, segment: 'B2B' })).total).toBe(0);
  });
});

test('bad parameters are a 400 problem naming the field', async () => {
  const bad = (query: Record<string, string>, field: string) => r.expectRefusedAt('/api/reports/kpis/workload', query, field);
  await bad({ state: 'claimed' }, 'state');
  await bad({ department: 'sales' }, 'department');
  await bad({ assignee: 'dima"design' }, 'assignee');
  await bad({ segment: 'B2G' }, 'segment');
  // Workload is measured now: a period would filter nothing, so it is refused rather than ignored.
  await bad({ from: '2026-01-05' }, 'from');
});

describe('more work in hand than one list gives', () => {
  const keysUpTo = (n: number) => Array.from({ length: n }, (_, i) => `t${String(i + 1).padStart(3, '0')}`);
  let big: TestStore;
  let app: ReportApp;
  const TASKS = 203;

  beforeAll(async () => {
    big = await openTestStore();
    // One project, 203 open design tasks of 1.5 h, due one hour apart from a day before now.
    const keys = keysUpTo(TASKS);
    const p = new ProjectBuilder({ projectId: 'p-many', managerId: ANNA, client: { id: 'many', name: 'Many Tasks', segment: 'B2B' }, intakeAt: plusDays(NOW.toISOString(), -30) });
    p.submitPlan(
      plusDays(NOW.toISOString(), -29),
      keys.map((key, i) => ({ key, department: 'design' as const, dueAt: plusHours(plusDays(NOW.toISOString(), -1), i), estimateHours: 1.5 })),
    );
    p.approve(plusDays(NOW.toISOString(), -28));
    for (const key of keys) p.task(key).open(plusDays(NOW.toISOString(), -28));
    for (const snapshot of p.publishAll()) await big.store.publish(snapshot);
    app = reportApp(big.store, { now: NOW });
  });
  afterAll(async () => {
    await app?.close();
    await big?.dispose();
  });

  test('lists the 200 most urgent, and counts all 203 and their hours as the report does', async () => {
    const report = (await app.http().get('/api/reports/kpis').set(app.auth('lena')).expect(200)).body as KpiReport;
    expect([report.workload.totals.open, report.workload.totals.openHours, report.workload.totals.overdue]).toEqual([TASKS, 304.5, 24]);
    const list = (await app.http().get('/api/reports/kpis/workload').set(app.auth('lena')).expect(200)).body as KpiWorkloadList;
    expect([list.total, list.totalHours, list.overdue]).toEqual([TASKS, 304.5, 24]);
    expect(list.items).toHaveLength(200);
    expect(list.items[0].taskId).toBe('p-many.t001');
    // Overdue is before now, as the figure counts it: t025, due exactly now, is not yet.
    expect(list.items.filter((i) => i.overdue).map((i) => i.taskId)).toEqual(keysUpTo(24).map((key) => `p-many.${key}`));
    // The three due last are the ones left out.
    expect(list.items[199].taskId).toBe('p-many.t200');
  });
});
