/**
 * Finds a Temporal CLI to run the dev server with, in this order:
 *   1. TEMPORAL_CLI_PATH
 *   2. `temporal` on PATH
 *   3. a binary already built into the project's git-ignored `.tools/bin` from the Go module in
 *      `scripts/temporal-cli` as it is now (a stamp beside it names the go.mod and go.sum it came from)
 *   4. building it there with `go build` in that module when Go is present: CLI v1.5.1 (v1.6+ cannot
 *      be built from the module proxy) with a newer SQLite driver — see its go.mod for why
 *   5. the Temporal SDK's own download, which needs the internet (`{ kind: 'sdk-download' }`)
 * Used by `npm start`, the test setup and `.ci/run`, so all three run the same server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.5.1';
const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const TOOLS_BIN = path.join(PROJECT_ROOT, '.tools', 'bin');
/** The Go module that pins the CLI and its dependencies (go.mod, go.sum). */
export const TEMPORAL_CLI_MODULE_DIR = path.join(PROJECT_ROOT, 'scripts', 'temporal-cli');
const STAMP = 'temporal.built-from';

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

/** What a binary built from the module as it is now is stamped with: its go.mod and go.sum's digest. */
export function temporalCliModuleDigest(moduleDir: string = TEMPORAL_CLI_MODULE_DIR): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(fs.readFileSync(path.join(moduleDir, file)));
  return hash.digest('hex');
}

/**
 * The binary in `toolsBin` if it was built from the module as it is now. One built before the
 * module changed (or by an older checkout, with `go install`) is built again, not used.
 */
function builtCli(toolsBin: string, moduleDir: string): string | undefined {
  const binary = path.join(toolsBin, 'temporal');
  if (!isExecutable(binary)) return undefined;
  try {
    return fs.readFileSync(path.join(toolsBin, STAMP), 'utf8').trim() === temporalCliModuleDigest(moduleDir) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/** Where to look and build; tests point these elsewhere. */
interface Places {
  toolsBin?: string;
  moduleDir?: string;
}

/** What is already there, without building or downloading anything. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env, places: Places = {}): TemporalCli | undefined {
  const explicit = env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return { kind: 'binary', path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { kind: 'binary', path: fromPath, source: 'PATH' };
  const built = builtCli(places.toolsBin ?? TOOLS_BIN, places.moduleDir ?? TEMPORAL_CLI_MODULE_DIR);
  return built ? { kind: 'binary', path: built, source: '.tools/bin' } : undefined;
}

function goBinary(env: NodeJS.ProcessEnv): string | undefined {
  return onPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

async function buildWithGo(go: string, say: Say, env: NodeJS.ProcessEnv, toolsBin: string, moduleDir: string): Promise<string> {
  fs.mkdirSync(toolsBin, { recursive: true });
  say(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (the module in ${path.relative(PROJECT_ROOT, moduleDir)}) into ${toolsBin}.\n` +
      'The first build takes about 5 minutes on 2 cores and fills about 3 GB of Go caches; later builds reuse them.',
  );
  const started = Date.now();
  const binary = path.join(toolsBin, 'temporal');
  // Built beside the binary and renamed over it: a run that dies halfway leaves no broken CLI behind.
  // A name of its own per build: two builds at once (a test run started while `npm run
  // temporal:ensure` still builds) would otherwise share it, and the second would find it renamed.
  const partial = `${binary}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  const ldflags = `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;
  const child = spawn(go, ['build', '-mod=readonly', '-ldflags', ldflags, '-o', partial, TEMPORAL_CLI_PACKAGE], {
    cwd: moduleDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ticker = setInterval(() => say(`  still building the Temporal CLI... ${Math.round((Date.now() - started) / 1000)} s`), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(ticker);
  if (code !== 0 || !isExecutable(partial)) {
    fs.rmSync(partial, { force: true });
    throw new Error(`go build ${TEMPORAL_CLI_PACKAGE} (in ${moduleDir}) failed (exit ${code}):\n${output.slice(-4000)}`);
  }
  fs.renameSync(partial, binary);
  fs.writeFileSync(path.join(toolsBin, STAMP), `${temporalCliModuleDigest(moduleDir)}\n`);
  say(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  return binary;
}

/**
 * Returns a usable CLI, building it if needed. Quiet when it is already there.
 * `allowDownload` lets the SDK fetch the dev server when neither a binary nor Go is present.
 */
export async function ensureTemporalCli(
  options: { say?: Say; env?: NodeJS.ProcessEnv; allowDownload?: boolean } & Places = {},
): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const say = options.say ?? ((m: string) => process.stderr.write(`${m}\n`));
  const found = findTemporalCli(env, options);
  if (found) return found;
  const go = goBinary(env);
  if (go) {
    const built = await buildWithGo(go, say, env, options.toolsBin ?? TOOLS_BIN, options.moduleDir ?? TEMPORAL_CLI_MODULE_DIR);
    return { kind: 'binary', path: built, source: 'go build' };
  }
  if (options.allowDownload ?? true) {
    say('No Temporal CLI and no Go found: the Temporal SDK will download the dev server (needs the internet).');
    return { kind: 'sdk-download' };
  }
  throw new Error(
    'No Temporal CLI found. Install one of:\n' +
      '  - the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` on PATH, or set TEMPORAL_CLI_PATH;\n' +
      `  - Go 1.25+ (then this script builds the Temporal CLI ${TEMPORAL_CLI_VERSION} into .tools/bin).`,
  );
}

/** `temporal --version`, for messages. */
export function temporalCliVersion(binary: string): string | undefined {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
