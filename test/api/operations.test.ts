/**
 * Running the API: health and readiness (with Temporal, without it, without a polling worker),
 * metrics, request ids, security headers, CORS, and the server process around the app: it
 * listens on an ephemeral port, starts even when Temporal is unreachable, and closes cleanly.
 */
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { startApiServer } from '../../api/server';
import { planRequest, projectRequest, startApiHarness, type ApiHarness } from '../support/api';
import { capturedLogger } from '../activities/fixtures';
import { eventually } from '../support/temporal';
import { testAddress } from '../support/temporal';
import { openTestStore, type TestStore } from '../support/reporting';

const NOWHERE = '127.0.0.1:1';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
});
afterAll(async () => {
  await h?.close();
});

describe('health and readiness', () => {
  test('/healthz answers 200 while the process lives', async () => {
    const res = await h.http().get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  test('/readyz is 200 when Temporal answers', async () => {
    const res = await h.http().get('/readyz').expect(200);
    expect(res.body).toEqual({ status: 'ready', checks: { temporal: 'ok', reporting: 'ok' } });
  });

  test('/readyz is 503 naming the reporting store when it does not answer or is not migrated', async () => {
    const unmigrated = await openTestStore({ migrate: false });
    const config = { ...loadConfig({ TEMPORAL_ADDRESS: testAddress(), LOG_LEVEL: 'silent' }), API_PORT: 0 };
    const server = await startApiServer({ config, logger: createLogger({ level: 'silent' }), reporting: unmigrated.store });
    try {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { detail: string; checks: unknown };
      expect(body.checks).toEqual({ temporal: 'ok', reporting: 'unreachable' });
      expect(body.detail).toMatch(/reporting store/);
    } finally {
      await server.close();
      await unmigrated.dispose();
    }
  });

  test('/readyz is 503 naming the worker when the in-process worker does not poll', async () => {
    let polling = false;
    const withWorker = await startApiHarness({ withoutWorker: true, workerPolling: () => polling });
    try {
      const res = await withWorker.http().get('/readyz').expect(503).expect('Content-Type', /application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, title: 'Not ready', checks: { temporal: 'ok', reporting: 'ok', worker: 'not polling' } });
      polling = true;
      await withWorker.http().get('/readyz').expect(200);
    } finally {
      await withWorker.close();
    }
  });

  test('with Temporal unreachable: /readyz 503, routes needing Temporal 503 problem+json, lists from the store, and the app keeps serving', async () => {
    const down = await startApiHarness({ temporalAddress: NOWHERE, workerPolling: () => false });
    try {
      const started = Date.now();
      const ready = await down.http().get('/readyz').expect(503).expect('Content-Type', /application\/problem\+json/);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(ready.body.checks).toEqual({ temporal: 'unreachable', reporting: 'ok', worker: 'not polling' });
      expect(ready.body.detail).toMatch(/Temporal/);

      const create = await down.http().post('/api/projects').set(down.auth('manager')).send(projectRequest()).expect(503);
      expect(create.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(create.headers['retry-after']).toBeDefined();
      expect(create.body).toMatchObject({ status: 503, title: 'Temporal unavailable' });
      expect(JSON.stringify(create.body)).not.toMatch(/\n\s+at /);

      // Lists come from the reporting store: people still see their work while Temporal is away.
      await down.http().get('/api/projects').set(down.auth('leadership')).expect(200);
      await down.http().get('/api/tasks').set(down.auth('designer')).expect(200);
      // A project the store has never seen can only be asked of Temporal.
      await down.http().get('/api/projects/p-aaaaaaaaaa').set(down.auth('leadership')).expect(503);
      // Still alive, and refusals that need no Temporal still work.
      await down.http().get('/healthz').expect(200);
      await down.http().post('/api/projects').send(projectRequest()).expect(401);
    } finally {
      await down.close();
    }
  });
});

describe('metrics, request ids, headers', () => {
  test('/metrics exposes request counts by route, method and status, latency, and process metrics', async () => {
    await h.http().get('/healthz').expect(200);
    await h.http().get('/api/projects/p-unknown00').expect(401);
    await h.http().get('/nope').expect(404);
    // Refused before routing (not JSON): still counted under its route.
    await h.http().post('/api/projects/p-aaaaaaaaaa/cancel').set('Content-Type', 'text/plain').send('stop').expect(415);
    const res = await h.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/agencyflow_http_requests_total\{route="\/healthz",method="GET",status="200"\} \d+/);
    expect(res.text).toMatch(/agencyflow_http_requests_total\{route="\/api\/projects\/:id",method="GET",status="401"\} \d+/);
    expect(res.text).toMatch(/agencyflow_http_requests_total\{route="unmatched",method="GET",status="404"\} \d+/);
    expect(res.text).toMatch(/agencyflow_http_requests_total\{route="\/api\/projects\/:id\/cancel",method="POST",status="415"\} 1/);
    expect(res.text).toMatch(/agencyflow_http_request_duration_seconds_bucket\{/);
    expect(res.text).toMatch(/agencyflow_process_cpu_user_seconds_total/);
  });

  test('/metrics needs METRICS_TOKEN as a bearer token when one is set, and is off under PRODUCTION_CHECKS without one', async () => {
    const token = 'metrics-token-of-some-length';
    const guarded = await startApiHarness({ withoutWorker: true, env: { METRICS_TOKEN: token } });
    const off = await startApiHarness({ withoutWorker: true, env: { PRODUCTION_CHECKS: 'true' } });
    try {
      const refused = await guarded.http().get('/metrics').expect(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(refused.body.type).toBe('urn:agencyflow:problem:unauthenticated');
      await guarded.http().get('/metrics').set('Authorization', 'Bearer not-the-metrics-token').expect(401);
      // A person's API token is not the metrics token either.
      await guarded.http().get('/metrics').set(guarded.auth('manager')).expect(401);
      const scraped = await guarded.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
      expect(scraped.text).toContain('agencyflow_http_requests_total');
      await off.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(404);
    } finally {
      await guarded.close();
      await off.close();
    }
  });

  test('X-Request-Id is taken from the request or made up, and returned', async () => {
    const given = await h.http().get('/healthz').set('X-Request-Id', 'req-abc.123').expect(200);
    expect(given.headers['x-request-id']).toBe('req-abc.123');
    const made = await h.http().get('/healthz').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const junk = await h.http().get('/healthz').set('X-Request-Id', 'has spaces <script>').expect(200);
    expect(junk.headers['x-request-id']).not.toContain(' ');
    const problem = await h.http().get('/api/projects').set('X-Request-Id', 'trace-me').expect(401);
    expect(problem.body.requestId).toBe('trace-me');
  });

  test('the request id of an action reaches the log of the activity it causes', async () => {
    const { lines, logger } = capturedLogger();
    const withWorker = await startApiHarness({ logger });
    try {
      const created = await withWorker
        .http()
        .post('/api/projects')
        .set(withWorker.auth('manager'))
        .send(projectRequest())
        .expect(201);
      await withWorker
        .http()
        .put(`/api/projects/${created.body.projectId}/plan`)
        .set(withWorker.auth('manager'))
        .set('X-Request-Id', 'plan-req-42')
        .send(planRequest())
        .expect(200);
      // Submitting the plan queues "plan waiting" for leadership; the notify activity logs it.
      const line = await eventually(
        async () => lines.find((l) => l.template === 'plan_waiting' && l.projectId === created.body.projectId),
        { what: 'the plan_waiting notify log line' },
      );
      expect(line).toMatchObject({ requestId: 'plan-req-42', workflowId: `project-${created.body.projectId}` });
    } finally {
      await withWorker.close();
    }
  });

  test('the key of a client\u2019s link never reaches the log: request lines and the client\u2019s mails show it redacted', async () => {
    const { lines, logger } = capturedLogger();
    const withLog = await startApiHarness({ logger });
    try {
      const created = await withLog.http().post('/api/projects').set(withLog.auth('manager')).send(projectRequest()).expect(201);
      const projectId = created.body.projectId as string;
      const url = await eventually(
        async () => {
          const res = await withLog.http().get(`/api/projects/${projectId}/client-link`).set(withLog.auth('manager'));
          return res.status === 200 ? new URL(res.body.url as string) : undefined;
        },
        { what: 'the client link' },
      );
      const key = url.searchParams.get('key')!;
      await withLog.http().get(`/api/client/projects/${projectId}`).query({ key }).expect(200);
      await withLog.http().get(`/api/client/projects/${projectId}/documents/nope`).query({ key }).expect(404);
      // The parameter's name written with an escape opens the page as well (Express decodes it): redacted too.
      await withLog.http().get(`/api/client/projects/${projectId}?%6Bey=${key}`).expect(200);
      // A mail to the client carries their page's link (here a log line, as without SMTP): the key stays out of it.
      await withLog.http().post(`/api/projects/${projectId}/handover`).set(withLog.auth('manager')).send({ toManagerId: withLog.people.otherManager.id }).expect(200);
      const clientMail = await eventually(async () => lines.find((l) => l.msg === 'mail (no SMTP configured)' && l.to === 'buyer@acme.example' && l.projectId === projectId), {
        what: 'the client\u2019s mail about their new manager',
      });
      expect(clientMail.text).toContain(`/client/${projectId}?key=[redacted]`);
      const logged = JSON.stringify(lines);
      expect(logged).not.toContain(key);
      expect(lines.some((l) => String(l.url).startsWith(`/api/client/projects/${projectId}?key=[redacted]`))).toBe(true);
    } finally {
      await withLog.close();
    }
  });

  test('security headers are set; CORS is off unless origins are configured', async () => {
    const res = await h.http().get('/healthz').set('Origin', 'https://portal.example').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();

    const withCors = await startApiHarness({ withoutWorker: true, env: { API_CORS_ORIGINS: 'https://portal.example' } });
    try {
      const allowed = await withCors.http().get('/healthz').set('Origin', 'https://portal.example').expect(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://portal.example');
      const preflight = await withCors
        .http()
        .options('/api/projects')
        .set('Origin', 'https://portal.example')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
      const other = await withCors.http().get('/healthz').set('Origin', 'https://evil.example').expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await withCors.close();
    }
  });
});

describe('the server process', () => {
  const logger = createLogger({ level: 'silent' });
  let reporting: TestStore;
  beforeAll(async () => {
    reporting = await openTestStore();
  });
  afterAll(async () => {
    await reporting?.dispose();
  });

  test('listens on an ephemeral port (API_PORT=0), serves, and closes', async () => {
    const config = { ...loadConfig({ TEMPORAL_ADDRESS: testAddress(), LOG_LEVEL: 'silent' }), API_PORT: 0 };
    const server = await startApiServer({ config, logger, reporting: reporting.store });
    try {
      expect(server.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(server.url).not.toMatch(/:0$/);
      expect(server.docsUrl).toBe(`${server.url}/docs`);
      const port = new URL(server.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect((await fetch(server.docsUrl)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  test('starts and listens while Temporal is unreachable: /readyz 503, one error logged, close still works', async () => {
    const lines: { level: number; msg: string }[] = [];
    const capture = createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    });
    const config = { ...loadConfig({ TEMPORAL_ADDRESS: NOWHERE, LOG_LEVEL: 'info' }), API_PORT: 0 };
    const server = await startApiServer({ config, logger: capture, reporting: reporting.store });
    try {
      const port = new URL(server.url).port;
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { checks: unknown }).checks).toEqual({ temporal: 'unreachable', reporting: 'ok' });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3_000));
      const errors = lines.filter((l) => l.level >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0].msg).toMatch(/Connecting the API to Temporal at 127\.0\.0\.1:1 failed; retrying/);
    } finally {
      await server.close();
    }
  });
});
