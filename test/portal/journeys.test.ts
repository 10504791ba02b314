/**
 * The whole cycle through the portal, in a real headless Chromium against the real stack (the
 * API harness's worker and the run's Temporal dev server), as the people who do the work:
 *
 * a manager opens a project (from a deep link, signing in on the way) and plans it with a
 * dependency — the API's refusal of a bad due date shows at that field, until that date is edited;
 * the plan's table reads on a phone without scrolling sideways (the project page, approvals), as
 * do the project's tasks and invoices and the client's invoices on their own page;
 * leadership sends the plan back with a comment (first refused without one, at the comment
 * field); the manager revises; leadership sees what changed (listed, and the row marked) and
 * approves; a copywriter sees the copy coming up, and a designer another project's work waiting
 * for its prepayment (named with its invoice, nothing to open or claim); a designer claims the
 * design task (it leaves the other designer's inbox within seconds; its page says who reviews
 * it) and delivers; the manager sends it back; the designer redelivers and it is accepted; a
 * copywriter claims and delivers the copy, accepted; the manager records the client's
 * acceptance and the payment; the project completes, its PDFs open,
 * leadership sees it completed in the portfolio, and the KPI dashboard has moved (the rating, the
 * money paid; charts, filters and the CSV download); leadership sets the manager's sales target
 * for the quarter (an empty amount refused at its field) and the dashboard shows it fulfilled; the
 * manager's own dashboard ("My KPIs") shows their payment and their target, nobody else's.
 *
 * Each step is its own test (they share the project, in order). Screenshots of every main page go
 * to test-output/portal/; no page may log a console error beyond the refusals provoked on purpose.
 */
import type { Locator, Page } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, NARROW_PHONE, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the portal journeys');

let h: ApiHarness;
let portal: Portal;
const pages: PersonPage[] = [];
let manager: PersonPage;
let leader: PersonPage;
let designer: PersonPage;
let otherDesigner: PersonPage;
let copywriter: PersonPage;

const title = `Bakery relaunch ${uniqueId('j').slice(-6)}`;
let projectId = '';
/** The KPI report before the journey (the harness's own reporting store). */
let kpisBefore: { ratings: number; paid: number };

/** A datetime-local value this far from now (minutes), in the browser's zone (Europe/Berlin). */
const localIn = (ms: number) => {
  const d = new Date(Date.now() + ms);
  const berlin = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
  return berlin.replace(' ', 'T');
};
const DAY = 86_400_000;
/** The sales period of a date's quarter, as the targets page names it (UTC): `2026-Q4`. */
const quarterOf = (d: Date) => `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;

/** Refusals this test provokes on purpose: the browser logs their network lines as errors. */
const PROVOKED = [/status of 400 .*\/api\/projects\/p-[a-z2-7]+\/(plan|plan\/decision|feedback)\b/, /status of 400 .*\/api\/reports\/sales-targets\//];

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  const res = await h.http().get('/api/reports/kpis').set(h.auth('leadership'));
  expect(res.status).toBe(200);
  kpisBefore = { ratings: res.body.clients.ratings.count, paid: paidEur(res.body) };
});

const paidEur = (report: { money: { totals: { currency: string; paid: number }[] } }) => report.money.totals.find((m) => m.currency === 'EUR')?.paid ?? 0;

afterAll(async () => {
  for (const p of pages) expect(unexpectedErrors(p.errors, PROVOKED)).toEqual([]);
  await portal?.close();
  await h?.close();
});

/** A screenshot of a main page, which must also pass the accessibility checks (labels, names, contrast). */
async function shoot(page: PersonPage['page'], name: string): Promise<void> {
  await portal.screenshot(page, name);
  expect([name, await accessibilityProblems(page)]).toEqual([name, []]);
}

async function open(who: Parameters<Portal['openAs']>[0], options: Parameters<Portal['openAs']>[1] = {}): Promise<PersonPage> {
  const p = await portal.openAs(who, options);
  pages.push(p);
  return p;
}

/** Run in the page by the phone checks below (the tests are compiled without the DOM's types). */
declare const getComputedStyle: (element: unknown, pseudo?: string) => { display: string; content: string };

/**
 * Tables read on a phone (390 px) as one card per row: neither the page nor any table's box scrolls
 * sideways, every cell (and each link, badge and date in it) is in sight and shows all of itself,
 * and each value has its column's name beside it — the header's, for the eyes only (screen readers
 * have the header). On a desk they are tables again. Screenshots the phone's view as `name`.
 */
async function expectCardRowsOnPhone(page: Page, tables: Locator, name: string): Promise<void> {
  await page.setViewportSize(PHONE);
  try {
    expect(await tables.count()).toBeGreaterThan(0);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    const problems = await tables.evaluateAll(
      (all, width: number) =>
        all.flatMap((table) => {
          const found: string[] = [];
          const caption = table.querySelector('caption')?.textContent ?? 'a table';
          const wrap = table.parentElement!;
          if (wrap.scrollWidth > wrap.clientWidth) found.push(`${caption} scrolls sideways by ${wrap.scrollWidth - wrap.clientWidth}px`);
          const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
          for (const row of table.querySelectorAll('tbody tr')) {
            if (getComputedStyle(row).display !== 'block') found.push(`${caption}: a row is not a card`);
            for (const cell of row.querySelectorAll('th, td')) {
              const what = `${caption}: “${cell.textContent}”`;
              if (cell.scrollWidth > cell.clientWidth) found.push(`${what} is cut off`);
              for (const part of [cell, ...cell.querySelectorAll('*')]) {
                const box = part.getBoundingClientRect();
                if (box.left < 0 || box.right > width) found.push(`${what}: “${part.textContent}” is off the screen`);
              }
              if (cell.tagName !== 'TD') continue;
              const label = `"${headers[cell.cellIndex]}" / ""`;
              const shown = getComputedStyle(cell, '::before').content;
              if (shown !== label) found.push(`${what} is labelled ${shown}, not ${label}`);
            }
          }
          return found;
        }),
      PHONE.width,
    );
    expect(problems).toEqual([]);
    await shoot(page, name);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
  expect(await tables.evaluateAll((all) => all.map((t) => getComputedStyle(t.querySelector('tbody tr')!).display))).toEqual(
    Array(await tables.count()).fill('table-row'),
  );
}

step('a manager follows a link to the new-project page, signs in on the way, and opens a project', async () => {
  const anonymous = await portal.anonymous();
  pages.push(anonymous);
  await anonymous.page.goto(`${portal.baseUrl}/projects/new`);
  await anonymous.page.locator('#login-token').waitFor();
  expect(anonymous.page.url()).toContain('/login?next=%2Fprojects%2Fnew');
  await shoot(anonymous.page, '01-sign-in');
  await anonymous.context.close();

  manager = await open('manager', { startAt: '/projects/new' });
  const { page } = manager;
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  await page.locator('#np-client-name').fill('Northwind Bakery');
  await page.locator('#np-client-email').fill('owner@northwind.example');
  await page.getByLabel('B2C (consumer)').check();
  await page.locator('#np-title').fill(title);
  await page.locator('#np-brief').fill('New site design and the copy for it.');
  await page.getByLabel('Design', { exact: true }).check();
  await page.getByLabel('Copywriting', { exact: true }).check();
  await page.locator('#np-budget-amount').fill('2500');
  await page.locator('#np-desiredDeadline').fill(localIn(30 * DAY).slice(0, 10));
  await page.getByText('Policies for this project (optional)').click();
  await page.locator('#np-policy-acceptanceWindow').fill('1h');
  await page.locator('#np-policy-paymentTerms').fill('1h');
  await shoot(page, '02-new-project');
  await page.getByRole('button', { name: 'Open the project' }).click();

  await page.getByRole('heading', { name: `Plan for ${title}` }).waitFor();
  projectId = /\/projects\/(p-[a-z2-7]+)\/plan/.exec(page.url())![1];
});

step('the manager plans two tasks, copy after design; a due date before its dependency is refused at that field', async () => {
  const { page } = manager;
  await page.locator('#plan-tasks-0-title').fill('Home page design');
  await page.locator('#plan-tasks-0-department').selectOption('design');
  await page.locator('#plan-tasks-0-estimateHours').fill('8');
  await page.locator('#plan-tasks-0-dueAt').fill(localIn(3 * DAY));
  await page.locator('#plan-tasks-0-price').fill('1200');
  await page.getByRole('button', { name: 'Add a task' }).click();
  await page.locator('#plan-tasks-1-title').fill('Home page copy');
  await page.locator('#plan-tasks-1-department').selectOption('copywriting');
  await page.locator('#plan-tasks-1-estimateHours').fill('4');
  await page.locator('#plan-tasks-1-dueAt').fill(localIn(2 * DAY)); // before the design it depends on
  await page.locator('#plan-tasks-1-price').fill('800');
  await page.locator('#plan-tasks-1-dependsOn').getByLabel('Home page design').check();
  // Total and prepayment as typed.
  await page.locator('#plan-prepaymentPercent').fill('10');
  expect(await page.locator('#plan-total').textContent()).toBe('€2,000.00');
  expect(await page.locator('#plan-prepayment').textContent()).toBe('€200.00');
  await page.locator('#plan-prepaymentPercent').fill('0');

  await page.getByRole('button', { name: 'Submit for approval' }).click();
  const refusal = page.locator('#plan-tasks-1-dueAt-error');
  await refusal.waitFor();
  expect(await refusal.textContent()).toMatch(/before its dependency "Home page design" is due/);
  expect(await page.locator('#plan-tasks-1-dueAt').getAttribute('aria-invalid')).toBe('true');
  await shoot(page, '03-plan-editor-refused');

  // Editing another field leaves the refusal where it is; editing the refused date takes it away
  // (it was about the date no longer there), here and in the box above.
  await page.locator('#plan-tasks-0-estimateHours').fill('9');
  expect(await page.locator('#plan-tasks-1-dueAt-error').count()).toBe(1);
  await page.locator('.problem').getByText(/before its dependency/).waitFor();
  // Due after the client's date (30 days out): said at the field and in the totals, not refused.
  await page.locator('#plan-tasks-1-dueAt').fill(localIn(40 * DAY));
  await page.locator('#plan-tasks-1-dueAt-error').waitFor({ state: 'detached' });
  expect(await page.locator('#plan-tasks-1-dueAt').getAttribute('aria-invalid')).toBeNull();
  expect(await page.locator('.problem').count()).toBe(0);
  await page.locator('#plan-tasks-1-dueAt-hint').getByText(/^After the client’s date/).waitFor();
  expect(await page.locator('#plan-tasks-0-dueAt-hint').count()).toBe(0);
  expect(await page.locator('#plan-last-due').textContent()).toMatch(/\b(9|10|11) days after the client’s date/);
  await shoot(page, '03b-plan-editor-late-for-client');

  // On a phone each total keeps its name beside it ("Prepayment" never ends a line without its amount).
  await page.locator('#plan-prepaymentPercent').fill('10');
  await page.setViewportSize(PHONE);
  const totals = await page.locator('dl.totals dt').evaluateAll((dts) =>
    dts.map((dt) => ({ name: dt.textContent, sameLine: Math.abs(dt.getBoundingClientRect().top - dt.nextElementSibling!.getBoundingClientRect().top) < 4 })),
  );
  expect(totals).toEqual(['Total', 'Prepayment', 'Budget'].map((name) => ({ name, sameLine: true })));
  await shoot(page, '03c-plan-editor-phone');
  await page.setViewportSize(DESKTOP);
  await page.locator('#plan-prepaymentPercent').fill('0');
  await page.locator('#plan-tasks-0-estimateHours').fill('8');

  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.getByRole('heading', { name: title, exact: true }).waitFor();
  await page.getByText('Plan version 1 is waiting for leadership’s decision').waitFor();
  // The project page's plan, on a phone: the copy's late mark and every price in sight.
  await expectCardRowsOnPhone(page, page.locator('#plan table.plan-table'), '03d-project-plan-phone');
});

step('leadership sends the plan back: refused without a comment (at the comment field), then with one', async () => {
  leader = await open('leadership', { startAt: '/approvals' });
  const { page } = leader;
  const card = page.locator('li.approval', { hasText: title });
  await card.waitFor();
  await card.getByText('late for the client').waitFor();
  await card.locator('.plan-late', { hasText: 'after the client’s date' }).waitFor();
  // Rows by their own title (the copy's row names the design too, as what it depends on).
  const row = (taskTitle: string) => card.locator('tbody tr', { has: page.locator('th', { hasText: taskTitle }) });
  await row('Home page copy').getByText('after the client’s date').waitFor();
  expect(await row('Home page design').getByText('after the client’s date').count()).toBe(0);
  await shoot(page, '05a-approvals-late-for-client');
  await expectCardRowsOnPhone(page, card.locator('table.plan-table'), '05a2-approvals-late-for-client-phone');
  await card.getByRole('button', { name: 'Send back' }).click();
  const refusal = card.locator('.field-error');
  await refusal.waitFor();
  expect(await refusal.textContent()).toContain('say why the plan goes back');
  await card.getByLabel(/Comment to/).fill('Too expensive: bring the copy down to 600. And the client wants it earlier.');
  await card.getByRole('button', { name: 'Send back' }).click();
  await card.waitFor({ state: 'detached' });
});

step('the manager sees the comment and revises the plan', async () => {
  const { page } = manager;
  await page.getByText('Leadership sent the plan back:').waitFor();
  expect(await page.locator('.callout').first().textContent()).toContain('Too expensive: bring the copy down to 600.');
  await page.getByRole('link', { name: 'Revise the plan' }).first().click();
  await page.locator('#plan-tasks-1-price').waitFor();
  expect(await page.locator('#plan-tasks-1-title').inputValue()).toBe('Home page copy');
  await page.locator('#plan-tasks-1-price').fill('600');
  await page.locator('#plan-tasks-1-dueAt').fill(localIn(5 * DAY));
  expect(await page.locator('#plan-total').textContent()).toBe('€1,800.00');
  expect(await page.locator('#plan-last-due').textContent()).toContain('the client wants it by');
  await shoot(page, '04-plan-editor');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.getByText('Plan version 2 is waiting for leadership’s decision').waitFor();
});

step('leadership sees what changed since version 1 and approves', async () => {
  const { page } = leader;
  const card = page.locator('li.approval', { hasText: title });
  await card.getByText('Changes since version 1').waitFor({ timeout: 30_000 });
  const changes = await card.locator('.changes').textContent();
  expect(changes).toContain('Home page copy');
  expect(changes).toMatch(/price\s*€800\.00\s*→\s*€600\.00/);
  expect(await card.getByText('late for the client').count()).toBe(0);
  // The plan's table marks the row that changed, among the rest; the design did not change.
  const row = (taskTitle: string) => card.locator('tbody tr', { has: page.locator('th', { hasText: taskTitle }) });
  await row('Home page copy').locator('.badge', { hasText: 'changed since version 1' }).waitFor();
  expect(await row('Home page design').locator('.badge').count()).toBe(0);
  await shoot(page, '05-approvals');
  await expectCardRowsOnPhone(page, card.locator('table.plan-table'), '05c-approvals-changed-phone');
  await card.getByLabel(/Comment to/).fill('Go ahead.');
  await card.getByRole('button', { name: 'Approve' }).click();
  await card.waitFor({ state: 'detached' });
});

step('a copywriter sees the copy coming up: it starts once the design it depends on is accepted', async () => {
  copywriter = await open('copywriter', { startAt: '/inbox?view=coming-up' });
  const { page } = copywriter;
  const row = page.locator('li.task-item', { has: page.locator(`a[href="/tasks/${projectId}.home-page-copy"]`) });
  await row.waitFor({ timeout: 30_000 });
  expect(await row.textContent()).toContain('Starts once “Home page design” is accepted');
  expect(await row.getByRole('button', { name: /Claim/ }).count()).toBe(0);
  await shoot(page, '05b-inbox-coming-up');
  // Its page names the design it waits for (another department's task: named, not linked).
  await row.getByRole('link', { name: 'Home page copy' }).click();
  const dependsOn = page.locator('dt', { hasText: 'Depends on' }).locator('xpath=following-sibling::dd[1]');
  await dependsOn.getByText('Home page design (Design)').waitFor();
  expect(await dependsOn.locator('a').count()).toBe(0);
  // Whose review the work goes to: the project's manager, by name.
  await page.locator('.page-header').getByText(`Reviewed by ${h.directory.get(h.people.manager.id)!.name}`, { exact: true }).waitFor();
  await page.goto(`${portal.baseUrl}/inbox`);
});

step('a designer sees the work of a project waiting for its prepayment coming up: named, with the invoice it waits for, nothing to open or claim', async () => {
  // Another manager's project whose work starts once the client pays the prepayment, not paid.
  const shopTitle = `Corner shop ${uniqueId('s').slice(-6)}`;
  const request = projectRequest({ title: shopTitle, policy: { startAfterPrepayment: true } });
  const shopId = ((await h.http().post('/api/projects').set(h.auth('otherManager')).send(request).expect(201)).body as ProjectStatus).projectId;
  const banner = { key: 'shop-banner', department: 'design', title: 'Shop window banner', estimateHours: 6, dueAt: new Date(Date.now() + 3 * DAY).toISOString(), price: 900 };
  await h.http().put(`/api/projects/${shopId}/plan`).set(h.auth('otherManager')).send(planRequest({ tasks: [banner], prepaymentPercent: 30 })).expect(200);
  await h.http().post(`/api/projects/${shopId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const invoice = await eventually(
    async () => ((await h.http().get(`/api/projects/${shopId}`).set(h.auth('otherManager')).expect(200)).body as ProjectStatus).invoices.find((i) => i.kind === 'prepayment'),
    { what: 'the prepayment invoice', timeoutMs: 30_000 },
  );

  const watcher = await open('designer', { startAt: '/inbox?view=coming-up' });
  const { page } = watcher;
  const row = page.locator('li.task-item', { hasText: shopTitle });
  await row.waitFor({ timeout: 30_000 });
  expect(await row.locator('.task-title').textContent()).toBe('Shop window banner');
  expect(await row.textContent()).toContain(`Starts once the client pays the prepayment (invoice ${invoice.number})`);
  await row.locator('.badge', { hasText: 'Planned' }).waitFor();
  // Its task does not exist yet: no page to open (it would be "not started yet"), nothing to claim.
  expect(await row.locator('a').count()).toBe(0);
  expect(await row.getByRole('button').count()).toBe(0);
  await shoot(page, '05d-inbox-coming-up-prepayment');
  await page.setViewportSize(PHONE);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await shoot(page, '05e-inbox-coming-up-prepayment-phone');
  await watcher.context.close();

  // Its manager's portfolio says why the project "in production" has nothing going on.
  const owner = await open('otherManager', { startAt: '/' });
  const card = owner.page.locator('.project-card', { has: owner.page.getByRole('link', { name: shopTitle, exact: true }) });
  const badge = card.locator('.badge', { hasText: 'Waits for the prepayment' });
  await badge.waitFor({ timeout: 30_000 });
  expect(await badge.getAttribute('title')).toBe(`Nothing has started: the work starts once invoice ${invoice.number} is paid`);
  await shoot(owner.page, '05f-portfolio-waits-for-prepayment');
  await owner.context.close();
});

step('a designer claims the design task; it leaves the other designer’s inbox within seconds', async () => {
  const designTask = `${projectId}.home-page-design`;
  otherDesigner = await open('designer2', { startAt: '/inbox' });
  designer = await open('designer', { startAt: '/inbox', viewport: PHONE });
  const row = (p: PersonPage) => p.page.locator('li.task-item', { has: p.page.locator(`a[href="/tasks/${designTask}"]`) });
  await row(otherDesigner).waitFor({ timeout: 30_000 });
  await row(designer).waitFor({ timeout: 30_000 });
  await shoot(designer.page, '06-staff-inbox-phone');

  await row(designer).getByRole('button', { name: /^Claim/ }).click();
  await designer.page.getByText('You took “Home page design”').waitFor();
  const claimedAt = Date.now();
  await row(otherDesigner).waitFor({ state: 'detached', timeout: 15_000 });
  expect(Date.now() - claimedAt).toBeLessThan(10_000);

  await designer.page.getByRole('link', { name: /^Mine/ }).click();
  await row(designer).getByRole('link', { name: 'Home page design' }).click();
  await designer.page.getByText(`Reviewed by ${h.directory.get(h.people.manager.id)!.name}`, { exact: true }).waitFor();
  // Whose work this holds up: the copy waits for it (another department's: named, not linked).
  const waitedFor = designer.page.locator('dt', { hasText: 'Waited for by' }).locator('xpath=following-sibling::dd[1]');
  await waitedFor.getByText('Home page copy (Copywriting)').waitFor();
  expect(await waitedFor.locator('a').count()).toBe(0);
  await designer.page.locator('#deliver-summary').fill('First mock-ups of the home page.');
  await designer.page.locator('#deliver-links').fill('https://files.example/design-v1');
  await designer.page.getByRole('button', { name: 'Deliver for review' }).click();
  await designer.page.getByText('Delivered; waiting for the manager’s review.').waitFor();
});

step('the manager sends the design back from the review queue', async () => {
  const { page } = manager;
  await page.getByRole('link', { name: 'Portfolio' }).click();
  const card = page.locator('#stage-in_production').locator('..').locator('li.project-card', { hasText: title });
  await card.waitFor({ timeout: 30_000 });
  await shoot(page, '07a-portfolio-manager');
  await page.getByRole('link', { name: 'Review queue' }).click();
  const review = page.locator('li.review-card', { hasText: 'Home page design' });
  await review.waitFor({ timeout: 30_000 });
  expect(await review.textContent()).toContain('First mock-ups of the home page.');
  // The heading counts what waits, and the menu says the same number beside "Review queue".
  const heading = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const menuEntry = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const cards = await page.locator('li.review-card').count();
  await heading(`Review queue (${cards})`).waitFor();
  await menuEntry(`Review queue, ${cards} waiting`).waitFor();
  await review.getByLabel(/Comment on/).fill('Warmer colours, please.');
  // The rework gets a date of its own: the task is due then.
  await review.getByLabel('Rework due by').fill(localIn(4 * DAY)); // before the copy that waits for it (5 days)
  await shoot(page, '07-review-queue');
  await review.getByRole('button', { name: 'Send back' }).click();
  await review.waitFor({ state: 'detached' });
  // One fewer, in the heading and the menu alike (no count in the menu at none), without leaving the page.
  await heading(`Review queue (${cards - 1})`).waitFor();
  await menuEntry(cards > 1 ? `Review queue, ${cards - 1} waiting` : 'Review queue').waitFor();
  const sentBack = (await h.http().get(`/api/tasks/${projectId}.home-page-design`).set(h.auth('manager')).expect(200)).body as { dueAt: string; dueDateChanges: { reason: string }[] };
  expect(Math.abs(Date.parse(sentBack.dueAt) - (Date.now() + 4 * DAY))).toBeLessThan(10 * 60_000);
  expect(sentBack.dueDateChanges.map((c) => c.reason)).toEqual(['sent back for changes']);
});

step('the designer finds it under “Sent back” with the comment, and delivers again; the manager accepts', async () => {
  const { page } = designer;
  await page.goto(`${portal.baseUrl}/inbox?view=sent-back`);
  const row = page.locator('li.task-item', { hasText: 'Home page design' });
  await row.waitFor({ timeout: 30_000 });
  expect(await row.textContent()).toContain('Sent back · round 1');
  await row.getByRole('link', { name: 'Home page design' }).click();
  await page.getByText('sent this back:').waitFor();
  expect(await page.locator('.callout--warn').textContent()).toContain('Warmer colours, please.');
  await page.locator('#deliver-summary').fill('Warmer mock-ups.');
  await page.locator('#deliver-links').fill('https://files.example/design-v2');
  await shoot(page, '08-task-sent-back-phone');
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  await page.getByText('Delivered; waiting for the manager’s review.').waitFor();

  const m = manager.page;
  const card = m.locator('li.review-card', { hasText: 'Home page design' });
  await card.waitFor({ timeout: 30_000 });
  expect(await card.textContent()).toContain('Warmer mock-ups.');
  // Counted as the task page and the mail count it: the delivery, and the rounds of changes before it.
  expect(await card.locator('.badge').first().textContent()).toBe('2nd delivery · after 1 round of changes');
  // What was asked for last time, beside what came back: the review needs both.
  expect(await card.locator('.review-asked blockquote').textContent()).toBe('Warmer colours, please.');
  await shoot(m, '07b-review-queue-2nd-delivery');
  await m.setViewportSize(PHONE);
  await shoot(m, '07c-review-queue-2nd-delivery-phone');
  // On the narrowest phone the delivery's count wraps inside its card: nothing wider than the page.
  await m.setViewportSize(NARROW_PHONE);
  expect(await m.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
  await shoot(m, '07d-review-queue-2nd-delivery-phone-320');
  await m.setViewportSize(DESKTOP);
  // A rework date left in the field is not silently dropped by an acceptance: it is said at the field.
  await card.getByLabel('Rework due by').fill(localIn(5 * DAY));
  await card.getByRole('button', { name: 'Accept' }).click();
  await card.getByText('a rework date goes with sending the work back: clear it to accept').waitFor();
  await card.getByLabel('Rework due by').fill('');
  await card.getByRole('button', { name: 'Accept' }).click();
  await card.waitFor({ state: 'detached' });
});

step('a copywriter claims the copy once design is accepted, delivers, and the manager accepts', async () => {
  const copyTask = `${projectId}.home-page-copy`;
  const { page } = copywriter;
  await page.goto(`${portal.baseUrl}/tasks/${copyTask}`);
  await page.getByRole('button', { name: 'Claim this task' }).waitFor({ timeout: 30_000 });
  // The copy is written for the accepted design: its delivery is on the copy's page, though the
  // copywriter may not open the design task itself; so is the client's request.
  const buildsOn = page.locator('#builds-on');
  await buildsOn.getByText('Builds on “Home page design”').waitFor({ timeout: 15_000 }); // accepted by now
  expect(await buildsOn.locator('blockquote').textContent()).toBe('Warmer mock-ups.');
  expect(await buildsOn.textContent()).toContain('New site design and the copy for it.');
  await shoot(page, '08b-task-builds-on');
  await page.getByRole('button', { name: 'Claim this task' }).click();
  await page.locator('#deliver-summary').fill('Home page copy, three variants.');
  await page.getByRole('button', { name: 'Deliver for review' }).click();
  await page.getByText('Delivered; waiting for the manager’s review.').waitFor();

  const m = manager.page;
  await m.goto(`${portal.baseUrl}/tasks/${copyTask}`);
  await m.getByRole('heading', { name: 'Review the delivery' }).waitFor();
  await shoot(m, '09-task-review-manager');
  await m.getByRole('button', { name: 'Accept' }).click();
  await m.getByText('Accepted.', { exact: true }).waitFor();
});

step('the manager records the client’s acceptance, a complaint after it (resolved), and the payment; the project completes and its PDFs open', async () => {
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${projectId}`);
  await page.getByRole('heading', { name: 'Record the client’s response' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('Accepted the work').check();
  await page.locator('#feedback-rating').selectOption('5');
  await page.locator('#feedback-comment').fill('Lovely work.');
  await page.getByRole('button', { name: 'Record the response' }).click();
  await page.getByText('Recorded: the client accepted the work.').waitFor();

  // Accepted, and then unhappy while paying: the complaint is recorded (a description is
  // required, at its field) and resolved from the same page.
  await page.getByText('The client complains after accepting').click();
  await page.getByRole('button', { name: 'Record the complaint' }).click();
  await page.locator('#late-complaint-error').waitFor();
  await page.locator('#late-complaint').fill('The invoice names the wrong department.');
  await page.getByRole('button', { name: 'Record the complaint' }).click();
  await page.getByText('Complaint recorded; leadership is told.').waitFor();
  await page.locator('#resolution-c1').fill('Invoice wording corrected.');
  await page.getByRole('button', { name: 'Resolve the complaint' }).click();
  await page.getByText('Complaint resolved.').waitFor();

  await page.locator('#payment-reference').waitFor({ timeout: 30_000 });
  expect(await page.locator('#payment-amount').inputValue()).toBe('1800');
  await page.locator('#payment-reference').fill('BANK-2026-0042');
  // A task's due date sits under its column's "Due" (on a phone, beside that label): the date alone, not "due" again.
  const dueCells = await page.locator('#tasks td[data-label="Due"]').allTextContents();
  expect(dueCells).toHaveLength(2);
  for (const cell of dueCells) expect(cell.trim()).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}/);
  await shoot(page, '10-project-invoicing');
  // On a phone, the tasks and the invoice read as cards: every status, date and amount in sight.
  await page.locator('#invoices tbody tr').first().waitFor();
  await expectCardRowsOnPhone(page, page.locator('#tasks table, #invoices table'), '10b-project-invoicing-phone');
  // So does the client's invoice on their page, which they open on a phone.
  await page.getByRole('button', { name: 'Show the client’s link' }).click();
  const link = new URL(await page.locator('#client-link-url').inputValue());
  const client = await portal.anonymous({ viewport: PHONE });
  pages.push(client);
  await client.page.goto(`${portal.baseUrl}${link.pathname}${link.search}`);
  await client.page.getByRole('heading', { name: title, exact: true }).waitFor();
  await client.page.locator('#invoices tbody tr').first().waitFor();
  await expectCardRowsOnPhone(client.page, client.page.locator('#invoices table'), '10c-client-page-invoice-phone');
  await client.context.close();
  await page.getByRole('button', { name: 'Record the payment' }).click();
  await page.getByText(/^Completed /).waitFor({ timeout: 30_000 });
  await page.locator('.documents a', { hasText: 'Final report' }).waitFor({ timeout: 30_000 });
  await shoot(page, '11-project-completed');

  // Each document link opens the PDF itself (inline), with the session cookie.
  const links = await page.locator('.documents a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  expect(links.length).toBeGreaterThanOrEqual(3);
  for (const href of links) {
    const res = await manager.context.request.get(`${portal.baseUrl}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect(res.headers()['content-disposition']).toMatch(/^inline/);
    expect((await res.body()).subarray(0, 5).toString()).toBe('%PDF-');
  }
  expect(await page.locator('.documents a').first().getAttribute('target')).toBe('_blank');
});

step('leadership sees the project completed in the portfolio and drills down to it', async () => {
  const { page } = leader;
  await page.getByRole('link', { name: 'Portfolio' }).click();
  // The stage's link shows the finished projects it counts (hidden until now) and goes there.
  const box = page.getByLabel('Show completed and cancelled projects');
  expect(await box.isChecked()).toBe(false);
  await page.locator('.stage-strip a', { hasText: 'Completed' }).click({ timeout: 30_000 });
  expect(await box.isChecked()).toBe(true);
  await eventually(async () => ((await page.evaluate('document.activeElement?.id')) === 'stage-completed' ? true : undefined), { what: 'the completed projects in view' });
  const card = page.locator('#stage-completed').locator('..').locator('li.project-card', { hasText: title });
  await card.waitFor({ timeout: 30_000 });
  await shoot(page, '12-portfolio-leadership');
  await card.getByRole('link', { name: title }).click();
  await page.getByText(/^Completed /).waitFor();
  await shoot(page, '13-project-leadership');
});

step('leadership sees the KPIs moved: the client’s rating and the payment, as figures and charts, with filters and a CSV', async () => {
  const { page } = leader;
  await page.getByRole('link', { name: 'KPIs' }).click();
  await page.getByRole('heading', { name: 'KPIs' }).waitFor();
  // The reporting store catches up within seconds of the workflow; the page polls, a reload is faster.
  const ratings = page.locator('.tile', { hasText: 'Client rating' });
  await eventually(
    async () => {
      await page.reload();
      await ratings.waitFor();
      return (await ratings.textContent())?.includes(`${kpisBefore.ratings + 1} rating`);
    },
    { timeoutMs: 60_000, intervalMs: 2_000, what: 'the rating in the KPIs' },
  );
  const after = await h.http().get('/api/reports/kpis').set(h.auth('leadership'));
  expect(paidEur(after.body)).toBe(kpisBefore.paid + 1800);
  expect(await page.locator('.tile', { hasText: 'Invoiced, net of voids and credit notes (EUR)' }).count()).toBe(1);
  // Charts, each with its numbers as a table: the ratings chart counts the 5. With every task
  // done there is no workload to draw: those charts say so in words instead of empty axes.
  expect(await page.locator('figure.chart-figure').count()).toBeGreaterThanOrEqual(9);
  expect(await page.locator('figure.chart-figure svg[role="img"]').count()).toBeGreaterThanOrEqual(7);
  await page.locator('figure.chart-figure', { hasText: 'Estimated hours by department' }).getByText('No open work.').waitFor();
  const ratingRow = page.locator('#chart-ratings-table tr', { has: page.locator('th', { hasText: /^5$/ }) });
  expect(await ratingRow.locator('td').textContent()).toBe(String(after.body.clients.ratings.distribution['5']));
  await shoot(page, '14-kpis-leadership');

  // The CSV link carries the page's filters; the download is the API's CSV.
  await page.locator('#kpi-segment').selectOption('B2B');
  await page.waitForURL(/segment=B2B/);
  const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
  expect(csvHref).toMatch(/^\/api\/reports\/kpis\.csv\?.*segment=B2B/);
  await ratings.filter({ hasText: 'no rating' }).waitFor(); // the project is B2C
  const csv = await leader.context.request.get(`${portal.baseUrl}${csvHref}`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
  expect((await csv.text()).length).toBeGreaterThan(0);
});

step('leadership sets the manager’s sales target for this quarter (an empty amount refused at that field); the KPIs show how far it is fulfilled', async () => {
  const { page } = leader;
  const managerName = h.directory.get(h.people.manager.id)!.name;
  const now = new Date();
  const quarter = quarterOf(now);
  await page.getByRole('link', { name: 'Sales targets' }).click();
  await page.getByRole('heading', { name: 'Sales targets' }).waitFor();
  expect(page.url()).not.toContain('period='); // this quarter by default
  const card = page.locator('li.target', { has: page.getByRole('heading', { name: managerName }) });
  await card.getByText(`No target for ${quarter} yet.`).waitFor();
  const amount = card.getByLabel('Amount');
  await card.getByRole('button', { name: 'Set target' }).click();
  await card.locator('input[aria-invalid="true"]').first().waitFor(); // the refusal came back…
  expect(await amount.getAttribute('aria-invalid')).toBe('true'); // …naming the amount
  await shoot(page, '15-sales-target-refused');
  await amount.fill('1500');
  await card.getByRole('button', { name: 'Set target' }).click();
  await card.getByText(/^Target €1,500\.00 · set by /).waitFor();
  await card.getByRole('button', { name: 'Change target' }).waitFor();
  const stored = await h.http().get(`/api/reports/sales-targets?managerId=${h.people.manager.id}&period=${quarter}`).set(h.auth('leadership')).expect(200);
  expect(stored.body.items).toEqual([expect.objectContaining({ managerId: h.people.manager.id, period: quarter, amount: 1500, currency: 'EUR', setBy: h.people.leadership.id })]);
  await shoot(page, '16-sales-targets-leadership');

  // Another period from the address; a period the API would refuse is refused here at the field.
  await page.locator('#target-period').fill(`${now.getUTCFullYear()}`);
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(new RegExp(`period=${now.getUTCFullYear()}$`));
  await card.getByText(`No target for ${now.getUTCFullYear()} yet.`).waitFor();
  await page.locator('#target-period').fill('2026-Q5');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('#target-period[aria-invalid="true"]').waitFor();
  expect(page.url()).toMatch(new RegExp(`period=${now.getUTCFullYear()}$`)); // the refused period was not taken

  // A target set for the wrong manager is removed again.
  await page.getByRole('link', { name: `This quarter (${quarter})` }).click();
  const other = page.locator('li.target', { has: page.getByRole('heading', { name: h.directory.get(h.people.otherManager.id)!.name }) });
  await other.getByLabel('Amount').fill('700');
  await other.getByRole('button', { name: 'Set target' }).click();
  await other.getByRole('button', { name: 'Remove' }).click();
  await other.getByText(`No target for ${quarter} yet.`).waitFor();
  const removed = await h.http().get(`/api/reports/sales-targets?managerId=${h.people.otherManager.id}&period=${quarter}`).set(h.auth('leadership')).expect(200);
  expect(removed.body.items).toEqual([]);
  await card.getByText(/^Target €1,500\.00 · set by /).waitFor(); // the other one stays

  // The KPI dashboard: the project's 1,800 EUR paid this quarter against 1,500.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'KPIs' }).click();
  await page.locator('#kpi-sales').waitFor();
  const row = page.locator('#chart-sales-table tr', { has: page.locator('th', { hasText: `${managerName} · ${quarter}` }) });
  expect(await row.locator('td').textContent()).toBe('120%');
  const kpis = await h.http().get(`/api/reports/kpis?managerId=${h.people.manager.id}`).set(h.auth('leadership')).expect(200);
  expect(kpis.body.salesPlan).toEqual([expect.objectContaining({ managerId: h.people.manager.id, period: quarter, fulfilment: 1.2 })]);
});

step('the manager sees the same dashboard for their own projects (“My KPIs”): their payment and their target, no one else’s', async () => {
  const { page } = manager;
  const quarter = quarterOf(new Date());
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'KPIs' }).click();
  await page.getByRole('heading', { name: 'My KPIs' }).waitFor();
  expect(await page.locator('#kpi-manager').count()).toBe(0); // no picking another manager
  await page.locator('.tile', { hasText: 'Invoiced, net of voids and credit notes (EUR)' }).getByText('paid in the period €1,800.00').waitFor();
  const own = await h.http().get('/api/reports/kpis').set(h.auth('manager')).expect(200);
  expect(own.body.scope).toMatchObject({ managerId: h.people.manager.id });
  expect(paidEur(own.body)).toBe(1800);
  const row = page.locator('#chart-sales-table tr', { has: page.locator('th', { hasText: quarter }) });
  expect(await row.locator('td').textContent()).toBe('120%');
  expect(await page.locator('#chart-sales-table tbody tr').count()).toBe(1);
  await shoot(page, '17-kpis-manager');
});

step('the client comes back: the manager picks Northwind Bakery from the known clients, its details are filled, and leadership counts a regular client', async () => {
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/new`);
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  await page.locator('#np-client-name').fill('northw');
  await page.getByRole('group', { name: 'Known clients' }).getByRole('button', { name: 'Northwind Bakery' }).click();
  await page.getByRole('status').filter({ hasText: 'Returning client' }).waitFor();
  expect(await page.locator('#np-client-name').inputValue()).toBe('Northwind Bakery');
  expect(await page.locator('#np-client-id').inputValue()).toBe('northwind-bakery');
  expect(await page.locator('#np-client-email').inputValue()).toBe('owner@northwind.example');
  expect(await page.getByLabel('B2C (consumer)').isChecked()).toBe(true);
  expect(await page.getByRole('status').filter({ hasText: 'Returning client' }).textContent()).toContain('1 project so far');
  await page.locator('#np-title').fill(`${title}, part two`);
  await page.locator('#np-brief').fill('The autumn menu pages.');
  await page.getByLabel('Design', { exact: true }).check();
  await page.locator('#np-budget-amount').fill('900');
  await page.locator('#np-desiredDeadline').fill(localIn(20 * DAY).slice(0, 10));
  await shoot(page, '18-new-project-returning-client');
  await page.getByRole('button', { name: 'Open the project' }).click();
  await page.getByRole('heading', { name: `Plan for ${title}, part two` }).waitFor();
  const second = /\/projects\/(p-[a-z2-7]+)\/plan/.exec(page.url())![1];
  const created = (await h.http().get(`/api/projects/${second}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  expect(created.client).toEqual({ id: 'northwind-bakery', name: 'Northwind Bakery', segment: 'B2C', email: 'owner@northwind.example' });
  await eventually(
    async () => {
      const kpis = (await h.http().get('/api/reports/kpis').set(h.auth('leadership')).expect(200)).body;
      return (kpis.clients.regularClients.items as { clientId: string; projects: number }[]).some((c) => c.clientId === 'northwind-bakery' && c.projects === 2);
    },
    { what: 'Northwind Bakery a regular client', timeoutMs: 10_000 },
  );

  // "Not this client": nothing of the known client stays, and a name that makes its id is flagged.
  await page.goto(`${portal.baseUrl}/projects/new`);
  await page.locator('#np-client-name').fill('Northwind');
  const known = page.getByRole('group', { name: 'Known clients' });
  await known.getByText('2 projects').waitFor();
  await page.getByRole('group', { name: 'Known clients' }).getByRole('button', { name: 'Northwind Bakery' }).click();
  await page.getByRole('button', { name: 'Not this client' }).click();
  expect(await page.locator('#np-client-email').inputValue()).toBe('');
  expect(await page.getByLabel('B2B (company)').isChecked()).toBe(true);
  expect(await page.locator('#np-client-id').inputValue()).toBe('northwind-bakery');
  await known.getByRole('alert').filter({ hasText: 'The client id northwind-bakery is Northwind Bakery’s' }).waitFor();
  await shoot(page, '19-new-project-known-clients');
  await page.locator('#np-client-name').fill('Northwind Bakery Group');
  expect(await page.locator('#np-client-id').inputValue()).toBe('northwind-bakery-group');
  await known.getByRole('alert').waitFor({ state: 'detached' });
  // A known client's id typed beside another name is flagged too (it would file the project under that client).
  await page.locator('#np-client-name').fill('Harbour Cafe');
  await page.locator('#np-client-id').fill('northwind-bakery');
  await known.getByRole('alert').filter({ hasText: 'The client id northwind-bakery is Northwind Bakery’s' }).waitFor();
});
