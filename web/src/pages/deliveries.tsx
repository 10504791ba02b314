/**
 * The deliveries behind a delivery figure of the KPI page: which tasks were delivered late (or on
 * time) in the period, a week of it, a department — the answer to "which ones were late?". Reached
 * from the KPI page's delivery charts; its address holds the KPI page's own filters (the reader's
 * days, manager, segment, department) and what the figure counted (`late`, `week`), and it asks
 * the API with the KPI page's own query, so the list has as many tasks as the figure said.
 */
import { api, ok, type Schemas } from '../api';
import { useName, useResource, useSession } from '../data';
import { DrillDownList, DrillDownTable, periodInWords, type DrillDownColumn } from '../drill-down-list';
import { DEPARTMENT_LABEL, formatDate, formatDateTime, lateInWords, plural } from '../format';
import { apiQuery, filtersFrom, kpisHref, localDay, periodOf } from '../kpi-period';
import { Link } from '../router';
import { Badge } from '../ui';

type DeliveryList = Schemas['KpiDeliveryList'];
type Delivery = DeliveryList['items'][number];

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
  const words = listedInWords(late, week, filters.department);

  return (
    <DrillDownList
      title={words}
      back={kpisHref(filters, period)}
      what="the deliveries"
      list={list}
      scope={(l) => [
        periodInWords(l.scope),
        l.scope.managerId && (me.person.role === 'manager' ? 'your projects' : `${name(l.scope.managerId)}\u2019s projects`),
        l.scope.segment && `${l.scope.segment} clients`,
      ]}
      empty={() =>
        `${[
          'No task was first delivered',
          late === true ? 'late' : late === false ? 'on time' : undefined,
          week ? 'in this week' : 'in this period',
          filters.department && `in ${DEPARTMENT_LABEL[filters.department]}`,
        ]
          .filter(Boolean)
          .join(' ')}.`
      }
      totals={(l) => (
        <>
          {plural(l.total, 'task')} first delivered
          {late === true ? ' after' : late === false ? ' at or before' : ', on time or late, against'} {l.total === 1 ? 'its' : 'their'} original due date (the date before any move), most late
          first.
        </>
      )}
      listedWhenCapped={(shown) => `The ${shown} most late`}
      forTheRest="narrow the period or pick a department"
      table={(l) => <DrillDownTable class="kpi-deliveries" caption={`${words}, most late first`} columns={deliveryColumns(name)} items={l.items} rowKey={(d) => d.taskId} />}
    />
  );
}

const deliveryColumns = (name: (id?: string) => string): DrillDownColumn<Delivery>[] => [
  { header: 'Task', cell: (d) => <Link href={`/tasks/${d.taskId}`}>{d.taskTitle}</Link> },
  { header: 'Project', cell: (d) => <Link href={`/projects/${d.projectId}`}>{d.projectTitle}</Link> },
  { header: 'Client', cell: (d) => d.clientName },
  { header: 'Department', cell: (d) => DEPARTMENT_LABEL[d.department] },
  { header: 'Due', cell: (d) => <time dateTime={d.dueAt}>{formatDateTime(d.dueAt)}</time> },
  {
    header: 'Delivered',
    cell: (d) => (
      <>
        <time dateTime={d.deliveredAt}>{formatDateTime(d.deliveredAt)}</time>
        {d.deliveredBy && <span class="muted"> by {name(d.deliveredBy)}</span>}
      </>
    ),
  },
  {
    header: 'Late by',
    cell: (d) => (d.late ? <strong>{lateInWords(Date.parse(d.deliveredAt) - Date.parse(d.dueAt))}</strong> : <Badge tone="good">On time</Badge>),
  },
];
