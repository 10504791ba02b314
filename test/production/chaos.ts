/**
 * `npm run test:chaos`: whole project lifecycles through HTTP on the production topology
 * (test/production/stack.ts) while processes die under them, then an audit of every effect.
 *
 * Load: CHAOS_PROJECTS (default 30) projects, started three seconds apart, each driven to its end
 * through the API as its people would: plan, approval, prepayments, tasks claimed, delivered,
 * sent back ("changes requested") and accepted, client revision rounds, complaints, payments
 * (some imported twice, as bank statements are), and one cancellation that bills the accepted
 * work. Every mail goes to a real SMTP server in this process, which keeps each one.
 *
 * Faults, at random moments (CHAOS_SEED makes a run repeatable): the worker SIGKILLed five times,
 * the API SIGKILLed once, the Temporal server restarted once; a second worker shares the task
 * queue for part of the run (a SIGKILL then hits one of the two at random).
 *
 * CHAOS_FAULTS=0 runs the same load and audit without faults (a baseline).
 *
 * Audit: every project reached its final stage and its workflow (and each task's) completed;
 * every document exists once (API list, workflow status and the disk agree); invoice numbers
 * are unique and gapless; every payment counted once; no recipient got the same notice twice
 * (by Message-ID and by idempotency key); no notice was given up; every project and task
 * history replays on the code that wrote it. The figures are printed; any
 * miss fails the run (exit 1).
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { TEMP_PREFIX } from '../../activities/documents/store';
import { clientConnectionOptions } from '../../common/temporal';
import { ensureTemporalCli } from '../../common/temporal-cli';
import { getStatusQuery, projectWorkflowId, type ProjectStatus } from '../../workflows/project/contract';
import { taskWorkflowId } from '../../workflows/task/contract';
import type { PersonKey } from '../support/api';
import { Http, runJourney, variantFor, type Journey } from './journeys';
import { installCleanupHandlers } from './processes';
import { ProductionStack } from './stack';

const PROJECTS = Number(process.env.CHAOS_PROJECTS ?? 30);
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
const WORKER_KILLS = 5;
const JOURNEY_TIMEOUT_MS = Number(process.env.CHAOS_TIMEOUT_MS ?? 20 * 60_000);
/** CHAOS_FAULTS=0: the same load and audit without faults, a baseline to tell a fault's effect from the load's. */
const FAULTS = process.env.CHAOS_FAULTS !== '0';

// ---------------------------------------------------------------------------------------------
// Randomness that a seed repeats (mulberry32)
// ---------------------------------------------------------------------------------------------

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const between = (min: number, max: number): number => min + random() * (max - min);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const startedAt = Date.now();
const say = (m: string) => process.stdout.write(`[${seconds(Date.now() - startedAt).padStart(7)}] ${m}\n`);

// ---------------------------------------------------------------------------------------------
// The SMTP sink: every message, with its envelope recipient, Message-ID and idempotency key
// ---------------------------------------------------------------------------------------------

interface Delivered {
  to: string;
  messageId: string;
  key: string;
  subject: string;
  /** When the sink had the message (before its 250 reached the sender), since the run began. */
  atMs: number;
}

async function startSmtpSink(): Promise<{ port: number; mails: Delivered[]; resets(): number; close(): Promise<void> }> {
  const mails: Delivered[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const key = String(parsed.headers.get('x-agencyflow-idempotency-key') ?? '');
          for (const rcpt of session.envelope.rcptTo) {
            mails.push({ to: rcpt.address.toLowerCase(), messageId: parsed.messageId ?? '', key, subject: parsed.subject ?? '', atMs: Date.now() - startedAt });
          }
          callback();
        })
        .catch(callback);
    },
  });
  // A worker SIGKILLed in the middle of a session resets its connection: that is the point here.
  let resets = 0;
  server.on('error', () => {
    resets += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    resets: () => resets,
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

interface FaultLog {
  /** Faults that hit while no journey was running any more (the run is then too short to count). */
  late: number;
  workerKills: number;
  /** When each worker SIGKILL was sent, since the run began. */
  workerKillsAtMs: number[];
  apiKills: number;
  serverRestarts: number;
  twoWorkersMs: number;
  events: string[];
}

async function injectFaults(stack: ProductionStack, inFlight: () => number, log: FaultLog): Promise<void> {
  const note = (event: string) => {
    log.events.push(`${seconds(Date.now() - startedAt)} ${event}`);
    say(`fault: ${event} (${inFlight()} journeys in flight)`);
  };
  const faults: ('worker' | 'api' | 'server')[] = [...Array<'worker'>(WORKER_KILLS).fill('worker'), 'api', 'server'];
  for (let i = faults.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [faults[i], faults[j]] = [faults[j], faults[i]];
  }
  let twoSince: number | undefined;
  let workerSeq = 2;
  // Starting a replacement worker takes 15-30 s here (npm, tsx, the bundle, connecting): short
  // pauses between faults keep all of them inside the run.
  await sleep(between(5_000, 10_000));
  for (let n = 0; n < faults.length; n++) {
    if (inFlight() === 0) {
      log.late += 1;
      note(`fault ${n + 1} comes after every journey ended`);
    }
    // A second worker on the same task queue from the second fault to the fifth.
    if (n === 1) {
      await stack.startWorker(`worker-${workerSeq++}`);
      twoSince = Date.now();
      note(`second worker started: ${[...stack.workers.keys()].join(' + ')} share the task queue`);
    }
    if (n === 5 && twoSince !== undefined && stack.workers.size > 1) {
      const name = [...stack.workers.keys()].pop()!;
      await stack.stopWorker(name, 'SIGTERM');
      log.twoWorkersMs += Date.now() - twoSince;
      twoSince = undefined;
      note(`${name} stopped (SIGTERM): one worker again`);
    }
    const fault = faults[n];
    if (fault === 'worker') {
      const names = [...stack.workers.keys()];
      const victim = names[Math.floor(random() * names.length)];
      log.workerKillsAtMs.push(Date.now() - startedAt);
      await stack.stopWorker(victim, 'SIGKILL');
      log.workerKills += 1;
      note(`SIGKILL ${victim} (${log.workerKills}/${WORKER_KILLS})`);
      await sleep(between(1_000, 6_000));
      const replacement = `worker-${workerSeq++}`;
      await stack.startWorker(replacement);
      note(`${replacement} started and polling`);
    } else if (fault === 'api') {
      await stack.killApi('SIGKILL');
      log.apiKills += 1;
      note('SIGKILL api');
      await sleep(between(1_000, 4_000));
      await stack.startApi();
      note('api started and ready');
    } else {
      const t = Date.now();
      await stack.stopTemporal('SIGTERM');
      note('Temporal server stopped (SIGTERM)');
      await sleep(between(1_000, 3_000));
      await stack.startTemporal();
      log.serverRestarts += 1;
      note(`Temporal server serving again (down ${seconds(Date.now() - t)})`);
    }
    await sleep(between(3_000, 8_000));
  }
  if (twoSince !== undefined) log.twoWorkersMs += Date.now() - twoSince;
}

// ---------------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------------

interface Figures {
  [name: string]: string | number;
}

async function audit(
  stack: ProductionStack,
  http: Http,
  journeys: Journey[],
  mails: Delivered[],
  smtpResets: number,
  faults: FaultLog,
): Promise<{ figures: Figures; misses: string[]; killWindowRepeats: number }> {
  const misses: string[] = [];
  const miss = (m: string) => misses.push(m);
  const connection = await Connection.connect({ address: stack.temporalAddress, ...clientConnectionOptions() });
  const client = new Client({ connection, namespace: 'default' });
  const statuses = new Map<string, ProjectStatus>();
  for (const j of journeys) {
    if (j.error) miss(`project ${j.index} (${j.projectId ?? 'not created'}): ${j.error}`);
    if (!j.projectId) continue;
    try {
      statuses.set(j.projectId, await http.get<ProjectStatus>(j.manager, `/api/projects/${j.projectId}`, { internalErrors: 3 }));
    } catch (err) {
      // What the API hid behind its 500: the query's own failure, asked directly.
      const direct = await client.workflow
        .getHandle(projectWorkflowId(j.projectId))
        .query(getStatusQuery)
        .then(
          () => 'a direct query answers',
          (e: Error & { cause?: { code?: number; details?: string } }) => `a direct query fails: ${e.name}: ${e.message} (gRPC ${e.cause?.code}: ${e.cause?.details ?? ''})`,
        );
      miss(`${j.projectId}: status unreadable through the API (${(err as Error).message.slice(0, 120)}); ${direct}`);
    }
  }

  // A workflow at its final stage closes once its last notices are out and its last snapshot is
  // published; an activity attempt that died with a killed worker is retried only after its
  // timeout (a notice's heartbeat timeout is 90 s), so the closing is waited for, within bounds.
  const closingIds = [...statuses.values()].flatMap((s) => [projectWorkflowId(s.projectId), ...s.tasks.map((t) => taskWorkflowId(t.taskId))]);
  const closingDeadline = Date.now() + 240_000;
  for (;;) {
    const running: string[] = [];
    for (const id of closingIds) {
      const d = await client.workflow.getHandle(id).describe().catch(() => undefined);
      if (d?.status.name === 'RUNNING') running.push(id);
    }
    if (running.length === 0 || Date.now() > closingDeadline) {
      say(`workflows still closing after the journeys: ${running.length}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }

  // Final stages, and the workflows themselves closed as completed.
  let completed = 0;
  let cancelled = 0;
  let workflowsClosed = 0;
  let taskWorkflowsClosed = 0;
  let taskWorkflows = 0;
  // A project that did not end: why its workflow is stuck (a workflow task failing on every worker).
  for (const j of journeys) {
    if (!j.projectId || statuses.get(j.projectId)?.stage === (j.variant.cancel ? 'cancelled' : 'completed')) continue;
    const handle = client.workflow.getHandle(projectWorkflowId(j.projectId));
    const described = await handle.describe().catch(() => undefined);
    if (described?.status.name === 'COMPLETED') continue;
    const history = await handle.fetchHistory().catch(() => undefined);
    const failed = (history?.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    const last = failed[failed.length - 1]?.workflowTaskFailedEventAttributes?.failure?.message;
    miss(`${j.projectId}: workflow ${described?.status.name ?? 'unknown'}${failed.length ? `, ${failed.length} workflow tasks failed, the last: ${last}` : ''}`);
  }
  for (const j of journeys) {
    const s = j.projectId ? statuses.get(j.projectId) : undefined;
    if (!s) continue;
    const expected = j.variant.cancel ? 'cancelled' : 'completed';
    if (s.stage !== expected) miss(`${s.projectId}: stage ${s.stage}, expected ${expected}`);
    if (s.stage === 'completed') completed += 1;
    if (s.stage === 'cancelled') cancelled += 1;
    const described = await client.workflow.getHandle(projectWorkflowId(s.projectId)).describe();
    if (described.status.name === 'COMPLETED') workflowsClosed += 1;
    else miss(`${s.projectId}: workflow ${described.status.name}`);
    for (const t of s.tasks) {
      taskWorkflows += 1;
      const d = await client.workflow.getHandle(taskWorkflowId(t.taskId)).describe().catch(() => undefined);
      if (d?.status.name === 'COMPLETED') taskWorkflowsClosed += 1;
      else miss(`${t.taskId}: task workflow ${d?.status.name ?? 'missing'}`);
    }
    const failedNotices = s.timeline.filter((e) => e.event === 'notification_failed' || e.event === 'task_failed');
    for (const e of failedNotices) miss(`${s.projectId}: ${e.event} ${e.detail ?? ''}`);
  }

  // Every history replays on the code that wrote it: a closed workflow answers queries (the API's
  // GET) only by replay, so a nondeterministic history is a project nobody can read any more.
  let replayed = 0;
  const ids = journeys.flatMap((j) => (j.projectId ? [projectWorkflowId(j.projectId)] : []));
  for (const s of statuses.values()) for (const t of s.tasks) ids.push(taskWorkflowId(t.taskId));
  const fetched = new Map<string, temporal.api.history.v1.IHistory>();
  const histories = (async function* () {
    for (const workflowId of ids) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      fetched.set(workflowId, history);
      yield { workflowId, history };
    }
  })();
  // A history that does not replay is kept for study (CHAOS_EVIDENCE_DIR, else the OS temp folder).
  const evidenceDir = process.env.CHAOS_EVIDENCE_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-chaos-evidence-'));
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: stack.bundlePath } }, histories)) {
    if (!result.error) replayed += 1;
    else {
      const file = path.join(evidenceDir, `${result.workflowId}.json`);
      fs.mkdirSync(evidenceDir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(temporal.api.history.v1.History.fromObject(fetched.get(result.workflowId)!).toJSON()));
      const reason = result.error.message.match(/\[TMPRL1100\][^"]*/)?.[0] ?? result.error.message.slice(0, 200);
      const known = updateAcceptedLate(fetched.get(result.workflowId)!, reason) ? ' — the SDK bug `npm run repro:sdk-query-update` shows' : '';
      miss(`${result.workflowId} does not replay (history in ${file}): ${reason}${known}`);
    }
  }
  await connection.close();

  // Documents: the API's list, the workflow's own list and the files on disk, each exactly once.
  let documents = 0;
  let tempFilesLeft = 0;
  for (const j of journeys) {
    const s = j.projectId ? statuses.get(j.projectId) : undefined;
    if (!s) continue;
    const listed = (await http.get<{ items: { documentId: string; kind: string }[] }>(j.manager, `/api/projects/${s.projectId}/documents`)).items;
    const kinds = listed.map((d) => d.kind).sort();
    const expected = [...j.expectedDocuments].sort();
    if (JSON.stringify(kinds) !== JSON.stringify(expected)) miss(`${s.projectId}: documents ${kinds.join(',')}, expected ${expected.join(',')}`);
    if (new Set(listed.map((d) => d.documentId)).size !== listed.length) miss(`${s.projectId}: a document listed twice`);
    const inStatus = s.documents.map((d) => d.documentId).sort();
    if (JSON.stringify(inStatus) !== JSON.stringify(listed.map((d) => d.documentId).sort())) miss(`${s.projectId}: status and store list different documents`);
    const dir = path.join(stack.documentsDir, s.projectId);
    // A worker killed while writing leaves a `.tmp-…` file (removed by a later write once stale):
    // counted apart, it is no document.
    const all = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const files = all.filter((f) => !f.startsWith(TEMP_PREFIX));
    tempFilesLeft += all.length - files.length;
    const pdfs = files.filter((f) => f.endsWith('.pdf'));
    if (pdfs.length !== listed.length || files.length !== 2 * listed.length) miss(`${s.projectId}: ${files.length} files on disk for ${listed.length} documents`);
    documents += listed.length;
  }

  // Invoice numbers: unique, and gapless from the first of the year (the database is new).
  const invoices = [...statuses.values()].flatMap((s) => s.invoices);
  const numbers = invoices.map((i) => i.number);
  const duplicateNumbers = numbers.length - new Set(numbers).size;
  if (duplicateNumbers > 0) miss(`${duplicateNumbers} invoice numbers used twice`);
  const byYear = new Map<string, number[]>();
  for (const n of numbers) {
    const m = /^INV-(\d{4})-(\d{6})$/.exec(n);
    if (!m) {
      miss(`invoice number ${n} is malformed`);
      continue;
    }
    byYear.set(m[1], [...(byYear.get(m[1]) ?? []), Number(m[2])]);
  }
  let gaps = 0;
  for (const [year, seqs] of byYear) {
    const max = Math.max(...seqs);
    const missing = max - new Set(seqs).size;
    gaps += missing;
    if (missing > 0 || Math.min(...seqs) !== 1) miss(`invoice numbers of ${year} are not 1..${max} without gaps (${missing} missing)`);
  }

  // Payments: each invoice paid exactly once, though some statements were imported twice.
  let payments = 0;
  for (const invoice of invoices) {
    payments += invoice.payments.length;
    // A prepayment left unpaid when its project was cancelled is voided, never paid.
    if (invoice.status === 'void') {
      if (invoice.payments.length !== 0) miss(`${invoice.number}: voided with ${invoice.payments.length} payments`);
      continue;
    }
    if (invoice.payments.length !== 1) miss(`${invoice.number}: ${invoice.payments.length} payments recorded`);
    if (invoice.paidAmount !== invoice.amount || invoice.status !== 'paid') miss(`${invoice.number}: paid ${invoice.paidAmount} of ${invoice.amount}`);
  }
  const paymentsSent = journeys.reduce((n, j) => n + j.paymentsSent, 0);

  // Mail: no recipient got the same notice twice, by Message-ID or by idempotency key.
  const count = (keyOf: (m: Delivered) => string) => {
    const seen = new Map<string, number>();
    for (const m of mails) seen.set(keyOf(m), (seen.get(keyOf(m)) ?? 0) + 1);
    return [...seen.entries()].filter(([, n]) => n > 1);
  };
  const dupByMessageId = count((m) => `${m.messageId} ${m.to}`);
  const dupByKey = count((m) => `${m.key} ${m.to}`);
  // SMTP has one window no sender can close: the server has taken a message, and the worker is
  // killed before it reads the server's "250 OK" and notes it in the sent-log; the retry sends it
  // again (same Message-ID, so mail clients drop it). README, "What is not finished yet". A copy
  // repeated right after a SIGKILL that fell in that window is counted apart; any other repeat fails the run.
  // The sink notes a message when it has read all of it, which can be a moment after the worker
  // sent its last byte and was killed: a kill up to killLeadMs before that note is in the window too.
  const killWindowMs = 1_500;
  const killLeadMs = 250;
  const copies = (k: string) => mails.filter((m) => `${m.messageId} ${m.to}` === k).sort((a, b) => a.atMs - b.atMs);
  const inKillWindow = (k: string): boolean => {
    const [first, second] = copies(k);
    return faults.workerKillsAtMs.some((at) => at >= first.atMs - killLeadMs && at - first.atMs <= killWindowMs && second.atMs > at);
  };
  const killWindowDups = dupByMessageId.filter(([k, n]) => n === 2 && inKillWindow(k));
  for (const [k, n] of dupByMessageId.filter((d) => !killWindowDups.includes(d)).slice(0, 10)) {
    const [first] = copies(k);
    miss(
      `mail ${k} delivered ${n} times (${first.key}, "${first.subject}") at ${copies(k)
        .map((m) => seconds(m.atMs))
        .join(', ')}; faults: ${faults.events.join('; ')}`,
    );
  }
  // The same notice under two Message-IDs would be two different mails: never explained by a kill.
  for (const [k, n] of dupByKey.slice(0, 10)) {
    const ids = new Set(mails.filter((m) => `${m.key} ${m.to}` === k).map((m) => m.messageId));
    if (ids.size > 1) miss(`notice ${k} delivered ${n} times under ${ids.size} Message-IDs`);
  }
  const withoutKey = mails.filter((m) => !m.key || !m.messageId).length;
  if (withoutKey > 0) miss(`${withoutKey} mails without Message-ID or idempotency key`);
  // Every client heard about each of their invoices.
  for (const j of journeys) {
    const s = j.projectId ? statuses.get(j.projectId) : undefined;
    if (!s) continue;
    const toClient = mails.filter((m) => m.to === j.clientEmail.toLowerCase());
    for (const inv of s.invoices) {
      if (!toClient.some((m) => m.key.endsWith(`invoice-issued:${inv.kind}`))) miss(`${s.projectId}: the client never got invoice ${inv.number}`);
    }
  }

  const durations = journeys.flatMap((j) => (j.finishedMs ? [j.finishedMs] : [])).sort((a, b) => a - b);
  return {
    misses,
    killWindowRepeats: killWindowDups.length,
    figures: {
      projects: journeys.length,
      'reached final stage': `${completed + cancelled} of ${journeys.length} (${completed} completed, ${cancelled} cancelled)`,
      'project workflows completed': `${workflowsClosed} of ${statuses.size}`,
      'task workflows completed': `${taskWorkflowsClosed} of ${taskWorkflows}`,
      'histories replayed on the same code': `${replayed} of ${ids.length}`,
      documents: `${documents} (each once in the API, the workflow and on disk); temp files left by kills: ${tempFilesLeft}`,
      invoices: `${invoices.length}, numbers ${[...byYear.entries()].map(([y, s]) => `${y}: 1..${Math.max(...s)}`).join(', ')}, duplicates ${duplicateNumbers}, gaps ${gaps}`,
      payments: `${payments} counted for ${paymentsSent} paid invoices (${journeys.filter((j) => j.variant.duplicatePayment).length} projects sent each statement twice)`,
      mails: `${mails.length} to ${new Set(mails.map((m) => m.to)).size} recipients, ${new Set(mails.map((m) => m.key)).size} notices; duplicates by Message-ID ${dupByMessageId.length} (${killWindowDups.length} repeated after a SIGKILL in the SMTP window), by idempotency key ${dupByKey.length}`,
      'journey duration': durations.length ? `median ${seconds(durations[Math.floor(durations.length / 2)])}, max ${seconds(durations[durations.length - 1])}` : '-',
      'HTTP retries': http.retries,
      'SMTP sessions cut by a kill': smtpResets,
    },
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // The replay audit runs workers in this process: their own lines only when something is wrong.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // For Ctrl-C: whatever has started by then.
  const started: { stack?: ProductionStack; smtp?: Awaited<ReturnType<typeof startSmtpSink>> } = {};
  installCleanupHandlers(async () => {
    await started.stack?.stop();
    await started.smtp?.close();
  });
  say(`test:chaos: ${PROJECTS} lifecycles, seed ${SEED} (CHAOS_SEED=${SEED} repeats the fault timing)`);
  await ensureTemporalCli({ say, allowDownload: false });
  const smtp = (started.smtp = await startSmtpSink());
  const stack = (started.stack = await ProductionStack.start({
    say,
    passThrough: {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_SECURE: 'false',
      // Thirty journeys poll as three managers: far above a person's rate.
      API_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
  }));
  const upMs = Date.now() - startedAt;
  say(`topology up in ${seconds(upMs)} (working folder ${stack.dir})`);

  const http = new Http(stack.apiUrl, stack.people);
  const managers: PersonKey[] = ['manager', 'otherManager', 'reportManager'];
  const journeys: Journey[] = Array.from({ length: PROJECTS }, (_, index) => ({
    index,
    variant: variantFor(index),
    manager: managers[index % managers.length],
    clientEmail: `client-${index}@chaos.example`,
    expectedDocuments: [],
    paymentsSent: 0,
  }));
  let active = journeys.length;
  const runStarted = Date.now();
  const runs = journeys.map(async (journey, i) => {
    await sleep(i * 3_000);
    try {
      await runJourney(http, journey, { timeoutMs: JOURNEY_TIMEOUT_MS, keyPrefix: `chaos-${SEED}`, payDelayMs: () => between(2_000, 6_000) });
    } catch (err) {
      journey.error = (err as Error).message;
      say(`project ${journey.index} failed: ${journey.error}`);
    } finally {
      active -= 1;
      if (!journey.error) say(`project ${journey.index} ${journey.projectId}: ${journey.finalStage} after ${seconds(journey.finishedMs ?? 0)} (${active} still running)`);
    }
  });
  const faults: FaultLog = { late: 0, workerKills: 0, workerKillsAtMs: [], apiKills: 0, serverRestarts: 0, twoWorkersMs: 0, events: [] };
  const faulting = FAULTS ? injectFaults(stack, () => active, faults) : Promise.resolve();
  await Promise.all([...runs, faulting]);
  const runMs = Date.now() - runStarted;

  // Notices still queued in a workflow go out after the last update: give them a moment.
  await sleep(5_000);
  const { figures, misses, killWindowRepeats } = await audit(stack, http, journeys, smtp.mails, smtp.resets(), faults);
  await stack.stop();
  await smtp.close();

  const faultLine = !FAULTS ? 'none (CHAOS_FAULTS=0: a baseline, not a chaos pass)' : `worker SIGKILL ${faults.workerKills}, API SIGKILL ${faults.apiKills}, Temporal server restart ${faults.serverRestarts}, two workers for ${seconds(faults.twoWorkersMs)}`;
  const lines = [
    '',
    `chaos figures (seed ${SEED}):`,
    `  faults: ${faultLine}`,
    ...Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`),
    `  time: topology ${seconds(upMs)}, lifecycles under faults ${seconds(runMs)}, total ${seconds(Date.now() - startedAt)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const faultMisses = !FAULTS ? [] : [
    ...(faults.workerKills !== WORKER_KILLS ? [`${faults.workerKills} worker kills instead of ${WORKER_KILLS}`] : []),
    ...(faults.apiKills !== 1 ? ['the API was not killed'] : []),
    ...(faults.serverRestarts !== 1 ? ['the Temporal server was not restarted'] : []),
    ...(faults.twoWorkersMs <= 0 ? ['two workers never shared the task queue'] : []),
    ...(faults.late > 0 ? [`${faults.late} faults came after every journey had ended`] : []),
  ];
  const all = [...faultMisses, ...misses];
  if (all.length > 0) {
    process.stdout.write(`\nchaos: ${all.length} MISSES\n${all.map((m) => `  - ${m}`).join('\n')}\n`);
    process.exit(1);
  }
  const repeats = killWindowRepeats === 0 ? 'zero duplicates' : `${killWindowRepeats} mail(s) repeated after a worker SIGKILL in the SMTP window (README), no other duplicate`;
  process.stdout.write(`\nchaos${FAULTS ? '' : ' baseline (no faults)'}: 100% of projects reached their final stage; ${repeats}, zero gaps, zero misses\n`);
  process.exit(0);
}

main().catch((err: Error) => {
  process.stderr.write(`test:chaos failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});

/**
 * The shape of the SDK bug in scripts/sdk-repro: the replay fails on a command event that the
 * history has *before* an update's acceptance written by the same workflow task (README, What is
 * not finished yet). Named in the run's output; still a miss.
 */
function updateAcceptedLate(history: temporal.api.history.v1.IHistory, reason: string): boolean {
  const at = reason.match(/Update machine does not handle this event: HistoryEvent\(id: (\d+)/)?.[1];
  if (!at) return false;
  const events = history.events ?? [];
  const start = events.findIndex((e) => String(e.eventId) === at);
  const Type = temporal.api.enums.v1.EventType;
  for (const e of events.slice(start + 1)) {
    if (e.eventType === Type.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) return true;
    if (e.eventType === Type.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED || e.eventType === Type.EVENT_TYPE_WORKFLOW_TASK_STARTED) return false;
  }
  return false;
}
