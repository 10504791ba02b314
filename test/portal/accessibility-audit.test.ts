/**
 * Every page of the portal audited by axe-core (test/support/browser.ts `axeViolations`: WCAG 2.0
 * and 2.1 A and AA, and axe's best practices), in a real headless Chromium on the real stack, with
 * something on each: a project waiting for leadership's decision, one still to be planned, one in
 * production (a delivery waiting for review, a task under way, one open), one waiting for its
 * client's answer, and one completed and paid with a complaint open. Each page each role uses is
 * audited once drawn, at a desk's width, again with every folded part open (the forms behind
 * "Hand over…", "Make a complaint", "The numbers"…), and again at 320 px: none may have a
 * violation. A failure lists every violation of every page in words.
 */
import type { Page } from 'playwright-core';
import { completedProject, planRequest, projectInClientReview, projectRequest, waitForTask, type ApiHarness, type PersonKey } from '../support/api';
import { axeViolations, browserTestOrSkip, DESKTOP, holdReads, NARROW_PHONE, openClientPage, portalSuite, shootDeskAndNarrowPhone } from '../support/browser';
import { uniqueId } from '../support/temporal';

jest.setTimeout(600_000);
const step = browserTestOrSkip('the accessibility audit of every page');

const tag = uniqueId('a11y').slice(-6);
const ids = { awaiting: '', planning: '', production: '', clientReview: '', completed: '' };

async function seed(h: ApiHarness): Promise<void> {
  const opened = async (title: string, departments = ['design']) =>
    (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} ${tag}`, departments })).expect(201)).body.projectId as string;
  const approve = (id: string) => h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);

  ids.planning = await opened('Still to plan');
  ids.awaiting = await opened('Awaiting approval');
  await h.http().put(`/api/projects/${ids.awaiting}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);

  // In production: the design delivered and waiting for review, the copy under way, the SEO open.
  ids.production = await opened('In production', ['design', 'copywriting', 'seo']);
  const plan = planRequest();
  const [design, copy] = plan.tasks as Record<string, unknown>[];
  const seo = { ...copy, key: 'seo-home', department: 'seo', title: 'Home page SEO', dependsOn: undefined };
  await h
    .http()
    .put(`/api/projects/${ids.production}/plan`)
    .set(h.auth('manager'))
    .send({ ...plan, tasks: [design, { ...copy, dependsOn: undefined }, seo] })
    .expect(200);
  await approve(ids.production);
  for (const key of ['design-home', 'copy-home', 'seo-home']) await waitForTask(h, `${ids.production}.${key}`, 'open');
  await h.http().post(`/api/tasks/${ids.production}.design-home/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${ids.production}.design-home/submit`).set(h.auth('designer')).send({ summary: 'Two layouts', links: ['https://files.example/home.pdf'] }).expect(200);
  await h.http().post(`/api/tasks/${ids.production}.copy-home/claim`).set(h.auth('copywriter')).send({}).expect(200);

  ids.clientReview = await projectInClientReview(h, { title: `Client review ${tag}` });
  ids.completed = (await completedProject(h, `Completed ${tag}`, '1h', 4)).projectId;
  await h.http().post(`/api/projects/${ids.completed}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The logo is blurred on phones.' }).expect(200);
}

const suite = portalSuite({ seed });

/** Every violation found so far, per page and state, reported together at the end of each test. */
type Found = string[];

/** Until the page has drawn what it shows: its heading, and nothing left loading. */
async function drawn(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('.loading'));
}

/**
 * The page as it is at a desk, then with every folded part open, then at 320 px (still open):
 * each audited, its violations added to `found`.
 */
async function audit(page: Page, where: string, found: Found): Promise<void> {
  await page.setViewportSize(DESKTOP);
  found.push(...(await axeViolations(page, `${where} (desk)`)));
  const folded = await page.locator('details:not([open]) > summary').count();
  if (folded > 0) {
    await page.locator('details').evaluateAll((all) => all.forEach((d) => d.setAttribute('open', '')));
    found.push(...(await axeViolations(page, `${where} (desk, ${folded} folded part(s) open)`)));
  }
  await page.setViewportSize(NARROW_PHONE);
  found.push(...(await axeViolations(page, `${where} (320 px)`)));
  await page.setViewportSize(DESKTOP);
}

/** Each page at `paths` as `who` opens it, once drawn, audited; and the page they were on last. */
async function auditPages(who: PersonKey, paths: string[]): Promise<{ found: Found; page: Page }> {
  const found: Found = [];
  const { page } = await suite.open(who, paths[0]);
  for (const path of paths) {
    await page.goto(`${suite.portal().baseUrl}${path}`);
    await drawn(page);
    await audit(page, `${who} ${path}`, found);
  }
  return { found, page };
}

step("a manager's pages have no violation", async () => {
  const { found, page } = await auditPages('manager', [
    '/projects',
    `/projects/${ids.production}`,
    `/projects/${ids.completed}`,
    `/projects/${ids.clientReview}`,
    `/projects/${ids.planning}/plan`,
    `/tasks/${ids.production}.design-home`,
    '/review',
    '/late-work',
    '/projects/new',
    '/kpis',
    '/kpis/deliveries',
    '/kpis/workload',
    '/kpis/responses',
    '/kpis/feedback',
    '/kpis/money',
    '/settings/mail',
  ]);
  expect(found).toEqual([]);
  // The menu's count is in the link's name, in words: one delivery waits for review.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review queue, 1 waiting', exact: true }).waitFor({ timeout: 5_000 });
  // What the fixes look like: the menu's count, a project's timeline with the keyboard in it, a KPI chart's bars.
  await page.goto(`${suite.portal().baseUrl}/projects/${ids.completed}`);
  await drawn(page);
  await page.locator('.timeline').focus();
  await shootDeskAndNarrowPhone(suite.portal(), page, 'a11y-project-timeline-focused');
  await page.goto(`${suite.portal().baseUrl}/kpis`);
  await drawn(page);
  await shootDeskAndNarrowPhone(suite.portal(), page, 'a11y-kpis');
});

/**
 * Whether Tab, pressed from the timeline's heading (made focusable for the test, to start there),
 * lands on the timeline itself; with whether it scrolls, its tabindex and its name.
 */
async function timelineAtTab(page: Page): Promise<{ scrolls: boolean; tabindex: string | null; name: string | null; tabLandsOnIt: boolean }> {
  const timeline = page.locator('#timeline .timeline');
  await page.locator('#timeline-title').evaluate((h2) => {
    h2.setAttribute('tabindex', '-1');
    h2.focus();
  });
  await page.keyboard.press('Tab');
  return {
    ...(await timeline.evaluate((ol) => ({ scrolls: ol.scrollHeight > ol.clientHeight, tabindex: ol.getAttribute('tabindex'), name: ol.getAttribute('aria-label') }))),
    tabLandsOnIt: await timeline.evaluate((ol) => ol.ownerDocument.activeElement === ol),
  };
}

/** The timeline in sight, where the keyboard left it, at a desk's width and at 320 px (for the eye: a ring on it only when it scrolls). */
async function shootTimeline(page: Page, name: string): Promise<void> {
  for (const [width, viewport] of [['desktop', DESKTOP], ['phone-320', NARROW_PHONE]] as const) {
    await page.setViewportSize(viewport);
    await page.locator('#timeline').scrollIntoViewIfNeeded();
    await suite.portal().screenshot(page, `${name}-${width}`, { fullPage: false });
  }
  await page.setViewportSize(DESKTOP);
}

step("a project's timeline is a Tab stop only while it scrolls, and named either way", async () => {
  const { page } = await suite.open('manager', `/projects/${ids.planning}`);
  await drawn(page);
  const name = 'Timeline, newest first';
  // Just opened, the project's timeline is short: nothing to scroll, so no Tab stop (at a desk, and at 320 px).
  expect(await timelineAtTab(page)).toEqual({ scrolls: false, tabindex: null, name, tabLandsOnIt: false });
  await page.setViewportSize(NARROW_PHONE);
  expect(await timelineAtTab(page)).toEqual({ scrolls: false, tabindex: null, name, tabLandsOnIt: false });
  await page.setViewportSize(DESKTOP);
  // Completed, it is long: it scrolls in its box, and Tab stops on it for the arrow keys.
  await page.goto(`${suite.portal().baseUrl}/projects/${ids.completed}`);
  await drawn(page);
  expect(await timelineAtTab(page)).toEqual({ scrolls: true, tabindex: '0', name, tabLandsOnIt: true });
  // Its box let grow to hold it all (as a taller window or a shorter history would), the Tab stop goes; boxed again, it is back.
  // The page's polls held meanwhile: the box's change of size alone must bring it, not a next render.
  const release = await holdReads(page, (path) => path.startsWith('/api/'));
  const timeline = page.locator('#timeline .timeline');
  await timeline.evaluate((ol) => ol.setAttribute('style', 'max-height: none'));
  await page.locator('#timeline .timeline:not([tabindex])').waitFor();
  expect(await timelineAtTab(page)).toEqual({ scrolls: false, tabindex: null, name, tabLandsOnIt: false });
  await timeline.evaluate((ol) => ol.removeAttribute('style'));
  await page.locator('#timeline .timeline[tabindex="0"]').waitFor();
  expect(await timelineAtTab(page)).toEqual({ scrolls: true, tabindex: '0', name, tabLandsOnIt: true });
  await release();
  await shootTimeline(page, 'a11y-timeline-long-tabbed');
  // Both ways the page stays clean (the audits above see the short one at the project still to plan, the long one at the completed).
  const found = await axeViolations(page, `manager /projects/${ids.completed}, timeline boxed again`);
  await page.goto(`${suite.portal().baseUrl}/projects/${ids.planning}`);
  await drawn(page);
  found.push(...(await axeViolations(page, `manager /projects/${ids.planning}, short timeline`)));
  await timelineAtTab(page);
  await shootTimeline(page, 'a11y-timeline-short-tabbed-past');
  expect(found).toEqual([]);
});

step("staff's pages have no violation", async () => {
  const { found } = await auditPages('copywriter', ['/inbox', '/inbox?view=mine', `/tasks/${ids.production}.copy-home`, '/settings/mail']);
  found.push(...(await auditPages('seo', [`/tasks/${ids.production}.seo-home`])).found);
  expect(found).toEqual([]);
});

step("leadership's pages have no violation", async () => {
  const { found } = await auditPages('leadership', ['/approvals', '/projects', `/projects/${ids.awaiting}`, `/projects/${ids.completed}`, '/late-work', '/kpis', '/targets']);
  expect(found).toEqual([]);
});

step('the client pages, the sign-in page and the unsubscribe page have no violation', async () => {
  const found: Found = [];
  for (const [what, id] of Object.entries({ production: ids.production, clientReview: ids.clientReview, completed: ids.completed })) {
    const client = await openClientPage(suite.harness(), suite.portal(), id);
    await drawn(client.page);
    await audit(client.page, `client page (${what})`, found);
    await client.context.close();
  }
  const anonymous = await suite.portal().anonymous();
  await anonymous.page.goto(`${suite.portal().baseUrl}/login`);
  await anonymous.page.locator('#login-token').waitFor();
  await audit(anonymous.page, 'sign-in page', found);
  await anonymous.page.goto(`${suite.portal().baseUrl}/mail/unsubscribe?token=not-a-token`);
  await drawn(anonymous.page);
  await audit(anonymous.page, 'unsubscribe page', found);
  await anonymous.context.close();
  expect(found).toEqual([]);
});

step('forms refused at their fields have no violation: a new project, a plan, a delivery sent back without a comment', async () => {
  // Opened apart from the suite's people: the refusals' network lines are logged as console errors, on purpose.
  const { page } = await suite.portal().openAs('manager', { startAt: '/projects/new' });
  const found: Found = [];
  const refused = async (path: string, button: string) => {
    await page.goto(`${suite.portal().baseUrl}${path}`);
    await drawn(page);
    await page.getByRole('button', { name: button, exact: true }).first().click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    await audit(page, `manager ${path}, refused`, found);
  };
  await refused('/projects/new', 'Open the project');
  await refused(`/projects/${ids.planning}/plan`, 'Submit for approval');
  await refused('/review', 'Send back');
  await page.context().close();
  expect(found).toEqual([]);
});

step("the client's forms sent empty, refused at their fields, have no violation at 320 px: accepting, asking for changes, complaining", async () => {
  const found: Found = [];
  /** The form `button` sends (inside the disclosure `opener`, when there is one) sent empty: refused at its fields, audited and shot at 320 px. */
  const refusedEmpty = async (page: Page, button: string, shot: string, opener?: string) => {
    await page.setViewportSize(NARROW_PHONE);
    if (opener) await page.locator('summary', { hasText: opener }).click();
    const form = page.locator('form.answer-form', { has: page.getByRole('button', { name: button, exact: true }) });
    await form.getByRole('button', { name: button, exact: true }).click();
    await form.locator('[aria-invalid="true"]').first().waitFor();
    found.push(...(await axeViolations(page, `client page, “${button}” sent empty (320 px)`)));
    await form.scrollIntoViewIfNeeded();
    await suite.portal().screenshot(page, `a11y-client-${shot}-refused-phone-320`, { fullPage: false });
  };
  const review = await openClientPage(suite.harness(), suite.portal(), ids.clientReview);
  await drawn(review.page);
  await refusedEmpty(review.page, 'Accept the work', 'accept');
  await refusedEmpty(review.page, 'Ask for these changes', 'changes', 'Ask for changes');
  await review.context.close();
  const completed = await openClientPage(suite.harness(), suite.portal(), ids.completed);
  await drawn(completed.page);
  await refusedEmpty(completed.page, 'Send the complaint', 'complaint', 'Make a complaint');
  await completed.context.close();
  expect(found).toEqual([]);
});
