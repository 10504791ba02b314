/**
 * Giving every task in work of one person to someone else of the department at once (someone who
 * left, or is away): the request the API takes, the workflow's input and what it answers. Zod is
 * the one source of these types; the workflow imports them as types only (contract.ts).
 */
import { z } from 'zod';
import { actorSchema, departmentSchema } from '../shared-schemas';

/** The most tasks one "reassign all" moves; a person holds far fewer in any one manager's projects. */
export const MAX_TASKS_PER_REASSIGN_ALL = 200;

export const reassignAllRequestSchema = z
  .object({ toPersonId: z.string().min(1).max(64).meta({ description: 'Department staff of the tasks\u2019 department, who takes them.', example: 'olga.design' }) })
  .strict()
  .meta({ id: 'ReassignAllRequest' });

const reassignedTaskSchema = z.object({
  taskId: z.string(),
  projectId: z.string().optional(),
  title: z.string(),
  /** For the mail: two tasks of the same title in two projects read apart. */
  projectTitle: z.string().optional(),
  /** For the mail: the one taking them sees what comes first (and what is late already). */
  dueAt: z.string().optional(),
});

export const workReassignmentInputSchema = z.object({
  reassignmentId: z.string(),
  fromPersonId: z.string(),
  toPersonId: z.string(),
  /** The department of the one taking them (the API read it from the people directory; the task's validator compares). */
  toDepartment: departmentSchema,
  by: actorSchema,
  /** Chosen by the API from the reporting store when the request came in: the scope, fixed. */
  tasks: z.array(reassignedTaskSchema),
  /** Tasks the API already knew would stay (another department), with why: in the answer and the mail as the others. */
  stayed: z.array(reassignedTaskSchema.extend({ detail: z.string() })),
});
export type WorkReassignmentInput = z.infer<typeof workReassignmentInputSchema>;

export const reassignAllResultSchema = z
  .object({
    reassigned: z.number().int().meta({ description: 'How many tasks the person named took.' }),
    refused: z.number().int().meta({ description: 'How many stayed where they were (each says why).' }),
    tasks: z.array(
      z.object({
        taskId: z.string(),
        title: z.string(),
        outcome: z.enum(['reassigned', 'refused']),
        detail: z.string().optional().meta({ description: 'Why it stayed (another department, delivered meanwhile...).' }),
      }),
    ),
  })
  .meta({ id: 'ReassignAllResult', description: 'Task by task, the tasks in work of the person in the caller\u2019s projects, most urgent first.' });
export type ReassignAllResult = z.infer<typeof reassignAllResultSchema>;
export type ReassignedTaskOutcome = ReassignAllResult['tasks'][number];
