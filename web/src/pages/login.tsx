/**
 * Sign-in. With the organisation's single sign-on set up (OIDC_*), "Sign in with <provider>" comes
 * first: a link that takes the whole page to the provider and back (api/routes/session.ts), and
 * when it comes back without a session the page says why in words, and what to do. A token from
 * the people directory still signs in below it (integrations, the demo people): it becomes a
 * session cookie. With the demo directory loaded, the demo people are offered one click away
 * (their tokens are in the README anyway).
 *
 * Signing out of a session the provider started goes on to the provider's own sign-out and comes
 * back here (`?signedOut=1`): the page says the person is signed out, and of the provider too,
 * named, once the provider has sent back the `state` this tab sent it. A provider that could not
 * end its session leaves a warning instead that it may still be open, so that on a shared
 * computer the next person knows "Sign in with …" would not ask.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Me, type Schemas } from '../api';
import { useAction, useResource } from '../data';
import { DEPARTMENT_LABEL } from '../format';
import { navigate } from '../router';
import { Input, ProblemBox } from '../ui';

type DemoPerson = Schemas['DemoSignIns']['items'][number];
export type SingleSignOn = NonNullable<Schemas['SessionState']['singleSignOn']>;
type SignedOut = Schemas['SignedOut'];

/**
 * This tab's last sign-out from a session the provider started: the provider's name and the
 * `state` sent to its sign-out, or no state when its session could not be ended. In
 * sessionStorage: this tab's only, and the sign-in page names the provider only for the state it
 * gets back, so a link made elsewhere cannot make the page claim the provider signed anyone out.
 */
const SIGN_OUT_RECORD = 'agencyflow.signOut';
interface SignOutRecord {
  providerName: string;
  state?: string;
}

function readSignOutRecord(): SignOutRecord | undefined {
  try {
    const record = JSON.parse(sessionStorage.getItem(SIGN_OUT_RECORD) ?? 'null') as SignOutRecord | null;
    return record && typeof record.providerName === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * After the portal's session has ended (`DELETE /api/session` answered `answer`): a session the
 * provider started goes on to the provider's sign-out, which sends the browser back to
 * `/login?signedOut=1`; when it cannot, the sign-in page says its session may still be open. A
 * token session (no answer) stays on the sign-in page, as before. True when the page is leaving.
 */
export function continueSigningOut(answer: SignedOut | undefined): boolean {
  if (!answer) return false;
  const state = answer.logoutUrl ? (new URL(answer.logoutUrl).searchParams.get('state') ?? undefined) : undefined;
  const record: SignOutRecord = { providerName: answer.providerName, ...(state && { state }) };
  try {
    sessionStorage.setItem(SIGN_OUT_RECORD, JSON.stringify(record));
  } catch {
    // Storage refused (a private window's quota): the page then just says "signed out", which is true.
  }
  if (answer.logoutUrl) {
    // Replace, not assign: Back must not lead to the provider's sign-out (its address carries the ID token) or to the portal signed in.
    window.location.replace(answer.logoutUrl);
    return true;
  }
  navigate('/login?signedOut=1', { replace: true });
  return false;
}

/** What the sign-in page says after a sign-out (`?signedOut=1`), from the record this tab kept. */
function signedOutInWords(returnedState: string | null, record: SignOutRecord | undefined): { title: string; advice: string; warn?: boolean } {
  if (record?.state && returnedState === record.state) {
    return {
      title: 'You are signed out',
      advice: `You are signed out of agencyflow and of ${record.providerName}. Signing in again asks for your ${record.providerName} account.`,
    };
  }
  if (record && !record.state) {
    return {
      title: `You are signed out of agencyflow, but perhaps not of ${record.providerName}`,
      advice: `${record.providerName} could not be asked to end its session, so it may still be open: “Sign in with ${record.providerName}” in this browser could sign you in again without asking. On a shared computer, sign out at ${record.providerName} too.`,
      warn: true,
    };
  }
  return { title: 'You are signed out', advice: 'You are signed out of agencyflow.' };
}

/** Why the provider's round trip ended without a session (`?signInError=` from the callback), in words. */
interface SignInFailure {
  title: string;
  advice: string;
  /** Nobody did anything wrong (a step back, a slow sign-in): a notice, not an error. */
  mild?: boolean;
}

/**
 * The address is the page's own to show only when it looks like one: anyone can send a link to
 * `/login?signInError=unknown_person&email=…`, and the page must not say their words for them.
 */
const LOOKS_LIKE_EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

function failureInWords(reason: string, provider: string, email: string | null): SignInFailure {
  switch (reason) {
    case 'cancelled':
      return { title: 'Sign-in cancelled', advice: `You cancelled at ${provider}, so you are not signed in. Sign in again whenever you are ready.`, mild: true };
    case 'expired':
      return {
        title: 'Sign-in expired',
        advice: 'It took too long, or it was started in another browser or tab. Start again here, in this tab.',
        mild: true,
      };
    case 'unverified_email':
      return {
        title: 'Your email address is not verified',
        advice: `${provider} has not confirmed that your email address is yours, so agencyflow cannot tell who you are. Verify it with ${provider} (or ask your IT team), then sign in again.`,
      };
    case 'unknown_person':
      return {
        title: 'Not in the people directory',
        advice: `${email && LOOKS_LIKE_EMAIL.test(email) ? email : 'The email address you signed in with'} is not in the agency\u2019s people directory. Ask whoever runs agencyflow to add you, or sign in with your work account.`,
      };
    case 'provider':
      return {
        title: `${provider} could not sign you in`,
        advice: `agencyflow could not reach ${provider}, or ${provider} did not confirm who you are. Try again in a moment; if it keeps happening, tell whoever runs agencyflow.`,
      };
    default:
      return { title: 'Sign-in did not work', advice: 'Try again; if it keeps happening, tell whoever runs agencyflow.' };
  }
}

/** The provider's address with the page to come back to (the API checks it again: a path of the portal only). */
const withNext = (url: string, next: string | null): string => (next ? `${url}${url.includes('?') ? '&' : '?'}next=${encodeURIComponent(next)}` : url);

export function Login({
  next,
  singleSignOn,
  signInError,
  signInErrorEmail,
  signedOutState,
  onSignedIn,
}: {
  /** Where to go once signed in: a path of this site only (App checks it with `sameSitePath`). */
  next: string | null;
  singleSignOn?: SingleSignOn;
  /** The provider's round trip came back without a session: why (`?signInError=`), and the email it named. */
  signInError: string | null;
  signInErrorEmail: string | null;
  /** Back from signing out (`?signedOut=1`): the `state` the provider returned ('' without one); null otherwise. */
  signedOutState: string | null;
  onSignedIn: (me: Me) => void;
}) {
  const [token, setToken] = useState('');
  /** Sign in pressed with nothing typed: said at the field, nothing sent. */
  const [missing, setMissing] = useState(false);
  const demo = useResource(() => ok(api.GET('/api/session/demo')), []);
  const signIn = useAction((t: string) => ok(api.POST('/api/session', { body: { token: t } })), onSignedIn);

  const byRole = (role: DemoPerson['role']) => (demo.data?.items ?? []).filter((p) => p.role === role);
  const failure = signInError ? failureInWords(signInError, singleSignOn?.providerName ?? 'your organisation\u2019s sign-in', signInErrorEmail) : undefined;
  // Back from the provider without a session: what happened is read first (and announced), the
  // button to try again right after it.
  const failureBox = useRef<HTMLDivElement>(null);
  useEffect(() => failureBox.current?.focus({ preventScroll: true }), [signInError]);
  // Signed out: said first as well, and read out the same way.
  const signedOut = signedOutState !== null && !failure ? signedOutInWords(signedOutState, readSignOutRecord()) : undefined;
  const signedOutBox = useRef<HTMLDivElement>(null);
  useEffect(() => signedOutBox.current?.focus({ preventScroll: true }), [signedOutState]);

  return (
    <main id="main" class="login" tabIndex={-1}>
      <div class="card login-card">
        <h1 tabIndex={-1}>Sign in to agencyflow</h1>
        {next && next !== '/' && <p class="muted">Sign in to open {next}.</p>}
        {failure && (
          <div
            ref={failureBox}
            id="sign-in-failure"
            class={failure.mild ? 'sign-in-notice' : 'problem'}
            role="alert"
            tabIndex={-1}
          >
            <p class="problem-title">
              <strong>{failure.title}</strong>
            </p>
            <p>{failure.advice}</p>
          </div>
        )}
        {signedOut && (
          <div ref={signedOutBox} id="signed-out" class={`callout ${signedOut.warn ? 'callout--warn' : 'callout--good'}`} role="status" tabIndex={-1}>
            <p>
              <strong>{signedOut.title}</strong>
            </p>
            <p>{signedOut.advice}</p>
          </div>
        )}
        {singleSignOn && (
          <>
            <a class="button sign-in-with" href={withNext(singleSignOn.url, next)}>
              Sign in with {singleSignOn.providerName}
            </a>
            <h2 class="sign-in-or">Or sign in with a token</h2>
          </>
        )}
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
