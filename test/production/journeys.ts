/**
 * Whole project lifecycles driven through HTTP alone, as a patient client that survives dead
 * processes: shared by the chaos run (test/production/chaos.ts) and the backup check
 * (test/production/backup.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ProjectStatus } from '../../workflows/project/contract';
import type { PersonKey, TestPerson } from '../support/api';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

// ---------------------------------------------------------------------------------------------
// HTTP as a patient client: retries through dead processes, and knows an action that went
// through before the connection broke
// ---------------------------------------------------------------------------------------------

export class Http {
  retries = 0;
  constructor(
    private readonly base: string,
    private readonly people: Record<PersonKey, TestPerson>,
  ) {}

  private async once(who: PersonKey, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.people[who].token}`,
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json as Record<string, unknown> };
  }

  /**
   * GET until it answers 200: the API or Temporal may be down for a while (no answer, 502, 503).
   * A 500 is the API's own failure, not an outage: after `internalErrors` of them in a row the
   * GET fails with the problem's detail.
   */
  async get<T>(who: PersonKey, url: string, options: { internalErrors?: number } = {}): Promise<T> {
    let internal = 0;
    for (let attempt = 0; ; attempt++) {
      let last = '';
      try {
        const res = await this.once(who, 'GET', url);
        if (res.status === 200) return res.body as T;
        last = `${res.status} ${JSON.stringify(res.body)}`;
        if (res.status < 500 && res.status !== 429) throw new Error(`GET ${url} as ${who}: ${last}`);
        internal = res.status === 500 ? internal + 1 : 0;
        if (internal >= (options.internalErrors ?? 30)) throw new Error(`GET ${url} as ${who}: ${last}`);
      } catch (err) {
        if ((err as Error).message.startsWith('GET ')) throw err;
        last = (err as Error).message;
      }
      this.retries += 1;
      if (attempt > 600) throw new Error(`GET ${url}: no answer after ${attempt} attempts (${last})`);
      await sleep(1_000);
    }
  }

  /**
   * An action (POST/PUT/PATCH). Network errors and 5xx are retried. A 4xx answer to a retry may
   * mean the first attempt went through before its answer was lost: `done` then decides.
   */
  async act(
    who: PersonKey,
    method: string,
    url: string,
    body: unknown,
    done: () => Promise<boolean>,
    headers: Record<string, string> = {},
    /** A refusal that is an acceptable answer here (e.g. 409 "closed" for a statement imported again). */
    acceptable?: (status: number, body: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown> | undefined> {
    let retried = false;
    // One key for every attempt of this action, as a real client sends it: a retry whose first try
    // went through is answered with the first answer instead of acting twice (a snapshot read
    // from the store just before the first try landed once made a complaint go in twice).
    const keyed = { 'Idempotency-Key': randomUUID(), ...headers };
    for (let attempt = 0; ; attempt++) {
      let last = '';
      try {
        const res = await this.once(who, method, url, body, keyed);
        if (res.status >= 200 && res.status < 300) return res.body;
        if (acceptable?.(res.status, res.body)) return res.body;
        last = `${res.status} ${JSON.stringify(res.body)}`;
        if (res.status < 500 && res.status !== 429) {
          if (retried && (await done())) return undefined;
          throw new Error(`${method} ${url} as ${who}: ${last}`);
        }
      } catch (err) {
        if ((err as Error).message.startsWith(`${method} ${url}`)) throw err;
        last = (err as Error).message;
      }
      retried = true;
      this.retries += 1;
      if (attempt > 600) throw new Error(`${method} ${url}: gave up after ${attempt} attempts (${last})`);
      // Maybe it went through after all (the answer was lost): no need to send it again.
      if (attempt > 0 && (await done().catch(() => false))) return undefined;
      await sleep(1_000);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One project's lifecycle
// ---------------------------------------------------------------------------------------------

export interface Variant {
  prepayment: boolean;
  sendBack: boolean;
  revision: boolean;
  complaint: boolean;
  duplicatePayment: boolean;
  cancel: boolean;
}

export function variantFor(i: number): Variant {
  return {
    prepayment: i % 3 === 0,
    sendBack: i % 4 === 1,
    revision: i % 5 === 2,
    complaint: i % 7 === 3,
    duplicatePayment: i % 2 === 0,
    // Every twentieth from the eighth (two in chaos's 30): it bills the work accepted, less the
    // prepayment where there was one (the 28th).
    cancel: i % 20 === 7,
  };
}

export interface TaskView {
  taskId: string;
  status: string;
  assigneeId?: string;
  reviewRounds: number;
}

export interface Journey {
  index: number;
  /** Stop once the project got this far (the backup check leaves projects mid-way); default: the end. */
  until?: 'created' | 'planned' | 'approved';
  variant: Variant;
  manager: PersonKey;
  clientEmail: string;
  projectId?: string;
  finalStage?: string;
  expectedDocuments: string[];
  paymentsSent: number;
  error?: string;
  finishedMs?: number;
}

export interface JourneyOptions {
  /** How long one wait (a stage, a task state) may take before the journey fails. */
  timeoutMs: number;
  /** Idempotency-Key of the create: `<keyPrefix>-<index>`. */
  keyPrefix: string;
  /** Pause before paying the final invoice (its terms are three seconds: reminders go out). */
  payDelayMs?: () => number;
}

export async function runJourney(http: Http, journey: Journey, options: JourneyOptions): Promise<void> {
  const JOURNEY_TIMEOUT_MS = options.timeoutMs;
  const { variant, manager } = journey;
  const started = Date.now();
  const status = () => http.get<ProjectStatus>(manager, `/api/projects/${journey.projectId}`);
  const waitFor = async (what: string, ok: (s: ProjectStatus) => boolean): Promise<ProjectStatus> => {
    const deadline = Date.now() + JOURNEY_TIMEOUT_MS;
    for (;;) {
      const s = await status();
      if (ok(s)) return s;
      if (Date.now() > deadline) {
        throw new Error(`${journey.projectId}: timed out waiting for ${what}; stage ${s.stage}, last events ${s.timeline.slice(-5).map((e) => e.event).join(', ')}`);
      }
      await sleep(1_000);
    }
  };
  const task = (taskId: string) => http.get<TaskView>('leadership', `/api/tasks/${taskId}`);
  const waitTask = async (taskId: string, ok: (t: TaskView) => boolean, what: string): Promise<TaskView> => {
    const deadline = Date.now() + JOURNEY_TIMEOUT_MS;
    for (;;) {
      const t = await task(taskId).catch(() => undefined);
      if (t && ok(t)) return t;
      if (Date.now() > deadline) throw new Error(`${taskId}: timed out waiting for ${what} (${t?.status})`);
      await sleep(1_000);
    }
  };
  const pay = async (kind: string) => {
    const s = await waitFor(`the ${kind} invoice`, (x) => x.invoices.some((i) => i.kind === kind));
    const invoice = s.invoices.find((i) => i.kind === kind)!;
    const reference = `bank-${journey.projectId}-${kind}`;
    const paid = async () => (await status()).invoices.some((i) => i.number === invoice.number && i.payments.some((p) => p.reference === reference));
    const body = { invoiceNumber: invoice.number, amount: invoice.amount, paidAt: new Date().toISOString(), reference };
    await http.act(manager, 'POST', `/api/projects/${journey.projectId}/payments`, body, paid);
    journey.paymentsSent += 1;
    // The same bank statement imported again: it must count once. Accepted and ignored while the
    // project is open; refused as "closed" once that payment has ended it.
    if (variant.duplicatePayment) {
      await http.act(manager, 'POST', `/api/projects/${journey.projectId}/payments`, body, paid, {}, (code, problem) =>
        code === 409 && problem?.type === 'urn:agencyflow:problem:closed',
      );
    }
  };
  /** Claim, deliver (sent back once when asked), accept. */
  const work = async (taskId: string, who: PersonKey, sendBack: boolean) => {
    const me = http['people'][who].id;
    await waitTask(taskId, (t) => t.status !== 'waiting', 'open');
    await http.act(who, 'POST', `/api/tasks/${taskId}/claim`, {}, async () => (await task(taskId)).assigneeId === me);
    const rounds = sendBack ? 2 : 1;
    for (let round = 0; round < rounds; round++) {
      await http.act(who, 'POST', `/api/tasks/${taskId}/submit`, { summary: `Delivery ${round + 1}`, links: [] }, async () => {
        const t = await task(taskId);
        return t.reviewRounds > round || t.status === 'submitted' || t.status === 'accepted';
      });
      if (round + 1 < rounds) {
        await http.act(manager, 'POST', `/api/tasks/${taskId}/review`, { decision: 'changes_requested', comment: 'Another pass, please' }, async () => (await task(taskId)).reviewRounds > round);
      }
    }
    await http.act(manager, 'POST', `/api/tasks/${taskId}/review`, { decision: 'accept' }, async () => (await task(taskId)).status === 'accepted');
  };

  // 1. Intake, with an Idempotency-Key: a retried create finds the same project.
  const created = await http.act(
    manager,
    'POST',
    '/api/projects',
    {
      client: { id: `chaos-client-${journey.index}`, name: `Chaos Client ${journey.index}`, segment: journey.index % 2 ? 'B2B' : 'B2C', email: journey.clientEmail },
      title: `Chaos project ${journey.index}`,
      brief: 'Site design and copy',
      departments: ['design', 'copywriting'],
      budget: { amount: 2000, currency: 'EUR' },
      desiredDeadline: inMs(30 * 86_400_000),
      // Timers that fire during the run (payment reminders), none that end a wait by themselves;
      // a completed project's workflow ends a few seconds after completion (its complaint window).
      policy: {
        approvalSla: '1h',
        escalationSla: '2h',
        reminderLead: '1m',
        overdueGrace: '1h',
        acceptanceWindow: '1h',
        paymentTerms: '3s',
        paymentEscalation: '1h',
        startAfterPrepayment: true,
        complaintWindow: '5s',
      },
    },
    async () => false,
    { 'Idempotency-Key': `${options.keyPrefix}-${journey.index}` },
  );
  journey.projectId = (created as unknown as ProjectStatus).projectId;
  const pid = journey.projectId;
  if (journey.until === 'created') return;

  // 2. Plan and approval.
  await http.act(
    manager,
    'PUT',
    `/api/projects/${pid}/plan`,
    {
      tasks: [
        { key: 'design', department: 'design', title: 'Design', estimateHours: 8, dueAt: inMs(4 * 3_600_000), price: 1200 },
        { key: 'copy', department: 'copywriting', title: 'Copy', estimateHours: 4, dueAt: inMs(5 * 3_600_000), price: 800, dependsOn: ['design'] },
      ],
      prepaymentPercent: variant.prepayment ? 30 : 0,
      includedRevisionRounds: 1,
    },
    async () => (await status()).plans.length >= 1,
  );
  if (journey.until === 'planned') return;
  await http.act('leadership', 'POST', `/api/projects/${pid}/plan/decision`, { planVersion: 1, decision: 'approve', comment: 'Go' }, async () => (await status()).approvedPlanVersion === 1);
  journey.expectedDocuments.push('contract');

  // 3. Prepayment first, when the plan asks for one.
  if (variant.prepayment) {
    await pay('prepayment');
    journey.expectedDocuments.push('prepayment_invoice');
  }
  if (journey.until === 'approved') return;

  // 4. Design, then copy (it depends on design). A cancellation comes between the two.
  await work(`${pid}.design`, journey.index % 2 ? 'designer' : 'designer2', variant.sendBack);
  if (variant.cancel) {
    await http.act(manager, 'POST', `/api/projects/${pid}/cancel`, { reason: 'The client stopped the project' }, async () => (await status()).cancellation !== undefined);
    // The client pays once the cancellation's report is out (it shows the bill open); once the
    // bill is paid the report is made again with the final figures (patch cancelled-report-when-settled).
    const reports = (s: ProjectStatus) => s.documents.filter((d) => d.kind === 'final_report').length;
    await waitFor("the cancellation's report", (s) => reports(s) >= 1);
    await pay('cancellation');
    journey.expectedDocuments.push('cancellation_invoice', 'final_report', 'final_report');
    const done = await waitFor('cancelled, settled and reported again', (s) => s.stage === 'cancelled' && s.invoices.every((i) => i.status !== 'open') && reports(s) === 2);
    journey.finalStage = done.stage;
    journey.finishedMs = Date.now() - started;
    return;
  }
  await work(`${pid}.copy`, 'copywriter', false);

  // 5. The client's answer: a complaint and its resolution, a revision round, then acceptance.
  await waitFor('client review', (s) => s.stage === 'client_review');
  if (variant.complaint) {
    await http.act(manager, 'POST', `/api/projects/${pid}/feedback`, { kind: 'complaint', description: 'Colours are off' }, async () => (await status()).complaints.length > 0);
    // Read until it shows: while a worker restarts, a read may be the store's copy from just before.
    const complaintId = (await waitFor('the complaint in the snapshot', (s) => s.complaints.length > 0)).complaints[0].complaintId;
    await http.act('leadership', 'POST', `/api/projects/${pid}/complaints/${complaintId}/resolution`, { resolution: 'Fixed, client agreed' }, async () =>
      (await status()).complaints.every((c) => c.resolvedAt !== undefined),
    );
  }
  if (variant.revision) {
    await http.act(
      manager,
      'POST',
      `/api/projects/${pid}/feedback`,
      { kind: 'revisions_requested', description: 'Bigger logo', departments: ['design'], dueAt: inMs(3 * 3_600_000) },
      async () => (await status()).revisionRoundsUsed >= 1,
    );
    const revised = await waitFor('the revision task', (s) => s.tasks.some((t) => t.revisionRound === 1));
    await work(revised.tasks.find((t) => t.revisionRound === 1)!.taskId, 'designer', false);
    await waitFor('client review again', (s) => s.stage === 'client_review' && s.revisionRoundsUsed >= 1);
  }
  await http.act(manager, 'POST', `/api/projects/${pid}/feedback`, { kind: 'accepted', rating: 5, comment: 'Good' }, async () =>
    (await status()).feedback.some((f) => f.kind === 'accepted'),
  );
  journey.expectedDocuments.push('acceptance_act');

  // 6. The final invoice, paid a little after its (three-second) terms: reminders go out.
  await sleep(options.payDelayMs?.() ?? 0);
  await pay('final');
  journey.expectedDocuments.push('final_invoice', 'final_report');
  const done = await waitFor('completion', (s) => s.stage === 'completed');
  journey.finalStage = done.stage;
  journey.finishedMs = Date.now() - started;
}

