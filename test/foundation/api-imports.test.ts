/**
 * The API process needs Temporal's client only. The worker package brings the SDK's native core
 * (a Rust library) and the workflow sandbox's machinery: about 20 MiB of RSS and a fifth of a
 * second of start-up per API process for nothing. This keeps an import in a shared module (as
 * `common/temporal.ts` had) from pulling it in again.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

it('the API modules load the Temporal client, not the worker package or its native core', () => {
  // A process of its own: jest's module registry is not Node's.
  const script = `
    require('./api/app');
    require('./api/server');
    require('./api/temporal-gateway');
    const packages = new Set(Object.keys(require.cache).map((k) => (/node_modules\\/(@temporalio\\/[^/]+)/.exec(k) || [])[1]).filter(Boolean));
    process.stdout.write(JSON.stringify([...packages].sort()));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const packages = JSON.parse(out) as string[];
  expect(packages).toContain('@temporalio/client');
  expect(packages).not.toContain('@temporalio/worker');
  expect(packages).not.toContain('@temporalio/core-bridge');
});
