/**
 * The client's link to their project: `/client/<projectId>?key=<key>`, where the key is an HMAC of
 * the project id under a secret every API process shares through the reporting store (made by the
 * first process that needs it). Nothing is stored per link: a link works as long as that secret
 * does. Deleting the secret's row (`secrets`, name `client-links`) ends every link within
 * SECRET_HELD_MS (each process reads the secret again that often, and at once when a key does not
 * match, at most every few seconds): a new secret is made by the next request.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_NAME = 'client-links';
/** Key length in base64url characters: 192 bits, beyond guessing. */
const KEY_CHARS = 32;
/** How long a process uses the secret it read before reading it again. */
const SECRET_HELD_MS = 60_000;
/** A key that does not match makes the process read the secret again, at most this often. */
const REREAD_AFTER_MISS_MS = 5_000;

export class ClientLinks {
  private secret?: Promise<Buffer>;
  private readAt = 0;

  constructor(private readonly store: { sharedSecret(name: string, make: () => string): Promise<string> }) {}

  /** The key of a project's link. */
  async keyFor(projectId: string): Promise<string> {
    const secret = await this.secretKey();
    return createHmac('sha256', secret).update(`client-link:v1:${projectId}`).digest('base64url').slice(0, KEY_CHARS);
  }

  /** Whether `key` opens this project (compared in constant time). */
  async opens(projectId: string, key: unknown): Promise<boolean> {
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]+$/.test(key) || key.length !== KEY_CHARS) return false;
    const matches = async () => timingSafeEqual(Buffer.from(await this.keyFor(projectId)), Buffer.from(key));
    if (await matches()) return true;
    // Another process may have made a new secret (the old one deleted): read it again, now and then.
    if (Date.now() - this.readAt < REREAD_AFTER_MISS_MS) return false;
    this.secret = undefined;
    return matches();
  }

  private secretKey(): Promise<Buffer> {
    if (Date.now() - this.readAt > SECRET_HELD_MS) this.secret = undefined;
    if (this.secret) return this.secret;
    this.readAt = Date.now();
    this.secret = this.store.sharedSecret(SECRET_NAME, () => randomBytes(32).toString('base64url')).then(
      (value) => Buffer.from(value),
      (err: unknown) => {
        this.secret = undefined; // the store was down: the next request asks again
        throw err;
      },
    );
    return this.secret;
  }
}
