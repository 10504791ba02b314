/**
 * The KPI dashboard with money in more than one currency, in a real headless Chromium: money is
 * never converted, so each currency the period saw gets its own section and charts. The figures
 * come from the reporting store alone, so the projects are published into the harness's store
 * as the workflows would publish them (no worker runs). An invoice past due for less than a day
 * says so, not "0 days overdue". A sales target typed with a comma as the decimal mark is stored
 * as that decimal; one that is not an amount is refused at its field.
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the KPI dashboard in several currencies');

let h: ApiHarness;
let portal: Portal;
let leader: PersonPage;
let planner: PersonPage;

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const day = 86_400_000;
  const lastWeek = new Date(Date.now() - 7 * day).toISOString();
  const yesterday = new Date(Date.now() - day).toISOString();
  const paidProject = (projectId: string, currency: string, amount: number) =>
    new ProjectBuilder({ projectId, managerId: h.people.manager.id, client: { id: `client-${projectId}`, name: `Client ${currency}`, segment: 'B2B' }, intakeAt: lastWeek, currency })
      .invoice('final', `INV-${projectId}`, amount, lastWeek, plusDays(lastWeek, 14))
      .pay(`INV-${projectId}`, amount, yesterday, `bank ${projectId}`);
  // Unpaid invoices of another manager's project, past due by hours, by a day and a bit, by two and a half days.
  const hour = 3_600_000;
  const pastDue = (ms: number) => new Date(Date.now() - ms).toISOString();
  const unpaid = (projectId: string) =>
    new ProjectBuilder({ projectId, managerId: h.people.otherManager.id, client: { id: 'client-late', name: 'Late Payer', segment: 'B2B' }, intakeAt: lastWeek });
  const late = [
    unpaid('p-kpi-late').invoice('prepayment', 'INV-LATE-HOURS', 100, lastWeek, pastDue(3 * hour)).invoice('final', 'INV-LATE-DAYS', 300, lastWeek, pastDue(60 * hour)),
    unpaid('p-kpi-late-2').invoice('final', 'INV-LATE-DAY', 200, lastWeek, pastDue(30 * hour)),
  ];
  for (const p of [paidProject('p-kpi-eur', 'EUR', 1_200), paidProject('p-kpi-usd', 'USD', 900), ...late]) {
    for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  }
  portal = await startPortal(h);
});

afterAll(async () => {
  if (leader) expect(unexpectedErrors(leader.errors)).toEqual([]);
  // The refused target was refused at its field: no 400 came back from the API.
  if (planner) expect(unexpectedErrors(planner.errors)).toEqual([]);
  await portal?.close();
  await h?.close();
});

step('each currency has its own money section, with its own figures', async () => {
  leader = await portal.openAs('leadership', { startAt: '/kpis' });
  const { page } = leader;
  await page.getByRole('heading', { name: 'KPIs' }).waitFor();
  const eur = page.locator('#kpi-money');
  const usd = page.locator('#kpi-money-USD');
  await eur.getByRole('heading', { name: 'Money (EUR)' }).waitFor();
  await usd.getByRole('heading', { name: 'Money (USD)' }).waitFor();
  expect(await page.locator('section[id^="kpi-money"]').count()).toBe(2);
  // Each section's per-manager table holds only its own currency's amounts.
  expect(await eur.locator('#chart-money-managers-table').textContent()).toContain('€1,200.00');
  expect(await usd.locator('#chart-money-managers-USD-table').textContent()).toContain('$900.00');
  expect(await usd.locator('#chart-money-managers-USD-table').textContent()).not.toContain('€');
  await portal.screenshot(page, '30-kpis-two-currencies');
  expect(await accessibilityProblems(page)).toEqual([]);
});

step('an invoice past due since this morning reads "less than a day overdue", not "0 days"; later ones in whole days', async () => {
  const { page } = leader;
  const overdue = page.locator('#kpi-money li', { has: page.getByRole('link', { name: /^INV-LATE-/ }) });
  await overdue.first().waitFor();
  const badgeOf = async (number: string) => (await overdue.filter({ has: page.getByRole('link', { name: number, exact: true }) }).locator('.badge').textContent())?.trim();
  expect(await badgeOf('INV-LATE-HOURS')).toBe('less than a day overdue');
  expect(await badgeOf('INV-LATE-DAY')).toBe('1 day overdue');
  expect(await badgeOf('INV-LATE-DAYS')).toBe('2 days overdue');
  expect(await page.locator('#kpi-money').textContent()).not.toMatch(/\b0 days overdue/);
  await portal.screenshot(page, '30a-kpis-invoices-past-due');
});

step('a sales target of "1500,5" is stored as 1500.5; "12,5x" is refused at the amount, and nothing is sent', async () => {
  planner = await portal.openAs('leadership', { startAt: '/targets' });
  const { page } = planner;
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.method() !== 'GET') sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  const managerId = h.people.manager.id;
  const now = new Date();
  const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`; // the page's default period
  const stored = async () => (await h.http().get(`/api/reports/sales-targets?managerId=${managerId}&period=${quarter}`).set(h.auth('leadership')).expect(200)).body.items;
  const card = page.locator('li.target', { has: page.getByRole('heading', { name: h.directory.get(managerId)!.name }) });
  await card.getByText(`No target for ${quarter} yet.`).waitFor();
  const amount = page.locator(`#target-${managerId}-amount`);
  expect(await amount.getAttribute('inputmode')).toBe('decimal');

  await amount.fill('12,5x');
  await card.getByRole('button', { name: 'Set target' }).click();
  await page.locator(`#target-${managerId}-amount-error`).getByText(/not an amount/).waitFor();
  expect(await amount.getAttribute('aria-invalid')).toBe('true');
  await portal.screenshot(page, '30b-sales-target-not-an-amount');
  expect(await accessibilityProblems(page)).toEqual([]);
  expect(sent).toEqual([]);
  expect(await stored()).toEqual([]);

  await amount.fill('1500,5');
  await card.getByRole('button', { name: 'Set target' }).click();
  await card.getByText(/^Target €1,500\.50 · set by /).waitFor();
  expect(sent).toEqual([`PUT /api/reports/sales-targets/${managerId}/${quarter}`]);
  expect(await stored()).toEqual([expect.objectContaining({ managerId, period: quarter, amount: 1500.5, currency: 'EUR' })]);
});
