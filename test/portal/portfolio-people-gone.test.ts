/**
 * The portfolio says where work is held by people no longer here, in a real headless Chromium: a
 * manager who left still "runs" a project, a designer who left still holds tasks in work, and a
 * designer moved to leadership still holds one. Leadership sees both in a warning above the tiles
 * (by the report's `workOfPeopleGone`), each line leading where it says: the manager who left to
 * their portfolio — their project and "Hand over all" — and a holder to their tasks in work. A
 * manager sees the tasks in their own projects only; with nothing held by anyone gone there is no
 * warning. The projects are published into the harness's store as the workflows would publish
 * them (no worker runs); the directory is the harness's, which never had the two who left.
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, choiceRoom, holdReads, shootDeskAndNarrowPhone, startPortal, tableRows, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the portfolio’s warning about work of people no longer here');

let h: ApiHarness;
let portal: Portal;
const pages: PersonPage[] = [];

const GONE_MANAGER = 'boris.left';
const GONE_DESIGNER = 'anton.left';
/** In the directory, in leadership now: still holding a design task. */
const NOW_LEADERSHIP = 'lena.director';
let nowLeadershipName: string;

const stamp = Date.now().toString(36);
const TITLES = {
  orphan: `Harbour signage (its manager left) ${stamp}`,
  mine: `Bakery menu (a designer who left holds the design) ${stamp}`,
  theirs: `Garage flyers (all held by people here) ${stamp}`,
};

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  nowLeadershipName = h.directory.get(NOW_LEADERSHIP)!.name;
  const base = new Date(Date.now() - 10 * 86_400_000).toISOString();
  const due = new Date(Date.now() + 10 * 86_400_000).toISOString();
  let n = 0;
  const project = (key: keyof typeof TITLES, managerId: string) => {
    const p = new ProjectBuilder({
      projectId: `p-pg-${key}-${stamp}`,
      managerId,
      client: { id: `client-pg-${key}`, name: `Client ${++n}`, segment: 'B2B' },
      intakeAt: plusDays(base, n / 100),
    });
    p.status.title = TITLES[key];
    return p.submitPlan(plusDays(base, 1), ['a', 'b'].map((k) => ({ key: k, department: 'design' as const, dueAt: due }))).approve(plusDays(base, 2));
  };
  // The manager who left runs one project, its design held by the designer who left.
  const orphan = project('orphan', GONE_MANAGER);
  orphan.task('a').open(plusDays(base, 2)).claim(GONE_DESIGNER);
  // The harness's manager: one task held by the designer who left, one by the designer now in leadership.
  const mine = project('mine', h.people.manager.id);
  mine.task('a').open(plusDays(base, 2)).claim(GONE_DESIGNER);
  mine.task('b').open(plusDays(base, 2)).claim(NOW_LEADERSHIP);
  // The other manager's: held by a designer still here.
  const theirs = project('theirs', h.people.otherManager.id);
  theirs.task('a').open(plusDays(base, 2)).claim(h.people.designer.id);
  for (const p of [orphan, mine, theirs]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  portal = await startPortal(h);
});

afterAll(async () => {
  for (const p of pages) expect(unexpectedErrors(p.errors)).toEqual([]);
  await portal?.close();
  await h?.close();
});

async function open(who: 'leadership' | 'manager' | 'otherManager', startAt: string): Promise<PersonPage> {
  const person = await portal.openAs(who, { startAt });
  pages.push(person);
  return person;
}

const warning = (p: PersonPage) => p.page.locator('section.people-gone');
const lines = (p: PersonPage) => warning(p).locator('li').allTextContents();
/** The top bar's entries marked as where the person is. */
const menuMarked = (page: PersonPage['page']) => page.locator('header.topbar nav a[aria-current]').allTextContents();
/** The page has drawn what it loaded (the tiles come with the report the warning is made from). */
const loaded = (p: PersonPage) => p.page.locator('ul.tiles').waitFor();

step('leadership sees the running project of the manager who left and the tasks of those no longer staff, above the tiles', async () => {
  const leader = await open('leadership', '/projects');
  await warning(leader).waitFor();
  expect(await warning(leader).getByRole('heading').textContent()).toBe('Work of people no longer here');
  // The most first; the one gone by their id, the one in another role by name.
  expect(await lines(leader)).toEqual([
    `${GONE_MANAGER} — 1 running project: hand it over to another manager there.`,
    `${GONE_DESIGNER} — 2 tasks in work: their projects’ managers reassign them.`,
    `${nowLeadershipName} (now in leadership) — 1 task in work: its project’s manager reassigns it.`,
  ]);
  // Where it is looked at first: above the tiles.
  expect(await leader.page.locator('section.people-gone + ul.tiles').count()).toBe(1);
  await shootDeskAndNarrowPhone(portal, leader.page, 'portfolio-people-gone-leadership');
});

step('the manager who left: their portfolio, chosen in the Manager filter, with their project and “Hand over all”', async () => {
  const leader = pages[0];
  const { page } = leader;
  await warning(leader).getByRole('link', { name: `${GONE_MANAGER} — 1 running project` }).click();
  await page.waitForURL((url) => url.pathname === '/projects' && url.searchParams.get('manager') === GONE_MANAGER);
  await page.locator('li.project-card', { hasText: TITLES.orphan }).waitFor();
  expect(await page.locator('li.project-card').count()).toBe(1);
  // The filter says whose portfolio it is, though the directory no longer has them.
  expect(await page.locator('#portfolio-manager option:checked').textContent()).toBe(GONE_MANAGER);
  expect(await page.locator('#portfolio-manager-detail').textContent()).toBe('No longer here.');
  expect(await choiceRoom(page, 'portfolio-manager')).toBeGreaterThanOrEqual(0);
  // Opened again with the people list held back: their portfolio, and nobody called gone for want of the list.
  const release = await holdReads(page, (path) => path === '/api/people');
  await page.reload();
  await page.locator('li.project-card', { hasText: TITLES.orphan }).waitFor();
  expect([await page.locator('#portfolio-manager option:checked').textContent(), await page.locator('#portfolio-manager-detail').count()]).toEqual([GONE_MANAGER, 0]);
  await release();
  await page.locator('#portfolio-manager-detail').waitFor();
  const handOver = page.locator('details', { hasText: `Hand over all of ${GONE_MANAGER}’s running projects` });
  expect(await handOver.count()).toBe(1);
  // Their own line no longer leads here: it points at the hand-over above. Their tasks: those in their projects.
  expect(await lines(leader)).toEqual([
    `${GONE_MANAGER} — 1 running project: hand it over to another manager with “Hand over all” above.`,
    `${GONE_DESIGNER} — 1 task in work: its project’s manager reassigns it.`,
  ]);
  // That one task is in their projects: the list it leads to is theirs too.
  const tasksHref = new URL((await warning(leader).getByRole('link', { name: `${GONE_DESIGNER} — 1 task in work` }).getAttribute('href'))!, portal.baseUrl);
  expect(tasksHref.searchParams.get('managerId')).toBe(GONE_MANAGER);
  await handOver.locator('summary').click();
  await shootDeskAndNarrowPhone(portal, page, 'portfolio-people-gone-narrowed');
});

step('a holder no longer here: their tasks in work, every project’s', async () => {
  const leader = await open('leadership', '/projects');
  const { page } = leader;
  const link = warning(leader).getByRole('link', { name: `${GONE_DESIGNER} — 2 tasks in work` });
  const href = new URL((await link.getAttribute('href'))!, portal.baseUrl);
  expect([href.pathname, href.searchParams.get('assignee'), href.searchParams.get('state'), href.searchParams.get('managerId')]).toEqual(['/kpis/workload', GONE_DESIGNER, 'in_work', null]);
  await link.click();
  await page.getByRole('heading', { name: `In work — ${GONE_DESIGNER}` }).waitFor();
  const rows = await tableRows(page, 'table.kpi-workload');
  expect(rows.map(([task, project, , , by]) => [task, project, by]).sort()).toEqual(
    [
      ['design a', TITLES.mine, GONE_DESIGNER],
      ['design a', TITLES.orphan, GONE_DESIGNER],
    ].sort(),
  );
  await portal.screenshot(page, 'portfolio-people-gone-workload');
});

step('from a holder’s tasks in work the way back leads to the portfolio as it was, its manager and narrowing kept, after a reload too', async () => {
  const portfolio = `/projects?manager=${h.people.manager.id}&segment=B2B&q=Bakery`;
  const leader = await open('leadership', portfolio);
  const { page } = leader;
  await warning(leader).getByRole('link', { name: `${GONE_DESIGNER} — 1 task in work` }).click();
  await page.getByRole('heading', { name: `In work — ${GONE_DESIGNER}` }).waitFor();
  // The top bar marks where the list was reached from: the portfolio, not the KPIs.
  expect(await menuMarked(page)).toEqual(['Portfolio']);
  const back = page.locator('.page-header').getByRole('link', { name: /^Back to/ });
  expect([await back.textContent(), await back.getAttribute('href')]).toEqual(['Back to the portfolio', portfolio]);
  // The way back is in the address: a reload (or the link sent on) leads to the same place.
  await page.reload();
  await page.getByRole('heading', { name: `In work — ${GONE_DESIGNER}` }).waitFor();
  expect([await back.textContent(), await back.getAttribute('href')]).toEqual(['Back to the portfolio', portfolio]);
  await shootDeskAndNarrowPhone(portal, page, 'portfolio-people-gone-workload-way-back');
  await back.click();
  await page.waitForURL((url) => url.pathname + url.search === portfolio);
  await page.locator('li.project-card', { hasText: TITLES.mine }).waitFor();
  expect([await page.locator('#portfolio-manager').inputValue(), await page.locator('#portfolio-segment').inputValue(), await page.locator('#portfolio-search').inputValue()]).toEqual([
    h.people.manager.id,
    'B2B',
    'Bakery',
  ]);

  // An address naming a way back off the portal, or to a page the list is not reached from, leads to the KPIs.
  for (const elsewhere of ['https://example.com/projects', '//example.com/projects', '/tasks/x']) {
    await page.goto(`${portal.baseUrl}/kpis/workload?assignee=${GONE_DESIGNER}&state=in_work&back=${encodeURIComponent(elsewhere)}`);
    await page.getByRole('heading', { name: `In work — ${GONE_DESIGNER}` }).waitFor();
    expect([elsewhere, await back.textContent(), await back.getAttribute('href'), await menuMarked(page)]).toEqual([elsewhere, 'Back to the KPIs', expect.stringMatching(/^\/kpis\?/), ['KPIs']]);
  }
});

step('a manager sees only the tasks in their own projects held by people no longer here, leading to those tasks', async () => {
  const manager = await open('manager', '/projects');
  await warning(manager).waitFor();
  expect(await lines(manager)).toEqual([
    `${GONE_DESIGNER} — 1 task in work: reassign it there.`,
    `${nowLeadershipName} (now in leadership) — 1 task in work: reassign it there.`,
  ]);
  await shootDeskAndNarrowPhone(portal, manager.page, 'portfolio-people-gone-manager');
  await warning(manager).getByRole('link', { name: `${GONE_DESIGNER} — 1 task in work` }).click();
  await manager.page.getByRole('heading', { name: `In work — ${GONE_DESIGNER}` }).waitFor();
  expect((await tableRows(manager.page, 'table.kpi-workload')).map(([task, project]) => [task, project])).toEqual([['design a', TITLES.mine]]);
});

step('nothing held by anyone gone, no warning: the other manager’s portfolio, theirs and as leadership narrows to them', async () => {
  const other = await open('otherManager', '/projects');
  await loaded(other);
  await other.page.locator('li.project-card', { hasText: TITLES.theirs }).waitFor();
  expect(await warning(other).count()).toBe(0);

  const leader = await open('leadership', `/projects?manager=${h.people.otherManager.id}`);
  await loaded(leader);
  await leader.page.locator('li.project-card', { hasText: TITLES.theirs }).waitFor();
  expect(await warning(leader).count()).toBe(0);
});
