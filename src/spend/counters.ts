import type { Query, SqliteConnection } from '../voices/sqliteDocs.ts';

/** One integer counter: a field of a bucket (e.g. `chars` of `g:123:m:2026-12`). */
export interface CounterRef {
  bucket: string;
  field: string;
}
export interface Increment extends CounterRef {
  by: number;
}
/** A counter that must not exceed `max` once the increments are added; `limit` names it in refusals. */
export interface Ceiling extends CounterRef {
  max: number;
  limit: string;
}
export type ApplyResult = { ok: true } | { ok: false; limit: string; current: number; max: number };

/**
 * Integer counters that several processes may change at once.
 * @remarks `apply` is all-or-nothing: every ceiling is checked against the value it would have after
 * the increments (only when they raise it), and either all increments land or none does.
 */
export interface AtomicCounters {
  apply(increments: readonly Increment[], ceilings?: readonly Ceiling[]): Promise<ApplyResult>;
  /** Every field of a bucket. */
  read(bucket: string): Promise<Record<string, number>>;
}

/** Sum of the increments that land on `ref`. */
export function addedTo(ref: CounterRef, increments: readonly Increment[]): number {
  return increments.filter((i) => i.bucket === ref.bucket && i.field === ref.field).reduce((s, i) => s + i.by, 0);
}

function check(
  ceilings: readonly Ceiling[],
  increments: readonly Increment[],
  current: (ref: CounterRef) => number,
): ApplyResult {
  for (const c of ceilings) {
    const added = addedTo(c, increments);
    const now = current(c);
    if (added > 0 && now + added > c.max) return { ok: false, limit: c.limit, current: now, max: c.max };
  }
  return { ok: true };
}

/** In one process only (`memory://`): a map changed synchronously, so each `apply` is atomic. */
export function memoryCounters(): AtomicCounters {
  const buckets = new Map<string, Map<string, number>>();
  const get = (r: CounterRef): number => buckets.get(r.bucket)?.get(r.field) ?? 0;
  return {
    async apply(increments, ceilings = []) {
      const verdict = check(ceilings, increments, get);
      if (!verdict.ok) return verdict;
      for (const i of increments) {
        const bucket = buckets.get(i.bucket) ?? new Map<string, number>();
        bucket.set(i.field, (bucket.get(i.field) ?? 0) + i.by);
        buckets.set(i.bucket, bucket);
      }
      return { ok: true };
    },
    async read(bucket) {
      return Object.fromEntries(buckets.get(bucket) ?? []);
    },
  };
}

/**
 * SQLite: one table, each `apply` one `BEGIN IMMEDIATE` transaction on the store's connection (the write lock
 * is taken first, so two processes never both read the old value; the other waits for the busy timeout).
 */
export async function sqliteCounters(
  connection: Pick<SqliteConnection, 'query' | 'transaction'>,
  namespace: string,
): Promise<AtomicCounters> {
  await connection.query(
    'CREATE TABLE IF NOT EXISTS voicebot_spend (bucket TEXT NOT NULL, field TEXT NOT NULL, ' +
      'amount INTEGER NOT NULL, PRIMARY KEY (bucket, field))',
  );
  const full = (bucket: string): string => `${namespace}:${bucket}`;
  const amount = async (query: Query, r: CounterRef): Promise<number> => {
    const rows = await query(
      'SELECT amount FROM voicebot_spend WHERE bucket = ? AND field = ?',
      full(r.bucket),
      r.field,
    );
    return Number(rows[0]?.amount ?? 0);
  };
  return {
    apply: (increments, ceilings = []) =>
      connection.transaction(async (query) => {
        const current = new Map<Ceiling, number>();
        for (const c of ceilings) current.set(c, await amount(query, c));
        const verdict = check(ceilings, increments, (c) => current.get(c as Ceiling) ?? 0);
        if (verdict.ok) {
          for (const i of increments)
            await query(
              'INSERT INTO voicebot_spend (bucket, field, amount) VALUES (?, ?, ?) ' +
                'ON CONFLICT (bucket, field) DO UPDATE SET amount = amount + excluded.amount',
              full(i.bucket),
              i.field,
              i.by,
            );
        }
        return verdict;
      }),
    async read(bucket) {
      const rows = await connection.query('SELECT field, amount FROM voicebot_spend WHERE bucket = ?', full(bucket));
      return Object.fromEntries(rows.map((r) => [String(r.field), Number(r.amount)]));
    },
  };
}

/** The two commands the Redis counters use, as the node-redis client offers them. */
export interface RedisLike {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  hGetAll(key: string): Promise<unknown>;
}

/** KEYS: hashes; ARGV: ceiling count, (key index, field, max, added)…, then (key index, field, by)…. */
const APPLY_SCRIPT = `
local n = tonumber(ARGV[1])
local at = 2
for i = 1, n do
  local cur = tonumber(redis.call('HGET', KEYS[tonumber(ARGV[at])], ARGV[at + 1]) or '0')
  if cur + tonumber(ARGV[at + 3]) > tonumber(ARGV[at + 2]) then return {i, cur} end
  at = at + 4
end
while at <= #ARGV do
  redis.call('HINCRBY', KEYS[tonumber(ARGV[at])], ARGV[at + 1], ARGV[at + 2])
  at = at + 3
end
return {0, 0}`;

/** Redis: one hash per bucket; each `apply` is one Lua script, which Redis runs atomically. */
export function redisCounters(client: RedisLike, namespace: string): AtomicCounters {
  const full = (bucket: string): string => `${namespace}:spend:${bucket}`;
  return {
    async apply(increments, ceilings = []) {
      const keys: string[] = [];
      const index = (bucket: string): string => {
        const key = full(bucket);
        if (!keys.includes(key)) keys.push(key);
        return String(keys.indexOf(key) + 1);
      };
      const raising = ceilings.filter((c) => addedTo(c, increments) > 0);
      const args = [String(raising.length)];
      for (const c of raising) args.push(index(c.bucket), c.field, String(c.max), String(addedTo(c, increments)));
      for (const i of increments) args.push(index(i.bucket), i.field, String(i.by));
      const [failed, current] = (await client.eval(APPLY_SCRIPT, { keys, arguments: args })) as [number, number];
      const c = raising[failed - 1];
      return c === undefined ? { ok: true } : { ok: false, limit: c.limit, current, max: c.max };
    },
    async read(bucket) {
      const raw = (await client.hGetAll(full(bucket))) as Record<string, string>;
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
    },
  };
}
