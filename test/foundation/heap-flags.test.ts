/**
 * The worker's V8 heap flags (common/heap-flags.ts) reach the threads created after them — the
 * workflow threads, whose young generation would otherwise grow to 16 MB semi-spaces under load.
 * Each case runs in a process of its own (V8 flags are process-wide) that does what
 * worker/run.ts does before creating the worker, then starts a thread that allocates.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');

const script = `
const { Worker } = require('node:worker_threads');
const { loadConfig } = require('./common/config');
const { applyHeapFlags } = require('./common/heap-flags');
applyHeapFlags(loadConfig(process.env).WORKER_HEAP_FLAGS);
const thread = \`
  const v8 = require('node:v8');
  let largest = 0;
  let kept = [];
  for (let i = 0; i < 200000; i++) {
    kept.push({ i, text: 'x' + i, list: [i] });
    if (kept.length > 50000) kept = [];
    if (i % 1000 === 0) largest = Math.max(largest, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
  }
  require('node:worker_threads').parentPort.postMessage(largest);\`;
new Worker(thread, { eval: true }).on('message', (bytes) => console.log(bytes / 1048576));
`;

async function youngGenerationMiB(env: Record<string, string>): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return Number(stdout.trim());
}

test('with the default flags a workflow thread\u2019s young generation stays at 2 MB semi-spaces; with none it grows', async () => {
  const withDefault = await youngGenerationMiB({});
  const withoutFlags = await youngGenerationMiB({ WORKER_HEAP_FLAGS: '' });
  expect(withDefault).toBeLessThanOrEqual(4);
  expect(withoutFlags).toBeGreaterThan(8);
}, 60_000);
