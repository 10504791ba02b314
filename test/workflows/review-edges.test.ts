/**
 * The client review and plan decision on their edges: a complaint is an answer (the acceptance
 * window waits for it) and may come after acceptance too; revision work never collides with a
 * plan task of the same name; a plan whose due dates passed while it waited is not approved into
 * a burst of overdue alarms.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { decidePlanUpdate, recordFeedbackUpdate, recordPaymentUpdate, resolveComplaintUpdate, submitPlanUpdate, type ProjectStatus } from '../../workflows/project/contract';
import {
  approvePlan,
  complaint,
  deliverTask,
  inSeconds,
  LEADER,
  MANAGER,
  noticesFor,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  startProject,
  startWorkflowTestEnv,
  statusOf,
  timelineEvents,
  waitForNotice,
  waitForStatus,
  waitForTask,
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const complain = (handle: Awaited<ReturnType<typeof startProject>>, description: string, updateId?: string) =>
  projectUpdate(handle, recordFeedbackUpdate, { args: [complaint(description)], ...(updateId && { updateId }) });

test.concurrent('a complaint pauses the acceptance window: no reminder and no deemed acceptance while it is open', async () => {
  const input = projectInput({ departments: ['seo'], policy: { acceptanceWindowMs: 3_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo')]));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await complain(handle, 'the audit misses the mobile site');

  // Three windows go by with the complaint open: the client is not chased, nothing is deemed.
  await sleep(9_000);
  let s = await statusOf(handle);
  expect(s.stage).toBe('client_review');
  expect(timelineEvents(s)).not.toContain('client_response_due');
  expect(timelineEvents(s)).not.toContain('deemed_accepted');
  expect(noticesFor(env, projectId, 'client_response_due')).toEqual([]);

  // Resolved: the window runs again, then the reminder, then the deemed acceptance.
  await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c1', resolution: 'mobile audit added', by: LEADER }] });
  s = await waitForStatus(handle, (x) => timelineEvents(x).includes('deemed_accepted'), 'deemed accepted', 30_000);
  expect(s.stage).toBe('invoicing');
  expect(timelineEvents(s).filter((e) => e === 'client_response_due')).toHaveLength(1);
  await handle.terminate('test done');
});

test.concurrent('a complaint after a deemed acceptance is recorded in invoicing, told to leadership once, and blocks closing until resolved', async () => {
  const input = projectInput({ departments: ['ads'], policy: { acceptanceWindowMs: 1_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('campaign', 'ads', { price: 700 })]));
  await deliverTask(env, projectId, 'campaign', 'ads');
  let s = await waitForStatus(handle, (x) => x.stage === 'invoicing' && x.invoices.some((i) => i.documentId), 'deemed accepted, invoiced', 30_000);
  expect(timelineEvents(s)).toContain('deemed_accepted');

  // The same request twice (a retried POST with one Idempotency-Key): one complaint, one notice.
  s = await complain(handle, 'the campaign ran a day late', `${projectId}-complaint-1`);
  s = await complain(handle, 'the campaign ran a day late', `${projectId}-complaint-1`);
  expect(s.complaints).toHaveLength(1);
  expect(s.stage).toBe('invoicing');
  await sleep(1_000);
  expect(noticesFor(env, projectId, 'complaint_filed')).toHaveLength(1);

  const final = s.invoices[0];
  await projectUpdate(handle, recordPaymentUpdate, {
    args: [{ invoiceNumber: final.number, amount: final.amount, paidAt: new Date().toISOString(), reference: `${projectId}-f`, by: MANAGER }],
  });
  s = await waitForStatus(handle, (x) => timelineEvents(x).includes('closing_blocked'), 'closing blocked');
  expect(s.stage).toBe('invoicing');
  await projectUpdate(handle, resolveComplaintUpdate, { args: [{ complaintId: 'c1', resolution: 'a day of ads refunded in kind', by: MANAGER }] });
  const done = (await handle.result()) as ProjectStatus;
  expect(done.stage).toBe('completed');
  await recordHistory(handle, 'project-complaint-in-invoicing');
});

test.concurrent('revision work never collides with a plan task that carries its name', async () => {
  const input = projectInput({ departments: ['design'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('rev1-design', 'design', { title: 'A task named like a revision' })]));
  await deliverTask(env, projectId, 'rev1-design', 'design');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  const s = await projectUpdate(handle, recordFeedbackUpdate, {
    args: [{ feedback: { kind: 'revisions_requested', description: 'bigger logo', departments: ['design'], dueAt: inSeconds(600) }, by: MANAGER }],
  });
  expect(s.tasks.map((t) => t.key)).toEqual(['rev1-design', 'rev1.design']);
  const revision = await waitForTask(env, projectId, 'rev1.design', (v) => v.status === 'open', 'the revision task');
  expect(revision.title).toBe('Revision 1 (Design)'); // the department as people name it
  const plainTask = await waitForTask(env, projectId, 'rev1-design', (v) => v.status === 'accepted', 'the plan task');
  expect(plainTask.title).toBe('A task named like a revision');
  await recordHistory(handle, 'project-revision-keys');
  await handle.terminate('test done');
});

test.concurrent('a request without a plan: the manager is reminded after the planning time, leadership told after twice that; a plan sent back is chased again from the rejection', async () => {
  const input = projectInput({ departments: ['design'], policy: { planningSlaMs: 3_000 } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  const intakeAt = (await statusOf(handle)).intakeAt;
  const [reminder] = await waitForNotice(env, projectId, 'plan_overdue', 1, 30_000);
  expect(reminder.recipients).toEqual({ personIds: [MANAGER.id] });
  expect(reminder.data).toMatchObject({ planVersion: 1, waitingSince: intakeAt });
  const [escalation] = await waitForNotice(env, projectId, 'plan_overdue_escalation', 1, 30_000);
  expect(escalation.recipients).toEqual({ roles: ['leadership'] });

  await projectUpdate(handle, submitPlanUpdate, { args: [plan([planTask('logo', 'design')])] });
  const rejected = await projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'reject', comment: 'too dear', by: LEADER }] });
  const reminders = await waitForNotice(env, projectId, 'plan_overdue', 2, 30_000);
  expect(reminders[1].data).toMatchObject({ planVersion: 2, waitingSince: rejected.plans[0].decision!.at });
  // Drafted before twice the time: no second escalation.
  await projectUpdate(handle, submitPlanUpdate, { args: [plan([planTask('logo', 'design', { price: 800 })])] });
  await sleep(4_000);
  expect(noticesFor(env, projectId, 'plan_overdue_escalation')).toHaveLength(1);
  expect(noticesFor(env, projectId, 'plan_overdue')).toHaveLength(2);
  expect(timelineEvents(await statusOf(handle))).toEqual(expect.arrayContaining(['plan_overdue', 'plan_overdue_escalated']));
  await projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 2, decision: 'approve', comment: '', by: LEADER }] });
  await waitForStatus(handle, (st) => st.stage === 'in_production', 'production');
  await recordHistory(handle, 'project-planning-chased');
  await handle.terminate('test done');
});

test.concurrent('dates moved by the approval keep the plan\u2019s order: a task due before the one it waits for is refused at its date, nothing changes', async () => {
  const input = projectInput({ departments: ['seo', 'copywriting'] });
  const handle = await startProject(env, input);
  await projectUpdate(handle, submitPlanUpdate, {
    args: [plan([planTask('audit', 'seo', { dueAt: inSeconds(2) }), planTask('texts', 'copywriting', { dueAt: inSeconds(3), dependsOn: ['audit'] })])],
  });
  await sleep(3_500); // both dates passed while the plan waited
  const [inTwoDays, inThreeDays] = [inSeconds(2 * 86_400), inSeconds(3 * 86_400)];
  const refused = await projectUpdate(handle, decidePlanUpdate, {
    args: [{ planVersion: 1, decision: 'approve', comment: '', dueDates: { audit: inThreeDays, texts: inTwoDays }, by: LEADER }],
  }).catch((err: unknown) => err);
  const failure = (refused as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(failure.type).toBe('InvalidInput');
  expect(failure.details).toEqual([
    { field: 'dueDates.texts', message: expect.stringContaining('would be due before “seo work audit”, which it waits for, is due') },
  ]);
  expect((await statusOf(handle)).stage).toBe('awaiting_approval');
  const approved = await projectUpdate(handle, decidePlanUpdate, {
    args: [{ planVersion: 1, decision: 'approve', comment: '', dueDates: { audit: inTwoDays, texts: inThreeDays }, by: LEADER }],
  });
  expect(approved.stage).toBe('in_production');
  await handle.terminate('test done');
});

test.concurrent('approving a plan whose due dates passed is refused naming the tasks, or moves them explicitly: no burst of overdue alarms', async () => {
  const input = projectInput({ departments: ['design', 'seo'], policy: { reminderLeadMs: 1_000, overdueGraceMs: 1_000 } });
  const handle = await startProject(env, input);
  await projectUpdate(handle, submitPlanUpdate, {
    args: [plan([planTask('soon', 'design', { dueAt: inSeconds(3) }), planTask('later', 'seo', { dueAt: inSeconds(600) })])],
  });
  await sleep(4_000); // leadership took its time

  const refused = await projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'approve', comment: '', by: LEADER }] }).catch(
    (err: unknown) => err,
  );
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  const failure = (refused as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(failure.type).toBe('InvalidInput');
  expect(failure.details).toEqual([expect.objectContaining({ field: 'dueDates.soon' })]);
  expect((await statusOf(handle)).stage).toBe('awaiting_approval');

  const newDue = inSeconds(600);
  const approved = await projectUpdate(handle, decidePlanUpdate, {
    args: [{ planVersion: 1, decision: 'approve', comment: 'moved the first date', dueDates: { soon: newDue }, by: LEADER }],
  });
  expect(approved.stage).toBe('in_production');
  expect(approved.plans[0].decision?.movedDueDates).toEqual([expect.objectContaining({ key: 'soon', to: new Date(newDue).toISOString() })]);
  const soon = await waitForTask(env, input.projectId, 'soon', (v) => v.status === 'open');
  expect(soon.dueAt).toBe(new Date(newDue).toISOString());
  await sleep(3_000);
  expect(noticesFor(env, input.projectId, 'task_overdue')).toEqual([]);
  expect(noticesFor(env, input.projectId, 'task_escalation')).toEqual([]);
  await recordHistory(handle, 'project-plan-rejected-then-moved');
  await handle.terminate('test done');
});

test.concurrent('a plan sent back with comments, revised and approved', async () => {
  const input = projectInput({ departments: ['design'] });
  const handle = await startProject(env, input);
  await projectUpdate(handle, submitPlanUpdate, { args: [plan([planTask('a', 'design', { price: 900 })])] });
  let s = await projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 1, decision: 'reject', comment: 'too expensive', by: LEADER }] });
  expect(s).toMatchObject({ stage: 'planning', lastRejectionComment: 'too expensive' });
  await projectUpdate(handle, submitPlanUpdate, { args: [plan([planTask('a', 'design', { price: 700 })])] });
  s = await projectUpdate(handle, decidePlanUpdate, { args: [{ planVersion: 2, decision: 'approve', comment: '', by: LEADER }] });
  expect(s.plans.map((p) => [p.version, p.total, p.decision?.decision])).toEqual([[1, 900, 'reject'], [2, 700, 'approve']]);
  await waitForStatus(handle, (x) => x.tasks.length === 1, 'work started');
  await recordHistory(handle, 'project-plan-rejected-then-approved');
  await handle.terminate('test done');
});
