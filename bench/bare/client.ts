/**
 * The bare side of every comparison, from the bench's own client: bundling the bare workflows
 * (cached under .cache/ by a hash of their source), starting the bare worker, and the operations
 * the API's are compared with.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { logTail, spawnTs, PROJECT_ROOT, type Child } from '../lib/processes';
import { until } from '../lib/pool';
import { bumpUpdate, countQuery, finishSignal } from './workflows';

const WORKFLOWS = path.join(__dirname, 'workflows.ts');

/**
 * `preload`: the bare module evaluated once per worker thread, not once per run, as our bundle
 * is (common/workflow-bundle.ts) — for P4's floor (bench/p4-floor.ts); the bare baseline of the
 * other figures keeps the SDK's default.
 */
export async function bareBundle(options: { preload?: boolean } = {}): Promise<string> {
  const hash = createHash('sha256')
    .update(options.preload ? 'preload' : 'default')
    .update(fs.readFileSync(WORKFLOWS))
    .update(fs.readFileSync(path.join(PROJECT_ROOT, 'package-lock.json')))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(PROJECT_ROOT, '.cache', `bench-bare-${hash}.js`);
  if (fs.existsSync(file)) return file;
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    logger: new DefaultLogger('WARN'),
    ...(options.preload && { preloadModules: [WORKFLOWS] }),
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, file);
  return file;
}

export class Bare {
  private readonly updatable: WorkflowHandle[] = [];
  private next = 0;

  private constructor(
    readonly client: Client,
    readonly taskQueue: string,
    readonly worker: Child,
  ) {}

  static async start(options: { client: Client; address: string; namespace: string; logDir: string }): Promise<Bare> {
    const taskQueue = `bench-bare-${randomUUID().slice(0, 8)}`;
    const worker = spawnTs({
      ownSession: true,
      background: true,
      name: 'bare-worker',
      entry: path.join(__dirname, 'worker.ts'),
      logDir: options.logDir,
      env: {
        TEMPORAL_ADDRESS: options.address,
        TEMPORAL_NAMESPACE: options.namespace,
        BENCH_TASK_QUEUE: taskQueue,
        BENCH_BARE_BUNDLE: await bareBundle(),
      },
    });
    const bare = new Bare(options.client, taskQueue, worker);
    // Ready once a trivial workflow runs to completion.
    await until(
      async () => {
        await options.client.workflow.execute('bareTrivial', { taskQueue, workflowId: bare.id('ready'), workflowExecutionTimeout: '20s' });
        return true;
      },
      { what: 'the bare worker', timeoutMs: 60_000, intervalMs: 500 },
    ).catch(async (err: Error) => {
      await worker.stop();
      throw new Error(`${err.message}\n${logTail(worker)}`);
    });
    return bare;
  }

  id(kind: string): string {
    return `bench-bare-${kind}-${randomUUID()}`;
  }

  /** client.workflow.start of a workflow that finishes in its first task. */
  async start(): Promise<void> {
    await this.client.workflow.start('bareTrivial', { taskQueue: this.taskQueue, workflowId: this.id('start') });
  }

  /** Workflows that take updates (round-robin). */
  async prepareUpdatable(count: number): Promise<void> {
    for (let i = this.updatable.length; i < count; i++) {
      this.updatable.push(await this.client.workflow.start('bareUpdatable', { taskQueue: this.taskQueue, workflowId: this.id('upd') }));
    }
    await Promise.all(this.updatable.map((h) => h.query(countQuery)));
  }

  private async nextUpdatable(): Promise<WorkflowHandle> {
    if (this.updatable.length === 0) await this.prepareUpdatable(20);
    return this.updatable[this.next++ % this.updatable.length];
  }

  /** A no-I/O update, the caller waiting for its result. */
  async update(): Promise<void> {
    await (await this.nextUpdatable()).executeUpdate(bumpUpdate, { args: [1] });
  }

  async query(): Promise<void> {
    await (await this.nextUpdatable()).query(countQuery);
  }

  async describe(): Promise<void> {
    await (await this.nextUpdatable()).describe();
  }

  /** One page (20) of a visibility list, as the API's inbox and project list read. */
  async listPage(): Promise<void> {
    await this.client.workflowService.listWorkflowExecutions({
      namespace: this.client.options.namespace,
      query: `WorkflowType = 'bareUpdatable' AND ExecutionStatus = 'Running'`,
      pageSize: 20,
    });
  }

  async count(): Promise<void> {
    await this.client.workflow.count(`WorkflowType = 'bareTrivial'`);
  }

  /** A one-activity workflow, started and awaited. */
  async oneActivityWorkflow(): Promise<void> {
    await this.client.workflow.execute('bareOneActivity', { taskQueue: this.taskQueue, workflowId: this.id('act') });
  }

  async close(): Promise<void> {
    await Promise.all(this.updatable.map((h) => h.signal(finishSignal).catch(() => undefined)));
    await this.worker.stop();
  }
}
