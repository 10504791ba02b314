/**
 * The embedded default: `temporal server start-dev`, run through the Temporal SDK's test
 * environment, which owns the child process and stops it with us. Only `npm start` and the tests
 * import this (the SDK's testing package is not in the production image).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { setRetention } from './temporal';
import type { TemporalCli } from './temporal-cli';

export interface DevServerOptions {
  cli: TemporalCli;
  namespace: string;
  /** SQLite file to keep; omit for a throwaway one, removed when the server stops (tests). */
  dbFilename?: string;
  port?: number;
  uiPort?: number;
  retentionMs: number;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  connection: Connection;
  stop(): Promise<void>;
}

/**
 * Server settings the dev server needs stated, each as the production server has it by default.
 * Eager activity execution: the server hands an activity a workflow task schedules straight back
 * to the worker that completed the task (when it has a free slot) instead of through a task-queue
 * poll. Temporal 1.32 (production, docker-compose.yml) has it on by default; the server inside
 * the CLI that builds here (1.5.1, server 1.29) has it off, and there every publish, notice and
 * document waited its turn at the task queue: under 20 lifecycles in flight an activity's
 * schedule-to-start mean was 1.8 s against 9 ms on the production topology.
 */
const DEV_SERVER_DYNAMIC_CONFIG: ReadonlyArray<readonly [string, unknown]> = [['system.enableActivityEagerExecution', true]];

const THROWAWAY_PREFIX = 'agencyflow-temporal-';

/**
 * A folder for a throwaway SQLite file, in shared memory where there is one (as fast as SQLite's
 * own in-memory database). Never SQLite's in-memory database itself: that lives in its one
 * connection, and the newer SQLite driver the CLI is built with (scripts/temporal-cli/go.mod)
 * closes a connection whose query was cancelled — the pool opens a fresh, empty one, and the
 * server loses every table (seen within a second of cancelled calls; a file is reopened intact).
 * Folders left by a run that died (its process id is gone) are removed on the way.
 */
function throwawayDbFolder(): string {
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  for (const name of fs.readdirSync(base).filter((n) => n.startsWith(THROWAWAY_PREFIX))) {
    const pid = Number(name.slice(THROWAWAY_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) fs.rmSync(path.join(base, name), { recursive: true, force: true });
  }
  return fs.mkdtempSync(path.join(base, `${THROWAWAY_PREFIX}${process.pid}-`));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts `temporal server start-dev` through the SDK, which owns the child process. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const throwaway = options.dbFilename === undefined ? throwawayDbFolder() : undefined;
  const dbFilename = options.dbFilename ?? path.join(throwaway!, 'temporal.sqlite');
  const removeThrowaway = (): void => {
    if (throwaway) fs.rmSync(throwaway, { recursive: true, force: true });
  };
  let env: TestWorkflowEnvironment;
  try {
    env = await createEnvironment(options, dbFilename);
  } catch (err) {
    removeThrowaway();
    throw err;
  }
  const address = env.address;
  await setRetention(env.connection, options.namespace, options.retentionMs);
  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : undefined,
    connection: env.connection,
    stop: async () => {
      try {
        await env.teardown();
      } finally {
        removeThrowaway();
      }
    },
  };
}

function createEnvironment(options: DevServerOptions, dbFilename: string): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable:
        options.cli.kind === 'binary' ? { type: 'existing-path', path: options.cli.path } : { type: 'cached-download' },
      namespace: options.namespace,
      ip: '127.0.0.1',
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename,
      searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
      extraArgs: [
        // WAL lets the visibility reads of the API run beside the history writes of the worker.
        '--sqlite-pragma',
        'journal_mode=WAL',
        '--log-level',
        'error',
        ...DEV_SERVER_DYNAMIC_CONFIG.flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
      ],
    },
  });
}

