/**
 * The portfolio's card of a project whose client asked for changes, in a real headless Chromium on
 * the real stack. With the client for review, a card says it waits for the client; but while a
 * request for changes of theirs waits for the manager's answer, the client waits on the manager:
 * the list item carries when it was asked (`changesAskedAt`), the card says "Changes asked by the
 * client" and "Waiting for you" (leadership: for the manager, by name), and the project comes
 * first among those with the client, as what waits on the manager does. Answered without a round,
 * or with a round of changes recorded, it no longer does. The client asks through the API.
 */
import type { ProjectListItem } from '../../api/schemas';
import type { ProjectStatus } from '../../workflows/project/contract';
import { clientAsksForChanges, projectInClientReview, startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, shootDeskAndNarrowPhone, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(240_000);
const step = browserTestOrSkip('the portfolio’s card of a project whose client asked for changes');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
let leader: PersonPage | undefined;
const tag = uniqueId('p').slice(-6);
/** Asked for changes below; `calm` went to the client later (newer: listed first unless something waits on the manager). */
const asked = `Changes asked ${tag}`;
const calm = `Calm review ${tag}`;
let askedId: string;
let calmId: string;

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  askedId = await projectInClientReview(h, { title: asked });
  calmId = await projectInClientReview(h, { title: calm });
  manager = await portal.openAs('manager');
});

afterAll(async () => {
  const errors = [...(manager ? unexpectedErrors(manager.errors) : []), ...(leader ? unexpectedErrors(leader.errors) : [])];
  await portal?.close();
  await h?.close();
  expect(errors).toEqual([]);
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
const managerName = () => h.directory.get(h.people.manager.id)!.name;

/** The project's item in the list (the reporting store's copy), once `ready` holds for it. */
async function listItem(id: string, ready: (item: ProjectListItem) => boolean): Promise<ProjectListItem> {
  let found: ProjectListItem | undefined;
  await eventually(
    async () => {
      const res = await h.http().get('/api/projects').set(h.auth('manager')).expect(200);
      found = (res.body.items as ProjectListItem[]).find((p) => p.projectId === id);
      return found !== undefined && ready(found);
    },
    { what: `project ${id} listed as expected`, timeoutMs: 30_000 },
  );
  return found!;
}

/** The portfolio read afresh: the card's badges, and the order of the cards with the client. */
async function portfolio(person: PersonPage, ready: (badges: string[]) => boolean) {
  const { page } = person;
  const card = page.locator('li.project-card', { hasText: asked });
  let badges: string[] = [];
  await eventually(
    async () => {
      await page.goto(`${portal.baseUrl}/projects`);
      await card.waitFor({ timeout: 30_000 });
      badges = (await card.locator('.meta-row .badge').allTextContents()).map((b) => b.replace(/ · .*$/, ''));
      return ready(badges);
    },
    { what: 'the portfolio’s card as expected', timeoutMs: 30_000 },
  );
  const withClient = page.locator('section.stage-column', { has: page.locator('#stage-client_review') });
  return { page, card, badges, order: await withClient.locator('li.project-card .project-title').allTextContents() };
}

step('while the client’s request waits: the list item says when it was asked; the card says the client asked for changes and waits for the manager, first among those with the client', async () => {
  // Before any request: both wait for the client, the newer first.
  const before = await portfolio(manager, (badges) => badges.includes('Waiting for the client'));
  expect(before.badges).toEqual(['Waiting for the client']);
  expect(before.order).toEqual([calm, asked]);
  expect((await listItem(askedId, () => true)).changesAskedAt).toBeUndefined();

  await clientAsksForChanges(h, askedId, 'The logo should be bigger on the home page, please.');
  const request = (await get(askedId)).changeRequests![0];
  expect((await listItem(askedId, (p) => p.changesAskedAt !== undefined)).changesAskedAt).toBe(request.at);
  expect((await listItem(calmId, () => true)).changesAskedAt).toBeUndefined();

  const open = await portfolio(manager, (badges) => badges.includes('Changes asked by the client'));
  expect(open.badges).toEqual(['Changes asked by the client', 'Waiting for you']);
  // How long the client has waited: since they asked, not since the work went to them.
  expect(await open.card.locator('.badge', { hasText: 'Waiting for you' }).textContent()).toMatch(/^Waiting for you · \S/);
  expect(await open.card.locator('.badge--warn', { hasText: 'Changes asked by the client' }).count()).toBe(1);
  // What waits on the manager comes first within its stage.
  expect(open.order).toEqual([asked, calm]);
  await shootDeskAndNarrowPhone(portal, open.page, 'portfolio-changes-asked');

  // Leadership reads whom it waits for by name.
  leader = await portal.openAs('leadership', { startAt: '/projects' });
  const theirs = await portfolio(leader, (badges) => badges.includes('Changes asked by the client'));
  expect(theirs.badges).toEqual(['Changes asked by the client', `Waiting for ${managerName()}`]);
  await shootDeskAndNarrowPhone(portal, theirs.page, 'portfolio-changes-asked-leadership');
});

step('answered without a round: the list item no longer says it, and the card waits for the client again', async () => {
  await h
    .http()
    .post(`/api/projects/${askedId}/change-requests/r1/decline`)
    .set(h.auth('manager'))
    .send({ reply: 'The logo is as large as your brand book allows.' })
    .expect(200);
  expect((await listItem(askedId, (p) => p.changesAskedAt === undefined)).changesAskedAt).toBeUndefined();
  const answered = await portfolio(manager, (badges) => !badges.includes('Changes asked by the client'));
  expect(answered.badges).toEqual(['Waiting for the client']);
  expect(answered.order).toEqual([calm, asked]);
});

step('a round of changes recorded for the next request: the list item no longer says it, and the card neither says changes were asked nor waits for anyone', async () => {
  await clientAsksForChanges(h, askedId, 'Then at least a bolder headline.');
  await listItem(askedId, (p) => p.changesAskedAt !== undefined);
  expect((await portfolio(manager, (badges) => badges.includes('Changes asked by the client'))).badges).toEqual(['Changes asked by the client', 'Waiting for you']);

  const dueAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
  await h
    .http()
    .post(`/api/projects/${askedId}/feedback`)
    .set(h.auth('manager'))
    .send({ kind: 'revisions_requested', description: 'A bolder headline on the home page', departments: ['design'], dueAt })
    .expect(200);
  expect((await get(askedId)).changeRequests!.map((r) => r.outcome)).toEqual(['declined', 'round_recorded']);
  expect((await listItem(askedId, (p) => p.changesAskedAt === undefined)).changesAskedAt).toBeUndefined();
  const round = await portfolio(manager, (badges) => !badges.includes('Changes asked by the client'));
  expect(round.badges.filter((b) => b.startsWith('Waiting for'))).toEqual([]);
  expect(round.order).toEqual([calm]);
});
