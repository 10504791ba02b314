/**
 * Keeps a workflow's search attributes equal to what its snapshot says, upserting only the pairs
 * that changed: an unchanged snapshot costs no history event.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { changedSearchAttributes } from '../search-attributes';

export function syncSearchAttributes(wanted: SearchAttributeUpdatePair[]): void {
  const stale = changedSearchAttributes(workflowInfo().typedSearchAttributes, wanted);
  if (stale.length > 0) upsertSearchAttributes(stale);
}
