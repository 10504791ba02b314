/**
 * The portfolio as CSV for spreadsheets (written by `csvTable`, api/csv.ts): one row per project
 * the project list finds, with what leadership reads off its cards — whose it is, where it stands,
 * its dates, what is late or open, the money owed either way, and its page in the portal — and
 * what it invoiced and was paid, net (the KPI report's definitions, per project). Columns
 * carry the project list's own field names (`ProjectListItem`), so the API's reference explains
 * each; dates are its ISO 8601 timestamps, amounts plain numbers in `currency`.
 */
import { csvTable, type CsvValue } from './csv';
import type { ProjectListItem } from './schemas';

export const PORTFOLIO_CSV_COLUMNS = [
  'projectId',
  'title',
  'clientId',
  'clientName',
  'segment',
  'managerId',
  'managerName',
  'stage',
  'startedAt',
  'stageEnteredAt',
  'clientDueAt',
  'plannedEndAt',
  'endsAfterClientDate',
  'overdue',
  'hasOpenComplaint',
  'complaintDueAt',
  'invoiced',
  'paid',
  'amountOwed',
  'paymentDueAt',
  'refundOwed',
  'refundDueAt',
  'currency',
  'portalUrl',
] as const;
type Column = (typeof PORTFOLIO_CSV_COLUMNS)[number];

const FINISHED: readonly ProjectListItem['stage'][] = ['completed', 'cancelled'];

/**
 * A completed or cancelled project with nothing left to do: the portal's Portfolio hides it until
 * "Show completed and cancelled projects" is ticked (`shown` in web/src/pages/portfolio.tsx, the
 * same rule). A cancelled one whose workflow still runs has money to settle, a completed one a
 * complaint, a refund or money owed again (a payment the bank took back): still in the manager's
 * hands, never hidden.
 */
export function nothingLeftToDo(p: ProjectListItem): boolean {
  if (!FINISHED.includes(p.stage)) return false;
  if (p.stage === 'cancelled') return p.executionStatus !== 'RUNNING';
  return !p.hasOpenComplaint && p.refundDueAt === undefined && p.amountOwed === undefined;
}

/** One row per project, in the list's order (newest first). `portalBaseUrl`: PUBLIC_BASE_URL, where each project's page is. */
export function portfolioCsv(projects: readonly ProjectListItem[], options: { managerName: (id: string) => string | undefined; portalBaseUrl: string }): string {
  // The list's fields under their own names (the columns pick theirs), and two it has not.
  const rows = projects.map(
    (p): Partial<Record<Column, CsvValue>> => ({
      ...p,
      managerName: p.managerId === undefined ? undefined : options.managerName(p.managerId),
      portalUrl: `${options.portalBaseUrl}/projects/${encodeURIComponent(p.projectId)}`,
    }),
  );
  return csvTable(PORTFOLIO_CSV_COLUMNS, rows);
}

/** `portfolio-2026-12-07.csv`: the day it was made (UTC). */
export const portfolioCsvFileName = (now: Date): string => `portfolio-${now.toISOString().slice(0, 10)}.csv`;
