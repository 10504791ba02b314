/**
 * Late work (walk 6-B #6, "what is late and where"), in a real headless Chromium: leadership's and
 * managers' list of every task past its due date and not delivered yet — which task, of which
 * project, in which department, who holds it, how late, whose project — ordered and narrowed by
 * department in the address (a reload keeps it). Work due later, or delivered and waiting for
 * review, is not late work. A manager sees their own projects' only. On a phone each task is a card.
 * The list reads the reporting store alone, so the projects are published into the harness's store
 * as the workflows would publish them (no worker runs).
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the late work list');

let h: ApiHarness;
let portal: Portal;
const opened: PersonPage[] = [];

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

/** Task titles are "<department> <key>" (the builders' plans). */
const TASKS = {
  keyVisual: 'design keyvisual', // 3 days late, claimed by Dima, manager's project
  landing: 'copywriting landing', // 4.5 hours late ("4 hours 30 minutes": hours keep their minutes), nobody took it, manager's project
  banner: 'design banner', // 24 hours late (hours until two days), nobody took it, the other manager's project
  menu: 'copywriting menu', // 11 minutes late (never "1 hour"), nobody took it, the other manager's project
  later: 'seo later', // due tomorrow: not late
  delivered: 'design delivered', // past due but delivered: waits for review, not late work
};

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const base = ago(24 * 10);
  const stamp = Date.now().toString(36);
  const spring = new ProjectBuilder({
    projectId: `p-lw-spring-${stamp}`,
    managerId: h.people.manager.id,
    client: { id: 'client-lw-1', name: 'Bakery', segment: 'B2C' },
    intakeAt: base,
  });
  spring.status.title = 'Spring campaign';
  spring
    .submitPlan(plusDays(base, 1), [
      { key: 'keyvisual', department: 'design', dueAt: ago(72) },
      { key: 'landing', department: 'copywriting', dueAt: ago(4.5) },
      { key: 'later', department: 'seo', dueAt: ago(-24) },
      { key: 'delivered', department: 'design', dueAt: ago(30) },
    ])
    .approve(plusDays(base, 2));
  spring.task('keyvisual').open(plusDays(base, 2)).claim('dima.design');
  spring.task('landing').open(plusDays(base, 2));
  spring.task('later').open(plusDays(base, 2));
  spring.task('delivered').open(plusDays(base, 2)).claim('olga.design').submit(ago(40));
  const expo = new ProjectBuilder({
    projectId: `p-lw-expo-${stamp}`,
    managerId: h.people.otherManager.id,
    client: { id: 'client-lw-2', name: 'Garage', segment: 'B2B' },
    intakeAt: plusDays(base, 1),
  });
  expo.status.title = 'Expo banners';
  expo
    .submitPlan(plusDays(base, 2), [
      { key: 'banner', department: 'design', dueAt: ago(24) },
      { key: 'menu', department: 'copywriting', dueAt: ago(11 / 60) },
    ])
    .approve(plusDays(base, 3));
  expo.task('banner').open(plusDays(base, 3));
  expo.task('menu').open(plusDays(base, 3));
  for (const p of [spring, expo]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  portal = await startPortal(h);
});

afterAll(async () => {
  for (const p of opened) expect(unexpectedErrors(p.errors)).toEqual([]);
  await portal?.close();
  await h?.close();
});

/** Each row as its cells' text, header first. */
const rowsOf = (person: PersonPage) =>
  person.page.locator('table.late-work tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').trim())));

step('leadership sees every late task, most late first, with its project, department, holder, lateness and manager', async () => {
  const lena = await portal.openAs('leadership', { startAt: '/projects' });
  opened.push(lena);
  const { page } = lena;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Late work' }).click();
  await page.waitForURL(/\/late-work$/);
  await page.locator('table.late-work tbody tr').first().waitFor();
  const manager = `Test ${h.people.manager.id}`;
  const other = `Test ${h.people.otherManager.id}`;
  expect(await rowsOf(lena)).toEqual([
    [TASKS.keyVisual, 'Spring campaign', 'Design', 'Dima Kozlov', expect.stringMatching(/^3 days \(due .+\)$/), manager],
    [TASKS.banner, 'Expo banners', 'Design', 'Nobody has taken it', expect.stringMatching(/^24 hours( [1-3] minutes?)? \(due .+\)$/), other],
    // How late, never more than it is: hours with their minutes, minutes under an hour (the
    // page is a few seconds older than the due dates, hence a minute or two of slack).
    [TASKS.landing, 'Spring campaign', 'Copywriting', 'Nobody has taken it', expect.stringMatching(/^4 hours 3[0-2] minutes \(due .+\)$/), manager],
    [TASKS.menu, 'Expo banners', 'Copywriting', 'Nobody has taken it', expect.stringMatching(/^1[1-3] minutes \(due .+\)$/), other],
  ]);
  expect(await page.locator('[role="status"]', { hasText: 'late task' }).textContent()).toBe('4 late tasks in 2 projects.');
  expect(await page.locator('.stage-strip').textContent()).toBe('Design 2Copywriting 2');
  await portal.screenshot(page, 'late-work');
  expect(await accessibilityProblems(page)).toEqual([]);

  // Ordered by department, then narrowed to one: both in the address, kept by a reload.
  await page.locator('#late-sort').selectOption('department');
  await page.waitForURL(/\/late-work\?sort=department$/);
  expect((await rowsOf(lena)).map((r) => r[0])).toEqual([TASKS.keyVisual, TASKS.banner, TASKS.landing, TASKS.menu]);
  await page.locator('#late-sort').selectOption('holder');
  expect((await rowsOf(lena)).map((r) => r[3])).toEqual(['Nobody has taken it', 'Nobody has taken it', 'Nobody has taken it', 'Dima Kozlov']);
  await page.locator('#late-department').selectOption('design');
  await page.waitForURL(/\/late-work\?department=design&sort=holder$/);
  await page.reload();
  await page.locator('table.late-work tbody tr').first().waitFor();
  expect(await page.locator('#late-department').inputValue()).toBe('design');
  expect((await rowsOf(lena)).map((r) => r[0])).toEqual([TASKS.banner, TASKS.keyVisual]);

  // On a phone: a card a task, nothing scrolling sideways.
  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  expect(await page.locator('table.late-work tbody tr').first().evaluate((tr) => (globalThis as unknown as { getComputedStyle(el: unknown): { display: string } }).getComputedStyle(tr).display)).toBe('block');
  await portal.screenshot(page, 'late-work-phone');
  expect(await accessibilityProblems(page)).toEqual([]);
});

step('a manager sees the late work of their own projects, from their menu', async () => {
  const boris = await portal.openAs('manager', { startAt: '/projects' });
  opened.push(boris);
  const { page } = boris;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Late work' }).click();
  await page.locator('table.late-work tbody tr').first().waitFor();
  expect((await rowsOf(boris)).map((r) => r[0])).toEqual([TASKS.keyVisual, TASKS.landing]);
  // Their own projects only: no Manager column, no Manager filter.
  expect(await page.locator('table.late-work thead th').allTextContents()).toEqual(['Task', 'Project', 'Department', 'Held by', 'Late by']);
  expect(await page.locator('#late-manager').count()).toBe(0);
  await portal.screenshot(page, 'late-work-manager');
});
