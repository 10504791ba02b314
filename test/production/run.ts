/**
 * `npm run test:production`: the production topology of docker-compose.yml on this machine
 * (test/production/stack.ts), then the HTTP lifecycle journey and the topology checks against it
 * (jest.production.config.js), then everything stopped and removed, also on failure or Ctrl-C.
 * AGENCYFLOW_KEEP_STACK=1 keeps the working folder with every process's log.
 *
 * `--image` (`npm run test:image`): the API and workers run as the image runs them — the compose
 * services' own commands on compiled JavaScript with production dependencies only, from a folder
 * holding what the Dockerfile's runtime stage holds (test/production/image.ts).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureTemporalCli } from '../../common/temporal-cli';
import { buildImageFolder } from './image';
import { installCleanupHandlers } from './processes';
import { ProductionStack } from './stack';

const ROOT = path.resolve(__dirname, '..', '..');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function runJest(env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', 'jest.production.config.js'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  const say = (m: string) => process.stdout.write(`${m}\n`);
  const started = Date.now();
  const running: { stack?: ProductionStack } = {};
  installCleanupHandlers(async () => {
    await running.stack?.stop();
  });

  const image = process.argv.includes('--image');
  const name = image ? 'test:image' : 'test:production';
  say(
    `${name}: the compose topology on this machine (PostgreSQL, Temporal server, API and worker processes` +
      `${image ? ' run as the image runs them' : ''})`,
  );
  await ensureTemporalCli({ say, allowDownload: false });
  const built = image ? buildImageFolder(say) : undefined;
  // The two document stores, one per run: the image as compose ships it (a shared folder), the
  // processes of test:production with the PDFs in the reporting database (no folder shared).
  const stack = (running.stack = await ProductionStack.start({
    say,
    ...(built ? { imageDir: built.dir, imageEnv: built.env } : { passThrough: { DOCUMENTS_STORE: 'database' } }),
  }));
  const up = Date.now();
  say(`  topology up in ${seconds(up - started)}: API ${stack.apiUrl}, Temporal ${stack.temporalAddress}, working folder ${stack.dir}`);

  const code = await runJest(stack.testEnv());
  const tested = Date.now();
  await stack.stop();
  say(
    `${name} ${code === 0 ? 'passed' : 'FAILED'}: topology ${seconds(up - started)}, tests ${seconds(tested - up)}, ` +
      `stop ${seconds(Date.now() - tested)}, total ${seconds(Date.now() - started)}`,
  );
  process.exit(code);
}

main().catch((err: Error) => {
  process.stderr.write(`${process.argv.includes('--image') ? 'test:image' : 'test:production'} failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
