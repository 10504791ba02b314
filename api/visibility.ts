/**
 * Lists and counts from Temporal visibility: one list or count call per page or per number in a
 * report, filtered on our typed search attributes, never one query per project. Visibility is
 * eventually consistent: a list right after a change may lag by a moment; single objects are read
 * with their workflow's query instead.
 */
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import type { SearchAttributeKey, SearchAttributeType } from '@temporalio/common/lib/search-attributes';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { PROJECT_WORKFLOW_TYPE, projectIdFrom } from '../workflows/project/contract';
import { TASK_WORKFLOW_TYPE, taskIdFrom, parseTaskId } from '../workflows/task/contract';
import {
  AssigneeIdKey,
  ClientIdKey,
  ClientSegmentKey,
  DepartmentKey,
  DueAtKey,
  HasOpenComplaintKey,
  ManagerIdKey,
  OverdueKey,
  PaymentDueAtKey,
  ProjectIdKey,
  ProjectStageKey,
  StageEnteredAtKey,
  TaskStatusKey,
} from '../workflows/search-attributes';
import { ApiProblem, badRequest } from './errors';
import type { TemporalGateway } from './temporal-gateway';
import type { z } from 'zod';
import type { projectListItemSchema, taskListItemSchema } from './schemas';

type Key = SearchAttributeKey<SearchAttributeType>;

/** A literal for a visibility query; values are validated upstream, quotes are refused here too. */
function literal(value: string | number | boolean | Date): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (/['"\\]/.test(value)) throw badRequest([{ field: 'query', message: 'filter values must not contain quotes' }]);
  return `'${value}'`;
}

/** Builds `A = 'x' AND B IN ('y','z') AND ...` from typed keys. */
export class VisibilityQuery {
  private readonly clauses: string[] = [];

  static projects(): VisibilityQuery {
    return new VisibilityQuery().raw(`WorkflowType = ${literal(PROJECT_WORKFLOW_TYPE)}`);
  }

  static tasks(): VisibilityQuery {
    return new VisibilityQuery().raw(`WorkflowType = ${literal(TASK_WORKFLOW_TYPE)}`);
  }

  raw(clause: string): this {
    this.clauses.push(clause);
    return this;
  }

  eq(key: Key, value: string | number | boolean | Date | undefined): this {
    if (value !== undefined) this.clauses.push(`${key.name} = ${literal(value)}`);
    return this;
  }

  in(key: Key, values: readonly string[]): this {
    this.clauses.push(`${key.name} IN (${values.map(literal).join(', ')})`);
    return this;
  }

  notIn(key: Key, values: readonly string[]): this {
    this.clauses.push(`${key.name} NOT IN (${values.map(literal).join(', ')})`);
    return this;
  }

  before(key: Key, date: Date): this {
    this.clauses.push(`${key.name} < ${literal(date)}`);
    return this;
  }

  running(): this {
    return this.raw(`ExecutionStatus = 'Running'`);
  }

  copy(): VisibilityQuery {
    const next = new VisibilityQuery();
    next.clauses.push(...this.clauses);
    return next;
  }

  toString(): string {
    return this.clauses.join(' AND ');
  }
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export class Visibility {
  private readonly dataConverter: LoadedDataConverter = loadDataConverter();

  constructor(private readonly temporal: TemporalGateway) {}

  /** One page of executions; the page token is Temporal's, base64url-encoded. */
  async list(query: VisibilityQuery, options: { pageSize: number; pageToken?: string }): Promise<Page<WorkflowExecutionInfo>> {
    const nextPageToken = options.pageToken ? Buffer.from(options.pageToken, 'base64url') : undefined;
    let response;
    try {
      response = await this.temporal.call('list workflows', () =>
        this.temporal.connection.workflowService.listWorkflowExecutions({
          namespace: this.temporal.namespace,
          query: query.toString(),
          pageSize: options.pageSize,
          nextPageToken,
        }),
      );
    } catch (err) {
      // A token we did not give out fails inside the visibility store (SQL visibility answers
      // UNKNOWN for a token it cannot decode): that is the client's mistake, not ours.
      if (options.pageToken && err instanceof ApiProblem && err.status !== 503) {
        throw badRequest([{ field: 'pageToken', message: 'not a page token this list gave out (or it expired)' }]);
      }
      throw err;
    }
    const items = await Promise.all(
      response.executions.map((raw) => executionInfoFromRaw(raw, this.dataConverter, raw, this.temporal.namespace)),
    );
    const token = response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
    return { items, ...(token && { nextPageToken: token }) };
  }

  /** Every execution matching `query`, up to `max` (for short report lists). */
  async listAll(query: VisibilityQuery, max = 100): Promise<WorkflowExecutionInfo[]> {
    const out: WorkflowExecutionInfo[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.list(query, { pageSize: Math.min(100, max - out.length), pageToken });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken && out.length < max);
    return out;
  }

  async count(query: VisibilityQuery): Promise<number> {
    const result = await this.temporal.call('count workflows', (client) => client.workflow.count(query.toString()));
    return result.count;
  }
}

// ---------------------------------------------------------------------------------------------
// Rows from search attributes and memo
// ---------------------------------------------------------------------------------------------

const iso = (d: Date | undefined): string | undefined => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export type ProjectListItem = z.infer<typeof projectListItemSchema>;
export type TaskListItem = z.infer<typeof taskListItemSchema>;

export function projectItem(info: WorkflowExecutionInfo): ProjectListItem {
  const sa = info.typedSearchAttributes;
  const memo = info.memo ?? {};
  const projectId = projectIdFrom(info.workflowId) ?? info.workflowId;
  const segment = sa.get(ClientSegmentKey);
  const stage = sa.get(ProjectStageKey);
  return {
    projectId,
    title: str(memo.title),
    clientId: sa.get(ClientIdKey) ?? str(memo.clientId),
    clientName: str(memo.clientName),
    ...(segment === 'B2B' || segment === 'B2C' ? { segment } : {}),
    ...(stage !== undefined && { stage: stage as ProjectListItem['stage'] }),
    managerId: sa.get(ManagerIdKey) ?? str(memo.managerId),
    dueAt: iso(sa.get(DueAtKey)),
    overdue: sa.get(OverdueKey) ?? false,
    stageEnteredAt: iso(sa.get(StageEnteredAtKey)),
    hasOpenComplaint: sa.get(HasOpenComplaintKey) ?? false,
    paymentDueAt: iso(sa.get(PaymentDueAtKey)),
    executionStatus: info.status.name,
    startedAt: info.startTime.toISOString(),
    href: `/api/projects/${projectId}`,
  };
}

export function taskItem(info: WorkflowExecutionInfo): TaskListItem {
  const sa = info.typedSearchAttributes;
  const memo = info.memo ?? {};
  const taskId = taskIdFrom(info.workflowId) ?? info.workflowId;
  const status = sa.get(TaskStatusKey);
  const department = sa.get(DepartmentKey);
  return {
    taskId,
    projectId: sa.get(ProjectIdKey) ?? parseTaskId(taskId)?.projectId,
    title: str(memo.title),
    projectTitle: str(memo.projectTitle),
    ...(department !== undefined && { department: department as TaskListItem['department'] }),
    ...(status !== undefined && { status: status as TaskListItem['status'] }),
    assigneeId: sa.get(AssigneeIdKey),
    managerId: sa.get(ManagerIdKey),
    dueAt: iso(sa.get(DueAtKey)),
    overdue: sa.get(OverdueKey) ?? false,
    executionStatus: info.status.name,
    href: `/api/tasks/${taskId}`,
  };
}
