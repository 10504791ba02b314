/**
 * Signing in to the portal over HTTP: the session cookie's attributes, CSRF on cookie requests
 * that change something (bearer requests need none), sign-out ending the session on the server,
 * sessions kept in the database (shared by API processes, a digest only), expiry, the demo people
 * on offer, the people directory for pickers; and the portal itself: index.html for page paths a
 * browser opens (never for the API, docs or operations routes), hashed assets cached for good, no
 * inline script, and the scripts' weight within budget.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { startApiHarness, type ApiHarness } from '../support/api';
import { testReportingUrl } from '../support/reporting';
import { openDatabase, schemaIdentifier, sql } from '../../activities/reporting/sql';
import { StoredSessionStore } from '../../api/sessions';
import { PORTAL_DIR } from '../../api/portal';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
});
afterAll(async () => {
  await h?.close();
});

const cookieOf = (setCookie: string[] | string | undefined): string => {
  const line = ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith('agencyflow_session='));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  return line;
};

async function signIn(token: string): Promise<{ cookie: string; csrf: string; line: string }> {
  const res = await h.http().post('/api/session').send({ token }).expect(201);
  const line = cookieOf(res.headers['set-cookie']);
  return { cookie: line.split(';')[0], csrf: res.body.session.csrfToken as string, line };
}

describe('sign-in and the session cookie', () => {
  test('a token from the directory gives an httpOnly, SameSite=Strict session cookie and a CSRF token', async () => {
    const res = await h.http().post('/api/session').send({ token: h.people.designer.token }).expect(201);
    const line = cookieOf(res.headers['set-cookie']);
    expect(line).toMatch(/; Path=\//);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Strict/);
    expect(line).toMatch(/; Max-Age=43200/); // SESSION_TTL 12h
    expect(line).not.toMatch(/Secure/); // http://localhost: no Secure flag (PUBLIC_BASE_URL is not https)
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      person: { id: 'dima.design', name: 'Dima Kozlov', role: 'staff', department: 'design' },
      session: { csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/), expiresAt: expect.any(String) },
    });
    expect(JSON.stringify(res.body)).not.toContain('@'); // no email
  });

  test('an unknown token is refused at the token field', async () => {
    const res = await h.http().post('/api/session').send({ token: 'nobody-has-this-token-000000' }).expect(401);
    expect(res.body.errors).toEqual([{ field: 'token', message: 'nobody in the people directory holds this token' }]);
    expect(res.headers['set-cookie']).toBeUndefined();
    const empty = await h.http().post('/api/session').send({}).expect(400);
    expect(empty.body.errors[0].field).toBe('token');
  });

  test('the cookie authenticates reads; GET /api/session says who is signed in without ever answering 401', async () => {
    const { cookie, csrf } = await signIn(h.people.manager.token);
    const me = await h.http().get('/api/me').set('Cookie', cookie).expect(200);
    expect(me.body).toMatchObject({ person: { id: h.people.manager.id, role: 'manager' }, session: { csrfToken: csrf } });
    await h.http().get('/api/projects').set('Cookie', cookie).expect(200);
    expect((await h.http().get('/api/session').set('Cookie', cookie).expect(200)).body).toMatchObject({ signedIn: true, person: { id: h.people.manager.id } });
    expect((await h.http().get('/api/session').expect(200)).body).toEqual({ signedIn: false });
    // A bearer caller is signed in too, without a session (no CSRF token needed).
    expect((await h.http().get('/api/me').set(h.auth('leadership')).expect(200)).body.session).toBeUndefined();
  });

  test('cookie requests that change something need the CSRF token; bearer requests do not', async () => {
    const { cookie, csrf } = await signIn(h.people.manager.token);
    const missing = await h.http().post('/api/projects').set('Cookie', cookie).send({ title: 7 }).expect(403);
    expect(missing.body.type).toBe('urn:agencyflow:problem:csrf');
    await h.http().post('/api/projects').set('Cookie', cookie).set('X-CSRF-Token', 'wrong').send({ title: 7 }).expect(403);
    // With the token the request reaches the route (400: the invalid body was read).
    await h.http().post('/api/projects').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ title: 7 }).expect(400);
    await h.http().post('/api/projects').set(h.auth('manager')).send({ title: 7 }).expect(400);
    // Another session's token does not do.
    const other = await signIn(h.people.manager.token);
    await h.http().post('/api/projects').set('Cookie', cookie).set('X-CSRF-Token', other.csrf).send({ title: 7 }).expect(403);
  });

  test('signing out ends the session on the server: the copied cookie is worthless afterwards', async () => {
    const { cookie, csrf } = await signIn(h.people.copywriter.token);
    await h.http().delete('/api/session').set('Cookie', cookie).expect(403); // no CSRF token
    const out = await h.http().delete('/api/session').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    expect(cookieOf(out.headers['set-cookie'])).toMatch(/^agencyflow_session=; .*Max-Age=0/);
    const after = await h.http().get('/api/tasks').set('Cookie', cookie).expect(401);
    expect(after.body.detail).toMatch(/session has ended/);
    expect((await h.http().get('/api/session').set('Cookie', cookie).expect(200)).body).toEqual({ signedIn: false });
  });

  test('sessions are kept in the database: another API process knows them (so does this one after a restart), and signing out through either ends them', async () => {
    const { cookie, csrf } = await signIn(h.people.manager.token);
    const other = h.anotherProcess();
    const there = await other().get('/api/me').set('Cookie', cookie).expect(200);
    expect(there.body).toMatchObject({ person: { id: h.people.manager.id }, session: { csrfToken: csrf } });
    // Its CSRF token holds there too (400: the route read the invalid body).
    await other().post('/api/projects').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ title: 7 }).expect(400);
    await h.http().get('/api/me').set('Cookie', cookie).expect(200); // this process has looked it up for a read
    await other().delete('/api/session').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    // A change through this process asks the database: refused at once.
    const change = await h.http().post('/api/projects').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ title: 7 }).expect(401);
    expect(change.body.detail).toMatch(/session has ended/);
    await other().get('/api/me').set('Cookie', cookie).expect(401);
    await h.http().get('/api/me').set('Cookie', cookie).expect(401);
  });

  test('the database holds a digest of the session id, never the cookie value', async () => {
    const { cookie } = await signIn(h.people.ads.token);
    const value = cookie.slice('agencyflow_session='.length);
    const db = openDatabase({ url: testReportingUrl() });
    try {
      const rows = await db.rows<Record<string, unknown>>(sql`SELECT * FROM ${schemaIdentifier(h.reporting.schema)}.portal_sessions`);
      const digest = createHash('sha256').update(value).digest('hex');
      expect(rows.filter((r) => r.id_digest === digest)).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(value);
    } finally {
      await db.close();
    }
  });

  test('a read may take a lookup this process made a moment ago; a change always asks the database', async () => {
    const here = new StoredSessionStore(h.reporting.portalSessions, { readReuseMs: 1_000 });
    const elsewhere = new StoredSessionStore(h.reporting.portalSessions);
    const t0 = Date.now();
    const session = await here.create(h.people.seo.id, 60_000, t0);
    expect(await here.get(session.id, { now: t0 + 10, forRead: true })).toEqual(session);
    await elsewhere.delete(session.id);
    // Signed out through another process: reads here may still pass within readReuseMs…
    expect(await here.get(session.id, { now: t0 + 500, forRead: true })).toEqual(session);
    // …a change does not, and once refused the session is forgotten here for reads too.
    expect(await here.get(session.id, { now: t0 + 500 })).toBeUndefined();
    expect(await here.get(session.id, { now: t0 + 510, forRead: true })).toBeUndefined();

    const second = await here.create(h.people.seo.id, 60_000, t0);
    expect(await here.get(second.id, { now: t0 + 10, forRead: true })).toEqual(second);
    await elsewhere.delete(second.id);
    expect(await here.get(second.id, { now: t0 + 1_010, forRead: true })).toBeUndefined(); // past readReuseMs: asked

    // Ended by the identity provider through another process (back-channel logout): the same
    // 5 s the README gives — reads here may still pass, a change is refused at once.
    const byProvider = await here.create(h.people.seo.id, 60_000, t0, { subject: 'seo-subject', sid: 'provider-session-1' });
    expect(await here.get(byProvider.id, { now: t0 + 10, forRead: true })).toEqual(byProvider);
    expect(await elsewhere.endSignedInBy({ sid: 'provider-session-1' })).toBe(1);
    expect(await here.get(byProvider.id, { now: t0 + 500, forRead: true })).toEqual(byProvider);
    expect(await here.get(byProvider.id, { now: t0 + 500 })).toBeUndefined();

    // A reused lookup never outlives the session itself.
    const brief = await here.create(h.people.seo.id, 200, t0);
    expect(await here.get(brief.id, { now: t0 + 10, forRead: true })).toEqual(brief);
    expect(await here.get(brief.id, { now: t0 + 200, forRead: true })).toBeUndefined();
  });

  test('a read whose lookup overlapped a sign-out through the same process is not reused afterwards', async () => {
    const real = h.reporting.portalSessions;
    let lookedUp!: () => void;
    const lookupDone = new Promise<void>((resolve) => (lookedUp = resolve));
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    let holdNextLookup = false;
    const here = new StoredSessionStore({
      ...real,
      find: async (idDigest, now) => {
        const found = await real.find(idDigest, now);
        if (holdNextLookup) {
          holdNextLookup = false;
          lookedUp();
          await gate; // the answer is on its way back while the person signs out
        }
        return found;
      },
    });
    const session = await here.create(h.people.seo.id, 60_000);
    holdNextLookup = true;
    const reading = here.get(session.id, { forRead: true });
    await lookupDone;
    await here.delete(session.id);
    letGo();
    expect(await reading).toEqual(session); // it was read before the sign-out
    expect(await here.get(session.id, { forRead: true })).toBeUndefined();
  });

  test('a session ends by itself after SESSION_TTL', async () => {
    const short = await startApiHarness({ withoutWorker: true, env: { SESSION_TTL: '1s' } });
    try {
      const res = await short.http().post('/api/session').send({ token: short.people.seo.token }).expect(201);
      const line = cookieOf(res.headers['set-cookie']);
      expect(line).toMatch(/Max-Age=1\b/);
      const cookie = line.split(';')[0];
      await short.http().get('/api/me').set('Cookie', cookie).expect(200);
      await new Promise((r) => setTimeout(r, 1_200));
      await short.http().get('/api/me').set('Cookie', cookie).expect(401);
    } finally {
      await short.close();
    }
  });

  test('the sign-in page is offered the demo people (and only them), with their tokens', async () => {
    const res = await h.http().get('/api/session/demo').expect(200);
    const ids = (res.body.items as { id: string }[]).map((p) => p.id);
    expect(ids).toEqual(['anna.manager', 'boris.manager', 'lena.director', 'dima.design', 'olga.design', 'ivan.copy', 'maria.seo', 'pavel.ads', 'nina.analytics']);
    expect(res.body.items[0]).toEqual({ id: 'anna.manager', name: 'Anna Petrova', role: 'manager', token: 'demo-manager-anna-token' });
    // The harness's own people (random tokens) are not demo people.
    expect(ids).not.toContain(h.people.manager.id);
  });

  test('the people directory lists names, roles and departments (no emails), filtered for pickers', async () => {
    const res = await h.http().get('/api/people').query({ role: 'staff', department: 'design' }).set(h.auth('manager')).expect(200);
    expect(res.body.items).toEqual([
      { id: 'dima.design', name: 'Dima Kozlov', role: 'staff', department: 'design' },
      { id: 'olga.design', name: 'Olga Morozova', role: 'staff', department: 'design' },
    ]);
    await h.http().get('/api/people').query({ department: 'sales' }).set(h.auth('manager')).expect(400);
    await h.http().get('/api/people').expect(401);
  });
});

describe('the portal’s pages and assets', () => {
  const html = { Accept: 'text/html,application/xhtml+xml' };

  test.each(['/', '/login', '/inbox', '/tasks/p-aaaaaaaaaa.design-home', '/projects', '/projects/p-aaaaaaaaaa', '/projects/p-aaaaaaaaaa/plan', '/approvals', '/review', '/kpis', '/targets', '/no-such-page'])(
    '%s opens the portal in a browser',
    async (page) => {
      const res = await h.http().get(page).set(html).expect(200).expect('Content-Type', /text\/html/);
      expect(res.text).toContain('<div id="app">');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/default-src 'self'/);
    },
  );

  test.each(['/api/nope', '/api/projects', '/docs/nope', '/openapi.json', '/healthz', '/metrics', '/assets/nope.js'])(
    '%s is never answered with the portal',
    async (route) => {
      const res = await h.http().get(route).set(html);
      expect(res.text).not.toContain('<div id="app">');
    },
  );

  test('API clients asking for an unknown path get the usual 404 problem', async () => {
    const res = await h.http().get('/tasks/x').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  test('index.html loads only files (no inline script or style), each served and cached for good', async () => {
    const page = (await h.http().get('/').set(html).expect(200)).text;
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/<style|style=/);
    const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(3); // icon, style sheet, script (and its preloaded chunks)
    for (const asset of assets) {
      const res = await h.http().get(asset).expect(200);
      expect(res.headers['cache-control']).toMatch(/max-age=31536000, immutable/);
    }
    expect(page).not.toMatch(/https?:\/\//); // nothing from another origin (no CDN)
  });

  test('all the portal’s scripts together weigh less than 150 KB gzipped, and load nothing from elsewhere', () => {
    const scripts = (fs.readdirSync(path.join(PORTAL_DIR, 'assets'), { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(1); // the shell and a file per page
    const gzipped = scripts.reduce((n, s) => n + gzipSync(fs.readFileSync(path.join(PORTAL_DIR, 'assets', s))).length, 0);
    expect(gzipped).toBeLessThan(150 * 1024);
    for (const s of scripts) expect(fs.readFileSync(path.join(PORTAL_DIR, 'assets', s), 'utf8')).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z]/);
  });
});
