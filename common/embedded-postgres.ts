/**
 * The embedded reporting database: PGlite (PostgreSQL compiled to WebAssembly, no native build)
 * served over the PostgreSQL wire protocol on a loopback port by pglite-socket, so the worker and
 * the API talk to it through `pg` exactly as they talk to a PostgreSQL server in production.
 *
 * `npm start` runs one, file-backed under DATA_DIR (a restart keeps every figure); the test run's
 * global setup runs one in memory. It lives in the process that started it: other processes
 * (`npm run api`, `npm run worker`) need a real PostgreSQL (REPORTING_DATABASE_URL).
 *
 * Every connection shares PGlite's one session; see activities/reporting/sql.ts for what that
 * means for the SQL. Only `npm start` and the tests import this: PGlite is a dev dependency and not
 * in the production image, like the Temporal dev server's testing package.
 */
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

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

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 100,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  const port = Number(server.getServerConn().split(':').pop());
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      stopped ??= (async () => {
        await server.stop().catch(() => undefined);
        // Flushes the data files: a file-backed database is consistent for the next start.
        await db.close();
      })();
      return stopped;
    },
  };
}
