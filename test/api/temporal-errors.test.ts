/**
 * How Temporal client failures become HTTP problems (api/temporal-gateway.ts), for the failures
 * the end-to-end tests cannot provoke on demand.
 */
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ProblemType } from '../../api/errors';
import { actionInWords, translateTemporalError } from '../../api/temporal-gateway';
import { submitPlanUpdate } from '../../workflows/project/contract';

test('an update the worker dropped (the server fails it as unprocessed) is a 503 to retry, not a 500', () => {
  const dropped = new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ type: 'UnprocessedUpdate', message: "Workflow Update is rejected because it wasn't processed by worker.", nonRetryable: true }),
  );
  const problem = translateTemporalError(dropped, 'record the payment');
  expect(problem).toMatchObject({ status: 503, type: ProblemType.temporalUnavailable });
  expect(problem.detail).toContain('nothing was changed');
});

test('an update not answered in time is a 503 that names the action in words and says it may still be done, and how to retry safely', () => {
  const what = `${actionInWords(submitPlanUpdate.name)} on project p-1`;
  expect(what).toBe('submit plan on project p-1');
  const problem = translateTemporalError(new WorkflowUpdateRPCTimeoutOrCancelledError('Timeout or cancellation waiting for update', { cause: new Error('deadline') }), what);
  expect(problem).toMatchObject({ status: 503, type: ProblemType.temporalUnavailable, headers: { 'Retry-After': '5' } });
  expect(problem.detail).toBe(
    'Could not submit plan on project p-1 in time: Temporal or the worker did not answer, so it may still be done. Try again shortly: the same request with the same Idempotency-Key (as the portal sends it again) is done once.',
  );
});
