/**
 * The thin layer between HTTP and Temporal: starts projects, runs the status queries and the
 * updates, and turns every Temporal failure into an ApiProblem the error middleware can write
 * (business failures from update validators by their stable `type`, unreachable Temporal as 503).
 * Routes never see a gRPC error.
 */
import {
  ApplicationFailure,
  Client,
  Connection,
  isGrpcServiceError,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WithStartWorkflowOperation,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { tsToDate, type SearchAttributePair } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { Stored } from '../activities/reporting/store';
import type { Logger } from '../common/logger';
import { settledWithin } from '../common/settle';
import { clientConnectionOptions, endedWorkflowMessage, temporalAnswers } from '../common/temporal';
import { ErrorType, type BusinessErrorDetails } from '../workflows/errors';
import { ManagerIdKey } from '../workflows/search-attributes';
import {
  getStatusQuery,
  PROJECT_WORKFLOW_TYPE,
  publishAgainSignal,
  projectWorkflowId,
  type ProjectActionResult,
  type ProjectInput,
  type ProjectStatus,
} from '../workflows/project/contract';
import { openingStatus, projectSearchAttributes, reopenedProjectInput } from '../workflows/project/state';
import {
  getStatusQuery as getTaskStatusQuery,
  openingTaskView,
  TASK_WORKFLOW_TYPE,
  taskWorkflowId,
  type TaskInput,
  type TaskView,
} from '../workflows/task/contract';
import { ApiProblem, notFound, ProblemType, type FieldProblem } from './errors';
import { BoundedMap } from './snapshot-reads';

/** gRPC status codes we translate (from @grpc/grpc-js, without depending on it directly). */
const Grpc = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
} as const;

/**
 * The API's one connection. Lazy, so the process starts and listens while Temporal is down; a
 * short gRPC retry (3 attempts instead of the SDK's 10) so a request during an outage gets its
 * 503 in about a second rather than after twenty.
 */
export function createTemporalConnection(address: string): Connection {
  return Connection.lazy({
    address,
    connectTimeout: 5_000,
    ...clientConnectionOptions({ maxAttempts: 3 }),
  });
}

/** What the API writes into a project's memo at start (read back by lists and idempotent creates). */
export interface ProjectMemo {
  title: string;
  clientName: string;
  clientId: string;
  managerId: string;
  requestFingerprint: string;
  /** The X-Request-Id of the request that created the project. */
  requestId: string;
}

export interface ProjectDescription {
  projectId: string;
  running: boolean;
  status: string;
  memo: Partial<ProjectMemo>;
  managerId?: string;
}

export interface StartProjectOptions {
  input: ProjectInput;
  memo: ProjectMemo;
  searchAttributes: SearchAttributePair[];
}

export interface TemporalGatewayOptions {
  connection: Connection;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  /** Deadline for a start, describe or query (ms). */
  callTimeoutMs?: number;
  /** Deadline for an update, which may wait on an activity (ms). */
  updateTimeoutMs?: number;
}

export class TemporalGateway {
  readonly client: Client;
  readonly connection: Connection;
  readonly namespace: string;
  readonly taskQueue: string;
  /** Deadline of a start, describe or query (ms). */
  readonly callTimeoutMs: number;
  private readonly updateTimeoutMs: number;
  // Calls not yet settled, also those no request waits for any more (a read answered from the
  // store cancels its query, which still takes a moment to end): closing the connection under one
  // that the SDK is about to retry made the retry throw ("Channel has been shut down") outside any
  // request before closedChannelGuard; waiting for them is still the tidy way to close.
  private readonly inFlight = new Set<Promise<unknown>>();
  // What a workflow started from never changes: each start event is read once per process (and
  // once for many reads at the same moment). Records the store has not seen yet are the new ones,
  // read often while their first publish is on its way (seconds under load).
  private readonly starts = new BoundedMap<string, Promise<unknown>>(5_000);

  constructor(options: TemporalGatewayOptions) {
    this.connection = options.connection;
    this.namespace = options.namespace;
    this.taskQueue = options.taskQueue;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.updateTimeoutMs = options.updateTimeoutMs ?? 30_000;
    this.client = new Client({ connection: options.connection, namespace: options.namespace });
  }

  /** True when Temporal answers a cheap call within the timeout (readiness). */
  answers(timeoutMs = 2_000): Promise<boolean> {
    return temporalAnswers(this.connection, timeoutMs);
  }

  /** Runs `fn` against Temporal with a deadline; every failure comes out as an ApiProblem. */
  async call<T>(
    what: string,
    fn: (client: Client) => Promise<T>,
    options: { timeoutMs?: number; notFound?: string; closed?: string; signal?: AbortSignal } = {},
  ): Promise<T> {
    const { signal } = options;
    const running = this.connection.withDeadline(Date.now() + (options.timeoutMs ?? this.callTimeoutMs), () =>
      signal ? this.connection.withAbortSignal(signal, () => fn(this.client)) : fn(this.client),
    );
    this.inFlight.add(running);
    try {
      return await running;
    } catch (err) {
      throw translateTemporalError(err, what, { notFound: options.notFound, closed: options.closed });
    } finally {
      this.inFlight.delete(running);
    }
  }

  /** Waits (at most `timeoutMs`) for every call still running; call before closing the connection. */
  drain(timeoutMs = 15_000): Promise<void> {
    return settledWithin(this.inFlight, timeoutMs);
  }

  /**
   * Starts the project; false when a workflow with its id exists already, running or closed (the
   * same Idempotency-Key again): the caller then reads its memo and compares request fingerprints.
   * REJECT_DUPLICATE keeps a finished project's id from being reused.
   */
  async startProject(options: StartProjectOptions): Promise<boolean> {
    const workflowId = projectWorkflowId(options.input.projectId);
    try {
      await this.connection.withDeadline(Date.now() + this.callTimeoutMs, () =>
        this.client.workflow.start(PROJECT_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: this.taskQueue,
          args: [options.input],
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { ...options.memo },
          typedSearchAttributes: options.searchAttributes,
          staticSummary: `${options.input.title} — ${options.input.client.name}`,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw translateTemporalError(err, 'start the project');
    }
  }

  /** Has the project publish its current snapshot (the API could not store a new project's opening snapshot). */
  async askProjectToPublish(projectId: string): Promise<void> {
    await this.call(`ask project ${projectId} to publish`, (client) => client.workflow.getHandle(projectWorkflowId(projectId)).signal(publishAgainSignal));
  }

  /** Memo and status of a project without needing a worker; undefined when there is none. */
  async describeProject(projectId: string): Promise<ProjectDescription | undefined> {
    let description: WorkflowExecutionDescription;
    try {
      description = await this.connection.withDeadline(Date.now() + this.callTimeoutMs, () =>
        this.client.workflow.getHandle(projectWorkflowId(projectId)).describe(),
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw translateTemporalError(err, 'read the project');
    }
    if (description.type !== PROJECT_WORKFLOW_TYPE) return undefined;
    const memo = (description.memo ?? {}) as Partial<ProjectMemo>;
    return {
      projectId,
      running: description.status.name === 'RUNNING',
      status: description.status.name,
      memo,
      managerId: memo.managerId ?? description.typedSearchAttributes.get(ManagerIdKey),
    };
  }

  /** `signal`: cancels the query (a read that answered without it), so no worker spends time on it. */
  projectStatus(projectId: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ProjectStatus> {
    return this.call(
      `read project ${projectId}`,
      (client) => client.workflow.getHandle(projectWorkflowId(projectId)).query(getStatusQuery),
      { notFound: `There is no project ${projectId}.`, ...options },
    );
  }

  updateProject<Input>(
    projectId: string,
    update: UpdateDefinition<ProjectActionResult, [Input]>,
    input: Input,
    updateId?: string,
  ): Promise<ProjectActionResult> {
    return this.call(
      `${actionInWords(update.name)} on project ${projectId}`,
      (client) =>
        client.workflow
          .getHandle(projectWorkflowId(projectId))
          .executeUpdate(update, { args: [input], ...(updateId && { updateId }) }),
      {
        timeoutMs: this.updateTimeoutMs,
        notFound: `There is no project ${projectId}.`,
        closed: `Project ${projectId} has ended (completed or cancelled); it takes no further actions.`,
      },
    );
  }

  /**
   * A completed project whose workflow has ended runs again with this update (a complaint made
   * after its window), carrying on from its final snapshot. One already run again for another
   * complaint takes the update in that run (USE_EXISTING): two complaints at once make one run.
   */
  reopenProject<Input>(
    final: ProjectStatus,
    memo: ProjectMemo,
    update: UpdateDefinition<ProjectActionResult, [Input]>,
    input: Input,
    updateId?: string,
  ): Promise<ProjectActionResult> {
    const { projectId } = final;
    const startWorkflowOperation = new WithStartWorkflowOperation(PROJECT_WORKFLOW_TYPE, {
      workflowId: projectWorkflowId(projectId),
      taskQueue: this.taskQueue,
      args: [reopenedProjectInput(final)],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // The project's earlier run ended; this one carries it on under the same id.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      memo: { ...memo },
      typedSearchAttributes: projectSearchAttributes(final).filter((pair): pair is SearchAttributePair => pair.value !== null),
      staticSummary: `${final.title} — ${final.client.name} (a complaint after its window)`,
    });
    return this.call(
      `${actionInWords(update.name)} on project ${projectId}`,
      (client) => client.workflow.executeUpdateWithStart(update, { args: [input], startWorkflowOperation, ...(updateId && { updateId }) }),
      { timeoutMs: this.updateTimeoutMs, notFound: `There is no project ${projectId}.` },
    );
  }

  task(taskId: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TaskView> {
    return this.call(`read task ${taskId}`, (client) => client.workflow.getHandle(taskWorkflowId(taskId)).query(getTaskStatusQuery), {
      notFound: `There is no task ${taskId}.`,
      ...options,
    });
  }

  /**
   * What a workflow was started with (its first history event's input) and when: a history read,
   * so Temporal answers it without a worker. 404 when there is no such workflow of that type.
   */
  private async startedWith<T>(workflowId: string, workflowType: string, what: string, missing: string): Promise<{ input: T; startedAt: string }> {
    const { history } = await this.call(
      what,
      (client) => client.workflowService.getWorkflowExecutionHistory({ namespace: this.namespace, execution: { workflowId }, maximumPageSize: 1 }),
      { notFound: missing },
    );
    const first = history?.events?.[0];
    const started = first?.workflowExecutionStartedEventAttributes;
    const payload = started?.input?.payloads?.[0];
    if (!first?.eventTime || started?.workflowType?.name !== workflowType || !payload) throw notFound(missing);
    return {
      input: this.client.options.loadedDataConverter.payloadConverter.fromPayload<T>(payload),
      startedAt: tsToDate(first.eventTime).toISOString(),
    };
  }

  /** The project as its workflow began (`openingStatus` of its start input), without a worker; 404 when there is none. */
  projectAtStart(projectId: string): Promise<Stored<ProjectStatus>> {
    return this.startOnce(projectWorkflowId(projectId), () => this.readProjectAtStart(projectId));
  }

  private async readProjectAtStart(projectId: string): Promise<Stored<ProjectStatus>> {
    const { input, startedAt } = await this.startedWith<ProjectInput>(
      projectWorkflowId(projectId),
      PROJECT_WORKFLOW_TYPE,
      `read project ${projectId}`,
      `There is no project ${projectId}.`,
    );
    // A run that carries on a completed project began where its last run ended.
    const value = input.reopenedFrom ?? openingStatus(input, input.receivedAt ?? startedAt);
    return { value, seq: value.version, publishedAt: startedAt };
  }

  /** The task as its workflow began (`openingTaskView` of its start input), without a worker; 404 when there is none. */
  taskAtStart(taskId: string): Promise<Stored<TaskView>> {
    return this.startOnce(taskWorkflowId(taskId), () => this.readTaskAtStart(taskId));
  }

  /** The start read of `workflowId`, shared and kept; a failed one (404, 503) is not kept. */
  private startOnce<T>(workflowId: string, read: () => Promise<T>): Promise<T> {
    // The workflow id names the kind (project- or task-), so an entry is always of the type asked for.
    const known = this.starts.get(workflowId) as Promise<T> | undefined;
    if (known) return known;
    const reading = read();
    this.starts.set(workflowId, reading);
    reading.catch(() => this.starts.delete(workflowId));
    return reading;
  }

  private async readTaskAtStart(taskId: string): Promise<Stored<TaskView>> {
    const { input, startedAt } = await this.startedWith<TaskInput>(taskWorkflowId(taskId), TASK_WORKFLOW_TYPE, `read task ${taskId}`, `There is no task ${taskId}.`);
    const value = openingTaskView(input);
    return { value, seq: value.version, publishedAt: startedAt };
  }

  updateTask<Input>(taskId: string, update: UpdateDefinition<TaskView, [Input]>, input: Input, updateId?: string): Promise<TaskView> {
    return this.call(
      `${actionInWords(update.name)} on task ${taskId}`,
      (client) =>
        client.workflow.getHandle(taskWorkflowId(taskId)).executeUpdate(update, { args: [input], ...(updateId && { updateId }) }),
      {
        timeoutMs: this.updateTimeoutMs,
        notFound: `There is no task ${taskId}.`,
        closed: `Task ${taskId} has ended (accepted or cancelled); it takes no further actions.`,
      },
    );
  }
}

const BUSINESS_STATUS: Record<string, { status: number; type: string; title: string }> = {
  [ErrorType.NotFound]: { status: 404, type: ProblemType.notFound, title: 'Not found' },
  [ErrorType.WrongStage]: { status: 409, type: ProblemType.wrongStage, title: 'Not possible at this stage' },
  [ErrorType.StalePlanVersion]: { status: 409, type: ProblemType.stalePlanVersion, title: 'Stale plan version' },
  [ErrorType.AlreadyDone]: { status: 409, type: ProblemType.alreadyDone, title: 'Already done' },
  [ErrorType.TaskAlreadyClaimed]: { status: 409, type: ProblemType.taskAlreadyClaimed, title: 'Task already claimed' },
  [ErrorType.Overpayment]: { status: 409, type: ProblemType.overpayment, title: 'Overpayment' },
  [ErrorType.PaymentReferenceReused]: { status: 409, type: ProblemType.paymentReferenceReused, title: 'Payment reference already used' },
  [ErrorType.PossibleDuplicatePayment]: { status: 409, type: ProblemType.possibleDuplicatePayment, title: 'Possibly the same payment again' },
  [ErrorType.NotAllowed]: { status: 403, type: ProblemType.forbidden, title: 'Forbidden' },
  [ErrorType.InvalidInput]: { status: 400, type: ProblemType.validation, title: 'Invalid request' },
};

function businessProblem(failure: ApplicationFailure, cause: unknown): ApiProblem | undefined {
  const mapped = failure.type ? BUSINESS_STATUS[failure.type] : undefined;
  if (!mapped) return undefined;
  const details = ((failure.details ?? []) as BusinessErrorDetails[]).filter((d): d is BusinessErrorDetails => typeof d === 'object' && d !== null);
  let errors: FieldProblem[] | undefined;
  if (failure.type === ErrorType.InvalidInput) {
    errors = details.map((d) => ({ field: d.field ?? 'body', message: d.message ?? failure.message }));
    if (errors.length === 0) errors = [{ field: 'body', message: failure.message }];
  } else if (details.some((d) => d.field !== undefined)) {
    // A refusal about one field (more than is owed, at `amount`): said at that field too, so a
    // form shows it there, whatever the status.
    errors = details.filter((d) => d.field !== undefined).map((d) => ({ field: d.field!, message: d.message ?? failure.message }));
  }
  return new ApiProblem(
    { type: mapped.type, title: mapped.title, status: mapped.status, detail: failure.message, ...(errors && { errors }) },
    { cause },
  );
}

/** An update's name as a problem's detail says it to a person: `submitPlan` → "submit plan". */
export const actionInWords = (updateName: string): string => updateName.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

const unavailable = (what: string, cause: unknown, detail?: string): ApiProblem =>
  new ApiProblem(
    {
      type: ProblemType.temporalUnavailable,
      title: 'Temporal unavailable',
      status: 503,
      detail: detail ?? `Could not ${what}: Temporal did not answer. Try again shortly.`,
      headers: { 'Retry-After': '5' },
    },
    { cause },
  );

const grpcCodeOf = (err: unknown): number | undefined => {
  if (isGrpcServiceError(err)) return err.code;
  if (err instanceof ServiceError && isGrpcServiceError(err.cause)) return err.cause.code;
  return undefined;
};

/** Every Temporal client failure as the HTTP problem it means. */
export function translateTemporalError(
  err: unknown,
  what: string,
  wording: { notFound?: string; closed?: string } = {},
): ApiProblem {
  const missing = (cause: unknown) => {
    const problem = notFound(wording.notFound ?? `Could not ${what}: not found.`);
    return new ApiProblem({ type: problem.type, title: problem.title, status: 404, detail: problem.detail }, { cause });
  };
  if (err instanceof ApiProblem) return err;
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const problem = businessProblem(cause, err);
      if (problem) return problem;
      // The server gave up on an update the worker never took up (the SDK can drop one: README,
      // What is not finished yet). Nothing was written; the same request again is safe.
      if (cause.type === 'UnprocessedUpdate') {
        return unavailable(what, err, `Could not ${what}: the worker did not take the request up; nothing was changed. Try again.`);
      }
    }
    return new ApiProblem(
      {
        type: ProblemType.internal,
        title: 'Update failed',
        status: 500,
        detail: `Could not ${what}: the workflow refused it unexpectedly.`,
      },
      { cause: err },
    );
  }
  if (err instanceof WorkflowNotFoundError) {
    // An update or signal on a finished workflow: the server says "workflow execution already completed".
    if (endedWorkflowMessage(err.message)) {
      return new ApiProblem(
        {
          type: ProblemType.closed,
          title: 'Already closed',
          status: 409,
          detail: wording.closed ?? `Could not ${what}: it has already ended.`,
        },
        { cause: err },
      );
    }
    return missing(err);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    // Unlike a refusal, the update may still be carried out after this answer: say so, and how a retry stays safe.
    return unavailable(
      what,
      err,
      `Could not ${what} in time: Temporal or the worker did not answer, so it may still be done. Try again shortly: the same request with the same Idempotency-Key (as the portal sends it again) is done once.`,
    );
  }
  if (err instanceof QueryNotRegisteredError) {
    // The client reports every query the worker failed this way, not only an unknown query name
    // (ours are always registered): in practice the worker could not run the workflow's code to
    // answer — e.g. a history its SDK cannot replay (README, What is not finished yet). A read
    // then serves the stored copy (snapshot-reads.ts); without one the person gets this 503.
    return new ApiProblem(
      {
        type: ProblemType.workflowCannotAnswer,
        title: 'Workflow cannot answer',
        status: 503,
        detail: `Could not ${what}: the worker could not run the workflow to answer (${err.message}).`,
        headers: { 'Retry-After': '30' },
      },
      { cause: err },
    );
  }
  const code = grpcCodeOf(err);
  switch (code) {
    case Grpc.UNAVAILABLE:
    case Grpc.DEADLINE_EXCEEDED:
    case Grpc.CANCELLED:
    case Grpc.RESOURCE_EXHAUSTED:
      return unavailable(what, err);
    case Grpc.NOT_FOUND:
      return missing(err);
    case Grpc.INVALID_ARGUMENT:
      return new ApiProblem(
        {
          type: ProblemType.validation,
          title: 'Invalid request',
          status: 400,
          detail: `Could not ${what}: Temporal rejected the request (${grpcDetails(err)}).`,
        },
        { cause: err },
      );
    default:
      break;
  }
  // Connection-level failures that never reached gRPC (refused, DNS, TLS handshake...).
  if (err instanceof Error && /connect|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|deadline|No connection established/i.test(err.message)) {
    return unavailable(what, err);
  }
  return new ApiProblem(
    { type: ProblemType.internal, title: 'Internal server error', status: 500, detail: `Could not ${what}.` },
    { cause: err },
  );
}

function grpcDetails(err: unknown): string {
  if (isGrpcServiceError(err)) return err.details;
  if (err instanceof ServiceError && isGrpcServiceError(err.cause)) return err.cause.details;
  return err instanceof Error ? err.message : String(err);
}
