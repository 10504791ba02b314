/**
 * The ratings and complaints behind the "Clients" figures of the KPI page: which projects' clients
 * rated how, and said what; which complaints were filed, are still open, were resolved — B2C
 * managers are judged on the absence of negative reviews (DOMAIN.md). Reached from the KPI page's
 * rating bars and its complaint counts. Its address holds the KPI page's own filters (the reader's
 * days, manager, segment) and what the figure counted (`rating`, `complaints`), and it asks the API
 * with the KPI page's own query, so the list has as many rows as the figure said.
 */
import { api, ok, type Schemas } from '../api';
import { useName, useResource, useSession } from '../data';
import { clientWithSegment, DrillDownList, DrillDownTable, periodInWords, type DrillDownColumn } from '../drill-down-list';
import { formatDateTime, lateInWords, plural } from '../format';
import { apiQuery, filtersFrom, kpisHref, localDay, periodOf, type FeedbackChoice } from '../kpi-period';
import { Link } from '../router';
import { Badge } from '../ui';

type RatingList = Schemas['KpiRatingList'];
type ComplaintList = Schemas['KpiComplaintList'];
type Rating = RatingList['items'][number];
type Complaint = ComplaintList['items'][number];
type ComplaintFigure = NonNullable<FeedbackChoice['complaints']>;

const HOUR_MS = 3_600_000;
/** A rating of 1 or 2: what the report counts as negative. */
const NEGATIVE = 2;

/** The figure the address asks for; anything else goes to the API as typed, for it to name. */
function choiceFrom(query: URLSearchParams): FeedbackChoice {
  const rating = (query.get('rating') || undefined) as FeedbackChoice['rating'];
  const complaints = (query.get('complaints') || undefined) as FeedbackChoice['complaints'];
  return { ...(rating && { rating }), ...(complaints && { complaints }) };
}

/** Hours as a length of time in words ("4 hours", "16 days"), as the other lists say theirs. */
const hoursInWords = (hours: number): string => lateInWords(Math.round(hours * HOUR_MS));

/** What the list holds, in words: "Ratings of 2 (negative), Anna Petrova", "Complaints still open". */
function listedInWords(choice: FeedbackChoice, managerName: string | undefined): string {
  const what =
    choice.complaints === 'filed'
      ? 'Complaints filed'
      : choice.complaints === 'open'
        ? 'Complaints still open'
        : choice.complaints === 'resolved'
          ? 'Complaints resolved'
          : choice.rating
            ? `Ratings of ${choice.rating}${Number(choice.rating) <= NEGATIVE ? ' (negative)' : ''}`
            : 'Client ratings';
  return [what, managerName].filter(Boolean).join(', ');
}

/** Why the list is empty, in words. */
function emptyInWords(choice: FeedbackChoice): string {
  if (choice.complaints === 'filed') return 'No complaint was filed in this period.';
  if (choice.complaints === 'open') return 'No complaint filed in this period is still open.';
  if (choice.complaints === 'resolved') return 'No complaint was resolved in this period.';
  return choice.rating ? `No client gave a rating of ${choice.rating} in this period.` : 'No client gave a rating in this period.';
}

export function Feedback({ query }: { query: URLSearchParams }) {
  const { me } = useSession();
  const name = useName();
  const filters = filtersFrom(query);
  const period = periodOf(filters, localDay(new Date()));
  const choice = choiceFrom(query);
  const q = { ...apiQuery(filters, period), ...choice };
  const list = useResource(() => ok(api.GET('/api/reports/kpis/feedback', { params: { query: q } })), [new URLSearchParams(q).toString()], 30_000);
  // A manager sees their own projects only: their name in the heading would say nothing.
  const ownOnly = me.person.role === 'manager';
  const words = listedInWords(choice, filters.managerId && !ownOnly ? name(filters.managerId) : undefined);

  return (
    <DrillDownList
      title={words}
      back={kpisHref(filters, period)}
      what="the client feedback"
      list={list}
      scope={(l) => [periodInWords(l.scope), ownOnly && 'your projects', l.scope.segment && `${l.scope.segment} clients`]}
      empty={() => emptyInWords(choice)}
      totals={(l) =>
        l.listed === 'ratings' ? (
          <>
            {plural(l.total, 'rating')} given in this period, the lowest first
            {l.scope.rating === undefined && l.averageRating !== null ? `; average ${l.averageRating} out of 5` : ''}.
          </>
        ) : (
          <ComplaintsInWords list={l} figure={l.scope.complaints} />
        )
      }
      listedWhenCapped={(shown, l) => (l.listed === 'ratings' ? `The ${shown} lowest` : `The first ${shown}`)}
      forTheRest="narrow the period or pick a manager"
      table={(l) =>
        l.listed === 'ratings' ? (
          <DrillDownTable class="kpi-feedback" caption={`${words}, the lowest first`} columns={ratingColumns(name)} items={l.items} rowKey={(r) => `${r.projectId} ${r.ratedAt}`} />
        ) : (
          <DrillDownTable class="kpi-feedback" caption={`${words}, the oldest open first`} columns={complaintColumns(name)} items={l.items} rowKey={(c) => `${c.projectId} ${c.filedAt}`} />
        )
      }
    />
  );
}

/** What the count counts, in the words of the complaint figure the list was reached from. */
function ComplaintsInWords({ list: l, figure }: { list: ComplaintList; figure: ComplaintFigure }) {
  if (figure === 'open') {
    return (
      <>
        {plural(l.total, 'complaint')} filed in this period {l.total === 1 ? 'is' : 'are'} still open, the oldest first (as of {formatDateTime(l.openAsOf)}).
      </>
    );
  }
  if (figure === 'resolved') return <>{plural(l.total, 'complaint')} resolved in this period, whenever filed, the longest to resolve first.</>;
  return <>{plural(l.total, 'complaint')} filed in this period: those still open first, the oldest first, then those resolved, the longest to resolve first.</>;
}

const ratingColumns = (name: (id?: string) => string): DrillDownColumn<Rating>[] => [
  { header: 'Project', cell: (r) => <Link href={`/projects/${r.projectId}`}>{r.projectTitle}</Link> },
  { header: 'Client', cell: clientWithSegment },
  { header: 'Manager', cell: (r) => name(r.managerId) },
  { header: 'Rating', cell: (r) => (r.rating <= NEGATIVE ? <Badge tone="bad">{r.rating} of 5</Badge> : <strong>{r.rating} of 5</strong>) },
  { header: 'Client’s comment', label: 'Comment', cell: (r) => (r.comment ? <q>{r.comment}</q> : <span class="muted">No comment</span>) },
  { header: 'Given', cell: (r) => <time dateTime={r.ratedAt}>{formatDateTime(r.ratedAt)}</time> },
];

const complaintColumns = (name: (id?: string) => string): DrillDownColumn<Complaint>[] => [
  { header: 'Project', cell: (c) => <Link href={`/projects/${c.projectId}`}>{c.projectTitle}</Link> },
  { header: 'Client', cell: clientWithSegment },
  { header: 'Manager', cell: (c) => name(c.managerId) },
  {
    header: 'Filed',
    cell: (c) => (
      <>
        <time dateTime={c.filedAt}>{formatDateTime(c.filedAt)}</time>
        {/* A flaw found late: the completed project ran again for it. */}
        {c.afterWindow && <span class="muted"> (after the complaint window)</span>}
      </>
    ),
  },
  {
    header: 'Resolved',
    cell: (c) =>
      c.resolvedAt !== undefined ? (
        <>
          <time dateTime={c.resolvedAt}>{formatDateTime(c.resolvedAt)}</time>
          {c.hoursToResolve !== undefined && <span class="muted"> (after {hoursInWords(c.hoursToResolve)})</span>}
        </>
      ) : (
        <Badge tone="warn">Open {c.openHours !== undefined ? hoursInWords(c.openHours) : ''}</Badge>
      ),
  },
  {
    header: 'Complaint',
    cell: (c) => (
      <>
        {c.description}
        {c.resolution && <span class="muted"> — resolved: {c.resolution}</span>}
      </>
    ),
  },
];
