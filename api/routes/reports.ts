/**
 * The portfolio report leadership asks for at any moment: where every project stands, what is
 * late and where, plans waiting for a decision and for how long, open complaints, invoices unpaid
 * past due. Built from visibility counts and short lists on search attributes (about thirty calls
 * in parallel, whatever the number of projects), never by querying each workflow. Managers get
 * the same report for their own projects.
 */
import { Router } from 'express';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { PROJECT_STAGES } from '../../workflows/project/schemas';
import { DEPARTMENTS } from '../../workflows/shared-schemas';
import {
  DepartmentKey,
  HasOpenComplaintKey,
  ManagerIdKey,
  OverdueKey,
  PaymentDueAtKey,
  ProjectStageKey,
  StageEnteredAtKey,
  TaskStatusKey,
} from '../../workflows/search-attributes';
import type { AppDeps } from '../app';
import { allow, caller } from '../auth';
import { forbidden } from '../errors';
import { portfolioQuerySchema } from '../schemas';
import { parseQuery } from '../validation';
import { projectItem, Visibility, VisibilityQuery } from '../visibility';

/** Work that is not finished: in the queue, in hand, or waiting for review. */
const OPEN_TASK_STATUSES = ['open', 'claimed', 'submitted'] as const;
const UNFINISHED_TASK_STATUSES = ['waiting', 'open', 'claimed', 'submitted'] as const;
/** How many projects each list in the report shows (the counts are exact). */
const LIST_LIMIT = 50;

export function createReportsRouter(deps: AppDeps): Router {
  const visibility = new Visibility(deps.temporal);
  const now = deps.now ?? Date.now;
  const router = Router();

  router.get('/api/reports/portfolio', allow('manager', 'leadership'), async (req, res) => {
    const person = caller(req);
    const q = parseQuery(portfolioQuerySchema, req);
    if (person.role === 'manager' && q.managerId !== undefined && q.managerId !== person.id) {
      throw forbidden('Managers see the report for their own projects; leave managerId out.');
    }
    const managerId = person.role === 'manager' ? person.id : q.managerId;
    const at = new Date(now());

    const projects = () => VisibilityQuery.projects().eq(ManagerIdKey, managerId);
    const tasks = () => VisibilityQuery.tasks().eq(ManagerIdKey, managerId);

    const ref = (info: WorkflowExecutionInfo) => {
      const item = projectItem(info);
      return { projectId: item.projectId, title: item.title, managerId: item.managerId, clientName: item.clientName, href: item.href };
    };

    const [byStage, overdueProjects, overdueTasks, byDepartment, awaiting, complaints, unpaid] = await Promise.all([
      Promise.all(PROJECT_STAGES.map((stage) => visibility.count(projects().eq(ProjectStageKey, stage)))),
      visibility.count(projects().running().eq(OverdueKey, true)),
      visibility.count(tasks().running().eq(OverdueKey, true).in(TaskStatusKey, UNFINISHED_TASK_STATUSES)),
      Promise.all(
        DEPARTMENTS.map((department) =>
          Promise.all([
            visibility.count(tasks().running().eq(DepartmentKey, department).in(TaskStatusKey, OPEN_TASK_STATUSES)),
            visibility.count(
              tasks().running().eq(DepartmentKey, department).eq(OverdueKey, true).in(TaskStatusKey, UNFINISHED_TASK_STATUSES),
            ),
          ]),
        ),
      ),
      Promise.all([
        visibility.count(projects().eq(ProjectStageKey, 'awaiting_approval')),
        visibility.listAll(projects().eq(ProjectStageKey, 'awaiting_approval'), LIST_LIMIT),
      ]),
      Promise.all([
        visibility.count(projects().running().eq(HasOpenComplaintKey, true)),
        visibility.listAll(projects().running().eq(HasOpenComplaintKey, true), LIST_LIMIT),
      ]),
      Promise.all([
        visibility.count(projects().running().before(PaymentDueAtKey, at)),
        visibility.listAll(projects().running().before(PaymentDueAtKey, at), LIST_LIMIT),
      ]),
    ]);

    const stageCounts = Object.fromEntries(PROJECT_STAGES.map((stage, i) => [stage, byStage[i]]));
    const active = PROJECT_STAGES.filter((s) => s !== 'completed' && s !== 'cancelled').reduce((n, s) => n + stageCounts[s], 0);

    res.json({
      generatedAt: at.toISOString(),
      scope: managerId ? { managerId } : {},
      projects: { byStage: stageCounts, active, overdue: overdueProjects },
      tasks: {
        overdue: overdueTasks,
        byDepartment: Object.fromEntries(DEPARTMENTS.map((d, i) => [d, { open: byDepartment[i][0], overdue: byDepartment[i][1] }])),
      },
      plansAwaitingDecision: {
        count: awaiting[0],
        items: awaiting[1]
          .map((info) => {
            const since = info.typedSearchAttributes.get(StageEnteredAtKey);
            return {
              ...ref(info),
              ...(since && { waitingSince: since.toISOString(), waitingMs: Math.max(0, at.getTime() - since.getTime()) }),
            };
          })
          .sort((a, b) => (b.waitingMs ?? 0) - (a.waitingMs ?? 0)),
      },
      openComplaints: { count: complaints[0], items: complaints[1].map(ref) },
      unpaidInvoicesPastDue: {
        count: unpaid[0],
        items: unpaid[1].map((info) => {
          const due = info.typedSearchAttributes.get(PaymentDueAtKey);
          return {
            ...ref(info),
            ...(due && { paymentDueAt: due.toISOString(), overdueMs: Math.max(0, at.getTime() - due.getTime()) }),
          };
        }),
      },
    });
  });

  return router;
}
