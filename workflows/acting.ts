/**
 * Which API request is being handled, so the business events and the notices an update causes
 * name it in workflow and activity logs. Update handlers change state synchronously (slow effects
 * are queued for the process), so "the request" is exactly the one whose handler is running.
 */
import type { Actor } from './shared-schemas';

export interface RequestTracker {
  /** The request id of the update handler running now; undefined for timers and signals. */
  current(): string | undefined;
  /** Wraps an update handler so that, while its synchronous part runs, `current()` is its request. */
  acting<A extends { by: Actor }, R>(handler: (input: A) => R): (input: A) => R;
}

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
