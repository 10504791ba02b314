/**
 * A plan against what the client asked for, in a real headless Chromium on the real stack: a
 * request for SEO whose plan has only a design task is said to miss SEO (and to have design work
 * not asked for) in the plan editor as the department is picked; a request for design and SEO
 * whose plan has only design is said to miss SEO on leadership's approvals card. A warning, not a
 * refusal: the plan is submitted and can be approved. A plan that matches its request says nothing.
 */
import type { Page } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('a plan against the departments the request asked for');

let h: ApiHarness;
let portal: Portal;
const pages: PersonPage[] = [];
const title = `SEO asked ${uniqueId('pc').slice(-6)}`;
const waiting = `${title} waiting`;
const matching = `${title} matched`;
let projectId = '';

const MISSING = 'The request asked for SEO; this plan has no SEO task.';
const UNASKED = 'This plan has a Design task; the request did not ask for Design.';

beforeAll(async () => {
  h = await startApiHarness();
  projectId = ((await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title, departments: ['seo'] })).expect(201)).body as ProjectStatus)
    .projectId;
  const submit = async (request: Record<string, unknown>, plan: Record<string, unknown>) => {
    const id = ((await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest(request)).expect(201)).body as ProjectStatus).projectId;
    await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send(plan).expect(200);
  };
  // Design and SEO asked for, design only planned: waiting for leadership.
  const design = (planRequest().tasks as Record<string, unknown>[])[0];
  await submit({ title: waiting, departments: ['design', 'seo'] }, planRequest({ tasks: [design] }));
  // A plan that does what was asked (design and copy), waiting beside it: its card says nothing of the kind.
  await submit({ title: matching }, planRequest());
  portal = await startPortal(h);
});

afterAll(async () => {
  for (const p of pages) expect(unexpectedErrors(p.errors)).toEqual([]);
  await portal?.close();
  await h?.close();
});

async function shoot(page: Page, name: string): Promise<void> {
  await portal.screenshot(page, name);
  expect([name, await accessibilityProblems(page)]).toEqual([name, []]);
}

step('the plan editor says, as the department is picked, that a design-only plan has no SEO task the request asked for; submitted all the same', async () => {
  const manager = await portal.openAs('manager', { startAt: `/projects/${projectId}/plan` });
  pages.push(manager);
  const { page } = manager;
  await page.locator('#plan-tasks-0-title').fill('Landing page design');
  // The first task starts in the department asked for: nothing to say.
  expect(await page.locator('#plan-tasks-0-department').inputValue()).toBe('seo');
  expect(await page.locator('#plan-coverage').count()).toBe(0);

  await page.locator('#plan-tasks-0-department').selectOption('design');
  const coverage = page.locator('#plan-coverage');
  await coverage.waitFor();
  expect(await coverage.locator('p').allTextContents()).toEqual([MISSING, UNASKED]);
  await page.locator('#plan-tasks-0-estimateHours').fill('6');
  await page.locator('#plan-tasks-0-price').fill('900');
  await shoot(page, '50-plan-editor-misses-the-request');

  // Back to SEO, the warning goes; design again, it is back: it follows the plan as typed.
  await page.locator('#plan-tasks-0-department').selectOption('seo');
  await coverage.waitFor({ state: 'detached' });
  await page.locator('#plan-tasks-0-department').selectOption('design');
  await coverage.waitFor();

  // A warning, not a refusal: the plan goes to leadership as it is.
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.getByText(/Plan version 1 submitted/).waitFor();
  const sent = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  expect(sent.stage).toBe('awaiting_approval');
  expect(sent.plans[0].tasks.map((t) => t.department)).toEqual(['design']);
});

step('leadership’s card for a design-only plan of a request for design and SEO says it misses SEO, before the decision; a plan that matches its request says nothing', async () => {
  const leader = await portal.openAs('leadership', { startAt: '/approvals' });
  pages.push(leader);
  const { page } = leader;
  const card = page.locator('li.approval', { hasText: waiting });
  await card.waitFor({ timeout: 30_000 });
  await card.getByText('not all the client asked for').waitFor();
  // Design was asked for too: only what is missing is said.
  expect(await card.locator('.plan-coverage p').allTextContents()).toEqual([MISSING]);
  // Said above the plan's table, where the decision is read.
  expect(await card.locator('.plan-coverage + .table-wrap table.plan-table').count()).toBe(1);

  const matched = page.locator('li.approval', { hasText: matching });
  await matched.waitFor();
  expect(await matched.locator('.plan-coverage').count()).toBe(0);
  expect(await matched.getByText('not all the client asked for').count()).toBe(0);
  await card.scrollIntoViewIfNeeded();
  await shoot(page, '51-approvals-plan-misses-the-request');

  // Leadership may approve it all the same.
  await card.getByRole('button', { name: 'Approve' }).click();
  await card.waitFor({ state: 'detached' });
});
