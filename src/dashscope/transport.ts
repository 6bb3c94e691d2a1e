import { type Dispatcher, request } from 'undici';
import { errorFromBody, networkError, timeoutError } from './classify.ts';
import type { DashScopeError } from './errors.ts';
import { parseObject } from './json.ts';
import { parseRetryAfter } from './retry.ts';

/** An undici dispatcher (a pool, a proxy agent), for callers outside this folder. */
export type HttpDispatcher = Dispatcher;

/** Where DashScope's HTTP API is, and the key to it. */
export interface HttpEndpoint {
  apiKey: string;
  baseUrl: string;
  /** An undici dispatcher (a pool, a proxy agent); the global one when absent. */
  dispatcher?: Dispatcher | undefined;
}

/** Where and how to reach DashScope's HTTP API for one-shot JSON calls. */
export interface HttpTarget extends HttpEndpoint {
  /** Per-request timeout, ms. */
  timeoutMs: number;
}

/** A failed call, with what the retry logic needs to know about it. */
export interface CallFailure {
  error: DashScopeError;
  retryAfterMs: number | undefined;
}

export type CallResult = { ok: true; body: Record<string, unknown> } | ({ ok: false } & CallFailure);

/**
 * POSTs JSON to `path` once and classifies the outcome; never throws for DashScope or network failures.
 * @throws the caller's abort reason when `signal` aborts.
 */
export async function postJson(
  target: HttpTarget,
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<CallResult> {
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const response = await sendJson(target, path, body, combined);
    const text = await response.body.text();
    return classifyResponse(response.statusCode, text, response.headers['retry-after']);
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    return classifyNetworkError(cause, timeout.aborted, target.timeoutMs);
  }
}

/**
 * POSTs `body` as JSON to `path` with the API key, and returns the response as it starts.
 * @remarks `headers` add to or replace the defaults (`accept: application/json`);
 * the caller reads or destroys the body.
 */
export function sendJson(
  endpoint: HttpEndpoint,
  path: string,
  body: unknown,
  signal: AbortSignal,
  headers: Readonly<Record<string, string>> = {},
): Promise<Dispatcher.ResponseData> {
  return request(`${endpoint.baseUrl}${path}`, {
    method: 'POST',
    dispatcher: endpoint.dispatcher,
    signal,
    headers: {
      authorization: `Bearer ${endpoint.apiKey}`,
      'content-type': 'application/json',
      accept: 'application/json; charset=utf-8',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

function classifyResponse(status: number, text: string, retryAfter: string | string[] | undefined): CallResult {
  const json = parseObject(text);
  if (status >= 200 && status < 300 && json) return { ok: true, body: json };
  return { ok: false, error: errorFromBody(status, text), retryAfterMs: parseRetryAfter(retryAfter) };
}

function classifyNetworkError(cause: unknown, timedOut: boolean, timeoutMs: number): CallResult {
  const error = timedOut ? timeoutError('answer', timeoutMs, cause) : networkError(cause);
  return { ok: false, error, retryAfterMs: undefined };
}
