/**
 * Reading one project or task: Temporal (the workflow's query) is the truth, the reporting store
 * its published copy. The store answers who may see a record (a project's manager and a task's
 * department never change), so an action costs no extra round trip to Temporal; the workflow
 * answers what it looks like now — when it answers promptly. A query waits in the same worker
 * queue as the work itself, so while many projects are busy it can take seconds; a read does not
 * wait longer than LIVE_READ_BUDGET_MS for it and serves the stored copy instead, marked with
 * when it was published (header `X-Snapshot-Published-At`). The copy trails the workflow by its
 * publish (normally well under a second); the same copy is served when no worker runs at all (a
 * restart) or after Temporal's retention has deleted a finished run, instead of a 503 or a 404.
 *
 * A stored copy older than a version this process has already answered with (an action's result,
 * an earlier live read) is never served while the workflow may still answer: a person who just
 * acted must not see the state from before. Such a read waits for the live answer instead. The
 * late live answer of a read that was served from the store still counts as seen.
 */
import type { Stored } from '../activities/reporting/store';
import type { ReportingStore } from '../activities/reporting/store';
import { ApiProblem } from './errors';

/**
 * How long a read waits for the workflow before it serves the stored copy: about what a query of
 * an idle worker takes here (p99 35 ms), so an idle system answers live and a busy one from the
 * store — with the access check's store read before it, within the 50 ms a page's data should take.
 */
export const LIVE_READ_BUDGET_MS = 40;

/** Header naming the time the stored copy served instead of a live answer was published. */
export const STORED_SNAPSHOT_HEADER = 'X-Snapshot-Published-At';

export type SnapshotStore = Pick<ReportingStore, 'project' | 'task'>;

/**
 * The newest version this process has seen of each project and task (bounded: the oldest
 * entries go first), so a stored copy older than what someone was already shown is not served.
 */
export class SeenVersions {
  private readonly versions = new Map<string, number>();

  constructor(private readonly capacity = 50_000) {}

  note(id: string, version: number): void {
    const known = this.versions.get(id);
    if (known !== undefined && known >= version) return;
    this.versions.delete(id);
    this.versions.set(id, version);
    if (this.versions.size > this.capacity) this.versions.delete(this.versions.keys().next().value as string);
  }

  /** The stored copy is at least as new as anything this process answered with. */
  current(id: string, storedVersion: number): boolean {
    return storedVersion >= (this.versions.get(id) ?? 0);
  }
}

/** The stored copy, or undefined when the store lacks it or cannot answer (Temporal is asked instead). */
export async function storedCopy<T>(
  read: () => Promise<Stored<T> | undefined>,
  logger: { warn(fields: object, message: string): void },
  ids: Record<string, string>,
): Promise<Stored<T> | undefined> {
  try {
    return await read();
  } catch (err) {
    logger.warn({ ...ids, err: (err as Error).message }, 'reporting store unavailable; reading from Temporal');
    return undefined;
  }
}

/**
 * The live snapshot; the stored copy when the workflow does not answer within
 * LIVE_READ_BUDGET_MS and the copy is not older than what this process has shown, or when the
 * workflow cannot answer at all (503) or is gone (404 after retention). `publishedAt` is set when
 * the stored copy is the answer.
 */
export async function liveOrStored<T extends { version: number }>(
  id: string,
  live: () => Promise<T>,
  stored: Stored<T> | undefined,
  seen: SeenVersions,
): Promise<{ value: T; publishedAt?: string }> {
  const fromLive = live().then((value) => {
    seen.note(id, value.version);
    return { value };
  });
  const fromStore = (): { value: T; publishedAt: string } => ({ value: stored!.value, publishedAt: stored!.publishedAt });
  const fallBack = (err: unknown): { value: T; publishedAt?: string } => {
    if (stored && err instanceof ApiProblem && (err.status === 503 || err.status === 404)) return fromStore();
    throw err;
  };
  if (!stored || !seen.current(id, stored.value.version)) return fromLive.catch(fallBack);
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), LIVE_READ_BUDGET_MS);
  });
  try {
    const first = await Promise.race([fromLive.catch(fallBack), slow]);
    if (first !== 'slow') return first;
    fromLive.catch(() => undefined); // answered from the store; the late live answer only counts as seen
    return fromStore();
  } finally {
    clearTimeout(timer);
  }
}
