/**
 * Tasks in the hands of someone gone — who left the agency, or is in another role now — by the
 * rule of the API's portfolio report (role-now.ts, `useHolderGone`): nobody else in the department
 * may claim such a task, and it waits until the project's manager reassigns it. Marked where pages
 * name its holder (the project's tasks, the task page, the late work, the review of a delivery).
 */
import { useGoneInWords, useHolderGone } from './role-now';
import { Link } from './router';
import { Badge } from './ui';

/**
 * Whether a task is held by someone gone: in their hands (claimed). False while the people
 * directory is not read, so nobody reads as gone for want of the list.
 */
export function useHeldBySomeoneGone(): (task: { status?: string; assigneeId?: string }) => boolean {
  const holderGone = useHolderGone();
  return (task) => task.status === 'claimed' && task.assigneeId !== undefined && holderGone(task.assigneeId) !== undefined;
}

/**
 * Beside the holder's name, when the task is held by someone gone: why, as a badge ("No longer
 * here", "Left on 30 Nov 2026" for someone kept by name, "Now an account manager"); for whoever may
 * reassign it (the project's manager, leadership) a link to the task's page, where it is
 * reassigned (and which says so). Nothing otherwise.
 */
export function HolderGoneBadge({ task, reassigning }: { task: { taskId: string; status?: string; assigneeId?: string }; reassigning: boolean }) {
  const { reason } = useGoneInWords();
  const heldBySomeoneGone = useHeldBySomeoneGone();
  if (!heldBySomeoneGone(task)) return null;
  const why = reason(task.assigneeId!);
  const said = why.charAt(0).toUpperCase() + why.slice(1);
  return (
    <>
      {' '}
      {reassigning ? (
        <Link href={`/tasks/${task.taskId}`} class="badge badge--warn badge-link">
          {said}: reassign it
        </Link>
      ) : (
        <Badge tone="warn">{said}</Badge>
      )}
    </>
  );
}
