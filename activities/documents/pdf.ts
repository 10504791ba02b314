/**
 * Renders the project's paperwork as PDF with pdfkit: contract, invoices, acceptance act and the
 * final report for management. Pure: the same input gives the same bytes (the PDF's creation date
 * and file id come from the document's own date, not the clock), so a re-render after a crash
 * stores an identical file.
 *
 * The standard PDF fonts (Helvetica) cover Latin-1 only, and clients are named in Cyrillic as often
 * as in Latin: DejaVu Sans (from the dejavu-fonts-ttf package) is embedded, subset to the glyphs used.
 */
import PDFDocument from 'pdfkit';

const FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};
import type { Config } from '../../common/config';
import { percentOf, subtractAmounts, sumAmounts } from '../../workflows/money';
import { departmentName, fmtDate, fmtDateTime, fmtDuration, fmtMoney, fmtNumber } from '../format';
import type { InvoiceContent, ProduceDocumentInput } from '../contract';
import type { DocumentKind, PlanVersionView, ProjectStatus } from '../../workflows/project/contract';

export interface AgencyDetails {
  name: string;
  address: string;
  taxId: string;
  bankDetails: string;
}

export function agencyDetailsFromConfig(
  config: Pick<Config, 'AGENCY_NAME' | 'AGENCY_ADDRESS' | 'AGENCY_TAX_ID' | 'AGENCY_BANK_DETAILS'>,
): AgencyDetails {
  return {
    name: config.AGENCY_NAME,
    address: config.AGENCY_ADDRESS,
    taxId: config.AGENCY_TAX_ID,
    bankDetails: config.AGENCY_BANK_DETAILS,
  };
}

export interface RenderContext {
  agency: AgencyDetails;
  /** Display name for a person id (assignees, managers, approvers); the id is printed otherwise. */
  personName?: (personId: string) => string | undefined;
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
  doc.registerFont(REGULAR, FONT_FILES.regular);
  doc.registerFont(BOLD, FONT_FILES.bold);
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
    case 'credit_note':
      renderInvoice(page, input.snapshot, requireInvoice(input));
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
  credit_note: 'INV',
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
    ['Date', fmtDate(date)],
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
      { header: '#', width: 22 },
      { header: 'Task', width: 170 },
      { header: 'Department', width: 80 },
      { header: 'Estimate', width: 55, align: 'right' },
      { header: 'Due', width: 70 },
      { header: 'Price', width: 98, align: 'right' },
    ],
    plan.tasks.map((t, i) => [
      String(i + 1),
      t.title,
      departmentName(t.department),
      `${fmtNumber(t.estimateHours)} h`,
      fmtDate(t.dueAt),
      fmtMoney(t.price, currency),
    ]),
  );
  const total = plan.total;
  page.totals([[`Total`, fmtMoney(total, currency)]]);

  page.section('Terms');
  const prepayment = percentOf(total, plan.prepaymentPercent, currency);
  page.bullets([
    plan.prepaymentPercent > 0
      ? `Prepayment: ${fmtNumber(plan.prepaymentPercent)}% of the total (${fmtMoney(prepayment, currency)}), invoiced on approval; ` +
        `the remainder (${fmtMoney(subtractAmounts(total, prepayment, currency), currency)}) is invoiced on acceptance.`
      : `No prepayment: the total is invoiced on acceptance of the work.`,
    `Payment terms: each invoice is payable within ${fmtDuration(s.policy.paymentTermsMs)} of its date.`,
    `Client revision rounds included in the price: ${plan.includedRevisionRounds}. Further rounds are priced separately.`,
    `Desired completion: ${fmtDate(s.desiredDeadline)}. Each task's due date is listed above.`,
    `The Client reviews the delivered work within ${fmtDuration(s.policy.acceptanceWindowMs)}; without an answer the work is deemed accepted.`,
  ]);
  page.signatures(s);
}

function renderInvoice(page: Page, s: ProjectStatus, invoice: InvoiceContent): void {
  const currency = invoice.currency;
  const contract = [...s.documents].reverse().find((d) => d.kind === 'contract');
  page.keyValues([
    ['Invoice No.', invoice.number],
    ['Date of issue', fmtDate(invoice.issuedAt)],
    ['Due date', fmtDate(invoice.dueAt)],
    ['Project', `${s.title} (${s.projectId})`],
    ...(contract?.number ? ([['Contract No.', contract.number]] as [string, string][]) : []),
  ]);
  page.parties(s, 'Bill to');

  page.section('Items');
  page.table(
    [
      { header: '#', width: 22 },
      { header: 'Description', width: 370 },
      { header: 'Amount', width: 103, align: 'right' },
    ],
    invoice.lines.map((line, i) => [String(i + 1), line.description, fmtMoney(line.amount, currency)]),
  );
  const subtotal = sumAmounts(invoice.lines.map((l) => l.amount), currency);
  page.totals([
    ['Subtotal', fmtMoney(subtotal, currency)],
    ...(invoice.prepaymentDeducted
      ? ([['Less prepayment received', `-${fmtMoney(invoice.prepaymentDeducted, currency)}`]] as [string, string][])
      : []),
    ['Amount due', fmtMoney(invoice.amount, currency)],
  ]);

  if (invoice.kind === 'cancellation' && s.cancellation) {
    page.section('Cancellation');
    page.paragraph(
      `The project was cancelled on ${fmtDate(s.cancellation.at)} at the ${stageName(s.cancellation.stageAtCancel)} stage. ` +
        `Reason: ${s.cancellation.reason}. This invoice covers the work done up to the cancellation.`,
    );
  }

  page.section('Payment terms');
  page.paragraph(
    `Please pay ${fmtMoney(invoice.amount, currency)} by ${fmtDate(invoice.dueAt)} ` +
      `(${fmtDuration(Date.parse(invoice.dueAt) - Date.parse(invoice.issuedAt))} from the date of issue), ` +
      `quoting ${invoice.number} as the payment reference.`,
  );
  page.keyValues([['Bank details', page.agency.bankDetails]]);
}

function renderAcceptanceAct(page: Page, s: ProjectStatus, date: string): void {
  const currency = s.budget.currency;
  const contract = [...s.documents].reverse().find((d) => d.kind === 'contract');
  page.keyValues([
    ['Date', fmtDate(date)],
    ['Project', `${s.title} (${s.projectId})`],
    ...(contract?.number ? ([['Under contract No.', contract.number]] as [string, string][]) : []),
  ]);
  page.parties(s);
  page.paragraph(
    `The Agency has delivered and the Client accepts the work listed below. The parties have no claims ` +
      `against each other regarding its scope, quality and timing, except as recorded in this act.`,
  );

  page.section('Work accepted');
  const delivered = s.tasks.filter((t) => t.status !== 'cancelled');
  const extraRounds = s.revisions.filter((r) => r.beyondIncluded && r.extraPrice > 0);
  page.table(
    [
      { header: '#', width: 22 },
      { header: 'Work', width: 200 },
      { header: 'Department', width: 85 },
      { header: 'Accepted', width: 80 },
      { header: 'Price', width: 108, align: 'right' },
    ],
    [
      ...delivered.map((t, i) => [
        String(i + 1),
        t.revisionRound ? `${t.title} (revision round ${t.revisionRound})` : t.title,
        departmentName(t.department),
        t.acceptedAt ? fmtDate(t.acceptedAt) : statusName(t.status),
        fmtMoney(t.price, currency),
      ]),
      ...extraRounds.map((r, i) => [
        String(delivered.length + i + 1),
        `Revision round ${r.round} beyond the included rounds`,
        r.departments.map(departmentName).join(', '),
        fmtDate(r.requestedAt),
        fmtMoney(r.extraPrice, currency),
      ]),
    ],
  );
  const total = sumAmounts([...delivered.map((t) => t.price), ...extraRounds.map((r) => r.extraPrice)], currency);
  page.totals([['Total', fmtMoney(total, currency)]]);

  const acceptance = [...s.feedback].reverse().find((f) => f.kind === 'accepted' || f.kind === 'deemed_accepted');
  if (acceptance) {
    page.section("Client's acceptance");
    page.paragraph(
      acceptance.kind === 'accepted'
        ? `Accepted on ${fmtDate(acceptance.at)}${acceptance.rating !== undefined ? `, rating ${acceptance.rating}/5` : ''}` +
            `${acceptance.comment ? `: "${acceptance.comment}"` : '.'}`
        : `Deemed accepted on ${fmtDate(acceptance.at)}: the Client did not answer within the acceptance window.`,
    );
  }
  page.signatures(s);
}

function renderFinalReport(page: Page, s: ProjectStatus, date: string): void {
  const currency = s.budget.currency;
  const person = (id: string | undefined): string => (id ? page.person(id) : '—');

  page.keyValues([
    ['Date', fmtDate(date)],
    ['Project', `${s.title} (${s.projectId})`],
    ['Client', `${s.client.name} <${s.client.email}>, ${s.segment}`],
    ['Account manager', person(s.managerId)],
    ['Departments', s.departments.map(departmentName).join(', ')],
    ['Outcome', s.cancellation ? 'Cancelled' : stageName(s.stage)],
    ['Budget', fmtMoney(s.budget.amount, s.budget.currency)],
    ['Request received', fmtDateTime(s.intakeAt)],
    ['First plan sent', s.firstPlanAt ? `${fmtDateTime(s.firstPlanAt)} (response time ${fmtDuration(s.responseTimeMs ?? 0)})` : '—'],
    ['Desired deadline', fmtDate(s.desiredDeadline)],
    ['Completed', s.completedAt ? fmtDateTime(s.completedAt) : '—'],
  ]);

  if (s.cancellation) {
    page.section('Cancellation');
    page.paragraph(
      `The project was cancelled on ${fmtDateTime(s.cancellation.at)} by ${person(s.cancellation.by)} ` +
        `at the ${stageName(s.cancellation.stageAtCancel)} stage. Reason: ${s.cancellation.reason}`,
    );
  }

  page.section('Plan versions and decisions');
  page.table(
    [
      { header: 'Version', width: 62 },
      { header: 'Submitted', width: 105 },
      { header: 'Tasks', width: 35, align: 'right' },
      { header: 'Total', width: 85, align: 'right' },
      { header: 'Decision', width: 208 },
    ],
    s.plans.map((p) => [
      `v${p.version}${p.version === s.approvedPlanVersion ? ' (approved)' : ''}`,
      `${fmtDateTime(p.submittedAt)} by ${person(p.submittedBy)}`,
      String(p.tasks.length),
      fmtMoney(p.total, currency),
      p.decision
        ? `${p.decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${person(p.decision.by)} on ` +
          `${fmtDateTime(p.decision.at)}${p.decision.comment ? `: ${p.decision.comment}` : ''}`
        : 'No decision',
    ]),
  );

  page.section('Tasks');
  page.table(
    [
      { header: 'Task', width: 105 },
      { header: 'Department', width: 62 },
      { header: 'Assignee', width: 70 },
      { header: 'Due', width: 55 },
      { header: 'Submitted', width: 55 },
      { header: 'Accepted', width: 55 },
      { header: 'Timing', width: 48 },
      { header: 'Reviews', width: 45, align: 'right' },
    ],
    s.tasks.map((t) => [
      t.revisionRound ? `${t.title} (revision ${t.revisionRound})` : t.title,
      departmentName(t.department),
      person(t.assigneeId),
      fmtDate(t.dueAt),
      t.submittedAt ? fmtDate(t.submittedAt) : '—',
      t.acceptedAt ? fmtDate(t.acceptedAt) : '—',
      t.onTime === true ? 'on time' : t.onTime === false ? 'late' : statusName(t.status),
      String(t.reviewRounds),
    ]),
  );
  const judged = s.tasks.filter((t) => t.onTime !== undefined);
  page.paragraph(
    `${judged.filter((t) => t.onTime).length} of ${judged.length} accepted tasks on time; ` +
      `${plural(s.tasks.reduce((n, t) => n + t.reviewRounds, 0), 'review round')} in total.`,
  );

  page.section('Client revisions');
  if (s.revisions.length === 0) page.paragraph('None requested.');
  else
    page.table(
      [
        { header: 'Round', width: 40 },
        { header: 'Requested', width: 70 },
        { header: 'Departments', width: 90 },
        { header: 'Description', width: 205 },
        { header: 'Extra price', width: 90, align: 'right' },
      ],
      s.revisions.map((r) => [
        String(r.round),
        fmtDate(r.requestedAt),
        r.departments.map(departmentName).join(', '),
        r.description,
        r.beyondIncluded ? fmtMoney(r.extraPrice, currency) : 'included',
      ]),
    );

  page.section('Client feedback');
  if (s.feedback.length === 0) page.paragraph('No feedback recorded.');
  else {
    page.bullets(
      s.feedback.map((f) => {
        const what = FEEDBACK_NAMES[f.kind];
        const rating = f.rating !== undefined ? `, rating ${f.rating}/5` : '';
        const text = f.comment || f.description;
        return `${fmtDate(f.at)}: ${what}${rating}${text ? ` — ${text}` : ''}`;
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
          `${c.complaintId}, ${fmtDate(c.at)} (recorded by ${person(c.recordedBy)}): ${c.description} — ` +
          (c.resolvedAt
            ? `resolved on ${fmtDate(c.resolvedAt)} by ${person(c.resolvedBy)}: ${c.resolution ?? ''}`
            : 'not resolved'),
      ),
    );

  page.section('Invoices and payments');
  if (s.invoices.length === 0) page.paragraph('No invoices issued.');
  else {
    page.table(
      [
        { header: 'Number', width: 95 },
        { header: 'Kind', width: 70 },
        { header: 'Issued', width: 62 },
        { header: 'Due', width: 62 },
        { header: 'Amount', width: 80, align: 'right' },
        { header: 'Paid', width: 80, align: 'right' },
        { header: 'Status', width: 46 },
      ],
      s.invoices.map((inv) => [
        inv.number,
        inv.kind,
        fmtDate(inv.issuedAt),
        fmtDate(inv.dueAt),
        fmtMoney(inv.amount, inv.currency),
        fmtMoney(inv.paidAmount, inv.currency),
        inv.status,
      ]),
    );
    const payments = s.invoices.flatMap((inv) => inv.payments.map((p) => ({ inv, p })));
    if (payments.length > 0) {
      page.bullets(
        payments.map(
          ({ inv, p }) => `${fmtDate(p.paidAt)}: ${fmtMoney(p.amount, inv.currency)} against ${inv.number}, reference ${p.reference}`,
        ),
      );
    }
    // What the client was asked for and paid: voided parts are not owed, credit notes are ours to pay.
    const billed = s.invoices.filter((i) => i.kind !== 'credit_note');
    const invoiced = subtractAmounts(sumAmounts(billed.map((i) => i.amount), currency), sumAmounts(billed.map((i) => i.voidedAmount ?? 0), currency), currency);
    const paid = sumAmounts(billed.map((i) => i.paidAmount), currency);
    page.totals([
      ['Invoiced', fmtMoney(invoiced, currency)],
      ['Paid', fmtMoney(paid, currency)],
      ['Outstanding', fmtMoney(subtractAmounts(invoiced, paid, currency), currency)],
    ]);
  }

  page.section('Timeline');
  page.table(
    [
      { header: 'When', width: 105 },
      { header: 'Event', width: 120 },
      { header: 'Detail', width: 190 },
      { header: 'By', width: 80 },
    ],
    s.timeline.map((e) => [fmtDateTime(e.at), e.event, e.detail ?? '', e.by ? person(e.by) : '']),
  );
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

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

const REGULAR = 'Body';
const BOLD = 'Body-Bold';
const BODY_SIZE = 9.5;
const CELL_PADDING = 3;

class Page {
  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly ctx: RenderContext,
  ) {}

  get agency(): AgencyDetails {
    return this.ctx.agency;
  }

  person(id: string): string {
    const name = this.ctx.personName?.(id);
    return name ? `${name} (${id})` : id;
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
    const drawRow = (cells: string[], font: string): void => {
      doc.font(font).fontSize(BODY_SIZE - 1);
      const heights = cells.map((cell, i) => doc.heightOfString(cell, { width: columns[i].width - 2 * CELL_PADDING }));
      const height = Math.max(...heights) + 2 * CELL_PADDING;
      if (doc.y + height > this.bottom) {
        doc.addPage();
        if (font !== BOLD) drawRow(columns.map((c) => c.header), BOLD);
        doc.font(font).fontSize(BODY_SIZE - 1);
      }
      const top = doc.y;
      let x = this.left;
      cells.forEach((cell, i) => {
        const column = columns[i];
        doc.text(cell, x + CELL_PADDING, top + CELL_PADDING, { width: column.width - 2 * CELL_PADDING, align: column.align ?? 'left' });
        x += column.width;
      });
      doc.y = top + height;
      doc
        .moveTo(this.left, doc.y)
        .lineTo(this.left + columns.reduce((w, c) => w + c.width, 0), doc.y)
        .lineWidth(font === BOLD ? 0.8 : 0.3)
        .strokeColor(font === BOLD ? '#000000' : '#999999')
        .stroke();
    };
    drawRow(
      columns.map((c) => c.header),
      BOLD,
    );
    // A row taller than a page would run off it: long free text is cut, the full text lives in the API.
    for (const row of rows) drawRow(row.map((cell) => truncate(cell, 600)), REGULAR);
    doc.x = this.left;
    doc.moveDown(0.4);
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
