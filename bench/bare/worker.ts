/**
 * The bare worker process: the bare workflows (a prebuilt bundle) and a no-op activity, on its
 * own task queue, SDK defaults otherwise. Started by the bench; stops on SIGTERM.
 */
import { NativeConnection, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS;
  const taskQueue = process.env.BENCH_TASK_QUEUE;
  const bundle = process.env.BENCH_BARE_BUNDLE;
  if (!address || !taskQueue || !bundle) throw new Error('TEMPORAL_ADDRESS, BENCH_TASK_QUEUE and BENCH_BARE_BUNDLE are required');
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    workflowBundle: { codePath: bundle },
    activities: { noop: async () => undefined },
  });
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write('bare worker polling\n');
  await worker.run();
  await connection.close();
}

main().catch((err: Error) => {
  process.stderr.write(`bare worker failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
