/**
 * The reporting store on the run's embedded PGlite: migrations that are idempotent and safe when
 * processes start together, a publish that keeps only the newest snapshot and adds each fact once
 * whatever the order of arrival, single reads, and the project and task lists with their filters,
 * read-time "overdue" and keyset pages.
 */
import { ReportingInputError, ReportingStore } from '../../activities/reporting/store';
import { MIGRATIONS, appliedVersions, migrate } from '../../activities/reporting/migrations';
import { openDatabase, sql, schemaIdentifier } from '../../activities/reporting/sql';
import { openTestStore, testReportingUrl, uniqueSchema, type TestStore } from '../support/reporting';
import { projectRow } from '../../activities/reporting/facts';
import type { ProjectStatus } from '../../workflows/project/contract';
import type { PortfolioSet } from '../../api/schemas';
import { ProjectBuilder, plusDays, plusHours } from './builders';

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore();
});
afterAll(async () => {
  await t?.dispose();
});

describe('action idempotency keys', () => {
  test('the first use of a key is recorded; again with the same request is a repeat, with another a conflict; keys past 30 days are forgotten', async () => {
    const key = `u-${Date.now()}`;
    const now = Date.now();
    expect(await t.store.useActionKey(key, 'fp-a', now)).toBe('first');
    expect(await t.store.useActionKey(key, 'fp-a', now + 1)).toBe('repeat');
    expect(await t.store.useActionKey(key, 'fp-b', now + 2)).toBe('conflict');
    // Another key's use 31 days on clears this one: the same key is then new again.
    expect(await t.store.useActionKey(`${key}-later`, 'fp-c', now + 31 * 86_400_000)).toBe('first');
    expect(await t.store.useActionKey(key, 'fp-b', now + 31 * 86_400_000)).toBe('first');
  });
});

describe('migrations', () => {
  test('run once: a second run applies nothing, and the versions are recorded', async () => {
    expect(await t.store.migrate()).toEqual([]);
    expect(await t.store.upToDate()).toBe(true);
  });

  test('migration 4 gives tasks stored before it their review rounds, from their views', async () => {
    const schema = uniqueSchema('m4');
    const url = testReportingUrl();
    const db = openDatabase({ url });
    const s = schemaIdentifier(schema);
    try {
      await migrate(db, schema, MIGRATIONS.filter((m) => m.version < 4));
      const row = (taskId: string, reviewRounds: number) => sql`
        INSERT INTO ${s}.tasks (task_id, project_id, seq, published_at, view, title, project_title, department, status, manager_id, due_at, estimate_hours)
        VALUES (${taskId}, 'p-old', 1, now(), ${JSON.stringify({ taskId, reviewRounds })}::jsonb, 'T', 'P', 'design', 'claimed', 'anna', now(), 1)`;
      await db.rows(row('p-old.twice', 2));
      await db.rows(row('p-old.never', 0));
      // 4 and every migration after it.
      expect(await migrate(db, schema)).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= 4));
      const store = await ReportingStore.open({ url, schema });
      try {
        const items = (await store.listTasks({ projectId: 'p-old' }, { pageSize: 10 })).items;
        expect(Object.fromEntries(items.map((i) => [i.taskId, i.reviewRounds]))).toEqual({ 'p-old.twice': 2, 'p-old.never': 0 });
      } finally {
        await store.dropSchema();
        await store.close();
      }
    } finally {
      await db.close();
    }
  });

  test('migration 11 gives tasks stored before it their client and when they were delivered and accepted, from their views', async () => {
    const schema = uniqueSchema('m11');
    const url = testReportingUrl();
    const db = openDatabase({ url });
    const s = schemaIdentifier(schema);
    try {
      await migrate(db, schema, MIGRATIONS.filter((m) => m.version < 11));
      const row = (taskId: string, view: object) => sql`
        INSERT INTO ${s}.tasks (task_id, project_id, seq, published_at, view, title, project_title, department, status, manager_id, due_at, estimate_hours)
        VALUES (${taskId}, 'p-old', 1, now(), ${JSON.stringify({ taskId, ...view })}::jsonb, 'T', 'P', 'design', 'accepted', 'anna', '2026-02-01T00:00:00Z', 1)`;
      await db.rows(row('p-old.first', { clientName: 'Old Co', submittedAt: '2026-02-02T10:00:00.000Z', acceptedAt: '2026-02-03T10:00:00.000Z' }));
      await db.rows(row('p-old.later', { clientName: 'Old Co', submittedAt: '2026-02-04T10:00:00.000Z', acceptedAt: '2026-02-05T10:00:00.000Z' }));
      expect(await migrate(db, schema, MIGRATIONS.filter((m) => m.version <= 11))).toEqual([11]);
      const store = await ReportingStore.open({ url, schema });
      try {
        const items = (await store.listTasks({ status: 'accepted' }, { pageSize: 10 })).items;
        expect(items.map((i) => [i.taskId, i.clientName, i.submittedAt, i.acceptedAt])).toEqual([
          ['p-old.later', 'Old Co', '2026-02-04T10:00:00.000Z', '2026-02-05T10:00:00.000Z'],
          ['p-old.first', 'Old Co', '2026-02-02T10:00:00.000Z', '2026-02-03T10:00:00.000Z'],
        ]);
      } finally {
        await store.dropSchema();
        await store.close();
      }
    } finally {
      await db.close();
    }
  });

  test('two processes migrating a fresh schema at once both succeed, and it is migrated once', async () => {
    const schema = uniqueSchema('race');
    const url = testReportingUrl();
    const [a, b] = await Promise.all([
      ReportingStore.open({ url, schema, migrate: false }),
      ReportingStore.open({ url, schema, migrate: false }),
    ]);
    try {
      const applied = await Promise.all([a.migrate(), b.migrate()]);
      expect(applied.flat().sort((x, y) => x - y)).toEqual(MIGRATIONS.map((m) => m.version));
      const db = openDatabase({ url });
      try {
        expect(await appliedVersions(db, schema)).toEqual(MIGRATIONS.map((m) => m.version));
        const rows = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${schemaIdentifier(schema)}.schema_migrations`);
        expect(rows[0].n).toBe(MIGRATIONS.length);
      } finally {
        await db.close();
      }
    } finally {
      await a.dropSchema();
      await a.close();
      await b.close();
    }
  });

  test('schema names are validated identifiers', async () => {
    await expect(ReportingStore.open({ url: testReportingUrl(), schema: 'x; DROP TABLE y' })).rejects.toThrow(/invalid schema name/);
    await expect(ReportingStore.open({ url: testReportingUrl(), schema: 'Upper' })).rejects.toThrow(/invalid schema name/);
    await expect(ReportingStore.open({ url: testReportingUrl(), schema: 'pg_catalog' })).rejects.toThrow(/invalid schema name/);
  });
  test('migration 7 gives projects stored before it their complaint and refund due dates, and reopens a cancelled one owing a refund', async () => {
    const schema = uniqueSchema('m7');
    const url = testReportingUrl();
    const db = openDatabase({ url });
    const s = schemaIdentifier(schema);
    try {
      await migrate(db, schema, MIGRATIONS.filter((m) => m.version < 7));
      const flagged = flaggedProjects();
      for (const p of Object.values(flagged)) {
        const snapshot: ProjectStatus = structuredClone(p.status);
        const r = projectRow(snapshot);
        // As the store wrote it before: a cancelled project was closed once the client owed nothing.
        const closedThen = r.stage === 'completed' || (r.stage === 'cancelled' && !r.paymentDueAt);
        await db.rows(sql`
          INSERT INTO ${s}.projects (project_id, seq, published_at, snapshot, title, client_id, client_name, segment, manager_id, stage,
            intake_at, has_open_complaint, closed, currency, departments)
          VALUES (${r.projectId}, 1, now(), ${JSON.stringify(snapshot)}::jsonb, ${r.title}, ${r.clientId}, ${r.clientName}, ${r.segment},
            ${r.managerId}, ${r.stage}, ${r.intakeAt}::timestamptz, ${r.hasOpenComplaint}, ${closedThen}, ${r.currency}, ARRAY['design'])`);
      }
      expect(await migrate(db, schema)).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= 7));
      const store = await ReportingStore.open({ url, schema });
      try {
        const items = (await store.listProjects({}, { pageSize: 10 }, FLAGS_NOW)).items;
        expect(items.map((i) => [i.projectId, i.complaintDueAt, i.refundDueAt, i.executionStatus])).toEqual(EXPECTED_FLAGS);
      } finally {
        await store.dropSchema();
        await store.close();
      }
    } finally {
      await db.close();
    }
  });
  test('migration 10 gives projects stored before it the client’s date and the plan’s end, as a publish gives them', async () => {
    const schema = uniqueSchema('m10');
    const url = testReportingUrl();
    const db = openDatabase({ url });
    const s = schemaIdentifier(schema);
    try {
      await migrate(db, schema, MIGRATIONS.filter((m) => m.version < 10));
      for (const p of Object.values(clientDateProjects())) {
        const snapshot: ProjectStatus = structuredClone(p.status);
        const r = projectRow(snapshot);
        await db.rows(sql`
          INSERT INTO ${s}.projects (project_id, seq, published_at, snapshot, title, client_id, client_name, segment, manager_id, stage,
            intake_at, due_at, has_open_complaint, closed, currency, departments)
          VALUES (${r.projectId}, 1, now(), ${JSON.stringify(snapshot)}::jsonb, ${r.title}, ${r.clientId}, ${r.clientName}, ${r.segment},
            ${r.managerId}, ${r.stage}, ${r.intakeAt}::timestamptz, ${r.dueAt}::timestamptz, ${r.hasOpenComplaint}, ${r.closed}, ${r.currency},
            ARRAY['design'])`);
      }
      expect(await migrate(db, schema)).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= 10));
      const store = await ReportingStore.open({ url, schema });
      try {
        expect(againstClientDate((await store.listProjects({}, { pageSize: 20 }, CLIENT_DATE_NOW)).items)).toEqual(EXPECTED_AGAINST_CLIENT_DATE);
      } finally {
        await store.dropSchema();
        await store.close();
      }
    } finally {
      await db.close();
    }
  });
});

describe('mail sent-log', () => {
  test('records each (notice, recipient) once, recipients compared without case; a second record keeps the first', async () => {
    const key = `project-x:invoice-issued:${Date.now()}`;
    expect(await t.store.sentMail.has(key, 'Anna@agency.example')).toBe(false);
    await t.store.sentMail.record(key, 'Anna@agency.example', { messageId: '<a@x>', at: '2026-11-30T08:00:00.000Z' });
    await t.store.sentMail.record(key, 'anna@agency.example', { messageId: '<b@x>', at: '2026-11-30T08:01:00.000Z' });
    expect(await t.store.sentMail.has(key, 'anna@AGENCY.example')).toBe(true);
    expect(await t.store.sentMail.has(key, 'boris@agency.example')).toBe(false);
    expect(await t.store.sentMail.has(`${key}-other`, 'anna@agency.example')).toBe(false);
  });
});

describe('publish', () => {
  const T0 = '2026-01-05T09:00:00.000Z';

  function project(id: string) {
    return new ProjectBuilder({ projectId: id, managerId: 'anna', client: { id: 'acme', name: "O'Hara \\ Sons", segment: 'B2B' }, intakeAt: T0 });
  }

  test('keeps the newest seq: a repeated or older snapshot changes nothing, its facts are not added twice', async () => {
    const p = project('p-order');
    const first = p.publish();
    p.submitPlan(plusHours(T0, 5), [{ key: 'design', department: 'design', dueAt: plusDays(T0, 10) }]);
    const second = p.publish();
    p.approve(plusHours(T0, 6));
    const third = p.publish();

    const written = await t.store.publish(third);
    expect(written).toEqual({ written: true, factsAdded: 4, publishedAt: expect.any(String) });
    // Older snapshots arrive late (a retry, a replay, a second worker): nothing changes.
    expect(await t.store.publish(first)).toEqual({ written: false, factsAdded: 0 });
    expect(await t.store.publish(second)).toEqual({ written: false, factsAdded: 0 });
    expect(await t.store.publish(third)).toEqual({ written: false, factsAdded: 0 });

    const stored = await t.store.project('p-order');
    expect(stored?.seq).toBe(3);
    expect(stored?.publishedAt).toBe(written.publishedAt);
    expect(stored?.value).toEqual(third.kind === 'project' && third.snapshot);
    expect(stored?.value.client.name).toBe("O'Hara \\ Sons");
  });

  test('a NUL in a snapshot is dropped wherever the store keeps it, never refused: the row, the copy, lists and what this process holds agree', async () => {
    const p = new ProjectBuilder({ projectId: 'p-nul', managerId: 'anna', client: { id: 'nul-co', name: 'Null\u0000 Ltd', segment: 'B2B' }, intakeAt: T0 });
    p.status.title = 'Launch\u0000 plan';
    p.submitPlan(plusHours(T0, 1), [{ key: 'design', department: 'design', dueAt: plusDays(T0, 10) }]).approve(plusHours(T0, 2));
    p.task('design').view.title = 'Logo\u0000';
    const held: unknown[] = [];
    const stopListening = t.store.onWritten((w) => held.push(w.stored?.value));
    try {
      for (const snapshot of p.publishAll()) expect(await t.store.publish(snapshot)).toMatchObject({ written: true });
    } finally {
      stopListening();
    }
    const stored = await t.store.project('p-nul');
    expect(stored?.value).toMatchObject({ title: 'Launch plan', client: { name: 'Null Ltd' } });
    expect((await t.store.listProjects({ managerId: 'anna', clientId: 'nul-co' }, { pageSize: 5 })).items).toEqual([
      expect.objectContaining({ projectId: 'p-nul', title: 'Launch plan', clientName: 'Null Ltd' }),
    ]);
    expect((await t.store.listTasks({ projectId: 'p-nul' }, { pageSize: 5 })).items).toEqual([expect.objectContaining({ title: 'Logo', projectTitle: 'Launch plan' })]);
    // What this process keeps in memory is the stored value, not the one given.
    expect(held).toHaveLength(2);
    expect(held[0]).toEqual(stored?.value);
    expect(JSON.stringify(held)).not.toContain('\\u0000');
  });

  test('publishes racing from two workers leave the newest snapshot and each fact once', async () => {
    const p = project('p-race');
    const snapshots = [p.publish()];
    p.submitPlan(plusHours(T0, 1), [{ key: 'a', department: 'design', dueAt: plusDays(T0, 3) }]);
    snapshots.push(p.publish());
    p.approve(plusHours(T0, 2));
    snapshots.push(p.publish());
    await Promise.all([...snapshots, ...snapshots.reverse()].map((s) => t.store.publish(s)));
    expect((await t.store.project('p-race'))?.seq).toBe(3);
    const dump = await t.store.dump();
    const ids = (dump.facts as { fact_id: string }[]).map((f) => f.fact_id).filter((id) => id.includes('p-race'));
    expect(ids.sort()).toEqual(['first-plan:p-race', 'intake:p-race', 'plan-decision:p-race:1', 'plan:p-race:1']);
  });

  test('a task view is stored and read back; unknown ids read as undefined', async () => {
    const p = project('p-task');
    p.submitPlan(plusHours(T0, 1), [{ key: 'copy', department: 'copywriting', dueAt: plusDays(T0, 3) }]).approve(plusHours(T0, 2));
    const task = p.task('copy').open(plusHours(T0, 2)).claim('ivan.copy');
    const published = task.publish();
    await t.store.publish(published);
    const stored = await t.store.task('p-task.copy');
    expect(stored?.value).toEqual(published.kind === 'task' && published.view);
    expect(stored?.seq).toBe(1);
    expect(await t.store.task('p-task.nope')).toBeUndefined();
    expect(await t.store.project('p-nope')).toBeUndefined();
  });
});

describe('shared secrets', () => {
  test('made once by whichever process asks first: every caller, at the same moment or later, gets that one value', async () => {
    let made = 0;
    const make = () => `secret-${++made}`;
    const values = await Promise.all([t.store.sharedSecret('test-secret', make), t.store.sharedSecret('test-secret', make), t.store.sharedSecret('test-secret', make)]);
    expect(new Set(values).size).toBe(1);
    expect(await t.store.sharedSecret('test-secret', () => 'another')).toBe(values[0]);
    expect(await t.store.sharedSecret('other-secret', () => 'another')).toBe('another');
  });
});

describe('client link generations', () => {
  test('a project starts at 0; a renewal moves it on once however many ask at once; only the same key is told it renewed, the others that it was renewed since', async () => {
    expect(await t.store.clientLinkGeneration('p-links')).toBe(0);
    const firsts = await Promise.all(['k1', 'k2', 'k3'].map((key) => t.store.renewClientLink('p-links', 0, key)));
    expect(firsts.map((r) => r.generation)).toEqual([1, 1, 1]);
    expect(firsts.filter((r) => r.renewed)).toHaveLength(1);
    const winner = ['k1', 'k2', 'k3'][firsts.findIndex((r) => r.renewed)];
    expect(await t.store.renewClientLink('p-links', 0, winner)).toEqual({ generation: 1, renewed: true }); // its retry
    expect(await t.store.renewClientLink('p-links', 0)).toEqual({ generation: 1, renewed: false }); // no key: not a retry
    expect(await t.store.renewClientLink('p-links', 1, 'k4')).toEqual({ generation: 2, renewed: true });
    expect(await t.store.renewClientLink('p-links', 1, 'k5')).toEqual({ generation: 2, renewed: false });
    expect(await t.store.renewClientLink('p-links', 0, 'k4')).toEqual({ generation: 2, renewed: false, keyUsedBefore: true });
    expect(await t.store.clientLinkGeneration('p-links')).toBe(2);
    // Without keys (API callers that send none), each renewal from the current generation moves it.
    expect(await t.store.renewClientLink('p-links', 2)).toEqual({ generation: 3, renewed: true });
    expect(await t.store.renewClientLink('p-links', 3)).toEqual({ generation: 4, renewed: true });
    expect(await t.store.clientLinkGeneration('p-other')).toBe(0);
  });
});

describe('a handover', () => {
  test('a project handed to another manager takes its tasks along in lists and copies, ended ones too; an older snapshot of the project moves nothing back', async () => {
    const T0 = '2026-01-05T09:00:00.000Z';
    const p = new ProjectBuilder({ projectId: 'p-handover', managerId: 'anna', client: { id: 'handover-co', name: 'Handover Ltd', segment: 'B2B' }, intakeAt: T0 });
    p.submitPlan(plusHours(T0, 1), [
      { key: 'logo', department: 'design', dueAt: plusDays(T0, 3) },
      { key: 'copy', department: 'copywriting', dueAt: plusDays(T0, 4) },
    ]).approve(plusHours(T0, 2));
    p.task('logo').open(plusHours(T0, 2)).claim('dima.design');
    p.task('copy').open(plusHours(T0, 2));
    for (const snapshot of p.publishAll()) await t.store.publish(snapshot);
    const before = p.publish();
    p.status.managerId = 'boris';
    await t.store.publish(p.publish());

    const managerOf = async (who: string) => (await t.store.listTasks({ projectId: 'p-handover', managerId: who }, { pageSize: 5 })).items.map((i) => i.taskId).sort();
    expect(await managerOf('boris')).toEqual(['p-handover.copy', 'p-handover.logo']);
    expect(await managerOf('anna')).toEqual([]);
    expect((await t.store.task('p-handover.logo'))?.value.managerId).toBe('boris');
    expect((await t.store.listProjects({ managerId: 'boris', clientId: 'handover-co' }, { pageSize: 5 })).items.map((i) => i.projectId)).toEqual(['p-handover']);

    expect(await t.store.publish(before)).toMatchObject({ written: false });
    expect(await managerOf('boris')).toEqual(['p-handover.copy', 'p-handover.logo']);

    // A task's publish from before it heard of the handover (its view names the manager before) does not move it back.
    const copy = p.task('copy');
    copy.view.managerId = 'anna';
    copy.claim('ivan.copy');
    expect(await t.store.publish(copy.publish())).toMatchObject({ written: true });
    expect(await managerOf('boris')).toEqual(['p-handover.copy', 'p-handover.logo']);
    expect((await t.store.task('p-handover.copy'))?.value).toMatchObject({ managerId: 'boris', assigneeId: 'ivan.copy' });
  });
});

describe('lists', () => {
  let s: TestStore;
  const NOW = new Date('2026-03-01T12:00:00.000Z');
  beforeAll(async () => {
    s = await openTestStore();
    const base = '2026-02-01T08:00:00.000Z';
    // Five projects, one an hour apart: two managers, two clients, one with late open work.
    for (let i = 0; i < 5; i++) {
      const p = new ProjectBuilder({
        projectId: `p-list-${i}`,
        managerId: i % 2 === 0 ? 'anna' : 'boris',
        client: { id: i < 3 ? 'acme' : 'globex', name: i < 3 ? 'ACME' : 'Globex', segment: i < 3 ? 'B2B' : 'B2C' },
        intakeAt: plusHours(base, i),
      });
      if (i === 1 || i === 2) {
        p.submitPlan(plusHours(base, i + 1), [
          { key: 'design', department: 'design', dueAt: i === 1 ? '2026-02-20T00:00:00.000Z' : '2026-04-01T00:00:00.000Z', estimateHours: 5 },
        ]).approve(plusHours(base, i + 2));
        p.task('design').open(plusHours(base, i + 2)).claim('dima.design');
        if (i === 2) p.task('design').submit(plusHours(base, i + 3)).sendBack(plusHours(base, i + 4));
      }
      for (const snapshot of p.publishAll()) await s.store.publish(snapshot);
    }
  });
  afterAll(async () => {
    await s?.dispose();
  });

  test('projects: newest first, filters, overdue at read time, and keyset pages', async () => {
    const all = await s.store.listProjects({}, { pageSize: 20 }, NOW);
    expect(all.items.map((p) => p.projectId)).toEqual(['p-list-4', 'p-list-3', 'p-list-2', 'p-list-1', 'p-list-0']);
    expect(all.nextPageToken).toBeUndefined();
    expect(all.items[3]).toEqual({
      projectId: 'p-list-1',
      title: 'Project p-list-1',
      clientId: 'acme',
      clientName: 'ACME',
      segment: 'B2B',
      stage: 'in_production',
      managerId: 'boris',
      dueAt: '2026-02-20T00:00:00.000Z',
      clientDueAt: '2026-04-02T09:00:00.000Z',
      plannedEndAt: '2026-02-20T00:00:00.000Z',
      endsAfterClientDate: false,
      overdue: true,
      stageEnteredAt: '2026-02-01T11:00:00.000Z',
      hasOpenComplaint: false,
      invoiced: 0,
      paid: 0,
      currency: 'EUR',
      deliveriesToReview: 0,
      planSentBack: false,
      executionStatus: 'RUNNING',
      startedAt: '2026-02-01T09:00:00.000Z',
      href: '/api/projects/p-list-1',
    });

    expect((await s.store.listProjects({ managerId: 'anna' }, { pageSize: 20 }, NOW)).items.map((p) => p.projectId)).toEqual([
      'p-list-4',
      'p-list-2',
      'p-list-0',
    ]);
    expect((await s.store.listProjects({ clientId: 'globex' }, { pageSize: 20 }, NOW)).items).toHaveLength(2);
    expect((await s.store.listProjects({ segment: 'B2C' }, { pageSize: 20 }, NOW)).items).toHaveLength(2);
    expect((await s.store.listProjects({ stage: 'in_production' }, { pageSize: 20 }, NOW)).items).toHaveLength(2);
    expect((await s.store.listProjects({ overdue: true }, { pageSize: 20 }, NOW)).items.map((p) => p.projectId)).toEqual(['p-list-1']);
    expect((await s.store.listProjects({ overdue: false }, { pageSize: 20 }, NOW)).items).toHaveLength(4);
    // Before the due date, the same project is not overdue: computed when read, never stale.
    expect((await s.store.listProjects({ overdue: true }, { pageSize: 20 }, new Date('2026-02-10T00:00:00Z'))).items).toEqual([]);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s.store.listProjects({}, { pageSize: 2, ...(token && { pageToken: token }) }, NOW);
      seen.push(...page.items.map((p) => p.projectId));
      token = page.nextPageToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.items.map((p) => p.projectId));
  });

  test('a page token the list did not give out is refused naming pageToken', async () => {
    await expect(s.store.listProjects({}, { pageSize: 2, pageToken: 'bm90LWEtdG9rZW4' })).rejects.toEqual(
      expect.objectContaining({ name: 'ReportingInputError', field: 'pageToken' }),
    );
    await expect(s.store.listTasks({}, { pageSize: 2, pageToken: 'eyJ2IjoxLCJrIjpbIm5vcGUiLCJ4Il19' })).rejects.toBeInstanceOf(ReportingInputError);
  });

  test('tasks: most urgent first, filters, overdue at read time', async () => {
    const all = await s.store.listTasks({}, { pageSize: 20 }, NOW);
    expect(all.items).toEqual([
      {
        taskId: 'p-list-1.design',
        projectId: 'p-list-1',
        title: 'design design',
        projectTitle: 'Project p-list-1',
        department: 'design',
        status: 'claimed',
        assigneeId: 'dima.design',
        managerId: 'boris',
        dueAt: '2026-02-20T00:00:00.000Z',
        overdue: true,
        reviewRounds: 0,
        clientName: 'ACME',
        executionStatus: 'RUNNING',
        href: '/api/tasks/p-list-1.design',
      },
      // Sent back once and in hand again: the inbox's "Sent back" without reading each task.
      expect.objectContaining({ taskId: 'p-list-2.design', overdue: false, status: 'claimed', reviewRounds: 1 }),
    ]);
    expect((await s.store.listTasks({ overdue: true }, { pageSize: 20 }, NOW)).items.map((x) => x.taskId)).toEqual(['p-list-1.design']);
    expect((await s.store.listTasks({ managerId: 'anna' }, { pageSize: 20 }, NOW)).items.map((x) => x.taskId)).toEqual(['p-list-2.design']);
    expect((await s.store.listTasks({ department: 'copywriting' }, { pageSize: 20 }, NOW)).items).toEqual([]);
    expect((await s.store.listTasks({ assignee: 'dima.design', status: 'claimed' }, { pageSize: 20 }, NOW)).items).toHaveLength(2);
    expect((await s.store.listTasks({ projectId: 'p-list-2' }, { pageSize: 20 }, NOW)).items).toHaveLength(1);
    const first = await s.store.listTasks({}, { pageSize: 1 }, NOW);
    const second = await s.store.listTasks({}, { pageSize: 1, pageToken: first.nextPageToken }, NOW);
    expect([...first.items, ...second.items].map((x) => x.taskId)).toEqual(['p-list-1.design', 'p-list-2.design']);
    expect(second.nextPageToken).toBeUndefined();
  });
});

// Three projects on 2026-03-01 13:00: one complaint open since 02-27 12:00 under the default 48 hours
// (past its resolution time since 03-01 12:00), one open since 06:00 under a 12-hour policy (due
// 18:00), and a cancelled project whose prepayment went beyond the work, its credit note due 02-25.
const FLAGS_NOW = new Date('2026-03-01T13:00:00.000Z');
const EXPECTED_FLAGS = [
  ['p-flag-refund', undefined, '2026-02-25T00:00:00.000Z', 'RUNNING'],
  ['p-flag-fresh', '2026-03-01T18:00:00.000Z', undefined, 'RUNNING'],
  ['p-flag-late', '2026-03-01T12:00:00.000Z', undefined, 'RUNNING'],
];

function flaggedProjects() {
  const project = (projectId: string, managerId: string, intakeAt: string) =>
    new ProjectBuilder({ projectId, managerId, client: { id: 'flags', name: 'Flags Ltd', segment: 'B2B' }, intakeAt });
  const late = project('p-flag-late', 'anna', '2026-02-01T08:00:00.000Z');
  late.resolve(late.complain('2026-02-20T12:00:00.000Z'), '2026-02-21T12:00:00.000Z');
  late.complain('2026-02-27T12:00:00.000Z');
  const fresh = project('p-flag-fresh', 'anna', '2026-02-02T08:00:00.000Z');
  fresh.status.policy.complaintResolutionMs = 12 * 3_600_000;
  fresh.complain('2026-03-01T06:00:00.000Z');
  const refund = project('p-flag-refund', 'boris', '2026-02-03T08:00:00.000Z')
    .invoice('prepayment', 'INV-F1', 1_000, '2026-02-04T00:00:00.000Z')
    .pay('INV-F1', 1_000, '2026-02-05T00:00:00.000Z', 'bank-1')
    .cancel('2026-02-10T00:00:00.000Z')
    .invoice('credit_note', 'CN-F1', 600, '2026-02-11T00:00:00.000Z', '2026-02-25T00:00:00.000Z', { status: 'open' });
  return { late, fresh, refund };
}

describe('finding projects by words (the portfolio\u2019s search)', () => {
  let s: TestStore;
  const NOW = new Date('2026-03-01T12:00:00.000Z');
  beforeAll(async () => {
    s = await openTestStore();
    const found = [
      { id: 'p-find-posters', title: 'Spring campaign posters', managerId: 'anna', client: { id: 'client-mueller', name: 'Müller Möbel', segment: 'B2B' as const } },
      { id: 'p-find-leaflets', title: 'Autumn leaflets', managerId: 'boris', client: { id: 'acme-co', name: 'ACME Co', segment: 'B2C' as const } },
      // Characters SQL gives a meaning to, in a title and a client's name: letters here like any other.
      { id: 'p-find-cotton', title: '100% cotton_bags flyer', managerId: 'anna', client: { id: 'obrien', name: 'O\u2019Brien & Sons', segment: 'B2B' as const } },
      { id: 'p-find-plain', title: '100 cotton bags flyer', managerId: 'boris', client: { id: 'bagshaw', name: "Bagshaw's", segment: 'B2B' as const } },
    ];
    for (const [i, f] of found.entries()) {
      const p = new ProjectBuilder({ projectId: f.id, managerId: f.managerId, client: f.client, intakeAt: plusHours('2026-02-01T08:00:00.000Z', i) });
      p.status.title = f.title;
      await s.store.publish(p.publish());
    }
  });
  afterAll(async () => {
    await s?.dispose();
  });
  const find = async (search: string, filter: { managerId?: string } = {}) =>
    (await s.store.listProjects({ ...filter, search }, { pageSize: 20 }, NOW)).items.map((p) => p.projectId).sort();

  test('a word of the title or of the client\u2019s name or id, any case, accents aside; every word must be found', async () => {
    expect(await find('SPRING')).toEqual(['p-find-posters']);
    expect(await find('muller')).toEqual(['p-find-posters']);
    expect(await find('MÖBEL')).toEqual(['p-find-posters']);
    // Typed decomposed ("u" and a combining diaeresis): the same letter.
    expect(await find('mu\u0308ller')).toEqual(['p-find-posters']);
    expect(await find('acme-co')).toEqual(['p-find-leaflets']);
    expect(await find('flyer')).toEqual(['p-find-cotton', 'p-find-plain']);
    // Two words: both, each in any of the three, on the same project.
    expect(await find('  autumn   acme ')).toEqual(['p-find-leaflets']);
    expect(await find('spring posters')).toEqual(['p-find-posters']);
    expect(await find('spring acme')).toEqual([]);
    expect(await find('nothing-like-this')).toEqual([]);
    // A manager's list: their own matches only.
    expect(await find('flyer', { managerId: 'boris' })).toEqual(['p-find-plain']);
  });

  test('`%`, `_`, quotes and backslashes are letters, not wildcards or SQL', async () => {
    expect(await find('100%')).toEqual(['p-find-cotton']);
    expect(await find('cotton_bags')).toEqual(['p-find-cotton']);
    expect(await find('%')).toEqual(['p-find-cotton']);
    expect(await find('_')).toEqual(['p-find-cotton']);
    expect(await find("bagshaw's")).toEqual(['p-find-plain']);
    expect(await find('o\u2019brien')).toEqual(['p-find-cotton']);
    expect(await find("' OR '1'='1")).toEqual([]);
    expect(await find('\\')).toEqual([]);
  });

  test('pages of a search page through its matches only, and its token belongs to it', async () => {
    const first = await s.store.listProjects({ search: 'flyer' }, { pageSize: 1 }, NOW);
    expect(first.items.map((p) => p.projectId)).toEqual(['p-find-plain']);
    const second = await s.store.listProjects({ search: 'flyer' }, { pageSize: 1, pageToken: first.nextPageToken }, NOW);
    expect(second.items.map((p) => p.projectId)).toEqual(['p-find-cotton']);
    expect(second.nextPageToken).toBeUndefined();
    await expect(s.store.listProjects({ search: 'cotton' }, { pageSize: 1, pageToken: first.nextPageToken }, NOW)).rejects.toEqual(
      expect.objectContaining({ name: 'ReportingInputError', field: 'pageToken' }),
    );
  });
});

describe('the client directory finds a returning client typed differently', () => {
  let s: TestStore;
  beforeAll(async () => {
    s = await openTestStore();
    const names = [
      'ACME Ltd',
      'Apex Ltd',
      'Globex Corporation',
      'Muller and Sohn GmbH',
      'Smith-Jones',
      'O\u2019Brien & Sons',
      // The newest: still listed after the exact matches when found only a letter off.
      'Acne Studios',
    ];
    // Ids that hold nothing of the names (as a hand-typed or hashed one may not): the name is what is found.
    for (const [i, name] of names.entries()) {
      const p = new ProjectBuilder({ projectId: `p-dir-${i}`, managerId: 'anna', client: { id: `k${i}`, name, segment: 'B2B' }, intakeAt: plusHours('2026-02-01T08:00:00.000Z', i) });
      await s.store.publish(p.publish());
    }
  });
  afterAll(async () => {
    await s?.dispose();
  });
  const found = async (search: string) => (await s.store.clients({ search, limit: 10, emailsFor: 'everyone' })).map((c) => `${c.name} ${c.match}`);
  /** What each search finds, in one object: a failure shows every search that went wrong at once. */
  const foundFor = async (searches: string[]) => Object.fromEntries(await Promise.all(searches.map(async (q) => [q, await found(q)] as const)));

  test('legal-form and joining words, punctuation and "&" for "and" do not have to match', async () => {
    const searches = {
      // ("Acne Studios", a letter off "Acme", follows as similar.)
      'Acme Limited': ['ACME Ltd exact', 'Acne Studios similar'],
      'Acme Ltd.': ['ACME Ltd exact', 'Acne Studios similar'],
      'The Acme Ltd': ['ACME Ltd exact', 'Acne Studios similar'],
      'Globex Corp.': ['Globex Corporation exact'],
      'Müller & Sohn': ['Muller and Sohn GmbH exact'],
      'muller and sohn gmbh': ['Muller and Sohn GmbH exact'],
      'Smith Jones': ['Smith-Jones exact'],
      'smith-jones': ['Smith-Jones exact'],
      "O'Brien and Sons": ['O\u2019Brien & Sons exact'],
      OBrien: ['O\u2019Brien & Sons exact'],
    };
    expect(await foundFor(Object.keys(searches))).toEqual(searches);
  });

  test('a word a letter wrong, missing, extra or swapped is found after the exact matches, as similar', async () => {
    const searches = {
      'Acmee Ltd': ['ACME Ltd similar'],
      Globx: ['Globex Corporation similar'],
      Acem: ['ACME Ltd similar'],
      'Smith Jnoes': ['Smith-Jones similar'],
      // "Acne Studios" is newer, but "ACME Ltd" holds what was typed.
      Acme: ['ACME Ltd exact', 'Acne Studios similar'],
    };
    expect(await foundFor(Object.keys(searches))).toEqual(searches);
  });

  test('another company is not found; a legal word alone finds what holds it, not every client', async () => {
    const searches = {
      Apex: ['Apex Ltd exact'],
      Ltd: ['Apex Ltd exact', 'ACME Ltd exact'],
      Limited: [],
      '&': ['O\u2019Brien & Sons exact', 'Muller and Sohn GmbH exact'],
      'Acme Nord': [],
      // Three letters a letter off are too many other names: only as typed.
      Ace: [],
      // Punctuation alone is no word to look for: nothing is found, rather than everyone.
      '% -': [],
    };
    expect(await foundFor(Object.keys(searches))).toEqual(searches);
  });
});

describe('accepted work, listed', () => {
  let s: TestStore;
  beforeAll(async () => {
    s = await openTestStore();
  });
  afterAll(async () => {
    await s?.dispose();
  });

  test('a person\u2019s accepted tasks come newest accepted first, whatever their due dates, with the client and when each was delivered and accepted; pages follow that order', async () => {
    const p = new ProjectBuilder({ projectId: 'p-accepted', managerId: 'anna', client: { id: 'acc', name: 'Accepted Ltd', segment: 'B2B' }, intakeAt: '2026-02-01T08:00:00.000Z' });
    const due = (day: number) => `2026-02-${String(day).padStart(2, '0')}T17:00:00.000Z`;
    p.submitPlan('2026-02-01T09:00:00.000Z', [
      { key: 'early', department: 'design', dueAt: due(5), estimateHours: 2 },
      { key: 'middle', department: 'design', dueAt: due(10), estimateHours: 2 },
      { key: 'late', department: 'design', dueAt: due(20), estimateHours: 2 },
      { key: 'theirs', department: 'design', dueAt: due(12), estimateHours: 2 },
    ]).approve('2026-02-01T10:00:00.000Z');
    // Accepted in an order that is neither the due dates' nor its reverse.
    p.task('middle').deliver('dima.design', '2026-02-01T10:00:00.000Z', '2026-02-01T12:00:00.000Z', { sendBack: 1, acceptedAt: '2026-02-03T10:00:00.000Z' });
    p.task('late').deliver('dima.design', '2026-02-01T10:00:00.000Z', '2026-02-05T10:00:00.000Z', { acceptedAt: '2026-02-06T10:00:00.000Z' });
    p.task('early').deliver('dima.design', '2026-02-01T10:00:00.000Z', '2026-02-08T10:00:00.000Z', { acceptedAt: '2026-02-09T15:00:00.000Z' });
    p.task('theirs').deliver('olga.design', '2026-02-01T10:00:00.000Z', '2026-02-05T10:00:00.000Z');
    for (const snapshot of p.publishAll()) await s.store.publish(snapshot);

    const dimas = (await s.store.listTasks({ status: 'accepted', assignee: 'dima.design' }, { pageSize: 10 })).items;
    expect(dimas.map((t) => [t.taskId, t.clientName, t.submittedAt, t.acceptedAt, t.reviewRounds])).toEqual([
      ['p-accepted.early', 'Accepted Ltd', '2026-02-08T10:00:00.000Z', '2026-02-09T15:00:00.000Z', 0],
      ['p-accepted.late', 'Accepted Ltd', '2026-02-05T10:00:00.000Z', '2026-02-06T10:00:00.000Z', 0],
      ['p-accepted.middle', 'Accepted Ltd', '2026-02-01T14:00:00.000Z', '2026-02-03T10:00:00.000Z', 1],
    ]);
    const paged: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await s.store.listTasks({ status: 'accepted', assignee: 'dima.design' }, { pageSize: 1, ...(pageToken && { pageToken }) });
      paged.push(...page.items.map((t) => t.taskId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(paged).toEqual(dimas.map((t) => t.taskId));
    // Other lists keep the most urgent first.
    expect((await s.store.listTasks({ assignee: 'dima.design' }, { pageSize: 10 })).items.map((t) => t.taskId)).toEqual(['p-accepted.early', 'p-accepted.middle', 'p-accepted.late']);
  });
});

describe('the portfolio report narrowed by the search and the client and segment choices', () => {
  let s: TestStore;
  const NOW = new Date('2026-03-01T12:00:00.000Z');
  const base = '2026-02-01T08:00:00.000Z';
  const ACME = { id: 'acme-co', name: 'ACME Co', segment: 'B2B' as const };
  beforeAll(async () => {
    s = await openTestStore();
    const project = (projectId: string, title: string, managerId: string, client: { id: string; name: string; segment: 'B2B' | 'B2C' }, hours: number) => {
      const p = new ProjectBuilder({ projectId, managerId, client, intakeAt: plusHours(base, hours) });
      p.status.title = title;
      return p;
    };
    // ACME's harbour posters: design past due, a complaint open.
    const posters = project('p-nar-posters', 'Harbour festival posters', 'anna', ACME, 0)
      .submitPlan(plusHours(base, 1), [{ key: 'design', department: 'design', dueAt: '2026-02-20T00:00:00.000Z' }])
      .approve(plusHours(base, 2));
    posters.task('design').open(plusHours(base, 2));
    posters.complain('2026-02-27T12:00:00.000Z');
    // ACME's leaflets: nothing wrong.
    const leaflets = project('p-nar-leaflets', 'Winter leaflets', 'anna', ACME, 1);
    // Another client's harbour tour, another manager's: copy past due, the prepayment past due.
    const tour = project('p-nar-tour', 'Harbour tour flyer', 'boris', { id: 'bolt', name: 'Bolt & Nut', segment: 'B2B' }, 2)
      .submitPlan(plusHours(base, 1), [{ key: 'copy', department: 'copywriting', dueAt: '2026-02-25T00:00:00.000Z' }])
      .approve(plusHours(base, 2))
      .invoice('prepayment', 'INV-N1', 300, plusHours(base, 2), '2026-02-15T00:00:00.000Z', { status: 'open' });
    tour.task('copy').open(plusHours(base, 2)).claim('cora.copy');
    // A B2C client, cancelled, a refund owed.
    const catalogue = project('p-nar-catalogue', 'Spring catalogue', 'boris', { id: 'mueller', name: 'Müller Möbel', segment: 'B2C' }, 3)
      .invoice('prepayment', 'INV-N2', 1_000, plusHours(base, 3))
      .pay('INV-N2', 1_000, plusDays(base, 1), 'bank-n2')
      .cancel(plusDays(base, 5))
      .invoice('credit_note', 'CN-N2', 600, plusDays(base, 6), '2026-03-10T00:00:00.000Z', { status: 'open' });
    for (const p of [posters, leaflets, tour, catalogue]) for (const snapshot of p.publishAll()) await s.store.publish(snapshot);
  });
  afterAll(async () => {
    await s?.dispose();
  });

  test('asked with words, a client or a segment, every count is of the projects the list finds by them, and of their tasks', async () => {
    const harbour = await s.store.portfolio({ search: 'HARBOUR', now: NOW });
    expect(harbour.scope).toEqual({ q: 'HARBOUR' });
    expect(harbour.projects).toEqual({
      byStage: expect.objectContaining({ in_production: 2, cancelled: 0 }),
      active: 2,
      overdue: 2,
      cancelledToSettle: 0,
    });
    expect(harbour.tasks.overdue).toBe(2);
    expect(harbour.tasks.byDepartment.design).toEqual({ open: 1, overdue: 1 });
    expect(harbour.tasks.byDepartment.copywriting).toEqual({ open: 1, overdue: 1 });
    expect(harbour.openComplaints).toMatchObject({ count: 1, items: [expect.objectContaining({ projectId: 'p-nar-posters' })] });
    expect(harbour.unpaidInvoicesPastDue).toMatchObject({ count: 1, items: [expect.objectContaining({ projectId: 'p-nar-tour' })] });
    expect(harbour.refundsOwed.count).toBe(0);

    // A manager's own: of their projects, those found.
    const annas = await s.store.portfolio({ managerId: 'anna', search: 'harbour', now: NOW });
    expect(annas.scope).toEqual({ managerId: 'anna', q: 'harbour' });
    expect([annas.projects.overdue, annas.tasks.overdue, annas.unpaidInvoicesPastDue.count]).toEqual([1, 1, 0]);

    // The client: both of ACME's, one task past due; the segment: the B2C client's refund alone.
    const acme = await s.store.portfolio({ clientId: ACME.id, now: NOW });
    expect([acme.projects.active, acme.projects.overdue, acme.tasks.overdue, acme.openComplaints.count]).toEqual([2, 1, 1, 1]);
    expect(acme.scope).toEqual({ clientId: ACME.id });
    const b2c = await s.store.portfolio({ segment: 'B2C', now: NOW });
    expect([b2c.projects.byStage.cancelled, b2c.projects.cancelledToSettle, b2c.refundsOwed.count, b2c.tasks.overdue]).toEqual([1, 1, 1, 0]);
    // Words no project has: nothing counted, not the agency's.
    const none = await s.store.portfolio({ search: 'harbour nowhere', now: NOW });
    expect([none.projects.active, none.projects.overdue, none.tasks.overdue, none.openComplaints.count]).toEqual([0, 0, 0, 0]);
    // Asked for nothing: the whole portfolio, as before.
    const all = await s.store.portfolio({ now: NOW });
    expect(all.scope).toEqual({});
    expect([all.projects.active, all.projects.overdue, all.tasks.overdue, all.refundsOwed.count]).toEqual([3, 2, 2, 1]);
  });

  test('the report and the list find by one rule: for any words and choices, each count is what the list holds', async () => {
    const findings = [
      { search: 'muller' },
      { search: 'acme harbour' },
      { search: 'flyer', segment: 'B2B' },
      { clientId: ACME.id, search: 'winter' },
      { segment: 'B2C' },
      { search: 'bolt & nut', managerId: 'boris' },
    ];
    for (const finding of findings) {
      const report = await s.store.portfolio({ ...finding, now: NOW });
      const listed = async (only?: PortfolioSet) => (await s.store.listProjects({ ...finding, only }, { pageSize: 100 }, NOW)).items.length;
      const counted = Object.values(report.projects.byStage).reduce((n, c) => n + c, 0);
      expect([counted, report.projects.overdue, report.projects.cancelledToSettle, report.openComplaints.count, report.unpaidInvoicesPastDue.count, report.refundsOwed.count]).toEqual([
        await listed(),
        await listed('overdue'),
        await listed('settle'),
        await listed('complaints'),
        await listed('payments'),
        await listed('refunds'),
      ]);
    }
  });
});

describe('the portfolio sets, listed', () => {
  let s: TestStore;
  beforeAll(async () => {
    s = await openTestStore();
  });
  afterAll(async () => {
    await s?.dispose();
  });

  test('each set the list is asked for (`only`) holds every project its tile counts, however many newer ones come first', async () => {
    const { late, fresh, refund } = flaggedProjects();
    const project = (projectId: string, intakeAt: string) =>
      new ProjectBuilder({ projectId, managerId: 'anna', client: { id: 'sets', name: 'Sets Ltd', segment: 'B2C' }, intakeAt });
    // Old projects with money past due: an unpaid prepayment, a cancellation's bill.
    const unpaid = project('p-set-unpaid', '2026-01-05T08:00:00.000Z').invoice('prepayment', 'INV-U1', 500, '2026-01-06T00:00:00.000Z', '2026-01-20T00:00:00.000Z', { status: 'open' });
    const bill = project('p-set-bill', '2026-01-06T08:00:00.000Z')
      .cancel('2026-02-10T00:00:00.000Z')
      .invoice('cancellation', 'INV-U2', 400, '2026-02-10T00:00:00.000Z', '2026-02-24T00:00:00.000Z', { status: 'open' });
    // Newer projects that need nothing: a portfolio that draws the newest few never reaches the old ones.
    const quiet = Array.from({ length: 5 }, (_, i) => project(`p-set-quiet-${i}`, `2026-02-2${i}T08:00:00.000Z`));
    for (const p of [late, fresh, refund, unpaid, bill, ...quiet]) await s.store.publish(p.publish());

    const listed = async (only: PortfolioSet) => (await s.store.listProjects({ only }, { pageSize: 100 }, FLAGS_NOW)).items.map((p) => p.projectId).sort();
    const report = await s.store.portfolio({ now: FLAGS_NOW });
    expect(await listed('complaints')).toEqual(['p-flag-fresh', 'p-flag-late']);
    expect(report.openComplaints.count).toBe(2);
    expect(await listed('refunds')).toEqual(['p-flag-refund']);
    expect(report.refundsOwed.count).toBe(1);
    expect(await listed('settle')).toEqual(['p-flag-refund', 'p-set-bill']);
    expect(report.projects.cancelledToSettle).toBe(2);
    expect(await listed('payments')).toEqual(['p-set-bill', 'p-set-unpaid']);
    expect(report.unpaidInvoicesPastDue.count).toBe(2);
    expect(await listed('overdue')).toEqual([]);
    expect(report.projects.overdue).toBe(0);
    // With other filters, and paged like every list (the set is part of the page token's list).
    expect((await s.store.listProjects({ only: 'payments', clientId: 'sets', managerId: 'anna' }, { pageSize: 100 }, FLAGS_NOW)).items).toHaveLength(2);
    const first = await s.store.listProjects({ only: 'payments' }, { pageSize: 1 }, FLAGS_NOW);
    await expect(s.store.listProjects({ only: 'complaints' }, { pageSize: 1, pageToken: first.nextPageToken }, FLAGS_NOW)).rejects.toEqual(expect.objectContaining({ name: 'ReportingInputError', field: 'pageToken' }));
  });
});

describe('what waits on the manager', () => {
  let s: TestStore;
  beforeAll(async () => {
    s = await openTestStore();
  });
  afterAll(async () => {
    await s?.dispose();
  });

  test('a project lists its deliveries waiting for review, a plan sent back, the money its client still owes after payments and set-offs, and what it billed and was paid', async () => {
    const base = '2026-02-01T08:00:00.000Z';
    const project = (id: string) => new ProjectBuilder({ projectId: id, managerId: 'anna', client: { id: 'waits', name: 'Waits Ltd', segment: 'B2B' }, intakeAt: base });
    // Two of three tasks delivered: one waits for review, the other was sent back (being redone).
    const review = project('p-wait-review')
      .submitPlan(plusHours(base, 1), ['design', 'copy', 'seo'].map((key) => ({ key, department: key as 'design' | 'copywriting' | 'seo', dueAt: plusDays(base, 10) })))
      .approve(plusHours(base, 2));
    review.task('design').open(plusHours(base, 2)).claim('dima.design').submit(plusHours(base, 5));
    review.task('copy').open(plusHours(base, 2)).claim('cora.copy').submit(plusHours(base, 5)).sendBack(plusHours(base, 6));
    review.task('seo').open(plusHours(base, 2)).claim('sam.seo').submit(plusHours(base, 7));
    const noPlan = project('p-wait-no-plan');
    const sentBack = project('p-wait-sent-back').submitPlan(plusHours(base, 1), [{ key: 'design', department: 'design', dueAt: plusDays(base, 10) }]).reject(plusHours(base, 2));
    // €1,400 billed: €600 paid, €150 set off by a credit note; a paid prepayment and the credit note itself owe nothing.
    const money = project('p-wait-money')
      .invoice('prepayment', 'INV-W1', 500, base, plusDays(base, 7), { status: 'open' })
      .pay('INV-W1', 500, plusDays(base, 1), 'pp')
      .invoice('final', 'INV-W2', 1400, plusDays(base, 10), plusDays(base, 24), {
        status: 'open',
        setOffs: [{ invoiceNumber: 'CN-W1', amount: 150, at: plusDays(base, 11) }],
      })
      .invoice('credit_note', 'CN-W1', 150, plusDays(base, 11), plusDays(base, 25), { status: 'paid', setOffs: [{ invoiceNumber: 'INV-W2', amount: 150, at: plusDays(base, 11) }] })
      .pay('INV-W2', 600, plusDays(base, 12), 'part');
    money.status.stage = 'invoicing';
    for (const p of [review, noPlan, sentBack, money]) for (const snapshot of p.publishAll()) await s.store.publish(snapshot);

    const items = (await s.store.listProjects({}, { pageSize: 10 })).items;
    const waits = Object.fromEntries(items.map((p) => [p.projectId, [p.deliveriesToReview, p.planSentBack, p.amountOwed, p.paymentDueAt]]));
    expect(waits).toEqual({
      'p-wait-review': [2, false, undefined, undefined],
      'p-wait-no-plan': [0, false, undefined, undefined],
      'p-wait-sent-back': [0, true, undefined, undefined],
      'p-wait-money': [0, false, 650, plusDays(base, 24)],
    });
    expect(items.find((p) => p.projectId === 'p-wait-money')?.currency).toBe('EUR');
    // Billed net: €500 + €1,400 less the €150 credit note (set off: no money moved); paid: €500 + €600.
    // Nothing billed nor paid is 0.
    expect(Object.fromEntries(items.map((p) => [p.projectId, [p.invoiced, p.paid]]))).toEqual({ 'p-wait-review': [0, 0], 'p-wait-no-plan': [0, 0], 'p-wait-sent-back': [0, 0], 'p-wait-money': [1750, 1100] });

    // Accepted: no longer waiting for review. Paid in full: nothing owed.
    await s.store.publish(review.task('design').accept(plusHours(base, 8)).publish());
    money.pay('INV-W2', 650, plusDays(base, 13), 'rest').status.invoices.find((i) => i.number === 'INV-W2')!.status = 'paid';
    await s.store.publish(money.publish());
    const after = Object.fromEntries((await s.store.listProjects({}, { pageSize: 10 })).items.map((p) => [p.projectId, p]));
    expect(after['p-wait-review'].deliveriesToReview).toBe(1);
    expect(after['p-wait-money'].amountOwed).toBeUndefined();
  });
});

describe('complaint and refund flags', () => {
  let s: TestStore;
  beforeAll(async () => {
    s = await openTestStore();
  });
  afterAll(async () => {
    await s?.dispose();
  });

  test('a project lists by when its oldest open complaint should be resolved and when its earliest refund is due; a cancelled project owing a refund is still running until it is paid out', async () => {
    const { refund, ...rest } = flaggedProjects();
    for (const p of [...Object.values(rest), refund]) await s.store.publish(p.publish());
    const items = (await s.store.listProjects({}, { pageSize: 10 }, FLAGS_NOW)).items;
    expect(items.map((i) => [i.projectId, i.complaintDueAt, i.refundDueAt, i.executionStatus])).toEqual(EXPECTED_FLAGS);
    // How much is to refund (the card's "€600.00 to refund"); the client owes nothing on it.
    expect(items.map((i) => [i.projectId, i.refundOwed, i.amountOwed])).toEqual([
      ['p-flag-refund', 600, undefined],
      ['p-flag-fresh', undefined, undefined],
      ['p-flag-late', undefined, undefined],
    ]);

    const report = await s.store.portfolio({ now: FLAGS_NOW });
    expect(report.projects.byStage.cancelled).toBe(1);
    expect(report.openComplaints).toMatchObject({ count: 2, pastDue: 1 });
    // Most urgent first.
    expect(report.openComplaints.items.map((i) => [i.projectId, i.complaintDueAt])).toEqual([
      ['p-flag-late', '2026-03-01T12:00:00.000Z'],
      ['p-flag-fresh', '2026-03-01T18:00:00.000Z'],
    ]);
    expect(report.refundsOwed).toMatchObject({ count: 1, pastDue: 1, items: [expect.objectContaining({ projectId: 'p-flag-refund', refundDueAt: '2026-02-25T00:00:00.000Z' })] });
    // Before their due dates, neither is past due; the manager's own slice holds only theirs.
    expect((await s.store.portfolio({ now: new Date('2026-02-20T00:00:00.000Z') })).refundsOwed.pastDue).toBe(0);
    expect((await s.store.portfolio({ managerId: 'anna', now: FLAGS_NOW })).refundsOwed.count).toBe(0);

    // Part paid out: what is left to refund.
    await s.store.publish(refund.pay('CN-F1', 250, '2026-03-01T09:00:00.000Z', 'refund-1').publish());
    expect((await s.store.listProjects({ clientId: 'flags', managerId: 'boris' }, { pageSize: 10 }, FLAGS_NOW)).items[0].refundOwed).toBe(350);

    // Paid out: the project has ended, no refund owed any more.
    await s.store.publish(refund.pay('CN-F1', 350, '2026-03-01T10:00:00.000Z', 'refund-2').publish());
    const after = (await s.store.listProjects({ clientId: 'flags', managerId: 'boris' }, { pageSize: 10 }, FLAGS_NOW)).items;
    expect(after).toEqual([expect.objectContaining({ projectId: 'p-flag-refund', executionStatus: 'COMPLETED' })]);
    expect(after[0].refundDueAt).toBeUndefined();
    expect(after[0].refundOwed).toBeUndefined();
    expect((await s.store.portfolio({ now: FLAGS_NOW })).refundsOwed).toEqual({ count: 0, pastDue: 0, items: [] });
  });

  test('a completed project with a complaint made after completion is running until it is resolved and its refund paid out', async () => {
    const after = new ProjectBuilder({ projectId: 'p-flag-after', managerId: 'vera', client: { id: 'after', name: 'After Ltd', segment: 'B2B' }, intakeAt: '2026-02-01T08:00:00.000Z' })
      .invoice('final', 'INV-A1', 1_000, '2026-02-10T00:00:00.000Z')
      .pay('INV-A1', 1_000, '2026-02-12T00:00:00.000Z', 'bank-a')
      .complete('2026-02-12T01:00:00.000Z');
    const listed = async () => (await s.store.listProjects({ clientId: 'after' }, { pageSize: 10 }, FLAGS_NOW)).items[0];
    await s.store.publish(after.publish());
    expect(await listed()).toMatchObject({ stage: 'completed', executionStatus: 'COMPLETED', hasOpenComplaint: false });

    const complaintId = after.complain('2026-02-20T12:00:00.000Z');
    await s.store.publish(after.publish());
    expect(await listed()).toMatchObject({ stage: 'completed', executionStatus: 'RUNNING', hasOpenComplaint: true });
    after.resolve(complaintId, '2026-02-21T12:00:00.000Z').invoice('credit_note', 'CN-A1', 150, '2026-02-21T12:00:00.000Z', '2026-03-07T00:00:00.000Z', { status: 'open' });
    await s.store.publish(after.publish());
    expect(await listed()).toMatchObject({ executionStatus: 'RUNNING', hasOpenComplaint: false, refundOwed: 150 });
    await s.store.publish(after.pay('CN-A1', 150, '2026-02-22T09:00:00.000Z', 'refund-a').publish());
    expect(await listed()).toMatchObject({ stage: 'completed', executionStatus: 'COMPLETED' });
  });
});

// Projects against the date their client asked for, 2026-03-20 17:00 in Berlin (the portal's new-project
// form sends 17:00 of the day picked), listed on 2026-03-01.
const CLIENT_DATE = '2026-03-20T16:00:00.000Z';
const CLIENT_DATE_NOW = new Date('2026-03-01T12:00:00.000Z');
const EXPECTED_AGAINST_CLIENT_DATE = {
  // A task's due date moved past the client's date: the plan now ends after it.
  'p-client-moved': { stage: 'in_production', dueAt: '2026-03-25T16:00:00.000Z', clientDueAt: CLIENT_DATE, plannedEndAt: '2026-03-25T16:00:00.000Z', endsAfterClientDate: true },
  // Approved ending after it, nothing started yet (the work waits for its prepayment): the plan's end, not the client's date.
  'p-client-plan': { stage: 'in_production', dueAt: CLIENT_DATE, clientDueAt: CLIENT_DATE, plannedEndAt: '2026-03-27T16:00:00.000Z', endsAfterClientDate: true },
  // Ends on the client's date (the plan editor's default due date): in time.
  'p-client-in-time': { stage: 'in_production', dueAt: CLIENT_DATE, clientDueAt: CLIENT_DATE, plannedEndAt: CLIENT_DATE, endsAfterClientDate: false },
  // Later on the client's day (19:00 where the form put 17:00): in time, as the plan pages judge it; the next morning: late.
  'p-client-same-day': { stage: 'in_production', dueAt: '2026-03-20T18:00:00.000Z', clientDueAt: CLIENT_DATE, plannedEndAt: '2026-03-20T18:00:00.000Z', endsAfterClientDate: false },
  'p-client-next-morning': { stage: 'in_production', dueAt: '2026-03-21T08:00:00.000Z', clientDueAt: CLIENT_DATE, plannedEndAt: '2026-03-21T08:00:00.000Z', endsAfterClientDate: true },
  // A task cancelled: its date no longer counts.
  'p-client-cancelled-task': { stage: 'in_production', dueAt: '2026-03-10T16:00:00.000Z', clientDueAt: CLIENT_DATE, plannedEndAt: '2026-03-10T16:00:00.000Z', endsAfterClientDate: false },
  // No plan yet, or one not approved: nothing has set an end; the list's dueAt is the client's date.
  'p-client-intake': { stage: 'planning', dueAt: CLIENT_DATE, clientDueAt: CLIENT_DATE, endsAfterClientDate: false },
  'p-client-pending': { stage: 'awaiting_approval', dueAt: CLIENT_DATE, clientDueAt: CLIENT_DATE, endsAfterClientDate: false },
  // Delivered and accepted, or ended: late or not, nothing left to warn about.
  'p-client-accepted': { stage: 'invoicing', dueAt: '2026-03-25T16:00:00.000Z', clientDueAt: CLIENT_DATE, plannedEndAt: '2026-03-25T16:00:00.000Z', endsAfterClientDate: false },
  'p-client-completed': { stage: 'completed', dueAt: '2026-03-25T16:00:00.000Z', clientDueAt: CLIENT_DATE, plannedEndAt: '2026-03-25T16:00:00.000Z', endsAfterClientDate: false },
  'p-client-cancelled': { stage: 'cancelled', dueAt: CLIENT_DATE, clientDueAt: CLIENT_DATE, plannedEndAt: '2026-03-25T16:00:00.000Z', endsAfterClientDate: false },
};

/** The list's items by id, with what they say about the client's date. */
const againstClientDate = (items: { projectId: string; stage?: string; dueAt?: string; clientDueAt?: string; plannedEndAt?: string; endsAfterClientDate: boolean }[]) =>
  Object.fromEntries(
    items.map((i) => [
      i.projectId,
      { stage: i.stage, dueAt: i.dueAt, clientDueAt: i.clientDueAt, ...(i.plannedEndAt !== undefined && { plannedEndAt: i.plannedEndAt }), endsAfterClientDate: i.endsAfterClientDate },
    ]),
  );

function clientDateProjects() {
  const base = '2026-02-01T08:00:00.000Z';
  let n = 0;
  const project = (projectId: string) => {
    const p = new ProjectBuilder({ projectId, managerId: 'anna', client: { id: 'dates', name: 'Dates Ltd', segment: 'B2B' }, intakeAt: plusHours(base, n++) });
    p.status.desiredDeadline = CLIENT_DATE;
    return p;
  };
  const planned = (p: ProjectBuilder, ...dueAt: string[]) =>
    p.submitPlan(plusDays(base, 1), dueAt.map((d, i) => ({ key: `t${i + 1}`, department: i % 2 === 0 ? 'design' : 'copywriting', dueAt: d })));
  const moved = planned(project('p-client-moved'), '2026-03-10T16:00:00.000Z', '2026-03-18T16:00:00.000Z').approve(plusDays(base, 2));
  moved.task('t1').open(plusDays(base, 2)).claim('dima.design');
  moved.task('t2').moveDue('2026-03-25T16:00:00.000Z', plusDays(base, 10));
  // Approved, its tasks not started: as a workflow waiting for the prepayment has it.
  const plan = planned(project('p-client-plan'), '2026-03-12T16:00:00.000Z', '2026-03-27T16:00:00.000Z').approve(plusDays(base, 2));
  plan.status.tasks = [];
  plan.tasks.clear();
  const inTime = planned(project('p-client-in-time'), '2026-03-10T16:00:00.000Z', CLIENT_DATE).approve(plusDays(base, 2));
  // Due later on the client's day (19:00 where 17:00 was picked) is in time; the next morning is not.
  const sameDay = planned(project('p-client-same-day'), '2026-03-20T18:00:00.000Z').approve(plusDays(base, 2));
  const nextMorning = planned(project('p-client-next-morning'), '2026-03-21T08:00:00.000Z').approve(plusDays(base, 2));
  const cancelledTask = planned(project('p-client-cancelled-task'), '2026-03-10T16:00:00.000Z', '2026-03-30T16:00:00.000Z').approve(plusDays(base, 2));
  cancelledTask.task('t2').cancel(plusDays(base, 5));
  const intake = project('p-client-intake');
  const pending = planned(project('p-client-pending'), '2026-04-01T16:00:00.000Z');
  const late = (projectId: string) => planned(project(projectId), '2026-03-25T16:00:00.000Z').approve(plusDays(base, 2));
  const accepted = late('p-client-accepted');
  accepted.task('t1').deliver('dima.design', plusDays(base, 3), plusDays(base, 20));
  accepted.toClientReview(plusDays(base, 21)).clientAccepts(plusDays(base, 22), 5);
  const completed = late('p-client-completed');
  completed.task('t1').deliver('dima.design', plusDays(base, 3), plusDays(base, 20));
  completed.toClientReview(plusDays(base, 21)).clientAccepts(plusDays(base, 22), 5).complete(plusDays(base, 23));
  const cancelled = late('p-client-cancelled').cancel(plusDays(base, 5));
  return { moved, plan, inTime, sameDay, nextMorning, cancelledTask, intake, pending, accepted, completed, cancelled };
}

describe('the plan against the client’s date', () => {
  let s: TestStore;
  beforeAll(async () => {
    s = await openTestStore();
  });
  afterAll(async () => {
    await s?.dispose();
  });

  test('a project whose plan ends after the date the client asked for is listed with both dates and flagged; one ending by then, without an approved plan, delivered and accepted, or ended is not', async () => {
    const projects = clientDateProjects();
    const { moved } = projects;
    // Before its task moved, the same project ended in time.
    const beforeMove = structuredClone(moved.status);
    const task = beforeMove.tasks.find((t) => t.key === 't2')!;
    task.dueAt = task.originalDueAt;
    await s.store.publish({ kind: 'project', projectId: 'p-client-moved', seq: 0, snapshot: beforeMove });
    expect(againstClientDate((await s.store.listProjects({}, { pageSize: 20 }, CLIENT_DATE_NOW)).items)['p-client-moved']).toEqual({
      ...EXPECTED_AGAINST_CLIENT_DATE['p-client-moved'],
      dueAt: '2026-03-18T16:00:00.000Z',
      plannedEndAt: '2026-03-18T16:00:00.000Z',
      endsAfterClientDate: false,
    });

    for (const p of Object.values(projects)) for (const snapshot of p.publishAll()) await s.store.publish(snapshot);
    expect(againstClientDate((await s.store.listProjects({}, { pageSize: 20 }, CLIENT_DATE_NOW)).items)).toEqual(EXPECTED_AGAINST_CLIENT_DATE);
    // Not "overdue": nothing is past due on 2026-03-01; the flag says nothing about now.
    expect((await s.store.listProjects({ overdue: true }, { pageSize: 20 }, CLIENT_DATE_NOW)).items).toEqual([]);
  });
});

describe('cancelled projects with money to settle', () => {
  let s: TestStore;
  beforeAll(async () => {
    s = await openTestStore();
  });
  afterAll(async () => {
    await s?.dispose();
  });

  // The portal's rule for its "Cancelled · money to settle" cards: cancelled, its workflow still running.
  const settlingInList = async (filter: { managerId?: string }) =>
    (await s.store.listProjects(filter, { pageSize: 100 }, FLAGS_NOW)).items.filter((p) => p.stage === 'cancelled' && p.executionStatus === 'RUNNING').map((p) => p.projectId);

  test('the portfolio counts them in the store (the bill unpaid, or a refund owed), as the project list flags them; not a cancelled project with nothing owed, nor one still running', async () => {
    const project = (projectId: string, managerId: string) =>
      new ProjectBuilder({ projectId, managerId, client: { id: 'settle', name: 'Settle Ltd', segment: 'B2B' }, intakeAt: '2026-02-01T08:00:00.000Z' });
    // Its cancellation bill not paid yet.
    const bill = project('p-settle-bill', 'anna').cancel('2026-02-10T00:00:00.000Z').invoice('cancellation', 'INV-S1', 400, '2026-02-10T00:00:00.000Z', undefined, { status: 'open' });
    // A prepayment beyond the work: a refund owed.
    const refund = project('p-settle-refund', 'boris')
      .invoice('prepayment', 'INV-S2', 1_000, '2026-02-04T00:00:00.000Z', undefined, { status: 'open' })
      .pay('INV-S2', 1_000, '2026-02-05T00:00:00.000Z', 'bank-s2')
      .cancel('2026-02-10T00:00:00.000Z')
      .invoice('credit_note', 'CN-S2', 600, '2026-02-11T00:00:00.000Z', '2026-02-25T00:00:00.000Z', { status: 'open' });
    // Nothing owed either way: its workflow has ended.
    const settled = project('p-settle-none', 'boris').cancel('2026-02-10T00:00:00.000Z');
    // Running, an invoice unpaid, but not cancelled.
    const running = project('p-settle-running', 'anna').invoice('prepayment', 'INV-S4', 500, '2026-02-04T00:00:00.000Z', undefined, { status: 'open' });
    for (const p of [bill, refund, settled, running]) await s.store.publish(p.publish());

    const report = await s.store.portfolio({ now: FLAGS_NOW });
    expect(report.projects.byStage.cancelled).toBe(3);
    expect(report.projects.cancelledToSettle).toBe(2);
    expect(report.projects.cancelledToSettle).toBe((await settlingInList({})).length);
    // Not active: its work has stopped.
    expect(report.projects.active).toBe(1);
    expect((await s.store.portfolio({ managerId: 'anna', now: FLAGS_NOW })).projects.cancelledToSettle).toBe(1);
    expect((await s.store.portfolio({ managerId: 'boris', now: FLAGS_NOW })).projects.cancelledToSettle).toBe(1);

    // The bill paid, the refund paid out: nothing left to settle.
    await s.store.publish(bill.pay('INV-S1', 400, '2026-02-20T00:00:00.000Z', 'bank-s1').publish());
    expect((await s.store.portfolio({ now: FLAGS_NOW })).projects.cancelledToSettle).toBe(1);
    expect((await s.store.portfolio({ managerId: 'anna', now: FLAGS_NOW })).projects.cancelledToSettle).toBe(0);
    await s.store.publish(refund.pay('CN-S2', 600, '2026-02-26T00:00:00.000Z', 'refund-s2').publish());
    expect((await s.store.portfolio({ now: FLAGS_NOW })).projects.cancelledToSettle).toBe(0);
    expect(await settlingInList({})).toEqual([]);
  });

  test('counted exactly beyond the 500 projects the portal’s list loads', async () => {
    const many = 520;
    for (let i = 0; i < many; i++) {
      const id = `p-settle-many-${String(i).padStart(3, '0')}`;
      const p = new ProjectBuilder({ projectId: id, managerId: 'carl', client: { id: 'many', name: 'Many Ltd', segment: 'B2C' }, intakeAt: plusHours('2026-01-01T00:00:00.000Z', i) });
      // Every tenth still owes its bill.
      if (i % 10 === 0) p.cancel('2026-02-10T00:00:00.000Z').invoice('cancellation', `INV-M${i}`, 100, '2026-02-10T00:00:00.000Z', undefined, { status: 'open' });
      await s.store.publish(p.publish());
    }
    expect((await s.store.portfolio({ managerId: 'carl', now: FLAGS_NOW })).projects.cancelledToSettle).toBe(many / 10);
  });
});
