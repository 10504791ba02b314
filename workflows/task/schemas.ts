/** A department task's domain types (zod, for the API and activities; `import type` in workflows). */
import { z } from 'zod';
import { actorSchema, departmentSchema, isoDateTimeSchema } from '../shared-schemas';

import { TASK_STATUSES, type TaskStatus } from '../vocabulary';

export { TASK_STATUSES };
export type { TaskStatus };
export const taskStatusSchema = z.enum(TASK_STATUSES);

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
  /** The tasks it depends on, as people know them (plan tasks started since this field exists). */
  dependencies: z.array(z.object({ key: z.string(), title: z.string(), department: departmentSchema })).optional(),
  /** Set for work opened by a client's revision request: which round it belongs to. */
  revisionRound: z.number().int().positive().optional(),
  reminderLeadMs: z.number().int().positive(),
  overdueGraceMs: z.number().int().positive(),
  /** A delivery not reviewed this long is chased (the project's policy; absent in tasks started before reviews were). */
  reviewSlaMs: z.number().int().positive().optional(),
  /** Tasks without dependencies open at once; the others wait for the project to open them. */
  startOpen: z.boolean(),
  /** The patches the run has from its start (workflows/common/patches.ts); its project's. */
  patchBaseline: z.number().int().positive().optional(),
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
    /**
     * Sent back: by when the rework is due, when not by the task's due date (which may have
     * passed while the work waited for review: without a new date it is overdue at once).
     */
    dueAt: isoDateTimeSchema.optional(),
  })
  .strict()
  .refine((r) => r.decision === 'accept' || r.comment.trim().length > 0, {
    message: 'a comment is required when changes are requested',
    path: ['comment'],
  })
  .refine((r) => r.decision === 'changes_requested' || r.dueAt === undefined, {
    message: 'a new due date goes with changes requested, not with an acceptance',
    path: ['dueAt'],
  });
export const reviewTaskSchema = z.object({
  decision: z.enum(['accept', 'changes_requested']),
  comment: z.string(),
  dueAt: z.string().optional(),
  by: actorSchema,
});
export type ReviewTaskInput = z.infer<typeof reviewTaskSchema>;

export const reassignRequestSchema = z.object({ assigneeId: z.string().min(1) }).strict();
export const reassignTaskSchema = reassignRequestSchema.extend({
  by: actorSchema,
  /** The API checks the new assignee in the people directory and passes their department. */
  assigneeDepartment: departmentSchema,
  /**
   * Part of a "reassign all" (workflows/work-reassignment), by its id: that workflow mails the
   * people once for all its tasks, so the task mails nobody itself.
   */
  partOfReassignment: z.string().optional(),
});
export type ReassignTaskInput = z.infer<typeof reassignTaskSchema>;

export const moveDueDateRequestSchema = z
  .object({ dueAt: isoDateTimeSchema, reason: z.string().min(1).max(2_000) })
  .strict();
export const moveDueDateSchema = moveDueDateRequestSchema.extend({ by: actorSchema });
export type MoveDueDateInput = z.infer<typeof moveDueDateSchema>;

// ---------------------------------------------------------------------------------------------
// The task's view (GET /api/tasks/:id, the getStatus query, the reporting store's copy)
// ---------------------------------------------------------------------------------------------

/** A date-time the workflow wrote (ISO 8601, UTC). */
const isoDate = z.string().meta({ format: 'date-time' });

export const deliverableSchema = z.object({ summary: z.string(), links: z.array(z.string()), submittedAt: isoDate, submittedBy: z.string() });
export type Deliverable = z.infer<typeof deliverableSchema>;

export const reviewViewSchema = z.object({ decision: z.enum(['accept', 'changes_requested']), comment: z.string(), by: z.string(), at: isoDate });
export type ReviewView = z.infer<typeof reviewViewSchema>;

/**
 * A deadline notice sent: before and after the work's due date (`reminder`, `overdue`,
 * `escalation`: `dueAt` is the task's due date then), or a delivery waiting for its review
 * (`review_reminder`, `review_escalation`: `dueAt` is when the review was due).
 */
export const taskNoticeViewSchema = z.object({
  kind: z.enum(['reminder', 'overdue', 'escalation', 'review_reminder', 'review_escalation']),
  dueAt: isoDate,
  sentAt: isoDate,
});
export type TaskNoticeView = z.infer<typeof taskNoticeViewSchema>;

export const taskViewSchema = z
  .object({
    taskId: z.string(),
    /** Grows with every change of the task: the store keeps the newest, clients tell views apart. */
    version: z.number().int(),
    projectId: z.string(),
    taskKey: z.string(),
    projectTitle: z.string(),
    clientName: z.string(),
    managerId: z.string(),
    department: departmentSchema,
    title: z.string(),
    description: z.string(),
    estimateHours: z.number(),
    price: z.number(),
    dependsOn: z.array(z.string()),
    /** The tasks it depends on by title and department (absent on tasks started before it was added). */
    dependencies: z.array(z.object({ key: z.string(), title: z.string(), department: departmentSchema })).optional(),
    status: taskStatusSchema,
    assigneeId: z.string().optional(),
    dueAt: isoDate,
    dueDateChanges: z.array(z.object({ from: isoDate, to: isoDate, reason: z.string(), by: z.string(), at: isoDate })),
    /** Times the manager sent the work back. */
    reviewRounds: z.number().int(),
    deliverables: z.array(deliverableSchema),
    reviews: z.array(reviewViewSchema),
    notices: z.array(taskNoticeViewSchema),
    overdue: z.boolean(),
    openedAt: isoDate.optional(),
    submittedAt: isoDate.optional(),
    acceptedAt: isoDate.optional(),
    cancelledAt: isoDate.optional(),
    cancelReason: z.string().optional(),
    revisionRound: z.number().int().optional(),
    history: z.array(z.object({ at: isoDate, event: z.string(), by: z.string().optional(), detail: z.string().optional() })),
  })
  .meta({ id: 'Task', description: 'A department task\u2019s view (the task workflow\u2019s getStatus query).' });
export type TaskView = z.infer<typeof taskViewSchema>;
