/**
 * The client's page (`/client/<id>?key=…`) in a real headless Chromium on the real stack, opened
 * from the link as the client does, on a phone: what it says while the work waits for the
 * prepayment (and once that is past due), of work a cancellation stopped before it started, of a
 * link whose key a mail program cut short, and of the acceptance act to sign once the work is
 * accepted. The projects get where they are through the API.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectInClientReview, projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, openClientPage, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the client\u2019s page in the portal');

let h: ApiHarness;
let portal: Portal;
const title = `Spring banner ${uniqueId('c').slice(-6)}`;
const CLOSED = 'This link does not open a project. Ask your account manager for the current one.';
/** The refusal a link that opens nothing gets (the browser logs its network line). */
const NOT_OPENED = /status of 404 .*\/api\/client\/projects\//;

beforeAll(async () => {
  h = await startApiHarness();
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
  const dueOn = await shownDate(client, invoice.dueAt);
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


/** The notice at the top of the client's page (where the project stands, what is owed either way). */
const clientNotice = async (client: PersonPage): Promise<string> => (await client.page.locator('.callout[role="status"]').textContent()) ?? '';

/** A date as the portal shows it in that browser (its locale and zone). */
const shownDate = (client: PersonPage, iso: string): Promise<string> =>
  client.page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(at)), iso);

async function shoot(page: PersonPage['page'], name: string): Promise<void> {
  await portal.screenshot(page, name);
  expect([name, await accessibilityProblems(page)]).toEqual([name, []]);
}
