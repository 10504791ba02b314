/**
 * The client requests behind a response-time figure of the KPI page: which requests waited how
 * long for their first plan — B2C managers are judged on it (DOMAIN.md). Reached from the KPI
 * page's response charts: a week's requests received or first plans sent, a manager's first plans,
 * the requests still waiting. Its address holds the KPI page's own filters (the reader's days,
 * manager, segment) and what the figure counted (`answered`, `week`, `managerId`), and it asks the
 * API with the KPI page's own query, so the list has as many requests as the figure said and the
 * median of its response times is the figure's.
 */
import { api, ok, type Schemas } from '../api';
import { useName, useResource, useSession } from '../data';
import { clientWithSegment, DrillDownList, DrillDownTable, periodInWords, type DrillDownColumn } from '../drill-down-list';
import { formatDate, formatDateTime, lateInWords, plural } from '../format';
import { apiQuery, filtersFrom, kpisHref, localDay, periodOf } from '../kpi-period';
import { Link } from '../router';
import { Badge } from '../ui';

type ResponseList = Schemas['KpiResponseList'];
type ClientRequest = ResponseList['items'][number];

const HOUR_MS = 3_600_000;
const answeredFrom = (value: string | null): boolean | undefined => (value === 'true' ? true : value === 'false' ? false : undefined);

/**
 * Hours as a length of time in words, as the lists of late work say theirs ("4 hours", "1 hour 42
 * minutes", "3 days"): never longer than it was.
 */
const hoursInWords = (hours: number): string => lateInWords(Math.round(hours * HOUR_MS));

/** What the list holds, in words: "First plans sent, week of 5 Jan 2026, Anna Petrova". */
function listedInWords(answered: boolean | undefined, week: string | undefined, managerName: string | undefined): string {
  const what = answered === true ? 'First plans sent' : answered === false ? 'Requests waiting for a first plan' : 'Requests received';
  return [what, week && `week of ${formatDate(week)}`, managerName].filter(Boolean).join(', ');
}

/** Why the list is empty, in words: "No first plan was sent in this week." */
function emptyInWords(answered: boolean | undefined, week: string | undefined): string {
  const when = week ? 'in this week' : 'in this period';
  if (answered === true) return `No first plan was sent ${when}.`;
  if (answered === false) return `No request received ${when} is still waiting for a first plan.`;
  return `No client request was received ${when}.`;
}

export function Responses({ query }: { query: URLSearchParams }) {
  const { me } = useSession();
  const name = useName();
  const filters = filtersFrom(query);
  const period = periodOf(filters, localDay(new Date()));
  const week = query.get('week') || undefined;
  const answered = answeredFrom(query.get('answered'));
  const q = { ...apiQuery(filters, period), ...(week && { week }), ...(answered !== undefined && { answered: String(answered) as 'true' | 'false' }) };
  const list = useResource(() => ok(api.GET('/api/reports/kpis/responses', { params: { query: q } })), [new URLSearchParams(q).toString()], 30_000);
  // A manager sees their own projects only: their name in the heading would say nothing.
  const ownOnly = me.person.role === 'manager';
  const words = listedInWords(answered, week, filters.managerId && !ownOnly ? name(filters.managerId) : undefined);

  return (
    <DrillDownList
      title={words}
      back={kpisHref(filters, period)}
      what="the requests"
      list={list}
      scope={(l) => [periodInWords(l.scope), ownOnly && 'your projects', l.scope.segment && `${l.scope.segment} clients`]}
      empty={() => emptyInWords(answered, week)}
      totals={(l) => <ListedInWords list={l} answered={answered} week={week} />}
      listedWhenCapped={(shown) => `The ${shown} slowest`}
      forTheRest="narrow the period or pick a manager"
      table={(l) => <DrillDownTable class="kpi-responses" caption={`${words}, slowest first`} columns={requestColumns(name)} items={l.items} rowKey={(r) => r.projectId} />}
    />
  );
}

/** What the count and the median count, in the words of the figure the list was reached from. */
function ListedInWords({ list: l, answered, week }: { list: ResponseList; answered: boolean | undefined; week: string | undefined }) {
  const when = week ? 'in this week' : 'in this period';
  const median = l.medianResponseHours === null ? undefined : <strong>{hoursInWords(l.medianResponseHours)}</strong>;
  if (answered === true) {
    return (
      <>
        {plural(l.total, 'first plan')} sent {when}, the slowest first. Median response time from request to first plan: {median}.
      </>
    );
  }
  if (answered === false) {
    return (
      <>
        {plural(l.total, 'request')} received {when} {l.total === 1 ? 'is' : 'are'} still waiting for a first plan, the longest wait first (as of{' '}
        {formatDateTime(l.waitingAsOf)}).
      </>
    );
  }
  return (
    <>
      {plural(l.total, 'request')} received {when}, answered or not, the longest wait first.
      {median && <> Median response time of those answered: {median}.</>}
    </>
  );
}

/** How long the client waited for the first plan, or has waited so far, in words. */
function WaitInWords({ request: r }: { request: ClientRequest }) {
  if (r.responseHours !== undefined) return <strong>{hoursInWords(r.responseHours)}</strong>;
  if (r.waitingHours !== undefined) return <Badge tone="warn">Waiting {hoursInWords(r.waitingHours)} so far</Badge>;
  return <span class="muted">Not answered</span>;
}

const requestColumns = (name: (id?: string) => string): DrillDownColumn<ClientRequest>[] => [
  { header: 'Project', cell: (r) => <Link href={`/projects/${r.projectId}`}>{r.projectTitle}</Link> },
  { header: 'Client', cell: clientWithSegment },
  { header: 'Manager', cell: (r) => name(r.managerId) },
  { header: 'Received', cell: (r) => <time dateTime={r.receivedAt}>{formatDateTime(r.receivedAt)}</time> },
  {
    header: 'First plan',
    cell: (r) => (
      <>
        {r.firstPlanAt !== undefined ? <time dateTime={r.firstPlanAt}>{formatDateTime(r.firstPlanAt)}</time> : r.cancelled ? 'None, cancelled' : 'None yet'}
        {r.cancelled && r.firstPlanAt !== undefined && <span class="muted"> (cancelled since)</span>}
      </>
    ),
  },
  { header: 'Response time', label: 'Response', cell: (r) => <WaitInWords request={r} /> },
];
