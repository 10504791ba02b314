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
      // WAL lets the visibility reads of the API run beside the history writes of the worker.
      extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--log-level', 'error'],
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

