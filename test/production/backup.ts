/**
 * `npm run test:backup`: the README's backup and restore, proven. On the production topology
 * (test/production/stack.ts) projects are left at different points of their lifecycle; every
 * database of the stack is dumped with `pg_dump -Fc` while the server runs (the documents folder
 * is copied, as the README says to back up the documents volume); the whole topology is stopped
 * and removed. A fresh PostgreSQL gets the dumps with `pg_restore --create`, the compose file's
 * schema and setup scripts run against it as on every `up`, and a new server, worker and API start
 * on it: every project must be there as it was (status, invoices, documents, lists), and work
 * must go on (a plan approved after the restore gets the next invoice number, not a reused one).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectStatus } from '../../workflows/project/contract';
import { ensureTemporalCli } from '../../common/temporal-cli';
import { Http, runJourney, sleep, variantFor, type Journey } from './journeys';
import { installCleanupHandlers, registerCleanup } from './processes';
import { ProductionStack } from './stack';

const started = Date.now();
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
let lastSaid = '';
const say = (m: string) => {
  lastSaid = m;
  process.stdout.write(`[${seconds(Date.now() - started).padStart(7)}] ${m}\n`);
};
/** A run takes about 3½ minutes; one that cannot finish (a server that never starts, requests retried on 503) fails instead of hanging CI. */
const DEADLINE_MS = 15 * 60_000;

function journey(index: number, until: Journey['until'], prepayment: boolean): Journey {
  return {
    index,
    until,
    variant: { ...variantFor(1), prepayment, sendBack: false, revision: false, complaint: false, duplicatePayment: false, cancel: false },
    manager: 'manager',
    clientEmail: `client-${index}@backup.example`,
    expectedDocuments: [],
    paymentsSent: 0,
  };
}

/** What must survive: the snapshot minus what moves with time. */
function essence(s: ProjectStatus) {
  return {
    stage: s.stage,
    plans: s.plans.map((p) => ({ version: p.version, decision: p.decision?.decision, total: p.total })),
    tasks: s.tasks.map((t) => `${t.taskId}:${t.status}`),
    invoices: s.invoices.map((i) => `${i.number}:${i.kind}:${i.amount}:${i.status}`),
    documents: s.documents.map((d) => d.documentId),
    timeline: s.timeline.length,
  };
}

async function main(): Promise<void> {
  let stack: ProductionStack | undefined;
  installCleanupHandlers(async () => {
    await stack?.stop();
  });
  setTimeout(() => {
    process.stderr.write(`test:backup failed: not done within ${DEADLINE_MS / 60_000} minutes; last step: ${lastSaid}\n`);
    // A graceful stop, but not another hang: the exit kills whatever is left (processes.ts).
    void Promise.race([stack?.stop(), sleep(60_000)]).finally(() => process.exit(1));
  }, DEADLINE_MS).unref();
  const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-backup-'));
  const unregister = registerCleanup(() => fs.rmSync(backupDir, { recursive: true, force: true }));
  await ensureTemporalCli({ say, allowDownload: false });

  say('test:backup: projects on the production topology, then pg_dump of every database while the server runs');
  stack = await ProductionStack.start({ say });
  let http = new Http(stack.apiUrl, stack.people);
  const journeys = [
    journey(0, 'created', false),
    journey(1, 'planned', true),
    journey(2, 'approved', true),
    journey(3, undefined, true), // completed, with a prepayment and a final invoice
    journey(4, undefined, false),
  ];
  await Promise.all(journeys.map((j) => runJourney(http, j, { timeoutMs: 5 * 60_000, keyPrefix: `backup-${started}` })));
  // A completed project's workflow runs on for its complaint window (seconds in the journeys) and
  // then records its end: waited for, so the backup is of projects at rest, not one about to move.
  for (const j of journeys) {
    for (let i = 0; ; i++) {
      const s = await http.get<ProjectStatus>(j.manager, `/api/projects/${j.projectId}`);
      if (s.stage !== 'completed' || s.timeline.some((e) => e.event === 'complaint_window_closed')) break;
      if (i >= 60) throw new Error(`${j.projectId}: its complaint window did not end within 30 s`);
      await sleep(500);
    }
  }
  const before = new Map<string, ProjectStatus>();
  for (const j of journeys) before.set(j.projectId!, await http.get<ProjectStatus>(j.manager, `/api/projects/${j.projectId}`));
  say(`projects: ${[...before.values()].map((s) => `${s.projectId} ${s.stage}`).join(', ')}`);
  // A live read can show a stage whose publish is still on its way to the store (a completing
  // project's last publishes); the backup is of what the databases hold, so wait until the store
  // (the manager's list) shows every project where the live read did.
  for (let i = 0; ; i++) {
    const items = (await http.get<{ items: { projectId: string; stage: string }[] }>('manager', '/api/projects?pageSize=100')).items;
    if ([...before.values()].every((s) => items.some((p) => p.projectId === s.projectId && p.stage === s.stage))) break;
    if (i >= 60) throw new Error('the reporting store did not reach the stages the projects showed within 30 s');
    await sleep(500);
  }

  // Someone signed in to the portal: the restore must not bring their session back (a signed-out
  // one would come back with it), so the runbook ends every session.
  const session = await signInToPortal(stack.apiUrl, stack.people.manager.token);
  if ((await portalMe(stack.apiUrl, session)) !== 200) throw new Error('a portal session did not work before the backup');

  const dumpStarted = Date.now();
  const dumps = stack.dumpDatabases(path.join(backupDir, 'dumps'));
  fs.cpSync(stack.documentsDir, path.join(backupDir, 'documents'), { recursive: true });
  const dumpMs = Date.now() - dumpStarted;
  say(`dumped ${dumps.map((d) => `${path.basename(d)} (${Math.round(fs.statSync(d).size / 1024)} KiB)`).join(', ')} and the documents in ${seconds(dumpMs)}`);
  const people = { file: path.join(backupDir, 'people.json'), tokensFile: path.join(backupDir, 'tokens.json') };
  fs.copyFileSync(stack.peopleFile, people.file);
  fs.copyFileSync(stack.peopleTokensFile, people.tokensFile);
  await stack.stop();
  stack = undefined;
  say('the original topology is stopped and its folder removed');

  const restoreStarted = Date.now();
  stack = await ProductionStack.start({ say, restoreFrom: path.join(backupDir, 'dumps'), people });
  fs.cpSync(path.join(backupDir, 'documents'), stack.documentsDir, { recursive: true });
  const restoreMs = Date.now() - restoreStarted;
  say(`restored into a fresh PostgreSQL and a new server in ${seconds(restoreMs)}`);
  http = new Http(stack.apiUrl, stack.people);

  const misses: string[] = [];
  const sessionAfter = await portalMe(stack.apiUrl, session);
  if (sessionAfter !== 401) misses.push(`a portal session from before the backup answered ${sessionAfter} after the restore, expected 401 (ended)`);
  for (const [projectId, was] of before) {
    const now = await http.get<ProjectStatus>('manager', `/api/projects/${projectId}`);
    if (JSON.stringify(essence(now)) !== JSON.stringify(essence(was))) {
      misses.push(`${projectId}: ${JSON.stringify(essence(was))} became ${JSON.stringify(essence(now))}`);
    }
    for (const doc of now.documents) {
      const res = await fetch(`${stack.apiUrl}/api/documents/${doc.documentId}`, { headers: { Authorization: `Bearer ${stack.people.manager.token}` } });
      const bytes = Buffer.from(await res.arrayBuffer());
      const digest = createHash('sha256').update(bytes).digest('base64');
      if (res.status !== 200 || res.headers.get('repr-digest') !== `sha-256=:${digest}:`) misses.push(`${doc.documentId}: ${res.status} after the restore`);
    }
  }
  // Visibility came back too: the manager's list shows every project.
  let listed: string[] = [];
  for (let i = 0; i < 60; i++) {
    listed = (await http.get<{ items: { projectId: string }[] }>('manager', '/api/projects?pageSize=100')).items.map((p) => p.projectId);
    if ([...before.keys()].every((id) => listed.includes(id))) break;
    await sleep(1_000);
  }
  for (const id of before.keys()) if (!listed.includes(id)) misses.push(`${id} missing from the project list after the restore`);

  // Work goes on: the plan waiting for a decision is approved and gets the next invoice number.
  const waiting = journeys[1];
  const highest = Math.max(...[...before.values()].flatMap((s) => s.invoices.map((i) => Number(i.number.slice(-6)))));
  await http.act('leadership', 'POST', `/api/projects/${waiting.projectId}/plan/decision`, { planVersion: 1, decision: 'approve', comment: 'After the restore' }, async () => false);
  let invoice: string | undefined;
  for (let i = 0; i < 120 && !invoice; i++) {
    invoice = (await http.get<ProjectStatus>('manager', `/api/projects/${waiting.projectId}`)).invoices[0]?.number;
    if (!invoice) await sleep(1_000);
  }
  if (!invoice || Number(invoice.slice(-6)) !== highest + 1) misses.push(`after the restore the next invoice is ${invoice}, expected number ${highest + 1}`);
  await stack.stop();
  stack = undefined;
  fs.rmSync(backupDir, { recursive: true, force: true });
  unregister();

  process.stdout.write(
    `\nbackup figures: ${before.size} projects (${[...before.values()].map((s) => s.stage).join(', ')}), ` +
      `${[...before.values()].reduce((n, s) => n + s.invoices.length, 0)} invoices, ${[...before.values()].reduce((n, s) => n + s.documents.length, 0)} documents; ` +
      `dump ${seconds(dumpMs)}, restore and start ${seconds(restoreMs)}, next invoice after restore ${invoice}; total ${seconds(Date.now() - started)}\n`,
  );
  if (misses.length > 0) {
    process.stdout.write(`backup: ${misses.length} MISSES\n${misses.map((m) => `  - ${m}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write('backup: every project, invoice and document is there after the restore, portal sessions are ended, and work goes on\n');
  process.exit(0);
}

/** Signs in as the portal does; returns the session cookie (`name=value`). */
async function signInToPortal(apiUrl: string, token: string): Promise<string> {
  const res = await fetch(`${apiUrl}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 201 || !cookie) throw new Error(`portal sign-in answered ${res.status}`);
  return cookie;
}

const portalMe = async (apiUrl: string, cookie: string): Promise<number> => (await fetch(`${apiUrl}/api/me`, { headers: { Cookie: cookie } })).status;

main().catch((err: Error) => {
  process.stderr.write(`test:backup failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
