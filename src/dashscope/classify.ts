/**
 * The one place a failure becomes a `DashScopeError`: an HTTP status and its body, a realtime `error`
 * event or an SSE `event:error`, a closed connection, a timeout, or a network failure.
 * @remarks Every client failure is a `DashScopeError` (or the caller's abort reason), so callers handle one type.
 */
import { DashScopeError, type DashScopeErrorInit } from './errors.ts';
import { SseParser } from './generation/sseParser.ts';
import { parseObject, stringField } from './json.ts';

/** Longest part of an unparsable body kept in the error, in characters. */
const BODY_EXCERPT_CHARS = 200;

/** Connection errors that prove the request never reached DashScope. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The error for an answer with `status` and `body` that is not a success: an HTTP API error, a refused
 * WebSocket upgrade, or a generation request that failed before streaming.
 * @remarks The body is usually `{"code","message","request_id"}` (spec §4); the SDK also accepts an SSE
 * error event as the body of a failed streaming request (spec §2). Anything else becomes code
 * `HTTP<status>` (`InvalidResponse` for a 2xx) with an excerpt of the body.
 */
export function errorFromBody(status: number, body: string): DashScopeError {
  const json = parseObject(body) ?? parseSseError(body);
  const field = (key: string): string | undefined => stringField(json, key);
  const success = status >= 200 && status < 300;
  return new DashScopeError({
    status,
    code: field('code') || (success ? 'InvalidResponse' : `HTTP${status}`),
    serverMessage: field('message') ?? field('msg') ?? (json ? '' : body.slice(0, BODY_EXCERPT_CHARS)),
    requestId: field('request_id'),
    outcomeUnknown: status >= 500,
  });
}

function parseSseError(body: string): Record<string, unknown> | undefined {
  const parser = new SseParser();
  const events = [...parser.push(body), ...parser.end()];
  for (const event of events) {
    const data = parseObject(event.data);
    if (stringField(data, 'code') !== undefined) return data;
  }
  return undefined;
}

/** What a realtime `error` event or an SSE `event:error` says. */
export interface ServerErrorFields {
  status?: number;
  code?: string;
  message?: string;
  requestId?: string;
}

/** A realtime `error` event, or an SSE `event:error`. */
export function serverError(fields: ServerErrorFields): DashScopeError {
  return new DashScopeError({
    status: fields.status ?? 0,
    code: fields.code || 'UnknownError',
    serverMessage: fields.message ?? '',
    requestId: fields.requestId,
  });
}

/** The phase a timeout fired in; `answer` is a whole HTTP call. */
export type TimeoutPhase = 'connect' | 'first audio' | 'idle' | 'finish' | 'answer';

/** No progress within `ms` in `phase`. */
export function timeoutError(phase: TimeoutPhase, ms: number, cause?: unknown): DashScopeError {
  const what = phase === 'idle' ? 'no audio for' : phase === 'answer' ? 'no answer within' : `${phase}: nothing within`;
  const init = { status: 0, code: 'Timeout', serverMessage: `${what} ${ms} ms`, outcomeUnknown: true };
  return new DashScopeError(init, cause === undefined ? undefined : { cause });
}

/** The connection ended before the response (or session set-up) finished. */
export function closedError(detail: string, cause?: unknown): DashScopeError {
  const init = { status: 0, code: 'ConnectionClosed', serverMessage: detail, outcomeUnknown: true };
  return new DashScopeError(init, cause === undefined ? undefined : { cause });
}

/** The response finished without a single byte of audio. */
export function noAudioError(detail: string): DashScopeError {
  return new DashScopeError({ status: 0, code: 'NoAudio', serverMessage: detail });
}

/**
 * The connection could not be made, or broke before an answer.
 * @remarks Only a refused or unresolved connection proves the request never reached DashScope;
 * any other failure leaves the outcome unknown.
 */
export function networkError(
  cause: unknown,
  urlSetting: DashScopeErrorInit['urlSetting'] = 'DASHSCOPE_BASE_URL',
): DashScopeError {
  const code = errorCode(cause);
  const outcomeUnknown = !NOT_SENT_CODES.has(code ?? '');
  const init = {
    status: 0,
    code: 'NetworkError',
    serverMessage: code ?? 'connection failed',
    outcomeUnknown,
    urlSetting,
  };
  return new DashScopeError(init, { cause });
}

/** The first string `code` along the `cause` chain (`ECONNREFUSED`, `UND_ERR_SOCKET`, …). */
function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
