/**
 * An API harness with single sign-on through the test provider (test/support/oidc-provider.ts),
 * without a worker, its log lines kept for the test to read (a token must never be among them).
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../common/logger';
import { startApiHarness, type ApiHarness } from './api';
import { startTestOidcProvider, type TestOidcProvider } from './oidc-provider';

export interface SingleSignOnHarness {
  provider: TestOidcProvider;
  h: ApiHarness;
  /** Every line the API logged, at debug level and above. */
  logLines: string[];
}

export async function startSingleSignOnHarness(): Promise<SingleSignOnHarness> {
  const provider = await startTestOidcProvider();
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  });
  const h = await startApiHarness({
    withoutWorker: true,
    logger,
    env: { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, OIDC_CLIENT_SECRET: provider.clientSecret, OIDC_PROVIDER_NAME: 'Test IdP' },
  });
  return { provider, h, logLines };
}

/** `name=value` of the Set-Cookie header that sets `name`. */
export const setCookiePair = (setCookie: string[] | string | undefined, name: string): string | undefined =>
  ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${name}=`))?.split(';')[0];

/**
 * As a browser would: signed in on the provider's own form (so the provider holds a session for
 * this browser, its cookie in `atProvider`), then back to the portal: `back` is the portal's
 * answer at its callback (its Set-Cookie carries the session).
 */
export async function signInOnProviderForm({ h, provider }: Pick<SingleSignOnHarness, 'h' | 'provider'>, email: string) {
  const start = await h.http().get('/api/session/oidc');
  const authorize = new URL(start.headers.location!);
  const form = await fetch(`${provider.issuer}/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), email, choice: 'continue' }),
  });
  const atProvider = form.headers.get('set-cookie')!.split(';')[0]!;
  const callback = new URL(form.headers.get('location')!);
  const back = await h.http().get(`${callback.pathname}${callback.search}`).set('Cookie', setCookiePair(start.headers['set-cookie'], 'agencyflow_oidc')!);
  return { atProvider, back };
}
