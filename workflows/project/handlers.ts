/**
 * What people can ask of a project: the status query, the updates managers and leadership send,
 * and the reports of its tasks. Validators refuse before anything is written to history; handlers
 * record the event and return the new snapshot. Slow effects (mail) are queued, not awaited.
 */
import { condition, setHandler } from '@temporalio/workflow';
import { nowIso } from '../common/journal';
import { businessFailure, ErrorType, type ErrorTypeName } from '../errors';
import { fitsCurrency, formatAmount, fromMinor, subtractAmounts, sumAmounts, toMinor } from '../money';
import type { Actor } from '../shared-schemas';
import { clientActorId, COMPLAINT_STAGES, departmentName, namesInWords, type Department } from '../vocabulary';
import { managerChangedSignal, taskId } from '../task/contract';
import {
  cancelProjectUpdate,
  decidePlanUpdate,
  getStatusQuery,
  handOverProjectUpdate,
  publishAgainSignal,
  askForChangesUpdate,
  declineChangeRequestUpdate,
  recordFeedbackUpdate,
  recordPaymentUpdate,
  resolveComplaintUpdate,
  reversePaymentUpdate,
  reworkComplaintUpdate,
  startWorkUpdate,
  submitPlanUpdate,
  writeOffUpdate,
  taskChangedSignal,
  type ChangeRequestView,
  type InvoiceView,
  type ProjectActionResult,
  type ProjectStage,
} from './contract';
import type { Billing } from './billing';
import type { ProjectContext } from './context';
import { checkPlan } from './plan-rules';
import type { Production } from './production';
import type { AskForChangesInput, ClientActor, DeclineChangeRequestInput, RecordFeedbackInput, ReworkComplaintInput, SubmitPlanInput } from './schemas';
import {
  approvedPlan,
  compensationsToSettle,
  departmentsWithWork,
  dueDateOutOfOrder,
  finalInvoiceContent,
  hasOpenComplaint,
  netBilled,
  noteCancellation,
  openChangeRequest,
  overpaidMinor,
  owedAmount,
  owedMinor,
  planAgainstRequestFigures,
  planTotal,
  reverseSetOffs,
  setOffAmount,
  settleChangeRequest,
  taskInputFor,
  waitingForPrepayment,
} from './state';

/** How far before its invoice's issue a payment may be dated (time zones). */
const PAYMENT_DATE_GRACE_MS = 24 * 3_600_000;

export function registerProjectHandlers(ctx: ProjectContext, production: Production, billing: Pick<Billing, 'chasesInEveryWait'>): void {
  const { status, input, startTime, patched } = ctx;
  const currency = input.budget.currency;
  /**
   * What an update answers: which version of the snapshot it produced. Not the snapshot itself,
   * which the store (or the status query) serves: an answer is written to the history, and a
   * snapshot there at every action would make a long project's history grow with its square.
   */
  const done = (): ProjectActionResult => ({ projectId: input.projectId, version: status.version, stage: status.stage });

  setHandler(getStatusQuery, () => status);

  const refuseUnless = (allowed: boolean, who: string): void => {
    if (!allowed) throw businessFailure(ErrorType.NotAllowed, `only ${who} may do this`);
  };
  // The manager who has the project now: a handover moves it to another.
  const isManager = (by: Pick<Actor, 'id'>): boolean => by.id === status.managerId;
  const isLeadership = (by: { role: string }): boolean => by.role === 'leadership';
  /** This project's client, answering on their own page (the API opened it with their link). */
  const isTheClient = (by: Actor | ClientActor): by is ClientActor => by.role === 'client' && by.id === clientActorId(input.client.id);
  const refuseIfClosing = (): void => {
    if (status.stage === 'completed' || status.stage === 'cancelled' || ctx.cancelRequest) {
      throw businessFailure(ErrorType.WrongStage, `the project is ${ctx.cancelRequest ? 'being cancelled' : status.stage}`);
    }
  };
  /** Only a department that did work in this project has work to redo. */
  const refuseDepartmentsWithoutWork = (departments: Department[]): void => {
    const worked = departmentsWithWork(status);
    const did = `the ${worked.length === 1 ? 'department that did is' : 'departments that did are'} ${namesInWords(worked.map(departmentName))}`;
    const idle: { field: string; message: string }[] = [];
    departments.forEach((department, i) => {
      if (!worked.includes(department)) idle.push({ field: `departments[${i}]`, message: `${departmentName(department)} did no work in this project: ${did}` });
    });
    if (idle.length > 0) throw businessFailure(ErrorType.InvalidInput, idle.map((p) => `${p.field}: ${p.message}`).join('; '), idle);
  };
  const refuseUnlessStage = (stage: ProjectStage): void => {
    refuseIfClosing();
    if (status.stage !== stage) {
      throw businessFailure(ErrorType.WrongStage, `the project is in ${status.stage}, not ${stage}`);
    }
  };

  /** A completed project within its complaint window (and before its workflow turned to ending). */
  const hearsComplaintsAfterCompletion = (): boolean =>
    status.stage === 'completed' &&
    status.complaintsHeardUntil !== undefined &&
    !ctx.complaintWindowOver &&
    Date.now() < Date.parse(status.complaintsHeardUntil);

  /**
   * A completed project past its complaint window whose workflow still runs: run again for a
   * complaint made after it, still settling what was open when it ended (a complaint, a refund,
   * money owed again), or about to end. A complaint then is one made after the window. Runs
   * recorded before refused any here (validators are not replayed), so none of them holds one.
   */
  const pastWindow = (): boolean =>
    ctx.reopened || (status.stage === 'completed' && status.complaintsHeardUntil !== undefined && Date.now() >= Date.parse(status.complaintsHeardUntil));

  /**
   * A completed project with a complaint made after completion still open, or the refund of its
   * compensation still owed: the complaint is resolved, the refund recorded (on its credit note
   * only), and the project can be handed to another manager, on the completed project.
   */
  const settlingAfterCompletion = (): boolean =>
    status.stage === 'completed' && (hasOpenComplaint(status) || status.invoices.some((i) => i.status === 'open'));

  /** A cancelled project still takes payments (and refunds) on what it billed, until they are settled. */
  const refuseUnlessSettling = (): void => {
    if (status.stage === 'completed' || (status.stage === 'cancelled' && status.invoices.every((i) => i.status !== 'open'))) {
      throw businessFailure(ErrorType.WrongStage, `the project is ${status.stage}`);
    }
  };

  /**
   * Approving starts the work: every task's due date must still be ahead, or be moved by the
   * decision — and a moved date keeps the plan's order (no task due before one it waits for).
   */
  const refuseDueDatesPassed = (tasks: { key: string; title: string; dueAt: string; dependsOn: string[] }[], dueDates: Record<string, string>): void => {
    const now = Date.now();
    const problems: { field: string; message: string }[] = [];
    for (const key of Object.keys(dueDates)) {
      if (!tasks.some((t) => t.key === key)) problems.push({ field: `dueDates.${key}`, message: `the plan has no task ${key}` });
      else if (!(Date.parse(dueDates[key]) > now)) problems.push({ field: `dueDates.${key}`, message: 'the new due date must be in the future' });
    }
    for (const task of tasks) {
      if (dueDates[task.key] === undefined && Date.parse(task.dueAt) <= now) {
        problems.push({
          field: `dueDates.${task.key}`,
          // No timestamp in the words: the portal shows the date beside the field, in the person's own zone.
          message: `the due date of “${task.title}” has passed: give it a new due date`,
        });
      }
    }
    // In the same answer, the order of the dates given (tasks named above are left out: their date is not settled).
    const named = new Set(problems.map((p) => p.field.slice('dueDates.'.length)));
    {
      const moved = tasks.filter((t) => !named.has(t.key)).map((t) => ({ ...t, status: 'waiting' as const, dueAt: dueDates[t.key] ?? t.dueAt }));
      for (const task of moved) {
        // Only where the decision moves a date: the plan as submitted kept its order.
        if (!task.dependsOn.some((d) => dueDates[d] !== undefined) && dueDates[task.key] === undefined) continue;
        // Each pair once, at the task that would be due too early.
        const problem = dueDateOutOfOrder(moved, task.key, Date.parse(task.dueAt));
        if (problem?.kind === 'before') problems.push({ field: `dueDates.${task.key}`, message: `“${task.title}” would be ${problem.message}` });
      }
    }
    if (problems.length > 0) {
      throw businessFailure(ErrorType.InvalidInput, problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
    }
  };

  setHandler(
    submitPlanUpdate,
    ctx.acting(({ by, tasks: planTasks, prepaymentPercent, includedRevisionRounds }: SubmitPlanInput) => {
      const version = status.plans.length + 1;
      const at = nowIso();
      const total = planTotal(planTasks, currency);
      // Which descriptions changed since the version before, said before its descriptions go.
      const previous = status.plans.at(-1);
      const descriptionsChanged = planTasks
        .filter((t) => {
          const before = previous?.tasks.find((p) => p.key === t.key);
          return before !== undefined && (before.description ?? '') !== (t.description ?? '');
        })
        .map((t) => t.key);
      status.plans.push({ version, submittedAt: at, submittedBy: by.id, tasks: planTasks, prepaymentPercent, includedRevisionRounds, total, descriptionsChanged });
      // Earlier versions keep everything but the task descriptions (up to 5,000 characters each):
      // a snapshot carrying ten versions of a 200-task plan would pass Temporal's 2 MB limit.
      for (const older of status.plans.slice(0, -1)) older.tasks = older.tasks.map((t) => (t.description ? { ...t, description: '' } : t));
      if (status.firstPlanAt === undefined) {
        // The manager's response time: from the client's request to the first proposal.
        status.firstPlanAt = at;
        status.responseTimeMs = Date.now() - startTime.getTime();
      }
      status.pendingPlanVersion = version;
      ctx.record('plan_submitted', by.id, `version ${version}, ${planTasks.length} tasks, total ${total}`);
      ctx.enterStage('awaiting_approval');
      ctx.send('plan_waiting', `plan-waiting:v${version}`, ctx.leadership, { planVersion: version, ...planAgainstRequestFigures(status, version), total, currency });
      ctx.changed();
      return done();
    }),
    {
      validator: (plan) => {
        refuseUnless(isManager(plan.by), "the project's manager");
        refuseIfClosing();
        if (status.stage === 'awaiting_approval') {
          throw businessFailure(ErrorType.WrongStage, `plan version ${status.pendingPlanVersion} is waiting for a decision`);
        }
        refuseUnlessStage('planning');
        // The API ran the same rules; this is the last word, with workflow time as "now".
        const problems = checkPlan(plan, Date.now(), currency);
        if (problems.length > 0) {
          throw businessFailure(
            ErrorType.InvalidInput,
            problems.map((p) => `${p.field}: ${p.message}`).join('; '),
            problems.map((p) => ({ field: p.field, message: p.message })),
          );
        }
      },
    },
  );

  setHandler(
    decidePlanUpdate,
    ctx.acting(({ by, planVersion, decision, comment, dueDates }) => {
      const plan = status.plans.find((p) => p.version === planVersion)!;
      plan.decision = { decision, comment, by: by.id, at: nowIso() };
      status.pendingPlanVersion = undefined;
      if (decision === 'approve' && dueDates && Object.keys(dueDates).length > 0) {
        // Moved by the decision itself: the work starts with dates that are still ahead.
        plan.decision.movedDueDates = plan.tasks
          .filter((t) => dueDates[t.key] !== undefined)
          .map((t) => ({ key: t.key, from: t.dueAt, to: new Date(Date.parse(dueDates[t.key])).toISOString() }));
        plan.tasks = plan.tasks.map((t) => (dueDates[t.key] === undefined ? t : { ...t, dueAt: new Date(Date.parse(dueDates[t.key])).toISOString() }));
        ctx.record('due_dates_moved', by.id, plan.decision.movedDueDates.map((m) => `${m.key} → ${m.to}`).join(', '));
      }
      if (decision === 'approve') {
        status.approvedPlanVersion = planVersion;
        status.lastRejectionComment = undefined;
        ctx.record('plan_approved', by.id, `version ${planVersion}${comment ? `: ${comment}` : ''}`);
        ctx.enterStage('in_production');
      } else {
        status.lastRejectionComment = comment;
        ctx.record('plan_rejected', by.id, `version ${planVersion}: ${comment}`);
        ctx.enterStage('planning');
      }
      ctx.send('plan_decided', `plan-decided:v${planVersion}`, ctx.manager, { planVersion, decision, comment, by: by.id, prepaymentPercent: plan.prepaymentPercent });
      ctx.changed();
      return done();
    }),
    {
      validator: ({ by, planVersion, decision, comment, dueDates }) => {
        refuseUnless(isLeadership(by), 'leadership');
        refuseIfClosing();
        const plan = status.plans.find((p) => p.version === planVersion);
        if (plan?.decision) {
          throw businessFailure(ErrorType.AlreadyDone, `plan version ${planVersion} was already ${plan.decision.decision}d`, 'planVersion');
        }
        if (!plan || planVersion !== status.pendingPlanVersion) {
          throw businessFailure(
            ErrorType.StalePlanVersion,
            `plan version ${planVersion} is not the one awaiting a decision (${status.pendingPlanVersion ?? 'none'})`,
            'planVersion',
          );
        }
        if (decision === 'reject' && comment.trim() === '') {
          throw businessFailure(ErrorType.InvalidInput, 'say why the plan goes back', 'comment');
        }
        if (decision === 'approve') refuseDueDatesPassed(plan.tasks, dueDates ?? {});
      },
    },
  );

  setHandler(
    recordFeedbackUpdate,
    ctx.acting(({ by, feedback }: RecordFeedbackInput) => {
      const at = nowIso();
      // The client answered on their page: who at the client, kept with the answer, and the manager told.
      const fromClient = isTheClient(by) ? { clientContact: by.name } : undefined;
      if (feedback.kind === 'accepted') {
        status.feedback.push({ at, kind: 'accepted', rating: feedback.rating, comment: feedback.comment, recordedBy: by.id, ...fromClient });
        ctx.record('client_accepted', by.id, `rating ${feedback.rating}${feedback.comment ? `: ${feedback.comment}` : ''}`);
        if (fromClient) {
          ctx.send('client_accepted', `client-accepted:${status.revisionRoundsUsed}`, ctx.manager, {
            rating: feedback.rating,
            ...(feedback.comment && { comment: feedback.comment }),
            ...fromClient,
          });
        }
        answerChangeRequest(by, { outcome: 'accepted_instead' });
        ctx.clientDecision = 'accepted';
        ctx.enterStage('invoicing');
      } else if (feedback.kind === 'revisions_requested') {
        const round = status.revisionRoundsUsed + 1;
        const beyondIncluded = round > approvedPlan(status).includedRevisionRounds;
        const departments = [...new Set(feedback.departments)];
        // A dot cannot appear in a plan's task keys, so `rev1.design` never meets a plan task
        // named `rev1-design`. Runs recorded before keep the keys they had.
        const separator = patched('revision-task-keys') ? '.' : '-';
        const inputs = departments.map((department) =>
          taskInputFor(
            status,
            {
              key: `rev${round}${separator}${department}`,
              department,
              title: `Revision ${round} (${departmentName(department)})`,
              description: feedback.description,
              estimateHours: 1,
              dueAt: new Date(Date.parse(feedback.dueAt)).toISOString(),
              price: 0,
              dependsOn: [],
            },
            { startOpen: true, revisionRound: round, patchBaseline: input.patchBaseline },
          ),
        );
        status.revisionRoundsUsed = round;
        status.revisions.push({
          round,
          description: feedback.description,
          departments,
          requestedAt: at,
          beyondIncluded,
          extraPrice: beyondIncluded ? (feedback.extraPrice ?? 0) : 0,
          taskIds: inputs.map((i) => taskId(i.projectId, i.taskKey)),
        });
        status.feedback.push({ at, kind: 'revisions_requested', description: feedback.description, recordedBy: by.id });
        answerChangeRequest(by, { outcome: 'round_recorded', round });
        // The tasks show in the snapshot at once; the process starts their workflows.
        for (const taskInput of inputs) production.addTask(taskInput);
        ctx.record('revisions_requested', by.id, `round ${round}${beyondIncluded ? ` (extra ${feedback.extraPrice ?? 0})` : ''}: ${feedback.description}`);
        ctx.clientDecision = 'revisions_requested';
        ctx.enterStage('in_production');
      } else {
        const complaintId = `c${status.complaints.length + 1}`;
        const late = pastWindow() && { afterWindow: true };
        status.complaints.push({ complaintId, description: feedback.description, at, recordedBy: by.id, ...fromClient, ...late });
        status.feedback.push({ at, kind: 'complaint', description: feedback.description, recordedBy: by.id, ...fromClient });
        ctx.record('complaint_filed', by.id, `${complaintId}: ${feedback.description}`);
        // The manager hears of it too (leadership may record one the client brought to them); whoever recorded it knows.
        ctx.send(
          'complaint_filed',
          `complaint:${complaintId}`,
          { ...ctx.manager, ...ctx.leadership, exceptPersonIds: [by.id] },
          // (Only the activity's input changes: histories replay as recorded.)
          {
            complaintId,
            description: feedback.description,
            by: by.id,
            ...fromClient,
            ...late,
            ...(late && status.complaintsHeardUntil !== undefined && { complaintsHeardUntil: status.complaintsHeardUntil }),
          },
        );
        // Its follow-up is timed by the process's waits (complaints.ts): the one running now wakes
        // for it (runs recorded before slept on where nothing else was due).
        if (patched('complaint-wakes-wait')) ctx.followsUpComplaints = true;
      }
      ctx.changed();
      return done();
    }),
    {
      validator: ({ by, feedback }) => {
        if (by.role === 'client') {
          // A round of changes needs what only the manager settles: departments, dates, its price.
          refuseUnless(isTheClient(by) && feedback.kind !== 'revisions_requested', "the project's manager (the client accepts or complains on their page)");
        }
        if (feedback.kind === 'complaint') {
          // A client who goes over the manager's head complains to leadership: either records it
          // (and the client may on their page).
          refuseUnless(isTheClient(by) || isManager(by) || isLeadership(by), "the project's manager or leadership");
          // A complaint may come while the work is under way (a deadline missed), during the
          // review, after acceptance (a client deemed to accept, then unhappy), or within the
          // policy's window after completion (a flaw found once paid for).
          if (pastWindow()) {
            // Made after the window: the manager or leadership records it with the client (their
            // page says to tell the manager), on the project run again for it, on the run still
            // settling what was open when its window ended, or on a run ending (it is then kept
            // open for it: workflow.ts, endRunHearingLateComplaints), until that run has ended.
            refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership (its complaint window is over)");
          } else if (!hearsComplaintsAfterCompletion()) {
            if (status.stage === 'completed' && status.complaintsHeardUntil !== undefined) {
              throw businessFailure(ErrorType.WrongStage, `the project completed and heard complaints until ${status.complaintsHeardUntil}`);
            }
            refuseIfClosing();
            if (!COMPLAINT_STAGES.includes(status.stage)) {
              throw businessFailure(ErrorType.WrongStage, `complaints are recorded while the work is done, reviewed or paid for; the project is in ${status.stage}`);
            }
          }
        } else {
          refuseUnless(isTheClient(by) || isManager(by), "the project's manager");
          refuseUnlessStage('client_review');
        }
        // A complaint or a revision of spaces says nothing, yet would block closing or open work.
        if (feedback.kind !== 'accepted' && feedback.description.trim() === '') {
          throw businessFailure(ErrorType.InvalidInput, feedback.kind === 'complaint' ? 'describe the complaint' : 'describe the revision', 'description');
        }
        if (feedback.kind === 'accepted' && !(Number.isInteger(feedback.rating) && feedback.rating >= 1 && feedback.rating <= 5)) {
          throw businessFailure(ErrorType.InvalidInput, 'rating is 1 to 5', 'rating');
        }
        if (feedback.kind === 'revisions_requested') {
          // A round reworks what was delivered: a department that did nothing here has nothing to
          // rework, yet its task would use up the round and send the project back to production.
          refuseDepartmentsWithoutWork(feedback.departments);
          const due = Date.parse(feedback.dueAt);
          if (Number.isNaN(due) || due <= Date.now()) {
            throw businessFailure(ErrorType.InvalidInput, 'the revision must be due in the future', 'dueAt');
          }
          const round = status.revisionRoundsUsed + 1;
          const included = approvedPlan(status).includedRevisionRounds;
          if (round > included && feedback.extraPrice === undefined) {
            throw businessFailure(
              ErrorType.InvalidInput,
              `round ${round} is beyond the ${included} included in the plan: give the extra price the client agreed`,
              'extraPrice',
            );
          }
          if (round <= included && (feedback.extraPrice ?? 0) > 0) {
            throw businessFailure(ErrorType.InvalidInput, `round ${round} is included in the plan: no extra price`, 'extraPrice');
          }
          if (feedback.extraPrice !== undefined && !fitsCurrency(feedback.extraPrice, currency)) {
            throw businessFailure(ErrorType.InvalidInput, `more decimals than ${currency} has`, 'extraPrice');
          }
        }
      },
    },
  );

  /**
   * A compensation is money off what the client pays: never more than is left to bill (before
   * the final invoice) or than was billed (after it, as a credit note).
   */
  const refuseUnfitCompensation = (amount: number): void => {
    const refuse = (type: ErrorTypeName, message: string): never => {
      throw businessFailure(type, message, 'compensation');
    };
    if (!(amount > 0)) refuse(ErrorType.InvalidInput, 'must be positive');
    if (!fitsCurrency(amount, currency)) refuse(ErrorType.InvalidInput, `more decimals than ${currency} has`);
    if (ctx.cancelRequest || status.stage === 'cancelled') {
      refuse(ErrorType.WrongStage, 'the project is cancelled: its bill is settled as it stands; resolve the complaint without a compensation');
    }
    // Runs started before every wait chased payments wait on their own loop, which issues no credit notes.
    if (!billing.chasesInEveryWait) refuse(ErrorType.WrongStage, 'this project started before compensations could be recorded; resolve it without one');
    if (status.stage === 'invoicing' && !ctx.finalBilled) {
      refuse(ErrorType.WrongStage, 'the final invoice is being issued right now; try again in a moment');
    }
    // After the final invoice: what was billed, less the credit notes out and those still to come
    // (a compensation agreed a moment ago, its credit note being numbered).
    const pending = compensationsToSettle(status).map((c) => c.amount);
    const limit = ctx.finalBilled ? subtractAmounts(netBilled(status), sumAmounts(pending, currency), currency) : finalInvoiceContent(status).amount;
    if (toMinor(amount, currency) > toMinor(limit, currency)) {
      refuse(
        ErrorType.InvalidInput,
        ctx.finalBilled
          ? `${formatAmount(amount, currency)} is more than the ${formatAmount(limit, currency)} billed in all, net of credit notes`
          : `${formatAmount(amount, currency)} is more than the ${formatAmount(limit, currency)} the final invoice would still bill`,
      );
    }
  };

  /** The client's open request for changes, answered by what the manager (or the client) just recorded. */
  const answerChangeRequest = (by: Actor | ClientActor, answer: Pick<ChangeRequestView, 'outcome' | 'round' | 'reply'>): void =>
    settleChangeRequest(status, answer, by.id, nowIso());

  setHandler(
    askForChangesUpdate,
    ctx.acting(({ by, description, clientContact }: AskForChangesInput) => {
      const requests = (status.changeRequests ??= []);
      const requestId = `r${requests.length + 1}`;
      // Asked on the page, the client names themselves; asked by mail or phone, the manager names them.
      const onThePage = by.role === 'client';
      const contact = onThePage ? by.name : clientContact!.trim();
      requests.push({ requestId, description, at: nowIso(), clientContact: contact, ...(!onThePage && { recordedBy: by.id }), deliveryRound: status.revisionRoundsUsed });
      ctx.record('changes_asked', by.id, `${requestId}: ${description}`);
      // The manager turns it into a round or answers it; the acceptance clock waits for them (workflow.ts).
      // One they recorded themselves is no news to them.
      if (onThePage) ctx.send('changes_asked', `changes-asked:${requestId}`, ctx.manager, { requestId, description, clientContact: contact });
      ctx.changed();
      return done();
    }),
    {
      validator: ({ by, description, clientContact }) => {
        refuseUnless(
          isTheClient(by) || (by.role !== 'client' && isManager(by)),
          "the project's client on their page, or its manager recording what the client asked by mail or phone",
        );
        if (by.role !== 'client' && (clientContact === undefined || clientContact.trim() === '')) {
          throw businessFailure(ErrorType.InvalidInput, 'say who at the client asked for the changes', 'clientContact');
        }
        refuseUnlessStage('client_review');
        const open = openChangeRequest(status);
        if (open !== undefined) {
          throw businessFailure(ErrorType.AlreadyDone, `changes were asked for at ${open.at} and the manager has not answered yet`);
        }
        if (description.trim() === '') throw businessFailure(ErrorType.InvalidInput, 'say what should change', 'description');
      },
    },
  );

  setHandler(
    declineChangeRequestUpdate,
    ctx.acting(({ by, requestId, reply }: DeclineChangeRequestInput) => {
      const request = status.changeRequests!.find((r) => r.requestId === requestId)!;
      answerChangeRequest(by, { outcome: 'declined', reply });
      ctx.record('change_request_declined', by.id, `${requestId}: ${reply}`);
      // The client reads why, and that the review goes on: the clock runs again from where it stopped.
      ctx.send('change_request_declined', `change-request-declined:${requestId}`, ctx.client, {
        requestId,
        description: request.description,
        askedAt: request.at,
        reply,
      });
      ctx.changed();
      return done();
    }),
    {
      validator: ({ by, requestId, reply }) => {
        refuseUnless(isManager(by), "the project's manager");
        const request = status.changeRequests?.find((r) => r.requestId === requestId);
        if (request === undefined) throw businessFailure(ErrorType.NotFound, `no request for changes ${requestId}`, 'requestId');
        // One the cancellation closed was never answered: refused as the project is cancelled.
        refuseIfClosing();
        if (request.outcome !== undefined) throw businessFailure(ErrorType.AlreadyDone, `request ${requestId} was answered at ${request.answeredAt}`);
        refuseUnlessStage('client_review');
        if (reply.trim() === '') throw businessFailure(ErrorType.InvalidInput, 'say why no round of changes follows', 'reply');
      },
    },
  );

  setHandler(
    resolveComplaintUpdate,
    ctx.acting(({ by, complaintId, resolution, compensation }) => {
      const complaint = status.complaints.find((c) => c.complaintId === complaintId)!;
      complaint.resolution = resolution;
      complaint.resolvedAt = nowIso();
      complaint.resolvedBy = by.id;
      // Taken off the final invoice when it is issued, or (after it) a credit note: the process does either.
      if (compensation !== undefined) complaint.compensation = { amount: compensation, settled: false };
      ctx.record('complaint_resolved', by.id, `${complaintId}: ${resolution}${compensation !== undefined ? ` (compensation ${compensation} ${currency})` : ''}`);
      // The client hears their complaint is closed, and where a compensation goes; never the
      // resolution's wording, which is the agency's own note (runs recorded before told nobody).
      if (patched('complaint-resolved-mail')) {
        ctx.send('complaint_resolved', `complaint-resolved:${complaintId}`, ctx.client, {
          complaintId,
          description: complaint.description,
          recordedAt: complaint.at,
          ...(compensation !== undefined && { amount: compensation, currency, settledBy: ctx.finalBilled ? 'credit_note' : 'final_invoice' }),
        });
      }
      ctx.changed();
      return done();
    }),
    {
      validator: ({ by, complaintId, resolution, compensation }) => {
        refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership");
        if (!settlingAfterCompletion()) refuseUnlessSettling();
        const complaint = status.complaints.find((c) => c.complaintId === complaintId);
        if (!complaint) throw businessFailure(ErrorType.NotFound, `no complaint ${complaintId}`, 'complaintId');
        if (complaint.resolvedAt) throw businessFailure(ErrorType.AlreadyDone, `complaint ${complaintId} is already resolved`, 'complaintId');
        // Work sent back for it is part of its resolution: the fix is accepted first.
        const unfinished = (complaint.rework?.taskKeys ?? []).map((key) => status.tasks.find((t) => t.key === key)).filter((t) => t && t.status !== 'accepted');
        if (unfinished.length > 0) {
          throw businessFailure(
            ErrorType.WrongStage,
            `the work sent back for complaint ${complaintId} is not accepted yet (${namesInWords(unfinished.map((t) => departmentName(t!.department)))}): review it first`,
            'complaintId',
          );
        }
        if (resolution.trim() === '') throw businessFailure(ErrorType.InvalidInput, 'describe the resolution', 'resolution');
        if (compensation !== undefined) refuseUnfitCompensation(compensation);
      },
    },
  );

  // A complaint after completion about a flaw in the work: the departments redo it, free of
  // charge, as tasks of the completed project (the stage stays completed; the process starts
  // them while it hears complaints). The complaint stays open until the fix is accepted and the
  // manager resolves it.
  setHandler(
    reworkComplaintUpdate,
    ctx.acting(({ by, complaintId, departments, description, dueAt }: ReworkComplaintInput) => {
      const complaint = status.complaints.find((c) => c.complaintId === complaintId)!;
      const requestedAt = nowIso();
      const inputs = departments.map((department) =>
        taskInputFor(
          status,
          {
            key: `${complaintId}.${department}`,
            department,
            title: `Fix for a complaint (${departmentName(department)})`,
            description: `${description}\n\nThe client’s complaint: ${complaint.description}`,
            estimateHours: 1,
            dueAt: new Date(Date.parse(dueAt)).toISOString(),
            price: 0,
            dependsOn: [],
          },
          { startOpen: true, patchBaseline: input.patchBaseline },
        ),
      );
      complaint.rework = { description, departments, dueAt: inputs[0].dueAt, requestedAt, requestedBy: by.id, taskKeys: inputs.map((i) => i.taskKey) };
      // The tasks show in the snapshot at once; the process starts their workflows.
      for (const taskInput of inputs) production.addTask(taskInput);
      ctx.record('complaint_rework_requested', by.id, `${complaintId}: ${namesInWords(departments.map(departmentName))}: ${description}`);
      // The client hears it is being put right, by whom and when; the resolution's mail follows.
      ctx.send('complaint_rework_started', `complaint-rework:${complaintId}`, ctx.client, {
        complaintId,
        description: complaint.description,
        recordedAt: complaint.at,
        departments: namesInWords(departments.map(departmentName)),
        departmentCount: departments.length,
        dueAt: inputs[0].dueAt,
      });
      ctx.changed();
      return done();
    }),
    {
      validator: ({ by, complaintId, departments, description, dueAt }) => {
        refuseUnless(isManager(by), "the project's manager");
        const complaint = status.complaints.find((c) => c.complaintId === complaintId);
        if (!complaint) throw businessFailure(ErrorType.NotFound, `no complaint ${complaintId}`, 'complaintId');
        if (complaint.rework) throw businessFailure(ErrorType.AlreadyDone, `work was sent back for complaint ${complaintId} already`, 'complaintId');
        if (complaint.resolvedAt) throw businessFailure(ErrorType.AlreadyDone, `complaint ${complaintId} is already resolved`, 'complaintId');
        // Before completion the client's changes go through their review (revisions), and a
        // complaint is settled in money; a project completes with no complaint open, so an open
        // one on a completed project came after.
        if (status.stage !== 'completed') {
          throw businessFailure(ErrorType.WrongStage, `work is sent back for a complaint made after the project completed (before, ask for revisions at the client's review); the project is in ${status.stage}`);
        }
        if (description.trim() === '') throw businessFailure(ErrorType.InvalidInput, 'say what to redo', 'description');
        refuseDepartmentsWithoutWork(departments);
        const due = Date.parse(dueAt);
        if (Number.isNaN(due) || due <= Date.now()) throw businessFailure(ErrorType.InvalidInput, 'the fix must be due in the future', 'dueAt');
      },
    },
  );

  /** The payment recorded under this bank reference, on whichever invoice. */
  const paymentWithReference = (reference: string) => {
    for (const invoice of status.invoices) {
      const payment = invoice.payments.find((p) => p.reference === reference);
      if (payment) return { invoice, payment };
    }
    return undefined;
  };
  /** The same payment sent again (a statement imported twice): same reference, invoice, amount and date. */
  const isRepeat = ({ invoiceNumber, amount, paidAt, reference }: { invoiceNumber: string; amount: number; paidAt: string; reference: string }): boolean => {
    const earlier = paymentWithReference(reference);
    return (
      earlier !== undefined &&
      earlier.invoice.number === invoiceNumber &&
      toMinor(earlier.payment.amount, currency) === toMinor(amount, currency) &&
      Date.parse(earlier.payment.paidAt) === Date.parse(paidAt)
    );
  };

  setHandler(
    recordPaymentUpdate,
    ctx.acting((payment) => {
      // The bank's reference is the payment's identity: a statement imported twice counts once.
      if (isRepeat(payment) || paymentWithReference(payment.reference)) return done();
      const { by, invoiceNumber, amount, paidAt, reference } = payment;
      const invoice = status.invoices.find((i) => i.number === invoiceNumber)!;
      // Paid in full before a credit note was set against it: the set-off is undone by the excess,
      // and the credit note is a refund owed again (only runs with set-offs come here).
      const excess = toMinor(amount, currency) - owedMinor(invoice);
      if (excess > 0) {
        // Dated when the money arrived, or when the set-off was made if that was later: the invoice
        // is never shown owing less than nothing in between.
        const lastSetOff = (invoice.setOffs ?? []).reduce((latest, o) => (Date.parse(o.at) > Date.parse(latest) ? o.at : latest), invoice.issuedAt);
        const undoneAt = new Date(Math.max(Date.parse(paidAt), Date.parse(lastSetOff))).toISOString();
        for (const undone of reverseSetOffs(status, invoice, excess, undoneAt)) {
          ctx.record('set_off_undone', by.id, `${undone.invoiceNumber} against ${invoiceNumber}: ${undone.amount} ${currency} to refund (${invoiceNumber} was paid)`);
        }
      }
      invoice.payments.push({ amount, paidAt: new Date(Date.parse(paidAt)).toISOString(), reference, recordedAt: nowIso(), recordedBy: by.id });
      invoice.paidAmount = fromMinor(toMinor(invoice.paidAmount, currency) + toMinor(amount, currency), currency);
      if (owedMinor(invoice) <= 0) invoice.status = 'paid';
      const event = invoice.kind === 'credit_note' ? 'refund_paid' : invoice.status === 'paid' ? 'invoice_paid' : 'payment_received';
      const beyond = overpaidMinor(invoice) > 0 ? `, ${fromMinor(overpaidMinor(invoice), currency)} ${invoice.currency} more than it asked: to credit back` : '';
      ctx.record(event, by.id, `${invoiceNumber}: ${amount} ${invoice.currency} (${reference})${beyond}`);
      // The client hears that their money arrived (a refund paid out is the agency's own payment).
      // The same reference again after its payment was taken back (recorded again, rightly this
      // time) is a mail of its own, not a repeat of the first one's.
      const takenBack = (invoice.reversedPayments ?? []).filter((p) => p.reference === reference).length;
      const again = takenBack > 0 ? `:${takenBack}` : '';
      if (invoice.kind !== 'credit_note' && patched('payment-receipt-mail')) {
        ctx.send('payment_received', `payment-received:${invoiceNumber}:${reference}${again}`, ctx.client, {
          invoiceNumber,
          amount,
          currency: invoice.currency,
          reference,
          kind: invoice.kind,
          stillOwed: owedAmount(invoice),
          dueAt: invoice.dueAt,
          // Paid beyond what it asked: the receipt says the excess comes back.
          ...(overpaidMinor(invoice) > 0 && { overpaid: fromMinor(overpaidMinor(invoice), currency) }),
          // The prepayment the work waits for: paid, it starts now.
          ...(invoice.kind === 'prepayment' && invoice.status === 'paid' && status.policy.startAfterPrepayment && status.tasks.length === 0 && { startsWork: true }),
          // Part of it: the work still waits for the rest (said here, so the mail needs no read of the project).
          waitsForPrepayment: waitingForPrepayment(status)?.invoice.number === invoiceNumber,
        });
      } else if (invoice.kind === 'credit_note' && patched('refund-paid-mail')) {
        // A refund paid out: the client hears it is on its way (runs recorded before told nobody).
        ctx.send('refund_paid', `refund-paid:${invoiceNumber}:${reference}${again}`, ctx.client, {
          invoiceNumber,
          amount,
          currency: invoice.currency,
          reference,
          paidAt: new Date(Date.parse(paidAt)).toISOString(),
          stillOwed: owedAmount(invoice),
        });
      }
      ctx.changed();
      return done();
    }),
    {
      validator: (payment) => {
        const { by, invoiceNumber, amount, paidAt, reference } = payment;
        refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership");
        // A statement imported again after the last payment settled the project is still the same
        // payment: answered as recorded, not refused because the project has since completed.
        if (isRepeat(payment)) return;
        // A completed project owes nothing but a compensation agreed after it completed: the
        // refund paid out is recorded on its credit note (checked below, once the invoice is known).
        // Within its complaint window it also takes money the client paid again on an invoice it
        // had settled (paid twice): an overpayment, credited back (checked below).
        const afterCompletion = settlingAfterCompletion();
        const paidAgainInWindow = hearsComplaintsAfterCompletion();
        if (!afterCompletion && !paidAgainInWindow) refuseUnlessSettling();
        // Closing: everything was settled and the report is being written; a payment now (one that
        // would undo a set-off) would leave a refund owed on a project about to complete.
        if (status.stage === 'closing') throw businessFailure(ErrorType.WrongStage, 'the project is closing: everything it billed is settled');
        const invoice = status.invoices.find((i) => i.number === invoiceNumber);
        if (!invoice) throw businessFailure(ErrorType.NotFound, `no invoice ${invoiceNumber} was issued for this project`, 'invoiceNumber');
        // An invoice owed again after completion (its payment taken back) is paid again like any;
        // one settled before it completed takes only money paid twice, within the window.
        if (afterCompletion && !paidAgainInWindow && invoice.kind !== 'credit_note' && invoice.status !== 'open') {
          throw businessFailure(ErrorType.WrongStage, `the project is completed: ${invoiceNumber} was settled before it completed`, 'invoiceNumber');
        }
        const earlier = paymentWithReference(reference);
        if (earlier) {
          const { payment: p, invoice: i } = earlier;
          throw businessFailure(
            ErrorType.PaymentReferenceReused,
            `reference ${reference} already records a payment of ${p.amount} ${i.currency} on invoice ${i.number}, paid ${p.paidAt} ` +
              `(recorded ${p.recordedAt} by ${p.recordedBy}); a different payment needs its own reference`,
            'reference',
          );
        }
        if (invoice.status === 'void') {
          throw businessFailure(ErrorType.WrongStage, `invoice ${invoiceNumber} was voided${invoice.voidReason ? ` (${invoice.voidReason})` : ''}: nothing is owed on it`, 'invoiceNumber');
        }
        if (!(amount > 0)) throw businessFailure(ErrorType.InvalidInput, 'the amount must be positive', 'amount');
        if (!fitsCurrency(amount, currency)) throw businessFailure(ErrorType.InvalidInput, `more decimals than ${currency} has`, 'amount');
        if (Number.isNaN(Date.parse(paidAt))) throw businessFailure(ErrorType.InvalidInput, 'not a date', 'paidAt');
        // The same bank line typed twice under two spellings of its reference (two people working
        // through one statement) would count twice, and a payment cannot be taken back: one of the
        // same amount on the same invoice within a day of it needs saying it is another payment.
        // (Validators do not run on replay: histories recorded before this rule replay unchanged.)
        const twin = payment.anotherPayment
          ? undefined
          : invoice.payments.find((p) => toMinor(p.amount, currency) === toMinor(amount, currency) && Math.abs(Date.parse(p.paidAt) - Date.parse(paidAt)) < PAYMENT_DATE_GRACE_MS);
        if (twin) {
          throw businessFailure(
            ErrorType.PossibleDuplicatePayment,
            `${formatAmount(amount, currency)} paid ${twin.paidAt.slice(0, 10)} is already recorded on ${invoiceNumber} under reference ${twin.reference} ` +
              `(recorded ${twin.recordedAt} by ${twin.recordedBy}): if this is the same money, it is in; if it is another payment, confirm it as another payment`,
            'reference',
          );
        }
        // Money for an invoice arrives after the client has it; a date well before that is a typo
        // (last year, last month) that would count the payment in the wrong period. A day's grace
        // for time zones. Validators do not run on replay, so histories recorded before this rule
        // replay unchanged.
        if (Date.parse(paidAt) < Date.parse(invoice.issuedAt) - PAYMENT_DATE_GRACE_MS) {
          throw businessFailure(
            ErrorType.InvalidInput,
            `${paidAt.slice(0, 10)} is before invoice ${invoiceNumber} was issued (${invoice.issuedAt.slice(0, 10)}); give the day the money arrived`,
            'paidAt',
          );
        }
        // A credit note set against an invoice the client had in fact paid: the payment is taken,
        // the set-off undone (the credit note is refunded instead). Credit notes are never set off.
        const setOff = invoice.kind === 'credit_note' ? 0 : toMinor(setOffAmount(invoice), currency);
        if (toMinor(amount, currency) > owedMinor(invoice) + setOff) {
          // The client paid more than asked (and it is said so: most such amounts are typos): taken
          // whole, the excess credited back once the project is invoicing (overpaidInvoices). Not a
          // refund paid out (the agency's own money), not where a cancellation settles the money or
          // credit notes are set against the invoice, not in runs whose invoicing cannot credit it,
          // nor on a completed project past its complaint window: its workflow no longer credits
          // anything back (within the window, hearComplaintsAfterCompletion does, at once).
          const creditable =
            invoice.kind !== 'credit_note' &&
            setOff === 0 &&
            status.stage !== 'cancelled' &&
            (status.stage !== 'completed' || paidAgainInWindow) &&
            !ctx.cancelRequest &&
            billing.chasesInEveryWait;
          if (payment.moreThanOwed && creditable) return;
          const owed = formatAmount(fromMinor(owedMinor(invoice), currency), currency);
          throw businessFailure(
            ErrorType.Overpayment,
            `${formatAmount(amount, currency)} is more than the ${owed} still ${invoice.kind === 'credit_note' ? 'to refund' : 'owed'} on ${invoiceNumber}` +
              (setOff > 0 ? ` (${formatAmount(fromMinor(owedMinor(invoice) + setOff, currency), currency)} before credit notes were set against it)` : '') +
              (creditable ? '; if the client paid that much, confirm it (moreThanOwed): the excess is credited back to them' : ''),
            'amount',
          );
        }
      },
    },
  );

  // The work waits for the prepayment, and the client is trusted to pay it (or the transfer is on
  // its way): the manager or leadership starts it now. The prepayment stays owed and chased.
  setHandler(
    startWorkUpdate,
    ctx.acting(({ by, reason }) => {
      if (status.startedBeforePrepayment) return done();
      status.startedBeforePrepayment = { by: by.id, at: nowIso(), reason };
      const prepayment = waitingForPrepayment(status)?.invoice;
      ctx.record('work_started_before_prepayment', by.id, `${prepayment ? `${prepayment.number} still owed` : 'the prepayment still owed'}: ${reason}`);
      ctx.changed();
      return done();
    }),
    {
      validator: ({ by, reason }) => {
        refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership");
        // Again after it was done (a retry, a colleague's click): answered as done.
        if (status.startedBeforePrepayment) return;
        refuseIfClosing();
        if (!waitingForPrepayment(status)) {
          throw businessFailure(
            ErrorType.WrongStage,
            status.tasks.length > 0 ? 'the work has started already' : `the work is not waiting for a prepayment (the project is in ${status.stage})`,
          );
        }
        if (reason.trim().length === 0) throw businessFailure(ErrorType.InvalidInput, 'say why the work starts before the prepayment is paid', 'reason');
      },
    },
  );

  /** The payment a reversal names, if it is still counted (not taken back already). */
  const paymentToReverse = (invoice: InvoiceView, reference: string) => invoice.payments.find((p) => p.reference === reference);

  // A payment recorded wrongly (a typo in the amount, the wrong invoice) or sent back by the bank
  // is taken back: out of what the invoice counts as paid, kept beside it with who, when and why.
  // The invoice is owed again and chased as any unpaid one; work already started goes on.
  setHandler(
    reversePaymentUpdate,
    ctx.acting((reversal) => {
      const { by, invoiceNumber, reference, cause, note } = reversal;
      const invoice = status.invoices.find((i) => i.number === invoiceNumber)!;
      const payment = paymentToReverse(invoice, reference);
      // Taken back already (the same request again, or a colleague's): nothing more to do.
      if (!payment) return done();
      invoice.payments = invoice.payments.filter((p) => p !== payment);
      (invoice.reversedPayments ??= []).push({ ...payment, reversedAt: nowIso(), reversedBy: by.id, cause, ...(note && { note }) });
      invoice.paidAmount = subtractAmounts(invoice.paidAmount, payment.amount, currency);
      if (invoice.status === 'paid' && owedMinor(invoice) > 0) invoice.status = 'open';
      const why = cause === 'returned_by_bank' ? 'returned by the bank' : 'entered by mistake';
      ctx.record('payment_reversed', by.id, `${invoiceNumber}: ${payment.amount} ${invoice.currency} (${reference}) taken back, ${why}${note ? `: ${note}` : ''}`);
      // Money the client sent that came back: they hear the invoice is open again. A typo is
      // the agency's own: corrected without a mail. A refund that came back is owed again and
      // chased as one (the manager's reminders); the client hears of it when it is paid again.
      if (cause === 'returned_by_bank' && invoice.kind !== 'credit_note') {
        const returned = (invoice.reversedPayments ?? []).filter((p) => p.reference === reference).length;
        ctx.send('payment_returned', `payment-returned:${invoiceNumber}:${reference}:${returned}`, ctx.client, {
          invoiceNumber,
          amount: payment.amount,
          currency: invoice.currency,
          reference,
          paidAt: payment.paidAt,
          kind: invoice.kind,
          stillOwed: owedAmount(invoice),
          dueAt: invoice.dueAt,
          ...(invoice.documentId !== undefined && { documentId: invoice.documentId }),
        });
      }
      ctx.changed();
      return done();
    }),
    {
      validator: ({ by, invoiceNumber, reference, cause }) => {
        refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership");
        const invoice = status.invoices.find((i) => i.number === invoiceNumber);
        if (!invoice) throw businessFailure(ErrorType.NotFound, `no invoice ${invoiceNumber} was issued for this project`, 'invoiceNumber');
        // The same reversal again (a retry, a colleague's second click) is answered as done.
        if (!paymentToReverse(invoice, reference) && (invoice.reversedPayments ?? []).some((p) => p.reference === reference)) return;
        // A completed project takes a payment back while it still hears complaints (or settles
        // one): the bank can return the final payment weeks later, and the invoice is owed and
        // chased again. Once its workflow has ended (or is ending) its books are closed.
        if (status.stage === 'completed' && !hearsComplaintsAfterCompletion() && !settlingAfterCompletion()) {
          throw businessFailure(
            ErrorType.WrongStage,
            status.complaintsHeardUntil === undefined
              ? 'the project is completed: what it was paid closed its books; record a correction outside it'
              : `the project is completed and took corrections until ${status.complaintsHeardUntil}: record one now outside it`,
          );
        }
        // A cancellation settled the project from what had been paid (the prepayment deducted,
        // refunds worked out): taking a payment back would leave that settlement wrong.
        if (status.stage === 'cancelled' || ctx.cancelRequest) {
          throw businessFailure(ErrorType.WrongStage, `the project is ${ctx.cancelRequest ? 'being cancelled' : 'cancelled'}: its settlement was worked out from these payments`);
        }
        if (status.stage === 'closing') throw businessFailure(ErrorType.WrongStage, 'the project is closing: everything it billed is settled');
        if (!['entered_by_mistake', 'returned_by_bank'].includes(cause)) throw businessFailure(ErrorType.InvalidInput, 'not a cause a payment is taken back for', 'cause');
        const payment = paymentToReverse(invoice, reference);
        if (!payment) {
          throw businessFailure(ErrorType.NotFound, `no payment under reference ${reference} is recorded on ${invoiceNumber}`, 'reference');
        }
        if (invoice.status === 'void') {
          throw businessFailure(ErrorType.WrongStage, `invoice ${invoiceNumber} was voided: its payments stand as they were then`, 'invoiceNumber');
        }
        // Credit notes set against the invoice, or crediting back what it was paid beyond it, were
        // worked out from what it had been paid.
        if ((invoice.setOffs ?? []).length > 0 || (invoice.excessCredited ?? 0) > 0) {
          throw businessFailure(
            ErrorType.WrongStage,
            `a credit note is set against ${invoiceNumber}, or credits back what it was paid beyond it: taking a payment back from it is not supported (ask for a correction by credit note)`,
            'invoiceNumber',
          );
        }
      },
    },
  );

  // A client who will not pay (gone out of business, a sum not worth a court): leadership writes
  // off what is still owed on an invoice. It asks nothing more and is not chased; what was paid
  // stands. The project then goes on as if it were settled (it completes, or a cancelled one ends).
  // The manager hears of it; the client is not mailed (their page shows the invoice as closed).
  setHandler(
    writeOffUpdate,
    ctx.acting(({ by, invoiceNumber, reason }) => {
      const invoice = status.invoices.find((i) => i.number === invoiceNumber)!;
      // Written off already (a retry, a colleague's click): nothing more to do.
      if (invoice.writtenOff) return done();
      const amount = owedAmount(invoice);
      const at = nowIso();
      invoice.writtenOff = { by: by.id, at, reason, amount };
      invoice.voidedAmount = amount;
      invoice.voidedAt = at;
      invoice.voidReason = 'written off';
      invoice.status = 'void';
      ctx.record('invoice_written_off', by.id, `${invoiceNumber}: ${amount} ${invoice.currency} no longer pursued: ${reason}`);
      ctx.send('invoice_written_off', `invoice-written-off:${invoiceNumber}`, { ...ctx.manager, exceptPersonIds: [by.id] }, {
        invoiceNumber,
        amount,
        amountPaid: invoice.paidAmount,
        currency: invoice.currency,
        kind: invoice.kind,
        reason,
        by: by.id,
      });
      ctx.changed();
      return done();
    }),
    {
      validator: ({ by, invoiceNumber, reason }) => {
        refuseUnless(isLeadership(by), 'leadership');
        const invoice = status.invoices.find((i) => i.number === invoiceNumber);
        if (!invoice) throw businessFailure(ErrorType.NotFound, `no invoice ${invoiceNumber} was issued for this project`, 'invoiceNumber');
        if (invoice.writtenOff) return;
        if (invoice.kind === 'credit_note') {
          throw businessFailure(ErrorType.WrongStage, `${invoiceNumber} is a credit note: money the agency owes is paid out, not written off`, 'invoiceNumber');
        }
        if (invoice.status === 'void') throw businessFailure(ErrorType.WrongStage, `invoice ${invoiceNumber} was voided: nothing is owed on it`, 'invoiceNumber');
        if (owedMinor(invoice) === 0) throw businessFailure(ErrorType.WrongStage, `invoice ${invoiceNumber} is settled: nothing is owed on it`, 'invoiceNumber');
        // Only where nothing but money is left: the final invoice out, or a cancelled project
        // settling. A prepayment while the work waits or runs is settled by starting the work
        // without it, cancelling, or at invoicing (the final invoice takes it off as invoiced).
        if (ctx.cancelRequest && status.stage !== 'cancelled') throw businessFailure(ErrorType.WrongStage, 'the project is being cancelled: try again once it is');
        // A completed project owes money only when a payment was taken back after it completed:
        // a client who does not pay that again is written off like any.
        const owedAgainAfterCompletion = status.stage === 'completed' && settlingAfterCompletion();
        if (status.stage !== 'cancelled' && !(status.stage === 'invoicing' && ctx.finalBilled) && !owedAgainAfterCompletion) {
          throw businessFailure(
            ErrorType.WrongStage,
            `invoices are written off once the project is invoiced or cancelled; it is in ${status.stage}`,
            'invoiceNumber',
          );
        }
        if (reason.trim().length === 0) throw businessFailure(ErrorType.InvalidInput, 'say why the money is not pursued', 'reason');
      },
    },
  );

  setHandler(
    handOverProjectUpdate,
    ctx.acting(async ({ by, toManagerId, note, partOfHandover }) => {
      const from = status.managerId;
      status.managerId = toManagerId;
      ctx.manager.personIds = [toManagerId];
      ctx.record('handed_over', by.id, `from ${from} to ${toManagerId}${note ? `: ${note}` : ''}`);
      ctx.changed();
      // Tasks not started yet start with the new manager (one starting right now is told once it
      // has: production.ts); running ones are told (reviews and their notices are the manager's).
      // A task that has ended keeps who reviewed it.
      const told: Promise<void>[] = [];
      for (const task of ctx.tasks.values()) {
        task.input.managerId = toManagerId;
        if (task.handle && !task.closed) {
          told.push(
            task.handle.signal(managerChangedSignal, { managerId: toManagerId, by: by.id }).catch((err: unknown) => {
              // Ended meanwhile: nothing to tell.
              if (!task.closed) ctx.record('task_not_told', undefined, `${task.summary.key}: ${(err as Error).message}`);
            }),
          );
        }
      }
      // The client hears who their account manager is now (replies to the agency's mail reach them);
      // the managers too, unless a handover of many projects tells them once for all of them.
      const managers = partOfHandover === undefined ? [toManagerId, from] : [];
      ctx.send('project_handed_over', `handed_over:${status.version}`, { personIds: managers, ...ctx.client }, { from, to: toManagerId, by: by.id, ...(note && { note }) });
      await Promise.all(told);
      return done();
    }),
    {
      validator: ({ by, toManagerId, fromManagerId }) => {
        refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership");
        if (!settlingAfterCompletion()) refuseUnlessSettling();
        if (fromManagerId !== undefined && fromManagerId !== status.managerId) {
          throw businessFailure(ErrorType.WrongStage, `${status.managerId} manages this project now, not ${fromManagerId}`);
        }
        if (toManagerId === status.managerId) throw businessFailure(ErrorType.InvalidInput, `${toManagerId} already manages this project`, 'toManagerId');
      },
    },
  );

  setHandler(
    cancelProjectUpdate,
    ctx.acting(async ({ by, reason }) => {
      ctx.cancelRequest = { reason, by: by.id };
      noteCancellation(status, ctx.cancelRequest, nowIso());
      ctx.record('cancellation_requested', by.id, reason);
      ctx.changed();
      // The caller learns the outcome (cancelled tasks, invoice for accepted work), not just "noted".
      await condition(() => status.stage === 'cancelled');
      return done();
    }),
    {
      validator: ({ by, reason }) => {
        refuseUnless(isManager(by) || isLeadership(by), "the project's manager or leadership");
        if (status.stage === 'cancelled' || ctx.cancelRequest) throw businessFailure(ErrorType.AlreadyDone, 'the project is already cancelled');
        // Closing means paid in full: the report is being written, there is nothing left to stop.
        if (status.stage === 'completed' || status.stage === 'closing') {
          throw businessFailure(ErrorType.WrongStage, `the project is ${status.stage}`);
        }
        if (reason.trim() === '') throw businessFailure(ErrorType.InvalidInput, 'give a reason', 'reason');
      },
    },
  );

  // A signal, not an update: a task must never wait on its project.
  setHandler(taskChangedSignal, ({ at, ...change }) => production.applyReport(change, at));
  setHandler(publishAgainSignal, () => ctx.publisher.again());
}
