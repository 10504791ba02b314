/**
 * The work in hand behind a workload figure of the KPI page: the open and claimed tasks of a
 * department, or those a person has claimed — the answer to "who is overloaded, and with what?".
 * Reached from the KPI page's "Workload now" charts; its address holds the KPI page's own filters
 * (the manager, segment and department, and the period, kept only for the way back: workload is
 * measured now) and what the figure counted (`assignee`, `state`). It asks the API with the KPI
 * page's scope, so the list has as many tasks and hours as the figure said. Reached from the
 * portfolio's "Work of people no longer here", its address holds the portfolio's too (`back`), and
 * the way back leads there.
 *
 * A person's work in hand says when they no longer move it on — gone from the people directory,
 * or no longer department staff — overloaded or not: their tasks wait until each is reassigned.
 */
import { api, ok, type Schemas } from '../api';
import { useName, useResource, useSession } from '../data';
import { DrillDownList, DrillDownTable, type DrillDownColumn } from '../drill-down-list';
import { DEPARTMENT_LABEL, formatDateTime, plural } from '../format';
import { filtersFrom, kpisHref, localDay, periodOf, wayBackFrom, WORKLOAD_WAYS_BACK } from '../kpi-period';
import { ReassignAll } from '../reassign-all';
import { useHolderGone } from '../role-now';
import { Link } from '../router';
import { Badge, Due } from '../ui';

type WorkloadList = Schemas['KpiWorkloadList'];
type WorkloadTask = WorkloadList['items'][number];
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
  const whose = [assignee && name(assignee), filters.department && DEPARTMENT_LABEL[filters.department]].filter(Boolean).join(', ');
  const title = `${WHAT[state ?? 'both']}${whose ? ` \u2014 ${whose}` : ''}`;
  const ownOnly = me.person.role === 'manager';
  const cameFrom = wayBackFrom(query, WORKLOAD_WAYS_BACK);
  const holderGone = useHolderGone();
  /** Why the person whose work this is no longer moves it on, if they do not ("no longer here"). */
  const gone = assignee ? holderGone(assignee) : undefined;

  return (
    <DrillDownList
      title={title}
      // The heading names whose work it is; the totals say how many tasks and hours.
      countInTitle={false}
      back={cameFrom?.href ?? kpisHref(filters, period)}
      backLabel={cameFrom?.label}
      what="the work in hand"
      list={list}
      scope={(l) => [
        `Now, as of ${formatDateTime(l.asOf)}`,
        l.scope.managerId && (ownOnly ? 'your projects' : `${name(l.scope.managerId)}\u2019s projects`),
        l.scope.segment && `${l.scope.segment} clients`,
      ]}
      empty={(l) =>
        [
          state === 'open' ? 'No task waits to be claimed' : state === 'in_work' ? 'No task is in work' : 'No task is open or in work',
          assignee && `for ${name(assignee)}`,
          filters.department && `in ${DEPARTMENT_LABEL[filters.department]}`,
          l.scope.managerId && (ownOnly ? 'on your projects' : `on ${name(l.scope.managerId)}\u2019s projects`),
          'now.',
        ]
          .filter(Boolean)
          .join(' ')
      }
      totalsClass="workload-totals"
      totals={(l) => (
        <>
          {plural(l.total, 'task')}, {plural(hoursOf(l.totalHours), 'hour')} estimated
          {state === undefined && l.open.tasks > 0 && l.inWork.tasks > 0 ? ` (${hoursOf(l.open.hours)} h open, ${hoursOf(l.inWork.hours)} h in work)` : ''}
          {l.overdue > 0 ? `; ${l.overdue} overdue` : ''}. The most urgent first: overdue, then due soonest.
        </>
      )}
      listedWhenCapped={(shown) => `The ${shown} most urgent`}
      forTheRest="pick a department or a person"
      note={(l) => {
        if (!assignee) return null;
        // Leadership gives all of them at once only from the list of every project's (what the API moves then).
        const allAtOnce = state !== 'open' && (ownOnly || (me.person.role === 'leadership' && !l.scope.managerId && !l.scope.segment));
        const waits = gone && l.inWork.tasks > 0 ? ` Their tasks wait until each is reassigned${allAtOnce ? ', from its page or all at once below' : ' from its page'}.` : '';
        // As the KPI page says it: overloaded above the threshold (WORKLOAD_OVERLOAD_HOURS), counting work in hand.
        const said =
          l.inWork.hours > l.thresholdHours ? (
            <p class="workload-overload">
              <Badge tone="bad">Overloaded</Badge> {name(assignee)}
              {gone && ` (${gone})`} has {hoursOf(l.inWork.hours)} h in work, above the overload threshold of {l.thresholdHours} h.{waits}
            </p>
          ) : (
            waits && <p class="workload-holder-gone">{`${name(assignee)} is ${gone}.${waits}`}</p>
          );
        return (
          <>
            {said}
            {/* A task is reassigned by its project's manager or by leadership: the list a manager reads is of their own projects, as the API's reassign-all is; leadership's, of every project. */}
            {allAtOnce && <ReassignAll personId={assignee} inWork={l.inWork.tasks} listed={l.items} everyProject={!ownOnly} onDone={() => void list.reload()} />}
          </>
        );
      }}
      table={(l) => <DrillDownTable class="kpi-workload" caption={`${title}, most urgent first`} columns={workloadColumns(name)} items={l.items} rowKey={(t) => t.taskId} />}
    />
  );
}

const workloadColumns = (name: (id?: string) => string): DrillDownColumn<WorkloadTask>[] => [
  { header: 'Task', cell: (t) => <Link href={`/tasks/${t.taskId}`}>{t.taskTitle}</Link> },
  { header: 'Project', cell: (t) => <Link href={`/projects/${t.projectId}`}>{t.projectTitle}</Link> },
  { header: 'Client', cell: (t) => t.clientName },
  { header: 'Department', cell: (t) => DEPARTMENT_LABEL[t.department] },
  { header: 'In work by', cell: (t) => (t.state === 'in_work' ? (t.assigneeName ?? name(t.assigneeId)) : <Badge tone="neutral">Open, nobody yet</Badge>) },
  { header: 'Estimate', cell: (t) => `${hoursOf(t.estimateHours)} h` },
  { header: 'Due', cell: (t) => <Due dueAt={t.dueAt} overdue={t.overdue} labelled /> },
];
