/**
 * The portal in a real headless Chromium (playwright-core driving Debian's `chromium`, or the one
 * at CHROMIUM_PATH) against the API harness's app on an ephemeral port. Each person gets their
 * own browser context (their own cookie jar) and signs in through the sign-in page, as they would.
 * Console errors and page errors are collected per page; screenshots go to test-output/portal/.
 *
 * Under CI (`CI=true`) a missing Chromium fails the run; elsewhere the browser tests are skipped
 * with a warning.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Route } from 'playwright-core';
import { startApiHarness, type ApiHarness, type HarnessOptions, type PersonKey } from './api';
import { followPeopleFile } from './people-file';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
export const chromiumPath = CANDIDATES.find((p): p is string => !!p && fs.existsSync(p));

/** `test`, or `test.skip` with a warning when there is no browser here (never under CI). */
export function browserTestOrSkip(what: string): jest.It {
  if (!chromiumPath && process.env.CI) throw new Error('CI must run the browser tests: install Chromium (see .ci/run) or set CHROMIUM_PATH');
  if (!chromiumPath) console.warn(`No Chromium found (set CHROMIUM_PATH): ${what} is skipped on this machine.`);
  return chromiumPath ? test : test.skip;
}

const PAGE_CHECKS = fs.readFileSync(path.join(__dirname, 'page-checks.js'), 'utf8');

export const SCREENSHOT_DIR = path.join(__dirname, '..', '..', 'test-output', 'portal');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export interface PersonPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught page errors so far (network refusals included, with their URL). */
  errors: string[];
}

export interface Portal {
  baseUrl: string;
  browser: Browser;
  /** A new browser context for the person, signed in through the sign-in page at `startAt`. */
  openAs(who: PersonKey, options?: { startAt?: string; viewport?: { width: number; height: number } }): Promise<PersonPage>;
  /** A new browser context nobody is signed in to. */
  anonymous(options?: { viewport?: { width: number; height: number } }): Promise<PersonPage>;
  screenshot(page: Page, name: string, options?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/**
 * `port`: listen there rather than on any free port, for a harness whose PUBLIC_BASE_URL must be
 * the address the browser uses (single sign-on's redirect URI is made from it).
 */
export async function startPortal(h: ApiHarness, options: { port?: number } = {}): Promise<Portal> {
  const server: Server = h.app.listen(options.port ?? 0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // This machine's network is closed: keep Chromium from calling home at every start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });

  async function anonymous(options: { viewport?: { width: number; height: number } } = {}): Promise<PersonPage> {
    const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
    });
    return { page, context, errors };
  }

  return {
    baseUrl,
    browser,
    anonymous,
    async openAs(who, options = {}) {
      const person = await anonymous(options);
      const { page } = person;
      await page.goto(`${baseUrl}${options.startAt ?? '/'}`);
      await page.locator('#login-token').fill(h.people[who].token);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('.topbar').waitFor();
      return person;
    },
    async screenshot(page, name, options = {}) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
      return file;
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A page's poll answered 503 (Temporal did not answer in time): on this shared machine a starved
 * worker can make a query time out now and then. The page keeps what it shows and the next poll
 * reads again; the browser still logs the failed request, which is not the page's error.
 */
const TRANSIENT = /Failed to load resource: the server responded with a status of 503 .*\/api\//;

/** Console errors other than the network lines of refusals the test provoked on purpose. */
export function unexpectedErrors(errors: string[], allowed: RegExp[] = []): string[] {
  return errors.filter((e) => !TRANSIENT.test(e) && !allowed.some((re) => re.test(e)));
}

/**
 * Accessibility checks run on a page as it is: every visible form control has a label, every
 * button and link a name, and text meets WCAG AA contrast against its background (4.5:1, or 3:1
 * for large text). Returns what fails, in words.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(PAGE_CHECKS)) as string[];
}

/** axe-core's engine (node_modules/axe-core), put into a page by `axeViolations`. */
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core checks: WCAG 2.0 and 2.1, levels A and AA (valid ARIA, names, labels, contrast,
 * table headers, list structure, unique ids, status messages...), and its best practices
 * (landmarks, one main, heading order, every part of the page in a landmark), which a screen
 * reader's user navigates by.
 */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * The page as it is, audited by axe-core (`AXE_TAGS`): each violation in words — its rule, its
 * impact, what it asks for, and the first elements at fault (selectors) — prefixed with `where`.
 * Every violation counts, whatever its impact: a "minor" one (a heading level skipped) still
 * misleads someone who navigates by headings.
 */
export async function axeViolations(page: Page, where: string): Promise<string[]> {
  // Evaluated rather than added as a <script> element, which the portal's Content-Security-Policy refuses.
  if (!(await page.evaluate('typeof globalThis.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const { violations } = (await page.evaluate(
    `globalThis.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] })`,
  )) as { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
  return violations.map((v) => {
    const targets = v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' >> '));
    const more = v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : '';
    return `${where}: ${v.id} (${v.impact ?? 'no impact given'}): ${v.help}, at ${targets.join(' | ')}${more}`;
  });
}

/**
 * A project's page as its client opens it, from the link its manager gets, on a phone. With
 * `noticeShown`, once the page's top notice is drawn.
 */
export async function openClientPage(h: ApiHarness, portal: Portal, projectId: string, options: { noticeShown?: boolean } = {}): Promise<PersonPage> {
  const link = new URL((await h.http().get(`/api/projects/${projectId}/client-link`).set(h.auth('manager')).expect(200)).body.url as string);
  const client = await portal.anonymous({ viewport: PHONE });
  await client.page.goto(`${portal.baseUrl}${link.pathname}${link.search}`);
  if (options.noticeShown) await client.page.locator('.callout[role="status"]').waitFor();
  return client;
}

/**
 * Holds the page's reads (GET) of the API paths `which` picks until the returned function lets
 * them go: the page's polls cannot learn of a change before the test has acted on what it shows.
 */
export async function holdReads(page: Page, which: (path: string) => boolean): Promise<() => Promise<void>> {
  const held: Route[] = [];
  let holding = true;
  const handler = (route: Route) => {
    if (holding && route.request().method() === 'GET' && which(new URL(route.request().url()).pathname)) held.push(route);
    else void route.continue();
  };
  await page.route('**/api/**', handler);
  return async () => {
    holding = false;
    // The held reads go first: unrouting the page's last route turns interception off, and
    // Playwright (1.65) then lets held requests go by itself, so continuing them after would throw
    // "Route is already handled!".
    await Promise.all(held.map((r) => r.continue()));
    await page.unroute('**/api/**', handler);
  };
}

/**
 * Routes the page's requests to `url` through `handler` until the returned function is awaited.
 * Stopping waits for the handler calls still in flight before unrouting: unrouting the page's last
 * route turns interception off, and Playwright (1.65) then lets a request whose handler is still
 * awaiting (a `route.fetch()` of a poll) go by itself, so the handler's `fulfill` would throw
 * "Route is already handled!". Requests that come while stopping pass through unchanged.
 */
export async function routeUntilStopped(page: Page, url: Parameters<Page['route']>[0], handler: (route: Route) => Promise<void>): Promise<() => Promise<void>> {
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  const passing = async (route: Route) => {
    if (stopping) return route.fallback();
    const call = handler(route);
    inFlight.add(call);
    try {
      await call;
    } finally {
      inFlight.delete(call);
    }
  };
  await page.route(url, passing);
  return async () => {
    stopping = true;
    await Promise.allSettled([...inFlight]);
    await page.unroute(url, passing);
  };
}

/**
 * What a closed choice (`<select>` by id) leaves of its box once its chosen option's text is drawn,
 * less its padding and the arrow (under 1em in Chromium): under 0, the text is cut at the box's edge.
 */
export const choiceRoom = async (page: Page, selectId: string): Promise<number> =>
  (await page.evaluate(`(() => {
    const select = document.getElementById(${JSON.stringify(selectId)});
    const style = getComputedStyle(select);
    const pen = document.createElement('canvas').getContext('2d');
    pen.font = style.fontWeight + ' ' + style.fontSize + ' ' + style.fontFamily;
    return select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - parseFloat(style.fontSize) - pen.measureText(select.options[select.selectedIndex].text).width;
  })()`)) as number;

/** A screenshot of the page, which must also have no accessibility problem (named with it, so a failure says which shot). */
export async function shootChecked(portal: Portal, page: Page, name: string): Promise<void> {
  await portal.screenshot(page, name);
  expect([name, await accessibilityProblems(page)]).toEqual([name, []]);
}

/** The narrowest phone the portal is made for. */
export const NARROW_PHONE = { width: 320, height: 720 };

/**
 * `shootChecked` at the desk's width (`<name>-desktop`) and at 320 px (`<name>-phone-320`), where
 * nothing may be wider than the page (no sideways scrolling); the page is left at the desk's width.
 */
export async function shootDeskAndNarrowPhone(portal: Portal, page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await shootChecked(portal, page, `${name}-desktop`);
  await page.setViewportSize(NARROW_PHONE);
  expect([name, await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')]).toEqual([name, 0]);
  await shootChecked(portal, page, `${name}-phone-320`);
  await page.setViewportSize(DESKTOP);
}

/** `shootChecked` at the desk's width and on a phone (`<name>-phone`); the page is left at the desk's width. */
export async function shootDesktopAndPhone(portal: Portal, page: Page, name: string): Promise<void> {
  await shootChecked(portal, page, name);
  await page.setViewportSize(PHONE);
  await shootChecked(portal, page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

/** A moment as the portal shows it in that browser (its locale and zone): web/src/format.ts `formatDateTime`. */
export const shownDateTime = (page: Page, at: string | number): Promise<string> =>
  page.evaluate(
    (iso) => new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso)),
    typeof at === 'number' ? new Date(at).toISOString() : at,
  );

/** The note at the top of the project page: where it stands, what comes next. */
export const nextStep = (page: Page) => page.locator('.stage-progress + .callout');

/** Whether the element has the focus. */
export const hasFocus = (element: Locator) => element.evaluate((e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);

/** The id of the element that has the focus. */
/**
 * The id of the element that has the keyboard, once the page's pending effects have run: Preact
 * runs `useEffect` (where pages move the focus) after the next paint, which a loaded machine can
 * put after the click's promise resolves, so the id is read after two frames and a task between them.
 */
export const focusedId = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const g = globalThis as unknown as { document: { activeElement: { id: string } }; requestAnimationFrame: (f: () => void) => void };
        g.requestAnimationFrame(() => setTimeout(() => g.requestAnimationFrame(() => setTimeout(() => resolve(g.document.activeElement.id), 0)), 0));
      }),
  );

/** A datetime-local field's value this far from now, in the browsers' zone (Europe/Berlin, `startPortal`). */
export const localIn = (ms: number): string =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .format(new Date(Date.now() + ms))
    .replace(' ', 'T');

/** A day as the portal shows it in that browser (its locale and zone): web/src/format.ts `formatDate`. */
export const shownDate = (page: Page, iso: string): Promise<string> => page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(at)), iso);

/** The requests the page sends (not its reads): each one's path, body and Idempotency-Key. */
export function watchSends(page: Page) {
  const sent: { path: string; body: Record<string, unknown>; key: string }[] = [];
  const onRequest = (r: { method(): string; url(): string; postData(): string | null; headers(): Record<string, string> }) => {
    if (r.method() !== 'GET') sent.push({ path: new URL(r.url()).pathname, body: JSON.parse(r.postData() ?? '{}') as Record<string, unknown>, key: r.headers()['idempotency-key'] ?? '' });
  };
  page.on('request', onRequest);
  return { sent, stop: () => page.off('request', onRequest) };
}

/**
 * A browser test file's stack, set up and torn down in one place. Before its tests: an API harness
 * (with `harness`: its env, or without a worker), the API's directory following the harness's
 * people file when `followPeopleFile` (so the tests can make people leave or change role in it:
 * test/support/people-file.ts), what the tests start from made by `seed`, and the portal on it.
 * After them: the file stops being followed, nobody opened with `open` may have had an unexpected
 * error on their page, and the portal and harness are closed (even when that check fails).
 * `harness()` and `portal()` are what `beforeAll` started.
 */
export function portalSuite(options: { harness?: HarnessOptions; followPeopleFile?: boolean; seed?: (h: ApiHarness) => Promise<void> } = {}) {
  let h: ApiHarness | undefined;
  let portal: Portal | undefined;
  const started = <T>(what: T | undefined): T => {
    if (!what) throw new Error('portalSuite: the harness and portal start in beforeAll, before the tests');
    return what;
  };
  const opened: PersonPage[] = [];

  beforeAll(async () => {
    h = await startApiHarness(options.harness);
    if (options.followPeopleFile) followPeopleFile(h);
    await options.seed?.(h);
    portal = await startPortal(h);
  });
  afterAll(async () => {
    try {
      h?.directory.stopFollowing();
      for (const person of opened) expect(unexpectedErrors(person.errors)).toEqual([]);
    } finally {
      await portal?.close();
      await h?.close();
    }
  });

  /** The person signed in at `startAt`, their page's errors checked after the tests. */
  async function open(who: PersonKey, startAt: string, viewport = DESKTOP): Promise<PersonPage> {
    const person = await started(portal).openAs(who, { startAt, viewport });
    opened.push(person);
    return person;
  }
  return { open, harness: () => started(h), portal: () => started(portal) };
}

/**
 * A KPI drill-down's browser test (kpi-deliveries, kpi-workload, kpi-responses, kpi-feedback,
 * kpi-money, kpi-clients): `portalSuite` on a harness without a worker (with `env`), the test's
 * figures put into its reporting store by `seed`. `openKpis` signs the person in at the KPI page
 * (or `startAt`, with its filters) and waits until the chart the test starts from is drawn
 * (`chartTitle`, a selector: "#chart-delivery-title").
 */
export function kpiPortal(options: { chartTitle: string; env?: Record<string, string>; seed: (h: ApiHarness) => Promise<void> }) {
  const suite = portalSuite({ harness: { withoutWorker: true, env: options.env }, seed: options.seed });
  async function openKpis(who: 'leadership' | 'manager', viewport = DESKTOP, startAt = '/kpis'): Promise<PersonPage> {
    const person = await suite.open(who, startAt, viewport);
    await person.page.locator(options.chartTitle).waitFor();
    return person;
  }
  return { ...suite, openKpis };
}

/**
 * The rows of a table (`table`, a selector: "table.kpi-deliveries"), once it is there: each row's
 * cells (its header cell first), their text as shown, trimmed.
 */
export async function tableRows(page: Page, table: string): Promise<string[][]> {
  await page.locator(table).waitFor();
  return page.locator(`${table} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => (cell.textContent ?? '').trim())));
}
