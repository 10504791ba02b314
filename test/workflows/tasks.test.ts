/**
 * Department tasks inside a project: opened in dependency order, sent back for changes, chased
 * when late (each notice exactly once per due date), re-armed when the due date moves, handed
 * to someone else. Every path runs concurrently against one worker, with deadlines in seconds.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { simpleParser } from 'mailparser';
import type { PublishSnapshotInput } from '../../activities/contract';
import type { PlanTask } from '../../workflows/project/schemas';
import type { Department, Policy } from '../../workflows/shared-schemas';
import { decidePlanUpdate, getStatusQuery, handOverProjectUpdate, recordFeedbackUpdate, submitPlanUpdate } from '../../workflows/project/contract';
import { eventually } from '../support/temporal';
import { OverdueKey, AssigneeIdKey, ManagerIdKey, TaskStatusKey } from '../../workflows/search-attributes';
import {
  claimTaskUpdate,
  moveDueDateUpdate,
  REPORT_AT_MOST_MS,
  reassignTaskUpdate,
  releaseTaskUpdate,
  reviewTaskUpdate,
  submitTaskUpdate,
  getStatusQuery as getTaskStatusQuery,
  taskId,
  type TaskView,
} from '../../workflows/task/contract';
import {
  approvePlan,
  deliverTask,
  inSeconds,
  LEADER,
  mailFor,
  MANAGER,
  noticesFor,
  OTHER_MANAGER,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  refusal,
  staff,
  startProject,
  startWorkflowTestEnv,
  statusOf,
  taskHandle,
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

jest.setTimeout(90_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A project of one department whose approved plan has one task, once that task is open. */
async function openOneTask(key: string, department: Department, options: { task?: Partial<PlanTask>; policy?: Partial<Policy> } = {}) {
  const input = projectInput({ departments: [department], ...(options.policy && { policy: options.policy }) });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask(key, department, options.task)]));
  await waitForTask(env, projectId, key, (v) => v.status === 'open');
  return { projectId, handle, task: taskHandle(env, projectId, key) };
}

/** What each `publishSnapshot` of a task's run was asked to publish, in order. */
async function publishesOf(task: ReturnType<typeof taskHandle>): Promise<PublishSnapshotInput[]> {
  return ((await task.fetchHistory()).events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishSnapshot')
    .map((e) => defaultPayloadConverter.fromPayload<PublishSnapshotInput>(e.activityTaskScheduledEventAttributes!.input!.payloads![0]));
}

/** The store's copy of a task once it is at the version its run ended with. */
async function storedFinalView(projectId: string, key: string, version: number): Promise<TaskView> {
  return eventually(
    async () => {
      const copy = await env.reporting.task(taskId(projectId, key));
      return copy && copy.value.version === version ? copy.value : undefined;
    },
    { what: `the final view of ${key} in the store` },
  );
}

test.concurrent('every change of a task reaches the store carried by its publish: the view itself, no query', async () => {
  const { projectId, handle, task } = await openOneTask('logo', 'design');
  await deliverTask(env, projectId, 'logo', 'design');
  const { view: final } = await task.result();

  const publishes = await publishesOf(task);
  // One publish per quiet moment (the opening and the acceptance at least: actions back to back share one)...
  expect(publishes.length).toBeGreaterThanOrEqual(2);
  for (const publish of publishes) {
    // ...each carrying the view of the version it announces.
    expect(publish).toMatchObject({ kind: 'task', taskId: taskId(projectId, 'logo') });
    expect(publish.kind === 'task' && publish.view?.version).toBe(publish.seq);
  }
  expect(publishes.at(-1)).toMatchObject({ view: { status: 'accepted', version: final.version } });
  expect(await storedFinalView(projectId, 'logo', final.version)).toEqual(final);
  await recordHistory(task, 'task-view-published');
  await handle.terminate('test done');
});

test.concurrent('actions back to back: the task reports, publishes and mails once people stop acting, never in an action\'s workflow task', async () => {
  const { projectId, handle, task } = await openOneTask('banner', 'design');
  const designer = staff('design');
  const v1 = { by: designer, summary: 'v1', links: [] };
  await task.executeUpdate(claimTaskUpdate, { args: [{ by: designer }] });
  await task.executeUpdate(releaseTaskUpdate, { args: [{ by: designer }] });
  await task.executeUpdate(claimTaskUpdate, { args: [{ by: designer }] });
  await task.executeUpdate(submitTaskUpdate, { args: [v1] });
  await task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'changes_requested', comment: 'warmer' }] });
  await task.executeUpdate(submitTaskUpdate, { args: [{ ...v1, summary: 'v2' }] });
  await task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });
  const { view: final } = await task.result();

  // The commands of each workflow task: the events from its completion to the next task.
  const events = (await task.fetchHistory()).events ?? [];
  const batches: (typeof events)[] = [];
  for (const e of events) {
    if (e.workflowTaskCompletedEventAttributes) batches.push([]);
    else if (e.workflowTaskScheduledEventAttributes) batches.push([]);
    else batches.at(-1)?.push(e);
  }
  const actionOf = (batch: typeof events) =>
    batch.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
  const actionBatches = batches.filter((b) => actionOf(b));
  expect(actionBatches).toHaveLength(7);
  const reports = (batch: typeof events) =>
    batch.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes || e.activityTaskScheduledEventAttributes);
  // Every action but the last (the task is done: reported at once) answered in a workflow task
  // that told nobody: no report to the project, no publish, no notice for the next action to wait on
  // — unless a quiet moment really passed before it (a timer fired since the action before: on a
  // stalled machine the next action can come later than REPORT_QUIET_MS, and its workflow task
  // then also carries that moment's report).
  const quietPassedBefore = (batch: typeof events): boolean => {
    const at = batches.indexOf(batch);
    let previous = at - 1;
    while (previous >= 0 && !actionOf(batches[previous])) previous -= 1;
    return batches.slice(previous + 1, at + 1).some((b) => b.some((e) => e.timerFiredEventAttributes));
  };
  // ...or unless actions had kept coming for REPORT_AT_MOST_MS since the first one left unreported
  // (on a loaded machine four quick actions can take that long): then the process lets go at once.
  const eventMs = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
  const heldTooLong = new Set<(typeof events)>();
  let heldSince: number | undefined;
  for (const batch of batches) {
    const accepted = batch.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    if (accepted) {
      heldSince ??= eventMs(accepted);
      // A margin for the workflow task's own clock (it starts a little after the update is accepted).
      if (eventMs(accepted) - heldSince >= REPORT_AT_MOST_MS - 100) heldTooLong.add(batch);
    }
    if (reports(batch).length > 0) heldSince = undefined;
  }
  for (const batch of actionBatches.slice(0, -1)) {
    if (heldTooLong.has(batch) || quietPassedBefore(batch)) continue;
    expect({ action: actionOf(batch)?.name, reports: reports(batch) }).toEqual({ action: actionOf(batch)?.name, reports: [] });
  }
  // Most actions came within the quiet moment of the one before (this check is about them).
  expect(actionBatches.slice(1, -1).filter((b) => !quietPassedBefore(b)).length).toBeGreaterThanOrEqual(3);
  expect(reports(actionBatches.at(-1)!).length).toBeGreaterThan(0);
  // Fewer reports to the project than actions (seven status changes, each its own report before),
  // and yet the project, the store and the people heard everything.
  const signals = events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes);
  expect(signals.length).toBeLessThan(7);
  const project = await waitForStatus(handle, (s) => s.tasks[0].status === 'accepted', 'the task accepted in the project');
  expect(project.tasks[0]).toMatchObject({ reviewRounds: 1 });
  expect(await waitForNotice(env, projectId, 'task_submitted', 2)).toHaveLength(2);
  expect(await waitForNotice(env, projectId, 'task_changes_requested')).toHaveLength(1);
  expect(await storedFinalView(projectId, 'banner', final.version)).toEqual(final);
  await recordHistory(task, 'task-quiet-reports');
  await handle.terminate('test done');
});

test.concurrent('a task view too large to carry is published by ids: the activity reads it from the workflow', async () => {
  const { projectId, handle, task } = await openOneTask('brief', 'design', { task: { description: 'd'.repeat(5_000) } });
  const by = staff('design');
  await task.executeUpdate(claimTaskUpdate, { args: [{ by }] });
  // The summary is kept twice (the deliverable and the timeline): with the description, over 16,000 characters.
  await task.executeUpdate(submitTaskUpdate, { args: [{ by, summary: 's'.repeat(5_000), links: [] }] });
  await task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });
  const { view: final } = await task.result();

  const publishes = await publishesOf(task);
  expect(publishes[0]).toMatchObject({ view: { status: 'open' } }); // small at first: carried
  expect(publishes.at(-1)).not.toHaveProperty('view'); // large at the end: ids only
  expect(await storedFinalView(projectId, 'brief', final.version)).toEqual(final);
  await handle.terminate('test done');
});

test.concurrent('a task opens only when every task it depends on is accepted', async () => {
  const input = projectInput({ departments: ['design', 'copywriting', 'seo'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(
    handle,
    plan([
      planTask('a', 'design'),
      planTask('b', 'copywriting'),
      planTask('c', 'seo', { dependsOn: ['a', 'b'] }),
    ]),
  );
  await waitForStatus(handle, (s) => s.tasks.length === 3, 'tasks started');
  await deliverTask(env, projectId, 'a', 'design');
  await sleep(1_000);
  expect((await taskHandle(env, projectId, 'c').query(getTaskStatusQuery)).status).toBe('waiting');
  expect(noticesFor(env, projectId, 'task_opened').map((n) => n.taskId)).not.toContain(`${projectId}.c`);
  await deliverTask(env, projectId, 'b', 'copywriting');
  const c = await waitForTask(env, projectId, 'c', (v) => v.status === 'open', 'c opens');
  const opened = await waitForNotice(env, projectId, 'task_opened', 3);
  expect(opened.find((n) => n.taskId === `${projectId}.c`)?.recipients).toEqual({ department: 'seo' });
  expect(c.openedAt).toBeDefined();
  await deliverTask(env, projectId, 'c', 'seo');
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  await handle.terminate('test done');
});

test.concurrent('changes requested: the work goes back to the same person, who is told, and the round is counted', async () => {
  const { projectId, handle, task } = await openOneTask('logo', 'design');
  const designer = staff('design');
  await task.executeUpdate(claimTaskUpdate, { args: [{ by: designer }] });
  await task.executeUpdate(submitTaskUpdate, { args: [{ by: designer, summary: 'v1', links: [] }] });
  let view = await task.executeUpdate(reviewTaskUpdate, {
    args: [{ by: MANAGER, decision: 'changes_requested', comment: 'bigger, bolder' }],
  });
  expect(view.status).toBe('claimed');
  expect(view.assigneeId).toBe(designer.id);
  expect(view.reviewRounds).toBe(1);
  const told = await waitForNotice(env, projectId, 'task_changes_requested');
  expect(told[0].recipients).toEqual({ personIds: [designer.id] });
  expect(told[0].data.comment).toBe('bigger, bolder');
  let project = await waitForStatus(handle, (s) => s.tasks[0].reviewRounds === 1, 'round counted');
  expect(project.tasks[0].status).toBe('claimed');

  await task.executeUpdate(submitTaskUpdate, { args: [{ by: designer, summary: 'v2', links: ['https://x.example/v2'] }] });
  view = await task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: 'yes' }] });
  expect(view.deliverables.map((d) => d.summary)).toEqual(['v1', 'v2']);
  expect(view.reviews.map((r) => r.decision)).toEqual(['changes_requested', 'accept']);
  project = await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  expect(project.tasks[0]).toMatchObject({ status: 'accepted', reviewRounds: 1, onTime: true });
  expect(await waitForNotice(env, projectId, 'task_submitted', 2)).toHaveLength(2);
  await recordHistory(task, 'task-changes-requested');
  await handle.terminate('test done');
});

test.concurrent('a late task: reminder, overdue notice and escalation each exactly once, and Overdue is set', async () => {
  // Reminder at +8 s, overdue at +12 s, escalation at +15 s: room for a loaded machine to open
  // and claim the task before the first one.
  const { projectId, handle, task } = await openOneTask('late', 'ads', { task: { dueAt: inSeconds(12) }, policy: { reminderLeadMs: 4_000, overdueGraceMs: 3_000 } });
  await task.executeUpdate(claimTaskUpdate, { args: [{ by: staff('ads') }] });

  await waitForNotice(env, projectId, 'task_escalation', 1, 30_000);
  await sleep(2_000); // nothing more comes
  const reminder = noticesFor(env, projectId, 'task_deadline_reminder');
  const overdue = noticesFor(env, projectId, 'task_overdue');
  const escalation = noticesFor(env, projectId, 'task_escalation');
  expect([reminder.length, overdue.length, escalation.length]).toEqual([1, 1, 1]);
  expect(reminder[0].recipients).toEqual({ personIds: [staff('ads').id] });
  // The one holding the work hears it is late, as the manager does.
  expect(overdue[0].recipients).toEqual({ personIds: [MANAGER.id, staff('ads').id] });
  expect(escalation[0].recipients).toEqual({ roles: ['leadership'] });
  expect(mailFor(env, reminder[0]).map((m) => m.to)).toEqual([['ads.one@agency.example']]);
  expect(mailFor(env, overdue[0]).map((m) => m.to).sort()).toEqual([['ads.one@agency.example'], ['anna.manager@agency.example']]);
  expect(mailFor(env, escalation[0]).map((m) => m.to)).toEqual([['lena.lead@agency.example']]);

  const view = await task.query(getTaskStatusQuery);
  expect(view.overdue).toBe(true);
  expect(view.notices.map((n) => n.kind)).toEqual(['reminder', 'overdue', 'escalation']);
  expect((await task.describe()).typedSearchAttributes.get(OverdueKey)).toBe(true);
  const project = await waitForStatus(handle, (s) => s.overdue, 'project overdue');
  expect(project.tasks[0].overdue).toBe(true);
  expect((await handle.describe()).typedSearchAttributes.get(OverdueKey)).toBe(true);

  // Delivered (late): no longer overdue, and accepted not on time.
  await task.executeUpdate(submitTaskUpdate, { args: [{ by: staff('ads'), summary: 'done', links: [] }] });
  await task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });
  const done = await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  expect(done.overdue).toBe(false);
  expect(done.tasks[0]).toMatchObject({ overdue: false, onTime: false });
  expect((await handle.describe()).typedSearchAttributes.get(OverdueKey)).toBe(false);
  await recordHistory(task, 'task-late-escalated');
  await handle.terminate('test done');
});

test.concurrent('moving the due date re-arms the deadlines: new notices for the new date, none left for the old one', async () => {
  // Dates far enough out that a slow machine still opens the task, and moves its date, before the
  // reminder falls due (a reminder already past when its date is set is not the case tested here).
  const firstDue = inSeconds(20);
  const { projectId, handle, task } = await openOneTask('audit', 'seo', { task: { dueAt: firstDue }, policy: { reminderLeadMs: 3_000, overdueGraceMs: 60_000 } });
  // Unassigned: the reminder goes to the whole department.
  const [reminder] = await waitForNotice(env, projectId, 'task_deadline_reminder', 1, 30_000);
  expect(reminder.recipients).toEqual({ department: 'seo' });

  const secondDue = inSeconds(10);
  const moved = await task.executeUpdate(moveDueDateUpdate, { args: [{ by: MANAGER, dueAt: secondDue, reason: 'client sent data late' }] });
  expect(moved.dueAt).toBe(new Date(secondDue).toISOString());
  expect(moved.dueDateChanges).toHaveLength(1);
  expect((await task.describe()).typedSearchAttributes.get(TaskStatusKey)).toBe('open');

  await waitForNotice(env, projectId, 'task_overdue', 1, 30_000);
  const reminders = noticesFor(env, projectId, 'task_deadline_reminder');
  expect(reminders.map((n) => n.data.dueAt)).toEqual([new Date(firstDue).toISOString(), new Date(secondDue).toISOString()]);
  const overdue = noticesFor(env, projectId, 'task_overdue');
  expect(overdue).toHaveLength(1);
  expect(overdue[0].idempotencyKey).toContain(new Date(secondDue).toISOString());
  const view = await task.query(getTaskStatusQuery);
  expect(view.overdue).toBe(true);

  // Moved again, into the future: no longer overdue.
  const after = await task.executeUpdate(moveDueDateUpdate, { args: [{ by: MANAGER, dueAt: inSeconds(600), reason: 'rescoped' }] });
  expect(after.overdue).toBe(false);
  await waitForStatus(handle, (s) => !s.overdue && s.tasks[0].dueAt === after.dueAt, 'project sees the new date');
  await recordHistory(task, 'task-due-date-moved');
  await handle.terminate('test done');
}, 120_000);

test.concurrent('delivered work waiting for review: the manager is reminded, then leadership told, once per delivery; sent back with a date, the rework is due then', async () => {
  // Reviews due 2 s after each delivery, escalated 5 s after that. The work itself is due in 10
  // minutes, so no notice about the work's own date comes in between.
  const { projectId, handle, task } = await openOneTask('banner', 'ads', { task: { dueAt: inSeconds(600) }, policy: { reviewSlaMs: 2_000, overdueGraceMs: 5_000, reminderLeadMs: 60_000 } });
  const ads = staff('ads');
  await task.executeUpdate(claimTaskUpdate, { args: [{ by: ads }] });
  const first = await task.executeUpdate(submitTaskUpdate, { args: [{ by: ads, summary: 'v1', links: [] }] });
  const [reminder] = await waitForNotice(env, projectId, 'task_review_due', 1, 30_000);
  expect(reminder.recipients).toEqual({ personIds: [MANAGER.id] });
  expect(reminder.data).toMatchObject({ submittedAt: first.submittedAt, reviewDueAt: new Date(Date.parse(first.submittedAt!) + 2_000).toISOString(), assigneeId: ads.id });
  const [escalation] = await waitForNotice(env, projectId, 'task_review_escalation', 1, 30_000);
  expect(escalation.recipients).toEqual({ roles: ['leadership'] });
  expect(mailFor(env, escalation).map((m) => m.to)).toEqual([['lena.lead@agency.example']]);
  expect(mailFor(env, escalation)[0].subject).toContain('waits for its review');

  // A past date for the rework is refused, changing nothing.
  await expect(
    task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'changes_requested', comment: 'larger', dueAt: new Date(Date.now() - 60_000).toISOString() }] }),
  ).rejects.toMatchObject({ cause: { type: 'InvalidInput', message: expect.stringContaining('the new due date must be in the future') } });
  expect((await task.query(getTaskStatusQuery)).status).toBe('submitted');
  // Sent back with a date of its own: the rework is due then, and the assignee's notice says so.
  const reworkDue = new Date(Date.now() + 300_000).toISOString();
  const sentBack = await task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'changes_requested', comment: 'larger', dueAt: reworkDue }] });
  expect(sentBack).toMatchObject({ status: 'claimed', dueAt: reworkDue, overdue: false });
  expect(sentBack.dueDateChanges).toEqual([expect.objectContaining({ to: reworkDue, reason: 'sent back for changes', by: MANAGER.id })]);
  const [changes] = await waitForNotice(env, projectId, 'task_changes_requested');
  expect(changes.data.dueAt).toBe(reworkDue);
  await waitForStatus(handle, (st) => st.tasks[0].dueAt === reworkDue, 'the project sees the rework date');

  // The second delivery is chased on its own, and accepted before its escalation.
  await task.executeUpdate(submitTaskUpdate, { args: [{ by: ads, summary: 'v2', links: [] }] });
  await waitForNotice(env, projectId, 'task_review_due', 2, 30_000);
  const accepted = await task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] });
  await sleep(6_000); // past when the second escalation would have fallen due
  expect(noticesFor(env, projectId, 'task_review_due')).toHaveLength(2);
  expect(noticesFor(env, projectId, 'task_review_escalation')).toHaveLength(1);
  expect(accepted.notices.map((n) => n.kind)).toEqual(['review_reminder', 'review_escalation', 'review_reminder']);
  expect(accepted.history.map((e) => e.event)).toEqual(expect.arrayContaining(['review_reminder', 'review_escalation', 'due_date_moved']));
  await waitForStatus(handle, (st) => st.stage === 'client_review', 'client review');
  await recordHistory(task, 'task-review-chased');
  await handle.terminate('test done');
}, 120_000);

test.concurrent('a project handed to another manager: its running tasks follow, the new manager reviews and is told, the old one may no longer act', async () => {
  const input = projectInput({ departments: ['design', 'seo'] });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('logo', 'design'), planTask('audit', 'seo')]));
  await deliverTask(env, projectId, 'logo', 'design'); // accepted by the first manager: that task has ended
  // The audit is delivered before the handover: the manager before hears of it, and the new one once it is theirs.
  const task = taskHandle(env, projectId, 'audit');
  const seo = staff('seo');
  await waitForTask(env, projectId, 'audit', (v) => v.status === 'open', 'audit open');
  await task.executeUpdate(claimTaskUpdate, { args: [{ by: seo }] });
  await task.executeUpdate(submitTaskUpdate, { args: [{ by: seo, summary: 'audit done', links: [] }] });
  await waitForNotice(env, projectId, 'task_submitted', 2); // the logo's and the audit's, to the manager before

  // Refused, changing nothing: staff, a manager who does not have the project, the manager it already has.
  const handOver = (by: typeof MANAGER, toManagerId: string) =>
    handle.executeUpdate(handOverProjectUpdate, { args: [{ by, toManagerId, note: 'Anna is on leave until March' }] });
  expect(await refusal(handOver(staff('design'), OTHER_MANAGER.id))).toMatchObject({ type: 'NotAllowed' });
  expect(await refusal(handOver(OTHER_MANAGER, OTHER_MANAGER.id))).toMatchObject({ type: 'NotAllowed' });
  expect(await refusal(handOver(LEADER, MANAGER.id))).toEqual({ type: 'InvalidInput', field: 'toManagerId' });
  expect((await statusOf(handle)).managerId).toBe(MANAGER.id);

  const after = await projectUpdate(handle, handOverProjectUpdate, { args: [{ by: LEADER, toManagerId: OTHER_MANAGER.id, note: 'Anna is on leave until March' }] });
  expect(after.managerId).toBe(OTHER_MANAGER.id);
  expect(after.timeline.at(-1)).toMatchObject({ event: 'handed_over', by: LEADER.id, detail: `from ${MANAGER.id} to ${OTHER_MANAGER.id}: Anna is on leave until March` });
  await eventually(async () => ((await handle.describe()).typedSearchAttributes.get(ManagerIdKey) === OTHER_MANAGER.id ? true : undefined), { what: 'project ManagerId' });
  const [told] = await waitForNotice(env, projectId, 'project_handed_over');
  expect(told.recipients).toEqual({ personIds: [OTHER_MANAGER.id, MANAGER.id], emails: [input.client.email] });
  expect(told.data).toMatchObject({ from: MANAGER.id, to: OTHER_MANAGER.id, by: LEADER.id, note: 'Anna is on leave until March' });
  const mails = mailFor(env, told);
  expect(mails.filter((m) => m.subject === `Project handed over: ${input.title}`)).toHaveLength(2);
  // The client learns who their manager is now, without the agency's internal note.
  const toClient = mails.find((m) => m.to.includes(input.client.email))!;
  expect(toClient.subject).toBe(`Your account manager for ${input.title}`);
  const clientText = (await simpleParser(toClient.raw)).text ?? '';
  expect(clientText).toContain('is your account manager for');
  expect(clientText).not.toContain('on leave');

  // The running task follows; the ended one keeps who reviewed it.
  const audit = await waitForTask(env, projectId, 'audit', (v) => v.managerId === OTHER_MANAGER.id, 'audit follows the handover');
  expect(audit.history.map((e) => e.event)).toContain('manager_changed');
  await eventually(async () => ((await taskHandle(env, projectId, 'audit').describe()).typedSearchAttributes.get(ManagerIdKey) === OTHER_MANAGER.id ? true : undefined), {
    what: 'task ManagerId',
  });
  expect((await taskHandle(env, projectId, 'logo').query(getTaskStatusQuery)).managerId).toBe(MANAGER.id);

  // The delivery waiting for review is the new manager's to review, and they are told of it; the old one is refused.
  await waitForNotice(env, projectId, 'task_submitted', 3);
  expect(noticesFor(env, projectId, 'task_submitted').map((n) => n.recipients)).toEqual([
    { personIds: [MANAGER.id] },
    { personIds: [MANAGER.id] },
    { personIds: [OTHER_MANAGER.id] },
  ]);
  const resent = noticesFor(env, projectId, 'task_submitted')[2];
  expect(resent.data).toMatchObject({ summary: 'audit done', handedOverFrom: MANAGER.id, handedOverBy: LEADER.id });
  // The delivery is older than the mail: it says why it comes now.
  const [resentMail] = await eventually(async () => mailFor(env, resent).length > 0 && mailFor(env, resent), { what: 'the delivery mailed to the new manager' });
  const resentText = ((await simpleParser(resentMail.raw)).text ?? '').replace(/\s+/g, ' ');
  expect(resentText).toMatch(new RegExp(`You get this now because ${input.title} was handed over to you from Anna Manager by Lena Lead; the work was delivered \\d{4}-`));
  await expect(task.executeUpdate(reviewTaskUpdate, { args: [{ by: MANAGER, decision: 'accept', comment: '' }] })).rejects.toMatchObject({ cause: { type: 'NotAllowed' } });
  await task.executeUpdate(reviewTaskUpdate, { args: [{ by: OTHER_MANAGER, decision: 'accept', comment: '' }] });
  await waitForStatus(handle, (s) => s.stage === 'client_review', 'client review');
  expect(await refusal(handle.executeUpdate(recordFeedbackUpdate, { args: [{ by: MANAGER, feedback: { kind: 'accepted', rating: 5, comment: '' } }] }))).toMatchObject({
    type: 'NotAllowed',
  });
  await recordHistory(handle, 'project-handed-over');
  await handle.terminate('test done');
}, 120_000);

test.concurrent('handed over the moment its plan is approved: every task, started before or after, names the new manager', async () => {
  const input = projectInput({ departments: ['design', 'seo', 'ads'] });
  const handle = await startProject(env, input);
  const submitted = await projectUpdate(handle, submitPlanUpdate, { args: [plan([planTask('a', 'design'), planTask('b', 'seo'), planTask('c', 'ads', { dependsOn: ['a'] })])] });
  // No wait between the two: the tasks may still be starting when the handover lands.
  await handle.executeUpdate(decidePlanUpdate, { args: [{ planVersion: submitted.pendingPlanVersion!, decision: 'approve', comment: 'go', by: LEADER }] });
  await handle.executeUpdate(handOverProjectUpdate, { args: [{ by: MANAGER, toManagerId: OTHER_MANAGER.id }] });
  for (const key of ['a', 'b', 'c']) await waitForTask(env, input.projectId, key, (v) => v.managerId === OTHER_MANAGER.id, `${key} names the new manager`);
  expect((await statusOf(handle)).timeline.map((e) => e.event)).not.toContain('task_not_told');
  await handle.terminate('test done');
}, 60_000);

test.concurrent('reassigning and releasing: the new person is told; released work is back in the queue', async () => {
  const { projectId, handle, task } = await openOneTask('text', 'copywriting');
  await task.executeUpdate(claimTaskUpdate, { args: [{ by: staff('copywriting') }] });
  const released = await task.executeUpdate(releaseTaskUpdate, { args: [{ by: staff('copywriting') }] });
  expect(released.status).toBe('open');
  expect(released.assigneeId).toBeUndefined();
  const opened = await waitForNotice(env, projectId, 'task_opened', 2);
  // Open again for the department, but not news to whoever gave it back.
  expect(opened[1]!.recipients).toEqual({ department: 'copywriting', exceptPersonIds: [staff('copywriting').id] });

  const reassigned = await task.executeUpdate(reassignTaskUpdate, {
    args: [{ by: LEADER, assigneeId: 'copywriting.two', assigneeDepartment: 'copywriting' }],
  });
  expect(reassigned).toMatchObject({ status: 'claimed', assigneeId: 'copywriting.two' });
  const [told] = await waitForNotice(env, projectId, 'task_reassigned');
  expect(told.recipients).toEqual({ personIds: ['copywriting.two'] });
  expect((await task.describe()).typedSearchAttributes.get(AssigneeIdKey)).toBe('copywriting.two');
  const project = await waitForStatus(handle, (s) => s.tasks[0].assigneeId === 'copywriting.two', 'project sees the assignee');
  expect(project.tasks[0].status).toBe('claimed');
  // The task reports settled states (a claim released at once may never reach the project).
  expect((await handle.query(getStatusQuery)).timeline.filter((e) => e.event === 'task_claimed').map((e) => e.detail)).toContain(
    'text (copywriting.two)',
  );
  await handle.terminate('test done');
  // The project's end (terminated here) cancels its open tasks rather than leaving them chasing deadlines.
  await waitForTask(env, projectId, 'text', (v) => v.status === 'cancelled', 'task cancelled with its project');
});
