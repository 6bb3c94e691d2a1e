import { type Dispatcher, request } from 'undici';
import { DashScopeError } from './errors.ts';
import { parseRetryAfter } from './retry.ts';

/** Where and how to reach DashScope's HTTP API. */
export interface HttpTarget {
  apiKey: string;
  baseUrl: string;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** An undici dispatcher (a pool, a proxy agent); the global one when absent. */
  dispatcher?: Dispatcher | undefined;
}

/** A failed call, with what the retry logic needs to know about it. */
export interface CallFailure {
  error: DashScopeError;
  retryAfterMs: number | undefined;
}

export type CallResult = { ok: true; body: Record<string, unknown> } | ({ ok: false } & CallFailure);

const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

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
    const response = await request(`${target.baseUrl}${path}`, {
      method: 'POST',
      dispatcher: target.dispatcher,
      signal: combined,
      headers: {
        authorization: `Bearer ${target.apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json; charset=utf-8',
      },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    return classifyResponse(response.statusCode, text, response.headers['retry-after']);
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    return classifyNetworkError(cause, timeout.aborted);
  }
}

function classifyResponse(status: number, text: string, retryAfter: string | string[] | undefined): CallResult {
  const json = parseObject(text);
  if (status >= 200 && status < 300 && json) return { ok: true, body: json };
  const field = (key: string): string | undefined =>
    typeof json?.[key] === 'string' ? (json[key] as string) : undefined;
  const error = new DashScopeError({
    status,
    code: field('code') ?? (status >= 200 && status < 300 ? 'InvalidResponse' : `HTTP${status}`),
    serverMessage: field('message') ?? field('msg') ?? (json ? '' : text.slice(0, 200)),
    requestId: field('request_id'),
    outcomeUnknown: status >= 500,
  });
  return { ok: false, error, retryAfterMs: parseRetryAfter(retryAfter) };
}

function classifyNetworkError(cause: unknown, timedOut: boolean): CallResult {
  const code = errorCode(cause);
  // Only a refused or unresolved connection proves the request never reached DashScope.
  const outcomeUnknown = timedOut || !NOT_SENT_CODES.has(code ?? '');
  const error = timedOut
    ? new DashScopeError(
        { status: 0, code: 'Timeout', serverMessage: 'no answer before the timeout', outcomeUnknown },
        { cause },
      )
    : new DashScopeError(
        { status: 0, code: 'NetworkError', serverMessage: code ?? 'connection failed', outcomeUnknown },
        { cause },
      );
  return { ok: false, error, retryAfterMs: undefined };
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
