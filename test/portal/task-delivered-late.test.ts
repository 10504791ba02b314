/**
 * Accepted work first delivered after its due date says so on its page, and by how much, in a real
 * headless Chromium: by the KPIs' rule (the first delivery against the due date the task was planned
 * with, however it moved since), so the page never calls on time what the delivery figures count
 * as late; work delivered on time says nothing of the kind. The project is published into the
 * harness's store as the workflows would publish it (no worker runs).
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness, type PersonKey } from '../support/api';
import { browserTestOrSkip, shootDeskAndNarrowPhone, shownDateTime, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(120_000);
const step = browserTestOrSkip('late deliveries on the task page');

let h: ApiHarness;
let portal: Portal;
const opened: PersonPage[] = [];

const HOUR = 3_600_000;
// One instant for every time of the test: the lateness asserted to the minute must not take in how
// long the harness took to start between two of them.
const NOW = Date.now();
const ago = (hours: number) => new Date(NOW - hours * HOUR).toISOString();
const projectId = `p-delivered-late-${Date.now().toString(36)}`;
/** Task ids are `<project>.<key>`; titles "<department> <key>" (the builders' plans). */
const task = (key: string) => `${projectId}.${key}`;
/** The moved task's planned due date: moved to a day from now two hours after it passed; first delivered 4 h 30 min after it. */
const movedPlannedDue = ago(48);

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  const base = ago(24 * 10);
  const project = new ProjectBuilder({ projectId, managerId: h.people.manager.id, client: { id: 'client-delivered-late', name: 'Bakery', segment: 'B2C' }, intakeAt: base });
  project.status.title = 'Spring campaign';
  project
    .submitPlan(plusDays(base, 1), [
      { key: 'late', department: 'design', dueAt: ago(72) },
      { key: 'ontime', department: 'design', dueAt: ago(24) },
      { key: 'moved', department: 'design', dueAt: movedPlannedDue },
    ])
    .approve(plusDays(base, 2));
  // First delivered 52 hours after its due date ("2 days"), sent back, delivered again, accepted.
  project.task('late').deliver(h.people.designer.id, plusDays(base, 2), ago(20), { sendBack: 1 });
  // Delivered two hours before its due date.
  project.task('ontime').deliver(h.people.designer.id, plusDays(base, 2), ago(26));
  // Moved later only after its planned date had passed: the KPIs count it late against the planned one.
  project.task('moved').open(plusDays(base, 2)).claim(h.people.designer.id).moveDue(ago(-24), ago(46)).submit(ago(43.5)).accept(ago(40));
  for (const snapshot of project.publishAll()) await h.reporting.publish(snapshot);
  portal = await startPortal(h);
});

afterAll(async () => {
  const errors = opened.flatMap((p) => unexpectedErrors(p.errors));
  await portal?.close();
  await h?.close();
  expect(errors).toEqual([]);
});

async function openAs(who: PersonKey, startAt: string): Promise<PersonPage> {
  const person = await portal.openAs(who, { startAt });
  opened.push(person);
  return person;
}

step('accepted work first delivered after its due date says “Delivered late” and by how much, against the planned date when it moved; on-time work does not', async () => {
  const manager = await openAs('manager', `/tasks/${task('late')}`);
  const { page } = manager;
  await page.locator('main h1').first().waitFor({ timeout: 30_000 });
  const late = page.locator('.page-header .delivered-late');
  expect(await late.textContent()).toBe('Delivered late 2 days after its due date');
  await shootDeskAndNarrowPhone(portal, page, '96-task-delivered-late');

  await page.goto(`${portal.baseUrl}/tasks/${task('moved')}`);
  await page.locator('main h1').first().waitFor({ timeout: 30_000 });
  expect(await late.textContent()).toBe(`Delivered late 4 hours 30 minutes after its first due date, ${await shownDateTime(page, movedPlannedDue)}`);

  await page.goto(`${portal.baseUrl}/tasks/${task('ontime')}`);
  await page.locator('main h1').first().waitFor({ timeout: 30_000 });
  await page.locator('.page-header .badge', { hasText: 'Accepted' }).waitFor();
  expect(await page.locator('.delivered-late, .badge:text("Delivered late")').count()).toBe(0);
  await shootDeskAndNarrowPhone(portal, page, '96-task-delivered-on-time');

  // Staff read it on their task's page too.
  const designer = await openAs('designer', `/tasks/${task('late')}`);
  await designer.page.locator('main h1').first().waitFor({ timeout: 30_000 });
  expect(await designer.page.locator('.page-header .delivered-late').textContent()).toBe('Delivered late 2 days after its due date');
});
