/**
 * A round of changes beyond the ones the plan includes has a price (`extraPrice`, recorded by the
 * manager with the round), which the final invoice adds to the plan. The client knows it from the
 * day the round is agreed, not first on that invoice: their page says it where it states the
 * agreed total ("round 2 beyond them: €300.00 (€1,500.00 in all)") and where it lists the request
 * the round answers; the client's view carries the rounds and their prices. The project page's
 * client feedback says the round's price in the project's currency. In a real headless Chromium
 * on the real stack; the project gets where it is through the API (one €1,200 design task, one
 * round of changes included).
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { clientAsksForChanges, projectInClientReview, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { browserTestOrSkip, openClientPage, shootDeskAndNarrowPhone, shownDate, startPortal, unexpectedErrors, type Portal } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the price of a round of changes beyond the included ones');

let h: ApiHarness;
let portal: Portal;
const title = `Extra round ${uniqueId('x').slice(-6)}`;

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
});

afterAll(async () => {
  await portal?.close();
  await h?.close();
});

const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();
const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
const linkKey = async (id: string): Promise<string> =>
  new URL((await h.http().get(`/api/projects/${id}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;

/** The manager records a round of changes for the design, with a price or none. */
async function roundRecorded(id: string, description: string, extraPrice?: number): Promise<void> {
  await h
    .http()
    .post(`/api/projects/${id}/feedback`)
    .set(h.auth('manager'))
    .send({ kind: 'revisions_requested', description, departments: ['design'], dueAt: inMs(3 * 86_400_000), ...(extraPrice !== undefined && { extraPrice }) })
    .expect(200);
}

step('a round beyond the included one: its price on the client’s view and page, where the agreed total is and with the request it answers, and on the project page’s client feedback', async () => {
  const id = await projectInClientReview(h, { title });
  // Round 1, the included one, done and accepted: the work is back with the client.
  await clientAsksForChanges(h, id, 'The logo larger, please.');
  await roundRecorded(id, 'Make the logo larger.');
  const rev1 = `${id}.rev1.design`;
  await waitForTask(h, rev1, 'open');
  await h.http().post(`/api/tasks/${rev1}/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${rev1}/submit`).set(h.auth('designer')).send({ summary: 'Larger logo', links: [] }).expect(200);
  await h.http().post(`/api/tasks/${rev1}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
  await eventually(async () => (await get(id)).stage === 'client_review', { what: 'the project back in client review', timeoutMs: 30_000 });
  // Round 2, beyond it, at €300.
  await clientAsksForChanges(h, id, 'And a bolder headline.');
  await roundRecorded(id, 'Bolder headline.', 300);
  const project = await get(id);
  expect(project.revisions.map((r) => [r.round, r.extraPrice])).toEqual([
    [1, 0],
    [2, 300],
  ]);

  // The client's view: the round with its price, the total with it; the request it answers priced, the included one not.
  const key = await linkKey(id);
  const view = await eventually(
    async () => {
      const body = (await h.http().get(`/api/client/projects/${id}`).query({ key }).expect(200)).body;
      return body.changeRequests.length === 2 && body.changeRequests[1].status === 'round_recorded' ? body : undefined;
    },
    { what: 'the second round on the client\u2019s view', timeoutMs: 30_000 },
  );
  expect(view.plan).toEqual({ total: 1200, currency: 'EUR', prepaymentPercent: 0, includedRevisionRounds: 1, extraRounds: [{ round: 2, amount: 300 }], totalWithExtraRounds: 1500 });
  expect(view.changeRequests.map((r: { extraPrice?: number }) => r.extraPrice)).toEqual([undefined, 300]);
  // What the final invoice will ask, as things stand: the plan and the round.
  expect(view.finalInvoiceToCome).toBe(1500);

  // The client's page says it where it states the agreed total, and with the request the round answers.
  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const { page } = client;
  expect(await page.locator('.plan-summary').textContent()).toBe('Agreed total €1,200.00 · 1 round of changes included · round 2 beyond them: €300.00 (€1,500.00 in all)');
  const planned = await shownDate(page, project.changeRequests![1].answeredAt!);
  expect(await page.locator('.change-request-outcome').allTextContents()).toEqual([
    `A round of changes was planned for it on ${await shownDate(page, project.changeRequests![0].answeredAt!)}.`,
    `A round of changes is being worked on for it (planned on ${planned}). It is beyond the rounds of changes included in the plan: €300.00 extra, on the final invoice.`,
  ]);
  await page.locator('.plan-summary').scrollIntoViewIfNeeded();
  await shootDeskAndNarrowPhone(portal, page, '47-client-extra-round-price');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();

  // The project page: the round beyond the included one says its price, the included one none.
  const manager = await portal.openAs('manager', { startAt: `/projects/${id}` });
  const rounds = manager.page.locator('ul.feedback li', { hasText: 'Revisions requested' });
  await rounds.nth(1).waitFor({ timeout: 30_000 });
  const texts = await rounds.allTextContents();
  expect(texts[0]).toContain('Revisions requested Make the logo larger. — recorded by');
  expect(texts[0]).not.toContain('beyond the included rounds');
  expect(texts[1]).toContain('Revisions requested Bolder headline. · Round 2, beyond the included rounds: €300.00 extra — recorded by');
  // The timeline too, in money: the workflow records the price without its currency ("round 2 (extra 300)").
  const details = await manager.page.locator('.timeline li', { has: manager.page.locator('.timeline-event', { hasText: /^Revisions requested$/ }) }).locator('.timeline-detail').allTextContents();
  expect(details).toEqual(['round 2, beyond the included rounds (€300.00 extra): Bolder headline.', 'round 1: Make the logo larger.']);
  await rounds.nth(1).scrollIntoViewIfNeeded();
  await shootDeskAndNarrowPhone(portal, manager.page, '47a-project-extra-round-price');
  expect(unexpectedErrors(manager.errors)).toEqual([]);
  await manager.context.close();
});
