/**
 * The tasks behind the KPI report's "Workload now" figures (open and in-work hours per department,
 * hours in work per person): one row per task in hand now, from the same rows of the store's tasks,
 * the same scope and the same rules as kpis.ts (OPEN_TASK, IN_WORK_TASK, WORK_IN_HAND,
 * overdueTask), so a list asked with the report's scope counts the tasks and hours of the figure it
 * was reached from.
 */
import type { KpiWorkloadList, WorkloadState } from '../../api/kpi-workload-schemas';
import type { PortfolioReport } from '../../api/schemas';
import type { PeopleDirectory } from '../../common/people';
import type { Department, Segment } from '../../workflows/shared-schemas';
import { departmentIs, IN_WORK_TASK, inHours, OPEN_TASK, overdueTask, overloaded, projectScope, WORK_IN_HAND } from './kpis';
import { sql, type Database, type Sql } from './sql';

export interface WorkloadListQuery {
  managerId?: string;
  segment?: Segment;
  department?: Department;
  /** Only the tasks this person has claimed. */
  assignee?: string;
  /** Only open tasks, only those in work, or both. */
  state?: WorkloadState;
  /** Overdue is measured here, as the report measures it. */
  now: Date;
  /** At most this many rows; the totals count them all. */
  limit: number;
}

/** A person with more work in hand than the overload threshold. */
export interface OverloadedPerson {
  personId: string;
  /** Estimated hours of the tasks they have claimed and not delivered. */
  hours: number;
  tasks: number;
}

/**
 * Who is overloaded now, as the KPI report says it (`workload.overloaded`: hours in work, rounded
 * as the report rounds them, above the threshold), the most loaded first: for leadership's weekly
 * digest, which names them with a link to their work in hand.
 */
export async function overloadedPeople(db: Database, s: Sql, thresholdHours: number): Promise<OverloadedPerson[]> {
  const rows = await db.rows<{ assignee_id: string; in_work_hours: number; in_work_tasks: number }>(sql`
    SELECT t.assignee_id, sum(t.estimate_hours) AS in_work_hours, count(*)::int AS in_work_tasks
    FROM ${s}.tasks t JOIN ${s}.projects p ON p.project_id = t.project_id
    WHERE ${IN_WORK_TASK} AND t.assignee_id IS NOT NULL
    GROUP BY t.assignee_id`);
  return rows
    .map((r) => ({ personId: r.assignee_id, hours: inHours(r.in_work_hours), tasks: r.in_work_tasks }))
    .filter((p) => overloaded(p.hours, thresholdHours))
    .sort((a, b) => b.hours - a.hours || a.personId.localeCompare(b.personId));
}

/** Who holds work now: running projects by manager, tasks in work by who claimed them (of one manager's projects, when asked). */
export interface WorkHolders {
  managers: { managerId: string; running: number }[];
  assignees: { personId: string; inWork: number }[];
}

export async function workHolders(db: Database, s: Sql, q: { managerId?: string }): Promise<WorkHolders> {
  const ofManager = q.managerId === undefined ? sql`TRUE` : sql`p.manager_id = ${q.managerId}`;
  const [managers, assignees] = await Promise.all([
    db.rows<{ manager_id: string; running: number }>(sql`
      SELECT p.manager_id, count(*)::int AS running FROM ${s}.projects p WHERE NOT p.closed AND ${ofManager} GROUP BY p.manager_id`),
    db.rows<{ assignee_id: string; in_work: number }>(sql`
      SELECT t.assignee_id, count(*)::int AS in_work
      FROM ${s}.tasks t JOIN ${s}.projects p ON p.project_id = t.project_id
      WHERE ${IN_WORK_TASK} AND t.assignee_id IS NOT NULL AND ${ofManager}
      GROUP BY t.assignee_id`),
  ]);
  return {
    managers: managers.map((r) => ({ managerId: r.manager_id, running: r.running })),
    assignees: assignees.map((r) => ({ personId: r.assignee_id, inWork: r.in_work })),
  };
}

/**
 * The work held by people no longer in the directory, or no longer in the role that holds it (a
 * manager moved to leadership, a designer who left): nobody moves it on until it is handed over
 * or reassigned. The directory follows its file, so this is as of its last reload. The API's
 * portfolio report and the weekly digests say it.
 */
export function workOfPeopleGone(holders: WorkHolders, people: Pick<PeopleDirectory, 'get'>): PortfolioReport['workOfPeopleGone'] {
  return {
    projects: holders.managers
      .filter((m) => people.get(m.managerId)?.role !== 'manager')
      .sort((a, b) => b.running - a.running || a.managerId.localeCompare(b.managerId)),
    tasks: holders.assignees
      .filter((a) => people.get(a.personId)?.role !== 'staff')
      .sort((a, b) => b.inWork - a.inWork || a.personId.localeCompare(b.personId)),
  };
}

export async function workloadList(db: Database, s: Sql, q: WorkloadListQuery): Promise<Omit<KpiWorkloadList, 'scope' | 'thresholdHours'>> {
  const inState = q.state === undefined ? WORK_IN_HAND : q.state === 'open' ? OPEN_TASK : IN_WORK_TASK;
  const assigned = q.assignee !== undefined ? sql`t.assignee_id = ${q.assignee}` : sql`TRUE`;
  const rows = await db.rows<{
    task_id: string;
    project_id: string;
    task_title: string;
    project_title: string;
    client_name: string;
    department: Department;
    in_work: boolean;
    assignee_id: string | null;
    estimate_hours: number;
    due_at: Date;
    overdue: boolean;
    total: number;
    total_hours: number;
    open_tasks: number;
    open_hours: number;
    in_work_tasks: number;
    in_work_hours: number;
    overdue_tasks: number;
  }>(sql`
    SELECT t.task_id, t.project_id, t.title AS task_title, p.title AS project_title, p.client_name, t.department,
      ${IN_WORK_TASK} AS in_work, t.assignee_id, t.estimate_hours, t.due_at, ${overdueTask(q.now)} AS overdue,
      -- The totals over every task in scope, before the LIMIT: the figures' own sums.
      count(*) OVER ()::int AS total,
      coalesce(sum(t.estimate_hours) OVER (), 0) AS total_hours,
      (count(*) FILTER (WHERE ${OPEN_TASK}) OVER ())::int AS open_tasks,
      coalesce(sum(t.estimate_hours) FILTER (WHERE ${OPEN_TASK}) OVER (), 0) AS open_hours,
      (count(*) FILTER (WHERE ${IN_WORK_TASK}) OVER ())::int AS in_work_tasks,
      coalesce(sum(t.estimate_hours) FILTER (WHERE ${IN_WORK_TASK}) OVER (), 0) AS in_work_hours,
      (count(*) FILTER (WHERE ${overdueTask(q.now)}) OVER ())::int AS overdue_tasks
    FROM ${s}.tasks t JOIN ${s}.projects p ON p.project_id = t.project_id
    WHERE ${inState} AND ${projectScope(q)} AND ${departmentIs(q.department, sql`t.department`)} AND ${assigned}
    -- Most urgent first: by due date, so the overdue ones (due before now) lead, the longest
    -- overdue first, then what falls due soonest; a list cut at its cap leaves out what is due last.
    ORDER BY t.due_at, t.task_id
    LIMIT ${q.limit}`);
  const first = rows[0];
  return {
    asOf: q.now.toISOString(),
    total: first?.total ?? 0,
    totalHours: inHours(first?.total_hours),
    open: { tasks: first?.open_tasks ?? 0, hours: inHours(first?.open_hours) },
    inWork: { tasks: first?.in_work_tasks ?? 0, hours: inHours(first?.in_work_hours) },
    overdue: first?.overdue_tasks ?? 0,
    limit: q.limit,
    items: rows.map((r) => ({
      taskId: r.task_id,
      projectId: r.project_id,
      taskTitle: r.task_title,
      projectTitle: r.project_title,
      clientName: r.client_name,
      department: r.department,
      state: r.in_work ? ('in_work' as const) : ('open' as const),
      ...(r.assignee_id !== null && { assigneeId: r.assignee_id }),
      estimateHours: Number(r.estimate_hours),
      dueAt: new Date(r.due_at).toISOString(),
      overdue: r.overdue,
      href: `/api/tasks/${r.task_id}`,
    })),
  };
}
