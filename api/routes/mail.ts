/**
 * Stopping the weekly digests (activities/mail/digest-mail.ts).
 *
 * - From the mail, without an account: `POST /api/mail/unsubscribe?token=…` is RFC 8058's
 *   one-click unsubscribe, which a mail client (or its provider's server) sends with the form body
 *   `List-Unsubscribe=One-Click`, no cookie and no CSRF token; the portal's page `/mail/unsubscribe`
 *   sends the same when the person presses "Stop these mails". The token alone says whose digest
 *   stops, and it can do nothing else. `GET` of the same address changes nothing: mail scanners
 *   follow every link in a mail, so it leads to the portal's page, where a person presses the button.
 * - Signed in: `GET` and `PUT /api/me/mail`, the digests the person's role receives and whether
 *   they get them (turning one on again included).
 */
import { Router } from 'express';
import { CHANGED_BY_MAIL_LINK, DIGEST_OF_ROLE, type MailPreferenceStore, type UnsubscribeLinks } from '../../activities/mail/digest-mail';
import type { Person } from '../../common/people';
import type { AppDeps } from '../app';
import { allow, caller } from '../auth';
import { badRequest } from '../errors';
import { mailSettingsRequestSchema, unsubscribeQuerySchema, type MailSettings, type Unsubscribed } from '../mail-schemas';
import { parseBody, parseQuery } from '../validation';

type MailDeps = Pick<AppDeps, 'logger'> & { reporting: MailPreferenceStore };

/**
 * The one-click stop. Mounted ahead of the CSRF check and of the JSON-only body rule (app.ts): a
 * mail client's POST has neither a session nor JSON, and a signed-in person's browser on the
 * portal's page may carry the session cookie without the token it was given at sign-in.
 */
export function createUnsubscribeRouter(deps: MailDeps, links: Pick<UnsubscribeLinks, 'read'>): Router {
  const router = Router();

  router.get('/api/mail/unsubscribe', (req, res) => {
    const { token } = parseQuery(unsubscribeQuerySchema, req);
    // To the page with the button; nothing is changed by following a link.
    res.redirect(303, `/mail/unsubscribe?token=${encodeURIComponent(token)}`);
  });

  router.post('/api/mail/unsubscribe', async (req, res) => {
    const { token } = parseQuery(unsubscribeQuerySchema, req);
    const named = await links.read(token);
    if (!named) throw badRequest([{ field: 'token', message: 'is not a link to stop a digest: it was mistyped, cut short or altered. Use the link of the mail itself, or sign in and change it under Your mail.' }]);
    const { changed } = await deps.reporting.setMailPreference(named.personId, named.digest, false, CHANGED_BY_MAIL_LINK);
    deps.logger.info({ personId: named.personId, digest: named.digest, changed }, changed ? 'digest stopped from its mail' : 'digest already stopped; stopped again from its mail');
    const answer: Unsubscribed = { digest: named.digest, receives: false, changed };
    res.json(answer);
  });

  return router;
}

/** A signed-in person's own digests. */
export function createMailSettingsRouter(deps: MailDeps): Router {
  const router = Router();
  const everyone = allow('staff', 'manager', 'leadership');

  router.get('/api/me/mail', everyone, async (req, res) => {
    res.json(await settingsOf(caller(req), deps.reporting));
  });

  router.put('/api/me/mail', everyone, async (req, res) => {
    const person = caller(req);
    const { digests } = parseBody(mailSettingsRequestSchema, req);
    const theirs = DIGEST_OF_ROLE[person.role];
    const notTheirs = digests.flatMap((d, i) =>
      d.digest === theirs ? [] : [{ field: `digests[${i}].digest`, message: theirs ? `is not a digest you get as ${person.role}: yours is ${theirs}` : `is not a digest you get: ${person.role} get no weekly digest` }],
    );
    if (notTheirs.length > 0) throw badRequest(notTheirs);
    for (const { digest, receives } of digests) {
      const { changed } = await deps.reporting.setMailPreference(person.id, digest, receives, person.id);
      if (changed) deps.logger.info({ personId: person.id, digest, receives }, receives ? 'digest turned on again' : 'digest stopped');
    }
    res.json(await settingsOf(person, deps.reporting));
  });

  return router;
}

/** The digest the person's role receives (none for staff) and whether they get it. */
async function settingsOf(person: Person, store: Pick<MailPreferenceStore, 'mailPreferences'>): Promise<MailSettings> {
  const digest = DIGEST_OF_ROLE[person.role];
  if (!digest) return { digests: [] };
  const changed = (await store.mailPreferences(person.id)).find((p) => p.digest === digest);
  return { digests: [{ digest, receives: changed?.receives ?? true, ...(changed && { changedAt: changed.changedAt, changedBy: changed.changedBy }) }] };
}
