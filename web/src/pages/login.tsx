/**
 * Sign-in: a token from the people directory becomes a session cookie. With the demo directory
 * loaded, the demo people are offered one click away (their tokens are in the README anyway).
 */
import { useState } from 'preact/hooks';
import { api, ok, type Me, type Schemas } from '../api';
import { useAction, useResource } from '../data';
import { DEPARTMENT_LABEL } from '../format';
import { Input, ProblemBox } from '../ui';

type DemoPerson = Schemas['DemoSignIns']['items'][number];

export function Login({ next, onSignedIn }: { next: string | null; onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState('');
  /** Sign in pressed with nothing typed: said at the field, nothing sent. */
  const [missing, setMissing] = useState(false);
  const demo = useResource(() => ok(api.GET('/api/session/demo')), []);
  const signIn = useAction((t: string) => ok(api.POST('/api/session', { body: { token: t } })), onSignedIn);

  const byRole = (role: DemoPerson['role']) => (demo.data?.items ?? []).filter((p) => p.role === role);

  return (
    <main id="main" class="login" tabIndex={-1}>
      <div class="card login-card">
        <h1 tabIndex={-1}>Sign in to agencyflow</h1>
        {next && next !== '/' && <p class="muted">Sign in to open {next}.</p>}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (token.trim() === '') {
              setMissing(true);
              document.getElementById('login-token')?.focus();
              return;
            }
            void signIn.act(token.trim());
          }}
          noValidate
        >
          <ProblemBox error={signIn.error?.at('token') ? undefined : signIn.error} />
          <Input
            id="login-token"
            label="Your access token"
            type="password"
            autoComplete="current-password"
            value={token}
            onValue={signIn.editing('token', (v: string) => {
              setToken(v);
              setMissing(false);
            })}
            error={missing ? 'required: paste the token you were given' : signIn.at('token')}
            hint="The token from the people directory your administrator gave you."
            required
          />
          <button class="button" type="submit" disabled={signIn.pending}>
            {signIn.pending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
      {demo.data && demo.data.items.length > 0 && (
        <section class="card login-card" aria-labelledby="demo-title">
          <h2 id="demo-title">Demo people</h2>
          <p class="muted">The demo directory is loaded: sign in as anyone in it.</p>
          {(['manager', 'leadership', 'staff'] as const).map((role) => (
            <div key={role} class="demo-group">
              <h3>{role === 'staff' ? 'Department staff' : role === 'manager' ? 'Account managers' : 'Leadership'}</h3>
              <ul class="demo-people">
                {byRole(role).map((p) => (
                  <li key={p.id}>
                    <button type="button" class="button button--secondary" disabled={signIn.pending} onClick={() => void signIn.act(p.token)}>
                      Sign in as {p.name}
                      <span class="muted">{p.department ? ` · ${DEPARTMENT_LABEL[p.department]}` : ''}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}
    </main>
  );
}
