/**
 * One project, for its manager and for leadership: where it stands and what comes next, the plan,
 * the tasks, the client's feedback and complaints, invoices and payments, documents (PDFs open in
 * the browser), the timeline, and cancelling with a reason. Every action's response is the new
 * snapshot, shown at once.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, ApiError, DEPARTMENTS, ok, STAGES, type Department, type ProjectStatus, type Stage } from '../api';
import { refusedForGood, useAction, useFocusFirstRefused, useName, useRequestKey, useResource, useSession } from '../data';
import { DEPARTMENT_LABEL, formatDate, formatDateTime, formatMoney, fromLocalInput, listInWords, plural, readAmount, roundMoney, shorten, STAGE_LABEL, toLocalInput, typedAmount } from '../format';
import { HolderGoneBadge } from '../holder-gone';
import { PlanChanges, PlanTable } from '../plan';
import { Link, navigate } from '../router';
import { Badge, Choices, datesInWords, Due, flash, Input, Loading, PageHeader, peopleInWords, ProblemBox, Section, Select, StageBadge, TaskStatusBadge, TextArea, Timeline, WholeNumber, WholeNumbersIn } from '../ui';

type Update = (p: ProjectStatus) => void;
type Invoice = ProjectStatus['invoices'][number];

const INVOICE_LABEL: Record<Invoice['kind'], string> = {
  prepayment: 'Prepayment',
  final: 'Final',
  cancellation: 'Cancellation',
  credit_note: 'Credit note',
};

/** Money still to move: open invoices the client owes, and open credit notes (a refund owed to the client). */
const open = (i: Invoice) => i.status === 'open';
/** What the client still owes: open invoices, never a credit note. */
const owed = (i: Invoice) => open(i) && i.kind !== 'credit_note';
/** What credit notes set against an invoice cover (on a credit note: what of it is set against invoices), net of set-offs undone. */
const setOffTotal = (i: Invoice) => roundMoney((i.setOffs ?? []).reduce((n, o) => n + o.amount, 0), i.currency);
/** What is left on an invoice (on a credit note: to refund) after payments and credit notes set against it; nothing, not less, once paid beyond it. */
const stillOwed = (i: Invoice) => Math.max(0, roundMoney(i.amount - i.paidAmount - setOffTotal(i), i.currency));
/** What the client paid beyond what an invoice asked, credited back or not (never on a credit note: a refund beyond it is refused). */
const paidBeyond = (i: Invoice) => (i.kind === 'credit_note' || i.status === 'void' ? 0 : Math.max(0, roundMoney(i.paidAmount + setOffTotal(i) - i.amount, i.currency)));
/**
 * A completed project still hearing complaints (its policy's window, `complaintsHeardUntil`, ahead):
 * one may be recorded. Projects completed before complaints were heard after completion have no
 * window, and none is heard.
 */
const hearsComplaints = (p: ProjectStatus): boolean =>
  p.stage === 'completed' && p.complaintsHeardUntil !== undefined && Date.parse(p.complaintsHeardUntil) > Date.now();
/**
 * A completed project whose workflow still corrects its books (`hearsComplaintsAfterCompletion` and
 * `settlingAfterCompletion` in workflows/project/handlers.ts): within its complaint window, or while
 * a complaint made after completion or money (a payment taken back, a refund) is still open on it.
 */
const correctsAfterCompletion = (p: ProjectStatus): boolean =>
  p.stage === 'completed' && (hearsComplaints(p) || p.complaints.some((c) => !c.resolvedAt) || p.invoices.some(open));
/**
 * When the project last stopped hearing complaints (`complaint_window_closed`: its window's end, or
 * a run again for a complaint after it, settled); undefined before that, and on projects completed
 * before complaints were heard after completion.
 */
const lastHeardComplaintsAt = (p: ProjectStatus): string | undefined => [...p.timeline].reverse().find((e) => e.event === 'complaint_window_closed')?.at;
/**
 * Its workflow had stopped hearing complaints once: a complaint after the window runs it again. Not
 * yet: the run that completed it still settles what was open when the window ended, and a complaint
 * then keeps it open (the same run takes it).
 */
const closedBefore = (p: ProjectStatus): boolean => lastHeardComplaintsAt(p) !== undefined;
/**
 * Run again for a complaint made after its window (or after a completion that heard none), not
 * settled yet (`reopenProject` in api/temporal-gateway.ts): such a complaint came after the project
 * last stopped hearing complaints, and that run records when it stops once everything is settled.
 */
const reopenedForLateComplaint = (p: ProjectStatus): boolean => {
  const stoppedAt = lastHeardComplaintsAt(p);
  return p.stage === 'completed' && p.complaints.some((c) => c.afterWindow && (stoppedAt === undefined || Date.parse(c.at) > Date.parse(stoppedAt)));
};
/**
 * What a payment is first recorded on: any invoice or credit note still open. On a completed project
 * that is a credit note (a compensation agreed after completion, refunded) or an invoice owed again
 * (its payment taken back after completion, the bank returned it). Money the client paid again on an
 * invoice settled already is taken too, while the excess can be credited back (`paidAgainable`).
 */
const payable = (p: ProjectStatus): Invoice[] => p.invoices.filter(open);
/**
 * The workflow credits back what a client pays beyond an invoice (`creditable` in `recordPayment`'s
 * validator, workflows/project/handlers.ts): on a running project until it closes (not one being
 * cancelled: its cancellation settles the money), and on a completed one while it hears complaints
 * (at once, `hearComplaintsAfterCompletion`). Past that, money paid beyond an invoice is refused.
 */
const creditsExcessBack = (p: ProjectStatus): boolean =>
  hearsComplaints(p) || (p.stage !== 'closing' && p.stage !== 'completed' && p.stage !== 'cancelled' && !p.cancellation);
/**
 * Invoices the client may have paid again (their bank sent it twice): settled ones the workflow
 * still takes money on, all of it beyond what they asked and credited back. Not a credit note (a
 * refund beyond it is refused), not one voided or written off, none with a credit note set against
 * it (the workflow refuses those too: the set-off was worked out from what it had been paid).
 */
const paidAgainable = (p: ProjectStatus): Invoice[] =>
  creditsExcessBack(p) ? p.invoices.filter((i) => i.kind !== 'credit_note' && i.status === 'paid' && setOffTotal(i) === 0) : [];
/** What the payment form's amount starts at for an invoice: what is still open on it; nothing on one paid already (what the client paid again is typed from the bank's line). */
const startingAmount = (i: Invoice | undefined): string => (i && open(i) ? String(stillOwed(i)) : '');
/**
 * The final bill is out, or the prepayment and compensations left nothing to bill (the workflow's
 * `finalBilled`, which the snapshot does not carry: its final invoice, or the timeline's "nothing
 * left to invoice"). Before that, a project just accepted is still making its act and final invoice.
 */
const finalBilled = (p: ProjectStatus): boolean => p.invoices.some((i) => i.kind === 'final') || p.timeline.some((e) => e.event === 'nothing_left_to_invoice');
/**
 * Why what is still owed on an invoice cannot be written off now, in the page's words; undefined
 * when it can. The workflow's own rules (`writeOffUpdate` in workflows/project/handlers.ts), so the
 * page never offers what would be refused: never a credit note (money the agency owes), only what
 * is still owed, and only once nothing but money is left — the project invoicing with its final
 * bill out, cancelled (not while its cancellation is being worked out), or completed with an
 * invoice owed again (its payment taken back after completion).
 */
function whyNoWriteOff(p: ProjectStatus, i: Invoice): string | undefined {
  if (i.kind === 'credit_note') return `Credit note ${i.number} is money the agency owes the client: it is paid out, not written off.`;
  if (i.status === 'void') return `${i.number} was voided: nothing is owed on it.`;
  if (i.status !== 'open' || stillOwed(i) === 0) return `${i.number} is settled now: nothing is owed on it.`;
  if (p.stage === 'cancelled') return undefined;
  if (p.cancellation) return 'The project is being cancelled: what is owed is worked out again. Write it off once the cancellation is done.';
  if (p.stage === 'invoicing') return finalBilled(p) ? undefined : 'The final invoice is being issued: write off once it is out.';
  // Open on a completed project: its payment was taken back after completion, and a client who
  // does not pay it again is written off like any.
  if (p.stage === 'completed') return undefined;
  return `Invoices are written off once the project is invoiced or cancelled; it is ${STAGE_LABEL[p.stage].toLowerCase()}.`;
}
/** How many tasks the approved plan has (the latest approved version). */
const approvedTaskCount = (p: ProjectStatus): number => p.plans.find((v) => v.version === p.approvedPlanVersion)?.tasks.length ?? 0;
/** Set-offs of an invoice netted per other side (one set off and later undone nets to nothing). */
function netSetOffs(i: Invoice): { invoiceNumber: string; amount: number }[] {
  const net = new Map<string, number>();
  for (const o of i.setOffs ?? []) net.set(o.invoiceNumber, roundMoney((net.get(o.invoiceNumber) ?? 0) + o.amount, i.currency));
  return [...net].filter(([, amount]) => amount > 0).map(([invoiceNumber, amount]) => ({ invoiceNumber, amount }));
}
/** Settled with no money moved: a credit note wholly set against an unpaid invoice. */
const settledBySetOff = (i: Invoice) => i.status === 'paid' && i.paidAmount === 0 && (i.setOffs ?? []).length > 0;

const DOCUMENT_LABEL: Record<ProjectStatus['documents'][number]['kind'], string> = {
  contract: 'Contract',
  prepayment_invoice: 'Prepayment invoice',
  final_invoice: 'Final invoice',
  cancellation_invoice: 'Cancellation invoice',
  acceptance_act: 'Acceptance act',
  final_report: 'Final report',
  credit_note: 'Credit note',
};

type ChangeRequest = NonNullable<ProjectStatus['changeRequests']>[number];

/** The client's request for changes the manager has not answered yet: one at a time (`openChangeRequest` in workflows/project/state.ts). */
const openChangeRequest = (p: ProjectStatus): ChangeRequest | undefined => p.changeRequests?.find((r) => r.outcome === undefined);
/** How the client asked for changes: on their page, or by mail or phone and noted here by the manager who did (`recordedBy`). */
const askedHow = (r: ChangeRequest, name: (id: string | undefined) => string): string =>
  r.recordedBy === undefined ? 'on the client’s page' : `by mail or phone, recorded by ${name(r.recordedBy)}`;

/** What a timeline entry's leading id names: its pattern, and the description of what it is about. */
interface LeadingId {
  id: RegExp;
  about: (p: ProjectStatus, id: string) => string | undefined;
}
const COMPLAINT_ID: LeadingId = { id: /^(c\d+): /, about: (p, id) => p.complaints.find((c) => c.complaintId === id)?.description };
const CHANGE_REQUEST_ID: LeadingId = { id: /^(r\d+): /, about: (p, id) => p.changeRequests?.find((r) => r.requestId === id)?.description };
/**
 * Timeline entries the workflow starts with the id of what they are about ("c1: …" a complaint,
 * "r1: …" the client's request for changes). `opens`: the entry that records it, its description
 * following the id.
 */
const ABOUT_AN_ID: Record<string, LeadingId & { opens?: true }> = {
  complaint_filed: { ...COMPLAINT_ID, opens: true },
  complaint_resolved: COMPLAINT_ID,
  complaint_unresolved: COMPLAINT_ID,
  complaint_rework_requested: COMPLAINT_ID,
  changes_asked: { ...CHANGE_REQUEST_ID, opens: true },
  change_request_declined: CHANGE_REQUEST_ID,
};

/**
 * A timeline entry's detail in people's words: amounts as money ("1200 EUR" → "€1,200.00"),
 * document and invoice kinds as words, a task's key as its title, a person's id as their name
 * ("logo (dima.design)" → "Logo design (Dima Kozlov)") and a complaint's or a request for changes'
 * id as what it was about (nothing, where its description follows: "c1: Client called…" → "Client called…").
 */
function timelineDetail(event: string, detail: string, p: ProjectStatus, name: (id: string) => string): string {
  const titles = new Map(p.tasks.map((t) => [t.key, t.title]));
  const withMoney = detail
    .replace(/(-?\d+(?:\.\d+)?) ([A-Z]{3})\b/g, (_, amount: string, currency: string) => formatMoney(Number(amount), currency))
    .replace(/\btotal (\d+(?:\.\d+)?)$/, (_, amount: string) => `total ${formatMoney(Number(amount), p.budget.currency)}`)
    // Payment notices record the amount owed without its currency (the project's).
    .replace(/: (\d+(?:\.\d+)?) owed$/, (_, amount: string) => `: ${formatMoney(Number(amount), p.budget.currency)} owed`)
    // A round beyond the included ones records its price without its currency: "round 2 (extra 300)".
    .replace(/^round (\d+) \(extra (\d+(?:\.\d+)?)\)/, (_, round: string, amount: string) =>
      Number(amount) > 0 ? `round ${round}, beyond the included rounds (${formatMoney(Number(amount), p.budget.currency)} extra)` : `round ${round}, beyond the included rounds (no extra price)`,
    );
  // Dates after money: a date in words ("15:26 CET") must not read as an amount.
  const inWords = peopleInWords(datesInWords(withMoney), name)
    .replace(/\b1 tasks\b/g, '1 task')
    .replace(/\b(contract|prepayment_invoice|final_invoice|cancellation_invoice|acceptance_act|final_report|credit_note)\b/g, (kind: string) =>
      DOCUMENT_LABEL[kind as keyof typeof DOCUMENT_LABEL],
    )
    .replace(/^(prepayment|final|cancellation) (?=[A-Z]+-)/, (kind: string) => `${INVOICE_LABEL[kind.trim() as Invoice['kind']]} invoice `)
    .replace(/^([a-z0-9][a-z0-9.-]*)(?= \(|$)/, (key: string) => titles.get(key) ?? key)
    .replace(/\(([a-z0-9][a-z0-9._-]*)\)$/, (whole: string, id: string) => (name(id) !== id ? `(${name(id)})` : whole));
  // Last: while the id leads, what the client wrote cannot be read as a task's key above.
  return withoutLeadingId(event, inWords, p);
}

/**
 * "c1: Client called…" → "Client called…"; "c1: Refund agreed" → "“Client called…”: Refund agreed";
 * work sent back, "c1: Design: Re-crop…" → "“Client called…”, to Design: Re-crop…"; the same for a
 * request for changes, "r1: Bigger logo" → "Bigger logo" (noted from a mail or a call: "Jane Doe, by
 * mail or phone: Bigger logo"), "r1: As agreed" → "“Bigger logo”: As agreed".
 */
function withoutLeadingId(event: string, detail: string, p: ProjectStatus): string {
  const entry = ABOUT_AN_ID[event];
  const id = entry?.id.exec(detail);
  if (!entry || !id) return detail;
  const rest = detail.slice(id[0].length);
  const about = entry.about(p, id[1]);
  if (entry.opens) {
    // Noted from a mail or a call, the entry is the manager's: it says who at the client asked, and how.
    const noted = event === 'changes_asked' ? p.changeRequests?.find((r) => r.requestId === id[1] && r.recordedBy !== undefined) : undefined;
    return noted ? `${noted.clientContact}, by mail or phone: ${rest}` : rest;
  }
  if (!about) return rest;
  const quoted = `“${about.length > 60 ? `${about.slice(0, 59)}…` : about}”`;
  // The departments come first, in words with no colon in them; what they were told follows.
  const sentBack = event === 'complaint_rework_requested' ? /^([^:]+): ([\s\S]*)$/.exec(rest) : null;
  return sentBack ? `${quoted}, to ${sentBack[1]}: ${sentBack[2]}` : `${quoted}: ${rest}`;
}

export function ProjectPage({ params }: { params: Record<string, string> }) {
  const id = params.id;
  const project = useResource(() => ok(api.GET('/api/projects/{id}', { params: { path: { id } } })), [id], 4_000);
  // Refused now (handed to another manager since it was opened, or gone): the refusal, not a page going stale.
  if (!project.data || refusedForGood(project.error)) {
    return (
      <>
        <PageHeader title="Project" />
        {project.error ? <ProblemBox error={project.error} /> : <Loading what="Loading the project" />}
      </>
    );
  }
  return <ProjectView project={project.data} onChange={project.set} />;
}

function ProjectView({ project: p, onChange }: { project: ProjectStatus; onChange: Update }) {
  const { me } = useSession();
  const name = useName();
  const isManager = me.person.role === 'manager' && p.managerId === me.person.id;
  const canAct = isManager || me.person.role === 'leadership';
  const finished = p.stage === 'completed' || p.stage === 'cancelled';
  const currency = p.budget.currency;
  // The workflow records the end twice (`completed` once the report is made, then the stage):
  // the timeline says it once.
  const timeline = p.timeline.some((e) => e.event === 'completed') ? p.timeline.filter((e) => e.event !== 'stage_completed') : p.timeline;

  return (
    <>
      <PageHeader
        title={p.title}
        actions={
          isManager &&
          p.stage === 'planning' && (
            <Link href={`/projects/${p.projectId}/plan`} class="button">
              {p.plans.length === 0 ? 'Draft the plan' : 'Revise the plan'}
            </Link>
          )
        }
      >
        <p>
          {p.client.name} ({p.client.segment}) · <a href={`mailto:${p.client.email}`}>{p.client.email}</a> · manager {name(p.managerId)}
        </p>
        <p class="meta-row">
          <StageBadge stage={p.stage} />
          {p.overdue && !finished && <Badge tone="bad">Overdue work</Badge>}
          {p.complaints.some((c) => !c.resolvedAt) && <Badge tone="warn">Open complaint</Badge>}
          <span>Budget {formatMoney(p.budget.amount, currency)}</span>
          <span>Client wants it by {formatDate(p.desiredDeadline)}</span>
        </p>
      </PageHeader>

      <StageProgress project={p} />
      <NextStep project={p} isManager={isManager} onChange={onChange} />

      <Section title="Plan" id="plan">
        <PlanSection project={p} />
      </Section>

      {p.tasks.length > 0 && (
        <Section title="Tasks" id="tasks">
          {/* On a phone each task is a card (styles.css, .card-rows); the roles keep it a table to screen readers. */}
          <div class="table-wrap">
            <table class="card-rows" role="table">
              <caption class="visually-hidden">Tasks of the project</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">Task</th>
                  <th scope="col" role="columnheader">Department</th>
                  <th scope="col" role="columnheader">Status</th>
                  <th scope="col" role="columnheader">Assignee</th>
                  <th scope="col" role="columnheader">Due</th>
                  <th scope="col" role="columnheader" class="num">Rounds</th>
                </tr>
              </thead>
              <tbody role="rowgroup">
                {p.tasks.map((t) => (
                  <tr key={t.taskId} role="row">
                    <th scope="row" role="rowheader">
                      <Link href={`/tasks/${t.taskId}`}>{t.title}</Link>
                      {/* Revision tasks are titled "Revision N (…)" already. */}
                      {t.revisionRound && !/^Revision \d/.test(t.title) && <span class="muted"> (revision {t.revisionRound})</span>}
                    </th>
                    <td role="cell" data-label="Department">{DEPARTMENT_LABEL[t.department]}</td>
                    <td role="cell" data-label="Status">
                      <TaskStatusBadge status={t.status} />
                    </td>
                    <td role="cell" data-label="Assignee">
                      {t.assigneeId ? name(t.assigneeId) : <span class="muted">—</span>}
                      {/* Held by someone who left or changed role: nobody else can take it until the manager reassigns it. */}
                      <HolderGoneBadge task={t} reassigning={isManager || me.person.role === 'leadership'} />
                    </td>
                    <td role="cell" data-label="Due">
                      <Due
                        dueAt={t.dueAt}
                        overdue={t.overdue}
                        done={t.status === 'accepted' || t.status === 'cancelled'}
                        deliveredAt={t.status === 'submitted' ? t.submittedAt : undefined}
                        labelled
                      />
                    </td>
                    <td role="cell" data-label="Rounds" class="num">{t.reviewRounds}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      )}

      {(p.feedback.length > 0 || p.complaints.length > 0 || (p.changeRequests ?? []).length > 0) && (
        <Section title="Client feedback" id="feedback">
          {/* A complaint made after completion is resolved on the completed project (its workflow waits for it). */}
          <FeedbackHistory project={p} canAct={canAct && (!finished || p.stage === 'completed')} isManager={isManager} onChange={onChange} />
        </Section>
      )}

      {p.invoices.length > 0 && (
        <Section title="Invoices and payments" id="invoices">
          <Invoices project={p} canAct={canAct} onChange={onChange} />
        </Section>
      )}

      <Section title="Documents" id="documents">
        {p.documents.length === 0 ? (
          <p class="muted">No documents yet: the contract comes with the approved plan.</p>
        ) : (
          <ul class="documents">
            {p.documents.map((d) => (
              <li key={d.documentId}>
                <a href={`/api/documents/${encodeURIComponent(d.documentId)}`} target="_blank" rel="noopener">
                  {DOCUMENT_LABEL[d.kind]}
                  {d.number && (
                    <>
                      {' '}
                      <WholeNumber number={d.number} />
                    </>
                  )}{' '}
                  (PDF)
                </a>{' '}
                <span class="muted">{formatDateTime(d.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      {canAct && <ClientLink project={p} />}

      <Section title="Timeline" id="timeline">
        <Timeline entries={timeline} name={name} detail={(e) => <WholeNumbersIn text={timelineDetail(e.event, e.detail ?? '', p, name)} numbers={invoiceNumbersAndReferences(p)} />} />
      </Section>

      {canAct && (!finished || (p.stage === 'cancelled' && p.invoices.some(open))) && <HandOver project={p} onChange={onChange} />}
      {canAct && !finished && <CancelProject project={p} onChange={onChange} />}
    </>
  );
}

function StageProgress({ project: p }: { project: ProjectStatus }) {
  const path: Stage[] = STAGES.filter((s) => s !== 'cancelled' && s !== 'intake');
  const where = p.stage === 'cancelled' ? (p.cancellation?.stageAtCancel ?? 'planning') : p.stage;
  const at = path.indexOf(where === 'intake' ? 'planning' : where);
  return (
    <ol class="stage-progress" aria-label="Stages">
      {path.map((s, i) => (
        <li key={s} class={i < at ? 'done' : i === at ? 'current' : ''} aria-current={i === at ? 'step' : undefined}>
          {STAGE_LABEL[s]}
          {i === at && p.stage === 'cancelled' && ' (cancelled here)'}
        </li>
      ))}
    </ol>
  );
}

function NextStep({ project: p, isManager, onChange }: { project: ProjectStatus; isManager: boolean; onChange: Update }) {
  const { me } = useSession();
  const name = useName();
  const leadership = me.person.role === 'leadership';
  /**
   * What takes the focus once the page shows an action's result, where the action's form went with
   * it: the line saying the work started (the wait's form gone), the request for changes just noted
   * (its form gone while the request waits).
   */
  const [focusNext, setFocusNext] = useState<string | undefined>();
  useEffect(() => {
    if (focusNext === undefined) return;
    document.getElementById(focusNext)?.focus();
    setFocusNext(undefined);
  }, [focusNext]);
  switch (p.stage) {
    case 'intake':
    case 'planning':
      return (
        <div class="callout" role="note">
          {p.lastRejectionComment ? (
            <p>
              <strong>Leadership sent the plan back:</strong> {p.lastRejectionComment}
            </p>
          ) : (
            <p>{p.plans.length === 0 ? 'No plan yet.' : 'The plan is being revised.'}</p>
          )}
          {isManager && (
            <p>
              <Link href={`/projects/${p.projectId}/plan`}>{p.plans.length === 0 ? 'Draft the plan' : 'Revise the plan'}</Link> and submit it
              for approval.
            </p>
          )}
        </div>
      );
    case 'awaiting_approval':
      return (
        <div class="callout" role="note">
          <p>
            Plan version {p.pendingPlanVersion} is waiting for leadership’s decision
            {p.stageEnteredAt ? ` since ${formatDateTime(p.stageEnteredAt)}` : ''}.
          </p>
          {leadership && (
            <p>
              <Link href="/approvals">Decide it in Approvals</Link>.
            </p>
          )}
        </div>
      );
    case 'in_production': {
      const accepted = p.tasks.filter((t) => t.status === 'accepted').length;
      const delivered = p.tasks.filter((t) => t.status === 'submitted');
      const unpaidPrepayment = p.invoices.find((i) => i.kind === 'prepayment' && open(i));
      const started = p.startedBeforePrepayment;
      // The work waits for the prepayment until it is paid, or until someone starts it without waiting.
      const waiting = p.tasks.length === 0 && unpaidPrepayment && p.policy.startAfterPrepayment && !started ? unpaidPrepayment : undefined;
      return (
        <>
          <div class="callout" role="note">
            {/* Before the work starts (the contract, a prepayment it waits for) no task exists yet: not "0 of 0". */}
            {p.tasks.length > 0 ? (
              <p>
                {accepted} of {plural(p.tasks.length, 'task')} accepted.
                {delivered.length > 0 && ` ${delivered.length} delivered and waiting for review.`}
              </p>
            ) : (
              // What the work waits for, said once: the prepayment when the policy waits for it.
              <p>
                {waiting ? (
                  <>
                    The plan’s {plural(approvedTaskCount(p), 'task')} {approvedTaskCount(p) === 1 ? 'starts' : 'start'} when the prepayment invoice{' '}
                    <WholeNumber number={waiting.number} /> is paid ({formatMoney(stillOwed(waiting), waiting.currency)} open); its due dates move later by as long as
                    that takes.
                  </>
                ) : (
                  <>
                    The plan’s {plural(approvedTaskCount(p), 'task')} {approvedTaskCount(p) === 1 ? 'starts' : 'start'} in a moment.
                  </>
                )}
              </p>
            )}
            {/* Said where the wait was, for as long as the prepayment it did not wait for is unpaid. */}
            {started && unpaidPrepayment && (
              <p class="started-early" id="started-before-prepayment" tabIndex={-1}>
                <strong>Work started before the prepayment was paid</strong> — by {name(started.by)}, {formatDateTime(started.at)}: {started.reason}
              </p>
            )}
            {isManager && delivered.length > 0 && (
              <p>
                <Link href="/review">Review the deliveries</Link>.
              </p>
            )}
          </div>
          {waiting && (isManager || leadership) && !p.cancellation && <StartWorkNow project={p} prepayment={waiting} onChange={onChange} onStarted={() => setFocusNext('started-before-prepayment')} />}
          {/* A client may complain while the work is under way (a missed date, the wrong direction), or before it starts (waiting for their prepayment): not "under way" then. */}
          {(isManager || leadership) && (
            <RecordComplaint project={p} onChange={onChange} summary={p.tasks.length > 0 ? 'The client complains about the work under way' : 'The client complains before the work starts'} />
          )}
        </>
      );
    }
    case 'client_review': {
      const request = openChangeRequest(p);
      // A client who goes over the manager's head complains to leadership.
      if (leadership) {
        return (
          <>
            <div class="callout" role="note">
              <p>The work is with the client: they accept it, ask for changes or complain on their page, or tell {name(p.managerId)}, who records their response.</p>
              <ClientAnswerDue project={p} />
            </div>
            {request && <ChangeRequestCallout project={p} request={request} />}
            <RecordComplaint project={p} onChange={onChange} summary="The client complains to leadership" />
          </>
        );
      }
      return isManager ? (
        <>
          <div class="callout" role="note">
            <ClientAnswerDue project={p} />
            <p>They can accept it, ask for changes or complain on their own page (you are mailed when they do); record here what they tell you instead.</p>
          </div>
          <Section title="Record the client’s response" id="client-response">
            <FeedbackForm project={p} request={request} onChange={onChange} />
            {/* One request waits at a time; a project being cancelled takes none (the workflow refuses it). */}
            {!request && !p.cancellation && <RecordChangesAskedByMail project={p} onChange={onChange} onRecorded={() => setFocusNext('change-request')} />}
          </Section>
        </>
      ) : (
        <>
          <div class="callout" role="note">
            <p>The work is with the client: they accept it, ask for changes or complain on their page, or tell {name(p.managerId)}, who records their response.</p>
            <ClientAnswerDue project={p} />
          </div>
          {request && <ChangeRequestCallout project={p} request={request} />}
        </>
      );
    }
    case 'invoicing':
    case 'closing': {
      const { unpaid, refunds } = moneyOpen(p);
      const complaintOpen = p.complaints.some((c) => !c.resolvedAt);
      // Just accepted: the act and the final invoice are still being made, so nothing is open yet — not closing.
      const issuing = p.stage === 'invoicing' && !finalBilled(p);
      const settled = !issuing && unpaid.length === 0 && refunds.length === 0;
      return (
        <>
          <div class="callout" role="note">
            {issuing && <p>The final invoice is being issued.</p>}
            <MoneyOpen project={p} />
            {settled && complaintOpen && p.stage === 'invoicing' && <p>Closing waits for the open complaint to be resolved.</p>}
            {(p.stage === 'closing' || (settled && !complaintOpen)) && <p>Closing: the documents are being prepared.</p>}
          </div>
          {/* A client may accept (or be deemed to) and complain while paying: the workflow takes it until closing. */}
          {(isManager || leadership) && p.stage === 'invoicing' && <RecordComplaint project={p} onChange={onChange} summary="The client complains after accepting" />}
        </>
      );
    }
    case 'completed': {
      const { unpaid, refunds } = moneyOpen(p);
      const openComplaints = p.complaints.filter((c) => !c.resolvedAt);
      const complaintOpen = openComplaints.length > 0;
      // Who redoes what, said only while every open complaint waits for its fix: one that does not can be resolved now.
      const redoing = openComplaints.every((c) => fixesPending(p, c).length > 0) ? [...new Set(openComplaints.flatMap((c) => fixesPending(p, c).map((t) => t.department)))] : [];
      const reports = p.documents.filter((d) => d.kind === 'final_report');
      const until = p.complaintsHeardUntil;
      return (
        <>
          <div class={complaintOpen || unpaid.length > 0 || refunds.length > 0 ? 'callout' : 'callout callout--good'} role="note">
            <p>
              Completed {formatDateTime(p.completedAt)}.{' '}
              {reports.length > 1
                ? `The final report was made again ${formatDateTime(reports[reports.length - 1].createdAt)}, with ${settledAfterCompletion(p)} settled by then; ${reports.length === 2 ? 'both are' : 'all are'} among the documents.`
                : 'The final report is among the documents.'}
            </p>
            {/* Said on projects that hear complaints after completion (none before that was so). */}
            {until !== undefined && (
              <p>
                {hearsComplaints(p) ? `Complaints about this work can be recorded until ${formatDateTime(until)}.` : `Complaints were heard until ${formatDateTime(until)}.`}
              </p>
            )}
            {reopenedForLateComplaint(p) && (
              <p class="reopened">
                {closedBefore(p) ? 'Open again' : 'Kept open'} for a complaint the client made after {until !== undefined ? 'the window' : 'completion'}, until it is settled.
              </p>
            )}
            {complaintOpen &&
              (redoing.length > 0 ? (
                // Not "resolve it" yet: the workflow resolves it once the fix is accepted.
                <p>
                  A complaint about the completed work is open: {departmentsInWords(redoing)} {redoing.length === 1 ? 'redoes' : 'redo'} the work for it, and once the fix is
                  accepted, resolve it under <a href="#complaints">Complaints</a>, in Client feedback.
                </p>
              ) : (
                <p>
                  A complaint about the completed work is open: resolve it under <a href="#complaints">Complaints</a>, in Client feedback.
                </p>
              ))}
            {/* Completed is not settled while a payment taken back after completion is owed again. */}
            {unpaid.length > 0 && <OwedAgain project={p} invoices={unpaid} />}
            <MoneyOpen project={p} />
            <WrittenOffNote project={p} />
          </div>
          {/* One form, within the window and after it: a complaint being typed as the window runs out stays in it and is sent as one after the window. */}
          {(isManager || leadership) && (
            <RecordComplaint
              project={p}
              onChange={onChange}
              summary={
                hearsComplaints(p) ? 'The client complains about the completed work' : until !== undefined ? 'The client complains after the window' : 'The client complains after completion'
              }
              afterWindow={!hearsComplaints(p)}
            />
          )}
        </>
      );
    }
    case 'cancelled': {
      // Owed still, and nothing but money left: what the client will not pay can be written off now.
      const writable = p.invoices.filter((i) => owed(i) && !whyNoWriteOff(p, i));
      return (
        <div class="callout" role="note">
          <p>
            Cancelled by {name(p.cancellation?.by)} {p.cancellation ? formatDateTime(p.cancellation.at) : ''}: {p.cancellation?.reason}
          </p>
          {/* Cancelled is not settled: the money the cancellation left open is what is left to do here. */}
          <MoneyOpen project={p} />
          {(isManager || leadership) && writable.length > 0 && (
            <p class="write-off-way">
              If the client will not pay, <WriteOffWay invoices={writable} leadership={leadership} />.
            </p>
          )}
          <WrittenOffNote project={p} />
        </div>
      );
    }
  }
}

/**
 * By when the client is asked to answer on the work: the same rule as the client's own page
 * (`respondBy` in api/routes/client-view.ts) — the end of the review's first window, and once they
 * were reminded, the end of the second (silence until then counts as acceptance); the clock waits
 * while a complaint or a request for changes of theirs is open (`awaitClientAnswer` in
 * workflows/project/workflow.ts), and the window ends that much later. `paused`: what it waits
 * for now, in words.
 */
function clientAnswerDue(p: ProjectStatus): { askedAt?: string; remindedAt?: string; respondBy?: string; paused?: string } {
  const askedAt = p.stage === 'client_review' ? p.stageEnteredAt : undefined;
  const complaintOpen = p.complaints.some((c) => !c.resolvedAt);
  const requestOpen = openChangeRequest(p) !== undefined;
  const paused =
    complaintOpen && requestOpen
      ? 'Their complaint and their request for changes are open: the time they have to answer waits until the complaint is resolved and the request answered, then runs on.'
      : complaintOpen
        ? 'Their complaint is open: the time they have to answer waits until it is resolved, then runs on.'
        : requestOpen
          ? 'Their request for changes is open: the time they have to answer waits until it is answered, then runs on.'
          : undefined;
  if (!askedAt) return { paused };
  const remindedAt = [...p.timeline].reverse().find((e) => e.event === 'client_response_due' && e.at >= askedAt)?.at;
  const from = Date.parse(remindedAt ?? askedAt);
  const at = from + p.policy.acceptanceWindowMs + stoodStillSince(p, from);
  return { askedAt, remindedAt, paused, ...(!paused && at > Date.now() && { respondBy: new Date(at).toISOString() }) };
}

/**
 * How long since `from` the client's complaints and requests for changes, answered since, were
 * open, each moment once (one of each open together stopped the clock once): the time their
 * window ends later by.
 */
function stoodStillSince(p: ProjectStatus, from: number): number {
  const periods = [
    ...p.complaints.flatMap((c) => (c.resolvedAt ? [[c.at, c.resolvedAt]] : [])),
    ...(p.changeRequests ?? []).flatMap((r) => (r.answeredAt ? [[r.at, r.answeredAt]] : [])),
  ]
    .map(([start, end]) => [Math.max(from, Date.parse(start)), Date.parse(end)])
    .sort((a, b) => a[0] - b[0]);
  let stood = 0;
  let coveredUntil = from;
  for (const [start, end] of periods) {
    stood += Math.max(0, end - Math.max(start, coveredUntil));
    coveredUntil = Math.max(coveredUntil, end);
  }
  return stood;
}

/** The client's review in dates: when the work went to them, by when they are asked to answer, when silence counts as acceptance. */
function ClientAnswerDue({ project: p }: { project: ProjectStatus }) {
  const { askedAt, remindedAt, respondBy, paused } = clientAnswerDue(p);
  if (!askedAt) return null;
  return (
    <p class="client-answer-due">
      The work went to the client {formatDateTime(askedAt)}.{' '}
      {paused ??
        (remindedAt
          ? respondBy
            ? `They did not answer in time and were reminded ${formatDateTime(remindedAt)}: if they stay silent until ${formatDateTime(respondBy)}, the work counts as accepted.`
            : `They were reminded ${formatDateTime(remindedAt)} and stayed silent: the work counts as accepted now.`
          : respondBy
            ? `They are asked to answer by ${formatDateTime(respondBy)}; if they have not by then they are reminded, and if they stay silent until ${formatDateTime(new Date(Date.parse(respondBy) + p.policy.acceptanceWindowMs).toISOString())} the work counts as accepted.`
            : 'They did not answer in time: they are being reminded.')}
    </p>
  );
}

/** What the client still owes, and what the agency owes back (credit notes: the project closes once they are paid out too). */
function moneyOpen(p: ProjectStatus): { unpaid: Invoice[]; refunds: Invoice[] } {
  return { unpaid: p.invoices.filter(owed), refunds: p.invoices.filter((i) => open(i) && i.kind === 'credit_note') };
}

/** The money still open either way, each invoice with its amount and date: the top of the page says what is left to settle. */
function MoneyOpen({ project: p }: { project: ProjectStatus }) {
  const { unpaid, refunds } = moneyOpen(p);
  // Each number whole: a phone's narrow note would break "CN-2026-000001" at its hyphens.
  const amounts = (list: Invoice[], due: string) =>
    list.map((i, n) => (
      <span key={i.number}>
        {n > 0 && ', '}
        <WholeNumber number={i.number} /> ({formatMoney(stillOwed(i), i.currency)} {due} {formatDate(i.dueAt)}
        {Date.parse(i.dueAt) < Date.now() ? ', overdue' : ''})
      </span>
    ));
  return (
    <>
      {unpaid.length > 0 && <p>Waiting for payment: {amounts(unpaid, 'due')}.</p>}
      {refunds.length > 0 && <p>Refund owed to the client: {amounts(refunds, 'by')}. Record it under Invoices and payments once it is paid out.</p>}
    </>
  );
}

/**
 * What a completed project's final report was made again with: the complaints after completion,
 * money owed again after completion (a payment taken back, then paid again or written off) or paid
 * again (an invoice paid twice, the excess refunded), or both (the workflow's
 * `complaints_settled_after_completion` and `payments_settled_after_completion`).
 */
function settledAfterCompletion(p: ProjectStatus): string {
  const complaints = p.timeline.some((e) => e.event === 'complaints_settled_after_completion');
  const money = p.timeline.some((e) => e.event === 'payments_settled_after_completion');
  const after = (at: string) => p.completedAt !== undefined && Date.parse(at) > Date.parse(p.completedAt);
  // Paid again: what an invoice was paid beyond it went back on a credit note issued since completion.
  const creditedSince = new Set(p.invoices.filter((i) => i.kind === 'credit_note' && after(i.issuedAt)).map((i) => i.number));
  const paidAgain = p.invoices.some((i) => (i.excessCreditedBy ?? []).some((number) => creditedSince.has(number)));
  const owedAgain = p.invoices.some((i) => (i.reversedPayments ?? []).some((r) => after(r.reversedAt)));
  const what = paidAgain && owedAgain ? 'money owed again and paid again after completion' : paidAgain ? 'money paid again after completion' : 'money owed again after completion';
  if (money && complaints) return `the complaints and the ${what}`;
  return money ? `the ${what}` : 'the complaints after completion';
}

/**
 * On a completed project, invoices owed again: a payment on them was taken back after completion
 * (the bank returned it), and the workflow chases them as any unpaid invoice, waiting past its
 * complaint window until they are paid or written off.
 */
function OwedAgain({ project: p, invoices }: { project: ProjectStatus; invoices: Invoice[] }) {
  const one = invoices.length === 1;
  const until = p.complaintsHeardUntil;
  return (
    <p class="owed-again">
      {invoices.map((i, n) => (
        <span key={i.number}>
          {n > 0 && (n === invoices.length - 1 ? ' and ' : ', ')}
          <WholeNumber number={i.number} />
        </span>
      ))}{' '}
      {one ? 'is' : 'are'} owed again: a payment on {one ? 'it' : 'them'} was taken back after the project completed. The client is reminded until{' '}
      {one ? 'it is' : 'they are'} paid or written off{hearsComplaints(p) && until ? `, past ${formatDateTime(until)} if need be` : ''}.
    </p>
  );
}

/**
 * Who writes off what the client will not pay on these invoices (`POST /api/projects/{id}/write-offs`,
 * leadership only): to a manager, that they ask leadership; to leadership, where the invoice's
 * "Write off…" is (each number leads to its line). `once`: when it can be done, if not now.
 */
function WriteOffWay({ invoices, leadership, once }: { invoices: Invoice[]; leadership: boolean; once?: string }) {
  const numbers = invoices.map((i, n) => (
    <span key={i.number}>
      {n > 0 && ' and '}
      {leadership ? (
        <a href={`#${invoiceRowId(i.number)}`}>
          <WholeNumber number={i.number} />
        </a>
      ) : (
        <WholeNumber number={i.number} />
      )}
    </span>
  ));
  return leadership ? (
    <>
      {once ? `${once}, ` : ''}write off what is still owed with “Write off…” on {numbers}
    </>
  ) : (
    <>ask leadership to write off what is still owed on {numbers}</>
  );
}

/** What leadership wrote off, said with how the project ended (the invoices below say by whom, when and why). */
function WrittenOffNote({ project: p }: { project: ProjectStatus }) {
  const off = p.invoices.filter((i) => i.writtenOff);
  if (off.length === 0) return null;
  return (
    <p class="written-off-note">
      Written off, not paid:{' '}
      {off.map((i, n) => (
        <span key={i.number}>
          {n > 0 && ', '}
          {formatMoney(i.writtenOff!.amount, i.currency)} on <WholeNumber number={i.number} />
        </span>
      ))}
      .
    </p>
  );
}

function PlanSection({ project: p }: { project: ProjectStatus }) {
  const name = useName();
  if (p.plans.length === 0) return <p class="muted">No plan submitted yet.</p>;
  const latest = p.plans[p.plans.length - 1];
  const previous = p.plans.length > 1 ? p.plans[p.plans.length - 2] : undefined;
  const state =
    latest.decision?.decision === 'approve' ? (
      <Badge tone="good">approved</Badge>
    ) : latest.decision?.decision === 'reject' ? (
      <Badge tone="bad">sent back</Badge>
    ) : (
      <Badge tone="warn">waiting for a decision</Badge>
    );
  return (
    <>
      <p>
        Version {latest.version} {state}, submitted {formatDateTime(latest.submittedAt)} by {name(latest.submittedBy)}
        {latest.decision && (
          <>
            ; {latest.decision.decision === 'approve' ? 'approved' : 'sent back'} by {name(latest.decision.by)}
            {latest.decision.comment ? `: “${latest.decision.comment}”` : ''}
          </>
        )}
      </p>
      <PlanTable plan={latest} currency={p.budget.currency} clientDate={p.desiredDeadline} />
      {previous && (
        <details>
          <summary>Changes since version {previous.version}</summary>
          <PlanChanges previous={previous} next={latest} currency={p.budget.currency} />
        </details>
      )}
      {p.plans.length > 1 && (
        <details>
          <summary>Earlier versions ({p.plans.length - 1})</summary>
          {p.plans.slice(0, -1).map((v) => (
            <div key={v.version}>
              <h3>
                Version {v.version}
                {v.decision && ` — ${v.decision.decision === 'approve' ? 'approved' : 'sent back'}: ${v.decision.comment || 'no comment'}`}
              </h3>
              <PlanTable plan={v} currency={p.budget.currency} clientDate={p.desiredDeadline} />
            </div>
          ))}
        </details>
      )}
    </>
  );
}

type FeedbackKind = 'accepted' | 'revisions_requested' | 'complaint';

/** A complaint's description goes to the client word for word in the mail that resolves it (`complaint_resolved`). */
const COMPLAINT_HINT = 'The client reads this in the e-mail when it is resolved: write it as they would.';

/** A due date's first value in a form (as `<input type="datetime-local">` takes it): three days from now. */
const dueInThreeDays = (): string => toLocalInput(new Date(Date.now() + 3 * 86_400_000).toISOString());

/**
 * The departments that did work in the project (a task of theirs not cancelled): only they have
 * work to redo, at the client's review or for a complaint after completion — the workflow refuses
 * the others (`departmentsWithWork` in workflows/project/state.ts).
 */
function departmentsWithWork(p: ProjectStatus): Department[] {
  const worked = new Set(p.tasks.filter((t) => t.status !== 'cancelled').map((t) => t.department));
  return DEPARTMENTS.filter((d) => worked.has(d));
}

/** The departments that redo work, chosen among those that did work in the project (`departmentsWithWork`). */
function WorkedDepartments({
  project: p,
  id,
  legend,
  hint,
  selected,
  onChange,
  error,
}: {
  project: ProjectStatus;
  id: string;
  legend: string;
  hint?: string;
  selected: string[];
  onChange: (selected: string[]) => void;
  error?: string;
}) {
  return (
    <Choices
      id={id}
      legend={legend}
      hint={hint}
      type="checkbox"
      selected={selected}
      onChange={onChange}
      options={departmentsWithWork(p).map((d) => ({ value: d, label: DEPARTMENT_LABEL[d] }))}
      error={error}
    />
  );
}

/** A refusal at one of the form's fields, shaped as the API's own: shown at the field, nothing sent. */
function refusedAt(field: string, message: string): ApiError {
  return refusedAtFields([{ field, message }]);
}

/** Refusals at several of the form's fields at once (each said at its own), nothing sent. */
function refusedAtFields(errors: { field: string; message: string }[]): ApiError {
  return new ApiError(400, {
    type: 'urn:agencyflow:problem:validation',
    title: 'Invalid request',
    status: 400,
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}

/**
 * What the client answered, as the manager records it. Nothing is chosen for them: an acceptance
 * (which may complete the project and mails the client, for good) and its rating are only ever
 * what the manager picked, never a default left standing by one click too many. Above it, the
 * client's `request` for changes (made on their page, or by mail or phone and noted here), while it
 * waits: the manager answers it with a round of changes (this form's, which answers it too,
 * starting from the client's words) or without one.
 */
function FeedbackForm({ project: p, request, onChange }: { project: ProjectStatus; request?: ChangeRequest; onChange: Update }) {
  const [kind, setKind] = useState<FeedbackKind | ''>('');
  const [rating, setRating] = useState('');
  const [comment, setComment] = useState('');
  const [description, setDescription] = useState('');
  const [departments, setDepartments] = useState<string[]>([]);
  const [extraPrice, setExtraPrice] = useState('');
  const [dueAt, setDueAt] = useState(dueInThreeDays);
  const approved = p.plans.find((v) => v.version === p.approvedPlanVersion);
  const included = approved?.includedRevisionRounds ?? 0;
  const nextRound = p.revisionRoundsUsed + 1;
  /**
   * The request whose answer without a round is being written (kept while hidden: nothing typed is
   * lost by looking at the round); a later request starts closed.
   */
  const [answeringWithoutRound, setAnsweringWithoutRound] = useState<string | undefined>();
  const writingAnswer = request !== undefined && answeringWithoutRound === request.requestId;
  /** The round was chosen from the request's callout: the keyboard goes to what it will say. */
  const [focusRound, setFocusRound] = useState(false);
  useEffect(() => {
    if (!focusRound) return;
    document.getElementById('feedback-description')?.focus();
    setFocusRound(false);
  }, [focusRound]);
  const chooseKind = (chosen: FeedbackKind) => {
    setKind(chosen);
    // A round for the client's request starts from their words; the manager makes them the departments' brief.
    if (chosen === 'revisions_requested' && request && description.trim() === '') setDescription(request.description);
  };

  const sendKey = useRequestKey();
  const send = useAction(
    () => {
      if (kind === '') {
        document.getElementById('feedback-kind')?.focus();
        throw refusedAt('kind', 'Choose what the client answered.');
      }
      // The API requires a rating with an acceptance; one the client did not give is never sent.
      if (kind === 'accepted' && rating === '') {
        document.getElementById('feedback-rating')?.focus();
        throw refusedAt('rating', 'Choose the rating the client gave (1 to 5).');
      }
      const body =
        kind === 'accepted'
          ? { kind, rating: Number(rating), comment }
          : kind === 'complaint'
            ? { kind, description }
            : {
                kind,
                description,
                departments: departments as Department[],
                dueAt: fromLocalInput(dueAt),
                ...(nextRound > included && extraPrice.trim() !== '' && { extraPrice: typedAmount(extraPrice, 'extraPrice', p.budget.currency) }),
              };
      return ok(api.POST('/api/projects/{id}/feedback', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': sendKey.keyFor(body) } }, body }));
    },
    (next) => {
      sendKey.succeeded();
      onChange(next);
      // The next response is chosen afresh too.
      setKind('');
      setRating('');
      setDescription('');
      setComment('');
      setExtraPrice('');
      flash(
        kind === 'accepted'
          ? 'Recorded: the client accepted the work.'
          : kind === 'complaint'
            ? 'Complaint recorded.'
            : request
              ? `Revision round opened: it answers ${request.clientContact}’s request for changes.`
              : 'Revision round opened.',
      );
    },
  );
  const err = (f: string) => send.at(f);
  const named = ['kind', 'rating', 'comment', 'description', 'departments', 'extraPrice', 'dueAt'];

  return (
    <>
      {request && (
        <ChangeRequestCallout project={p} request={request}>
          <p class="change-request-ways">
            <button
              type="button"
              class="button button--secondary"
              onClick={() => {
                setAnsweringWithoutRound(undefined);
                chooseKind('revisions_requested');
                setFocusRound(true);
              }}
            >
              Record a round of changes
            </button>
            <button
              type="button"
              class="button button--secondary"
              aria-expanded={writingAnswer}
              aria-controls="change-request-reply-form"
              onClick={() => setAnsweringWithoutRound(writingAnswer ? undefined : request.requestId)}
            >
              Answer without a round
            </button>
          </p>
          <AnswerWithoutRound key={request.requestId} project={p} request={request} shown={writingAnswer} onChange={onChange} />
        </ChangeRequestCallout>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send.act();
        }}
        noValidate
      >
        <ProblemBox error={send.error} shownAtFields={named} />
        <Choices
          id="feedback-kind"
          legend="The client’s response"
          type="radio"
          selected={kind === '' ? [] : [kind]}
          onChange={send.editing('kind', ([k]: string[]) => chooseKind(k as FeedbackKind))}
          error={send.at('kind')}
          options={[
            { value: 'accepted', label: 'Accepted the work' },
            { value: 'revisions_requested', label: 'Asked for revisions' },
            { value: 'complaint', label: 'Complained' },
          ]}
        />
        {kind === 'accepted' && (
          <>
            <Select
              id="feedback-rating"
              label="Client’s rating"
              value={rating}
              onValue={send.editing('rating', setRating)}
              placeholder="Choose the client’s rating"
              options={['5', '4', '3', '2', '1'].map((r) => ({ value: r, label: `${r} of 5` }))}
              error={send.at('rating')}
            />
            <TextArea id="feedback-comment" label="Client’s comment" value={comment} onValue={send.editing('comment', setComment)} error={err('comment')} />
          </>
        )}
        {(kind === 'revisions_requested' || kind === 'complaint') && (
          <TextArea
            id="feedback-description"
            label={kind === 'complaint' ? 'What the client complains about' : 'What the client wants changed'}
            hint={
              kind === 'complaint'
                ? COMPLAINT_HINT
                : request
                  ? `The revision tasks say this to the departments: from ${request.clientContact}’s words, make it what they should do.`
                  : undefined
            }
            value={description}
            onValue={send.editing('description', setDescription)}
            error={err('description')}
            required
          />
        )}
        {kind === 'revisions_requested' && (
          <>
            <WorkedDepartments project={p} id="feedback-departments" legend="Departments that rework" selected={departments} onChange={send.editing('departments', setDepartments)} error={err('departments')} />
            <Input
              id="feedback-extraPrice"
              label={`Extra price (${p.budget.currency})`}
              inputMode="decimal"
              value={nextRound > included ? extraPrice : ''}
              onValue={send.editing('extraPrice', setExtraPrice)}
              // An included round has no price to give: the field waits for a round beyond them.
              disabled={nextRound <= included}
              hint={
                nextRound > included
                  ? `Round ${nextRound} is beyond the ${included} included in the plan: give the price the client agreed.`
                  : `Round ${nextRound} of ${included} included: no extra price.`
              }
              error={err('extraPrice')}
            />
            <Input id="feedback-dueAt" label="Revision due" type="datetime-local" value={dueAt} onValue={send.editing('dueAt', setDueAt)} error={err('dueAt')} />
          </>
        )}
        <button type="submit" class="button" disabled={send.pending}>
          {send.pending ? 'Recording…' : 'Record the response'}
        </button>
      </form>
    </>
  );
}

/**
 * The client's request for changes, made on their page (or by mail or phone, noted by the manager)
 * and waiting for the manager: the review period is paused until they answer it
 * (`awaitClientAnswer` in workflows/project/workflow.ts), with a round of changes or without one.
 * `children`: the manager's ways to answer; leadership reads it only. Focusable: it takes the
 * focus once a request just noted here appears (its form gone).
 */
function ChangeRequestCallout({ project: p, request, children }: { project: ProjectStatus; request: ChangeRequest; children?: ComponentChildren }) {
  const { me } = useSession();
  const name = useName();
  return (
    <div class="callout callout--warn change-request" id="change-request" tabIndex={-1}>
      <p>
        <strong>
          {request.clientContact} asked for changes {askedHow(request, name)} on {formatDateTime(request.at)}:
        </strong>{' '}
        <span class="change-request-words">“{request.description}”</span>
        {/* Their words end their sentence already ("…, please.") or the line does. */}
        {/[.!?…]$/.test(request.description.trim()) ? '' : '.'}
      </p>
      <p>The review period is paused until {me.person.id === p.managerId ? 'you answer' : `${name(p.managerId)} answers`}.</p>
      {children}
    </div>
  );
}

/**
 * The manager answers the client's request for changes without a round (`POST
 * /api/projects/{id}/change-requests/{requestId}/decline`): the reply is mailed to the client and
 * shown on their page, and the review period runs on. `shown`: opened from the callout's button
 * (hidden, what was typed stays).
 */
function AnswerWithoutRound({ project: p, request, shown, onChange }: { project: ProjectStatus; request: ChangeRequest; shown: boolean; onChange: Update }) {
  const [reply, setReply] = useState('');
  const replyKey = useRequestKey();
  const answer = useAction(
    () => {
      if (reply.trim() === '') throw refusedAt('reply', 'Say why no round of changes follows: the client reads it.');
      const body = { reply: reply.trim() };
      // Answered meanwhile (another tab, a round recorded) or out of the review: this form goes with
      // the request once the page has read the project again, so the flash says why.
      const readAgain = (fresh: ProjectStatus) => {
        onChange(fresh);
        const now = fresh.changeRequests?.find((r) => r.requestId === request.requestId);
        flash(`Your answer was not sent: ${now?.outcome ? 'the request was answered meanwhile (see Client feedback)' : 'the work is no longer with the client for review'}.`);
      };
      return readAgainIfRefused(p, readAgain, () =>
        ok(
          api.POST('/api/projects/{id}/change-requests/{requestId}/decline', {
            params: { path: { id: p.projectId, requestId: request.requestId }, header: { 'Idempotency-Key': replyKey.keyFor(body) } },
            body,
          }),
        ),
      );
    },
    (next) => {
      replyKey.succeeded();
      onChange(next);
      setReply('');
      flash(`Answered without a round: ${request.clientContact} is mailed your reply, and the time they have to answer runs on.`);
    },
  );
  // Opened, the keyboard goes to the reply; a refusal at it takes the keyboard there too.
  useEffect(() => {
    if (shown) document.getElementById('change-request-reply')?.focus();
  }, [shown]);
  useEffect(() => {
    if (answer.at('reply')) document.getElementById('change-request-reply')?.focus();
  }, [answer.error]);
  return (
    <form
      id="change-request-reply-form"
      class="change-request-reply"
      hidden={!shown}
      onSubmit={(e) => {
        e.preventDefault();
        void answer.act();
      }}
      noValidate
    >
      <ProblemBox error={answer.error} shownAtFields={['reply']} />
      <TextArea
        id="change-request-reply"
        label="Your answer to the client"
        hint="Why no round of changes follows. The client reads it: it is mailed to them and shown on their page."
        value={reply}
        onValue={answer.editing('reply', setReply)}
        error={answer.at('reply')}
        rows={3}
        required
      />
      <button type="submit" class="button" disabled={answer.pending}>
        {answer.pending ? 'Sending…' : 'Send the answer, no round of changes'}
      </button>
    </form>
  );
}

/**
 * Changes the client asked for by mail or phone, noted by the manager (`POST
 * /api/projects/{id}/change-requests`) for when the round cannot be planned at once (departments to
 * ask, a price to agree): the request then waits for their answer as one made on the client's page
 * does, the review period paused, and is answered the same ways (a round, or a reply without one).
 * A disclosure under the response form: the round form stays the way for changes agreed on the
 * spot, and this one line is all the page shows until it is opened.
 */
function RecordChangesAskedByMail({ project: p, onChange, onRecorded }: { project: ProjectStatus; onChange: Update; onRecorded: () => void }) {
  const [description, setDescription] = useState('');
  const [clientContact, setClientContact] = useState('');
  const recordKey = useRequestKey();
  const record = useAction(
    () => {
      // Both said before anything is sent, each at its field; longer than the API takes is said by it, at its field too.
      const missing = [
        ...(description.trim() === '' ? [{ field: 'description', message: 'Say what the client asked to change.' }] : []),
        ...(clientContact.trim() === '' ? [{ field: 'clientContact', message: 'Say who at the client asked.' }] : []),
      ];
      if (missing.length > 0) throw refusedAtFields(missing);
      const body = { description: description.trim(), clientContact: clientContact.trim() };
      // Refused as the project moved on meanwhile (the client asked on their page, or accepted): the
      // page reads it again, this form goes with it, and the flash says why.
      const readAgain = (fresh: ProjectStatus) => {
        onChange(fresh);
        const why = openChangeRequest(fresh) ? 'a request for changes waits already: answer it above' : fresh.stage !== 'client_review' ? 'the work is no longer with the client for review' : undefined;
        if (why) flash(`Not recorded: ${why}.`);
      };
      return readAgainIfRefused(p, readAgain, () =>
        ok(api.POST('/api/projects/{id}/change-requests', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': recordKey.keyFor(body) } }, body })),
      );
    },
    (next) => {
      recordKey.succeeded();
      onChange(next);
      // This form goes while the request waits; its callout, with the ways to answer, takes the focus.
      onRecorded();
      flash(`Recorded: ${clientContact.trim()}’s request for changes waits for your answer, and the review period is paused.`);
    },
  );
  const named = ['description', 'clientContact'];
  useFocusFirstRefused(record.error, named, 'changes-by-mail');
  return (
    <details class="changes-by-mail">
      <summary>The client asked for changes by mail or phone</summary>
      <p>Note what they asked: the review period stops until you answer it, as for a request on the client’s page.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void record.act();
        }}
        noValidate
      >
        <ProblemBox error={record.error} shownAtFields={named} />
        <TextArea
          id="changes-by-mail-description"
          label="What they asked to change"
          hint="In the client’s words: their page shows it."
          value={description}
          onValue={record.editing('description', setDescription)}
          error={record.at('description')}
          rows={3}
          required
        />
        <Input
          id="changes-by-mail-clientContact"
          label="Who at the client asked"
          value={clientContact}
          onValue={record.editing('clientContact', setClientContact)}
          error={record.at('clientContact')}
          required
        />
        <button type="submit" class="button button--secondary" disabled={record.pending}>
          {record.pending ? 'Recording…' : 'Record their request'}
        </button>
      </form>
    </details>
  );
}

/** Said of a complaint made after the completed project's window, or after a completion that heard none. */
const madeAfterWindow = (p: ProjectStatus): string => (p.complaintsHeardUntil !== undefined ? 'made after the complaint window' : 'made after completion');

/**
 * The price of the round of changes a feedback entry recorded (the round recorded at the same
 * moment), when it is beyond the included rounds and has one: "Round 2, beyond the included
 * rounds: €300.00 extra" — what the final invoice adds for it.
 */
function ExtraRoundPrice({ project: p, at }: { project: ProjectStatus; at: string }) {
  const round = p.revisions.find((r) => r.requestedAt === at && r.extraPrice > 0);
  if (!round) return null;
  return (
    <span class="extra-round-price">
      {' '}
      · Round {round.round}, beyond the included rounds: {formatMoney(round.extraPrice, p.budget.currency)} extra
    </span>
  );
}

function FeedbackHistory({ project: p, canAct, isManager, onChange }: { project: ProjectStatus; canAct: boolean; isManager: boolean; onChange: Update }) {
  const name = useName();
  return (
    <>
      {p.feedback.length > 0 && (
        <ul class="feedback">
          {p.feedback.map((f) => (
            <li key={f.at}>
              <strong>{formatDateTime(f.at)}</strong>{' '}
              {f.kind === 'accepted' && (
                <>
                  <Badge tone="good">Accepted</Badge> rating {f.rating} of 5{f.comment ? `: “${f.comment}”` : ''}
                </>
              )}
              {f.kind === 'deemed_accepted' && <Badge tone="neutral">Deemed accepted (no answer)</Badge>}
              {f.kind === 'revisions_requested' && (
                <>
                  <Badge tone="warn">Revisions requested</Badge> {f.description}
                  <ExtraRoundPrice project={p} at={f.at} />
                </>
              )}
              {f.kind === 'complaint' && (
                <>
                  <Badge tone="bad">Complaint</Badge> {f.description}
                  {/* The complaint it recorded, made at the same moment. */}
                  {p.complaints.some((c) => c.afterWindow && c.at === f.at) && <span class="muted"> ({madeAfterWindow(p)})</span>}
                </>
              )}
              {f.clientContact !== undefined ? (
                <span class="muted"> — given by {f.clientContact} on the client’s page</span>
              ) : (
                f.recordedBy && <span class="muted"> — recorded by {name(f.recordedBy)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {(p.changeRequests ?? []).length > 0 && <ChangeRequests project={p} />}
      {p.complaints.length > 0 && (
        <>
          <h3 id="complaints">Complaints</h3>
          <ul class="complaints">
            {p.complaints.map((c) => (
              <li key={c.complaintId}>
                <p>
                  <strong>{c.description}</strong>{' '}
                  <span class="muted">
                    ({formatDateTime(c.at)}
                    {c.afterWindow && `, ${madeAfterWindow(p)}`})
                  </span>{' '}
                  {c.resolvedAt ? <Badge tone="good">Resolved</Badge> : <ComplaintDue at={c.at} allowedMs={p.policy.complaintResolutionMs} />}
                </p>
                {c.resolution && (
                  <p>
                    Resolution: {c.resolution} <span class="muted">— {name(c.resolvedBy)}, {formatDateTime(c.resolvedAt)}</span>
                  </p>
                )}
                {c.compensation && (
                  <p>
                    Compensation: {formatMoney(c.compensation.amount, p.budget.currency)}{' '}
                    <span class="muted">
                      <WholeNumbersIn text={compensationState(c.compensation, p)} numbers={invoiceNumbersAndReferences(p)} />
                    </span>
                  </p>
                )}
                {c.rework && <ComplaintRework project={p} complaint={c} isManager={isManager} />}
                {/* The project's manager only: the departments' work is theirs to send back and review. */}
                {isManager && p.stage === 'completed' && <SendWorkBack project={p} complaint={c} onChange={onChange} />}
                {!c.resolvedAt && canAct && (fixesPending(p, c).length > 0 ? <FixFirst project={p} complaint={c} isManager={isManager} /> : <ResolveComplaint project={p} complaintId={c.complaintId} onChange={onChange} />)}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** The client's requests for changes, answered or not: who asked, how (on their page, or by mail or phone and noted by whom), when, what, and what came of it. */
function ChangeRequests({ project: p }: { project: ProjectStatus }) {
  const { me } = useSession();
  const name = useName();
  const by = (r: ChangeRequest) => (
    <span class="muted">
      {' '}
      — {name(r.answeredBy)}, {formatDateTime(r.answeredAt)}
    </span>
  );
  const outcome = (r: ChangeRequest) => {
    switch (r.outcome) {
      case 'round_recorded':
        return <>Round {r.round} of changes recorded{by(r)}</>;
      case 'declined':
        return (
          <>
            Answered without a round: <span class="change-request-words">“{r.reply}”</span>
            {by(r)}
          </>
        );
      case 'accepted_instead':
        return <>The work was accepted before an answer{by(r)}</>;
      case 'project_cancelled':
        // Closed by the cancellation (`noteCancellation` in workflows/project/state.ts), with who cancelled and when.
        return (
          <>
            <Badge tone="neutral">Not answered</Badge> the project was cancelled before an answer{by(r)}
          </>
        );
      default:
        return (
          <>
            <Badge tone="warn">Waiting for an answer</Badge> the review period is paused until {me.person.id === p.managerId ? 'you answer' : `${name(p.managerId)} answers`}
          </>
        );
    }
  };
  return (
    <>
      <h3>Requests for changes</h3>
      <ul class="change-requests">
        {(p.changeRequests ?? []).map((r) => (
          <li key={r.requestId}>
            <p>
              <strong class="change-request-words">“{r.description}”</strong>{' '}
              <span class="muted">
                — {r.clientContact} {askedHow(r, name)}, {formatDateTime(r.at)}
              </span>
            </p>
            <p>{outcome(r)}</p>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Where the workflow's policy does not say (projects started before it did): as the workflow assumes. */
const COMPLAINT_RESOLUTION_DEFAULT_MS = 48 * 3_600_000;

/** An open complaint, and by when the policy wants it resolved (past that, manager and leadership were told). */
function ComplaintDue({ at, allowedMs }: { at: string; allowedMs?: number }) {
  const due = new Date(Date.parse(at) + (allowedMs ?? COMPLAINT_RESOLUTION_DEFAULT_MS)).toISOString();
  return Date.parse(due) < Date.now() ? (
    <>
      <Badge tone="bad">Open</Badge> <span class="muted">past its resolution time ({formatDateTime(due)})</span>
    </>
  ) : (
    <>
      <Badge tone="warn">Open</Badge> <span class="muted">to be resolved by {formatDateTime(due)}</span>
    </>
  );
}

type Complaint = ProjectStatus['complaints'][number];
type ProjectTask = ProjectStatus['tasks'][number];

const departmentsInWords = (departments: Department[]): string => listInWords(departments.map((d) => DEPARTMENT_LABEL[d]));

/** The tasks of the work sent back for a complaint (keys `<complaintId>.<department>`), as the project lists them. */
const fixTasks = (p: ProjectStatus, c: Complaint): ProjectTask[] => (c.rework?.taskKeys ?? []).flatMap((key) => p.tasks.filter((t) => t.key === key));

/** Fixes not accepted yet: the workflow resolves the complaint only after them (`resolveComplaintUpdate`'s validator). */
const fixesPending = (p: ProjectStatus, c: Complaint): ProjectTask[] => fixTasks(p, c).filter((t) => t.status !== 'accepted');

/** Where the work sent back for a complaint is said on the page: the focus goes there once it is sent. */
const reworkId = (complaintId: string): string => `complaint-${complaintId}-rework`;

/**
 * The work sent back for a complaint after completion: to which departments, by when, what they
 * were told (the agency's words: the client hears only which team redoes it and by when), and each
 * fix's state, linked to its task page, where it is done and reviewed as any task.
 */
function ComplaintRework({ project: p, complaint: c, isManager }: { project: ProjectStatus; complaint: Complaint; isManager: boolean }) {
  const name = useName();
  const rework = c.rework!;
  const fixInWords = (t: ProjectTask): string => {
    switch (t.status) {
      case 'waiting':
      case 'open':
        return `waiting for someone in ${DEPARTMENT_LABEL[t.department]} to take it up`;
      case 'claimed':
        return `${name(t.assigneeId)} is on it`;
      case 'submitted':
        return isManager ? 'review it on its task page' : `for ${name(p.managerId)} to review`;
      case 'accepted':
        return formatDateTime(t.acceptedAt);
      default:
        return '';
    }
  };
  return (
    <div class="complaint-rework" id={reworkId(c.complaintId)} tabIndex={-1}>
      <p>
        Work sent back to {departmentsInWords(rework.departments)}, to be redone by {formatDateTime(rework.dueAt)}{' '}
        <span class="muted">
          — {name(rework.requestedBy)}, {formatDateTime(rework.requestedAt)}
        </span>
      </p>
      <p class="complaint-rework-what">What to redo: {rework.description}</p>
      <ul class="complaint-fixes">
        {fixTasks(p, c).map((t) => (
          <li key={t.taskId}>
            <Link href={`/tasks/${t.taskId}`}>{t.title}</Link> <TaskStatusBadge status={t.status} />
            {t.overdue && t.status !== 'submitted' && t.status !== 'accepted' && (
              <>
                {' '}
                <Badge tone="bad">Overdue</Badge>
              </>
            )}{' '}
            <span class="muted">{fixInWords(t)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * In place of the resolution form while work sent back for the complaint is not accepted: the
 * workflow resolves it only after (a 409 otherwise), so the page says what comes first.
 */
function FixFirst({ project: p, complaint: c, isManager }: { project: ProjectStatus; complaint: Complaint; isManager: boolean }) {
  const name = useName();
  const pending = fixesPending(p, c);
  const one = pending.length === 1;
  const whose = one ? `${DEPARTMENT_LABEL[pending[0].department]}’s fix is` : `the fixes of ${departmentsInWords(pending.map((t) => t.department))} are`;
  return (
    <p class="callout fix-first" role="note">
      The fix is reviewed first: the complaint can be resolved here once {whose} accepted
      {isManager ? `. Review ${one ? 'it on its' : 'them on their'} task page once delivered.` : ` by ${name(p.managerId)}.`}
    </p>
  );
}

/** What the flash says once work is sent back. */
const sentBackInWords = (rework: NonNullable<Complaint['rework']>): string =>
  `Sent back to ${departmentsInWords(rework.departments)}, to be redone by ${formatDateTime(rework.dueAt)}: the fix is in their inbox; the client is told it is being put right.`;

/** Why work can no longer be sent back for a complaint (changed since the form opened); undefined while it can. */
function whyNoSendingBack(p: ProjectStatus, c: Complaint, name: (id: string | undefined) => string): string | undefined {
  if (c.rework) return `Work was sent back for it already, ${formatDateTime(c.rework.requestedAt)} by ${name(c.rework.requestedBy)}: it is said above.`;
  if (c.resolvedAt) return `The complaint was resolved ${formatDateTime(c.resolvedAt)} by ${name(c.resolvedBy)}: nothing is sent back.`;
  if (p.stage !== 'completed') return 'Work is sent back for a complaint made after the project completed.';
  return undefined;
}

/**
 * "Send the work back…" on an open complaint of a completed project, for its manager: the
 * departments that did the work redo it free of charge (`reworkComplaintUpdate`). Once open, the
 * form stays while the complaint changes meanwhile (sent back from another tab, resolved) and then
 * says why it can no longer be sent.
 */
function SendWorkBack({ project: p, complaint: c, onChange }: { project: ProjectStatus; complaint: Complaint; onChange: Update }) {
  const name = useName();
  const [sending, setSending] = useState(false);
  const [refocus, setRefocus] = useState<'button' | 'rework'>();
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!refocus) return;
    setRefocus(undefined);
    // Put away: back to the button; sent: to what the complaint now says was sent (the button is gone).
    ((refocus === 'button' && button.current) || document.getElementById(reworkId(c.complaintId)))?.focus();
  }, [refocus]);
  const why = whyNoSendingBack(p, c, name);
  if (!sending) {
    return why ? null : (
      <p class="send-back-offer">
        <button ref={button} type="button" class="button button--secondary" onClick={() => setSending(true)}>
          Send the work back…
        </button>
      </p>
    );
  }
  return (
    <SendWorkBackForm
      project={p}
      complaint={c}
      why={why}
      onChange={onChange}
      onClose={(sent) => {
        setSending(false);
        setRefocus(sent ? 'rework' : 'button');
      }}
    />
  );
}

function SendWorkBackForm({
  project: p,
  complaint: c,
  why,
  onChange,
  onClose,
}: {
  project: ProjectStatus;
  complaint: Complaint;
  why: string | undefined;
  onChange: Update;
  onClose: (sent: boolean) => void;
}) {
  const ids = `send-back-${c.complaintId}`;
  const [departments, setDepartments] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const [dueAt, setDueAt] = useState(dueInThreeDays);
  useEffect(() => {
    document.querySelector<HTMLInputElement>(`#${ids}-departments input`)?.focus();
  }, []);
  const key = useRequestKey();
  const send = useAction(
    async () => {
      const missing = [
        ...(departments.length === 0 ? [{ field: 'departments', message: 'Choose the departments that redo their work.' }] : []),
        ...(description.trim() === '' ? [{ field: 'description', message: 'Say what the department is to redo.' }] : []),
        ...(dueAt === '' ? [{ field: 'dueAt', message: 'Give the date the fix is due.' }] : []),
      ];
      if (missing.length > 0) throw refusedAtFields(missing);
      const body = { departments: departments as Department[], description: description.trim(), dueAt: fromLocalInput(dueAt) };
      // Refused because the complaint changed since the page read it (sent back from another tab, resolved): read again, and the form says why.
      return readAgainIfRefused(p, onChange, () =>
        ok(
          api.POST('/api/projects/{id}/complaints/{complaintId}/rework', {
            params: { path: { id: p.projectId, complaintId: c.complaintId }, header: { 'Idempotency-Key': key.keyFor(body) } },
            body,
          }),
        ),
      );
    },
    (next) => {
      key.succeeded();
      onChange(next);
      onClose(true);
      const rework = next.complaints.find((x) => x.complaintId === c.complaintId)?.rework;
      flash(rework ? sentBackInWords(rework) : 'Sent back.');
    },
  );
  // Sent already as typed here, by this person (an answer lost on its way back, then read by the
  // page's poll; another tab of theirs): done, not "not sent".
  const { me } = useSession();
  const ours = c.rework !== undefined && c.rework.requestedBy === me.person.id && c.rework.description === description.trim();
  useEffect(() => {
    if (!ours || send.pending) return;
    key.succeeded();
    onClose(true);
    flash(sentBackInWords(c.rework!));
  }, [ours, send.pending]);
  const named = ['departments', 'description', 'dueAt'];
  useFocusFirstRefused(send.error, named, ids);

  if (why && !send.pending && !ours) {
    return (
      <div class="inline-form send-back-form">
        <p class="callout callout--warn" role="alert">
          <strong>Not sent back.</strong> {why}
        </p>
        <div class="form-actions">
          <button type="button" class="button button--secondary" onClick={() => onClose(false)}>
            Close
          </button>
        </div>
      </div>
    );
  }
  return (
    <form
      class="inline-form send-back-form"
      aria-label={`Send the work back for “${shorten(c.description)}”`}
      onSubmit={(e) => {
        e.preventDefault();
        void send.act();
      }}
      noValidate
    >
      <h3>Send the work back</h3>
      <p>
        The departments chosen redo their work free of charge, as tasks of this project in their inbox; you review the fix as any task, and the complaint is resolved once it is
        accepted.
      </p>
      <ProblemBox error={send.error} shownAtFields={named} fieldLabel={(f) => (f === 'complaintId' ? 'Complaint' : undefined)} />
      <WorkedDepartments
        project={p}
        id={`${ids}-departments`}
        legend="Departments that redo their work"
        hint="Those that did work in this project."
        selected={departments}
        onChange={send.editing('departments', setDepartments)}
        error={send.at('departments')}
      />
      <TextArea
        id={`${ids}-description`}
        label="What to redo"
        hint="Goes to the department, with the client’s complaint. The client is told which team redoes it and by when, not this text."
        value={description}
        onValue={send.editing('description', setDescription)}
        error={send.at('description')}
        rows={3}
        required
      />
      <Input id={`${ids}-dueAt`} label="Fix due" type="datetime-local" value={dueAt} onValue={send.editing('dueAt', setDueAt)} error={send.at('dueAt')} />
      <div class="form-actions">
        <button type="submit" class="button" disabled={send.pending}>
          {send.pending ? 'Sending back…' : 'Send the work back'}
        </button>
        <button type="button" class="button button--secondary" onClick={() => onClose(false)}>
          Not now
        </button>
      </div>
    </form>
  );
}

/**
 * A complaint after the client accepted: leadership and the project's manager are told, as for one
 * during the review. `afterWindow`: the project is completed and past its window, and recording one
 * runs it again (or keeps it open) until the complaint is settled: the form says so first.
 */
function RecordComplaint({
  project: p,
  onChange,
  summary,
  afterWindow,
}: {
  project: ProjectStatus;
  onChange: Update;
  summary: string;
  afterWindow?: boolean;
}) {
  const { me, people } = useSession();
  // Whoever records it is not mailed about their own action: everyone else concerned is.
  const otherLeaders = [...people.values()].some((person) => person.role === 'leadership' && person.id !== me.person.id);
  const told =
    me.person.id === p.managerId
      ? 'leadership is told'
      : otherLeaders
        ? 'the project\u2019s manager and the rest of leadership are told'
        : 'the project\u2019s manager is told';
  const [description, setDescription] = useState('');
  const typed = description.trim() !== '';
  const card = useRef<HTMLDetailsElement>(null);
  const recordKey = useRequestKey();
  const record = useAction(
    () => {
      const body = { kind: 'complaint' as const, description };
      return ok(api.POST('/api/projects/{id}/feedback', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': recordKey.keyFor(body) } }, body }));
    },
    (next) => {
      recordKey.succeeded();
      onChange(next);
      setDescription('');
      // Recorded: the form is put away (the complaint is resolved under Client feedback); the next one starts afresh.
      if (card.current) card.current.open = false;
      card.current?.querySelector('summary')?.focus();
      flash(
        reopenedForLateComplaint(next) ? `Complaint recorded: the project is ${closedBefore(next) ? 'open again' : 'kept open'} until it is settled; ${told}.` : `Complaint recorded; ${told}.`,
      );
    },
  );
  return (
    // Open while it holds text: a poll's new render does not fold away what is being typed.
    <details class="card" ref={card} open={typed || undefined}>
      <summary>{summary}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void record.act();
        }}
        noValidate
      >
        {afterWindow && (
          <p class="reopens">
            Recording it {closedBefore(p) ? 'opens the project again' : 'keeps the project open'} until the complaint is settled; {told}.
          </p>
        )}
        <ProblemBox error={record.error} shownAtFields={['description']} />
        <TextArea
          id="late-complaint"
          label="What the client complains about"
          hint={COMPLAINT_HINT}
          value={description}
          onValue={record.editing('description', setDescription)}
          error={record.at('description')}
          rows={3}
          required
        />
        <button type="submit" class="button button--secondary" disabled={record.pending}>
          Record the complaint
        </button>
      </form>
    </details>
  );
}

/**
 * Starting the work the policy holds back for the prepayment, before it is paid (a client the agency
 * trusts, a transfer on its way): with the reason, kept on the project for the agency. The tasks open
 * at once, their due dates moved later by the wait so far; the prepayment stays owed and is chased
 * as any unpaid invoice (`startWorkUpdate` in workflows/project/handlers.ts).
 */
function StartWorkNow({ project: p, prepayment, onChange, onStarted }: { project: ProjectStatus; prepayment: Invoice; onChange: Update; onStarted: () => void }) {
  const { me } = useSession();
  const name = useName();
  const [reason, setReason] = useState('');
  const tasks = approvedTaskCount(p);
  const startKey = useRequestKey();
  const start = useAction(
    async () => {
      if (reason.trim() === '') throw refusedAt('reason', 'Say why the work starts before the prepayment is paid.');
      const body = { reason: reason.trim() };
      try {
        return await ok(api.POST('/api/projects/{id}/start-work', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': startKey.keyFor(body) } }, body }));
      } catch (err) {
        // Nothing waits any more (the prepayment came meanwhile): the page reads the project again, and
        // this form goes with the wait, so the flash says why.
        if (err instanceof ApiError && err.status === 409) {
          void ok(api.GET('/api/projects/{id}', { params: { path: { id: p.projectId } } })).then((fresh) => {
            onChange(fresh);
            flash('Not started from here: the work is no longer waiting for the prepayment.');
          }, () => undefined);
        }
        throw err;
      }
    },
    (next) => {
      startKey.succeeded();
      onChange(next);
      setReason('');
      onStarted();
      const started = next.startedBeforePrepayment;
      // Started a moment before by someone else (a colleague, another tab): answered as done, said as theirs.
      flash(
        started && started.by !== me.person.id
          ? `Already started by ${name(started.by)} ${formatDateTime(started.at)}: nothing changed.`
          : `The work starts now; ${prepayment.number} stays owed and chased.`,
        [prepayment.number],
      );
    },
  );
  // A refusal at the reason is said at it (and the keyboard taken there); any other in the box.
  useEffect(() => {
    if (start.at('reason')) document.getElementById('start-work-reason')?.focus();
  }, [start.error]);
  return (
    <details class="card start-work-now">
      <summary>Start the work now, before the prepayment is paid</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void start.act();
        }}
        noValidate
      >
        <p>
          The plan’s {plural(tasks, 'task')} {tasks === 1 ? 'opens' : 'open'} at once, {tasks === 1 ? 'its due date' : 'their due dates'} moved later by the time waited so far. The
          prepayment invoice <WholeNumber number={prepayment.number} /> ({formatMoney(stillOwed(prepayment), prepayment.currency)} open) stays owed, and the client is reminded of it when it
          falls due, like any unpaid invoice.
        </p>
        <ProblemBox error={start.error} shownAtFields={['reason']} />
        <TextArea
          id="start-work-reason"
          label="Why start before the prepayment is paid"
          hint="For the agency: why the client is trusted, or that the transfer is on its way (never sent to the client)."
          value={reason}
          onValue={start.editing('reason', setReason)}
          error={start.at('reason')}
          rows={2}
          required
        />
        <button type="submit" class="button" disabled={start.pending}>
          {start.pending ? 'Starting…' : 'Start the work now: the prepayment stays owed and chased'}
        </button>
      </form>
    </details>
  );
}

/** Where a complaint's compensation went: off an invoice, or back by a credit note (refunded yet or not). */
function compensationState(compensation: NonNullable<ProjectStatus['complaints'][number]['compensation']>, p: ProjectStatus): string {
  // Not settled yet: taken off the final invoice while that is to come; once it is issued, the
  // workflow gives it back by a credit note of its own, made a moment after the resolution.
  if (!compensation.settled) return p.invoices.some((i) => i.kind === 'final') ? '— a credit note for it is being made' : '— to be taken off the final invoice';
  if (compensation.takenOff !== undefined) {
    // A cancelled project's bill takes compensations off the work accepted, and no more.
    const taken = compensation.takenOff > 0 ? `${formatMoney(compensation.takenOff, p.budget.currency)} of it taken off` : 'nothing of it could be taken off';
    return compensation.invoiceNumber
      ? `— ${taken} invoice ${compensation.invoiceNumber} (the work accepted before the cancellation allowed no more)`
      : `— ${taken} the work accepted before the cancellation, which it used up: nothing was left to bill`;
  }
  if (!compensation.invoiceNumber) return '— nothing was left to bill';
  const invoice = p.invoices.find((i) => i.number === compensation.invoiceNumber);
  if (invoice?.kind !== 'credit_note') return `— taken off invoice ${compensation.invoiceNumber}`;
  const setOffs = netSetOffs(invoice);
  if (setOffs.length === 0) return invoice.status === 'paid' ? `— refunded by credit note ${invoice.number}` : `— to be refunded by credit note ${invoice.number}`;
  // Set against an invoice the client had not paid: that part is taken off it, only the rest goes back.
  const parts = setOffs.map((o) => `${formatMoney(o.amount, invoice.currency)} taken off invoice ${o.invoiceNumber}`);
  const refund = roundMoney(invoice.amount - setOffTotal(invoice), invoice.currency);
  if (refund > 0) parts.push(`${formatMoney(refund, invoice.currency)} ${stillOwed(invoice) > 0 ? 'to be refunded' : 'refunded'}`);
  return `— credit note ${invoice.number}: ${parts.join(', ')}`;
}

function ResolveComplaint({ project: p, complaintId, onChange }: { project: ProjectStatus; complaintId: string; onChange: Update }) {
  const [resolution, setResolution] = useState('');
  const [compensation, setCompensation] = useState('');
  // From invoicing on, the final invoice is out (or nothing was left to bill): money goes back.
  const finalOut = p.stage === 'invoicing' || p.invoices.some((i) => i.kind === 'final');
  // Completed: everything billed is paid, so a compensation is all refunded (the workflow caps it at what was billed).
  const completed = p.stage === 'completed';
  const resolveKey = useRequestKey();
  const resolve = useAction(
    async () => {
      // Typed text, not a number input: "12,50" or "abc" are read or refused at the field,
      // never a browser quietly sending no compensation with a final resolution.
      const body = { resolution, ...(compensation.trim() !== '' && { compensation: typedAmount(compensation, 'compensation', p.budget.currency) }) };
      return ok(
        api.POST('/api/projects/{id}/complaints/{complaintId}/resolution', {
          params: { path: { id: p.projectId, complaintId }, header: { 'Idempotency-Key': resolveKey.keyFor(body) } },
          body,
        }),
      );
    },
    (next) => {
      resolveKey.succeeded();
      onChange(next);
      flash(
        compensation.trim() === ''
          ? 'Complaint resolved.'
          : completed
            ? 'Complaint resolved; a credit note for the compensation goes to the client: record the refund under Invoices and payments once it is paid out.'
            : finalOut
              ? 'Complaint resolved; a credit note for the compensation goes to the client.'
              : 'Complaint resolved; the compensation comes off the final invoice.',
      );
    },
  );
  const named = ['resolution', 'compensation'];
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void resolve.act();
      }}
      noValidate
    >
      <ProblemBox error={resolve.error} shownAtFields={named} />
      <TextArea
        id={`resolution-${complaintId}`}
        label="How it was resolved"
        value={resolution}
        onValue={resolve.editing('resolution', setResolution)}
        error={resolve.at('resolution')}
        rows={2}
      />
      <Input
        id={`compensation-${complaintId}`}
        label={`Compensation agreed (${p.budget.currency}, optional)`}
        hint={
          completed
            ? 'A credit note, refunded to the client: at most what the project billed, less credit notes already given.'
            : finalOut
              ? 'A credit note: set against what the client has not paid yet, the rest refunded to the client.'
              : 'Taken off the final invoice.'
        }
        inputMode="decimal"
        value={compensation}
        onValue={resolve.editing('compensation', setCompensation)}
        error={resolve.at('compensation')}
      />
      <button type="submit" class="button button--secondary" disabled={resolve.pending}>
        Resolve the complaint
      </button>
    </form>
  );
}

/**
 * An action on one of the project's invoices: refused because the project changed since the page
 * read it (404, 409), the page reads it again at once, so the form can say why in its words
 * against what is there now.
 */
async function readAgainIfRefused(p: ProjectStatus, onChange: Update, send: () => Promise<ProjectStatus>): Promise<ProjectStatus> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
      void ok(api.GET('/api/projects/{id}', { params: { path: { id: p.projectId } } })).then(onChange, () => undefined);
    }
    throw err;
  }
}

function Invoices({ project: p, canAct, onChange }: { project: ProjectStatus; canAct: boolean; onChange: Update }) {
  const { me } = useSession();
  const leadership = me.person.role === 'leadership';
  const unsettled = payable(p);
  /** Invoices paid already that the client may pay again: with nothing open, the payment form is opened for them on request. */
  const paidAgain = paidAgainable(p);
  const [recordingPaidAgain, setRecordingPaidAgain] = useState(false);
  /** Put away without recording: the focus goes back to the button that opened it. */
  const [focusPaidAgainOffer, setFocusPaidAgainOffer] = useState(false);
  const paidAgainButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!focusPaidAgainOffer) return;
    setFocusPaidAgainOffer(false);
    paidAgainButton.current?.focus();
  }, [focusPaidAgainOffer]);
  /** A payment refused because its invoice was settled first elsewhere: said where the form was. */
  const [lostRace, setLostRace] = useState<LostPaymentRace>();
  /** A payment just taken back as entered by mistake: the payment form takes it up, to record it rightly. */
  const [recordAgain, setRecordAgain] = useState<RecordAgain>();
  /** The struck-through line the focus goes to once the form that had it is gone (a payment taken back otherwise). */
  const [focusTakenBack, setFocusTakenBack] = useState<string>();
  /** The line of a payment just recorded from a confirmation, which takes the focus from the button that went. */
  const [focusRecorded, setFocusRecorded] = useState<string>();
  /** A take-back that found the payment taken back already: said on its line, where the focus is (the flash is out of sight up the page). */
  const [alreadyTakenBack, setAlreadyTakenBack] = useState<{ line: string; text: string }>();
  /** The invoice whose write-off form is open (one at a time, under the table), and where the focus goes once it is put away. */
  const [writingOff, setWritingOff] = useState<string>();
  const [focusWriteOff, setFocusWriteOff] = useState<{ number: string; on: 'button' | 'state' }>();
  useEffect(() => {
    if (!focusWriteOff) return;
    setFocusWriteOff(undefined);
    const row = document.getElementById(invoiceRowId(focusWriteOff.number));
    const target = focusWriteOff.on === 'button' ? row?.querySelector<HTMLElement>('.write-off-button') : row?.querySelector<HTMLElement>('.written-off');
    (target ?? row?.querySelector<HTMLElement>('th'))?.focus();
  }, [focusWriteOff]);
  // A credit note is money the agency owes the client: a table of its own, in its own words
  // (refunded, to refund, refund by), never under an invoice's "Paid" and "Due" as if the client owed it.
  const bills = p.invoices.filter((i) => i.kind !== 'credit_note');
  const credits = p.invoices.filter((i) => i.kind === 'credit_note');
  const toRefund = roundMoney(credits.filter(open).reduce((n, i) => n + stillOwed(i), 0), p.budget.currency);
  const writeOffForm = writingOff ? p.invoices.find((i) => i.number === writingOff) : undefined;
  // A manager cannot write off; where leadership could and the client is late, the way is named
  // (on a cancelled project the note at the top names it, for every invoice still owed).
  const lateToWriteOff = !leadership && canAct && p.stage !== 'cancelled' ? bills.filter((i) => !whyNoWriteOff(p, i) && Date.parse(i.dueAt) < Date.now()) : [];

  /** Each list of payments under its own table: the invoices' payments (and credit notes set against them), then the credit notes' refunds. */
  const paymentList = (invoices: Invoice[], withSetOffs: boolean) =>
    invoices.some((i) => i.payments.length > 0 || (i.reversedPayments ?? []).length > 0 || (withSetOffs && (i.setOffs ?? []).length > 0)) && (
      <ul class={`payments ${withSetOffs ? 'invoice-payments' : 'refunds'}`}>
        {/* Taken-back payments stay in the list where they were recorded, struck through: the books' history reads in order. */}
        {invoices.flatMap((i) =>
          paymentHistory(i).map((pay) =>
            'reversedAt' in pay ? (
              <TakenBackLine
                key={takenBackKey(i, pay)}
                invoice={i}
                payment={pay}
                focused={focusTakenBack === takenBackKey(i, pay)}
                onFocused={() => setFocusTakenBack(undefined)}
                already={alreadyTakenBack?.line === takenBackKey(i, pay) ? alreadyTakenBack.text : undefined}
              />
            ) : (
              <PaymentLine
                key={`${i.number}-${pay.reference}`}
                project={p}
                invoice={i}
                payment={pay}
                canAct={canAct}
                focused={focusRecorded === `${i.number}-${pay.reference}`}
                onFocused={() => setFocusRecorded(undefined)}
                onChange={onChange}
                onTakenBack={(taken) => {
                  setAlreadyTakenBack(taken.already ? { line: taken.line, text: taken.already } : undefined);
                  if (taken.recordAgain) setRecordAgain(taken.recordAgain);
                  else setFocusTakenBack(taken.line);
                }}
              />
            ),
          ),
        )}
        {/* Listed once, from the invoice's side: the credit note names the same set-off. */}
        {withSetOffs &&
          invoices.flatMap((i) =>
            (i.setOffs ?? []).map((o, index) =>
              o.amount >= 0 ? (
                <li key={`${i.number}-set-off-${index}`}>
                  {formatMoney(o.amount, i.currency)} of credit note <WholeNumber number={o.invoiceNumber} /> set against <WholeNumber number={i.number} /> on{' '}
                  {formatDate(o.at)}{' '}
                  <span class="muted">
                    (no money moved: <WholeNumber number={i.number} /> asks that much less{stillOwed(i) > 0 ? `, ${formatMoney(stillOwed(i), i.currency)} still to pay` : ''})
                  </span>
                </li>
              ) : (
                <li key={`${i.number}-set-off-${index}`}>
                  {formatMoney(-o.amount, i.currency)} of credit note <WholeNumber number={o.invoiceNumber} /> no longer set against <WholeNumber number={i.number} /> (
                  {formatDate(o.at)}){' '}
                  <span class="muted">
                    (<WholeNumber number={i.number} /> turned out paid in full: that much of the credit note is refunded instead)
                  </span>
                </li>
              ),
            ),
          )}
      </ul>
    );

  return (
    <>
      {/* On a phone each invoice is a card (styles.css, .card-rows); the roles keep it a table to screen readers. */}
      {bills.length > 0 && (
        <div class="table-wrap">
          <table class="invoices card-rows" role="table">
            <caption class="visually-hidden">Invoices</caption>
            <thead role="rowgroup">
              <tr role="row">
                <th scope="col" role="columnheader">Invoice</th>
                <th scope="col" role="columnheader">Kind</th>
                <th scope="col" role="columnheader" class="num">Amount</th>
                <th scope="col" role="columnheader" class="num">Paid</th>
                <th scope="col" role="columnheader" class="num">Open</th>
                <th scope="col" role="columnheader">Due</th>
                <th scope="col" role="columnheader">State</th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              {bills.map((i) => (
                <tr key={i.number} id={invoiceRowId(i.number)} role="row">
                  <th scope="row" role="rowheader" tabIndex={-1}>
                    <InvoiceNumber invoice={i} />
                  </th>
                  <td role="cell" data-label="Kind">{INVOICE_LABEL[i.kind]}</td>
                  <td role="cell" data-label="Amount" class="num">{formatMoney(i.amount, i.currency)}</td>
                  <td role="cell" data-label="Paid" class="num">{formatMoney(i.paidAmount, i.currency)}</td>
                  {/* What is left to pay, after payments and credit notes set against it. */}
                  <td role="cell" data-label="Open" class="num">{i.status === 'void' ? '—' : formatMoney(stillOwed(i), i.currency)}</td>
                  <td role="cell" data-label="Due">
                    <span class="nowrap">{formatDate(i.dueAt)}</span>
                  </td>
                  <td role="cell" data-label="State">
                    {i.writtenOff ? (
                      <WrittenOff invoice={i} />
                    ) : settledBySetOff(i) ? (
                      <Badge tone="good">Settled by credit note</Badge>
                    ) : i.status === 'paid' ? (
                      <Badge tone="good">{netSetOffs(i).length > 0 ? 'Paid, with a credit note' : 'Paid'}</Badge>
                    ) : i.status === 'void' ? (
                      <Badge title={i.voidReason}>Void{i.voidReason ? `: ${i.voidReason}` : ''}</Badge>
                    ) : Date.parse(i.dueAt) < Date.now() ? (
                      <Badge tone="bad">Past due</Badge>
                    ) : (
                      <Badge tone="warn">Open</Badge>
                    )}
                    <PaidBeyond project={p} invoice={i} />
                    {leadership && !whyNoWriteOff(p, i) && writingOff !== i.number && (
                      <button type="button" class="button button--secondary write-off-button" onClick={() => setWritingOff(i.number)}>
                        Write off<span class="visually-hidden"> what is still owed on {i.number}</span>…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {/* Stays open if the invoice or the project changes meanwhile: it then says why it can no longer be done. */}
      {leadership && writeOffForm && (
        <WriteOffForm
          key={writeOffForm.number}
          project={p}
          invoice={writeOffForm}
          onChange={onChange}
          onClose={(done) => {
            setWritingOff(undefined);
            setFocusWriteOff({ number: writeOffForm.number, on: done ? 'state' : 'button' });
          }}
        />
      )}
      {lateToWriteOff.length > 0 && (
        <p class="muted write-off-hint">
          If the client will not pay {lateToWriteOff.map((i, n) => <span key={i.number}>{n > 0 && ' or '}<WholeNumber number={i.number} /></span>)}, leadership can write off what is
          still owed on it.
        </p>
      )}
      {paymentList(bills, true)}
      {credits.length > 0 && (
        <>
          <h3 id="credit-notes-heading">{toRefund > 0 ? `Credit notes: ${formatMoney(toRefund, p.budget.currency)} still owed to the client` : 'Credit notes'}</h3>
          <div class="table-wrap">
            <table class="invoices credit-notes card-rows" role="table" aria-labelledby="credit-notes-heading">
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">Credit note</th>
                  <th scope="col" role="columnheader" class="num">Amount</th>
                  <th scope="col" role="columnheader" class="num">Refunded</th>
                  <th scope="col" role="columnheader" class="num">To refund</th>
                  <th scope="col" role="columnheader">Refund by</th>
                  <th scope="col" role="columnheader">State</th>
                </tr>
              </thead>
              <tbody role="rowgroup">
                {credits.map((i) => (
                  <tr key={i.number} role="row">
                    <th scope="row" role="rowheader">
                      <InvoiceNumber invoice={i} />
                    </th>
                    <td role="cell" data-label="Amount" class="num">{formatMoney(i.amount, i.currency)}</td>
                    {/* Money that went back to the client; what was set against an invoice moved none. */}
                    <td role="cell" data-label="Refunded" class="num">{formatMoney(i.paidAmount, i.currency)}</td>
                    <td role="cell" data-label="To refund" class="num">{i.status === 'void' ? '—' : formatMoney(stillOwed(i), i.currency)}</td>
                    {/* A date only while a refund is owed: nothing is paid out on a settled one. */}
                    <td role="cell" data-label="Refund by">
                      {open(i) && stillOwed(i) > 0 ? <span class="nowrap">{formatDate(i.dueAt)}</span> : <span class="muted">—</span>}
                    </td>
                    <td role="cell" data-label="State">
                      <CreditNoteState note={i} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {paymentList(credits, false)}
        </>
      )}
      {/* Kept here, not in the form: a refusal because the invoice was settled elsewhere often leaves nothing open, and the form goes. */}
      {canAct && lostRace && <PaymentNotRecorded race={lostRace} onDismiss={() => setLostRace(undefined)} />}
      {/* With nothing open, money the client paid again on an invoice paid already is recorded on request (the offer below), never in the way of the page. */}
      {canAct && (unsettled.length > 0 || (paidAgain.length > 0 && recordingPaidAgain)) && (
        <PaymentForm
          project={p}
          onChange={onChange}
          onSettledElsewhere={setLostRace}
          recordAgain={recordAgain}
          onRecordAgainTaken={() => setRecordAgain(undefined)}
          onRecorded={setFocusRecorded}
          {...(unsettled.length === 0 && {
            onClose: (recorded: boolean) => {
              setRecordingPaidAgain(false);
              // Recorded, the focus is on the payment's line (onRecorded).
              if (!recorded) setFocusPaidAgainOffer(true);
            },
          })}
        />
      )}
      {canAct && unsettled.length === 0 && paidAgain.length > 0 && !recordingPaidAgain && (
        <div class="paid-again-offer">
          <p class="muted">
            Nothing is owed now. If the client pays an invoice again (their bank sent it twice, say), record it
            {hearsComplaints(p) && p.complaintsHeardUntil ? ` until ${formatDateTime(p.complaintsHeardUntil)}` : ''}: it is credited back to them {creditedBackWhen(p)}.
          </p>
          <button type="button" class="button button--secondary" ref={paidAgainButton} onClick={() => setRecordingPaidAgain(true)}>
            Record a payment made again…
          </button>
        </div>
      )}
    </>
  );
}

/** An invoice's row in the table, by its number: where the focus goes back to from its write-off form. */
const invoiceRowId = (number: string): string => `invoice-${number}`;

/** A written-off invoice's state: what was no longer pursued, by whom, when and why; what was paid on it stands. */
function WrittenOff({ invoice: i }: { invoice: Invoice }) {
  const name = useName();
  const w = i.writtenOff!;
  return (
    <>
      <Badge>Written off</Badge>
      <span class="written-off" tabIndex={-1}>
        {formatMoney(w.amount, i.currency)} written off by {name(w.by)}, {formatDateTime(w.at)}: “{w.reason}”
      </span>
      {i.paidAmount > 0 && <span class="written-off-paid">The {formatMoney(i.paidAmount, i.currency)} paid on it stands.</span>}
    </>
  );
}

/**
 * Writing off what the client still owes on an invoice (leadership: a client gone out of business,
 * a sum not worth a court): why, kept by the agency, and a button that says what it does. The
 * client is not told and no longer reminded; what they paid stands; the project then completes, or
 * a cancelled one ends (`writeOffUpdate` in workflows/project/handlers.ts).
 */
function WriteOffForm({ project: p, invoice: i, onChange, onClose }: { project: ProjectStatus; invoice: Invoice; onChange: Update; onClose: (done: boolean) => void }) {
  const { me } = useSession();
  const name = useName();
  const ids = `write-off-${useId()}`;
  const [reason, setReason] = useState('');
  const money = (amount: number) => formatMoney(amount, i.currency);
  // Opened: the reason is where the keyboard begins.
  useEffect(() => document.getElementById(`${ids}-reason`)?.focus(), []);
  const written = i.writtenOff;
  // Why it can no longer be done, said in place of the form: written off meanwhile (a colleague, another tab), paid, the project moved on.
  const why = written
    ? `${i.number} was written off ${formatDateTime(written.at)} by ${name(written.by)}: “${written.reason}”.`
    : whyNoWriteOff(p, i);
  const cannot = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    // The button that had the focus is gone with the form: the reason why takes it.
    if (why && (!document.activeElement || document.activeElement === document.body)) cannot.current?.focus();
  }, [why]);

  const key = useRequestKey();
  const writeOff = useAction(
    async () => {
      if (reason.trim() === '') {
        document.getElementById(`${ids}-reason`)?.focus();
        throw refusedAt('reason', 'Say why the money is not pursued.');
      }
      const body = { invoiceNumber: i.number, reason: reason.trim() };
      // Refused because the invoice or the project changed since the page read it (paid, cancelled).
      const next = await readAgainIfRefused(p, onChange, () =>
        ok(api.POST('/api/projects/{id}/write-offs', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': key.keyFor(body) } }, body })),
      );
      return { asked: body.reason, next };
    },
    ({ asked, next }) => {
      key.succeeded();
      const after = next.invoices.find((x) => x.number === i.number)?.writtenOff;
      onChange(next);
      onClose(true);
      // Written off a moment before by someone else (a colleague, another tab): answered as done, said as theirs.
      if (after && (after.by !== me.person.id || after.reason !== asked)) {
        flash(`Already written off ${formatDateTime(after.at)} by ${name(after.by)} (“${after.reason}”): nothing changed.`);
        return;
      }
      flash(`${money(after?.amount ?? stillOwed(i))} written off on ${i.number}: the client is no longer asked for it. ${name(p.managerId)} is told; the client is not.`, [i.number]);
    },
  );

  if (why && !writeOff.pending) {
    return (
      <div class="inline-form write-off-form">
        <p class="callout callout--warn" role="alert" tabIndex={-1} ref={cannot}>
          <strong>Not written off.</strong> <WholeNumbersIn text={why} numbers={invoiceNumbersAndReferences(p)} />
        </p>
        <div class="form-actions">
          <button type="button" class="button button--secondary" onClick={() => onClose(false)}>
            Close
          </button>
        </div>
      </div>
    );
  }

  const owedNow = stillOwed(i);
  const complaintOpen = p.complaints.some((c) => !c.resolvedAt);
  const nothingElseOpen = !p.invoices.some((x) => x.number !== i.number && open(x));
  // Completed already (owed again after completion): settled, its final report is made again.
  const then =
    !nothingElseOpen
      ? ''
      : p.stage === 'cancelled'
        ? ' Nothing else is open: the cancelled project then ends.'
        : p.stage === 'completed'
          ? complaintOpen
            ? ' Nothing else is open: the final report is made again once the open complaint is resolved.'
            : ' Nothing else is open: the final report is then made again.'
          : complaintOpen
            ? ' Nothing else is open: the project completes once the open complaint is resolved.'
            : ' Nothing else is open: the project then completes.';
  return (
    <form
      class="inline-form write-off-form"
      aria-label={`Write off what is still owed on ${i.number}`}
      onSubmit={(e) => {
        e.preventDefault();
        void writeOff.act();
      }}
      noValidate
    >
      <h3>
        Write off what is still owed on <WholeNumber number={i.number} />
      </h3>
      <p>
        The client is no longer asked for the {money(owedNow)} still owed on <WholeNumber number={i.number} />, nor reminded of it
        {i.paidAmount > 0 ? `; the ${money(i.paidAmount)} they paid on it stands` : ''}.{then} {name(p.managerId)} is told by e-mail; the client is not.
      </p>
      {/* The invoice is not the form's field: a refusal at it is said in the box, by what it is. */}
      <ProblemBox error={writeOff.error} shownAtFields={['reason']} fieldLabel={(f) => (f === 'invoiceNumber' ? 'Invoice' : undefined)} />
      <TextArea
        id={`${ids}-reason`}
        label="Why is it written off?"
        hint="Stays with the agency (the project’s timeline keeps it): the client is not told."
        value={reason}
        onValue={writeOff.editing('reason', setReason)}
        error={writeOff.at('reason')}
        rows={2}
        required
      />
      <div class="form-actions">
        <button type="submit" class="button" disabled={writeOff.pending}>
          {writeOff.pending ? (
            'Writing off…'
          ) : (
            <>
              Write off {money(owedNow)} still owed on <WholeNumber number={i.number} />
            </>
          )}
        </button>
        <button type="button" class="button button--secondary" onClick={() => onClose(false)}>
          Keep it owed
        </button>
      </div>
    </form>
  );
}

/** A payment the form sent for an invoice that someone else settled first: what was tried, and the invoice as it was before and is now. */
interface LostPaymentRace {
  before: Invoice;
  after: Invoice;
  amount: string;
  reference: string;
}

/**
 * Why a payment was not recorded, in place of the form: the invoice it was for was settled a moment
 * before (another tab, a colleague, a credit note), named with what settled it. Stays until put
 * away: the form it answers may be gone with the invoice.
 */
function PaymentNotRecorded({ race: { before, after, amount, reference }, onDismiss }: { race: LostPaymentRace; onDismiss: () => void }) {
  const name = useName();
  const refund = after.kind === 'credit_note';
  const known = new Set(before.payments.map((pay) => pay.reference));
  const newPayments = after.payments.filter((pay) => !known.has(pay.reference));
  const newSetOffs = (after.setOffs ?? []).slice((before.setOffs ?? []).length).filter((o) => o.amount > 0);
  const what = refund ? `Credit note ${after.number}` : after.number;
  const settledHow =
    after.writtenOff
      ? `was written off a moment ago by ${name(after.writtenOff.by)}: the client is no longer asked for it`
      : after.status === 'void'
        ? `was voided a moment ago${after.voidReason ? ` (${after.voidReason})` : ''}`
      : newPayments.length > 0
        ? `was ${refund ? 'refunded' : 'paid'} in full a moment ago (` +
          newPayments.map((pay) => `${formatMoney(pay.amount, after.currency)}, ref. ${pay.reference}, recorded by ${name(pay.recordedBy)}`).join('; ') +
          ')'
        : newSetOffs.length > 0
          ? `was settled a moment ago by ${newSetOffs.map((o) => `credit note ${o.invoiceNumber} (${formatMoney(o.amount, after.currency)} set against it)`).join(' and ')}`
          : `is no longer ${refund ? 'to refund' : 'owed'}`;
  const tried = readAmount(amount, after.currency);
  return (
    <div class="problem payment-refused" role="alert">
      <p>
        <strong>Not recorded:</strong> <WholeNumbersIn text={`${what} ${settledHow}.`} numbers={[after.number, ...(after.setOffs ?? []).map((o) => o.invoiceNumber), ...newPayments.map((pay) => pay.reference)]} />
      </p>
      <p>
        The {refund ? 'refund' : 'payment'} of {Number.isNaN(tried) ? amount : formatMoney(tried, after.currency)} with ref. <WholeNumber number={reference} /> was not added to it.
      </p>
      <button type="button" class="button button--secondary" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

/** The numbers of the project's invoices and credit notes, and the references of their payments (taken back too), for `WholeNumbersIn`. */
const invoiceNumbersAndReferences = (p: ProjectStatus): string[] => p.invoices.flatMap((i) => [i.number, ...paymentHistory(i).map((pay) => pay.reference)]);

type Payment = Invoice['payments'][number];
type TakenBackPayment = NonNullable<Invoice['reversedPayments']>[number];
type ReversalCause = TakenBackPayment['cause'];

/** A payment taken back as entered by mistake, for the payment form to record again rightly. */
interface RecordAgain {
  invoiceNumber: string;
  reference: string;
  paidAt: string;
}

/** An invoice's payments as recorded, those taken back since among them (taken back, they are still history). */
const paymentHistory = (i: Invoice): (Payment | TakenBackPayment)[] =>
  [...i.payments, ...(i.reversedPayments ?? [])].sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt));

/** A taken-back payment's line: its reference may be recorded again (and taken back again), its recording is its own. */
const takenBackKey = (i: Invoice, pay: TakenBackPayment): string => `${i.number}-${pay.reference}-${pay.recordedAt}-taken-back`;

/** Why a payment was taken back, as its line says it. */
const TAKEN_BACK_BECAUSE: Record<ReversalCause, string> = {
  entered_by_mistake: 'entered by mistake',
  returned_by_bank: 'returned by the bank',
};

/**
 * Why no payment of this invoice can be taken back now, in the page's words; undefined when one
 * can. The workflow's own rules (`reversePaymentUpdate` in workflows/project/handlers.ts), so the
 * page never offers what would be refused: once the project has closed its books (closing, or
 * completed and past its complaint window with nothing open — the bank may return the final
 * payment weeks after completion, within it), its cancellation was settled from these payments,
 * the invoice was voided, or a credit note was worked out against what the invoice had been paid.
 */
function whyNoTakingBack(p: ProjectStatus, i: Invoice): string | undefined {
  if (p.stage === 'completed' && !correctsAfterCompletion(p)) {
    // Projects completed before complaints were heard after completion have no window.
    return p.complaintsHeardUntil === undefined
      ? 'The project is completed: what it was paid closed its books.'
      : `The project is completed and took corrections until ${formatDateTime(p.complaintsHeardUntil)}: a correction now is made outside it.`;
  }
  // Asked for, not yet done: the cancellation is worked out from the payments as they are.
  if (p.stage === 'cancelled' || p.cancellation) {
    return p.stage === 'cancelled'
      ? 'The project is cancelled: its settlement was worked out from these payments.'
      : 'The project is being cancelled: its settlement is worked out from these payments.';
  }
  if (p.stage === 'closing') return 'The project is closing: everything it billed is settled.';
  if (i.status === 'void') return `${i.number} was ${i.writtenOff ? 'written off' : 'voided'}: its payments stand as they were then.`;
  if ((i.excessCredited ?? 0) > 0) return `What ${i.number} was paid beyond it was credited back: ask for a correction by credit note instead.`;
  if ((i.setOffs ?? []).length > 0) {
    return i.kind === 'credit_note'
      ? `Credit note ${i.number} is set against an invoice, worked out from what that invoice had been paid: ask for a correction by credit note instead.`
      : `A credit note is set against ${i.number}, worked out from what it had been paid: ask for a correction by credit note instead.`;
  }
  return undefined;
}

/** What a payment was: the amount, on which invoice (or refunded on which credit note), when, under which reference. */
function PaymentFacts({ invoice: i, payment: pay }: { invoice: Invoice; payment: Payment }) {
  return i.kind === 'credit_note' ? (
    <>
      {formatMoney(pay.amount, i.currency)} refunded to the client on credit note <WholeNumber number={i.number} />, {formatDate(pay.paidAt)}, ref. <WholeNumber number={pay.reference} />
    </>
  ) : (
    <>
      {formatMoney(pay.amount, i.currency)} on <WholeNumber number={i.number} />, paid {formatDate(pay.paidAt)}, ref. <WholeNumber number={pay.reference} />
    </>
  );
}

/**
 * What became of a take-back, for the list: the payment the payment form takes up, or the line the
 * focus goes to (with what to say there when it had been taken back already).
 */
type TakenBack = { recordAgain: RecordAgain; line?: undefined; already?: undefined } | { recordAgain?: undefined; line: string; already?: string };

/** A payment counted on its invoice, with the way to take it back (for its manager and leadership, where the workflow allows). */
function PaymentLine({
  project: p,
  invoice: i,
  payment: pay,
  canAct,
  focused,
  onFocused,
  onChange,
  onTakenBack,
}: {
  project: ProjectStatus;
  invoice: Invoice;
  payment: Payment;
  canAct: boolean;
  /** Just recorded from a confirmation: the focus comes here. */
  focused: boolean;
  onFocused: () => void;
  onChange: Update;
  onTakenBack: (taken: TakenBack) => void;
}) {
  const name = useName();
  const [taking, setTaking] = useState(false);
  /** Put away by its own button: the focus goes back where the form was opened from. */
  const [refocus, setRefocus] = useState(false);
  const line = useRef<HTMLLIElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!refocus) return;
    setRefocus(false);
    (button.current ?? line.current)?.focus();
  }, [refocus]);
  useEffect(() => {
    if (!focused) return;
    line.current?.focus();
    onFocused();
  }, [focused]);
  const why = whyNoTakingBack(p, i);
  return (
    <li ref={line} tabIndex={-1}>
      <PaymentFacts invoice={i} payment={pay} /> <span class="muted">(recorded by {name(pay.recordedBy)})</span>
      {canAct && !why && !taking && (
        <>
          {' '}
          <button ref={button} type="button" class="button button--secondary take-back-button" onClick={() => setTaking(true)}>
            Take back<span class="visually-hidden"> {formatMoney(pay.amount, i.currency)}, ref. {pay.reference}</span>…
          </button>
        </>
      )}
      {/* Stays open if the project or invoice changes meanwhile: it then says why it can no longer be done. */}
      {canAct && taking && (
        <TakeBackForm
          project={p}
          invoice={i}
          payment={pay}
          why={why}
          onChange={onChange}
          onTakenBack={onTakenBack}
          onClose={() => {
            setTaking(false);
            setRefocus(true);
          }}
        />
      )}
    </li>
  );
}

/**
 * Taking a recorded payment back: why (entered by mistake, to be recorded again rightly; or the
 * money came back from the bank, which the client hears of), a note for the agency, and a button
 * that says what it does to the amounts. Nothing is chosen for the manager: one cause mails the
 * client, the other does not.
 */
function TakeBackForm({
  project: p,
  invoice: i,
  payment: pay,
  why,
  onChange,
  onTakenBack,
  onClose,
}: {
  project: ProjectStatus;
  invoice: Invoice;
  payment: Payment;
  /** Why it can no longer be done (the project or invoice changed since the form was opened). */
  why: string | undefined;
  onChange: Update;
  onTakenBack: (taken: TakenBack) => void;
  onClose: () => void;
}) {
  const { me } = useSession();
  const name = useName();
  const ids = `take-back-${useId()}`;
  const [cause, setCause] = useState<ReversalCause | ''>('');
  const [note, setNote] = useState('');
  const refund = i.kind === 'credit_note';
  const money = (amount: number) => formatMoney(amount, i.currency);
  // Opened: the first choice, so the keyboard is where the form begins.
  useEffect(() => document.getElementById(`${ids}-cause-entered_by_mistake`)?.focus(), []);
  const cannot = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    // The confirm button that had the focus is gone with it: the reason takes the focus.
    if (why && (!document.activeElement || document.activeElement === document.body)) cannot.current?.focus();
  }, [why]);

  const key = useRequestKey();
  const takeBack = useAction(
    async () => {
      if (cause === '') {
        document.getElementById(`${ids}-cause`)?.focus();
        throw refusedAt('cause', 'Choose why it is taken back.');
      }
      const body = { invoiceNumber: i.number, reference: pay.reference, cause, ...(note.trim() !== '' && { note: note.trim() }) };
      // Refused because the project or the invoice changed since the page read it (cancelled, voided,
      // a credit note set against it).
      const next = await readAgainIfRefused(p, onChange, () =>
        ok(api.POST('/api/projects/{id}/payment-reversals', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': key.keyFor(body) } }, body })),
      );
      return { asked: cause, next };
    },
    ({ asked, next }) => {
      key.succeeded();
      const after = next.invoices.find((x) => x.number === i.number);
      const entry = after?.reversedPayments?.find((r) => r.reference === pay.reference && r.recordedAt === pay.recordedAt);
      onChange(next);
      const what = refund ? 'Refund' : 'Payment';
      // Taken back a moment before by someone else (another tab, a colleague), or for another
      // reason than this form's: nothing changed, and the page says what was done instead.
      if (!entry || entry.reversedBy !== me.person.id || entry.cause !== asked) {
        const told = !refund && entry?.cause === 'returned_by_bank' ? 'the client was told' : 'the client was not told';
        flash(
          entry
            ? `Already taken back ${formatDateTime(entry.reversedAt)} by ${name(entry.reversedBy)} (${TAKEN_BACK_BECAUSE[entry.cause]}; ${told}): nothing changed.`
            : `${what} ref. ${pay.reference} is no longer counted on ${i.number}: nothing changed.`,
          [pay.reference, i.number],
        );
        if (entry) onTakenBack({ line: takenBackKey(i, entry), already: `It had been taken back already when you asked: nothing changed (${told}).` });
        return;
      }
      const open = after ? money(stillOwed(after)) : '';
      if (asked === 'entered_by_mistake') {
        flash(`${what} ref. ${pay.reference} taken back from ${i.number}: record it again below as it was made.`, [pay.reference, i.number]);
        onTakenBack({ recordAgain: { invoiceNumber: i.number, reference: pay.reference, paidAt: pay.paidAt } });
        return;
      }
      flash(
        refund
          ? `Refund taken back: ${open} of credit note ${i.number} is owed to the client again.`
          : `Payment taken back: ${i.number} is open again with ${open} to pay; the client is told by mail.`,
        [i.number],
      );
      onTakenBack({ line: takenBackKey(i, entry) });
    },
  );

  if (why) {
    return (
      <div class="inline-form take-back-form">
        <p class="callout callout--warn" role="alert" tabIndex={-1} ref={cannot}>
          <strong>Not taken back.</strong> <WholeNumbersIn text={why} numbers={invoiceNumbersAndReferences(p)} />
        </p>
        <div class="form-actions">
          <button type="button" class="button button--secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    );
  }

  // What the invoice asks once without it (a payment beyond what it asked leaves it short by less).
  const shortBy = money(stillOwed({ ...i, paidAmount: roundMoney(i.paidAmount - pay.amount, i.currency) }));
  // The invoice's number kept whole: a phone's narrow button would break it at its hyphens.
  const confirm = refund ? (
    <>
      Take back {money(pay.amount)}: {shortBy} of credit note <WholeNumber number={i.number} /> will be owed to the client again
    </>
  ) : (
    <>
      Take back {money(pay.amount)}: <WholeNumber number={i.number} /> will be {shortBy} short{i.status === 'paid' ? ' again' : ''}
    </>
  );
  const named = ['cause', 'note'];
  return (
    <form
      class="inline-form take-back-form"
      aria-label={`Take back ${money(pay.amount)}, ref. ${pay.reference}`}
      onSubmit={(e) => {
        e.preventDefault();
        void takeBack.act();
      }}
      noValidate
    >
      {/* The payment's own fields are not the form's: a refusal at them is said in the box, by what they are. */}
      <ProblemBox
        error={takeBack.error}
        shownAtFields={named}
        fieldLabel={(f) => (f === 'invoiceNumber' ? (refund ? 'Credit note' : 'Invoice') : f === 'reference' ? (refund ? 'Refund' : 'Payment') : undefined)}
      />
      <Choices
        id={`${ids}-cause`}
        legend={`Why is the ${refund ? 'refund' : 'payment'} taken back?`}
        type="radio"
        selected={cause === '' ? [] : [cause]}
        onChange={takeBack.editing('cause', ([c]: string[]) => setCause(c as ReversalCause))}
        error={takeBack.at('cause')}
        options={[
          { value: 'entered_by_mistake', label: `Entered by mistake (wrong amount or ${refund ? 'credit note' : 'invoice'}): corrected, the client is not told` },
          { value: 'returned_by_bank', label: refund ? 'The refund came back: it is owed to the client again' : 'Returned by the bank: the client is told the invoice is open again' },
        ]}
      />
      <TextArea
        id={`${ids}-note`}
        label="Note (optional)"
        hint="For the agency only: never sent to the client."
        value={note}
        onValue={takeBack.editing('note', setNote)}
        error={takeBack.at('note')}
        rows={2}
      />
      <div class="form-actions">
        <button type="submit" class="button" disabled={takeBack.pending}>
          {takeBack.pending ? 'Taking back…' : confirm}
        </button>
        <button type="button" class="button button--secondary" onClick={onClose}>
          Keep it
        </button>
      </div>
    </form>
  );
}

/** A payment taken back, kept in the list struck through: who took it back, when and why. */
function TakenBackLine({
  invoice: i,
  payment: pay,
  focused,
  onFocused,
  already,
}: {
  invoice: Invoice;
  payment: TakenBackPayment;
  focused: boolean;
  onFocused: () => void;
  /** This page's own take-back of it, which found it taken back already. */
  already?: string;
}) {
  const name = useName();
  const line = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (!focused) return;
    line.current?.focus();
    onFocused();
  }, [focused]);
  return (
    <li class="payment-taken-back" ref={line} tabIndex={-1}>
      <del>
        <PaymentFacts invoice={i} payment={pay} />
      </del>{' '}
      <span class="taken-back-why">
        taken back {formatDate(pay.reversedAt)} by {name(pay.reversedBy)}: {TAKEN_BACK_BECAUSE[pay.cause]}
        {pay.note ? ` — ${pay.note}` : ''}
      </span>{' '}
      <span class="muted">(recorded by {name(pay.recordedBy)})</span>
      {already && <p class="taken-back-already">{already}</p>}
    </li>
  );
}

/**
 * An invoice the client paid beyond what it asked (confirmed as such when it was recorded), under
 * its state: how much, and where that money goes — back on a credit note once the project is
 * invoicing (set against what they still owe first, the rest refunded), or into a cancellation's
 * settlement, which counts every prepayment received.
 */
function PaidBeyond({ project: p, invoice: i }: { project: ProjectStatus; invoice: Invoice }) {
  const beyond = paidBeyond(i);
  if (beyond === 0) return null;
  const credited = i.excessCredited ?? 0;
  // The credit notes that gave it back, as the workflow recorded them.
  const notes = i.excessCreditedBy ?? [];
  const where =
    credited >= beyond ? (
      notes.length > 0 ? (
        <>
          credited back on{' '}
          {notes.map((number, n) => (
            <span key={number}>
              {n > 0 && ', '}
              <BreakableNumber number={number} />
            </span>
          ))}
        </>
      ) : (
        'credited back by credit note'
      )
    ) : p.stage === 'cancelled' ? (
      'counted in the cancellation’s settlement'
    ) : p.stage === 'invoicing' || p.stage === 'closing' || p.stage === 'completed' ? (
      // Completed: money paid again within the complaint window, credited back at once.
      'being credited back by credit note'
    ) : (
      'to be credited back at invoicing'
    );
  return (
    <span class="paid-beyond">
      {formatMoney(beyond, i.currency)} paid beyond it: {where}
    </span>
  );
}

/** An invoice's or credit note's number, opening its PDF once there is one. */
function InvoiceNumber({ invoice: i }: { invoice: Invoice }) {
  return i.documentId ? (
    <a href={`/api/documents/${encodeURIComponent(i.documentId)}`} target="_blank" rel="noopener">
      {i.number}
    </a>
  ) : (
    <>{i.number}</>
  );
}

/**
 * Where a credit note stands, in the words of money going back to the client: refunded, owed (and
 * late), or set against an invoice the client had not paid (no money moved for that part).
 */
function CreditNoteState({ note: i }: { note: Invoice }) {
  if (i.status === 'void') return <Badge title={i.voidReason}>Void{i.voidReason ? `: ${i.voidReason}` : ''}</Badge>;
  if (settledBySetOff(i)) {
    return (
      <Badge tone="good">
        Set against{' '}
        {netSetOffs(i).map((o, n) => (
          <span key={o.invoiceNumber}>
            {n > 0 && ', '}
            <BreakableNumber number={o.invoiceNumber} />
          </span>
        ))}
      </Badge>
    );
  }
  const state =
    i.status === 'paid' ? (
      <Badge tone="good">Refunded</Badge>
    ) : Date.parse(i.dueAt) < Date.now() ? (
      <Badge tone="bad">Refund past due</Badge>
    ) : (
      <Badge tone="warn">Refund owed to the client</Badge>
    );
  // Part set against an unpaid invoice, the rest refunded (or to be): both said.
  return (
    <>
      {state}
      {netSetOffs(i).map((o) => (
        <span key={o.invoiceNumber}>
          {' '}
          <Badge>
            {formatMoney(o.amount, i.currency)} set against <BreakableNumber number={o.invoiceNumber} />
          </Badge>
        </span>
      ))}
    </>
  );
}

/**
 * An invoice number inside a phone card's value column, which is narrower than the card: whole
 * while it fits; where it cannot (a 320 px window less a desktop scrollbar leaves that column
 * about 130 px), it breaks once, after the year, rather than run past the card.
 */
function BreakableNumber({ number }: { number: string }) {
  const cut = number.lastIndexOf('-') + 1;
  return (
    <>
      <span class="nowrap">{number.slice(0, cut)}</span>
      <wbr />
      <span class="nowrap">{number.slice(cut)}</span>
    </>
  );
}

function PaymentForm({
  project: p,
  onChange,
  onSettledElsewhere,
  recordAgain,
  onRecordAgainTaken,
  onRecorded,
  onClose,
}: {
  project: ProjectStatus;
  onChange: Update;
  onSettledElsewhere: (race: LostPaymentRace | undefined) => void;
  /** A payment just taken back as entered by mistake: its invoice chosen, its reference and date filled in, the focus here. */
  recordAgain?: RecordAgain;
  onRecordAgainTaken: () => void;
  /** A payment recorded from a confirmation (its button gone with the question): its line in the list takes the focus. */
  onRecorded: (line: string) => void;
  /** Opened for money paid again while nothing is open: put away by its own button, and once that payment is recorded (`recorded`). */
  onClose?: (recorded: boolean) => void;
}) {
  const name = useName();
  const unpaid = payable(p);
  // Invoices paid already, which the client may have paid again: after the open ones, never the
  // first choice while one is open (money for an open invoice is the usual case by far).
  const again = paidAgainable(p);
  const choices = [...unpaid, ...again];
  const firstChoice = choices[0]?.number ?? '';
  const [chosen, setInvoiceNumber] = useState(firstChoice);
  /**
   * Chosen as an invoice paid already. One chosen while open and settled since (paid elsewhere, a
   * credit note set against it) is not quietly taken for money paid again: the form moves on.
   */
  const [chosenPaid, setChosenPaid] = useState(unpaid.length === 0);
  const choose = (number: string, paid: boolean) => {
    setInvoiceNumber(number);
    setChosenPaid(paid);
  };
  // The invoice chosen may have been settled since, or no longer take money paid again (the
  // complaint window over): the form moves on to the first choice left, and says so, instead of
  // showing an empty choice.
  const invoiceNumber =
    unpaid.some((i) => i.number === chosen) || (chosenPaid && again.some((i) => i.number === chosen)) ? chosen : firstChoice;
  const invoice = p.invoices.find((i) => i.number === invoiceNumber);
  /** Money the client paid again on an invoice paid already: all of it beyond what it asked, credited back. */
  const payingAgain = invoice !== undefined && !open(invoice);
  const startAmount = startingAmount(invoice);
  const [amount, setAmount] = useState(startAmount);
  // The amount follows what is left on the invoice (a set-off made while the page is open, the
  // form moving on) until someone types one; on an invoice paid already it starts empty.
  const [typedByHand, setTypedByHand] = useState(false);
  const [paidAt, setPaidAt] = useState(toLocalInput(new Date().toISOString()));
  const [reference, setReference] = useState('');
  /** The invoice the form was on when it was settled by something else, or no longer took money paid again (shown until the next choice). */
  const [movedFrom, setMovedFrom] = useState<{ number: string; paid: boolean }>();
  /** The reference of a payment taken back as entered by mistake, being recorded again (said until it is). */
  const [correcting, setCorrecting] = useState<string>();
  useEffect(() => {
    if (!typedByHand) setAmount(startAmount);
  }, [invoiceNumber, startAmount]);
  // Opened for money paid again: the focus goes to its first field.
  useEffect(() => {
    if (onClose) document.getElementById('payment-invoiceNumber')?.focus();
  }, []);
  // Moved on: what was typed for the invoice now settled is not the next one's.
  useEffect(() => {
    if (invoiceNumber === chosen) return;
    setMovedFrom(chosen ? { number: chosen, paid: chosenPaid } : undefined);
    setCorrecting(undefined);
    choose(invoiceNumber, !unpaid.some((i) => i.number === invoiceNumber));
    setTypedByHand(false);
    setAmount(startAmount);
    setReference('');
  }, [invoiceNumber]);
  // A payment taken back as entered by mistake is recorded again rightly in one go: its invoice,
  // reference and date as they were (the amount follows what is now open, as for any invoice
  // chosen), the focus on the form's first field. Taken once: a form shown again later starts afresh.
  useEffect(() => {
    if (!recordAgain) return;
    // Taken back, the invoice is open again.
    choose(recordAgain.invoiceNumber, false);
    setMovedFrom(undefined);
    setTypedByHand(false);
    setReference(recordAgain.reference);
    setPaidAt(toLocalInput(recordAgain.paidAt));
    setCorrecting(recordAgain.reference);
    onSettledElsewhere(undefined);
    onRecordAgainTaken();
    document.getElementById('payment-invoiceNumber')?.focus();
  }, [recordAgain]);
  const payKey = useRequestKey();
  const pay = useAction(
    async (confirmed: PaymentConfirmations) => {
      // Confirmed, it is a request of its own (another body, another key): the refused one is not replayed.
      const body = {
        invoiceNumber,
        amount: typedAmount(amount, 'amount', invoice?.currency ?? p.budget.currency),
        paidAt: fromLocalInput(paidAt),
        reference,
        ...confirmed,
      };
      return { confirmed, next: await ok(api.POST('/api/projects/{id}/payments', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': payKey.keyFor(body) } }, body })) };
    },
    ({ confirmed, next }) => {
      payKey.succeeded();
      // The same payment again (a bank statement read twice) changes nothing; say so.
      const paymentsBefore = invoice?.payments.length ?? 0;
      onChange(next);
      setReference('');
      // What is still open on that invoice now, ready for the next part-payment.
      const after = next.invoices.find((i) => i.number === invoiceNumber);
      if (after && after.payments.length === paymentsBefore) {
        flash(`Already recorded on ${invoiceNumber}: that ${invoice?.kind === 'credit_note' ? 'refund' : 'payment'} (same reference, amount and date) is there once; nothing changed.`, [invoiceNumber]);
        return;
      }
      if (after) setAmount(startingAmount(after));
      setTypedByHand(false);
      setCorrecting(undefined);
      // Paid in full here (or paid again): the form goes on to the next open one without saying it was settled elsewhere.
      if (after && !open(after)) choose(payable(next)[0]?.number ?? '', false);
      setMovedFrom(undefined);
      // The button that confirmed it goes with its question (or the form opened for it, with the
      // payment made again; or the whole form, with nothing left to pay): the focus goes to the payment recorded.
      if (Object.keys(confirmed).length > 0 || payable(next).length === 0) onRecorded(`${invoiceNumber}-${reference}`);
      if (payingAgain) onClose?.(true);
      // What this payment put beyond what the invoice asked (on one paid already, all of it; the
      // workflow may have credited it back by the time the answer comes).
      const beyond = after && invoice ? roundMoney(paidBeyond(after) - paidBeyond(invoice), after.currency) : 0;
      flash(
        beyond > 0
          ? `Payment recorded on ${invoiceNumber}: the ${formatMoney(beyond, after!.currency)} beyond what it asked is credited back to the client ${creditedBackWhen(next)}.`
          : `${invoice?.kind === 'credit_note' ? 'Refund' : 'Payment'} recorded on ${invoiceNumber}.`,
        [invoiceNumber],
      );
    },
  );
  /** The last click's attempt: a refusal is explained only while no newer one has begun. */
  const attempt = useRef<object | undefined>(undefined);
  /**
   * Refused: most often because the invoice was settled a moment ago (another tab, a colleague).
   * The page reads the project again at once rather than at its next poll, and when the invoice is
   * no longer open (and this payment is not on it), the refusal is said in words beside the form,
   * where it stays even if the form goes with the last open invoice: the API's "more than the
   * €0.00 still owed" would vanish with it. Run from the click, not from the form's state, so it
   * is said even when the page's own poll took the form away while the request was on its way.
   */
  const explainRefusal = async (tried: { before: Invoice; amount: string; reference: string }, mine: object) => {
    const fresh = await ok(api.GET('/api/projects/{id}', { params: { path: { id: p.projectId } } })).catch(() => undefined);
    if (!fresh || attempt.current !== mine) return; // the refusal stays as the API gave it; the next poll catches up
    const after = fresh.invoices.find((i) => i.number === tried.before.number);
    // Money paid again on an invoice paid already was not beaten to it by anyone: its refusal stands as the API gave it.
    if (open(tried.before) && after && !open(after) && !after.payments.some((paid) => paid.reference === tried.reference)) {
      onSettledElsewhere({ ...tried, after });
      pay.clearError();
    }
    onChange(fresh);
  };
  const named = ['invoiceNumber', 'amount', 'paidAt', 'reference'];
  /** What the last attempt confirmed: a second question about the same payment keeps the first answer. */
  const confirmedBefore = useRef<PaymentConfirmations>({});
  /** The invoice and amount the last attempt sent: a refusal about the amount stands only while they do. */
  const [tried, setTried] = useState<{ invoiceNumber: string; amount: string }>();
  const submit = (confirmed: PaymentConfirmations) => {
    const refusable = invoice && { before: invoice, amount, reference };
    const mine = {};
    attempt.current = mine;
    confirmedBefore.current = confirmed;
    setTried({ invoiceNumber, amount });
    // A new attempt: what the last refusal said is about a payment no longer being made.
    onSettledElsewhere(undefined);
    void pay.act(confirmed).then((recorded) => {
      if (recorded === undefined && refusable) return explainRefusal(refusable, mine);
    });
  };
  /** Sent again as it was, with one more thing confirmed (the answer to the question the API asked). */
  const confirm = (answer: PaymentConfirmations) => submit({ ...confirmedBefore.current, ...answer });
  /**
   * Refused as possibly the same money again: a payment of this amount on this invoice, within a
   * day, is recorded under another reference (two people typing one bank line). Said with that
   * payment, from the page's own copy, and with the way on when it is in fact another payment.
   */
  const twin =
    pay.error?.problem.type === 'urn:agencyflow:problem:possible-duplicate-payment'
      ? invoice?.payments.find((paid) => paid.amount === readAmount(amount, invoice.currency) && Math.abs(Date.parse(paid.paidAt) - Date.parse(fromLocalInput(paidAt))) < 86_400_000)
      : undefined;
  /**
   * Refused as more than the invoice still asks, where the client may in fact have paid that much
   * (the API says so: not on a refund, a cancelled project or an invoice with credit notes set
   * against it): what was typed against what is open, with the way on. Only while the invoice and
   * amount are the ones refused: edited since, the question no longer stands. Where it cannot be
   * confirmed, the refusal stays at the amount, as the API gave it.
   */
  const typed = invoice ? readAmount(amount, invoice.currency) : NaN;
  const beyond =
    invoice && invoice.kind !== 'credit_note' && confirmableOverpayment(pay.error) && tried?.invoiceNumber === invoiceNumber && tried.amount === amount && typed > stillOwed(invoice)
      ? roundMoney(typed - stillOwed(invoice), invoice.currency)
      : undefined;
  return (
    <form
      class="payment-form"
      onSubmit={(e) => {
        e.preventDefault();
        // The form has said what money paid again is, beside the choice, before it is sent: it is
        // sent as more than is owed (the API still asks whether it is another payment than one like it).
        submit(payingAgain ? { moreThanOwed: true } : {});
      }}
      noValidate
    >
      <h3>{invoice?.kind === 'credit_note' ? 'Record the refund' : unpaid.length === 0 ? 'Record a payment made again' : 'Record a payment'}</h3>
      <ProblemBox error={pay.error} shownAtFields={named} />
      <p role="status" class="muted">
        <WholeNumbersIn
          text={
            movedFrom
              ? movedFrom.paid
                ? `${movedFrom.number} takes no payment made again now${invoiceNumber ? `; the form has moved to ${invoiceNumber}` : ''}.`
                : invoiceNumber
                  ? `${movedFrom.number} is settled now; the form has moved to ${invoiceNumber}.`
                  : `${movedFrom.number} is settled now; nothing else is open.`
              : correcting
                ? `Ref. ${correcting} was taken back as entered by mistake: check the invoice, amount and date, and record it again as it was ${invoice?.kind === 'credit_note' ? 'paid out' : 'paid'}.`
                : ''
          }
          numbers={[movedFrom?.number ?? '', invoiceNumber, correcting ?? '']}
        />
      </p>
      <div class="form-row">
        <Select
          id="payment-invoiceNumber"
          class="payment-invoice-field"
          label={choices.every((i) => i.kind === 'credit_note') ? 'Credit note' : choices.some((i) => i.kind === 'credit_note') ? 'Invoice or credit note' : 'Invoice'}
          value={invoiceNumber}
          onValue={pay.editing('invoiceNumber', (v: string) => {
            choose(v, !unpaid.some((i) => i.number === v));
            setMovedFrom(undefined);
            setTypedByHand(false);
            // The amount is the new choice's too: a refusal of the one it replaces no longer stands.
            pay.editing('amount', setAmount)(startingAmount(p.invoices.find((i) => i.number === v)));
          })}
          // The number only (what a client's transfer names), whole on a 320 px phone, where a
          // closed select cuts its text at the screen's edge: "(prepayment)" after it would not
          // fit. Its kind and what is open on it are said below, for the one chosen. Invoices paid
          // already come last and say so: nobody records money on one by accident.
          options={choices.map((i) => ({ value: i.number, label: open(i) ? i.number : `${i.number} (paid)` }))}
          detail={invoice && (payingAgain ? <PaidAlready invoice={invoice} /> : <StillOpenOn invoice={invoice} />)}
          error={pay.at('invoiceNumber')}
        />
        <Input id="payment-amount" class="payment-amount-field" label={`Amount (${invoice?.currency ?? p.budget.currency})`} inputMode="decimal"
          value={amount}
          onValue={pay.editing('amount', (v: string) => {
            setAmount(v);
            setTypedByHand(true);
          })}
          // A confirmable overpayment is asked below in the page's words, not in the API's at the field.
          error={confirmableOverpayment(pay.error) ? undefined : pay.at('amount')}
        />
        <Input id="payment-paidAt" class="payment-paid-at-field" label={invoice?.kind === 'credit_note' ? 'Paid out on' : 'Paid on'} type="datetime-local" value={paidAt} onValue={pay.editing('paidAt', setPaidAt)} error={pay.at('paidAt')} />
        <Input id="payment-reference" class="payment-reference-field" label="Bank reference" value={reference} onValue={pay.editing('reference', setReference)} error={twin ? undefined : pay.at('reference')} required />
      </div>
      {payingAgain && invoice && (
        <p class="callout callout--warn paid-again-note">
          <WholeNumber number={invoice.number} /> is paid. Record here only money the client paid again (their bank sent it twice, say): all of it is beyond what{' '}
          <WholeNumber number={invoice.number} /> asked, and is credited back to the client {creditedBackHow(p)}.
        </p>
      )}
      {twin && invoice && (
        <HeldBack class="payment-twin" action="It is another payment: record it" pending={pay.pending} onConfirm={() => confirm({ anotherPayment: true })}>
          Not recorded yet: {formatMoney(twin.amount, invoice.currency)} paid {formatDate(twin.paidAt)} is already recorded on <WholeNumber number={invoice.number} /> under
          ref. <WholeNumber number={twin.reference} /> ({name(twin.recordedBy)}, {formatDateTime(twin.recordedAt)}). If this is the same money, it is in: nothing more to do.
        </HeldBack>
      )}
      {beyond !== undefined && invoice && (
        <HeldBack class="payment-beyond" action="The client paid that much: record it" pending={pay.pending} onConfirm={() => confirm({ moreThanOwed: true })}>
          Not recorded yet: {formatMoney(typed, invoice.currency)} is {formatMoney(beyond, invoice.currency)} more than the {formatMoney(stillOwed(invoice), invoice.currency)} still
          open on <WholeNumber number={invoice.number} />. If the client paid that much, it is recorded whole: the {formatMoney(beyond, invoice.currency)} beyond it is credited back to
          the client {creditedBackWhen(p)}, set against what they still owe first, the rest refunded.
        </HeldBack>
      )}
      <div class="form-actions">
        <button type="submit" class="button" disabled={pay.pending}>
          {pay.pending ? 'Recording…' : invoice?.kind === 'credit_note' ? 'Record the refund' : payingAgain ? 'Record the payment made again' : 'Record the payment'}
        </button>
        {onClose && (
          <button type="button" class="button button--secondary" onClick={() => onClose(false)}>
            Close
          </button>
        )}
      </div>
    </form>
  );
}

/** An invoice's kind as its document is called: "Prepayment invoice", "Credit note". */
const kindInWords = (i: Invoice): string => (i.kind === 'credit_note' ? DOCUMENT_LABEL.credit_note : DOCUMENT_LABEL[`${i.kind}_invoice`]);

/** Under the payment form's choice: the kind of the invoice chosen, what is still open on it (to refund, on a credit note), and by when, the date kept whole. */
function StillOpenOn({ invoice: i }: { invoice: Invoice }) {
  const date = <span class="nowrap">{formatDate(i.dueAt)}</span>;
  const late = Date.parse(i.dueAt) < Date.now() ? ' (past due)' : '';
  return i.kind === 'credit_note' ? (
    <>
      {kindInWords(i)}: {formatMoney(stillOwed(i), i.currency)} still to refund to the client, by {date}
      {late}.
    </>
  ) : (
    <>
      {kindInWords(i)}: {formatMoney(stillOwed(i), i.currency)} still open, due {date}
      {late}.
    </>
  );
}

/** Under the payment form's choice, for an invoice paid already: its kind, what it asked, and when it was paid in full. */
function PaidAlready({ invoice: i }: { invoice: Invoice }) {
  const last = i.payments.reduce<string | undefined>((latest, paid) => (latest === undefined || Date.parse(paid.paidAt) > Date.parse(latest) ? paid.paidAt : latest), undefined);
  return (
    <>
      {kindInWords(i)} of {formatMoney(i.amount, i.currency)}, paid in full
      {last && (
        <>
          {' '}
          <span class="nowrap">{formatDate(last)}</span>
        </>
      )}
      : nothing is owed on it.
    </>
  );
}

/** What a payment's request may confirm, each the answer to a 409 that asked it: another payment than one like it, more than the invoice asks. */
type PaymentConfirmations = { anotherPayment?: true; moreThanOwed?: true };

/** The API's sentence on an overpayment that may be confirmed (`recordPayment`'s validator adds it only then). */
const confirmableOverpayment = (error: ApiError | undefined): boolean =>
  error?.problem.type === 'urn:agencyflow:problem:overpayment' && (error.problem.detail ?? '').includes('(moreThanOwed)');

/**
 * When what a client paid beyond an invoice comes back to them (the workflow's `creditOverpayments`):
 * at once once the project is invoicing, or completed (within its complaint window: money paid again).
 */
const creditedBackWhen = (p: ProjectStatus): string => (p.stage === 'invoicing' || p.stage === 'completed' ? 'at once by credit note' : 'once the project is invoiced');
/**
 * When and how it comes back: the credit note is set first against what the client has not paid
 * yet, the rest refunded; on a completed project with nothing owed, all of it is a refund.
 */
const creditedBackHow = (p: ProjectStatus): string =>
  p.stage === 'completed' && !p.invoices.some(owed)
    ? `${creditedBackWhen(p)}: a refund, recorded here once it is paid out`
    : `${creditedBackWhen(p)}, set against what they still owe first, the rest refunded`;

/**
 * A payment held back until the person says what it is (the question a 409 asked): the facts from
 * the page's own copy, and the one button that sends it again with that answer.
 */
function HeldBack({ class: cls, action, pending, onConfirm, children }: { class: string; action: string; pending: boolean; onConfirm: () => void; children: ComponentChildren }) {
  return (
    <div class={`callout callout--warn ${cls}`} role="alert">
      <p>{children}</p>
      <button type="button" class="button button--secondary" disabled={pending} onClick={onConfirm}>
        {action}
      </button>
    </div>
  );
}

/**
 * The link the client opens their project with (no account): shown on request, to be sent to the
 * client only. A new link, when the old one reached someone it should not, ends the old one.
 */
function ClientLink({ project: p }: { project: ProjectStatus }) {
  const [link, setLink] = useState<{ url: string; generation: number }>();
  /** What the Copy button did, said beside it (the page's flash is at the top, out of sight down here on a phone). */
  const [copied, setCopied] = useState('');
  // A new link: what was said of copying the one before is no longer true.
  useEffect(() => setCopied(''), [link?.url]);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(''), 8_000);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = async (url: string) => {
    try {
      // Absent on a page served over plain http or in an old browser; refused without the person's permission.
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard here');
      await navigator.clipboard.writeText(url);
      setCopied('Link copied.');
    } catch {
      // Never a silent failure: the link is selected, ready for the person's own copy.
      const field = document.getElementById('client-link-url') as HTMLInputElement | null;
      field?.focus();
      field?.select();
      setCopied('The link is selected: press Ctrl+C (⌘C on a Mac) to copy it, or on a phone touch and hold it, then Copy.');
    }
  };
  const get = useAction(() => ok(api.GET('/api/projects/{id}/client-link', { params: { path: { id: p.projectId } } })), setLink);
  const renewKey = useRequestKey();
  const renew = useAction(
    async () => {
      const body = { replaces: link?.generation ?? 0 };
      try {
        return await ok(api.POST('/api/projects/{id}/client-link', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': renewKey.keyFor(body) } }, body }));
      } catch (err) {
        // Someone made a new link since this one was shown: show the current one (with why), never a dead one.
        if (err instanceof ApiError && err.status === 409) void get.act();
        throw err;
      }
    },
    (next) => {
      renewKey.succeeded();
      setLink(next);
      flash('A new link is made: the one before no longer opens the page. Send the client the new one.');
    },
  );
  return (
    <Section title="The client’s page" id="client-link">
      <p>
        The client follows the project on a page of their own — where the work stands, what was delivered for their review, their invoices and
        documents — through a link, without an account, and there accepts the delivered work, asks for changes or makes a complaint (you are
        mailed when they do). Every mail to the client ends with it. Anyone with the link sees that page and can answer on it: send it to the client only.
      </p>
      <ProblemBox error={get.error ?? renew.error} />
      {link ? (
        <>
          <div class="form-row client-link-row">
            <Input id="client-link-url" label="The client’s link" value={link.url} onValue={() => undefined} readOnly />
            <p class="client-link-actions">
              <button type="button" class="button" onClick={() => void copy(link.url)}>
                Copy link
              </button>
              <a href={link.url} target="_blank" rel="noopener">
                See what the client sees
              </a>
            </p>
          </div>
          <p class="client-link-copied" role="status">
            {copied}
          </p>
          <p>
            <button
              type="button"
              class="button button--secondary"
              disabled={renew.pending}
              onClick={() => {
                if (window.confirm('Make a new link? The link the client has stops opening the page at once; their next mails carry the new one.')) void renew.act();
              }}
            >
              {renew.pending ? 'Making a new link…' : 'Make a new link (the old one stops working)'}
            </button>
          </p>
        </>
      ) : (
        <button type="button" class="button button--secondary" disabled={get.pending} onClick={() => void get.act()}>
          Show the client’s link
        </button>
      )}
    </Section>
  );
}

/** Hands the project to another manager (one on leave, one with too much on): the tasks, reviews and chasing go along. */
function HandOver({ project: p, onChange }: { project: ProjectStatus; onChange: Update }) {
  const name = useName();
  const { me } = useSession();
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const managers = useResource(() => ok(api.GET('/api/people', { params: { query: { role: 'manager' } } })), []);
  const handOverKey = useRequestKey();
  const handOver = useAction(
    () => {
      const body = { toManagerId: to, ...(note.trim() !== '' && { note }) };
      return ok(api.POST('/api/projects/{id}/handover', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': handOverKey.keyFor(body) } }, body }));
    },
    (next) => {
      handOverKey.succeeded();
      flash(`Handed over to ${name(next.managerId)}.`);
      // A manager who handed their own project over may no longer open it: back to their portfolio.
      if (me.person.role === 'manager') {
        navigate('/projects', { force: true });
        return;
      }
      onChange(next);
      setTo('');
      setNote('');
    },
  );
  return (
    <details class="card">
      <summary>Hand over to another manager</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void handOver.act();
        }}
        noValidate
      >
        <p>
          {p.managerId === me.person.id ? 'You manage this project now.' : `${name(p.managerId)} manages this project now.`} The new manager reviews its
          work, records the client's answers and is chased for what is late. {p.managerId === me.person.id ? 'You' : name(p.managerId)}, the new manager
          and the client are told by e-mail.
        </p>
        <ProblemBox error={handOver.error} shownAtFields={['toManagerId', 'note']} />
        <Select
          id="handover-to"
          label="New manager"
          value={to}
          onValue={handOver.editing('toManagerId', setTo)}
          placeholder="Choose a manager"
          options={(managers.data?.items ?? []).filter((m) => m.id !== p.managerId).map((m) => ({ value: m.id, label: m.name }))}
          error={handOver.at('toManagerId')}
        />
        <TextArea
          id="handover-note"
          label="Note for the new manager (optional)"
          value={note}
          onValue={handOver.editing('note', setNote)}
          error={handOver.at('note')}
        />
        <button type="submit" class="button button--secondary" disabled={handOver.pending || !to}>
          Hand over
        </button>
      </form>
    </details>
  );
}

/**
 * What cancelling does to this project, as the workflow will do it (`cancelProject` in
 * workflows/project/workflow.ts, `cancellationSettlement` in workflows/project/state.ts): open
 * work stops; without a final invoice the accepted work is billed, less the prepayment received
 * (an unpaid prepayment is voided, a larger one refunded) and the compensations agreed; a final
 * invoice already covers the work, and every invoice sent stays as it is. In words, with only the
 * amounts the snapshot holds (paid, still open): the bill is the workflow's sum, never the page's.
 */
function cancellationEffects(p: ProjectStatus): string[] {
  const openWork = p.tasks.filter((t) => t.status !== 'accepted' && t.status !== 'cancelled');
  const work =
    p.tasks.length === 0
      ? 'No work has started, so nothing stops.'
      : openWork.length === 0
        ? 'All its work is accepted, so nothing stops.'
        : `Work stops on ${plural(openWork.length, 'task')}` +
          // A few by name; past that the manager knows the list from the tasks above.
          (openWork.length <= 3 ? `: ${openWork.map((t) => `“${t.title}”`).join(', ')}.` : '.');
  const money = (amount: number, i: Invoice) => formatMoney(amount, i.currency);
  const named = (i: Invoice) => (i.kind === 'credit_note' ? `credit note ${i.number}` : `${INVOICE_LABEL[i.kind].toLowerCase()} invoice ${i.number}`);
  const final = p.invoices.some((i) => i.kind === 'final' && i.status !== 'void');
  // Agreed and carried by no invoice yet: the cancellation takes them off (or, after a final invoice, refunds them).
  const compensations = p.complaints.filter((c) => c.compensation && c.compensation.invoiceNumber === undefined && c.compensation.takenOff === undefined).length;
  const agreed = compensations === 1 ? 'the compensation agreed' : 'the compensations agreed';
  const lines = [work];
  // Without a final invoice the settlement deals with the prepayment; every other paper stays as sent.
  const prepayment = final ? undefined : p.invoices.find((i) => i.kind === 'prepayment' && i.status !== 'void');
  if (final) {
    lines.push(
      'Nothing more is invoiced: the final invoice covers the work.' +
        (compensations > 0 ? ' Compensation agreed and not yet settled goes to the client on a credit note, set against what is unpaid first.' : ''),
    );
  } else {
    const acceptedIds = new Set(p.tasks.filter((t) => t.status === 'accepted').map((t) => t.taskId));
    const billed = p.tasks.filter((t) => t.status === 'accepted' && t.price > 0).length;
    const paidRounds = p.revisions.some((r) => r.extraPrice > 0 && r.taskIds.length > 0 && r.taskIds.every((id) => acceptedIds.has(id)));
    const paid = prepayment && prepayment.paidAmount > 0 ? prepayment : undefined;
    const what = [...(billed > 0 ? [plural(billed, 'task')] : []), ...(paidRounds ? ['the paid revision rounds'] : [])];
    const less = [...(paid ? [`the ${money(paid.paidAmount, paid)} prepayment paid`] : []), ...(compensations > 0 ? [agreed] : [])];
    lines.push(
      what.length > 0
        ? `The accepted work (${what.join(' and ')}) is invoiced` +
            (less.length > 0 ? `, less ${less.join(' and ')}` : '') +
            (paid ? '; a prepayment larger than that is refunded on a credit note.' : '.')
        : paid
          ? `Nothing is invoiced; the ${money(paid.paidAmount, paid)} prepayment paid is refunded on a credit note.`
          : 'Nothing is invoiced.',
    );
    if (prepayment && owed(prepayment) && stillOwed(prepayment) > 0) {
      lines.push(`The ${money(stillOwed(prepayment), prepayment)} still unpaid on ${named(prepayment)} is voided: no longer owed.`);
    }
  }
  const staying = p.invoices.filter((i) => i.status !== 'void' && i !== prepayment);
  const owing = owedAfterCancelling(p).map((i) => `${money(stillOwed(i), i)} on ${named(i)}`);
  const prepaid = staying.filter((i) => i.kind === 'prepayment' && i.status === 'paid').map((i) => `the ${money(i.paidAmount, i)} prepayment (${i.number}) is paid`);
  const refunds = staying.filter((i) => i.kind === 'credit_note' && open(i) && stillOwed(i) > 0).map((i) => `${money(stillOwed(i), i)} is still to be refunded on ${named(i)}`);
  // After a final invoice, always (what the cancellation leaves the client to pay); before, only money still to move.
  if (final || owing.length > 0 || refunds.length > 0) {
    const said = [owing.length > 0 ? `the client still owes ${owing.join(' and ')}` : 'nothing is left to pay on them', ...prepaid, ...refunds];
    // A compensation's credit note is first set against what is unpaid: then they do not stay quite as they are.
    lines.push(`${final && compensations > 0 ? 'Invoices already sent' : 'Invoices already sent stay as they are'}: ${said.join('; ')}.`);
  }
  return lines;
}

/**
 * The invoices a cancellation leaves as they are with money still owed on them: every one sent,
 * but an unpaid prepayment that the settlement voids (there is no final invoice yet).
 */
function owedAfterCancelling(p: ProjectStatus): Invoice[] {
  const final = p.invoices.some((i) => i.kind === 'final' && i.status !== 'void');
  return p.invoices.filter((i) => owed(i) && stillOwed(i) > 0 && (final || i.kind !== 'prepayment'));
}

function CancelProject({ project: p, onChange }: { project: ProjectStatus; onChange: Update }) {
  const { me } = useSession();
  const [reason, setReason] = useState('');
  const effects = cancellationEffects(p);
  // Still owed after the cancellation: cancelling does not let the client off it, a write-off does.
  const leftOwed = owedAfterCancelling(p);
  const cancelKey = useRequestKey();
  const cancel = useAction(
    () => {
      const body = { reason };
      return ok(api.POST('/api/projects/{id}/cancel', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': cancelKey.keyFor(body) } }, body }));
    },
    (next) => {
      cancelKey.succeeded();
      onChange(next);
      flash('The project is cancelled.');
    },
  );
  return (
    <details class="card danger-zone">
      <summary>Cancel this project</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          // Asked only once there is a reason: without one the API's refusal says what is missing.
          if (reason.trim() !== '' && !window.confirm(`Cancel “${p.title}”? ${effects.join(' ')} This cannot be undone.`)) return;
          void cancel.act();
        }}
        noValidate
      >
        <ul class="cancel-effects">
          {effects.map((line) => (
            <li key={line}>
              <WholeNumbersIn text={line} numbers={invoiceNumbersAndReferences(p)} />
            </li>
          ))}
        </ul>
        {leftOwed.length > 0 && (
          <p class="write-off-way">
            If the client will not pay, cancelling does not change that:{' '}
            <WriteOffWay
              invoices={leftOwed}
              leadership={me.person.role === 'leadership'}
              once={leftOwed.some((i) => whyNoWriteOff(p, i)) ? 'once the project is cancelled' : undefined}
            />
            .
          </p>
        )}
        <p>This cannot be undone.</p>
        <ProblemBox error={cancel.error} shownAtFields={['reason']} />
        <TextArea
          id="cancel-reason"
          label="Reason for cancelling"
          hint="For the agency: the project’s timeline and final report keep it; the client’s mail and papers leave it out."
          value={reason}
          onValue={cancel.editing('reason', setReason)}
          error={cancel.at('reason')}
          required
        />
        <button type="submit" class="button button--danger" disabled={cancel.pending}>
          Cancel the project
        </button>
      </form>
    </details>
  );
}
