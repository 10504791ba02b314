/**
 * "Give all their tasks in work to…", in a real headless Chromium on the real stack: a designer
 * holds two tasks of the manager's projects and leaves (removed from the people file, which the
 * API follows). The manager opens that designer's work in hand, as the portfolio's "Work of
 * people no longer here" leads there, gives both to the other designer at once, and the list is
 * empty; leadership reads the same page without the form (a task is moved by its project's manager).
 */
import { claimedDesignTask } from '../support/api';
import { browserTestOrSkip, portalSuite, shootDeskAndNarrowPhone, type PersonPage } from '../support/browser';
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

step('leadership reads the work in hand without the form: a task is moved by its project’s manager', async () => {
  const leadership = await open('leadership', workInHand);
  await leadership.page.locator('.workload-totals').waitFor();
  expect(await form(leadership).count()).toBe(0);
});

step('the manager gives both to the other designer at once; the list is empty after, and the tasks are theirs', async () => {
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
  await page.getByRole('button', { name: 'Give 2 tasks' }).click();
  await page.getByText(`2 tasks given to ${otherDesignerName}.`).waitFor();
  await page.getByText(`No task is in work for ${h.people.designer.id}`).waitFor();
  expect(await form(manager).count()).toBe(0);
  await shootDeskAndNarrowPhone(portal(), page, 'reassign-all-done');
  for (const task of tasks) {
    expect((await h.http().get(`/api/tasks/${task}`).set(h.auth('manager')).expect(200)).body).toMatchObject({ assigneeId: h.people.designer2.id, status: 'claimed' });
  }
});
