/**
 * What the Dockerfile's runtime stage holds, made here without Docker, for `npm run test:image`:
 * `npm run build` (the build stage), then a folder with what the runtime stage copies (package
 * files, `dist/`, `config/`), its `npm ci --omit=dev`, and its ENV. The app then runs from that
 * folder with the compose services' own commands (`node dist/api/main.js`...): compiled JavaScript
 * and production dependencies only — no tsx, no TypeScript, no test tools.
 * The Node version is this machine's (20); the image's is the Dockerfile's (24).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/compose';
import { registerCleanup } from './processes';

/** Packages that must not be in the image: build and test tools. */
export const DEV_ONLY = ['tsx', 'typescript', 'jest', 'ts-jest', '@temporalio/testing', 'eslint', 'supertest'];

interface RuntimeStage {
  copies: { from?: string; sources: string[]; dest: string }[];
  runs: string[];
  env: Record<string, string>;
}

/** The Dockerfile's last stage: its COPY, RUN and ENV instructions (continuation lines joined). */
export function runtimeStage(dockerfile = path.join(ROOT, 'Dockerfile')): RuntimeStage {
  const lines = fs
    .readFileSync(dockerfile, 'utf8')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const last = lines.map((l, i) => (l.startsWith('FROM ') ? i : -1)).filter((i) => i >= 0).pop() ?? 0;
  const stage: RuntimeStage = { copies: [], runs: [], env: {} };
  for (const line of lines.slice(last + 1)) {
    const [instruction, ...rest] = line.split(/\s+/);
    if (instruction === 'COPY') {
      const from = rest[0]?.startsWith('--from=') ? rest.shift()!.slice('--from='.length) : undefined;
      stage.copies.push({ from, sources: rest.slice(0, -1), dest: rest[rest.length - 1] });
    } else if (instruction === 'RUN') {
      stage.runs.push(rest.join(' '));
    } else if (instruction === 'ENV') {
      for (const m of rest.join(' ').matchAll(/(\w+)=(\S+)/g)) stage.env[m[1]] = m[2];
    }
  }
  return stage;
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: process.env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

/** Builds the folder; returns it with the image's ENV. Removed at exit. */
export function buildImageFolder(say: (m: string) => void): { dir: string; env: Record<string, string>; packages: number } {
  const stage = runtimeStage();
  const started = Date.now();
  run('npm', ['run', '--silent', 'build'], ROOT);
  say(`  npm run build (the build stage): ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-image-'));
  registerCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const copy of stage.copies) {
    for (const source of copy.sources) {
      // The build stage works in /app with the repository's layout: /app/x is the build's x here.
      const from = copy.from ? path.join(ROOT, path.relative('/app', source)) : path.join(ROOT, source);
      const to = copy.dest.endsWith('/') ? path.join(dir, copy.dest, path.basename(source)) : path.join(dir, copy.dest);
      fs.cpSync(from, to, { recursive: true });
    }
  }
  const installed = Date.now();
  for (const command of stage.runs) {
    // Only the install: the cache clean-up would empty this machine's npm cache, and the data
    // folder and its owner are the container's business (DATA_DIR is substituted here).
    const install = command.split('&&').map((c) => c.trim()).find((c) => c.startsWith('npm ci'));
    if (install) run('npm', install.split(/\s+/).slice(1), dir);
  }
  const modules = path.join(dir, 'node_modules');
  const present = DEV_ONLY.filter((name) => fs.existsSync(path.join(modules, name)));
  if (present.length > 0) throw new Error(`the image would ship dev tools: ${present.join(', ')}`);
  const packages = fs
    .readdirSync(modules)
    .flatMap((name) => (name.startsWith('@') ? fs.readdirSync(path.join(modules, name)).map((n) => `${name}/${n}`) : name.startsWith('.') ? [] : [name])).length;
  // The image's allocator (jemalloc, LD_PRELOAD): the processes here run on it too. A path the
  // loader cannot find would only print a warning and run on glibc's malloc: refuse instead.
  const preload = stage.env.LD_PRELOAD;
  if (preload && !fs.existsSync(preload)) throw new Error(`the image preloads ${preload}, which is missing here (.ci/run links it: see its jemalloc step)`);
  say(`  runtime stage in ${dir}: ${stage.copies.length} copies, npm ci --omit=dev (${packages} packages, none of ${DEV_ONLY.join(', ')}) in ${((Date.now() - installed) / 1000).toFixed(1)} s`);
  return { dir, env: stage.env, packages };
}
