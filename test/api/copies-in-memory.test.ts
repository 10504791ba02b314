/**
 * Stored copies served from the API's memory (api/copies-in-memory.ts), on the run's real
 * reporting store: two store objects on one schema stand for this API process and a worker
 * process publishing beside it. A copy is served only while a poll of the store has confirmed it
 * recently; another process's newer copy replaces it at the next poll; a write through this
 * process's store drops it at once; a task not in the store yet is held as absent, with its
 * project's copy for tasks, until the task's first publish.
 */
import { ReportingStore, type HeldCopy } from '../../activities/reporting/store';
import { CopiesInMemory, type CopiesInMemoryOptions } from '../../api/copies-in-memory';
import { openTestStore, type TestStore } from '../support/reporting';
import { ProjectBuilder, plusDays, plusHours } from '../reporting/builders';

const T0 = '2026-03-02T09:00:00.000Z';
const silent = { warn: jest.fn(), info: jest.fn() };

let t: TestStore;
/** The same schema through a second pool: a worker in another process. */
let elsewhere: ReportingStore;
beforeAll(async () => {
  t = await openTestStore();
  elsewhere = await ReportingStore.open({ url: t.url, schema: t.schema, migrate: false });
});
afterAll(async () => {
  await elsewhere?.close();
  await t?.dispose();
});

let counter = 0;
function project(): ProjectBuilder {
  counter += 1;
  return new ProjectBuilder({ projectId: `p-mem-${counter}`, managerId: 'anna', client: { id: 'acme', name: 'Acme', segment: 'B2B' }, intakeAt: T0 });
}

/** A clock the test moves, and copies that never poll by themselves (the test calls `poll`). */
function copiesWithClock(options: CopiesInMemoryOptions = {}) {
  let now = 1_000;
  const copies = new CopiesInMemory(t.store, silent, { pollMs: 3_600_000, now: () => now, ...options });
  const storeReads = { project: 0, taskOrItsProject: 0 };
  const readProject = (id: string) =>
    copies.read('project', id, 'hold', () => {
      storeReads.project += 1;
      return t.store.project(id);
    });
  const readTask = (taskId: string, projectId: string) =>
    copies.taskOrItsProject(taskId, projectId, 'hold', () => {
      storeReads.taskOrItsProject += 1;
      return t.store.taskOrItsProject(taskId, projectId);
    });
  return { copies, storeReads, readProject, readTask, advance: (ms: number) => (now += ms) };
}

afterEach(() => jest.clearAllMocks());

describe('ReportingStore.newerThan', () => {
  test('answers only the held copies the store has newer, with those copies; a record it lacked counts once it has one', async () => {
    const p = project();
    const id = p.status.projectId;
    const first = p.publish();
    await t.store.publish(first);
    p.submitPlan(plusHours(T0, 1), [{ key: 'design', department: 'design', dueAt: plusDays(T0, 5) }]).approve(plusHours(T0, 2));
    const held: HeldCopy[] = [
      { kind: 'project', id, seq: 1 },
      { kind: 'projectForTasks', id, seq: 1 },
      { kind: 'task', id: `${id}.design`, seq: -1 },
      { kind: 'project', id: 'p-mem-no-such', seq: -1 },
    ];
    expect(await t.store.newerThan(held)).toEqual([]);
    expect(await t.store.newerThan([])).toEqual([]);

    await elsewhere.publish(p.publish());
    await elsewhere.publish(p.task('design').publish());
    const newer = await t.store.newerThan(held);
    const byKind = Object.fromEntries(newer.map((n) => [n.kind, n]));
    expect(Object.keys(byKind).sort()).toEqual(['project', 'projectForTasks', 'task']);
    // The same copies the single reads give.
    expect(byKind.project).toEqual({ kind: 'project', id, copy: await t.store.project(id) });
    expect(byKind.project.copy.seq).toBe(2);
    expect(byKind.task).toEqual({ kind: 'task', id: `${id}.design`, copy: await t.store.task(`${id}.design`) });
    // The task read's copy of its project, as `taskOrItsProject` gives it: without the timeline.
    expect(byKind.projectForTasks).toMatchObject({ id, copy: { seq: 2, value: { projectId: id, approvedPlanVersion: 1 } } });
    expect(byKind.projectForTasks.copy.value).not.toHaveProperty('timeline');
    expect(byKind.task).toMatchObject({ id: `${id}.design`, copy: { seq: 1, value: { taskId: `${id}.design` } } });
    expect(await t.store.newerThan([{ kind: 'project', id, seq: 2 }])).toEqual([]);
  });
});

describe('CopiesInMemory', () => {
  test('serves a copy from memory once read, and the newer copy another process published after the next poll', async () => {
    const { copies, storeReads, readProject } = copiesWithClock();
    const p = project();
    const id = p.status.projectId;
    await elsewhere.publish(p.publish());
    try {
      expect((await readProject(id))?.seq).toBe(1);
      expect((await readProject(id))?.seq).toBe(1);
      expect(storeReads.project).toBe(1);

      await elsewhere.publish(p.publish());
      // Until a poll hears of it, memory still has the copy it confirmed (at most COPY_MAX_AGE_MS old).
      expect((await readProject(id))?.seq).toBe(1);
      await copies.poll();
      expect((await readProject(id))?.seq).toBe(2);
      expect(storeReads.project).toBe(1);
    } finally {
      copies.clear();
    }
  });

  test('a copy no poll has confirmed within the max age is read from the store again', async () => {
    const { copies, storeReads, readProject, advance } = copiesWithClock({ maxAgeMs: 1_000 });
    const p = project();
    const id = p.status.projectId;
    await elsewhere.publish(p.publish());
    try {
      await readProject(id);
      advance(999);
      await readProject(id);
      expect(storeReads.project).toBe(1);
      advance(2);
      await elsewhere.publish(p.publish());
      expect((await readProject(id))?.seq).toBe(2);
      expect(storeReads.project).toBe(2);
      // A poll confirms what is held: served from memory again for the max age.
      advance(900);
      await copies.poll();
      advance(900);
      expect((await readProject(id))?.seq).toBe(2);
      expect(storeReads.project).toBe(2);
    } finally {
      copies.clear();
    }
  });

  test('a write through this process\u2019s store puts its copy in memory at once; one the store refuses drops a held copy older than it', async () => {
    const { copies, storeReads, readProject, readTask } = copiesWithClock();
    const p = project();
    const id = p.status.projectId;
    p.submitPlan(plusHours(T0, 1), [{ key: 'design', department: 'design', dueAt: plusDays(T0, 5) }]).approve(plusHours(T0, 2));
    const first = p.publish();
    await t.store.publish(first);
    try {
      await readProject(id);
      expect((await readTask(`${id}.design`, id)).project?.seq).toBe(1);
      p.task('design').open(plusHours(T0, 3));
      const second = p.publish();
      await t.store.publish(second);
      expect(await readProject(id)).toEqual(await t.store.project(id));
      expect((await readProject(id))?.seq).toBe(2);
      // The task read's copy of the project too, as the store gives it (without the timeline).
      expect((await readTask(`${id}.design`, id)).project).toEqual((await t.store.taskOrItsProject(`${id}.design`, id)).project);
      expect(storeReads).toEqual({ project: 1, taskOrItsProject: 1 });
      // Refused as older than what memory holds (the store has seq 2): memory keeps its copy.
      await t.store.publish(first);
      expect((await readProject(id))?.seq).toBe(2);
      expect(storeReads.project).toBe(1);
      // Refused, but newer than what memory holds (another process wrote seq 4 first): memory
      // cannot tell what the store has, and reads it again.
      const third = p.publish();
      const fourth = p.publish();
      await elsewhere.publish(fourth);
      await t.store.publish(third);
      expect((await readProject(id))?.seq).toBe(4);
      expect(storeReads.project).toBe(2);
      await t.store.publish(fourth); // the same seq refused: kept
      expect((await readProject(id))?.seq).toBe(4);
      expect(storeReads.project).toBe(2);
    } finally {
      copies.clear();
    }
  });

  test('while copies are held, what this process writes is held too; while none are, nothing is', async () => {
    const { copies, storeReads, readProject } = copiesWithClock();
    const [a, b] = [project(), project()];
    try {
      await t.store.publish(a.publish());
      expect(copies.size).toBe(0);
      await readProject(a.status.projectId);
      await t.store.publish(b.publish());
      expect(copies.size).toBe(2);
      expect(await readProject(b.status.projectId)).toEqual(await t.store.project(b.status.projectId));
      expect(storeReads.project).toBe(1);
    } finally {
      copies.clear();
    }
  });

  test('a task the store has not seen: held as absent with its project\u2019s copy, until the task\u2019s first publish reaches a poll', async () => {
    const { copies, storeReads, readTask } = copiesWithClock();
    const p = project();
    const id = p.status.projectId;
    const taskId = `${id}.design`;
    p.submitPlan(plusHours(T0, 1), [{ key: 'design', department: 'design', dueAt: plusDays(T0, 5) }]).approve(plusHours(T0, 2));
    await elsewhere.publish(p.publish());
    try {
      const before = await readTask(taskId, id);
      expect(before.task).toBeUndefined();
      expect(before.project?.value).toMatchObject({ projectId: id, approvedPlanVersion: 1 });
      expect(before.project?.value).not.toHaveProperty('timeline');
      expect(await readTask(taskId, id)).toEqual(before);
      expect(storeReads.taskOrItsProject).toBe(1);

      await elsewhere.publish(p.task('design').publish());
      await copies.poll();
      const after = await readTask(taskId, id);
      expect(after).toEqual({ task: expect.objectContaining({ seq: 1, value: expect.objectContaining({ taskId }) }) });
      expect(storeReads.taskOrItsProject).toBe(1);
    } finally {
      copies.clear();
    }
  });

  test('a task not read yet whose project\u2019s page is held, planned but not started there: the copy\u2019s word, and the next poll asks about the task', async () => {
    const { copies, storeReads, readProject } = copiesWithClock();
    const p = project();
    const id = p.status.projectId;
    p.submitPlan(plusHours(T0, 1), [
      { key: 'design', department: 'design', dueAt: plusDays(T0, 5) },
      { key: 'copy', department: 'copywriting', dueAt: plusDays(T0, 5) },
    ]).approve(plusHours(T0, 2));
    await elsewhere.publish(p.publish());
    // As the route asks it (taskInProjectCopy): `copy` planned, `design` started.
    const notStarted = (key: string) => () => key === 'copy';
    const readTask = (key: string) =>
      copies.taskOrItsProject(`${id}.${key}`, id, 'hold', () => {
        storeReads.taskOrItsProject += 1;
        return t.store.taskOrItsProject(`${id}.${key}`, id);
      }, notStarted(key));
    try {
      await readProject(id);
      const fromPage = await readTask('copy');
      expect(fromPage).toEqual({ project: (await t.store.taskOrItsProject(`${id}.copy`, id)).project });
      expect(storeReads.taskOrItsProject).toBe(0);
      // Started in the copy: the store may have had the task's own copy for long, so it is read.
      await readTask('design');
      expect(storeReads.taskOrItsProject).toBe(1);

      await elsewhere.publish(p.task('copy').publish());
      await copies.poll();
      expect((await readTask('copy')).task?.value.taskId).toBe(`${id}.copy`);
      expect(storeReads.taskOrItsProject).toBe(1);
    } finally {
      copies.clear();
    }
  });

  test('a project\u2019s newer copy that lists tasks the held one did not (just started): those tasks are asked about at once, and their first reads come from memory', async () => {
    const { copies, storeReads, readProject, readTask } = copiesWithClock();
    const p = project();
    const id = p.status.projectId;
    const taskId = `${id}.design`;
    p.submitPlan(plusHours(T0, 1), [{ key: 'design', department: 'design', dueAt: plusDays(T0, 5) }]);
    await elsewhere.publish(p.publish());
    try {
      await readProject(id);
      p.approve(plusHours(T0, 2));
      await elsewhere.publish(p.publish());
      await elsewhere.publish(p.task('design').publish());
      await copies.poll(); // the project's new copy: the design task is watched…
      expect(copies.size).toBe(2);
      await copies.poll(); // …and its copy fetched (by this poll, or the one the watch set off at once)
      expect(await readTask(taskId, id)).toEqual({ task: await t.store.task(taskId) });
      expect(storeReads).toEqual({ project: 1, taskOrItsProject: 0 });
    } finally {
      copies.clear();
    }
  });

  test('how a read uses memory: `none` reads the store, `ifHeld` serves what is held but holds nothing new, `hold` holds what it reads', async () => {
    const { copies } = copiesWithClock();
    const p = project();
    const id = p.status.projectId;
    await elsewhere.publish(p.publish());
    let reads = 0;
    const fromStore = () => {
      reads += 1;
      return t.store.project(id);
    };
    try {
      await copies.read('project', id, 'none', fromStore);
      await copies.read('project', id, 'ifHeld', fromStore);
      await copies.read('project', id, 'ifHeld', fromStore);
      expect(reads).toBe(3);
      expect(copies.size).toBe(0);
      await copies.read('project', id, 'hold', fromStore);
      expect((await copies.read('project', id, 'ifHeld', fromStore))?.seq).toBe(1);
      expect(reads).toBe(4);
      // An action reads the store, and brings the held copy up to date.
      await elsewhere.publish(p.publish());
      expect((await copies.read('project', id, 'none', fromStore))?.seq).toBe(2);
      expect((await copies.read('project', id, 'ifHeld', fromStore))?.seq).toBe(2);
      expect(reads).toBe(5);
    } finally {
      copies.clear();
    }
  });

  test('copies nobody reads are dropped at the next poll, and at most `capacity` are held', async () => {
    const { copies, readProject, advance } = copiesWithClock({ idleMs: 5_000, capacity: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const p = project();
      ids.push(p.status.projectId);
      await elsewhere.publish(p.publish());
    }
    try {
      for (const id of ids) await readProject(id);
      expect(copies.size).toBe(2);
      advance(4_000);
      await readProject(ids[2]);
      advance(2_000);
      await copies.poll();
      expect(copies.size).toBe(1);
    } finally {
      copies.clear();
    }
  });

  test('when the store cannot answer a poll: one warning, the copies age out of serving, and one line when it answers again', async () => {
    let failing = true;
    const source = {
      newerThan: (held: HeldCopy[]) => (failing ? Promise.reject(new Error('connection refused')) : t.store.newerThan(held)),
      onWritten: t.store.onWritten.bind(t.store),
    };
    let now = 0;
    const copies = new CopiesInMemory(source, silent, { pollMs: 3_600_000, maxAgeMs: 1_000, now: () => now });
    const p = project();
    const id = p.status.projectId;
    await elsewhere.publish(p.publish());
    let reads = 0;
    const read = () =>
      copies.read('project', id, 'hold', () => {
        reads += 1;
        return t.store.project(id);
      });
    try {
      await read();
      now += 600;
      await copies.poll();
      await copies.poll();
      expect(silent.warn).toHaveBeenCalledTimes(1);
      now += 500;
      await read();
      expect(reads).toBe(2);
      failing = false;
      await copies.poll();
      expect(silent.info).toHaveBeenCalledTimes(1);
      await read();
      expect(reads).toBe(2);
    } finally {
      copies.clear();
    }
  });

  test('polls by itself while copies are held', async () => {
    const copies = new CopiesInMemory(t.store, silent, { pollMs: 20 });
    const p = project();
    const id = p.status.projectId;
    await elsewhere.publish(p.publish());
    try {
      await copies.read('project', id, 'hold', () => t.store.project(id));
      await elsewhere.publish(p.publish());
      const deadline = Date.now() + 5_000;
      while ((copies.get('project', id)?.copy?.seq ?? 0) < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(copies.get('project', id)?.copy?.seq).toBe(2);
    } finally {
      copies.clear();
    }
  });
});
