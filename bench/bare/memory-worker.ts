/**
 * The worker of `npm run bench:p4-floor`: the bare workflows, run the way our worker runs
 * (`worker/run.ts`, `worker/main.ts`): the same V8 heap flags, the same 3-frame sandbox stack
 * traces, the same SDK runtime (its logs through pino; with BENCH_METRICS_PORT, its Prometheus
 * exporter), a cache sized to hold every workflow; the allocator comes from the parent
 * (LD_PRELOAD). So the memory it takes per cached workflow is what the SDK itself costs beside
 * ours. Stops on SIGTERM.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { applyHeapFlags, DEFAULT_WORKER_HEAP_FLAGS } from '../../common/heap-flags';
import { createLogger } from '../../common/logger';
import { installTemporalRuntimeLogging } from '../../common/temporal-runtime';
import { withSandboxStackTraceLimit } from '../../worker/sandbox-stack-traces';

async function main(): Promise<void> {
  const { TEMPORAL_ADDRESS: address, BENCH_TASK_QUEUE: taskQueue, BENCH_BARE_BUNDLE: bundle } = process.env;
  if (!address || !taskQueue || !bundle) throw new Error('TEMPORAL_ADDRESS, BENCH_TASK_QUEUE and BENCH_BARE_BUNDLE are required');
  applyHeapFlags(DEFAULT_WORKER_HEAP_FLAGS.split(' '));
  // --metrics: the SDK's Prometheus exporter on, as our worker runs it (WORKER_METRICS_PORT).
  const metricsPort = Number(process.env.BENCH_METRICS_PORT ?? 0);
  installTemporalRuntimeLogging(createLogger({ level: 'info', name: 'p4-floor-worker' }), { port: metricsPort });
  const connection = await NativeConnection.connect({ address });
  const worker = await withSandboxStackTraceLimit(3, () =>
    Worker.create({
      connection,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue,
      workflowBundle: { codePath: bundle },
      activities: { noop: async () => undefined },
      maxCachedWorkflows: 50_000,
    }),
  );
  process.once('SIGTERM', () => worker.shutdown());
  process.stdout.write('memory worker polling\n');
  await worker.run();
  await connection.close();
}

main().catch((err: Error) => {
  process.stderr.write(`memory worker failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
