/**
 * From the KPI page's "Clients" figures to the ratings and complaints behind them, in a real
 * headless Chromium: a bar of "Client ratings" leads to the ratings of that value (as many rows as
 * the bar said, each project a link, what the client said), a bar at 0 leads nowhere; the complaint
 * counts under the chart lead to the complaints still open and those resolved; the "By manager"
 * table's counts lead to that manager's ratings and complaints (a zero nowhere); a manager follows a
 * bar to their own projects' ratings only; an empty list says so in words; the way back keeps the
 * period. At a desk and on a 320 px phone (no sideways scrolling). The figures come from the
 * reporting store alone: projects are published as the workflows would.
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import type { ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, NARROW_PHONE, SCREENSHOT_DIR, kpiPortal, shootDeskAndNarrowPhone, tableRows, type PersonPage } from '../support/browser';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the KPI drill-down to client ratings and complaints');

const { open, openKpis, harness, portal } = kpiPortal({ chartTitle: '#chart-ratings-title', seed: publishFigures });

const LONG_CLIENT = 'Vereinigte Nordsee-Fischereigenossenschaft und Räucherei GmbH & Co. KG';
const LONG_COMMENT = 'The banner went out with last year\u2019s prices, and nobody answered our three calls about it for a week.';
/** The directory's names of the harness's test managers (test/support/api.ts). */
const managerName = () => `Test ${harness().people.manager.id}`;
const otherManagerName = () => `Test ${harness().people.otherManager.id}`;

async function publishFigures(h: ApiHarness): Promise<void> {
  const now = new Date().toISOString();
  const northwind = { id: 'northwind', name: 'Northwind Traders', segment: 'B2B' as const };
  const nordsee = { id: 'nordsee', name: LONG_CLIENT, segment: 'B2C' as const };
  const project = (projectId: string, managerId: string, client: typeof northwind | typeof nordsee) =>
    new ProjectBuilder({ projectId, managerId, client, intakeAt: plusDays(now, -40) });
  // Two ratings of 1 (ours with a long comment, theirs with none), one of 5 (ours).
  const low = project('p-fb-low', h.people.manager.id, northwind).clientAccepts(plusDays(now, -10), 1);
  low.status.feedback.at(-1)!.comment = LONG_COMMENT;
  const theirsLow = project('p-fb-theirs-low', h.people.otherManager.id, nordsee).clientAccepts(plusDays(now, -5), 1);
  const good = project('p-fb-good', h.people.manager.id, northwind).clientAccepts(plusDays(now, -3), 5);
  good.status.feedback.at(-1)!.comment = 'Quick and friendly.';
  // Two complaints: ours open six days, theirs resolved after two days.
  const open = project('p-fb-open', h.people.manager.id, northwind);
  const id = open.complain(plusDays(now, -6));
  const ours = open.status.complaints.find((c) => c.complaintId === id)!;
  ours.description = 'Nobody answers the phone.';
  // Made after the completed project's complaint window: the list says so beside its date.
  ours.afterWindow = true;
  const resolved = project('p-fb-resolved', h.people.otherManager.id, nordsee);
  resolved.resolve(resolved.complain(plusDays(now, -20)), plusDays(now, -18));
  for (const p of [low, theirsLow, good, open, resolved]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
}

/** The rows of the feedback list, cell by cell, as shown. */
const rows = (person: PersonPage): Promise<string[][]> => tableRows(person.page, 'table.kpi-feedback');

/** The bar, in a chart's drawing, whose title ends so ("1 · Ratings: 2"). */
const bar = (person: PersonPage, chart: string, title: string | RegExp) =>
  person.page.locator(`figure:has(#${chart}-title) svg a.bar-link`, { has: person.page.locator('title', { hasText: title }) });

step('leadership follows the bar of the ratings of 1 to those ratings, with what the clients said, and back to the KPIs with the same period', async () => {
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const [from, to] = [day(45), day(0)];
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${from}&to=${to}`);
  const { page } = person;
  await page.locator('#kpi-clients').screenshot({ path: `${SCREENSHOT_DIR}/99f-kpi-feedback-chart-links-desktop.png` });
  // No rating of 2 was given: its bar leads nowhere.
  expect(await bar(person, 'chart-ratings', /^2 · Ratings: 0$/).count()).toBe(0);
  await bar(person, 'chart-ratings', /^1 · Ratings: 2$/).click();

  await page.waitForURL(/\/kpis\/feedback\?/);
  const address = new URL(page.url());
  expect(address.searchParams.get('rating')).toBe('1');
  await page.getByRole('heading', { level: 1, name: 'Ratings of 1 (negative): 2' }).waitFor();
  const listed = await rows(person);
  expect(listed.map((r) => r.slice(0, 5))).toEqual([
    ['Project p-fb-low', 'Northwind Traders (B2B)', managerName(), '1 of 5', LONG_COMMENT],
    ['Project p-fb-theirs-low', `${LONG_CLIENT} (B2C)`, otherManagerName(), '1 of 5', 'No comment'],
  ]);
  expect(await page.locator('p[role="status"]').textContent()).toBe('2 ratings given in this period, the lowest first.');
  expect(await page.getByRole('link', { name: 'Project p-fb-low' }).getAttribute('href')).toBe('/projects/p-fb-low');
  await shootDeskAndNarrowPhone(portal(), page, '99f-kpi-feedback-ratings');

  expect([address.searchParams.get('from'), address.searchParams.get('to')]).toEqual([from, to]);
  await page.getByRole('link', { name: 'Back to the KPIs' }).click();
  await page.waitForURL(/\/kpis(\?.*)?$/);
  await page.locator('#chart-ratings-title').waitFor();
  expect(await page.locator('#kpi-from').inputValue()).toBe(from);
  expect(await page.locator('#kpi-to').inputValue()).toBe(to);
});

step('the complaint counts lead to the complaints still open and to those resolved', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  const line = page.locator('#kpi-clients p', { hasText: 'Complaints:' });
  expect(await line.textContent()).toMatch(/^Complaints: 2 filed, 1 resolved \(median 48 h to\s+resolve\), 1 open\.$/);
  expect(await line.getByRole('link', { name: '2 filed' }).getAttribute('href')).toMatch(/^\/kpis\/feedback\?.*complaints=filed$/);

  await line.getByRole('link', { name: '1 open' }).click();
  await page.getByRole('heading', { level: 1, name: 'Complaints still open: 1' }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[1], r[2], r[3].replace(/^.*\(/, '('), r[4], r[5]])).toEqual([
    ['Project p-fb-open', 'Northwind Traders (B2B)', managerName(), '(after the complaint window)', 'Open 6 days', 'Nobody answers the phone.'],
  ]);
  await shootDeskAndNarrowPhone(portal(), page, '99f-kpi-feedback-open');

  await page.goBack();
  await page.locator('#kpi-clients').getByRole('link', { name: '1 resolved' }).click();
  await page.getByRole('heading', { level: 1, name: 'Complaints resolved: 1' }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[3].includes('window'), r[4].replace(/^.*\(/, '('), r[5]])).toEqual([['Project p-fb-resolved', false, '(after 2 days)', 'bad — resolved: fixed']]);
});

/** The rows of the Clients section's "By manager" table, cell by cell, as shown. */
const managerRows = (person: PersonPage): Promise<string[][]> => tableRows(person.page, '#kpi-clients table.feedback-by-manager');

step('leadership sees each manager\u2019s ratings and complaints, each count a link to that manager\u2019s list, a zero none', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  const table = page.locator('#kpi-clients table.feedback-by-manager');
  // Ours: a 1 and a 5, one complaint still open; theirs: a 1, one complaint resolved.
  const expected = [
    [managerName(), '2', '3 / 5', '1 rated 1', '1', '1'],
    [otherManagerName(), '1', '1 / 5', '1 rated 1', '1', '0'],
  ].sort((a, b) => a[0].localeCompare(b[0]));
  expect(await managerRows(person)).toEqual(expected);
  await page.locator('#kpi-clients').screenshot({ path: `${SCREENSHOT_DIR}/99f-kpi-feedback-by-manager-desktop.png` });
  // Their open complaints are 0: no link.
  const theirs = table.locator('tbody tr', { hasText: otherManagerName() });
  expect(await theirs.locator('td[data-label="Open"] a').count()).toBe(0);
  expect(await theirs.locator('td[data-label="Complaints"] a').count()).toBe(1);

  const ours = table.locator('tbody tr', { hasText: managerName() });
  await ours.getByRole('link', { name: `${managerName()}, ratings of 1: 1 rated 1` }).click();
  await page.getByRole('heading', { level: 1, name: `Ratings of 1 (negative), ${managerName()}: 1` }).waitFor();
  expect(new URL(page.url()).searchParams.get('managerId')).toBe(harness().people.manager.id);
  expect((await rows(person)).map((r) => [r[0], r[2], r[3]])).toEqual([['Project p-fb-low', managerName(), '1 of 5']]);

  await page.goBack();
  await page.locator('#kpi-clients table.feedback-by-manager').getByRole('link', { name: `${managerName()}, complaints still open: 1` }).click();
  await page.getByRole('heading', { level: 1, name: `Complaints still open, ${managerName()}: 1` }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[2]])).toEqual([['Project p-fb-open', managerName()]]);

  await page.goBack();
  await page.locator('#kpi-clients table.feedback-by-manager').getByRole('link', { name: `${otherManagerName()}, ratings: 1` }).click();
  await page.getByRole('heading', { level: 1, name: `Client ratings, ${otherManagerName()}: 1` }).waitFor();
  expect((await rows(person)).map((r) => r[0])).toEqual(['Project p-fb-theirs-low']);
});

step('a manager\u2019s own KPIs have no "By manager" table: their one row would repeat the figures above', async () => {
  const person = await openKpis('manager');
  expect(await person.page.locator('#kpi-clients', { hasText: 'Complaints:' }).count()).toBe(1);
  expect(await person.page.locator('#kpi-clients table.feedback-by-manager').count()).toBe(0);
});

step('a manager follows a rating bar to their own projects\u2019 ratings only', async () => {
  const person = await openKpis('manager');
  const { page } = person;
  await bar(person, 'chart-ratings', /^1 · Ratings: 1$/).click();
  await page.getByRole('heading', { level: 1, name: 'Ratings of 1 (negative): 1' }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[2]])).toEqual([['Project p-fb-low', managerName()]]);
  expect(await page.locator('.page-sub').textContent()).toContain('your projects');
});

step('a period with no complaint says so in words', async () => {
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const person = await open('leadership', `/kpis/feedback?from=${day(200)}&to=${day(190)}&complaints=open`);
  const { page } = person;
  await page.getByRole('heading', { level: 1, name: 'Complaints still open: 0' }).waitFor();
  expect(await page.locator('.empty').textContent()).toBe('No complaint filed in this period is still open.');
  await portal().screenshot(page, '99f-kpi-feedback-empty');
});

step('on a 320 px phone the rating bar leads to the list too, read as cards with nothing wider than the page', async () => {
  const person = await openKpis('leadership', NARROW_PHONE);
  const { page } = person;
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  await page.locator('#kpi-clients').screenshot({ path: `${SCREENSHOT_DIR}/99f-kpi-feedback-chart-links-phone-320.png` });
  // The "By manager" table, a card a manager, every cell inside the screen.
  expect((await managerRows(person)).length).toBe(2);
  const managerCellsBeyondTheScreen = `[...document.querySelectorAll('table.feedback-by-manager tbody th, table.feedback-by-manager tbody td')]
    .filter((cell) => cell.getBoundingClientRect().right > document.documentElement.clientWidth).length`;
  expect(await page.evaluate<number>(managerCellsBeyondTheScreen)).toBe(0);
  await bar(person, 'chart-ratings', /^1 · Ratings: 2$/).click();
  await page.getByRole('heading', { level: 1, name: 'Ratings of 1 (negative): 2' }).waitFor();
  expect((await rows(person)).map((r) => r[0])).toEqual(['Project p-fb-low', 'Project p-fb-theirs-low']);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  const cellsBeyondTheScreen = `[...document.querySelectorAll('table.kpi-feedback tbody th, table.kpi-feedback tbody td')]
    .filter((cell) => cell.getBoundingClientRect().right > document.documentElement.clientWidth).length`;
  expect(await page.evaluate<number>(cellsBeyondTheScreen)).toBe(0);
  await portal().screenshot(page, '99f-kpi-feedback-followed-on-phone-320');
});
