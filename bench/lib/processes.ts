/**
 * Child processes of the bench: the agencyflow API and worker (their real entry points), the
 * embedded reporting store and the bare worker. Each writes its log to a file in the run's
 * directory; the bench reads their resident memory from /proc and stops them (SIGTERM, then
 * SIGKILL) by their own pid only (bench/main.ts also on a SIGINT, SIGTERM or SIGHUP of its own).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sleep } from './pool';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Whether the bench's services get sessions of their own (see `spawnTs`'s `ownSession`). */
export const OWN_SESSIONS = process.env.BENCH_SHARED_SESSION !== '1';

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  logFile: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** LD_PRELOAD for every Node process spawnTs starts (the image's allocator: bench/lib/allocator.ts). */
let nodePreload: string | undefined;
export function preloadForNodeProcesses(preload: string | undefined): void {
  nodePreload = preload;
}

/** Runs a TypeScript entry point as `node --import tsx <file>`, like the npm scripts do. */
export function spawnTs(options: {
  name: string;
  entry: string;
  env: Record<string, string>;
  logDir: string;
  ipc?: boolean;
  nodeArgs?: string[];
  /**
   * A session of its own, for the services the bench measures: Linux's autogroup then shares the
   * CPU between them as docker-compose's cgroups (one per container) do, not thread by thread
   * with the bench, the dev server and each other. BENCH_SHARED_SESSION=1 keeps them in the
   * bench's session (as before 2026-12-01). Whoever starts one stops it on its own signals: a
   * terminal's Ctrl-C or hang-up does not reach it.
   */
  ownSession?: boolean;
  /** Queued work, not people's requests: the background CPU share (`lowerCpuShare`). */
  background?: boolean;
}): Child {
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', options.entry], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env, ...(nodePreload && { LD_PRELOAD: nodePreload }) },
    stdio: options.ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
    detached: Boolean(options.ownSession) && OWN_SESSIONS,
  });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  // spawn returns once the child has exec'd, so its session (and autogroup) exists by now.
  if (options.background) lowerCpuShare(child.pid, options.name);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopping: Promise<void> | undefined;
  const started: Child = {
    name: options.name,
    process: child,
    pid: child.pid,
    logFile,
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
  running.add(started);
  void exited.then(() => running.delete(started));
  return started;
}

/**
 * An executable that runs `binary` with the same arguments in a session of its own — for the dev
 * server, which the Temporal SDK spawns (so the bench cannot detach it): `setsid` from a child that
 * leads no process group starts the session and execs in place, so the SDK's pid is still the
 * server's and its teardown still stops it. Undefined where the machine has no `setsid`, or the
 * sessions are shared (BENCH_SHARED_SESSION=1): the binary then runs in the bench's session.
 */
export function inOwnSession(binary: string, dir: string): string | undefined {
  const setsid = ['/usr/bin/setsid', '/bin/setsid'].find((candidate) => fs.existsSync(candidate));
  if (!OWN_SESSIONS || !setsid) return undefined;
  const wrapper = path.join(dir, `${path.basename(binary)}-own-session.sh`);
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${setsid} ${JSON.stringify(binary)} "$@"\n`, { mode: 0o755 });
  return wrapper;
}

/**
 * docker-compose.yml gives the worker and Temporal `cpu_shares: 340` against the 1024 of the API,
 * the databases and everything else: when the machine is saturated, a person's request goes ahead
 * of queued workflow work. The bench does the same with the sessions' autogroups (Linux): nice 5
 * is a weight of 335 against 1024. Lowering a weight needs no privilege.
 * BENCH_EQUAL_CPU_SHARES=1 leaves every session at the same weight (as before 2026-12-01 22:40).
 */
export const BACKGROUND_AUTOGROUP_NICE = 5;
export const BACKGROUND_CPU_SHARE = OWN_SESSIONS && process.env.BENCH_EQUAL_CPU_SHARES !== '1';

function autogroupOf(pid: number): string | undefined {
  try {
    return /^\/autogroup-\d+/.exec(fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8'))?.[0];
  } catch {
    return undefined; // not Linux, no autogroup, or gone
  }
}

/**
 * Gives the session of `pid` the background weight (BACKGROUND_AUTOGROUP_NICE); false where it
 * cannot: no autogroup here, equal shares asked for, or `pid` shares this process's session (the
 * bench never lowers its own clients).
 */
export function lowerCpuShare(pid: number | undefined, name: string): boolean {
  if (!BACKGROUND_CPU_SHARE || pid === undefined) return false;
  const theirs = autogroupOf(pid);
  if (!theirs || theirs === autogroupOf(process.pid)) return false;
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(BACKGROUND_AUTOGROUP_NICE));
  } catch {
    return false;
  }
  if (!atBackgroundShare.includes(name)) atBackgroundShare.push(name);
  return true;
}

/** The processes (by name) this run gave the background CPU share: what the report says it did. */
export const atBackgroundShare: string[] = [];

/** Every child spawnTs started that has not exited yet. */
const running = new Set<Child>();

/**
 * Stops every child still running — the last cleanup of a bench, so that one started while it was
 * interrupted (a worker being replaced, say) does not outlive it in its own session.
 */
export async function stopEveryChild(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/**
 * The next IPC message of `type` from a child (spawned with `ipc`): rejects, with the end of its
 * log, when none comes within `timeoutMs` or the child exits first.
 */
export function nextMessage<T extends { type: string }>(child: Child, type: T['type'], timeoutMs: number, what: string): Promise<T> {
  const proc = child.process;
  return new Promise<T>((resolve, reject) => {
    const done = (settle: () => void) => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      settle();
    };
    const timer = setTimeout(() => done(() => reject(new Error(`${what}: nothing in ${timeoutMs / 1000} s:\n${logTail(child)}`))), timeoutMs);
    const onMessage = (message: { type?: string }) => {
      if (message?.type === type) done(() => resolve(message as T));
    };
    proc.on('message', onMessage);
    void child.exited.then((code) => done(() => reject(new Error(`${what}: the process exited (code ${code}):\n${logTail(child)}`))));
  });
}

/** The last lines of a child's log, for error messages. */
export function logTail(child: Child, lines = 15): string {
  try {
    return fs.readFileSync(child.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MiB, from /proc/<pid>/status (Linux). */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * The lowest of `readRss` over `seconds` of idleness (sampled every second): what a process holds
 * once settled. While it works, RSS also holds the garbage of the work in flight (a worker's main
 * thread heap alone grew by 80 MB during a load of 600 workflows and fell back once idle); V8's
 * memory reducer collects and shrinks the heaps about 8 s after a process goes idle.
 */
export async function lowestRssMiB(readRss: () => number | undefined, seconds: number): Promise<number | undefined> {
  let lowest: number | undefined;
  for (let i = 0; i < seconds; i++) {
    await sleep(1_000);
    const rss = readRss();
    if (rss !== undefined && (lowest === undefined || rss < lowest)) lowest = rss;
  }
  return lowest;
}

/** Waits until GET `url` answers 200 (or the child exits, or the time runs out). */
export async function waitForHttpOk(url: string, options: { child?: Child; timeoutMs?: number; what: string }): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let exited = false;
  void options.child?.exited.then(() => (exited = true));
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (exited) throw new Error(`${options.what}: the process exited:\n${options.child ? logTail(options.child) : ''}`);
    if (Date.now() > deadline) throw new Error(`${options.what}: ${url} not ready in time:\n${options.child ? logTail(options.child) : ''}`);
    await sleep(200);
  }
}

/** Scrapes a Prometheus text endpoint: every series, `name{labels}` → value. */
export async function scrapePrometheus(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+(\S+)/.exec(line);
    if (match) series.set(match[1], Number(match[2]));
  }
  return series;
}

/** Sum of every series of one metric, optionally only those whose labels contain `labelFilter`. */
export function metricTotal(series: Map<string, number>, name: string, labelFilter?: string): number | undefined {
  let total: number | undefined;
  for (const [key, value] of series) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (labelFilter && !key.includes(labelFilter)) continue;
    total = (total ?? 0) + value;
  }
  return total;
}

/**
 * Means of the SDK's latency histograms between two scrapes (Δsum / Δcount, in ms): where a
 * workflow task waited for the worker (schedule-to-start) and how long the worker spent on it.
 */
export function histogramMeansMs(before: Map<string, number> | undefined, after: Map<string, number> | undefined, names: string[]): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const name of names) {
    if (!before || !after) {
      out[name] = undefined;
      continue;
    }
    const dSum = (metricTotal(after, `${name}_sum`) ?? 0) - (metricTotal(before, `${name}_sum`) ?? 0);
    const dCount = (metricTotal(after, `${name}_count`) ?? 0) - (metricTotal(before, `${name}_count`) ?? 0);
    out[name] = dCount > 0 ? Math.round((dSum / dCount) * 1000 * 10) / 10 : undefined;
  }
  return out;
}
