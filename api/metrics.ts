/**
 * Prometheus metrics for one app: requests by route, method and status, a latency histogram, and
 * the default process metrics. Each app has its own Registry, so tests can build several apps in
 * one process without "metric already registered" errors.
 */
import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { expressPath, OPERATIONS } from './openapi';
import { registerPeopleGauges } from '../common/people-metrics';
import type { PeopleDirectory } from '../common/people';

/** Route patterns for requests refused before routing (413, 415, 429, malformed JSON). */
const KNOWN_ROUTES = OPERATIONS.map((op) => ({
  method: op.method.toUpperCase(),
  pattern: expressPath(op.path),
  regex: new RegExp(`^${op.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
}));

export interface HttpMetrics {
  registry: Registry;
  /** Records every request when its response finishes. */
  middleware: RequestHandler;
  /** Serves the registry in the Prometheus text format. */
  handler: RequestHandler;
  /** Project and task reads by where their stored copy came from (api/copies-in-memory.ts). */
  copyReads: Counter<'source'>;
  /** Task list reads by where the list came from (api/lists-in-memory.ts). */
  listReads: Counter<'source'>;
  /** Reports how many stored copies the API holds in memory, read at each scrape. */
  copiesHeld(size: () => number): void;
  /** Reports how many task lists the API holds in memory, read at each scrape. */
  listsHeld(size: () => number): void;
  /** Reports how many people the directory holds and whether the file on disk was refused, read at each scrape (common/people-metrics.ts). */
  people(directory: Pick<PeopleDirectory, 'all' | 'fileRefused'>): void;
}

/** The route pattern, never the raw URL: ids would make the label set unbounded. */
export function routeLabel(req: Request): string {
  if (req.route && typeof req.route.path === 'string') return `${req.baseUrl}${req.route.path}`;
  if (req.path.startsWith('/docs')) return '/docs';
  const path = req.originalUrl.split('?')[0];
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  return KNOWN_ROUTES.find((r) => r.method === method && r.regex.test(path))?.pattern ?? 'unmatched';
}

export function createHttpMetrics(options: { prefix?: string } = {}): HttpMetrics {
  const registry = new Registry();
  const prefix = options.prefix ?? 'agencyflow_';
  collectDefaultMetrics({ register: registry, prefix });

  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const labels = { route: routeLabel(req), method: req.method, status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };

  const handler: RequestHandler = async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  };

  const copyReads = new Counter({
    name: `${prefix}api_copy_reads_total`,
    help: "Reads of a project's or task's stored copy (reads, and the access check of actions), by source: the API's memory or a store statement",
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const copiesHeld = sizeGauge(registry, `${prefix}api_copies_held`, 'Stored copies of projects and tasks the API holds in memory (confirmed by a poll of the store every 100 ms)');

  const listReads = new Counter({
    name: `${prefix}api_list_reads_total`,
    help: 'Task list reads, by source: the API\u2019s memory (a list polled often, refreshed in the background) or a store statement',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const listsHeld = sizeGauge(registry, `${prefix}api_lists_held`, 'Task lists the API holds in memory (each served while its statement is under a second old)');

  const people = registerPeopleGauges(registry, prefix);

  return {
    registry,
    middleware,
    handler,
    copyReads,
    copiesHeld,
    listReads,
    listsHeld,
    people,
  };
}

/** A gauge read at each scrape from a size function given later (what it counts is built after the metrics). */
function sizeGauge(registry: Registry, name: string, help: string): (size: () => number) => void {
  let size: () => number = () => 0;
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(size());
    },
  });
  return (given) => {
    size = given;
  };
}
