/**
 * People who left kept by name (the people file's `formerPeople`), in a real headless Chromium on
 * the real stack. Dima, a designer, holds a task; Olga, another, holds one too. Then the people file
 * moves Dima to `formerPeople` (his name and the day he left kept) and drops Olga altogether (the
 * API's directory follows it). Both are gone by the same rule, but the portal names Dima where it
 * said his id: the project's tasks, the task page's note ("Dima Kozlov, who left on 30 Nov 2026"),
 * its history, the portfolio's "Work of people no longer here" and the work in hand it leads to;
 * Olga still reads by her id. Without a day kept he "has left"; when the list of those who left
 * cannot be read, ids show as before and nothing else changes. The work in hand reached from the
 * portfolio marks the portfolio in the top bar, not the KPIs.
 */
import type { Page } from 'playwright-core';
import { claimedDesignTask, openDesignTask } from '../support/api';
import { browserTestOrSkip, portalSuite, shootDeskAndNarrowPhone, type PersonPage } from '../support/browser';
import { changePeopleFile, removeFromPeopleFile } from '../support/people-file';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('people who left, named by the name the people file keeps');

let manager: PersonPage;
const suffix = uniqueId('f').slice(-6);
/** Dima holds its design task; he leaves, kept by name. */
const dimas = { title: `Kept by name ${suffix}`, projectId: '', task: '' };
/** Olga holds its design task; she leaves, not kept. */
const olgas = { title: `Not kept ${suffix}`, projectId: '', task: '' };

const LEFT_ON = '2026-11-30';
let dimaName: string;
let dimaId: string;
let olgaId: string;
/** The day he left as the portal writes it in this browser ("30 Nov 2026"). */
let leftOnShown: string;

const { open, harness, portal } = portalSuite({
  followPeopleFile: true,
  seed: async (h) => {
    dimaId = h.people.designer.id;
    olgaId = h.people.designer2.id;
    dimaName = h.directory.get(dimaId)!.name;
    ({ projectId: dimas.projectId, designTask: dimas.task } = await claimedDesignTask(h, dimas.title));
    ({ projectId: olgas.projectId, designTask: olgas.task } = await openDesignTask(h, olgas.title));
    await h.http().post(`/api/tasks/${olgas.task}/claim`).set(h.auth('designer2')).send({}).expect(200);
    await removeFromPeopleFile(h, dimaId, { leftOn: LEFT_ON });
    await removeFromPeopleFile(h, olgaId);
    await eventually(async () => h.directory.formerPeople().length === 1, { what: 'Dima kept by name' });
  },
});

const taskRow = (page: Page, taskId: string) => page.locator('#tasks tbody tr', { has: page.locator(`a[href="/tasks/${taskId}"]`) });
/** The window back in front, as when the person comes back to it from another window. */
const backInFront = (page: Page) => page.evaluate("window.dispatchEvent(new Event('focus'))");
/** The top bar's entries marked as where the person is, with how ("page" or "true"). */
const marked = (page: Page) =>
  page.locator('header.topbar nav a[aria-current]').evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('aria-current')]));

step('the project page names the designer who left by his kept name, his task flagged as before', async () => {
  manager = await open('manager', `/projects/${dimas.projectId}`);
  const { page } = manager;
  leftOnShown = await page.evaluate((day) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(`${day}T12:00`)), LEFT_ON);
  expect(leftOnShown).toBe('30 Nov 2026');
  const assignee = taskRow(page, dimas.task).locator('td[data-label="Assignee"]');
  await assignee.locator('a.badge-link').waitFor();
  // Named once the list of those who left is read (a moment after the directory).
  const claimed = page.locator('#timeline li', { hasText: 'Task claimed' }).locator('.timeline-detail');
  await eventually(async () => (await claimed.textContent()) === `Home page design (${dimaName})`, { what: 'Dima named in the timeline' });
  // The badge says when he left, as the task page does (someone nobody kept reads "No longer here").
  expect(await assignee.textContent()).toBe(`${dimaName} Left on ${leftOnShown}: reassign it`);
  await shootDeskAndNarrowPhone(portal(), page, 'former-people-project');
});

step('the task page says who held it and when he left, and its history names him', async () => {
  const { page } = manager;
  await taskRow(page, dimas.task).getByRole('link', { name: `Left on ${leftOnShown}: reassign it` }).click();
  const note = page.locator('.holder-gone');
  await note.waitFor();
  expect(await page.locator('#history li', { hasText: 'claimed' }).locator('.muted').allTextContents()).toEqual([` by ${dimaName}`]);
  expect(await note.textContent()).toBe(`Held by ${dimaName}, who left on ${leftOnShown}: nobody else in Design can take it until you reassign it.Reassign it`);
  await shootDeskAndNarrowPhone(portal(), page, 'former-people-task');
});

step('without a day kept he “has left”, read again as the window comes back, with no reload', async () => {
  const h = harness();
  const { page } = manager;
  changePeopleFile(h, (file) => ({ ...file, formerPeople: [{ id: dimaId, name: dimaName }] }));
  await eventually(async () => h.directory.formerPeople()[0]?.leftOn === undefined, { what: 'the day he left dropped' });
  await backInFront(page);
  const note = page.locator('.holder-gone');
  await note.getByText(`Held by ${dimaName}, who has left:`).waitFor();
  changePeopleFile(h, (file) => ({ ...file, formerPeople: [{ id: dimaId, name: dimaName, leftOn: LEFT_ON }] }));
  await eventually(async () => h.directory.formerPeople()[0]?.leftOn === LEFT_ON, { what: 'the day he left kept again' });
  await backInFront(page);
  await note.getByText(`Held by ${dimaName}, who left on ${leftOnShown}:`).waitFor();
});

step('someone removed without being kept still reads by her id', async () => {
  const { page } = manager;
  await page.goto(`${portal().baseUrl}/tasks/${olgas.task}`);
  const note = page.locator('.holder-gone');
  await note.waitFor();
  expect(await note.textContent()).toBe(`Held by ${olgaId}, who is no longer in the people directory: nobody else in Design can take it until you reassign it.Reassign it`);
  expect(await page.locator('#history li', { hasText: 'claimed' }).locator('.muted').allTextContents()).toEqual([` by ${olgaId}`]);
});

step('when the list of those who left cannot be read, his id shows as before and the page works', async () => {
  const { page } = manager;
  await page.route('**/api/people/former', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Busy', status: 503 }) }));
  const failed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/people/former' && r.status() === 503);
  await page.goto(`${portal().baseUrl}/tasks/${dimas.task}`);
  await failed;
  const note = page.locator('.holder-gone');
  await note.waitFor();
  expect(await note.textContent()).toBe(`Held by ${dimaId}, who is no longer in the people directory: nobody else in Design can take it until you reassign it.Reassign it`);
  await page.unroute('**/api/people/former');
});

step('the portfolio’s “Work of people no longer here” names him and when he left; her by id; the work in hand it leads to is marked as the portfolio’s in the top bar', async () => {
  const { page } = manager;
  await page.goto(`${portal().baseUrl}/projects`);
  const warning = page.locator('section.people-gone');
  await warning.waitFor();
  await eventually(async () => (await warning.locator('li').count()) === 2, { what: 'both holders listed' });
  expect((await warning.locator('li').allTextContents()).sort()).toEqual(
    [`${dimaName} (left on ${leftOnShown}) — 1 task in work: reassign it there.`, `${olgaId} — 1 task in work: reassign it there.`].sort(),
  );
  await shootDeskAndNarrowPhone(portal(), page, 'former-people-portfolio');

  await warning.getByRole('link', { name: `${dimaName} (left on ${leftOnShown}) — 1 task in work` }).click();
  await page.getByRole('heading', { name: `In work — ${dimaName}` }).waitFor();
  expect(await marked(page)).toEqual([['Portfolio', 'true']]);
  await shootDeskAndNarrowPhone(portal(), page, 'former-people-workload');
  // Reached from the KPI page (no way back to the portfolio in its address): the KPIs' list.
  await page.goto(`${portal().baseUrl}/kpis/workload?assignee=${dimaId}&state=in_work`);
  await page.getByRole('heading', { name: `In work — ${dimaName}` }).waitFor();
  expect(await marked(page)).toEqual([['KPIs', 'true']]);
});
