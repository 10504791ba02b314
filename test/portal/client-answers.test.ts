/**
 * The client answers on their own page (`/client/<id>?key=…`), in a real headless Chromium on the
 * real stack: while the work is with them they accept it there — a rating in words, a comment,
 * their name — told first what accepting brings (the act and the final invoice, its amount); what
 * is missing is said at its field and nothing is sent; an answer whose response was lost is sent
 * again with the same Idempotency-Key and recorded once; a double submission sends once; the page
 * confirms from the answer's response (its reads held back), and the manager's project is past
 * the review with who answered. Outside the review (the work under way) no acceptance is offered,
 * but a complaint is, recorded with who made it. An answer the project no longer takes (the
 * manager recorded one meanwhile) is refused in words where the form is, what was typed kept.
 * The projects get where they are through the API.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { openDesignTask, projectInClientReview, startApiHarness, type ApiHarness } from '../support/api';
import {
  browserTestOrSkip,
  focusedId,
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
const step = browserTestOrSkip('the client answering on their page');

let h: ApiHarness;
let portal: Portal;
const title = `Client answers ${uniqueId('a').slice(-6)}`;

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

/** The client's page, read again until it shows `what` (the page reads the store's copy, a moment behind). */
async function until(client: PersonPage, what: () => Promise<boolean>, said: string): Promise<void> {
  await eventually(async () => ((await what()) ? true : (await client.page.reload(), false)), { what: said, timeoutMs: 30_000, intervalMs: 1_000 });
}

/**
 * A project in the client's review, its client's page open and offering the acceptance; from then
 * on the page's reads of the project are held (released by `releaseReads`), so what it shows next
 * comes from its own answer's response.
 */
async function acceptanceOffered(projectTitle: string) {
  const id = await projectInClientReview(h, { title: projectTitle });
  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const { page } = client;
  const section = page.locator('#answer');
  await until(client, async () => (await section.getByRole('heading', { name: 'Accept the work' }).count()) === 1, 'the acceptance offered on the client\u2019s page');
  const releaseReads = await holdReads(page, (path) => path === `/api/client/projects/${id}`);
  return { id, client, page, section, releaseReads };
}

step('the work with the client: they accept it on their page with a rating and their name; what is missing is said at its field and nothing sent; a lost response is sent again with its key and recorded once; the page confirms from the response', async () => {
  // One design task, €1,200, no prepayment. From here on the page learns nothing but from its own answer's response.
  const { id, client, page, section, releaseReads } = await acceptanceOffered(title);

  // The rating in words, none chosen for them; a comment; their name; what accepting brings, said before sending.
  expect(await section.locator('h2').textContent()).toBe('Your answer');
  const ratings = section.locator('#answer-accepted-rating input[type="radio"]');
  expect(await section.locator('#answer-accepted-rating label.choice').allTextContents()).toEqual(['5 — excellent', '4 — good', '3 — acceptable', '2 — disappointing', '1 — poor']);
  expect(await ratings.evaluateAll((inputs) => inputs.filter((i) => (i as unknown as { checked: boolean }).checked).length)).toBe(0);
  expect(await page.getByLabel('Comment (optional)').inputValue()).toBe('');
  expect(await page.locator('#answer-accepted-name').inputValue()).toBe('');
  expect(await section.locator('.answer-brings').textContent()).toBe('Accepting ends your review of the work. We then e-mail you the acceptance act to sign and the final invoice, of €1,200.00.');
  // Asking for changes instead is one line under the form, until opened (client-change-requests.test.ts).
  expect(await section.locator('.answer-changes > summary').textContent()).toBe('Something should change? Ask for changes');
  // The notice at the top points to the answer below, and to the manager for anything else.
  expect(await page.locator('.callout[role="status"]').textContent()).toContain(`accept it or ask for changes below, under Your answer. For anything else, write to ${managerName()}.`);
  expect(await page.locator('.callout[role="status"]').getByRole('link', { name: managerName() }).getAttribute('href')).toMatch(new RegExp(`^mailto:${h.people.manager.id}@agency\\.example\\?`));
  await shootDeskAndNarrowPhone(portal, page, '44-client-answer-form');

  const sends = watchSends(page);
  const acceptButton = section.getByRole('button', { name: 'Accept the work' });
  // Nothing chosen or typed: each missing field says so, the first gets the focus, nothing is sent.
  await acceptButton.click();
  expect(await page.locator('#answer-accepted-rating-error').textContent()).toBe('Choose how you rate the work, from 5 (excellent) to 1 (poor).');
  expect(await page.locator('#answer-accepted-name-error').textContent()).toBe('Give your name, so that we know who answered.');
  expect(await focusedId(page)).toBe('answer-accepted-rating');
  await shootChecked(portal, page, '44a-client-answer-missing-desktop');
  // By keyboard: into the ratings, the first chosen; the rating's refusal goes, the name's stays.
  await page.keyboard.press('Tab');
  expect(await focusedId(page)).toBe('answer-accepted-rating-5');
  await page.keyboard.press('ArrowDown');
  expect(await page.locator('#answer-accepted-rating-4').isChecked()).toBe(true);
  await acceptButton.click();
  expect(await page.locator('#answer-accepted-rating-error').count()).toBe(0);
  expect(await page.locator('#answer-accepted-name-error').textContent()).toBe('Give your name, so that we know who answered.');
  expect(await focusedId(page)).toBe('answer-accepted-name');
  expect(answersSent(sends, id)).toEqual([]);

  // Their answer, sent with Enter from the name field; its response lost on the way back (it was recorded).
  await page.getByLabel('5 — excellent').check();
  await page.getByLabel('Comment (optional)').fill('Lovely work, thank you');
  await page.locator('#answer-accepted-name').fill('Anna Berg');
  let answersSeen = 0;
  await page.route((url) => url.pathname === answersPath(id), async (route) => {
    if (answersSeen++ > 0) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.locator('#answer-accepted-name').press('Enter');
  const problem = section.locator('.answer-form .problem');
  await problem.waitFor({ timeout: 30_000 });
  expect(await problem.textContent()).toBe('Your answer may not have reached usThe connection failed, or we could not answer in time. Please send it again: an answer sent twice is recorded once.');
  // What was typed is all there still.
  expect([await page.getByLabel('5 — excellent').isChecked(), await page.getByLabel('Comment (optional)').inputValue(), await page.locator('#answer-accepted-name').inputValue()]).toEqual([
    true,
    'Lovely work, thank you',
    'Anna Berg',
  ]);

  // Sent again — twice in one go, as a double click that outruns the button: it goes once, with the first one's key.
  await section.locator('form.answer-form').first().evaluate((form) => {
    const f = form as unknown as { requestSubmit(): void };
    f.requestSubmit();
    f.requestSubmit();
  });
  const [first, again] = await eventually(async () => (answersSent(sends, id).length >= 2 ? answersSent(sends, id) : undefined), { what: 'the answer sent again' });
  expect(first.key).toMatch(/^[0-9a-f]{32}$/);
  expect(again.key).toBe(first.key);
  const confirmation = page.locator('.answer-confirmation');
  await confirmation.waitFor({ timeout: 30_000 });
  sends.stop();
  expect(answersSent(sends, id).map((s) => s.body)).toEqual([
    { kind: 'accepted', name: 'Anna Berg', rating: 5, comment: 'Lovely work, thank you' },
    { kind: 'accepted', name: 'Anna Berg', rating: 5, comment: 'Lovely work, thank you' },
  ]);

  // The manager's project: past the review, the acceptance recorded once, with who answered.
  const project = await get(id);
  expect(['invoicing', 'closing', 'completed']).toContain(project.stage);
  const accepted = project.feedback.filter((f) => f.kind === 'accepted');
  expect(accepted).toEqual([expect.objectContaining({ kind: 'accepted', rating: 5, comment: 'Lovely work, thank you', clientContact: 'Anna Berg' })]);

  // Confirmed at the top (the focus there), from the response alone: the reads are still held.
  const acceptedOn = await shownDate(page, accepted[0].at);
  expect(await confirmation.textContent()).toBe(`Thank you — you accepted the work on ${acceptedOn}. The acceptance act to sign and the final invoice (€1,200.00) follow by e-mail.`);
  expect(await confirmation.evaluate((e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
  expect(await page.locator('.callout[role="status"] strong').first().textContent()).toBe('The work is accepted; invoicing is under way.');
  // The acceptance form and asking for changes are gone; the answer is listed; a complaint is still heard.
  expect(await page.locator('#answer-accepted-name').count()).toBe(0);
  expect(await section.locator('.answer-changes').count()).toBe(0);
  expect(await section.locator('.answered-here li').allTextContents()).toEqual([`On ${acceptedOn}, Anna Berg accepted the work, rating it “5 — excellent”.“Lovely work, thank you”`]);
  expect(await section.locator('summary').textContent()).toBe('Something is wrong? Make a complaint');
  await shootDeskAndNarrowPhone(portal, page, '44b-client-answer-accepted');

  // Read again later, the page still says what was answered, and by whom.
  await releaseReads();
  await page.reload();
  await section.locator('.answered-here li').first().waitFor();
  expect(await section.locator('.answered-here li').allTextContents()).toEqual([`On ${acceptedOn}, Anna Berg accepted the work, rating it “5 — excellent”.“Lovely work, thank you”`]);
  expect(unexpectedErrors(client.errors, [/net::ERR_CONNECTION_RESET/, /Failed to load resource.*\/answers/])).toEqual([]);
  await client.context.close();

  // The manager's page says who answered, and where: never the client's id.
  const manager = await portal.openAs('manager', { startAt: `/projects/${id}` });
  const feedback = manager.page.locator('#feedback li');
  await feedback.first().waitFor();
  expect(await feedback.allTextContents()).toEqual([expect.stringMatching(/ Accepted rating 5 of 5: “Lovely work, thank you” — given by Anna Berg on the client’s page$/)]);
  const acceptedEntry = manager.page.locator('.timeline li', { hasText: 'rating 5' });
  expect(await acceptedEntry.textContent()).toContain('by the client (on their page)');
  expect(await manager.page.locator('main').textContent()).not.toContain('client:');
  await shootChecked(portal, manager.page, '44f-manager-sees-client-answer-desktop');
  expect(unexpectedErrors(manager.errors)).toEqual([]);
  await manager.context.close();
});

step('the work under way: no acceptance is offered, but a complaint is; made on the page, it is listed there and is the project\u2019s complaint, with who made it', async () => {
  const { projectId: id } = await openDesignTask(h, `${title} under way`);
  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const { page } = client;
  await until(client, async () => (await page.locator('.callout[role="status"]').textContent())?.includes('The work is under way.') === true, 'the work under way on the client\u2019s page');
  const section = page.locator('#answer');
  await section.waitFor();
  // No acceptance, no asking for changes: only a complaint.
  expect(await section.getByRole('heading', { name: 'Accept the work' }).count()).toBe(0);
  expect(await page.locator('#answer-accepted-name, #answer-accepted-rating').count()).toBe(0);
  expect(await section.locator('.answer-brings, .answer-changes').count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Accept the work' }).count()).toBe(0);

  const sends = watchSends(page);
  await section.locator('summary', { hasText: 'Something is wrong? Make a complaint' }).click();
  await section.getByRole('button', { name: 'Send the complaint' }).click();
  expect(await page.locator('#answer-complaint-description-error').textContent()).toBe('Say what is wrong.');
  expect(await page.locator('#answer-complaint-name-error').textContent()).toBe('Give your name, so that we know who answered.');
  expect(await focusedId(page)).toBe('answer-complaint-description');
  expect(answersSent(sends, id)).toEqual([]);
  await page.getByLabel('What is wrong?').fill('The banner draft we saw is in the old colours');
  await page.locator('#answer-complaint-name').fill('Boris Kay');
  await shootDeskAndNarrowPhone(portal, page, '44c-client-complaint-form');
  await section.getByRole('button', { name: 'Send the complaint' }).click();

  const confirmation = page.locator('.answer-confirmation');
  await confirmation.waitFor({ timeout: 30_000 });
  expect(await confirmation.textContent()).toBe(`Your complaint was sent to ${managerName()}; they will answer you.`);
  expect(answersSent(sends, id).map((s) => s.body)).toEqual([{ kind: 'complaint', name: 'Boris Kay', description: 'The banner draft we saw is in the old colours' }]);
  sends.stop();
  const project = await get(id);
  expect(project.complaints).toEqual([expect.objectContaining({ description: 'The banner draft we saw is in the old colours', clientContact: 'Boris Kay' })]);
  const madeOn = await shownDate(page, project.complaints[0].at);
  expect(await section.locator('.answered-here li').allTextContents()).toEqual([`On ${madeOn}, Boris Kay made a complaint:“The banner draft we saw is in the old colours”`]);
  // The form is put away and starts afresh; the name stays for a next one.
  expect(await section.locator('details.answer-complaint').evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);
  expect(await page.locator('#answer-complaint-description').inputValue()).toBe('');
  expect(await page.locator('#answer-complaint-name').inputValue()).toBe('Boris Kay');
  // What the page is given lists it too (a reload shows it).
  const key = new URL(page.url()).searchParams.get('key')!;
  const view = (await h.http().get(`/api/client/projects/${id}`).query({ key }).expect(200)).body as { answeredHere: unknown[]; mayAnswer: unknown };
  expect(view.mayAnswer).toEqual({ accept: false, complain: true, askForChanges: false });
  expect(view.answeredHere).toEqual([{ kind: 'complaint', at: project.complaints[0].at, name: 'Boris Kay', description: 'The banner draft we saw is in the old colours' }]);
  await shootDeskAndNarrowPhone(portal, page, '44d-client-complaint-sent');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

step('a field the project refuses is said at that field; an answer the project no longer takes (the manager recorded one meanwhile) is refused in words where the form is, what was typed kept', async () => {
  const { id, client, page, section, releaseReads } = await acceptanceOffered(`${title} refused`);

  // Refused by the API at a field: said at that field, no box besides.
  await page.getByLabel('3 — acceptable').check();
  await page.locator('#answer-accepted-name').fill('Anna Berg');
  await page.getByLabel('Comment (optional)').fill('x'.repeat(5_001));
  await section.getByRole('button', { name: 'Accept the work' }).click();
  await page.locator('#answer-accepted-comment-error').waitFor({ timeout: 30_000 });
  expect(await page.locator('#answer-accepted-comment-error').textContent()).toBe('at most 5,000 characters');
  expect(await section.locator('.problem').count()).toBe(0);

  // Meanwhile the manager records the client's acceptance they heard by phone; the page still offers it.
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 4 }).expect(200);
  await page.getByLabel('Comment (optional)').fill('Fine');
  await section.getByRole('button', { name: 'Accept the work' }).click();
  const problem = section.locator('.answer-form .problem');
  await problem.waitFor({ timeout: 30_000 });
  expect(await problem.textContent()).toBe(
    'Your answer is not taken now' +
      'The work is not waiting for your review now (it may have been accepted a moment ago, or be in hand again): nothing was recorded. ' +
      'The page shows where it stands now; write to your account manager with anything more. What you typed is kept here.',
  );
  // The page reads where the project stands at once (accepted: no acceptance offered; well before its next poll, 30 s on), and keeps the form with what was typed.
  await releaseReads();
  await page.locator('.callout[role="status"]').getByText('The work is accepted; invoicing is under way.').waitFor({ timeout: 10_000 });
  expect([await page.getByLabel('3 — acceptable').isChecked(), await page.getByLabel('Comment (optional)').inputValue(), await page.locator('#answer-accepted-name').inputValue()]).toEqual([
    true,
    'Fine',
    'Anna Berg',
  ]);
  expect(await problem.count()).toBe(1);
  expect(await page.locator('.answer-confirmation').count()).toBe(0);
  // Kept for what was typed only: no button that could not succeed, nothing said of what accepting would bring.
  expect(await section.getByRole('button', { name: 'Accept the work' }).count()).toBe(0);
  expect(await section.locator('.answer-brings, .answer-changes').count()).toBe(0);
  await page.setViewportSize(NARROW_PHONE);
  await problem.scrollIntoViewIfNeeded();
  await portal.screenshot(page, '44e-client-answer-refused-phone-320', { fullPage: false });
  // Only the manager's acceptance is recorded.
  expect((await get(id)).feedback.filter((f) => f.kind === 'accepted')).toEqual([expect.not.objectContaining({ clientContact: expect.anything() })]);
  expect(unexpectedErrors(client.errors, [/status of (400|409) .*\/answers/])).toEqual([]);
  await client.context.close();
});
