/**
 * The client's link to their project: `/client/<projectId>?key=<key>`, where the key is an HMAC of
 * the project id and the link's generation under a secret every process shares through the
 * reporting store (made by the first process that needs it). The API opens the page with it; the
 * worker puts it in every mail to the client.
 *
 * - **One project's link** is renewed by moving its generation on (the manager's "new link", when
 *   a link reached someone it should not): the old key stops opening at once, in every process,
 *   since each open reads the generation.
 * - **Every link** ends when the secret's row (`secrets`, name `client-links`) is deleted, within
 *   SECRET_HELD_MS (each process reads the secret again that often, and at once when a key does not
 *   match, at most every few seconds): a new secret is made by the next request.
 */
import { SECRET_HELD_MS, SigningSecret, type SharedSecretStore } from './signing-secret';

const SECRET_NAME = 'client-links';
/** Key length in base64url characters: 192 bits, beyond guessing. */
const KEY_CHARS = 32;

/**
 * `text` with the key of every client link in it replaced: links open a project, so logs never
 * carry them. The parameter's name is read as a URL parser reads it (`?%6Bey=` is `key` too).
 */
export const withoutLinkKeys = (text: string): string =>
  text.replace(/([?&])([^=&#\s]*)=([^&#\s]*)/g, (whole, separator: string, name: string) =>
    decodedName(name).toLowerCase() === 'key' ? `${separator}${name}=[redacted]` : whole,
  );

const decodedName = (name: string): string => {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name; // a malformed escape: matched as written
  }
};

export interface ClientLinkStore extends SharedSecretStore {
  clientLinkGeneration(projectId: string): Promise<number>;
  renewClientLink(projectId: string, from: number, key?: string): Promise<{ generation: number; renewed: boolean; keyUsedBefore?: boolean }>;
}

export interface ClientLink {
  url: string;
  /** Renewing the link names this generation (so a retried renewal renews once). */
  generation: number;
}

export class ClientLinks {
  private readonly secret: SigningSecret;

  /**
   * `publicBaseUrl`: the portal's address the link opens. `secretHeldMs`: how long the secret read
   * is used; the worker, which only makes links (for mails, a few a minute), reads it every time,
   * so no mail carries a link made with a secret deleted since.
   */
  constructor(
    private readonly store: ClientLinkStore,
    private readonly publicBaseUrl: string,
    secretHeldMs = SECRET_HELD_MS,
  ) {
    this.secret = new SigningSecret(store, SECRET_NAME, KEY_CHARS, secretHeldMs);
  }

  /** The project's link as it is now. */
  async current(projectId: string): Promise<ClientLink> {
    return this.link(projectId, await this.store.clientLinkGeneration(projectId));
  }

  /**
   * A new link for the project, replacing generation `from` (the one the caller was shown): the
   * old link stops opening. Asked again with the same `idempotencyKey` (a retry), the link made the
   * first time. `stale` when someone else renewed the link since `from`: the caller's copy is
   * stale and nothing was renewed by this call; `key-reused` when the key made the current link
   * from another `from`.
   */
  async renew(projectId: string, from: number, idempotencyKey?: string): Promise<ClientLink | 'stale' | 'key-reused'> {
    const { generation, renewed, keyUsedBefore } = await this.store.renewClientLink(projectId, from, idempotencyKey);
    if (renewed) return this.link(projectId, generation);
    return keyUsedBefore ? 'key-reused' : 'stale';
  }

  /** Whether `key` opens this project (compared in constant time). */
  async opens(projectId: string, key: unknown): Promise<boolean> {
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]+$/.test(key) || key.length !== KEY_CHARS) return false;
    const generation = await this.store.clientLinkGeneration(projectId);
    return this.secret.verifies(keyInput(projectId, generation), key);
  }

  private async link(projectId: string, generation: number): Promise<ClientLink> {
    const base = this.publicBaseUrl.replace(/\/+$/, '');
    return { url: `${base}/client/${encodeURIComponent(projectId)}?key=${await this.secret.sign(keyInput(projectId, generation))}`, generation };
  }
}

/** What a link's key signs. Generation 0 is the link every project had before links could be renewed: its key is unchanged. */
const keyInput = (projectId: string, generation: number): string =>
  generation === 0 ? `client-link:v1:${projectId}` : `client-link:v1:${projectId}:${generation}`;
