/**
 * Leadership's approvals: every plan waiting for a decision, longest-waiting first, with what
 * changed since the version they sent back, to approve or reject with a comment. Each card gives
 * what the client asked for (the brief, their date, the departments) beside the plan, so the plan
 * is judged against the request without opening the project.
 */
import { useRef, useState } from 'preact/hooks';
import { allPages, api, ok, type PlanVersion, type ProjectStatus } from '../api';
import { useAction, useName, useRequestKey, useResource } from '../data';
import { againstClientDate, DEPARTMENT_LABEL, formatDate, formatDateTime, formatDuration, formatMoney, fromLocalInput, shorten } from '../format';
import { planCoverage, PlanChanges, PlanTable } from '../plan';
import { diffPlans } from '../plan-diff';
import { Link } from '../router';
import { Badge, flash, Input, Loading, PageHeader, ProblemBox, TextArea, useFocusAfterLeaving } from '../ui';

export function Approvals() {
  const [decided, setDecided] = useState<Set<string>>(new Set());
  const waiting = useResource(
    async () => {
      const items = await allPages(
        (pageToken) =>
          ok(api.GET('/api/projects', { params: { query: { stage: 'awaiting_approval', pageSize: 100, ...(pageToken && { pageToken }) } } })),
        200,
      );
      const [projects, report] = await Promise.all([
        Promise.all(items.map((p) => ok(api.GET('/api/projects/{id}', { params: { path: { id: p.projectId } } })).catch(() => undefined))),
        // Only for the empty page: whether plans are on their way (a new agency's first visit says what comes here).
        items.length === 0 ? ok(api.GET('/api/reports/portfolio')) : undefined,
      ]);
      return {
        plans: projects
          .filter((p): p is ProjectStatus => !!p && p.stage === 'awaiting_approval' && p.pendingPlanVersion !== undefined)
          .sort((a, b) => (a.stageEnteredAt ?? '').localeCompare(b.stageEnteredAt ?? '')),
        beingPlanned: report ? report.projects.byStage.intake + report.projects.byStage.planning : 0,
      };
    },
    [],
    5_000,
  );
  const shown = (waiting.data?.plans ?? []).filter((p) => !decided.has(`${p.projectId}@${p.pendingPlanVersion}`));
  const list = useRef<HTMLUListElement>(null);
  const focusAfterDecision = useFocusAfterLeaving(list, shown.length);

  return (
    <>
      <PageHeader title={waiting.data ? `Plans awaiting your decision (${shown.length})` : 'Plans awaiting your decision'} />
      {waiting.error && <ProblemBox error={waiting.error} title="Could not load the plans" />}
      {!waiting.data ? (
        !waiting.error && <Loading what="Loading plans" />
      ) : shown.length === 0 ? (
        <p class="empty">
          No plan is waiting for a decision. A plan comes here when its manager sends it, for you to approve or send back before any work starts.
          {waiting.data.beingPlanned > 0 && (
            <>
              {' '}
              {waiting.data.beingPlanned === 1 ? 'One project is' : `${waiting.data.beingPlanned} projects are`} still being planned: see the{' '}
              <Link href="/projects">Portfolio</Link>.
            </>
          )}
        </p>
      ) : (
        <ul class="approval-list" ref={list}>
          {shown.map((p, place) => (
            <Approval
              key={`${p.projectId}@${p.pendingPlanVersion}`}
              project={p}
              onDecided={() => {
                setDecided(new Set([...decided, `${p.projectId}@${p.pendingPlanVersion}`]));
                focusAfterDecision(place);
              }}
            />
          ))}
        </ul>
      )}
    </>
  );
}

function Approval({ project: p, onDecided }: { project: ProjectStatus; onDecided: () => void }) {
  const name = useName();
  const [comment, setComment] = useState('');
  const [dueDates, setDueDates] = useState<Record<string, string>>({});
  const plan = p.plans.find((v) => v.version === p.pendingPlanVersion)!;
  const previous = p.plans.filter((v) => v.version < plan.version).pop();
  const requestKey = useRequestKey();
  const decide = useAction(
    (decision: 'approve' | 'reject') => {
      const moved = Object.entries(dueDates).filter(([, v]) => v !== '');
      const body = {
        planVersion: plan.version,
        decision,
        comment,
        ...(decision === 'approve' && moved.length > 0 && { dueDates: Object.fromEntries(moved.map(([k, v]) => [k, fromLocalInput(v)])) }),
      };
      return ok(api.POST('/api/projects/{id}/plan/decision', { params: { path: { id: p.projectId }, header: { 'Idempotency-Key': requestKey.keyFor(body) } }, body }));
    },
    (next) => {
      requestKey.succeeded();
      const waitsForPrepayment = plan.prepaymentPercent > 0 && next.policy.startAfterPrepayment;
      flash(
        next.stage === 'planning'
          ? `Sent “${p.title}” back to ${name(p.managerId)}.`
          : waitsForPrepayment
            ? `Approved “${p.title}”: the prepayment invoice goes to the client; work starts once it is paid.`
            : `Approved “${p.title}”: work starts.`,
      );
      onDecided();
    },
  );
  const fid = `decision-${p.projectId}`;
  const currency = p.budget.currency;
  // Tasks whose due date passed while the plan waited: approving needs a new date for each; and
  // those the refusal names (to move with them). Named by the refusal as it came, not by what it
  // still says at the field: a date corrected there keeps its field until the next attempt.
  const passed = plan.tasks.filter((t) => Date.parse(t.dueAt) <= Date.now() || decide.error?.at(`dueDates.${t.key}`));
  const dueId = (key: string) => `${fid}-due-${key}`;
  const { missing } = planCoverage(p.departments, plan.tasks.map((t) => t.department));
  return (
    <li class="card approval" aria-labelledby={`${fid}-title`}>
      <h2 id={`${fid}-title`} tabIndex={-1}>
        <Link href={`/projects/${p.projectId}`}>{p.title}</Link> <span class="muted">version {plan.version}</span>
      </h2>
      <p class="meta-row">
        <span>
          {p.client.name} ({p.client.segment}) · {name(p.managerId)} · budget {formatMoney(p.budget.amount, currency)}
        </span>
        {p.stageEnteredAt && <Badge tone="warn">waiting {formatDuration(Date.now() - Date.parse(p.stageEnteredAt))}</Badge>}
        {plan.total > p.budget.amount && <Badge tone="bad">over budget</Badge>}
        {againstClientDate(plan.tasks.map((t) => t.dueAt), p.desiredDeadline).lateByMs > 0 && <Badge tone="warn">late for the client</Badge>}
        {missing.length > 0 && <Badge tone="warn">not all the client asked for</Badge>}
      </p>
      <p class="muted">Submitted {formatDateTime(plan.submittedAt)}.</p>
      <ClientRequest project={p} planned={plan.tasks.map((t) => t.department)} planEndsAt={againstClientDate(plan.tasks.map((t) => t.dueAt), p.desiredDeadline).lastDueAt} />
      {previous && (
        <div class="callout" role="note">
          <p>
            <strong>Changes since version {previous.version}</strong>
            {previous.decision?.comment && <> (sent back: “{previous.decision.comment}”)</>}
          </p>
          <PlanChanges previous={previous} next={plan} currency={currency} />
          {/* The workflow keeps only the newest version's descriptions: said, rather than none listed as if none changed. */}
          {diffPlans(previous, plan).descriptionsNotKept && (
            <p class="descriptions-not-kept">
              Version {previous.version} kept no task descriptions, so changes to them cannot be listed here: read this version’s under the table.
            </p>
          )}
        </div>
      )}
      <PlanTable plan={plan} currency={currency} clientDate={p.desiredDeadline} since={previous} requested={p.departments} />
      <TaskDescriptions plan={plan} id={`${fid}-descriptions`} />
      <form onSubmit={(e) => e.preventDefault()} noValidate>
        <ProblemBox
          error={decide.error && !decide.error.at('comment') ? decide.error : undefined}
          title="The decision was not recorded"
          // A due date edited since is no longer listed as wrong (as at its field); the box goes once none is left.
          settled={(field) => decide.error?.at(field) !== undefined && !decide.at(field)}
          fieldIds={(f) => (f.startsWith('dueDates.') ? dueId(f.slice('dueDates.'.length)) : undefined)}
          fieldLabel={(f) => {
            const task = f.startsWith('dueDates.') ? plan.tasks.find((t) => t.key === f.slice('dueDates.'.length)) : undefined;
            return task ? `New due date for “${task.title}”` : undefined;
          }}
        />
        {passed.length > 0 && (
          <fieldset>
            <legend>
              {passed.every((t) => Date.parse(t.dueAt) <= Date.now())
                ? 'Due dates that passed while the plan waited'
                : 'Due dates that passed while the plan waited, and those that must move with them'}
            </legend>
            <p class="hint">Approving moves these tasks to the dates you give.</p>
            <div class="form-row">
              {passed.map((t) => (
                <Input
                  key={t.key}
                  id={dueId(t.key)}
                  label={`New due date for “${t.title}” (was ${formatDateTime(t.dueAt)})`}
                  type="datetime-local"
                  value={dueDates[t.key] ?? ''}
                  onValue={decide.editing(`dueDates.${t.key}`, (v: string) => setDueDates({ ...dueDates, [t.key]: v }))}
                  error={decide.at(`dueDates.${t.key}`)}
                />
              ))}
            </div>
          </fieldset>
        )}
        <TextArea
          id={`${fid}-comment`}
          label={`Comment to ${name(p.managerId)}`}
          hint="Required when you send the plan back."
          value={comment}
          onValue={decide.editing('comment', setComment)}
          error={decide.at('comment')}
          rows={2}
        />
        <div class="form-actions">
          <button type="button" class="button" disabled={decide.pending} onClick={() => void decide.act('approve')}>
            Approve
          </button>
          <button type="button" class="button button--secondary" disabled={decide.pending} onClick={() => void decide.act('reject')}>
            Send back
          </button>
        </div>
      </form>
    </li>
  );
}

/**
 * What each task is, in the manager's words, under the plan's table (which has no room for up to
 * 5,000 characters a task): folded to one line, opened at a touch, so the card stays short.
 */
function TaskDescriptions({ plan, id }: { plan: PlanVersion; id: string }) {
  const described = plan.tasks.filter((t) => t.description.trim() !== '');
  if (described.length === 0) return <p class="muted plan-descriptions-none">No task of this version has a description.</p>;
  return (
    <details class="plan-descriptions" id={id}>
      <summary>
        Task descriptions: {described.length} of {plan.tasks.length} {plan.tasks.length === 1 ? 'task' : 'tasks'}
      </summary>
      <dl>
        {described.map((t) => (
          <div key={t.key}>
            <dt>
              {t.title} <span class="muted">{DEPARTMENT_LABEL[t.department]}</span>
            </dt>
            <dd class="prewrap">{t.description}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/** A brief longer than this is cut on the card, with a button to read it all. */
const BRIEF_SHORT = 280;

/**
 * What the client asked for, as the manager's request recorded it: the brief, the date they want
 * it by (beside the plan's end), and the departments — each marked when the plan leaves it out.
 */
function ClientRequest({ project: p, planned, planEndsAt }: { project: ProjectStatus; planned: string[]; planEndsAt?: string }) {
  const [whole, setWhole] = useState(false);
  const long = Array.from(p.brief).length > BRIEF_SHORT;
  const briefId = `brief-${p.projectId}`;
  return (
    <section class="client-request" aria-label={`What ${p.client.name} asked for`}>
      <h3>What the client asked for</h3>
      <dl class="facts">
        <dt>Wants it by</dt>
        <dd>
          {formatDate(p.desiredDeadline)}
          {planEndsAt && <span class="muted"> · the plan ends {formatDate(planEndsAt)}</span>}
        </dd>
        <dt>Departments</dt>
        <dd>
          {p.departments.length === 0
            ? 'none named'
            : p.departments.map((d, i) => (
                <span key={d}>
                  {i > 0 && ', '}
                  {DEPARTMENT_LABEL[d]}
                  {!planned.includes(d) && <span class="muted"> (not in the plan)</span>}
                </span>
              ))}
        </dd>
      </dl>
      <p id={briefId} class="client-request-brief">
        {long && !whole ? shorten(p.brief, BRIEF_SHORT) : p.brief}
      </p>
      {long && (
        <button type="button" class="button button--quiet" aria-expanded={whole} aria-controls={briefId} onClick={() => setWhole(!whole)}>
          {whole ? 'Show less of the brief' : 'Read the whole brief'}
        </button>
      )}
    </section>
  );
}
