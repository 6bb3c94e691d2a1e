import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GuildRecord, objectOrEmpty } from '../../src/voices/guildRecord.ts';
import { openStore, type Store } from '../../src/voices/store.ts';

let store: Store | undefined;
let dir: string | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const counter = (keyv: Store['keyv']) => new GuildRecord(keyv, 'count', (v) => Number(objectOrEmpty(v).n ?? 0));

describe('GuildRecord', () => {
  it('loses no update under concurrency, per guild', async () => {
    store = await openStore('memory://');
    const record = new GuildRecord(store.keyv, 'count', (v) => ({ n: Number(objectOrEmpty(v).n ?? 0) }));
    await Promise.all(Array.from({ length: 50 }, () => record.update('g1', (c) => ({ n: c.n + 1 }))));
    expect(await record.get('g1')).toEqual({ n: 50 });
    expect(await record.get('g2')).toEqual({ n: 0 });
  });

  it('falls back to the default for a stored value that is not JSON', async () => {
    dir = await mkdtemp(join(tmpdir(), 'guildrecord-'));
    store = await openStore(`sqlite://${join(dir, 's.sqlite')}`);
    await store.keyv.store.set(`${store.keyv.namespace}:count:g1`, '{not json');
    const record = counter(store.keyv);
    expect(await record.get('g1')).toBe(0);
  });
});
