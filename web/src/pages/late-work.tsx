/**
 * Late work: every task past its due date and not delivered yet (open or claimed, the API's
 * `overdue`), the list behind the portfolio's "Overdue tasks" tile — which task, of which project,
 * in which department, who holds it (marked when they left or changed role: it waits for its manager
 * to reassign it), how late, and (for leadership) whose project. Leadership sees the agency's, a
 * manager their own projects'. Filters and order are kept in the address.
 */
import { allPages, api, DEPARTMENTS, ok, type Department, type TaskListItem } from '../api';
import { useName, useResource, useSession } from '../data';
import { DEPARTMENT_LABEL, formatDateTime, lateInWords, plural } from '../format';
import { HolderGoneBadge } from '../holder-gone';
import { Link, navigate } from '../router';
import { Badge, Loading, PageHeader, ProblemBox, Select } from '../ui';

/** The most rows drawn; the page says when there are more. */
const ROWS_AT_MOST = 500;

const SORTS = {
  late: 'Most late first',
  department: 'Department',
  project: 'Project',
  holder: 'Who holds it',
  manager: 'Manager',
} as const;
type Sort = keyof typeof SORTS;
const isSort = (v: string | null): v is Sort => v !== null && Object.hasOwn(SORTS, v);
const isDepartment = (v: string | null): v is Department => v !== null && (DEPARTMENTS as readonly string[]).includes(v);

interface Filters {
  department?: Department;
  manager?: string;
  sort?: Sort;
}

function lateWorkHref(f: Filters): string {
  const q = new URLSearchParams();
  if (f.department) q.set('department', f.department);
  if (f.manager) q.set('manager', f.manager);
  if (f.sort && f.sort !== 'late') q.set('sort', f.sort);
  return `/late-work${q.size ? `?${q}` : ''}`;
}

export function LateWork({ query }: { query: URLSearchParams }) {
  const { me, people } = useSession();
  const name = useName();
  const leadership = me.person.role === 'leadership';
  const department = isDepartment(query.get('department')) ? (query.get('department') as Department) : undefined;
  // Managers always get their own projects' tasks: the API says so, the page asks for nothing else.
  const manager = leadership ? query.get('manager') || undefined : undefined;
  const sortParam = query.get('sort');
  const sort: Sort = isSort(sortParam) && (leadership || sortParam !== 'manager') ? sortParam : 'late';
  const setFilters = (next: Filters) => navigate(lateWorkHref({ department, manager, sort, ...next }), { replace: true });

  const late = useResource(
    () =>
      allPages(
        (pageToken) =>
          ok(
            api.GET('/api/tasks', {
              params: {
                query: {
                  overdue: 'true',
                  pageSize: 100,
                  ...(department && { department }),
                  ...(manager && { managerId: manager }),
                  ...(pageToken && { pageToken }),
                },
              },
            }),
          ),
        ROWS_AT_MOST,
      ),
    [department, manager],
    30_000,
  );

  const holder = (t: TaskListItem) => (t.assigneeId ? name(t.assigneeId) : '');
  const rows = [...(late.data ?? [])].sort(byOrder(sort, name, holder));
  const now = Date.now();
  const projects = new Set(rows.map((t) => t.projectId)).size;

  return (
    <>
      <PageHeader title="Late work">
        <p>
          Tasks past their due date and not delivered yet{leadership ? '' : ', in your projects'}. Work delivered and waiting for review is not
          listed.
        </p>
      </PageHeader>

      <form class="card filters-form" aria-label="Filters" onSubmit={(e) => e.preventDefault()} noValidate>
        <Select
          id="late-department"
          label="Department"
          value={department ?? ''}
          onValue={(v) => setFilters({ department: isDepartment(v) ? v : undefined })}
          placeholder="Every department"
          options={DEPARTMENTS.map((d) => ({ value: d, label: DEPARTMENT_LABEL[d] }))}
        />
        {leadership && (
          <Select
            id="late-manager"
            label="Manager"
            value={manager ?? ''}
            onValue={(v) => setFilters({ manager: v || undefined })}
            placeholder="Everyone"
            options={[...people.values()].filter((p) => p.role === 'manager').map((p) => ({ value: p.id, label: p.name }))}
          />
        )}
        <Select
          id="late-sort"
          label="Order by"
          value={sort}
          onValue={(v) => setFilters({ sort: isSort(v) ? v : 'late' })}
          options={Object.entries(SORTS)
            .filter(([value]) => leadership || value !== 'manager')
            .map(([value, label]) => ({ value, label }))}
        />
      </form>

      {late.error && <ProblemBox error={late.error} title="Could not load the late work" />}
      {!late.data ? (
        !late.error && <Loading what="Loading the late work" />
      ) : rows.length === 0 ? (
        <p class="empty">Nothing is late{department ? ` in ${DEPARTMENT_LABEL[department]}` : ''}{manager ? ` in ${name(manager)}’s projects` : ''}.</p>
      ) : (
        <>
          <p role="status">
            {plural(rows.length, 'late task')} in {plural(projects, 'project')}
            {rows.length >= ROWS_AT_MOST ? ` (the ${ROWS_AT_MOST} most late; narrow by department or manager for the rest)` : ''}.
          </p>
          {!department && <ByDepartment rows={rows} hrefFor={(d) => lateWorkHref({ department: d, manager, sort })} />}
          {/* On a phone each task is a card (styles.css, .card-rows); the roles keep it a table to screen readers. */}
          <div class="table-wrap">
            <table class="card-rows late-work" role="table">
              <caption class="visually-hidden">Late tasks, ordered by {SORTS[sort].toLowerCase()}</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">Task</th>
                  <th scope="col" role="columnheader">Project</th>
                  <th scope="col" role="columnheader">Department</th>
                  <th scope="col" role="columnheader">Held by</th>
                  <th scope="col" role="columnheader">Late by</th>
                  {leadership && (
                    <th scope="col" role="columnheader">
                      Manager
                    </th>
                  )}
                </tr>
              </thead>
              <tbody role="rowgroup">
                {rows.map((t) => (
                  <tr key={t.taskId} role="row">
                    <th scope="row" role="rowheader">
                      <Link href={`/tasks/${t.taskId}`}>{t.title ?? 'Task'}</Link>
                    </th>
                    <td role="cell" data-label="Project">
                      {t.projectId ? <Link href={`/projects/${t.projectId}`}>{t.projectTitle ?? 'Project'}</Link> : (t.projectTitle ?? '—')}
                    </td>
                    <td role="cell" data-label="Department">
                      {t.department ? DEPARTMENT_LABEL[t.department] : '—'}
                    </td>
                    <td role="cell" data-label="Held by">
                      {t.assigneeId ? name(t.assigneeId) : <Badge tone="warn">Nobody has taken it</Badge>}
                      {/* Late and waiting on someone who left or changed role: late until its manager reassigns it. */}
                      <HolderGoneBadge task={t} reassigning={t.managerId === me.person.id || me.person.role === 'leadership'} />
                    </td>
                    <td role="cell" data-label="Late by">
                      {t.dueAt ? (
                        <>
                          <strong>{lateInWords(now - Date.parse(t.dueAt))}</strong>{' '}
                          <span class="muted">
                            (due <time dateTime={t.dueAt}>{formatDateTime(t.dueAt)}</time>)
                          </span>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    {leadership && (
                      <td role="cell" data-label="Manager">
                        {t.managerId ? name(t.managerId) : '—'}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

/** Where the late work is, a department at a glance: each count narrows the list to it. */
function ByDepartment({ rows, hrefFor }: { rows: TaskListItem[]; hrefFor: (d: Department) => string }) {
  const counts = DEPARTMENTS.map((d) => ({ department: d, n: rows.filter((t) => t.department === d).length })).filter((c) => c.n > 0);
  return (
    <ul class="stage-strip" aria-label="Late tasks per department">
      {counts.map((c) => (
        <li key={c.department}>
          <Link href={hrefFor(c.department)}>{DEPARTMENT_LABEL[c.department]}</Link>{' '}
          <span class="count">{c.n}</span>
        </li>
      ))}
    </ul>
  );
}

/** The rows' order: always most late first within what was chosen (the API's order, by due date). */
function byOrder(sort: Sort, name: (id: string | undefined) => string, holder: (t: TaskListItem) => string) {
  const due = (t: TaskListItem) => (t.dueAt ? Date.parse(t.dueAt) : Infinity);
  const key: Record<Sort, (t: TaskListItem) => string> = {
    late: () => '',
    department: (t) => String(t.department ? DEPARTMENTS.indexOf(t.department) : DEPARTMENTS.length),
    project: (t) => t.projectTitle ?? '',
    // Nobody holding it first: that work waits for someone to take it.
    holder: (t) => (t.assigneeId ? `1${holder(t)}` : '0'),
    manager: (t) => name(t.managerId),
  };
  return (a: TaskListItem, b: TaskListItem) => key[sort](a).localeCompare(key[sort](b)) || due(a) - due(b);
}
