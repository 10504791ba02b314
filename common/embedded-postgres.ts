/**
 * The embedded reporting database: PGlite (PostgreSQL compiled to WebAssembly, no native build)
 * served over the PostgreSQL wire protocol on a loopback port by pglite-socket, so the worker and
 * the API talk to it through `pg` exactly as they talk to a PostgreSQL server in production.
 *
 * `npm start` runs one, file-backed under DATA_DIR (a restart keeps every figure); the test run's
 * global setup runs one in memory. It lives in the process that started it: other processes
 * (`npm run api`, `npm run worker`) need a real PostgreSQL (REPORTING_DATABASE_URL).
 *
 * PGlite runs in a worker thread of its own: its start-up compiles WebAssembly for seconds and
 * every query it answers is synchronous WebAssembly, and neither may hold up the event loop that
 * runs the Temporal worker's workflow tasks and the API. (The thread loads PGlite's CommonJS build
 * with plain `require`, which also keeps it out of jest's module sandbox.)
 *
 * Every connection shares PGlite's one session; see activities/reporting/sql.ts for what that
 * means for the SQL. Only `npm start` and the tests use this: PGlite is a dev dependency and not
 * in the production image, like the Temporal dev server's testing package.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** A folder for the data files; omit for an in-memory database (tests). */
  dataDir?: string;
  /** 0 = any free loopback port. */
  port?: number;
  /** Connections served at once; every pool of every process counts. */
  maxConnections?: number;
}

type FromThread = { type: 'ready'; port: number } | { type: 'stopped' } | { type: 'error'; message: string };

/** The thread's program (CommonJS, run with `eval`: nothing to compile or ship beside this file). */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { PGlite } = require(workerData.pglite);
  const { PGLiteSocketServer } = require(workerData.socket);
  const db = await PGlite.create(workerData.dataDir ? { dataDir: workerData.dataDir } : {});
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: workerData.port, maxConnections: workerData.maxConnections });
  try {
    await server.start();
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  parentPort.on('message', (message) => {
    if (message !== 'stop') return;
    (async () => {
      await server.stop().catch(() => undefined);
      // Flushes the data files: a file-backed database is consistent for the next start.
      await db.close();
      parentPort.postMessage({ type: 'stopped' });
    })().catch((err) => parentPort.postMessage({ type: 'error', message: String((err && err.stack) || err) }));
  });
  parentPort.postMessage({ type: 'ready', port: Number(server.getServerConn().split(':').pop()) });
})().catch((err) => parentPort.postMessage({ type: 'error', message: String((err && err.stack) || err) }));
`;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const thread = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: {
      pglite: require.resolve('@electric-sql/pglite'),
      socket: require.resolve('@electric-sql/pglite-socket'),
      dataDir: options.dataDir,
      port: options.port ?? 0,
      maxConnections: options.maxConnections ?? 100,
    },
  });
  const next = (): Promise<FromThread> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: FromThread) => {
        cleanup();
        resolve(message);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the embedded PostgreSQL thread ended (exit code ${code})`));
      };
      const cleanup = () => {
        thread.off('message', onMessage);
        thread.off('error', onError);
        thread.off('exit', onExit);
      };
      thread.on('message', onMessage);
      thread.on('error', onError);
      thread.on('exit', onExit);
    });

  const first = await next().catch(async (err: Error) => {
    await thread.terminate();
    throw err;
  });
  if (first.type !== 'ready') {
    await thread.terminate();
    throw new Error(`the embedded PostgreSQL did not start: ${first.type === 'error' ? first.message : first.type}`);
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${first.port}/postgres`,
    port: first.port,
    stop() {
      stopped ??= (async () => {
        const done = next();
        thread.postMessage('stop');
        try {
          const answer = await done;
          if (answer.type === 'error') throw new Error(`the embedded PostgreSQL did not stop cleanly: ${answer.message}`);
        } finally {
          await thread.terminate();
        }
      })();
      return stopped;
    },
  };
}
