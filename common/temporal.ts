/**
 * Reaching Temporal: one connection per process with retry and backoff, namespace retention, and
 * registering our search attributes. (The embedded dev server is in dev-server.ts.)
 */
import * as grpc from '@grpc/grpc-js';
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
  type BackoffOptions,
} from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Logger } from './logger';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** The dev server's namespaces delete closed workflows after 24 h unless told otherwise. */
export async function setRetention(connection: Connection, namespace: string, retentionMs: number): Promise<void> {
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msNumberToTs(retentionMs) },
  });
}

const INDEXED_VALUE_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Registers whichever of our search attributes the cluster lacks (idempotent). */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly SearchAttributeKey<SearchAttributeType>[] = ALL_SEARCH_ATTRIBUTES,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = keys.filter((k) => !known.has(k.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type]])),
  });
  return missing.map((k) => k.name);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  log: Logger;
  what: string;
  signal?: AbortSignal;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Retries `attempt` with exponential backoff until it succeeds or `signal` aborts. Logs one error
 * when it first fails and then one line per retry at debug level: an unreachable Temporal is one
 * clear message, not a crash loop and not a silent hang.
 */
export async function retryWithBackoff<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  let delay = options.initialDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  for (let tries = 1; ; tries++) {
    try {
      const result = await attempt();
      if (tries > 1) options.log.info({ tries }, `${options.what}: connected`);
      return result;
    } catch (err) {
      if (options.signal?.aborted) throw err;
      if (tries === 1) {
        options.log.error({ err: (err as Error).message }, `${options.what} failed; retrying with backoff until it answers`);
      } else {
        options.log.debug({ tries, delayMs: delay }, `${options.what}: still unreachable`);
      }
      await sleep(delay);
      if (options.signal?.aborted) throw err;
      delay = Math.min(maxDelay, delay * 2);
    }
  }
}

export function connectClient(address: string, options: Omit<RetryOptions, 'what'>): Promise<Connection> {
  return retryWithBackoff(
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 5_000, ...clientConnectionOptions() });
      await connection.healthService.check({});
      return connection;
    },
    { ...options, what: `Connecting to Temporal at ${address}` },
  );
}

/** True when Temporal answers a cheap call within the timeout. */
export async function temporalAnswers(connection: Connection, timeoutMs = 2_000): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

/**
 * gRPC settings for our clients: a history page or a big snapshot can exceed gRPC's default 4 MB
 * message; Temporal itself bounds each payload (2 MB) and history (50 MB).
 */
const CLIENT_CHANNEL_ARGS = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 } as const;

/**
 * Sits below the SDK's retry interceptor. The SDK retries a failed call after a backoff timer; when
 * the connection was closed during that wait, grpc-js throws "Channel has been shut down" inside
 * the timer: outside any caller, so the process sees an uncaught exception (jest fails whichever
 * test runs next) and the call's promise never settles. Here that throw becomes the call failing
 * with CANCELLED, which the retry interceptor hands to the caller as it would any final error.
 */
export const closedChannelGuard: grpc.Interceptor = (options, nextCall) => {
  try {
    return new grpc.InterceptingCall(nextCall(options));
  } catch (err) {
    return new grpc.InterceptingCall(new RefusedCall(err instanceof Error ? err.message : String(err)));
  }
};

type CallBelow = ConstructorParameters<typeof grpc.InterceptingCall>[0];

/** A call that never reached a channel: it reports CANCELLED to whoever starts it, and does nothing else. */
class RefusedCall implements CallBelow {
  constructor(private readonly details: string) {}
  start(_metadata: grpc.Metadata, listener?: Partial<grpc.InterceptingListener>): void {
    const status = { code: grpc.status.CANCELLED, details: this.details, metadata: new grpc.Metadata() };
    setImmediate(() => listener?.onReceiveStatus?.(status));
  }
  cancelWithStatus(): void {}
  getPeer(): string {
    return '';
  }
  sendMessageWithContext(): void {}
  sendMessage(): void {}
  startRead(): void {}
  halfClose(): void {}
  getAuthContext(): null {
    return null;
  }
}

/**
 * How every client connection of ours is opened: big messages allowed, the SDK's retry of
 * transient errors (`retry`, its defaults unless a caller needs fewer attempts), the guard above.
 */
export function clientConnectionOptions(retry: Partial<BackoffOptions> = {}): Pick<ConnectionOptions, 'channelArgs' | 'interceptors'> {
  return {
    channelArgs: { ...CLIENT_CHANNEL_ARGS },
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions(retry)), closedChannelGuard],
  };
}

/** A WorkflowNotFoundError's message for an update or signal on a workflow that has ended ("workflow execution already completed"), not one that never was. */
export const endedWorkflowMessage = (message: string): boolean => /already completed|already finished|closed/i.test(message);
