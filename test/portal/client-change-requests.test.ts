/**
 * The client asks for changes on their own page (`/client/<id>?key=…`), in a real headless Chromium
 * on the real stack. While the work is with them, asking for changes is offered between accepting
 * and complaining, told first what happens: the manager plans a round or answers, and the review
 * period is paused meanwhile. What is missing is said at its field and nothing is sent; a double
 * submission sends once; the page confirms from the answer's response (its reads held back), says
 * the request waits with the manager and the period is paused (no date to answer by), and no
 * longer offers to ask, while accepting stays open. A second tab asking too is refused in words
 * where its form is, what was typed kept. The manager's answers show on the page in words: without a
 * round (the reply quoted, with its day, and the form offered again), a round being worked on, the
 * work accepted before they answered. At 320 px nothing scrolls sideways. The projects get where
 * they are through the API.
 */
import type { Locator } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { projectInClientReview, startApiHarness, type ApiHarness } from '../support/api';
import {
  browserTestOrSkip,
  focusedId,
  hasFocus,
  holdReads,
  NARROW_PHONE,
  shootDeskAndNarrowPhone,
  openClientPage,
  shootChecked,
  shownDate,
  startPortal,
  unexpectedErrors,
  watchSends,
  type PersonPage,
  type Portal,
} from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the client asking for changes on their page');

let h: ApiHarness;
let portal: Portal;
const title = `Client changes ${uniqueId('c').slice(-6)}`;

beforeAll(async () => {
  h = await startApiHarness({ env: { AGENCY_NAME: 'Sunny Side Studio' } });
  portal = await startPortal(h);
});

afterAll(async () => {
  await portal?.close();
  await h?.close();
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
const managerName = () => h.directory.get(h.people.manager.id)!.name;
const answersPath = (id: string) => `/api/client/projects/${id}/answers`;
/** The answers the page sent (its POSTs to the answers path). */
const answersSent = (sends: ReturnType<typeof watchSends>, id: string) => sends.sent.filter((s) => s.path === answersPath(id));
/** The key of the project's client link, as the page is opened with it. */
const linkKey = async (id: string): Promise<string> =>
  new URL((await h.http().get(`/api/projects/${id}/client-link`).set(h.auth('manager')).expect(200)).body.url as string).searchParams.get('key')!;
/** By when the client's page asks for an answer (none while a request waits). */
const respondBy = async (id: string): Promise<string | undefined> =>
  (await h.http().get(`/api/client/projects/${id}`).query({ key: await linkKey(id) }).expect(200)).body.respondBy as string | undefined;

/** The client's page, read again until it shows `what` (the page reads the store's copy, a moment behind). */
async function until(client: PersonPage, what: () => Promise<boolean>, said: string): Promise<void> {
  await eventually(async () => ((await what()) ? true : (await client.page.reload(), false)), { what: said, timeoutMs: 30_000, intervalMs: 1_000 });
}

/** The disclosure that asks for changes, under the acceptance form. */
const changesCard = (section: Locator) => section.locator('details.answer-changes');
const isOpen = (details: Locator) => details.evaluate((d) => (d as unknown as { open: boolean }).open);

/** A project in the client's review, its client's page open and offering to ask for changes. */
async function changesOffered(projectTitle: string) {
  const id = await projectInClientReview(h, { title: projectTitle });
  const client = await openClientPage(h, portal, id, { noticeShown: true });
  return { id, ...(await pageOffersChanges(client)) };
}

/** The client's page once it offers to ask for changes (read again until it does). */
async function pageOffersChanges(client: PersonPage) {
  const section = client.page.locator('#answer');
  await until(client, async () => (await changesCard(section).count()) === 1, 'asking for changes offered on the client\u2019s page');
  return { client, page: client.page, section };
}

step('in review, the client asks for changes on the page: what is missing is said at its field and nothing sent; sent once, it is confirmed from the response, said as waiting with the manager (the review period paused), and no longer offered; a second tab asking too is refused in words, what was typed kept; accepting meanwhile answers the request', async () => {
  // One design task, €1,200, no prepayment. From here on the page learns nothing but from its own answer's response.
  const { id, client, page, section } = await changesOffered(title);
  // A second tab on the same link, offering to ask too; its reads held, it learns nothing of the first's request.
  const second = await pageOffersChanges(await openClientPage(h, portal, id, { noticeShown: true }));
  const releaseSecondReads = await holdReads(second.page, (path) => path === `/api/client/projects/${id}`);
  const releaseReads = await holdReads(page, (path) => path === `/api/client/projects/${id}`);
  const notice = page.locator('.callout[role="status"]');

  // The notice at the top: answer by a date, accepting or asking for changes below; the manager's address for anything else.
  const answerBy = await shownDate(page, (await respondBy(id))!);
  expect(await notice.textContent()).toContain(`Please answer by ${answerBy}: accept it or ask for changes below, under Your answer. For anything else, write to ${managerName()}.`);
  expect(await notice.getByRole('link', { name: managerName() }).getAttribute('href')).toMatch(new RegExp(`^mailto:${h.people.manager.id}@agency\\.example\\?`));
  // The three answers in their order: the acceptance's form, then asking for changes and complaining, each one line until opened.
  expect(await section.locator('form.answer-form h3, details > summary').allTextContents()).toEqual([
    'Accept the work',
    'Something should change? Ask for changes',
    'Something is wrong? Make a complaint',
  ]);
  expect(await isOpen(changesCard(section))).toBe(false);
  // Opened by keyboard; told, before sending, what happens then.
  await changesCard(section).locator('summary').focus();
  await page.keyboard.press('Enter');
  expect(await isOpen(changesCard(section))).toBe(true);
  expect(await section.locator('.answer-changes-brings').textContent()).toBe(
    `Your request goes to ${managerName()}, who either plans a round of changes with you or answers you here. Meanwhile the review period is paused: the work does not count as accepted while you wait.`,
  );
  await shootDeskAndNarrowPhone(portal, page, '45-client-changes-form');

  const sends = watchSends(page);
  const askButton = section.getByRole('button', { name: 'Ask for these changes' });
  // Nothing typed: each missing field says so at the field, the first gets the focus, nothing is sent.
  await askButton.click();
  expect(await page.locator('#answer-changes-description-error').textContent()).toBe('Say what should change.');
  expect(await page.locator('#answer-changes-name-error').textContent()).toBe('Give your name, so that we know who answered.');
  expect(await focusedId(page)).toBe('answer-changes-description');
  await shootChecked(portal, page, '45a-client-changes-missing-desktop');
  // Said (with a file's name no line can break at, as clients paste them), the description's refusal goes; the name's stays, and nothing is sent still.
  const asked = 'The logo should be larger, and the blue darker — as in homepage_hero_banner_final_v3_approved_by_marketing_2026.png';
  await page.getByLabel('What should change?').fill(asked);
  await askButton.click();
  expect(await page.locator('#answer-changes-description-error').count()).toBe(0);
  expect(await focusedId(page)).toBe('answer-changes-name');
  expect(answersSent(sends, id)).toEqual([]);

  // Sent twice in one go, as a double click that outruns the button: it goes once.
  await page.locator('#answer-changes-name').fill('Anna Berg');
  await changesCard(section)
    .locator('form.answer-form')
    .evaluate((form) => {
      const f = form as unknown as { requestSubmit(): void };
      f.requestSubmit();
      f.requestSubmit();
    });
  const confirmation = page.locator('.answer-confirmation');
  await confirmation.waitFor({ timeout: 30_000 });
  sends.stop();
  const sent = answersSent(sends, id);
  expect(sent.map((s) => s.body)).toEqual([{ kind: 'changes', name: 'Anna Berg', description: asked }]);
  expect(sent[0].key).toMatch(/^[0-9a-f]{32}$/);

  // The manager's project: the request recorded once, waiting for them, with who asked; still in review.
  const project = await get(id);
  expect(project.stage).toBe('client_review');
  expect(project.changeRequests).toEqual([expect.objectContaining({ requestId: 'r1', description: asked, clientContact: 'Anna Berg' })]);
  expect(project.changeRequests![0].outcome).toBeUndefined();
  const askedOn = await shownDate(page, project.changeRequests![0].at);

  // Confirmed at the top (the focus there), from the response alone: the reads are still held.
  expect(await confirmation.textContent()).toBe(
    `Your request for changes was sent to ${managerName()} on ${askedOn}. They plan a round of changes with you, or answer you here; until then the review period is paused, and the work does not count as accepted.`,
  );
  expect(await hasFocus(confirmation)).toBe(true);
  // Said where the answers are, instead of the form to ask: what, when, by whom; with the manager, the period paused.
  expect(await section.locator('.changes-waiting').textContent()).toBe(
    `Your request for changes is with ${managerName()} — the review period is paused until they answer.` +
      `On ${askedOn}, Anna Berg asked:“${asked}”` +
      'They plan a round of changes with you, or answer you here. You can still accept the work or make a complaint below.',
  );
  expect(await changesCard(section).count()).toBe(0);
  expect(await page.locator('#answer-changes-description').count()).toBe(0);
  // Not listed a second time under the answers given.
  expect(await section.locator('.answered-here').count()).toBe(0);
  // Accepting and complaining stay open.
  expect(await section.getByRole('heading', { name: 'Accept the work' }).count()).toBe(1);
  expect(await section.locator('summary', { hasText: 'Make a complaint' }).count()).toBe(1);
  // The notice: no date to answer by now, the request with the manager, the period paused.
  expect(await notice.textContent()).not.toContain('Please answer');
  expect(await notice.textContent()).toContain(`Your request for changes is with ${managerName()}: the review period is paused until they answer. You can still accept the work below, under Your answer.`);
  await shootDeskAndNarrowPhone(portal, page, '45b-client-changes-waiting');

  // The second tab still offers to ask (it learnt nothing): its request is refused in words where its form is, what was typed kept.
  const other = second.section;
  await changesCard(other).locator('summary').click();
  await second.page.getByLabel('What should change?').fill('And the footer in the new font');
  await second.page.locator('#answer-changes-name').fill('Boris Kay');
  await other.getByRole('button', { name: 'Ask for these changes' }).click();
  const problem = changesCard(other).locator('.problem');
  await problem.waitFor({ timeout: 30_000 });
  expect(await problem.textContent()).toBe(
    'Your earlier request is with your account manager' +
      'Changes you asked for earlier are still waiting for your account manager\u2019s answer: nothing new was recorded. The page lists that request; write to your account manager to add to it. ' +
      'What you typed is kept here.',
  );
  // The page reads where the project stands at once (well before its next poll, 30 s on): the request waiting, said above; the form kept, without a button that could not succeed.
  await releaseSecondReads();
  await other.locator('.changes-waiting').waitFor({ timeout: 10_000 });
  expect([await second.page.getByLabel('What should change?').inputValue(), await second.page.locator('#answer-changes-name').inputValue()]).toEqual([
    'And the footer in the new font',
    'Boris Kay',
  ]);
  expect(await problem.count()).toBe(1);
  expect(await other.getByRole('button', { name: 'Ask for these changes' }).count()).toBe(0);
  await second.page.setViewportSize(NARROW_PHONE);
  await problem.scrollIntoViewIfNeeded();
  await portal.screenshot(second.page, '45c-client-changes-second-tab-refused-phone-320', { fullPage: false });
  expect((await get(id)).changeRequests).toHaveLength(1);
  expect(unexpectedErrors(second.client.errors, [/status of 409 .*\/answers/])).toEqual([]);
  await second.client.context.close();

  // Accepting while the request waits answers it: listed as accepted before the manager answered.
  await page.getByLabel('4 — good').check();
  await page.locator('#answer-accepted-name').fill('Anna Berg');
  await section.getByRole('button', { name: 'Accept the work' }).click();
  await confirmation.getByText('Thank you — you accepted the work').waitFor({ timeout: 30_000 });
  const accepted = await get(id);
  const acceptedOn = await shownDate(page, accepted.feedback.find((f) => f.kind === 'accepted')!.at);
  expect(accepted.changeRequests).toEqual([expect.objectContaining({ outcome: 'accepted_instead' })]);
  expect(await section.locator('.changes-waiting').count()).toBe(0);
  expect(await section.locator('.answered-here li').allTextContents()).toEqual([
    `On ${askedOn}, Anna Berg asked for changes:“${asked}”The work was accepted before ${managerName()} answered.`,
    `On ${acceptedOn}, Anna Berg accepted the work, rating it “4 — good”.`,
  ]);
  await releaseReads();
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

step('the manager answers without a round: the page quotes the reply with its day and offers to ask again, the review period running again; a round recorded for the next request is said as being worked on', async () => {
  const { id, client, page, section } = await changesOffered(`${title} declined`);
  // Asked on the page (as the first step does), the request waits.
  const asked = 'Could the headline be shorter?';
  await changesCard(section).locator('summary').click();
  await page.getByLabel('What should change?').fill(asked);
  await page.locator('#answer-changes-name').fill('Carla Diaz');
  await section.getByRole('button', { name: 'Ask for these changes' }).click();
  await section.locator('.changes-waiting').waitFor({ timeout: 30_000 });

  // The manager answers without a round, as their page does.
  const reply = 'The headline is the one your marketing team approved in the plan; we would keep it as it is. Happy to talk it through by phone.';
  await h.http().post(`/api/projects/${id}/change-requests/r1/decline`).set(h.auth('manager')).set('Idempotency-Key', uniqueId('decline')).send({ reply }).expect(200);
  const answered = (await get(id)).changeRequests![0];
  expect(answered).toMatchObject({ outcome: 'declined', reply });
  const [askedOn, answeredOn] = [await shownDate(page, answered.at), await shownDate(page, answered.answeredAt!)];

  // At its next read (it reads every 30 s; not reloaded, so what the form kept shows), the page lists the request with the reply, quoted, and the day; asking is offered again, the waiting gone.
  const listed = section.locator('.answered-here li');
  await listed.first().waitFor({ timeout: 45_000 });
  expect(await listed.allTextContents()).toEqual([`On ${askedOn}, Carla Diaz asked for changes:“${asked}”${managerName()} answered on ${answeredOn}, without a round of changes:“${reply}”`]);
  expect(await section.locator('.changes-waiting').count()).toBe(0);
  // The confirmation that the request waits is gone with the wait.
  expect(await page.locator('.answer-confirmation').count()).toBe(0);
  expect(await changesCard(section).count()).toBe(1);
  // Offered afresh: closed, and nothing typed in it but the name, kept for a next answer.
  expect(await isOpen(changesCard(section))).toBe(false);
  expect([await page.locator('#answer-changes-description').inputValue(), await page.locator('#answer-changes-name').inputValue()]).toEqual(['', 'Carla Diaz']);
  // The review period runs again: a date to answer by.
  const answerBy = await shownDate(page, (await respondBy(id))!);
  expect(await page.locator('.callout[role="status"]').textContent()).toContain(`Please answer by ${answerBy}: accept it or ask for changes below, under Your answer.`);
  await shootDeskAndNarrowPhone(portal, page, '45d-client-changes-declined');

  // Asked again, the manager records a round of changes for it: said as being worked on while it is.
  const again = 'Then please make the headline bold';
  await changesCard(section).locator('summary').click();
  await page.getByLabel('What should change?').fill(again);
  await section.getByRole('button', { name: 'Ask for these changes' }).click();
  await section.locator('.changes-waiting').waitFor({ timeout: 30_000 });
  await h
    .http()
    .post(`/api/projects/${id}/feedback`)
    .set(h.auth('manager'))
    .send({ kind: 'revisions_requested', description: again, departments: ['design'], dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString() })
    .expect(200);
  const round = (await get(id)).changeRequests![1];
  expect(round).toMatchObject({ outcome: 'round_recorded' });
  const [againOn, plannedOn] = [await shownDate(page, round.at), await shownDate(page, round.answeredAt!)];
  await until(client, async () => (await listed.count()) === 2, 'the round of changes on the client\u2019s page');
  expect(await listed.nth(1).textContent()).toBe(`On ${againOn}, Carla Diaz asked for changes:“${again}”A round of changes is being worked on for it (planned on ${plannedOn}).`);
  await shootDeskAndNarrowPhone(portal, page, '45e-client-changes-round-under-way');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});
