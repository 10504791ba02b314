/**
 * Our typed search attributes: what leadership's lists and the portfolio report filter on.
 * Registered by `npm start`, by the test setup and by the compose stack (SEARCH_ATTRIBUTE_SPECS).
 * SQL visibility has fixed slots per type (10 Keyword, 3 Bool, 3 Datetime...), so one key serves
 * projects and tasks where the meaning is the same (DueAt, Overdue).
 */
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributeUpdatePair,
  type TypedSearchAttributes,
} from '@temporalio/common';

// Projects
export const ProjectStageKey = defineSearchAttributeKey('ProjectStage', SearchAttributeType.KEYWORD);
export const ManagerIdKey = defineSearchAttributeKey('ManagerId', SearchAttributeType.KEYWORD);
export const ClientIdKey = defineSearchAttributeKey('ClientId', SearchAttributeType.KEYWORD);
export const ClientSegmentKey = defineSearchAttributeKey('ClientSegment', SearchAttributeType.KEYWORD);
export const DepartmentsKey = defineSearchAttributeKey('Departments', SearchAttributeType.KEYWORD_LIST);
/** When the project entered its current stage: how long a plan has waited for a decision. */
export const StageEnteredAtKey = defineSearchAttributeKey('StageEnteredAt', SearchAttributeType.DATETIME);
/** Due date of the open final invoice: "unpaid past due" is `PaymentDueAt < now`. */
export const PaymentDueAtKey = defineSearchAttributeKey('PaymentDueAt', SearchAttributeType.DATETIME);
export const HasOpenComplaintKey = defineSearchAttributeKey('HasOpenComplaint', SearchAttributeType.BOOL);

// Tasks (ProjectId, ManagerId and Department let the inbox filter without a query per project)
export const ProjectIdKey = defineSearchAttributeKey('ProjectId', SearchAttributeType.KEYWORD);
export const TaskStatusKey = defineSearchAttributeKey('TaskStatus', SearchAttributeType.KEYWORD);
export const DepartmentKey = defineSearchAttributeKey('Department', SearchAttributeType.KEYWORD);
export const AssigneeIdKey = defineSearchAttributeKey('AssigneeId', SearchAttributeType.KEYWORD);

// Both
export const DueAtKey = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);
export const OverdueKey = defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL);

export const ALL_SEARCH_ATTRIBUTES = [
  ProjectStageKey,
  ManagerIdKey,
  ClientIdKey,
  ClientSegmentKey,
  DepartmentsKey,
  StageEnteredAtKey,
  PaymentDueAtKey,
  HasOpenComplaintKey,
  ProjectIdKey,
  TaskStatusKey,
  DepartmentKey,
  AssigneeIdKey,
  DueAtKey,
  OverdueKey,
] as const;

/**
 * The pairs of `wanted` whose value differs from `current` (null = remove): workflows upsert only
 * these, so keeping attributes current costs a history event only when something really changed.
 */
export function changedSearchAttributes(
  current: TypedSearchAttributes,
  wanted: SearchAttributeUpdatePair[],
): SearchAttributeUpdatePair[] {
  return wanted.filter((pair) => !sameSearchAttributeValue(current.get(pair.key), pair.value));
}

function sameSearchAttributeValue(current: unknown, wanted: unknown): boolean {
  if (wanted === null || wanted === undefined) return current === undefined || current === null;
  if (wanted instanceof Date) return current instanceof Date && current.getTime() === wanted.getTime();
  if (Array.isArray(wanted)) {
    return Array.isArray(current) && current.length === wanted.length && current.every((v, i) => v === wanted[i]);
  }
  return current === wanted;
}
