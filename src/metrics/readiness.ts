import type Keyv from 'keyv';
import { withTimeout } from './collectors.ts';

/** Longest `/readyz` waits for the store to answer, ms. */
export const STORE_CHECK_TIMEOUT_MS = 1_000;

/** Whether the bot can take work: each check that failed names itself. */
export type Readiness = { ready: true } | { ready: false; failing: Array<'gateway' | 'store'> };

/** What readiness is made of. */
export interface ReadinessChecks {
  /** Every gateway shard of this process is connected and ready. */
  gatewayReady(): boolean;
  /** The store answers a read in time. */
  storeReachable(): Promise<boolean>;
}

/** Runs both checks. */
export async function checkReadiness(checks: ReadinessChecks): Promise<Readiness> {
  const gateway = checks.gatewayReady();
  const store = await checks.storeReachable().catch(() => false);
  if (gateway && store) return { ready: true };
  const failing: Array<'gateway' | 'store'> = [];
  if (!gateway) failing.push('gateway');
  if (!store) failing.push('store');
  return { ready: false, failing };
}

/**
 * Whether the store answers a read of an absent key within {@link STORE_CHECK_TIMEOUT_MS}.
 * @remarks A read, not a write: a probe must not change what it probes. A Redis client that queues commands
 * while disconnected would never answer; the timeout turns that into "unreachable".
 */
export async function storeReachable(keyv: Keyv, timeoutMs = STORE_CHECK_TIMEOUT_MS): Promise<boolean> {
  const answer = keyv.get('voicebot:readyz').then(
    () => true,
    () => false,
  );
  return (await withTimeout(answer, timeoutMs)) ?? false;
}
