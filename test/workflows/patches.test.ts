/**
 * Patch baselines (workflows/common/patches.ts): a project started with today's baseline — as the
 * API starts every new one — and its tasks record no patch markers and no TemporalChangeVersion
 * upserts, and take every patched path; a run started without a baseline (as runs from before)
 * still asks the SDK, marker by marker. Histories of both kinds are replayed when the environment
 * closes (support.ts), and the recorded fixtures in replay.test.ts.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { BASELINE_1_PATCHES, CURRENT_PATCH_BASELINE } from '../../workflows/common/patches';
import { publishAgainSignal } from '../../workflows/project/contract';
import type { TaskInput } from '../../workflows/task/contract';
import { eventually } from '../support/temporal';
import {
  approvePlan,
  patchIdsIn,
  patchIdsInWorkflowCode,
  plan,
  planTask,
  projectInput,
  recordHistory,
  startProject,
  startWorkflowTestEnv,
  taskHandle,
  waitForTask,
  type WorkflowTestEnv,
} from './support';

jest.setTimeout(120_000);

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

/**
 * Patches added after baseline 1: each must be asked through the run's `patched` (so baseline runs
 * record its marker); when a new baseline is cut, they join it. Listing one here is the decision.
 */
const PATCHES_AFTER_BASELINE_1: string[] = [
  // 2026-12-04: with no final invoice to send (nothing left to bill), the client is mailed the act to sign.
  'act-without-final-invoice',
  // 2026-12-03: a completed project is announced to leadership and its manager, the report attached.
  'announce-completion',
  // 2026-12-04: a cancellation's settlement mails (invoice voided, the bill) follow "your project is cancelled".
  'cancellation-announced-first',
  // 2026-12-03: a refund owed to the client is chased (the manager, then leadership) like a payment.
  // 2026-12-03: a cancellation takes off compensations that left nothing to bill.
  'cancellation-counts-set-offs',
  'cancellation-counts-unbilled-compensations',
  // 2026-12-04: a cancelled project's report is made again once its money is settled.
  'cancelled-report-when-settled',
  // 2026-12-05: an invoice owed again after a payment was taken back is chased afresh.
  'chase-again-after-take-back',
  'chase-refunds-owed',
  // 2026-12-05: the client is mailed that their complaint is resolved (and where a compensation goes).
  'complaint-resolved-mail',
  // 2026-12-03: a wait wakes when a complaint is recorded, so its follow-up is timed.
  'complaint-wakes-wait',
  // 2026-12-05: a completed project hears complaints for its policy's window before its workflow ends.
  'complaints-after-completion',
  // 2026-12-05: the client is mailed the completion and until when a complaint is heard.
  'completion-mailed-to-client',
  // 2026-12-04: a project without a prepayment mails the client the contract as the work starts.
  'contract-to-client',
  // 2026-12-04: work that waited for the prepayment has its due dates moved by that wait.
  'dates-from-prepayment',
  // 2026-12-03: a complaint open past the policy's time is brought to the manager and leadership.
  'follow-up-open-complaints',
  // 2026-12-04: a manager's whole handover mails both managers once, not once per project.
  'handover-summary-mail',
  // 2026-12-07: a complaint made after the window while the run is ending keeps it open (not refused).
  'hears-complaints-while-ending',
  // 2026-12-04: the client gets a receipt for each payment recorded on their invoices.
  'payment-receipt-mail',
  // 2026-12-07: a task given with others at once ("reassign all") leaves the mails to that workflow's one for all.
  'reassign-all-one-mail',
  // 2026-12-04: a refund paid out is mailed to the client.
  'refund-paid-mail',
  // 2026-12-03: a compensation's credit note is set against what the client has not paid yet.
  'set-off-credit-notes',
]; // in alphabetical order, as the code is scanned

const changeVersionUpserts = (history: temporal.api.history.v1.IHistory): number =>
  (history.events ?? []).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion).length;

/** A project with two tasks (one waiting on the other) in production, and the histories of all three. */
async function projectInProduction(patchBaseline: number | undefined) {
  const input = projectInput({ patchBaseline });
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('a', 'design'), planTask('b', 'copywriting', { dependsOn: ['a'] })]));
  await waitForTask(env, input.projectId, 'a', (v) => v.status === 'open');
  await waitForTask(env, input.projectId, 'b', (v) => v.status === 'waiting');
  const task = taskHandle(env, input.projectId, 'a');
  const taskStart = (await task.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
  const taskInput = env.temporal.client.options.loadedDataConverter.payloadConverter.fromPayload<TaskInput>(taskStart!.input!.payloads![0]);
  return { project: await handle.fetchHistory(), task: await task.fetchHistory(), taskInput };
}

test('baseline 1 holds exactly the patches in the workflow code, besides those listed as newer', () => {
  const inCode = patchIdsInWorkflowCode();
  expect([...BASELINE_1_PATCHES].filter((id) => !inCode.includes(id))).toEqual([]);
  expect(inCode.filter((id) => !BASELINE_1_PATCHES.has(id))).toEqual(PATCHES_AFTER_BASELINE_1);
});

test('a project started with today’s baseline and its tasks record no marker and no change-version upsert for the patches of their baseline', async () => {
  const { project, task, taskInput } = await projectInProduction(CURRENT_PATCH_BASELINE);
  expect(taskInput.patchBaseline).toBe(CURRENT_PATCH_BASELINE);
  // Only a patch newer than the baseline on this path writes its marker (and its upsert), until
  // the next baseline is cut: the contract mailed to the client when there is no prepayment.
  const newerOnThisPath = ['contract-to-client'];
  expect(newerOnThisPath.every((id) => PATCHES_AFTER_BASELINE_1.includes(id))).toBe(true);
  expect(patchIdsIn(project)).toEqual(newerOnThisPath);
  expect(patchIdsIn(task)).toEqual([]);
  expect(changeVersionUpserts(project)).toBe(newerOnThisPath.length);
  expect(changeVersionUpserts(task)).toBe(0);
  // The patched paths were taken: the task published its own view (task-publish-carries-view) and
  // its opening notice went its own way (notices-own-path), the project gave its task a memo.
  const scheduled = (task.events ?? []).map((e) => e.activityTaskScheduledEventAttributes).filter((a) => a !== null && a !== undefined);
  expect(scheduled.map((a) => a.activityType?.name)).toEqual(expect.arrayContaining(['publishSnapshot', 'notify']));
  const startChild = (project.events ?? []).find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)?.startChildWorkflowExecutionInitiatedEventAttributes;
  expect(Object.keys(startChild?.memo?.fields ?? {})).toEqual(expect.arrayContaining(['title', 'projectTitle']));
});

test('a run started without a baseline asks the SDK for each patch, as runs from before baselines did', async () => {
  const { project, task, taskInput } = await projectInProduction(undefined);
  expect(taskInput.patchBaseline).toBeUndefined();
  expect(patchIdsIn(task)).toEqual(
    expect.arrayContaining(['task-reports-when-quiet', 'notices-own-path', 'snapshot-publishing', 'publish-without-waiting']),
  );
  expect(patchIdsIn(project)).toEqual(expect.arrayContaining(['notices-own-path', 'snapshot-publishing', 'task-memo-titles']));
  expect(changeVersionUpserts(task)).toBeGreaterThan(0);
});

test('from baseline 2 the starter stores a project\u2019s opening snapshot: the run publishes nothing before something changes, unless asked to', async () => {
  const scheduledActivities = async (handle: WorkflowHandle, after: (events: temporal.api.history.v1.IHistoryEvent[]) => boolean) => {
    const events = await eventually(async () => {
      const history = (await handle.fetchHistory()).events ?? [];
      return after(history) ? history : undefined;
    });
    return events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
  };
  // A workflow task's commands are in the history together with its completion.
  const firstTaskDone = (events: temporal.api.history.v1.IHistoryEvent[]) => events.some((e) => e.workflowTaskCompletedEventAttributes);
  expect(await scheduledActivities(await startProject(env, projectInput({ patchBaseline: 1 })), firstTaskDone)).toEqual(['publishSnapshot']);
  const handle = await startProject(env, projectInput({ patchBaseline: 2 }));
  expect(await scheduledActivities(handle, firstTaskDone)).toEqual([]);
  // The API asks when the store refused its write: the run publishes its current snapshot.
  await handle.signal(publishAgainSignal);
  const afterSignal = (events: temporal.api.history.v1.IHistoryEvent[]) => events.filter((e) => e.workflowTaskCompletedEventAttributes).length >= 2;
  expect(await scheduledActivities(handle, afterSignal)).toEqual(['publishSnapshot']);
  await recordHistory(handle, 'project-publish-again');
});
