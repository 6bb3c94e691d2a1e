import Keyv, { type KeyvOptions } from 'keyv';
import { KeyedSerial } from './keyedSerial.ts';
import { isStoreUnavailable } from './storeFault.ts';

/** Stored bytes keyv cannot decode (a foreign or damaged value): handed to a change instead of thrown. */
export class Undecodable {
  readonly problem: string;
  constructor(problem: string) {
    this.problem = problem;
  }
}

/** What a change decides: the values to write by key (`undefined` deletes the key), and what `update` returns. */
export interface Decision<R> {
  writes?: Readonly<Record<string, unknown>>;
  result: R;
}

/** Atomic read-modify-write of keyv documents. */
export interface AtomicDocs {
  /**
   * Reads `keys`, runs `change` on their values (`undefined` when absent, {@link Undecodable} when unreadable)
   * and writes what it decides, as one step no other writer of the store (in any process) can interleave with.
   * @remarks `change` may run more than once (an optimistic backend retries after losing a race), so it must
   * only compute; it may throw to abandon the update, which then writes nothing. Writes go only to read keys.
   */
  update<R>(keys: readonly string[], change: (values: readonly unknown[]) => Decision<R>): Promise<R>;
}

/** A backend's half of {@link AtomicDocs}: stored strings in, stored strings out, as one atomic step. */
export interface AtomicBackend {
  update<R>(
    keys: readonly string[],
    change: (stored: ReadonlyArray<string | undefined>) => Promise<RawDecision<R>>,
  ): Promise<R>;
}

/** Encoded writes (`undefined` deletes) and the result. */
export interface RawDecision<R> {
  writes: ReadonlyMap<string, string | undefined>;
  result: R;
}

/**
 * The keyv of an opened store, able to {@link AtomicDocs.update} atomically across processes.
 * @remarks An update that fails because the store is unavailable is also emitted as an `error` event, as keyv
 * does for its own operations, so one listener sees every store fault (logs, metrics).
 */
export class StoreKeyv extends Keyv implements AtomicDocs {
  readonly #docs: AtomicDocs;

  /** `docs` builds the update from the keyv (for its encoding): {@link backendDocs} or {@link inProcessDocs}. */
  constructor(options: KeyvOptions, docs: (keyv: Keyv) => AtomicDocs) {
    super(options);
    this.#docs = docs(this);
  }

  update<R>(keys: readonly string[], change: (values: readonly unknown[]) => Decision<R>): Promise<R> {
    return this.#docs.update(keys, change).catch((error: unknown) => {
      if (isStoreUnavailable(error)) this.emit('error', error);
      throw error;
    });
  }
}

/** The store's own update when `keyv` came from `openStore`; otherwise (a bare Keyv in tests) {@link inProcessDocs}. */
export function docsOf(keyv: Keyv): AtomicDocs {
  return keyv instanceof StoreKeyv ? keyv : inProcessDocs(keyv);
}

/**
 * Updates serialized in this process only: right for `memory://`, whose data no other process sees.
 * @remarks One queue for every key, so updates of overlapping key sets never interleave.
 */
export function inProcessDocs(keyv: Keyv): AtomicDocs {
  const serial = new KeyedSerial();
  const read = async (key: string): Promise<unknown> => {
    try {
      return await keyv.get(key);
    } catch (error) {
      if (error instanceof SyntaxError) return new Undecodable(error.message);
      throw error;
    }
  };
  return {
    update: (keys, change) =>
      serial.run('all', async () => {
        const { writes = {}, result } = change(await Promise.all(keys.map(read)));
        for (const [key, value] of Object.entries(checkWrites(keys, writes))) {
          if (value === undefined) await keyv.delete(key);
          else await keyv.set(key, value);
        }
        return result;
      }),
  };
}

/** Updates done by a backend on stored strings, encoded and decoded the way `keyv` does its own get and set. */
export function backendDocs(backend: AtomicBackend): (keyv: Keyv) => AtomicDocs {
  return (keyv) => ({
    update: (keys, change) =>
      backend.update(keys, async (stored) => {
        const { writes = {}, result } = change(await Promise.all(stored.map((s) => decode(keyv, s))));
        const raw = new Map<string, string | undefined>();
        for (const [key, value] of Object.entries(checkWrites(keys, writes)))
          raw.set(key, value === undefined ? undefined : await encode(keyv, value));
        return { writes: raw, result };
      }),
  });
}

async function decode(keyv: Keyv, stored: string | undefined): Promise<unknown> {
  if (stored === undefined) return undefined;
  try {
    const data = await keyv.deserializeData<unknown>(stored);
    if (data === undefined || data === null) return undefined;
    return typeof data.expires === 'number' && data.expires < Date.now() ? undefined : data.value;
  } catch (error) {
    if (error instanceof SyntaxError) return new Undecodable(error.message);
    throw error;
  }
}

async function encode(keyv: Keyv, value: unknown): Promise<string> {
  const encoded = await keyv.serializeData({ value, expires: undefined });
  if (typeof encoded !== 'string') throw new TypeError('the store keyv must serialize to strings');
  return encoded;
}

function checkWrites(keys: readonly string[], writes: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const stray = Object.keys(writes).find((key) => !keys.includes(key));
  if (stray !== undefined) throw new RangeError(`an update may only write the keys it read; "${stray}" was not read`);
  return writes;
}
