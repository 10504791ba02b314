/**
 * Projects: a manager opens one (idempotently, with an Idempotency-Key), submits and revises its
 * plan, records the client's feedback, payments and complaints' resolutions; leadership decides
 * plans and sees every project. Each action is one workflow update whose result (the new status
 * snapshot) is the response.
 */
import { DAY_MS } from '../../common/duration';
import { createHash, randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import type { SearchAttributePair } from '@temporalio/common';
import { parseDuration } from '../../common/duration';
import { checkPlan } from '../../workflows/project/plan-rules';
import { openingStatus, projectSearchAttributes } from '../../workflows/project/state';
import {
  askForChangesUpdate,
  cancelProjectUpdate,
  decidePlanUpdate,
  declineChangeRequestUpdate,
  handOverProjectUpdate,
  PROJECT_ID_PATTERN,
  recordFeedbackUpdate,
  recordPaymentUpdate,
  reversePaymentUpdate,
  writeOffUpdate,
  startWorkUpdate,
  resolveComplaintUpdate,
  reworkComplaintUpdate,
  submitPlanUpdate,
  type ProjectActionResult,
  type ProjectStatus,
} from '../../workflows/project/contract';
import {
  cancelRequestSchema,
  changeRequestDeclineSchema,
  changeRequestRecordSchema,
  complaintResolutionRequestSchema,
  complaintReworkRequestSchema,
  feedbackRequestSchema,
  handOverRequestSchema,
  paymentRequestSchema,
  paymentReversalRequestSchema,
  planDecisionRequestSchema,
  planSchema,
  projectRequestSchema,
  startWorkRequestSchema,
  writeOffRequestSchema,
  type PlanInput,
  type PolicyOverrides,
  type ProjectInput,
  type ProjectRequest,
} from '../../workflows/project/schemas';
import { DEPARTMENTS, type Department } from '../../workflows/vocabulary';
import type { Actor, Policy } from '../../workflows/shared-schemas';
import type { AppDeps } from '../app';
import { actorOf, allow, caller } from '../auth';
import { ApiProblem, badRequest, fieldPath, forbidden, notFound, ProblemType } from '../errors';
import { clientsAsked, portfolioCsvQuerySchema, projectListQuerySchema, type ProjectListQuery } from '../schemas';
import { sendCsvFile } from '../csv';
import { nothingLeftToDo, portfolioCsv, portfolioCsvFileName } from '../portfolio-csv';
import { actionInWords, type ProjectMemo } from '../temporal-gateway';
import { CURRENT_PATCH_BASELINE } from '../../workflows/common/patches';
import type { CopiesInMemory, MemoryUse } from '../copies-in-memory';
import { LiveReadPace, liveOrStored, PendingWrites, snapshotAtLeast, STORED_SNAPSHOT_HEADER, storedOrAtStart, type SeenVersions } from '../snapshot-reads';
import { everyItem, type ProjectListFilter, type Stored } from '../../activities/reporting/store';
import { managerHandover, refuseUnlessManager } from './manager-handover';
import { canonicalJson, idempotencyKey, parseBody, parseQuery, projectIdParam, refuseReusedKey, repeatsFirstRequest, updateIdFor } from '../validation';

// ---------------------------------------------------------------------------------------------
// Helpers the routes share
// ---------------------------------------------------------------------------------------------

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= length) break;
  }
  return out;
}

/**
 * A new project's id: `p-` + 10 base32 characters. With an Idempotency-Key it is derived from
 * the manager and the key, so a retried request lands on the same workflow id.
 */
export function newProjectId(managerId: string, key?: string): string {
  const bytes = key === undefined ? randomBytes(16) : createHash('sha256').update(`${managerId}\u0000${key}`).digest();
  const id = `p-${base32(bytes, 10)}`;
  if (!PROJECT_ID_PATTERN.test(id)) throw new Error(`generated project id ${id} breaks PROJECT_ID_PATTERN`);
  return id;
}

export const requestFingerprint = (request: ProjectRequest): string =>
  createHash('sha256').update(canonicalJson(request)).digest('hex');

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/**
 * What the schema cannot say about a new project: a title and brief of spaces name nothing, a
 * currency must be one ISO 4217 knows, and a client date already past cannot be planned for (a
 * day's grace: a date picked as "today" in a time zone ahead of the server's); a budget with a row
 * of zeros too many is the schema's (`MAX_AMOUNT`, as every amount). Every such field is named at
 * once. Checked on whatever of the request can be read (a body the schema refused too), so a
 * manager hears of every problem in one answer, not of a past date only once the rest is fixed.
 */
function unfitRequestProblems(request: unknown, nowMs: number): { field: string; message: string }[] {
  const body = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
  const budget = (typeof body.budget === 'object' && body.budget !== null ? body.budget : {}) as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  const blank = (value: unknown) => typeof value === 'string' && value !== '' && value.trim() === '';
  if (blank(body.title)) problems.push({ field: 'title', message: 'must not be blank' });
  if (blank(body.brief)) problems.push({ field: 'brief', message: 'must not be blank' });
  if (typeof budget.currency === 'string' && /^[A-Z]{3}$/.test(budget.currency) && !KNOWN_CURRENCIES.has(budget.currency)) {
    problems.push({ field: 'budget.currency', message: `${budget.currency} is not a currency code (ISO 4217, such as EUR or USD)` });
  }
  if (typeof body.desiredDeadline === 'string' && Date.parse(body.desiredDeadline) < nowMs - DAY_MS) {
    problems.push({ field: 'desiredDeadline', message: 'this date is in the past; give the date the client wants the work by' });
  }
  return problems;
}

/** A new project's body: the schema's refusals and the rules' problems in one answer (a field the schema named is not named again). */
function projectBodySchema(nowMs: () => number) {
  return z.unknown().transform((raw, ctx): ProjectRequest => {
    const parsed = projectRequestSchema.safeParse(raw);
    const refused = parsed.success ? [] : parsed.error.issues;
    for (const issue of refused) ctx.issues.push({ ...issue, input: undefined });
    const named = new Set(refused.map((issue) => fieldPath(issue.path)));
    for (const problem of unfitRequestProblems(raw, nowMs())) {
      if (!named.has(problem.field)) ctx.issues.push({ code: 'custom', path: pathOf(problem.field), message: problem.message, input: raw });
    }
    return parsed.success ? parsed.data : z.NEVER;
  });
}

/** Configured defaults, overridden field by field by the request's `policy`. */
export function resolvePolicy(defaults: Required<Policy>, overrides: PolicyOverrides | undefined): Policy {
  const problems: { field: string; message: string }[] = [];
  const ms = (name: keyof PolicyOverrides, fallback: number): number => {
    const value = overrides?.[name];
    if (value === undefined || typeof value === 'boolean') return fallback;
    const parsed = typeof value === 'number' ? value : parseDuration(value);
    if (parsed === undefined || parsed <= 0) {
      problems.push({ field: `policy.${name}`, message: 'expected a positive duration such as 90s, 15m, 24h or 5d' });
      return fallback;
    }
    return parsed;
  };
  const policy: Policy = {
    approvalSlaMs: ms('approvalSla', defaults.approvalSlaMs),
    escalationSlaMs: ms('escalationSla', defaults.escalationSlaMs),
    reminderLeadMs: ms('reminderLead', defaults.reminderLeadMs),
    overdueGraceMs: ms('overdueGrace', defaults.overdueGraceMs),
    acceptanceWindowMs: ms('acceptanceWindow', defaults.acceptanceWindowMs),
    paymentTermsMs: ms('paymentTerms', defaults.paymentTermsMs),
    paymentEscalationMs: ms('paymentEscalation', defaults.paymentEscalationMs),
    complaintResolutionMs: ms('complaintResolution', defaults.complaintResolutionMs),
    reviewSlaMs: ms('reviewSla', defaults.reviewSlaMs),
    planningSlaMs: ms('planningSla', defaults.planningSlaMs),
    startAfterPrepayment: overrides?.startAfterPrepayment ?? defaults.startAfterPrepayment,
    complaintWindowMs: ms('complaintWindow', defaults.complaintWindowMs),
  };
  if (problems.length > 0) throw badRequest(problems);
  return policy;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Router
// ---------------------------------------------------------------------------------------------

/** `seen`: what this process has answered with — a stored copy older than that is not served as current. */
/**
 * The plan's numbers whose range the plan rules check too: parsed loosely here, so a prepayment
 * over 100% is refused together with the tasks' dates and dependencies, not alone and the rest on
 * the next try. The workflow's schema stays strict (and the rules refuse them before it).
 */
const PLAN_RANGES_CHECKED_BY_RULES = {
  prepaymentPercent: z.number().default(0),
  includedRevisionRounds: z.number().default(1),
};

/**
 * A plan's body with every problem named in one answer: the schema's (a price that is not a
 * number) and the plan rules' (dates, dependencies, ranges) on whatever of the plan can be read,
 * so a manager is not sent back a second time for what was wrong all along. A field the schema
 * refused is not named again by the rules.
 */
function planBodySchema(nowMs: () => number) {
  const strict = planSchema.extend(PLAN_RANGES_CHECKED_BY_RULES);
  return z.unknown().transform((raw, ctx): PlanInput => {
    const parsed = strict.safeParse(raw);
    const refused = parsed.success ? [] : parsed.error.issues;
    for (const issue of refused) ctx.issues.push({ ...issue, input: undefined });
    const readable = parsed.success ? parsed.data : readablePlan(raw);
    if (!readable) return z.NEVER;
    const named = refused.map((issue) => fieldPath(issue.path));
    // Not again a field the schema named, nor one inside it (a task that is not an object).
    const namedAlready = (field: string) => named.some((n) => field === n || field.startsWith(`${n}.`) || field.startsWith(`${n}[`));
    // With a task's key unreadable, a dependency on it would wrongly read as one on no task.
    const keyUnreadable = !parsed.success && readable.tasks.some((t) => t.key.startsWith('#'));
    for (const problem of checkPlan(readable, nowMs())) {
      if (namedAlready(problem.field) || (keyUnreadable && /\.dependsOn\[\d+\]$/.test(problem.field))) continue;
      ctx.issues.push({ code: 'custom', path: pathOf(problem.field), message: problem.message, input: raw });
    }
    return parsed.success ? parsed.data : z.NEVER;
  });
}

/** What the plan rules can check of a body the schema refused: its tasks' keys, dates and dependencies, its ranges. */
function readablePlan(raw: unknown): PlanInput | undefined {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { tasks?: unknown }).tasks)) return undefined;
  const body = raw as Record<string, unknown> & { tasks: unknown[] };
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  const number = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
  return {
    tasks: body.tasks.map((item, index) => {
      const task = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const key = text(task.key, `#${index + 1}`);
      return {
        key,
        title: text(task.title, key),
        description: '',
        // A department or price the schema refused is named by it; these stand in so the rules pass them.
        department: KNOWN_DEPARTMENTS.has(String(task.department)) ? (task.department as Department) : 'design',
        estimateHours: 0,
        price: number(task.price, 0),
        dueAt: text(task.dueAt, ''),
        dependsOn: Array.isArray(task.dependsOn) ? task.dependsOn.filter((d): d is string => typeof d === 'string') : [],
      };
    }),
    prepaymentPercent: number(body.prepaymentPercent, 0),
    includedRevisionRounds: number(body.includedRevisionRounds, 1),
  };
}

const KNOWN_DEPARTMENTS: ReadonlySet<string> = new Set(DEPARTMENTS);

/** `tasks[0].dueAt` as a zod path. */
const pathOf = (field: string): (string | number)[] =>
  field
    .split(/[.[\]]/)
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));

export function createProjectsRouter(deps: AppDeps, copies: CopiesInMemory, seen: SeenVersions<ProjectStatus>): Router {
  const { temporal, config } = deps;
  const now = deps.now ?? Date.now;
  // Whether this kind's workflows answer reads promptly lately (skip asking them while they do not).
  const pace = new LiveReadPace();
  // Actions' answers on their way to the store (see `projectAction`).
  const storeWrites = new PendingWrites(deps.logger);
  const router = Router();

  const policyDefaults: Required<Policy> = {
    approvalSlaMs: config.POLICY_APPROVAL_SLA,
    escalationSlaMs: config.POLICY_ESCALATION_SLA,
    reminderLeadMs: config.POLICY_REMINDER_LEAD,
    overdueGraceMs: config.POLICY_OVERDUE_GRACE,
    acceptanceWindowMs: config.POLICY_ACCEPTANCE_WINDOW,
    paymentTermsMs: config.POLICY_PAYMENT_TERMS,
    paymentEscalationMs: config.POLICY_PAYMENT_ESCALATION,
    complaintResolutionMs: config.POLICY_COMPLAINT_RESOLUTION,
    reviewSlaMs: config.POLICY_REVIEW_SLA,
    planningSlaMs: config.POLICY_PLANNING_SLA,
    startAfterPrepayment: config.POLICY_START_AFTER_PREPAYMENT,
    complaintWindowMs: config.POLICY_COMPLAINT_WINDOW,
  };

  /**
   * The project, if the caller may see it: leadership any, a manager only their own. Its manager
   * (changed only by a handover, whose answer the store has at once) comes from the store's copy,
   * or for a project just created from its start event, so no read or action waits behind a busy
   * worker to learn it (`storedOrAtStart`).
   */
  async function accessibleProject(req: Request, projectId: string, options: { memory: MemoryUse } = { memory: 'none' }): Promise<{ stored?: Stored<ProjectStatus> }> {
    const person = caller(req);
    const { known, stored } = await storedOrAtStart(
      () => copies.read('project', projectId, options.memory, () => deps.reporting.project(projectId)),
      () => temporal.projectAtStart(projectId),
      deps.logger,
      { projectId },
    );
    if (person.role === 'leadership') return { stored };
    if (person.role === 'manager' && known.managerId === person.id) return { stored };
    throw managedBySomeoneElse(deps.people.nameOf(known.managerId), 'project');
  }

  /**
   * The memo a run that carries on a completed project starts with: its last run's (so a create
   * retried with that Idempotency-Key is still known), or, past Temporal's retention, what the
   * snapshot says (the creating request's fingerprint is gone with the run).
   */
  function memoOf(final: ProjectStatus, last: Partial<ProjectMemo> | undefined): ProjectMemo {
    return {
      title: final.title,
      clientName: final.client.name,
      clientId: final.client.id,
      managerId: final.managerId,
      requestFingerprint: last?.requestFingerprint ?? '',
      requestId: last?.requestId ?? '',
    };
  }

  /** The status right after a start: the first workflow task may not have run yet. */
  async function statusAfterStart(projectId: string): Promise<ProjectStatus | undefined> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      try {
        return await temporal.projectStatus(projectId, { timeoutMs: 3_000 });
      } catch (err) {
        if (Date.now() > deadline) {
          deps.logger.warn({ projectId, err: (err as Error).message }, 'project started but its status is not readable yet');
          return undefined;
        }
        await sleep(100);
      }
    }
  }

  router.post('/api/projects', allow('manager'), async (req, res) => {
    const person = caller(req);
    const key = idempotencyKey(req);
    const request = parseBody(projectBodySchema(now), req);
    const policy = resolvePolicy(policyDefaults, request.policy);
    const fingerprint = requestFingerprint(request);
    const projectId = newProjectId(person.id, key);
    const { policy: _overrides, ...rest } = request;
    const receivedAt = new Date(now()).toISOString();
    const input: ProjectInput = {
      ...rest,
      projectId,
      managerId: person.id,
      policy,
      requestFingerprint: fingerprint,
      receivedAt,
      // New projects (and their tasks) have every patch so far from their start: no marker each.
      patchBaseline: CURRENT_PATCH_BASELINE,
    };
    const memo: ProjectMemo = {
      title: request.title,
      clientName: request.client.name,
      clientId: request.client.id,
      managerId: person.id,
      requestFingerprint: fingerprint,
      requestId: req.requestId,
    };
    // The workflow keeps its search attributes equal to its snapshot (projectSearchAttributes) and
    // upserts only what differs: started with those of the snapshot it starts from, its first
    // workflow task has nothing to upsert (one event and one visibility write fewer per project).
    const opening = openingStatus(input, receivedAt);
    const searchAttributes = projectSearchAttributes(opening).filter((pair): pair is SearchAttributePair => pair.value !== null);

    const location = `/api/projects/${projectId}`;
    res.setHeader('Location', location);
    if (await temporal.startProject({ input, memo, searchAttributes })) {
      // Started by this request: the workflow starts from exactly this snapshot (no need to wait
      // for a worker to run its first task and then ask it). It goes to the store from here, as
      // an action's answer does: the manager's next list has the project at once. The workflow
      // leaves this version to us (`starterStoresOpening`): should the store refuse it, the
      // workflow is asked to publish it itself.
      res.status(201).json(opening);
      storeWrites.track(
        person.id,
        { projectId },
        deps.reporting.publish({ kind: 'project', projectId, seq: opening.version, snapshot: opening }),
        () => temporal.askProjectToPublish(projectId),
      );
      return;
    }
    // The id exists: an earlier request with this Idempotency-Key created it (or this very
    // request, when its first try's answer was lost in a timeout).
    const existing = await temporal.describeProject(projectId);
    if (!existing) throw new Error(`project ${projectId} not found right after its start`);
    if (existing.memo.requestFingerprint !== fingerprint) {
      throw new ApiProblem({
        type: ProblemType.idempotencyKeyConflict,
        title: 'Idempotency-Key reused with another request',
        status: 422,
        detail: `Idempotency-Key ${JSON.stringify(key)} already created project ${projectId} from a different request body. Use a new key for a new project.`,
      });
    }
    const created = existing.memo.requestId === req.requestId;
    const status = await statusAfterStart(projectId);
    if (!status) {
      res.status(202).json({ projectId, stage: 'intake', href: location, detail: 'Project started; its status is not readable yet.' });
      return;
    }
    res.status(created ? 201 : 200).json(status);
  });

  /**
   * The project list's filters as the store takes them, by its rules for the caller: a manager's
   * are their own projects. Waits for the caller's own actions through this process to land in
   * the store, so what they just did is listed.
   */
  async function projectsAsked(req: Request, q: Omit<ProjectListQuery, 'pageSize' | 'pageToken'>): Promise<ProjectListFilter> {
    const person = caller(req);
    if (person.role === 'manager' && q.managerId !== undefined && q.managerId !== person.id) {
      throw forbidden('Managers list their own projects only; leave managerId out.');
    }
    await storeWrites.settled(person.id);
    return {
      managerId: person.role === 'manager' ? person.id : q.managerId,
      stage: q.stage,
      ...clientsAsked(q.clientId),
      segment: q.segment,
      overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
      only: q.only,
      search: q.q,
    };
  }

  router.get('/api/projects', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(projectListQuerySchema, req);
    // From the reporting store: an indexed query, not Temporal's visibility (seconds on
    // PostgreSQL at a thousand projects); it follows the workflows within a second or so.
    const page = await deps.reporting.listProjects(await projectsAsked(req, q), { pageSize: q.pageSize, pageToken: q.pageToken }, new Date(now()));
    res.json({ items: page.items, ...(page.nextPageToken && { nextPageToken: page.nextPageToken }) });
  });

  // The portfolio for a spreadsheet: every project the list finds with the same filters, all its
  // pages in one file (an agency's projects number thousands at most: one file in memory).
  router.get('/api/projects.csv', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(portfolioCsvQuerySchema, req);
    const filter = await projectsAsked(req, q);
    const at = new Date(now());
    const found = await everyItem((page) => deps.reporting.listProjects(filter, page, at));
    const projects = q.finished === 'hidden' ? found.filter((p) => !nothingLeftToDo(p)) : found;
    const csv = portfolioCsv(projects, { managerName: (id) => deps.people.nameOf(id), portalBaseUrl: config.publicBaseUrl ?? '' });
    sendCsvFile(res, portfolioCsvFileName(at), csv);
  });

  router.get('/api/projects/:id', allow('manager', 'leadership'), async (req, res) => {
    const projectId = projectIdParam(req);
    // While reads serve stored copies (the workflows slow to answer), the copy in memory will do.
    const { stored } = await accessibleProject(req, projectId, { memory: pace.paused() ? 'hold' : 'ifHeld' });
    const { value, publishedAt } = await liveOrStored(projectId, (signal) => temporal.projectStatus(projectId, { signal }), stored, seen, {
      pace,
      receivedAt: req.receivedAt,
    });
    if (publishedAt) res.setHeader(STORED_SNAPSHOT_HEADER, publishedAt);
    res.json(value);
  });

  /**
   * One action on one project: the caller may see it, the body parses, the update runs (its
   * validator has the last word) and its result, the new status snapshot, is the response.
   * `action` names the update for the Idempotency-Key → update id mapping.
   */
  const projectAction =
    <S extends z.ZodType, Input>(
      update: UpdateDefinition<ProjectActionResult, [Input]>,
      schema: S,
      toInput: (body: z.infer<S>, by: Actor, req: Request) => Input,
      action: (req: Request) => string = () => update.name,
      /** For a project that has ended: true when its final snapshot already holds exactly this request (answered as done). */
      alreadyIn?: (status: ProjectStatus, input: Input) => boolean,
      /** For a project that has ended: true when this request runs its workflow again (a complaint after the window). */
      reopens?: (status: ProjectStatus, input: Input) => boolean,
    ) =>
    async (req: Request, res: Response): Promise<void> => {
      const person = caller(req);
      const projectId = projectIdParam(req);
      const updateId = updateIdFor(req, person, action(req), projectId);
      const stored = await accessibleProject(req, projectId).then(
        (found) => found.stored,
        async (err: unknown) => {
          // A retry of an action this person was let do (the manager who handed the project over
          // retrying the handover): answered as the first time, by Temporal's update id.
          if (err instanceof ApiProblem && err.status === 403 && updateId !== undefined) {
            const retried = schema.safeParse(req.body);
            if (retried.success && (await repeatsFirstRequest(deps.reporting, updateId, retried.data))) return undefined;
          }
          throw err;
        },
      );
      const body = parseBody(schema, req);
      const input = toInput(body, actorOf(person, req.requestId), req);
      await refuseReusedKey(deps.reporting, updateId, body, deps.logger.child({ projectId }));
      let made: number;
      try {
        const result = await temporal.updateProject(projectId, update, input, updateId);
        made = result.version;
      } catch (err) {
        // Ended: its run closed, or (past Temporal's retention) gone, with its final snapshot stored.
        const ended = err instanceof ApiProblem && (err.type === ProblemType.closed || (err.status === 404 && stored !== undefined));
        if (!ended || (!alreadyIn && !reopens)) throw err;
        const final = err.type === ProblemType.closed ? (await liveOrStored(projectId, (signal) => temporal.projectStatus(projectId, { signal }), stored, seen)).value : stored!.value;
        if (alreadyIn?.(final, input)) {
          res.json(final);
          return;
        }
        if (!reopens?.(final, input)) throw err;
        const { memo } = (await temporal.describeProject(projectId)) ?? {};
        const result = await temporal.reopenProject(final, memoOf(final, memo), update, input, updateId);
        made = result.version;
        deps.logger.info({ projectId, requestId: req.requestId }, 'completed project run again for a complaint after its window');
      }
      // The update answers with the version it produced; the snapshot of that version is read after it.
      const after = await snapshotAtLeast({
        version: made,
        live: (signal) => temporal.projectStatus(projectId, { signal }),
        stored: () => deps.reporting.project(projectId),
        timeoutMs: temporal.callTimeoutMs,
        done: `${actionInWords(update.name)} on project ${projectId}`,
        readAt: `GET /api/projects/${projectId}`,
        seen: { id: projectId, versions: seen },
      });
      res.json(after);
      // As a task action's answer (routes/tasks.ts): stored at once, so lists show it and a read
      // of one of its tasks knows what the action decided (an approved plan), ahead of the
      // workflow's own publish of the same version (the store keeps the newest; no undoing).
      storeWrites.track(person.id, { projectId }, deps.reporting.publish({ kind: 'project', projectId, seq: after.version, snapshot: after }));
    };

  router.put(
    '/api/projects/:id/plan',
    allow('manager'),
    projectAction(submitPlanUpdate, planBodySchema(now), (plan, by) => ({ ...plan, by })),
  );

  router.post(
    '/api/projects/:id/plan/decision',
    allow('leadership'),
    projectAction(decidePlanUpdate, planDecisionRequestSchema, (decision, by) => ({ ...decision, by })),
  );

  router.post(
    '/api/projects/:id/feedback',
    // Leadership records complaints only (the workflow's validator says so for the rest).
    allow('manager', 'leadership'),
    projectAction(
      recordFeedbackUpdate,
      feedbackRequestSchema,
      (feedback, by) => ({ feedback, by }),
      undefined,
      // The same complaint after the window again (a retry once its run has ended): recorded once.
      (final, { feedback, by }) =>
        feedback.kind === 'complaint' && final.complaints.some((c) => c.afterWindow && c.recordedBy === by.id && c.description === feedback.description),
      // A claim is recorded, escalated and resolved whenever it comes: a complaint about a completed
      // project whose window is over (or that had none) runs its workflow again for it.
      (final, { feedback }) => feedback.kind === 'complaint' && final.stage === 'completed',
    ),
  );

  /** A complaint's id in the path: one no complaint could have is not looked for. */
  const complaintIdParam = (req: Request, _res: Response, next: () => void): void => {
    const complaintId = String(req.params.complaintId);
    if (complaintId.length === 0 || complaintId.length > 100) throw notFound(`There is no complaint ${complaintId}.`);
    next();
  };

  router.post(
    '/api/projects/:id/complaints/:complaintId/resolution',
    allow('manager', 'leadership'),
    complaintIdParam,
    projectAction(
      resolveComplaintUpdate,
      complaintResolutionRequestSchema,
      (body, by, req) => ({ ...body, complaintId: String(req.params.complaintId), by }),
      (req) => `resolveComplaint:${String(req.params.complaintId)}`,
    ),
  );

  /** A request for changes' id in the path: one no request could have is not looked for. */
  const requestIdParam = (req: Request, _res: Response, next: () => void): void => {
    const requestId = String(req.params.requestId);
    if (requestId.length === 0 || requestId.length > 100) throw notFound(`There is no request for changes ${requestId}.`);
    next();
  };

  // The client asked for changes by mail or phone: the manager records it as the page would, and
  // the review period waits for their answer.
  router.post(
    '/api/projects/:id/change-requests',
    allow('manager'),
    projectAction(askForChangesUpdate, changeRequestRecordSchema, (body, by) => ({ ...body, by })),
  );

  // The client asked for changes on their page; the manager answers without a round (a round is
  // recorded as feedback, which answers the request too).
  router.post(
    '/api/projects/:id/change-requests/:requestId/decline',
    allow('manager'),
    requestIdParam,
    projectAction(
      declineChangeRequestUpdate,
      changeRequestDeclineSchema,
      (body, by, req) => ({ ...body, requestId: String(req.params.requestId), by }),
      (req) => `declineChangeRequest:${String(req.params.requestId)}`,
    ),
  );

  router.post(
    '/api/projects/:id/complaints/:complaintId/rework',
    allow('manager'),
    complaintIdParam,
    projectAction(
      reworkComplaintUpdate,
      complaintReworkRequestSchema,
      (body, by, req) => ({ ...body, complaintId: String(req.params.complaintId), by }),
      (req) => `reworkComplaint:${String(req.params.complaintId)}`,
    ),
  );

  router.post(
    '/api/projects/:id/payments',
    allow('manager', 'leadership'),
    projectAction(
      recordPaymentUpdate,
      paymentRequestSchema,
      (payment, by) => {
        // A payment is recorded once it has arrived: one dated ahead would count as money in
        // (the invoice paid, the KPIs' money owed) before it is. A day's grace for time zones.
        if (Date.parse(payment.paidAt) > now() + DAY_MS) {
          // No timestamp in the words: the form shows the date typed, in the person's own time zone.
          throw badRequest([{ field: 'paidAt', message: 'this date is in the future; record a payment once it has arrived' }]);
        }
        return { ...payment, by };
      },
      undefined,
      // A bank statement imported again after the project ended: the payment is there, once.
      (final, payment) =>
        final.invoices.some(
          (i) =>
            i.number === payment.invoiceNumber &&
            i.payments.some((p) => p.reference === payment.reference && p.amount === payment.amount && Date.parse(p.paidAt) === Date.parse(payment.paidAt)),
        ),
    ),
  );

  router.post(
    '/api/projects/:id/start-work',
    allow('manager', 'leadership'),
    projectAction(startWorkUpdate, startWorkRequestSchema, (body, by) => ({ ...body, by })),
  );

  router.post(
    '/api/projects/:id/payment-reversals',
    allow('manager', 'leadership'),
    projectAction(reversePaymentUpdate, paymentReversalRequestSchema, (reversal, by) => ({ ...reversal, by })),
  );

  router.post('/api/projects/:id/write-offs', allow('leadership'), projectAction(writeOffUpdate, writeOffRequestSchema, (body, by) => ({ ...body, by })));

  router.post(
    '/api/projects/:id/handover',
    allow('manager', 'leadership'),
    projectAction(handOverProjectUpdate, handOverRequestSchema, ({ toManagerId, note }, by) => {
      refuseUnlessManager(deps.people, toManagerId);
      return { toManagerId, ...(note && { note }), by };
    }),
  );

  router.post('/api/managers/:id/handover', allow('manager', 'leadership'), managerHandover(deps, storeWrites));

  router.post(
    '/api/projects/:id/cancel',
    allow('manager', 'leadership'),
    projectAction(cancelProjectUpdate, cancelRequestSchema, (body, by) => ({ ...body, by })),
  );

  return router;
}

/**
 * A manager's refusal for another manager's project, or a task of it, said the same way wherever
 * it comes from: who manages it now, by name, so the manager it was handed over from knows where
 * it went and whom to ask (never by ids: people read this).
 */
export function managedBySomeoneElse(managerName: string | undefined, what: 'project' | 'task'): ApiProblem {
  const manager = managerName ?? 'another manager';
  return forbidden(
    what === 'project'
      ? `This project is managed by ${manager} now; managers act on their own projects.`
      : `This task belongs to a project managed by ${manager} now; managers act on their own projects.`,
  );
}
