/**
 * "Give all their tasks in work to…", in a real headless Chromium on the real stack: a designer
 * holds two tasks of the manager's projects and leaves (removed from the people file, which the
 * API follows). Leadership reads that designer's work in hand with the form for every project's
 * (none when narrowed to one manager's projects) and gives one task to the other designer from its
 * page; the manager opens the same work in hand, as the portfolio's "Work of people no longer
 * here" leads there, gives the rest to the other designer at once, and the list is empty.
 */
import { claimedDesignTask } from '../support/api';
import { browserTestOrSkip, focusedId, portalSuite, shootDeskAndNarrowPhone, type PersonPage } from '../support/browser';
import { removeFromPeopleFile } from '../support/people-file';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('giving all of someone’s tasks in work to someone else');

const tasks: string[] = [];
let otherDesignerName: string;
let workInHand: string;

const { open, harness, portal } = portalSuite({
  followPeopleFile: true,
  seed: async (h) => {
    otherDesignerName = h.directory.get(h.people.designer2.id)!.name;
    for (const n of [1, 2]) tasks.push((await claimedDesignTask(h, `Give all ${n} ${uniqueId('g').slice(-6)}`)).designTask);
    workInHand = `/kpis/workload?assignee=${h.people.designer.id}&state=in_work`;
    await eventually(
      async () => ((await h.http().get(`/api/tasks?assignee=${h.people.designer.id}&status=claimed`).set(h.auth('manager')).expect(200)).body.items as unknown[]).length === 2,
      { what: 'both tasks in work listed' },
    );
    // The designer leaves: removed from the people file, which the API follows.
    await removeFromPeopleFile(h, h.people.designer.id);
  },
});

const form = (p: PersonPage) => p.page.locator('.reassign-all');

step('leadership reads the work in hand with the form for every manager’s projects; narrowed to one manager’s, without it', async () => {
  const h = harness();
  const leadership = await open('leadership', workInHand);
  const { page } = leadership;
  await form(leadership).waitFor();
  expect(await form(leadership).locator('p').first().textContent()).toMatch(/^Each of their tasks in work, in every manager’s projects, goes to the person you choose/);
  expect(await page.getByRole('button', { name: 'Give 2 tasks' }).count()).toBe(1);
  expect(await page.locator('.workload-holder-gone').textContent()).toContain('Their tasks wait until each is reassigned, from its page or all at once below.');
  await shootDeskAndNarrowPhone(portal(), page, 'reassign-all-form-leadership');
  // One manager's projects: the form would move every project's, so it is not offered there.
  await page.goto(`${portal().baseUrl}${workInHand}&managerId=${h.people.manager.id}`);
  await page.locator('.workload-holder-gone', { hasText: 'from its page.' }).waitFor();
  expect(await form(leadership).count()).toBe(0);
});

step('leadership gives one task to the other designer from its page, led there by the note on whom it waits for', async () => {
  const h = harness();
  const leadership = await open('leadership', `/tasks/${tasks[0]}`);
  const { page } = leadership;
  await page.locator('.holder-gone').getByRole('button', { name: 'Reassign it' }).click();
  expect(await focusedId(page)).toBe('reassign-assignee');
  // Reviewing and moving the date stay the project's manager's.
  expect(await page.locator('#move-dueAt').count()).toBe(0);
  await page.locator('#reassign-assignee option', { hasText: otherDesignerName }).waitFor({ state: 'attached' });
  await page.locator('#reassign-assignee').selectOption({ label: otherDesignerName });
  await page.getByRole('button', { name: 'Reassign', exact: true }).click();
  await page.getByText('Reassigned.').waitFor();
  expect((await h.http().get(`/api/tasks/${tasks[0]}`).set(h.auth('leadership')).expect(200)).body).toMatchObject({ assigneeId: h.people.designer2.id, status: 'claimed' });
  await shootDeskAndNarrowPhone(portal(), page, 'reassign-task-leadership');
});

step('the manager gives the rest to the other designer at once; the list is empty after, and the tasks are theirs', async () => {
  const h = harness();
  const manager = await open('manager', workInHand);
  const { page } = manager;
  await form(manager).waitFor();
  expect(await page.locator('.workload-holder-gone').textContent()).toContain('Their tasks wait until each is reassigned, from its page or all at once below.');
  // The department's people still here, not the one who left.
  await page.locator('#reassign-all-to option', { hasText: otherDesignerName }).waitFor({ state: 'attached' });
  expect(await page.locator('#reassign-all-to option').allTextContents()).toEqual(['Choose a person', otherDesignerName]);
  expect(await page.locator('label[for="reassign-all-to"]').textContent()).toContain('Give them to (Design)');
  await shootDeskAndNarrowPhone(portal(), page, 'reassign-all-form');

  await page.locator('#reassign-all-to').selectOption({ label: otherDesignerName });
  await page.getByRole('button', { name: 'Give 1 task' }).click();
  await page.getByText(`1 task given to ${otherDesignerName}.`).waitFor();
  await page.getByText(`No task is in work for ${h.people.designer.id}`).waitFor();
  expect(await form(manager).count()).toBe(0);
  await shootDeskAndNarrowPhone(portal(), page, 'reassign-all-done');
  for (const task of tasks) {
    expect((await h.http().get(`/api/tasks/${task}`).set(h.auth('manager')).expect(200)).body).toMatchObject({ assigneeId: h.people.designer2.id, status: 'claimed' });
  }
  // Work still waiting for the work it builds on is nobody's yet: its date can move, it is given to nobody (the task refuses it).
  const waiting = tasks[0].replace(/\.design-home$/, '.copy-home');
  await page.goto(`${portal().baseUrl}/tasks/${waiting}`);
  await page.locator('#move-dueAt').waitFor();
  expect((await h.http().get(`/api/tasks/${waiting}`).set(h.auth('manager')).expect(200)).body).toMatchObject({ status: 'waiting' });
  expect(await page.locator('#reassign-assignee').count()).toBe(0);
});
