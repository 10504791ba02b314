/**
 * The portal's edges, in a real headless Chromium against the real stack: a person never sees
 * another department's tasks or another manager's projects, not even by typing the address;
 * signing out locks every page (and the old cookie opens nothing); a refused action shows the
 * API's message at the field it names (in the plan editor, with the task it names, until that
 * field is edited or the task that caused it no longer does; in both forms listed as the form
 * reads, in the words the field says); the menu marks the page that is open as the current page,
 * and on a page reached from an entry (a project's, a plan's, a task's, a KPI drill-down) that
 * entry as current; typed work is not left by the browser's Back without asking;
 * the sign-in page is interactive within a second and can be used with the keyboard alone, focus
 * always visible; no page logs a console error. A claim someone else won first says which task and
 * who took it; a delivery's link without http(s):// is refused in plain words, and every bad link
 * of a delivery is named in one refusal; a task's long title is cut short in the plan editor's
 * refusals and its "Depends on" choices; the inbox opens where the person's work is, and "N overdue" leads to it.
 * Another department's task names its department from the refusal's `department` member, not its words.
 */
import os from 'node:os';
import type { Route } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { claimedDesignTask, openDesignTask, planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, holdReads, localIn, PHONE, routeUntilStopped, shootDesktopAndPhone, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const browserTest = browserTestOrSkip('the portal boundary checks');

let h: ApiHarness;
let portal: Portal;
const pages: PersonPage[] = [];
const title = `Boundary check ${uniqueId('b').slice(-6)}`;
let projectId: string;
let designTask: string;

/** Refusals provoked on purpose below: their network lines are the only console errors allowed. */
const PROVOKED = [
  /status of 403 .*\/api\/(projects\/p-[a-z2-7]+|tasks\/p-[a-z2-7]+\.design-home)\b/,
  /status of 400 .*\/api\/tasks\/p-[a-z2-7]+\.(design|copy)-home\b/,
  /status of 400 .*\/api\/projects\/p-[a-z2-7]+\/plan\/decision\b/,
  /status of 400 .*\/api\/projects\/p-[a-z2-7]+\/plan\)/,
  /status of 400 .*\/api\/projects\)/,
  /status of 409 .*\/api\/tasks\/p-[a-z2-7]+\.design-home\/claim\b/, // a claim someone else won first
];

const DAY = 86_400_000;

beforeAll(async () => {
  h = await startApiHarness();
  // The manager's approved project through the API: its design task open for the design department.
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title })).expect(201);
  projectId = (created.body as ProjectStatus).projectId;
  await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  designTask = `${projectId}.design-home`;
  await waitForTask(h, designTask, 'open');
  portal = await startPortal(h);
});

afterAll(async () => {
  for (const p of pages) expect(unexpectedErrors(p.errors, PROVOKED)).toEqual([]);
  await portal?.close();
  await h?.close();
});

async function open(who: Parameters<Portal['openAs']>[0], startAt?: string): Promise<PersonPage> {
  const p = await portal.openAs(who, { startAt });
  pages.push(p);
  return p;
}

browserTest('the sign-in page is interactive within a second of navigation', async () => {
  // Cold loads (a new browser context: nothing cached), best of five, since other work on this
  // machine can stall any single one; then a returning visitor's load (assets cached for good).
  const cold: Load[] = [];
  let warm: Load | undefined;
  for (let i = 0; i < 5 && !(cold.some((l) => l.readyAt < 1_000) && warm); i++) {
    const visitor = await portal.anonymous();
    pages.push(visitor);
    cold.push(await measureLoad(visitor, '/login'));
    if (!warm) {
      warm = await measureLoad(visitor, '/login');
      expect(await accessibilityProblems(visitor.page)).toEqual([]);
    }
    await visitor.context.close();
  }
  withinBudget('cold', cold);
  withinBudget('returning', [warm!]);
});

interface Load {
  /** Wall-clock ms from navigation until the first page was rendered with its handlers. */
  readyAt: number;
  /** CPU ms the page's main thread used for it. */
  cpuMs: number;
}

/** A load of the page, timed by the app's own stamp and the renderer's CPU time (DevTools Protocol). */
async function measureLoad(visitor: PersonPage, path: string): Promise<Load> {
  const cdp = await visitor.context.newCDPSession(visitor.page);
  await cdp.send('Performance.enable');
  const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? 0;
  const before = visitor.page.url().startsWith('http') ? await threadTime() : 0;
  await visitor.page.goto(`${portal.baseUrl}${path}`);
  await visitor.page.locator('html[data-ready="yes"]').waitFor();
  await visitor.page.locator('#login-token').waitFor();
  const readyAt = Number(await visitor.page.locator('html').getAttribute('data-ready-at'));
  const cpuMs = Math.round(((await threadTime()) - before) * 1000);
  await cdp.detach();
  return { readyAt, cpuMs };
}

/**
 * Within a second of wall-clock time. When the machine is saturated by other work (load average
 * above twice its cores), wall-clock time measures the queue for a CPU rather than the page: then
 * the page's own main-thread work must fit in the second, and the test says so.
 */
function withinBudget(what: string, loads: Load[]): void {
  const best = loads.reduce((a, b) => (b.readyAt < a.readyAt ? b : a));
  if (best.readyAt < 1_000) return;
  const load = os.loadavg()[0];
  const saturated = load > 2 * os.cpus().length;
  const detail = `${what} loads of the sign-in page: ${loads.map((l) => `${l.readyAt} ms (${l.cpuMs} ms CPU)`).join(', ')}; load average ${load.toFixed(1)} on ${os.cpus().length} cores`;
  if (!saturated) throw new Error(`over the 1 s budget: ${detail}`);
  console.warn(`The machine is saturated; checking the page's own work instead of wall-clock time. ${detail}`);
  expect(Math.min(...loads.map((l) => l.cpuMs))).toBeLessThan(1_000);
}

browserTest('a manager never sees another manager’s projects, not even by their address', async () => {
  const other = await open('otherManager', '/projects');
  const { page } = other;
  await page.getByRole('heading', { name: 'My portfolio' }).waitFor();
  // Loaded: the other manager has no project of their own, so their portfolio says so (no tiles).
  await page.locator('.portfolio-first-run').waitFor();
  expect(await page.getByText(title).count()).toBe(0);

  await page.goto(`${portal.baseUrl}/projects/${projectId}`);
  const refusal = page.locator('.problem');
  await refusal.waitFor();
  expect(await refusal.textContent()).toMatch(/Forbidden.*managed by .+ now/);
  expect(await page.getByText('Spring campaign').count()).toBe(0);

  await page.goto(`${portal.baseUrl}/tasks/${designTask}`);
  await page.locator('.problem').waitFor();
  expect(await page.locator('.problem').textContent()).toMatch(/Forbidden.*managed by .+ now/);
});

browserTest('staff never see another department’s tasks, and the managers’ pages are not theirs', async () => {
  const copywriter = await open('copywriter', '/inbox');
  const { page } = copywriter;
  await page.getByRole('heading', { name: 'Copywriting inbox' }).waitFor();
  for (const view of ['open', 'mine', 'submitted', 'sent-back']) {
    await page.goto(`${portal.baseUrl}/inbox?view=${view}`);
    await page.locator('.task-list, .empty').first().waitFor();
    expect([view, await page.locator(`a[href="/tasks/${designTask}"]`).count()]).toEqual([view, 0]);
  }
  // Their department's own work shows (the copy task waits for design, so it is not open yet).
  await page.goto(`${portal.baseUrl}/tasks/${projectId}.copy-home`);
  await page.getByText('Waiting for the work it depends on.').waitFor();

  await page.goto(`${portal.baseUrl}/tasks/${designTask}`);
  await page.getByRole('heading', { name: 'Another department’s task' }).waitFor();
  expect(await page.locator('.other-department').textContent()).toMatch(/belongs to the Design department, and you work in Copywriting/);
  await shootDesktopAndPhone(portal, page, 'other-departments-task');
  // The department is the refusal's `department` member, not read out of its words: reworded, the page still names it.
  const reworded = async (route: Route) => {
    const answer = await route.fetch();
    await route.fulfill({ response: answer, body: JSON.stringify({ ...((await answer.json()) as object), detail: 'Not yours to open.' }) });
  };
  const stopRewording = await routeUntilStopped(page, `**/api/tasks/${designTask}`, reworded);
  await page.reload();
  await page.getByRole('heading', { name: 'Another department’s task' }).waitFor();
  expect(await page.locator('.other-department p').first().textContent()).toBe(
    'This task belongs to the Design department, and you work in Copywriting: only its own department’s people open it.',
  );
  await stopRewording();

  await page.goto(`${portal.baseUrl}/projects/${projectId}`);
  await page.getByRole('heading', { name: 'Not for your role' }).waitFor();
  await page.goto(`${portal.baseUrl}/targets`);
  await page.getByRole('heading', { name: 'Not for your role' }).waitFor();
  expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Inbox']);
});

browserTest('a refused action shows the API’s message at the field it names', async () => {
  const manager = await open('manager', `/tasks/${designTask}`);
  const { page } = manager;
  await page.getByRole('heading', { name: 'Move the due date' }).waitFor();
  // Due well before the client's date: its header marks nothing (once the client's date is read, with the request).
  await page.getByRole('heading', { name: 'The client’s request' }).waitFor();
  expect(await page.locator('.page-header').getByText(/after the client’s date/).count()).toBe(0);
  await page.locator('#move-dueAt').fill('2020-01-01T10:00');
  await page.getByRole('button', { name: 'Move due date' }).click();
  const reason = page.locator('#move-reason-error');
  await reason.waitFor();
  expect(await reason.textContent()).toBe('required'); // the API's "expected string to have >=1 characters", in words
  expect(await page.locator('#move-reason').getAttribute('aria-describedby')).toContain('move-reason-error');

  await page.locator('#move-reason').fill('Client is late with the photos');
  await page.getByRole('button', { name: 'Move due date' }).click();
  const due = page.locator('#move-dueAt-error');
  await due.waitFor();
  expect(await due.textContent()).toContain('the new due date must be in the future');
  expect(await page.locator('#move-reason-error').count()).toBe(0);
  await portal.screenshot(page, '20-refused-at-field');
  expect(await accessibilityProblems(page)).toEqual([]);

  // The reassign picker offers the task's department only, by name.
  const options = await page.locator('#reassign-assignee option').allTextContents();
  expect(options).toEqual(['Choose a person', 'Dima Kozlov', 'Olga Morozova']);
  await page.locator('#reassign-assignee').selectOption({ label: 'Olga Morozova' });
  await page.getByRole('button', { name: 'Reassign' }).click();
  await page.getByText('Assignee: Olga Morozova').waitFor();
  // The task changed: the move form's refusal from before no longer stands.
  expect(await page.locator('#move-dueAt-error').count()).toBe(0);

  // Past the client's date (30 days off): said at the field before the move and in the message after
  // it. (The copy task, which nothing waits for: the design task may not move past it.)
  await page.goto(`${portal.baseUrl}/tasks/${projectId}.copy-home`);
  await page.getByRole('heading', { name: 'Move the due date' }).waitFor();
  await page.locator('#move-dueAt').fill(localIn(40 * DAY));
  expect(await page.locator('#move-dueAt-hint').textContent()).toMatch(/^After the client’s date \(.+\): late for the client$/);
  await page.locator('#move-reason').fill('The client asked for more pages');
  await page.getByRole('button', { name: 'Move due date' }).click();
  const flash = page.locator('.flash');
  await flash.getByText(/^Due date moved, to after the client’s date \(.+\)\.$/).waitFor();
  // Its header marks it now, for the manager and for the department's staff.
  const lateMark = (p: PersonPage['page']) => p.locator('.page-header .badge', { hasText: /^Due after the client’s date \(.+\)$/ });
  await lateMark(page).waitFor();
  await portal.screenshot(page, '20a-moved-past-the-client-date', { fullPage: false });
  const copywriter = await open('copywriter', `/tasks/${projectId}.copy-home`);
  await lateMark(copywriter.page).waitFor();
  expect(await lateMark(copywriter.page).textContent()).toBe(await lateMark(page).textContent());
  await copywriter.page.setViewportSize(PHONE);
  await portal.screenshot(copywriter.page, '20c-staff-task-due-after-the-client-date-phone', { fullPage: false });
  expect(await accessibilityProblems(copywriter.page)).toEqual([]);
  // The next attempt is refused: the success message of the one before does not stay above it.
  await page.locator('#move-dueAt').fill('2020-01-01T10:00');
  await page.locator('#move-reason').fill('Typo');
  await page.getByRole('button', { name: 'Move due date' }).click();
  await page.locator('#move-dueAt-error').waitFor();
  expect(await flash.textContent()).toBe('');
  // The refused field, edited, no longer says what was wrong with it.
  await page.locator('#move-dueAt').fill(localIn(5 * DAY));
  expect(await page.locator('#move-dueAt-error').count()).toBe(0);
  expect(await page.locator('#move-dueAt-hint').count()).toBe(0);
  await portal.screenshot(page, '20b-refusal-after-a-move', { fullPage: false });
});

browserTest('a plan’s refusal stays with the task it names when another is removed, and goes once that field is edited', async () => {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} plan refused` })).expect(201);
  const { page } = await open('manager', `/projects/${(created.body as ProjectStatus).projectId}/plan`);
  await page.locator('#plan-tasks-0-title').fill('Scratch');
  await page.locator('#plan-tasks-0-estimateHours').fill('1');
  await page.locator('#plan-tasks-0-price').fill('10');
  await page.getByRole('button', { name: 'Add a task' }).click();
  await page.locator('#plan-tasks-1-estimateHours').fill('2'); // no title: refused there
  await page.locator('#plan-tasks-1-price').fill('20');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.locator('#plan-tasks-1-title-error').getByText('required').waitFor();

  // The first task goes: the untitled one is Task 1 now, and the refusal goes with it.
  await page.getByRole('button', { name: 'Remove task 1' }).click();
  expect(await page.locator('#plan-tasks-1-title').count()).toBe(0);
  expect(await page.locator('#plan-tasks-0-title-error').textContent()).toBe('required');
  expect(await page.locator('#plan-tasks-0-title').getAttribute('aria-invalid')).toBe('true');
  const link = page.locator('.problem a', { hasText: 'Task 1: Title' });
  expect(await link.getAttribute('href')).toBe('#plan-tasks-0-title');
  expect(await page.locator('#plan-tasks-0-price-error').count()).toBe(0);

  // Typed: the refusal was about the empty title, which is not there any more.
  await page.locator('#plan-tasks-0-title').fill('Landing page');
  await page.locator('#plan-tasks-0-title-error').waitFor({ state: 'detached' });
  expect(await page.locator('.problem').count()).toBe(0);
  expect(await page.locator('#plan-tasks-0-title').getAttribute('aria-invalid')).toBeNull();
});

browserTest('a plan’s refusal caused by another task goes once that task no longer causes it: removed, or its key, date or dependencies changed', async () => {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} caused by another` })).expect(201);
  const { page } = await open('manager', `/projects/${(created.body as ProjectStatus).projectId}/plan`);
  const task = async (i: number, t: { title: string; key?: string; dueIn: number; dependsOn?: string }) => {
    if (i > 0) await page.getByRole('button', { name: 'Add a task' }).click();
    await page.locator(`#plan-tasks-${i}-title`).fill(t.title);
    if (t.key) await page.locator(`#plan-tasks-${i}-key`).fill(t.key);
    await page.locator(`#plan-tasks-${i}-estimateHours`).fill('2');
    await page.locator(`#plan-tasks-${i}-dueAt`).fill(localIn(t.dueIn));
    await page.locator(`#plan-tasks-${i}-price`).fill('100');
    if (t.dependsOn) await page.locator(`#plan-tasks-${i}-dependsOn`).getByLabel(t.dependsOn, { exact: true }).check();
  };
  await task(0, { title: 'Research', dueIn: 5 * DAY });
  await task(1, { title: 'Write-up', key: 'shared', dueIn: 3 * DAY, dependsOn: 'Research' });
  await task(2, { title: 'Summary', key: 'shared', dueIn: 4 * DAY });
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.locator('#plan-tasks-1-dueAt-error').getByText(/^due before its dependency "Research" is due/).waitFor();
  await page.locator('#plan-tasks-2-key-error').getByText('duplicate task key "shared"').waitFor();

  // Research moved but still due after the write-up: the refusal still holds.
  await page.locator('#plan-tasks-0-dueAt').fill(localIn(4 * DAY));
  expect(await page.locator('#plan-tasks-1-dueAt-error').textContent()).toMatch(/^due before its dependency "Research"/);

  // Research removed: the write-up (Task 1 now) waits for nothing, so its date is no longer refused.
  await page.getByRole('button', { name: 'Remove task 1' }).click();
  await page.locator('#plan-tasks-0-dueAt-error').waitFor({ state: 'detached' });
  expect(await page.locator('#plan-tasks-0-dueAt').getAttribute('aria-invalid')).toBeNull();
  expect(await page.locator('#plan-tasks-1-key-error').textContent()).toBe('duplicate task key "shared"');
  expect(await page.locator('.problem li').allTextContents()).toEqual(['Task 2 (Summary): Key: duplicate task key "shared"']);
  await portal.screenshot(page, '22-plan-editor-cause-removed');
  expect(await accessibilityProblems(page)).toEqual([]);

  // The write-up's key changed: the summary's key is nobody else's now.
  await page.locator('#plan-tasks-0-key').fill('write-up');
  await page.locator('#plan-tasks-1-key-error').waitFor({ state: 'detached' });
  expect(await page.locator('#plan-tasks-1-key').getAttribute('aria-invalid')).toBeNull();
  expect(await page.locator('.problem').count()).toBe(0);

  // Each waits for the other: the cycle is refused at the write-up, and goes once the summary no
  // longer waits for it; the write-up's date (before the summary's) goes once the summary's moves.
  await page.locator('#plan-tasks-0-dependsOn').getByLabel('Summary', { exact: true }).check();
  await page.locator('#plan-tasks-1-dependsOn').getByLabel('Write-up', { exact: true }).check();
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.locator('#plan-tasks-0-dependsOn-error').getByText('dependency cycle: write-up → shared → write-up').waitFor();
  await page.locator('#plan-tasks-0-dueAt-error').getByText(/^due before its dependency "Summary" is due/).waitFor();
  await page.locator('#plan-tasks-1-dependsOn').getByLabel('Write-up', { exact: true }).uncheck();
  await page.locator('#plan-tasks-0-dependsOn-error').waitFor({ state: 'detached' });
  expect(await page.locator('#plan-tasks-0-dueAt-error').count()).toBe(1);
  await page.locator('#plan-tasks-1-dueAt').fill(localIn(2 * DAY));
  await page.locator('#plan-tasks-0-dueAt-error').waitFor({ state: 'detached' });
  expect(await page.locator('.problem').count()).toBe(0);
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.getByText('Plan version 1 is waiting for leadership’s decision').waitFor();
});

browserTest('a plan’s refusal naming a task of 200 characters shows its title cut short, at the field and in the list, and still goes once it no longer applies', async () => {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} long title` })).expect(201);
  const { page } = await open('manager', `/projects/${(created.body as ProjectStatus).projectId}/plan`);
  const long = 'Market research: competitors, audiences, channels and prices in every region the client sells to, '.repeat(3).slice(0, 200);
  expect(long).toHaveLength(200);
  // Its first 59 characters and an ellipsis: enough to tell which task, not a wall of text.
  const cut = `${long.slice(0, 59).trimEnd()}…`;
  const task = async (i: number, t: { title: string; dueIn: number; price?: string }) => {
    if (i > 0) await page.getByRole('button', { name: 'Add a task' }).click();
    await page.locator(`#plan-tasks-${i}-title`).fill(t.title);
    await page.locator(`#plan-tasks-${i}-estimateHours`).fill('2');
    await page.locator(`#plan-tasks-${i}-dueAt`).fill(localIn(t.dueIn));
    if (t.price) await page.locator(`#plan-tasks-${i}-price`).fill(t.price);
    // The choice names the long task as the refusals do, cut short (the whole title on hover).
    if (i > 0) await page.locator(`#plan-tasks-${i}-dependsOn`).getByLabel(cut, { exact: true }).check();
  };
  // The research has no price; the two tasks that wait for it are due before it.
  await task(0, { title: long, dueIn: 5 * DAY });
  await task(1, { title: 'Write-up', dueIn: 3 * DAY, price: '100' });
  await task(2, { title: 'Summary', dueIn: 4 * DAY, price: '100' });
  // "Depends on" offers the long task cut short, whole in its title; a short title as it is.
  const choice = page.locator('#plan-tasks-2-dependsOn label.choice');
  expect(await choice.allTextContents()).toEqual([cut, 'Write-up']);
  expect(await choice.first().locator('[title]').getAttribute('title')).toBe(long);
  expect(await choice.nth(1).locator('[title]').count()).toBe(0);
  await page.locator('#plan-tasks-2-dependsOn').scrollIntoViewIfNeeded();
  await portal.screenshot(page, '22c-plan-editor-long-title-depends-on');
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, '22c-plan-editor-long-title-depends-on-phone');
  await page.setViewportSize(DESKTOP);
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  const dueBefore = `due before its dependency "${cut}" is due; it can start only once that one is done`;
  await page.locator('#plan-tasks-1-dueAt-error').getByText(dueBefore, { exact: true }).waitFor();
  expect(await page.locator('#plan-tasks-2-dueAt-error').textContent()).toBe(dueBefore);
  const box = page.locator('.problem');
  expect(await box.locator('li').allTextContents()).toEqual([`Task 1 (${cut}): Price: required`, `Task 2 (Write-up): Due: ${dueBefore}`, `Task 3 (Summary): Due: ${dueBefore}`]);
  expect(await box.textContent()).not.toContain(long);
  // The task's own heading says which it is the same way; its title field holds it whole.
  expect(await page.locator('fieldset.plan-task legend').first().textContent()).toBe(`Task 1: ${cut}`);
  expect(await page.locator('#plan-tasks-0-title').inputValue()).toBe(long);
  await portal.screenshot(page, '22b-plan-editor-long-title-refusals');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, '22b-plan-editor-long-title-refusals-phone');
  // The research moved before both: the refusals it caused go (told from the API's whole title, not the one shown).
  await page.locator('#plan-tasks-0-dueAt').fill(localIn(2 * DAY));
  await page.locator('#plan-tasks-1-dueAt-error').waitFor({ state: 'detached' });
  expect(await page.locator('#plan-tasks-2-dueAt-error').count()).toBe(0);
  expect(await box.locator('li').allTextContents()).toEqual([`Task 1 (${cut}): Price: required`]);
});

browserTest('the new-project form lists its refusals in the order of its fields, top to bottom', async () => {
  const { page } = await open('manager', '/projects/new');
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  // A blank title (refused after the schema's checks) and two policies the schema orders the other way round.
  await page.locator('#np-title').fill('   ');
  await page.getByText('Policies for this project (optional)').click();
  await page.getByLabel('Remind me of a request still without a plan after').fill('soon');
  await page.getByLabel('Remind leadership of an undecided plan after').fill('later');
  await page.getByRole('button', { name: 'Open the project' }).click();
  const box = page.locator('.problem');
  await box.waitFor();
  const lines = await box.locator('li').allTextContents();
  expect(lines.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
    'Client name',
    'Client id',
    'Client email',
    'Project title',
    'Brief',
    'Departments needed',
    'Budget',
    'Client wants it by',
    'Remind me of a request still without a plan after',
    'Remind leadership of an undecided plan after',
  ]);
  // In the words the field itself uses ("required"), as the other empty fields read: not the schema's "required: a number".
  expect(lines).toContain('Budget: required');
  expect(await page.locator('#np-budget-amount-error').textContent()).toBe('required');
  await portal.screenshot(page, '23-new-project-refusals-in-form-order');
  expect(await accessibilityProblems(page)).toEqual([]);
});

browserTest('the plan editor lists its refusals as the rows read: task by task from the top, each task’s fields in the order of its columns', async () => {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} refusals in order` })).expect(201);
  const { page } = await open('manager', `/projects/${(created.body as ProjectStatus).projectId}/plan`);
  // The API names the schema's refusals first (a task's key before its title), then the plan
  // rules' (a date in the past, the prepayment): the list must not read in that order.
  await page.locator('#plan-tasks-0-title').fill('Research');
  await page.locator('#plan-tasks-0-estimateHours').fill('3');
  await page.locator('#plan-tasks-0-dueAt').fill('2020-01-01T10:00'); // in the past; no price
  await page.getByRole('button', { name: 'Add a task' }).click();
  await page.locator('#plan-tasks-1-key').fill('Not a key'); // and no title
  await page.locator('#plan-tasks-1-estimateHours').fill('2');
  // Two prices that cannot be read: both are said at once, at their fields, and nothing is sent.
  await page.locator('#plan-tasks-0-price').fill('abc');
  await page.locator('#plan-tasks-1-price').fill('12,5x');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.locator('#plan-tasks-0-price-error').getByText(/not an amount/).waitFor();
  expect(await page.locator('#plan-tasks-1-price-error').textContent()).toMatch(/not an amount/);
  expect(await page.locator('#plan-total').textContent()).toMatch(/without 2 prices that cannot be read/);
  await page.locator('#plan-tasks-0-price').fill('');
  await page.locator('#plan-tasks-1-price').fill('100');
  // A prepayment over the total: refused at the field as typed, never worked out into an amount.
  await page.locator('#plan-prepaymentPercent').fill('150');
  expect(await page.locator('#plan-prepaymentPercent-error').textContent()).toBe('must be between 0 and 100');
  expect(await page.locator('#plan-prepayment').textContent()).not.toContain('€');
  await portal.screenshot(page, '23a-plan-editor-prepayment-refused-as-typed');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.locator('#plan-tasks-0-dueAt-error').waitFor();
  const box = page.locator('.problem');
  await box.waitFor();
  expect(await box.locator('li').allTextContents()).toEqual([
    'Task 1 (Research): Due: this due date is in the past',
    'Task 1 (Research): Price: required',
    'Task 2: Title: required',
    'Task 2: Key: expected 1-40 lower-case letters, digits, "-" or "_"',
    'Prepayment: must be between 0 and 100',
  ]);
  await portal.screenshot(page, '23b-plan-editor-refusals-in-row-order');
  expect(await accessibilityProblems(page)).toEqual([]);
});

browserTest('the menu marks the page the person is on as the current page, and on a page reached from an entry (a project’s, a plan’s, a task’s, a KPI’s drill-down) that entry as current: one entry at most', async () => {
  // Each marked entry with how: "page" for the entry's own page, "true" (current, not the current page) for a page it leads to.
  const marked = (p: PersonPage) =>
    p.page
      .getByRole('navigation', { name: 'Main' })
      .locator('[aria-current]')
      .evaluateAll((links) => links.map((a) => `${a.textContent ?? ''}: ${a.getAttribute('aria-current') ?? ''}`));
  const visit = async (p: PersonPage, path: string, heading: string | RegExp, expected: string[]) => {
    await p.page.goto(`${portal.baseUrl}${path}`);
    await p.page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
    expect([path, await marked(p)]).toEqual([path, expected]);
  };
  const manager = await open('manager', '/projects');
  await visit(manager, '/projects', 'My portfolio', ['Portfolio: page']);
  // Its own entry only, though under /projects.
  await visit(manager, '/projects/new', 'New project', ['New project: page']);
  // The heading counts the deliveries waiting: "Review queue (0)".
  await visit(manager, '/review', /^Review queue( \(\d+\))?$/, ['Review queue: page']);
  await visit(manager, '/late-work', 'Late work', ['Late work: page']);
  await visit(manager, `/projects/${projectId}`, title, ['Portfolio: true']);
  await portal.screenshot(manager.page, '24-menu-on-a-project-page', { fullPage: false });
  await visit(manager, `/projects/${projectId}/plan`, `Plan for ${title}`, ['Portfolio: true']);
  await visit(manager, `/tasks/${designTask}`, 'Home page design', ['Portfolio: true']);
  await visit(manager, '/kpis/deliveries', /.+/, ['KPIs: true']);
  await visit(manager, '/kpis/money', /.+/, ['KPIs: true']);
  // A page of no entry (the mail settings, beside the name) marks none.
  await visit(manager, '/settings/mail', 'Your mail', []);
  const leader = await open('leadership', '/approvals');
  await visit(leader, `/projects?manager=${h.people.manager.id}`, 'Portfolio', ['Portfolio: page']);
  // The heading counts the plans: "Plans awaiting your decision (2)".
  await visit(leader, '/approvals', /^Plans awaiting your decision( \(\d+\))?$/, ['Approvals: page']);
  await visit(leader, '/late-work', 'Late work', ['Late work: page']);
  await visit(leader, `/projects/${projectId}`, title, ['Portfolio: true']);
  await visit(leader, `/tasks/${designTask}`, 'Home page design', ['Portfolio: true']);
  await visit(leader, '/kpis/workload', /.+/, ['KPIs: true']);
  const copywriter = await open('copywriter', '/inbox');
  await visit(copywriter, '/inbox?view=mine', 'Copywriting inbox', ['Inbox: page']);
  await visit(copywriter, `/tasks/${projectId}.copy-home`, 'Home page copy', ['Inbox: true']);
});

browserTest('the browser’s Back asks before leaving typed work, and staying keeps it; with nothing typed it just goes back', async () => {
  const { page } = await open('manager', '/projects');
  await page.getByRole('heading', { name: 'My portfolio' }).waitFor();
  const asked: string[] = [];
  let stay = true;
  page.on('dialog', (d) => void (asked.push(d.message()), stay ? d.dismiss() : d.accept()));
  const path = () => new URL(page.url()).pathname + new URL(page.url()).hash;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New project' }).click();
  await page.getByRole('heading', { name: 'New project' }).waitFor();

  // Nothing typed: Back and Forward as ever, no question.
  await page.goBack();
  await page.getByRole('heading', { name: 'My portfolio' }).waitFor();
  await page.goForward();
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  expect(asked).toEqual([]);

  await page.locator('#np-client-name').fill('Back Button Ltd');
  // The skip link moves within the page: Back from it stays on the form without a question.
  await page.locator('.skip-link').focus();
  await page.keyboard.press('Enter');
  await eventually(async () => (path() === '/projects/new#main' ? true : undefined), { what: 'the skip link followed' });
  await page.goBack();
  await eventually(async () => (path() === '/projects/new' ? true : undefined), { what: 'back from the skip link' });
  expect(asked).toEqual([]);

  // Back with typed work asks; staying keeps the page, its address and what was typed.
  await page.goBack();
  await eventually(async () => (asked.length === 1 && path() === '/projects/new' ? true : undefined), { what: 'Back asked and stayed' });
  expect(asked[0]).toMatch(/has not been sent/);
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  expect(await page.locator('#np-client-name').inputValue()).toBe('Back Button Ltd');
  expect(await page.getByRole('heading', { name: 'My portfolio' }).count()).toBe(0);

  // Asked again, and leaving this time: the portfolio, and Forward opens an empty form (nothing asked).
  stay = false;
  await page.goBack();
  await page.getByRole('heading', { name: 'My portfolio' }).waitFor();
  expect(asked).toHaveLength(2);
  expect(path()).toBe('/projects');
  await page.goForward();
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  expect(await page.locator('#np-client-name').inputValue()).toBe('');
  await page.goBack();
  await page.getByRole('heading', { name: 'My portfolio' }).waitFor();
  expect(asked).toHaveLength(2);
});

browserTest('approving a plan whose due date passed while it waited needs a new date, asked at that task', async () => {
  const late = `Waited too long ${uniqueId('w').slice(-6)}`;
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: late })).expect(201);
  const id = (created.body as ProjectStatus).projectId;
  const plan = planRequest();
  const design = { ...(plan.tasks as Record<string, unknown>[])[0], dueAt: new Date(Date.now() + 4_000).toISOString() };
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send({ ...plan, tasks: [design] }).expect(200);
  await new Promise((r) => setTimeout(r, 4_500));

  const leader = await open('leadership', '/approvals');
  const { page } = leader;
  const card = page.locator('li.approval', { hasText: late });
  await card.waitFor({ timeout: 30_000 });
  const newDate = card.getByLabel(/New due date for “Home page design”/);
  await newDate.waitFor();
  await card.getByRole('button', { name: 'Approve' }).click();
  const refusal = card.locator(`[id="decision-${id}-due-design-home-error"]`);
  await refusal.waitFor();
  expect(await refusal.textContent()).toContain('has passed: give it a new due date');
  await portal.screenshot(page, '21-approval-due-date-passed');
  expect(await accessibilityProblems(page)).toEqual([]);

  const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
  const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' }).format(inTwoDays).replace(' ', 'T');
  await newDate.fill(local);
  await card.getByRole('button', { name: 'Approve' }).click();
  await card.waitFor({ state: 'detached' });
  // The tasks appear once the contract is written (an activity after the approval).
  const approved = await eventually(
    async () => {
      const s = (await h.http().get(`/api/projects/${id}`).set(h.auth('leadership')).expect(200)).body as ProjectStatus;
      return s.tasks.length > 0 ? s : undefined;
    },
    { what: 'the approved plan\u2019s tasks' },
  );
  expect(approved.stage).not.toBe('awaiting_approval');
  expect(Math.abs(Date.parse(approved.tasks[0].dueAt) - inTwoDays.getTime())).toBeLessThan(60_000);
});

browserTest('sign-in and the workspace work with the keyboard alone, focus always visible', async () => {
  const visitor = await portal.anonymous();
  pages.push(visitor);
  const { page } = visitor;
  const active = () => page.evaluate('document.activeElement.id || document.activeElement.textContent.trim()') as Promise<string>;
  const ring = () => page.evaluate('(s => `${s.outlineStyle} ${s.outlineWidth}`)(getComputedStyle(document.activeElement))') as Promise<string>;

  await page.goto(`${portal.baseUrl}/review`);
  await page.locator('#login-token').waitFor();
  // Tab to the token field, type, Enter.
  for (let i = 0; i < 5 && (await active()) !== 'login-token'; i++) await page.keyboard.press('Tab');
  expect(await active()).toBe('login-token');
  expect(await ring()).toBe('solid 3px');
  // Enter with nothing typed: what is missing is said at the field, and focus stays there; nothing is sent.
  const signIns: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/session') signIns.push(r.postData() ?? '');
  });
  await page.keyboard.press('Enter');
  await page.locator('#login-token-error').getByText(/^required/).waitFor();
  expect(await page.locator('#login-token').getAttribute('aria-invalid')).toBe('true');
  expect(await active()).toBe('login-token');
  expect(signIns).toEqual([]);
  await portal.screenshot(page, '25a-sign-in-empty-token', { fullPage: false });
  await page.keyboard.type(h.people.manager.token);
  expect(await page.locator('#login-token-error').count()).toBe(0);
  await page.keyboard.press('Enter');

  // Back on the page asked for, signed in, focus on its heading (read first by screen readers).
  await page.getByRole('heading', { name: 'Review queue' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/review');
  // The page moves the focus once it has drawn (a moment after the heading, on a busy machine).
  await eventually(async () => (/^Review queue( \(\d+\))?$/.test(await active()) ? true : undefined), { what: 'the focus on the heading', timeoutMs: 5_000, intervalMs: 50 });
  // Backwards through the top bar to the navigation, the ring visible on every stop.
  const stops: string[] = [];
  for (let i = 0; i < 8 && (await active()) !== 'Portfolio'; i++) {
    await page.keyboard.press('Shift+Tab');
    stops.push(await active());
    expect([await active(), await ring()]).toEqual([await active(), 'solid 3px']);
  }
  expect(stops).toEqual(['Sign out', 'Your mail', 'KPIs', 'New project', 'Late work', 'Review queue', 'Portfolio']);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'My portfolio' }).waitFor();

  // The skip link appears when focused and leads to the content.
  await page.locator('.skip-link').focus();
  expect((await page.locator('.skip-link').boundingBox())!.x).toBeGreaterThanOrEqual(0);
  await page.keyboard.press('Enter');
  expect(await page.evaluate('document.activeElement.id')).toBe('main');
});

browserTest('signing out locks every page, and the old session cookie opens nothing', async () => {
  const manager = await open('manager', `/projects/${projectId}`);
  const { page, context } = manager;
  await page.getByRole('heading', { name: title }).waitFor();
  const cookie = (await context.cookies()).find((c) => c.name === 'agencyflow_session')!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#login-token').waitFor();
  // The sign-in page shows first (the pages' polls stop), then the server ends the session.
  await eventually(async () => ((await context.cookies()).length === 0 ? true : undefined), { what: 'the session cookie cleared', timeoutMs: 5_000 });

  for (const path of ['/projects', `/projects/${projectId}`, `/projects/${projectId}/plan`, '/projects/new', `/tasks/${designTask}`, '/review', '/approvals', '/inbox', '/kpis', '/targets', '/']) {
    await page.goto(`${portal.baseUrl}${path}`);
    await page.locator('#login-token').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    expect([path, await page.getByText(title).count(), await page.locator('.topbar').count()]).toEqual([path, 0, 0]);
  }
  // The cookie as it was before signing out: the server ended that session.
  const replay = await context.request.get(`${portal.baseUrl}/api/projects/${projectId}`, { headers: { Cookie: `${cookie.name}=${cookie.value}` } });
  expect(replay.status()).toBe(401);
});

browserTest('a sign-in link whose next= points off the site lands on the person’s home page, never elsewhere', async () => {
  for (const next of ['/\\evil.example', '//evil.example/x', 'https://evil.example/']) {
    const manager = await open('manager', `/login?next=${encodeURIComponent(next)}`);
    await manager.page.getByRole('heading', { name: 'My portfolio' }).waitFor();
    const url = new URL(manager.page.url());
    expect([next, url.origin, url.pathname]).toEqual([next, portal.baseUrl, '/projects']);
    await manager.context.close();
  }
});

browserTest('at a phone’s width no page is wider than the screen: the menu wraps, a plan’s money is in words above its table, long words wrap', async () => {
  const phone = { width: 390, height: 844 };
  const widthOf = (p: PersonPage) => p.page.evaluate<number>('document.documentElement.scrollWidth');
  // A delivery with a word and a link longer than any screen, on the task the manager reviews.
  const { projectId: phoneProject, designTask: delivered } = await claimedDesignTask(h, `${title} on a phone`);
  await h
    .http()
    .post(`/api/tasks/${delivered}/submit`)
    .set(h.auth('designer'))
    .send({ summary: `Mock-ups: ${'A'.repeat(300)}`, links: [`https://files.example/${'b'.repeat(300)}`] })
    .expect(200);
  // A project whose title and client's name are single words longer than any screen.
  const longTitle = `Longtitle${'T'.repeat(120)}`;
  const longClient = { id: `${uniqueId('client')}`, name: `Longclient${'C'.repeat(120)}`, segment: 'B2B', email: 'long@acme.example' };
  const longProject = ((await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: longTitle, client: longClient })).expect(201)).body as ProjectStatus)
    .projectId;
  for (const [who, path, shows] of [
    ['manager', '/projects', 'My portfolio'],
    ['manager', `/tasks/${delivered}`, 'Review the delivery'],
    ['leadership', `/projects/${phoneProject}`, `${title} on a phone`],
    ['manager', `/projects/${longProject}`, longTitle],
    ['manager', `/projects/${longProject}/plan`, `Plan for ${longTitle}`],
  ] as const) {
    const person = await portal.openAs(who, { startAt: path, viewport: phone });
    pages.push(person);
    await person.page.getByRole('heading', { name: shows }).first().waitFor();
    // Every menu entry in sight, not scrolled away to the right.
    for (const link of await person.page.locator('.topbar nav a').all()) {
      const box = (await link.boundingBox())!;
      expect([await link.textContent(), box.x + box.width <= phone.width]).toEqual([await link.textContent(), true]);
    }
    expect([path, await widthOf(person)]).toEqual([path, phone.width]);
    if (path === `/projects/${phoneProject}`) await expect(person.page.locator('.plan-summary').first().textContent()).resolves.toMatch(/^Total €2,000\.00 · prepayment 0%/);
    await portal.screenshot(person.page, path.includes(longProject) ? `phone-long-words-${path.endsWith('/plan') ? 'plan' : 'project'}` : `phone-${who}-${path.split('/')[1]}`);
    await person.context.close();
  }
});

browserTest('giving a task back asks first, and says when what was typed for the delivery would be lost', async () => {
  const { designTask: task } = await claimedDesignTask(h, `${title} given back`);
  const designer = await open('designer', `/tasks/${task}`);
  const { page } = designer;
  await page.locator('#deliver-summary').fill('Half of the mock-ups');
  const asked: string[] = [];
  page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
  await page.getByRole('button', { name: 'Give back to the department' }).click();
  await eventually(async () => (asked.length > 0 ? true : undefined), { what: 'the question' });
  expect(asked[0]).toMatch(/What you typed for the delivery is not kept/);
  expect(((await h.http().get(`/api/tasks/${task}`).set(h.auth('designer')).expect(200)).body as { status: string }).status).toBe('claimed');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Give back to the department' }).click();
  await page.getByText('You gave the task back to the department.').waitFor();
  expect(((await h.http().get(`/api/tasks/${task}`).set(h.auth('designer')).expect(200)).body as { status: string }).status).toBe('open');
});

browserTest('a claim someone else won a moment before says so in people’s words — which task, and who — in the inbox and on the task page', async () => {
  const dima = h.directory.get(h.people.designer.id)!.name;
  const olga = await open('designer2', '/inbox');
  const { page } = olga;

  // In the inbox: the Claim button still shows (the list has not caught up) when Dima's claim lands.
  const { designTask: inInbox } = await openDesignTask(h, `${title} raced in the inbox`);
  const row = page.locator('.task-item', { has: page.getByRole('link', { name: 'Home page design' }) }).filter({ hasText: `${title} raced in the inbox` });
  const claim = row.getByRole('button', { name: /^Claim/ });
  await claim.waitFor({ timeout: 15_000 });
  let release = await holdReads(page, (path) => path.startsWith('/api/tasks'));
  await h.http().post(`/api/tasks/${inInbox}/claim`).set(h.auth('designer')).send({}).expect(200);
  await claim.click();
  await release();
  const problem = page.locator('.problem');
  await problem.waitFor();
  // The inbox holds tasks of many projects, several of the same title: the notice says which project's.
  expect(await problem.locator('p').allTextContents()).toEqual(['Already taken', `“Home page design” (${title} raced in the inbox) was taken by ${dima} a moment before you.`]);
  await row.waitFor({ state: 'detached' });
  await portal.screenshot(page, 'claim-race-inbox');

  // On the task page: the page turns to whose it is, and says that they were quicker.
  const { designTask: onPage } = await openDesignTask(h, `${title} raced on its page`);
  await page.goto(`${portal.baseUrl}/tasks/${onPage}`);
  const claimIt = page.getByRole('button', { name: 'Claim this task' });
  await claimIt.waitFor();
  release = await holdReads(page, (path) => path === `/api/tasks/${onPage}`);
  await h.http().post(`/api/tasks/${onPage}/claim`).set(h.auth('designer')).send({}).expect(200);
  await claimIt.click();
  await release();
  const said = page.locator('.callout[role="alert"]');
  await said.waitFor();
  expect(await said.textContent()).toBe(`${dima} took this task a moment before you; it is theirs now.`);
  expect(await page.getByRole('button', { name: 'Claim this task' }).count()).toBe(0);
  await portal.screenshot(page, 'claim-race-task');
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, 'claim-race-task-phone');
});

browserTest('a delivery’s link typed without http(s):// is refused at its field in plain words, offering the address it meant', async () => {
  const { designTask: task } = await claimedDesignTask(h, `${title} link without scheme`);
  const designer = await open('designer', `/tasks/${task}`);
  const { page } = designer;
  await page.locator('#deliver-summary').fill('Mock-ups, desktop and mobile');
  await page.locator('#deliver-links').fill('https://drive.example.com/landing-v1.pdf\nwww.figma.com/file/abc123');
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  const refusal = page.locator('#deliver-links-error');
  await refusal.waitFor();
  expect(await refusal.textContent()).toBe('Link 2: a web address starting with http:// or https:// — e.g. https://www.figma.com/file/abc123');
  expect(await page.locator('#deliver-links').getAttribute('aria-invalid')).toBe('true');
  await portal.screenshot(page, 'deliver-link-without-scheme');
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, 'deliver-link-without-scheme-phone');
  expect(((await h.http().get(`/api/tasks/${task}`).set(h.auth('designer')).expect(200)).body as { status: string }).status).toBe('claimed');
});

browserTest('a delivery with several bad links names every one at once, in the order they were typed, whatever is wrong with each', async () => {
  const { designTask: task } = await claimedDesignTask(h, `${title} several bad links`);
  const designer = await open('designer', `/tasks/${task}`);
  const { page } = designer;
  await page.locator('#deliver-summary').fill('Mock-ups, desktop and mobile');
  // One of another scheme first, one without a scheme, a good one, and a script.
  await page.locator('#deliver-links').fill('ftp://files.example.com/mockups.zip\nwww.figma.com/file/abc123\nhttps://drive.example.com/landing-v1.pdf\njavascript:alert(1)');
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  const refusal = page.locator('#deliver-links-error');
  await refusal.waitFor();
  expect(await refusal.textContent()).toBe(
    [
      // The API's two refusals (another scheme; no address at all) read alike.
      'Link 1: a web address starting with http:// or https://, not “ftp://files.example.com/mockups.zip”',
      'Link 2: a web address starting with http:// or https:// — e.g. https://www.figma.com/file/abc123',
      'Link 4: a web address starting with http:// or https://, not “javascript:alert(1)”',
    ].join('; '),
  );
  expect(await page.locator('#deliver-links').getAttribute('aria-invalid')).toBe('true');
  await portal.screenshot(page, 'deliver-several-bad-links');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, 'deliver-several-bad-links-phone');
  // All fixed in one go: delivered.
  await page.locator('#deliver-links').fill('https://files.example.com/mockups.zip\nhttps://www.figma.com/file/abc123\nhttps://drive.example.com/landing-v1.pdf');
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  await page.getByText('Delivered. The manager reviews it next.').waitFor();
  expect(((await h.http().get(`/api/tasks/${task}`).set(h.auth('designer')).expect(200)).body as { status: string }).status).toBe('submitted');
});

browserTest('the inbox opens where the person’s work is: Mine when nothing is open or something of theirs is overdue; “N overdue” opens the tab that work is in', async () => {
  // Two SEO tasks, the SEO department's only work here.
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} SEO`, departments: ['seo'] })).expect(201);
  const id = (created.body as ProjectStatus).projectId;
  const seoTask = (key: string, title: string) => ({ key, department: 'seo', title, estimateHours: 4, dueAt: new Date(Date.now() + 60 * 60_000).toISOString(), price: 400 });
  await h
    .http()
    .put(`/api/projects/${id}/plan`)
    .set(h.auth('manager'))
    .send(planRequest({ tasks: [seoTask('seo-audit', 'SEO audit'), seoTask('seo-keywords', 'Keyword research')] }))
    .expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const [audit, keywords] = [`${id}.seo-audit`, `${id}.seo-keywords`];
  await waitForTask(h, audit, 'open');
  await waitForTask(h, keywords, 'open');
  const inbox = async (path = '/inbox') => {
    const seo = await open('seo', path);
    await seo.page.getByRole('heading', { name: 'SEO inbox' }).waitFor();
    await seo.page.locator('.tabs').waitFor();
    return seo;
  };
  const current = async (seo: PersonPage) => (await seo.page.locator('.tabs a[aria-current="page"]').textContent())?.replace(/\s*\d+$/, '');
  const listed = (seo: PersonPage) => seo.page.locator('ul.task-list .task-title').allTextContents();
  const listsSay = (what: string, check: (items: { taskId: string; overdue?: boolean }[]) => boolean) =>
    eventually(async () => check(((await h.http().get('/api/tasks?assignee=me&status=claimed').set(h.auth('seo')).expect(200)).body as { items: { taskId: string; overdue?: boolean }[] }).items), { what, timeoutMs: 30_000 });

  // Both in hand, nothing open: Mine.
  await h.http().post(`/api/tasks/${audit}/claim`).set(h.auth('seo')).send({}).expect(200);
  await h.http().post(`/api/tasks/${keywords}/claim`).set(h.auth('seo')).send({}).expect(200);
  let seo = await inbox();
  await seo.page.getByRole('link', { name: 'SEO audit' }).waitFor();
  expect([await current(seo), (await listed(seo)).sort()]).toEqual(['Mine', ['Keyword research', 'SEO audit']]);
  await seo.context.close();

  // One given back: something to take, nothing late — Open.
  await h.http().post(`/api/tasks/${keywords}/release`).set(h.auth('seo')).send({}).expect(200);
  seo = await inbox();
  await seo.page.getByRole('button', { name: 'Claim Keyword research' }).waitFor();
  expect(await current(seo)).toBe('Open');
  await seo.context.close();

  // The one in hand falls overdue: Mine, though there is work to take; "1 overdue" opens Mine.
  await h.http().patch(`/api/tasks/${audit}`).set(h.auth('manager')).send({ dueAt: new Date(Date.now() + 2_000).toISOString(), reason: 'The client moved the launch' }).expect(200);
  await listsSay('the audit overdue in the lists', (items) => items.some((t) => t.taskId === audit && t.overdue === true));
  seo = await inbox();
  await seo.page.getByRole('link', { name: 'SEO audit' }).waitFor();
  expect(await current(seo)).toBe('Mine');
  const overdue = seo.page.locator('.page-header a.badge-link');
  expect([await overdue.textContent(), await overdue.getAttribute('href')]).toEqual(['1 overdue', '/inbox?view=mine']);
  await portal.screenshot(seo.page, 'inbox-overdue-opens-mine');
  await seo.page.getByRole('link', { name: 'Open 1' }).click();
  expect(await current(seo)).toBe('Open');
  await seo.page.getByRole('link', { name: '1 overdue' }).click();
  await seo.page.getByRole('link', { name: 'SEO audit' }).waitFor();
  expect([await current(seo), new URL(seo.page.url()).search]).toEqual(['Mine', '?view=mine']);
  await seo.page.setViewportSize(PHONE);
  await portal.screenshot(seo.page, 'inbox-overdue-opens-mine-phone');
  await seo.context.close();
});

browserTest('work sent back and then given back to the department shows as rework in the department’s Open list', async () => {
  const { designTask: task } = await claimedDesignTask(h, `${title} rework`);
  await h.http().post(`/api/tasks/${task}/submit`).set(h.auth('designer')).send({ summary: 'First mock-ups', links: [] }).expect(200);
  await h.http().post(`/api/tasks/${task}/review`).set(h.auth('manager')).send({ decision: 'changes_requested', comment: 'Bigger logo' }).expect(200);
  await h.http().post(`/api/tasks/${task}/release`).set(h.auth('designer')).send({}).expect(200);
  const colleague = await open('designer2', '/inbox');
  const row = colleague.page.locator('.task-item', { has: colleague.page.getByRole('link', { name: 'Home page design' }) }).filter({ hasText: `${title} rework` });
  await row.getByText('Rework · round 1').waitFor();
  expect(await row.getByRole('button', { name: /^Claim/ }).count()).toBe(1);
});
