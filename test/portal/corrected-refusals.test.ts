/**
 * A field's refusal goes as soon as the field is corrected, not at the next submit, on the three
 * forms with rules of their own: leadership's new due dates on an approval (one date among
 * several), the manager's payment, and a delivery's links (one link among several; one still
 * refused keeps its refusal, numbered where it is now, when lines before it come or go). Only the
 * refusal of the field edited goes: another field's (another date's, another link's) stays until
 * that one is corrected too, and the corrected form is then accepted.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { approvedWithPrepayment, claimedDesignTask, planRequest, projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, localIn, shootDeskAndNarrowPhone, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const browserTest = browserTestOrSkip('a corrected field’s refusal going');

let h: ApiHarness;
let portal: Portal;
const pages: PersonPage[] = [];
const title = `Corrected ${uniqueId('c').slice(-6)}`;
const DAY = 86_400_000;

/** Refusals provoked on purpose below: their network lines are the only console errors allowed. */
const PROVOKED = [
  /status of 400 .*\/api\/projects\/p-[a-z2-7]+\/(plan\/decision|payments)\b/,
  /status of 400 .*\/api\/tasks\/p-[a-z2-7]+\.design-home\/submit\b/,
];

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
});

afterAll(async () => {
  for (const p of pages) expect(unexpectedErrors(p.errors, PROVOKED)).toEqual([]);
  await portal?.close();
  await h?.close();
});

async function open(who: Parameters<Portal['openAs']>[0], startAt: string): Promise<PersonPage> {
  const p = await portal.openAs(who, { startAt });
  pages.push(p);
  return p;
}

browserTest('an approval’s new due date, corrected, no longer says it is missing; the other date still does until it is given', async () => {
  const late = `${title} dates`;
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: late })).expect(201);
  const id = (created.body as ProjectStatus).projectId;
  // Both tasks' dates pass while the plan waits.
  const plan = planRequest();
  const [design, copy] = plan.tasks as Record<string, unknown>[];
  const tasks = [
    { ...design, dueAt: new Date(Date.now() + 4_000).toISOString() },
    { ...copy, dueAt: new Date(Date.now() + 5_000).toISOString() },
  ];
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send({ ...plan, tasks }).expect(200);
  await new Promise((r) => setTimeout(r, 5_500));

  const { page } = await open('leadership', '/approvals');
  const card = page.locator('li.approval', { hasText: late });
  await card.waitFor({ timeout: 30_000 });
  const field = (key: string) => card.locator(`[id="decision-${id}-due-${key}"]`);
  const refusal = (key: string) => card.locator(`[id="decision-${id}-due-${key}-error"]`);
  /** The due dates the box above the form still lists as refused, by their fields' names. */
  const listed = async () => (await card.locator('.problem li').allInnerTexts()).map((l) => l.split(':')[0]);
  await field('copy-home').waitFor();
  await card.getByRole('button', { name: 'Approve' }).click();
  await refusal('design-home').waitFor();
  expect(await refusal('copy-home').textContent()).toContain('has passed: give it a new due date');
  expect(await listed()).toEqual(['New due date for “Home page design”', 'New due date for “Home page copy”']);

  // The design's date given: its refusal goes, at the field and in the box; the copy's stays in both.
  // Each date is computed once: computed again later, it may have moved to the next minute.
  const designDue = localIn(2 * DAY);
  await field('design-home').fill(designDue);
  expect({ atField: await refusal('design-home').count(), invalid: await field('design-home').getAttribute('aria-invalid') }).toEqual({ atField: 0, invalid: null });
  expect(await refusal('copy-home').textContent()).toContain('has passed: give it a new due date');
  expect(await field('copy-home').getAttribute('aria-invalid')).toBe('true');
  expect(await listed()).toEqual(['New due date for “Home page copy”']);
  await shootDeskAndNarrowPhone(portal, page, 'corrected-approval-due-date');

  // The copy's too: no refusal is left, nor the box; both fields stay, with their dates.
  await field('copy-home').fill(localIn(3 * DAY));
  expect([await refusal('copy-home').count(), await card.locator('.problem').count()]).toEqual([0, 0]);
  expect(await field('design-home').inputValue()).toBe(designDue);
  await card.getByRole('button', { name: 'Approve' }).click();
  await card.waitFor({ state: 'detached' });
  const approved = await eventually(
    async () => {
      const s = (await h.http().get(`/api/projects/${id}`).set(h.auth('leadership')).expect(200)).body as ProjectStatus;
      return s.tasks.length === 2 ? s : undefined;
    },
    { what: 'the approved plan’s tasks' },
  );
  expect(approved.tasks.map((t) => Math.round((Date.parse(t.dueAt) - Date.now()) / DAY))).toEqual([2, 3]);
});

browserTest('a payment’s amount, corrected, no longer says what was wrong with it; the missing reference still does until it is typed', async () => {
  const { id, get, prepayment } = await approvedWithPrepayment(h, `${title} payment`);
  const { page } = await open('manager', `/projects/${id}`);
  await page.getByRole('heading', { name: 'Record a payment' }).waitFor({ timeout: 30_000 });
  const amount = page.locator('#payment-amount');
  const reference = page.locator('#payment-reference');
  await amount.fill('0');
  await page.getByRole('button', { name: 'Record the payment' }).click();
  await page.locator('#payment-amount-error').waitFor();
  expect(await page.locator('#payment-amount-error').textContent()).toBe('must be positive');
  expect(await page.locator('#payment-reference-error').textContent()).toBe('required');

  await amount.fill('300');
  expect({ atField: await page.locator('#payment-amount-error').count(), invalid: await amount.getAttribute('aria-invalid') }).toEqual({ atField: 0, invalid: null });
  expect([await page.locator('#payment-reference-error').textContent(), await reference.getAttribute('aria-invalid')]).toEqual(['required', 'true']);

  await reference.fill(`${id}-prepayment`);
  expect([await page.locator('#payment-reference-error').count(), await reference.getAttribute('aria-invalid')]).toEqual([0, null]);
  await page.getByRole('button', { name: 'Record the payment' }).click();
  await page.locator('.flash', { hasText: `Payment recorded on ${prepayment.number}.` }).waitFor({ timeout: 30_000 });
  expect((await get()).invoices.find((i) => i.number === prepayment.number)?.payments.map((p) => [p.amount, p.reference])).toEqual([[300, `${id}-prepayment`]]);
});

browserTest('a delivery’s link, corrected, is no longer named in the refusal; another bad link still is, wherever lines around it moved, and so is the missing summary until written', async () => {
  const { designTask: task } = await claimedDesignTask(h, `${title} links`);
  const { page } = await open('designer', `/tasks/${task}`);
  const links = page.locator('#deliver-links');
  const linksRefusal = page.locator('#deliver-links-error');
  const summaryRefusal = page.locator('#deliver-summary-error');
  const withoutScheme = 'Link 1: a web address starting with http:// or https:// — e.g. https://www.figma.example/file/abc';
  const otherScheme = (at: number) => `Link ${at}: a web address starting with http:// or https://, not “ftp://files.example.com/mockups.zip”`;
  await links.fill('www.figma.example/file/abc\nhttps://drive.example.com/landing-v1.pdf\nftp://files.example.com/mockups.zip');
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  await linksRefusal.waitFor();
  expect(await linksRefusal.textContent()).toBe(`${withoutScheme}; ${otherScheme(3)}`);
  expect(await summaryRefusal.textContent()).toBe('required');

  // The first link given its scheme: only the third is still named; the summary is still missing.
  await links.fill('https://www.figma.example/file/abc\nhttps://drive.example.com/landing-v1.pdf\nftp://files.example.com/mockups.zip');
  expect(await linksRefusal.textContent()).toBe(otherScheme(3));
  expect(await summaryRefusal.textContent()).toBe('required');
  // The good link before it taken out: the third, not corrected, is still named, as the second it is now.
  await links.fill('https://www.figma.example/file/abc\nftp://files.example.com/mockups.zip');
  expect([await linksRefusal.textContent(), await links.getAttribute('aria-invalid')]).toEqual([otherScheme(2), 'true']);

  await page.locator('#deliver-summary').fill('Mock-ups, desktop and mobile');
  expect([await summaryRefusal.count(), await page.locator('#deliver-summary').getAttribute('aria-invalid')]).toEqual([0, null]);
  expect(await linksRefusal.textContent()).toBe(otherScheme(2));
  await shootDeskAndNarrowPhone(portal, page, 'corrected-delivery-links');

  await links.fill('https://www.figma.example/file/abc\nhttps://files.example.com/mockups.zip');
  expect([await linksRefusal.count(), await links.getAttribute('aria-invalid')]).toEqual([0, null]);
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  await page.getByText('Delivered. The manager reviews it next.').waitFor();
  expect(((await h.http().get(`/api/tasks/${task}`).set(h.auth('designer')).expect(200)).body as { status: string }).status).toBe('submitted');
});
