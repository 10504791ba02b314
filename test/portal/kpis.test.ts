/**
 * The KPI dashboard with money in more than one currency, in a real headless Chromium: money is
 * never converted, so each currency the period saw gets its own section and charts. The figures
 * come from the reporting store alone, so the projects are published into the harness's store
 * as the workflows would publish them (no worker runs).
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the KPI dashboard in several currencies');

let h: ApiHarness;
let portal: Portal;
let leader: PersonPage;

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const day = 86_400_000;
  const lastWeek = new Date(Date.now() - 7 * day).toISOString();
  const yesterday = new Date(Date.now() - day).toISOString();
  const paidProject = (projectId: string, currency: string, amount: number) =>
    new ProjectBuilder({ projectId, managerId: h.people.manager.id, client: { id: `client-${projectId}`, name: `Client ${currency}`, segment: 'B2B' }, intakeAt: lastWeek, currency })
      .invoice('final', `INV-${projectId}`, amount, lastWeek, plusDays(lastWeek, 14))
      .pay(`INV-${projectId}`, amount, yesterday, `bank ${projectId}`);
  for (const p of [paidProject('p-kpi-eur', 'EUR', 1_200), paidProject('p-kpi-usd', 'USD', 900)]) {
    for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  }
  portal = await startPortal(h);
});

afterAll(async () => {
  if (leader) expect(unexpectedErrors(leader.errors)).toEqual([]);
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
