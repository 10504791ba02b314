/**
 * The API's own zod schemas: query parameters (validated at the edge) and response shapes (for
 * the OpenAPI document). Request bodies and the snapshots come from the workflows' schemas.ts
 * files unchanged, so the document, the validation and the workflows cannot drift apart.
 */
import { z } from 'zod';
import { documentRefSchema, projectStageSchema, projectStatusSchema, PROJECT_STAGES } from '../workflows/project/schemas';
import { departmentSchema, roleSchema, segmentSchema, DEPARTMENTS } from '../workflows/shared-schemas';
import { taskStatusSchema, taskViewSchema } from '../workflows/task/schemas';

// The snapshots are defined once, beside their workflows; the API documents them as they are.
export { projectStatusSchema, taskViewSchema };

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
