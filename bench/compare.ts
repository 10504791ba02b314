/**
 * `npm run bench -- --compare before.json after.json`: the figures two runs have in common, side
 * by side (p50 / p99, or the printed value), and how the p50 and p99 moved.
 */
import fs from 'node:fs';
import type { Figure } from './lib/report';
import { markdownTable } from './lib/report';

interface RunFile {
  meta: { date: string; mode: string; loadAverage?: { atStart: number; atEnd: number } };
  figures: Figure[];
}

const latency = (f: Figure | undefined): { p50: number; p99: number } | undefined => {
  const s = f?.data.agencyflow as { p50?: number; p99?: number } | undefined;
  return s && typeof s.p50 === 'number' && typeof s.p99 === 'number' ? { p50: s.p50, p99: s.p99 } : undefined;
};

const change = (a: number, b: number): string => (a > 0 && Number.isFinite(a) && Number.isFinite(b) ? `${b >= a ? '+' : ''}${Math.round(((b - a) / a) * 100)}%` : '–');

export function compareRuns(beforeFile: string, afterFile: string): string {
  const before = JSON.parse(fs.readFileSync(beforeFile, 'utf8')) as RunFile;
  const after = JSON.parse(fs.readFileSync(afterFile, 'utf8')) as RunFile;
  const rows: string[][] = [];
  for (const b of after.figures) {
    const a = before.figures.find((f) => f.id === b.id);
    if (!a) continue;
    const la = latency(a);
    const lb = latency(b);
    rows.push(
      la && lb
        ? [b.label, `${la.p50} / ${la.p99} ms`, `${lb.p50} / ${lb.p99} ms`, `${change(la.p50, lb.p50)} / ${change(la.p99, lb.p99)}`, b.ratio]
        : [b.label, a.agencyflow, b.agencyflow, '', b.ratio],
    );
  }
  const describe = (r: RunFile, file: string) =>
    `${file}: ${r.meta.mode} run of ${r.meta.date}${r.meta.loadAverage ? `, load average ${r.meta.loadAverage.atStart.toFixed(2)}` : ''}`;
  return [
    describe(before, beforeFile),
    describe(after, afterFile),
    '',
    markdownTable(['figure', 'before', 'after', 'p50 / p99 change', 'after: ratio to bare'], rows),
    '',
  ].join('\n');
}
