/**
 * The manager-handover workflow on a real worker: each project of the list handed over by its own
 * handover update (timeline and the client's mail as for one project), one that says no reported
 * with its reason while the rest go on, both managers told once for all of them (also when the
 * mail server is down at the time), and a second run of the same handover changing nothing twice.
 */
import {
  MANAGER_HANDOVER_WORKFLOW_TYPE,
  managerHandoverNoticeWorkflowId,
  managerHandoverWorkflowId,
  type ManagerHandoverInput,
  type ManagerHandoverResult,
} from '../../workflows/manager-handover/contract';
import { handOverProjectUpdate } from '../../workflows/project/contract';
import { eventually, uniqueId } from '../support/temporal';
import { LEADER, MANAGER, OTHER_MANAGER, projectInput, recordHistory, startProject, startWorkflowTestEnv, statusOf, waitForNotice, waitForStatus, type WorkflowTestEnv } from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(90_000);

test('every project of the list is handed over by its own update; one that says no is reported, the rest go on; both managers get one mail; the same handover again changes nothing', async () => {
  const inputs = [projectInput({ title: 'Spring campaign' }), projectInput({ title: 'Autumn catalogue' }), projectInput({ title: 'Rebrand' })];
  const handles = await Promise.all(inputs.map((input) => startProject(env, input)));
  for (const handle of handles) await waitForStatus(handle, (s) => s.stage === 'planning', 'planning');
  // The third is the other manager's already (the list was a moment old): its own validator refuses it.
  const [, , theirs] = handles;
  await theirs!.executeUpdate(handOverProjectUpdate, { args: [{ by: LEADER, toManagerId: OTHER_MANAGER.id }] });

  const handoverId = uniqueId('h');
  const input: ManagerHandoverInput = {
    handoverId,
    fromManagerId: MANAGER.id,
    toManagerId: OTHER_MANAGER.id,
    note: 'Anna has left the agency',
    by: LEADER,
    projects: inputs.map((i) => ({ projectId: i.projectId, title: i.title, clientName: i.client.name })).concat({ projectId: 'p-nosuchthing', title: 'Gone', clientName: 'Nobody' }),
  };
  const runIds: string[] = [];
  const run = () => {
    runIds.push(managerHandoverWorkflowId(`${handoverId}-${runIds.length + 1}`));
    return env.temporal.client.workflow.execute(MANAGER_HANDOVER_WORKFLOW_TYPE, { taskQueue: env.taskQueue, workflowId: runIds.at(-1)!, args: [input] }) as Promise<ManagerHandoverResult>;
  };
  // The mail server is down while the handover runs: the answer does not wait for it.
  await env.smtp.stop();
  const result = await run();
  expect(result).toEqual({
    handoverId,
    fromManagerId: MANAGER.id,
    toManagerId: OTHER_MANAGER.id,
    note: 'Anna has left the agency',
    by: LEADER.id,
    handedOver: 2,
    refused: 2,
    projects: [
      { projectId: inputs[0]!.projectId, title: 'Spring campaign', clientName: 'Acme Ltd', outcome: 'handed_over', version: expect.any(Number) },
      { projectId: inputs[1]!.projectId, title: 'Autumn catalogue', clientName: 'Acme Ltd', outcome: 'handed_over', version: expect.any(Number) },
      { projectId: inputs[2]!.projectId, title: 'Rebrand', clientName: 'Acme Ltd', outcome: 'refused', reason: `${OTHER_MANAGER.id} manages this project now, not ${MANAGER.id}` },
      { projectId: 'p-nosuchthing', title: 'Gone', clientName: 'Nobody', outcome: 'refused', reason: 'there is no such project' },
    ],
  });
  for (const handle of handles.slice(0, 2)) {
    const status = await statusOf(handle);
    expect(status.managerId).toBe(OTHER_MANAGER.id);
    expect(status.timeline.filter((e) => e.event === 'handed_over')).toEqual([
      expect.objectContaining({ by: LEADER.id, detail: `from ${MANAGER.id} to ${OTHER_MANAGER.id}: Anna has left the agency` }),
    ]);
  }
  // Once the mail server is back: each client hears from their project; the managers once, from the handover.
  await env.smtp.start();
  for (const input of inputs.slice(0, 2)) {
    const [told] = await waitForNotice(env, input.projectId, 'project_handed_over');
    expect(told!.recipients).toEqual({ personIds: [], emails: [input.client.email] });
  }
  const managersMail = await eventually(
    async () => {
      const got = env.mail.filter((m) => m.idempotencyKey === `${managerHandoverNoticeWorkflowId(handoverId)}:handed-over`);
      return got.length >= 2 ? got : undefined;
    },
    { timeoutMs: 60_000, what: "the managers' mail", intervalMs: 200 },
  );
  expect(managersMail.map((m) => m.to).sort()).toEqual([['anna.manager@agency.example'], ['boris.manager@agency.example']]);
  expect(managersMail.map((m) => m.subject).sort()).toEqual(['2 projects handed over from Anna Manager to Boris Manager', '2 projects handed over to Boris Manager']);
  // The activity's record comes after the mail server has the message: waited for too.
  const notice = await eventually(
    async () => env.effects.notices.find((n) => n.input.template === 'projects_handed_over' && n.input.idempotencyKey.startsWith(managerHandoverNoticeWorkflowId(handoverId))),
    { timeoutMs: 30_000, what: 'the handover notice', intervalMs: 100 },
  );
  expect(JSON.parse(String(notice!.input.data.projects))).toEqual([
    { projectId: inputs[0]!.projectId, title: 'Spring campaign', clientName: 'Acme Ltd' },
    { projectId: inputs[1]!.projectId, title: 'Autumn catalogue', clientName: 'Acme Ltd' },
  ]);
  expect(JSON.parse(String(notice!.input.data.stayed))).toEqual([
    { projectId: inputs[2]!.projectId, title: 'Rebrand', clientName: 'Acme Ltd', reason: `${OTHER_MANAGER.id} manages this project now, not ${MANAGER.id}` },
    { projectId: 'p-nosuchthing', title: 'Gone', clientName: 'Nobody', reason: 'there is no such project' },
  ]);

  // A second run of the same handover (its update ids are the handover's): the same answers, no second handover.
  const again = await run();
  expect(again.projects.slice(0, 2)).toEqual(result.projects.slice(0, 2));
  for (const handle of handles.slice(0, 2)) expect((await statusOf(handle)).timeline.filter((e) => e.event === 'handed_over')).toHaveLength(1);
  // ...and no second mail to the managers (the first run's mail workflow has the id).
  await env.temporal.client.workflow.getHandle(runIds[1]!).result();
  expect(env.mail.filter((m) => m.idempotencyKey?.startsWith(managerHandoverNoticeWorkflowId(handoverId)))).toHaveLength(2);

  await recordHistory(env.temporal.client.workflow.getHandle(runIds[0]!), 'manager-handover');
  await recordHistory(env.temporal.client.workflow.getHandle(managerHandoverNoticeWorkflowId(handoverId)), 'manager-handover-notice');
});
