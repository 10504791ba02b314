/**
 * The manager's other answers to the client, in a real headless Chromium on the real stack: a
 * complaint recorded and resolved, a revision round (an extra price for an included round refused
 * at its field), and cancelling the project with a reason (refused without one), its form saying
 * what cancelling does to that project (open work, or none; what is billed; what stays; that what
 * stays owed is written off by leadership, where the client will not pay, before and after); credit notes
 * listed apart from the invoices, in the words of money owed to the client (refunded, to refund,
 * refund by); a credit note wholly set against an unpaid invoice, whose card fits the narrowest
 * screens. The timeline names a complaint by what it was about, never by its id; the client's page
 * of a project cancelled before any plan says no documents are coming. The project gets to client
 * review through the API; everything after is done on the project page.
 */
import type { PortfolioReport } from '../../api/schemas';
import type { ProjectStatus } from '../../workflows/project/contract';
import { ProjectBuilder } from '../reporting/builders';
import { approvedWithPrepayment, planRequest, projectInClientReview, projectRequest, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { accessibilityProblems, browserTestOrSkip, DESKTOP, openClientPage, PHONE, shootDesktopAndPhone, startPortal, unexpectedErrors, type PersonPage, type Portal, shownDate } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const step = browserTestOrSkip('the manager’s project actions in the portal');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
const title = `Client answers ${uniqueId('m').slice(-6)}`;
/**
 * The narrowest screens in use: a 320 px phone (iPhone SE, first generation), and a 320 px desktop
 * window whose classic scrollbar (17 px on Windows) leaves the page 303.
 */
const NARROW = [
  { width: 320, height: 640 },
  { width: 303, height: 640 },
];
let projectId: string;

/** Refusals provoked on purpose below (their network lines are logged as console errors). */
const PROVOKED = [
  /status of 400 .*\/api\/projects\/p-[a-z2-7]+\/(feedback|cancel|complaints\/c1\/resolution)\b/,
  /status of 409 .*\/api\/projects\/p-[a-z2-7]+\/payments\b/, // more refunded than owed, on purpose
  /status of 409 .*\/api\/projects\/p-[a-z2-7]+\/client-link\b/, // a link renewed from one already replaced
  /net::ERR_CONNECTION_RESET/, // an answer lost on its way back, on purpose
];

/**
 * One design task (a 1,200 plan), delivered and accepted through the API: the project waits for
 * the client's response. `dueInMs`: the task's due date, the project's end, from now (10 minutes
 * unless said).
 */
const inClientReview = (projectTitle: string, policy?: Record<string, string>, dueInMs?: number, departments = ['design']): Promise<string> =>
  projectInClientReview(h, {
    title: projectTitle,
    departments,
    policy,
    ...(dueInMs !== undefined && { task: { dueAt: new Date(Date.now() + dueInMs).toISOString() } }),
  });

beforeAll(async () => {
  h = await startApiHarness();
  // The request asked for SEO too, though the plan gave SEO no work.
  projectId = await inClientReview(title, undefined, undefined, ['design', 'seo']);
  portal = await startPortal(h);
  manager = await portal.openAs('manager', { startAt: `/projects/${projectId}` });
});

afterAll(async () => {
  if (manager) expect(unexpectedErrors(manager.errors, PROVOKED)).toEqual([]);
  await portal?.close();
  await h?.close();
});

step('nothing is chosen for the manager: a click on “Record the response” without a kind, or an acceptance without a rating, is refused at its field and sends nothing', async () => {
  const { page } = manager;
  await page.getByRole('heading', { name: 'Record the client’s response' }).waitFor();
  const sent: string[] = [];
  const onRequest = (r: { method(): string; url(): string }) => {
    if (r.method() !== 'GET') sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
  };
  page.on('request', onRequest);
  try {
    // No answer is pre-selected: an acceptance (for good, and mailed to the client) is never one click away.
    const kinds = page.locator('#feedback-kind input[type="radio"]');
    expect(await kinds.count()).toBe(3);
    expect(await kinds.evaluateAll((inputs) => inputs.filter((i) => (i as unknown as { checked: boolean }).checked).length)).toBe(0);
    await page.getByRole('button', { name: 'Record the response' }).click();
    await page.locator('#feedback-kind-error').waitFor();
    expect(await page.locator('#feedback-kind-error').textContent()).toBe('Choose what the client answered.');
    await shoot(page, '29-client-response-not-chosen');
    // Accepted, but no rating given: none is filled in for the client; refused at the rating.
    await page.getByLabel('Accepted the work').check();
    expect(await page.locator('#feedback-kind-error').count()).toBe(0);
    expect(await page.locator('#feedback-rating').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Record the response' }).click();
    await page.locator('#feedback-rating-error').waitFor();
    expect(await page.locator('#feedback-rating-error').textContent()).toBe('Choose the rating the client gave (1 to 5).');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('feedback-rating');
    await shoot(page, '29a-client-response-no-rating');
    // Nothing went to the API, and nothing is recorded.
    expect(sent).toEqual([]);
    const project = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
    expect([project.stage, project.feedback]).toEqual(['client_review', []]);
  } finally {
    page.off('request', onRequest);
  }
});

step('a complaint is recorded, and resolved (a resolution is required)', async () => {
  const { page } = manager;
  await page.getByRole('heading', { name: 'Record the client’s response' }).waitFor();
  await page.getByLabel('Complained').check();
  await page.locator('#feedback-description').fill('The logo is too small.');
  await shoot(page, '30-client-response');
  await page.getByRole('button', { name: 'Record the response' }).click();
  await page.getByText('Complaint recorded.').waitFor();
  const complaint = page.locator('.complaints li', { hasText: 'The logo is too small.' });
  await complaint.getByText('Open', { exact: true }).waitFor();
  // By when the policy wants it resolved (the harness's default: 48 hours after it was recorded).
  const project = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  const due = new Date(Date.parse(project.complaints[0].at) + project.policy.complaintResolutionMs!);
  expect(project.policy.complaintResolutionMs).toBe(48 * 3_600_000);
  const dueAsShown = await page.evaluate(
    (iso) => new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso)),
    due.toISOString(),
  );
  await complaint.getByText(`to be resolved by ${dueAsShown}`).waitFor();

  await complaint.getByRole('button', { name: 'Resolve the complaint' }).click();
  await page.locator('#resolution-c1-error').waitFor();
  await page.locator('#resolution-c1').fill('Logo enlarged; the client confirmed by phone.');
  // Money off, but never more than the final invoice would bill (the plan is 1,200).
  await page.locator('#compensation-c1').fill('5000');
  await complaint.getByRole('button', { name: 'Resolve the complaint' }).click();
  const tooMuch = page.locator('#compensation-c1-error');
  await tooMuch.waitFor();
  expect(await tooMuch.textContent()).toContain('€5,000.00 is more than the €1,200.00 the final invoice would still bill');
  await page.locator('#compensation-c1').fill('150');
  await complaint.getByRole('button', { name: 'Resolve the complaint' }).click();
  await complaint.getByText('Resolved', { exact: true }).waitFor();
  expect(await complaint.textContent()).toContain('Logo enlarged; the client confirmed by phone.');
  expect(await complaint.textContent()).toContain('Compensation: €150.00 — to be taken off the final invoice');
  // On the timeline, each complaint by what it was about; never its id ("c1: …").
  const said = async (event: string) => page.locator('.timeline li', { hasText: event }).locator('.timeline-detail').textContent();
  await page.locator('.timeline li', { hasText: 'Complaint resolved' }).waitFor();
  expect([await said('Complaint filed'), await said('Complaint resolved')]).toEqual([
    'The logo is too small.',
    '“The logo is too small.”: Logo enlarged; the client confirmed by phone. (compensation €150.00)',
  ]);
});

step('a revision round: an extra price for a round the plan includes is refused at its field', async () => {
  const { page } = manager;
  await page.getByLabel('Asked for revisions').check();
  await page.locator('#feedback-description').fill('Warmer colours on the home page.');
  // Only a department that did work has something to rework: SEO, asked for but given no task, is not offered.
  expect(await page.locator('#feedback-departments label').allTextContents()).toEqual(['Design']);
  await page.locator('#feedback-departments').getByLabel('Design').check();
  expect(await page.locator('#feedback-extraPrice-hint').textContent()).toContain('Round 1 of 1 included');
  // An included round has no price to give: the field is not open for one.
  expect(await page.locator('#feedback-extraPrice').isDisabled()).toBe(true);
  await page.getByRole('button', { name: 'Record the response' }).click();
  await page.getByText('Revision round opened.').waitFor();
  await page.getByRole('link', { name: 'Revision 1 (Design)' }).waitFor();
  // The revision task shows the designer the accepted work it reworks.
  const context = await eventually(
    async () => {
      const res = await h.http().get(`/api/tasks/${projectId}.rev1.design/context`).set(h.auth('designer'));
      return res.status === 200 ? res.body : undefined;
    },
    { what: 'the revision task\u2019s context' },
  );
  expect(context.buildsOn).toEqual([expect.objectContaining({ taskId: `${projectId}.design-home`, why: 'revised', accepted: expect.objectContaining({ summary: 'Done' }) })]);
  expect(await page.locator('.stage-progress [aria-current="step"]').textContent()).toBe('In production');
});

step('cancelling needs a reason; then the project is cancelled, with the reason on the page', async () => {
  const { page } = manager;
  await page.getByText('Cancel this project').click();
  // The form says what cancelling does to this project: the revision under way stops, the accepted
  // design is billed less the compensation agreed.
  const effects = ['Work stops on 1 task: “Revision 1 (Design)”.', 'The accepted work (1 task) is invoiced, less the compensation agreed.'];
  expect(await page.locator('.danger-zone .cancel-effects li').allTextContents()).toEqual(effects);
  // The reason stays the agency's: the manager is told before typing it.
  expect(await page.locator('#cancel-reason-hint').textContent()).toContain('the client’s mail and papers leave it out');
  await shoot(page, '30c-cancel-form-open-work');
  await page.setViewportSize(PHONE);
  await shoot(page, '30c-cancel-form-open-work-phone');
  await page.setViewportSize(DESKTOP);
  await page.getByRole('button', { name: 'Cancel the project' }).click();
  await page.locator('#cancel-reason-error').waitFor();
  await page.locator('#cancel-reason').fill('The client stopped the campaign.');
  // It cannot be undone, so the page asks first: declined, nothing happens; accepted, it is done.
  const asked: string[] = [];
  page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
  await page.getByRole('button', { name: 'Cancel the project' }).click();
  await eventually(async () => (asked.length > 0 ? true : undefined), { what: 'the confirmation asked' });
  expect(asked[0]).toBe(`Cancel “${title}”? ${effects.join(' ')} This cannot be undone.`);
  expect(await page.getByText(/^Cancelled by /).count()).toBe(0);
  // The reason is there now: "required" no longer stands under it.
  expect(await page.locator('#cancel-reason-error').count()).toBe(0);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Cancel the project' }).click();
  await page.getByText(/^Cancelled by .*The client stopped the campaign\./).waitFor({ timeout: 30_000 });
  expect(await page.getByText('Cancel this project').count()).toBe(0);
  // The design was accepted before the cancellation: billed, less the compensation agreed.
  const bill = await eventually(
    async () => ((await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager'))).body as ProjectStatus).invoices.find((i) => i.kind === 'cancellation'),
    { what: 'the cancellation invoice' },
  );
  expect(bill.amount).toBe(1_050);
  await page.locator('.complaints li', { hasText: 'The logo is too small.' }).getByText(`Compensation: €150.00 — taken off invoice ${bill.number}`).waitFor({ timeout: 10_000 });
  // Cancelled is not settled: the top of the page says what the client still owes.
  await page.locator('.callout', { hasText: /^Cancelled by / }).getByText(new RegExp(`^Waiting for payment: ${bill.number} \\(€1,050\\.00 due `)).waitFor({ timeout: 10_000 });
  await shoot(page, '31-project-cancelled');
  // Its bill is still to be paid: the portfolio shows it, flagged, without asking for the finished projects.
  await page.goto(`${portal.baseUrl}/projects`);
  const cancelledCard = page.locator('#stage-cancelled').locator('..').locator('li.project-card', { has: page.getByRole('link', { name: title, exact: true }) });
  await cancelledCard.getByText('Cancelled · money to settle').waitFor({ timeout: 30_000 });
  expect(await page.getByLabel('Show completed and cancelled projects').isChecked()).toBe(false);
  // The tiles agree with the cards: not an active project, but counted, in a tile of its own.
  const tile = (label: string) => page.locator('.tile', { has: page.locator('.tile-label', { hasText: new RegExp(`^${label}$`) }) });
  expect(await tile('Cancelled, money to settle').locator('.tile-value').textContent()).toBe('1');
  expect(await tile('Cancelled, money to settle').getAttribute('class')).toContain('tile--warn');
  expect(await tile('Active projects').locator('.tile-value').textContent()).toBe('0');
  await shoot(page, '31a-portfolio-cancelled-to-settle');
});

step('the “Cancelled, money to settle” tile counts every such project, beyond the 500 the page lists', async () => {
  // A manager of this harness no other step touches: 500 projects in planning, and three older ones
  // cancelled with their bills unpaid — past the 500 newest the page loads, so no card shows them.
  const who = h.people.reportManager.id;
  const client = { id: uniqueId('client'), name: 'Many Ltd', segment: 'B2B' as const };
  const at = (i: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + i * 60_000).toISOString();
  for (let i = 0; i < 503; i++) {
    const p = new ProjectBuilder({ projectId: uniqueId('p-many'), managerId: who, client, intakeAt: at(i) });
    if (i < 3) p.cancel(at(i + 1)).invoice('cancellation', `INV-MANY-${i}`, 100, at(i + 1), undefined, { status: 'open' });
    await h.reporting.publish(p.publish());
  }
  const report = (await h.http().get('/api/reports/portfolio').set(h.auth('reportManager')).expect(200)).body as PortfolioReport;
  expect(report.projects).toMatchObject({ active: 500, cancelledToSettle: 3 });

  const other = await portal.openAs('reportManager', { startAt: '/projects' });
  const { page } = other;
  const tile = (label: string) => page.locator('.tile', { has: page.locator('.tile-label', { hasText: new RegExp(`^${label}$`) }) });
  await tile('Active projects').locator('.tile-value', { hasText: /^500$/ }).waitFor({ timeout: 30_000 });
  // The cards stop at the 500 newest: none of the cancelled ones is among them, the tile still counts all three.
  expect(await page.locator('.project-card').count()).toBe(500);
  expect(await page.getByText('Cancelled · money to settle').count()).toBe(0);
  expect(await tile('Cancelled, money to settle').locator('.tile-value').textContent()).toBe('3');
  expect(await tile('Cancelled, money to settle').getAttribute('class')).toContain('tile--warn');
  // The stage strip counts them too (from the report), without a link to cards that are not drawn,
  // and the page says it shows only part of the list.
  const cancelled = page.locator('.stage-strip li', { hasText: 'Cancelled' });
  expect(await cancelled.locator('.count').textContent()).toBe('3');
  expect(await cancelled.locator('a').count()).toBe(0);
  expect(await page.locator('.stage-strip li', { hasText: 'Planning' }).locator('a').count()).toBe(1);
  await page.getByText('Showing the newest 500 of 503 projects; the counts above are of all of them.').waitFor();
  await portal.screenshot(page, '31b-portfolio-to-settle-beyond-the-list', { fullPage: false });
  expect(unexpectedErrors(other.errors)).toEqual([]);
  await other.context.close();
});

step('a compensation agreed after the final invoice: a credit note set against what is unpaid, the rest refunded on the page, then the project completes', async () => {
  // A second project through the API, to its final invoice, part paid, with a complaint after acceptance.
  const id = await inClientReview(`${title} refund`, { complaintResolution: '1s' });
  const get = async () => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 4 }).expect(200);
  const final = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  expect(final.amount).toBe(1_200);
  await h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: final.number, amount: 1_150, paidAt: new Date().toISOString(), reference: `${id}-part` }).expect(200);
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The icons are blurry.' }).expect(200);

  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const complaint = page.locator('.complaints li', { hasText: 'The icons are blurry.' });
  // Left open past the project's complaint time (1 s here): the page says so.
  await complaint.getByText(/^past its resolution time \(/).waitFor({ timeout: 15_000 });
  // So does the manager's portfolio: on the project's card, and in the tile's count.
  await page.goto(`${portal.baseUrl}/`);
  const lateCard = page.locator('.project-card', { has: page.getByRole('link', { name: `${title} refund`, exact: true }) });
  await lateCard.getByText('Complaint past due', { exact: true }).waitFor({ timeout: 15_000 });
  await page.locator('.tile--bad', { hasText: /Projects with an open complaint, \d+ past due/ }).waitFor();
  await shoot(page, '32-complaint-past-due-portfolio');
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await complaint.getByText(/^past its resolution time \(/).waitFor({ timeout: 15_000 });
  expect(await complaint.locator('#compensation-c1-hint').textContent()).toContain('A credit note: set against what the client has not paid yet, the rest refunded');
  await page.locator('#resolution-c1').fill('Icons redrawn; 100.50 back agreed.');
  await page.locator('#compensation-c1').fill('100,50'); // a comma as the decimal mark
  await complaint.getByRole('button', { name: 'Resolve the complaint' }).click();
  await page.getByText('Complaint resolved; a credit note for the compensation goes to the client.').waitFor();
  const credit = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'credit_note' && i.documentId), { what: 'the credit note', timeoutMs: 30_000 });
  expect(credit.amount).toBe(100.5);
  // The €50 the client had not paid is taken off the final invoice; only the rest goes back.
  await complaint.getByText(`Compensation: €100.50 — credit note ${credit.number}: €50.00 taken off invoice ${final.number}, €50.50 to be refunded`).waitFor({ timeout: 15_000 });
  await page.locator('.payments').getByText(`€50.00 of credit note ${credit.number} set against ${final.number}`).waitFor();
  // The payment form moves on from the invoice the credit note settled, saying so without blaming anyone.
  await page.locator('.payment-form [role="status"]').getByText(`${final.number} is settled now; the form has moved to ${credit.number}.`, { exact: true }).waitFor({ timeout: 15_000 });
  expect(await page.locator('.payment-form').textContent()).not.toMatch(/meanwhile/);
  await shoot(page, '32-payment-form-moved-on');
  // The timeline in words: money as money, kinds and tasks by name, people by name.
  const timeline = page.locator('.timeline');
  await timeline.getByText(`Credit note ${credit.number}: €100.50`, { exact: true }).waitFor();
  await timeline.getByText(`${credit.number} against ${final.number}: €50.00`, { exact: true }).waitFor();
  await timeline.getByText(`Final invoice ${final.number}: €1,200.00`, { exact: true }).waitFor();
  await timeline.getByText('Home page design (Dima Kozlov)', { exact: true }).first().waitFor();

  // The page says what is owed the other way, and the refund is recorded there.
  await page.getByText(`Refund owed to the client: ${credit.number} (€50.50 by`).waitFor({ timeout: 15_000 });
  // The table says what is open on each: nothing on the final invoice, €50.50 to refund on the credit note.
  const row = (number: string) => page.locator('tr', { has: page.getByRole('rowheader', { name: number }) });
  expect(await row(final.number).locator('td').allTextContents()).toEqual(['Final', '€1,200.00', '€1,150.00', '€0.00', expect.any(String), 'Paid, with a credit note']);
  // The credit note is money owed to the client: in a table of its own, in those words (refunded,
  // to refund, refund by), never under an invoice's "Paid" and "Due" — on a phone's cards too.
  const credits = page.locator('#invoices table.credit-notes');
  expect(await credits.locator('thead th').allTextContents()).toEqual(['Credit note', 'Amount', 'Refunded', 'To refund', 'Refund by', 'State']);
  expect(await page.locator('#invoices table:not(.credit-notes) tbody th').allTextContents()).not.toContain(credit.number);
  const creditCells = credits.locator('tr', { has: page.getByRole('rowheader', { name: credit.number }) }).locator('td');
  expect(await creditCells.evaluateAll((cells) => cells.map((c) => c.getAttribute('data-label')))).toEqual(['Amount', 'Refunded', 'To refund', 'Refund by', 'State']);
  expect(await creditCells.allTextContents()).toEqual(['€100.50', '€0.00', '€50.50', await shownDate(manager.page, credit.dueAt), `Refund owed to the client €50.00 set against ${final.number}`]);
  expect(await page.locator('label[for="payment-paidAt"]').textContent()).toBe('Paid out on');
  await shoot(page, '32-refund-owed');
  await page.setViewportSize(PHONE);
  await shoot(page, '32-refund-owed-phone');
  await page.setViewportSize(DESKTOP);
  // The client's page says the same in their words: what was taken off, what they paid, what comes back — no plain "Refunded".
  const client = await openClientPage(h, portal, id);
  expect(await clientInvoiceState(client, final.number, ['Nothing left to pay', '€1,150.00 paid by you', `€50.00 taken off by credit note ${credit.number}`])).toEqual([
    'Nothing left to pay',
    '€1,150.00 paid by you',
    `€50.00 taken off by credit note ${credit.number}`,
  ]);
  expect(await clientInvoiceState(client, credit.number, [`€50.00 taken off invoice ${final.number}`, '€50.50 to be refunded to you'])).toEqual([
    `€50.00 taken off invoice ${final.number}`,
    '€50.50 to be refunded to you',
  ]);
  // The notice at the top says the refund owed, as it says what the client owes; the credit note's
  // row has no "Due" date as if the client had to pay it, but when the refund comes.
  const refundBy = await shownDate(client.page, credit.dueAt);
  expect(await clientNotice(client)).toContain(`A refund of €50.50 is owed to you (credit note ${credit.number}): we will pay it by ${refundBy}.`);
  expect(await clientDueCell(client, credit.number)).toBe(`Refund by ${refundBy}`);
  expect(await clientDueCell(client, final.number)).toBe(await shownDate(client.page, final.dueAt));
  await shoot(client.page, '32d-client-credit-note-set-off-phone');
  await client.page.setViewportSize(DESKTOP);
  await shoot(client.page, '32d-client-credit-note-set-off-desktop');
  await client.page.setViewportSize(PHONE);
  // The manager's portfolio flags it on the project's card (not yet past its due date).
  await page.goto(`${portal.baseUrl}/`);
  const card = page.locator('.project-card', { has: page.getByRole('link', { name: `${title} refund`, exact: true }) });
  await card.getByText('Refund owed', { exact: true }).waitFor({ timeout: 15_000 });
  await page.locator('.tile', { hasText: 'Projects owing a refund' }).waitFor();
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.getByText(`Refund owed to the client: ${credit.number} (€50.50 by`).waitFor({ timeout: 15_000 });
  expect(await page.locator('#payment-invoiceNumber').inputValue()).toBe(credit.number);
  expect(await page.locator('#payment-amount').inputValue()).toBe('50.5');
  // More than is owed back is refused at the amount; so is something that is not an amount.
  await page.locator('#payment-amount').fill('100,50');
  await page.locator('#payment-reference').fill(`${id}-refund`);
  await page.getByRole('button', { name: 'Record the refund' }).click();
  await page.locator('#payment-amount-error').getByText(/€100\.50 is more than the €50\.50 still to refund/).waitFor();
  await page.locator('#payment-amount').fill('12,5x');
  await page.getByRole('button', { name: 'Record the refund' }).click();
  await page.locator('#payment-amount-error').getByText(/not an amount/).waitFor();
  await page.locator('#payment-amount').fill('50,50');
  await page.locator('#payment-reference').fill(`${id}-refund`);
  await page.getByRole('button', { name: 'Record the refund' }).click();
  await eventually(async () => (await get()).stage === 'completed', { what: 'the project completed', timeoutMs: 30_000 });
  await complaint.getByText(`Compensation: €100.50 — credit note ${credit.number}: €50.00 taken off invoice ${final.number}, €50.50 refunded`).waitFor({ timeout: 15_000 });
  await page.locator('.payments').getByText(new RegExp(`^€50\\.50 refunded to the client on credit note ${credit.number}, `)).waitFor();
  // Refunded: nothing left to pay out, and no date to pay it by.
  await creditCells.last().getByText('Refunded', { exact: true }).waitFor({ timeout: 15_000 });
  expect(await creditCells.allTextContents()).toEqual(['€100.50', '€50.50', '€0.00', '—', `Refunded €50.00 set against ${final.number}`]);
  const refunded = [`€50.00 taken off invoice ${final.number}`, '€50.50 refunded to you'];
  expect(await clientInvoiceState(client, credit.number, refunded)).toEqual(refunded);
  // Refunded: the notice says so (and no longer that it is owed); nothing is due on the credit note.
  const notice = await clientNotice(client);
  expect(notice).toContain(`€50.50 was refunded to you (credit note ${credit.number}).`);
  expect(notice).not.toContain('is owed to you');
  expect(await clientDueCell(client, credit.number)).toBe('—');
  await shoot(client.page, '32f-client-refunded-phone');
  await client.page.setViewportSize(DESKTOP);
  await shoot(client.page, '32f-client-refunded-desktop');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

step('a refund past its due date, still unpaid: the client’s page says when it was due and that it is late, promising no date gone by', async () => {
  // Payment terms of a few seconds: the credit note's refund is due moments after it is issued.
  const id = await inClientReview(`${title} late refund`, { paymentTerms: '5s' });
  const get = async () => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 4 }).expect(200);
  const final = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  await h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: final.number, amount: 1_150, paidAt: new Date().toISOString(), reference: `${id}-part` }).expect(200);
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The banner is cut off.' }).expect(200);
  await h.http().post(`/api/projects/${id}/complaints/c1/resolution`).set(h.auth('manager')).send({ resolution: 'Banner fixed; 100.50 back agreed.', compensation: 100.5 }).expect(200);
  const credit = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'credit_note' && i.documentId), { what: 'the credit note', timeoutMs: 30_000 });
  // €50 set against the final invoice's unpaid rest; €50.50 to refund, by a date that passes now.
  await eventually(async () => (Date.now() > Date.parse(credit.dueAt) + 1_000 ? true : undefined), { what: 'the refund past its due date', timeoutMs: 30_000 });
  expect((await get()).invoices.find((i) => i.number === credit.number)).toMatchObject({ status: 'open', paidAmount: 0 });

  const client = await openClientPage(h, portal, id);
  expect(await clientInvoiceState(client, credit.number, [`€50.00 taken off invoice ${final.number}`, '€50.50 to be refunded to you'])).toEqual([
    `€50.00 taken off invoice ${final.number}`,
    '€50.50 to be refunded to you',
  ]);
  const dueBy = await shownDate(client.page, credit.dueAt);
  const notice = await clientNotice(client);
  expect(notice).toContain(`A refund of €50.50 is owed to you (credit note ${credit.number}): it was due by ${dueBy}; we are sorry it is late, and will pay it as soon as we can.`);
  expect(notice).not.toContain('we will pay it by');
  // Its row gives no "Refund by" a date gone by either.
  expect(await clientDueCell(client, credit.number)).toBe(`Refund was due ${dueBy}`);
  await shoot(client.page, '32h-client-refund-late-phone');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

step('a compensation wholly set against an unpaid final invoice: its credit note reads “Set against …”, and at 320 px (a phone, or a window less its scrollbar) every card keeps it inside', async () => {
  const id = await inClientReview(`${title} set off`);
  const get = async () => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 5 }).expect(200);
  const final = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'One icon is missing.' }).expect(200);
  await h.http().post(`/api/projects/${id}/complaints/c1/resolution`).set(h.auth('manager')).send({ resolution: 'Icon added; 100 off agreed.', compensation: 100 }).expect(200);
  // Nothing of the final invoice was paid: all of the credit note is taken off it, no money moves.
  const credit = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'credit_note' && i.status === 'paid'), {
    what: 'the credit note set against the final invoice',
    timeoutMs: 30_000,
  });
  expect(credit).toMatchObject({ amount: 100, paidAmount: 0 });

  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  const row = page.locator('#invoices tbody tr', { has: page.getByRole('rowheader', { name: credit.number }) });
  await row.locator('td[data-label="State"]').getByText(`Set against ${final.number}`).waitFor({ timeout: 15_000 });
  // Nothing went back to the client, and nothing is to be paid out.
  expect(await row.locator('td').allTextContents()).toEqual(['€100.00', '€0.00', '€0.00', '—', `Set against ${final.number}`]);
  // The client reads it as taken off, not refunded; their invoice asks that much less.
  const client = await openClientPage(h, portal, id);
  expect(await clientInvoiceState(client, credit.number, [`€100.00 taken off invoice ${final.number}`])).toEqual([`€100.00 taken off invoice ${final.number}`]);
  expect(await clientInvoiceState(client, final.number, ['€1,100.00 to pay', `€100.00 taken off by credit note ${credit.number}`])).toEqual([
    '€1,100.00 to pay',
    `€100.00 taken off by credit note ${credit.number}`,
  ]);
  // No money moves back: the notice mentions no refund, and nothing is due on the credit note.
  expect(await clientNotice(client)).not.toMatch(/refund/i);
  expect(await clientDueCell(client, credit.number)).toBe('—');
  await shoot(client.page, '32e-client-credit-note-taken-off-phone');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
  try {
    for (const screen of NARROW) {
      await page.setViewportSize(screen);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
      // Each card (tasks and invoices), and everything in it, stays inside the card's box.
      const outside = await page.locator('#tasks tbody tr, #invoices tbody tr').evaluateAll((rows) =>
        rows.flatMap((card) => {
          const { left, right } = card.getBoundingClientRect();
          return [...card.querySelectorAll('*')]
            .map((part) => ({ part, box: part.getBoundingClientRect() }))
            .filter(({ box }) => box.width + box.height > 0) // a line-break opportunity (<wbr>) has no box
            .filter(({ box }) => box.left < left - 0.5 || box.right > right + 0.5)
            .map(({ part, box }) => `“${part.textContent}” runs ${Math.ceil(Math.max(left - box.left, box.right - right))}px past its card`);
        }),
      );
      expect([screen.width, outside]).toEqual([screen.width, []]);
      await shoot(page, `32c-credit-note-set-against-${screen.width}`);
    }
  } finally {
    await page.setViewportSize(DESKTOP);
  }
});

step('once the work is done (invoicing), a portfolio card no longer warns about the project’s end date, even past it: what is left is money', async () => {
  // Its one task due 20 s from now (the project's end): delivered, accepted, and past it while the invoice waits.
  const id = await inClientReview(`${title} work done`, undefined, 20_000);
  const get = async () => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 5 }).expect(200);
  const invoicing = await eventually(
    async () => {
      const now = await get();
      return now.stage === 'invoicing' ? now : undefined;
    },
    { what: 'invoicing', timeoutMs: 30_000 },
  );
  const end = Date.parse(invoicing.tasks[0].dueAt);
  const { page } = manager;
  await page.waitForTimeout(Math.max(0, end + 1_000 - Date.now()));
  await page.goto(`${portal.baseUrl}/`);
  const card = page.locator('#stage-invoicing').locator('..').locator('li.project-card', { has: page.getByRole('link', { name: `${title} work done`, exact: true }) });
  await card.waitFor({ timeout: 30_000 });
  expect(end).toBeLessThan(Date.now());
  // No end date and no "Past its end date" (nor "Ends soon"): the money left, and by when.
  const owed = card.locator('.money-owed');
  await owed.waitFor({ timeout: 30_000 });
  expect(await owed.textContent()).toMatch(/^€[\d,]+\.\d\d open, due \d/);
  expect(await card.locator('.due').count()).toBe(0);
  expect(await card.locator('.badge').allTextContents()).toEqual([]);
  await shoot(page, '32g-portfolio-work-done-past-end');
});

step('leadership records a complaint the client made to them while the work is under way', async () => {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} in production`, departments: ['design'] })).expect(201);
  const id = (created.body as ProjectStatus).projectId;
  const plan = planRequest();
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send({ ...plan, tasks: [(plan.tasks as object[])[0]] }).expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const leader = await portal.openAs('leadership', { startAt: `/projects/${id}` });
  const { page } = leader;
  await page.getByText('The client complains about the work under way').click({ timeout: 30_000 });
  await page.locator('#late-complaint').fill('They called me: the mock-ups are a week late.');
  await page.getByRole('button', { name: 'Record the complaint' }).click();
  // Leadership recorded it: the mail goes to the manager and to the other leadership member (the harness has two), not back to them.
  await page.getByText('Complaint recorded; the project\u2019s manager and the rest of leadership are told.').waitFor();
  await page.locator('.complaints li', { hasText: 'the mock-ups are a week late' }).getByText('Open', { exact: true }).waitFor();
  // The timeline says what the complaint was, not the workflow's id for it ("c1: …").
  const filed = page.locator('.timeline li', { hasText: 'Complaint filed' }).locator('.timeline-detail');
  expect(await filed.textContent()).toBe('They called me: the mock-ups are a week late.');
  await shoot(page, '33-complaint-in-production-leadership');
  await page.setViewportSize(PHONE);
  await shoot(page, '33a-complaint-in-production-leadership-phone');
  expect(unexpectedErrors(leader.errors)).toEqual([]);
});

step('leadership hands a project to another manager: the page names the new manager and the handover, the one before may no longer open it', async () => {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} handed over`, departments: ['design'] })).expect(201);
  const id = (created.body as ProjectStatus).projectId;
  const plan = planRequest();
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send({ ...plan, tasks: [(plan.tasks as object[])[0]] }).expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const before = h.directory.get(h.people.manager.id)!.name;
  const after = h.directory.get(h.people.otherManager.id)!.name;
  const leader = await portal.openAs('leadership', { startAt: `/projects/${id}` });
  const { page } = leader;
  await page.getByText('Hand over to another manager').click({ timeout: 30_000 });
  expect(await page.getByRole('button', { name: 'Hand over', exact: true }).isDisabled()).toBe(true); // nobody chosen yet
  // The manager who has it is not offered.
  expect(await page.locator('#handover-to option').allTextContents()).not.toContain(before);
  await page.locator('#handover-to').selectOption({ label: after });
  await page.locator('#handover-note').fill('Anna is on leave until March; the client prefers calls in the morning.');
  await shoot(page, '34-hand-over');
  await page.getByRole('button', { name: 'Hand over', exact: true }).click();
  await page.getByText(`Handed over to ${after}.`).waitFor();
  await page.getByText(`manager ${after}`).waitFor();
  await page.locator('.timeline li', { hasText: `from ${before} to ${after}: Anna is on leave until March` }).getByText('Handed over').waitFor();
  await shoot(page, '34b-handed-over');
  expect(unexpectedErrors(leader.errors)).toEqual([]);

  const newManager = await portal.openAs('otherManager', { startAt: `/projects/${id}` });
  await newManager.page.getByText(`manager ${after}`).waitFor();
  expect(unexpectedErrors(newManager.errors)).toEqual([]);
  const oldManager = await portal.openAs('manager', { startAt: `/projects/${id}` });
  await oldManager.page.getByText(`This project is managed by ${after} now`).waitFor();
  // A refusal that will not change by itself: the page stops asking (it polls every 4 s otherwise).
  const asked: string[] = [];
  oldManager.page.on('request', (r) => {
    if (new URL(r.url()).pathname === `/api/projects/${id}`) asked.push(r.url());
  });
  await oldManager.page.waitForTimeout(9_000);
  expect(asked).toEqual([]);
  await oldManager.page.getByText(`This project is managed by ${after} now`).waitFor();
  expect(unexpectedErrors(oldManager.errors, [/status of 403 .*\/api\/projects\/p-[a-z2-7]+\b/])).toEqual([]);
});

step('the client’s page: the manager gets the link, the client opens it without an account, on a phone; a wrong key opens nothing; a new link ends the old one', async () => {
  const id = await inClientReview(`${title} client page`);
  const { page } = manager;
  const errorsBefore = manager.errors.length; // the refusals earlier steps provoked on purpose
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.getByRole('button', { name: 'Show the client’s link' }).click();
  const url = await page.locator('#client-link-url').inputValue();
  expect(url).toMatch(new RegExp(`/client/${id}\\?key=[A-Za-z0-9_-]{32}$`));

  // Copied with one click (selecting a field's text on a phone is painful), and said beside the button.
  const copied = page.locator('#client-link [role="status"]');
  await manager.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.baseUrl });
  await page.getByRole('button', { name: 'Copy link' }).click();
  await copied.getByText('Link copied.').waitFor();
  expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(url);
  await shoot(page, '35a-client-link-copied');
  // Where the browser refuses (plain http, an old browser, no permission): never silent, the link
  // is selected and the page says how to copy it.
  await page.evaluate('navigator.clipboard.writeText = () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"))');
  await page.setViewportSize(PHONE);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await copied.getByText('The link is selected: press Ctrl+C').waitFor();
  expect(await page.evaluate('[document.activeElement.id, document.activeElement.selectionStart, document.activeElement.selectionEnd]')).toEqual([
    'client-link-url',
    0,
    url.length,
  ]);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
  await shoot(page, '35a-client-link-not-copied-phone');
  await page.setViewportSize(DESKTOP);

  // The link is made with PUBLIC_BASE_URL; this portal runs on a port of its own.
  const link = new URL(url);
  const here = `${new URL(page.url()).origin}${link.pathname}${link.search}`;
  const client = await portal.anonymous({ viewport: { width: 390, height: 844 } });
  await client.page.goto(here);
  await client.page.getByRole('heading', { name: `${title} client page` }).waitFor();
  await client.page.getByText('The work is ready for your review.').waitFor();
  await client.page.getByText(`your account manager ${h.directory.get(h.people.manager.id)!.name}`).waitFor();
  const work = client.page.locator('.client-work li', { hasText: 'Home page design' });
  await work.locator('.badge', { hasText: 'Done' }).waitFor();
  expect(await work.locator('.delivery .prewrap').textContent()).toBe('Done'); // the summary the designer delivered
  await client.page.getByRole('link', { name: /^Contract .* \(PDF\)$/ }).waitFor();
  // Nothing of the agency's inside: no sign-in, no navigation, no timeline.
  expect(await client.page.locator('nav').count()).toBe(0);
  expect(await client.page.getByText('Timeline').count()).toBe(0);
  await shoot(client.page, '35-client-page-phone');
  expect(unexpectedErrors(client.errors)).toEqual([]);

  const stranger = await portal.anonymous();
  await stranger.page.goto(here.replace(/key=.{4}/, 'key=AAAA'));
  await stranger.page.getByText('This link does not open a project. Ask your account manager for the current one.').waitFor();
  expect(unexpectedErrors(stranger.errors, [/status of 404 .*\/api\/client\/projects\//])).toEqual([]);

  // The link reached someone it should not: a new one, after a confirmation, ends it at once.
  const asked: string[] = [];
  page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
  await page.getByRole('button', { name: 'Make a new link (the old one stops working)' }).click();
  expect(asked).toEqual([expect.stringContaining('stops opening the page at once')]);
  expect(await page.locator('#client-link-url').inputValue()).toBe(url); // dismissed: nothing changed
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Make a new link (the old one stops working)' }).click();
  await page.getByText('A new link is made: the one before no longer opens the page.').waitFor();
  const renewed = new URL(await page.locator('#client-link-url').inputValue());
  expect(renewed.href).not.toBe(link.href);
  await shoot(page, '35b-client-link-renewed');
  await client.page.reload();
  await client.page.getByText('This link does not open a project. Ask your account manager for the current one.').waitFor();
  await client.page.goto(`${new URL(page.url()).origin}${renewed.pathname}${renewed.search}`);
  await client.page.getByRole('heading', { name: `${title} client page` }).waitFor();
  expect(unexpectedErrors(client.errors, [/status of 404 .*\/api\/client\/projects\//])).toEqual([]);

  // Leadership made a newer link meanwhile: the manager's click renews nothing and shows the current link.
  const newest = (await h.http().post(`/api/projects/${id}/client-link`).set(h.auth('leadership')).send({ replaces: 1 }).expect(200)).body as { url: string };
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Make a new link (the old one stops working)' }).click();
  await page.getByText('Someone made a new link for project').waitFor();
  await eventually(async () => (await page.locator('#client-link-url').inputValue()) === newest.url, { what: 'the current link on the page' });
  expect(unexpectedErrors(manager.errors.slice(errorsBefore), [/status of 409 .*\/api\/projects\/p-[a-z2-7]+\/client-link\b/])).toEqual([]);
});

step('leadership hands every running project of a manager to another from the portfolio: after a confirmation, each goes; the portfolio then shows none left', async () => {
  const from = h.people.manager.id;
  const before = h.directory.get(from)!.name;
  const after = h.directory.get(h.people.otherManager.id)!.name;
  const running = async () =>
    ((await h.http().get('/api/projects').query({ managerId: from }).set(h.auth('leadership')).expect(200)).body.items as { projectId: string; executionStatus: string }[])
      .filter((p) => p.executionStatus === 'RUNNING')
      .map((p) => p.projectId);
  const theirs = await running();
  expect(theirs.length).toBeGreaterThan(1); // this file's earlier projects still with the manager

  // The manager watches their own portfolio meanwhile (their project pages would be refused once the projects are gone).
  await manager.page.goto(`${new URL(manager.page.url()).origin}/projects`);
  await manager.page.getByText(`Hand over all your running projects`).waitFor();
  const leader = await portal.openAs('leadership', { startAt: `/projects?manager=${from}` });
  const { page } = leader;
  await page.getByText(`Hand over all of ${before}’s running projects`).click({ timeout: 30_000 });
  // The cancelled project still settling its money runs, and goes too: said, as the page lists it among the finished ones.
  await page.getByText(/1 of them cancelled, with money still to settle/).waitFor();
  const submit = page.getByRole('button', { name: `Hand over ${theirs.length} projects` });
  expect(await submit.isDisabled()).toBe(true); // nobody chosen yet
  expect(await page.locator('#handover-all-to option').allTextContents()).not.toContain(before);
  await page.locator('#handover-all-to').selectOption({ label: after });
  await page.locator('#handover-all-note').fill('Anna has left; these are yours from today.');
  await shoot(page, '36-hand-over-all');
  const asked: string[] = [];
  page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
  await submit.click();
  expect(asked).toEqual([`Hand ${theirs.length} running projects to ${after}? Each client is told by e-mail.`]);
  expect(await running()).toEqual(theirs); // dismissed: nothing changed
  page.once('dialog', (d) => void d.accept());
  await submit.click();
  await page.getByText(`${theirs.length} projects handed over to ${after}.`).waitFor();
  // The portfolio, narrowed to the manager before, has nothing running left, and offers nothing to hand over.
  await eventually(async () => (await page.getByText(`Hand over all of ${before}’s running projects`).count()) === 0, { what: 'the handover offer gone' });
  await shoot(page, '36b-handed-over-all');
  expect(await running()).toEqual([]);
  // The manager's own portfolio follows (it reads every 5 s): nothing running, nothing to hand over.
  await manager.page.getByText('Nothing running here now.', { exact: false }).waitFor({ timeout: 20_000 });
  expect(await manager.page.getByText('Hand over all your running projects').count()).toBe(0);
  await shoot(manager.page, '36c-manager-after-handover');
  for (const id of theirs) {
    const now = (await h.http().get(`/api/projects/${id}`).set(h.auth('leadership')).expect(200)).body as ProjectStatus;
    expect(now.managerId).toBe(h.people.otherManager.id);
  }
  expect(unexpectedErrors(leader.errors)).toEqual([]);
});

step('the client’s page of a project cancelled before any plan says no documents are coming, not that a contract is', async () => {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: `${title} cancelled early`, departments: ['design'] })).expect(201);
  const id = (created.body as ProjectStatus).projectId;
  await h.http().post(`/api/projects/${id}/cancel`).set(h.auth('manager')).send({ reason: 'The client chose another agency.' }).expect(200);
  const client = await openClientPage(h, portal, id);
  await client.page.getByText('The project was cancelled.').waitFor();
  expect(await client.page.locator('#documents p.muted').textContent()).toBe('No documents: the project was cancelled before a contract was made.');
  await shoot(client.page, '35c-client-page-cancelled-before-plan-phone');
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});


step('cancelling a project whose work is all accepted, its final invoice part-paid: the form says nothing stops and the invoices stay as they are, and so they do; form and cancelled page say who can write off what the client will not pay', async () => {
  // One design task with a 25 % prepayment (paid, so the work starts), accepted; the final invoice part-paid.
  const { id, get, prepayment } = await approvedWithPrepayment(h, `${title} all accepted`);
  const pay = (invoiceNumber: string, amount: number) =>
    h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber, amount, paidAt: new Date().toISOString(), reference: `${invoiceNumber}-${amount}` }).expect(200);
  await pay(prepayment.number, 300);
  const task = `${id}.design-home`;
  await waitForTask(h, task, 'open');
  await h.http().post(`/api/tasks/${task}/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${task}/submit`).set(h.auth('designer')).send({ summary: 'Done', links: [] }).expect(200);
  await h.http().post(`/api/tasks/${task}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
  await eventually(async () => ((await get()).stage === 'client_review' ? true : undefined), { what: 'client review', timeoutMs: 30_000 });
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating: 4 }).expect(200);
  const final = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  expect(final.amount).toBe(900);
  await pay(final.number, 400);
  const before = await eventually(async () => {
    const now = await get();
    return now.invoices.find((i) => i.number === final.number)?.paidAmount === 400 ? now : undefined;
  }, { what: 'the part payment' });

  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.getByText('Cancel this project').click({ timeout: 30_000 });
  const effects = [
    'All its work is accepted, so nothing stops.',
    'Nothing more is invoiced: the final invoice covers the work.',
    `Invoices already sent stay as they are: the client still owes €500.00 on final invoice ${final.number}; the €300.00 prepayment (${prepayment.number}) is paid.`,
  ];
  expect(await page.locator('.danger-zone .cancel-effects li').allTextContents()).toEqual(effects);
  // Cancelling does not let a client off what they owe: who can write it off is named.
  expect(await page.locator('.danger-zone .write-off-way').textContent()).toBe(
    `If the client will not pay, cancelling does not change that: ask leadership to write off what is still owed on ${final.number}.`,
  );
  await shoot(page, '30d-cancel-form-all-accepted');
  await page.setViewportSize(PHONE);
  await shoot(page, '30d-cancel-form-all-accepted-phone');
  await page.setViewportSize(DESKTOP);
  // To leadership, the way to the invoice's "Write off…" (possible now: the final invoice is out).
  const leader = await portal.openAs('leadership', { startAt: `/projects/${id}` });
  const writeOffWay = async (where: string) => {
    const way = leader.page.locator(`${where} .write-off-way`);
    expect(await way.getByRole('link', { name: final.number, exact: true }).getAttribute('href')).toBe(`#invoice-${final.number}`);
    return way.textContent();
  };
  await leader.page.getByText('Cancel this project').click({ timeout: 30_000 });
  expect(await writeOffWay('.danger-zone')).toBe(`If the client will not pay, cancelling does not change that: write off what is still owed with “Write off…” on ${final.number}.`);
  await shootDesktopAndPhone(portal, leader.page, '30e-cancel-form-all-accepted-leadership');
  await page.locator('#cancel-reason').fill('The client stopped the app store listing.');
  const asked: string[] = [];
  page.once('dialog', (d) => void (asked.push(d.message()), d.accept()));
  await page.getByRole('button', { name: 'Cancel the project' }).click();
  await page.getByText(/^Cancelled by .*The client stopped the app store listing\./).waitFor({ timeout: 30_000 });
  expect(asked).toEqual([`Cancel “${title} all accepted”? ${effects.join(' ')} This cannot be undone.`]);
  // As the form said: no invoice voided, none added, none changed.
  const money = (p: ProjectStatus) => p.invoices.map((i) => [i.number, i.kind, i.amount, i.paidAmount, i.status]);
  expect(money(await get())).toEqual(money(before));
  // Cancelled, the note at the top says what is owed and who can write it off: the manager asks leadership…
  expect(await page.locator('.stage-progress + .callout .write-off-way').textContent()).toBe(`If the client will not pay, ask leadership to write off what is still owed on ${final.number}.`);
  await shootDesktopAndPhone(portal, page, '30f-cancelled-still-owed');
  // …leadership is led to the invoice's "Write off…".
  await leader.page.goto(`${portal.baseUrl}/projects/${id}`);
  await leader.page.locator('.stage-progress + .callout .write-off-way').waitFor({ timeout: 30_000 });
  expect(await writeOffWay('.stage-progress + .callout')).toBe(`If the client will not pay, write off what is still owed with “Write off…” on ${final.number}.`);
  await shootDesktopAndPhone(portal, leader.page, '30f-cancelled-still-owed-leadership');
  expect(unexpectedErrors(leader.errors)).toEqual([]);
  await leader.context.close();
});

step('an answer lost on its way back: the second click sends the same Idempotency-Key, so the complaint is recorded once, not twice', async () => {
  const id = await inClientReview(`${title} lost answer`);
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.getByRole('heading', { name: 'Record the client’s response' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('Complained').check();
  await page.locator('#feedback-description').fill('The banner is blurry.');
  // The first request reaches the API and is done there; its answer never reaches the page.
  const keys: string[] = [];
  let lost = 0;
  await page.route('**/api/projects/*/feedback', async (route) => {
    keys.push(route.request().headers()['idempotency-key'] ?? '');
    if (lost++ > 0) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  try {
    await page.getByRole('button', { name: 'Record the response' }).click();
    await page.locator('.problem').first().waitFor();
    await page.getByRole('button', { name: 'Record the response' }).click();
    await page.getByText('Complaint recorded.').waitFor({ timeout: 30_000 });
  } finally {
    await page.unroute('**/api/projects/*/feedback');
  }
  expect(keys).toHaveLength(2);
  expect(keys[0]).not.toBe('');
  expect(keys[1]).toBe(keys[0]);
  const project = (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  expect(project.complaints.map((c) => c.description)).toEqual(['The banner is blurry.']);
});

step('a payment that loses the race to another one: the page says it was not recorded and what paid the invoice, and says it still once the form is gone', async () => {
  // Approved with a 25 % prepayment: its invoice is the only one open.
  const { id, get, prepayment } = await approvedWithPrepayment(h, `${title} paid twice`);

  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.getByRole('heading', { name: 'Record a payment' }).waitFor({ timeout: 30_000 });
  expect(await page.locator('#payment-amount').inputValue()).toBe('300');
  await page.locator('#payment-reference').fill('TAB-B-300');
  // Another tab records the same money with its own reference just before this page's request arrives.
  await page.route(`**/api/projects/${id}/payments`, async (route) => {
    await h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: prepayment.number, amount: 300, paidAt: new Date().toISOString(), reference: 'TAB-A-300' }).expect(200);
    await route.continue();
  });
  try {
    await page.getByRole('button', { name: 'Record the payment' }).click();
    const refused = page.locator('.payment-refused');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.getByRole('paragraph').allTextContents()).toEqual([
      `Not recorded: ${prepayment.number} was paid in full a moment ago (€300.00, ref. TAB-A-300, recorded by Test ${h.people.manager.id}).`,
      'The payment of €300.00 with ref. TAB-B-300 was not added to it.',
    ]);
    // Nothing is open any more: the form is gone, the refusal stays where it was, and no success is claimed.
    expect(await page.locator('.payment-form').count()).toBe(0);
    expect(await page.getByText(/Payment recorded/).count()).toBe(0);
    await shoot(page, '37-payment-lost-race');
    await page.setViewportSize(PHONE);
    await shoot(page, '37-payment-lost-race-phone');
    await page.setViewportSize(DESKTOP);
    // The page's next reading of the project does not take it away either.
    await page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === `/api/projects/${id}`, { timeout: 30_000 });
    // Two frames: what it read is drawn by then.
    await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
    expect(await refused.isVisible()).toBe(true);
    await refused.getByRole('button', { name: 'Dismiss' }).click();
    expect(await page.locator('.payment-refused').count()).toBe(0);
  } finally {
    await page.unroute(`**/api/projects/${id}/payments`);
  }
  // Paid once, by the other tab.
  expect((await get()).invoices.find((i) => i.number === prepayment.number)?.payments.map((p) => p.reference)).toEqual(['TAB-A-300']);
});

step('the same money typed twice under two references is held back with the payment already there; “It is another payment” records it', async () => {
  const { id, get, prepayment } = await approvedWithPrepayment(h, `${title} typed twice`);
  // A colleague recorded half of it from the bank statement.
  await h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: prepayment.number, amount: 150, paidAt: new Date().toISOString(), reference: 'GLX-4471' }).expect(200);

  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.getByRole('heading', { name: 'Record a payment' }).waitFor({ timeout: 30_000 });
  await eventually(async () => ((await page.locator('#payment-amount').inputValue()) === '150' ? true : undefined), { what: 'the 150 still open in the form' });
  // Nothing has started (the work waits for the rest of the prepayment): a complaint is not about work under way.
  expect(await page.getByText('The client complains before the work starts').count()).toBe(1);
  expect(await page.getByText('The client complains about the work under way').count()).toBe(0);
  await page.locator('#payment-reference').fill('Globex transfer 4471');
  await page.getByRole('button', { name: 'Record the payment' }).click();
  const twin = page.locator('.payment-twin');
  await twin.waitFor({ timeout: 30_000 });
  expect(await twin.locator('p').textContent()).toMatch(
    new RegExp(`^Not recorded yet: €150\\.00 paid .+ is already recorded on ${prepayment.number} under ref\\. GLX-4471 \\(Test ${h.people.manager.id}, .+\\)\\. If this is the same money, it is in: nothing more to do\\.$`),
  );
  // Said once, in the page's words: not again under the reference field with people's ids.
  expect(await page.locator('#payment-reference-error').count()).toBe(0);
  expect((await get()).invoices.find((i) => i.number === prepayment.number)?.payments.map((p) => p.reference)).toEqual(['GLX-4471']);
  await shoot(page, '38-payment-typed-twice');
  await page.setViewportSize(PHONE);
  await shoot(page, '38-payment-typed-twice-phone');
  await page.setViewportSize(DESKTOP);

  await twin.getByRole('button', { name: 'It is another payment: record it' }).click();
  await page.getByText(`Payment recorded on ${prepayment.number}.`).waitFor({ timeout: 30_000 });
  expect((await get()).invoices.find((i) => i.number === prepayment.number)?.payments.map((p) => p.reference)).toEqual(['GLX-4471', 'Globex transfer 4471']);
});

/** What an invoice's state says on the client's page, one fact a badge: read once it says `expected` (the page catches up with the reporting store), or after 30 s. */
async function clientInvoiceState(client: PersonPage, number: string, expected: string[]): Promise<string[]> {
  const { page } = client;
  const facts = () => page.locator('#invoices tbody tr', { has: page.getByRole('rowheader', { name: number }) }).locator('td[data-label="Status"] .badge').allTextContents();
  const shows = async () => JSON.stringify(await facts()) === JSON.stringify(expected) || (await page.reload(), false);
  await eventually(shows, { what: `${number} on the client's page`, timeoutMs: 30_000, intervalMs: 1_000 }).catch(() => undefined);
  return facts();
}

/** The notice at the top of the client's page (where the project stands, what is owed either way). */
const clientNotice = async (client: PersonPage): Promise<string> => (await client.page.locator('.callout[role="status"]').textContent()) ?? '';

/** What an invoice's "Due" cell says on the client's page. */
const clientDueCell = async (client: PersonPage, number: string): Promise<string> =>
  ((await client.page.locator('#invoices tbody tr', { has: client.page.getByRole('rowheader', { name: number }) }).locator('td[data-label="Due"]').textContent()) ?? '').trim();


async function shoot(page: PersonPage['page'], name: string): Promise<void> {
  await portal.screenshot(page, name);
  expect([name, await accessibilityProblems(page)]).toEqual([name, []]);
}
