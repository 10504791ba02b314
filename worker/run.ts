/**
 * Starts the worker side of a process: a Temporal client for the activities (invoice numbers go
 * through an entity workflow), the activities built from config, the prebuilt workflow bundle,
 * and the supervised worker. Shared by `npm run worker` and `npm start`.
 */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { clientConnectionOptions, retryWithBackoff } from '../common/temporal';
import { resolveWorkflowBundle } from '../common/workflow-bundle';
import { createActivities, createActivityDepsFromConfig, type ReportingStore } from '../activities';
import { superviseWorker, type SupervisedWorker } from './worker';
import { DIGESTS, ensureDigestSchedule, type Digest } from './digest-schedules';
import { settleAbandonedCalls } from '../activities/cancellation';
import { applyHeapFlags } from '../common/heap-flags';
import type { PeopleDirectory } from '../common/people';

export interface RunningWorker extends SupervisedWorker {
  bundlePath: string;
  /** The people directory the activities follow (PEOPLE_FILE): the health server's /metrics reports it. */
  people: PeopleDirectory;
}

/** `reporting` is the process's reporting store: the caller opens it and closes it after `stop()`. */
export async function runWorker(config: Config, logger: Logger, reporting: ReportingStore): Promise<RunningWorker> {
  const log = logger.child({ component: 'worker' });
  // Before the worker's threads exist: their heaps are sized when they are created.
  applyHeapFlags(config.WORKER_HEAP_FLAGS);
  if (config.WORKER_HEAP_FLAGS.length > 0) log.info({ heapFlags: config.WORKER_HEAP_FLAGS }, 'V8 heap flags set');
  const bundlePath = await resolveWorkflowBundle({ bundlePath: config.WORKFLOW_BUNDLE_PATH, logger: log });
  // Lazy: the activities' client connects on first use, so an unreachable Temporal does not stop
  // the process from starting; the supervised worker below reports and retries.
  const clientConnection = Connection.lazy({ address: config.temporalAddress, ...clientConnectionOptions() });
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const deps = await createActivityDepsFromConfig(config, { client, logger: log, reporting });
  const supervised = superviseWorker({
    address: config.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    bundlePath,
    activities: createActivities(deps),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    stackTraceFrames: config.WORKER_STACK_TRACE_FRAMES,
    log,
  });
  // The weekly digests: the schedules are Temporal's; made once Temporal answers (not awaited:
  // the worker starts without them, as it does without Temporal).
  const scheduling = new AbortController();
  for (const digest of Object.keys(DIGESTS) as Digest[]) {
    void retryWithBackoff(
      () =>
        ensureDigestSchedule(client, {
          digest,
          schedule: config[DIGESTS[digest].setting],
          timeZone: config.AGENCY_TIME_ZONE,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          logger: log,
        }),
      { log, what: `Scheduling the ${digest} digest`, signal: scheduling.signal },
    ).catch(() => undefined);
  }
  return {
    ...supervised,
    bundlePath,
    people: deps.people,
    async stop() {
      scheduling.abort();
      deps.people.stopFollowing();
      await supervised.stop();
      await settleAbandonedCalls();
      await clientConnection.close().catch(() => undefined);
    },
  };
}
