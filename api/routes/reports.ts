/**
 * Reports for leadership and managers, all answered by the reporting store (SQL over the
 * snapshots the workflows publish), so they neither wait on a worker nor on visibility counts, and
 * still count projects Temporal's retention has deleted:
 *
 * - the portfolio: where every project stands now, what is late, waiting plans, complaints,
 *   unpaid invoices past due;
 * - the KPIs over a period (JSON, or CSV for spreadsheets), with a weekly series, and the tasks
 *   behind its delivery and workload figures, the client requests behind its response times, and
 *   the ratings and complaints behind its client figures, the invoices and payments behind its
 *   money figures and its sales plan;
 * - the sales plan: targets per manager and period, set by leadership.
 *
 * Managers get the same reports for their own projects; asking for another manager's is 403.
 */
import { DAY_MS } from '../../common/duration';
import { Router, type Request } from 'express';
import type { Person } from '../../common/people';
import type { AppDeps } from '../app';
import { allow, caller } from '../auth';
import { badRequest, forbidden, notFound } from '../errors';
import { sendCsvFile } from '../csv';
import { kpiCsvFileName, kpiCsvRows, toCsv } from '../kpi-csv';
import { weekWithin } from '../../activities/reporting/deliveries';
import type { WeekCut } from '../../activities/reporting/kpis';
import {
  clientsAsked,
  kpiDeliveryQuerySchema,
  kpiQuerySchema,
  portfolioQuerySchema,
  reportDate,
  reportOffsetMinutes,
  salesPeriodSchema,
  salesTargetListQuerySchema,
  salesTargetRequestSchema,
  type KpiDeliveryList,
  type KpiQueryParams,
  type KpiReport,
  type PortfolioReport,
} from '../schemas';
import { workOfPeopleGone } from '../../activities/reporting/workload';
import { parseBody, parseQuery } from '../validation';
import { kpiWorkloadQuerySchema, type KpiWorkloadList } from '../kpi-workload-schemas';
import { kpiResponseQuerySchema, type KpiResponseList } from '../kpi-response-schemas';
import { kpiFeedbackQuerySchema, type KpiFeedbackList } from '../kpi-feedback-schemas';
import { kpiMoneyQuerySchema, type KpiMoneyList } from '../kpi-money-schemas';

/** Default period: the 90 days up to now. */
const DEFAULT_PERIOD_DAYS = 90;
/** Longest period one report covers (its weekly series stays under about 160 weeks). */
const MAX_PERIOD_DAYS = 1_100;
/** The most deliveries one list gives (most late first): a long period has thousands; `total` counts them all. */
const DELIVERY_LIST_LIMIT = 200;
/** The most tasks in hand one list gives (most urgent first); `total` and `totalHours` count them all. */
const WORKLOAD_LIST_LIMIT = 200;
/** The most client requests one list gives (slowest first); `total` and the median count them all. */
const RESPONSE_LIST_LIMIT = 200;
/** The most ratings or complaints one list gives (lowest ratings, oldest open complaints first); `total` counts them all. */
const FEEDBACK_LIST_LIMIT = 200;
/** The most invoices or payments one list gives (the newest first); `total` and `totals` count them all. */
const MONEY_LIST_LIMIT = 200;

/** Managers see their own; leadership anyone's or everyone's. */
function scopedManager(person: Person, asked: string | undefined, what: string): string | undefined {
  if (person.role === 'manager') {
    if (asked !== undefined && asked !== person.id) throw forbidden(`Managers see ${what} for their own projects; leave managerId out or use your own id.`);
    return person.id;
  }
  return asked;
}

/** A sales period (`2026`, `2026-Q1`, `2026-03`) as [from, to) in UTC. */
export function salesPeriodRange(period: string): { from: Date; to: Date } {
  const year = Number(period.slice(0, 4));
  if (period.length === 4) return { from: new Date(Date.UTC(year, 0, 1)), to: new Date(Date.UTC(year + 1, 0, 1)) };
  if (period[5] === 'Q') {
    const q = Number(period[6]);
    return { from: new Date(Date.UTC(year, (q - 1) * 3, 1)), to: new Date(Date.UTC(year, q * 3, 1)) };
  }
  const month = Number(period.slice(5, 7));
  return { from: new Date(Date.UTC(year, month - 1, 1)), to: new Date(Date.UTC(year, month, 1)) };
}

export function createReportsRouter(deps: AppDeps): Router {
  const { reporting, people } = deps;
  const now = deps.now ?? Date.now;
  const router = Router();

  router.get('/api/reports/portfolio', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(portfolioQuerySchema, req);
    const managerId = scopedManager(caller(req), q.managerId, 'the report');
    // Narrowed as the project list is (the portfolio's search and choices), so its tiles count the cards found.
    const [report, holders] = await Promise.all([
      reporting.portfolio({ managerId, ...clientsAsked(q.clientId), segment: q.segment, search: q.q, now: new Date(now()) }),
      reporting.workHolders({ managerId }),
    ]);
    const answer: PortfolioReport = { ...report, workOfPeopleGone: workOfPeopleGone(holders, people) };
    res.json(answer);
  });

  async function kpis(req: Request): Promise<KpiReport> {
    return (await kpisAsAsked(req)).report;
  }

  /**
   * The KPI query (parsed) checked and with its defaults: the period, the manager in scope (a
   * manager's own), and the UTC offsets its two ends were asked at (a reader's own midnights: the
   * days they name are read there, and the weeks are cut at the start's). The report and the list
   * of deliveries behind it both read their query here, so the two cover the same tasks.
   */
  function kpiScopeOf(q: KpiQueryParams, req: Request) {
    const offsets = { from: reportOffsetMinutes(q.from ?? q.to ?? ''), to: reportOffsetMinutes(q.to ?? q.from ?? '') };
    const managerId = scopedManager(caller(req), q.managerId, 'the KPIs');
    const at = new Date(now());
    const to = q.to !== undefined ? reportDate(q.to) : at;
    const from = q.from !== undefined ? reportDate(q.from) : new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);
    if (from.getTime() >= to.getTime()) throw badRequest([{ field: 'from', message: 'must be before `to`' }]);
    if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
      throw badRequest([{ field: 'from', message: `the period may span at most ${MAX_PERIOD_DAYS} days` }]);
    }
    const weekCut: WeekCut = { offsetMinutes: offsets.from, ...(q.timeZone !== undefined && { timeZone: q.timeZone }) };
    return { at, from, to, managerId, offsets, weekCut };
  }

  /** The report, and the UTC offsets its two ends were asked at (the CSV's name says its days with them). */
  async function kpisAsAsked(req: Request): Promise<{ report: KpiReport; offsets: { from: number; to: number } }> {
    const q = parseQuery(kpiQuerySchema, req);
    const { at, from, to, managerId, offsets, weekCut } = kpiScopeOf(q, req);
    // Everyone who could take work in the departments in scope: leadership asks who has room.
    const staff = people
      .all()
      .filter((p) => p.role === 'staff' && p.department !== undefined && (q.department === undefined || p.department === q.department))
      .map((p) => ({ personId: p.id, department: p.department! }));
    const report = await reporting.kpis({
      from,
      to,
      ...(managerId !== undefined && { managerId }),
      ...(q.segment !== undefined && { segment: q.segment }),
      ...(q.department !== undefined && { department: q.department }),
      overloadHours: deps.config.WORKLOAD_OVERLOAD_HOURS,
      now: at,
      staff,
      weekOffsetMinutes: weekCut.offsetMinutes,
      ...(weekCut.timeZone !== undefined && { weekTimeZone: weekCut.timeZone }),
    });
    return { report, offsets };
  }

  router.get('/api/reports/kpis', allow('manager', 'leadership'), async (req, res) => {
    res.json(await kpis(req));
  });

  router.get('/api/reports/kpis.csv', allow('manager', 'leadership'), async (req, res) => {
    const { report, offsets } = await kpisAsAsked(req);
    sendCsvFile(res, kpiCsvFileName(report, offsets), toCsv(kpiCsvRows(report)));
  });

  /**
   * The part of the period a list covers: all of it, or the part inside the series' week that
   * starts at `week` (a `weekStart` of the report asked with the same period and time zone).
   */
  function weekAsked(week: string | undefined, scope: { from: Date; to: Date; weekCut: WeekCut }): { from: Date; to: Date; week?: Date } {
    if (week === undefined) return { from: scope.from, to: scope.to };
    const start = reportDate(week);
    const span = weekWithin(start, scope.from, scope.to, scope.weekCut);
    if (span === undefined) {
      throw badRequest([{ field: 'week', message: 'starts no week of the period: use a `weekStart` of the KPI report asked with the same period and time zone' }]);
    }
    return { ...span, week: start };
  }

  // The tasks behind the delivery figures, asked with the report's own query and what the figure
  // was (late or on time, one week): the list has as many tasks as the figure counted.
  router.get('/api/reports/kpis/deliveries', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(kpiDeliveryQuerySchema, req);
    const { from, to, managerId, weekCut } = kpiScopeOf(q, req);
    const { week, ...span } = weekAsked(q.week, { from, to, weekCut });
    const late = q.late === undefined ? undefined : q.late === 'true';
    const list = await reporting.kpiDeliveries({
      ...span,
      ...(managerId !== undefined && { managerId }),
      ...(q.segment !== undefined && { segment: q.segment }),
      ...(q.department !== undefined && { department: q.department }),
      ...(late !== undefined && { late }),
      limit: DELIVERY_LIST_LIMIT,
    });
    const body: KpiDeliveryList = {
      scope: {
        from: span.from.toISOString(),
        to: span.to.toISOString(),
        ...(week !== undefined && { week: week.toISOString() }),
        ...(late !== undefined && { late }),
        ...(managerId !== undefined && { managerId }),
        ...(q.segment !== undefined && { segment: q.segment }),
        ...(q.department !== undefined && { department: q.department }),
      },
      ...list,
    };
    res.json(body);
  });

  // The tasks behind the workload figures (measured now, whatever the period), asked with the
  // report's scope and which figure it was: a department's, a person's, open or in work. The list
  // counts as many tasks and hours as the figure.
  router.get('/api/reports/kpis/workload', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(kpiWorkloadQuerySchema, req);
    const managerId = scopedManager(caller(req), q.managerId, 'the KPIs');
    const scope = {
      ...(managerId !== undefined && { managerId }),
      ...(q.segment !== undefined && { segment: q.segment }),
      ...(q.department !== undefined && { department: q.department }),
      ...(q.assignee !== undefined && { assignee: q.assignee }),
      ...(q.state !== undefined && { state: q.state }),
    };
    const list = await reporting.kpiWorkload({ ...scope, now: new Date(now()), limit: WORKLOAD_LIST_LIMIT });
    const body: KpiWorkloadList = {
      ...list,
      thresholdHours: deps.config.WORKLOAD_OVERLOAD_HOURS,
      scope,
      items: list.items.map((task) => {
        const assigneeName = task.assigneeId !== undefined ? people.nameOf(task.assigneeId) : undefined;
        return { ...task, ...(assigneeName !== undefined && { assigneeName }) };
      }),
    };
    res.json(body);
  });

  // The client requests behind the response-time figures, asked with the report's own query and
  // what the figure was (first plans sent, requests received or still waiting; one week, one
  // manager): the list has as many requests as the figure counted, and the same median.
  router.get('/api/reports/kpis/responses', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(kpiResponseQuerySchema, req);
    const { at, from, to, managerId, weekCut } = kpiScopeOf(q, req);
    const { week, ...span } = weekAsked(q.week, { from, to, weekCut });
    const answered = q.answered === undefined ? undefined : q.answered === 'true';
    const list = await reporting.kpiResponses({
      ...span,
      ...(managerId !== undefined && { managerId }),
      ...(q.segment !== undefined && { segment: q.segment }),
      ...(answered !== undefined && { answered }),
      now: at,
      limit: RESPONSE_LIST_LIMIT,
    });
    const body: KpiResponseList = {
      scope: {
        from: span.from.toISOString(),
        to: span.to.toISOString(),
        ...(week !== undefined && { week: week.toISOString() }),
        ...(answered !== undefined && { answered }),
        ...(managerId !== undefined && { managerId }),
        ...(q.segment !== undefined && { segment: q.segment }),
      },
      ...list,
      items: list.items.map((request) => {
        const managerName = people.nameOf(request.managerId);
        return { ...request, ...(managerName !== undefined && { managerName }) };
      }),
    };
    res.json(body);
  });

  // The ratings and complaints behind the "Clients" figures, asked with the report's own query and
  // which figure it was (a rating's bar; complaints filed, still open or resolved): the list has as
  // many as the figure counted.
  router.get('/api/reports/kpis/feedback', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(kpiFeedbackQuerySchema, req);
    const { at, from, to, managerId } = kpiScopeOf(q, req);
    const scope = {
      from: from.toISOString(),
      to: to.toISOString(),
      ...(managerId !== undefined && { managerId }),
      ...(q.segment !== undefined && { segment: q.segment }),
    };
    const asked = { from, to, ...(managerId !== undefined && { managerId }), ...(q.segment !== undefined && { segment: q.segment }), limit: FEEDBACK_LIST_LIMIT };
    const withManagerName = <T extends { managerId: string }>(item: T) => {
      const managerName = people.nameOf(item.managerId);
      return { ...item, ...(managerName !== undefined && { managerName }) };
    };
    let body: KpiFeedbackList;
    if (q.complaints !== undefined) {
      const list = await reporting.kpiComplaints({ ...asked, complaints: q.complaints, now: at });
      body = { listed: 'complaints', scope: { ...scope, complaints: q.complaints }, ...list, items: list.items.map(withManagerName) };
    } else {
      const rating = q.rating === undefined ? undefined : Number(q.rating);
      const list = await reporting.kpiRatings({ ...asked, ...(rating !== undefined && { rating }) });
      body = { listed: 'ratings', scope: { ...scope, ...(rating !== undefined && { rating }) }, ...list, items: list.items.map(withManagerName) };
    }
    res.json(body);
  });

  // The invoices or payments behind the money figures, asked with the report's own query and which
  // figure it was (invoiced or paid; one week, one manager, one currency, one client's spend), or a
  // manager's sales plan (`salesPlan`, over the target's period): the list's totals are the figure's.
  router.get('/api/reports/kpis/money', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(kpiMoneyQuerySchema, req);
    const person = caller(req);
    const { at, from, to, managerId, weekCut } = kpiScopeOf(q, req);
    const { week, ...span } = weekAsked(q.week, { from, to, weekCut });
    const salesPlan = q.salesPlan === 'true';
    const [list, client] = await Promise.all([
      reporting.kpiMoney({
        ...span,
        flow: q.flow,
        ...(managerId !== undefined && { managerId }),
        ...(q.segment !== undefined && { segment: q.segment }),
        ...(q.currency !== undefined && { currency: q.currency }),
        ...(q.clientId !== undefined && { clientId: q.clientId }),
        ...(salesPlan && { salesPlan }),
        now: at,
        limit: MONEY_LIST_LIMIT,
      }),
      // The client named as the client directory names them (every manager sees every client's name there).
      q.clientId === undefined
        ? undefined
        : reporting
            .clients({ clientId: q.clientId, limit: 1, emailsFor: person.role === 'leadership' ? 'everyone' : { managerId: person.id } })
            .then(([found]) => found),
    ]);
    const body: KpiMoneyList = {
      ...list,
      scope: {
        from: span.from.toISOString(),
        to: span.to.toISOString(),
        ...(week !== undefined && { week: week.toISOString() }),
        ...(managerId !== undefined && { managerId }),
        ...(q.segment !== undefined && { segment: q.segment }),
        ...(q.currency !== undefined && { currency: q.currency }),
        ...(q.clientId !== undefined && { clientId: q.clientId }),
        ...(client !== undefined && { clientName: client.name }),
        ...(salesPlan && { salesPlan }),
      },
      items: list.items.map((item) => {
        const managerName = people.nameOf(item.managerId);
        return { ...item, ...(managerName !== undefined && { managerName }) };
      }),
    };
    res.json(body);
  });

  // -- the sales plan -------------------------------------------------------------------------

  router.get('/api/reports/sales-targets', allow('manager', 'leadership'), async (req, res) => {
    const q = parseQuery(salesTargetListQuerySchema, req);
    const managerId = scopedManager(caller(req), q.managerId, 'sales targets');
    res.json({ items: await reporting.salesTargets({ ...(managerId !== undefined && { managerId }), ...(q.period !== undefined && { period: q.period }) }) });
  });

  /** The manager and period a target's path names: 404 for someone who is no manager, 400 for a period that is none. */
  function targetPath(req: Request): { managerId: string; period: string } {
    const managerId = String(req.params.managerId);
    const manager = people.get(managerId);
    if (!manager || manager.role !== 'manager') throw notFound(`There is no manager ${JSON.stringify(managerId)} in the people directory.`);
    const period = salesPeriodSchema.safeParse(String(req.params.period));
    if (!period.success) throw badRequest([{ field: 'period', message: period.error.issues[0]?.message ?? 'invalid' }]);
    return { managerId, period: period.data };
  }

  // PUT, not POST: the target for (manager, period) is one value; sending it again changes nothing.
  router.put('/api/reports/sales-targets/:managerId/:period', allow('leadership'), async (req, res) => {
    const person = caller(req);
    const { managerId, period } = targetPath(req);
    const body = parseBody(salesTargetRequestSchema, req);
    const range = salesPeriodRange(period);
    const { target, created } = await reporting.setSalesTarget(
      { managerId, period, startsAt: range.from, endsAt: range.to, currency: body.currency, amount: body.amount, setBy: person.id },
      new Date(now()),
    );
    res.status(created ? 201 : 200).json(target);
  });

  // A target set by mistake goes; 204 whether or not there was one, so a retry answers the same.
  router.delete('/api/reports/sales-targets/:managerId/:period', allow('leadership'), async (req, res) => {
    const { managerId, period } = targetPath(req);
    await reporting.deleteSalesTarget(managerId, period);
    res.status(204).end();
  });

  return router;
}
