import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { openStore, type Store } from '../../src/voices/store.ts';

/** One place a test's data lives; `open` may be called again to reopen the same place. */
export interface BackendPlace {
  open(): Promise<Store>;
  /** Closes every store opened here and deletes what the test wrote. */
  cleanup(): Promise<void>;
}

/** A store backend the contract suite runs against. */
export interface Backend {
  kind: Store['kind'];
  /** Data survives close + reopen. */
  persistent: boolean;
  /** A fresh, empty place: a new SQLite file or a new Redis namespace. */
  fresh(): Promise<BackendPlace>;
}

/** Writes text straight into the adapter under a registry key, bypassing keyv's encoding. */
export async function writeRaw(store: Store, key: string, text: string): Promise<void> {
  const full = store.kind === 'redis' ? key : `${store.keyv.namespace}:${key}`;
  await store.keyv.store.set(full, text);
}

export function backends(redisUrl: string): Backend[] {
  return [
    { kind: 'memory', persistent: false, fresh: async () => place('memory://') },
    { kind: 'sqlite', persistent: true, fresh: freshSqlite },
    { kind: 'redis', persistent: true, fresh: async () => place(redisUrl) },
  ];
}

async function freshSqlite(): Promise<BackendPlace> {
  const dir = await mkdtemp(join(tmpdir(), 'voicebot-registry-'));
  const inner = place(`sqlite://${join(dir, 'nested', 'voices.sqlite')}`);
  return {
    open: inner.open,
    cleanup: async () => {
      await inner.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function place(url: string): BackendPlace {
  const namespace = `t${randomUUID().replaceAll('-', '')}`;
  const opened: Store[] = [];
  return {
    open: async () => {
      const store = await openStore(url, { namespace });
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      if (/^rediss?:/.test(url)) {
        const store = await openStore(url, { namespace });
        await store.keyv.clear();
        await store.close();
      }
      await Promise.all(opened.map((s) => s.close()));
    },
  };
}

let serial = 0;

/** A valid voice; ids and creation times increase with each call. */
export function voice(name: string, overrides: Partial<CharacterVoice> = {}): CharacterVoice {
  serial += 1;
  const tag = String(serial).padStart(4, '0');
  return {
    name,
    voiceId: `qwen-tts-vd-test-voice-20260101120000${tag}-a1b2`,
    targetModel: 'qwen3-tts-vd-realtime-2026-01-15',
    description: 'A gravelly old sea captain who laughs between sentences.',
    language: 'en',
    createdBy: 'user-1',
    createdAt: Date.UTC(2026, 0, 1) + serial * 1_000,
    ...overrides,
  };
}
