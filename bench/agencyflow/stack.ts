/**
 * The agencyflow service under test, as production runs it: `npm run api` and `npm run worker`
 * as two processes (the API through bench/agencyflow/api-process.ts, which adds stage timers),
 * on their own task queue, data directory (documents) and free ports; mail goes to the log.
 * Or, with --api-url, an API someone else started (then there is no worker process to watch).
 */
import path from 'node:path';
import type { LoopDelay } from '../lib/loop-delay';
import type { RequestRecord } from './api-process';
import { freePort, nextMessage, rssMiB, scrapePrometheus, spawnTs, waitForHttpOk, PROJECT_ROOT, type Child } from '../lib/processes';

export interface StackOptions {
  temporalAddress: string;
  namespace: string;
  dataDir: string;
  /** The reporting store both processes publish to and read from (and its password, when it has one). */
  reportingUrl: string;
  reportingPassword?: string;
  logDir: string;
  bundlePath: string;
  maxCachedWorkflows: number;
  profile: boolean;
  /** Directory for V8 CPU profiles (`node --cpu-prof`), one subdirectory per process. */
  cpuProfileDir?: string;
}

const cpuProfArgs = (options: StackOptions, name: string): string[] =>
  options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(options.cpuProfileDir, name)] : [];

export class WorkerProcess {
  private constructor(
    readonly child: Child,
    readonly metricsUrl: string,
    readonly maxCachedWorkflows: number,
  ) {}

  static async start(options: StackOptions & { taskQueue: string; name: string }): Promise<WorkerProcess> {
    const [healthPort, metricsPort] = [await freePort(), await freePort()];
    const child = spawnTs({
      ownSession: true,
      background: true,
      name: options.name,
      entry: path.join(PROJECT_ROOT, 'worker', 'main.ts'),
      logDir: options.logDir,
      nodeArgs: cpuProfArgs(options, options.name),
      env: {
        ...serviceEnv(options),
        TEMPORAL_TASK_QUEUE: options.taskQueue,
        WORKER_MAX_CACHED_WORKFLOWS: String(options.maxCachedWorkflows),
        WORKER_HEALTH_PORT: String(healthPort),
        WORKER_METRICS_PORT: String(metricsPort),
      },
    });
    await waitForHttpOk(`http://127.0.0.1:${healthPort}/readyz`, { child, what: 'the agencyflow worker' }).catch(async (err: Error) => {
      await child.stop();
      throw err;
    });
    return new WorkerProcess(child, `http://127.0.0.1:${metricsPort}/metrics`, options.maxCachedWorkflows);
  }

  rssMiB(): number | undefined {
    return rssMiB(this.child.pid);
  }

  async metrics(): Promise<Map<string, number>> {
    return scrapePrometheus(this.metricsUrl);
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

export class ApiProcess {
  private constructor(
    readonly child: Child,
    readonly url: string,
    readonly profile: boolean,
  ) {}

  static async start(options: StackOptions & { taskQueue: string }): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawnTs({
      ownSession: true,
      name: 'api',
      entry: path.join(__dirname, 'api-process.ts'),
      logDir: options.logDir,
      nodeArgs: cpuProfArgs(options, 'api'),
      ipc: true,
      env: {
        ...serviceEnv(options),
        TEMPORAL_TASK_QUEUE: options.taskQueue,
        API_HOST: '127.0.0.1',
        API_PORT: String(port),
        // The bench sends far more than a person would; the limit is not what is measured.
        API_RATE_LIMIT_PER_MINUTE: '100000000',
        BENCH_PROFILE: options.profile ? '1' : '0',
      },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttpOk(`${url}/readyz`, { child, what: 'the agencyflow API' }).catch(async (err: Error) => {
      await child.stop();
      throw err;
    });
    return new ApiProcess(child, url, options.profile);
  }

  rssMiB(): number | undefined {
    return rssMiB(this.child.pid);
  }

  /** The stage records collected since the last call (empty without profiling). `watchLoop`: watch the API's event loop until the next call. */
  async stages(options: { watchLoop?: boolean } = {}): Promise<RequestRecord[]> {
    return (await this.stagesAndLoop(options)).records;
  }

  /** The same, with how late the API's event loop ran since the last call, if that one asked to watch it (none without profiling). */
  stagesAndLoop(options: { watchLoop?: boolean } = {}): Promise<{ records: RequestRecord[]; loopDelay?: LoopDelay }> {
    const proc = this.child.process;
    if (!this.profile || !proc.connected) return Promise.resolve({ records: [] });
    const answer = nextMessage<{ type: 'stages'; records?: RequestRecord[]; loopDelay?: LoopDelay }>(this.child, 'stages', 10_000, 'the API\'s stage records');
    proc.send({ type: 'stages', watchLoop: options.watchLoop ?? false });
    return answer.then((message) => ({ records: message.records ?? [], loopDelay: message.loopDelay }));
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

/** The embedded reporting store in its own process (bench/agencyflow/store-process.ts). */
export class StoreProcess {
  private constructor(
    readonly child: Child,
    readonly url: string,
  ) {}

  static async start(options: { dataDir: string; logDir: string }): Promise<StoreProcess> {
    const child = spawnTs({
      ownSession: true,
      name: 'store',
      entry: path.join(__dirname, 'store-process.ts'),
      logDir: options.logDir,
      ipc: true,
      env: { BENCH_STORE_DIR: options.dataDir },
    });
    const { url } = await nextMessage<{ type: 'ready'; url: string }>(child, 'ready', 120_000, 'the reporting store starting').catch(async (err: Error) => {
      await child.stop();
      throw err;
    });
    return new StoreProcess(child, url);
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

export const READER_LABELS = { project: 'person: project', task: 'person: task', inbox: 'person: inbox' } as const;

export interface ReaderSamples {
  type: 'samples';
  /** Latencies (ms) by label and by `label status` (a task read's 404 "not started yet" apart). */
  samples: Record<string, number[]>;
  /** Answers by label and HTTP status (0: no answer). */
  statuses: Record<string, Record<number, number>>;
  /** How late the reader's own event loop was while it read. */
  loopDelay: LoopDelay;
}

/** A person reading beside P2's load, in a process of its own (bench/agencyflow/reader-process.ts). */
export class ReaderProcess {
  private constructor(readonly child: Child) {}

  static async start(options: { apiUrl: string; leadershipToken: string; inboxToken: string; logDir: string }): Promise<ReaderProcess> {
    const child = spawnTs({
      ownSession: true,
      name: 'reader',
      entry: path.join(__dirname, 'reader-process.ts'),
      logDir: options.logDir,
      ipc: true,
      env: { BENCH_API_URL: options.apiUrl, BENCH_LEADERSHIP_TOKEN: options.leadershipToken, BENCH_INBOX_TOKEN: options.inboxToken },
    });
    await nextMessage(child, 'ready', 60_000, 'the reader starting').catch(async (err: Error) => {
      await child.stop();
      throw err;
    });
    return new ReaderProcess(child);
  }

  watch(projectId: string): void {
    if (this.child.process.connected) this.child.process.send({ type: 'watch', projectId });
  }

  unwatch(projectId: string): void {
    if (this.child.process.connected) this.child.process.send({ type: 'unwatch', projectId });
  }

  /** Stops reading; what it measured. */
  async stop(): Promise<ReaderSamples> {
    const samples = nextMessage<ReaderSamples>(this.child, 'samples', 60_000, 'the reader\'s samples');
    this.child.process.send({ type: 'stop' });
    try {
      return await samples;
    } finally {
      await this.child.stop();
    }
  }
}

function serviceEnv(options: StackOptions): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: options.namespace,
    WORKFLOW_BUNDLE_PATH: options.bundlePath,
    DATA_DIR: options.dataDir,
    REPORTING_DATABASE_URL: options.reportingUrl,
    ...(options.reportingPassword && { REPORTING_DATABASE_PASSWORD: options.reportingPassword }),
    PEOPLE_FILE: path.join(PROJECT_ROOT, 'config', 'people.example.json'),
    LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'info',
    // Never an SMTP server from the caller's environment: mail goes to the log.
    SMTP_HOST: '',
  };
}

/**
 * The bench's task queue. Fixed, not random: the invoice-number entity workflow has one id per
 * year in the whole namespace and stays on the task queue of the worker that first started it, so
 * on a cluster the bench has used before, a new queue would leave every invoice waiting for a
 * worker that is gone. (Do not run two benches against one cluster at the same time.)
 */
export const BENCH_TASK_QUEUE = 'agencyflow-bench';
