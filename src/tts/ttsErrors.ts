/**
 * The `DashScopeError`s the engines raise when no DashScope error body says what went wrong.
 * @remarks Every engine failure is a `DashScopeError` (or the caller's abort reason), so callers handle one type.
 */
import { DashScopeError } from '../dashscope/errors.ts';

/** The phase a timeout fired in. */
export type TimeoutPhase = 'connect' | 'first audio' | 'idle' | 'finish';

/** No progress within `ms` in `phase`. */
export function timeoutError(phase: TimeoutPhase, ms: number): DashScopeError {
  const what = phase === 'idle' ? 'no audio for' : `${phase}: nothing within`;
  return new DashScopeError({ status: 0, code: 'Timeout', serverMessage: `${what} ${ms} ms`, outcomeUnknown: true });
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

/** A realtime `error` event, or an SSE `event:error`. */
export function serverError(fields: { status?: number; code?: string; message?: string; requestId?: string }): DashScopeError {
  return new DashScopeError({
    status: fields.status ?? 0,
    code: fields.code || 'UnknownError',
    serverMessage: fields.message ?? '',
    requestId: fields.requestId,
  });
}

/** The connection could not be made at all; `urlSetting` names the setting holding the URL that failed. */
export function networkError(cause: unknown, urlSetting: 'DASHSCOPE_BASE_URL' | 'DASHSCOPE_REALTIME_URL' = 'DASHSCOPE_BASE_URL'): DashScopeError {
  const code = typeof (cause as { code?: unknown })?.code === 'string' ? (cause as { code: string }).code : 'connection failed';
  return new DashScopeError({ status: 0, code: 'NetworkError', serverMessage: code, outcomeUnknown: true, urlSetting }, { cause });
}
