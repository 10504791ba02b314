/**
 * Builds and supervises our one worker: all workflows (from the prebuilt bundle) and all
 * activities on one task queue. Used by `npm run worker`, `npm start` and the tests.
 */
import { NativeConnection, Worker, type State as WorkerState } from '@temporalio/worker';
import type { Logger } from '../common/logger';
import { retryWithBackoff, type RetryOptions } from '../common/temporal';
import { withSandboxStackTraceLimit } from './sandbox-stack-traces';

/**
 * The worker's own connection (the Rust core's), with the same retry as the client's. Here and
 * not in common/temporal.ts, so the API, which needs only the client, does not load the worker
 * package and its native module.
 */
function connectWorker(address: string, options: Omit<RetryOptions, 'what'>): Promise<NativeConnection> {
  return retryWithBackoff(() => NativeConnection.connect({ address }), {
    ...options,
    what: `Connecting the worker to Temporal at ${address}`,
  });
}

export interface AgencyWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Path of the prebuilt workflow bundle (see common/workflow-bundle.ts). */
  bundlePath: string;
  activities: object;
  maxCachedWorkflows?: number;
  /** Stack frames the workflow sandbox records (see sandbox-stack-traces.ts); V8's default (10) when not given. */
  stackTraceFrames?: number;
  identity?: string;
}

/** How long a stopping worker lets its running activities finish before cancelling them. */
export const SHUTDOWN_GRACE = '3s';

export function createAgencyWorker(options: AgencyWorkerOptions): Promise<Worker> {
  if (options.stackTraceFrames !== undefined) {
    const { stackTraceFrames, ...rest } = options;
    return withSandboxStackTraceLimit(stackTraceFrames, () => createAgencyWorker(rest));
  }
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: { codePath: options.bundlePath },
    activities: options.activities,
    // On shutdown, running activities get this long to finish and are then cancelled (and retried
    // elsewhere). Without it a shutdown waits for every activity, and one that needs a workflow
    // worker (a snapshot publish asks its workflow; an invoice number is an update) waits on the
    // very worker that is stopping, until the server gives up on it.
    shutdownGraceTime: SHUTDOWN_GRACE,
    // The native bridge rejects keys present with an undefined value: pass only what is set.
    ...(options.maxCachedWorkflows !== undefined && { maxCachedWorkflows: options.maxCachedWorkflows }),
    ...(options.identity !== undefined && { identity: options.identity }),
  });
}

export type SupervisedWorkerState = 'connecting' | WorkerState;

export interface SupervisedWorker {
  state(): SupervisedWorkerState;
  /** True while the worker runs and polls its task queue. */
  polling(): boolean;
  stop(): Promise<void>;
}

/**
 * Connects (retrying with backoff while Temporal is unreachable), runs the worker, and restarts
 * it with backoff if it fails, so an outage is one clear log line and a 503 on /readyz rather
 * than a crash loop.
 */
export function superviseWorker(options: {
  address: string;
  namespace: string;
  taskQueue: string;
  bundlePath: string;
  activities: object;
  maxCachedWorkflows?: number;
  stackTraceFrames?: number;
  log: Logger;
}): SupervisedWorker {
  const abort = new AbortController();
  let current: Worker | undefined;
  let connection: NativeConnection | undefined;

  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        connection = await connectWorker(options.address, { log: options.log, signal: abort.signal });
        const worker = await retryWithBackoff(
          () =>
            createAgencyWorker({
              connection: connection!,
              namespace: options.namespace,
              taskQueue: options.taskQueue,
              bundlePath: options.bundlePath,
              activities: options.activities,
              maxCachedWorkflows: options.maxCachedWorkflows,
              stackTraceFrames: options.stackTraceFrames,
            }),
          { log: options.log, what: 'Starting the worker', signal: abort.signal },
        );
        if (abort.signal.aborted) break;
        current = worker;
        options.log.info({ taskQueue: options.taskQueue, namespace: options.namespace }, 'worker polling');
        await worker.run();
        if (abort.signal.aborted) break;
        options.log.error('worker stopped unexpectedly; restarting');
      } catch (err) {
        if (abort.signal.aborted) break;
        options.log.error({ err: (err as Error).message }, 'worker failed; restarting in 5 s');
        await new Promise((resolve) => setTimeout(resolve, 5_000));
      } finally {
        current = undefined;
        await connection?.close().catch(() => undefined);
        connection = undefined;
      }
    }
  })();

  return {
    state: () => current?.getState() ?? 'connecting',
    polling: () => current?.getState() === 'RUNNING',
    async stop() {
      abort.abort();
      if (current && current.getState() === 'RUNNING') current.shutdown();
      await loop;
    },
  };
}
