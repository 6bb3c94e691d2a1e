/**
 * Realtime sessions kept open per (model, voice, language), reused for consecutive utterances.
 * @remarks DashScope allows 180 new realtime sessions per minute per account, shared by every server
 * (spec §1.9), and each new session costs a handshake. A session carries one response per commit, so an
 * idle session is kept for `warmIdleMs` and then closed gracefully (`session.finish`). The window is meant to run
 * from the end of playback: a session released while its audio still plays is held that much longer, and
 * {@link SessionPool.touch} restarts the window when playback ends. The next utterance in a voice whose session
 * is still held waits for that session ({@link SessionPool.next}) rather than opening a second one.
 */
import { RealtimeSession, type SessionTarget, sessionKey } from '../dashscope/realtime/session.ts';
import type { TtsTimeouts } from '../dashscope/timeouts.ts';

/** Counters of sessions over the pool's life. */
export interface PoolCounters {
  /** Sockets opened (handshakes paid), prewarmed ones included. */
  sessionsOpened: number;
  /** Sessions that ended with `session.finished` (graceful close). */
  sessionsFinished: number;
  /** Sessions that ended any other way (failure, abort, discard). */
  sessionsDiscarded: number;
  /** Sessions opened by `prewarm`. */
  prewarmed: number;
}

/** Open sessions: idle ones by key (with their idle timers), plus every live one for `closeAll`. */
export class SessionPool {
  readonly counters: PoolCounters = { sessionsOpened: 0, sessionsFinished: 0, sessionsDiscarded: 0, prewarmed: 0 };
  readonly #timeouts: TtsTimeouts;
  readonly #warmIdleMs: number;
  readonly #idle = new Map<string, Set<RealtimeSession>>();
  readonly #timers = new Map<RealtimeSession, NodeJS.Timeout>();
  readonly #live = new Set<RealtimeSession>();
  /** Utterances waiting for the held session of their key, first come first served. */
  readonly #waiting = new Map<string, ((session: RealtimeSession | undefined) => void)[]>();
  /** New sessions being admitted (waiting for the account's budget), by key. */
  readonly #opening = new Map<string, number>();
  #closed = false;

  constructor(timeouts: TtsTimeouts, warmIdleMs: number) {
    this.#timeouts = timeouts;
    this.#warmIdleMs = warmIdleMs;
  }

  /** Sessions currently open (connecting, idle or speaking). */
  get openCount(): number {
    return this.#live.size;
  }

  /** Claims an idle session for `target`: a ready one first, else one still connecting (prewarmed). */
  take(target: SessionTarget): RealtimeSession | undefined {
    const idle = this.#idle.get(sessionKey(target));
    if (idle === undefined) return undefined;
    const sessions = [...idle];
    const session = sessions.find((s) => s.state === 'ready') ?? sessions.find((s) => s.state === 'connecting');
    if (session !== undefined) this.#unpark(session);
    return session;
  }

  /** Whether an utterance holds a session for `target` (or is opening one): the next one should wait for it. */
  held(target: SessionTarget): boolean {
    return this.#held(sessionKey(target));
  }

  /**
   * Waits for the session another utterance in `target`'s voice and settings holds, so this one follows it on the
   * same socket; `undefined` when none is held, or once the held one ends (or is never opened) instead of coming
   * back.
   * @remarks The holder gives its session back when its last audio has been read, seconds before that audio has
   * played, so the next utterance's audio still arrives in time. A holder that is stopped or fails closes its
   * session, and the waiter opens a new one.
   * @throws the signal's reason when it aborts first.
   */
  next(target: SessionTarget, signal: AbortSignal): Promise<RealtimeSession | undefined> {
    const key = sessionKey(target);
    if (this.#closed || !this.#held(key)) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const queue = this.#waiting.get(key) ?? [];
      this.#waiting.set(key, queue);
      const onAbort = (): void => {
        queue.splice(queue.indexOf(waiter), 1);
        if (queue.length === 0) this.#waiting.delete(key);
        reject(signal.reason);
      };
      const waiter = (session: RealtimeSession | undefined): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(session);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  }

  /**
   * Marks `target`'s key held while a new session for it waits for the account's budget, so an utterance arriving
   * meanwhile waits for it too; call the returned function once the session is open, or will not be.
   */
  opening(target: SessionTarget): () => void {
    const key = sessionKey(target);
    this.#opening.set(key, (this.#opening.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#opening.get(key) ?? 1) - 1;
      if (left > 0) this.#opening.set(key, left);
      else this.#opening.delete(key);
      this.#wakeIfFree(key);
    };
  }

  /** Opens a new session for `target`, claimed by the caller. */
  open(target: SessionTarget): RealtimeSession {
    const session = new RealtimeSession(target, this.#timeouts, (ended) => this.#forget(ended));
    this.#live.add(session);
    this.counters.sessionsOpened += 1;
    return session;
  }

  /**
   * Opens an idle session for `target` unless one is already open for it; returns whether it did.
   * @remarks An idle one that is already open gets a fresh idle window (see {@link SessionPool.touch}).
   */
  prewarm(target: SessionTarget): boolean {
    const key = sessionKey(target);
    this.touch(target);
    if (this.#closed || [...this.#live].some((s) => s.key === key && s.state !== 'finishing')) return false;
    this.#park(this.open(target));
    this.counters.prewarmed += 1;
    return true;
  }

  /**
   * Returns a claimed session after its utterance: kept (handed to the next utterance waiting for it, else idle) when
   * ready and no other is idle for its key.
   * @remarks While an utterance waits for a key, no session of that key is idle: {@link SessionPool.next} waits only
   * when none is, and every session parked since went to a waiter.
   * @param holdMs added to the idle window once: the audio of the utterance that may still be playing.
   */
  release(session: RealtimeSession, holdMs = 0): void {
    const idle = this.#idle.get(session.key);
    const spare = idle !== undefined && [...idle].some((s) => s.state === 'ready');
    if (this.#closed || session.state !== 'ready' || spare) void session.finish();
    else this.#park(session, holdMs);
  }

  /** Restarts the idle window of the idle sessions for `target` (playback ended); returns whether there was one. */
  touch(target: SessionTarget): boolean {
    const idle = this.#idle.get(sessionKey(target));
    if (idle === undefined) return false;
    for (const session of idle) this.#arm(session, 0);
    return true;
  }

  /** Ends every session (idle ones gracefully) and resolves when all sockets are gone. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    const sessions = [...this.#live];
    await Promise.all(sessions.map((session) => session.finish()));
  }

  /** Keeps `session` for its key: handed to the first utterance waiting for it, else idle. */
  #park(session: RealtimeSession, holdMs = 0): void {
    const key = session.key;
    if (this.#handOver(session)) return;
    let idle = this.#idle.get(key);
    if (idle === undefined) {
      idle = new Set();
      this.#idle.set(key, idle);
    }
    idle.add(session);
    this.#arm(session, holdMs);
  }

  #arm(session: RealtimeSession, holdMs: number): void {
    clearTimeout(this.#timers.get(session));
    const timer = setTimeout(() => {
      this.#unpark(session);
      void session.finish();
    }, this.#warmIdleMs + holdMs);
    this.#timers.set(session, timer);
  }

  #unpark(session: RealtimeSession): void {
    clearTimeout(this.#timers.get(session));
    this.#timers.delete(session);
    const key = session.key;
    const idle = this.#idle.get(key);
    idle?.delete(session);
    if (idle?.size === 0) this.#idle.delete(key);
  }

  /** Gives `session` to the first utterance waiting for its key; returns whether there was one. */
  #handOver(session: RealtimeSession): boolean {
    const queue = this.#waiting.get(session.key);
    const waiter = queue?.shift();
    if (queue?.length === 0) this.#waiting.delete(session.key);
    waiter?.(session);
    return waiter !== undefined;
  }

  /** Whether an utterance holds a live session for `key` (claimed, not idle, not ending) or is opening one. */
  #held(key: string): boolean {
    if (this.#opening.has(key)) return true;
    const idle = this.#idle.get(key);
    return [...this.#live].some(
      (s) => s.key === key && !idle?.has(s) && s.state !== 'finishing' && s.state !== 'closed',
    );
  }

  /** Utterances waiting for `key` open their own sessions once nothing holds it. */
  #wakeIfFree(key: string): void {
    if (!this.#closed && this.#held(key)) return;
    for (const waiter of this.#waiting.get(key)?.splice(0) ?? []) waiter(undefined);
    this.#waiting.delete(key);
  }

  #forget(session: RealtimeSession): void {
    this.#unpark(session);
    this.#live.delete(session);
    this.#wakeIfFree(session.key);
    if (session.finishedGracefully) this.counters.sessionsFinished += 1;
    else this.counters.sessionsDiscarded += 1;
  }
}
