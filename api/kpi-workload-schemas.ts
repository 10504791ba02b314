/**
 * The tasks behind the KPI report's "Workload now" figures (GET /api/reports/kpis/workload): its
 * query and its answer. Kept beside api/schemas.ts, whose KPI query it narrows, in a file of its own
 * so the drill-down's contract reads in one place.
 */
import { z } from 'zod';
import { departmentSchema, segmentSchema } from '../workflows/shared-schemas';
import { described as d, isoDate, kpiQuerySchema, taskListQuerySchema } from './schemas';

/**
 * The report's two kinds of work in hand, in the words its charts use: `open` waits in a
 * department's queue (nobody has claimed it), `in_work` is claimed and not yet delivered (the
 * report's `claimed`).
 */
export const WORKLOAD_STATES = ['open', 'in_work'] as const;
export const workloadStateSchema = z.enum(WORKLOAD_STATES);
export type WorkloadState = z.infer<typeof workloadStateSchema>;

const count = (description: string) => d(z.number().int(), description);

/**
 * The report's own scope (manager, segment, department) and which of its workload figures was
 * followed: a person's (`assignee`), open or in work (`state`). No period: workload is measured
 * now, whatever the period, so a `from` or `to` here would be a filter that filters nothing; it is
 * refused like any other unknown parameter.
 */
export const kpiWorkloadQuerySchema = kpiQuerySchema
  .pick({ managerId: true, segment: true })
  .extend({
    department: departmentSchema.optional().meta({ description: 'Only this department\u2019s tasks: a row of the report\u2019s `workload.byDepartment`.' }),
    assignee: taskListQuerySchema.shape.assignee
      .unwrap()
      .optional()
      .meta({ description: 'Only the tasks this person (a person id) has claimed: a row of the report\u2019s `workload.byPerson`.' }),
    state: workloadStateSchema.optional().meta({
      description: '`open`: only tasks nobody has claimed yet (the report\u2019s `open`, `openHours`); `in_work`: only claimed ones (`claimed`, `claimedHours`). Both without it.',
    }),
  })
  .strict();
export type KpiWorkloadQueryParams = z.infer<typeof kpiWorkloadQuerySchema>;

const tasksAndHours = (which: string) =>
  d(
    z.object({
      tasks: count(`The ${which} tasks in scope.`),
      hours: d(z.number(), 'Their estimated hours (2 decimals).'),
    }),
    `The ${which} ones among them.`,
  );

export const kpiWorkloadListSchema = z
  .object({
    asOf: d(isoDate, 'When the work in hand was read: a task due before this is overdue. Workload is measured now, as the report\u2019s `workload.asOf`.'),
    thresholdHours: d(z.number(), 'WORKLOAD_OVERLOAD_HOURS: someone whose work in hand is estimated above this is overloaded (as the report\u2019s `workload.thresholdHours`).'),
    scope: z.object({
      managerId: z.string().optional(),
      segment: segmentSchema.optional(),
      department: departmentSchema.optional(),
      assignee: z.string().optional(),
      state: workloadStateSchema.optional(),
    }),
    total: count(
      'Open and claimed tasks in scope: for the report asked with the same manager, segment and department, `workload.totals` open + claimed; per department and state its `open` or `claimed`; per person (`assignee`, `state=in_work`) `byPerson[].claimed`.',
    ),
    totalHours: d(z.number(), 'Their estimated hours (2 decimals): the report\u2019s `openHours`, `claimedHours` or their sum, for the same scope.'),
    open: tasksAndHours('open (nobody has claimed them)'),
    inWork: tasksAndHours('in work (claimed, not yet delivered)'),
    overdue: count('Of the tasks in scope, past their due date now: the report\u2019s `overdue` for the same scope.'),
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
          state: workloadStateSchema,
          assigneeId: z.string().optional().meta({ description: 'Who has claimed it (a person id); absent while it is open.' }),
          assigneeName: z.string().optional().meta({ description: 'Their name in the people directory, or kept there after they left (formerPeople); absent for an id the file no longer has.' }),
          estimateHours: d(z.number(), 'The plan\u2019s estimate for the task.'),
          dueAt: d(isoDate, 'When it is due now (after any move of its date).'),
          overdue: d(z.boolean(), 'dueAt before asOf.'),
          href: d(z.string(), 'The task: GET it here (the portal\u2019s page is /tasks/{taskId}).'),
        }),
      ),
      'Most urgent first: the overdue ones (the longest overdue first), then by due date, soonest first; a list cut at `limit` leaves out what is due last.',
    ),
  })
  .meta({ id: 'KpiWorkloadList', description: 'The tasks behind the KPI report\u2019s workload figures: the open and claimed work in hand now.' });
export type KpiWorkloadList = z.infer<typeof kpiWorkloadListSchema>;
