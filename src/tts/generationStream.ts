/**
 * One streaming request to DashScope's non-realtime generation endpoint (spec §2), read as SSE.
 * @remarks Timeouts count only time spent waiting on the network: the timer is off while the consumer
 * holds a yielded chunk, so slow playback never looks like a stalled server. The first-audio timeout runs
 * from sending the request (the headers may come only with the first event), the connect timeout until
 * the headers, the idle timeout between events once audio flows.
 */
import { request, type Dispatcher } from 'undici';
import { DashScopeError } from '../dashscope/errors.ts';
import type { TtsTimeouts } from './engine.ts';
import { errorFromBody, parseObject } from './errorBody.ts';
import { SseParser, type SseEvent } from './sseParser.ts';
import { EvenBytes } from './synthesis.ts';
import { closedError, networkError, noAudioError, serverError, timeoutError } from './ttsErrors.ts';
import { Watchdog } from './watchdog.ts';

/** Path of the generation endpoint. */
export const GENERATION_PATH = '/api/v1/services/aigc/multimodal-generation/generation';

/** Where to send and how long to wait. */
export interface GenerationTarget {
  apiKey: string;
  baseUrl: string;
  timeouts: TtsTimeouts;
  dispatcher?: Dispatcher | undefined;
}

/** What the caller learns besides the audio. */
export interface GenerationHooks {
  /** Response headers arrived. */
  onHeaders(): void;
  /** `usage.characters` as last reported. */
  onCharacters(characters: number): void;
}

/** What one SSE event says. */
interface Reading {
  audio: Buffer | undefined;
  characters: number | undefined;
  finished: boolean;
}

/**
 * Streams the PCM of one request `body` as it arrives, in even-length chunks.
 * @throws DashScopeError (HTTP error, `event:error`, NoAudio, ConnectionClosed, Timeout, NetworkError) or the abort reason.
 */
export async function* streamGeneration(target: GenerationTarget, body: unknown, signal: AbortSignal, hooks: GenerationHooks): AsyncGenerator<Buffer> {
  const controller = new AbortController();
  const watchdog = new Watchdog();
  let expired: DashScopeError | undefined;
  const expireAfter = (ms: number, phase: 'connect' | 'first audio' | 'idle'): void =>
    watchdog.arm(ms, () => controller.abort((expired = timeoutError(phase, ms))));
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let headers = false;
  try {
    signal.throwIfAborted();
    const { connectMs, firstAudioMs } = target.timeouts;
    const firstAudioBy = performance.now() + firstAudioMs;
    expireAfter(Math.min(connectMs, firstAudioMs), connectMs <= firstAudioMs ? 'connect' : 'first audio');
    const response = await send(target, body, controller.signal);
    headers = true;
    hooks.onHeaders();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      expireAfter(target.timeouts.idleMs, 'idle');
      throw errorFromBody(response.statusCode, await response.body.text());
    }
    yield* readEvents(response.body, { firstAudioBy, idleMs: target.timeouts.idleMs }, expireAfter, watchdog, hooks);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (expired !== undefined) throw expired;
    if (error instanceof DashScopeError) throw error;
    throw headers ? closedError('the event stream broke', error) : networkError(error);
  } finally {
    watchdog.clear();
    signal.removeEventListener('abort', onAbort);
    controller.abort();
  }
}

function send(target: GenerationTarget, body: unknown, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  return request(`${target.baseUrl}${GENERATION_PATH}`, {
    method: 'POST',
    dispatcher: target.dispatcher,
    signal,
    headers: {
      authorization: `Bearer ${target.apiKey}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'x-dashscope-sse': 'enable',
      'cache-control': 'no-cache',
    },
    body: JSON.stringify(body),
  });
}

async function* readEvents(
  body: AsyncIterable<Uint8Array>,
  deadlines: { firstAudioBy: number; idleMs: number },
  expireAfter: (ms: number, phase: 'first audio' | 'idle') => void,
  watchdog: Watchdog,
  hooks: GenerationHooks,
): AsyncGenerator<Buffer> {
  const parser = new SseParser();
  const even = new EvenBytes();
  const pieces = body[Symbol.asyncIterator]();
  let audioBytes = 0;
  for (let done = false; !done;) {
    if (audioBytes === 0) expireAfter(Math.max(0, deadlines.firstAudioBy - performance.now()), 'first audio');
    else expireAfter(deadlines.idleMs, 'idle');
    const piece = await pieces.next();
    watchdog.clear();
    done = piece.done === true;
    const events = done ? parser.end() : parser.push(piece.value);
    for (const event of events) {
      const reading = interpret(event);
      if (reading.characters !== undefined) hooks.onCharacters(reading.characters);
      if (reading.audio !== undefined && reading.audio.length > 0) {
        audioBytes += reading.audio.length;
        const chunk = even.take(reading.audio);
        if (chunk.length > 0) yield chunk;
      }
      if (!reading.finished) continue;
      if (audioBytes === 0) throw noAudioError('the stream finished without any audio');
      return;
    }
  }
  throw closedError('the event stream ended before finish_reason "stop"');
}

/** Reads one SSE event; an error event (or an error body inside a result) throws. */
function interpret(event: SseEvent): Reading {
  const data = parseObject(event.data);
  const code = data?.['code'];
  if (event.event === 'error' || (typeof code === 'string' && code !== '' && data?.['output'] === undefined)) {
    const text = (key: string): string | undefined => (typeof data?.[key] === 'string' ? (data[key] as string) : undefined);
    const statusCode = typeof data?.['status_code'] === 'number' ? data['status_code'] : undefined;
    throw serverError({ status: event.status ?? statusCode, code: text('code'), message: text('message') ?? event.data, requestId: text('request_id') });
  }
  const output = asObject(data?.['output']);
  const audio = asObject(output?.['audio']);
  const usage = asObject(data?.['usage']);
  const base64 = typeof audio?.['data'] === 'string' ? audio['data'] : '';
  return {
    audio: base64 === '' ? undefined : Buffer.from(base64, 'base64'),
    characters: typeof usage?.['characters'] === 'number' ? usage['characters'] : undefined,
    finished: output?.['finish_reason'] === 'stop',
  };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
