/**
 * The deliveries behind a delivery figure of the KPI page: which tasks were delivered late (or on
 * time) in the period, a week of it, a department — the answer to "which ones were late?". Reached
 * from the KPI page's delivery charts; its address holds the KPI page's own filters (the reader's
 * days, manager, segment, department) and what the figure counted (`late`, `week`), and it asks
 * the API with the KPI page's own query, so the list has as many tasks as the figure said.
 */
import { api, ok, type Schemas } from '../api';
import { useName, useResource, useSession } from '../data';
import { DEPARTMENT_LABEL, formatDate, formatDateTime, lateInWords, plural } from '../format';
import { apiQuery, filtersFrom, kpisHref, localDay, periodOf } from '../kpi-period';
import { Link } from '../router';
import { Badge, Loading, PageHeader, ProblemBox } from '../ui';

type DeliveryList = Schemas['KpiDeliveryList'];

const lateFrom = (value: string | null): boolean | undefined => (value === 'true' ? true : value === 'false' ? false : undefined);

/** What the list holds, in words: "Late deliveries, week of 23 Nov 2026, Design". */
function listedInWords(late: boolean | undefined, week: string | undefined, department: DeliveryList['scope']['department']): string {
  const what = late === true ? 'Late deliveries' : late === false ? 'Deliveries on time' : 'Deliveries';
  return [what, week && `week of ${formatDate(week)}`, department && DEPARTMENT_LABEL[department]].filter(Boolean).join(', ');
}

export function Deliveries({ query }: { query: URLSearchParams }) {
  const { me } = useSession();
  const name = useName();
  const filters = filtersFrom(query);
  const period = periodOf(filters, localDay(new Date()));
  const week = query.get('week') || undefined;
  const late = lateFrom(query.get('late'));
  const q = { ...apiQuery(filters, period), ...(week && { week }), ...(late !== undefined && { late: String(late) as 'true' | 'false' }) };
  const list = useResource(() => ok(api.GET('/api/reports/kpis/deliveries', { params: { query: q } })), [new URLSearchParams(q).toString()], 30_000);
  const l = list.data;
  const words = listedInWords(late, week, filters.department);
  const back = (
    <Link href={kpisHref(filters, period)} class="button button--secondary">
      Back to the KPIs
    </Link>
  );

  return (
    <>
      <PageHeader title={l ? `${words}: ${l.total}` : words} actions={back}>
        {l && (
          <p>
            {formatDate(l.scope.from)} – {formatDate(new Date(Date.parse(l.scope.to) - 1).toISOString())}
            {l.scope.managerId ? ` · ${me.person.role === 'manager' ? 'your projects' : `${name(l.scope.managerId)}\u2019s projects`}` : ''}
            {l.scope.segment ? ` · ${l.scope.segment} clients` : ''}
          </p>
        )}
      </PageHeader>

      {list.error && <ProblemBox error={list.error} title="Could not load the deliveries" />}
      {!l ? (
        !list.error && <Loading what="Loading the deliveries" />
      ) : l.total === 0 ? (
        <p class="empty">
          {[
            'No task was first delivered',
            late === true ? 'late' : late === false ? 'on time' : undefined,
            week ? 'in this week' : 'in this period',
            filters.department && `in ${DEPARTMENT_LABEL[filters.department]}`,
          ]
            .filter(Boolean)
            .join(' ')}
          .
        </p>
      ) : (
        <>
          <p role="status">
            {plural(l.total, 'task')} first delivered
            {late === true ? ' after' : late === false ? ' at or before' : ', on time or late, against'} {l.total === 1 ? 'its' : 'their'} original due date (the date before any move), most late
            first.
            {l.items.length < l.total ? ` The ${l.items.length} most late are listed; narrow the period or pick a department for the rest.` : ''}
          </p>
          <DeliveryTable items={l.items} caption={words} name={name} />
        </>
      )}
    </>
  );
}

function DeliveryTable({ items, caption, name }: { items: DeliveryList['items']; caption: string; name: (id?: string) => string }) {
  return (
    // On a phone each delivery is a card (styles.css, .card-rows); the roles keep it a table to screen readers.
    <div class="table-wrap">
      <table class="card-rows kpi-deliveries" role="table">
        <caption class="visually-hidden">{caption}, most late first</caption>
        <thead role="rowgroup">
          <tr role="row">
            <th scope="col" role="columnheader">Task</th>
            <th scope="col" role="columnheader">Project</th>
            <th scope="col" role="columnheader">Client</th>
            <th scope="col" role="columnheader">Department</th>
            <th scope="col" role="columnheader">Due</th>
            <th scope="col" role="columnheader">Delivered</th>
            <th scope="col" role="columnheader">Late by</th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {items.map((d) => (
            <tr key={d.taskId} role="row">
              <th scope="row" role="rowheader">
                <Link href={`/tasks/${d.taskId}`}>{d.taskTitle}</Link>
              </th>
              <td role="cell" data-label="Project">
                <Link href={`/projects/${d.projectId}`}>{d.projectTitle}</Link>
              </td>
              <td role="cell" data-label="Client">
                {d.clientName}
              </td>
              <td role="cell" data-label="Department">
                {DEPARTMENT_LABEL[d.department]}
              </td>
              <td role="cell" data-label="Due">
                <time dateTime={d.dueAt}>{formatDateTime(d.dueAt)}</time>
              </td>
              <td role="cell" data-label="Delivered">
                <time dateTime={d.deliveredAt}>{formatDateTime(d.deliveredAt)}</time>
                {d.deliveredBy && <span class="muted"> by {name(d.deliveredBy)}</span>}
              </td>
              <td role="cell" data-label="Late by">
                {d.late ? <strong>{lateInWords(Date.parse(d.deliveredAt) - Date.parse(d.dueAt))}</strong> : <Badge tone="good">On time</Badge>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
