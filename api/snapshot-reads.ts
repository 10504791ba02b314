/**
 * Reading one project or task: Temporal (the workflow's query) is the truth, the reporting store
 * its last published copy. The store answers who may see a record (a project's manager and a
 * task's department never change), so an action costs no extra round trip to Temporal; the
 * workflow answers what it looks like now. When the workflow cannot answer — no worker polling
 * (a restart), or Temporal's retention has deleted a finished run — the stored copy is served,
 * marked with when it was published, instead of a 503 or a 404.
 */
import type { Stored } from '../activities/reporting/store';
import type { Logger } from '../common/logger';
import type { ReportingStore } from '../activities/reporting/store';
import { ApiProblem } from './errors';

/** How long a read waits for the workflow before it serves the stored copy. */
export const LIVE_READ_TIMEOUT_MS = 2_000;

/** Header naming the time the stored copy served instead of a live answer was published. */
export const STORED_SNAPSHOT_HEADER = 'X-Snapshot-Published-At';

export type SnapshotStore = Pick<ReportingStore, 'project' | 'task'>;

/** The stored copy, or undefined when the store lacks it or cannot answer (Temporal is asked instead). */
export async function storedCopy<T>(read: () => Promise<Stored<T> | undefined>, logger: Logger, ids: Record<string, string>): Promise<Stored<T> | undefined> {
  try {
    return await read();
  } catch (err) {
    logger.warn({ ...ids, err: (err as Error).message }, 'reporting store unavailable; reading from Temporal');
    return undefined;
  }
}

/**
 * The live snapshot; the stored copy when the workflow does not answer in time (503) or is gone
 * (404 after retention). `served` says which, for the response header.
 */
export async function liveOrStored<T>(
  live: (timeoutMs: number | undefined) => Promise<T>,
  stored: Stored<T> | undefined,
): Promise<{ value: T; publishedAt?: string }> {
  try {
    return { value: await live(stored ? LIVE_READ_TIMEOUT_MS : undefined) };
  } catch (err) {
    if (stored && err instanceof ApiProblem && (err.status === 503 || err.status === 404)) {
      return { value: stored.value, publishedAt: stored.publishedAt };
    }
    throw err;
  }
}
