/**
 * The portal on an agency's first day, in a real headless Chromium: nothing made yet — no project,
 * task, invoice or rating (the harness's reporting store is a schema of its own, empty). Every page
 * of the top bar, as a manager, department staff and leadership, says in a sentence that nothing is
 * there yet and what comes first, draws no chart of zeros, writes no "NaN", "undefined", "Infinity"
 * or "0 of 0", shows no table of headers alone, and fits a 320 px phone. Then one project is
 * opened, with no plan yet: the manager's portfolio shows it waiting for its plan, leadership's
 * approvals say a plan is on its way, and staff still read where their work will come from.
 */
import type { Page } from 'playwright-core';
import { projectRequest, type PersonKey } from '../support/api';
import { browserTestOrSkip, DESKTOP, NARROW_PHONE, portalSuite, shootDeskAndNarrowPhone } from '../support/browser';

jest.setTimeout(300_000);
const step = browserTestOrSkip('the portal on its first day');
const suite = portalSuite();

/** Each role's pages from the top bar (and the lists behind the KPIs), as a new agency opens them. */
const PAGES: Record<'manager' | 'leadership' | 'designer', string[]> = {
  manager: ['/projects', '/review', '/late-work', '/projects/new', '/kpis', '/kpis/deliveries', '/kpis/workload', '/kpis/responses', '/kpis/feedback', '/kpis/money', '/settings/mail'],
  leadership: ['/approvals', '/projects', '/late-work', '/kpis', '/kpis/deliveries', '/kpis/workload', '/kpis/responses', '/kpis/feedback', '/kpis/money', '/targets', '/settings/mail'],
  designer: ['/inbox', '/inbox?view=mine', '/inbox?view=submitted', '/inbox?view=sent-back', '/inbox?view=coming-up', '/inbox?view=accepted', '/settings/mail'],
};

/** Words that are no figure: a sum divided by nothing, a field not there. */
const BROKEN = /\bNaN\b|\bundefined\b|\bnull\b|Infinity|\b0 of 0\b|median —/;

/** The page at `path`, once it has loaded what it shows. */
async function openPage(page: Page, path: string): Promise<void> {
  await page.goto(`${suite.portal().baseUrl}${path}`);
  await page.locator('main h1').waitFor();
  await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('.loading'));
}

/** What every page must be on the first day: plain words, no table of headers alone, no chart of zeros; at a desk and at 320 px. */
async function checkFirstDayPage(page: Page, who: PersonKey, path: string): Promise<void> {
  await openPage(page, path);
  const text = await page.locator('main').innerText();
  expect([path, text.match(BROKEN)?.[0]]).toEqual([path, undefined]);
  const headersAlone = await page.locator('main table').evaluateAll((tables) => tables.filter((t) => t.querySelectorAll('tbody tr').length === 0).length);
  expect([path, headersAlone]).toEqual([path, 0]);
  // Nothing counted yet: nothing drawn (a chart's axes over zeros read as data).
  expect([path, await page.locator('main figure svg').count()]).toEqual([path, 0]);
  await shootDeskAndNarrowPhone(suite.portal(), page, `first-run-${who}${path.replace(/[/?=]+/g, '-')}`);
}

/** What a page says in `selector`, its lines and paragraphs joined by a space; '' when there is no such thing on it. */
const textOf = async (page: Page, selector: string): Promise<string> =>
  (await page.locator(selector).count()) ? (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim() : '';

step('a manager on the first day: the portfolio says where projects come from, not filters and tiles at 0', async () => {
  const { page } = await suite.open('manager', '/');
  await page.waitForURL(/\/projects$/);
  await openPage(page, '/projects');
  expect({
    note: await textOf(page, '.portfolio-first-run'),
    firstProject: await textOf(page, '.portfolio-first-run a[href="/projects/new"]'),
    // No filters with nothing to find, no tiles and stages at 0, one button to the form.
    filtersShown: await page.locator('#portfolio-search').isVisible(),
    tilesAndStages: await page.locator('ul.tiles, ul.stage-strip').count(),
    newProjectButtons: await page.locator('main a.button[href="/projects/new"]').count(),
  }).toEqual({
    note: 'No projects yet. Each project starts from a client’s request: open it, write its plan, and once leadership approves the plan the departments get their tasks. Open your first project',
    firstProject: 'Open your first project',
    filtersShown: false,
    tilesAndStages: 0,
    newProjectButtons: 1,
  });
});

step('leadership on the first day: approvals say what comes there, the portfolio where projects come from', async () => {
  const { page } = await suite.open('leadership', '/');
  await page.waitForURL(/\/approvals$/);
  await openPage(page, '/approvals');
  const approvals = await textOf(page, 'main .empty');
  await openPage(page, '/projects');
  expect({ approvals, portfolio: await textOf(page, '.portfolio-first-run'), tilesAndStages: await page.locator('ul.tiles, ul.stage-strip').count() }).toEqual({
    approvals: 'No plan is waiting for a decision. A plan comes here when its manager sends it, for you to approve or send back before any work starts.',
    portfolio: 'No projects yet. A manager opens a project from a client’s request and writes its plan; the plan then waits for your decision under Approvals before any work starts.',
    tilesAndStages: 0,
  });
});

step('staff on the first day: the inbox says where their work will come from', async () => {
  const { page } = await suite.open('designer', '/');
  await page.waitForURL(/\/inbox$/);
  await openPage(page, '/inbox');
  expect(await textOf(page, 'main .empty')).toBe(
    'No open work in your department right now. A project’s tasks for your department come here once leadership approves its plan (under Coming up while they wait for other work or the client’s prepayment).',
  );
});

step('the KPIs on the first day: where the figures will come from, words instead of charts of zeros, no "0 of 0"', async () => {
  const { page } = await suite.open('manager', '/kpis');
  await openPage(page, '/kpis');
  const tiles = await page.locator('ul.tiles .tile').evaluateAll((lis) => lis.map((li) => (li as unknown as { innerText: string }).innerText.replace(/\s+/g, ' ').trim()));
  expect({
    note: await textOf(page, '.kpi-nothing-yet'),
    noteLink: await textOf(page, '.kpi-nothing-yet a[href="/projects/new"]'),
    header: await textOf(page, 'main header.page-header'),
    requests: await textOf(page, 'figure:has(#chart-requests-title)'),
    delivery: await textOf(page, 'figure:has(#chart-delivery-title)'),
    money: await textOf(page, 'figure:has(#chart-money-title)'),
    ratings: await textOf(page, 'figure:has(#chart-ratings-title)'),
    complaints: await textOf(page, '#kpi-clients > p'),
    inHand: await textOf(page, 'figure:has(#chart-workload-people-title)'),
    // One sentence per fact: by department and by manager say nothing the weekly charts have not.
    chartsSayingItAgain: await page.locator('#chart-ontime-departments-title, #chart-money-managers-title').count(),
    tiles,
  }).toEqual({
    note: 'Nothing to count yet: the figures start with the first client request opened as a project, and fill in as its plan, work and invoices follow. Open a project.',
    noteLink: 'Open a project',
    header: expect.not.stringContaining('no data yet'),
    requests: 'Requests received and first plans sent, per week No client request received and no first plan sent yet.',
    delivery: 'Tasks delivered per week: on time and late No task delivered yet.',
    money: 'Invoiced and paid per week (EUR) Nothing invoiced or paid yet.',
    ratings: 'Client ratings No client has rated the work yet.',
    complaints: 'No complaints in the period.',
    inHand: 'Hours in work per person Nobody has work in hand yet.',
    chartsSayingItAgain: 0,
    tiles: [
      '— Median response time (request to first plan) no first plan; no request waiting for one',
      '— On-time delivery no task delivered',
      '— Reworked tasks no task accepted',
      // A count, as complaints are: none asked for is 0, never "0 of 0".
      '0 Rounds of changes the clients asked for none asked for in the period',
      '— Client rating no rating',
      '0 Complaints 0 still open',
      '0 Regular clients two or more projects',
    ],
  });
  const leader = await suite.open('leadership', '/kpis');
  await openPage(leader.page, '/kpis');
  expect(await textOf(leader.page, '.kpi-nothing-yet')).toBe(
    'Nothing to count yet: the figures start with the first client request opened as a project, and fill in as its plan, work and invoices follow. Managers open projects; their plans come to you under Approvals.',
  );
});

step('every page of every role on the first day: plain words, no table of headers alone, no chart of zeros, a 320 px phone', async () => {
  for (const [who, paths] of Object.entries(PAGES) as [keyof typeof PAGES, string[]][]) {
    const { page } = await suite.open(who, '/');
    for (const path of paths) await checkFirstDayPage(page, who, path);
  }
});

step('one project opened, no plan yet: each home says the next step', async () => {
  const h = suite.harness();
  await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: 'First campaign', departments: ['design'] })).expect(201);

  const manager = await suite.open('manager', '/projects');
  const card = manager.page.locator('.project-list li', { hasText: 'First campaign' });
  await card.waitFor();
  expect(await card.innerText()).toContain('No plan yet');
  expect(await manager.page.locator('.portfolio-first-run').count()).toBe(0);
  // The first project on a 320 px phone: before the filters, the eight tiles and the nine stages, whole on the first screen (and
  // met first by the keyboard and a screen reader); at a desk the tiles and the strip stay first. The tiles are still there, below it.
  const layout = () =>
    manager.page.evaluate<{ first: string; cardBottom: number; tilesShown: boolean }>(`(() => {
      const card = document.querySelector('.project-list li');
      const tiles = document.querySelector('ul.tiles');
      return {
        first: card.compareDocumentPosition(tiles) & Node.DOCUMENT_POSITION_FOLLOWING && card.compareDocumentPosition(document.getElementById('portfolio-search')) & Node.DOCUMENT_POSITION_FOLLOWING ? 'the project' : 'the tiles',
        cardBottom: Math.round(card.getBoundingClientRect().bottom + scrollY),
        tilesShown: tiles.getBoundingClientRect().height > 0 && document.querySelector('ul.stage-strip').getBoundingClientRect().height > 0,
      };
    })()`);
  // The page follows the window's width once the browser says it changed (a re-render later): given a moment to.
  const settled = (state: 'attached' | 'detached') => manager.page.locator('.stages--first').waitFor({ state, timeout: 5_000 }).catch(() => undefined);
  await manager.page.setViewportSize(NARROW_PHONE);
  await settled('attached');
  const onPhone = await layout();
  expect({ first: onPhone.first, onFirstScreen: onPhone.cardBottom <= NARROW_PHONE.height, tilesShown: onPhone.tilesShown }).toEqual({ first: 'the project', onFirstScreen: true, tilesShown: true });
  await manager.page.setViewportSize(DESKTOP);
  await settled('detached');
  expect((await layout()).first).toBe('the tiles');
  await shootDeskAndNarrowPhone(suite.portal(), manager.page, 'first-run-second-manager-projects');
  await openPage(manager.page, '/kpis');
  expect(await manager.page.locator('.kpi-nothing-yet').count()).toBe(0);
  expect(await manager.page.locator('ul.tiles').innerText()).toContain('1 request still without one');
  await shootDeskAndNarrowPhone(suite.portal(), manager.page, 'first-run-second-manager-kpis');

  const leader = await suite.open('leadership', '/approvals');
  await leader.page.getByText('One project is still being planned').waitFor({ timeout: 10_000 });
  expect(await leader.page.locator('main .empty').getByRole('link', { name: 'Portfolio' }).getAttribute('href')).toBe('/projects');
  await shootDeskAndNarrowPhone(suite.portal(), leader.page, 'first-run-second-leadership-approvals');

  const designer = await suite.open('designer', '/inbox');
  await designer.page.locator('main .empty').waitFor();
  expect(await designer.page.locator('main .empty').innerText()).toContain('once leadership approves its plan');
  await shootDeskAndNarrowPhone(suite.portal(), designer.page, 'first-run-second-designer-inbox');
});
