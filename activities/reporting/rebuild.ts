/**
 * Rebuilds the reporting store from Temporal: every retained project and task workflow (any
 * status) is listed through visibility; a closed workflow gives its snapshot as its result (the
 * project workflow returns its final ProjectStatus, the task workflow `{ taskKey, status, view }`),
 * a running one through its `getStatus` query, which needs a worker polling the task queue.
 *
 * Every snapshot goes through the store's one publish path, so a rebuild never duplicates what is
 * there: facts are added once by their ids, and a snapshot replaces the stored one only when its
 * seq is newer. The seq is the snapshot's own `version` when it carries one; otherwise 0, which
 * fills a missing row but never overwrites what the live feed wrote.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Logger } from '../../common/logger';
import type { SnapshotRecord } from '../contract';
import { getStatusQuery, PROJECT_WORKFLOW_TYPE, projectIdFrom, type ProjectStatus } from '../../workflows/project/contract';
import { getStatusQuery as getTaskQuery, TASK_WORKFLOW_TYPE, type TaskOutcome, type TaskView } from '../../workflows/task/contract';
import type { ReportingStore } from './store';

export interface RebuildOptions {
  client: Client;
  store: Pick<ReportingStore, 'publish'>;
  logger?: Logger;
  /** ANDed to the list query (tests: `TaskQueue = '...'`). */
  extraQuery?: string;
  /** How long one running workflow may take to answer its query. */
  queryTimeoutMs?: number;
  /** Workflows read at once. */
  concurrency?: number;
}

export interface RebuildResult {
  projects: number;
  tasks: number;
  /** Snapshots that replaced or created a stored one. */
  written: number;
  factsAdded: number;
  failed: { workflowId: string; runId: string; error: string }[];
}

const seqOf = (snapshot: object): number => {
  const version = (snapshot as { version?: unknown }).version;
  return typeof version === 'number' && Number.isSafeInteger(version) && version >= 0 ? version : 0;
};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (is a worker polling the task queue?)`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function snapshotOf(client: Client, info: WorkflowExecutionInfo, queryTimeoutMs: number): Promise<SnapshotRecord> {
  const handle = client.workflow.getHandle(info.workflowId, info.runId);
  const isProject = info.type === PROJECT_WORKFLOW_TYPE;
  let snapshot: ProjectStatus | TaskView;
  if (info.status.name === 'COMPLETED') {
    const result = (await handle.result()) as ProjectStatus | TaskOutcome;
    snapshot = isProject ? (result as ProjectStatus) : (result as TaskOutcome).view;
  } else {
    // Running, or closed without a result (terminated, failed): the query answers from its history.
    snapshot = await withTimeout<ProjectStatus | TaskView>(
      isProject ? handle.query(getStatusQuery) : handle.query(getTaskQuery),
      queryTimeoutMs,
      `query ${info.workflowId}`,
    );
  }
  if (isProject) {
    const s = snapshot as ProjectStatus;
    return { kind: 'project', projectId: s.projectId ?? projectIdFrom(info.workflowId), seq: seqOf(s), snapshot: s };
  }
  const v = snapshot as TaskView;
  return { kind: 'task', taskId: v.taskId, projectId: v.projectId, seq: seqOf(v), view: v };
}

export async function rebuildReportingStore(options: RebuildOptions): Promise<RebuildResult> {
  const { client, store } = options;
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  const concurrency = options.concurrency ?? 8;
  const query = [`WorkflowType IN ('${PROJECT_WORKFLOW_TYPE}', '${TASK_WORKFLOW_TYPE}')`, ...(options.extraQuery ? [options.extraQuery] : [])].join(' AND ');
  const result: RebuildResult = { projects: 0, tasks: 0, written: 0, factsAdded: 0, failed: [] };

  // Projects first, then their tasks: the order the live feed has them in.
  const executions: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query })) executions.push(info);
  executions.sort((a, b) => Number(a.type === TASK_WORKFLOW_TYPE) - Number(b.type === TASK_WORKFLOW_TYPE));

  let next = 0;
  const work = async (): Promise<void> => {
    while (next < executions.length) {
      const info = executions[next++];
      try {
        const snapshot = await snapshotOf(client, info, queryTimeoutMs);
        const published = await store.publish(snapshot);
        if (snapshot.kind === 'project') result.projects++;
        else result.tasks++;
        if (published.written) result.written++;
        result.factsAdded += published.factsAdded;
      } catch (err) {
        result.failed.push({ workflowId: info.workflowId, runId: info.runId, error: (err as Error).message });
        options.logger?.warn({ workflowId: info.workflowId, err: (err as Error).message }, 'rebuild: workflow skipped');
      }
    }
  };
  // Tasks of a project are read after it (the sort above) but may overlap with other projects.
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, executions.length)) }, work));
  return result;
}
