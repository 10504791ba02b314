/**
 * From the KPI page's "Regular clients" to all their projects at once, in a real headless
 * Chromium: under the list, "See their projects" opens the portfolio narrowed to those clients
 * together (finished projects shown, as a client's name leads to theirs), the filter said in words
 * with the clients' names, the cards only theirs; the client choice clears it like any filter. A
 * manager's KPI page leads to their own projects of their own regular clients. At a desk and on a
 * 320 px phone. The figures come from the reporting store alone: projects are published as the
 * workflows would.
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import type { ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, kpiPortal, NARROW_PHONE, SCREENSHOT_DIR, shootDeskAndNarrowPhone, type PersonPage } from '../support/browser';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the KPI page\u2019s regular clients, their projects together in the portfolio');

const { openKpis, portal } = kpiPortal({ chartTitle: '#chart-ratings-title', seed: publishProjects });

const northwind = { id: 'rc-northwind', name: 'Northwind Traders', segment: 'B2B' as const };
const contoso = { id: 'rc-contoso', name: 'Contoso', segment: 'B2B' as const };
const nordsee = { id: 'rc-nordsee', name: 'Nordsee Räucherei', segment: 'B2C' as const };
/** One project each in the period: not regular, never among the set's cards. */
const initech = { id: 'rc-initech', name: 'Initech', segment: 'B2B' as const };
const fabrikam = { id: 'rc-fabrikam', name: 'Fabrikam', segment: 'B2B' as const };
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
/** The page's period: the last 30 days. */
const KPIS = `/kpis?from=${day(29)}&to=${day(0)}`;

async function publishProjects(h: ApiHarness): Promise<void> {
  const now = new Date().toISOString();
  const manager = h.people.manager.id;
  const otherManager = h.people.otherManager.id;
  const project = (projectId: string, managerId: string, client: { id: string; name: string; segment: 'B2B' | 'B2C' }, daysAgo: number) => {
    return new ProjectBuilder({ projectId, managerId, client, intakeAt: plusDays(now, -daysAgo) });
  };
  // Northwind, ours: two projects this period, and one long before, completed (shown with the set).
  const older = project('rc-nw-older', manager, northwind, 60);
  older.complete(plusDays(now, -40));
  // Contoso, ours: two this period, one of them completed.
  const done = project('rc-co-done', manager, contoso, 25);
  done.complete(plusDays(now, -5));
  const projects = [
    older,
    project('rc-nw-1', manager, northwind, 20),
    project('rc-nw-2', manager, northwind, 10),
    done,
    project('rc-co-2', manager, contoso, 8),
    // Nordsee, the other manager's: two this period.
    project('rc-ns-1', otherManager, nordsee, 15),
    project('rc-ns-2', otherManager, nordsee, 6),
    project('rc-in-1', manager, initech, 4),
    project('rc-fa-1', otherManager, fabrikam, 3),
  ];
  for (const p of projects) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
}

const regularList = (person: PersonPage) => person.page.locator('#kpi-clients h3:text-is("Regular clients") + ul');
const cardTitles = async (person: PersonPage) => (await person.page.locator('li.project-card .project-title').allTextContents()).sort();
/** Each card's title is its project's (the builder's `Project <id>`). */
const titlesOf = (...ids: string[]) => ids.map((id) => `Project ${id}`).sort();

step('leadership follows "See their projects" from the regular clients to all their projects together, the filter in words, and clears it', async () => {
  const person = await openKpis('leadership', DESKTOP, KPIS);
  const { page } = person;
  expect(await regularList(person).locator('li').allTextContents()).toEqual(['Contoso (B2B): 2 projects', 'Nordsee Räucherei (B2C): 2 projects', 'Northwind Traders (B2B): 2 projects']);
  const together = page.locator('#kpi-clients').getByRole('link', { name: 'See the projects of these 3 clients together' });
  await page.locator('#kpi-clients').screenshot({ path: `${SCREENSHOT_DIR}/99r-kpi-regular-clients-desktop.png` });
  await together.click();
  // Each client once in the address, in the list's order; finished projects shown, as a name's link does.
  await page.waitForURL(/\/projects\?/);
  expect([...new URL(page.url()).searchParams]).toEqual([
    ['client', contoso.id],
    ['client', nordsee.id],
    ['client', northwind.id],
    ['finished', 'shown'],
  ]);
  const narrowed = page.locator('.portfolio-narrowed');
  await narrowed.filter({ hasText: '7 projects' }).waitFor();
  expect(await narrowed.textContent()).toContain('Projects of 3 clients: Contoso, Nordsee Räucherei and Northwind Traders: 7 projects.');
  expect(await cardTitles(person)).toEqual(titlesOf('rc-nw-older', 'rc-nw-1', 'rc-nw-2', 'rc-co-done', 'rc-co-2', 'rc-ns-1', 'rc-ns-2'));
  // The tiles count the same projects, and say so.
  expect(await page.locator('#portfolio-counts-for').textContent()).toBe('Counts for projects of 3 clients: Contoso, Nordsee Räucherei and Northwind Traders');
  // The client choice says the set is chosen.
  const choice = page.locator('#portfolio-client');
  expect(await choice.locator('option:checked').textContent()).toBe('These 3 clients');
  await shootDeskAndNarrowPhone(portal(), page, '99r-portfolio-regular-clients');

  // Cleared like any filter: every client again (the others' projects back among the cards).
  await choice.selectOption('');
  await page.waitForURL((url) => !url.searchParams.has('client'));
  await page.locator('li.project-card', { hasText: 'rc-in-1' }).waitFor();
  expect(await narrowed.count()).toBe(0);
  expect(await cardTitles(person)).toEqual(expect.arrayContaining(titlesOf('rc-in-1', 'rc-fa-1', 'rc-nw-1')));

  // Another client chosen replaces the set: that client alone, as before. (A filter changed
  // replaces the address, so back is the KPI page: its link again.)
  await page.goBack();
  await together.click();
  await narrowed.filter({ hasText: '7 projects' }).waitFor();
  await choice.selectOption(initech.id);
  await page.waitForURL((url) => url.searchParams.getAll('client').join() === initech.id);
  await narrowed.filter({ hasText: 'Projects of Initech: 1 project.' }).waitFor();
  expect(await cardTitles(person)).toEqual(titlesOf('rc-in-1'));
});

step('a manager\u2019s regular clients lead to their own projects of those clients, at a desk and on a 320 px phone', async () => {
  const person = await openKpis('manager', NARROW_PHONE, KPIS);
  const { page } = person;
  expect(await regularList(person).locator('li').allTextContents()).toEqual(['Contoso (B2B): 2 projects', 'Northwind Traders (B2B): 2 projects']);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
  await page.locator('#kpi-clients').screenshot({ path: `${SCREENSHOT_DIR}/99r-kpi-regular-clients-phone-320.png` });
  await page.locator('#kpi-clients').getByRole('link', { name: 'See the projects of these 2 clients together' }).click();
  await page.waitForURL(/\/projects\?/);
  const narrowed = page.locator('.portfolio-narrowed');
  await narrowed.filter({ hasText: '5 projects' }).waitFor();
  expect(await narrowed.textContent()).toContain('Projects of 2 clients: Contoso and Northwind Traders: 5 projects.');
  expect(await cardTitles(person)).toEqual(titlesOf('rc-nw-older', 'rc-nw-1', 'rc-nw-2', 'rc-co-done', 'rc-co-2'));
  await page.setViewportSize(DESKTOP);
  await shootDeskAndNarrowPhone(portal(), page, '99r-portfolio-regular-clients-manager');
  // "Show every project" clears it too.
  await page.getByRole('link', { name: 'Show every project' }).click();
  await page.waitForURL((url) => !url.searchParams.has('client'));
  await page.locator('li.project-card', { hasText: 'rc-in-1' }).waitFor();
  expect(await narrowed.count()).toBe(0);
});
