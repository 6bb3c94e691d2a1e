/**
 * One realtime WebSocket session: client events, the text buffer, both modes and the response queue.
 * @remarks Responses run one at a time, in order. Closing the socket cancels the pending timer and the queue,
 * so nothing is written after close.
 */
import { WebSocket } from 'ws';
import { splitSentences } from './audio.ts';
import { realtimeId } from './ids.ts';
import { ERROR_CLOSE_CODE, INVALID_VALUE, REALTIME_ERRORS } from './realtime-errors.ts';
import { type ResponseHost, ResponseRun, type SessionFault } from './realtime-response.ts';
import { defaultSessionConfig, mergeSessionUpdate, type SessionConfig, sessionView } from './session-config.ts';
import type { EmulatorContext } from './state.ts';
import { isDesignedVoiceModel, VOICE_ERROR_CODES, voiceProblem } from './voice-rule.ts';

type State = 'open' | 'finishing' | 'finished' | 'stalled' | 'closed';

/** Path recorded for realtime client events in `ctx.requests`. */
const REALTIME_PATH = '/api-ws/v1/realtime';

/** Serves one accepted WebSocket until it closes. */
export class RealtimeSession implements ResponseHost {
  readonly ctx: EmulatorContext;
  readonly #ws: WebSocket;
  readonly #model: string;
  readonly #id = realtimeId('sess');
  #config: SessionConfig = defaultSessionConfig();
  #state: State = 'open';
  #textSeen = false;
  #buffer = '';
  #segmentedSinceCommit = false;
  #queue: string[] = [];
  #running = false;
  #timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(ctx: EmulatorContext, ws: WebSocket, model: string) {
    this.ctx = ctx;
    this.#ws = ws;
    this.#model = model;
    ws.on('message', (data, isBinary) => this.#onMessage(data.toString(), isBinary));
    ws.on('close', () => this.#onClose());
    ws.on('error', () => this.#onClose());
  }

  /** Sends `session.created`, then closes at once if the `silentClose` fault is set. */
  open(): void {
    this.#armIdle();
    this.send({ type: 'session.created', session: sessionView(this.#id, this.#model, this.#config) });
    if (!this.ctx.faults.realtime.silentClose) return;
    this.ctx.faults.realtime.silentClose = false;
    this.#state = 'finished';
    this.#ws.close(1000);
  }

  send(event: Record<string, unknown>): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(JSON.stringify({ event_id: realtimeId('event'), ...event }));
  }

  sendBinary(): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
  }

  schedule(ms: number, fn: () => void): void {
    this.#clearTimer();
    if (this.#state === 'closed' || this.#state === 'stalled') return;
    const run = (): void => {
      this.#timer = null;
      fn();
    };
    this.#timer = ms > 0 ? setTimeout(run, Math.ceil(ms)) : setImmediate(run);
  }

  fault(kind: SessionFault): void {
    this.#clearTimer();
    this.#queue = [];
    if (kind === 'drop') {
      this.#state = 'closed';
      this.#ws.terminate();
      return;
    }
    this.#state = 'stalled';
    if (kind === 'stall') return;
    this.send({ type: 'error', error: REALTIME_ERRORS.internal });
    this.#ws.close(ERROR_CLOSE_CODE, 'InternalError');
  }

  #error(code: string, message: string): void {
    this.send({ type: 'error', error: { code, message } });
  }

  /** (Re)starts the server-side idle timeout, unless it is off; it never fires while a response runs. */
  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    const ms = this.ctx.options.realtime.sessionIdleTimeoutMs ?? 0;
    if (ms <= 0) return;
    this.#idleTimer = setTimeout(() => {
      if (this.#running || this.#state !== 'open') return this.#armIdle();
      this.#state = 'finished';
      this.#ws.close(1000, 'idle timeout');
    }, ms);
  }

  #onMessage(raw: string, isBinary: boolean): void {
    if (this.#state === 'stalled' || this.#state === 'closed') return;
    this.#armIdle();
    let event: unknown;
    try {
      event = isBinary ? undefined : JSON.parse(raw);
    } catch {
      event = undefined;
    }
    const type = typeof event === 'object' && event !== null ? (event as { type?: unknown }).type : undefined;
    const action = typeof type === 'string' ? type : 'invalid';
    this.ctx.requests.push({ at: Date.now(), method: 'WS', path: REALTIME_PATH, action, body: event ?? raw });
    if (this.#state === 'finished') return;
    if (typeof type !== 'string') return this.#error(INVALID_VALUE, REALTIME_ERRORS.badJson);
    this.#dispatch(type, event as Record<string, unknown>);
  }

  #dispatch(type: string, event: Record<string, unknown>): void {
    if (this.#state === 'finishing' && type !== 'session.update') return;
    switch (type) {
      case 'session.update':
        return this.#update(event.session);
      case 'input_text_buffer.append':
        return this.#append(event.text);
      case 'input_text_buffer.commit':
        return this.#commit();
      case 'input_text_buffer.clear':
        return this.#clear();
      case 'session.finish':
        return this.#finish();
      default:
        return this.#error(INVALID_VALUE, REALTIME_ERRORS.unknownType(type));
    }
  }

  #update(patch: unknown): void {
    if (this.#textSeen || this.#state !== 'open') return this.#error(INVALID_VALUE, REALTIME_ERRORS.updateAfterStart);
    const merged = mergeSessionUpdate(this.#config, patch);
    if (typeof merged === 'string') return this.#error(INVALID_VALUE, merged);
    const problem = voiceProblem(this.ctx, this.#model, merged.voice);
    if (problem !== null) return this.#error(VOICE_ERROR_CODES.realtime, problem);
    this.#config = merged;
    this.send({ type: 'session.updated', session: sessionView(this.#id, this.#model, merged) });
  }

  #append(text: unknown): void {
    if (typeof text !== 'string') return this.#error(INVALID_VALUE, REALTIME_ERRORS.badText);
    this.#textSeen = true;
    this.#buffer += text;
    if (this.#config.mode !== 'server_commit') return;
    const { sentences, rest } = splitSentences(this.#buffer);
    this.#buffer = rest;
    if (sentences.length > 0) this.#segmentedSinceCommit = true;
    for (const sentence of sentences) this.#enqueue(sentence);
  }

  #commit(): void {
    const text = this.#buffer.trim();
    if (text === '' && !this.#segmentedSinceCommit) return this.#error(INVALID_VALUE, REALTIME_ERRORS.emptyCommit);
    this.send({ type: 'input_text_buffer.committed', item_id: '' });
    this.#buffer = '';
    this.#segmentedSinceCommit = false;
    if (text !== '') this.#enqueue(text);
  }

  #clear(): void {
    this.#buffer = '';
    this.#segmentedSinceCommit = false;
    this.send({ type: 'input_text_buffer.cleared' });
  }

  #finish(): void {
    this.#state = 'finishing';
    const text = this.#buffer.trim();
    this.#buffer = '';
    if (text !== '') this.#enqueue(text);
    else this.#next();
  }

  #enqueue(text: string): void {
    this.#queue.push(text);
    this.#next();
  }

  /** Starts the next queued response, or ends a finishing session once the queue is empty. */
  #next(): void {
    if (this.#running || this.#state === 'stalled' || this.#state === 'closed') return;
    const text = this.#queue.shift();
    if (text === undefined) return this.#endIfFinishing();
    const { voice, sample_rate: sampleRate } = this.#config;
    const problem = isDesignedVoiceModel(this.#model) ? voiceProblem(this.ctx, this.#model, voice) : null;
    if (problem !== null) {
      this.#error(VOICE_ERROR_CODES.realtime, problem);
      return this.#next();
    }
    this.#running = true;
    new ResponseRun(this, { text, voice, sampleRate }, () => {
      this.#running = false;
      this.#armIdle();
      this.#next();
    }).start();
  }

  #endIfFinishing(): void {
    if (this.#state !== 'finishing') return;
    this.#state = 'finished';
    this.send({ type: 'session.finished' });
    this.#ws.close(1000);
  }

  #onClose(): void {
    clearTimeout(this.#idleTimer);
    this.#state = 'closed';
    this.#queue = [];
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = null;
  }
}
