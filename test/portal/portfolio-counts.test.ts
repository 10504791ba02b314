/**
 * The portfolio's tiles and stage strip follow its search and its Client and Segment choices, in a
 * real headless Chromium: leadership types a few words (or picks a client, a segment) and the
 * tiles count the projects found — "1 Overdue projects" above the one project found, not the
 * agency's two — with a line beside them saying whose counts they are; cleared, the tiles count
 * the whole portfolio again. The report is asked with the list's own filters (the store's one rule).
 *
 * A card owing money either way gives the amount, as a card of work done does ("€650.00 open, was
 * due 1 Dec"): an unpaid prepayment the work waits for, a prepayment past due while the work goes
 * on, a refund the agency owes.
 *
 * Each card billed anything says where it stands in money, in one sentence: what it invoiced and
 * what the client paid, net, as the project list gives them ("€850.00 invoiced, €1,000.00 paid");
 * what is owed either way stays on its own line, never said twice. Nothing billed yet: no such line.
 *
 * The page reads the reporting store alone: the projects are published into the harness's store
 * as the workflows would publish them (no worker runs).
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import type { ProjectListItem } from '../../api/schemas';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, NARROW_PHONE, PHONE, shootDeskAndNarrowPhone, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the portfolio’s counts for a search, and the amounts on its cards');

let h: ApiHarness;
let portal: Portal;
let leader: PersonPage | undefined;

const DAY = 86_400_000;
/** 16:00 UTC `days` from now: late afternoon in Berlin, that same day there. */
const afternoon = (days: number): string => {
  const d = new Date(Date.now() + days * DAY);
  d.setUTCHours(16, 0, 0, 0);
  return d.toISOString();
};
/** An amount as the portal writes it (formatMoney, in the browser's en-GB locale). */
const shownMoney = (amount: number, currency: string) => new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);
/** A date as the portal's cards write it (the browser's en-GB locale, in Berlin). */
const shownDate = (iso: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'Europe/Berlin' }).format(new Date(iso));

const ACME = { id: 'client-pc-acme', name: 'ACME Co', segment: 'B2B' as const };
const TITLES = {
  posters: 'Harbour festival posters (design late, prepayment past due)',
  tour: 'Harbour tour flyer (waits for its prepayment)',
  catalogue: 'Spring catalogue (cancelled, a refund owed)',
  leaflets: 'Winter leaflets (copy late, a complaint open)',
  menu: 'Bakery menu (plan awaiting a decision)',
  signs: 'Garage signs (accepted, the bill past due)',
};
const PREPAYMENT_LATE_DUE = afternoon(-2);
const PREPAYMENT_WAITED_DUE = afternoon(5);
const REFUND_DUE = afternoon(4);
const BILL_DUE = afternoon(-3);

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const base = new Date(Date.now() - 10 * DAY).toISOString();
  const stamp = Date.now().toString(36);
  let n = 0;
  const project = (key: keyof typeof TITLES, client: { id: string; name: string; segment: 'B2B' | 'B2C' }, managerId = h.people.manager.id) => {
    const p = new ProjectBuilder({
      projectId: `p-pc-${key}-${stamp}`,
      managerId,
      client,
      intakeAt: new Date(Date.parse(base) + ++n * 60_000).toISOString(),
    });
    p.status.title = TITLES[key];
    p.status.desiredDeadline = afternoon(20);
    return p;
  };
  // ACME's posters: the design past due, and the prepayment (30 %) past due while the work goes on.
  const posters = project('posters', ACME)
    .submitPlan(plusDays(base, 1), [{ key: 'design', department: 'design', dueAt: afternoon(-1) }], { prepaymentPercent: 30 })
    .approve(plusDays(base, 2))
    .invoice('prepayment', `INV-PC-P-${stamp}`, 300, plusDays(base, 2), PREPAYMENT_LATE_DUE, { status: 'open' });
  posters.task('design').open(plusDays(base, 2)).claim('dima.design');
  // Another client's harbour tour, another manager's: nothing started, the prepayment not due yet.
  const tour = project('tour', { id: 'client-pc-bolt', name: 'Bolt & Nut', segment: 'B2B' }, h.people.otherManager.id)
    .submitPlan(plusDays(base, 1), [{ key: 'copy', department: 'copywriting', dueAt: afternoon(15) }], { prepaymentPercent: 30 })
    .approve(plusDays(base, 2))
    .invoice('prepayment', `INV-PC-T-${stamp}`, 450, plusDays(base, 2), PREPAYMENT_WAITED_DUE, { status: 'open' });
  tour.status.policy.startAfterPrepayment = true;
  tour.status.tasks = [];
  tour.tasks.clear();
  // A B2C client's catalogue, cancelled: the prepayment went beyond the work, €150.00 to refund.
  const catalogue = project('catalogue', { id: 'client-pc-mueller', name: 'Müller Möbel', segment: 'B2C' })
    .invoice('prepayment', `INV-PC-C-${stamp}`, 1_000, plusDays(base, 1), plusDays(base, 8), { status: 'open' })
    .pay(`INV-PC-C-${stamp}`, 1_000, plusDays(base, 2), 'bank-pc')
    .cancel(plusDays(base, 4))
    .invoice('credit_note', `CN-PC-C-${stamp}`, 150, plusDays(base, 4), REFUND_DUE, { status: 'open' });
  // ACME's leaflets: the copy past due, nobody took it; a complaint open.
  const leaflets = project('leaflets', ACME)
    .submitPlan(plusDays(base, 1), [{ key: 'copy', department: 'copywriting', dueAt: afternoon(-1) }])
    .approve(plusDays(base, 2));
  leaflets.task('copy').open(plusDays(base, 2));
  leaflets.complain(plusDays(base, 9));
  const menu = project('menu', { id: 'client-pc-bakery', name: 'Bäckerei Korn', segment: 'B2C' });
  menu.submitPlan(plusDays(base, 9), [{ key: 'layout', department: 'design', dueAt: afternoon(12) }]);
  // Accepted and billed, the bill past due.
  const signs = project('signs', { id: 'client-pc-garage', name: 'Autohaus Weber', segment: 'B2B' })
    .submitPlan(plusDays(base, 1), [{ key: 'signs', department: 'design', dueAt: afternoon(-5) }])
    .approve(plusDays(base, 2));
  signs.task('signs').deliver('dima.design', plusDays(base, 2), plusDays(base, 4));
  signs.toClientReview(plusDays(base, 4)).clientAccepts(plusDays(base, 5), 5);
  signs.invoice('final', `INV-PC-S-${stamp}`, 800, plusDays(base, 5), BILL_DUE, { status: 'open' });
  for (const p of [posters, tour, catalogue, leaflets, menu, signs]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  portal = await startPortal(h);
});

afterAll(async () => {
  if (leader) expect(unexpectedErrors(leader.errors)).toEqual([]);
  await portal?.close();
  await h?.close();
});

/** Every tile's count by its label (a label that names how many are past due read without it). */
async function tileCounts(page: PersonPage['page']): Promise<Record<string, number>> {
  const tiles = await page.locator('.tiles .tile').evaluateAll((all) =>
    all.map((el) => [el.querySelector('.tile-label')?.textContent ?? '', Number(el.querySelector('.tile-value')?.textContent)] as const),
  );
  return Object.fromEntries(tiles.map(([label, value]) => [label.replace(/, \d+ past due$/, ''), value]));
}

/** The stage strip's counts by stage name. */
async function stageCounts(page: PersonPage['page']): Promise<Record<string, number>> {
  const stages = await page.locator('.stage-strip li').evaluateAll((all) =>
    all.map((el) => [(el.firstChild?.textContent ?? '').trim(), Number(el.querySelector('.count')?.textContent)] as const),
  );
  return Object.fromEntries(stages);
}

/** The cards' group headings, in order ("In production 2"). */
const stageHeadings = (page: PersonPage['page']): Promise<string[]> =>
  page.locator('section.stage-column h2').evaluateAll((all) => all.map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim()));

const WHOLE = {
  'Active projects': 5,
  'Cancelled, money to settle': 1,
  'Overdue projects': 2,
  'Overdue tasks': 2,
  'Plans awaiting decision': 1,
  'Projects with an open complaint': 1,
  'Projects with a payment past due': 2,
  'Projects owing a refund': 1,
};

step('a search narrows the tiles and the stage strip to the projects it finds, and says so beside them; cleared, they count the whole portfolio again', async () => {
  leader = await portal.openAs('leadership', { startAt: '/projects' });
  const { page } = leader;
  await page.locator('li.project-card', { hasText: TITLES.menu }).waitFor();
  expect(await tileCounts(page)).toEqual(WHOLE);
  expect(await page.locator('.portfolio-counts-for').count()).toBe(0);

  // Two projects have "harbour" in their title: one past due with its prepayment late, one waiting.
  await page.locator('#portfolio-search').fill('harbour');
  await page.waitForURL(/\/projects\?q=harbour$/);
  const countsFor = page.locator('.portfolio-counts-for');
  await countsFor.waitFor();
  expect(await countsFor.textContent()).toBe('Counts for projects matching “harbour”');
  expect(await tileCounts(page)).toEqual({
    'Active projects': 2,
    'Cancelled, money to settle': 0,
    'Overdue projects': 1,
    'Overdue tasks': 1,
    'Plans awaiting decision': 0,
    'Projects with an open complaint': 0,
    'Projects with a payment past due': 1,
    'Projects owing a refund': 0,
  });
  // The tour waits for its prepayment: beside "In production", not counted in it (nothing has started).
  expect({ strip: await stageCounts(page), headings: await stageHeadings(page) }).toMatchObject({
    strip: { 'Waiting for the prepayment': 1, 'In production': 1, 'Awaiting approval': 0, Invoicing: 0, Cancelled: 0 },
    headings: ['Waiting for the prepayment 1', 'In production 1'],
  });
  // The tiles say whose counts they are to a screen reader too.
  expect(await page.locator('.tiles').getAttribute('aria-describedby')).toBe('portfolio-counts-for');
  // Each tile leads to its set among the projects found; the overdue tasks' to the overdue projects found.
  expect(await page.getByRole('link', { name: /^1 Overdue projects$/ }).getAttribute('href')).toBe('/projects?only=overdue&q=harbour');
  expect(await page.getByRole('link', { name: /^1 Overdue tasks$/ }).getAttribute('href')).toBe('/projects?only=overdue&q=harbour');
  expect(await page.getByRole('link', { name: /^1 Projects with a payment past due$/ }).getAttribute('href')).toBe('/projects?only=payments&q=harbour');
  await portal.screenshot(page, 'portfolio-search-counts');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await portal.screenshot(page, 'portfolio-search-counts-phone');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(DESKTOP);

  // The tile leads to the one overdue project found.
  await page.getByRole('link', { name: /^1 Overdue projects$/ }).click();
  await page.waitForURL(/\/projects\?only=overdue&q=harbour$/);
  await page.locator('.portfolio-narrowed', { hasText: 'Overdue projects matching “harbour”' }).waitFor();
  expect(await page.locator('li.project-card .project-title').allTextContents()).toEqual([TITLES.posters]);

  // Cleared: the agency's counts, and no line saying otherwise.
  await page.getByRole('link', { name: 'Show every project' }).click();
  await page.waitForURL(/\/projects$/);
  await countsFor.waitFor({ state: 'detached' });
  expect(await tileCounts(page)).toEqual(WHOLE);
  // Just before "In production", in the strip and among the cards; the tour's card there.
  const strip = await stageCounts(page);
  expect({
    strip,
    order: Object.keys(strip).slice(3, 5),
    headings: await stageHeadings(page),
    waiting: await page.locator('section.stage-column', { has: page.locator('#stage-prepayment') }).locator('li.project-card .project-title').allTextContents(),
  }).toMatchObject({
    strip: { 'Waiting for the prepayment': 1, 'In production': 2, 'Awaiting approval': 1, Invoicing: 1, Cancelled: 1 },
    order: ['Waiting for the prepayment', 'In production'],
    headings: ['Awaiting approval 1', 'Waiting for the prepayment 1', 'In production 2', 'Invoicing 1', 'Cancelled 1'],
    waiting: [TITLES.tour],
  });
  await shootDeskAndNarrowPhone(portal, page, 'portfolio-waiting-for-prepayment');
  expect(await page.getByRole('link', { name: /^2 Overdue tasks$/ }).getAttribute('href')).toBe('/late-work');

  // Typed and then cleared in the box itself: the same.
  await page.locator('#portfolio-search').fill('bakery');
  await countsFor.filter({ hasText: '“bakery”' }).waitFor();
  expect(await tileCounts(page)).toMatchObject({ 'Active projects': 1, 'Plans awaiting decision': 1, 'Overdue projects': 0 });
  await page.locator('#portfolio-search').fill('');
  await page.waitForURL(/\/projects$/);
  await countsFor.waitFor({ state: 'detached' });
  expect(await tileCounts(page)).toEqual(WHOLE);
});

step('the Client and Segment choices narrow the tiles the same way', async () => {
  const { page } = leader!;
  const countsFor = page.locator('.portfolio-counts-for');
  await page.locator(`#portfolio-client option[value="${ACME.id}"]`).waitFor({ state: 'attached' });
  await page.locator('#portfolio-client').selectOption(ACME.id);
  await countsFor.filter({ hasText: ACME.name }).waitFor();
  expect(await countsFor.textContent()).toBe(`Counts for projects of ${ACME.name}`);
  expect(await tileCounts(page)).toMatchObject({
    'Active projects': 2,
    'Overdue projects': 2,
    'Overdue tasks': 2,
    'Projects with an open complaint': 1,
    'Projects with a payment past due': 1,
    'Projects owing a refund': 0,
  });

  await page.locator('#portfolio-client').selectOption('');
  await page.locator('#portfolio-segment').selectOption('B2C');
  await countsFor.filter({ hasText: 'B2C' }).waitFor();
  expect(await tileCounts(page)).toMatchObject({
    'Active projects': 1,
    'Cancelled, money to settle': 1,
    'Projects owing a refund': 1,
    'Overdue projects': 0,
    'Projects with a payment past due': 0,
  });
  expect(await stageCounts(page)).toMatchObject({ 'Awaiting approval': 1, Cancelled: 1, 'In production': 0 });
  // None of them waits for a prepayment: no such line in the strip.
  expect(await stageCounts(page)).not.toHaveProperty(['Waiting for the prepayment']);
  await page.locator('#portfolio-segment').selectOption('');
  await countsFor.waitFor({ state: 'detached' });
  expect(await tileCounts(page)).toEqual(WHOLE);
});

step('a card owing money gives the amount: the prepayment the work waits for, a prepayment past due, a refund owed, a bill past due', async () => {
  const { page } = leader!;
  await page.goto(`${portal.baseUrl}/projects`);
  const card = (key: keyof typeof TITLES) => page.locator('li.project-card', { hasText: TITLES[key] });
  await card('catalogue').waitFor();

  // "Waits for the prepayment": how much, by when (not yet due).
  expect(await card('tour').locator('.money-owed').textContent()).toBe(`€450.00 open, due ${shownDate(PREPAYMENT_WAITED_DUE)}`);
  expect(await card('tour').locator('.money-owed').getAttribute('class')).toBe('money-owed');
  // "Payment past due" while the work goes on (the prepayment): the amount, in the warning's tone,
  // under the end of the work, as the bill of work done says it ("Garage signs").
  const late = card('posters').locator('.money-owed');
  expect(await late.textContent()).toBe(`€300.00 open, was due ${shownDate(PREPAYMENT_LATE_DUE)}`);
  expect(await late.getAttribute('class')).toBe('money-owed money-owed--late');
  // "Refund owed": how much the agency pays back, by when.
  expect(await card('catalogue').locator('.refund-owed').textContent()).toBe(`€150.00 to refund, due ${shownDate(REFUND_DUE)}`);
  await portal.screenshot(page, 'portfolio-card-amounts');
  expect(await accessibilityProblems(page)).toEqual([]);

  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await portal.screenshot(page, 'portfolio-card-amounts-phone');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(DESKTOP);
});

step('a card billed anything says what it invoiced and what was paid, as the project list gives them; what is owed is not said twice; nothing billed, no such line', async () => {
  const { page } = leader!;
  await page.goto(`${portal.baseUrl}/projects`);
  const card = (key: keyof typeof TITLES) => page.locator('li.project-card', { hasText: TITLES[key] });
  await card('catalogue').waitFor();
  const listed = (await h.http().get('/api/projects').query({ pageSize: 100 }).set(h.auth('leadership')).expect(200)).body as { items: ProjectListItem[] };
  const item = (key: keyof typeof TITLES) => {
    const found = listed.items.find((p) => p.title === TITLES[key]);
    if (!found) throw new Error(`${TITLES[key]} is not in the project list`);
    return found;
  };
  const billedLine = (key: keyof typeof TITLES) => `${shownMoney(item(key).invoiced, item(key).currency)} invoiced, ${shownMoney(item(key).paid, item(key).currency)} paid`;

  // The cancelled catalogue: €1,000.00 billed and paid, €150.00 credited back and still to refund.
  expect(billedLine('catalogue')).toBe('€850.00 invoiced, €1,000.00 paid');
  // Each card billed anything: one line, the list's figures; nothing billed yet (the leaflets, the menu): none.
  const lines = async (keys: (keyof typeof TITLES)[]) => Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await card(key).locator('.money-billed').allTextContents()])));
  expect([item('leaflets'), item('menu')].map((p) => [p.invoiced, p.paid])).toEqual([[0, 0], [0, 0]]);
  expect(await lines(['catalogue', 'posters', 'signs', 'tour', 'leaflets', 'menu'])).toEqual({
    catalogue: [billedLine('catalogue')],
    posters: [billedLine('posters')],
    signs: [billedLine('signs')],
    tour: [billedLine('tour')],
    leaflets: [],
    menu: [],
  });
  // What is owed stays on its own line, once: the refund, and the prepayment billed and still open.
  const times = async (key: keyof typeof TITLES, figure: string) => (await card(key).textContent())!.split(figure).length - 1;
  expect({ refund: await times('catalogue', '€150.00'), prepayment: await times('posters', '€300.00') }).toEqual({ refund: 1, prepayment: 2 });
  // Nothing billed: no amount anywhere on those cards.
  expect([await card('leaflets').textContent(), await card('menu').textContent()].filter((text) => text?.includes('€'))).toEqual([]);

  await card('catalogue').scrollIntoViewIfNeeded();
  await portal.screenshot(page, 'portfolio-card-billed', { fullPage: false });
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(NARROW_PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await card('catalogue').scrollIntoViewIfNeeded();
  await portal.screenshot(page, 'portfolio-card-billed-320', { fullPage: false });
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(DESKTOP);
});
