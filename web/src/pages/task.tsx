/**
 * One task, for whoever may see it: the staff of its department take it, deliver it (summary and
 * links) and read the manager's review; the project's manager reviews it, reassigns it and moves
 * its due date; leadership looks. The history and every due-date change are shown, and a due date
 * after the date the client wants the project by is marked.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, ok, type Department, type Schemas, type Task } from '../api';
import { refusedForGood, useAction, useName, useRequestKey, useResource, useSession, type Resource } from '../data';
import { DEPARTMENT_LABEL, dueAfterClientDate, firstDelivery, formatDate, formatDateTime, formatMoney, fromLocalInput, lateInWords, linkRefusals, takenFirst, takenFirstInWords, toLocalInput } from '../format';
import { useHeldBySomeoneGone } from '../holder-gone';
import { useGoneInWords } from '../role-now';
import { ReviewForm } from '../review-form';
import { Link, useUnsavedWork } from '../router';
import { Badge, Due, flash, Input, LinkList, Loading, PageHeader, ProblemBox, Section, Select, TaskStatusBadge, TextArea, Timeline } from '../ui';

export function TaskPage({ params }: { params: Record<string, string> }) {
  const taskId = params.taskId;
  const task = useResource(() => ok(api.GET('/api/tasks/{taskId}', { params: { path: { taskId } } })), [taskId], 4_000);
  const { me } = useSession();

  // Staff are refused a task only when it is another department's (a link shared with them): said
  // in their words, with the way back to their own work, not a bare refusal on a page called "Task".
  if (task.error?.status === 403 && me.person.role === 'staff') return <OtherDepartmentsTask refusal={task.error} ownDepartment={me.person.department} />;
  // Refused now (its project handed to another manager since it was opened, or gone): the refusal, not a stale page.
  if (!task.data || refusedForGood(task.error)) {
    return (
      <>
        <PageHeader title="Task" />
        {task.error ? <ProblemBox error={task.error} /> : <Loading what="Loading the task" />}
      </>
    );
  }
  return <TaskView task={task.data} onChange={task.set} />;
}

/**
 * The department the API's refusal names (its problem's `department` member, never its words), as
 * people name it; undefined when it names none the portal knows.
 */
function departmentRefusedBy(refusal: ApiError): string | undefined {
  const named = refusal.problem.department;
  return named !== undefined && Object.hasOwn(DEPARTMENT_LABEL, named) ? DEPARTMENT_LABEL[named] : undefined;
}

/** A staff member opened another department's task: whose it is, and a way to their own inbox. */
function OtherDepartmentsTask({ refusal, ownDepartment }: { refusal: ApiError; ownDepartment?: Department }) {
  const theirs = departmentRefusedBy(refusal);
  const own = ownDepartment && DEPARTMENT_LABEL[ownDepartment];
  return (
    <>
      <PageHeader title="Another department’s task" />
      <div class="callout other-department" role="note">
        <p>
          This task belongs to {theirs ? `the ${theirs} department` : 'another department'}
          {own ? `, and you work in ${own}` : ''}: only its own department’s people open it.
        </p>
        <p>
          <Link href="/inbox">{own ? `Go to the ${own} inbox` : 'Go to your inbox'}</Link>
        </p>
      </div>
    </>
  );
}

/**
 * Accepted work that first came after its due date: late, and by how much, as the KPIs count it
 * (the first delivery against the date the task was planned with), so the page never calls on time
 * what the delivery figures call late. Nothing when it came on time.
 */
function DeliveredLate({ task }: { task: Task }) {
  const { plannedDueAt, lateByMs } = firstDelivery(task);
  if (lateByMs === undefined) return null;
  const moved = plannedDueAt !== task.dueAt;
  return (
    <span class="delivered-late">
      <Badge tone="warn">Delivered late</Badge> {lateInWords(lateByMs)} after {moved ? <>its first due date, {formatDateTime(plannedDueAt)}</> : 'its due date'}
    </span>
  );
}

function TaskView({ task, onChange }: { task: Task; onChange: (t: Task) => void }) {
  const { me } = useSession();
  const name = useName();
  const heldBySomeoneGone = useHeldBySomeoneGone();
  const role = me.person.role;
  const managing = role === 'manager' && task.managerId === me.person.id;
  // Leadership reassigns too (who is overloaded, whose work waits for someone gone), across every
  // project; reviewing and moving dates stay the project's manager's.
  const reassigning = managing || role === 'leadership';
  const done = task.status === 'accepted' || task.status === 'cancelled';
  const lastReview = task.reviews[task.reviews.length - 1];
  // Sent back, in someone's hands again or given back to the department: the comment is what to do.
  const sentBack = (task.status === 'claimed' || task.status === 'open') && lastReview?.decision === 'changes_requested';
  // The client's request and the work this builds on; and the date the client wants the project by.
  // Accepted work does not change: read again only when this task moves on.
  // (Polled slowly too: a task that just started may have no context for a moment.)
  const context = useResource(() => ok(api.GET('/api/tasks/{taskId}/context', { params: { path: { taskId: task.taskId } } })), [task.taskId, task.status], 15_000);
  // A fix for a complaint after completion answers the complaint: the client's date, long past,
  // says nothing about it (no "late for the client" on it).
  const fixFor = context.data?.complaint;
  const clientDate = fixFor ? undefined : context.data?.desiredDeadline;
  // Due after the client's date: late for the client even if done on time (the plan editor and the
  // project page mark such tasks too). Nothing to mark once the work is accepted or cancelled.
  const lateForClient = !done && clientDate !== undefined && task.dueAt !== undefined && dueAfterClientDate(task.dueAt, clientDate);

  return (
    <>
      <PageHeader title={task.title}>
        <p>
          {role === 'staff' ? task.projectTitle : <Link href={`/projects/${task.projectId}`}>{task.projectTitle}</Link>} · {task.clientName} ·{' '}
          {DEPARTMENT_LABEL[task.department]}
        </p>
        <p class="meta-row">
          <TaskStatusBadge status={task.status} />
          {/* As the inbox says it: in hand again "Sent back", given back to the department "Rework". */}
          {sentBack && <Badge tone="warn">{task.status === 'open' ? 'Rework' : 'Sent back'} · round {task.reviewRounds}</Badge>}
          {task.revisionRound && <Badge tone="info">Client revision {task.revisionRound}</Badge>}
          {fixFor && <Badge tone="info">Fix for a complaint</Badge>}
          <Due dueAt={task.dueAt} overdue={task.overdue} done={done} deliveredAt={task.status === 'submitted' ? task.submittedAt : undefined} />
          {task.status === 'accepted' && <DeliveredLate task={task} />}
          {lateForClient && <Badge tone="warn">Due after the client’s date ({formatDate(clientDate)})</Badge>}
          {/* A cancelled task's people as facts of the past: nobody works on it or reviews it any more. */}
          <span>
            {task.assigneeId
              ? `${task.status === 'cancelled' ? 'Was with' : 'Assignee:'} ${task.assigneeId === me.person.id ? 'you' : name(task.assigneeId)}`
              : task.status === 'cancelled'
                ? 'Nobody had taken it'
                : 'Not taken yet'}
          </span>
          {/* Staff learn whose review the work goes to (the project's manager, the new one after a handover). */}
          <span>
            {task.status === 'cancelled' ? 'Project manager:' : 'Reviewed by'} {task.managerId === me.person.id ? 'you' : name(task.managerId)}
          </span>
        </p>
      </PageHeader>

      {task.status === 'cancelled' && <CancelledNote task={task} />}
      {heldBySomeoneGone(task) && <HolderGoneNote task={task} reassigning={reassigning} />}

      {sentBack && lastReview && (
        <div class="callout callout--warn" role="note">
          <strong>{name(lastReview.by)} sent this back:</strong> {lastReview.comment}
        </div>
      )}

      {role === 'staff' && <StaffActions task={task} onChange={onChange} />}
      {managing && <ManagerActions task={task} onChange={onChange} clientDate={clientDate} />}
      {!managing && reassigning && reassignable(task) && (
        <div class="grid-2">
          <ReassignSection task={task} onChange={onChange} />
        </div>
      )}

      <div class="grid-2">
        <Section title="The work" id="work">
          <p class="prewrap">{task.description || <span class="muted">No description.</span>}</p>
          <dl class="facts">
            <dt>Estimate</dt>
            <dd>{task.estimateHours} h</dd>
            {/* Staff's answers carry no price (the API leaves it out for them). */}
            {task.price !== undefined && (
              <>
                <dt>Price</dt>
                <dd>{formatMoney(task.price)}</dd>
              </>
            )}
            <dt>Depends on</dt>
            <dd>
              {task.dependsOn.length === 0
                ? 'nothing'
                : task.dependsOn.map((key, i) => {
                    const dependency = task.dependencies?.find((d) => d.key === key);
                    // Staff read only their own department's tasks: another's is named, not linked.
                    const readable = role !== 'staff' || !dependency || dependency.department === me.person.department;
                    const label = dependency ? `${dependency.title} (${DEPARTMENT_LABEL[dependency.department]})` : key;
                    return (
                      <>
                        {i > 0 && ', '}
                        {readable ? <Link href={`/tasks/${task.projectId}.${key}`}>{label}</Link> : label}
                      </>
                    );
                  })}
            </dd>
            {/* Whose work this one holds up (a late delivery makes theirs late too), from the project's plan. */}
            {(context.data?.waitingOnIt.length ?? 0) > 0 && (
              <>
                <dt>Waited for by</dt>
                <dd>
                  {context.data!.waitingOnIt.map((t, i) => {
                    const readable = role !== 'staff' || t.department === me.person.department;
                    const label = `${t.title} (${DEPARTMENT_LABEL[t.department]})`;
                    return (
                      <>
                        {i > 0 && ', '}
                        {readable ? <Link href={`/tasks/${t.taskId}`}>{label}</Link> : label}
                      </>
                    );
                  })}
                </dd>
              </>
            )}
            <dt>Opened</dt>
            <dd>{formatDateTime(task.openedAt)}</dd>
            <dt>Review rounds</dt>
            <dd>{task.reviewRounds}</dd>
          </dl>
        </Section>

        <Section title="Reviews" id="reviews">
          {task.reviews.length === 0 ? (
            <p class="muted">No review yet.</p>
          ) : (
            <ol class="reviews">
              {task.reviews.map((r, i) => (
                <li key={r.at}>
                  <p>
                    <strong>Round {i + 1}:</strong>{' '}
                    {r.decision === 'accept' ? <Badge tone="good">Accepted</Badge> : <Badge tone="warn">Changes requested</Badge>} by {name(r.by)},{' '}
                    {formatDateTime(r.at)}
                  </p>
                  {r.comment && <blockquote>{r.comment}</blockquote>}
                </li>
              ))}
            </ol>
          )}
        </Section>
      </div>

      <BuildsOn context={context} />

      <Section title="Deliveries" id="deliveries">
        {task.deliverables.length === 0 ? (
          <p class="muted">Nothing delivered yet.</p>
        ) : (
          <ol class="deliveries">
            {task.deliverables.map((d) => (
              <li key={d.submittedAt}>
                <p>
                  <strong>{formatDateTime(d.submittedAt)}</strong> by {name(d.submittedBy)}
                </p>
                <p class="prewrap">{d.summary}</p>
                <LinkList links={d.links} />
              </li>
            ))}
          </ol>
        )}
      </Section>

      {task.dueDateChanges.length > 0 && (
        <Section title="Due date changes" id="due-changes">
          <ul>
            {task.dueDateChanges.map((c) => (
              <li key={c.at}>
                {formatDateTime(c.from)} → <strong>{formatDateTime(c.to)}</strong> by {name(c.by)}: {c.reason}
              </li>
            ))}
          </ul>
        </Section>
      )}

      <Section title="History" id="history">
        <Timeline entries={task.history} name={name} />
      </Section>
    </>
  );
}

/** The links typed in the delivery's box, one a line, as they are sent (and as a refusal numbers them). */
const linkList = (typed: string): string[] =>
  typed
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * The links' refusal at their field, without those corrected since (`standing`: a link edited,
 * `editing`/`at` of useAction), each numbered where it is typed now (`sent`: as the refusal numbers
 * them; a line added or taken out before one moves it) and in that order: the API names every bad
 * link at once, but those that are no address at all before those of another scheme, and "Link 3:
 * …; Link 1: …" would read as if the first came later. A link standing but no longer typed (typed
 * over while the refused delivery was on its way) cannot be pointed at: then all as sent.
 */
function standingLinkRefusals(error: ApiError | undefined, standing: (field: string) => boolean, sent: string[], typed: string[]): string | undefined {
  const errors = error?.problem.errors;
  if (!error || !errors) return undefined;
  const place = (field: string) => Number(/^links\[(\d+)\]/.exec(field)?.[1] ?? -1);
  const still = errors.filter((e) => standing(e.field));
  const findable = still.every((e) => place(e.field) < 0 || typed.includes(sent[place(e.field)]));
  const numbered = findable
    ? still.map((e) => (place(e.field) < 0 ? e : { ...e, field: e.field.replace(/^links\[\d+\]/, `links[${typed.indexOf(sent[place(e.field)])}]`) }))
    : still;
  return linkRefusals(new ApiError(error.status, { ...error.problem, errors: numbered.sort((a, b) => place(a.field) - place(b.field)) }), findable ? typed : sent);
}

/**
 * What took the task out of my hands while its page was open (not my own action on this page), in
 * people's words, from the task's history: "Boris Ivanov gave this task to Olga Morozova."
 */
function noLongerYours(task: Task, me: string, name: (id: string | undefined) => string): string {
  // Why, when and by whom: the note at the top of the page.
  if (task.status === 'cancelled') return 'This task was cancelled with its project.';
  const last = [...task.history].reverse().find((e) => e.event === 'reassigned' || e.event === 'released' || e.event === 'submitted');
  if (task.assigneeId && task.assigneeId !== me) {
    return last?.event === 'reassigned' && last.by ? `${name(last.by)} gave this task to ${name(task.assigneeId)}.` : `${name(task.assigneeId)} has this task now.`;
  }
  if (task.status === 'open') {
    return last?.event === 'released' && last.by === me ? 'You gave this task back to the department, in another window.' : 'This task was given back to the department.';
  }
  if (task.status === 'submitted' || task.status === 'accepted') return 'You delivered this task already, in another window.';
  return 'This task is no longer in your hands.';
}

/** A refusal of my delivery that may mean the task is not mine any more (not one about what I typed). */
const mayBeNoLongerMine = (err: unknown): err is ApiError =>
  err instanceof ApiError && [403, 404, 409, 410].includes(err.status) && !err.at('summary') && !err.at('links');

function StaffActions({ task, onChange }: { task: Task; onChange: (t: Task) => void }) {
  const { me } = useSession();
  const name = useName();
  const heldBySomeoneGone = useHeldBySomeoneGone();
  const [summary, setSummary] = useState('');
  const [links, setLinks] = useState('');
  const mine = task.status === 'claimed' && task.assigneeId === me.person.id;
  const typed = summary.trim() !== '' || links.trim() !== '';
  // Held since the page showed the delivery form; let go by my own delivery or release here, or
  // once I dismiss the note. Held while the task is not mine: taken out of my hands (reassigned,
  // cancelled with its project) while I was typing, which the page says instead of just swapping
  // the form away (as it says a claim lost to someone a moment before).
  const [held, setHeld] = useState(false);
  const lost = held && !mine;
  // What I typed is kept (and leaving the page asks first) until I dismiss it.
  useUnsavedWork((mine || lost) && typed);
  /** Where the focus goes once an action replaced the part of the page that had it. */
  const [focusNext, setFocusNext] = useState<string>();
  useEffect(() => {
    if (!focusNext) return;
    // Nothing left to act on (a cancelled task): the page's heading, as a page just opened.
    (document.getElementById(focusNext) ?? document.querySelector<HTMLElement>('h1'))?.focus();
    setFocusNext(undefined);
  }, [focusNext]);

  const path = { params: { path: { taskId: task.taskId } } };
  const claim = useAction(
    () =>
      ok(api.POST('/api/tasks/{taskId}/claim', { ...path, body: {} })).catch(async (err: unknown) => {
        if (!takenFirst(err)) throw err;
        // Someone else was quicker: show the task as it is now (theirs) at once, not at the next poll.
        const now = await ok(api.GET('/api/tasks/{taskId}', path)).catch(() => undefined);
        if (now) onChange(now);
        throw takenFirstInWords(err, task.title, now?.assigneeId ? name(now.assigneeId) : undefined);
      }),
    (t) => {
      onChange(t);
      setFocusNext('deliver-summary');
      flash('You took this task.');
    },
  );
  const release = useAction(() => ok(api.POST('/api/tasks/{taskId}/release', { ...path, body: {} })), (t) => {
    onChange(t);
    // Given back on purpose: what was typed is not kept (the question before said so).
    setHeld(false);
    setSummary('');
    setLinks('');
    setFocusNext('act-now');
    flash('You gave the task back to the department.');
  });
  // The links as last sent: a refusal names them by their place in that list.
  const [sentLinks, setSentLinks] = useState<string[]>([]);
  const deliveryKey = useRequestKey();
  const deliver = useAction(
    async () => {
      const sending = linkList(links);
      setSentLinks(sending);
      const body = { summary, links: sending };
      try {
        return await ok(api.POST('/api/tasks/{taskId}/submit', { ...path, params: { ...path.params, header: { 'Idempotency-Key': deliveryKey.keyFor(body) } }, body }));
      } catch (err) {
        if (!mayBeNoLongerMine(err)) throw err;
        // Refused because the task left my hands since the page last read it: the page turns to
        // what happened (and keeps what I typed), not a bare "Forbidden" naming someone's id.
        const now = await ok(api.GET('/api/tasks/{taskId}', path)).catch(() => undefined);
        if (now && now.status === 'claimed' && now.assigneeId === me.person.id) throw err;
        if (now) onChange(now);
        const why = now ? noLongerYours(now, me.person.id, name) : 'This task is no longer in your hands.';
        throw new ApiError(err.status, { ...err.problem, title: 'Not delivered', detail: why });
      }
    },
    (t) => {
      deliveryKey.succeeded();
      onChange(t);
      setHeld(false);
      setSummary('');
      setLinks('');
      setFocusNext('act-now');
      flash('Delivered. The manager reviews it next.');
    },
  );
  /**
   * Any edit is one of the list as a whole (its refusal, too many links, goes); a link refused is
   * corrected once it is no longer among those typed, changed or taken out: its refusal goes, and
   * the other links' stay, wherever lines added or removed before them moved them.
   */
  const editLinks = (typed: string) => {
    deliver.editing('links', setLinks)(typed);
    const now = linkList(typed);
    sentLinks.forEach((sent, i) => {
      if (!now.includes(sent)) deliver.editing(`links[${i}]`, setLinks)(typed);
    });
  };
  // A refusal said at its field (the summary's, a link's; the box above then says nothing) takes the keyboard there.
  useEffect(() => {
    const field = ['summary', 'links'].find((f) => deliver.error?.at(f));
    if (field) document.getElementById(`deliver-${field}`)?.focus();
  }, [deliver.error]);
  useEffect(() => {
    if (!mine) return;
    setHeld(true);
    // Mine again (given back to me): a refusal from when it was not no longer stands.
    deliver.clearError();
  }, [mine]);

  // Cancelled with nothing typed nor refused: the note at the top of the page says it all.
  if (lost && (typed || deliver.error || task.status !== 'cancelled')) {
    const dismiss = () => {
      setHeld(false);
      setSummary('');
      setLinks('');
      deliver.clearError();
      setFocusNext('act-now');
    };
    return (
      <Section title={deliver.error ? 'Not delivered' : 'No longer in your hands'} id="act">
        <LostWorkNote>
          {noLongerYours(task, me.person.id, name)}
          {typed ? ' What you typed was not sent; it is below, to copy.' : deliver.error ? ' Your delivery was not sent.' : ''}
        </LostWorkNote>
        {typed && (
          <div class="lost-work">
            <TextArea id="lost-summary" label="Your summary (not sent)" value={summary} onValue={() => undefined} rows={Math.min(10, Math.max(3, summary.split('\n').length + 1))} readOnly />
            {links.trim() !== '' && (
              <TextArea id="lost-links" label="Your links (not sent)" value={links} onValue={() => undefined} rows={Math.min(10, Math.max(2, links.split('\n').length))} readOnly />
            )}
          </div>
        )}
        <button type="button" class="button button--secondary" onClick={dismiss}>
          {typed ? 'Dismiss what I typed' : 'Dismiss'}
        </button>
      </Section>
    );
  }
  if (task.status === 'open') {
    return (
      <Section title="Take it" id="act">
        <ProblemBox error={claim.error} />
        <p id="act-now" tabIndex={-1}>
          This task is open for anyone in the department.
        </p>
        <button type="button" class="button" disabled={claim.pending} onClick={() => void claim.act()}>
          Claim this task
        </button>
      </Section>
    );
  }
  if (mine) {
    return (
      <Section title="Deliver the work" id="act">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void deliver.act();
          }}
          noValidate
        >
          <ProblemBox error={deliver.error} shownAtFields={['summary', 'links']} />
          <TextArea
            id="deliver-summary"
            label="Summary of the work"
            value={summary}
            onValue={deliver.editing('summary', setSummary)}
            error={deliver.at('summary')}
            rows={4}
            required
          />
          <TextArea
            id="deliver-links"
            label="Links to the work"
            hint="One address per line (files, drafts, previews)."
            value={links}
            onValue={editLinks}
            error={standingLinkRefusals(deliver.error, (field) => deliver.at(field) !== undefined, sentLinks, linkList(links))}
            // Every link in sight as the list grows (a line to spare for one that wraps on a phone; ten at most), so a refusal's "Link 4" can be found.
            rows={Math.min(10, Math.max(3, links.split('\n').length + 1))}
          />
          <div class="form-actions">
            <button type="submit" class="button" disabled={deliver.pending}>
              {deliver.pending ? 'Delivering…' : 'Deliver for review'}
            </button>
            <button type="button" class="button button--secondary" disabled={release.pending} onClick={() => {
                // Someone else may claim it next, and the delivery form's text is not kept.
                if (window.confirm(`Give this task back to the department? Anyone there may claim it next.${typed ? ' What you typed for the delivery is not kept.' : ''}`)) void release.act();
              }}>
              Give back to the department
            </button>
          </div>
          <ProblemBox error={release.error} />
        </form>
      </Section>
    );
  }
  // Held by someone who has left: the note at the top says so, and whom to ask (not "is working on this").
  if (task.status === 'claimed' && heldBySomeoneGone(task) && !takenFirst(claim.error)) return null;
  if (task.status === 'claimed') {
    // My claim lost to theirs: said, not just shown (the page would otherwise read as if I never tried).
    return takenFirst(claim.error) ? (
      <p class="callout callout--warn" role="alert">
        {name(task.assigneeId)} took this task a moment before you; it is theirs now.
      </p>
    ) : (
      <p class="callout" id="act-now" tabIndex={-1}>
        {name(task.assigneeId)} is working on this.
      </p>
    );
  }
  if (task.status === 'submitted') {
    return (
      <p class="callout" id="act-now" tabIndex={-1}>
        Delivered; waiting for the manager’s review.
      </p>
    );
  }
  if (task.status === 'waiting') return <p class="callout">Waiting for the work it depends on.</p>;
  return null;
}

/**
 * The task left my hands while I worked on it: said as an alert, and focused when the focus went
 * with the form it replaces (a person reading elsewhere on the page stays there).
 */
function LostWorkNote({ children }: { children: ComponentChildren }) {
  const note = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (!document.activeElement || document.activeElement === document.body) note.current?.focus();
  }, []);
  return (
    <p class="callout callout--warn" role="alert" id="act-now" tabIndex={-1} ref={note}>
      {children}
    </p>
  );
}

/**
 * Work in the hands of someone gone — no longer in the people directory (who left the agency), or in
 * another role now (moved to account management, say): nobody else in the department can claim it,
 * and its holder is not coming back to it. Said right under the header that names the holder; the
 * project's manager (and leadership) is led to the reassign form below, everyone else learns whom to ask.
 */
function HolderGoneNote({ task, reassigning }: { task: Task; reassigning: boolean }) {
  const name = useName();
  const { inSentence } = useGoneInWords();
  const held = `Held by ${inSentence(task.assigneeId!)}`;
  // The browser scrolls the choice into sight, its label and the form's heading with it.
  const toReassign = () => document.getElementById('reassign-assignee')?.focus();
  return (
    <div class="callout callout--warn holder-gone" role="note">
      {reassigning ? (
        <>
          <p>{held}: nobody else in {DEPARTMENT_LABEL[task.department]} can take it until you reassign it.</p>
          <button type="button" class="button button--secondary" onClick={toReassign}>
            Reassign it
          </button>
        </>
      ) : (
        <p>
          {held}: ask {name(task.managerId)}, who manages the project, to reassign it.
        </p>
      )}
    </div>
  );
}

/**
 * A cancelled task, first thing on its page: the project was cancelled (when, by whom when the
 * task's history knows, and why), so nothing more is to be done — the facts below are the past.
 */
function CancelledNote({ task }: { task: Task }) {
  const name = useName();
  const entry = [...task.history].reverse().find((e) => e.event === 'cancelled');
  const at = task.cancelledAt ?? entry?.at;
  const reason = task.cancelReason ?? entry?.detail;
  return (
    <div class="callout callout--warn" role="note">
      <p>
        <strong>
          The project was cancelled{at ? ` on ${formatDateTime(at)}` : ''}
          {entry?.by ? ` by ${name(entry.by)}` : ''}
        </strong>
        : no further work is needed on this task.
      </p>
      {reason && <p>Reason: {reason}</p>}
    </div>
  );
}

function ManagerActions({ task, onChange, clientDate }: { task: Task; onChange: (t: Task) => void; clientDate?: string }) {
  const name = useName();
  const latest = task.deliverables[task.deliverables.length - 1];
  const [dueAt, setDueAt] = useState(toLocalInput(task.dueAt));
  const [reason, setReason] = useState('');
  const path = { params: { path: { taskId: task.taskId } } };
  // The date the client wants the work by (from the task's context, as the header's mark): a due
  // date after it is said at the field, as the plan editor says it — a warning, not a refusal (a
  // move may have to go past it).
  const lateFor = (iso: string) => (clientDate && iso && dueAfterClientDate(iso, clientDate) ? clientDate : undefined);
  const typedLate = dueAt ? lateFor(fromLocalInput(dueAt)) : undefined;

  // One form's success changes the task the other form's refusal was about: that refusal no longer stands.
  const [datesMoved, setDatesMoved] = useState(0);
  const move = useAction(() => ok(api.PATCH('/api/tasks/{taskId}', { ...path, body: { dueAt: fromLocalInput(dueAt), reason } })), (t) => {
    onChange(t);
    setDatesMoved((n) => n + 1);
    setReason('');
    const late = t.dueAt ? lateFor(t.dueAt) : undefined;
    flash(late ? `Due date moved, to after the client’s date (${formatDate(late)}).` : 'Due date moved.');
  });

  return (
    <>
      {task.status === 'submitted' && (
        <Section title="Review the delivery" id="act">
          {latest && (
            <div class="delivery">
              <p>
                Delivered by {name(latest.submittedBy)}, {formatDateTime(latest.submittedAt)}
                {task.reviewRounds > 0 && ` (after ${task.reviewRounds} round${task.reviewRounds > 1 ? 's' : ''} of changes)`}:
              </p>
              <blockquote class="prewrap">{latest.summary}</blockquote>
              <LinkList links={latest.links} />
            </div>
          )}
          <ReviewForm
            task={task}
            fid="review"
            commentLabel="Comment for the assignee"
            commentHint="Required when you send the work back."
            onTaskPage
            onReviewed={(t) => {
              // The review form goes with the delivery it reviewed: the keyboard goes to the page's heading, not to its body.
              document.querySelector<HTMLElement>('main h1')?.focus();
              onChange(t);
              flash(t.status === 'accepted' ? 'Accepted.' : 'Sent back with your comment.');
            }}
          />
        </Section>
      )}
      {(reassignable(task) || task.status === 'waiting') && (
        <div class="grid-2">
          {reassignable(task) && (
            <ReassignSection
              task={task}
              onChange={(t) => {
                onChange(t);
                move.clearError();
              }}
              otherActionsDone={datesMoved}
            />
          )}
          <Section title="Move the due date" id="move-due">
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void move.act();
              }}
              noValidate
            >
              <ProblemBox error={move.error} shownAtFields={['dueAt', 'reason']} />
              <Input
                id="move-dueAt"
                label="New due date"
                type="datetime-local"
                value={dueAt}
                onValue={move.editing('dueAt', setDueAt)}
                error={move.at('dueAt')}
                hint={typedLate ? <strong class="over">After the client’s date ({formatDate(typedLate)}): late for the client</strong> : undefined}
              />
              <Input
                id="move-reason"
                label="Reason"
                value={reason}
                onValue={move.editing('reason', setReason)}
                error={move.at('reason')}
              />
              <button type="submit" class="button button--secondary" disabled={move.pending}>
                Move due date
              </button>
            </form>
          </Section>
        </div>
      )}
    </>
  );
}

/** Work that can change hands: the task's validator takes open or claimed work only (waiting work is nobody's yet, delivered work waits for its review). */
const reassignable = (task: Task): boolean => task.status === 'open' || task.status === 'claimed';

/** "Reassign": the task to another person of its department — its project's manager's, and leadership's. */
function ReassignSection({ task, onChange, otherActionsDone = 0 }: { task: Task; onChange: (t: Task) => void; otherActionsDone?: number }) {
  const [assignee, setAssignee] = useState('');
  const staff = useResource(
    () => ok(api.GET('/api/people', { params: { query: { role: 'staff', department: task.department } } })),
    [task.department],
  );
  const reassign = useAction(() => ok(api.POST('/api/tasks/{taskId}/reassign', { params: { path: { taskId: task.taskId } }, body: { assigneeId: assignee } })), (t) => {
    onChange(t);
    flash('Reassigned.');
  });
  // Another action on the task (its due date moved) changed what a refusal here was about: it no longer stands.
  useEffect(() => {
    if (otherActionsDone > 0) reassign.clearError();
  }, [otherActionsDone]);
  return (
    <Section title="Reassign" id="reassign">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void reassign.act();
        }}
        noValidate
      >
        <ProblemBox error={reassign.error} shownAtFields={['assigneeId']} />
        <Select
          id="reassign-assignee"
          label={`Give it to (${DEPARTMENT_LABEL[task.department]})`}
          value={assignee}
          onValue={reassign.editing('assigneeId', setAssignee)}
          placeholder="Choose a person"
          options={(staff.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
          error={reassign.at('assigneeId')}
        />
        <button type="submit" class="button button--secondary" disabled={reassign.pending || !assignee}>
          Reassign
        </button>
      </form>
    </Section>
  );
}

/**
 * What the work starts from: the client's request, and the accepted delivery of each task it
 * waits for (or, for a revision, of the work it reworks) — staff may not open another
 * department's task, but they need what it delivered.
 */
function BuildsOn({ context }: { context: Resource<Schemas['TaskContext']> }) {
  const name = useName();
  if (!context.data) return context.error ? <ProblemBox error={context.error} title="Could not load what this task builds on" /> : null;
  const c = context.data;
  return (
    <Section title="What it builds on" id="builds-on">
      {c.complaint && (
        <>
          <h3>The client’s complaint</h3>
          <p class="muted">
            {c.clientName} complained on {formatDate(c.complaint.at)}, after the project was completed: this task puts it right, free of charge.
          </p>
          <blockquote class="prewrap">{c.complaint.description}</blockquote>
        </>
      )}
      <h3>The client’s request</h3>
      <p class="prewrap">{c.brief}</p>
      {!c.complaint && (
        <p class="muted">
          {/* A day, as the client gave it (the form sends it as the end of the manager's working day). */}
          {c.clientName} wants the project by {formatDate(c.desiredDeadline)}.
        </p>
      )}
      {c.buildsOn.length > 0 && (
        <ul class="builds-on">
          {c.buildsOn.map((b) => (
            <li key={b.taskId}>
              <h3>
                {b.why === 'revised' ? 'Reworks' : b.status === 'accepted' ? 'Builds on' : 'Waits for'} “{b.title}” <span class="muted">({DEPARTMENT_LABEL[b.department]})</span>
              </h3>
              {b.accepted ? (
                <>
                  <p class="muted">
                    Accepted{b.accepted.acceptedAt ? ` ${formatDateTime(b.accepted.acceptedAt)}` : ''}; delivered by {name(b.accepted.submittedBy)}:
                  </p>
                  <blockquote class="prewrap">{b.accepted.summary}</blockquote>
                  <LinkList links={b.accepted.links} />
                </>
              ) : (
                <p>
                  <TaskStatusBadge status={b.status} /> <span class="muted">not accepted yet: its delivery shows here once it is.</span>
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
