/**
 * Reads that do not wait on a worker: a create answers with the snapshot the workflow starts
 * from; lists come from the reporting store; with the worker gone (a restart), a project and a
 * task are still served — the copy the workflow last published, marked as such — and a task the
 * store has not seen yet is served as it started.
 */
import { openingTaskView, TASK_WORKFLOW_TYPE, taskId, taskWorkflowId } from '../../workflows/task/contract';
import { designTaskInput } from '../activities/fixtures';
import { projectWorkflowId, type ProjectStatus } from '../../workflows/project/contract';
import { projectSearchAttributes } from '../../workflows/project/state';
import { taskInProjectCopy } from '../../api/snapshot-reads';
import { eventually, uniqueId } from '../support/temporal';
import { ReportingStore } from '../../activities/reporting/store';
import { testReportingUrl } from '../support/reporting';
import { planRequest, projectRequest, startApiHarness, waitForTask, type ApiHarness } from '../support/api';
import type { PlannedTaskItem } from '../../api/schemas';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(() => h?.close());
jest.setTimeout(120_000);

/** A project approved through the API, once its design task is open. */
async function projectWithOpenDesignTask(): Promise<{ projectId: string; design: string }> {
  const { projectId } = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body;
  await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const design = `${projectId}.design-home`;
  await waitForTask(h, design, 'open');
  return { projectId, design };
}

/**
 * Holds back every project publish for `which` projects not made by the API's projects router
 * (the workflow's own) — or, `alsoTheApis`, the router's answers too — until restored (at most a
 * minute). Held until the test says so, not for a fixed time: on a machine busy with other suites
 * an approval and the read after it can take longer than any fixed hold.
 */
function holdBackWorkflowPublishes(which: (projectId: string) => boolean, options: { alsoTheApis?: boolean } = {}): { mockRestore(): void } {
  const publish = h.reporting.publish.bind(h.reporting);
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const atMost = setTimeout(release, 60_000);
  const spy = jest.spyOn(h.reporting, 'publish').mockImplementation(async (record) => {
    if (record.kind === 'project' && which(record.projectId) && (options.alsoTheApis || !new Error().stack?.includes('routes/projects'))) {
      await released;
    }
    return publish(record);
  });
  return {
    mockRestore() {
      spy.mockRestore();
      clearTimeout(atMost);
      release();
    },
  };
}

/** A task's view as staff receive it: without its price (the managers' and leadership's business). */
function asStaffReadIt<T extends { price?: number }>(view: T): Omit<T, 'price'> {
  const { price: _notForStaff, ...rest } = view;
  return rest;
}

/** The API's answer for a task its project has planned but not started. */
function notStartedYet(taskId: string, projectId: string): string {
  return (
    `Task ${taskId} has not started yet: it is in the approved plan of project ${projectId}, ` +
    'which starts its tasks once the contract is out (and a prepayment it waits for is paid).'
  );
}

test('a create answers with exactly the snapshot the workflow then shows', async () => {
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201);
  expect(created.body.stage).toBe('planning');
  // Live, or (a busy worker) the copy the workflow published: the same snapshot either way.
  const read = await h.http().get(`/api/projects/${created.body.projectId}`).set(h.auth('manager')).expect(200);
  expect(read.body).toEqual(created.body);
});

test('a create starts its workflow with its snapshot\u2019s search attributes and stores its opening snapshot: the first workflow task has nothing to do', async () => {
  const created = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body as ProjectStatus;
  const handle = h.temporal.client.workflow.getHandle(projectWorkflowId(created.projectId));
  // A workflow task's commands are in the history together with its completion.
  const events = await eventually(
    async () => {
      const history = (await handle.fetchHistory()).events ?? [];
      return history.some((e) => e.workflowTaskCompletedEventAttributes) ? history : undefined;
    },
    { what: 'the first workflow task completed' },
  );
  // No search attributes to upsert, and no publish: the API stored the version it answered with.
  expect(events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toHaveLength(0);
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
  expect(await eventually(async () => (await h.reporting.project(created.projectId))?.value, { what: 'the stored opening snapshot' })).toEqual(created);
  const wanted = projectSearchAttributes(created).filter((pair) => pair.value !== null);
  const described = (await handle.describe()).typedSearchAttributes;
  for (const { key, value } of wanted) expect([key.name, described.get(key)]).toEqual([key.name, value]);
});

test('a create whose snapshot the store refused: the workflow is asked to publish it, and does', async () => {
  const publish = h.reporting.publish.bind(h.reporting);
  const spy = jest.spyOn(h.reporting, 'publish').mockImplementation(async (record) => {
    if (record.kind === 'project' && new Error().stack?.includes('routes/projects')) throw new Error('the store is down');
    return publish(record);
  });
  try {
    const created = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body as ProjectStatus;
    const stored = await eventually(async () => (await h.reporting.project(created.projectId))?.value, { what: 'the workflow\u2019s publish' });
    expect(stored).toEqual(created);
    const history = (await h.temporal.client.workflow.getHandle(projectWorkflowId(created.projectId)).fetchHistory()).events ?? [];
    expect(history.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean)).toEqual(['publishSnapshotAgain']);
    expect(history.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean)).toEqual(['publishSnapshot']);
  } finally {
    spy.mockRestore();
  }
});

test('an action is in the lists at once: the API stores its answer, the task publishes only once people stop acting', async () => {
  const { design } = await projectWithOpenDesignTask();
  const claimed = (await h.http().post(`/api/tasks/${design}/claim`).set(h.auth('designer')).expect(200)).body;
  // Straight after the answer, with no waiting: the designer's "mine" list has it, and so has the store.
  const mine = await h.http().get('/api/tasks?assignee=me&status=claimed').set(h.auth('designer')).expect(200);
  expect((mine.body.items as { taskId: string }[]).map((t) => t.taskId)).toContain(design);
  expect((await h.reporting.task(design))?.seq).toBe(claimed.version);
  // And the next action back to back: the department's open list has the task again at once.
  const released = (await h.http().post(`/api/tasks/${design}/release`).set(h.auth('designer')).expect(200)).body;
  const open = await h.http().get(`/api/tasks?department=design&status=open`).set(h.auth('designer')).expect(200);
  expect((open.body.items as { taskId: string }[]).map((t) => t.taskId)).toContain(design);
  expect((await h.reporting.task(design))?.seq).toBe(released.version);
});

test('a create is in the manager\u2019s list at once: the API stores the snapshot it answered with', async () => {
  // Any publish of the workflow's is held back (it leaves this version to the API): only the API's write can be in the store.
  const heldBack = holdBackWorkflowPublishes(() => true);
  try {
    const created = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body as ProjectStatus;
    const list = await h.http().get('/api/projects').set(h.auth('manager')).expect(200);
    expect((list.body.items as { projectId: string; stage: string }[]).find((p) => p.projectId === created.projectId)).toMatchObject({ stage: created.stage });
    expect(await h.reporting.project(created.projectId)).toMatchObject({ seq: created.version, value: created });
  } finally {
    heldBack.mockRestore();
  }
});

test('a project action is in the lists at once: the API stores its answer, ahead of the workflow\u2019s own publish', async () => {
  const { projectId } = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body;
  await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest()).expect(200);
  // The workflow's own publishes of this project are held back: only the API's write can be in the store.
  const heldBack = holdBackWorkflowPublishes((id) => id === projectId);
  try {
    const approved = (
      await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200)
    ).body;
    // Straight after the answer: the manager's list shows the approval, and the store has that version.
    const list = await h.http().get('/api/projects').set(h.auth('manager')).expect(200);
    expect((list.body.items as { projectId: string; stage: string }[]).find((p) => p.projectId === projectId)).toMatchObject({ stage: approved.stage });
    expect((await h.reporting.project(projectId))?.seq).toBeGreaterThanOrEqual(approved.version);
  } finally {
    heldBack.mockRestore();
  }
});

describe('a task the store has not seen yet (just started), known from its project\u2019s copy', () => {
  /** The project's status once its tasks are started, and the same status as another project's copy in the store. */
  async function startedProjectAndCopy(): Promise<{ projectId: string; status: ProjectStatus; other: string }> {
    const { projectId } = await projectWithOpenDesignTask();
    const status: ProjectStatus = await eventually(async () => {
      const read = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
      return read.tasks.length === 2 ? read : undefined;
    }, { what: 'both tasks in the project' });
    // A project Temporal has never heard of, whose store copy says what this one's says.
    const other = uniqueId('p');
    return { projectId, status, other };
  }
  /** `value` with every mention of project `from` made one of project `to`. */
  const asProject = <T>(value: T, from: string, to: string): T => JSON.parse(JSON.stringify(value).replaceAll(from, to)) as T;

  test('the opening view built from the project\u2019s copy is the one its start event gives', async () => {
    const { projectId } = await startedProjectAndCopy();
    // The copy as a task read gets it: without the parts a task never needs (the timeline...).
    const { project: copy } = await eventually(
      async () => {
        const copies = await h.reporting.taskOrItsProject(`${projectId}.no-such-task`, projectId);
        return copies.project?.value.tasks.length === 2 ? (copies as Required<typeof copies>) : undefined;
      },
      { what: 'the project\u2019s copy with both tasks' },
    );
    expect(copy.value).not.toHaveProperty('timeline');
    expect(copy.value).toMatchObject({ projectId, approvedPlanVersion: expect.any(Number) });
    for (const key of ['design-home', 'copy-home']) {
      const fromCopy = taskInProjectCopy(copy, key);
      expect(fromCopy).toMatchObject({ state: 'added' });
      expect(fromCopy?.state === 'added' && fromCopy.opening.value).toEqual((await h.gateway.taskAtStart(`${projectId}.${key}`)).value);
    }
    expect(taskInProjectCopy(copy, 'seo-audit')).toBeUndefined(); // not in the plan: the copy cannot tell
  });

  test('started by its project: served from the copy, with the access rules, and no read of Temporal', async () => {
    const { projectId, status, other } = await startedProjectAndCopy();
    const otherStatus = asProject(status, projectId, other);
    await h.reporting.publish({ kind: 'project', projectId: other, seq: otherStatus.version, snapshot: otherStatus });
    const startReads = jest.spyOn(h.gateway as unknown as { startedWith(id: string): Promise<unknown> }, 'startedWith');
    try {
      const id = `${other}.design-home`;
      const read = await h.http().get(`/api/tasks/${id}`).set(h.auth('designer')).expect(200);
      const realOpening = (await h.gateway.taskAtStart(`${projectId}.design-home`)).value;
      expect(read.body).toEqual(asStaffReadIt(asProject(realOpening, projectId, other)));
      expect(read.body).toMatchObject({ taskId: id, status: 'waiting', version: 1 });
      expect(read.headers['x-snapshot-published-at']).toBe((await h.reporting.project(other))?.publishedAt);
      await h.http().get(`/api/tasks/${id}`).set(h.auth('copywriter')).expect(403);
      await h.http().get(`/api/tasks/${id}`).set(h.auth('otherManager')).expect(403);
      expect(startReads.mock.calls.filter(([workflowId]) => workflowId === taskWorkflowId(id))).toHaveLength(0);
    } finally {
      startReads.mockRestore();
    }
  });

  test('started by its project a moment ago, its workflow not there yet: an action says so, worth trying again, and changes nothing', async () => {
    const { projectId, status, other } = await startedProjectAndCopy();
    const otherStatus = asProject(status, projectId, other);
    await h.reporting.publish({ kind: 'project', projectId: other, seq: otherStatus.version, snapshot: otherStatus });
    const id = `${other}.design-home`;
    const claim = await h.http().post(`/api/tasks/${id}/claim`).set(h.auth('designer')).expect(404);
    expect(claim.body.detail).toBe(
      `Task ${id} is starting: project ${other} started it a moment ago and its workflow is not there yet. Nothing was changed; try again in a second.`,
    );
    expect(claim.headers['retry-after']).toBe('1');
    expect(await h.reporting.task(id)).toBeUndefined();
    // A task no project lists keeps the plain answer.
    const missing = await h.http().post(`/api/tasks/${other}.seo-audit/claim`).set(h.auth('designer')).expect(404);
    expect(missing.body.detail).toBe(`There is no task ${other}.seo-audit.`);
  });

  test('planned but not started: 404 "not started yet", worth asking again; a key the plan lacks is simply not found', async () => {
    const { projectId, status, other } = await startedProjectAndCopy();
    const planned = { ...asProject(status, projectId, other), tasks: [] };
    await h.reporting.publish({ kind: 'project', projectId: other, seq: planned.version, snapshot: planned });
    const notYet = await h.http().get(`/api/tasks/${other}.design-home`).set(h.auth('designer')).expect(404);
    expect(notYet.body.detail).toBe(notStartedYet(`${other}.design-home`, other));
    expect(notYet.headers['retry-after']).toBe('1');
    // That it is planned is told only to those who may see it.
    await h.http().get(`/api/tasks/${other}.design-home`).set(h.auth('manager')).expect(404);
    const otherDepartment = await h.http().get(`/api/tasks/${other}.design-home`).set(h.auth('copywriter')).expect(403);
    expect(otherDepartment.body.detail).toBe('This task belongs to the design department; you work in copywriting.');
    // The department as a member of its own too: the portal names it without reading the words.
    expect(otherDepartment.body.department).toBe('design');
    await h.http().get(`/api/tasks/${other}.design-home`).set(h.auth('otherManager')).expect(403);
    await h.http().post(`/api/tasks/${other}.design-home/claim`).set(h.auth('copywriter')).expect(403);
    // An action on it is refused the same way, and changes nothing.
    const claim = await h.http().post(`/api/tasks/${other}.design-home/claim`).set(h.auth('designer')).expect(404);
    expect(claim.body.detail).toBe(notYet.body.detail);
    const missing = await h.http().get(`/api/tasks/${other}.seo-audit`).set(h.auth('leadership')).expect(404);
    expect(missing.body.detail).toBe(`There is no task ${other}.seo-audit.`);
  });

  test('read right after the approval, before the answer reaches the store: a planned task is "not started yet", not "no such task"', async () => {
    const { projectId } = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ policy: { startAfterPrepayment: true } })).expect(201)).body;
    // The work waits for a prepayment nobody pays here: no task can start while the reads below run
    // (without it, a read slowed by a busy machine could come after the tasks started, and find one).
    await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest({ prepaymentPercent: 25 })).expect(200);
    // Every project publish of this project (the API's answer, the workflow's own) is held back.
    const late = holdBackWorkflowPublishes((id) => id === projectId, { alsoTheApis: true });
    try {
      await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
      // The copy after design: planned, not started (it waits for design). The store has no approved plan yet.
      const read = await h.http().get(`/api/tasks/${projectId}.copy-home`).set(h.auth('copywriter')).expect(404);
      expect((await h.reporting.project(projectId))?.value.approvedPlanVersion).toBeUndefined();
      expect(read.body.detail).toBe(notStartedYet(`${projectId}.copy-home`, projectId));
      expect(read.headers['retry-after']).toBe('1');
      await h.http().get(`/api/tasks/${projectId}.copy-home`).set(h.auth('designer')).expect(403);
      // A key the plan lacks is still simply not found.
      const missing = await h.http().get(`/api/tasks/${projectId}.seo-audit`).set(h.auth('leadership')).expect(404);
      expect(missing.body.detail).toBe(`There is no task ${projectId}.seo-audit.`);
    } finally {
      late.mockRestore();
    }
  });

  test('while Temporal is slow to say whether a planned task started, reads take the copy\u2019s word; actions still ask', async () => {
    const { projectId, status, other } = await startedProjectAndCopy();
    const planned = { ...asProject(status, projectId, other), tasks: [] };
    await h.reporting.publish({ kind: 'project', projectId: other, seq: planned.version, snapshot: planned });
    const id = `${other}.design-home`;
    const taskAtStart = h.gateway.taskAtStart.bind(h.gateway);
    // Temporal's real answer ("no such task"), asked once: the prompt phase below gives it at once,
    // so that a busy test machine cannot make a prompt answer miss the 10 ms budget.
    const noSuchTask = await taskAtStart(id).catch((err: unknown) => err);
    expect(noSuchTask).toMatchObject({ status: 404 });
    let slowMs = 0;
    const asked = jest.spyOn(h.gateway, 'taskAtStart').mockImplementation(async (askedFor) => {
      if (askedFor !== id) return taskAtStart(askedFor);
      if (slowMs === 0) throw noSuchTask;
      await new Promise((resolve) => setTimeout(resolve, slowMs));
      return taskAtStart(askedFor);
    });
    const askedForIt = () => asked.mock.calls.filter(([askedFor]) => askedFor === id).length;
    // An app of its own: this file's earlier reads, slow on a busy machine, may have paused the shared app's checks.
    const http = h.anotherProcess();
    const read = async () => (await http().get(`/api/tasks/${id}`).set(h.auth('designer')).expect(404)).body.detail as string;
    try {
      // Temporal says "no such task" promptly: every read asks it.
      for (let i = 1; i <= 4; i++) {
        expect(await read()).toContain('has not started yet');
        expect(askedForIt()).toBe(i);
      }
      // Its answers miss the read budget three times: the next read answers from the copy alone.
      slowMs = 200;
      for (let i = 5; i <= 7; i++) {
        expect(await read()).toContain('has not started yet');
        expect(askedForIt()).toBe(i);
      }
      const fromCopy = await http().get(`/api/tasks/${id}`).set(h.auth('designer')).expect(404);
      expect(fromCopy.body.detail).toContain('has not started yet');
      expect(fromCopy.headers['retry-after']).toBe('1');
      expect(askedForIt()).toBe(7);
      // An action is not refused on the copy's word alone: it asks.
      await http().post(`/api/tasks/${id}/claim`).set(h.auth('designer')).expect(404);
      expect(askedForIt()).toBe(8);
    } finally {
      asked.mockRestore();
    }
  });
});

test('while the workflows are slow to answer, project reads serve the stored copy from memory: no statement each, another process\u2019s newer copy within a poll, this process\u2019s own write at once', async () => {
  const { projectId } = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201)).body;
  await eventually(async () => (await h.reporting.project(projectId)) !== undefined, { what: 'the opening snapshot stored' });
  const projectStatus = h.gateway.projectStatus.bind(h.gateway);
  const slowQueries = jest.spyOn(h.gateway, 'projectStatus').mockImplementation(async (id, options) => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return projectStatus(id, options);
  });
  const statements = jest.spyOn(h.reporting, 'project');
  // The same schema through a pool of its own: a worker process publishing beside this API.
  const elsewhere = await ReportingStore.open({ url: testReportingUrl(), schema: h.reporting.schema, migrate: false });
  const read = async () => (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200));
  try {
    // Three answers past the read budget: reads stop asking the workflow and serve the copy.
    for (let i = 0; i < 3; i++) await read();
    const before = statements.mock.calls.length;
    const first = await read();
    expect(first.headers['x-snapshot-published-at']).toBeDefined();
    for (let i = 0; i < 4; i++) expect((await read()).body).toEqual(first.body);
    // The first of them read the store (none, if reads were already paused by an earlier test's slow queries); the rest, memory.
    expect(statements.mock.calls.length - before).toBeLessThanOrEqual(1);

    const copy = (await elsewhere.project(projectId))!;
    const renamed = { ...copy.value, version: copy.value.version + 1, title: 'Renamed by another process' };
    await elsewhere.publish({ kind: 'project', projectId, seq: renamed.version, snapshot: renamed });
    const seen = await eventually(async () => {
      const body = (await read()).body as ProjectStatus;
      return body.title === renamed.title ? body : undefined;
    }, { what: 'the other process\u2019s copy served', timeoutMs: 3_000 });
    expect(seen).toEqual(renamed);
    expect(statements.mock.calls.length - before).toBeLessThanOrEqual(1);

    const again = { ...renamed, version: renamed.version + 1, title: 'Renamed here' };
    await h.reporting.publish({ kind: 'project', projectId, seq: again.version, snapshot: again });
    expect((await read()).body).toEqual(again);
    // Access rules hold on copies from memory too.
    await h.http().get(`/api/projects/${projectId}`).set(h.auth('otherManager')).expect(403);
    // An operator sees it in /metrics.
    const metrics = (await h.http().get('/metrics').expect(200)).text;
    expect(Number(/^agencyflow_api_copy_reads_total\{source="memory"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(4);
    expect(metrics).toMatch(/^agencyflow_api_copy_reads_total\{source="store"\} [1-9]/m);
    expect(Number(/^agencyflow_api_copies_held (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  } finally {
    slowQueries.mockRestore();
    statements.mockRestore();
    await elsewhere.close();
  }
});

test('while project copies are served from memory, a task read right after its plan\u2019s approval knows the plan from the approval\u2019s answer: no store statement, though the answer has not reached the store', async () => {
  // The tasks wait for a prepayment: "not started yet" is the answer throughout.
  const { projectId } = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ policy: { startAfterPrepayment: true } })).expect(201)).body;
  await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest({ prepaymentPercent: 30 })).expect(200);
  await eventually(async () => (await h.reporting.project(projectId))?.value.stage === 'awaiting_approval', { what: 'the submitted plan stored' });
  const projectStatus = h.gateway.projectStatus.bind(h.gateway);
  const slowQueries = jest.spyOn(h.gateway, 'projectStatus').mockImplementation(async (id, options) => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return projectStatus(id, options);
  });
  const heldBack = holdBackWorkflowPublishes((id) => id === projectId, { alsoTheApis: true });
  const statements = jest.spyOn(h.reporting, 'taskOrItsProject');
  try {
    // Reads past the budget: the project's copy (its plan submitted, not approved) is served from memory.
    for (let i = 0; i < 4; i++) await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200);
    const approved = await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
    expect(approved.body.approvedPlanVersion).toBe(1);
    const design = `${projectId}.design-home`;
    const read = await h.http().get(`/api/tasks/${design}`).set(h.auth('designer')).expect(404);
    expect(read.body.detail).toBe(notStartedYet(design, projectId));
    expect(statements.mock.calls.filter(([taskId]) => taskId === design)).toHaveLength(0);
  } finally {
    statements.mockRestore();
    heldBack.mockRestore();
    slowQueries.mockRestore();
  }
});

test('a task list polled often is served from memory, refreshed behind its readers: another process\u2019s change within a second, the reader\u2019s own action at once; a list filtered on overdue always asks the store', async () => {
  const { projectId, design } = await projectWithOpenDesignTask();
  const stored = await eventually(async () => {
    const copy = await h.reporting.task(design);
    return copy?.value.status === 'open' ? copy : undefined;
  }, { what: 'the open task stored' });
  const statements = jest.spyOn(h.reporting, 'listTasks');
  const elsewhere = await ReportingStore.open({ url: testReportingUrl(), schema: h.reporting.schema, migrate: false });
  type Item = { taskId: string; status: string; overdue: boolean };
  const inbox = async (query = '') => (await h.http().get(`/api/tasks?projectId=${projectId}${query}`).set(h.auth('designer')).expect(200)).body.items as Item[];
  const memoryReads = async () => Number(/^agencyflow_api_list_reads_total\{source="memory"\} (\d+)/m.exec((await h.http().get('/metrics').expect(200)).text)?.[1] ?? 0);
  try {
    const first = await inbox();
    expect(first.map((t) => [t.taskId, t.status])).toContainEqual([design, 'open']);
    const fromMemoryBefore = await memoryReads();
    for (let i = 0; i < 3; i++) expect(await inbox()).toEqual(first);
    expect(await memoryReads()).toBeGreaterThan(fromMemoryBefore);

    // Another process stores a task of this project: readers polling the list see it within a second or so.
    const extra = `${projectId}.extra-banner`;
    await elsewhere.publish({ kind: 'task', taskId: extra, projectId, seq: 1, view: { ...stored.value, taskId: extra, taskKey: 'extra-banner', version: 1 } });
    await eventually(async () => ((await inbox()).some((t) => t.taskId === extra) ? true : undefined), { what: 'the other process\u2019s task listed', timeoutMs: 3_000, intervalMs: 50 });

    // The designer's own claim: their next list shows it, though a list from before it is held.
    expect((await inbox()).find((t) => t.taskId === design)?.status).toBe('open');
    await h.http().post(`/api/tasks/${design}/claim`).set(h.auth('designer')).expect(200);
    expect((await inbox()).find((t) => t.taskId === design)?.status).toBe('claimed');

    // Which tasks an overdue filter holds changes with the clock: every such read is a statement.
    const overdueStatements = () => statements.mock.calls.filter(([filter]) => filter.overdue !== undefined && filter.projectId === projectId).length;
    for (let i = 1; i <= 3; i++) {
      expect((await inbox('&overdue=false')).map((t) => t.taskId)).toContain(design);
      expect(overdueStatements()).toBe(i);
    }
    expect((await h.http().get('/metrics').expect(200)).text).toMatch(/^agencyflow_api_lists_held [1-9]/m);
  } finally {
    statements.mockRestore();
    await elsewhere.close();
  }
});

test('the client directory: one entry per client id as on its newest project, for every manager (its email for its own managers and leadership); found by part of a name, punctuation and legal-form words aside, then a letter off', async () => {
  const id = uniqueId('dir-client');
  const first = { id, name: `Old Name ${id}`, segment: 'B2B', email: 'old@client.example' };
  await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ client: first })).expect(201);
  await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ client: { ...first, name: `New_Name ${id}`, email: 'new@client.example' } })).expect(201);
  type Entry = { clientId: string; name: string; segment: string; email: string; projects: number; lastIntakeAt: string; match: 'exact' | 'similar' };
  const found = async (who: 'manager' | 'otherManager' | 'leadership', q: string): Promise<Entry[]> =>
    (await h.http().get('/api/clients').query({ q }).set(h.auth(who)).expect(200)).body.items as Entry[];
  await eventually(async () => (await found('manager', id))[0]?.projects === 2, { timeoutMs: 10_000, what: 'both projects in the directory' });
  // Another manager finds the agency's client too (and would open a project under the same id),
  // but not its email: only leadership and the managers with a project for that client read it.
  expect(await found('otherManager', `new_name ${id}`.toUpperCase())).toEqual([
    { clientId: id, name: `New_Name ${id}`, segment: 'B2B', projects: 2, lastIntakeAt: expect.any(String), match: 'exact' },
  ]);
  expect((await found('manager', id))[0].email).toBe('new@client.example');
  expect((await found('leadership', id))[0].email).toBe('new@client.example');
  // By exact id: this client, and not one whose id merely contains it.
  const byId = async (clientId: string) => (await h.http().get('/api/clients').query({ id: clientId }).set(h.auth('manager')).expect(200)).body.items as Entry[];
  expect((await byId(id)).map((c) => c.clientId)).toEqual([id]);
  expect(await byId(id.slice(0, -1))).toEqual([]);
  // Any case, accents aside, each word anywhere (as the project search): a returning "Müller
  // Bäckerei" is found however the manager types it, so the form can offer it.
  const accented = `${id}-mb`;
  await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ client: { ...first, id: accented, name: `Müller Bäckerei ${accented}` } })).expect(201);
  await eventually(async () => (await found('manager', `muller backerei ${accented}`)).length === 1, { timeoutMs: 10_000, what: 'the accented client found without its accents' });
  expect((await found('manager', `${accented}  BÄCKEREI`)).map((c) => c.clientId)).toEqual([accented]);
  expect(await found('manager', `Müller Nord ${accented}`)).toEqual([]);
  // A returning client typed differently (activities/reporting/client-names.ts): punctuation is a
  // word break (never a LIKE wildcard) and legal-form words need not match; a word a letter off
  // ("Nmae") is found too, said to be similar. The portal's list of the whole directory says nothing of it.
  const matched = async (q: string) => (await found('manager', q)).map((c) => [c.clientId, c.match]);
  expect(await matched(`New%Name Ltd. ${id}`)).toEqual([[id, 'exact']]);
  expect(await matched(`The New Nmae ${id}`)).toEqual([[id, 'similar']]);
  expect(await matched(`Newer Nmae ${id}`)).toEqual([]);
  expect((await h.http().get('/api/clients').query({ id }).set(h.auth('manager')).expect(200)).body.items[0]).not.toHaveProperty('match');
  const bad = await h.http().get('/api/clients').query({ limit: 1001 }).set(h.auth('manager'));
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['limit']);
  await h.http().get('/api/clients').set(h.auth('designer')).expect(403);
});

test('a waiting task in its department\u2019s list says which tasks it waits for, by title; once they are accepted it opens and says nothing', async () => {
  const { projectId, design } = await projectWithOpenDesignTask();
  const copy = `${projectId}.copy-home`;
  type Item = { taskId: string; status: string; waitingFor?: string[] };
  const listed = async (status: string): Promise<Item | undefined> =>
    ((await h.http().get('/api/tasks').query({ status, projectId }).set(h.auth('copywriter')).expect(200)).body.items as Item[]).find((t) => t.taskId === copy);
  expect(await eventually(() => listed('waiting'), { what: 'the copy task stored, waiting' })).toMatchObject({ status: 'waiting', waitingFor: ['Home page design'] });
  // The copywriter may not read the design task; the copy task itself names it.
  const view = (await h.http().get(`/api/tasks/${copy}`).set(h.auth('copywriter')).expect(200)).body;
  expect(view.dependencies).toEqual([{ key: 'design-home', title: 'Home page design', department: 'design' }]);
  // Refused, with the task's department as a member of the problem (the portal names it from there).
  const refused = await h.http().get(`/api/tasks/${design}`).set(h.auth('copywriter')).expect(403);
  expect(refused.body).toMatchObject({ type: 'urn:agencyflow:problem:forbidden', status: 403, department: 'design' });
  await h.http().post(`/api/tasks/${design}/claim`).set(h.auth('designer')).send({}).expect(200);
  await h.http().post(`/api/tasks/${design}/submit`).set(h.auth('designer')).send({ summary: 'Done', links: [] }).expect(200);
  await h.http().post(`/api/tasks/${design}/review`).set(h.auth('manager')).send({ decision: 'accept' }).expect(200);
  const opened = await eventually(() => listed('open'), { what: 'the copy task open', timeoutMs: 30_000 });
  expect(opened.waitingFor).toBeUndefined();
});

test('the work of a project waiting for its prepayment is listed as planned for its department, its manager and leadership, and leaves with a cancellation', async () => {
  const { projectId } = (await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ policy: { startAfterPrepayment: true } })).expect(201)).body;
  await h.http().put(`/api/projects/${projectId}/plan`).set(h.auth('manager')).send(planRequest({ prepaymentPercent: 30 })).expect(200);
  await h.http().post(`/api/projects/${projectId}/plan/decision`).set(h.auth('leadership')).send({ planVersion: 1, decision: 'approve' }).expect(200);
  const planned = async (who: Parameters<ApiHarness['auth']>[0], query: Record<string, string> = {}): Promise<string[]> =>
    ((await h.http().get('/api/tasks/planned').query(query).set(h.auth(who)).expect(200)).body.items as PlannedTaskItem[])
      .filter((t) => t.projectId === projectId)
      .map((t) => t.taskId);
  const design = `${projectId}.design-home`;
  const copy = `${projectId}.copy-home`;
  await eventually(async () => ((await planned('designer')).length > 0 ? true : undefined), { what: 'the design work planned' });
  expect(await planned('designer')).toEqual([design]);
  expect(await planned('copywriter')).toEqual([copy]);
  expect(await planned('manager')).toEqual([design, copy]);
  expect(await planned('otherManager')).toEqual([]);
  expect(await planned('leadership', { department: 'copywriting' })).toEqual([copy]);
  expect(await planned('leadership', { managerId: h.people.manager.id })).toEqual([design, copy]);
  await h.http().get('/api/tasks/planned').query({ department: 'copywriting' }).set(h.auth('designer')).expect(403);
  await h.http().get('/api/tasks/planned').query({ managerId: h.people.manager.id }).set(h.auth('otherManager')).expect(403);

  await h.http().post(`/api/projects/${projectId}/cancel`).set(h.auth('manager')).send({ reason: 'client withdrew' }).expect(200);
  // Gone for everyone (lists held in memory follow the store within a second).
  const anyLeft = async () => (await Promise.all((['designer', 'copywriter', 'manager', 'leadership'] as const).map((who) => planned(who)))).flat();
  await eventually(async () => ((await anyLeft()).length === 0 ? true : undefined), { what: 'the planned work gone with the cancellation', timeoutMs: 5_000 });
});

test('with the worker down, people still see their project, their task and their inbox', async () => {
  const { projectId, design } = await projectWithOpenDesignTask();
  await h.http().post(`/api/tasks/${design}/claim`).set(h.auth('designer')).expect(200);
  // The store follows within seconds: the claimed task shows in the designer's "mine" list.
  await eventually(
    async () => {
      const mine = await h.http().get('/api/tasks?assignee=me').set(h.auth('designer')).expect(200);
      return (mine.body.items as { taskId: string; status: string }[]).some((t) => t.taskId === design && t.status === 'claimed');
    },
    { what: 'the claim in the inbox' },
  );
  // The project hears of the claim from its task a moment later: read it once it has.
  const live = await eventually(
    async () => {
      const read = (await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200)).body;
      return (read.tasks as { taskId: string; status: string }[]).some((t) => t.taskId === design && t.status === 'claimed') ? read : undefined;
    },
    { what: 'the claim in the project' },
  );
  await eventually(async () => (await h.reporting.project(projectId))?.seq === live.version, { what: 'the project published' });
  const liveDocuments = (await h.http().get(`/api/projects/${projectId}/documents`).set(h.auth('manager')).expect(200)).body;
  expect(liveDocuments.items.length).toBeGreaterThan(0);

  await h.stopWorker();

  const started = Date.now();
  const project = await h.http().get(`/api/projects/${projectId}`).set(h.auth('manager')).expect(200);
  expect(Date.now() - started).toBeLessThan(8_000);
  expect(project.headers['x-snapshot-published-at']).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(project.body).toEqual(live);
  const task = await h.http().get(`/api/tasks/${design}`).set(h.auth('designer')).expect(200);
  expect(task.headers['x-snapshot-published-at']).toBeDefined();
  expect(task.body).toMatchObject({ taskId: design, status: 'claimed' });
  const inbox = await h.http().get('/api/tasks?department=design').set(h.auth('designer')).expect(200);
  expect((inbox.body.items as { taskId: string }[]).map((t) => t.taskId)).toContain(design);
  const documents = await h.http().get(`/api/projects/${projectId}/documents`).set(h.auth('manager')).expect(200);
  expect(documents.headers['x-snapshot-published-at']).toBeDefined();
  expect(documents.body).toEqual(liveDocuments);
  // A read answered from the store cancelled its query: with no worker, a query otherwise waits
  // its whole deadline in the task queue (8 s here) and reaches the next worker first.
  const cancel = new AbortController();
  const started2 = Date.now();
  const abandoned = h.gateway.projectStatus(projectId, { signal: cancel.signal }).catch((err: unknown) => err);
  setTimeout(() => cancel.abort(), 100);
  expect(await abandoned).toMatchObject({ status: 503 });
  expect(Date.now() - started2).toBeLessThan(2_000);
  // Access rules hold on the stored copy too.
  await h.http().get(`/api/tasks/${design}`).set(h.auth('copywriter')).expect(403);
  await h.http().get(`/api/projects/${projectId}`).set(h.auth('otherManager')).expect(403);
});

test('a task or project the store has not seen yet: who may see it, and what it was at its start, come from Temporal without a worker', async () => {
  await h.stopWorker();
  const projectId = uniqueId('p');
  const input = designTaskInput(projectId, { managerId: h.people.manager.id, description: 'Hero, three sections, footer' });
  const id = taskId(projectId, 'design');
  // No worker polls: the workflow never runs its first task, the store never hears of it.
  const handle = await h.temporal.client.workflow.start(TASK_WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId: taskWorkflowId(id), args: [input] });
  const { startTime } = await handle.describe();
  // How often the API reads a start event from Temporal, by workflow id.
  const startReads = jest.spyOn(h.gateway as unknown as { startedWith(id: string): Promise<unknown> }, 'startedWith');
  const startReadsOf = (workflowId: string) => startReads.mock.calls.filter(([id]) => id === workflowId).length;

  const started = Date.now();
  const read = await h.http().get(`/api/tasks/${id}`).set(h.auth('designer')).expect(200);
  expect(Date.now() - started).toBeLessThan(3_000); // not the query's 8 s deadline
  expect(read.body).toEqual(asStaffReadIt(openingTaskView(input)));
  expect(read.body).toMatchObject({ status: 'waiting', version: 1 });
  expect(read.headers['x-snapshot-published-at']).toBe(startTime.toISOString());
  await h.http().get(`/api/tasks/${id}`).set(h.auth('manager')).expect(200);
  // The access rules read the start event's department and manager.
  await h.http().get(`/api/tasks/${id}`).set(h.auth('copywriter')).expect(403);
  await h.http().get(`/api/tasks/${id}`).set(h.auth('otherManager')).expect(403);
  await h.http().post(`/api/tasks/${id}/claim`).set(h.auth('copywriter')).expect(403);
  // Five requests, one read of the start event: what a workflow started from never changes.
  expect(startReadsOf(taskWorkflowId(id))).toBe(1);
  // A task that was never started is not found, worker or no worker — and asked again next time.
  const missing = await h.http().get(`/api/tasks/${projectId}.seo`).set(h.auth('leadership')).expect(404);
  expect(missing.body).toMatchObject({ status: 404, detail: `There is no task ${projectId}.seo.` });
  await h.http().get(`/api/tasks/${projectId}.seo`).set(h.auth('leadership')).expect(404);
  expect(startReadsOf(taskWorkflowId(`${projectId}.seo`))).toBe(2);
  startReads.mockRestore();
  await handle.terminate('test over');

  // A project created while no worker runs is read the same way: the snapshot its create answered.
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest()).expect(201);
  const project = await h.http().get(`/api/projects/${created.body.projectId}`).set(h.auth('manager')).expect(200);
  expect(project.body).toEqual(created.body);
  expect(project.headers['x-snapshot-published-at']).toMatch(/^\d{4}-\d\d-\d\dT/);
  await h.http().get(`/api/projects/${created.body.projectId}`).set(h.auth('otherManager')).expect(403);
  await h.http().get(`/api/projects/${created.body.projectId}`).set(h.auth('leadership')).expect(200);
  await h.http().get(`/api/projects/p-${uniqueId('none').replace(/[^a-z0-9]/g, '')}`).set(h.auth('leadership')).expect(404);
});

