/**
 * Safe production defaults. With PRODUCTION_CHECKS=true (docker-compose.yml sets it) the API and the
 * worker refuse to start on a people directory anyone could log in with: the bundled demo
 * directory, clear-text tokens (store `tokenSha256` digests instead), or the demo tokens under any
 * name. ALLOW_DEMO_PEOPLE=true lets a trial run go ahead anyway, with a warning.
 * Without PRODUCTION_CHECKS (the embedded `npm start`, the tests) nothing here runs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';
import type { Logger } from './logger';

/** The bundled demo directory, wherever the code runs from (sources, or dist/ in the image). */
export function demoPeopleFile(): string | undefined {
  return [path.resolve(__dirname, '..', 'config', 'people.example.json'), path.resolve(__dirname, '..', '..', 'config', 'people.example.json')].find(
    (file) => fs.existsSync(file),
  );
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function demoTokenDigests(): Set<string> {
  const file = demoPeopleFile();
  if (!file) return new Set();
  const demo = JSON.parse(fs.readFileSync(file, 'utf8')) as { people: { token?: string }[] };
  return new Set(demo.people.flatMap((p) => (p.token ? [sha256(p.token)] : [])));
}

function sameFile(a: string, b: string | undefined): boolean {
  if (!b) return false;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

const list = (ids: string[]): string => (ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', '));

/**
 * What makes this people directory unfit for production (empty when it is fine). `contents`: the
 * file as already parsed (a reload checks what it read, not a second read of a file in motion).
 */
export function peopleDirectoryProblems(peopleFile: string, contents?: unknown): string[] {
  const problems: string[] = [];
  if (sameFile(peopleFile, demoPeopleFile())) {
    problems.push(`PEOPLE_FILE is the bundled demo directory (${peopleFile}): its tokens are published in the README`);
  }
  let entries: { id?: string; token?: string; tokenSha256?: string }[] = [];
  try {
    entries = ((contents ?? JSON.parse(fs.readFileSync(peopleFile, 'utf8'))) as { people?: typeof entries }).people ?? [];
  } catch {
    return problems; // unreadable or malformed: the people directory's own loader says why
  }
  const clear = entries.filter((p) => p.token !== undefined).map((p) => String(p.id));
  if (clear.length > 0) {
    problems.push(`${clear.length} people have clear-text tokens (${list(clear)}): store "tokenSha256" (hex SHA-256 of the token) instead`);
  }
  const demo = demoTokenDigests();
  const reused = entries
    .filter((p) => (p.token !== undefined && (demo.has(sha256(p.token)) || p.token.startsWith('demo-'))) || (p.tokenSha256 !== undefined && demo.has(p.tokenSha256)))
    .map((p) => String(p.id));
  if (reused.length > 0) problems.push(`${reused.length} people use a demo token (${list(reused)})`);
  return problems;
}

export type ProductionCheckConfig = Pick<Config, 'PRODUCTION_CHECKS' | 'ALLOW_DEMO_PEOPLE' | 'METRICS_TOKEN' | 'peopleFile'> & Partial<Pick<Config, 'OIDC_ISSUER'>>;

/**
 * Single sign-on's provider reached over plain HTTP: the client secret and the ID token (who
 * someone is) would cross the network readable and forgeable. Only a provider on this machine may
 * be spoken to without TLS.
 */
export function singleSignOnProblems(config: Partial<Pick<Config, 'OIDC_ISSUER'>>): string[] {
  if (!config.OIDC_ISSUER) return [];
  const issuer = new URL(config.OIDC_ISSUER);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  return issuer.protocol === 'https:' || local ? [] : [`OIDC_ISSUER ${config.OIDC_ISSUER} is not https: the client secret and the ID token would cross the network in clear`];
}

/**
 * Under PRODUCTION_CHECKS: throws with every problem and the way out, or (ALLOW_DEMO_PEOPLE) logs
 * them as a warning. Also says that /metrics is off when no METRICS_TOKEN is set.
 */
export function checkProductionSafety(config: ProductionCheckConfig, logger?: Logger): void {
  if (!config.PRODUCTION_CHECKS) return;
  // Not a trial-run matter: ALLOW_DEMO_PEOPLE does not let it pass.
  const insecure = singleSignOnProblems(config);
  if (insecure.length > 0) throw new Error(`Refusing to start (PRODUCTION_CHECKS=true):\n${insecure.map((p) => `  - ${p}`).join('\n')}\nUse the provider's https address.`);
  const problems = peopleDirectoryProblems(config.peopleFile);
  if (problems.length > 0) {
    if (!config.ALLOW_DEMO_PEOPLE) {
      throw new Error(
        'Refusing to start (PRODUCTION_CHECKS=true):\n' +
          problems.map((p) => `  - ${p}`).join('\n') +
          '\nMount your own people directory with hashed tokens and point PEOPLE_FILE at it ' +
          '(README: "Production"), or set ALLOW_DEMO_PEOPLE=true for a trial run with public tokens.',
      );
    }
    logger?.warn({ problems }, 'ALLOW_DEMO_PEOPLE=true: running with a people directory anyone can log in with');
  }
  if (!config.METRICS_TOKEN) logger?.warn('METRICS_TOKEN is not set: /metrics is off (PRODUCTION_CHECKS=true)');
}

/**
 * What a reload of the people directory must not bring in: what `checkProductionSafety` would
 * refuse to start on (undefined when it refuses nothing: no PRODUCTION_CHECKS, or ALLOW_DEMO_PEOPLE).
 */
export function peopleReloadProblems(config: ProductionCheckConfig): ((contents: unknown) => string[]) | undefined {
  if (!config.PRODUCTION_CHECKS || config.ALLOW_DEMO_PEOPLE) return undefined;
  return (contents) => peopleDirectoryProblems(config.peopleFile, contents);
}

/** For entry points: a refusal ends the process with the message (exit 78, like a bad config). */
export function checkProductionSafetyOrExit(config: ProductionCheckConfig, logger?: Logger): void {
  try {
    checkProductionSafety(config, logger);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(78);
  }
}
