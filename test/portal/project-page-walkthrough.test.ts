/**
 * What a walk-through of the project page found, each checked in a real headless Chromium on the
 * real stack: during the client's review the page says when the client was asked and when silence
 * counts as acceptance (waiting while their complaint is open); right after the acceptance it says
 * the final invoice is being issued, not that the project is closing; the plan names tasks by
 * their titles, not their keys; the timeline says "Completed" once. Every complaint form says the
 * client reads the text in the mail that resolves it; recorded on a completed project, the form is
 * put away and the note links to the Complaints list in Client feedback; a complaint being typed when the window ends
 * stays in its form and is sent as one after the window. The invoices section puts each list of payments with its own table, titles the
 * credit notes by what is still owed, and its payment form's choice shows its options whole.
 * Projects get to the client's review or completion through the API.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { completedProject, payFinalInFull, projectInClientReview, startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, choiceRoom, DESKTOP, holdReads, PHONE, startPortal, unexpectedErrors, type PersonPage, type Portal, shootChecked, shootDesktopAndPhone, shownDateTime, nextStep } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(240_000);
const step = browserTestOrSkip('the project page after its walk-through');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
const title = `Walked ${uniqueId('k').slice(-6)}`;

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

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
const HOUR = 3_600_000;
const COMPLAINT_HINT = 'The client reads this in the e-mail when it is resolved: write it as they would.';

/** The way to record a complaint on the completed project. */
const complaintForm = (page: PersonPage['page']) => page.locator('details.card', { has: page.getByText('The client complains about the completed work', { exact: true }) });

const shoot = (page: PersonPage['page'], name: string) => shootChecked(portal, page, name);
const shootBoth = (page: PersonPage['page'], name: string) => shootDesktopAndPhone(portal, page, name);

step('the client’s review in dates, waiting while their complaint is open; the plan by titles; right after the acceptance “the final invoice is being issued”; the timeline says “Completed” once', async () => {
  const id = await projectInClientReview(h, { title, policy: { acceptanceWindow: '2h' } });
  const asked = (await get(id)).stageEnteredAt!;
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const due = page.locator('.client-answer-due');
  await due.waitFor({ timeout: 30_000 });
  // The same rule as the client's page (respondBy): a reminder after one window, acceptance after two.
  expect(await due.textContent()).toBe(
    `The work went to the client ${await shownDateTime(page, asked)}. They are asked to answer by ${await shownDateTime(page, Date.parse(asked) + 2 * HOUR)}; if they have not by then they are reminded, and if they stay silent until ${await shownDateTime(page, Date.parse(asked) + 4 * HOUR)} the work counts as accepted.`,
  );
  // Tasks by their titles: "design-home" is the plan's own name for it.
  expect(await page.locator('#plan table.plan-table tbody th').allTextContents()).toEqual(['Home page design']);
  await shoot(page, '92-client-review-dates');

  // The complaint, in the words the client will read in the mail that resolves it.
  await page.getByLabel('Complained').check();
  expect(await page.locator('#feedback-description-hint').textContent()).toBe(COMPLAINT_HINT);
  await page.getByLabel('What the client complains about').fill('The home page photo is not ours.');
  await page.getByRole('button', { name: 'Record the response' }).click();
  await page.getByText('Complaint recorded.').waitFor({ timeout: 30_000 });
  await due.getByText(/Their complaint is open/).waitFor();
  expect(await due.textContent()).toBe(
    `The work went to the client ${await shownDateTime(page, asked)}. Their complaint is open: the time they have to answer waits until it is resolved, then runs on.`,
  );
  // The form starts afresh.
  expect(await page.locator('#feedback-kind input:checked').count()).toBe(0);
  expect(await page.locator('#feedback-description').count()).toBe(0);
  await h.http().post(`/api/projects/${id}/complaints/c1/resolution`).set(h.auth('manager')).send({ resolution: 'Photo replaced.' }).expect(200);
  await due.getByText(/They are asked to answer by/).waitFor({ timeout: 30_000 });

  // Accepted: the page keeps the acceptance's answer (its reads held), in which the final invoice is not out yet.
  await page.getByLabel('Accepted the work').check();
  await page.locator('#feedback-rating').selectOption('5');
  const release = await holdReads(page, (path) => path === `/api/projects/${id}`);
  let accepted: ProjectStatus;
  try {
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/projects/${id}/feedback`));
    await page.getByRole('button', { name: 'Record the response' }).click();
    accepted = (await (await answer).json()) as ProjectStatus;
    await page.getByText('Recorded: the client accepted the work.').waitFor();
    expect([accepted.stage, accepted.invoices.some((i) => i.kind === 'final')]).toEqual(['invoicing', false]);
    expect(await nextStep(page).locator('p').allTextContents()).toEqual(['The final invoice is being issued.']);
    await shoot(page, '93-accepted-final-invoice-being-issued');
  } finally {
    await release();
  }
  // Out: what is owed, and nothing of closing.
  await nextStep(page).getByText(/^Waiting for payment: INV-/).waitFor({ timeout: 30_000 });
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([expect.stringMatching(/^Waiting for payment: INV-/)]);

  await payFinalInFull(h, id);
  await page.locator('.page-header .meta-row .badge', { hasText: 'Completed' }).waitFor({ timeout: 30_000 });
  const ends = await page.locator('.timeline .timeline-event').allTextContents();
  expect(ends.filter((e) => e === 'Completed' || e === 'Stage completed')).toEqual(['Completed']);
});

step('a complaint recorded on the completed project: the form says the client reads it, is put away once it is recorded, and the note links to the Complaints list in Client feedback', async () => {
  const { projectId: id } = await completedProject(h, `${title} complained`, '10m', 4);
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const form = complaintForm(page);
  await form.locator('summary').click();
  expect(await page.locator('#late-complaint-hint').textContent()).toBe(COMPLAINT_HINT);
  await shootBoth(page, '94-complaint-form');
  await form.getByLabel('What the client complains about').fill('The gallery is slow on phones.');
  await form.getByRole('button', { name: 'Record the complaint' }).click();
  await page.getByText('Complaint recorded; leadership is told.').waitFor({ timeout: 30_000 });
  // Put away, empty for the next one.
  expect(await form.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);
  expect(await page.locator('#late-complaint').inputValue()).toBe('');
  // The link names the heading it leads to, and that heading is the complaints list's.
  const link = nextStep(page).getByRole('link', { name: 'Complaints' });
  expect(await link.getAttribute('href')).toBe('#complaints');
  expect(await page.locator('#complaints').textContent()).toBe('Complaints');
  expect(await page.locator('#feedback #complaints + ul.complaints li').count()).toBe(1);
  expect(await nextStep(page).locator('p', { has: page.getByRole('link', { name: 'Complaints' }) }).textContent()).toBe('A complaint about the completed work is open: resolve it under Complaints, in Client feedback.');
});

step('the invoices section: each list of payments with its own table, the credit notes titled by what is still owed, the payment form’s choice readable; once refunded, “Credit notes”', async () => {
  const { projectId: id } = await completedProject(h, `${title} refunded`, '10m', 4);
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The gallery is slow on phones.' }).expect(200);
  await h.http().post(`/api/projects/${id}/complaints/c1/resolution`).set(h.auth('leadership')).send({ resolution: 'Part of the price back.', compensation: 150 }).expect(200);
  const credit = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'credit_note' && i.documentId), { what: 'the credit note', timeoutMs: 30_000 });
  const final = (await get(id)).invoices.find((i) => i.kind === 'final')!;
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.getByRole('heading', { name: 'Record the refund' }).waitFor({ timeout: 30_000 });
  const section = page.locator('#invoices');
  expect(await section.locator('#credit-notes-heading').textContent()).toBe('Credit notes: €150.00 still owed to the client');
  // The invoice's payment under the invoices, not under the credit notes as if it were theirs.
  const invoicesList = section.locator('.table-wrap:has(table.invoices:not(.credit-notes)) + ul.payments');
  expect(await invoicesList.locator('> li').allTextContents()).toEqual([expect.stringMatching(new RegExp(`^€1,200\\.00 on ${final.number}, paid `))]);
  expect(await section.locator('.table-wrap:has(table.credit-notes) + ul.payments').count()).toBe(0);
  // The choice shows its options whole, on a desk and on a phone: the credit note's number, then the
  // final invoice, paid (the client may pay it again within the window); what each is, under it.
  expect(await page.locator('#payment-invoiceNumber option').allTextContents()).toEqual([credit.number, `${final.number} (paid)`]);
  expect(await page.locator('#payment-invoiceNumber-detail').textContent()).toMatch(/^Credit note: €150\.00 still to refund to the client, by .+\.$/);
  expect(await choiceRoom(page, 'payment-invoiceNumber')).toBeGreaterThanOrEqual(0);
  await page.setViewportSize(PHONE);
  expect(await choiceRoom(page, 'payment-invoiceNumber')).toBeGreaterThanOrEqual(0);
  await page.setViewportSize(DESKTOP);
  await section.scrollIntoViewIfNeeded();
  await shootBoth(page, '95-invoices-refund-owed');

  await h
    .http()
    .post(`/api/projects/${id}/payments`)
    .set(h.auth('manager'))
    .send({ invoiceNumber: credit.number, amount: 150, paidAt: new Date().toISOString(), reference: `${id}-refund` })
    .expect(200);
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const refunds = section.locator('.table-wrap:has(table.credit-notes) + ul.payments');
  await refunds.waitFor({ timeout: 30_000 });
  expect(await section.locator('#credit-notes-heading').textContent()).toBe('Credit notes');
  expect(await refunds.locator('> li').allTextContents()).toEqual([expect.stringMatching(new RegExp(`^€150\\.00 refunded to the client on credit note ${credit.number}, `))]);
  expect(await invoicesList.locator('> li').count()).toBe(1);
  await section.scrollIntoViewIfNeeded();
  await shootBoth(page, '96-invoices-refunded');
});

step('a complaint being typed when the complaint window ends stays in its form, which says so, and is sent as one after the window', async () => {
  const completed = await completedProject(h, `${title} window`, '40s', 4);
  const id = completed.projectId;
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const form = complaintForm(page);
  await form.locator('summary').click();
  await form.getByLabel('What the client complains about').fill('The contact form sends nothing.');
  // The window ends while the text is there: the page's next read makes it the form for a complaint after the window, the text in it.
  const late = page.locator('details.card', { has: page.getByText('The client complains after the window', { exact: true }) });
  await late.locator('.reopens').waitFor({ timeout: 60_000 });
  expect(await late.locator('.reopens').textContent()).toBe('Recording it opens the project again until the complaint is settled; leadership is told.');
  expect(await late.getByLabel('What the client complains about').inputValue()).toBe('The contact form sends nothing.');
  expect(await page.locator('.complaint-closed').count()).toBe(0);
  await shoot(page, '97-complaint-typed-as-window-ended');
  // Its run ends with the window (a moment after): the complaint then runs the project again.
  await eventually(async () => ((await h.temporal.client.workflow.getHandle(`project-${id}`).describe()).status.name === 'COMPLETED' ? true : undefined), {
    what: 'the run ended with its window',
    timeoutMs: 60_000,
  });
  await late.getByRole('button', { name: 'Record the complaint' }).click();
  await page.getByText('Complaint recorded: the project is open again until it is settled; leadership is told.').waitFor({ timeout: 30_000 });
  expect((await get(id)).complaints).toEqual([expect.objectContaining({ description: 'The contact form sends nothing.', afterWindow: true })]);
});
