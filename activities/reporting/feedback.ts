/**
 * The client feedback behind the KPI report's "Clients" figures (B2C managers are judged on the
 * absence of negative reviews, DOMAIN.md): one row per rating or per complaint, from the same
 * facts, the same scope and the same rules as kpis.ts (RATING_GIVEN, COMPLAINT_FILED,
 * COMPLAINT_RESOLVED, complaintStillOpen), so a list asked with the report's query has as many rows
 * as the figure it was reached from:
 *
 * - ratings: the ratings given in the period (`clients.ratings.count`), or one value of them (a bar
 *   of `distribution`);
 * - complaints filed in the period (`filed`), those of them with no resolution at all (`open`), and
 *   those resolved in the period, whenever filed (`resolved`).
 *
 * What the client said (a rating's comment, a complaint's description) is not in the facts: it is
 * read from the project's snapshot, the feedback entry the fact was made from.
 */
import type { ComplaintFigure, KpiComplaintList, KpiRatingList } from '../../api/kpi-feedback-schemas';
import type { Segment } from '../../workflows/shared-schemas';
import { COMPLAINT_FILED, COMPLAINT_RESOLVED, complaintStillOpen, hoursOfMs, projectScope, RATING_GIVEN } from './kpis';
import { sql, type Database, type Sql } from './sql';

interface FeedbackScope {
  /** The period: [from, to). */
  from: Date;
  to: Date;
  managerId?: string;
  segment?: Segment;
  /** At most this many rows; `total` counts them all. */
  limit: number;
}

export interface RatingListQuery extends FeedbackScope {
  /** Only the ratings of this value (1 to 5). */
  rating?: number;
}

export interface ComplaintListQuery extends FeedbackScope {
  complaints: ComplaintFigure;
  /** Open complaints are measured up to here. */
  now: Date;
}

const iso = (d: Date | string): string => new Date(d).toISOString();

/** The project columns both lists give, from `p`. */
const PROJECT_COLUMNS = sql`p.project_id, p.title AS project_title, p.client_name, p.segment, p.manager_id`;

interface ProjectRow {
  project_id: string;
  project_title: string;
  client_name: string;
  segment: Segment;
  manager_id: string;
}

const projectOf = (r: ProjectRow) => ({
  projectId: r.project_id,
  projectTitle: r.project_title,
  clientName: r.client_name,
  segment: r.segment,
  managerId: r.manager_id,
  href: `/api/projects/${r.project_id}`,
});

export async function ratingList(db: Database, s: Sql, q: RatingListQuery): Promise<Omit<KpiRatingList, 'scope' | 'listed'>> {
  const ofValue = q.rating !== undefined ? sql`f.value = ${q.rating}` : sql`TRUE`;
  const rows = await db.rows<ProjectRow & { rating: number; comment: string | null; rated_at: Date; total: number; average: number | null }>(sql`
    SELECT ${PROJECT_COLUMNS}, f.value::int AS rating, f.at AS rated_at,
      -- The feedback entry the fact was made from: its id ends in the entry's place, from 1 (facts.ts).
      p.snapshot->'feedback'->(substring(f.fact_id from '[0-9]+$')::int - 1)->>'comment' AS comment,
      count(*) OVER ()::int AS total,
      -- Over every rating in scope, not only those under the limit, as the report takes its average.
      avg(f.value) OVER () AS average
    FROM ${s}.facts f JOIN ${s}.projects p ON p.project_id = f.project_id
    WHERE ${RATING_GIVEN} AND ${ofValue} AND f.at >= ${q.from} AND f.at < ${q.to} AND ${projectScope(q)}
    -- Lowest first: a manager is judged on the negative ones; a list cut at its cap leaves out the best.
    ORDER BY f.value, f.at, f.fact_id
    LIMIT ${q.limit}`);
  const average = rows[0]?.average;
  return {
    total: rows[0]?.total ?? 0,
    limit: q.limit,
    averageRating: average === null || average === undefined ? null : Math.round(Number(average) * 100) / 100,
    items: rows.map((r) => ({ ...projectOf(r), rating: r.rating, comment: r.comment ?? '', ratedAt: iso(r.rated_at) })),
  };
}

/** The complaints a figure counts, each with when it was filed and its resolution (or NULLs), before they are ordered and cut. */
function complaintsListed(s: Sql, q: ComplaintListQuery): Sql {
  const inPeriod = sql`f.at >= ${q.from} AND f.at < ${q.to}`;
  if (q.complaints === 'resolved') {
    // As `resolved` counts: the resolution facts of the period; the complaint was filed at its `ref_at`.
    return sql`SELECT ${PROJECT_COLUMNS}, f.ref, f.ref_at AS filed_at, f.at AS resolved_at, f.value AS resolve_ms
      FROM ${s}.facts f JOIN ${s}.projects p ON p.project_id = f.project_id
      WHERE ${COMPLAINT_RESOLVED} AND ${inPeriod} AND ${projectScope(q)}`;
  }
  const stillOpen = q.complaints === 'open' ? sql`AND ${complaintStillOpen(s)}` : sql``;
  return sql`SELECT ${PROJECT_COLUMNS}, f.ref, f.at AS filed_at, x.at AS resolved_at, x.value AS resolve_ms
    FROM ${s}.facts f JOIN ${s}.projects p ON p.project_id = f.project_id
      LEFT JOIN ${s}.facts x ON x.fact_id = 'complaint-resolved:' || f.ref
    WHERE ${COMPLAINT_FILED} AND ${inPeriod} AND ${projectScope(q)} ${stillOpen}`;
}

export async function complaintList(db: Database, s: Sql, q: ComplaintListQuery): Promise<Omit<KpiComplaintList, 'scope' | 'listed'>> {
  const rows = await db.rows<
    ProjectRow & {
      filed_at: Date;
      resolved_at: Date | null;
      resolve_ms: number | null;
      description: string | null;
      resolution: string | null;
      after_window: boolean | null;
      total: number;
    }
  >(sql`
    WITH listed AS (${complaintsListed(s, q)})
    SELECT l.*, c.complaint->>'description' AS description, c.complaint->>'resolution' AS resolution,
      (c.complaint->>'afterWindow')::boolean AS after_window, count(*) OVER ()::int AS total
    FROM listed l JOIN ${s}.projects p ON p.project_id = l.project_id
      -- The snapshot's complaint the facts were made from: their ref is <project id>:<complaint id>.
      LEFT JOIN LATERAL (SELECT e AS complaint FROM jsonb_array_elements(p.snapshot->'complaints') e
        WHERE p.project_id || ':' || (e->>'complaintId') = l.ref) c ON TRUE
    -- Open ones first (no time to resolve), the oldest first: the client has waited longest; then
    -- the resolved ones, the longest to resolve first. A list cut at its cap leaves out the quickest resolved.
    ORDER BY l.resolve_ms DESC NULLS FIRST, l.filed_at, l.ref
    LIMIT ${q.limit}`);
  return {
    total: rows[0]?.total ?? 0,
    limit: q.limit,
    openAsOf: q.now.toISOString(),
    items: rows.map((r) => {
      const resolved = r.resolved_at !== null;
      return {
        ...projectOf(r),
        filedAt: iso(r.filed_at),
        ...(resolved && { resolvedAt: iso(r.resolved_at!), hoursToResolve: hoursOfMs(Number(r.resolve_ms)) }),
        ...(!resolved && { openHours: hoursOfMs(q.now.getTime() - new Date(r.filed_at).getTime()) }),
        description: r.description ?? '',
        ...(r.resolution !== null && { resolution: r.resolution }),
        ...(r.after_window === true && { afterWindow: true as const }),
      };
    }),
  };
}
