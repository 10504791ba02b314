/**
 * Timelines and task histories name their events in the portal's words: work handed in is
 * "delivered", as its status badge and the review queue say; a plan is still "submitted" for
 * approval; events without words of their own read as their name.
 */
import { eventLabel } from '../../web/src/format';

test.each([
  ['task_submitted', 'Task delivered'],
  ['submitted', 'Delivered'],
  ['plan_submitted', 'Plan submitted'],
  ['plan_rejected', 'Plan sent back'],
  ['task_overdue', 'Task overdue'],
  ['complaint_window_closed', 'Complaint window closed'],
])('%s reads "%s"', (event, words) => {
  expect(eventLabel(event)).toBe(words);
});
