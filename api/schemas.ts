/**
 * The API's own zod schemas: query parameters (validated at the edge) and response shapes (for
 * the OpenAPI document). Request bodies and the snapshots come from the workflows' schemas.ts
 * files unchanged, so the document, the validation and the workflows cannot drift apart.
 */
import { z } from 'zod';
import { CLIENT_ANSWER_KINDS, documentRefSchema, projectStageSchema, projectStatusSchema, PROJECT_STAGES } from '../workflows/project/schemas';
import { amountSchema, currencySchema, departmentSchema, isoDateTimeSchema, roleSchema, segmentSchema, DEPARTMENTS } from '../workflows/shared-schemas';
import { deliverableSchema, taskStatusSchema, taskViewSchema } from '../workflows/task/schemas';
import { timeZoneSchema } from '../common/time-zone';

// The snapshots are defined once, beside their workflows; the API documents them as they are.
export { projectStatusSchema, taskViewSchema };

/**
 * A task as the API answers it (its read and every action's answer): the workflow's view, except
 * that staff get no price. What a task is sold for is the managers' and leadership's business,
 * as the portal's task page shows it; staff estimate and deliver the work (`taskViewFor` in
 * api/routes/tasks.ts leaves it out).
 */
export const taskResponseSchema = taskViewSchema
  .extend({
    price: z
      .number()
      .optional()
      .meta({ description: 'The task\u2019s price in the approved plan: for managers and leadership only, absent in the answers staff receive.' }),
  })
  .meta({ id: 'Task', description: 'A department task\u2019s view (the task workflow\u2019s getStatus query); staff get it without `price`.' });
export type TaskResponse = z.infer<typeof taskResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Query parameters
// ---------------------------------------------------------------------------------------------

/** Values that go into a visibility query: no quotes or backslashes, so nothing can escape the literal. */
export const filterValue = z
  .string()
  .min(1)
  .max(100)
  .refine((v) => !/['"\\]/.test(v) && [...v].every((c) => c.charCodeAt(0) >= 0x20), 'must not contain quotes, backslashes or control characters');

const booleanParam = z.enum(['true', 'false']);

/** Words someone typed to find something: quotes and wildcards are letters like any other (the store writes them as values, never as SQL). */
const searchText = z
  .string()
  .trim()
  .min(1)
  .max(100)
  // Tabs and line breaks (pasted) part words like spaces; other control characters are refused.
  .refine((v) => [...v].every((c) => /\s/.test(c) || (c.charCodeAt(0) >= 0x20 && c !== '\u007f')), 'must not contain control characters');

export const paginationQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Items per page (1-100).' }),
  pageToken: z
    .string()
    .max(4_000)
    .regex(/^[A-Za-z0-9_-]+$/, 'expected the nextPageToken of a previous page')
    .optional()
    .meta({ description: 'The `nextPageToken` of the previous page.' }),
});

/**
 * The portfolio's sets of projects that need someone (each a tile of the portfolio report, by the
 * same rule as its count): work overdue, a cancelled project with money to settle, an open
 * complaint, a payment past due, a refund owed. Only running projects are in any of them.
 */
export const PORTFOLIO_SETS = ['overdue', 'settle', 'complaints', 'payments', 'refunds'] as const;
export const portfolioSetSchema = z.enum(PORTFOLIO_SETS);
export type PortfolioSet = z.infer<typeof portfolioSetSchema>;

/** The most clients the portfolio's filters take at once (`clientId` given that many times): a KPI list's clients in one link. */
export const CLIENT_FILTER_MAX = 100;

/**
 * One client, or a set of them (`clientId` given several times, as OpenAPI writes an array in a
 * query): the projects of any of them. The array is tried first so that a set too long is told
 * so, not that it is no text.
 */
const clientFilter = z.union([
  z.array(filterValue).min(1).max(CLIENT_FILTER_MAX, `at most ${CLIENT_FILTER_MAX} clients at once`),
  filterValue,
]);

/** The store's finding for the `clientId` asked: one client as it always was, several as a set (each once). */
export function clientsAsked(clientId: string | string[] | undefined): { clientId?: string; clientIds?: string[] } {
  if (clientId === undefined) return {};
  return typeof clientId === 'string' ? { clientId } : { clientIds: [...new Set(clientId)] };
}

export const projectListQuerySchema = paginationQuerySchema
  .extend({
    stage: projectStageSchema.optional(),
    managerId: filterValue.optional().meta({ description: 'Leadership only; managers always see their own.' }),
    clientId: clientFilter.optional().meta({
      description: `Only this client\u2019s projects; given several times (at most ${CLIENT_FILTER_MAX}), the projects of any of those clients (the KPIs\u2019 regular clients, say).`,
    }),
    segment: segmentSchema.optional(),
    overdue: booleanParam.optional(),
    only: portfolioSetSchema.optional().meta({
      description:
        'Only the projects of one of the portfolio report\u2019s sets, every one however old, by the rule of its count: `overdue` (work past due), `settle` (cancelled, money to settle), `complaints` (an open complaint), `payments` (a payment past due), `refunds` (a refund owed).',
    }),
    q: searchText.optional().meta({
      description:
        'Words to find, as typed (1-100 characters): a project is listed when every word is part of its title, its client\u2019s name or its client\u2019s id, in any case, accents aside ("muller" finds "Müller"). `%` and `_` are letters here, not wildcards. Every matching project however old, newest first like the rest of the list.',
    }),
  })
  .strict();
export type ProjectListQuery = z.infer<typeof projectListQuerySchema>;

/**
 * The portfolio as a CSV file: the project list's filters, refused alike, and every project they
 * find in one file (no pages). `finished=hidden` leaves out what the portal's Portfolio hides
 * until asked: completed and cancelled projects with nothing left to do.
 */
export const portfolioCsvQuerySchema = projectListQuerySchema
  .omit({ pageSize: true, pageToken: true })
  .extend({
    finished: z
      .enum(['shown', 'hidden'])
      .default('shown')
      .meta({
        description:
          '`shown` (the default): every project found, as the project list has them. `hidden`: without completed and cancelled projects that have nothing left to do, as the portal\u2019s Portfolio shows it until its \u201cShow completed and cancelled projects\u201d is ticked \u2014 a cancelled project with money to settle, and a completed one with a complaint or a refund open, stay.',
      }),
  })
  .strict();
export type PortfolioCsvQuery = z.infer<typeof portfolioCsvQuerySchema>;

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

export const plannedTaskQuerySchema = z
  .object({
    department: departmentSchema.optional().meta({ description: 'Staff always see their own department.' }),
    managerId: filterValue.optional().meta({ description: 'Leadership only; managers always see their own projects\u2019 planned work.' }),
  })
  .strict();

/**
 * The portfolio's search and its Client and Segment choices narrow the report as they narrow the
 * project list (the same parameters, refused alike, and the same rule in the store), so the tiles
 * count what the cards below them were found by.
 */
export const portfolioQuerySchema = z
  .object({
    managerId: filterValue.optional().meta({ description: 'Leadership: one manager\u2019s slice. Managers always get their own.' }),
    clientId: clientFilter
      .optional()
      .meta({ description: 'Only this client\u2019s projects (and their tasks), as the project list\u2019s `clientId`; given several times, those of any of the clients.' }),
    segment: segmentSchema.optional().meta({ description: 'Only projects of this segment\u2019s clients (and their tasks), as the project list\u2019s `segment`.' }),
    q: searchText.optional().meta({
      description:
        'Only the projects the project list finds by these words (its `q`: every word part of the title, the client\u2019s name or id, any case, accents aside), and their tasks. Every count is then of those projects; `scope` says so.',
    }),
  })
  .strict();

export const emptyBodySchema = z.object({}).strict();

/**
 * The most clients one read of the directory gives: the portfolio's client choice lists the whole
 * directory (every client of the agency, the most recently active first), the new-project form a
 * handful as a name is typed.
 */
export const CLIENT_LIST_MAX = 1_000;

/** The agency's client directory, for the new-project form and the portfolio's client choice: the same client under the same id. */
export const clientListQuerySchema = z
  .object({
    q: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'Words of the client’s name or id, as typed: any case, accents, punctuation and legal-form words aside, a letter off found too (see `match`).' }),
    id: filterValue.optional().meta({ description: 'Exactly this client id (is it a known client?).' }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(CLIENT_LIST_MAX)
      .default(10)
      .meta({ description: `At most this many clients (1-${CLIENT_LIST_MAX}), the most recently active first.` }),
  })
  .strict();

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

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A report boundary: a date (midnight UTC) or an ISO 8601 date-time with offset. */
export const reportDateSchema = z
  .string()
  .refine(
    (v) => (DAY_ONLY.test(v) ? z.iso.date().safeParse(v).success : isoDateTimeSchema.safeParse(v).success),
    'expected a date such as 2026-01-31 or an ISO 8601 date-time such as 2026-01-31T00:00:00Z',
  );
export const reportDate = (value: string): Date => new Date(DAY_ONLY.test(value) ? `${value}T00:00:00Z` : value);
/**
 * The UTC offset, in minutes, a report boundary was written at: 0 for a date (a UTC day) or a
 * time in `Z`, +540 for `2026-12-05T00:00:00+09:00`. The report reads its days and weeks at it,
 * so a reader who asks for their own midnights gets their own days back.
 */
export function reportOffsetMinutes(value: string): number {
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(value);
  if (DAY_ONLY.test(value) || !offset) return 0;
  return (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
}

export const kpiQuerySchema = z
  .object({
    from: reportDateSchema.optional().meta({
      description:
        'Start of the period, inclusive: a date (00:00 UTC) or a date-time with its offset (a reader\u2019s own midnight, e.g. `2026-12-01T00:00:00+09:00`). Without `timeZone`, the weekly series cuts its weeks at Monday 00:00 at the offset the period is written at (`from`\u2019s, else `to`\u2019s; UTC for a date). Default: 90 days before `to`.',
    }),
    to: reportDateSchema
      .optional()
      .meta({ description: 'End of the period, exclusive: a date (00:00 UTC) or a date-time with its offset (the midnight after the last day wanted). Default: now. At most 1,100 days after `from`.' }),
    timeZone: timeZoneSchema.optional().meta({
      description:
        'The reader\u2019s IANA time zone, e.g. `Europe/Berlin`: the weekly series cuts its weeks at Monday 00:00 there, summer time included (a fixed offset would leave an hour-long week at one end of a period across a change of clocks).',
    }),
    managerId: filterValue.optional().meta({ description: 'Leadership: one manager\u2019s projects. Managers always get their own (another manager\u2019s id is 403).' }),
    segment: segmentSchema.optional().meta({ description: 'Only projects of B2B or of B2C clients.' }),
    department: departmentSchema
      .optional()
      .meta({ description: 'Narrows the task figures (delivery, review rounds, workload, deliveries in the series); project and money figures always cover whole projects.' }),
  })
  .strict();
export type KpiQueryParams = z.infer<typeof kpiQuerySchema>;

/**
 * The deliveries behind the KPI report's delivery figures: the report's own query (the same
 * period, time zone, manager, segment and department, so the list counts what the figure counted)
 * and what the figure was: late or on time, one week of the series.
 */
export const kpiDeliveryQuerySchema = kpiQuerySchema
  .extend({
    late: booleanParam.optional().meta({
      description: '`true`: only deliveries after the original due date (the report\u2019s `late`); `false`: only those at or before it (`onTime`). Both without it (`delivered`).',
    }),
    week: reportDateSchema.optional().meta({
      description:
        'One week of the report\u2019s weekly series: its `weekStart` as the report with this same query gives it (e.g. `2026-01-19T00:00:00.000Z`). Only the part of that week inside the period counts, as in the series. A time that starts no week of the period is a 400.',
    }),
  })
  .strict();
export type KpiDeliveryQueryParams = z.infer<typeof kpiDeliveryQuerySchema>;

export const SALES_PERIOD_PATTERN = /^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/;
export const salesPeriodSchema = z
  .string()
  .regex(SALES_PERIOD_PATTERN, 'expected a year (2026), a quarter (2026-Q1) or a month (2026-03)')
  .meta({ description: 'A year (`2026`), a quarter (`2026-Q1`) or a month (`2026-03`), in UTC.', example: '2026-Q1' });

export const salesTargetParamsSchema = z.object({
  managerId: z.string().meta({ description: 'The manager\u2019s person id.', example: 'anna.manager' }),
  period: salesPeriodSchema,
});

const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export const salesTargetRequestSchema = z
  .object({
    amount: amountSchema.refine((n) => n > 0, 'must be positive').meta({ description: 'Paid revenue the manager should bring in over the period.' }),
    // A target in a made-up currency could never be fulfilled: only codes ISO 4217 knows.
    currency: currencySchema.refine((code) => KNOWN_CURRENCIES.has(code), 'not a currency code (ISO 4217, such as EUR or USD)'),
  })
  .strict();

export const salesTargetListQuerySchema = z
  .object({
    managerId: filterValue.optional().meta({ description: 'Leadership: one manager. Managers always get their own.' }),
    period: salesPeriodSchema.optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

export const isoDate = z.string().meta({ format: 'date-time' });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    department: departmentSchema.optional().meta({
      description: 'On the 403 a staff member gets for another department\u2019s task: the task\u2019s department (the `detail` says it in words).',
    }),
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
    dueAt: isoDate
      .optional()
      .meta({ description: 'When its last task (cancelled ones aside) is due; before there are tasks, the client\u2019s date (`clientDueAt`).' }),
    clientDueAt: isoDate.optional().meta({ description: 'The date the client asked for the whole project by.' }),
    plannedEndAt: isoDate.optional().meta({
      description:
        'When the planned work ends: its last task\u2019s due date (cancelled ones aside); before any task has started, the approved plan\u2019s last. None while no plan is approved.',
    }),
    endsAfterClientDate: z.boolean().meta({
      description:
        'The planned work ends after the client\u2019s date (`plannedEndAt` later than `clientDueAt`) and is still to be delivered and accepted: never in invoicing or closing, nor once the project has ended. Says nothing about now: work already past due is `overdue`.',
    }),
    overdue: z.boolean(),
    stageEnteredAt: isoDate.optional().meta({
      description: 'When the project entered its stage: for a completed or cancelled project (stages it never leaves), when it completed or was cancelled.',
    }),
    hasOpenComplaint: z.boolean(),
    complaintDueAt: isoDate
      .optional()
      .meta({ description: 'With an open complaint: by when the oldest one should be resolved (the policy\u2019s time after it was recorded).' }),
    paymentDueAt: isoDate.optional(),
    refundDueAt: isoDate
      .optional()
      .meta({ description: 'The earliest due date of a refund the agency owes the client (a credit note not yet paid out nor set off).' }),
    amountOwed: amountSchema.optional().meta({
      description:
        'What the client still owes on the project\u2019s open invoices (credit notes aside), after payments and set-offs, in `currency`; the earliest of their due dates is `paymentDueAt`. Absent when nothing is owed.',
    }),
    refundOwed: amountSchema.optional().meta({
      description:
        'What the agency still owes the client on the project\u2019s open credit notes (refunds), after what was paid out and set off, in `currency`; the earliest of their due dates is `refundDueAt`. Absent when no refund is owed.',
    }),
    invoiced: z.number().meta({
      description:
        'What the project billed, net, in `currency`, over its whole life: invoices issued (prepayment, final, cancellation), less what was voided and less its credit notes for a compensation or a cancellation\u2019s settlement; not a credit note giving back an overpayment (it returns money the client paid beyond an invoice, nothing sold is taken back; its refund counts in `paid`). The KPI report\u2019s `netInvoiced` (`money`) for this project, summed over periods covering it. 0 when nothing was invoiced; never absent.',
    }),
    paid: z.number().meta({
      description:
        'What the client paid, net, in `currency`, over the project\u2019s whole life: payments recorded on its invoices, less payments taken back (returned by the bank, entered by mistake) and less refunds paid out on its credit notes. The KPI report\u2019s `netPaid` (`money`) for this project, summed over periods covering it. 0 when nothing was paid; never absent.',
    }),
    currency: currencySchema,
    deliveriesToReview: z
      .number()
      .int()
      .meta({ description: 'Deliveries waiting for the manager\u2019s review (tasks submitted, neither accepted nor sent back yet): this project\u2019s part of the review queue.' }),
    planSentBack: z.boolean().meta({
      description: 'In planning: leadership sent the last plan back and the manager is revising it. False while no plan has been sent yet, and in every other stage.',
    }),
    changesAskedAt: isoDate.optional().meta({
      description:
        'The client asked for changes (on their page, or by mail or phone as the manager recorded it) and the request waits for the manager\u2019s answer (a round of changes, or an answer without one): when the oldest such request was made. Absent when none waits.',
    }),
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
    reviewRounds: z.number().int().meta({ description: 'Times the task was sent back for changes (a claimed task with rounds is back in hand after a review).' }),
    clientName: z.string().optional(),
    submittedAt: isoDate.optional().meta({ description: 'When the latest delivery was made.' }),
    acceptedAt: isoDate.optional().meta({ description: 'When the manager accepted the work (a list of accepted tasks comes newest accepted first).' }),
    waitingFor: z
      .array(z.string())
      .optional()
      .meta({ description: 'A waiting task: the titles of the tasks it depends on that are not accepted yet (it opens once all are).' }),
    executionStatus: executionStatusSchema,
    href: z.string(),
  })
  .meta({ id: 'TaskListItem' });

export const taskListSchema = z
  .object({ items: z.array(taskListItemSchema), nextPageToken: z.string().optional() })
  .meta({ id: 'TaskList' });

/**
 * A task of an approved plan whose project has not started it: the project waits for its
 * prepayment before it starts any task (its policy). No task workflow exists yet, so there is
 * nothing to open or claim.
 */
export const plannedTaskItemSchema = z
  .object({
    taskId: z.string().meta({ description: 'The id the task will have once its project starts it; until then `GET /api/tasks/{taskId}` is 404 \u201chas not started yet\u201d.' }),
    projectId: z.string(),
    projectTitle: z.string(),
    title: z.string(),
    department: departmentSchema,
    managerId: z.string(),
    dueAt: isoDate.meta({ description: 'The due date in the approved plan.' }),
    estimateHours: z.number(),
    waitingFor: z
      .array(z.string())
      .optional()
      .meta({ description: 'The titles of the plan\u2019s tasks it depends on: once started, it opens when all of them are accepted.' }),
    prepayment: z
      .object({ invoiceNumber: z.string(), dueAt: isoDate })
      .meta({ description: 'The prepayment invoice the project waits for: its tasks start once it is paid.' }),
  })
  .meta({ id: 'PlannedTaskItem' });
export type PlannedTaskItem = z.infer<typeof plannedTaskItemSchema>;

export const plannedTaskListSchema = z.object({ items: z.array(plannedTaskItemSchema) }).meta({ id: 'PlannedTaskList' });

/** What the person doing a task needs besides the task: the client's request, and the work it builds on. */
export const taskContextSchema = z
  .object({
    taskId: z.string(),
    projectTitle: z.string(),
    clientName: z.string(),
    brief: z.string().meta({ description: 'The client\u2019s request, as the manager took it at intake.' }),
    desiredDeadline: isoDate.meta({ description: 'When the client wants the whole project by.' }),
    complaint: z
      .object({ at: isoDate, description: z.string() })
      .optional()
      .meta({ description: 'For a fix sent back for a complaint after completion: the client\u2019s complaint it answers (the client\u2019s date is long past and says nothing about it).' }),
    buildsOn: z
      .array(
        z.object({
          taskId: z.string(),
          title: z.string(),
          department: departmentSchema,
          status: taskStatusSchema,
          why: z.enum(['dependency', 'revised']).meta({ description: '`dependency`: the task waits for it; `revised`: a revision task (or a complaint\u2019s fix) reworks it.' }),
          accepted: deliverableSchema.extend({ acceptedAt: isoDate.optional() }).optional().meta({ description: 'Its accepted delivery (summary and links), once accepted.' }),
        }),
      )
      .meta({ description: 'The work this task builds on: the tasks it waits for, or for a revision task (or a complaint\u2019s fix) its department\u2019s accepted work; each with its accepted delivery.' }),
    waitingOnIt: z
      .array(z.object({ taskId: z.string(), title: z.string(), department: departmentSchema, status: taskStatusSchema, dueAt: isoDate }))
      .meta({ description: 'The tasks of the project that wait for this one (they depend on it), not cancelled: whose work a late delivery holds up.' }),
  })
  .meta({ id: 'TaskContext' });
export type TaskContext = z.infer<typeof taskContextSchema>;

/** What a client sees of their project through their link: no internal comments, people's ids or prices per task. */
export const clientProjectViewSchema = z
  .object({
    projectId: z.string(),
    agencyName: z.string().meta({ description: 'The agency the client deals with (AGENCY_NAME, as on its papers): the page is theirs, not the software\u2019s.' }),
    title: z.string(),
    clientName: z.string(),
    stage: projectStageSchema,
    desiredDeadline: isoDate,
    manager: z.object({ name: z.string(), email: z.string().optional() }).meta({ description: 'Their account manager: whom to write to.' }),
    plan: z
      .object({
        total: z.number().meta({ description: 'The approved plan\u2019s total: the rounds of changes beyond the included ones are not in it (`extraRounds`).' }),
        currency: z.string(),
        prepaymentPercent: z.number(),
        includedRevisionRounds: z.number().int(),
        extraRounds: z
          .array(
            z.object({
              round: z.number().int().meta({ description: 'The round\u2019s number (1 is the first round of changes).' }),
              amount: z.number().meta({ description: 'The round\u2019s price, as the manager recorded it with the round, in the plan\u2019s currency.' }),
            }),
          )
          .meta({
            description:
              'The rounds of changes beyond the included ones that have a price, oldest first: what the final invoice adds to the plan for them (the same rounds and prices it bills). Empty when there are none.',
          }),
        totalWithExtraRounds: z.number().meta({ description: '`total` and the `extraRounds` together: the agreed price in all (`total` when there are none).' }),
      })
      .optional()
      .meta({ description: 'The agreed plan (once approved), and the rounds of changes beyond it with their price.' }),
    work: z
      .array(
        z.object({
          title: z.string(),
          department: departmentSchema,
          progress: z.enum(['planned', 'in_progress', 'done', 'cancelled']),
          dueAt: isoDate,
          revisionRound: z.number().int().optional(),
          delivered: deliverableSchema.pick({ summary: true, links: true }).optional().meta({ description: 'The accepted delivery, once the work is with the client for review.' }),
        }),
      )
      .meta({ description: 'The agreed work, piece by piece (revisions too).' }),
    respondBy: isoDate.optional().meta({ description: 'In client review: by when the agency asks for an answer.' }),
    complaintsHeardUntil: isoDate
      .optional()
      .meta({ description: 'Once completed: until when a complaint about the work is still heard (the project\u2019s complaint window).' }),
    waitingForPrepayment: z
      .object({
        invoiceNumber: z.string(),
        stillOwed: z.number().meta({ description: 'What is left to pay on it.' }),
        currency: z.string(),
        dueAt: isoDate,
      })
      .optional()
      .meta({
        description:
          'While the work waits for the prepayment (the project\u2019s policy starts it only once the prepayment invoice is paid): that invoice. The work starts once it is paid.',
      }),
    finalInvoiceToCome: z
      .number()
      .optional()
      .meta({
        description:
          'While the work is under way or with the client, and once it is accepted until the final invoice is issued (stage `invoicing`: the invoice is being made; not cancelled): what the final invoice will ask as things stand, by the workflow\u2019s own rule (the approved plan, less the prepayment invoiced and the compensations agreed, plus extra revision rounds). 0: nothing more is invoiced. Absent once the final invoice is issued, or once the workflow found nothing left to invoice.',
      }),
    invoices: z.array(
      z.object({
        number: z.string(),
        kind: z.string(),
        amount: z.number(),
        currency: z.string(),
        issuedAt: isoDate,
        dueAt: isoDate,
        status: z.string(),
        stillOwed: z.number().meta({ description: 'What is left to pay (on a credit note: to be refunded to the client).' }),
        paid: z.number().meta({ description: 'Money that actually moved: paid by the client (on a credit note: refunded to them). Not what credit notes took off.' }),
        setOffs: z
          .array(z.object({ invoiceNumber: z.string(), amount: z.number() }))
          .meta({
            description:
              'Credit notes taken off this invoice (on a credit note: the invoices it was taken off), one entry per other side, net of any undone; no money moved for these.',
          }),
        payments: z
          .array(z.object({ amount: z.number(), paidAt: isoDate }))
          .meta({ description: 'The money received on it, by the day it was paid (on a credit note: the refunds paid to the client).' }),
        returned: z
          .array(z.object({ amount: z.number(), paidAt: isoDate, returnedAt: isoDate }))
          .meta({
            description:
              'Payments the client made on this invoice that their bank returned, so they never reached the agency (the invoice is owed again for them): by the day paid and the day it came back. Not on credit notes; a payment the agency recorded by mistake is not listed (it was never made).',
          }),
        href: z.string().optional(),
      }),
    ),
    compensations: z
      .array(
        z.object({
          amount: z.number().meta({ description: 'The compensation agreed.' }),
          currency: z.string(),
          complaintAt: isoDate.meta({ description: 'When the client made the complaint it makes up for.' }),
          complaintAbout: z.string().meta({ description: 'What that complaint was about, as recorded (the client\u2019s mail resolving it quotes it too).' }),
          agreedAt: isoDate.meta({ description: 'When it was agreed (the complaint resolved).' }),
          settledBy: z.enum(['final_invoice_to_come', 'invoice', 'credit_note', 'nothing_left_to_bill']).meta({
            description:
              '`final_invoice_to_come`: it will be taken off the final invoice; `invoice`: taken off the invoice `invoiceNumber`; `credit_note`: given back by the credit note `invoiceNumber` (see that row for what it took off and refunded); `nothing_left_to_bill`: taken off a price nothing was left to bill of.',
          }),
          invoiceNumber: z.string().optional(),
          takenOff: z.number().optional().meta({ description: 'When less than agreed could be taken off (a cancelled project: the work accepted allowed no more): what was.' }),
        }),
      )
      .meta({ description: 'Money agreed to make up for the client\u2019s complaints, and where each went. No resolution notes (those are the agency\u2019s).' }),
    complaintsBeingPutRight: z
      .array(
        z.object({
          complaintAt: isoDate.meta({ description: 'When the client made the complaint.' }),
          complaintAbout: z.string().meta({ description: 'What the complaint was about, as recorded (as in `compensations`).' }),
          work: z
            .array(
              z.object({
                department: departmentSchema,
                dueAt: isoDate.meta({ description: 'By when it is to be redone (the fix\u2019s due date as it stands).' }),
                redoneAt: isoDate.optional().meta({ description: 'Once the fix is accepted: when.' }),
              }),
            )
            .meta({ description: 'The work redone for it, free of charge, by department.' }),
        }),
      )
      .meta({
        description:
          'Complaints made after completion whose work was sent back to the departments that did it, while the complaint is open (resolved, it is said as any resolved complaint). Never what the departments were told to redo, the tasks or who does them.',
      }),
    documents: z.array(z.object({ kind: z.string(), number: z.string().optional(), createdAt: isoDate, href: z.string() })),
    mayAnswer: z
      .object({
        accept: z.boolean().meta({ description: 'The delivered work is with the client for review: they may accept it here.' }),
        complain: z.boolean().meta({ description: 'A complaint is heard now (the work under way, with the client, being paid for, or completed within its complaint window).' }),
        askForChanges: z
          .boolean()
          .meta({ description: 'The delivered work is with the client for review and no request of theirs for changes is waiting for the manager: they may ask for changes here.' }),
      })
      .meta({
        description:
          'What the client may answer on their page now (`POST /api/client/projects/{id}/answers`); the project has the last word. Changes asked for wait for the manager, who records a round (departments, dates, any price) or answers without one.',
      }),
    changeRequests: z
      .array(
        z.object({
          at: isoDate,
          name: z.string().meta({ description: 'Who at the client asked, as they gave their name.' }),
          description: z.string(),
          recordedByManager: z.boolean().meta({ description: 'Asked by mail or phone, and recorded by the account manager (false: asked on this page).' }),
          status: z.enum(['waiting', 'round_recorded', 'declined', 'accepted_instead', 'project_cancelled']).meta({
            description:
              '`waiting`: with the manager (the review period is paused meanwhile); `round_recorded`: a round of changes is being worked on for it; `declined`: the manager answered without a round (`reply` says why); `accepted_instead`: the work was accepted before the manager answered; `project_cancelled`: the project was cancelled before the manager answered, and it will not be.',
          }),
          answeredAt: isoDate.optional().meta({ description: 'When it was answered, or closed by the project\u2019s cancellation.' }),
          reply: z.string().optional().meta({ description: 'The manager\u2019s answer when no round of changes followed.' }),
          extraPrice: z
            .number()
            .optional()
            .meta({ description: 'The round of changes recorded for it is beyond the included ones: its price (in the plan\u2019s currency), which the final invoice adds. Absent for an included round, or one without a price.' }),
        }),
      )
      .meta({ description: 'The changes asked for, on this page or by mail or phone (`recordedByManager`), oldest first.' }),
    answeredHere: z
      .array(
        z.object({
          kind: z.enum(CLIENT_ANSWER_KINDS),
          at: isoDate,
          name: z.string().meta({ description: 'Who at the client answered, as they gave their name.' }),
          rating: z.number().int().optional(),
          comment: z.string().optional(),
          description: z.string().optional().meta({ description: 'A complaint: what it is about.' }),
        }),
      )
      .meta({ description: 'The answers given on this page, oldest first (answers given to the manager are recorded by them, and not listed here).' }),
  })
  .meta({ id: 'ClientProjectView' });

/**
 * A client's answer on their own page: they accept the delivered work (with a rating), ask for
 * changes (the manager makes a round of them, or answers without one), or make a complaint. Who at the client answers gives their name (the link has no account behind it).
 */
const clientContactSchema = z
  .string({ error: 'your name, as the agency should know who answered' })
  .trim()
  .min(1, 'your name, as the agency should know who answered')
  .max(200, 'at most 200 characters');
export const clientAnswerSchema = z
  .discriminatedUnion(
    'kind',
    [
      z
        .object({
          kind: z.literal('accepted'),
          name: clientContactSchema,
          rating: z
            .number({ error: 'a whole number from 1 (poor) to 5 (excellent)' })
            .int('a whole number from 1 (poor) to 5 (excellent)')
            .min(1, 'a whole number from 1 (poor) to 5 (excellent)')
            .max(5, 'a whole number from 1 (poor) to 5 (excellent)'),
          comment: z.string().trim().max(5_000, 'at most 5,000 characters').default(''),
        })
        .strict(),
      z
        .object({
          kind: z.literal('complaint'),
          name: clientContactSchema,
          description: z.string({ error: 'say what is wrong' }).trim().min(1, 'say what is wrong').max(5_000, 'at most 5,000 characters'),
        })
        .strict(),
      z
        .object({
          kind: z.literal('changes'),
          name: clientContactSchema,
          description: z.string({ error: 'say what should change' }).trim().min(1, 'say what should change').max(5_000, 'at most 5,000 characters'),
        })
        .strict(),
    ],
    { error: 'expected "accepted", "changes" or "complaint"' },
  )
  .meta({ id: 'ClientAnswer' });
export type ClientAnswer = z.infer<typeof clientAnswerSchema>;
export type ClientProjectView = z.infer<typeof clientProjectViewSchema>;

export const clientLinkSchema = z
  .object({
    url: z.string().meta({ description: 'The link to send the client: anyone who has it sees the project as the client does. Every mail to the client carries it.' }),
    generation: z.number().int().min(0).meta({ description: 'Which link of the project this is (0 until it is first renewed); a renewal names it.' }),
  })
  .meta({ id: 'ClientLink' });

export const clientLinkRenewalSchema = z
  .object({
    replaces: z
      .number({ error: 'the generation of the link to replace, a whole number' })
      .int('the generation of the link to replace, a whole number')
      .min(0, 'the generation of the link to replace, a whole number')
      .meta({ description: 'The `generation` of the link being replaced, as the link was read: sent again (a retry), the same new link answers.' }),
  })
  .strict()
  .meta({ id: 'ClientLinkRenewal' });

/**
 * The key of a client's link. Any text is taken: a key cut short or mangled (a mail program breaking
 * the link) opens nothing, the same 404 as a wrong key, never a refusal of its form — the client
 * cannot tell the two apart, and neither should a guesser. Other query parameters are ignored, not
 * refused: a link forwarded through a newsletter tool or a tracker comes back with `utm_source` and
 * the like, and the client must still get their page.
 */
export const clientKeyQuerySchema = z.object({
  key: z.string().meta({ description: 'The key of the client\u2019s link (32 characters, as the link has it). Any other key, of any form, is the 404 of a wrong key. Other query parameters (`utm_source`, …) are ignored.' }),
});

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
    scope: z
      .object({
        managerId: z.string().optional(),
        clientId: z.string().optional(),
        clientIds: z.array(z.string()).optional().meta({ description: 'The clients asked for together (`clientId` given several times), each once.' }),
        segment: segmentSchema.optional(),
        q: z.string().optional(),
      })
      .meta({ description: 'What the report counts: every project the caller sees, or of them one manager\u2019s, and those the `clientId`, `segment` and `q` asked for find.' }),
    projects: z.object({
      byStage: z.object(Object.fromEntries(PROJECT_STAGES.map((s) => [s, z.number().int()])) as Record<
        (typeof PROJECT_STAGES)[number],
        z.ZodNumber
      >),
      active: z.number().int(),
      overdue: z.number().int(),
      cancelledToSettle: z.number().int().meta({
        description:
          'Cancelled projects with money still to settle (their bill not yet paid, or a refund the agency owes): their workflow runs until it is. Not among `active`.',
      }),
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
    openComplaints: z.object({
      count: z.number().int(),
      pastDue: z.number().int().meta({ description: 'Of these, projects whose oldest open complaint is past its resolution time.' }),
      items: z.array(projectRefSchema.extend({ complaintDueAt: isoDate.optional() })),
    }),
    unpaidInvoicesPastDue: z.object({
      count: z.number().int(),
      items: z.array(projectRefSchema.extend({ paymentDueAt: isoDate.optional(), overdueMs: z.number().optional() })),
    }),
    refundsOwed: z
      .object({
        count: z.number().int(),
        pastDue: z.number().int().meta({ description: 'Of these, projects with a refund past its due date.' }),
        items: z.array(projectRefSchema.extend({ refundDueAt: isoDate.optional() })),
      })
      .meta({
        description:
          'Projects with a credit note not yet paid out nor set against an unpaid invoice (a compensation, or a cancelled project\u2019s prepayment beyond the work): money the agency owes; the project closes once it is paid. Earliest due first.',
      }),
    workOfPeopleGone: z
      .object({
        projects: z.array(z.object({ managerId: z.string(), running: z.number().int() })),
        tasks: z.array(z.object({ personId: z.string(), inWork: z.number().int() })),
      })
      .meta({
        description:
          'Work nobody can move on: running projects whose manager, and tasks in work whose holder, is no longer in the people directory (or no longer a manager, or staff) — to hand over (`POST /api/managers/{id}/handover`) or reassign (`POST /api/tasks/{taskId}/reassign`). Of the manager\u2019s projects (a manager: their own), not narrowed by client, segment or search. The most first.',
      }),
  })
  .meta({ id: 'PortfolioReport' });

// ---------------------------------------------------------------------------------------------
// Leadership's KPIs (GET /api/reports/kpis). Every figure carries its definition: the OpenAPI
// document shows them, and the CSV says the same numbers.
// ---------------------------------------------------------------------------------------------

const d = <T extends z.ZodType>(schema: T, description: string): T => schema.meta({ description });
/** A schema with its description for the API docs (the drill-down contracts beside this file use it too). */
export { d as described };
const count = (description: string) => d(z.number().int(), description);
const nullableNumber = (description: string) => d(z.number().nullable(), description);

/** What a sales target has brought in: the KPI report's sales plan and the list of targets say it alike (activities/reporting/kpis.ts, salesTargets). */
const salesPlanPaid = d(
  z.number(),
  'Net paid towards the target: payments received over its whole period in its currency, less refunds, each credited to the manager recorded with it (a later handover of the project moves none of it).',
);
const salesPlanFulfilment = d(z.number(), 'paid / the target (4 decimals): 1 is the plan met, 0 nothing paid yet.');

export const salesTargetSchema = z
  .object({
    managerId: z.string(),
    period: z.string(),
    from: d(isoDate, 'First instant of the period (UTC).'),
    to: d(isoDate, 'First instant after the period (UTC).'),
    currency: z.string(),
    amount: d(z.number(), 'The target: paid revenue the manager should bring in over the period.'),
    setBy: z.string(),
    setAt: isoDate,
    paid: salesPlanPaid,
    fulfilment: salesPlanFulfilment,
  })
  .meta({ id: 'SalesTarget', description: 'A manager\u2019s sales target for a period, set by leadership.' });
export type SalesTarget = z.infer<typeof salesTargetSchema>;

export const salesTargetListSchema = z.object({ items: z.array(salesTargetSchema) }).meta({ id: 'SalesTargetList' });

const responseStatsShape = {
  projects: count('Projects whose first plan was sent in the period.'),
  medianHours: nullableNumber('Median hours from the client\u2019s request (intake) to the first plan sent; null without projects.'),
  p90Hours: nullableNumber('90th percentile (continuous, interpolated) of the same hours.'),
  averageHours: nullableNumber('Mean of the same hours.'),
};
const responseStats = z.object(responseStatsShape);

const deliveryStatsShape = {
  delivered: count('Tasks first delivered (submitted for review) in the period.'),
  onTime: count('Of those, first delivered at or before the original due date (the due date before any move).'),
  late: count('Of those, first delivered after the original due date.'),
  onTimeRate: nullableNumber('onTime / delivered (0-1, 4 decimals); null when nothing was delivered.'),
  averageDaysLate: nullableNumber('Mean days between the original due date and the first delivery, over late tasks only; null without late tasks.'),
};

const reviewStatsShape = {
  accepted: count('Tasks accepted by their manager in the period.'),
  reviewRounds: count('Times those tasks were sent back for changes before acceptance.'),
  roundsPerTask: nullableNumber('reviewRounds / accepted (2 decimals).'),
  reworked: count('Accepted tasks that were sent back at least once.'),
  reworkRate: nullableNumber('reworked / accepted (0-1, 4 decimals).'),
};

/**
 * The money that moved in a span (the report's period, or one week of its series): gross flows,
 * each counted when it happened, and the two nets made of them. The period's figures and the
 * weekly series use these same definitions, so the weeks add up to the period.
 */
const moneyFlowShape = (span: 'the period' | 'the week') => ({
  invoiced: d(z.number(), `Invoices issued in ${span} (prepayment, final, cancellation), gross: an invoice voided later still counts here (its voided part is \`voided\`), and credit notes are \`credited\`.`),
  voided: d(z.number(), `Invoice amounts voided in ${span} (an unpaid prepayment on cancellation), whenever the invoice was issued.`),
  credited: d(
    z.number(),
    `Credit notes issued in ${span} that take money off what was invoiced (a compensation, a cancellation\u2019s settlement). Not a credit note giving back an overpayment (the client paid an invoice more than it asked): that returns money paid beyond the invoice, not what was sold; its refund counts in \`refunded\` and \`netPaid\`.`,
  ),
  netInvoiced: d(z.number(), 'invoiced \u2212 voided \u2212 credited: an overpayment\u2019s credit note is not taken off (it gives back money paid beyond the invoice; its refund counts in netPaid).'),
  paid: d(
    z.number(),
    `Payments received in ${span} (by the date the client paid), gross: refunds not subtracted. They pay invoices of any date, so they can exceed what was invoiced in ${span}.`,
  ),
  refunded: d(z.number(), `Payments made to clients on credit notes in ${span}.`),
  netPaid: d(z.number(), 'paid \u2212 refunded: money received, less what was paid back to clients.'),
});

const moneyRowShape = {
  currency: z.string(),
  planned: d(z.number(), 'Total of plans approved by leadership in the period.'),
  ...moneyFlowShape('the period'),
  outstanding: d(z.number(), 'Owed by clients at the end of the period (or now, if earlier): each invoice issued by then, less what was paid, voided and covered by credit notes set against it by then.'),
  overdue: d(z.number(), 'The part of `outstanding` on invoices already past their due date then.'),
  refundsOwed: d(
    z.number(),
    'Owed back to clients at the same moment: each credit note issued by then, less the refunds paid out, voided and set against their invoices by then.',
  ),
};
const moneyRow = z.object(moneyRowShape);

const ratingStatsShape = {
  count: count('Client acceptances with a rating (1-5) recorded in the period.'),
  average: nullableNumber('Mean rating (2 decimals); null without ratings.'),
  negative: count('Ratings of 2 or less: negative feedback.'),
  distribution: d(
    z.object(
      Object.fromEntries(['1', '2', '3', '4', '5'].map((n) => [n, count(`Ratings of ${n}.`)])) as Record<'1' | '2' | '3' | '4' | '5', z.ZodNumber>,
    ),
    'How many ratings of each value.',
  ),
};

const complaintStatsShape = {
  filed: count('Complaints (claims) recorded in the period.'),
  open: count('Of those, still unresolved now.'),
  resolved: count('Complaints resolved in the period (whenever they were filed).'),
  averageHoursToResolve: nullableNumber('Mean hours from filing to resolution over the complaints resolved in the period.'),
  medianHoursToResolve: nullableNumber('Median of the same hours.'),
};

const workloadShape = {
  open: count('Tasks in the department\u2019s queue now (open, nobody has claimed them).'),
  claimed: count('Tasks someone is working on now (claimed, not yet delivered).'),
  openHours: d(z.number(), 'Estimated hours of the open tasks.'),
  claimedHours: d(z.number(), 'Estimated hours of the claimed tasks.'),
  overdue: count('Open or claimed tasks past their due date now.'),
};

export const kpiReportSchema = z
  .object({
    generatedAt: d(isoDate, 'When this report was computed.'),
    asOf: d(isoDate.nullable(), 'The newest snapshot the reporting store has received: facts newer than this are not counted yet. Null on an empty store.'),
    scope: z.object({
      from: isoDate,
      to: isoDate,
      managerId: z.string().optional(),
      segment: segmentSchema.optional(),
      department: departmentSchema.optional(),
    }),
    responseTime: d(
      z.object({
        overall: responseStats,
        byManager: z.array(responseStats.extend({ managerId: z.string() })),
        bySegment: z.array(responseStats.extend({ segment: segmentSchema })),
        byManagerAndSegment: z.array(responseStats.extend({ managerId: z.string(), segment: segmentSchema })),
        awaitingFirstPlan: count('Requests received (intake) in the period with no plan sent yet; cancelled projects excluded.'),
      }),
      'Response time (the B2C KPI): hours from the client\u2019s request (intake) to the first plan the manager sent, counted in the period in which that plan was sent.',
    ),
    delivery: d(
      z.object({
        overall: z.object(deliveryStatsShape),
        byDepartment: z.array(z.object({ department: departmentSchema, ...deliveryStatsShape })),
        byPerson: z.array(z.object({ personId: z.string(), department: departmentSchema, ...deliveryStatsShape })),
      }),
      'Delivery: each task\u2019s FIRST delivery against its ORIGINAL due date (moving the due date does not make late work on time), counted in the period of that delivery, per department and per person who delivered.',
    ),
    quality: d(
      z.object({
        tasks: z.object(reviewStatsShape),
        byDepartment: z.array(z.object({ department: departmentSchema, ...reviewStatsShape })),
        clientRevisions: z.object({
          roundsUsed: count('Client revision rounds requested in the period.'),
          withinIncluded: count('Of those, rounds included in the plan\u2019s price.'),
          beyondIncluded: count('Of those, rounds beyond the included ones (paid extra).'),
          extraRevenue: d(
            z.array(z.object({ currency: z.string(), amount: d(z.number(), 'Extra price agreed for the rounds beyond the included ones.') })),
            'Per currency.',
          ),
          acceptedProjects: count('Projects the client accepted (or deemed accepted) in the period.'),
          acceptedProjectsRoundsUsed: count('Revision rounds those projects used in all.'),
          acceptedProjectsRoundsIncluded: count('Revision rounds their approved plans included.'),
        }),
      }),
      'Quality: review rounds per task and rework (tasks the manager sent back), and the client\u2019s revision rounds used against those included in the plan.',
    ),
    money: d(
      z.object({
        outstandingAsOf: d(isoDate, 'The end of the period, or now if earlier: when `outstanding` and `overdue` are measured.'),
        totals: z.array(moneyRow),
        byManager: z.array(moneyRow.extend({ managerId: z.string() })),
        byClient: z.array(moneyRow.extend({ clientId: z.string(), clientName: z.string() })),
        bySegment: z.array(moneyRow.extend({ segment: segmentSchema })),
        daysToPayment: z.object({
          invoices: count('Invoices paid in full in the period.'),
          averageDays: nullableNumber('Mean days from issue to the payment that settled it.'),
          medianDays: nullableNumber('Median of the same days.'),
        }),
        overdueReceivables: z.object({
          invoices: count('Invoices with money owed past their due date at `outstandingAsOf`.'),
          byCurrency: z.array(
            z.object({
              currency: z.string(),
              amount: d(z.number(), 'Owed on invoices past their due date at `outstandingAsOf`.'),
              invoices: count('How many such invoices.'),
            }),
          ),
          items: d(
            z.array(
              z.object({
                invoiceNumber: z.string(),
                projectId: z.string(),
                managerId: z.string(),
                clientId: z.string(),
                clientName: z.string(),
                currency: z.string(),
                outstanding: d(z.number(), 'Still owed on it at `outstandingAsOf`.'),
                dueAt: isoDate,
                daysOverdue: d(z.number(), 'Days from its due date to `outstandingAsOf` (2 decimals).'),
              }),
            ),
            'The 50 longest overdue.',
          ),
        }),
      }),
      'Money per currency (never converted): flows in the period, and what clients owe at its end.',
    ),
    clients: d(
      z.object({
        ratings: z.object(ratingStatsShape),
        ratingsByManager: z.array(z.object({ managerId: z.string(), ...ratingStatsShape })),
        complaints: z.object(complaintStatsShape),
        complaintsByManager: z.array(z.object({ managerId: z.string(), ...complaintStatsShape })),
        regularClients: d(
          z.object({
            count: count('Clients with two or more projects opened (intake) in the period.'),
            items: z.array(
              z.object({
                clientId: z.string(),
                clientName: z.string(),
                segment: segmentSchema,
                projects: count('Projects the client opened in the period.'),
                managerIds: z.array(z.string()),
              }),
            ),
          }),
          'Regular clients (the B2B KPI).',
        ),
        regularClientsByManager: d(
          z.array(z.object({ managerId: z.string(), count: count('Regular clients of that manager.') })),
          'Per manager: clients with two or more of that manager\u2019s projects opened in the period.',
        ),
        spend: d(
          z.object({
            previousFrom: d(isoDate, 'Start of the previous period: as long as this one, ending where it starts.'),
            previousTo: isoDate,
            totals: z.array(
              z.object({
                currency: z.string(),
                spend: d(z.number(), 'Net invoiced to all clients in the period (invoices \u2212 voided \u2212 credited: not an overpayment\u2019s credit note); below 0 when more was credited than invoiced.'),
                previousSpend: d(z.number(), 'The same in the previous period.'),
                growth: nullableNumber('(spend \u2212 previousSpend) / previousSpend (4 decimals); null unless previousSpend is above 0 (nothing spent before, or more credited than invoiced).'),
              }),
            ),
            byClient: z.array(
              z.object({
                clientId: z.string(),
                clientName: z.string(),
                segment: segmentSchema,
                currency: z.string(),
                spend: d(z.number(), 'Net invoiced to the client in the period (invoices \u2212 voided \u2212 credited: not an overpayment\u2019s credit note); below 0 when more was credited than invoiced.'),
                previousSpend: d(z.number(), 'The same in the previous period.'),
                growth: nullableNumber('(spend \u2212 previousSpend) / previousSpend (4 decimals); null unless previousSpend is above 0 (nothing spent before, or more credited than invoiced).'),
                projects: count('Projects the client opened in the period (volume).'),
                previousProjects: count('Projects the client opened in the previous period.'),
              }),
            ),
          }),
          'Client spend and volume, and their growth against the previous period of equal length (the B2B KPIs).',
        ),
      }),
      'Clients: ratings and negative feedback, complaints (the B2C KPIs); regular clients, spend and its growth (the B2B KPIs).',
    ),
    salesPlan: d(
      z.array(
        z.object({
          managerId: z.string(),
          period: z.string(),
          from: isoDate,
          to: isoDate,
          currency: z.string(),
          target: d(z.number(), 'The target leadership set.'),
          paid: salesPlanPaid,
          fulfilment: salesPlanFulfilment,
        }),
      ),
      'Sales-plan fulfilment for every target whose period overlaps the report\u2019s (segment and department filters do not apply).',
    ),
    workload: d(
      z.object({
        asOf: d(isoDate, 'Workload is measured now, whatever the period.'),
        thresholdHours: d(z.number(), 'WORKLOAD_OVERLOAD_HOURS: a person whose claimed work is estimated above this is overloaded.'),
        totals: z.object(workloadShape),
        byDepartment: z.array(z.object({ department: departmentSchema, ...workloadShape })),
        byPerson: d(
          z.array(
            z.object({
              personId: z.string(),
              department: departmentSchema,
              claimed: count('Tasks the person has claimed and not yet delivered.'),
              claimedHours: d(z.number(), 'Their estimated hours.'),
              overdue: count('Of those, past their due date.'),
              overloaded: d(z.boolean(), 'claimedHours > thresholdHours.'),
            }),
          ),
          'Every staff member of the departments in scope (all, or the `department` asked for), at 0 h when they have nothing in hand, and anyone else with claimed work in scope.',
        ),
        overloaded: d(z.array(z.string()), 'Who is above the threshold.'),
      }),
      'Workload now: open and claimed tasks and their estimated hours per department and per person.',
    ),
    series: d(
      z.array(
        z.object({
          weekStart: d(isoDate, 'Monday 00:00 in the `timeZone` asked for, else at the offset the period was asked at (`from`\u2019s, else `to`\u2019s; UTC for a date or without either); the first and last weeks count only the part inside the period.'),
          projectsOpened: count('Requests received.'),
          plansSent: count('First plans sent.'),
          medianResponseHours: nullableNumber('Median response time of those first plans.'),
          delivered: count('Tasks first delivered.'),
          onTime: count('Of those, on time against the original due date.'),
          late: count('Of those, late.'),
          complaints: count('Complaints filed.'),
          ratings: count('Ratings recorded.'),
          averageRating: nullableNumber('Their mean (2 decimals).'),
          money: d(
            z.array(z.object({ currency: z.string(), ...moneyFlowShape('the week') })),
            'Per currency, the money flows of the period\u2019s totals (`money.totals`); summed over the weeks they are those totals.',
          ),
        }),
      ),
      'A week-by-week series for charts, with the same definitions as the figures above.',
    ),
  })
  .meta({ id: 'KpiReport' });
export type KpiReport = z.infer<typeof kpiReportSchema>;

export const kpiDeliveryListSchema = z
  .object({
    scope: z.object({
      from: d(isoDate, 'Start of what is listed: the period\u2019s, or the week\u2019s when a `week` was asked (no earlier than the period).'),
      to: d(isoDate, 'End of what is listed, exclusive.'),
      week: d(isoDate, 'The week asked for, as the series names it.').optional(),
      late: d(z.boolean(), 'Only late deliveries (true) or only those on time (false); absent: both.').optional(),
      managerId: z.string().optional(),
      segment: segmentSchema.optional(),
      department: departmentSchema.optional(),
    }),
    total: count('Tasks first delivered in the scope: the report\u2019s `delivered`, `late` or `onTime` for the same query (per department with `department`, per week with `week`).'),
    limit: count('The most items one answer lists; `items` holds fewer than `total` when there are more.'),
    items: d(
      z.array(
        z.object({
          taskId: z.string(),
          projectId: z.string(),
          taskTitle: z.string(),
          projectTitle: z.string(),
          clientName: z.string(),
          department: departmentSchema,
          deliveredBy: z.string().optional().meta({ description: 'Who made the first delivery (a person id).' }),
          dueAt: d(isoDate, 'The ORIGINAL due date the delivery is measured against (the due date before any move).'),
          deliveredAt: d(isoDate, 'When the task was first delivered (submitted for review).'),
          late: d(z.boolean(), 'deliveredAt after dueAt.'),
          lateByHours: d(z.number(), 'Hours from dueAt to deliveredAt (2 decimals); 0 when on time.'),
          href: d(z.string(), 'The task: GET it here (the portal\u2019s page is /tasks/{taskId}).'),
        }),
      ),
      'Most late first (then by delivery time): what leadership asks first is which work was late and by how much, and a list cut at `limit` leaves out the least late.',
    ),
  })
  .meta({ id: 'KpiDeliveryList', description: 'The tasks behind the KPI report\u2019s delivery figures: each task\u2019s first delivery against its original due date.' });
export type KpiDeliveryList = z.infer<typeof kpiDeliveryListSchema>;

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

export const formerPersonSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    leftOn: z.iso.date().optional().meta({ description: 'The day they left, where the people file says it.' }),
  })
  .meta({ id: 'FormerPerson', description: 'Someone who left the agency, kept by name so histories and documents still name them (formerPeople in the people file).' });

export const formerPeopleListSchema = z.object({ items: z.array(formerPersonSchema) }).meta({ id: 'FormerPeopleList' });
export type FormerPeopleList = z.infer<typeof formerPeopleListSchema>;

// "Reassign all" runs as a workflow of its own (workflows/work-reassignment), whose schemas these are.
export { MAX_TASKS_PER_REASSIGN_ALL, reassignAllRequestSchema, reassignAllResultSchema, type ReassignAllResult } from '../workflows/work-reassignment/schemas';

export const clientListItemSchema = z
  .object({
    clientId: z.string(),
    name: z.string().meta({ description: 'As on the client’s newest project.' }),
    segment: segmentSchema,
    email: z.string().optional().meta({ description: 'For leadership, and for a manager who has a project with the client.' }),
    projects: z.number().int().meta({ description: 'Projects opened for the client, by any manager.' }),
    lastIntakeAt: isoDate.meta({ description: 'When the newest of them came in.' }),
    match: z
      .enum(['exact', 'similar'])
      .optional()
      .meta({
        description:
          'How the name or id holds what was searched (`q`; absent without one): `exact`, every word typed (any case, accents, punctuation and legal-form words such as Ltd or GmbH aside); `similar`, some word only with a letter wrong, missing, extra or swapped. Exact ones come first.',
      }),
  })
  .meta({ id: 'ClientListItem' });
export type ClientListItem = z.infer<typeof clientListItemSchema>;

export const clientListSchema = z.object({ items: z.array(clientListItemSchema) }).meta({ id: 'ClientList' });

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
    singleSignOn: z
      .object({ providerName: z.string(), url: z.string() })
      .optional()
      .meta({ description: 'Signed out, with OIDC_* set: the organisation\u2019s sign-in the page offers ("Sign in with <providerName>"), begun by opening `url`.' }),
  })
  .meta({ id: 'SessionState', description: 'Whether this browser is signed in, and as whom (never a 401).' });

export const singleSignOnQuerySchema = z.object({
  next: z.string().optional().meta({ description: 'The portal path to open once signed in (`/projects/p-7f3k2m9q4z`); another site\u2019s address is ignored.' }),
});

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

export type PortfolioReport = z.infer<typeof portfolioReportSchema>;
export type ProjectListItem = z.infer<typeof projectListItemSchema>;
export type TaskListItem = z.infer<typeof taskListItemSchema>;
