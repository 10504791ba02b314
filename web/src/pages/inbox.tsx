/**
 * A department's inbox for its staff: open work anyone may take, what I hold, what was delivered
 * and waits for the manager, what came back to me with changes, and what is coming up (planned
 * work waiting for another task to be accepted, with which, and the work of projects waiting for
 * the client's prepayment: no task yet, so nothing to open or claim), and — apart from the work
 * to do — what I delivered and the manager accepted, for looking back. Overdue and due-soon work
 * is marked in words. Claiming here moves the task to "Mine" at once; for everyone else it leaves
 * "Open" with their next refresh (every few seconds).
 */
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { allPages, api, ok, type Schemas, type Task, type TaskListItem } from '../api';
import { useAction, useName, useResource, useSession } from '../data';
import { DEPARTMENT_LABEL, formatDateTime, listInWords, relative, roundsOfChanges, takenFirst, takenFirstInWordsOfProject, taskOfProject } from '../format';
import { Link } from '../router';
import { Badge, Due, flash, Loading, PageHeader, ProblemBox, TaskStatusBadge } from '../ui';

type View = 'open' | 'mine' | 'submitted' | 'sent-back' | 'coming-up' | 'accepted';
/** The tabs of work still to do or waiting; Accepted is the record of work done, never where the inbox opens. */
type WorkView = Exclude<View, 'accepted'>;
const VIEWS: { view: View; label: string }[] = [
  { view: 'open', label: 'Open' },
  { view: 'mine', label: 'Mine' },
  { view: 'submitted', label: 'Delivered' },
  { view: 'sent-back', label: 'Sent back' },
  { view: 'coming-up', label: 'Coming up' },
  { view: 'accepted', label: 'Accepted' },
];

/** The work tabs in the tabs' order (Accepted left out: never where the inbox opens). */
const WORK_VIEWS = VIEWS.map((v) => v.view).filter((view): view is WorkView => view !== 'accepted');

const listTasks = (query: { status?: TaskListItem['status']; assignee?: string }) =>
  allPages(
    (pageToken) => ok(api.GET('/api/tasks', { params: { query: { ...query, pageSize: 100, ...(pageToken && { pageToken }) } } })),
    300,
  );

type PlannedTask = Schemas['PlannedTaskItem'];

/** How long an action's result outranks the (slightly stale) lists. */
const FRESH_MS = 8_000;

export function Inbox({ query }: { query: URLSearchParams }) {
  const { me } = useSession();
  const name = useName();
  const asked = VIEWS.find((v) => v.view === query.get('view'))?.view;
  // Without a view in the address: decided once, from the first lists (see `firstView`), so a
  // refresh never moves the person to another tab under their eyes.
  const chosen = useRef<View | undefined>(undefined);
  const recent = useRef(new Map<string, { task: Task; at: number }>());

  const inbox = useResource(
    async () => {
      const [open, mine, submitted, waiting, planned] = await Promise.all([
        listTasks({ status: 'open' }),
        listTasks({ assignee: 'me', status: 'claimed' }),
        listTasks({ status: 'submitted' }),
        listTasks({ status: 'waiting' }),
        ok(api.GET('/api/tasks/planned')),
      ]);
      return { tasks: [...open, ...mine, ...submitted, ...waiting], planned: planned.items };
    },
    [],
    3_000,
  );

  // The claimed row leaves the list, and the focus on its button with it: where the focus goes next
  // (the row that took its place), once the row is gone.
  const list = useRef<HTMLUListElement>(null);
  const emptyNote = useRef<HTMLParagraphElement>(null);
  const claimedAt = useRef(0);
  const [refocus, setRefocus] = useState<{ taskId: string; index: number }>();

  const claim = useAction(
    (taskId: string, title: string, projectTitle: string | undefined) =>
      ok(api.POST('/api/tasks/{taskId}/claim', { params: { path: { taskId } }, body: {} })).catch(async (err: unknown) => {
        // Someone else took it first (or it changed): it leaves Open, and the refusal says who has it.
        void inbox.reload();
        if (!takenFirst(err)) throw err;
        const now = await ok(api.GET('/api/tasks/{taskId}', { params: { path: { taskId } } })).catch(() => undefined);
        throw takenFirstInWordsOfProject(err, title, projectTitle, now?.assigneeId ? name(now.assigneeId) : undefined);
      }),
    (task) => {
      recent.current.set(task.taskId, { task, at: Date.now() });
      setRefocus({ taskId: task.taskId, index: claimedAt.current });
      flash(`You took ${taskOfProject(task.title, task.projectTitle)}. It is in Mine now.`);
      void inbox.reload();
    },
  );

  useEffect(() => {
    if (!refocus) return;
    const rows = list.current?.isConnected ? list.current : undefined;
    if (rows?.querySelector(`a[href="/tasks/${CSS.escape(refocus.taskId)}"]`)) return; // still listed: until the next refresh
    setRefocus(undefined);
    // Only if the focus went with the row: a person who moved on meanwhile stays where they are.
    if (document.activeElement && document.activeElement !== document.body) return;
    const titles = rows ? [...rows.querySelectorAll<HTMLElement>('a.task-title')] : [];
    // Nothing left in the tab: its note says so.
    (titles[Math.min(refocus.index, titles.length - 1)] ?? emptyNote.current)?.focus();
  });

  if (!inbox.data) {
    return (
      <>
        <PageHeader title={`${me.person.department ? DEPARTMENT_LABEL[me.person.department] : ''} inbox`} />
        {inbox.error ? <ProblemBox error={inbox.error} /> : <Loading what="Loading your department’s tasks" />}
      </>
    );
  }

  // One entry per task: the lists, overridden by what my own recent actions returned.
  const byId = new Map<string, TaskListItem>();
  for (const t of inbox.data.tasks) byId.set(t.taskId, t);
  for (const [id, { task, at }] of recent.current) {
    if (Date.now() - at > FRESH_MS) {
      recent.current.delete(id);
      continue;
    }
    const before = byId.get(id);
    byId.set(id, { ...(before ?? { href: `/api/tasks/${id}`, executionStatus: 'RUNNING' }), ...task, overdue: task.overdue });
  }
  const all = [...byId.values()].sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''));
  const mineNow = (t: TaskListItem) => t.status === 'claimed' && t.assigneeId === me.person.id;
  const tabs: Record<WorkView, TaskListItem[]> = {
    open: all.filter((t) => t.status === 'open'),
    mine: all.filter(mineNow),
    submitted: all.filter((t) => t.status === 'submitted'),
    'sent-back': all.filter((t) => mineNow(t) && t.reviewRounds > 0),
    'coming-up': all.filter((t) => t.status === 'waiting'),
  };
  // Tasks of projects waiting for the prepayment; the started task itself once it is listed.
  const planned = inbox.data.planned.filter((p) => !byId.has(p.taskId));
  const counts = (v: WorkView) => tabs[v].length + (v === 'coming-up' ? planned.length : 0);
  const overdueIn = { open: tabs.open.filter((t) => t.overdue).length, mine: tabs.mine.filter((t) => t.overdue).length };
  chosen.current ??= firstView(tabs.open.length, tabs.mine.length, overdueIn.mine, counts);
  const view = asked ?? chosen.current;
  const shown = view === 'accepted' ? [] : tabs[view];
  const shownPlanned = view === 'coming-up' ? planned : [];

  return (
    <>
      <PageHeader title={`${me.person.department ? DEPARTMENT_LABEL[me.person.department] : ''} inbox`}>
        <p>
          {tabs.open.length} open · {tabs.mine.length} in your hands
          {/* Each a link to the tab where that work is; where it is said only when it is in both. */}
          {(['mine', 'open'] as const).map(
            (where) =>
              overdueIn[where] > 0 && (
                <Fragment key={where}>
                  {' '}
                  ·{' '}
                  <Link href={`/inbox?view=${where}`} class="badge badge--bad badge-link">
                    {overdueIn[where]} overdue{overdueIn.open > 0 && overdueIn.mine > 0 ? (where === 'mine' ? ' in Mine' : ' in Open') : ''}
                  </Link>
                </Fragment>
              ),
          )}
        </p>
      </PageHeader>
      <nav class="tabs" aria-label="Inbox views">
        {VIEWS.map((v) => (
          <Link key={v.view} href={`/inbox?view=${v.view}`} aria-current={v.view === view ? 'page' : undefined}>
            {/* A count says how much work waits; Accepted only grows and waits on nobody, so it has none. */}
            {v.label}
            {v.view !== 'accepted' && (
              <>
                {' '}
                <span class="count">{counts(v.view)}</span>
              </>
            )}
          </Link>
        ))}
      </nav>
      <ProblemBox error={claim.error} />
      {inbox.error && <ProblemBox error={inbox.error} title="Could not refresh the inbox" />}
      {view === 'accepted' ? (
        <AcceptedWork />
      ) : shown.length + shownPlanned.length === 0 ? (
        <p class="empty" tabIndex={-1} ref={emptyNote}>
          {EMPTY[view]}
        </p>
      ) : (
        <ul class="task-list" aria-label={`${VIEWS.find((v) => v.view === view)!.label} tasks`} ref={list}>
          {shown.map((t, index) => (
            <li key={t.taskId} class={`task-item${t.overdue ? ' task-item--overdue' : ''}`}>
              <div class="task-item-main">
                <Link href={`/tasks/${t.taskId}`} class="task-title">
                  {t.title ?? t.taskId}
                </Link>
                {/* The project and whose it is, as the Accepted tab says them: staff work for clients, not project ids. */}
                <span class="muted">{[t.projectTitle, t.clientName].filter(Boolean).join(' · ')}</span>
                {t.status === 'waiting' && t.waitingFor && t.waitingFor.length > 0 && (
                  <span class="muted">Starts once {listInWords(t.waitingFor.map((w) => `“${w}”`))} {t.waitingFor.length === 1 ? 'is' : 'are'} accepted</span>
                )}
              </div>
              <div class="task-item-meta">
                <TaskStatusBadge status={t.status} />
                {t.reviewRounds > 0 && t.status === 'claimed' && <Badge tone="warn">Sent back · round {t.reviewRounds}</Badge>}
                {/* Sent back, then given back to the department: whoever claims it next reworks it. */}
                {t.reviewRounds > 0 && t.status === 'open' && <Badge tone="warn">Rework · round {t.reviewRounds}</Badge>}
                {/* Delivered work waits for its review: nothing the assignee can be late with any more. */}
                <Due dueAt={t.dueAt} overdue={t.overdue} done={t.status === 'submitted'} />
                {t.assigneeId && t.status !== 'open' && <span class="muted">{t.assigneeId === me.person.id ? 'you' : name(t.assigneeId)}</span>}
              </div>
              {t.status === 'open' && (
                <button
                  type="button"
                  class="button"
                  disabled={claim.pending}
                  onClick={() => {
                    claimedAt.current = index;
                    void claim.act(t.taskId, t.title ?? t.taskId, t.projectTitle);
                  }}
                  // Tasks of several projects share a title ("Key visual" ×4): each button says whose.
                  aria-label={`Claim ${t.title ?? t.taskId}${t.projectTitle ? ` — ${t.projectTitle}` : ''}`}
                >
                  Claim
                </button>
              )}
            </li>
          ))}
          {/* Then the work of projects waiting for the client's prepayment: it waits for that first. */}
          {shownPlanned.map((p) => (
            <PlannedItem key={p.taskId} task={p} />
          ))}
        </ul>
      )}
    </>
  );
}

/**
 * The tab the inbox opens on when the address names none: Open, unless the person's own work is
 * where they are needed — something of theirs is overdue, or there is nothing open to take. With
 * nothing open and nothing in their hands, the first tab (in the tabs' order) that has something:
 * work delivered and waiting for review, or coming up — not an empty Open above a tab that has it.
 * Every tab empty: Open, whose note says where work comes from.
 */
function firstView(open: number, mine: number, mineOverdue: number, count: (view: WorkView) => number): WorkView {
  if (mineOverdue > 0 || (open === 0 && mine > 0)) return 'mine';
  if (open > 0) return 'open';
  return WORK_VIEWS.find((view) => count(view) > 0) ?? 'open';
}

const EMPTY: Record<WorkView, string> = {
  // Also what a new agency's staff read first: where their work will come from.
  open: 'No open work in your department right now. A project’s tasks for your department come here once leadership approves its plan (under Coming up while they wait for other work or the client’s prepayment).',
  mine: 'Nothing in your hands. Claim a task from Open.',
  submitted: 'Nothing delivered is waiting for review.',
  'sent-back': 'Nothing was sent back to you.',
  'coming-up': 'No planned work is waiting on other tasks or on a client’s prepayment.',
};

/** The Accepted tab shows this many at first (the latest accepted), and as many more at each "Show older". */
const ACCEPTED_PAGE = 100;

/** Accepted tasks as the list gives them, newest accepted first; `nextPageToken`: there is older work after them. */
interface AcceptedRows {
  rows: TaskListItem[];
  nextPageToken?: string;
}

/** A page of my accepted work: the newest, or the one after `pageToken`. */
async function acceptedPage(pageToken?: string): Promise<AcceptedRows> {
  const page = await ok(
    api.GET('/api/tasks', { params: { query: { status: 'accepted', assignee: 'me', pageSize: ACCEPTED_PAGE, ...(pageToken && { pageToken }) } } }),
  );
  return { rows: page.items, nextPageToken: page.nextPageToken };
}

/** Each task once, where it first comes. */
function eachTaskOnce(rows: TaskListItem[]): TaskListItem[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    if (seen.has(row.taskId)) return false;
    seen.add(row.taskId);
    return true;
  });
}

/**
 * The Accepted tab: work I delivered that its manager accepted, to look back on (a timesheet, a
 * file delivered, "did the banner go out?"). Read only while the tab is open; older work a page at
 * a time with "Show older", under the list.
 *
 * A refresh re-reads the newest page only, and puts it on top of what "Show older" loaded, each
 * task once: work accepted since comes in at the top, and the older pages stay where the person is
 * reading them. Accepted work never changes nor leaves the list, so what was read stays true;
 * re-reading every page shown each time would cost one read per page. The older pages keep every
 * row shown when they were asked for, so a row a refresh pushes off the newest page stays listed
 * (the next older page starts after it).
 */
function AcceptedWork() {
  const newest = useResource(() => acceptedPage(), [], 15_000);
  const [older, setOlder] = useState<AcceptedRows>();
  const shown = newest.data ? eachTaskOnce([...newest.data.rows, ...(older?.rows ?? [])]) : [];
  // Where the list goes on: after the last older page once one is loaded, else after the newest page.
  const next = older ? older.nextPageToken : newest.data?.nextPageToken;

  // After "Show older", the focus goes to the first row it added (the button may be gone).
  const list = useRef<HTMLUListElement>(null);
  const showOlderButton = useRef<HTMLButtonElement>(null);
  const focusOn = useRef<string | undefined>(undefined);
  const showOlder = useAction(
    async () => {
      const page = await acceptedPage(next);
      const before = new Set(shown.map((row) => row.taskId));
      return { rows: eachTaskOnce([...shown, ...page.rows]), nextPageToken: page.nextPageToken, firstAdded: page.rows.find((row) => !before.has(row.taskId)) };
    },
    ({ firstAdded, ...loaded }) => {
      focusOn.current = firstAdded?.taskId;
      setOlder(loaded);
    },
  );
  useEffect(() => {
    const taskId = focusOn.current;
    if (!taskId) return;
    focusOn.current = undefined;
    // Only if the focus is still where the click left it: a person who moved on stays where they are.
    const active = document.activeElement;
    if (active && active !== document.body && active !== showOlderButton.current) return;
    list.current?.querySelector<HTMLElement>(`a[href="/tasks/${CSS.escape(taskId)}"]`)?.focus();
  });

  if (!newest.data) {
    return newest.error ? <ProblemBox error={newest.error} title="Could not load your accepted work" /> : <Loading what="Loading your accepted work" />;
  }
  return (
    <>
      {newest.error && <ProblemBox error={newest.error} title="Could not refresh your accepted work" />}
      {shown.length === 0 ? (
        <p class="empty">Nothing of yours has been accepted yet. Work you deliver shows here once its manager accepts it.</p>
      ) : (
        <>
          <p class="muted">{next ? `Your last ${shown.length} accepted tasks, newest first.` : 'Your accepted tasks, newest first.'}</p>
          <ul class="task-list" aria-label="Accepted tasks" ref={list}>
            {shown.map((item) => (
              <AcceptedItem key={item.taskId} item={item} />
            ))}
          </ul>
        </>
      )}
      <ProblemBox error={showOlder.error} title="Could not load your older accepted work" />
      {next && shown.length > 0 && (
        <div class="accepted-older">
          <button type="button" class="button button--secondary" disabled={showOlder.pending} ref={showOlderButton} onClick={() => void showOlder.act()}>
            {showOlder.pending ? 'Loading older work…' : 'Show older'}
          </button>
        </div>
      )}
    </>
  );
}

function AcceptedItem({ item }: { item: TaskListItem }) {
  // When it was accepted; a task stored before acceptance times were kept has only its delivery's.
  const [event, at] = item.acceptedAt ? ['Accepted', item.acceptedAt] : item.submittedAt ? ['Delivered', item.submittedAt] : ['Accepted', undefined];
  return (
    <li class="task-item">
      <div class="task-item-main">
        <Link href={`/tasks/${item.taskId}`} class="task-title">
          {item.title ?? item.taskId}
        </Link>
        <span class="muted">{[item.projectTitle, item.clientName].filter(Boolean).join(' · ')}</span>
      </div>
      <div class="task-item-meta">
        {item.department && <span class="muted">{DEPARTMENT_LABEL[item.department]}</span>}
        <span class="accepted-when">
          {event}
          {at && (
            <>
              {' '}
              <time dateTime={at} title={relative(at)}>
                {formatDateTime(at)}
              </time>
            </>
          )}
          {item.reviewRounds > 0 && `, after ${roundsOfChanges(item.reviewRounds)}`}
        </span>
      </div>
    </li>
  );
}

/**
 * Work of a project waiting for the client's prepayment: its task does not exist yet, so there is
 * no page to open and nothing to claim — the title is text, not a link.
 */
function PlannedItem({ task }: { task: PlannedTask }) {
  const after = task.waitingFor && task.waitingFor.length > 0 ? listInWords(task.waitingFor.map((w) => `“${w}”`)) : undefined;
  return (
    <li class="task-item task-item--planned">
      <div class="task-item-main">
        <span class="task-title">{task.title}</span>
        <span class="muted">{task.projectTitle}</span>
        <span class="muted">
          Starts once the client pays the prepayment (invoice <span class="nowrap">{task.prepayment.invoiceNumber}</span>)
          {after && `, then once ${after} ${task.waitingFor!.length === 1 ? 'is' : 'are'} accepted`}
        </span>
      </div>
      <div class="task-item-meta">
        <Badge>Planned</Badge>
        <Due dueAt={task.dueAt} />
      </div>
    </li>
  );
}
