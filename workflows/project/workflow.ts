/**
 * One client project, from the request to the final report: plan, approval, production by the
 * departments (one child workflow per task), the client's response, payment and the paperwork.
 * The snapshot served by `getStatus` is the single source of truth for the portal.
 *
 * This file is the story, in the article's order; the handlers (handlers.ts), the departments'
 * work (production.ts) and the money and documents (billing.ts) are beside it.
 */
import { CancellationScope, allHandlersFinished, condition, isCancellation, patched } from '@temporalio/workflow';
import { nowIso } from '../common/journal';
import { percentOf } from '../money';
import { cancelTaskSignal } from '../task/contract';
import type { ProjectInput, ProjectStatus } from './contract';
import { createBilling } from './billing';
import { createProjectContext, ProjectCancelled, type TaskRuntime } from './context';
import { registerProjectHandlers } from './handlers';
import { createProduction } from './production';
import { approvedPlan, cancellationInvoiceContent, finalInvoiceContent, hasOpenComplaint, taskInputFor } from './state';

export async function projectWorkflow(input: ProjectInput): Promise<ProjectStatus> {
  const ctx = createProjectContext(input);
  const { status } = ctx;
  const production = createProduction(ctx);
  const billing = createBilling(ctx);

  // Intake is recorded (initialStatus); planning starts at once, before any handler can run: an
  // update delivered with the start is dispatched as soon as its handler is registered.
  ctx.enterStage('planning');
  registerProjectHandlers(ctx, production);

  // --- the cycle, in the article's order ---
  ctx.syncSearchAttributes();
  try {
    await awaitPlanApproval();
    await runProduction();
    await collectClientResponse();
    await collectPayment();
    await closeProject();
  } catch (err) {
    if (isCancellation(err) && !ctx.cancelRequest) {
      // Cancelled from outside the API (`temporal workflow cancel`, the UI's button): the same
      // business cancellation, so open work stops, accepted work is billed and a report is made.
      ctx.cancelRequest = { reason: 'cancelled through Temporal (operator)', by: 'temporal' };
      status.cancellation = { ...ctx.cancelRequest, at: nowIso(), stageAtCancel: status.stage };
      ctx.record('cancellation_requested', 'temporal', ctx.cancelRequest.reason);
    } else if (!(err instanceof ProjectCancelled)) {
      throw err;
    }
    // Not cancellable itself: after a Temporal cancel, these steps must still run to the end.
    await CancellationScope.nonCancellable(async () => {
      await cancelProject();
      // Added after histories were recorded (those runs completed at once): patched to replay them.
      if (patched('cancelled-collects-payment')) await billing.collectCancellationPayment();
    });
  }
  // Every update answered (the cancellation's caller gets its snapshot), every notice out, and the
  // final state in the store.
  await CancellationScope.nonCancellable(async () => {
    await condition(allHandlersFinished);
    await ctx.outbox.drained();
    await ctx.publisher.caughtUp();
  });
  return status;

  // ---------------------------------------------------------------------------------------------
  // The steps
  // ---------------------------------------------------------------------------------------------

  /** The manager drafts a plan; leadership decides; a rejected plan comes back for another round. */
  async function awaitPlanApproval(): Promise<void> {
    // Waits on facts that only grow (plan versions, their decisions), never on the stage, which
    // may pass through "awaiting approval" while the process is busy sending a notice.
    for (let version = 1; ; version++) {
      await ctx.until(() => status.plans.length >= version);
      const plan = status.plans[version - 1];
      const submittedMs = Date.parse(plan.submittedAt);
      const decided = (): boolean => plan.decision !== undefined;
      if (!(await ctx.untilOr(decided, submittedMs + input.policy.approvalSlaMs - Date.now()))) {
        ctx.record('plan_approval_reminder', undefined, `version ${version}`);
        ctx.send('plan_waiting', `plan-reminder:v${version}`, ctx.leadership, { planVersion: version, reminder: true });
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

  /** Contract, prepayment, then the departments' work: every plan task as its own workflow. */
  async function runProduction(): Promise<void> {
    const plan = approvedPlan(status);
    await billing.produce('contract');
    if (plan.prepaymentPercent > 0) {
      const prepayment = await billing.issueInvoice('prepayment', percentOf(plan.total, plan.prepaymentPercent), [
        { description: `Prepayment, ${plan.prepaymentPercent}% of ${plan.total}`, amount: percentOf(plan.total, plan.prepaymentPercent) },
      ]);
      if (input.policy.startAfterPrepayment) {
        ctx.record('waiting_for_prepayment', undefined, prepayment.number);
        await ctx.until(() => prepayment.paid);
      }
    }
    for (const task of plan.tasks) production.addTask(taskInputFor(status, task, { startOpen: task.dependsOn.length === 0 }));
    await production.startPendingTasks();
    await production.awaitTasksAccepted();
  }

  /** Delivered: the client accepts, asks for revisions (back to production), complains, or is silent. */
  async function collectClientResponse(): Promise<void> {
    for (;;) {
      ctx.enterStage('client_review');
      const round = status.revisionRoundsUsed;
      ctx.clientDecision = undefined;
      ctx.send('delivery_ready', `delivery-ready:${round}`, { ...ctx.client, ...ctx.manager }, { revisionRound: round });
      const answered = (): boolean => ctx.clientDecision !== undefined;
      if (!(await ctx.untilOr(answered, input.policy.acceptanceWindowMs))) {
        ctx.record('client_response_due', undefined, `round ${round}`);
        // The client is told too: silence through a second window counts as acceptance.
        ctx.send('client_response_due', `response-due:${round}`, { ...ctx.client, ...ctx.manager }, {
          deemedAcceptedAt: new Date(Date.now() + input.policy.acceptanceWindowMs).toISOString(),
        });
        if (!(await ctx.untilOr(answered, input.policy.acceptanceWindowMs))) {
          status.feedback.push({ at: nowIso(), kind: 'deemed_accepted' });
          ctx.record('deemed_accepted', undefined, `no response in ${(2 * input.policy.acceptanceWindowMs) / 1000} s`);
          ctx.enterStage('invoicing');
          return;
        }
      }
      if (ctx.clientDecision === 'accepted') return;
      await production.startPendingTasks();
      await production.awaitTasksAccepted();
    }
  }

  /** The act and the final invoice, then payments chased until everything issued is paid. */
  async function collectPayment(): Promise<void> {
    ctx.enterStage('invoicing');
    await billing.produce('acceptance_act');
    const final = finalInvoiceContent(status);
    if (final.amount > 0) await billing.issueInvoice('final', final.amount, final.lines, final.prepaymentDeducted);
    else ctx.record('nothing_left_to_invoice', undefined, 'the prepayment covered the whole plan');

    let blockedNoted = false;
    for (;;) {
      const unpaid = status.invoices.filter((i) => !i.paid);
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

  /** Paid and no open complaint: the report for management, and the project is done. */
  async function closeProject(): Promise<void> {
    ctx.enterStage('closing');
    await billing.produce('final_report');
    status.completedAt = nowIso();
    ctx.record('completed');
    ctx.enterStage('completed');
  }

  /** Open work is stopped (assignees told by their tasks), accepted work is invoiced, all reported. */
  async function cancelProject(): Promise<void> {
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
    ctx.publisher.publishIfChanged();
    // A task that finished meanwhile cannot take the signal; its result still arrives below.
    await Promise.all(running.map((t) => t.handle!.signal(cancelTaskSignal, { reason }).catch(() => undefined)));
    await condition(() => [...ctx.tasks.values()].every((t) => t.closed));
    for (const task of ctx.tasks.values()) if (task.summary.status !== 'accepted') task.summary.status = 'cancelled';
    status.overdue = false;
    const accepted = status.tasks.filter((t) => t.status === 'accepted');
    ctx.record('work_stopped', by, `${accepted.length} of ${status.tasks.length} tasks accepted`);

    // A final invoice already covers the work; otherwise the client owes what was accepted.
    if (accepted.length > 0 && !status.invoices.some((i) => i.kind === 'final')) {
      const bill = cancellationInvoiceContent(status);
      if (bill.amount > 0) await billing.issueInvoice('cancellation', bill.amount, bill.lines, bill.prepaymentDeducted);
    }
    ctx.send('project_cancelled', 'cancelled', { ...ctx.leadership, ...ctx.manager }, { reason, cancelledBy: by, stage: status.cancellation!.stageAtCancel });
    await billing.produce('final_report');
    ctx.record('cancelled', by, reason);
    ctx.enterStage('cancelled');
  }
}
