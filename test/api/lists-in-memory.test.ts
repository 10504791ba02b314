/**
 * Task lists served from the API's memory (api/lists-in-memory.ts): a list read again within a
 * second comes from memory and is refreshed behind the reader, never more than one statement per
 * read; a list read less often is read from the store as before; a reader whose own write landed
 * after the held list's statement gets the store; a refresh that fails lets the list age out.
 * The overdue flags of a held page are recomputed at serve time by the same rule as the store's
 * SQL, checked here on the run's real reporting store.
 */
import { overdueAsOf } from '../../activities/reporting/store';
import { ListsInMemory, type ListsInMemoryOptions } from '../../api/lists-in-memory';
import { openTestStore, type TestStore } from '../support/reporting';
import { ProjectBuilder, plusDays, plusHours } from '../reporting/builders';

const silent = { warn: jest.fn(), info: jest.fn() };
afterEach(() => jest.clearAllMocks());

/** Lists on a clock the test moves, refreshed only when the test says (`refresh`), and a loader that counts its statements. */
function listsWithClock(options: ListsInMemoryOptions = {}) {
  let now = 1_000;
  const sources: string[] = [];
  const lists = new ListsInMemory<string>(silent, { refreshMs: 3_600_000, now: () => now, onRead: (source) => sources.push(source), ...options });
  let version = 0;
  let failing = false;
  const statements: number[] = [];
  const load = async () => {
    statements.push(now);
    if (failing) throw new Error('store down');
    version += 1;
    return `v${version}`;
  };
  return {
    lists,
    sources,
    statements,
    load,
    advance: (ms: number) => (now += ms),
    now: () => now,
    failWith: (on: boolean) => (failing = on),
  };
}

describe('ListsInMemory', () => {
  test('a list read again within a second comes from memory, and one refresh behind the reader brings it up to date', async () => {
    const l = listsWithClock();
    expect(await l.lists.read('design', l.load)).toBe('v1');
    l.advance(300);
    // From memory: no statement on the reader's path.
    expect(await l.lists.read('design', l.load)).toBe('v1');
    expect(await l.lists.read('design', l.load)).toBe('v1');
    expect(l.statements).toHaveLength(1);
    expect(l.sources).toEqual(['store', 'memory', 'memory']);
    // One refresh for both memory reads.
    await l.lists.refresh();
    expect(l.statements).toHaveLength(2);
    expect(await l.lists.read('design', l.load)).toBe('v2');
    await l.lists.refresh();
    expect(l.statements).toHaveLength(3);
    // Nothing read from memory since: nothing to refresh.
    await l.lists.refresh();
    expect(l.statements).toHaveLength(3);
  });

  test('a list read less than once a second is read from the store each time, as without memory', async () => {
    const l = listsWithClock();
    for (let i = 1; i <= 3; i++) {
      expect(await l.lists.read('design', l.load)).toBe(`v${i}`);
      await l.lists.refresh();
      l.advance(1_001);
    }
    expect(l.statements).toHaveLength(3);
    expect(l.sources).toEqual(['store', 'store', 'store']);
  });

  test('the age that counts is the statement\u2019s start: a refresh keeps a hot list servable, and a list older than a second is not served', async () => {
    const l = listsWithClock();
    await l.lists.read('design', l.load);
    l.advance(900);
    expect(await l.lists.read('design', l.load)).toBe('v1');
    await l.lists.refresh(); // its statement starts at 900 ms
    l.advance(900);
    expect(await l.lists.read('design', l.load)).toBe('v2');
    l.advance(200); // 1,100 ms after the refresh's statement began, no refresh since
    expect(await l.lists.read('design', l.load)).toBe('v3');
    expect(l.sources).toEqual(['store', 'memory', 'memory', 'store']);
  });

  test('a reader for whom the held list is too old (their own action landed after its statement) gets the store, and the fresher list is held for everyone', async () => {
    const l = listsWithClock();
    await l.lists.read('design', l.load);
    const heldFrom = l.now();
    l.advance(100);
    const landedAt = l.now();
    l.advance(100);
    expect(await l.lists.read('design', l.load, (loadedAt) => loadedAt > landedAt)).toBe('v2');
    // Someone else, and the actor again: the list read after the action, from memory.
    expect(await l.lists.read('design', l.load)).toBe('v2');
    expect(await l.lists.read('design', l.load, (loadedAt) => loadedAt > landedAt)).toBe('v2');
    expect(heldFrom).toBeLessThan(landedAt);
    expect(l.sources).toEqual(['store', 'store', 'memory', 'memory']);
  });

  test('each key is its own list', async () => {
    const l = listsWithClock();
    expect(await l.lists.read('design', l.load)).toBe('v1');
    expect(await l.lists.read('seo', l.load)).toBe('v2');
    expect(await l.lists.read('design', l.load)).toBe('v1');
    expect(l.lists.size).toBe(2);
  });

  test('a refresh that fails leaves the list to age out of serving (reads go to the store and meet its error), and says so once', async () => {
    const l = listsWithClock();
    await l.lists.read('design', l.load);
    l.advance(500);
    await l.lists.read('design', l.load);
    l.failWith(true);
    await l.lists.refresh();
    l.advance(100);
    expect(await l.lists.read('design', l.load)).toBe('v1'); // still under a second old
    await l.lists.refresh();
    expect(silent.warn).toHaveBeenCalledTimes(1);
    l.advance(500);
    await expect(l.lists.read('design', l.load)).rejects.toThrow('store down');
    l.failWith(false);
    expect(await l.lists.read('design', l.load)).toBe('v2');
    l.advance(10);
    expect(await l.lists.read('design', l.load)).toBe('v2');
    await l.lists.refresh();
    expect(silent.info).toHaveBeenCalledTimes(1);
  });

  test('two statements that land out of order: the later one\u2019s list stays', async () => {
    const l = listsWithClock();
    let release!: (value: string) => void;
    const slow = l.lists.read('design', () => new Promise<string>((resolve) => (release = resolve)));
    l.advance(50);
    expect(await l.lists.read('design', async () => 'newer')).toBe('newer');
    release('older');
    expect(await slow).toBe('older'); // its own reader gets what it read
    expect(await l.lists.read('design', l.load)).toBe('newer');
  });

  test('lists nobody reads for a while are dropped, and at most `capacity` are held', async () => {
    const l = listsWithClock({ capacity: 2 });
    await l.lists.read('a', l.load);
    await l.lists.read('b', l.load);
    await l.lists.read('a', l.load); // a read last
    await l.lists.read('c', l.load); // b goes
    expect(l.lists.size).toBe(2);
    expect(await l.lists.read('b', l.load)).toBe('v4');
    l.advance(10_001);
    await l.lists.refresh();
    expect(l.lists.size).toBe(0);
  });

  test('a list read again from the store counts as recently read too: another goes first when capacity is reached', async () => {
    const l = listsWithClock({ capacity: 2 });
    await l.lists.read('a', l.load);
    await l.lists.read('b', l.load);
    l.advance(1_001);
    expect(await l.lists.read('a', l.load)).toBe('v3'); // too old for memory: the store, and a is read last
    await l.lists.read('c', l.load); // b goes
    expect(await l.lists.read('a', l.load)).toBe('v3');
    expect(await l.lists.read('b', l.load)).toBe('v5');
  });

  test('reads from memory schedule their refresh by themselves, and it stops when nobody reads', async () => {
    const lists = new ListsInMemory<number>(silent, { refreshMs: 20 });
    let statements = 0;
    const load = async () => ++statements;
    await lists.read('design', load);
    await lists.read('design', load);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statements).toBe(2);
    lists.clear();
  });
});

describe('overdue flags of a held page', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore();
  });
  afterAll(() => t?.dispose());

  test('recomputed as of now, they are what the store\u2019s statement says at that moment', async () => {
    const T0 = '2026-05-04T09:00:00.000Z';
    const p = new ProjectBuilder({ projectId: 'p-overdue-1', managerId: 'anna', client: { id: 'acme', name: 'Acme', segment: 'B2B' }, intakeAt: T0 });
    const due = (hours: number) => plusHours(plusDays(T0, 3), hours);
    p.submitPlan(plusHours(T0, 1), [
      { key: 'open-early', department: 'design', dueAt: due(0) },
      { key: 'open-late', department: 'design', dueAt: due(4) },
      { key: 'claimed', department: 'design', dueAt: due(1) },
      { key: 'submitted', department: 'design', dueAt: due(1) },
      { key: 'accepted', department: 'design', dueAt: due(1) },
    ]).approve(plusHours(T0, 2));
    for (const record of p.publishAll()) await t.store.publish(record);
    p.task('open-early').open(plusHours(T0, 3));
    p.task('open-late').open(plusHours(T0, 3));
    p.task('claimed').open(plusHours(T0, 3)).claim('dora');
    p.task('submitted').open(plusHours(T0, 3)).claim('dora').submit(plusHours(T0, 4));
    p.task('accepted').open(plusHours(T0, 3)).claim('dora').submit(plusHours(T0, 4)).accept(plusHours(T0, 5));
    for (const key of ['open-early', 'open-late', 'claimed', 'submitted', 'accepted']) await t.store.publish(p.task(key).publish());

    const filter = { projectId: 'p-overdue-1' };
    const before = await t.store.listTasks(filter, { pageSize: 10 }, new Date(due(-1)));
    expect(before.items.filter((item) => item.overdue)).toEqual([]);
    for (const hours of [-1, 0.5, 2, 5]) {
      const now = new Date(due(hours));
      expect(overdueAsOf(before, now)).toEqual(await t.store.listTasks(filter, { pageSize: 10 }, now));
    }
    // At 2 h past the first due date: the open and claimed ones due by then, not the submitted or accepted.
    expect(overdueAsOf(before, new Date(due(2))).items.filter((item) => item.overdue).map((item) => item.taskId)).toEqual(['p-overdue-1.open-early', 'p-overdue-1.claimed']);
  });
});
