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
