/**
 * The portal's main journeys with the keyboard only (Tab, Shift+Tab, Enter, Space, arrows, Escape;
 * never a click), as a person who cannot use a mouse: a manager opens a project and drafts its plan
 * (a bad submit first: the refusal takes the focus and leads to its field), leadership approves it,
 * a designer claims the task from their inbox and delivers it (a link without its scheme refused at
 * its field), the manager sends it back from the review queue and accepts the next delivery on the
 * task's page, and records the prepayment. At every step the control is reached by Tab, the focused
 * control wears a visible ring, and after an action the focus is somewhere a person can go on from,
 * never lost to the page's body. The top bar is walked at 320 px.
 *
 * Each step is its own test (they share the project, in order). Screenshots with the focus on
 * buttons, links and fields go to test-output/portal/keyboard-*.png.
 */
import type { Page } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectRequest, startApiHarness, type ApiHarness, type PersonKey } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, NARROW_PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the keyboard-only journeys');
let h: ApiHarness;
let portal: Portal;
const pages: PersonPage[] = [];
/** The refusals the walk provokes on purpose (an empty new-project form, a negative price): the browser logs their network lines. */
const PROVOKED = [/status of 400 .*\/api\/projects(\/p-[a-z2-7]+\/plan)?\b/, /status of 400 .*\/api\/tasks\/.*\/(submit|review)\b/];

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
});
afterAll(async () => {
  try {
    for (const p of pages) expect(unexpectedErrors(p.errors, PROVOKED)).toEqual([]);
  } finally {
    await portal?.close();
    await h?.close();
  }
});
const suite = {
  harness: () => h,
  portal: () => portal,
  async open(who: PersonKey, startAt: string): Promise<PersonPage> {
    const person = await portal.openAs(who, { startAt, viewport: DESKTOP });
    pages.push(person);
    return person;
  },
};

const title = `Keyboard bakery ${uniqueId('k').slice(-6)}`;
let projectId = '';
let manager: PersonPage;
let designer: PersonPage;
const DAY = 86_400_000;

/** What has the focus, in words a failure can be read by: tag, id, role and name. */
interface Focused {
  tag: string;
  id: string;
  role: string;
  name: string;
  type: string;
  /** The ring's contrast with what is drawn just outside the element (the nearest background there): WCAG's 3:1 for what is not text. */
  ringContrast: number;
  /** The focus ring as drawn: outline style and width, or the box shadow. */
  ring: string;
  /** A date field's calendar button (inside the field, so the field itself has no :focus): Chromium rings it itself, dark. */
  pickerButton: boolean;
  /** Whether the element is in the window (a focused control out of sight is no better than none). */
  inSight: boolean;
}

const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { activeElement: Record<string, unknown> & { getAttribute(n: string): string | null; getBoundingClientRect(): { top: number; bottom: number; left: number; right: number } } };
      getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string; outlineColor: string; boxShadow: string; backgroundColor: string };
      innerHeight: number;
      innerWidth: number;
    };
    const e = g.document.activeElement;
    const style = g.getComputedStyle(e);
    const box = e.getBoundingClientRect();
    const labels = (e.labels as { textContent: string }[] | undefined) ?? [];
    const name = e.getAttribute('aria-label') ?? (labels.length > 0 ? labels[0].textContent : String(e.textContent ?? '')).replace(/\s+/g, ' ').trim();
    return {
      tag: String(e.tagName).toLowerCase(),
      id: String(e.id ?? ''),
      role: e.getAttribute('role') ?? '',
      name: name.slice(0, 80),
      type: e.getAttribute('type') ?? '',
      pickerButton: /^(date|datetime-local)$/.test(String(e.type)) && !(e as unknown as { matches(s: string): boolean }).matches(':focus'),
      ringContrast: (() => {
        const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
        const luminance = ([r, gr, b]: number[]) =>
          [r, gr, b].map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4)).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
        // What is drawn just outside the element, where its ring is (above it, or below it at the window's top edge).
        const x = (box.left + box.right) / 2;
        const y = box.top >= 4 ? box.top - 2 : box.bottom + 2;
        let around = (g.document as unknown as { elementFromPoint(x: number, y: number): typeof e | null }).elementFromPoint(x, y) as (typeof e & { parentElement: unknown }) | null;
        let behind = 'rgb(255, 255, 255)';
        while (around) {
          const bg = g.getComputedStyle(around).backgroundColor;
          const [, , , alpha = 1] = rgb(bg);
          if (bg !== 'transparent' && alpha > 0) {
            behind = bg;
            break;
          }
          around = around.parentElement as typeof around;
        }
        const [a, b] = [luminance(rgb(style.outlineColor)), luminance(rgb(behind))];
        return Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100;
      })(),
      ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 ? `outline ${style.outlineWidth}` : style.boxShadow !== 'none' ? `shadow ${style.boxShadow}` : 'none',
      inSight: box.bottom > 0 && box.top < g.innerHeight && box.right > 0 && box.left < g.innerWidth,
    };
  });

const said = (f: Focused) => `${f.tag}${f.id ? `#${f.id}` : ''}${f.type ? `[${f.type}]` : ''} “${f.name}”`;

/**
 * Presses `key` (Tab, or Shift+Tab) until the focus is on what `wanted` picks, at most `max` times;
 * fails naming every stop on the way. Each stop reached by the keyboard must show a ring and be in sight.
 */
async function tabTo(page: Page, wanted: (f: Focused) => boolean, max = 30, key = 'Tab'): Promise<Focused[]> {
  const path: Focused[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const now = await focused(page);
    path.push(now);
    const ring = now.pickerButton ? 'ring' : now.ring === 'none' ? 'no focus ring' : now.ringContrast < 3 ? `a ring of contrast ${now.ringContrast}` : 'ring';
    expect([path.map(said).join(' → '), ring, now.inSight ? 'in sight' : 'out of sight']).toEqual([path.map(said).join(' → '), 'ring', 'in sight']);
    if (wanted(now)) return path;
  }
  throw new Error(`not reached in ${max} presses of ${key}: ${path.map(said).join(' → ')}`);
}
const byId = (id: string) => (f: Focused) => f.id === id;
const byName = (tag: string, name: string | RegExp) => (f: Focused) => f.tag === tag && (typeof name === 'string' ? f.name === name : name.test(f.name));

/** Types into the focused field, the keyboard's way. */
const type = (page: Page, text: string) => page.keyboard.type(text);

/** The focus after an action, once the page has settled: never the page's body. */
async function focusAfterAction(page: Page): Promise<Focused> {
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
  return focused(page);
}

/** A screenshot with the focus where it is, for the eye: the ring must show. */
const shootFocus = (page: Page, name: string) => suite.portal().screenshot(page, `keyboard-${name}`, { fullPage: false });

/**
 * Types a day (and time) this far from now into the focused date (datetime-local) field, as a
 * person would: this Chromium draws them in its own language's order (mm/dd/yyyy, hh:mm AM/PM),
 * and a datetime's year takes up to six digits, so the arrow moves on to the time. Returns the
 * field's value it must then hold (the browser's zone, Europe/Berlin).
 */
async function typeDate(page: Page, ms: number, withTime = true): Promise<string> {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(Date.now() + ms))
      .map((p) => [p.type, p.value]),
  );
  await page.keyboard.type(`${parts.month}${parts.day}${parts.year}`);
  if (!withTime) return `${parts.year}-${parts.month}-${parts.day}`;
  const hour = Number(parts.hour);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.type(`${String(hour % 12 === 0 ? 12 : hour % 12).padStart(2, '0')}${parts.minute}${hour < 12 ? 'A' : 'P'}`);
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

step('a manager opens a project with the keyboard: a bad submit takes the focus to what is wrong, and its link to the field', async () => {
  manager = await suite.open('manager', '/projects/new');
  const { page } = manager;
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  // A new page starts at its heading: the next Tab is the form's first field.
  expect((await focused(page)).tag).toBe('h1');
  await tabTo(page, byId('np-client-name'), 1);

  // Submitted empty: the refusal has the focus (and is read out), its first entry leads to the field.
  await tabTo(page, byName('button', 'Open the project'), 30);
  await page.keyboard.press('Enter');
  await page.locator('.problem').waitFor();
  expect(await focusAfterAction(page)).toMatchObject({ tag: 'div', role: 'alert' });
  await tabTo(page, (f) => f.tag === 'a' && /Client name/.test(f.name), 1);
  await shootFocus(page, '01-refusal-link');
  await page.keyboard.press('Enter');
  expect((await focused(page)).id).toBe('np-client-name');

  await type(page, 'Keyboard Bakery');
  // Filled in, the name no longer says it is required, at its field nor in the list above (the id made from it neither); what is still missing is still listed.
  const listed = async () => (await page.locator('.problem li').allInnerTexts()).map((l) => l.split(':')[0]);
  expect({ atField: await page.locator('#np-client-name-error').count(), invalid: await page.locator('#np-client-name').getAttribute('aria-invalid'), listed: await listed() }).toEqual({
    atField: 0,
    invalid: null,
    listed: expect.not.arrayContaining(['Client name', 'Client id']),
  });
  expect(await listed()).toContain('Project title');
  await tabTo(page, byId('np-client-id'), 1);
  await tabTo(page, byId('np-client-email'), 3);
  await type(page, 'owner@keyboard.example');
  // A radio group is one stop; the arrows choose within it.
  const segment = await tabTo(page, (f) => f.type === 'radio', 1);
  expect(segment.at(-1)!.name).toBe('B2B (company)');
  await page.keyboard.press('ArrowRight');
  expect(await page.getByLabel('B2C (consumer)').isChecked()).toBe(true);
  await tabTo(page, byId('np-title'), 1);
  await type(page, title);
  // Escape outside a disclosure changes nothing: the field keeps the keyboard and what was typed.
  await page.keyboard.press('Escape');
  expect([(await focused(page)).id, await page.locator('#np-title').inputValue()]).toEqual(['np-title', title]);
  await tabTo(page, byId('np-brief'), 1);
  await type(page, 'A site for the bakery.');
  await tabTo(page, byName('input', 'Design'), 1);
  await page.keyboard.press('Space');
  expect(await page.getByLabel('Design', { exact: true }).isChecked()).toBe(true);
  await shootFocus(page, '02-checkbox');
  await tabTo(page, byId('np-budget-amount'), 6);
  await type(page, '3000');
  await tabTo(page, byId('np-desiredDeadline'), 2);
  const deadline = await typeDate(page, 30 * DAY, false);
  expect(await page.locator('#np-desiredDeadline').inputValue()).toBe(deadline);
  // The policies' disclosure opens and closes with the keyboard.
  const policies = await tabTo(page, (f) => f.tag === 'summary', 4);
  expect(policies.at(-1)!.name).toBe('Policies for this project (optional)');
  await shootFocus(page, '03-disclosure');
  await page.keyboard.press('Enter');
  expect(await page.locator('details.advanced').getAttribute('open')).toBe('');
  // Escape from a field inside closes it, and the keyboard is back on its summary (one listener for every disclosure of the portal).
  await tabTo(page, byId('np-policy-planningSla'), 1);
  await page.keyboard.press('Escape');
  expect({ open: await page.locator('details.advanced').getAttribute('open'), focus: said(await focused(page)) }).toEqual({ open: null, focus: 'summary “Policies for this project (optional)”' });
  await page.keyboard.press('Enter');
  expect(await page.locator('details.advanced').getAttribute('open')).toBe('');
  await page.keyboard.press('Enter');
  expect(await page.locator('details.advanced').getAttribute('open')).toBeNull();
  await tabTo(page, byName('button', 'Open the project'), 1);
  await shootFocus(page, '04-submit');
  await page.keyboard.press('Enter');

  await page.getByRole('heading', { name: `Plan for ${title}` }).waitFor();
  projectId = /\/projects\/(p-[a-z2-7]+)\/plan/.exec(page.url())![1];
  // The new page's heading has the focus; the message of what was done is read out (a live region).
  expect((await focusAfterAction(page)).tag).toBe('h1');
  await page.locator('.flash', { hasText: `Project “${title}” opened.` }).waitFor();
});

step('the client chosen on a new project with the keyboard: each button that goes with its choice leaves the focus on the next field to fill', async () => {
  // "Keyboard Bakery" is a known client now (the project above): typed again under another id, the form asks whether it is the same.
  const { page } = await suite.open('manager', '/projects/new');
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  await tabTo(page, byId('np-client-name'), 1);
  await type(page, 'Keyboard Bakery');
  await tabTo(page, byId('np-client-id'), 1);
  await page.keyboard.press('Control+A');
  await type(page, 'keyboard-bakery-two');
  await page.locator('.same-name').waitFor({ timeout: 30_000 });
  // A new client of the same name: the question goes; the keyboard goes on to the client's email (none yet).
  await tabTo(page, byName('button', 'A new client of the same name'), 2);
  await page.keyboard.press('Enter');
  expect(await page.locator('.same-name').count()).toBe(0);
  expect(said(await focusAfterAction(page))).toBe('input#np-client-email[email] “Client email”');
  // The known client's button in the list just above: picked, its email fills in, the keyboard goes on to the title.
  await tabTo(page, byName('button', 'Keyboard Bakery'), 3, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await page.locator('.known-client', { hasText: 'Returning client: Keyboard Bakery' }).waitFor();
  expect(said(await focusAfterAction(page))).toBe('input#np-title[text] “Project title”');
  expect(await page.locator('#np-client-email').inputValue()).toBe('owner@keyboard.example');
  // "Not this client": the client's details go; the id made from the name again is that client's, so the keyboard is on it, to change.
  await tabTo(page, byName('button', 'Not this client'), 6, 'Shift+Tab');
  await page.keyboard.press('Enter');
  expect(said(await focusAfterAction(page))).toBe('input#np-client-id[text] “Client id”');
  expect(await page.locator('#np-client-email').inputValue()).toBe('');
  await shootFocus(page, '04b-not-this-client');

  // The same-name question's "Use …": the known client's id and email come in, the keyboard goes on to the title.
  const again = await suite.open('manager', '/projects/new');
  await again.page.getByRole('heading', { name: 'New project' }).waitFor();
  await tabTo(again.page, byId('np-client-name'), 1);
  await type(again.page, 'Keyboard Bakery');
  await tabTo(again.page, byId('np-client-id'), 1);
  await again.page.keyboard.press('Control+A');
  await type(again.page, 'keyboard-bakery-two');
  await again.page.locator('.same-name').waitFor({ timeout: 30_000 });
  await tabTo(again.page, byName('button', 'Use Keyboard Bakery'), 1);
  await again.page.keyboard.press('Enter');
  await again.page.locator('.known-client', { hasText: 'Returning client: Keyboard Bakery' }).waitFor();
  expect(said(await focusAfterAction(again.page))).toBe('input#np-title[text] “Project title”');
  expect(await again.page.locator('#np-client-id').inputValue()).not.toBe('keyboard-bakery-two');
  await shootFocus(again.page, '04c-known-client-used');
});

step('the manager drafts the plan with the keyboard: adding a task goes to it, removing one leaves the focus in the form, and a refusal leads to its field', async () => {
  const { page } = manager;
  await tabTo(page, byId('plan-tasks-0-title'), 4);
  await type(page, 'Home page design');
  await tabTo(page, byId('plan-tasks-0-department'), 2);
  expect(await page.locator('#plan-tasks-0-department').inputValue()).toBe('design');
  await tabTo(page, byId('plan-tasks-0-estimateHours'), 1);
  await type(page, '8');
  await tabTo(page, byId('plan-tasks-0-dueAt'), 1);
  const due = await typeDate(page, 3 * DAY);
  expect(await page.locator('#plan-tasks-0-dueAt').inputValue()).toBe(due);
  await tabTo(page, byId('plan-tasks-0-price'), 6); // past the date's own parts
  await type(page, '1500');

  // "Add a task": the new task's first field takes the focus.
  await tabTo(page, byName('button', 'Add a task'), 4);
  await page.keyboard.press('Enter');
  expect(await focusAfterAction(page)).toMatchObject({ id: 'plan-tasks-1-title' });
  await shootFocus(page, '05-added-task');
  // Removed again: the focus stays in the form (on "Add a task"), not lost to the page.
  await tabTo(page, byName('button', 'Remove task 2'), 20);
  await page.keyboard.press('Enter');
  expect(await page.locator('#plan-tasks-1-title').count()).toBe(0);
  expect(await focusAfterAction(page)).toMatchObject({ id: 'plan-add-task' });

  // A prepayment of 10%, so the payment can be recorded once approved.
  await tabTo(page, byId('plan-prepaymentPercent'), 6);
  await page.keyboard.press('Control+A');
  await type(page, '10');
  // Submitted with a negative price: refused at its field before it goes, and said there.
  await tabTo(page, byId('plan-tasks-0-price'), 25, 'Shift+Tab');
  await page.keyboard.press('Control+A');
  await type(page, '-5');
  await tabTo(page, byName('button', 'Submit for approval'), 30);
  await page.keyboard.press('Enter');
  const after = await focusAfterAction(page);
  // The field at fault, or the refusal that links to it, has the focus.
  expect(after.id === 'plan-tasks-0-price' || after.role === 'alert').toBe(true);
  await shootFocus(page, '06-plan-refused');
  if (after.role === 'alert') {
    await tabTo(page, (f) => f.tag === 'a' && /Price/.test(f.name), 1);
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('plan-tasks-0-price');
  }
  await page.keyboard.press('Control+A');
  await type(page, '1500');
  await tabTo(page, byName('button', 'Submit for approval'), 30);
  await page.keyboard.press('Enter');
  await page.getByText('Plan version 1 is waiting for leadership’s decision').waitFor();
  expect((await focusAfterAction(page)).tag).toBe('h1');
});

step('leadership approves with the keyboard; the focus goes on to the next plan waiting, not to the page', async () => {
  // Another manager's plan, sent after this one: it waits below it.
  const otherTitle = `Corner shop ${uniqueId('s').slice(-6)}`;
  const other = ((await h.http().post('/api/projects').set(h.auth('otherManager')).send(projectRequest({ title: otherTitle })).expect(201)).body as ProjectStatus).projectId;
  const banner = { key: 'banner', department: 'design', title: 'Shop banner', estimateHours: 2, dueAt: new Date(Date.now() + 5 * DAY).toISOString(), price: 300 };
  await h.http().put(`/api/projects/${other}/plan`).set(h.auth('otherManager')).send(planRequest({ tasks: [banner] })).expect(200);
  const leader = await suite.open('leadership', '/approvals');
  const { page } = leader;
  const card = page.locator('li.approval', { hasText: title });
  await card.waitFor({ timeout: 30_000 });
  await page.locator('li.approval', { hasText: otherTitle }).waitFor({ timeout: 30_000 });
  const comment = await card.getByLabel(/Comment to/).getAttribute('id');
  await tabTo(page, byId(comment!), 40);
  await type(page, 'Go ahead.');
  await tabTo(page, byName('button', 'Approve'), 1);
  await shootFocus(page, '07-approve');
  await page.keyboard.press('Enter');
  await card.waitFor({ state: 'detached', timeout: 30_000 });
  // The next plan's heading has the focus (were none left, the page's heading would).
  expect(await focusAfterAction(page)).toMatchObject({ tag: 'h2', name: `${otherTitle} version 1` });
  await page.locator('.flash', { hasText: /Approved/ }).waitFor();
  await shootFocus(page, '08-approved');
});

step('the manager records the prepayment with the keyboard', async () => {
  const h = suite.harness();
  const { page } = manager;
  await eventually(
    async () => ((await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus).invoices.find((i) => i.kind === 'prepayment'),
    { what: 'the prepayment invoice', timeoutMs: 30_000 },
  );
  await page.goto(`${suite.portal().baseUrl}/projects/${projectId}`);
  await page.locator('#payment-reference').waitFor({ timeout: 30_000 });
  await tabTo(page, byId('payment-reference'), 120);
  await type(page, 'BANK-KEY-1');
  await tabTo(page, (f) => f.tag === 'button' && /^Record the payment/.test(f.name), 6);
  await shootFocus(page, '16-record-payment');
  await page.keyboard.press('Enter');
  await page.locator('.flash', { hasText: /BANK-KEY-1|recorded/i }).waitFor({ timeout: 30_000 });
  // Nothing left to pay, the form is gone: the focus is on the payment recorded, under its invoice.
  expect((await focusAfterAction(page)).name).toContain('BANK-KEY-1');
  await shootFocus(page, '17-payment-recorded');
});

step('a designer claims the task from their inbox, opens it and delivers with the keyboard; a link without its scheme is refused at its field', async () => {
  designer = await suite.open('designer', '/inbox?view=open');
  const { page } = designer;
  const taskId = `${projectId}.home-page-design`;
  const row = page.locator('li.task-item', { has: page.locator(`a[href="/tasks/${taskId}"]`) });
  await row.waitFor({ timeout: 30_000 });
  await tabTo(page, (f) => f.tag === 'button' && /^Claim/.test(f.name) && f.name.includes('Home page design'), 40);
  await shootFocus(page, '09-claim');
  await page.keyboard.press('Enter');
  await page.getByText('You took “Home page design”').waitFor();
  const afterClaim = await focusAfterAction(page);
  expect(afterClaim.tag).not.toBe('body');

  // To "Mine", and the task's page, by links.
  await tabTo(page, byName('a', /^Mine/), 30, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await row.waitFor();
  await tabTo(page, byName('a', 'Home page design'), 30);
  await shootFocus(page, '10-task-link');
  await page.keyboard.press('Enter');
  await page.locator('#deliver-summary').waitFor();
  expect((await focusAfterAction(page)).tag).toBe('h1');
  await tabTo(page, byId('deliver-summary'), 40);
  await type(page, 'Mock-ups of the home page.');
  await tabTo(page, byId('deliver-links'), 1);
  await type(page, 'files.example/design-v1');
  await tabTo(page, byName('button', 'Deliver for review'), 3);
  await page.keyboard.press('Enter');
  await page.locator('#deliver-links-error').waitFor();
  // The field at fault has the focus (the refusal is said there, not in a box above).
  expect((await focusAfterAction(page)).id).toBe('deliver-links');
  await shootFocus(page, '11-link-refused');
  await page.keyboard.press('Control+A');
  await type(page, 'https://files.example/design-v1');
  await tabTo(page, byName('button', 'Deliver for review'), 3);
  await page.keyboard.press('Enter');
  await page.getByText('Delivered; waiting for the manager’s review.').waitFor();
  const delivered = await focusAfterAction(page);
  expect(delivered.tag).not.toBe('body');
  await shootFocus(page, '12-delivered');
});

step('the manager sends the delivery back from the review queue with the keyboard (refused without a comment, at its field)', async () => {
  const { page } = manager;
  await page.goto(`${suite.portal().baseUrl}/review`);
  const card = page.locator('li.review-card', { hasText: 'Home page design' });
  await card.waitFor({ timeout: 30_000 });
  const fid = (await card.getByLabel(/Comment on/).getAttribute('id'))!;
  await tabTo(page, byId(fid), 30);
  await tabTo(page, byName('button', 'Send back'), 12);
  await page.keyboard.press('Enter');
  await page.locator(`#${fid}-error`).waitFor();
  expect((await focusAfterAction(page)).id).toBe(fid);
  await type(page, 'Warmer colours, please.');
  // Written, the comment is no longer said to be required: not only at the next submit.
  expect({ note: await page.locator(`#${fid}-error`).count(), invalid: await page.locator(`#${fid}`).getAttribute('aria-invalid') }).toEqual({ note: 0, invalid: null });
  await tabTo(page, byName('button', 'Send back'), 12);
  await shootFocus(page, '13-send-back');
  await page.keyboard.press('Enter');
  await card.waitFor({ state: 'detached', timeout: 30_000 });
  // Nothing else waits: the page's heading has the focus (with more, the next card's heading).
  expect(await focusAfterAction(page)).toMatchObject({ tag: 'h1', name: 'Review queue (0)' });
  await shootFocus(page, '14-sent-back');
});

step('the manager accepts the next delivery on the task’s page with the keyboard', async () => {
  const h = suite.harness();
  const taskId = `${projectId}.home-page-design`;
  await h.http().post(`/api/tasks/${taskId}/submit`).set(h.auth('designer')).send({ summary: 'Warmer mock-ups.', links: [] }).expect(200);
  const { page } = manager;
  await page.goto(`${suite.portal().baseUrl}/tasks/${taskId}`);
  await page.getByRole('heading', { name: 'Review the delivery' }).waitFor({ timeout: 30_000 });
  // A rework date left in when accepting is said at its field, which takes the keyboard back.
  await tabTo(page, byId('review-dueAt'), 40);
  await typeDate(page, 6 * DAY);
  await tabTo(page, byName('button', 'Accept'), 4);
  await page.keyboard.press('Enter');
  await page.getByText('a rework date goes with sending the work back: clear it to accept').waitFor();
  expect((await focusAfterAction(page)).id).toBe('review-dueAt');
  await page.keyboard.press('Backspace'); // one part of the date cleared: the field is empty
  expect(await page.locator('#review-dueAt').inputValue()).toBe('');
  await tabTo(page, byName('button', 'Accept'), 8);
  await shootFocus(page, '15-accept');
  await page.keyboard.press('Enter');
  await page.getByText('Accepted.', { exact: true }).waitFor();
  // The review form went: the page's heading has the focus.
  expect((await focusAfterAction(page)).tag).toBe('h1');
  await shootFocus(page, '16b-accepted');
});

step('the top bar at 320 px: every entry reached by Tab in order, in sight and ringed; the skip link leads into the page', async () => {
  const { page } = manager;
  await page.setViewportSize(NARROW_PHONE);
  await page.goto(`${suite.portal().baseUrl}/`);
  await page.getByRole('heading', { name: 'Portfolio' }).waitFor();
  expect((await focusAfterAction(page)).tag).toBe('h1');
  // Back from the page's heading through the bar, to the skip link; then forward again, in the bar's order.
  const back = await tabTo(page, byName('a', 'Skip to content'), 20, 'Shift+Tab');
  await shootFocus(page, '18-topbar-320-skip-link');
  const forward = await tabTo(page, byName('button', 'Sign out'), 20);
  expect(forward.map((f) => f.name)).toEqual(back.slice(0, -1).reverse().map((f) => f.name));
  expect(forward.map((f) => f.name).slice(0, 2)).toEqual(['agencyflow', 'Portfolio']);
  expect(forward.at(-2)!.name).toBe('Your mail');
  await shootFocus(page, '19-topbar-320-sign-out');
  // The skip link takes the keyboard into the page: the next Tab is the page's first control.
  await tabTo(page, byName('a', 'Skip to content'), 20, 'Shift+Tab');
  await page.keyboard.press('Enter');
  expect((await focusAfterAction(page)).id).toBe('main');
  await tabTo(page, () => true, 1);
  expect(await page.evaluate<boolean>('!!document.activeElement.closest("main")')).toBe(true);
  expect(await accessibilityProblems(page)).toEqual([]);
});
