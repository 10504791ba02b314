/**
 * The portfolio's finished projects, in a real headless Chromium: while completed and cancelled
 * projects are hidden (the default), a finished stage's heading shows only those still needing
 * the manager (a complaint after completion open, money to settle) and says so — "Completed 1 of 3
 * shown", as the stage strip counts 3 — with how many more are hidden and a link showing them. A
 * finished card says when the project completed or was cancelled, not when it started.
 *
 * The page reads the reporting store alone: the projects are published into the harness's store
 * as the workflows would publish them (no worker runs).
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, shootDesktopAndPhone, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { eventually } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the portfolio’s finished stages and cards');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage | undefined;

const DAY = 86_400_000;
/** A date as the portal's cards write it (the browser's en-GB locale, in Berlin). */
const shownDate = (iso: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'Europe/Berlin' }).format(new Date(iso));

const TITLES = {
  running: 'Harbour flyers (in production)',
  complained: 'Bakery menu (completed, a complaint open)',
  quietOne: 'Garage signs (completed)',
  quietTwo: 'Florist site (completed)',
  settling: 'Spa brochure (cancelled, its bill unpaid)',
  dropped: 'Dentist leaflets (cancelled, nothing owed)',
};
const BASE = new Date(Date.now() - 30 * DAY).toISOString();
const COMPLAINED_COMPLETED = plusDays(BASE, 12);
const QUIET_COMPLETED = plusDays(BASE, 15);
const DROPPED_CANCELLED = plusDays(BASE, 9);

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const stamp = Date.now().toString(36);
  let n = 0;
  const project = (key: keyof typeof TITLES) => {
    const p = new ProjectBuilder({
      projectId: `p-pfin-${key.toLowerCase()}-${stamp}`,
      managerId: h.people.manager.id,
      client: { id: `client-pfin-${key.toLowerCase()}`, name: `Client ${key}`, segment: 'B2B' },
      intakeAt: new Date(Date.parse(BASE) + ++n * 60_000).toISOString(),
    });
    p.status.title = TITLES[key];
    return p;
  };
  const running = project('running')
    .submitPlan(plusDays(BASE, 1), [{ key: 'flyer', department: 'design', dueAt: new Date(Date.now() + 5 * DAY).toISOString() }])
    .approve(plusDays(BASE, 2));
  running.task('flyer').open(plusDays(BASE, 2));
  // Completed, then a complaint about the work: still in the manager's hands, so in view.
  const complained = project('complained').complete(COMPLAINED_COMPLETED);
  complained.complain(plusDays(BASE, 20));
  const quietOne = project('quietOne').complete(QUIET_COMPLETED);
  const quietTwo = project('quietTwo').complete(plusDays(BASE, 18));
  // Cancelled with its bill unpaid (in view, its card says the money); cancelled with nothing owed (hidden).
  const settling = project('settling')
    .cancel(plusDays(BASE, 7))
    .invoice('cancellation', `INV-PFIN-${stamp}`, 400, plusDays(BASE, 7), plusDays(BASE, 21), { status: 'open' });
  const dropped = project('dropped').cancel(DROPPED_CANCELLED);
  for (const p of [running, complained, quietOne, quietTwo, settling, dropped]) for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
  portal = await startPortal(h);
});

afterAll(async () => {
  if (manager) expect(unexpectedErrors(manager.errors)).toEqual([]);
  await portal?.close();
  await h?.close();
});

step('with finished projects hidden, a finished stage’s heading says how many of the strip’s count it shows, and a link shows the rest; finished cards say when they completed or were cancelled', async () => {
  manager = await portal.openAs('manager', { startAt: '/projects' });
  const { page } = manager;
  const card = (key: keyof typeof TITLES) => page.locator('li.project-card', { has: page.getByRole('link', { name: TITLES[key], exact: true }) });
  await card('complained').waitFor();
  expect(await page.locator('#show-finished').isChecked()).toBe(false);

  // The strip counts every project of the stage (the report's); the headings say how many of them they show.
  const strip = (stage: string) => page.locator('.stage-strip li', { hasText: stage }).locator('.count');
  expect([await strip('Completed').textContent(), await strip('Cancelled').textContent()]).toEqual(['3', '2']);
  const heading = (stage: string) => page.locator(`#stage-${stage}`);
  const hiddenNote = (stage: string) => page.locator(`#stage-${stage} + .stage-hidden`);
  expect(await heading('completed').textContent()).toBe('Completed 1 of 3 shown');
  expect(await hiddenNote('completed').textContent()).toBe('2 more, with nothing left to do, are hidden. Show all 3');
  expect(await heading('cancelled').textContent()).toBe('Cancelled 1 of 2 shown');
  expect(await hiddenNote('cancelled').textContent()).toBe('One more, with nothing left to do, is hidden. Show it');
  // A stage shown whole says its count alone.
  expect(await heading('in_production').textContent()).toBe('In production 1');
  expect(await page.locator('.stage-hidden').count()).toBe(2);
  expect(await page.locator('li.project-card').count()).toBe(3);

  // The finished card in view says when it completed, not when it started.
  expect(await card('complained').locator('time').allTextContents()).toEqual([`completed ${shownDate(COMPLAINED_COMPLETED)}`]);
  expect(await card('complained').textContent()).not.toContain('started');
  await shootDesktopAndPhone(portal, page, 'portfolio-finished-hidden');

  // "Show all 3": the finished projects shown (the box ticked, in the address), the stage in view.
  await hiddenNote('completed').getByRole('link', { name: 'Show all 3' }).click();
  await page.waitForURL(/[?&]finished=shown\b/);
  await card('quietOne').waitFor();
  expect(await page.locator('#show-finished').isChecked()).toBe(true);
  await eventually(async () => ((await page.evaluate('document.activeElement?.id')) === 'stage-completed' ? true : undefined), { what: 'the completed projects in view' });
  expect([await heading('completed').textContent(), await heading('cancelled').textContent()]).toEqual(['Completed 3', 'Cancelled 2']);
  expect(await page.locator('.stage-hidden').count()).toBe(0);
  expect(await card('quietOne').locator('time').allTextContents()).toEqual([`completed ${shownDate(QUIET_COMPLETED)}`]);
  expect(await card('dropped').locator('time').allTextContents()).toEqual([`cancelled ${shownDate(DROPPED_CANCELLED)}`]);
  await shootDesktopAndPhone(portal, page, 'portfolio-finished-shown');
});
