/**
 * Invoice numbers: one entity workflow per year and series hands out `INV-2026-000042` (invoices)
 * or `CN-2026-000007` (credit notes), gapless and never reused, through an update keyed by an
 * idempotency key. Temporal is the only store.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const INVOICE_NUMBER_WORKFLOW_TYPE = 'invoiceNumberWorkflow';
/**
 * The numbering series: invoices, and credit notes apart (an accountant reads a credit note's
 * number as one; credit notes issued before 2026-12-05 carry invoice numbers).
 */
export type NumberSeries = 'invoice' | 'credit_note';
const SERIES: Record<NumberSeries, { workflowIdPart: string; prefix: string }> = {
  invoice: { workflowIdPart: 'invoice-numbers', prefix: 'INV' },
  credit_note: { workflowIdPart: 'credit-note-numbers', prefix: 'CN' },
};
export const invoiceNumberWorkflowId = (year: number, series: NumberSeries = 'invoice'): string => `${SERIES[series].workflowIdPart}-${year}`;
export const numberPrefix = (series: NumberSeries = 'invoice'): string => SERIES[series].prefix;
/** `prefix`: the series' (a counter started before series existed has none: invoices'). */
export const formatInvoiceNumber = (year: number, sequence: number, prefix = 'INV'): string =>
  `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;

export interface InvoiceNumberState {
  year: number;
  /** The number's first part, its series' (`INV`, `CN`); none in counters started before series: `INV`. */
  prefix?: string;
  /** The last sequence handed out (0 before the first). */
  lastSequence: number;
  /** Idempotency key → sequence, for every number handed out in this year. */
  allocations: Record<string, number>;
  /**
   * Continue-as-new after this many new numbers in one run (besides the history-length limit).
   * Optional and carried across runs; tests set it small to exercise continue-as-new.
   */
  maxAllocationsPerRun?: number;
}

export interface AllocateNumberInput {
  idempotencyKey: string;
}
export interface AllocatedNumber {
  number: string;
  sequence: number;
}

export const allocateNumberUpdate = defineUpdate<AllocatedNumber, [AllocateNumberInput]>('allocateNumber');
export const getInvoiceNumbersQuery = defineQuery<InvoiceNumberState>('getStatus');
