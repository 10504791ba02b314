/**
 * A minimal JSON client over node:http with one keep-alive agent, as a browser or a gateway
 * would hold connections to the API. Latency is measured from the call to the last body byte.
 */
import http from 'node:http';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
  ms: number;
  /** When the request was sent and its last body byte arrived, on the machine's monotonic clock
   *  (`machineMs`), to line up with the API's own record of the request (bench/lib/profile.ts). */
  sentAt: number;
  receivedAt: number;
}

/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC), the same in every process
 * here; `performance.timeOrigin` is read from the wall clock once per process and can be a
 * millisecond apart between two of them.
 */
export const machineMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class HttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path}: ${status} ${JSON.stringify(body).slice(0, 500)}`);
  }
}

export class JsonClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 30_000 });
  private readonly base: URL;

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl);
  }

  request<T = unknown>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<HttpResult<T>> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const sentAt = machineMs();
    return new Promise((resolve, reject) => {
      const req = http.request(
        { protocol: this.base.protocol, hostname: this.base.hostname, port: this.base.port, path, method, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const receivedAt = machineMs();
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            if (/json/.test(String(res.headers['content-type'] ?? '')) && text.length > 0) {
              try {
                body = JSON.parse(text);
              } catch {
                body = text;
              }
            }
            resolve({
              status: res.statusCode ?? 0,
              body: body as T,
              headers: res.headers,
              ms: receivedAt - sentAt,
              sentAt,
              receivedAt,
            });
          });
        },
      );
      req.setTimeout(options.timeoutMs ?? 60_000, () => req.destroy(new Error(`${method} ${path}: no answer within ${options.timeoutMs ?? 60_000} ms`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** Like request, but anything other than `expected` (default 2xx) throws HttpError. */
  async ok<T = unknown>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number; expected?: number[] } = {},
  ): Promise<HttpResult<T>> {
    const res = await this.request<T>(method, path, options);
    const good = options.expected ? options.expected.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!good) throw new HttpError(method, path, res.status, res.body);
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}
