/**
 * Stable failure types shared by workflows (validators throw them), activities and the API's one
 * error middleware, which maps each to an HTTP status. Workflow-safe: plain constants.
 */
import { ApplicationFailure } from '@temporalio/common';

export const ErrorType = {
  /** The action does not fit the current stage or status → 409 */
  WrongStage: 'WrongStage',
  /** A decision on a plan version that is not the one awaiting a decision → 409 */
  StalePlanVersion: 'StalePlanVersion',
  /** The same decision / payment / action was already recorded → 409 */
  AlreadyDone: 'AlreadyDone',
  /** Someone else holds the task → 409 */
  TaskAlreadyClaimed: 'TaskAlreadyClaimed',
  /** The actor may not do this on this object (wrong department, not the assignee...) → 403 */
  NotAllowed: 'NotAllowed',
  /** The input breaks a business rule only the workflow can check → 400, with the field at fault */
  InvalidInput: 'InvalidInput',
  /** A payment above what is still owed → 409 */
  Overpayment: 'Overpayment',
  /** A bank reference already recorded for another payment (other invoice, amount or date) → 409 */
  PaymentReferenceReused: 'PaymentReferenceReused',
  /**
   * The amount, invoice and day of a payment already recorded under another reference: likely the
   * same bank line typed twice (two people, one statement) → 409 until confirmed as another payment
   */
  PossibleDuplicatePayment: 'PossibleDuplicatePayment',
  /** Unknown complaint, invoice number... → 404 */
  NotFound: 'NotFound',
} as const;
export type ErrorTypeName = (typeof ErrorType)[keyof typeof ErrorType];

/** Details carried by a business failure: which field, so the API can name it. */
export interface BusinessErrorDetails {
  field?: string;
  /** What is wrong with that field, when a failure names several (a plan's problems). */
  message?: string;
}

/**
 * The one way workflow validators refuse: a non-retryable ApplicationFailure with a stable `type`
 * and, when a field is at fault, `details: [{ field }]` so the API can name it.
 */
export function businessFailure(
  type: ErrorTypeName,
  message: string,
  field?: string | BusinessErrorDetails[],
): ApplicationFailure {
  const details: BusinessErrorDetails[] | undefined = typeof field === 'string' ? [{ field }] : field;
  return ApplicationFailure.create({ type, message, nonRetryable: true, details });
}
