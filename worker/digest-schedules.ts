/**
 * The Temporal Schedules that start the weekly digests: leadership's (workflows/leadership-digest,
 * LEADERSHIP_DIGEST) and the managers' (workflows/manager-digest, MANAGER_DIGEST). Each is made or
 * brought in line with its setting by every worker at start (the last to start wins; all read the
 * same config), in the agency's zone, so "Monday 08:00" is Monday 08:00 there, summer time
 * included. `off` deletes it. Temporal keeps it: a worker that is down on Monday morning misses
 * nothing (a missed run starts within the catch-up window once Temporal runs it).
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptions, type ScheduleUpdateOptions } from '@temporalio/client';
import type { DigestSchedule } from '../common/config';
import type { Logger } from '../common/logger';
import { LEADERSHIP_DIGEST_SCHEDULE_ID, LEADERSHIP_DIGEST_WORKFLOW_TYPE } from '../workflows/leadership-digest/contract';
import { MANAGER_DIGEST_SCHEDULE_ID, MANAGER_DIGEST_WORKFLOW_TYPE } from '../workflows/manager-digest/contract';

/** Each digest: its schedule, the workflow the schedule starts, and the setting that says when (for the log). */
export const DIGESTS = {
  leadership: { scheduleId: LEADERSHIP_DIGEST_SCHEDULE_ID, workflowType: LEADERSHIP_DIGEST_WORKFLOW_TYPE, setting: 'LEADERSHIP_DIGEST' },
  manager: { scheduleId: MANAGER_DIGEST_SCHEDULE_ID, workflowType: MANAGER_DIGEST_WORKFLOW_TYPE, setting: 'MANAGER_DIGEST' },
} as const;
export type Digest = keyof typeof DIGESTS;

export interface DigestScheduleOptions {
  digest: Digest;
  schedule: DigestSchedule;
  /** AGENCY_TIME_ZONE. */
  timeZone: string;
  taskQueue: string;
  /** Tests keep schedules of their own on the shared server. */
  scheduleId?: string;
  logger: Logger;
}

/** A Monday digest that Temporal could not start at 08:00 (the server down) still goes out if it can within this. */
const CATCHUP_WINDOW = '6 hours';

export async function ensureDigestSchedule(client: Client, options: DigestScheduleOptions): Promise<'created' | 'updated' | 'deleted' | 'none'> {
  const digest = DIGESTS[options.digest];
  const scheduleId = options.scheduleId ?? digest.scheduleId;
  const handle = client.schedule.getHandle(scheduleId);
  const log = options.logger.child({ scheduleId });
  if (options.schedule === 'off') {
    try {
      await handle.delete();
      log.info(`${options.digest} digest schedule deleted (${digest.setting}=off)`);
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'none';
      throw err;
    }
  }
  const { days, hour, minute } = options.schedule;
  const wanted: Pick<ScheduleOptions, 'spec' | 'action' | 'policies'> = {
    spec: { calendars: [{ dayOfWeek: days, hour, minute }], timezone: options.timeZone },
    // One run at a time, named after the schedule (Temporal appends the time it was due).
    action: { type: 'startWorkflow', workflowType: digest.workflowType, workflowId: scheduleId, taskQueue: options.taskQueue, args: [] },
    policies: { overlap: 'SKIP', catchupWindow: CATCHUP_WINDOW },
  };
  try {
    await client.schedule.create({ scheduleId, ...wanted });
    log.info({ days, hour, minute, timeZone: options.timeZone }, `${options.digest} digest scheduled`);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await handle.update((current): ScheduleUpdateOptions => ({ ...current, ...wanted, state: current.state }));
  log.info({ days, hour, minute, timeZone: options.timeZone }, `${options.digest} digest schedule brought in line with ${digest.setting}`);
  return 'updated';
}
