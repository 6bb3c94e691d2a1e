/**
 * Realtime sessions kept open per (model, voice, language), reused for consecutive utterances.
 * @remarks DashScope allows 180 new realtime sessions per minute per account, shared by every server
 * (spec §1.9), and each new session costs a handshake. A session carries one response per commit, so an
 * idle session is kept for `warmIdleMs` and then closed gracefully (`session.finish`). The window is meant to run
 * from the end of playback: a session released while its audio still plays is held that much longer, and
 * {@link SessionPool.touch} restarts the window when playback ends.
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
   * Returns a claimed session after its utterance: kept idle when ready and no other is idle for its key.
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

  #park(session: RealtimeSession, holdMs = 0): void {
    const key = session.key;
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

  #forget(session: RealtimeSession): void {
    this.#unpark(session);
    this.#live.delete(session);
    if (session.finishedGracefully) this.counters.sessionsFinished += 1;
    else this.counters.sessionsDiscarded += 1;
  }
}
