/**
 * Fixed formats for paper and mail: no locale or time zone of the machine leaks into what
 * clients and managers read, so the same input always prints the same text.
 */
import { minorDigits } from '../workflows/money';
import type { ProjectStage } from '../workflows/vocabulary';

/**
 * `1,234.50 EUR`, `120,000 JPY`, `12.345 KWD`: the currency's own minor units (ISO 4217, via
 * Intl), a fixed locale for the digits, and the code after the amount.
 */
export function fmtMoney(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const number = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  return currency ? `${number} ${currency}` : number;
}

export function fmtNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** `2026-03-01`; anything that is not a date is printed as given. */
export function fmtDate(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().slice(0, 10);
}

/** `2026-03-01 17:00 UTC`; anything that is not a date is printed as given. */
export function fmtDateTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `14 days`, `36 hours`, `1.5 minutes`: policies are durations, tests use seconds. */
export { durationInWords as fmtDuration } from '../workflows/vocabulary';
export { departmentName } from '../workflows/vocabulary';

/**
 * When in the project's life it was cancelled, as people say it ("cancelled while the work was under
 * way"), not its stage's id ("at the in production stage"): for mail and papers alike. Only stages
 * a cancellation can meet; undefined for any other.
 */
const CANCELLED_WHILE: Partial<Record<ProjectStage, string>> = {
  intake: 'while the request waited for a plan',
  planning: 'while the plan was being drafted',
  awaiting_approval: 'while the plan waited for approval',
  in_production: 'while the work was under way',
  client_review: 'while the client was reviewing the work',
  invoicing: 'while the final invoice waited to be paid',
};
export const cancelledWhile = (stage: string): string | undefined => CANCELLED_WHILE[stage as ProjectStage];
