/**
 * The same migrations and KPI figures on a real PostgreSQL server (production's engine), not only
 * on PGlite: a throw-away cluster (initdb + pg_ctl in a temp dir, on a free loopback port) gets
 * the schema from two processes at once, the known portfolio, and must give exactly the report
 * PGlite gives. Without PostgreSQL binaries the test is skipped with a warning; under CI (CI=true)
 * it fails instead, so CI always proves it. Binaries: POSTGRES_BIN_DIR, else Debian's
 * /usr/lib/postgresql/<version>/bin, else initdb on PATH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReportingStore } from '../../activities/reporting/store';
import { MIGRATIONS } from '../../activities/reporting/migrations';
import { openTestStore, uniqueSchema, type TestStore } from '../support/reporting';
import { ANNA, buildDataset, NOW, OVERLOAD_HOURS, PERIOD } from './dataset';
import { freePort } from '../support/ports';
import { ProjectBuilder, plusHours } from './builders';

jest.setTimeout(180_000);

function findBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env.POSTGRES_BIN_DIR) candidates.push(process.env.POSTGRES_BIN_DIR);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, v, 'bin'));
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) candidates.push(path.dirname(which.stdout.trim()));
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')));
}

const binDir = findBinDir();
const inCi = process.env.CI === 'true';
if (!binDir && !inCi) {
  console.warn('SKIPPED: no PostgreSQL binaries (initdb, pg_ctl) here; the reporting store was checked on PGlite only. Install Debian\u2019s `postgresql` or set POSTGRES_BIN_DIR.');
}

/** initdb and pg_ctl refuse to run as root: as root, run them as the `postgres` user. */
function asServerUser(command: string, args: string[]): void {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, argv, { stdio: 'pipe', timeout: 120_000 });
}

interface Cluster {
  url: string;
  stop(): void;
}

async function startCluster(bin: string): Promise<Cluster> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-pg-'));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'sock');
  fs.mkdirSync(socketDir);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) execFileSync('chown', ['-R', 'postgres', root]);
  const port = await freePort();
  asServerUser(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'reporting', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  asServerUser(path.join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-o',
    `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    '-l',
    path.join(root, 'server.log'),
    '-w',
    'start',
  ]);
  return {
    url: `postgres://reporting@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        asServerUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

const suite = binDir ? describe : inCi ? describe : describe.skip;

suite('on a real PostgreSQL server', () => {
  let cluster: Cluster | undefined;
  let pg: ReportingStore | undefined;
  let second: ReportingStore | undefined;
  let lite: TestStore | undefined;

  beforeAll(async () => {
    if (!binDir) throw new Error('CI=true but no PostgreSQL binaries (initdb, pg_ctl): install Debian\u2019s `postgresql` or set POSTGRES_BIN_DIR');
    cluster = await startCluster(binDir);
    const schema = uniqueSchema('onpg');
    // Two processes starting together (the compose stack's API and worker): both migrate, once.
    [pg, second] = await Promise.all([
      ReportingStore.open({ url: cluster.url, schema, migrate: false }),
      ReportingStore.open({ url: cluster.url, schema, migrate: false }),
    ]);
    const applied = await Promise.all([pg.migrate(), second.migrate()]);
    expect(applied.flat().sort((x, y) => x - y)).toEqual(MIGRATIONS.map((m) => m.version));
    lite = await openTestStore();
    const { live } = buildDataset();
    for (const snapshot of live) {
      await pg.publish(snapshot);
      await lite.store.publish(snapshot);
    }
    for (const store of [pg, lite.store]) {
      await store.setSalesTarget({ managerId: ANNA, period: '2026-01', startsAt: new Date('2026-01-01T00:00:00Z'), endsAt: new Date('2026-02-01T00:00:00Z'), currency: 'EUR', amount: 10_000, setBy: 'lena.director' }, NOW);
    }
  });

  afterAll(async () => {
    await pg?.close();
    await second?.close();
    await lite?.dispose();
    cluster?.stop();
  });

  test('the migrations are recorded once and a second run applies nothing', async () => {
    expect(await pg!.migrate()).toEqual([]);
    expect(await pg!.upToDate()).toBe(true);
  });

  test('portal sessions behave alike on both: found until they expire or are removed, expired ones swept by the next sign-in', async () => {
    for (const store of [pg!, lite!.store]) {
      const t0 = Date.parse('2026-03-01T09:00:00Z');
      const session = (idDigest: string, expiresAt: number) => ({ idDigest, personId: 'dima.design', csrfToken: `csrf-${idDigest}`, createdAt: t0, expiresAt });
      await store.portalSessions.add(session('a', t0 + 60_000), t0);
      await store.portalSessions.add(session('b', t0 + 1_000), t0);
      expect(await store.portalSessions.find('a', t0 + 500)).toEqual(session('a', t0 + 60_000));
      expect(await store.portalSessions.find('b', t0 + 999)).toEqual(session('b', t0 + 1_000));
      expect(await store.portalSessions.find('b', t0 + 1_000)).toBeUndefined();
      // A sign-in after b expired removes it for good (even for a clock that would still accept it).
      await store.portalSessions.add(session('c', t0 + 60_000), t0 + 2_000);
      expect(await store.portalSessions.find('b', t0)).toBeUndefined();
      await store.portalSessions.remove('a');
      expect(await store.portalSessions.find('a', t0 + 500)).toBeUndefined();
      expect(await store.portalSessions.find('c', t0 + 2_000)).toMatchObject({ personId: 'dima.design', csrfToken: 'csrf-c' });
    }
  });

  test('gives exactly the KPI report PGlite gives, to the unit', async () => {
    const query = { from: new Date(PERIOD.from), to: new Date(PERIOD.to), overloadHours: OVERLOAD_HOURS, now: NOW };
    const onPg = await pg!.kpis(query);
    const onLite = await lite!.store.kpis(query);
    const { asOf: _a, ...pgFigures } = onPg;
    const { asOf: _b, ...liteFigures } = onLite;
    expect(pgFigures).toEqual(liteFigures);
    // The same hand-worked figures as test/reporting/kpis.test.ts.
    expect(onPg.responseTime.overall).toEqual({ projects: 5, medianHours: 4, p90Hours: 10.4, averageHours: 5.6 });
    expect(onPg.money.totals[0]).toMatchObject({ planned: 14_800, paid: 7_800, outstanding: 3_500, overdue: 1_000 });
    expect(onPg.delivery.overall).toEqual({ delivered: 6, onTime: 3, late: 3, onTimeRate: 0.5, averageDaysLate: 1.33 });
    expect(onPg.salesPlan).toEqual([expect.objectContaining({ managerId: ANNA, paid: 7_500, fulfilment: 0.75 })]);
    expect(onPg.series.map((w) => w.weekStart)).toEqual(onLite.series.map((w) => w.weekStart));

    for (const managerId of [ANNA, undefined]) {
      const a = await pg!.portfolio({ managerId, now: NOW });
      const b = await lite!.store.portfolio({ managerId, now: NOW });
      expect(a).toEqual(b);
    }
    expect(await pg!.listProjects({ overdue: true }, { pageSize: 50 }, NOW)).toEqual(await lite!.store.listProjects({ overdue: true }, { pageSize: 50 }, NOW));
    expect(await pg!.listTasks({}, { pageSize: 50 }, NOW)).toEqual(await lite!.store.listTasks({}, { pageSize: 50 }, NOW));
  });

  // Last: its clients are added to both stores, after the figures above were checked.
  test('the client directory finds a returning client typed differently alike on both (no extension: LIKE and translate only)', async () => {
    const names = ['Zantor Ltd', 'Müller & Sohn GmbH', 'O\u2019Brien-Smith', 'Zanter Studios'];
    for (const store of [pg!, lite!.store]) {
      for (const [i, name] of names.entries()) {
        await store.publish(new ProjectBuilder({ projectId: `p-onpg-dir-${i}`, managerId: ANNA, client: { id: `onpg-k${i}`, name, segment: 'B2B' }, intakeAt: plusHours('2026-03-01T08:00:00.000Z', i) }).publish());
      }
    }
    const found = async (store: ReportingStore, search: string) => (await store.clients({ search, limit: 10, emailsFor: 'everyone' })).map((c) => `${c.name} ${c.match}`);
    const searches = {
      'Zantor Limited': ['Zantor Ltd exact', 'Zanter Studios similar'],
      'muller and sohn': ['Müller & Sohn GmbH exact'],
      'obrien smith': ['O\u2019Brien-Smith exact'],
      'Zantorr Ltd.': ['Zantor Ltd similar'],
      // The dataset's 'Globex, "the" company' (id globex): quotes and a comma are word breaks.
      Globx: ['Globex, "the" company similar'],
      'Obrein': ['O\u2019Brien-Smith similar'],
    };
    for (const store of [pg!, lite!.store]) {
      expect(Object.fromEntries(await Promise.all(Object.keys(searches).map(async (q) => [q, await found(store, q)] as const)))).toEqual(searches);
    }
  });
});
