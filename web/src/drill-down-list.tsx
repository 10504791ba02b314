/**
 * The shell every KPI drill-down page shares (pages/deliveries.tsx, workload.tsx, responses.tsx,
 * feedback.tsx, money.tsx): a heading saying what is listed and how many, the period and scope
 * line under it, the way back to the KPI page with its filters (or to where else the list was
 * reached from), loading and error lines, a sentence when the list is empty, the totals over the
 * list with a note when the API capped its rows, and the rows as a table that becomes cards on a
 * phone. A page keeps only what is its own: what it reads from its address, its words, its columns.
 */
import type { ComponentChildren } from 'preact';
import type { Resource } from './data';
import { formatDate } from './format';
import { Link } from './router';
import { Loading, PageHeader, ProblemBox } from './ui';

/** What every drill-down answer has: how many rows the figure counted, and those listed (at most the API's cap). */
interface CountedList {
  total: number;
  items: readonly unknown[];
}

/** The period a list covers, in words: "5 Jan 2026 – 3 Apr 2026" (the API's end is exclusive, so the day before it). */
export const periodInWords = (scope: { from: string; to: string }): string =>
  `${formatDate(scope.from)} – ${formatDate(new Date(Date.parse(scope.to) - 1).toISOString())}`;

export interface DrillDownListProps<L extends CountedList> {
  /** What is listed, in words ("Late deliveries, week of 23 Nov 2026"): the heading (a page's table caption starts with it too). */
  title: string;
  /** Whether the heading ends with the count ("…: 2"); the work in hand names its hours instead. */
  countInTitle?: boolean;
  /** The KPI page with the filters the list was reached with (kpisHref), or wherever else the list was reached from. */
  back: string;
  /** The way back's words, when it leads elsewhere than the KPI page: "Back to the sales plan". */
  backLabel?: string;
  /** What is being read, for the loading and error lines: "the deliveries". */
  what: string;
  list: Pick<Resource<L>, 'data' | 'error'>;
  /** The line under the heading, once read: its parts (the period, whose projects, which clients), joined with " · "; empty parts are left out. */
  scope: (list: L) => (string | false | undefined)[];
  /** The sentence said instead of an empty table. */
  empty: (list: L) => string;
  /** What the count counts, in the words of the figure the list was reached from, and in which order. */
  totals: (list: L) => ComponentChildren;
  /** A class for the totals' line, for a page's styles and tests. */
  totalsClass?: string;
  /** Which rows a capped list shows: "The 200 most late". */
  listedWhenCapped: (shown: number, list: L) => string;
  /**
   * What shows the rest of a capped list: "narrow the period or pick a department" (said "… for the
   * rest."); or, when nothing here lists the rest, a clause of its own: { said: "the totals count them all" }.
   */
  forTheRest: string | { said: string };
  /** Said between the totals and the table (the work in hand's overload). */
  note?: (list: L) => ComponentChildren;
  /** The rows: a DrillDownTable. */
  table: (list: L) => ComponentChildren;
}

export function DrillDownList<L extends CountedList>(props: DrillDownListProps<L>) {
  const { list, title } = props;
  const l = list.data;
  const rest = typeof props.forTheRest === 'string' ? `${props.forTheRest} for the rest` : props.forTheRest.said;
  const back = (
    <Link href={props.back} class="button button--secondary">
      {props.backLabel ?? 'Back to the KPIs'}
    </Link>
  );

  return (
    <>
      <PageHeader title={l && props.countInTitle !== false ? `${title}: ${l.total}` : title} actions={back}>
        {l && <p>{props.scope(l).filter(Boolean).join(' · ')}</p>}
      </PageHeader>

      {list.error && <ProblemBox error={list.error} title={`Could not load ${props.what}`} />}
      {!l ? (
        !list.error && <Loading what={`Loading ${props.what}`} />
      ) : l.total === 0 ? (
        <p class="empty">{props.empty(l)}</p>
      ) : (
        <>
          <p role="status" class={props.totalsClass}>
            {props.totals(l)}
            {l.items.length < l.total ? ` ${props.listedWhenCapped(l.items.length, l)} are listed; ${rest}.` : ''}
          </p>
          {props.note?.(l)}
          {props.table(l)}
        </>
      )}
    </>
  );
}

/**
 * A column of a DrillDownTable: its heading, the name a phone's card shows beside the value (the
 * heading unless shorter), the value, and a class for its heading and cells ("num": amounts).
 */
export interface DrillDownColumn<T> {
  header: string;
  label?: string;
  cell: (item: T) => ComponentChildren;
  class?: string;
}

/** A client and their segment, as the lists of requests, ratings and complaints show them: "Northwind Traders (B2B)". */
export const clientWithSegment = (row: { clientName: string; segment: string }) => (
  <>
    {row.clientName} <span class="muted">({row.segment})</span>
  </>
);

/**
 * The rows of a drill-down: the first column heads its row (a link to what the row is), the others
 * are its values. On a phone each row is a card (styles.css, .card-rows), each value beside its
 * column's name (data-label); the roles keep it a table to screen readers. Every drill-down's
 * table has the class drill-down-table, for the styles they share, and its page's own.
 */
export function DrillDownTable<T>({
  class: className,
  caption,
  columns,
  items,
  rowKey,
}: {
  /** The page's own class (its styles and its tests find the table by it): "kpi-deliveries". */
  class: string;
  /** Said to screen readers: what is listed and in which order. */
  caption: string;
  columns: DrillDownColumn<T>[];
  items: readonly T[];
  rowKey: (item: T) => string;
}) {
  const [head, ...values] = columns;
  return (
    <div class="table-wrap">
      <table class={`card-rows drill-down-table ${className}`} role="table">
        <caption class="visually-hidden">{caption}</caption>
        <thead role="rowgroup">
          <tr role="row">
            {columns.map((c) => (
              <th key={c.header} scope="col" role="columnheader" class={c.class}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup">
          {items.map((item) => (
            <tr key={rowKey(item)} role="row">
              <th scope="row" role="rowheader" class={head.class}>
                {head.cell(item)}
              </th>
              {values.map((c) => (
                <td key={c.header} role="cell" data-label={c.label ?? c.header} class={c.class}>
                  {c.cell(item)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
