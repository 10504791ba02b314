/**
 * Someone overloaded who no longer moves their work on, in a real headless Chromium: the KPI page's
 * "Overloaded" names a designer who left, someone now in leadership and someone now an account
 * manager, each with the words why beside their name (the portfolio's and the digests' words), so
 * leadership does not plan around them; their name leads to their tasks in work, where the work in
 * hand says so too and that the tasks wait until each is reassigned — overloaded or not (from its page
 * or, leadership too since 2026-12-07, all at once there). Department
 * staff overloaded read as before; with the people directory not read yet, nobody reads as gone.
 * The figures come from the reporting store alone: projects are published as the workflows would;
 * the directory is the harness's, which never had the two who left.
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import type { ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, holdReads, kpiPortal, NARROW_PHONE, SCREENSHOT_DIR, shootDeskAndNarrowPhone, tableRows, type PersonPage } from '../support/browser';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the KPI page\u2019s overloaded people who are no longer here or no longer staff');

const OVERLOAD_HOURS = 25;
const { openKpis, open, harness, portal } = kpiPortal({ chartTitle: '#chart-workload-people-title', env: { WORKLOAD_OVERLOAD_HOURS: String(OVERLOAD_HOURS) }, seed: publishFigures });

/** Left the agency: no longer in the directory. 40 h in work. */
const GONE_DESIGNER = 'anton.left';
/** Left too, with 5 h in work: not overloaded. */
const GONE_LIGHT = 'vera.left';
/** In the directory in leadership, and as a manager: 30 h in work each. */
const NOW_LEADERSHIP = 'lena.director';
const NOW_MANAGER = 'anna.manager';
/** Department staff, 30 h in work. */
const DESIGNER = 'dima.design';

async function publishFigures(h: ApiHarness): Promise<void> {
  const now = new Date().toISOString();
  const project = new ProjectBuilder({ projectId: 'p-overload-gone', managerId: h.people.manager.id, client: { id: 'northwind', name: 'Northwind Traders', segment: 'B2B' }, intakeAt: plusDays(now, -20) });
  const holders = [
    ['left-1', GONE_DESIGNER, 20],
    ['left-2', GONE_DESIGNER, 20],
    ['left-light', GONE_LIGHT, 5],
    ['lead', NOW_LEADERSHIP, 30],
    ['manager', NOW_MANAGER, 30],
    ['staff', DESIGNER, 30],
  ] as const;
  project.submitPlan(
    plusDays(now, -19),
    holders.map(([key, , estimateHours]) => ({ key, department: 'design' as const, dueAt: plusDays(now, 5), estimateHours })),
  );
  project.approve(plusDays(now, -18));
  for (const [key, holder] of holders) project.task(key).open(plusDays(now, -18)).claim(holder);
  for (const snapshot of project.publishAll()) await h.reporting.publish(snapshot);
}

const nameOf = (id: string) => harness().directory.get(id)!.name;
const overloadedLine = (page: PersonPage['page']) => page.locator('#kpi-workload p.kpi-overloaded');

step('the KPI page marks the overloaded no longer here or no longer staff, in the portfolio\u2019s words, each name leading to their tasks in work', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  await overloadedLine(page).locator('a', { hasText: GONE_DESIGNER }).waitFor();
  expect(await overloadedLine(page).textContent()).toBe(
    `Overloaded ${nameOf(NOW_MANAGER)} (now an account manager), ${GONE_DESIGNER} (no longer here), ${nameOf(DESIGNER)}, ${nameOf(NOW_LEADERSHIP)} (now in leadership). ` +
      'Someone no longer here, or no longer department staff, keeps their tasks in work until each is reassigned: their name leads to those tasks.',
  );
  // The chart's words for a screen reader say the same.
  expect(await page.locator('#chart-workload-people-desc').textContent()).toContain(
    `4 overloaded above ${OVERLOAD_HOURS} h: ${nameOf(NOW_MANAGER)} (now an account manager), ${GONE_DESIGNER} (no longer here), ${nameOf(DESIGNER)}, ${nameOf(NOW_LEADERSHIP)} (now in leadership).`,
  );
  // In the report's order (by id); each name leads to that person's tasks in work.
  const links = await overloadedLine(page).locator('a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  expect(links.map(([text, href]) => [text, new URL(href!, portal().baseUrl).searchParams.get('assignee')])).toEqual([
    [nameOf(NOW_MANAGER), NOW_MANAGER],
    [GONE_DESIGNER, GONE_DESIGNER],
    [nameOf(DESIGNER), DESIGNER],
    [nameOf(NOW_LEADERSHIP), NOW_LEADERSHIP],
  ]);
  await shootDeskAndNarrowPhone(portal(), page, '99w-o-kpi-overloaded-gone');
  await page.setViewportSize(NARROW_PHONE);
  await page.locator('#kpi-workload').screenshot({ path: `${SCREENSHOT_DIR}/99w-o-kpi-overloaded-gone-section-phone-320.png` });
  await page.setViewportSize(DESKTOP);
});

step('with the people directory not read yet, nobody overloaded reads as gone', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  const release = await holdReads(page, (path) => path === '/api/people');
  await page.reload();
  await overloadedLine(page).locator('a', { hasText: GONE_DESIGNER }).waitFor();
  expect(await overloadedLine(page).textContent()).toBe(`Overloaded ${NOW_MANAGER}, ${GONE_DESIGNER}, ${DESIGNER}, ${NOW_LEADERSHIP}`);
  await release();
  await overloadedLine(page).getByText('(no longer here)').waitFor();
});

step('the work in hand of someone overloaded who left says so, and that their tasks wait to be reassigned; staff overloaded read as before', async () => {
  const person = await openKpis('leadership');
  const { page } = person;
  await overloadedLine(page).getByRole('link', { name: GONE_DESIGNER, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `In work \u2014 ${GONE_DESIGNER}` }).waitFor();
  expect(await page.locator('.workload-overload').textContent()).toBe(
    `Overloaded ${GONE_DESIGNER} (no longer here) has 40 h in work, above the overload threshold of ${OVERLOAD_HOURS} h. Their tasks wait until each is reassigned, from its page or all at once below.`,
  );
  expect((await tableRows(page, 'table.kpi-workload')).map((r) => [r[0], r[4]])).toEqual([
    ['design left-1', GONE_DESIGNER],
    ['design left-2', GONE_DESIGNER],
  ]);
  await shootDeskAndNarrowPhone(portal(), page, '99w-o-workload-overloaded-gone');

  await page.goBack();
  await overloadedLine(page).getByRole('link', { name: nameOf(NOW_MANAGER), exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `In work \u2014 ${nameOf(NOW_MANAGER)}` }).waitFor();
  expect(await page.locator('.workload-overload').textContent()).toBe(
    `Overloaded ${nameOf(NOW_MANAGER)} (now an account manager) has 30 h in work, above the overload threshold of ${OVERLOAD_HOURS} h. Their tasks wait until each is reassigned, from its page or all at once below.`,
  );

  await page.goBack();
  await overloadedLine(page).getByRole('link', { name: nameOf(DESIGNER), exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `In work \u2014 ${nameOf(DESIGNER)}` }).waitFor();
  expect(await page.locator('.workload-overload').textContent()).toBe(`Overloaded ${nameOf(DESIGNER)} has 30 h in work, above the overload threshold of ${OVERLOAD_HOURS} h.`);
  expect(await page.locator('.workload-holder-gone').count()).toBe(0);
});

step('the work in hand of someone who left, not overloaded, still says their tasks wait to be reassigned', async () => {
  const { page } = await open('leadership', `/kpis/workload?assignee=${GONE_LIGHT}&state=in_work`);
  await page.getByRole('heading', { level: 1, name: `In work \u2014 ${GONE_LIGHT}` }).waitFor();
  await page.locator('table.kpi-workload').waitFor();
  await page.locator('.workload-holder-gone').waitFor();
  expect(await page.locator('.workload-holder-gone').textContent()).toBe(`${GONE_LIGHT} is no longer here. Their tasks wait until each is reassigned, from its page or all at once below.`);
  expect(await page.locator('.workload-overload').count()).toBe(0);
  await shootDeskAndNarrowPhone(portal(), page, '99w-o-workload-gone-not-overloaded');
});
