/**
 * The invoices and payments behind the KPI report's money figures (leadership asks "how much did we
 * invoice and collect, and from whom?", DOMAIN.md): one row per money fact, from the same facts,
 * the same scope and the same sums as kpis.ts (INVOICED_FLOW, PAID_FLOW, FLOW_SUMS, moneyFlows), so
 * a list asked with the report's query adds up, per currency, to the figure it was reached from:
 *
 * - invoiced: the invoices issued in the span, and the voids and credit notes that took money back
 *   in it (`invoiced`, `voided`, `credited`, `netInvoiced`);
 * - paid: the payments received and refunds paid out in it (`paid`, `refunded`, `netPaid`);
 * - with `clientId`, one client's: with `invoiced`, their net invoiced is the report's
 *   `clients.spend.byClient[].spend` (the same facts and FLOW_SUMS, kpis.ts);
 * - with `salesPlan`, the payments and refunds credited as the sales plan credits them
 *   (SALES_PLAN_MANAGER), whatever the client's segment: a target's `paid`.
 */
import type { KpiInvoicedList, KpiMoneyItem, KpiPaidList, MoneyFlow, MoneyRowKind } from '../../api/kpi-money-schemas';
import type { Segment } from '../../workflows/shared-schemas';
import { balances, FLOW_SUMS, INVOICED_FLOW, money, moneyFlows, PAID_FLOW, projectScope, SALES_PLAN_MANAGER, type FlowSums } from './kpis';
import { join, sql, type Database, type Sql } from './sql';

export interface MoneyListQuery {
  /** The period, or one week of it (`weekWithin`): [from, to). */
  from: Date;
  to: Date;
  flow: MoneyFlow;
  managerId?: string;
  segment?: Segment;
  currency?: string;
  /** One client's projects: the money behind their spend (`flow: invoiced`) or what they paid. */
  clientId?: string;
  /** Credit each payment to the manager recorded with it, over every segment, as the sales plan does. */
  salesPlan?: boolean;
  /** An invoice's `outstanding` is measured here. */
  now: Date;
  /** At most this many rows; `totals` count them all. */
  limit: number;
}

const ROW_KIND: Record<string, MoneyRowKind> = {
  invoice: 'invoice',
  invoice_void: 'void',
  credit_note: 'credit_note',
  payment: 'payment',
  refund: 'refund',
};

const iso = (d: Date | string): string => new Date(d).toISOString();

export async function moneyList(
  db: Database,
  s: Sql,
  q: MoneyListQuery,
): Promise<Omit<KpiInvoicedList, 'scope'> | Omit<KpiPaidList, 'scope'>> {
  // Whose money: the projects' manager now, as `money.byManager` counts, or as the sales plan credits it.
  const manager = q.salesPlan ? SALES_PLAN_MANAGER : sql`p.manager_id`;
  const scope = q.salesPlan ? (q.managerId !== undefined ? sql`${SALES_PLAN_MANAGER} = ${q.managerId}` : sql`TRUE`) : projectScope(q);
  const where = join(
    [
      q.flow === 'invoiced' ? INVOICED_FLOW : PAID_FLOW,
      sql`f.at >= ${q.from} AND f.at < ${q.to}`,
      scope,
      ...(q.currency !== undefined ? [sql`f.currency = ${q.currency}`] : []),
    ],
    ' AND ',
  );
  const facts = sql`${s}.facts f JOIN ${s}.projects p ON p.project_id = f.project_id`;
  // What is still owed now on each invoice and credit note listed: the report's own balances, over
  // the projects in the list's scope only (a listed invoice's project is one of them; `invoiced`
  // never counts as the sales plan does), not every invoice in the store.
  const owed = q.flow === 'invoiced';
  const [rows, sums] = await Promise.all([
    db.rows<{
      fact_id: string;
      kind: string;
      at: Date;
      number: string;
      amount: string;
      currency: string;
      due_at: Date | null;
      outstanding: string | null;
      project_id: string;
      project_title: string;
      client_name: string;
      segment: Segment;
      manager_id: string;
    }>(sql`
      ${owed ? sql`WITH ${balances(s, projectScope(q), q.now)}` : sql``}
      SELECT f.fact_id, f.kind, f.at, f.ref AS number, f.amount, f.currency,
        CASE WHEN f.kind IN ('invoice', 'credit_note') THEN f.ref_at END AS due_at,
        ${owed ? sql`i.outstanding` : sql`NULL`} AS outstanding,
        p.project_id, p.title AS project_title, p.client_name, p.segment, ${manager} AS manager_id
      FROM ${facts}
        ${owed ? sql`LEFT JOIN inv i ON f.kind IN ('invoice', 'credit_note') AND i.number = f.ref AND i.project_id = f.project_id` : sql``}
      WHERE ${where}
      -- The newest first, as a ledger reads: what happened last is on top, and a list cut at its
      -- cap leaves out the oldest.
      ORDER BY f.at DESC, f.fact_id DESC
      LIMIT ${q.limit}`),
    // The same facts, summed by the report's own fragment: the totals are the figure's, per currency.
    db.rows<FlowSums & { currency: string; n: number }>(sql`
      SELECT f.currency, count(*)::int AS n, ${FLOW_SUMS}
      FROM ${facts}
      WHERE ${where}
      GROUP BY f.currency ORDER BY f.currency`),
  ]);
  const items = rows.map((r): KpiMoneyItem => {
    const amount = money(r.amount, r.currency);
    return {
      at: iso(r.at),
      kind: ROW_KIND[r.kind],
      ...(r.fact_id.startsWith('payment-reversed:') && { takenBack: true as const }),
      number: r.number,
      amount,
      currency: r.currency,
      ...(r.due_at !== null && { dueAt: iso(r.due_at) }),
      ...(r.outstanding !== null && { outstanding: Math.max(0, money(r.outstanding, r.currency)) }),
      projectId: r.project_id,
      projectTitle: r.project_title,
      clientName: r.client_name,
      segment: r.segment,
      managerId: r.manager_id,
      href: `/api/projects/${r.project_id}`,
    };
  });
  const list = {
    total: sums.reduce((n, r) => n + r.n, 0),
    limit: q.limit,
    outstandingAsOf: q.now.toISOString(),
    items,
  };
  if (q.flow === 'invoiced') {
    return {
      flow: 'invoiced',
      ...list,
      totals: sums.map((r) => {
        const { invoiced, voided, credited, netInvoiced } = moneyFlows(r, r.currency);
        return { currency: r.currency, invoiced, voided, credited, netInvoiced };
      }),
    };
  }
  return {
    flow: 'paid',
    ...list,
    totals: sums.map((r) => {
      const { paid, refunded, netPaid } = moneyFlows(r, r.currency);
      return { currency: r.currency, paid, refunded, netPaid };
    }),
  };
}
