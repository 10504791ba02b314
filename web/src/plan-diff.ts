/**
 * What changed between two versions of a plan, for leadership deciding a revised plan: tasks
 * added, removed and changed (field by field), and the totals. Tasks are matched by their key.
 */
export interface PlanTaskLike {
  key: string;
  department: string;
  title: string;
  description?: string;
  estimateHours: number;
  dueAt: string;
  price: number;
  dependsOn?: string[];
}

export interface PlanLike {
  version?: number;
  tasks: PlanTaskLike[];
  /** The workflow's record of which descriptions differ from the version before (whose text it no longer keeps). */
  descriptionsChanged?: string[];
  prepaymentPercent: number;
  includedRevisionRounds: number;
  total?: number;
}

export type TaskField = 'title' | 'department' | 'description' | 'estimateHours' | 'dueAt' | 'price' | 'dependsOn';

export interface FieldChange {
  field: TaskField;
  from: string | number;
  to: string | number;
}

export interface PlanDiff {
  added: PlanTaskLike[];
  removed: PlanTaskLike[];
  changed: { key: string; title: string; changes: FieldChange[] }[];
  total: { from: number; to: number };
  prepaymentPercent: { from: number; to: number };
  includedRevisionRounds: { from: number; to: number };
  /**
   * The earlier version has no description at all while this one has some: the workflow keeps the
   * descriptions of the newest version only, so whether any changed cannot be told from the two.
   */
  descriptionsNotKept: boolean;
  /** Nothing at all differs (descriptions not kept aside). */
  same: boolean;
}

const FIELDS: TaskField[] = ['title', 'department', 'description', 'estimateHours', 'dueAt', 'price', 'dependsOn'];

const cents = (n: number) => Math.round(n * 100);
export const planTotal = (plan: PlanLike): number => plan.total ?? plan.tasks.reduce((sum, t) => sum + cents(t.price), 0) / 100;

const sameKeys = (a: string[] = [], b: string[] = []): boolean => [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * A due date at the precision people read it (the minute: `formatDateTime`): a plan saved again
 * moves its dates by seconds, and a change no one can see is no change.
 */
const toTheMinute = (iso: string): string => new Date(Math.floor(Date.parse(iso) / 60_000) * 60_000).toISOString();

/** `plan`: the version the task is in, to name what it depends on by title (keys may be made up: `task-2`). */
function value(task: PlanTaskLike, field: TaskField, plan: PlanLike): string | number {
  if (field === 'dependsOn') return (task.dependsOn ?? []).map((key) => plan.tasks.find((t) => t.key === key)?.title || key).sort().join(', ');
  if (field === 'description') return task.description ?? '';
  if (field === 'dueAt') return toTheMinute(task.dueAt);
  return task[field];
}

/** A description changed from a text the earlier version no longer keeps: what "from" reads. */
export const EARLIER_TEXT_NOT_KEPT = '(the earlier text is not kept)';

const described = (plan: PlanLike): boolean => plan.tasks.some((t) => (t.description ?? '') !== '');

export function diffPlans(previous: PlanLike, next: PlanLike): PlanDiff {
  // An earlier version keeps no descriptions (the workflow drops them all once a newer one comes):
  // one with none is unknown there; one that kept some kept them all, so an empty one was empty.
  const descriptionsKnown = described(previous);
  const before = new Map(previous.tasks.map((t) => [t.key, t]));
  const after = new Map(next.tasks.map((t) => [t.key, t]));
  const added = next.tasks.filter((t) => !before.has(t.key));
  const removed = previous.tasks.filter((t) => !after.has(t.key));
  const changed = next.tasks.flatMap((t) => {
    const old = before.get(t.key);
    if (!old) return [];
    const changes = FIELDS.flatMap((field): FieldChange[] => {
      const from = value(old, field, previous);
      const to = value(t, field, next);
      if (field === 'description' && !descriptionsKnown) {
        // The workflow said which changed when this version came: listed, with the new text.
        return next.descriptionsChanged?.includes(t.key) ? [{ field, from: EARLIER_TEXT_NOT_KEPT, to }] : [];
      }
      // Dependencies are the same when their keys are: a renamed task is not a changed dependency.
      if (field === 'dependsOn') return sameKeys(old.dependsOn, t.dependsOn) ? [] : [{ field, from, to }];
      return from === to ? [] : [{ field, from, to }];
    });
    return changes.length > 0 ? [{ key: t.key, title: t.title, changes }] : [];
  });
  const diff: PlanDiff = {
    added,
    removed,
    changed,
    total: { from: planTotal(previous), to: planTotal(next) },
    prepaymentPercent: { from: previous.prepaymentPercent, to: next.prepaymentPercent },
    includedRevisionRounds: { from: previous.includedRevisionRounds, to: next.includedRevisionRounds },
    // Versions submitted since the workflow records which descriptions changed need no such word.
    descriptionsNotKept: !descriptionsKnown && described(next) && next.descriptionsChanged === undefined,
    same: false,
  };
  diff.same =
    added.length === 0 &&
    removed.length === 0 &&
    changed.length === 0 &&
    diff.total.from === diff.total.to &&
    diff.prepaymentPercent.from === diff.prepaymentPercent.to &&
    diff.includedRevisionRounds.from === diff.includedRevisionRounds.to;
  return diff;
}
