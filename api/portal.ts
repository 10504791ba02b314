/**
 * The portal: the built web app (web/dist, made by scripts/build-portal.ts) served by the API
 * process. Assets have content hashes in their names and are cached for a year; every page path a
 * browser asks for (`Accept: text/html`) gets index.html and the app's router picks the page, so
 * links in notices (`/tasks/<taskId>`, `/projects/<projectId>`, `/approvals`) open where the person
 * acts. The API, docs, OpenAPI document, health and metrics routes are never answered with HTML.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from '../common/logger';

/** web/dist beside the sources; in the image the compiled api/ sits in dist/, next to dist/web/dist. */
export const PORTAL_DIR = path.resolve(__dirname, '..', 'web', 'dist');

/** Paths that belong to the API and operations: never the portal's index.html. */
const NOT_PORTAL = ['/api', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics', '/assets'];

const isReserved = (p: string): boolean => NOT_PORTAL.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>agencyflow</title></head>
<body><h1>The portal is not built</h1><p>Run <code>npm run build:portal</code> (npm start and npm test do it for you), then reload.</p></body></html>`;

export function createPortalRouter(options: { dir?: string; logger: Logger }): Router {
  const dir = options.dir ?? PORTAL_DIR;
  const indexFile = path.join(dir, 'index.html');
  if (!fs.existsSync(indexFile)) options.logger.warn({ dir }, 'the portal is not built: run `npm run build:portal`');
  const router = express.Router();

  router.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, dotfiles: 'ignore' }));

  const page: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (isReserved(req.path)) return next();
    // Browsers navigating ask for HTML; API clients (and an empty Accept) get the usual 404 problem.
    if (!(req.get('Accept') ?? '').includes('text/html')) return next();
    let html: string;
    try {
      html = fs.readFileSync(indexFile, 'utf8'); // small, and a rebuild shows without a restart
    } catch {
      res.status(503).type('html').send(NOT_BUILT);
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(html);
  };
  router.use(page);
  return router;
}
