/**
 * The Temporal server and its SQL tool for the production topology on this machine
 * (`npm run test:production`, `npm run test:chaos`, the backup check): the same server version
 * docker-compose.yml pins, found in the project's git-ignored `.tools/` or built there with Go from
 * the Go module proxy, the same pattern as the Temporal CLI (common/temporal-cli.ts).
 *
 *   .tools/bin/temporal-server-<version>      go.temporal.io/server/cmd/server
 *   .tools/bin/temporal-sql-tool-<version>    go.temporal.io/server/cmd/tools/sql
 *   .tools/temporal-server-<version>/schema   the module's schema/ folder (what admin-tools ships
 *                                             as /etc/temporal/schema)
 *
 * Versioned names: bumping TEMPORAL_SERVER_VERSION builds the new pair beside the old one.
 * v1.32.2 is the newest the proxy serves, but its go.mod asks for Go 1.26.10 and this machine has
 * 1.26.8 (GOTOOLCHAIN=local: no toolchain download), so 1.32.1 is the newest that builds here.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, TOOLS_BIN } from './temporal-cli';

export const TEMPORAL_SERVER_VERSION = '1.32.1';
const MODULE = 'go.temporal.io/server';
const PACKAGES = [`${MODULE}/cmd/server`, `${MODULE}/cmd/tools/sql`];

export interface TemporalServerTools {
  version: string;
  /** `temporal-server`: run as `temporal-server start`, like the temporalio/server image. */
  server: string;
  /** `temporal-sql-tool`, as in temporalio/admin-tools. */
  sqlTool: string;
  /** The module's schema folder (`postgresql/v12/{temporal,visibility}/versioned` below it). */
  schemaDir: string;
}

type Say = (message: string) => void;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function paths(version: string): TemporalServerTools {
  return {
    version,
    server: path.join(TOOLS_BIN, `temporal-server-${version}`),
    sqlTool: path.join(TOOLS_BIN, `temporal-sql-tool-${version}`),
    schemaDir: path.join(PROJECT_ROOT, '.tools', `temporal-server-${version}`, 'schema'),
  };
}

/** What is already there, without building anything. */
export function findTemporalServerTools(version = TEMPORAL_SERVER_VERSION): TemporalServerTools | undefined {
  const tools = paths(version);
  const complete =
    isExecutable(tools.server) &&
    isExecutable(tools.sqlTool) &&
    fs.existsSync(path.join(tools.schemaDir, 'postgresql', 'v12', 'temporal', 'versioned')) &&
    fs.existsSync(path.join(tools.schemaDir, 'postgresql', 'v12', 'visibility', 'versioned'));
  return complete ? tools : undefined;
}

function goBinary(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'go'))) return path.join(dir, 'go');
  }
  return isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

async function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  progress?: { say: Say; what: string },
): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = Date.now();
  const ticker = progress
    ? setInterval(() => {
        const last = output.trim().split('\n').pop() ?? '';
        progress.say(`  still ${progress.what}... ${Math.round((Date.now() - started) / 1000)} s${last ? ` (${last.slice(0, 100)})` : ''}`);
      }, 20_000)
    : undefined;
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (ticker) clearInterval(ticker);
  return { code, output };
}

/** The module's folder in the Go module cache (downloaded if needed). */
async function moduleDir(go: string, version: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { code, output } = await run(go, ['mod', 'download', '-json', `${MODULE}@v${version}`], env);
  const dir = code === 0 ? (JSON.parse(output) as { Dir?: string }).Dir : undefined;
  if (!dir) throw new Error(`go mod download ${MODULE}@v${version} failed (exit ${code}):\n${output.slice(-2000)}`);
  return dir;
}

/**
 * Returns the server tools of `version`, building them with Go when missing (measured here: 170 s
 * with a warm Go build cache, 21 minutes the first time on a busy machine). Quiet when present.
 */
export async function ensureTemporalServerTools(
  options: { say?: Say; env?: NodeJS.ProcessEnv; version?: string } = {},
): Promise<TemporalServerTools> {
  const version = options.version ?? TEMPORAL_SERVER_VERSION;
  const say = options.say ?? ((m: string) => process.stderr.write(`${m}\n`));
  const found = findTemporalServerTools(version);
  if (found) return found;

  const baseEnv = options.env ?? process.env;
  const go = goBinary(baseEnv);
  if (!go) {
    throw new Error(
      `The Temporal server ${version} is not in .tools/bin and Go is not installed to build it.\n` +
        `Install Go (1.26.8 or later) and run again: it builds ${MODULE}/cmd/server and cmd/tools/sql @v${version}.`,
    );
  }
  const tools = paths(version);
  const buildDir = path.join(PROJECT_ROOT, '.tools', `build-server-${version}-${process.pid}`);
  fs.mkdirSync(buildDir, { recursive: true });
  // GOTOOLCHAIN=local: a module asking for a newer Go fails here with a clear message instead of
  // fetching a toolchain.
  const env = { ...baseEnv, GOBIN: buildDir, GOTOOLCHAIN: 'local', GOFLAGS: `${baseEnv.GOFLAGS ?? ''} -mod=mod`.trim() };
  say(
    `Building the Temporal server ${version} and its SQL tool with Go into ${TOOLS_BIN}.\n` +
      'Measured on 2 busy cores: about 3 minutes when the Go build cache is warm, about 20 minutes the very first ' +
      'time (new modules to download, about 12 CPU minutes of compiling); later runs reuse the binaries.',
  );
  const started = Date.now();
  try {
    const build = await run(go, ['install', ...PACKAGES.map((p) => `${p}@v${version}`)], env, {
      say,
      what: `building the Temporal server ${version}`,
    });
    const builtServer = path.join(buildDir, 'server');
    const builtSql = path.join(buildDir, 'sql');
    if (build.code !== 0 || !isExecutable(builtServer) || !isExecutable(builtSql)) {
      throw new Error(`go install ${MODULE}@v${version} failed (exit ${build.code}):\n${build.output.slice(-4000)}`);
    }
    const source = await moduleDir(go, version, env);
    fs.mkdirSync(TOOLS_BIN, { recursive: true });
    fs.rmSync(path.dirname(tools.schemaDir), { recursive: true, force: true });
    fs.cpSync(path.join(source, 'schema'), tools.schemaDir, { recursive: true });
    // Module cache files are read-only; the copy must be removable by a later `rm -rf .tools`.
    spawnSync('chmod', ['-R', 'u+w', path.dirname(tools.schemaDir)]);
    fs.renameSync(builtSql, tools.sqlTool);
    fs.renameSync(builtServer, tools.server); // last: its presence means "complete"
  } finally {
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
  say(`Temporal server ${version} built in ${Math.round((Date.now() - started) / 1000)} s: ${tools.server}`);
  const complete = findTemporalServerTools(version);
  if (!complete) throw new Error(`the Temporal server ${version} build left an incomplete .tools folder`);
  return complete;
}
