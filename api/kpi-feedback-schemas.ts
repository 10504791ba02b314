/**
 * The client feedback behind the KPI report's "Clients" figures (GET /api/reports/kpis/feedback):
 * its query and its answer. Kept beside api/schemas.ts, whose KPI query it extends, in a file of
 * its own so the drill-down's contract reads in one place.
 */
import { z } from 'zod';
import { segmentSchema } from '../workflows/shared-schemas';
import { described, isoDate, kpiQuerySchema } from './schemas';

export const COMPLAINT_FIGURES = ['filed', 'open', 'resolved'] as const;
export type ComplaintFigure = (typeof COMPLAINT_FIGURES)[number];

/**
 * The report's own query (the same period, manager and segment, so the list counts what the figure
 * counted) and which figure was followed: one bar of the ratings, or one of the complaint counts.
 */
export const kpiFeedbackQuerySchema = kpiQuerySchema
  .extend({
    rating: z
      .enum(['1', '2', '3', '4', '5'])
      .optional()
      .meta({
        description:
          'Only the ratings of this value: one bar of `clients.ratings.distribution` (the manager\u2019s with `managerId`). Without it and without `complaints`: every rating given in the period (`clients.ratings.count`). Not with `complaints`.',
      }),
    complaints: z
      .enum(COMPLAINT_FIGURES)
      .optional()
      .meta({
        description:
          'List complaints instead of ratings, as the report counts them: `filed` in the period (`clients.complaints.filed`), filed in it and still `open` now (`open`: no resolution at all), `resolved` in the period whenever they were filed (`resolved`). `department` is taken and changes nothing: client feedback covers whole projects, as in the report.',
      }),
  })
  .strict()
  .refine((q) => q.rating === undefined || q.complaints === undefined, { path: ['rating'], message: 'lists ratings: leave it out when asking for `complaints`' });
export type KpiFeedbackQueryParams = z.infer<typeof kpiFeedbackQuerySchema>;

const scopeShape = {
  from: described(isoDate, 'Start of the period, inclusive.'),
  to: described(isoDate, 'End of the period, exclusive.'),
  managerId: z.string().optional(),
  segment: segmentSchema.optional(),
};

/** Who and what a feedback row is about: the same in both lists. */
const projectShape = {
  projectId: z.string(),
  projectTitle: z.string(),
  clientName: z.string(),
  segment: segmentSchema,
  managerId: described(z.string(), 'The project\u2019s manager (a person id), whom the figures count it for.'),
  managerName: described(z.string(), 'Their name in the people directory, or kept there after they left (formerPeople); absent for an id the file no longer has.').optional(),
  href: described(z.string(), 'The project: GET it here (the portal\u2019s page is /projects/{projectId}).'),
};

const limitField = described(z.number().int(), 'The most items one answer lists; `items` holds fewer than `total` when there are more.');

export const kpiRatingListSchema = z
  .object({
    listed: z.literal('ratings'),
    scope: z.object({ ...scopeShape, rating: described(z.number().int().min(1).max(5), 'The rating asked for.').optional() }),
    total: described(
      z.number().int(),
      'Ratings in the scope: the report\u2019s `clients.ratings.count` for the same query, or with `rating` that bar of its `distribution` (`ratingsByManager[]` with `managerId`).',
    ),
    limit: limitField,
    averageRating: described(z.number().nullable(), 'Average of all `total` ratings (not only those listed), 2 decimals: the report\u2019s `clients.ratings.average` without `rating`. Null when there are none.'),
    items: described(
      z.array(
        z.object({
          ...projectShape,
          rating: described(z.number().int().min(1).max(5), 'The client\u2019s rating, 1 (worst) to 5.'),
          comment: described(z.string(), 'What the client said with it (empty when nothing).'),
          ratedAt: described(isoDate, 'When the client accepted the work and gave the rating: the period counts it here.'),
        }),
      ),
      'Lowest first (the negative ones, 1 and 2, lead), then the earliest given. A list cut at `limit` leaves out the best.',
    ),
  })
  .meta({ id: 'KpiRatingList', description: 'The ratings behind the KPI report\u2019s client ratings: which project, which client, what they said.' });

export const kpiComplaintListSchema = z
  .object({
    listed: z.literal('complaints'),
    scope: z.object({ ...scopeShape, complaints: described(z.enum(COMPLAINT_FIGURES), 'The complaint figure asked for.') }),
    total: described(
      z.number().int(),
      'Complaints in the scope: the report\u2019s `clients.complaints.filed`, `.open` or `.resolved` for the same query (`complaintsByManager[]` with `managerId`).',
    ),
    limit: limitField,
    openAsOf: described(isoDate, 'When `openHours` are measured to: the time of the answer.'),
    items: described(
      z.array(
        z.object({
          ...projectShape,
          filedAt: described(isoDate, 'When the complaint was recorded.'),
          resolvedAt: described(isoDate, 'When it was resolved. Absent while it is open.').optional(),
          hoursToResolve: described(z.number(), 'Hours from filedAt to resolvedAt (2 decimals). Absent while open.').optional(),
          openHours: described(z.number(), 'Still open: the hours since it was filed, to `openAsOf` (2 decimals).').optional(),
          description: described(z.string(), 'The client\u2019s complaint, as recorded.'),
          resolution: described(z.string(), 'How it was resolved, as recorded.').optional(),
          afterWindow: described(
            z.literal(true),
            'Made after the completed project\u2019s complaint window (the project\u2019s workflow ran again for it): a flaw found late. Absent otherwise.',
          ).optional(),
        }),
      ),
      'Open ones first, the oldest first; then resolved ones, the longest to resolve first. A list cut at `limit` leaves out the quickest resolved.',
    ),
  })
  .meta({ id: 'KpiComplaintList', description: 'The complaints behind the KPI report\u2019s complaint figures: which project, when filed, when (or whether) resolved.' });

export const kpiFeedbackListSchema = z
  .discriminatedUnion('listed', [kpiRatingListSchema, kpiComplaintListSchema])
  .meta({ id: 'KpiFeedbackList', description: 'The client feedback behind the KPI report\u2019s "Clients" figures: ratings (`listed: ratings`) or complaints (`listed: complaints`).' });
export type KpiRatingList = z.infer<typeof kpiRatingListSchema>;
export type KpiComplaintList = z.infer<typeof kpiComplaintListSchema>;
export type KpiFeedbackList = z.infer<typeof kpiFeedbackListSchema>;
