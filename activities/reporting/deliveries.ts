/**
 * The deliveries behind the KPI report's delivery figures (delivered, on time, late; per
 * department, per week): one row per task first delivered in the period, from the same
 * `first_delivery` facts, the same scope and the same late rule as kpis.ts, so a list asked with
 * the report's query has as many rows as the figure it was reached from.
 */
import type { KpiDeliveryList } from '../../api/schemas';
import type { Department, Segment } from '../../workflows/shared-schemas';
import { departmentIs, LATE_DELIVERY, ON_TIME_DELIVERY, projectScope, weeksOf, type WeekCut } from './kpis';
import { sql, type Database, type Sql } from './sql';

export interface DeliveryListQuery {
  /** The period, or one week of it (`weekWithin`): [from, to). */
  from: Date;
  to: Date;
  managerId?: string;
  segment?: Segment;
  department?: Department;
  /** Only late deliveries (true), only those on time (false), or both. */
  late?: boolean;
  /** At most this many rows; `total` counts them all. */
  limit: number;
}

const HOUR_MS = 3_600_000;

/**
 * The part of [from, to) in the week of the report's series that starts at `week` (its
 * `weekStart`): as the series counts that week, the first and last weeks only inside the period.
 * Undefined when no week of the period starts then.
 */
export function weekWithin(week: Date, from: Date, to: Date, cut: WeekCut): { from: Date; to: Date } | undefined {
  const weeks = weeksOf(from, to, cut);
  const i = weeks.findIndex((w) => w.getTime() === week.getTime());
  if (i < 0) return undefined;
  const next = weeks[i + 1];
  return { from: new Date(Math.max(week.getTime(), from.getTime())), to: next !== undefined && next < to ? next : to };
}

export async function deliveryList(db: Database, s: Sql, q: DeliveryListQuery): Promise<Omit<KpiDeliveryList, 'scope'>> {
  const lateOrNot = q.late === undefined ? sql`TRUE` : q.late ? LATE_DELIVERY : ON_TIME_DELIVERY;
  const rows = await db.rows<{
    task_id: string;
    project_id: string;
    task_title: string;
    project_title: string;
    client_name: string;
    department: Department;
    person_id: string | null;
    due_at: Date;
    delivered_at: Date;
    late: boolean;
    total: number;
  }>(sql`
    SELECT f.task_id, f.project_id, coalesce(t.title, f.task_id) AS task_title, p.title AS project_title, p.client_name,
      f.department, f.person_id, f.ref_at AS due_at, f.at AS delivered_at, ${LATE_DELIVERY} AS late, count(*) OVER ()::int AS total
    FROM ${s}.facts f
      JOIN ${s}.projects p ON p.project_id = f.project_id
      -- LEFT: a delivery counts in the figures whether or not its task's row is there to name it.
      LEFT JOIN ${s}.tasks t ON t.task_id = f.task_id
    WHERE f.kind = 'first_delivery' AND f.at >= ${q.from} AND f.at < ${q.to}
      AND ${projectScope(q)} AND ${departmentIs(q.department, sql`f.department`)} AND ${lateOrNot}
    -- Most late first: leadership opens the list to see which work was late and by how much, and
    -- when the list is cut at its cap, what is left out is what was least late (or most on time).
    ORDER BY f.at - f.ref_at DESC, f.at, f.task_id
    LIMIT ${q.limit}`);
  return {
    total: rows[0]?.total ?? 0,
    limit: q.limit,
    items: rows.map((r) => {
      const dueAt = new Date(r.due_at);
      const deliveredAt = new Date(r.delivered_at);
      return {
        taskId: r.task_id,
        projectId: r.project_id,
        taskTitle: r.task_title,
        projectTitle: r.project_title,
        clientName: r.client_name,
        department: r.department,
        ...(r.person_id !== null && { deliveredBy: r.person_id }),
        dueAt: dueAt.toISOString(),
        deliveredAt: deliveredAt.toISOString(),
        late: r.late,
        lateByHours: r.late ? Math.round(((deliveredAt.getTime() - dueAt.getTime()) / HOUR_MS) * 100) / 100 : 0,
        href: `/api/tasks/${r.task_id}`,
      };
    }),
  };
}
