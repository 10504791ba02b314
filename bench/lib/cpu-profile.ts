/**
 * Summaries of V8 CPU profiles (`node --cpu-prof`, one file per thread) of the API and worker
 * processes: where their CPU went, by package or project file, and the hottest functions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { markdownTable } from './report';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ThreadSummary {
  process: string;
  file: string;
  /** Sampled CPU time, idle excluded (ms). */
  busyMs: number;
  byArea: { area: string; ms: number; share: number }[];
  hottest: { fn: string; area: string; ms: number; share: number }[];
}

function areaOf(url: string, functionName: string, root: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const file = url.replace(/^file:\/\//, '');
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  if (modules) return modules[1];
  if (file.startsWith('node:')) return 'node: built-ins';
  if (/workflow-bundle-[0-9a-f]+\.js$/.test(file)) return 'workflow bundle (our workflows + @temporalio/workflow)';
  if (file.startsWith(root)) return path.relative(root, file);
  return file;
}

export function summarizeProfile(processName: string, file: string, root: string): ThreadSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const areas = new Map<string, number>();
  const fns = new Map<string, { area: string; ms: number }>();
  let busy = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busy += ms;
    const area = areaOf(node.callFrame.url, node.callFrame.functionName, root);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const key = `${node.callFrame.functionName || '(anonymous)'} ${path.basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    const entry = fns.get(key) ?? { area, ms: 0 };
    entry.ms += ms;
    fns.set(key, entry);
  }
  const share = (ms: number) => Math.round((ms / Math.max(busy, 1)) * 1000) / 10;
  return {
    process: processName,
    file: path.basename(file),
    busyMs: Math.round(busy),
    byArea: [...areas].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([area, ms]) => ({ area, ms: Math.round(ms), share: share(ms) })),
    hottest: [...fns].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10).map(([fn, e]) => ({ fn, area: e.area, ms: Math.round(e.ms), share: share(e.ms) })),
  };
}

/** Every profile under `dir/<process>/`, busiest thread first. */
export function summarizeProfiles(dir: string, root: string): ThreadSummary[] {
  if (!fs.existsSync(dir)) return [];
  const out: ThreadSummary[] = [];
  for (const processName of fs.readdirSync(dir)) {
    for (const file of fs.readdirSync(path.join(dir, processName)).filter((f) => f.endsWith('.cpuprofile'))) {
      out.push(summarizeProfile(processName, path.join(dir, processName, file), root));
    }
  }
  return out.filter((t) => t.busyMs > 0).sort((a, b) => b.busyMs - a.busyMs);
}

export function profilesTable(threads: ThreadSummary[]): string {
  return markdownTable(
    ['process (thread profile)', 'busy CPU s', 'where it went (share of busy)', 'hottest functions (self time)'],
    threads.map((t) => [
      `${t.process} (${t.file})`,
      (t.busyMs / 1000).toFixed(1),
      t.byArea.map((a) => `${a.area} ${a.share}%`).join('; '),
      t.hottest.slice(0, 6).map((f) => `${f.fn} ${f.share}%`).join('; '),
    ]),
  );
}
