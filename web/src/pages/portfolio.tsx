/**
 * The portfolio: every project by stage, with what needs attention flagged in words — overdue,
 * a plan ending after the client's date (the API's `endsAfterClientDate`), waiting for leadership
 * or for the client, payment past due, an open complaint. Managers see their own projects;
 * leadership sees everyone's and may narrow to one manager. Each tile that names a set of projects
 * leads to the portfolio narrowed to them (`?only=`), the overdue tasks' tile to the late work; the
 * narrowing and the manager are kept in the address, so a reload or a shared link shows the same.
 *
 * Each card says what waits on its manager (walk 6-A #5): deliveries to review, a request without
 * a plan and for how long, and once the work is accepted the money still owed and by when. A
 * project is found by its title or client as typed, by segment or by client, and a client's name
 * on a card leads to all of their projects (walk 6-A #6). Each of these is asked of the project
 * list itself, so a project is found however old, not only among the newest the page draws.
 *
 * The search and the Client and Segment choices narrow the tiles and the stage strip too: the
 * report is asked with them, by the list's own rule, and the page says whose counts they are. A
 * card owing money either way gives the amount: an unpaid prepayment or a payment past due, a refund.
 * A card billed anything says where it stands in money, in one sentence: what it invoiced and what
 * the client paid, net ("€850.00 invoiced, €1,000.00 paid"); what is owed stays on its own line.
 *
 * A stage's heading never contradicts the strip's count: while finished projects with nothing left
 * to do are hidden, a finished stage's heading says how many of the stage it shows ("Completed 1 of
 * 3 shown") and how many more are hidden, with a link showing them. A finished card says when the
 * project completed or was cancelled, not when it started.
 *
 * A project in production whose work waits for the client's prepayment has nothing started: its
 * card is under "Waiting for the prepayment", just before "In production", and the strip counts it
 * there, not as work under way (`GROUPS`; the report's by-stage count is split in the page).
 *
 * Work nobody moves on — running projects whose manager, and tasks in work whose holder, has left
 * the people directory or its role (the report's `workOfPeopleGone`) — is said above the tiles,
 * each line leading to where it is handed over or reassigned.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { allPages, api, idempotencyKey, ok, STAGES, type PortfolioCsvQuery, type PortfolioReport, type ProjectListItem, type Stage } from '../api';
import { useAction, useName, useResource, useSession } from '../data';
import { formatDate, formatDateTime, formatDuration, formatMoney, lateInWords, listInWords, plural, relative, STAGE_LABEL } from '../format';
import { localDay, periodOf, workloadHref } from '../kpi-period';
import { Link, navigate } from '../router';
import { Badge, Due, flash, Input, Loading, PageHeader, ProblemBox, Select, TextArea, usePhoneLayout } from '../ui';
import { isNarrowing, isSegment, portfolioFiltersFrom, portfolioHref, SEGMENTS, type Narrowing, type PortfolioFilters as Filters } from '../portfolio-address';
import { useGoneInWords } from '../role-now';

const FINISHED: Stage[] = ['completed', 'cancelled'];
/** The newest projects drawn as cards; every count on the page is the report's, of all of them (all found, when searched). */
const CARDS_AT_MOST = 500;
/** At most this many cards come before the tiles on a phone (`cardsFirst`). */
const FEW_CARDS = 3;
/** The client choice reads the whole directory at once: the API's most (CLIENT_LIST_MAX in api/schemas.ts). */
const CLIENTS_AT_MOST = 1_000;
/** A set of clients is named this far in words ("… and 9 more"); the cards say the rest. */
const CLIENTS_NAMED = 5;
/** The client choice's value while a set of clients is chosen: no client id has a control character (the API refuses them). */
const CLIENT_SET = '\u0001set';
/** The longest search the list takes (its `q`). */
const SEARCH_MAX = 100;
/** Typing asks the list once it pauses this long, not at every key pressed. */
const SEARCH_PAUSE_MS = 300;
/** The work is delivered and accepted: its end date no longer warns (what is left is money). */
const WORK_DONE: Stage[] = ['invoicing', 'closing'];

/**
 * The groups the cards and the stage strip show: the stages, and just before "In production" the
 * projects in production whose work waits for the client's prepayment (nothing has started), so
 * "In production" counts work under way only. The API's stage is in_production for both.
 */
type Group = Stage | 'prepayment';
const GROUPS: Group[] = STAGES.flatMap((stage): Group[] => (stage === 'in_production' ? ['prepayment', stage] : [stage]));
const GROUP_LABEL = (group: Group): string => (group === 'prepayment' ? 'Waiting for the prepayment' : STAGE_LABEL[group]);

/**
 * A cancelled project whose workflow still runs has money to settle (its bill to be paid, or a
 * refund owed): work still in the manager's hands, so it shows with the running projects (flagged)
 * even while the finished ones are hidden, never out of sight until someone ticks a box. The
 * tile's count is the report's `projects.cancelledToSettle`, the same rule in the store's SQL.
 */
const toSettle = (p: ProjectListItem): boolean => p.stage === 'cancelled' && p.executionStatus === 'RUNNING';
/**
 * A completed project with a complaint made after completion still open, its refund still owed, or
 * money owed again (a payment the bank took back): as much in the manager's hands as a cancelled
 * one to settle, so it stays in view too (its cards say which: "Open complaint", "Refund owed",
 * the amount open).
 */
const openAfterCompletion = (p: ProjectListItem): boolean => p.stage === 'completed' && (p.hasOpenComplaint || p.refundDueAt !== undefined || p.amountOwed !== undefined);
/** The API's `finished=hidden` for the CSV keeps to this same rule (`nothingLeftToDo` in api/portfolio-csv.ts). */
const shown = (p: ProjectListItem, showFinished: boolean): boolean =>
  showFinished || !FINISHED.includes(p.stage ?? 'intake') || toSettle(p) || openAfterCompletion(p);
/**
 * What a handover of all of a manager's projects moves: the running ones — a cancelled project
 * with money to settle, and a completed one with a complaint after completion or its refund open,
 * among them (the store counts a completed one without either as ended).
 */
const handedOver = (p: ProjectListItem, managerId: string): boolean => p.executionStatus === 'RUNNING' && p.managerId === managerId;
const isFinished = (p: ProjectListItem): boolean => p.stage !== undefined && FINISHED.includes(p.stage);
const isPast = (at: string | undefined, now = Date.now()): boolean => at !== undefined && Date.parse(at) < now;

/**
 * The sets a tile names, each by the rule its cards' flag follows, so a narrowed portfolio shows
 * exactly the cards that carry the flag (finished ones included: a set is wanted whole).
 */
const NARROWINGS = {
  overdue: { label: 'Overdue projects', test: (p: ProjectListItem) => p.overdue && !isFinished(p) },
  settle: { label: 'Cancelled, money to settle', test: toSettle },
  complaints: { label: 'Projects with an open complaint', test: (p: ProjectListItem) => p.hasOpenComplaint },
  payments: { label: 'Projects with a payment past due', test: (p: ProjectListItem) => isPast(p.paymentDueAt) },
  refunds: { label: 'Projects owing a refund', test: (p: ProjectListItem) => p.refundDueAt !== undefined },
} satisfies Record<Narrowing, { label: string; test: (p: ProjectListItem) => boolean }>;

/** The search as the list is asked it: trimmed, no longer than it takes. */
const searchOf = (typed: string | undefined): string => (typed ?? '').trim().slice(0, SEARCH_MAX).trim();

/** The project list's query for these filters: each is the list's own, so a match is found however old. */
const listQuery = (f: Filters) => ({
  ...(f.manager && { managerId: f.manager }),
  ...(f.q && { q: f.q }),
  // A set of clients is `clientId` given once for each (the API's array).
  ...(f.clients?.length ? { clientId: f.clients } : f.client && { clientId: f.client }),
  ...(f.segment && { segment: f.segment }),
  ...(f.only && { only: f.only }),
});

/**
 * Looking for something (a set, a client's projects, a title): every match, finished ones too.
 * A segment alone is a view of the running work, like the portfolio itself.
 */
const wholeSetOf = (f: Filters): boolean => Boolean(f.only || f.q || f.client || f.clients);

/**
 * The cards these filters show as a CSV file (GET /api/projects.csv): the list's query, all of
 * its projects (not only the newest CARDS_AT_MOST drawn), and without the finished ones with
 * nothing left to do while the page hides them (`shown`; the API's `finished=hidden` is that rule).
 */
const csvHref = (f: Filters, showFinished: boolean): string => {
  const query: PortfolioCsvQuery = { ...listQuery(f), ...(!wholeSetOf(f) && !showFinished && { finished: 'hidden' }) };
  // Each value its own pair: a set of clients is `clientId` repeated, as the list is asked it.
  const qs = new URLSearchParams(Object.entries(query).flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => [key, String(v)]))).toString();
  return `/api/projects.csv${qs ? `?${qs}` : ''}`;
};

/** "Overdue projects" → "overdue projects", for the middle of a sentence. */
const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * What needs a look first within a stage: work past due, then a plan ending after the client's
 * date; otherwise the list's order (newest first). The sort is stable, so that order stays.
 */
const attentionRank = (p: ProjectListItem): number =>
  p.overdue && !isFinished(p) ? 0 : p.endsAfterClientDate ? 1 : waitsOnManager(p) ? 2 : 3;

/** Something only the manager can move: a delivery to review, a plan to draft, changes the client asked for, money past due. */
const waitsOnManager = (p: ProjectListItem): boolean =>
  p.deliveriesToReview > 0 ||
  p.stage === 'intake' ||
  p.stage === 'planning' ||
  p.changesAskedAt !== undefined ||
  (isPast(p.paymentDueAt) && !isFinished(p));

export function Portfolio({ query }: { query: URLSearchParams }) {
  const { me, people, peopleRead } = useSession();
  const name = useName();
  const { reason: goneBecause } = useGoneInWords();
  const leadership = me.person.role === 'leadership';
  const phoneLayout = usePhoneLayout();
  // In the address (like the KPIs' filters): a reload or a shared link keeps them.
  const fromAddress = portfolioFiltersFrom(query);
  // Only leadership picks a manager: a manager's portfolio is their own, whatever the address says.
  const managerId = leadership ? (fromAddress.manager ?? '') : '';
  const filters: Filters = { ...fromAddress, manager: managerId };
  const setFilters = (next: Filters) => navigate(portfolioHref({ ...filters, ...next }), { replace: true });
  // In the address too: a reload or a shared link keeps the finished projects in view.
  const showFinished = filters.finished === true;
  const setShowFinished = (finished: boolean) => setFilters({ finished });
  /** A finished stage's link followed while that stage was hidden: shown now, and scrolled to once drawn. */
  const [goTo, setGoTo] = useState<Stage | undefined>();
  useEffect(() => {
    if (!goTo) return;
    const heading = document.getElementById(`stage-${goTo}`);
    heading?.scrollIntoView({ block: 'start' });
    heading?.focus({ preventScroll: true });
    setGoTo(undefined);
  }, [goTo, showFinished]);

  // The search as typed is in the address at once; the list is asked once typing pauses (a
  // reload, a link or a cleared box ask at once: nothing more is coming).
  const typed = searchOf(filters.q);
  const [searched, setSearched] = useState(typed);
  useEffect(() => {
    if (typed === searched) return undefined;
    if (typed === '') {
      setSearched('');
      return undefined;
    }
    const pause = setTimeout(() => setSearched(typed), SEARCH_PAUSE_MS);
    return () => clearTimeout(pause);
  }, [typed, searched]);
  /** What the project list is asked for: every filter is the list's own, so a match is found however old. */
  const asked: Filters = { manager: managerId, only: filters.only, q: searched || undefined, client: filters.client, clients: filters.clients, segment: filters.segment };
  /** What the filters on screen ask for (the search as typed, before its pause). */
  const wanted: Filters = { ...asked, q: typed || undefined };

  const overview = useResource(
    async () => {
      const filter = leadership && managerId ? { managerId } : {};
      // The work waiting for a prepayment (the inbox's planned work, by the workflow's rule): its
      // projects are "in production" with nothing started, and their cards say so.
      const planned = await ok(api.GET('/api/tasks/planned', { params: { query: filter } }));
      const waitingForPrepayment = new Map(planned.items.map((t) => [t.projectId, t.prepayment]));
      return { waitingForPrepayment };
    },
    [managerId],
    5_000,
  );
  const list = useResource(
    async () => {
      // Each filter asked of the list itself (a tile's set by the rule of the tile's count, the
      // search in the store's SQL): every match however old, where the newest CARDS_AT_MOST
      // narrowed here would miss an old project still owing money, or one a client asks about.
      const filter = listQuery(asked);
      // The report with the cards, narrowed alike (the search and choices, not the tile's set:
      // the tiles are the choice of sets): its counts are always of the cards on screen.
      const { only: _set, ...narrowedAlike } = filter;
      /** More match than the cards drawn: the last page read had a next one. */
      const paging = { more: false };
      const [report, projects] = await Promise.all([
        ok(api.GET('/api/reports/portfolio', { params: { query: narrowedAlike } })),
        allPages(async (pageToken) => {
          const page = await ok(api.GET('/api/projects', { params: { query: { ...filter, pageSize: 100, ...(pageToken && { pageToken }) } } }));
          paging.more = page.nextPageToken !== undefined;
          return page;
        }, CARDS_AT_MOST),
      ]);
      return { report, projects, more: paging.more, asked };
    },
    [portfolioHref(asked)],
    5_000,
  );
  // The agency's clients, once per visit (new clients come with new projects, not every few seconds).
  const directory = useResource(() => ok(api.GET('/api/clients', { params: { query: { limit: CLIENTS_AT_MOST } } })), []);

  /**
   * The list on screen: while the next one is asked for (a word typed on, another client) the last
   * one stays, not a blank page; another manager's is not theirs to show meanwhile.
   */
  const lastList = useRef(list.data);
  if (list.data) lastList.current = list.data;
  const shownList = list.data ?? (list.error || lastList.current?.asked.manager !== managerId ? undefined : lastList.current);
  /** What the cards on screen were found by (the filters as chosen, once their list is in). */
  const onScreen = shownList?.asked ?? asked;
  const finding = shownList !== undefined && portfolioHref(onScreen) !== portfolioHref(wanted);
  const { only } = onScreen;
  /** Narrowed to some of the projects (the manager aside: that is whose portfolio it is). */
  const narrowing = Boolean(only || onScreen.q || onScreen.client || onScreen.clients || onScreen.segment);
  /** The tiles and the stage strip count what the search and choices find, not the whole portfolio. */
  const countsFound: Filters | undefined =
    onScreen.q || onScreen.client || onScreen.clients || onScreen.segment
      ? { q: onScreen.q, client: onScreen.client, clients: onScreen.clients, segment: onScreen.segment }
      : undefined;
  const wholeSet = wholeSetOf(onScreen);

  const managers = [...people.values()].filter((p) => p.role === 'manager');
  /** The manager chosen is no longer one (gone from the directory, or in another role now). */
  const formerManager = managerId !== '' && !managers.some((m) => m.id === managerId);
  const projects = shownList?.projects ?? [];
  // The list holds the set by the tile's rule; the cards keep those carrying the set's flag.
  const narrowed = only ? projects.filter((p) => NARROWINGS[only].test(p)) : projects;
  const visible = wholeSet ? narrowed : narrowed.filter((p) => shown(p, showFinished));
  const clients = directory.data?.items;
  const clientNamed = (clientId: string): string | undefined =>
    clients?.find((c) => c.clientId === clientId)?.name ?? projects.find((p) => p.clientId === clientId)?.clientName;
  /**
   * The directory counts every project of a client, the agency's: the portfolio's own count only
   * when it shows everyone's; a manager's portfolio lists the names alone rather than a wrong count.
   */
  const countsHere = leadership && !managerId;
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  const clientOptions = clients
    ? [...clients].sort(byName).map((c) => ({ value: c.clientId, label: countsHere ? `${c.name} · ${plural(c.projects, 'project')}` : c.name }))
    : clientsOf(projects).sort(byName).map((c) => ({ value: c.clientId, label: c.name }));
  /** A set of clients in words: "3 clients: Acme, Beta and Gamma", the first few named, in the order the link gave them. */
  const clientsInWords = (ids: string[]): string => {
    const named = ids.slice(0, CLIENTS_NAMED).map((id) => clientNamed(id) ?? id);
    const more = ids.length - named.length;
    return `${plural(ids.length, 'client')}: ${more > 0 ? `${named.join(', ')} and ${more} more` : listInWords(named)}`;
  };
  /** Said of a set of filters, as the callout and the status while finding say it. */
  const described = (f: Filters): string => {
    const clientName = f.clients?.length ? clientsInWords(f.clients) : f.client ? (clientNamed(f.client) ?? 'this client') : undefined;
    return [
      f.only ? NARROWINGS[f.only].label : 'Projects',
      clientName ? ` of ${clientName}` : '',
      f.segment ? ` (${f.segment} clients)` : '',
      f.q ? ` matching “${f.q}”` : '',
      managerId ? `${clientName ? ', managed by' : ' of'} ${name(managerId)}` : '',
    ].join('');
  };
  const reload = () => void Promise.all([overview.reload(), list.reload()]);
  const loaded = overview.data && shownList ? { ...overview.data, ...shownList } : undefined;
  /**
   * A stage's count in the strip, and what its heading says it shows some of: the report's (every
   * project found, the search's too: it is asked alike), or narrowed to a tile's set the cards'
   * (the set is drawn whole up to CARDS_AT_MOST; past that the callout says more match).
   */
  const stageCount = (stage: Stage): number =>
    only ? narrowed.filter((p) => p.stage === stage).length : (loaded?.report.projects.byStage[stage] ?? 0);
  /** A card's group: its stage, or "Waiting for the prepayment" for a project in production whose work waits for it. */
  const groupOf = (p: ProjectListItem): Group | undefined =>
    p.stage === 'in_production' && loaded?.waitingForPrepayment.has(p.projectId) ? 'prepayment' : p.stage;
  /**
   * How many of the stage's "In production" wait for the prepayment, of the projects the strip
   * counts: the cards' own when they are all the projects found (a tile's set, or a list read to
   * its end); else, for the whole portfolio, the projects of the planned work (read for the same
   * manager as the report), or none when the planned work has none. Undefined when it cannot be
   * known: a search, client or segment finding more projects than the cards drawn while some
   * project waits — the strip's "In production" then counts them too, and says so.
   */
  const waitingCount: number | undefined = !loaded
    ? 0
    : only || !loaded.more
      ? narrowed.filter((p) => groupOf(p) === 'prepayment').length
      : countsFound && loaded.waitingForPrepayment.size > 0
        ? undefined
        : loaded.waitingForPrepayment.size;
  /** A group's count in the strip, and what its heading says it shows some of. */
  const groupCount = (group: Group): number =>
    group === 'prepayment'
      ? (waitingCount ?? 0)
      : group === 'in_production'
        ? Math.max(0, stageCount(group) - (waitingCount ?? 0))
        : stageCount(group);
  /** A link to a stage's cards (the strip's, a heading's "Show them"): finished ones hidden are shown first, then gone to. */
  const showStage = (e: MouseEvent, stage: Group) => {
    if (wholeSet || showFinished || stage === 'prepayment' || !FINISHED.includes(stage)) return;
    e.preventDefault();
    setShowFinished(true);
    setGoTo(stage);
  };
  const error = overview.error ?? list.error;
  /** The manager whose running projects leadership hands over from here ("Hand over all", beside the filters). */
  const handingOver = leadership && managerId && !narrowing ? managerId : undefined;
  /**
   * Nothing to show yet, anywhere (a new agency, a new manager): the page says where projects come
   * from instead of filters with nothing to find and a wall of tiles at 0.
   */
  const noProjectsYet = loaded !== undefined && !narrowing && !managerId && loaded.projects.length === 0 && totalProjects(loaded.report) === 0;

  /**
   * A portfolio of a few cards, on a phone: the cards first, under the page's heading, before the
   * four filters, the eight tiles and the nine stages, which would otherwise fill two screens above a
   * manager's first project at 320 px (with so few, there is little to find or count). Three at most:
   * a card is about 130 px tall there, so three still leave the filters and tiles within a screen's
   * scroll; with more, the tiles and filters are the quicker way to what needs attention. Not while
   * narrowed to a set or a search: the cards found stay under what found them. Moved in the page's
   * order (not by CSS alone), so the keyboard and a screen reader meet them as the eye does. A desk's
   * screen shows the tiles and the cards together: its order stays.
   */
  const cardsFirst = phoneLayout && !narrowing && visible.length > 0 && visible.length <= FEW_CARDS;

  /** The cards, stage by stage: after the tiles and the strip, or before them (`cardsFirst`). */
  const cards = loaded && (
    <>
      <div class={`stages stages--rows${finding ? ' portfolio-stale' : ''}${cardsFirst ? ' stages--first' : ''}`} aria-busy={finding ? 'true' : undefined}>
        {GROUPS.map((stage) => {
          const items = visible.filter((p) => groupOf(p) === stage).sort((a, b) => attentionRank(a) - attentionRank(b));
          if (items.length === 0) return null;
          // The strip's count of the stage: fewer cards under it are said to be some of them, so
          // the heading never reads as the whole stage (finished projects with nothing left to
          // do hidden, or cards beyond the newest CARDS_AT_MOST).
          const counted = groupCount(stage);
          // "In production" counting those waiting for the prepayment too (`waitingCount` unknown).
          const withWaiting = stage === 'in_production' && waitingCount === undefined;
          // Hidden by the "Show completed and cancelled projects" box: the heading shows them.
          const hidden = narrowed.filter((p) => groupOf(p) === stage).length - items.length;
          return (
            <section key={stage} class="stage-column" aria-labelledby={`stage-${stage}`}>
              <h2 id={`stage-${stage}`} tabIndex={-1}>
                {GROUP_LABEL(stage)} <span class="count">{items.length}</span>
                {counted > items.length && (
                  <span class="stage-shown-of">
                    {' '}
                    of {counted} shown{withWaiting ? ', counting those waiting for the prepayment' : ''}
                  </span>
                )}
              </h2>
              {hidden > 0 && (
                <p class="stage-hidden">
                  {hidden === 1 ? 'One more, with nothing left to do, is hidden.' : `${hidden} more, with nothing left to do, are hidden.`}{' '}
                  <a href={portfolioHref({ ...filters, finished: true })} onClick={(e) => showStage(e, stage)}>
                    Show {hidden === 1 ? 'it' : `all ${hidden + items.length}`}
                  </a>
                </p>
              )}
              <ul class="project-list">
                {items.map((p) => (
                  <ProjectCard
                    key={p.projectId}
                    project={p}
                    prepayment={loaded.waitingForPrepayment.get(p.projectId)}
                    showManager={leadership}
                    name={name}
                    reviewQueue={!leadership}
                    clientHref={p.clientId ? portfolioHref({ manager: managerId, client: p.clientId }) : undefined}
                  />
                ))}
              </ul>
            </section>
          );
        })}
      </div>
      {visible.length === 0 && !finding && (
        <p class="empty">
          {only && !onScreen.client && !onScreen.segment && !onScreen.q
            ? `No ${NARROWINGS[only].label.toLowerCase()} now.`
            : narrowing
            ? 'No project matches. Try fewer words, or another client or segment.'
            : loaded.projects.length > 0
            ? 'Nothing running here now. Tick “Show completed and cancelled projects” for the rest.'
            : leadership
              ? 'No projects here.'
              : 'No projects yet. Open one from a client’s request.'}
        </p>
      )}
    </>
  );

  return (
    <>
      <PageHeader
        title={leadership ? 'Portfolio' : 'My portfolio'}
        actions={
          // Before the first project, the note below offers it (one button, not two).
          !leadership &&
          !noProjectsYet && (
            <Link href="/projects/new" class="button">
              New project
            </Link>
          )
        }
      >
        <p>{leadership ? 'Every project of the agency, by stage.' : 'Your projects, by stage.'}</p>
      </PageHeader>

      {cardsFirst && cards}
      <div class="filters portfolio-filters portfolio-find" hidden={noProjectsYet}>
        {leadership && (
          <Select
            id="portfolio-manager"
            label="Manager"
            value={managerId}
            onValue={(manager) => setFilters({ manager })}
            placeholder="Everyone"
            options={[
              ...managers.map((m) => ({ value: m.id, label: m.name })),
              // A manager gone from the directory (or now in another role), chosen by the link to
              // their running projects: theirs until handed over, so their portfolio still shows.
              ...(formerManager ? [{ value: managerId, label: name(managerId) }] : []),
            ]}
            // Under the choice, not in it: the choice is too narrow for the words beside a name.
            // Not before the directory is read: nobody reads as gone for want of the list.
            detail={formerManager && peopleRead ? `${capitalized(goneBecause(managerId))}.` : undefined}
          />
        )}
        <Input
          id="portfolio-search"
          label="Find"
          value={filters.q ?? ''}
          onValue={(q) => setFilters({ q })}
          placeholder="Title or client"
          autoComplete="off"
          maxLength={SEARCH_MAX}
        />
        <Select
          id="portfolio-client"
          label="Client"
          value={filters.clients ? CLIENT_SET : (filters.client ?? '')}
          // Another choice replaces the set (“Every client” clears it, as it clears one client).
          onValue={(client) => setFilters({ client: client === CLIENT_SET ? undefined : client, clients: client === CLIENT_SET ? filters.clients : undefined })}
          placeholder="Every client"
          hint={clients && clients.length >= CLIENTS_AT_MOST ? `The ${CLIENTS_AT_MOST} clients most recently active; find any other by name.` : undefined}
          options={[
            ...clientOptions,
            // Several clients chosen by a link (the KPIs' regular clients): the set, named in the callout.
            ...(filters.clients ? [{ value: CLIENT_SET, label: `These ${plural(filters.clients.length, 'client')}` }] : []),
            // A client chosen by a link who is not in the directory read (beyond its most).
            ...(filters.client && !clientOptions.some((c) => c.value === filters.client)
              ? [{ value: filters.client, label: clientNamed(filters.client) ?? 'A client with no projects' }]
              : []),
          ]}
        />
        <Select
          id="portfolio-segment"
          label="Segment"
          value={filters.segment ?? ''}
          onValue={(v) => setFilters({ segment: isSegment(v) ? v : undefined })}
          placeholder="B2B and B2C"
          options={SEGMENTS.map((v) => ({ value: v, label: `${v} clients` }))}
        />
        <Select
          id="portfolio-only"
          label="Show"
          value={filters.only ?? ''}
          onValue={(v) => setFilters({ only: isNarrowing(v) ? v : undefined })}
          placeholder="Every project"
          options={Object.entries(NARROWINGS).map(([value, n]) => ({ value, label: n.label }))}
        />
      </div>
      {/* The filters as they stand (the search as typed): what a spreadsheet gets is what they find. */}
      {!noProjectsYet && (
        <p class="portfolio-download">
          <a class="button button--secondary" href={csvHref(wanted, showFinished)} download>
            Download CSV
          </a>
        </p>
      )}
      {/* Next to the filter that chose the manager, not below every card of theirs. Beside their
          whole list only: a narrowed list holds some of their running projects, not all it hands over. */}
      {handingOver && loaded && (
        <HandOverAll
          fromManagerId={managerId}
          running={loaded.projects.filter((p) => handedOver(p, managerId))}
          onDone={reload}
        />
      )}

      {error && <ProblemBox error={error} title="Could not load the portfolio" />}
      {!loaded ? (
        !error && <Loading what="Loading the portfolio" />
      ) : noProjectsYet ? (
        <NoProjectsYet leadership={leadership} />
      ) : (
        <>
          <WorkOfPeopleGone gone={loaded.report.workOfPeopleGone} managerId={managerId} handingOver={handingOver} back={portfolioHref(filters)} />
          {/* Beside the tiles, so nobody reads a search's counts as the agency's. */}
          {countsFound && (
            <p class="portfolio-counts-for" id="portfolio-counts-for">
              Counts for {lowerFirst(described(countsFound))}
            </p>
          )}
          <Summary report={loaded.report} leadership={leadership} managerId={managerId} found={countsFound} />
          {finding && (
            <p class="hint portfolio-finding" role="status">
              Finding {lowerFirst(described(wanted))}…
            </p>
          )}
          {narrowing && (
            <p class="callout portfolio-narrowed" role="status">
              {described(onScreen)}: {plural(visible.length, 'project')}
              {loaded.more ? `, the newest; more match — add a word, or choose a client or segment, for older ones` : ''}.{' '}
              <Link href={portfolioHref({ manager: managerId })}>Show every project</Link>
            </p>
          )}
          {!wholeSet && (
            <div class="checkbox-line">
              <input id="show-finished" type="checkbox" checked={showFinished} onChange={() => setShowFinished(!showFinished)} />
              <label for="show-finished">Show completed and cancelled projects</label>
            </div>
          )}
          <ul class="stage-strip" aria-label="Projects per stage">
            {GROUPS.map((stage) => {
              const n = groupCount(stage);
              // Not a stage of its own: said only when there is any (and known), beside "In production".
              if (stage === 'prepayment' && n === 0) return null;
              // The link only where cards of the stage are drawn.
              const drawn = narrowed.some((p) => groupOf(p) === stage);
              const label = stage === 'in_production' && waitingCount === undefined ? 'In production, with those waiting for the prepayment' : GROUP_LABEL(stage);
              return (
                <li key={stage} class={n === 0 ? 'empty-stage' : undefined}>
                  {drawn ? (
                    <a href={`#stage-${stage}`} onClick={(e) => showStage(e, stage)}>
                      {label}
                    </a>
                  ) : (
                    label
                  )}{' '}
                  <span class="count">{n}</span>
                </li>
              );
            })}
          </ul>
          {/* The report's total against the cards: of the whole portfolio only (a narrowed list says its own). */}
          {!narrowing && beyondTheList(loaded.report, loaded.projects.length) > 0 && (
            <p class="hint" role="status">
              Showing the newest {loaded.projects.length} of {totalProjects(loaded.report)} projects; the counts above are of all of them.
              {leadership && !managerId ? ' Pick a manager to see theirs.' : ''}
            </p>
          )}
          {!cardsFirst && cards}
          {!leadership && !narrowing && (
            <HandOverAll
              fromManagerId={me.person.id}
              running={loaded.projects.filter((p) => handedOver(p, me.person.id))}
              onDone={reload}
            />
          )}
        </>
      )}
    </>
  );
}

/** The portfolio before its first project: where projects come from, and the first step. */
function NoProjectsYet({ leadership }: { leadership: boolean }) {
  return (
    <div class="empty portfolio-first-run">
      {leadership ? (
        <p>
          No projects yet. A manager opens a project from a client’s request and writes its plan; the plan then waits for your decision under{' '}
          <Link href="/approvals">Approvals</Link> before any work starts.
        </p>
      ) : (
        <>
          <p>No projects yet. Each project starts from a client’s request: open it, write its plan, and once leadership approves the plan the departments get their tasks.</p>
          <p>
            <Link href="/projects/new" class="button">
              Open your first project
            </Link>
          </p>
        </>
      )}
    </div>
  );
}

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The work nobody moves on until it is handed over or reassigned (the report's `workOfPeopleGone`):
 * running projects whose manager, and tasks in work whose holder, is no longer in the people
 * directory — or no longer in the role that holds it, said beside their name — above the tiles,
 * and only when there is any. Someone gone is named by their id (the directory no longer has their
 * name). A gone manager's line leads leadership to that manager's portfolio, where "Hand over all"
 * is; a holder's to their tasks in work (the workload list, whose way back is this portfolio as it
 * was), each task's page reassigning it. A manager's are the tasks in their own projects: their
 * projects are their own.
 */
function WorkOfPeopleGone({
  gone,
  managerId,
  handingOver,
  back,
}: {
  gone: PortfolioReport['workOfPeopleGone'];
  /** The manager leadership narrowed the portfolio to: the report's and the workload list's scope. */
  managerId: string;
  /** The manager whose "Hand over all" is on the page already. */
  handingOver?: string;
  /** The portfolio's address as it is (its manager, narrowing and search): the work in hand's way back. */
  back: string;
}) {
  const { besideName: who } = useGoneInWords();
  const { me } = useSession();
  /**
   * Who moves them, and where: a task is reassigned by its project's manager — a manager here all
   * at once from the work in hand the line leads to ("Give all … to"), or each from its page;
   * leadership sees the tasks of every manager's projects, whose managers reassign them.
   */
  const reassignedBy = (inWork: number): string =>
    me.person.role === 'manager'
      ? inWork === 1
        ? 'reassign it there.'
        : 'reassign them there, all at once or each from its page.'
      : inWork === 1
        ? 'its project’s manager reassigns it.'
        : 'their projects’ managers reassign them.'
  // For a manager the report names no projects: it is of their own, and they are here.
  const { projects, tasks } = gone;
  if (projects.length === 0 && tasks.length === 0) return null;
  // Workload is measured now: the list's period is the KPI page's way back, unused from here (its way back is `back`).
  const period = periodOf({}, localDay(new Date()));
  return (
    <section class="callout callout--warn people-gone" aria-labelledby="people-gone-title">
      <h2 id="people-gone-title">Work of people no longer here</h2>
      <ul>
        {projects.map((m) => {
          const line = `${who(m.managerId)} — ${plural(m.running, 'running project')}`;
          const handOver = `hand ${m.running === 1 ? 'it' : 'them'} over to another manager`;
          return (
            <li key={`manager-${m.managerId}`}>
              {m.managerId === handingOver ? (
                `${line}: ${handOver} with “Hand over all” above.`
              ) : (
                <>
                  <Link href={portfolioHref({ manager: m.managerId })}>{line}</Link>: {handOver} there.
                </>
              )}
            </li>
          );
        })}
        {tasks.map((t) => (
          <li key={`holder-${t.personId}`}>
            <Link href={workloadHref({ managerId: managerId || undefined }, period, { assignee: t.personId, state: 'in_work' }, back)}>
              {who(t.personId)} — {plural(t.inWork, 'task')} in work
            </Link>
            : {reassignedBy(t.inWork)}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The clients of the listed projects, by name (while the directory is not read): a client is named as on their newest project. */
function clientsOf(projects: ProjectListItem[]): { clientId: string; name: string }[] {
  const byId = new Map<string, { clientId: string; name: string }>();
  // The list is newest first: the first project of a client names them.
  for (const p of projects) {
    if (p.clientId && !byId.has(p.clientId)) byId.set(p.clientId, { clientId: p.clientId, name: p.clientName ?? 'A client without a name' });
  }
  return [...byId.values()];
}

const totalProjects = (report: PortfolioReport): number => Object.values(report.projects.byStage).reduce((n, count) => n + count, 0);
/**
 * Projects the report counts that the page has no card for: only once the list is full (below it,
 * a difference is a project created between the two reads, not one left out).
 */
const beyondTheList = (report: PortfolioReport, listed: number): number => (listed < CARDS_AT_MOST ? 0 : totalProjects(report) - listed);

/**
 * The tiles at a glance, every count from the report (exact, however many projects there are; the
 * cards show at most the first 500). A cancelled project with money to settle is not active (its
 * work is stopped) but not done either: it has a tile of its own, by the cards' rule (`toSettle`).
 * With a search or a client or segment chosen (`found`), the report counts the projects found, and
 * each tile leads to its set of them.
 */
function Summary({ report, leadership, managerId, found }: { report: PortfolioReport; leadership: boolean; managerId: string; found?: Filters }) {
  const narrowTo = (only: Narrowing) => portfolioHref({ ...found, manager: managerId, only });
  // The late work and the approvals list the agency's (or a manager's) whole: what a search found is
  // its overdue projects (those with work past due) and its stage's cards on this page.
  const lateWork = found ? narrowTo('overdue') : `/late-work${managerId ? `?manager=${encodeURIComponent(managerId)}` : ''}`;
  const approvals = leadership && !found ? '/approvals' : '#stage-awaiting_approval';
  const tiles: { label: string; value: number; tone?: 'bad' | 'warn'; href?: string }[] = [
    { label: 'Active projects', value: report.projects.active },
    { label: 'Cancelled, money to settle', value: report.projects.cancelledToSettle, tone: 'warn', href: narrowTo('settle') },
    { label: 'Overdue projects', value: report.projects.overdue, tone: 'bad', href: narrowTo('overdue') },
    { label: 'Overdue tasks', value: report.tasks.overdue, tone: 'bad', href: lateWork },
    // Leadership decides them on the approvals page; a manager's wait in their stage on this page.
    { label: 'Plans awaiting decision', value: report.plansAwaitingDecision.count, tone: 'warn', href: approvals },
    // Past their resolution time, the manager and leadership were told: late, not just open. Like
    // the money tiles, it counts projects (one with two complaints open counts once), in the set's words.
    {
      label: report.openComplaints.pastDue > 0 ? `${NARROWINGS.complaints.label}, ${report.openComplaints.pastDue} past due` : NARROWINGS.complaints.label,
      value: report.openComplaints.count,
      tone: report.openComplaints.pastDue > 0 ? 'bad' : 'warn',
      href: narrowTo('complaints'),
    },
    // The report counts projects (`unpaidInvoicesPastDue.count`: one with two invoices past due
    // counts once), as the set it leads to lists them: said in the set's own words, so the tile's
    // number and the narrowed list's ("…: 2 projects") read the same.
    { label: NARROWINGS.payments.label, value: report.unpaidInvoicesPastDue.count, tone: 'bad', href: narrowTo('payments') },
    // Past due once the earliest refund owed is: the agency is late paying its client.
    {
      label: report.refundsOwed.pastDue > 0 ? `${NARROWINGS.refunds.label}, ${report.refundsOwed.pastDue} past due` : NARROWINGS.refunds.label,
      value: report.refundsOwed.count,
      tone: report.refundsOwed.pastDue > 0 ? 'bad' : 'warn',
      href: narrowTo('refunds'),
    },
  ];
  return (
    <ul class="tiles" aria-label="At a glance" aria-describedby={found ? 'portfolio-counts-for' : undefined}>
      {tiles.map((t) => {
        const content = (
          <>
            <span class="tile-value">{t.value}</span> <span class="tile-label">{t.label}</span>
          </>
        );
        // A tile naming a set leads to it; an empty set has nothing to show.
        const href = t.value > 0 ? t.href : undefined;
        return (
          <li key={t.label} class={`tile${t.tone && t.value > 0 ? ` tile--${t.tone}` : ''}${href ? ' tile--link' : ''}`}>
            {href === undefined ? (
              content
            ) : href.startsWith('#') ? (
              <a href={href}>{content}</a>
            ) : (
              <Link href={href}>{content}</Link>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function ProjectCard({
  project: p,
  prepayment,
  showManager,
  name,
  reviewQueue,
  clientHref,
}: {
  project: ProjectListItem;
  /** The prepayment invoice the project's work waits for, when it waits for one. */
  prepayment?: { invoiceNumber: string; dueAt: string };
  showManager: boolean;
  name: (id?: string) => string;
  /** The reader reviews the deliveries (the project's manager): the count leads to their review queue. */
  reviewQueue: boolean;
  /** The portfolio narrowed to the client's projects. */
  clientHref?: string;
}) {
  const now = Date.now();
  const past = (at?: string): boolean => isPast(at, now);
  // With the client for review, the client waits on the manager while changes they asked for are unanswered.
  const waitingFor =
    p.changesAskedAt !== undefined
      ? reviewQueue
        ? 'you'
        : p.managerId
          ? name(p.managerId)
          : 'the manager'
      : p.stage === 'awaiting_approval'
        ? 'leadership'
        : p.stage === 'client_review'
          ? 'the client'
          : undefined;
  const waitingSince = p.changesAskedAt ?? p.stageEnteredAt;
  const paymentLate = p.paymentDueAt && Date.parse(p.paymentDueAt) < now && !FINISHED.includes(p.stage ?? 'intake');
  const finished = p.stage !== undefined && FINISHED.includes(p.stage);
  return (
    <li class="project-card">
      <Link href={`/projects/${p.projectId}`} class="project-title">
        {p.title ?? p.projectId}
      </Link>
      <span class="muted">
        {clientHref ? (
          <Link href={clientHref} class="client-link" title={`Every project of ${p.clientName ?? 'this client'}`}>
            {p.clientName}
          </Link>
        ) : (
          p.clientName
        )}
        {p.segment ? ` · ${p.segment}` : ''}
        {showManager && p.managerId ? ` · ${name(p.managerId)}` : ''}
      </span>
      <span class="meta-row">
        {p.overdue && !finished && <Badge tone="bad">Overdue</Badge>}
        {p.endsAfterClientDate && p.plannedEndAt && p.clientDueAt && (
          <Badge
            tone="warn"
            title={`The plan ends ${formatDateTime(p.plannedEndAt)}, ${lateInWords(Date.parse(p.plannedEndAt) - Date.parse(p.clientDueAt))} after the date the client asked for (${formatDate(p.clientDueAt)})`}
          >
            Late for the client
          </Badge>
        )}
        {p.deliveriesToReview > 0 &&
          (reviewQueue ? (
            <Link href="/review" class="badge badge--warn badge-link">
              {plural(p.deliveriesToReview, 'delivery', 'deliveries')} to review
            </Link>
          ) : (
            <Badge tone="warn">{plural(p.deliveriesToReview, 'delivery', 'deliveries')} waiting for review</Badge>
          ))}
        {(p.stage === 'intake' || p.stage === 'planning') && (
          // The client waits for the agency's proposal: since the request came in, or since leadership sent the plan back.
          <Badge tone="warn">
            {p.planSentBack
              ? `Plan sent back${p.stageEnteredAt ? ` · ${formatDuration(now - Date.parse(p.stageEnteredAt))}` : ''}`
              : `No plan yet · ${formatDuration(now - Date.parse(p.startedAt))}`}
          </Badge>
        )}
        {p.changesAskedAt !== undefined && (
          <Badge tone="warn" title={`The client asked for changes ${formatDateTime(p.changesAskedAt)}: they wait for a round of changes, or an answer without one`}>
            Changes asked by the client
          </Badge>
        )}
        {waitingFor && (
          <Badge tone="warn">
            Waiting for {waitingFor}
            {waitingSince ? ` · ${formatDuration(now - Date.parse(waitingSince))}` : ''}
          </Badge>
        )}
        {prepayment && (
          <Badge tone="warn" title={`Nothing has started: the work starts once invoice ${prepayment.invoiceNumber} is paid`}>
            Waits for the prepayment
          </Badge>
        )}
        {paymentLate && <Badge tone="bad">Payment past due</Badge>}
        {p.hasOpenComplaint &&
          (past(p.complaintDueAt) ? <Badge tone="bad">Complaint past due</Badge> : <Badge tone="warn">Open complaint</Badge>)}
        {p.refundDueAt !== undefined && (past(p.refundDueAt) ? <Badge tone="bad">Refund past due</Badge> : <Badge tone="warn">Refund owed</Badge>)}
        {toSettle(p) && <Badge tone="warn">Cancelled · money to settle</Badge>}
      </span>
      {WORK_DONE.includes(p.stage ?? 'intake') || (toSettle(p) && p.amountOwed !== undefined) ? (
        <>
          <MoneyBilled project={p} />
          <MoneyOwed project={p} now={now} />
        </>
      ) : (
        <>
          {finished ? <FinishedOn project={p} /> : <ProjectDates project={p} />}
          <MoneyBilled project={p} />
          {/* Owed before the work is done: a prepayment, waited for or past due. How much, by when. */}
          {p.amountOwed !== undefined && <MoneyOwed project={p} now={now} />}
        </>
      )}
      {p.refundOwed !== undefined && p.refundDueAt && <RefundOwed amount={p.refundOwed} currency={p.currency} dueAt={p.refundDueAt} now={now} />}
    </li>
  );
}

/**
 * Where the project stands in money: what it billed and what the client paid, net, over its whole
 * life (the list's `invoiced` and `paid`), as one sentence ("€850.00 invoiced, €1,000.00 paid").
 * What is still owed either way, and by when, is the lines under it (`MoneyOwed`, `RefundOwed`),
 * not said twice. Nothing billed nor paid yet: no line (the list carries no budget to show instead).
 */
function MoneyBilled({ project: p }: { project: ProjectListItem }) {
  if (p.invoiced === 0 && p.paid === 0) return null;
  return (
    <span class="muted money-billed">
      {formatMoney(p.invoiced, p.currency)} invoiced, {formatMoney(p.paid, p.currency)} paid
    </span>
  );
}

/**
 * Once the work is accepted, what is left is money: what the client still owes and by when (the
 * earliest due date of their open invoices), past due in the warning's tone.
 */
function MoneyOwed({ project: p, now }: { project: ProjectListItem; now: number }) {
  // The client owing nothing while the agency owes them a refund: the refund's line says the money.
  if (p.amountOwed === undefined || !p.paymentDueAt) return p.refundOwed === undefined ? <span class="muted">Nothing owed now</span> : null;
  const late = Date.parse(p.paymentDueAt) < now;
  return (
    <span class={`money-owed${late ? ' money-owed--late' : ''}`}>
      {formatMoney(p.amountOwed, p.currency)} open,{' '}
      <time dateTime={p.paymentDueAt} title={relative(p.paymentDueAt)}>
        {late ? 'was due' : 'due'} {formatDate(p.paymentDueAt)}
      </time>
    </span>
  );
}

/**
 * A refund the agency owes its client (the card's "Refund owed"): how much and by when, past due in
 * the warning's tone, as the money the client owes is said.
 */
function RefundOwed({ amount, currency, dueAt, now }: { amount: number; currency: string; dueAt: string; now: number }) {
  const late = Date.parse(dueAt) < now;
  return (
    <span class={`refund-owed${late ? ' money-owed--late' : ''}`}>
      {formatMoney(amount, currency)} to refund,{' '}
      <time dateTime={dueAt} title={relative(dueAt)}>
        {late ? 'was due' : 'due'} {formatDate(dueAt)}
      </time>
    </span>
  );
}

/**
 * When a finished project completed or was cancelled: the moment it entered its last stage
 * (`stageEnteredAt`), what someone looking back at it asks first, not when it started.
 */
function FinishedOn({ project: p }: { project: ProjectListItem }) {
  if (!p.stageEnteredAt) return <span class="muted">started {formatDate(p.startedAt)}</span>;
  return (
    <span class="muted">
      <time dateTime={p.stageEnteredAt} title={`Started ${formatDate(p.startedAt)}`}>
        {p.stage === 'cancelled' ? 'cancelled' : 'completed'} {formatDate(p.stageEnteredAt)}
      </time>
    </span>
  );
}

/**
 * When the plan ends, and under it the client's date when the plan ends after it (the card's
 * "Late for the client"). Before a plan is approved nothing has set an end: the card gives the
 * client's date as what it is, their wish (without tasks, `dueAt` is that date).
 */
function ProjectDates({ project: p }: { project: ProjectListItem }) {
  const clientDate = p.clientDueAt ?? p.dueAt;
  const clientWants = clientDate && (
    <time dateTime={clientDate} title={relative(clientDate)}>
      client wants it by {formatDate(clientDate)}
    </time>
  );
  if (!p.plannedEndAt) return clientWants ? <span class="muted">{clientWants}</span> : <span class="muted">no dates yet</span>;
  // Each on a line of its own (the card is a column): run together on a narrow card they read as one.
  return (
    <>
      <Due dueAt={p.plannedEndAt} overdue={false} projectEnd done={WORK_DONE.includes(p.stage ?? 'intake')} />
      {p.endsAfterClientDate && clientWants && <span class="muted">{clientWants}</span>}
    </>
  );
}

/**
 * Every running project of one manager to another at once (a manager leaving, or away for weeks):
 * leadership for the manager they narrowed the portfolio to, a manager for their own. Each
 * project goes as by its own handover; the answer says which went and which said no.
 */
function HandOverAll({ fromManagerId, running, onDone }: { fromManagerId: string; running: ProjectListItem[]; onDone: () => void }) {
  const { me, people } = useSession();
  const name = useName();
  const own = fromManagerId === me.person.id;
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  // One key per handover as typed: a second click after a lost answer reads the first one.
  const [key, setKey] = useState(idempotencyKey);
  const [refused, setRefused] = useState<{ projectId: string; title?: string; reason?: string }[]>([]);
  const retype = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setKey(idempotencyKey());
  };
  const handOver = useAction(
    () =>
      ok(
        api.POST('/api/managers/{id}/handover', {
          params: { path: { id: fromManagerId }, header: { 'Idempotency-Key': key } },
          body: { toManagerId: to, ...(note.trim() !== '' && { note }) },
        }),
      ),
    (answer) => {
      flash(`${plural(answer.handedOver, 'project')} handed over to ${name(answer.toManagerId)}.`);
      setRefused(answer.projects.filter((p) => p.outcome === 'refused'));
      setTo('');
      setNote('');
      setKey(idempotencyKey());
      onDone();
    },
  );
  const whose = own ? 'your' : `${name(fromManagerId)}’s`;
  // A cancelled project still runs while money is to settle, a completed one while a complaint
  // after completion or its refund is open (both among the finished ones on the page).
  const settling = running.filter((p) => p.stage === 'cancelled').length;
  const complained = running.filter((p) => p.stage === 'completed').length;
  const ofThem = (n: number, what: string): string => `; ${n === running.length ? (n === 1 ? 'it is' : 'all are') : `${n} of them`} ${what}`;
  if (running.length === 0 && refused.length === 0) return null;
  return (
    <details class="card">
      <summary>Hand over {own ? 'all your' : `all of ${name(fromManagerId)}’s`} running projects</summary>
      {refused.length > 0 && (
        <div class="callout callout--warn" role="status">
          <p>{plural(refused.length, 'project')} stayed with {own ? 'you' : name(fromManagerId)}:</p>
          <ul>
            {refused.map((p) => (
              <li key={p.projectId}>
                <Link href={`/projects/${p.projectId}`}>{p.title ?? p.projectId}</Link>: {p.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {running.length > 0 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (to !== '' && !window.confirm(`Hand ${plural(running.length, 'running project')} to ${name(to)}? Each client is told by e-mail.`)) return;
            void handOver.act();
          }}
          noValidate
        >
          <p>
            {plural(running.length, 'running project')} ({whose}
            {settling > 0 && ofThem(settling, 'cancelled, with money still to settle')}
            {complained > 0 && ofThem(complained, 'completed, with a complaint or its refund still open')}) go to the
            new manager, each with its tasks: from then on they review the work, record the
            clients’ answers and are chased for what is late. Every client is told by e-mail; both managers get one e-mail listing them all. Projects that have ended stay where they
            are. To share them out among several managers, hand them over one by one from each project’s page.
          </p>
          <ProblemBox error={handOver.error} shownAtFields={['toManagerId', 'note']} />
          <Select
            id="handover-all-to"
            label="New manager"
            value={to}
            onValue={handOver.editing('toManagerId', retype(setTo))}
            placeholder="Choose a manager"
            options={[...people.values()].filter((m) => m.role === 'manager' && m.id !== fromManagerId).map((m) => ({ value: m.id, label: m.name }))}
            error={handOver.at('toManagerId')}
          />
          <TextArea id="handover-all-note" label="Note for the new manager (optional)" value={note} onValue={handOver.editing('note', retype(setNote))} error={handOver.at('note')} />
          <button type="submit" class="button button--secondary" disabled={handOver.pending || !to}>
            {handOver.pending ? 'Handing over…' : `Hand over ${plural(running.length, 'project')}`}
          </button>
        </form>
      )}
    </details>
  );
}
