/**
 * What the workflow tests share: a worker per test file running the real activities on local
 * dependencies (temp dir, local SMTP server, the invoice-number workflow), each call recorded so
 * tests can assert "the manager is told once"; builders for project inputs and plans; the people.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Worker } from '@temporalio/worker';
import { SMTPServer } from 'smtp-server';
import { createActivities, FilesystemDocumentStore, FileSentLog } from '../../activities/index';
import { SmtpMailer } from '../../activities/mail/mailer';
import { settleAbandonedCalls } from '../../activities/cancellation';
import { createLogger } from '../../common/logger';
import { PeopleDirectory } from '../../common/people';
import type {
  AllocateInvoiceNumberInput,
  NotifyInput,
  NotifyResult,
  ProduceDocumentInput,
  ProjectActivities,
  PublishSnapshotInput,
} from '../../activities/contract';
import type { ReportingStore } from '../../activities/reporting/store';
import { openTestStore, type TestStore } from '../support/reporting';
import type { DocumentRef, ProjectActionResult, ProjectStatus } from '../../workflows/project/contract';
import {
  getStatusQuery,
  projectWorkflowId,
  recordPaymentUpdate,
  submitPlanUpdate,
  decidePlanUpdate,
} from '../../workflows/project/contract';
import type { PlanTask, ProjectInput, RecordFeedbackInput, RecordPaymentInput, SubmitPlanInput } from '../../workflows/project/schemas';
import { CURRENT_PATCH_BASELINE } from '../../workflows/common/patches';
import { DEPARTMENTS, type Actor, type Department, type Policy } from '../../workflows/shared-schemas';
import {
  claimTaskUpdate,
  getStatusQuery as getTaskStatusQuery,
  reviewTaskUpdate,
  submitTaskUpdate,
  taskId,
  taskWorkflowId,
  type TaskView,
} from '../../workflows/task/contract';
import { connectTestTemporal, createTestWorker, eventually, replayEverythingOn, uniqueId, type TestTemporal } from '../support/temporal';

// ---------------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------------

export const MANAGER: Actor = { id: 'anna.manager', role: 'manager' };
export const OTHER_MANAGER: Actor = { id: 'boris.manager', role: 'manager' };
export const LEADER: Actor = { id: 'lena.lead', role: 'leadership' };
export const staff = (department: Department, name = 'one'): Actor => ({ id: `${department}.${name}`, role: 'staff', department });

// ---------------------------------------------------------------------------------------------
// Effects: every activity call, recorded around the activities the worker runs
// ---------------------------------------------------------------------------------------------

export interface Effects {
  notices: { input: NotifyInput; result: NotifyResult }[];
  documents: { input: ProduceDocumentInput; result: DocumentRef }[];
  invoiceNumbers: { input: AllocateInvoiceNumberInput; number: string }[];
  /** Snapshots handed to the reporting store, in order. */
  published: PublishSnapshotInput[];
}

/** Mail as the local SMTP server received it. */
export interface ReceivedMail {
  to: string[];
  idempotencyKey?: string;
  subject?: string;
  raw: string;
}

/** Everyone the tests name, so the real notify activity finds an address for each. */
export const PEOPLE = new PeopleDirectory([
  { id: MANAGER.id, name: 'Anna Manager', email: 'anna.manager@agency.example', role: 'manager' },
  { id: OTHER_MANAGER.id, name: 'Boris Manager', email: 'boris.manager@agency.example', role: 'manager' },
  { id: LEADER.id, name: 'Lena Lead', email: 'lena.lead@agency.example', role: 'leadership' },
  ...DEPARTMENTS.flatMap((department) =>
    ['one', 'two'].map((name) => ({
      id: staff(department, name).id,
      name: `${department} ${name}`,
      email: `${department}.${name}@agency.example`,
      role: 'staff' as const,
      department,
    })),
  ),
]);
export const ESCALATION_EMAIL = 'escalations@agency.example';

/**
 * The real activities with real-but-local dependencies: documents in a temp dir, mail through a
 * local SMTP server the test reads, invoice numbers from the invoice-number workflow on this
 * test's task queue (its own counter, so test files do not share one).
 */
async function realActivities(
  temporal: TestTemporal,
  taskQueue: string,
  reporting: TestStore,
): Promise<{ activities: ProjectActivities; mail: ReceivedMail[]; documentsDir: string; smtp: SmtpControl; close(): Promise<void> }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'agencyflow-wf-'));
  const mail: ReceivedMail[] = [];
  const newServer = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const headers = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
          mail.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            idempotencyKey: /^X-Agencyflow-Idempotency-Key: (.*)$/im.exec(headers)?.[1]?.trim(),
            subject: /^Subject: (.*)$/im.exec(headers)?.[1]?.trim(),
            raw,
          });
          done();
        });
      },
    });
  let smtp = newServer();
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  let smtpUp = true;
  const smtpControl: SmtpControl = {
    async stop() {
      if (!smtpUp) return;
      smtpUp = false;
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
    async start() {
      if (smtpUp) return;
      smtp = newServer();
      await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
      smtpUp = true;
    },
  };
  const mailer = new SmtpMailer({ host: '127.0.0.1', port, secure: false, from: 'agencyflow <no-reply@agency.example>' });
  const documentsDir = path.join(dir, 'documents');
  const activities = createActivities({
    client: temporal.client,
    logger: createLogger({ level: 'silent' }),
    taskQueue,
    store: new FilesystemDocumentStore(documentsDir),
    mailer,
    sentLog: new FileSentLog(path.join(dir, 'mail-sent')),
    people: PEOPLE,
    reporting: reporting.store,
    agency: {
      name: 'Northwind Creative Agency',
      address: '12 Market Street, Springfield',
      taxId: 'TAX-0000000000',
      bankDetails: 'Bank of Springfield, IBAN XX00 0000 0000 0000 0000',
    },
    publicBaseUrl: 'http://localhost:3000',
    escalationEmail: ESCALATION_EMAIL,
    invoiceNumberWorkflowIdPrefix: `${taskQueue}-`,
    // As config's default (WORKLOAD_OVERLOAD_HOURS): leadership's digest names who is above it.
    overloadHours: 40,
  });
  return {
    activities,
    mail,
    documentsDir,
    smtp: smtpControl,
    async close() {
      mailer.close();
      await smtpControl.stop();
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}

/** The local SMTP server, stopped and started again on the same port (a mail outage). */
export interface SmtpControl {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Gates a test can put in front of real activities, to land something while one is in flight. */
export interface ActivityGates {
  /** Awaited before a number is allocated (the allocation itself is real). */
  beforeInvoiceNumber?: (input: AllocateInvoiceNumberInput) => Promise<void>;
}

function recording(base: ProjectActivities, effects: Effects, gates: ActivityGates): ProjectActivities {
  return {
    async notify(input) {
      const result = await base.notify(input);
      effects.notices.push({ input, result });
      return result;
    },
    async allocateInvoiceNumber(input) {
      await gates.beforeInvoiceNumber?.(input);
      const result = await base.allocateInvoiceNumber(input);
      effects.invoiceNumbers.push({ input, number: result.number });
      return result;
    },
    async produceDocument(input) {
      const result = await base.produceDocument(input);
      effects.documents.push({ input, result });
      return result;
    },
    async publishSnapshot(input) {
      await base.publishSnapshot(input);
      effects.published.push(input);
    },
    handOverProject: (input) => base.handOverProject(input),
    reassignTask: (input) => base.reassignTask(input),
  };
}

// ---------------------------------------------------------------------------------------------
// One worker per test file
// ---------------------------------------------------------------------------------------------

export interface WorkflowTestEnv {
  temporal: TestTemporal;
  taskQueue: string;
  worker: Worker;
  effects: Effects;
  gates: ActivityGates;
  smtp: SmtpControl;
  /** Mail the local SMTP server received. */
  mail: ReceivedMail[];
  /** Where the document store writes (`<projectId>/<documentId>.pdf`). */
  documentsDir: string;
  /** The reporting store this worker publishes to (a schema of its own on the run's PGlite). */
  reporting: ReportingStore;
  /** Starts the worker again after `stopWorker` (a crashed process coming back). */
  restartWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startWorkflowTestEnv(options: { maxCachedWorkflows?: number } = {}): Promise<WorkflowTestEnv> {
  const temporal = await connectTestTemporal();
  const taskQueue = uniqueId('wf');
  const effects: Effects = { notices: [], documents: [], invoiceNumbers: [], published: [] };
  const reporting = await openTestStore();
  const real = await realActivities(temporal, taskQueue, reporting);
  const gates: ActivityGates = {};
  const activities = recording(real.activities, effects, gates);
  let worker = await createTestWorker(temporal, { taskQueue, activities, maxCachedWorkflows: options.maxCachedWorkflows });
  let running = worker.run();
  return {
    temporal,
    taskQueue,
    effects,
    gates,
    smtp: real.smtp,
    mail: real.mail,
    documentsDir: real.documentsDir,
    reporting: reporting.store,
    get worker() {
      return worker;
    },
    async stopWorker() {
      worker.shutdown();
      await running;
    },
    async restartWorker() {
      worker = await createTestWorker(temporal, { taskQueue, activities, maxCachedWorkflows: options.maxCachedWorkflows });
      running = worker.run();
    },
    async close() {
      if (worker.getState() === 'RUNNING') {
        worker.shutdown();
        await running;
      }
      try {
        await replayEverythingOn(temporal.client, taskQueue);
      } finally {
        await real.close();
        await settleAbandonedCalls();
        await temporal.close();
        await reporting.dispose();
      }
    },
  };
}

/** Mail received for one notice (by its idempotency key). */
export const mailFor = (env: WorkflowTestEnv, notice: NotifyInput): ReceivedMail[] =>
  env.mail.filter((m) => m.idempotencyKey === notice.idempotencyKey);

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

const S = 1_000;

/** Long enough that nothing fires during a test unless the test shortens it. */
export const QUIET_POLICY: Policy = {
  approvalSlaMs: 600 * S,
  escalationSlaMs: 1_200 * S,
  reminderLeadMs: 300 * S,
  overdueGraceMs: 300 * S,
  acceptanceWindowMs: 600 * S,
  paymentTermsMs: 600 * S,
  paymentEscalationMs: 600 * S,
  startAfterPrepayment: false,
};

export const inSeconds = (seconds: number): string => new Date(Date.now() + seconds * S).toISOString();

export function projectInput(overrides: Partial<Omit<ProjectInput, 'policy'>> & { policy?: Partial<Policy> } = {}): ProjectInput {
  const projectId = overrides.projectId ?? uniqueId('p');
  const { policy, ...rest } = overrides;
  return {
    projectId,
    managerId: MANAGER.id,
    client: { id: 'client-acme', name: 'Acme Ltd', segment: 'B2B', email: 'buyer@acme.example' },
    title: 'Spring campaign',
    brief: 'Landing page, copy and an ads campaign for the spring launch.',
    departments: ['design', 'copywriting', 'ads'],
    budget: { amount: 5_000, currency: 'EUR' },
    desiredDeadline: inSeconds(3_600),
    // As the API starts projects today (`{ patchBaseline: undefined }`: as runs started before baselines).
    patchBaseline: CURRENT_PATCH_BASELINE,
    ...rest,
    policy: { ...QUIET_POLICY, ...policy },
  };
}

export function planTask(key: string, department: Department, overrides: Partial<PlanTask> = {}): PlanTask {
  return {
    key,
    department,
    title: `${department} work ${key}`,
    description: '',
    estimateHours: 8,
    dueAt: inSeconds(900),
    price: 1_000,
    dependsOn: [],
    ...overrides,
  };
}

export function plan(tasks: PlanTask[], overrides: Partial<Omit<SubmitPlanInput, 'tasks'>> = {}): SubmitPlanInput {
  return { tasks, prepaymentPercent: 0, includedRevisionRounds: 1, by: MANAGER, ...overrides };
}

// ---------------------------------------------------------------------------------------------
// Driving a project
// ---------------------------------------------------------------------------------------------

export async function startProject(env: WorkflowTestEnv, input: ProjectInput): Promise<WorkflowHandle> {
  return env.temporal.client.workflow.start('projectWorkflow', {
    taskQueue: env.taskQueue,
    workflowId: projectWorkflowId(input.projectId),
    args: [input],
  });
}

/** A complaint as the feedback update takes it: made by the manager unless someone else is named. */
export const complaint = (description: string, by: RecordFeedbackInput['by'] = MANAGER): RecordFeedbackInput => ({ feedback: { kind: 'complaint', description }, by });

export const statusOf = (handle: WorkflowHandle): Promise<ProjectStatus> => handle.query(getStatusQuery);

/** Runs a project update and reads the snapshot it produced (updates answer with its version only). */
export async function projectUpdate<I>(
  handle: WorkflowHandle,
  update: UpdateDefinition<ProjectActionResult, [I]>,
  options: { args: [I]; updateId?: string },
): Promise<ProjectStatus> {
  const { version } = await handle.executeUpdate(update, options);
  const status = await statusOf(handle);
  if (status.version < version) throw new Error(`status query older (${status.version}) than the update's answer (${version})`);
  return status;
}

/**
 * Records a payment (or a refund paid out, on a credit note), paid now by default, by leadership
 * unless `by` says who.
 */
export function pay(
  handle: WorkflowHandle,
  payment: Omit<RecordPaymentInput, 'by' | 'paidAt'> & Partial<Pick<RecordPaymentInput, 'by' | 'paidAt'>>,
): Promise<ProjectStatus> {
  return projectUpdate(handle, recordPaymentUpdate, { args: [{ paidAt: new Date().toISOString(), by: LEADER, ...payment }] });
}

/** Waits for the project's invoice of `kind` (its PDF made), then pays what is still owed on it. */
export async function payInFull(handle: WorkflowHandle, kind: 'final' | 'prepayment' | 'cancellation' = 'final'): Promise<ProjectStatus> {
  const s = await waitForStatus(handle, (x) => x.invoices.some((i) => i.kind === kind && i.documentId !== undefined), `${kind} invoice`);
  const invoice = s.invoices.find((i) => i.kind === kind)!;
  return pay(handle, { invoiceNumber: invoice.number, amount: invoice.amount - invoice.paidAmount, reference: `${invoice.number}-full` });
}

/** The business failure an update was refused with: its type and the field it names. */
export async function refusal(promise: Promise<unknown>): Promise<{ type?: string | null; field?: string }> {
  try {
    await promise;
  } catch (err) {
    const failure = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    return { type: failure.type, field: (failure.details?.[0] as { field?: string } | undefined)?.field };
  }
  throw new Error('expected the update to be refused');
}

export async function waitForStatus(
  handle: WorkflowHandle,
  done: (s: ProjectStatus) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<ProjectStatus> {
  return eventually(
    async () => {
      const s = await statusOf(handle);
      return done(s) ? s : undefined;
    },
    { timeoutMs, what, intervalMs: 150 },
  );
}

/** Submits a plan and has leadership approve it: the project is in production. */
export async function approvePlan(handle: WorkflowHandle, submitted: SubmitPlanInput): Promise<ProjectStatus> {
  const afterSubmit = await projectUpdate(handle, submitPlanUpdate, { args: [submitted] });
  return projectUpdate(handle, decidePlanUpdate, {
    args: [{ planVersion: afterSubmit.pendingPlanVersion!, decision: 'approve', comment: 'go', by: LEADER }],
  });
}

export function taskHandle(env: WorkflowTestEnv, projectId: string, key: string): WorkflowHandle {
  return env.temporal.client.workflow.getHandle(taskWorkflowId(taskId(projectId, key)));
}

export async function waitForTask(
  env: WorkflowTestEnv,
  projectId: string,
  key: string,
  done: (v: TaskView) => boolean,
  what = `task ${key}`,
  timeoutMs = 30_000,
): Promise<TaskView> {
  const handle = taskHandle(env, projectId, key);
  return eventually(
    async () => {
      const view = await handle.query(getTaskStatusQuery);
      return done(view) ? view : undefined;
    },
    { timeoutMs, what, intervalMs: 150 },
  );
}

/** A department member takes the task, delivers it, and the manager accepts it. */
export async function deliverTask(env: WorkflowTestEnv, projectId: string, key: string, department: Department): Promise<TaskView> {
  await waitForTask(env, projectId, key, (v) => v.status === 'open', `${key} open`);
  const handle = taskHandle(env, projectId, key);
  const by = staff(department);
  await handle.executeUpdate(claimTaskUpdate, { args: [{ by }] });
  await handle.executeUpdate(submitTaskUpdate, { args: [{ by, summary: `done ${key}`, links: ['https://drive.example/x'] }] });
  return handle.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });
}

// ---------------------------------------------------------------------------------------------
// Assertions on effects
// ---------------------------------------------------------------------------------------------

/** Notices actually sent (not deduplicated repeats) for this project, optionally one template. */
export function noticesFor(env: WorkflowTestEnv, projectId: string, template?: NotifyInput['template']): NotifyInput[] {
  return env.effects.notices
    .filter((n) => n.input.projectId === projectId && !n.result.duplicate)
    .filter((n) => template === undefined || n.input.template === template)
    .map((n) => n.input);
}

export function documentsFor(env: WorkflowTestEnv, projectId: string): ProduceDocumentInput[] {
  return env.effects.documents.filter((d) => d.input.projectId === projectId).map((d) => d.input);
}

/** Waits until a notice of this template went out for the project (the outbox is asynchronous). */
export function waitForNotice(
  env: WorkflowTestEnv,
  projectId: string,
  template: NotifyInput['template'],
  count = 1,
  timeoutMs = 20_000,
): Promise<NotifyInput[]> {
  return eventually(
    async () => {
      const found = noticesFor(env, projectId, template);
      return found.length >= count ? found : undefined;
    },
    { timeoutMs, what: `${count} × ${template}`, intervalMs: 100 },
  );
}

export const timelineEvents = (s: ProjectStatus): string[] => s.timeline.map((e) => e.event);

// ---------------------------------------------------------------------------------------------
// Replay fixtures
// ---------------------------------------------------------------------------------------------

export const HISTORIES_DIR = path.join(__dirname, 'histories');

/**
 * History ⇄ JSON through @temporalio/proto's own protobufjs (enum names, base64 bytes, string
 * longs). Not `historyToJSON` from @temporalio/common: in this install common and proto each carry
 * their own copy of protobufjs 8, and its protojson `toJson` rejects the other copy's types
 * ("type must be a Type").
 */
export function historyToFixture(history: temporal.api.history.v1.IHistory): string {
  return `${JSON.stringify(temporal.api.history.v1.History.fromObject(history).toJSON(), null, 1)}\n`;
}

export function historyFromFixture(json: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(json) as Record<string, unknown>);
}

/**
 * With RECORD_HISTORIES=1, saves the run's history as a replay fixture `histories/<name>.json`
 * (`RECORD_HISTORIES=1 npx jest test/workflows`; see histories/README.md). A fixture is never
 * replaced: it proves that runs recorded on older code still replay, so an existing file is kept
 * (to record a path again, first move the old file into a frozen folder such as histories/v1/).
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (fs.existsSync(file)) {
    process.stderr.write(`recordHistory: ${path.relative(process.cwd(), file)} exists, kept as it is\n`);
    return;
  }
  const history = await handle.fetchHistory();
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  // 'wx': two tests racing on one name never overwrite each other either.
  fs.writeFileSync(file, historyToFixture(history), { flag: 'wx' });
}

/** Every fixture under histories/, nested folders included, as paths relative to it ('v1/x.json'). */
export function historyFixtureFiles(dir = HISTORIES_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** Every patch id the workflow code asks about, `patched('x')` and `deprecatePatch('x')` alike. */
export function patchIdsInWorkflowCode(): string[] {
  const dir = path.join(__dirname, '..', '..', 'workflows');
  const ids = new Set<string>();
  for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const match of source.matchAll(/\b(?:patched|deprecatePatch)\(\s*(['"`])([^'"`]+)\1/g)) ids.add(match[2]);
  }
  return [...ids].sort();
}

/** The patch ids a history's markers carry (`patched()` / `deprecatePatch()` write one per id). */
export function patchIdsIn(history: temporal.api.history.v1.IHistory): string[] {
  const ids = new Set<string>();
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') continue;
    for (const payload of marker.details?.['patch-data']?.payloads ?? []) {
      if (!payload.data) continue;
      const { id } = JSON.parse(Buffer.from(payload.data).toString('utf8')) as { id?: unknown };
      if (typeof id === 'string') ids.add(id);
    }
  }
  return [...ids];
}
