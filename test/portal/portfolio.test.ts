/**
 * The portfolio's cards against the date each client asked for, in a real headless Chromium:
 * leadership scanning the portfolio sees which projects' plans end after the client's date
 * ("Late for the client", with both dates in words and in its title) before that date comes, and
 * not for a plan ending in time, nor once the work is delivered and accepted. A project without an
 * approved plan gives the client's date as the client's wish, never as an end the plan has not
 * set. The rule is the API's (`endsAfterClientDate` on the project list); the cards only show it.
 * The cards read the reporting store alone, so the projects are published into the harness's store
 * as the workflows would publish them (no worker runs). On a phone the cards fit the screen.
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the portfolio against the clients’ dates');

let h: ApiHarness;
let portal: Portal;
let leader: PersonPage | undefined;

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
};

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const base = new Date(Date.now() - 10 * DAY).toISOString();
  let n = 0;
  const project = (key: keyof typeof TITLES) => {
    const p = new ProjectBuilder({
      projectId: `p-pf-${key.toLowerCase()}-${Date.now().toString(36)}`,
      managerId: h.people.manager.id,
      client: { id: `client-pf-${key.toLowerCase()}`, name: `Client ${++n}`, segment: 'B2B' },
      intakeAt: new Date(Date.parse(base) + n * 60_000).toISOString(),
    });
    p.status.title = TITLES[key];
    p.status.desiredDeadline = CLIENT_DATE;
    return p;
  };
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
  const inTime = project('inTime')
    .submitPlan(plusDays(base, 1), [{ key: 'copy', department: 'copywriting', dueAt: IN_TIME_END }])
    .approve(plusDays(base, 2));
  const noPlan = project('noPlan');
  noPlan.status.stage = 'intake';
  // Delivered late for the client, and accepted: what is left is money, nothing to warn about.
  const accepted = project('accepted')
    .submitPlan(plusDays(base, 1), [{ key: 'design', department: 'design', dueAt: LATE_END }])
    .approve(plusDays(base, 2));
  accepted.task('design').deliver('dima.design', plusDays(base, 2), plusDays(base, 8));
  accepted.toClientReview(plusDays(base, 8)).clientAccepts(plusDays(base, 9), 4);
  for (const p of [moved, plan, inTime, noPlan, accepted]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  portal = await startPortal(h);
});

afterAll(async () => {
  if (leader) expect(unexpectedErrors(leader.errors)).toEqual([]);
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
