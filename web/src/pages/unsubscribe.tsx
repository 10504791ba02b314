/**
 * Where a weekly digest's "Stop these mails" link leads (`/mail/unsubscribe?token=…`), without
 * signing in. Opening the page changes nothing — mail scanners open every link of a mail — the
 * person's press of the button does (POST /api/mail/unsubscribe, the request a mail client's own
 * unsubscribe button sends).
 */
import { useState } from 'preact/hooks';
import { api, ok, type Schemas } from '../api';
import { useAction } from '../data';
import { PageHeader, ProblemBox } from '../ui';
import { DIGEST_WORDS } from './mail-settings';

export function UnsubscribePage({ query }: { params: Record<string, string>; query: URLSearchParams }) {
  const token = query.get('token') ?? '';
  const [stopped, setStopped] = useState<Schemas['Unsubscribed'] | undefined>();
  const stop = useAction(() => ok(api.POST('/api/mail/unsubscribe', { params: { query: { token } } })), setStopped);
  return (
    <>
      <header class="topbar topbar--client">
        <span class="brand">agencyflow</span>
      </header>
      <main id="main" tabIndex={-1} class="client-page unsubscribe-page">
        <PageHeader title="Stop the weekly digest" />
        <section class="card">
          {stopped ? (
            <div role="status">
              <p>
                <strong>Done: you no longer get “{DIGEST_WORDS[stopped.digest].title}”.</strong>
              </p>
              <p>Mails that ask you to act (plans to approve, late work, invoices) still come.</p>
              <p>
                Changed your mind? Sign in and turn it on again under <a href="/settings/mail">Your mail</a>.
              </p>
            </div>
          ) : (
            <>
              <p>You get a weekly digest by mail. Press the button to stop it; nothing else changes.</p>
              <ProblemBox error={stop.error} title="This link cannot stop a digest" />
              <div class="form-actions">
                <button type="button" class="button" disabled={stop.pending} onClick={() => void stop.act()}>
                  {stop.pending ? 'Stopping…' : 'Stop these mails'}
                </button>
              </div>
            </>
          )}
        </section>
      </main>
    </>
  );
}
