/**
 * Waiting for DashScope's account-wide budget: new sessions wait (bounded) rather than fail, `/say` first.
 * @remarks One pump per process takes points from the shared {@link SessionBudget} for the waiters in priority
 * order. Across processes, narration leaves a small reserve of the minute to `/say` (`sayReserve`), so a member's
 * command is heard even while another process's narration has used the rest.
 */
import { UserError } from '../errors.ts';
import type { SessionBudget } from './sessionBudget.ts';

/** Who waits: a member's `/say` (first), narration, or a background pre-warm (never waits). */
export type AdmissionPriority = 'say' | 'narration';

/** What the limiter did, for logs and metrics. */
export interface LimiterCounters {
  /** Points granted. */
  admitted: number;
  /** Grants that had to wait. */
  waited: number;
  /** Waiters refused because their wait would have passed the bound. */
  refused: number;
  /** Handshakes DashScope refused with 429 (the caller waits and retries). */
  throttled: number;
  /** Redis failures (each answered by the in-memory budget). */
  storeErrors: number;
}

/** Told of every grant that waited and every refusal (the metrics helper reads these). */
export interface LimiterObserver {
  waited?(priority: AdmissionPriority, ms: number): void;
  refused?(priority: AdmissionPriority): void;
  throttled?(): void;
}

/** Options of {@link AccountLimiter}. */
export interface AccountLimiterOptions {
  /** Longest wait for a point, ms; a waiter that would wait longer fails with {@link LimitWaitTooLong}. */
  maxWaitMs: number;
  /** Points of the minute narration leaves for `/say`; default a tenth of the minute. */
  sayReserve?: number;
  /** What a point buys, for the member's message: "new voice sessions" (default) or "voice designs". */
  unit?: string;
  observer?: LimiterObserver;
}

/** A wait for the budget that would pass `maxWaitMs`: said once to the member, never dropped silently. */
export class LimitWaitTooLong extends UserError {
  constructor(perMinute: number, maxWaitMs: number, unit = 'new voice sessions') {
    super(
      'quota_full',
      `The voice service allows ${perMinute} ${unit} a minute for every server this bot is on, and ` +
        `they are all in use: this would have waited over ${Math.round(maxWaitMs / 1000)} s. Try again in a minute.`,
    );
  }
}

interface Waiter {
  priority: AdmissionPriority;
  since: number;
  deadline: number;
  resolve(waitedMs: number): void;
  reject(error: unknown): void;
}

/** The per-process queue in front of a shared budget. */
export class AccountLimiter {
  readonly budget: SessionBudget;
  readonly #options: Required<Omit<AccountLimiterOptions, 'observer'>> & { observer: LimiterObserver };
  readonly #waiters: Waiter[] = [];
  readonly #counts = { admitted: 0, waited: 0, refused: 0, throttled: 0 };
  #pausedUntil = 0;
  #pumping = false;
  #wake: (() => void) | undefined;

  constructor(budget: SessionBudget, options: AccountLimiterOptions) {
    this.budget = budget;
    const sayReserve = options.sayReserve ?? Math.floor(budget.limits.perMinute / 10);
    const { maxWaitMs, unit = 'new voice sessions', observer = {} } = options;
    this.#options = { maxWaitMs, sayReserve, unit, observer };
  }

  /** What this limiter did so far (a snapshot). */
  get counters(): LimiterCounters {
    return { ...this.#counts, storeErrors: this.budget.storeErrors };
  }

  /** Waiters in this process. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves with the time waited, ms, once a point is taken for the caller.
   * @param since When the caller's wait began (`performance.now()`), if before this call: a retry keeps its bound.
   * @throws LimitWaitTooLong when the wait would pass `maxWaitMs`; the abort reason when `signal` aborts.
   */
  admit(priority: AdmissionPriority, signal?: AbortSignal, since = performance.now()): Promise<number> {
    signal?.throwIfAborted();
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    const waiter: Waiter = { priority, since, deadline: since + this.#options.maxWaitMs, resolve, reject };
    const onAbort = (): void => this.#drop(waiter, signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    void promise.finally(() => signal?.removeEventListener('abort', onAbort)).catch(() => {});
    const at = priority === 'say' ? this.#waiters.findIndex((w) => w.priority !== 'say') : -1;
    this.#waiters.splice(at === -1 ? this.#waiters.length : at, 0, waiter);
    this.#wake?.();
    void this.#pump();
    return promise;
  }

  /** A point now if one is free above the `/say` reserve, without waiting; for pre-warming. */
  async tryAdmit(): Promise<boolean> {
    if (this.#waiters.length > 0 || performance.now() < this.#pausedUntil) return false;
    const take = await this.budget.take(this.#options.sayReserve);
    if (take.granted) this.#counts.admitted += 1;
    return take.granted;
  }

  /** DashScope refused a handshake with 429: nobody in this process takes a point for `ms`. */
  throttled(ms: number): void {
    this.#counts.throttled += 1;
    this.#options.observer.throttled?.();
    this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + ms);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let head = this.#waiters[0]; head !== undefined; head = this.#waiters[0]) {
        const now = performance.now();
        if (now < this.#pausedUntil) {
          this.#refuseBefore(this.#pausedUntil);
          await this.#sleep(this.#pausedUntil - now);
          continue;
        }
        const take = await this.budget.take(head.priority === 'say' ? 0 : this.#options.sayReserve);
        if (take.granted) this.#grant(head);
        else {
          const freeAt = performance.now() + take.retryInMs;
          this.#refuseBefore(freeAt);
          if (this.#waiters.length > 0) await this.#sleep(take.retryInMs);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #grant(waiter: Waiter): void {
    this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
    const waitedMs = performance.now() - waiter.since;
    this.#counts.admitted += 1;
    if (waitedMs >= 1) {
      this.#counts.waited += 1;
      this.#options.observer.waited?.(waiter.priority, waitedMs);
    }
    waiter.resolve(waitedMs);
  }

  /** Refuses every waiter whose deadline comes before `freeAt`: it would wait too long. */
  #refuseBefore(freeAt: number): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.deadline >= freeAt) continue;
      this.#counts.refused += 1;
      this.#options.observer.refused?.(waiter.priority);
      const { maxWaitMs, unit } = this.#options;
      this.#drop(waiter, new LimitWaitTooLong(this.budget.limits.perMinute, maxWaitMs, unit));
    }
  }

  #drop(waiter: Waiter, reason: unknown): void {
    const at = this.#waiters.indexOf(waiter);
    if (at === -1) return;
    this.#waiters.splice(at, 1);
    waiter.reject(reason);
    this.#wake?.();
  }

  /** Sleeps `ms`, or less when a waiter arrives or leaves (a `/say` may now go first, or nobody waits). */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.#wake = done;
    });
  }
}
