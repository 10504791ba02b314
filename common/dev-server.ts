/**
 * The embedded default: `temporal server start-dev`, run through the Temporal SDK's test
 * environment, which owns the child process and stops it with us. Only `npm start` and the tests
 * import this (the SDK's testing package is not in the production image).
 */
import type { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { setRetention } from './temporal';
import type { TemporalCli } from './temporal-cli';

export interface DevServerOptions {
  cli: TemporalCli;
  namespace: string;
  /** SQLite file; omit for an in-memory server (tests). */
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

/** Starts `temporal server start-dev` through the SDK, which owns the child process. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable:
        options.cli.kind === 'binary' ? { type: 'existing-path', path: options.cli.path } : { type: 'cached-download' },
      namespace: options.namespace,
      ip: '127.0.0.1',
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
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
  const address = env.address;
  await setRetention(env.connection, options.namespace, options.retentionMs);
  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : undefined,
    connection: env.connection,
    stop: () => env.teardown(),
  };
}

