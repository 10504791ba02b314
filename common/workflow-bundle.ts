/**
 * The workflow code is bundled with webpack once and reused: bundling takes seconds, so neither a
 * worker start nor a test file should pay for it again. The bundle is cached under `.cache/`
 * keyed by a hash of the workflow sources and the lock file; production images build it once
 * (`npm run build`) and point WORKFLOW_BUNDLE_PATH at it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { Logger } from './logger';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const WORKFLOWS_INDEX = path.join(PROJECT_ROOT, 'workflows', 'index.ts');
const CACHE_DIR = path.join(PROJECT_ROOT, '.cache');
/** Part of the cache key: a bundle built with other bundler options is another bundle. */
const BUNDLE_FORMAT = 'preload-workflow-modules';

function listSources(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return listSources(full);
      return entry.name.endsWith('.ts') || entry.name.endsWith('.js') ? [full] : [];
    })
    .sort();
}

/** Hash of everything that goes into the bundle. */
export function workflowSourceHash(): string {
  const hash = createHash('sha256').update(BUNDLE_FORMAT);
  for (const file of listSources(path.join(PROJECT_ROOT, 'workflows'))) {
    hash.update(path.relative(PROJECT_ROOT, file)).update(fs.readFileSync(file));
  }
  const lock = path.join(PROJECT_ROOT, 'package-lock.json');
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  return hash.digest('hex').slice(0, 16);
}

/** webpack's own report is long; keep warnings and errors only. */
const quietWebpackLogger = new DefaultLogger('WARN');

export async function buildWorkflowBundle(outFile: string, logger?: Logger): Promise<string> {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_INDEX,
    logger: quietWebpackLogger,
    // Our workflow modules are evaluated once per worker thread, not once per cached run: without
    // this every run held its own copy of every module's functions and constants (about 35 KB of
    // heap per cached workflow, measured with `npm run bench -- --only P3`). Safe because the
    // modules keep no per-run state at module level (only constants, definitions and a cache of
    // currency digits that is the same for every run); the sandbox freezes what they export.
    preloadModules: [WORKFLOWS_INDEX],
  });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, outFile); // atomic: a concurrent reader never sees half a bundle
  logger?.info({ file: outFile, ms: Date.now() - started }, 'workflow code bundled');
  return outFile;
}

/**
 * The bundle to run: WORKFLOW_BUNDLE_PATH when given (production image), else the cached bundle
 * for the current sources, built if missing.
 */
export async function resolveWorkflowBundle(options: { bundlePath?: string; logger?: Logger } = {}): Promise<string> {
  if (options.bundlePath) {
    if (!fs.existsSync(options.bundlePath)) {
      throw new Error(`WORKFLOW_BUNDLE_PATH=${options.bundlePath} does not exist; run \`npm run build\``);
    }
    return options.bundlePath;
  }
  const cached = path.join(CACHE_DIR, `workflow-bundle-${workflowSourceHash()}.js`);
  if (fs.existsSync(cached)) return cached;
  return buildWorkflowBundle(cached, options.logger);
}
