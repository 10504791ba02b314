/**
 * A staff form sent twice in the same instant, in a real headless Chromium on the real stack: two
 * clicks of "Record the payment" in one go, the second before the page has drawn the first (and
 * so before the button is disabled), send one request, and the page says once that the payment
 * is recorded. The guard is `useAction`'s (web/src/data.ts), which every staff form uses; the
 * payment form stands for them all. The project gets its prepayment invoice through the API.
 */
import { approvedWithPrepayment, startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, shootDesktopAndPhone, startPortal, unexpectedErrors, watchSends, type PersonPage, type Portal } from '../support/browser';
import { uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('a staff form sent twice at once in the portal');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  manager = await portal.openAs('manager');
});

afterAll(async () => {
  // Closed first: a failing expectation must not leave the worker and the browser running.
  const errors = manager ? unexpectedErrors(manager.errors) : [];
  await portal?.close();
  await h?.close();
  expect(errors).toEqual([]);
});

step('two clicks of “Record the payment” in the same instant send one request, and the page says once that it is recorded', async () => {
  const { id, get, prepayment } = await approvedWithPrepayment(h, `Double submit ${uniqueId('d').slice(-6)}`);
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const form = page.locator('.payment-form');
  await form.getByRole('heading', { name: 'Record a payment' }).waitFor({ timeout: 30_000 });
  await form.getByLabel('Amount (EUR)').fill('300');
  await form.getByLabel('Bank reference').fill('ONCE-300');

  const sends = watchSends(page);
  // Both clicks in one task: the page has not drawn the first one's "Recording…" (nor disabled the
  // button) when the second comes, as with a double click the browser delivers at once.
  await form.evaluate((element) => {
    // The tests' types know no DOM: the form as far as it is used here.
    const button = (element as unknown as { querySelector(selector: string): { click(): void } }).querySelector('button[type="submit"]');
    button.click();
    button.click();
  });
  const recorded = page.getByText(`Payment recorded on ${prepayment.number}.`, { exact: true });
  await recorded.waitFor({ timeout: 30_000 });
  sends.stop();

  expect(sends.sent.map((s) => s.path)).toEqual([`/api/projects/${id}/payments`]);
  expect(await recorded.count()).toBe(1);
  expect(await page.locator('.payments > li', { hasText: 'ref. ONCE-300' }).count()).toBe(1);
  expect(await form.locator('.problem').count()).toBe(0);
  const invoice = (await get()).invoices.find((i) => i.number === prepayment.number)!;
  expect(invoice.payments.map((paid) => [paid.reference, paid.amount])).toEqual([['ONCE-300', 300]]);
  await shootDesktopAndPhone(portal, page, 'double-submit-payment-recorded');
});
