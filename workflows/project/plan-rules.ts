/**
 * The rules a plan must keep, beyond field types: run by the API (400 naming the field) and again
 * by the workflow's update validator, which is the last word. Pure and workflow-safe.
 */
import { fitsCurrency } from '../money';
import { DEPARTMENTS, type Department } from '../vocabulary';
import type { PlanInput } from './schemas';

export interface PlanProblem {
  /** JSON path of the field at fault, e.g. `tasks[2].dependsOn[0]`. */
  field: string;
  message: string;
}

const KNOWN_DEPARTMENTS: readonly Department[] = DEPARTMENTS;

/**
 * `currency` is the project's: prices must fit its minor units (no cents in JPY). The API may not
 * know it before reading the project, so it may leave it out; the workflow always passes it.
 */
export function checkPlan(plan: PlanInput, nowMs: number, currency?: string): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const byKey = new Map<string, { index: number; dueMs: number }>();

  plan.tasks.forEach((task, index) => {
    if (byKey.has(task.key)) {
      problems.push({ field: `tasks[${index}].key`, message: `duplicate task key "${task.key}"` });
    } else {
      byKey.set(task.key, { index, dueMs: Date.parse(task.dueAt) });
    }
    if (!KNOWN_DEPARTMENTS.includes(task.department)) {
      problems.push({ field: `tasks[${index}].department`, message: `unknown department "${task.department}"` });
    }
    if (!(task.price >= 0)) {
      problems.push({ field: `tasks[${index}].price`, message: 'price must not be negative' });
    } else if (currency !== undefined && !fitsCurrency(task.price, currency)) {
      problems.push({ field: `tasks[${index}].price`, message: `more decimals than ${currency} has` });
    }
    const dueMs = Date.parse(task.dueAt);
    if (Number.isNaN(dueMs)) {
      problems.push({ field: `tasks[${index}].dueAt`, message: 'not a date' });
    } else if (dueMs <= nowMs) {
      // No timestamp in the words: the form shows the date in the person's own time zone.
      problems.push({ field: `tasks[${index}].dueAt`, message: 'this due date is in the past' });
    }
  });

  plan.tasks.forEach((task, index) => {
    const dueMs = Date.parse(task.dueAt);
    task.dependsOn.forEach((dep, depIndex) => {
      const field = `tasks[${index}].dependsOn[${depIndex}]`;
      const target = byKey.get(dep);
      if (dep === task.key) {
        problems.push({ field, message: `task "${task.key}" depends on itself` });
      } else if (!target) {
        problems.push({ field, message: `depends on "${dep}", which is not a task of this plan` });
      } else if (dueMs < target.dueMs) {
        problems.push({
          field: `tasks[${index}].dueAt`,
          message: `due before its dependency "${plan.tasks[target.index].title}" is due; it can start only once that one is done`,
        });
      }
    });
  });

  const cycle = findCycle(plan);
  if (cycle) {
    const first = byKey.get(cycle[0]);
    problems.push({
      field: `tasks[${first?.index ?? 0}].dependsOn`,
      message: `dependency cycle: ${cycle.join(' → ')}`,
    });
  }

  if (plan.prepaymentPercent < 0 || plan.prepaymentPercent > 100) {
    problems.push({ field: 'prepaymentPercent', message: 'must be between 0 and 100' });
  }
  if (!Number.isInteger(plan.includedRevisionRounds) || plan.includedRevisionRounds < 0) {
    problems.push({ field: 'includedRevisionRounds', message: 'must be a whole number, 0 or more' });
  }
  return problems;
}

/** Returns the keys along one dependency cycle (first key repeated at the end), if any. */
export function findCycle(plan: PlanInput): string[] | undefined {
  const deps = new Map(plan.tasks.map((t) => [t.key, t.dependsOn.filter((d) => d !== t.key)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  const visit = (key: string): string[] | undefined => {
    if (state.get(key) === 'done') return undefined;
    if (state.get(key) === 'visiting') return [...stack.slice(stack.indexOf(key)), key];
    state.set(key, 'visiting');
    stack.push(key);
    for (const dep of deps.get(key) ?? []) {
      if (!deps.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(key, 'done');
    return undefined;
  };

  for (const key of deps.keys()) {
    const found = visit(key);
    if (found) return found;
  }
  return undefined;
}
