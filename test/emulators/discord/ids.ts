/**
 * Id helpers of the Discord emulator: numeric snowflakes and url-safe tokens.
 */
import { randomBytes } from 'node:crypto';

/** Discord's epoch (2015-01-01T00:00:00Z), in milliseconds since the Unix epoch. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** Makes strictly increasing snowflakes (timestamp << 22 | worker << 17 | increment). */
export function snowflakeFactory(worker = 1): () => string {
  let lastMs = 0n;
  let increment = 0n;
  return () => {
    let ms = BigInt(Date.now()) - DISCORD_EPOCH_MS;
    if (ms <= lastMs) {
      increment += 1n;
      if (increment > 4095n) {
        lastMs += 1n;
        increment = 0n;
      }
      ms = lastMs;
    } else {
      increment = 0n;
    }
    lastMs = ms;
    return ((ms << 22n) | (BigInt(worker & 31) << 17n) | increment).toString();
  };
}

/** A random url-safe token with a readable prefix, e.g. `itok_…`. */
export function randomToken(prefix: string, bytes = 24): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** ISO timestamp of a snowflake. */
export function snowflakeTime(id: string): string {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS)).toISOString();
}
