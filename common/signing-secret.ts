/**
 * A secret every process shares through the reporting store (`secrets`, by name; made by the first
 * process that needs it), signing what a link carries: the clients' links (client-links.ts) and a
 * digest's stop links (activities/mail/digest-mail.ts). Deleting the secret's row ends every link
 * signed with it: each process reads the secret again after `heldMs`, and at once when a signature
 * does not match (at most every few seconds), so a new secret made elsewhere is picked up.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SharedSecretStore {
  sharedSecret(name: string, make: () => string): Promise<string>;
}

/** How long a process uses the secret it read before reading it again. */
export const SECRET_HELD_MS = 60_000;
/** A signature that does not match makes the process read the secret again, at most this often. */
const REREAD_AFTER_MISS_MS = 5_000;

export class SigningSecret {
  private secret?: Promise<Buffer>;
  private readAt = 0;

  /**
   * `heldMs`: how long the secret read is used. A process that only signs (the worker, putting
   * links in mails) passes 0 and reads it every time, so no mail carries a link signed with a
   * secret deleted since.
   */
  constructor(
    private readonly store: SharedSecretStore,
    private readonly name: string,
    /** Signature length in base64url characters (32: 192 bits, beyond guessing). */
    private readonly chars: number,
    private readonly heldMs = SECRET_HELD_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The signature of `input`: an HMAC-SHA256 under the secret, base64url, cut to `chars`. */
  async sign(input: string): Promise<string> {
    return createHmac('sha256', await this.key())
      .update(input)
      .digest('base64url')
      .slice(0, this.chars);
  }

  /** Whether `given` is the signature of `input` (compared in constant time). */
  async verifies(input: string, given: string): Promise<boolean> {
    const givenBytes = Buffer.from(given);
    if (givenBytes.length !== this.chars) return false;
    const matches = async () => timingSafeEqual(Buffer.from(await this.sign(input)), givenBytes);
    if (await matches()) return true;
    // Another process may have made a new secret (the old one deleted): read it again, now and then.
    if (this.now() - this.readAt < REREAD_AFTER_MISS_MS) return false;
    this.secret = undefined;
    return matches();
  }

  private key(): Promise<Buffer> {
    if (this.now() - this.readAt >= this.heldMs) this.secret = undefined;
    if (this.secret) return this.secret;
    this.readAt = this.now();
    this.secret = this.store.sharedSecret(this.name, () => randomBytes(32).toString('base64url')).then(
      (value) => Buffer.from(value),
      (err: unknown) => {
        this.secret = undefined; // the store was down: the next request asks again
        throw err;
      },
    );
    return this.secret;
  }
}
