/**
 * The tab the inbox opens on, in a real headless Chromium: without a view in the address it opens
 * on Open, or on Mine when the person's own work needs them (kept as it was); and with nothing open
 * and nothing in their hands, on the first tab in the tabs' order that has something — Delivered
 * before Coming up, Coming up for work waiting on other work or on a client's prepayment — not on
 * an empty Open above it. Every tab empty: Open, with its note. Once opened, a refresh bringing
 * open work does not move the person to another tab; the Open count says it.
 *
 * The inbox reads the reporting store alone: the projects and tasks are published into the
 * harness's store as the workflows would publish them (no worker runs).
 */
import { ProjectBuilder, plusDays } from '../reporting/builders';
import { startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, shootDeskAndNarrowPhone, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the tab the inbox opens on');

let h: ApiHarness;
let portal: Portal;
const pages: PersonPage[] = [];
const DAY = 86_400_000;
const base = new Date(Date.now() - 10 * DAY).toISOString();
const soon = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const stamp = Date.now().toString(36);
let n = 0;

const project = (key: string, title: string) => {
  const p = new ProjectBuilder({
    projectId: `p-if-${key}-${stamp}`,
    managerId: h.people.manager.id,
    client: { id: `client-if-${key}`, name: `Client ${key}`, segment: 'B2B' },
    intakeAt: new Date(Date.parse(base) + ++n * 60_000).toISOString(),
  });
  p.status.title = title;
  return p;
};
const publish = async (p: ProjectBuilder) => {
  for (const snapshot of p.publishAll()) await h.reporting.publish(snapshot);
};

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  // SEO: one task approved and waiting for other work; nothing open, nothing in hand.
  await publish(project('seo', 'Harbour site SEO').submitPlan(plusDays(base, 1), [{ key: 'audit', department: 'seo', dueAt: soon(9) }]).approve(plusDays(base, 2)));
  // Copywriting: a delivery waiting for review, and a task coming up: Delivered comes first.
  const copy = project('copy', 'Bakery leaflets')
    .submitPlan(plusDays(base, 1), [
      { key: 'text', department: 'copywriting', dueAt: soon(3) },
      { key: 'slogan', department: 'copywriting', dueAt: soon(8) },
    ])
    .approve(plusDays(base, 2));
  copy.task('text').open(plusDays(base, 2)).claim(h.people.copywriter.id).submit(plusDays(base, 4));
  await publish(copy);
  // Ads: the work of a project waiting for its prepayment (no task yet), nothing else.
  const ads = project('ads', 'Garage campaign')
    .submitPlan(plusDays(base, 1), [{ key: 'campaign', department: 'ads', dueAt: soon(12) }], { prepaymentPercent: 30 })
    .approve(plusDays(base, 2))
    .invoice('prepayment', `INV-IF-${stamp}`, 300, plusDays(base, 2), soon(4), { status: 'open' });
  ads.status.policy.startAfterPrepayment = true;
  ads.status.tasks = [];
  ads.tasks.clear();
  await publish(ads);
  // Design: open work and work coming up: Open, as before.
  const design = project('design', 'Florist posters')
    .submitPlan(plusDays(base, 1), [
      { key: 'poster', department: 'design', dueAt: soon(5) },
      { key: 'banner', department: 'design', dueAt: soon(7) },
    ])
    .approve(plusDays(base, 2));
  design.task('poster').open(plusDays(base, 2));
  await publish(design);
  // Analytics: nothing anywhere.
  portal = await startPortal(h);
});

afterAll(async () => {
  for (const p of pages) expect(unexpectedErrors(p.errors)).toEqual([]);
  await portal?.close();
  await h?.close();
});

async function inbox(who: 'seo' | 'copywriter' | 'ads' | 'designer' | 'analyst'): Promise<PersonPage> {
  const p = await portal.openAs(who, { startAt: '/inbox' });
  pages.push(p);
  await p.page.locator('nav.tabs a[aria-current="page"]').waitFor();
  return p;
}
/** The tab shown, with its count ("Coming up 1"). */
const current = (p: PersonPage) => p.page.locator('nav.tabs a[aria-current="page"]').textContent();

step('nothing open and nothing in hand: the inbox opens on the first tab that has something, Delivered before Coming up', async () => {
  const seo = await inbox('seo');
  expect(await current(seo)).toBe('Coming up 1');
  await seo.page.getByRole('list', { name: 'Coming up tasks' }).getByText('seo audit').waitFor();
  expect(await seo.page.locator('nav.tabs').textContent()).toBe('Open 0Mine 0Delivered 0Sent back 0Coming up 1Accepted');
  await shootDeskAndNarrowPhone(portal, seo.page, 'inbox-opens-on-coming-up');

  const copywriter = await inbox('copywriter');
  expect(await current(copywriter)).toBe('Delivered 1');
  await copywriter.page.getByRole('list', { name: 'Delivered tasks' }).getByText('copywriting text').waitFor();

  // Only planned work of a project waiting for its prepayment: Coming up too.
  const ads = await inbox('ads');
  expect(await current(ads)).toBe('Coming up 1');
  await ads.page.getByText(/^Starts once the client pays the prepayment/).waitFor();
  await shootDeskAndNarrowPhone(portal, ads.page, 'inbox-opens-on-coming-up-prepayment');
});

step('with open work it opens on Open as before; with nothing anywhere, on Open with its note', async () => {
  const designer = await inbox('designer');
  expect(await current(designer)).toBe('Open 1');

  const analyst = await inbox('analyst');
  expect(await current(analyst)).toBe('Open 0');
  await analyst.page.getByText(/^No open work in your department right now\./).waitFor();
});

step('a refresh bringing open work does not move the person from the tab it opened on', async () => {
  // The SEO specialist's inbox, opened above on Coming up.
  const seo = pages[0];
  // A second SEO task opens for the department while the inbox is on Coming up.
  const more = project('seo-more', 'Bakery site SEO').submitPlan(plusDays(base, 1), [{ key: 'keywords', department: 'seo', dueAt: soon(6) }]).approve(plusDays(base, 2));
  more.task('keywords').open(plusDays(base, 3));
  await publish(more);
  await seo.page.locator('nav.tabs a', { hasText: /^Open 1$/ }).waitFor({ timeout: 15_000 });
  expect(await current(seo)).toBe('Coming up 1');
  expect(seo.page.url()).toBe(`${portal.baseUrl}/inbox`);
});
