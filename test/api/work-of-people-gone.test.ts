/**
 * The portfolio report names the work nobody can move on: running projects whose manager, and
 * tasks in work whose holder, is no longer in the people directory or no longer in the role that
 * holds it — leadership for everyone's projects, a manager for their own. The store's copies are
 * published as the workflows would publish them (no worker runs); each harness has a store of its
 * own, so the counts are exact.
 */
import type { PortfolioReport } from '../../api/schemas';
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';

let h: ApiHarness;
const GONE_MANAGER = 'boris.left';
const GONE_DESIGNER = 'anton.left';

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const base = new Date(Date.now() - 10 * 86_400_000).toISOString();
  const due = new Date(Date.now() + 10 * 86_400_000).toISOString();
  let n = 0;
  const project = (managerId: string) =>
    new ProjectBuilder({
      projectId: `p-gone-${++n}-${Date.now().toString(36)}`,
      managerId,
      client: { id: `client-gone-${n}`, name: `Client ${n}`, segment: 'B2B' },
      intakeAt: plusDays(base, n / 100),
    })
      .submitPlan(plusDays(base, 1), ['a', 'b'].map((key) => ({ key, department: 'design' as const, dueAt: due })))
      .approve(plusDays(base, 2));

  // The manager who left runs one project (its design held by the designer who left) and had one completed.
  const orphan = project(GONE_MANAGER);
  orphan.task('a').open(plusDays(base, 2)).claim(GONE_DESIGNER);
  const finished = project(GONE_MANAGER);
  finished.task('a').deliver('dima.design', plusDays(base, 2), plusDays(base, 3), { acceptedAt: plusDays(base, 4) });
  finished.task('b').deliver('dima.design', plusDays(base, 2), plusDays(base, 3), { acceptedAt: plusDays(base, 4) });
  finished.toClientReview(plusDays(base, 4)).clientAccepts(plusDays(base, 4), 5).complete(plusDays(base, 5));
  // The harness's manager: one task held by the designer who left, one by someone now in leadership,
  // a third by a designer still here; the other manager's project has its design held by one who left.
  const mine = project(h.people.manager.id);
  mine.task('a').open(plusDays(base, 2)).claim(GONE_DESIGNER);
  mine.task('b').open(plusDays(base, 2)).claim('lena.director');
  const mineToo = project(h.people.manager.id);
  mineToo.task('a').open(plusDays(base, 2)).claim('dima.design');
  const theirs = project(h.people.otherManager.id);
  theirs.task('a').open(plusDays(base, 2)).claim(GONE_DESIGNER);
  for (const p of [orphan, finished, mine, mineToo, theirs]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
});
afterAll(async () => {
  await h?.close();
});

const report = async (who: 'leadership' | 'manager', query = '') =>
  ((await h.http().get(`/api/reports/portfolio${query}`).set(h.auth(who)).expect(200)).body as PortfolioReport).workOfPeopleGone;

test('leadership sees every running project of a manager gone and every task in work of someone gone, the most first', async () => {
  expect(await report('leadership')).toEqual({
    projects: [{ managerId: GONE_MANAGER, running: 1 }],
    tasks: [
      { personId: GONE_DESIGNER, inWork: 3 },
      { personId: 'lena.director', inWork: 1 },
    ],
  });
});

test("a manager sees what is held in their own projects; leadership narrowed to a manager sees that manager's", async () => {
  const own = { projects: [], tasks: [{ personId: GONE_DESIGNER, inWork: 1 }, { personId: 'lena.director', inWork: 1 }] };
  expect(await report('manager')).toEqual(own);
  expect(await report('leadership', `?managerId=${h.people.manager.id}`)).toEqual(own);
  expect(await report('leadership', `?managerId=${GONE_MANAGER}`)).toEqual({ projects: [{ managerId: GONE_MANAGER, running: 1 }], tasks: [{ personId: GONE_DESIGNER, inWork: 1 }] });
});

test('the search and the client do not narrow it: it is about people, not the cards found', async () => {
  expect((await report('leadership', '?q=nothing-matches-this')).tasks).toHaveLength(2);
});
