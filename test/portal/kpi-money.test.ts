/**
 * From the KPI page's money figures, and from a target on the sales plan page, to the invoices and
 * payments behind them, in a real headless Chromium: a week's "Invoiced" bar leads to that week's
 * invoices, a manager's "Paid" bar to their payments and refunds, the links under the charts to
 * all of them, each with its totals in words and each number a link to its project; bars at 0 lead
 * nowhere; the way back keeps the period; a target's "See the payments" leads to the payments the
 * sales plan counts, and back to the sales plan (which asks for no KPI report: each target comes
 * with its net paid, 0% with nothing paid). The money tile's nets lead to the invoices and to
 * the payments with the page's filters, and a target's bar on the KPI page's sales plan to its
 * payments and back to the KPI page (a target with nothing paid, nowhere). At a desk and on a 320 px phone (no sideways
 * scrolling). The figures come from the reporting store alone: projects are published as the
 * workflows would.
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import type { ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, kpiPortal, NARROW_PHONE, routeUntilStopped, SCREENSHOT_DIR, shootDeskAndNarrowPhone, tableRows, type PersonPage } from '../support/browser';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the KPI drill-down to invoices and payments');

const { open, openKpis, harness, portal } = kpiPortal({ chartTitle: '#chart-money-title', seed: publishFigures });

const LONG_CLIENT = 'Vereinigte Nordsee-Fischereigenossenschaft und Räucherei GmbH & Co. KG';
/** The directory's names of the harness's test managers (test/support/api.ts). */
const managerName = () => `Test ${harness().people.manager.id}`;
const otherManagerName = () => `Test ${harness().people.otherManager.id}`;
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
/** The month of our payment: the sales plan's target is set for it. */
let targetMonth: string;
/** A month without any payment of the other manager's (theirs are 25 and 20 days ago): their target there is 0% met. */
let unpaidMonth: string;

async function publishFigures(h: ApiHarness): Promise<void> {
  const now = new Date().toISOString();
  const northwind = { id: 'northwind', name: 'Northwind Traders', segment: 'B2B' as const };
  const nordsee = { id: 'nordsee', name: LONG_CLIENT, segment: 'B2C' as const };
  // Ours: INV-M1 1000 issued 10 days ago, 400 of it paid 8 days ago.
  const ours = new ProjectBuilder({ projectId: 'p-money-ours', managerId: h.people.manager.id, client: northwind, intakeAt: plusDays(now, -40) });
  ours.invoice('final', 'INV-M1', 1_000, plusDays(now, -10), plusDays(now, 4), { status: 'open' });
  ours.pay('INV-M1', 400, plusDays(now, -8), 'M1-A');
  // Theirs: INV-M2 600 issued 30 days ago and paid 25 days ago; a credit note of 100 21 days ago,
  // refunded the day after. What is invoiced is at least a week apart: each in a week of its own.
  const theirs = new ProjectBuilder({ projectId: 'p-money-theirs', managerId: h.people.otherManager.id, client: nordsee, intakeAt: plusDays(now, -40) });
  theirs.invoice('final', 'INV-M2', 600, plusDays(now, -30), plusDays(now, -16), { status: 'open' });
  theirs.pay('INV-M2', 600, plusDays(now, -25), 'M2-A');
  theirs.invoice('credit_note', 'CN-M1', 100, plusDays(now, -21), plusDays(now, -7), { status: 'open' });
  theirs.pay('CN-M1', 100, plusDays(now, -20), 'M2-R');
  for (const p of [ours, theirs]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  targetMonth = plusDays(now, -8).slice(0, 7);
  unpaidMonth = plusDays(now, -60).slice(0, 7);
  for (const [managerId, period] of [
    [h.people.manager.id, targetMonth],
    [h.people.otherManager.id, unpaidMonth],
  ]) {
    const [year, month] = period.split('-').map(Number);
    await h.reporting.setSalesTarget({
      managerId,
      period,
      startsAt: new Date(Date.UTC(year, month - 1, 1)),
      endsAt: new Date(Date.UTC(year, month, 1)),
      currency: 'EUR',
      amount: 5_000,
      setBy: h.people.leadership.id,
    });
  }
}

/** The rows of the money list, cell by cell, as shown. */
const rows = (person: PersonPage): Promise<string[][]> => tableRows(person.page, 'table.kpi-money');
const totals = (person: PersonPage) => person.page.locator('ul.money-totals li').allTextContents();

/** The bar, in a chart's drawing, whose title ends so ("12 Jan · Invoiced: €1,000.00"). */
const bar = (person: PersonPage, chart: string, title: string | RegExp) =>
  person.page.locator(`figure:has(#${chart}-title) svg a.bar-link`, { has: person.page.locator('title', { hasText: title }) });

step('leadership follows a week\u2019s Invoiced bar to that week\u2019s invoices, and back to the KPIs with the same period', async () => {
  const [from, to] = [day(45), day(0)];
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${from}&to=${to}`);
  const { page } = person;
  await page.locator('#kpi-money').screenshot({ path: `${SCREENSHOT_DIR}/99g-kpi-money-chart-links-desktop.png` });
  // Weeks without a refund: their Refunded bars lead nowhere; nor does a week's bar with nothing invoiced.
  expect(await bar(person, 'chart-money', /· Refunded: €0\.00$/).count()).toBe(0);
  expect(await bar(person, 'chart-money', /· Invoiced: €0\.00$/).count()).toBe(0);
  expect(await bar(person, 'chart-money', /· Refunded: €100\.00$/).count()).toBe(1);
  await bar(person, 'chart-money', /· Invoiced: €1,000\.00$/).click();

  await page.waitForURL(/\/kpis\/money\?/);
  const address = new URL(page.url());
  expect([address.searchParams.get('flow'), address.searchParams.get('currency'), address.searchParams.get('week') !== null]).toEqual(['invoiced', 'EUR', true]);
  await page.getByRole('heading', { level: 1, name: /^Invoices, voids and credit notes, week of .+: 1$/ }).waitFor();
  expect((await rows(person)).map((r) => r.slice(0, 7))).toEqual([['INV-M1', 'Invoice', expect.any(String), '€1,000.00', 'Northwind Traders (B2B)', 'Project p-money-ours', managerName()]]);
  expect((await rows(person))[0][7]).toMatch(/, €600\.00 owed$/);
  expect(await totals(person)).toEqual(['Invoiced €1,000.00, nothing voided or credited.']);
  expect(await page.getByRole('link', { name: 'INV-M1' }).getAttribute('href')).toBe('/projects/p-money-ours');

  expect([address.searchParams.get('from'), address.searchParams.get('to')]).toEqual([from, to]);
  await page.getByRole('link', { name: 'Back to the KPIs' }).click();
  await page.waitForURL(/\/kpis(\?.*)?$/);
  await page.locator('#chart-money-title').waitFor();
  expect(await page.locator('#kpi-from').inputValue()).toBe(from);
  expect(await page.locator('#kpi-to').inputValue()).toBe(to);
});

step('a manager\u2019s Paid bar leads to their payments and refunds, the newest first, with the totals in words', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  await bar(person, 'chart-money-managers', new RegExp(`^${otherManagerName()} · Paid: €600\\.00$`)).click();
  await page.getByRole('heading', { level: 1, name: `Payments and refunds, ${otherManagerName()}: 2` }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[1], r[3], r[4]])).toEqual([
    ['CN-M1', 'Refund', '€100.00', `${LONG_CLIENT} (B2C)`],
    ['INV-M2', 'Payment', '€600.00', `${LONG_CLIENT} (B2C)`],
  ]);
  expect(await totals(person)).toEqual(['Paid €600.00, less €100.00 refunded: €500.00 net.']);
  expect(await page.locator('p[role="status"]').textContent()).toBe('2 payments and refunds in this period, the newest first.');
  await shootDeskAndNarrowPhone(portal(), page, '99g-kpi-money-payments');
});

step('the links under the charts lead to all the invoices and all the payments', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  const line = page.locator('#kpi-money p.drill-links');
  expect(await line.textContent()).toMatch(/^See the invoices · See the payments: who was invoiced and who paid, the newest first\./);
  await line.getByRole('link', { name: 'See the invoices' }).click();
  await page.getByRole('heading', { level: 1, name: 'Invoices, voids and credit notes: 3' }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[1], r[3]])).toEqual([
    ['INV-M1', 'Invoice', '€1,000.00'],
    ['CN-M1', 'Credit note', '€100.00'],
    ['INV-M2', 'Invoice', '€600.00'],
  ]);
  expect(await totals(person)).toEqual(['Invoiced €1,600.00, less €100.00 credited: €1,500.00 net.']);
  await shootDeskAndNarrowPhone(portal(), page, '99g-kpi-money-invoices');
  // Each number on one line at a desk, not broken at its hyphen by a narrow column (an inline link broken across lines has two boxes).
  expect(await page.locator('table.kpi-money th[scope="row"] a').evaluateAll((links) => links.map((a) => [a.textContent, a.getClientRects().length]))).toEqual([
    ['INV-M1', 1],
    ['CN-M1', 1],
    ['INV-M2', 1],
  ]);

  await page.goBack();
  await page.locator('#kpi-money p.drill-links').getByRole('link', { name: 'See the payments' }).click();
  await page.getByRole('heading', { level: 1, name: 'Payments and refunds: 3' }).waitFor();
  expect(await totals(person)).toEqual(['Paid €1,000.00, less €100.00 refunded: €900.00 net.']);
});

step('a list the reporting store was too busy to give comes by itself when the API said to ask again, long before the next poll', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  // The first read answered as the API answers when the store does not take a connection in time.
  const asked: number[] = [];
  // The read asked again waits until the test has read the problem shown meanwhile.
  let problemRead!: () => void;
  const readingTheProblem = new Promise<void>((resolve) => (problemRead = resolve));
  const stop = await routeUntilStopped(page, (url) => url.pathname === '/api/reports/kpis/money', async (route) => {
    asked.push(Date.now());
    if (asked.length > 1) {
      await readingTheProblem;
      return route.continue();
    }
    await route.fulfill({
      status: 503,
      headers: { 'Retry-After': '1' },
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:agencyflow:problem:reporting-unavailable', title: 'Reporting store unavailable', status: 503, detail: 'The reporting store does not answer. Retry in a moment.' }),
    });
  });
  try {
    await page.locator('#kpi-money p.drill-links').getByRole('link', { name: 'See the invoices' }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'Could not load the invoices and payments' });
    await problem.waitFor();
    // The person is told the page is on it, not left to guess whether to reload.
    expect(await problem.textContent()).toContain('This page asks again by itself in 1 second.');
    await portal().screenshot(page, '99g-kpi-money-read-again', { fullPage: false });
    problemRead();
    // The page polls every 30 s: the list shown within 10 s was read again because the API said when.
    await page.getByRole('heading', { level: 1, name: 'Invoices, voids and credit notes: 3' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(asked).toHaveLength(2);
    expect(asked[1] - asked[0]).toBeGreaterThanOrEqual(1_000);
  } finally {
    problemRead();
    await stop();
  }
});

step('a manager follows the link to their own projects\u2019 payments only', async () => {
  const person = await openKpis('manager');
  const { page } = person;
  await page.locator('#kpi-money p.drill-links').getByRole('link', { name: 'See the payments' }).click();
  await page.getByRole('heading', { level: 1, name: 'Payments and refunds: 1' }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[3], r[6]])).toEqual([['INV-M1', '€400.00', managerName()]]);
  expect(await page.locator('.page-sub').textContent()).toContain('your projects');
});

step('a target on the sales plan page leads to the payments its net paid counts, and back to the sales plan; the page computes no KPI report', async () => {
  const person = await open('leadership', `/targets?period=${targetMonth}`);
  const { page } = person;
  // What the page asks the API from a fresh load on: the targets come with their net paid.
  const asked: string[] = [];
  page.on('request', (r) => {
    const { pathname } = new URL(r.url());
    if (pathname.startsWith('/api/')) asked.push(pathname);
  });
  await page.reload();
  const card = page.locator('li.target', { has: page.getByRole('heading', { name: managerName() }) });
  await card.locator('.target-paid').waitFor();
  expect(await card.locator('.target-paid span').textContent()).toBe('Net paid so far €400.00 (8% of the target)');
  await portal().screenshot(page, '99g-kpi-money-targets');
  await card.getByRole('link', { name: 'See the payments' }).click();
  await page.getByRole('heading', { level: 1, name: `Payments for ${managerName()}\u2019s sales plan ${targetMonth}: 1` }).waitFor();
  expect((await rows(person)).map((r) => [r[0], r[1], r[3]])).toEqual([['INV-M1', 'Payment', '€400.00']]);
  expect(await totals(person)).toEqual(['Paid €400.00, nothing refunded.']);
  expect(await page.locator('.page-sub').textContent()).toBe(`The target’s period, ${targetMonth} (UTC) · EUR`);
  // The top bar marks where the list was reached from: the sales plan, not the KPIs.
  expect(await page.locator('header.topbar nav a[aria-current]').allTextContents()).toEqual(['Sales targets']);
  await shootDeskAndNarrowPhone(portal(), page, '99g-kpi-money-sales-plan');
  await page.getByRole('link', { name: 'Back to the sales plan' }).click();
  await page.waitForURL(new RegExp(`/targets\\?period=${targetMonth}$`));
  await card.locator('.target-paid').waitFor();

  // A target with nothing paid yet: 0%, and no payments to see.
  await page.locator('#target-period').fill(unpaidMonth);
  await page.getByRole('button', { name: 'Show' }).click();
  const unpaid = page.locator('li.target', { has: page.getByRole('heading', { name: otherManagerName() }) });
  await unpaid.locator('.target-paid').waitFor();
  expect(await unpaid.locator('.target-paid').textContent()).toBe('Net paid so far €0.00 (0% of the target)');
  expect(await unpaid.getByRole('link', { name: 'See the payments' }).count()).toBe(0);
  await shootDeskAndNarrowPhone(portal(), page, '99g-kpi-money-targets-nothing-paid');
  expect(asked).toContain('/api/reports/sales-targets');
  expect(asked.filter((pathname) => pathname === '/api/reports/kpis')).toEqual([]);
});

step('on a 320 px phone the links lead to the list too, read as cards with nothing wider than the page', async () => {
  const person = await openKpis('leadership', NARROW_PHONE);
  const { page } = person;
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  await page.locator('#kpi-money').screenshot({ path: `${SCREENSHOT_DIR}/99g-kpi-money-chart-links-phone-320.png` });
  await page.locator('#kpi-money p.drill-links').getByRole('link', { name: 'See the invoices' }).click();
  await page.getByRole('heading', { level: 1, name: 'Invoices, voids and credit notes: 3' }).waitFor();
  expect((await rows(person)).map((r) => r[0])).toEqual(['INV-M1', 'CN-M1', 'INV-M2']);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  const cellsBeyondTheScreen = `[...document.querySelectorAll('table.kpi-money tbody th, table.kpi-money tbody td')]
    .filter((cell) => cell.getBoundingClientRect().right > document.documentElement.clientWidth).length`;
  expect(await page.evaluate<number>(cellsBeyondTheScreen)).toBe(0);
  await portal().screenshot(page, '99g-kpi-money-followed-on-phone-320');
});

/** The money tile of a currency: its net invoiced, and its note with the net paid. */
const moneyTile = (person: PersonPage, currency: string) => person.page.locator('.tiles--wide .tile', { hasText: `Invoiced, net of voids and credit notes (${currency})` });

step('the money tile\u2019s net invoiced leads to the invoices, its net paid to the payments, with the page\u2019s filters', async () => {
  const [from, to] = [day(45), day(0)];
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${from}&to=${to}&segment=B2C`);
  const { page } = person;
  const tile = moneyTile(person, 'EUR');
  await tile.getByRole('link', { name: 'Invoiced, net of voids and credit notes (EUR): €500.00' }).click();
  await page.getByRole('heading', { level: 1, name: 'Invoices, voids and credit notes: 2' }).waitFor();
  const invoices = new URL(page.url());
  expect([...invoices.searchParams]).toEqual([
    ['from', from],
    ['to', to],
    ['segment', 'B2C'],
    ['flow', 'invoiced'],
    ['currency', 'EUR'],
  ]);
  expect((await rows(person)).map((r) => r[0])).toEqual(['CN-M1', 'INV-M2']);
  // The list's net is the tile's.
  expect(await totals(person)).toEqual(['Invoiced €600.00, less €100.00 credited: €500.00 net.']);

  await page.goBack();
  await moneyTile(person, 'EUR').getByRole('link', { name: 'Net paid in the period (EUR): €500.00' }).click();
  await page.getByRole('heading', { level: 1, name: 'Payments and refunds: 2' }).waitFor();
  expect(new URL(page.url()).searchParams.get('flow')).toBe('paid');
  expect(await totals(person)).toEqual(['Paid €600.00, less €100.00 refunded: €500.00 net.']);
  expect(await page.locator('.page-sub').textContent()).toContain('B2C clients');
});

step('a tile\u2019s side with nothing in the period leads nowhere: invoiced, nothing paid yet', async () => {
  // INV-M1 was issued 10 days ago, its payment came 8 days ago: from 12 to 9 days ago, nothing was paid.
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${day(12)}&to=${day(9)}`);
  const tile = moneyTile(person, 'EUR');
  await tile.locator('.tile-value').waitFor();
  expect(await tile.textContent()).toContain('net paid in the period €0.00');
  expect(await tile.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('aria-label')))).toEqual(['Invoiced, net of voids and credit notes (EUR): €1,000.00']);
  await person.page.locator('.tiles--wide').screenshot({ path: `${SCREENSHOT_DIR}/99g-kpi-money-tiles-desktop.png` });
});

step('a target\u2019s bar on the KPI page\u2019s sales plan leads to the payments its net paid counts, and back to the KPI page with its period; a target with nothing paid leads nowhere', async () => {
  const kpis = `/kpis?from=${day(45)}&to=${day(0)}`;
  const person = await openKpis('leadership', DESKTOP, kpis);
  const { page } = person;
  const sales = page.locator('#kpi-sales');
  await sales.locator('#chart-sales-title').waitFor();
  // Only the target with something paid is a link, in the drawing and in "The numbers".
  expect(await bar(person, 'chart-sales', new RegExp(`^${otherManagerName()} · ${unpaidMonth}`)).count()).toBe(0);
  expect(await sales.locator('#chart-sales-table a').allTextContents()).toEqual(['8%']);
  await sales.screenshot({ path: `${SCREENSHOT_DIR}/99g-kpi-money-sales-chart-desktop.png` });
  await bar(person, 'chart-sales', new RegExp(`^${managerName()} · ${targetMonth}`)).click();
  await page.getByRole('heading', { level: 1, name: `Payments for ${managerName()}\u2019s sales plan ${targetMonth}: 1` }).waitFor();
  expect(new URL(page.url()).searchParams.get('salesPlan')).toBe('true');
  expect((await rows(person)).map((r) => [r[0], r[1], r[3]])).toEqual([['INV-M1', 'Payment', '€400.00']]);
  expect(await totals(person)).toEqual(['Paid €400.00, nothing refunded.']);
  // Back where the reader came from: the KPI page as it was, not the sales plan page.
  expect(await page.getByRole('link', { name: 'Back to the sales plan' }).count()).toBe(0);
  expect(await page.locator('header.topbar nav a[aria-current]').allTextContents()).toEqual(['KPIs']);
  await shootDeskAndNarrowPhone(portal(), page, '99g-kpi-money-sales-plan-from-kpis');
  await page.getByRole('link', { name: 'Back to the KPIs' }).click();
  await page.locator('#chart-sales-title').waitFor();
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(kpis);
});

step('on a 320 px phone the tile\u2019s and the sales plan\u2019s links fit the page', async () => {
  const person = await openKpis('leadership', NARROW_PHONE);
  const { page } = person;
  await moneyTile(person, 'EUR').getByRole('link', { name: /^Net paid in the period/ }).waitFor();
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  await moneyTile(person, 'EUR').screenshot({ path: `${SCREENSHOT_DIR}/99g-kpi-money-tile-phone-320.png` });
  await page.locator('#kpi-sales').screenshot({ path: `${SCREENSHOT_DIR}/99g-kpi-money-sales-chart-phone-320.png` });
});
