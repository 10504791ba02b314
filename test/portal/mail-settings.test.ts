/**
 * Stopping the weekly digest in a real headless Chromium: "Your mail" (from the top bar) switches
 * the digest of the person's role off and on again, and a reload shows it as saved; staff read
 * that they get none. The digest's own link opens a page, without signing in, where only the press
 * of "Stop these mails" stops it: opening the page (or following the mail's header address, as a
 * scanner does) changes nothing, and a link that is not one says so. At the desk's width and at 320 px.
 */
import { UnsubscribeLinks } from '../../activities/mail/digest-mail';
import { startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, NARROW_PHONE, shootDeskAndNarrowPhone, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the mail settings');

let h: ApiHarness;
let portal: Portal;
let links: UnsubscribeLinks;
const opened: PersonPage[] = [];

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  portal = await startPortal(h);
  links = new UnsubscribeLinks(h.reporting, portal.baseUrl, 0);
});

afterAll(async () => {
  for (const p of opened) expect(unexpectedErrors(p.errors, [/status of 400 .*\/api\/mail\/unsubscribe/])).toEqual([]);
  await portal?.close();
  await h?.close();
});

const stopped = async (digest: 'manager_digest' | 'leadership_digest', personId: string): Promise<boolean> => (await h.reporting.stoppedDigest(digest, [personId])).has(personId);

step('a manager stops their digest under "Your mail", sees it stopped after a reload, and turns it on again', async () => {
  const manager = await portal.openAs('manager');
  opened.push(manager);
  const { page } = manager;
  await page.locator('.whoami').getByRole('link', { name: 'Your mail' }).click();
  await page.getByRole('heading', { name: 'Your mail', level: 1 }).waitFor();
  const digest = page.getByRole('checkbox', { name: 'Your projects this week (weekly digest)' });
  await expect(digest.isChecked()).resolves.toBe(true);
  const save = page.getByRole('button', { name: 'Save' });
  // Nothing to save until something changed.
  await expect(save.isDisabled()).resolves.toBe(true);
  await shootDeskAndNarrowPhone(portal, page, 'mail-settings-manager');

  await digest.uncheck();
  await save.click();
  await page.locator('.flash').getByText('Saved: you no longer get your weekly digest.').waitFor();
  expect(await stopped('manager_digest', h.people.manager.id)).toBe(true);

  await page.reload();
  await page.getByRole('heading', { name: 'Your mail', level: 1 }).waitFor();
  await expect(page.getByRole('checkbox', { name: 'Your projects this week (weekly digest)' }).isChecked()).resolves.toBe(false);
  await expect(page.locator('.mail-setting .hint').textContent()).resolves.toMatch(/Stopped here /);
  await shootDeskAndNarrowPhone(portal, page, 'mail-settings-manager-stopped');

  await page.getByRole('checkbox', { name: 'Your projects this week (weekly digest)' }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.flash').getByText('Saved: you get your weekly digest.').waitFor();
  expect(await stopped('manager_digest', h.people.manager.id)).toBe(false);
  await page.reload();
  await page.getByRole('heading', { name: 'Your mail', level: 1 }).waitFor();
  await expect(page.getByRole('checkbox', { name: 'Your projects this week (weekly digest)' }).isChecked()).resolves.toBe(true);
});

step('staff read that they get no weekly digest', async () => {
  const designer = await portal.openAs('designer', { startAt: '/settings/mail' });
  opened.push(designer);
  await designer.page.getByText('You get no weekly digest').waitFor();
  await expect(designer.page.getByRole('checkbox').count()).resolves.toBe(0);
  await shootDeskAndNarrowPhone(portal, designer.page, 'mail-settings-staff');
});

step("the digest's link opens a page that stops nothing until the person presses the button; a link that is not one says so", async () => {
  const leader = h.people.leadership.id;
  const { page: pageUrl, oneClick } = await links.forDigest(leader, 'leadership_digest');
  const reader = await portal.anonymous({ viewport: NARROW_PHONE });
  opened.push(reader);
  const { page } = reader;

  // The mail's header address, followed as a scanner would: the page, and nothing stopped.
  await page.goto(oneClick.replace(/^https?:\/\/[^/]+/, portal.baseUrl));
  await page.getByRole('heading', { name: 'Stop the weekly digest', level: 1 }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/mail/unsubscribe');
  await page.goto(pageUrl);
  const button = page.getByRole('button', { name: 'Stop these mails' });
  await button.waitFor();
  expect(await stopped('leadership_digest', leader)).toBe(false);
  await shootDeskAndNarrowPhone(portal, page, 'mail-unsubscribe');

  await button.click();
  await page.getByText('Done: you no longer get “Where the agency stands (weekly digest)”.').waitFor();
  expect(await stopped('leadership_digest', leader)).toBe(true);
  await shootDeskAndNarrowPhone(portal, page, 'mail-unsubscribe-done');

  // Altered by a character: refused, and nobody's digest stops.
  const forged = `${pageUrl.slice(0, -1)}${pageUrl.endsWith('A') ? 'B' : 'A'}`;
  await page.goto(forged);
  await page.getByRole('button', { name: 'Stop these mails' }).click();
  await page.getByRole('alert').getByText('This link cannot stop a digest').waitFor();
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/token/);
  await shootDeskAndNarrowPhone(portal, page, 'mail-unsubscribe-refused');
  await h.http().put('/api/me/mail').set(h.auth('leadership')).send({ digests: [{ digest: 'leadership_digest', receives: true }] }).expect(200);
});
