/**
 * The API reference at /docs is a web page: it is checked in a real (headless) Chromium, not only
 * over HTTP — the page must render every operation from /openapi.json under our security headers
 * (CSP blocks inline scripts, so a broken asset path shows up here and nowhere else).
 * CI installs Chromium (.ci/run); elsewhere the test is skipped, saying so, when none is found.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { OPERATIONS } from '../../api/openapi';
import { startApiHarness, type ApiHarness } from '../support/api';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const executablePath = CANDIDATES.find((p): p is string => !!p && fs.existsSync(p));
if (!executablePath && process.env.CI) throw new Error('CI must run the browser check: install Chromium (see .ci/run) or set CHROMIUM_PATH');
if (!executablePath) console.warn('No Chromium found (set CHROMIUM_PATH): the /docs browser check is skipped on this machine.');
const browserTest = executablePath ? test : test.skip;

jest.setTimeout(60_000);

let h: ApiHarness;
let server: Server;
let baseUrl: string;
let browser: Browser | undefined;
beforeAll(async () => {
  h = await startApiHarness({ withoutWorker: true });
  server = h.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (executablePath) {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      // This machine's network is closed: keep Chromium from calling home at every start.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await h?.close();
});

browserTest('/docs renders every operation of the API in a real browser, without script errors', async () => {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(`${baseUrl}/docs/`);
  await page.waitForSelector('.opblock', { timeout: 20_000 });

  const shown = await page.$$eval('.opblock', (blocks) =>
    blocks.map((b) => {
      const method = b.querySelector('.opblock-summary-method')?.textContent?.trim().toLowerCase();
      const route = b.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? b.querySelector('.opblock-summary-path')?.textContent?.trim();
      return `${method} ${route}`;
    }),
  );
  const expected = OPERATIONS.map((op) => `${op.method} ${op.path}`);
  expect(new Set(shown)).toEqual(new Set(expected));

  // Open one operation: its request body schema comes from the zod schema the API validates with.
  await page.click('#operations-projects-createProject .opblock-summary');
  await page.waitForSelector('#operations-projects-createProject .opblock-body');
  expect(await page.textContent('#operations-projects-createProject .opblock-body')).toContain('desiredDeadline');

  const screenshot = path.join(os.tmpdir(), 'agencyflow-docs.png');
  await page.screenshot({ path: screenshot, fullPage: false });
  expect(fs.statSync(screenshot).size).toBeGreaterThan(10_000);
  expect(errors).toEqual([]);
});
