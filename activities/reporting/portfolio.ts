/**
 * The portfolio report (GET /api/reports/portfolio) in one SQL statement on the store: where every
 * project stands, what is late and where, plans waiting for a decision, open complaints, unpaid
 * invoices past due, refunds the agency owes (and of both, how many are past due). The same answers the visibility counts gave, from snapshot columns kept for
 * this, so it costs one round trip whatever the number of projects.
 *
 * "Running" is a project whose workflow has not ended (not completed, not cancelled with nothing
 * left to collect). A cancelled project still running has money to settle: its bill still to be
 * paid, or a refund the agency owes (the portal's "Cancelled, money to settle"). Overdue is
 * computed at read time: work not yet delivered (open or claimed) past its due date.
 *
 * Asked with the portfolio's search or its Client or Segment choice, every count is of the projects
 * the project list finds by them (the store's one rule, `found`), so the tiles above the cards
 * count the cards found, not the agency's.
 */
import { PROJECT_STAGES } from '../../workflows/project/schemas';
import { DEPARTMENTS } from '../../workflows/shared-schemas';
import type { PortfolioReport, PortfolioSet } from '../../api/schemas';
import { sql, type Database, type Sql } from './sql';

/** How many projects each list in the report shows (the counts are exact). */
const LIST_LIMIT = 50;

interface Ref {
  project_id: string;
  title: string;
  manager_id: string;
  client_name: string;
  since: string | null;
}

const ref = (r: Ref) => ({
  projectId: r.project_id,
  title: r.title,
  managerId: r.manager_id,
  clientName: r.client_name,
  href: `/api/projects/${r.project_id}`,
});

/**
 * The rule of each of the portfolio's sets (a tile's count, and the project list's `only`), over
 * the store's `projects p` at `now`: one rule for both, so a tile and the list it leads to agree.
 */
export function portfolioSet(set: PortfolioSet, now: Date): Sql {
  const running = sql`NOT p.closed`;
  switch (set) {
    case 'overdue':
      return sql`${running} AND p.pending_due_at < ${now}`;
    case 'settle':
      // Cancelled, its workflow still waiting for money either way (`closed` is false until both are settled).
      return sql`${running} AND p.stage = 'cancelled'`;
    case 'complaints':
      return sql`${running} AND p.has_open_complaint`;
    case 'payments':
      return sql`${running} AND p.payment_due_at < ${now}`;
    case 'refunds':
      // Credit notes not yet paid out nor set against an unpaid invoice: money the agency owes.
      return sql`${running} AND p.refund_due_at IS NOT NULL`;
  }
}

/**
 * What the report counts: a manager's projects or everyone's, and of those, when `found` is given,
 * only the projects the portfolio's search and filters find (`where`, over `projects p`, by the
 * project list's own rule) — their tasks too. `scope` says so in the report.
 */
interface PortfolioScope {
  managerId?: string;
  found?: { where: Sql; scope: Omit<PortfolioReport['scope'], 'managerId'> };
  now: Date;
}

/** The report as the store can make it: whose work is held by people gone needs the people directory (the API adds it). */
export type StoredPortfolio = Omit<PortfolioReport, 'workOfPeopleGone'>;

export async function portfolioReport(db: Database, s: Sql, options: PortfolioScope): Promise<StoredPortfolio> {
  const { now, found } = options;
  const ofManager = options.managerId === undefined ? sql`TRUE` : sql`p.manager_id = ${options.managerId}`;
  const mine = found === undefined ? ofManager : sql`${ofManager} AND ${found.where}`;
  const ofManagerTasks = options.managerId === undefined ? sql`TRUE` : sql`t.manager_id = ${options.managerId}`;
  const myTasks =
    found === undefined ? ofManagerTasks : sql`${ofManagerTasks} AND t.project_id IN (SELECT p.project_id FROM ${s}.projects p WHERE ${found.where})`;
  const taskOverdue = sql`(t.status IN ('open', 'claimed') AND t.due_at < ${now})`;
  const list = (where: Sql, since: Sql, order: Sql) => sql`
    (SELECT coalesce(json_agg(x), '[]'::json) FROM (
      SELECT p.project_id, p.title, p.manager_id, p.client_name, to_json(${since}) AS since
      FROM ${s}.projects p WHERE ${mine} AND ${where} ORDER BY ${order} LIMIT ${LIST_LIMIT}) x)`;

  const awaiting = sql`p.stage = 'awaiting_approval'`;
  const toSettle = portfolioSet('settle', now);
  const complaints = portfolioSet('complaints', now);
  const unpaid = portfolioSet('payments', now);
  const refunds = portfolioSet('refunds', now);

  const [row] = await db.rows<{
    by_stage: Record<string, number> | null;
    overdue_projects: number;
    cancelled_to_settle: number;
    overdue_tasks: number;
    by_department: Record<string, { open: number; overdue: number }> | null;
    awaiting_count: number;
    awaiting_items: Ref[];
    complaints_count: number;
    complaints_past_due: number;
    complaints_items: Ref[];
    unpaid_count: number;
    unpaid_items: Ref[];
    refunds_count: number;
    refunds_past_due: number;
    refunds_items: Ref[];
  }>(sql`
    SELECT
      (SELECT json_object_agg(stage, n) FROM (SELECT p.stage, count(*) AS n FROM ${s}.projects p WHERE ${mine} GROUP BY p.stage) x) AS by_stage,
      (SELECT count(*)::int FROM ${s}.projects p WHERE ${mine} AND ${portfolioSet('overdue', now)}) AS overdue_projects,
      (SELECT count(*)::int FROM ${s}.projects p WHERE ${mine} AND ${toSettle}) AS cancelled_to_settle,
      (SELECT count(*)::int FROM ${s}.tasks t WHERE ${myTasks} AND ${taskOverdue}) AS overdue_tasks,
      (SELECT json_object_agg(department, json_build_object('open', open, 'overdue', overdue)) FROM (
        SELECT t.department,
          count(*) FILTER (WHERE t.status IN ('open', 'claimed', 'submitted')) AS open,
          count(*) FILTER (WHERE ${taskOverdue}) AS overdue
        FROM ${s}.tasks t WHERE ${myTasks} AND t.status IN ('waiting', 'open', 'claimed', 'submitted') GROUP BY t.department) x) AS by_department,
      (SELECT count(*)::int FROM ${s}.projects p WHERE ${mine} AND ${awaiting}) AS awaiting_count,
      ${list(awaiting, sql`p.stage_entered_at`, sql`p.stage_entered_at, p.project_id`)} AS awaiting_items,
      (SELECT count(*)::int FROM ${s}.projects p WHERE ${mine} AND ${complaints}) AS complaints_count,
      (SELECT count(*)::int FROM ${s}.projects p WHERE ${mine} AND ${complaints} AND p.complaint_due_at < ${now}) AS complaints_past_due,
      ${list(complaints, sql`p.complaint_due_at`, sql`p.complaint_due_at, p.project_id`)} AS complaints_items,
      (SELECT count(*)::int FROM ${s}.projects p WHERE ${mine} AND ${unpaid}) AS unpaid_count,
      ${list(unpaid, sql`p.payment_due_at`, sql`p.payment_due_at, p.project_id`)} AS unpaid_items,
      (SELECT count(*)::int FROM ${s}.projects p WHERE ${mine} AND ${refunds}) AS refunds_count,
      (SELECT count(*)::int FROM ${s}.projects p WHERE ${mine} AND ${refunds} AND p.refund_due_at < ${now}) AS refunds_past_due,
      ${list(refunds, sql`p.refund_due_at`, sql`p.refund_due_at, p.project_id`)} AS refunds_items`);

  const byStage = Object.fromEntries(PROJECT_STAGES.map((stage) => [stage, Number(row.by_stage?.[stage] ?? 0)])) as PortfolioReport['projects']['byStage'];
  const active = PROJECT_STAGES.filter((st) => st !== 'completed' && st !== 'cancelled').reduce((n, st) => n + byStage[st], 0);
  const since = (r: Ref): number | undefined => (r.since ? Date.parse(r.since) : undefined);

  return {
    generatedAt: now.toISOString(),
    scope: { ...(options.managerId !== undefined && { managerId: options.managerId }), ...found?.scope },
    projects: { byStage, active, overdue: row.overdue_projects, cancelledToSettle: row.cancelled_to_settle },
    tasks: {
      overdue: row.overdue_tasks,
      byDepartment: Object.fromEntries(
        DEPARTMENTS.map((d) => [d, { open: Number(row.by_department?.[d]?.open ?? 0), overdue: Number(row.by_department?.[d]?.overdue ?? 0) }]),
      ) as PortfolioReport['tasks']['byDepartment'],
    },
    plansAwaitingDecision: {
      count: row.awaiting_count,
      items: row.awaiting_items.map((r) => {
        const at = since(r);
        return {
          ...ref(r),
          ...(at !== undefined && { waitingSince: new Date(at).toISOString(), waitingMs: Math.max(0, now.getTime() - at) }),
        };
      }),
    },
    openComplaints: {
      count: row.complaints_count,
      pastDue: row.complaints_past_due,
      items: row.complaints_items.map((r) => {
        const at = since(r);
        return { ...ref(r), ...(at !== undefined && { complaintDueAt: new Date(at).toISOString() }) };
      }),
    },
    unpaidInvoicesPastDue: {
      count: row.unpaid_count,
      items: row.unpaid_items.map((r) => {
        const at = since(r);
        return {
          ...ref(r),
          ...(at !== undefined && { paymentDueAt: new Date(at).toISOString(), overdueMs: Math.max(0, now.getTime() - at) }),
        };
      }),
    },
    refundsOwed: {
      count: row.refunds_count,
      pastDue: row.refunds_past_due,
      items: row.refunds_items.map((r) => {
        const at = since(r);
        return { ...ref(r), ...(at !== undefined && { refundDueAt: new Date(at).toISOString() }) };
      }),
    },
  };
}
