/**
 * The bench's results: one row per figure (agencyflow beside bare Temporal, their ratio and the
 * issue's goal), printed as one Markdown table and written as JSON for comparing runs.
 */
import { round, type Summary } from './stats';

export interface Goal {
  /** Largest allowed agencyflow / bare ratio of the p50 and of the p99. */
  p50Ratio?: number;
  p99Ratio?: number;
  /** Largest allowed agencyflow p99 in ms. */
  p99Ms?: number;
  /** Smallest allowed value (a rate or a capacity). */
  atLeast?: number;
}

export interface Figure {
  id: string;
  label: string;
  /** The printed cells. */
  agencyflow: string;
  bare: string;
  ratio: string;
  goal: string;
  /** true/false against the goal; undefined without one. */
  met?: boolean;
  /** Raw numbers for the JSON file. */
  data: Record<string, unknown>;
}

const ms = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? String(Math.round(n)) : n.toFixed(1)) : '–');
export const pair = (s: Summary): string => (s.n ? `${ms(s.p50)} / ${ms(s.p99)} ms (n=${s.n})` : '–');
/** A share (0–1) as a whole percentage. */
export const percent = (share: number): string => `${Math.round(share * 100)}%`;
const times = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');

export function latencyFigure(id: string, label: string, api: Summary, bare?: Summary, goal?: Goal, extra: Record<string, unknown> = {}): Figure {
  const r50 = bare && bare.n ? api.p50 / bare.p50 : NaN;
  const r99 = bare && bare.n ? api.p99 / bare.p99 : NaN;
  const checks: boolean[] = [];
  const goals: string[] = [];
  if (goal?.p50Ratio !== undefined || goal?.p99Ratio !== undefined) {
    goals.push(`≤ ${goal.p50Ratio ?? '–'}× / ≤ ${goal.p99Ratio ?? '–'}×`);
    if (goal.p50Ratio !== undefined) checks.push(r50 <= goal.p50Ratio);
    if (goal.p99Ratio !== undefined) checks.push(r99 <= goal.p99Ratio);
  }
  if (goal?.p99Ms !== undefined) {
    goals.push(`p99 ≤ ${goal.p99Ms} ms`);
    checks.push(api.p99 <= goal.p99Ms);
  }
  return {
    id,
    label,
    agencyflow: pair(api),
    bare: bare ? pair(bare) : '–',
    ratio: bare ? `${times(r50)} / ${times(r99)}` : '–',
    goal: goals.join(', ') || '–',
    met: checks.length && api.n ? checks.every(Boolean) : undefined,
    data: { agencyflow: api, ...(bare && { bare, ratio: { p50: round(r50, 2), p99: round(r99, 2) } }), ...(goal && { goal }), ...extra },
  };
}

export function valueFigure(
  id: string,
  label: string,
  cells: { agencyflow: string; bare?: string; ratio?: string },
  data: Record<string, unknown>,
  goal?: { text: string; met: boolean | undefined },
): Figure {
  return { id, label, agencyflow: cells.agencyflow, bare: cells.bare ?? '–', ratio: cells.ratio ?? '–', goal: goal?.text ?? '–', met: goal?.met, data };
}

/** Marks a figure with the requests that failed while it was measured (a failure misses any goal). */
export function withFailures(figure: Figure, failures: string[]): Figure {
  if (failures.length === 0) return figure;
  figure.agencyflow += `; ${failures.length} failed (${failures[0].slice(0, 160)})`;
  figure.data.failures = failures.length;
  figure.data.firstFailure = failures[0];
  if (figure.met !== undefined) figure.met = false;
  return figure;
}

/** Runs `fn`; a failure is recorded in `failures` (and the result is undefined) instead of ending the run. */
export async function tolerate<T>(failures: string[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    failures.push((err as Error).message);
    return undefined;
  }
}

const escape = (s: string): string => s.replace(/\|/g, '\\|');

export function markdownTable(headers: string[], rows: string[][]): string {
  const lines = [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.map(escape).join(' | ')} |`);
  return lines.join('\n');
}

export function figuresTable(figures: Figure[]): string {
  return markdownTable(
    ['figure', 'agencyflow', 'bare Temporal', 'ratio p50 / p99', 'goal', 'met'],
    figures.map((f) => [f.label, f.agencyflow, f.bare, f.ratio, f.goal, f.met === undefined ? '' : f.met ? 'yes' : 'NO']),
  );
}
