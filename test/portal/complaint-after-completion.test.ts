/**
 * A complaint after the client has paid in full, in a real headless Chromium on the real stack: a
 * completed project hears complaints for its policy's window, and its page says until when. The
 * manager records one on the completed project; leadership resolves it with a compensation, a
 * credit note refunded to the client, whose refund the manager records (the only payment a
 * completed project takes); once it is settled the final report is made again. Meanwhile the
 * portfolio keeps the project in view. A project whose window has ended says until when complaints
 * were heard, and its manager or leadership records one the client makes since: the project runs
 * again until it is settled. The new-project form sets the window per project. The
 * projects get to completion through the API; everything after is done on their pages.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import { completedProject, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import { browserTestOrSkip, DESKTOP, holdReads, openClientPage, startPortal, unexpectedErrors, type PersonPage, type Portal, shootChecked, shootDeskAndNarrowPhone, shootDesktopAndPhone, shownDateTime, nextStep, watchSends } from '../support/browser';
import { eventually, uniqueId } from '../support/temporal';

jest.setTimeout(180_000);
const step = browserTestOrSkip('a complaint after completion in the portal');

let h: ApiHarness;
let portal: Portal;
let manager: PersonPage;
let leader: PersonPage;
const title = `Heard after ${uniqueId('c').slice(-6)}`;
/** The completed project whose complaints are heard for ten minutes, and the one whose window is over. */
let heard: ProjectStatus;
let over: ProjectStatus;

/** Refusals provoked on purpose below (their network lines are logged as console errors). */
const PROVOKED = [
  /status of 400 .*\/api\/projects\/p-[a-z2-7]+\/complaints\/c1\/resolution\b/, // a compensation beyond what was billed
  /status of 400 .*\/api\/projects\b/, // a complaint window that is not a duration
  /status of 400 .*\/api\/projects\/p-[a-z2-7]+\/complaints\/c1\/rework\b/, // a fix due in the past
  /net::ERR_CONNECTION_RESET/, // the answer to sending work back lost on its way, on purpose
];

beforeAll(async () => {
  h = await startApiHarness();
  portal = await startPortal(h);
  manager = await portal.openAs('manager');
  leader = await portal.openAs('leadership');
});

afterAll(async () => {
  if (manager) expect(unexpectedErrors(manager.errors, PROVOKED)).toEqual([]);
  if (leader) expect(unexpectedErrors(leader.errors, PROVOKED)).toEqual([]);
  await portal?.close();
  await h?.close();
});

const get = async (id: string) => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;


/** The cells of a credit note's row in its table. */
const creditCells = (page: PersonPage['page'], number: string) => page.locator('table.credit-notes tr', { has: page.getByRole('rowheader', { name: number }) }).locator('td');
/** The way to record a complaint on the completed project. */
const complaintForm = (page: PersonPage['page']) => page.locator('details.card', { has: page.getByText('The client complains about the completed work', { exact: true }) });
/** The way to record a complaint the client made after the window. */
const lateComplaintForm = (page: PersonPage['page']) => page.locator('details.card', { has: page.getByText('The client complains after the window', { exact: true }) });

/** The project's latest run: it runs again for a complaint after its window. */
const runOf = async (projectId: string): Promise<{ runId: string; status: string }> => {
  const d = await h.temporal.client.workflow.getHandle(`project-${projectId}`).describe();
  return { runId: d.runId, status: d.status.name };
};
const runEnded = (projectId: string, what: string) => eventually(async () => ((await runOf(projectId)).status === 'COMPLETED' ? true : undefined), { what, timeoutMs: 60_000 });

const shoot = (page: PersonPage['page'], name: string) => shootChecked(portal, page, name);
const shootBoth = (page: PersonPage['page'], name: string) => shootDesktopAndPhone(portal, page, name);
const shootNarrow = (page: PersonPage['page'], name: string) => shootDeskAndNarrowPhone(portal, page, name);

step('the new-project form sets the complaint window of the project it opens', async () => {
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/new`);
  await page.getByRole('heading', { name: 'New project' }).waitFor();
  await page.locator('#np-client-name').fill('Harbour Tea House');
  await page.locator('#np-client-email').fill('owner@harbour.example');
  await page.locator('#np-title').fill(`${title} from the form`);
  await page.locator('#np-brief').fill('A site audit.');
  await page.getByLabel('Design', { exact: true }).check();
  await page.locator('#np-budget-amount').fill('1500');
  await page.locator('#np-desiredDeadline').fill(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
  await page.getByText('Policies for this project (optional)').click();
  // Not a duration: refused at its field, in the form's words.
  await page.getByLabel('Hear complaints after completion for').fill('a month');
  await page.getByRole('button', { name: 'Open the project' }).click();
  await page.locator('#np-policy-complaintWindow-error').waitFor({ timeout: 30_000 });
  expect(await page.locator('.problem li').allTextContents()).toEqual([expect.stringMatching(/^Hear complaints after completion for: /)]);
  await page.getByLabel('Hear complaints after completion for').fill('45d');
  await page.getByRole('button', { name: 'Open the project' }).click();
  await page.getByRole('heading', { name: `Plan for ${title} from the form` }).waitFor({ timeout: 30_000 });
  const id = /\/projects\/(p-[a-z2-7]+)\/plan/.exec(page.url())![1];
  expect((await get(id)).policy.complaintWindowMs).toBe(45 * 86_400_000);
});

step('a complaint after completion: recorded by the manager, resolved with a compensation by leadership, its refund recorded; the project stays completed and its report is made again', async () => {
  const completed = await completedProject(h, title, '10m');
  heard = completed;
  const id = completed.projectId;
  const until = completed.complaintsHeardUntil!;
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await nextStep(page).waitFor({ timeout: 30_000 });
  // Completed, and until when a complaint can still be recorded; the way to record one.
  expect(await page.locator('.page-header .meta-row .badge').first().textContent()).toBe('Completed');
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, completed.completedAt!)}. The final report is among the documents.`,
    `Complaints about this work can be recorded until ${await shownDateTime(page, until)}.`,
  ]);
  // Everything billed is paid: nothing is offered to pay.
  expect(await page.locator('.payment-form').count()).toBe(0);

  await complaintForm(page).locator('summary').click();
  await complaintForm(page).getByLabel('What the client complains about').fill('The home page design breaks on the client’s phones.');
  await complaintForm(page).getByRole('button', { name: 'Record the complaint' }).click();
  await page.getByText('Complaint recorded; leadership is told.').waitFor({ timeout: 30_000 });
  // Still completed: the complaint is open, with the way to resolve it, and the page says so at the top.
  expect((await get(id)).stage).toBe('completed');
  expect(await page.locator('.page-header .meta-row .badge').allTextContents()).toEqual(['Completed', 'Open complaint']);
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, completed.completedAt!)}. The final report is among the documents.`,
    `Complaints about this work can be recorded until ${await shownDateTime(page, until)}.`,
    'A complaint about the completed work is open: resolve it under Complaints, in Client feedback.',
  ]);
  const complaint = page.locator('.complaints > li', { hasText: 'The home page design breaks on the client’s phones.' });
  await complaint.getByLabel('How it was resolved').waitFor();
  await shootBoth(page, '75-complaint-after-completion-open');

  // The portfolio keeps it in view, with the running work, though completed projects are hidden.
  await page.goto(`${portal.baseUrl}/`);
  const card = page.locator('.project-card', { has: page.getByRole('link', { name: title, exact: true }) });
  await card.getByText('Open complaint', { exact: true }).waitFor({ timeout: 30_000 });
  expect(await page.locator('#show-finished').isChecked()).toBe(false);
  // With its complaint open it is among the running projects a handover moves (beside the form's
  // project), said to be a completed one, not a cancelled one with money to settle.
  const handOverAll = page.locator('details.card', { has: page.getByText('Hand over all your running projects', { exact: true }) });
  await handOverAll.locator('summary').click();
  expect(await handOverAll.locator('form > p').first().textContent()).toMatch(
    /^2 running projects \(your; 1 of them completed, with a complaint or its refund still open\) go to the new manager/,
  );

  // Leadership resolves it with a compensation: never more than was billed; the one agreed is a credit note to refund.
  const lead = leader.page;
  await lead.goto(`${portal.baseUrl}/projects/${id}`);
  const toResolve = lead.locator('.complaints > li', { hasText: 'The home page design breaks on the client’s phones.' });
  await toResolve.getByLabel('How it was resolved').fill('A fixed design, and part of the price back.');
  const compensation = toResolve.getByLabel(`Compensation agreed (EUR, optional)`);
  expect(await toResolve.locator('.hint').allTextContents()).toContain('A credit note, refunded to the client: at most what the project billed, less credit notes already given.');
  await compensation.fill('1200.01');
  await toResolve.getByRole('button', { name: 'Resolve the complaint' }).click();
  await lead.locator('#compensation-c1-error').waitFor({ timeout: 30_000 });
  await compensation.fill('150');
  await toResolve.getByRole('button', { name: 'Resolve the complaint' }).click();
  await lead
    .getByText('Complaint resolved; a credit note for the compensation goes to the client: record the refund under Invoices and payments once it is paid out.')
    .waitFor({ timeout: 30_000 });
  // The final invoice is issued and paid: the compensation is never said to come off it, before its credit note is made or after.
  expect(await toResolve.textContent()).toMatch(/Compensation: €150\.00 — (a credit note for it is being made|to be refunded by credit note CN-)/);
  const credit = await eventually(async () => (await get(id)).invoices.find((i) => i.kind === 'credit_note' && i.documentId), { what: 'the credit note', timeoutMs: 30_000 });

  // The manager's page: the refund owed at the top and in the credit notes, the form to record it paid out, and only that.
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await page.getByRole('heading', { name: 'Record the refund' }).waitFor({ timeout: 30_000 });
  expect((await get(id)).stage).toBe('completed');
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, completed.completedAt!)}. The final report is among the documents.`,
    `Complaints about this work can be recorded until ${await shownDateTime(page, until)}.`,
    expect.stringMatching(new RegExp(`^Refund owed to the client: ${credit.number} \\(€150\\.00 by .*\\)\\. Record it under Invoices and payments once it is paid out\\.$`)),
  ]);
  expect(await creditCells(page, credit.number).allTextContents()).toEqual(['€150.00', '€0.00', '€150.00', expect.any(String), 'Refund owed to the client']);
  expect(await page.locator('.complaints > li').first().textContent()).toContain(`Compensation: €150.00 — to be refunded by credit note ${credit.number}`);
  // The refund first; the final invoice, paid, after it (the client may pay it again within the window).
  expect(await page.locator('label[for="payment-invoiceNumber"]').textContent()).toBe('Invoice or credit note');
  expect(await page.locator('#payment-invoiceNumber option').allTextContents()).toEqual([credit.number, `${completed.invoices.find((i) => i.kind === 'final')!.number} (paid)`]);
  expect(await page.locator('#payment-invoiceNumber-detail').textContent()).toMatch(/^Credit note: €150\.00 still to refund to the client, by .+\.$/);
  expect(await page.locator('#payment-amount').inputValue()).toBe('150');
  await shootBoth(page, '76-complaint-after-completion-refund-owed');

  await page.locator('#payment-reference').fill(`${id}-refund`);
  await page.getByRole('button', { name: 'Record the refund' }).click();
  await page.getByText(`Refund recorded on ${credit.number}.`).waitFor({ timeout: 30_000 });
  expect(await creditCells(page, credit.number).allTextContents()).toEqual(['€150.00', '€150.00', '€0.00', '—', 'Refunded']);
  expect(await page.locator('.payment-form').count()).toBe(0);
  // Settled: the final report is made again, with the complaint in it; complaints are still heard.
  const reportsMade = page.locator('.documents li', { hasText: /^Final report / });
  await eventually(async () => ((await reportsMade.count()) === 2 ? true : undefined), { what: 'the final report made again', timeoutMs: 30_000 });
  const settled = await get(id);
  expect(settled.stage).toBe('completed');
  const again = settled.documents.filter((d) => d.kind === 'final_report')[1];
  await nextStep(page).getByText(/^Completed .*The final report was made again/).waitFor({ timeout: 15_000 });
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, completed.completedAt!)}. The final report was made again ${await shownDateTime(page, again.createdAt)}, with the complaints after completion settled by then; both are among the documents.`,
    `Complaints about this work can be recorded until ${await shownDateTime(page, until)}.`,
  ]);
  expect(await complaintForm(page).count()).toBe(1);
  await shoot(page, '77-complaint-after-completion-settled');
});

step('once the window has ended the page says until when complaints were heard, and offers the manager a way to record a complaint the client makes since, saying it opens the project again; staff have no project page', async () => {
  const completed = await completedProject(h, `${title} window over`, '3s');
  over = completed;
  const id = completed.projectId;
  await runEnded(id, 'the workflow ended with its window');
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await nextStep(page).waitFor({ timeout: 30_000 });
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, completed.completedAt!)}. The final report is among the documents.`,
    `Complaints were heard until ${await shownDateTime(page, completed.complaintsHeardUntil!)}.`,
  ]);
  expect(await nextStep(page).getAttribute('class')).toContain('callout--good');
  // Not the form of the window, which is over: the one for a complaint made since.
  expect(await complaintForm(page).count()).toBe(0);
  await lateComplaintForm(page).locator('summary').click();
  expect(await lateComplaintForm(page).locator('.reopens').textContent()).toBe('Recording it opens the project again until the complaint is settled; leadership is told.');
  await lateComplaintForm(page).getByLabel('What the client complains about').fill('The printed brochure fades in the sun.');
  await shootNarrow(page, '78-complaint-after-window-form');

  // Staff (a department) never open the project page, so never its form.
  const designer = await portal.openAs('designer');
  await designer.page.goto(`${portal.baseUrl}/projects/${id}`);
  await designer.page.getByRole('heading', { name: 'Not for your role' }).waitFor({ timeout: 30_000 });
  expect(await designer.page.locator('details.card').count()).toBe(0);
  expect(await designer.page.getByText('Record the complaint').count()).toBe(0);
  await designer.context.close();
});

step('a complaint after the window recorded on the page runs the project again: said to be made after the window, with the way to resolve it; resolved on the page, the run ends and the page says the report was made again', async () => {
  const id = over.projectId;
  const until = await shownDateTime(manager.page, over.complaintsHeardUntil!);
  const firstRun = (await runOf(id)).runId;
  const { page } = manager;
  await lateComplaintForm(page).getByRole('button', { name: 'Record the complaint' }).click();
  await page.getByText('Complaint recorded: the project is open again until it is settled; leadership is told.').waitFor({ timeout: 30_000 });
  const run = await runOf(id);
  expect([run.status, run.runId === firstRun]).toEqual(['RUNNING', false]);
  const [complaint] = (await get(id)).complaints;
  expect(complaint).toMatchObject({ complaintId: 'c1', afterWindow: true, description: 'The printed brochure fades in the sun.' });

  // Open like any complaint about the completed work: at the top, in the list (made after the window), with the ways to resolve it and to send the work back.
  expect(await page.locator('.page-header .meta-row .badge').allTextContents()).toEqual(['Completed', 'Open complaint']);
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, over.completedAt!)}. The final report is among the documents.`,
    `Complaints were heard until ${until}.`,
    'Open again for a complaint the client made after the window, until it is settled.',
    'A complaint about the completed work is open: resolve it under Complaints, in Client feedback.',
  ]);
  const entry = page.locator('.complaints > li', { hasText: 'The printed brochure fades in the sun.' });
  expect(await entry.locator('p').first().textContent()).toContain(`The printed brochure fades in the sun. (${await shownDateTime(page, complaint.at)}, made after the complaint window) Open`);
  expect(await page.locator('.feedback li', { hasText: 'The printed brochure fades in the sun.' }).textContent()).toContain('The printed brochure fades in the sun. (made after the complaint window)');
  await entry.getByLabel('How it was resolved').waitFor();
  expect(await entry.getByRole('button', { name: 'Send the work back…' }).count()).toBe(1);
  // Another one may come meanwhile: it goes to this run.
  expect(await lateComplaintForm(page).count()).toBe(1);
  await entry.scrollIntoViewIfNeeded();
  await shootNarrow(page, '78b-complaint-after-window-open');

  await entry.getByLabel('How it was resolved').fill('Reprinted on fade-proof paper.');
  await entry.getByRole('button', { name: 'Resolve the complaint' }).click();
  await page.getByText('Complaint resolved.', { exact: true }).waitFor({ timeout: 30_000 });
  // Settled: the report is made again, and the run ends.
  await runEnded(id, 'the run again ended once the complaint was settled');
  const settled = await get(id);
  const again = settled.documents.filter((d) => d.kind === 'final_report');
  expect([settled.stage, again.length]).toEqual(['completed', 2]);
  // The page's next read: no longer open again.
  await nextStep(page).locator('.reopened').waitFor({ state: 'detached', timeout: 15_000 });
  expect(await nextStep(page).locator('p').allTextContents()).toEqual([
    `Completed ${await shownDateTime(page, over.completedAt!)}. The final report was made again ${await shownDateTime(page, again[1].createdAt)}, with the complaints after completion settled by then; both are among the documents.`,
    `Complaints were heard until ${until}.`,
  ]);
  expect(await nextStep(page).getAttribute('class')).toContain('callout--good');
  expect(await entry.locator('.badge').first().textContent()).toBe('Resolved');
  // The next one runs it again.
  expect(await lateComplaintForm(page).count()).toBe(1);
  await shoot(page, '78c-complaint-after-window-settled');
});

step('leadership records a complaint after the window too: the project’s manager is told, and the project runs again', async () => {
  const id = over.projectId;
  const lead = leader.page;
  await lead.goto(`${portal.baseUrl}/projects/${id}`);
  await lateComplaintForm(lead).locator('summary').click();
  expect(await lateComplaintForm(lead).locator('.reopens').textContent()).toMatch(
    /^Recording it opens the project again until the complaint is settled; the project’s manager (and the rest of leadership are|is) told\.$/,
  );
  await lateComplaintForm(lead).getByLabel('What the client complains about').fill('The map on page 2 is out of date.');
  await lateComplaintForm(lead).getByRole('button', { name: 'Record the complaint' }).click();
  await lead.getByText(/^Complaint recorded: the project is open again until it is settled; the project’s manager/).waitFor({ timeout: 30_000 });
  expect((await runOf(id)).status).toBe('RUNNING');
  expect((await get(id)).complaints[1]).toMatchObject({ complaintId: 'c2', afterWindow: true, recordedBy: h.people.leadership.id });
});

step('past its window, while a complaint made within it is still settled, the form records one made after it in the same run, which stays open until both are', async () => {
  const completed = await completedProject(h, `${title} settling`, '15s');
  const id = completed.projectId;
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The QR code on the flyer is broken.' }).expect(200);
  const { runId } = await runOf(id);
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  // The window ends with the first complaint open: the run goes on to settle it, and takes more meanwhile.
  const form = lateComplaintForm(page);
  await form.waitFor({ timeout: 60_000 });
  await form.locator('summary').click();
  expect(await form.locator('.reopens').textContent()).toBe('Recording it keeps the project open until the complaint is settled; leadership is told.');
  await form.getByLabel('What the client complains about').fill('The flyer’s paper is thinner than agreed.');
  await form.getByRole('button', { name: 'Record the complaint' }).click();
  await page.getByText('Complaint recorded: the project is kept open until it is settled; leadership is told.').waitFor({ timeout: 30_000 });
  expect(await runOf(id)).toEqual({ runId, status: 'RUNNING' });
  expect((await get(id)).complaints.map((c) => [c.complaintId, c.afterWindow ?? false])).toEqual([
    ['c1', false],
    ['c2', true],
  ]);
  expect(await nextStep(page).locator('p.reopened').textContent()).toBe('Kept open for a complaint the client made after the window, until it is settled.');
  await shoot(page, '78d-complaint-after-window-while-settling');
  for (const c of ['c1', 'c2']) {
    await h.http().post(`/api/projects/${id}/complaints/${c}/resolution`).set(h.auth('manager')).send({ resolution: 'Reprinted' }).expect(200);
  }
  await runEnded(id, 'the run ended once both were settled');
  expect((await runOf(id)).runId).toBe(runId);
});

step('the client’s page of a completed project says whom to tell, and by when, if something is not right with the work; once the window is over, whom to tell, with no form; a complaint after the window recorded for them shows as any, by its compensation and refund', async () => {
  const client = await openClientPage(h, portal, heard.projectId, { noticeShown: true });
  const notice = client.page.locator('.callout[role="status"] p');
  const by = await client.page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(at)), heard.complaintsHeardUntil!);
  expect((await notice.allTextContents()).slice(0, 2)).toEqual([
    'The project is completed. Thank you!',
    `If something is not right with the work, please tell us by ${by}: make a complaint below, under Your answer, or write to Test ${h.people.manager.id}.`,
  ]);
  // The complaint form below, and their manager, as the page names them elsewhere: a link to write to them.
  expect(await notice.nth(1).getByRole('link', { name: 'Your answer' }).getAttribute('href')).toBe('#answer');
  expect(await client.page.locator('#answer summary').textContent()).toBe('Something is wrong? Make a complaint');
  expect(await notice.nth(1).getByRole('link', { name: `Test ${h.people.manager.id}` }).getAttribute('href')).toMatch(/^mailto:/);
  await shoot(client.page, '79-client-complaints-heard-phone');
  await client.page.setViewportSize(DESKTOP);
  await shoot(client.page, '79-client-complaints-heard-desktop');
  await client.context.close();

  // Past the window, with leadership's complaint after it open: no form, and whom to tell (the project's manager records it).
  const after = await openClientPage(h, portal, over.projectId, { noticeShown: true });
  const afterNotice = after.page.locator('.callout[role="status"] p');
  expect(await afterNotice.allTextContents()).toEqual([
    'The project is completed. Thank you!',
    `If something is not right with the work, please tell Test ${h.people.manager.id}: reply to our e-mail, or write to them.`,
    expect.stringMatching(/^Please sign the acceptance act/),
  ]);
  expect(await afterNotice.nth(1).getByRole('link', { name: `Test ${h.people.manager.id}` }).getAttribute('href')).toMatch(/^mailto:/);
  expect(await after.page.locator('.complaints-heard').count()).toBe(0);
  expect(await after.page.locator('#answer .answer-complaint').count()).toBe(0);
  // Resolved with money back, it is said as any complaint's compensation: given back by a credit note, a refund owed.
  await h.http().post(`/api/projects/${over.projectId}/complaints/c2/resolution`).set(h.auth('leadership')).send({ resolution: 'Map updated', compensation: 50 }).expect(200);
  const note = await eventually(async () => (await get(over.projectId)).invoices.find((i) => i.kind === 'credit_note' && i.documentId), { what: 'the credit note', timeoutMs: 30_000 });
  const compensation = after.page.locator('#work .compensation');
  await eventually(async () => ((await compensation.count()) === 1 ? true : (await after.page.reload(), false)), { what: 'the compensation on the client’s page', timeoutMs: 30_000, intervalMs: 1_000 });
  expect(await compensation.textContent()).toMatch(
    new RegExp(`^€50\\.00 agreed on .+ to make up for your complaint of .+ \\(“The map on page 2 is out of date\\.”\\): given back by credit note ${note.number}: €50\\.00 to be refunded to you\\.$`),
  );
  expect(await afterNotice.allTextContents()).toContainEqual(expect.stringMatching(new RegExp(`^A refund of €50\\.00 is owed to you \\(credit note ${note.number}\\): we will pay it by `)));
  await after.page.setViewportSize(DESKTOP);
  await shoot(after.page, '79a-client-after-window-compensation');
  await after.context.close();
});

step('a complaint after completion sent back to the department that did the work: the client’s page says which work is redone, free of charge, and by when; then on which day it was; resolved, no more — never what the department was told, nor who did it', async () => {
  const completed = await completedProject(h, `${title} redone`, '10m');
  const id = completed.projectId;
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'The banner is cut off on phones' }).expect(200);
  const complaint = await eventually(async () => (await get(id)).complaints[0], { what: 'the complaint', timeoutMs: 30_000 });
  const instruction = 'Re-crop the hero for 390 px screens; keep the logo clear of the fold';
  const dueAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
  await h.http().post(`/api/projects/${id}/complaints/${complaint.complaintId}/rework`).set(h.auth('manager')).send({ departments: ['design'], description: instruction, dueAt }).expect(200);

  const client = await openClientPage(h, portal, id, { noticeShown: true });
  const { page } = client;
  const putRight = page.locator('.callout[role="status"] .complaint-put-right');
  const shows = (what: RegExp) => async () => (what.test((await putRight.allTextContents()).join('\n')) ? true : (await page.reload(), false));
  await eventually(shows(/are redoing/), { what: 'the work being redone on the client’s page', timeoutMs: 30_000, intervalMs: 1_000 });
  const day = (iso: string) => page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(at)), iso);
  const about = `About your complaint of ${await day(complaint.at)} (“The banner is cut off on phones”)`;
  expect(await putRight.allTextContents()).toEqual([`${about}: we are redoing the Design work by ${await day(dueAt)}, free of charge.`]);
  // The agency's own things stay out: what the designer was told, the task, who does it.
  const designer = h.directory.get(h.people.designer.id)!.name;
  const said = await page.locator('body').innerText();
  for (const internal of [instruction, 'c1.design', designer]) expect([internal, said.includes(internal)]).toEqual([internal, false]);
  await page.setViewportSize(DESKTOP);
  await shootBoth(page, '79b-client-work-being-redone');

  // The designer redoes it from their inbox; the manager accepts it: the page says it was redone, and on which day.
  const fix = `${id}.${complaint.complaintId}.design`;
  await waitForTask(h, fix, 'open');
  await h.http().post(`/api/tasks/${fix}/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${fix}/submit`).set(h.auth('designer')).send({ summary: 'The banner re-cropped for phones', links: ['https://files.example/hero-phone'] }).expect(200);
  await h.http().post(`/api/tasks/${fix}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
  await eventually(shows(/redid/), { what: 'the work redone on the client’s page', timeoutMs: 30_000, intervalMs: 1_000 });
  const acceptedAt = (await get(id)).tasks.find((t) => t.taskId === fix)!.acceptedAt!;
  const manager = h.directory.get(h.people.manager.id)!.name;
  expect(await putRight.allTextContents()).toEqual([
    `${about}: we redid the Design work on ${await day(acceptedAt)}, free of charge. If it is still not right, please tell ${manager}.`,
  ]);
  expect(await putRight.getByRole('link', { name: manager }).getAttribute('href')).toMatch(/^mailto:/);
  await shootBoth(page, '79c-client-work-redone');

  // Resolved (no money with it): the page says nothing more of it.
  await h.http().post(`/api/projects/${id}/complaints/${complaint.complaintId}/resolution`).set(h.auth('manager')).send({ resolution: 'Banner re-cropped' }).expect(200);
  const gone = async () => {
    await page.locator('.callout[role="status"]').waitFor(); // loaded, not merely reloading
    return (await putRight.count()) === 0 ? true : (await page.reload(), false);
  };
  await eventually(gone, { what: 'the resolved complaint off the client’s page', timeoutMs: 30_000, intervalMs: 1_000 });
  expect(await page.locator('.callout[role="status"] p').first().textContent()).toBe('The project is completed. Thank you!');
  expect(await page.locator('#work .compensation').count()).toBe(0);
  expect(unexpectedErrors(client.errors)).toEqual([]);
  await client.context.close();
});

/** A moment as `<input type="datetime-local">` takes it in that browser (its zone), to the minute. */
const localInput = (page: PersonPage['page'], iso: string): Promise<string> =>
  page.evaluate((at) => {
    const d = new Date(at);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }, iso);

step('a complaint after completion sent back from the project page to the department that did the work: refused in place with what was typed kept, sent once over a lost answer; the complaint lists the fix and its state, and is resolved from the page once the fix is accepted; leadership sees it all but the form', async () => {
  const completed = await completedProject(h, `${title} sent back`, '10m');
  const id = completed.projectId;
  const managerName = h.directory.get(h.people.manager.id)!.name;
  const { page } = manager;
  await page.goto(`${portal.baseUrl}/projects/${id}`);
  await complaintForm(page).locator('summary').click();
  await complaintForm(page).getByLabel('What the client complains about').fill('The banner is cut off on the client’s phones.');
  await complaintForm(page).getByRole('button', { name: 'Record the complaint' }).click();
  await page.getByText('Complaint recorded; leadership is told.').waitFor({ timeout: 30_000 });
  const entry = page.locator('.complaints > li', { hasText: 'The banner is cut off on the client’s phones.' });
  // Leadership may resolve it, but sending the work back is the manager's.
  const lead = leader.page;
  const leadEntry = lead.locator('.complaints > li', { hasText: 'The banner is cut off on the client’s phones.' });
  await lead.goto(`${portal.baseUrl}/projects/${id}`);
  await leadEntry.getByLabel('How it was resolved').waitFor({ timeout: 30_000 });
  expect(await leadEntry.getByRole('button', { name: 'Send the work back…' }).count()).toBe(0);

  // The form: the departments that did work in the project (its one design task), what to redo, when it is due.
  await entry.getByRole('button', { name: 'Send the work back…' }).click();
  const form = entry.locator('form.send-back-form');
  const sendBack = form.getByRole('button', { name: 'Send the work back', exact: true });
  expect(await form.locator('#send-back-c1-departments .choice').allTextContents()).toEqual(['Design']);
  expect(await form.locator('#send-back-c1-description-hint').textContent()).toBe(
    'Goes to the department, with the client’s complaint. The client is told which team redoes it and by when, not this text.',
  );
  expect(await form.getByLabel('Fix due').getAttribute('type')).toBe('datetime-local');
  await shootBoth(page, '79d-complaint-send-back-form');

  // Nothing chosen, nothing said: refused at each field by the page, nothing sent.
  const sends = watchSends(page);
  await sendBack.click();
  await form.locator('#send-back-c1-description-error').waitFor();
  sends.stop();
  expect(sends.sent).toEqual([]);
  expect(await form.locator('.field-error').allTextContents()).toEqual(['Choose the departments that redo their work.', 'Say what the department is to redo.']);

  // A date past: refused at it by the API, what was typed kept, nothing sent back.
  const instruction = 'Re-crop the hero for 390 px screens; keep the logo clear of the fold.';
  await form.getByLabel('Design', { exact: true }).check();
  await form.getByLabel('What to redo').fill(instruction);
  await form.getByLabel('Fix due').fill(await localInput(page, new Date(Date.now() - 86_400_000).toISOString()));
  await sendBack.click();
  await form.locator('#send-back-c1-dueAt-error').waitFor({ timeout: 30_000 });
  expect(await form.locator('.field-error').allTextContents()).toEqual(['the fix must be due in the future']);
  expect(await form.getByLabel('What to redo').inputValue()).toBe(instruction);
  expect(await form.getByLabel('Design', { exact: true }).isChecked()).toBe(true);
  const refused = await get(id);
  expect([refused.complaints[0].rework, refused.tasks.length]).toEqual([undefined, 1]);
  await shootBoth(page, '79e-complaint-send-back-refused');

  // Sent, its answer lost on the way back (the page's reads held meanwhile): the second click sends the same Idempotency-Key, so it is sent back once.
  const due = new Date(Date.now() + 3 * 86_400_000);
  due.setSeconds(0, 0);
  await form.getByLabel('Fix due').fill(await localInput(page, due.toISOString()));
  const letReadsGo = await holdReads(page, (path) => path === `/api/projects/${id}`);
  const keys: string[] = [];
  let lost = 0;
  await page.route(`**/api/projects/${id}/complaints/c1/rework`, async (route) => {
    keys.push(route.request().headers()['idempotency-key'] ?? '');
    if (lost++ > 0) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  try {
    await sendBack.click();
    await form.locator('.problem').waitFor({ timeout: 30_000 });
    expect(await form.getByLabel('What to redo').inputValue()).toBe(instruction);
    await sendBack.click();
    await page.getByText(`Sent back to Design, to be redone by ${await shownDateTime(page, due.toISOString())}: the fix is in their inbox; the client is told it is being put right.`).waitFor({ timeout: 30_000 });
  } finally {
    // The held reads go first: with no route left, interception ends and takes them along.
    await letReadsGo();
    await page.unroute(`**/api/projects/${id}/complaints/c1/rework`);
  }
  expect(keys).toHaveLength(2);
  expect(keys[0]).not.toBe('');
  expect(keys[1]).toBe(keys[0]);
  const sentBack = await get(id);
  expect(sentBack.tasks.map((t) => t.key)).toEqual([expect.any(String), 'c1.design']);
  const rework = sentBack.complaints[0].rework!;

  // The complaint says what was sent back, to whom, by when, and the fix with its state and a link to it.
  const fixTaskId = `${id}.c1.design`;
  const said = entry.locator('.complaint-rework');
  expect(await said.locator('p').allTextContents()).toEqual([
    `Work sent back to Design, to be redone by ${await shownDateTime(page, due.toISOString())} — ${managerName}, ${await shownDateTime(page, rework.requestedAt)}`,
    `What to redo: ${instruction}`,
  ]);
  const fix = said.locator('.complaint-fixes li');
  await fix.filter({ hasText: 'Open waiting for someone in Design to take it up' }).waitFor({ timeout: 30_000 });
  expect(await fix.allTextContents()).toEqual(['Fix for a complaint (Design) Open waiting for someone in Design to take it up']);
  expect(await fix.getByRole('link', { name: 'Fix for a complaint (Design)' }).getAttribute('href')).toBe(`/tasks/${fixTaskId}`);
  expect(await entry.getByRole('button', { name: 'Send the work back…' }).count()).toBe(0);
  // Not resolved before the fix is accepted: the page says so where the resolution was, and at the top.
  expect(await entry.locator('.fix-first').textContent()).toBe(
    'The fix is reviewed first: the complaint can be resolved here once Design’s fix is accepted. Review it on its task page once delivered.',
  );
  expect(await entry.getByLabel('How it was resolved').count()).toBe(0);
  expect((await nextStep(page).locator('p').allTextContents())[2]).toBe(
    'A complaint about the completed work is open: Design redoes the work for it, and once the fix is accepted, resolve it under Complaints, in Client feedback.',
  );
  // The timeline says it in words, the complaint by what it was about.
  expect(await page.locator('.timeline li', { hasText: 'Work sent back for a complaint' }).locator('.timeline-detail').textContent()).toBe(
    `“The banner is cut off on the client’s phones.”, to Design: ${instruction}`,
  );
  await shootBoth(page, '79f-complaint-sent-back');

  // Leadership sees the same, and no way to resolve it before the fix.
  await lead.reload();
  await leadEntry.locator('.complaint-rework').waitFor({ timeout: 30_000 });
  expect(await leadEntry.locator('.complaint-rework p').allTextContents()).toEqual(await said.locator('p').allTextContents());
  expect(await leadEntry.locator('.complaint-fixes a').getAttribute('href')).toBe(`/tasks/${fixTaskId}`);
  expect(await leadEntry.locator('.fix-first').textContent()).toBe(
    `The fix is reviewed first: the complaint can be resolved here once Design’s fix is accepted by ${managerName}.`,
  );

  // The designer redoes it from their inbox; delivered, the manager is asked to review it; accepted, the resolution is offered.
  await waitForTask(h, fixTaskId, 'open');
  await h.http().post(`/api/tasks/${fixTaskId}/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${fixTaskId}/submit`).set(h.auth('designer')).send({ summary: 'The banner re-cropped for phones', links: ['https://files.example/hero-phone'] }).expect(200);
  await fix.filter({ hasText: 'Delivered review it on its task page' }).waitFor({ timeout: 30_000 });
  await h.http().post(`/api/tasks/${fixTaskId}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
  await entry.getByLabel('How it was resolved').waitFor({ timeout: 30_000 });
  const acceptedAt = (await get(id)).tasks.find((t) => t.taskId === fixTaskId)!.acceptedAt!;
  expect(await fix.allTextContents()).toEqual([`Fix for a complaint (Design) Accepted ${await shownDateTime(page, acceptedAt)}`]);
  expect(await entry.locator('.fix-first').count()).toBe(0);
  expect((await nextStep(page).locator('p').allTextContents())[2]).toBe('A complaint about the completed work is open: resolve it under Complaints, in Client feedback.');

  await entry.getByLabel('How it was resolved').fill('The banner re-cropped for phones, checked on the client’s devices.');
  await entry.getByRole('button', { name: 'Resolve the complaint' }).click();
  await page.getByText('Complaint resolved.', { exact: true }).waitFor({ timeout: 30_000 });
  const resolved = await get(id);
  expect([resolved.stage, resolved.complaints[0].resolution]).toEqual(['completed', 'The banner re-cropped for phones, checked on the client’s devices.']);
  expect(await entry.locator('.badge').first().textContent()).toBe('Resolved');
});
