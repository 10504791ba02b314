/**
 * The production topology of docker-compose.yml, run on this machine without Docker:
 *
 *   postgresql       Debian's PostgreSQL in a temporary folder, a free port, a password
 *   temporal-schema  the compose file's own script, run with the sql tool of the pinned server
 *   temporal         `temporal-server start` of the pinned version with the compose file's
 *                    environment (the image's entrypoint does exactly this), ports moved
 *   temporal-setup   the compose file's own script, run with the Temporal CLI
 *   api, worker      `npm run api` and `npm run worker` as separate processes with the compose
 *                    file's app environment (x-app-environment)
 *
 * Nothing is copied from the compose file: environments and scripts are read from it, and only
 * values that name a place inside the containers (addresses, ports, paths) are substituted, each
 * named below; if the compose file stops setting one of them, the stack refuses to start.
 * Used by `npm run test:production`, `npm run test:chaos` and `npm run test:backup`.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli } from '../../common/temporal-cli';
import { ensureTemporalServerTools, type TemporalServerTools } from '../../common/temporal-server';
import { resolveWorkflowBundle } from '../../common/workflow-bundle';
import { writePeopleFile, type PersonKey, type TestPerson } from '../support/api';
import {
  ROOT,
  containerEnv,
  environmentOf,
  interpolateDeep,
  readComposeDoc,
  scriptOf,
  type ComposeDoc,
  type ComposeService,
} from '../support/compose';
import { startPostgres, type Postgres } from './postgres';
import { freePorts, registerCleanup, runToEnd, startProcess, tail, waitFor, type ManagedProcess } from './processes';

type Say = (message: string) => void;

export interface StackOptions {
  /** Working folder (data, logs); default: a new temporary folder, removed by stop(). */
  dir?: string;
  say?: Say;
  /**
   * Settings the compose file passes through from the host (SMTP_HOST, LOG_LEVEL, POLICY_*...):
   * only keys x-app-environment lists without a value are accepted.
   */
  passThrough?: Record<string, string>;
  /** Keep the working folder after stop() (logs for a post-mortem). */
  keep?: boolean;
  /** Restore these `pg_dump -Fc` files (one per database, `<database>.dump`) into the new PostgreSQL first. */
  restoreFrom?: string;
  /** Use this people directory (e.g. the one of the stack a backup came from) instead of a new one. */
  people?: { file: string; tokensFile: string };
  /**
   * Run the app as the image does instead of `npm run api|worker`: the compose services' own
   * `command` (`node dist/api/main.js`...) in this folder, which holds what the Dockerfile's
   * runtime stage holds (test/production/image.ts builds it).
   */
  imageDir?: string;
  /** The image's own ENV (the Dockerfile's runtime stage), under the compose environment as in a container. */
  imageEnv?: Record<string, string>;
}

/** Values in x-app-environment that name a place inside the containers, and what they become here. */
const APP_HOST_SPECIFIC = [
  'TEMPORAL_ADDRESS',
  'WORKFLOW_BUNDLE_PATH',
  'WORKER_HEALTH_PORT',
  'API_HOST',
  'API_PORT',
  'DATA_DIR',
  'DOCUMENTS_DIR',
  'PEOPLE_FILE',
] as const;

/** The same for the temporal service (the rest of its environment is used as written). */
const SERVER_HOST_SPECIFIC = ['POSTGRES_SEEDS', 'DB_PORT', 'BIND_ON_IP', 'PROMETHEUS_ENDPOINT', 'DYNAMIC_CONFIG_FILE_PATH'] as const;

/** Ports a container has to itself; here each gets a free one. */
const SERVER_PORTS = [
  'FRONTEND_GRPC_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
] as const;

/** Variables of this machine the child processes need; nothing else of ours leaks into them. */
function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'npm_config_cache', 'GOTOOLCHAIN'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

function requireKeys(service: string, env: Record<string, unknown>, keys: readonly string[]): void {
  const missing = keys.filter((k) => !(k in env));
  if (missing.length > 0) {
    throw new Error(`docker-compose.yml no longer sets ${missing.join(', ')} for ${service}: update test/production/stack.ts to match`);
  }
}

/** The host file a container path is bind-mounted from (`./x:/container/path[:ro]`). */
function boundHostPath(service: ComposeService, containerPath: string): string {
  for (const volume of service.volumes ?? []) {
    if (typeof volume !== 'string') continue;
    const [host, target] = volume.split(':');
    if (target === containerPath && (host.startsWith('./') || host.startsWith('/'))) return path.resolve(ROOT, host);
  }
  throw new Error(`docker-compose.yml mounts nothing at ${containerPath}`);
}

export class ProductionStack {
  readonly dir: string;
  readonly say: Say;
  readonly postgresPassword = `pg-${randomBytes(12).toString('hex')}`;
  readonly metricsToken = `metrics-${randomBytes(16).toString('hex')}`;
  readonly compose: ComposeDoc;
  readonly resolved: ComposeDoc;
  postgres!: Postgres;
  tools!: TemporalServerTools;
  /** A folder on PATH for the compose scripts: temporal, temporal-sql-tool, temporal-server. */
  binDir!: string;
  bundlePath!: string;
  ports!: Record<(typeof SERVER_PORTS)[number] | 'PROMETHEUS' | 'POSTGRES' | 'API', number>;
  people!: Record<PersonKey, TestPerson>;
  peopleFile!: string;
  /** The clear tokens of `people`, for the HTTP tests (AGENCYFLOW_API_PEOPLE). */
  peopleTokensFile!: string;
  server?: ManagedProcess;
  api?: ManagedProcess;
  readonly workers = new Map<string, { process: ManagedProcess; healthPort: number }>();
  private readonly passThrough: Record<string, string>;
  private readonly options: StackOptions;
  private readonly keep: boolean;
  private readonly ownsDir: boolean;
  private unregister?: () => void;

  private constructor(options: StackOptions) {
    this.options = options;
    this.ownsDir = !options.dir;
    this.dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-production-'));
    // PostgreSQL runs as `postgres` under root and must be able to reach its folder below this one.
    fs.chmodSync(this.dir, 0o755);
    this.say = options.say ?? ((m) => process.stderr.write(`${m}\n`));
    this.keep = options.keep ?? process.env.AGENCYFLOW_KEEP_STACK === '1';
    this.compose = readComposeDoc();
    this.hostEnv = { POSTGRES_PASSWORD: this.postgresPassword };
    this.resolved = interpolateDeep(this.compose, this.hostEnv);
    const appKeys = environmentOf(this.compose.services.api);
    for (const key of Object.keys(options.passThrough ?? {})) {
      if (appKeys[key] !== null) throw new Error(`${key} is not a pass-through setting of x-app-environment in docker-compose.yml`);
    }
    this.passThrough = { METRICS_TOKEN: this.metricsToken, ...options.passThrough };
    if (this.ownsDir && !this.keep) this.unregister = registerCleanup(() => fs.rmSync(this.dir, { recursive: true, force: true }));
  }

  /** Host values for the compose file's own interpolation (secrets without defaults). */
  private readonly hostEnv: Record<string, string>;

  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.FRONTEND_GRPC_PORT}`;
  }
  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.API}`;
  }
  /** The reporting store's URL as the app's processes get it (a database on this PostgreSQL). */
  get reportingUrl(): string | undefined {
    return this.appEnv({}).REPORTING_DATABASE_URL;
  }
  get temporalMetricsUrl(): string {
    return `http://127.0.0.1:${this.ports.PROMETHEUS}/metrics`;
  }
  get documentsDir(): string {
    return path.join(this.dir, 'app-data', 'documents');
  }
  log(name: string): string {
    return path.join(this.dir, 'logs', `${name}.log`);
  }

  /** Everything up to a ready API and one polling worker. */
  static async start(options: StackOptions = {}): Promise<ProductionStack> {
    const stack = new ProductionStack(options);
    try {
      await stack.prepare();
      await stack.startDatabase();
      if (options.restoreFrom) stack.restoreDatabases(options.restoreFrom);
      await stack.runSchemaScript();
      await stack.startTemporal();
      await stack.runSetupScript();
      await stack.startWorker('worker-1');
      await stack.startApi();
    } catch (err) {
      await stack.stop().catch(() => undefined);
      throw err;
    }
    return stack;
  }

  /**
   * PostgreSQL and the Temporal server on it, set up as the compose stack sets them up, without
   * the app's processes: for `npm run bench -- --production-topology`, which runs its own.
   */
  static async startCluster(options: StackOptions = {}): Promise<ProductionStack> {
    const stack = new ProductionStack(options);
    try {
      await stack.prepare();
      await stack.startDatabase();
      await stack.runSchemaScript();
      await stack.startTemporal();
      await stack.runSetupScript();
    } catch (err) {
      await stack.stop().catch(() => undefined);
      throw err;
    }
    return stack;
  }

  /** Binaries, the workflow bundle, ports and the people directory. */
  async prepare(): Promise<void> {
    const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      const result = await fn();
      this.say(`  ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return result;
    };
    const cli = findTemporalCli();
    if (!cli || cli.kind !== 'binary') throw new Error('no Temporal CLI: run `npm run temporal:ensure` first (the setup script needs it)');
    this.tools = await timed(`Temporal server ${'tools'}`, () => ensureTemporalServerTools({ say: this.say }));
    // Built once here: two workers starting at once must not race to build it.
    this.bundlePath = await timed('workflow bundle', () => resolveWorkflowBundle());

    this.binDir = path.join(this.dir, 'bin');
    fs.mkdirSync(this.binDir, { recursive: true });
    fs.mkdirSync(path.join(this.dir, 'logs'), { recursive: true });
    // The names the images give them, which the compose scripts call.
    fs.symlinkSync(cli.path, path.join(this.binDir, 'temporal'));
    fs.symlinkSync(this.tools.sqlTool, path.join(this.binDir, 'temporal-sql-tool'));
    fs.symlinkSync(this.tools.server, path.join(this.binDir, 'temporal-server'));

    const names = [...SERVER_PORTS, 'PROMETHEUS', 'POSTGRES', 'API'] as const;
    // Below 32768: the membership table keeps ports in a smallint.
    const ports = await freePorts(names.length, { below: 32_768 });
    this.ports = Object.fromEntries(names.map((n, i) => [n, ports[i]])) as typeof this.ports;

    const peopleDir = path.join(this.dir, 'people');
    fs.mkdirSync(peopleDir, { recursive: true });
    if (this.options.people) {
      this.peopleFile = path.join(peopleDir, 'people.json');
      this.peopleTokensFile = path.join(peopleDir, 'tokens.json');
      fs.copyFileSync(this.options.people.file, this.peopleFile);
      fs.copyFileSync(this.options.people.tokensFile, this.peopleTokensFile);
      this.people = JSON.parse(fs.readFileSync(this.peopleTokensFile, 'utf8')) as Record<PersonKey, TestPerson>;
    } else {
      const written = writePeopleFile(peopleDir, { production: true });
      this.people = written.people;
      this.peopleFile = written.file;
      this.peopleTokensFile = path.join(peopleDir, 'tokens.json');
      fs.writeFileSync(this.peopleTokensFile, JSON.stringify(this.people, null, 2), { mode: 0o600 });
    }
  }

  /** The databases of the compose stack: Temporal's two, and the app's reporting store when it has one. */
  databases(): string[] {
    const env = containerEnv(this.compose.services.temporal, this.hostEnv);
    requireKeys('temporal', env, ['DBNAME', 'VISIBILITY_DBNAME']);
    const reporting = containerEnv(this.compose.services.api, this.hostEnv).REPORTING_DATABASE_URL;
    return [env.DBNAME, env.VISIBILITY_DBNAME, ...(reporting ? [new URL(reporting).pathname.slice(1)] : [])];
  }

  /** `pg_dump -Fc` of every database into `dir/<database>.dump` (online: the server keeps running). */
  dumpDatabases(dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    return this.databases().map((db) => {
      const file = path.join(dir, `${db}.dump`);
      this.postgres.client('pg_dump', ['-Fc', '-d', db, '-f', file]);
      return file;
    });
  }

  /**
   * The README's restore, command for command, into this (new) PostgreSQL: the postgres image
   * creates an empty database named after POSTGRES_USER on first start (here: created the same
   * way), which is dropped before `pg_restore --create` of every `<database>.dump` in `dir`. Then
   * the dumped server's ring membership is emptied: its rows, heartbeats seconds old, send the new
   * server's ringpop to join addresses nobody answers on (once past its 30 s limit: a fatal start).
   * And the portal's sessions and the clients' links are ended (as the README's runbook does).
   */
  restoreDatabases(dir: string): void {
    this.postgres.client('createdb', [this.postgres.user]);
    for (const db of this.databases()) {
      this.postgres.client('dropdb', ['--if-exists', db]);
      this.postgres.client('pg_restore', ['--create', '--exit-on-error', '-d', 'postgres', path.join(dir, `${db}.dump`)]);
    }
    const [temporalDb, , reportingDb] = this.databases();
    this.postgres.client('psql', ['-v', 'ON_ERROR_STOP=1', '-d', temporalDb, '-c', 'DELETE FROM cluster_membership']);
    // Portal sessions come back as they were at the dump, signed-out ones too, and client links
    // renewed since would open again: the runbook ends them all.
    if (reportingDb) {
      this.postgres.client('psql', ['-v', 'ON_ERROR_STOP=1', '-d', reportingDb, '-c', "DELETE FROM reporting.portal_sessions; DELETE FROM reporting.secrets WHERE name = 'client-links'"]);
    }
    this.say(`  restored ${this.databases().join(', ')} from ${dir}`);
  }

  async startDatabase(): Promise<void> {
    const env = containerEnv(this.compose.services.postgresql, this.hostEnv);
    this.postgres = await startPostgres({
      dir: path.join(this.dir, 'postgresql'),
      port: this.ports.POSTGRES,
      user: env.POSTGRES_USER,
      password: env.POSTGRES_PASSWORD,
    });
    this.say(`  PostgreSQL on 127.0.0.1:${this.ports.POSTGRES} (${this.postgres.binDir})`);
  }

  private scriptEnv(service: string, overrides: Record<string, string>): NodeJS.ProcessEnv {
    const env = containerEnv(this.compose.services[service], this.hostEnv);
    requireKeys(service, env, Object.keys(overrides).filter((k) => k !== 'PATH'));
    return { ...baseEnv(), ...env, ...overrides, PATH: `${this.binDir}${path.delimiter}${process.env.PATH ?? ''}` };
  }

  /** The compose file's `temporal-schema` script, unchanged: both databases created and migrated. */
  async runSchemaScript(): Promise<string> {
    const env = this.scriptEnv('temporal-schema', {
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(this.ports.POSTGRES),
      SCHEMA_DIR: path.join(this.tools.schemaDir, 'postgresql', 'v12'),
    });
    const { stdout, stderr } = runToEnd('sh', ['-c', scriptOf(this.resolved.services['temporal-schema'])], { env, timeoutMs: 180_000 });
    fs.appendFileSync(this.log('temporal-schema'), stdout + stderr);
    if (!stdout.includes('Temporal schema is up to date')) throw new Error(`temporal-schema did not finish:\n${stdout}${stderr}`);
    return stdout;
  }

  /** `temporal-server start` with the compose file's environment; resolves once its healthcheck passes. */
  async startTemporal(): Promise<void> {
    const service = this.compose.services.temporal;
    const composeEnv = containerEnv(service, this.hostEnv);
    requireKeys('temporal', composeEnv, SERVER_HOST_SPECIFIC);
    const env: NodeJS.ProcessEnv = {
      ...baseEnv(),
      ...composeEnv,
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(this.ports.POSTGRES),
      BIND_ON_IP: '127.0.0.1',
      PROMETHEUS_ENDPOINT: `127.0.0.1:${this.ports.PROMETHEUS}`,
      DYNAMIC_CONFIG_FILE_PATH: boundHostPath(service, composeEnv.DYNAMIC_CONFIG_FILE_PATH),
      ...Object.fromEntries(SERVER_PORTS.map((p) => [p, String(this.ports[p])])),
    };
    const started = Date.now();
    this.server = startProcess({
      name: 'temporal',
      command: path.join(this.binDir, 'temporal-server'),
      args: ['start'],
      env,
      cwd: this.dir,
      logFile: this.log('temporal'),
    });
    const url = this.healthcheckUrl();
    try {
      await waitFor(`the Temporal server's healthcheck (${url})`, async () => (await fetch(url, { signal: AbortSignal.timeout(3_000) })).ok, {
        timeoutMs: 120_000,
        intervalMs: 500,
        alive: () => this.server?.running() ?? false,
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${tail(this.log('temporal'))}`);
    }
    this.say(`  Temporal server ${this.tools.version} serving on ${this.temporalAddress} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** The compose healthcheck's URL, with the frontend's HTTP port of this host. */
  healthcheckUrl(): string {
    const test = this.compose.services.temporal.healthcheck?.test;
    const text = Array.isArray(test) ? test.join(' ') : String(test ?? '');
    const match = /http:\/\/127\.0\.0\.1:7243(\/\S+)/.exec(text);
    if (!match) throw new Error(`the temporal healthcheck no longer asks http://127.0.0.1:7243/...: ${text}`);
    return `http://127.0.0.1:${this.ports.FRONTEND_HTTP_PORT}${match[1]}`;
  }

  async stopTemporal(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.server?.stop(signal, 30_000);
    this.server = undefined;
  }

  /** The compose file's `temporal-setup` script, unchanged: namespace, retention, search attributes. */
  async runSetupScript(): Promise<string> {
    const env = this.scriptEnv('temporal-setup', { TEMPORAL_ADDRESS: this.temporalAddress });
    const { stdout, stderr } = runToEnd('sh', ['-c', scriptOf(this.resolved.services['temporal-setup'])], { env, timeoutMs: 180_000 });
    fs.appendFileSync(this.log('temporal-setup'), stdout + stderr);
    if (!stdout.includes('is ready')) throw new Error(`temporal-setup did not finish:\n${stdout}${stderr}`);
    return stdout;
  }

  /** The app's environment: x-app-environment as Compose resolves it, places of this host substituted. */
  appEnv(overrides: Partial<Record<(typeof APP_HOST_SPECIFIC)[number], string>>): NodeJS.ProcessEnv {
    const composeEnv = containerEnv(this.compose.services.api, { ...this.hostEnv, ...this.passThrough });
    requireKeys('api/worker', composeEnv, APP_HOST_SPECIFIC);
    const dataDir = path.join(this.dir, 'app-data');
    const hostValues: Record<(typeof APP_HOST_SPECIFIC)[number], string> = {
      TEMPORAL_ADDRESS: this.temporalAddress,
      // The image's bundle sits at the same place below its folder as below /app.
      WORKFLOW_BUNDLE_PATH: this.options.imageDir ? path.join(this.options.imageDir, path.relative('/app', composeEnv.WORKFLOW_BUNDLE_PATH)) : this.bundlePath,
      WORKER_HEALTH_PORT: '0',
      API_HOST: '127.0.0.1',
      API_PORT: String(this.ports.API),
      DATA_DIR: dataDir,
      // Shared by the API (serves documents) and every worker (writes them): the compose volume.
      DOCUMENTS_DIR: this.documentsDir,
      PEOPLE_FILE: this.peopleFile,
      ...overrides,
    };
    // The reporting store's URL names the compose PostgreSQL (`postgresql:5432`): this host's instead.
    const reporting = composeEnv.REPORTING_DATABASE_URL ? new URL(composeEnv.REPORTING_DATABASE_URL) : undefined;
    if (reporting) {
      reporting.hostname = '127.0.0.1';
      reporting.port = String(this.ports.POSTGRES);
    }
    return {
      ...baseEnv(),
      ...this.options.imageEnv,
      ...composeEnv,
      ...hostValues,
      ...(reporting && { REPORTING_DATABASE_URL: reporting.toString() }),
    };
  }

  /** How a service's process starts: `npm run <service>` here, or the compose command in the image folder. */
  private appCommand(service: 'api' | 'worker'): { command: string; args: string[]; cwd: string } {
    if (!this.options.imageDir) return { command: 'npm', args: ['run', '--silent', service], cwd: ROOT };
    const command = this.compose.services[service].command;
    if (!Array.isArray(command)) throw new Error(`docker-compose.yml: ${service} has no command list`);
    return { command: command[0], args: command.slice(1), cwd: this.options.imageDir };
  }

  async startApi(): Promise<void> {
    this.api = startProcess({ name: 'api', ...this.appCommand('api'), env: this.appEnv({}), logFile: this.log('api') });
    try {
      await waitFor('the API to be ready', async () => (await fetch(`${this.apiUrl}/readyz`, { signal: AbortSignal.timeout(5_000) })).ok, {
        timeoutMs: 90_000,
        intervalMs: 500,
        alive: () => this.api?.running() ?? false,
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${tail(this.log('api'))}`);
    }
  }

  killApi(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | string> {
    const api = this.api;
    this.api = undefined;
    return api ? api.stop(signal, 10_000) : Promise.resolve('not running');
  }

  /**
   * `npm run worker` as its own process; resolves once its /readyz says it polls. Workers share
   * DATA_DIR as the compose services share the `documents` volume mounted there: it holds the
   * documents and, until the sent-log moves to the shared database, the mail sent-log.
   */
  async startWorker(name: string): Promise<void> {
    const [healthPort] = await freePorts(1);
    const proc = startProcess({
      name,
      ...this.appCommand('worker'),
      env: this.appEnv({ WORKER_HEALTH_PORT: String(healthPort), DATA_DIR: path.join(this.dir, 'app-data') }),
      logFile: this.log(name),
    });
    this.workers.set(name, { process: proc, healthPort });
    try {
      await waitFor(`${name} to poll`, async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(3_000) })).ok, {
        timeoutMs: 120_000,
        intervalMs: 500,
        alive: proc.running,
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${tail(this.log(name))}`);
    }
  }

  async stopWorker(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    const worker = this.workers.get(name);
    this.workers.delete(name);
    return worker ? worker.process.stop(signal, 30_000) : 'not running';
  }

  /** Environment for jest runs against this stack (test/support/api.ts startHttpHarness). */
  testEnv(): Record<string, string> {
    return {
      AGENCYFLOW_API_URL: this.apiUrl,
      AGENCYFLOW_API_PEOPLE: this.peopleTokensFile,
      AGENCYFLOW_METRICS_TOKEN: this.metricsToken,
      AGENCYFLOW_TEMPORAL_METRICS_URL: this.temporalMetricsUrl,
      AGENCYFLOW_WORKER_HEALTH_URLS: [...this.workers.values()].map((w) => `http://127.0.0.1:${w.healthPort}`).join(','),
      AGENCYFLOW_TEMPORAL_ADDRESS: this.temporalAddress,
      AGENCYFLOW_DOCUMENTS_STORE: this.passThrough.DOCUMENTS_STORE ?? 'filesystem',
      AGENCYFLOW_DOCUMENTS_DIR: this.documentsDir,
    };
  }

  /** Stops the app, then the server, then PostgreSQL; removes the working folder unless kept. */
  async stop(): Promise<void> {
    await this.killApi('SIGTERM').catch(() => undefined);
    await Promise.all([...this.workers.keys()].map((name) => this.stopWorker(name).catch(() => undefined)));
    await this.stopTemporal().catch(() => undefined);
    await this.postgres?.stop().catch(() => undefined);
    if (this.ownsDir && !this.keep) {
      fs.rmSync(this.dir, { recursive: true, force: true });
      this.unregister?.();
    } else {
      this.say(`  kept ${this.dir} (logs in ${path.join(this.dir, 'logs')})`);
    }
  }
}
