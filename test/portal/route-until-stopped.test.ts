/**
 * The browser suites' way to answer a page's polls differently for a while (`routeUntilStopped`):
 * stopped while a poll's answer is still being fetched, that poll is answered as the handler says,
 * with no "Route is already handled!" — the error a bare `page.unroute` gives there (a CI run of
 * money-edges failed on it on 2026-12-07).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Route } from 'playwright-core';
import { browserTestOrSkip, chromiumPath, routeUntilStopped } from '../support/browser';

const browserTest = browserTestOrSkip('routeUntilStopped');
const SLOW_ANSWER_MS = 400;

let browser: Browser;
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  // An API that answers every read slowly, so a test can stop routing while one is in flight.
  server = http.createServer((_request, response) => {
    setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"answer":"server"}'), SLOW_ANSWER_MS);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (chromiumPath) browser = await chromium.launch({ executablePath: chromiumPath });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((closed) => server.close(closed));
});

/** Routes `/poll` to answer "changed", stops while the page's read is in flight, reads once more, and says what happened. */
async function stopWhileReading(stop: 'bare unroute' | 'routeUntilStopped') {
  const page = await browser.newPage();
  try {
    await page.goto(`${baseUrl}/`);
    const handlerErrors: string[] = [];
    let fetching!: () => void;
    const fetchStarted = new Promise<void>((started) => (fetching = started));
    const changed = async (route: Route) => {
      try {
        fetching();
        const response = await route.fetch();
        await route.fulfill({ response, json: { answer: 'changed' } });
      } catch (error) {
        handlerErrors.push(error instanceof Error ? error.message : String(error));
      }
    };
    let stopRouting: () => Promise<void>;
    if (stop === 'bare unroute') {
      await page.route('**/poll', changed);
      stopRouting = () => page.unroute('**/poll', changed);
    } else {
      stopRouting = await routeUntilStopped(page, '**/poll', changed);
    }
    const read = page.evaluate(() => fetch('/poll').then((r) => r.json() as Promise<{ answer: string }>));
    await fetchStarted;
    await stopRouting();
    const pageRead = await read;
    // A handler's error lands after the page's read is answered: wait past the server's delay.
    await new Promise((passed) => setTimeout(passed, SLOW_ANSWER_MS));
    const readAfter = await page.evaluate(() => fetch('/poll').then((r) => r.json() as Promise<{ answer: string }>));
    return { handlerErrors, pageRead: pageRead.answer, readAfter: readAfter.answer };
  } finally {
    await page.close();
  }
}

browserTest('a bare unroute while a read is fetched lets the read go by itself: the handler cannot answer it', async () => {
  // What the helper exists for; if Playwright stops doing this, the helper may go.
  const { handlerErrors, pageRead } = await stopWhileReading('bare unroute');
  expect(handlerErrors).toEqual([expect.stringContaining('Route is already handled!')]);
  expect(pageRead).toBe('server');
});

browserTest('stopped while a read is fetched, routeUntilStopped lets its handler answer it, and later reads go through untouched', async () => {
  const { handlerErrors, pageRead, readAfter } = await stopWhileReading('routeUntilStopped');
  expect(handlerErrors).toEqual([]);
  expect(pageRead).toBe('changed');
  expect(readAfter).toBe('server');
});
