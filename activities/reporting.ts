/**
 * publishSnapshot: the workflows hand their whole snapshot to the reporting store whenever it
 * changes. A local activity, so the snapshot never enters Temporal history (one small marker per
 * publish); it runs inside the workflow task, so it is one statement and a few milliseconds.
 * Retries, replays and two workers racing are normal: the store keeps the newest `seq` and adds
 * each derived fact once, so a repeated publish changes nothing.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../common/logger';
import type { ProjectActivities, PublishSnapshotInput } from './contract';
import { activityLogger } from './log';
import type { ReportingStore } from './reporting/store';

export interface ReportingActivityDeps {
  /** What the activity needs of the store: one idempotent write. */
  store: Pick<ReportingStore, 'publish'>;
  logger: Logger;
}

/** Publishes slower than this are logged: they hold up the workflow task that made them. */
const SLOW_PUBLISH_MS = 250;

function invalid(message: string): ApplicationFailure {
  // A malformed snapshot is a bug in the workflow, not a passing fault: retrying cannot fix it.
  return ApplicationFailure.create({ type: 'InvalidSnapshot', message, nonRetryable: true });
}

function check(input: PublishSnapshotInput): void {
  if (!input || typeof input !== 'object') throw invalid('publishSnapshot needs an input object');
  if (!Number.isSafeInteger(input.seq) || input.seq < 0) throw invalid(`seq must be a non-negative integer, got ${String(input.seq)}`);
  if (input.kind === 'project') {
    if (!input.snapshot || input.snapshot.projectId !== input.projectId) throw invalid('the snapshot is not the project it names');
  } else if (input.kind === 'task') {
    if (!input.view || input.view.taskId !== input.taskId || input.view.projectId !== input.projectId) {
      throw invalid('the view is not the task it names');
    }
  } else {
    throw invalid(`unknown snapshot kind ${JSON.stringify((input as { kind?: unknown }).kind)}`);
  }
}

export function createReportingActivities(deps: ReportingActivityDeps): Pick<ProjectActivities, 'publishSnapshot'> {
  return {
    async publishSnapshot(input: PublishSnapshotInput): Promise<void> {
      check(input);
      const started = performance.now();
      const result = await deps.store.publish(input);
      const ms = Math.round(performance.now() - started);
      const log = activityLogger(deps.logger, {
        projectId: input.projectId,
        ...(input.kind === 'task' && { taskId: input.taskId }),
      });
      const fields = { kind: input.kind, seq: input.seq, written: result.written, factsAdded: result.factsAdded, ms };
      if (ms > SLOW_PUBLISH_MS) log.warn(fields, 'snapshot published slowly');
      else log.debug(fields, 'snapshot published');
    },
  };
}
