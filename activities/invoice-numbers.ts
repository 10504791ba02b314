/**
 * allocateInvoiceNumber: asks the year's invoice-number entity workflow for the number belonging
 * to an idempotency key, starting that workflow if this is the year's first invoice
 * (update-with-start). The workflow is the ledger; this activity only carries the request.
 */
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../common/logger';
import { ErrorType, businessFailure } from '../workflows/errors';
import {
  INVOICE_NUMBER_WORKFLOW_TYPE,
  allocateNumberUpdate,
  invoiceNumberWorkflowId,
  numberPrefix,
  type InvoiceNumberState,
} from '../workflows/invoice-number/contract';
import type { invoiceNumberWorkflow } from '../workflows/invoice-number/workflow';
import type { AllocateInvoiceNumberInput, ProjectActivities } from './contract';
import type { AgencyDetails } from './documents/pdf';
import { datesIn } from './format';
import { activityLogger } from './log';

export interface InvoiceNumberActivityDeps {
  client: Client;
  logger: Logger;
  /** Where the invoice-number workflow runs when this call starts it (TEMPORAL_TASK_QUEUE). */
  taskQueue: string;
  /** Prepended to `invoice-numbers-<year>`: lets tests (or tenants) keep separate counters. */
  invoiceNumberWorkflowIdPrefix?: string;
  /** The agency's zone (AGENCY_TIME_ZONE): an invoice is numbered in the year its paper is dated in. UTC without it. */
  agency?: Pick<AgencyDetails, 'timeZone'>;
}

export function createInvoiceNumberActivities(deps: InvoiceNumberActivityDeps): Pick<ProjectActivities, 'allocateInvoiceNumber'> {
  return {
    async allocateInvoiceNumber({ idempotencyKey, year: utcYear, issuedAt, series = 'invoice' }: AllocateInvoiceNumberInput): Promise<{ number: string }> {
      if (typeof idempotencyKey !== 'string' || idempotencyKey.trim() === '') {
        throw businessFailure(ErrorType.InvalidInput, 'allocateInvoiceNumber needs an idempotencyKey', 'idempotencyKey');
      }
      if (issuedAt !== undefined && Number.isNaN(Date.parse(issuedAt))) {
        throw businessFailure(ErrorType.InvalidInput, `issuedAt must be a date-time, got ${issuedAt}`, 'issuedAt');
      }
      // An invoice issued at 00:30 on 1 January in Berlin (23:30 UTC the day before) is dated in the
      // new year on its paper (activities/format.ts): its number is of that year's series too.
      const year = issuedAt === undefined ? utcYear : Number(datesIn(deps.agency?.timeZone).day(issuedAt).slice(0, 4));
      if (!Number.isInteger(year) || year < 1000 || year > 9999) {
        throw businessFailure(ErrorType.InvalidInput, `invoice year must be a four-digit year, got ${year}`, 'year');
      }
      if (series !== 'invoice' && series !== 'credit_note') {
        throw businessFailure(ErrorType.InvalidInput, `no numbering series "${String(series)}"`, 'series');
      }
      const workflowId = `${deps.invoiceNumberWorkflowIdPrefix ?? ''}${invoiceNumberWorkflowId(year, series)}`;
      const log = activityLogger(deps.logger, { idempotencyKey, invoiceNumberWorkflowId: workflowId });
      const initialState: InvoiceNumberState = { year, prefix: numberPrefix(series), lastSequence: 0, allocations: {} };

      const startWorkflowOperation = new WithStartWorkflowOperation<typeof invoiceNumberWorkflow>(INVOICE_NUMBER_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [initialState],
        // Join the running counter. A counter that ended (terminated by hand, failed) must not be
        // restarted from zero: that would hand out its numbers again. REJECT_DUPLICATE makes this
        // call fail loudly instead, until an operator starts the counter with its last state.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      try {
        // Not given up when this worker stops (unlike a snapshot's query, ./cancellation.ts): a
        // refused allocation is retried by the client with backoff, and such a retry cannot be
        // cancelled, so it would outlive the attempt. A stopping worker waits for the number.
        const allocated = await deps.client.workflow.executeUpdateWithStart(allocateNumberUpdate, {
          args: [{ idempotencyKey }],
          startWorkflowOperation,
          // The same key is the same update: a retry that reaches the same run gets the first
          // answer from the server; one that reaches a later run gets it from the carried state.
          updateId: idempotencyKey,
        });
        log.info({ number: allocated.number }, 'invoice number allocated');
        return { number: allocated.number };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
          // The counter's validator refused the request: the same request is refused again.
          throw err.cause;
        }
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          log.error(
            { err },
            `the invoice-number counter ${workflowId} is closed; start it again with its last state (lastSequence, allocations) ` +
              'before invoices can be numbered',
          );
        } else {
          log.warn({ err }, 'invoice number allocation failed; the activity will be retried');
        }
        throw err;
      }
    },
  };
}
