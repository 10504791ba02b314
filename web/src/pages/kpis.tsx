/**
 * The KPI dashboard: leadership's questions from DOMAIN.md — response time (B2C), on-time
 * delivery, quality, money invoiced and paid, ratings and complaints, regular clients and spend
 * (B2B), sales-plan fulfilment, who is overloaded — as figures and charts over a period, with the
 * API's own filters (period, manager, segment, department) and the same numbers as CSV. Managers
 * see their own projects. Filters live in the address, so a view can be bookmarked or sent.
 *
 * The period is the reader's days: the address holds the days picked ("2026-12-01" to
 * "2026-12-04", inclusive), and the API gets the reader's own midnights, with their offset, from
 * the first day's start to the start of the day after the last. The header, the fields, the
 * figures and the CSV's name then all speak of the same days, in Berlin, Tokyo or Los Angeles.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, DEPARTMENTS, ok, type Schemas } from '../api';
import { BarChart, RowChart, type Series } from '../charts';
import { useName, useResource, useSession } from '../data';
import { clientRoundsInWords, DEPARTMENT_LABEL, formatDate, formatDateTime, formatMoney, MINUS, overdueInWords, plural, sentBackInWords } from '../format';
import {
  apiQuery,
  deliveriesHref,
  feedbackHref,
  filtersFrom,
  kpisHref,
  localDay,
  moneyHref,
  periodOf,
  responsesHref,
  salesPlanMoneyHref,
  workloadHref,
  type DeliveryChoice,
  type FeedbackChoice,
  type KpiFilters,
  type MoneyChoice,
  type ResponseChoice,
  type WorkloadChoice,
} from '../kpi-period';
import { Link, navigate } from '../router';
import { Badge, Input, Loading, PageHeader, ProblemBox, Section, Select } from '../ui';
import { DrillDownTable, periodInWords } from '../drill-down-list';
import { portfolioHref } from '../portfolio-address';
import { useHolderGone } from '../role-now';

type Kpis = Schemas['KpiReport'];
type Filters = KpiFilters;

/**
 * A date field's value worth asking for: a whole day with a four-digit year. While a year is
 * typed the field passes through 0002, 0020 and 0202 on the way to 2026; those wait.
 */
const wholeDay = (value: string) => /^[1-9]\d{3}-\d{2}-\d{2}$/.test(value);

const pct = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${Math.round(n * 1000) / 10}%`);
/**
 * Hours as people read them, with their unit ("under a minute", "25 min", "3.5 h"): a caption says
 * no unit of its own. Anything short of a minute is "under a minute", 0 too: the report gives hours
 * to two decimals, so a reply within 18 seconds arrives as 0, and a few seconds are not "0 min".
 */
function hours(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n * 60 < 1) return 'under a minute';
  const minutes = Math.round(n * 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.round(n * 10) / 10} h`;
}
/**
 * A week on a chart's axis: "31 Aug" (the year is in the page's period). The page sends the
 * reader's time zone, and the API cuts weeks at Monday 00:00 there: read in the same zone, each
 * week starts on its Monday, summer time or not.
 */
const weekLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const weekName = (weekStart: string) => weekLabel.format(new Date(weekStart));
const num = (n: number) => String(Math.round(n * 100) / 100);

export function Kpis({ query }: { query: URLSearchParams }) {
  const { me, people } = useSession();
  const name = useName();
  const leadership = me.person.role === 'leadership';
  const filters = filtersFrom(query);
  const period = periodOf(filters, localDay(new Date()));
  const q = apiQuery(filters, period);
  const qs = new URLSearchParams(q).toString();
  /** The same figures as CSV, for the same period and filters (every client's spend among them). */
  const csvHref = `/api/reports/kpis.csv${qs ? `?${qs}` : ''}`;
  // What a date field holds while it is being typed, until it is a whole day (or is left).
  const [typed, setTyped] = useState<{ from?: string; to?: string }>({});
  const report = useResource(() => ok(api.GET('/api/reports/kpis', { params: { query: q } })), [qs], 30_000);

  const setFilter = (key: keyof Filters, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(key, value);
    else next.delete(key);
    navigate(`/kpis${next.size ? `?${next}` : ''}`, { replace: true });
  };
  /** A date field's value: asked for at once when it is a whole day, else when the field is left or Enter is pressed. */
  const typeDay = (field: 'from' | 'to', value: string) => {
    if (wholeDay(value)) applyDay(field, value);
    else setTyped((t) => ({ ...t, [field]: value }));
  };
  const applyDay = (field: 'from' | 'to', value: string) => {
    setTyped((t) => ({ ...t, [field]: undefined }));
    if (value !== (filters[field] ?? '')) setFilter(field, value);
  };
  const leaveDay = (target: EventTarget | null) => {
    const field = target === null ? undefined : ({ 'kpi-from': 'from', 'kpi-to': 'to' } as const)[(target as HTMLElement).id];
    const value = field && typed[field];
    if (field && value !== undefined) applyDay(field, value);
  };
  const err = (field: string) => report.error?.at(field);
  // The API names a period that ends before it starts at `from` ("must be before `to`"): said in
  // the words of the two fields, at both.
  const backwards = err('from') !== undefined && /before `to`/.test(err('from')!);
  const dateError = (field: 'from' | 'to') =>
    backwards ? (field === 'from' ? 'must be on or before the Until date' : 'must be on or after the From date') : err(field);
  const r = report.data;

  return (
    <>
      <PageHeader
        title={leadership ? 'KPIs' : 'My KPIs'}
        actions={
          <a class="button button--secondary" href={csvHref} download>
            Download CSV
          </a>
        }
      >
        {r && (
          <p>
            {formatDate(r.scope.from)} – {formatDate(new Date(Date.parse(r.scope.to) - 1).toISOString())}
            {r.scope.managerId ? ` · ${name(r.scope.managerId)}` : ''}
            {r.scope.segment ? ` · ${r.scope.segment}` : ''}
            {r.scope.department ? ` · ${DEPARTMENT_LABEL[r.scope.department]}` : ''}
            {r.asOf && <span class="muted"> · figures as of {formatDateTime(r.asOf)}</span>}
          </p>
        )}
      </PageHeader>
      {/* An empty store (a new agency): where the figures will come from, before a page of dashes and zeros. */}
      {r && r.asOf === null && (
        <p class="callout kpi-nothing-yet">
          Nothing to count yet: the figures start with the first client request opened as a project, and fill in as its plan, work and
          invoices follow.{' '}
          {leadership ? (
            'Managers open projects; their plans come to you under Approvals.'
          ) : (
            <>
              <Link href="/projects/new">Open a project</Link>.
            </>
          )}
        </p>
      )}

      <form
        class="card filters-form"
        aria-label="Filters"
        onSubmit={(e) => e.preventDefault()}
        onFocusOut={(e) => leaveDay(e.target)}
        onKeyDown={(e) => e.key === 'Enter' && leaveDay(e.target)}
        noValidate
      >
        <Input id="kpi-from" label="From" type="date" value={typed.from ?? period.from} onValue={(v) => typeDay('from', v)} error={dateError('from')} />
        <Input id="kpi-to" label="Until (inclusive)" type="date" value={typed.to ?? period.to} onValue={(v) => typeDay('to', v)} error={dateError('to')} />
        {leadership && (
          <Select
            id="kpi-manager"
            label="Manager"
            value={filters.managerId ?? ''}
            onValue={(v) => setFilter('managerId', v)}
            placeholder="Everyone"
            options={[...people.values()].filter((p) => p.role === 'manager').map((p) => ({ value: p.id, label: p.name }))}
            error={err('managerId')}
          />
        )}
        <Select
          id="kpi-segment"
          label="Clients"
          value={filters.segment ?? ''}
          onValue={(v) => setFilter('segment', v)}
          placeholder="B2B and B2C"
          options={[
            { value: 'B2B', label: 'B2B' },
            { value: 'B2C', label: 'B2C' },
          ]}
          error={err('segment')}
        />
        <Select
          id="kpi-department"
          label="Department (task figures)"
          value={filters.department ?? ''}
          onValue={(v) => setFilter('department', v)}
          placeholder="All departments"
          options={DEPARTMENTS.map((d) => ({ value: d, label: DEPARTMENT_LABEL[d] }))}
          error={err('department')}
        />
      </form>

      {report.error && !['from', 'to', 'managerId', 'segment', 'department'].some((f) => err(f)) && <ProblemBox error={report.error} />}
      {!r ? !report.error && <Loading what="Computing the KPIs" /> : <Dashboard report={r} name={name} drill={(choice) => deliveriesHref(filters, period, choice)} toWorkload={(choice) => workloadHref(filters, period, choice)} toResponses={(choice) => responsesHref(filters, period, choice)} toFeedback={(choice) => feedbackHref(filters, period, choice)} toMoney={(choice) => moneyHref(filters, period, choice)} toSalesPlan={(target) => salesPlanMoneyHref(target, kpisHref(filters, period))} toClient={(client) => portfolioHref({ client, manager: filters.managerId, finished: true })} toClients={(clients) => portfolioHref({ clients, manager: filters.managerId, finished: true })} csvHref={csvHref} />}
    </>
  );
}

/** Where a delivery figure leads: the list of the tasks it counts, for the page's period and filters. */
type Drill = (choice: DeliveryChoice) => string;

/** Where a workload figure leads: the list of the tasks in hand it counts, for the page's filters. */
type ToWorkload = (choice: WorkloadChoice) => string;

/** Where a response-time figure leads: the list of the client requests it counts, for the page's period and filters. */
type ToResponses = (choice: ResponseChoice) => string;

/** Where a "Clients" figure leads: the list of the ratings or complaints it counts, for the page's period and filters. */
type ToFeedback = (choice: FeedbackChoice) => string;

/** Where a money figure leads: the list of the invoices or payments it counts, for the page's period and filters. */
type ToMoney = (choice: MoneyChoice) => string;

/** Where a sales-plan target leads: the payments its net paid counts, with the way back to this page and its filters. */
type ToSalesPlan = (target: Kpis['salesPlan'][number]) => string;

/** Where a client's name leads: their projects in the portfolio (the page's manager's, when one is picked). */
type ToClient = (clientId: string) => string;

/** Where a list of clients leads: all their projects together in the portfolio (the page's manager's, when one is picked). */
type ToClients = (clientIds: string[]) => string;

/** The most clients the portfolio takes at once (CLIENT_FILTER_MAX in api/schemas.ts). */
const CLIENTS_TOGETHER_AT_MOST = 100;

function Dashboard(props: {
  report: Kpis;
  name: (id?: string) => string;
  drill: Drill;
  toWorkload: ToWorkload;
  toResponses: ToResponses;
  toFeedback: ToFeedback;
  toMoney: ToMoney;
  toSalesPlan: ToSalesPlan;
  toClient: ToClient;
  toClients: ToClients;
  /** The page's CSV download: what a capped table leaves out is there. */
  csvHref: string;
}) {
  const { report: r, name, drill, toWorkload, toResponses, toFeedback, toMoney, toSalesPlan, toClient, toClients, csvHref } = props;
  // Money is never converted: one section per currency the period saw (EUR's empty charts when none).
  const moneyCurrencies = r.money.totals.length > 0 ? r.money.totals.map((m) => m.currency) : ['EUR'];
  const weeks = r.series.map((w) => weekName(w.weekStart));
  /**
   * A new agency (an empty store): its charts say in words that nothing happened yet rather than
   * draw axes of zeros. A quiet period of an agency at work keeps its charts, weeks and everyone
   * at 0 h: those are its figures.
   */
  const nothingYet = r.asOf === null;

  /** A tile: its figure (a link to the list behind it, with `href`), what it is, and a note (which may hold links of its own). */
  const tiles: { label: string; value: string; href?: string; note?: ComponentChildren; tone?: 'bad' | 'warn' }[] = [
    {
      label: 'Median response time (request to first plan)',
      value: hours(r.responseTime.overall.medianHours),
      note:
        r.responseTime.overall.projects + r.responseTime.awaitingFirstPlan === 0
          ? 'no first plan; no request waiting for one'
          : `${plural(r.responseTime.overall.projects, 'first plan')}; ${plural(r.responseTime.awaitingFirstPlan, 'request')} still without one`,
    },
    {
      label: 'On-time delivery',
      value: pct(r.delivery.overall.onTimeRate),
      // The rate counts deliveries only: work late and not delivered yet would not lower it, so it
      // is said beside it ("100%" while two tasks are overdue read as all is well).
      note: `${r.delivery.overall.delivered === 0 ? 'no task delivered' : `${r.delivery.overall.onTime} of ${r.delivery.overall.delivered} delivered tasks`}${r.workload.totals.overdue > 0 ? `; ${plural(r.workload.totals.overdue, 'task')} overdue now, not delivered yet` : ''}`,
    },
    {
      label: 'Reworked tasks',
      value: pct(r.quality.tasks.reworkRate),
      // Counts tasks accepted in the period only (a task sent back and not accepted again yet is not
      // in it), so the send-backs are said as theirs: "sent back 0 times" alone read as none at all.
      // The manager's send-backs, not "rounds of changes": those are the client's, on the next tile.
      note: sentBackInWords(r.quality.tasks),
    },
    {
      // The client's rounds, against those the plans included: the beyond ones are paid extra.
      label: 'Rounds of changes the clients asked for',
      value: String(r.quality.clientRevisions.roundsUsed),
      note: clientRoundsInWords(r.quality.clientRevisions),
    },
    ...r.money.totals.flatMap((m) => [
      // Invoiced is net of voids and credit notes, so paid is net of the refunds paid out on them:
      // otherwise clients seem to have paid more than they were billed. Called "net paid" as the
      // money charts and the sales plan call it. The money section's charts say how these two nets
      // are made, from the same flows. Each net leads to what it counts, as the charts' bars do:
      // the invoices, voids and credit notes, the payments and refunds; a side without any, nowhere.
      {
        label: `Invoiced, net of voids and credit notes (${m.currency})`,
        value: formatMoney(m.netInvoiced, m.currency),
        href: anyInvoiced(m) ? toMoney({ flow: 'invoiced', currency: m.currency }) : undefined,
        note: (
          <>
            net paid in the period{' '}
            {anyPaid(m) ? (
              <Link href={toMoney({ flow: 'paid', currency: m.currency })} aria-label={`Net paid in the period (${m.currency}): ${formatMoney(m.netPaid, m.currency)}`}>
                {formatMoney(m.netPaid, m.currency)}
              </Link>
            ) : (
              formatMoney(m.netPaid, m.currency)
            )}
            {m.refunded > 0 ? `, after ${formatMoney(m.refunded, m.currency)} refunded` : ''}
          </>
        ),
      },
      {
        label: `Owed by clients now (${m.currency})`,
        value: formatMoney(m.outstanding, m.currency),
        note: `${formatMoney(m.overdue, m.currency)} past due`,
        tone: m.overdue > 0 ? ('bad' as const) : undefined,
      },
      // The other way: refunds the agency owes its clients (credit notes not yet paid out).
      ...(m.refundsOwed > 0
        ? [{ label: `Owed back to clients now (${m.currency})`, value: formatMoney(m.refundsOwed, m.currency), note: 'refunds on credit notes, not yet paid out', tone: 'warn' as const }]
        : []),
    ]),
    { label: 'Client rating', value: r.clients.ratings.average === null ? '—' : `${r.clients.ratings.average} / 5`, note: r.clients.ratings.count === 0 ? 'no rating' : `${plural(r.clients.ratings.count, 'rating')}; ${r.clients.ratings.negative} negative` },
    {
      label: 'Complaints',
      value: String(r.clients.complaints.filed),
      note: `${r.clients.complaints.open} still open`,
      tone: r.clients.complaints.open > 0 ? ('warn' as const) : undefined,
    },
    { label: 'Regular clients', value: String(r.clients.regularClients.count), note: 'two or more projects' },
  ];

  // Everyone of the departments in scope, the most loaded first; those at 0 h are the ones with room.
  const workloadPeople = [...r.workload.byPerson].sort((a, b) => b.claimedHours - a.claimedHours || name(a.personId).localeCompare(name(b.personId)));
  const withRoom = workloadPeople.filter((p) => p.claimedHours === 0).map((p) => name(p.personId));
  const holderGone = useHolderGone();
  /** Someone overloaded, and why they no longer move their work on if they do not: "Lena Smirnova (now in leadership)". */
  const overloadedName = (personId: string): string => {
    const gone = holderGone(personId);
    return gone ? `${name(personId)} (${gone})` : name(personId);
  };

  return (
    <>
      <ul class="tiles tiles--wide" aria-label="Key figures">
        {tiles.map((t) => (
          <li key={t.label} class={`tile${t.tone ? ` tile--${t.tone}` : ''}`}>
            <span class="tile-value">
              {t.href === undefined ? (
                t.value
              ) : (
                // Named with what it is: a list of the page's links reads "Invoiced, net … (EUR): €7,300.00", not "€7,300.00".
                <Link href={t.href} aria-label={`${t.label}: ${t.value}`}>
                  {t.value}
                </Link>
              )}
            </span>
            <span class="tile-label">{t.label}</span>
            {t.note && <span class="tile-label">{t.note}</span>}
          </li>
        ))}
      </ul>

      <div class="kpi-grid">
        <Section title="Response time" id="kpi-response">
          <BarChart
            id="chart-requests"
            title="Requests received and first plans sent, per week"
            summary={`Over ${weeks.length} weeks, ${sum(r.series.map((w) => w.projectsOpened))} requests and ${sum(r.series.map((w) => w.plansSent))} first plans.`}
            categories={weeks}
            categoryName="Week of"
            series={[
              { name: 'Requests', values: r.series.map((w) => w.projectsOpened), tone: 'a' },
              { name: 'First plans', values: r.series.map((w) => w.plansSent), tone: 'b' },
            ]}
            format={num}
            integer
            nothing={nothingYet ? 'No client request received and no first plan sent yet.' : undefined}
            drillTo={(i, series) => {
              const w = r.series[i];
              if (series === 'First plans') return w.plansSent > 0 ? toResponses({ week: w.weekStart, answered: true }) : undefined;
              return w.projectsOpened > 0 ? toResponses({ week: w.weekStart }) : undefined;
            }}
          />
          <RowChart
            id="chart-response-managers"
            categoryName="Manager"
            title="Median response time by manager"
            summary={r.responseTime.byManager.map((m) => `${name(m.managerId)}: ${hours(m.medianHours)}`).join('; ') || 'No first plans in the period.'}
            categories={r.responseTime.byManager.map((m) => name(m.managerId))}
            series={[{ name: 'Median response time', values: r.responseTime.byManager.map((m) => m.medianHours), tone: 'a' }]}
            format={hours}
            // The manager's first plans, the ones their median is taken over.
            drillTo={(i) => toResponses({ managerId: r.responseTime.byManager[i].managerId, answered: true })}
          />
          <ResponseLinks report={r} toResponses={toResponses} />
        </Section>

        <Section title="Delivery" id="kpi-delivery">
          <BarChart
            id="chart-delivery"
            title="Tasks delivered per week: on time and late"
            summary={`${r.delivery.overall.onTime} on time and ${r.delivery.overall.late} late of ${r.delivery.overall.delivered} delivered.`}
            categories={weeks}
            categoryName="Week of"
            stacked
            series={[
              { name: 'On time', values: r.series.map((w) => w.onTime), tone: 'b' },
              { name: 'Late', values: r.series.map((w) => w.late), tone: 'bad' },
            ]}
            format={num}
            integer
            nothing={nothingYet ? 'No task delivered yet.' : undefined}
            drillTo={(i, series) => {
              const w = r.series[i];
              const late = series === 'Late';
              return (late ? w.late : w.onTime) > 0 ? drill({ week: w.weekStart, late }) : undefined;
            }}
          />
          <DeliveryLinks delivery={r.delivery.overall} drill={drill} />
          {/* Nothing yet: the weekly chart has said so; the same words again would be noise. */}
          {!nothingYet && (
            <RowChart
              id="chart-ontime-departments"
              categoryName="Department"
              title="On-time delivery by department (%)"
              summary={r.delivery.byDepartment.map((d) => `${DEPARTMENT_LABEL[d.department]}: ${pct(d.onTimeRate)}`).join('; ') || 'Nothing delivered in the period.'}
              categories={r.delivery.byDepartment.map((d) => DEPARTMENT_LABEL[d.department])}
              series={[
                { name: 'On time (%)', values: r.delivery.byDepartment.map((d) => (d.onTimeRate === null ? null : Math.round(d.onTimeRate * 1000) / 10)), tone: 'b' },
                // The counts the rate is made of, in the numbers table: each leads to its tasks.
                { name: 'Delivered', values: r.delivery.byDepartment.map((d) => d.delivered), tableOnly: true, format: num },
                { name: 'On time', values: r.delivery.byDepartment.map((d) => d.onTime), tableOnly: true, format: num },
                { name: 'Late', values: r.delivery.byDepartment.map((d) => d.late), tableOnly: true, format: num },
              ]}
              format={(n) => `${num(n)}%`}
              drillTo={(i, series) => {
                const d = r.delivery.byDepartment[i];
                if (series === 'Late') return d.late > 0 ? drill({ department: d.department, late: true }) : undefined;
                if (series === 'On time') return d.onTime > 0 ? drill({ department: d.department, late: false }) : undefined;
                return drill({ department: d.department });
              }}
            />
          )}
          <LateByDepartment byDepartment={r.delivery.byDepartment} drill={drill} />
        </Section>

        {moneyCurrencies.map((currency, i) => (
          <MoneySection key={currency} report={r} currency={currency} weeks={weeks} name={name} first={i === 0} toMoney={toMoney} nothingYet={nothingYet} />
        ))}

        <Section title="Clients" id="kpi-clients">
          <BarChart
            id="chart-ratings"
            categoryName="Rating"
            title="Client ratings"
            summary={`${plural(r.clients.ratings.count, 'rating')}, average ${r.clients.ratings.average ?? 'none'}.`}
            categories={['1', '2', '3', '4', '5']}
            series={[
              {
                name: 'Ratings',
                values: (['1', '2', '3', '4', '5'] as const).map((k) => r.clients.ratings.distribution[k]),
                tone: 'a',
              },
            ]}
            format={num}
            integer
            nothing={nothingYet ? 'No client has rated the work yet.' : undefined}
            // Each bar leads to its ratings: which projects, and what the clients said.
            drillTo={(i) => {
              const rating = (['1', '2', '3', '4', '5'] as const)[i];
              return r.clients.ratings.distribution[rating] > 0 ? toFeedback({ rating }) : undefined;
            }}
          />
          {r.clients.complaints.filed + r.clients.complaints.resolved + r.clients.complaints.open === 0 ? (
            <p>No complaints in the period.</p>
          ) : (
            <p>
              Complaints: <ComplaintCount count={r.clients.complaints.filed} figure="filed" toFeedback={toFeedback} />,{' '}
              <ComplaintCount count={r.clients.complaints.resolved} figure="resolved" toFeedback={toFeedback} />
              {/* A median of none is no figure: "(median — to resolve)". */}
              {r.clients.complaints.resolved > 0 && ` (median ${hours(r.clients.complaints.medianHoursToResolve)} to resolve)`},{' '}
              <ComplaintCount count={r.clients.complaints.open} figure="open" toFeedback={toFeedback} />.
            </p>
          )}
          <FeedbackByManager clients={r.clients} name={name} toFeedback={toFeedback} />
          {r.clients.regularClients.items.length > 0 && (
            <>
              <h3>Regular clients</h3>
              <ul>
                {r.clients.regularClients.items.map((c) => (
                  <li key={c.clientId}>
                    <Link href={toClient(c.clientId)}>{c.clientName}</Link> ({c.segment}): {plural(c.projects, 'project')}
                  </li>
                ))}
              </ul>
              {/* All of them at once: the portfolio narrowed to these clients, finished projects too (as a name's link). */}
              <p class="kpi-regular-together">
                {r.clients.regularClients.items.length <= CLIENTS_TOGETHER_AT_MOST ? (
                  <Link href={toClients(r.clients.regularClients.items.map((c) => c.clientId))}>
                    {r.clients.regularClients.items.length > 1 ? `See the projects of these ${r.clients.regularClients.items.length} clients together` : 'See their projects'}
                  </Link>
                ) : (
                  `The portfolio takes ${CLIENTS_TOGETHER_AT_MOST} clients at once: open each by their name.`
                )}
              </p>
            </>
          )}
          <ClientSpend spend={r.clients.spend} toMoney={toMoney} toClient={toClient} csvHref={csvHref} />
        </Section>

        <Section title="Workload now" id="kpi-workload">
          <RowChart
            id="chart-workload-departments"
            categoryName="Department"
            title="Estimated hours by department: open and in work"
            summary={r.workload.byDepartment.map((d) => `${DEPARTMENT_LABEL[d.department]}: ${d.openHours} h open, ${d.claimedHours} h in work`).join('; ') || 'No open work.'}
            categories={r.workload.byDepartment.map((d) => DEPARTMENT_LABEL[d.department])}
            series={[
              { name: 'Open', values: r.workload.byDepartment.map((d) => d.openHours), tone: 'a' },
              { name: 'In work', values: r.workload.byDepartment.map((d) => d.claimedHours), tone: 'c' },
            ]}
            format={(n) => `${num(n)} h`}
            drillTo={(i, series) => {
              const d = r.workload.byDepartment[i];
              if (series === 'Open') return d.open > 0 ? toWorkload({ department: d.department, state: 'open' }) : undefined;
              return d.claimed > 0 ? toWorkload({ department: d.department, state: 'in_work' }) : undefined;
            }}
          />
          <RowChart
            id="chart-workload-people"
            categoryName="Person"
            title="Hours in work per person"
            summary={
              workloadPeople.length === 0
                ? 'Nobody in these departments.'
                : `${r.workload.overloaded.length} overloaded above ${r.workload.thresholdHours} h: ${r.workload.overloaded.map(overloadedName).join(', ') || 'nobody'}. ` +
                  `Nothing in hand: ${withRoom.join(', ') || 'nobody'}.`
            }
            categories={workloadPeople.map((p) => name(p.personId))}
            series={[{ name: 'Hours in work', values: workloadPeople.map((p) => p.claimedHours), tone: 'c' }]}
            threshold={{ value: r.workload.thresholdHours, label: `overload ${r.workload.thresholdHours} h` }}
            format={(n) => `${num(n)} h`}
            nothing={nothingYet ? 'Nobody has work in hand yet.' : undefined}
            drillTo={(i) => {
              const p = workloadPeople[i];
              return p.claimed > 0 ? toWorkload({ assignee: p.personId, state: 'in_work' }) : undefined;
            }}
          />
          {r.workload.overloaded.length > 0 && (
            <p class="kpi-overloaded">
              <Badge tone="bad">Overloaded</Badge>{' '}
              {r.workload.overloaded.flatMap((p, i) => [
                i === 0 ? '' : ', ',
                <Link key={p} href={toWorkload({ assignee: p, state: 'in_work' })}>
                  {name(p)}
                </Link>,
                holderGone(p) && ` (${holderGone(p)})`,
              ])}
              {/* Their claimed work stays theirs: not someone to plan around, but work to hand to someone who is. */}
              {r.workload.overloaded.some((p) => holderGone(p)) && '. Someone no longer here, or no longer department staff, keeps their tasks in work until each is reassigned: their name leads to those tasks.'}
            </p>
          )}
          <WorkloadLinks totals={r.workload.totals} toWorkload={toWorkload} />
        </Section>

        {r.salesPlan.length > 0 && (
          <Section title="Sales plan" id="kpi-sales">
            <RowChart
              id="chart-sales"
              categoryName="Manager and period"
              title="Sales-plan fulfilment (%)"
              summary={r.salesPlan
                .map((s) => `${name(s.managerId)} ${s.period}: ${pct(s.fulfilment)}, ${formatMoney(s.paid, s.currency)} net paid of ${formatMoney(s.target, s.currency)}`)
                .join('; ')}
              // The API's `paid` here is payments less refunds: what the money figures call net paid.
              note="Net paid (payments less refunds) on the manager’s projects over the target’s whole period, against the target."
              categories={r.salesPlan.map((s) => `${name(s.managerId)} · ${s.period}`)}
              series={[{ name: 'Fulfilment (%)', values: r.salesPlan.map((s) => Math.round(s.fulfilment * 1000) / 10), tone: 'b' }]}
              threshold={{ value: 100, label: 'target' }}
              format={(n) => `${num(n)}%`}
              // A target's bar and its cell lead to the payments its net paid counts, as on the sales
              // plan page, and back here; nothing paid yet, nothing to list (bars at 0 lead nowhere).
              drillTo={(i) => (r.salesPlan[i].paid !== 0 ? toSalesPlan(r.salesPlan[i]) : undefined)}
            />
          </Section>
        )}
      </div>
    </>
  );
}

/**
 * The period's delivery figures as links to their tasks, under the weekly chart, where everyone
 * sees them (each week's are its bars and its cells in "The numbers").
 */
function DeliveryLinks({ delivery: d, drill }: { delivery: Kpis['delivery']['overall']; drill: Drill }) {
  if (d.delivered === 0) return null;
  const links = [
    d.late > 0 && (
      <Link key="late" href={drill({ late: true })}>
        {plural(d.late, 'late delivery', 'late deliveries')}
      </Link>
    ),
    d.onTime > 0 && (
      <Link key="on-time" href={drill({ late: false })}>
        {d.onTime} on time
      </Link>
    ),
    <Link key="all" href={drill({})}>
      all {plural(d.delivered, 'delivery', 'deliveries')}
    </Link>,
  ].filter(Boolean);
  return (
    <p class="drill-links">
      Which tasks: {links.flatMap((link, i) => (i === 0 ? [link] : [' · ', link]))}. A week’s are behind its bars and in “The numbers”.
    </p>
  );
}

/**
 * The period's response-time figures as links to their client requests, under the charts, where
 * everyone sees them (a week's are its bars, a manager's their row, and their cells in "The numbers").
 */
function ResponseLinks({ report: r, toResponses }: { report: Kpis; toResponses: ToResponses }) {
  const sent = r.responseTime.overall.projects;
  const waiting = r.responseTime.awaitingFirstPlan;
  const received = sum(r.series.map((w) => w.projectsOpened));
  if (sent + waiting + received === 0) return null;
  const links = [
    sent > 0 && (
      <Link key="sent" href={toResponses({ answered: true })}>
        {plural(sent, 'first plan')} sent
      </Link>
    ),
    waiting > 0 && (
      <Link key="waiting" href={toResponses({ answered: false })}>
        {waiting} still waiting
      </Link>
    ),
    received > 0 && (
      <Link key="received" href={toResponses({})}>
        all {plural(received, 'request')} received
      </Link>
    ),
  ].filter(Boolean);
  return (
    <p class="drill-links">
      See the requests: {links.flatMap((link, i) => (i === 0 ? [link] : [' · ', link]))}. A week’s are behind its bars, a manager’s behind their row, and in “The numbers”.
    </p>
  );
}

/** A complaint count of the "Clients" section ("2 open"): a link to its complaints when there are any. */
function ComplaintCount({ count, figure, toFeedback }: { count: number; figure: NonNullable<FeedbackChoice['complaints']>; toFeedback: ToFeedback }) {
  if (count === 0) return <>{`${count} ${figure}`}</>;
  return <Link href={toFeedback({ complaints: figure })}>{`${count} ${figure}`}</Link>;
}

type RatingStats = Omit<Kpis['clients']['ratingsByManager'][number], 'managerId'>;
type ComplaintStats = Omit<Kpis['clients']['complaintsByManager'][number], 'managerId'>;
const NO_RATINGS: RatingStats = { count: 0, average: null, negative: 0, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } };
const NO_COMPLAINTS: ComplaintStats = { filed: 0, open: 0, resolved: 0, averageHoursToResolve: null, medianHoursToResolve: null };
/** The ratings the feedback page calls negative, each value its own list. */
const NEGATIVE_RATINGS = ['1', '2'] as const;

/**
 * Whose clients rate low or complain (B2C managers are judged on the absence of negative
 * reviews): each manager's ratings, average, negative ratings, complaints filed and still open,
 * each count a link to its ratings or complaints. A manager's report holds their row alone, as
 * does one filtered to a manager: a table of one row would only repeat the figures above, so it
 * shows from two managers on. On a phone each manager is a card (styles.css, .card-rows).
 */
function FeedbackByManager({ clients, name, toFeedback }: { clients: Kpis['clients']; name: (id?: string) => string; toFeedback: ToFeedback }) {
  const ids = [...new Set([...clients.ratingsByManager.map((m) => m.managerId), ...clients.complaintsByManager.map((m) => m.managerId)])];
  if (ids.length < 2) return null;
  const managers = ids
    .map((managerId) => ({
      managerId,
      ratings: clients.ratingsByManager.find((m) => m.managerId === managerId) ?? NO_RATINGS,
      complaints: clients.complaintsByManager.find((m) => m.managerId === managerId) ?? NO_COMPLAINTS,
    }))
    .sort((a, b) => name(a.managerId).localeCompare(name(b.managerId)));
  /** A count as a link to what it counts (named with its manager and column for a list of links); 0 leads nowhere. */
  const count = (managerId: string, column: string, n: number, choice: FeedbackChoice, shown = String(n)) =>
    n === 0 ? (
      shown
    ) : (
      <Link href={toFeedback({ ...choice, managerId })} aria-label={`${name(managerId)}, ${column}: ${shown}`}>
        {shown}
      </Link>
    );
  return (
    <>
      <h3 id="kpi-clients-managers">By manager</h3>
      <div class="table-wrap">
        <table class="card-rows feedback-by-manager" role="table" aria-labelledby="kpi-clients-managers">
          <thead role="rowgroup">
            <tr role="row">
              <th scope="col" role="columnheader">Manager</th>
              <th scope="col" role="columnheader" class="num">Ratings</th>
              <th scope="col" role="columnheader" class="num">Average</th>
              <th scope="col" role="columnheader">Negative (1–2)</th>
              <th scope="col" role="columnheader" class="num">Complaints</th>
              <th scope="col" role="columnheader" class="num">Open</th>
            </tr>
          </thead>
          <tbody role="rowgroup">
            {managers.map(({ managerId, ratings, complaints }) => {
              // The list takes one rating value at a time: the negative count is said per value, each its own link.
              const negative = NEGATIVE_RATINGS.filter((v) => ratings.distribution[v] > 0);
              return (
                <tr key={managerId} role="row">
                  <th scope="row" role="rowheader">
                    {name(managerId)}
                  </th>
                  <td role="cell" data-label="Ratings" class="num">
                    {count(managerId, 'ratings', ratings.count, {})}
                  </td>
                  <td role="cell" data-label="Average" class="num">
                    {ratings.average === null ? '—' : `${ratings.average} / 5`}
                  </td>
                  <td role="cell" data-label="Negative">
                    {negative.length === 0
                      ? '0'
                      : negative.flatMap((v, i) => [
                          i === 0 ? '' : ' · ',
                          <span key={v} class="nowrap">
                            {count(managerId, `ratings of ${v}`, ratings.distribution[v], { rating: v }, `${ratings.distribution[v]} rated ${v}`)}
                          </span>,
                        ])}
                  </td>
                  <td role="cell" data-label="Complaints" class="num">
                    {count(managerId, 'complaints filed', complaints.filed, { complaints: 'filed' })}
                  </td>
                  <td role="cell" data-label="Open" class="num">
                    {count(managerId, 'complaints still open', complaints.open, { complaints: 'open' })}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The most clients the spend table draws in each currency; the API and the CSV have them all. */
const CLIENT_SPEND_ROWS = 20;

type ClientSpendRow = Kpis['clients']['spend']['byClient'][number];

/**
 * Growth against the previous period as people say it: "+80%", "−5%" (a minus sign, not a hyphen).
 * The API takes none from a previous spend of 0 or below: "new" for a client who spent nothing
 * before and something now; "—" otherwise (nothing in either period, a net credit now, or one
 * before: a client credited last period is not new).
 */
function growthInWords({ growth, spend, previousSpend }: { growth: number | null; spend: number; previousSpend: number }): string {
  if (growth === null) return previousSpend === 0 && spend > 0 ? 'new' : '—';
  const percent = Math.round(growth * 1000) / 10;
  return percent > 0 ? `+${percent}%` : percent < 0 ? `${MINUS}${-percent}%` : '0%';
}

/**
 * Client spend and its growth (the B2B KPIs): each client's net invoiced in the period and in the
 * one before it of the same length, and their projects opened in each; per currency (money is
 * never converted) the biggest spenders first, at most CLIENT_SPEND_ROWS of them, and the totals
 * above. A client's spend leads to the invoices, voids and credit notes it is made of (their net is
 * the spend), their name to their projects in the portfolio. On a phone each client is a card.
 * Those beyond CLIENT_SPEND_ROWS are in the page's CSV, which the line saying so downloads.
 */
function ClientSpend({ spend, toMoney, toClient, csvHref }: { spend: Kpis['clients']['spend']; toMoney: ToMoney; toClient: ToClient; csvHref: string }) {
  if (spend.byClient.length === 0) return null;
  const currencies = [...new Set(spend.byClient.map((c) => c.currency))].sort();
  const biggestFirst = (a: ClientSpendRow, b: ClientSpendRow) => b.spend - a.spend || b.previousSpend - a.previousSpend || a.clientName.localeCompare(b.clientName);
  const byCurrency = currencies.map((currency) => spend.byClient.filter((c) => c.currency === currency).sort(biggestFirst));
  const shown = byCurrency.flatMap((clients) => clients.slice(0, CLIENT_SPEND_ROWS));
  const leftOut = spend.byClient.length - shown.length;
  const previous = periodInWords({ from: spend.previousFrom, to: spend.previousTo });
  return (
    <>
      <h3 id="kpi-clients-spend">Client spend</h3>
      <p class="client-spend-note">
        Net invoiced to each client (invoices less voids and credit notes) in the period and in the previous period of the same length ({previous}), each amount in
        its currency; projects opened in each, this / previous. Growth is taken against a previous spend above 0: “new” is a client who spent nothing before.
      </p>
      <ul class="client-spend-totals" aria-label="Client spend, all clients">
        {spend.totals.map((t) => (
          <li key={t.currency}>
            All clients ({t.currency}): {formatMoney(t.spend, t.currency)}, previous period {formatMoney(t.previousSpend, t.currency)}
            {t.growth === null ? '' : ` (${growthInWords(t)})`}
          </li>
        ))}
      </ul>
      <DrillDownTable<ClientSpendRow>
        class="client-spend"
        caption="Client spend: each client's net invoiced this period and the previous one, the biggest first in each currency"
        rowKey={(c) => `${c.clientId} ${c.currency}`}
        items={shown}
        columns={[
          {
            header: 'Client',
            cell: (c) => (
              <>
                <Link href={toClient(c.clientId)}>{c.clientName}</Link> <span class="muted">({c.segment})</span>
              </>
            ),
          },
          {
            header: 'This period',
            class: 'num',
            cell: (c) =>
              c.spend === 0 ? (
                formatMoney(c.spend, c.currency)
              ) : (
                // Named with its client for a list of the page's links: "ACME Ltd, spend this period: €6,500.00".
                <Link href={toMoney({ flow: 'invoiced', currency: c.currency, clientId: c.clientId })} aria-label={`${c.clientName}, spend this period: ${formatMoney(c.spend, c.currency)}`}>
                  {formatMoney(c.spend, c.currency)}
                </Link>
              ),
          },
          { header: 'Previous period', label: 'Previous', class: 'num', cell: (c) => formatMoney(c.previousSpend, c.currency) },
          { header: 'Growth', class: 'num', cell: growthInWords },
          { header: 'Projects', class: 'num', cell: (c) => `${c.projects} / ${c.previousProjects}` },
        ]}
      />
      {leftOut > 0 && (
        <p class="muted">
          The {CLIENT_SPEND_ROWS} biggest spenders in each currency are shown; {leftOut} more {leftOut === 1 ? 'client is' : 'clients are'} in{' '}
          <a href={csvHref} download>
            the CSV
          </a>
          .
        </p>
      )}
    </>
  );
}

/** Where the late work was, a department at a glance: each count leads to its tasks. */
function LateByDepartment({ byDepartment, drill }: { byDepartment: Kpis['delivery']['byDepartment']; drill: Drill }) {
  const late = byDepartment.filter((d) => d.late > 0);
  if (late.length === 0) return null;
  return (
    <p class="drill-links">
      Late, by department:{' '}
      {late.flatMap((d, i) => [
        i === 0 ? '' : ' · ',
        <Link key={d.department} href={drill({ department: d.department, late: true })}>
          {DEPARTMENT_LABEL[d.department]}: {d.late} late
        </Link>,
      ])}
    </p>
  );
}

/**
 * The work in hand as a link to its tasks, under the workload charts, where everyone sees it (a
 * department's and a person's are behind their bars and in "The numbers").
 */
function WorkloadLinks({ totals: t, toWorkload }: { totals: Kpis['workload']['totals']; toWorkload: ToWorkload }) {
  const tasks = t.open + t.claimed;
  if (tasks === 0) return null;
  return (
    <p class="drill-links">
      <Link href={toWorkload({})}>See the work in hand</Link>: {plural(tasks, 'task')}, {num(t.openHours + t.claimedHours)} h
      {t.overdue > 0 ? `, ${t.overdue} overdue` : ''}, the most urgent first. A department’s and a person’s are behind their bars and in “The numbers”.
    </p>
  );
}

type Flows = Pick<Kpis['money']['totals'][number], 'invoiced' | 'voided' | 'credited' | 'netInvoiced' | 'paid' | 'refunded' | 'netPaid'>;
/** Whether the invoiced side has anything in it (its list is not empty; its net can be 0 all the same). */
const anyInvoiced = (m: Flows): boolean => m.invoiced !== 0 || m.voided !== 0 || m.credited !== 0;
/** Whether the paid side has anything in it (its list is not empty; its net can be 0 all the same). */
const anyPaid = (m: Flows): boolean => m.paid !== 0 || m.refunded !== 0;
const FLOW_NAMES = ['invoiced', 'voided', 'credited', 'netInvoiced', 'paid', 'refunded', 'netPaid'] as const;
const NO_FLOWS: Flows = { invoiced: 0, voided: 0, credited: 0, netInvoiced: 0, paid: 0, refunded: 0, netPaid: 0 };
/** Flows added up, field by field (weeks into the period, managers into everyone). */
const addFlows = (rows: Flows[]): Flows => Object.fromEntries(FLOW_NAMES.map((f) => [f, sum(rows.map((m) => m[f]))])) as Flows;

/**
 * How the tile's two nets are made: "invoiced €8,200.00, less €900.00 voided and €100.00 credited:
 * €7,200.00 net; paid €7,800.00, less €100.00 refunded: €7,700.00 net paid".
 */
function netsInWords(m: Flows, money: (n: number) => string): string {
  const takenBack = [m.voided > 0 && `${money(m.voided)} voided`, m.credited > 0 && `${money(m.credited)} credited`].filter(Boolean);
  const invoiced = takenBack.length > 0 ? `invoiced ${money(m.invoiced)}, less ${takenBack.join(' and ')}: ${money(m.netInvoiced)} net` : `invoiced ${money(m.netInvoiced)}, nothing voided or credited`;
  const paid = m.refunded > 0 ? `paid ${money(m.paid)}, less ${money(m.refunded)} refunded: ${money(m.netPaid)} net paid` : `paid ${money(m.netPaid)}, nothing refunded`;
  return `${invoiced}; ${paid}`;
}

/**
 * Money in one currency: invoiced and paid per week and per manager. The bars are the gross flows
 * (a net can be negative: a week or a manager with only a void), side by side; the nets are in
 * the numbers tables, and each chart says how its flows add up to the tile's nets. The invoices
 * past due (every currency, each amount in its own) go under the first currency's section.
 */
function MoneySection(props: { report: Kpis; currency: string; weeks: string[]; name: (id?: string) => string; first: boolean; toMoney: ToMoney; nothingYet: boolean }) {
  const { report: r, currency, weeks, name, first, toMoney, nothingYet } = props;
  const money = (n: number) => formatMoney(n, currency);
  const weekly = r.series.map((w) => w.money.find((m) => m.currency === currency) ?? NO_FLOWS);
  const managers = r.money.byManager.filter((m) => m.currency === currency);
  // Money taken back is rare: when there is none, its bars (all 0) stay out of the drawing, not the table.
  const drawnIfAny = (s: Series): Series => (s.values.some((v) => v !== 0) ? s : { ...s, tableOnly: true });
  const flowSeries = (rows: Flows[]): Series[] => [
    { name: 'Invoiced', values: rows.map((m) => m.invoiced), tone: 'a' },
    drawnIfAny({ name: 'Voided or credited', values: rows.map((m) => m.voided + m.credited), tone: 'bad' }),
    { name: 'Net invoiced', values: rows.map((m) => m.netInvoiced), tableOnly: true },
    { name: 'Paid', values: rows.map((m) => m.paid), tone: 'b' },
    drawnIfAny({ name: 'Refunded', values: rows.map((m) => m.refunded), tone: 'c' }),
    { name: 'Net paid', values: rows.map((m) => m.netPaid), tableOnly: true },
  ];
  const overManagers = addFlows(managers);
  /**
   * Where a bar or a numbers cell leads: the invoices, voids and credit notes behind the invoiced
   * series, the payments and refunds behind the paid ones, in this currency; nowhere when the
   * side has no money in it (bars at 0 lead nowhere).
   */
  const drillFlow = (m: Flows, series: string, choice: Omit<MoneyChoice, 'flow' | 'currency'>): string | undefined => {
    const flow = PAID_SERIES.has(series) ? 'paid' : 'invoiced';
    const value = { Invoiced: m.invoiced, 'Voided or credited': m.voided + m.credited, Paid: m.paid, Refunded: m.refunded }[series];
    const any = flow === 'paid' ? anyPaid(m) : anyInvoiced(m);
    return (value === undefined ? any : value !== 0) ? toMoney({ flow, currency, ...choice }) : undefined;
  };
  // The first section keeps the plain ids (links and tests name them); the others add their currency.
  const suffix = first ? '' : `-${currency}`;
  return (
    <Section title={`Money (${currency})`} id={`kpi-money${suffix}`}>
      <BarChart
        id={`chart-money${suffix}`}
        title={`Invoiced and paid per week (${currency})`}
        summary={`Invoiced, voided or credited, paid and refunded in each of ${plural(weeks.length, 'week')}.`}
        note={`Over the period, ${netsInWords(addFlows(weekly), money)} \u2014 as on the ${currency} tile above.`}
        categories={weeks}
        categoryName="Week of"
        series={flowSeries(weekly)}
        format={(n) => money(n)}
        nothing={nothingYet ? 'Nothing invoiced or paid yet.' : undefined}
        drillTo={(i, series) => drillFlow(weekly[i], series, { week: r.series[i].weekStart })}
      />
      {/* Nothing yet: the weekly chart has said so. */}
      {!nothingYet && (
        <RowChart
          id={`chart-money-managers${suffix}`}
          categoryName="Manager"
          title={`Invoiced and paid by manager (${currency})`}
          summary={managers.map((m) => `${name(m.managerId)}: ${money(m.netInvoiced)} net invoiced, ${money(m.netPaid)} net paid`).join('; ') || 'Nothing invoiced or paid in the period.'}
          note={`All managers together: ${money(overManagers.netInvoiced)} net invoiced and ${money(overManagers.netPaid)} net paid, as on the ${currency} tile; each manager\u2019s under \u201cThe numbers\u201d. Paid counts the payments received in the period for invoices of any date, so it can exceed what was invoiced in it.`}
          categories={managers.map((m) => name(m.managerId))}
          series={flowSeries(managers)}
          format={(n) => money(n)}
          drillTo={(i, series) => drillFlow(managers[i], series, { managerId: managers[i].managerId })}
        />
      )}
      <MoneyLinks flows={overManagers} currency={currency} toMoney={toMoney} />
      {first && r.money.overdueReceivables.items.length > 0 && (
        <>
          <h3>Invoices past due</h3>
          <ul>
            {r.money.overdueReceivables.items.map((i) => (
              <li key={i.invoiceNumber}>
                <Link href={`/projects/${i.projectId}`}>{i.invoiceNumber}</Link> — {i.clientName}: {formatMoney(i.outstanding, i.currency)},{' '}
                <Badge tone="bad">{overdueInWords(i.daysOverdue)}</Badge>
              </li>
            ))}
          </ul>
        </>
      )}
    </Section>
  );
}

/** The series of the paid side: their bars and cells lead to the payments, the others to the invoices. */
const PAID_SERIES: ReadonlySet<string> = new Set(['Paid', 'Refunded', 'Net paid']);

/**
 * The period's money in one currency as links to the invoices and the payments behind it, under
 * the charts, where everyone sees them (a week's and a manager's are behind their bars and in
 * "The numbers").
 */
function MoneyLinks({ flows: m, currency, toMoney }: { flows: Flows; currency: string; toMoney: ToMoney }) {
  const links = [
    anyInvoiced(m) && (
      <Link key="invoiced" href={toMoney({ flow: 'invoiced', currency })}>
        See the invoices
      </Link>
    ),
    anyPaid(m) && (
      <Link key="paid" href={toMoney({ flow: 'paid', currency })}>
        See the payments
      </Link>
    ),
  ].filter(Boolean);
  if (links.length === 0) return null;
  return (
    <p class="drill-links">
      {links.flatMap((link, i) => (i === 0 ? [link] : [' · ', link]))}: who was invoiced and who paid, the newest first. A week’s are behind its bars, a manager’s behind their row, and in “The numbers”.
    </p>
  );
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

