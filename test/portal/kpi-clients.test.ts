/**
 * The KPI page's B2B client figures, in a real headless Chromium: the "Client spend" table shows
 * the report's spend per client (this period, the previous one, growth, projects), the biggest
 * first, with the totals above it; a client's spend leads to the invoices, voids and credit notes
 * it is made of (the list's net is the spend, the heading names the client, the way back keeps the
 * period); a client's name, in the table and among the regular clients, leads to their projects in
 * the portfolio; a spend of 0 leads nowhere; a manager sees their own clients only. A client
 * credited more than invoiced reads no growth, nor "new" (nor does one credited so the period
 * before); past 20 clients in a currency the smallest are left to the CSV, and the page says so, "the
 * CSV" downloading it. A net credit reads with a minus sign (U+2212), not a hyphen. At
 * a desk and on a 320 px phone (cards, no sideways scrolling). The figures come from the reporting
 * store alone: projects are published as the workflows would.
 */
import type { KpiReport } from '../../api/schemas';
import { ProjectBuilder, plusDays } from '../reporting/builders';
import type { ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, kpiPortal, NARROW_PHONE, SCREENSHOT_DIR, shootDeskAndNarrowPhone, tableRows, type PersonPage } from '../support/browser';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the KPI page\u2019s client spend and regular clients');

const { openKpis, portal } = kpiPortal({ chartTitle: '#chart-ratings-title', seed: publishFigures });

const LONG_CLIENT = 'Vereinigte Nordsee-Fischereigenossenschaft und Räucherei GmbH & Co. KG';
const northwind = { id: 'northwind', name: 'Northwind Traders', segment: 'B2B' as const };
const nordsee = { id: 'nordsee', name: LONG_CLIENT, segment: 'B2C' as const };
const initech = { id: 'initech', name: 'Initech', segment: 'B2B' as const };
const contoso = { id: 'contoso', name: 'Contoso', segment: 'B2B' as const };
const fabrikam = { id: 'fabrikam', name: 'Fabrikam', segment: 'B2B' as const };
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
/** The page's period: the last 30 days; the previous period is the 30 before them. */
const PERIOD = { from: day(29), to: day(0) };
/** A period of its own, long before, for the 21 clients of one currency (the table draws 20). */
const CAP_PERIOD = { from: day(209), to: day(180) };
/** Client 1 to 21 of CAP_PERIOD, each spending a hundred times its number in EUR. */
const CAP_CLIENTS = Array.from({ length: 21 }, (_, i) => ({ id: `cap-${String(i + 1).padStart(2, '0')}`, name: `Client ${i + 1}`, segment: 'B2B' as const, spend: (i + 1) * 100 }));

async function publishFigures(h: ApiHarness): Promise<void> {
  const now = new Date().toISOString();
  const manager = h.people.manager.id;
  const otherManager = h.people.otherManager.id;
  // Northwind, ours, a regular client: two projects this period, INV-C1 1000 and INV-C2 1500;
  // 1000 invoiced the period before (INV-C0): spend 2500, +150%.
  const before = new ProjectBuilder({ projectId: 'p-clients-before', managerId: manager, client: northwind, intakeAt: plusDays(now, -50) });
  before.invoice('final', 'INV-C0', 1_000, plusDays(now, -45), plusDays(now, -31), { status: 'open' });
  // Completed: the client's projects in the portfolio include the finished ones (a KPI counts them too).
  before.complete(plusDays(now, -32));
  const first = new ProjectBuilder({ projectId: 'p-clients-first', managerId: manager, client: northwind, intakeAt: plusDays(now, -20) });
  first.invoice('final', 'INV-C1', 1_000, plusDays(now, -15), plusDays(now, -1), { status: 'open' });
  const second = new ProjectBuilder({ projectId: 'p-clients-second', managerId: manager, client: northwind, intakeAt: plusDays(now, -10) });
  second.invoice('final', 'INV-C2', 1_500, plusDays(now, -5), plusDays(now, 9), { status: 'open' });
  // Nordsee, theirs, new this period: INV-C3 600 less a credit note of 100: spend 500.
  const theirs = new ProjectBuilder({ projectId: 'p-clients-theirs', managerId: otherManager, client: nordsee, intakeAt: plusDays(now, -12) });
  theirs.invoice('final', 'INV-C3', 600, plusDays(now, -8), plusDays(now, 6), { status: 'open' });
  theirs.invoice('credit_note', 'CN-C1', 100, plusDays(now, -4), plusDays(now, 10), { status: 'open' });
  // Initech, theirs, a project and nothing invoiced yet: a spend of 0.
  const quiet = new ProjectBuilder({ projectId: 'p-clients-quiet', managerId: otherManager, client: initech, intakeAt: plusDays(now, -3) });
  // Contoso, theirs: 800 invoiced long before, 300 of it credited this period: spend -300, nothing
  // before: no growth, and not "new".
  const credited = new ProjectBuilder({ projectId: 'p-clients-credited', managerId: otherManager, client: contoso, intakeAt: plusDays(now, -90) });
  credited.invoice('final', 'INV-C4', 800, plusDays(now, -80), plusDays(now, -66), { status: 'open' });
  credited.invoice('credit_note', 'CN-C2', 300, plusDays(now, -6), plusDays(now, 8), { status: 'open' });
  // Fabrikam, theirs: credited 400 the period before (of an older 1000), 250 invoiced now: no
  // growth from a net credit, and not "new" either (they were a client then).
  const recovered = new ProjectBuilder({ projectId: 'p-clients-recovered', managerId: otherManager, client: fabrikam, intakeAt: plusDays(now, -95) });
  recovered.invoice('final', 'INV-C5', 1_000, plusDays(now, -85), plusDays(now, -71), { status: 'open' });
  recovered.invoice('credit_note', 'CN-C3', 400, plusDays(now, -40), plusDays(now, -26), { status: 'open' });
  recovered.invoice('final', 'INV-C6', 250, plusDays(now, -7), plusDays(now, 7), { status: 'open' });
  const capped = CAP_CLIENTS.map((client) =>
    new ProjectBuilder({ projectId: `p-clients-${client.id}`, managerId: otherManager, client, intakeAt: plusDays(now, -200) }).invoice(
      'final',
      `INV-${client.id}`,
      client.spend,
      plusDays(now, -195),
      plusDays(now, -181),
      { status: 'open' },
    ),
  );
  for (const p of [before, first, second, theirs, quiet, credited, recovered, ...capped]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
}

/** The rows of the client spend table, cell by cell, as shown. */
const spendRows = (person: PersonPage): Promise<string[][]> => tableRows(person.page, 'table.client-spend');
/** The page's "Download CSV": the same figures, for the same period and filters. */
const csvDownload = (page: PersonPage['page']) => page.getByRole('link', { name: 'Download CSV' });
/** The line under the table saying some clients are left to the CSV. */
const leftToCsv = (person: PersonPage) => person.page.locator('#kpi-clients p', { hasText: 'biggest spenders' });
const totals = (person: PersonPage) => person.page.locator('ul.money-totals li').allTextContents();

/** The report the page asked for, read in the page (its own period, in the reader's days). */
async function reportOnPage(person: PersonPage): Promise<KpiReport> {
  const address = await csvDownload(person.page).getAttribute('href');
  const query = address!.slice(address!.indexOf('?'));
  return (await person.page.evaluate(async (q) => (await fetch(`/api/reports/kpis${q}`)).json(), query)) as KpiReport;
}

step('leadership reads each client\u2019s spend as the report gives it, the biggest first, with the totals above', async () => {
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${PERIOD.from}&to=${PERIOD.to}`);
  const { page } = person;
  const report = await reportOnPage(person);
  expect(report.clients.spend.byClient.map((c) => [c.clientId, c.spend, c.previousSpend, c.growth, c.projects, c.previousProjects])).toEqual([
    ['contoso', -300, 0, null, 0, 0],
    ['fabrikam', 250, -400, null, 0, 0],
    ['initech', 0, 0, null, 1, 0],
    ['nordsee', 500, 0, null, 1, 0],
    ['northwind', 2_500, 1_000, 1.5, 2, 1],
  ]);
  expect(await spendRows(person)).toEqual([
    ['Northwind Traders (B2B)', '€2,500.00', '€1,000.00', '+150%', '2 / 1'],
    [`${LONG_CLIENT} (B2C)`, '€500.00', '€0.00', 'new', '1 / 0'],
    ['Fabrikam (B2B)', '€250.00', '\u2212€400.00', '—', '0 / 0'],
    ['Initech (B2B)', '€0.00', '€0.00', '—', '1 / 0'],
    ['Contoso (B2B)', '\u2212€300.00', '€0.00', '—', '0 / 0'],
  ]);
  expect(await page.locator('ul.client-spend-totals li').allTextContents()).toEqual(['All clients (EUR): €2,950.00, previous period €600.00 (+391.7%)']);
  // A spend of 0 leads nowhere; the others, a net credit too, to their invoices.
  expect(await page.locator('table.client-spend td a').evaluateAll((links) => links.map((a) => a.getAttribute('aria-label')))).toEqual([
    'Northwind Traders, spend this period: €2,500.00',
    `${LONG_CLIENT}, spend this period: €500.00`,
    'Fabrikam, spend this period: €250.00',
    'Contoso, spend this period: \u2212€300.00',
  ]);
  // Five clients: all of them drawn, none left to the CSV.
  expect(await leftToCsv(person).count()).toBe(0);
  // At a desk the table fits its half of the page: growth and projects in sight, a long name wrapped.
  expect(await page.locator('.table-wrap:has(table.client-spend)').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth)).toBe(0);
  await page.locator('#kpi-clients').screenshot({ path: `${SCREENSHOT_DIR}/99h-kpi-clients-desktop.png` });
});

step('a client\u2019s spend leads to the invoices it is made of, whose net is the spend, and back to the KPIs with the same period', async () => {
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${PERIOD.from}&to=${PERIOD.to}`);
  const { page } = person;
  await page.getByRole('link', { name: `${LONG_CLIENT}, spend this period: €500.00` }).click();
  await page.waitForURL(/\/kpis\/money\?/);
  expect([...new URL(page.url()).searchParams]).toEqual([
    ['from', PERIOD.from],
    ['to', PERIOD.to],
    ['flow', 'invoiced'],
    ['currency', 'EUR'],
    ['clientId', 'nordsee'],
  ]);
  await page.getByRole('heading', { level: 1, name: `Invoices, voids and credit notes, ${LONG_CLIENT}: 2` }).waitFor();
  expect((await tableRows(page, 'table.kpi-money')).map((r) => [r[0], r[1], r[3], r[4]])).toEqual([
    ['CN-C1', 'Credit note', '€100.00', `${LONG_CLIENT} (B2C)`],
    ['INV-C3', 'Invoice', '€600.00', `${LONG_CLIENT} (B2C)`],
  ]);
  // What is open on each, said the way it goes: the client owes the invoice; the credit note is a refund the agency owes.
  expect((await tableRows(page, 'table.kpi-money')).map((r) => r[7]?.replace(/^.*, /, ''))).toEqual(['€100.00 to refund', '€600.00 owed']);
  // The list's net is the client's spend in the table.
  expect(await totals(person)).toEqual(['Invoiced €600.00, less €100.00 credited: €500.00 net.']);
  await shootDeskAndNarrowPhone(portal(), page, '99h-kpi-money-by-client');
  await page.getByRole('link', { name: 'Back to the KPIs' }).click();
  await page.waitForURL(/\/kpis(\?.*)?$/);
  await page.locator('table.client-spend').waitFor();
  expect([await page.locator('#kpi-from').inputValue(), await page.locator('#kpi-to').inputValue()]).toEqual([PERIOD.from, PERIOD.to]);

  await page.getByRole('link', { name: 'Northwind Traders, spend this period: €2,500.00' }).click();
  await page.getByRole('heading', { level: 1, name: 'Invoices, voids and credit notes, Northwind Traders: 2' }).waitFor();
  expect(await totals(person)).toEqual(['Invoiced €2,500.00, nothing voided or credited.']);
});

step('a client\u2019s name, in the spend table and among the regular clients, leads to their projects in the portfolio', async () => {
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${PERIOD.from}&to=${PERIOD.to}`);
  const { page } = person;
  const regular = page.locator('#kpi-clients h3:text-is("Regular clients") + ul');
  expect(await regular.locator('li').allTextContents()).toEqual(['Northwind Traders (B2B): 2 projects']);
  await regular.getByRole('link', { name: 'Northwind Traders' }).click();
  await page.waitForURL(/\/projects\?client=northwind&finished=shown$/);
  const titles = () => page.locator('li.project-card .project-title').allTextContents();
  await page.locator('li.project-card', { hasText: 'Project p-clients-second' }).waitFor();
  expect((await titles()).sort()).toEqual(['Project p-clients-before', 'Project p-clients-first', 'Project p-clients-second']);
  expect(await page.locator('.portfolio-narrowed').textContent()).toContain('Projects of Northwind Traders: 3 projects.');

  await page.goBack();
  await page.locator('table.client-spend').getByRole('link', { name: LONG_CLIENT, exact: true }).click();
  await page.waitForURL(/\/projects\?client=nordsee&finished=shown$/);
  await page.locator('li.project-card', { hasText: 'Project p-clients-theirs' }).waitFor();
  expect(await titles()).toEqual(['Project p-clients-theirs']);
});

step('a manager sees their own clients\u2019 spend only, and follows it to their own invoices', async () => {
  const person = await openKpis('manager', DESKTOP, `/kpis?from=${PERIOD.from}&to=${PERIOD.to}`);
  const { page } = person;
  expect(await spendRows(person)).toEqual([['Northwind Traders (B2B)', '€2,500.00', '€1,000.00', '+150%', '2 / 1']]);
  await page.getByRole('link', { name: 'Northwind Traders, spend this period: €2,500.00' }).click();
  await page.getByRole('heading', { level: 1, name: 'Invoices, voids and credit notes, Northwind Traders: 2' }).waitFor();
  expect(await page.locator('.page-sub').textContent()).toContain('your projects');
  expect(await totals(person)).toEqual(['Invoiced €2,500.00, nothing voided or credited.']);
});

step('on a 320 px phone each client is a card, nothing wider than the page, and the spend still leads to the invoices', async () => {
  const person = await openKpis('leadership', NARROW_PHONE, `/kpis?from=${PERIOD.from}&to=${PERIOD.to}`);
  const { page } = person;
  await page.locator('table.client-spend').waitFor();
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  const cellsBeyondTheScreen = `[...document.querySelectorAll('table.client-spend tbody th, table.client-spend tbody td')]
    .filter((cell) => cell.getBoundingClientRect().right > document.documentElement.clientWidth).length`;
  expect(await page.evaluate<number>(cellsBeyondTheScreen)).toBe(0);
  await page.locator('#kpi-clients').screenshot({ path: `${SCREENSHOT_DIR}/99h-kpi-clients-phone-320.png` });
  await page.getByRole('link', { name: 'Northwind Traders, spend this period: €2,500.00' }).click();
  await page.getByRole('heading', { level: 1, name: 'Invoices, voids and credit notes, Northwind Traders: 2' }).waitFor();
});

step('with 21 clients in a currency the table draws the 20 biggest, and says the last is in the CSV, which has it', async () => {
  const person = await openKpis('leadership', DESKTOP, `/kpis?from=${CAP_PERIOD.from}&to=${CAP_PERIOD.to}`);
  const { page } = person;
  const biggestTwenty = CAP_CLIENTS.slice(1).reverse();
  expect((await spendRows(person)).map((row) => [row[0], row[1]])).toEqual(biggestTwenty.map((c) => [`${c.name} (B2B)`, `€${c.spend.toLocaleString('en-US')}.00`]));
  expect(await leftToCsv(person).textContent()).toBe('The 20 biggest spenders in each currency are shown; 1 more client is in the CSV.');
  // "the CSV" downloads it: the page's own CSV, of the same period and filters.
  const csvLink = leftToCsv(person).getByRole('link', { name: 'the CSV' });
  const address = (await csvDownload(page).getAttribute('href'))!;
  expect([await csvLink.getAttribute('href'), await csvLink.getAttribute('download')]).toEqual([address, await csvDownload(page).getAttribute('download')]);
  expect(new URL(address, portal().baseUrl).searchParams.get('from')).toMatch(new RegExp(`^${CAP_PERIOD.from}T`));
  // The CSV has all 21, the smallest too.
  const csv = await page.evaluate(async (a) => (await fetch(a)).text(), address);
  const spendInCsv = csv
    .split('\r\n')
    .map((line) => line.split(','))
    .filter(([section, figure]) => section === 'clients.spend.byClient' && figure === 'spend')
    .map((fields) => fields[6]);
  expect(spendInCsv.sort()).toEqual(CAP_CLIENTS.map((c) => c.id));
  await page.locator('#kpi-clients').screenshot({ path: `${SCREENSHOT_DIR}/99h-kpi-clients-capped-desktop.png` });
  await page.setViewportSize(NARROW_PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  await page.locator('#kpi-clients').screenshot({ path: `${SCREENSHOT_DIR}/99h-kpi-clients-capped-phone-320.png` });
});
