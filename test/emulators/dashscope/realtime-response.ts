/**
 * One realtime response: the event sequence of spec §1.5, paced audio deltas, and the per-delta faults.
 * @remarks The audio is {@link synthesizePcm} of the response's text in the session's voice, so a test can
 * tell which text was spoken. Delta k leaves at `firstPacketDelayMs + audioBefore(k) * realTimeFactor`
 * after `response.created`.
 */
import { billableCharacters, bytesPerMs, synthesizePcm } from './audio.ts';
import { realtimeId } from './ids.ts';
import type { EmulatorContext, RealtimeFaults } from './state.ts';

/** A fault that ends the session's normal flow. */
export type SessionFault = 'error' | 'drop' | 'stall';

/** What a response needs from the session that runs it. */
export interface ResponseHost {
  readonly ctx: EmulatorContext;
  /** Sends a server event (the host adds `event_id`); a no-op once the socket is gone. */
  send(event: Record<string, unknown>): void;
  /** Sends a small binary frame (the `binaryFrames` fault). */
  sendBinary(): void;
  /** Runs `fn` after `ms` (≤ 0: on the next turn); cancelled when the socket closes. */
  schedule(ms: number, fn: () => void): void;
  /** A delta fault fired; the host sends the error, drops or stalls. */
  fault(kind: SessionFault): void;
}

/** What the response says and how. */
export interface ResponseSpec {
  text: string;
  voice: string;
  sampleRate: number;
}

interface ResponseFlags {
  reorder: boolean;
  binary: boolean;
  oddLength: boolean;
}

/** Takes the boolean response faults (they apply to one whole response, then reset). */
function claimFlags(faults: RealtimeFaults): ResponseFlags {
  const flags = { reorder: faults.reorderDoneEvents, binary: faults.binaryFrames, oddLength: faults.oddLengthDeltas };
  faults.reorderDoneEvents = false;
  faults.binaryFrames = false;
  faults.oddLengthDeltas = false;
  return flags;
}

/** Takes the delta fault that is due after `sent` deltas, if any (it then resets). */
function takeDeltaFault(faults: RealtimeFaults, sent: number): SessionFault | null {
  if (faults.dropAfterDeltas === sent) {
    faults.dropAfterDeltas = null;
    return 'drop';
  }
  if (faults.stallAfterDeltas === sent) {
    faults.stallAfterDeltas = null;
    return 'stall';
  }
  if (faults.errorAfterDeltas === sent) {
    faults.errorAfterDeltas = null;
    return 'error';
  }
  return null;
}

/** Splits `pcm` into deltas of `chunkBytes`, or alternately one byte longer and shorter (odd lengths). */
export function chunkPcm(pcm: Buffer, chunkBytes: number, oddLengths: boolean): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0, i = 0; offset < pcm.length; i++) {
    const size = oddLengths ? chunkBytes + (i % 2 === 0 ? 1 : -1) : chunkBytes;
    chunks.push(pcm.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

/** Runs one response on `host`, then calls `onDone` (not called when a fault ends the session). */
export class ResponseRun {
  readonly #host: ResponseHost;
  readonly #spec: ResponseSpec;
  readonly #onDone: () => void;
  readonly #flags: ResponseFlags;
  readonly #ids = { response: realtimeId('resp'), item: realtimeId('item') };
  #chunks: Buffer[] = [];
  #sent = 0;
  #bytesSent = 0;
  #startedAt = 0;

  constructor(host: ResponseHost, spec: ResponseSpec, onDone: () => void) {
    this.#host = host;
    this.#spec = spec;
    this.#onDone = onDone;
    this.#flags = claimFlags(host.ctx.faults.realtime);
  }

  /** Sends the opening events and schedules the first delta. */
  start(): void {
    const { chunkMs, firstPacketDelayMs } = this.#host.ctx.options.realtime;
    const pcm = synthesizePcm(this.#spec.text, this.#spec.voice, this.#spec.sampleRate);
    this.#chunks = chunkPcm(pcm, bytesPerMs(chunkMs, this.#spec.sampleRate), this.#flags.oddLength);
    this.#startedAt = performance.now();
    this.#emit({ type: 'response.created', response: this.#response('in_progress', []) });
    this.#emit({
      type: 'response.output_item.added',
      response_id: this.#ids.response,
      output_index: 0,
      item: this.#item('in_progress', []),
    });
    this.#emit({ type: 'response.content_part.added', ...this.#part(), part: { type: 'audio', text: '' } });
    this.#host.schedule(firstPacketDelayMs, () => this.#pump());
  }

  #pump(): void {
    const fault = takeDeltaFault(this.#host.ctx.faults.realtime, this.#sent);
    if (fault !== null) return this.#host.fault(fault);
    const chunk = this.#chunks[this.#sent];
    if (chunk === undefined) return this.#finish();
    this.#emit({ type: 'response.audio.delta', ...this.#part(), delta: chunk.toString('base64') });
    this.#sent += 1;
    this.#bytesSent += chunk.length;
    const { realTimeFactor, firstPacketDelayMs } = this.#host.ctx.options.realtime;
    const audioMs = (this.#bytesSent / 2 / this.#spec.sampleRate) * 1000;
    const due = this.#startedAt + firstPacketDelayMs + audioMs * realTimeFactor;
    this.#host.schedule(due - performance.now(), () => this.#pump());
  }

  #finish(): void {
    const audioDone = { type: 'response.audio.done', ...this.#part() };
    const partDone = { type: 'response.content_part.done', ...this.#part(), part: { type: 'audio', text: '' } };
    const itemDone = {
      type: 'response.output_item.done',
      response_id: this.#ids.response,
      output_index: 0,
      item: this.#item('completed', [{ type: 'audio', text: '' }]),
    };
    const order = this.#flags.reorder ? [partDone, itemDone, audioDone] : [audioDone, partDone, itemDone];
    for (const event of order) this.#emit(event);
    const output = [this.#item('completed', [{ type: 'audio', transcript: '' }])];
    const response = { ...this.#response('completed', output), modalities: ['text', 'audio'] };
    this.#emit({
      type: 'response.done',
      response: { ...response, usage: { characters: billableCharacters(this.#spec.text) } },
    });
    this.#onDone();
  }

  #emit(event: Record<string, unknown>): void {
    if (this.#flags.binary) this.#host.sendBinary();
    this.#host.send(event);
  }

  #response(status: string, output: unknown[]): Record<string, unknown> {
    return {
      id: this.#ids.response,
      object: 'realtime.response',
      conversation_id: '',
      status,
      voice: this.#spec.voice,
      output,
    };
  }

  #item(status: string, content: unknown[]): Record<string, unknown> {
    return { id: this.#ids.item, object: 'realtime.item', type: 'message', status, role: 'assistant', content };
  }

  #part(): Record<string, unknown> {
    return { response_id: this.#ids.response, item_id: this.#ids.item, output_index: 0, content_index: 0 };
  }
}
