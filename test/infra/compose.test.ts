/**
 * The production stack, checked without a Docker engine: docker-compose.yml must be a valid
 * Compose file (the Compose specification's own JSON schema, vendored beside this file), give the
 * app only variables that common/config.ts accepts and can parse, register every search attribute
 * of workflows/search-attributes.ts with its type, start in order and pin its images; the Dockerfile
 * must build what tsconfig.build.json compiles and run what the compose file expects. The namespace
 * setup script also runs for real against the test run's dev server, with the same Temporal CLI.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { envSchema, loadConfig } from '../../common/config';
import { parse as parseYaml } from 'yaml';
import { TEMPORAL_SERVER_VERSION } from '../../common/temporal-server';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import {
  COMPOSE_FILE,
  ROOT,
  containerEnv,
  dependencies,
  environmentOf,
  interpolate,
  interpolateDeep,
  readComposeDoc,
  scriptOf as scriptOfService,
  variableReferences,
  type ComposeService,
} from '../support/compose';

const DOCKERFILE = path.join(ROOT, 'Dockerfile');
const execFileAsync = promisify(execFile);

/** Values the secrets take in these tests (they have no default on purpose). */
const TEST_HOST_ENV: Record<string, string> = { POSTGRES_PASSWORD: 'test-only-password' };

/** Keys given to a service that common/config.ts does not accept. */
function unknownAppVariables(env: Record<string, unknown>): string[] {
  const known = new Set(Object.keys(envSchema.shape));
  return Object.keys(env).filter((key) => !known.has(key));
}

/** The shell script a one-shot service runs (`entrypoint: ["/bin/sh", "-c"]`, the script as command). */
function scriptOf(service: ComposeService): string {
  expect(service.entrypoint).toEqual(['/bin/sh', '-c']);
  return scriptOfService(service);
}

// ---------------------------------------------------------------------------------------------
// The Compose specification's JSON schema.
// ---------------------------------------------------------------------------------------------

function composeValidator() {
  // strictTypes off: the upstream schema uses union types and one untyped `additionalProperties`.
  const ajv = new Ajv2019({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  // Compose's own format: a port or port range with an optional protocol.
  ajv.addFormat('expose', /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/);
  // The schema still carries draft-04 style `id` annotations, which Ajv rejects by default;
  // Compose's validator ignores them, and so do we.
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'compose-spec.schema.json'), 'utf8')) as object;
  return ajv.compile(schema);
}

// ---------------------------------------------------------------------------------------------
// Search attributes: the SDK's type names and the CLI's.
// ---------------------------------------------------------------------------------------------

const CLI_TYPE: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** Fixed custom-attribute slots of SQL visibility (PostgreSQL, MySQL, SQLite) per namespace. */
const SQL_VISIBILITY_SLOTS: Record<string, number> = {
  Keyword: 10,
  Bool: 3,
  Datetime: 3,
  Double: 3,
  Int: 3,
  Text: 3,
  KeywordList: 3,
};

function expectedSearchAttributes(): Record<string, string> {
  return Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, CLI_TYPE[key.type]]));
}

function parseSpecs(specs: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const spec of specs.split(/\s+/).filter(Boolean)) {
    const [name, type] = spec.split('=');
    if (!name || !type) throw new Error(`malformed search attribute spec "${spec}"`);
    if (name in result) throw new Error(`search attribute ${name} listed twice`);
    result[name] = type;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const raw = fs.readFileSync(COMPOSE_FILE, 'utf8');
  const doc = readComposeDoc();
  const resolved = interpolateDeep(doc, TEST_HOST_ENV);
  const { services } = resolved;

  describe('against the Compose specification schema', () => {
    const validate = composeValidator();

    it('is a valid Compose file once interpolated', () => {
      const valid = validate(resolved);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });

    it('rejects a broken copy (unknown service key, unknown depends_on condition)', () => {
      const broken = structuredClone(resolved);
      (broken.services.worker as Record<string, unknown>).comand = ['node', 'dist/worker/main.js'];
      (broken.services.api.depends_on as Record<string, { condition: string }>)['temporal-setup'].condition = 'service_done';
      expect(validate(broken)).toBe(false);
      const messages = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
      expect(messages).toEqual(
        expect.arrayContaining([
          '/services/worker must NOT have additional properties',
          '/services/api/depends_on/temporal-setup/condition must be equal to one of the allowed values',
        ]),
      );
    });
  });

  describe('variables', () => {
    it('gives every variable a default or, for secrets, a required-with-message form', () => {
      const bare = variableReferences(raw).filter((ref) => ref.op === undefined);
      expect(bare).toEqual([]);
      const required = variableReferences(raw).filter((ref) => ref.op === ':?' || ref.op === '?');
      expect(new Set(required.map((r) => r.name))).toEqual(new Set(['POSTGRES_PASSWORD']));
    });

    it('refuses to interpolate without POSTGRES_PASSWORD (no default for the secret)', () => {
      expect(() => interpolateDeep(doc, {})).toThrow(/POSTGRES_PASSWORD/);
    });

    it('interpolates like Compose', () => {
      expect(interpolate('${A:-x}|${B-y}|$${C}|$$HOME|${D}', { A: '', B: '' })).toBe('x||${C}|$HOME|');
      expect(() => interpolate('${S:?set S}', {})).toThrow('set S');
    });
  });

  describe('api and worker', () => {
    it('are both defined and built from the one Dockerfile', () => {
      expect(services.api).toBeDefined();
      expect(services.worker).toBeDefined();
      expect(services.api.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      expect(services.worker.build).toEqual(services.api.build);
      expect(services.api.image).toBeUndefined();
    });

    it('differ only in command, ports, healthcheck and CPU share', () => {
      const mayDiffer = new Set(['command', 'ports', 'healthcheck', 'cpu_shares']);
      const keys = new Set([...Object.keys(services.api), ...Object.keys(services.worker)]);
      for (const key of keys) {
        if (mayDiffer.has(key)) continue;
        expect([key, services.worker[key]]).toEqual([key, services.api[key]]);
      }
      expect(services.api.command).toEqual(['node', 'dist/api/main.js']);
      expect(services.worker.command).toEqual(['node', 'dist/worker/main.js']);
    });

    it('the worker and Temporal yield the CPU to the API and the databases when it is short', () => {
      const weight = (name: string) => Number(services[name].cpu_shares ?? 1024); // Docker's default weight
      for (const background of ['worker', 'temporal']) {
        for (const interactive of ['api', 'postgresql']) expect([background, weight(background) < weight(interactive)]).toEqual([background, true]);
      }
    });

    it('pass only variables that common/config.ts accepts', () => {
      for (const name of ['api', 'worker']) {
        expect([name, unknownAppVariables(environmentOf(services[name]))]).toEqual([name, []]);
      }
    });

    it('would report a variable the app does not know', () => {
      expect(unknownAppVariables({ ...environmentOf(services.api), TEMPORAL_ADRESS: 'temporal:7233' })).toEqual([
        'TEMPORAL_ADRESS',
      ]);
    });

    it('configure an app that loads, with defaults resolved and nothing else set', () => {
      const env = containerEnv(doc.services.api, TEST_HOST_ENV);
      const config = loadConfig(env, '/app');
      expect(config.embeddedTemporal).toBe(false);
      expect(config.temporalAddress).toBe('temporal:7233');
      expect(config.TEMPORAL_NAMESPACE).toBe('default');
      expect(config.TEMPORAL_TASK_QUEUE).toBe('agencyflow');
      expect(config.API_HOST).toBe('0.0.0.0');
      expect(config.dataDir).toBe('/app/data');
      expect(config.documentsDir).toBe('/app/data/documents');
      expect(config.peopleFile).toBe('/app/config/people.example.json');
      expect(config.WORKFLOW_BUNDLE_PATH).toBe('/app/dist/workflow-bundle.js');
    });

    it('refuse unsafe people directories unless a trial says so, and keep /metrics behind a token', () => {
      const config = loadConfig(containerEnv(doc.services.api, TEST_HOST_ENV), '/app');
      expect(config.PRODUCTION_CHECKS).toBe(true);
      expect(config.ALLOW_DEMO_PEOPLE).toBe(false);
      expect(config.METRICS_TOKEN).toBeUndefined();
      expect(environmentOf(doc.services.api).METRICS_TOKEN).toBeNull(); // passed through, never in the file
      const trial = loadConfig(containerEnv(doc.services.api, { ...TEST_HOST_ENV, ALLOW_DEMO_PEOPLE: 'true', METRICS_TOKEN: 'scrape-token-0123456789' }), '/app');
      expect(trial.ALLOW_DEMO_PEOPLE).toBe(true);
      expect(trial.METRICS_TOKEN).toBe('scrape-token-0123456789');
    });

    it('pass secrets and optional settings through from the host when set', () => {
      const host = { ...TEST_HOST_ENV, SMTP_PASSWORD: 'smtp-secret', ESCALATION_EMAIL: 'ops@agency.example', TEMPORAL_NAMESPACE: 'agency' };
      const config = loadConfig(containerEnv(doc.services.worker, host), '/app');
      expect(config.SMTP_PASSWORD).toBe('smtp-secret');
      expect(config.ESCALATION_EMAIL).toBe('ops@agency.example');
      expect(config.TEMPORAL_NAMESPACE).toBe('agency');
    });

    it('share the documents volume at DATA_DIR', () => {
      const env = containerEnv(doc.services.api, TEST_HOST_ENV);
      for (const name of ['api', 'worker']) {
        expect(services[name].volumes).toContain(`documents:${env.DATA_DIR}`);
      }
      expect(Object.keys(resolved.volumes ?? {})).toContain('documents');
    });

    it('publish the API port the app listens on', () => {
      const env = containerEnv(doc.services.api, TEST_HOST_ENV);
      expect(services.api.ports).toEqual([`3000:${env.API_PORT}`]);
      expect(services.worker.ports).toBeUndefined();
    });
  });

  describe('Temporal', () => {
    it('uses the official images, pinned, with the server at 1.27 or later', () => {
      const images = Object.entries(services)
        .filter(([, s]) => s.image !== undefined)
        .map(([name, s]) => [name, s.image as string] as const);
      for (const [name, image] of images) {
        const match = /^([a-z0-9./_-]+):([A-Za-z0-9._-]+)(@sha256:[a-f0-9]{64})?$/.exec(image);
        expect([name, image, match !== null]).toEqual([name, image, true]);
        expect([name, match?.[2]]).not.toEqual([name, 'latest']);
      }
      const byRepo = (repo: string) => images.filter(([, image]) => image.startsWith(`${repo}:`)).map(([, image]) => image);
      const [server] = byRepo('temporalio/server');
      const serverVersion = /^temporalio\/server:(\d+)\.(\d+)\.(\d+)$/.exec(server ?? '');
      expect(serverVersion).not.toBeNull();
      const [major, minor] = [Number(serverVersion?.[1]), Number(serverVersion?.[2])];
      expect(major > 1 || (major === 1 && minor >= 27)).toBe(true);
      const adminTools = byRepo('temporalio/admin-tools');
      expect(adminTools.length).toBeGreaterThanOrEqual(1);
      for (const image of adminTools) {
        expect(image.split(':')[1].split('-')[0]).toBe(`${serverVersion?.[1]}.${serverVersion?.[2]}.${serverVersion?.[3]}`);
      }
      expect(byRepo('temporalio/ui')).toHaveLength(1);
      expect(byRepo('temporalio/auto-setup')).toEqual([]);
      expect(byRepo('postgres')).toHaveLength(1);
      expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    });

    it('starts in order: healthy database, schema, healthy server, namespace setup, then the app', () => {
      expect(dependencies(services['temporal-schema'])).toEqual({ postgresql: 'service_healthy' });
      expect(dependencies(services.temporal)).toEqual({ 'temporal-schema': 'service_completed_successfully' });
      expect(dependencies(services['temporal-setup'])).toEqual({ temporal: 'service_healthy' });
      expect(dependencies(services['temporal-ui'])).toEqual({ temporal: 'service_healthy' });
      expect(dependencies(services.api)).toEqual({ 'temporal-setup': 'service_completed_successfully' });
      expect(dependencies(services.worker)).toEqual(dependencies(services.api));
    });

    it('has a healthcheck on every service something waits to be healthy, and one-shots that do not restart', () => {
      for (const [name, service] of Object.entries(services)) {
        for (const [target, condition] of Object.entries(dependencies(service))) {
          expect([name, target, target in services]).toEqual([name, target, true]);
          if (condition === 'service_healthy') {
            expect([target, Boolean(services[target].healthcheck?.test) && !services[target].healthcheck?.disable]).toEqual([target, true]);
          }
          if (condition === 'service_completed_successfully') {
            expect([target, services[target].restart ?? 'no']).toEqual([target, 'no']);
          }
        }
      }
    });

    it('sets up both databases with the postgres12 schema tool', () => {
      const schema = services['temporal-schema'];
      expect(schema.image).toMatch(/^temporalio\/admin-tools:/);
      expect(schema.environment).toMatchObject({ SQL_PLUGIN: 'postgres12', SQL_HOST: 'postgresql' });
      const script = scriptOf(schema);
      for (const db of ['temporal', 'temporal_visibility']) {
        expect(script).toMatch(new RegExp(`create_database ${db}\\n`));
        expect(script).toContain(`temporal-sql-tool --db ${db} setup-schema -v 0.0`);
      }
      expect(script).toContain('temporal-sql-tool --db temporal update-schema -d "$SCHEMA_DIR/temporal/versioned"');
      expect(script).toContain('temporal-sql-tool --db temporal_visibility update-schema -d "$SCHEMA_DIR/visibility/versioned"');
      expect(schema.environment).toMatchObject({ SCHEMA_DIR: '/etc/temporal/schema/postgresql/v12' });
    });

    it('registers every search attribute of workflows/search-attributes.ts with its type, and no other', () => {
      const setup = services['temporal-setup'];
      const specs = parseSpecs(String(environmentOf(setup).SEARCH_ATTRIBUTE_SPECS));
      expect(specs).toEqual(expectedSearchAttributes());
      expect(scriptOf(setup)).toContain('temporal operator search-attribute create --namespace "$ns" --name "$name" --type "$type"');
      expect(scriptOf(setup)).toContain('for spec in $SEARCH_ATTRIBUTE_SPECS');
    });

    it('would notice a search attribute registered with the wrong type', () => {
      const specs = parseSpecs(String(environmentOf(services['temporal-setup']).SEARCH_ATTRIBUTE_SPECS).replace('DueAt=Datetime', 'DueAt=Keyword'));
      expect(specs).not.toEqual(expectedSearchAttributes());
    });

    it('fits the fixed search attribute slots of PostgreSQL visibility', () => {
      const counts: Record<string, number> = {};
      for (const type of Object.values(expectedSearchAttributes())) counts[type] = (counts[type] ?? 0) + 1;
      for (const [type, count] of Object.entries(counts)) {
        expect([type, count <= SQL_VISIBILITY_SLOTS[type]]).toEqual([type, true]);
      }
    });

    it('pins the server version test:production builds and runs (common/temporal-server.ts)', () => {
      expect(services.temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
      for (const name of ['temporal-schema', 'temporal-setup']) {
        expect([name, services[name].image]).toEqual([name, `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`]);
      }
    });

    it('exports the server\'s Prometheus metrics inside the network only, and loads our dynamic config', () => {
      const env = containerEnv(doc.services.temporal, TEST_HOST_ENV);
      expect(env.PROMETHEUS_ENDPOINT).toMatch(/^0\.0\.0\.0:\d+$/);
      const metricsPort = env.PROMETHEUS_ENDPOINT.split(':')[1];
      expect(JSON.stringify(services.temporal.ports)).not.toContain(`:${metricsPort}`);
      const mount = (services.temporal.volumes ?? []).find((v) => typeof v === 'string' && v.split(':')[1] === env.DYNAMIC_CONFIG_FILE_PATH) as string;
      expect(mount).toBeDefined();
      const hostFile = path.resolve(ROOT, mount.split(':')[0]);
      expect(fs.existsSync(hostFile)).toBe(true);
      expect(parseYaml(fs.readFileSync(hostFile, 'utf8'))).toMatchObject({ 'frontend.enableUpdateWorkflowExecution': [{ value: true }] });
    });

    it('checks the server\'s health with what its image has (busybox wget, no Temporal CLI) on the frontend HTTP port', () => {
      const test = services.temporal.healthcheck?.test as string[];
      expect(test[0]).toBe('CMD-SHELL');
      expect(test[1]).toMatch(/^wget -q -O \/dev\/null http:\/\/127\.0\.0\.1:7243\/api\/v1\/cluster-info$/);
      expect(containerEnv(doc.services.temporal, TEST_HOST_ENV).BIND_ON_IP).toBe('0.0.0.0');
    });

    it('sets the namespace the app uses, with a retention the app itself would accept', () => {
      const setupEnv = containerEnv(doc.services['temporal-setup'], TEST_HOST_ENV);
      const appEnv = containerEnv(doc.services.api, TEST_HOST_ENV);
      expect(setupEnv.TEMPORAL_NAMESPACE).toBe(appEnv.TEMPORAL_NAMESPACE);
      expect(envSchema.shape.TEMPORAL_RETENTION.parse(setupEnv.TEMPORAL_RETENTION)).toBe(365 * 86_400_000);
      expect(scriptOf(services['temporal-setup'])).toContain('--retention "$TEMPORAL_RETENTION"');
    });
  });

  describe('the namespace setup script, run against the test dev server', () => {
    const address = process.env.AGENCYFLOW_TEST_TEMPORAL_ADDRESS;
    const cli = process.env.AGENCYFLOW_TEST_TEMPORAL_CLI;
    // Needs the run's dev server and a CLI binary (test/global-setup.ts provides both).
    const itWithServer = address && cli ? it : it.skip;

    async function runSetup(namespace: string, binDir: string) {
      const env = {
        ...process.env,
        ...containerEnv(doc.services['temporal-setup'], TEST_HOST_ENV),
        PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: namespace,
      };
      return execFileAsync('sh', ['-c', scriptOf(services['temporal-setup'])], {
        env,
        timeout: 90_000,
      });
    }

    itWithServer('creates the namespace with its retention and all search attributes, and can run again', async () => {
      // The script calls `temporal`: give it that name whatever the binary is called.
      const binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-cli-'));
      fs.symlinkSync(cli as string, path.join(binDir, 'temporal'));
      const namespace = `compose-${Date.now().toString(36)}`;
      try {
        const first = await runSetup(namespace, binDir);
        expect(first.stdout).toContain(`namespace ${namespace} is ready`);
        const second = await runSetup(namespace, binDir);
        expect(second.stdout).toContain(`namespace ${namespace}: exists`);

        const temporal = (...args: string[]) =>
          execFileAsync(cli as string, [...args, '--address', address as string, '--namespace', namespace, '--output', 'json']);
        const listed = JSON.parse((await temporal('operator', 'search-attribute', 'list')).stdout) as {
          customAttributes: Record<string, string>;
        };
        const expected = Object.fromEntries(
          ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, `INDEXED_VALUE_TYPE_${key.type}`]),
        );
        expect(listed.customAttributes).toMatchObject(expected);
        const described = JSON.parse((await temporal('operator', 'namespace', 'describe')).stdout) as {
          config: { workflowExecutionRetentionTtl: string };
        };
        expect(described.config.workflowExecutionRetentionTtl).toBe(`${365 * 86_400}s`);
      } finally {
        fs.rmSync(binDir, { recursive: true, force: true });
      }
    });
  });
});

describe('Dockerfile', () => {
  const text = fs.readFileSync(DOCKERFILE, 'utf8');
  const lines = text.split('\n').map((l) => l.trim());
  const argDefaults = Object.fromEntries(
    lines.flatMap((l) => {
      const m = /^ARG (\w+)=(\S+)$/.exec(l);
      return m ? [[m[1], m[2]]] : [];
    }),
  );
  const fromImages = lines
    .filter((l) => l.startsWith('FROM '))
    .map((l) => l.split(/\s+/)[1].replace(/^\$\{(\w+)\}$/, (_, name: string) => argDefaults[name] ?? ''));
  const compose = readComposeDoc();

  it('builds on a Debian-based image of a current Node LTS line (22 or 24), never Alpine', () => {
    expect(fromImages.length).toBeGreaterThanOrEqual(2);
    for (const image of fromImages) {
      expect(image).toMatch(/^node:(22|24)[\w.-]*-(bookworm|bullseye|trixie)(-slim)?(@sha256:[a-f0-9]{64})?$/);
      expect(image).not.toMatch(/alpine/);
    }
  });

  it('copies everything tsconfig.build.json compiles', () => {
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const dir of build.include) {
      expect([dir, text.includes(`COPY ${dir} ./${dir}`)]).toEqual([dir, true]);
    }
    expect(text).toMatch(/RUN npm ci(\s|$)/);
    expect(text).toContain('RUN npm run build');
    expect(text).toMatch(/RUN npm ci --omit=dev/);
  });

  it('runs as `node`, starts the API by default and puts the bundle where the compose file says', () => {
    expect(lines).toContain('USER node');
    const cmd = lines.filter((l) => l.startsWith('CMD ')).pop();
    expect(JSON.parse((cmd ?? '').slice(4))).toEqual(compose.services.api.command);
    expect(text).toContain(`WORKFLOW_BUNDLE_PATH=${String(environmentOf(compose.services.api).WORKFLOW_BUNDLE_PATH)}`);
    expect(lines).toContain(`EXPOSE ${String(environmentOf(compose.services.api).API_PORT)}`);
    expect(text).toMatch(/HEALTHCHECK[\s\S]*CMD \["node", "-e", "[^\n]*\/healthz/);
  });

  it('has a .dockerignore that keeps local state out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', 'data', '.tools', '.cache', '.git', 'coverage']) {
      expect(ignored).toContain(entry);
    }
  });
});
