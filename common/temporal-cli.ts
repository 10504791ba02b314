/**
 * Finds a Temporal CLI to run the dev server with, in this order:
 *   1. TEMPORAL_CLI_PATH
 *   2. `temporal` on PATH
 *   3. a binary already built into the project's git-ignored `.tools/bin`
 *   4. building it there with `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` when Go is
 *      present (v1.6+ carry a `replace` directive and cannot be installed that way)
 *   5. the Temporal SDK's own download, which needs the internet (`{ kind: 'sdk-download' }`)
 * Used by `npm start`, the test setup and `.ci/run`, so all three run the same server.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const TOOLS_BIN = path.join(PROJECT_ROOT, '.tools', 'bin');

export type TemporalCli = { kind: 'binary'; path: string; source: string } | { kind: 'sdk-download' };

type Say = (message: string) => void;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, command))) return path.join(dir, command);
  }
  return undefined;
}

/** What is already there, without building or downloading anything. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): TemporalCli | undefined {
  const explicit = env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return { kind: 'binary', path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { kind: 'binary', path: fromPath, source: 'PATH' };
  const built = path.join(TOOLS_BIN, 'temporal');
  if (isExecutable(built)) return { kind: 'binary', path: built, source: '.tools/bin' };
  return undefined;
}

function goBinary(env: NodeJS.ProcessEnv): string | undefined {
  return onPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

async function buildWithGo(go: string, say: Say, env: NodeJS.ProcessEnv): Promise<string> {
  fs.mkdirSync(TOOLS_BIN, { recursive: true });
  say(
    `Building the Temporal CLI with Go (${TEMPORAL_CLI_MODULE}) into ${TOOLS_BIN}.\n` +
      'The first build takes about 4 minutes on 2 cores and fills about 3 GB of Go caches; later builds reuse them.',
  );
  const started = Date.now();
  const child = spawn(go, ['install', TEMPORAL_CLI_MODULE], {
    env: { ...env, GOBIN: TOOLS_BIN, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=mod`.trim() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ticker = setInterval(() => say(`  still building the Temporal CLI... ${Math.round((Date.now() - started) / 1000)} s`), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(ticker);
  const binary = path.join(TOOLS_BIN, 'temporal');
  if (code !== 0 || !isExecutable(binary)) {
    throw new Error(`go install ${TEMPORAL_CLI_MODULE} failed (exit ${code}):\n${output.slice(-4000)}`);
  }
  say(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  return binary;
}

/**
 * Returns a usable CLI, building it if needed. Quiet when it is already there.
 * `allowDownload` lets the SDK fetch the dev server when neither a binary nor Go is present.
 */
export async function ensureTemporalCli(
  options: { say?: Say; env?: NodeJS.ProcessEnv; allowDownload?: boolean } = {},
): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const say = options.say ?? ((m: string) => process.stderr.write(`${m}\n`));
  const found = findTemporalCli(env);
  if (found) return found;
  const go = goBinary(env);
  if (go) return { kind: 'binary', path: await buildWithGo(go, say, env), source: 'go install' };
  if (options.allowDownload ?? true) {
    say('No Temporal CLI and no Go found: the Temporal SDK will download the dev server (needs the internet).');
    return { kind: 'sdk-download' };
  }
  throw new Error(
    'No Temporal CLI found. Install one of:\n' +
      '  - the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` on PATH, or set TEMPORAL_CLI_PATH;\n' +
      `  - Go 1.22+ (then this script builds ${TEMPORAL_CLI_MODULE} into .tools/bin).`,
  );
}

/** `temporal --version`, for messages. */
export function temporalCliVersion(binary: string): string | undefined {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
