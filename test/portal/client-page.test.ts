/**
 * The client's page (`/client/<id>?key=…`) in a real headless Chromium on the real stack, opened
 * from the link as the client does, on a phone: what it says while the work waits for the
 * prepayment (and once that is past due), of work a cancellation stopped before it started, of a
 * link whose key a mail program cut short, of the acceptance act to sign once the work is
 * accepted, and of the money: a compensation agreed for a complaint and the payments received.
 * The projects get where they are through the API.
 */
import pdfParse from 'pdf-parse/lib/pdf-parse.js';
import type { ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectInClientReview, projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, openClientPage, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal, shownDate } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the client\u2019s page in the portal');

let h: ApiHarness;
let portal: Portal;
/** The agency the client deals with (config AGENCY_NAME): the page names it, never the software. */
const AGENCY = 'Sunny Side Studio';
const title = `Spring banner ${uniqueId('c').slice(-6)}`;
const CLOSED = 'This link does not open a project. Ask your account manager for the current one.';
/** The refusal a link that opens nothing gets (the browser logs its network line). */
const NOT_OPENED = /status of 404 .*\/api\/client\/projects\//;

beforeAll(async () => {
  h = await startApiHarness({ env: { AGENCY_NAME: AGENCY } });
  portal = await startPortal(h);
});

afterAll(async () => {
  await portal?.close();
  await h?.close();
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;

/** A project whose plan (design then copy, 2,000, 40% prepaid first) is approved: its work waits for the prepayment. */
async function waitingForPrepayment(projectTitle: string, policy: Record<string, unknown> = {}): Promise<{ id: string; invoice: ProjectStatus['invoices'][number] }> {
  const created = await h
    .http()
    .post('/api/projects')
    .set(h.auth('manager'))
    .send(projectRequest({ title: projectTitle, policy: { startAfterPrepayment: true, ...policy } }))
    .expect(201);
  const id = (created.body as ProjectStatus).projectId;
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send(planRequest({ prepaymentPercent: 40 })).expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const invoice = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'prepayment' && i.documentId), { what: 'the prepayment invoice', timeoutMs: 30_000 });
  return { id, invoice };
}

step('while the work waits for the prepayment, the page says so — not that the work is under way; cancelled then, the work reads as never started, not “Planned”', async () => {
  const { id, invoice } = await waitingForPrepayment(title);
  expect(invoice.amount).toBe(800);
  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const { page } = client;
  const headline = page.locator('.callout[role="status"] strong').first();
  await eventually(async () => ((await headline.textContent())?.includes(invoice.number) ? true : (await page.reload(), false)), {
    what: 'the prepayment on the client\u2019s page',
    timeoutMs: 30_000,
    intervalMs: 1_000,
  });
  expect(await headline.textContent()).toBe(`The work starts once the prepayment invoice ${invoice.number} (€800.00) is paid: see below.`);
  const notice = await clientNotice(client);
  expect(notice).not.toContain('under way');
  // The prepayment is not counted again as "an invoice waiting"; it is not past due, so nothing says it is.
  expect(notice).not.toContain('waiting for payment');
  expect(notice).not.toContain('was due');
  await page.locator('#invoices tbody tr', { has: page.getByRole('rowheader', { name: invoice.number }) }).getByText('€800.00 to pay').waitFor();
  await shoot(page, '40-client-waiting-for-prepayment-phone');

  // The client cancels before paying: the work never started, and never will.
  await h.http().post(`/api/projects/${id}/cancel`).set(h.auth('manager')).send({ reason: 'The client changed their plans.' }).expect(200);
  await eventually(async () => ((await clientNotice(client)).includes('The project was cancelled.') ? true : (await page.reload(), false)), {
    what: 'the cancellation on the client\u2019s page',
    timeoutMs: 30_000,
    intervalMs: 1_000,
  });
  const work = page.locator('.client-work li');
  expect(await work.count()).toBe(2);
  expect(await work.locator('.badge').allTextContents()).toEqual(['Not started', 'Not started']);
  expect(await page.locator('#work').textContent()).not.toMatch(/Planned|running late/);
  expect(await page.locator('#work > p.muted, #work p.muted').first().textContent()).toBe('The project was cancelled before the work started: none of it was done.');
  await shoot(page, '40b-client-cancelled-before-work-phone');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

step('a prepayment past its due date: the page says when it was due, plainly, and that the work begins once it is paid', async () => {
  const { id, invoice } = await waitingForPrepayment(`${title} late`, { paymentTerms: '3s', paymentEscalation: '1h' });
  await eventually(async () => (Date.now() > Date.parse(invoice.dueAt) + 1_000 ? true : undefined), { what: 'the prepayment past its due date', timeoutMs: 30_000 });
  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const { page } = client;
  await eventually(async () => ((await clientNotice(client)).includes(invoice.number) ? true : (await page.reload(), false)), {
    what: 'the prepayment on the client\u2019s page',
    timeoutMs: 30_000,
    intervalMs: 1_000,
  });
  const dueOn = await shownDate(client.page, invoice.dueAt);
  const notice = await clientNotice(client);
  expect(notice).toContain(`The work starts once the prepayment invoice ${invoice.number} (€800.00) is paid: see below.`);
  expect(notice).toContain(`It was due on ${dueOn}; the work begins as soon as it is paid.`);
  expect(notice).not.toContain('under way');
  await shoot(page, '40c-client-prepayment-past-due-phone');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

step('a link whose key a mail program cut short (or left off) gets the same friendly answer as a wrong key, not a refusal of its form', async () => {
  const { id } = await waitingForPrepayment(`${title} cut link`);
  const link = new URL((await h.http().get(`/api/projects/${id}/client-link`).set(h.auth('manager')).expect(200)).body.url as string);
  const key = link.searchParams.get('key')!;
  const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  const said: Record<string, string> = {};
  for (const [name, search] of [
    ['wrong', `?key=${wrong}`],
    ['cut short', `?key=${key.slice(0, 12)}`],
    ['not a key', '?key=wrongkey'],
    ['no key', ''],
  ] as const) {
    const visitor = await portal.anonymous({ viewport: PHONE });
    await visitor.page.goto(`${portal.baseUrl}${link.pathname}${search}`);
    await visitor.page.getByText(CLOSED).waitFor();
    said[name] = (await visitor.page.locator('main').innerText()).trim();
    if (name === 'not a key') await shoot(visitor.page, '40d-client-link-cut-short-phone');
    expect([name, unexpectedErrors(visitor.errors, [NOT_OPENED])]).toEqual([name, []]);
    await visitor.context.close();
  }
  // Word for word what a wrong key gets: nothing about the key's form.
  for (const name of ['cut short', 'not a key', 'no key']) expect([name, said[name]]).toEqual([name, said.wrong]);
  expect(said.wrong).not.toMatch(/key:|not the key/);
});

step('the work accepted: the page reminds the client to sign the acceptance act and send it back, through invoicing to completion — not before there is an act', async () => {
  const id = await projectInClientReview(h, { title: `${title} act` });

  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const { page } = client;
  await page.getByText('The work is ready for your review.').waitFor();
  expect(await clientNotice(client)).not.toContain('acceptance act');

  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 5 }).expect(200);
  const final = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  const manager = h.directory.get(h.people.manager.id)!.name;
  const reminder = `Please sign the acceptance act (in Documents below) and send a signed copy back to ${manager}, if you have not done so yet.`;
  const reminds = async () => ((await clientNotice(client)).includes(reminder) ? true : (await page.reload(), false));
  await eventually(reminds, { what: 'the act to sign on the client\u2019s page (invoicing)', timeoutMs: 30_000, intervalMs: 1_000 });
  // The reminder's link is the act in Documents.
  const inDocuments = await page.locator('#documents').getByRole('link', { name: /^Acceptance act .*\(PDF\)$/ }).getAttribute('href');
  expect(await page.locator('.callout[role="status"]').getByRole('link', { name: 'acceptance act' }).getAttribute('href')).toBe(inDocuments);

  await h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: final.number, amount: final.amount, paidAt: new Date().toISOString(), reference: `${id}-final` }).expect(200);
  await eventually(async () => (await get(id)).stage === 'completed', { what: 'the project completed', timeoutMs: 30_000 });
  await eventually(async () => ((await clientNotice(client)).includes('The project is completed. Thank you!') ? true : (await page.reload(), false)), {
    what: 'the completion on the client\u2019s page',
    timeoutMs: 30_000,
    intervalMs: 1_000,
  });
  expect(await clientNotice(client)).toContain(reminder);
  await shoot(page, '40e-client-completed-act-to-sign-phone');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});


step('a complaint settled with money and a part payment: the page names the agency, says what was taken off for the complaint and what was paid and is left to pay; the act records both', async () => {
  const id = await projectInClientReview(h, { title: `${title} money` }); // one task, €1,200, no prepayment
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The banner colours are off' }).expect(200);
  const complaintId = await eventually(async () => (await get(id)).complaints[0]?.complaintId, { what: 'the complaint', timeoutMs: 30_000 });
  const internalNote = 'Internal: Dima redoes the colours, we eat the cost';
  await h.http().post(`/api/projects/${id}/complaints/${complaintId}/resolution`).set(h.auth('manager')).send({ resolution: internalNote, compensation: 150 }).expect(200);

  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const { page } = client;
  const compensation = page.locator('#work .compensation');
  await eventually(async () => ((await compensation.count()) === 1 ? true : (await page.reload(), false)), { what: 'the compensation on the client\u2019s page', timeoutMs: 30_000, intervalMs: 1_000 });
  const complaint = (await get(id)).complaints[0];
  const agreedOn = await shownDate(client.page, complaint.resolvedAt!);
  const madeOn = await shownDate(client.page, complaint.at);
  // Before the final invoice: where it will go.
  expect(await compensation.textContent()).toBe(`€150.00 agreed on ${agreedOn} to make up for your complaint of ${madeOn} (“The banner colours are off”): it will be taken off your final invoice.`);

  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 3, comment: 'Fine now' }).expect(200);
  const final = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  expect(final.amount).toBe(1050);
  const paidAt = new Date().toISOString();
  await h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: final.number, amount: 600, paidAt, reference: `BANK-${id}-1` }).expect(200);

  const row = page.locator('#invoices tbody tr', { has: page.getByRole('rowheader', { name: final.number }) });
  const paidOn = await shownDate(client.page, paidAt);
  await eventually(async () => ((await row.count()) === 1 && (await row.locator('td[data-label="Payments"]').textContent()) === `€600.00 paid on ${paidOn}` ? true : (await page.reload(), false)), {
    what: 'the payment on the client\u2019s page',
    timeoutMs: 30_000,
    intervalMs: 1_000,
  });
  expect(await row.locator('td[data-label="Status"]').textContent()).toBe('€450.00 to pay');
  expect(await page.locator('#invoices .paid-so-far').textContent()).toBe('You have paid €600.00 so far; €450.00 is still to pay.');
  expect(await compensation.textContent()).toBe(`€150.00 agreed on ${agreedOn} to make up for your complaint of ${madeOn} (“The banner colours are off”): taken off invoice ${final.number}.`);
  expect(await page.locator('#work .plan-summary').textContent()).toContain('Agreed total €1,200.00');
  // The agency's name heads the page and the tab; the software's appears nowhere.
  expect(await page.locator('.topbar .brand').textContent()).toBe(AGENCY);
  expect(await page.title()).toBe(`${title} money · ${AGENCY}`);
  expect(await page.locator('body').innerText()).not.toMatch(/agencyflow/i);
  await shoot(page, '40f-client-compensation-payment-phone');
  const wide = await portal.anonymous({ viewport: DESKTOP });
  await wide.page.goto(page.url());
  await wide.page.locator('#invoices .paid-so-far').waitFor();
  await shoot(wide.page, '40f-client-compensation-payment-desktop');
  expect(unexpectedErrors(wide.errors)).toEqual([]);
  await wide.context.close();

  // What the page is given stays free of the agency's own things: the resolution's note, the rating, the bank reference, who recorded what.
  const key = new URL(page.url()).searchParams.get('key')!;
  const view = (await h.http().get(`/api/client/projects/${id}`).query({ key }).expect(200)).body as Record<string, unknown>;
  expect(view).toMatchObject({ agencyName: AGENCY, compensations: [{ amount: 150, currency: 'EUR', complaintAt: complaint.at, agreedAt: complaint.resolvedAt, settledBy: 'invoice', invoiceNumber: final.number }] });
  const said = JSON.stringify(view);
  for (const internal of [internalNote, `BANK-${id}-1`, JSON.stringify(complaintId)]) expect([internal, said.includes(internal)]).toEqual([internal, false]);
  const fields = new Set<string>();
  JSON.stringify(view, (field, value: unknown) => (fields.add(field), value));
  for (const internal of ['rating', 'reference', 'recordedBy', 'resolvedBy', 'resolution', 'complaintId', 'description']) expect([internal, fields.has(internal)]).toEqual([internal, false]);

  // The act the client signs records the complaint and the compensation, and nets what the final invoice asks.
  const act = (view.documents as { kind: string; href: string }[]).find((d) => d.kind === 'acceptance_act')!;
  const actBytes = (await h.http().get(act.href).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  }).expect(200)).body as Buffer;
  const actText = (await pdfParse(new Uint8Array(actBytes) as unknown as Buffer)).text.replace(/\s+/g, ' ');
  expect(actText).toContain(AGENCY);
  expect(actText).toContain('except as recorded in this act (Complaints, below).');
  expect(actText).toContain('Total after compensation: 1,050.00 EUR');
  expect(actText).toContain('The final invoice sent with this act asks 1,050.00 EUR');
  expect(actText).toContain('with a compensation of 150.00 EUR, taken off the final invoice sent with this act.');
  expect(actText).not.toMatch(/rating|3\/5/);

  // A second complaint after the invoice: its credit note first takes the unpaid €450 off the invoice, and only €50 goes back.
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The banner is still off on phones' }).expect(200);
  const second = await eventually(async () => (await get(id)).complaints[1], { what: 'the second complaint', timeoutMs: 30_000 });
  await h.http().post(`/api/projects/${id}/complaints/${second.complaintId}/resolution`).set(h.auth('manager')).send({ resolution: internalNote, compensation: 500 }).expect(200);
  const credit = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'credit_note' && i.documentId), { what: 'the credit note', timeoutMs: 30_000 });
  const resolved = (await get(id)).complaints[1];
  await eventually(async () => ((await compensation.count()) === 2 && (await page.locator('#invoices tbody tr').count()) === 2 ? true : (await page.reload(), false)), {
    what: 'the second compensation on the client\u2019s page',
    timeoutMs: 30_000,
    intervalMs: 1_000,
  });
  expect(await compensation.nth(1).textContent()).toBe(
    `€500.00 agreed on ${await shownDate(client.page, resolved.resolvedAt!)} to make up for your complaint of ${await shownDate(client.page, resolved.at)} (“The banner is still off on phones”): ` +
      `given back by credit note ${credit.number}: €450.00 taken off invoice ${final.number}, €50.00 to be refunded to you.`,
  );
  expect(await page.locator('#invoices .paid-so-far').textContent()).toBe('You have paid €600.00 so far, and nothing is left to pay.');
  expect(await page.locator('#invoices tbody tr', { has: page.getByRole('rowheader', { name: credit.number }) }).locator('td[data-label="Payments"]').textContent()).toBe('—');
  await shoot(page, '40g-client-second-compensation-credit-note-phone');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

/** The notice at the top of the client's page (where the project stands, what is owed either way). */
const clientNotice = async (client: PersonPage): Promise<string> => (await client.page.locator('.callout[role="status"]').textContent()) ?? '';


async function shoot(page: PersonPage['page'], name: string): Promise<void> {
  await portal.screenshot(page, name);
  expect([name, await accessibilityProblems(page)]).toEqual([name, []]);
}
