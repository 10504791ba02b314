/**
 * A real OpenID Connect provider over HTTP for tests (no network, no provider SDK): discovery,
 * its key set, an authorization page people sign in on (a form; `as=<email>` skips it for API
 * tests), and a token endpoint that checks the client's secret, the redirect URI and the PKCE
 * verifier, and signs ID tokens with RS256. `misbehave` makes it answer as a broken or hostile
 * provider would, so the portal's checks are each seen refusing.
 *
 * Like a real provider it remembers a browser that signed in on its form (a cookie of its own):
 * the next sign-in from that browser comes straight back without the form. Its
 * end_session_endpoint (RP-Initiated Logout 1.0; `endSession: false` leaves it out of discovery)
 * checks the `id_token_hint` is one it signed for the client, that the post-logout redirect URI is
 * registered (`postLogoutRedirectUris`), ends that session and sends the browser back with the
 * `state`; every call is recorded in `endSessionRequests`.
 *
 * Back-Channel Logout 1.0: a session of the provider that ends — at its end_session_endpoint, or
 * ended by an administrator (`endSessionBy`) — is told to every registered back-channel logout
 * URI (`backChannelLogoutUris`) by a POST of a signed logout token, each delivery recorded in
 * `backChannelDeliveries`; `logoutToken` makes one (or a wrong one) for a test to send itself.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Misbehaviour {
  /** Claims laid over the ID token's own (e.g. `{ email_verified: false }`, `{ aud: 'another-app' }`). */
  claims?: Record<string, unknown>;
  /** Sign with a key the key set does not publish. */
  foreignKey?: boolean;
  /** The token endpoint answers this status with `{ error: 'invalid_grant' }`. */
  tokenStatus?: number;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Ask the next ID tokens to be made wrongly; `{}` for a well-behaved provider again. */
  misbehave(how: Misbehaviour): void;
  /** Requests the token endpoint received (the portal's, checked for the client's secret), and the ID token it answered. */
  tokenRequests: { authorization?: string; body: URLSearchParams; idToken?: string }[];
  /** The post-logout redirect URIs registered for the client (exact match, as providers compare them); tests add the portal's. */
  postLogoutRedirectUris: string[];
  /** Calls of the end_session_endpoint: what was asked, and whether a session of the provider ended. */
  endSessionRequests: { params: URLSearchParams; endedSession: boolean }[];
  /** The browser sessions the provider holds (signed in on its form, not yet signed out). */
  openSessions(): number;
  /** The back-channel logout URIs registered for the client; tests add the portal's. */
  backChannelLogoutUris: string[];
  /** Each logout token POSTed to a registered URI: where, the token and what it said, and the answer's status. */
  backChannelDeliveries: { uri: string; token: string; claims: Record<string, unknown>; status: number }[];
  /** The subject (`sub`) this provider gives a person, by email. */
  subjectOf(email: string): string;
  /**
   * A logout token for the client, signed as the provider signs: naming `sub`, `sid` or both;
   * `wrong` lays claims over it (a claim set to undefined is left out), signs it with a key the
   * key set does not publish, or names another key (`kid`).
   */
  logoutToken(names: { sub?: string; sid?: string }, wrong?: { claims?: Record<string, unknown>; foreignKey?: boolean; kid?: string }): string;
  /**
   * An administrator ends a person's sessions at the provider (`sid`: only that one; else every
   * session of theirs, the token naming the subject alone): each registered URI is told.
   */
  endSessionBy(who: { email: string; sid?: string }): Promise<void>;
  close(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  email: string;
  /** The provider's session the sign-in belongs to (the ID token's `sid`). */
  sid: string;
}

/** The provider's browser session cookie (its own name: the portal on another port of 127.0.0.1 sees it too, and ignores it). */
const PROVIDER_SESSION_COOKIE = 'test_idp_session';

export async function startTestOidcProvider(options: { name?: string; endSession?: boolean } = {}): Promise<TestOidcProvider> {
  const clientId = 'agencyflow-portal';
  const clientSecret = randomBytes(24).toString('base64url');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = 'test-key-1';
  const grants = new Map<string, Grant>();
  const tokenRequests: TestOidcProvider['tokenRequests'] = [];
  const postLogoutRedirectUris: string[] = [];
  const endSessionRequests: TestOidcProvider['endSessionRequests'] = [];
  /** Browser sessions by their cookie value (also the `sid`): whom they signed in. */
  const sessions = new Map<string, { email: string }>();
  const endSession = options.endSession ?? true;
  const backChannelLogoutUris: string[] = [];
  const backChannelDeliveries: TestOidcProvider['backChannelDeliveries'] = [];
  let misbehaviour: Misbehaviour = {};
  const name = options.name ?? 'Test IdP';

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: Error) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const redirect = (res: http.ServerResponse, to: string): void => {
    res.writeHead(302, { Location: to });
    res.end();
  };
  const readBody = async (req: http.IncomingMessage): Promise<URLSearchParams> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  };
  const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

  const sessionOf = (req: http.IncomingMessage): string | undefined => {
    const pair = (req.headers.cookie ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${PROVIDER_SESSION_COOKIE}=`));
    const sid = pair?.slice(PROVIDER_SESSION_COOKIE.length + 1);
    return sid && sessions.has(sid) ? sid : undefined;
  };

  /** Back to the portal with a code for this person (or the error the person chose), within the provider's session `sid`. */
  const answer = (res: http.ServerResponse, params: URLSearchParams, email: string | undefined, sid = randomBytes(12).toString('base64url')): void => {
    const back = new URL(params.get('redirect_uri')!);
    if (params.get('state')) back.searchParams.set('state', params.get('state')!);
    if (!email) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user cancelled the sign-in');
      return redirect(res, back.toString());
    }
    const code = randomBytes(16).toString('base64url');
    grants.set(code, {
      clientId: params.get('client_id')!,
      redirectUri: params.get('redirect_uri')!,
      codeChallenge: params.get('code_challenge') ?? '',
      ...(params.get('nonce') && { nonce: params.get('nonce')! }),
      email,
      sid,
    });
    back.searchParams.set('code', code);
    redirect(res, back.toString());
  };

  const subjectOf = (email: string): string => `user-${createHash('sha256').update(email).digest('hex').slice(0, 12)}`;

  const signed = (header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string => {
    const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${part(header)}.${part(claims)}`;
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
  };

  const logoutToken: TestOidcProvider['logoutToken'] = (names, wrong = {}) => {
    const claims: Record<string, unknown> = {
      iss: issuer,
      aud: clientId,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 120,
      jti: randomBytes(12).toString('base64url'),
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      ...(names.sub && { sub: names.sub }),
      ...(names.sid && { sid: names.sid }),
      ...wrong.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return signed({ alg: 'RS256', typ: 'logout+jwt', kid: wrong.kid ?? kid }, claims, wrong.foreignKey ? foreign : privateKey);
  };

  /** Every registered URI told that this session (or all of this subject's) ended, as a provider does. */
  const tellClients = async (names: { sub: string; sid?: string }): Promise<void> => {
    for (const uri of backChannelLogoutUris) {
      const token = logoutToken(names);
      const answer = await fetch(uri, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }).toString() });
      backChannelDeliveries.push({ uri, token, claims: JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>, status: answer.status });
    }
  };

  const idToken = (grant: Grant): string => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: subjectOf(grant.email),
      aud: grant.clientId,
      exp: now + 300,
      iat: now,
      nonce: grant.nonce,
      sid: grant.sid,
      email: grant.email,
      email_verified: true,
      ...misbehaviour.claims,
    };
    return signed({ alg: 'RS256', typ: 'JWT', kid }, claims, misbehaviour.foreignKey ? foreign : privateKey);
  };

  /** The `sid` of an ID token this provider signed for the client ('' without one); undefined for anything else. Expired tokens do (the spec lets a hint be old). */
  const hintedSession = (token: string | null): string | undefined => {
    const [header, payload, signature] = (token ?? '').split('.');
    if (!header || !payload || !signature || !verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud?: unknown; iss?: unknown; sid?: unknown };
    if (claims.iss !== issuer || claims.aud !== clientId) return undefined;
    return typeof claims.sid === 'string' ? claims.sid : '';
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        ...(endSession && { end_session_endpoint: `${issuer}/logout` }),
      });
    }
    if (url.pathname === '/jwks') return json(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] });

    if (url.pathname === '/authorize' && req.method === 'GET') {
      const params = url.searchParams;
      if (params.get('client_id') !== clientId || params.get('response_type') !== 'code' || params.get('code_challenge_method') !== 'S256' || !params.get('redirect_uri')) {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end('bad authorization request');
        return;
      }
      if (params.get('as')) return answer(res, params, params.get('as')!);
      // Signed in on this browser before: straight back, without the form (the reason signing out must end this session).
      const sid = sessionOf(req);
      if (sid) return answer(res, params, sessions.get(sid)!.email, sid);
      const hidden = [...params].map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(name)}</title>` +
          `<style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}label,input,button{display:block;width:100%;margin:.4rem 0;font-size:1rem}</style></head>` +
          `<body><h1>${escape(name)}</h1><p>Sign in to continue to agencyflow.</p>` +
          `<form method="post" action="/authorize">${hidden}<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email">` +
          `<button type="submit" name="choice" value="continue">Continue</button><button type="submit" name="choice" value="cancel">Cancel</button></form></body></html>`,
      );
      return;
    }
    if (url.pathname === '/authorize' && req.method === 'POST') {
      const form = await readBody(req);
      if (form.get('choice') === 'cancel') return answer(res, form, undefined);
      const email = form.get('email') ?? '';
      const sid = randomBytes(16).toString('base64url');
      sessions.set(sid, { email });
      res.setHeader('Set-Cookie', `${PROVIDER_SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax`);
      return answer(res, form, email, sid);
    }

    if (url.pathname === '/logout' && req.method === 'GET' && endSession) {
      const params = url.searchParams;
      const hinted = hintedSession(params.get('id_token_hint'));
      const redirectUri = params.get('post_logout_redirect_uri');
      const refuse = (why: string): void => {
        endSessionRequests.push({ params, endedSession: false });
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end(why);
      };
      if (params.get('id_token_hint') && hinted === undefined) return refuse('id_token_hint is not a token this provider issued to this client');
      if (params.get('client_id') && params.get('client_id') !== clientId) return refuse('unknown client_id');
      if (redirectUri && !postLogoutRedirectUris.includes(redirectUri)) return refuse('post_logout_redirect_uri is not registered for this client');
      // The session the token names and this browser's: both end, and the clients are told.
      const endedSessions = [...new Set([hinted, sessionOf(req)])].filter((sid): sid is string => !!sid && sessions.has(sid));
      for (const sid of endedSessions) {
        const { email } = sessions.get(sid)!;
        sessions.delete(sid);
        await tellClients({ sub: subjectOf(email), sid });
      }
      const ended = endedSessions.length > 0;
      endSessionRequests.push({ params, endedSession: ended });
      res.setHeader('Set-Cookie', `${PROVIDER_SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
      if (!redirectUri) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(name)}</title></head><body><h1>Signed out of ${escape(name)}</h1></body></html>`);
        return;
      }
      const back = new URL(redirectUri);
      if (params.get('state')) back.searchParams.set('state', params.get('state')!);
      return redirect(res, back.toString());
    }

    if (url.pathname === '/token' && req.method === 'POST') {
      const body = await readBody(req);
      const request: TestOidcProvider['tokenRequests'][number] = { ...(req.headers.authorization && { authorization: req.headers.authorization }), body };
      tokenRequests.push(request);
      if (misbehaviour.tokenStatus) return json(res, misbehaviour.tokenStatus, { error: 'invalid_grant' });
      const expected = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return json(res, 401, { error: 'invalid_client' });
      const grant = grants.get(body.get('code') ?? '');
      grants.delete(body.get('code') ?? ''); // a code is good once
      if (!grant || grant.redirectUri !== body.get('redirect_uri') || body.get('grant_type') !== 'authorization_code') return json(res, 400, { error: 'invalid_grant' });
      const challenge = createHash('sha256').update(body.get('code_verifier') ?? '').digest('base64url');
      if (challenge !== grant.codeChallenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verifier does not match' });
      request.idToken = idToken(grant);
      return json(res, 200, { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: request.idToken });
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    tokenRequests,
    postLogoutRedirectUris,
    endSessionRequests,
    openSessions: () => sessions.size,
    backChannelLogoutUris,
    backChannelDeliveries,
    subjectOf,
    logoutToken,
    async endSessionBy({ email, sid }) {
      if (sid) sessions.delete(sid);
      else for (const [open, session] of sessions) if (session.email === email) sessions.delete(open);
      await tellClients({ sub: subjectOf(email), ...(sid && { sid }) });
    },
    misbehave: (how) => {
      misbehaviour = how;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
