/**
 * One Temporal dev server (on a throwaway SQLite file: see common/dev-server.ts) for the whole test
 * run, found or built by the same script
 * `npm start` and `.ci/run` use, plus one workflow bundle, the portal's build (web/dist, when
 * missing or stale), and one embedded reporting database (PGlite served over the PostgreSQL
 * protocol). PGlite runs here, outside jest's module sandbox (in a worker thread), where its
 * WebAssembly loader needs no --experimental-vm-modules. Tests read the addresses and the bundle
 * path from the environment and use their own ids, task queues and store schemas.
 */
import { ensureTemporalCli } from '../common/temporal-cli';
import { startDevServer, type DevServer } from '../common/dev-server';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../common/embedded-postgres';
import { resolveWorkflowBundle } from '../common/workflow-bundle';
import { ensurePortal } from '../scripts/build-portal';

declare global {
  var __AGENCYFLOW_DEV_SERVER__: DevServer | undefined;
  var __AGENCYFLOW_REPORTING_DB__: EmbeddedPostgres | undefined;
}

export default async function globalSetup(): Promise<void> {
  const cli = await ensureTemporalCli({ allowDownload: true });
  process.env.AGENCYFLOW_TEST_TEMPORAL_CLI = cli.kind === 'binary' ? cli.path : '';
  const [server, bundlePath] = await Promise.all([
    startDevServer({ cli, namespace: 'default', retentionMs: 24 * 3_600_000 }),
    resolveWorkflowBundle(),
    ensurePortal(),
  ]);
  // After the dev server: the SDK gives it 5 s to come up, and PGlite's start-up (WebAssembly
  // compilation) would compete for the CPU.
  const reporting = await startEmbeddedPostgres({ maxConnections: 200 });
  globalThis.__AGENCYFLOW_DEV_SERVER__ = server;
  globalThis.__AGENCYFLOW_REPORTING_DB__ = reporting;
  process.env.AGENCYFLOW_TEST_TEMPORAL_ADDRESS = server.address;
  process.env.AGENCYFLOW_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.AGENCYFLOW_TEST_REPORTING_URL = reporting.url;
}
