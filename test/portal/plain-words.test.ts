/**
 * Fixes from the eighth walk-through, in a real headless Chromium on the real stack:
 * - the client's page mid-project, the prepayment paid: nothing is due now, and the rest is
 *   invoiced once they accept the work — the amount the final invoice then asks, compensations
 *   agreed meanwhile taken off — not "nothing is left to pay" as if they were done paying;
 * - two compensations for complaints made the same day are told apart by what each was about;
 * - staff opening another department's task (a link shared with them) read whose it is, in words,
 *   and a way to their own inbox, not "Forbidden" under "Task";
 * - the portfolio keeps "Show completed and cancelled projects" in the address, so a reload keeps it;
 * - the approval card shows the tasks' descriptions, folded under the plan's table, and lists a
 *   description changed since the version sent back (the workflow records which; it keeps the
 *   newest version's texts only).
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { openDesignTask, planRequest, projectRequest, startApiHarness, withPrepaymentInClientReview, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, openClientPage, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal, shownDate } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the walk-through\u2019s plain words');

let h: ApiHarness;
let portal: Portal;
const title = `Plain words ${uniqueId('w').slice(-6)}`;

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
});

afterAll(async () => {
  await portal?.close();
  await h?.close();
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;


async function shoot(page: PersonPage['page'], name: string): Promise<void> {
  await portal.screenshot(page, name);
  expect([name, await accessibilityProblems(page)]).toEqual([name, []]);
}

/** The same page at a desk's width, shot too. */
async function shootOnDesktop(url: string, who: PersonPage | undefined, name: string, ready: (page: PersonPage['page']) => Promise<void>): Promise<void> {
  const wide = who ?? (await portal.anonymous({ viewport: DESKTOP }));
  await wide.page.setViewportSize(DESKTOP);
  await wide.page.goto(url);
  await ready(wide.page);
  await shoot(wide.page, name);
  if (!who) {
    expect(unexpectedErrors(wide.errors)).toEqual([]);
    await wide.context.close();
  }
}

const SHORT_COMPLAINT = 'The banner colours are off on the home page';
const LONG_COMPLAINT =
  'The logo in the header is blurry on every retina screen we tried, the edges look soft and the brand blue turns grey next to the photos';

step('mid-project with the prepayment paid: nothing is due now, the rest (what the final invoice then asks) comes once the work is accepted; two compensations of one day named by what each was about', async () => {
  // One task at €1,200, a 25% prepayment (€300) paid, the work delivered: in review with the client.
  const id = await withPrepaymentInClientReview(h, `${title} money`);
  // Two complaints the same day, each with a compensation agreed before the final invoice.
  for (const [description, compensation] of [
    [SHORT_COMPLAINT, 100],
    [LONG_COMPLAINT, 50],
  ] as const) {
    await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description }).expect(200);
    const complaint = await eventually(async () => (await get(id)).complaints.find((c) => c.description === description && !c.resolvedAt), { what: 'the complaint', timeoutMs: 30_000 });
    await h.http().post(`/api/projects/${id}/complaints/${complaint.complaintId}/resolution`).set(h.auth('manager')).send({ resolution: 'Redone', compensation }).expect(200);
  }

  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const { page } = client;
  const compensation = page.locator('#work .compensation');
  const paidSoFar = page.locator('#invoices .paid-so-far');
  await eventually(async () => ((await compensation.count()) === 2 && (await paidSoFar.count()) === 1 ? true : (await page.reload(), false)), {
    what: 'both compensations and the prepayment paid on the client\u2019s page',
    timeoutMs: 30_000,
    intervalMs: 1_000,
  });
  // Not "nothing is left to pay": what is still to come, and how much, taken off for the complaints.
  expect(await paidSoFar.textContent()).toBe('You have paid €300.00 so far. Nothing is due now, and the rest, €750.00, is invoiced once you have accepted the work.');

  // Each compensation names its complaint by what it was about (a long one by its start), besides its day.
  const [short, long] = (await get(id)).complaints;
  expect(await compensation.nth(0).textContent()).toBe(
    `€100.00 agreed on ${await shownDate(client.page, short.resolvedAt!)} to make up for your complaint of ${await shownDate(client.page, short.at)} (“${SHORT_COMPLAINT}”): it will be taken off your final invoice.`,
  );
  const second = (await compensation.nth(1).textContent()) ?? '';
  // Cut at a word's end: "the edges…", not "the edges loo…".
  expect(second).toContain(
    `to make up for your complaint of ${await shownDate(client.page, long.at)} (“The logo in the header is blurry on every retina screen we tried, the edges…”): it will be taken off your final invoice.`,
  );
  await shoot(page, '90-client-prepaid-rest-to-come-phone');
  await shootOnDesktop(page.url(), undefined, '90-client-prepaid-rest-to-come-desktop', async (p) => {
    await p.locator('#invoices .paid-so-far').waitFor();
  });

  // The client accepts: the final invoice asks exactly what the page said would come.
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 4 }).expect(200);
  const final = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  expect(final.amount).toBe(750);
  await eventually(async () => ((await paidSoFar.textContent()) === 'You have paid €300.00 so far; €750.00 is still to pay.' ? true : (await page.reload(), false)), {
    what: 'the final invoice to pay on the client\u2019s page',
    timeoutMs: 30_000,
    intervalMs: 1_000,
  });
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

step('a designer’s task opened by a copywriter (a shared link): whose task it is, in words, and the way to their own inbox', async () => {
  const { designTask } = await openDesignTask(h, `${title} other department`);
  const copywriter = await portal.openAs('copywriter', { startAt: `/tasks/${designTask}`, viewport: PHONE });
  const { page } = copywriter;
  await page.getByRole('heading', { name: 'Another department’s task' }).waitFor();
  expect(await page.locator('.other-department p').first().textContent()).toBe(
    'This task belongs to the Design department, and you work in Copywriting: only its own department’s people open it.',
  );
  expect(await page.locator('main').textContent()).not.toMatch(/Forbidden/);
  await shoot(page, '91-staff-other-department-task-phone');
  await shootOnDesktop(page.url(), copywriter, '91-staff-other-department-task-desktop', async (p) => {
    await p.getByRole('heading', { name: 'Another department’s task' }).waitFor();
  });
  await page.getByRole('link', { name: 'Go to the Copywriting inbox' }).click();
  await page.getByRole('heading', { name: 'Copywriting inbox' }).waitFor();
  // The refusal the page was given (the browser logs its network line) is the only error.
  expect(unexpectedErrors(copywriter.errors, [/status of 403 .*\/api\/tasks\/p-[a-z2-7]+\.design-home\b/])).toEqual([]);
  await copywriter.context.close();
});

step('the portfolio keeps “Show completed and cancelled projects” in the address: a reload keeps it ticked and the finished project shown', async () => {
  // A project of the manager's, completed: published into the store as its workflow would.
  const base = new Date(Date.now() - 10 * 86_400_000).toISOString();
  const finished = new ProjectBuilder({ projectId: `p-plainfin-${Date.now().toString(36)}`, managerId: h.people.manager.id, client: { id: 'client-plain-fin', name: 'Finished Client', segment: 'B2B' }, intakeAt: base });
  finished.status.title = `${title} finished`;
  finished.submitPlan(plusDays(base, 1), [{ key: 'posters', department: 'design', dueAt: plusDays(base, 3) }]).approve(plusDays(base, 1));
  finished.task('posters').deliver('dima.design', plusDays(base, 1), plusDays(base, 2), { acceptedAt: plusDays(base, 3) });
  finished.toClientReview(plusDays(base, 3)).clientAccepts(plusDays(base, 3), 5).complete(plusDays(base, 4));
  for (const snapshot of finished.publishAll()) await h.reporting.publish(snapshot);

  const manager = await portal.openAs('manager', { startAt: '/projects', viewport: PHONE });
  const { page } = manager;
  await page.getByRole('heading', { name: 'My portfolio' }).waitFor();
  const card = page.locator('.project-card', { has: page.getByRole('link', { name: `${title} finished`, exact: true }) });
  const show = page.locator('#show-finished');
  await show.waitFor();
  expect(await card.count()).toBe(0);
  await show.check();
  await card.waitFor();
  expect(new URL(page.url()).searchParams.get('finished')).toBe('shown');
  await page.reload();
  await card.waitFor();
  expect(await show.isChecked()).toBe(true);
  await shoot(page, '92-portfolio-finished-kept-phone');
  await shootOnDesktop(page.url(), manager, '92-portfolio-finished-kept-desktop', async (p) => {
    await p.locator('.project-card', { has: p.getByRole('link', { name: `${title} finished`, exact: true }) }).waitFor();
  });
  // Unticked, it leaves the address, and the finished project the page.
  await page.setViewportSize(PHONE);
  await show.uncheck();
  await card.waitFor({ state: 'detached' });
  expect(new URL(page.url()).searchParams.has('finished')).toBe(false);
  expect(unexpectedErrors(manager.errors)).toEqual([]);
  await manager.context.close();
});

step('the approval card shows the tasks’ descriptions, folded under the table, and lists a description changed since the version sent back', async () => {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} approval` })).expect(201);
  const id = (created.body as ProjectStatus).projectId;
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'reject', comment: 'Say which booking tool the copy names.' }).expect(200);
  const plan = planRequest() as { tasks: Record<string, unknown>[] };
  const copy = 'Home page copy, 300 words, naming Doctolib as the booking tool.\nTwo headline options.';
  await h
    .http()
    .put(`/api/projects/${id}/plan`)
    .set(h.auth('manager'))
    .send({ ...plan, tasks: [plan.tasks[0], { ...plan.tasks[1], description: copy }] })
    .expect(200);

  const leader = await portal.openAs('leadership', { startAt: '/approvals', viewport: PHONE });
  const { page } = leader;
  const card = page.locator('li.approval', { hasText: `${title} approval` });
  await card.getByText('Changes since version 1', { exact: true }).waitFor({ timeout: 30_000 });
  // The workflow recorded which descriptions changed with version 2: listed among the changes,
  // the earlier text (no longer kept) said to be so.
  const changed = card.locator('ul.changes li', { hasText: 'Home page copy' });
  expect(await changed.textContent()).toContain('description (the earlier text is not kept) → Home page copy, 300 words, naming Doctolib as the booking tool.');
  expect(await card.locator('.descriptions-not-kept').count()).toBe(0);
  const descriptions = card.locator('details.plan-descriptions');
  expect(await descriptions.locator('summary').textContent()).toBe('Task descriptions: 1 of 2 tasks');
  await descriptions.locator('summary').click();
  expect(await descriptions.locator('dt').allTextContents()).toEqual(['Home page copy Copywriting']);
  expect(await descriptions.locator('dd').textContent()).toBe(copy);
  await shoot(page, '93-approval-descriptions-phone');
  await shootOnDesktop(page.url(), leader, '93-approval-descriptions-desktop', async (p) => {
    const wide = p.locator('li.approval', { hasText: `${title} approval` });
    await wide.locator('details.plan-descriptions summary').click();
    await wide.locator('details.plan-descriptions dd').waitFor();
  });
  expect(unexpectedErrors(leader.errors)).toEqual([]);
  await leader.context.close();
});
