/**
 * The client asks the manager for changes by mail or phone, and the manager notes it on the project
 * page, in a real headless Chromium on the real stack. While the work is with the client and nothing
 * waits, "The client asked for changes by mail or phone" sits under the form recording the client's
 * response, saying what noting does. Both fields empty: each is refused at its field, nothing is
 * sent; a name longer than the API takes is refused by it, at its field. Noted (its response lost
 * once: sent again with the same Idempotency-Key, recorded once), the request waits with its two
 * answers, said as asked by mail or phone and recorded by the manager, listed so under Client
 * feedback and on the timeline; the way to note one is gone while it waits. The client's page says it was asked by mail
 * or phone and noted by their account manager. Answered without a round, the way to note one is
 * back, and the client's page lists the request, noted, with the answer.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { projectInClientReview, startApiHarness, type ApiHarness } from '../support/api';
import {
  browserTestOrSkip,
  focusedId,
  holdReads,
  openClientPage,
  shootDeskAndNarrowPhone,
  shownDate,
  shownDateTime,
  startPortal,
  unexpectedErrors,
  watchSends,
  type PersonPage,
  type Portal,
} from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the manager noting changes the client asked for by mail or phone');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
let projectId: string;
const title = `Changes by mail ${uniqueId('m').slice(-6)}`;
const ASKED = 'The team photo on the About page should be the new one from March.';
const WHO = 'Jane Doe';
const REPLY = 'The March photo arrives in print quality next week; we swap it in then, with no round needed.';

/** Refusals provoked on purpose below (their network lines are logged as console errors). */
const PROVOKED = [/net::ERR_CONNECTION_RESET/, /status of 400/];

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  projectId = await projectInClientReview(h, { title });
  manager = await portal.openAs('manager');
});

afterAll(async () => {
  // Closed first: a page's errors said after must not leave the stack running.
  const errors = manager ? unexpectedErrors(manager.errors, PROVOKED) : [];
  await portal?.close();
  await h?.close();
  expect(errors).toEqual([]);
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
const managerName = () => h.directory.get(h.people.manager.id)!.name;
const recordPath = (id: string) => `/api/projects/${id}/change-requests`;

/** The way to note a request: its disclosure under the form recording the client's response. */
const byMail = (page: PersonPage['page']) => page.locator('#client-response details.changes-by-mail');
/** The callout's words (not its buttons). */
const calloutWords = (page: PersonPage['page']) => page.locator('.change-request > p:not(.change-request-ways)').allTextContents();
/** Each request listed under Client feedback: its lines' texts. */
const listed = (page: PersonPage['page']) =>
  page.locator('#feedback .change-requests li').evaluateAll((items) => items.map((li) => [...li.querySelectorAll('p')].map((p) => p.textContent)));

/** The client's page for the project, read again until `ready` holds (it reads the store's copy, a moment behind). */
async function clientPageOnce(ready: (page: PersonPage['page']) => Promise<boolean>, what: string): Promise<PersonPage> {
  const client = await openClientPage(h, portal, projectId, { noticeShown: true });
  await eventually(async () => (await ready(client.page)) || (await client.page.reload(), false), { what, timeoutMs: 30_000, intervalMs: 1_000 });
  return client;
}

step('offered under the client’s response while nothing waits, saying what it does; both fields empty: each refused at its field, nothing sent; a name too long: refused by the API at its field, nothing recorded', async () => {
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${projectId}`);
  const way = byMail(page);
  await way.waitFor({ timeout: 30_000 });
  expect(await way.locator('summary').textContent()).toBe('The client asked for changes by mail or phone');
  // One line until opened.
  expect(await page.locator('#changes-by-mail-description').isVisible()).toBe(false);
  await way.locator('summary').click();
  expect(await way.locator('> p').textContent()).toBe('Note what they asked: the review period stops until you answer it, as for a request on the client’s page.');

  const sends = watchSends(page);
  const send = way.getByRole('button', { name: 'Record their request' });
  await page.locator('#changes-by-mail-description').fill('   ');
  await send.click();
  expect(await page.locator('#changes-by-mail-description-error').textContent()).toBe('Say what the client asked to change.');
  expect(await page.locator('#changes-by-mail-clientContact-error').textContent()).toBe('Say who at the client asked.');
  // The keyboard goes to the first.
  expect(await focusedId(page)).toBe('changes-by-mail-description');
  await shootDeskAndNarrowPhone(portal, page, '99m-changes-by-mail-missing');
  expect(sends.sent).toEqual([]);

  // Longer than the API takes: its refusal, said at the field.
  await page.locator('#changes-by-mail-description').fill(ASKED);
  expect(await page.locator('#changes-by-mail-description-error').count()).toBe(0);
  await page.locator('#changes-by-mail-clientContact').fill('J'.repeat(201));
  await send.click();
  await page.locator('#changes-by-mail-clientContact-error').getByText('at most 200 characters').waitFor({ timeout: 30_000 });
  expect(await focusedId(page)).toBe('changes-by-mail-clientContact');
  expect(await way.locator('.problem').count()).toBe(0);
  sends.stop();
  expect(sends.sent.map((s) => s.path)).toEqual([recordPath(projectId)]);
  expect((await get(projectId)).changeRequests ?? []).toEqual([]);
});

step('noted, its response lost once and sent again with its key (recorded once): the request waits with its two answers, said as asked by mail or phone and recorded by the manager, listed so; the review period paused; the way to note one gone', async () => {
  const { page } = manager;
  const way = byMail(page);
  // From here the page learns nothing but from its own action's response.
  const releaseReads = await holdReads(page, (path) => path === `/api/projects/${projectId}`);
  const sends = watchSends(page);
  const recorded = (url: URL) => url.pathname === recordPath(projectId);
  try {
    await page.locator('#changes-by-mail-clientContact').fill(` ${WHO} `);
    let seen = 0;
    await page.route(recorded, async (route) => {
      if (seen++ > 0) return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    const send = way.getByRole('button', { name: 'Record their request' });
    await send.click();
    await way.locator('.problem').waitFor({ timeout: 30_000 });
    // Sent again: with the first one's key, and recorded once.
    await send.click();
    await page.getByText(`Recorded: ${WHO}’s request for changes waits for your answer, and the review period is paused.`).waitFor({ timeout: 30_000 });
    sends.stop();
    expect(sends.sent.map((s) => [s.path, s.body])).toEqual([
      [recordPath(projectId), { description: ASKED, clientContact: WHO }],
      [recordPath(projectId), { description: ASKED, clientContact: WHO }],
    ]);
    expect(sends.sent[0].key).toMatch(/^[0-9a-f]{32}$/);
    expect(sends.sent[1].key).toBe(sends.sent[0].key);

    const request = (await get(projectId)).changeRequests!;
    expect(request).toEqual([expect.objectContaining({ requestId: 'r1', description: ASKED, clientContact: WHO, recordedBy: h.people.manager.id })]);
    expect(request[0].outcome).toBeUndefined();
    // Shown from the response alone (the reads are held): the callout with its answers, which takes the keyboard.
    const asked = await shownDateTime(page, request[0].at);
    expect(await calloutWords(page)).toEqual([`${WHO} asked for changes by mail or phone, recorded by ${managerName()} on ${asked}: “${ASKED}”`, 'The review period is paused until you answer.']);
    expect(await page.locator('#client-response .change-request').getByRole('button').allTextContents()).toEqual(['Record a round of changes', 'Answer without a round']);
    expect(await focusedId(page)).toBe('change-request');
    expect(await listed(page)).toEqual([[`“${ASKED}” — ${WHO} by mail or phone, recorded by ${managerName()}, ${asked}`, 'Waiting for an answer the review period is paused until you answer']]);
    expect(await page.locator('.client-answer-due').textContent()).toContain('Their request for changes is open: the time they have to answer waits until it is answered, then runs on.');
    // On the timeline, the manager's entry says who at the client asked, and how.
    const entry = page.locator('.timeline li', { hasText: 'Changes asked for' });
    expect([await entry.locator('.timeline-detail').textContent(), await entry.textContent()]).toEqual([`${WHO}, by mail or phone: ${ASKED}`, expect.stringContaining(`by ${managerName()}`)]);
    // One request at a time: no way to note another while it waits.
    expect(await way.count()).toBe(0);
    await shootDeskAndNarrowPhone(portal, page, '99m-changes-by-mail-waiting');
  } finally {
    await page.unroute(recorded);
    await releaseReads();
  }
});

step('the client’s page says the request waiting was asked by mail or phone and noted by their account manager', async () => {
  const request = (await get(projectId)).changeRequests![0];
  const client = await clientPageOnce(async (page) => (await page.locator('.changes-waiting').count()) === 1, 'the noted request on the client’s page');
  const words = await client.page.locator('.changes-waiting p').allTextContents();
  expect(words.slice(1, 3)).toEqual([`${WHO} asked by mail or phone, and your account manager noted it here on ${await shownDate(client.page, request.at)}:`, `“${ASKED}”`]);
  await shootDeskAndNarrowPhone(portal, client.page, '99m-client-changes-by-mail-waiting');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

step('answered without a round: listed as answered, still said as noted by mail or phone; the way to note one is back; the client’s page lists it, noted, with the answer', async () => {
  const { page } = manager;
  const callout = page.locator('#client-response .change-request');
  await callout.getByRole('button', { name: 'Answer without a round' }).click();
  await page.locator('#change-request-reply').fill(REPLY);
  await callout.getByRole('button', { name: 'Send the answer, no round of changes' }).click();
  await page.getByText(`Answered without a round: ${WHO} is mailed your reply, and the time they have to answer runs on.`).waitFor({ timeout: 30_000 });

  const request = (await get(projectId)).changeRequests![0];
  expect(request).toMatchObject({ outcome: 'declined', reply: REPLY, recordedBy: h.people.manager.id });
  const [asked, answeredOn] = [await shownDateTime(page, request.at), await shownDateTime(page, request.answeredAt!)];
  expect(await listed(page)).toEqual([
    [`“${ASKED}” — ${WHO} by mail or phone, recorded by ${managerName()}, ${asked}`, `Answered without a round: “${REPLY}” — ${managerName()}, ${answeredOn}`],
  ]);
  const way = byMail(page);
  await way.waitFor();
  expect(await way.locator('summary').textContent()).toBe('The client asked for changes by mail or phone');
  // Afresh: closed, nothing typed.
  expect(await way.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);
  expect(await page.locator('#changes-by-mail-description').inputValue()).toBe('');
  await shootDeskAndNarrowPhone(portal, page, '99m-changes-by-mail-answered');

  const client = await clientPageOnce(async (p) => (await p.locator('#answer .answered-here li').count()) === 1, 'the answered request on the client’s page');
  const [askedOn, answeredDay] = [await shownDate(client.page, request.at), await shownDate(client.page, request.answeredAt!)];
  expect(await client.page.locator('#answer .answered-here li p').allTextContents()).toEqual([
    `${WHO} asked for changes by mail or phone, and your account manager noted it here on ${askedOn}:`,
    `“${ASKED}”`,
    `${managerName()} answered on ${answeredDay}, without a round of changes:`,
    `“${REPLY}”`,
  ]);
  await shootDeskAndNarrowPhone(portal, client.page, '99m-client-changes-by-mail-answered');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});
