/**
 * `npm run bench:api-alone`: what the API process itself adds to a create, with no Temporal
 * behind it (bench/agencyflow/api-alone-server.ts: the app of `npm run api`, its Temporal
 * gateway replaced by a start that answers at once). Creates through loopback HTTP as the bench
 * sends them, first back to back, then each `--gap-ms` after the one before (as P1's settled
 * figure sends them). The difference between the two is what waking the API process costs on
 * the machine, not work the API does. Not part of `npm run bench`: it answers why P1 is where it
 * is (README, Performance).
 *
 *   npm run bench:api-alone [-- --creates 3000 --gapped 60 --gap-ms 500]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { JsonClient } from './lib/http';
import { sleep } from './lib/pool';
import { PROJECT_ROOT } from './lib/processes';
import { summarize } from './lib/stats';

function option(name: string, fallback: string): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = Number(i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} expects a whole number above 0`);
  return value;
}

const MANAGER_TOKEN = 'demo-manager-anna-token'; // config/people.example.json, the default directory

const request = (n: number) => ({
  client: { id: `client-${n % 50}`, name: `Client ${n % 50}`, segment: 'B2B', email: 'buyer@client.example' },
  title: `Project ${n}`,
  brief: 'A landing page, its copy, SEO and an ads campaign.',
  departments: ['design', 'copywriting', 'seo', 'ads', 'analytics'],
  budget: { amount: 10_000, currency: 'EUR' },
  desiredDeadline: new Date(Date.now() + 60 * 86_400_000).toISOString(),
});

async function main(): Promise<void> {
  const creates = option('creates', '3000');
  const gapped = option('gapped', '60');
  const gapMs = option('gap-ms', '500');
  const server = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'agencyflow', 'api-alone-server.ts')], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      readline.createInterface({ input: server.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
      server.once('exit', (code) => reject(new Error(`the API stand-in exited (${code}) before listening`)));
    });
    const cpuSeconds = () =>
      new Promise<number>((resolve, reject) => {
        server.once('message', (m) => {
          const { cpuSeconds: seconds, warnings, lastWarning } = m as { cpuSeconds: number; warnings: number; lastWarning: string };
          if (warnings > 0) reject(new Error(`the API logged ${warnings} warning(s) or error(s), so its figures are not a create's; the last: ${lastWarning}`));
          else resolve(seconds);
        });
        server.send('cpu');
      });
    const client = new JsonClient(`http://127.0.0.1:${port}`);
    let n = 0;
    const create = async (): Promise<number> => {
      const res = await client.request('POST', '/api/projects', { token: MANAGER_TOKEN, body: request(++n), headers: { 'Idempotency-Key': `api-alone-${process.pid}-${n}` } });
      if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      return res.ms;
    };
    for (let i = 0; i < Math.min(500, creates); i++) await create(); // warm-up: the JIT, the connection
    const cpu0 = await cpuSeconds();
    const backToBack: number[] = [];
    for (let i = 0; i < creates; i++) backToBack.push(await create());
    const cpuPerCreateMs = ((await cpuSeconds()) - cpu0) * 1000 / creates;
    const apart: number[] = [];
    for (let i = 0; i < gapped; i++) {
      await sleep(gapMs);
      apart.push(await create());
    }
    // The last create's write after its answer, then the check of what the API logged meanwhile.
    await sleep(50);
    await cpuSeconds();
    client.close();
    const a = summarize(backToBack);
    const b = summarize(apart);
    process.stdout.write(
      [
        '',
        'The API alone (no Temporal: a start answers at once), POST /api/projects over loopback HTTP:',
        '',
        '| creates | n | p50 ms | p99 ms |',
        '| --- | --- | --- | --- |',
        `| back to back | ${a.n} | ${a.p50} | ${a.p99} |`,
        `| each ${gapMs} ms after the one before | ${b.n} | ${b.p50} | ${b.p99} |`,
        '',
        `API process CPU per create, back to back: ${cpuPerCreateMs.toFixed(2)} ms`,
        '',
      ].join('\n'),
    );
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
