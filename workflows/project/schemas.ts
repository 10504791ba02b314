/**
 * The project's domain types as zod schemas: parsed once at the API edge, then passed on typed.
 * Workflow code imports these with `import type` only (no zod inside the sandbox).
 * Rules that need the current time or the whole plan (cycles, due dates) live in plan-rules.ts,
 * which both the API and the workflow's validator run.
 */
import { z } from 'zod';
import {
  actorSchema,
  amountSchema,
  departmentSchema,
  isEmptyInput,
  isoDateTimeSchema,
  moneySchema,
  policySchema,
  segmentSchema,
} from '../shared-schemas';

import { taskStatusSchema } from '../task/schemas';
import { DOCUMENT_KINDS, INVOICE_KINDS, INVOICE_STATUSES, PROJECT_STAGES, type ProjectStage } from '../vocabulary';

export { PROJECT_STAGES };
export type { ProjectStage };
export const projectStageSchema = z.enum(PROJECT_STAGES);

export const clientSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  segment: segmentSchema,
  email: z.email({ error: (issue) => (isEmptyInput(issue.input) ? 'required' : 'not an e-mail address (such as buyer@client.example)') }),
});
export type Client = z.infer<typeof clientSchema>;

/** Per-project overrides of the configured policy: durations as `90s`, `15m`, `24h`, `5d` or milliseconds. */
export const durationInputSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d|w)?$/, 'expected a duration such as 90s, 15m, 24h or 5d'),
]);
export const policyOverridesSchema = z
  .object({
    approvalSla: durationInputSchema,
    escalationSla: durationInputSchema,
    reminderLead: durationInputSchema,
    overdueGrace: durationInputSchema,
    acceptanceWindow: durationInputSchema,
    paymentTerms: durationInputSchema,
    paymentEscalation: durationInputSchema,
    complaintResolution: durationInputSchema,
    reviewSla: durationInputSchema,
    planningSla: durationInputSchema,
    startAfterPrepayment: z.boolean(),
    complaintWindow: durationInputSchema,
  })
  .partial()
  .strict();
export type PolicyOverrides = z.infer<typeof policyOverridesSchema>;

/** What a manager sends to open a project (POST /api/projects). */
export const projectRequestSchema = z
  .object({
    client: clientSchema,
    title: z.string().min(1).max(200),
    brief: z.string().min(1).max(10_000),
    departments: z.array(departmentSchema).min(1).refine((d) => new Set(d).size === d.length, 'departments repeat'),
    budget: moneySchema,
    desiredDeadline: isoDateTimeSchema,
    policy: policyOverridesSchema.optional(),
  })
  .strict();
export type ProjectRequest = z.infer<typeof projectRequestSchema>;

/** The workflow's input: the request plus what the API resolved (ids, manager, full policy). */
export const projectInputSchema = projectRequestSchema.omit({ policy: true }).extend({
  projectId: z.string().min(1),
  managerId: z.string().min(1),
  policy: policySchema,
  /** Fingerprint of the creating request, so a repeated Idempotency-Key with another body is caught. */
  requestFingerprint: z.string().optional(),
  /**
   * When the API received the creating request: the project's intake time, so the API can answer
   * the create with the very snapshot the workflow starts from. Runs started without it use the
   * workflow's start time.
   */
  receivedAt: isoDateTimeSchema.optional(),
  /** The patches the run has from its start (workflows/common/patches.ts); set by the API for new projects. */
  patchBaseline: z.number().int().positive().optional(),
  /**
   * A completed project whose workflow has ended, run again to hear a complaint made after its
   * complaint window (a claim is recorded, escalated and resolved whenever it comes): its final
   * snapshot, which the new run carries on from (the API starts it with the complaint).
   */
  reopenedFrom: z.lazy(() => projectStatusSchema).optional(),
});
export type ProjectInput = z.infer<typeof projectInputSchema>;

export const TASK_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export const planTaskSchema = z
  .object({
    key: z.string().regex(TASK_KEY_PATTERN, 'expected 1-40 lower-case letters, digits, "-" or "_"'),
    department: departmentSchema,
    title: z.string().min(1).max(200),
    description: z.string().max(5_000).default(''),
    estimateHours: z.number().positive().max(10_000),
    dueAt: isoDateTimeSchema,
    price: amountSchema,
    dependsOn: z.array(z.string()).default([]),
  })
  .strict();
export type PlanTask = z.infer<typeof planTaskSchema>;

export const planSchema = z
  .object({
    tasks: z.array(planTaskSchema).min(1).max(200),
    prepaymentPercent: z.number().min(0).max(100).default(0),
    includedRevisionRounds: z.number().int().min(0).max(20).default(1),
  })
  .strict();
export type PlanInput = z.infer<typeof planSchema>;

export const submitPlanSchema = planSchema.extend({ by: actorSchema });
export type SubmitPlanInput = z.infer<typeof submitPlanSchema>;

export const planDecisionRequestSchema = z
  .object({
    planVersion: z.number().int().positive(),
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(5_000).default(''),
    dueDates: z
      .record(z.string().regex(TASK_KEY_PATTERN, 'expected a task key of the plan'), isoDateTimeSchema)
      .optional()
      .meta({
        description:
          'With `approve`: new due dates by task key. A plan whose due dates have passed while it waited is refused unless each of those tasks is moved here.',
      }),
  })
  .strict();
export const decidePlanSchema = planDecisionRequestSchema.extend({ by: actorSchema });
export type DecidePlanInput = z.infer<typeof decidePlanSchema>;

export const feedbackRequestSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('accepted'),
      rating: z.number().int().min(1).max(5),
      comment: z.string().max(5_000).default(''),
    })
    .strict(),
  z
    .object({
      kind: z.literal('revisions_requested'),
      description: z.string().min(1).max(5_000),
      departments: z
        .array(departmentSchema)
        .min(1)
        .meta({ description: 'The departments whose work the client wants reworked: each must have done work in this project (a task of its plan or of an earlier round).' }),
      /** Required once the included rounds are used up: the price the client agreed for the extra round. */
      extraPrice: amountSchema.optional(),
      /** Due date of the revision tasks. */
      dueAt: isoDateTimeSchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal('complaint'),
      // Refused here, not only by the workflow's validator: a complaint after the window would
      // otherwise start the project's run again before its validator said no.
      description: z.string().min(1).max(5_000).refine((d) => d.trim() !== '', 'describe the complaint'),
    })
    .strict(),
]);
export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;
/**
 * A client answering on their own page (through the link their manager sent: no account). Their
 * id is the client's (`client:<client id>`, which no person's id can be: people's ids have no
 * colon), and the name is whoever at the client said they answered.
 */
export const clientActorSchema = z.object({
  id: z.string().regex(/^client:/),
  role: z.literal('client'),
  name: z.string().min(1).max(200),
  requestId: z.string().max(200).optional(),
});
export type ClientActor = z.infer<typeof clientActorSchema>;
/**
 * The answers a client gives on their page that are kept as feedback (changes they ask for wait
 * for the manager as a request: `changeRequests`).
 */
export const CLIENT_ANSWER_KINDS = ['accepted', 'complaint'] as const;
export const recordFeedbackSchema = z.object({ feedback: feedbackRequestSchema, by: z.union([actorSchema, clientActorSchema]) });
export type RecordFeedbackInput = z.infer<typeof recordFeedbackSchema>;

/**
 * The client asks for changes on their page, in their words. Only the manager can turn that into a
 * round (departments, dates, its price beyond the included rounds), so it waits for them: the
 * acceptance clock stops until they record the round or answer without one.
 */
/**
 * Changes the client asks for: on their page (`by` the client), or by mail or phone, recorded by
 * the project's manager (`by` the manager, naming who at the client asked in `clientContact`).
 */
export const askForChangesSchema = z.object({
  description: z.string().min(1).max(5_000),
  by: z.union([clientActorSchema, actorSchema]),
  clientContact: z.string().max(200).optional(),
});
export type AskForChangesInput = z.infer<typeof askForChangesSchema>;

/**
 * Changes the client asked for by mail or phone, recorded by the manager as if asked on the page:
 * the review period stops until the manager answers them (a round, or a reply without one).
 */
export const changeRequestRecordSchema = z
  .object({
    description: z
      .string({ error: 'say what the client asked to change' })
      .trim()
      .min(1, 'say what the client asked to change')
      .max(5_000, 'at most 5,000 characters')
      .meta({ description: 'What the client asked to change, as they said it (their page shows it).' }),
    clientContact: z
      .string({ error: 'say who at the client asked' })
      .trim()
      .min(1, 'say who at the client asked')
      .max(200, 'at most 200 characters')
      .meta({ description: 'Who at the client asked, by name (as a client asking on their page gives it).' }),
  })
  .strict();

/** The manager answers the client's request without a round of changes, saying why (the client reads it). */
export const changeRequestDeclineSchema = z
  .object({
    reply: z
      .string({ error: 'say why no round of changes follows' })
      .trim()
      .min(1, 'say why no round of changes follows')
      .max(5_000, 'at most 5,000 characters')
      .meta({ description: 'Why no round of changes follows, in words the client reads (the mail and their page quote it).' }),
  })
  .strict();
export const declineChangeRequestSchema = changeRequestDeclineSchema.extend({ requestId: z.string().min(1), by: actorSchema });
export type DeclineChangeRequestInput = z.infer<typeof declineChangeRequestSchema>;

export const complaintResolutionRequestSchema = z
  .object({
    resolution: z.string().min(1).max(5_000),
    /**
     * Money agreed with the client to make up for the complaint, in the project's currency: taken
     * off the final invoice when that is still to come, else given back as a credit note.
     */
    compensation: amountSchema
      .refine((n) => n > 0, 'must be positive')
      .optional()
      .meta({
        description:
          'Money agreed with the client for the complaint, in the project\u2019s currency: taken off the final invoice while that is to come, else refunded by a credit note of its own (the project completes once it is paid out). At most what is left to bill, or what was billed.',
      }),
  })
  .strict();
/**
 * Work sent back to departments for a complaint made after completion (a flaw found once paid
 * for): the agency redoes it at no charge, as tasks of the completed project.
 */
export const complaintReworkRequestSchema = z
  .object({
    departments: z
      .array(departmentSchema)
      .min(1)
      .refine((d) => new Set(d).size === d.length, 'departments repeat')
      .meta({ description: 'The departments that redo their work: each must have done work in this project.' }),
    /** What to redo, for the departments (the client's complaint travels with it). */
    description: z.string().min(1).max(5_000),
    /** When the fix is due. */
    dueAt: isoDateTimeSchema,
  })
  .strict();
export const reworkComplaintSchema = complaintReworkRequestSchema.extend({
  complaintId: z.string().min(1),
  by: actorSchema,
});
export type ReworkComplaintInput = z.infer<typeof reworkComplaintSchema>;

export const resolveComplaintSchema = complaintResolutionRequestSchema.extend({
  complaintId: z.string().min(1),
  by: actorSchema,
});
export type ResolveComplaintInput = z.infer<typeof resolveComplaintSchema>;

export const paymentRequestSchema = z
  .object({
    invoiceNumber: z.string().min(1),
    amount: amountSchema.refine((n) => n > 0, 'must be positive'),
    paidAt: isoDateTimeSchema,
    reference: z.string().min(1).max(200),
    moreThanOwed: z.literal(true).optional().meta({
      description:
        'Confirms that the client paid more than the invoice still asks (without it, such a payment is refused 409 `overpayment`: most are a typo). The payment is recorded whole; once the project is invoicing, the excess is credited back by a credit note, set first against what the client has not paid yet, the rest refunded; on a completed project within its complaint window (an invoice paid twice over), at once. Not for a refund paid out, nor on a cancelled project, nor on a completed one past its window.',
    }),
    anotherPayment: z.literal(true).optional().meta({
      description:
        'Confirms that this is another payment, though one of the same amount on the same invoice, within a day of this one, is already recorded under another reference (without it, such a payment is refused 409 `possible-duplicate-payment`: the same bank line typed twice by two people counts once).',
    }),
  })
  .strict();
export const recordPaymentSchema = paymentRequestSchema.extend({ by: actorSchema });
export type RecordPaymentInput = z.infer<typeof recordPaymentSchema>;

/**
 * Starting the work while the prepayment it waits for is still unpaid (a client the agency trusts,
 * a transfer on its way): the reason is kept on the project; the prepayment stays owed and chased.
 */
export const startWorkRequestSchema = z
  .object({ reason: z.string().trim().min(1).max(1_000).meta({ description: 'Why the work starts before the prepayment is paid (kept on the project, not sent to the client).' }) })
  .strict();
export const startWorkSchema = startWorkRequestSchema.extend({ by: actorSchema });
export type StartWorkInput = z.infer<typeof startWorkSchema>;

/** Why a recorded payment is taken back: it never was (a typo, the wrong invoice), or the bank sent it back. */
export const PAYMENT_REVERSAL_CAUSES = ['entered_by_mistake', 'returned_by_bank'] as const;
export const paymentReversalRequestSchema = z
  .object({
    invoiceNumber: z.string().min(1).max(100),
    reference: z.string().min(1).max(200).meta({ description: 'The bank reference the payment was recorded under.' }),
    cause: z.enum(PAYMENT_REVERSAL_CAUSES).meta({
      description:
        '`entered_by_mistake`: the payment was never made as recorded (a wrong amount, the wrong invoice): taken back silently, to be recorded again as it was. ' +
        '`returned_by_bank`: the money came back (a bounced transfer, a chargeback): the client is told the invoice is open again (for a refund the agency paid out, the refund is owed again).',
    }),
    note: z.string().trim().max(1_000).optional().meta({ description: 'For the agency: what happened (kept on the project, never sent to the client).' }),
  })
  .strict();
export const reversePaymentSchema = paymentReversalRequestSchema.extend({ by: actorSchema });
export type ReversePaymentInput = z.infer<typeof reversePaymentSchema>;

/**
 * Leadership gives up on what a client still owes on an invoice (a client gone out of business, a
 * sum not worth pursuing): the invoice asks nothing more and is no longer chased.
 */
export const writeOffRequestSchema = z
  .object({
    invoiceNumber: z.string().min(1).max(100),
    reason: z.string().trim().min(1).max(1_000).meta({ description: 'Why the money is not pursued (kept on the project, never sent to the client).' }),
  })
  .strict();
export const writeOffSchema = writeOffRequestSchema.extend({ by: actorSchema });
export type WriteOffInput = z.infer<typeof writeOffSchema>;

export const cancelRequestSchema = z.object({ reason: z.string().min(1).max(5_000) }).strict();
export const cancelProjectSchema = cancelRequestSchema.extend({ by: actorSchema });
export type CancelProjectInput = z.infer<typeof cancelProjectSchema>;

/** Handing a project to another manager (one on leave, one overloaded): leadership, or the manager who has it. */
export const handOverRequestSchema = z
  .object({
    toManagerId: z.string().trim().min(1).max(100).meta({ description: 'The manager who takes the project over (a manager in the people directory).' }),
    note: z.string().trim().max(2_000).optional().meta({ description: 'What the new manager should know: where things stand with the client.' }),
  })
  .strict();
export const handOverProjectSchema = handOverRequestSchema.extend({
  by: actorSchema,
  /** When given (a manager's whole handover), refused unless this manager still has the project: the list it was picked from may be a moment old. */
  fromManagerId: z.string().optional(),
  /** Part of a manager's whole handover (its id): that handover tells both managers once, for all its projects, so the project tells only its client. */
  partOfHandover: z.string().optional(),
});
export type HandOverProjectInput = z.infer<typeof handOverProjectSchema>;

// ---------------------------------------------------------------------------------------------
// The status snapshot (GET /api/projects/:id, the getStatus query, the reporting store's copy).
// Defined here once: the workflow, the API's OpenAPI document and the activities use these types.
// ---------------------------------------------------------------------------------------------

/** A date-time the workflow wrote (ISO 8601, UTC). */
const isoDate = z.string().meta({ format: 'date-time' });

export const timelineEntrySchema = z.object({
  at: isoDate,
  event: z.string(),
  detail: z.string().optional(),
  by: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const planDecisionViewSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  comment: z.string(),
  by: z.string(),
  at: isoDate,
  /** Due dates the approval moved (the plan's tasks show the new ones). */
  movedDueDates: z.array(z.object({ key: z.string(), from: isoDate, to: isoDate })).optional(),
});
export type PlanDecisionView = z.infer<typeof planDecisionViewSchema>;

/** A submitted plan. Versions before the latest keep every field of their tasks but the description. */
export const planVersionViewSchema = z.object({
  version: z.number().int(),
  submittedAt: isoDate,
  submittedBy: z.string(),
  tasks: z.array(planTaskSchema),
  prepaymentPercent: z.number(),
  includedRevisionRounds: z.number().int(),
  total: z.number(),
  decision: planDecisionViewSchema.optional(),
  /**
   * Keys of the tasks whose description differs from the version before (which keeps none once
   * this one comes): what "changes since" can say of them. Absent on versions submitted before it was kept.
   */
  descriptionsChanged: z.array(z.string()).optional(),
});
export type PlanVersionView = z.infer<typeof planVersionViewSchema>;

export const taskSummarySchema = z.object({
  taskId: z.string(),
  key: z.string(),
  department: departmentSchema,
  title: z.string(),
  /** `waiting` until its workflow exists and its dependencies are accepted; then as the task reports. */
  status: taskStatusSchema,
  assigneeId: z.string().optional(),
  /** The due date now (the manager may have moved it). */
  dueAt: isoDate,
  /** The due date of the approved plan (or of the revision request). */
  originalDueAt: isoDate,
  price: z.number(),
  dependsOn: z.array(z.string()),
  /** Times the manager sent the work back. */
  reviewRounds: z.number().int(),
  /** The first delivery: what "on time" is judged by. */
  firstSubmittedAt: isoDate.optional(),
  /** The latest delivery. */
  submittedAt: isoDate.optional(),
  acceptedAt: isoDate.optional(),
  /** First delivered by the original due date; undefined until first delivered. */
  onTime: z.boolean().optional(),
  overdue: z.boolean(),
  /** Set for tasks opened by a client revision round. */
  revisionRound: z.number().int().optional(),
});
export type TaskSummary = z.infer<typeof taskSummarySchema>;

export const revisionViewSchema = z.object({
  round: z.number().int(),
  description: z.string(),
  departments: z.array(departmentSchema),
  requestedAt: isoDate,
  /** Beyond the rounds included in the plan: the client pays `extraPrice`. */
  beyondIncluded: z.boolean(),
  extraPrice: z.number(),
  taskIds: z.array(z.string()),
});
export type RevisionView = z.infer<typeof revisionViewSchema>;

export const feedbackViewSchema = z.object({
  at: isoDate,
  kind: z.enum(['accepted', 'revisions_requested', 'complaint', 'deemed_accepted']),
  rating: z.number().optional(),
  comment: z.string().optional(),
  description: z.string().optional(),
  recordedBy: z.string().optional(),
  /** Given by the client on their page: who at the client answered (the name they gave). */
  clientContact: z.string().optional(),
});
export type FeedbackView = z.infer<typeof feedbackViewSchema>;

/**
 * Changes the client asked for on their page. Open until the manager records a round of changes
 * for it (`round`), answers without one (`reply`), or the work is accepted after all; a project
 * cancelled meanwhile closes it unanswered (`project_cancelled`, at the cancellation, by whoever
 * cancelled), so that nobody reads it as waiting.
 */
export const changeRequestViewSchema = z.object({
  requestId: z.string(),
  description: z.string(),
  at: isoDate,
  /** Who at the client asked (the name they gave). */
  clientContact: z.string(),
  /** Asked by mail or phone: the manager who recorded it (absent: asked on the client's page). */
  recordedBy: z.string().optional(),
  /** The delivery it is about: 0 for the first, then the round of changes it followed. */
  deliveryRound: z.number().int(),
  outcome: z.enum(['round_recorded', 'declined', 'accepted_instead', 'project_cancelled']).optional(),
  /** When it was settled: answered, or closed by the cancellation. */
  answeredAt: isoDate.optional(),
  answeredBy: z.string().optional(),
  /** The round of changes recorded for it. */
  round: z.number().int().optional(),
  /** The manager's answer when no round was recorded for it. */
  reply: z.string().optional(),
});
export type ChangeRequestView = z.infer<typeof changeRequestViewSchema>;

export const complaintViewSchema = z.object({
  complaintId: z.string(),
  description: z.string(),
  at: isoDate,
  recordedBy: z.string(),
  /** Made by the client on their page: who at the client made it (the name they gave). */
  clientContact: z.string().optional(),
  /**
   * Made after the completed project's complaint window (or after a completion that heard none):
   * recorded by the manager or leadership, on the project run again for it.
   */
  afterWindow: z.boolean().optional(),
  resolution: z.string().optional(),
  resolvedAt: isoDate.optional(),
  resolvedBy: z.string().optional(),
  /**
   * Work sent back to departments for it, free of charge (a complaint after completion): its tasks
   * (keys `<complaintId>.<department>`) are in the project's tasks; the complaint is resolved once
   * they are accepted.
   */
  rework: z
    .object({
      description: z.string(),
      departments: z.array(departmentSchema),
      dueAt: isoDate,
      requestedAt: isoDate,
      requestedBy: z.string(),
      taskKeys: z.array(z.string()),
    })
    .optional(),
  /** Agreed in the resolution: money off what the client pays, or back. */
  compensation: z
    .object({
      amount: z.number(),
      /** Taken off an invoice or given back by a credit note (or nothing was left to bill). */
      settled: z.boolean(),
      /** The invoice that took it off (final or cancellation), or the credit note that gives it back. */
      invoiceNumber: z.string().optional(),
      /**
       * What a cancelled project's bill could take off for it, when that was less than agreed: the
       * compensations together are at most the work accepted (a credit note never gives back money not paid).
       */
      takenOff: z.number().optional(),
    })
    .optional(),
});
export type ComplaintView = z.infer<typeof complaintViewSchema>;

export const invoiceKindSchema = z.enum(INVOICE_KINDS);
export const invoiceStatusSchema = z.enum(INVOICE_STATUSES);
export const documentKindSchema = z.enum(DOCUMENT_KINDS);

export const paymentViewSchema = z.object({
  amount: z.number(),
  paidAt: isoDate,
  reference: z.string(),
  recordedAt: isoDate,
  recordedBy: z.string(),
});
export type PaymentView = z.infer<typeof paymentViewSchema>;

/** A payment taken back: no longer counted as paid, kept with who took it back, when and why. */
export const reversedPaymentViewSchema = paymentViewSchema.extend({
  reversedAt: isoDate,
  reversedBy: z.string(),
  cause: z.enum(PAYMENT_REVERSAL_CAUSES),
  note: z.string().optional(),
});
export type ReversedPaymentView = z.infer<typeof reversedPaymentViewSchema>;

/**
 * A credit note set against an invoice the client has not paid: the invoice asks that much less
 * and the credit note gives back that much less in cash. Each side names the other.
 */
export const setOffViewSchema = z.object({
  /** The other side: on an invoice, the credit note; on a credit note, the invoice. */
  invoiceNumber: z.string(),
  amount: z.number(),
  at: isoDate,
});
export type SetOffView = z.infer<typeof setOffViewSchema>;

export const invoiceViewSchema = z.object({
  /** `credit_note`: money owed back to the client; its payments are the refunds paid out. */
  kind: invoiceKindSchema,
  number: z.string(),
  amount: z.number(),
  currency: z.string(),
  issuedAt: isoDate,
  dueAt: isoDate,
  documentId: z.string().optional(),
  payments: z.array(paymentViewSchema),
  /** Payments taken back (entered by mistake, returned by the bank): not in `payments` nor in `paidAmount`. */
  reversedPayments: z.array(reversedPaymentViewSchema).optional(),
  paidAmount: z.number(),
  /** Of what the client paid beyond the invoice, what a credit note has already given back (`overpaidMinor`). */
  excessCredited: z.number().optional(),
  /** The credit notes that gave it back, by number. */
  excessCreditedBy: z.array(z.string()).optional(),
  /** Credit notes set against this invoice, or (on a credit note) the invoices it was set against: not cash. */
  setOffs: z.array(setOffViewSchema).optional(),
  /** `open` while anything is owed, `paid` once settled (in cash or set off), `void` when cancelled before being paid in full. */
  status: invoiceStatusSchema,
  /** The part that is no longer owed because the invoice was voided (its amount less what was paid). */
  voidedAmount: z.number().optional(),
  voidedAt: isoDate.optional(),
  voidReason: z.string().optional(),
  /** Leadership wrote off what was still owed (the invoice is then `void`, `voidedAmount` that much): who, when, why. */
  writtenOff: z.object({ by: z.string(), at: isoDate, reason: z.string(), amount: z.number() }).optional(),
});
export type InvoiceView = z.infer<typeof invoiceViewSchema>;

export const documentRefSchema = z.object({
  documentId: z.string(),
  kind: documentKindSchema,
  number: z.string().optional(),
  createdAt: isoDate,
});
export type DocumentRef = z.infer<typeof documentRefSchema>;

export const projectStatusSchema = z
  .object({
    projectId: z.string(),
    /** Grows with every change of the project: the store keeps the newest, clients tell snapshots apart. */
    version: z.number().int(),
    stage: projectStageSchema,
    /** When the project entered its current stage (also the StageEnteredAt search attribute). */
    stageEnteredAt: isoDate.optional(),
    title: z.string(),
    brief: z.string(),
    client: clientSchema,
    segment: segmentSchema,
    managerId: z.string(),
    departments: z.array(departmentSchema),
    budget: moneySchema,
    desiredDeadline: isoDate,
    policy: policySchema,
    intakeAt: isoDate,
    /** When the first plan was submitted: stops the manager's response-time clock. */
    firstPlanAt: isoDate.optional(),
    responseTimeMs: z.number().optional(),
    plans: z.array(planVersionViewSchema),
    /** The version awaiting a decision, if any. */
    pendingPlanVersion: z.number().int().optional(),
    approvedPlanVersion: z.number().int().optional(),
    /** The last rejection's comment, shown to the manager while revising. */
    lastRejectionComment: z.string().optional(),
    tasks: z.array(taskSummarySchema),
    revisions: z.array(revisionViewSchema),
    revisionRoundsUsed: z.number().int(),
    feedback: z.array(feedbackViewSchema),
    complaints: z.array(complaintViewSchema),
    /** Changes the client asked for on their page (absent until the first). */
    changeRequests: z.array(changeRequestViewSchema).optional(),
    invoices: z.array(invoiceViewSchema),
    documents: z.array(documentRefSchema),
    timeline: z.array(timelineEntrySchema),
    overdue: z.boolean(),
    cancellation: z.object({ reason: z.string(), by: z.string(), at: isoDate, stageAtCancel: projectStageSchema }).optional(),
    /** The work was started before its prepayment was paid: by whom, when and why. */
    startedBeforePrepayment: z.object({ by: z.string(), at: isoDate, reason: z.string() }).optional(),
    completedAt: isoDate.optional(),
    /**
     * A completed project hears complaints until then (its policy's complaint window); one
     * recorded by then keeps it open until it is resolved and any compensation refunded.
     */
    complaintsHeardUntil: isoDate.optional(),
  })
  .meta({ id: 'ProjectStatus', description: 'The project workflow\u2019s status snapshot (its getStatus query).' });
export type ProjectStatus = z.infer<typeof projectStatusSchema>;
