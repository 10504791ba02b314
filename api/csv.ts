/**
 * CSV files for spreadsheets, one writer for every report offered as CSV (the KPIs, the
 * portfolio): RFC 4180 (CRLF line ends, fields with commas, quotes or line breaks quoted, quotes
 * doubled), a UTF-8 byte-order mark so spreadsheet programs read names right, and text a
 * spreadsheet would run as a formula defused.
 */
import type { Response } from 'express';

export type CsvValue = string | number | boolean | null | undefined;

/** How a cell starts when a spreadsheet would read it as a formula (OWASP's "CSV injection"). */
const DANGEROUS_START = /^[=+\-@\t\r]/;

function cell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Text a spreadsheet would run as a formula (a client named "=HYPERLINK(...)") is defused.
  const text = DANGEROUS_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header line of `columns`, then one line per row (a column a row lacks is an empty cell). */
export function csvTable<Column extends string>(columns: readonly Column[], rows: readonly Partial<Record<Column, CsvValue>>[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Sends a CSV file as a download named `fileName`. */
export function sendCsvFile(res: Response, fileName: string, csv: string): void {
  res.status(200).type('text/csv; charset=utf-8; header=present').setHeader('Content-Disposition', `attachment; filename="${fileName}"`).send(csv);
}
