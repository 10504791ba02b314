/**
 * The worker of `npm run bench:p4-floor`: the bare workflows, run the way our worker runs
 * (`worker/run.ts`): the same V8 heap flags, the same 3-frame sandbox stack traces, a cache sized
 * to hold every workflow (and, with BENCH_METRICS_PORT, the SDK's Prometheus exporter); the allocator comes from the parent (LD_PRELOAD). So the memory it
 * takes per cached workflow is what the SDK itself costs beside ours. Stops on SIGTERM.
 */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { applyHeapFlags, DEFAULT_WORKER_HEAP_FLAGS } from '../../common/heap-flags';
import { withSandboxStackTraceLimit } from '../../worker/sandbox-stack-traces';

async function main(): Promise<void> {
  const { TEMPORAL_ADDRESS: address, BENCH_TASK_QUEUE: taskQueue, BENCH_BARE_BUNDLE: bundle } = process.env;
  if (!address || !taskQueue || !bundle) throw new Error('TEMPORAL_ADDRESS, BENCH_TASK_QUEUE and BENCH_BARE_BUNDLE are required');
  applyHeapFlags(DEFAULT_WORKER_HEAP_FLAGS.split(' '));
  // --metrics: the SDK's Prometheus exporter on, as our worker runs it (WORKER_METRICS_PORT).
  const metricsPort = process.env.BENCH_METRICS_PORT;
  if (metricsPort) {
    const prometheus = { bindAddress: `127.0.0.1:${metricsPort}`, useSecondsForDurations: true, unitSuffix: true, countersTotalSuffix: true };
    Runtime.install({ telemetryOptions: { metrics: { prometheus } } });
  }
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
