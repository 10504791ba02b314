/**
 * Signing in to the portal with the organisation's single sign-on, in a real headless Chromium
 * against a real OpenID Connect provider over HTTP (test/support/oidc-provider.ts, its own sign-in
 * form): "Sign in with <provider>" comes first on the sign-in page, above the token sign-in, and
 * takes the whole page to the provider and back to the page the person asked for, signed in as
 * themselves. Back without a session, the page says in words what happened and what to do (each of
 * the callback's reasons), in an alert that takes the focus, with the button offered again; no
 * session is made. A `next` off the site is never passed on; signing out offers the button again.
 * Signing out goes through the provider's own sign-out and back to the sign-in page, which says so
 * and names the provider; the provider then asks again. A provider that cannot end its session
 * leaves a warning that it may still be open.
 *
 * The redirect URI registered with the provider is `${PUBLIC_BASE_URL}/api/session/oidc/callback`,
 * so the portal listens on the port PUBLIC_BASE_URL names: the address the browser uses.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { ProjectStatus } from '../../workflows/project/contract';
import { projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { browserTestOrSkip, hasFocus, shootDeskAndNarrowPhone, startPortal, unexpectedErrors, type PersonPage, type Portal } from '../support/browser';
import { startTestOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { freePort } from '../support/ports';
import { uniqueId } from '../support/temporal';

jest.setTimeout(120_000);
const browserTest = browserTestOrSkip('single sign-on in the portal');

let provider: TestOidcProvider;
let h: ApiHarness;
let portal: Portal;
const pages: PersonPage[] = [];
const title = `Signed in elsewhere ${uniqueId('s').slice(-6)}`;
let projectPath: string;

beforeAll(async () => {
  provider = await startTestOidcProvider();
  const port = await freePort();
  h = await startApiHarness({
    env: {
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_PROVIDER_NAME: 'Test IdP',
    },
  });
  portal = await startPortal(h, { port });
  // What the operator registers with the provider beside the redirect URI.
  provider.postLogoutRedirectUris.push(`${portal.baseUrl}/login?signedOut=1`);
  const created = await h.http().post('/api/projects').set(h.auth('manager')).send(projectRequest({ title })).expect(201);
  projectPath = `/projects/${(created.body as ProjectStatus).projectId}`;
});

afterAll(async () => {
  const errors = pages.flatMap((p) => unexpectedErrors(p.errors, [faviconOf(provider)]));
  await portal?.close();
  await h?.close();
  await provider?.close();
  expect(errors).toEqual([]);
});

afterEach(() => provider.misbehave({}));

/** The provider's page is not the portal's: Chromium asking it for a favicon it lacks is its own affair. */
const faviconOf = (idp: TestOidcProvider) => new RegExp(`status of 404 .*\\(${idp.issuer.replace(/\./g, '\\.')}/favicon\\.ico\\)`);

async function visitor(): Promise<PersonPage> {
  const person = await portal.anonymous();
  pages.push(person);
  return person;
}

const signInWithProvider = (page: Page) => page.getByRole('link', { name: 'Sign in with Test IdP' });
const failure = (page: Page) => page.locator('main [role="alert"]');
/** The sign-in card's alert, links, headings below its title and fields, in the order a screen reader reads them. */
const signInOrder = (page: Page) =>
  page.evaluate<string[]>(`[...document.querySelectorAll('.login-card:first-child :is([role="alert"], a, h2, input)')].map((e) => e.getAttribute('role') ?? (e.id || e.textContent.trim()))`);
const hasSession = async (context: BrowserContext) => (await context.cookies()).some((c) => c.name === 'agencyflow_session');

/** At the provider's own form: the email typed, then Continue or Cancel; back on the portal's sign-in page or beyond. */
async function atProvider(page: Page, choice: { email: string } | 'cancel'): Promise<void> {
  await page.getByRole('heading', { name: 'Test IdP' }).waitFor();
  expect(new URL(page.url()).origin).toBe(provider.issuer);
  if (choice === 'cancel') {
    await page.getByRole('button', { name: 'Cancel' }).click();
  } else {
    await page.getByLabel('Email').fill(choice.email);
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.waitForURL((url) => url.origin === portal.baseUrl && url.pathname !== '/api/session/oidc/callback');
}

/** From the sign-in page (opened at `path`) to the provider as `email`, and back without a session: what the page says. */
async function refused(path: string, choice: { email: string } | 'cancel'): Promise<{ page: Page; alert: string }> {
  const { page, context } = await visitor();
  await page.goto(`${portal.baseUrl}${path}`);
  await signInWithProvider(page).click();
  await atProvider(page, choice);
  await failure(page).waitFor();
  // The reason is read first (the focus is on it), the button to try again right after it; no session.
  expect(await hasFocus(failure(page))).toBe(true);
  expect(await signInOrder(page)).toEqual(['alert', 'Sign in with Test IdP', 'Or sign in with a token', 'login-token']);
  await page.keyboard.press('Tab');
  expect(await hasFocus(signInWithProvider(page))).toBe(true);
  expect(await hasSession(context)).toBe(false);
  expect((await (await context.request.get(`${portal.baseUrl}/api/session`)).json()).signedIn).toBe(false);
  return { page, alert: (await failure(page).innerText()).replace(/\s+/g, ' ').trim() };
}

browserTest('a manager opens a deep link signed out, signs in with the provider, and lands on that page as themselves', async () => {
  const { page, context } = await visitor();
  await page.goto(`${portal.baseUrl}${projectPath}`);
  await signInWithProvider(page).waitFor();
  expect(new URL(page.url()).searchParams.get('next')).toBe(projectPath);

  // The provider's sign-in first, the token sign-in after it under its own heading, for integrations and the demo people.
  const button = signInWithProvider(page);
  expect(await button.getAttribute('href')).toBe(`/api/session/oidc?next=${encodeURIComponent(projectPath)}`);
  expect(await failure(page).count()).toBe(0);
  expect(await signInOrder(page)).toEqual(['Sign in with Test IdP', 'Or sign in with a token', 'login-token']);
  expect(await page.getByRole('heading', { name: 'Or sign in with a token', level: 2 }).count()).toBe(1);
  await shootDeskAndNarrowPhone(portal, page, '98a-sign-in-with-provider');
  // The first stop of the keyboard, its ring visible.
  await page.keyboard.press('Tab');
  expect(await hasFocus(button)).toBe(true);
  expect(await page.evaluate('(s => `${s.outlineStyle} ${s.outlineWidth}`)(getComputedStyle(document.activeElement))')).toBe('solid 3px');

  await button.click();
  await page.getByRole('heading', { name: 'Test IdP' }).waitFor();
  await portal.screenshot(page, '98b-provider-sign-in-form-desktop');
  await page.setViewportSize({ width: 320, height: 720 });
  await portal.screenshot(page, '98b-provider-sign-in-form-phone-320');
  await page.setViewportSize({ width: 1280, height: 900 });
  await atProvider(page, { email: `${h.people.manager.id}@agency.example` });

  await page.getByRole('heading', { name: title }).waitFor();
  expect(new URL(page.url()).pathname).toBe(projectPath);
  expect(await page.locator('.whoami').innerText()).toContain(`Test ${h.people.manager.id}`);
  expect(await page.locator('.whoami').innerText()).toContain('manager');
  expect(await hasSession(context)).toBe(true);

  // Signed out again: the provider's sign-in is offered again (the session state says so only when signed out).
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signInWithProvider(page).waitFor();
  expect(await hasSession(context)).toBe(false);
});

browserTest('someone whose email is in nobody’s entry of the directory is told so, by their email, and has no session', async () => {
  const { page, alert } = await refused(`/login?next=${encodeURIComponent(projectPath)}`, { email: 'stranger@elsewhere.example' });
  expect(alert).toBe(
    'Not in the people directory stranger@elsewhere.example is not in the agency\u2019s people directory. Ask whoever runs agencyflow to add you, or sign in with your work account.',
  );
  // The page asked for is still where the button leads (and the token sign-in, below).
  expect(await signInWithProvider(page).getAttribute('href')).toBe(`/api/session/oidc?next=${encodeURIComponent(projectPath)}`);
  expect(await page.locator('#login-token').isVisible()).toBe(true);
  await shootDeskAndNarrowPhone(portal, page, '98c-sign-in-unknown-person');
});

browserTest('cancelling at the provider is said as a notice; a token then still signs in to the page asked for', async () => {
  const { page, alert } = await refused(`/login?next=${encodeURIComponent(projectPath)}`, 'cancel');
  expect(alert).toBe('Sign-in cancelled You cancelled at Test IdP, so you are not signed in. Sign in again whenever you are ready.');
  await shootDeskAndNarrowPhone(portal, page, '98d-sign-in-cancelled');

  await page.locator('#login-token').fill(h.people.manager.token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: title }).waitFor();
  expect(new URL(page.url()).pathname).toBe(projectPath);
});

browserTest('a provider that refuses, an email it has not verified, and a sign-in begun in another browser are each said in words', async () => {
  provider.misbehave({ tokenStatus: 400 });
  const refusedByProvider = await refused('/login', { email: 'dima.design@agency.example' });
  expect(refusedByProvider.alert).toBe(
    'Test IdP could not sign you in agencyflow could not reach Test IdP, or Test IdP did not confirm who you are. Try again in a moment; if it keeps happening, tell whoever runs agencyflow.',
  );
  await shootDeskAndNarrowPhone(portal, refusedByProvider.page, '98e-sign-in-provider-refused');

  provider.misbehave({ claims: { email_verified: false } });
  const unverified = await refused('/login', { email: 'dima.design@agency.example' });
  expect(unverified.alert).toBe(
    'Your email address is not verified Test IdP has not confirmed that your email address is yours, so agencyflow cannot tell who you are. Verify it with Test IdP (or ask your IT team), then sign in again.',
  );
  await shootDeskAndNarrowPhone(portal, unverified.page, '98f-sign-in-unverified-email');
  provider.misbehave({});

  // Begun here, finished in another browser (its own cookies): that browser waited for no answer.
  const first = await visitor();
  await first.page.goto(`${portal.baseUrl}/login`);
  await signInWithProvider(first.page).click();
  await first.page.getByRole('heading', { name: 'Test IdP' }).waitFor();
  const other = await visitor();
  await other.page.goto(first.page.url());
  await atProvider(other.page, { email: 'dima.design@agency.example' });
  await failure(other.page).waitFor();
  expect((await failure(other.page).innerText()).replace(/\s+/g, ' ').trim()).toBe(
    'Sign-in expired It took too long, or it was started in another browser or tab. Start again here, in this tab.',
  );
  expect(await hasSession(other.context)).toBe(false);
  await shootDeskAndNarrowPhone(portal, other.page, '98g-sign-in-expired');
});

browserTest('a sign-in link made elsewhere neither passes on a next= off the site nor puts its words in the page’s mouth', async () => {
  const { page } = await visitor();
  for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/']) {
    await page.goto(`${portal.baseUrl}/login?next=${encodeURIComponent(next)}`);
    await signInWithProvider(page).waitFor();
    expect([next, await signInWithProvider(page).getAttribute('href')]).toEqual([next, '/api/session/oidc']);
  }
  // An "email" that is a message, not an address, is not repeated.
  await page.goto(`${portal.baseUrl}/login?signInError=unknown_person&email=${encodeURIComponent('Your account is locked. Call +1 555 0100')}`);
  await failure(page).waitFor();
  expect((await failure(page).innerText()).replace(/\s+/g, ' ').trim()).toBe(
    'Not in the people directory The email address you signed in with is not in the agency\u2019s people directory. Ask whoever runs agencyflow to add you, or sign in with your work account.',
  );
});

browserTest('signing out of a session the provider started signs out of the provider too: back on the sign-in page, told so, and the provider asks again', async () => {
  const { page, context } = await visitor();
  await page.goto(`${portal.baseUrl}/login`);
  await signInWithProvider(page).click();
  await atProvider(page, { email: `${h.people.manager.id}@agency.example` });
  await page.locator('.whoami').waitFor();
  const issued = provider.tokenRequests.at(-1)!.idToken!;
  const calls = provider.endSessionRequests.length;

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.origin === portal.baseUrl && url.searchParams.get('signedOut') === '1');
  const notice = page.locator('#signed-out');
  await notice.waitFor();
  // The provider's end_session_endpoint was visited with the sign-in's own token, and ended its session.
  expect(provider.endSessionRequests.length).toBe(calls + 1);
  const call = provider.endSessionRequests.at(-1)!;
  expect([call.params.get('id_token_hint') === issued, call.params.get('post_logout_redirect_uri'), call.endedSession]).toEqual([
    true,
    `${portal.baseUrl}/login?signedOut=1`,
    true,
  ]);
  expect(new URL(page.url()).searchParams.get('state')).toBe(call.params.get('state'));
  // Said first, and read first (the focus is on it); no session, and the provider's button again.
  expect((await notice.innerText()).replace(/\s+/g, ' ').trim()).toBe(
    'You are signed out You are signed out of agencyflow and of Test IdP. Signing in again asks for your Test IdP account.',
  );
  expect(await hasFocus(notice)).toBe(true);
  expect(await hasSession(context)).toBe(false);
  await shootDeskAndNarrowPhone(portal, page, '99s-signed-out-of-provider');

  // The provider's session ended: signing in again asks for its form rather than coming straight back signed in.
  await signInWithProvider(page).click();
  await page.getByRole('heading', { name: 'Test IdP' }).waitFor();
  expect(new URL(page.url()).origin).toBe(provider.issuer);
  expect(await hasSession(context)).toBe(false);
  await portal.screenshot(page, '99s-provider-asks-again-desktop');
});

browserTest('a provider that cannot end its session: signed out of the portal, with a warning that the provider may still have the person signed in', async () => {
  const plain = await startTestOidcProvider({ name: 'Plain IdP', endSession: false });
  const port = await freePort();
  const other = await startApiHarness({
    withoutWorker: true,
    env: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, OIDC_ISSUER: plain.issuer, OIDC_CLIENT_ID: plain.clientId, OIDC_CLIENT_SECRET: plain.clientSecret, OIDC_PROVIDER_NAME: 'Plain IdP' },
  });
  const otherPortal = await startPortal(other, { port });
  try {
    const { page, context, errors } = await otherPortal.anonymous();
    await page.goto(`${otherPortal.baseUrl}/login`);
    await page.getByRole('link', { name: 'Sign in with Plain IdP' }).click();
    await page.getByRole('heading', { name: 'Plain IdP' }).waitFor();
    await page.getByLabel('Email').fill('dima.design@agency.example');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('.whoami').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    const notice = page.locator('#signed-out');
    await notice.waitFor();
    expect(new URL(page.url()).origin).toBe(otherPortal.baseUrl);
    expect((await notice.innerText()).replace(/\s+/g, ' ').trim()).toBe(
      'You are signed out of agencyflow, but perhaps not of Plain IdP Plain IdP could not be asked to end its session, so it may still be open: \u201cSign in with Plain IdP\u201d in this browser could sign you in again without asking. On a shared computer, sign out at Plain IdP too.',
    );
    expect(await hasFocus(notice)).toBe(true);
    expect(await hasSession(context)).toBe(false);
    expect(plain.endSessionRequests).toEqual([]);
    await shootDeskAndNarrowPhone(otherPortal, page, '99s-provider-session-may-be-open');
    // As the warning says: the provider's session is open, so its button signs straight back in.
    await page.getByRole('link', { name: 'Sign in with Plain IdP' }).click();
    await page.locator('.whoami').waitFor();
    expect(await hasSession(context)).toBe(true);
    expect(unexpectedErrors(errors, [faviconOf(plain)])).toEqual([]);
  } finally {
    await otherPortal.close();
    await other.close();
    await plain.close();
  }
});

browserTest('a sign-out message in a link made elsewhere does not say the provider signed anyone out', async () => {
  const { page } = await visitor();
  await page.goto(`${portal.baseUrl}/login?signedOut=1&state=made-up`);
  const notice = page.locator('#signed-out');
  await notice.waitFor();
  expect((await notice.innerText()).replace(/\s+/g, ' ').trim()).toBe('You are signed out You are signed out of agencyflow.');
});
