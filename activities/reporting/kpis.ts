/**
 * Leadership's KPIs in SQL over the store's facts (and, for workload and regular clients, its
 * current rows). Each section is one query, grouped with GROUPING SETS so the overall figure and
 * its breakdowns come from the same rows. The definitions the API documents (api/schemas.ts,
 * kpiReportSchema) are the ones implemented here; keep the two in step.
 *
 * A fact counts in the period [from, to) by its business time (`at`): when the plan was sent, the
 * work first delivered, the invoice issued, the client paid. Money is never converted: every money
 * figure is per currency.
 */
import type { KpiReport, SalesTarget } from '../../api/schemas';
import { DEPARTMENTS, type Department, type Segment } from '../../workflows/shared-schemas';
import { minorDigits } from '../../workflows/money';
import { OVERPAYMENT_CREDIT_NOTE } from './facts';
import { join, sql, type Database, type Sql } from './sql';

export interface KpiQuery {
  from: Date;
  to: Date;
  managerId?: string;
  segment?: Segment;
  department?: Department;
  /** WORKLOAD_OVERLOAD_HOURS. */
  overloadHours: number;
  now: Date;
  /**
   * The staff of the departments in scope (from the people directory): each is in the workload
   * per person, at 0 h when they have no work in hand, so "who has room" can be read off.
   */
  staff?: { personId: string; department: Department }[];
  /**
   * Where the weekly series cuts its weeks: Monday 00:00 in this IANA time zone (a reader's own,
   * summer time included), else at `weekOffsetMinutes`.
   */
  weekTimeZone?: string;
  /**
   * Monday 00:00 at this UTC offset, in minutes (the offset the period was asked in), when no
   * time zone is given. Default 0: UTC.
   */
  weekOffsetMinutes?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const OVERDUE_LIST_LIMIT = 50;

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
/** An amount rounded to its currency's minor unit (EUR 2 decimals, JPY 0, KWD 3). */
export const money = (n: unknown, currency: string): number => round(Number(n ?? 0), minorDigits(currency));
const maybe = (n: unknown, digits: number, scale = 1): number | null =>
  n === null || n === undefined ? null : round(Number(n) / scale, digits);
const ratio = (a: number, b: number, digits = 4): number | null => (b === 0 ? null : round(a / b, digits));
/** Hours as every KPI figure and drill-down gives them: two decimals (a SQL sum may come as text). */
export const inHours = (n: unknown): number => round(Number(n ?? 0), 2);
/** A length of time in milliseconds, in hours as the figures give them. */
export const hoursOfMs = (ms: number): number => inHours(ms / HOUR_MS);
/**
 * Overloaded: more hours in work (claimed, not delivered; rounded as the figures are) than the
 * threshold (`WORKLOAD_OVERLOAD_HOURS`). The report's `overloaded` and the digest's names use it.
 */
export const overloaded = (hoursInWork: number, thresholdHours: number): boolean => hoursInWork > thresholdHours;
const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();

/** Where weeks are cut: Monday 00:00 in a time zone, else at a fixed UTC offset in minutes. */
export interface WeekCut {
  timeZone?: string;
  offsetMinutes?: number;
}

/** Monday 00:00 of the week holding `d`, where `cut` says (UTC by default). */
export function weekStart(d: Date, cut: WeekCut = {}): Date {
  const offsetAt = (ms: number) => (cut.timeZone !== undefined ? zoneOffsetMs(cut.timeZone, ms) : (cut.offsetMinutes ?? 0) * 60_000);
  const there = new Date(d.getTime() + offsetAt(d.getTime()));
  const day = Date.UTC(there.getUTCFullYear(), there.getUTCMonth(), there.getUTCDate());
  const monday = day - ((there.getUTCDay() + 6) % 7) * DAY_MS;
  // Monday's wall-clock midnight as an instant: the offset read near it, then at it (summer time
  // may have started or ended in between).
  const near = monday - offsetAt(monday);
  return new Date(monday - offsetAt(near));
}

/** The Mondays 00:00 that cut [from, to) into weeks: the first at or before `from`. */
export function weeksOf(from: Date, to: Date, cut: WeekCut = {}): Date[] {
  const weeks: Date[] = [];
  // Eight days after a Monday 00:00 is always in the next week, whatever summer time did.
  for (let w = weekStart(from, cut); w < to; w = weekStart(new Date(w.getTime() + 8 * DAY_MS), cut)) weeks.push(w);
  return weeks;
}

const zoneClocks = new Map<string, Intl.DateTimeFormat>();
/** How far a time zone's wall clock is ahead of UTC at an instant, in ms. */
function zoneOffsetMs(timeZone: string, ms: number): number {
  let clock = zoneClocks.get(timeZone);
  if (clock === undefined) {
    const fields = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' } as const;
    clock = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', ...fields });
    zoneClocks.set(timeZone, clock);
  }
  const part = Object.fromEntries(clock.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

const sortBy = <T>(items: T[], key: (t: T) => string): T[] => [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const byDepartmentOrder = <T extends { department: string }>(items: T[]): T[] =>
  [...items].sort((a, b) => DEPARTMENTS.indexOf(a.department as Department) - DEPARTMENTS.indexOf(b.department as Department));

/**
 * The projects a report covers (`p`, the store's projects): one manager's, one segment's, or all;
 * a list behind a client's figures (money.ts), that client's of them.
 */
export function projectScope(q: Pick<KpiQuery, 'managerId' | 'segment'> & { clientId?: string }): Sql {
  return join(
    [
      sql`TRUE`,
      ...(q.managerId !== undefined ? [sql`p.manager_id = ${q.managerId}`] : []),
      ...(q.segment !== undefined ? [sql`p.segment = ${q.segment}`] : []),
      ...(q.clientId !== undefined ? [sql`p.client_id = ${q.clientId}`] : []),
    ],
    ' AND ',
  );
}

/** The task figures' department filter on `column`: TRUE without one. */
export const departmentIs = (department: Department | undefined, column: Sql): Sql => (department !== undefined ? sql`${column} = ${department}` : sql`TRUE`);

/**
 * A first delivery (`f`, a `first_delivery` fact) is late when it came after the task's original
 * due date (`ref_at`), on time at it or before. The delivery figures, the weekly series and the list
 * of deliveries behind them (deliveries.ts) all count with these two, so the list matches the figures.
 */
export const LATE_DELIVERY = sql`f.at > f.ref_at`;
export const ON_TIME_DELIVERY = sql`f.at <= f.ref_at`;

/**
 * Work in hand (`t`, a row of the store's tasks): open in a department's queue, nobody has claimed
 * it, or claimed and not yet delivered (in work); overdue once its due date (as moved) has passed.
 * The workload figures and the list of tasks behind them (workload.ts) count with these, so the
 * list matches the figures.
 */
export const OPEN_TASK = sql`t.status = 'open'`;
export const IN_WORK_TASK = sql`t.status = 'claimed'`;
export const WORK_IN_HAND = sql`t.status IN ('open', 'claimed')`;
export const overdueTask = (now: Date): Sql => sql`t.due_at < ${now}`;

/**
 * Client feedback (`f`, a fact): a rating is a `client_accepted` fact with a value (1 to 5; an
 * acceptance without one is no rating); a complaint counts as filed by its `complaint` fact, as
 * resolved by its `complaint_resolved` fact (both carry the complaint as `ref`), and is open while
 * no resolution exists at all. The client figures and the list of feedback behind them
 * (feedback.ts) count with these, so the list matches the figures.
 */
export const RATING_GIVEN = sql`f.kind = 'client_accepted' AND f.value IS NOT NULL`;
export const COMPLAINT_FILED = sql`f.kind = 'complaint'`;
export const COMPLAINT_RESOLVED = sql`f.kind = 'complaint_resolved'`;
export const complaintStillOpen = (s: Sql): Sql => sql`NOT EXISTS (SELECT 1 FROM ${s}.facts r WHERE r.ref = f.ref AND r.kind = 'complaint_resolved')`;

/**
 * Whom the sales plan credits a payment or refund (`f`) to: the manager recorded with the fact (the
 * project's manager when it was entered), not the project's manager now as the money figures count
 * it (`p.manager_id`): money a manager brought in stays theirs after a handover. The sales plan and
 * the list of the payments behind it (money.ts, `salesPlan`) count with this, so the list matches.
 */
export const SALES_PLAN_MANAGER = sql`f.manager_id`;

/** Which sales targets: one manager's, one period's, those overlapping [from, to). */
export interface SalesTargetFilter {
  managerId?: string;
  period?: string;
  from?: Date;
  to?: Date;
}

/**
 * The sales targets `filter` asks for, the earliest first, each with what it has brought in: the
 * payments less refunds credited to its manager (SALES_PLAN_MANAGER) in its currency over its whole
 * period, and that against the target. The KPI report's sales plan and the list of targets both come
 * from here, so the two cannot count differently.
 */
export async function salesTargets(db: Database, s: Sql, filter: SalesTargetFilter): Promise<SalesTarget[]> {
  const where: Sql[] = [sql`TRUE`];
  if (filter.managerId !== undefined) where.push(sql`t.manager_id = ${filter.managerId}`);
  if (filter.period !== undefined) where.push(sql`t.period = ${filter.period}`);
  if (filter.from !== undefined) where.push(sql`t.ends_at > ${filter.from}`);
  if (filter.to !== undefined) where.push(sql`t.starts_at < ${filter.to}`);
  const rows = await db.rows<{
    manager_id: string;
    period: string;
    starts_at: Date;
    ends_at: Date;
    currency: string;
    amount: number;
    set_by: string;
    set_at: Date;
    paid: number;
  }>(sql`
    SELECT t.*,
      coalesce((SELECT sum(CASE WHEN f.kind = 'payment' THEN f.amount ELSE -f.amount END) FROM ${s}.facts f
        WHERE ${PAID_FLOW} AND ${SALES_PLAN_MANAGER} = t.manager_id AND f.currency = t.currency
          AND f.at >= t.starts_at AND f.at < t.ends_at), 0) AS paid
    FROM ${s}.sales_targets t
    WHERE ${join(where, ' AND ')}
    ORDER BY t.starts_at, t.manager_id`);
  return rows.map((r) => ({
    managerId: r.manager_id,
    period: r.period,
    from: iso(r.starts_at),
    to: iso(r.ends_at),
    currency: r.currency,
    amount: Number(r.amount),
    setBy: r.set_by,
    setAt: iso(r.set_at),
    paid: money(r.paid, r.currency),
    fulfilment: round(Number(r.paid) / Number(r.amount), 4),
  }));
}

export async function kpiReport(db: Database, s: Sql, q: KpiQuery): Promise<KpiReport> {
  const { from, to, now } = q;
  const periodMs = to.getTime() - from.getTime();
  const previousFrom = new Date(from.getTime() - periodMs);
  /** Outstanding money and overdue receivables are measured here. */
  const balanceAt = new Date(Math.min(to.getTime(), now.getTime()));

  const scope = projectScope(q);
  const dept = (column: Sql): Sql => departmentIs(q.department, column);
  const inPeriod = (column: Sql): Sql => sql`${column} >= ${from} AND ${column} < ${to}`;
  const facts = sql`${s}.facts f JOIN ${s}.projects p ON p.project_id = f.project_id`;
  // The weeks are cut here, once, and the queries only sort times into them: a time zone's summer
  // time then moves its Mondays the same way for every figure.
  const weeks = weeksOf(from, to, { timeZone: q.weekTimeZone, offsetMinutes: q.weekOffsetMinutes });
  const weekStarts = join(weeks.map((w) => sql`${w}`), ', ');
  /** The week a time falls in: its number in `weeks`, from 1 (the period's times are all in one). */
  const weekOf = (column: Sql): Sql => sql`width_bucket(${column}, ARRAY[${weekStarts}])`;

  const [
    asOfRows,
    responseRows,
    awaitingRows,
    deliveryRows,
    reviewRows,
    revisionRows,
    acceptedRows,
    flowRows,
    balanceRows,
    overdueItems,
    settledRows,
    ratingRows,
    complaintRows,
    regularRows,
    regularByManagerRows,
    spendRows,
    volumeRows,
    targets,
    workloadRows,
    seriesRows,
    seriesMoneyRows,
    seriesOpenedRows,
  ] = await Promise.all([
    db.rows<{ as_of: Date | null }>(
      sql`SELECT GREATEST((SELECT max(published_at) FROM ${s}.projects), (SELECT max(published_at) FROM ${s}.tasks)) AS as_of`,
    ),

    // -- response time ------------------------------------------------------------------------
    db.rows<{ manager_id: string; segment: Segment; gm: number; gs: number; n: number; median: number | null; p90: number | null; average: number | null }>(sql`
      SELECT p.manager_id, p.segment, GROUPING(p.manager_id) AS gm, GROUPING(p.segment) AS gs, count(*)::int AS n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY f.value) AS median,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY f.value) AS p90,
        avg(f.value) AS average
      FROM ${facts}
      WHERE f.kind = 'first_plan' AND ${inPeriod(sql`f.at`)} AND ${scope}
      GROUP BY GROUPING SETS ((), (p.manager_id), (p.segment), (p.manager_id, p.segment))`),
    db.rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM ${s}.projects p
      WHERE ${inPeriod(sql`p.intake_at`)} AND ${scope} AND p.stage <> 'cancelled'
        AND NOT EXISTS (SELECT 1 FROM ${s}.facts f WHERE f.fact_id = 'first-plan:' || p.project_id)`),

    // -- delivery -----------------------------------------------------------------------------
    db.rows<{ department: string; person_id: string | null; gd: number; gp: number; dept: string; delivered: number; on_time: number; late: number; days_late: number | null }>(sql`
      SELECT f.department, f.person_id, GROUPING(f.department) AS gd, GROUPING(f.person_id) AS gp, max(f.department) AS dept,
        count(*)::int AS delivered,
        count(*) FILTER (WHERE ${ON_TIME_DELIVERY})::int AS on_time,
        count(*) FILTER (WHERE ${LATE_DELIVERY})::int AS late,
        avg(EXTRACT(EPOCH FROM (f.at - f.ref_at)) / 86400) FILTER (WHERE ${LATE_DELIVERY}) AS days_late
      FROM ${facts}
      WHERE f.kind = 'first_delivery' AND ${inPeriod(sql`f.at`)} AND ${scope} AND ${dept(sql`f.department`)}
      GROUP BY GROUPING SETS ((), (f.department), (f.person_id))`),

    // -- quality ------------------------------------------------------------------------------
    db.rows<{ department: string; gd: number; accepted: number; rounds: number; reworked: number }>(sql`
      SELECT f.department, GROUPING(f.department) AS gd, count(*)::int AS accepted,
        coalesce(sum(f.value), 0)::int AS rounds, count(*) FILTER (WHERE f.value > 0)::int AS reworked
      FROM ${facts}
      WHERE f.kind = 'task_accepted' AND ${inPeriod(sql`f.at`)} AND ${scope} AND ${dept(sql`f.department`)}
      GROUP BY GROUPING SETS ((), (f.department))`),
    db.rows<{ currency: string; rounds: number; beyond: number; extra: number }>(sql`
      SELECT f.currency, count(*)::int AS rounds, count(*) FILTER (WHERE f.value = 1)::int AS beyond,
        coalesce(sum(f.amount) FILTER (WHERE f.value = 1), 0) AS extra
      FROM ${facts}
      WHERE f.kind = 'revision_round' AND ${inPeriod(sql`f.at`)} AND ${scope}
      GROUP BY f.currency ORDER BY f.currency`),
    db.rows<{ projects: number; used: number; included: number }>(sql`
      SELECT count(*)::int AS projects, coalesce(sum(x.used), 0)::int AS used, coalesce(sum(x.included), 0)::int AS included
      FROM (
        SELECT f.project_id,
          (SELECT count(*) FROM ${s}.facts r WHERE r.project_id = f.project_id AND r.kind = 'revision_round') AS used,
          (SELECT max(a.value) FROM ${s}.facts a WHERE a.project_id = f.project_id AND a.kind = 'plan_approved') AS included
        FROM ${facts}
        WHERE f.kind IN ('client_accepted', 'deemed_accepted') AND ${inPeriod(sql`f.at`)} AND ${scope}
      ) x`),

    // -- money --------------------------------------------------------------------------------
    db.rows<MoneyGroupRow & FlowSums & { planned: number }>(sql`
      SELECT f.currency, p.manager_id, p.client_id, p.segment, max(p.client_name) AS client_name,
        GROUPING(p.manager_id) AS gm, GROUPING(p.client_id) AS gc, GROUPING(p.segment) AS gs,
        coalesce(sum(f.amount) FILTER (WHERE f.kind = 'plan_approved'), 0) AS planned,
        ${FLOW_SUMS}
      FROM ${facts}
      WHERE (f.kind = 'plan_approved' OR ${FLOW_KINDS}) AND ${inPeriod(sql`f.at`)} AND ${scope}
      GROUP BY GROUPING SETS ((f.currency), (f.currency, p.manager_id), (f.currency, p.client_id), (f.currency, p.segment))`),
    db.rows<MoneyGroupRow & { outstanding: number; overdue: number; overdue_invoices: number; refunds_owed: number }>(sql`
      WITH ${balances(s, scope, balanceAt)}
      SELECT currency, manager_id, client_id, segment, max(client_name) AS client_name,
        GROUPING(manager_id) AS gm, GROUPING(client_id) AS gc, GROUPING(segment) AS gs,
        coalesce(sum(outstanding) FILTER (WHERE side = 'invoice' AND outstanding > 0), 0) AS outstanding,
        coalesce(sum(outstanding) FILTER (WHERE side = 'invoice' AND outstanding > 0 AND due_at < ${balanceAt}), 0) AS overdue,
        count(*) FILTER (WHERE side = 'invoice' AND outstanding > 0 AND due_at < ${balanceAt})::int AS overdue_invoices,
        coalesce(sum(outstanding) FILTER (WHERE side = 'credit_note' AND outstanding > 0), 0) AS refunds_owed
      FROM inv
      GROUP BY GROUPING SETS ((currency), (currency, manager_id), (currency, client_id), (currency, segment))`),
    db.rows<{ number: string; project_id: string; manager_id: string; client_id: string; client_name: string; currency: string; outstanding: number; due_at: Date; total: number }>(sql`
      WITH ${balances(s, scope, balanceAt)}
      SELECT number, project_id, manager_id, client_id, client_name, currency, outstanding, due_at, count(*) OVER ()::int AS total
      FROM inv WHERE side = 'invoice' AND outstanding > 0 AND due_at < ${balanceAt}
      ORDER BY due_at, number LIMIT ${OVERDUE_LIST_LIMIT}`),
    db.rows<{ n: number; average: number | null; median: number | null }>(sql`
      SELECT count(*)::int AS n, avg(f.value) AS average, percentile_cont(0.5) WITHIN GROUP (ORDER BY f.value) AS median
      FROM ${facts}
      WHERE f.kind = 'invoice_settled' AND ${inPeriod(sql`f.at`)} AND ${scope} AND ${SETTLEMENT_STANDS(s)}`),

    // -- clients ------------------------------------------------------------------------------
    db.rows<{ manager_id: string; gm: number; n: number; average: number | null; negative: number; r1: number; r2: number; r3: number; r4: number; r5: number }>(sql`
      SELECT p.manager_id, GROUPING(p.manager_id) AS gm, count(*)::int AS n, avg(f.value) AS average,
        count(*) FILTER (WHERE f.value <= 2)::int AS negative,
        count(*) FILTER (WHERE f.value = 1)::int AS r1, count(*) FILTER (WHERE f.value = 2)::int AS r2,
        count(*) FILTER (WHERE f.value = 3)::int AS r3, count(*) FILTER (WHERE f.value = 4)::int AS r4,
        count(*) FILTER (WHERE f.value = 5)::int AS r5
      FROM ${facts}
      WHERE ${RATING_GIVEN} AND ${inPeriod(sql`f.at`)} AND ${scope}
      GROUP BY GROUPING SETS ((), (p.manager_id))`),
    db.rows<{ manager_id: string; gm: number; filed: number; open: number; resolved: number; average: number | null; median: number | null }>(sql`
      SELECT p.manager_id, GROUPING(p.manager_id) AS gm,
        count(*) FILTER (WHERE ${COMPLAINT_FILED})::int AS filed,
        count(*) FILTER (WHERE ${COMPLAINT_FILED} AND ${complaintStillOpen(s)})::int AS open,
        count(*) FILTER (WHERE ${COMPLAINT_RESOLVED})::int AS resolved,
        avg(f.value) FILTER (WHERE ${COMPLAINT_RESOLVED}) AS average,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY f.value) FILTER (WHERE ${COMPLAINT_RESOLVED}) AS median
      FROM ${facts}
      WHERE (${COMPLAINT_FILED} OR ${COMPLAINT_RESOLVED}) AND ${inPeriod(sql`f.at`)} AND ${scope}
      GROUP BY GROUPING SETS ((), (p.manager_id))`),
    db.rows<{ client_id: string; client_name: string; segment: Segment; projects: number; manager_ids: string[] }>(sql`
      SELECT p.client_id, max(p.client_name) AS client_name, max(p.segment) AS segment, count(*)::int AS projects,
        array_agg(DISTINCT p.manager_id ORDER BY p.manager_id) AS manager_ids
      FROM ${s}.projects p
      WHERE ${inPeriod(sql`p.intake_at`)} AND ${scope}
      GROUP BY p.client_id HAVING count(*) >= 2 ORDER BY p.client_id`),
    db.rows<{ manager_id: string; n: number }>(sql`
      SELECT manager_id, count(*)::int AS n FROM (
        SELECT p.manager_id, p.client_id FROM ${s}.projects p
        WHERE ${inPeriod(sql`p.intake_at`)} AND ${scope}
        GROUP BY p.manager_id, p.client_id HAVING count(*) >= 2) x
      GROUP BY manager_id ORDER BY manager_id`),
    // A client's spend is their net invoiced (the money figures' own facts and sums, so it is their
    // `money.byClient` net invoiced, and the money list asked for the client adds up to it), in the
    // period and in the one before it.
    db.rows<FlowSums & { client_id: string; client_name: string; segment: Segment; currency: string; previous: boolean }>(sql`
      SELECT p.client_id, max(p.client_name) AS client_name, max(p.segment) AS segment, f.currency, f.at < ${from} AS previous,
        ${FLOW_SUMS}
      FROM ${facts}
      WHERE ${INVOICED_FLOW} AND f.at >= ${previousFrom} AND f.at < ${to} AND ${scope}
      GROUP BY p.client_id, f.currency, 5 ORDER BY 5`),
    db.rows<{ client_id: string; client_name: string; segment: Segment; currency: string; projects: number; previous: number }>(sql`
      SELECT p.client_id, max(p.client_name) AS client_name, max(p.segment) AS segment, p.currency,
        count(*) FILTER (WHERE p.intake_at >= ${from})::int AS projects,
        count(*) FILTER (WHERE p.intake_at < ${from})::int AS previous
      FROM ${s}.projects p
      WHERE p.intake_at >= ${previousFrom} AND p.intake_at < ${to} AND ${scope}
      GROUP BY p.client_id, p.currency`),

    // -- sales plan ---------------------------------------------------------------------------
    salesTargets(db, s, { from, to, ...(q.managerId !== undefined && { managerId: q.managerId }) }),

    // -- workload (now) -----------------------------------------------------------------------
    db.rows<{ department: string; assignee_id: string | null; gd: number; ga: number; dept: string; open: number; claimed: number; open_hours: number; claimed_hours: number; overdue: number }>(sql`
      SELECT t.department, t.assignee_id, GROUPING(t.department) AS gd, GROUPING(t.assignee_id) AS ga, max(t.department) AS dept,
        count(*) FILTER (WHERE ${OPEN_TASK})::int AS open,
        count(*) FILTER (WHERE ${IN_WORK_TASK})::int AS claimed,
        coalesce(sum(t.estimate_hours) FILTER (WHERE ${OPEN_TASK}), 0) AS open_hours,
        coalesce(sum(t.estimate_hours) FILTER (WHERE ${IN_WORK_TASK}), 0) AS claimed_hours,
        count(*) FILTER (WHERE ${overdueTask(now)})::int AS overdue
      FROM ${s}.tasks t JOIN ${s}.projects p ON p.project_id = t.project_id
      WHERE ${WORK_IN_HAND} AND ${scope} AND ${dept(sql`t.department`)}
      GROUP BY GROUPING SETS ((), (t.department), (t.assignee_id))`),

    // -- weekly series ------------------------------------------------------------------------
    db.rows<{ week: number; plans: number; median: number | null; delivered: number; on_time: number; late: number; complaints: number; ratings: number; average_rating: number | null }>(sql`
      SELECT ${weekOf(sql`f.at`)} AS week,
        count(*) FILTER (WHERE f.kind = 'first_plan')::int AS plans,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY f.value) FILTER (WHERE f.kind = 'first_plan') AS median,
        count(*) FILTER (WHERE f.kind = 'first_delivery' AND ${dept(sql`f.department`)})::int AS delivered,
        count(*) FILTER (WHERE f.kind = 'first_delivery' AND ${dept(sql`f.department`)} AND ${ON_TIME_DELIVERY})::int AS on_time,
        count(*) FILTER (WHERE f.kind = 'first_delivery' AND ${dept(sql`f.department`)} AND ${LATE_DELIVERY})::int AS late,
        count(*) FILTER (WHERE ${COMPLAINT_FILED})::int AS complaints,
        count(*) FILTER (WHERE ${RATING_GIVEN})::int AS ratings,
        avg(f.value) FILTER (WHERE f.kind = 'client_accepted') AS average_rating
      FROM ${facts}
      WHERE f.kind IN ('first_plan', 'first_delivery', 'complaint', 'client_accepted') AND ${inPeriod(sql`f.at`)} AND ${scope}
      GROUP BY 1`),
    // The same flows, facts and filters as the money totals above, per week: the weeks add up to them.
    db.rows<FlowSums & { week: number; currency: string }>(sql`
      SELECT ${weekOf(sql`f.at`)} AS week, f.currency,
        ${FLOW_SUMS}
      FROM ${facts}
      WHERE ${FLOW_KINDS} AND ${inPeriod(sql`f.at`)} AND ${scope}
      GROUP BY 1, 2 ORDER BY 2`),
    db.rows<{ week: number; n: number }>(sql`
      SELECT ${weekOf(sql`p.intake_at`)} AS week, count(*)::int AS n
      FROM ${s}.projects p WHERE ${inPeriod(sql`p.intake_at`)} AND ${scope} GROUP BY 1`),
  ]);

  // -- response time ------------------------------------------------------------------------
  const responseStats = (r?: { n: number; median: number | null; p90: number | null; average: number | null }) => ({
    projects: r?.n ?? 0,
    medianHours: maybe(r?.median, 2, HOUR_MS),
    p90Hours: maybe(r?.p90, 2, HOUR_MS),
    averageHours: maybe(r?.average, 2, HOUR_MS),
  });
  const responseOverall = responseRows.find((r) => r.gm === 1 && r.gs === 1);

  // -- delivery -----------------------------------------------------------------------------
  const deliveryStats = (r?: { delivered: number; on_time: number; late: number; days_late: number | null }) => ({
    delivered: r?.delivered ?? 0,
    onTime: r?.on_time ?? 0,
    late: r?.late ?? 0,
    onTimeRate: ratio(r?.on_time ?? 0, r?.delivered ?? 0),
    averageDaysLate: maybe(r?.days_late, 2),
  });

  const reviewStats = (r?: { accepted: number; rounds: number; reworked: number }) => ({
    accepted: r?.accepted ?? 0,
    reviewRounds: r?.rounds ?? 0,
    roundsPerTask: ratio(r?.rounds ?? 0, r?.accepted ?? 0, 2),
    reworked: r?.reworked ?? 0,
    reworkRate: ratio(r?.reworked ?? 0, r?.accepted ?? 0),
  });

  // -- money --------------------------------------------------------------------------------
  const moneyRows = mergeMoney(flowRows, balanceRows);
  const pick = (g: 'total' | 'manager' | 'client' | 'segment') => moneyRows.filter((r) => r.group === g);
  const overdueByCurrency = pick('total')
    .filter((r) => r.overdue > 0)
    .map((r) => ({ currency: r.currency, amount: r.overdue, invoices: r.overdueInvoices }));

  // -- clients ------------------------------------------------------------------------------
  const ratingStats = (r?: { n: number; average: number | null; negative: number; r1: number; r2: number; r3: number; r4: number; r5: number }) => ({
    count: r?.n ?? 0,
    average: maybe(r?.average, 2),
    negative: r?.negative ?? 0,
    distribution: { '1': r?.r1 ?? 0, '2': r?.r2 ?? 0, '3': r?.r3 ?? 0, '4': r?.r4 ?? 0, '5': r?.r5 ?? 0 },
  });
  const complaintStats = (r?: { filed: number; open: number; resolved: number; average: number | null; median: number | null }) => ({
    filed: r?.filed ?? 0,
    open: r?.open ?? 0,
    resolved: r?.resolved ?? 0,
    averageHoursToResolve: maybe(r?.average, 2, HOUR_MS),
    medianHoursToResolve: maybe(r?.median, 2, HOUR_MS),
  });

  const spend = new Map<string, KpiReport['clients']['spend']['byClient'][number]>();
  const spendKey = (client: string, currency: string) => `${client}\u0000${currency}`;
  for (const r of spendRows) {
    const key = spendKey(r.client_id, r.currency);
    const row = spend.get(key) ?? {
      clientId: r.client_id,
      clientName: r.client_name,
      segment: r.segment,
      currency: r.currency,
      spend: 0,
      previousSpend: 0,
      growth: null,
      projects: 0,
      previousProjects: 0,
    };
    const { netInvoiced } = moneyFlows(r, r.currency);
    if (r.previous) row.previousSpend = netInvoiced;
    else row.spend = netInvoiced;
    spend.set(key, row);
  }
  for (const r of volumeRows) {
    const key = spendKey(r.client_id, r.currency);
    const row = spend.get(key) ?? {
      clientId: r.client_id,
      clientName: r.client_name,
      segment: r.segment,
      currency: r.currency,
      spend: 0,
      previousSpend: 0,
      growth: null,
      projects: 0,
      previousProjects: 0,
    };
    row.projects += r.projects;
    row.previousProjects += r.previous;
    spend.set(key, row);
  }
  const spendByClient = sortBy([...spend.values()], (r) => `${r.clientId}\u0000${r.currency}`).map((r) => ({
    ...r,
    growth: spendGrowth(r.spend, r.previousSpend),
  }));
  const spendTotals = new Map<string, { currency: string; spend: number; previousSpend: number; growth: number | null }>();
  for (const r of spendByClient) {
    const t = spendTotals.get(r.currency) ?? { currency: r.currency, spend: 0, previousSpend: 0, growth: null };
    t.spend = money(t.spend + r.spend, r.currency);
    t.previousSpend = money(t.previousSpend + r.previousSpend, r.currency);
    spendTotals.set(r.currency, t);
  }

  // -- workload -----------------------------------------------------------------------------
  const workloadStats = (r?: { open: number; claimed: number; open_hours: number; claimed_hours: number; overdue: number }) => ({
    open: r?.open ?? 0,
    claimed: r?.claimed ?? 0,
    openHours: round(Number(r?.open_hours ?? 0), 2),
    claimedHours: round(Number(r?.claimed_hours ?? 0), 2),
    overdue: r?.overdue ?? 0,
  });
  const withWork = workloadRows
    .filter((r) => r.gd === 1 && r.ga === 0 && r.assignee_id !== null)
    .map((r) => {
      const claimedHours = inHours(r.claimed_hours);
      return {
        personId: r.assignee_id!,
        department: r.dept as Department,
        claimed: r.claimed,
        claimedHours,
        overdue: r.overdue,
        overloaded: overloaded(claimedHours, q.overloadHours),
      };
    });
  // Staff with nothing in hand are listed too, at 0 h: they are the ones with room.
  const idle = (q.staff ?? [])
    .filter((p) => !withWork.some((w) => w.personId === p.personId))
    .map((p) => ({ personId: p.personId, department: p.department, claimed: 0, claimedHours: 0, overdue: 0, overloaded: false }));
  const byPerson = sortBy([...withWork, ...idle], (r) => r.personId);

  // -- series -------------------------------------------------------------------------------
  const seriesByWeek = new Map(seriesRows.map((r) => [r.week, r]));
  const openedByWeek = new Map(seriesOpenedRows.map((r) => [r.week, r.n]));

  return {
    generatedAt: now.toISOString(),
    asOf: asOfRows[0]?.as_of ? iso(asOfRows[0].as_of) : null,
    scope: {
      from: from.toISOString(),
      to: to.toISOString(),
      ...(q.managerId !== undefined && { managerId: q.managerId }),
      ...(q.segment !== undefined && { segment: q.segment }),
      ...(q.department !== undefined && { department: q.department }),
    },
    responseTime: {
      overall: responseStats(responseOverall),
      byManager: sortBy(responseRows.filter((r) => r.gm === 0 && r.gs === 1), (r) => r.manager_id).map((r) => ({
        managerId: r.manager_id,
        ...responseStats(r),
      })),
      bySegment: sortBy(responseRows.filter((r) => r.gm === 1 && r.gs === 0), (r) => r.segment).map((r) => ({
        segment: r.segment,
        ...responseStats(r),
      })),
      byManagerAndSegment: sortBy(responseRows.filter((r) => r.gm === 0 && r.gs === 0), (r) => `${r.manager_id}\u0000${r.segment}`).map((r) => ({
        managerId: r.manager_id,
        segment: r.segment,
        ...responseStats(r),
      })),
      awaitingFirstPlan: awaitingRows[0]?.n ?? 0,
    },
    delivery: {
      overall: deliveryStats(deliveryRows.find((r) => r.gd === 1 && r.gp === 1)),
      byDepartment: byDepartmentOrder(
        deliveryRows.filter((r) => r.gd === 0 && r.gp === 1).map((r) => ({ department: r.department as Department, ...deliveryStats(r) })),
      ),
      byPerson: sortBy(
        deliveryRows.filter((r) => r.gd === 1 && r.gp === 0 && r.person_id !== null),
        (r) => r.person_id!,
      ).map((r) => ({ personId: r.person_id!, department: r.dept as Department, ...deliveryStats(r) })),
    },
    quality: {
      tasks: reviewStats(reviewRows.find((r) => r.gd === 1)),
      byDepartment: byDepartmentOrder(
        reviewRows.filter((r) => r.gd === 0).map((r) => ({ department: r.department as Department, ...reviewStats(r) })),
      ),
      clientRevisions: {
        roundsUsed: revisionRows.reduce((n, r) => n + r.rounds, 0),
        withinIncluded: revisionRows.reduce((n, r) => n + r.rounds - r.beyond, 0),
        beyondIncluded: revisionRows.reduce((n, r) => n + r.beyond, 0),
        extraRevenue: revisionRows.filter((r) => money(r.extra, r.currency) > 0).map((r) => ({ currency: r.currency, amount: money(r.extra, r.currency) })),
        acceptedProjects: acceptedRows[0]?.projects ?? 0,
        acceptedProjectsRoundsUsed: acceptedRows[0]?.used ?? 0,
        acceptedProjectsRoundsIncluded: acceptedRows[0]?.included ?? 0,
      },
    },
    money: {
      outstandingAsOf: balanceAt.toISOString(),
      totals: pick('total').map((r) => ({ currency: r.currency, ...moneyFigures(r) })),
      byManager: pick('manager').map((r) => ({ managerId: r.managerId!, currency: r.currency, ...moneyFigures(r) })),
      byClient: pick('client').map((r) => ({ clientId: r.clientId!, clientName: r.clientName ?? r.clientId!, currency: r.currency, ...moneyFigures(r) })),
      bySegment: pick('segment').map((r) => ({ segment: r.segment as Segment, currency: r.currency, ...moneyFigures(r) })),
      daysToPayment: {
        invoices: settledRows[0]?.n ?? 0,
        averageDays: maybe(settledRows[0]?.average, 2),
        medianDays: maybe(settledRows[0]?.median, 2),
      },
      overdueReceivables: {
        invoices: overdueItems[0]?.total ?? 0,
        byCurrency: overdueByCurrency,
        items: overdueItems.map((r) => ({
          invoiceNumber: r.number,
          projectId: r.project_id,
          managerId: r.manager_id,
          clientId: r.client_id,
          clientName: r.client_name,
          currency: r.currency,
          outstanding: money(r.outstanding, r.currency),
          dueAt: iso(r.due_at),
          daysOverdue: round((balanceAt.getTime() - new Date(r.due_at).getTime()) / DAY_MS, 2),
        })),
      },
    },
    clients: {
      ratings: ratingStats(ratingRows.find((r) => r.gm === 1)),
      ratingsByManager: sortBy(ratingRows.filter((r) => r.gm === 0), (r) => r.manager_id).map((r) => ({ managerId: r.manager_id, ...ratingStats(r) })),
      complaints: complaintStats(complaintRows.find((r) => r.gm === 1)),
      complaintsByManager: sortBy(complaintRows.filter((r) => r.gm === 0), (r) => r.manager_id).map((r) => ({
        managerId: r.manager_id,
        ...complaintStats(r),
      })),
      regularClients: {
        count: regularRows.length,
        items: regularRows.map((r) => ({
          clientId: r.client_id,
          clientName: r.client_name,
          segment: r.segment,
          projects: r.projects,
          managerIds: r.manager_ids,
        })),
      },
      regularClientsByManager: regularByManagerRows.map((r) => ({ managerId: r.manager_id, count: r.n })),
      spend: {
        previousFrom: previousFrom.toISOString(),
        previousTo: from.toISOString(),
        totals: sortBy([...spendTotals.values()], (t) => t.currency).map((t) => ({
          ...t,
          growth: spendGrowth(t.spend, t.previousSpend),
        })),
        byClient: spendByClient,
      },
    },
    salesPlan: targets.map((t) => ({
      managerId: t.managerId,
      period: t.period,
      from: t.from,
      to: t.to,
      currency: t.currency,
      target: money(t.amount, t.currency),
      paid: t.paid,
      fulfilment: t.fulfilment,
    })),
    workload: {
      asOf: now.toISOString(),
      thresholdHours: q.overloadHours,
      totals: workloadStats(workloadRows.find((r) => r.gd === 1 && r.ga === 1)),
      byDepartment: byDepartmentOrder(
        workloadRows.filter((r) => r.gd === 0 && r.ga === 1).map((r) => ({ department: r.department as Department, ...workloadStats(r) })),
      ),
      byPerson,
      overloaded: byPerson.filter((p) => p.overloaded).map((p) => p.personId),
    },
    series: weeks.map((w, i) => {
      const week = i + 1;
      const r = seriesByWeek.get(week);
      return {
        weekStart: w.toISOString(),
        projectsOpened: openedByWeek.get(week) ?? 0,
        plansSent: r?.plans ?? 0,
        medianResponseHours: maybe(r?.median, 2, HOUR_MS),
        delivered: r?.delivered ?? 0,
        onTime: r?.on_time ?? 0,
        late: r?.late ?? 0,
        complaints: r?.complaints ?? 0,
        ratings: r?.ratings ?? 0,
        averageRating: maybe(r?.average_rating, 2),
        money: seriesMoneyRows
          .filter((m) => m.week === week)
          .map((m) => ({ currency: m.currency, ...moneyFlows(m, m.currency) })),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Money: flows and balances merged per (grouping, currency)
// ---------------------------------------------------------------------------------------------

/**
 * An invoice's settlement (`f`) still stands when no payment was taken back after it: its round
 * (facts.ts: 1, or the suffix of `invoice-settled:<number>:<round>`) is one more than the payments
 * taken back from the invoice so far (each a `payment-reversed:<number>:…` entry of the ledger).
 * Reopened and not paid again, an invoice has no settlement that stands.
 */
const SETTLEMENT_STANDS = (s: Sql): Sql => sql`coalesce(nullif(split_part(f.fact_id, ':', 3), ''), '1')::int = 1 + (
  SELECT count(*) FROM ${s}.facts x
  WHERE x.project_id = f.project_id AND x.kind = 'payment' AND x.ref = f.ref AND x.fact_id LIKE 'payment-reversed:%')`;

/**
 * A credit note (`f`) that takes money off what was invoiced: a compensation's, a cancellation's
 * settlement. Not one giving back what the client paid beyond an invoice (facts.ts labels it
 * OVERPAYMENT_CREDIT_NOTE): that returns money received beyond the invoice, nothing sold is taken
 * back, so it is not `credited` (its refunds still count as refunds, in `netPaid`).
 */
export const CREDITED = sql`(f.kind = 'credit_note' AND f.label IS DISTINCT FROM ${OVERPAYMENT_CREDIT_NOTE})`;

/**
 * The money facts (`f`) behind the invoiced flows (invoices issued, the voids and credit notes that
 * take money back: CREDITED) and behind the paid flows (payments received, refunds paid out; a
 * payment taken back is a payment fact of its own with a negative amount). The report sums them
 * with FLOW_SUMS, and the list of the money behind its figures (money.ts) lists and sums the same
 * facts; the project list sums them per project over its whole life (store.ts, `invoiced` and `paid`).
 */
export const INVOICED_FLOW = sql`(f.kind IN ('invoice', 'invoice_void') OR ${CREDITED})`;
export const PAID_FLOW = sql`f.kind IN ('payment', 'refund')`;
export const FLOW_KINDS = sql`(${INVOICED_FLOW} OR ${PAID_FLOW})`;
/**
 * The money that moved, as sums of facts: what was invoiced and taken back (voided, credited), what
 * came in and went back out (refunds). One fragment for the period's totals and the weekly series,
 * and the list of the money behind them (money.ts), so none can count different facts.
 */
export const FLOW_SUMS = sql`coalesce(sum(f.amount) FILTER (WHERE f.kind = 'invoice'), 0) AS invoiced,
        coalesce(sum(f.amount) FILTER (WHERE f.kind = 'invoice_void'), 0) AS voided,
        coalesce(sum(f.amount) FILTER (WHERE ${CREDITED}), 0) AS credited,
        coalesce(sum(f.amount) FILTER (WHERE f.kind = 'payment'), 0) AS paid,
        coalesce(sum(f.amount) FILTER (WHERE f.kind = 'refund'), 0) AS refunded`;

export interface FlowSums {
  invoiced: number;
  voided: number;
  credited: number;
  paid: number;
  refunded: number;
}

/**
 * Spend's growth against the previous period, taken only from a previous spend above 0: from
 * nothing there is none to take, and from a net credit (more credited than invoiced) its sign
 * would mislead: −100 then +50 would read −150%.
 */
function spendGrowth(spend: number, previousSpend: number): number | null {
  return previousSpend > 0 ? round((spend - previousSpend) / previousSpend, 4) : null;
}

/** The gross flows and their nets (api/schemas.ts, moneyFlowShape), for a period or a week alike. */
export function moneyFlows(r: FlowSums, currency: string) {
  const invoiced = money(r.invoiced, currency);
  const voided = money(r.voided, currency);
  const credited = money(r.credited, currency);
  const paid = money(r.paid, currency);
  const refunded = money(r.refunded, currency);
  return {
    invoiced,
    voided,
    credited,
    netInvoiced: money(invoiced - voided - credited, currency),
    paid,
    refunded,
    netPaid: money(paid - refunded, currency),
  };
}

interface MoneyGroupRow {
  currency: string;
  manager_id: string | null;
  client_id: string | null;
  segment: string | null;
  client_name: string | null;
  gm: number;
  gc: number;
  gs: number;
}

interface MergedMoney {
  group: 'total' | 'manager' | 'client' | 'segment';
  currency: string;
  managerId?: string;
  clientId?: string;
  clientName?: string;
  segment?: string;
  planned: number;
  invoiced: number;
  voided: number;
  credited: number;
  paid: number;
  refunded: number;
  outstanding: number;
  overdue: number;
  overdueInvoices: number;
  refundsOwed: number;
}

/**
 * Each invoice and credit note issued by `at`, with what was still owed on it then (payments —
 * refunds paid out, on a credit note —, voids and set-offs up to `at`): `side` says who owes it,
 * `invoice` the client, `credit_note` the agency.
 */
export function balances(s: Sql, scope: Sql, at: Date): Sql {
  return sql`inv AS (
    SELECT f.ref AS number, f.kind AS side, f.project_id, f.currency, f.ref_at AS due_at, p.manager_id, p.client_id, p.client_name, p.segment,
      f.amount
        - coalesce((SELECT sum(x.amount) FROM ${s}.facts x
            WHERE x.ref = f.ref AND x.kind = (CASE WHEN f.kind = 'invoice' THEN 'payment' ELSE 'refund' END) AND x.at < ${at}), 0)
        - coalesce((SELECT sum(x.amount) FROM ${s}.facts x WHERE x.ref = f.ref AND x.kind IN ('invoice_void', 'set_off') AND x.at < ${at}), 0)
        AS outstanding
    FROM ${s}.facts f JOIN ${s}.projects p ON p.project_id = f.project_id
    WHERE f.kind IN ('invoice', 'credit_note') AND f.at < ${at} AND ${scope})`;
}

function groupOf(r: MoneyGroupRow): MergedMoney['group'] {
  if (r.gm === 0) return 'manager';
  if (r.gc === 0) return 'client';
  if (r.gs === 0) return 'segment';
  return 'total';
}

function mergeMoney(
  flows: (MoneyGroupRow & FlowSums & { planned: number })[],
  balances: (MoneyGroupRow & { outstanding: number; overdue: number; overdue_invoices: number; refunds_owed: number })[],
): MergedMoney[] {
  const merged = new Map<string, MergedMoney>();
  const key = (r: MoneyGroupRow) => [groupOf(r), r.currency, r.manager_id ?? '', r.client_id ?? '', r.segment ?? ''].join('\u0000');
  const entry = (r: MoneyGroupRow): MergedMoney => {
    const k = key(r);
    let m = merged.get(k);
    if (!m) {
      const group = groupOf(r);
      m = {
        group,
        currency: r.currency,
        ...(group === 'manager' && { managerId: r.manager_id! }),
        ...(group === 'client' && { clientId: r.client_id!, clientName: r.client_name ?? r.client_id! }),
        ...(group === 'segment' && { segment: r.segment! }),
        planned: 0,
        invoiced: 0,
        voided: 0,
        credited: 0,
        paid: 0,
        refunded: 0,
        outstanding: 0,
        overdue: 0,
        overdueInvoices: 0,
        refundsOwed: 0,
      };
      merged.set(k, m);
    }
    return m;
  };
  for (const r of flows) {
    Object.assign(entry(r), {
      planned: money(r.planned, r.currency),
      invoiced: money(r.invoiced, r.currency),
      voided: money(r.voided, r.currency),
      credited: money(r.credited, r.currency),
      paid: money(r.paid, r.currency),
      refunded: money(r.refunded, r.currency),
    });
  }
  for (const r of balances) {
    const m = entry(r);
    m.outstanding = money(r.outstanding, r.currency);
    m.overdue = money(r.overdue, r.currency);
    m.overdueInvoices = r.overdue_invoices;
    m.refundsOwed = money(r.refunds_owed, r.currency);
  }
  const sortKey = (m: MergedMoney) => [m.managerId ?? '', m.clientId ?? '', m.segment ?? '', m.currency].join('\u0000');
  return sortBy([...merged.values()], sortKey);
}

function moneyFigures(m: MergedMoney) {
  return {
    planned: m.planned,
    ...moneyFlows(m, m.currency),
    outstanding: m.outstanding,
    overdue: m.overdue,
    refundsOwed: m.refundsOwed,
  };
}
