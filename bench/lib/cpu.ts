/**
 * CPU time (user + system) each process of the run has used, from /proc/<pid>/stat (Linux). On a
 * shared machine wall-clock figures swing with everyone else's load; CPU seconds per operation
 * say what our processes themselves cost, and which of them is the bottleneck.
 */
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
  } catch {
    return undefined;
  }
}

/** Child processes of `parent` whose command name starts with `name` (e.g. the dev server). */
export function childPids(parent: number, name: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && comm.startsWith(name)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds per named process, with the pid they were read from. */
export type CpuSample = Record<string, { pid: number; seconds: number }>;
/** CPU seconds per named process over an interval. */
export type CpuUse = Record<string, number>;

/** CPU seconds per named process now (processes that cannot be read are left out). */
export function sampleCpu(pids: Record<string, number | undefined>): CpuSample {
  const out: CpuSample = {};
  for (const [name, pid] of Object.entries(pids)) {
    const seconds = pid === undefined ? undefined : cpuSeconds(pid);
    if (pid !== undefined && seconds !== undefined) out[name] = { pid, seconds };
  }
  return out;
}

/**
 * CPU used between two samples. A process replaced meanwhile (the worker restarted by P4)
 * counts from zero: its new process's time only, the old one's last moments are not seen.
 */
export function cpuDelta(before: CpuSample, after: CpuSample): CpuUse {
  const out: CpuUse = {};
  for (const [name, now] of Object.entries(after)) {
    const then = before[name];
    const used = then && then.pid === now.pid ? now.seconds - then.seconds : now.seconds;
    out[name] = Math.round(used * 100) / 100;
  }
  return out;
}

/**
 * Microseconds so far during which some runnable task on this machine waited for a CPU (Linux
 * pressure stall information, `/proc/pressure/cpu`, "some" line); undefined where the kernel
 * does not offer it. Its growth over a phase divided by the phase's length is the share of the
 * time that work of any process — a read's included — queued for a core.
 */
export function cpuStallMicros(): number | undefined {
  try {
    const some = fs.readFileSync('/proc/pressure/cpu', 'utf8').split('\n').find((line) => line.startsWith('some '));
    const total = some && /\btotal=(\d+)/.exec(some)?.[1];
    return total === undefined || total === '' ? undefined : Number(total);
  } catch {
    return undefined;
  }
}

/** The share (0–1) of `seconds` during which work waited for a CPU, from two `cpuStallMicros` readings. */
export function stallShare(before: number | undefined, after: number | undefined, seconds: number): number | undefined {
  return before === undefined || after === undefined || seconds <= 0 ? undefined : (after - before) / 1e6 / seconds;
}

/** How a process's main thread shared the CPUs: time on a CPU, time runnable but waiting for one, times it was put on one. */
export interface ThreadSchedule {
  runSeconds: number;
  waitSeconds: number;
  timeslices: number;
}

/**
 * The main thread's scheduler statistics (/proc/<pid>/schedstat: ns on a CPU, ns waiting on a run
 * queue, timeslices; Linux with schedstats). For a Node process that thread is its event loop: its
 * wait is how long requests that had arrived sat there because the process was not running.
 */
export function mainThreadSchedule(pid: number | undefined): ThreadSchedule | undefined {
  if (pid === undefined) return undefined;
  try {
    const [run, wait, slices] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    if (![run, wait, slices].every(Number.isFinite)) return undefined;
    return { runSeconds: run / 1e9, waitSeconds: wait / 1e9, timeslices: slices };
  } catch {
    return undefined;
  }
}

/** Per second of an interval: ms on a CPU, ms waiting for one, and the mean wait each time it was put on one. */
export function schedulePerSecond(before: ThreadSchedule, after: ThreadSchedule, seconds: number): { ranMs: number; waitedMs: number; meanWaitMs: number } {
  const slices = after.timeslices - before.timeslices;
  const waited = after.waitSeconds - before.waitSeconds;
  return {
    ranMs: Math.round(((after.runSeconds - before.runSeconds) * 1000) / seconds),
    waitedMs: Math.round((waited * 1000) / seconds),
    meanWaitMs: slices > 0 ? Math.round((waited * 1000 * 100) / slices) / 100 : 0,
  };
}
