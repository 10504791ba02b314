/**
 * A durable record of the mails the transport accepted, one small file per (idempotency key,
 * recipient), so a retried notify skips the recipients an earlier attempt already reached.
 *
 * The order is send, then record. A crash (or a failed write) after the transport accepted the
 * message but before the record exists means the retry sends that message again: delivery is at
 * least once, with a window of one SMTP round trip. Recording first would turn the window into
 * lost mail instead, which is worse for deadlines and escalations. The deterministic Message-ID
 * lets receiving mail systems and clients collapse such a duplicate.
 *
 * Where the record lives is behind the SentLog interface: FileSentLog keeps it on the worker's
 * disk (workers that share the record must share that folder); a shared database lets workers on
 * different machines share it without a shared disk.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** What notify needs of the record: was this (idempotency key, recipient) mailed, and record that it was. */
export interface SentLog {
  has(idempotencyKey: string, recipient: string): Promise<boolean>;
  /** Records an accepted send. Recording twice is harmless: the first record stays. */
  record(idempotencyKey: string, recipient: string, detail: { messageId: string; at: string }): Promise<void>;
}

/** sha256 of key and recipient (recipient in lower case): fixed length, no path characters, whatever the key holds. */
export function sentLogEntryName(idempotencyKey: string, recipient: string): string {
  return createHash('sha256').update(`${idempotencyKey}\n${recipient.toLowerCase()}`).digest('hex');
}

/** One small file per entry under `dir`. */
export class FileSentLog implements SentLog {
  constructor(readonly dir: string) {}

  async has(idempotencyKey: string, recipient: string): Promise<boolean> {
    try {
      await fs.promises.access(this.entryPath(idempotencyKey, recipient));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Records an accepted send. Recording twice is harmless (`wx` keeps the first record). */
  async record(idempotencyKey: string, recipient: string, detail: { messageId: string; at: string }): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    try {
      await fs.promises.writeFile(this.entryPath(idempotencyKey, recipient), `${JSON.stringify({ idempotencyKey, recipient, ...detail })}\n`, {
        flag: 'wx',
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }

  private entryPath(idempotencyKey: string, recipient: string): string {
    return path.join(this.dir, sentLogEntryName(idempotencyKey, recipient));
  }
}
