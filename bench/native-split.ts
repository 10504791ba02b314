/**
 * `npm run bench:native-split -- <dir> [--per N] [--pid PID] [--top 25]`: where a worker's native
 * memory (outside V8's heaps) went, from jemalloc's own heap profiles. P4's memory is mostly not
 * JavaScript: this splits the part that is not by the code that allocated it, so the README can
 * say what a cached workflow costs inside the Temporal SDK's Rust core.
 *
 * Take the profiles with the bench (the worker runs on jemalloc, as in the image):
 *
 *   mkdir -p /tmp/jeprof
 *   MALLOC_CONF=prof:true,lg_prof_sample:17,lg_prof_interval:30,prof_prefix:/tmp/jeprof/af \
 *     npm run bench -- --quick --only P3,P4 --live-projects 300
 *   npm run bench:native-split -- /tmp/jeprof --per 1800
 *
 * jemalloc then writes a profile of every Node process each time it has allocated another GiB.
 * The script takes the worker's (the process whose profiles map the SDK's core bridge and that
 * wrote the most), and compares its first profile with its largest (the load at its peak): growth
 * by allocation site, grouped by the first frames outside the allocator and the standard library,
 * symbolized with `addr2line` (binutils). `--per N` divides by the workflows the load added.
 * Allocations are sampled (one per 2^lg_prof_sample bytes on average) and scaled back as jeprof
 * does, so small sites are approximate.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

interface Mapping {
  lo: bigint;
  hi: bigint;
  offset: bigint;
  file: string;
}

interface Profile {
  file: string;
  /** Live bytes by stack (addresses, innermost first), unsampled. */
  bytesByStack: Map<string, number>;
  total: number;
  mappings: Mapping[];
}

function parseProfile(file: string): Profile {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const period = Number(/^heap_v2\/(\d+)/.exec(lines[0] ?? '')?.[1]);
  if (!(period > 0)) throw new Error(`${file}: not a jemalloc heap_v2 profile`);
  const bytesByStack = new Map<string, number>();
  const mappings: Mapping[] = [];
  let stack: string | undefined;
  let inMappings = false;
  let total = 0;
  for (const line of lines) {
    if (line.startsWith('MAPPED_LIBRARIES')) {
      inMappings = true;
      continue;
    }
    if (inMappings) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \d+\s+(\/\S+)$/.exec(line);
      if (m) mappings.push({ lo: BigInt(`0x${m[1]}`), hi: BigInt(`0x${m[2]}`), offset: BigInt(`0x${m[3]}`), file: m[4]! });
      continue;
    }
    if (line.startsWith('@ ')) {
      stack = line.slice(2).trim();
      continue;
    }
    const m = /^\s+t\*: (\d+): (\d+) \[/.exec(line);
    if (m && stack !== undefined) {
      const [count, bytes] = [Number(m[1]), Number(m[2])];
      // jemalloc samples one allocation per `period` bytes on average: scale back as jeprof does.
      const scaled = count > 0 ? bytes / (1 - Math.exp(-bytes / count / period)) : 0;
      bytesByStack.set(stack, (bytesByStack.get(stack) ?? 0) + scaled);
      total += scaled;
      stack = undefined;
    }
  }
  return { file, bytesByStack, total, mappings };
}

/** Function names for return addresses, one addr2line call per mapped file. */
function symbolize(addresses: Set<string>, mappings: Mapping[]): Map<string, string> {
  const byFile = new Map<string, { address: string; relative: string }[]>();
  for (const address of addresses) {
    // A return address points after the call: look up the byte before it.
    const at = BigInt(address) - 1n;
    const mapping = mappings.find((m) => at >= m.lo && at < m.hi);
    if (!mapping) continue;
    const base = mappings.find((m) => m.file === mapping.file && m.offset === 0n)?.lo ?? mapping.lo;
    const list = byFile.get(mapping.file) ?? [];
    list.push({ address, relative: `0x${(at - base).toString(16)}` });
    byFile.set(mapping.file, list);
  }
  const names = new Map<string, string>();
  for (const [file, list] of byFile) {
    const label = file.includes('core-bridge') ? 'sdk-core' : path.basename(file);
    // Node's binary carries no symbols addr2line can use (it would name the nearest export, wrongly).
    if (!file.includes('core-bridge')) {
      for (const l of list) names.set(l.address, label);
      continue;
    }
    let output: string[] = [];
    try {
      output = execFileSync('addr2line', ['-f', '-C', '-e', file, ...list.map((l) => l.relative)], { maxBuffer: 256 * 1024 * 1024 })
        .toString()
        .split('\n');
    } catch {
      // No addr2line, or a file it cannot read: addresses stay as they are.
    }
    list.forEach((l, i) => names.set(l.address, `${label}: ${shorter(output[i * 2] ?? l.relative)}`));
  }
  return names;
}

/** A Rust symbol without its hash and the module path every frame of interest shares. */
const shorter = (symbol: string): string =>
  symbol.replace(/::h[0-9a-f]{16}$/, '').replace(/temporalio_sdk_core::worker::workflow::(machines::)?/g, '');

/** Frames that say how memory is allocated, not what for. */
const PLUMBING =
  /je_|malloc|calloc|realloc|operator new|alloc::|core::ptr|core::iter|hashbrown|RawVec|raw_vec|<alloc|std::|__rust|bytes::|prost::encoding|smallvec|::clone|::extend|from_iter|spec_|::to_vec|::to_owned|^libc\.so/;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const dir = process.argv[2];
  if (!dir || dir.startsWith('--') || !fs.existsSync(dir)) {
    throw new Error('usage: npm run bench:native-split -- <directory of jemalloc heap profiles> [--per N] [--pid PID] [--top 25]');
  }
  const per = Number(option('per') ?? 0);
  const top = Number(option('top') ?? 25);
  const byPid = new Map<string, string[]>();
  for (const name of fs.readdirSync(dir)) {
    const m = /\.(\d+)\.(\d+)\.[if]\d*\.heap$/.exec(name);
    if (m) byPid.set(m[1]!, [...(byPid.get(m[1]!) ?? []), path.join(dir, name)]);
  }
  const sequence = (file: string): number => Number(/\.\d+\.(\d+)\.[if]\d*\.heap$/.exec(file)![1]);
  for (const files of byPid.values()) files.sort((a, b) => sequence(a) - sequence(b));
  // The process's latest profile maps the core bridge once the SDK is loaded (its first may predate it).
  const workerPids = [...byPid].filter(([, files]) => fs.readFileSync(files.at(-1)!, 'utf8').includes('core-bridge'));
  const pid = option('pid') ?? workerPids.sort((a, b) => b[1].length - a[1].length)[0]?.[0];
  const files = pid ? byPid.get(pid) : undefined;
  if (!pid || !files || files.length < 2) throw new Error(`no process with two or more profiles that maps the SDK's core bridge in ${dir}`);
  const profiles = files.map(parseProfile);
  const first = profiles[0]!;
  const peak = profiles.reduce((a, b) => (b.total > a.total ? b : a));
  const growth = new Map<string, number>();
  for (const [stack, bytes] of peak.bytesByStack) growth.set(stack, bytes - (first.bytesByStack.get(stack) ?? 0));
  for (const [stack, bytes] of first.bytesByStack) if (!peak.bytesByStack.has(stack)) growth.set(stack, -bytes);
  const stacks = [...growth].sort((a, b) => b[1] - a[1]);
  const names = symbolize(new Set(stacks.flatMap(([stack]) => stack.split(' '))), peak.mappings);
  const bySite = new Map<string, number>();
  for (const [stack, bytes] of stacks) {
    const frames = stack.split(' ').map((a) => names.get(a) ?? a);
    const telling = frames.filter((f, i) => !PLUMBING.test(f) && f !== frames[i - 1]);
    const site = telling.slice(0, 3).join('\n      < ') || frames[0]!;
    bySite.set(site, (bySite.get(site) ?? 0) + bytes);
  }
  const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  const total = peak.total - first.total;
  const share = (bytes: number): string => `${((100 * bytes) / total).toFixed(0)}%`;
  const perUnit = (bytes: number): string => (per > 0 ? ` ${(bytes / 1024 / per).toFixed(1).padStart(6)} KiB each` : '');
  process.stdout.write(
    `worker pid ${pid}: native memory ${mib(first.total)} MiB (${path.basename(first.file)}) → ${mib(peak.total)} MiB at the peak (${path.basename(peak.file)}): ` +
      `+${mib(total)} MiB${per > 0 ? `, ${(total / 1024 / per).toFixed(1)} KiB for each of ${per}` : ''}\n\n`,
  );
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${mib(bytes).padStart(7)} MiB ${share(bytes).padStart(4)}${perUnit(bytes)}  ${site}\n`);
  }
}

main();
