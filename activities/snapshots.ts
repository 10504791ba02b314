/**
 * publishSnapshot: hands a workflow's current snapshot to the reporting store. A project passes
 * ids only and the activity reads the snapshot (its status query), so a project's history never
 * carries a copy of it; a task passes its small view along (no query; runs from before that, or a
 * very large view, pass ids and are queried). Retries, replays and two workers racing are normal:
 * the store keeps the newest `seq` and adds each derived fact once, so a late or repeated publish
 * changes nothing.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from '../common/logger';
import { getStatusQuery, projectWorkflowId } from '../workflows/project/contract';
import { getStatusQuery as getTaskStatusQuery, taskWorkflowId } from '../workflows/task/contract';
import type { ProjectActivities, PublishSnapshotInput, SnapshotRecord } from './contract';
import { untilCancelled } from './cancellation';
import { activityLogger } from './log';

/** Where snapshots go: the reporting store (its `publish` is one idempotent write). */
export interface SnapshotSink {
  publish(record: SnapshotRecord): Promise<{ written: boolean; factsAdded: number }>;
}

export interface SnapshotActivityDeps {
  client: Client;
  logger: Logger;
  snapshots: SnapshotSink;
}

/** Publishes slower than this are logged: a backlog of them delays what the reports show. */
const SLOW_PUBLISH_MS = 1_000;

export function createSnapshotActivities(deps: SnapshotActivityDeps): Pick<ProjectActivities, 'publishSnapshot'> {
  return {
    async publishSnapshot(input: PublishSnapshotInput): Promise<void> {
      const log = activityLogger(deps.logger, { projectId: input.projectId, ...(input.kind === 'task' && { taskId: input.taskId }) });
      const started = performance.now();
      // A stopping worker gives the query up (./cancellation.ts): it held shutdowns for 30 s, while
      // the deadlines of the runs the worker served passed with no worker (worker-restart test).
      const ask = <T>(query: () => Promise<T>): Promise<T> => untilCancelled(deps.client, query);
      let record: SnapshotRecord;
      if (input.kind === 'project') {
        const snapshot = await ask(() => deps.client.workflow.getHandle(projectWorkflowId(input.projectId)).query(getStatusQuery));
        record = { kind: 'project', projectId: input.projectId, seq: snapshot.version, snapshot };
      } else {
        // The view the task carried, or (runs from before that, or a view too large to carry) its query's answer.
        const view = input.view ?? (await ask(() => deps.client.workflow.getHandle(taskWorkflowId(input.taskId)).query(getTaskStatusQuery)));
        record = { kind: 'task', taskId: input.taskId, projectId: input.projectId, seq: view.version, view };
      }
      const { written, factsAdded } = await deps.snapshots.publish(record);
      const ms = Math.round(performance.now() - started);
      const fields = { kind: input.kind, asked: input.seq, seq: record.seq, written, factsAdded, ms };
      if (ms > SLOW_PUBLISH_MS) log.warn(fields, 'snapshot published slowly');
      else log.debug(fields, 'snapshot published');
    },
  };
}
