/**
 * Taking a recorded payment back on the project page, in a real headless Chromium on the real
 * stack: returned by the bank (the invoice is open again, the payment stays in the list struck
 * through with who, when and why), and entered by mistake then recorded again rightly from the
 * payment form it hands over to. A second tab that takes back what the first already did ends as
 * done, saying what was done instead; a take-back the project no longer allows (cancelled
 * meanwhile) is refused in the page's words, and the button is no longer offered.
 */
import { approvedWithPrepayment, startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, holdReads, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal, hasFocus, focusedId, shownDate, watchSends } from '../support/browser';
import { uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('taking a recorded payment back in the portal');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
const title = `Taken back ${uniqueId('r').slice(-6)}`;

/** Refusals and losses provoked on purpose below (their network lines are logged as console errors). */
const PROVOKED = [
  /status of 409 .*\/api\/projects\/p-[a-z2-7]+\/payment-reversals\b/, // the project cancelled meanwhile, on purpose
  /net::ERR_CONNECTION_RESET/, // an answer lost on its way back, on purpose
];

/**
 * The shared approved project with its prepayment invoice (300) open (`approvedWithPrepayment`), with
 * `pay` (a payment on that invoice through the API) and `invoice` (its row as it stands now).
 */
async function withPrepayment(projectTitle: string) {
  const { id, get, prepayment } = await approvedWithPrepayment(h, projectTitle);
  const pay = (amount: number, reference: string) =>
    h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: prepayment.number, amount, paidAt: new Date().toISOString(), reference }).expect(200);
  const invoice = async () => (await get()).invoices.find((i) => i.number === prepayment.number)!;
  return { id, get, prepayment, pay, invoice };
}

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  manager = await portal.openAs('manager');
});

afterAll(async () => {
  if (manager) expect(unexpectedErrors(manager.errors, PROVOKED)).toEqual([]);
  await portal?.close();
  await h?.close();
});

/** A payment's line in the list, by its reference: the one still counted, or the one struck through. */
const paymentLine = (page: PersonPage['page'], reference: string) => page.locator('.payments > li:not(.payment-taken-back)', { hasText: `ref. ${reference}` });
const takenBackLine = (page: PersonPage['page'], reference: string) => page.locator('.payments > li.payment-taken-back', { hasText: `ref. ${reference}` });
/** The cells of an invoice's row in the invoices table. */
const invoiceCells = (page: PersonPage['page'], number: string) => page.locator('table.invoices tr', { has: page.getByRole('rowheader', { name: number }) }).locator('td');

step('a payment returned by the bank is taken back: the invoice is open again, the payment stays in the list struck through with who, when and why', async () => {
  const { id, prepayment, pay, invoice } = await withPrepayment(`${title} bounced`);
  await pay(300, 'BANK-300');
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const line = paymentLine(page, 'BANK-300');
  await line.waitFor({ timeout: 30_000 });
  expect(await invoiceCells(page, prepayment.number).allTextContents()).toEqual(['Prepayment', '€300.00', '€300.00', '€0.00', expect.any(String), 'Paid']);

  await line.getByRole('button', { name: /^Take back/ }).click();
  const form = page.locator('.take-back-form');
  await form.waitFor();
  // The keyboard is where the form begins; nothing is chosen (one cause mails the client).
  expect(await focusedId(page)).toMatch(/-cause-entered_by_mistake$/);
  expect(await form.locator('.choice').allTextContents()).toEqual([
    'Entered by mistake (wrong amount or invoice): corrected, the client is not told',
    'Returned by the bank: the client is told the invoice is open again',
  ]);
  expect(await form.locator('input[type="radio"]:checked').count()).toBe(0);
  // The button says what happens to the amounts.
  const confirm = form.getByRole('button', { name: `Take back €300.00: ${prepayment.number} will be €300.00 short again`, exact: true });
  expect(await confirm.count()).toBe(1);
  await shoot(page, '60-take-back-form');
  await page.setViewportSize(PHONE);
  await shoot(page, '60-take-back-form-phone');
  await page.setViewportSize(DESKTOP);

  // Without a cause: refused at its field, nothing sent.
  const sends = watchSends(page);
  await confirm.click();
  await form.locator('.field-error').waitFor();
  expect(await form.locator('.field-error').textContent()).toBe('Choose why it is taken back.');
  sends.stop();
  expect(sends.sent).toEqual([]);

  await page.getByLabel('Returned by the bank: the client is told the invoice is open again').check();
  await form.getByLabel('Note (optional)').fill('Chargeback: the client’s bank recalled it.');
  // The first answer is lost on its way back; the second click sends the same Idempotency-Key, so it is taken back once.
  const keys: string[] = [];
  let lost = 0;
  await page.route(`**/api/projects/${id}/payment-reversals`, async (route) => {
    keys.push(route.request().headers()['idempotency-key'] ?? '');
    if (lost++ > 0) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  // The page's own reads wait until the retry is answered: a poll answered in between would show the
  // payment already taken back and close the form before the person retries (seen under load).
  let sendReads!: () => void;
  const retryAnswered = new Promise<void>((resolve) => (sendReads = resolve));
  await page.route(`**/api/projects/${id}`, async (route) => {
    if (route.request().method() === 'GET') await retryAnswered;
    await route.fallback();
  });
  try {
    await confirm.click();
    await form.locator('.problem').waitFor();
    await confirm.click();
    await page.getByText(`Payment taken back: ${prepayment.number} is open again with €300.00 to pay; the client is told by mail.`).waitFor({ timeout: 30_000 });
  } finally {
    sendReads();
    await page.unroute(`**/api/projects/${id}`);
    await page.unroute(`**/api/projects/${id}/payment-reversals`);
  }
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);

  // Open again, nothing counted as paid; the payment kept in the list, struck through, saying who, when and why.
  const now = await invoice();
  expect(now.payments).toEqual([]);
  expect(now.reversedPayments).toMatchObject([{ reference: 'BANK-300', amount: 300, cause: 'returned_by_bank', reversedBy: h.people.manager.id, note: 'Chargeback: the client’s bank recalled it.' }]);
  expect(await invoiceCells(page, prepayment.number).allTextContents()).toEqual(['Prepayment', '€300.00', '€0.00', '€300.00', expect.any(String), 'Open']);
  const struck = takenBackLine(page, 'BANK-300');
  expect(await struck.locator('del').textContent()).toBe(`€300.00 on ${prepayment.number}, paid ${await shownDate(page, now.reversedPayments![0].paidAt)}, ref. BANK-300`);
  expect(await struck.locator('.taken-back-why').textContent()).toBe(
    `taken back ${await shownDate(page, now.reversedPayments![0].reversedAt)} by Test ${h.people.manager.id}: returned by the bank — Chargeback: the client’s bank recalled it.`,
  );
  expect(await paymentLine(page, 'BANK-300').count()).toBe(0);
  // The focus went with the form: it is on the line that says what was done.
  expect(await hasFocus(struck)).toBe(true);
  // The form to record a payment is back for the open invoice.
  await page.getByRole('heading', { name: 'Record a payment' }).waitFor();
  await shoot(page, '61-payment-taken-back');
  await page.setViewportSize(PHONE);
  await shoot(page, '61-payment-taken-back-phone');
  await page.setViewportSize(DESKTOP);
});

step('a payment entered by mistake is taken back and recorded again rightly in one go: the payment form has its invoice and reference, and the focus', async () => {
  const { id, prepayment, pay, invoice } = await withPrepayment(`${title} typo`);
  // 200 typed where the bank statement says 300.
  await pay(200, 'GLX-7781');
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const line = paymentLine(page, 'GLX-7781');
  await line.waitFor({ timeout: 30_000 });
  await line.getByRole('button', { name: /^Take back/ }).click();
  const form = page.locator('.take-back-form');
  // Part paid: what is open after is the rest and this payment.
  const confirm = form.getByRole('button', { name: `Take back €200.00: ${prepayment.number} will be €300.00 short`, exact: true });
  await confirm.waitFor();
  await page.getByLabel('Entered by mistake (wrong amount or invoice): corrected, the client is not told').check();
  await confirm.click();
  await page.getByText(`Payment ref. GLX-7781 taken back from ${prepayment.number}: record it again below as it was made.`).waitFor({ timeout: 30_000 });

  // The payment form has taken it up: the invoice chosen, the reference filled in, the focus on it.
  expect(await focusedId(page)).toBe('payment-invoiceNumber');
  expect(await page.locator('#payment-invoiceNumber').inputValue()).toBe(prepayment.number);
  expect(await page.locator('#payment-reference').inputValue()).toBe('GLX-7781');
  expect(await page.locator('#payment-amount').inputValue()).toBe('300');
  expect(await page.locator('.payment-form [role="status"]').textContent()).toBe(
    'Ref. GLX-7781 was taken back as entered by mistake: check the invoice, amount and date, and record it again as it was paid.',
  );
  expect((await takenBackLine(page, 'GLX-7781').locator('.taken-back-why').textContent())?.endsWith(`by Test ${h.people.manager.id}: entered by mistake`)).toBe(true);
  await shoot(page, '62-taken-back-to-record-again');

  await page.getByRole('button', { name: 'Record the payment' }).click();
  await page.getByText(`Payment recorded on ${prepayment.number}.`).waitFor({ timeout: 30_000 });
  const now = await invoice();
  expect([now.status, now.paidAmount, now.payments.map((p) => [p.reference, p.amount])]).toEqual(['paid', 300, [['GLX-7781', 300]]]);
  expect(now.reversedPayments?.map((p) => [p.reference, p.amount, p.cause])).toEqual([['GLX-7781', 200, 'entered_by_mistake']]);
  // Both in the list, in the order they were recorded: the 200 struck through, the 300 counted.
  expect(await page.locator('.payments > li').allTextContents()).toEqual([
    expect.stringMatching(/^€200\.00 on .* entered by mistake/),
    expect.stringMatching(/^€300\.00 on .*ref\. GLX-7781 \(recorded by/),
  ]);
  expect(await page.locator('.payment-form').count()).toBe(0);
});

step('a second tab taking back what the first already took back ends as done, saying what was done instead; nothing changes', async () => {
  const { id, pay, invoice } = await withPrepayment(`${title} two tabs`);
  await pay(300, 'TWO-TABS-300');
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await paymentLine(page, 'TWO-TABS-300').waitFor({ timeout: 30_000 });
  // Leadership has the project open too; its page does not learn of the manager's take-back before it acts.
  const leader = await portal.openAs('leadership', { startAt: `/projects/${id}` });
  await paymentLine(leader.page, 'TWO-TABS-300').waitFor({ timeout: 30_000 });
  const release = await holdReads(leader.page, (path) => path === `/api/projects/${id}`);
  try {
    await paymentLine(leader.page, 'TWO-TABS-300').getByRole('button', { name: /^Take back/ }).click();
    await leader.page.getByLabel('Entered by mistake (wrong amount or invoice): corrected, the client is not told').check();

    await paymentLine(page, 'TWO-TABS-300').getByRole('button', { name: /^Take back/ }).click();
    await page.getByLabel('Returned by the bank: the client is told the invoice is open again').check();
    await page.locator('.take-back-form').getByRole('button', { name: /^Take back €300\.00/ }).click();
    await takenBackLine(page, 'TWO-TABS-300').waitFor({ timeout: 30_000 });
    const taken = (await invoice()).reversedPayments![0];
    const already = `Already taken back ${await formatDateTime(leader.page, taken.reversedAt)} by Test ${h.people.manager.id} (returned by the bank; the client was told): nothing changed.`;

    await leader.page.locator('.take-back-form').getByRole('button', { name: /^Take back €300\.00/ }).click();
    await leader.page.getByText(already).waitFor({ timeout: 30_000 });
    const struck = takenBackLine(leader.page, 'TWO-TABS-300');
    await struck.waitFor();
    expect(await struck.locator('.taken-back-why').textContent()).toMatch(new RegExp(`by Test ${h.people.manager.id}: returned by the bank$`));
    // Said where the focus is, too: the flash is out of sight up the page.
    expect(await struck.locator('.taken-back-already').textContent()).toBe('It had been taken back already when you asked: nothing changed (the client was told).');
    expect(await hasFocus(struck)).toBe(true);
    // Done, not refused; and not handed to the payment form to record again.
    expect(await leader.page.locator('.problem').count()).toBe(0);
    expect(await leader.page.locator('#payment-reference').inputValue()).toBe('');
    await portal.screenshot(leader.page, '63-taken-back-in-another-tab', { fullPage: false });
  } finally {
    await release();
  }
  const now = await invoice();
  expect(now.reversedPayments?.map((p) => [p.reference, p.cause, p.reversedBy])).toEqual([['TWO-TABS-300', 'returned_by_bank', h.people.manager.id]]);
  expect(unexpectedErrors(leader.errors)).toEqual([]);
  await leader.context.close();
});

step('a take-back the project no longer allows (cancelled meanwhile) is refused in the page’s words, and the button is no longer offered', async () => {
  const { id, get, pay, invoice } = await withPrepayment(`${title} cancelled meanwhile`);
  await pay(300, 'LATE-300');
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await paymentLine(page, 'LATE-300').waitFor({ timeout: 30_000 });
  const release = await holdReads(page, (path) => path === `/api/projects/${id}`);
  let released = false;
  try {
    await paymentLine(page, 'LATE-300').getByRole('button', { name: /^Take back/ }).click();
    await page.getByLabel('Returned by the bank: the client is told the invoice is open again').check();
    // Cancelled by a colleague while the form is open.
    await h.http().post(`/api/projects/${id}/cancel`).set(h.auth('leadership')).send({ reason: 'The client went bankrupt.' }).expect(200);
    expect((await get()).stage).toBe('cancelled');
    // The page reads the project again once the refusal is in.
    await page.route(`**/api/projects/${id}/payment-reversals`, async (route) => {
      const response = await route.fetch();
      released = true;
      await release();
      await route.fulfill({ response });
    });
    await page.locator('.take-back-form').getByRole('button', { name: /^Take back €300\.00/ }).click();
    const refusal = page.locator('.take-back-form .callout[role="alert"]');
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.textContent()).toBe('Not taken back. The project is cancelled: its settlement was worked out from these payments.');
    // Said once, in the page's words, not as the API's title.
    expect(await page.getByText('Not possible at this stage').count()).toBe(0);
    await shoot(page, '64-take-back-refused');
    await page.locator('.take-back-form').getByRole('button', { name: 'Close' }).click();
    expect(await page.locator('.take-back-form').count()).toBe(0);
    // Not offered any more: it would be refused.
    expect(await page.getByRole('button', { name: /^Take back/ }).count()).toBe(0);
  } finally {
    await page.unroute(`**/api/projects/${id}/payment-reversals`);
    if (!released) await release();
  }
  expect((await invoice()).payments.map((p) => p.reference)).toEqual(['LATE-300']);
});

/** A moment as the portal shows it in that browser (its locale and zone). */
const formatDateTime = (page: PersonPage['page'], iso: string): Promise<string> =>
  page.evaluate(
    (at) => new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(new Date(at)),
    iso,
  );

async function shoot(page: PersonPage['page'], name: string): Promise<void> {
  await portal.screenshot(page, name);
  expect([name, await accessibilityProblems(page)]).toEqual([name, []]);
}
