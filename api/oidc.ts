/**
 * Single sign-on with the organisation's OpenID Connect provider (Google Workspace, Microsoft
 * Entra, Keycloak, Okta…): the authorization code flow with PKCE, for the portal's sign-in. The
 * provider proves who someone is; the people directory still says what they may do (their
 * verified email is looked up there), and the session that follows is the token sign-in's.
 *
 * Written against the standards (OpenID Connect Core 1.0 §3.1, RFC 7636, RFC 7517/7518) with
 * Node's own crypto, so nothing here downloads or depends on a provider's SDK: discovery, the
 * token request (client_secret_basic) and the ID token's checks — signature against the
 * provider's published keys, issuer, audience, expiry and the nonce this browser was given.
 *
 * Signing out of the portal also ends the provider's session when the provider offers it
 * (OpenID Connect RP-Initiated Logout 1.0): `logoutUrl` is where the browser goes next, with the
 * ID token the sign-in received as `id_token_hint`. Otherwise "Sign in with …" on a shared
 * computer would sign the last person straight back in. The other way round, a session the
 * provider ends (the person signs out there, or an administrator ends it) ends the portal's
 * sessions it started (OpenID Connect Back-Channel Logout 1.0): `logoutRequest` checks the
 * logout token the provider POSTs.
 */
import { createHash, createPublicKey, randomBytes, verify, constants, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../common/config';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `${PUBLIC_BASE_URL}/api/session/oidc/callback`, as registered with the provider. */
  redirectUri: string;
  /** Where the provider sends the browser after signing out: `${PUBLIC_BASE_URL}/login?signedOut=1`, registered with it too. */
  postLogoutRedirectUri: string;
  /** Tests move the clock; the provider's clock may differ from ours by this much. */
  now?: () => number;
}

/**
 * Why a sign-in did not end in a session (`/login?signInError=`): each is said to the person in
 * words on the sign-in page, and the OpenAPI document lists them with these meanings.
 */
export const OIDC_FAILURES = {
  provider: 'the provider could not be reached, refused the code, or sent a token that fails its checks',
  cancelled: 'the person stopped at the provider (`error=access_denied` and the like)',
  expired: 'no sign-in of this browser waits for this answer: too old, or started in another browser',
  unverified_email: 'the provider does not vouch for the email (`email_verified: false`), or gave none',
  unknown_person: 'a verified email nobody in the people directory has (the email comes along as `email`)',
} as const;
export type OidcFailure = keyof typeof OIDC_FAILURES;

export class OidcError extends Error {
  override name = 'OidcError';
  constructor(
    readonly failure: OidcFailure,
    message: string,
    /** The verified email nobody in the directory has (`unknown_person`): the sign-in page names it. */
    readonly email?: string,
  ) {
    super(message);
  }
}

/** The provider did not answer, or not with what was asked (its discovery document, keys or token endpoint): not the token's fault. */
export class OidcProviderUnreachable extends OidcError {
  override name = 'OidcProviderUnreachable';
  constructor(message: string) {
    super('provider', message);
  }
}

/** What this browser must bring back to the callback: kept in a short-lived cookie of its own. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The portal page to open once signed in (a path of ours). */
  returnTo: string;
}

/** The claims the portal uses from a verified ID token. */
export interface VerifiedIdentity {
  subject: string;
  email: string;
  /** The verified token itself: the `id_token_hint` that names this sign-in when the session ends. Never logged. */
  idToken: string;
  /** The provider's session the sign-in belongs to (`sid`), when it names one: its back-channel logout may name it. */
  sid?: string;
}

/** Whose sessions a verified logout token ends: the provider's subject, its session, or both. */
export interface LogoutRequest {
  subject?: string;
  sid?: string;
}

/** The event a logout token must carry (OpenID Connect Back-Channel Logout 1.0 §2.4). */
const BACK_CHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token is sent as its session ends: one issued longer ago than this is refused (a replay, or a clock far off). */
const LOGOUT_TOKEN_MAX_AGE_MS = 10 * 60_000;

/**
 * What `DELETE /api/session` answers (200) when the provider started the session; any other
 * session gets 204 without a body, as before.
 */
export const signedOutSchema = z
  .object({
    providerName: z.string().meta({ description: 'The provider the session was started with ("Sign in with <providerName>").' }),
    logoutUrl: z.string().optional().meta({
      description:
        'Where the browser goes next: the provider\u2019s end_session_endpoint with `id_token_hint`, `client_id`, `post_logout_redirect_uri` and a `state`, which the provider sends back to `<PUBLIC_BASE_URL>/login?signedOut=1`. Absent when the provider offers no end_session_endpoint or could not be asked: its session may still be open.',
    }),
  })
  .meta({ id: 'SignedOut', description: 'Signed out of the portal, from a session the organisation\u2019s single sign-on started.' });
export type SignedOut = z.infer<typeof signedOutSchema>;

interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  /** RP-Initiated Logout 1.0: where the browser ends its session with the provider; not every provider has one. */
  end_session_endpoint?: string;
}

/** How long discovery and keys are reused before they are asked again (providers rotate keys, and announce new ones early). */
const METADATA_TTL_MS = 60 * 60_000;
/**
 * Signing out builds its address from a discovery document up to this old (asking again behind
 * it): the portal's session has already ended, and a provider that is down for a moment must not
 * cost the person the end of the provider's session too.
 */
const SIGN_OUT_METADATA_MAX_AGE_MS = 24 * 60 * 60_000;
/** Clocks of the provider and ours may differ by this much. */
const CLOCK_SKEW_MS = 60_000;
/** A provider that does not answer within this is reported as unreachable, not waited for. */
const PROVIDER_TIMEOUT_MS = 10_000;

/** The signature algorithms accepted, as Node verifies each (the provider names one in the token's header). */
const ALGORITHMS: Record<string, { hash: string; options?: { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  ES256: { hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { hash: 'sha384', options: { dsaEncoding: 'ieee-p1363' } },
};

const base64url = (bytes: Buffer): string => bytes.toString('base64url');
const randomValue = (): string => base64url(randomBytes(32));

/** The client the config describes (OIDC_*), and the button's name for it: OIDC_PROVIDER_NAME, or the issuer's host. */
export function singleSignOnFromConfig(
  config: Partial<Pick<Config, 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_PROVIDER_NAME' | 'publicBaseUrl'>>,
  now?: () => number,
): { client: OidcClient; providerName: string } {
  const client = new OidcClient({
    issuer: config.OIDC_ISSUER!,
    clientId: config.OIDC_CLIENT_ID!,
    clientSecret: config.OIDC_CLIENT_SECRET!,
    redirectUri: `${config.publicBaseUrl ?? ''}/api/session/oidc/callback`,
    postLogoutRedirectUri: `${config.publicBaseUrl ?? ''}/login?signedOut=1`,
    ...(now && { now }),
  });
  return { client, providerName: config.OIDC_PROVIDER_NAME ?? new URL(config.OIDC_ISSUER!).host };
}

export class OidcClient {
  private metadata?: { value: ProviderMetadata; at: number };
  /** A discovery under way behind an older document's use (one at a time). */
  private discovery?: Promise<ProviderMetadata | undefined>;
  private keys?: { value: (JsonWebKey & { kid?: string; use?: string })[]; at: number };

  constructor(private readonly settings: OidcSettings) {}

  private now(): number {
    return (this.settings.now ?? Date.now)();
  }

  /** Where to send the browser, and what it must bring back (a new state, nonce and PKCE verifier each time). */
  async begin(returnTo: string): Promise<{ url: string; pending: PendingSignIn }> {
    const provider = await this.provider();
    const pending: PendingSignIn = { state: randomValue(), nonce: randomValue(), codeVerifier: randomValue(), returnTo };
    const url = new URL(provider.authorization_endpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.settings.clientId);
    url.searchParams.set('redirect_uri', this.settings.redirectUri);
    url.searchParams.set('scope', 'openid email profile');
    url.searchParams.set('state', pending.state);
    url.searchParams.set('nonce', pending.nonce);
    url.searchParams.set('code_challenge', base64url(createHash('sha256').update(pending.codeVerifier).digest()));
    url.searchParams.set('code_challenge_method', 'S256');
    return { url: url.toString(), pending };
  }

  /**
   * The provider's answer at the callback: the code exchanged and the ID token verified against
   * what this browser was given. Throws OidcError with the reason otherwise.
   */
  async finish(query: Record<string, unknown>, pending: PendingSignIn | undefined): Promise<VerifiedIdentity> {
    const param = (name: string): string | undefined => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
    if (!pending || param('state') !== pending.state) {
      throw new OidcError('expired', 'no sign-in of this browser waits for this answer (state missing or different)');
    }
    const error = param('error');
    if (error) throw new OidcError(error === 'access_denied' ? 'cancelled' : 'provider', `the provider answered ${error}${param('error_description') ? `: ${param('error_description')}` : ''}`);
    const code = param('code');
    if (!code) throw new OidcError('provider', 'the provider answered without a code');

    const provider = await this.provider();
    const idToken = await this.exchange(provider, code, pending.codeVerifier);
    const claims = await this.verifiedClaims(provider, idToken, 'ID token');
    if (claims.nonce !== pending.nonce) throw new OidcError('provider', 'the ID token was not made for this sign-in (nonce)');
    if (typeof claims.sub !== 'string' || claims.sub === '') throw new OidcError('provider', 'the ID token names no subject');
    const email = typeof claims.email === 'string' ? claims.email.trim() : '';
    if (!email || claims.email_verified === false || claims.email_verified === 'false') {
      throw new OidcError('unverified_email', email ? `the provider has not verified ${email}` : 'the provider gave no email');
    }
    return { subject: claims.sub, email, idToken, ...(typeof claims.sid === 'string' && claims.sid !== '' && { sid: claims.sid }) };
  }

  /**
   * A logout token the provider sent to end sessions it started (OpenID Connect Back-Channel
   * Logout 1.0 §2.6): checked as an ID token is — signature against the provider's keys, issuer,
   * audience, expiry when it has one — and as a logout token: recently issued, carrying the
   * back-channel logout event, naming a subject or a session, and no nonce (which would make it
   * an ID token passed off as one). Throws OidcError with the reason otherwise.
   */
  async logoutRequest(logoutToken: string): Promise<LogoutRequest> {
    const provider = await this.provider();
    const claims = await this.verifiedClaims(provider, logoutToken, 'logout token', { expiryRequired: false });
    if (typeof claims.iat !== 'number' || claims.iat * 1000 < this.now() - LOGOUT_TOKEN_MAX_AGE_MS) throw new OidcError('provider', 'the logout token is too old, or says not when it was issued');
    const events = claims.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events) || typeof (events as Record<string, unknown>)[BACK_CHANNEL_LOGOUT_EVENT] !== 'object') {
      throw new OidcError('provider', 'the logout token carries no back-channel logout event');
    }
    if (claims.nonce !== undefined) throw new OidcError('provider', 'the logout token has a nonce: it is not a logout token');
    const subject = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined;
    const sid = typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
    if (subject === undefined && sid === undefined) throw new OidcError('provider', 'the logout token names neither a subject nor a session');
    return { ...(subject !== undefined && { subject }), ...(sid !== undefined && { sid }) };
  }

  /**
   * Where the browser ends its session with the provider (RP-Initiated Logout 1.0 §2), or
   * undefined when the provider's discovery document names no end_session_endpoint. The `state`
   * comes back to the sign-in page, which names the provider only when it is the one sent.
   * `idToken`: the sign-in's ID token, which tells the provider whose session to end without
   * asking (absent, `client_id` alone lets it check the redirect URI).
   */
  async logoutUrl(idToken: string | undefined): Promise<string | undefined> {
    const provider = await this.provider(SIGN_OUT_METADATA_MAX_AGE_MS);
    if (!provider.end_session_endpoint) return undefined;
    const url = new URL(provider.end_session_endpoint);
    if (idToken) url.searchParams.set('id_token_hint', idToken);
    url.searchParams.set('client_id', this.settings.clientId);
    url.searchParams.set('post_logout_redirect_uri', this.settings.postLogoutRedirectUri);
    url.searchParams.set('state', randomValue());
    return url.toString();
  }

  /**
   * The provider's discovery document, asked again once it is an hour old; `usableUpTo` lets a
   * caller take an older one at once, the document then being asked again behind it.
   */
  private async provider(usableUpTo = METADATA_TTL_MS): Promise<ProviderMetadata> {
    const age = this.metadata ? this.now() - this.metadata.at : Infinity;
    if (age < METADATA_TTL_MS) return this.metadata!.value;
    if (age < usableUpTo) {
      this.discovery ??= this.discover()
        .catch(() => undefined) // the next sign-in asks again, and says why if it fails
        .finally(() => (this.discovery = undefined));
      return this.metadata!.value;
    }
    return this.discover();
  }

  private async discover(): Promise<ProviderMetadata> {
    const issuer = this.settings.issuer.replace(/\/$/, '');
    const value = (await this.getJson(`${issuer}/.well-known/openid-configuration`)) as Partial<ProviderMetadata>;
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      if (typeof value[field] !== 'string') throw new OidcError('provider', `the provider's discovery document has no ${field}`);
    }
    // OpenID Connect Discovery §4.3: the document must name the issuer it was asked for.
    if (value.issuer!.replace(/\/$/, '') !== issuer) throw new OidcError('provider', `the discovery document names issuer ${value.issuer}, not ${issuer}`);
    // An end_session_endpoint that is not an address is as good as none: signing out then says the provider's session may be open.
    if (value.end_session_endpoint !== undefined && !URL.canParse(String(value.end_session_endpoint))) delete value.end_session_endpoint;
    this.metadata = { value: value as ProviderMetadata, at: this.now() };
    return this.metadata.value;
  }

  private async exchange(provider: ProviderMetadata, code: string, codeVerifier: string): Promise<string> {
    const credentials = `${encodeURIComponent(this.settings.clientId)}:${encodeURIComponent(this.settings.clientSecret)}`;
    const response = await this.call(provider.token_endpoint, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.settings.redirectUri, code_verifier: codeVerifier }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
    if (!response.ok) throw new OidcError('provider', `the provider refused the code (${response.status}${typeof body.error === 'string' ? ` ${body.error}` : ''})`);
    if (typeof body.id_token !== 'string') throw new OidcError('provider', 'the provider answered without an ID token');
    return body.id_token;
  }

  /**
   * A token the provider signed (`what`: "ID token", "logout token"), its signature, issuer,
   * audience and times checked; its own claims are the caller's to check. An ID token must say
   * when it expires; a logout token may not (`expiryRequired: false`).
   */
  private async verifiedClaims(provider: ProviderMetadata, token: string, what: string, options: { expiryRequired?: boolean } = {}): Promise<Record<string, unknown>> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new OidcError('provider', `the ${what} is not a signed JWT`);
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const decode = (part: string): Record<string, unknown> => {
      try {
        return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new OidcError('provider', `the ${what} cannot be read`);
      }
    };
    const header = decode(headerPart);
    const algorithm = ALGORITHMS[String(header.alg)];
    if (!algorithm) throw new OidcError('provider', `the ${what} is signed with ${String(header.alg)}, which is not accepted`);
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    // A key we have not seen may be a rotation: the provider's keys are asked again once.
    let key = await this.signingKey(provider, kid, false);
    if (!key) key = await this.signingKey(provider, kid, true);
    if (!key) throw new OidcError('provider', `none of the provider's keys is ${kid ?? 'the signing key'}`);
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    if (!verify(algorithm.hash, signed, { key, ...algorithm.options }, Buffer.from(signaturePart, 'base64url'))) {
      throw new OidcError('provider', `the ${what}\u2019s signature does not match the provider\u2019s key`);
    }

    const claims = decode(payloadPart);
    const now = this.now();
    if (String(claims.iss).replace(/\/$/, '') !== provider.issuer.replace(/\/$/, '')) throw new OidcError('provider', `the ${what} is from ${String(claims.iss)}`);
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.settings.clientId)) throw new OidcError('provider', `the ${what} is for another application`);
    if (audiences.length > 1 && claims.azp !== undefined && claims.azp !== this.settings.clientId) throw new OidcError('provider', `the ${what} was issued to another application`);
    const expiryRequired = options.expiryRequired ?? true;
    if ((expiryRequired || claims.exp !== undefined) && (typeof claims.exp !== 'number' || claims.exp * 1000 < now - CLOCK_SKEW_MS)) throw new OidcError('provider', `the ${what} has expired`);
    if (typeof claims.iat === 'number' && claims.iat * 1000 > now + CLOCK_SKEW_MS) throw new OidcError('provider', `the ${what} is issued in the future`);
    return claims;
  }

  private async signingKey(provider: ProviderMetadata, kid: string | undefined, refresh: boolean): Promise<KeyObject | undefined> {
    if (refresh || !this.keys || this.now() - this.keys.at >= METADATA_TTL_MS) {
      const jwks = (await this.getJson(provider.jwks_uri)) as { keys?: unknown };
      if (!Array.isArray(jwks.keys)) throw new OidcError('provider', 'the provider\u2019s key set has no keys');
      this.keys = { value: jwks.keys as (JsonWebKey & { kid?: string; use?: string })[], at: this.now() };
    }
    const candidates = this.keys.value.filter((k) => (kid === undefined || k.kid === kid) && (k.use === undefined || k.use === 'sig'));
    // Without a kid, the only signing key there is; with several, the token must say which.
    const jwk = kid === undefined && candidates.length > 1 ? undefined : candidates[0];
    if (!jwk) return undefined;
    try {
      return createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      throw new OidcError('provider', `the provider's key ${kid ?? '(without an id)'} cannot be read`);
    }
  }

  private async getJson(url: string): Promise<unknown> {
    const response = await this.call(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new OidcProviderUnreachable(`${url} answered ${response.status}`);
    try {
      return await response.json();
    } catch {
      throw new OidcProviderUnreachable(`${url} did not answer JSON`);
    }
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
    } catch (err) {
      throw new OidcProviderUnreachable(`the provider did not answer at ${new URL(url).origin} (${(err as Error).message})`);
    }
  }
}
