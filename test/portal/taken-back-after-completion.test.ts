/**
 * A payment taken back on a completed project, in a real headless Chromium on the real stack: the
 * bank can return the final payment weeks after completion, and while the project still hears
 * complaints its manager takes it back on the project page. The final invoice is then owed again —
 * said at the top of the page, in its row, and offered by the payment form; leadership may write it
 * off; the manager records it paid again, and the final report is made again. Once the window is
 * over (and for projects completed before there were windows) the books are closed and nothing is
 * taken back. The projects get to completion through the API; everything after is done on their pages.
 */
import type { Route } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { completedProject, startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, openClientPage, shootChecked, shownDate, startPortal, unexpectedErrors, type PersonPage, type Portal, shootDesktopAndPhone, shownDateTime, nextStep, routeUntilStopped } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('a payment taken back after completion in the portal');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
let leader: PersonPage;
const title = `Returned after ${uniqueId('t').slice(-6)}`;

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  manager = await portal.openAs('manager');
  leader = await portal.openAs('leadership');
});

afterAll(async () => {
  // Closed first: a failing expectation must not leave the worker and the browser running.
  const errors = [...(manager ? unexpectedErrors(manager.errors) : []), ...(leader ? unexpectedErrors(leader.errors) : [])];
  await portal?.close();
  await h?.close();
  expect(errors).toEqual([]);
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;


/** A payment's line in the list, by its reference: the one still counted, or the one struck through. */
const paymentLine = (page: PersonPage['page'], reference: string) => page.locator('.payments > li:not(.payment-taken-back)', { hasText: `ref. ${reference}` });
const takenBackLine = (page: PersonPage['page'], reference: string) => page.locator('.payments > li.payment-taken-back', { hasText: `ref. ${reference}` });
/** The cells of an invoice's row in the invoices table. */
const invoiceCells = (page: PersonPage['page'], number: string) => page.locator('table.invoices tr', { has: page.getByRole('rowheader', { name: number }) }).locator('td');
/** An invoice's "Write off…" button. */
const writeOffButton = (page: PersonPage['page'], number: string) => page.getByRole('button', { name: new RegExp(`^Write off what is still owed on ${number}\\b`) });

const shootBoth = (page: PersonPage['page'], name: string) => shootDesktopAndPhone(portal, page, name);

step('the final payment returned by the bank after completion: taken back by the manager, the invoice owed again and offered to pay, leadership may write it off; paid again, the report is made again', async () => {
  const completed = await completedProject(h, title, '10m');
  const id = completed.projectId;
  const until = completed.complaintsHeardUntil!;
  const final = completed.invoices.find((i) => i.kind === 'final')!;
  expect([final.amount, final.status]).toEqual([1200, 'paid']);
  const paidBefore = final.payments[0].reference;
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const line = paymentLine(page, paidBefore);
  await line.waitFor({ timeout: 30_000 });
  // Still hearing complaints: the final payment can be taken back, as on an invoicing project.
  await line.getByRole('button', { name: /^Take back/ }).click();
  const form = page.locator('.take-back-form');
  await page.getByLabel('Returned by the bank: the client is told the invoice is open again').check();
  await form.getByRole('button', { name: `Take back €1,200.00: ${final.number} will be €1,200.00 short again`, exact: true }).click();
  await page.getByText(`Payment taken back: ${final.number} is open again with €1,200.00 to pay; the client is told by mail.`).waitFor({ timeout: 30_000 });
  expect((await get(id)).invoices.find((i) => i.number === final.number)).toMatchObject({ status: 'open', paidAmount: 0 });
  expect(await takenBackLine(page, paidBefore).locator('.taken-back-why').textContent()).toMatch(/: returned by the bank$/);

  // Completed, and owed again: said at the top (not as settled), in the invoice's row, and the payment form offers it.
  expect((await get(id)).stage).toBe('completed');
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, completed.completedAt!)}. The final report is among the documents.`,
    `Complaints about this work can be recorded until ${await shownDateTime(page, until)}.`,
    `${final.number} is owed again: a payment on it was taken back after the project completed. The client is reminded until it is paid or written off, past ${await shownDateTime(page, until)} if need be.`,
    expect.stringMatching(new RegExp(`^Waiting for payment: ${final.number} \\(€1,200\\.00 due .+\\)\\.$`)),
  ]);
  expect(await nextStep(page).getAttribute('class')).not.toContain('callout--good');
  expect(await invoiceCells(page, final.number).allTextContents()).toEqual(['Final', '€1,200.00', '€0.00', '€1,200.00', expect.any(String), 'Open']);
  await page.getByRole('heading', { name: 'Record a payment' }).waitFor();
  expect(await page.locator('#payment-invoiceNumber option').allTextContents()).toEqual([final.number]);
  expect(await page.locator('#payment-amount').inputValue()).toBe('1200');
  await shootBoth(page, '68-completed-owed-again');

  // The client's page says at its top, once, that their money came back from their bank, what is
  // open on it again and by when — not also as one more invoice "waiting for payment".
  const taken = (await get(id)).invoices.find((i) => i.number === final.number)!.reversedPayments![0];
  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const cameBack = client.page.locator('.payment-came-back');
  await cameBack.waitFor({ timeout: 30_000 });
  const cameBackSaid =
    `Your payment for ${final.number} came back from your bank on ${await shownDate(client.page, taken.reversedAt)}, so it has not reached us. ` +
    `€1,200.00 is open on it again, to pay by ${await shownDate(client.page, final.dueAt)}: see below.`;
  expect(await client.page.locator('.callout[role="status"] p', { hasText: /waiting for payment|came back|open on it/ }).allTextContents()).toEqual([cameBackSaid]);
  // No thanks at the top as if all were settled: the work is done, a payment is open.
  expect(await client.page.locator('.callout[role="status"] p').first().textContent()).toBe('The work is completed; a payment is still open.');
  expect(await client.page.locator('.payment-returned').textContent()).toBe(
    `€1,200.00 paid on ${await shownDate(client.page, taken.paidAt)}: returned by your bank on ${await shownDate(client.page, taken.reversedAt)}`,
  );
  await shootChecked(portal, client.page, '68d-client-payment-came-back-phone');
  await client.page.setViewportSize(DESKTOP);
  await shootChecked(portal, client.page, '68d-client-payment-came-back-desktop');
  await client.context.close();

  // Leadership may write off what the client does not pay again; asked, it is kept owed here.
  const lead = leader.page;
  await lead.goto(`${portal.baseUrl}/projects/${id}`);
  await writeOffButton(lead, final.number).click();
  const writeOff = lead.locator('form.write-off-form');
  await writeOff.waitFor();
  expect(await writeOff.locator('h3 + p').textContent()).toBe(
    `The client is no longer asked for the €1,200.00 still owed on ${final.number}, nor reminded of it. Nothing else is open: the final report is then made again. Test ${h.people.manager.id} is told by e-mail; the client is not.`,
  );
  expect(await writeOff.getByRole('button', { name: `Write off €1,200.00 still owed on ${final.number}`, exact: true }).count()).toBe(1);
  await shootBoth(lead, '68b-completed-owed-again-write-off');
  await writeOff.getByRole('button', { name: 'Keep it owed' }).click();
  // Owed again, it stays in the portfolio's view while the finished projects are hidden, its money open on its card.
  await lead.goto(`${portal.baseUrl}/projects`);
  const card = lead.locator('li.project-card', { hasText: title });
  await card.waitFor({ timeout: 30_000 });
  expect(await lead.locator('#show-finished').isChecked()).toBe(false);
  expect(await card.textContent()).toContain('€1,200.00 open');

  // Paid again, recorded from the page: settled, nothing left to pay, and the final report made again.
  await page.locator('#payment-reference').fill(`${id}-again`);
  await page.getByRole('button', { name: 'Record the payment' }).click();
  await page.getByText(`Payment recorded on ${final.number}.`).waitFor({ timeout: 30_000 });
  expect(await invoiceCells(page, final.number).allTextContents()).toEqual(['Final', '€1,200.00', '€1,200.00', '€0.00', expect.any(String), 'Paid']);
  expect(await page.locator('.payment-form').count()).toBe(0);
  await nextStep(page).getByText(/^Completed .*The final report was made again/).waitFor({ timeout: 30_000 });
  const again = (await get(id)).documents.filter((d) => d.kind === 'final_report')[1];
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, completed.completedAt!)}. The final report was made again ${await shownDateTime(page, again.createdAt)}, with the money owed again after completion settled by then; both are among the documents.`,
    `Complaints about this work can be recorded until ${await shownDateTime(page, until)}.`,
  ]);
  expect(await nextStep(page).getAttribute('class')).toContain('callout--good');
  expect(await page.locator('.timeline li', { hasText: 'Payments settled after completion' }).count()).toBe(1);

  // A project completed before complaints were heard after completion (its snapshot has no window):
  // its books are closed. A take-back form opened before is told so; none is offered.
  const paidAgain = paymentLine(page, `${id}-again`);
  await paidAgain.getByRole('button', { name: /^Take back/ }).click();
  await page.locator('.take-back-form').waitFor();
  const withoutWindow = async (route: Route) => {
    const response = await route.fetch();
    const before = (await response.json()) as ProjectStatus;
    delete before.complaintsHeardUntil;
    await route.fulfill({ response, json: before });
  };
  const stopAnswering = await routeUntilStopped(page, `**/api/projects/${id}`, withoutWindow);
  try {
    const refusal = page.locator('.take-back-form .callout[role="alert"]');
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.textContent()).toBe('Not taken back. The project is completed: what it was paid closed its books.');
    await page.locator('.take-back-form').getByRole('button', { name: 'Close' }).click();
    expect(await page.getByRole('button', { name: /^Take back/ }).count()).toBe(0);
  } finally {
    await stopAnswering();
  }
});

step('once the window is over the books are closed: a take-back form left open says until when corrections were taken, and none is offered', async () => {
  // A window a busy machine opens the page within, and short enough to wait out.
  const completed = await completedProject(h, `${title} window over`, '45s');
  const id = completed.projectId;
  const until = completed.complaintsHeardUntil!;
  const final = completed.invoices.find((i) => i.kind === 'final')!;
  const reference = final.payments[0].reference;
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  // Opened while the window runs; it passes meanwhile, and the page's next read says why it cannot be done.
  await paymentLine(page, reference).getByRole('button', { name: /^Take back/ }).click({ timeout: 30_000 });
  await page.getByLabel('Returned by the bank: the client is told the invoice is open again').check();
  const refusal = page.locator('.take-back-form .callout[role="alert"]');
  await refusal.waitFor({ timeout: 60_000 });
  expect(await refusal.textContent()).toBe(
    `Not taken back. The project is completed and took corrections until ${await shownDateTime(page, until)}: a correction now is made outside it.`,
  );
  await shootBoth(page, '68c-completed-window-over-take-back');
  await page.locator('.take-back-form').getByRole('button', { name: 'Close' }).click();
  expect(await page.getByRole('button', { name: /^Take back/ }).count()).toBe(0);
  // The workflow refuses it too.
  await h
    .http()
    .post(`/api/projects/${id}/payment-reversals`)
    .set(h.auth('manager'))
    .send({ invoiceNumber: final.number, reference, cause: 'returned_by_bank' })
    .expect(409);
  await eventually(async () => ((await get(id)).timeline.some((e) => e.event === 'complaint_window_closed') ? true : undefined), {
    what: 'the complaint window closed',
    timeoutMs: 30_000,
  });
});
