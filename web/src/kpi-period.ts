/**
 * The KPI page's period and filters, shared with the lists behind its figures — deliveries, work in
 * hand, client requests, client ratings and complaints, invoices and payments — so each list asks
 * the API exactly what the page asked, and its figures match to the unit.
 *
 * The period is the reader's days: the address holds the days picked ("2026-12-01" to
 * "2026-12-04", inclusive), and the API gets the reader's own midnights, with their offset, from
 * the first day's start to the start of the day after the last.
 */
import type { Department } from './api';

/** The KPI page's filters, as its address holds them: days of the reader's calendar, `to` inclusive. */
export type KpiFilters = { from?: string; to?: string; managerId?: string; segment?: 'B2B' | 'B2C'; department?: Department };
type Filters = KpiFilters;

/** The days of the default period: the 90 before the last one (today, unless the address says). */
const DEFAULT_PERIOD_DAYS = 90;

const pad = (n: number) => String(n).padStart(2, '0');
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The reader's calendar day of a moment: "2026-12-04". */
export function localDay(at: Date): string {
  return `${String(at.getFullYear()).padStart(4, '0')}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** The reader's midnight starting `day`, or a number of days after it (setFullYear: years below 100 are not 19xx). */
function localMidnight(day: string, daysAfter = 0): Date {
  const [year, month, date] = day.split('-').map(Number);
  const at = new Date(0);
  at.setFullYear(year, month - 1, date + daysAfter);
  at.setHours(0, 0, 0, 0);
  return at;
}

/** A moment as an ISO date-time at the reader's offset: "2026-12-05T00:00:00+09:00" (the API reads the offset). */
function withOffset(at: Date): string {
  const offset = -at.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return `${localDay(at)}T${time}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** The address's filters: days of the reader's calendar, `to` inclusive. */
export function filtersFrom(query: URLSearchParams): Filters {
  const pick = (k: string) => query.get(k) || undefined;
  return {
    from: pick('from'),
    to: pick('to'),
    managerId: pick('managerId'),
    segment: pick('segment') as Filters['segment'],
    department: pick('department') as Filters['department'],
  };
}

/**
 * The days in force: those in the address, else the page's own default, in the reader's days
 * too (the API's default, 90 days up to now, would start at this hour of a day the field cannot
 * show): today, and the 90 days before the last day.
 */
export function periodOf(f: Filters, today: string): { from: string; to: string } {
  const to = f.to ?? today;
  return { from: f.from ?? localDay(localMidnight(DAY_PATTERN.test(to) ? to : today, -DEFAULT_PERIOD_DAYS)), to };
}

/**
 * The reader's time zone, for the API to cut weeks at their Mondays (their midnights move with
 * summer time). A browser that cannot tell says "Etc/Unknown": then the offsets alone are sent.
 */
const READER_TIME_ZONE: string | undefined = Intl.DateTimeFormat().resolvedOptions().timeZone;
const KNOWN_READER_TIME_ZONE = READER_TIME_ZONE && READER_TIME_ZONE !== 'Etc/Unknown' ? READER_TIME_ZONE : undefined;

/**
 * The API's query: the period from the reader's midnight starting its first day to the one
 * ending its last (the API's end is exclusive). Anything that is not a day goes as typed, for the
 * API to name at its field.
 */
export function apiQuery(f: Filters, period: { from: string; to: string }): Record<string, string> {
  const q: Record<string, string> = {};
  q.from = DAY_PATTERN.test(period.from) ? withOffset(localMidnight(period.from)) : period.from;
  q.to = DAY_PATTERN.test(period.to) ? withOffset(localMidnight(period.to, 1)) : period.to;
  if (KNOWN_READER_TIME_ZONE) q.timeZone = KNOWN_READER_TIME_ZONE;
  if (f.managerId) q.managerId = f.managerId;
  if (f.segment) q.segment = f.segment;
  if (f.department) q.department = f.department;
  return q;
}

/** The KPI page's address for these filters, with the period in force written out. */
export function kpisHref(f: Filters, period: { from: string; to: string }): string {
  return `/kpis?${addressOf(f, period)}`;
}

/** What a delivery figure counts: late or on time (else both), in one department, in one week (its `weekStart`). */
export interface DeliveryChoice {
  late?: boolean;
  department?: Department;
  week?: string;
}

/** The list of the deliveries behind a figure of the KPI page with these filters and period. */
export function deliveriesHref(f: Filters, period: { from: string; to: string }, choice: DeliveryChoice): string {
  const q = addressOf({ ...f, department: choice.department ?? f.department }, period);
  if (choice.week) q.set('week', choice.week);
  if (choice.late !== undefined) q.set('late', String(choice.late));
  return `/kpis/deliveries?${q}`;
}

/**
 * What a response-time figure counts: first plans sent (`answered`), requests still waiting for one
 * (`answered: false`), or, without it, requests received; one week of the series (its `weekStart`)
 * or one manager's.
 */
export interface ResponseChoice {
  answered?: boolean;
  week?: string;
  managerId?: string;
}

/** The list of the client requests behind a response-time figure of the KPI page with these filters and period. */
export function responsesHref(f: Filters, period: { from: string; to: string }, choice: ResponseChoice): string {
  const q = addressOf({ ...f, managerId: choice.managerId ?? f.managerId }, period);
  if (choice.week) q.set('week', choice.week);
  if (choice.answered !== undefined) q.set('answered', String(choice.answered));
  return `/kpis/responses?${q}`;
}

/** What a "Clients" figure counts: the ratings (one value of them), or complaints filed, still open or resolved; one manager's. */
export interface FeedbackChoice {
  rating?: '1' | '2' | '3' | '4' | '5';
  complaints?: 'filed' | 'open' | 'resolved';
  managerId?: string;
}

/** The list of the ratings or complaints behind a "Clients" figure of the KPI page with these filters and period. */
export function feedbackHref(f: Filters, period: { from: string; to: string }, choice: FeedbackChoice): string {
  const q = addressOf({ ...f, managerId: choice.managerId ?? f.managerId }, period);
  if (choice.rating) q.set('rating', choice.rating);
  if (choice.complaints) q.set('complaints', choice.complaints);
  return `/kpis/feedback?${q}`;
}

/** What a money figure counts: the invoiced or the paid side, in one currency, one week (its `weekStart`), one manager's or one client's. */
export interface MoneyChoice {
  flow: 'invoiced' | 'paid';
  currency?: string;
  week?: string;
  managerId?: string;
  clientId?: string;
}

/** The list of the invoices or payments behind a money figure of the KPI page with these filters and period. */
export function moneyHref(f: Filters, period: { from: string; to: string }, choice: MoneyChoice): string {
  const q = addressOf({ ...f, managerId: choice.managerId ?? f.managerId }, period);
  q.set('flow', choice.flow);
  if (choice.currency) q.set('currency', choice.currency);
  if (choice.week) q.set('week', choice.week);
  if (choice.clientId) q.set('clientId', choice.clientId);
  return `/kpis/money?${q}`;
}

/**
 * The payments behind a manager's sales-plan target, counted as the sales plan counts them: its
 * exact period (UTC, as the API gives a target's `from` and `to`, not the reader's days) and
 * currency; `period` names it. `back` is the address of the page the link is on — the KPI page
 * with its filters, or the sales plan — for the list's way back (`from` names the period's start).
 */
export function salesPlanMoneyHref(target: { managerId: string; period: string; from: string; to: string; currency: string }, back: string): string {
  const q = new URLSearchParams({ flow: 'paid', salesPlan: 'true', managerId: target.managerId, from: target.from, to: target.to, currency: target.currency, period: target.period, back });
  return `/kpis/money?${q}`;
}

/**
 * The pages a list behind a figure can be reached from besides the KPI page, by their path (the
 * portfolio's is `/projects`), and the words of the way back to each.
 */
const WAYS_BACK = { kpis: 'Back to the KPIs', targets: 'Back to the sales plan', projects: 'Back to the portfolio' } as const;
export type WayBackPage = keyof typeof WAYS_BACK;

/**
 * Where a list was reached from (its address's `back`, as salesPlanMoneyHref and workloadHref
 * write it): the address of one of `pages` — the KPI page, the sales plan, the portfolio, with
 * their own filters — nothing else, so an address cannot send the reader off the portal. In the
 * address, not the router's state: a reload or a shared link leads back to the same place.
 */
export function wayBackFrom(query: URLSearchParams, pages: readonly WayBackPage[]): { page: WayBackPage; href: string; label: string } | undefined {
  const back = query.get('back') ?? '';
  const page = /^\/([a-z]+)(\?[^#]*)?$/.exec(back)?.[1] as WayBackPage | undefined;
  return page && pages.includes(page) ? { page, href: back, label: WAYS_BACK[page] } : undefined;
}

/** The pages the work in hand may lead back to (besides the KPI page, its way back otherwise): the portfolio's "Work of people no longer here". */
export const WORKLOAD_WAYS_BACK: readonly WayBackPage[] = ['projects'];
/** The pages the money list leads back to: the KPI page, the sales plan. */
export const MONEY_WAYS_BACK: readonly WayBackPage[] = ['kpis', 'targets'];

function addressOf(f: Filters, period: { from: string; to: string }): URLSearchParams {
  const q = new URLSearchParams({ from: period.from, to: period.to });
  if (f.managerId) q.set('managerId', f.managerId);
  if (f.segment) q.set('segment', f.segment);
  if (f.department) q.set('department', f.department);
  return q;
}

/** What a workload figure counts: one department's or one person's work in hand, open or in work (else both). */
export interface WorkloadChoice {
  department?: Department;
  assignee?: string;
  state?: 'open' | 'in_work';
}

/**
 * The list of the tasks in hand behind a workload figure of the KPI page with these filters. The
 * period is not the list's (workload is measured now): it is kept in the address for the way back.
 * `back`: the portfolio's address with its filters, when the list is reached from there (its "Work
 * of people no longer here"), for the way back to it (wayBackFrom); else the way back is the KPI page.
 */
export function workloadHref(f: Filters, period: { from: string; to: string }, choice: WorkloadChoice = {}, back?: string): string {
  const q = addressOf({ ...f, department: choice.department ?? f.department }, period);
  if (choice.assignee) q.set('assignee', choice.assignee);
  if (choice.state) q.set('state', choice.state);
  if (back) q.set('back', back);
  return `/kpis/workload?${q}`;
}
