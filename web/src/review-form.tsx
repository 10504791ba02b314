/**
 * The manager's review of a delivery, the same on the task page and in the review queue: accept,
 * or send back with a comment and, when the rework needs one, a date of its own — a task whose
 * due date passed while it waited for review would otherwise be overdue the moment it is back.
 * Sent back, the work returns to whoever holds it: when they are gone (left, or in another role
 * now), the form says that it must then be reassigned, and where.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Task } from './api';
import { useAction, useName, useRequestKey } from './data';
import { formatDateTime, fromLocalInput } from './format';
import { useGoneInWords, useHolderGone } from './role-now';
import { Link } from './router';
import { Input, ProblemBox, TextArea } from './ui';

export function ReviewForm({
  task,
  fid,
  commentLabel,
  commentHint,
  rows,
  onTaskPage = false,
  onReviewed,
}: {
  task: Task;
  /** Prefix of the fields' ids: `<fid>-comment`, `<fid>-dueAt`. */
  fid: string;
  commentLabel: string;
  commentHint: string;
  rows?: number;
  /** On the task's own page, where its reassign form comes once it is sent back (elsewhere: a link there). */
  onTaskPage?: boolean;
  onReviewed: (task: Task) => void;
}) {
  const name = useName();
  const holderGone = useHolderGone();
  const { inSentence: goneInWords } = useGoneInWords();
  const [comment, setComment] = useState('');
  const [dueAt, setDueAt] = useState('');
  /** A rework date typed, then Accept: said at the field rather than dropped. */
  const [acceptWithDate, setAcceptWithDate] = useState(false);
  const requestKey = useRequestKey();
  const review = useAction(
    (decision: 'accept' | 'changes_requested') => {
      const body = { decision, comment, ...(decision === 'changes_requested' && dueAt !== '' && { dueAt: fromLocalInput(dueAt) }) };
      return ok(api.POST('/api/tasks/{taskId}/review', { params: { path: { taskId: task.taskId }, header: { 'Idempotency-Key': requestKey.keyFor(body) } }, body }));
    },
    (t) => {
      requestKey.succeeded();
      setComment('');
      setDueAt('');
      setAcceptWithDate(false);
      onReviewed(t);
    },
  );
  const passed = Date.parse(task.dueAt) < Date.now();
  const dueHint = passed
    ? `Its due date, ${formatDateTime(task.dueAt)}, has passed: give the rework a date, or it is overdue as soon as it is back with ${name(task.assigneeId)}.`
    : `When you send it back: leave it empty to keep the due date, ${formatDateTime(task.dueAt)}.`;
  /** A field's refusal until that field is typed into again (the "required" note goes once the comment is written). */
  const fieldError = (field: string) => review.at(field);
  // A refusal said at its field (the box above then says nothing) takes the keyboard there; so does
  // a rework date left in when accepting.
  useEffect(() => {
    const field = acceptWithDate ? 'dueAt' : ['comment', 'dueAt'].find((f) => review.error?.at(f));
    if (field) document.getElementById(`${fid}-${field}`)?.focus();
  }, [review.error, acceptWithDate]);
  return (
    <form onSubmit={(e) => e.preventDefault()} noValidate>
      {task.assigneeId && holderGone(task.assigneeId) && (
        <p class="callout callout--warn deliverer-gone" role="note">
          {goneInWords(task.assigneeId)}, can no longer work on it: sending it back returns it to them, so once it is back, reassign it{' '}
          {onTaskPage ? 'here' : <Link href={`/tasks/${task.taskId}`}>on its page</Link>}.
        </p>
      )}
      <ProblemBox error={review.error} shownAtFields={['comment', 'dueAt']} />
      <TextArea id={`${fid}-comment`} label={commentLabel} hint={commentHint} value={comment} onValue={review.editing('comment', setComment)} error={fieldError('comment')} rows={rows} />
      <Input
        id={`${fid}-dueAt`}
        label="Rework due by"
        type="datetime-local"
        value={dueAt}
        // A refusal of the date before no longer applies to the one typed now.
        onValue={review.editing('dueAt', (v: string) => {
          setDueAt(v);
          setAcceptWithDate(false);
        })}
        hint={dueHint}
        error={acceptWithDate ? 'a rework date goes with sending the work back: clear it to accept' : fieldError('dueAt')}
      />
      <div class="form-actions">
        <button
          type="button"
          class="button"
          disabled={review.pending}
          onClick={() => {
            if (dueAt !== '') setAcceptWithDate(true);
            else void review.act('accept');
          }}
        >
          Accept
        </button>
        <button type="button" class="button button--secondary" disabled={review.pending} onClick={() => void review.act('changes_requested')}>
          Send back
        </button>
      </div>
    </form>
  );
}
