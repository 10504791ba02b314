/**
 * One client project, from the request to the final report: plan, approval, production by the
 * departments (one child workflow per task), the client's response, payment and the paperwork.
 * The snapshot served by `getStatus` is the single source of truth for the portal.
 *
 * This file is the story, in the article's order; the handlers (handlers.ts), the departments'
 * work (production.ts) and the money and documents (billing.ts) are beside it.
 */
import { CancellationScope, allHandlersFinished, condition, isCancellation } from '@temporalio/workflow';
import { nowIso } from '../common/journal';
import { formatAmount, fromMinor, percentOf, sumAmounts } from '../money';
import { deliveryName, durationInWords } from '../vocabulary';
import { cancelTaskSignal } from '../task/contract';
import type { InvoiceView, ProjectInput, ProjectStatus } from './contract';
import { createBilling } from './billing';
import { followUpComplaints } from './complaints';
import { createProjectContext, ProjectCancelled, type TaskRuntime } from './context';
import { registerProjectHandlers } from './handlers';
import { createProduction } from './production';
import {
  approvedPlan,
  cancellationInvoiceContent,
  cancellationSettlement,
  cancellationSettlementInWords,
  compensationsBilledNothing,
  compensationsToSettle,
  completionSummary,
  deemedAccepted,
  dueMovedLater,
  finalInvoiceContent,
  hasOpenComplaint,
  noteCancellation,
  openChangeRequest,
  overpaidInvoices,
  overpaidMinor,
  owedAmount,
  planAgainstRequestFigures,
  planTaskInput,
  prepaymentWaitMs,
  settleCompensations,
  unpaidInvoices,
  type Compensation,
} from './state';

/**
 * How long a reopened run waits for its complaint, should it not have come with the start (its
 * update refused, say): the run then ends as it began.
 */
const REOPENED_WAITS_FOR_COMPLAINT_MS = 60_000;

export async function projectWorkflow(input: ProjectInput): Promise<ProjectStatus> {
  const ctx = createProjectContext(input);
  const { status, patched } = ctx;
  const production = createProduction(ctx);
  const billing = createBilling(ctx);
  followUpComplaints(ctx);

  // Intake is recorded and planning has begun (openingStatus) before any handler can run: an
  // update delivered with the start is dispatched as soon as its handler is registered. The
  // stage reaches the search attributes first, as it always has (the order of commands replays).
  ctx.syncSearchAttributes();
  // Counted before the handlers run the update a reopened run was started with (dispatched as
  // soon as its handler is registered): did any complaint come in this run?
  const complaintsAtStart = status.complaints.length;
  registerProjectHandlers(ctx, production, billing);

  // A completed project run again for a complaint made after its window: the complaint came with
  // the start (update-with-start), is heard as one within the window is, and the run ends once it
  // is settled.
  if (ctx.reopened) {
    await hearComplaintsAfterCompletion(Date.now() + REOPENED_WAITS_FOR_COMPLAINT_MS, {
      complaintsBefore: complaintsAtStart,
      settled: 'what the project was opened again for is settled',
    });
    await endRunHearingLateComplaints();
    return status;
  }

  // --- the cycle, in the article's order ---
  ctx.syncSearchAttributes();
  try {
    await awaitPlanApproval();
    await runProduction();
    await collectClientResponse();
    await collectPayment();
    await closeProject();
  } catch (err) {
    // Runs recorded before a Temporal-level cancel ran the business cancellation ended cancelled.
    if (isCancellation(err) && !ctx.cancelRequest && patched('temporal-cancel-runs-cancellation')) {
      // Cancelled from outside the API (`temporal workflow cancel`, the UI's button): the same
      // business cancellation, so open work stops, accepted work is billed and a report is made.
      ctx.cancelRequest = { reason: 'cancelled through Temporal (operator)', by: 'temporal' };
      noteCancellation(status, ctx.cancelRequest, nowIso());
      ctx.record('cancellation_requested', 'temporal', ctx.cancelRequest.reason);
    } else if (!(err instanceof ProjectCancelled)) {
      throw err;
    }
    // Not cancellable itself: after a Temporal cancel, these steps must still run to the end.
    await CancellationScope.nonCancellable(async () => {
      const settles = await cancelProject();
      // A cancelled project stays open until what it billed is settled: the client pays the
      // invoice for accepted work (chased like any other), or the agency refunds a credit note.
      if (settles) {
        const openAtReport = status.invoices.some((i) => i.status === 'open');
        await ctx.wait(() => status.invoices.every((i) => i.status !== 'open'), { stopOnCancel: false });
        // The report made at the cancellation showed that money open: once it is settled, the
        // report is made again with the final figures (runs recorded before kept the first only).
        if (openAtReport && patched('cancelled-report-when-settled')) await billing.produce('final_report');
      }
      // Runs recorded before cancellations settled prepayments (and, before them, runs that
      // completed at once) replay on their own paths.
      else if (patched('cancelled-collects-payment')) await billing.collectCancellationPayment();
    });
  }
  // A completed project still hears complaints for its policy's window before its workflow ends.
  if (status.complaintsHeardUntil !== undefined) await hearComplaintsAfterCompletion(Date.parse(status.complaintsHeardUntil));
  await endRunHearingLateComplaints();
  return status;

  /**
   * Ends the run — unless a complaint made after the window comes while it is ending (its last
   * notices still going out, which takes as long as the mail server is down, or its final snapshot
   * still being stored): the run then hears it as a run started again for it would, and ends once
   * it is settled. Runs recorded before refused such a complaint ("send it again in a moment"),
   * so none of them meets one here.
   */
  async function endRunHearingLateComplaints(): Promise<void> {
    for (;;) {
      const complaintsBefore = status.complaints.length;
      const resolvedAtClose = resolvedComplaints();
      await endRun();
      if (status.complaints.length === complaintsBefore || !patched('hears-complaints-while-ending')) return;
      ctx.complaintWindowOver = false;
      await hearComplaintsAfterCompletion(Date.now(), { complaintsBefore, resolvedAtClose, settled: 'what the project was kept open for is settled' });
    }
  }

  function resolvedComplaints(): number {
    return status.complaints.filter((c) => c.resolvedAt).length;
  }

  /** Every update answered (the cancellation's caller gets its snapshot), every notice out, and the final state in the store. */
  async function endRun(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      await condition(allHandlersFinished);
      await ctx.outbox.drained();
      await ctx.publisher.caughtUp();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // The steps
  // ---------------------------------------------------------------------------------------------

  /** The manager drafts a plan; leadership decides; a rejected plan comes back for another round. */
  async function awaitPlanApproval(): Promise<void> {
    // Waits on facts that only grow (plan versions, their decisions), never on the stage, which
    // may pass through "awaiting approval" while the process is busy sending a notice.
    for (let version = 1; ; version++) {
      await awaitPlanDrafted(version);
      const plan = status.plans[version - 1];
      const submittedMs = Date.parse(plan.submittedAt);
      const decided = (): boolean => plan.decision !== undefined;
      if (!(await ctx.untilOr(decided, submittedMs + input.policy.approvalSlaMs - Date.now()))) {
        ctx.record('plan_approval_reminder', undefined, `version ${version}`);
        ctx.send('plan_waiting', `plan-reminder:v${version}`, ctx.leadership, { planVersion: version, reminder: true, ...planAgainstRequestFigures(status, version) });
        if (!(await ctx.untilOr(decided, submittedMs + input.policy.escalationSlaMs - Date.now()))) {
          ctx.record('plan_approval_escalated', undefined, `version ${version}`);
          ctx.send('plan_approval_escalation', `plan-escalation:v${version}`, { escalationContact: true }, {
            planVersion: version,
            waitingSince: plan.submittedAt,
          });
          await ctx.until(decided);
        }
      }
      if (plan.decision?.decision === 'approve') return;
    }
  }

  /**
   * The client waits for a proposal: a plan not drafted within the policy's time after the request
   * (or after leadership sent the last version back) reminds the manager, and twice that long
   * tells leadership, once each per version. Runs started before plans were chased have no
   * `planningSlaMs` and wait as they were recorded.
   */
  async function awaitPlanDrafted(version: number): Promise<void> {
    const drafted = (): boolean => status.plans.length >= version;
    const slaMs = input.policy.planningSlaMs;
    if (slaMs === undefined) return ctx.until(drafted);
    const since = version === 1 ? status.intakeAt : (status.plans[version - 2].decision?.at ?? status.intakeAt);
    const sinceMs = Date.parse(since);
    if (await ctx.untilOr(drafted, sinceMs + slaMs - Date.now())) return;
    ctx.record('plan_overdue', undefined, `version ${version}`);
    ctx.send('plan_overdue', `plan-overdue:v${version}`, ctx.manager, { planVersion: version, waitingSince: since });
    if (await ctx.untilOr(drafted, sinceMs + 2 * slaMs - Date.now())) return;
    ctx.record('plan_overdue_escalated', undefined, `version ${version}`);
    ctx.send('plan_overdue_escalation', `plan-overdue-escalation:v${version}`, ctx.leadership, { planVersion: version, waitingSince: since });
    return ctx.until(drafted);
  }

  /** Contract, prepayment, then the departments' work: every plan task as its own workflow. */
  async function runProduction(): Promise<void> {
    const plan = approvedPlan(status);
    let datesMoveBy = 0;
    const contract = await billing.produce('contract');
    // The client gets the contract with the prepayment invoice; without one, in a mail of its own
    // as the work starts (runs recorded before sent it to nobody).
    if (plan.prepaymentPercent === 0 && patched('contract-to-client')) {
      ctx.send('work_started', 'work-started', ctx.client, { documentId: contract.documentId });
    }
    if (plan.prepaymentPercent > 0) {
      const amount = percentOf(plan.total, plan.prepaymentPercent, input.budget.currency);
      const prepayment = await billing.issueInvoice('prepayment', amount, [
        { description: `Prepayment, ${plan.prepaymentPercent}% of ${formatAmount(plan.total, input.budget.currency)}`, amount },
      ]);
      if (input.policy.startAfterPrepayment) {
        // Chased like any invoice meanwhile: a reminder at its due date, then an escalation.
        ctx.record('waiting_for_prepayment', undefined, prepayment.number);
        // Or until the manager or leadership starts it without waiting (startWorkUpdate).
        await ctx.until(() => prepayment.status === 'paid' || status.startedBeforePrepayment !== undefined);
        // The work starts only now: its dates run from the payment, not from the approval, so no
        // task opens already late for the time the client took to pay (runs recorded before kept
        // the plan's dates).
        if (patched('dates-from-prepayment')) {
          datesMoveBy = prepaymentWaitMs(plan, Date.now());
          if (datesMoveBy > 0) {
            const why = prepayment.status === 'paid' ? 'the prepayment came' : 'the work was started';
            ctx.record('due_dates_moved', undefined, `every due date ${durationInWords(datesMoveBy)} later: ${why} that long after the plan's approval`);
          }
        }
      }
    }
    for (const task of plan.tasks) production.addTask(dueMovedLater(planTaskInput(status, task, input.patchBaseline), datesMoveBy));
    await production.startPendingTasks();
    await production.awaitTasksAccepted();
  }

  /** Delivered: the client accepts, asks for revisions (back to production), complains, or is silent. */
  async function collectClientResponse(): Promise<void> {
    for (;;) {
      ctx.enterStage('client_review');
      const round = status.revisionRoundsUsed;
      ctx.clientDecision = undefined;
      ctx.send('delivery_ready', `delivery-ready:${round}`, { ...ctx.client, ...ctx.manager }, {
        revisionRound: round,
        // The end of the first window: when the client is reminded to answer.
        respondBy: new Date(Date.now() + input.policy.acceptanceWindowMs).toISOString(),
      });
      const answered = (): boolean => ctx.clientDecision !== undefined;
      if (patched('complaint-pauses-acceptance')) {
        if (!(await awaitClientAnswer(round, answered))) {
          status.feedback.push({ at: nowIso(), kind: 'deemed_accepted' });
          ctx.record('deemed_accepted', undefined, `no answer within ${durationInWords(2 * input.policy.acceptanceWindowMs)}`);
          ctx.enterStage('invoicing');
          return;
        }
      } else if (!(await ctx.untilOr(answered, input.policy.acceptanceWindowMs))) {
        ctx.record('client_response_due', undefined, deliveryName(round));
        // The client is told too: silence through a second window counts as acceptance.
        ctx.send('client_response_due', `response-due:${round}`, { ...ctx.client, ...ctx.manager }, {
          deemedAcceptedAt: new Date(Date.now() + input.policy.acceptanceWindowMs).toISOString(),
        });
        if (!(await ctx.untilOr(answered, input.policy.acceptanceWindowMs))) {
          status.feedback.push({ at: nowIso(), kind: 'deemed_accepted' });
          ctx.record('deemed_accepted', undefined, `no answer within ${durationInWords(2 * input.policy.acceptanceWindowMs)}`);
          ctx.enterStage('invoicing');
          return;
        }
      }
      if (ctx.clientDecision === 'accepted') return;
      await production.startPendingTasks();
      await production.awaitTasksAccepted();
    }
  }

  /**
   * Waits for the client's answer on a delivery. The acceptance window runs only while no
   * complaint and no request for changes of theirs is open (each is an answer being worked on):
   * one window, then a reminder to the client and the manager, then a second window. False when
   * the client stayed silent through both.
   */
  async function awaitClientAnswer(round: number, answered: () => boolean): Promise<boolean> {
    let left = input.policy.acceptanceWindowMs;
    let reminded = false;
    // Runs recorded before requests for changes existed have none: the same waits as before.
    const paused = (): boolean => hasOpenComplaint(status) || openChangeRequest(status) !== undefined;
    for (;;) {
      if (paused()) {
        await ctx.until(() => answered() || !paused());
        if (answered()) return true;
        continue;
      }
      const started = Date.now();
      if (await ctx.untilOr(() => answered() || paused(), left)) {
        if (answered()) return true;
        left -= Date.now() - started;
        continue;
      }
      if (reminded) return false;
      reminded = true;
      left = input.policy.acceptanceWindowMs;
      ctx.record('client_response_due', undefined, deliveryName(round));
      // The client is told too: silence through a second window counts as acceptance.
      ctx.send('client_response_due', `response-due:${round}`, { ...ctx.client, ...ctx.manager }, {
        deemedAcceptedAt: new Date(Date.now() + left).toISOString(),
      });
    }
  }

  /**
   * The act and the final invoice (less the compensations agreed so far), then payments chased
   * until everything issued is paid, and every compensation agreed later refunded.
   */
  async function collectPayment(): Promise<void> {
    ctx.enterStage('invoicing');
    const act = await billing.produce('acceptance_act');
    const final = finalInvoiceContent(status);
    if (final.amount > 0) {
      await billing.issueInvoice('final', final.amount, final.lines, final.prepaymentDeducted, { compensations: final.compensations });
    } else {
      settleCompensations(status, final.compensations);
      const covered = final.compensations.length === 0 ? 'the prepayment' : final.prepaymentDeducted > 0 ? 'the prepayment and the compensations agreed' : 'the compensations agreed';
      ctx.record('nothing_left_to_invoice', undefined, `${covered} covered the whole plan`);
      // The act travels with the final invoice; with none to send, it goes to the client on its own
      // (runs recorded before left it on the client's page only).
      if (patched('act-without-final-invoice')) {
        // The prepayment may still be unpaid (a plan that started without waiting for it): the
        // mail then says what is still to pay instead of "nothing".
        const unpaid = unpaidInvoices(status);
        ctx.send('acceptance_act_to_sign', 'act-to-sign', ctx.client, {
          documentId: act.documentId,
          covered,
          ...(deemedAccepted(status) && { deemedAccepted: true }),
          ...(unpaid.length > 0 && {
            unpaidInvoices: unpaid.map((i) => i.number).join(', '),
            stillOwed: sumAmounts(unpaid.map(owedAmount), input.budget.currency),
            currency: input.budget.currency,
          }),
        });
      }
    }
    ctx.finalBilled = true;

    let blockedNoted = false;
    if (billing.chasesInEveryWait) {
      // Every wait chases what is unpaid; closing also waits for every complaint to be resolved
      // and every credit note refunded. A compensation agreed now is a credit note.
      // (Runs recorded before compensations had no credit note on this path: the same wait.)
      for (;;) {
        await ctx.until(
          () => status.invoices.every((i) => i.status !== 'open') || compensationsToSettle(status).length > 0 || overpaidInvoices(status).length > 0,
        );
        const compensations = compensationsToSettle(status);
        if (compensations.length > 0) {
          await refundCompensations(compensations);
          continue;
        }
        // Paid beyond what was asked (runs recorded before refused such payments: never here).
        const overpaid = overpaidInvoices(status);
        if (overpaid.length > 0) {
          await creditOverpayments(overpaid);
          continue;
        }
        if (!hasOpenComplaint(status)) return;
        if (!blockedNoted) ctx.record('closing_blocked', undefined, 'an open complaint must be resolved first');
        blockedNoted = true;
        await ctx.until(() => !hasOpenComplaint(status));
      }
    }
    for (;;) {
      const unpaid = unpaidInvoices(status);
      if (unpaid.length === 0) {
        if (!hasOpenComplaint(status)) return;
        if (!blockedNoted) ctx.record('closing_blocked', undefined, 'an open complaint must be resolved first');
        blockedNoted = true;
      }
      const next = billing.chaseDuePayments(unpaid);
      const seen = ctx.changes;
      if (next === undefined) await ctx.until(() => ctx.changes !== seen);
      else await ctx.untilOr(() => ctx.changes !== seen, next - Date.now());
    }
  }

  /** Compensations agreed after the final invoice: each a credit note, a refund owed to the client. */
  async function refundCompensations(compensations: Compensation[]): Promise<void> {
    for (const c of compensations) {
      // The client knows their complaint by when they made it, not by the agency's id for it.
      const made = status.complaints.find((k) => k.complaintId === c.complaintId)?.at;
      const lines = [{ description: `Compensation agreed in resolving your complaint${made ? ` of ${made.slice(0, 10)}` : ''}`, amount: c.amount }];
      await billing.issueInvoice('credit_note', c.amount, lines, undefined, { compensations: [c], series: c.complaintId, refundsCompensation: true });
    }
  }

  /**
   * What the client paid beyond an invoice comes back to them: a credit note for the excess, set
   * first against what they have not paid yet (a prepayment paid twice over makes the final invoice
   * ask less), the rest a refund the manager pays out.
   */
  async function creditOverpayments(invoices: InvoiceView[]): Promise<void> {
    for (const invoice of invoices) {
      const excess = fromMinor(overpaidMinor(invoice), invoice.currency);
      // Counted as credited before the credit note is made: the loop never issues it twice.
      invoice.excessCredited = sumAmounts([invoice.excessCredited ?? 0, excess], invoice.currency);
      const credited = invoice.excessCredited === excess ? '' : `-${invoice.excessCredited}`;
      const lines = [{ description: `Paid beyond invoice ${invoice.number}: returned to you`, amount: excess }];
      const note = await billing.issueInvoice('credit_note', excess, lines, undefined, { series: `overpaid-${invoice.number}${credited}`, overpaymentOf: invoice.number });
      (invoice.excessCreditedBy ??= []).push(note.number);
    }
  }

  /** Paid and no open complaint: the report for management, and the project is done. */
  async function closeProject(): Promise<void> {
    ctx.enterStage('closing');
    // The report states the outcome and its date: the project is complete once it is paid.
    status.completedAt = nowIso();
    const report = await billing.produce('final_report');
    ctx.record('completed');
    // A flaw may show only after the client paid: complaints are heard for the policy's window
    // from the completion (runs started before had none and ended here).
    const windowMs = input.policy.complaintWindowMs;
    if (windowMs !== undefined && patched('complaints-after-completion')) {
      status.complaintsHeardUntil = new Date(Date.parse(status.completedAt) + windowMs).toISOString();
    }
    // Leadership hears of the end of the cycle with its report, as it heard of its start (runs
    // recorded before completed silently).
    if (patched('announce-completion')) {
      ctx.send('project_completed', 'completed', { ...ctx.leadership, ...ctx.manager }, {
        documentId: report.documentId,
        ...completionSummary(status),
        ...(status.complaintsHeardUntil !== undefined && { complaintsHeardUntil: status.complaintsHeardUntil }),
      });
    }
    // The client hears it is done, and until when to tell their manager if something is not right
    // (asked only of runs with a complaint window: before, the client was told nothing here).
    if (status.complaintsHeardUntil !== undefined && patched('completion-mailed-to-client')) {
      ctx.send('project_completed_for_client', 'completed-client', ctx.client, { complaintsHeardUntil: status.complaintsHeardUntil });
    }
    ctx.enterStage('completed');
  }

  /**
   * Until the window ends, a complaint about the completed work is recorded, followed up and
   * resolved as before completion; a compensation agreed for it is a credit note refunded to the
   * client, and once every such complaint is resolved and refunded the final report is made again
   * with it. Work a department redoes for such a complaint starts here, as tasks of the completed
   * project, free of charge; the complaint is resolved once the fix is accepted. The project stays
   * completed throughout: its billed work and payments are done — unless a payment is taken back
   * meanwhile (the bank returned it): its invoice is then owed again, chased as any unpaid invoice
   * (the wait's hooks), paid again or written off, and the report made again once it is settled.
   * The client may also pay an invoice again (twice over): the excess is credited back at once, a
   * refund the manager pays out, and the report made again once it is.
   * No run could take back a payment, or pay beyond an invoice, here before (the validator
   * refused), so runs recorded before never meet an open or overpaid invoice in this wait and
   * replay as they were.
   */
  async function hearComplaintsAfterCompletion(
    untilMs: number,
    /** Heard again after the window, for complaints made after it: the run ends once they are settled. */
    again?: {
      complaintsBefore: number;
      /**
       * Kept open for complaints made as it was ending: how many were resolved when its window
       * closed. Those complaints may be resolved already (the run hears them once its last notices
       * are out), their report not made again yet: they are settled once, whatever is open.
       */
      resolvedAtClose?: number;
      settled: string;
    },
  ): Promise<void> {
    // A run reopened for a complaint that never came (its update refused) ends leaving no trace.
    const closeWindow = (by?: string, detail?: string): void => {
      ctx.complaintWindowOver = true;
      if (again && status.complaints.length === again.complaintsBefore) return;
      // The timeline says why a run again ends: its event is the window's, said a second time.
      ctx.record('complaint_window_closed', by, detail ?? again?.settled);
    };
    const owedAgain = (): boolean => status.invoices.some((i) => i.status === 'open');
    const paidBeyond = (): boolean => overpaidInvoices(status).length > 0;
    let resolvedAtClose = again?.resolvedAtClose;
    try {
      while (resolvedAtClose !== undefined || (await ctx.untilOr(() => hasOpenComplaint(status) || owedAgain() || paidBeyond(), untilMs - Date.now()))) {
        const resolvedBefore = resolvedAtClose ?? resolvedComplaints();
        resolvedAtClose = undefined;
        for (;;) {
          const settled = (): boolean => !hasOpenComplaint(status) && status.invoices.every((i) => i.status !== 'open');
          // Work sent back for a complaint waits to be started (only such a complaint adds tasks here).
          const reworkToStart = (): boolean => [...ctx.tasks.values()].some((t) => !t.handle && !t.closed);
          await ctx.until(() => settled() || compensationsToSettle(status).length > 0 || reworkToStart() || paidBeyond());
          if (reworkToStart()) {
            await production.startPendingTasks();
            continue;
          }
          const compensations = compensationsToSettle(status);
          if (compensations.length > 0) {
            await refundCompensations(compensations);
            continue;
          }
          // Its credit note is a refund owed: the wait goes on until it is paid out.
          const overpaid = overpaidInvoices(status);
          if (overpaid.length === 0) break;
          await creditOverpayments(overpaid);
        }
        const complaintsSettled = resolvedComplaints() > resolvedBefore;
        ctx.record(complaintsSettled ? 'complaints_settled_after_completion' : 'payments_settled_after_completion');
        await billing.produce('final_report');
        // Heard again, it has settled what it was run (or kept open) for: it ends now, unless more is open.
        if (again) untilMs = Date.now();
      }
      closeWindow();
    } catch (err) {
      if (!isCancellation(err)) throw err;
      // Cancelled from outside (an operator): the window ends now; what was agreed stands.
      closeWindow('temporal', 'cancelled through Temporal (operator)');
    }
  }

  /**
   * Open work is stopped (assignees told by their tasks), the client is billed exactly the work
   * accepted, all reported. True when the project then waits for its invoices to be settled.
   */
  async function cancelProject(): Promise<boolean> {
    const { reason, by } = ctx.cancelRequest!;
    ctx.cancelling = true;
    const running: TaskRuntime[] = [];
    for (const task of ctx.tasks.values()) {
      if (task.summary.status === 'accepted' || task.summary.status === 'cancelled' || task.closed) continue;
      if (task.handle) {
        running.push(task);
      } else {
        // Never started (revisions requested just before the cancellation): nothing to stop.
        task.summary.status = 'cancelled';
        task.closed = true;
      }
    }
    // A task that finished meanwhile cannot take the signal; its result still arrives below.
    await Promise.all(running.map((t) => t.handle!.signal(cancelTaskSignal, { reason }).catch(() => undefined)));
    // A task reports its last state before it sends its last notices; waiting for its workflow to
    // close would hold the cancellation for as long as the mail server is down. Runs recorded
    // before this patch waited for the close.
    const reportIsEnough = patched('cancellation-waits-for-task-reports');
    const stopped = (t: TaskRuntime): boolean =>
      t.closed || (reportIsEnough && (t.summary.status === 'accepted' || t.summary.status === 'cancelled'));
    await condition(() => [...ctx.tasks.values()].every(stopped));
    for (const task of ctx.tasks.values()) if (task.summary.status !== 'accepted') task.summary.status = 'cancelled';
    status.overdue = false;
    const accepted = status.tasks.filter((t) => t.status === 'accepted');
    ctx.record('work_stopped', by, `${accepted.length} of ${status.tasks.length} tasks accepted`);

    // A final invoice already covers the work; otherwise the client owes what was accepted.
    const issuedBefore = status.invoices.length;
    // The settlement's mails (an invoice voided, the bill or credit note) reach the client after
    // the one that tells them the project is cancelled, never before it (runs recorded before sent
    // each as it was made).
    const announcedFirst = patched('cancellation-announced-first');
    if (announcedFirst) ctx.outbox.holdBack();
    const settles = patched('cancellation-settles-prepayment');
    if (settles) await settleCancelledWork();
    else if (accepted.length > 0 && !status.invoices.some((i) => i.kind === 'final')) {
      const bill = cancellationInvoiceContent(status);
      if (bill.amount > 0) await billing.issueInvoice('cancellation', bill.amount, bill.lines, bill.prepaymentDeducted);
    }
    // Whoever cancelled it knows; the client's copy says what the settlement leaves them to expect.
    (announcedFirst ? ctx.outbox.sendFirst : ctx.send)(
      'project_cancelled',
      'cancelled',
      { ...ctx.leadership, ...ctx.manager, ...ctx.client, exceptPersonIds: [by] },
      {
        reason,
        cancelledBy: by,
        stage: status.cancellation!.stageAtCancel,
        // Nothing was started (the work waited for the prepayment): no "we have stopped the work".
        ...(status.tasks.length === 0 && { noWorkStarted: true }),
        // Every task was accepted: none had to be stopped above, so no "we have stopped the work" either.
        ...(status.tasks.length > 0 && accepted.length === status.tasks.length && { noWorkOpen: true }),
        ...cancellationSettlementInWords(status, issuedBefore),
        // The money as the settlement left it, for the mail's figures: the mail then reads nothing
        // of the project (a query that replays it on a worker that has not cached it).
        cancelledAt: status.cancellation!.at,
        settledInvoices: JSON.stringify(status.invoices),
      },
    );
    await billing.produce('final_report');
    ctx.record('cancelled', by, reason);
    ctx.enterStage('cancelled');
    return settles;
  }

  /**
   * The client owes exactly the work accepted (and the extra rounds whose work was accepted),
   * once: an unpaid prepayment is voided and never chased again; what was prepaid is deducted; a
   * prepayment larger than the work becomes a credit note, a refund owed. A final invoice already
   * issued covers all the work, and stands.
   */
  async function settleCancelledWork(): Promise<void> {
    if (status.invoices.some((i) => i.kind === 'final')) {
      // A compensation agreed just before the cancellation, its credit note not yet out.
      const compensations = compensationsToSettle(status);
      if (compensations.length > 0) await refundCompensations(compensations);
      return;
    }
    // Compensations that left nothing to bill are taken off what the cancellation bills (runs
    // recorded before billed the work as if they had not been agreed; asked only where there are some).
    const unbilled = compensationsBilledNothing(status);
    // So is what credit notes set against an unpaid prepayment settled of it (runs recorded before
    // counted only what was paid; asked only where a prepayment has a set-off).
    const setOff = status.invoices.some((i) => i.kind === 'prepayment' && (i.setOffs ?? []).length > 0);
    const settlement = cancellationSettlement(status, {
      unbilled: unbilled.length > 0 && patched('cancellation-counts-unbilled-compensations') ? unbilled : [],
      countSetOffs: setOff && patched('cancellation-counts-set-offs'),
    });
    for (const invoice of settlement.voids) billing.voidInvoice(invoice, 'the project was cancelled');
    const extra = { compensations: settlement.compensations };
    let bill: InvoiceView | undefined;
    if (settlement.balance > 0) {
      bill = await billing.issueInvoice('cancellation', settlement.balance, settlement.lines, settlement.prepaymentReceived, extra);
    } else if (settlement.balance < 0) {
      bill = await billing.issueInvoice('credit_note', -settlement.balance, settlement.lines, settlement.prepaymentReceived, extra);
    }
    // Those it could take nothing more off (the accepted work used up) are closed by it too, each
    // with what was taken off for it where that is less than agreed.
    settleCompensations(status, settlement.agreed, bill?.number);
    for (const c of settlement.agreed) {
      const taken = settlement.compensations.find((t) => t.complaintId === c.complaintId)?.amount ?? 0;
      const complaint = status.complaints.find((k) => k.complaintId === c.complaintId)!;
      if (taken < c.amount) complaint.compensation = { ...complaint.compensation!, takenOff: taken };
    }
  }
}
