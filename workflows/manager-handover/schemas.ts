/**
 * Handing over every project a manager has, at once (a manager leaving, or away for weeks): the
 * request the API takes, the workflow's input and what it answers. Zod is the one source of these
 * types; the workflow imports them as types only (contract.ts).
 */
import { z } from 'zod';
import { actorSchema } from '../shared-schemas';
import { handOverRequestSchema } from '../project/schemas';

/** At most this many projects in one handover (more: hand them over in parts, by `projectIds`). */
export const MAX_PROJECTS_PER_HANDOVER = 500;

export const managerHandoverRequestSchema = handOverRequestSchema
  .extend({
    projectIds: z
      .array(z.string().trim().min(1).max(100))
      .min(1)
      .max(MAX_PROJECTS_PER_HANDOVER)
      .optional()
      .meta({
        description:
          'Only these of the manager\u2019s projects (to share them out among several managers). Left out: every project of theirs that is still running.',
      }),
  })
  .strict();
export type ManagerHandoverRequest = z.infer<typeof managerHandoverRequestSchema>;

const handedProjectSchema = z.object({
  projectId: z.string(),
  title: z.string().optional(),
  clientName: z.string().optional(),
});

export const managerHandoverInputSchema = z.object({
  handoverId: z.string(),
  fromManagerId: z.string(),
  toManagerId: z.string(),
  note: z.string().optional(),
  by: actorSchema,
  /** Chosen by the API from the reporting store when the request came in: the handover's scope, fixed. */
  projects: z.array(handedProjectSchema),
});
export type ManagerHandoverInput = z.infer<typeof managerHandoverInputSchema>;

export const projectHandoverOutcomeSchema = handedProjectSchema.extend({
  outcome: z.enum(['handed_over', 'refused']).meta({
    description: '`refused`: the project said no (it ended meanwhile, or is no longer this manager\u2019s); it is as it was.',
  }),
  /** The project's snapshot version the handover produced (handed_over). */
  version: z.number().int().optional(),
  /** Why the project refused (refused). */
  reason: z.string().optional(),
});
export type ProjectHandoverOutcome = z.infer<typeof projectHandoverOutcomeSchema>;

export const managerHandoverResultSchema = z
  .object({
    handoverId: z.string(),
    fromManagerId: z.string(),
    toManagerId: z.string(),
    note: z.string().optional(),
    by: z.string(),
    handedOver: z.number().int().meta({ description: 'How many projects the new manager has now.' }),
    refused: z.number().int(),
    projects: z.array(projectHandoverOutcomeSchema),
  })
  .meta({ id: 'ManagerHandover' });
export type ManagerHandoverResult = z.infer<typeof managerHandoverResultSchema>;
