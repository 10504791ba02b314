/**
 * An API process SIGKILLed while a manager's action waits on Temporal: the manager's client never
 * hears back, but Temporal holds the update under the id made from the Idempotency-Key. The same
 * request sent again, to a new API process once a worker is back, answers 2xx with the new state,
 * and the action was done once; a third send answers the same.
 *
 * Kept in flight on purpose: the plan is sent while no worker polls the task queue (the first
 * worker has stopped), so the update cannot run yet, and the process is killed only once the
 * server has admitted that very update id. Both the API and the worker run as processes of their
 * own (`npm run api`, `npm run worker`), against the run's dev server and reporting database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Request } from 'express';
import { isGrpcServiceError } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { updateIdFor } from '../../api/validation';
import { getStatusQuery, projectWorkflowId, submitPlanUpdate, type ProjectStatus } from '../../workflows/project/contract';
import { planRequest, projectRequest, writePeopleFile, type TestPerson } from '../support/api';
import { openTestStore, type TestStore } from '../support/reporting';
import { connectTestTemporal, eventually, NAMESPACE, replayEverythingOn, testAddress, testBundlePath, uniqueId, type TestTemporal } from '../support/temporal';

// Four processes start here (each compiles through tsx): slow under the full suite's load.
jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '..', '..');
const Stage = proto.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
const ADMITTED = 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED';
const GRPC_NOT_FOUND = 5;

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

/** Every process this file starts: killed in afterEach if the test left it running (a failure). */
const started = new Set<Started>();

function startProcess(script: 'api/main.ts' | 'worker/main.ts', env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const one = { child, output: () => output, exited };
  started.add(one);
  void exited.then(() => started.delete(one));
  return one;
}

async function killEverythingStarted(): Promise<void> {
  const left = [...started];
  for (const p of left) p.child.kill('SIGKILL');
  await Promise.all(left.map((p) => p.exited));
}

// Also after a timeout, when the test's own finally may not have run yet.
afterEach(killEverythingStarted);

/** `npm run api` on an ephemeral port; its base URL once /readyz says Temporal and the store answer. */
async function startApi(env: Record<string, string>): Promise<{ api: Started; url: string }> {
  const api = startProcess('api/main.ts', { ...env, API_PORT: '0', LOG_LEVEL: 'info' });
  const deadline = Date.now() + 60_000;
  let listening: RegExpExecArray | null;
  while (!(listening = /"port":(\d+)[^\n]*"msg":"API listening"/.exec(api.output()))) {
    if (api.child.exitCode !== null) throw new Error(`the API exited ${api.child.exitCode}:\n${api.output()}`);
    if (Date.now() > deadline) throw new Error(`the API did not listen within 60 s:\n${api.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const port = listening[1];
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, { what: `the API ready (${url})`, timeoutMs: 30_000 });
  return { api, url };
}

test('a plan sent to an API process killed mid-request, sent again with its Idempotency-Key to a new one, is submitted once', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-api-killed-'));
  const { file: peopleFile, people } = writePeopleFile(dataDir);
  const taskQueue = uniqueId('api-killed');
  let reporting: TestStore | undefined;
  let temporal: TestTemporal | undefined;
  let workflowId: string | undefined;
  try {
    // The store's schema is made here, so both processes find it migrated and it is dropped after.
    reporting = await openTestStore();
    temporal = await connectTestTemporal();
    const env = {
      DATA_DIR: dataDir,
      PEOPLE_FILE: peopleFile,
      TEMPORAL_ADDRESS: testAddress(),
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: testBundlePath(),
      REPORTING_DATABASE_URL: reporting.url,
      REPORTING_SCHEMA: reporting.schema,
      LOG_LEVEL: 'warn',
    };
    const manager = people.manager;
    const headersOf = (person: TestPerson, key?: string) => ({
      Authorization: `Bearer ${person.token}`,
      'Content-Type': 'application/json',
      ...(key && { 'Idempotency-Key': key }),
    });

    // A project that a worker has run: the API's first process opens it, the first worker takes it up.
    const firstWorker = startProcess('worker/main.ts', env);
    const { api: firstApi, url: firstUrl } = await startApi(env);
    const created = await fetch(`${firstUrl}/api/projects`, { method: 'POST', headers: headersOf(manager), body: JSON.stringify(projectRequest({ title: 'Killed mid-request' })) });
    expect(created.status).toBe(201);
    const { projectId } = (await created.json()) as ProjectStatus;
    workflowId = projectWorkflowId(projectId);
    const handle = temporal.client.workflow.getHandle(workflowId);
    await eventually(() => handle.query(getStatusQuery), { what: `the first worker running the project (worker output: ${firstWorker.output()})`, timeoutMs: 60_000 });
    firstWorker.child.kill('SIGTERM');
    await firstWorker.exited;

    // The plan, with its key, to the first API process: no worker polls, so its update waits.
    const key = uniqueId('plan-key');
    const plan = JSON.stringify(planRequest());
    const put = (url: string) => fetch(`${url}/api/projects/${projectId}/plan`, { method: 'PUT', headers: headersOf(manager, key), body: plan });
    const lost = put(firstUrl).then(
      (res) => ({ answered: res.status }),
      (err: Error) => ({ failed: err.message, cause: (err.cause as { code?: string } | undefined)?.code }),
    );
    // The update id the API makes of this key, as the route does.
    const updateId = updateIdFor({ get: (header: string) => (header === 'Idempotency-Key' ? key : undefined) } as unknown as Request, manager, submitPlanUpdate.name, projectId)!;
    /** The update's stage on the server by name (ADMITTED: known, not yet run), undefined while it knows none. */
    const updateStage = async (): Promise<string | undefined> => {
      try {
        const polled = await temporal!.client.workflowService.pollWorkflowExecutionUpdate({
          namespace: NAMESPACE,
          updateRef: { workflowExecution: { workflowId }, updateId },
          identity: 'api-killed-mid-request test',
          waitPolicy: { lifecycleStage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED },
        });
        return polled.stage ? Stage[polled.stage] : undefined;
      } catch (err) {
        if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) return undefined;
        throw err;
      }
    };
    expect(await eventually(updateStage, { what: `the server admitting update ${updateId}`, timeoutMs: 30_000, intervalMs: 50 })).toBe(ADMITTED);

    firstApi.child.kill('SIGKILL');
    await firstApi.exited;
    expect(firstApi.child.signalCode).toBe('SIGKILL');
    // The manager's client heard nothing (the connection was cut), and nothing was done yet.
    expect(await lost).toEqual({ failed: 'fetch failed', cause: expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/) });
    expect(await updateStage()).toBe(ADMITTED);
    const submitPlansAccepted = async () =>
      ((await handle.fetchHistory()).events ?? [])
        .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
        .filter((a) => a?.acceptedRequest?.input?.name === submitPlanUpdate.name)
        .map((a) => a!.acceptedRequest!.meta!.updateId);
    expect(await submitPlansAccepted()).toEqual([]);

    // A worker back and a new API process on the same server: the same request, the same key.
    startProcess('worker/main.ts', env);
    const { url: secondUrl } = await startApi(env);
    // Sent again as the portal does while the answer is 503 (a worker just started may take longer
    // than the API waits, under the full suite's load): the same key each time.
    let retried = await put(secondUrl);
    for (const deadline = Date.now() + 60_000; retried.status === 503 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      retried = await put(secondUrl);
    }
    const retriedBody = (await retried.json()) as ProjectStatus;
    expect({ status: retried.status, detail: (retriedBody as { detail?: string }).detail }).toEqual({ status: 200, detail: undefined });
    expect(retriedBody).toMatchObject({ projectId, stage: 'awaiting_approval', pendingPlanVersion: 1 });
    expect(retriedBody.plans.map((p) => ({ version: p.version, by: p.submittedBy, tasks: p.tasks.map((t) => t.key) }))).toEqual([
      { version: 1, by: manager.id, tasks: ['design-home', 'copy-home'] },
    ]);
    expect(retriedBody.timeline.filter((e) => e.event === 'plan_submitted')).toHaveLength(1);

    // A third time: the same answer.
    const again = await put(secondUrl);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(retriedBody);

    // The history: one submitPlan accepted and completed, under the id made from the key.
    expect(await submitPlansAccepted()).toEqual([updateId]);
    const events = (await handle.fetchHistory()).events ?? [];
    const completed = events.map((e) => e.workflowExecutionUpdateCompletedEventAttributes).filter((c) => c !== null && c !== undefined);
    expect(completed.map((c) => ({ updateId: c.meta?.updateId, failed: !!c.outcome?.failure }))).toEqual([{ updateId, failed: false }]);
  } finally {
    await killEverythingStarted();
    try {
      if (temporal) await replayEverythingOn(temporal.client, taskQueue);
    } finally {
      if (temporal && workflowId) await temporal.client.workflow.getHandle(workflowId).terminate('test over').catch(() => undefined);
      await temporal?.close();
      await reporting?.dispose();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
});
