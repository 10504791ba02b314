/**
 * How Temporal client failures become HTTP problems (api/temporal-gateway.ts), for the failures
 * the end-to-end tests cannot provoke on demand.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ProblemType } from '../../api/errors';
import { translateTemporalError } from '../../api/temporal-gateway';

test('an update the worker dropped (the server fails it as unprocessed) is a 503 to retry, not a 500', () => {
  const dropped = new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ type: 'UnprocessedUpdate', message: "Workflow Update is rejected because it wasn't processed by worker.", nonRetryable: true }),
  );
  const problem = translateTemporalError(dropped, 'record the payment');
  expect(problem).toMatchObject({ status: 503, type: ProblemType.temporalUnavailable });
  expect(problem.detail).toContain('nothing was changed');
});
