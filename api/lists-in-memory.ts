/**
 * Lists people poll often (a department's inbox on a wall screen, staff watching their work come
 * in), kept in the API process's memory and brought up to date in the background while they are
 * read. Under load a list's statement was the tail of an inbox read: the reporting store then also
 * takes every workflow's publishes, and on PostgreSQL shared with Temporal such a statement's p99
 * reached 150–240 ms beside twenty running lifecycles (about 3 ms idle).
 *
 * A list is served from memory only while its last statement started within LIST_MAX_AGE_MS, so
 * a list from memory trails the store by at most that — the store's copies trail the workflows by
 * a publish, and lists were never promised closer than about a second. A read served from memory
 * asks for a refresh: one statement, off any reader's path, at most every LIST_REFRESH_MS per
 * list. So a list read less than once a second is read from the store each time, exactly as
 * before (a portal page polling every few seconds costs what it did), and a list read more often
 * costs at most one statement per refresh interval, however many people read it — never more
 * statements than reads. Lists nobody reads for LIST_IDLE_MS are dropped; an idle API holds
 * nothing and refreshes nothing.
 *
 * What a list must never hide is the reader's own action: the route tells, per read, whether a
 * held list is recent enough for that reader (`servable`: it started after their last write
 * through this process landed). Like the copies of single records (`CopiesInMemory`), each API
 * process holds its own lists.
 */

/** A list is served from memory only while its last statement started within this. */
export const LIST_MAX_AGE_MS = 1_000;
/** A list read from memory is refreshed at most this often. */
export const LIST_REFRESH_MS = 100;
/** A list nobody has read for this long is dropped. */
export const LIST_IDLE_MS = 10_000;
/** At most this many lists are held (the least recently read go first). */
export const LISTS_CAPACITY = 200;

export interface ListsInMemoryOptions {
  maxAgeMs?: number;
  refreshMs?: number;
  idleMs?: number;
  capacity?: number;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
  /** Told where each read's list came from (for metrics). */
  onRead?: (source: 'memory' | 'store') => void;
}

interface Entry<T> {
  value: T;
  load: () => Promise<T>;
  /** When the statement this value came from was sent (this clock). */
  loadedAt: number;
  lastReadAt: number;
  /** Read from memory since `loadedAt`: worth a refresh. */
  wanted: boolean;
  refreshing: boolean;
}

export class ListsInMemory<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly options: Required<ListsInMemoryOptions>;
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    private readonly logger: { warn(fields: object, message: string): void; info(fields: object, message: string): void },
    options: ListsInMemoryOptions = {},
  ) {
    this.options = {
      maxAgeMs: LIST_MAX_AGE_MS,
      refreshMs: LIST_REFRESH_MS,
      idleMs: LIST_IDLE_MS,
      capacity: LISTS_CAPACITY,
      now: () => performance.now(),
      onRead: () => undefined,
      ...options,
    };
  }

  /** How many lists are held (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The list under `key` (the same key must always mean the same statement): from memory when one
   * is held whose statement started within LIST_MAX_AGE_MS and `servable` accepts that start (this
   * clock), else from `load` — whose answer is then held.
   */
  async read(key: string, load: () => Promise<T>, servable: (loadedAt: number) => boolean = () => true): Promise<T> {
    const now = this.options.now();
    const entry = this.entries.get(key);
    if (entry && now - entry.loadedAt <= this.options.maxAgeMs && servable(entry.loadedAt)) {
      entry.wanted = true;
      this.readAt(key, entry, now);
      this.schedule();
      this.options.onRead('memory');
      return entry.value;
    }
    this.options.onRead('store');
    const value = await load();
    this.hold(key, value, load, now);
    const held = this.entries.get(key);
    if (held) this.readAt(key, held, now);
    return value;
  }

  /** A reader took the list: it stays while read, and the least recently read go first (re-inserting keeps the map in that order for `capacity`). */
  private readAt(key: string, entry: Entry<T>, now: number): void {
    entry.lastReadAt = Math.max(entry.lastReadAt, now);
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  /** Stops refreshing and forgets every list. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.entries.clear();
  }

  /** Refreshes now every held list read from memory since its last statement (tests; the timer does it otherwise). */
  async refresh(): Promise<void> {
    const now = this.options.now();
    for (const [key, entry] of this.entries) {
      if (now - entry.lastReadAt > this.options.idleMs) this.entries.delete(key);
    }
    const due = [...this.entries].filter(([, entry]) => entry.wanted && !entry.refreshing);
    await Promise.all(due.map(([key, entry]) => this.refreshOne(key, entry)));
  }

  private async refreshOne(key: string, entry: Entry<T>): Promise<void> {
    entry.refreshing = true;
    entry.wanted = false;
    const startedAt = this.options.now();
    try {
      const value = await entry.load();
      if (this.failing) this.logger.info({ list: key }, 'the store answers lists again; lists are served from memory');
      this.failing = false;
      this.hold(key, value, entry.load, startedAt);
    } catch (err) {
      // Not refreshed, the list ages out of serving: reads go to the store (and meet its error there).
      if (!this.failing) this.logger.warn({ list: key, err: (err as Error).message }, 'a held list could not be refreshed; its reads go to the store');
      this.failing = true;
    } finally {
      entry.refreshing = false;
    }
  }

  /** Keeps `value` unless what is held came from a later statement (two reads may land out of order). */
  private hold(key: string, value: T, load: () => Promise<T>, loadedAt: number): void {
    const entry = this.entries.get(key);
    if (entry) {
      if (loadedAt <= entry.loadedAt) return;
      entry.value = value;
      entry.load = load;
      entry.loadedAt = loadedAt;
      return;
    }
    this.entries.set(key, { value, load, loadedAt, lastReadAt: this.options.now(), wanted: false, refreshing: false });
    while (this.entries.size > this.options.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** The next refresh, LIST_REFRESH_MS after the last began; none while nothing is wanted. */
  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => {
        this.timer = undefined;
        if ([...this.entries.values()].some((entry) => entry.wanted)) this.schedule();
      });
    }, this.options.refreshMs);
    this.timer.unref();
  }
}
