/**
 * Loading and keeping pages current. Lists come from Temporal visibility, a second or so behind;
 * pages poll every few seconds while visible (a claimed task leaves everyone else's inbox within
 * seconds), and an action's response — the new project or task state — replaces the data at once.
 */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, idempotencyKey, type FormerPerson, type Me, type Person } from './api';
import { clearFlash } from './ui';

export interface Resource<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => Promise<void>;
  /** Replace the data now (an action's response); a poll already in flight is dropped. */
  set: (data: T) => void;
}

const asApiError = (err: unknown): ApiError =>
  err instanceof ApiError
    ? err
    : new ApiError(0, { type: 'about:blank', title: 'Something went wrong', status: 0, detail: (err as Error)?.message ?? String(err) });

/**
 * A refusal that asking again will not change by itself — the request is wrong (400), the person may
 * not see it (403: a project handed to another manager since) or it is not there (404) — unlike a
 * server's or the network's trouble (5xx, no connection), which the next poll may find gone.
 */
export const refusedForGood = (error: ApiError | undefined): boolean => error !== undefined && [400, 403, 404].includes(error.status);

/** Retry-After as a delay: at least a second (a "0" would spin), at most a minute (the polls go on meanwhile). */
const retryDelayMs = (seconds: number): number => Math.min(Math.max(seconds, 1), 60) * 1000;

export function useResource<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const loader = useRef(load);
  loader.current = load;
  const seq = useRef(0);
  /** Polling stops at a refusal for good; a reload the page asks for (after an action) still reads. */
  const stopped = useRef(false);
  /** The read asked again when the API said when (its Retry-After), rather than at the next poll or never. */
  const retry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const cancelRetry = () => {
    clearTimeout(retry.current);
    retry.current = undefined;
  };

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    cancelRetry();
    try {
      const data = await loader.current();
      if (mine === seq.current) {
        stopped.current = false;
        setState({ data, loading: false });
      }
    } catch (err) {
      if (mine !== seq.current) return;
      const refusal = asApiError(err);
      stopped.current = refusedForGood(refusal);
      // A store or Temporal busy for a moment (503 with Retry-After): the page reads again then by
      // itself, so the person is not left with the error until the next poll (or, unpolled, a
      // reload) — and its problem says so.
      const delayMs = !stopped.current && refusal.retryAfterSeconds !== undefined ? retryDelayMs(refusal.retryAfterSeconds) : undefined;
      const error = delayMs === undefined ? refusal : refusal.readAgainIn(delayMs / 1000);
      setState((s) => ({ data: s.data, error, loading: false }));
      if (delayMs !== undefined) retry.current = setTimeout(() => void reload(), delayMs);
    }
  }, []);

  const set = useCallback((data: T) => {
    seq.current++;
    cancelRetry();
    setState({ data, loading: false });
  }, []);

  useEffect(() => {
    setState({ loading: true });
    stopped.current = false;
    void reload();
    const forget = () => {
      seq.current++;
      cancelRetry();
    };
    if (!pollMs) return forget;
    const tick = () => {
      if (document.visibilityState === 'visible' && !stopped.current) void reload();
    };
    const timer = setInterval(tick, pollMs);
    document.addEventListener('visibilitychange', tick);
    return () => {
      forget();
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, deps);

  return { ...state, reload, set };
}

/**
 * The Idempotency-Key of a form's request, kept while the request stays the same: a second click
 * after an answer that never came or said nothing certain (the connection lost, a timeout, a 503
 * "was done, but…") sends the same key with the same body, so the API answers with what the first
 * did instead of doing it again (a second payment, a second round of changes). A request with a
 * different body is a new one, with a key of its own; once the action has succeeded, `succeeded()`
 * lets the next request (the same body again — a second payment of the same amount, typed anew) be a new one too.
 */
export function useRequestKey(): { keyFor: (body?: unknown) => string; succeeded: () => void } {
  const last = useRef<{ body: string; key: string } | undefined>(undefined);
  return {
    keyFor: (body) => {
      const text = JSON.stringify(body ?? null);
      if (last.current?.body !== text) last.current = { body: text, key: idempotencyKey() };
      return last.current.key;
    },
    succeeded: () => {
      last.current = undefined;
    },
  };
}

/**
 * Runs one action at a time for a form: pending flag, the API's refusal, and success. A new attempt
 * clears what the last one said (its refusal, and the page's "done" message, which would otherwise
 * still stand above a refusal). `at(field)` is the refusal's message at a field until that field is
 * edited (through `editing(field, set)`): a fixed field no longer says what was wrong with it.
 * An attempt while one is on its way is ignored (`act` gives undefined, as for a refusal).
 */
export function useAction<A extends unknown[], R>(run: (...args: A) => Promise<R>, onDone?: (result: R) => void) {
  const [pending, setPending] = useState(false);
  /**
   * Set at once, where `pending` is only seen at the next render: two submissions in one instant
   * (two clicks the browser delivers together, before "Recording…" is drawn and the button
   * disabled) would otherwise both read `pending` as false and both send.
   */
  const inFlight = useRef(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [edited, setEdited] = useState<readonly string[]>([]);
  const act = async (...args: A): Promise<R | undefined> => {
    if (inFlight.current) return undefined;
    inFlight.current = true;
    setPending(true);
    setError(undefined);
    setEdited([]);
    clearFlash();
    try {
      const result = await run(...args);
      onDone?.(result);
      return result;
    } catch (err) {
      setError(asApiError(err));
      return undefined;
    } finally {
      inFlight.current = false;
      setPending(false);
    }
  };
  return {
    act,
    pending,
    error,
    clearError: () => setError(undefined),
    at: (field: string): string | undefined => (edited.includes(field) ? undefined : error?.at(field)),
    /** The field's setter for its control's `onValue`: sets the value and puts the field's refusal away. */
    editing:
      <V,>(field: string, set: (value: V) => void) =>
      (value: V): void => {
        set(value);
        // From the list as it is then: two fields edited by one keystroke (a name and the id made from it) both count.
        if (error?.at(field)) setEdited((before) => (before.includes(field) ? before : [...before, field]));
      },
  };
}

/**
 * A refusal at one of a form's fields takes the keyboard there: the first of `fields` (in the order
 * the form reads) that the refusal names, whose control has the id `${idPrefix}-${field}`.
 */
export function useFocusFirstRefused(error: ApiError | undefined, fields: readonly string[], idPrefix: string): void {
  useEffect(() => {
    const first = fields.find((f) => error?.at(f));
    if (first) document.getElementById(`${idPrefix}-${first}`)?.focus();
  }, [error]);
}

export interface SessionInfo {
  me: Me;
  /**
   * The people directory (GET /api/people), read as the portal opens and again while it is open
   * (app.tsx): empty until it is first read, and while it could not be. A new map only when the list
   * changed, so pages memoising on it redo nothing otherwise; a read that fails keeps the last one.
   */
  people: Map<string, Person>;
  /** Whether `people` is the directory as read, not the empty map before it came (or while it could not be read at all). */
  peopleRead: boolean;
  /**
   * People who left, kept by name in the people file (GET /api/people/former), read with the directory
   * and on its schedule: not in `people`, so gone by every rule, but named. Empty until read, and
   * while it could not be (their ids then show as they are).
   */
  formerPeople: Map<string, FormerPerson>;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** A person's name for an id: of the directory, else of those who left kept by name; the id itself when neither knows it. */
export function useName(): (id: string | undefined) => string {
  const { people, formerPeople } = useSession();
  // A client answering on their own page acts by their client's id (`client:<id>`), never a person's.
  return (id) => (id ? (people.get(id)?.name ?? formerPeople.get(id)?.name ?? (id.startsWith('client:') ? 'the client (on their page)' : id)) : 'nobody');
}
