/**
 * The account's realtime session rate limit (spec §1.9: 180 RPM for the TTS realtime models), across every
 * connection with one API key: past it the upgrade is refused with HTTP 429 `Throttling.RateQuota`.
 * @remarks DashScope does not document the window; a sliding one is the strictest reading, so the emulator
 * counts accepted handshakes in the last `windowMs`. Refused handshakes do not count (INFERRED). The optional
 * burst rule refuses with `Throttling.BurstRate` ("Request rate increased too quickly", spec §4) past
 * `perSecond` handshakes in the last second.
 */
import type { EmulatorContext } from './state.ts';

/** The limit; 0 switches a rule off. */
export interface SessionLimit {
  /** Sessions per `windowMs` per API key (DashScope: 180 a minute); 0: unlimited. */
  perMinute: number;
  /** Handshakes per second before a `Throttling.BurstRate` refusal; 0: no burst rule. */
  perSecond: number;
  /** Length of the `perMinute` window, ms (60 000; tests shorten it). */
  windowMs: number;
}

/** Off by default, as DashScope's limit is not something every test wants to meet. */
export const DEFAULT_SESSION_LIMIT: Readonly<SessionLimit> = Object.freeze({
  perMinute: 0,
  perSecond: 0,
  windowMs: 60_000,
});

/** Bodies of the two refusals. INFERRED from spec §4's table (the handshake body is UNKNOWN, §1.10). */
export const SESSION_LIMIT_REFUSALS = {
  rate: { code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' },
  burst: { code: 'Throttling.BurstRate', message: 'Request rate increased too quickly, please try again later.' },
} as const;

/** What the limit saw, for tests and benchmarks. */
export interface SessionLimitStats {
  accepted: number;
  refusedRate: number;
  refusedBurst: number;
}

interface LimitState {
  /** Accepted handshake times per API key, oldest first. */
  starts: Map<string, number[]>;
  stats: SessionLimitStats;
}

const states = new WeakMap<EmulatorContext, LimitState>();

function stateOf(ctx: EmulatorContext): LimitState {
  let state = states.get(ctx);
  if (state === undefined) {
    state = { starts: new Map(), stats: { accepted: 0, refusedRate: 0, refusedBurst: 0 } };
    states.set(ctx, state);
  }
  return state;
}

/** Counts a handshake for `apiKey` at `now`: undefined when accepted, else which rule refused it. */
export function admitSession(ctx: EmulatorContext, apiKey: string, now: number): 'rate' | 'burst' | undefined {
  const { perMinute, perSecond, windowMs } = ctx.options.sessionLimit;
  const state = stateOf(ctx);
  const starts = state.starts.get(apiKey) ?? [];
  while (starts.length > 0 && (starts[0] as number) <= now - windowMs) starts.shift();
  if (perMinute > 0 && starts.length >= perMinute) {
    state.stats.refusedRate += 1;
    return 'rate';
  }
  if (perSecond > 0 && starts.filter((at) => at > now - 1_000).length >= perSecond) {
    state.stats.refusedBurst += 1;
    return 'burst';
  }
  starts.push(now);
  state.starts.set(apiKey, starts);
  state.stats.accepted += 1;
  return undefined;
}

/** Counts of accepted and refused handshakes since the start or the last {@link resetSessionLimit}. */
export function sessionLimitStats(ctx: EmulatorContext): SessionLimitStats {
  return { ...stateOf(ctx).stats };
}

/** Forgets every counted handshake. */
export function resetSessionLimit(ctx: EmulatorContext): void {
  states.delete(ctx);
}
