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
import { formatDate, formatDateTime, lateInWords, plural } from '../format';
import { apiQuery, filtersFrom, kpisHref, localDay, periodOf, type FeedbackChoice } from '../kpi-period';
import { Link } from '../router';
import { Badge, Loading, PageHeader, ProblemBox } from '../ui';

type RatingList = Schemas['KpiRatingList'];
type ComplaintList = Schemas['KpiComplaintList'];
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
  const l = list.data;
  // A manager sees their own projects only: their name in the heading would say nothing.
  const ownOnly = me.person.role === 'manager';
  const words = listedInWords(choice, filters.managerId && !ownOnly ? name(filters.managerId) : undefined);
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
            {ownOnly ? ' · your projects' : ''}
            {l.scope.segment ? ` · ${l.scope.segment} clients` : ''}
          </p>
        )}
      </PageHeader>

      {list.error && <ProblemBox error={list.error} title="Could not load the client feedback" />}
      {!l ? (
        !list.error && <Loading what="Loading the client feedback" />
      ) : l.total === 0 ? (
        <p class="empty">{emptyInWords(choice)}</p>
      ) : l.listed === 'ratings' ? (
        <>
          <p role="status">
            {plural(l.total, 'rating')} given in this period, the lowest first
            {l.scope.rating === undefined && l.averageRating !== null ? `; average ${l.averageRating} out of 5` : ''}.
            {l.items.length < l.total ? ` The ${l.items.length} lowest are listed; narrow the period or pick a manager for the rest.` : ''}
          </p>
          <RatingTable items={l.items} caption={words} name={name} />
        </>
      ) : (
        <>
          <p role="status">
            <ComplaintsInWords list={l} figure={l.scope.complaints} />
            {l.items.length < l.total ? ` The first ${l.items.length} are listed; narrow the period or pick a manager for the rest.` : ''}
          </p>
          <ComplaintTable items={l.items} caption={words} name={name} />
        </>
      )}
    </>
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

function RatingTable({ items, caption, name }: { items: RatingList['items']; caption: string; name: (id?: string) => string }) {
  return (
    // On a phone each rating is a card (styles.css, .card-rows); the roles keep it a table to screen readers.
    <div class="table-wrap">
      <table class="card-rows kpi-feedback" role="table">
        <caption class="visually-hidden">{caption}, the lowest first</caption>
        <thead role="rowgroup">
          <tr role="row">
            <th scope="col" role="columnheader">Project</th>
            <th scope="col" role="columnheader">Client</th>
            <th scope="col" role="columnheader">Manager</th>
            <th scope="col" role="columnheader">Rating</th>
            <th scope="col" role="columnheader">Client’s comment</th>
            <th scope="col" role="columnheader">Given</th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {items.map((r) => (
            <tr key={`${r.projectId} ${r.ratedAt}`} role="row">
              <th scope="row" role="rowheader">
                <Link href={`/projects/${r.projectId}`}>{r.projectTitle}</Link>
              </th>
              <td role="cell" data-label="Client">
                {r.clientName} <span class="muted">({r.segment})</span>
              </td>
              <td role="cell" data-label="Manager">
                {name(r.managerId)}
              </td>
              <td role="cell" data-label="Rating">
                {r.rating <= NEGATIVE ? <Badge tone="bad">{r.rating} of 5</Badge> : <strong>{r.rating} of 5</strong>}
              </td>
              <td role="cell" data-label="Comment">
                {r.comment ? <q>{r.comment}</q> : <span class="muted">No comment</span>}
              </td>
              <td role="cell" data-label="Given">
                <time dateTime={r.ratedAt}>{formatDateTime(r.ratedAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ComplaintTable({ items, caption, name }: { items: ComplaintList['items']; caption: string; name: (id?: string) => string }) {
  return (
    <div class="table-wrap">
      <table class="card-rows kpi-feedback" role="table">
        <caption class="visually-hidden">{caption}, the oldest open first</caption>
        <thead role="rowgroup">
          <tr role="row">
            <th scope="col" role="columnheader">Project</th>
            <th scope="col" role="columnheader">Client</th>
            <th scope="col" role="columnheader">Manager</th>
            <th scope="col" role="columnheader">Filed</th>
            <th scope="col" role="columnheader">Resolved</th>
            <th scope="col" role="columnheader">Complaint</th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {items.map((c) => (
            <tr key={`${c.projectId} ${c.filedAt}`} role="row">
              <th scope="row" role="rowheader">
                <Link href={`/projects/${c.projectId}`}>{c.projectTitle}</Link>
              </th>
              <td role="cell" data-label="Client">
                {c.clientName} <span class="muted">({c.segment})</span>
              </td>
              <td role="cell" data-label="Manager">
                {name(c.managerId)}
              </td>
              <td role="cell" data-label="Filed">
                <time dateTime={c.filedAt}>{formatDateTime(c.filedAt)}</time>
              </td>
              <td role="cell" data-label="Resolved">
                {c.resolvedAt !== undefined ? (
                  <>
                    <time dateTime={c.resolvedAt}>{formatDateTime(c.resolvedAt)}</time>
                    {c.hoursToResolve !== undefined && <span class="muted"> (after {hoursInWords(c.hoursToResolve)})</span>}
                  </>
                ) : (
                  <Badge tone="warn">Open {c.openHours !== undefined ? hoursInWords(c.openHours) : ''}</Badge>
                )}
              </td>
              <td role="cell" data-label="Complaint">
                {c.description}
                {c.resolution && <span class="muted"> — resolved: {c.resolution}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
