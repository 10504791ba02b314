/**
 * prepareLeadershipDigest: where the agency stands, read from the reporting store at the
 * schedule's moment (the same report as the portfolio page's tiles), as the figures the
 * `leadership_digest` notice prints. Lists travel as JSON (a notice's data is flat), ten items
 * each at most: the mail says how many more, and links to the portfolio for them.
 */
import type { PortfolioReport } from '../api/schemas';
import type { ReportingStore } from './reporting/store';
import type { DigestActivities, NotifyInput } from './contract';

export interface DigestActivityDeps {
  reporting: Pick<ReportingStore, 'portfolio'>;
}

/** How many projects of each list the mail names. */
export const DIGEST_LIST_LENGTH = 10;

type ProjectRef = PortfolioReport['plansAwaitingDecision']['items'][number];

const listed = (items: (ProjectRef & { since?: string })[]): string =>
  JSON.stringify(items.slice(0, DIGEST_LIST_LENGTH).map((p) => ({ projectId: p.projectId, title: p.title, clientName: p.clientName, ...(p.since && { since: p.since }) })));

export function createDigestActivities(deps: DigestActivityDeps): DigestActivities {
  return {
    async prepareLeadershipDigest({ at }): Promise<NotifyInput['data']> {
      const report = await deps.reporting.portfolio({ now: new Date(at) });
      const { projects, tasks } = report;
      return {
        at,
        active: projects.active,
        byStage: JSON.stringify(projects.byStage),
        overdueProjects: projects.overdue,
        overdueTasks: tasks.overdue,
        tasksByDepartment: JSON.stringify(tasks.byDepartment),
        plansWaiting: report.plansAwaitingDecision.count,
        plansWaitingList: listed(report.plansAwaitingDecision.items.map((p) => ({ ...p, ...(p.waitingSince && { since: p.waitingSince }) }))),
        openComplaints: report.openComplaints.count,
        complaintsPastDue: report.openComplaints.pastDue,
        complaintsList: listed(report.openComplaints.items.map((p) => ({ ...p, ...(p.complaintDueAt && { since: p.complaintDueAt }) }))),
        unpaidPastDue: report.unpaidInvoicesPastDue.count,
        unpaidList: listed(report.unpaidInvoicesPastDue.items.map((p) => ({ ...p, ...(p.paymentDueAt && { since: p.paymentDueAt }) }))),
        refundsOwed: report.refundsOwed.count,
        refundsPastDue: report.refundsOwed.pastDue,
        refundsList: listed(report.refundsOwed.items.map((p) => ({ ...p, ...(p.refundDueAt && { since: p.refundDueAt }) }))),
        cancelledToSettle: projects.cancelledToSettle,
      };
    },
  };
}
