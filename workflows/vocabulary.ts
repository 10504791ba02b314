/**
 * The domain's closed lists, each written once. The zod enums of the schemas.ts files, workflow
 * code (which may not run zod), documents and the API all derive from these. Workflow-safe.
 */
export const DEPARTMENTS = ['design', 'copywriting', 'seo', 'ads', 'analytics'] as const;
export type Department = (typeof DEPARTMENTS)[number];

/** How people name each department (documents, mails, the portal). */
const DEPARTMENT_NAMES: Record<Department, string> = {
  design: 'Design',
  copywriting: 'Copywriting',
  seo: 'SEO',
  ads: 'Ads',
  analytics: 'Analytics',
};

export function departmentName(department: Department): string {
  return DEPARTMENT_NAMES[department] ?? department;
}

/** "Design", "Design and SEO", "Design, Copywriting and SEO": names as a sentence lists them. */
export function namesInWords(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export const ROLES = ['manager', 'staff', 'leadership'] as const;
export type Role = (typeof ROLES)[number];
/**
 * Who acts when a client answers on their own page: the client, by their id. People's ids have no
 * colon (common/people.ts), so this is never a person's.
 */
export const clientActorId = (clientId: string): string => `client:${clientId}`;

export const SEGMENTS = ['B2B', 'B2C'] as const;
export type Segment = (typeof SEGMENTS)[number];

export const PROJECT_STAGES = [
  'intake',
  'planning',
  'awaiting_approval',
  'in_production',
  'client_review',
  'invoicing',
  'closing',
  'completed',
  'cancelled',
] as const;
export type ProjectStage = (typeof PROJECT_STAGES)[number];
/**
 * The stages in which a complaint is heard: the work under way, with the client, being paid for
 * (a completed project also hears one within its complaint window). The project's validator and
 * the client's page (what it offers) both read it.
 */
export const COMPLAINT_STAGES: readonly ProjectStage[] = ['in_production', 'client_review', 'invoicing'];

export const TASK_STATUSES = ['waiting', 'open', 'claimed', 'submitted', 'accepted', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * What a project bills. A credit note is money owed back to the client: a cancelled project
 * whose prepayment, already paid, is more than the work accepted.
 */
export const INVOICE_KINDS = ['prepayment', 'final', 'cancellation', 'credit_note'] as const;
export type InvoiceKind = (typeof INVOICE_KINDS)[number];

/** `void`: cancelled before it was paid in full (what was paid stays paid; the rest is not owed). */
export const INVOICE_STATUSES = ['open', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const DOCUMENT_KINDS = [
  'contract',
  'prepayment_invoice',
  'final_invoice',
  'cancellation_invoice',
  'credit_note',
  'acceptance_act',
  'final_report',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The paper an invoice of each kind is printed on. */
export const INVOICE_DOCUMENT: Record<InvoiceKind, DocumentKind> = {
  prepayment: 'prepayment_invoice',
  final: 'final_invoice',
  cancellation: 'cancellation_invoice',
  credit_note: 'credit_note',
};

/** "2 days", "1.5 hours", "4 minutes": a policy's time as people say it (mails, papers, the timeline). */
export function durationInWords(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, unit] of units) {
    if (ms >= size) {
      const n = Math.round((ms / size) * 10) / 10;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${Math.max(0, Math.round(ms))} ms`;
}

/** A delivery to the client by its round: the first one, or a revision round's. */
export const deliveryName = (revisionRound: number): string => (revisionRound === 0 ? 'first delivery' : `revision round ${revisionRound}`);
