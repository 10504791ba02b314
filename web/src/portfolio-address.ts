/**
 * The portfolio's address, both ways: the filters it holds and the link that holds them. Apart
 * from the page (pages/portfolio.tsx) so that pages linking to it (the KPIs' client names) do not
 * fetch the portfolio's code with their own.
 */
import type { ProjectListItem } from './api';

/** The sets the portfolio can be narrowed to (`only=`); the page gives each its label and rule. */
export const NARROWING_NAMES = ['overdue', 'settle', 'complaints', 'payments', 'refunds'] as const;
export type Narrowing = (typeof NARROWING_NAMES)[number];
export const isNarrowing = (v: string | null): v is Narrowing => NARROWING_NAMES.includes(v as Narrowing);

export type Segment = NonNullable<ProjectListItem['segment']>;
export const SEGMENTS: Segment[] = ['B2B', 'B2C'];
export const isSegment = (v: string | null): v is Segment => SEGMENTS.includes(v as Segment);

/** Everything the portfolio can be narrowed by, as its address holds it. */
export interface PortfolioFilters {
  manager?: string;
  only?: Narrowing;
  /** Part of a title or a client's name, as typed. */
  q?: string;
  client?: string;
  /**
   * Several clients together (the KPIs' regular clients): their projects, any of them. In the
   * address as `client` given once per client, so one client alone is the single choice above.
   */
  clients?: string[];
  segment?: Segment;
  /** Completed and cancelled projects shown beside the running ones (a view, not asked of the list). */
  finished?: boolean;
}

/** The portfolio's address with these filters (empty ones left out). */
export function portfolioHref(filters: PortfolioFilters): string {
  const q = new URLSearchParams();
  if (filters.manager) q.set('manager', filters.manager);
  if (filters.only) q.set('only', filters.only);
  if (filters.clients?.length) for (const client of filters.clients) q.append('client', client);
  else if (filters.client) q.set('client', filters.client);
  if (filters.segment) q.set('segment', filters.segment);
  if (filters.q) q.set('q', filters.q);
  if (filters.finished) q.set('finished', 'shown');
  return `/projects${q.size ? `?${q}` : ''}`;
}

/** The filters an address of the portfolio holds; a narrowing or segment it does not know is left out. */
export function portfolioFiltersFrom(query: URLSearchParams): PortfolioFilters {
  const only = query.get('only');
  const segment = query.get('segment');
  // Each client once, in the order given (the KPI list's); empty ones are no client.
  const clients = [...new Set(query.getAll('client').filter(Boolean))];
  return {
    manager: query.get('manager') ?? undefined,
    only: isNarrowing(only) ? only : undefined,
    q: query.get('q') ?? undefined,
    client: clients.length === 1 ? clients[0] : undefined,
    clients: clients.length > 1 ? clients : undefined,
    segment: isSegment(segment) ? segment : undefined,
    finished: query.get('finished') === 'shown',
  };
}
