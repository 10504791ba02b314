/**
 * Invoice numbers: one entity workflow per year hands out `INV-2026-000042`, gapless and never
 * reused, through an update keyed by an idempotency key. Temporal is the only store.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const INVOICE_NUMBER_WORKFLOW_TYPE = 'invoiceNumberWorkflow';
export const invoiceNumberWorkflowId = (year: number): string => `invoice-numbers-${year}`;
export const formatInvoiceNumber = (year: number, sequence: number): string =>
  `INV-${year}-${String(sequence).padStart(6, '0')}`;

export interface InvoiceNumberState {
  year: number;
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
