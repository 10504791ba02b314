/**
 * What the project and task workflows both keep: a journal of business events (the snapshot's
 * timeline or history, and one structured log line each, carrying the ids and the API request
 * that caused the event) and the request tracker that knows which update is being handled.
 * Workflow-safe.
 */
import { log } from '@temporalio/workflow';
import type { Actor } from '../shared-schemas';

export interface RequestTracker {
  /** The request id of the update handler running now; undefined for timers and signals. */
  current(): string | undefined;
  /** Wraps an update handler so that, while its synchronous part runs, `current()` is its request. */
  acting<A extends { by: Pick<Actor, 'requestId'> }, R>(handler: (input: A) => R): (input: A) => R;
}

/**
 * Which API request is being handled, so the business events and the notices an update causes
 * name it in workflow and activity logs. Update handlers change state synchronously (slow effects
 * are queued for the process), so "the request" is exactly the one whose handler is running.
 */
export function requestTracker(): RequestTracker {
  let current: string | undefined;
  return {
    current: () => current,
    acting: (handler) => (input) => {
      current = input.by.requestId;
      try {
        return handler(input);
      } finally {
        current = undefined;
      }
    },
  };
}

export interface JournalEntry {
  at: string;
  event: string;
  by?: string;
  detail?: string;
}

export interface Journal {
  readonly requests: RequestTracker;
  /** Appends a business event and logs it with the workflow's ids and the acting request. */
  record(event: string, by?: string, detail?: string, at?: string): void;
}

/** Workflow time as an ISO string (Date.now is deterministic inside workflows). */
export const nowIso = (): string => new Date(Date.now()).toISOString();

export function createJournal(entries: JournalEntry[], logContext: Record<string, string>): Journal {
  const requests = requestTracker();
  return {
    requests,
    record(event, by, detail, at = nowIso()) {
      entries.push({ at, event, ...(by !== undefined && { by }), ...(detail !== undefined && { detail }) });
      log.info(event, { ...logContext, by, detail, requestId: requests.current() });
    },
  };
}
