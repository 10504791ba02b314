/**
 * Two edges of a project's money on its page, in a real headless Chromium on the real stack: a
 * client who paid more than the prepayment asked (the form's choice shows the invoice or credit
 * note whole on a phone, what is open on it said under it; the form compares what was typed with what is
 * open and offers to record it whole; recorded, the invoice says what was paid beyond it and,
 * once the project is invoicing, on which credit note it went back; a refund is never offered
 * that), and the work started before its prepayment is paid (a reason is asked for; started, the
 * page says by whom, when and why, and the task opens).
 */
import type { Route } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { approvedWithPrepayment, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { browserTestOrSkip, choiceRoom, DESKTOP, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal, shootChecked, shootDesktopAndPhone, shownDateTime, hasFocus, focusedId, shownDate, watchSends, routeUntilStopped } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('overpayments and work started before the prepayment in the portal');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
const title = `Money edges ${uniqueId('e').slice(-6)}`;

/** Refusals provoked on purpose below (their network lines are logged as console errors). */
const PROVOKED = [
  /status of 409 .*\/api\/projects\/p-[a-z2-7]+\/payments\b/, // more than owed, before it is confirmed; a refund beyond the credit note
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

/** The cells of an invoice's row in the invoices table (or the credit notes' table). */
const invoiceCells = (page: PersonPage['page'], number: string) => page.locator('table.invoices tr', { has: page.getByRole('rowheader', { name: number }) }).locator('td');

const shoot = (page: PersonPage['page'], name: string) => shootChecked(portal, page, name);
const shootBoth = (page: PersonPage['page'], name: string) => shootDesktopAndPhone(portal, page, name);


/** The payment form's choice shows its chosen option whole on a phone (the page is left at the desk's width). */
async function expectChoiceWholeOnPhone(page: PersonPage['page']): Promise<void> {
  await page.setViewportSize(PHONE);
  expect(await choiceRoom(page, 'payment-invoiceNumber')).toBeGreaterThanOrEqual(0);
  await page.setViewportSize(DESKTOP);
}

step('more than the prepayment asks: said against what is open and recorded whole once confirmed; at invoicing it goes back on a credit note, whose refund is never offered that', async () => {
  const { id, get, prepayment } = await approvedWithPrepayment(h, `${title} paid beyond`);
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.getByRole('heading', { name: 'Record a payment' }).waitFor({ timeout: 30_000 });
  await eventually(async () => ((await page.locator('#payment-amount').inputValue()) === '300' ? true : undefined), { what: 'the 300 open in the form' });
  // The choice names the invoice, whole on a phone; its kind and what is open on it are said under it.
  expect(await page.locator('#payment-invoiceNumber option').allTextContents()).toEqual([prepayment.number]);
  expect(await page.locator('#payment-invoiceNumber-detail').textContent()).toBe(`Prepayment invoice: €300.00 still open, due ${await shownDate(page, prepayment.dueAt)}.`);
  expect(await page.locator('#payment-invoiceNumber').getAttribute('aria-describedby')).toBe('payment-invoiceNumber-detail');
  await expectChoiceWholeOnPhone(page);

  // The client paid the whole work and more in one transfer.
  await page.locator('#payment-amount').fill('1250');
  await page.locator('#payment-reference').fill('Wire 1250');
  const sends = watchSends(page);
  await page.getByRole('button', { name: 'Record the payment' }).click();
  const beyond = page.locator('.payment-beyond');
  await beyond.waitFor({ timeout: 30_000 });
  expect(await beyond.locator('p').textContent()).toBe(
    `Not recorded yet: €1,250.00 is €950.00 more than the €300.00 still open on ${prepayment.number}. If the client paid that much, it is recorded whole: ` +
      'the €950.00 beyond it is credited back to the client once the project is invoiced, set against what they still owe first, the rest refunded.',
  );
  // Said once, in the page's words: not again at the amount with the API's field name in it.
  expect(await page.locator('#payment-amount-error').count()).toBe(0);
  await shootBoth(page, '66-payment-beyond-asked');

  await beyond.getByRole('button', { name: 'The client paid that much: record it' }).click();
  // The same payment, confirmed: a request of its own (another body, another key).
  const payments = await eventually(async () => {
    const sent = sends.sent.filter((s) => s.path === `/api/projects/${id}/payments`);
    return sent.length === 2 ? sent : undefined;
  }, { what: 'the confirmed payment sent' });
  sends.stop();
  expect(payments.map((s) => s.body)).toEqual([
    { invoiceNumber: prepayment.number, amount: 1250, paidAt: expect.any(String), reference: 'Wire 1250' },
    { invoiceNumber: prepayment.number, amount: 1250, paidAt: payments[0].body.paidAt, reference: 'Wire 1250', moreThanOwed: true },
  ]);
  expect(payments[1].key).not.toBe(payments[0].key);
  // Recorded whole: the invoice counts more paid than it asked.
  await eventually(async () => ((await get()).invoices.find((i) => i.number === prepayment.number)?.paidAmount === 1250 ? true : undefined), { what: 'the payment recorded whole' });
  expect((await get()).invoices.find((i) => i.number === prepayment.number)).toMatchObject({ amount: 300, paidAmount: 1250, status: 'paid' });
  await page.getByText(`Payment recorded on ${prepayment.number}: the €950.00 beyond what it asked is credited back to the client once the project is invoiced.`).waitFor({ timeout: 30_000 });
  // The button went with its question: the payment recorded has the focus.
  expect(await hasFocus(page.locator('.payments > li', { hasText: 'ref. Wire 1250' }))).toBe(true);
  // The invoice says it was paid beyond what it asked, and when that comes back.
  expect(await invoiceCells(page, prepayment.number).allTextContents()).toEqual([
    'Prepayment',
    '€300.00',
    '€1,250.00',
    '€0.00',
    expect.any(String),
    'Paid€950.00 paid beyond it: to be credited back at invoicing',
  ]);
  await shootBoth(page, '66-payment-beyond-recorded');

  // The work (started by the prepayment paid) is done and accepted: the project is invoicing.
  const task = `${id}.design-home`;
  await waitForTask(h, task, 'open');
  await h.http().post(`/api/tasks/${task}/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${task}/submit`).set(h.auth('designer')).send({ summary: 'Done', links: [] }).expect(200);
  await h.http().post(`/api/tasks/${task}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
  await eventually(async () => ((await get()).stage === 'client_review' ? true : undefined), { what: 'client review', timeoutMs: 30_000 });
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 5, comment: '' }).expect(200);
  const invoiced = await eventually(async () => {
    const now = await get();
    return now.invoices.some((i) => i.kind === 'credit_note' && i.documentId) ? now : undefined;
  }, { what: 'the credit note for what was paid beyond', timeoutMs: 30_000 });
  // Credit note of 950: 900 of it taken off the final invoice (1,200 less the 300 prepayment asked), the other 50 to refund.
  const note = invoiced.invoices.find((i) => i.kind === 'credit_note')!;

  // The page (polling) names the credit note it went back on.
  const state = invoiceCells(page, prepayment.number).last();
  await eventually(async () => ((await state.textContent())?.includes('credited back on') ? true : undefined), { what: 'the prepayment credited back', timeoutMs: 30_000 });
  expect(await state.textContent()).toBe(`Paid€950.00 paid beyond it: credited back on ${note.number}`);

  // What is left open is a refund: paying out more than it is the agency's own mistake, never confirmed.
  // The refund is the first choice; the prepayment, paid, comes after it, said so (for money its client pays again).
  await page.getByRole('heading', { name: 'Record the refund' }).waitFor({ timeout: 30_000 });
  expect(await page.locator('#payment-invoiceNumber option').allTextContents()).toEqual([note.number, `${prepayment.number} (paid)`]);
  expect(await page.locator('#payment-invoiceNumber-detail').textContent()).toBe(`Credit note: €50.00 still to refund to the client, by ${await shownDate(page, note.dueAt)}.`);
  await page.locator('#payment-amount').fill('60');
  await page.locator('#payment-reference').fill('Refund 60');
  await page.getByRole('button', { name: 'Record the refund' }).click();
  // Refused at the amount, as before confirming was possible at all.
  await page.locator('#payment-amount-error').waitFor({ timeout: 30_000 });
  expect(await page.getByRole('button', { name: 'The client paid that much: record it' }).count()).toBe(0);
  await shootBoth(page, '66-payment-beyond-credited');
});

step('the work started before the prepayment is paid: a reason is asked for; started, the page says by whom, when and why while the prepayment is unpaid, and the task opens', async () => {
  const { id, get, prepayment } = await approvedWithPrepayment(h, `${title} started early`);
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const note = page.locator('.callout[role="note"]').first();
  await note.getByText(`when the prepayment invoice ${prepayment.number} is paid`).waitFor({ timeout: 30_000 });

  await page.getByText('Start the work now, before the prepayment is paid').click();
  const form = page.locator('.start-work-now form');
  const start = form.getByRole('button', { name: 'Start the work now: the prepayment stays owed and chased' });
  await start.waitFor();
  expect(await form.locator('.hint').textContent()).toBe('For the agency: why the client is trusted, or that the transfer is on its way (never sent to the client).');
  await shootBoth(page, '67-start-work-early-form');

  // Without a reason: refused at its field, the keyboard there, nothing sent.
  const sends = watchSends(page);
  await start.click();
  await page.locator('#start-work-reason-error').waitFor();
  expect(sends.sent).toEqual([]);
  expect(await page.locator('#start-work-reason-error').textContent()).toBe('Say why the work starts before the prepayment is paid.');
  expect(await focusedId(page)).toBe('start-work-reason');
  await shoot(page, '67-start-work-early-no-reason');

  await page.locator('#start-work-reason').fill('  Client of ten years; the transfer is on its way. ');
  // Answered as the workflow may answer it, the moment before its tasks open (they come with a
  // later poll): the answer and the page's polls show no task until the page has been read below,
  // or a poll that brings the opened task first would leave nothing "starting" to read.
  const beforeTasksOpen = async (route: Route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: { ...((await response.json()) as ProjectStatus), tasks: [] } });
  };
  const stopAnsweringStart = await routeUntilStopped(page, `**/api/projects/${id}/start-work`, beforeTasksOpen);
  const stopAnsweringPolls = await routeUntilStopped(page, `**/api/projects/${id}`, beforeTasksOpen);
  await start.click();
  const started = page.locator('#started-before-prepayment');
  await started.waitFor({ timeout: 30_000 });
  await stopAnsweringStart();
  sends.stop();
  expect(sends.sent.map((s) => [s.path, s.body])).toEqual([[`/api/projects/${id}/start-work`, { reason: 'Client of ten years; the transfer is on its way.' }]]);
  const snapshot = await get();
  expect(snapshot.startedBeforePrepayment).toMatchObject({ by: h.people.manager.id, reason: 'Client of ten years; the transfer is on its way.' });
  const saying = `Work started before the prepayment was paid — by Test ${h.people.manager.id}, ${await shownDateTime(page, snapshot.startedBeforePrepayment!.at)}: Client of ten years; the transfer is on its way.`;
  expect(await started.textContent()).toBe(saying);
  // The form went with the wait: the line saying what was done has the focus.
  expect(await focusedId(page)).toBe('started-before-prepayment');
  // No longer waiting, though no task is open yet: nothing left to start, and not said to wait.
  expect(await page.getByText('Start the work now, before the prepayment is paid').count()).toBe(0);
  expect(await note.locator('p').first().textContent()).toBe('The plan’s 1 task starts in a moment.');
  await stopAnsweringPolls();

  // The task opens (the page polls), and the page still says the work did not wait for the unpaid prepayment.
  await page.getByRole('table', { name: 'Tasks of the project' }).getByRole('link', { name: 'Home page design' }).waitFor({ timeout: 30_000 });
  expect(await started.textContent()).toBe(saying);
  await shootBoth(page, '67-start-work-early-started');
});
