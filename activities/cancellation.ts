/**
 * Activities that wait on a workflow need a worker polling for workflow tasks. A stopping worker
 * has stopped polling and cancels its running activities after its grace time (worker/worker.ts):
 * a snapshot publish's query must then end at once, so another worker retries it, rather than
 * wait for the server to give up on it (30 s) and hold the shutdown that long — while the
 * deadlines of the runs this worker served pass with no worker (the worker-restart test).
 */
import { asyncLocalStorage } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { settledWithin } from '../common/settle';

/**
 * Runs `call` with the running activity's cancellation: the call is cancelled, and this rejects
 * at once, when the activity is. (The SDK's gRPC retries after a failed first try are not
 * cancelled by the signal; nothing waits for them.) Outside a worker (unit tests call activities
 * directly) it simply runs `call`.
 */
export function untilCancelled<T>(client: Pick<Client, 'withAbortSignal'>, call: () => Promise<T>): Promise<T> {
  const signal = asyncLocalStorage.getStore()?.cancellationSignal;
  if (!signal) return call();
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const running = client.withAbortSignal(signal, call);
    const onAbort = (): void => {
      abandoned.add(running);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    running
      .then(resolve, reject)
      .finally(() => {
        signal.removeEventListener('abort', onAbort);
        abandoned.delete(running);
      });
  });
}

// Calls whose activity gave up on them but that have not ended yet. A retry the SDK starts after
// the connection closed throws outside any caller ("Channel has been shut down"): whoever closes
// the activities' connection waits for these first.
const abandoned = new Set<Promise<unknown>>();

/** Waits (at most `timeoutMs`) for calls given up by cancelled activities to end. */
export function settleAbandonedCalls(timeoutMs = 10_000): Promise<void> {
  return settledWithin(abandoned, timeoutMs);
}
