/**
 * The project's domain types as zod schemas: parsed once at the API edge, then passed on typed.
 * Workflow code imports these with `import type` only (no zod inside the sandbox).
 * Rules that need the current time or the whole plan (cycles, due dates) live in plan-rules.ts,
 * which both the API and the workflow's validator run.
 */
import { z } from 'zod';
import {
  actorSchema,
  amountSchema,
  departmentSchema,
  isoDateTimeSchema,
  moneySchema,
  policySchema,
  segmentSchema,
} from '../shared-schemas';

export const PROJECT_STAGES = [
  'intake',
  'planning',
  'awaiting_approval',
  'in_production',
  'client_review',
  'invoicing',
  'closing',
  'completed',
  'cancelled',
] as const;
export const projectStageSchema = z.enum(PROJECT_STAGES);
export type ProjectStage = z.infer<typeof projectStageSchema>;

export const clientSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  segment: segmentSchema,
  email: z.email(),
});
export type Client = z.infer<typeof clientSchema>;

/** Per-project overrides of the configured policy: durations as `90s`, `15m`, `24h`, `5d` or milliseconds. */
export const durationInputSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d|w)?$/, 'expected a duration such as 90s, 15m, 24h or 5d'),
]);
export const policyOverridesSchema = z
  .object({
    approvalSla: durationInputSchema,
    escalationSla: durationInputSchema,
    reminderLead: durationInputSchema,
    overdueGrace: durationInputSchema,
    acceptanceWindow: durationInputSchema,
    paymentTerms: durationInputSchema,
    paymentEscalation: durationInputSchema,
    startAfterPrepayment: z.boolean(),
  })
  .partial()
  .strict();
export type PolicyOverrides = z.infer<typeof policyOverridesSchema>;

/** What a manager sends to open a project (POST /api/projects). */
export const projectRequestSchema = z
  .object({
    client: clientSchema,
    title: z.string().min(1).max(200),
    brief: z.string().min(1).max(10_000),
    departments: z.array(departmentSchema).min(1).refine((d) => new Set(d).size === d.length, 'departments repeat'),
    budget: moneySchema,
    desiredDeadline: isoDateTimeSchema,
    policy: policyOverridesSchema.optional(),
  })
  .strict();
export type ProjectRequest = z.infer<typeof projectRequestSchema>;

/** The workflow's input: the request plus what the API resolved (ids, manager, full policy). */
export const projectInputSchema = projectRequestSchema.omit({ policy: true }).extend({
  projectId: z.string().min(1),
  managerId: z.string().min(1),
  policy: policySchema,
  /** Fingerprint of the creating request, so a repeated Idempotency-Key with another body is caught. */
  requestFingerprint: z.string().optional(),
});
export type ProjectInput = z.infer<typeof projectInputSchema>;

export const TASK_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export const planTaskSchema = z
  .object({
    key: z.string().regex(TASK_KEY_PATTERN, 'expected 1-40 lower-case letters, digits, "-" or "_"'),
    department: departmentSchema,
    title: z.string().min(1).max(200),
    description: z.string().max(5_000).default(''),
    estimateHours: z.number().positive().max(10_000),
    dueAt: isoDateTimeSchema,
    price: amountSchema,
    dependsOn: z.array(z.string()).default([]),
  })
  .strict();
export type PlanTask = z.infer<typeof planTaskSchema>;

export const planSchema = z
  .object({
    tasks: z.array(planTaskSchema).min(1).max(200),
    prepaymentPercent: z.number().min(0).max(100).default(0),
    includedRevisionRounds: z.number().int().min(0).max(20).default(1),
  })
  .strict();
export type PlanInput = z.infer<typeof planSchema>;

export const submitPlanSchema = planSchema.extend({ by: actorSchema });
export type SubmitPlanInput = z.infer<typeof submitPlanSchema>;

export const planDecisionRequestSchema = z
  .object({
    planVersion: z.number().int().positive(),
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(5_000).default(''),
  })
  .strict();
export const decidePlanSchema = planDecisionRequestSchema.extend({ by: actorSchema });
export type DecidePlanInput = z.infer<typeof decidePlanSchema>;

export const feedbackRequestSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('accepted'),
      rating: z.number().int().min(1).max(5),
      comment: z.string().max(5_000).default(''),
    })
    .strict(),
  z
    .object({
      kind: z.literal('revisions_requested'),
      description: z.string().min(1).max(5_000),
      departments: z.array(departmentSchema).min(1),
      /** Required once the included rounds are used up: the price the client agreed for the extra round. */
      extraPrice: amountSchema.optional(),
      /** Due date of the revision tasks. */
      dueAt: isoDateTimeSchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal('complaint'),
      description: z.string().min(1).max(5_000),
    })
    .strict(),
]);
export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;
export const recordFeedbackSchema = z.object({ feedback: feedbackRequestSchema, by: actorSchema });
export type RecordFeedbackInput = z.infer<typeof recordFeedbackSchema>;

export const complaintResolutionRequestSchema = z.object({ resolution: z.string().min(1).max(5_000) }).strict();
export const resolveComplaintSchema = complaintResolutionRequestSchema.extend({
  complaintId: z.string().min(1),
  by: actorSchema,
});
export type ResolveComplaintInput = z.infer<typeof resolveComplaintSchema>;

export const paymentRequestSchema = z
  .object({
    invoiceNumber: z.string().min(1),
    amount: amountSchema.refine((n) => n > 0, 'must be positive'),
    paidAt: isoDateTimeSchema,
    reference: z.string().min(1).max(200),
  })
  .strict();
export const recordPaymentSchema = paymentRequestSchema.extend({ by: actorSchema });
export type RecordPaymentInput = z.infer<typeof recordPaymentSchema>;

export const cancelRequestSchema = z.object({ reason: z.string().min(1).max(5_000) }).strict();
export const cancelProjectSchema = cancelRequestSchema.extend({ by: actorSchema });
export type CancelProjectInput = z.infer<typeof cancelProjectSchema>;
