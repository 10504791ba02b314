/**
 * Money typed with a comma as the decimal mark, in a real headless Chromium on the real stack: the
 * budget of a new project and a plan's task price, estimate and prepayment are typed text, not
 * number inputs (a browser in a comma-decimal locale drops "2500,5" or reads it as 25005 without a
 * word). A comma decimal is stored as that decimal (read back through the API); something that is
 * not an amount ("12,5x") is refused at its field, and nothing is sent. A negative price or
 * estimate is refused at its field as it is typed, and stays out of the plan's totals.
 */
import type { Page } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, localIn, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('money fields typed with a comma decimal');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
/** What the manager's page sent other than reads ("POST /api/projects"), from sign-in on. */
const sent: string[] = [];
const title = `Comma money ${uniqueId('mf').slice(-6)}`;
let projectId = '';

const DAY = 86_400_000;

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  manager = await portal.openAs('manager', { startAt: '/projects/new' });
  manager.page.on('request', (r) => {
    if (r.method() !== 'GET') sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
});

afterAll(async () => {
  // No refusal here came from the API but the new project's: a budget that cannot be read is
  // refused at its field, and the request goes without it to learn what else is wrong.
  if (manager) expect(unexpectedErrors(manager.errors, [/status of 400 .*\/api\/projects\b/])).toEqual([]);
  await portal?.close();
  await h?.close();
});

const project = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;

async function shoot(page: Page, name: string): Promise<void> {
  await portal.screenshot(page, name);
  expect([name, await accessibilityProblems(page)]).toEqual([name, []]);
}

step('a budget of "2500,5x" or "2,500" is refused at the budget field with every other problem in the same answer, nothing created; "2500,5" opens the project with a budget of 2500.5', async () => {
  const { page } = manager;
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  await page.locator('#np-client-name').fill('Komma GmbH');
  // Typed work is not dropped by a stray click: leaving asks first, and staying keeps it.
  const asked: string[] = [];
  page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
  await page.getByRole('link', { name: 'Portfolio' }).click();
  await eventually(async () => (asked.length > 0 ? true : undefined), { what: 'leaving the form asked first' });
  expect(asked[0]).toMatch(/has not been sent/);
  expect(page.url()).toMatch(/\/projects\/new$/);
  expect(await page.locator('#np-client-name').inputValue()).toBe('Komma GmbH');
  await page.locator('#np-client-email').fill('einkauf@komma.example');
  await page.locator('#np-title').fill(title);
  await page.getByLabel('Design', { exact: true }).check();
  await page.locator('#np-desiredDeadline').fill(localIn(30 * DAY).slice(0, 10));
  expect(await page.locator('#np-budget-amount').getAttribute('inputmode')).toBe('decimal');

  // The brief left empty too: both are named at once, not the brief only once the budget reads.
  await page.locator('#np-budget-amount').fill('2500,5x');
  await page.getByRole('button', { name: 'Open the project' }).click();
  await page.locator('#np-budget-amount-error').getByText(/not an amount/).waitFor();
  await page.locator('#np-brief-error').getByText('required').waitFor();
  expect(await page.locator('#np-budget-amount').getAttribute('aria-invalid')).toBe('true');
  await shoot(page, '40-new-project-budget-refused');
  expect(page.url()).toMatch(/\/projects\/new$/);
  await page.locator('#np-brief').fill('A landing page.');

  // "2,500" is two and a half in one place and two thousand five hundred in another: asked, not guessed.
  await page.locator('#np-budget-amount').fill('2,500');
  await page.getByRole('button', { name: 'Open the project' }).click();
  await page.locator('#np-budget-amount-error').getByText('2,500 could mean 2.5 or 2500: type 2500 for 2500, or at most two decimals').waitFor();
  expect(page.url()).toMatch(/\/projects\/new$/);

  await page.locator('#np-budget-amount').fill('2500,5');
  await page.getByRole('button', { name: 'Open the project' }).click();
  await page.getByRole('heading', { name: `Plan for ${title}` }).waitFor();
  projectId = /\/projects\/(p-[a-z2-7]+)\/plan/.exec(page.url())![1];
  // The two refused tries created nothing: the client's only project is this one.
  expect((await h.http().get('/api/projects').query({ clientId: 'komma-gmbh' }).set(h.auth('manager')).expect(200)).body.items).toHaveLength(1);
  expect((await project(projectId)).budget).toEqual({ amount: 2500.5, currency: 'EUR' });
});

step('a plan: a price of "12,5x" and a prepayment of "12,5x" are refused at their fields, nothing sent; "1200,5", "1,5" hours and "12,5 %" are stored as 1200.5, 1.5 and 12.5', async () => {
  const { page } = manager;
  const submitted = () => sent.filter((s) => s === `PUT /api/projects/${projectId}/plan`);
  await page.locator('#plan-tasks-0-title').fill('Landing page design');
  await page.locator('#plan-tasks-0-department').selectOption('design');
  await page.locator('#plan-tasks-0-estimateHours').fill('1,5');
  await page.locator('#plan-tasks-0-dueAt').fill(localIn(3 * DAY));
  await page.locator('#plan-tasks-0-price').fill('12,5x');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.locator('#plan-tasks-0-price-error').getByText(/not an amount/).waitFor();
  expect(await page.locator('#plan-tasks-0-price').getAttribute('aria-invalid')).toBe('true');
  // The running total does not pass an unreadable price off as nothing.
  expect(await page.locator('#plan-total').textContent()).toBe('€0.00 without a price that cannot be read');

  // The totals read a comma decimal as it is typed.
  await page.locator('#plan-tasks-0-price').fill('1200,5');
  await page.locator('#plan-prepaymentPercent').fill('12,5x');
  expect(await page.locator('#plan-total').textContent()).toBe('€1,200.50');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.locator('#plan-prepaymentPercent-error').getByText(/not a percentage/).waitFor();
  await shoot(page, '41-plan-editor-percent-refused');
  expect(submitted()).toEqual([]);
  expect((await project(projectId)).plans).toEqual([]);

  await page.locator('#plan-prepaymentPercent').fill('12,5 %');
  expect(await page.locator('#plan-prepayment').textContent()).toBe('€150.06'); // 12.5 % of 1,200.50
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.getByText('Plan version 1 is waiting for leadership’s decision').waitFor();
  expect(submitted()).toHaveLength(1);
  const [plan] = (await project(projectId)).plans;
  expect(plan).toMatchObject({ version: 1, prepaymentPercent: 12.5, tasks: [expect.objectContaining({ title: 'Landing page design', price: 1200.5, estimateHours: 1.5 })] });
});

step('approved, waiting for its prepayment: the page counts the plan’s tasks to come, not "0 of 0", and what is open on the prepayment', async () => {
  const { page } = manager;
  await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const prepayment = await eventually(async () => (await project(projectId)).invoices.find((i) => i.kind === 'prepayment' && i.documentId), { what: 'the prepayment invoice', timeoutMs: 30_000 });
  await page.goto(`${portal.baseUrl}/projects/${projectId}`);
  const callout = page.locator('.callout').first();
  // One sentence, in agreement with its number: what the work waits for, and what that does to its dates.
  await callout
    .getByText(`The plan’s 1 task starts when the prepayment invoice ${prepayment.number} is paid (€150.06 open); its due dates move later by as long as that takes.`)
    .waitFor({ timeout: 15_000 });
  expect(await callout.textContent()).not.toContain('0 of 0');
});

step('a negative price or estimate is refused at its field as it is typed, left out of the totals, and the plan is not sent', async () => {
  const { page } = manager;
  const id = ((await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} negative` })).expect(201)).body as ProjectStatus).projectId;
  const submitted = () => sent.filter((s) => s === `PUT /api/projects/${id}/plan`);
  await page.goto(`${portal.baseUrl}/projects/${id}/plan`);
  await page.locator('#plan-tasks-0-title').fill('Landing page design');
  await page.locator('#plan-tasks-0-dueAt').fill(localIn(3 * DAY));
  await page.locator('#plan-tasks-0-estimateHours').fill('-2');
  await page.locator('#plan-tasks-0-price').fill('-1200,50');
  // Said as typed, before any submit, in words: the field marked, the totals untouched by it.
  expect(await page.locator('#plan-tasks-0-price-error').textContent()).toBe('must not be negative');
  expect(await page.locator('#plan-tasks-0-price').getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('#plan-tasks-0-estimateHours-error').textContent()).toBe('must be more than 0 hours');
  expect(await page.locator('#plan-tasks-0-estimateHours').getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('#plan-total').textContent()).toBe('€0.00 without a negative price');
  await page.getByRole('button', { name: 'Add a task' }).click();
  await page.locator('#plan-tasks-1-title').fill('Landing page copy');
  await page.locator('#plan-tasks-1-estimateHours').fill('3');
  await page.locator('#plan-tasks-1-dueAt').fill(localIn(4 * DAY));
  await page.locator('#plan-tasks-1-price').fill('300');
  await page.locator('#plan-prepaymentPercent').fill('10');
  expect(await page.locator('#plan-total').textContent()).toBe('€300.00 without a negative price');
  expect(await page.locator('#plan-prepayment').textContent()).toBe('€30.00');
  expect(await page.locator('.totals').textContent()).toContain('€4,700.00 left'); // of the €5,000 budget
  expect(await page.locator('#plan-tasks-1-price-error').count()).toBe(0);
  await shoot(page, '42-plan-editor-negative-refused');
  await page.setViewportSize(PHONE);
  await shoot(page, '42-plan-editor-negative-refused-phone');
  await page.setViewportSize(DESKTOP);

  // Submitted as it is: refused at the same fields in the same words, and nothing is sent.
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  const box = page.locator('.problem');
  await box.waitFor();
  expect(await box.locator('li').allTextContents()).toEqual([
    'Task 1 (Landing page design): Estimate: must be more than 0 hours',
    'Task 1 (Landing page design): Price: must not be negative',
  ]);
  expect(submitted()).toEqual([]);

  // Corrected: the refusals go, and the price counts.
  await page.locator('#plan-tasks-0-estimateHours').fill('2');
  await page.locator('#plan-tasks-0-price').fill('1200,50');
  expect(await page.locator('#plan-tasks-0-price-error').count()).toBe(0);
  expect(await page.locator('#plan-tasks-0-estimateHours-error').count()).toBe(0);
  expect(await page.locator('#plan-total').textContent()).toBe('€1,500.50');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.getByText('Plan version 1 is waiting for leadership’s decision').waitFor();
  expect(submitted()).toHaveLength(1);
  expect((await project(id)).plans[0].tasks.map((t) => [t.price, t.estimateHours])).toEqual([
    [1200.5, 2],
    [300, 3],
  ]);
});
