/**
 * One streaming request to DashScope's non-realtime generation endpoint (spec §2), read as SSE.
 * @remarks Timeouts count only time spent waiting on the network: no timer runs while the consumer holds
 * a yielded chunk, so slow playback never looks like a stalled server. The first-audio timeout runs from
 * sending the request (headers may come only with the first event), the connect timeout until the
 * headers, the idle timeout between reads once audio flows.
 */
import type { Dispatcher } from 'undici';
import {
  closedError,
  errorFromBody,
  networkError,
  noAudioError,
  serverError,
  type TimeoutPhase,
  timeoutError,
} from '../classify.ts';
import { DashScopeError } from '../errors.ts';
import { EvenBytes } from '../evenBytes.ts';
import { asObject, numberField, parseObject, stringField } from '../json.ts';
import { type TtsTimeouts, Watchdog } from '../timeouts.ts';
import { type HttpEndpoint, sendJson } from '../transport.ts';
import { type SseEvent, SseParser } from './sseParser.ts';

/** Path of the generation endpoint. */
export const GENERATION_PATH = '/api/v1/services/aigc/multimodal-generation/generation';

/** Where to send and how long to wait. */
export interface GenerationTarget extends HttpEndpoint {
  timeouts: TtsTimeouts;
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

/** One request's phase timers; an expiry aborts the request and is remembered as the error to throw. */
class RequestTimer {
  readonly controller = new AbortController();
  expired: DashScopeError | undefined;
  readonly #timeouts: TtsTimeouts;
  readonly #watchdog = new Watchdog();
  #firstAudioBy = 0;

  constructor(timeouts: TtsTimeouts) {
    this.#timeouts = timeouts;
  }

  /** The request is being sent: connect and first-audio deadlines both start now. */
  sending(): void {
    const { connectMs, firstAudioMs } = this.#timeouts;
    this.#firstAudioBy = performance.now() + firstAudioMs;
    this.#arm(Math.min(connectMs, firstAudioMs), connectMs <= firstAudioMs ? 'connect' : 'first audio');
  }

  /** About to wait for more of the body. */
  reading(hadAudio: boolean): void {
    if (hadAudio) this.#arm(this.#timeouts.idleMs, 'idle');
    else this.#arm(Math.max(0, this.#firstAudioBy - performance.now()), 'first audio');
  }

  clear(): void {
    this.#watchdog.clear();
  }

  #arm(ms: number, phase: TimeoutPhase): void {
    this.#watchdog.arm(ms, () => {
      this.expired = timeoutError(phase, ms);
      this.controller.abort(this.expired);
    });
  }
}

/**
 * Streams the PCM of one request `body` as it arrives, in even-length chunks.
 * @throws DashScopeError (HTTP error, `event:error`, NoAudio, ConnectionClosed, Timeout, NetworkError),
 * or the abort reason.
 */
export async function* streamGeneration(
  target: GenerationTarget,
  body: unknown,
  signal: AbortSignal,
  hooks: GenerationHooks,
): AsyncGenerator<Buffer> {
  const timer = new RequestTimer(target.timeouts);
  const onAbort = (): void => timer.controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let headers = false;
  let response: Dispatcher.ResponseData | undefined;
  try {
    signal.throwIfAborted();
    timer.sending();
    response = await sendJson(target, GENERATION_PATH, body, timer.controller.signal, SSE_HEADERS);
    headers = true;
    hooks.onHeaders();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      timer.reading(true);
      throw errorFromBody(response.statusCode, await response.body.text());
    }
    yield* readEvents(response.body, timer, hooks);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (timer.expired !== undefined) throw timer.expired;
    if (error instanceof DashScopeError) throw error;
    throw headers ? closedError('the event stream broke', error) : networkError(error);
  } finally {
    timer.clear();
    signal.removeEventListener('abort', onAbort);
    timer.controller.abort();
    // A body left unread pins the connection; destroying it makes undici close the socket at once.
    if (response && !response.body.readableEnded) response.body.destroy();
  }
}

/** Headers that ask for the response as a server-sent event stream. */
const SSE_HEADERS = { accept: 'text/event-stream', 'x-dashscope-sse': 'enable', 'cache-control': 'no-cache' };

async function* readEvents(
  body: AsyncIterable<Uint8Array>,
  timer: RequestTimer,
  hooks: GenerationHooks,
): AsyncGenerator<Buffer> {
  const parser = new SseParser();
  const even = new EvenBytes();
  const pieces = body[Symbol.asyncIterator]();
  let audioBytes = 0;
  try {
    for (let done = false; !done; ) {
      timer.reading(audioBytes > 0);
      const piece = await pieces.next();
      timer.clear();
      done = piece.done === true;
      for (const event of done ? parser.end() : parser.push(piece.value)) {
        const reading = interpret(event);
        if (reading.characters !== undefined) hooks.onCharacters(reading.characters);
        audioBytes += reading.audio?.length ?? 0;
        const chunk = reading.audio === undefined ? undefined : even.take(reading.audio);
        if (chunk !== undefined && chunk.length > 0) yield chunk;
        if (!reading.finished) continue;
        if (audioBytes === 0) throw noAudioError('the stream finished without any audio');
        return;
      }
    }
    throw closedError('the event stream ended before finish_reason "stop"');
  } finally {
    pieces.return?.().catch(() => {});
  }
}

/** Reads one SSE event; an error event (or an error body inside a result) throws. */
function interpret(event: SseEvent): Reading {
  const data = parseObject(event.data);
  const code = stringField(data, 'code');
  if (event.event === 'error' || (code !== undefined && code !== '' && data?.output === undefined)) {
    throw serverError({
      status: event.status ?? numberField(data, 'status_code'),
      code,
      message: stringField(data, 'message') ?? event.data,
      requestId: stringField(data, 'request_id'),
    });
  }
  const output = asObject(data?.output);
  const base64 = stringField(asObject(output?.audio), 'data') ?? '';
  return {
    audio: base64 === '' ? undefined : Buffer.from(base64, 'base64'),
    characters: numberField(asObject(data?.usage), 'characters'),
    finished: output?.finish_reason === 'stop',
  };
}
