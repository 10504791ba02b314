/**
 * The smallest workflow that shows the SDK bug in ./main.ts: one update handler that only counts,
 * one query, and an activity whose completion makes the workflow schedule another one.
 */
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface ReproActivities {
  held(): Promise<void>;
  next(): Promise<void>;
}


export const pokeUpdate = defineUpdate<number>('poke');
export const pokesQuery = defineQuery<number>('pokes');

export async function queryThenUpdate(activityQueue: string): Promise<void> {
  const activities = proxyActivities<ReproActivities>({ startToCloseTimeout: '1m', taskQueue: activityQueue });
  let pokes = 0;
  setHandler(pokeUpdate, () => ++pokes);
  setHandler(pokesQuery, () => pokes);
  await activities.held();
  await activities.next();
  await condition(() => pokes >= 2);
}
