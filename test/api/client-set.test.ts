/**
 * The portfolio's filters hold a set of clients (the KPIs' regular clients, in one link): the
 * project list, its CSV and the portfolio report take `clientId` given several times and find the
 * projects of any of those clients — one client given once is the single filter as it always was.
 * A set with an empty id, a bad id or too many is refused at the field, as one bad id is.
 *
 * The projects are published into the harness's own reporting store as the workflows would
 * publish them (no worker runs: the list, the CSV and the report read the store alone).
 */
import { CLIENT_FILTER_MAX, type ProjectListItem } from '../../api/schemas';
import { ProjectBuilder } from '../reporting/builders';
import { startApiHarness, type ApiHarness, type PersonKey } from '../support/api';
import { csvRows } from '../support/csv';

jest.setTimeout(120_000);

let h: ApiHarness;
const stamp = Date.now().toString(36);
const DAY = 86_400_000;

const ACME = { id: `client-set-acme-${stamp}`, name: 'Acme Print', segment: 'B2B' as const };
/** An id with a comma: a set written as a comma list would split it; `clientId` repeated does not. */
const BETA = { id: `client-set-beta,${stamp}`, name: 'Beta, Ltd', segment: 'B2B' as const };
const GAMMA = { id: `client-set-gamma-${stamp}`, name: 'Gamma Gym', segment: 'B2C' as const };
/** Not in any set asked below: its project is never found by one. */
const OTHER = { id: `client-set-other-${stamp}`, name: 'Other Co', segment: 'B2B' as const };

/** Each project's id by client: Acme two, Beta two (one the other manager's), Gamma one, Other one. */
const made: Record<string, string[]> = {};

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const base = Date.now() - 10 * DAY;
  let n = 0;
  const plan: [{ id: string; name: string; segment: 'B2B' | 'B2C' }, string][] = [
    [ACME, h.people.manager.id],
    [ACME, h.people.manager.id],
    [BETA, h.people.manager.id],
    [BETA, h.people.otherManager.id],
    [GAMMA, h.people.manager.id],
    [OTHER, h.people.manager.id],
  ];
  for (const [client, managerId] of plan) {
    const projectId = `p-set-${++n}-${stamp}`;
    const p = new ProjectBuilder({ projectId, managerId, client, intakeAt: new Date(base + n * 60_000).toISOString() });
    p.status.title = `${client.name} job ${n}`;
    await h.reporting.publish(p.publish());
    (made[client.id] ??= []).push(projectId);
  }
});

afterAll(async () => {
  await h?.close();
});

/** A query with `clientId` once per id (the way OpenAPI writes an array, and the portal asks). */
const setQuery = (ids: string[], rest: Record<string, string> = {}): string => {
  const q = new URLSearchParams(rest);
  for (const id of ids) q.append('clientId', id);
  return q.toString();
};

async function listed(query: string, who: PersonKey = 'leadership'): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const res = await h
      .http()
      .get(`/api/projects?${query}&pageSize=2${pageToken ? `&pageToken=${pageToken}` : ''}`)
      .set(h.auth(who))
      .expect(200);
    ids.push(...(res.body.items as ProjectListItem[]).map((p) => p.projectId));
    pageToken = res.body.nextPageToken as string | undefined;
  } while (pageToken);
  return ids.sort();
}

const of = (...clients: { id: string }[]) => clients.flatMap((c) => made[c.id]).sort();

test('the project list, its CSV and the report find exactly the projects of the clients asked together', async () => {
  const set = setQuery([ACME.id, BETA.id, GAMMA.id]);
  // Paged two by two: the set is one list, its page tokens its own.
  expect(await listed(set)).toEqual(of(ACME, BETA, GAMMA));
  expect(await listed(setQuery([ACME.id, BETA.id]))).toEqual(of(ACME, BETA));
  // A manager: their own projects of the set (Beta's other project is the other manager's).
  expect(await listed(set, 'manager')).toEqual([...made[ACME.id], made[BETA.id][0], ...made[GAMMA.id]].sort());
  expect(await listed(set, 'otherManager')).toEqual([made[BETA.id][1]]);
  // With the other filters, as one client is.
  expect(await listed(setQuery([ACME.id, GAMMA.id], { segment: 'B2C' }))).toEqual(of(GAMMA));
  expect(await listed(setQuery([ACME.id, GAMMA.id], { q: 'job' }))).toEqual(of(ACME, GAMMA));

  // The CSV: the same projects, one row each.
  const csv = await h.http().get(`/api/projects.csv?${set}`).set(h.auth('leadership')).buffer(true).expect(200);
  expect(csvRows(csv.text).map((r) => r.projectId).sort()).toEqual(of(ACME, BETA, GAMMA));

  // The report counts what the list finds, and says which clients it counted.
  const report = (await h.http().get(`/api/reports/portfolio?${set}`).set(h.auth('leadership')).expect(200)).body;
  expect(report.scope).toEqual({ clientIds: [ACME.id, BETA.id, GAMMA.id] });
  expect(Object.values(report.projects.byStage as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(5);
});

test('one client in a set is the single filter: the same projects, the same report', async () => {
  for (const client of [ACME, BETA]) {
    const single = await listed(setQuery([client.id]));
    expect(single).toEqual(of(client));
    // Given twice, the set of one: each client counted once.
    expect(await listed(setQuery([client.id, client.id]))).toEqual(single);
  }
  const one = (await h.http().get(`/api/reports/portfolio?${setQuery([ACME.id])}`).set(h.auth('leadership')).expect(200)).body;
  const twice = (await h.http().get(`/api/reports/portfolio?${setQuery([ACME.id, ACME.id])}`).set(h.auth('leadership')).expect(200)).body;
  expect(one.scope).toEqual({ clientId: ACME.id });
  expect(twice.projects).toEqual(one.projects);
});

test('a set with an empty id, a bad id or too many clients is 400 problem+json naming the field, in the list, the CSV and the report', async () => {
  const tooMany = Array.from({ length: CLIENT_FILTER_MAX + 1 }, (_, i) => `client-${i}`);
  const cases: [string, { field: string; message: string }][] = [
    [setQuery(['', ACME.id]), { field: 'clientId[0]', message: 'required' }],
    [setQuery([ACME.id, '']), { field: 'clientId[1]', message: 'required' }],
    [setQuery([ACME.id, "x' OR 1=1"]), { field: 'clientId[1]', message: 'must not contain quotes, backslashes or control characters' }],
    [setQuery(tooMany), { field: 'clientId', message: `at most ${CLIENT_FILTER_MAX} clients at once` }],
  ];
  for (const path of ['/api/projects', '/api/projects.csv', '/api/reports/portfolio']) {
    for (const [query, problem] of cases) {
      const res = await h.http().get(`${path}?${query}`).set(h.auth('manager')).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toEqual([problem]);
    }
  }
  // As many as the most is fine (none of these clients has a project).
  expect(await listed(setQuery(tooMany.slice(1)))).toEqual([]);
});
