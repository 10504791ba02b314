/**
 * The staff member's task page and inbox when the work moves under their hands, in a real headless
 * Chromium against the real stack: a task reassigned (or its project cancelled) while the designer
 * types a delivery says what happened in people's words and keeps what was typed to copy until it
 * is dismissed; a delivery refused for that reads the same, never "Forbidden" or an id. The
 * history names people, not ids. A cancelled project's task says so first. After Claim and
 * Deliver the focus lands somewhere, not on the page's body; Claim buttons and the "You took"
 * message name the project, since several projects have a task of the same title. The inbox's
 * Accepted tab lists the person's own accepted work, newest accepted first, and only there; older
 * accepted work comes a page at a time under the list ("Show older"), each task once. The
 * client's date on a task page is a day, never a time of day. A fix sent back for a complaint
 * after completion says so: the complaint it answers and the accepted work it redoes, never the
 * client's long-past date nor "due after" it.
 */
import type { Page } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { claimedDesignTask, openDesignTask, completedProject, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, holdReads, PHONE, shootDesktopAndPhone, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const browserTest = browserTestOrSkip('the staff task page when the task moves under the person');

let h: ApiHarness;
let portal: Portal;
const pages: PersonPage[] = [];
const title = `Staff task ${uniqueId('s').slice(-6)}`;

/** Refusals provoked on purpose below: a delivery of a task reassigned meanwhile; a page of older accepted work. */
const PROVOKED = [/status of 403 .*\/api\/tasks\/p-[a-z2-7]+\.design-home\/submit\b/, /status of 503 .*\/api\/tasks\?status=accepted&.*pageToken=/];

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
});

afterAll(async () => {
  for (const p of pages) expect(unexpectedErrors(p.errors, PROVOKED)).toEqual([]);
  await portal?.close();
  await h?.close();
});

const nameOf = (who: 'manager' | 'designer' | 'designer2') => h.directory.get(h.people[who].id)!.name;

async function open(who: Parameters<Portal['openAs']>[0], startAt?: string, viewport?: { width: number; height: number }): Promise<PersonPage> {
  const p = await portal.openAs(who, { startAt, ...(viewport && { viewport }) });
  pages.push(p);
  return p;
}

/** The element that has the focus (the tests' compiler knows no DOM: the browser's types are spelled out). */
interface Focusable {
  tagName: string;
  id: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
}
/**
 * Read once the page has painted and run its effects: the portal moves the focus in an effect
 * after the render (Preact runs those after the next frame), so a read the moment the DOM changed
 * can come before it (seen in CI: "" where the focus was about to be).
 */
const focused = (page: Page) =>
  page.evaluate(async () => {
    const browser = globalThis as unknown as { document: { activeElement: Focusable | null }; requestAnimationFrame(f: () => void): void };
    for (let frame = 0; frame < 2; frame++) await new Promise<void>((settle) => browser.requestAnimationFrame(() => setTimeout(settle, 0)));
    const el = browser.document.activeElement;
    return el ? { tag: el.tagName, id: el.id, text: (el.textContent ?? '').trim(), href: el.getAttribute('href') ?? undefined } : undefined;
  });

const SUMMARY = 'Palette, typography and three hero variants — twenty minutes of notes.';
const LINKS = 'https://files.example/key-visual-v1\nhttps://files.example/key-visual-v2';

async function typeDelivery(page: Page): Promise<void> {
  await page.locator('#deliver-summary').fill(SUMMARY);
  await page.locator('#deliver-links').fill(LINKS);
}

browserTest('reassigned while the designer types: the page says who gave it to whom, keeps the typed text to copy until dismissed; the history names people', async () => {
  const { designTask } = await claimedDesignTask(h, `${title} reassigned`);
  const designer = await open('designer', `/tasks/${designTask}`);
  const { page } = designer;
  await typeDelivery(page);
  await h.http().post(`/api/tasks/${designTask}/reassign`).set(h.auth('manager')).send({ assigneeId: h.people.designer2.id }).expect(200);

  // The next poll: said, not just swapped.
  const note = page.locator('#act-now[role="alert"]');
  await note.waitFor({ timeout: 15_000 });
  expect(await note.textContent()).toBe(`${nameOf('manager')} gave this task to ${nameOf('designer2')}. What you typed was not sent; it is below, to copy.`);
  expect(await page.locator('#lost-summary').inputValue()).toBe(SUMMARY);
  expect(await page.locator('#lost-links').inputValue()).toBe(LINKS);
  expect(await page.locator('#lost-summary').getAttribute('readonly')).not.toBeNull();
  await page.getByText(`Assignee: ${nameOf('designer2')}`).waitFor();
  // The history in people's words: "Dima Kozlov → Olga Morozova", not their ids.
  const reassigned = page.locator('.timeline li', { hasText: 'Reassigned' });
  expect(await reassigned.locator('.timeline-detail').textContent()).toBe(`${nameOf('designer')} → ${nameOf('designer2')}`);
  expect(await page.locator('main').textContent()).not.toContain(h.people.designer2.id);
  await portal.screenshot(page, 'staff-task-reassigned-while-typing');
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, 'staff-task-reassigned-while-typing-phone');

  // Still there at the next polls; gone once dismissed.
  await page.waitForTimeout(5_000);
  expect(await page.locator('#lost-summary').inputValue()).toBe(SUMMARY);
  await page.getByRole('button', { name: 'Dismiss what I typed' }).click();
  await page.locator('#lost-summary').waitFor({ state: 'detached' });
  expect(await page.locator('#act-now').textContent()).toBe(`${nameOf('designer2')} is working on this.`);
  expect((await focused(page))?.id).toBe('act-now');
});

browserTest('a delivery refused because the task was reassigned meanwhile reads in people’s words, never “Forbidden” or an id, and keeps the text', async () => {
  const { designTask } = await claimedDesignTask(h, `${title} refused delivery`);
  const designer = await open('designer', `/tasks/${designTask}`);
  const { page } = designer;
  await typeDelivery(page);
  // The page cannot learn of the reassignment before Deliver is clicked.
  const release = await holdReads(page, (path) => path === `/api/tasks/${designTask}`);
  await h.http().post(`/api/tasks/${designTask}/reassign`).set(h.auth('manager')).send({ assigneeId: h.people.designer2.id }).expect(200);
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  await release();

  await page.getByRole('heading', { name: 'Not delivered' }).waitFor();
  const note = page.locator('#act-now[role="alert"]');
  expect(await note.textContent()).toBe(`${nameOf('manager')} gave this task to ${nameOf('designer2')}. What you typed was not sent; it is below, to copy.`);
  expect(await page.locator('#lost-summary').inputValue()).toBe(SUMMARY);
  const text = (await page.locator('main').textContent()) ?? '';
  expect(text).not.toMatch(/Forbidden|only the assignee/);
  expect(text).not.toContain(h.people.designer2.id);
  // The header no longer says the task is the designer's.
  await page.getByText(`Assignee: ${nameOf('designer2')}`).waitFor();
  // The note has the focus the form had.
  expect((await focused(page))?.id).toBe('act-now');
  await portal.screenshot(page, 'staff-task-delivery-refused-reassigned');
});

browserTest('the project cancelled while the designer types: the cancellation comes first, with its reason; the typed text is kept', async () => {
  const { projectId, designTask } = await claimedDesignTask(h, `${title} cancelled`);
  const designer = await open('designer', `/tasks/${designTask}`);
  const { page } = designer;
  await typeDelivery(page);
  await h.http().post(`/api/projects/${projectId}/cancel`).set(h.auth('manager')).send({ reason: 'The client froze the marketing budget.' }).expect(200);

  const cancelled = page.locator('.callout[role="note"]', { hasText: 'The project was cancelled' });
  await cancelled.waitFor({ timeout: 30_000 });
  expect(await cancelled.textContent()).toMatch(/^The project was cancelled on .+: no further work is needed on this task\.Reason: The client froze the marketing budget\.$/);
  // First on the page, before the work and its facts; those facts in the past tense.
  expect(await page.locator('main .callout').first().textContent()).toBe(await cancelled.textContent());
  await page.getByText('Was with you', { exact: true }).waitFor();
  expect(await page.getByText('Assignee: you').count()).toBe(0);
  expect(await page.locator('#act-now').textContent()).toBe('This task was cancelled with its project. What you typed was not sent; it is below, to copy.');
  expect(await page.locator('#lost-summary').inputValue()).toBe(SUMMARY);
  await portal.screenshot(page, 'staff-task-cancelled-while-typing');
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, 'staff-task-cancelled-while-typing-phone');

  // Opened afresh: the cancellation, and nothing to act on.
  const later = await open('designer', `/tasks/${designTask}`);
  await later.page.locator('.callout[role="note"]', { hasText: 'The project was cancelled' }).waitFor();
  expect(await later.page.locator('#act').count()).toBe(0);
  await portal.screenshot(later.page, 'staff-task-cancelled');
});

browserTest('the client’s date on a task page is a day, as the rest of the portal gives it: never a time of day', async () => {
  const { projectId, designTask } = await openDesignTask(h, `${title} client date`);
  const { desiredDeadline } = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as { desiredDeadline: string };
  const designer = await open('designer', `/tasks/${designTask}`);
  const { page } = designer;
  const request = page.locator('#builds-on').getByText(/wants the project by/);
  await request.waitFor({ timeout: 15_000 });
  // As the project page and the portfolio's cards write it (the browser's en-GB locale, in Berlin).
  const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'Europe/Berlin' }).format(new Date(desiredDeadline));
  expect(await request.textContent()).toBe(`ACME Ltd wants the project by ${day}.`);
  await shootDesktopAndPhone(portal, page, 'staff-task-client-date');
});

browserTest('Claim in the inbox names the project; the focus goes to the next row, not the page’s body; after Deliver to what the page says now', async () => {
  const [first, second] = [`${title} inbox A`, `${title} inbox B`];
  const { designTask: firstTask, projectId: firstProject } = await openDesignTask(h, first);
  const { designTask: secondTask } = await openDesignTask(h, second);
  const designer = await open('designer', '/inbox?view=open');
  const { page } = designer;
  // Two "Home page design" rows: each Claim button says whose project.
  const claimFirst = page.getByRole('button', { name: `Claim Home page design — ${first}`, exact: true });
  await claimFirst.waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: `Claim Home page design — ${second}`, exact: true }).waitFor();
  // Each row says the project and its client, as the Accepted tab does.
  expect(await page.locator('.task-item', { has: page.locator(`a[href="/tasks/${secondTask}"]`) }).locator('.task-item-main .muted').first().textContent()).toBe(`${second} · ACME Ltd`);

  await claimFirst.focus();
  await page.keyboard.press('Enter');
  await page.getByText(`You took “Home page design” (${first}). It is in Mine now.`).waitFor();
  await page.locator(`.task-list a[href="/tasks/${firstTask}"]`).waitFor({ state: 'detached' });
  // The row that took its place: the other project's task.
  expect(await focused(page)).toEqual({ tag: 'A', id: '', text: 'Home page design', href: `/tasks/${secondTask}` });
  await portal.screenshot(page, 'staff-inbox-after-claim');

  // Deliver on the task page: the form goes, the focus to what the page says instead.
  await page.goto(`${portal.baseUrl}/tasks/${firstTask}`);
  await page.locator('#deliver-summary').fill('Mock-ups, desktop and mobile.');
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  await page.getByText('Delivered; waiting for the manager’s review.').waitFor();
  expect(await focused(page)).toEqual({ tag: 'P', id: 'act-now', text: 'Delivered; waiting for the manager’s review.', href: undefined });
  // The task's history and the project's timeline say it as the pages do: delivered, not "submitted".
  await page.locator('.timeline .timeline-event', { hasText: /^Delivered$/ }).waitFor({ timeout: 30_000 });
  const manager = await open('manager', `/projects/${firstProject}`);
  await manager.page.locator('.timeline .timeline-event', { hasText: /^Task delivered$/ }).waitFor({ timeout: 30_000 });
  expect(await manager.page.locator('.timeline .timeline-event', { hasText: /submitted/i }).allTextContents()).toEqual(['Plan submitted']);
});

browserTest('Accepted: the work a designer delivered and the manager accepted, newest accepted first, with project, client and rounds; in no other tab, and never another’s', async () => {
  const accept = (task: string) => h.http().post(`/api/tasks/${task}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
  const deliver = (task: string, who: 'designer' | 'designer2' = 'designer') =>
    h.http().post(`/api/tasks/${task}/submit`).set(h.auth(who)).send({ summary: 'Mock-ups, desktop and mobile.', links: [] }).expect(200);
  // Three of the designer's, due in the order they were made; accepted in another order (the
  // first one last, after a round of changes), so neither due-date order is the accepted one.
  const [first, second, third] = [`${title} accepted 1`, `${title} accepted 2`, `${title} accepted 3`];
  const { designTask: firstTask } = await claimedDesignTask(h, first);
  const { designTask: secondTask } = await claimedDesignTask(h, second);
  const { designTask: thirdTask } = await claimedDesignTask(h, third);
  await deliver(firstTask);
  await h.http().post(`/api/tasks/${firstTask}/review`).set(h.auth('manager')).send({ decision: 'changes_requested', comment: 'A warmer palette, please.' }).expect(200);
  await deliver(secondTask);
  await accept(secondTask);
  await deliver(thirdTask);
  await accept(thirdTask);
  await deliver(firstTask);
  await accept(firstTask);
  // The other designer's, accepted too.
  const { designTask: theirTask } = await openDesignTask(h, `${title} accepted elsewhere`);
  await h.http().post(`/api/tasks/${theirTask}/claim`).set(h.auth('designer2')).send({}).expect(200);
  await deliver(theirTask, 'designer2');
  await accept(theirTask);

  const designer = await open('designer', '/inbox?view=accepted');
  const { page } = designer;
  const list = page.getByRole('list', { name: 'Accepted tasks' });
  await list.locator(`a[href="/tasks/${firstTask}"]`).waitFor({ timeout: 30_000 });
  // Of this test's tasks (others of the file's may be accepted too), in the order listed.
  const ours = new Set([firstTask, secondTask, thirdTask].map((t) => `/tasks/${t}`));
  const listed = (await Promise.all((await list.locator('a.task-title').all()).map((a) => a.getAttribute('href')))).filter((href) => ours.has(href ?? ''));
  expect(listed).toEqual([firstTask, thirdTask, secondTask].map((t) => `/tasks/${t}`));
  expect(await page.locator('nav.tabs a[aria-current="page"]').textContent()).toBe('Accepted');

  // Each with its project and client, its department, when it was accepted, and its rounds when it had any.
  const row = (task: string) => list.locator('li', { has: page.locator(`a[href="/tasks/${task}"]`) });
  const acceptedAt = (await h.http().get(`/api/tasks/${firstTask}`).set(h.auth('designer')).expect(200)).body.acceptedAt as string;
  expect(await row(firstTask).locator('a.task-title').textContent()).toBe('Home page design');
  expect(await row(firstTask).locator('.task-item-main .muted').textContent()).toBe(`${first} · ACME Ltd`);
  await row(firstTask).getByText('Design', { exact: true }).waitFor();
  expect(await row(firstTask).locator('time').getAttribute('datetime')).toBe(acceptedAt);
  expect(await row(firstTask).locator('.accepted-when').textContent()).toMatch(/^Accepted \d{1,2} \w{3,4} \d{4}, \d{2}:\d{2} .+, after 1 round of changes$/);
  expect(await row(secondTask).locator('.accepted-when').textContent()).toMatch(/^Accepted \d{1,2} \w{3,4} \d{4}, \d{2}:\d{2} [^,]+$/);
  expect(await page.locator('main').textContent()).toContain('Your accepted tasks, newest first.');
  // Never the other designer's accepted work.
  expect(await page.locator(`a[href="/tasks/${theirTask}"]`).count()).toBe(0);
  await portal.screenshot(page, 'staff-inbox-accepted');
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, 'staff-inbox-accepted-phone');

  // Accepted work is in no other tab.
  for (const label of ['Open', 'Mine', 'Delivered', 'Sent back', 'Coming up']) {
    await page.locator('nav.tabs a', { hasText: label }).click();
    await page.locator('nav.tabs a[aria-current="page"]', { hasText: label }).waitFor();
    expect(await page.locator(`main a[href="/tasks/${firstTask}"], main a[href="/tasks/${secondTask}"], main a[href="/tasks/${thirdTask}"]`).count()).toBe(0);
  }
  // Without a view in the address the inbox opens on work to do, not on Accepted.
  const fresh = await open('designer', '/inbox');
  await fresh.page.locator('nav.tabs a', { hasText: 'Accepted' }).waitFor();
  expect(await fresh.page.locator('nav.tabs a[aria-current="page"]').textContent()).toMatch(/^(Open|Mine) \d+$/);

  // The other designer sees theirs, and not the first designer's.
  const other = await open('designer2', '/inbox?view=accepted');
  await other.page.getByRole('list', { name: 'Accepted tasks' }).locator(`a[href="/tasks/${theirTask}"]`).waitFor({ timeout: 30_000 });
  expect(await other.page.locator(`a[href="/tasks/${firstTask}"]`).count()).toBe(0);

  // Someone with nothing accepted yet reads so, in words.
  const copywriter = await open('copywriter', '/inbox?view=accepted');
  await copywriter.page.getByText('Nothing of yours has been accepted yet. Work you deliver shows here once its manager accepts it.').waitFor();
  await portal.screenshot(copywriter.page, 'staff-inbox-accepted-empty');
});

browserTest('Accepted, older work: “Show older” adds the next page under the list, each task once, and goes when there is none; a failed page is said and can be asked again; a refresh brings new work in on top and keeps the pages added', async () => {
  const acceptedFor = async (projectTitle: string) => {
    const { designTask } = await openDesignTask(h, projectTitle);
    await h.http().post(`/api/tasks/${designTask}/claim`).set(h.auth('designer2')).send({}).expect(200);
    await h.http().post(`/api/tasks/${designTask}/submit`).set(h.auth('designer2')).send({ summary: 'Banners, three sizes.', links: [] }).expect(200);
    await h.http().post(`/api/tasks/${designTask}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
    return designTask;
  };
  const oldest = await acceptedFor(`${title} older 1`);
  const middle = await acceptedFor(`${title} older 2`);
  const newest = await acceptedFor(`${title} older 3`);

  const designer = await open('designer2', '/inbox');
  const { page } = designer;
  // The tab asks the list for 100 at a time (its pageSize); here for 2, so that three accepted
  // tasks make pages (a hundred and one would take minutes to make). A page of older work can be
  // made to fail, as a reporting store that does not answer would.
  let refuseOlderPage = false;
  await page.route(
    (url) => url.pathname === '/api/tasks' && url.searchParams.get('status') === 'accepted',
    async (route) => {
      const url = new URL(route.request().url());
      if (refuseOlderPage && url.searchParams.has('pageToken')) {
        refuseOlderPage = false;
        const problem = { type: 'about:blank', title: 'Reporting store unavailable', status: 503, detail: 'The reporting store does not answer. Retry in a moment.' };
        await route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify(problem) });
        return;
      }
      url.searchParams.set('pageSize', '2');
      await route.continue({ url: url.toString() });
    },
  );
  await page.locator('nav.tabs a', { hasText: 'Accepted' }).click();

  const list = page.getByRole('list', { name: 'Accepted tasks' });
  const hrefs = () => list.locator('a.task-title').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  await list.locator(`a[href="/tasks/${middle}"]`).waitFor({ timeout: 30_000 });
  expect(await hrefs()).toEqual([newest, middle].map((t) => `/tasks/${t}`));
  expect(await page.locator('main').textContent()).toContain('Your last 2 accepted tasks, newest first.');
  const showOlder = page.getByRole('button', { name: 'Show older' });
  await portal.screenshot(page, 'staff-inbox-accepted-show-older');

  // A page that does not come: said under the list in words, nothing added, the button there to try again.
  refuseOlderPage = true;
  await showOlder.click();
  const refused = page.locator('.problem', { hasText: 'Could not load your older accepted work' });
  await refused.waitFor();
  expect(await refused.textContent()).toContain('The reporting store does not answer. Retry in a moment.');
  expect(await hrefs()).toEqual([newest, middle].map((t) => `/tasks/${t}`));
  await portal.screenshot(page, 'staff-inbox-accepted-older-refused');
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, 'staff-inbox-accepted-older-refused-phone');
  await page.setViewportSize(DESKTOP);

  // Again: the next page under the list (after it, this designer's task accepted in the test
  // before, when that ran), the focus on its first row; nothing older, so no button.
  await showOlder.click();
  await list.locator(`a[href="/tasks/${oldest}"]`).waitFor();
  await refused.waitFor({ state: 'detached' });
  expect((await hrefs()).slice(0, 3)).toEqual([newest, middle, oldest].map((t) => `/tasks/${t}`));
  expect((await focused(page))?.href).toBe(`/tasks/${oldest}`);
  expect(await showOlder.count()).toBe(0);
  expect(await page.locator('main').textContent()).toContain('Your accepted tasks, newest first.');

  // Accepted meanwhile: on top at the tab's next refresh (every 15 s), the page added kept below it
  // — with the task the newest page no longer holds — and every task once.
  const latest = await acceptedFor(`${title} older 4`);
  await list.locator(`a[href="/tasks/${latest}"]`).waitFor({ timeout: 40_000 });
  const all = await hrefs();
  expect(new Set(all).size).toBe(all.length);
  expect(all.slice(0, 4)).toEqual([latest, newest, middle, oldest].map((t) => `/tasks/${t}`));
  expect(await showOlder.count()).toBe(0);
  await portal.screenshot(page, 'staff-inbox-accepted-older-shown');
  await page.setViewportSize(PHONE);
  await portal.screenshot(page, 'staff-inbox-accepted-older-shown-phone');
});

browserTest('a fix sent back for a complaint after completion: the inbox lists it, its page says so, with the complaint and the accepted work it redoes, and no client’s date nor “due after” it; claimed and delivered there', async () => {
  const projectTitle = `${title} complaint fix`;
  // Its one design task due in minutes, well before the client's date (a month ahead); accepted
  // by the client and paid in full: completed, hearing complaints for long enough for the test.
  const { projectId } = await completedProject(h, projectTitle, '10m');
  const get = async () => (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;

  const complaintText = 'The hero banner is cut off on phones';
  await h.http().post(`/api/projects/${projectId}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: complaintText }).expect(200);
  const complaint = await eventually(async () => (await get()).complaints[0], { what: 'the complaint', timeoutMs: 30_000 });
  const instruction = 'Re-crop the hero for 390 px screens; keep the logo clear of the fold';
  // Due after the client's date: a page reading it as ordinary work would call it late for the client.
  const dueAt = new Date(Date.now() + 40 * 86_400_000).toISOString();
  await h.http().post(`/api/projects/${projectId}/complaints/${complaint.complaintId}/rework`).set(h.auth('manager')).send({ departments: ['design'], description: instruction, dueAt }).expect(200);
  const fix = `${projectId}.${complaint.complaintId}.design`;
  await waitForTask(h, fix, 'open');
  const project = await get();
  const original = project.tasks.find((t) => t.key === 'design-home')!;
  expect([Date.parse(original.dueAt) < Date.parse(project.desiredDeadline), Date.parse(project.tasks.find((t) => t.taskId === fix)!.dueAt) > Date.parse(project.desiredDeadline)]).toEqual([true, true]);
  // Known to the store the page reads its context from (a task started a moment ago may not be yet).
  await eventually(async () => (await h.http().get(`/api/tasks/${fix}/context`).set(h.auth('designer'))).status === 200, { what: 'the fix task’s context' });

  // The designer's inbox lists it among the open work, named for what it is, with its project.
  const designer = await open('designer', '/inbox?view=open');
  const { page } = designer;
  const row = page.locator('.task-item', { has: page.locator(`a[href="/tasks/${fix}"]`) });
  await row.waitFor({ timeout: 30_000 });
  expect(await row.locator('a.task-title').textContent()).toBe('Fix for a complaint (Design)');
  expect(await row.locator('.task-item-main .muted').first().textContent()).toBe(`${projectTitle} · ACME Ltd`);
  await row.getByRole('button', { name: `Claim Fix for a complaint (Design) — ${projectTitle}`, exact: true }).waitFor();
  await portal.screenshot(page, 'staff-inbox-complaint-fix');

  // Its page: a fix for a complaint, the complaint it answers, the accepted work it redoes.
  await row.locator('a.task-title').click();
  await page.getByRole('heading', { name: 'Fix for a complaint (Design)', level: 1 }).waitFor();
  const buildsOn = page.locator('#builds-on');
  await buildsOn.getByRole('heading', { name: 'Reworks “Home page design” (Design)' }).waitFor({ timeout: 20_000 });
  expect(await page.locator('.page-header .meta-row .badge').allTextContents()).toContain('Fix for a complaint');
  const day = (iso: string) => page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(at)), iso);
  const heading = buildsOn.getByRole('heading', { name: 'The client’s complaint' });
  expect(await heading.count()).toBe(1);
  expect(await heading.locator('xpath=following-sibling::p[1]').textContent()).toBe(
    `ACME Ltd complained on ${await day(complaint.at)}, after the project was completed: this task puts it right, free of charge.`,
  );
  expect(await heading.locator('xpath=following-sibling::blockquote[1]').textContent()).toBe(complaintText);
  // The design it redoes, as accepted: by whom, and what was delivered.
  const reworked = buildsOn.locator('.builds-on li');
  expect(await reworked.count()).toBe(1);
  expect(await reworked.locator('p.muted').textContent()).toMatch(new RegExp(`^Accepted .+; delivered by ${nameOf('designer')}:$`));
  expect(await reworked.locator('blockquote').textContent()).toBe('Done');
  // The client's date, long past, says nothing about a fix: not given, and the fix not "late" for it.
  const said = (await page.locator('main').textContent()) ?? '';
  expect([said.includes('wants the project by'), said.includes('Due after the client’s date')]).toEqual([false, false]);
  await shootDesktopAndPhone(portal, page, 'staff-task-complaint-fix');

  // Claimed and delivered from the page, as any task.
  await page.getByRole('button', { name: 'Claim this task' }).click();
  await page.locator('#deliver-summary').fill('The hero re-cropped for phones; the logo clear of the fold.');
  await page.locator('#deliver-links').fill('https://files.example/hero-phone');
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  await page.getByText('Delivered; waiting for the manager’s review.').waitFor();
  expect((await h.http().get(`/api/tasks/${fix}`).set(h.auth('designer')).expect(200)).body).toMatchObject({ status: 'submitted', assigneeId: h.people.designer.id });
});
