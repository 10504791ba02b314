/**
 * `npm run bench:p4-floor`: what the Temporal SDK's worker itself takes per cached workflow, as
 * P4's floor. A worker run as ours is (heap flags, 3-frame stack traces, the image's allocator,
 * a cache that holds everything) serves bare workflows (their module evaluated once per thread,
 * as ours are) that wait like a cached project, each after a number of no-op activities; the
 * worker's RSS, left idle 20 s before and after loading them (lowest sample, as P4 reads ours),
 * gives the memory per cached workflow against the length of its history. Its own in-memory dev server. Not part of `npm run bench`: it answers why P4 is
 * where it is (README, Performance), not how agencyflow performs.
 *
 *   npm run bench:p4-floor [-- --workflows 2000 --activities 0,10 --settle-seconds 20 --metrics --glibc-malloc]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { findTemporalCli } from '../common/temporal-cli';
import { startDevServer } from '../common/dev-server';
import { bareBundle } from './bare/client';
import { imageAllocator } from './lib/allocator';
import { inParallel, until } from './lib/pool';
import { freePort, logTail, lowestRssMiB, preloadForNodeProcesses, rssMiB, spawnTs } from './lib/processes';
import { finishSignal } from './bare/workflows';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** The worker's lowest RSS over `seconds` of idleness, as P4 reads ours. */
async function settledRss(pid: number, seconds: number): Promise<number> {
  const lowest = await lowestRssMiB(() => rssMiB(pid), seconds);
  if (lowest === undefined) throw new Error(`no RSS for the worker (pid ${pid}): it has exited`);
  return lowest;
}

async function main(): Promise<void> {
  const workflows = Number(option('workflows', '2000'));
  const activityCounts = option('activities', '0,10').split(',').map(Number);
  const settleSeconds = Number(option('settle-seconds', '20'));
  if (!Number.isInteger(workflows) || workflows < 10 || activityCounts.some((n) => !Number.isInteger(n) || n < 0) || !(settleSeconds >= 1)) {
    throw new Error('--workflows needs a whole number of at least 10, --activities whole numbers (comma-separated), --settle-seconds at least 1');
  }
  const cli = findTemporalCli();
  if (!cli) throw new Error('no Temporal CLI: npm run temporal:ensure (or set TEMPORAL_CLI_PATH)');
  const metrics = process.argv.includes('--metrics');
  const allocator = imageAllocator({ glibc: process.argv.includes('--glibc-malloc') });
  preloadForNodeProcesses(allocator.preload);
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-p4-floor-'));
  const namespace = 'default';
  const results: { activities: number; events: number; kibPerWorkflow: number; perGb?: number }[] = [];
  process.stdout.write(`P4 floor: ${workflows} bare waiting workflows per history length; allocator: ${allocator.description}; SDK metrics exporter ${metrics ? 'on' : 'off'}\n`);
  for (const activities of activityCounts) {
    // A fresh server and worker for each length: nothing of the last load is in the figure.
    const server = await startDevServer({ cli, namespace, retentionMs: 86_400_000 });
    const taskQueue = `p4-floor-${activities}`;
    const worker = spawnTs({
      name: `memory-worker-${activities}`,
      entry: path.join(__dirname, 'bare', 'memory-worker.ts'),
      logDir,
      env: {
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: namespace,
        BENCH_TASK_QUEUE: taskQueue,
        BENCH_BARE_BUNDLE: await bareBundle({ preload: true }),
        ...(metrics && { BENCH_METRICS_PORT: String(await freePort()) }),
      },
    });
    try {
      const client = new Client({ connection: server.connection, namespace });
      const load = (prefix: string, n: number) =>
        inParallel(Array.from({ length: n }), 32, async (_, i) => {
          const handle = await client.workflow.start('bareWaiting', { taskQueue, workflowId: `${prefix}-${i}`, args: [activities] });
          // Loaded once its activities are done (the workflow is waiting, cached): 4 events, 6 more per activity.
          await until(async () => ((await handle.describe()).historyLength >= 4 + 6 * activities ? true : undefined), {
            what: `${handle.workflowId} waiting after its activities`,
            timeoutMs: 300_000,
            intervalMs: 200,
          });
        });
      await load('warm-up', 100).catch(async (err: Error) => {
        throw new Error(`${err.message}\n${logTail(worker)}`);
      });
      const before = await settledRss(worker.pid, settleSeconds);
      const started = Date.now();
      await load('load', workflows);
      const loadSeconds = (Date.now() - started) / 1000;
      const after = await settledRss(worker.pid, settleSeconds);
      const events = (await client.workflow.getHandle('load-0').describe()).historyLength;
      const kibPerWorkflow = ((after - before) * 1024) / workflows;
      // RSS that did not grow: too few workflows (or too short a settle) to move it; no figure.
      const perGb = after > before ? Math.round(workflows / ((after - before) / 1024)) : undefined;
      results.push({ activities, events, kibPerWorkflow: Math.round(kibPerWorkflow * 10) / 10, perGb });
      process.stdout.write(
        `  ${activities} activities, ${events} history events: RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB, ` +
          `${kibPerWorkflow.toFixed(1)} KiB per cached workflow, ${perGb === undefined ? 'n/a (RSS did not grow)' : perGb} per GB (loaded in ${loadSeconds.toFixed(0)} s)\n`,
      );
      await inParallel(Array.from({ length: workflows }), 32, (_, i) => client.workflow.getHandle(`load-${i}`).signal(finishSignal).catch(() => undefined));
    } finally {
      await worker.stop();
      await server.stop();
    }
  }
  if (results.length >= 2) {
    const [first, last] = [results[0]!, results[results.length - 1]!];
    const perEvent = ((last.kibPerWorkflow - first.kibPerWorkflow) / (last.events - first.events)) * 1024;
    process.stdout.write(`  each history event of a cached run: about ${perEvent.toFixed(0)} bytes of worker RSS\n`);
  }
  process.stdout.write(`${JSON.stringify({ workflows, metrics, allocator: allocator.description, results })}\n`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`p4-floor failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
