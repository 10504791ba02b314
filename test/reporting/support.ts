/**
 * An API app in front of a test reporting store, with the clock pinned: what the report routes
 * need (people, the store) is real; Temporal is an address nobody answers, because none of these
 * routes may touch it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import supertest from 'supertest';
import { createDocumentStoreFromConfig } from '../../activities/documents/store';
import type { ReportingStore } from '../../activities/reporting/store';
import { createApp } from '../../api/app';
import { createTemporalConnection, TemporalGateway } from '../../api/temporal-gateway';
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { PeopleDirectory } from '../../common/people';

export const TOKENS = {
  anna: 'demo-manager-anna-token',
  boris: 'demo-manager-boris-token',
  lena: 'demo-leadership-lena-token',
  dima: 'demo-staff-design-dima-token',
} as const;

/** The people the reports are asked as: leadership, and the two managers of the dataset. */
export type Who = 'lena' | 'anna' | 'boris';

export interface ReportApp {
  app: Express;
  http: () => ReturnType<typeof supertest>;
  auth(who: keyof typeof TOKENS): { Authorization: string };
  /** GET `path` with `query` as `who` (leadership unless said), expecting 200: its body. */
  answer<T>(path: string, query: Record<string, string>, who?: Who): Promise<T>;
  /** Asks `path` with `query` as leadership and expects a 400 problem+json naming exactly `field`. */
  expectRefusedAt(path: string, query: Record<string, string>, field: string): Promise<void>;
  close(): Promise<void>;
}

export function reportApp(reporting: ReportingStore, options: { now: Date; env?: Record<string, string> }): ReportApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-reports-'));
  const config = loadConfig(
    {
      DATA_DIR: dir,
      PEOPLE_FILE: path.join(__dirname, '..', '..', 'config', 'people.example.json'),
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      LOG_LEVEL: 'silent',
      ...options.env,
    },
    dir,
  );
  const logger = createLogger({ level: 'silent' });
  const connection = createTemporalConnection(config.temporalAddress);
  const app = createApp({
    config,
    logger,
    temporal: new TemporalGateway({ connection, namespace: 'default', taskQueue: 'nowhere', logger }),
    people: PeopleDirectory.fromFile(config.peopleFile),
    documents: createDocumentStoreFromConfig(config),
    reporting,
    now: () => options.now.getTime(),
  });
  return {
    app,
    http: () => supertest(app),
    auth: (who) => ({ Authorization: `Bearer ${TOKENS[who]}` }),
    async answer<T>(path: string, query: Record<string, string>, who: Who = 'lena') {
      return (await supertest(app).get(path).query(query).set({ Authorization: `Bearer ${TOKENS[who]}` }).expect(200)).body as T;
    },
    async expectRefusedAt(path, query, field) {
      const res = await supertest(app).get(path).query(query).set({ Authorization: `Bearer ${TOKENS.lena}` }).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    },
    async close() {
      await connection.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
