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
import { AssigneeIdKey, DepartmentKey, ManagerIdKey, OverdueKey, ProjectIdKey, TaskStatusKey } from '../../workflows/search-attributes';
import type { AppDeps } from '../app';
import { actorOf, allow, caller } from '../auth';
import { badRequest, forbidden } from '../errors';
import { emptyBodySchema, taskListQuerySchema } from '../schemas';
import { parseBody, parseOptionalBody, parseQuery, taskIdParam, updateIdFor } from '../validation';
import { taskItem, Visibility, VisibilityQuery } from '../visibility';

export function createTasksRouter(deps: AppDeps): Router {
  const { temporal, people } = deps;
  const visibility = new Visibility(temporal);
  const router = Router();

  /** The task, if the caller may see it: staff their department's, managers their projects', leadership any. */
  async function accessibleTask(req: Request, taskId: string): Promise<{ person: Person; task: TaskView }> {
    const person = caller(req);
    const task = await temporal.task(taskId);
    if (person.role === 'leadership') return { person, task };
    if (person.role === 'staff' && person.department === task.department) return { person, task };
    if (person.role === 'manager' && person.id === task.managerId) return { person, task };
    throw forbidden(
      person.role === 'staff'
        ? `Task ${taskId} belongs to the ${task.department} department; you work in ${person.department}.`
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
    const query = VisibilityQuery.tasks()
      .eq(DepartmentKey, person.role === 'staff' ? person.department : q.department)
      .eq(ManagerIdKey, person.role === 'manager' ? person.id : q.managerId)
      .eq(ProjectIdKey, q.projectId)
      .eq(TaskStatusKey, q.status)
      .eq(AssigneeIdKey, q.assignee === 'me' ? person.id : q.assignee)
      .eq(OverdueKey, q.overdue === undefined ? undefined : q.overdue === 'true');
    const page = await visibility.list(query, { pageSize: q.pageSize, pageToken: q.pageToken });
    res.json({ items: page.items.map(taskItem), ...(page.nextPageToken && { nextPageToken: page.nextPageToken }) });
  });

  router.get('/api/tasks/:taskId', allow('staff', 'manager', 'leadership'), async (req, res) => {
    const { task } = await accessibleTask(req, taskIdParam(req));
    res.json(task);
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
    const { person, task } = await accessibleTask(req, taskId);
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
