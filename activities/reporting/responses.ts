/**
 * The client requests behind the KPI report's response-time figures (B2C managers are judged on
 * how fast the client gets a proposal): one row per request, counted by the rules of kpis.ts, so a
 * list asked with the report's query has as many rows as the figure it was reached from, and the
 * median of its response times is the figure's median:
 *
 * - answered: the `first_plan` facts sent in the span (`responseTime`, and the series' `plansSent`
 *   and `medianResponseHours`): a request counts when its first plan went out;
 * - still waiting: the requests received in the span, not cancelled, with no first plan at all
 *   (`awaitingFirstPlan`);
 * - received: every request received in the span (the series' `projectsOpened`), with its first
 *   plan whenever it was sent.
 */
import type { KpiResponseList } from '../../api/kpi-response-schemas';
import type { Segment } from '../../workflows/shared-schemas';
import { hoursOfMs, projectScope } from './kpis';
import { sql, type Database, type Sql } from './sql';

export interface ResponseListQuery {
  /** The period, or one week of it (`weekWithin`): [from, to). */
  from: Date;
  to: Date;
  managerId?: string;
  segment?: Segment;
  /** First plans sent in the span (true), requests received in it still waiting (false), or every request received in it. */
  answered?: boolean;
  /** Waits without a first plan are measured up to here. */
  now: Date;
  /** At most this many rows; `total` counts them all. */
  limit: number;
}

/** The columns each kind of list gives, from `p` (the project) and `f` (its first plan's fact, or NULLs). */
const REQUEST_COLUMNS = sql`p.project_id, p.title AS project_title, p.client_name, p.segment, p.manager_id,
  p.stage = 'cancelled' AS cancelled, p.intake_at AS received_at, f.at AS first_plan_at, f.value AS response_ms`;

/** The rows a query lists, before they are ordered and cut. */
function requestsListed(s: Sql, q: ResponseListQuery): Sql {
  const scope = projectScope(q);
  if (q.answered === true) {
    // As the response-time figures count: by when the first plan was sent.
    return sql`SELECT ${REQUEST_COLUMNS}
      FROM ${s}.facts f JOIN ${s}.projects p ON p.project_id = f.project_id
      WHERE f.kind = 'first_plan' AND f.at >= ${q.from} AND f.at < ${q.to} AND ${scope}`;
  }
  // As the requests received and `awaitingFirstPlan` count: by when the request came in. A
  // project's first plan is the one fact `first-plan:<project id>`.
  const stillWaiting = q.answered === false ? sql`AND p.stage <> 'cancelled' AND f.fact_id IS NULL` : sql``;
  return sql`SELECT ${REQUEST_COLUMNS}
    FROM ${s}.projects p LEFT JOIN ${s}.facts f ON f.fact_id = 'first-plan:' || p.project_id
    WHERE p.intake_at >= ${q.from} AND p.intake_at < ${q.to} AND ${scope} ${stillWaiting}`;
}

export async function responseList(db: Database, s: Sql, q: ResponseListQuery): Promise<Omit<KpiResponseList, 'scope'>> {
  const rows = await db.rows<{
    project_id: string;
    project_title: string;
    client_name: string;
    segment: Segment;
    manager_id: string;
    cancelled: boolean;
    received_at: Date;
    first_plan_at: Date | null;
    response_ms: number | null;
    total: number;
    median: number | null;
  }>(sql`
    WITH listed AS (${requestsListed(s, q)})
    SELECT l.*, count(*) OVER ()::int AS total,
      -- Over every row, not only those under the limit, as the report takes its median.
      (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY response_ms) FROM listed) AS median
    FROM listed l
    -- Slowest first: what a manager is judged on is how long the client waited, so the longest
    -- response, or without a first plan the longest wait so far, comes first; when the list is cut
    -- at its cap, what is left out is the quickest. A cancelled request without a plan waits for
    -- nothing: last.
    ORDER BY coalesce(l.response_ms, CASE WHEN NOT l.cancelled THEN EXTRACT(EPOCH FROM (${q.now} - l.received_at)) * 1000 END) DESC NULLS LAST,
      l.received_at, l.project_id
    LIMIT ${q.limit}`);
  return {
    total: rows[0]?.total ?? 0,
    limit: q.limit,
    medianResponseHours: rows[0]?.median === null || rows[0]?.median === undefined ? null : hoursOfMs(Number(rows[0].median)),
    waitingAsOf: q.now.toISOString(),
    items: rows.map((r) => {
      const receivedAt = new Date(r.received_at);
      const answered = r.first_plan_at !== null && r.response_ms !== null;
      return {
        projectId: r.project_id,
        projectTitle: r.project_title,
        clientName: r.client_name,
        segment: r.segment,
        managerId: r.manager_id,
        receivedAt: receivedAt.toISOString(),
        ...(answered && { firstPlanAt: new Date(r.first_plan_at!).toISOString(), responseHours: hoursOfMs(Number(r.response_ms)) }),
        ...(!answered && !r.cancelled && { waitingHours: hoursOfMs(q.now.getTime() - receivedAt.getTime()) }),
        cancelled: r.cancelled,
        href: `/api/projects/${r.project_id}`,
      };
    }),
  };
}
