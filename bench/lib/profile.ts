/**
 * Where a request's time goes, from the API's stage records (bench/agencyflow/api-process.ts):
 * before the first Temporal call (HTTP parsing, helmet, auth, rate limit, JSON body, zod),
 * each Temporal call by kind (with how many a request made), the gaps between them (sleeps of
 * a retry loop, work between calls), and after the last (serialising and writing the answer).
 */
import type { RequestRecord } from '../agencyflow/api-process';
import { markdownTable } from './report';
import { round, summarize, type Summary } from './stats';

export interface StageBreakdown {
  route: string;
  n: number;
  client?: Summary;
  server: Summary;
  beforeTemporal: Summary;
  between: Summary;
  afterTemporal: Summary;
  calls: { name: string; perRequest: number; maxPerRequest: number; ms: Summary; failed: number }[];
}

/** `status`: only the requests answered with it (default: the successful ones). */
export function breakdown(route: string, records: RequestRecord[], clientMs?: number[], status?: number): StageBreakdown {
  const mine = records.filter((r) => r.route === route && (status === undefined ? r.status < 400 : r.status === status));
  const before: number[] = [];
  const between: number[] = [];
  const after: number[] = [];
  const byName = new Map<string, { perRequest: number[]; ms: number[]; failed: number }>();
  for (const r of mine) {
    const stages = [...r.stages].sort((a, b) => a.start - b.start);
    const first = stages[0]?.start ?? r.total;
    const lastEnd = stages.reduce((m, s) => Math.max(m, s.start + s.ms), first);
    // Time covered by at least one call (calls may overlap, as the portfolio's counts do).
    let covered = 0;
    let cursor = first;
    for (const s of stages) {
      const end = s.start + s.ms;
      if (end > cursor) {
        covered += end - Math.max(cursor, s.start);
        cursor = end;
      }
    }
    before.push(first);
    after.push(r.total - lastEnd);
    between.push(Math.max(0, lastEnd - first - covered));
    const counts = new Map<string, number>();
    for (const s of stages) {
      counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
      const entry = byName.get(s.name) ?? { perRequest: [], ms: [], failed: 0 };
      entry.ms.push(s.ms);
      if (s.failed) entry.failed++;
      byName.set(s.name, entry);
    }
    for (const [name, entry] of byName) entry.perRequest.push(counts.get(name) ?? 0);
  }
  return {
    route,
    n: mine.length,
    ...(clientMs && { client: summarize(clientMs) }),
    server: summarize(mine.map((r) => r.total)),
    beforeTemporal: summarize(before),
    between: summarize(between),
    afterTemporal: summarize(after),
    calls: [...byName].map(([name, e]) => ({
      name,
      perRequest: round(e.perRequest.reduce((a, b) => a + b, 0) / Math.max(1, mine.length), 2),
      maxPerRequest: Math.max(0, ...e.perRequest),
      ms: summarize(e.ms),
      failed: e.failed,
    })),
  };
}

const p = (s: Summary | undefined): string => (s && s.n ? `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)}` : '–');

export function breakdownTable(rows: StageBreakdown[]): string {
  return markdownTable(
    ['request', 'n', 'client p50 / p99 ms', 'server p50 / p99', 'before Temporal', 'Temporal calls: count per request × p50 / p99 ms each', 'between calls', 'after last call'],
    rows.map((b) => [
      b.route,
      String(b.n),
      p(b.client),
      p(b.server),
      p(b.beforeTemporal),
      b.calls.map((c) => `${c.name} ×${c.perRequest}${c.maxPerRequest > Math.ceil(c.perRequest) ? ` (max ${c.maxPerRequest})` : ''}: ${p(c.ms)}${c.failed ? `, ${c.failed} failed` : ''}`).join('; ') || '–',
      p(b.between),
      p(b.afterTemporal),
    ]),
  );
}
