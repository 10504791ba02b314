/**
 * The invoices and payments behind the KPI report's money figures and its sales plan (GET
 * /api/reports/kpis/money): its query and its answer. Kept beside api/schemas.ts, whose KPI query
 * it extends, in a file of its own so the drill-down's contract reads in one place.
 */
import { z } from 'zod';
import { currencySchema, segmentSchema } from '../workflows/shared-schemas';
import { described, filterValue, isoDate, kpiQuerySchema, reportDateSchema } from './schemas';

/** Which side of the money: what was invoiced (and taken back), or what was paid (and refunded). */
export const MONEY_FLOWS = ['invoiced', 'paid'] as const;
export type MoneyFlow = (typeof MONEY_FLOWS)[number];

/** What one row is: the money fact it lists. */
export const MONEY_ROW_KINDS = ['invoice', 'void', 'credit_note', 'payment', 'refund'] as const;
export type MoneyRowKind = (typeof MONEY_ROW_KINDS)[number];

/**
 * The report's own query (the same period, time zone, manager and segment, so the list counts
 * what the figure counted) and which figure was followed: the invoiced or the paid side, one week
 * of the series, one currency, one client's spend, or one manager's sales plan.
 */
export const kpiMoneyQuerySchema = kpiQuerySchema
  .extend({
    // Required, not defaulted: the two sides are different sums (a payment pays an invoice of any
    // date), and a list of both would add up to no figure of the report.
    flow: z.enum(MONEY_FLOWS).meta({
      description:
        '`invoiced`: the invoices issued in the period, and the voids and credit notes that took money back in it (`money.totals[].invoiced`, `voided`, `credited`, `netInvoiced`). `paid`: the payments received and the refunds paid out in it (`paid`, `refunded`, `netPaid`; a payment taken back is listed as a payment with a negative amount, as the report counts it). Required.',
    }),
    week: reportDateSchema.optional().meta({
      description:
        'One week of the report\u2019s weekly series: its `weekStart` as the report with this same query gives it (e.g. `2026-01-19T00:00:00.000Z`); the week\u2019s `money` flows. Only the part of that week inside the period counts, as in the series. A time that starts no week of the period is a 400. Not with `salesPlan`.',
    }),
    currency: currencySchema.optional().meta({ description: 'Only money in this currency (ISO 4217, e.g. `EUR`): the report gives every money figure per currency.' }),
    clientId: filterValue.optional().meta({
      description:
        'Only this client\u2019s projects\u2019 money: a `clientId` of the report\u2019s `clients.spend.byClient` (or `money.byClient`). With `flow=invoiced` and the report\u2019s query, the list\u2019s `netInvoiced` per currency is that client\u2019s `spend` (and `money.byClient[].netInvoiced`). Not with `salesPlan`.',
    }),
    salesPlan: z
      .enum(['true', 'false'])
      .optional()
      .meta({
        description:
          '`true`: count as the report\u2019s `salesPlan` counts a target\u2019s `paid` \u2014 each payment and refund credited to the manager recorded with it (the project\u2019s manager when it was entered, whoever manages the project now), over the whole portfolio (no segment). Asked with a target\u2019s `managerId`, `from`, `to` and `currency` and `flow=paid`, the list\u2019s `netPaid` is that target\u2019s `paid`. Without it, a manager\u2019s money is their projects\u2019 now, as `money.byManager` counts it. Only with `flow=paid`; not with `segment`, `week` or `clientId`.',
      }),
  })
  .strict()
  .refine((q) => q.salesPlan !== 'true' || q.flow === 'paid', { path: ['flow'], message: 'the sales plan counts payments: use `paid` with `salesPlan=true`' })
  .refine((q) => q.salesPlan !== 'true' || q.segment === undefined, { path: ['segment'], message: 'the sales plan counts every client: leave it out with `salesPlan=true`' })
  .refine((q) => q.salesPlan !== 'true' || q.week === undefined, { path: ['week'], message: 'the sales plan has no weeks: leave it out with `salesPlan=true`' })
  .refine((q) => q.salesPlan !== 'true' || q.clientId === undefined, { path: ['clientId'], message: 'the sales plan counts a manager\u2019s payments from every client: leave it out with `salesPlan=true`' });
export type KpiMoneyQueryParams = z.infer<typeof kpiMoneyQuerySchema>;

const scopeShape = {
  from: described(isoDate, 'Start of what is listed: the period\u2019s, or the week\u2019s when a `week` was asked (no earlier than the period).'),
  to: described(isoDate, 'End of what is listed, exclusive.'),
  week: described(isoDate, 'The week asked for, as the series names it.').optional(),
  managerId: z.string().optional(),
  segment: segmentSchema.optional(),
  currency: z.string().optional(),
  clientId: z.string().optional(),
  clientName: described(z.string(), 'The client asked for (`clientId`), by the name of their newest project, as the client directory (GET /api/clients) names them; absent for an id no project has.').optional(),
  salesPlan: described(z.boolean(), 'Counted as the sales plan counts (by the manager recorded with each payment).').optional(),
};

const money = (description: string) => described(z.number(), description);

const itemSchema = z.object({
  at: described(isoDate, 'When it happened, by which the period counts it: the invoice or credit note issued, the invoice voided, the client paid, the refund paid out.'),
  kind: described(
    z.enum(MONEY_ROW_KINDS),
    '`invoice` issued, its amount `void`ed (an unpaid prepayment on cancellation), `credit_note` issued (money owed back to the client), `payment` received on an invoice, `refund` paid out on a credit note.',
  ),
  takenBack: described(z.literal(true), 'A payment (or refund) taken back: the bank returned it or it was entered by mistake. Its `amount` is negative, as the report counts it.').optional(),
  number: described(z.string(), 'The invoice or credit note: the one issued or voided, or the one a payment or refund was made on.'),
  amount: money('In `currency`, as the report sums it: positive, but negative for a payment taken back.'),
  currency: z.string(),
  dueAt: described(isoDate, 'An invoice\u2019s (or credit note\u2019s) due date.').optional(),
  outstanding: money('An invoice: what the client still owes on it now (`outstandingAsOf`), after payments, voids and credit notes set against it; a credit note: what the agency still owes back.').optional(),
  projectId: z.string(),
  projectTitle: z.string(),
  clientName: z.string(),
  segment: segmentSchema,
  managerId: described(z.string(), 'The manager the figure counts it for: the project\u2019s (with `salesPlan`, the one recorded with the payment).'),
  managerName: described(z.string(), 'Their name in the people directory, or kept there after they left (formerPeople); absent for an id the file no longer has.').optional(),
  href: described(z.string(), 'The project: GET it here (the portal\u2019s page is /projects/{projectId}).'),
});

const listShape = {
  total: described(z.number().int(), 'Money facts in the scope, in every currency: invoices, voids and credit notes (`invoiced`), or payments and refunds (`paid`).'),
  limit: described(z.number().int(), 'The most items one answer lists; `items` holds fewer than `total` when there are more.'),
  outstandingAsOf: described(isoDate, 'When the items\u2019 `outstanding` is measured: the time of the answer.'),
  items: described(z.array(itemSchema), 'The newest first, as a ledger reads (what happened last on top). A list cut at `limit` leaves out the oldest; `totals` count them all.'),
};

export const kpiInvoicedListSchema = z
  .object({
    flow: z.literal('invoiced'),
    scope: z.object(scopeShape),
    ...listShape,
    totals: described(
      z.array(
        z.object({
          currency: z.string(),
          invoiced: money('The invoices listed, gross.'),
          voided: money('The voids listed.'),
          credited: money('The credit notes listed.'),
          netInvoiced: money('invoiced \u2212 voided \u2212 credited.'),
        }),
      ),
      'Per currency, over every item in the scope (not only the `limit` listed): the report\u2019s `money.totals[]` figures of the same names for the same query (`money.byManager[]` with `managerId`, the week\u2019s `money` with `week`).',
    ),
  })
  .meta({ id: 'KpiInvoicedList', description: 'The invoices, voids and credit notes behind the KPI report\u2019s invoiced figures.' });

export const kpiPaidListSchema = z
  .object({
    flow: z.literal('paid'),
    scope: z.object(scopeShape),
    ...listShape,
    totals: described(
      z.array(
        z.object({
          currency: z.string(),
          paid: money('The payments listed, gross (less those taken back).'),
          refunded: money('The refunds listed.'),
          netPaid: money('paid \u2212 refunded.'),
        }),
      ),
      'Per currency, over every item in the scope (not only the `limit` listed): the report\u2019s `money.totals[]` figures of the same names for the same query (`money.byManager[]` with `managerId`, the week\u2019s `money` with `week`); with `salesPlan`, `netPaid` is the target\u2019s `salesPlan[].paid`.',
    ),
  })
  .meta({ id: 'KpiPaidList', description: 'The payments received and refunds paid out behind the KPI report\u2019s paid figures and its sales plan.' });

export const kpiMoneyListSchema = z
  .discriminatedUnion('flow', [kpiInvoicedListSchema, kpiPaidListSchema])
  .meta({ id: 'KpiMoneyList', description: 'The money behind the KPI report\u2019s money figures: what was invoiced (`flow: invoiced`) or paid (`flow: paid`), from whom.' });
export type KpiInvoicedList = z.infer<typeof kpiInvoicedListSchema>;
export type KpiPaidList = z.infer<typeof kpiPaidListSchema>;
export type KpiMoneyList = z.infer<typeof kpiMoneyListSchema>;
export type KpiMoneyItem = z.infer<typeof itemSchema>;
