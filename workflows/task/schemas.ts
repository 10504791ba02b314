/** A department task's domain types (zod, for the API and activities; `import type` in workflows). */
import { z } from 'zod';
import { actorSchema, departmentSchema, isoDateTimeSchema } from '../shared-schemas';

export const TASK_STATUSES = ['waiting', 'open', 'claimed', 'submitted', 'accepted', 'cancelled'] as const;
export const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const taskInputSchema = z.object({
  projectId: z.string().min(1),
  taskKey: z.string().min(1),
  projectTitle: z.string(),
  clientName: z.string(),
  managerId: z.string().min(1),
  department: departmentSchema,
  title: z.string(),
  description: z.string(),
  estimateHours: z.number(),
  dueAt: isoDateTimeSchema,
  price: z.number(),
  dependsOn: z.array(z.string()),
  /** Set for work opened by a client's revision request: which round it belongs to. */
  revisionRound: z.number().int().positive().optional(),
  reminderLeadMs: z.number().int().positive(),
  overdueGraceMs: z.number().int().positive(),
  /** Tasks without dependencies open at once; the others wait for the project to open them. */
  startOpen: z.boolean(),
});
export type TaskInput = z.infer<typeof taskInputSchema>;

export const claimTaskSchema = z.object({ by: actorSchema });
export type ClaimTaskInput = z.infer<typeof claimTaskSchema>;

export const releaseTaskSchema = z.object({ by: actorSchema });
export type ReleaseTaskInput = z.infer<typeof releaseTaskSchema>;

export const deliverableRequestSchema = z
  .object({
    summary: z.string().min(1).max(5_000),
    links: z.array(z.url({ message: 'expected an absolute URL' })).max(50).default([]),
  })
  .strict();
export const submitTaskSchema = deliverableRequestSchema.extend({ by: actorSchema });
export type SubmitTaskInput = z.infer<typeof submitTaskSchema>;

export const reviewRequestSchema = z
  .object({
    decision: z.enum(['accept', 'changes_requested']),
    comment: z.string().max(5_000).default(''),
  })
  .strict()
  .refine((r) => r.decision === 'accept' || r.comment.trim().length > 0, {
    message: 'a comment is required when changes are requested',
    path: ['comment'],
  });
export const reviewTaskSchema = z.object({
  decision: z.enum(['accept', 'changes_requested']),
  comment: z.string(),
  by: actorSchema,
});
export type ReviewTaskInput = z.infer<typeof reviewTaskSchema>;

export const reassignRequestSchema = z.object({ assigneeId: z.string().min(1) }).strict();
export const reassignTaskSchema = reassignRequestSchema.extend({
  by: actorSchema,
  /** The API checks the new assignee in the people directory and passes their department. */
  assigneeDepartment: departmentSchema,
});
export type ReassignTaskInput = z.infer<typeof reassignTaskSchema>;

export const moveDueDateRequestSchema = z
  .object({ dueAt: isoDateTimeSchema, reason: z.string().min(1).max(2_000) })
  .strict();
export const moveDueDateSchema = moveDueDateRequestSchema.extend({ by: actorSchema });
export type MoveDueDateInput = z.infer<typeof moveDueDateSchema>;
