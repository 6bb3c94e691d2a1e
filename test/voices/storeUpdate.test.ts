/** The store's atomic read-modify-write (`keyv.update`) on every backend, against the real stores. */
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Store } from '../../src/voices/store.ts';
import { Undecodable } from '../../src/voices/storeKeyv.ts';
import { type BackendPlace, backends, writeRaw } from './backends.ts';

const increment = (store: Store, key: string) =>
  store.keyv.update([key], ([n]) => {
    const next = (typeof n === 'number' ? n : 0) + 1;
    return { writes: { [key]: next }, result: next };
  });

describe.each(backends(inject('redisUrl')))('keyv.update on $kind', (backend) => {
  let place: BackendPlace;
  let store: Store;
  beforeEach(async () => {
    place = await backend.fresh();
    store = await place.open();
  });
  afterEach(() => place.cleanup());

  it('writes what keyv reads, reads what keyv wrote, and deletes on undefined', async () => {
    await store.keyv.set('a', { x: 1 });
    const seen = await store.keyv.update(['a', 'b'], ([a, b]) => ({ writes: { a: undefined, b: [a] }, result: b }));
    expect(seen).toBeUndefined();
    expect(await store.keyv.get('a')).toBeUndefined();
    expect(await store.keyv.get('b')).toEqual([{ x: 1 }]);
  });

  it('writes nothing when the change throws, and refuses writes to keys it did not read', async () => {
    await store.keyv.set('a', 1);
    await expect(
      store.keyv.update(['a'], () => {
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await expect(store.keyv.update(['a'], () => ({ writes: { a: 2, other: 3 }, result: 0 }))).rejects.toThrow(
      /only write the keys it read; "other"/,
    );
    expect([await store.keyv.get('a'), await store.keyv.get('other')]).toEqual([1, undefined]);
  });

  it('hands undecodable bytes to the change instead of throwing', async () => {
    await writeRaw(store, 'bad', '{not json');
    const [value] = await store.keyv.update(['bad'], (values) => ({ result: values }));
    expect(value).toBeInstanceOf(Undecodable);
  });

  it('loses no update when 2 connections x 40 updates of one key race', async () => {
    const other = backend.persistent ? await place.open() : store;
    await Promise.all(Array.from({ length: 40 }, () => [increment(store, 'n'), increment(other, 'n')]).flat());
    expect(await store.keyv.get('n')).toBe(80);
  });
});
