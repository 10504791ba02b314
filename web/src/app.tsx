/**
 * The shell: who is signed in, the navigation for their role, and the page for the path. Every
 * page but sign-in needs a session; without one the person signs in and comes back to the page
 * they asked for (a link from a notice included).
 */
import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, ok, onSignedOut, setCsrfToken, type FormerPerson, type Me, type Person, type Role } from './api';
import { SessionContext, useResource, type SessionInfo } from './data';
import { DEPARTMENT_LABEL } from './format';
import { MONEY_WAYS_BACK, wayBackFrom, WORKLOAD_WAYS_BACK, type WayBackPage } from './kpi-period';
import { Link, match, navigate, useLocation } from './router';
import { FlashArea, Loading, onMenuCount } from './ui';
import { continueSigningOut, Login, type SingleSignOn } from './pages/login';

type Params = Record<string, string>;
type PageProps = { params: Params; query: URLSearchParams };

interface Route {
  pattern: string;
  page: ComponentType<PageProps>;
  roles: Role[];
  load: () => Promise<unknown>;
  /**
   * For a page that is no menu entry itself: the entry it belongs to for that role, the list it is
   * reached from (a project's page, the portfolio's), which the menu marks as where the person is;
   * for a list reached from more than one, the address's way back (`back`) says which.
   */
  underMenuEntry?: (role: Role, query: URLSearchParams) => string;
}

/**
 * A page whose code is fetched when first needed (esbuild splits each page into its own file),
 * so the sign-in page and the shell load fast; signed in, the role's pages are fetched ahead.
 */
function lazy(load: () => Promise<ComponentType<PageProps>>): Pick<Route, 'page' | 'load'> {
  let loaded: ComponentType<PageProps> | undefined;
  let pending: Promise<ComponentType<PageProps>> | undefined;
  const fetchPage = () => (pending ??= load().then((page) => (loaded = page)));
  function LazyPage(props: PageProps) {
    const [, setReady] = useState(false);
    useEffect(() => {
      if (!loaded) void fetchPage().then(() => setReady(true));
    }, []);
    const Page = loaded;
    return Page ? <Page {...props} /> : <Loading />;
  }
  return { page: LazyPage, load: fetchPage };
}

const ALL: Role[] = ['staff', 'manager', 'leadership'];

/** Pages reached from a menu entry's list: a project's from the portfolio, a KPI's drill-down from the KPIs. */
const UNDER_PORTFOLIO = () => '/projects';
const UNDER_KPIS = () => '/kpis';
/**
 * A KPI list that may be reached from another entry's page (the work in hand from the portfolio, the
 * money from the sales plan): under that entry when its address leads back there, by the same rule
 * as the list's way back (wayBackFrom, with the list's pages); else under the KPIs.
 */
const UNDER_WAY_BACK_OR_KPIS = (pages: readonly WayBackPage[]) => (_role: Role, query: URLSearchParams) => `/${wayBackFrom(query, pages)?.page ?? 'kpis'}`;

/** Most specific first: `/projects/new` before `/projects/:id`. */
const ROUTES: Route[] = [
  { pattern: '/inbox', roles: ['staff'], ...lazy(() => import('./pages/inbox').then((m) => m.Inbox)) },
  // A task's page is staff's inbox's; for the rest their project's, which is the portfolio's.
  { pattern: '/tasks/:taskId', roles: ALL, underMenuEntry: (role) => (role === 'staff' ? '/inbox' : '/projects'), ...lazy(() => import('./pages/task').then((m) => m.TaskPage)) },
  { pattern: '/projects', roles: ['manager', 'leadership'], ...lazy(() => import('./pages/portfolio').then((m) => m.Portfolio)) },
  { pattern: '/projects/new', roles: ['manager'], ...lazy(() => import('./pages/new-project').then((m) => m.NewProject)) },
  { pattern: '/projects/:id', roles: ['manager', 'leadership'], underMenuEntry: UNDER_PORTFOLIO, ...lazy(() => import('./pages/project').then((m) => m.ProjectPage)) },
  { pattern: '/projects/:id/plan', roles: ['manager'], underMenuEntry: UNDER_PORTFOLIO, ...lazy(() => import('./pages/plan-editor').then((m) => m.PlanEditor)) },
  { pattern: '/review', roles: ['manager'], ...lazy(() => import('./pages/review').then((m) => m.ReviewQueue)) },
  { pattern: '/late-work', roles: ['manager', 'leadership'], ...lazy(() => import('./pages/late-work').then((m) => m.LateWork)) },
  { pattern: '/approvals', roles: ['leadership'], ...lazy(() => import('./pages/approvals').then((m) => m.Approvals)) },
  { pattern: '/kpis', roles: ['leadership', 'manager'], ...lazy(() => import('./pages/kpis').then((m) => m.Kpis)) },
  { pattern: '/kpis/deliveries', roles: ['leadership', 'manager'], underMenuEntry: UNDER_KPIS, ...lazy(() => import('./pages/deliveries').then((m) => m.Deliveries)) },
  { pattern: '/kpis/workload', roles: ['leadership', 'manager'], underMenuEntry: UNDER_WAY_BACK_OR_KPIS(WORKLOAD_WAYS_BACK), ...lazy(() => import('./pages/workload').then((m) => m.Workload)) },
  { pattern: '/kpis/responses', roles: ['leadership', 'manager'], underMenuEntry: UNDER_KPIS, ...lazy(() => import('./pages/responses').then((m) => m.Responses)) },
  { pattern: '/kpis/feedback', roles: ['leadership', 'manager'], underMenuEntry: UNDER_KPIS, ...lazy(() => import('./pages/feedback').then((m) => m.Feedback)) },
  { pattern: '/kpis/money', roles: ['leadership', 'manager'], underMenuEntry: UNDER_WAY_BACK_OR_KPIS(MONEY_WAYS_BACK), ...lazy(() => import('./pages/money').then((m) => m.Money)) },
  { pattern: '/targets', roles: ['leadership'], ...lazy(() => import('./pages/targets').then((m) => m.SalesTargets)) },
  { pattern: '/settings/mail', roles: ALL, ...lazy(() => import('./pages/mail-settings').then((m) => m.MailSettings)) },
];

const HOME: Record<Role, string> = { staff: '/inbox', manager: '/projects', leadership: '/approvals' };

/** The client's page: opened by its link's key, without signing in (and the same when someone is). */
const CLIENT_ROUTE = { pattern: '/client/:id', ...lazy(() => import('./pages/client').then((m) => m.ClientPage)) };
/** A weekly digest's "Stop these mails" page: opened by its link's token, without signing in. */
const UNSUBSCRIBE_ROUTE = { pattern: '/mail/unsubscribe', ...lazy(() => import('./pages/unsubscribe').then((m) => m.UnsubscribePage)) };

const NAV: Record<Role, { href: string; label: string }[]> = {
  staff: [{ href: '/inbox', label: 'Inbox' }],
  manager: [
    { href: '/projects', label: 'Portfolio' },
    { href: '/review', label: 'Review queue' },
    { href: '/late-work', label: 'Late work' },
    { href: '/projects/new', label: 'New project' },
    { href: '/kpis', label: 'KPIs' },
  ],
  leadership: [
    { href: '/approvals', label: 'Approvals' },
    { href: '/projects', label: 'Portfolio' },
    { href: '/late-work', label: 'Late work' },
    { href: '/kpis', label: 'KPIs' },
    { href: '/targets', label: 'Sales targets' },
  ],
};

/** How often the manager's menu reads again how many deliveries wait (and at every change of page). */
const REVIEW_COUNT_EVERY_MS = 30_000;

/**
 * How many deliveries wait for the manager's review, for the menu: one read of the submitted tasks
 * (theirs alone: a manager sees their own projects' tasks), never in the page's way and silent when
 * it fails (the menu keeps the count it had). The review queue says its newer count at once.
 */
function useReviewWaiting(manager: boolean, path: string): { count: number; more: boolean } | undefined {
  const waiting = useResource(
    async () => {
      if (!manager) return undefined;
      const list = await ok(api.GET('/api/tasks', { params: { query: { status: 'submitted', pageSize: 100 } } }));
      return { count: list.items.length, more: list.nextPageToken !== undefined };
    },
    [manager],
    manager ? REVIEW_COUNT_EVERY_MS : undefined,
  );
  useEffect(
    () =>
      onMenuCount((href, count) => {
        if (manager && href === '/review') waiting.set({ count, more: false });
      }),
    [manager],
  );
  // Read again on every other page (the first is read as the menu appears).
  const readFor = useRef(path);
  useEffect(() => {
    if (!manager || readFor.current === path) return;
    readFor.current = path;
    void waiting.reload();
  }, [path, manager]);
  return waiting.data;
}

function Shell({ session, children }: { session: SessionInfo; children: ComponentChildren }) {
  const { path, query } = useLocation();
  const person = session.me.person;
  const links = NAV[person.role];
  const reviewWaiting = useReviewWaiting(person.role === 'manager', path);
  /** The count beside a menu entry, in words for screen readers ("Review queue, 3 waiting"); none at 0. */
  const countOf = (href: string) =>
    href === '/review' && reviewWaiting && reviewWaiting.count > 0 ? `${reviewWaiting.count}${reviewWaiting.more ? '+' : ''}` : undefined;
  const active = (href: string) => path === href;
  const within = menuEntryOf(path, query, person.role);
  /**
   * The entry for the page that is open is "page" (its address's query aside: a narrowed portfolio
   * is still the portfolio). A page reached from an entry's list (a project's, its plan's, a task's,
   * a KPI's drill-down) marks that entry too, so a sighted person sees where they are, but as
   * `true`, "current", not "current page": the portfolio is not the page a screen reader is on.
   */
  const current = (href: string) => (active(href) ? 'page' : href === within ? 'true' : undefined);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href={HOME[person.role]} class="brand">
          agencyflow
        </Link>
        <nav aria-label="Main">
          <ul>
            {links.map((l) => {
              const count = countOf(l.href);
              return (
                <li key={l.href}>
                  {/*
                    The name in words is the link's text, not an aria-label over what it shows (axe's
                    label-content-name-mismatch: speech input says what it sees); whole, because
                    Chromium puts a space before hidden words that follow the label ("queue ,").
                  */}
                  <Link href={l.href} aria-current={current(l.href)}>
                    {count ? (
                      <>
                        <span class="visually-hidden">{`${l.label}, ${count} waiting`}</span>
                        <span aria-hidden="true">
                          {l.label}
                          <span class="count nav-count">{count}</span>
                        </span>
                      </>
                    ) : (
                      l.label
                    )}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div class="whoami">
          <span>
            <strong>{person.name}</strong>
            <span class="muted">
              {' '}
              · {person.role}
              {person.department ? ` · ${DEPARTMENT_LABEL[person.department]}` : ''}
            </span>
          </span>
          <Link href="/settings/mail" class="whoami-mail" aria-current={active('/settings/mail') ? 'page' : undefined}>
            Your mail
          </Link>
          <button type="button" class="button button--quiet" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <FlashArea />
        {children}
      </main>
    </>
  );
}

/**
 * The menu entry a page that is none itself belongs to, for this role; undefined for a menu
 * entry's own page, a page of no entry (your mail settings) or one not for the role.
 */
function menuEntryOf(path: string, query: URLSearchParams, role: Role): string | undefined {
  if (NAV[role].some((entry) => entry.href === path)) return undefined;
  const route = ROUTES.find((r) => match(r.pattern, path));
  const href = route?.roles.includes(role) ? route.underMenuEntry?.(role, query) : undefined;
  return NAV[role].some((entry) => entry.href === href) ? href : undefined;
}

function NotFound({ path, home }: { path: string; home: string }) {
  return (
    <div class="card">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link href={home}>Go to your start page</Link>.
      </p>
    </div>
  );
}

function NotForYou({ role, home }: { role: Role; home: string }) {
  return (
    <div class="card">
      <h1 tabIndex={-1}>Not for your role</h1>
      <p>
        This page is not part of the {role} workspace. <Link href={home}>Go to your start page</Link>.
      </p>
    </div>
  );
}

/** Asked as soon as the script runs, not after the first paint: it decides the first page. */
const firstSession = ok(api.GET('/api/session'));

/** Signed out: the organisation's sign-in the sign-in page offers, if any (the session state says so only then). */
const signInOffer = async (): Promise<SingleSignOn | undefined> => (await ok(api.GET('/api/session')).catch(() => undefined))?.singleSignOn;

/** The people directory by id; undefined when it could not be read (ids then show as they are, and nobody as gone). */
async function loadPeople(): Promise<Map<string, Person> | undefined> {
  try {
    const list = await ok(api.GET('/api/people'));
    return new Map(list.items.map((p) => [p.id, p]));
  } catch {
    return undefined;
  }
}

/** Those who left, kept by name, by id; undefined when they could not be read (their ids then show as they are). */
async function loadFormerPeople(): Promise<Map<string, FormerPerson> | undefined> {
  try {
    const list = await ok(api.GET('/api/people/former'));
    return new Map(list.items.map((p) => [p.id, p]));
  } catch {
    return undefined;
  }
}

/** The people while the directory is not read (yet): one map, so pages memoising on it do not redo their work. */
const NOBODY_READ_YET = new Map<string, Person>();
/** Likewise those who left, while not read (yet). */
const NOBODY_FORMER_READ_YET = new Map<string, FormerPerson>();

/** How often the people directory is read again while the portal is open (the API follows its file every few seconds). */
const PEOPLE_REREAD_MS = 60_000;

/** Whether two reads of the directory say the same of everyone (name, role, department). */
const samePeople = (a: Map<string, Person>, b: Map<string, Person>): boolean =>
  a.size === b.size &&
  [...b.values()].every((p) => {
    const before = a.get(p.id);
    return before !== undefined && before.name === p.name && before.role === p.role && before.department === p.department;
  });

/** Whether two reads of those who left say the same of everyone (name, the day they left). */
const sameFormerPeople = (a: Map<string, FormerPerson>, b: Map<string, FormerPerson>): boolean =>
  a.size === b.size &&
  [...b.values()].every((p) => {
    const before = a.get(p.id);
    return before !== undefined && before.name === p.name && before.leftOn === p.leftOn;
  });

/**
 * A list of the people file for whoever is signed in (undefined until it is first read): read at
 * once, then every minute while the window is in sight and whenever it comes back in front, so
 * someone who left the agency or changed role reads as such (a task they hold flagged, named by the
 * name kept for them) without the page being loaded again. The map is replaced only when the list
 * changed (pages memoise on it); a read that fails keeps the last list rather than calling everyone unknown.
 */
function useReadAgain<T>(signedInAs: string | undefined, load: () => Promise<Map<string, T> | undefined>, same: (a: Map<string, T>, b: Map<string, T>) => boolean): Map<string, T> | undefined {
  const [list, setList] = useState<Map<string, T>>();
  useEffect(() => {
    if (!signedInAs) return;
    let reading = false;
    let stopped = false;
    const read = async () => {
      // One read at a time (focus and visibility come together): an older answer never lands after a newer one.
      if (reading) return;
      reading = true;
      const next = await load();
      reading = false;
      if (next && !stopped) setList((last) => (last && same(last, next) ? last : next));
    };
    const readIfInSight = () => {
      if (document.visibilityState === 'visible') void read();
    };
    void read();
    const timer = setInterval(readIfInSight, PEOPLE_REREAD_MS);
    window.addEventListener('focus', readIfInSight);
    document.addEventListener('visibilitychange', readIfInSight);
    return () => {
      stopped = true;
      clearInterval(timer);
      window.removeEventListener('focus', readIfInSight);
      document.removeEventListener('visibilitychange', readIfInSight);
    };
  }, [signedInAs]);
  return list;
}

export function App() {
  const loc = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const people = useReadAgain(me?.person.id, loadPeople, samePeople);
  // Read on its own: the directory (and who is gone) never waits for it, nor goes with its failure.
  const formerPeople = useReadAgain(me?.person.id, loadFormerPeople, sameFormerPeople);
  const [singleSignOn, setSingleSignOn] = useState<SingleSignOn | undefined>(undefined);

  const signedIn = (next: Me) => {
    setCsrfToken(next.session?.csrfToken);
    setMe(next);
    // Fetch the role's pages in the background, so moving between them waits for nothing.
    setTimeout(() => ROUTES.filter((r) => r.roles.includes(next.person.role)).forEach((r) => void r.load().catch(() => undefined)), 300);
  };

  useEffect(() => {
    firstSession.then(
      (state) => {
        if (state.signedIn && state.person) return signedIn({ person: state.person, session: state.session });
        setSingleSignOn(state.singleSignOn);
        setMe(null);
      },
      (err: unknown) => {
        console.warn('could not read the session', err);
        setMe(null);
      },
    );
    return onSignedOut(() => {
      setCsrfToken(undefined);
      setMe(null);
      void signInOffer().then(setSingleSignOn);
    });
  }, []);

  // Without a session every page path leads to sign-in, remembering where the person was going;
  // signed in, the start page and the sign-in page lead on to that page (or the role's home).
  const search = loc.query.toString();
  const clientParams = match(CLIENT_ROUTE.pattern, loc.path);
  const unsubscribeParams = match(UNSUBSCRIBE_ROUTE.pattern, loc.path);
  useEffect(() => {
    if (me === undefined || clientParams || unsubscribeParams) return;
    if (me === null) {
      if (loc.path !== '/login') navigate(`/login?next=${encodeURIComponent(loc.path + (search ? `?${search}` : ''))}`, { replace: true });
      return;
    }
    if (loc.path === '/' || loc.path === '/login') {
      const next = loc.query.get('next');
      navigate(sameSitePath(next) ?? HOME[me.person.role], { replace: true });
    }
  }, [me, loc.path, search]);

  // A new page: start at the top, and move focus to its heading for screen readers and keyboards.
  useEffect(() => {
    window.scrollTo(0, 0);
    const heading = document.querySelector<HTMLElement>('main h1') ?? document.getElementById('main');
    heading?.focus({ preventScroll: true });
  }, [loc.path]);

  // For the budget check: when the first page became usable (rendered, handlers attached), in ms
  // since navigation started. A layout effect runs right after the DOM is committed.
  useLayoutEffect(() => {
    const root = document.documentElement;
    root.dataset.ready = me === undefined ? 'no' : 'yes';
    if (me !== undefined && !root.dataset.readyAt) root.dataset.readyAt = String(Math.round(performance.now()));
  }, [me]);

  if (unsubscribeParams) {
    const UnsubscribePage = UNSUBSCRIBE_ROUTE.page;
    return <UnsubscribePage params={unsubscribeParams} query={loc.query} />;
  }

  if (clientParams) {
    const ClientPage = CLIENT_ROUTE.page;
    return <ClientPage key={loc.path} params={clientParams} query={loc.query} />;
  }

  if (me === undefined) return <Loading what="Opening the portal" />;

  if (me === null) {
    return loc.path === '/login' ? (
      <Login
        next={sameSitePath(loc.query.get('next')) ?? null}
        singleSignOn={singleSignOn}
        signInError={loc.query.get('signInError')}
        signInErrorEmail={loc.query.get('email')}
        signedOutState={loc.query.get('signedOut') === '1' ? (loc.query.get('state') ?? '') : null}
        onSignedIn={signedIn}
      />
    ) : (
      <Loading what="Opening sign-in" />
    );
  }

  const home = HOME[me.person.role];
  if (loc.path === '/' || loc.path === '/login') return <Loading />;

  const session: SessionInfo = {
    me,
    people: people ?? NOBODY_READ_YET,
    peopleRead: people !== undefined,
    formerPeople: formerPeople ?? NOBODY_FORMER_READ_YET,
    signOut: async () => {
      // Leave the pages first (their polls stop), then end the session on the server.
      setMe(null);
      navigate('/login', { replace: true });
      const answer = await ok(api.DELETE('/api/session')).catch(() => undefined);
      setCsrfToken(undefined);
      // A session the provider started: on to the provider's sign-out, or told it may still be open.
      if (continueSigningOut(answer)) return;
      // Signed in, the session state did not say what sign-in is offered; signed out, it does.
      setSingleSignOn(await signInOffer());
    },
  };

  let content = <NotFound path={loc.path} home={home} />;
  for (const route of ROUTES) {
    const params = match(route.pattern, loc.path);
    if (!params) continue;
    const Page = route.page;
    content = route.roles.includes(me.person.role) ? (
      <Page key={loc.path} params={params} query={loc.query} />
    ) : (
      <NotForYou role={me.person.role} home={home} />
    );
    break;
  }

  return (
    <SessionContext.Provider value={session}>
      <Shell session={session}>{content}</Shell>
    </SessionContext.Provider>
  );
}

/**
 * `next` after signing in, only when it stays on this site: browsers read `/\\host` and `//host`
 * as another host, so the path is resolved as the browser would and its origin compared.
 */
export function sameSitePath(next: string | null): string | undefined {
  if (!next || !next.startsWith('/')) return undefined;
  try {
    const url = new URL(next, window.location.origin);
    return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : undefined;
  } catch {
    return undefined;
  }
}
