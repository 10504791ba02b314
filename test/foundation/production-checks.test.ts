/**
 * PRODUCTION_CHECKS: the compose stack must not come up with a people directory anyone could log
 * in with, unless a trial run says so (ALLOW_DEMO_PEOPLE). The entry points call
 * checkProductionSafetyOrExit with the loaded config; here the check itself.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../common/config';
import { checkProductionSafety, demoPeopleFile, peopleDirectoryProblems } from '../../common/production-checks';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-checks-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function peopleFile(name: string, people: object[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ people }));
  return file;
}

const lena = { id: 'lena.director', name: 'Lena', email: 'lena@agency.example', role: 'leadership' };

test('the bundled demo directory is found from the sources (and from dist/ in the image)', () => {
  expect(demoPeopleFile()).toBe(path.resolve(__dirname, '..', '..', 'config', 'people.example.json'));
});

test('a directory of hashed, fresh tokens passes', () => {
  const file = peopleFile('good.json', [{ ...lena, tokenSha256: sha('a-fresh-token-nobody-has-seen') }]);
  expect(peopleDirectoryProblems(file)).toEqual([]);
});

test('the demo directory, clear-text tokens and demo tokens under another name are each named', () => {
  expect(peopleDirectoryProblems(demoPeopleFile()!)).toEqual([
    expect.stringContaining('bundled demo directory'),
    expect.stringContaining('9 people have clear-text tokens'),
    expect.stringContaining('9 people use a demo token'),
  ]);
  const clear = peopleFile('clear.json', [{ ...lena, token: 'a-fresh-token-nobody-has-seen' }]);
  expect(peopleDirectoryProblems(clear)).toEqual([expect.stringMatching(/1 people have clear-text tokens \(lena.director\).*tokenSha256/)]);
  const copied = peopleFile('copied.json', [{ ...lena, tokenSha256: sha('demo-leadership-lena-token') }]);
  expect(peopleDirectoryProblems(copied)).toEqual([expect.stringContaining('1 people use a demo token (lena.director)')]);
});

test('under PRODUCTION_CHECKS start-up is refused with every problem and the way out; ALLOW_DEMO_PEOPLE lets a trial run go', () => {
  const demo = { PEOPLE_FILE: demoPeopleFile()! };
  expect(() => checkProductionSafety(loadConfig(demo))).not.toThrow(); // development: no checks
  expect(() => checkProductionSafety(loadConfig({ ...demo, PRODUCTION_CHECKS: 'true' }))).toThrow(
    /Refusing to start \(PRODUCTION_CHECKS=true\):\n {2}- PEOPLE_FILE is the bundled demo directory[\s\S]*ALLOW_DEMO_PEOPLE=true/,
  );
  const warnings: unknown[] = [];
  const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Parameters<typeof checkProductionSafety>[1];
  expect(() => checkProductionSafety(loadConfig({ ...demo, PRODUCTION_CHECKS: 'true', ALLOW_DEMO_PEOPLE: 'true' }), logger)).not.toThrow();
  expect(warnings).toHaveLength(2); // the directory, and /metrics off without METRICS_TOKEN
});

test("single sign-on's provider must be https under PRODUCTION_CHECKS (one on this machine may be http), trial run or not", () => {
  const good = peopleFile('sso.json', [{ ...lena, tokenSha256: sha('a-fresh-token-nobody-has-seen') }]);
  const sso = (issuer: string, extra: Record<string, string> = {}) =>
    loadConfig({ PEOPLE_FILE: good, PRODUCTION_CHECKS: 'true', METRICS_TOKEN: 'a-metrics-token-long-enough', OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'portal', OIDC_CLIENT_SECRET: 'secret', ...extra });
  expect(() => checkProductionSafety(sso('https://login.example.com/realms/agency'))).not.toThrow();
  expect(() => checkProductionSafety(sso('http://127.0.0.1:8080/realms/agency'))).not.toThrow();
  expect(() => checkProductionSafety(sso('http://keycloak:8080/realms/agency'))).toThrow(/OIDC_ISSUER http:\/\/keycloak:8080\/realms\/agency is not https/);
  expect(() => checkProductionSafety(sso('http://keycloak:8080/realms/agency', { ALLOW_DEMO_PEOPLE: 'true' }))).toThrow(/is not https/);
  expect(() => checkProductionSafety(sso('http://keycloak:8080/realms/agency', { PRODUCTION_CHECKS: 'false' }))).not.toThrow(); // development
});

test('METRICS_TOKEN must be long enough to be a secret', () => {
  expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: expected at least 16 characters/);
  expect(loadConfig({ METRICS_TOKEN: '  a-long-enough-metrics-token  ' }).METRICS_TOKEN).toBe('a-long-enough-metrics-token');
  expect(loadConfig({ METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
});
