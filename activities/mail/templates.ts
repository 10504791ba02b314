/**
 * Every notification the service sends, in one place: a subject and a short plain-text body, in
 * two versions where both kinds of reader get it.
 *
 * - **Staff** (department staff, managers, leadership) read what happened and get the link to
 *   the portal page where they act on it.
 * - **Clients** have no portal account: each client notice says what to do (pay quoting the
 *   invoice number, reply to this e-mail) and names the account manager a reply reaches (the
 *   mail's Reply-To, see notifications.ts). It ends with the link to their project's page (where
 *   the work stands, invoices, documents) when the worker could read it: everything the client
 *   must know is in the mail without it.
 *
 * Templates print what `data` carries and degrade to neutral words when a value is missing, so a
 * workflow that omits a field still sends a readable mail instead of "undefined".
 */
import type { NotificationTemplate, NotifyInput } from '../contract';
import type { InvoiceView, ProjectStatus } from '../../workflows/project/contract';
import { invoiceViewSchema } from '../../workflows/project/schemas';
import { owedAmount, waitingForPrepayment } from '../../workflows/project/state';
import type { Department, Role } from '../../workflows/shared-schemas';
import { subtractAmounts, toMinor } from '../../workflows/money';
import { namesInWords, type ProjectStage } from '../../workflows/vocabulary';
import { cancelledWhile, datesIn, departmentName, fmtMoney, type DateWords } from '../format';
import { DIGEST_READER, isDigest } from './digest-mail';
import type { HolderGone } from '../digest';

/** Who reads a message: people of the agency, or the client's contact (no portal account). */
export type Audience = 'staff' | 'client';

export interface RenderedNotification {
  subject: string;
  text: string;
  /** The portal page the reader acts on; for clients, their project's page (empty without one). */
  link: string;
}

export interface TemplateContext {
  /** The portal's address: links are `${publicBaseUrl}/tasks/<id>`, `/projects/<id>`, `/approvals`. */
  publicBaseUrl: string;
  /** Display name for a person id; the id is printed otherwise. */
  personName?: (personId: string) => string | undefined;
  /** A person's e-mail: the account manager a client's reply reaches. */
  personEmail?: (personId: string) => string | undefined;
  /** The client's link to their project's page (common/client-links.ts), for client notices. */
  clientPageUrl?: string;
  /** The person of the directory this copy is for (none for an address outside it): some notices read differently for each. */
  readerId?: string;
  /** The agency (config AGENCY_NAME), as its papers name it: client mails are signed with it. */
  agencyName?: string;
  /** The agency's zone (AGENCY_TIME_ZONE): every date and time in mails is printed there, named. UTC when not given. */
  timeZone?: string;
  /** When the mail is written (ms): a date the notice carries may have passed by then. Now when not given. */
  now?: number;
  /**
   * The project's snapshot as the activity read it (`PROJECT_FIGURES`), for notices whose data
   * lacks figures the reader needs (the budget beside a plan, a cancellation's money, what was
   * paid before a reminder, whether the work still waits for a part-paid prepayment).
   */
  project?: ProjectStatus;
  /** For a weekly digest: the reader's page to stop it (digest-mail.ts), which its footer names. */
  stopMailsUrl?: string;
}

/** Notices that print figures of the project's snapshot their data does not carry: the activity reads it for them. */
export const PROJECT_FIGURES: ReadonlySet<NotificationTemplate> = new Set(['plan_waiting', 'project_cancelled', 'payment_reminder', 'payment_received']);

/**
 * The data key by which a notice says it carries those figures itself: the workflow puts them in
 * (since 2026-12-05 night), so the mail needs no read of the project — a query a worker must
 * answer, which replays the project when it is not cached. Notices queued by runs recorded
 * before carry none: the activity reads the snapshot for them, as it did.
 */
const FIGURES_CARRIED: Partial<Record<NotificationTemplate, string>> = {
  plan_waiting: 'budget',
  payment_reminder: 'invoiceTotal',
  payment_received: 'waitsForPrepayment',
  project_cancelled: 'settledInvoices',
};

/** Whether writing this notice needs the project's snapshot (`PROJECT_FIGURES`, unless its data carries them). */
export const needsProjectSnapshot = (notice: Pick<NotifyInput, 'template' | 'data'>): boolean => {
  const carried = FIGURES_CARRIED[notice.template];
  return PROJECT_FIGURES.has(notice.template) && (carried === undefined || notice.data[carried] === undefined);
};

/** One project of a list a notice carries (`projects_handed_over`). */
export interface HandedProject {
  projectId: string;
  title?: string;
  clientName?: string;
  /** Why it stayed, for a project that did. */
  reason?: string;
  /** The moment a digest's list names beside it (waiting since, due by). */
  since?: string;
}

/** One task of a list a notice carries (`tasks_reassigned`). */
export interface ListedTask {
  taskId: string;
  title: string;
  projectTitle?: string;
  /** When it is due (lists since the due dates were carried; older ones name none). */
  dueAt?: string;
  /** Why it stayed, for a task that did. */
  reason?: string;
}

/** Read access to `data` with the fallbacks every template uses. */
class Values {
  constructor(
    readonly data: NotifyInput['data'],
    private readonly ctx: TemplateContext,
  ) {}

  /** Whether this copy is for the person `data[key]` names. */
  isReader(key: string): boolean {
    return this.ctx.readerId !== undefined && this.has(key) && String(this.data[key]) === this.ctx.readerId;
  }

  has(key: string): boolean {
    const value = this.data[key];
    return value !== undefined && value !== '';
  }

  /** The first of these keys that carries a value (workflows name some values differently). */
  pick(...keys: string[]): string {
    return keys.find((k) => this.has(k)) ?? keys[0];
  }

  text(key: string, fallback: string): string {
    return this.has(key) ? String(this.data[key]) : fallback;
  }

  date(key: string, fallback = 'a date not given'): string {
    return this.has(key) ? this.time(String(this.data[key])) : fallback;
  }

  /** Dates as mails print them: in the agency's zone. */
  get dates(): DateWords {
    return datesIn(this.ctx.timeZone);
  }

  /** `2026-03-01`. */
  day(iso: string): string {
    return this.dates.day(iso);
  }

  /** `2026-03-01 18:00 CET`. */
  time(iso: string): string {
    return this.dates.time(iso);
  }

  money(amountKey = this.pick('amountOwed', 'amount'), currencyKey = 'currency'): string {
    const amount = Number(this.data[amountKey]);
    if (!this.has(amountKey) || Number.isNaN(amount)) return 'the amount due';
    return fmtMoney(amount, this.text(currencyKey, '')).trim();
  }

  person(key: string, fallback = 'someone'): string {
    if (!this.has(key)) return fallback;
    const id = String(this.data[key]);
    return this.ctx.personName?.(id) ?? id;
  }

  department(fallback = 'a department'): string {
    return this.has('department') ? departmentName(String(this.data.department) as Department) : fallback;
  }

  /** `label: value` when the value is there, nothing otherwise. */
  line(label: string, key: string): string[] {
    return this.has(key) ? [`${label}: ${String(this.data[key])}`] : [];
  }

  /** A list of projects the workflow passed as JSON (`data` is flat); empty when missing or unreadable. */
  projectList(key: string): HandedProject[] {
    if (!this.has(key)) return [];
    try {
      const list: unknown = JSON.parse(String(this.data[key]));
      return Array.isArray(list) ? list.filter((p): p is HandedProject => typeof p === 'object' && p !== null && typeof (p as HandedProject).projectId === 'string') : [];
    } catch {
      return [];
    }
  }

  /** A list of tasks the workflow passed as JSON (`data` is flat); empty when missing or unreadable. */
  taskList(key: string): ListedTask[] {
    if (!this.has(key)) return [];
    try {
      const list: unknown = JSON.parse(String(this.data[key]));
      return Array.isArray(list)
        ? list.filter((t): t is ListedTask => typeof t === 'object' && t !== null && typeof (t as ListedTask).taskId === 'string' && typeof (t as ListedTask).title === 'string')
        : [];
    } catch {
      return [];
    }
  }

  taskUrl(taskId: string): string {
    return portalLink('task', { taskId }, this.ctx.publicBaseUrl);
  }

  /** Whether the date under `key` has passed when the mail is written. */
  isPast(key: string): boolean {
    return this.hasPassed(this.text(key, ''));
  }

  /** Whether this date has passed when the mail is written (false for none). */
  hasPassed(iso: string): boolean {
    const at = Date.parse(iso);
    return !Number.isNaN(at) && at < (this.ctx.now ?? Date.now());
  }

  /** The project's snapshot, when the activity read one for this notice. */
  get snapshot(): ProjectStatus | undefined {
    return this.ctx.project;
  }

  projectUrl(projectId: string): string {
    return portalLink('project', { projectId }, this.ctx.publicBaseUrl);
  }

  /** A person's work in hand on the portal's KPI pages (leadership's and managers'). */
  workInHandUrl(personId: string): string {
    return `${this.ctx.publicBaseUrl.replace(/\/+$/, '')}/kpis/workload?assignee=${encodeURIComponent(personId)}&state=in_work`;
  }

  /**
   * The portfolio narrowed to one manager's projects, where leadership is offered "Hand over all".
   * The portal writes this address with `portfolioHref({ manager })` (web/src/portfolio-address.ts),
   * which mail code cannot import: same path, same `manager` parameter.
   */
  managerPortfolioUrl(managerId: string): string {
    return `${this.ctx.publicBaseUrl.replace(/\/+$/, '')}/projects?${new URLSearchParams({ manager: managerId })}`;
  }

  // The names nearly every template prints.
  get project(): string {
    return this.text('projectTitle', 'your project');
  }
  get task(): string {
    return this.text('taskTitle', 'a task');
  }
  /** `credit note INV-2026-000042`, or `the credit note` when the number is not given. */
  get creditNoteRef(): string {
    return this.has('invoiceNumber') ? `credit note ${this.text('invoiceNumber', '')}` : 'the credit note';
  }
  /** `invoice INV-2026-000042`, or `the invoice` when the number is not given. */
  get invoiceRef(): string {
    return this.has('invoiceNumber') ? `invoice ${this.text('invoiceNumber', '')}` : 'the invoice';
  }
  /** `Due: <date>.` when there is a due date, nothing otherwise. */
  dueLine(): string[] {
    if (!this.has('dueAt')) return [];
    // Work sent back or handed over after its date: the date is no target any more, and saying
    // "Due: <a day gone by>" reads like a mistake. Say it passed, and what to do.
    return this.isPast('dueAt')
      ? [`It was due ${this.date('dueAt')}, which has passed: deliver it as soon as you can, or tell ${this.person('managerId', 'the project’s manager')} when it will come.`]
      : [`Due: ${this.date('dueAt')}.`];
  }
  /** `was due <date>`, or `is past its due date`. */
  wasDue(): string {
    return this.has('dueAt') ? `was due ${this.date('dueAt')}` : 'is past its due date';
  }
  /** `plan v2`, or `the plan` when the version is not given. */
  get plan(): string {
    return this.has('planVersion') ? `plan v${this.text('planVersion', '')}` : 'the plan';
  }

  /** `Anna Petrova (anna.manager@agency.example)`: the account manager, when the directory knows them. */
  get manager(): string | undefined {
    if (!this.has('managerId')) return undefined;
    const id = String(this.data.managerId);
    const email = this.ctx.personEmail?.(id);
    return email ? `${this.ctx.personName?.(id) ?? id} (${email})` : undefined;
  }

  /** How a client reaches us: a reply to this mail goes to the account manager (its Reply-To). */
  reply(purpose: string): string {
    const manager = this.manager;
    return manager
      ? `${capitalize(purpose)}: reply to this e-mail; it reaches your account manager, ${manager}.`
      : `${capitalize(purpose)}: please write to your account manager.`;
  }
}

/** A notice's subject and lines; `link` when this reader's copy opens another page than the notice's own (`none`: no page they can open). */
type Template = (v: Values) => { subject: string; lines: string[]; link?: LinkTarget | 'none' };

/** Where a staff member acts on a notice: the portal page its link opens (`portfolio`: the reader's own). */
type LinkTarget = 'task' | 'project' | 'approvals' | 'portfolio' | 'inbox';

interface TemplateDefinition {
  link: LinkTarget;
  /** What people of the agency read (with the portal link). */
  staff: Template;
  /** What the client reads: what to do and whom to answer (their page's link is added). Staff-only notices have none. */
  client?: Template;
}

/**
 * Work that waits for the prepayment starts when it is paid, and its due dates move later by the
 * time from the plan's approval to the payment (workflow patch `dates-from-prepayment`, as the
 * contract says): a client who reads only that the work waits would expect the dates they agreed.
 */
const DATES_MOVE_WITH_PAYMENT = 'and its planned dates move later by as long as the payment takes';

/** What a cancellation leaves the client to expect (`cancellationSettlementInWords` in the project's state). */
const CANCELLATION_SETTLEMENT: Record<string, string> = {
  invoice: 'An invoice for the work accepted until now comes in an e-mail of its own.',
  credit_note: 'A credit note for the part of your prepayment due back to you comes in an e-mail of its own.',
  still_due: 'The invoices already sent to you stay due for the work they cover.',
  covered: 'What you have paid covers the work done until now: nothing more is billed.',
  nothing: 'Nothing is billed: you owe nothing for this project.',
};

const TEMPLATES: Record<NotificationTemplate, TemplateDefinition> = {
  // --- staff -----------------------------------------------------------------------------------
  task_opened: {
    link: 'task',
    // Given back by whoever held it: the department already had the "New task" mail for it.
    staff: (v) =>
      v.has('givenBackBy')
        ? {
            subject: `Open again: ${v.task} (${v.project})`,
            lines: [
              `${v.person('givenBackBy')} gave "${v.task}" for ${v.project} back to the department: it is open again.`,
              ...v.dueLine(),
              `Claim it in the portal if it is yours to take.`,
            ],
          }
        : {
            subject: `New task: ${v.task} (${v.project})`,
            lines: [
              `${capitalize(withArticle(v.department('new')))} task is open for ${v.project}: "${v.task}".`,
              ...v.dueLine(),
              ...v.line('Details', 'description'),
              `Claim it in the portal if it is yours to take.`,
            ],
          },
  },
  task_changes_requested: {
    link: 'task',
    staff: (v) => ({
      subject: `Changes requested: ${v.task} (${v.project})`,
      lines: [`Your delivery of "${v.task}" for ${v.project} was sent back for changes.`, ...v.line('Comment', 'comment'), ...v.dueLine()],
    }),
  },
  task_reassigned: {
    link: 'task',
    staff: (v) => ({
      subject: `Assigned to you: ${v.task} (${v.project})`,
      lines: [
        `"${v.task}" for ${v.project} is now assigned to you` +
          (v.has('previousAssigneeId') ? `, taken over from ${v.person('previousAssigneeId')}.` : '.'),
        ...v.dueLine(),
      ],
    }),
  },
  task_unassigned: {
    link: 'task',
    staff: (v) => ({
      subject: `Reassigned: ${v.task} (${v.project})`,
      lines: [
        `"${v.task}" for ${v.project} is now assigned to ${v.person('assigneeId', 'someone else')}; you no longer need to work on it.`,
      ],
    }),
  },
  task_deadline_reminder: {
    link: 'task',
    // The one holding the work gets it; work nobody has taken goes to the whole department, and
    // asks for a taker (the link opens the task, where it is claimed).
    staff: (v) => ({
      subject: `Reminder: ${v.task} (${v.project}) is due ${v.date('dueAt', 'soon')}`,
      lines: v.has('assigneeId')
        ? [`"${v.task}" for ${v.project}, which you hold, is due ${v.date('dueAt', 'soon')} and is not delivered yet.`]
        : [
            `"${v.task}" (${v.department()}) for ${v.project} is due ${v.date('dueAt', 'soon')}, and nobody has taken it yet.`,
            `Claim it in the portal if it is yours to take.`,
          ],
    }),
  },
  task_cancelled: {
    link: 'task',
    staff: (v) => ({
      subject: `Task cancelled: ${v.task} (${v.project})`,
      lines: [`"${v.task}" for ${v.project} was cancelled; no further work is needed.`, ...v.line('Reason', 'reason')],
    }),
  },

  // --- managers --------------------------------------------------------------------------------
  task_submitted: {
    link: 'task',
    staff: (v) => {
      // A delivery after changes were asked for, said as the review queue says it ("2nd delivery ·
      // after 1 round of changes"): `reviewRounds` counts the send-backs, and each delivery before
      // this one was sent back, so this is delivery rounds + 1 (the first delivery has no rounds).
      const rounds = Number(v.data.reviewRounds ?? 0);
      const delivery = ordinal(rounds + 1);
      const links = v.text('links', '').split('\n').filter((l) => l !== '');
      return {
        subject: rounds > 0 ? `Delivered again for review (${delivery} delivery): ${v.task} (${v.project})` : `Delivered for review: ${v.task} (${v.project})`,
        lines: [
          `${v.person('assigneeId', 'The assignee')} delivered "${v.task}" for ${v.project}` +
            (rounds > 0 ? ` again: its ${delivery} delivery, after ${plural(rounds, 'round')} of changes.` : '.') +
            ` Please review it.`,
          // Sent again as the project changed hands: the delivery is older than this mail.
          ...(v.has('handedOverFrom')
            ? [
                `You get this now because ${v.project} was handed over to you from ${v.person('handedOverFrom', 'another manager')}` +
                  (v.has('handedOverBy') && v.data.handedOverBy !== v.data.handedOverFrom ? ` by ${v.person('handedOverBy')}` : '') +
                  (v.has('submittedAt') ? `; the work was delivered ${v.date('submittedAt')}.` : '.'),
              ]
            : []),
          ...v.line('Summary', 'summary'),
          ...(links.length > 0 ? [`Links:`, ...links.map((l) => `  ${l}`)] : []),
        ],
      };
    },
  },
  task_overdue: {
    link: 'task',
    // The assignee's copy speaks to them; the manager's names who holds it.
    staff: (v) =>
      v.isReader('assigneeId')
        ? {
            subject: `Overdue: ${v.task} (${v.project})`,
            lines: [
              `"${v.task}" for ${v.project}, which you hold, ${v.wasDue()} and is not delivered.`,
              `Deliver it as soon as you can, or tell the project's manager, ${v.person('managerId', 'your manager')}, when it will come.`,
            ],
          }
        : {
            subject: `Overdue: ${v.task} (${v.project})`,
            lines: [
              `"${v.task}" (${v.department()}) for ${v.project} ${v.wasDue()} and is not delivered.`,
              `Assignee: ${v.person('assigneeId', 'nobody has taken it')}.`,
            ],
          },
  },
  task_review_due: {
    link: 'task',
    staff: (v) => ({
      subject: `Review due: ${v.task} (${v.project})`,
      lines: [
        `${v.person('assigneeId', 'The assignee')} delivered "${v.task}" for ${v.project} ${v.date('submittedAt', 'earlier')}, ` +
          `and it was to be reviewed by ${v.date('reviewDueAt', 'now')}.`,
        `Accept it or send it back with comments: the work waits on your review.`,
      ],
    }),
  },
  plan_overdue: {
    link: 'project',
    staff: (v) => ({
      subject: `No plan yet: ${v.project}`,
      lines: [
        v.data.planVersion !== undefined && Number(v.data.planVersion) > 1
          ? `Leadership sent the plan for ${v.project} back ${v.date('waitingSince', 'earlier')}, and version ${v.text('planVersion', '')} is not drafted yet.`
          : `The request from ${v.text('clientName', 'the client')} for ${v.project} came in ${v.date('waitingSince', 'earlier')} and has no plan yet.`,
        `The client is waiting for the agency's proposal: draft the plan in the portal.`,
      ],
    }),
  },
  plan_decided: {
    link: 'project',
    staff: (v) => {
      const decision = v.text('decision', '');
      // "Sent back", as the portal says: a plan that goes back is revised, not dropped.
      const verdict = decision === 'approve' ? 'approved' : decision === 'reject' ? 'sent back' : undefined;
      const prepayment = Number(v.data.prepaymentPercent ?? 0);
      return {
        subject: verdict ? `${capitalize(v.plan)} ${verdict}: ${v.project}` : `Decision on ${v.plan}: ${v.project}`,
        lines: [
          // "Leadership", as the portal says ("Leadership sent the plan back").
          `Leadership ${verdict ?? 'decided on'} ${v.plan} for ${v.project}` + (v.has('by') ? ` (${v.person('by')}).` : '.'),
          ...v.line('Comment', 'comment'),
          ...(verdict === 'approved'
            ? [prepayment > 0 ? `The work starts once the client has paid the prepayment (${prepayment}% of the plan's total); its invoice goes to the client now.` : 'The work starts now.']
            : verdict === 'sent back'
              ? ['Revise the plan and submit it again.']
              : []),
        ],
      };
    },
  },
  project_handed_over: {
    link: 'project',
    staff: (v) => ({
      subject: `Project handed over: ${v.project}`,
      lines: [
        `${capitalize(v.project)} for ${v.text('clientName', 'the client')} moves from ${v.person('from')} to ${v.person('to')}` +
          (v.has('by') && v.data.by !== v.data.from ? ` (handed over by ${v.person('by')}).` : '.'),
        ...v.line('Note', 'note'),
        `From now on ${v.person('to')} reviews its work, records the client's answers and is chased for what is late.`,
        ...(v.isReader('from') ? ['It has left your portfolio: only its manager and leadership open its page.'] : []),
      ],
      // The manager before can no longer open the project's page.
      ...(v.isReader('from') && { link: 'none' as const }),
    }),
    // The agency's internal note stays out of the client's copy.
    client: (v) => ({
      subject: `Your account manager for ${v.project}`,
      lines: [`From now on ${v.person('to')} is your account manager for ${v.project}, in place of ${v.person('from')}.`, v.reply('for anything about the project')],
    }),
  },
  projects_handed_over: {
    // A manager's whole handover, one mail for all its projects (each client hears from their project).
    link: 'portfolio',
    staff: (v) => {
      const handed = v.projectList('projects');
      const stayed = v.projectList('stayed');
      const count = plural(handed.length, 'project');
      const byWhom = v.has('by') && v.data.by !== v.data.from ? ` (handed over by ${v.person('by')})` : '';
      const forOld = v.isReader('from');
      const listed = (p: HandedProject, withLink: boolean) =>
        `- ${p.title ?? p.projectId}${p.clientName ? ` for ${p.clientName}` : ''}${withLink ? `: ${v.projectUrl(p.projectId)}` : ''}${p.reason ? ` (${p.reason})` : ''}`;
      return {
        subject: forOld ? `${count} handed over to ${v.person('to')}` : `${count} handed over from ${v.person('from')} to ${v.person('to')}`,
        lines: [
          `${count} of ${v.person('from')} ${handed.length === 1 ? 'moves' : 'move'} to ${v.person('to')}${byWhom}.`,
          ...v.line('Note', 'note'),
          `From now on ${v.person('to')} reviews their work, records the clients' answers and is chased for what is late; each client was told who their account manager is now.`,
          '',
          ...handed.map((p) => listed(p, !forOld)),
          ...(stayed.length > 0 ? ['', `Stayed with ${v.person('from')}, as they were:`, ...stayed.map((p) => listed(p, forOld))] : []),
        ],
      };
    },
  },
  tasks_reassigned: {
    // A "reassign all": one mail for all the tasks, to the one taking them and the one they were taken from.
    link: 'inbox',
    staff: (v) => {
      const moved = v.taskList('tasks');
      const stayed = v.taskList('stayed');
      const count = plural(moved.length, 'task');
      const forOld = v.isReader('from');
      const byWhom = v.has('by') ? ` by ${v.person('by')}` : '';
      // The one taking them reads what comes first: each moved task's due date, said plainly when it has passed.
      const due = (t: ListedTask) => {
        if (t.dueAt === undefined || Number.isNaN(Date.parse(t.dueAt))) return '';
        return v.hasPassed(t.dueAt) ? `, overdue since ${v.time(t.dueAt)}` : `, due ${v.time(t.dueAt)}`;
      };
      const listed = (t: ListedTask, withLink: boolean, withDue = false) =>
        `- ${t.title}${t.projectTitle ? ` (${t.projectTitle})` : ''}${withDue ? due(t) : ''}${withLink ? `: ${v.taskUrl(t.taskId)}` : ''}${t.reason ? ` (${t.reason})` : ''}`;
      if (forOld) {
        return {
          subject: `${count} of yours now with ${v.person('to')}`,
          lines: [
            `${count} you held ${moved.length === 1 ? 'was' : 'were'} given to ${v.person('to')}${byWhom}; you no longer need to work on ${moved.length === 1 ? 'it' : 'them'}.`,
            '',
            ...moved.map((t) => listed(t, false)),
            ...(stayed.length > 0 ? ['', 'Still yours, as they were:', ...stayed.map((t) => listed(t, true))] : []),
          ],
          link: stayed.length > 0 ? undefined : 'none',
        };
      }
      return {
        subject: `Assigned to you: ${count} from ${v.person('from')}`,
        lines: [
          `${count} that ${v.person('from')} held ${moved.length === 1 ? 'is' : 'are'} now assigned to you${byWhom}. Each page says what was done so far.`,
          '',
          ...moved.map((t) => listed(t, true, true)),
        ],
      };
    },
  },
  client_response_due: {
    link: 'project',
    staff: (v) => ({
      subject: `Client answer due: ${v.project}`,
      lines: [
        `${v.text('clientName', 'The client')} has not answered on the delivered work for ${v.project}; they were reminded.`,
        `Without an answer by ${v.date(v.pick('deemedAcceptedAt', 'dueAt'), 'the end of the acceptance window')} the work is deemed accepted.`,
      ],
    }),
    client: (v) => ({
      subject: `Your answer is due: ${v.project}`,
      lines: [
        `We have not yet heard from you about the work delivered for ${v.project}.`,
        `Please tell us by ${v.date(v.pick('deemedAcceptedAt', 'dueAt'), 'the end of the agreed review period')} whether you accept it ` +
          `or what should change. Without an answer by then, the work counts as accepted under the contract.`,
        `You can accept it, ask for changes or make a complaint on your project's page (the link below).`,
        v.reply('to ask anything about the work'),
      ],
    }),
  },
  // The client accepted on their own page (a manager who records an acceptance knows of it).
  client_accepted: {
    link: 'project',
    staff: (v) => ({
      subject: `Accepted by the client: ${v.project}`,
      lines: [
        `${v.text('clientContact', 'The client')} of ${v.text('clientName', 'the client')} accepted the delivered work for ${v.project} on their page, ` +
          `rating it ${v.text('rating', '?')} of 5.`,
        ...v.line('Their comment', 'comment'),
        `The acceptance act and the final invoice go to them now; nothing is needed from you.`,
      ],
    }),
  },
  // The client asked for changes on their page: only the manager can make a round of it.
  changes_asked: {
    link: 'project',
    staff: (v) => ({
      subject: `Changes asked for by the client: ${v.project}`,
      lines: [
        `${v.has('clientContact') ? `${v.text('clientContact', '')} of ${v.text('clientName', 'the client')}` : v.text('clientName', 'The client')} ` +
          `asked for changes to the delivered work for ${v.project} on their page` +
          (v.has('description') ? `: “${v.text('description', '')}”` : '.'),
        `Record the round of changes in the portal (departments, due date and, beyond the rounds included, its price), or answer them there without one. ` +
          `Until you do, the review period is paused: the work is not deemed accepted meanwhile.`,
      ],
    }),
  },
  payment_overdue: {
    link: 'project',
    staff: (v) => ({
      subject: `Payment overdue: ${v.invoiceRef} (${v.project})`,
      lines: [
        `${capitalize(v.invoiceRef)} to ${v.text('clientName', 'the client')} for ${v.money()} ${v.wasDue()} and is not paid.`,
        ...takenBackForStaff(v),
        ...(v.data.startsWorkWhenPaid === true ? ['It is the prepayment the work waits for: nothing has started yet.'] : []),
        `The client was sent a payment reminder.`,
      ],
    }),
  },
  refund_overdue: {
    link: 'project',
    staff: (v) => ({
      subject: `Refund overdue: ${v.creditNoteRef} (${v.project})`,
      lines: [
        `The refund of ${v.money()} owed to ${v.text('clientName', 'the client')} on ${v.creditNoteRef} ${v.wasDue()} and is not recorded as paid out.`,
        ...takenBackForStaff(v),
        `Pay it to the account the client named and record the refund in the portal; the project cannot close until it is.`,
      ],
    }),
  },

  invoice_written_off: {
    link: 'project',
    staff: (v) => ({
      subject: `Written off: ${v.invoiceRef} (${v.project})`,
      lines: [
        `${v.has('by') ? v.person('by') : 'Leadership'} wrote off the ${v.money()} ${v.text('clientName', 'the client')} still owed on ${v.invoiceRef} of ${v.project}` +
          (Number(v.data.amountPaid ?? 0) > 0 ? ` (the ${v.money('amountPaid')} paid on it stands).` : '.'),
        ...v.line('Why', 'reason'),
        `It is no longer chased, and the client was not told: nothing more to do about it.`,
      ],
    }),
  },

  // --- leadership ------------------------------------------------------------------------------
  plan_waiting: {
    link: 'approvals',
    staff: (v) => ({
      subject: `${v.data.reminder ? 'Reminder: ' : ''}${capitalize(v.plan)} awaits approval: ${v.project}`,
      lines: [
        `${v.person('managerId', 'The account manager')} submitted ${v.plan} for ${v.project}` +
          (v.has('clientName') ? ` (${v.text('clientName', '')}).` : '.'),
        ...planAgainstRequest(v),
        `Please approve it or send it back with comments.`,
      ],
    }),
  },
  plan_approval_escalation: {
    link: 'approvals',
    staff: (v) => ({
      subject: `Escalation: ${v.plan} for ${v.project} still awaits approval`,
      lines: [
        `${capitalize(v.plan)} for ${v.project} was submitted ${v.date(v.pick('waitingSince', 'submittedAt'), 'earlier')} and has no decision yet.`,
        `The client is waiting for the agency's answer.`,
      ],
    }),
  },
  plan_overdue_escalation: {
    link: 'project',
    staff: (v) => ({
      subject: `Escalation: still no plan for ${v.project}`,
      lines: [
        `${v.project} for ${v.text('clientName', 'the client')} has waited for ${Number(v.data.planVersion ?? 1) > 1 ? `version ${v.text('planVersion', '')} of its plan` : 'a plan'} since ${v.date('waitingSince', 'earlier')}; ` +
          `its manager, ${v.person('managerId', 'the account manager')}, was reminded.`,
        `The client is waiting for the agency's answer.`,
      ],
    }),
  },
  task_escalation: {
    link: 'task',
    staff: (v) => ({
      subject: `Escalation: ${v.task} (${v.project}) is overdue`,
      lines: [
        `"${v.task}" (${v.department()}) for ${v.project} ${v.wasDue()} and is still not delivered.`,
        `Assignee: ${v.person('assigneeId', 'nobody has taken it')}.`,
        // Leadership goes to the project's manager first.
        `Manager: ${v.person('managerId', 'the project’s manager')}.`,
      ],
    }),
  },
  task_review_escalation: {
    link: 'task',
    staff: (v) => ({
      subject: `Escalation: ${v.task} (${v.project}) waits for its review`,
      lines: [
        `"${v.task}" (${v.department()}) for ${v.project} was delivered ${v.date('submittedAt', 'earlier')} and is still not reviewed; ` +
          `the review was due ${v.date('reviewDueAt', 'earlier')}.`,
        `Manager: ${v.person('managerId', 'the project’s manager')}.`,
      ],
    }),
  },
  complaint_filed: {
    link: 'project',
    staff: (v) => ({
      subject: `Complaint from ${v.text('clientName', 'a client')}: ${v.project}`,
      lines: [
        v.has('clientContact')
          ? `${v.text('clientContact', '')} of ${v.text('clientName', 'the client')} made a complaint about ${v.project} on their page.`
          : `A complaint was recorded on ${v.project}${v.has('by') ? ` by ${v.person('by')}` : ''}.`,
        ...v.line('Complaint', 'description'),
        // Made after the completed project's window: its workflow runs again until it is settled.
        ...(v.has('afterWindow')
          ? [`The project had completed${v.has('complaintsHeardUntil') ? ` and heard complaints until ${v.date('complaintsHeardUntil')}` : ''}: it is open again until this is settled.`]
          : []),
        `It needs a resolution.`,
      ],
    }),
  },
  complaint_unresolved: {
    link: 'project',
    staff: (v) => ({
      subject: `Complaint still unresolved: ${v.project}`,
      lines: [
        `The complaint ${v.has('clientName') ? `from ${v.text('clientName', '')} ` : ''}recorded ${v.date('recordedAt', 'earlier')} on ${v.project} ` +
          `has no resolution yet` +
          (v.has('dueAt') ? `; it was to be resolved by ${v.date('dueAt')}.` : '.'),
        ...v.line('Complaint', 'description'),
        v.has('cancelled')
          ? `The project is cancelled and its bill settled as it stands: resolve it in the portal without a compensation.`
          : `Resolve it in the portal (with the compensation, if one was agreed with the client); the project cannot close while it is open.`,
      ],
    }),
  },
  payment_escalation: {
    link: 'project',
    staff: (v) => ({
      subject: `Escalation: ${v.invoiceRef} unpaid (${v.project})`,
      lines: [
        `${capitalize(v.invoiceRef)} to ${v.text('clientName', 'the client')} for ${v.money()} ${v.wasDue()} ` +
          `and is still not paid after a reminder to the client.`,
        ...takenBackForStaff(v),
        ...(v.data.startsWorkWhenPaid === true ? ['It is the prepayment the work waits for: nothing has started yet.'] : []),
      ],
    }),
  },
  refund_escalation: {
    link: 'project',
    staff: (v) => ({
      subject: `Escalation: refund on ${v.creditNoteRef} not paid out (${v.project})`,
      lines: [
        `The refund of ${v.money()} the agency owes ${v.text('clientName', 'the client')} on ${v.creditNoteRef} ${v.wasDue()} ` +
          `and is still not recorded as paid out after a reminder to the manager.`,
        ...takenBackForStaff(v),
      ],
    }),
  },
  project_cancelled: {
    link: 'project',
    staff: (v) => ({
      subject: `Project cancelled: ${v.project}`,
      lines: [
        `${capitalize(v.project)} was cancelled` +
          (v.has(v.pick('cancelledBy', 'by')) ? ` by ${v.person(v.pick('cancelledBy', 'by'))}` : '') +
          (v.data.noWorkStarted === true
            ? ', before any work started.'
            : ` ${cancelledWhile(v.text('stage', '')) ?? ''}`.trimEnd() +
              (v.data.noWorkOpen === true ? ', with all its work already accepted: no work was stopped.' : '.')),
        ...v.line('Reason', 'reason'),
        ...cancellationMoney(v),
      ],
    }),
    // The reason is the agency's own words: the client hears what it means for them.
    client: (v) => ({
      subject: `Your project is cancelled: ${v.project}`,
      lines: [
        // "Stopped" only where work was open; notices queued before `noWorkOpen` existed keep their old words.
        v.data.noWorkStarted === true
          ? `${capitalize(v.project)} is cancelled; no work on it had started.`
          : v.data.noWorkOpen === true
            ? `${capitalize(v.project)} is cancelled; all the work on it had already been accepted, so none was left to stop.`
            : `We have stopped the work on ${v.project}: the project is cancelled.`,
        cancellationMoneyForClient(v) ??
          CANCELLATION_SETTLEMENT[String(v.data.settlement)] ??
          // Notices queued before the settlement travelled with them.
          `An invoice for the work done until now, or a credit note for a prepayment due back to you, comes in an e-mail of its own.`,
        v.reply('questions about it'),
      ],
    }),
  },
  project_completed: {
    link: 'project',
    staff: (v) => {
      const accepted = Number(v.data.tasksAccepted ?? 0);
      const rounds = Number(v.data.revisionRounds ?? 0);
      const complaints = Number(v.data.complaints ?? 0);
      return {
        subject: `Project completed: ${v.project}`,
        lines: [
          `${capitalize(v.project)} for ${v.text('clientName', 'the client')} is completed: ` +
            (v.data.acceptance === 'deemed' ? `the work counts as accepted (the client did not answer within the review period)` : `the client accepted the work`) +
            (Number(v.data.writtenOff ?? 0) > 0 ? ` and every invoice is settled or written off.` : ` and every invoice is settled.`),
          ...(v.has('tasksAccepted') ? [`${plural(accepted, 'task')} accepted, ${v.text('tasksOnTime', '0')} first delivered on time; ${plural(rounds, 'client revision round')}.`] : []),
          ...(v.has('rating') ? [`The client rated the work ${v.text('rating', '')} / 5.`] : []),
          ...(v.has('complaints') && complaints > 0 ? [`${plural(complaints, 'complaint')}, all resolved.`] : []),
          ...(v.has('amount') ? [`Billed ${v.money()}, net of credit notes.`] : []),
          ...(Number(v.data.writtenOff ?? 0) > 0 ? [`${v.money('writtenOff')} of it was written off, not paid.`] : []),
          // The project still hears complaints for its policy's window.
          ...(v.has('complaintsHeardUntil') ? [`A complaint about the work can still be recorded on the project until ${v.date('complaintsHeardUntil')}.`] : []),
          `The final report is attached.`,
        ],
      };
    },
  },
  leadership_digest: {
    // The weekly digest (workflows/leadership-digest): what the portfolio page's tiles say, in a mail.
    link: 'portfolio',
    staff: (v) => weeklyDigest(v, 'leadership'),
  },
  manager_digest: {
    // A manager's weekly digest (workflows/manager-digest): their own projects, what waits on them first.
    link: 'portfolio',
    staff: (v) => weeklyDigest(v, 'manager'),
  },

  // --- clients (a copy to staff reads as a record of what the client was told) ----------------
  // delivery_ready prints `respondBy` (the end of the acceptance window) when the workflow sends it.
  delivery_ready: {
    link: 'project',
    staff: (v) => ({
      subject: `Delivered to the client: ${v.project}`,
      lines: [
        `The work on ${v.project}${revisionRound(v)} was sent to ${v.text('clientName', 'the client')} for review.`,
        ...(v.has('respondBy') ? [`They were asked to answer by ${v.date('respondBy')}.`] : []),
        `They can accept it, ask for changes or complain on their project's page (you are told when they do); record any other answer in the portal once they reply.`,
      ],
    }),
    client: (v) => ({
      subject: `Ready for your review: ${v.project}`,
      lines: [
        `The work on ${v.project}${revisionRound(v)} is ready for your review.`,
        `Please tell us ` +
          (v.has('respondBy') ? `by ${v.date('respondBy')} ` : '') +
          `whether you accept it or what should change.`,
        // The page the mail's last line links to takes an acceptance, a request for changes or a complaint.
        `You can accept it, ask for changes or make a complaint on your project's page (the link below).`,
        v.reply('to ask anything about the work'),
      ],
    }),
  },
  invoice_issued: {
    link: 'project',
    staff: (v) => ({
      subject: `Issued: ${v.invoiceRef} (${v.project})`,
      lines: [
        `${capitalize(v.invoiceRef)} for ${v.money()} was sent to ${v.text('clientName', 'the client')}` +
          (v.has('dueAt') ? `, due ${v.date('dueAt')}.` : '.'),
        ...(v.data.deemedAccepted === true ? ['The client did not answer within the review period: the work counts as accepted, and the mail tells them so.'] : []),
      ],
    }),
    client: (v) => ({
      subject: `${capitalize(v.invoiceRef)}: ${v.project}`,
      lines: [
        ...(v.data.deemedAccepted === true
          ? [`We did not hear from you within the review period, so under the contract the work delivered for ${v.project} counts as accepted.`]
          : []),
        `${capitalize(v.invoiceRef)} for ${v.project} is attached: ${v.money()}` + (v.has('dueAt') ? `, due ${v.date('dueAt')}.` : '.'),
        ...(v.data.kind === 'prepayment'
          ? [`It is the prepayment agreed in the contract` + (v.data.startsWorkWhenPaid === true ? `: the work starts as soon as it is paid, ${DATES_MOVE_WITH_PAYMENT}.` : '.')]
          : []),
        ...(v.has('alsoAttach') && v.data.alsoAttachKind === 'contract' ? ['The contract for the work, as agreed, is attached too.'] : []),
        ...(v.has('alsoAttach') && v.data.alsoAttachKind === 'acceptance_act'
          ? ['The acceptance act for the work delivered is attached too: please sign it and send a signed copy back to your account manager.']
          : []),
        `Please pay it by bank transfer to the account printed on the invoice` +
          (v.has('invoiceNumber') ? `, quoting ${v.text('invoiceNumber', '')} as the payment reference.` : '.'),
        v.reply('questions about it'),
      ],
    }),
  },
  invoice_voided: {
    link: 'project',
    staff: (v) => ({
      subject: `Voided: ${v.invoiceRef} (${v.project})`,
      lines: [`${capitalize(v.invoiceRef)} to ${v.text('clientName', 'the client')} is void: ${v.money('amountVoided')} of it is no longer owed.`, ...v.line('Reason', 'reason')],
    }),
    client: (v) => ({
      subject: `Cancelled: ${v.invoiceRef} (${v.project})`,
      lines: [
        `${capitalize(v.invoiceRef)} for ${v.project} is cancelled: ${v.money('amountVoided')} of it is no longer owed. Please do not pay it.`,
        ...(Number(v.data.amountPaid) > 0 ? [`What you already paid on it (${v.money('amountPaid')}) is counted in the final settlement.`] : []),
        ...v.line('Reason', 'reason'),
        v.reply('questions about it'),
      ],
    }),
  },
  credit_note_issued: {
    link: 'project',
    // Set against an unpaid invoice (`setAgainst`), only `refundOwed` is paid out, and the client
    // learns what that invoice still asks.
    staff: (v) => ({
      subject: `Credit note issued: ${v.project}`,
      lines: [
        `${v.text('clientName', 'The client')} is owed a refund of ${v.money(v.pick('refundOwed', 'amount'))}` +
          (v.has('invoiceNumber') ? ` on credit note ${v.text('invoiceNumber', '')}` : '') +
          (v.has('dueAt') ? `, due ${v.date('dueAt')}.` : '.') +
          (v.has('setAgainst')
            ? ` The credit note is for ${v.money()}; ${v.money('setOffAmount')} of that was set against ${v.text('setAgainst', '')}, which the client had not paid.`
            : ''),
        `Pay it to the account the client names and record the refund in the portal.`,
      ],
    }),
    client: (v) => {
      const refunded = !v.has('refundOwed') || Number(v.data.refundOwed) > 0;
      return {
        subject: v.has('invoiceNumber') ? `Credit note ${v.text('invoiceNumber', '')}: ${v.project}` : `Credit note: ${v.project}`,
        lines: [
          `We ${v.has('setAgainst') ? 'credit' : 'owe'} you ${v.money()} for ${v.project}: ` +
            (v.has('compensationFor')
              ? `the compensation we agreed with you in resolving your complaint. `
              : v.has('overpaymentOf')
                ? `you paid us that much more than invoice ${v.text('overpaymentOf', '')} asked. `
                : `your prepayment was more than the work accepted before the project was cancelled. `) +
            `The credit note is attached.`,
          ...(v.has('setAgainst')
            ? [
                `We have taken ${v.money('setOffAmount')} of it off ${v.text('setAgainst', '')}, which you had not paid in full: ` +
                  (Number(v.data.stillOwed) > 0 ? `it now asks ${v.money('stillOwed')}.` : `nothing is left to pay on it now.`),
              ]
            : []),
          ...(refunded
            ? [
                `We refund ${v.has('setAgainst') ? `the rest, ${v.money('refundOwed')},` : 'it'} by bank transfer` +
                  (v.has('dueAt') ? ` by ${v.date('dueAt')}` : '') +
                  `. We do not have your bank details: ` +
                  `please send us the account to pay it to (account holder, IBAN or account number, bank name and BIC/SWIFT)` +
                  (v.has('invoiceNumber') ? `, quoting ${v.text('invoiceNumber', '')}.` : '.'),
                v.reply('to send them'),
              ]
            : [v.reply('questions about it')]),
        ],
      };
    },
  },
  // A part-paid invoice is chased for the rest: the reminder says what came in and what is open
  // (its data carries only what is owed; the snapshot gives what was paid).
  payment_reminder: {
    link: 'project',
    staff: (v) => {
      const part = partPaidAtReminder(v);
      return {
        subject: `Payment reminder sent: ${v.invoiceRef} (${v.project})`,
        lines: [
          `${v.text('clientName', 'The client')} was reminded that ${v.invoiceRef} ` +
            (part ? `(${v.money()} of ${part.total} still open, ${part.received} received)` : `(${v.money()})`) +
            ` ${v.wasDue()}.`,
        ],
      };
    },
    client: (v) => {
      const part = partPaidAtReminder(v);
      const waitsForIt = v.data.startsWorkWhenPaid === true;
      return {
        subject: `Payment reminder: ${v.invoiceRef}`,
        lines: [
          ...(part
            ? [
                `${capitalize(v.invoiceRef)} for ${v.project} (${part.total}) ${v.wasDue()}. ` +
                  `We received ${part.received} of it ${part.when}; ${v.money()} is still open.`,
                ...(waitsForIt ? [`It is the prepayment: the work on ${v.project} starts as soon as the rest is paid, ${DATES_MOVE_WITH_PAYMENT}.`] : []),
              ]
            : [
                `${capitalize(v.invoiceRef)} for ${v.project} (${v.money()}) ${v.wasDue()} and we have not received the payment yet.`,
                ...(waitsForIt ? [`It is the prepayment: the work on ${v.project} starts as soon as it is paid, ${DATES_MOVE_WITH_PAYMENT}.`] : []),
              ]),
          ...takenBackForClient(v),
          `Please pay ${part ? `the ${v.money()} still open` : 'it'} to the bank account printed on the invoice` +
            (v.has('invoiceNumber') ? `, quoting ${v.text('invoiceNumber', '')} as the payment reference.` : '.'),
          v.reply('if you have already paid, please tell us the date and reference of the payment'),
        ],
      };
    },
  },
  // A project without a prepayment: the work starts at approval, and the client gets the contract.
  work_started: {
    link: 'project',
    staff: (v) => ({
      subject: `Work started: ${v.project}`,
      lines: [`${v.text('clientName', 'The client')} was told that the work on ${v.project} has started, with the contract attached.`],
    }),
    client: (v) => ({
      subject: `The work on ${v.project} has started`,
      lines: [
        `The plan for ${v.project} is agreed and the work has started.`,
        `The contract for the work is attached for your records.`,
        v.reply('questions about it'),
      ],
    }),
  },
  // Nothing left to bill (the prepayment, or compensations, covered the plan): no final invoice
  // carries the act, so it goes to the client on its own, to sign.
  acceptance_act_to_sign: {
    link: 'project',
    staff: (v) => ({
      subject: `Acceptance act sent: ${v.project}`,
      lines: [
        `${v.text('clientName', 'The client')} was sent the acceptance act for ${v.project} to sign.` +
          (v.has('covered') ? ` No final invoice: ${v.text('covered', '')} covers the whole plan.` : '') +
          (v.has('unpaidInvoices') ? ` Still unpaid: ${v.money('stillOwed')} on ${v.text('unpaidInvoices', '')}.` : ''),
      ],
    }),
    client: (v) => ({
      subject: `Acceptance act to sign: ${v.project}`,
      lines: [
        v.data.deemedAccepted === true
          ? `We did not hear from you within the review period, so under the contract the work delivered for ${v.project} counts as accepted.`
          : `Thank you for accepting the work on ${v.project}.`,
        `The acceptance act for the work delivered is attached: please sign it and send a signed copy back to your account manager.`,
        ...(v.has('unpaidInvoices')
          ? [
              `No final invoice follows` + (v.has('covered') ? `: ${v.text('covered', '')} covers the whole plan. ` : '. ') +
                `What is still to pay is ${v.money('stillOwed')} on ${v.text('unpaidInvoices', '')}, as that invoice says.`,
            ]
          : [`There is nothing left to pay` + (v.has('covered') ? `: ${v.text('covered', '')} covered the whole plan.` : '.')]),
        v.reply('questions about it'),
      ],
    }),
  },
  // The agency's own payment to the client: a refund owed on a credit note, paid out.
  refund_paid: {
    link: 'project',
    staff: (v) => ({
      subject: `Refund paid: ${v.creditNoteRef} (${v.project})`,
      lines: [`${v.text('clientName', 'The client')} was told that ${v.money()} was refunded on ${v.creditNoteRef}.`],
    }),
    client: (v) => {
      const left = Number(v.data.stillOwed ?? 0);
      return {
        subject: `Your refund is on its way: ${v.project}`,
        lines: [
          `We have paid you ${v.money()} by bank transfer` +
            (v.has('paidAt') ? ` on ${v.date('paidAt')}` : '') +
            ` for ${v.creditNoteRef}` +
            (v.has('reference') ? ` (payment reference ${v.text('reference', '')}).` : '.'),
          left > 0 ? `${v.money('stillOwed')} of it is still to come.` : `Nothing more is owed to you on it.`,
          v.reply('if it has not arrived within a few working days'),
        ],
      };
    },
  },
  // The client's complaint closed: when they made it and in their words (how it was resolved is
  // the agency's own note, told to them by their manager), and where an agreed compensation goes.
  complaint_resolved: {
    link: 'project',
    staff: (v) => ({
      subject: `Complaint resolved: ${v.project}`,
      lines: [
        `${v.text('clientName', 'The client')} was told that their complaint of ${v.date('recordedAt', 'earlier')} is resolved` +
          (v.has('amount') ? `, with a compensation of ${v.money()}.` : '.'),
      ],
    }),
    client: (v) => ({
      subject: `Your complaint is resolved: ${v.project}`,
      lines: [
        `We have resolved your complaint of ${v.date('recordedAt', 'earlier')} about ${v.project}` +
          (v.has('description') ? `: “${v.text('description', '')}”.` : '.'),
        ...(v.has('amount')
          ? [
              `We agreed a compensation of ${v.money()}: ` +
                (v.data.settledBy === 'credit_note'
                  ? `your final invoice is already out, so a credit note for it follows in a separate e-mail.`
                  : `it is taken off your final invoice.`),
            ]
          : []),
        v.reply('if anything about it is still not right'),
      ],
    }),
  },
  // The manager answered the client's request for changes without a round: why, and that the review goes on.
  change_request_declined: {
    link: 'project',
    staff: (v) => ({
      subject: `Answered without a round of changes: ${v.project}`,
      lines: [
        `${v.text('clientName', 'The client')} was told that no round of changes follows their request of ${v.date('askedAt', 'earlier')}` +
          (v.has('reply') ? `, and why: “${v.text('reply', '')}”` : '.'),
      ],
    }),
    client: (v) => ({
      subject: `About the changes you asked for: ${v.project}`,
      lines: [
        `You asked on ${v.date('askedAt', 'your project page')} for changes to the work on ${v.project}` + (v.has('description') ? `: “${v.text('description', '')}”.` : '.'),
        `We will not make them as a round of changes` + (v.has('reply') ? `, and this is why: “${v.text('reply', '')}”` : '.'),
        `The work is with you for review again: you can accept it, ask for changes again or make a complaint on your project's page (the link below).`,
        v.reply('to talk it over'),
      ],
    }),
  },
  // The end of the cycle, for the client: thanks, and until when a flaw in the work is still heard
  // (the project's complaint window). No report: the management report is the agency's own.
  project_completed_for_client: {
    link: 'project',
    staff: (v) => ({
      subject: `Completion sent to the client: ${v.project}`,
      lines: [`${v.text('clientName', 'The client')} was told that ${v.project} is completed, and to tell us by ${v.date('complaintsHeardUntil')} if something is not right.`],
    }),
    client: (v) => ({
      subject: `Your project is completed: ${v.project}`,
      lines: [
        `${capitalize(v.project)} is completed and paid in full. Thank you for working with us.`,
        `If something is not right with the work, please tell us by ${v.date('complaintsHeardUntil')}: we will put it right.`,
        v.reply('to tell us, or with anything else'),
      ],
    }),
  },
  // A flaw found after completion is being put right: the client hears which teams redo it and
  // by when (never the manager's instruction to them, which is the agency's own).
  complaint_rework_started: {
    link: 'project',
    staff: (v) => ({
      subject: `Fix under way: ${v.project}`,
      lines: [
        `${v.text('clientName', 'The client')} was told that ${v.text('departments', 'the team')} ${v.text('departmentCount', '1') === '1' ? 'redoes' : 'redo'} ` +
          `the work for their complaint of ${v.date('recordedAt', 'earlier')}, by ${v.date('dueAt')}.`,
      ],
    }),
    client: (v) => {
      const teams = v.text('departmentCount', '1') === '1' ? 'team is' : 'teams are';
      return {
        subject: `We are putting it right: ${v.project}`,
        lines: [
          `Thank you for telling us what is not right with ${v.project}` + (v.has('description') ? `: “${v.text('description', '')}”.` : '.'),
          `Our ${v.text('departments', '')} ${teams} redoing that work; it is due by ${v.date('dueAt')}. We will write to you once it is done.`,
          v.reply('questions about it'),
        ],
      };
    },
  },
  // A receipt: the client learns their money arrived, what is left on the invoice, and (for the
  // prepayment the work waits for) that the work starts.
  payment_received: {
    link: 'project',
    staff: (v) => ({
      subject: `Payment received: ${v.invoiceRef} (${v.project})`,
      lines: [`${v.text('clientName', 'The client')} was told that ${v.money()} arrived on ${v.invoiceRef}.`],
    }),
    client: (v) => {
      const left = Number(v.data.stillOwed ?? 0);
      return {
        subject: `Payment received: ${v.invoiceRef} (${v.project})`,
        lines: [
          `Thank you: we received ${v.money()} for ${v.invoiceRef}` + (v.has('reference') ? ` (your reference ${v.text('reference', '')}).` : '.'),
          left > 0
            ? `${v.money('stillOwed')} of it is still to pay` +
              // A part payment after the due date: the rest is late already, as a reminder says it.
              (!v.has('dueAt') ? '.' : v.isPast('dueAt') ? `; it ${v.wasDue()}, so please pay it as soon as you can.` : `, due ${v.date('dueAt')}.`)
            : `The invoice is paid in full.`,
          // Paid beyond what it asked: the excess comes back, by a credit note of its own.
          ...(Number(v.data.overpaid ?? 0) > 0
            ? [`That is ${v.money('overpaid')} more than it asked: we return it with a credit note — taken off what you have still to pay us, or refunded.`]
            : []),
          ...(v.data.startsWork === true ? [`The work on ${v.project} starts now.`] : []),
          // Part of the prepayment the work waits for: nothing starts yet, and the client should
          // not read the receipt as the go-ahead. Only when the snapshot says the project waits.
          ...(left > 0 && waitsForThisPrepayment(v) ? [`It is the prepayment: the work on ${v.project} starts as soon as the rest is paid.`] : []),
          v.reply('questions about it'),
        ],
      };
    },
  },
  // A payment the client made that the bank sent back (a bounced transfer, a chargeback): the
  // invoice is open again, with the invoice attached to pay it from. (A payment the agency had
  // entered by mistake is corrected without a mail.)
  payment_returned: {
    link: 'project',
    staff: (v) => ({
      subject: `Payment returned: ${v.invoiceRef} (${v.project})`,
      lines: [`${v.text('clientName', 'The client')} was told that ${v.money()} on ${v.invoiceRef} came back from the bank and is owed again.`],
    }),
    client: (v) => ({
      subject: `Your payment came back: ${v.invoiceRef} (${v.project})`,
      lines: [
        `Your payment of ${v.money()}` +
          (v.has('paidAt') ? ` of ${v.date('paidAt')}` : '') +
          (v.has('reference') ? ` (reference ${v.text('reference', '')})` : '') +
          ` for ${v.invoiceRef} was returned to you by the bank, so it has not reached us.`,
        `${v.money('stillOwed')} is open on ${v.invoiceRef}` +
          (!v.has('dueAt') ? '.' : v.isPast('dueAt') ? `; it ${v.wasDue()}, so please pay it again as soon as you can.` : `, due ${v.date('dueAt')}.`),
        v.reply('questions about it, or if the money did leave your account'),
      ],
    }),
  },
};

/**
 * A reminder or escalation of an invoice owed again because a payment on it was taken back: which
 * payment, when, and why — said to the agency's people.
 */
function takenBackForStaff(v: Values): string[] {
  if (!v.has('takenBackReference')) return [];
  const why = v.data.takenBackCause === 'returned_by_bank' ? 'the bank returned it' : 'it had been entered by mistake';
  return [
    `It is chased again: the payment of ${v.money('takenBackAmount')} under reference ${v.text('takenBackReference', '')} was taken back ` +
      `on ${v.date('takenBackAt')} (${why}).`,
  ];
}

/** The same for the client: their money came back from their bank, or a payment was recorded for them by mistake. */
function takenBackForClient(v: Values): string[] {
  if (!v.has('takenBackReference')) return [];
  const payment = `the payment of ${v.money('takenBackAmount')} (reference ${v.text('takenBackReference', '')})`;
  return [
    v.data.takenBackCause === 'returned_by_bank'
      ? `As we wrote to you on ${v.date('takenBackAt')}, ${payment} came back from your bank, so it has not reached us.`
      : `We had recorded ${payment} for it by mistake and corrected that on ${v.date('takenBackAt')}: it has not reached us.`,
  ];
}

/** The stages the digest counts as work under way, in words, in the order a project goes through them. */
const DIGEST_STAGES: [ProjectStage, string][] = [
  ['intake', 'waiting for a plan'],
  ['planning', 'being planned'],
  ['awaiting_approval', 'waiting for approval'],
  ['in_production', 'in production'],
  ['client_review', 'with the client for review'],
  ['invoicing', 'waiting for the final payment'],
];

/** A holder of work the digests name (activities/digest.ts `HolderGone`), with what they hold. */
type GoneHolder = HolderGone & { running?: number; inWork?: number };

const NOW_IN_ROLE: Record<Role, string> = { leadership: 'now in leadership', manager: 'now an account manager', staff: 'now department staff' };

/** `anton.left`, or `Lena Director, now in leadership` for one the directory still knows in another role. */
const goneHolder = (h: GoneHolder): string => (h.name ? `${h.name}${h.nowRole ? `, ${NOW_IN_ROLE[h.nowRole]}` : ''}` : h.personId);

/**
 * A weekly digest in words: the projects under way by stage, then only what needs someone, each
 * list with its projects' links; a week with none of those says so in one line. Leadership's
 * covers the agency (plans to decide, late work, complaints, money past due, refunds owed); a
 * manager's covers their own projects and starts with what only they can do (deliveries to
 * review, plans to write), the plans with leadership after them.
 */
function weeklyDigest(v: Values, reader: 'leadership' | 'manager'): { subject: string; lines: string[] } {
  const count = (key: string): number => Number(v.data[key] ?? 0) || 0;
  const json = <T,>(key: string): T | undefined => {
    try {
      return v.has(key) ? (JSON.parse(String(v.data[key])) as T) : undefined;
    } catch {
      return undefined;
    }
  };
  const byStage = json<Partial<Record<ProjectStage, number>>>('byStage') ?? {};
  const stages = DIGEST_STAGES.filter(([stage]) => (byStage[stage] ?? 0) > 0).map(([stage, words]) => `${byStage[stage]} ${words}`);
  const list = (key: string, total: number, since: string): string[] => {
    const items = v.projectList(key);
    const more = total - items.length;
    return [
      ...items.map(
        (p) =>
          `- ${p.title ?? p.projectId}${p.clientName ? ` for ${p.clientName}` : ''}${p.reason ? `, ${p.reason}` : ''}${p.since ? `, ${since} ${v.day(p.since)}` : ''}: ${v.projectUrl(p.projectId)}`,
      ),
      ...(more > 0 ? [`- and ${plural(more, 'more project')}: see the portfolio`] : []),
    ];
  };
  const byDepartment = json<Partial<Record<Department, { overdue: number }>>>('tasksByDepartment') ?? {};
  const lateByDepartment = Object.entries(byDepartment)
    .filter(([, d]) => (d?.overdue ?? 0) > 0)
    .map(([department, d]) => `${departmentName(department as Department)} ${d!.overdue}`);

  const needs: string[][] = [];
  if (reader === 'manager') {
    // Counted in deliveries, listed by project: how many each has, and since when the oldest waits.
    const toReview = count('deliveriesToReview');
    if (toReview > 0) needs.push([`Deliveries waiting for your review: ${toReview}`, ...list('deliveriesList', count('deliveryProjects'), 'waiting since')]);
    if (count('plansToWrite') > 0) needs.push([`Plans to write: ${count('plansToWrite')}`, ...list('plansToWriteList', count('plansToWrite'), 'waiting since')]);
    if (count('plansWaiting') > 0) needs.push([`Plans with leadership for their decision: ${count('plansWaiting')}`, ...list('plansWaitingList', count('plansWaiting'), 'sent')]);
  } else if (count('plansWaiting') > 0) {
    needs.push([`Plans waiting for your decision: ${count('plansWaiting')}`, ...list('plansWaitingList', count('plansWaiting'), 'waiting since')]);
  }
  if (count('overdueProjects') + count('overdueTasks') > 0) {
    needs.push([
      `Late: ${plural(count('overdueProjects'), 'project')} past the client's date, ${plural(count('overdueTasks'), 'task')} past due` +
        (lateByDepartment.length > 0 ? ` (${lateByDepartment.join(', ')})` : '') +
        '.',
    ]);
  }
  if (reader === 'leadership' && count('overloadedCount') > 0) {
    const people = json<{ personId: string; name?: string; hours: number; tasks: number }[]>('overloaded') ?? [];
    const more = count('overloadedCount') - people.length;
    needs.push([
      `Overloaded, above ${count('overloadHours')} h in work: ${count('overloadedCount') === 1 ? '1 person' : `${count('overloadedCount')} people`}`,
      ...people.map((p) => `- ${p.name ?? p.personId}: ${p.hours} h in ${plural(p.tasks, 'task')}: ${v.workInHandUrl(p.personId)}`),
      ...(more > 0 ? [`- and ${more} more: see the KPIs`] : []),
    ]);
  }
  // Work nobody moves on until it is handed over or reassigned. A manager's own projects never
  // have their manager gone (it is them): theirs names tasks only, to reassign.
  if (count('goneManagersRunning') + count('goneHoldersInWork') > 0) {
    const managers = json<GoneHolder[]>('goneManagers') ?? [];
    const holders = json<GoneHolder[]>('goneHolders') ?? [];
    const more = count('goneManagersCount') - managers.length + count('goneHoldersCount') - holders.length;
    const totals = [
      ...(count('goneManagersRunning') > 0 ? [plural(count('goneManagersRunning'), 'project')] : []),
      ...(count('goneHoldersInWork') > 0 ? [plural(count('goneHoldersInWork'), 'task')] : []),
    ];
    needs.push([
      `Work of people no longer here — ${reader === 'leadership' ? 'hand it over or reassign it' : 'reassign it'}: ${totals.join(', ')}`,
      ...managers.map((m) => `- ${goneHolder(m)}: ${plural(m.running ?? 0, 'running project')}: ${v.managerPortfolioUrl(m.personId)}`),
      ...holders.map((t) => `- ${goneHolder(t)}: ${plural(t.inWork ?? 0, 'task')} in work: ${v.workInHandUrl(t.personId)}`),
      ...(more > 0 ? [`- and ${more} more: see the portfolio`] : []),
    ]);
  }
  if (count('openComplaints') > 0) {
    needs.push([
      `Open complaints: ${count('openComplaints')}${count('complaintsPastDue') > 0 ? `, ${count('complaintsPastDue')} past the time to resolve them` : ''}`,
      ...list('complaintsList', count('openComplaints'), 'to be resolved by'),
    ]);
  }
  if (count('unpaidPastDue') > 0) needs.push([`Projects with an invoice past due: ${count('unpaidPastDue')}`, ...list('unpaidList', count('unpaidPastDue'), 'due')]);
  if (count('refundsOwed') > 0) {
    needs.push([
      `Refunds the agency owes: ${count('refundsOwed')}${count('refundsPastDue') > 0 ? `, ${count('refundsPastDue')} past due` : ''}`,
      ...list('refundsList', count('refundsOwed'), 'due'),
    ]);
  }
  if (count('cancelledToSettle') > 0) needs.push([`Cancelled projects with money still to settle: ${count('cancelledToSettle')}.`]);

  const day = v.has('at') ? v.day(v.text('at', '')) : 'this week';
  const underWay = `Projects under way: ${count('active')}${stages.length > 0 ? ` (${stages.join(', ')})` : ''}.`;
  const quiet =
    reader === 'manager'
      ? 'Nothing waits on you: no delivery to review or plan to write, nothing late, disputed or owed.'
      : 'Nothing is waiting for a decision, late, disputed or owed.';
  return {
    subject: reader === 'manager' ? `Your projects this week, ${day}` : `Where the agency stands, ${day}`,
    lines: [reader === 'manager' ? `Your ${underWay.charAt(0).toLowerCase()}${underWay.slice(1)}` : underWay, ...(needs.length === 0 ? ['', quiet] : needs.flatMap((block) => ['', ...block]))],
  };
}

/**
 * What the client had paid on the invoice a reminder chases, in words: the total, what came in and
 * when. From the reminder's own data (`invoiceTotal`, `received`, `paymentsReceived`,
 * `lastPaidAt`: the invoice as it stood when the reminder was made), or for a reminder without
 * them from the snapshot, and then only while its invoice still owes what the reminder says (a
 * payment recorded since tells nothing about the reminder's moment); undefined when nothing was paid.
 */
function partPaidAtReminder(v: Values): { total: string; received: string; when: string } | undefined {
  if (v.has('invoiceTotal')) {
    const currency = v.text('currency', '');
    const count = Number(v.data.paymentsReceived ?? 0);
    if (!(Number(v.data.received ?? 0) > 0) || !(count > 0) || !v.has('lastPaidAt')) return undefined;
    const last = v.text('lastPaidAt', '');
    return {
      total: fmtMoney(Number(v.data.invoiceTotal), currency).trim(),
      received: fmtMoney(Number(v.data.received), currency).trim(),
      when: count === 1 ? `on ${v.day(last)}` : `in ${count} payments, the last on ${v.day(last)}`,
    };
  }
  const invoice = v.snapshot?.invoices.find((i) => i.number === v.data.invoiceNumber);
  if (!invoice || invoice.payments.length === 0 || invoice.paidAmount <= 0 || !v.has('amountOwed')) return undefined;
  if (toMinor(owedAmount(invoice), invoice.currency) !== toMinor(Number(v.data.amountOwed), invoice.currency)) return undefined;
  const lastPaidAt = invoice.payments.map((p) => p.paidAt).reduce((latest, at) => (Date.parse(at) > Date.parse(latest) ? at : latest));
  return {
    total: fmtMoney(invoice.amount, invoice.currency).trim(),
    received: fmtMoney(invoice.paidAmount, invoice.currency).trim(),
    when: invoice.payments.length === 1 ? `on ${v.day(lastPaidAt)}` : `in ${invoice.payments.length} payments, the last on ${v.day(lastPaidAt)}`,
  };
}

/**
 * Whether the receipt's invoice is the prepayment the project still waits for before any work
 * starts: as the receipt's data says (`waitsForPrepayment`), or for a receipt without it, the snapshot.
 */
function waitsForThisPrepayment(v: Values): boolean {
  if (v.data.waitsForPrepayment !== undefined) return v.data.kind === 'prepayment' && v.data.waitsForPrepayment === true;
  const project = v.snapshot;
  return v.data.kind === 'prepayment' && project !== undefined && waitingForPrepayment(project)?.invoice.number === v.data.invoiceNumber;
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
/** "a Design", "an Analytics", "an SEO" (said "ess-ee-oh"): by the sound the word starts with. */
const withArticle = (word: string): string => `${/^(?:[aeiou]|seo\b)/i.test(word) ? 'an' : 'a'} ${word}`;
/** "1 task", "3 tasks". */
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st. */
const ordinal = (n: number): string => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

const revisionRound = (v: Values): string =>
  Number(v.data.revisionRound) > 0 ? ` (revision round ${v.text('revisionRound', '')})` : '';

/**
 * A plan beside what the client asked for, as the approvals page flags it: its total against the
 * budget ("over budget by …"), and its last due date against the client's date ("ends after the
 * client's date"). The notice carries the total; the budget, the client's date and the plan's
 * dates come from the project's snapshot when the activity read it (a reminder carries no total
 * either). The client's date counts to the end of that day in the agency's zone, where every date in mails is.
 */
function planAgainstRequest(v: Values): string[] {
  const project = v.snapshot;
  const version = Number(v.data.planVersion ?? project?.pendingPlanVersion);
  const plan = project?.plans.find((p) => p.version === version);
  const totalKey = v.pick('total', 'amount');
  const currency = v.has('currency') ? v.text('currency', '') : (project?.budget.currency ?? '');
  const total = v.has(totalKey) ? Number(v.data[totalKey]) : plan?.total;
  // Notices made since 2026-12-05 night carry the budget, the client's date and the plan's last
  // due date (`planAgainstRequestFigures`); earlier ones are read against the snapshot.
  const carried = v.has('budget');
  const lines: string[] = [];
  if (total !== undefined && !Number.isNaN(total)) {
    const budget = carried ? { amount: Number(v.data.budget), currency: v.text('budgetCurrency', currency) } : project?.budget;
    const over = budget && budget.currency === currency ? subtractAmounts(total, budget.amount, currency) : undefined;
    lines.push(
      `Total: ${fmtMoney(total, currency).trim()}` +
        (over === undefined ? '.' : over > 0 ? `, over budget by ${fmtMoney(over, currency)} (budget ${fmtMoney(budget!.amount, currency)}).` : ` (budget ${fmtMoney(budget!.amount, currency)}).`),
    );
  }
  const lastDue = carried
    ? Date.parse(v.text('lastDueAt', ''))
    : plan?.tasks.map((t) => Date.parse(t.dueAt)).filter((t) => !Number.isNaN(t)).reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const desiredDeadline = carried ? v.text('clientDate', '') : project?.desiredDeadline;
  const clientDate = desiredDeadline ? Date.parse(desiredDeadline) : Number.NaN;
  if (lastDue !== undefined && Number.isFinite(lastDue) && !Number.isNaN(clientDate)) {
    const wanted = v.day(desiredDeadline!);
    const endOfClientDay = v.dates.endOfDay(wanted);
    const ends = v.time(new Date(lastDue).toISOString());
    lines.push(lastDue > endOfClientDay ? `It ends after the client's date (${wanted}): its last task is due ${ends}.` : `It ends ${ends}, by the client's date (${wanted}).`);
  }
  return lines;
}

/**
 * What a cancellation leaves to settle, for the manager and leadership: what the client still owes
 * and what goes back to them (the credit note the client was sent), from the invoices as they
 * stand after the settlement (`cancellationFigures`). Without them, what the settlement made, in words.
 */
/**
 * A cancellation's money as it stands after the settlement: the project's invoices and when it was
 * cancelled. Carried by the notice since 2026-12-06 (`settledInvoices` as JSON, `cancelledAt`);
 * for notices queued before, read from the snapshot. Undefined when neither says.
 */
function cancellationFigures(v: Values): { invoices: InvoiceView[]; cancelledAt?: string } | undefined {
  if (v.has('settledInvoices')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(v.data.settledInvoices));
    } catch {
      parsed = undefined;
    }
    const invoices = invoiceViewSchema.array().safeParse(parsed);
    if (invoices.success) return { invoices: invoices.data, ...(v.has('cancelledAt') && { cancelledAt: v.text('cancelledAt', '') }) };
  }
  const project = v.snapshot;
  return project && { invoices: project.invoices, ...(project.cancellation && { cancelledAt: project.cancellation.at }) };
}

function cancellationMoney(v: Values): string[] {
  const project = cancellationFigures(v);
  const settlement = String(v.data.settlement ?? '');
  if (!project) return CANCELLATION_SETTLEMENT_FOR_STAFF[settlement] ? [CANCELLATION_SETTLEMENT_FOR_STAFF[settlement]] : [];
  const owed = (i: InvoiceView): number => (i.status === 'open' ? owedAmount(i) : 0);
  const owing = project.invoices.filter((i) => i.kind !== 'credit_note' && owed(i) > 0);
  const refunds = project.invoices.filter((i) => i.kind === 'credit_note' && owed(i) > 0);
  const lines = [
    ...owing.map((i) => `The client still owes ${fmtMoney(owed(i), i.currency)} on invoice ${i.number}, due ${v.time(i.dueAt)}.`),
    ...refunds.map(
      (i) =>
        `${fmtMoney(owed(i), i.currency)} goes back to the client on credit note ${i.number}, to be refunded by ${v.time(i.dueAt)}: ` +
        `pay it to the account the client names and record the refund in the portal.`,
    ),
  ];
  if (lines.length > 0) return lines;
  if (settlement === 'covered' || settlement === 'nothing') return [CANCELLATION_SETTLEMENT_FOR_STAFF[settlement]];
  return project.invoices.length > 0 ? ['Nothing is left to settle: every invoice and credit note of the project is paid.'] : [CANCELLATION_SETTLEMENT_FOR_STAFF.nothing];
}

/**
 * What a cancellation leaves the client to pay or to get back, with its figures, in one line (the
 * notice carries only the kind of settlement; the paper it names follows in a mail of its own).
 * From the project's snapshot: the papers the settlement issued (a cancellation invoice, a credit
 * note issued since the cancellation) by the amount they print, and what invoices or credit notes
 * sent before still ask as it stands. Undefined without the cancelled project's snapshot: the
 * settlement's words are said instead.
 */
function cancellationMoneyForClient(v: Values): string | undefined {
  const project = cancellationFigures(v);
  if (project?.cancelledAt === undefined) return undefined;
  const cancelledAt = Date.parse(project.cancelledAt);
  const money = (amount: number, i: InvoiceView): string => fmtMoney(amount, i.currency).trim();
  const stillOpen = (i: InvoiceView): boolean => i.status === 'open' && owedAmount(i) > 0;
  const bills = project.invoices.filter((i) => i.kind !== 'credit_note');
  const notes = project.invoices.filter((i) => i.kind === 'credit_note');
  const issuedBySettlement = (i: InvoiceView): boolean => i.kind === 'cancellation' || (i.kind === 'credit_note' && Date.parse(i.issuedAt) >= cancelledAt);
  const billed = bills.filter((i) => issuedBySettlement(i) && i.status !== 'void');
  const owedBefore = bills.filter((i) => !issuedBySettlement(i) && stillOpen(i));
  const credited = notes.filter(issuedBySettlement);
  const refundsBefore = notes.filter((i) => !issuedBySettlement(i) && stillOpen(i));
  const sentences = [
    ...billed.map((i) => `For the work accepted until now we bill you ${money(i.amount, i)}: invoice ${i.number} follows in an e-mail of its own.`),
    ...(owedBefore.length > 0 ? [`You still owe ${namesInWords(owedBefore.map((i) => `${money(owedAmount(i), i)} on invoice ${i.number}`))}, already sent to you.`] : []),
    // Set against an invoice not paid in full, a credit note is partly not paid out: its own mail says how.
    ...credited.map((i) => `${(i.setOffs ?? []).length > 0 ? `We credit you ${money(i.amount, i)}` : `We owe you ${money(i.amount, i)} back`}: credit note ${i.number} follows in an e-mail of its own.`),
    ...(refundsBefore.length > 0 ? [`We still owe you ${namesInWords(refundsBefore.map((i) => `${money(owedAmount(i), i)} back on credit note ${i.number}`))}.`] : []),
  ];
  if (sentences.length > 0) return sentences.join(' ');
  return bills.some((i) => i.paidAmount > 0)
    ? 'What you have paid covers the work done until now: you owe nothing more, and nothing is due back to you.'
    : 'You owe nothing for this project, and nothing is due back to you.';
}

/** The settlement in the staff's words, when the figures could not be read. */
const CANCELLATION_SETTLEMENT_FOR_STAFF: Record<string, string> = {
  invoice: 'The client is sent an invoice for the work accepted until now.',
  credit_note: "Part of the client's prepayment goes back to them: they are sent a credit note. Pay the refund to the account they name and record it in the portal.",
  still_due: 'The invoices already sent to the client stay due for the work they cover.',
  covered: 'What the client has paid covers the work done: nothing more is billed, and nothing goes back.',
  nothing: 'Nothing is billed: the client owes nothing, and nothing goes back.',
};

/**
 * The notices that carry the document named by `data.documentId` (the invoice, the credit note;
 * the invoice again with its reminder; the contract as the work starts; the act to sign when no
 * final invoice carries it) and the one named by
 * `data.alsoAttach` (the contract with the prepayment invoice, the act with the final one).
 */
export const ATTACHES_DOCUMENT: ReadonlySet<NotificationTemplate> = new Set([
  'invoice_issued',
  'payment_returned',
  'credit_note_issued',
  'payment_reminder',
  'project_completed',
  'work_started',
  'acceptance_act_to_sign',
]);

export function renderNotification(
  input: Pick<NotifyInput, 'template' | 'data' | 'projectId' | 'taskId'>,
  ctx: TemplateContext,
  audience: Audience = 'staff',
): RenderedNotification {
  const definition = TEMPLATES[input.template];
  if (!definition) throw new Error(`unknown notification template "${input.template}"`);
  const values = new Values(input.data ?? {}, ctx);
  if (audience === 'client') {
    // A staff-only notice never goes to a client; if one is addressed so, it still carries no portal link.
    const { subject, lines } = (definition.client ?? definition.staff)(values);
    const link = ctx.clientPageUrl ?? '';
    // Signed by the agency the client deals with (the sender is a no-reply address), as its papers are.
    const signature = ctx.agencyName ? ['', `— ${ctx.agencyName}`] : [];
    return {
      subject,
      text: [...lines, ...signature, ...(link ? ['', `Where your project stands, with its invoices and documents: ${link}`] : []), ''].join('\n'),
      link,
    };
  }
  const { subject, lines, link: readersLink } = definition.staff(values);
  const target = readersLink ?? definition.link;
  const link = target === 'none' ? '' : portalLink(target, input, ctx.publicBaseUrl);
  // A digest says why it comes and how to stop it, last, as newsletter-like mail does.
  const footer = isDigest(input.template) && ctx.stopMailsUrl ? ['', `You get this every week as ${DIGEST_READER[input.template]}. Stop these mails: ${ctx.stopMailsUrl}`] : [];
  return { subject, text: [...lines, ...(link ? ['', `Open in the portal: ${link}`] : []), ...footer, ''].join('\n'), link };
}

/** The portal page where the reader acts: the task, the project, or leadership's approvals. */
function portalLink(target: LinkTarget, input: Pick<NotifyInput, 'projectId' | 'taskId'>, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (target === 'approvals') return `${base}/approvals`;
  if (target === 'portfolio') return `${base}/projects`;
  if (target === 'inbox') return `${base}/inbox`;
  if (target === 'task' && input.taskId) return `${base}/tasks/${encodeURIComponent(input.taskId)}`;
  if (input.projectId) return `${base}/projects/${encodeURIComponent(input.projectId)}`;
  if (input.taskId) return `${base}/tasks/${encodeURIComponent(input.taskId)}`;
  return '';
}
