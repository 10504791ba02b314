/**
 * The client's page between their acceptance and the final invoice, in a real headless Chromium on
 * the real stack: the project is invoicing, no final invoice yet (the acceptance act being drawn
 * up, the invoice numbered next). The page says the final invoice is being made, and for how much
 * — not "nothing is left to pay" — and once it is issued, what is still to pay. The workflow is
 * held there honestly: this file's worker runs the real activities with a document store that keeps
 * the acceptance act until the test lets it go (test/support/held-documents.ts).
 *
 * And a project whose compensations left nothing to invoice, invoicing while its prepayment is
 * unpaid: no final invoice is said to come.
 */
import type { Worker } from '@temporalio/worker';
import { createActivities, createActivityDepsFromConfig } from '../../activities/index';
import { createLogger } from '../../common/logger';
import type { ProjectStatus } from '../../workflows/project/contract';
import { startApiHarness, withPrepaymentInClientReview, type ApiHarness } from '../support/api';
import { browserTestOrSkip, openClientPage, shootDeskAndNarrowPhone, startPortal, unexpectedErrors, type Portal } from '../support/browser';
import { holdingDocumentStore } from '../support/held-documents';
import { createTestWorker, eventually, replayEverythingOn, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('the client\u2019s page while the final invoice is being made');

let h: ApiHarness;
let portal: Portal;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
let stopPeople: (() => void) | undefined;
let documents: ReturnType<typeof holdingDocumentStore>;
const title = `Invoicing ${uniqueId('w').slice(-6)}`;

beforeAll(async () => {
  // The harness without its worker: this file's own, on the harness's task queue, with the held store.
  h = await startApiHarness({ withoutWorker: true });
  const deps = await createActivityDepsFromConfig(h.config, { client: h.temporal.client, logger: createLogger({ level: 'silent' }), reporting: h.reporting });
  stopPeople = () => deps.people.stopFollowing();
  documents = holdingDocumentStore(deps.store);
  worker = await createTestWorker(h.temporal, {
    taskQueue: h.taskQueue,
    activities: createActivities({ ...deps, store: documents.store, invoiceNumberWorkflowIdPrefix: `${uniqueId('inv')}-` }),
  });
  running = worker.run();
  portal = await startPortal(h);
});

afterAll(async () => {
  try {
    await portal?.close();
    stopPeople?.();
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    // What the harness does for its own worker: every history this worker made replays.
    if (worker) await replayEverythingOn(h.temporal.client, h.taskQueue);
  } finally {
    await h?.close();
  }
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;

/** The client's view of the project through their link, as their page reads it. */
async function clientView(id: string): Promise<Record<string, unknown>> {
  const link = new URL((await h.http().get(`/api/projects/${id}/client-link`).set(h.auth('manager')).expect(200)).body.url as string);
  return (await h.http().get(`/api/client/projects/${encodeURIComponent(id)}${link.search}`).expect(200)).body as Record<string, unknown>;
}

step('accepted, the final invoice being made: the page says it is coming and for how much, then what is still to pay once it is issued', async () => {
  const id = await withPrepaymentInClientReview(h, `${title} held`);
  // The acceptance act of this project is kept from the store: the workflow waits there, invoicing.
  const held = documents.hold((d) => d.projectId === id && d.kind === 'acceptance_act');
  let released = false;
  try {
    await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 5 }).expect(200);
    await held.reached;
    const during = await get(id);
    expect([during.stage, during.invoices.map((i) => i.kind)]).toEqual(['invoicing', ['prepayment']]);

    // The client's view: the final invoice still to come, the workflow's own sum (€1,200 less the €300 prepayment).
    const view = await eventually(async () => {
      const v = await clientView(id);
      return v.stage === 'invoicing' ? v : undefined;
    }, { what: 'the client\u2019s view of the project invoicing', timeoutMs: 30_000 });
    expect([view.finalInvoiceToCome, (view.invoices as { kind: string }[]).map((i) => i.kind)]).toEqual([900, ['prepayment']]);

    const client = await openClientPage(h, portal, id, { noticeShown: true });
    const { page } = client;
    const paidSoFar = page.locator('#invoices .paid-so-far');
    const coming = page.locator('.callout[role="status"] .final-invoice-coming');
    const now = page.locator('.callout[role="status"] strong').first();
    await eventually(async () => ((await now.textContent()) === 'The work is accepted; invoicing is under way.' && (await paidSoFar.count()) === 1 ? true : (await page.reload(), false)), {
      what: 'the client\u2019s page invoicing',
      timeoutMs: 20_000,
      intervalMs: 1_000,
    });
    expect(await coming.allTextContents()).toEqual(['The final invoice, of €900.00, is being made: it comes to you by e-mail, with the acceptance act to sign.']);
    // Not "nothing is left to pay", and not "once you have accepted": they have.
    expect(await paidSoFar.textContent()).toBe('You have paid €300.00 so far. Nothing is due now; the final invoice, for the rest, €900.00, is being made now that the work is accepted.');
    await shootDeskAndNarrowPhone(portal, page, '95-client-final-invoice-being-made');

    // Let the act go: the final invoice is issued, and the page says what is still to pay.
    held.release();
    released = true;
    const final = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
    expect(final.amount).toBe(900);
    expect((await clientView(id)).finalInvoiceToCome).toBeUndefined();
    await eventually(async () => ((await paidSoFar.textContent()) === 'You have paid €300.00 so far; €900.00 is still to pay.' ? true : (await page.reload(), false)), {
      what: 'the final invoice to pay on the client\u2019s page',
      timeoutMs: 30_000,
      intervalMs: 1_000,
    });
    expect(await coming.count()).toBe(0);
    expect(await page.locator('.callout[role="status"]').textContent()).toContain('An invoice is waiting for payment: see below.');
    await shootDeskAndNarrowPhone(portal, page, '95-client-final-invoice-issued');
    expect(unexpectedErrors(client.errors)).toEqual([]);
    await client.context.close();
  } finally {
    if (!released) held.release();
  }
});

step('compensations left nothing to invoice, the prepayment still open: no final invoice is said to come', async () => {
  const id = await withPrepaymentInClientReview(h, `${title} nothing left`, { prepaymentPaid: false });
  // A complaint, resolved with €900 off: with the €300 prepayment, the whole €1,200 plan is covered.
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The banner colours are off' }).expect(200);
  const complaint = await eventually(async () => (await get(id)).complaints.find((c) => !c.resolvedAt), { what: 'the complaint', timeoutMs: 30_000 });
  await h.http().post(`/api/projects/${id}/complaints/${complaint.complaintId}/resolution`).set(h.auth('manager')).send({ resolution: 'Redone', compensation: 900 }).expect(200);
  expect(await eventually(async () => (await clientView(id)).finalInvoiceToCome === 0, { what: 'nothing left to invoice, said before acceptance', timeoutMs: 30_000 })).toBe(true);

  // Accepted, its act held: the act is coming, and no invoice with it.
  const held = documents.hold((d) => d.projectId === id && d.kind === 'acceptance_act');
  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const notice = client.page.locator('.callout[role="status"]');
  try {
    await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 4 }).expect(200);
    await held.reached;
    await eventually(async () => ((await notice.locator('strong').first().textContent()) === 'The work is accepted; invoicing is under way.' ? true : (await client.page.reload(), false)), {
      what: 'the client\u2019s page invoicing',
      timeoutMs: 20_000,
      intervalMs: 1_000,
    });
    expect(await notice.locator('.final-invoice-coming').allTextContents()).toEqual(['The acceptance act to sign comes to you by e-mail; no further invoice comes for the agreed work.']);
  } finally {
    held.release();
  }
  // The workflow found nothing left to invoice and waits, invoicing, for the prepayment.
  await eventually(async () => (await get(id)).timeline.some((e) => e.event === 'nothing_left_to_invoice'), { what: 'nothing left to invoice', timeoutMs: 30_000 });
  const view = await eventually(async () => {
    const v = await clientView(id);
    return v.stage === 'invoicing' && (v.documents as { kind: string }[]).some((d) => d.kind === 'acceptance_act') ? v : undefined;
  }, { what: 'the client\u2019s view invoicing, the act out', timeoutMs: 30_000 });
  expect([view.finalInvoiceToCome, (view.invoices as { kind: string }[]).map((i) => i.kind)]).toEqual([undefined, ['prepayment']]);

  await client.page.reload();
  // The act out on its own, to sign (no invoice travels with it).
  await notice.getByRole('link', { name: 'acceptance act' }).waitFor();
  expect(await notice.locator('.final-invoice-coming').count()).toBe(0);
  expect(await notice.textContent()).toContain('An invoice is waiting for payment: see below.');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

step('accepted on their page with part of the prepayment unpaid, the final invoice being made: what is still to pay, and the rest invoiced now', async () => {
  const id = await withPrepaymentInClientReview(h, `${title} part paid`, { prepaymentPaid: false });
  const prepayment = (await get(id)).invoices.find((i) => i.kind === 'prepayment')!;
  await h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: prepayment.number, amount: 100, paidAt: new Date().toISOString(), reference: `${id}-part` }).expect(200);
  const held = documents.hold((d) => d.projectId === id && d.kind === 'acceptance_act');
  try {
    const client = await openClientPage(h, portal, id, { noticeShown: true });
    const { page } = client;
    const paidSoFar = page.locator('#invoices .paid-so-far');
    const coming = page.locator('.callout[role="status"] .final-invoice-coming');
    await eventually(async () => ((await paidSoFar.count()) === 1 && (await page.locator('#answer-accepted-name').count()) === 1 ? true : (await page.reload(), false)), {
      what: 'the part payment and the acceptance form on the client\u2019s page',
      timeoutMs: 20_000,
      intervalMs: 1_000,
    });
    // The client accepts on their page: the page as the answer left it (invoicing), confirmed at its top.
    await page.getByLabel('5 — excellent').check();
    await page.locator('#answer-accepted-name').fill('Anna Berg');
    await page.getByRole('button', { name: 'Accept the work' }).click();
    await page.locator('.answer-confirmation').waitFor({ timeout: 30_000 });
    await held.reached;
    expect(await page.locator('.answer-confirmation').textContent()).toContain('The acceptance act to sign and the final invoice (€900.00) follow by e-mail.');
    // Said once: the confirmation says what follows, the notice below does not say it again.
    expect(await coming.count()).toBe(0);
    expect(await paidSoFar.textContent()).toBe('You have paid €100.00 so far; €200.00 is still to pay, and the final invoice, for the rest, €900.00, is being made now that the work is accepted.');
    // Opened again (the confirmation gone): the notice says it.
    await page.reload();
    expect(await coming.textContent()).toBe('The final invoice, of €900.00, is being made: it comes to you by e-mail, with the acceptance act to sign.');
    expect(unexpectedErrors(client.errors)).toEqual([]);
    await client.context.close();
  } finally {
    held.release();
  }
  await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
});
