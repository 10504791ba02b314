/**
 * The client requests behind the KPI report's response-time figures (GET
 * /api/reports/kpis/responses): its query and its answer. Kept beside api/schemas.ts, whose KPI
 * query it extends, in a file of its own so the drill-down's contract reads in one place.
 */
import { z } from 'zod';
import { segmentSchema } from '../workflows/shared-schemas';
import { described, isoDate, kpiQuerySchema, reportDateSchema } from './schemas';

const hours = (description: string) => described(z.number(), description);

/**
 * The report's own query (the same period, time zone, manager and segment, so the list counts
 * what the figure counted) and which figure was followed: first plans sent, requests received or
 * still waiting, one week of the series.
 */
export const kpiResponseQuerySchema = kpiQuerySchema
  .extend({
    answered: z
      .enum(['true', 'false'])
      .optional()
      .meta({
        description:
          '`true`: the first plans sent in the period (or week), counted by when they were sent, as `responseTime` and the series\u2019 `plansSent` and `medianResponseHours` count them. `false`: the requests received in it that still wait for a first plan (`responseTime.awaitingFirstPlan`; a cancelled request waits for nothing). Without it: every request received in it (the series\u2019 `projectsOpened`), answered or not, with its first plan whenever that was sent. `department` is taken and changes nothing: response time covers whole projects, as in the report.',
      }),
    week: reportDateSchema.optional().meta({
      description:
        'One week of the report\u2019s weekly series: its `weekStart` as the report with this same query gives it (e.g. `2026-01-19T00:00:00.000Z`). Only the part of that week inside the period counts, as in the series. A time that starts no week of the period is a 400.',
    }),
  })
  .strict();
export type KpiResponseQueryParams = z.infer<typeof kpiResponseQuerySchema>;

export const kpiResponseListSchema = z
  .object({
    scope: z.object({
      from: described(isoDate, 'Start of what is listed: the period\u2019s, or the week\u2019s when a `week` was asked (no earlier than the period).'),
      to: described(isoDate, 'End of what is listed, exclusive.'),
      week: described(isoDate, 'The week asked for, as the series names it.').optional(),
      answered: described(z.boolean(), 'First plans sent in the span (true), or requests received in it still waiting for one (false); absent: every request received in it.').optional(),
      managerId: z.string().optional(),
      segment: segmentSchema.optional(),
    }),
    total: described(
      z.number().int(),
      'Requests in the scope. With `answered=true` the report\u2019s `responseTime.overall.projects` for the same query (`responseTime.byManager[].projects` with `managerId`, the week\u2019s `plansSent` with `week`); with `answered=false` its `awaitingFirstPlan`; without `answered` the week\u2019s `projectsOpened`, or their sum over the period.',
    ),
    limit: described(z.number().int(), 'The most items one answer lists; `items` holds fewer than `total` when there are more.'),
    medianResponseHours: described(
      z.number().nullable(),
      'Median response time of all `total` requests that have a first plan (not only the `limit` listed), 2 decimals. With `answered=true` the report\u2019s `medianHours` for the same query (the manager\u2019s with `managerId`, the week\u2019s `medianResponseHours` with `week`). Null when none has a first plan.',
    ),
    waitingAsOf: described(isoDate, 'When `waitingHours` are measured to: the time of the answer.'),
    items: described(
      z.array(
        z.object({
          projectId: z.string(),
          projectTitle: z.string(),
          clientName: z.string(),
          segment: segmentSchema,
          managerId: described(z.string(), 'The project\u2019s manager (a person id), whom the figures count it for.'),
          managerName: described(z.string(), 'Their name in the people directory, or kept there after they left (formerPeople); absent for an id the file no longer has.').optional(),
          receivedAt: described(isoDate, 'When the client\u2019s request came in (intake): the response-time clock starts here.'),
          firstPlanAt: described(isoDate, 'When the first plan was sent: the clock stops here. Absent while none has been.').optional(),
          responseHours: hours('Hours from receivedAt to firstPlanAt (2 decimals). Absent without a first plan.').optional(),
          waitingHours: hours('No first plan yet and not cancelled: the hours the client has waited so far, to `waitingAsOf` (2 decimals).').optional(),
          cancelled: described(z.boolean(), 'The project is cancelled: without a first plan, its request waits for nothing.'),
          href: described(z.string(), 'The project: GET it here (the portal\u2019s page is /projects/{projectId}).'),
        }),
      ),
      'Slowest first: the longest response (or, without a first plan, the longest wait so far) first, cancelled requests without a plan last; then by when the request came in. A list cut at `limit` leaves out the quickest.',
    ),
  })
  .meta({ id: 'KpiResponseList', description: 'The client requests behind the KPI report\u2019s response-time figures: when each came in, and when its first plan went out.' });
export type KpiResponseList = z.infer<typeof kpiResponseListSchema>;
