/**
 * The work in hand behind a workload figure of the KPI page: the open and claimed tasks of a
 * department, or those a person has claimed — the answer to "who is overloaded, and with what?".
 * Reached from the KPI page's "Workload now" charts; its address holds the KPI page's own filters
 * (the manager, segment and department, and the period, kept only for the way back: workload is
 * measured now) and what the figure counted (`assignee`, `state`). It asks the API with the KPI
 * page's scope, so the list has as many tasks and hours as the figure said.
 */
import { api, ok, type Schemas } from '../api';
import { useName, useResource, useSession } from '../data';
import { DEPARTMENT_LABEL, formatDateTime, plural } from '../format';
import { filtersFrom, kpisHref, localDay, periodOf } from '../kpi-period';
import { Link } from '../router';
import { Badge, Due, Loading, PageHeader, ProblemBox } from '../ui';

type WorkloadList = Schemas['KpiWorkloadList'];
type WorkloadState = NonNullable<WorkloadList['scope']['state']>;

const stateFrom = (value: string | null): WorkloadState | undefined => (value === 'open' || value === 'in_work' ? value : undefined);
/** Hours as the KPI page's charts write them: "32.5". */
const hoursOf = (n: number) => Math.round(n * 100) / 100;

/** What the list holds, in the words of the chart it was reached from: "In work", "Open work", "Work in hand". */
const WHAT: Record<WorkloadState | 'both', string> = { open: 'Open work', in_work: 'In work', both: 'Work in hand' };

export function Workload({ query }: { query: URLSearchParams }) {
  const { me } = useSession();
  const name = useName();
  const filters = filtersFrom(query);
  const period = periodOf(filters, localDay(new Date()));
  const assignee = query.get('assignee') || undefined;
  // Anything else in the address goes to the API as typed, for it to name at its field.
  const stateAsked = query.get('state') || undefined;
  const state = stateFrom(query.get('state'));
  const q = {
    ...(filters.managerId && { managerId: filters.managerId }),
    ...(filters.segment && { segment: filters.segment }),
    ...(filters.department && { department: filters.department }),
    ...(assignee && { assignee }),
    ...(stateAsked && { state: stateAsked as WorkloadState }),
  };
  const list = useResource(() => ok(api.GET('/api/reports/kpis/workload', { params: { query: q } })), [new URLSearchParams(q).toString()], 30_000);
  const l = list.data;
  const whose = [assignee && name(assignee), filters.department && DEPARTMENT_LABEL[filters.department]].filter(Boolean).join(', ');
  const title = `${WHAT[state ?? 'both']}${whose ? ` \u2014 ${whose}` : ''}`;
  const back = (
    <Link href={kpisHref(filters, period)} class="button button--secondary">
      Back to the KPIs
    </Link>
  );

  return (
    <>
      <PageHeader title={title} actions={back}>
        {l && (
          <p>
            Now, as of {formatDateTime(l.asOf)}
            {l.scope.managerId ? ` · ${me.person.role === 'manager' ? 'your projects' : `${name(l.scope.managerId)}\u2019s projects`}` : ''}
            {l.scope.segment ? ` · ${l.scope.segment} clients` : ''}
          </p>
        )}
      </PageHeader>

      {list.error && <ProblemBox error={list.error} title="Could not load the work in hand" />}
      {!l ? (
        !list.error && <Loading what="Loading the work in hand" />
      ) : l.total === 0 ? (
        <p class="empty">
          {state === 'open' ? 'No task waits to be claimed' : state === 'in_work' ? 'No task is in work' : 'No task is open or in work'}
          {assignee ? ` for ${name(assignee)}` : ''}
          {filters.department ? ` in ${DEPARTMENT_LABEL[filters.department]}` : ''}
          {l.scope.managerId ? (me.person.role === 'manager' ? ' on your projects' : ` on ${name(l.scope.managerId)}\u2019s projects`) : ''} now.
        </p>
      ) : (
        <>
          <p role="status" class="workload-totals">
            {plural(l.total, 'task')}, {plural(hoursOf(l.totalHours), 'hour')} estimated
            {state === undefined && l.open.tasks > 0 && l.inWork.tasks > 0 ? ` (${hoursOf(l.open.hours)} h open, ${hoursOf(l.inWork.hours)} h in work)` : ''}
            {l.overdue > 0 ? `; ${l.overdue} overdue` : ''}. The most urgent first: overdue, then due soonest.
            {l.items.length < l.total ? ` The ${l.items.length} most urgent are listed; pick a department or a person for the rest.` : ''}
          </p>
          {assignee && l.inWork.hours > l.thresholdHours && (
            // As the KPI page says it: overloaded above the threshold (WORKLOAD_OVERLOAD_HOURS), counting work in hand.
            <p class="workload-overload">
              <Badge tone="bad">Overloaded</Badge> {name(assignee)} has {hoursOf(l.inWork.hours)} h in work, above the overload threshold of {l.thresholdHours} h.
            </p>
          )}
          <WorkloadTable items={l.items} caption={title} name={name} />
        </>
      )}
    </>
  );
}

function WorkloadTable({ items, caption, name }: { items: WorkloadList['items']; caption: string; name: (id?: string) => string }) {
  return (
    // On a phone each task is a card (styles.css, .card-rows); the roles keep it a table to screen readers.
    <div class="table-wrap">
      <table class="card-rows kpi-workload" role="table">
        <caption class="visually-hidden">{caption}, most urgent first</caption>
        <thead role="rowgroup">
          <tr role="row">
            <th scope="col" role="columnheader">Task</th>
            <th scope="col" role="columnheader">Project</th>
            <th scope="col" role="columnheader">Client</th>
            <th scope="col" role="columnheader">Department</th>
            <th scope="col" role="columnheader">In work by</th>
            <th scope="col" role="columnheader">Estimate</th>
            <th scope="col" role="columnheader">Due</th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {items.map((t) => (
            <tr key={t.taskId} role="row">
              <th scope="row" role="rowheader">
                <Link href={`/tasks/${t.taskId}`}>{t.taskTitle}</Link>
              </th>
              <td role="cell" data-label="Project">
                <Link href={`/projects/${t.projectId}`}>{t.projectTitle}</Link>
              </td>
              <td role="cell" data-label="Client">
                {t.clientName}
              </td>
              <td role="cell" data-label="Department">
                {DEPARTMENT_LABEL[t.department]}
              </td>
              <td role="cell" data-label="In work by">
                {t.state === 'in_work' ? (t.assigneeName ?? name(t.assigneeId)) : <Badge tone="neutral">Open, nobody yet</Badge>}
              </td>
              <td role="cell" data-label="Estimate">
                {hoursOf(t.estimateHours)} h
              </td>
              <td role="cell" data-label="Due">
                <Due dueAt={t.dueAt} overdue={t.overdue} labelled />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
