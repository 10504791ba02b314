/**
 * A returning client typed by name on the new-project form, in a real headless Chromium against the
 * real stack. "Müller Bäckerei" has an earlier project under `mu-ller-backerei` (the id the portal
 * made of the name before 2026-12-03; it makes `muller-backerei` now). Typed again ("müller
 * bäckerei", any case, accents and spaces) and not picked from the known clients, the form asks
 * whether it is that client before anything is sent: "Use Müller Bäckerei" files the project under
 * the old id, "A new client of the same name" keeps the new one. A name that only holds the known
 * one ("Müller Bäckerei Nord") asks nothing. A returning "ACME Ltd" typed "Acmee Limited" is
 * offered as a name like it, and typed "Acme Limited" as a known client; picked, the project goes
 * under its id. The journey (journeys.test.ts) covers picking a known client from the list and a
 * known client's id typed by hand.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, focusedId, shootDeskAndNarrowPhone, startPortal, unexpectedErrors, watchSends, type PersonPage, type Portal } from '../support/browser';
import { eventually } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('a returning client typed by name on the new-project form');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;

const OLD_ID = 'mu-ller-backerei';
const NAME = 'Müller Bäckerei';
const question = (page: PersonPage['page']) => page.locator('#np-client-known');

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  await h
    .http()
    .post('/api/projects')
    .set(h.auth('manager'))
    .send(projectRequest({ client: { id: OLD_ID, name: NAME, segment: 'B2B', email: 'backstube@mueller.example' }, title: 'Bread labels' }))
    .expect(201);
  await eventually(async () => (await h.http().get(`/api/clients?id=${OLD_ID}`).set(h.auth('manager')).expect(200)).body.items.length === 1, {
    what: 'Müller Bäckerei in the client directory',
    timeoutMs: 15_000,
  });
  manager = await portal.openAs('manager', { startAt: '/projects/new' });
});

afterAll(async () => {
  const errors = manager ? unexpectedErrors(manager.errors) : [];
  await portal?.close();
  await h?.close();
  expect(errors).toEqual([]);
});

/** The new-project form, the client's name typed and everything else filled. */
async function fillForm(page: PersonPage['page'], clientName: string, title: string): Promise<void> {
  await page.goto(`${portal.baseUrl}/projects/new`);
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  await page.locator('#np-client-name').fill(clientName);
  await page.locator('#np-client-email').fill('orders@mueller.example');
  await page.locator('#np-title').fill(title);
  await page.locator('#np-brief').fill('Labels for the new rye loaves.');
  await page.getByLabel('Design', { exact: true }).check();
  await page.locator('#np-budget-amount').fill('700');
  await page.locator('#np-desiredDeadline').fill(new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10));
}

/** Opens the project and gives the client it was filed under. */
async function submitAndReadClient(page: PersonPage['page'], title: string): Promise<ProjectStatus['client']> {
  await page.getByRole('button', { name: 'Open the project' }).click();
  await page.getByRole('heading', { name: `Plan for ${title}` }).waitFor();
  const projectId = /\/projects\/(p-[a-z2-7]+)\/plan/.exec(page.url())![1];
  return ((await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus).client;
}

step('typed by name and not picked, the form asks whether it is the known client before sending; “Use Müller Bäckerei” files it under its id', async () => {
  const { page } = manager;
  // Typed without its accents, in capitals, two spaces between: the same name to a person.
  await fillForm(page, 'MULLER  Backerei', 'Rye labels');
  expect(await page.locator('#np-client-id').inputValue()).toBe('muller-backerei');
  await question(page).getByRole('alert').filter({ hasText: `${NAME} is already a client (id ${OLD_ID}, 1 project). Use that client, or say this is a new client of the same name.` }).waitFor();

  const sends = watchSends(page);
  await page.getByRole('button', { name: 'Open the project' }).click();
  const summary = page.locator('.problem', { hasText: 'The project was not opened' });
  // Whichever comes: the form's refusal, or (sent after all) the new project's plan.
  await summary.or(page.getByRole('heading', { name: 'Plan for Rye labels' })).waitFor();
  sends.stop();
  expect(sends.sent).toEqual([]); // nothing sent, so no project opened
  expect(new URL(page.url()).pathname).toBe('/projects/new');
  await summary.getByRole('link', { name: 'Client' }).waitFor();
  expect(await summary.textContent()).toContain(`${NAME} is already a client: use ${NAME} (id ${OLD_ID}), or say this is a new client of the same name`);
  expect(await focusedId(page)).toBe('np-client-known');
  await shootDeskAndNarrowPhone(portal, page, 'new-project-same-name-question');

  await question(page).getByRole('button', { name: `Use ${NAME}` }).click();
  await page.getByRole('status').filter({ hasText: 'Returning client' }).waitFor();
  expect(await page.locator('#np-client-id').inputValue()).toBe(OLD_ID);
  expect(await page.locator('#np-client-name').inputValue()).toBe(NAME);
  expect(await question(page).count()).toBe(0);
  expect(await summary.count()).toBe(0); // answered, the summary has nothing left to say
  expect(await submitAndReadClient(page, 'Rye labels')).toMatchObject({ id: OLD_ID, name: NAME });
});

step('a name that only holds the known one asks nothing; “A new client of the same name” puts the question away and the project goes under the new id', async () => {
  const { page } = manager;
  // The known name, then more of it: the question that came goes, and the project is sent as typed.
  await fillForm(page, `${NAME} `, 'Branch opening');
  await question(page).getByRole('alert').waitFor();
  await page.locator('#np-client-name').fill(`${NAME} Nord`);
  await question(page).waitFor({ state: 'detached' });
  expect(await submitAndReadClient(page, 'Branch opening')).toMatchObject({ id: 'muller-backerei-nord', name: `${NAME} Nord` });

  await fillForm(page, NAME, 'Wedding cakes');
  await question(page).getByRole('alert').waitFor();
  await question(page).getByRole('button', { name: 'A new client of the same name' }).click();
  await question(page).waitFor({ state: 'detached' });
  expect(await page.locator('#np-client-id').inputValue()).toBe('muller-backerei');
  expect(await submitAndReadClient(page, 'Wedding cakes')).toMatchObject({ id: 'muller-backerei', name: NAME });
});

step('a returning client typed differently (“Acmee Limited”, “Acme Limited” for “ACME Ltd”) is offered; picked, the project goes under its id', async () => {
  const { page } = manager;
  const ACME_ID = 'acme-2019';
  await h
    .http()
    .post('/api/projects')
    .set(h.auth('manager'))
    .send(projectRequest({ client: { id: ACME_ID, name: 'ACME Ltd', segment: 'B2B', email: 'buying@acme.example' }, title: 'Anvil catalogue' }))
    .expect(201);
  await eventually(async () => (await h.http().get(`/api/clients?id=${ACME_ID}`).set(h.auth('manager')).expect(200)).body.items.length === 1, {
    what: 'ACME Ltd in the client directory',
    timeoutMs: 15_000,
  });
  const known = page.getByRole('group', { name: 'Known clients' });

  // A letter off: asked about as a name like the one typed, not listed as holding it.
  await fillForm(page, 'Acmee Limited', 'Rocket skates');
  await known.getByText('Is this the client? A known client with a name like it — pick it to use its client id:').waitFor();
  await known.getByRole('button', { name: 'ACME Ltd' }).waitFor();
  expect(await known.getByText('Known clients — pick one').count()).toBe(0);
  expect(await question(page).count()).toBe(0); // not the same name: nothing stops the form
  await shootDeskAndNarrowPhone(portal, page, 'new-project-similar-client');

  // The same words but "Limited" for "Ltd": a known client holding what was typed.
  await page.locator('#np-client-name').fill('Acme Limited');
  await known.getByText('Known clients — pick one to use the same client id as its earlier projects:').waitFor();
  expect(await known.getByText('Is this the client?').count()).toBe(0);
  await known.getByRole('button', { name: 'ACME Ltd' }).click();
  await page.getByRole('status').filter({ hasText: 'Returning client: ACME Ltd (acme-2019)' }).waitFor();
  expect(await page.locator('#np-client-id').inputValue()).toBe(ACME_ID);
  expect(await submitAndReadClient(page, 'Rocket skates')).toMatchObject({ id: ACME_ID, name: 'ACME Ltd' });
});
