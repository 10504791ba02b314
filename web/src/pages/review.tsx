/**
 * The manager's review queue: delivered work across their projects, each with what was delivered,
 * to accept or send back with a comment. Reviewed work leaves the queue at once.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { allPages, api, ok, type Task } from '../api';
import { useName, useResource } from '../data';
import { DEPARTMENT_LABEL, deliveryInWords, formatDateTime } from '../format';
import { ReviewForm } from '../review-form';
import { Link } from '../router';
import { Badge, Due, flash, LinkList, Loading, PageHeader, ProblemBox, sayMenuCount, useFocusAfterLeaving } from '../ui';

export function ReviewQueue() {
  const [done, setDone] = useState<Set<string>>(new Set());
  const queue = useResource(
    async () => {
      const items = await allPages(
        (pageToken) => ok(api.GET('/api/tasks', { params: { query: { status: 'submitted', pageSize: 100, ...(pageToken && { pageToken }) } } })),
        200,
      );
      // What was delivered is on each task (a handful waiting at a time).
      const tasks = await Promise.all(
        items.map((t) => ok(api.GET('/api/tasks/{taskId}', { params: { path: { taskId: t.taskId } } })).catch(() => undefined)),
      );
      return tasks.filter((t): t is Task => !!t && t.status === 'submitted');
    },
    [],
    4_000,
  );
  const waiting = (queue.data ?? []).filter((t) => !done.has(`${t.taskId}@${t.deliverables.length}`));
  const list = useRef<HTMLUListElement>(null);
  const focusAfterReview = useFocusAfterLeaving(list, waiting.length);
  // The menu's count reads the same list less often: this page's newer count, at once, so the two agree.
  useEffect(() => {
    if (queue.data) sayMenuCount('/review', waiting.length);
  }, [queue.data, waiting.length]);

  return (
    <>
      <PageHeader title={queue.data ? `Review queue (${waiting.length})` : 'Review queue'}>
        <p>Delivered work waiting for your review, oldest first.</p>
      </PageHeader>
      {queue.error && <ProblemBox error={queue.error} title="Could not load the queue" />}
      {!queue.data ? (
        !queue.error && <Loading what="Loading deliveries" />
      ) : waiting.length === 0 ? (
        <p class="empty">Nothing waiting for review.</p>
      ) : (
        <ul class="review-list" ref={list}>
          {waiting
            .sort((a, b) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? ''))
            .map((t, place) => (
              <ReviewCard
                key={t.taskId}
                task={t}
                onReviewed={() => {
                  setDone(new Set([...done, `${t.taskId}@${t.deliverables.length}`]));
                  focusAfterReview(place);
                }}
              />
            ))}
        </ul>
      )}
    </>
  );
}

function ReviewCard({ task, onReviewed }: { task: Task; onReviewed: () => void }) {
  const name = useName();
  const delivery = task.deliverables[task.deliverables.length - 1];
  /** The changes asked for in the review before this delivery, when it was sent back. */
  const lastReview = task.reviews[task.reviews.length - 1];
  const asked = lastReview?.decision === 'changes_requested' && lastReview.comment.trim() !== '' ? lastReview : undefined;
  const fid = `review-${task.taskId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return (
    <li class="card review-card" aria-labelledby={`${fid}-title`}>
      <h2 id={`${fid}-title`} tabIndex={-1}>
        <Link href={`/tasks/${task.taskId}`}>{task.title}</Link>
      </h2>
      <p class="meta-row">
        <span>
          <Link href={`/projects/${task.projectId}`}>{task.projectTitle}</Link> · {task.clientName} · {DEPARTMENT_LABEL[task.department]}
        </span>
        {task.reviewRounds > 0 && <Badge tone="warn">{deliveryInWords(task)}</Badge>}
        <Due dueAt={task.dueAt} overdue={task.overdue} deliveredAt={task.submittedAt} />
      </p>
      {asked && (
        // A delivery after changes is reviewed against what was asked for them: said here, not a click away.
        <div class="delivery review-asked">
          <p>
            {name(asked.by)} asked for changes, {formatDateTime(asked.at)}:
          </p>
          <blockquote class="prewrap">{asked.comment}</blockquote>
        </div>
      )}
      {delivery && (
        <div class="delivery">
          <p>
            Delivered by {name(delivery.submittedBy)}, {formatDateTime(delivery.submittedAt)}:
          </p>
          <blockquote class="prewrap">{delivery.summary}</blockquote>
          <LinkList links={delivery.links} />
        </div>
      )}
      <ReviewForm
        task={task}
        fid={fid}
        commentLabel={`Comment on “${task.title}”`}
        commentHint="Required to send it back."
        rows={2}
        onReviewed={(t) => {
          flash(t.status === 'accepted' ? `Accepted “${t.title}”.` : `Sent “${t.title}” back with your comment.`);
          onReviewed();
        }}
      />
    </li>
  );
}
