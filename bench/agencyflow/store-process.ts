/**
 * The bench's embedded reporting store (PGlite over the wire protocol, as `npm start` runs it) in
 * a process of its own: the API and the worker reach it over loopback as they reach PostgreSQL in
 * production, and its single-threaded WebAssembly no longer shares the bench process — the HTTP
 * client and the dev server's scheduling group — with the load the bench generates. Tells the
 * bench its URL over IPC; stops (flushing the data files) on SIGTERM.
 */
import { startEmbeddedPostgres } from '../../common/embedded-postgres';

async function main(): Promise<void> {
  const dataDir = process.env.BENCH_STORE_DIR;
  if (!dataDir) throw new Error('BENCH_STORE_DIR is not set');
  const store = await startEmbeddedPostgres({ dataDir });
  process.once('SIGTERM', () => {
    void store.stop().finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready', url: store.url });
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
