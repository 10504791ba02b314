/**
 * Work held by someone who has left, in a real headless Chromium on the real stack: a designer
 * claims a task and is removed from the people file (the API's directory follows it). Nobody else
 * in Design can claim it, so those who can act are told: the manager's project page flags the row
 * ("No longer here: reassign it", linked to the task), the task page says who holds it and that
 * they are no longer in the people directory — to the other designer with whom to ask, to the
 * manager with a button to the reassign form — and once the manager has given it to the other
 * designer from there, no page flags it. While the portal has not read the people list yet, nobody
 * reads as gone.
 */
import { claimedDesignTask } from '../support/api';
import { browserTestOrSkip, DESKTOP, focusedId, holdReads, portalSuite, shootDeskAndNarrowPhone, type PersonPage } from '../support/browser';
import { removeFromPeopleFile } from '../support/people-file';
import { uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('work held by someone no longer in the people directory');

let manager: PersonPage;
let projectId: string;
let designTask: string;
const title = `Holder gone ${uniqueId('g').slice(-6)}`;

/** The smallest phone the portal is made for, at its full height (iPhone SE, first generation). */
const SMALLEST_PHONE = { width: 320, height: 568 };

/** Names as the portal shows them, read before anyone is removed. */
let managerName: string;
let otherDesignerName: string;

const { open, harness, portal } = portalSuite({
  followPeopleFile: true,
  seed: async (h) => {
    managerName = h.directory.get(h.people.manager.id)!.name;
    otherDesignerName = h.directory.get(h.people.designer2.id)!.name;
    ({ projectId, designTask } = await claimedDesignTask(h, title));
    await removeFromPeopleFile(h, h.people.designer.id);
  },
});

const taskRow = (p: PersonPage) => p.page.locator('#tasks tbody tr', { has: p.page.locator(`a[href="/tasks/${designTask}"]`) });
const note = (p: PersonPage) => p.page.locator('.holder-gone');

step('the project page flags the task held by the designer who left, for the manager scanning it; not while the people list is not read', async () => {
  const h = harness();
  manager = await open('manager', `/projects/${projectId}`);
  const { page } = manager;
  const assignee = taskRow(manager).locator('td[data-label="Assignee"]');

  // The portal opened again with its people list held back: the holder's id, and nobody called gone for want of the list.
  const release = await holdReads(page, (path) => path === '/api/people');
  await page.reload();
  await assignee.waitFor();
  await page.waitForTimeout(500);
  expect(await assignee.textContent()).toBe(h.people.designer.id);
  await release();

  const flag = assignee.locator('a.badge-link');
  await flag.waitFor();
  expect(await assignee.textContent()).toBe(`${h.people.designer.id} No longer here: reassign it`);
  expect(await flag.getAttribute('href')).toBe(`/tasks/${designTask}`);
  // Only that task: the others are nobody's yet.
  expect(await page.locator('#tasks').getByText('No longer here').count()).toBe(1);
  await shootDeskAndNarrowPhone(portal(), page, 'holder-gone-project');
});

step('the other designer reads on the task page who holds it, that they are gone, and whom to ask (not that they are working on it)', async () => {
  const h = harness();
  const designer = await open('designer2', `/tasks/${designTask}`);
  const { page } = designer;
  await note(designer).waitFor();
  expect(await note(designer).textContent()).toBe(
    `Held by ${h.people.designer.id}, who is no longer in the people directory: ask ${managerName}, who manages the project, to reassign it.`,
  );
  expect(await page.locator('main').textContent()).not.toContain('is working on this');
  expect(await page.getByRole('button', { name: 'Claim this task' }).count()).toBe(0);
  await shootDeskAndNarrowPhone(portal(), page, 'holder-gone-task-staff');
});

step('the manager follows the flag to the task page, is led to the reassign form, gives the task to the other designer, and the flag is gone', async () => {
  const h = harness();
  const { page } = manager;
  await taskRow(manager).getByRole('link', { name: 'No longer here: reassign it' }).click();
  await note(manager).waitFor();
  expect(await note(manager).textContent()).toBe(`Held by ${h.people.designer.id}, who is no longer in the people directory: nobody else in Design can take it until you reassign it.Reassign it`);
  await shootDeskAndNarrowPhone(portal(), page, 'holder-gone-task-manager');

  // On the smallest phone (320 × 568), where the reassign form starts below the fold: the button brings it, with its heading, into sight and takes the keyboard there.
  await page.setViewportSize(SMALLEST_PHONE);
  const headingInSight = async () => {
    const box = await page.locator('#reassign-title').boundingBox();
    return box !== null && box.y >= 0 && box.y + box.height <= SMALLEST_PHONE.height;
  };
  expect(await headingInSight()).toBe(false);
  await note(manager).getByRole('button', { name: 'Reassign it' }).click();
  expect([await focusedId(page), await headingInSight()]).toEqual(['reassign-assignee', true]);
  await portal().screenshot(page, 'holder-gone-reassign-focused-phone-320', { fullPage: false });
  // Only those still here are offered.
  expect(await page.locator('#reassign-assignee option').allTextContents()).toEqual(['Choose a person', otherDesignerName]);
  await page.locator('#reassign-assignee').selectOption({ label: otherDesignerName });
  await page.getByRole('button', { name: 'Reassign', exact: true }).click();
  await page.getByText('Reassigned.').waitFor();
  await note(manager).waitFor({ state: 'detached' });
  await page.getByText(`Assignee: ${otherDesignerName}`).waitFor();
  await page.setViewportSize(DESKTOP);

  // Back on the project page: theirs now, flagged no more.
  await page.getByRole('link', { name: title }).click();
  const assignee = taskRow(manager).locator('td[data-label="Assignee"]');
  await assignee.getByText(otherDesignerName).waitFor();
  expect(await assignee.textContent()).toBe(otherDesignerName);
  expect(await page.locator('#tasks').getByText('No longer here').count()).toBe(0);
});
