/**
 * The API's own zod schemas: query parameters (validated at the edge) and response shapes (for
 * the OpenAPI document). Request bodies come from the workflows' schemas.ts files unchanged, so
 * the document and the validation cannot drift apart. The type checks at the bottom make the
 * build fail if the response shapes fall behind the contracts.
 */
import { z } from 'zod';
import { clientSchema, planTaskSchema, projectStageSchema, PROJECT_STAGES } from '../workflows/project/schemas';
import { departmentSchema, moneySchema, policySchema, roleSchema, segmentSchema, DEPARTMENTS } from '../workflows/shared-schemas';
import { taskStatusSchema } from '../workflows/task/schemas';
import type { ProjectStatus } from '../workflows/project/contract';
import type { TaskView } from '../workflows/task/contract';

// ---------------------------------------------------------------------------------------------
// Query parameters
// ---------------------------------------------------------------------------------------------

/** Values that go into a visibility query: no quotes or backslashes, so nothing can escape the literal. */
const filterValue = z
  .string()
  .min(1)
  .max(100)
  .refine((v) => !/['"\\]/.test(v) && [...v].every((c) => c.charCodeAt(0) >= 0x20), 'must not contain quotes, backslashes or control characters');

const booleanParam = z.enum(['true', 'false']);

export const paginationQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Items per page (1-100).' }),
  pageToken: z
    .string()
    .max(4_000)
    .regex(/^[A-Za-z0-9_-]+$/, 'expected the nextPageToken of a previous page')
    .optional()
    .meta({ description: 'The `nextPageToken` of the previous page.' }),
});

export const projectListQuerySchema = paginationQuerySchema
  .extend({
    stage: projectStageSchema.optional(),
    managerId: filterValue.optional().meta({ description: 'Leadership only; managers always see their own.' }),
    clientId: filterValue.optional(),
    segment: segmentSchema.optional(),
    overdue: booleanParam.optional(),
  })
  .strict();
export type ProjectListQuery = z.infer<typeof projectListQuerySchema>;

export const taskListQuerySchema = paginationQuerySchema
  .extend({
    status: taskStatusSchema.optional(),
    assignee: filterValue.optional().meta({ description: '`me` for the caller\u2019s own tasks, or a person id.' }),
    overdue: booleanParam.optional(),
    department: departmentSchema.optional().meta({ description: 'Staff always see their own department.' }),
    projectId: filterValue.optional(),
    managerId: filterValue.optional().meta({ description: 'Leadership only; managers always see their own projects\u2019 tasks.' }),
  })
  .strict();
export type TaskListQuery = z.infer<typeof taskListQuerySchema>;

export const portfolioQuerySchema = z
  .object({
    managerId: filterValue.optional().meta({ description: 'Leadership: one manager\u2019s slice. Managers always get their own.' }),
  })
  .strict();

export const emptyBodySchema = z.object({}).strict();

export const peopleQuerySchema = z
  .object({
    role: roleSchema.optional(),
    department: departmentSchema.optional(),
  })
  .strict();

/** Signing in to the portal: a token from the people directory. */
export const signInRequestSchema = z
  .object({ token: z.string().min(1).max(500).meta({ description: 'A token from the people directory.' }) })
  .strict();

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

const isoDate = z.string().meta({ format: 'date-time' });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

const timelineEntrySchema = z.object({
  at: isoDate,
  event: z.string(),
  detail: z.string().optional(),
  by: z.string().optional(),
});

const planVersionSchema = z.object({
  version: z.number().int(),
  submittedAt: isoDate,
  submittedBy: z.string(),
  tasks: z.array(planTaskSchema),
  prepaymentPercent: z.number(),
  includedRevisionRounds: z.number().int(),
  total: z.number(),
  decision: z
    .object({ decision: z.enum(['approve', 'reject']), comment: z.string(), by: z.string(), at: isoDate })
    .optional(),
});

const taskSummarySchema = z.object({
  taskId: z.string(),
  key: z.string(),
  department: departmentSchema,
  title: z.string(),
  status: taskStatusSchema,
  assigneeId: z.string().optional(),
  dueAt: isoDate,
  price: z.number(),
  dependsOn: z.array(z.string()),
  reviewRounds: z.number().int(),
  submittedAt: isoDate.optional(),
  acceptedAt: isoDate.optional(),
  onTime: z.boolean().optional(),
  overdue: z.boolean(),
  revisionRound: z.number().int().optional(),
});

const documentKindSchema = z.enum([
  'contract',
  'prepayment_invoice',
  'final_invoice',
  'cancellation_invoice',
  'acceptance_act',
  'final_report',
]);

const documentRefSchema = z.object({
  documentId: z.string(),
  kind: documentKindSchema,
  number: z.string().optional(),
  createdAt: isoDate,
});

const invoiceSchema = z.object({
  kind: z.enum(['prepayment', 'final', 'cancellation']),
  number: z.string(),
  amount: z.number(),
  currency: z.string(),
  issuedAt: isoDate,
  dueAt: isoDate,
  documentId: z.string().optional(),
  payments: z.array(
    z.object({ amount: z.number(), paidAt: isoDate, reference: z.string(), recordedAt: isoDate, recordedBy: z.string() }),
  ),
  paidAmount: z.number(),
  paid: z.boolean(),
});

export const projectStatusSchema = z
  .object({
    projectId: z.string(),
    stage: projectStageSchema,
    stageEnteredAt: isoDate.optional(),
    title: z.string(),
    brief: z.string(),
    client: clientSchema,
    segment: segmentSchema,
    managerId: z.string(),
    departments: z.array(departmentSchema),
    budget: moneySchema,
    desiredDeadline: isoDate,
    policy: policySchema,
    intakeAt: isoDate,
    firstPlanAt: isoDate.optional(),
    responseTimeMs: z.number().optional(),
    plans: z.array(planVersionSchema),
    pendingPlanVersion: z.number().int().optional(),
    approvedPlanVersion: z.number().int().optional(),
    lastRejectionComment: z.string().optional(),
    tasks: z.array(taskSummarySchema),
    revisions: z.array(
      z.object({
        round: z.number().int(),
        description: z.string(),
        departments: z.array(departmentSchema),
        requestedAt: isoDate,
        beyondIncluded: z.boolean(),
        extraPrice: z.number(),
        taskIds: z.array(z.string()),
      }),
    ),
    revisionRoundsUsed: z.number().int(),
    feedback: z.array(
      z.object({
        at: isoDate,
        kind: z.enum(['accepted', 'revisions_requested', 'complaint', 'deemed_accepted']),
        rating: z.number().optional(),
        comment: z.string().optional(),
        description: z.string().optional(),
        recordedBy: z.string().optional(),
      }),
    ),
    complaints: z.array(
      z.object({
        complaintId: z.string(),
        description: z.string(),
        at: isoDate,
        recordedBy: z.string(),
        resolution: z.string().optional(),
        resolvedAt: isoDate.optional(),
        resolvedBy: z.string().optional(),
      }),
    ),
    invoices: z.array(invoiceSchema),
    documents: z.array(documentRefSchema),
    timeline: z.array(timelineEntrySchema),
    overdue: z.boolean(),
    cancellation: z
      .object({ reason: z.string(), by: z.string(), at: isoDate, stageAtCancel: projectStageSchema })
      .optional(),
    completedAt: isoDate.optional(),
  })
  .meta({ id: 'ProjectStatus', description: 'The project workflow\u2019s status snapshot (its getStatus query).' });

export const taskViewSchema = z
  .object({
    taskId: z.string(),
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
    status: taskStatusSchema,
    assigneeId: z.string().optional(),
    dueAt: isoDate,
    dueDateChanges: z.array(z.object({ from: isoDate, to: isoDate, reason: z.string(), by: z.string(), at: isoDate })),
    reviewRounds: z.number().int(),
    deliverables: z.array(
      z.object({ summary: z.string(), links: z.array(z.string()), submittedAt: isoDate, submittedBy: z.string() }),
    ),
    reviews: z.array(
      z.object({ decision: z.enum(['accept', 'changes_requested']), comment: z.string(), by: z.string(), at: isoDate }),
    ),
    notices: z.array(z.object({ kind: z.enum(['reminder', 'overdue', 'escalation']), dueAt: isoDate, sentAt: isoDate })),
    overdue: z.boolean(),
    openedAt: isoDate.optional(),
    submittedAt: isoDate.optional(),
    acceptedAt: isoDate.optional(),
    cancelledAt: isoDate.optional(),
    cancelReason: z.string().optional(),
    revisionRound: z.number().int().optional(),
    history: z.array(
      z.object({ at: isoDate, event: z.string(), by: z.string().optional(), detail: z.string().optional() }),
    ),
  })
  .meta({ id: 'Task', description: 'A department task\u2019s view (the task workflow\u2019s getStatus query).' });

const executionStatusSchema = z.string().meta({ description: 'Temporal execution status: RUNNING, COMPLETED, ...' });

export const projectListItemSchema = z
  .object({
    projectId: z.string(),
    title: z.string().optional(),
    clientId: z.string().optional(),
    clientName: z.string().optional(),
    segment: segmentSchema.optional(),
    stage: projectStageSchema.optional(),
    managerId: z.string().optional(),
    dueAt: isoDate.optional(),
    overdue: z.boolean(),
    stageEnteredAt: isoDate.optional(),
    hasOpenComplaint: z.boolean(),
    paymentDueAt: isoDate.optional(),
    executionStatus: executionStatusSchema,
    startedAt: isoDate,
    href: z.string(),
  })
  .meta({ id: 'ProjectListItem' });

export const projectListSchema = z
  .object({ items: z.array(projectListItemSchema), nextPageToken: z.string().optional() })
  .meta({ id: 'ProjectList' });

export const taskListItemSchema = z
  .object({
    taskId: z.string(),
    projectId: z.string().optional(),
    title: z.string().optional(),
    projectTitle: z.string().optional(),
    department: departmentSchema.optional(),
    status: taskStatusSchema.optional(),
    assigneeId: z.string().optional(),
    managerId: z.string().optional(),
    dueAt: isoDate.optional(),
    overdue: z.boolean(),
    executionStatus: executionStatusSchema,
    href: z.string(),
  })
  .meta({ id: 'TaskListItem' });

export const taskListSchema = z
  .object({ items: z.array(taskListItemSchema), nextPageToken: z.string().optional() })
  .meta({ id: 'TaskList' });

const projectRefSchema = z.object({
  projectId: z.string(),
  title: z.string().optional(),
  managerId: z.string().optional(),
  clientName: z.string().optional(),
  href: z.string(),
});

export const portfolioReportSchema = z
  .object({
    generatedAt: isoDate,
    scope: z.object({ managerId: z.string().optional() }),
    projects: z.object({
      byStage: z.object(Object.fromEntries(PROJECT_STAGES.map((s) => [s, z.number().int()])) as Record<
        (typeof PROJECT_STAGES)[number],
        z.ZodNumber
      >),
      active: z.number().int(),
      overdue: z.number().int(),
    }),
    tasks: z.object({
      overdue: z.number().int(),
      byDepartment: z.object(
        Object.fromEntries(
          DEPARTMENTS.map((d) => [d, z.object({ open: z.number().int(), overdue: z.number().int() })]),
        ) as Record<(typeof DEPARTMENTS)[number], z.ZodObject<{ open: z.ZodNumber; overdue: z.ZodNumber }>>,
      ),
    }),
    plansAwaitingDecision: z.object({
      count: z.number().int(),
      items: z.array(projectRefSchema.extend({ waitingSince: isoDate.optional(), waitingMs: z.number().optional() })),
    }),
    openComplaints: z.object({ count: z.number().int(), items: z.array(projectRefSchema) }),
    unpaidInvoicesPastDue: z.object({
      count: z.number().int(),
      items: z.array(projectRefSchema.extend({ paymentDueAt: isoDate.optional(), overdueMs: z.number().optional() })),
    }),
  })
  .meta({ id: 'PortfolioReport' });

export const documentListSchema = z
  .object({
    items: z.array(
      documentRefSchema.extend({
        size: z.number().int().optional(),
        sha256: z.string().optional(),
        contentType: z.string().optional(),
        href: z.string(),
      }),
    ),
  })
  .meta({ id: 'DocumentList' });

export const personSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    department: departmentSchema.optional(),
  })
  .meta({ id: 'Person', description: 'Someone in the people directory (no email, no token).' });

export const peopleListSchema = z.object({ items: z.array(personSchema) }).meta({ id: 'PeopleList' });

export const meSchema = z
  .object({
    person: personSchema,
    session: z
      .object({
        csrfToken: z.string().meta({ description: 'Send it as `X-CSRF-Token` with every request that changes something.' }),
        expiresAt: isoDate,
      })
      .optional()
      .meta({ description: 'Present when the caller came with the portal\u2019s session cookie.' }),
  })
  .meta({ id: 'Me' });

export const sessionStateSchema = z
  .object({
    signedIn: z.boolean(),
    person: personSchema.optional(),
    session: meSchema.shape.session,
  })
  .meta({ id: 'SessionState', description: 'Whether this browser is signed in, and as whom (never a 401).' });

export const demoSignInsSchema = z
  .object({
    items: z.array(personSchema.extend({ token: z.string() })),
  })
  .meta({ id: 'DemoSignIns', description: 'The demo directory\u2019s people and tokens; empty for a production directory.' });

export const readinessSchema = z
  .object({
    status: z.string(),
    checks: z.object({ temporal: z.string(), worker: z.string().optional() }),
  })
  .meta({ id: 'Readiness' });

// ---------------------------------------------------------------------------------------------
// Compile-time guards: the documented shapes accept what the workflows really return.
// ---------------------------------------------------------------------------------------------
type Accepts<Doc, Real> = Real extends Doc ? true : false;
const _projectStatusDocumented: Accepts<z.infer<typeof projectStatusSchema>, ProjectStatus> = true;
const _taskViewDocumented: Accepts<z.infer<typeof taskViewSchema>, TaskView> = true;
void _projectStatusDocumented;
void _taskViewDocumented;
