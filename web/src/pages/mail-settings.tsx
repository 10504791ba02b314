/**
 * "Your mail": the weekly digest the person's role receives, and whether they get it (GET and PUT
 * /api/me/mail). The same switch the link in a digest turns off; here it turns back on too. Every
 * other mail asks the person to act, so it has no switch.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schemas } from '../api';
import { useAction, useResource } from '../data';
import { formatDateTime } from '../format';
import { flash, Loading, PageHeader, ProblemBox } from '../ui';

type DigestKind = Schemas['MailSettings']['digests'][number]['digest'];

/** Each digest as its mail is titled, and what it brings. */
export const DIGEST_WORDS: Record<DigestKind, { title: string; brings: string }> = {
  leadership_digest: {
    title: 'Where the agency stands (weekly digest)',
    brings: 'Projects under way by stage, plans waiting for your decision, late work, who is overloaded, open complaints and money past due.',
  },
  manager_digest: {
    title: 'Your projects this week (weekly digest)',
    brings: 'What waits on you in your own projects: deliveries to review, plans to write, plans with leadership, late work, complaints and money past due.',
  },
};

export function MailSettings() {
  const settings = useResource(() => ok(api.GET('/api/me/mail')), []);
  const [receives, setReceives] = useState<Partial<Record<DigestKind, boolean>>>({});
  // The switches start as stored, and again after each save (the answer is the stored state).
  useEffect(() => {
    if (settings.data) setReceives(Object.fromEntries(settings.data.digests.map((d) => [d.digest, d.receives])));
  }, [settings.data]);
  const save = useAction(
    () => ok(api.PUT('/api/me/mail', { body: { digests: (settings.data?.digests ?? []).map((d) => ({ digest: d.digest, receives: receives[d.digest] ?? d.receives })) } })),
    (saved) => {
      settings.set(saved);
      flash(saved.digests.every((d) => d.receives) ? 'Saved: you get your weekly digest.' : 'Saved: you no longer get your weekly digest.');
    },
  );
  const digests = settings.data?.digests;
  const unsaved = digests?.some((d) => receives[d.digest] !== undefined && receives[d.digest] !== d.receives) ?? false;

  return (
    <>
      <PageHeader title="Your mail">
        <p>The weekly digest you get, and whether you want it.</p>
      </PageHeader>
      {settings.error && <ProblemBox error={settings.error} title="Could not load your mail settings" />}
      {!digests ? (
        !settings.error && <Loading what="Loading your mail settings" />
      ) : digests.length === 0 ? (
        <section class="card mail-settings">
          <p>You get no weekly digest: it goes to leadership and to account managers.</p>
          <p class="muted">The mails you get are about your work (a new task, changes asked for, a reminder before a due date); they always come.</p>
        </section>
      ) : (
        <form
          class="card mail-settings"
          onSubmit={(e) => {
            e.preventDefault();
            void save.act();
          }}
          noValidate
        >
          <ProblemBox error={save.error} title="Could not save" />
          <fieldset class="mail-settings-digests">
            <legend>Weekly digests</legend>
            {digests.map((d) => {
              const id = `mail-${d.digest}`;
              return (
                <div key={d.digest} class="mail-setting">
                  <input id={id} type="checkbox" checked={receives[d.digest] ?? d.receives} onChange={(e) => setReceives({ ...receives, [d.digest]: e.currentTarget.checked })} aria-describedby={`${id}-hint`} />
                  <div>
                    <label for={id}>{DIGEST_WORDS[d.digest].title}</label>
                    <p class="hint" id={`${id}-hint`}>
                      {DIGEST_WORDS[d.digest].brings}
                      {d.changedAt && (
                        <>
                          {' '}
                          {d.receives ? 'Turned on again' : 'Stopped'} {d.changedBy === 'mail-link' ? 'from the link in the mail' : 'here'} {formatDateTime(d.changedAt)}.
                        </>
                      )}
                    </p>
                  </div>
                </div>
              );
            })}
          </fieldset>
          <p class="muted">Other mails (plans to approve, late work, invoices, escalations) always come: they ask you to act.</p>
          <div class="form-actions">
            <button type="submit" class="button" disabled={save.pending || !unsaved}>
              {save.pending ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
