/**
 * From the KPI page's delivery figures to the tasks behind them, in a real headless Chromium: the
 * late bar of a week in "Tasks delivered per week" leads to that week's late deliveries (the same
 * number of rows as the bar said, most late first, each task and project a link, how late in
 * words); a department's late count under the on-time chart leads to its late tasks; a manager,
 * with the keyboard, follows a cell of the chart's numbers to their own projects' deliveries only;
 * the way back keeps the period. At a desk and on a 320 px phone (no sideways scrolling). The
 * figures come from the reporting store alone: projects are published as the workflows would.
 */
import { ProjectBuilder, plusDays, plusHours } from '../reporting/builders';
import type { ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, NARROW_PHONE, SCREENSHOT_DIR, kpiPortal, shootDeskAndNarrowPhone, tableRows, type PersonPage } from '../support/browser';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the KPI drill-down to deliveries');

const { openKpis, portal } = kpiPortal({ chartTitle: '#chart-delivery-title', seed: publishFigures });

const LONG_TASK_KEY = 'launch-campaign-banners-for-every-regional-storefront';
const LONG_CLIENT = 'Vereinigte Nordsee-Fischereigenossenschaft und Räucherei GmbH & Co. KG';

async function publishFigures(h: ApiHarness): Promise<void> {
  const now = new Date().toISOString();
  // Ten days ago, one week of the chart holds three deliveries: two late, one on time.
  const tenDaysAgo = plusDays(now, -10);
  const ours = new ProjectBuilder({ projectId: 'p-drill-ours', managerId: h.people.manager.id, client: { id: 'northwind', name: 'Northwind Traders', segment: 'B2B' }, intakeAt: plusDays(now, -40) });
  ours.submitPlan(plusDays(now, -39), [
    // Two days late: due twelve days ago.
    { key: 'hero', department: 'design', dueAt: plusDays(now, -12) },
    // On time: due the day after it came.
    { key: 'copy', department: 'copywriting', dueAt: plusDays(now, -9) },
    // Another week, a day late.
    { key: 'audit', department: 'seo', dueAt: plusDays(now, -31) },
  ]);
  ours.approve(plusDays(now, -38));
  ours.task('hero').deliver(h.people.designer.id, plusDays(now, -38), tenDaysAgo);
  ours.task('copy').deliver(h.people.copywriter.id, plusDays(now, -38), tenDaysAgo);
  ours.task('audit').deliver(h.people.seo.id, plusDays(now, -38), plusDays(now, -30));
  // Another manager's task, five hours late the same day, with names long enough to wrap on a phone.
  const theirs = new ProjectBuilder({ projectId: 'p-drill-theirs', managerId: h.people.otherManager.id, client: { id: 'nordsee', name: LONG_CLIENT, segment: 'B2C' }, intakeAt: plusDays(now, -40) });
  theirs.submitPlan(plusDays(now, -39), [{ key: LONG_TASK_KEY, department: 'ads', dueAt: plusHours(tenDaysAgo, -5) }]);
  theirs.approve(plusDays(now, -38));
  theirs.task(LONG_TASK_KEY).deliver(h.people.ads.id, plusDays(now, -38), tenDaysAgo);
  for (const p of [ours, theirs]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
}

/** The rows of the deliveries list: task, project, client, department and how late, as shown. */
const rows = async (person: PersonPage): Promise<string[][]> => (await tableRows(person.page, 'table.kpi-deliveries')).map((cells) => [0, 1, 2, 3, 6].map((i) => cells[i]));

step('leadership follows a week\u2019s late bar to that week\u2019s late tasks, most late first, and back to the KPIs with the same period', async () => {
  // A period of its own (not the page's default 90 days), for the way back to keep.
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const [from, to] = [day(45), day(0)];
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${from}&to=${to}`);
  const { page } = person;
  // The bar of the week with two late deliveries is a link (for the pointer) to them.
  const lateBar = page.locator('figure:has(#chart-delivery-title) svg a.bar-link', { has: page.locator('title', { hasText: '· Late: 2' }) });
  await page.locator('#kpi-delivery').screenshot({ path: `${SCREENSHOT_DIR}/99a-kpi-deliveries-chart-links-desktop.png` });
  await lateBar.click();

  await page.waitForURL(/\/kpis\/deliveries\?/);
  const address = new URL(page.url());
  expect(address.searchParams.get('late')).toBe('true');
  expect(address.searchParams.get('week')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  await page.getByRole('heading', { level: 1, name: /^Late deliveries, week of .+: 2$/ }).waitFor();
  expect(await rows(person)).toEqual([
    ['design hero', 'Project p-drill-ours', 'Northwind Traders', 'Design', '2 days'],
    [`ads ${LONG_TASK_KEY}`, 'Project p-drill-theirs', LONG_CLIENT, 'Ads', '5 hours'],
  ]);
  // Each task and project leads to its page.
  expect(await page.getByRole('link', { name: 'design hero' }).getAttribute('href')).toBe('/tasks/p-drill-ours.hero');
  expect(await page.getByRole('link', { name: 'Project p-drill-ours' }).getAttribute('href')).toBe('/projects/p-drill-ours');
  await shootDeskAndNarrowPhone(portal(), page, '99b-kpi-deliveries-late-week');

  // Back: the KPI page, the same period in its fields.
  expect([address.searchParams.get('from'), address.searchParams.get('to')]).toEqual([from, to]);
  await page.getByRole('link', { name: 'Back to the KPIs' }).click();
  await page.waitForURL(/\/kpis(\?.*)?$/);
  await page.locator('#chart-delivery-title').waitFor();
  expect(await page.locator('#kpi-from').inputValue()).toBe(from);
  expect(await page.locator('#kpi-to').inputValue()).toBe(to);
});

step('a department\u2019s late count under the on-time chart leads to its late tasks; the period\u2019s links lead to all of them', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  expect(await page.locator('#kpi-delivery .drill-links').allTextContents()).toEqual([
    'Which tasks: 3 late deliveries \u00b7 1 on time \u00b7 all 4 deliveries. A week\u2019s are behind its bars and in \u201cThe numbers\u201d.',
    'Late, by department: Design: 1 late \u00b7 SEO: 1 late \u00b7 Ads: 1 late',
  ]);
  // The rate's numbers say the counts it is made of, as counts, each leading to its tasks.
  const numbers = page.locator('figure:has(#chart-ontime-departments-title) details.chart-numbers');
  await numbers.locator('summary').click();
  expect(await numbers.locator('thead th').allTextContents()).toEqual(['Department', 'On time (%)', 'Delivered', 'On time', 'Late']);
  expect(await numbers.locator('tbody tr').first().locator('th, td').allTextContents()).toEqual(['Design', '0%', '1', '0', '1']);
  expect(await numbers.getByRole('link', { name: 'Department Design, Late: 1' }).getAttribute('href')).toMatch(/^\/kpis\/deliveries\?.*department=design.*&late=true$/);
  await page.locator('#kpi-delivery').screenshot({ path: `${SCREENSHOT_DIR}/99f-kpi-deliveries-department-numbers-desktop.png` });
  await page.getByRole('link', { name: 'Ads: 1 late' }).click();
  await page.getByRole('heading', { level: 1, name: 'Late deliveries, Ads: 1' }).waitFor();
  expect((await rows(person)).map((r) => r[0])).toEqual([`ads ${LONG_TASK_KEY}`]);

  await page.goBack();
  await page.getByRole('link', { name: '3 late deliveries' }).click();
  await page.getByRole('heading', { level: 1, name: 'Late deliveries: 3' }).waitFor();
  // Most late first, whichever week.
  expect((await rows(person)).map((r) => [r[0], r[4]])).toEqual([
    ['design hero', '2 days'],
    ['seo audit', '24 hours'],
    [`ads ${LONG_TASK_KEY}`, '5 hours'],
  ]);
});

step('a manager, with the keyboard, follows a cell of the chart\u2019s numbers to their own projects\u2019 late tasks only', async () => {
  const person = await openKpis('manager');
  const { page } = person;
  const numbers = page.locator('figure:has(#chart-delivery-title) details.chart-numbers');
  await numbers.locator('summary').focus();
  await page.keyboard.press('Enter');
  // Ten days ago's week (the one with a delivery on time too). The cell is a link named with its
  // week and series, not just "1".
  const week = numbers.locator('tbody tr', { has: page.getByRole('link', { name: /, On time: 1$/ }) });
  const cell = week.getByRole('link', { name: /^Week of .+, Late: 1$/ });
  await cell.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: /^Late deliveries, week of .+: 1$/ }).waitFor();
  // The other manager's task, late the same day, is not theirs to see.
  expect((await rows(person)).map((r) => r[0])).toEqual(['design hero']);
  expect(await page.locator('.page-sub').textContent()).toContain('your projects');
  await shootDeskAndNarrowPhone(portal(), page, '99c-kpi-deliveries-manager');
});

step('on a 320 px phone the late bar leads to the list too, read as cards with nothing wider than the page', async () => {
  const person = await openKpis('leadership', NARROW_PHONE);
  const { page } = person;
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  await page.locator('#kpi-delivery').screenshot({ path: `${SCREENSHOT_DIR}/99d-kpi-deliveries-chart-links-phone-320.png` });
  await page.locator('figure:has(#chart-delivery-title) svg a.bar-link', { has: page.locator('title', { hasText: '· Late: 2' }) }).click();
  await page.getByRole('heading', { level: 1, name: /^Late deliveries, week of .+: 2$/ }).waitFor();
  expect((await rows(person)).map((r) => r[0])).toEqual(['design hero', `ads ${LONG_TASK_KEY}`]);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  // Every cell on the screen: not a table to scroll sideways inside its box either.
  const cellsBeyondTheScreen = `[...document.querySelectorAll('table.kpi-deliveries tbody th, table.kpi-deliveries tbody td')]
    .filter((cell) => cell.getBoundingClientRect().right > document.documentElement.clientWidth).length`;
  expect(await page.evaluate<number>(cellsBeyondTheScreen)).toBe(0);
  await portal().screenshot(page, '99e-kpi-deliveries-followed-on-phone-320');
});
