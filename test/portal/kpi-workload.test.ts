/**
 * From the KPI page's "Workload now" figures to the tasks behind them, in a real headless Chromium:
 * an overloaded person's bar in "Hours in work per person" leads to the tasks they have in work (as
 * many hours as the bar said, the overdue one first, each task and project a link, the overload
 * said as the KPI page says it); a department's open hours in the chart's numbers lead to its open
 * tasks; "See the work in hand" to all of it, most urgent first; a manager, with the keyboard,
 * follows a person's cell to their own projects' work only; the way back keeps the period. At a desk
 * and on a 320 px phone (cards, no sideways scrolling). The figures come from the reporting store
 * alone: projects are published as the workflows would.
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import type { ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, NARROW_PHONE, SCREENSHOT_DIR, kpiPortal, shootDeskAndNarrowPhone, tableRows, type PersonPage } from '../support/browser';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the KPI drill-down to the work in hand');

const OVERLOAD_HOURS = 25;
const { openKpis, harness, portal } = kpiPortal({ chartTitle: '#chart-workload-people-title', env: { WORKLOAD_OVERLOAD_HOURS: String(OVERLOAD_HOURS) }, seed: publishFigures });

const LONG_TASK_KEY = 'banners-for-every-regional-storefront-and-the-spring-campaign';
const LONG_CLIENT = 'Vereinigte Nordsee-Fischereigenossenschaft und Räucherei GmbH & Co. KG';

async function publishFigures(h: ApiHarness): Promise<void> {
  const now = new Date().toISOString();
  // Our manager's project: Dima's hero image two days overdue (30 h), an icon set open in design
  // (6 h, due tomorrow), Ivan's copy in work (8 h).
  const ours = new ProjectBuilder({ projectId: 'p-load-ours', managerId: h.people.manager.id, client: { id: 'northwind', name: 'Northwind Traders', segment: 'B2B' }, intakeAt: plusDays(now, -20) });
  ours.submitPlan(plusDays(now, -19), [
    { key: 'hero', department: 'design', dueAt: plusDays(now, -2), estimateHours: 30 },
    { key: 'icons', department: 'design', dueAt: plusDays(now, 1), estimateHours: 6 },
    { key: 'copy', department: 'copywriting', dueAt: plusDays(now, 5), estimateHours: 8 },
  ]);
  ours.approve(plusDays(now, -18));
  ours.task('hero').open(plusDays(now, -18)).claim(h.people.designer.id);
  ours.task('icons').open(plusDays(now, -18));
  ours.task('copy').open(plusDays(now, -18)).claim(h.people.copywriter.id);
  // Another manager's: Dima's banners too (12 h, in three days: 42 h in all, over the 25 h
  // threshold), with names long enough to wrap on a phone; an SEO audit open (4 h).
  const theirs = new ProjectBuilder({ projectId: 'p-load-theirs', managerId: h.people.otherManager.id, client: { id: 'nordsee', name: LONG_CLIENT, segment: 'B2C' }, intakeAt: plusDays(now, -20), departments: ['design', 'seo'] });
  theirs.submitPlan(plusDays(now, -19), [
    { key: LONG_TASK_KEY, department: 'design', dueAt: plusDays(now, 3), estimateHours: 12 },
    { key: 'audit', department: 'seo', dueAt: plusDays(now, 10), estimateHours: 4 },
  ]);
  theirs.approve(plusDays(now, -18));
  theirs.task(LONG_TASK_KEY).open(plusDays(now, -18)).claim(h.people.designer.id);
  theirs.task('audit').open(plusDays(now, -18));
  for (const p of [ours, theirs]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
}

/** The rows of the work in hand: task, project, client, department, in work by, estimate, as shown; and whether its due date says overdue. */
const rows = async (person: PersonPage): Promise<string[][]> =>
  (await tableRows(person.page, 'table.kpi-workload')).map((cells) => [...cells.slice(0, 6), /Overdue/.test(cells[6]) ? 'overdue' : 'not overdue']);

const personBar = (page: PersonPage['page'], who: string) =>
  page.locator('figure:has(#chart-workload-people-title) svg a.bar-link', { has: page.locator('title', { hasText: `${who} · Hours in work` }) });

step('leadership follows an overloaded person\u2019s bar to the tasks they have in work, the overdue one first, and back to the KPIs with the same period', async () => {
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const [from, to] = [day(45), day(0)];
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${from}&to=${to}`);
  const { page } = person;
  await page.locator('#kpi-workload').screenshot({ path: `${SCREENSHOT_DIR}/99w-a-kpi-workload-chart-links-desktop.png` });
  // The bar says 42 h; only people with work in hand have a link (those at 0 h lead nowhere).
  expect(await personBar(page, 'Dima Kozlov').locator('title').textContent()).toBe('Dima Kozlov · Hours in work: 42 h');
  expect(await personBar(page, 'Olga Morozova').count()).toBe(0);
  await personBar(page, 'Dima Kozlov').click();

  await page.waitForURL(/\/kpis\/workload\?/);
  const address = new URL(page.url());
  expect([address.searchParams.get('assignee'), address.searchParams.get('state')]).toEqual([harness().people.designer.id, 'in_work']);
  await page.getByRole('heading', { level: 1, name: 'In work \u2014 Dima Kozlov' }).waitFor();
  expect(await rows(person)).toEqual([
    ['design hero', 'Project p-load-ours', 'Northwind Traders', 'Design', 'Dima Kozlov', '30 h', 'overdue'],
    [`design ${LONG_TASK_KEY}`, 'Project p-load-theirs', LONG_CLIENT, 'Design', 'Dima Kozlov', '12 h', 'not overdue'],
  ]);
  expect(await page.locator('.workload-totals').textContent()).toMatch(/^2 tasks, 42 hours estimated; 1 overdue\./);
  expect(await page.locator('.workload-overload').textContent()).toBe('Overloaded Dima Kozlov has 42 h in work, above the overload threshold of 25 h.');
  // Each task and project leads to its page.
  expect(await page.getByRole('link', { name: 'design hero' }).getAttribute('href')).toBe('/tasks/p-load-ours.hero');
  expect(await page.getByRole('link', { name: 'Project p-load-ours' }).getAttribute('href')).toBe('/projects/p-load-ours');
  await shootDeskAndNarrowPhone(portal(), page, '99w-b-kpi-workload-person');

  // Back: the KPI page, the same period in its fields.
  expect([address.searchParams.get('from'), address.searchParams.get('to')]).toEqual([from, to]);
  await page.getByRole('link', { name: 'Back to the KPIs' }).click();
  await page.waitForURL(/\/kpis(\?.*)?$/);
  await page.locator('#chart-workload-people-title').waitFor();
  expect(await page.locator('#kpi-from').inputValue()).toBe(from);
  expect(await page.locator('#kpi-to').inputValue()).toBe(to);
});

step('a department\u2019s open hours in the chart\u2019s numbers lead to its open tasks; "See the work in hand" to all of it, most urgent first', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  expect(await page.locator('#kpi-workload .drill-links').textContent()).toBe(
    'See the work in hand: 5 tasks, 60 h, 1 overdue, the most urgent first. A department\u2019s and a person\u2019s are behind their bars and in \u201cThe numbers\u201d.',
  );
  // The overloaded are named as links to their work too.
  expect(await page.locator('#kpi-workload').getByRole('link', { name: 'Dima Kozlov', exact: true }).getAttribute('href')).toMatch(/^\/kpis\/workload\?.*assignee=dima\.design&state=in_work$/);
  const numbers = page.locator('figure:has(#chart-workload-departments-title) details.chart-numbers');
  await numbers.locator('summary').click();
  expect(await numbers.locator('tbody tr').first().locator('th, td').allTextContents()).toEqual(['Design', '6 h', '42 h']);
  // Nothing open in copywriting: its 0 h leads nowhere.
  expect(await numbers.getByRole('link', { name: /^Department Copywriting, Open/ }).count()).toBe(0);
  await page.locator('#kpi-workload').screenshot({ path: `${SCREENSHOT_DIR}/99w-c-kpi-workload-department-numbers-desktop.png` });
  await numbers.getByRole('link', { name: 'Department Design, Open: 6 h' }).click();
  await page.getByRole('heading', { level: 1, name: 'Open work \u2014 Design' }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[4], r[5]])).toEqual([['design icons', 'Open, nobody yet', '6 h']]);

  await page.goBack();
  await page.getByRole('link', { name: 'See the work in hand' }).click();
  await page.getByRole('heading', { level: 1, name: 'Work in hand' }).waitFor();
  expect(await page.locator('.workload-totals').textContent()).toMatch(/^5 tasks, 60 hours estimated \(10 h open, 50 h in work\); 1 overdue\./);
  // Overdue first, then by due date, soonest first, whoever has it.
  expect((await rows(person)).map((r) => [r[0], r[6]])).toEqual([
    ['design hero', 'overdue'],
    ['design icons', 'not overdue'],
    [`design ${LONG_TASK_KEY}`, 'not overdue'],
    ['copywriting copy', 'not overdue'],
    ['seo audit', 'not overdue'],
  ]);
});

step('a manager, with the keyboard, follows a person\u2019s cell in the numbers to their own projects\u2019 work only; nothing in hand is said in words', async () => {
  const person = await openKpis('manager');
  const { page } = person;
  const numbers = page.locator('figure:has(#chart-workload-people-title) details.chart-numbers');
  await numbers.locator('summary').focus();
  await page.keyboard.press('Enter');
  // Only the 30 h on the manager's own project: the banners are another manager's.
  const cell = numbers.getByRole('link', { name: 'Person Dima Kozlov, Hours in work: 30 h' });
  await cell.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'In work \u2014 Dima Kozlov' }).waitFor();
  expect((await rows(person)).map((r) => r[0])).toEqual(['design hero']);
  expect(await page.locator('.page-sub').textContent()).toContain('your projects');
  // 30 h is over the threshold on the manager's projects alone.
  expect(await page.locator('.workload-overload').textContent()).toContain('above the overload threshold of 25 h');
  await shootDeskAndNarrowPhone(portal(), page, '99w-d-kpi-workload-manager');

  // Someone with nothing in work (an address typed or kept): said in words, not an empty table.
  await page.goto(`${portal().baseUrl}/kpis/workload?assignee=${harness().people.designer2.id}&state=in_work`);
  await page.getByRole('heading', { level: 1, name: 'In work \u2014 Olga Morozova' }).waitFor();
  expect(await page.locator('p.empty').textContent()).toBe('No task is in work for Olga Morozova on your projects now.');
  expect(await page.locator('table.kpi-workload').count()).toBe(0);
  await shootDeskAndNarrowPhone(portal(), page, '99w-e-kpi-workload-empty');
});

step('on a 320 px phone the person\u2019s bar leads to the list too, read as cards with nothing wider than the page', async () => {
  const person = await openKpis('leadership', NARROW_PHONE);
  const { page } = person;
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  await page.locator('#kpi-workload').screenshot({ path: `${SCREENSHOT_DIR}/99w-f-kpi-workload-chart-links-phone-320.png` });
  await personBar(page, 'Dima Kozlov').click();
  await page.getByRole('heading', { level: 1, name: 'In work \u2014 Dima Kozlov' }).waitFor();
  expect((await rows(person)).map((r) => r[0])).toEqual(['design hero', `design ${LONG_TASK_KEY}`]);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  // Cards: each row a block of its own, each cell beside its column's name, none past the screen's edge.
  expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('table.kpi-workload tbody tr')).display`)).toBe('block');
  const cellsBeyondTheScreen = `[...document.querySelectorAll('table.kpi-workload tbody th, table.kpi-workload tbody td')]
    .filter((cell) => cell.getBoundingClientRect().right > document.documentElement.clientWidth).length`;
  expect(await page.evaluate<number>(cellsBeyondTheScreen)).toBe(0);
  await portal().screenshot(page, '99w-g-kpi-workload-followed-on-phone-320', { fullPage: true });
});
