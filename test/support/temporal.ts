/**
 * Test access to the run's shared dev server (started in test/global-setup.ts): a client, a
 * native connection for workers, unique ids and task queues, and a worker running our real
 * workflows with whatever activities the test builds.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { clientConnectionOptions } from '../../common/temporal';
import { createAgencyWorker } from '../../worker/worker';

export const NAMESPACE = 'default';

export function testAddress(): string {
  const address = process.env.AGENCYFLOW_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('AGENCYFLOW_TEST_TEMPORAL_ADDRESS unset: run tests through jest (global setup)');
  return address;
}

export function testBundlePath(): string {
  const bundle = process.env.AGENCYFLOW_TEST_WORKFLOW_BUNDLE;
  if (!bundle) throw new Error('AGENCYFLOW_TEST_WORKFLOW_BUNDLE unset: run tests through jest (global setup)');
  return bundle;
}

/** A short unique id for this test: `p-<prefix>-<8 hex>`, valid as a project id. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`.toLowerCase();
}

export interface TestTemporal {
  connection: Connection;
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

export async function connectTestTemporal(): Promise<TestTemporal> {
  const address = testAddress();
  const connection = await Connection.connect({ address, ...clientConnectionOptions() });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    connection,
    nativeConnection,
    client: new Client({ connection, namespace: NAMESPACE }),
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export function createTestWorker(
  temporal: TestTemporal,
  options: { taskQueue: string; activities: object; maxCachedWorkflows?: number },
): Promise<Worker> {
  return createAgencyWorker({
    connection: temporal.nativeConnection,
    namespace: NAMESPACE,
    taskQueue: options.taskQueue,
    bundlePath: testBundlePath(),
    activities: options.activities,
    maxCachedWorkflows: options.maxCachedWorkflows,
  });
}

/** Polls `probe` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false | null>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what ?? 'condition'}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

/**
 * The length of a workflow's history once nothing more is being written: no activity pending (a
 * snapshot publish or a notice from the last change still running writes its result later, with
 * no event before that), no workflow task waiting for a worker, and the same length on two reads
 * in a row. Tests that prove a refused
 * request "wrote nothing" measure against this.
 */
export async function quietHistoryLength(client: Client, workflowId: string): Promise<number> {
  let last = -1;
  return eventually(
    async () => {
      const description = await client.workflow.getHandle(workflowId).describe();
      // A workflow task scheduled but not yet run (a loaded machine) will add events too.
      const pending = (description.raw.pendingActivities?.length ?? 0) + (description.raw.pendingWorkflowTask ? 1 : 0);
      const now = description.historyLength;
      const quiet = pending === 0 && now === last;
      last = pending === 0 ? now : -1;
      return quiet ? now : undefined;
    },
    { intervalMs: 300, timeoutMs: 30_000, what: `${workflowId} to go quiet` },
  );
}

const GRPC_NOT_FOUND = 5;

/**
 * Replays the history of every workflow this test file ran on its task queue against the current
 * bundle: a run that would break on replay (a worker restart, a query on an evicted workflow)
 * fails the file that produced it, whatever the file itself asserts.
 */
export async function replayEverythingOn(client: Client, taskQueue: string): Promise<void> {
  const { Worker } = await import('@temporalio/worker');
  const histories: { workflowId: string; history: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>> }[] = [];
  for await (const info of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    try {
      histories.push({ workflowId: info.workflowId, history: await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
    } catch (err) {
      // Deleted (a test playing retention): visibility may list it a moment longer, and there is
      // no history left to replay.
      if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND)) continue;
      throw err;
    }
  }
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: testBundlePath() }, replayName: `replay-${taskQueue}` }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  if (failures.length > 0) throw new Error(`histories that do not replay on the current code:\n${failures.join('\n')}`);
}
