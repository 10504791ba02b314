/**
 * Test access to the run's shared reporting database (PGlite, started in test/global-setup.ts):
 * each store gets its own schema, so tests count exactly what they published although every test
 * file shares the one server; `dispose()` drops the schema again.
 */
import { randomBytes } from 'node:crypto';
import { ReportingStore } from '../../activities/reporting/store';

export function testReportingUrl(): string {
  const url = process.env.AGENCYFLOW_TEST_REPORTING_URL;
  if (!url) throw new Error('AGENCYFLOW_TEST_REPORTING_URL unset: run tests through jest (global setup)');
  return url;
}

/** A fresh schema name: `t_<16 hex>`. */
export const uniqueSchema = (prefix = 't'): string => `${prefix}_${randomBytes(8).toString('hex')}`;

export interface TestStore {
  store: ReportingStore;
  schema: string;
  url: string;
  /** Drops the schema and closes the pool. */
  dispose(): Promise<void>;
}

export async function openTestStore(options: { url?: string; schema?: string; migrate?: boolean } = {}): Promise<TestStore> {
  const url = options.url ?? testReportingUrl();
  const schema = options.schema ?? uniqueSchema();
  const store = await ReportingStore.open({ url, schema, poolSize: 4, migrate: options.migrate });
  let disposed: Promise<void> | undefined;
  return {
    store,
    schema,
    url,
    dispose() {
      disposed ??= (async () => {
        await store.dropSchema().catch(() => undefined);
        await store.close();
      })();
      return disposed;
    },
  };
}
