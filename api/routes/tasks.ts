/**
 * Department tasks: staff see their department's inbox and claim, release and submit work;
 * the project's manager reviews, reassigns and moves due dates; leadership sees all. Every
 * action reads the task first (404, and 403 outside the caller's department or projects), then
 * runs one update on the task workflow, whose validator has the last word.
 */
import { Router, type Request } from 'express';
import type { Person } from '../../common/people';
import {
  claimTaskUpdate,
  moveDueDateUpdate,
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
import { badRequest, forbidden } from '../errors';
import { emptyBodySchema, taskListQuerySchema } from '../schemas';
import { parseBody, parseOptionalBody, parseQuery, taskIdParam, updateIdFor } from '../validation';
import { liveOrStored, STORED_SNAPSHOT_HEADER, storedCopy } from '../snapshot-reads';
import type { Stored } from '../../activities/reporting/store';

/** What deciding who may act on a task needs: fields that never change over its life. */
type TaskAccess = Pick<TaskView, 'department' | 'managerId'>;

export function createTasksRouter(deps: AppDeps): Router {
  const { temporal, people } = deps;
  const router = Router();

  /**
   * The task, if the caller may see it: staff their department's, managers their projects',
   * leadership any. Department and manager come from the store when it has the task (neither
   * ever changes), else from the task workflow. `live` is set when the workflow was asked.
   */
  async function accessibleTask(req: Request, taskId: string): Promise<{ person: Person; access: TaskAccess; stored?: Stored<TaskView>; live?: TaskView }> {
    const person = caller(req);
    const stored = await storedCopy(() => deps.reporting.task(taskId), deps.logger, { taskId });
    const live = stored ? undefined : await temporal.task(taskId);
    const access: TaskAccess = stored ? stored.value : live!;
    if (person.role === 'leadership') return { person, access, stored, live };
    if (person.role === 'staff' && person.department === access.department) return { person, access, stored, live };
    if (person.role === 'manager' && person.id === access.managerId) return { person, access, stored, live };
    throw forbidden(
      person.role === 'staff'
        ? `Task ${taskId} belongs to the ${access.department} department; you work in ${person.department}.`
        : `Task ${taskId} belongs to a project managed by someone else.`,
    );
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
    // From the reporting store (an indexed query; it follows the workflows within a second or so).
    const page = await deps.reporting.listTasks(
      {
        department: person.role === 'staff' ? person.department : q.department,
        managerId: person.role === 'manager' ? person.id : q.managerId,
        projectId: q.projectId,
        status: q.status,
        assignee: q.assignee === 'me' ? person.id : q.assignee,
        overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
      },
      { pageSize: q.pageSize, pageToken: q.pageToken },
    );
    res.json({ items: page.items, ...(page.nextPageToken && { nextPageToken: page.nextPageToken }) });
  });

  router.get('/api/tasks/:taskId', allow('staff', 'manager', 'leadership'), async (req, res) => {
    const taskId = taskIdParam(req);
    const { stored, live } = await accessibleTask(req, taskId);
    if (live) {
      res.json(live);
      return;
    }
    const { value, publishedAt } = await liveOrStored((timeoutMs) => temporal.task(taskId, { timeoutMs }), stored);
    if (publishedAt) res.setHeader(STORED_SNAPSHOT_HEADER, publishedAt);
    res.json(value);
  });

  router.post('/api/tasks/:taskId/claim', allow('staff'), async (req, res) => {
    const taskId = taskIdParam(req);
    const { person } = await accessibleTask(req, taskId);
    parseOptionalBody(emptyBodySchema, req);
    res.json(await temporal.updateTask(taskId, claimTaskUpdate, { by: actorOf(person, req.requestId) }, updateIdFor(req, person, 'claim', taskId)));
  });

  router.post('/api/tasks/:taskId/release', allow('staff'), async (req, res) => {
    const taskId = taskIdParam(req);
    const { person } = await accessibleTask(req, taskId);
    parseOptionalBody(emptyBodySchema, req);
    res.json(await temporal.updateTask(taskId, releaseTaskUpdate, { by: actorOf(person, req.requestId) }, updateIdFor(req, person, 'release', taskId)));
  });

  router.post('/api/tasks/:taskId/submit', allow('staff'), async (req, res) => {
    const taskId = taskIdParam(req);
    const { person } = await accessibleTask(req, taskId);
    const deliverable = parseBody(deliverableRequestSchema, req);
    res.json(
      await temporal.updateTask(taskId, submitTaskUpdate, { ...deliverable, by: actorOf(person, req.requestId) }, updateIdFor(req, person, 'submit', taskId)),
    );
  });

  router.post('/api/tasks/:taskId/review', allow('manager'), async (req, res) => {
    const taskId = taskIdParam(req);
    const { person } = await accessibleTask(req, taskId);
    const review = parseBody(reviewRequestSchema, req);
    res.json(
      await temporal.updateTask(taskId, reviewTaskUpdate, { ...review, by: actorOf(person, req.requestId) }, updateIdFor(req, person, 'review', taskId)),
    );
  });

  router.post('/api/tasks/:taskId/reassign', allow('manager'), async (req, res) => {
    const taskId = taskIdParam(req);
    const { person, access: task } = await accessibleTask(req, taskId);
    const { assigneeId } = parseBody(reassignRequestSchema, req);
    const assignee = people.get(assigneeId);
    if (!assignee) throw badRequest([{ field: 'assigneeId', message: `nobody with id "${assigneeId}" in the people directory` }]);
    if (assignee.role !== 'staff' || !assignee.department) {
      throw badRequest([{ field: 'assigneeId', message: `${assigneeId} is ${assignee.role}, not department staff` }]);
    }
    if (assignee.department !== task.department) {
      throw badRequest([
        { field: 'assigneeId', message: `${assigneeId} works in ${assignee.department}; the task belongs to ${task.department}` },
      ]);
    }
    res.json(
      await temporal.updateTask(
        taskId,
        reassignTaskUpdate,
        { assigneeId, assigneeDepartment: assignee.department, by: actorOf(person, req.requestId) },
        updateIdFor(req, person, 'reassign', taskId),
      ),
    );
  });

  router.patch('/api/tasks/:taskId', allow('manager'), async (req, res) => {
    const taskId = taskIdParam(req);
    const { person } = await accessibleTask(req, taskId);
    const change = parseBody(moveDueDateRequestSchema, req);
    res.json(
      await temporal.updateTask(taskId, moveDueDateUpdate, { ...change, by: actorOf(person, req.requestId) }, updateIdFor(req, person, 'moveDueDate', taskId)),
    );
  });

  return router;
}
