/**
 * Id helpers of the Discord emulator: numeric snowflakes and url-safe tokens.
 */
import { randomBytes } from 'node:crypto';

/** Discord's epoch (2015-01-01T00:00:00Z), in milliseconds since the Unix epoch. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

const clock = { lastMs: 0n, increment: 0n };

/**
 * Returns the snowflake source: strictly increasing ids (timestamp << 22 | worker << 17 | increment).
 * @remarks One clock per process, so two emulators in one test process never mint the same id
 * (@discordjs/voice keys its connections by guild id, process-wide).
 */
export function snowflakeFactory(worker = 1): () => string {
  return () => {
    let ms = BigInt(Date.now()) - DISCORD_EPOCH_MS;
    if (ms <= clock.lastMs) {
      clock.increment += 1n;
      if (clock.increment > 4095n) {
        clock.lastMs += 1n;
        clock.increment = 0n;
      }
      ms = clock.lastMs;
    } else {
      clock.increment = 0n;
    }
    clock.lastMs = ms;
    return ((ms << 22n) | (BigInt(worker & 31) << 17n) | clock.increment).toString();
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
