/**
 * The invoices and payments behind the KPI page's money figures — leadership asks "how much did we
 * invoice and collect, and from whom?" (DOMAIN.md) — and behind a manager's sales-plan target.
 * Reached from the money tiles' nets, the money charts' bars (a week's, a manager's), their cells
 * in "The numbers", the links under the charts, a client's spend (the Clients section's table),
 * and a target (on the sales plan page, or its bar on the KPI page's sales plan). Its address holds
 * the KPI page's own filters (the reader's days, manager, segment) and what the figure counted
 * (`flow`, `week`, `currency`, `clientId`), or a target's exact
 * period with `salesPlan`, and it asks the API with the same query, so the totals under the
 * heading are the figure's. The page is the shared drill-down shell (drill-down-list.tsx) with its
 * own words, totals in words and columns.
 */
import { api, ok, type Schemas } from '../api';
import { useName, useResource, useSession } from '../data';
import { clientWithSegment, DrillDownList, DrillDownTable, periodInWords, type DrillDownColumn } from '../drill-down-list';
import { formatDate, formatMoney, plural } from '../format';
import { apiQuery, filtersFrom, kpisHref, localDay, MONEY_WAYS_BACK, periodOf, wayBackFrom, type MoneyChoice } from '../kpi-period';
import { Link } from '../router';
import { Badge } from '../ui';

type MoneyList = Schemas['KpiMoneyList'];
type Item = MoneyList['items'][number];
type Flow = MoneyChoice['flow'];

const KIND_LABEL: Record<Item['kind'], string> = {
  invoice: 'Invoice',
  void: 'Voided',
  credit_note: 'Credit note',
  payment: 'Payment',
  refund: 'Refund',
};

/** What the address asks for; anything else goes to the API as typed, for it to name. */
function choiceFrom(query: URLSearchParams): { flow: Flow; week?: string; currency?: string; clientId?: string; salesPlan: boolean; salesPeriod?: string } {
  const pick = (k: string) => query.get(k) || undefined;
  return {
    flow: (pick('flow') ?? 'invoiced') as Flow,
    ...(pick('week') && { week: pick('week') }),
    ...(pick('currency') && { currency: pick('currency') }),
    ...(pick('clientId') && { clientId: pick('clientId') }),
    salesPlan: query.get('salesPlan') === 'true',
    ...(pick('period') && { salesPeriod: pick('period') }),
  };
}

const weekLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

/**
 * What the list holds, in words: "Invoices, voids and credit notes, Anna Petrova, week of 12 Jan";
 * one client's, "Invoices, voids and credit notes, ACME Ltd" (named by the API's answer; its id until then).
 */
function listedInWords(choice: ReturnType<typeof choiceFrom>, managerName: string | undefined, clientName: string | undefined): string {
  if (choice.salesPlan) return `Payments for ${managerName ? `${managerName}\u2019s` : 'the'} sales plan${choice.salesPeriod ? ` ${choice.salesPeriod}` : ''}`;
  const what = choice.flow === 'paid' ? 'Payments and refunds' : 'Invoices, voids and credit notes';
  const week = choice.week && !Number.isNaN(Date.parse(choice.week)) ? `week of ${weekLabel.format(new Date(choice.week))}` : undefined;
  return [what, clientName ?? choice.clientId, managerName, week].filter(Boolean).join(', ');
}

/**
 * The totals in words, as the KPI page's money charts say them: "Invoiced €8,200.00, less €900.00
 * voided and €100.00 credited: €7,300.00 net"; "Paid €7,800.00, less €100.00 refunded: €7,700.00 net".
 */
function totalsInWords(l: MoneyList): string[] {
  if (l.flow === 'invoiced') {
    return l.totals.map((t) => {
      const money = (n: number) => formatMoney(n, t.currency);
      const takenBack = [t.voided !== 0 && `${money(t.voided)} voided`, t.credited !== 0 && `${money(t.credited)} credited`].filter(Boolean);
      return takenBack.length > 0
        ? `Invoiced ${money(t.invoiced)}, less ${takenBack.join(' and ')}: ${money(t.netInvoiced)} net.`
        : `Invoiced ${money(t.invoiced)}, nothing voided or credited.`;
    });
  }
  return l.totals.map((t) => {
    const money = (n: number) => formatMoney(n, t.currency);
    return t.refunded !== 0 ? `Paid ${money(t.paid)}, less ${money(t.refunded)} refunded: ${money(t.netPaid)} net.` : `Paid ${money(t.paid)}, nothing refunded.`;
  });
}

/**
 * The way back: from a figure, the KPI page with its filters; from a target, where the reader came
 * from — the KPI page with its filters, or the sales plan (also when the address does not say; a
 * manager has no such page: back to their KPIs).
 */
function wayBack(query: URLSearchParams, choice: ReturnType<typeof choiceFrom>, ownOnly: boolean, kpis: string): { href: string; label?: string } {
  if (!choice.salesPlan) return { href: kpis };
  const cameFrom = wayBackFrom(query, MONEY_WAYS_BACK);
  if (cameFrom?.page === 'kpis') return { href: cameFrom.href };
  if (ownOnly) return { href: '/kpis' };
  return { href: cameFrom?.href ?? `/targets${choice.salesPeriod ? `?period=${encodeURIComponent(choice.salesPeriod)}` : ''}`, label: 'Back to the sales plan' };
}

export function Money({ query }: { query: URLSearchParams }) {
  const { me } = useSession();
  const name = useName();
  const filters = filtersFrom(query);
  const period = periodOf(filters, localDay(new Date()));
  const choice = choiceFrom(query);
  const q = {
    ...apiQuery(filters, period),
    flow: choice.flow,
    ...(choice.week && { week: choice.week }),
    ...(choice.currency && { currency: choice.currency }),
    ...(choice.clientId && { clientId: choice.clientId }),
    ...(choice.salesPlan && { salesPlan: 'true' as const }),
  };
  const list = useResource(() => ok(api.GET('/api/reports/kpis/money', { params: { query: q } })), [new URLSearchParams(q).toString()], 30_000);
  // A manager sees their own projects only: their name in the heading would say nothing.
  const ownOnly = me.person.role === 'manager';
  const words = listedInWords(choice, filters.managerId && !ownOnly ? name(filters.managerId) : undefined, list.data?.scope.clientName);
  const back = wayBack(query, choice, ownOnly, kpisHref(filters, period));

  return (
    <DrillDownList
      title={words}
      back={back.href}
      backLabel={back.label}
      what="the invoices and payments"
      list={list}
      scope={(l) => [
        // A target's period is UTC days (the API's sales periods): named as set, not as the reader's days around it.
        choice.salesPlan && choice.salesPeriod ? `The target\u2019s period, ${choice.salesPeriod} (UTC)` : periodInWords(l.scope),
        ownOnly && 'your projects',
        l.scope.segment && `${l.scope.segment} clients`,
        l.scope.currency,
      ]}
      empty={(l) => (l.flow === 'paid' ? 'No payment was received or refunded in this period.' : 'Nothing was invoiced, voided or credited in this period.')}
      totals={(l) =>
        l.flow === 'paid'
          ? `${plural(l.total, 'payment or refund', 'payments and refunds')} in this period, the newest first.`
          : `${plural(l.total, 'invoice, void or credit note', 'invoices, voids and credit notes')} in this period, the newest first.`
      }
      listedWhenCapped={(shown) => `The ${shown} newest`}
      forTheRest={{ said: 'the totals count them all' }}
      note={(l) => (
        <ul class="money-totals" aria-label="Totals">
          {totalsInWords(l).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      table={(l) => (
        <DrillDownTable
          class="kpi-money"
          caption={`${words}, the newest first`}
          columns={moneyColumns(l.flow, name)}
          items={l.items}
          rowKey={(i) => `${i.kind} ${i.number} ${i.at} ${i.amount}`}
        />
      )}
    />
  );
}

/** The columns of the list; invoices add when each was due and what is still owed on it now (by the client, or to them: a credit note's refund). */
function moneyColumns(flow: Flow, name: (id?: string) => string): DrillDownColumn<Item>[] {
  const columns: DrillDownColumn<Item>[] = [
    // A number stays whole ("INV-2026-000042"), not broken at its hyphens as a narrow column would.
    { header: 'Number', class: 'nowrap', cell: (i) => <Link href={`/projects/${i.projectId}`}>{i.number}</Link> },
    {
      header: 'What',
      cell: (i) =>
        i.takenBack ? (
          <Badge tone="bad">{KIND_LABEL[i.kind]} taken back</Badge>
        ) : i.kind === 'void' || i.kind === 'credit_note' || i.kind === 'refund' ? (
          <Badge tone="warn">{KIND_LABEL[i.kind]}</Badge>
        ) : (
          KIND_LABEL[i.kind]
        ),
    },
    { header: 'Date', cell: (i) => <time dateTime={i.at}>{formatDate(i.at)}</time> },
    { header: 'Amount', class: 'num', cell: (i) => formatMoney(i.amount, i.currency) },
    { header: 'Client', cell: clientWithSegment },
    { header: 'Project', cell: (i) => i.projectTitle },
    { header: 'Manager', cell: (i) => i.managerName ?? name(i.managerId) },
  ];
  if (flow === 'paid') return columns;
  return [
    ...columns,
    {
      header: 'Due, still owed now',
      label: 'Due, owed',
      cell: (i) =>
        i.dueAt === undefined ? (
          <span class="muted">—</span>
        ) : (
          <>
            <time dateTime={i.dueAt}>{formatDate(i.dueAt)}</time>
            {/* What a credit note still owes is the agency's to pay back, not the client's to pay: said so. */}
            {i.outstanding !== undefined &&
              (i.outstanding > 0 ? (
                <>
                  , {formatMoney(i.outstanding, i.currency)} {i.kind === 'credit_note' ? 'to refund' : 'owed'}
                </>
              ) : (
                <span class="muted">, settled</span>
              ))}
          </>
        ),
    },
  ];
}
