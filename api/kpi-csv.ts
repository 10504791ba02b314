/**
 * The KPI report as CSV for spreadsheets (written by `csvTable`, api/csv.ts). One figure per row,
 * in long format for pivot tables:
 *
 *   section, figure, managerId, segment, department, personId, clientId, clientName, invoiceNumber, period, weekStart, currency, value
 *
 * `section` is the figure's place in the JSON report (`money.byManager`), `figure` its name inside
 * (`paid`, `distribution.5`), the dimension columns say which row of a breakdown it is. The rows
 * are generated from the JSON report itself, so the CSV carries exactly its numbers.
 */
import { csvTable } from './csv';
import type { KpiReport } from './schemas';

export const CSV_DIMENSIONS = [
  'managerId',
  'segment',
  'department',
  'personId',
  'clientId',
  'clientName',
  'invoiceNumber',
  'period',
  'weekStart',
  'currency',
] as const;
type Dimension = (typeof CSV_DIMENSIONS)[number];

export const CSV_COLUMNS = ['section', 'figure', ...CSV_DIMENSIONS, 'value'] as const;

export type CsvRow = { section: string; figure: string; value: string | number | boolean | null } & Partial<Record<Dimension, string>>;

const isDimension = (key: string): key is Dimension => (CSV_DIMENSIONS as readonly string[]).includes(key);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maps of numbers that are one figure with sub-names (`distribution.5`), not a section. */
const FIGURE_GROUPS = new Set(['distribution']);

const joinPath = (a: string, b: string): string => (a === '' ? b : `${a}.${b}`);

/**
 * One object of the report: its numbers, booleans and nulls become rows; nested objects become
 * sections; arrays of objects are breakdowns whose elements are told apart by their dimension
 * fields. Lists of plain strings (who is overloaded, a client's managers) and text (names, dates)
 * are context, not figures, and stay in the JSON.
 */
function walk(value: Record<string, unknown>, section: string, dims: Partial<Record<Dimension, string>>, out: CsvRow[]): void {
  for (const [key, child] of Object.entries(value)) {
    if (isDimension(key) || typeof child === 'string' || child === undefined) continue;
    if (typeof child === 'number' || typeof child === 'boolean' || child === null) {
      out.push({ section, figure: key, ...dims, value: child });
    } else if (FIGURE_GROUPS.has(key) && isPlainObject(child)) {
      for (const [sub, v] of Object.entries(child)) {
        if (typeof v === 'number') out.push({ section, figure: `${key}.${sub}`, ...dims, value: v });
      }
    } else if (Array.isArray(child)) {
      for (const element of child) {
        if (!isPlainObject(element)) continue;
        const own = Object.fromEntries(
          Object.entries(element).filter(([k, v]) => isDimension(k) && typeof v === 'string'),
        ) as Partial<Record<Dimension, string>>;
        walk(element, joinPath(section, key), { ...dims, ...own }, out);
      }
    } else if (isPlainObject(child)) {
      walk(child, joinPath(section, key), dims, out);
    }
  }
}

export function kpiCsvRows(report: KpiReport): CsvRow[] {
  const rows: CsvRow[] = [
    { section: 'report', figure: 'generatedAt', value: report.generatedAt },
    { section: 'report', figure: 'asOf', value: report.asOf },
    { section: 'report', figure: 'from', value: report.scope.from },
    { section: 'report', figure: 'to', value: report.scope.to },
    ...(['managerId', 'segment', 'department'] as const)
      .filter((k) => report.scope[k] !== undefined)
      .map((k) => ({ section: 'report', figure: k, value: report.scope[k] as string })),
    { section: 'money', figure: 'outstandingAsOf', value: report.money.outstandingAsOf },
    { section: 'workload', figure: 'asOf', value: report.workload.asOf },
  ];
  const { generatedAt: _g, asOf: _a, scope: _s, ...figures } = report;
  walk(figures, '', {}, rows);
  return rows;
}

/**
 * `kpis-2026-12-01-2026-12-04.csv`: the first and the last day of the period, both inclusive, as
 * days at the UTC offsets the period was asked at (a reader's own midnights name their own days;
 * a date, UTC days). The report's end is exclusive: its last day is the one its last moment is on.
 */
export function kpiCsvFileName(report: KpiReport, offsets: { from: number; to: number }): string {
  // Each end at its own offset: a Berlin period from summer into winter has +02:00, then +01:00.
  const day = (ms: number, offsetMinutes: number) => new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
  return `kpis-${day(Date.parse(report.scope.from), offsets.from)}-${day(Date.parse(report.scope.to) - 1, offsets.to)}.csv`;
}

export function toCsv(rows: CsvRow[]): string {
  return csvTable(CSV_COLUMNS, rows);
}
