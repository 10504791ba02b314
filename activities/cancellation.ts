/**
 * Activities that wait on a workflow (a query, an update) need a worker polling for workflow
 * tasks. A stopping worker has stopped polling and cancels its running activities after its grace
 * time (worker/worker.ts): such an activity must then end at once, so another worker retries it,
 * rather than wait for the server to give up on its call and hold the shutdown that long.
 */
import { asyncLocalStorage } from '@temporalio/activity';

/**
 * Runs `work`, but rejects as soon as the running activity is cancelled. The call inside may
 * linger until the server answers; nothing waits for it. Outside a worker (unit tests call
 * activities directly) it simply runs `work`.
 */
export function untilCancelled<T>(work: () => Promise<T>): Promise<T> {
  const signal = asyncLocalStorage.getStore()?.cancellationSignal;
  if (!signal) return work();
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
