/**
 * The reporting store's copies of the projects and tasks people are looking at, kept in the API
 * process's memory while the workflows are slow to answer reads (`LiveReadPace` paused: reads
 * then serve stored copies). Under load the store is busy too — it takes every workflow's
 * publishes — and one statement per read was the tail of a read (p99 20–55 ms beside twenty
 * running lifecycles, about 1 ms idle). From memory a read costs no statement at all.
 *
 * A copy in memory is served only while it is known to be what the store holds: every
 * COPIES_POLL_MS one statement asks the store which of the held copies it has newer ones of
 * (`ReportingStore.newerThan`: by id and seq, the newer copies in the same answer), off any
 * reader's path; a copy the last such answer did not confirm within COPY_MAX_AGE_MS is not served
 * (the store is then read as before). So a copy from memory trails the store by at most that, and
 * usually by one poll. A write made through this process's store (the API's own writes after an
 * action; the worker's too when it runs in this process, as `npm start` runs it) replaces the
 * copy at once with the one it stored, or drops it when the store refused it as older
 * (`ReportingStore.onWritten`). PostgreSQL's LISTEN/NOTIFY could tell a process of
 * others' writes instead of a poll, but the embedded store (PGlite) cannot carry it across
 * connections, and both stores must behave alike.
 *
 * What is held: what reads take from the store while reads serve copies, and what this process
 * writes while any copy is held; every read serves a confirmed copy that is held (`MemoryUse`).
 * Copies nobody has read for COPY_IDLE_MS are dropped, so the poll asks only about what is being
 * looked at, and stops when nothing is held: an idle API holds nothing and polls nothing.
 */
import { projectCopyForTasks, type CopyKind, type HeldCopy, type NewerCopy, type ProjectCopyForTasks, type ReportingStore, type Stored } from '../activities/reporting/store';
import type { ProjectStatus } from '../workflows/project/contract';
import type { TaskView } from '../workflows/task/contract';

/** What each kind of copy holds. */
export interface CopyTypes {
  project: ProjectStatus;
  projectForTasks: ProjectCopyForTasks;
  task: TaskView;
}

/** How often the store is asked which held copies it has newer ones of. */
export const COPIES_POLL_MS = 100;
/** A copy the store has not confirmed for this long is not served from memory. */
export const COPY_MAX_AGE_MS = 1_000;
/** A copy nobody has read for this long is dropped. */
export const COPY_IDLE_MS = 10_000;
/** At most this many copies are held (the least recently read go first). */
export const COPIES_CAPACITY = 1_000;

interface Entry {
  kind: CopyKind;
  id: string;
  /** Undefined: the store has no such record (yet). */
  copy?: Stored<unknown>;
  /** The store held this copy (or none) at this time at the latest. */
  confirmedAt: number;
  lastReadAt: number;
}

/**
 * How a read uses memory: `hold` — serve a confirmed copy held, and hold what it reads from the
 * store (while the workflows are slow to answer, reads serve copies); `ifHeld` — serve a
 * confirmed copy held, but hold nothing new (the workflows answer again: copies held from a busy
 * moment serve until nobody reads them); `none` — the store (an action).
 */
export type MemoryUse = 'hold' | 'ifHeld' | 'none';

/** A held copy's answer: `copy` undefined when the store had no such record. */
export interface InMemory<T> {
  copy?: Stored<T>;
}

export interface CopiesInMemoryOptions {
  pollMs?: number;
  maxAgeMs?: number;
  idleMs?: number;
  capacity?: number;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
  /** Told where each read's copy came from (for metrics). */
  onRead?: (source: 'memory' | 'store') => void;
}

type CopySource = Pick<ReportingStore, 'newerThan' | 'onWritten'>;

export class CopiesInMemory {
  private readonly entries = new Map<string, Entry>();
  private readonly options: Required<CopiesInMemoryOptions>;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private failing = false;
  /** A record was just watched: the next poll comes at once. */
  private soon = false;

  constructor(
    private readonly store: CopySource,
    private readonly logger: { warn(fields: object, message: string): void; info(fields: object, message: string): void },
    options: CopiesInMemoryOptions = {},
  ) {
    this.options = {
      pollMs: COPIES_POLL_MS,
      maxAgeMs: COPY_MAX_AGE_MS,
      idleMs: COPY_IDLE_MS,
      capacity: COPIES_CAPACITY,
      now: () => performance.now(),
      onRead: () => undefined,
      ...options,
    };
    store.onWritten(({ kind, id, seq, stored }) => {
      // While copies are held (reads are being served from memory), what this process writes is
      // held too: an action's answer is what its actor and others read next.
      const holdNew = this.entries.size > 0;
      if (kind === 'project') {
        const project = stored as Stored<ProjectStatus> | undefined;
        this.written('project', id, seq, project, holdNew);
        // Cut for task reads only when such a copy is held (it is never held new from a write).
        if (this.entries.has(key('projectForTasks', id))) {
          this.written('projectForTasks', id, seq, project && { ...project, value: projectCopyForTasks(project.value) }, false);
        }
      } else {
        this.written('task', id, seq, stored as Stored<TaskView> | undefined, holdNew);
      }
    });
  }

  /** How many copies are held (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** The held copy, if the store confirmed it within the last COPY_MAX_AGE_MS; else undefined. */
  get<K extends CopyKind>(kind: K, id: string): InMemory<CopyTypes[K]> | undefined {
    const k = key(kind, id);
    const entry = this.entries.get(k);
    if (!entry) return undefined;
    const now = this.options.now();
    if (now - entry.confirmedAt > this.options.maxAgeMs) return undefined;
    entry.lastReadAt = now;
    // Least recently read first: re-inserting keeps the map in that order for `capacity`.
    this.entries.delete(k);
    this.entries.set(k, entry);
    return { copy: entry.copy as Stored<CopyTypes[K]> | undefined };
  }

  /**
   * What a store read found (`copy`, or undefined when the store has no such record), as of
   * `readStartedAt` (this clock, taken before the statement was sent). `hold`: keep it to serve
   * from memory; otherwise only a copy already held is brought up to date.
   */
  put<K extends CopyKind>(kind: K, id: string, copy: Stored<CopyTypes[K]> | undefined, readStartedAt: number, hold: boolean): void {
    const k = key(kind, id);
    const entry = this.entries.get(k);
    if (!entry) {
      if (!hold) return;
      this.entries.set(k, { kind, id, copy, confirmedAt: readStartedAt, lastReadAt: this.options.now() });
      this.trim();
      this.schedule();
      return;
    }
    if (hold) entry.lastReadAt = this.options.now();
    // Two reads may land out of order: the newer copy stays.
    if (copy && (!entry.copy || copy.seq > entry.copy.seq)) entry.copy = copy;
    if (readStartedAt > entry.confirmedAt && (entry.copy?.seq ?? -1) <= (copy?.seq ?? -1)) entry.confirmedAt = readStartedAt;
  }

  /** A record's stored copy: from memory when `use` allows and a confirmed copy is held, else read from the store by `fromStore`. */
  async read<K extends CopyKind>(kind: K, id: string, use: MemoryUse, fromStore: () => Promise<Stored<CopyTypes[K]> | undefined>): Promise<Stored<CopyTypes[K]> | undefined> {
    if (use !== 'none') {
      const held = this.get(kind, id);
      if (held) {
        this.options.onRead('memory');
        return held.copy;
      }
    }
    this.options.onRead('store');
    const startedAt = this.options.now();
    const copy = await fromStore();
    this.put(kind, id, copy, startedAt, use === 'hold');
    return copy;
  }

  /**
   * `ReportingStore.taskOrItsProject` through memory: the task's copy, or — while the store has
   * none — its project's copy for tasks (held as such, or cut from the project's copy held for
   * its page); both held, or the store is read (one statement) and they are. A task not held
   * yet that its project's copy has `notStarted` (in the approved plan, not started): that copy,
   * as a read takes the word of the store's copy of the project, which may equally be a publish
   * behind; the next poll asks the store about the task. Not for a task the copy shows started:
   * the store may have had the task's own copy for days, and this process has just not read it.
   */
  async taskOrItsProject(
    taskId: string,
    projectId: string,
    use: MemoryUse,
    fromStore: () => Promise<{ task?: Stored<TaskView>; project?: Stored<ProjectCopyForTasks> }>,
    notStarted: (project: Stored<ProjectCopyForTasks>) => boolean = () => false,
  ): Promise<{ task?: Stored<TaskView>; project?: Stored<ProjectCopyForTasks> }> {
    if (use !== 'none') {
      const answer = this.taskOrItsProjectHeld(taskId, projectId, notStarted);
      if (answer) {
        this.options.onRead('memory');
        return answer;
      }
    }
    this.options.onRead('store');
    const startedAt = this.options.now();
    const answer = await fromStore();
    this.put('task', taskId, answer.task, startedAt, use === 'hold');
    // The statement returns the project only while the task has no copy.
    if (!answer.task) this.put('projectForTasks', projectId, answer.project, startedAt, use === 'hold');
    return answer;
  }

  private taskOrItsProjectHeld(
    taskId: string,
    projectId: string,
    notStarted: (project: Stored<ProjectCopyForTasks>) => boolean,
  ): { task?: Stored<TaskView>; project?: Stored<ProjectCopyForTasks> } | undefined {
    const task = this.get('task', taskId);
    if (task?.copy) return { task: task.copy };
    const project = this.projectForTasks(projectId);
    if (task && project) return project.copy ? { project: project.copy } : {};
    if (!task && project?.copy && notStarted(project.copy)) {
      this.watch('task', taskId);
      return { project: project.copy };
    }
    return undefined;
  }

  /** What a task read needs of a project, from memory: its copy for tasks, or its page's copy cut to that. */
  private projectForTasks(projectId: string): InMemory<ProjectCopyForTasks> | undefined {
    const forTasks = this.get('projectForTasks', projectId);
    if (forTasks) return forTasks;
    const page = this.get('project', projectId)?.copy;
    return page && { copy: { ...page, value: projectCopyForTasks(page.value) } };
  }

  /**
   * Holds a record not read from the store yet, to be confirmed (or fetched) by the next poll: not
   * served until then. `soon`: that poll comes right after the one running (not COPIES_POLL_MS later).
   */
  private watch(kind: CopyKind, id: string, options: { soon?: boolean } = {}): void {
    const k = key(kind, id);
    if (this.entries.has(k)) return;
    this.entries.set(k, { kind, id, confirmedAt: -Infinity, lastReadAt: this.options.now() });
    if (options.soon) this.soon = true;
    this.trim();
    this.schedule();
  }

  /** One poll now: the store's newer copies of what is held replace them, and the rest is confirmed. */
  async poll(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = this.pollOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Stops polling and forgets every copy. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.soon = false;
    this.entries.clear();
  }

  private async pollOnce(): Promise<void> {
    const now = this.options.now();
    for (const [k, entry] of this.entries) {
      if (now - entry.lastReadAt > this.options.idleMs) this.entries.delete(k);
    }
    const asked = [...this.entries.values()];
    if (asked.length === 0) return;
    const held: HeldCopy[] = asked.map(({ kind, id, copy }) => ({ kind, id, seq: copy?.seq ?? -1 }));
    let newer: NewerCopy[];
    try {
      newer = await this.store.newerThan(held);
    } catch (err) {
      // Unconfirmed copies age out of serving: reads go to the store (and meet its error there).
      if (!this.failing) this.logger.warn({ err: (err as Error).message, held: held.length }, 'the store could not say which copies changed; reads go to the store');
      this.failing = true;
      return;
    }
    if (this.failing) this.logger.info({ held: held.length }, 'the store answers again; reads are served from memory');
    this.failing = false;
    const byKey = new Map(newer.map((n) => [key(n.kind, n.id), n.copy]));
    for (const entry of asked) {
      // Dropped meanwhile (a write through this process, idle, capacity): not brought back.
      if (this.entries.get(key(entry.kind, entry.id)) !== entry) continue;
      const copy = byKey.get(key(entry.kind, entry.id));
      if (copy && (!entry.copy || copy.seq > entry.copy.seq)) this.replace(entry, copy);
      entry.confirmedAt = Math.max(entry.confirmedAt, now);
    }
  }

  /**
   * A newer copy replaces a held one. When it is a project's and lists tasks the held copy did not
   * (just started), those tasks are watched, and the store asked about them at once: people poll
   * a task right after its project starts it, and a task not held is read from the store.
   */
  private replace(entry: Entry, copy: Stored<unknown>): void {
    const before = entry.copy;
    entry.copy = copy;
    if (entry.kind === 'task' || !before) return;
    const had = new Set((before.value as ProjectCopyForTasks).tasks.map((t) => t.taskId));
    for (const task of (copy.value as ProjectCopyForTasks).tasks) {
      if (!had.has(task.taskId)) this.watch('task', task.taskId, { soon: true });
    }
  }

  /**
   * A write of `seq` through this process's store: the copy it stored replaces a held one (or is
   * held, with `holdNew`). Refused (the store had that seq or newer) or failed: a held copy older
   * than `seq` goes; one as new or newer stays (the poll tells whether it still is the newest) —
   * under load the API's write of an action's answer and the workflow's own publish of the same
   * version race, and the loser is refused.
   */
  private written<K extends CopyKind>(kind: K, id: string, seq: number, stored: Stored<CopyTypes[K]> | undefined, holdNew: boolean): void {
    const k = key(kind, id);
    const entry = this.entries.get(k);
    if (!entry) {
      if (stored && holdNew) this.put(kind, id, stored, this.options.now(), true);
      return;
    }
    if (!stored) {
      if (!entry.copy || entry.copy.seq < seq) this.entries.delete(k);
      return;
    }
    if (entry.copy && entry.copy.seq > stored.seq) return; // cannot be: memory holds only what the store had
    // The store holds exactly this copy now (it took this write); a later poll carries on from here.
    this.replace(entry, stored);
    entry.confirmedAt = Math.max(entry.confirmedAt, this.options.now());
  }

  private schedule(): void {
    if (this.timer) return;
    const delay = this.soon ? 0 : this.options.pollMs;
    this.soon = false;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => {
        this.timer = undefined;
        if (this.entries.size > 0) this.schedule();
      });
    }, delay);
    this.timer.unref();
  }

  private trim(): void {
    while (this.entries.size > this.options.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}

function key(kind: CopyKind, id: string): string {
  return `${kind}:${id}`;
}
