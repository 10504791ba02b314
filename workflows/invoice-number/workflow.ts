/**
 * One entity workflow per year hands out invoice numbers. Temporal is the only store: the
 * workflow's state (last sequence and every key's number) is the ledger, so numbers are gapless
 * and never reused, and a repeated idempotency key gets the number it got before — also across
 * continue-as-new, because the key map travels with the state (update ids only dedupe per run).
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { ErrorType, businessFailure } from '../errors';
import {
  allocateNumberUpdate,
  formatInvoiceNumber,
  getInvoiceNumbersQuery,
  type AllocatedNumber,
  type InvoiceNumberState,
} from './contract';

/**
 * Continue-as-new well before Temporal's own suggestion (about 4,096 events): each allocation adds
 * about five events, so a run holds a few hundred allocations and replays stay short.
 */
const MAX_HISTORY_EVENTS = 2_000;

export async function invoiceNumberWorkflow(input?: InvoiceNumberState): Promise<void> {
  const state: InvoiceNumberState = input
    ? { ...input, allocations: { ...input.allocations } }
    : { year: yearFromWorkflowId(workflowInfo().workflowId), lastSequence: 0, allocations: {} };
  let allocatedThisRun = 0;

  // ---------------------------------------------------------------------------------------------
  // Message handlers
  // ---------------------------------------------------------------------------------------------

  setHandler(getInvoiceNumbersQuery, () => state);

  // Update, not signal: the caller must get its number back, and the handler is synchronous so
  // two concurrent allocations can never interleave between reading and bumping the sequence.
  setHandler(
    allocateNumberUpdate,
    ({ idempotencyKey }): AllocatedNumber => {
      const known = state.allocations[idempotencyKey];
      if (known !== undefined) return { number: formatInvoiceNumber(state.year, known, state.prefix), sequence: known };
      const sequence = state.lastSequence + 1;
      state.lastSequence = sequence;
      state.allocations[idempotencyKey] = sequence;
      allocatedThisRun += 1;
      return { number: formatInvoiceNumber(state.year, sequence, state.prefix), sequence };
    },
    {
      // Rejected before anything is written to history, so a bad call never costs a number.
      validator: (request) => {
        if (typeof request?.idempotencyKey !== 'string' || request.idempotencyKey.trim() === '') {
          throw businessFailure(ErrorType.InvalidInput, 'idempotencyKey is required', 'idempotencyKey');
        }
      },
    },
  );

  // ---------------------------------------------------------------------------------------------
  // The entity's life: serve allocations until the run is long enough, then start afresh
  // ---------------------------------------------------------------------------------------------

  const runIsLong = (): boolean => {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      info.historyLength >= MAX_HISTORY_EVENTS ||
      (state.maxAllocationsPerRun !== undefined && allocatedThisRun >= state.maxAllocationsPerRun)
    );
  };
  await condition(runIsLong);
  // Let accepted updates reply before this run closes; later callers are routed to the next run.
  await condition(allHandlersFinished);
  await continueAsNew<typeof invoiceNumberWorkflow>(state);
}

/** A start without input (e.g. from the CLI) takes the year from the id: `invoice-numbers-2026`. */
function yearFromWorkflowId(workflowId: string): number {
  const match = /(\d{4})$/.exec(workflowId);
  if (!match) {
    throw businessFailure(ErrorType.InvalidInput, `cannot tell the year from workflow id "${workflowId}"; pass the state`);
  }
  return Number(match[1]);
}
