/**
 * The weekly digests' figures, read from the reporting store at the schedule's moment, as the
 * data their notices print: leadership's (`leadership_digest`: the portfolio page's tiles for the
 * whole agency, and who is overloaded) and each manager's (`manager_digest`: the same report for their own projects, and
 * what waits on them alone: deliveries to review and plans to write). Both name the work held by
 * people no longer here (`workOfPeopleGone`, as the portfolio report does): leadership's, running
 * projects to hand over and tasks in work to reassign; a manager's, the tasks in work of their own
 * projects. Lists travel as JSON (a notice's data is flat), ten items each at most: the mail says
 * how many more, and links to the portfolio for them.
 */
import type { ProjectListItem, TaskListItem } from '../api/schemas';
import type { StoredPortfolio } from './reporting/portfolio';
import type { PeopleDirectory } from '../common/people';
import type { Role } from '../workflows/shared-schemas';
import { workOfPeopleGone } from './reporting/workload';
import { everyItem, type ReportingStore } from './reporting/store';
import type { DigestActivities, ManagerDigest, NotifyInput } from './contract';

export interface DigestActivityDeps {
  reporting: Pick<ReportingStore, 'portfolio' | 'listProjects' | 'listTasks' | 'overloadedPeople' | 'workHolders'>;
  people: Pick<PeopleDirectory, 'withRole' | 'get' | 'nameOf'>;
  /** WORKLOAD_OVERLOAD_HOURS, as the KPI report counts who is overloaded. */
  overloadHours: number;
}

/** How many projects of each list the mail names. */
export const DIGEST_LIST_LENGTH = 10;

interface ListedProject {
  projectId: string;
  title?: string;
  clientName?: string;
  since?: string;
  reason?: string;
}

const listed = (items: ListedProject[]): string =>
  JSON.stringify(
    items.slice(0, DIGEST_LIST_LENGTH).map((p) => ({
      projectId: p.projectId,
      title: p.title,
      clientName: p.clientName,
      ...(p.since && { since: p.since }),
      ...(p.reason && { reason: p.reason }),
    })),
  );

/** What both digests say of a portfolio report: the projects under way by stage, then what needs someone. */
function portfolioFigures(report: StoredPortfolio, at: string): NotifyInput['data'] {
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
}

/** One holder of work the digest names: by name while the directory still knows them (in another role now), else by id. */
export interface HolderGone {
  personId: string;
  name?: string;
  /** The role they hold now, when they are still here: the work is no longer theirs to move on. */
  nowRole?: Role;
}

/**
 * The work held by people gone (`workOfPeopleGone`), as a digest's data: each list with its total
 * (projects, tasks) and how many holders it has, the first ten holders named. Asked for a manager,
 * of their own projects, whose manager is never gone (it is them): their projects' list is empty.
 */
async function peopleGoneFigures(deps: DigestActivityDeps, managerId?: string): Promise<NotifyInput['data']> {
  const gone = workOfPeopleGone(await deps.reporting.workHolders({ managerId }), deps.people);
  const holder = (personId: string): HolderGone => {
    const now = deps.people.get(personId);
    const keptName = deps.people.nameOf(personId);
    return { personId, ...(now ? { name: now.name, nowRole: now.role } : keptName !== undefined && { name: keptName }) };
  };
  const sum = (counts: number[]): number => counts.reduce((a, b) => a + b, 0);
  return {
    goneManagersRunning: sum(gone.projects.map((m) => m.running)),
    goneManagersCount: gone.projects.length,
    goneManagers: JSON.stringify(gone.projects.slice(0, DIGEST_LIST_LENGTH).map((m) => ({ ...holder(m.managerId), running: m.running }))),
    goneHoldersInWork: sum(gone.tasks.map((t) => t.inWork)),
    goneHoldersCount: gone.tasks.length,
    goneHolders: JSON.stringify(gone.tasks.slice(0, DIGEST_LIST_LENGTH).map((t) => ({ ...holder(t.personId), inWork: t.inWork }))),
  };
}

/** Deliveries waiting for review, one line per project (the longest waiting first): how many, and since when the oldest has waited. */
function deliveriesByProject(tasks: TaskListItem[]): ListedProject[] {
  const byProject = new Map<string, { first: TaskListItem; count: number; oldest?: string }>();
  for (const task of tasks) {
    if (!task.projectId) continue;
    const entry = byProject.get(task.projectId) ?? { first: task, count: 0 };
    entry.count += 1;
    if (task.submittedAt && (!entry.oldest || task.submittedAt < entry.oldest)) entry.oldest = task.submittedAt;
    byProject.set(task.projectId, entry);
  }
  return [...byProject.entries()]
    .sort(([, a], [, b]) => (a.oldest ?? '').localeCompare(b.oldest ?? ''))
    .map(([projectId, { first, count, oldest }]) => ({
      projectId,
      title: first.projectTitle,
      clientName: first.clientName,
      ...(oldest && { since: oldest }),
      reason: count === 1 ? '1 delivery' : `${count} deliveries`,
    }));
}

/** Requests without a plan yet and plans leadership sent back, the longest waiting first. */
function plansToWrite(projects: ProjectListItem[]): ListedProject[] {
  return [...projects]
    .sort((a, b) => (a.stageEnteredAt ?? a.startedAt).localeCompare(b.stageEnteredAt ?? b.startedAt))
    .map((p) => ({
      projectId: p.projectId,
      title: p.title,
      clientName: p.clientName,
      since: p.stageEnteredAt ?? p.startedAt,
      ...(p.planSentBack && { reason: 'sent back by leadership' }),
    }));
}

export function createDigestActivities(deps: DigestActivityDeps): DigestActivities {
  const { reporting } = deps;
  return {
    async prepareLeadershipDigest({ at }): Promise<NotifyInput['data']> {
      const [report, overloaded, peopleGone] = await Promise.all([
        reporting.portfolio({ now: new Date(at) }),
        reporting.overloadedPeople(deps.overloadHours),
        peopleGoneFigures(deps),
      ]);
      return {
        ...portfolioFigures(report, at),
        ...peopleGone,
        // "Who is overloaded?" is leadership's to ask (DOMAIN.md): named, with their hours in work.
        overloadHours: deps.overloadHours,
        overloaded: JSON.stringify(overloaded.slice(0, DIGEST_LIST_LENGTH).map((p) => ({ ...p, name: deps.people.nameOf(p.personId) ?? p.personId }))),
        overloadedCount: overloaded.length,
      };
    },

    async prepareManagerDigests({ at }): Promise<ManagerDigest[]> {
      const now = new Date(at);
      const digests: ManagerDigest[] = [];
      for (const manager of deps.people.withRole('manager')) {
        const managerId = manager.id;
        const report = await reporting.portfolio({ managerId, now });
        const [toReview, intake, planning, peopleGone] = await Promise.all([
          everyItem((page) => reporting.listTasks({ managerId, status: 'submitted' }, page, now)),
          everyItem((page) => reporting.listProjects({ managerId, stage: 'intake' }, page, now)),
          everyItem((page) => reporting.listProjects({ managerId, stage: 'planning' }, page, now)),
          peopleGoneFigures(deps, managerId),
        ]);
        const figures = portfolioFigures(report, at);
        const somethingOpen =
          report.projects.active + report.projects.cancelledToSettle + report.openComplaints.count + report.unpaidInvoicesPastDue.count + report.refundsOwed.count > 0;
        // A manager with no project under way, nothing owed either way and no task held by someone
        // gone (a task the store still has in work, whatever its project's stage) has no week to read about.
        if (!somethingOpen && toReview.length === 0 && peopleGone.goneHoldersCount === 0) continue;
        const plans = plansToWrite([...intake, ...planning]);
        const deliveries = deliveriesByProject(toReview);
        digests.push({
          managerId,
          data: {
            ...figures,
            ...peopleGone,
            deliveriesToReview: toReview.length,
            deliveryProjects: deliveries.length,
            deliveriesList: listed(deliveries),
            plansToWrite: plans.length,
            plansToWriteList: listed(plans),
          },
        });
      }
      return digests;
    },
  };
}
