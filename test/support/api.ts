/**
 * The API against the real stack, for test/api: a worker on a unique task queue running our real
 * workflows (the run's shared dev server and bundle) and the real activities (documents in a temp
 * dir, mail to the log, a per-file invoice-number counter), and an app from createApp(deps)
 * pointed at that task queue. Each harness has its own managers (unique ids and tokens), so
 * counts and lists filtered by manager see only what the test file made, although other test
 * files share the server. Each harness also has its own reporting store (a schema of its own on
 * the run's shared PGlite), fed by its worker and read by its app.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import supertest from 'supertest';
import type { Worker } from '@temporalio/worker';
import { createActivities, createActivityDepsFromConfig } from '../../activities/index';
import { createDocumentStoreFromConfig, type DocumentStore } from '../../activities/documents/store';
import { settleAbandonedCalls } from '../../activities/cancellation';
import { loadConfig, type Config } from '../../common/config';
import { createLogger, type Logger } from '../../common/logger';
import { PeopleDirectory } from '../../common/people';
import { createApp, type AppDeps } from '../../api/app';
import { createTemporalConnection, TemporalGateway } from '../../api/temporal-gateway';
import type { Department } from '../../workflows/shared-schemas';
import type { ProjectStatus } from '../../workflows/project/contract';
import { parseTaskId } from '../../workflows/task/contract';
import type { ReportingStore } from '../../activities/reporting/store';
import { openTestStore } from './reporting';
import { connectTestTemporal, createTestWorker, eventually, NAMESPACE, replayEverythingOn, testAddress, uniqueId, type TestTemporal } from './temporal';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE_PEOPLE = path.join(ROOT, 'config', 'people.example.json');

export type PersonKey =
  | 'manager'
  | 'otherManager'
  /** A manager no test touches but the portfolio test: exact counts. */
  | 'reportManager'
  | 'leadership'
  | 'designer'
  | 'designer2'
  | 'copywriter'
  | 'seo'
  | 'ads'
  | 'analyst';

export interface TestPerson {
  id: string;
  token: string;
  role: 'manager' | 'staff' | 'leadership';
  department?: Department;
}

export interface ApiHarness {
  app: Express;
  config: Config;
  taskQueue: string;
  temporal: TestTemporal;
  gateway: TemporalGateway;
  people: Record<PersonKey, TestPerson>;
  directory: PeopleDirectory;
  store: DocumentStore;
  /** The harness's own reporting store (its own schema). */
  reporting: ReportingStore;
  /** supertest bound to the app. */
  http: () => ReturnType<typeof supertest>;
  /**
   * supertest bound to another app on the same dependencies, as a second API process would be: its
   * own memory of how promptly Temporal answered lately, so earlier tests' slow answers do not carry over.
   */
  anotherProcess: () => () => ReturnType<typeof supertest>;
  /** `Authorization` header for a person. */
  auth(who: PersonKey): { Authorization: string };
  /** Shuts the harness's worker down (as a restart would): workflows stop answering queries. */
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra environment for loadConfig (e.g. API_RATE_LIMIT_PER_MINUTE). */
  env?: Record<string, string>;
  /** Point the app at this address instead of the dev server (no worker then). */
  temporalAddress?: string;
  /** Run no worker (pure HTTP tests). */
  withoutWorker?: boolean;
  /** Passed to createApp. */
  workerPolling?: () => boolean;
  logger?: Logger;
}

/**
 * The demo directory plus this harness's own managers and leader (unique ids and tokens).
 * `production`: every token fresh and stored as a `tokenSha256` digest, as a production directory
 * must be (common/production-checks.ts); the clear tokens are returned for the tests only.
 */
export function writePeopleFile(
  dir: string,
  options: { production?: boolean } = {},
): { file: string; people: Record<PersonKey, TestPerson> } {
  const example = JSON.parse(fs.readFileSync(EXAMPLE_PEOPLE, 'utf8')) as { people: (TestPerson & { name: string; email: string })[] };
  const suffix = randomBytes(4).toString('hex');
  const token = () => `test-${randomBytes(16).toString('hex')}`;
  const staff = options.production ? example.people.map((p) => ({ ...p, token: token() })) : example.people;
  const mine = {
    manager: { id: `mgr-${suffix}`, token: token(), role: 'manager' as const },
    otherManager: { id: `mgr2-${suffix}`, token: token(), role: 'manager' as const },
    reportManager: { id: `mgr3-${suffix}`, token: token(), role: 'manager' as const },
    leadership: { id: `lead-${suffix}`, token: token(), role: 'leadership' as const },
  };
  const pick = (id: string): TestPerson => {
    const p = staff.find((e) => e.id === id);
    if (!p) throw new Error(`people.example.json lacks ${id}`);
    return { id: p.id, token: p.token, role: p.role, ...(p.department && { department: p.department }) };
  };
  const people: Record<PersonKey, TestPerson> = {
    ...mine,
    designer: pick('dima.design'),
    designer2: pick('olga.design'),
    copywriter: pick('ivan.copy'),
    seo: pick('maria.seo'),
    ads: pick('pavel.ads'),
    analyst: pick('nina.analytics'),
  };
  const entries = [
    ...staff,
    ...Object.values(mine).map((p) => ({ ...p, name: `Test ${p.id}`, email: `${p.id}@agency.example` })),
  ].map(({ token: clear, ...entry }) =>
    options.production ? { ...entry, tokenSha256: createHash('sha256').update(clear).digest('hex') } : { ...entry, token: clear },
  );
  const file = path.join(dir, 'people.json');
  fs.writeFileSync(file, JSON.stringify({ people: entries }, null, 2));
  return { file, people };
}

/** What the HTTP-only tests need: the API, its people, and `close`. */
export type HttpHarness = Pick<ApiHarness, 'people' | 'http' | 'auth' | 'close'>;

/**
 * The API to test through HTTP alone: an API process already running elsewhere when
 * AGENCYFLOW_API_URL is set (`npm run test:production` runs the production topology and points
 * this at it, with the people it created in AGENCYFLOW_API_PEOPLE), else an in-process app and
 * worker against the run's dev server (startApiHarness).
 */
export async function startHttpHarness(): Promise<HttpHarness> {
  const url = process.env.AGENCYFLOW_API_URL;
  if (!url) return startApiHarness();
  const peopleFile = process.env.AGENCYFLOW_API_PEOPLE;
  if (!peopleFile) throw new Error('AGENCYFLOW_API_URL is set without AGENCYFLOW_API_PEOPLE (the tokens of the people it knows)');
  const people = JSON.parse(fs.readFileSync(peopleFile, 'utf8')) as Record<PersonKey, TestPerson>;
  return {
    people,
    http: () => supertest(url),
    auth: (who) => ({ Authorization: `Bearer ${people[who].token}` }),
    close: async () => undefined,
  };
}

export async function startApiHarness(options: HarnessOptions = {}): Promise<ApiHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-api-'));
  const { file: peopleFile, people } = writePeopleFile(dataDir);
  const taskQueue = uniqueId('api');
  const address = options.temporalAddress ?? testAddress();
  const config = loadConfig(
    {
      DATA_DIR: dataDir,
      PEOPLE_FILE: peopleFile,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'silent',
      ...options.env,
    },
    dataDir,
  );
  const logger = options.logger ?? createLogger({ level: process.env.API_TEST_LOG_LEVEL ?? 'silent' });
  const directory = PeopleDirectory.fromFile(peopleFile);
  const reporting = await openTestStore();
  const store = createDocumentStoreFromConfig(config, reporting.store);

  const temporal = await connectTestTemporal();
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let workerPeople: PeopleDirectory | undefined; // the worker's own, following the file
  if (!options.withoutWorker && !options.temporalAddress) {
    const deps = await createActivityDepsFromConfig(config, { client: temporal.client, logger, reporting: reporting.store });
    workerPeople = deps.people;
    worker = await createTestWorker(temporal, {
      taskQueue,
      activities: createActivities({ ...deps, invoiceNumberWorkflowIdPrefix: `${uniqueId('inv')}-` }),
    });
    running = worker.run();
  }

  const connection = createTemporalConnection(address);
  const gateway = new TemporalGateway({ connection, namespace: NAMESPACE, taskQueue, logger, callTimeoutMs: 8_000 });
  const deps: AppDeps = {
    config,
    logger,
    temporal: gateway,
    people: directory,
    documents: store,
    reporting: reporting.store,
    ...(options.workerPolling && { workerPolling: options.workerPolling }),
  };
  const app = createApp(deps);

  return {
    app,
    config,
    taskQueue,
    temporal,
    gateway,
    people,
    directory,
    store,
    reporting: reporting.store,
    http: () => supertest(app),
    anotherProcess: () => {
      const other = createApp(deps);
      return () => supertest(other);
    },
    auth: (who) => ({ Authorization: `Bearer ${people[who].token}` }),
    async stopWorker() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
    async close() {
      workerPeople?.stopFollowing();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      try {
        if (worker) await replayEverythingOn(temporal.client, taskQueue);
      } finally {
        await gateway.drain();
        await settleAbandonedCalls();
        await connection.close();
        await temporal.close();
        await reporting.dispose();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Request builders
// ---------------------------------------------------------------------------------------------

const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

export function projectRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client: { id: uniqueId('client'), name: 'ACME Ltd', segment: 'B2B', email: 'buyer@acme.example' },
    title: 'Spring campaign',
    brief: 'Landing page and ads',
    departments: ['design', 'copywriting'],
    budget: { amount: 5000, currency: 'EUR' },
    desiredDeadline: inMs(30 * 86_400_000),
    ...overrides,
  };
}

/** A two-task plan: design first, copy after it; due a few minutes ahead. */
export function planRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tasks: [
      {
        key: 'design-home',
        department: 'design',
        title: 'Home page design',
        estimateHours: 8,
        dueAt: inMs(10 * 60_000),
        price: 1200,
      },
      {
        key: 'copy-home',
        department: 'copywriting',
        title: 'Home page copy',
        estimateHours: 4,
        dueAt: inMs(20 * 60_000),
        price: 800,
        dependsOn: ['design-home'],
      },
    ],
    prepaymentPercent: 0,
    includedRevisionRounds: 1,
    ...overrides,
  };
}

/** A project of its own (the demo plan), approved, its design task claimed by the designer. */
export async function claimedDesignTask(h: HttpHarness, projectTitle: string): Promise<{ projectId: string; designTask: string }> {
  const opened = await openDesignTask(h, projectTitle);
  await h.http().post(`/api/tasks/${opened.designTask}/claim`).set(h.auth('designer')).send({}).expect(200);
  return opened;
}

/** A project of its own (the demo plan), approved, its design task open for the design department. */
export async function openDesignTask(h: HttpHarness, projectTitle: string): Promise<{ projectId: string; designTask: string }> {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title: projectTitle })).expect(201);
  const id = created.body.projectId as string;
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const task = `${id}.design-home`;
  await waitForTask(h, task, 'open');
  return { projectId: id, designTask: task };
}

/** A project's contract once the worker has made it (after the approval): listed, then its PDF as the manager downloads it. */
export async function downloadedContract(h: HttpHarness, projectId: string): Promise<{ documentId: string; pdf: Buffer }> {
  const contract = await eventually(
    async () => {
      const listed = (await h.http().get(`/api/projects/${projectId}/documents`).set(h.auth('manager')).expect(200)).body.items as { documentId: string; kind: string }[];
      return listed.find((d) => d.kind === 'contract');
    },
    { what: 'the contract listed', timeoutMs: 60_000 },
  );
  const pdf = await h.http().get(`/api/documents/${contract.documentId}`).set(h.auth('manager')).buffer(true).expect(200);
  expect(pdf.headers['content-type']).toBe('application/pdf');
  return { documentId: contract.documentId, pdf: pdf.body as Buffer };
}

/**
 * A project of one design task (the demo plan's first), taken by the API through plan, approval,
 * delivery and the manager's acceptance: it waits for the client's response. `task` overrides
 * that task's fields (its `dueAt`: the project's end); `plan` the plan's. Its id.
 */
export async function projectInClientReview(
  h: HttpHarness,
  options: { title: string; departments?: string[]; policy?: Record<string, string>; task?: Record<string, unknown>; plan?: Record<string, unknown> },
): Promise<string> {
  const created = await h
    .http()
    .post('/api/projects')
    .set(h.auth('manager'))
    .send(projectRequest({ title: options.title, departments: options.departments ?? ['design'], ...(options.policy && { policy: options.policy }) }))
    .expect(201);
  const id = created.body.projectId as string;
  const plan = planRequest(options.plan);
  await h
    .http()
    .put(`/api/projects/${id}/plan`)
    .set(h.auth('manager'))
    .send({ ...plan, tasks: [{ ...(plan.tasks as object[])[0], ...options.task }] })
    .expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  await designDeliveredAndAccepted(h, id);
  await eventually(async () => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager'))).body.stage === 'client_review', {
    what: `project ${id} in client review`,
    timeoutMs: 30_000,
  });
  return id;
}

/**
 * One design task (a 1,200 plan) with a 25 % prepayment, approved through the API: its prepayment
 * invoice (300) is out and open (the work waits for it, by the default policy). `get` reads the
 * project as its manager. `policy`: the project's own (`startAfterPrepayment: false` starts the work
 * without waiting for it).
 */
export async function approvedWithPrepayment(h: HttpHarness, projectTitle: string, options: { policy?: Record<string, unknown> } = {}) {
  const created = await h
    .http()
    .post('/api/projects')
    .set(h.auth('manager'))
    .send(projectRequest({ title: projectTitle, departments: ['design'], ...(options.policy && { policy: options.policy }) }))
    .expect(201);
  const id = (created.body as ProjectStatus).projectId;
  const get = async () => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  const plan = planRequest({ prepaymentPercent: 25 });
  await h.http().put(`/api/projects/${id}/plan`).set(h.auth('manager')).send({ ...plan, tasks: [(plan.tasks as object[])[0]] }).expect(200);
  await h.http().post(`/api/projects/${id}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const prepayment = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'prepayment' && i.documentId), { what: 'the prepayment invoice', timeoutMs: 30_000 });
  return { id, get, prepayment };
}

/**
 * A project of one design task (a 1,200 plan) with a 25 % prepayment (300), delivered and accepted
 * by the manager: with the client. `prepaymentPaid` (the default): paid, so the work started after
 * it; false: the work starts without it (the policy's `startAfterPrepayment: false`) and it stays
 * open. Its id.
 */
export async function withPrepaymentInClientReview(h: HttpHarness, projectTitle: string, { prepaymentPaid = true } = {}): Promise<string> {
  const { id, get, prepayment } = await approvedWithPrepayment(h, projectTitle, prepaymentPaid ? {} : { policy: { startAfterPrepayment: false } });
  if (prepayment.amount !== 300) throw new Error(`the prepayment invoice asks ${prepayment.amount}, not 300`);
  if (prepaymentPaid) {
    await h.http().post(`/api/projects/${id}/payments`).set(h.auth('manager')).send({ invoiceNumber: prepayment.number, amount: 300, paidAt: new Date().toISOString(), reference: `${id}-pre` }).expect(200);
  }
  await designDeliveredAndAccepted(h, id);
  await eventually(async () => (await get()).stage === 'client_review', { what: `project ${id} in client review`, timeoutMs: 30_000 });
  return id;
}

/**
 * The client asks for changes on their page (through the API, with the key of the link their
 * manager sends them), as `name` ("Anna Berg" unless given).
 */
export async function clientAsksForChanges(h: HttpHarness, id: string, description: string, name = 'Anna Berg'): Promise<void> {
  const link = new URL((await h.http().get(`/api/projects/${id}/client-link`).set(h.auth('manager')).expect(200)).body.url as string);
  await h
    .http()
    .post(`/api/client/projects/${id}/answers`)
    .query({ key: link.searchParams.get('key')! })
    .set('Idempotency-Key', uniqueId('ask'))
    .send({ kind: 'changes', name, description })
    .expect(200);
}

/** The delivered design task of a project in production: taken, delivered and accepted through the API. */
async function designDeliveredAndAccepted(h: HttpHarness, id: string): Promise<void> {
  const task = `${id}.design-home`;
  await waitForTask(h, task, 'open');
  await h.http().post(`/api/tasks/${task}/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${task}/submit`).set(h.auth('designer')).send({ summary: 'Done', links: [] }).expect(200);
  await h.http().post(`/api/tasks/${task}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
}

/** The project's final invoice (once issued) paid in full through the API by its manager, and the project completed: its snapshot. */
export async function payFinalInFull(h: HttpHarness, id: string): Promise<ProjectStatus> {
  const get = async () => (await h.http().get(`/api/projects/${id}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  const final = await eventually(async () => (await get()).invoices.find((i) => i.kind === 'final' && i.documentId), { what: 'the final invoice', timeoutMs: 30_000 });
  await h
    .http()
    .post(`/api/projects/${id}/payments`)
    .set(h.auth('manager'))
    .send({ invoiceNumber: final.number, amount: final.amount, paidAt: new Date().toISOString(), reference: `${id}-final` })
    .expect(200);
  return eventually(
    async () => {
      const p = await get();
      return p.stage === 'completed' ? p : undefined;
    },
    { what: `project ${id} completed`, timeoutMs: 30_000 },
  );
}

/**
 * One design task (`projectInClientReview`) accepted by the client and its final invoice paid in
 * full through the API: the project completes, hearing complaints for `complaintWindow`.
 */
export async function completedProject(h: HttpHarness, title: string, complaintWindow: string, rating = 5): Promise<ProjectStatus> {
  const id = await projectInClientReview(h, { title, policy: { complaintWindow } });
  await h.http().post(`/api/projects/${id}/feedback`).set(h.auth('manager')).send({ kind: 'accepted', rating, comment: '' }).expect(200);
  return payFinalInFull(h, id);
}

/**
 * Waits until the task has this status (read through the API as leadership). On timeout the
 * error carries the project's timeline, which says where the process stopped.
 */
export async function waitForTask(h: HttpHarness, taskId: string, status: string, timeoutMs = 30_000): Promise<void> {
  try {
    await eventually(async () => (await h.http().get(`/api/tasks/${taskId}`).set(h.auth('leadership'))).body.status === status, {
      what: `task ${taskId} to be ${status}`,
      timeoutMs,
    });
  } catch (err) {
    const projectId = parseTaskId(taskId)?.projectId;
    const project = projectId ? (await h.http().get(`/api/projects/${projectId}`).set(h.auth('leadership'))).body : undefined;
    const timeline = (project?.timeline as { at: string; event: string; detail?: string }[] | undefined) ?? [];
    throw new Error(
      `${(err as Error).message}; project ${projectId} is ${project?.stage}, timeline: ${timeline
        .slice(-8)
        .map((e) => `${e.event}${e.detail ? ` (${e.detail})` : ''}`)
        .join(', ')}`,
    );
  }
}
