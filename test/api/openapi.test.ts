/**
 * The OpenAPI document is valid OpenAPI 3.1, and it documents exactly the routes the app serves.
 *
 * openapi-3.1.schema.json is the official OpenAPI 3.1 schema from the OAI/OpenAPI-Specification
 * repository (schemas/v3.1/schema.json, id https://spec.openapis.org/oas/3.1/schema/2026-08-03),
 * as shipped by @seriousme/openapi-schema-validator 2.11.0, which replaces its `$dynamicRef`s by
 * plain `$ref`s so Ajv can resolve them. It checks the document's structure (not Schema Objects).
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import { expressPath, OPERATIONS } from '../../api/openapi';
import { startApiHarness, type ApiHarness } from '../support/api';

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
});
afterAll(async () => {
  await h?.close();
});

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the app's routers declare (routers are mounted without a prefix). */
function servedRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all')) {
            out.push(`${method.toUpperCase()} ${p}`);
          }
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

test('GET /openapi.json is a valid OpenAPI 3.1 document', async () => {
  const res = await h.http().get('/openapi.json').expect(200).expect('Content-Type', /application\/json/);
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'openapi-3.1.schema.json'), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('media-range', true); // media types as keys of `content` (e.g. application/json)
  const validate = ajv.compile(schema);
  const valid = validate(res.body);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  expect(res.body.openapi).toBe('3.1.0');
  // The validator is not vacuous: a broken document fails.
  expect(validate({ ...res.body, info: { title: 'x' } })).toBe(false);
  expect(validate({ ...res.body, paths: { '/x': { get: { responses: { '200': { content: {} } } } } } })).toBe(false);
});

test('every route the router serves is in the document, and nothing else is', async () => {
  const doc = (await h.http().get('/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths)
    .flatMap(([p, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${expressPath(p)}`))
    .sort();
  expect(documented).toEqual(servedRoutes(h.app));
  expect(servedRoutes(h.app).length).toBe(OPERATIONS.length);
});

test('request bodies in the document come from the same zod schemas the API validates with', async () => {
  const doc = (await h.http().get('/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
    components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
  };
  expect(doc.paths['/api/projects'].post.requestBody?.content['application/json'].schema.$ref).toBe('#/components/schemas/ProjectRequest');
  const request = doc.components.schemas.ProjectRequest;
  expect(Object.keys(request.properties ?? {}).sort()).toEqual(
    ['budget', 'brief', 'client', 'departments', 'desiredDeadline', 'policy', 'title'].sort(),
  );
  expect(doc.components.schemas.Plan.properties?.tasks).toBeDefined();
  expect(doc.components.schemas.Problem).toBeDefined();
});

test('an operation with two successful answers documents both: sign-out is 200 after single sign-on, 204 otherwise', async () => {
  const doc = (await h.http().get('/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
  };
  const { responses } = doc.paths['/api/session'].delete;
  expect(responses['200'].content?.['application/json'].schema.$ref).toBe('#/components/schemas/SignedOut');
  expect(responses['204']).toBeDefined();
  expect(responses['204'].content).toBeUndefined();
});

test('GET /docs serves Swagger UI from the local package, pointed at /openapi.json', async () => {
  await h.http().get('/docs').expect(301).expect('Location', '/docs/');
  const page = await h.http().get('/docs/').expect(200).expect('Content-Type', /html/);
  expect(page.text).toContain('swagger-ui-bundle.js');
  expect(page.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
  const init = await h.http().get('/docs/swagger-ui-init.js').expect(200);
  expect(init.text).toContain('/openapi.json');
  await h.http().get('/docs/swagger-ui-bundle.js').expect(200);
});
