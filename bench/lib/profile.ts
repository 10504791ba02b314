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
  /** With the client's timings: the way in (sent → headers parsed in the API), the way back
   *  (response ended by the handler → last byte at the client), and the same split of the slowest 1%
   *  (its "server" part: headers parsed → response ended). */
  transport?: TransportSplit;
}

/** A client's record of one request, on the same clock as the API's (`machineMs`). */
export interface ClientTiming {
  requestId?: string;
  sentAt?: number;
  receivedAt?: number;
  ms: number;
}

export interface TransportSplit {
  matched: number;
  wayIn: Summary;
  wayBack: Summary;
  /** Per request, the way in and the way back together: what the hop to the API costs before
   *  the handler does any work. */
  hop: Summary;
  /** The slowest 1% at the client (at least one): medians of each part. */
  slowest: { n: number; client: number; wayIn: number; server: number; wayBack: number };
}

/**
 * Lines the client's records up with the API's by X-Request-Id. Where a request's time is not
 * in the handler, it is on the way in (the client's send, the kernel, the API's event loop before
 * it parses the headers) or on the way back (the write, the kernel, the client's event loop):
 * the slowest 1% say which, when a client's tail is far above the server's.
 */
export function transportSplit(records: RequestRecord[], clients: ClientTiming[]): TransportSplit | undefined {
  const byId = new Map(records.filter((r) => r.id).map((r) => [r.id!, r]));
  const rows = clients.flatMap((c) => {
    const r = c.requestId ? byId.get(c.requestId) : undefined;
    if (!r || c.sentAt === undefined || c.receivedAt === undefined) return [];
    return [{ client: c.ms, wayIn: r.openedAt - c.sentAt, server: r.endedAt - r.openedAt, wayBack: c.receivedAt - r.endedAt }];
  });
  if (rows.length === 0) return undefined;
  const slow = [...rows].sort((a, b) => b.client - a.client).slice(0, Math.max(1, Math.ceil(rows.length / 100)));
  const median = (xs: number[]) => summarize(xs).p50;
  return {
    matched: rows.length,
    wayIn: summarize(rows.map((r) => r.wayIn)),
    wayBack: summarize(rows.map((r) => r.wayBack)),
    hop: summarize(rows.map((r) => r.wayIn + r.wayBack)),
    slowest: {
      n: slow.length,
      client: median(slow.map((r) => r.client)),
      wayIn: median(slow.map((r) => r.wayIn)),
      server: median(slow.map((r) => r.server)),
      wayBack: median(slow.map((r) => r.wayBack)),
    },
  };
}

/**
 * `status`: only the requests answered with it (default: the successful ones). `clients`: the
 * client's times, or its records of each request (then the way in and back are split out too).
 */
export function breakdown(route: string, records: RequestRecord[], clients?: number[] | ClientTiming[], status?: number): StageBreakdown {
  const mine = records.filter((r) => r.route === route && (status === undefined ? r.status < 400 : r.status === status));
  const timings = clients?.filter((c): c is ClientTiming => typeof c !== 'number');
  const clientMs = clients?.map((c) => (typeof c === 'number' ? c : c.ms));
  const transport = timings?.length ? transportSplit(mine, timings) : undefined;
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
    ...(transport && { transport }),
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
    [
      'request',
      'n',
      'client p50 / p99 ms',
      'way in / back p50 / p99',
      'server p50 / p99',
      'before Temporal',
      'Temporal calls: count per request × p50 / p99 ms each',
      'between calls',
      'after last call',
      'slowest 1%: client = in + server + back (medians)',
    ],
    rows.map((b) => [
      b.route,
      String(b.n),
      p(b.client),
      b.transport ? `${p(b.transport.wayIn)} · ${p(b.transport.wayBack)}` : '–',
      p(b.server),
      p(b.beforeTemporal),
      b.calls.map((c) => `${c.name} ×${c.perRequest}${c.maxPerRequest > Math.ceil(c.perRequest) ? ` (max ${c.maxPerRequest})` : ''}: ${p(c.ms)}${c.failed ? `, ${c.failed} failed` : ''}`).join('; ') || '–',
      p(b.between),
      p(b.afterTemporal),
      b.transport ? slowestCell(b.transport.slowest) : '–',
    ]),
  );
}

function slowestCell(s: TransportSplit['slowest']): string {
  return `${s.client.toFixed(1)} = ${s.wayIn.toFixed(1)} + ${s.server.toFixed(1)} + ${s.wayBack.toFixed(1)} (n=${s.n})`;
}
