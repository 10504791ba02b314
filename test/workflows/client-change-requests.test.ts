/**
 * Changes the client asks for on their page: they wait for the manager, who records a round of
 * changes for them or answers without one, and the review period stops meanwhile (silence is
 * acceptance, but a client waiting for an answer is not silent). A project cancelled while one
 * waits closes it unanswered: nobody is left waiting on it.
 */
import {
  askForChangesUpdate,
  cancelProjectUpdate,
  declineChangeRequestUpdate,
  getStatusQuery,
  recordFeedbackUpdate,
  type ProjectStatus,
} from '../../workflows/project/contract';
import type { ClientActor } from '../../workflows/project/schemas';
import { clientActorId } from '../../workflows/vocabulary';
import {
  approvePlan,
  deliverTask,
  documentsFor,
  inSeconds,
  LEADER,
  MANAGER,
  noticesFor,
  payInFull,
  plan,
  planTask,
  projectInput,
  projectUpdate,
  recordHistory,
  refusal,
  startProject,
  startWorkflowTestEnv,
  timelineEvents,
  waitForNotice,
  waitForStatus,
  type WorkflowTestEnv,
} from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startWorkflowTestEnv();
});
afterAll(() => env?.close());

jest.setTimeout(90_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Handle = Awaited<ReturnType<typeof startProject>>;

const clientOf = (input: ReturnType<typeof projectInput>): ClientActor => ({ id: clientActorId(input.client.id), role: 'client', name: 'Jane Doe' });
const ask = (handle: Handle, by: ClientActor, description: string) => projectUpdate(handle, askForChangesUpdate, { args: [{ description, by }] });
const decline = (handle: Handle, requestId: string, reply: string, by = MANAGER) =>
  projectUpdate(handle, declineChangeRequestUpdate, { args: [{ requestId, reply, by }] });

test.concurrent('changes asked for on the page wait for the manager: the review period stops until a round is recorded for them, or they are answered without one; then it runs on', async () => {
  const window = 3_000;
  const input = projectInput({ departments: ['design'], policy: { acceptanceWindowMs: window } });
  const { projectId } = input;
  const client = clientOf(input);
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('site', 'design', { price: 900 })]));

  // Nothing delivered yet: nothing to change.
  expect(await refusal(ask(handle, client, 'bigger logo'))).toEqual({ type: 'WrongStage' });
  await deliverTask(env, projectId, 'site', 'design');
  let s = await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  const reviewFrom = Date.parse(s.stageEnteredAt!);

  // Only this project's client asks here, or its manager recording what the client asked elsewhere, naming who; something to change must be said.
  expect(await refusal(ask(handle, LEADER as unknown as ClientActor, 'bigger logo'))).toEqual({ type: 'NotAllowed' });
  expect(await refusal(ask(handle, MANAGER as unknown as ClientActor, 'bigger logo'))).toEqual({ type: 'InvalidInput', field: 'clientContact' });
  expect(await refusal(ask(handle, { ...client, id: clientActorId('client-globex') }, 'bigger logo'))).toEqual({ type: 'NotAllowed' });
  expect(await refusal(ask(handle, client, '   '))).toEqual({ type: 'InvalidInput', field: 'description' });

  s = await ask(handle, client, 'A bigger logo on the home page');
  expect(s.changeRequests).toEqual([
    expect.objectContaining({ requestId: 'r1', description: 'A bigger logo on the home page', clientContact: 'Jane Doe', deliveryRound: 0 }),
  ]);
  expect(s.changeRequests![0].outcome).toBeUndefined();
  expect(s.timeline.find((e) => e.event === 'changes_asked')).toMatchObject({ by: client.id, detail: 'r1: A bigger logo on the home page' });
  expect(s.changeRequests![0].recordedBy).toBeUndefined();
  const [asked] = await waitForNotice(env, projectId, 'changes_asked');
  expect(asked.recipients).toEqual({ personIds: [MANAGER.id] });
  expect(asked.data).toMatchObject({ requestId: 'r1', description: 'A bigger logo on the home page', clientContact: 'Jane Doe' });
  // One request at a time: a second (another tab, a colleague) waits for the first's answer.
  expect(await refusal(ask(handle, client, 'and a darker blue'))).toEqual({ type: 'AlreadyDone' });

  // Past both windows of the review, the client is not deemed to accept: they wait for the manager.
  await sleep(Math.max(0, reviewFrom + 2 * window + 1_000 - Date.now()));
  s = await handle.query(getStatusQuery);
  expect(s.stage).toBe('client_review');
  expect(s.feedback.map((f) => f.kind)).not.toContain('deemed_accepted');

  // The manager makes a round of it: the request is answered by it.
  s = await projectUpdate(handle, recordFeedbackUpdate, {
    args: [{ feedback: { kind: 'revisions_requested', description: 'Bigger logo', departments: ['design'], dueAt: inSeconds(600) }, by: MANAGER }],
  });
  expect(s.stage).toBe('in_production');
  expect(s.changeRequests![0]).toMatchObject({ outcome: 'round_recorded', round: 1, answeredBy: MANAGER.id });
  await deliverTask(env, projectId, 'rev1.design', 'design');
  await waitForStatus(handle, (x) => x.stage === 'client_review' && x.revisionRoundsUsed === 1, 'second review');

  // Asked again; answered without a round, by the manager only, once, saying why.
  s = await ask(handle, client, 'Now the logo is too big');
  expect(s.changeRequests![1]).toMatchObject({ requestId: 'r2', deliveryRound: 1 });
  expect(await refusal(decline(handle, 'r2', 'It is the size you approved.', LEADER))).toEqual({ type: 'NotAllowed' });
  expect(await refusal(decline(handle, 'r9', 'It is the size you approved.'))).toEqual({ type: 'NotFound', field: 'requestId' });
  expect(await refusal(decline(handle, 'r1', 'It is the size you approved.'))).toEqual({ type: 'AlreadyDone' });
  expect(await refusal(decline(handle, 'r2', ' '))).toEqual({ type: 'InvalidInput', field: 'reply' });
  s = await decline(handle, 'r2', 'It is the size you approved in the plan; a smaller one would be a new round.');
  expect(s.changeRequests![1]).toMatchObject({ outcome: 'declined', reply: 'It is the size you approved in the plan; a smaller one would be a new round.', answeredBy: MANAGER.id });
  expect(s.stage).toBe('client_review');
  const [declined] = await waitForNotice(env, projectId, 'change_request_declined');
  expect(declined.recipients).toEqual({ emails: [input.client.email] });
  expect(declined.data).toMatchObject({ requestId: 'r2', description: 'Now the logo is too big', reply: expect.stringContaining('the size you approved') });

  // The review runs on from where it stopped: silence now is acceptance.
  s = await waitForStatus(handle, (x) => x.stage === 'invoicing', 'deemed accepted after the answer', 30_000);
  expect(s.feedback.at(-1)).toMatchObject({ kind: 'deemed_accepted' });
  expect(timelineEvents(s)).toEqual(expect.arrayContaining(['changes_asked', 'revisions_requested', 'change_request_declined', 'deemed_accepted']));
  await payInFull(handle);
  expect(((await handle.result()) as ProjectStatus).stage).toBe('completed');
  await recordHistory(handle, 'project-client-asks-for-changes');
});

test.concurrent('changes the client asked for by mail, recorded by the manager: the review period waits for the answer as for the page; nobody is mailed; then it runs on', async () => {
  const window = 3_000;
  const input = projectInput({ departments: ['design'], policy: { acceptanceWindowMs: window } });
  const { projectId } = input;
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('site', 'design', { price: 900 })]));
  const byMail = (description: string, clientContact?: string, by = MANAGER) =>
    projectUpdate(handle, askForChangesUpdate, { args: [{ description, by: by as unknown as ClientActor, ...(clientContact !== undefined && { clientContact }) }] });

  // Nothing delivered yet: nothing to change, however it was asked.
  expect(await refusal(byMail('A bigger logo', 'Jane Doe'))).toEqual({ type: 'WrongStage' });
  await deliverTask(env, projectId, 'site', 'design');
  const s0 = await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  const reviewFrom = Date.parse(s0.stageEnteredAt!);
  // Another manager, or leadership, cannot record it; the manager must say who asked.
  expect(await refusal(byMail('A bigger logo', 'Jane Doe', { ...MANAGER, id: 'someone.else' }))).toEqual({ type: 'NotAllowed' });
  expect(await refusal(byMail('A bigger logo', 'Jane Doe', LEADER))).toEqual({ type: 'NotAllowed' });
  expect(await refusal(byMail('A bigger logo', '  '))).toEqual({ type: 'InvalidInput', field: 'clientContact' });

  let s = await byMail('A bigger logo, as Jane wrote on Monday', ' Jane Doe ');
  expect(s.changeRequests).toEqual([
    expect.objectContaining({ requestId: 'r1', description: 'A bigger logo, as Jane wrote on Monday', clientContact: 'Jane Doe', recordedBy: MANAGER.id, deliveryRound: 0 }),
  ]);
  expect(s.timeline.find((e) => e.event === 'changes_asked')).toMatchObject({ by: MANAGER.id });
  // One at a time, whichever way it came: the client's page cannot add a second meanwhile.
  expect(await refusal(ask(handle, clientOf(input), 'and a darker blue'))).toEqual({ type: 'AlreadyDone' });

  // Past both windows of the review, the client is not deemed to accept: the manager owes them an answer.
  await sleep(Math.max(0, reviewFrom + 2 * window + 1_000 - Date.now()));
  s = await handle.query(getStatusQuery);
  expect(s.stage).toBe('client_review');
  expect(s.feedback.map((f) => f.kind)).not.toContain('deemed_accepted');
  // The manager recorded it: no mail tells them what they know.
  expect(noticesFor(env, projectId, 'changes_asked')).toEqual([]);

  s = await decline(handle, 'r1', 'The logo is the size in the approved plan.');
  expect(s.changeRequests![0]).toMatchObject({ outcome: 'declined', answeredBy: MANAGER.id });
  s = await waitForStatus(handle, (x) => x.stage === 'invoicing', 'deemed accepted after the answer', 30_000);
  expect(s.feedback.at(-1)).toMatchObject({ kind: 'deemed_accepted' });
  await payInFull(handle);
  expect(((await handle.result()) as ProjectStatus).stage).toBe('completed');
  await recordHistory(handle, 'project-changes-asked-by-mail');
});

test.concurrent('a client who asked for changes and then accepts on their page: the request is answered by the acceptance; none is heard after it', async () => {
  const input = projectInput({ departments: ['seo'] });
  const { projectId } = input;
  const client = clientOf(input);
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('audit', 'seo', { price: 400 })]));
  await deliverTask(env, projectId, 'audit', 'seo');
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  await ask(handle, client, 'Add the blog to the audit');
  let s = await projectUpdate(handle, recordFeedbackUpdate, { args: [{ feedback: { kind: 'accepted', rating: 4, comment: 'fine as it is' }, by: client }] });
  expect(s.stage).toBe('invoicing');
  expect(s.changeRequests![0]).toMatchObject({ outcome: 'accepted_instead', answeredBy: client.id });
  expect(await refusal(ask(handle, client, 'one more thing'))).toEqual({ type: 'WrongStage' });
  expect(await refusal(decline(handle, 'r1', 'too late'))).toEqual({ type: 'AlreadyDone' });
  s = await handle.query(getStatusQuery);
  expect(s.changeRequests).toHaveLength(1);
  expect(noticesFor(env, projectId, 'change_request_declined')).toEqual([]);
  await payInFull(handle);
  expect(((await handle.result()) as ProjectStatus).stage).toBe('completed');
});

/** A project whose client asked for changes on their page, the request still waiting for the manager. */
async function requestWaiting() {
  const input = projectInput({ departments: ['design'] });
  const handle = await startProject(env, input);
  await approvePlan(handle, plan([planTask('site', 'design', { price: 900 })]));
  await deliverTask(env, input.projectId, 'site', 'design');
  await waitForStatus(handle, (x) => x.stage === 'client_review', 'client review');
  await ask(handle, clientOf(input), 'A darker blue on the buttons, please');
  return { input, handle };
}

test.concurrent('cancelled while changes asked for wait for the manager: the cancellation closes the request unanswered from the moment it is asked for, in the snapshot and the final report; nobody answers it after', async () => {
  const { input, handle } = await requestWaiting();
  // The cancellation held while its invoice for the accepted work is numbered: the project is still in review, being cancelled.
  let numbering!: () => void;
  const entered = new Promise<void>((resolve) => (numbering = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  env.gates.beforeInvoiceNumber = async (allocation) => {
    if (!allocation.idempotencyKey.includes(input.projectId)) return;
    numbering();
    await released;
  };
  const cancelling = projectUpdate(handle, cancelProjectUpdate, { args: [{ reason: 'client budget frozen', by: LEADER }] });
  await entered;
  // Already closed, so that no page offers the manager an answer nor tells the client it waits.
  const meanwhile = await handle.query(getStatusQuery);
  expect([meanwhile.stage, meanwhile.cancellation?.by]).toEqual(['client_review', LEADER.id]);
  expect(meanwhile.changeRequests![0]).toMatchObject({ outcome: 'project_cancelled', answeredAt: meanwhile.cancellation!.at });
  release();
  const s = await cancelling;
  expect(s.stage).toBe('cancelled');
  // Closed by the cancellation, when and by whom it was cancelled: no longer waiting for anyone.
  expect(s.changeRequests).toEqual([
    expect.objectContaining({ requestId: 'r1', outcome: 'project_cancelled', answeredAt: s.cancellation!.at, answeredBy: LEADER.id }),
  ]);
  // The final report, made at the cancellation, reads it so.
  const report = documentsFor(env, input.projectId).find((d) => d.kind === 'final_report')!;
  expect(report.snapshot.changeRequests).toEqual([expect.objectContaining({ requestId: 'r1', outcome: 'project_cancelled' })]);
  // Nobody answers it now: refused as the project is cancelled, not as answered.
  expect(await refusal(decline(handle, 'r1', 'too late'))).toEqual({ type: 'WrongStage' });
  await recordHistory(handle, 'project-cancelled-while-changes-asked');
  await payInFull(handle, 'cancellation');
  expect(((await handle.result()) as ProjectStatus).changeRequests![0].outcome).toBe('project_cancelled');
});

test.concurrent('a Temporal-level cancel (operator, UI) while changes asked for wait closes the request the same way', async () => {
  const { handle } = await requestWaiting();
  await handle.cancel();
  const s = await waitForStatus(handle, (x) => x.stage === 'cancelled', 'cancelled');
  expect(s.changeRequests).toEqual([expect.objectContaining({ outcome: 'project_cancelled', answeredAt: s.cancellation!.at, answeredBy: 'temporal' })]);
  await recordHistory(handle, 'project-temporal-cancel-while-changes-asked');
  await payInFull(handle, 'cancellation');
  expect(((await handle.result()) as ProjectStatus).stage).toBe('cancelled');
});
