/**
 * A claim must be recorded, escalated and resolved: leadership hears of each complaint as it is
 * recorded, and one still open after the policy's time is brought to the manager and leadership
 * again, once, while the process waits on anything else.
 */
import { complaintDueMs, hasOpenComplaint } from './state';
import type { ProjectContext } from './context';

export function followUpComplaints(ctx: ProjectContext): void {
  const { status, input, patched } = ctx;

  ctx.waitHooks.push(() => {
    // Asked only while a complaint is open, where runs recorded before waited without a timer for
    // it: runs without a complaint carry no marker.
    if (!hasOpenComplaint(status) || !patched('follow-up-open-complaints')) return undefined;
    const now = Date.now();
    let next: number | undefined;
    for (const complaint of status.complaints.filter((c) => !c.resolvedAt && !ctx.chased.has(`complaint:${c.complaintId}`))) {
      const due = complaintDueMs(complaint, input.policy);
      if (due > now) {
        next = next === undefined ? due : Math.min(next, due);
        continue;
      }
      ctx.chased.add(`complaint:${complaint.complaintId}`);
      ctx.record('complaint_unresolved', undefined, `${complaint.complaintId}: open since ${complaint.at}`);
      ctx.send('complaint_unresolved', `complaint-unresolved:${complaint.complaintId}`, { ...ctx.manager, ...ctx.leadership }, {
        complaintId: complaint.complaintId,
        description: complaint.description,
        recordedAt: complaint.at,
        dueAt: new Date(due).toISOString(),
        // A cancelled project settles its bill as it stands: no compensation any more.
        ...(status.stage === 'cancelled' && { cancelled: true }),
      });
    }
    return next;
  });
}
