/**
 * Work held by someone now in another role, and the people list read again while the portal is
 * open, in a real headless Chromium on the real stack. Dima, a designer, holds a task (made late)
 * and has delivered another; then the people file makes him an account manager (the API's
 * directory follows it). As the API's portfolio report counts him, he is gone from department
 * work: the manager's project page, already open, flags his task once the portal reads the people
 * list again as the window comes back in front ("Now an account manager: reassign it") — and keeps
 * the flag when a later read fails; the task page says who holds it and his role now; the late-work
 * list marks it; and the review of his delivery says that sending it back returns it to him, so it
 * must then be reassigned, and where. Someone removed from the file while a page is open reads as
 * gone at the next minute's read, without a reload.
 */
import type { Page } from 'playwright-core';
import { claimedDesignTask, openDesignTask, waitForTask } from '../support/api';
import { browserTestOrSkip, portalSuite, shootDeskAndNarrowPhone, unexpectedErrors, type PersonPage } from '../support/browser';
import { changePeopleFile, removeFromPeopleFile } from '../support/people-file';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('work held by someone in another role now, and the people list read again');

let manager: PersonPage;
const suffix = uniqueId('r').slice(-6);
/** Dima holds its design task, made late. */
const held = { title: `Role changed ${suffix}`, projectId: '', task: '' };
/** Dima has delivered its design task: it waits for the manager's review. */
const delivered = { title: `Delivered before ${suffix}`, projectId: '', task: '' };
/** Olga holds its design task; she leaves while the manager's page is open. */
const olgas = { title: `Olga leaves ${suffix}`, projectId: '', task: '' };

/** Names as the portal shows them, read before anyone changes. */
let managerName: string;
let dimaName: string;
let olgaName: string;

const { open, harness, portal } = portalSuite({
  followPeopleFile: true,
  seed: async (h) => {
    managerName = h.directory.get(h.people.manager.id)!.name;
    dimaName = h.directory.get(h.people.designer.id)!.name;
    olgaName = h.directory.get(h.people.designer2.id)!.name;
    ({ projectId: held.projectId, designTask: held.task } = await claimedDesignTask(h, held.title));
    ({ projectId: delivered.projectId, designTask: delivered.task } = await claimedDesignTask(h, delivered.title));
    await h.http().post(`/api/tasks/${delivered.task}/submit`).set(h.auth('designer')).send({ summary: 'Home page mock-ups', links: [] }).expect(200);
    ({ projectId: olgas.projectId, designTask: olgas.task } = await openDesignTask(h, olgas.title));
    await h.http().post(`/api/tasks/${olgas.task}/claim`).set(h.auth('designer2')).send({}).expect(200);
    // Late in a few seconds (a due date must be in the future when it is moved).
    await h.http().patch(`/api/tasks/${held.task}`).set(h.auth('manager')).send({ dueAt: new Date(Date.now() + 3_000).toISOString(), reason: 'The client moved the launch' }).expect(200);
    await waitForTask(h, delivered.task, 'submitted');
  },
});

const taskRow = (page: Page, table: string, taskId: string) => page.locator(`${table} tbody tr`, { has: page.locator(`a[href="/tasks/${taskId}"]`) });
/** The window back in front, as when the person comes back to it from another window. */
const backInFront = (page: Page) => page.evaluate("window.dispatchEvent(new Event('focus'))");

step('the project page already open flags the task of the designer made an account manager once the window is back in front, with no reload; a failed read keeps the flag', async () => {
  const h = harness();
  manager = await open('manager', `/projects/${held.projectId}`);
  const { page } = manager;
  const assignee = taskRow(page, '#tasks', held.task).locator('td[data-label="Assignee"]');
  await assignee.getByText(dimaName).waitFor();
  expect(await assignee.textContent()).toBe(dimaName);

  changePeopleFile(h, (file) => ({ ...file, people: file.people.map((p) => (p.id === h.people.designer.id ? { ...p, role: 'manager', department: undefined } : p)) }));
  await eventually(async () => h.directory.get(h.people.designer.id)?.role === 'manager', { what: 'Dima an account manager in the directory' });
  await backInFront(page);
  const flag = assignee.locator('a.badge-link');
  await flag.waitFor();
  expect(await assignee.textContent()).toBe(`${dimaName} Now an account manager: reassign it`);
  expect(await flag.getAttribute('href')).toBe(`/tasks/${held.task}`);

  // The next read fails (the API busy): the list read before stands, and the flag with it.
  await page.route('**/api/people', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Busy', status: 503 }) }));
  const failed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/people' && r.status() === 503);
  await backInFront(page);
  await failed;
  await page.waitForTimeout(300);
  expect(await assignee.textContent()).toBe(`${dimaName} Now an account manager: reassign it`);
  await page.unroute('**/api/people');
  await shootDeskAndNarrowPhone(portal(), page, 'holder-role-changed-project');
});

step('the task page says who holds it and his role now: to the manager with the way to the reassign form, to the other designer whom to ask', async () => {
  const { page } = manager;
  await taskRow(page, '#tasks', held.task).getByRole('link', { name: 'Now an account manager: reassign it' }).click();
  const note = page.locator('.holder-gone');
  await note.waitFor();
  expect(await note.textContent()).toBe(`Held by ${dimaName}, now an account manager: nobody else in Design can take it until you reassign it.Reassign it`);
  await shootDeskAndNarrowPhone(portal(), page, 'holder-role-changed-task-manager');

  const designer = await open('designer2', `/tasks/${held.task}`);
  const theirs = designer.page.locator('.holder-gone');
  await theirs.waitFor();
  expect(await theirs.textContent()).toBe(`Held by ${dimaName}, now an account manager: ask ${managerName}, who manages the project, to reassign it.`);
  expect(await designer.page.locator('main').textContent()).not.toContain('is working on this');
  // Olga leaves the agency later in this file: her page is closed before her sign-in stops working.
  expect(unexpectedErrors(designer.errors)).toEqual([]);
  await designer.context.close();
});

step('the late-work list marks the late task held by the designer made an account manager: for its manager and for leadership a link to reassign it', async () => {
  const h = harness();
  const { page } = manager;
  await page.goto(`${portal().baseUrl}/late-work`);
  const heldBy = taskRow(page, 'table.late-work', held.task).locator('td[data-label="Held by"]');
  await eventually(
    async () => {
      await page.reload();
      await page.locator('table.late-work, p.empty').first().waitFor();
      return (await heldBy.count()) === 1;
    },
    { what: 'the task listed as late', timeoutMs: 30_000, intervalMs: 1_000 },
  );
  await heldBy.locator('a.badge-link').waitFor();
  expect(await heldBy.textContent()).toBe(`${dimaName} Now an account manager: reassign it`);
  expect(await heldBy.locator('a.badge-link').getAttribute('href')).toBe(`/tasks/${held.task}`);
  await shootDeskAndNarrowPhone(portal(), page, 'holder-role-changed-late-work');

  const leader = await open('leadership', `/late-work?manager=${h.people.manager.id}`);
  const theirs = taskRow(leader.page, 'table.late-work', held.task).locator('td[data-label="Held by"]');
  // Leadership reassigns too (since 2026-12-07): the same link to the task's page.
  await theirs.locator('a.badge-link').waitFor();
  expect(await theirs.textContent()).toBe(`${dimaName} Now an account manager: reassign it`);
  expect(await theirs.locator('a.badge-link').getAttribute('href')).toBe(`/tasks/${held.task}`);
});

step('the review of his delivery says that sending it back returns it to him, so it must then be reassigned, and where; sent back, the task page leads to the reassign form', async () => {
  const { page } = manager;
  await page.goto(`${portal().baseUrl}/review`);
  const card = page.locator('.review-card', { has: page.locator(`a[href="/tasks/${delivered.task}"]`) });
  const note = card.locator('.deliverer-gone');
  await note.waitFor();
  expect(await note.textContent()).toBe(`${dimaName}, now an account manager, can no longer work on it: sending it back returns it to them, so once it is back, reassign it on its page.`);
  expect(await note.getByRole('link', { name: 'on its page' }).getAttribute('href')).toBe(`/tasks/${delivered.task}`);
  await shootDeskAndNarrowPhone(portal(), page, 'holder-role-changed-review');

  await note.getByRole('link', { name: 'on its page' }).click();
  const here = page.locator('#act .deliverer-gone');
  await here.waitFor();
  expect(await here.textContent()).toBe(`${dimaName}, now an account manager, can no longer work on it: sending it back returns it to them, so once it is back, reassign it here.`);
  await page.locator('#review-comment').fill('Warmer colours, please');
  await page.getByRole('button', { name: 'Send back' }).click();
  await page.getByText('Sent back with your comment.').waitFor();
  const holderGone = page.locator('.holder-gone');
  await holderGone.waitFor();
  expect(await holderGone.textContent()).toBe(`Held by ${dimaName}, now an account manager: nobody else in Design can take it until you reassign it.Reassign it`);
  expect(await page.locator('.deliverer-gone').count()).toBe(0);
});

step('someone removed from the people file while the project page is open reads as gone at the next minute’s read, without a reload', async () => {
  const h = harness();
  const watcher = await open('manager', `/projects/${olgas.projectId}`);
  const { page } = watcher;
  // The page's timers on a clock the test moves: the minute passes at once.
  await watcher.context.clock.install();
  await page.reload();
  const assignee = taskRow(page, '#tasks', olgas.task).locator('td[data-label="Assignee"]');
  await assignee.getByText(olgaName).waitFor();
  expect(await assignee.textContent()).toBe(olgaName);

  await removeFromPeopleFile(h, h.people.designer2.id);
  await page.clock.fastForward(30_000);
  await page.waitForTimeout(500);
  expect(await assignee.textContent()).toBe(olgaName);
  await page.clock.fastForward(30_000);
  await assignee.locator('a.badge-link').waitFor();
  expect(await assignee.textContent()).toBe(`${h.people.designer2.id} No longer here: reassign it`);
});
