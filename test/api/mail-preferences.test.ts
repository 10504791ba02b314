/**
 * Stopping the weekly digests through HTTP: a signed-in person's own switch (GET and PUT
 * /api/me/mail, only the digest of their role), and the one-click stop of a digest's link (RFC
 * 8058: a form POST without a session or CSRF token) — a GET of it changes nothing, a token that is
 * not ours or names someone else is refused naming `token`, and no log line carries a token.
 * (The digests themselves, sent and left out: test/workflows/digests.test.ts.)
 */
import { UnsubscribeLinks } from '../../activities/mail/digest-mail';
import { capturedLogger } from '../activities/fixtures';
import { startApiHarness, type ApiHarness } from '../support/api';

let h: ApiHarness;
const log = capturedLogger();
/** Links as the worker makes them for a digest (the same secret, in the harness's store). */
let links: UnsubscribeLinks;

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true, logger: log.logger });
  links = new UnsubscribeLinks(h.reporting, 'http://localhost:3000', 0);
});
afterAll(async () => {
  await h?.close();
});

/** The path and query of a link, as a request to the app. */
const pathOf = (url: string): string => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const tokenOf = (url: string): string => new URL(url).searchParams.get('token')!;

test('each role sees the digest it receives (staff none) and switches it off and on again; another digest is refused naming it', async () => {
  expect((await h.http().get('/api/me/mail').set(h.auth('leadership')).expect(200)).body).toEqual({ digests: [{ digest: 'leadership_digest', receives: true }] });
  expect((await h.http().get('/api/me/mail').set(h.auth('designer')).expect(200)).body).toEqual({ digests: [] });
  expect((await h.http().get('/api/me/mail').set(h.auth('manager')).expect(200)).body).toEqual({ digests: [{ digest: 'manager_digest', receives: true }] });

  const off = await h.http().put('/api/me/mail').set(h.auth('manager')).send({ digests: [{ digest: 'manager_digest', receives: false }] }).expect(200);
  expect(off.body).toEqual({ digests: [{ digest: 'manager_digest', receives: false, changedBy: h.people.manager.id, changedAt: expect.any(String) }] });
  expect([...(await h.reporting.stoppedDigest('manager_digest', [h.people.manager.id, h.people.otherManager.id]))]).toEqual([h.people.manager.id]);
  // Read again, as a reload does.
  expect((await h.http().get('/api/me/mail').set(h.auth('manager')).expect(200)).body).toEqual(off.body);
  // The same again changes nothing: who and when stay.
  const again = await h.http().put('/api/me/mail').set(h.auth('manager')).send({ digests: [{ digest: 'manager_digest', receives: false }] }).expect(200);
  expect(again.body).toEqual(off.body);

  const on = await h.http().put('/api/me/mail').set(h.auth('manager')).send({ digests: [{ digest: 'manager_digest', receives: true }] }).expect(200);
  expect(on.body.digests[0]).toMatchObject({ digest: 'manager_digest', receives: true, changedBy: h.people.manager.id });
  expect((await h.reporting.stoppedDigest('manager_digest', [h.people.manager.id])).size).toBe(0);

  // Leadership's digest is not a manager's to switch; staff have none.
  const notTheirs = await h.http().put('/api/me/mail').set(h.auth('manager')).send({ digests: [{ digest: 'leadership_digest', receives: false }] }).expect(400);
  expect(notTheirs.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(notTheirs.body.errors).toEqual([{ field: 'digests[0].digest', message: expect.stringContaining('not a digest you get as manager') }]);
  const staff = await h.http().put('/api/me/mail').set(h.auth('designer')).send({ digests: [{ digest: 'manager_digest', receives: false }] }).expect(400);
  expect(staff.body.errors).toEqual([{ field: 'digests[0].digest', message: expect.stringContaining('no weekly digest') }]);
  expect((await h.reporting.stoppedDigest('leadership_digest', [h.people.manager.id])).size).toBe(0);
  expect(await h.reporting.mailPreferences(h.people.designer.id)).toEqual([]);
});

test("the digest's one-click link stops it from a mail client's form POST, without a session; twice is fine; a GET of it stops nothing", async () => {
  const leader = h.people.leadership.id;
  const { oneClick, page } = await links.forDigest(leader, 'leadership_digest');
  expect(tokenOf(oneClick)).toBe(tokenOf(page));
  expect(new URL(page).pathname).toBe('/mail/unsubscribe');

  // Mail scanners follow links: a GET leads to the page with the button, and changes nothing.
  const followed = await h.http().get(pathOf(oneClick)).set('Accept', 'text/html').expect(303);
  expect(followed.headers.location).toBe(`/mail/unsubscribe?token=${tokenOf(oneClick)}`);
  await h.http().get(pathOf(oneClick)).expect(303);
  expect((await h.reporting.stoppedDigest('leadership_digest', [leader])).size).toBe(0);
  expect(await h.reporting.mailPreferences(leader)).toEqual([]);

  // As a mail client sends it (RFC 8058): a form body, no cookie, no token of anyone's.
  const stopped = await h.http().post(pathOf(oneClick)).type('form').send('List-Unsubscribe=One-Click').expect(200);
  expect(stopped.body).toEqual({ digest: 'leadership_digest', receives: false, changed: true });
  expect([...(await h.reporting.stoppedDigest('leadership_digest', [leader]))]).toEqual([leader]);
  const first = await h.reporting.mailPreferences(leader);
  expect(first).toEqual([{ digest: 'leadership_digest', receives: false, changedBy: 'mail-link', changedAt: expect.any(String) }]);

  // Pressed again (the page's button after the mail client's): fine, nothing changes.
  const twice = await h.http().post(pathOf(oneClick)).expect(200);
  expect(twice.body).toEqual({ digest: 'leadership_digest', receives: false, changed: false });
  expect(await h.reporting.mailPreferences(leader)).toEqual(first);
  // The person sees it stopped when signed in, and by whom.
  expect((await h.http().get('/api/me/mail').set(h.auth('leadership')).expect(200)).body.digests[0]).toMatchObject({ receives: false, changedBy: 'mail-link' });
  await h.http().put('/api/me/mail').set(h.auth('leadership')).send({ digests: [{ digest: 'leadership_digest', receives: true }] }).expect(200);
});

test("the one-click POST needs no CSRF token, even from a browser signed in to the portal (the page's button)", async () => {
  const signIn = await h.http().post('/api/session').send({ token: h.people.otherManager.token }).expect(201);
  const cookie = (signIn.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
  // The session's own changes still need it.
  await h.http().put('/api/me/mail').set('Cookie', cookie).send({ digests: [{ digest: 'manager_digest', receives: false }] }).expect(403);
  const { oneClick } = await links.forDigest(h.people.otherManager.id, 'manager_digest');
  await h.http().post(pathOf(oneClick)).set('Cookie', cookie).expect(200);
  expect([...(await h.reporting.stoppedDigest('manager_digest', [h.people.otherManager.id]))]).toEqual([h.people.otherManager.id]);
  await h.http().put('/api/me/mail').set(h.auth('otherManager')).send({ digests: [{ digest: 'manager_digest', receives: true }] }).expect(200);
});

test("a forged token, one altered to name someone else or another digest, or none at all: 400 naming token, and nothing changes", async () => {
  const manager = h.people.manager.id;
  const other = h.people.otherManager.id;
  const { oneClick } = await links.forDigest(manager, 'manager_digest');
  const token = tokenOf(oneClick);
  const [named, signature] = token.split('.');
  const naming = (text: string) => Buffer.from(text).toString('base64url');
  const flip = (c: string) => (c === 'A' ? 'B' : 'A');
  const wrong = [
    // The signature altered.
    `${named}.${signature!.slice(0, -1)}${flip(signature!.slice(-1))}`,
    // Another person, or another digest, under the manager's signature.
    `${naming(`manager_digest\n${other}`)}.${signature}`,
    `${naming(`leadership_digest\n${manager}`)}.${signature}`,
    // Made up; cut short; empty.
    `${naming(`manager_digest\n${other}`)}.${'x'.repeat(32)}`,
    token.slice(0, -4),
    '',
  ];
  for (const forged of wrong) {
    const res = await h.http().post(`/api/mail/unsubscribe?token=${encodeURIComponent(forged)}`).type('form').send('List-Unsubscribe=One-Click').expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([{ field: 'token', message: expect.any(String) }]);
  }
  const none = await h.http().post('/api/mail/unsubscribe').expect(400);
  expect(none.body.errors).toEqual([expect.objectContaining({ field: 'token' })]);
  expect((await h.reporting.stoppedDigest('manager_digest', [manager, other])).size).toBe(0);
  expect((await h.reporting.stoppedDigest('leadership_digest', [manager])).size).toBe(0);
});

test('no log line carries a token of a digest link', async () => {
  const { oneClick } = await links.forDigest(h.people.reportManager.id, 'manager_digest');
  await h.http().get(pathOf(oneClick)).expect(303);
  await h.http().post(pathOf(oneClick)).expect(200);
  const signature = tokenOf(oneClick).split('.')[1]!;
  const lines = log.lines.map((l) => JSON.stringify(l));
  expect(lines.some((l) => l.includes('/api/mail/unsubscribe?token=[redacted]'))).toBe(true);
  expect(lines.filter((l) => l.includes(signature))).toEqual([]);
});
