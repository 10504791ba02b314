/**
 * The workflow sandbox keeps as many stack frames as the worker is told (WORKER_STACK_TRACE_FRAMES,
 * worker/sandbox-stack-traces.ts): fewer frames per pending promise is less memory per cached run.
 * Read through the SDK's own `__stack_trace` query (Temporal UI's "Stack Trace" tab), beside a
 * worker with V8's default, and the rest of the process keeps its own limit.
 */
import vm from 'node:vm';
import type { Worker } from '@temporalio/worker';
import { designTaskInput } from '../activities/fixtures';
import { taskId } from '../../workflows/task/contract';
import { createAgencyWorker } from '../../worker/worker';
import { connectTestTemporal, eventually, NAMESPACE, testBundlePath, uniqueId, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(() => temporal?.close());
jest.setTimeout(60_000);

const quietActivities = { publishSnapshot: async () => undefined, notify: async () => undefined };

/** The most frames any pending promise of a running task workflow has, on a worker created with `stackTraceFrames`. */
async function deepestPendingStack(stackTraceFrames: number | undefined): Promise<number> {
  const taskQueue = uniqueId('stack');
  const worker: Worker = await createAgencyWorker({
    connection: temporal.nativeConnection,
    namespace: NAMESPACE,
    taskQueue,
    bundlePath: testBundlePath(),
    activities: quietActivities,
    stackTraceFrames,
  });
  const running = worker.run();
  try {
    const projectId = `p-${uniqueId('stack')}`;
    const input = designTaskInput(projectId);
    const handle = await temporal.client.workflow.start('taskWorkflow', {
      taskQueue,
      workflowId: taskId(projectId, input.taskKey),
      args: [input],
    });
    const trace = await eventually(async () => (await handle.query<string>('__stack_trace')) || undefined, { what: 'a stack trace' });
    await handle.terminate('test over');
    return Math.max(...trace.split(/\n\s*\n/).map((stack) => stack.split('\n').filter((line) => /^\s+at /.test(line)).length));
  } finally {
    worker.shutdown();
    await running;
  }
}

it('keeps the frames it is told per pending promise, and leaves the rest of the process its own limit', async () => {
  const limitBefore = Error.stackTraceLimit;
  const withDefault = await deepestPendingStack(undefined);
  const withTwo = await deepestPendingStack(2);
  expect(withDefault).toBeGreaterThan(2);
  expect(withTwo).toBeGreaterThan(0);
  expect(withTwo).toBeLessThanOrEqual(2);
  expect(Error.stackTraceLimit).toBe(limitBefore);
  // Contexts made later (another worker's sandbox, a vm) get V8's default again.
  expect(vm.runInContext('Error.stackTraceLimit', vm.createContext({}))).toBe(10);
});
