/**
 * `npm run bench -- --compare before.json after.json`: the figures two runs have in common, side
 * by side (p50 / p99, or the printed value), and how the p50 and p99 moved.
 * `npm run bench -- --print run.json`: one earlier run's tables again, as the run printed them.
 */
import fs from 'node:fs';
import type { Figure } from './lib/report';
import { breakdownTable, type StageBreakdown } from './lib/profile';
import { figuresTable, markdownTable } from './lib/report';

interface RunFile {
  meta: { date: string; startedAt?: string; mode: string; temporal?: string; loadAverage?: { atStart: number; atEnd: number } };
  figures: Figure[];
  profile?: StageBreakdown[];
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

export function printRun(file: string): string {
  const run = JSON.parse(fs.readFileSync(file, 'utf8')) as RunFile;
  const { meta } = run;
  return [
    `${file}: ${meta.mode} run, ${(meta.startedAt ?? meta.date).slice(0, 16).replace('T', ' ')}–${meta.date.slice(11, 16)} UTC` +
      `${meta.loadAverage ? `, load average ${meta.loadAverage.atStart.toFixed(2)} at start` : ''}${meta.temporal ? `; Temporal: ${meta.temporal}` : ''}`,
    '',
    figuresTable(run.figures),
    '',
    ...(run.profile?.length ? ['Where the time goes (API stage timers; ms; server = headers parsed → response finished):', '', breakdownTable(run.profile), ''] : []),
  ].join('\n');
}
