/**
 * Every notification the service sends, in one place: a subject and a short plain-text body that
 * links to the API resource it is about. Templates print what `data` carries and degrade to
 * neutral words when a value is missing, so a workflow that omits a field still sends a readable
 * mail instead of "undefined".
 */
import type { NotificationTemplate, NotifyInput } from '../contract';
import type { Department } from '../../workflows/shared-schemas';
import { departmentName, fmtDateTime, fmtMoney } from '../format';

export interface RenderedNotification {
  subject: string;
  text: string;
  link: string;
}

export interface TemplateContext {
  publicBaseUrl: string;
  /** Display name for a person id; the id is printed otherwise. */
  personName?: (personId: string) => string | undefined;
}

/** Read access to `data` with the fallbacks every template uses. */
class Values {
  constructor(
    readonly data: NotifyInput['data'],
    private readonly ctx: TemplateContext,
  ) {}

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
    return this.has(key) ? fmtDateTime(String(this.data[key])) : fallback;
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

  // The names nearly every template prints.
  get project(): string {
    return this.text('projectTitle', 'your project');
  }
  get task(): string {
    return this.text('taskTitle', 'a task');
  }
  /** `invoice INV-2026-000042`, or `the invoice` when the number is not given. */
  get invoiceRef(): string {
    return this.has('invoiceNumber') ? `invoice ${this.text('invoiceNumber', '')}` : 'the invoice';
  }
  /** `Due: <date>.` when there is a due date, nothing otherwise. */
  dueLine(): string[] {
    return this.has('dueAt') ? [`Due: ${this.date('dueAt')}.`] : [];
  }
  /** `was due <date>`, or `is past its due date`. */
  wasDue(): string {
    return this.has('dueAt') ? `was due ${this.date('dueAt')}` : 'is past its due date';
  }
  /** `plan v2`, or `the plan` when the version is not given. */
  get plan(): string {
    return this.has('planVersion') ? `plan v${this.text('planVersion', '')}` : 'the plan';
  }
}

type Template = (v: Values) => { subject: string; lines: string[] };

const TEMPLATES: Record<NotificationTemplate, Template> = {
  // --- staff -----------------------------------------------------------------------------------
  task_opened: (v) => ({
    subject: `New task: ${v.task} (${v.project})`,
    lines: [
      `A ${v.department('new')} task is open for ${v.project}: "${v.task}".`,
      ...v.dueLine(),
      ...v.line('Details', 'description'),
      `Claim it in the portal if it is yours to take.`,
    ],
  }),
  task_changes_requested: (v) => ({
    subject: `Changes requested: ${v.task} (${v.project})`,
    lines: [`Your delivery of "${v.task}" for ${v.project} was sent back for changes.`, ...v.line('Comment', 'comment'), ...v.dueLine()],
  }),
  task_reassigned: (v) => ({
    subject: `Assigned to you: ${v.task} (${v.project})`,
    lines: [
      `"${v.task}" for ${v.project} is now assigned to you` +
        (v.has('previousAssigneeId') ? `, taken over from ${v.person('previousAssigneeId')}.` : '.'),
      ...v.dueLine(),
    ],
  }),
  task_unassigned: (v) => ({
    subject: `Reassigned: ${v.task} (${v.project})`,
    lines: [
      `"${v.task}" for ${v.project} is now assigned to ${v.person('assigneeId', 'someone else')}; you no longer need to work on it.`,
    ],
  }),
  task_deadline_reminder: (v) => ({
    subject: `Reminder: ${v.task} is due ${v.date('dueAt', 'soon')}`,
    lines: [`"${v.task}" for ${v.project} is due ${v.date('dueAt', 'soon')} and is not delivered yet.`],
  }),
  task_cancelled: (v) => ({
    subject: `Task cancelled: ${v.task} (${v.project})`,
    lines: [`"${v.task}" for ${v.project} was cancelled; no further work is needed.`, ...v.line('Reason', 'reason')],
  }),

  // --- managers --------------------------------------------------------------------------------
  task_submitted: (v) => ({
    subject: `Delivered for review: ${v.task} (${v.project})`,
    lines: [
      `${v.person('assigneeId', 'The assignee')} delivered "${v.task}" for ${v.project}. Please review it.`,
      ...v.line('Summary', 'summary'),
    ],
  }),
  task_overdue: (v) => ({
    subject: `Overdue: ${v.task} (${v.project})`,
    lines: [
      `"${v.task}" (${v.department()}) for ${v.project} ${v.wasDue()} and is not delivered.`,
      `Assignee: ${v.person('assigneeId', 'nobody has taken it')}.`,
    ],
  }),
  plan_decided: (v) => {
    const decision = v.text('decision', '');
    const verdict = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : undefined;
    return {
      subject: verdict ? `${capitalize(v.plan)} ${verdict}: ${v.project}` : `Decision on ${v.plan}: ${v.project}`,
      lines: [
        `Management ${verdict ?? 'decided on'} ${v.plan} for ${v.project}` + (v.has('by') ? ` (${v.person('by')}).` : '.'),
        ...v.line('Comment', 'comment'),
        ...(verdict === 'approved' ? ['Production starts as planned.'] : verdict === 'rejected' ? ['Revise the plan and submit it again.'] : []),
      ],
    };
  },
  client_response_due: (v) => ({
    subject: `Client answer due: ${v.project}`,
    lines: [
      `${v.text('clientName', 'The client')} has not answered on the delivered work for ${v.project}.`,
      `Without an answer by ${v.date(v.pick('deemedAcceptedAt', 'dueAt'), 'the end of the acceptance window')} the work is deemed accepted.`,
    ],
  }),
  payment_overdue: (v) => ({
    subject: `Payment overdue: ${v.invoiceRef} (${v.project})`,
    lines: [`${capitalize(v.invoiceRef)} to ${v.text('clientName', 'the client')} for ${v.money()} ${v.wasDue()} and is not paid.`],
  }),

  // --- leadership ------------------------------------------------------------------------------
  plan_waiting: (v) => ({
    subject: `${v.data.reminder ? 'Reminder: ' : ''}${capitalize(v.plan)} awaits approval: ${v.project}`,
    lines: [
      `${v.person('managerId', 'The account manager')} submitted ${v.plan} for ${v.project}` +
        (v.has('clientName') ? ` (${v.text('clientName', '')}).` : '.'),
      ...(v.has(v.pick('total', 'amount')) ? [`Total: ${v.money(v.pick('total', 'amount'))}.`] : []),
      `Please approve it or send it back with comments.`,
    ],
  }),
  plan_approval_escalation: (v) => ({
    subject: `Escalation: ${v.plan} for ${v.project} still awaits approval`,
    lines: [
      `${capitalize(v.plan)} for ${v.project} was submitted ${v.date(v.pick('waitingSince', 'submittedAt'), 'earlier')} and has no decision yet.`,
      `The client is waiting for the agency's answer.`,
    ],
  }),
  task_escalation: (v) => ({
    subject: `Escalation: ${v.task} (${v.project}) is overdue`,
    lines: [
      `"${v.task}" (${v.department()}) for ${v.project} ${v.wasDue()} and is still not delivered.`,
      `Assignee: ${v.person('assigneeId', 'nobody has taken it')}.`,
    ],
  }),
  complaint_filed: (v) => ({
    subject: `Complaint from ${v.text('clientName', 'a client')}: ${v.project}`,
    lines: [`A complaint was recorded on ${v.project}.`, ...v.line('Complaint', 'description'), `It needs a resolution.`],
  }),
  payment_escalation: (v) => ({
    subject: `Escalation: ${v.invoiceRef} unpaid (${v.project})`,
    lines: [
      `${capitalize(v.invoiceRef)} to ${v.text('clientName', 'the client')} for ${v.money()} ${v.wasDue()} ` +
        `and is still not paid after reminders.`,
    ],
  }),
  project_cancelled: (v) => ({
    subject: `Project cancelled: ${v.project}`,
    lines: [
      `${capitalize(v.project)} was cancelled` +
        (v.has(v.pick('cancelledBy', 'by')) ? ` by ${v.person(v.pick('cancelledBy', 'by'))}` : '') +
        (v.has('stage') ? ` at the ${v.text('stage', '').replace(/_/g, ' ')} stage.` : '.'),
      ...v.line('Reason', 'reason'),
    ],
  }),

  // --- clients ---------------------------------------------------------------------------------
  delivery_ready: (v) => ({
    subject: `Ready for your review: ${v.project}`,
    lines: [
      `The work on ${v.project}${Number(v.data.revisionRound) > 0 ? ` (revision round ${v.text('revisionRound', '')})` : ''} is ready for your review.`,
      `Please accept it or tell us what to change by ${v.date('dueAt', 'the date agreed')}.`,
    ],
  }),
  invoice_issued: (v) => ({
    subject: `${capitalize(v.invoiceRef)}: ${v.project}`,
    lines: [
      `${capitalize(v.invoiceRef)} for ${v.project} is issued: ${v.money()}` + (v.has('dueAt') ? `, due ${v.date('dueAt')}.` : '.'),
      ...(v.has('invoiceNumber') ? [`Please quote ${v.text('invoiceNumber', '')} as the payment reference.`] : []),
    ],
  }),
  invoice_voided: (v) => ({
    subject: `Cancelled: ${v.invoiceRef} (${v.project})`,
    lines: [
      `${capitalize(v.invoiceRef)} for ${v.project} is cancelled: ${v.money('amountVoided')} of it is no longer owed.`,
      ...(Number(v.data.amountPaid) > 0 ? [`What you already paid on it (${v.money('amountPaid')}) is counted in the final settlement.`] : []),
      ...v.line('Reason', 'reason'),
    ],
  }),
  credit_note_issued: (v) => ({
    subject: `Credit note ${v.text('invoiceNumber', '')}: ${v.project}`.trim(),
    lines: [
      `We owe you ${v.money()} for ${v.project}: your prepayment was more than the work done before the project was cancelled.`,
      ...(v.has('dueAt') ? [`It will be refunded by ${v.date('dueAt')}.`] : []),
    ],
  }),
  payment_reminder: (v) => ({
    subject: `Payment reminder: ${v.invoiceRef}`,
    lines: [
      `${capitalize(v.invoiceRef)} for ${v.project} (${v.money()}) ${v.wasDue()} and we have not received the payment yet.`,
      `If you have already paid, please ignore this reminder.`,
    ],
  }),
};

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export function renderNotification(
  input: Pick<NotifyInput, 'template' | 'data' | 'projectId' | 'taskId'>,
  ctx: TemplateContext,
): RenderedNotification {
  const template = TEMPLATES[input.template];
  if (!template) throw new Error(`unknown notification template "${input.template}"`);
  const { subject, lines } = template(new Values(input.data ?? {}, ctx));
  const link = resourceLink(input, ctx.publicBaseUrl);
  return { subject, text: [...lines, '', link ? `Open: ${link}` : '', ''].join('\n'), link };
}

/** The API resource the message is about: the task when there is one, else the project. */
function resourceLink(input: Pick<NotifyInput, 'projectId' | 'taskId'>, baseUrl: string): string {
  const base = baseUrl.replace(/\/$/, '');
  if (input.taskId) return `${base}/api/tasks/${encodeURIComponent(input.taskId)}`;
  if (input.projectId) return `${base}/api/projects/${encodeURIComponent(input.projectId)}`;
  return '';
}
