/**
 * The weekly digests as mail a person may stop: which templates are digests and who reads each,
 * what a person's choice is stored as, and the signed links that stop one from the mail itself.
 *
 * A digest carries two ways out (RFC 8058 and the bulk-sender rules of the large mail providers):
 * - `List-Unsubscribe: <…/api/mail/unsubscribe?token=…>` with `List-Unsubscribe-Post:
 *   List-Unsubscribe=One-Click`: the mail client's own "unsubscribe" button POSTs there, and the
 *   digest stops at once. A GET of that address never stops anything (mail scanners follow every
 *   link): it leads to the portal's page below.
 * - a footer line with the portal's page `/mail/unsubscribe?token=…`, where the person presses
 *   "Stop these mails" (which POSTs the same request).
 *
 * The token names the person and the digest, signed with an HMAC under a secret every process
 * shares through the reporting store (`secrets`, name `mail-unsubscribe`; made by the first process
 * that needs it), as the clients' links are (common/client-links.ts). It opens nothing and reads
 * nothing: all it can do is stop that one digest for that one person. Deleting the secret's row
 * ends every such link sent so far (a new secret is made for the next digest).
 */
import { SECRET_HELD_MS, SigningSecret, type SharedSecretStore } from '../../common/signing-secret';
import type { NotificationTemplate } from '../contract';
import type { Role } from '../../workflows/shared-schemas';

/** The templates that are weekly digests: the only mail a person may stop. */
export const DIGEST_KINDS = ['leadership_digest', 'manager_digest'] as const satisfies readonly NotificationTemplate[];
export type DigestKind = (typeof DIGEST_KINDS)[number];

export const isDigest = (template: string): template is DigestKind => (DIGEST_KINDS as readonly string[]).includes(template);

/** The digest each role receives (workflows/leadership-digest, workflows/manager-digest); staff get none. */
export const DIGEST_OF_ROLE: Record<Role, DigestKind | undefined> = {
  leadership: 'leadership_digest',
  manager: 'manager_digest',
  staff: undefined,
};

/** Who a digest's footer says the reader gets it as ("You get this every week as …"). */
export const DIGEST_READER: Record<DigestKind, string> = {
  leadership_digest: 'a member of leadership',
  manager_digest: 'an account manager',
};

/** Who changed a preference through the link in a mail (in the portal: the person's id). */
export const CHANGED_BY_MAIL_LINK = 'mail-link';

export interface MailPreference {
  digest: DigestKind;
  receives: boolean;
  changedBy: string;
  changedAt: string;
}

/** What the digests need of the reporting store (activities/reporting/store.ts). */
export interface MailPreferenceStore {
  /** Of `personIds`, those who stopped `digest`. */
  stoppedDigest(digest: DigestKind, personIds: readonly string[]): Promise<Set<string>>;
  /** A person's changed preferences (a digest without one: they get it). */
  mailPreferences(personId: string): Promise<MailPreference[]>;
  /** Sets whether a person gets a digest; `changed` is false when it already was so (the first change's who and when stay). */
  setMailPreference(personId: string, digest: DigestKind, receives: boolean, changedBy: string): Promise<{ changed: boolean }>;
}

const SECRET_NAME = 'mail-unsubscribe';
/** Signature length in base64url characters: 192 bits, beyond guessing. */
const SIGNATURE_CHARS = 32;

/** The two addresses a digest carries for its reader. */
export interface StopLinks {
  /** The portal's page with the "Stop these mails" button (the footer's link). */
  page: string;
  /** Where a mail client's one-click POST goes (`List-Unsubscribe`). */
  oneClick: string;
}

/** `text` with every unsubscribe token in it replaced: a token stops someone's mail, so logs never carry one. */
export const withoutUnsubscribeTokens = (text: string): string => text.replace(/([?&]token=)[^&#\s>]*/gi, '$1[redacted]');

export class UnsubscribeLinks {
  private readonly secret: SigningSecret;

  /**
   * `publicBaseUrl`: the portal's address. `secretHeldMs`: how long the secret read is used; the
   * worker (a few digests a week) reads it for every mail, so none carries a link made with a
   * secret deleted since.
   */
  constructor(
    store: SharedSecretStore,
    private readonly publicBaseUrl: string,
    secretHeldMs = SECRET_HELD_MS,
  ) {
    this.secret = new SigningSecret(store, SECRET_NAME, SIGNATURE_CHARS, secretHeldMs);
  }

  async forDigest(personId: string, digest: DigestKind): Promise<StopLinks> {
    const token = `${Buffer.from(`${digest}\n${personId}`).toString('base64url')}.${await this.secret.sign(signed(personId, digest))}`;
    const base = this.publicBaseUrl.replace(/\/+$/, '');
    return { page: `${base}/mail/unsubscribe?token=${token}`, oneClick: `${base}/api/mail/unsubscribe?token=${token}` };
  }

  /** The person and digest a token names, when its signature holds (compared in constant time); undefined otherwise. */
  async read(token: unknown): Promise<{ personId: string; digest: DigestKind } | undefined> {
    if (typeof token !== 'string') return undefined;
    const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]+)$/.exec(token);
    if (!match) return undefined;
    const [digest, personId, ...rest] = Buffer.from(match[1], 'base64url').toString('utf8').split('\n');
    if (!isDigest(digest) || !personId || rest.length > 0) return undefined;
    return (await this.secret.verifies(signed(personId, digest), match[2])) ? { personId, digest } : undefined;
  }
}

/** What a stop link's signature signs: the digest and the person, nothing else. */
const signed = (personId: string, digest: DigestKind): string => `mail-unsubscribe:v1:${digest}:${personId}`;
