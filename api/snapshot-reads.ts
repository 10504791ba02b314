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
 * A record the store has not seen yet (just created) stands in with its state at the start, read
 * from its start event (`storedOrAtStart`) — for a task its project has just started, built from
 * the project's stored copy instead (`taskInProjectCopy`). While most reads miss the budget, reads with a copy
 * skip the query until one asked in the background comes back in time (`LiveReadPace`). An action's answer is the snapshot of the version
 * it made, from the workflow or the store, whichever has it first (`snapshotAtLeast`).
 *
 * A stored copy older than a version this process has already answered with (an action's result,
 * an earlier live read) is never served while the workflow may still answer: a person who just
 * acted must not see the state from before. The snapshot this process answered with is served
 * instead (remembered for the most recent records), or else the read waits for the live answer.
 *
 * A read that answers without the workflow cancels its query. Left running, such queries pile up
 * in the task queue while no worker polls (a restart) and reach the next worker before the work
 * itself — for nothing, and that order is what sets off a Temporal SDK bug (README, What is not
 * finished yet: a query on an uncached workflow, then an update).
 */
import type { ProjectCopyForTasks, Stored } from '../activities/reporting/store';
import { planTaskInput } from '../workflows/project/state';
import { openingTaskView, type TaskView } from '../workflows/task/contract';
import { settledWithin } from '../common/settle';
import { ApiProblem, ProblemType } from './errors';

/**
 * How long a read waits for the workflow before it serves the stored copy: about what a query of
 * an idle worker takes here (p99 35 ms), so an idle system answers live and a busy one from the
 * store. Counted from when the request arrived, not from when the query was sent: the access
 * check's store read comes first, and on a busy machine it alone can take tens of milliseconds —
 * the read as a whole still answers within the 50 ms a page's data should take.
 */
export const LIVE_READ_BUDGET_MS = 40;

/**
 * How long a read waits for Temporal to say whether a task of the approved plan has started (the
 * project's stored copy says not yet, and may be a publish behind), counted from when it asks. A
 * history read, no worker: on an idle dev server here 3 ms at p50 and under 10 at p99; under load
 * it takes tens, and then the copy's word is all a read waits for.
 */
export const START_CHECK_BUDGET_MS = 10;

/** Header naming the time the stored copy served instead of a live answer was published. */
export const STORED_SNAPSHOT_HEADER = 'X-Snapshot-Published-At';

/** A map that forgets its oldest entries past `capacity`: what a process learns once per record. */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }
}

/**
 * The newest version this process has seen of each project and task, and the snapshot itself
 * when it was the answer (an action's result, a live read) — bounded: the oldest entries go
 * first. A stored copy older than what someone was already shown is not served; the remembered
 * answer is, when the workflow is slow: it is what the same person was just shown.
 */
export class SeenVersions<T extends { version: number } = { version: number }> {
  private readonly versions: BoundedMap<string, number>;
  // Snapshots can be large (a big plan, a long timeline): only the most recent few are kept.
  private readonly values: BoundedMap<string, T>;

  constructor(capacity = 50_000, valueCapacity = 500) {
    this.versions = new BoundedMap(capacity);
    this.values = new BoundedMap(valueCapacity);
  }

  /** `value`: the snapshot at `version`, when this process answered with it. */
  note(id: string, version: number, value?: T): void {
    const known = this.versions.get(id);
    if (known !== undefined && known > version) return;
    if (known === undefined || known < version) {
      this.versions.set(id, version);
      this.values.delete(id); // an older answer is not what was seen last
    }
    if (value && value.version === version) this.values.set(id, value);
  }

  /** The stored copy is at least as new as anything this process answered with. */
  current(id: string, storedVersion: number): boolean {
    return storedVersion >= (this.versions.get(id) ?? 0);
  }

  /** The newest snapshot this process answered with, if it is the newest version it has seen. */
  remembered(id: string): T | undefined {
    return this.values.get(id);
  }
}

/** How long `PendingWrites` remembers when a write landed: longer than any list is served from memory (LIST_MAX_AGE_MS). */
export const LANDED_MEMORY_MS = 10_000;

/** The longest a read waits for this process's own store writes (a store that hangs must not hang reads). */
export const PENDING_WRITES_WAIT_MS = 1_000;

/**
 * Store writes this process started after answering (an action's new state), by who acted: a list
 * that person reads next waits for theirs first, so whoever acted sees the action in every list
 * at once. Other people's writes are not waited for: to them the action is no different from the
 * workflow's own publish a moment later (and a single record's read needs no wait: `SeenVersions`
 * keeps it from showing a copy older than this process answered with). A write that fails is
 * logged and dropped: the workflow publishes the same version itself.
 */
export class PendingWrites {
  private readonly pending = new Map<Promise<void>, string>();
  /** When each person's last write finished (`performance.now`), kept for LANDED_MEMORY_MS. */
  private readonly landed = new Map<string, number>();

  constructor(private readonly logger: { warn(fields: object, message: string): void; error(fields: object, message: string): void }) {}

  /**
   * `by`: the person whose action this write stores. `unwritten`: what makes sure the store gets
   * the record when this write failed (none: its workflow publishes the same version itself).
   */
  track(by: string, ids: Record<string, string>, write: Promise<unknown>, unwritten?: () => Promise<void>): void {
    const done: Promise<void> = write
      .then(
        () => undefined,
        async (err: unknown) => {
          this.logger.warn({ ...ids, err: (err as Error).message }, 'an action\'s answer was not written to the store; its workflow publishes it');
          await unwritten?.().catch((failed: unknown) =>
            this.logger.error({ ...ids, err: (failed as Error).message }, 'the workflow could not be asked to publish what the store lacks; `npm run reports:rebuild` repairs'),
          );
        },
      )
      .finally(() => {
        this.pending.delete(done);
        this.noteLanded(by);
      });
    this.pending.set(done, by);
  }

  /**
   * When `by`'s last write through this process finished (`performance.now`): a list held in
   * memory shows their action only if its statement started later. +Infinity while one is still
   * on its way; -Infinity when none finished within LANDED_MEMORY_MS (older than any list served).
   */
  lastLandedAt(by: string): number {
    if ([...this.pending.values()].includes(by)) return Infinity;
    return this.landed.get(by) ?? -Infinity;
  }

  private noteLanded(by: string): void {
    const now = performance.now();
    this.landed.delete(by);
    this.landed.set(by, now);
    // Oldest first (re-inserted above): forget what no held list can predate.
    for (const [who, at] of this.landed) {
      if (now - at <= LANDED_MEMORY_MS) break;
      this.landed.delete(who);
    }
  }

  /** Resolves once every write of `by`'s actions started so far has finished (or after PENDING_WRITES_WAIT_MS). */
  async settled(by: string): Promise<void> {
    const theirs = [...this.pending].filter(([, who]) => who === by).map(([write]) => write);
    if (theirs.length > 0) await settledWithin(theirs, PENDING_WRITES_WAIT_MS);
  }
}

/** The store's answer: its copy (none when it has not seen the record), or that it could not answer. */
async function readStore<T>(
  read: () => Promise<Stored<T> | undefined>,
  logger: { warn(fields: object, message: string): void },
  ids: Record<string, string>,
): Promise<{ copy?: Stored<T>; unavailable?: true }> {
  try {
    return { copy: await read() };
  } catch (err) {
    logger.warn({ ...ids, err: (err as Error).message }, 'reporting store unavailable; reading from Temporal');
    return { unavailable: true };
  }
}

/** How `LiveReadPace` decides (every field has a default). */
export interface LiveReadPaceOptions {
  /** How many recent answers count (default 5)… */
  window?: number;
  /** …and how many slow ones among them pause the asking (default 3). */
  slowToPause?: number;
  /** How long a pause lasts before a probe (default 2 s). */
  pauseMs?: number;
  /** What a probe's answer must come within (default LIVE_READ_BUDGET_MS). */
  budgetMs?: number;
}

/**
 * How promptly the workflows have answered reads lately. When most of the last few reads had to
 * fall back on the store (a busy worker: its queue holds the work of many projects), the reads
 * that have a copy to serve skip the query: they answer at the store's speed instead of waiting
 * LIVE_READ_BUDGET_MS first, and the busy worker is not handed queries whose answers nobody waits
 * for. Every `pauseMs` one read asks again — in the background, after it has answered from the copy
 * (a probe): only when that answer comes within the budget do reads ask the workflow again, and
 * then the first slow answer among the next few pauses them again (the prompt probe may have met a
 * lull). So while the workers stay busy, no person's read waits for the budget to run out, however
 * long that lasts; only the few reads that find them busy first do.
 */
export class LiveReadPace {
  private readonly recent: boolean[] = [];
  /** 0: reads ask; else the copy is served, and after this time one read probes. */
  private quietUntil = 0;
  private probing = false;
  /** Reads still on probation after a prompt probe: one slow answer among them pauses again at once. */
  private probation = 0;

  private readonly options: Required<LiveReadPaceOptions>;

  constructor(
    options: LiveReadPaceOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { window: 5, slowToPause: 3, pauseMs: 2_000, budgetMs: LIVE_READ_BUDGET_MS, ...options };
  }

  /**
   * What a read with a copy to serve does: `ask` the workflow (and wait up to the budget, then
   * `record` whether it answered in time); answer from the `copy` without asking; or answer from
   * the copy and `probe`: ask in the background and hand the outcome to `probed`.
   */
  next(): 'ask' | 'copy' | 'probe' {
    if (this.quietUntil === 0) return 'ask';
    if (this.probing || this.now() < this.quietUntil) return 'copy';
    this.probing = true;
    return 'probe';
  }

  /** True while reads with a copy to serve do not ask the workflow. */
  paused(): boolean {
    return this.quietUntil !== 0;
  }

  /** One read that raced the workflow: `slow` when the workflow missed the budget. */
  record(slow: boolean): void {
    if (this.quietUntil !== 0) return; // asked before the pause began: the probe decides from here
    if (this.probation > 0) {
      // One prompt probe may have been a lull: a busy worker should not cost three more reads the budget.
      if (slow) this.pause();
      else this.probation -= 1;
      return;
    }
    this.recent.push(slow);
    if (this.recent.length > this.options.window) this.recent.shift();
    if (this.recent.filter(Boolean).length >= this.options.slowToPause) this.pause();
  }

  /** The probe's outcome: prompt — reads ask again; slow — another pause. */
  probed(slow: boolean): void {
    this.probing = false;
    if (slow) {
      this.pause();
    } else {
      this.quietUntil = 0;
      this.probation = this.options.window;
    }
  }

  /** Asks `answer` in the background for a probe (`next()` said so): its outcome is `probed`; past the budget it is `abort`ed. */
  probe(answer: Promise<unknown>, abort: () => void): void {
    void withinReadBudget(answer.catch(() => TOO_SLOW), undefined, this.options.budgetMs).then((first) => {
      const slow = first === TOO_SLOW;
      if (slow) abort();
      this.probed(slow);
    });
  }

  private pause(): void {
    this.quietUntil = this.now() + this.options.pauseMs;
    this.recent.length = 0;
    this.probation = 0;
  }
}

/**
 * What a read or an action knows of a record before it asks the workflow: the store's copy, or —
 * for a record the store has not seen yet (just created) — its state at the start, from its start
 * event (Temporal answers that without a worker; 404 when there is no such record). `known` says
 * who may see the record (its manager and department never change); `stored` is the copy a read
 * may fall back on — not the start when the store could not answer, as the record may then be long
 * past its start.
 */
export async function storedOrAtStart<T>(
  read: () => Promise<Stored<T> | undefined>,
  atStart: () => Promise<Stored<T>>,
  logger: { warn(fields: object, message: string): void },
  ids: Record<string, string>,
): Promise<{ known: T; stored?: Stored<T> }> {
  const { copy, unavailable } = await readStore(read, logger, ids);
  if (copy) return { known: copy.value, stored: copy };
  const start = await atStart();
  return { known: start.value, ...(!unavailable && { stored: start }) };
}

/**
 * What a project's stored copy tells of one of its tasks that the store has not seen yet (just
 * started: its first publish has not landed). `added`: the project has added it to its snapshot,
 * which it does in the workflow task that starts the task's workflow — served as the task's
 * opening view, built as the project builds the task's input (`planTaskInput`: the same view its
 * start event gives, without reading that from a busy server). `planned`: it is in the approved
 * plan but the project had not started it as of this copy (the contract, an unpaid prepayment,
 * or the copy is a moment behind), with who may see it (its department, the project's manager).
 * Nothing: the copy cannot tell (a revision's task, no approved plan) and Temporal is asked.
 */
export function taskInProjectCopy(
  project: Stored<ProjectCopyForTasks>,
  taskKey: string,
): { state: 'added'; opening: Stored<TaskView> } | { state: 'planned'; access: Pick<TaskView, 'department' | 'managerId'> } | undefined {
  const status = project.value;
  const planTask = status.plans.find((p) => p.version === status.approvedPlanVersion)?.tasks.find((t) => t.key === taskKey);
  if (!planTask) return undefined;
  if (!status.tasks.some((t) => t.key === taskKey)) return { state: 'planned', access: { department: planTask.department, managerId: status.managerId } };
  const opening = openingTaskView(planTaskInput(status, planTask));
  return { state: 'added', opening: { value: opening, seq: opening.version, publishedAt: project.publishedAt } };
}

/** The stored copy, or undefined when the store lacks it or cannot answer (Temporal is asked instead). */
export async function storedCopy<T>(
  read: () => Promise<Stored<T> | undefined>,
  logger: { warn(fields: object, message: string): void },
  ids: Record<string, string>,
): Promise<Stored<T> | undefined> {
  return (await readStore(read, logger, ids)).copy;
}

/** The workflow cannot answer (no worker, or a history its worker cannot replay: 503) or is gone (retention: 404). */
export function workflowUnanswered(err: unknown): boolean {
  return err instanceof ApiProblem && (err.status === 503 || err.status === 404);
}

/**
 * The live snapshot; the stored copy when the workflow does not answer within
 * LIVE_READ_BUDGET_MS and the copy is not older than what this process has shown, or when the
 * workflow cannot answer at all (503) or is gone (404 after retention). `publishedAt` is set when
 * the stored copy is the answer.
 */
export async function liveOrStored<T extends { version: number }>(
  id: string,
  live: (signal: AbortSignal) => Promise<T>,
  stored: Stored<T> | undefined,
  seen: SeenVersions<T>,
  options: {
    /** How promptly this kind's workflows answer lately; none: always ask. */
    pace?: LiveReadPace;
    /** `performance.now()` when the request arrived; the budget ends LIVE_READ_BUDGET_MS after it (default: now). */
    receivedAt?: number;
  } = {},
): Promise<{ value: T; publishedAt?: string }> {
  const { pace } = options;
  // The best answer that does not wait: the stored copy if nothing newer was shown here, else
  // what was shown (a person who just acted sees at least their own action).
  const remembered = seen.remembered(id);
  const quick: { value: T; publishedAt?: string } | undefined =
    stored && seen.current(id, stored.value.version)
      ? { value: stored.value, publishedAt: stored.publishedAt }
      : remembered && (!stored || remembered.version > stored.value.version)
        ? { value: remembered }
        : undefined;
  // The workflows are slow to answer lately: serve the copy at once (now and then asking in the
  // background whether they are prompt again).
  const step = quick && pace ? pace.next() : 'ask';
  if (quick && step === 'copy') return quick;
  const query = new AbortController();
  const fromLive = live(query.signal).then((value) => {
    seen.note(id, value.version, value);
    return { value };
  });
  if (quick && step === 'probe') {
    pace?.probe(fromLive, () => query.abort());
    return quick;
  }
  const fallBack = (err: unknown): { value: T; publishedAt?: string } => {
    if (workflowUnanswered(err)) {
      if (quick) return quick;
      if (stored) return { value: stored.value, publishedAt: stored.publishedAt };
    }
    throw err;
  };
  if (!quick) return fromLive.catch(fallBack);
  const first = await withinReadBudget(fromLive.catch(fallBack), options.receivedAt);
  pace?.record(first === TOO_SLOW);
  if (first !== TOO_SLOW) return first;
  fromLive.catch(() => undefined); // answered without it: the query is cancelled
  query.abort();
  return quick;
}

/** What `withinReadBudget` gives when the answer did not come in time. */
export const TOO_SLOW = Symbol('too slow');

/** `answer`, if it comes within `budgetMs` (default LIVE_READ_BUDGET_MS) of `receivedAt` (default: now); else TOO_SLOW. */
export async function withinReadBudget<T>(answer: Promise<T>, receivedAt?: number, budgetMs = LIVE_READ_BUDGET_MS): Promise<T | typeof TOO_SLOW> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<typeof TOO_SLOW>((resolve) => {
    const spent = receivedAt === undefined ? 0 : performance.now() - receivedAt;
    timer = setTimeout(() => resolve(TOO_SLOW), Math.max(0, budgetMs - spent));
  });
  try {
    return await Promise.race([answer, slow]);
  } finally {
    clearTimeout(timer);
  }
}

/** How often an action's answer asks the store for its version while the workflow is slow to answer. */
export const ACTION_SNAPSHOT_POLL_MS = 100;

/**
 * The snapshot an action answers with: at least the version the action made (its update says
 * which). The workflow's query gives it at once when the worker is idle; under load that query
 * waits in the same queue as the work, and a busy worker once made a done action answer 503. So
 * after LIVE_READ_BUDGET_MS the store is asked too, every ACTION_SNAPSHOT_POLL_MS, for the copy
 * the workflow publishes of that version; the first of the two answers, the other is stopped.
 * Neither within `timeoutMs`: a 503 that says the action was done.
 */
export interface SnapshotAtLeastOptions<T extends { version: number }> {
  version: number;
  live: (signal: AbortSignal) => Promise<T>;
  stored: () => Promise<Stored<T> | undefined>;
  timeoutMs: number;
  /** What was done, for the 503: "The plan decision on project p-1". */
  done: string;
  /** Where the new state can be read later. */
  readAt: string;
  /**
   * This process's record of what it answered with: the snapshot goes in once it comes. Until
   * then others' reads may still show the version before — they run beside the action, and
   * waiting for its snapshot made them wait as long as it. Only when none comes is the version
   * noted bare: the 503 says the action was done, so reads must not show the copy from before.
   */
  seen?: { id: string; versions: SeenVersions<T> };
}

export async function snapshotAtLeast<T extends { version: number }>(options: SnapshotAtLeastOptions<T>): Promise<T> {
  const answer = await snapshotAtLeastUnrecorded(options).catch((err: unknown) => {
    options.seen?.versions.note(options.seen.id, options.version);
    throw err;
  });
  options.seen?.versions.note(options.seen.id, answer.version, answer);
  return answer;
}

async function snapshotAtLeastUnrecorded<T extends { version: number }>(options: SnapshotAtLeastOptions<T>): Promise<T> {
  const query = new AbortController();
  let answered = false;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const fromStore = async (): Promise<T> => {
    await pause(LIVE_READ_BUDGET_MS);
    const deadline = Date.now() + options.timeoutMs;
    while (!answered && Date.now() < deadline) {
      const copy = await options.stored().catch(() => undefined);
      if (copy && copy.value.version >= options.version) return copy.value;
      await pause(ACTION_SNAPSHOT_POLL_MS);
    }
    throw new Error('the store did not get that version in time');
  };
  try {
    return await Promise.any([options.live(query.signal), fromStore()]);
  } catch (err) {
    throw new ApiProblem(
      {
        type: ProblemType.temporalUnavailable,
        title: 'Temporal unavailable',
        status: 503,
        detail:
          `Done: ${options.done} (version ${options.version}), but its new state could not be read in time. ` +
          `Read it at ${options.readAt} shortly; repeating the request with the same Idempotency-Key answers it too, without doing it twice.`,
        headers: { 'Retry-After': '5' },
      },
      { cause: err },
    );
  } finally {
    answered = true;
    query.abort();
  }
}
