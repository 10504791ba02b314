/**
 * "Give all their tasks in work to…": every task one person holds in the manager's own projects
 * (leadership: in every project), to someone of the department at once (POST
 * /api/people/{personId}/reassign-work) — someone who left, or is away, held several, each waiting
 * until it moves. On the work in hand of that person (the portfolio's "Work of people no longer
 * here" leads there); the project's manager's, or leadership's, as a task's own reassign is. The
 * API moves each task by its own reassign and says which stayed, and why (delivered meanwhile,
 * another department): named here, each leading to its task.
 */
import { useState } from 'preact/hooks';
import { api, idempotencyKey, ok, type Schemas } from './api';
import { useAction, useName, useResource } from './data';
import { DEPARTMENT_LABEL, plural } from './format';
import { Link } from './router';
import { flash, ProblemBox, Select } from './ui';

type WorkloadTask = Schemas['KpiWorkloadList']['items'][number];
type ReassignAllResult = Schemas['ReassignAllResult'];

/**
 * `inWork`: how many tasks the person has in work in the manager's projects (`everyProject`, for
 * leadership: in all); `listed`: those the page lists (the most urgent), for their departments.
 */
export function ReassignAll({ personId, inWork, listed, everyProject = false, onDone }: { personId: string; inWork: number; listed: WorkloadTask[]; everyProject?: boolean; onDone: () => void }) {
  const name = useName();
  const [to, setTo] = useState('');
  // One key per choice: a second click after a lost answer reads as the first one did.
  const [key, setKey] = useState(idempotencyKey);
  const [stayed, setStayed] = useState<ReassignAllResult['tasks']>([]);
  const departments = [...new Set(listed.filter((t) => t.state === 'in_work').map((t) => t.department))];
  // Their tasks are of one department (staff work in one): its people; else every member of staff, and a task of another department stays.
  const department = departments.length === 1 ? departments[0] : undefined;
  const staff = useResource(() => ok(api.GET('/api/people', { params: { query: { role: 'staff', ...(department && { department }) } } })), [department]);
  const reassign = useAction(
    () => ok(api.POST('/api/people/{personId}/reassign-work', { params: { path: { personId }, header: { 'Idempotency-Key': key } }, body: { toPersonId: to } })),
    (answer) => {
      flash(answer.reassigned > 0 ? `${plural(answer.reassigned, 'task')} given to ${name(to)}.` : `No task was given to ${name(to)}.`);
      setStayed(answer.tasks.filter((t) => t.outcome === 'refused'));
      setTo('');
      setKey(idempotencyKey());
      onDone();
    },
  );
  const choose = (value: string) => {
    setTo(value);
    setKey(idempotencyKey());
  };
  if (inWork === 0 && stayed.length === 0) return null;
  return (
    <section class="card reassign-all" aria-labelledby="reassign-all-title">
      <h2 id="reassign-all-title">Give all of {name(personId)}’s tasks in work to someone else</h2>
      {stayed.length > 0 && (
        <div class="callout callout--warn" role="status">
          <p>{plural(stayed.length, 'task')} stayed with {name(personId)}:</p>
          <ul>
            {stayed.map((t) => (
              <li key={t.taskId}>
                <Link href={`/tasks/${t.taskId}`}>{t.title}</Link>: {t.detail}
              </li>
            ))}
          </ul>
        </div>
      )}
      {inWork > 0 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void reassign.act();
          }}
          noValidate
        >
          {everyProject ? (
            <p>
              Each of their tasks in work, in every manager’s projects, goes to the person you choose, as if reassigned from its page: they are told, and it is theirs to deliver.
              Work delivered and waiting for its manager’s review stays until it is reviewed.
            </p>
          ) : (
            <p>
              Each task in work of your projects goes to the person you choose, as if reassigned from its page: they are told, and it is theirs to deliver.
              Work delivered and waiting for your review stays until you have reviewed it.
            </p>
          )}
          <ProblemBox error={reassign.error} shownAtFields={['toPersonId']} />
          <Select
            id="reassign-all-to"
            label={department ? `Give them to (${DEPARTMENT_LABEL[department]})` : 'Give them to'}
            value={to}
            onValue={reassign.editing('toPersonId', choose)}
            placeholder="Choose a person"
            options={(staff.data?.items ?? []).filter((p) => p.id !== personId).map((p) => ({ value: p.id, label: p.name }))}
            error={reassign.at('toPersonId')}
          />
          <button type="submit" class="button button--secondary" disabled={reassign.pending || !to}>
            {reassign.pending ? 'Giving them…' : `Give ${plural(inWork, 'task')}`}
          </button>
        </form>
      )}
    </section>
  );
}
