/**
 * Child processes of the production topology run here (PostgreSQL, the Temporal server, the API,
 * workers): each in its own process group, so SIGKILL reaches `npm run worker` and the node
 * process below it at once, with its output appended to a log file. Every process started is
 * registered; Ctrl-C, SIGTERM or any exit of the parent ends the ones still running, so a failed
 * or interrupted run leaves nothing behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or signal name) once the whole process has ended. */
  exited: Promise<number | string>;
  running(): boolean;
  /** Sends the signal to the process group. */
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal`, waits up to `graceMs`, then SIGKILLs the group. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

const live = new Set<ManagedProcess>();
const cleanups = new Set<() => void>();
let handlersInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Synchronous last resort: SIGKILL every process group still registered, then run the cleanups. */
function killEverything(): void {
  for (const p of live) killGroup(p.pid, 'SIGKILL');
  live.clear();
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // best effort at exit
    }
  }
  cleanups.clear();
}

/**
 * Ctrl-C / SIGTERM: run `onSignal` (a graceful stop) once, then exit 130; a second signal or a
 * stop that takes longer than 30 s kills everything at once. Any exit also kills what is left.
 */
export function installCleanupHandlers(onSignal: () => Promise<void>): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killEverything);
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`\n${signal} again: killing everything now\n`);
      killEverything();
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the production topology...\n`);
    setTimeout(() => {
      killEverything();
      process.exit(130);
    }, 30_000).unref();
    onSignal()
      .catch((err: Error) => process.stderr.write(`while stopping: ${err.message}\n`))
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** A synchronous cleanup (e.g. removing a temporary folder) that also runs when the process exits. */
export function registerCleanup(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  uid?: number;
  gid?: number;
}

export function startProcess(options: StartOptions): ManagedProcess {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const out = fs.openSync(options.logFile, 'a');
  fs.writeSync(out, `\n=== ${new Date().toISOString()} start ${options.command} ${options.args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      env: options.env,
      cwd: options.cwd,
      detached: true, // its own process group: signals reach the whole tree
      stdio: ['ignore', out, out],
      ...(options.uid !== undefined && { uid: options.uid }),
      ...(options.gid !== undefined && { gid: options.gid }),
    });
  } finally {
    fs.closeSync(out);
  }
  if (child.pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      // The leader is gone; anything it left in its group goes too.
      killGroup(pid, 'SIGKILL');
      live.delete(managed);
      resolve(code ?? signal ?? 'unknown');
    });
    child.on('error', () => {
      done = true;
      live.delete(managed);
      resolve('spawn-error');
    });
  });
  const managed: ManagedProcess = {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    running: () => !done,
    signal: (signal) => killGroup(pid, signal),
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000) {
      if (done) return exited;
      killGroup(pid, signal);
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
  live.add(managed);
  return managed;
}

/** Runs a command to its end; rejects with its output on a non-zero exit. */
export function runToEnd(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string; timeoutMs?: number } = {},
): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    ...(options.uid !== undefined && { uid: options.uid }),
    ...(options.gid !== undefined && { gid: options.gid }),
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/**
 * `count` distinct free TCP ports on 127.0.0.1 (all held open until every one is chosen).
 * `below`: only ports under this number, picked at random from 10000 up (Temporal stores its
 * membership ports in a smallint column: an ephemeral port above 32767 stops the server).
 */
export async function freePorts(count: number, options: { below?: number } = {}): Promise<number[]> {
  const servers: net.Server[] = [];
  const listen = (server: net.Server, port: number) =>
    new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
  try {
    const ports: number[] = [];
    while (ports.length < count) {
      const server = net.createServer();
      const wanted = options.below ? 10_000 + Math.floor(Math.random() * (options.below - 10_000)) : 0;
      if (!(await listen(server, wanted))) continue;
      servers.push(server);
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** Polls until `probe` resolves truthy; rejects after `timeoutMs` with `what` and the last error. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; alive?: () => boolean } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: unknown;
  for (;;) {
    if (options.alive && !options.alive()) throw new Error(`${what}: the process exited`);
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String((last as Error).message ?? last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
