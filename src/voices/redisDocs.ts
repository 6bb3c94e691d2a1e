import { setTimeout as delay } from 'node:timers/promises';
import { KeyedSerial } from './keyedSerial.ts';
import { StoreUnavailableError } from './storeFault.ts';
import type { AtomicBackend } from './storeKeyv.ts';

/** The two commands the Redis documents use, as the node-redis client offers them. */
export interface RedisDocClient {
  mGet(keys: string[]): Promise<Array<string | null>>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** How many times an update re-reads and tries again after another writer changed its keys first. */
export const CAS_ATTEMPTS = 25;
/** Upper bound of the random pause before the n-th retry, per attempt, in milliseconds. */
const CAS_BACKOFF_MS = 4;

/**
 * Compare-and-set: KEYS are the keys read; ARGV[i] is what key i held ("1" .. value, or "0" when absent);
 * then pairs (key index, "1" .. new value | "0" to delete). Writes only if every key still holds what was read.
 */
const CAS_SCRIPT = `
local n = #KEYS
for i = 1, n do
  local cur = redis.call('GET', KEYS[i])
  if cur then
    if ARGV[i] ~= '1' .. cur then return 0 end
  elseif ARGV[i] ~= '0' then return 0 end
end
local at = n + 1
while at < #ARGV do
  local key = KEYS[tonumber(ARGV[at])]
  local w = ARGV[at + 1]
  if string.sub(w, 1, 1) == '1' then redis.call('SET', key, string.sub(w, 2)) else redis.call('DEL', key) end
  at = at + 2
end
return 1`;

/**
 * Keyv documents on Redis, each update an optimistic read then a compare-and-set Lua script, retried
 * (bounded) when another writer got there first.
 * @remarks Why a script rather than WATCH/MULTI: WATCH is state of a connection, and the bot shares one
 * connection between all its concurrent work, so one update's EXEC would clear another's WATCH and leave it
 * unguarded; node-redis also applies no command timeout to MULTI/EXEC. A script is one command: atomic in
 * Redis, bounded by the command timeout, and the same pattern as the spend counters. Updates of the same keys
 * in this process queue behind each other, so only other processes can make one retry.
 */
export function redisDocs(client: RedisDocClient, fullKey: (key: string) => string): AtomicBackend {
  const serial = new KeyedSerial();
  return {
    update: (keys, change) =>
      serial.run(keys.join('\n'), async () => {
        const full = keys.map(fullKey);
        for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt += 1) {
          const stored = (await client.mGet(full)).map((v) => v ?? undefined);
          const { writes, result } = await change(stored);
          if (writes.size === 0) return result;
          const args = stored.map((v) => (v === undefined ? '0' : `1${v}`));
          for (const [key, value] of writes)
            args.push(String(keys.indexOf(key) + 1), value === undefined ? '0' : `1${value}`);
          if (Number(await client.eval(CAS_SCRIPT, { keys: full, arguments: args })) === 1) return result;
          await delay(Math.random() * CAS_BACKOFF_MS * attempt);
        }
        throw new StoreUnavailableError(`the store kept changing under ${CAS_ATTEMPTS} attempts to update ${keys[0]}`);
      }),
  };
}
