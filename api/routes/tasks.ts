/**
 * Department tasks: staff see their department's inbox and claim, release and submit work;
 * the project's manager reviews, reassigns and moves due dates; leadership sees all, and reassigns. Every
 * action first learns who may act (404, and 403 outside the caller's department or projects)
 * without asking the workflow, then runs one update on the task workflow, whose validator has the
 * last word.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../../workflows/shared-schemas';
import type { PeopleDirectory, Person } from '../../common/people';
import {
  claimTaskUpdate,
  moveDueDateUpdate,
  parseTaskId,
  reassignTaskUpdate,
  releaseTaskUpdate,
  reviewTaskUpdate,
  submitTaskUpdate,
  type TaskView,
} from '../../workflows/task/contract';
import {
  deliverableRequestSchema,
  moveDueDateRequestSchema,
  reassignRequestSchema,
  reviewRequestSchema,
} from '../../workflows/task/schemas';
import type { AppDeps } from '../app';
import { actorOf, allow, caller } from '../auth';
import { ApiProblem, badRequest, forbidden, ProblemType } from '../errors';
import {
  emptyBodySchema,
  MAX_TASKS_PER_REASSIGN_ALL,
  plannedTaskQuerySchema,
  reassignAllRequestSchema,
  taskListQuerySchema,
  type ReassignAllResult,
  type PlannedTaskItem, type TaskContext, type TaskListItem, type TaskResponse } from '../schemas';
import { parseBody, parseOptionalBody, parseQuery, refuseReusedKey, taskIdParam, updateIdFor } from '../validation';
import { answerOfEarlierRun, runForAnswer, type RequestRun } from '../request-runs';
import { WORK_REASSIGNMENT_WORKFLOW_TYPE, workReassignmentWorkflowId, type WorkReassignmentInput } from '../../workflows/work-reassignment/contract';
import type { CopiesInMemory, MemoryUse } from '../copies-in-memory';
import {
  BoundedMap,
  LiveReadPace,
  liveOrStored,
  PendingWrites,
  SeenVersions,
  STORED_SNAPSHOT_HEADER,
  storedOrAtStart,
  taskInProjectCopy,
  TOO_SLOW,
  START_CHECK_BUDGET_MS,
  withinReadBudget,
} from '../snapshot-reads';
import { overdueAsOf, projectCopyForTasks, type Page, type ProjectCopyForTasks, type Stored, type TaskListFilter } from '../../activities/reporting/store';
import type { ListsInMemory } from '../lists-in-memory';
import type { ProjectStatus } from '../../workflows/project/contract';
import { dueDateOutOfOrder } from '../../workflows/project/state';
import { managedBySomeoneElse } from './projects';

/** What deciding who may act on a task needs: fields that never change over its life. */
type TaskAccess = Pick<TaskView, 'department' | 'managerId'>;

/** Temporal answered in time that a planned task's workflow does not exist (yet). */
const NOT_STARTED = Symbol('not started');

/** Temporal's failure to read a planned task's start: "no such task" (404) is an answer, unavailable (503) is too slow. */
function startCheckAnswer(err: unknown): typeof NOT_STARTED | typeof TOO_SLOW {
  if (err instanceof ApiProblem && err.status === 404) return NOT_STARTED;
  if (err instanceof ApiProblem && err.status === 503) return TOO_SLOW;
  throw err;
}

/**
 * `projectsAnswered`: the project snapshots this process answered with (the projects router's);
 * `lists` and `planned`: the task lists and the planned-work lists held in memory.
 */
export function createTasksRouter(
  deps: AppDeps,
  copies: CopiesInMemory,
  projectsAnswered: SeenVersions<ProjectStatus>,
  lists: ListsInMemory<Page<TaskListItem>>,
  planned: ListsInMemory<PlannedTaskItem[]>,
): Router {
  const { temporal, people } = deps;
  const router = Router();
  // What this process has answered with: a stored copy older than that is not served as current.
  const seen = new SeenVersions<TaskView>();
  // Whether this kind's workflows answer reads promptly lately (skip asking them while they do not).
  const pace = new LiveReadPace();
  // The same for Temporal's answer to "has this planned task started?" (a history read, no worker).
  const startPace = new LiveReadPace({ budgetMs: START_CHECK_BUDGET_MS });
  // Who may act on a task: learned once per process, an action skips the store read. A handover
  // changes the manager; the workflow's validator refuses the one before, and a refusal here asks
  // the project who manages it now.
  const accessKnown = new BoundedMap<string, TaskAccess>(50_000);
  // Actions' answers on their way to the store (see `taskAction`).
  const storeWrites = new PendingWrites(deps.logger);

  /**
   * The task as the store knows it, without waiting on a busy worker: its copy; for a task the
   * store has not seen yet (just started), what its project's copy says of it
   * (`taskInProjectCopy`), read in the same round trip; else its start event from Temporal. A
   * task the project's copy has planned but not started is "not started yet" (404) unless
   * Temporal shows it started in time (a read: START_CHECK_BUDGET_MS; an action: the read budget).
   * While most of Temporal's recent answers to a read's check missed it, a read (`copyIsEnough`)
   * takes the copy's word at once, as reads of a
   * record with a copy do (`LiveReadPace`, which now and then asks in the background whether
   * Temporal is prompt again): it may say "not started yet" for a task that started a publish ago
   * (under a second), which its poll's next try shows. An action always asks.
   */
  async function knownTask(
    taskId: string,
    receivedAt?: number,
    options: { copyIsEnough: boolean } = { copyIsEnough: false },
  ): Promise<{ known: TaskView; stored?: Stored<TaskView> }> {
    const { projectId } = parseTaskId(taskId)!; // taskIdParam has checked its shape
    let inProject: ReturnType<typeof taskInProjectCopy>;
    const storeRead = async () => {
      // While reads serve stored copies (the workflows slow to answer), the copies in memory will do.
      const found = await taskOrWhatItsProjectSays(taskId, !options.copyIsEnough ? 'none' : pace.paused() ? 'hold' : 'ifHeld');
      inProject = found.inProject;
      return found.task;
    };
    const atStart = async (): Promise<Stored<TaskView>> => {
      if (inProject?.state === 'added') return inProject.opening;
      if (inProject?.state !== 'planned') return temporal.taskAtStart(taskId);
      const step = options.copyIsEnough ? startPace.next() : 'ask';
      const { access } = inProject;
      const notYet = () => new NotStartedYet(taskId, projectId, access);
      if (step === 'copy') throw notYet();
      // Past the budget nobody waits for it; a read that succeeds is kept for the next request (taskAtStart).
      const started = temporal.taskAtStart(taskId).catch(startCheckAnswer);
      if (step === 'probe') {
        startPace.probe(started, () => undefined); // a history read: nothing to cancel
        throw notYet();
      }
      // A read waits START_CHECK_BUDGET_MS, then takes the copy's word; an action, refused when
      // Temporal does not show the task started in time, waits the whole read budget.
      const first = options.copyIsEnough ? await withinReadBudget(started, undefined, START_CHECK_BUDGET_MS) : await withinReadBudget(started, receivedAt);
      // Temporal's "no such task" in time is a prompt answer.
      if (options.copyIsEnough) startPace.record(first === TOO_SLOW);
      if (first !== TOO_SLOW && first !== NOT_STARTED) return first;
      throw notYet();
    };
    return storedOrAtStart(storeRead, atStart, deps.logger, { taskId });
  }

  /**
   * The task's stored copy, or — when the store has not seen it — what its project's copy says of
   * it: one round trip. A project snapshot this process answered with that is newer than that copy
   * (a plan approved a moment ago, its answer still on its way to the store) says it instead.
   */
  async function taskOrWhatItsProjectSays(
    taskId: string,
    memory: MemoryUse = 'none',
  ): Promise<{ task?: Stored<TaskView>; inProject: ReturnType<typeof taskInProjectCopy> }> {
    const { projectId, taskKey } = parseTaskId(taskId)!;
    // The held project copy or the snapshot this process answered with, whichever is newer: right
    // after a plan's approval, before its answer reaches the store, the answer knows the plan.
    const newestOf = (project: Stored<ProjectCopyForTasks> | undefined): Stored<ProjectCopyForTasks> | undefined => {
      const answered = projectsAnswered.remembered(projectId);
      return answered && (!project || answered.version > project.seq)
        ? { value: projectCopyForTasks(answered), seq: answered.version, publishedAt: new Date().toISOString() }
        : project;
    };
    const { task, project } = await copies.taskOrItsProject(
      taskId,
      projectId,
      memory,
      () => deps.reporting.taskOrItsProject(taskId, projectId),
      (copy) => taskInProjectCopy(newestOf(copy)!, taskKey)?.state === 'planned',
    );
    if (task) return { task, inProject: undefined };
    const newest = newestOf(project);
    return { task, inProject: newest && taskInProjectCopy(newest, taskKey) };
  }

  /**
   * Why an update found no task workflow, when the answer is "a moment too early": its project's
   * copy lists the task as started (the project publishes that from the workflow task that starts
   * the task's workflow, which Temporal creates a moment later). Read only on that error.
   */
  async function startingNow(err: unknown, taskId: string): Promise<ApiProblem | undefined> {
    if (!(err instanceof ApiProblem) || err.status !== 404) return undefined;
    const { projectId } = parseTaskId(taskId)!;
    const { task, inProject } = await taskOrWhatItsProjectSays(taskId).catch(() => ({ task: undefined, inProject: undefined }));
    if (task || inProject?.state !== 'added') return undefined;
    return new ApiProblem({
      type: ProblemType.notFound,
      title: 'Not found',
      status: 404,
      detail: `Task ${taskId} is starting: project ${projectId} started it a moment ago and its workflow is not there yet. Nothing was changed; try again in a second.`,
      headers: { 'Retry-After': '1' },
    });
  }

  /**
   * The task, if the caller may see it: staff their department's, managers their projects',
   * leadership any. The department never changes, the manager only by a handover (a refusal then
   * asks the project's copy): they come from the store's copy, or for
   * a task just started from its project's copy or its start event, so no read or action waits
   * behind a busy worker to learn who may act (`knownTask`).
   */
  async function accessibleTask(
    req: Request,
    taskId: string,
    options: { copyNeeded: boolean } = { copyNeeded: true },
  ): Promise<{ person: Person; access: TaskAccess; stored?: Stored<TaskView> }> {
    const person = caller(req);
    const remembered = options.copyNeeded ? undefined : accessKnown.get(taskId);
    // A read (it serves the copy) may take the copy's word on a task not started yet; an action asks Temporal.
    const found = remembered
      ? { access: remembered, stored: undefined }
      : await knownTask(taskId, req.receivedAt, { copyIsEnough: options.copyNeeded }).then(
          ({ known, stored }) => ({ access: { department: known.department, managerId: known.managerId }, stored }),
          (err: unknown) => {
            // "Not started yet" says the task is in a plan: only to those who may see it.
            if (err instanceof NotStartedYet) throw mayNotSee(person, err.access, people) ?? err;
            throw err;
          },
        );
    const { stored } = found;
    let { access } = found;
    // A project handed over names its new manager before its tasks do (an ended task never
    // republishes; a copy held in memory is a moment behind): for a manager the project decides.
    // A read asks it each time (its copy in memory mostly); an action that this process let through
    // before goes on (the task's workflow refuses the manager before).
    if (person.role === 'manager' && (options.copyNeeded || access.managerId !== person.id)) {
      const current = await projectManagerNow(parseTaskId(taskId)!.projectId, person.id);
      if (current !== undefined) access = { ...access, managerId: current };
    }
    const refusal = mayNotSee(person, access, people);
    if (refusal) throw refusal;
    accessKnown.set(taskId, access);
    return { person, access, stored };
  }

  /** Who manages the project now: its copy in memory, or the store's when that copy names someone other than `asking`. */
  async function projectManagerNow(projectId: string, asking: string): Promise<string | undefined> {
    const held = await copies.read('project', projectId, 'ifHeld', () => deps.reporting.project(projectId));
    if (held?.value.managerId === asking) return asking;
    const stored = await deps.reporting.project(projectId);
    return stored?.value.managerId ?? held?.value.managerId;
  }

  router.get('/api/tasks', allow('staff', 'manager', 'leadership'), async (req, res) => {
    const person = caller(req);
    const q = parseQuery(taskListQuerySchema, req);
    if (person.role === 'staff' && q.department !== undefined && q.department !== person.department) {
      throw forbidden(`Staff see their own department's tasks (${person.department}).`);
    }
    if (person.role === 'manager' && q.managerId !== undefined && q.managerId !== person.id) {
      throw forbidden('Managers see the tasks of their own projects; leave managerId out.');
    }
    // From the reporting store (an indexed query; it follows the workflows within a second or so),
    // once the caller's own actions through this process are in it.
    await storeWrites.settled(person.id);
    const filter: TaskListFilter = {
      department: person.role === 'staff' ? person.department : q.department,
      managerId: person.role === 'manager' ? person.id : q.managerId,
      projectId: q.projectId,
      status: q.status,
      assignee: q.assignee === 'me' ? person.id : q.assignee,
      overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
    };
    const pageRequest = { pageSize: q.pageSize, pageToken: q.pageToken };
    const load = () => deps.reporting.listTasks(filter, pageRequest);
    // A list polled often is served from memory (at most a second old, and never older than the
    // caller's own last action here), its overdue flags as of now. Not one filtered on "overdue":
    // which tasks it holds changes with the clock.
    const page =
      filter.overdue === undefined
        ? overdueAsOf(await lists.read(JSON.stringify([filter, pageRequest]), load, (loadedAt) => loadedAt > storeWrites.lastLandedAt(person.id)), new Date())
        : await load();
    res.json({ items: page.items, ...(page.nextPageToken && { nextPageToken: page.nextPageToken }) });
  });

  /**
   * Work of approved plans that no task list shows yet: the tasks of projects waiting for their
   * prepayment before starting any. Scoped as the inbox is. From the store (each project's stored
   * copy decides), held in memory like the task lists: a payment or a cancellation takes the
   * entries away within a second of reaching the store, and the started tasks take their place.
   */
  router.get('/api/tasks/planned', allow('staff', 'manager', 'leadership'), async (req, res) => {
    const person = caller(req);
    const q = parseQuery(plannedTaskQuerySchema, req);
    if (person.role === 'staff' && q.department !== undefined && q.department !== person.department) {
      throw forbidden(`Staff see their own department's planned work (${person.department}).`);
    }
    if (person.role === 'manager' && q.managerId !== undefined && q.managerId !== person.id) {
      throw forbidden('Managers see the planned work of their own projects; leave managerId out.');
    }
    const filter = {
      department: person.role === 'staff' ? person.department : q.department,
      managerId: person.role === 'manager' ? person.id : q.managerId,
    };
    // Nothing a person does through these routes changes this list: no wait for their own writes.
    const items = await planned.read(JSON.stringify(filter), () => deps.reporting.plannedTasks(filter));
    res.json({ items });
  });

  router.get('/api/tasks/:taskId', allow('staff', 'manager', 'leadership'), async (req, res) => {
    const taskId = taskIdParam(req);
    const { person, stored } = await accessibleTask(req, taskId);
    const { value, publishedAt } = await liveOrStored(taskId, (signal) => temporal.task(taskId, { signal }), stored, seen, {
      pace,
      receivedAt: req.receivedAt,
    });
    if (publishedAt) res.setHeader(STORED_SNAPSHOT_HEADER, publishedAt);
    res.json(taskViewFor(person, value));
  });

  /**
   * What the person doing a task works from besides the task itself: the client's request and the
   * accepted work it builds on — the tasks it waits for (the ads campaign reads the accepted ad
   * copy), or for a revision task its department's accepted work — though staff may not open
   * another department's task. Read from the store's copies: accepted work does not change.
   */
  router.get('/api/tasks/:taskId/context', allow('staff', 'manager', 'leadership'), async (req, res) => {
    const taskId = taskIdParam(req);
    await accessibleTask(req, taskId);
    const { projectId, taskKey } = parseTaskId(taskId)!;
    const project = await deps.reporting.project(projectId);
    const me = project?.value.tasks.find((t) => t.key === taskKey);
    if (!project || !me) {
      // Seen by Temporal, not yet by the store (a task started a moment ago).
      throw new ApiProblem({ type: ProblemType.notFound, title: 'Not found', status: 404, detail: `Task ${taskId} is starting; its context follows in a moment.`, headers: { 'Retry-After': '1' } });
    }
    const status = project.value;
    // A fix for a complaint after completion: the complaint is what it answers.
    const complaint = status.complaints.find((c) => c.rework?.taskKeys.includes(me.key));
    const buildsOn = [
      ...me.dependsOn.map((key) => ({ key, why: 'dependency' as const })),
      // A revision (or a complaint's fix) reworks what its department delivered and the client saw.
      ...(me.revisionRound === undefined && !complaint
        ? []
        : status.tasks.filter((t) => t.department === me.department && t.key !== me.key && t.status === 'accepted').map((t) => ({ key: t.key, why: 'revised' as const }))),
    ];
    const views = await Promise.all(buildsOn.map(({ key }) => deps.reporting.task(`${projectId}.${key}`)));
    const context: TaskContext = {
      taskId,
      projectTitle: status.title,
      clientName: status.client.name,
      brief: status.brief,
      desiredDeadline: status.desiredDeadline,
      ...(complaint && { complaint: { at: complaint.at, description: complaint.description } }),
      buildsOn: buildsOn.flatMap(({ key, why }, i) => {
        const summary = status.tasks.find((t) => t.key === key);
        if (!summary) return [];
        const view = views[i]?.value;
        const delivery = view?.status === 'accepted' ? view.deliverables[view.deliverables.length - 1] : undefined;
        return [
          {
            taskId: summary.taskId,
            title: summary.title,
            department: summary.department,
            status: view?.status ?? summary.status,
            why,
            ...(delivery && { accepted: { ...delivery, ...(view?.acceptedAt && { acceptedAt: view.acceptedAt }) } }),
          },
        ];
      }),
      // Whose work a late delivery holds up: staff see it from their side, not only "depends on nothing".
      waitingOnIt: status.tasks
        .filter((t) => t.dependsOn.includes(me.key) && t.status !== 'cancelled')
        .map((t) => ({ taskId: t.taskId, title: t.title, department: t.department, status: t.status, dueAt: t.dueAt })),
    };
    res.json(context);
  });

  /** "Task already claimed": the workflow knows the holder by id only; people read a name. */
  function withHolderNamed(err: unknown): unknown {
    if (!(err instanceof ApiProblem) || err.type !== ProblemType.taskAlreadyClaimed || !err.detail) return err;
    const holderId = /held by (\S+)$/.exec(err.detail)?.[1];
    const holder = holderId ? people.get(holderId) : undefined;
    if (!holderId || !holder) return err;
    return new ApiProblem(
      { type: err.type, title: err.title, status: err.status, detail: `${holder.name} (${holderId}) took this task first; it is theirs now.`, headers: err.headers, extensions: err.extensions },
      { cause: err },
    );
  }

  /**
   * The task's workflow refused a manager (403, "only the project's manager may do this"): this
   * process let them through on who managed the project when it last checked, and a handover has
   * moved it since. Said as the route says it, naming who manages it now; the next action is
   * refused here, without asking the workflow.
   */
  async function withManagerNowNamed(err: unknown, taskId: string, person: Person, access: TaskAccess): Promise<unknown> {
    if (!(err instanceof ApiProblem) || err.status !== 403 || person.role !== 'manager') return err;
    const current = await projectManagerNow(parseTaskId(taskId)!.projectId, person.id).catch(() => undefined);
    if (current === undefined || current === person.id) return err;
    accessKnown.set(taskId, { ...access, managerId: current });
    const refusal = managedBySomeoneElse(people.nameOf(current), 'task');
    return new ApiProblem({ type: refusal.type, title: refusal.title, status: refusal.status, detail: refusal.detail }, { cause: err });
  }

  /**
   * One action on one task: the caller may act on it, the body parses, one update runs (its
   * validator has the last word) and its answer, the new view, is the response. `name` keys the
   * Idempotency-Key → update id mapping. The answer also goes to the store from here, after the
   * response: the task publishes its view only once people stop acting on it for a moment (so
   * back-to-back actions do not wait behind its publishes), and lists must show an action at once.
   * The store keeps the newest version, so this write and the task's own publish never undo
   * each other; the caller's next list through this process waits for it, everyone else sees it
   * within milliseconds.
   */
  const taskAction =
    <S extends z.ZodType, Input>(
      update: UpdateDefinition<TaskView, [Input]>,
      schema: S,
      toInput: (body: z.infer<S>, by: Actor, access: TaskAccess) => Input,
      options: { optionalBody?: boolean; check?: (body: z.infer<S>, taskId: string, person: Person) => Promise<void> } = {},
    ) =>
    async (req: Request, res: Response): Promise<void> => {
      const taskId = taskIdParam(req);
      const { person, access } = await accessibleTask(req, taskId, { copyNeeded: false });
      const body = options.optionalBody ? parseOptionalBody(schema, req) : parseBody(schema, req);
      const input = toInput(body, actorOf(person, req.requestId), access);
      const updateId = updateIdFor(req, person, update.name, taskId);
      await refuseReusedKey(deps.reporting, updateId, body, deps.logger.child({ taskId }));
      await options.check?.(body, taskId, person);
      const view = await temporal
        .updateTask(taskId, update, input, updateId)
        .catch(async (err: unknown) => Promise.reject((await startingNow(err, taskId)) ?? (await withManagerNowNamed(withHolderNamed(err), taskId, person, access))));
      seen.note(taskId, view.version, view);
      res.json(taskViewFor(person, view));
      storeWrites.track(person.id, { taskId }, deps.reporting.publish({ kind: 'task', taskId, projectId: view.projectId, seq: view.version, view }));
    };

  router.post('/api/tasks/:taskId/claim', allow('staff'), taskAction(claimTaskUpdate, emptyBodySchema, (_, by) => ({ by }), { optionalBody: true }));
  router.post('/api/tasks/:taskId/release', allow('staff'), taskAction(releaseTaskUpdate, emptyBodySchema, (_, by) => ({ by }), { optionalBody: true }));
  router.post('/api/tasks/:taskId/submit', allow('staff'), taskAction(submitTaskUpdate, deliveryRequestSchema, (deliverable, by) => ({ ...deliverable, by })));
  router.post(
    '/api/tasks/:taskId/review',
    allow('manager'),
    taskAction(reviewTaskUpdate, reviewRequestSchema, (review, by) => ({ ...review, by }), {
      check: async ({ dueAt }, taskId, person) => (dueAt === undefined ? undefined : refuseDueDateOutOfOrder(taskId, dueAt, person)),
    }),
  );
  router.patch(
    '/api/tasks/:taskId',
    allow('manager'),
    taskAction(moveDueDateUpdate, moveDueDateRequestSchema, (change, by) => ({ ...change, by }), { check: ({ dueAt }, taskId, person) => refuseDueDateOutOfOrder(taskId, dueAt, person) }),
  );

  /**
   * A moved due date keeps the plan's order: not before the work it waits for is due, not after
   * the work waiting for it. The task's workflow knows neither. Which task waits for which comes
   * from the project's copy in the store (it never changes); each task's date and status from the
   * store's task rows, which every action's answer reaches first — this person's own last actions
   * have landed there before the check. Without the store (down) the move goes on, as the task's
   * own rules allow.
   */
  async function refuseDueDateOutOfOrder(taskId: string, dueAt: string, person: Person): Promise<void> {
    const ids = parseTaskId(taskId);
    // A date already past is the task's own refusal to give ("must be in the future"), not an order problem.
    if (!ids || !(Date.parse(dueAt) > Date.now())) return;
    await storeWrites.settled(person.id);
    const [project, rows] = await Promise.all([
      deps.reporting.project(ids.projectId),
      deps.reporting.listTasks({ projectId: ids.projectId }, { pageSize: 500 }),
    ]).catch((err: unknown) => {
      deps.logger.warn({ taskId, err }, 'could not read the project to check a moved due date against its dependencies');
      return [undefined, undefined] as const;
    });
    if (!project || !rows) return;
    const now = new Map(rows.items.map((t) => [t.taskId, t]));
    const tasks = project.value.tasks.map((t) => {
      const row = now.get(t.taskId);
      return { ...t, ...(row?.dueAt !== undefined && { dueAt: row.dueAt }), ...(row?.status !== undefined && { status: row.status }) };
    });
    const problem = dueDateOutOfOrder(tasks, ids.taskKey, Date.parse(dueAt));
    if (problem) throw badRequest([{ field: 'dueAt', message: problem.message }]);
  }

  /** Department staff who may take a task of this department, or why not (the workflow has no people directory). */
  function reassignRefusal(assigneeId: string, department: string): string | undefined {
    const assignee = people.get(assigneeId);
    if (!assignee) return `nobody with id "${assigneeId}" in the people directory`;
    if (assignee.role !== 'staff' || !assignee.department) return `${assigneeId} is ${assignee.role}, not department staff`;
    if (assignee.department !== department) return `${assigneeId} works in ${assignee.department}; the task belongs to ${department}`;
    return undefined;
  }

  // Reassigning also checks the person named against the people directory (the workflow has none).
  // Leadership too (the task's validator allows it): they see who is overloaded, and whose work
  // waits for someone who left, across every manager's projects.
  router.post(
    '/api/tasks/:taskId/reassign',
    allow('manager', 'leadership'),
    taskAction(reassignTaskUpdate, reassignRequestSchema, ({ assigneeId }, by, task) => {
      const refusal = reassignRefusal(assigneeId, task.department);
      if (refusal) throw badRequest([{ field: 'assigneeId', message: refusal }]);
      return { assigneeId, assigneeDepartment: people.get(assigneeId)!.department!, by };
    }),
  );

  /**
   * Every task in work of one person, in the caller's projects (leadership: in every project), to someone else of the department
   * at once: someone who left (or is away) held several, and each waits until it is moved. The
   * tasks are chosen here from the store; a workflow of its own (workflows/work-reassignment) then
   * reassigns each through its own reassign update, as from its page, and mails both people once
   * for all of them. The answer says task by task what happened: a task delivered meanwhile, or of
   * another department, stays. The run is the request's record: the same Idempotency-Key reads its
   * answer, and a request whose API died half-way is finished all the same.
   */
  router.post('/api/people/:personId/reassign-work', allow('manager', 'leadership'), async (req: Request, res: Response) => {
    const person = caller(req);
    const body = parseBody(reassignAllRequestSchema, req);
    const { toPersonId } = body;
    const fromPersonId = String(req.params.personId);
    if (toPersonId === fromPersonId) throw badRequest([{ field: 'toPersonId', message: 'the tasks are theirs already' }]);
    const to = people.get(toPersonId);
    if (!to) throw badRequest([{ field: 'toPersonId', message: `nobody with id "${toPersonId}" in the people directory` }]);
    if (to.role !== 'staff' || !to.department) throw badRequest([{ field: 'toPersonId', message: `${toPersonId} is ${to.role}, not department staff` }]);

    // Its action name is not the tasks' own reassign: a person id and a task id may be the same text.
    const keyed = updateIdFor(req, person, 'reassignAllRequest', fromPersonId);
    const reassignmentId = keyed ?? randomUUID();
    const run: RequestRun = {
      workflowId: workReassignmentWorkflowId(reassignmentId),
      doing: 'reassign the tasks',
      goesOn: 'The tasks were not all reassigned within a minute; it goes on (Temporal has it). Send the same request with the same Idempotency-Key for its answer, or look at the tasks.',
    };
    const log = deps.logger.child({ reassignmentId, personId: fromPersonId, toPersonId });
    // The same key for another request (to someone else) is refused before anything moves; for
    // the same request, the first one's answer, whatever the store shows since.
    await refuseReusedKey(deps.reporting, keyed, { fromPersonId, toPersonId }, log);
    const earlier = keyed === undefined ? undefined : await answerOfEarlierRun<ReassignAllResult>(temporal, run);
    if (earlier) {
      res.json(earlier);
      return;
    }

    await storeWrites.settled(person.id);
    // A manager moves the tasks of their own projects; leadership those of every project.
    const ofProjects = person.role === 'leadership' ? {} : { managerId: person.id };
    const held = await deps.reporting.listTasks({ ...ofProjects, assignee: fromPersonId, status: 'claimed' }, { pageSize: MAX_TASKS_PER_REASSIGN_ALL });
    const input: WorkReassignmentInput = { reassignmentId, fromPersonId, toPersonId, toDepartment: to.department, by: actorOf(person, req.requestId), tasks: [], stayed: [] };
    for (const task of held.items) {
      const listed = {
        taskId: task.taskId,
        projectId: task.projectId,
        title: task.title ?? task.taskId,
        ...(task.projectTitle && { projectTitle: task.projectTitle }),
        ...(task.dueAt && { dueAt: task.dueAt }),
      };
      // A row without its department (none is written so) is left to the task's validator, which knows it.
      const refusal = task.department === undefined ? undefined : reassignRefusal(toPersonId, task.department);
      if (refusal) input.stayed.push({ ...listed, detail: refusal });
      else input.tasks.push(listed);
    }
    if (input.tasks.length === 0) {
      // Nothing any task could take: no run, and nobody mailed.
      res.json({ reassigned: 0, refused: input.stayed.length, tasks: input.stayed.map(({ taskId, title, detail }) => ({ taskId, title, outcome: 'refused', detail })) } satisfies ReassignAllResult);
      return;
    }
    log.info({ tasks: input.tasks.length, stayed: input.stayed.length }, 'reassign-all starting');
    const answer = await runForAnswer<ReassignAllResult>(temporal, run, {
      workflowType: WORK_REASSIGNMENT_WORKFLOW_TYPE,
      args: [input],
      staticSummary: `${input.tasks.length} task(s) from ${fromPersonId} to ${toPersonId}`,
    });
    // Each moved task's new view into the store before answering: every list read after the answer
    // (the work in hand it is given from reads the store) shows them moved. A task that does not
    // answer in time is left to publish it itself, a moment later.
    await Promise.all(answer.tasks.filter((t) => t.outcome === 'reassigned').map((t) => storeTaskView(t.taskId, person.id)));
    res.json(answer);
  });

  /** How long the answer of a "reassign all" waits for one task's view to reach the store. */
  const STORE_WITHIN_MS = 5_000;

  async function storeTaskView(taskId: string, by: string): Promise<void> {
    const write = temporal.task(taskId, { timeoutMs: STORE_WITHIN_MS }).then((view) => {
      seen.note(taskId, view.version, view);
      return deps.reporting.publish({ kind: 'task', taskId, projectId: view.projectId, seq: view.version, view });
    });
    storeWrites.track(by, { taskId }, write);
    await write.catch(() => undefined); // logged by track; the workflow's own publish follows
  }

  return router;
}

/**
 * Who may see a task: leadership, its department's staff, its project's manager. The refusal for
 * anyone else, in people's words: a manager learns who manages the project now (after a handover,
 * where it went), as the project's own route says it.
 */
function mayNotSee(person: Person, access: TaskAccess, people: PeopleDirectory): ApiProblem | undefined {
  if (person.role === 'leadership') return undefined;
  if (person.role === 'staff' && person.department === access.department) return undefined;
  if (person.role === 'manager' && person.id === access.managerId) return undefined;
  if (person.role === 'staff') {
    // The department as a member too: the portal names it in the reader's words without parsing these.
    return forbidden(`This task belongs to the ${access.department} department; you work in ${person.department}.`, { department: access.department });
  }
  return managedBySomeoneElse(people.nameOf(access.managerId), 'task');
}

/**
 * A task as the caller may read it (its read and every action's answer): staff get it without its
 * price, which is the managers' and leadership's business (the portal's task page shows it to them
 * only). The one place this is decided; the task's lists and context carry no price.
 */
function taskViewFor(person: Person, view: TaskView): TaskResponse {
  if (person.role !== 'staff') return view;
  const { price: _notForStaff, ...withoutPrice } = view;
  return withoutPrice;
}

/** A task its project has planned but not started (yet): 404, worth asking again shortly; `access`: who may be told. */
class NotStartedYet extends ApiProblem {
  constructor(
    taskId: string,
    projectId: string,
    readonly access: TaskAccess,
  ) {
    super({
      type: ProblemType.notFound,
      title: 'Not found',
      status: 404,
      detail:
        `Task ${taskId} has not started yet: it is in the approved plan of project ${projectId}, ` +
        'which starts its tasks once the contract is out (and a prepayment it waits for is paid).',
      headers: { 'Retry-After': '1' },
    });
  }
}

/**
 * A delivery's links are web addresses: the portal shows them as links, and a `javascript:`,
 * `data:` or `file:` address there is a trap for whoever reviews the work. Checked here, at the
 * edge, not in the task's schema: recorded histories replay through that. Checked alongside the
 * schema's own checks, not after them, so that one refusal names every bad link, each at its
 * place (`links[0]` no address at all, `links[2]` an `ftp:` one): never the second only once the
 * first is fixed, nor held back by another field's refusal (a summary missing altogether).
 */
const deliveryRequestSchema = deliverableRequestSchema.superRefine(
  (_, ctx) => {
    const links: unknown = (ctx.value as { links?: unknown } | null | undefined)?.links;
    if (!Array.isArray(links)) return;
    // Links the schema refused already ("expected an absolute URL") are said once, in its words.
    const refused = new Set(ctx.issues.filter((issue) => issue.path?.[0] === 'links').map((issue) => issue.path?.[1]));
    links.forEach((link: unknown, i) => {
      if (typeof link !== 'string' || refused.has(i) || /^https?:\/\//i.test(link)) return;
      ctx.addIssue({ code: 'custom', path: ['links', i], input: link, message: `expected a web address starting with http:// or https:// (got ${JSON.stringify(link.slice(0, 60))})` });
    });
  },
  // Also where zod stops short of refinements (a field of the wrong type): the links are still named.
  { when: () => true },
);
