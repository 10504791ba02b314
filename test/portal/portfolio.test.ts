/**
 * The portfolio's cards against the date each client asked for, in a real headless Chromium:
 * leadership scanning the portfolio sees which projects' plans end after the client's date
 * ("Late for the client", with both dates in words and in its title) before that date comes, and
 * not for a plan ending in time, nor once the work is delivered and accepted. A project without an
 * approved plan gives the client's date as the client's wish, never as an end the plan has not
 * set. The rule is the API's (`endsAfterClientDate` on the project list); the cards only show it.
 * The cards read the reporting store alone, so the projects are published into the harness's store
 * as the workflows would publish them (no worker runs). On a phone the cards fit the screen.
 *
 * What is late and where (walk 6-B #6, #14): the tiles lead to their sets (overdue projects to the
 * portfolio narrowed to them, overdue tasks to the late work), overdue and late-for-the-client
 * projects come first in their stage, a stage's cards use the desktop's width, and the Manager
 * filter is kept in the address with "Hand over all" beside it. The approval card gives what the
 * client asked for (walk 6-B #8).
 *
 * What waits on the manager, and finding a project (walk 6-A #5, #6): a card says how many
 * deliveries wait for the manager's review (leading to the review queue), that a request has no
 * plan yet and for how long, and once the work is accepted the money still owed and by when
 * instead of the end of work already done. A search box (title or client, any case), the client
 * and the segment narrow the cards and stay in the address; a client's name on a card leads to all
 * of that client's projects, finished ones too. They are asked of the project list, not of the
 * cards drawn: a project older than the newest 500 the page draws is found, and the client choice
 * lists every client of the agency.
 */
import fs from 'node:fs';
import type { PortfolioReport } from '../../api/schemas';
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, NARROW_PHONE, PHONE, routeUntilStopped, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { csvRows } from '../support/csv';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the portfolio against the clients’ dates');

let h: ApiHarness;
let portal: Portal;
let leader: PersonPage | undefined;
let manager: PersonPage | undefined;

const DAY = 86_400_000;
/** 16:00 UTC `days` from now: late afternoon in Berlin (17:00 or 18:00), that same day there. */
const afternoon = (days: number): string => {
  const d = new Date(Date.now() + days * DAY);
  d.setUTCHours(16, 0, 0, 0);
  return d.toISOString();
};
const CLIENT_DATE = afternoon(20);
const LATE_END = afternoon(25);
const PLAN_LATE_END = afternoon(27);
const IN_TIME_END = afternoon(15);

/** A date as the portal's cards write it (the browser's en-GB locale, in Berlin). */
const shownDate = (iso: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'Europe/Berlin' }).format(new Date(iso));

const TITLES = {
  moved: 'Bakery relaunch (a task moved late)',
  plan: 'Florist site (plan ends late, waits for its prepayment)',
  inTime: 'Garage leaflets (in time)',
  noPlan: 'Dentist brochure (no plan yet)',
  accepted: 'Hotel menu (accepted, being invoiced)',
  lateClaimed: 'Cafe menu (design two days late, claimed)',
  lateOpen: 'Gym flyers (copy late, nobody took it; another manager)',
  awaiting: 'Spa brochure (plan awaiting a decision)',
  review: 'Print ads (two deliveries to review)',
  returning: 'Garage posters (an earlier project, completed)',
  twoUnpaid: 'Bistro signage (two invoices past due)',
};
/** A returning client: two projects. */
const GARAGE = { id: 'client-pf-garage', name: 'Autohaus Müller', segment: 'B2B' as const };
/** The client's final invoice: €1,400.00 billed, €750.00 paid, due three days ago. */
const OWED_DUE = afternoon(-3);
/** Longer than the approval card shows at first (280 characters). */
const LONG_BRIEF = `A brochure for the spa's spring season. ${'Calm photos, short texts, prices per treatment. '.repeat(7)}The last sentence of the brief.`;

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const base = new Date(Date.now() - 10 * DAY).toISOString();
  let n = 0;
  const project = (key: keyof typeof TITLES, managerId = h.people.manager.id, client?: { id: string; name: string; segment: 'B2B' | 'B2C' }) => {
    const i = ++n;
    const p = new ProjectBuilder({
      projectId: `p-pf-${key.toLowerCase()}-${Date.now().toString(36)}`,
      managerId,
      client: client ?? { id: `client-pf-${key.toLowerCase()}`, name: `Client ${i}`, segment: 'B2B' },
      intakeAt: new Date(Date.parse(base) + i * 60_000).toISOString(),
    });
    p.status.title = TITLES[key];
    p.status.desiredDeadline = CLIENT_DATE;
    return p;
  };
  // The oldest projects: work past due (so newest-first alone would put them last in their stage).
  const lateClaimed = project('lateClaimed')
    .submitPlan(plusDays(base, 1), [{ key: 'menu', department: 'design', dueAt: afternoon(-2) }])
    .approve(plusDays(base, 2));
  lateClaimed.task('menu').open(plusDays(base, 2)).claim('dima.design');
  const lateOpen = project('lateOpen', h.people.otherManager.id)
    .submitPlan(plusDays(base, 1), [{ key: 'flyer', department: 'copywriting', dueAt: new Date(Date.now() - 5 * 3_600_000).toISOString() }])
    .approve(plusDays(base, 2));
  lateOpen.task('flyer').open(plusDays(base, 2));
  // In production; the copy's due date then moved past the client's date.
  const moved = project('moved')
    .submitPlan(plusDays(base, 1), [
      { key: 'design', department: 'design', dueAt: afternoon(10) },
      { key: 'copy', department: 'copywriting', dueAt: afternoon(18) },
    ])
    .approve(plusDays(base, 2));
  moved.task('design').open(plusDays(base, 2)).claim('dima.design');
  moved.task('copy').moveDue(LATE_END, plusDays(base, 5));
  // Approved already ending after the client's date; nothing started, the prepayment unpaid.
  const plan = project('plan')
    .submitPlan(plusDays(base, 1), [{ key: 'design', department: 'design', dueAt: PLAN_LATE_END }], { prepaymentPercent: 30 })
    .approve(plusDays(base, 2))
    .invoice('prepayment', `INV-PF-${Date.now().toString(36)}`, 300, plusDays(base, 2), plusDays(base, 16), { status: 'open' });
  plan.status.policy.startAfterPrepayment = true;
  plan.status.tasks = [];
  plan.tasks.clear();
  // Two deliveries wait for the manager's review; a third task is still being worked on. Older
  // than "Garage leaflets", yet before it in its stage: it waits on the manager.
  const review = project('review')
    .submitPlan(plusDays(base, 1), ['a', 'b', 'c'].map((key) => ({ key, department: 'design' as const, dueAt: afternoon(12) })))
    .approve(plusDays(base, 2));
  review.task('a').open(plusDays(base, 2)).claim('dima.design').submit(plusDays(base, 5));
  review.task('b').open(plusDays(base, 2)).claim('dima.design').submit(plusDays(base, 6));
  review.task('c').open(plusDays(base, 2)).claim('dima.design');
  const inTime = project('inTime', h.people.manager.id, GARAGE)
    .submitPlan(plusDays(base, 1), [{ key: 'copy', department: 'copywriting', dueAt: IN_TIME_END }])
    .approve(plusDays(base, 2));
  const noPlan = project('noPlan', h.people.manager.id, { id: 'client-pf-dentist', name: 'Zahnarztpraxis Dr. Schön', segment: 'B2C' });
  noPlan.status.stage = 'intake';
  // Delivered late for the client, and accepted: what is left is money, nothing to warn about.
  const accepted = project('accepted')
    .submitPlan(plusDays(base, 1), [{ key: 'design', department: 'design', dueAt: LATE_END }])
    .approve(plusDays(base, 2));
  accepted.task('design').deliver('dima.design', plusDays(base, 2), plusDays(base, 8));
  accepted.toClientReview(plusDays(base, 8)).clientAccepts(plusDays(base, 9), 4);
  accepted.invoice('final', `INV-PF-F-${Date.now().toString(36)}`, 1400, plusDays(base, 9), OWED_DUE, { status: 'open' });
  accepted.pay(accepted.status.invoices[0].number, 750, plusDays(base, 9), 'part');
  // Accepted too, and neither of its two invoices paid, both past due: two invoices, one project.
  const twoUnpaid = project('twoUnpaid')
    .submitPlan(plusDays(base, 1), [{ key: 'signs', department: 'design', dueAt: afternoon(5) }])
    .approve(plusDays(base, 2));
  twoUnpaid.task('signs').deliver('dima.design', plusDays(base, 2), plusDays(base, 4));
  twoUnpaid.toClientReview(plusDays(base, 4)).clientAccepts(plusDays(base, 5), 5);
  const stamp = Date.now().toString(36);
  twoUnpaid
    .invoice('prepayment', `INV-PF-P2-${stamp}`, 300, plusDays(base, 2), afternoon(-6), { status: 'open' })
    .invoice('final', `INV-PF-F2-${stamp}`, 700, plusDays(base, 5), afternoon(-1), { status: 'open' });
  // The garage's earlier project, completed: the client came back for "Garage leaflets".
  const returning = project('returning', h.people.manager.id, GARAGE)
    .submitPlan(plusDays(base, 1), [{ key: 'posters', department: 'design', dueAt: plusDays(base, 3) }])
    .approve(plusDays(base, 1));
  returning.task('posters').deliver('dima.design', plusDays(base, 1), plusDays(base, 2), { acceptedAt: plusDays(base, 3) });
  returning.toClientReview(plusDays(base, 3)).clientAccepts(plusDays(base, 3), 5).complete(plusDays(base, 4));
  // Waiting for leadership: the client asked for SEO too, which the plan leaves out.
  const awaiting = project('awaiting');
  awaiting.status.brief = LONG_BRIEF;
  awaiting.status.departments = ['design', 'seo'];
  awaiting.submitPlan(plusDays(base, 9), [{ key: 'layout', department: 'design', dueAt: afternoon(12) }]);
  for (const p of [lateClaimed, lateOpen, moved, plan, inTime, noPlan, accepted, twoUnpaid, awaiting, review, returning]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  portal = await startPortal(h);
});

afterAll(async () => {
  if (leader) expect(unexpectedErrors(leader.errors)).toEqual([]);
  if (manager) expect(unexpectedErrors(manager.errors)).toEqual([]);
  await portal?.close();
  await h?.close();
});

test('the project list says which plans end after the client’s date, with both dates', async () => {
  const res = await h.http().get('/api/projects').set(h.auth('leadership')).expect(200);
  const byTitle = Object.fromEntries(
    (res.body.items as { title: string; clientDueAt?: string; plannedEndAt?: string; endsAfterClientDate: boolean }[]).map((p) => [
      p.title,
      { clientDueAt: p.clientDueAt, plannedEndAt: p.plannedEndAt, endsAfterClientDate: p.endsAfterClientDate },
    ]),
  );
  expect(byTitle).toEqual({
    [TITLES.moved]: { clientDueAt: CLIENT_DATE, plannedEndAt: LATE_END, endsAfterClientDate: true },
    [TITLES.plan]: { clientDueAt: CLIENT_DATE, plannedEndAt: PLAN_LATE_END, endsAfterClientDate: true },
    [TITLES.inTime]: { clientDueAt: CLIENT_DATE, plannedEndAt: IN_TIME_END, endsAfterClientDate: false },
    [TITLES.noPlan]: { clientDueAt: CLIENT_DATE, plannedEndAt: undefined, endsAfterClientDate: false },
    [TITLES.accepted]: { clientDueAt: CLIENT_DATE, plannedEndAt: LATE_END, endsAfterClientDate: false },
    [TITLES.lateClaimed]: { clientDueAt: CLIENT_DATE, plannedEndAt: afternoon(-2), endsAfterClientDate: false },
    [TITLES.lateOpen]: expect.objectContaining({ clientDueAt: CLIENT_DATE, endsAfterClientDate: false }),
    [TITLES.awaiting]: { clientDueAt: CLIENT_DATE, plannedEndAt: undefined, endsAfterClientDate: false },
    [TITLES.review]: { clientDueAt: CLIENT_DATE, plannedEndAt: afternoon(12), endsAfterClientDate: false },
    [TITLES.returning]: expect.objectContaining({ endsAfterClientDate: false }),
    [TITLES.twoUnpaid]: { clientDueAt: CLIENT_DATE, plannedEndAt: afternoon(5), endsAfterClientDate: false },
  });
});

step('leadership sees “Late for the client” with both dates on the cards of plans ending after the client’s date, and the client’s date as a wish where no plan has set an end', async () => {
  leader = await portal.openAs('leadership', { startAt: '/projects' });
  const { page } = leader;
  const card = (key: keyof typeof TITLES) => page.locator('li.project-card', { hasText: TITLES[key] });
  await card('moved').waitFor();
  const client = `client wants it by ${shownDate(CLIENT_DATE)}`;

  for (const [key, end] of [['moved', LATE_END], ['plan', PLAN_LATE_END]] as const) {
    const flag = card(key).locator('.badge', { hasText: 'Late for the client' });
    expect(await flag.count()).toBe(1);
    // Its title names the plan's end, how late that is, and the client's date.
    const title = await flag.getAttribute('title');
    expect(title).toContain(shownDate(end));
    expect(title).toContain(shownDate(CLIENT_DATE));
    expect(title).toMatch(/\b[57] days after the date the client asked for\b/);
    // The card itself says both (a phone has no tooltips).
    const text = await card(key).textContent();
    expect(text).toContain(`ends ${shownDate(end)}`);
    expect(text).toContain(client);
    // A forecast, not "Overdue": nothing is past due yet.
    expect(await card(key).locator('.badge', { hasText: 'Overdue' }).count()).toBe(0);
  }
  // The plan's end, not the client's date, even before its tasks start.
  expect(await card('plan').textContent()).toContain('Waits for the prepayment');

  // In time, or delivered and accepted: no flag, and no client's date beside the end.
  for (const key of ['inTime', 'accepted'] as const) {
    expect(await card(key).locator('.badge', { hasText: 'Late for the client' }).count()).toBe(0);
    expect(await card(key).textContent()).not.toContain('client wants it by');
  }
  expect(await card('inTime').textContent()).toContain(`ends ${shownDate(IN_TIME_END)}`);

  // No plan yet: the client's wish, no end.
  const noPlan = (await card('noPlan').textContent()) ?? '';
  expect(noPlan).toContain(client);
  expect(noPlan).not.toMatch(/\bends\b/);
  expect(await card('noPlan').locator('.badge', { hasText: 'Late for the client' }).count()).toBe(0);

  await portal.screenshot(page, 'portfolio-client-dates');
  expect(await accessibilityProblems(page)).toEqual([]);

  // On a phone: the cards, their flags and dates on the screen, nothing scrolling sideways.
  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  const offScreen = await page.locator('li.project-card .badge, li.project-card time').evaluateAll(
    (all, width: number) =>
      all.filter((el) => {
        const box = el.getBoundingClientRect();
        return box.left < 0 || box.right > width;
      }).map((el) => el.textContent),
    PHONE.width,
  );
  expect(offScreen).toEqual([]);
  await portal.screenshot(page, 'portfolio-client-dates-phone');
  expect(await accessibilityProblems(page)).toEqual([]);
});

step('the tiles lead to what they count, overdue and late-for-the-client projects come first, and a stage’s cards use the width', async () => {
  const { page } = leader!;
  await page.setViewportSize(DESKTOP);
  await page.goto(`${portal.baseUrl}/projects`);
  const card = (key: keyof typeof TITLES) => page.locator('li.project-card', { hasText: TITLES[key] });
  await card('lateOpen').waitFor();

  // Within "In production": work past due first, then plans ending after the client's date, then the rest.
  // The florist's work waits for its prepayment, nothing started: in a group of its own just before.
  const inProduction = page.locator('section.stage-column', { has: page.locator('#stage-in_production') });
  const waiting = page.locator('section.stage-column', { has: page.locator('#stage-prepayment') });
  expect({
    cards: await waiting.locator('li.project-card .project-title').allTextContents(),
    heading: await waiting.locator('h2').textContent(),
    next: await waiting.evaluate((el) => el.nextElementSibling?.querySelector('h2')?.id),
    inProduction: await inProduction.locator('h2').textContent(),
  }).toEqual({ cards: [TITLES.plan], heading: 'Waiting for the prepayment 1', next: 'stage-in_production', inProduction: 'In production 5' });
  expect(await inProduction.locator('li.project-card .project-title').allTextContents()).toEqual([
    TITLES.lateOpen,
    TITLES.lateClaimed,
    TITLES.moved,
    // Then what waits on the manager (deliveries to review), then the rest.
    TITLES.review,
    TITLES.inTime,
  ]);
  // Five cards on a 1280 px screen stand side by side, not in one narrow column.
  const lefts = await inProduction.locator('li.project-card').evaluateAll((all) => all.map((el) => Math.round(el.getBoundingClientRect().left)));
  expect(new Set(lefts).size).toBeGreaterThanOrEqual(3);
  await portal.screenshot(page, 'portfolio-desktop');

  // "2 Overdue projects" leads to the portfolio narrowed to them, in the address (a reload keeps it).
  await page.getByRole('link', { name: /^2 Overdue projects$/ }).click();
  await page.waitForURL(/\/projects\?only=overdue$/);
  const shownTitles = async () => (await page.locator('li.project-card .project-title').allTextContents()).sort();
  await page.locator('.portfolio-narrowed').waitFor();
  expect(await shownTitles()).toEqual([TITLES.lateClaimed, TITLES.lateOpen].sort());
  expect(await page.locator('.portfolio-narrowed').textContent()).toContain('Overdue projects: 2 projects');
  await page.reload();
  await card('lateOpen').waitFor();
  expect(await shownTitles()).toEqual([TITLES.lateClaimed, TITLES.lateOpen].sort());
  await portal.screenshot(page, 'portfolio-overdue-only');
  expect(await accessibilityProblems(page)).toEqual([]);

  // "2 Overdue tasks" leads to the late work.
  await page.getByRole('link', { name: 'Show every project' }).click();
  await page.getByRole('link', { name: /^2 Overdue tasks$/ }).click();
  await page.waitForURL(/\/late-work$/);
  await page.locator('h1', { hasText: 'Late work' }).waitFor();
});

step('the Manager filter is kept in the address, and “Hand over all” stands beside it', async () => {
  const { page } = leader!;
  await page.goto(`${portal.baseUrl}/projects`);
  await page.locator('li.project-card', { hasText: TITLES.lateOpen }).waitFor();
  const managerId = h.people.manager.id;
  await page.locator('#portfolio-manager').selectOption(managerId);
  await page.waitForURL(new RegExp(`/projects\\?manager=${managerId}$`));
  await page.reload();
  await page.locator('li.project-card', { hasText: TITLES.lateClaimed }).waitFor();
  expect(await page.locator('#portfolio-manager').inputValue()).toBe(managerId);
  // The other manager's project is not among theirs.
  expect(await page.locator('li.project-card', { hasText: TITLES.lateOpen }).count()).toBe(0);
  // Seen without scrolling past every card: above the stages.
  const handOver = page.locator('details summary', { hasText: 'Hand over all of' });
  const stages = page.locator('.stages');
  expect((await handOver.boundingBox())!.y).toBeLessThan((await stages.boundingBox())!.y);
  await portal.screenshot(page, 'portfolio-by-manager');

  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await portal.screenshot(page, 'portfolio-by-manager-phone');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(DESKTOP);
});

step('each card says what waits on its manager: deliveries to review, no plan yet and for how long, the money still owed and by when', async () => {
  manager = await portal.openAs('manager', { startAt: '/projects' });
  const { page } = manager;
  const card = (key: keyof typeof TITLES) => page.locator('li.project-card', { hasText: TITLES[key] });
  await card('review').waitFor();

  // Two deliveries: a link to the review queue, in words.
  const toReview = card('review').getByRole('link', { name: '2 deliveries to review' });
  expect(await toReview.getAttribute('href')).toBe('/review');
  // The request that came in ten days ago has no plan.
  expect(await card('noPlan').locator('.badge', { hasText: 'No plan yet' }).textContent()).toMatch(/^No plan yet · (1 w|\d+ d)$/);
  expect(await card('inTime').locator('.badge', { hasText: 'No plan yet' }).count()).toBe(0);
  // Accepted and invoiced: the money, past due, not the end of the work done.
  const money = card('accepted').locator('.money-owed');
  expect(await money.textContent()).toBe(`€650.00 open, was due ${shownDate(OWED_DUE)}`);
  expect(await money.getAttribute('class')).toContain('money-owed--late');
  expect(await card('accepted').textContent()).not.toMatch(/\bends\b/);
  await portal.screenshot(page, 'portfolio-waiting-on-manager');
  expect(await accessibilityProblems(page)).toEqual([]);

  // Leadership reads the same, without a queue of their own to go to.
  const leaderCard = leader!.page.locator('li.project-card', { hasText: TITLES.review });
  await leader!.page.goto(`${portal.baseUrl}/projects`);
  await leaderCard.waitFor();
  expect(await leaderCard.locator('.badge', { hasText: 'deliveries waiting for review' }).textContent()).toBe('2 deliveries waiting for review');
  expect(await leaderCard.getByRole('link', { name: '2 deliveries to review' }).count()).toBe(0);
});

step('the tile of payments past due counts what its set lists: projects, one of them with two invoices past due', async () => {
  const { page } = manager!;
  await page.goto(`${portal.baseUrl}/projects`);
  await page.locator('li.project-card', { hasText: TITLES.twoUnpaid }).waitFor();
  // Three invoices past due, on two projects: the report counts the projects.
  const report = (await h.http().get('/api/reports/portfolio').set(h.auth('manager')).expect(200)).body as PortfolioReport;
  expect(report.unpaidInvoicesPastDue.count).toBe(2);
  await page.locator('.tiles').scrollIntoViewIfNeeded();
  await portal.screenshot(page, 'portfolio-tiles', { fullPage: false });

  // The tile says projects, and leads to those two cards, in the same words.
  await page.getByRole('link', { name: /^2 Projects with a payment past due$/ }).click();
  await page.waitForURL(/\/projects\?only=payments$/);
  await page.locator('.portfolio-narrowed').waitFor();
  expect(await page.locator('.portfolio-narrowed').textContent()).toContain('Projects with a payment past due: 2 projects.');
  expect((await page.locator('li.project-card .project-title').allTextContents()).sort()).toEqual([TITLES.accepted, TITLES.twoUnpaid].sort());
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, 'portfolio-payments-past-due-phone');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(DESKTOP);
});

step('the manager’s menu counts the deliveries waiting for review, and the review queue’s heading says the same', async () => {
  const { page } = manager!;
  await page.goto(`${portal.baseUrl}/projects`);
  const menu = page.getByRole('navigation', { name: 'Main' });
  const entry = menu.getByRole('link', { name: 'Review queue, 2 waiting', exact: true });
  await entry.waitFor();
  expect(await entry.locator('.nav-count').textContent()).toBe('2');
  await portal.screenshot(page, 'menu-review-count', { fullPage: false });
  expect(await accessibilityProblems(page)).toEqual([]);

  await entry.click();
  await page.getByRole('heading', { level: 1, name: 'Review queue (2)', exact: true }).waitFor();
  await page.locator('li.review-card').first().waitFor();
  expect(await page.locator('li.review-card').count()).toBe(2);
  await portal.screenshot(page, 'review-queue-count', { fullPage: false });
  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await portal.screenshot(page, 'review-queue-count-phone', { fullPage: false });
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(DESKTOP);

  // Leadership reviews nothing: no such entry, no count.
  expect(await leader!.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Review queue/ }).count()).toBe(0);
});

step('a project is found by title or client as typed, by client and by segment, in the address; a client’s name leads to all of their projects', async () => {
  const { page } = manager!;
  await page.goto(`${portal.baseUrl}/projects`);
  const titles = async () => (await page.locator('li.project-card .project-title').allTextContents()).sort();
  await page.locator('li.project-card', { hasText: TITLES.inTime }).waitFor();

  // Part of the client's name, any case, accents aside: both of the garage's projects, the completed one too.
  await page.locator('#portfolio-search').fill('autohaus mull');
  await page.waitForURL(/\/projects\?q=autohaus\+mull$/);
  await page.locator('li.project-card', { hasText: TITLES.returning }).waitFor();
  expect(await titles()).toEqual([TITLES.inTime, TITLES.returning].sort());
  // Part of a title; a reload keeps it.
  await page.locator('#portfolio-search').fill('Print');
  await page.waitForURL(/\?q=Print$/);
  await page.reload();
  await page.locator('li.project-card', { hasText: TITLES.review }).waitFor();
  expect(await titles()).toEqual([TITLES.review]);
  expect(await page.locator('#portfolio-search').inputValue()).toBe('Print');
  expect(await page.locator('.portfolio-narrowed').textContent()).toContain('Projects matching “Print”: 1 project.');

  // The client's name on a card: every project of theirs.
  await page.getByRole('link', { name: 'Show every project' }).click();
  await page.locator('li.project-card', { hasText: TITLES.inTime }).getByRole('link', { name: GARAGE.name }).click();
  await page.waitForURL(new RegExp(`/projects\\?client=${GARAGE.id}$`));
  await page.locator('li.project-card', { hasText: TITLES.returning }).waitFor();
  expect(await titles()).toEqual([TITLES.inTime, TITLES.returning].sort());
  expect(await page.locator('#portfolio-client').inputValue()).toBe(GARAGE.id);
  expect(await page.locator('.portfolio-narrowed').textContent()).toContain(`Projects of ${GARAGE.name}: 2 projects.`);
  await portal.screenshot(page, 'portfolio-client');
  expect(await accessibilityProblems(page)).toEqual([]);

  // B2C clients: the dentist's request alone.
  await page.locator('#portfolio-client').selectOption('');
  await page.locator('#portfolio-segment').selectOption('B2C');
  await page.waitForURL(/\/projects\?segment=B2C$/);
  await page.locator('.portfolio-narrowed', { hasText: 'B2C clients' }).waitFor();
  expect(await titles()).toEqual([TITLES.noPlan]);

  await page.setViewportSize(PHONE);
  await page.locator('#portfolio-segment').selectOption('');
  await page.locator('li.project-card', { hasText: TITLES.review }).waitFor();
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await portal.screenshot(page, 'portfolio-manager-phone');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(DESKTOP);
});

step('the approval card says what the client asked for: the brief (all of it on request), their date and departments', async () => {
  const { page } = leader!;
  await page.goto(`${portal.baseUrl}/approvals`);
  const approval = page.locator('li.approval', { hasText: TITLES.awaiting });
  await approval.waitFor();
  expect(await page.locator('h1').textContent()).toBe('Plans awaiting your decision (1)');
  const request = approval.locator('.client-request');
  const text = (await request.textContent()) ?? '';
  expect(text).toContain('What the client asked for');
  expect(text).toContain(shownDate(CLIENT_DATE));
  expect(text).toContain('Design');
  expect(text).toContain('SEO (not in the plan)');
  // Shortened at first; the button shows all of it.
  expect(text).toContain('A brochure for the spa');
  expect(text).not.toContain('The last sentence of the brief.');
  await request.getByRole('button', { name: 'Read the whole brief' }).click();
  expect(await request.textContent()).toContain('The last sentence of the brief.');
  await portal.screenshot(page, 'approvals-client-request');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await portal.screenshot(page, 'approvals-client-request-phone');
  await page.setViewportSize(DESKTOP);
});

step('“Download CSV” under the filters carries them: the file has the cards shown, finished ones while they are shown, a search’s matches', async () => {
  const { page } = leader!;
  await page.setViewportSize(DESKTOP);
  const managerId = h.people.manager.id;
  await page.goto(`${portal.baseUrl}/projects?manager=${managerId}`);
  await page.locator('li.project-card', { hasText: TITLES.inTime }).waitFor();
  const link = page.getByRole('link', { name: 'Download CSV' });
  const cardTitles = async () => (await page.locator('li.project-card .project-title').allTextContents()).sort();
  /** The file the link downloads, as the browser saves it: its name and its projects' titles. */
  const download = async () => {
    const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const rows = csvRows(fs.readFileSync((await file.path())!, 'utf8'));
    return { name: file.suggestedFilename(), titles: rows.map((r) => r.title).sort(), managers: new Set(rows.map((r) => r.managerId)) };
  };

  // Under the filters, above the cards.
  const filtersBottom = await page.locator('.portfolio-filters').evaluate((el) => el.getBoundingClientRect().bottom);
  const linkBox = (await link.boundingBox())!;
  expect(linkBox.y).toBeGreaterThanOrEqual(filtersBottom);
  expect(linkBox.y).toBeLessThan((await page.locator('.stages').boundingBox())!.y);
  // The manager chosen, and the completed project hidden as on the page.
  expect(await link.getAttribute('href')).toBe(`/api/projects.csv?managerId=${managerId}&finished=hidden`);
  const hidden = await download();
  expect(hidden.name).toMatch(/^portfolio-\d{4}-\d\d-\d\d\.csv$/);
  expect(hidden.managers).toEqual(new Set([managerId]));
  expect(hidden.titles).toEqual(await cardTitles());
  expect(hidden.titles).not.toContain(TITLES.returning);
  // At rest, not hovered after the click.
  await page.mouse.move(0, 0);
  await link.scrollIntoViewIfNeeded();
  await portal.screenshot(page, 'portfolio-download-csv', { fullPage: false });

  // The finished ones shown: in the file too.
  await page.locator('#show-finished').check();
  await page.waitForURL(/finished=shown/);
  await page.locator('li.project-card', { hasText: TITLES.returning }).waitFor();
  expect(await link.getAttribute('href')).toBe(`/api/projects.csv?managerId=${managerId}`);
  const shown = await download();
  expect(shown.titles).toEqual(await cardTitles());
  expect(shown.titles).toContain(TITLES.returning);

  // A search finds the whole set, finished ones too: the file has what it found.
  await page.locator('#show-finished').uncheck();
  await page.locator('#portfolio-search').fill('autohaus');
  await page.locator('.portfolio-narrowed', { hasText: 'autohaus' }).waitFor();
  await page.locator('li.project-card', { hasText: TITLES.returning }).waitFor();
  expect(await link.getAttribute('href')).toBe(`/api/projects.csv?managerId=${managerId}&q=autohaus`);
  const found = await download();
  expect(found.titles).toEqual([TITLES.inTime, TITLES.returning].sort());
  expect(found.titles).toEqual(await cardTitles());

  // A manager's link: their own projects (the API's rule), the finished ones hidden as on their page.
  await manager!.page.goto(`${portal.baseUrl}/projects`);
  await manager!.page.locator('li.project-card', { hasText: TITLES.inTime }).waitFor();
  expect(await manager!.page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/projects.csv?finished=hidden');

  // On a phone of 320 px: the link on the screen, nothing scrolling sideways.
  await page.setViewportSize(NARROW_PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await page.mouse.move(0, 0);
  await link.scrollIntoViewIfNeeded();
  const phoneBox = (await link.boundingBox())!;
  expect(phoneBox.x).toBeGreaterThanOrEqual(0);
  expect(phoneBox.x + phoneBox.width).toBeLessThanOrEqual(NARROW_PHONE.width);
  await portal.screenshot(page, 'portfolio-download-csv-phone', { fullPage: false });
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(DESKTOP);
});

step('a project older than the newest 500 the page draws is found by its words and by its client, the last cards staying while the search is asked', async () => {
  // 500 newer requests of one client, another manager's: the garage's projects are past the newest
  // 500 the page draws (no step after this one reads the portfolio).
  const busy = { id: 'client-pf-busy', name: 'Busy Bee Events', segment: 'B2C' as const };
  const stamp = Date.now().toString(36);
  for (let i = 0; i < 500; i++) {
    const p = new ProjectBuilder({
      projectId: `p-pf-busy-${i}-${stamp}`,
      managerId: h.people.otherManager.id,
      client: busy,
      intakeAt: new Date(Date.now() - DAY + i * 1_000).toISOString(),
    });
    p.status.title = `Event flyer ${i + 1}`;
    await h.reporting.publish(p.publish());
  }
  const { page } = leader!;
  await page.setViewportSize(DESKTOP);
  await page.goto(`${portal.baseUrl}/projects`);
  await page.getByText('Showing the newest 500 of 511 projects; the counts above are of all of them.').waitFor();
  const titles = async () => (await page.locator('li.project-card .project-title').allTextContents()).sort();
  const leaflets = page.locator('li.project-card', { hasText: TITLES.inTime });
  expect(await leaflets.count()).toBe(0);

  // The search is asked of the list. Held there, the cards found last stay (dimmed) and the page
  // says what it is finding; once answered, the old project is found.
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const searching = (url: URL) => url.pathname === '/api/projects' && url.searchParams.has('q');
  const stopHolding = await routeUntilStopped(page, searching, async (route) => {
    await answered;
    await route.continue();
  });
  const asked = page.waitForRequest((request) => new URL(request.url()).searchParams.get('q') === 'garage leaf');
  await page.locator('#portfolio-search').pressSequentially('garage leaf');
  await page.waitForURL(/\/projects\?q=garage\+leaf$/);
  await asked;
  await page.locator('.portfolio-finding', { hasText: 'Finding projects matching “garage leaf”…' }).waitFor();
  expect(await page.locator('li.project-card').count()).toBe(500);
  expect(await page.locator('.stages').getAttribute('aria-busy')).toBe('true');
  await portal.screenshot(page, 'portfolio-search-finding', { fullPage: false });
  answer();
  await leaflets.waitFor();
  expect(await titles()).toEqual([TITLES.inTime]);
  expect(await page.locator('.portfolio-narrowed').textContent()).toContain('Projects matching “garage leaf”: 1 project.');
  expect(await page.locator('.portfolio-finding').count()).toBe(0);
  // The newest 500 of 511: no longer what the page shows.
  expect(await page.getByText(/Showing the newest/).count()).toBe(0);
  await portal.screenshot(page, 'portfolio-search-older-project');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await portal.screenshot(page, 'portfolio-search-older-project-phone');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(DESKTOP);
  await stopHolding();

  // The client choice lists every client of the agency, the garage too (past the newest 500), with
  // their projects counted: both of them, the completed one too.
  await page.getByRole('link', { name: 'Show every project' }).click();
  await page.getByText(/Showing the newest 500 of 511 projects/).waitFor();
  // The florist's card is past the newest 500 too; the strip still counts it apart from the work
  // under way (from the planned work, read for the whole portfolio as the report is).
  const strip = async () =>
    Object.fromEntries(
      await page.locator('.stage-strip li').evaluateAll((all) => all.map((el) => [(el.firstChild?.textContent ?? '').trim(), Number(el.querySelector('.count')?.textContent)] as const)),
    );
  expect(await strip()).toMatchObject({ 'Waiting for the prepayment': 1, 'In production': 5 });
  expect(await page.locator('li.project-card', { hasText: TITLES.plan }).count()).toBe(0);
  const garage = page.locator(`#portfolio-client option[value="${GARAGE.id}"]`);
  await garage.waitFor({ state: 'attached' });
  expect(await garage.textContent()).toBe(`${GARAGE.name} · 2 projects`);
  await page.locator('#portfolio-client').selectOption(GARAGE.id);
  await page.waitForURL(new RegExp(`/projects\\?client=${GARAGE.id}$`));
  await page.locator('li.project-card', { hasText: TITLES.returning }).waitFor();
  expect(await titles()).toEqual([TITLES.inTime, TITLES.returning].sort());
  expect(await page.locator('.portfolio-narrowed').textContent()).toContain(`Projects of ${GARAGE.name}: 2 projects.`);
  await portal.screenshot(page, 'portfolio-client-older-projects', { fullPage: false });

  // A search finding more projects than the cards drawn: which of its "In production" wait for the
  // prepayment is not known here, and the strip says its count includes them.
  await page.goto(`${portal.baseUrl}/projects?q=e`);
  await page.locator('.portfolio-narrowed', { hasText: 'more match' }).waitFor();
  const counted = await strip();
  expect(counted).toMatchObject({ 'In production, with those waiting for the prepayment': 6 });
  expect(counted).not.toHaveProperty(['Waiting for the prepayment']);
});
