/**
 * An invoice the client paid twice, in a real headless Chromium on the real stack: their bank sent
 * the money again. The payment form offers invoices paid already after the open ones, saying so,
 * and says before sending that what is recorded on one is beyond what it asked and credited back
 * to the client. On a completed project (within its complaint window) nothing else is open: the
 * page offers to record a payment made again, until when it may; the credit note follows at once,
 * a refund the manager records, and the project stays completed. On a running project the excess
 * is credited back once it is invoiced. The choice is whole at a 320 px phone's width. The projects
 * get where they are through the API; the payments made again are recorded on their pages.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { approvedWithPrepayment, completedProject, startApiHarness, type ApiHarness } from '../support/api';
import {
  browserTestOrSkip,
  choiceRoom,
  DESKTOP,
  focusedId,
  hasFocus,
  nextStep,
  shootDesktopAndPhone,
  shownDate,
  shownDateTime,
  startPortal,
  unexpectedErrors,
  watchSends,
  type PersonPage,
  type Portal,
  NARROW_PHONE,
} from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('an invoice paid twice in the portal');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
const title = `Paid twice ${uniqueId('w').slice(-6)}`;

/** Refusals provoked on purpose below (their network lines are logged as console errors). */
const PROVOKED = [
  /status of 409 .*\/api\/projects\/p-[a-z2-7]+\/payments\b/, // the same amount on the same invoice within a day, before it is said to be another payment
];

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  manager = await portal.openAs('manager');
});

afterAll(async () => {
  // Closed first: a failing expectation must not leave the worker and the browser running.
  const errors = manager ? unexpectedErrors(manager.errors, PROVOKED) : [];
  await portal?.close();
  await h?.close();
  expect(errors).toEqual([]);
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;

/** The cells of an invoice's row in the invoices table (or the credit notes' table). */
const invoiceCells = (page: PersonPage['page'], number: string) => page.locator('table.invoices tr', { has: page.getByRole('rowheader', { name: number }) }).locator('td');
/** The offer to record a payment made again, shown while nothing is open. */
const offer = (page: PersonPage['page']) => page.locator('.paid-again-offer');
/** The payments the page sent to the API, each one's body. */
const paymentsSent = (sends: ReturnType<typeof watchSends>, id: string, count: number) =>
  eventually(
    async () => {
      const sent = sends.sent.filter((s) => s.path === `/api/projects/${id}/payments`);
      return sent.length === count ? sent.map((s) => s.body) : undefined;
    },
    { what: `${count} payments sent` },
  );

const shootBoth = (page: PersonPage['page'], name: string) => shootDesktopAndPhone(portal, page, name);


/**
 * Each of the payment form's choices shows whole on a 320 px phone once chosen (the page is left
 * at the desk's width on the choice it had): a closed choice cuts its text at the box's edge.
 */
async function expectChoicesWholeOnNarrowPhone(page: PersonPage['page'], name: string): Promise<void> {
  const choice = page.locator('#payment-invoiceNumber');
  const before = await choice.inputValue();
  await page.setViewportSize(NARROW_PHONE);
  try {
    // Each choice that would be cut, with by how much (none).
    const cut: string[] = [];
    for (const value of await choice.locator('option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value))) {
      await choice.selectOption(value);
      const room = await choiceRoom(page, 'payment-invoiceNumber');
      if (room < 0) cut.push(`${value}: ${Math.round(-room)} px cut`);
    }
    expect(cut).toEqual([]);
    await choice.selectOption(before);
    await choice.scrollIntoViewIfNeeded();
    await portal.screenshot(page, name, { fullPage: false });
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

step('the final invoice paid again after completion, within the window: offered and said paid, recorded as another payment beyond it, credited back at once; the refund recorded, the project stays completed', async () => {
  // Long enough for a busy machine to record the payment within it; not waited out.
  const completed = await completedProject(h, title, '2m');
  const id = completed.projectId;
  const until = completed.complaintsHeardUntil!;
  const final = completed.invoices.find((i) => i.kind === 'final')!;
  expect([final.amount, final.status, final.payments.length]).toEqual([1200, 'paid', 1]);
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);

  // Nothing is open: no form in the way, the offer says until when money paid again is taken.
  await offer(page).waitFor({ timeout: 30_000 });
  expect(await offer(page).locator('p').textContent()).toBe(
    `Nothing is owed now. If the client pays an invoice again (their bank sent it twice, say), record it until ${await shownDateTime(page, until)}: it is credited back to them at once by credit note.`,
  );
  expect(await page.locator('.payment-form').count()).toBe(0);
  await shootBoth(page, '69-completed-paid-again-offer');

  await offer(page).getByRole('button', { name: 'Record a payment made again…' }).click();
  const form = page.locator('.payment-form');
  await form.getByRole('heading', { name: 'Record a payment made again' }).waitFor();
  expect(await focusedId(page)).toBe('payment-invoiceNumber');
  // The invoice paid already, labelled so; what it asked and when it was paid under it; the amount empty.
  expect(await page.locator('#payment-invoiceNumber option').allTextContents()).toEqual([`${final.number} (paid)`]);
  expect(await page.locator('#payment-invoiceNumber-detail').textContent()).toBe(
    `Final invoice of €1,200.00, paid in full ${await shownDate(page, final.payments[0].paidAt)}: nothing is owed on it.`,
  );
  expect(await page.locator('#payment-amount').inputValue()).toBe('');
  // Said before anything is sent: paid, beyond what it asked, credited back at once.
  expect(await form.locator('.paid-again-note').textContent()).toBe(
    `${final.number} is paid. Record here only money the client paid again (their bank sent it twice, say): all of it is beyond what ${final.number} asked, ` +
      'and is credited back to the client at once by credit note: a refund, recorded here once it is paid out.',
  );

  // Their bank sent the same 1,200 again today: the API asks whether it is another payment than the one recorded.
  await page.locator('#payment-amount').fill('1200');
  await page.locator('#payment-reference').fill('BANK-AGAIN-1200');
  const sends = watchSends(page);
  await form.getByRole('button', { name: 'Record the payment made again' }).click();
  const twin = form.locator('.payment-twin');
  await twin.waitFor({ timeout: 30_000 });
  expect(await twin.locator('p').textContent()).toMatch(
    new RegExp(`^Not recorded yet: €1,200\\.00 paid .+ is already recorded on ${final.number} under ref\\. ${id}-final \\(.+\\)\\. If this is the same money, it is in: nothing more to do\\.$`),
  );
  await shootBoth(page, '69b-completed-paid-again-twin');
  await twin.getByRole('button', { name: 'It is another payment: record it' }).click();
  const sent = await paymentsSent(sends, id, 2);
  sends.stop();
  // Sent as more than is owed from the start (the page said so beside the choice), then as another payment too.
  expect(sent).toEqual([
    { invoiceNumber: final.number, amount: 1200, paidAt: expect.any(String), reference: 'BANK-AGAIN-1200', moreThanOwed: true },
    { invoiceNumber: final.number, amount: 1200, paidAt: sent[0].paidAt, reference: 'BANK-AGAIN-1200', moreThanOwed: true, anotherPayment: true },
  ]);
  await page.getByText(`Payment recorded on ${final.number}: the €1,200.00 beyond what it asked is credited back to the client at once by credit note.`).waitFor({ timeout: 30_000 });
  expect(await hasFocus(page.locator('.payments > li', { hasText: 'ref. BANK-AGAIN-1200' }))).toBe(true);

  // Credited back at once: a credit note, a refund owed, said at the top, in the credit notes, and the form offers it first.
  const credit = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'credit_note' && i.documentId), { what: 'the credit note', timeoutMs: 30_000 });
  expect([credit.amount, credit.status]).toEqual([1200, 'open']);
  await page.getByRole('heading', { name: 'Record the refund' }).waitFor({ timeout: 30_000 });
  expect((await get(id)).stage).toBe('completed');
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, completed.completedAt!)}. The final report is among the documents.`,
    `Complaints about this work can be recorded until ${await shownDateTime(page, until)}.`,
    expect.stringMatching(new RegExp(`^Refund owed to the client: ${credit.number} \\(€1,200\\.00 by .*\\)\\. Record it under Invoices and payments once it is paid out\\.$`)),
  ]);
  // The invoice's row names the credit note once the page's copy links the two (a poll may show the note a moment before).
  await invoiceCells(page, final.number).filter({ hasText: `credited back on ${credit.number}` }).waitFor({ timeout: 30_000 });
  expect(await invoiceCells(page, final.number).allTextContents()).toEqual([
    'Final',
    '€1,200.00',
    '€2,400.00',
    '€0.00',
    expect.any(String),
    `Paid€1,200.00 paid beyond it: credited back on ${credit.number}`,
  ]);
  expect(await page.locator('#credit-notes-heading').textContent()).toBe('Credit notes: €1,200.00 still owed to the client');
  // The refund owed is the first choice; the invoice paid already after it, labelled.
  expect(await page.locator('#payment-invoiceNumber option').allTextContents()).toEqual([credit.number, `${final.number} (paid)`]);
  expect(await page.locator('#payment-invoiceNumber').inputValue()).toBe(credit.number);
  expect(await page.locator('#payment-invoiceNumber-detail').textContent()).toBe(`Credit note: €1,200.00 still to refund to the client, by ${await shownDate(page, credit.dueAt)}.`);
  expect(await page.locator('#payment-amount').inputValue()).toBe('1200');
  await shootBoth(page, '69c-completed-paid-again-refund-owed');
  await expectChoicesWholeOnNarrowPhone(page, '69f-choice-320-credit-note');
  expect(await page.locator('#payment-invoiceNumber').inputValue()).toBe(credit.number);

  await page.locator('#payment-reference').fill('REFUND-1200');
  await page.getByRole('button', { name: 'Record the refund' }).click();
  await page.getByText(`Refund recorded on ${credit.number}.`).waitFor({ timeout: 30_000 });
  expect(await invoiceCells(page, credit.number).allTextContents()).toEqual(['€1,200.00', '€1,200.00', '€0.00', '—', 'Refunded']);
  // Settled, still completed: the final report made again, the page's top says all is done.
  await nextStep(page).getByText(/^Completed .*The final report was made again/).waitFor({ timeout: 30_000 });
  const settled = await get(id);
  expect(settled.stage).toBe('completed');
  const again = settled.documents.filter((d) => d.kind === 'final_report')[1];
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, completed.completedAt!)}. The final report was made again ${await shownDateTime(page, again.createdAt)}, with the money paid again after completion settled by then; both are among the documents.`,
    `Complaints about this work can be recorded until ${await shownDateTime(page, until)}.`,
  ]);
  expect(await nextStep(page).getAttribute('class')).toContain('callout--good');
  expect(await page.locator('.payment-form').count()).toBe(0);
  await shootBoth(page, '69d-completed-paid-again-settled');

  // Refused for its own reason (a reference the refund has): said at the field, as the API gave it,
  // not as if someone had settled the invoice a moment before.
  await offer(page).getByRole('button', { name: 'Record a payment made again…' }).click();
  await page.locator('#payment-amount').fill('50');
  await page.locator('#payment-reference').fill('REFUND-1200');
  await form.getByRole('button', { name: 'Record the payment made again' }).click();
  await page.locator('#payment-reference-error').waitFor({ timeout: 30_000 });
  expect(await page.locator('#payment-reference-error').textContent()).toContain(`reference REFUND-1200 already records a payment of 1200 EUR on invoice ${credit.number}`);
  expect(await page.locator('.payment-refused').count()).toBe(0);
});

step('the prepayment paid twice on a running project: offered and said paid, recorded, credited back once the project is invoiced', async () => {
  const { id, prepayment } = await approvedWithPrepayment(h, `${title} running`);
  await h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: prepayment.number, amount: 300, paidAt: new Date().toISOString(), reference: 'BANK-300' }).expect(200);
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await offer(page).waitFor({ timeout: 30_000 });
  expect(await offer(page).locator('p').textContent()).toBe(
    'Nothing is owed now. If the client pays an invoice again (their bank sent it twice, say), record it: it is credited back to them once the project is invoiced.',
  );
  await offer(page).getByRole('button', { name: 'Record a payment made again…' }).click();
  const form = page.locator('.payment-form');
  expect(await page.locator('#payment-invoiceNumber option').allTextContents()).toEqual([`${prepayment.number} (paid)`]);
  expect(await page.locator('#payment-invoiceNumber-detail').textContent()).toBe(`Prepayment invoice of €300.00, paid in full ${await shownDate(page, new Date().toISOString())}: nothing is owed on it.`);
  expect(await form.locator('.paid-again-note').textContent()).toBe(
    `${prepayment.number} is paid. Record here only money the client paid again (their bank sent it twice, say): all of it is beyond what ${prepayment.number} asked, ` +
      'and is credited back to the client once the project is invoiced, set against what they still owe first, the rest refunded.',
  );
  // Put away, the focus goes back to the offer; opened again, the form starts afresh.
  await form.getByRole('button', { name: 'Close' }).click();
  expect(await hasFocus(offer(page).getByRole('button', { name: 'Record a payment made again…' }))).toBe(true);
  await offer(page).getByRole('button', { name: 'Record a payment made again…' }).click();

  await expectChoicesWholeOnNarrowPhone(page, '69g-choice-320-paid');
  await page.locator('#payment-amount').fill('300');
  await page.locator('#payment-reference').fill('BANK-300-AGAIN');
  await shootBoth(page, '69e-running-prepayment-paid-again');
  await form.getByRole('button', { name: 'Record the payment made again' }).click();
  await form.getByRole('button', { name: 'It is another payment: record it' }).click({ timeout: 30_000 });
  await page.getByText(`Payment recorded on ${prepayment.number}: the €300.00 beyond what it asked is credited back to the client once the project is invoiced.`).waitFor({ timeout: 30_000 });
  expect((await get(id)).invoices.find((i) => i.number === prepayment.number)).toMatchObject({ amount: 300, paidAmount: 600, status: 'paid' });
  expect(await invoiceCells(page, prepayment.number).last().textContent()).toBe('Paid€300.00 paid beyond it: to be credited back at invoicing');
  // Recorded, the form is put away; the offer is back.
  expect(await page.locator('.payment-form').count()).toBe(0);
  await offer(page).waitFor();
});
