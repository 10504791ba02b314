/**
 * The provider ends the portal's sessions it started (OpenID Connect Back-Channel Logout 1.0),
 * through a real OpenID Connect provider over HTTP (test/support/oidc-provider.ts) that POSTs its
 * logout tokens to the portal listening on a port: one provider session ended ends the portal's
 * session signed in within it and no other; a subject signed out everywhere ends all of theirs;
 * a session started with a token is never the provider's to end; a logout token that fails any
 * check ends nothing (400 naming `logout_token`), nor does one that cannot be checked (the
 * provider's keys unreadable: 503); the token never reaches the logs.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiHarness } from '../support/api';
import type { TestOidcProvider } from '../support/oidc-provider';
import { setCookiePair, signInOnProviderForm, startSingleSignOnHarness } from '../support/single-sign-on';

let provider: TestOidcProvider;
let h: ApiHarness;
let server: Server;
let logoutUri: string;
let logLines: string[];
const MANAGER_EMAIL = () => `${h.people.manager.id}@agency.example`;

beforeAll(async () => {
  ({ provider, h, logLines } = await startSingleSignOnHarness());
  server = h.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  // What the operator registers with the provider: the portal's back-channel logout URI.
  logoutUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/session/oidc/backchannel-logout`;
  provider.backChannelLogoutUris.push(logoutUri);
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
  await provider?.close();
});

/** A browser signed in through the provider as `email`: its session cookie, and the provider's session (`sid`) it was signed in within. */
async function signInThroughProvider(email: string): Promise<{ session: string; sid: string }> {
  const start = await h.http().get('/api/session/oidc');
  const authorize = new URL(start.headers.location!);
  authorize.searchParams.set('as', email);
  const atProvider = await fetch(authorize, { redirect: 'manual' });
  const callback = new URL(atProvider.headers.get('location')!);
  const back = await h.http().get(`${callback.pathname}${callback.search}`).set('Cookie', setCookiePair(start.headers['set-cookie'], 'agencyflow_oidc')!);
  const session = setCookiePair(back.headers['set-cookie'], 'agencyflow_session');
  if (!session) throw new Error(`no session: ${back.headers.location}`);
  const idToken = provider.tokenRequests.at(-1)!.idToken!;
  const { sid } = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')) as { sid: string };
  return { session, sid };
}

async function signInWithToken(who: 'manager' | 'leadership'): Promise<string> {
  const answer = await h.http().post('/api/session').send({ token: h.people[who].token }).expect(201);
  return setCookiePair(answer.headers['set-cookie'], 'agencyflow_session')!;
}

/** Whether the session still works: 200, or 401 once ended. */
const still = async (session: string): Promise<number> => (await h.http().get('/api/me').set('Cookie', session)).status;

/** The provider's own POST, as it would send a token it made (or one made wrongly). */
const deliver = (token: string | undefined) =>
  h
    .http()
    .post('/api/session/oidc/backchannel-logout')
    .type('form')
    .send(token === undefined ? {} : { logout_token: token });

test('the provider ending one of its sessions ends the portal session signed in within it, and only that one', async () => {
  const laptop = await signInThroughProvider(MANAGER_EMAIL());
  const phone = await signInThroughProvider(MANAGER_EMAIL());
  const withToken = await signInWithToken('manager');
  const someoneElse = await signInThroughProvider('dima.design@agency.example');
  // The setting, not the product: two provider sessions, so that ending one can spare the other.
  expect(laptop.sid).not.toBe(phone.sid);
  for (const s of [laptop.session, phone.session, withToken, someoneElse.session]) expect(await still(s)).toBe(200);

  await provider.endSessionBy({ email: MANAGER_EMAIL(), sid: laptop.sid });
  expect(provider.backChannelDeliveries.at(-1)).toEqual(
    expect.objectContaining({ uri: logoutUri, claims: expect.objectContaining({ sub: provider.subjectOf(MANAGER_EMAIL()), sid: laptop.sid }), status: 200 }),
  );
  expect(await still(laptop.session)).toBe(401);
  expect(await still(phone.session)).toBe(200);
  expect(await still(withToken)).toBe(200);
  expect(await still(someoneElse.session)).toBe(200);

  // Signed out everywhere at the provider: the token names the subject alone, and every session it started for them ends.
  await provider.endSessionBy({ email: MANAGER_EMAIL() });
  expect(provider.backChannelDeliveries.at(-1)!.claims).not.toHaveProperty('sid');
  expect(provider.backChannelDeliveries.at(-1)!.status).toBe(200);
  expect(await still(phone.session)).toBe(401);
  // A session the person started with their token is not the provider's to end.
  expect(await still(withToken)).toBe(200);
  expect(await still(someoneElse.session)).toBe(200);

  // Told again (providers retry): 200, not a refusal the provider would retry for ever.
  await provider.endSessionBy({ email: MANAGER_EMAIL() });
  expect(provider.backChannelDeliveries.at(-1)!.status).toBe(200);
});

test('a session whose provider session is named alone (sid, no sub) ends too', async () => {
  const browser = await signInThroughProvider(MANAGER_EMAIL());
  const other = await signInThroughProvider(MANAGER_EMAIL());
  await deliver(provider.logoutToken({ sid: browser.sid })).expect(200);
  expect(await still(browser.session)).toBe(401);
  expect(await still(other.session)).toBe(200);
});

test('a logout token that fails any check ends nothing: 400 naming logout_token, with the reason', async () => {
  const browser = await signInThroughProvider(MANAGER_EMAIL());
  const names = { sub: provider.subjectOf(MANAGER_EMAIL()), sid: browser.sid };
  const now = Math.floor(Date.now() / 1000);
  const wrongTokens: [string, string | undefined, RegExp][] = [
    ['none sent', undefined, /^required/],
    ['not a JWT', 'not-a-token', /not a signed JWT/],
    ['signed with a key the provider does not publish', provider.logoutToken(names, { foreignKey: true }), /none of the provider's keys|signature does not match/],
    ['from another issuer', provider.logoutToken(names, { claims: { iss: 'https://idp.elsewhere.example' } }), /is from https:\/\/idp\.elsewhere\.example/],
    ['for another application', provider.logoutToken(names, { claims: { aud: 'another-app' } }), /for another application/],
    ['expired', provider.logoutToken(names, { claims: { exp: now - 3_600 } }), /has expired/],
    ['issued long ago', provider.logoutToken(names, { claims: { iat: now - 3_600, exp: undefined } }), /too old/],
    ['without the back-channel logout event', provider.logoutToken(names, { claims: { events: undefined } }), /no back-channel logout event/],
    ['with another event only', provider.logoutToken(names, { claims: { events: { 'http://schemas.openid.net/event/other': {} } } }), /no back-channel logout event/],
    ['with a nonce (an ID token passed off as one)', provider.logoutToken(names, { claims: { nonce: 'n-0' } }), /has a nonce/],
    ['naming neither a subject nor a session', provider.logoutToken({}), /neither a subject nor a session/],
  ];
  for (const [what, token, reason] of wrongTokens) {
    const answer = await deliver(token);
    expect({ what, status: answer.status, type: answer.headers['content-type'] }).toEqual({ what, status: 400, type: expect.stringMatching(/^application\/problem\+json/) });
    expect(answer.body.errors).toEqual([{ field: 'logout_token', message: expect.stringMatching(reason) }]);
    expect({ what, session: await still(browser.session) }).toEqual({ what, session: 200 });
  }
  // The same session, with a good token: it ends.
  await deliver(provider.logoutToken(names)).expect(200);
  expect(await still(browser.session)).toBe(401);
});

test('signing out at the provider itself (its end_session_endpoint, from any application) ends the portal session too; no token reaches the logs', async () => {
  // As a browser: signed in on the provider's own form, so the provider holds this browser's session.
  const { atProvider, back } = await signInOnProviderForm({ h, provider }, MANAGER_EMAIL());
  const session = setCookiePair(back.headers['set-cookie'], 'agencyflow_session')!;
  expect(await still(session)).toBe(200);

  // The person signs out at the provider, not in the portal (another application's "Sign out", or the provider's own page).
  const signOut = await fetch(`${provider.issuer}/logout`, { headers: { Cookie: atProvider }, redirect: 'manual' });
  expect(signOut.status).toBe(200);
  expect(provider.openSessions()).toBe(0);
  expect(provider.backChannelDeliveries.at(-1)).toEqual(expect.objectContaining({ uri: logoutUri, status: 200 }));
  expect(await still(session)).toBe(401);

  const logged = logLines.join('');
  expect(logged).toContain('the provider ended its session (back-channel logout)');
  for (const d of provider.backChannelDeliveries) expect(logged).not.toContain(d.token.split('.')[2]!);
});

// Last: it stops the provider.
test('the provider\u2019s keys unreadable (a key the portal has not seen, the provider down): 503 with Retry-After, nothing ended', async () => {
  const browser = await signInThroughProvider(MANAGER_EMAIL());
  await provider.close();
  const answer = await deliver(provider.logoutToken({ sid: browser.sid }, { kid: 'a-rotated-key' }));
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toBe('5');
  expect(answer.body).toEqual(expect.objectContaining({ type: 'urn:agencyflow:problem:identity-provider-unavailable', title: 'The provider did not answer' }));
  expect(await still(browser.session)).toBe(200);
});
