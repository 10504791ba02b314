/**
 * The client's side of the portal (DOMAIN: "a corporate portal shared by the company and the
 * client"): their project through a link the manager sends them, without an account. The link's
 * key opens that one project; a wrong key and an unknown project are the same 404, so links cannot
 * be told apart by guessing. What the client sees is chosen here, field by field: where the work
 * stands, the agreed total, the work delivered to them, their invoices with the payments received
 * (and those their bank returned), the compensations agreed for their complaints, the work being
 * redone for one made after completion (never what the departments were told) and the documents
 * meant for them — never internal comments, people's ids, per-task prices, ratings or the
 * management report.
 */
import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import { askForChangesUpdate, recordFeedbackUpdate, type DocumentKind, type InvoiceView, type ProjectStatus } from '../../workflows/project/contract';
import type { ClientActor, FeedbackRequest } from '../../workflows/project/schemas';
import { fromMinor, sumAmounts, toMinor } from '../../workflows/money';
import { finalInvoiceContent, openChangeRequest, owedAmount, waitingForPrepayment } from '../../workflows/project/state';
import { clientActorId, COMPLAINT_STAGES, DOCUMENT_KINDS } from '../../workflows/vocabulary';
import type { TaskStatus } from '../../workflows/task/contract';
import type { AppDeps } from '../app';
import { allow, caller } from '../auth';
import type { ClientLinks } from '../../common/client-links';
import { ApiProblem, ProblemType, notFound } from '../errors';
import { snapshotAtLeast, storedOrAtStart, type SeenVersions } from '../snapshot-reads';
import { managedBySomeoneElse } from './projects';
import { clientAnswerSchema, clientKeyQuerySchema, clientLinkRenewalSchema, type ClientAnswer, type ClientProjectView } from '../schemas';
import { idempotencyKey, parseBody, parseQuery, projectIdParam, refuseReusedKey, updateIdFor } from '../validation';

/** The documents a client gets: every kind but the final report, which is management's. */
const FOR_THE_CLIENT: ReadonlySet<DocumentKind> = new Set(DOCUMENT_KINDS.filter((kind) => kind !== 'final_report'));
/** Deliveries are shown once the work is with the client. */
const DELIVERED_STAGES = new Set<ProjectStatus['stage']>(['client_review', 'invoicing', 'closing', 'completed']);
/**
 * The stages in which the final invoice may still be to come: the plan approved, the work not yet
 * accepted, and invoicing until it is issued (a cancellation bills otherwise).
 */
const BEFORE_FINAL_INVOICE = new Set<ProjectStatus['stage']>(['in_production', 'client_review', 'invoicing']);

/**
 * Whether the final invoice is still to come: in one of those stages, none issued yet, and the
 * workflow has not found that nothing was left to invoice (it records so, and the act goes out
 * alone; work redone after that is free of charge). At invoicing this is the moment between the
 * acceptance and the invoice being issued: the act being drawn up, the invoice numbered.
 */
function finalInvoiceStillToCome(p: ProjectStatus): boolean {
  return BEFORE_FINAL_INVOICE.has(p.stage) && !p.invoices.some((i) => i.kind === 'final') && !p.timeline.some((e) => e.event === 'nothing_left_to_invoice');
}
/** At most this many deliveries are read per view (one store read each). */
const MAX_DELIVERIES = 100;

const PROGRESS: Record<TaskStatus, ClientProjectView['work'][number]['progress']> = {
  waiting: 'planned',
  open: 'planned',
  claimed: 'in_progress',
  submitted: 'in_progress',
  accepted: 'done',
  cancelled: 'cancelled',
};

/**
 * By when the client is asked to answer: the end of the first window of the review (what the
 * delivery mail said), and once that has passed and they were reminded, the end of the second
 * (what the reminder said: silence until then counts as acceptance). The clock stops while a
 * complaint or a request for changes of theirs is open, as the workflow's does: nothing while
 * one is, and the time they were open added after.
 */
export function respondBy(p: ProjectStatus): string | undefined {
  if (p.stage !== 'client_review' || !p.stageEnteredAt || p.complaints.some((c) => !c.resolvedAt) || openChangeRequest(p) !== undefined) return undefined;
  // Reminded once the first window passed: the second window, which the reminder named, runs from then.
  const reminded = [...p.timeline].reverse().find((e) => e.event === 'client_response_due' && e.at >= p.stageEnteredAt!);
  const from = Date.parse(reminded?.at ?? p.stageEnteredAt);
  const pauses = [
    ...p.complaints.map((c) => [c.at, c.resolvedAt!] as const),
    ...(p.changeRequests ?? []).map((r) => [r.at, r.answeredAt ?? r.at] as const),
  ].map(([start, end]) => [Math.max(from, Date.parse(start)), Date.parse(end)] as const);
  const at = from + p.policy.acceptanceWindowMs + pausedFor(pauses);
  return at > Date.now() ? new Date(at).toISOString() : undefined;
}

/** How long the periods together cover, each moment once (a complaint and a request open at once pause the clock once). */
function pausedFor(periods: (readonly [number, number])[]): number {
  let total = 0;
  let coveredUntil = -Infinity;
  for (const [start, end] of [...periods].sort((a, b) => a[0] - b[0])) {
    const from = Math.max(start, coveredUntil);
    if (end > from) total += end - from;
    coveredUntil = Math.max(coveredUntil, end);
  }
  return total;
}

/**
 * An invoice's set-offs netted per other side: the client reads what a credit note took off, not
 * a set-off and its later undoing (when a payment turned out to cover that part after all).
 */
function netSetOffs(invoice: InvoiceView): ClientProjectView['invoices'][number]['setOffs'] {
  const net = new Map<string, number>();
  for (const s of invoice.setOffs ?? []) net.set(s.invoiceNumber, (net.get(s.invoiceNumber) ?? 0) + toMinor(s.amount, invoice.currency));
  return [...net].filter(([, minor]) => minor > 0).map(([invoiceNumber, minor]) => ({ invoiceNumber, amount: fromMinor(minor, invoice.currency) }));
}

/**
 * A compensation agreed for the client's complaint, and where it went. The complaint by its day
 * and by what it was about (two made the same day are told apart; the client's mail resolving it
 * quotes it too); never the resolution's wording, which is the agency's own note.
 */
function compensationForClient(c: ProjectStatus['complaints'][number], p: ProjectStatus): ClientProjectView['compensations'][number] {
  const comp = c.compensation!;
  const carrier = p.invoices.find((i) => i.number === comp.invoiceNumber);
  const settledBy: ClientProjectView['compensations'][number]['settledBy'] = !comp.settled
    ? 'final_invoice_to_come'
    : comp.invoiceNumber === undefined
      ? 'nothing_left_to_bill'
      : carrier?.kind === 'credit_note'
        ? 'credit_note'
        : 'invoice';
  return {
    amount: comp.amount,
    currency: p.budget.currency,
    complaintAt: c.at,
    complaintAbout: c.description,
    agreedAt: c.resolvedAt!,
    settledBy,
    ...(comp.invoiceNumber !== undefined && { invoiceNumber: comp.invoiceNumber }),
    ...(comp.takenOff !== undefined && { takenOff: comp.takenOff }),
  };
}

/**
 * A complaint after completion being put right: the work sent back for it, by department, by when
 * it is to be redone and, once the fix is accepted, when it was — the complaint still open (once
 * resolved, the page says of it what it says of any resolved complaint). Never the manager's
 * instruction to the departments (it is theirs), the tasks or who does them. A fix no longer to be
 * done (its task cancelled) is not promised to the client.
 */
function beingPutRight(c: ProjectStatus['complaints'][number], p: ProjectStatus): ClientProjectView['complaintsBeingPutRight'][number] {
  const rework = c.rework!;
  const work = rework.departments.flatMap((department) => {
    const fix = p.tasks.find((t) => rework.taskKeys.includes(t.key) && t.department === department);
    if (fix?.status === 'cancelled') return [];
    // The fix's due date as it stands (the manager may have moved it), as the work list says it.
    return [{ department, dueAt: fix?.dueAt ?? rework.dueAt, ...(fix?.status === 'accepted' && fix.acceptedAt && { redoneAt: fix.acceptedAt }) }];
  });
  return { complaintAt: c.at, complaintAbout: c.description, work };
}

/**
 * The rounds of changes beyond the included ones that have a price, as the final invoice bills
 * them (`finalInvoiceContent` adds every revision's `extraPrice` above 0): by round, never what the
 * departments were told to do in it.
 */
function extraRounds(p: ProjectStatus): { round: number; amount: number }[] {
  return p.revisions.filter((r) => r.extraPrice > 0).map((r) => ({ round: r.round, amount: r.extraPrice }));
}

/**
 * The workflow's refusal of an answer no longer heard, in the client's words (the workflow's names
 * its stages: the client's page does not); the workflow's own words stay in the log and the cause.
 */
function notHeardNow(refusal: ApiProblem, kind: ClientAnswer['kind'], p: ProjectStatus): ApiProblem {
  const manager = 'your account manager';
  return new ApiProblem(
    {
      type: refusal.type,
      title: 'Your answer is not taken now',
      status: 409,
      detail:
        kind === 'accepted' || kind === 'changes'
          ? `The work is not waiting for your review now (it may have been accepted a moment ago, or be in hand again): nothing was recorded. The page shows where it stands now; write to ${manager} with anything more.`
          : p.stage === 'completed' || p.stage === 'cancelled'
            ? `A complaint about this project is no longer taken here: nothing was recorded. Please write to ${manager}.`
            : `A complaint is not taken here at this moment: nothing was recorded. Please write to ${manager}.`,
    },
    { cause: refusal },
  );
}

/** An acceptance or a complaint, as the project records feedback. */
function feedbackOf(answer: Exclude<ClientAnswer, { kind: 'changes' }>): FeedbackRequest {
  return answer.kind === 'accepted' ? { kind: 'accepted', rating: answer.rating, comment: answer.comment } : { kind: 'complaint', description: answer.description };
}

/** Changes asked for while an earlier request still waits for the manager (another tab, a colleague). */
function stillWithManager(refusal: ApiProblem): ApiProblem {
  return new ApiProblem(
    {
      type: refusal.type,
      title: 'Your earlier request is with your account manager',
      status: 409,
      detail:
        'Changes you asked for earlier are still waiting for your account manager\u2019s answer: nothing new was recorded. The page lists that request; write to your account manager to add to it.',
    },
    { cause: refusal },
  );
}

/**
 * What the client may answer on their page now: the workflow's own rules for a client's answer
 * (its validator has the last word, and says why when it refuses).
 */
function mayAnswer(p: ProjectStatus): ClientProjectView['mayAnswer'] {
  const cancelling = p.cancellation !== undefined;
  const heardAfterCompletion = p.stage === 'completed' && p.complaintsHeardUntil !== undefined && Date.parse(p.complaintsHeardUntil) > Date.now();
  return {
    accept: p.stage === 'client_review' && !cancelling,
    complain: !cancelling && (COMPLAINT_STAGES.includes(p.stage) || heardAfterCompletion),
    askForChanges: p.stage === 'client_review' && !cancelling && openChangeRequest(p) === undefined,
  };
}

export function createClientViewRouter(deps: AppDeps, links: ClientLinks, seen: SeenVersions<ProjectStatus>): Router {
  const router = Router();

  /**
   * The project a client's link opens, or the same 404 for a wrong key, a key of no key's form (a
   * link cut short) and an unknown project.
   */
  async function openedProject(req: Request): Promise<{ project: ProjectStatus; key: string }> {
    const projectId = projectIdParam(req);
    const { key } = parseQuery(clientKeyQuerySchema, req);
    const closed = notFound('This link does not open a project. Ask your account manager for the current one.');
    if (!(await links.opens(projectId, key))) throw closed;
    const stored = await deps.reporting.project(projectId);
    if (!stored) throw closed;
    return { project: stored.value, key };
  }

  /**
   * The project whose link the caller may read or renew: its manager's, or any for leadership.
   * Its manager from the store's copy, or — for a project created a moment ago, whose first copy
   * is still on its way to the store — from its start event, as every other project read does
   * (`storedOrAtStart`): the manager opens the link right after creating the project. An unknown
   * project is Temporal's 404.
   */
  async function linkedProject(req: Request): Promise<string> {
    const person = caller(req);
    const projectId = projectIdParam(req);
    const { known } = await storedOrAtStart(
      () => deps.reporting.project(projectId),
      () => deps.temporal.projectAtStart(projectId),
      deps.logger,
      { projectId },
    );
    if (person.role === 'manager' && known.managerId !== person.id) {
      throw managedBySomeoneElse(deps.people.nameOf(known.managerId), 'project');
    }
    return projectId;
  }

  router.get('/api/projects/:id/client-link', allow('manager', 'leadership'), async (req, res) => {
    const projectId = await linkedProject(req);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await links.current(projectId));
  });

  // A new link when the old one reached someone it should not: the old one stops opening at once.
  router.post('/api/projects/:id/client-link', allow('manager', 'leadership'), async (req, res) => {
    const projectId = await linkedProject(req);
    const { replaces } = parseBody(clientLinkRenewalSchema, req);
    // Only a retry with the same key gets the link made the first time: anyone else who renews
    // from a link already replaced is told, so nobody believes they ended a link they did not.
    const key = idempotencyKey(req);
    const renewed = await links.renew(projectId, replaces, key);
    if (renewed === 'key-reused') {
      throw new ApiProblem({
        type: ProblemType.idempotencyKeyConflict,
        title: 'Idempotency-Key reused with another request',
        status: 422,
        detail: `Idempotency-Key ${JSON.stringify(key)} already renewed this project's link from another one. Use a new key for a new request.`,
      });
    }
    if (renewed === 'stale') {
      const now = await links.current(projectId);
      throw new ApiProblem({
        type: ProblemType.staleClientLink,
        title: 'The link was renewed since',
        status: 409,
        detail:
          `Someone made a new link for project ${projectId} since this one was read: the link shown was already replaced, and nothing changed now. ` +
          `Read the current link (number ${now.generation}); make another only if that one too reached someone it should not.`,
      });
    }
    deps.logger.info({ projectId, generation: renewed.generation, by: caller(req).id }, 'client link renewed');
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(renewed);
  });

  /** The project as its client sees it (chosen field by field: see the top of this file). */
  async function clientView(p: ProjectStatus, key: string): Promise<ClientProjectView> {
    const documentHref = (documentId: string) => `/api/client/projects/${encodeURIComponent(p.projectId)}/documents/${encodeURIComponent(documentId)}?key=${key}`;
    const manager = deps.people.get(p.managerId);
    const approved = p.plans.find((v) => v.version === p.approvedPlanVersion);
    // The work waits for the prepayment (the workflow's rule, not a copy of it): the page says so, not "under way".
    const prepayment = waitingForPrepayment(p)?.invoice;
    // What the final invoice will ask, by the workflow's own rule (the plan, less the prepayment
    // invoiced and the compensations agreed, plus extra rounds): a paid prepayment is not all. Also
    // once the work is accepted, until the invoice is issued: it is being made, not "nothing left".
    const finalInvoice = approved && finalInvoiceStillToCome(p) ? finalInvoiceContent(p).amount : undefined;
    // Also while a revision round is worked on (back in production): the work the client asked to change.
    const showDeliveries = DELIVERED_STAGES.has(p.stage) || p.revisions.length > 0;
    const accepted = showDeliveries ? p.tasks.filter((t) => t.status === 'accepted').slice(0, MAX_DELIVERIES) : [];
    const deliveries = new Map(
      await Promise.all(
        accepted.map(async (t) => {
          const view = (await deps.reporting.task(t.taskId))?.value;
          const latest = view?.deliverables[view.deliverables.length - 1];
          return [t.taskId, latest && { summary: latest.summary, links: latest.links }] as const;
        }),
      ),
    );
    /** The price of a round beyond the included ones, when it has one. */
    const extraPriceOf = (round: number | undefined) => extraRounds(p).find((r) => r.round === round)?.amount;
    const view: ClientProjectView = {
      projectId: p.projectId,
      agencyName: deps.config.AGENCY_NAME,
      title: p.title,
      clientName: p.client.name,
      stage: p.stage,
      desiredDeadline: p.desiredDeadline,
      manager: { name: manager?.name ?? 'your account manager', ...(manager?.email && { email: manager.email }) },
      ...(approved && {
        plan: {
          total: approved.total,
          currency: p.budget.currency,
          prepaymentPercent: approved.prepaymentPercent,
          includedRevisionRounds: approved.includedRevisionRounds,
          // Priced as agreed when recorded, so the client does not meet them first on the final invoice.
          extraRounds: extraRounds(p),
          totalWithExtraRounds: sumAmounts([approved.total, ...extraRounds(p).map((r) => r.amount)], p.budget.currency),
        },
      }),
      // Right after the approval the copy may not list the tasks yet: the agreed plan's, as planned.
      work: (p.tasks.length === 0 && approved ? approved.tasks.map((t) => ({ ...t, status: 'waiting' as const, taskId: '', revisionRound: undefined })) : p.tasks).map((t) => {
        const delivered = deliveries.get(t.taskId);
        return {
          title: t.title,
          department: t.department,
          progress: PROGRESS[t.status],
          dueAt: t.dueAt,
          ...(t.revisionRound !== undefined && { revisionRound: t.revisionRound }),
          ...(delivered && { delivered }),
        };
      }),
      ...(respondBy(p) && { respondBy: respondBy(p) }),
      ...(p.complaintsHeardUntil && { complaintsHeardUntil: p.complaintsHeardUntil }),
      ...(finalInvoice !== undefined && { finalInvoiceToCome: finalInvoice }),
      ...(prepayment && {
        waitingForPrepayment: { invoiceNumber: prepayment.number, stillOwed: owedAmount(prepayment), currency: prepayment.currency, dueAt: prepayment.dueAt },
      }),
      invoices: p.invoices.map((i) => ({
        number: i.number,
        kind: i.kind,
        amount: i.amount,
        currency: i.currency,
        issuedAt: i.issuedAt,
        dueAt: i.dueAt,
        status: i.status,
        stillOwed: owedAmount(i),
        paid: i.paidAmount,
        setOffs: netSetOffs(i),
        // What and when only: the bank reference and who recorded it are the agency's bookkeeping.
        payments: i.payments.map((pay) => ({ amount: pay.amount, paidAt: pay.paidAt })),
        // Their money that came back from their bank: why an invoice they paid is open again.
        returned:
          i.kind === 'credit_note'
            ? []
            : (i.reversedPayments ?? []).filter((r) => r.cause === 'returned_by_bank').map((r) => ({ amount: r.amount, paidAt: r.paidAt, returnedAt: r.reversedAt })),
        ...(i.documentId && { href: documentHref(i.documentId) }),
      })),
      compensations: p.complaints.flatMap((c) => (c.compensation && c.resolvedAt ? [compensationForClient(c, p)] : [])),
      complaintsBeingPutRight: p.complaints.flatMap((c) => {
        const put = c.rework && !c.resolvedAt ? beingPutRight(c, p) : undefined;
        return put && put.work.length > 0 ? [put] : [];
      }),
      documents: p.documents.filter((d) => FOR_THE_CLIENT.has(d.kind)).map((d) => ({ kind: d.kind, ...(d.number && { number: d.number }), createdAt: d.createdAt, href: documentHref(d.documentId) })),
      mayAnswer: mayAnswer(p),
      changeRequests: (p.changeRequests ?? []).map((r) => ({
        at: r.at,
        name: r.clientContact,
        description: r.description,
        recordedByManager: r.recordedBy !== undefined,
        status: r.outcome ?? 'waiting',
        ...(r.answeredAt !== undefined && { answeredAt: r.answeredAt }),
        ...(r.reply !== undefined && { reply: r.reply }),
        ...(extraPriceOf(r.round) !== undefined && { extraPrice: extraPriceOf(r.round) }),
      })),
      answeredHere: p.feedback.flatMap((f) =>
        f.clientContact !== undefined && (f.kind === 'accepted' || f.kind === 'complaint')
          ? [
              {
                kind: f.kind,
                at: f.at,
                name: f.clientContact,
                ...(f.rating !== undefined && { rating: f.rating }),
                ...(f.comment && { comment: f.comment }),
                ...(f.description !== undefined && { description: f.description }),
              },
            ]
          : [],
      ),
    };
    return view;
  }

  router.get('/api/client/projects/:id', async (req, res) => {
    const { project, key } = await openedProject(req);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await clientView(project, key));
  });

  /**
   * The client answers on their page: they accept the delivered work, or complain. Recorded by the
   * project's workflow as the manager's recording would be (its validator decides whether it is
   * heard now), by the client, with the name of who answered; the manager is told. Retried with its
   * Idempotency-Key it is recorded once and answers with the page as it is then.
   */
  router.post('/api/client/projects/:id/answers', async (req, res) => {
    const { project: opened, key } = await openedProject(req);
    const projectId = opened.projectId;
    const answer = parseBody(clientAnswerSchema, req);
    const by: ClientActor = { id: clientActorId(opened.client.id), role: 'client', name: answer.name, requestId: req.requestId };
    const updateId = updateIdFor(req, by, 'clientAnswer', projectId);
    const log = deps.logger.child({ projectId });
    await refuseReusedKey(deps.reporting, updateId, answer, log);
    const recorded =
      answer.kind === 'changes'
        ? deps.temporal.updateProject(projectId, askForChangesUpdate, { description: answer.description, by }, updateId)
        : deps.temporal.updateProject(projectId, recordFeedbackUpdate, { feedback: feedbackOf(answer), by }, updateId);
    const { version } = await recorded.catch((err: unknown) => {
      if (err instanceof ApiProblem && err.type === ProblemType.wrongStage) throw notHeardNow(err, answer.kind, opened);
      // Past a completed project's window its manager records a complaint the client brings them:
      // its run has ended (closed), or still settles and takes one from the manager or leadership only.
      if (err instanceof ApiProblem && opened.stage === 'completed' && (err.type === ProblemType.closed || err.status === 403)) throw notHeardNow(err, answer.kind, opened);
      if (err instanceof ApiProblem && err.type === ProblemType.alreadyDone && answer.kind === 'changes') throw stillWithManager(err);
      throw err;
    });
    const after = await snapshotAtLeast({
      version,
      live: (signal) => deps.temporal.projectStatus(projectId, { signal }),
      stored: () => deps.reporting.project(projectId),
      timeoutMs: deps.temporal.callTimeoutMs,
      done: `Your answer on project ${projectId}`,
      readAt: `GET /api/client/projects/${projectId}`,
      seen: { id: projectId, versions: seen },
    });
    // The page reads the store's copy: this version is there before the client's next look.
    await deps.reporting
      .publish({ kind: 'project', projectId, seq: after.version, snapshot: after })
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'the client\u2019s answer could not be stored at once; the workflow publishes it'));
    log.info({ kind: answer.kind, version: after.version }, 'client answered on their page');
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await clientView(after, key));
  });

  router.get('/api/client/projects/:id/documents/:documentId', async (req, res) => {
    const { project } = await openedProject(req);
    const documentId = String(req.params.documentId);
    const ref = project.documents.find((d) => d.documentId === documentId && FOR_THE_CLIENT.has(d.kind));
    const meta = ref ? await deps.documents.get(documentId) : undefined;
    const body = meta && meta.projectId === project.projectId ? await deps.documents.read(documentId) : undefined;
    if (!meta || !body) throw notFound('This document is not one of your project\u2019s.');
    const filename = (meta.fileName || `${meta.kind}${meta.number ? `-${meta.number}` : ''}.pdf`).replace(/[^A-Za-z0-9._-]/g, '_');
    res.setHeader('Content-Type', meta.contentType ?? 'application/pdf');
    res.setHeader('Content-Length', String(body.length));
    res.setHeader('Repr-Digest', `sha-256=:${createHash('sha256').update(body).digest('base64')}:`);
    res.setHeader('Content-Disposition', `inline; filename="${filename}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.end(body);
  });

  return router;
}
