/**
 * Reading docker-compose.yml the way Compose does (YAML with merge keys, then interpolation), for
 * the schema test (test/infra/compose.test.ts) and for the production topology run here without
 * Docker (test/production/stack.ts), which takes its server environment, its one-shot scripts and
 * the app's environment from this file instead of keeping copies.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..');
export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

export type EnvValue = string | number | boolean | null;

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: unknown[];
  volumes?: unknown[];
  restart?: string;
  [key: string]: unknown;
}

export interface ComposeDoc {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

export function readComposeDoc(file = COMPOSE_FILE): ComposeDoc {
  return parseYaml(fs.readFileSync(file, 'utf8'), { merge: true }) as ComposeDoc;
}

export const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compose's interpolation of one string: `$$`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(VARIABLE, (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = env[name];
    switch (op) {
      case ':-':
        return value ? value : (arg ?? '');
      case '-':
        return value ?? arg ?? '';
      case ':?':
        if (!value) throw new Error(`required variable ${name} is missing: ${arg}`);
        return value;
      case '?':
        if (value === undefined) throw new Error(`required variable ${name} is missing: ${arg}`);
        return value;
      default:
        return value ?? '';
    }
  });
}

export function interpolateDeep<T>(value: T, env: Record<string, string | undefined>): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => interpolateDeep(v, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env)])) as T;
  }
  return value;
}

/** Every `${...}` reference in the file: name, operator and argument. */
export function variableReferences(text: string): { name: string; op?: string; arg?: string }[] {
  return [...text.matchAll(VARIABLE)]
    .filter((m) => m[0] !== '$$' && m[1] !== undefined)
    .map((m) => ({ name: m[1], op: m[2], arg: m[3] }));
}

export function environmentOf(service: ComposeService): Record<string, EnvValue> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(
    env.map((entry) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? [entry, null] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }),
  );
}

/**
 * What a container's process sees: interpolated values, and value-less keys taken from the host
 * environment when set there and left out otherwise (Compose's pass-through).
 */
export function containerEnv(service: ComposeService, hostEnv: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(environmentOf(service))) {
    if (value === null) {
      if (hostEnv[key] !== undefined) result[key] = hostEnv[key] as string;
    } else {
      result[key] = interpolate(String(value), hostEnv);
    }
  }
  return result;
}

export function dependencies(service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d.condition]));
}

/** The shell script a one-shot service runs (`entrypoint: ["/bin/sh", "-c"]`, the script as command). */
export function scriptOf(service: ComposeService): string {
  if (JSON.stringify(service.entrypoint) !== JSON.stringify(['/bin/sh', '-c'])) {
    throw new Error(`expected entrypoint ["/bin/sh", "-c"], got ${JSON.stringify(service.entrypoint)}`);
  }
  const command = service.command;
  if (!Array.isArray(command) || command.length !== 1) throw new Error('expected the script as the only command item');
  return command[0];
}
