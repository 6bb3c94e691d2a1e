/**
 * One realtime TTS WebSocket (spec §1): handshake, commit-mode session set-up, then one response per `speak`.
 * @remarks Every socket callback funnels into state changes and `#fail`; nothing thrown escapes a callback.
 * A failed session is closed at once and never becomes ready again.
 */
import { type RawData, WebSocket } from 'ws';
import { closedError, networkError, serverError, timeoutError } from '../classify.ts';
import { type TtsTimeouts, Watchdog } from '../timeouts.ts';
import { clientEvent, parseServerEvent, type SpeechTuning, sessionUpdate } from './protocol.ts';
import { readRefusal } from './refusal.ts';
import { RealtimeResponse } from './response.ts';

/** How long a graceful close (`session.finish` → `session.finished` → close) may take, ms. */
export const FINISH_TIMEOUT_MS = 3_000;

/**
 * Largest frame accepted from DashScope, bytes.
 * @remarks An audio delta is a fraction of a second of base64 PCM; ws would otherwise buffer up to 100 MiB per frame.
 */
export const REALTIME_MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;

/** Lifecycle of a session; `closed` is final. */
export type SessionState = 'connecting' | 'ready' | 'busy' | 'finishing' | 'closed';

/** Where to connect and what to speak with. */
export interface SessionTarget {
  realtimeUrl: string;
  apiKey: string;
  model: string;
  voiceId: string;
  languageType: string;
  /** Speed, pitch and volume; absent ones are DashScope's defaults. */
  tuning?: SpeechTuning | undefined;
}

/**
 * What makes two sessions interchangeable: a session is bound to its model, voice, language and speech
 * settings at set-up (`session.update` is refused once text was sent), so equal settings share sessions.
 */
export function sessionKey(target: SessionTarget): string {
  const { speechRate, pitchRate, volume } = target.tuning ?? {};
  return [target.model, target.voiceId, target.languageType, speechRate, pitchRate, volume].join('\n');
}

/** One realtime socket carrying consecutive responses in one voice. */
export class RealtimeSession {
  /** {@link sessionKey} of its target. */
  readonly key: string;
  /** Resolves at `session.updated`; rejects with the `DashScopeError` that ended set-up. Never unhandled. */
  readonly ready: Promise<void>;
  /** Resolves once the socket is gone, whatever the reason. */
  readonly closed: Promise<void>;
  /** Whether the server confirmed the graceful end (`session.finished`). */
  finishedGracefully = false;
  readonly #ws: WebSocket;
  readonly #target: SessionTarget;
  readonly #timeouts: TtsTimeouts;
  readonly #onEnd: (session: RealtimeSession) => void;
  readonly #watchdog = new Watchdog();
  readonly #settleReady: { resolve: () => void; reject: (reason: unknown) => void };
  #state: SessionState = 'connecting';
  #updateSent = false;
  #response: RealtimeResponse | undefined;
  #socketError: unknown;

  /** Opens the socket at once; `onEnd` runs once when the session reaches `closed`. */
  constructor(target: SessionTarget, timeouts: TtsTimeouts, onEnd: (session: RealtimeSession) => void) {
    this.key = sessionKey(target);
    this.#target = target;
    this.#timeouts = timeouts;
    this.#onEnd = onEnd;
    const ready = Promise.withResolvers<void>();
    ready.promise.catch(() => {});
    this.ready = ready.promise;
    this.#settleReady = ready;
    const closed = Promise.withResolvers<void>();
    this.closed = closed.promise;
    const url = new URL(target.realtimeUrl);
    url.searchParams.set('model', target.model);
    this.#ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${target.apiKey}` },
      perMessageDeflate: false,
      maxPayload: REALTIME_MAX_PAYLOAD_BYTES,
    });
    this.#ws.on('unexpected-response', (_req, res) => readRefusal(res, (error) => this.#fail(error)));
    this.#ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    this.#ws.on('error', (error) => {
      this.#socketError ??= error;
    });
    this.#ws.on('close', (code) => {
      this.#onClose(code);
      closed.resolve();
    });
    this.#watchdog.arm(timeouts.connectMs, () => this.#fail(timeoutError('connect', timeouts.connectMs)));
  }

  get state(): SessionState {
    return this.#state;
  }

  /**
   * Sends `texts` as appends plus one commit and returns the response's audio.
   * @remarks Only on a `ready` session; otherwise the returned response has already failed. While the
   * response holds more audio than its reader has taken (see `QUEUE_HIGH_SECONDS`), the socket stops reading.
   */
  speak(texts: readonly string[]): RealtimeResponse {
    const codePoints = texts.reduce((sum, text) => sum + [...text].length, 0);
    const response = new RealtimeResponse(codePoints, (full) => this.#onPressure(full));
    if (this.#state !== 'ready') {
      response.fail(closedError(`the session is ${this.#state}, not ready`));
      return response;
    }
    this.#state = 'busy';
    this.#response = response;
    this.#ws.resume();
    const { firstAudioMs } = this.#timeouts;
    this.#watchdog.arm(firstAudioMs, () => this.#fail(timeoutError('first audio', firstAudioMs)));
    for (const text of texts) this.#send(clientEvent('input_text_buffer.append', { text }));
    this.#send(clientEvent('input_text_buffer.commit'));
    return response;
  }

  /** Ends the session: gracefully when idle (`session.finish`), at once otherwise. Resolves when the socket is gone. */
  finish(): Promise<void> {
    if (this.#state === 'ready') {
      this.#state = 'finishing';
      this.#watchdog.arm(FINISH_TIMEOUT_MS, () => this.#fail(timeoutError('finish', FINISH_TIMEOUT_MS)));
      this.#send(clientEvent('session.finish'));
    } else if (this.#state !== 'finishing') {
      this.destroy(closedError('the session was discarded'));
    }
    return this.closed;
  }

  /** Closes the socket at once; a response in progress fails with `reason`. */
  destroy(reason: unknown): void {
    this.#fail(reason);
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary || this.#state === 'closed') return;
    const event = parseServerEvent(data.toString());
    switch (event.type) {
      case 'session.created':
        return this.#onCreated();
      case 'session.updated':
        return this.#onUpdated();
      case 'error':
        return this.#fail(serverError({ code: event.code, message: event.message }));
      case 'response.audio.delta':
        return this.#onAudio(event.audio);
      case 'response.done':
        return this.#onDone(event.status, event.characters);
      case 'session.finished':
        return this.#onFinished();
      case 'other':
        return this.#onOther();
    }
  }

  #onCreated(): void {
    if (this.#state !== 'connecting' || this.#updateSent) return;
    this.#updateSent = true;
    this.#send(sessionUpdate(this.#target.voiceId, this.#target.languageType, this.#target.tuning));
  }

  #onUpdated(): void {
    if (this.#state !== 'connecting' || !this.#updateSent) return;
    this.#state = 'ready';
    this.#watchdog.clear();
    this.#settleReady.resolve();
  }

  #onAudio(audio: Buffer): void {
    if (this.#response === undefined) {
      // Audio outside a response would leak into the next utterance: this socket is out of step.
      if (this.#state === 'ready') this.#fail(closedError('audio arrived outside a response'));
      return;
    }
    const tooLong = this.#response.addAudio(audio);
    if (tooLong !== undefined) return this.#fail(tooLong);
    if (!this.#ws.isPaused) this.#armIdle();
  }

  /** The reader fell behind (stop reading, and do not time out while waiting for it) or caught up. */
  #onPressure(full: boolean): void {
    if (this.#state === 'closed') return;
    if (full) {
      this.#ws.pause();
      this.#watchdog.clear();
    } else {
      this.#ws.resume();
      if (this.#response !== undefined) this.#armIdle();
    }
  }

  #onDone(status: string | undefined, characters: number | undefined): void {
    const response = this.#response;
    if (response === undefined) return;
    const failure = response.complete(status, characters);
    if (failure !== undefined) return this.#fail(failure);
    this.#response = undefined;
    this.#state = 'ready';
    this.#watchdog.clear();
  }

  #onFinished(): void {
    if (this.#state !== 'finishing') return;
    this.finishedGracefully = true;
    this.#ws.close(1000, 'bye');
  }

  /** Any other event of a response in progress: the text arrived; once audio flows, it counts as progress. */
  #onOther(): void {
    if (this.#response === undefined) return;
    this.#response.acknowledged = true;
    if (this.#response.firstAudioAt !== undefined) this.#armIdle();
  }

  #armIdle(): void {
    const { idleMs } = this.#timeouts;
    this.#watchdog.arm(idleMs, () => this.#fail(timeoutError('idle', idleMs)));
  }

  #onClose(code: number): void {
    if (this.#state === 'closed') return;
    const phase = this.#state === 'connecting' ? 'session set-up' : this.#state === 'busy' ? 'the response' : 'idle';
    const cause = this.#socketError;
    const error =
      this.#state === 'connecting' && cause !== undefined
        ? networkError(cause, 'DASHSCOPE_REALTIME_URL')
        : closedError(`the socket closed (code ${code}) during ${phase}`, cause);
    this.#fail(error);
  }

  #send(frame: string): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return this.#fail(closedError('the socket is not open'));
    this.#ws.send(frame, (error) => {
      if (error) this.#fail(closedError('a send failed', error));
    });
  }

  #fail(reason: unknown): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#watchdog.clear();
    this.#settleReady.reject(reason);
    this.#response?.fail(reason);
    this.#response = undefined;
    this.#ws.terminate();
    this.#onEnd(this);
  }
}
