/**
 * Single sign-on through a real OpenID Connect provider over HTTP (test/support/oidc-provider.ts):
 * the portal's redirect, the code exchange and the ID token's checks, each seen refusing a
 * provider that answers wrongly; the verified email maps to a person of the directory, whose role
 * applies, and nothing else starts a session. Signing out of a session the provider started says
 * where the browser ends the provider's session too (RP-Initiated Logout), and that provider's
 * session does end.
 */
import { loadConfig, ConfigError } from '../../common/config';
import { singleSignOnFromConfig } from '../../api/oidc';
import { startApiHarness, type ApiHarness } from '../support/api';
import { startTestOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { signInOnProviderForm as signInOnProviderFormAs, startSingleSignOnHarness } from '../support/single-sign-on';

let provider: TestOidcProvider;
let h: ApiHarness;
let logLines: string[];

beforeAll(async () => {
  ({ provider, h, logLines } = await startSingleSignOnHarness());
  // What the operator registers with the provider beside the redirect URI.
  provider.postLogoutRedirectUris.push(`${h.config.publicBaseUrl}/login?signedOut=1`);
});

afterAll(async () => {
  await h?.close();
  await provider?.close();
});

afterEach(() => provider.misbehave({}));

/** `name=value` of a Set-Cookie header, and the header itself. */
function cookie(setCookie: string[] | string | undefined, name: string): { pair: string; header: string } | undefined {
  const header = ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${name}=`));
  return header ? { pair: header.split(';')[0]!, header } : undefined;
}

/** The browser's round trip: the portal sends it to the provider, the person signs in there as `email`, the provider sends it back. */
async function signIn(email: string, options: { next?: string; pendingFrom?: string } = {}) {
  const start = await h.http().get('/api/session/oidc').query(options.next ? { next: options.next } : {});
  expect(start.status).toBe(303);
  const pending = cookie(start.headers['set-cookie'], 'agencyflow_oidc')!;
  const authorize = new URL(start.headers.location!);
  authorize.searchParams.set('as', email);
  const atProvider = await fetch(authorize, { redirect: 'manual' });
  expect(atProvider.status).toBe(302);
  const callback = new URL(atProvider.headers.get('location')!);
  const back = await h
    .http()
    .get(`${callback.pathname}${callback.search}`)
    .set('Cookie', options.pendingFrom ?? pending.pair);
  return { start, pending, authorize, callback, back };
}

/**
 * As a browser would: signed in on the provider's own form (so the provider holds a session for
 * this browser, its cookie in `atProvider`), then back to the portal with a session.
 */
async function signInOnProviderForm(email: string) {
  const { atProvider, back } = await signInOnProviderFormAs({ h, provider }, email);
  const session = cookie(back.headers['set-cookie'], 'agencyflow_session')!;
  const hint = cookie(back.headers['set-cookie'], 'agencyflow_signout');
  const me = await h.http().get('/api/me').set('Cookie', session.pair).expect(200);
  return { atProvider, session, hint, csrf: me.body.session.csrfToken as string, idToken: provider.tokenRequests.at(-1)!.idToken! };
}

/** Whether the provider, asked to sign this browser in, shows its form (200) or comes straight back (302: its session is open). */
async function providerAsks(atProvider: string): Promise<'form' | 'straight back'> {
  const start = await h.http().get('/api/session/oidc');
  const answer = await fetch(start.headers.location!, { redirect: 'manual', headers: { Cookie: atProvider } });
  return answer.status === 200 ? 'form' : 'straight back';
}

async function whoIs(sessionPair: string | undefined) {
  const me = await h.http().get('/api/me').set('Cookie', sessionPair ?? '');
  return me.status === 200 ? (me.body.person as { id: string; role: string }) : me.status;
}

test('a manager signs in with the provider: the session is theirs, with their role, and the page leads on to where they were going', async () => {
  const managerEmail = `${h.people.manager.id}@agency.example`;
  const { start, pending, authorize, back } = await signIn(managerEmail, { next: '/projects/p-1?tab=money' });

  // To the provider: the code flow with PKCE and a nonce, from a cookie only the callback receives.
  expect(authorize.origin).toBe(provider.issuer);
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: `${h.config.publicBaseUrl}/api/session/oidc/callback`,
    scope: 'openid email profile',
    code_challenge_method: 'S256',
  });
  expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
  expect(authorize.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
  expect(pending.header).toMatch(/Path=\/api\/session\/oidc\/callback; HttpOnly; SameSite=Lax; Max-Age=600/);
  expect(start.headers['cache-control']).toBe('no-store');

  // Back: the session cookie, as a token sign-in sets it; the waiting sign-in cleared.
  expect(back.status).toBe(303);
  expect(back.headers.location).toBe('/login?next=%2Fprojects%2Fp-1%3Ftab%3Dmoney');
  const session = cookie(back.headers['set-cookie'], 'agencyflow_session')!;
  expect(session.header).toMatch(/HttpOnly; SameSite=Strict/);
  expect(cookie(back.headers['set-cookie'], 'agencyflow_oidc')!.header).toContain('Max-Age=0');
  expect(await whoIs(session.pair)).toEqual(expect.objectContaining({ id: h.people.manager.id, role: 'manager' }));

  // The portal authenticated itself to the provider and proved it started this sign-in.
  const request = provider.tokenRequests.at(-1)!;
  expect(request.authorization).toBe(`Basic ${Buffer.from(`${provider.clientId}:${provider.clientSecret}`).toString('base64')}`);
  expect(request.body.get('code_verifier')).toMatch(/^[\w-]{43}$/);
});

test('the email is matched whatever its case, and staff get their own role and department', async () => {
  const { back } = await signIn('Dima.Design@Agency.Example');
  expect(back.headers.location).toBe('/login');
  expect(await whoIs(cookie(back.headers['set-cookie'], 'agencyflow_session')?.pair)).toEqual(
    expect.objectContaining({ id: 'dima.design', role: 'staff', department: 'design' }),
  );
});

test.each([
  ['a token for another application', { claims: { aud: 'another-app' } }],
  ['a token signed with a key the provider does not publish', { foreignKey: true }],
  ['an expired token', { claims: { exp: Math.floor(Date.now() / 1000) - 3_600 } }],
  ['a token made for another sign-in (nonce)', { claims: { nonce: 'someone-elses' } }],
  ['a token from another issuer', { claims: { iss: 'https://idp.elsewhere.example' } }],
  ['a refused code', { tokenStatus: 400 }],
])('%s starts no session: the sign-in page is told the provider did not confirm who it is', async (_what, misbehaviour) => {
  provider.misbehave(misbehaviour);
  const { back } = await signIn('dima.design@agency.example', { next: '/inbox' });
  expect(back.status).toBe(303);
  expect(back.headers.location).toBe('/login?signInError=provider&next=%2Finbox');
  expect(cookie(back.headers['set-cookie'], 'agencyflow_session')).toBeUndefined();
});

test('an email the provider has not verified, or one nobody in the directory has, starts no session and says which', async () => {
  provider.misbehave({ claims: { email_verified: false } });
  const unverified = await signIn('dima.design@agency.example');
  expect(unverified.back.headers.location).toBe('/login?signInError=unverified_email');
  expect(cookie(unverified.back.headers['set-cookie'], 'agencyflow_session')).toBeUndefined();

  provider.misbehave({});
  const stranger = await signIn('someone@gmail.example');
  expect(stranger.back.headers.location).toBe('/login?signInError=unknown_person&email=someone%40gmail.example');
  expect(cookie(stranger.back.headers['set-cookie'], 'agencyflow_session')).toBeUndefined();
});

test("an answer this browser did not ask for, or asks for twice, starts no session", async () => {
  // Another browser's start (its state), or none at all: the answer is not this browser's.
  const other = await h.http().get('/api/session/oidc');
  const foreign = await signIn('dima.design@agency.example', { pendingFrom: cookie(other.headers['set-cookie'], 'agencyflow_oidc')!.pair });
  expect(foreign.back.headers.location).toBe('/login?signInError=expired');
  const none = await signIn('dima.design@agency.example', { pendingFrom: '' });
  expect(none.back.headers.location).toBe('/login?signInError=expired');
  expect(cookie(none.back.headers['set-cookie'], 'agencyflow_session')).toBeUndefined();

  // The same answer replayed with the cookie it came with: its code is spent at the provider.
  const first = await signIn('dima.design@agency.example');
  expect(cookie(first.back.headers['set-cookie'], 'agencyflow_session')).toBeDefined();
  const replay = await h.http().get(`${first.callback.pathname}${first.callback.search}`).set('Cookie', first.pending.pair);
  expect(replay.headers.location).toBe('/login?signInError=provider');
  expect(cookie(replay.headers['set-cookie'], 'agencyflow_session')).toBeUndefined();
});

test('a person who cancels at the provider is told so; a path to another site is never where sign-in leads', async () => {
  const start = await h.http().get('/api/session/oidc').query({ next: '//evil.example/x' });
  const pending = cookie(start.headers['set-cookie'], 'agencyflow_oidc')!;
  const authorize = new URL(start.headers.location!);
  const cancelled = await fetch(`${provider.issuer}/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), choice: 'cancel' }),
  });
  const callback = new URL(cancelled.headers.get('location')!);
  expect(callback.searchParams.get('error')).toBe('access_denied');
  const back = await h.http().get(`${callback.pathname}${callback.search}`).set('Cookie', pending.pair);
  expect(back.headers.location).toBe('/login?signInError=cancelled');
});

test('the sign-in page learns of the provider; without OIDC_* there is none, and the routes are 404', async () => {
  const state = await h.http().get('/api/session');
  expect(state.body).toEqual({ signedIn: false, singleSignOn: { providerName: 'Test IdP', url: '/api/session/oidc' } });

  const without = await startApiHarness({ withoutWorker: true });
  try {
    expect((await without.http().get('/api/session')).body).toEqual({ signedIn: false });
    const start = await without.http().get('/api/session/oidc');
    expect(start.status).toBe(404);
    expect(start.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await without.http().get('/api/session/oidc/callback?code=x&state=y')).status).toBe(404);
  } finally {
    await without.close();
  }
});

test('a provider that does not answer sends the person back to the sign-in page with the reason, not an error page', async () => {
  const down = await startTestOidcProvider();
  await down.close();
  const unreachable = await startApiHarness({
    withoutWorker: true,
    env: { OIDC_ISSUER: down.issuer, OIDC_CLIENT_ID: down.clientId, OIDC_CLIENT_SECRET: down.clientSecret },
  });
  try {
    const start = await unreachable.http().get('/api/session/oidc').query({ next: '/approvals' });
    expect(start.status).toBe(303);
    expect(start.headers.location).toBe('/login?signInError=provider&next=%2Fapprovals');
    // Named by the issuer's host when no OIDC_PROVIDER_NAME is given.
    expect((await unreachable.http().get('/api/session')).body.singleSignOn.providerName).toBe(new URL(down.issuer).host);
  } finally {
    await unreachable.close();
  }
});

test('signing out of a session the provider started ends it there too: the answer says where the browser goes, with the token that was issued', async () => {
  const { atProvider, session, hint, csrf, idToken } = await signInOnProviderForm(`${h.people.manager.id}@agency.example`);
  expect(await providerAsks(atProvider)).toBe('straight back'); // the provider's session is open: the reason for all this

  // The ID token is kept for signing out where the page's scripts cannot read it, and not as itself.
  expect(hint!.header).toMatch(/^agencyflow_signout=[\w-]+; Path=\/api\/session; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  expect(hint!.pair).not.toContain(idToken.split('.')[1]);

  const out = await h.http().delete('/api/session').set('Cookie', `${session.pair}; ${hint!.pair}`).set('X-CSRF-Token', csrf);
  expect(out.status).toBe(200);
  expect(out.headers['cache-control']).toBe('no-store');
  expect(Object.keys(out.body).sort()).toEqual(['logoutUrl', 'providerName']);
  expect(out.body.providerName).toBe('Test IdP');
  const logout = new URL(out.body.logoutUrl as string);
  expect(`${logout.origin}${logout.pathname}`).toBe(`${provider.issuer}/logout`);
  expect(Object.fromEntries(logout.searchParams)).toEqual({
    id_token_hint: idToken,
    client_id: provider.clientId,
    post_logout_redirect_uri: `${h.config.publicBaseUrl}/login?signedOut=1`,
    state: expect.stringMatching(/^[\w-]{43}$/),
  });
  // The portal's session is over, and both cookies are cleared.
  expect(await whoIs(session.pair)).toBe(401);
  expect(cookie(out.headers['set-cookie'], 'agencyflow_session')!.header).toContain('Max-Age=0');
  expect(cookie(out.headers['set-cookie'], 'agencyflow_signout')!.header).toMatch(/^agencyflow_signout=; Path=\/api\/session; .*Max-Age=0/);

  // The browser goes there: the provider ends its session and sends it back to the sign-in page with the state.
  const atLogout = await fetch(logout, { redirect: 'manual', headers: { Cookie: atProvider } });
  expect(atLogout.status).toBe(302);
  expect(atLogout.headers.get('location')).toBe(`${h.config.publicBaseUrl}/login?signedOut=1&state=${logout.searchParams.get('state')}`);
  expect(provider.endSessionRequests.at(-1)!.endedSession).toBe(true);
  expect(await providerAsks(atProvider)).toBe('form');
});

test('a token session signs out as before (204, no body), even carrying the hint of a session the provider started', async () => {
  const { hint } = await signInOnProviderForm('dima.design@agency.example');
  const signedIn = await h.http().post('/api/session').set('Cookie', hint!.pair).send({ token: h.people.manager.token }).expect(201);
  // A new sign-in drops the hint the browser had.
  expect(cookie(signedIn.headers['set-cookie'], 'agencyflow_signout')!.header).toContain('Max-Age=0');
  const session = cookie(signedIn.headers['set-cookie'], 'agencyflow_session')!;
  // A hint sealed for another session says nothing of this one.
  const out = await h.http().delete('/api/session').set('Cookie', `${session.pair}; ${hint!.pair}`).set('X-CSRF-Token', signedIn.body.session.csrfToken as string);
  expect(out.status).toBe(204);
  expect(out.text).toBe('');
  expect(await whoIs(session.pair)).toBe(401);
  // A bearer caller too.
  expect((await h.http().delete('/api/session').set(h.auth('manager'))).status).toBe(204);
});

test('a provider without an end_session_endpoint: the portal session ends, and the answer names the provider with no logoutUrl', async () => {
  const plain = await startTestOidcProvider({ endSession: false });
  const other = await startApiHarness({
    withoutWorker: true,
    env: { OIDC_ISSUER: plain.issuer, OIDC_CLIENT_ID: plain.clientId, OIDC_CLIENT_SECRET: plain.clientSecret, OIDC_PROVIDER_NAME: 'Plain IdP' },
  });
  try {
    const start = await other.http().get('/api/session/oidc');
    const authorize = new URL(start.headers.location!);
    authorize.searchParams.set('as', 'dima.design@agency.example');
    const callback = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    const back = await other.http().get(`${callback.pathname}${callback.search}`).set('Cookie', cookie(start.headers['set-cookie'], 'agencyflow_oidc')!.pair);
    const session = cookie(back.headers['set-cookie'], 'agencyflow_session')!;
    const hint = cookie(back.headers['set-cookie'], 'agencyflow_signout')!;
    const csrf = (await other.http().get('/api/me').set('Cookie', session.pair).expect(200)).body.session.csrfToken as string;

    const out = await other.http().delete('/api/session').set('Cookie', `${session.pair}; ${hint.pair}`).set('X-CSRF-Token', csrf);
    expect([out.status, out.body]).toEqual([200, { providerName: 'Plain IdP' }]);
    expect((await other.http().get('/api/me').set('Cookie', session.pair)).status).toBe(401);
    expect(plain.endSessionRequests).toEqual([]);
  } finally {
    await other.close();
    await plain.close();
  }
});

test('a provider down at sign-out: the address is made from the discovery document read earlier that day; with none read, no address (the portal session ends all the same)', async () => {
  const idp = await startTestOidcProvider();
  let now = Date.now();
  const settings = { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, publicBaseUrl: 'https://portal.example' };
  const { client } = singleSignOnFromConfig(settings, () => now);
  const { client: justStarted } = singleSignOnFromConfig(settings, () => now);
  const before = await client.begin('/'); // a sign-in read the provider's discovery document
  expect(new URL(before.url).origin).toBe(idp.issuer);
  await idp.close();

  // Past the hour after which a sign-in asks again, and the provider does not answer.
  now += 2 * 3_600_000;
  const logoutUrl = new URL((await client.logoutUrl('the-id-token'))!);
  expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`${idp.issuer}/logout`);
  expect(logoutUrl.searchParams.get('id_token_hint')).toBe('the-id-token');
  // A sign-in asks, and says the provider is down.
  await expect(client.begin('/')).rejects.toMatchObject({ failure: 'provider' });
  // An API process that never read it has nothing to make the address from (the route answers without logoutUrl).
  await expect(justStarted.logoutUrl('the-id-token')).rejects.toMatchObject({ failure: 'provider' });
  // Older than a day, the document is not trusted for it either.
  now += 24 * 3_600_000;
  await expect(client.logoutUrl('the-id-token')).rejects.toMatchObject({ failure: 'provider' });
});

test('the client secret, codes and ID tokens never reach the log; refusals are logged with their reason', () => {
  const log = logLines.join('');
  expect(log).not.toContain(provider.clientSecret);
  expect(log).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT
  expect(log).toContain('single sign-on refused');
  expect(log).toContain('signed in through single sign-on');
});

test('single sign-on takes all three settings or none', () => {
  expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).toThrow(ConfigError);
  expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).toThrow(/OIDC_CLIENT_ID: required with OIDC_ISSUER/);
  expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'portal' })).toThrow(/OIDC_CLIENT_SECRET: required with OIDC_ISSUER and OIDC_CLIENT_ID/);
  expect(() => loadConfig({ OIDC_ISSUER: 'not a url', OIDC_CLIENT_ID: 'portal', OIDC_CLIENT_SECRET: 's' })).toThrow(/OIDC_ISSUER: expected the provider's issuer URL/);
  expect(loadConfig({}).OIDC_ISSUER).toBeUndefined();
});
