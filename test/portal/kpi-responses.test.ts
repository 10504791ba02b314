/**
 * From the KPI page's response-time figures to the client requests behind them, in a real headless
 * Chromium: the first-plans bar of a week in "Requests received and first plans sent, per week"
 * leads to the first plans sent that week (as many rows as the bar said, slowest first, each
 * project a link, the response time in words, the week's median); a manager's row of "Median
 * response time by manager" leads to that manager's first plans and the same median; the links
 * under the charts lead to the requests still waiting; a manager, with the keyboard, follows a cell
 * of the chart's numbers to their own requests only; an empty list says so in words; the way back
 * keeps the period. At a desk and on a 320 px phone (no sideways scrolling). The figures come from
 * the reporting store alone: projects are published as the workflows would.
 */
import { ProjectBuilder, plusDays, plusHours } from '../reporting/builders';
import type { ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, NARROW_PHONE, SCREENSHOT_DIR, kpiPortal, shootDeskAndNarrowPhone, tableRows, type PersonPage } from '../support/browser';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the KPI drill-down to response times');

const { open, openKpis, harness, portal } = kpiPortal({ chartTitle: '#chart-requests-title', seed: publishFigures });

const LONG_CLIENT = 'Vereinigte Nordsee-Fischereigenossenschaft und Räucherei GmbH & Co. KG';
const plan = (now: string) => [{ key: 'hero', department: 'design' as const, dueAt: plusDays(now, 30) }];
/** The directory's names of the harness's test managers (test/support/api.ts). */
const managerName = () => `Test ${harness().people.manager.id}`;
const otherManagerName = () => `Test ${harness().people.otherManager.id}`;

async function publishFigures(h: ApiHarness): Promise<void> {
  const now = new Date().toISOString();
  // Ten days ago, one week of the chart has two first plans sent (at the same moment, so in the
  // same week wherever the reader's Monday falls): ours after 48 hours, theirs after 3.
  const tenDaysAgo = plusDays(now, -10);
  const northwind = { id: 'northwind', name: 'Northwind Traders', segment: 'B2B' as const };
  const slow = new ProjectBuilder({ projectId: 'p-resp-slow', managerId: h.people.manager.id, client: northwind, intakeAt: plusHours(tenDaysAgo, -48) });
  slow.submitPlan(tenDaysAgo, plan(now));
  const theirs = new ProjectBuilder({ projectId: 'p-resp-theirs', managerId: h.people.otherManager.id, client: { id: 'nordsee', name: LONG_CLIENT, segment: 'B2C' }, intakeAt: plusHours(tenDaysAgo, -3) });
  theirs.submitPlan(tenDaysAgo, plan(now));
  // Another week, ours after 24 hours.
  const earlier = new ProjectBuilder({ projectId: 'p-resp-earlier', managerId: h.people.manager.id, client: northwind, intakeAt: plusDays(now, -31) });
  earlier.submitPlan(plusDays(now, -30), plan(now));
  // Ours, still waiting for its first plan five days on.
  const waiting = new ProjectBuilder({ projectId: 'p-resp-waiting', managerId: h.people.manager.id, client: { id: 'bakery', name: 'Corner Bakery', segment: 'B2C' }, intakeAt: plusDays(now, -5) });
  for (const p of [slow, theirs, earlier, waiting]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
}

/** The rows of the requests list: project, client, manager, first plan (when there is none) and response time, as shown. */
const rows = async (person: PersonPage): Promise<string[][]> =>
  (await tableRows(person.page, 'table.kpi-responses')).map((cells) => [cells[0], cells[1], cells[2], /^None/.test(cells[4]) ? cells[4] : 'sent', cells[5]]);

/** The bar, in a chart's drawing, whose title ends so ("· First plans: 2"). */
const bar = (person: PersonPage, chart: string, title: string | RegExp) =>
  person.page.locator(`figure:has(#${chart}-title) svg a.bar-link`, { has: person.page.locator('title', { hasText: title }) });

step('leadership follows a week\u2019s first-plans bar to the first plans sent that week, slowest first, and back to the KPIs with the same period', async () => {
  // A period of its own (not the page's default 90 days), for the way back to keep.
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const [from, to] = [day(45), day(0)];
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${from}&to=${to}`);
  const { page } = person;
  await page.locator('#kpi-response').screenshot({ path: `${SCREENSHOT_DIR}/99r-kpi-responses-chart-links-desktop.png` });
  await bar(person, 'chart-requests', '· First plans: 2').click();

  await page.waitForURL(/\/kpis\/responses\?/);
  const address = new URL(page.url());
  expect(address.searchParams.get('answered')).toBe('true');
  expect(address.searchParams.get('week')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  await page.getByRole('heading', { level: 1, name: /^First plans sent, week of .+: 2$/ }).waitFor();
  expect(await rows(person)).toEqual([
    ['Project p-resp-slow', 'Northwind Traders (B2B)', managerName(), 'sent', '2 days'],
    ['Project p-resp-theirs', `${LONG_CLIENT} (B2C)`, otherManagerName(), 'sent', '3 hours'],
  ]);
  // The count and the week's median, as the chart's numbers would say it: 48 and 3 hours.
  expect(await page.locator('p[role="status"]').textContent()).toBe('2 first plans sent in this week, the slowest first. Median response time from request to first plan: 25 hours 30 minutes.');
  // Each project leads to its page.
  expect(await page.getByRole('link', { name: 'Project p-resp-slow' }).getAttribute('href')).toBe('/projects/p-resp-slow');
  await shootDeskAndNarrowPhone(portal(), page, '99r-kpi-responses-week');

  // Back: the KPI page, the same period in its fields.
  expect([address.searchParams.get('from'), address.searchParams.get('to')]).toEqual([from, to]);
  await page.getByRole('link', { name: 'Back to the KPIs' }).click();
  await page.waitForURL(/\/kpis(\?.*)?$/);
  await page.locator('#chart-requests-title').waitFor();
  expect(await page.locator('#kpi-from').inputValue()).toBe(from);
  expect(await page.locator('#kpi-to').inputValue()).toBe(to);
});

step('a manager\u2019s row leads to their first plans with the chart\u2019s median; the links under the charts lead to the requests still waiting', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  expect(await page.locator('#kpi-response .drill-links').textContent()).toBe(
    'See the requests: 3 first plans sent \u00b7 1 still waiting \u00b7 all 4 requests received. A week\u2019s are behind its bars, a manager\u2019s behind their row, and in \u201cThe numbers\u201d.',
  );
  // In the chart's numbers each manager's median leads to their first plans too.
  const numbers = page.locator('figure:has(#chart-response-managers-title) details.chart-numbers');
  await numbers.locator('summary').click();
  const ours = numbers.getByRole('link', { name: `Manager ${managerName()}, Median response time: 36 h` });
  expect(await ours.getAttribute('href')).toMatch(/^\/kpis\/responses\?.*managerId=.*&answered=true$/);
  await page.locator('#kpi-response').screenshot({ path: `${SCREENSHOT_DIR}/99r-kpi-responses-manager-numbers-desktop.png` });

  await bar(person, 'chart-response-managers', `${managerName()} · Median response time: 36 h`).click();
  await page.getByRole('heading', { level: 1, name: `First plans sent, ${managerName()}: 2` }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[4]])).toEqual([
    ['Project p-resp-slow', '2 days'],
    ['Project p-resp-earlier', '24 hours'],
  ]);
  expect(await page.locator('p[role="status"]').textContent()).toContain('Median response time from request to first plan: 36 hours.');

  await page.goBack();
  await page.getByRole('link', { name: '1 still waiting' }).click();
  await page.getByRole('heading', { level: 1, name: 'Requests waiting for a first plan: 1' }).waitFor();
  expect(await rows(person)).toEqual([['Project p-resp-waiting', 'Corner Bakery (B2C)', managerName(), 'None yet', 'Waiting 5 days so far']]);
  await shootDeskAndNarrowPhone(portal(), page, '99r-kpi-responses-waiting');
});

step('a manager, with the keyboard, follows a cell of the chart\u2019s numbers to their own projects\u2019 first plans only', async () => {
  const person = await openKpis('manager');
  const { page } = person;
  const numbers = page.locator('figure:has(#chart-requests-title) details.chart-numbers');
  await numbers.locator('summary').focus();
  await page.keyboard.press('Enter');
  // Ten days ago's week: the other manager's plan, sent the same moment, is not theirs to count.
  // (The later of their two weeks with a first plan: the one 30 days ago has one too.)
  const cell = numbers.getByRole('link', { name: /^Week of .+, First plans: 1$/ }).last();
  await cell.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: /^First plans sent, week of .+: 1$/ }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[2]])).toEqual([['Project p-resp-slow', managerName()]]);
  expect(await page.locator('.page-sub').textContent()).toContain('your projects');
  await shootDeskAndNarrowPhone(portal(), page, '99r-kpi-responses-manager');
});

step('a week\u2019s requests bar leads to the requests received that week, answered or not', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  // The latest week with a request: the one still waiting (received five days ago) is in it.
  const requests = bar(person, 'chart-requests', / · Requests: \d+$/).last();
  const [, count] = /Requests: (\d+)$/.exec((await requests.locator('title').textContent()) ?? '') ?? [];
  await requests.click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^Requests received, week of .+: ${count}$`) }).waitFor();
  const reached = new URL(page.url());
  expect(reached.pathname + reached.search).toMatch(/^\/kpis\/responses\?(?!.*answered=).*week=[^&]+$/);
  expect((await rows(person)).find((r) => r[0] === 'Project p-resp-waiting')).toEqual(['Project p-resp-waiting', 'Corner Bakery (B2C)', managerName(), 'None yet', 'Waiting 5 days so far']);
});

step('a period with no request says so in words', async () => {
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const person = await open('leadership', `/kpis/responses?from=${day(200)}&to=${day(190)}&answered=false`);
  const { page } = person;
  await page.getByRole('heading', { level: 1, name: 'Requests waiting for a first plan: 0' }).waitFor();
  expect(await page.locator('.empty').textContent()).toBe('No request received in this period is still waiting for a first plan.');
  await portal().screenshot(page, '99r-kpi-responses-empty');
});

step('on a 320 px phone the first-plans bar leads to the list too, read as cards with nothing wider than the page', async () => {
  const person = await openKpis('leadership', NARROW_PHONE);
  const { page } = person;
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  await page.locator('#kpi-response').screenshot({ path: `${SCREENSHOT_DIR}/99r-kpi-responses-chart-links-phone-320.png` });
  await bar(person, 'chart-requests', '· First plans: 2').click();
  await page.getByRole('heading', { level: 1, name: /^First plans sent, week of .+: 2$/ }).waitFor();
  expect((await rows(person)).map((r) => r[0])).toEqual(['Project p-resp-slow', 'Project p-resp-theirs']);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  // Every cell on the screen: not a table to scroll sideways inside its box either.
  const cellsBeyondTheScreen = `[...document.querySelectorAll('table.kpi-responses tbody th, table.kpi-responses tbody td')]
    .filter((cell) => cell.getBoundingClientRect().right > document.documentElement.clientWidth).length`;
  expect(await page.evaluate<number>(cellsBeyondTheScreen)).toBe(0);
  await portal().screenshot(page, '99r-kpi-responses-followed-on-phone-320');
});
