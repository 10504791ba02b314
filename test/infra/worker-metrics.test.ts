/**
 * An operator sees the worker's own Temporal SDK metrics: `npm run worker` with
 * WORKER_METRICS_PORT serves them for Prometheus, and after a project has run there they include
 * workflow task schedule-to-start latency, the sticky cache and the task slots in use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { clientConnectionOptions } from '../../common/temporal';
import { getStatusQuery, projectWorkflowId } from '../../workflows/project/contract';
import { projectInput } from '../workflows/support';
import { eventually, NAMESPACE, testAddress, testBundlePath, uniqueId } from '../support/temporal';
import { testReportingUrl, uniqueSchema } from '../support/reporting';
import { freePort } from '../support/ports';

jest.setTimeout(90_000);

const ROOT = path.join(__dirname, '..', '..');

let child: ChildProcess | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('npm run worker with WORKER_METRICS_PORT serves schedule-to-start, cache and slot metrics', async () => {
  const port = await freePort();
  const taskQueue = uniqueId('metrics');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-metrics-'));
  let output = '';
  child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: testAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: testBundlePath(),
      DATA_DIR: dataDir,
      // The worker publishes snapshots and keeps its sent-log there: the run's PGlite, a schema of its own.
      REPORTING_DATABASE_URL: testReportingUrl(),
      REPORTING_SCHEMA: uniqueSchema('metrics'),
      WORKER_METRICS_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));

  const connection = await Connection.connect({ address: testAddress(), ...clientConnectionOptions() });
  try {
    const client = new Client({ connection, namespace: NAMESPACE });
    const input = projectInput();
    const handle = await client.workflow.start('projectWorkflow', {
      taskQueue,
      workflowId: projectWorkflowId(input.projectId),
      args: [input],
    });
    // The worker has run the project's first workflow task once its status answers.
    await eventually(() => handle.query(getStatusQuery), { what: `the project answering (worker output: ${output})`, timeoutMs: 60_000 });

    const text = await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        const body = await res.text();
        return res.status === 200 && body.includes('temporal_workflow_task_schedule_to_start_latency') ? body : undefined;
      },
      { what: 'the schedule-to-start metric', timeoutMs: 20_000 },
    );
    const names = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
    expect([...names]).toEqual(
      expect.arrayContaining([
        'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
        'temporal_sticky_cache_size',
        'temporal_worker_task_slots_used',
        'temporal_worker_task_slots_available',
      ]),
    );
    // Labelled by task queue, so one Prometheus sees each worker's queue apart.
    expect(text).toMatch(new RegExp(`temporal_sticky_cache_size\\{[^}]*task_queue="${taskQueue}"`));
    await handle.terminate('test over');
  } finally {
    await connection.close();
  }
});
