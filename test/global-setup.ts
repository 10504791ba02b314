/**
 * One Temporal dev server (in memory) for the whole test run, found or built by the same script
 * `npm start` and `.ci/run` use, plus one workflow bundle and the portal's build (web/dist, when
 * missing or stale). Tests read the address and bundle path from the environment and use their
 * own ids and task queues.
 */
import { ensureTemporalCli } from '../common/temporal-cli';
import { startDevServer, type DevServer } from '../common/dev-server';
import { resolveWorkflowBundle } from '../common/workflow-bundle';
import { ensurePortal } from '../scripts/build-portal';

declare global {
  var __AGENCYFLOW_DEV_SERVER__: DevServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const cli = await ensureTemporalCli({ allowDownload: true });
  process.env.AGENCYFLOW_TEST_TEMPORAL_CLI = cli.kind === 'binary' ? cli.path : '';
  const [server, bundlePath] = await Promise.all([
    startDevServer({ cli, namespace: 'default', retentionMs: 24 * 3_600_000 }),
    resolveWorkflowBundle(),
    ensurePortal(),
  ]);
  globalThis.__AGENCYFLOW_DEV_SERVER__ = server;
  process.env.AGENCYFLOW_TEST_TEMPORAL_ADDRESS = server.address;
  process.env.AGENCYFLOW_TEST_WORKFLOW_BUNDLE = bundlePath;
}
