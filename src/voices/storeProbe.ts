import { randomUUID } from 'node:crypto';
import { type Store, StoreError } from './store.ts';

/** The store opened but cannot be written: starting would take money for designs it cannot record. */
export class StoreUnwritableError extends StoreError {
  override name = 'StoreUnwritableError';
}

/**
 * Writes a value, reads it back and deletes it: a read-only file, a full disk or a Redis replica fail here,
 * at start, rather than after a paid call.
 * @throws StoreUnwritableError with one line saying what failed.
 */
export async function probeStore(store: Store, where: string): Promise<void> {
  const key = `write-probe:${randomUUID()}`;
  const token = randomUUID();
  try {
    await store.keyv.set(key, token);
    const back: unknown = await store.keyv.get(key);
    await store.keyv.delete(key);
    if (back !== token) throw new Error('the value read back differs from the one written');
    await store.counters.apply([{ bucket: 'write-probe', field: 'n', by: 0 }]);
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new StoreUnwritableError(
      `The store at ${where} cannot be written (${detail}); fix its permissions or free space, then start again.`,
      { cause: error },
    );
  }
}
