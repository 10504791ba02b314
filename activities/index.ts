// PLACEHOLDER — replaced by the activities implementation (documents, invoice numbers, notifications).
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import type { ProjectActivities } from './contract';

export interface ActivityDeps {
  client: Client;
  logger: Logger;
}

export function createActivities(_deps: ActivityDeps): ProjectActivities {
  throw new Error('not implemented yet');
}

export async function createActivityDepsFromConfig(
  _config: Config,
  base: { client: Client; logger: Logger },
): Promise<ActivityDeps> {
  return base;
}
