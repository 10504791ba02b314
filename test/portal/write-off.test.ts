/**
 * Writing off what a client still owes on an invoice, on the project page, in a real headless
 * Chromium on the real stack. Leadership alone gets "Write off…" on an open invoice once the project
 * is invoiced (its final invoice out): the form asks why (for the agency; the client is not told)
 * and its button says what it does; done, the invoice reads "Written off" with who, when, why and
 * how much, the payment made on it stays in the list, and the project completes. The manager gets
 * no such control, only a line that leadership can write off a late invoice. A second tab that
 * writes off what the first already did ends as done, saying whose it was; a write-off the invoice
 * no longer allows (paid meanwhile) is refused in the page's words. Projects get to invoicing
 * through the API. At 320 px the invoice and credit note numbers the page names in running text
 * (payments, a compensation's line, documents, the timeline) each stay on one line, and so do the
 * payments' bank references and the invoice number a flash names; a reference longer than a line
 * wraps within the page.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { projectInClientReview, startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, holdReads, startPortal, unexpectedErrors, type PersonPage, type Portal, shootDeskAndNarrowPhone, shootDesktopAndPhone, shownDateTime, focusedId, watchSends, NARROW_PHONE, DESKTOP } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('writing off an invoice in the portal');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
let leader: PersonPage;
const title = `Written off ${uniqueId('w').slice(-6)}`;

/** Refusals provoked on purpose below (their network lines are logged as console errors). */
const PROVOKED = [
  /status of 409 .*\/api\/projects\/p-[a-z2-7]+\/write-offs\b/, // the invoice paid meanwhile, on purpose
];

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  manager = await portal.openAs('manager');
  leader = await portal.openAs('leadership');
});

afterAll(async () => {
  // Closed first: a failing expectation must not leave the worker and the browser running.
  const errors = [...(manager ? unexpectedErrors(manager.errors, PROVOKED) : []), ...(leader ? unexpectedErrors(leader.errors, PROVOKED) : [])];
  await portal?.close();
  await h?.close();
  expect(errors).toEqual([]);
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;

/**
 * One design task (a 1,200 plan) delivered and accepted by the client through the API: the project
 * is invoicing, its final invoice (1,200) out, `paid` of it paid. `paymentTerms` how long the client
 * has to pay it.
 */
async function invoicedProject(projectTitle: string, paid: number, paymentTerms = '14d'): Promise<{ id: string; final: ProjectStatus['invoices'][number] }> {
  const id = await projectInClientReview(h, { title: projectTitle, policy: { paymentTerms } });
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 2, comment: '' }).expect(200);
  const final = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  if (paid > 0) await pay(id, final.number, paid, `${id}-part`);
  return { id, final };
}

const pay = (id: string, invoiceNumber: string, amount: number, reference: string) =>
  h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber, amount, paidAt: new Date().toISOString(), reference }).expect(200);

/** The cells of an invoice's row in the invoices table. */
const invoiceCells = (page: PersonPage['page'], number: string) => page.locator('table.invoices tr', { has: page.getByRole('rowheader', { name: number }) }).locator('td');
/** An invoice's "Write off…" button. */
const writeOffButton = (page: PersonPage['page'], number: string) => page.getByRole('button', { name: new RegExp(`^Write off what is still owed on ${number}\\b`) });

const shootBoth = (page: PersonPage['page'], name: string) => shootDesktopAndPhone(portal, page, name);

step('leadership writes off the rest of a part-paid final invoice: asked why, the button says what it does; the invoice then reads “Written off” with who, when and why, the payment stands, and the project completes', async () => {
  // Due at once: the client is late, and the manager is told who can write it off.
  const { id, final } = await invoicedProject(title, 500, '1s');
  await eventually(async () => (Date.parse(final.dueAt) < Date.now() ? true : undefined), { what: 'the final invoice past due', timeoutMs: 10_000 });

  // The manager: no way to write it off, a line saying who can.
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await invoiceCells(page, final.number).first().waitFor({ timeout: 30_000 });
  expect(await page.getByRole('button', { name: /^Write off/ }).count()).toBe(0);
  expect(await page.locator('.write-off-hint').textContent()).toBe(`If the client will not pay ${final.number}, leadership can write off what is still owed on it.`);

  const lead = leader.page;
  await lead.goto(`${portal.baseUrl}/projects/${id}`);
  await invoiceCells(lead, final.number).first().waitFor({ timeout: 30_000 });
  await writeOffButton(lead, final.number).click();
  const form = lead.locator('form.write-off-form');
  await form.waitFor();
  // The keyboard is where the form begins: the reason.
  expect(await focusedId(lead)).toMatch(/^write-off-.*-reason$/);
  expect(await form.locator('h3').textContent()).toBe(`Write off what is still owed on ${final.number}`);
  expect(await form.locator('h3 + p').textContent()).toBe(
    `The client is no longer asked for the €700.00 still owed on ${final.number}, nor reminded of it; the €500.00 they paid on it stands. Nothing else is open: the project then completes. Test ${h.people.manager.id} is told by e-mail; the client is not.`,
  );
  expect(await form.locator('.hint').textContent()).toBe('Stays with the agency (the project’s timeline keeps it): the client is not told.');
  const confirm = form.getByRole('button', { name: `Write off €700.00 still owed on ${final.number}`, exact: true });
  expect(await confirm.count()).toBe(1);
  await shootBoth(lead, '90-write-off-form');

  // Without a reason: refused at its field, nothing sent.
  const sends = watchSends(lead);
  await confirm.click();
  await form.locator('.field-error').waitFor();
  expect(await form.locator('.field-error').textContent()).toBe('Say why the money is not pursued.');
  sends.stop();
  expect(sends.sent).toEqual([]);

  await form.getByLabel('Why is it written off?').fill('The client closed the studio; not worth a court.');
  await confirm.click();
  await lead.getByText(`€700.00 written off on ${final.number}: the client is no longer asked for it. Test ${h.people.manager.id} is told; the client is not.`).waitFor({ timeout: 30_000 });
  const after = (await get(id)).invoices.find((i) => i.number === final.number)!;
  expect(after).toMatchObject({ status: 'void', paidAmount: 500, voidedAmount: 700, writtenOff: { by: h.people.leadership.id, amount: 700, reason: 'The client closed the studio; not worth a court.' } });

  // "Written off", not "Void": who, when, why and how much; what was paid on it stands, in the list too.
  const cells = invoiceCells(lead, final.number);
  expect((await cells.allTextContents()).slice(0, 4)).toEqual(['Final', '€1,200.00', '€500.00', '—']);
  const state = cells.last();
  expect(await state.locator('.badge').allTextContents()).toEqual(['Written off']);
  expect(await state.locator('.written-off').textContent()).toBe(
    `€700.00 written off by Test ${h.people.leadership.id}, ${await shownDateTime(lead, after.writtenOff!.at)}: “The client closed the studio; not worth a court.”`,
  );
  expect(await state.locator('.written-off-paid').textContent()).toBe('The €500.00 paid on it stands.');
  expect(await lead.locator('.payments > li', { hasText: `ref. ${id}-part` }).textContent()).toMatch(new RegExp(`^€500\\.00 on ${final.number}, paid `));
  // The focus went with the form: it is on what was done.
  expect(await state.locator('.written-off').evaluate((e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
  expect(await writeOffButton(lead, final.number).count()).toBe(0);

  // Nothing else open: the project completes, and the invoice still says what became of it.
  await lead.locator('.page-header .meta-row .badge', { hasText: 'Completed' }).waitFor({ timeout: 30_000 });
  expect((await get(id)).stage).toBe('completed');
  await invoiceCells(lead, final.number).last().locator('.written-off').waitFor();
  // The note at the top says what the project ended without.
  expect(await lead.locator('.stage-progress + .callout .written-off-note').textContent()).toBe(`Written off, not paid: €700.00 on ${final.number}.`);
  // The manager sees the same, and no hint any more.
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await invoiceCells(page, final.number).last().locator('.written-off').waitFor({ timeout: 30_000 });
  expect(await page.locator('.write-off-hint').count()).toBe(0);
  await lead.locator('#invoices').scrollIntoViewIfNeeded();
  await shootBoth(lead, '91-written-off-invoice');
});

step('before the final invoice is out nothing is offered to write off; a second tab writing off what the first already did ends as done, saying whose it was', async () => {
  const id = await projectInClientReview(h, { title: `${title} two tabs` });
  const lead = leader.page;
  await lead.goto(`${portal.baseUrl}/projects/${id}`);
  await lead.locator('#plan').waitFor({ timeout: 30_000 });
  expect(await lead.getByRole('button', { name: /^Write off/ }).count()).toBe(0);

  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 4, comment: '' }).expect(200);
  const final = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  await lead.goto(`${portal.baseUrl}/projects/${id}`);
  await writeOffButton(lead, final.number).click();
  const form = lead.locator('form.write-off-form');
  await form.getByLabel('Why is it written off?').fill('Client insolvent.');
  // The page does not learn of the other tab's write-off before it acts.
  const release = await holdReads(lead, (path) => path === `/api/projects/${id}`);
  try {
    await h.http().post(`/api/projects/${id}/write-offs`).set(h.auth('leadership')).send({ invoiceNumber: final.number, reason: 'Written off from the other tab.' }).expect(200);
    const answered = lead.waitForResponse((r) => r.url().endsWith(`/api/projects/${id}/write-offs`));
    await form.getByRole('button', { name: `Write off €1,200.00 still owed on ${final.number}`, exact: true }).click();
    // Answered as done: the write-off is there once, the other tab's.
    expect((await answered).status()).toBe(200);
  } finally {
    await release();
  }
  const done = (await get(id)).invoices.find((i) => i.number === final.number)!.writtenOff!;
  await lead.getByText(`Already written off ${await shownDateTime(lead, done.at)} by Test ${h.people.leadership.id} (“Written off from the other tab.”): nothing changed.`).waitFor({ timeout: 30_000 });
  expect((await get(id)).invoices.find((i) => i.number === final.number)!.writtenOff).toMatchObject({ reason: 'Written off from the other tab.', amount: 1200 });
  expect(await lead.locator('form.write-off-form').count()).toBe(0);
  expect(await invoiceCells(lead, final.number).last().locator('.written-off').textContent()).toMatch(/: “Written off from the other tab\.”$/);
});

step('an invoice paid in full while the form was open: the write-off is refused in the page’s words, and the invoice reads paid', async () => {
  const { id, final } = await invoicedProject(`${title} paid meanwhile`, 200);
  const lead = leader.page;
  await lead.goto(`${portal.baseUrl}/projects/${id}`);
  await writeOffButton(lead, final.number).click();
  const form = lead.locator('form.write-off-form');
  await form.getByLabel('Why is it written off?').fill('Gave up on it.');
  // The page learns of the payment only from the refusal: its reads are held until the write-off was refused.
  const release = await holdReads(lead, (path) => path === `/api/projects/${id}`);
  try {
    await pay(id, final.number, 1000, `${id}-rest`);
    const refused = lead.waitForResponse((r) => r.url().endsWith(`/api/projects/${id}/write-offs`));
    await form.getByRole('button', { name: `Write off €1,000.00 still owed on ${final.number}`, exact: true }).click();
    expect((await refused).status()).toBe(409);
  } finally {
    await release();
  }
  const said = lead.locator('.write-off-form .callout[role="alert"]');
  await said.waitFor({ timeout: 30_000 });
  expect(await said.textContent()).toBe(`Not written off. ${final.number} is settled now: nothing is owed on it.`);
  expect(await lead.locator('.write-off-form .problem').count()).toBe(0);
  expect((await get(id)).invoices.find((i) => i.number === final.number)).toMatchObject({ status: 'paid', paidAmount: 1200 });
  await lead.locator('.write-off-form').getByRole('button', { name: 'Close' }).click();
  expect(await lead.locator('.write-off-form').count()).toBe(0);
});

/**
 * Each place the page's running text (all but its tables, whose phone cards may break a number once
 * on purpose; under `root`, the page's main part unless told) names one of `numbers`, with how many
 * lines that number takes there and how far right it reaches.
 */
const numbersInRunningText = (page: PersonPage['page'], numbers: string[], root = 'main') =>
  page.locator(root).evaluate((main, wanted) => {
    // The tests' types know no DOM: the little of it used here.
    type TextNode = { data: string; parentElement: { closest(selector: string): unknown; textContent: string | null } | null };
    type Range = { setStart(node: TextNode, offset: number): void; setEnd(node: TextNode, offset: number): void; getClientRects(): ArrayLike<{ top: number; width: number; right: number }> };
    const g = globalThis as unknown as { document: { createTreeWalker(root: unknown, what: number): { nextNode(): unknown }; createRange(): Range } };
    const walker = g.document.createTreeWalker(main, 4 /* NodeFilter.SHOW_TEXT */);
    const found: { number: string; lines: number; right: number; text: string }[] = [];
    for (let node = walker.nextNode() as TextNode | null; node; node = walker.nextNode() as TextNode | null) {
      if (!node.parentElement || node.parentElement.closest('table, select, .visually-hidden')) continue;
      for (const number of wanted) {
        for (let at = node.data.indexOf(number); at >= 0; at = node.data.indexOf(number, at + number.length)) {
          const range = g.document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + number.length);
          // One box per line the number takes (empty boxes aside).
          const boxes = Array.from(range.getClientRects()).filter((r) => r.width > 0);
          const tops = new Set(boxes.map((r) => Math.round(r.top)));
          found.push({ number, lines: tops.size, right: Math.max(...boxes.map((r) => r.right)), text: (node.parentElement.textContent ?? '').trim().slice(0, 80) });
        }
      }
    }
    return found;
  }, numbers);

step('at 320 px every invoice and credit note number in the page’s running text stays on one line: the payments, the compensation’s line, the write-off, the documents and the timeline', async () => {
  // Part paid, a compensation's credit note set against the rest, the rest written off: each number named in many lines.
  const { id, final } = await invoicedProject(`${title} numbers whole`, 500);
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'One icon is missing.' }).expect(200);
  await h.http().post(`/api/projects/${id}/complaints/c1/resolution`).set(h.auth('manager')).send({ resolution: 'Icon added; 100 off agreed.', compensation: 100 }).expect(200);
  const credit = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'credit_note' && i.status === 'paid' && i.documentId), { what: 'the credit note set against the final invoice', timeoutMs: 30_000 });
  await h.http().post(`/api/projects/${id}/write-offs`).set(h.auth('leadership')).send({ invoiceNumber: final.number, reason: 'The client closed the studio.' }).expect(200);

  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await invoiceCells(page, final.number).last().locator('.written-off').waitFor({ timeout: 30_000 });
  await page.locator('.complaints').getByText(`Compensation: €100.00 — credit note ${credit.number}: €100.00 taken off invoice ${final.number}`).waitFor({ timeout: 15_000 });
  try {
    await page.setViewportSize(NARROW_PHONE);
    const found = await numbersInRunningText(page, [final.number, credit.number]);
    // Named in the payments, the compensation's line, the documents and the timeline, and each whole there.
    for (const where of ['.payments', '.complaints', '.documents', '.timeline']) {
      const named = await page.locator(where).evaluate((e, numbers) => numbers.filter((n) => (e.textContent ?? '').includes(n)), [final.number, credit.number]);
      expect([where, named.length > 0]).toEqual([where, true]);
    }
    expect(found.filter((f) => f.lines !== 1)).toEqual([]);
    expect(found.length).toBeGreaterThanOrEqual(8);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
  await page.locator('.complaints').scrollIntoViewIfNeeded();
  await shootDeskAndNarrowPhone(portal, page, '96-invoice-numbers-whole');
});

step('at 320 px a payment’s bank reference stays on one line in the payments and the timeline, one as long as the API takes wraps within the page, and the flash after a payment keeps its invoice number whole', async () => {
  // Paid in parts under references with hyphens, as banks write them; one as long as the API takes
  // (200 characters), no hyphen or space after its first 13.
  const { id, final } = await invoicedProject(`${title} references whole`, 300);
  const references = [`${id}-part`, `${id}-dep-2`];
  const long = `${id}-${'0123456789'.repeat(20)}`.slice(0, 200);
  await pay(id, final.number, 20, references[1]);
  await pay(id, final.number, 1, long);

  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.locator('.payments > li', { hasText: long }).waitFor({ timeout: 30_000 });
  await page.locator('.timeline', { hasText: long }).waitFor({ timeout: 30_000 });
  try {
    await page.setViewportSize(NARROW_PHONE);
    // Each named in its payment's line and in the timeline, and whole in both.
    const found = await numbersInRunningText(page, references);
    for (const where of ['.payments', '.timeline']) {
      const named = await page.locator(where).evaluate((e, wanted) => wanted.filter((r) => (e.textContent ?? '').includes(r)), references);
      expect([where, named]).toEqual([where, references]);
    }
    expect(found.filter((f) => f.lines !== 1)).toEqual([]);
    expect(found.length).toBeGreaterThanOrEqual(4);
    // Longer than a line: it wraps, and neither it nor the page reaches past the screen's edge.
    const wrapped = await numbersInRunningText(page, [long]);
    expect(wrapped.length).toBeGreaterThanOrEqual(2);
    expect(wrapped.filter((f) => f.lines < 2 || f.right > NARROW_PHONE.width)).toEqual([]);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
    await page.locator('.payments').scrollIntoViewIfNeeded();
    await portal.screenshot(page, '100-payment-references-in-their-lines-phone-320', { fullPage: false });

    // The rest paid from the form on the phone: the flash names the invoice, whole.
    await page.locator('#payment-reference').fill(`${id}-rest`);
    await page.getByRole('button', { name: 'Record the payment' }).click();
    const said = page.locator('.flash', { hasText: `Payment recorded on ${final.number}.` });
    await said.waitFor({ timeout: 30_000 });
    const inFlash = await numbersInRunningText(page, [final.number], '.flash');
    expect(inFlash.map((f) => f.lines)).toEqual([1]);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(NARROW_PHONE.width);
    await said.scrollIntoViewIfNeeded();
    await portal.screenshot(page, '100-flash-invoice-number-whole-phone-320', { fullPage: false });
  } finally {
    await page.setViewportSize(DESKTOP);
  }
  await page.locator('.payments').scrollIntoViewIfNeeded();
  await shootDeskAndNarrowPhone(portal, page, '100-payment-references-whole');
});
