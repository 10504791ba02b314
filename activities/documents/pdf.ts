/**
 * Renders the project's paperwork as PDF with pdfkit: contract, invoices, acceptance act and the
 * final report for management. Pure: the same input gives the same bytes (the PDF's creation date
 * and file id come from the document's own date, not the clock), so a re-render after a crash
 * stores an identical file.
 *
 * The standard PDF fonts (Helvetica) cover Latin-1 only, and clients are named in Cyrillic as often
 * as in Latin: DejaVu Sans (from the dejavu-fonts-ttf package) is embedded, subset to the glyphs used.
 */
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';

const FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};

/**
 * DejaVu, read and parsed once per process. Given a file, pdfkit reads and parses it again for
 * every document, and decoding its tables (kerning, ligatures, glyph outlines) was most of a
 * document's cost: about 50 ms each, a fifth of the worker's CPU while projects run. A parsed
 * font keeps only what it decoded; each document still lays out its text and embeds its own
 * subset, so the bytes are the same as before.
 */
let parsedFonts: { regular: fontkit.Font; bold: fontkit.Font } | undefined;
function dejaVu(): { regular: fontkit.Font; bold: fontkit.Font } {
  parsedFonts ??= { regular: fontkit.openSync(FONT_FILES.regular) as fontkit.Font, bold: fontkit.openSync(FONT_FILES.bold) as fontkit.Font };
  return parsedFonts;
}
import type { Config } from '../../common/config';
import { percentOf, subtractAmounts, sumAmounts } from '../../workflows/money';
import { finalInvoiceContent } from '../../workflows/project/state';
import { cancelledWhile, datesIn, departmentName, fmtDuration, fmtMoney, fmtNumber, type DateWords } from '../format';
import type { InvoiceContent, ProduceDocumentInput } from '../contract';
import type { DocumentKind, InvoiceKind, InvoiceView, PlanVersionView, ProjectStatus } from '../../workflows/project/contract';

export interface AgencyDetails {
  name: string;
  address: string;
  taxId: string;
  bankDetails: string;
  /** Where the agency works (AGENCY_TIME_ZONE): its papers date themselves there. UTC when not given. */
  timeZone?: string;
}

export function agencyDetailsFromConfig(
  config: Pick<Config, 'AGENCY_NAME' | 'AGENCY_ADDRESS' | 'AGENCY_TAX_ID' | 'AGENCY_BANK_DETAILS' | 'AGENCY_TIME_ZONE'>,
): AgencyDetails {
  return {
    name: config.AGENCY_NAME,
    address: config.AGENCY_ADDRESS,
    taxId: config.AGENCY_TAX_ID,
    bankDetails: config.AGENCY_BANK_DETAILS,
    timeZone: config.AGENCY_TIME_ZONE,
  };
}

export interface RenderContext {
  agency: AgencyDetails;
  /** Display name for a person id (assignees, managers, approvers); the id is printed otherwise. */
  personName?: (personId: string) => string | undefined;
  /** A person's e-mail: the account manager the client answers to. */
  personEmail?: (personId: string) => string | undefined;
}

export interface RenderedDocument {
  bytes: Buffer;
  /** The number printed on the document. */
  number: string;
  /** The document's own date (ISO), also the PDF's creation date. */
  date: string;
  fileName: string;
}

/** The input cannot make this document (an invoice without its content, no plan for a contract). */
export class DocumentInputError extends Error {
  override name = 'DocumentInputError';
}

export async function renderDocument(input: ProduceDocumentInput, ctx: RenderContext): Promise<RenderedDocument> {
  const number = documentNumber(input);
  const date = documentDate(input);
  const title = `${KIND_TITLES[input.kind]} ${number}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: title,
      Author: ctx.agency.name,
      Subject: `${input.snapshot.title} (${input.snapshot.projectId})`,
      CreationDate: new Date(date),
    },
  });
  // pdfkit takes a parsed fontkit font as it takes a file (its typings list only files and bytes).
  const fonts = dejaVu() as unknown as { regular: PDFKit.Mixins.PDFFontSource; bold: PDFKit.Mixins.PDFFontSource };
  doc.registerFont(REGULAR, fonts.regular);
  doc.registerFont(BOLD, fonts.bold);
  const bytes = collect(doc);
  const page = new Page(doc, ctx);

  page.letterhead();
  page.title(title);
  switch (input.kind) {
    case 'contract':
      renderContract(page, input.snapshot, number, date);
      break;
    case 'prepayment_invoice':
    case 'final_invoice':
    case 'cancellation_invoice':
      renderInvoice(page, input.snapshot, requireInvoice(input));
      break;
    case 'credit_note':
      renderCreditNote(page, input.snapshot, requireInvoice(input));
      break;
    case 'acceptance_act':
      renderAcceptanceAct(page, input.snapshot, date);
      break;
    case 'final_report':
      renderFinalReport(page, input.snapshot, date);
      break;
  }
  doc.end();
  return { bytes: await bytes, number, date, fileName: `${fileSafe(`${input.kind}-${number}`)}.pdf` };
}

// ---------------------------------------------------------------------------------------------
// Numbers and dates
// ---------------------------------------------------------------------------------------------

const KIND_TITLES: Record<DocumentKind, string> = {
  contract: 'Service contract',
  prepayment_invoice: 'Prepayment invoice',
  final_invoice: 'Invoice',
  cancellation_invoice: 'Cancellation invoice',
  credit_note: 'Credit note',
  acceptance_act: 'Acceptance act',
  final_report: 'Final project report',
};

const NUMBER_PREFIX: Record<DocumentKind, string> = {
  contract: 'CTR',
  prepayment_invoice: 'INV',
  final_invoice: 'INV',
  cancellation_invoice: 'INV',
  credit_note: 'CN',
  acceptance_act: 'ACT',
  final_report: 'RPT',
};

function documentNumber(input: ProduceDocumentInput): string {
  if (input.number) return input.number;
  if (input.invoice) return input.invoice.number;
  return `${NUMBER_PREFIX[input.kind]}-${input.snapshot.projectId}-${input.sequence}`;
}

/** The date the paper carries: when the thing it records happened, never "now". */
function documentDate(input: ProduceDocumentInput): string {
  const s = input.snapshot;
  switch (input.kind) {
    case 'prepayment_invoice':
    case 'final_invoice':
    case 'cancellation_invoice':
    case 'credit_note':
      return requireInvoice(input).issuedAt;
    case 'contract':
      return approvedPlan(s)?.decision?.at ?? lastEventAt(s);
    case 'acceptance_act':
      return [...s.feedback].reverse().find((f) => f.kind === 'accepted' || f.kind === 'deemed_accepted')?.at ?? lastEventAt(s);
    case 'final_report':
      return s.completedAt ?? s.cancellation?.at ?? lastEventAt(s);
  }
}

function lastEventAt(s: ProjectStatus): string {
  return s.timeline.reduce((latest, e) => (e.at > latest ? e.at : latest), s.intakeAt);
}

function requireInvoice(input: ProduceDocumentInput): InvoiceContent {
  if (!input.invoice) throw new DocumentInputError(`a ${input.kind} needs the invoice content (input.invoice)`);
  return input.invoice;
}

function approvedPlan(s: ProjectStatus): PlanVersionView | undefined {
  return s.plans.find((p) => p.version === s.approvedPlanVersion);
}

// ---------------------------------------------------------------------------------------------
// The documents
// ---------------------------------------------------------------------------------------------

function renderContract(page: Page, s: ProjectStatus, number: string, date: string): void {
  const plan = approvedPlan(s) ?? s.plans.at(-1);
  if (!plan) throw new DocumentInputError('a contract needs a plan in the snapshot');
  const currency = s.budget.currency;

  page.keyValues([
    ['Contract No.', number],
    ['Date', page.day(date)],
    ['Project', `${s.title} (${s.projectId})`],
  ]);
  page.parties(s);
  page.paragraph(
    `${page.agency.name} (the Agency) undertakes to carry out the work below for ${s.client.name} (the Client), ` +
      `and the Client undertakes to accept and pay for it on the terms of this contract.`,
  );

  page.section('Subject');
  page.paragraph(s.title, { bold: true });
  page.paragraph(truncate(s.brief, 3_000));

  page.section(`Work and price (plan version ${plan.version})`);
  page.table(
    [
      { header: '#', kind: 'fixed' },
      { header: 'Task', kind: 'text' },
      { header: 'Department', kind: 'text' },
      { header: 'Estimate', kind: 'fixed', align: 'right' },
      { header: 'Due', kind: 'fixed' },
      { header: 'Price', kind: 'fixed', align: 'right' },
    ],
    plan.tasks.map((t, i) => [
      String(i + 1),
      t.title,
      whole(departmentName(t.department)),
      `${fmtNumber(t.estimateHours)} h`,
      page.day(t.dueAt),
      fmtMoney(t.price, currency),
    ]),
  );
  const total = plan.total;
  page.totals([[`Total`, fmtMoney(total, currency)]]);

  page.section('Terms');
  const prepayment = percentOf(total, plan.prepaymentPercent, currency);
  const remainder = subtractAmounts(total, prepayment, currency);
  page.bullets([
    plan.prepaymentPercent === 0
      ? `No prepayment: the total is invoiced on acceptance of the work.`
      : remainder > 0
        ? `Prepayment: ${fmtNumber(plan.prepaymentPercent)}% of the total (${fmtMoney(prepayment, currency)}), invoiced on approval; ` +
          `the remainder (${fmtMoney(remainder, currency)}) is invoiced on acceptance.`
        : // No invoice of nothing is promised: the whole price is the prepayment.
          `Prepayment: the whole total (${fmtMoney(prepayment, currency)}), invoiced on approval; nothing more is invoiced on acceptance.`,
    `Payment terms: each invoice is payable within ${fmtDuration(s.policy.paymentTermsMs)} of its date.`,
    `Client revision rounds included in the price: ${plan.includedRevisionRounds}. Further rounds are priced separately.`,
    `Desired completion: ${page.day(s.desiredDeadline)}. Each task's due date is listed above.`,
    // The workflow moves the dates by the wait (patch dates-from-prepayment): the paper says so.
    ...(s.policy.startAfterPrepayment && plan.prepaymentPercent > 0
      ? [`The work starts once the prepayment is received. The due dates above assume it is received on the date of this contract; each moves later by as long as it takes to arrive.`]
      : []),
    // A reminder after the first window, acceptance after the second (the project's workflow).
    `The Client reviews the delivered work within ${fmtDuration(s.policy.acceptanceWindowMs)}; without an answer by then the Client is reminded, ` +
      `and without an answer ${fmtDuration(s.policy.acceptanceWindowMs)} after the reminder the work is deemed accepted.`,
  ]);
  page.signatures(s);
}

const INVOICE_KIND_NAMES: Record<InvoiceKind, string> = {
  prepayment: 'prepayment',
  final: 'final',
  cancellation: 'cancellation',
  credit_note: 'credit note',
};

/** `INV-2026-000007` or `INV-2026-000007, INV-2026-000009`. */
const numbers = (invoices: InvoiceView[]): string => invoices.map((i) => i.number).join(', ');

/** The lines every invoice prints: the number, the dates, the project and the contract. */
/** `due` left out: nothing falls due (a credit note wholly set off on its date of issue). */
function invoiceHeading(page: Page, s: ProjectStatus, invoice: InvoiceContent, labels: { number: string; due?: string }): void {
  const contract = [...s.documents].reverse().find((d) => d.kind === 'contract');
  page.keyValues([
    [labels.number, invoice.number],
    ['Date of issue', page.day(invoice.issuedAt)],
    ...(labels.due !== undefined ? ([[labels.due, page.day(invoice.dueAt)]] as [string, string][]) : []),
    ['Project', `${s.title} (${s.projectId})`],
    ...(contract?.number ? ([['Contract No.', contract.number]] as [string, string][]) : []),
  ]);
}

function itemsTable(page: Page, invoice: InvoiceContent, header = 'Description'): void {
  page.table(
    [
      { header: '#', kind: 'fixed' },
      { header, kind: 'text' },
      { header: 'Amount', kind: 'fixed', align: 'right' },
    ],
    invoice.lines.map((line, i) => [String(i + 1), line.description, fmtMoney(line.amount, invoice.currency)]),
  );
}

/**
 * The cancellation as the client's papers (its invoice, its credit note) state it: when, and how
 * far the work had come. Never the reason: that is the agency's own note, typed for colleagues
 * ("pays late; not worth our time"), as the client's mail leaves it out; the final report, which is
 * management's, keeps it.
 */
/** "while the work was under way", as the mail says it; a stage a cancellation cannot meet by its name. */
const whenCancelled = (stage: string): string => cancelledWhile(stage) ?? `at the ${stageName(stage)} stage`;

function cancellationFacts(s: ProjectStatus, dates: DateWords): string {
  if (!s.cancellation) return 'The project was cancelled.';
  return `The project was cancelled on ${dates.day(s.cancellation.at)} ${whenCancelled(s.cancellation.stageAtCancel)}.`;
}

function renderInvoice(page: Page, s: ProjectStatus, invoice: InvoiceContent): void {
  const currency = invoice.currency;
  const prepayments = s.invoices.filter((i) => i.kind === 'prepayment');
  invoiceHeading(page, s, invoice, { number: 'Invoice No.', due: 'Due date' });
  page.parties(s, 'Bill to');

  const cancellation = invoice.kind === 'cancellation';
  page.section(cancellation ? 'Work accepted before the cancellation' : 'Items');
  itemsTable(page, invoice, cancellation ? 'Work accepted' : 'Description');
  const subtotal = sumAmounts(invoice.lines.map((l) => l.amount), currency);
  // The final invoice deducts the prepayment invoiced (chased on its own); a cancellation only
  // what was actually received, since an unpaid prepayment is voided instead.
  const deductedFrom = cancellation ? prepayments.filter((i) => i.paidAmount > 0 || netSetOff(i) > 0) : prepayments;
  const deductionLabel = cancellation ? 'Less prepayment received' : 'Less prepayment';
  page.totals([
    [cancellation ? 'Accepted work' : 'Subtotal', fmtMoney(subtotal, currency)],
    ...(invoice.prepaymentDeducted
      ? ([
          [
            `${deductionLabel}${deductedFrom.length > 0 ? ` (${numbers(deductedFrom)})` : ''}`,
            `-${fmtMoney(invoice.prepaymentDeducted, currency)}`,
          ],
        ] as [string, string][])
      : []),
    ...compensationRows(s, invoice, 'Less compensation agreed', '-', page.dates),
    ['Amount due', fmtMoney(invoice.amount, currency)],
  ]);
  compensationReasons(page, s, invoice);

  if (cancellation) {
    page.section('Cancellation');
    page.paragraph(`${cancellationFacts(s, page.dates)} This invoice covers only the work finished (delivered and accepted in review) up to the cancellation.`);
    const voided = prepayments.filter((i) => i.status === 'void');
    for (const v of voided) {
      page.paragraph(
        `Prepayment invoice ${v.number} (${fmtMoney(v.amount, v.currency)}) is void: the unpaid ` +
          `${fmtMoney(v.voidedAmount ?? 0, v.currency)} is no longer owed and must not be paid` +
          (v.paidAmount > 0 ? `; the ${fmtMoney(v.paidAmount, v.currency)} paid on it is deducted above` : '') +
          (netSetOff(v) > 0 ? `; the ${fmtMoney(netSetOff(v), v.currency)} of credit notes set against it is deducted above as received.` : '.'),
      );
    }
  }

  page.section('Payment terms');
  page.paragraph(
    `Please pay ${fmtMoney(invoice.amount, currency)} by ${page.day(invoice.dueAt)} ` +
      `(${fmtDuration(Date.parse(invoice.dueAt) - Date.parse(invoice.issuedAt))} from the date of issue), ` +
      `quoting ${invoice.number} as the payment reference.`,
  );
  page.keyValues([
    ['Bank details', page.agency.bankDetails],
    ['Questions', `your account manager, ${page.contact(s.managerId)}`],
  ]);
}

/** One totals row per compensation an invoice takes off (`-`) or a credit note gives back (`+`). */
function compensationRows(s: ProjectStatus, invoice: InvoiceContent, label: string, sign: '-' | '+', dates: DateWords): [string, string][] {
  return (invoice.compensations ?? []).map((c) => {
    // The client knows a complaint by when they made it, not by the agency's id for it.
    const made = s.complaints.find((k) => k.complaintId === c.complaintId)?.at;
    return [`${label} (${made ? `complaint of ${dates.day(made)}` : 'complaint'})`, `${sign === '-' ? '-' : ''}${fmtMoney(c.amount, invoice.currency)}`];
  });
}

/** What each compensation on the paper was agreed for: the complaint (not the resolution's wording, which is the agency's own note). */
function compensationReasons(page: Page, s: ProjectStatus, invoice: InvoiceContent): void {
  const agreed = (invoice.compensations ?? []).map((c) => ({ c, complaint: s.complaints.find((k) => k.complaintId === c.complaintId) }));
  if (agreed.length === 0) return;
  page.section(agreed.length === 1 ? 'Compensation' : 'Compensations');
  for (const { c, complaint } of agreed) {
    page.paragraph(
      // The Client knows their complaint by its day and their words, not by the agency's id for it.
      `${fmtMoney(c.amount, invoice.currency)} agreed in resolving ` +
        (complaint ? `the Client's complaint of ${page.day(complaint.at)} (“${complaint.description.trim()}”).` : `a complaint of the Client.`),
    );
  }
}

/** Money given back after the final invoice: the compensations agreed in resolving complaints. */
function renderCompensationCreditNote(page: Page, s: ProjectStatus, note: InvoiceContent): void {
  const currency = note.currency;
  // Set against invoices the Client has not paid: those ask that much less, and only the rest is refunded.
  const setOffs = note.setOffs ?? [];
  const refund = subtractAmounts(note.amount, sumAmounts(setOffs.map((o) => o.amount), currency), currency);
  invoiceHeading(page, s, note, { number: 'Credit note No.', ...(refund > 0 && { due: 'Refund due by' }) });
  page.parties(s, 'Owed to');
  // A credit note names the invoice it corrects (accountants, and VAT rules in most of the EU, ask it).
  const corrected = invoiceCorrected(s, note);
  if (corrected) page.paragraph(`Credit note to ${INVOICE_KIND_NAMES[corrected.kind]} invoice ${corrected.number} of ${page.day(corrected.issuedAt)}.`);
  // Owed in cash only what is not set against unpaid invoices: the headline says which.
  page.paragraph(
    setOffs.length === 0
      ? `${page.agency.name} owes ${s.client.name} ${fmtMoney(note.amount, currency)}, the compensation agreed for a complaint about the work.`
      : `${page.agency.name} credits ${s.client.name} ${fmtMoney(note.amount, currency)}, the compensation agreed for a complaint about the work: ` +
          `${fmtMoney(subtractAmounts(note.amount, refund, currency), currency)} of it is taken off what the Client has not paid` +
          (refund > 0 ? `, and ${fmtMoney(refund, currency)} is refunded.` : ', so nothing is paid out.'),
    { bold: true },
  );
  compensationReasons(page, s, note);
  page.totals([
    ...compensationRows(s, note, 'Compensation agreed', '+', page.dates),
    ...setOffs.map((o): [string, string] => [`Set against invoice ${o.invoiceNumber} (not yet paid in full)`, `-${fmtMoney(o.amount, currency)}`]),
    ['Refund owed to the Client', fmtMoney(refund, currency)],
  ]);
  setOffSection(page, note);
  if (refund > 0) refundParagraph(page, s, note, refund);
}

/** A credit note's part taken off invoices the Client had not paid in full: each, and what it asks now. */
function setOffSection(page: Page, note: InvoiceContent): void {
  const setOffs = note.setOffs ?? [];
  if (setOffs.length === 0) return;
  page.section('Set against unpaid invoices');
  for (const o of setOffs) {
    page.paragraph(
      `${fmtMoney(o.amount, note.currency)} of this credit note is taken off invoice ${o.invoiceNumber}, which the Client had not paid in full: ` +
        (o.stillOwed > 0 ? `it now asks ${fmtMoney(o.stillOwed, note.currency)}, and only that is to be paid.` : 'nothing is left to pay on it.'),
    );
  }
}

/**
 * What the Client paid beyond an invoice, given back: first taken off what they have not paid yet
 * (a prepayment paid twice over makes the final invoice ask less), the rest refunded.
 */
function renderOverpaymentCreditNote(page: Page, s: ProjectStatus, note: InvoiceContent): void {
  const currency = note.currency;
  const setOffs = note.setOffs ?? [];
  const refund = subtractAmounts(note.amount, sumAmounts(setOffs.map((o) => o.amount), currency), currency);
  const overpaid = s.invoices.find((i) => i.number === note.overpaymentOf);
  invoiceHeading(page, s, note, { number: 'Credit note No.', ...(refund > 0 && { due: 'Refund due by' }) });
  page.parties(s, 'Owed to');
  if (overpaid) page.paragraph(`Credit note to ${INVOICE_KIND_NAMES[overpaid.kind]} invoice ${overpaid.number} of ${page.day(overpaid.issuedAt)}.`);
  const beyond = `paid beyond what invoice ${note.overpaymentOf} asked`;
  page.paragraph(
    setOffs.length === 0
      ? `${page.agency.name} owes ${s.client.name} ${fmtMoney(note.amount, currency)}, ${beyond}.`
      : `${page.agency.name} credits ${s.client.name} ${fmtMoney(note.amount, currency)}, ${beyond}: ` +
          `${fmtMoney(subtractAmounts(note.amount, refund, currency), currency)} of it is taken off what the Client has not paid` +
          (refund > 0 ? `, and ${fmtMoney(refund, currency)} is refunded.` : ', so nothing is paid out.'),
    { bold: true },
  );
  if (overpaid) {
    page.section('Why');
    page.paragraph(`Invoice ${overpaid.number} asked ${fmtMoney(overpaid.amount, currency)}; the Client paid ${fmtMoney(overpaid.paidAmount, currency)} on it.`);
  }
  page.totals([
    [`Paid beyond invoice ${note.overpaymentOf}`, fmtMoney(note.amount, currency)],
    ...setOffs.map((o): [string, string] => [`Set against invoice ${o.invoiceNumber} (not yet paid in full)`, `-${fmtMoney(o.amount, currency)}`]),
    ['Refund owed to the Client', fmtMoney(refund, currency)],
  ]);
  setOffSection(page, note);
  if (refund > 0) refundParagraph(page, s, note, refund);
}

/**
 * The invoice a compensation's credit note corrects: the final invoice, after which compensations
 * are given back by credit note, else (nothing was left to bill at the end) the last invoice the
 * project billed before the note.
 */
function invoiceCorrected(s: ProjectStatus, note: InvoiceContent): ProjectStatus['invoices'][number] | undefined {
  const billed = s.invoices.filter(
    (i) => i.kind !== 'credit_note' && i.status !== 'void' && i.number !== note.number && Date.parse(i.issuedAt) <= Date.parse(note.issuedAt),
  );
  return billed.find((i) => i.kind === 'final') ?? billed.at(-1);
}

function refundParagraph(page: Page, s: ProjectStatus, note: InvoiceContent, refund = note.amount): void {
  page.section('Refund');
  page.paragraph(
    `The Agency refunds ${fmtMoney(refund, note.currency)} to the Client by ${page.day(note.dueAt)}, by bank transfer to the ` +
      `account the Client names. The Agency does not hold the Client's bank details: please send them ` +
      `(account holder, IBAN or account number, bank name and BIC/SWIFT) to your account manager, ` +
      `${page.contact(s.managerId)}, by replying to the e-mail this credit note came with, quoting ${note.number}.`,
  );
}

/**
 * Money the Agency owes back: a cancelled project's prepayment was more than the work accepted
 * (less any compensation agreed), or a compensation agreed after the final invoice.
 */
function renderCreditNote(page: Page, s: ProjectStatus, note: InvoiceContent): void {
  if (note.refundsCompensation) return renderCompensationCreditNote(page, s, note);
  if (note.overpaymentOf !== undefined) return renderOverpaymentCreditNote(page, s, note);
  const currency = note.currency;
  const accepted = sumAmounts(note.lines.map((l) => l.amount), currency);
  const compensated = sumAmounts((note.compensations ?? []).map((c) => c.amount), currency);
  const received = note.prepaymentDeducted ?? subtractAmounts(sumAmounts([accepted, note.amount], currency), compensated, currency);
  const prepaid = s.invoices.filter((i) => i.kind === 'prepayment' && i.paidAmount > 0);

  invoiceHeading(page, s, note, { number: 'Credit note No.', due: 'Refund due by' });
  page.parties(s, 'Owed to');
  page.paragraph(
    `${page.agency.name} owes ${s.client.name} ${fmtMoney(note.amount, currency)}: the prepayment received` +
      `${compensated > 0 ? ', with the compensation agreed,' : ''} is more than ` +
      `the work accepted before the project was cancelled, and the difference is refunded.`,
    { bold: true },
  );

  page.section('Why');
  page.paragraph(
    `${cancellationFacts(s, page.dates)} The Client had paid ${fmtMoney(received, currency)} in advance` +
      `${prepaid.length > 0 ? ` (prepayment invoice ${numbers(prepaid)})` : ''}; ` +
      `the work accepted up to the cancellation is worth ${fmtMoney(accepted, currency)}.`,
  );

  page.section('Work accepted before the cancellation');
  if (note.lines.length === 0) page.paragraph('No work was accepted before the cancellation.');
  else itemsTable(page, note, 'Work accepted');
  page.totals([
    ['Prepayment received', fmtMoney(received, currency)],
    ['Less work accepted', `-${fmtMoney(accepted, currency)}`],
    ...compensationRows(s, note, 'Plus compensation agreed', '+', page.dates),
    ['Refund owed to the Client', fmtMoney(note.amount, currency)],
  ]);
  compensationReasons(page, s, note);
  refundParagraph(page, s, note);
}

function renderAcceptanceAct(page: Page, s: ProjectStatus, date: string): void {
  const currency = s.budget.currency;
  const contract = [...s.documents].reverse().find((d) => d.kind === 'contract');
  page.keyValues([
    ['Date', page.day(date)],
    ['Project', `${s.title} (${s.projectId})`],
    ...(contract?.number ? ([['Under contract No.', contract.number]] as [string, string][]) : []),
  ]);
  page.parties(s);
  // The waiver the Client signs: true only if every complaint, and what settled it, is on this paper.
  page.paragraph(
    `The Agency has delivered and the Client accepts the work listed below. The parties have no claims ` +
      `against each other regarding its scope, quality and timing` +
      (s.complaints.length > 0 ? `, except as recorded in this act (Complaints, below).` : '.'),
  );

  page.section('Work accepted');
  const delivered = s.tasks.filter((t) => t.status !== 'cancelled');
  const extraRounds = s.revisions.filter((r) => r.beyondIncluded && r.extraPrice > 0);
  page.table(
    [
      { header: '#', kind: 'fixed' },
      { header: 'Work', kind: 'text' },
      { header: 'Department', kind: 'text' },
      { header: 'Accepted', kind: 'fixed' },
      { header: 'Price', kind: 'fixed', align: 'right' },
    ],
    [
      ...delivered.map((t, i) => [
        String(i + 1),
        // A revision's own title names its round already ("Revision 1 (design)").
        t.revisionRound && !t.title.startsWith(`Revision ${t.revisionRound}`) ? `${t.title} (revision round ${t.revisionRound})` : t.title,
        whole(departmentName(t.department)),
        t.acceptedAt ? page.day(t.acceptedAt) : statusName(t.status),
        fmtMoney(t.price, currency),
      ]),
      ...extraRounds.map((r, i) => [
        String(delivered.length + i + 1),
        `Revision round ${r.round} beyond the included rounds`,
        r.departments.map((d) => whole(departmentName(d))).join(', '),
        page.day(r.requestedAt),
        fmtMoney(r.extraPrice, currency),
      ]),
    ],
  );
  const total = sumAmounts([...delivered.map((t) => t.price), ...extraRounds.map((r) => r.extraPrice)], currency);
  // The compensations come off the price here as they do on the invoices, so the act's net is what
  // the Client is billed in all (the final invoice sent with it says "Less compensation agreed").
  const compensated = s.complaints.filter((c) => c.compensation !== undefined);
  if (compensated.length === 0) page.totals([['Total', fmtMoney(total, currency)]]);
  else {
    const off = (c: ProjectStatus['complaints'][number]): number => c.compensation!.takenOff ?? c.compensation!.amount;
    page.totals([
      ['Price of the work', fmtMoney(total, currency)],
      ...compensated.map((c): [string, string] => [`Less compensation agreed (complaint of ${page.day(c.at)})`, `-${fmtMoney(off(c), currency)}`]),
      ['Total after compensation', fmtMoney(subtractAmounts(total, sumAmounts(compensated.map(off), currency), currency), currency)],
    ]);
    const billing = actBilling(s);
    if (billing) page.paragraph(billing);
  }

  if (s.complaints.length > 0) {
    page.section('Complaints');
    page.bullets(s.complaints.map((c) => complaintInAct(s, c, page.dates)));
  }

  const acceptance = [...s.feedback].reverse().find((f) => f.kind === 'accepted' || f.kind === 'deemed_accepted');
  if (acceptance) {
    page.section("Client's acceptance");
    // No rating: it is the Agency's own measure of the Client's satisfaction (the final report has it), not a term of this paper.
    page.paragraph(
      acceptance.kind === 'accepted'
        ? `Accepted on ${page.day(acceptance.at)}${acceptance.comment ? `: "${acceptance.comment}"` : '.'}`
        : `Deemed accepted on ${page.day(acceptance.at)}: the Client did not answer within the acceptance window.`,
    );
  }
  page.signatures(s);
}

/**
 * The final invoice the act comes with. The act is made just before it is issued, so it is worked
 * out here by the workflow's own rule (the plan, less the prepayment invoiced and the compensations
 * no invoice carries yet); an act made after it names the one issued.
 */
function finalBill(s: ProjectStatus): { number?: string; amount: number } | undefined {
  const issued = s.invoices.find((i) => i.kind === 'final');
  if (issued) return { number: issued.number, amount: issued.amount };
  if (s.approvedPlanVersion === undefined || s.cancellation) return undefined;
  return { amount: finalInvoiceContent(s).amount };
}

/** How the total after compensation is billed: the prepayment invoiced, and what the final invoice asks. */
function actBilling(s: ProjectStatus): string | undefined {
  const currency = s.budget.currency;
  const final = finalBill(s);
  if (!final) return undefined;
  const prepayments = s.invoices.filter((i) => i.kind === 'prepayment' && i.status !== 'void');
  const prepaid = prepayments.length > 0 ? `the prepayment invoiced (${numbers(prepayments)}, ${fmtMoney(sumAmounts(prepayments.map((i) => i.amount), currency), currency)})` : undefined;
  // A compensation agreed after the final invoice (not on an act made before it) is given back by a credit note of its own.
  const notes = s.invoices.filter((i) => i.kind === 'credit_note' && s.complaints.some((c) => c.compensation?.invoiceNumber === i.number));
  const credited = notes.length > 0 ? ` (before the compensation credited by ${notes.length === 1 ? 'credit note' : 'credit notes'} ${numbers(notes)})` : '';
  if (final.amount <= 0) return prepaid ? `Nothing is left to invoice: ${prepaid} covers the total after compensation.` : 'Nothing is left to invoice.';
  return `${final.number ? `Final invoice ${final.number}` : 'The final invoice sent with this act'} asks ${fmtMoney(final.amount, currency)}: the total after compensation${prepaid ? ` less ${prepaid}` : ''}${credited}.`;
}

/** One complaint as the act records it: when the Client made it, in their words, and how it was settled (or that it is still open). */
function complaintInAct(s: ProjectStatus, c: ProjectStatus['complaints'][number], dates: DateWords): string {
  const currency = s.budget.currency;
  const made = `Complaint of ${dates.day(c.at)} (“${c.description.trim()}”)`;
  if (!c.resolvedAt) return `${made}: not resolved at the date of this act. The Client's claims under it are not waived by this act.`;
  const resolved = `${made}: resolved on ${dates.day(c.resolvedAt)}`;
  const comp = c.compensation;
  if (!comp) return `${resolved}; no compensation was agreed.`;
  const agreed = `${resolved} with a compensation of ${fmtMoney(comp.amount, currency)}`;
  // Less than agreed came off a cancelled project's bill: the work accepted allowed no more.
  const part = comp.takenOff !== undefined && comp.takenOff < comp.amount ? `${fmtMoney(comp.takenOff, currency)} of it ` : '';
  if (!comp.settled) {
    const final = finalBill(s);
    return final && final.amount > 0 ? `${agreed}, taken off the final invoice sent with this act.` : `${agreed}, taken off the price above: nothing is left to invoice.`;
  }
  if (!comp.invoiceNumber) return `${agreed}, ${part}taken off the price above: nothing was left to invoice.`;
  const note = s.invoices.find((i) => i.number === comp.invoiceNumber && i.kind === 'credit_note');
  if (!note) return `${agreed}, ${part}taken off invoice ${comp.invoiceNumber}.`;
  // A credit note set against an invoice the Client had not paid takes that part off it; only the rest goes back in cash.
  const setOff = netSetOff(note);
  if (setOff <= 0) return `${agreed}, refunded by credit note ${note.number}.`;
  const against = [...new Set(setOffsOf(note).map((o) => o.invoiceNumber))].join(', ');
  const refund = subtractAmounts(note.amount, setOff, currency);
  return `${agreed}, by credit note ${note.number}: ${fmtMoney(setOff, currency)} of it taken off invoice ${against}${refund > 0 ? `, ${fmtMoney(refund, currency)} refunded` : ''}.`;
}

/** What happened to the project, in one line: `Completed on 2026-04-02`. */
function outcome(s: ProjectStatus, dates: DateWords): string {
  if (s.cancellation) return `Cancelled on ${dates.day(s.cancellation.at)} ${whenCancelled(s.cancellation.stageAtCancel)}`;
  if (s.completedAt) return `Completed on ${dates.day(s.completedAt)}`;
  return `Not finished (${stageName(s.stage)})`;
}

/** Whether a task's first delivery met the plan's due date. */
function timing(t: ProjectStatus['tasks'][number]): string {
  if (t.onTime === true) return 'on time';
  if (t.onTime === false) return 'late';
  return t.status === 'cancelled' ? 'cancelled' : 'not delivered';
}

function renderFinalReport(page: Page, s: ProjectStatus, date: string): void {
  const currency = s.budget.currency;
  const person = (id: string | undefined): string => (id ? page.person(id) : '—');

  page.keyValues([
    ['Date', page.day(date)],
    ['Project', `${s.title} (${s.projectId})`],
    ['Client', `${s.client.name} <${s.client.email}>, ${s.segment}`],
    ['Account manager', person(s.managerId)],
    ['Departments', s.departments.map(departmentName).join(', ')],
    ['Outcome', outcome(s, page.dates)],
    ['Budget', fmtMoney(s.budget.amount, s.budget.currency)],
    ['Request received', page.time(s.intakeAt)],
    ['First plan sent', s.firstPlanAt ? `${page.time(s.firstPlanAt)} (response time ${fmtDuration(s.responseTimeMs ?? 0)})` : '—'],
    ['Desired deadline', page.day(s.desiredDeadline)],
  ]);

  if (s.cancellation) {
    page.section('Cancellation');
    page.paragraph(
      `The project was cancelled on ${page.time(s.cancellation.at)} by ${person(s.cancellation.by)} ` +
        `${whenCancelled(s.cancellation.stageAtCancel)}. Reason: ${s.cancellation.reason}`,
    );
  }

  page.section('Plan versions and decisions');
  page.table(
    [
      { header: 'Version', kind: 'text' },
      { header: 'Submitted', kind: 'fixed' },
      { header: 'By', kind: 'text' },
      { header: 'Tasks', kind: 'fixed', align: 'right' },
      { header: 'Total', kind: 'fixed', align: 'right' },
      { header: 'Decision', kind: 'text' },
    ],
    s.plans.map((p) => [
      `v${p.version}${p.version === s.approvedPlanVersion ? ' (approved)' : ''}`,
      page.time(p.submittedAt),
      person(p.submittedBy),
      String(p.tasks.length),
      fmtMoney(p.total, currency),
      p.decision
        ? `${p.decision.decision === 'approve' ? 'Approved' : 'Sent back'} by ${person(p.decision.by)} on ` +
          `${whole(page.time(p.decision.at))}${p.decision.comment ? `: ${p.decision.comment}` : ''}`
        : 'No decision',
    ]),
  );

  page.section('Tasks');
  page.table(
    [
      { header: 'Task', kind: 'text' },
      { header: 'Department', kind: 'text' },
      { header: 'Assignee', kind: 'text' },
      { header: 'Due (plan)', kind: 'fixed' },
      { header: 'Moved to', kind: 'fixed' },
      { header: 'First delivery', kind: 'fixed' },
      { header: 'On time', kind: 'text' },
      { header: 'Review rounds', kind: 'fixed', align: 'right' },
    ],
    s.tasks.map((t) => {
      const planned = t.originalDueAt ?? t.dueAt;
      return [
        t.revisionRound ? `${t.title} (revision ${t.revisionRound})` : t.title,
        whole(departmentName(t.department)),
        person(t.assigneeId),
        page.day(planned),
        t.dueAt !== planned ? page.day(t.dueAt) : '—',
        t.firstSubmittedAt ? page.day(t.firstSubmittedAt) : '—',
        whole(timing(t)),
        String(t.reviewRounds),
      ];
    }),
  );
  const judged = s.tasks.filter((t) => t.onTime !== undefined);
  page.paragraph(
    `${judged.filter((t) => t.onTime).length} of ${judged.length} delivered tasks on time (first delivery against the plan's due date); ` +
      `${plural(s.tasks.reduce((n, t) => n + t.reviewRounds, 0), 'review round')} in total.`,
  );

  page.section('Client revisions');
  if (s.revisions.length === 0) page.paragraph('None requested.');
  else
    page.table(
      [
        { header: 'Round', kind: 'fixed', align: 'right' },
        { header: 'Requested', kind: 'fixed' },
        { header: 'Departments', kind: 'text' },
        { header: 'Description', kind: 'text' },
        { header: 'Extra price', kind: 'fixed', align: 'right' },
      ],
      s.revisions.map((r) => [
        String(r.round),
        page.day(r.requestedAt),
        r.departments.map((d) => whole(departmentName(d))).join(', '),
        r.description,
        r.beyondIncluded ? fmtMoney(r.extraPrice, currency) : 'included',
      ]),
    );
  // Changes the client asked for (on their page, or by mail or phone as the manager recorded them), and how each was answered (a round above, or not).
  const requests = s.changeRequests ?? [];
  if (requests.length > 0) {
    const elsewhere = requests.some((r) => r.recordedBy !== undefined);
    page.paragraph(elsewhere ? 'Changes the client asked for:' : 'Changes asked for on the client\u2019s page:');
    page.bullets(
      requests.map(
        (r) =>
          `${page.day(r.at)}, ${r.clientContact}${elsewhere ? (r.recordedBy !== undefined ? ` (by mail or phone, recorded by ${page.person(r.recordedBy)})` : ' (on their page)') : ''}: ` +
          `${r.description} — ${changeRequestOutcome(r, page.dates)}`,
      ),
    );
  }

  page.section('Client feedback');
  if (s.feedback.length === 0) page.paragraph('No feedback recorded.');
  else {
    page.bullets(
      s.feedback.map((f) => {
        const what = FEEDBACK_NAMES[f.kind];
        const rating = f.rating !== undefined ? `, rating ${f.rating}/5` : '';
        const text = f.comment || f.description;
        const onTheirPage = f.clientContact !== undefined ? ` (${f.clientContact}, on the client's page)` : '';
        return `${page.day(f.at)}: ${what}${onTheirPage}${rating}${text ? ` — ${text}` : ''}`;
      }),
    );
    const ratings = s.feedback.flatMap((f) => (f.rating !== undefined ? [f.rating] : []));
    if (ratings.length > 0) {
      page.paragraph(`Rating: ${fmtNumber(ratings.reduce((a, b) => a + b, 0) / ratings.length)}/5.`, { bold: true });
    }
  }

  page.section('Complaints');
  if (s.complaints.length === 0) page.paragraph('No complaints.');
  else
    page.bullets(
      s.complaints.map(
        (c) =>
          `${c.complaintId}, ${page.day(c.at)} (${c.clientContact !== undefined ? `made by ${c.clientContact} on the client's page` : `recorded by ${person(c.recordedBy)}`}): ${c.description} — ` +
          (c.resolvedAt
            ? `resolved on ${page.day(c.resolvedAt)} by ${person(c.resolvedBy)}: ${c.resolution ?? ''}` +
              (c.compensation
                ? ` (compensation ${fmtMoney(c.compensation.amount, currency)}${c.compensation.invoiceNumber ? `, on ${c.compensation.invoiceNumber}` : ''})`
                : '')
            : 'not resolved'),
      ),
    );

  page.section('Invoices and payments');
  if (s.invoices.length === 0) page.paragraph('No invoices issued.');
  else renderInvoiceSummary(page, s, currency);

  page.section('Timeline');
  page.table(
    [
      { header: 'When', kind: 'fixed' },
      { header: 'Event', kind: 'text' },
      { header: 'Detail', kind: 'text' },
      { header: 'By', kind: 'text' },
    ],
    s.timeline.map((e) => [page.time(e.at), e.event.replace(/_/g, ' '), detailInWords(e.detail ?? '', s, person, page.dates), e.by ? person(e.by) : '']),
  );
}

/**
 * A timeline entry's detail as the report's reader reads it: the workflow records it terse
 * ("final_invoice INV-…", "total 2200.5", "c1: open since 2026-…Z", "logo (dima.design)").
 */
function detailInWords(detail: string, s: ProjectStatus, person: (id: string | undefined) => string, dates: DateWords): string {
  const currency = s.budget.currency;
  const titles = new Map(s.tasks.map((t) => [t.key, t.title]));
  return detail
    .replace(/(-?\d+(?:\.\d+)?) ([A-Z]{3})\b/g, (_, amount: string, code: string) => fmtMoney(Number(amount), code))
    .replace(/\btotal (\d+(?:\.\d+)?)$/, (_, amount: string) => `total ${fmtMoney(Number(amount), currency)}`)
    .replace(/: (\d+(?:\.\d+)?) owed$/, (_, amount: string) => `: ${fmtMoney(Number(amount), currency)} owed`)
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, (iso: string) => dates.time(iso))
    .replace(/\b1 tasks\b/g, '1 task')
    .replace(/^from ([a-z0-9][a-z0-9._-]*) to ([a-z0-9][a-z0-9._-]*)(?=:|$)/, (_, from: string, to: string) => `from ${person(from)} to ${person(to)}`)
    .replace(/\b(contract|prepayment_invoice|final_invoice|cancellation_invoice|acceptance_act|final_report|credit_note)\b/g, (kind: string) =>
      KIND_TITLES[kind as DocumentKind].toLowerCase(),
    )
    .replace(/^(prepayment|final|cancellation) (?=[A-Z]+-)/, (kind: string) => `${kind.trim()} invoice `)
    .replace(/^([a-z0-9][a-z0-9.-]*)(?= \(|$)/, (key: string) => titles.get(key) ?? key)
    // A person's id as their name (`person` gives "Name (id)" for people the directory knows).
    .replace(/\(([a-z0-9][a-z0-9._-]*)\)$/, (whole: string, id: string) => {
      const named = person(id).replace(` (${id})`, '');
      return named !== id && named !== '—' ? `(${named})` : whole;
    });
}

/** `paid`, `open`, `void since 2026-03-08`, `written off 2026-03-08`; a credit note is `refund due` or `refunded`. */
function invoiceStatus(inv: InvoiceView, dates: DateWords): string {
  if (inv.writtenOff) return whole(`written off ${dates.day(inv.writtenOff.at)}`);
  if (inv.status === 'void') return `void${inv.voidedAt ? ` since ${whole(dates.day(inv.voidedAt))}` : ''}`;
  // Settled with no money moved: a credit note wholly set against an unpaid invoice, or that invoice.
  if (inv.status === 'paid' && inv.paidAmount === 0 && (inv.setOffs ?? []).length > 0) return whole('set off');
  if (inv.kind === 'credit_note') return inv.status === 'paid' ? 'refunded' : whole('refund due');
  return inv.status;
}

/**
 * Every invoice as issued, what became of it, and totals of what is owed: voided parts are not
 * owed, and credit notes are money owed to the client, counted apart as refunds.
 */
function renderInvoiceSummary(page: Page, s: ProjectStatus, currency: string): void {
  const anyVoided = s.invoices.some((i) => i.status === 'void');
  page.table(
    [
      { header: 'Number', kind: 'fixed' },
      { header: 'Kind', kind: 'text' },
      { header: 'Issued', kind: 'fixed' },
      { header: 'Due', kind: 'fixed' },
      { header: 'Amount', kind: 'fixed', align: 'right' },
      { header: 'Paid / refunded', kind: 'fixed', align: 'right' },
      ...(anyVoided ? [{ header: 'Voided', kind: 'fixed', align: 'right' } as Column] : []),
      { header: 'Status', kind: 'text' },
    ],
    s.invoices.map((inv) => [
      inv.number,
      INVOICE_KIND_NAMES[inv.kind] ?? inv.kind,
      page.day(inv.issuedAt),
      page.day(inv.dueAt),
      fmtMoney(inv.amount, inv.currency),
      fmtMoney(inv.paidAmount, inv.currency),
      ...(anyVoided ? [inv.voidedAmount !== undefined ? fmtMoney(inv.voidedAmount, inv.currency) : '—'] : []),
      invoiceStatus(inv, page.dates),
    ]),
  );
  for (const v of s.invoices.filter((i) => i.status === 'void')) {
    const stays = v.paidAmount > 0 ? `; the ${fmtMoney(v.paidAmount, v.currency)} paid on it stays paid.` : '.';
    page.paragraph(
      v.writtenOff
        ? `${v.number} was written off on ${page.day(v.writtenOff.at)}: ${fmtMoney(v.writtenOff.amount, v.currency)} of it is not pursued (${v.writtenOff.reason})${stays}`
        : `${v.number} is void: ${fmtMoney(v.voidedAmount ?? 0, v.currency)} of it is not owed${v.voidReason ? ` (${v.voidReason})` : ''}${stays}`,
    );
  }
  const billed = s.invoices.filter((i) => i.kind !== 'credit_note');
  // Money that moved (payments, refunds) and credit notes set against unpaid invoices (no money moved), by date.
  const entries = [
    ...s.invoices.flatMap((inv) =>
      inv.payments.map((p) => ({
        at: p.paidAt,
        text:
          inv.kind === 'credit_note'
            ? `${page.day(p.paidAt)}: refund of ${fmtMoney(p.amount, inv.currency)} paid to the client against ${inv.number}, reference ${p.reference}`
            : `${page.day(p.paidAt)}: ${fmtMoney(p.amount, inv.currency)} received against ${inv.number}, reference ${p.reference}`,
      })),
    ),
    ...billed.flatMap((inv) =>
      setOffsOf(inv).map((o) => ({
        at: o.at,
        text:
          o.amount >= 0
            ? `${page.day(o.at)}: credit note ${o.invoiceNumber} set against ${inv.number}, ${fmtMoney(o.amount, inv.currency)} (no money moved)`
            : `${page.day(o.at)}: ${fmtMoney(-o.amount, inv.currency)} of credit note ${o.invoiceNumber} no longer set against ${inv.number}, which was paid in full: refunded instead`,
      })),
    ),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (entries.length > 0) page.bullets(entries.map((e) => e.text));
  const owed = subtractAmounts(
    sumAmounts(billed.map((i) => i.amount), currency),
    sumAmounts(billed.map((i) => i.voidedAmount ?? 0), currency),
    currency,
  );
  const paid = sumAmounts(billed.map((i) => i.paidAmount), currency);
  const setOff = sumAmounts(billed.flatMap((i) => setOffsOf(i).map((o) => o.amount)), currency);
  page.totals([
    ['Invoiced and owed (voided parts excluded)', fmtMoney(owed, currency)],
    ['Paid by the client', fmtMoney(paid, currency)],
    ...(setOff > 0 ? ([['Set off by credit notes', fmtMoney(setOff, currency)]] as [string, string][]) : []),
    ['Outstanding', fmtMoney(subtractAmounts(owed, sumAmounts([paid, setOff], currency), currency), currency)],
  ]);
  const credits = s.invoices.filter((i) => i.kind === 'credit_note');
  if (credits.length > 0) {
    const credited = sumAmounts(credits.map((i) => subtractAmounts(i.amount, i.voidedAmount ?? 0, currency)), currency);
    const refundsOwed = subtractAmounts(credited, setOff, currency);
    const refunded = sumAmounts(credits.map((i) => i.paidAmount), currency);
    page.totals([
      ...(setOff > 0
        ? ([
            ['Credit notes', fmtMoney(credited, currency)],
            ['Less set against unpaid invoices', `-${fmtMoney(setOff, currency)}`],
          ] as [string, string][])
        : []),
      ['Refunds owed to the client (credit notes)', fmtMoney(refundsOwed, currency)],
      ['Refunds paid', fmtMoney(refunded, currency)],
      ['Refunds still to pay', fmtMoney(subtractAmounts(refundsOwed, refunded, currency), currency)],
    ]);
  }
}

const setOffsOf = (invoice: InvoiceView): NonNullable<InvoiceView['setOffs']> => invoice.setOffs ?? [];
/** What credit notes set against an invoice cover, net of set-offs undone. */
const netSetOff = (invoice: InvoiceView): number => sumAmounts(setOffsOf(invoice).map((o) => o.amount), invoice.currency);

/** How a request for changes from the client's page was answered, in the report's words. */
function changeRequestOutcome(r: NonNullable<ProjectStatus['changeRequests']>[number], dates: DateWords): string {
  if (r.outcome === 'round_recorded') return `round ${r.round ?? '?'} recorded for it`;
  if (r.outcome === 'declined') return `answered without a round on ${dates.day(r.answeredAt ?? r.at)}: ${r.reply ?? ''}`;
  if (r.outcome === 'accepted_instead') return 'the work was accepted before an answer';
  if (r.outcome === 'project_cancelled') return `not answered: the project was cancelled on ${dates.day(r.answeredAt ?? r.at)}`;
  return 'not answered';
}

const FEEDBACK_NAMES: Record<ProjectStatus['feedback'][number]['kind'], string> = {
  accepted: 'accepted',
  revisions_requested: 'revisions requested',
  complaint: 'complaint',
  deemed_accepted: 'deemed accepted (no answer within the acceptance window)',
};

// ---------------------------------------------------------------------------------------------
// Layout: a thin writer over pdfkit that keeps tables on the page and the fonts consistent
// ---------------------------------------------------------------------------------------------

/**
 * A table column. Its width is not given but measured from what it holds, so that a word or a
 * date is never cut whatever the names, amounts and currencies of a project are:
 * - `fixed` cells (dates, amounts, numbers, invoice numbers) never wrap: the column is as wide as
 *   its widest cell;
 * - `text` cells wrap at spaces only: the column is at least as wide as its longest word, and
 *   only a token that could not fit on any line of the page (a long URL) is hyphenated.
 */
interface Column {
  header: string;
  kind: 'text' | 'fixed';
  align?: 'left' | 'right';
}

const REGULAR = 'Body';
const BOLD = 'Body-Bold';
const BODY_SIZE = 9.5;
/** Tables start at this size and step down (to the minimum) until their columns fit the page. */
const TABLE_SIZE = 8.5;
const MIN_TABLE_SIZE = 6.5;
const CELL_PADDING = 3;
/** Glues a date-time (or any phrase) so that a text cell never wraps inside it. */
const NBSP = '\u00a0';
/** A cell longer than this is cut: the full text lives in the API, the paper stays readable. */
const MAX_CELL_CHARS = 600;

/** `2026-03-01 17:00 UTC` that stays on one line inside wrapped text. */
const whole = (text: string): string => text.replace(/ /g, NBSP);

interface TableLayout {
  size: number;
  widths: number[];
}

class Page {
  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly ctx: RenderContext,
  ) {}

  get agency(): AgencyDetails {
    return this.ctx.agency;
  }

  /** Dates as the agency's papers print them: in its zone (AGENCY_TIME_ZONE). */
  get dates(): DateWords {
    return datesIn(this.ctx.agency.timeZone);
  }

  /** `2026-03-01`: the day in the agency's zone. */
  day(iso: string): string {
    return this.dates.day(iso);
  }

  /** `2026-03-01 18:00 CET`. */
  time(iso: string): string {
    return this.dates.time(iso);
  }

  person(id: string): string {
    // A client answering on their own page acts by their client's id, never a person's.
    if (id.startsWith('client:')) return 'the client (on their page)';
    const name = this.ctx.personName?.(id);
    return name ? `${name} (${id})` : id;
  }

  /** `Anna Petrova (anna.manager@agency.example)`: whom the client writes to. */
  contact(id: string): string {
    const name = this.ctx.personName?.(id) ?? id;
    const email = this.ctx.personEmail?.(id);
    return email ? `${name} (${email})` : name;
  }

  private get left(): number {
    return this.doc.page.margins.left;
  }

  private get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  private get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  private get top(): number {
    return this.doc.page.margins.top;
  }

  private ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  letterhead(): void {
    const { doc, agency } = this;
    doc.font(BOLD).fontSize(14).text(agency.name, this.left, doc.y, { width: this.width });
    doc.font(REGULAR).fontSize(8.5).fillColor('#333333');
    doc.text(agency.address, { width: this.width });
    doc.text(`Tax ID: ${agency.taxId}`, { width: this.width });
    doc.text(`Bank details: ${agency.bankDetails}`, { width: this.width });
    doc.fillColor('black');
    doc.moveDown(0.5);
    this.rule();
    doc.moveDown(0.8);
  }

  title(text: string): void {
    this.doc.font(BOLD).fontSize(17).text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.6);
  }

  section(text: string): void {
    this.ensureSpace(60);
    this.doc.moveDown(0.8);
    this.doc.font(BOLD).fontSize(11.5).text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  paragraph(text: string, options: { bold?: boolean } = {}): void {
    this.doc
      .font(options.bold ? BOLD : REGULAR)
      .fontSize(BODY_SIZE)
      .text(text, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  bullets(items: string[]): void {
    for (const item of items) {
      this.doc.font(REGULAR).fontSize(BODY_SIZE).text(`•  ${item}`, this.left + 6, this.doc.y, { width: this.width - 6 });
      this.doc.moveDown(0.15);
    }
    this.doc.x = this.left;
  }

  keyValues(pairs: [string, string][]): void {
    for (const [key, value] of pairs) {
      this.doc
        .font(BOLD)
        .fontSize(BODY_SIZE)
        .text(`${key}: `, this.left, this.doc.y, { width: this.width, continued: true })
        .font(REGULAR)
        .text(value);
    }
    this.doc.moveDown(0.3);
  }

  parties(s: ProjectStatus, clientLabel = 'Client'): void {
    this.keyValues([
      ['Agency', `${this.agency.name}, ${this.agency.address}, tax ID ${this.agency.taxId}`],
      [clientLabel, `${s.client.name} <${s.client.email}>, ${s.segment} client`],
    ]);
  }

  table(columns: Column[], rows: string[][]): void {
    const { doc } = this;
    const cells = rows.map((row) => row.map((cell) => truncate(cell, MAX_CELL_CHARS)));
    const { size, widths } = this.layoutTable(columns, cells);
    const lineHeight = doc.font(REGULAR).fontSize(size).currentLineHeight(true);
    const tableWidth = widths.reduce((a, b) => a + b, 0);
    // A row taller than a page would run off it: each cell keeps what fits on one page.
    const maxLines = Math.max(1, Math.floor((this.bottom - this.top - 4 * lineHeight - 4 * CELL_PADDING) / lineHeight) - 2);

    const drawRow = (row: string[], header: boolean): void => {
      const font = header ? BOLD : REGULAR;
      doc.font(font).fontSize(size);
      const lines = row.map((cell, i) => {
        const wrapped = this.wrap(cell, widths[i] - 2 * CELL_PADDING, header ? 'text' : columns[i].kind);
        return wrapped.length <= maxLines ? wrapped : [...wrapped.slice(0, maxLines - 1), '…'];
      });
      const height = Math.max(...lines.map((l) => l.length)) * lineHeight + 2 * CELL_PADDING;
      if (doc.y + height > this.bottom) {
        doc.addPage();
        if (!header) drawRow(columns.map((c) => c.header), true);
        doc.font(font).fontSize(size);
      }
      const top = doc.y;
      let x = this.left;
      lines.forEach((cellLines, i) => {
        cellLines.forEach((line, n) => {
          const text = line.replace(/\u00a0/g, ' ');
          const offset = columns[i].align === 'right' ? widths[i] - CELL_PADDING - doc.widthOfString(text) : CELL_PADDING;
          doc.text(text, x + offset, top + CELL_PADDING + n * lineHeight, { lineBreak: false });
        });
        x += widths[i];
      });
      doc.y = top + height;
      doc
        .moveTo(this.left, doc.y)
        .lineTo(this.left + tableWidth, doc.y)
        .lineWidth(header ? 0.8 : 0.3)
        .strokeColor(header ? '#000000' : '#999999')
        .stroke();
    };

    drawRow(
      columns.map((c) => c.header),
      true,
    );
    for (const row of cells) drawRow(row, false);
    doc.x = this.left;
    doc.moveDown(0.4);
  }

  /**
   * Column widths for the page's width: fixed columns as wide as their widest cell, text columns
   * at least as wide as their longest word, the rest of the width shared by how much text each
   * column holds. When that cannot fit, the table's type steps down a size.
   */
  private layoutTable(columns: Column[], rows: string[][]): TableLayout {
    const { doc } = this;
    const available = this.width;
    for (let size = TABLE_SIZE; ; size -= 0.5) {
      const last = size <= MIN_TABLE_SIZE;
      // A token wider than a third of the page (a URL) is hyphenated rather than widening its column.
      const longToken = available / 3;
      const measure = columns.map((column, i) => {
        doc.font(BOLD).fontSize(size);
        const headerWords = column.header.split(' ').map((w) => doc.widthOfString(w));
        const headerMin = Math.max(...headerWords);
        const headerFull = doc.widthOfString(column.header);
        doc.font(REGULAR).fontSize(size);
        const values = rows.map((row) => row[i] ?? '');
        const lineWidths = values.flatMap((v) => v.split('\n')).map((l) => this.measure(l));
        const widest = Math.max(0, ...lineWidths);
        if (column.kind === 'fixed') {
          const need = Math.max(widest, headerMin) + 2 * CELL_PADDING;
          return { min: need, pref: need };
        }
        const words = values.flatMap((v) => v.split(/[ \n]+/)).map((w) => this.measure(w));
        const longestWord = Math.max(0, ...words.filter((w) => w <= longToken));
        return {
          min: Math.max(longestWord, headerMin) + 2 * CELL_PADDING,
          pref: Math.max(widest, headerFull) + 2 * CELL_PADDING,
        };
      });
      const minTotal = measure.reduce((sum, m) => sum + m.min, 0);
      if (minTotal > available && !last) continue;

      const textColumns = columns.map((c, i) => i).filter((i) => columns[i].kind === 'text');
      let widths = measure.map((m) => m.min);
      if (minTotal > available) {
        // Only at the smallest size, and only for tables no real project produces: every column
        // shrinks alike and words are hyphenated rather than leaving the page.
        widths = widths.map((w) => (w * available) / minTotal);
        return { size, widths };
      }
      const extra = available - minTotal;
      const slack = textColumns.map((i) => measure[i].pref - measure[i].min);
      const slackTotal = slack.reduce((a, b) => a + b, 0);
      if (slackTotal > extra) {
        textColumns.forEach((i, n) => (widths[i] += (extra * slack[n]) / slackTotal));
      } else {
        // Everything fits on one line: the spare width goes to the text columns (or all of them).
        const spare = extra - slackTotal;
        textColumns.forEach((i, n) => (widths[i] += slack[n]));
        const receivers = textColumns.length > 0 ? textColumns : columns.map((_, i) => i);
        const weight = receivers.reduce((sum, i) => sum + widths[i], 0);
        for (const i of receivers) widths[i] += (spare * widths[i]) / weight;
      }
      return { size, widths };
    }
  }

  /** The column's width is the widest cell plus padding: allow for rounding in that sum. */
  private fits(text: string, width: number): boolean {
    return this.measure(text) <= width + 0.01;
  }

  /**
   * Cuts a token too wide for any line (a URL, a file name): after a `/`, `-`, `.` or `_` near the
   * end of what fits when there is one, else with a hyphen.
   */
  private cutToken(token: string, width: number): [string, string] {
    let cut = token.length - 1;
    while (cut > 1 && !this.fits(`${token.slice(0, cut)}-`, width)) cut -= 1;
    const natural = Math.max(...['/', '-', '.', '_'].map((c) => token.lastIndexOf(c, cut - 1) + 1));
    if (natural > cut * 0.6) return [token.slice(0, natural), token.slice(natural)];
    return [`${token.slice(0, cut)}-`, token.slice(cut)];
  }

  /** Width of a text as printed (a glued space is as wide as a space). */
  private measure(text: string): number {
    return this.doc.widthOfString(text.replace(/\u00a0/g, ' '));
  }

  /**
   * The lines of a cell in the current font: fixed cells as given; text at spaces, a token wider
   * than the whole column cut with a hyphen (pdfkit would cut any word, and after any hyphen).
   */
  private wrap(text: string, width: number, kind: Column['kind']): string[] {
    if (kind === 'fixed') return text.split('\n');
    const lines: string[] = [];
    for (const paragraph of text.split('\n')) {
      let line = '';
      for (const word of paragraph.split(/ +/).filter(Boolean)) {
        const candidate = line ? `${line} ${word}` : word;
        if (this.fits(candidate, width)) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        let rest = word;
        while (rest.length > 1 && !this.fits(rest, width)) {
          const [head, tail] = this.cutToken(rest, width);
          lines.push(head);
          rest = tail;
        }
        line = rest;
      }
      lines.push(line);
    }
    return lines;
  }

  totals(lines: [string, string][]): void {
    this.ensureSpace(lines.length * 14 + 6);
    lines.forEach(([label, value], i) => {
      const last = i === lines.length - 1;
      this.doc
        .font(last ? BOLD : REGULAR)
        .fontSize(last ? BODY_SIZE + 1 : BODY_SIZE)
        .text(`${label}: ${value}`, this.left, this.doc.y, { width: this.width, align: 'right' });
    });
    this.doc.moveDown(0.4);
  }

  signatures(s: ProjectStatus): void {
    const { doc } = this;
    this.ensureSpace(110);
    doc.moveDown(1.5);
    const top = doc.y;
    const half = this.width / 2;
    const block = (x: number, party: string, name: string): void => {
      doc.font(BOLD).fontSize(BODY_SIZE).text(party, x, top, { width: half - 20 });
      doc.font(REGULAR).text(name, x, doc.y, { width: half - 20 });
      doc.moveDown(2.2);
      doc.text('Signature: ____________________________', x, doc.y, { width: half - 20 });
      doc.moveDown(0.6);
      doc.text('Name and date: ________________________', x, doc.y, { width: half - 20 });
    };
    block(this.left, 'For the Agency', this.agency.name);
    block(this.left + half, 'For the Client', s.client.name);
    doc.x = this.left;
    doc.moveDown(1);
  }

  private rule(): void {
    const y = this.doc.y;
    this.doc.moveTo(this.left, y).lineTo(this.left + this.width, y).lineWidth(0.8).strokeColor('#000000').stroke();
  }
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

function stageName(stage: string): string {
  return stage.replace(/_/g, ' ');
}

function statusName(status: string): string {
  return status.replace(/_/g, ' ');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
