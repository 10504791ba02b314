/**
 * A request carried out by a workflow of its own (a manager's handover, a "reassign all"): the
 * run is the request's record. Started once per Idempotency-Key (its id comes from the key), so
 * two requests with the same key at once, or a retry, read the same run's answer; a run whose API
 * died half-way goes on, and the retry reads its answer.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { TemporalGateway } from './temporal-gateway';
import { ApiProblem } from './errors';
import { translateTemporalError } from './temporal-gateway';

/** How long a request waits for its run's answer; a longer run goes on, and a retry with the same key reads it. */
const ANSWER_WITHIN_MS = 60_000;

export interface RequestRun {
  workflowId: string;
  /** What the run does, in the words of an error: "hand the projects over". */
  doing: string;
  /** The 503's detail when the answer does not come within a minute. */
  goesOn: string;
}

/** The answer of a run started (or finished) before under this id; undefined when there is none. */
export async function answerOfEarlierRun<Result>(temporal: TemporalGateway, run: RequestRun): Promise<Result | undefined> {
  try {
    await temporal.call(`read what was asked to ${run.doing}`, (client) => client.workflow.getHandle(run.workflowId).describe());
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 404) return undefined;
    throw err;
  }
  return answerOfRun<Result>(temporal, run);
}

/** Starts the run (unless the same request started it already) and waits for its answer. */
export async function runForAnswer<Result>(
  temporal: TemporalGateway,
  run: RequestRun,
  start: { workflowType: string; args: unknown[]; staticSummary: string },
): Promise<Result> {
  try {
    await temporal.connection.withDeadline(Date.now() + temporal.callTimeoutMs, () =>
      temporal.client.workflow.start(start.workflowType, {
        workflowId: run.workflowId,
        taskQueue: temporal.taskQueue,
        args: start.args,
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: start.staticSummary,
      }),
    );
  } catch (err) {
    // Two requests with the same key at once: the other one started it; both read its answer.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw translateTemporalError(err, run.doing);
  }
  return answerOfRun<Result>(temporal, run);
}

async function answerOfRun<Result>(temporal: TemporalGateway, run: RequestRun): Promise<Result> {
  try {
    return await temporal.call(run.doing, (client) => client.workflow.getHandle(run.workflowId).result() as Promise<Result>, { timeoutMs: ANSWER_WITHIN_MS });
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 503) {
      throw new ApiProblem({ type: err.type, title: err.title, status: 503, detail: run.goesOn, headers: { 'Retry-After': '10' } }, { cause: err });
    }
    throw err;
  }
}
