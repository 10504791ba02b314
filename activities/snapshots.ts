/**
 * publishSnapshot: reads a workflow's current snapshot (its status query) and hands it to the
 * reporting store. The workflow asks after each change, passing ids only, so its history never
 * carries a copy of the snapshot; the store keeps the newest version, so a late or repeated
 * publish changes nothing.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from '../common/logger';
import { getStatusQuery, projectWorkflowId } from '../workflows/project/contract';
import { getStatusQuery as getTaskStatusQuery, taskWorkflowId } from '../workflows/task/contract';
import type { ProjectActivities, PublishSnapshotInput, SnapshotRecord } from './contract';
import { activityLogger } from './log';

/** Where snapshots go: the reporting store. */
export interface SnapshotSink {
  publish(record: SnapshotRecord): Promise<void>;
}

export interface SnapshotActivityDeps {
  client: Client;
  logger: Logger;
  /** Unset: no reporting store is configured, and snapshots are not kept (said once at debug). */
  snapshots?: SnapshotSink;
}

export function createSnapshotActivities(deps: SnapshotActivityDeps): Pick<ProjectActivities, 'publishSnapshot'> {
  return {
    async publishSnapshot(input: PublishSnapshotInput): Promise<void> {
      const log = activityLogger(deps.logger, { projectId: input.projectId, ...(input.kind === 'task' && { taskId: input.taskId }) });
      if (!deps.snapshots) {
        log.debug({ seq: input.seq }, 'no reporting store: snapshot not kept');
        return;
      }
      const record: SnapshotRecord =
        input.kind === 'project'
          ? await deps.client.workflow
              .getHandle(projectWorkflowId(input.projectId))
              .query(getStatusQuery)
              .then((snapshot) => ({ kind: 'project', projectId: input.projectId, seq: snapshot.version, snapshot }))
          : await deps.client.workflow
              .getHandle(taskWorkflowId(input.taskId))
              .query(getTaskStatusQuery)
              .then((view) => ({ kind: 'task', taskId: input.taskId, projectId: input.projectId, seq: view.version, view }));
      await deps.snapshots.publish(record);
    },
  };
}
