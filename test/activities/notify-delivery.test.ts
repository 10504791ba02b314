/**
 * notify as the workflows run it: through a real Temporal worker, with the activity options of
 * workflows/common/outbox.ts (heartbeat timeout 90 s, start-to-close 1 h, retried for days). A
 * department task that opens tells its two staff members; each gets exactly one copy from a mail
 * server that takes 25 s to accept each message, and from one that is down and comes back.
 *
 * The real task workflow sends the notice, so the options are the ones production uses, not a
 * copy of them in a test workflow.
 *
 * The SMTP client's timeouts bound each step of a message (a minute of silence), not the whole
 * message: a server slow at every step takes longer than the heartbeat timeout for one message.
 * That is why notify heartbeats while a message is being sent, which the last test proves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities, FilesystemDocumentStore, FileSentLog } from '../../activities/index';
import { SmtpMailer } from '../../activities/mail/mailer';
import { createLogger } from '../../common/logger';
import { PeopleDirectory } from '../../common/people';
import { taskId, taskWorkflowId, TASK_WORKFLOW_TYPE } from '../../workflows/task/contract';
import { connectTestTemporal, createTestWorker, eventually, replayEverythingOn, uniqueId, type TestTemporal } from '../support/temporal';
import { agency, designTaskInput, people } from './fixtures';
import { startSmtpServer, unusedPort, type TestSmtpServer } from './smtp';

jest.setTimeout(240_000);

const DESIGN_STAFF = ['dima.design@agency.example', 'olga.design@agency.example'];

let temporal: TestTemporal;
let tmp: string;
/** One task queue (and worker) per test: the tests run at once, each with its own mail server. */
const taskQueues: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  temporal = await connectTestTemporal();
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'agencyflow-notify-'));
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const taskQueue of taskQueues) await replayEverythingOn(temporal.client, taskQueue);
  await temporal?.close();
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

/** A worker on a task queue of its own whose notify mails through the SMTP server on `port`; returns the queue. */
async function startWorker(port: number, directory: PeopleDirectory = people): Promise<string> {
  const taskQueue = uniqueId('notify-delivery');
  taskQueues.push(taskQueue);
  const dir = await fs.promises.mkdtemp(path.join(tmp, 'worker-'));
  const mailer = new SmtpMailer({ host: '127.0.0.1', port, secure: false, from: 'agencyflow <no-reply@agency.example>' });
  const activities = createActivities({
    client: temporal.client,
    logger: createLogger({ level: 'silent' }),
    taskQueue,
    store: new FilesystemDocumentStore(path.join(dir, 'documents')),
    mailer,
    sentLog: new FileSentLog(path.join(dir, 'mail-sent')),
    people: directory,
    agency,
    publicBaseUrl: 'https://portal.agency.example',
    invoiceNumberWorkflowIdPrefix: `${taskQueue}-`,
    // Only `notify` runs on this queue (no workflow publishes snapshots here).
    reporting: {
      publish: () => Promise.reject(new Error('no reporting store in the notify-delivery test')),
      portfolio: () => Promise.reject(new Error('no reporting store in the notify-delivery test')),
      listProjects: () => Promise.reject(new Error('no reporting store in the notify-delivery test')),
      listTasks: () => Promise.reject(new Error('no reporting store in the notify-delivery test')),
      overloadedPeople: () => Promise.reject(new Error('no reporting store in the notify-delivery test')),
      workHolders: () => Promise.reject(new Error('no reporting store in the notify-delivery test')),
    },
    overloadHours: 40,
  });
  const worker = await createTestWorker(temporal, { taskQueue, activities });
  const running = worker.run();
  cleanups.push(async () => {
    worker.shutdown();
    await running;
    mailer.close();
  });
  return taskQueue;
}

/** A design task that opens at once: its `task_opened` notice goes to both design staff. */
async function openDesignTask(taskQueue: string): Promise<WorkflowHandle> {
  const projectId = uniqueId('p');
  const input = designTaskInput(projectId);
  const handle = await temporal.client.workflow.start(TASK_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: taskWorkflowId(taskId(projectId, 'design')),
    args: [input],
  });
  cleanups.push(() => handle.terminate('test over').then(() => undefined, () => undefined));
  return handle;
}

/** The notify activities of a run: how they ended and on which attempt. */
async function notifyAttempts(handle: WorkflowHandle): Promise<{ scheduled: number; completedOnAttempt?: number }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduledIds = events
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notify')
    .map((e) => Number(e.eventId));
  const started = events.find((e) => scheduledIds.includes(Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? -1)));
  const completed = events.some((e) => scheduledIds.includes(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? -1)));
  return { scheduled: scheduledIds.length, ...(completed && { completedOnAttempt: started?.activityTaskStartedEventAttributes?.attempt ?? undefined }) };
}

/** How many messages whose data reached the server were addressed to each recipient. */
function copiesPer(smtp: TestSmtpServer): Record<string, number> {
  const copies: Record<string, number> = {};
  for (const mail of smtp.arrived) for (const to of mail.envelopeTo) copies[to] = (copies[to] ?? 0) + 1;
  return copies;
}

test.concurrent('a mail server that takes 25 s to accept each message: each recipient gets exactly one copy, in one attempt', async () => {
  const smtp = await startSmtpServer({ acceptAfterMs: 25_000 });
  cleanups.push(() => smtp.close());
  const taskQueue = await startWorker(smtp.port);

  const handle = await openDesignTask(taskQueue);

  await eventually(() => Promise.resolve(smtp.received.length >= 2), { timeoutMs: 180_000, intervalMs: 1_000, what: 'both messages accepted' });
  await eventually(async () => (await notifyAttempts(handle)).completedOnAttempt !== undefined, { timeoutMs: 30_000, what: 'notify completed' });
  // Longer than the retry backoff: a second attempt, had there been one, would have sent by now.
  await new Promise((resolve) => setTimeout(resolve, 5_000));

  expect(copiesPer(smtp)).toEqual(Object.fromEntries(DESIGN_STAFF.map((to) => [to, 1])));
  expect(smtp.received.map((m) => m.envelopeTo[0]).sort()).toEqual(DESIGN_STAFF);
  // One attempt did the whole list: over 50 s without a heartbeat timeout or a retry.
  expect(await notifyAttempts(handle)).toEqual({ scheduled: 1, completedOnAttempt: 1 });
});

test.concurrent('a mail server that is down: notify fails at once and is retried, and once the server is back each recipient gets one copy', async () => {
  const port = await unusedPort();
  const taskQueue = await startWorker(port);

  const started = Date.now();
  const handle = await openDesignTask(taskQueue);

  // Connection refused fails the attempt within seconds; Temporal has it waiting for a retry.
  const failing = await eventually(
    async () => {
      const pending = (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'notify');
      return pending && (pending.attempt ?? 0) >= 2 && pending.lastFailure ? pending : undefined;
    },
    { timeoutMs: 30_000, what: 'a failed notify attempt' },
  );
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(failing.lastFailure?.message).toMatch(/ECONNREFUSED|connect/i);

  const smtp = await startSmtpServer({ port });
  cleanups.push(() => smtp.close());

  await eventually(() => Promise.resolve(smtp.received.length >= 2), { timeoutMs: 90_000, intervalMs: 500, what: 'both messages accepted' });
  await eventually(async () => (await notifyAttempts(handle)).completedOnAttempt !== undefined, { timeoutMs: 30_000, what: 'notify completed' });
  await new Promise((resolve) => setTimeout(resolve, 3_000));

  expect(copiesPer(smtp)).toEqual(Object.fromEntries(DESIGN_STAFF.map((to) => [to, 1])));
  const attempts = await notifyAttempts(handle);
  expect(attempts.scheduled).toBe(1);
  expect(attempts.completedOnAttempt).toBeGreaterThan(1);
});

test.concurrent('a mail server slow at every step (over 90 s for one message): the attempt heartbeats through it and the recipient gets one copy', async () => {
  // 31 s for MAIL FROM, for RCPT TO and for the end of the data: each is under the SMTP client's
  // one-minute step timeout, together they are over the 90 s heartbeat timeout.
  const smtp = await startSmtpServer({ stepDelayMs: 31_000 });
  cleanups.push(() => smtp.close());
  const onlyDima = new PeopleDirectory(people.all().filter((p) => p.id === 'anna.manager' || p.id === 'dima.design'));
  const taskQueue = await startWorker(smtp.port, onlyDima);

  const handle = await openDesignTask(taskQueue);

  await eventually(() => Promise.resolve(smtp.received.length >= 1), { timeoutMs: 200_000, intervalMs: 1_000, what: 'the message accepted' });
  await eventually(async () => (await notifyAttempts(handle)).completedOnAttempt !== undefined, { timeoutMs: 30_000, what: 'notify completed' });
  await new Promise((resolve) => setTimeout(resolve, 5_000));

  expect(copiesPer(smtp)).toEqual({ 'dima.design@agency.example': 1 });
  expect(await notifyAttempts(handle)).toEqual({ scheduled: 1, completedOnAttempt: 1 });
});
