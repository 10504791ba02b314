/**
 * Loading and keeping pages current. Lists come from Temporal visibility, a second or so behind;
 * pages poll every few seconds while visible (a claimed task leaves everyone else's inbox within
 * seconds), and an action's response — the new project or task state — replaces the data at once.
 */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Me, type Person } from './api';

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

export function useResource<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const loader = useRef(load);
  loader.current = load;
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const data = await loader.current();
      if (mine === seq.current) setState({ data, loading: false });
    } catch (err) {
      if (mine === seq.current) setState((s) => ({ data: s.data, error: asApiError(err), loading: false }));
    }
  }, []);

  const set = useCallback((data: T) => {
    seq.current++;
    setState({ data, loading: false });
  }, []);

  useEffect(() => {
    setState({ loading: true });
    void reload();
    if (!pollMs) return;
    const tick = () => {
      if (document.visibilityState === 'visible') void reload();
    };
    const timer = setInterval(tick, pollMs);
    document.addEventListener('visibilitychange', tick);
    return () => {
      seq.current++;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, deps);

  return { ...state, reload, set };
}

/** Runs one action at a time for a form: pending flag, the API's refusal, and success. */
export function useAction<A extends unknown[], R>(run: (...args: A) => Promise<R>, onDone?: (result: R) => void) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const act = async (...args: A): Promise<R | undefined> => {
    if (pending) return undefined;
    setPending(true);
    setError(undefined);
    try {
      const result = await run(...args);
      onDone?.(result);
      return result;
    } catch (err) {
      setError(asApiError(err));
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { act, pending, error, clearError: () => setError(undefined) };
}

export interface SessionInfo {
  me: Me;
  people: Map<string, Person>;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** A person's name for an id (the id itself when the directory does not know it). */
export function useName(): (id: string | undefined) => string {
  const { people } = useSession();
  return (id) => (id ? (people.get(id)?.name ?? id) : 'nobody');
}
