/**
 * Opening a new realtime session within DashScope's account-wide budget (see `AccountLimiter`).
 * @remarks A handshake DashScope still refuses with 429 (another bot on the key, a window that slid differently,
 * Redis down) is waited out and retried within the same bound, so a throttled handshake never loses an utterance.
 */
import type { AccountLimiter, AdmissionPriority } from '../dashscope/accountLimiter.ts';
import { DashScopeError } from '../dashscope/errors.ts';
import type { RealtimeSession } from '../dashscope/realtime/session.ts';

/** First pause after a handshake refused with 429, ms; doubled on each refusal. */
export const THROTTLED_PAUSE_MS = 1_000;
/** Longest pause after a refused handshake, ms. */
const THROTTLED_PAUSE_MAX_MS = 8_000;

/** A ready session and the time the limiter (and any 429) made the utterance wait, ms. */
export interface Admitted {
  session: RealtimeSession;
  waitedMs: number;
}

/**
 * Takes a point from `limiter`, opens a session with `open` and waits until it is ready.
 * @param hold Receives every session opened, so the caller's abort can reach it.
 * @throws LimitWaitTooLong when the bound passes; any other set-up failure as is.
 */
export async function openAdmitted(
  open: () => RealtimeSession,
  limiter: AccountLimiter | undefined,
  priority: AdmissionPriority,
  signal: AbortSignal,
  hold: (session: RealtimeSession) => void,
): Promise<Admitted> {
  const since = performance.now();
  let waitedMs = 0;
  for (let refusals = 0; ; refusals += 1) {
    if (limiter !== undefined) waitedMs = await limiter.admit(priority, signal, since);
    const session = open();
    hold(session);
    try {
      await session.ready;
      return { session, waitedMs };
    } catch (error) {
      if (limiter === undefined || !isRateRefusal(error)) throw error;
      limiter.throttled(Math.min(THROTTLED_PAUSE_MS * 2 ** refusals, THROTTLED_PAUSE_MAX_MS));
    }
  }
}

/** A 429 that clears by itself (rate or burst), not a spent quota or an unpaid bill. */
export function isRateRefusal(error: unknown): boolean {
  if (!(error instanceof DashScopeError) || error.status !== 429) return false;
  return error.code === 'Throttling' || error.code === 'Throttling.RateQuota' || error.code === 'Throttling.BurstRate';
}
