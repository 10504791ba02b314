/**
 * Builds the portal (web/) into web/dist: one script and one style sheet with content hashes in
 * their names, and index.html pointing at them. esbuild bundles it in well under a second; the
 * build runs only when its output is missing or stale (a hash of the sources and the lock file,
 * like the workflow bundle), from `npm start`, jest's global setup and `npm run build`.
 *
 * It also writes the portal's API types, web/src/generated/openapi.ts, from the OpenAPI document
 * (buildOpenApiDocument(), in process, no server) with openapi-typescript, so the portal is typed
 * by the one contract. The types only matter to the type checker (`npm run typecheck` runs this
 * first), so `npm start` and the tests do not wait for them.
 *
 *   node --import tsx scripts/build-portal.ts            types and bundle, each when stale
 *   node --import tsx scripts/build-portal.ts --types    types only
 *   node --import tsx scripts/build-portal.ts --force    rebuild the bundle even when fresh
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../common/workflow-bundle';
import type { Logger } from '../common/logger';

export const WEB_DIR = path.join(PROJECT_ROOT, 'web');
export const PORTAL_OUT_DIR = path.join(WEB_DIR, 'dist');
export const PORTAL_TYPES_FILE = path.join(WEB_DIR, 'src', 'generated', 'openapi.ts');
const ENTRY = path.join(WEB_DIR, 'src', 'main.tsx');
const TEMPLATE = path.join(WEB_DIR, 'static', 'index.html');
const STAMP = 'build.json';

export interface PortalBuild {
  hash: string;
  builtAt: string;
  /** Public paths of the page's script and style sheet. */
  script: string;
  styles: string;
  /** Gzipped size of every script of the portal, all pages together (the budget is 150 KB). */
  scriptsGzipBytes: number;
}

function listFiles(dir: string, skip: (full: string) => boolean = () => false): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (skip(full)) return [];
      return entry.isDirectory() ? listFiles(full, skip) : [full];
    })
    .sort();
}

/** Hash of everything that goes into the bundle: sources, static files, the lock file, this script. */
export function portalSourceHash(): string {
  const hash = createHash('sha256');
  const generated = path.dirname(PORTAL_TYPES_FILE);
  const files = [
    ...listFiles(path.join(WEB_DIR, 'src'), (f) => f === generated),
    ...listFiles(path.join(WEB_DIR, 'static')),
    path.join(PROJECT_ROOT, 'package-lock.json'),
    __filename,
  ];
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    hash.update(path.relative(PROJECT_ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The current build, if web/dist holds one. */
export function readPortalBuild(outDir = PORTAL_OUT_DIR): PortalBuild | undefined {
  try {
    const build = JSON.parse(fs.readFileSync(path.join(outDir, STAMP), 'utf8')) as PortalBuild;
    return fs.existsSync(path.join(outDir, 'index.html')) ? build : undefined;
  } catch {
    return undefined;
  }
}

export async function buildPortal(options: { logger?: Logger; outDir?: string } = {}): Promise<PortalBuild> {
  const started = Date.now();
  const outDir = options.outDir ?? PORTAL_OUT_DIR;
  const hash = portalSourceHash();
  // Build beside the output and swap it in, so a running server never serves half a build.
  const tmp = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  const assets = path.join(tmp, 'assets');
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: { app: ENTRY },
    bundle: true,
    format: 'esm',
    // Each page is its own file, fetched when first needed: the sign-in page loads only the shell.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: ['chrome115', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.svg': 'file' },
    outdir: assets,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => path.resolve(PROJECT_ROOT, f));
  const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint && path.resolve(PROJECT_ROOT, o.entryPoint) === ENTRY)?.[0];
  const script = entry && path.resolve(PROJECT_ROOT, entry);
  const styles = outputs.find((f) => f.endsWith('.css'));
  if (!script || !styles) throw new Error(`portal build produced no script or no style sheet: ${outputs.join(', ')}`);
  const publicPath = (file: string) => `/assets/${path.basename(file)}`;

  // The favicon, hashed like the rest (browsers ask for /favicon.ico otherwise).
  const iconSource = path.join(WEB_DIR, 'static', 'favicon.svg');
  const iconBytes = fs.readFileSync(iconSource);
  const iconName = `favicon-${createHash('sha256').update(iconBytes).digest('hex').slice(0, 8)}.svg`;
  fs.writeFileSync(path.join(assets, iconName), iconBytes);

  // The chunks the entry imports statically, announced up front rather than found after parsing it.
  const preloads = result.metafile.outputs[entry!].imports
    .filter((i) => i.kind === 'import-statement')
    .map((i) => `<link rel="modulepreload" href="/assets/${path.relative(assets, path.resolve(PROJECT_ROOT, i.path))}">`);
  const html = fs
    .readFileSync(TEMPLATE, 'utf8')
    .replace('<!-- favicon -->', `<link rel="icon" type="image/svg+xml" href="/assets/${iconName}">`)
    .replace('<!-- styles -->', `<link rel="stylesheet" href="${publicPath(styles)}">`)
    .replace('<!-- script -->', [`<script type="module" src="${publicPath(script)}"></script>`, ...preloads].join('\n'));
  fs.writeFileSync(path.join(tmp, 'index.html'), html);

  const scriptsGzipBytes = outputs.filter((f) => f.endsWith('.js')).reduce((n, f) => n + gzipSync(fs.readFileSync(f)).length, 0);
  const build: PortalBuild = {
    hash,
    builtAt: new Date().toISOString(),
    script: publicPath(script),
    styles: publicPath(styles),
    scriptsGzipBytes,
  };
  fs.writeFileSync(path.join(tmp, STAMP), `${JSON.stringify(build, null, 2)}\n`);

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  options.logger?.info({ dir: outDir, ms: Date.now() - started, scriptsGzipKb: Math.round(scriptsGzipBytes / 102.4) / 10 }, 'portal built');
  return build;
}

/** The portal build for the current sources: reused when fresh, built when missing or stale. */
export async function ensurePortal(options: { logger?: Logger; force?: boolean } = {}): Promise<PortalBuild> {
  const current = readPortalBuild();
  if (!options.force && current && current.hash === portalSourceHash()) return current;
  return buildPortal(options);
}

/** web/src/generated/openapi.ts from the OpenAPI document; rewritten only when the document changed. */
export async function generatePortalTypes(options: { logger?: Logger } = {}): Promise<boolean> {
  const { buildOpenApiDocument } = await import('../api/openapi');
  const document = buildOpenApiDocument();
  const docHash = createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, 16);
  const header = `// Generated by scripts/build-portal.ts from api/openapi.ts (document ${docHash}). Do not edit.\n`;
  if (fs.existsSync(PORTAL_TYPES_FILE) && fs.readFileSync(PORTAL_TYPES_FILE, 'utf8').startsWith(header)) return false;
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(document as never, { alphabetize: false, exportType: false });
  fs.mkdirSync(path.dirname(PORTAL_TYPES_FILE), { recursive: true });
  fs.writeFileSync(PORTAL_TYPES_FILE, header + '/* eslint-disable */\n' + astToString(ast));
  options.logger?.info({ file: path.relative(PROJECT_ROOT, PORTAL_TYPES_FILE) }, 'portal API types generated');
  return true;
}

async function main(args: string[]): Promise<void> {
  const { createLogger } = await import('../common/logger');
  const logger = createLogger({ name: 'build-portal' });
  await generatePortalTypes({ logger });
  if (args.includes('--types')) return;
  const build = await ensurePortal({ logger, force: args.includes('--force') });
  logger.info({ script: build.script, styles: build.styles, scriptsGzipBytes: build.scriptsGzipBytes, hash: build.hash }, 'portal ready');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
