/**
 * Domain vocabulary shared by every workflow: departments, people, money, policy.
 * zod lives here for the API and activities; workflow code imports only the types.
 */
import { z } from 'zod';
import { fitsCurrency } from './money';
import { DEPARTMENTS, ROLES, SEGMENTS, type Department, type Role, type Segment } from './vocabulary';

export { DEPARTMENTS, ROLES, SEGMENTS };
export type { Department, Role, Segment };

export const departmentSchema = z.enum(DEPARTMENTS);
export const roleSchema = z.enum(ROLES);

/** Who is acting. The API fills it from the bearer token; workflows check it in validators. */
export const actorSchema = z.object({
  id: z.string().min(1),
  role: roleSchema,
  department: departmentSchema.optional(),
  /** The API request they act through (X-Request-Id): carried into workflow and activity logs. */
  requestId: z.string().max(200).optional(),
});
export type Actor = z.infer<typeof actorSchema>;

export const segmentSchema = z.enum(SEGMENTS);

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR or USD');

/**
 * The largest amount any field takes, in major units: ten billion. A larger figure is a slip of the
 * keyboard (a row of zeros too many) that would otherwise reach a contract and an invoice; and 200
 * tasks of this price still add up exactly in the minor units of a three-decimal currency (KWD),
 * well inside the integers a JavaScript number holds exactly.
 */
export const MAX_AMOUNT = 10_000_000_000;

/**
 * Amounts are in major units with at most three decimals (the most any currency has); whether they
 * fit the project's currency (no cents in JPY) is checked where the currency is known. Arithmetic
 * is done in minor units (see money.ts).
 */
export const amountSchema = z
  .number()
  .finite()
  .nonnegative()
  .max(MAX_AMOUNT, 'must be at most 10,000,000,000')
  .refine((n) => fitsCurrency(n, 'KWD'), 'at most three decimals');

export const moneySchema = z
  .object({ amount: amountSchema, currency: currencySchema })
  .refine((m) => fitsCurrency(m.amount, m.currency), {
    message: 'more decimals than the currency has (JPY has none, EUR two, KWD three)',
    path: ['amount'],
  });
export type Money = z.infer<typeof moneySchema>;

/** No value, or an empty field (a date picker left blank): missing, and said "required" like any missing field, not "malformed". */
export const isEmptyInput = (input: unknown): boolean => input === '' || input === undefined || input === null;

export const isoDateTimeSchema = z.iso.datetime({
  offset: true,
  error: (issue) => (isEmptyInput(issue.input) ? 'required' : 'expected an ISO 8601 date-time such as 2026-12-01T17:00:00Z'),
});

/** A project's policy, resolved to milliseconds before it reaches the workflow. */
export const policySchema = z.object({
  approvalSlaMs: z.number().int().positive(),
  escalationSlaMs: z.number().int().positive(),
  reminderLeadMs: z.number().int().positive(),
  overdueGraceMs: z.number().int().positive(),
  acceptanceWindowMs: z.number().int().positive(),
  paymentTermsMs: z.number().int().positive(),
  paymentEscalationMs: z.number().int().positive(),
  /**
   * An open complaint this long after it was recorded is brought to the manager and leadership.
   * Absent in runs started before complaints were followed up (workflows/project/complaints.ts).
   */
  complaintResolutionMs: z.number().int().positive().optional(),
  /**
   * Delivered work waiting this long for the manager's review: the manager is reminded, and
   * leadership told `overdueGraceMs` later. Absent in runs started before reviews were chased.
   */
  reviewSlaMs: z.number().int().positive().optional(),
  /**
   * A request (or a plan sent back) without a plan this long: the manager is reminded; twice that
   * long: leadership is told. Absent in runs started before plans were chased.
   */
  planningSlaMs: z.number().int().positive().optional(),
  startAfterPrepayment: z.boolean(),
  /**
   * How long after completion a complaint can still be recorded (and resolved, a compensation
   * refunded): the project's workflow stays open that long. Absent in runs started before
   * complaints were heard after completion: they complete and end at once.
   */
  complaintWindowMs: z.number().int().positive().optional(),
});
export type Policy = z.infer<typeof policySchema>;
