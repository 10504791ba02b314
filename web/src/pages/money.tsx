/**
 * The invoices and payments behind the KPI page's money figures — leadership asks "how much did we
 * invoice and collect, and from whom?" (DOMAIN.md) — and behind a manager's sales-plan target.
 * Reached from the money charts' bars (a week's, a manager's), their cells in "The numbers", the
 * links under the charts, and a target on the sales plan page. Its address holds the KPI page's
 * own filters (the reader's days, manager, segment) and what the figure counted (`flow`, `week`,
 * `currency`), or a target's exact period with `salesPlan`, and it asks the API with the same query,
 * so the totals under the heading are the figure's.
 */
import { api, ok, type Schemas } from '../api';
import { useName, useResource, useSession } from '../data';
import { formatDate, formatMoney, plural } from '../format';
import { apiQuery, filtersFrom, kpisHref, localDay, periodOf, type MoneyChoice } from '../kpi-period';
import { Link } from '../router';
import { Badge, Loading, PageHeader, ProblemBox } from '../ui';

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
function choiceFrom(query: URLSearchParams): { flow: Flow; week?: string; currency?: string; salesPlan: boolean; salesPeriod?: string } {
  const pick = (k: string) => query.get(k) || undefined;
  return {
    flow: (pick('flow') ?? 'invoiced') as Flow,
    ...(pick('week') && { week: pick('week') }),
    ...(pick('currency') && { currency: pick('currency') }),
    salesPlan: query.get('salesPlan') === 'true',
    ...(pick('period') && { salesPeriod: pick('period') }),
  };
}

const weekLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

/** What the list holds, in words: "Invoices, voids and credit notes, Anna Petrova, week of 12 Jan". */
function listedInWords(choice: ReturnType<typeof choiceFrom>, managerName: string | undefined): string {
  if (choice.salesPlan) return `Payments for ${managerName ? `${managerName}\u2019s` : 'the'} sales plan${choice.salesPeriod ? ` ${choice.salesPeriod}` : ''}`;
  const what = choice.flow === 'paid' ? 'Payments and refunds' : 'Invoices, voids and credit notes';
  const week = choice.week && !Number.isNaN(Date.parse(choice.week)) ? `week of ${weekLabel.format(new Date(choice.week))}` : undefined;
  return [what, managerName, week].filter(Boolean).join(', ');
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
    ...(choice.salesPlan && { salesPlan: 'true' as const }),
  };
  const list = useResource(() => ok(api.GET('/api/reports/kpis/money', { params: { query: q } })), [new URLSearchParams(q).toString()], 30_000);
  const l = list.data;
  // A manager sees their own projects only: their name in the heading would say nothing.
  const ownOnly = me.person.role === 'manager';
  const words = listedInWords(choice, filters.managerId && !ownOnly ? name(filters.managerId) : undefined);
  // From a target, back to the sales plan (a manager has no such page: back to their KPIs).
  const back =
    choice.salesPlan && !ownOnly ? (
      <Link href={`/targets${choice.salesPeriod ? `?period=${encodeURIComponent(choice.salesPeriod)}` : ''}`} class="button button--secondary">
        Back to the sales plan
      </Link>
    ) : (
      <Link href={choice.salesPlan ? '/kpis' : kpisHref(filters, period)} class="button button--secondary">
        Back to the KPIs
      </Link>
    );

  return (
    <>
      <PageHeader title={l ? `${words}: ${l.total}` : words} actions={back}>
        {l && (
          <p>
            {/* A target's period is UTC days (the API's sales periods): named as set, not as the reader's days around it. */}
            {choice.salesPlan && choice.salesPeriod
              ? `The target’s period, ${choice.salesPeriod} (UTC)`
              : `${formatDate(l.scope.from)} – ${formatDate(new Date(Date.parse(l.scope.to) - 1).toISOString())}`}
            {ownOnly ? ' · your projects' : ''}
            {l.scope.segment ? ` · ${l.scope.segment} clients` : ''}
            {l.scope.currency ? ` · ${l.scope.currency}` : ''}
          </p>
        )}
      </PageHeader>

      {list.error && <ProblemBox error={list.error} title="Could not load the invoices and payments" />}
      {!l ? (
        !list.error && <Loading what="Loading the invoices and payments" />
      ) : l.total === 0 ? (
        <p class="empty">{l.flow === 'paid' ? 'No payment was received or refunded in this period.' : 'Nothing was invoiced, voided or credited in this period.'}</p>
      ) : (
        <>
          <p role="status">
            {l.flow === 'paid'
              ? `${plural(l.total, 'payment or refund', 'payments and refunds')} in this period, the newest first.`
              : `${plural(l.total, 'invoice, void or credit note', 'invoices, voids and credit notes')} in this period, the newest first.`}
            {l.items.length < l.total ? ` The ${l.items.length} newest are listed; the totals count them all.` : ''}
          </p>
          <ul class="money-totals" aria-label="Totals">
            {totalsInWords(l).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <MoneyTable list={l} caption={words} name={name} />
        </>
      )}
    </>
  );
}

function MoneyTable({ list: l, caption, name }: { list: MoneyList; caption: string; name: (id?: string) => string }) {
  const invoiced = l.flow === 'invoiced';
  return (
    // On a phone each row is a card (styles.css, .card-rows); the roles keep it a table to screen readers.
    <div class="table-wrap">
      <table class="card-rows kpi-money" role="table">
        <caption class="visually-hidden">{caption}, the newest first</caption>
        <thead role="rowgroup">
          <tr role="row">
            <th scope="col" role="columnheader">Number</th>
            <th scope="col" role="columnheader">What</th>
            <th scope="col" role="columnheader">Date</th>
            <th scope="col" role="columnheader" class="num">Amount</th>
            <th scope="col" role="columnheader">Client</th>
            <th scope="col" role="columnheader">Project</th>
            <th scope="col" role="columnheader">Manager</th>
            {invoiced && <th scope="col" role="columnheader">Due, still owed now</th>}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {l.items.map((i) => (
            <tr key={`${i.kind} ${i.number} ${i.at} ${i.amount}`} role="row">
              <th scope="row" role="rowheader">
                <Link href={`/projects/${i.projectId}`}>{i.number}</Link>
              </th>
              <td role="cell" data-label="What">
                {i.takenBack ? <Badge tone="bad">{KIND_LABEL[i.kind]} taken back</Badge> : i.kind === 'void' || i.kind === 'credit_note' || i.kind === 'refund' ? <Badge tone="warn">{KIND_LABEL[i.kind]}</Badge> : KIND_LABEL[i.kind]}
              </td>
              <td role="cell" data-label="Date">
                <time dateTime={i.at}>{formatDate(i.at)}</time>
              </td>
              <td role="cell" data-label="Amount" class="num">
                {formatMoney(i.amount, i.currency)}
              </td>
              <td role="cell" data-label="Client">
                {i.clientName} <span class="muted">({i.segment})</span>
              </td>
              <td role="cell" data-label="Project">
                {i.projectTitle}
              </td>
              <td role="cell" data-label="Manager">
                {i.managerName ?? name(i.managerId)}
              </td>
              {invoiced && (
                <td role="cell" data-label="Due, owed">
                  {i.dueAt === undefined ? (
                    <span class="muted">—</span>
                  ) : (
                    <>
                      <time dateTime={i.dueAt}>{formatDate(i.dueAt)}</time>
                      {i.outstanding !== undefined && (i.outstanding > 0 ? <>, {formatMoney(i.outstanding, i.currency)} owed</> : <span class="muted">, settled</span>)}
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
