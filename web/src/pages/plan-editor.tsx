/**
 * The plan editor: the tasks of a project — department, estimate, due date, price and what each
 * depends on — with the plan's total and prepayment worked out as they are typed. The API checks
 * the plan (due dates in the future, dependencies that exist and are due first, no cycles...) and
 * every refusal is shown at the field it names.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ok, type Department, type PlanInput, type ProjectStatus } from '../api';
import { useAction, useRequestKey, useResource } from '../data';
import {
  againstClientDate,
  currencyDigits,
  DEPARTMENT_LABEL,
  dueAfterClientDate,
  formatDate,
  formatDateTime,
  formatMoney,
  fromLocalInput,
  lateInWords,
  readAmount,
  readDecimal,
  readPercent,
  shorten,
  slug,
  taskKeys,
  toLocalInput,
  typedAmount,
  typedHours,
  typedPercent,
} from '../format';
import { PlanCoverage } from '../plan';
import { Link, navigate, useUnsavedWork } from '../router';
import { Choices, fieldId, flash, Input, Loading, PageHeader, ProblemBox, Select, StageBadge, TextArea } from '../ui';

interface Row {
  uid: number;
  key: string;
  keyEdited: boolean;
  department: string;
  title: string;
  description: string;
  estimateHours: string;
  dueAt: string;
  price: string;
  /** Other rows by uid, so renaming a key keeps the dependency. */
  dependsOn: number[];
}

let nextUid = 1;
const id = (field: string) => fieldId('plan', field);
/** The "Add a task" button's id: the keyboard's place once the last task is removed. */
const ADD_TASK_ID = 'plan-add-task';

function rowsFrom(project: ProjectStatus): Row[] {
  const latest = project.plans[project.plans.length - 1];
  if (!latest) {
    return [
      {
        uid: nextUid++,
        key: '',
        keyEdited: false,
        department: project.departments[0] ?? 'design',
        title: '',
        description: '',
        estimateHours: '',
        dueAt: toLocalInput(project.desiredDeadline),
        price: '',
        dependsOn: [],
      },
    ];
  }
  const uids = new Map(latest.tasks.map((t) => [t.key, nextUid++]));
  return latest.tasks.map((t) => ({
    uid: uids.get(t.key)!,
    key: t.key,
    keyEdited: true,
    department: t.department,
    title: t.title,
    description: t.description,
    estimateHours: String(t.estimateHours),
    dueAt: toLocalInput(t.dueAt),
    price: String(t.price),
    dependsOn: t.dependsOn.map((k) => uids.get(k)).filter((u): u is number => u !== undefined),
  }));
}

const FIELD_LABEL: Record<string, string> = {
  title: 'Title',
  key: 'Key',
  department: 'Department',
  estimateHours: 'Estimate',
  dueAt: 'Due',
  price: 'Price',
  dependsOn: 'Depends on',
  description: 'Description',
  prepaymentPercent: 'Prepayment',
  includedRevisionRounds: 'Revision rounds included',
  tasks: 'Tasks',
};

/** A task's fields in the order its controls come in the form, for the list of refusals. */
const TASK_FIELDS = ['title', 'key', 'department', 'estimateHours', 'dueAt', 'price', 'dependsOn', 'description'];
/** The plan's own fields, after the tasks, in the form's order (`tasks` is the list itself, refused under the last task). */
const PLAN_FIELDS = ['tasks', 'prepaymentPercent', 'includedRevisionRounds'];

/**
 * Refusals of one task caused by another, in the words of workflows/project/plan-rules.ts: the
 * other task's key or title is in the message, and the refusal goes once that task no longer
 * causes it (a test in test/portal/boundaries.test.ts notices when the words change).
 */
const DUPLICATE_KEY = /^duplicate task key "(.*)"$/;
const DUE_BEFORE_DEPENDENCY = /^due before its dependency "(.*)" is due/;
const CYCLE = /^dependency cycle: (.*)$/;

/**
 * A refusal as the editor shows it: the title of the task it names (a dependency's, up to 200
 * characters) cut short, so that a refusal shown at each of its dependants, and again in the list,
 * does not repeat the whole title every time. The API's own message is kept for telling when the
 * refusal no longer applies (`causeGone` reads the whole title).
 */
function shownMessage(message: string): string {
  const dueBefore = DUE_BEFORE_DEPENDENCY.exec(message);
  return dueBefore ? `due before its dependency "${shorten(dueBefore[1])}" is due${message.slice(dueBefore[0].length)}` : message;
}
const shownError = (e: { field: string; message: string }) => ({ ...e, message: shownMessage(e.message) });

/**
 * Another task as a "Depends on" choice: its title cut short as the refusals cut it (a title may
 * run to 200 characters, a paragraph beside each checkbox on a phone, repeated under every other
 * task), the whole title on hover. That task's own Title field holds it whole too.
 */
function dependencyLabel(title: string) {
  const short = shorten(title);
  return short === title ? title : <span title={title}>{short}</span>;
}

/** A row as it was sent: refusals name rows by their place then, and by the keys and titles they had. */
interface SentRow {
  uid: number;
  key: string;
  title: string;
  dependsOn: number[];
}

const num = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));
/**
 * A negative price or estimate, refused at its field as it is typed (the API refuses it too, on
 * submit): said at once, never worked into the totals meanwhile.
 */
const negativePrice = (price: string, currency: string): string | undefined => (readAmount(price, currency) < 0 ? 'must not be negative' : undefined);
const negativeHours = (hours: string): string | undefined => (readDecimal(hours) < 0 ? 'must be more than 0 hours' : undefined);
/**
 * Typed text read by `typed` ("12,5" as 12.5; "12,5x" refused at its field, nothing sent), or NaN
 * when empty: the API then names the field. Text, not number inputs: a browser in a comma-decimal
 * locale would drop "12,5" (or read it as 125) without a word.
 */
const filled = (text: string, field: string, typed: (text: string, field: string) => number): number => (text.trim() === '' ? Number.NaN : typed(text, field));

export function PlanEditor({ params }: { params: Record<string, string> }) {
  const project = useResource(() => ok(api.GET('/api/projects/{id}', { params: { path: { id: params.id } } })), [params.id]);
  if (!project.data) {
    return (
      <>
        <PageHeader title="Plan" />
        {project.error ? <ProblemBox error={project.error} /> : <Loading what="Loading the project" />}
      </>
    );
  }
  return <Editor project={project.data} />;
}

function Editor({ project }: { project: ProjectStatus }) {
  const [rows, setRows] = useState<Row[]>(() => rowsFrom(project));
  const latest = project.plans[project.plans.length - 1];
  const [prepayment, setPrepayment] = useState(String(latest?.prepaymentPercent ?? 0));
  const [rounds, setRounds] = useState(String(latest?.includedRevisionRounds ?? 1));
  const currency = project.budget.currency;
  // Sums in the currency's smallest unit (cents; fils for KWD; yen), so they add up exactly.
  const scale = 10 ** currencyDigits(currency);
  const minor = (n: number) => (Number.isFinite(n) ? Math.round(n * scale) : 0);

  const keys = taskKeys(
    rows,
    project.plans.flatMap((plan) => plan.tasks.map((t) => t.key)),
  );
  const keyOf = (r: Row) => keys.get(r.uid)!;
  /** The plan as typed; every field that cannot be read is refused at once (one refusal naming them all), nothing sent. */
  const body = (): PlanInput => {
    const unread: NonNullable<ApiError['problem']['errors']> = [];
    const read = (text: string, field: string, typed: (text: string, field: string) => number): number => {
      try {
        return filled(text, field, typed);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        unread.push(...(err.problem.errors ?? []));
        return Number.NaN;
      }
    };
    const plan: PlanInput = {
      tasks: rows.map((r, i) => ({
        key: keyOf(r),
        department: r.department as Department,
        title: r.title,
        description: r.description,
        estimateHours: read(r.estimateHours, `tasks[${i}].estimateHours`, typedHours),
        dueAt: fromLocalInput(r.dueAt),
        price: read(r.price, `tasks[${i}].price`, (text, field) => typedAmount(text, field, currency)),
        dependsOn: r.dependsOn.map((u) => rows.find((o) => o.uid === u)).filter((o): o is Row => !!o).map(keyOf),
      })),
      prepaymentPercent: read(prepayment, 'prepaymentPercent', typedPercent),
      includedRevisionRounds: num(rounds),
    };
    // Negative amounts are refused with the rest, at their fields, as they were as typed.
    rows.forEach((r, i) => {
      const hours = negativeHours(r.estimateHours);
      if (hours) unread.push({ field: `tasks[${i}].estimateHours`, message: hours });
      const price = negativePrice(r.price, currency);
      if (price) unread.push({ field: `tasks[${i}].price`, message: price });
    });
    if (unread.length > 0) {
      throw new ApiError(400, {
        type: 'urn:agencyflow:problem:validation',
        title: 'Invalid request',
        status: 400,
        detail: unread.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors: unread,
      });
    }
    return plan;
  };

  // A refusal names rows by their place in the plan as sent (`tasks[1].dueAt`); rows added or
  // removed since must not move it to another task. A field edited since the refusal no longer
  // shows it: the old message would be about a value that is not there any more (the next submit
  // checks the new one). Nor does a refusal caused by another task once that task is gone or
  // changed so that it no longer applies.
  const [sent, setSent] = useState<SentRow[]>([]);
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const submitKey = useRequestKey();
  const submit = useAction(
    () => {
      setSent(rows.map((r) => ({ uid: r.uid, key: keyOf(r), title: r.title, dependsOn: r.dependsOn })));
      setEdited(new Set());
      const plan = body();
      return ok(api.PUT('/api/projects/{id}/plan', { params: { path: { id: project.projectId }, header: { 'Idempotency-Key': submitKey.keyFor(plan) } }, body: plan }));
    },
    (next) => {
      submitKey.succeeded();
      flash(`Plan version ${next.pendingPlanVersion ?? ''} submitted for leadership’s approval.`);
      navigate(`/projects/${project.projectId}`, { force: true });
    },
  );
  // Kept while a submit is on its way too: its refusal may come back for a value changed meanwhile.
  const markEdited = (...controls: string[]) => setEdited((before) => (controls.every((c) => before.has(c)) ? before : new Set([...before, ...controls])));
  /** The control an API field is (`tasks[1].dueAt` → `<uid>.dueAt`), and the row it belongs to. */
  const controlOf = (field: string): { control: string; uid?: number } => {
    const m = /^tasks\[(\d+)\]\.(\w+)/.exec(field);
    if (!m) return { control: field };
    const uid = sent[Number(m[1])]?.uid;
    return { control: `${uid}.${m[2]}`, uid };
  };
  const rowNow = (uid: number | undefined) => rows.find((r) => r.uid === uid);
  const sentUid = (key: string) => sent.find((s) => s.key === key)?.uid;
  const dueMs = (r: Row) => (r.dueAt ? Date.parse(fromLocalInput(r.dueAt)) : Number.NaN);
  /** Whether another task that caused this refusal no longer does: removed, or changed so the rule holds. */
  const causeGone = (field: string, message: string): boolean => {
    const { uid } = controlOf(field);
    const duplicate = DUPLICATE_KEY.exec(message);
    if (duplicate) return rows.filter((r) => keyOf(r) === duplicate[1]).length < 2;
    const dueBefore = DUE_BEFORE_DEPENDENCY.exec(message);
    if (dueBefore) {
      // The dependency is the task this one depended on when sent, by the title it had then.
      const was = sent.find((s) => s.uid === uid);
      const dependsOn = was?.dependsOn.find((d) => sent.find((s) => s.uid === d)?.title === dueBefore[1]);
      const task = rowNow(uid);
      if (dependsOn === undefined || !task) return false; // which task it meant cannot be told
      const dependency = rowNow(dependsOn);
      return !dependency || !task.dependsOn.includes(dependsOn) || !(dueMs(task) < dueMs(dependency));
    }
    const cycle = CYCLE.exec(message);
    if (cycle) {
      // Broken once any of its steps is: a task gone, or no longer depending on the next one.
      const steps = cycle[1].split(' → ').map(sentUid);
      if (steps.some((s) => s === undefined)) return false;
      return steps.some((to, i) => i > 0 && !rowNow(steps[i - 1])?.dependsOn.includes(to!));
    }
    return false;
  };
  /** Edited since, its row removed since, or what caused it gone: the refusal at that field no longer applies. */
  const settled = (field: string, message?: string): boolean => {
    const { control, uid } = controlOf(field);
    return edited.has(control) || (uid !== undefined && !rowNow(uid)) || (message !== undefined && causeGone(field, message));
  };
  /** The refusal's messages that still apply, as shown (see shownMessage). */
  const live =
    submit.error &&
    new ApiError(submit.error.status, { ...submit.error.problem, errors: submit.error.problem.errors?.filter((e) => !settled(e.field, e.message)).map(shownError) });
  /** The whole refusal as shown, for the list above the form. */
  const shown = submit.error && new ApiError(submit.error.status, { ...submit.error.problem, errors: submit.error.problem.errors?.map(shownError) });
  /** The API's message behind one shown, to tell whether it still applies. */
  const sentMessage = (field: string, message: string): string =>
    submit.error?.problem.errors?.find((e) => e.field === field && shownMessage(e.message) === message)?.message ?? message;
  /** The refusal at a plan-wide field (`prepaymentPercent`), or at a row's (`dueAt` of `row`). */
  const err = (field: string, row?: Row): string | undefined => {
    if (!live) return undefined;
    const at = row ? sent.findIndex((s) => s.uid === row.uid) : -1;
    if (row && at < 0) return undefined; // added since the refusal
    const path = row ? `tasks[${at}].${field}` : field;
    return settled(path) ? undefined : live.at(path);
  };
  /**
   * Where a refusal comes in the form (see ProblemBox): the task's row as it is now, top to bottom,
   * then the field's column in it (a refusal of the whole task first, `dependsOn[0]` with
   * `dependsOn`); the plan's own fields after every task.
   */
  const placeInForm = (field: string): number => {
    const perRow = TASK_FIELDS.length + 2;
    const m = /^tasks\[(\d+)\](?:\.(\w+))?/.exec(field);
    if (!m) {
      const at = PLAN_FIELDS.indexOf(field);
      return at < 0 ? -1 : rows.length * perRow + at;
    }
    const now = rows.findIndex((r) => r.uid === sent[Number(m[1])]?.uid);
    if (now < 0) return -1;
    const at = m[2] === undefined ? -1 : TASK_FIELDS.indexOf(m[2]);
    // The whole task first, then its columns, then any field the form does not show.
    const column = m[2] === undefined ? 0 : at < 0 ? perRow - 1 : at + 1;
    return now * perRow + column;
  };
  /** Where a field's control is now: `tasks[1].dueAt` is the row sent second, wherever it is today. */
  const controlId = (field: string): string | undefined => {
    const m = /^tasks\[(\d+)\]\.(\w+)/.exec(field);
    if (!m) return id(field);
    const now = rows.findIndex((r) => r.uid === sent[Number(m[1])]?.uid);
    return now < 0 ? undefined : id(`tasks[${now}].${m[2]}`);
  };
  // What the editor opened with: anything else is the manager's work, not yet sent.
  const [opened] = useState(() => JSON.stringify([rows, prepayment, rounds]));
  useUnsavedWork(JSON.stringify([rows, prepayment, rounds]) !== opened);

  const update = (uid: number, change: Partial<Row>) => {
    const row = rows.find((r) => r.uid === uid);
    // A title makes the key of a row whose key was not typed: a refusal of that key goes with it.
    const fields = [...Object.keys(change).filter((k) => k !== 'keyEdited'), ...(change.title !== undefined && !row?.keyEdited ? ['key'] : [])];
    markEdited(...fields.map((f) => `${uid}.${f}`));
    setRows(
      rows.map((r) => {
        if (r.uid !== uid) return r;
        const next = { ...r, ...change };
        if (change.title !== undefined && !r.keyEdited) next.key = slug(change.title);
        return next;
      }),
    );
  };
  /**
   * Where the keyboard goes once a task is added or removed: the new task's title; after a removal,
   * the title of the task now in its place, else "Add a task" (the removed task's button went with it).
   */
  const [focusNext, setFocusNext] = useState<string>();
  useEffect(() => {
    if (!focusNext) return;
    setFocusNext(undefined);
    document.getElementById(focusNext)?.focus();
  }, [focusNext]);
  const remove = (uid: number) => {
    const at = rows.findIndex((r) => r.uid === uid);
    setFocusNext(at < rows.length - 1 ? id(`tasks[${at}].title`) : ADD_TASK_ID);
    // What depended on the removed task depends on less now: its dependencies are edited too.
    markEdited('tasks', ...rows.filter((r) => r.dependsOn.includes(uid)).map((r) => `${r.uid}.dependsOn`));
    setRows(rows.filter((r) => r.uid !== uid).map((r) => ({ ...r, dependsOn: r.dependsOn.filter((u) => u !== uid) })));
  };
  const add = () => {
    markEdited('tasks');
    setFocusNext(id(`tasks[${rows.length}].title`));
    setRows([
      ...rows,
      {
        uid: nextUid++,
        key: '',
        keyEdited: false,
        department: project.departments[0] ?? 'design',
        title: '',
        description: '',
        estimateHours: '',
        dueAt: toLocalInput(project.desiredDeadline),
        price: '',
        dependsOn: [],
      },
    ]);
  };

  // Prices that cannot be read, and negative ones (refused at their fields), count as nothing in the
  // running total, and the total says so.
  const totalMinor = rows.reduce((sum, r) => (negativePrice(r.price, currency) ? sum : sum + minor(readAmount(r.price, currency))), 0);
  const unreadable = rows.filter((r) => r.price.trim() !== '' && Number.isNaN(readAmount(r.price, currency))).length;
  const negative = rows.filter((r) => negativePrice(r.price, currency)).length;
  const leftOut = [
    unreadable > 0 && (unreadable === 1 ? 'a price that cannot be read' : `${unreadable} prices that cannot be read`),
    negative > 0 && (negative === 1 ? 'a negative price' : `${negative} negative prices`),
  ].filter(Boolean);
  const pct = readPercent(prepayment);
  // A share of the total: more than all of it (or less than none) is refused at the field as it is
  // typed, in the API's words, rather than worked out into an amount that cannot be.
  const pctOutOfRange = Number.isFinite(pct) && (pct < 0 || pct > 100) ? 'must be between 0 and 100' : undefined;
  const prepaymentMinor = Number.isFinite(pct) && !pctOutOfRange ? Math.round((totalMinor * pct) / 100) : 0;
  const budgetMinor = minor(project.budget.amount);
  // The client's date: a warning, not a refusal (leadership may approve a plan that ends later).
  const clientDate = project.desiredDeadline;
  const dueIso = (r: Row) => (r.dueAt ? fromLocalInput(r.dueAt) : '');
  const { lastDueAt, lateByMs } = againstClientDate(rows.map(dueIso), clientDate);
  const editable = project.stage === 'planning' || project.stage === 'intake';

  return (
    <>
      <PageHeader title={`Plan for ${project.title}`} actions={<Link href={`/projects/${project.projectId}`}>Back to the project</Link>}>
        <p class="meta-row">
          <StageBadge stage={project.stage} /> {project.client.name} · budget {formatMoney(project.budget.amount, currency)}
          {latest && ` · revising version ${latest.version}`}
        </p>
      </PageHeader>

      {project.lastRejectionComment && (
        <div class="callout callout--warn" role="note">
          <strong>Leadership sent version {latest?.version} back:</strong> {project.lastRejectionComment}
        </div>
      )}
      {!editable && (
        <div class="callout" role="note">
          The plan can be changed while the project is in planning. <Link href={`/projects/${project.projectId}`}>Back to the project</Link>.
        </div>
      )}

      <form
        class="plan-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit.act();
        }}
        noValidate
      >
        <ProblemBox
          error={shown}
          fieldIds={(f) => controlId(f.replace(/\.dependsOn\[\d+\]$/, '.dependsOn'))}
          fieldLabel={(f) => {
            const m = /^tasks\[(\d+)\]\.(\w+)/.exec(f);
            if (!m) return FIELD_LABEL[f];
            const now = rows.findIndex((r) => r.uid === sent[Number(m[1])]?.uid);
            const row = rows[now];
            // The title cut short: the list names the task once a refusal, and a title may run to 200 characters.
            return `Task ${(now < 0 ? Number(m[1]) : now) + 1}${row?.title ? ` (${shorten(row.title)})` : ''}: ${FIELD_LABEL[m[2]] ?? m[2]}`;
          }}
          fieldOrder={placeInForm}
          settled={(field, message) => settled(field, sentMessage(field, message))}
          title="The plan was not accepted"
        />

        {rows.map((r, i) => {
          const f = (name: string) => `tasks[${i}].${name}`;
          return (
            <fieldset key={r.uid} class="card plan-task">
              {/* The title cut short: the field below holds it whole, and a title may run to 200 characters. */}
              <legend>
                Task {i + 1}
                {r.title ? `: ${shorten(r.title)}` : ''}
              </legend>
              <div class="form-row">
                <Input id={id(f('title'))} label="Title" value={r.title} onValue={(v) => update(r.uid, { title: v })} error={err('title', r)} required />
                <Input
                  id={id(f('key'))}
                  label="Key"
                  hint="Short id; other tasks depend on it."
                  value={r.key}
                  placeholder={keyOf(r)}
                  onValue={(v) => update(r.uid, { key: v, keyEdited: true })}
                  error={err('key', r)}
                />
                <Select
                  id={id(f('department'))}
                  label="Department"
                  value={r.department}
                  onValue={(v) => update(r.uid, { department: v })}
                  options={[...project.departments, ...(['design', 'copywriting', 'seo', 'ads', 'analytics'] as const).filter((d) => !project.departments.includes(d))].map((d) => ({
                    value: d,
                    label: DEPARTMENT_LABEL[d],
                  }))}
                  error={err('department', r)}
                />
              </div>
              <div class="form-row">
                <Input
                  id={id(f('estimateHours'))}
                  label="Estimate (hours)"
                  inputMode="decimal"
                  value={r.estimateHours}
                  onValue={(v) => update(r.uid, { estimateHours: v })}
                  error={negativeHours(r.estimateHours) ?? err('estimateHours', r)}
                />
                <Input
                  id={id(f('dueAt'))}
                  label="Due"
                  type="datetime-local"
                  value={r.dueAt}
                  onValue={(v) => update(r.uid, { dueAt: v })}
                  error={err('dueAt', r)}
                  hint={dueIso(r) && dueAfterClientDate(dueIso(r), clientDate) ? <strong class="over">After the client’s date ({formatDate(clientDate)})</strong> : undefined}
                />
                <Input
                  id={id(f('price'))}
                  label={`Price (${currency})`}
                  inputMode="decimal"
                  value={r.price}
                  onValue={(v) => update(r.uid, { price: v })}
                  error={negativePrice(r.price, currency) ?? err('price', r)}
                />
              </div>
              <Choices
                id={id(f('dependsOn'))}
                legend="Depends on"
                type="checkbox"
                selected={r.dependsOn.map(String)}
                onChange={(sel) => update(r.uid, { dependsOn: sel.map(Number) })}
                options={rows.filter((o) => o.uid !== r.uid).map((o) => ({ value: String(o.uid), label: dependencyLabel(o.title || keyOf(o)) }))}
                error={err('dependsOn', r)}
                hint="This task opens when these are accepted."
              />
              <TextArea id={id(f('description'))} label="Description" value={r.description} onValue={(v) => update(r.uid, { description: v })} error={err('description', r)} rows={2} />
              {rows.length > 1 && (
                <button type="button" class="button button--quiet" onClick={() => remove(r.uid)}>
                  Remove task {i + 1}
                </button>
              )}
            </fieldset>
          );
        })}
        {/* A refusal of the list itself (no row named): until a task is added or removed. */}
        {err('tasks') && !sent.some((_, i) => submit.error?.at(`tasks[${i}]`)) && <p class="field-error">{err('tasks')}</p>}

        <div class="form-actions">
          <button type="button" id={ADD_TASK_ID} class="button button--secondary" onClick={add}>
            Add a task
          </button>
        </div>

        <div class="card plan-summary">
          <div class="form-row">
            <Input
              id={id('prepaymentPercent')}
              label="Prepayment (%)"
              inputMode="decimal"
              value={prepayment}
              onValue={(v) => {
                markEdited('prepaymentPercent');
                setPrepayment(v);
              }}
              error={err('prepaymentPercent') ?? pctOutOfRange}
            />
            <Input
              id={id('includedRevisionRounds')}
              label="Revision rounds included"
              type="number"
              min="0"
              step="1"
              value={rounds}
              onValue={(v) => {
                markEdited('includedRevisionRounds');
                setRounds(v);
              }}
              error={err('includedRevisionRounds')}
            />
          </div>
          {/* Each name with its figure in a group of its own: on a phone they wrap together. */}
          <dl class="totals" aria-live="polite">
            <div>
              <dt>Total</dt>
              <dd id="plan-total">
                {formatMoney(totalMinor / scale, currency)}
                {leftOut.length > 0 && <span class="muted"> without {leftOut.join(' and ')}</span>}
              </dd>
            </div>
            <div>
              <dt>Prepayment</dt>
              <dd id="plan-prepayment">{pctOutOfRange ? <span class="muted">not worked out: the percentage is refused</span> : formatMoney(prepaymentMinor / scale, currency)}</dd>
            </div>
            <div>
              <dt>Budget</dt>
              <dd>
                {formatMoney(budgetMinor / scale, currency)}{' '}
                {totalMinor > budgetMinor ? (
                  <strong class="over">over by {formatMoney((totalMinor - budgetMinor) / scale, currency)}</strong>
                ) : (
                  <span class="muted">{formatMoney((budgetMinor - totalMinor) / scale, currency)} left</span>
                )}
              </dd>
            </div>
          </dl>
          <p id="plan-last-due" aria-live="polite">
            Last task due {lastDueAt ? formatDateTime(lastDueAt) : '—'}
            {lateByMs > 0 ? (
              <>
                : <strong class="over">{lateInWords(lateByMs)} after the client’s date ({formatDate(clientDate)})</strong>
              </>
            ) : (
              <span class="muted"> · the client wants it by {formatDate(clientDate)}</span>
            )}
          </p>
          {/* What the client asked for: a warning as the departments are picked, not a refusal. */}
          <div aria-live="polite">
            <PlanCoverage id="plan-coverage" requested={project.departments} planned={rows.map((r) => r.department)} />
          </div>
          <button type="submit" class="button" disabled={submit.pending || !editable}>
            {submit.pending ? 'Submitting…' : 'Submit for approval'}
          </button>
        </div>
      </form>
    </>
  );
}
