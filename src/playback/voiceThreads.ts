import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DiscordGatewayAdapterCreator, DiscordGatewayAdapterImplementerMethods } from '@discordjs/voice';
import { BYTES_PER_SAMPLE, TTS_SAMPLE_RATE_HZ } from '../audio/formats.ts';
import { abortable } from '../audio/pipeline.ts';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { OpusComplexitySetting } from './opusComplexity.ts';
import { Outbox } from './outbox.ts';
import type { JoinVoice, VoiceSink } from './voiceSink.ts';
import type { FromVoiceThread, ToVoiceThread, VoiceThreadData, VoiceTiming } from './voiceThreadProtocol.ts';

/** PCM sent to a voice thread per message and stream, ms of speech. */
export const PCM_SLICE_MS = 100;
/**
 * PCM a stream may have in its voice thread ahead of the encoder, ms of speech: enough to ride out a busy main
 * thread (the thread credits each slice back as it encodes it), small enough to hold no backlog.
 */
export const PCM_WINDOW_MS = 400;
const bytesOf = (ms: number): number => (ms * TTS_SAMPLE_RATE_HZ * BYTES_PER_SAMPLE) / 1000;
const SLICE_BYTES = bytesOf(PCM_SLICE_MS);
const WINDOW_BYTES = bytesOf(PCM_WINDOW_MS);
/** How long a stopping bot waits for its voice threads to leave their channels, ms. */
const LEAVE_GRACE_MS = 2_000;
const THREAD_URL = new URL('./voiceThread.ts', import.meta.url);

export interface VoiceThreadsOptions {
  /** The guild's gateway adapter (discord.js's `guild.voiceAdapterCreator`); `undefined`: the bot is not in it. */
  adapterFor(guildId: string): DiscordGatewayAdapterCreator | undefined;
  log: Logger;
  /** A played stream's first packet went to its connection (the `/say` → first packet latency ends there). */
  onFirstPacket?(guildId: string): void;
  /** How each thread kept time over each second: its loop delay, the frames its cycle took and how many late. */
  onTiming?(timing: VoiceTiming): void;
  /** Threads to spread connections over; defaults to the machine's available parallelism. */
  threads?: number;
  /** Opus complexity of every stream, or `auto` (the default): see `OpusComplexityGovernor`. */
  opusComplexity?: OpusComplexitySetting;
  /**
   * PEM certificates the voice threads trust besides the process's defaults.
   * @remarks For a bot embedded in a process that trusts a certificate in-process (a bench against the loopback
   * voice gateway): `tls.setDefaultCACertificates` does not reach worker threads. A bot process takes
   * `NODE_EXTRA_CA_CERTS`, which does.
   */
  trustedCertificates?: readonly string[];
}

interface Thread {
  worker: Worker;
  outbox: Outbox<ToVoiceThread>;
  connections: number;
}

/** One join, from `join` until its voice thread has released the adapter and said it is gone. */
interface Connection {
  thread: Thread;
  guildId: string;
  adapter: DiscordGatewayAdapterImplementerMethods;
  joined: { resolve(): void; reject(error: Error): void } | undefined;
  onGone(): void;
}

/** One `play`: PCM in flight to the thread, the pump waiting for credit, and how it settles. */
interface Stream {
  thread: Thread;
  guildId: string;
  inFlight: number;
  credit: (() => void) | undefined;
  settled: boolean;
  failure: { error: unknown } | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Voice connections hosted on a pool of worker threads, so the per-packet work of every speaking guild — Opus
 * encoding, DAVE and transport encryption, the UDP send, the 20 ms player — runs on every core, and the main thread
 * only relays gateway events and PCM.
 * @remarks Each connection lives in one thread (`voiceThread.ts`) for its whole life, and a guild keeps its thread
 * while a connection of it is still leaving, so its gateway payloads keep their order. A new guild goes to the thread
 * with the fewest connections. discord.js stays here: each connection's gateway adapter is created on this thread and
 * relayed both ways. PCM goes over in {@link PCM_SLICE_MS} slices, at most {@link PCM_WINDOW_MS} ahead of the thread's
 * encoder; messages to and from a thread carry everything queued at that moment (see {@link Outbox}). Hand-written
 * over `worker_threads`, not a task pool such as piscina: a connection is a long-lived stateful resource pinned to one
 * thread, not a task any free thread may run.
 */
export class VoiceThreads {
  readonly #options: VoiceThreadsOptions;
  readonly #size: number;
  readonly #threads: Thread[] = [];
  readonly #connections = new Map<number, Connection>();
  readonly #streams = new Map<number, Stream>();
  #next = 1;
  #closed = false;

  constructor(options: VoiceThreadsOptions) {
    const size = options.threads ?? availableParallelism();
    if (!(size >= 1)) throw new RangeError(`threads must be at least 1, got ${size}`);
    this.#options = options;
    this.#size = size;
  }

  /** Voice connections joining, in a channel or leaving, across all threads. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Threads running now. */
  get threads(): number {
    return this.#threads.length;
  }

  /** Joins a channel on a voice thread; the playback layer's {@link JoinVoice}. */
  readonly joinVoice: JoinVoice = async (guildId, channelId, onGone) => {
    if (this.#closed) throw new UserError('conflict', 'The bot is shutting down.');
    const adapterCreator = this.#options.adapterFor(guildId);
    if (adapterCreator === undefined) throw new UserError('not_found', 'The bot is not in that server any more.');
    const thread = this.#threadFor(guildId);
    const conn = this.#next++;
    const joined = new Promise<void>((resolve, reject) => {
      const adapter = adapterCreator({
        onVoiceServerUpdate: (data) => thread.outbox.post({ op: 'server-update', conn, data }, true),
        onVoiceStateUpdate: (data) => thread.outbox.post({ op: 'state-update', conn, data }, true),
        destroy: () => thread.outbox.post({ op: 'adapter-gone', conn }, true),
      });
      this.#connections.set(conn, { thread, guildId, adapter, joined: { resolve, reject }, onGone });
    });
    thread.connections += 1;
    thread.outbox.post({ op: 'join', conn, guildId, channelId }, true);
    await joined;
    return this.#sink(conn, thread, guildId);
  };

  /** Leaves every channel (each thread sends its leave payloads, up to a grace time), then stops the threads. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const [conn, connection] of this.#connections) connection.thread.outbox.post({ op: 'leave', conn }, true);
    const deadline = performance.now() + LEAVE_GRACE_MS;
    while (this.#connections.size > 0 && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all(this.#threads.map((thread) => this.#stop(thread)));
  }

  #sink(conn: number, thread: Thread, guildId: string): VoiceSink {
    return {
      play: (pcm, signal) => this.#play(conn, thread, guildId, pcm, signal),
      destroy: () => thread.outbox.post({ op: 'leave', conn }, true),
    };
  }

  #play(conn: number, thread: Thread, guildId: string, pcm: AsyncIterable<Buffer>, signal: AbortSignal): Promise<void> {
    if (!this.#threads.includes(thread)) return Promise.reject(new Error('the voice thread is gone'));
    const id = this.#next++;
    return new Promise<void>((resolve, reject) => {
      const stream: Stream = {
        thread,
        guildId,
        inFlight: 0,
        credit: undefined,
        settled: false,
        failure: undefined,
        resolve,
        reject,
      };
      this.#streams.set(id, stream);
      thread.outbox.post({ op: 'play', conn, stream: id }, true);
      const onAbort = (): void => thread.outbox.post({ op: 'stop', stream: id }, true);
      signal.addEventListener('abort', onAbort, { once: true });
      void this.#pump(id, stream, pcm, signal).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Sends the stream's PCM as the thread's credit allows, then its end. */
  async #pump(id: number, stream: Stream, pcm: AsyncIterable<Buffer>, signal: AbortSignal): Promise<void> {
    const { outbox } = stream.thread;
    try {
      for await (const chunk of abortable(pcm, signal)) {
        for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
          while (stream.inFlight >= WINDOW_BYTES && !stream.settled)
            await new Promise<void>((resolve) => {
              stream.credit = resolve;
            });
          if (stream.settled || signal.aborted) return;
          const slice = new Uint8Array(chunk.subarray(at, at + SLICE_BYTES));
          stream.inFlight += slice.length;
          outbox.post({ op: 'pcm', stream: id, pcm: slice }, true, slice.buffer);
        }
      }
      outbox.post({ op: 'end', stream: id, failed: false }, true);
    } catch (error) {
      if (signal.aborted || stream.settled) return; // the stop went with the abort
      stream.failure = { error };
      outbox.post({ op: 'end', stream: id, failed: true }, true);
    }
  }

  /** The guild's thread while a connection of it lives; otherwise the one with the fewest, new while below size. */
  #threadFor(guildId: string): Thread {
    for (const connection of this.#connections.values()) if (connection.guildId === guildId) return connection.thread;
    const least = this.#threads.reduce<Thread | undefined>(
      (a, b) => (a === undefined || b.connections < a.connections ? b : a),
      undefined,
    );
    if (least !== undefined && (least.connections === 0 || this.#threads.length >= this.#size)) return least;
    const workerData: VoiceThreadData = {
      logLevel: this.#options.log.level,
      opusComplexity: this.#options.opusComplexity ?? 'auto',
      trustedCertificates: [...(this.#options.trustedCertificates ?? [])],
    };
    const worker = new Worker(THREAD_URL, { workerData });
    const thread: Thread = {
      worker,
      outbox: new Outbox((messages, transfer) => worker.postMessage(messages, transfer), 0),
      connections: 0,
    };
    worker.unref();
    worker.on('message', (messages: readonly FromVoiceThread[]) => {
      for (const message of messages) this.#receive(message);
    });
    worker.on('error', (error) => this.#lose(thread, error));
    worker.on('exit', (code) => this.#lose(thread, new Error(`the voice thread exited (code ${code})`)));
    this.#threads.push(thread);
    return thread;
  }

  #receive(message: FromVoiceThread): void {
    switch (message.op) {
      case 'log':
        this.#options.log[message.level](message.fields, message.msg);
        return;
      case 'taken':
        this.#credit(message.stream, message.bytes);
        return;
      case 'first-packet': {
        const stream = this.#streams.get(message.stream);
        if (stream !== undefined) this.#options.onFirstPacket?.(stream.guildId);
        return;
      }
      case 'played':
        this.#settle(message.stream, message.error);
        return;
      case 'timing': {
        const { loopDelayMaxMs, frames, lateFrames, economyFrames } = message;
        this.#options.onTiming?.({ loopDelayMaxMs, frames, lateFrames, economyFrames });
        return;
      }
      default:
        this.#connectionEvent(message);
    }
  }

  #connectionEvent(message: Extract<FromVoiceThread, { conn: number }>): void {
    const connection = this.#connections.get(message.conn);
    if (connection === undefined) return;
    switch (message.op) {
      case 'gateway':
        if (!connection.adapter.sendPayload(message.payload))
          connection.thread.outbox.post({ op: 'shard-unavailable', conn: message.conn }, true);
        return;
      case 'joined':
        connection.joined?.resolve();
        connection.joined = undefined;
        return;
      case 'join-failed':
        connection.joined?.reject(new UserError('forbidden', message.message));
        this.#forget(message.conn, connection);
        return;
      case 'released':
        this.#release(message.conn, connection);
        return;
      case 'gone':
        this.#forget(message.conn, connection);
        connection.onGone();
    }
  }

  /**
   * Lets discord.js drop the guild's adapter, unless a newer join of the guild has replaced it (discord.js keeps one
   * adapter per guild; a bot that moved channels left the old one after joining the new one).
   */
  #release(conn: number, connection: Connection): void {
    for (const [other, { guildId }] of this.#connections) if (other > conn && guildId === connection.guildId) return;
    connection.adapter.destroy();
  }

  #forget(conn: number, connection: Connection): void {
    if (!this.#connections.delete(conn)) return;
    connection.thread.connections -= 1;
  }

  #credit(id: number, bytes: number): void {
    const stream = this.#streams.get(id);
    if (stream === undefined) return;
    stream.inFlight -= bytes;
    stream.credit?.();
    stream.credit = undefined;
  }

  /** The thread has played the stream out or stopped it; a source failure wins over the thread's own report. */
  #settle(id: number, error: string | undefined): void {
    const stream = this.#streams.get(id);
    if (stream === undefined) return;
    this.#streams.delete(id);
    stream.settled = true;
    stream.credit?.();
    if (stream.failure !== undefined) stream.reject(stream.failure.error);
    else if (error !== undefined) stream.reject(new Error(`voice playback failed: ${error}`));
    else stream.resolve();
  }

  /** A thread failed or exited: its joins and streams fail, its connections are gone. */
  #lose(thread: Thread, error: Error): void {
    const index = this.#threads.indexOf(thread);
    if (index < 0) return;
    this.#threads.splice(index, 1);
    thread.outbox.discard();
    if (!this.#closed) this.#options.log.error({ err: error }, 'voice thread failed; its connections are gone');
    for (const [id, stream] of this.#streams) if (stream.thread === thread) this.#settle(id, error.message);
    for (const [conn, connection] of this.#connections) {
      if (connection.thread !== thread) continue;
      this.#release(conn, connection);
      this.#forget(conn, connection);
      connection.joined?.reject(new UserError('forbidden', 'The voice connection failed. Try /join again.'));
      if (connection.joined === undefined) connection.onGone();
    }
  }

  async #stop(thread: Thread): Promise<void> {
    thread.outbox.flush();
    await thread.worker.terminate();
    this.#lose(thread, new Error('the bot is stopping'));
  }
}
