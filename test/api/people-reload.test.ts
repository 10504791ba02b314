/**
 * The people directory follows its file: someone added can sign in, someone removed is refused
 * (bearer token and open session alike), a role changed applies, all without a restart — in the
 * API process (startApiServer, a real listener) and in the worker's activities. A file that does
 * not pass (broken JSON, a duplicate id, what PRODUCTION_CHECKS refuses, gone) is not taken: the
 * people loaded before stay, and one error line says why without quoting the file.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createActivityDepsFromConfig } from '../../activities/index';
import { startApiServer, type ApiServer } from '../../api/server';
import { loadConfig, type Config } from '../../common/config';
import { PeopleDirectory } from '../../common/people';
import { peopleReloadProblems } from '../../common/production-checks';
import { serveWorkerHealth } from '../../worker/health';
import { metricsAccess } from '../../common/metrics-access';
import { capturedLogger } from '../activities/fixtures';
import { openTestStore, type TestStore } from '../support/reporting';
import { connectTestTemporal, eventually, testAddress } from '../support/temporal';

const anna = { id: 'anna.manager', name: 'Anna Petrova', email: 'anna@agency.example', role: 'manager', token: 'reload-test-anna-token-0001' };
const dima = { id: 'dima.design', name: 'Dima Kozlov', email: 'dima@agency.example', role: 'staff', department: 'design', token: 'reload-test-dima-token-0001' };
const newcomer = { id: 'sveta.seo', name: 'Sveta Orlova', email: 'sveta@agency.example', role: 'staff', department: 'seo', token: 'reload-test-sveta-token-0001' };

let dir: string;
let file: string;
const write = (people: object[]) => fs.writeFileSync(file, JSON.stringify({ people }, null, 2));
// A rename, as editors and volume mounts replace a file: never half a file read.
const replace = (text: string) => {
  fs.writeFileSync(`${file}.next`, text);
  fs.renameSync(`${file}.next`, file);
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-people-'));
  file = path.join(dir, 'people.json');
  write([anna, dima]);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Polls every 20 ms, for up to 5 s (the directories here read their file every 25–50 ms). */
const until = (condition: () => boolean | Promise<boolean>, what: string) => eventually(async () => await condition(), { timeoutMs: 5_000, intervalMs: 20, what });
const severalPolls = () => new Promise((resolve) => setTimeout(resolve, 150));

test('a file refused at the start is named once in its error, without quoting its text', () => {
  write([anna, { ...dima, id: 'anna.manager' }]);
  expect(() => PeopleDirectory.fromFile(file)).toThrow(new Error(`people directory ${file}: duplicate id "anna.manager"`));
  fs.writeFileSync(file, `{"people": [{"token": "${anna.token}" oops}]}`);
  expect(() => PeopleDirectory.fromFile(file)).toThrow(/^people directory \S+people\.json: not valid JSON \(line 1, column \d+\)$/);
  expect(() => new PeopleDirectory([anna, anna] as never)).toThrow(new Error('people directory: duplicate id "anna.manager"'));
});

describe('a directory following its file', () => {
  let people: PeopleDirectory;
  let log: ReturnType<typeof capturedLogger>;
  const follow = (problems?: (raw: unknown) => string[]) => {
    log = capturedLogger();
    people = PeopleDirectory.fromFile(file);
    people.followFile(file, { everyMs: 25, logger: log.logger, problems });
  };
  const errors = () => log.lines.filter((l) => l.msg === 'People directory not reloaded: keeping the people loaded before');
  afterEach(() => people.stopFollowing());

  test('takes people added, removed and changed, and says who', async () => {
    follow();
    expect(people.authenticate(newcomer.token)).toBeUndefined();
    replace(JSON.stringify({ people: [{ ...anna, role: 'leadership' }, newcomer] }));
    await until(() => people.authenticate(newcomer.token)?.id === 'sveta.seo', 'the newcomer');
    expect(people.authenticate(dima.token)).toBeUndefined();
    expect(people.get('dima.design')).toBeUndefined();
    expect(people.get('anna.manager')?.role).toBe('leadership');
    expect(people.inDepartment('seo').map((p) => p.id)).toEqual(['sveta.seo']);
    expect(log.lines.filter((l) => l.msg === 'People directory reloaded')).toEqual([
      expect.objectContaining({ component: 'people', file, people: 2, added: ['sveta.seo'], removed: ['dima.design'], changed: ['anna.manager'] }),
    ]);
  });

  test('keeps the people it had when the file is broken, says why once, and never quotes it', async () => {
    follow();
    const broken = `{"people": [\n  {"id": "sveta.seo", "token": "${newcomer.token}" oops}]}`;
    replace(broken);
    await until(() => errors().length > 0, 'the error');
    const column = broken.split('\n')[1].indexOf('oops') + 1; // where the text stops being JSON
    expect(errors()[0]).toMatchObject({ reason: `not valid JSON (line 2, column ${column})`, people: 2 });
    expect(JSON.stringify(log.lines)).not.toContain('reload-test');
    await severalPolls(); // of the same broken file
    expect(errors()).toHaveLength(1);
    expect(people.authenticate(dima.token)?.id).toBe('dima.design');

    expect(people.fileRefused).toMatch(/^not valid JSON/);
    write([anna, dima, newcomer]); // mended: taken
    await until(() => people.authenticate(newcomer.token)?.id === 'sveta.seo', 'the mended file');
    expect(people.fileRefused).toBeUndefined();
  });

  test('refuses a duplicate id, a person the schema refuses, and a file that is gone, keeping everyone', async () => {
    follow();
    write([anna, dima, { ...newcomer, id: 'dima.design' }]);
    await until(() => errors().length === 1, 'the duplicate');
    write([anna, { ...dima, department: undefined }]);
    await until(() => errors().length === 2, 'the staff member without a department');
    fs.rmSync(file);
    await until(() => errors().length === 3, 'the missing file');
    await severalPolls();
    expect(errors().map((e) => e.reason)).toEqual(['duplicate id "dima.design"', 'people.1.department: staff need a department', 'cannot be read (ENOENT)']);
    expect(people.all().map((p) => p.id)).toEqual(['anna.manager', 'dima.design']);
    expect(people.get('dima.design')?.department).toBe('design');
    expect(people.fileRefused).toBe('cannot be read (ENOENT)');

    write([anna, dima]);
    await until(() => people.fileRefused === undefined, 'the file back');
    fs.rmSync(file); // gone again, and back exactly as it was taken: refused no longer either
    await until(() => errors().length === 4, 'the file gone again');
    write([anna, dima]);
    await until(() => people.fileRefused === undefined, 'the same file back');
  });

  test('under PRODUCTION_CHECKS refuses what the process would not have started on (clear-text tokens)', async () => {
    const digest = (p: typeof anna) => ({ ...p, token: undefined, tokenSha256: 'a'.repeat(64) });
    write([digest(anna), digest(dima)]);
    const config = { PRODUCTION_CHECKS: true, ALLOW_DEMO_PEOPLE: false, METRICS_TOKEN: undefined, peopleFile: file };
    follow(peopleReloadProblems(config));
    write([digest(anna), digest(dima), newcomer]);
    await until(() => errors().length > 0, 'the refusal');
    expect(errors()[0].reason).toMatch(/^1 people have clear-text tokens \(sveta\.seo\)/);
    expect(people.authenticate(newcomer.token)).toBeUndefined();
    expect(peopleReloadProblems({ ...config, ALLOW_DEMO_PEOPLE: true })).toBeUndefined();
    expect(peopleReloadProblems({ ...config, PRODUCTION_CHECKS: false })).toBeUndefined();
  });
});

describe('the API process and the worker follow PEOPLE_FILE', () => {
  let store: TestStore;
  let config: Config;
  let server: ApiServer;
  beforeEach(async () => {
    store = await openTestStore();
    config = { ...loadConfig({ TEMPORAL_ADDRESS: testAddress(), LOG_LEVEL: 'silent', DATA_DIR: dir, PEOPLE_FILE: file, PEOPLE_RELOAD_INTERVAL: '50ms' }, dir), API_PORT: 0 };
    server = await startApiServer({ config, logger: capturedLogger().logger, reporting: store.store });
  });
  afterEach(async () => {
    await server.close();
    await store.dispose();
  });

  const me = (headers: Record<string, string>) => fetch(`${server.url}/api/me`, { headers });
  const bearer = (p: { token: string }) => ({ Authorization: `Bearer ${p.token}` });

  test('someone added signs in, someone removed is refused with their open session, a new role applies', async () => {
    const signIn = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: dima.token }) });
    expect(signIn.status).toBe(201);
    const cookie = { Cookie: signIn.headers.get('set-cookie')!.split(';')[0] };
    expect((await me(cookie)).status).toBe(200);
    expect((await me(bearer(newcomer))).status).toBe(401);

    write([{ ...anna, role: 'leadership' }, newcomer]);
    await until(async () => (await me(bearer(newcomer))).status === 200, 'the newcomer signed in');
    expect((await me(bearer(dima))).status).toBe(401);
    expect((await me(cookie)).status).toBe(401);
    expect(((await (await me(bearer(anna))).json()) as { person: { role: string } }).person.role).toBe('leadership');
  });

  const metricAt = async (url: string, name: string, headers: Record<string, string> = {}) =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(url, { headers })).text())?.[1]);

  test('/metrics says how many people are in use and whether the file on disk was refused', async () => {
    const metric = (name: string) => metricAt(`${server.url}/metrics`, name);
    expect(await metric('agencyflow_people_directory_people')).toBe(2);
    expect(await metric('agencyflow_people_file_refused')).toBe(0);
    replace('{"people": [');
    await until(async () => (await metric('agencyflow_people_file_refused')) === 1, 'the refusal in /metrics');
    expect(await metric('agencyflow_people_directory_people')).toBe(2);
    write([anna, dima, newcomer]);
    await until(async () => (await metric('agencyflow_people_file_refused')) === 0, 'the mended file in /metrics');
    expect(await metric('agencyflow_people_directory_people')).toBe(3);
  });

  test("the worker's activities see the same file, and its health server's /metrics says it as the API's does", async () => {
    const temporal = await connectTestTemporal();
    const logger = capturedLogger().logger;
    const deps = await createActivityDepsFromConfig(config, { client: temporal.client, logger, reporting: store.store });
    const metricsAllowed = metricsAccess({ METRICS_TOKEN: 'worker-metrics-token-0001', PRODUCTION_CHECKS: true });
    const health = await serveWorkerHealth({ port: 0, host: '127.0.0.1', polling: () => true, log: logger, people: deps.people, metricsAllowed });
    const url = `http://127.0.0.1:${(health.address() as AddressInfo).port}/metrics`;
    const metric = (name: string) => metricAt(url, name, { Authorization: 'Bearer worker-metrics-token-0001' });
    try {
      // Behind METRICS_TOKEN, as the API's.
      const refused = await fetch(url, { headers: { Authorization: 'Bearer a-guess' } });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ status: 401, detail: 'GET /metrics needs the bearer token configured in METRICS_TOKEN.' });
      expect(deps.people.get('sveta.seo')).toBeUndefined();
      expect(await metric('agencyflow_people_file_refused')).toBe(0);
      replace('{"people": [');
      await until(async () => (await metric('agencyflow_people_file_refused')) === 1, "the refusal in the worker's /metrics");
      write([anna, dima, newcomer]);
      await until(() => deps.people.inDepartment('seo').some((p) => p.email === 'sveta@agency.example'), "the worker's newcomer");
      expect(await metric('agencyflow_people_file_refused')).toBe(0);
      expect(await metric('agencyflow_people_directory_people')).toBe(3);
      expect(await metric('agencyflow_process_resident_memory_bytes')).toBeGreaterThan(0);
    } finally {
      health.close();
      deps.people.stopFollowing();
      await temporal.close();
    }
  });
});
