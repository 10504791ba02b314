/** A plan version as a table, and what changed since the previous version. */
import { DEPARTMENTS, type Department, type PlanVersion } from './api';
import { againstClientDate, DEPARTMENT_LABEL, dueAfterClientDate, formatDate, formatDateTime, formatMoney, lateInWords } from './format';
import { diffPlans, EARLIER_TEXT_NOT_KEPT, type FieldChange } from './plan-diff';
import { Badge } from './ui';

/**
 * The request's departments against the plan's tasks: those asked for with no task, and those
 * with tasks that were not asked for, in the usual order of departments.
 */
export function planCoverage(requested: readonly string[], planned: readonly string[]): { missing: Department[]; unasked: { department: Department; tasks: number }[] } {
  return {
    missing: DEPARTMENTS.filter((d) => requested.includes(d) && !planned.includes(d)),
    unasked: DEPARTMENTS.filter((d) => planned.includes(d) && !requested.includes(d)).map((department) => ({
      department,
      tasks: planned.filter((p) => p === department).length,
    })),
  };
}

/**
 * A plan that does not cover what the client asked for, or has work they did not ask for: said, not
 * refused (a plan may differ on purpose, and leadership decides). Nothing when it matches.
 */
export function PlanCoverage({ requested, planned, id }: { requested: readonly string[]; planned: readonly string[]; id?: string }) {
  const { missing, unasked } = planCoverage(requested, planned);
  if (missing.length === 0 && unasked.length === 0) return null;
  return (
    <div id={id} class={`callout plan-coverage${missing.length > 0 ? ' callout--warn' : ''}`} role="note">
      {missing.map((department) => (
        <p key={department} class="plan-coverage-missing">
          The request asked for {DEPARTMENT_LABEL[department]}; this plan has no {DEPARTMENT_LABEL[department]} task.
        </p>
      ))}
      {unasked.map(({ department, tasks }) => (
        <p key={department} class="plan-coverage-unasked">
          This plan has {tasks === 1 ? `a ${DEPARTMENT_LABEL[department]} task` : `${tasks} ${DEPARTMENT_LABEL[department]} tasks`}; the request did not ask for{' '}
          {DEPARTMENT_LABEL[department]}.
        </p>
      ))}
    </div>
  );
}

/**
 * `clientDate`: the date the client wants the work by; tasks due after it are marked, and the
 * summary says by how much. `since`: an earlier version (on approvals, the one leadership sent
 * back); each task added or changed since then is marked, so the rows to look at again stand out
 * in the table, beside the tasks around them (what changed in each is listed by PlanChanges).
 * `requested`: the departments the client's request asked for; a plan that misses one, or has work
 * for one not asked for, says so above the table (PlanCoverage).
 */
export function PlanTable({
  plan,
  currency,
  clientDate,
  since,
  requested,
}: {
  plan: PlanVersion;
  currency: string;
  clientDate?: string;
  since?: PlanVersion;
  requested?: readonly string[];
}) {
  const diff = since && diffPlans(since, plan);
  const marks = new Map<string, 'added' | 'changed'>([
    ...(diff?.added ?? []).map((t) => [t.key, 'added'] as const),
    ...(diff?.changed ?? []).map((c) => [c.key, 'changed'] as const),
  ]);
  const prepayment = Math.round(plan.total * plan.prepaymentPercent) / 100;
  // A task is named by its title; its key (the plan's internal name) only where two tasks share a title, to tell them apart.
  const sameTitle = (title: string) => plan.tasks.filter((t) => t.title.trim().toLowerCase() === title.trim().toLowerCase()).length > 1;
  const titleOf = (key: string): string => {
    const task = plan.tasks.find((t) => t.key === key);
    if (!task) return key;
    return sameTitle(task.title) ? `${task.title} (${task.key})` : task.title;
  };
  const late = clientDate ? againstClientDate(plan.tasks.map((t) => t.dueAt), clientDate) : undefined;
  return (
    <>
      {/* The money first, in words: the summary a reader takes in before the rows. */}
      <p class="plan-summary">
        Total <strong>{formatMoney(plan.total, currency)}</strong> · prepayment {plan.prepaymentPercent}% ({formatMoney(prepayment, currency)}) ·{' '}
        {plan.includedRevisionRounds} revision {plan.includedRevisionRounds === 1 ? 'round' : 'rounds'} included · {plan.tasks.length}{' '}
        {plan.tasks.length === 1 ? 'task' : 'tasks'}
      </p>
      {clientDate && late && late.lateByMs > 0 && (
        <p class="callout callout--warn plan-late" role="note">
          The last task is due {lateInWords(late.lateByMs)} after the client’s date ({formatDate(clientDate)}).
        </p>
      )}
      {requested && <PlanCoverage requested={requested} planned={plan.tasks.map((t) => t.department)} />}
      {/*
        On a phone each row is a card (styles.css, .card-rows): every cell beside its column's name
        (data-label), so the late mark and the price are in sight without scrolling sideways. The
        roles keep it a table to screen readers once CSS no longer lays it out as one.
      */}
      <div class="table-wrap">
        <table class="plan-table card-rows" role="table">
          <caption class="visually-hidden">Plan version {plan.version}</caption>
          <thead role="rowgroup">
            <tr role="row">
              <th scope="col" role="columnheader">Task</th>
              <th scope="col" role="columnheader">Department</th>
              <th scope="col" role="columnheader" class="num">Estimate</th>
              <th scope="col" role="columnheader">Due</th>
              <th scope="col" role="columnheader">Depends on</th>
              <th scope="col" role="columnheader" class="num">Price</th>
            </tr>
          </thead>
          <tbody role="rowgroup">
            {plan.tasks.map((t) => (
              <tr key={t.key} role="row" class={marks.has(t.key) ? 'row--changed' : undefined}>
                <th scope="row" role="rowheader">
                  {t.title}
                  {sameTitle(t.title) && <span class="muted key"> {t.key}</span>}
                  {since && marks.has(t.key) && (
                    <>
                      {' '}
                      <Badge tone={marks.get(t.key) === 'added' ? 'good' : 'info'}>
                        {marks.get(t.key)} since version {since.version}
                      </Badge>
                    </>
                  )}
                </th>
                <td role="cell" data-label="Department">{DEPARTMENT_LABEL[t.department]}</td>
                <td role="cell" data-label="Estimate" class="num">{t.estimateHours} h</td>
                <td role="cell" data-label="Due">
                  {formatDateTime(t.dueAt)}
                  {clientDate && dueAfterClientDate(t.dueAt, clientDate) && (
                    <>
                      {' '}
                      <Badge tone="warn">after the client’s date</Badge>
                    </>
                  )}
                </td>
                <td role="cell" data-label="Depends on">{t.dependsOn.length > 0 ? t.dependsOn.map(titleOf).join(', ') : '—'}</td>
                <td role="cell" data-label="Price" class="num">{formatMoney(t.price, currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot role="rowgroup">
            <tr role="row">
              <th scope="row" role="rowheader" colSpan={5}>Total</th>
              <td role="cell" class="num"><strong>{formatMoney(plan.total, currency)}</strong></td>
            </tr>
            <tr role="row">
              <th scope="row" role="rowheader" colSpan={5}>Prepayment {plan.prepaymentPercent}%</th>
              <td role="cell" class="num">{formatMoney(prepayment, currency)}</td>
            </tr>
            <tr role="row">
              <th scope="row" role="rowheader" colSpan={5}>Revision rounds included</th>
              <td role="cell" class="num">{plan.includedRevisionRounds}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}

const FIELD_LABEL: Record<FieldChange['field'], string> = {
  title: 'title',
  department: 'department',
  description: 'description',
  estimateHours: 'estimate (h)',
  dueAt: 'due',
  price: 'price',
  dependsOn: 'depends on',
};

function show(change: FieldChange, currency: string, which: 'from' | 'to'): string {
  const v = change[which];
  if (change.field === 'dueAt') return formatDateTime(String(v));
  if (change.field === 'price') return formatMoney(Number(v), currency);
  if (v === '') return '(none)';
  // A description may run to 5,000 characters: its start says which one it is.
  const text = String(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** "Changes since version N": added, removed and changed tasks, and the money. */
export function PlanChanges({ previous, next, currency }: { previous: PlanVersion; next: PlanVersion; currency: string }) {
  const diff = diffPlans(previous, next);
  if (diff.same) return <p>No changes since version {previous.version}.</p>;
  return (
    <ul class="changes">
      {diff.added.map((t) => (
        <li key={`a-${t.key}`}>
          <Badge tone="good">added</Badge> {t.title} ({DEPARTMENT_LABEL[t.department as keyof typeof DEPARTMENT_LABEL] ?? t.department},{' '}
          {formatMoney(t.price, currency)})
        </li>
      ))}
      {diff.removed.map((t) => (
        <li key={`r-${t.key}`}>
          <Badge tone="bad">removed</Badge> {t.title} ({formatMoney(t.price, currency)})
        </li>
      ))}
      {diff.changed.map((c) => (
        <li key={`c-${c.key}`}>
          <Badge tone="info">changed</Badge> {c.title}:{' '}
          {c.changes.map((ch, i) => (
            <span key={ch.field}>
              {i > 0 && '; '}
              {FIELD_LABEL[ch.field]}{' '}
              {/* An earlier description the workflow no longer keeps is said so, not struck through as if it were the text. */}
              {ch.from === EARLIER_TEXT_NOT_KEPT ? <span class="muted">{EARLIER_TEXT_NOT_KEPT}</span> : <del>{show(ch, currency, 'from')}</del>} →{' '}
              <ins>{show(ch, currency, 'to')}</ins>
            </span>
          ))}
        </li>
      ))}
      {diff.total.from !== diff.total.to && (
        <li>
          Total <del>{formatMoney(diff.total.from, currency)}</del> → <ins>{formatMoney(diff.total.to, currency)}</ins>
        </li>
      )}
      {diff.prepaymentPercent.from !== diff.prepaymentPercent.to && (
        <li>
          Prepayment <del>{diff.prepaymentPercent.from}%</del> → <ins>{diff.prepaymentPercent.to}%</ins>
        </li>
      )}
      {diff.includedRevisionRounds.from !== diff.includedRevisionRounds.to && (
        <li>
          Included revision rounds <del>{diff.includedRevisionRounds.from}</del> → <ins>{diff.includedRevisionRounds.to}</ins>
        </li>
      )}
    </ul>
  );
}
