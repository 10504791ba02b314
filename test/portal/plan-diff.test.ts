/** What leadership is shown as "changes since the previous version" of a plan. */
import { diffPlans, EARLIER_TEXT_NOT_KEPT, type PlanLike } from '../../web/src/plan-diff';

const base: PlanLike = {
  tasks: [
    { key: 'design', department: 'design', title: 'Design', estimateHours: 8, dueAt: '2027-01-10T10:00:00Z', price: 1200, dependsOn: [] },
    { key: 'copy', department: 'copywriting', title: 'Copy', estimateHours: 4, dueAt: '2027-01-12T10:00:00Z', price: 800, dependsOn: ['design'] },
  ],
  prepaymentPercent: 20,
  includedRevisionRounds: 1,
};

test('an identical plan has no changes', () => {
  expect(diffPlans(base, structuredClone(base)).same).toBe(true);
});

test('added, removed and changed tasks, field by field, with the totals', () => {
  const next: PlanLike = {
    tasks: [
      { ...base.tasks[1], price: 600, dueAt: '2027-01-12T10:00:00.000Z', dependsOn: [] },
      { key: 'seo', department: 'seo', title: 'SEO audit', estimateHours: 2, dueAt: '2027-01-15T10:00:00Z', price: 300 },
    ],
    prepaymentPercent: 30,
    includedRevisionRounds: 1,
  };
  const diff = diffPlans(base, next);
  expect(diff.same).toBe(false);
  expect(diff.added.map((t) => t.key)).toEqual(['seo']);
  expect(diff.removed.map((t) => t.key)).toEqual(['design']);
  // The same instant written differently is no change; the price and the dependencies are.
  expect(diff.changed).toEqual([
    {
      key: 'copy',
      title: 'Copy',
      changes: [
        { field: 'price', from: 800, to: 600 },
        { field: 'dependsOn', from: 'Design', to: '' },
      ],
    },
  ]);
  expect(diff.total).toEqual({ from: 2000, to: 900 });
  expect(diff.prepaymentPercent).toEqual({ from: 20, to: 30 });
  expect(diff.includedRevisionRounds).toEqual({ from: 1, to: 1 });
});

test('totals are summed in cents (no floating-point drift) unless the version states its own', () => {
  const cents: PlanLike = { ...base, tasks: [{ ...base.tasks[0], price: 0.1 }, { ...base.tasks[1], price: 0.2 }] };
  expect(diffPlans(base, cents).total.to).toBe(0.3);
  expect(diffPlans(base, { ...cents, total: 99 }).total.to).toBe(99);
});

test('a renamed task changes its title only: what depends on it is not shown as changed; an earlier version\u2019s missing description is no change', () => {
  const earlier: PlanLike = { ...base, tasks: base.tasks.map((t) => ({ ...t, description: '' })) };
  const next: PlanLike = {
    ...base,
    tasks: [{ ...base.tasks[0], title: 'Logo design', description: 'Three directions' }, { ...base.tasks[1], description: 'Home page' }],
  };
  expect(diffPlans(earlier, next).changed).toEqual([{ key: 'design', title: 'Logo design', changes: [{ field: 'title', from: 'Design', to: 'Logo design' }] }]);
});

test('due dates are compared at the minute people read: seconds apart is no change, a minute apart is', () => {
  const seconds: PlanLike = { ...base, tasks: [{ ...base.tasks[0], dueAt: '2027-01-10T10:00:37.412Z' }, base.tasks[1]] };
  expect(diffPlans(base, seconds).same).toBe(true);
  const minute: PlanLike = { ...base, tasks: [{ ...base.tasks[0], dueAt: '2027-01-10T10:01:00Z' }, base.tasks[1]] };
  expect(diffPlans(base, minute).changed).toEqual([
    { key: 'design', title: 'Design', changes: [{ field: 'dueAt', from: '2027-01-10T10:00:00.000Z', to: '2027-01-10T10:01:00.000Z' }] },
  ]);
});

test('a description added or changed since a version that kept its descriptions is listed; from a version that kept none, it is said that they cannot be compared', () => {
  const kept: PlanLike = { ...base, tasks: [{ ...base.tasks[0], description: 'Three directions' }, { ...base.tasks[1], description: '' }] };
  const next: PlanLike = { ...base, tasks: [{ ...base.tasks[0], description: 'Two directions, one in colour' }, { ...base.tasks[1], description: 'Home page, 300 words' }] };
  expect(diffPlans(kept, next).changed).toEqual([
    { key: 'design', title: 'Design', changes: [{ field: 'description', from: 'Three directions', to: 'Two directions, one in colour' }] },
    { key: 'copy', title: 'Copy', changes: [{ field: 'description', from: '', to: 'Home page, 300 words' }] },
  ]);
  expect(diffPlans(kept, next).descriptionsNotKept).toBe(false);
  // The workflow keeps the newest version's descriptions only: an earlier one with none says nothing of them.
  const dropped: PlanLike = { ...base, tasks: base.tasks.map((t) => ({ ...t, description: '' })) };
  expect(diffPlans(dropped, next)).toMatchObject({ changed: [], same: true, descriptionsNotKept: true });
  expect(diffPlans(dropped, dropped).descriptionsNotKept).toBe(false);
  // A version the workflow recorded its changed descriptions on: those are listed, with the new text.
  const recorded: PlanLike = { ...next, descriptionsChanged: ['design'] };
  expect(diffPlans(dropped, recorded)).toMatchObject({
    changed: [{ key: 'design', changes: [{ field: 'description', from: EARLIER_TEXT_NOT_KEPT, to: 'Two directions, one in colour' }] }],
    same: false,
    descriptionsNotKept: false,
  });
});
