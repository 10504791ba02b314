/**
 * The client's link to their project: `/client/<projectId>?key=<key>`, where the key is an HMAC of
 * the project id under a secret every API process shares through the reporting store (made by the
 * first process that needs it). Nothing is stored per link: a link works as long as that secret
 * does, and deleting the secret's row (`secrets`, name `client-links`) ends every link at once.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_NAME = 'client-links';
/** Key length in base64url characters: 192 bits, beyond guessing. */
const KEY_CHARS = 32;

export class ClientLinks {
  private secret?: Promise<Buffer>;

  constructor(private readonly store: { sharedSecret(name: string, make: () => string): Promise<string> }) {}

  /** The key of a project's link. */
  async keyFor(projectId: string): Promise<string> {
    const secret = await this.secretKey();
    return createHmac('sha256', secret).update(`client-link:v1:${projectId}`).digest('base64url').slice(0, KEY_CHARS);
  }

  /** Whether `key` opens this project (compared in constant time). */
  async opens(projectId: string, key: unknown): Promise<boolean> {
    if (typeof key !== 'string' || key.length !== KEY_CHARS) return false;
    const expected = Buffer.from(await this.keyFor(projectId));
    return timingSafeEqual(expected, Buffer.from(key));
  }

  private secretKey(): Promise<Buffer> {
    this.secret ??= this.store.sharedSecret(SECRET_NAME, () => randomBytes(32).toString('base64url')).then(
      (value) => Buffer.from(value),
      (err: unknown) => {
        this.secret = undefined; // the store was down: the next request asks again
        throw err;
      },
    );
    return this.secret;
  }
}
