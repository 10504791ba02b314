/**
 * The secret that signs the clients' links and the digests' stop links (common/signing-secret.ts):
 * one secret shared by every process through the store; deleting it ends every link signed with
 * it, in a process that holds it too, once a link signed with the new one arrives there.
 */
import { SigningSecret, type SharedSecretStore } from '../../common/signing-secret';

/** The store's `secrets` table, one row per name: the first process to ask makes it. */
class SecretsTable implements SharedSecretStore {
  rows = new Map<string, string>();
  reads = 0;
  async sharedSecret(name: string, make: () => string): Promise<string> {
    this.reads += 1;
    if (!this.rows.has(name)) this.rows.set(name, make());
    return this.rows.get(name)!;
  }
}

test('two processes sign alike; another name or input does not verify; a signature of another length or alphabet is refused without reading', async () => {
  const table = new SecretsTable();
  const api = new SigningSecret(table, 'links', 32);
  const worker = new SigningSecret(table, 'links', 32, 0);
  const signature = await worker.sign('project-1');
  expect(signature).toMatch(/^[\w-]{32}$/);
  expect(await api.verifies('project-1', signature)).toBe(true);
  expect(await api.verifies('project-2', signature)).toBe(false);
  expect(await new SigningSecret(table, 'other-links', 32).verifies('project-1', signature)).toBe(false);
  expect(await api.verifies('project-1', signature.slice(1))).toBe(false);
  expect(await api.verifies('project-1', `${signature.slice(0, 31)}é`)).toBe(false);
});

test('the secret deleted: old links stop, new ones verify in a process that still held the old secret', async () => {
  const table = new SecretsTable();
  let now = 1_000_000;
  const api = new SigningSecret(table, 'links', 32, 60_000, () => now); // holds what it read for a minute
  const worker = new SigningSecret(table, 'links', 32, 0); // reads it for every link it makes
  const before = await worker.sign('project-1');
  expect(await api.verifies('project-1', before)).toBe(true);

  table.rows.delete('links'); // the operator's way to end every link
  const after = await worker.sign('project-1');
  expect(after).not.toBe(before);
  // The API still holds the old secret, so the old link opens until it reads again...
  expect(await api.verifies('project-1', before)).toBe(true);
  // ...which a link signed with the new secret makes it do (at most every 5 s): the new one opens, the old one no more.
  now += 6_000;
  const readsBefore = table.reads;
  expect(await api.verifies('project-1', after)).toBe(true);
  expect(table.reads).toBe(readsBefore + 1);
  expect(await api.verifies('project-1', before)).toBe(false);
  // A run of bad signatures does not make it read the store each time.
  await api.verifies('project-1', 'x'.repeat(32));
  await api.verifies('project-1', 'y'.repeat(32));
  expect(table.reads).toBe(readsBefore + 1);
});

test('a store that does not answer fails the signing, and the next one asks again', async () => {
  let down = true;
  const table = new SecretsTable();
  const flaky: SharedSecretStore = { sharedSecret: (name, make) => (down ? Promise.reject(new Error('store down')) : table.sharedSecret(name, make)) };
  const secret = new SigningSecret(flaky, 'links', 32);
  await expect(secret.sign('project-1')).rejects.toThrow('store down');
  down = false;
  expect(await secret.sign('project-1')).toMatch(/^[\w-]{32}$/);
});
