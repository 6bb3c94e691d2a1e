/** A paid design is reserved before it is paid and never lost: real store, real client, the DashScope emulator. */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VoiceDesignClient } from '../../src/dashscope/voiceDesign.ts';
import { GuildBudgets } from '../../src/spend/budget.ts';
import { SpendLedger } from '../../src/spend/ledger.ts';
import { adoptPendingDesigns } from '../../src/voices/adoptPending.ts';
import { VoiceRegistry } from '../../src/voices/registry.ts';
import { openStore, type Store } from '../../src/voices/store.ts';
import { probeStore, StoreUnwritableError } from '../../src/voices/storeProbe.ts';
import { type DesignInput, VoiceLibrary } from '../../src/voices/voiceLibrary.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../emulators/dashscope/server.ts';

let emu: DashScopeEmulator;
let dir: string;
let stores: Store[];

const input = (name: string, createdBy = 'alice'): DesignInput => ({
  description: `The voice of ${name}, slow and warm.`,
  previewText: 'Ahoy there, welcome aboard my ship, friend.',
  preferredName: name.toLowerCase(),
  registryName: name,
  language: 'en',
  format: 'pcm',
  createdBy,
});
const creates = () => emu.requests.filter((r) => r.action === 'create').length;
const client = () =>
  new VoiceDesignClient({
    apiKey: emu.apiKey,
    baseUrl: emu.baseUrl,
    timeoutMs: 5_000,
    retry: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 2_000 },
  });
const budgets = { designsPerMonth: 10, charsPerMonth: 1e6, memberCharsPerDay: 1e5, accountUsdPerDay: 5 };

async function setUp(url = 'memory://', designsPerMonth = 10) {
  const store = await openStore(url);
  stores.push(store);
  const registry = new VoiceRegistry(store.keyv, { maxPerGuild: 3 });
  const spend = new SpendLedger(store.counters, new GuildBudgets(store.keyv, { ...budgets, designsPerMonth }), {
    designUsd: 0.2,
    speechUsdPer10kChars: 0.143353,
  });
  const library = new VoiceLibrary({
    client: client(),
    registry,
    defaultModel: 'qwen3-tts-vd-realtime-2026-01-15',
    spend,
  });
  return { store, registry, spend, library };
}

const settled = <T>(p: Promise<T>) =>
  p.then(
    () => 'ok',
    (e: { reason?: string }) => e.reason ?? 'error',
  );

beforeAll(async () => {
  emu = await startDashScopeEmulator();
});
afterAll(() => emu.close());
beforeEach(async () => {
  emu.reset();
  stores = [];
  dir = await mkdtemp(join(tmpdir(), 'voicebot-design-spend-'));
});
afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await unlock(join(dir, 'bot.sqlite'));
  await rm(dir, { recursive: true, force: true });
});

describe('paid designs', () => {
  it('two members designing the same name at once pay once', async () => {
    const { library, registry, spend } = await setUp();
    const outcomes = await Promise.all([
      settled(library.design('g1', input('Ada', 'alice'))),
      settled(library.design('g1', input('Ada', 'bob'))),
    ]);
    expect(outcomes.sort()).toEqual(['conflict', 'ok']);
    expect(creates()).toBe(1);
    expect(await registry.list('g1')).toHaveLength(1);
    expect(await spend.month('g1')).toMatchObject({ designs: 1, usd_micro: 200_000 });
  });

  it('counts designs in flight against the server cap: six at once, cap 3, three paid', async () => {
    const { library, registry } = await setUp();
    const names = ['Ada', 'Bea', 'Cy', 'Dot', 'Eve', 'Fay'];
    const outcomes = await Promise.all(names.map((n) => settled(library.design('g1', input(n)))));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'quota_full')).toHaveLength(3);
    expect(creates()).toBe(3);
    expect(await registry.pending('g1')).toEqual([]);
  });

  it('a design past the monthly budget is refused before paying, and a refused one frees its name', async () => {
    const { library, registry } = await setUp('memory://', 1);
    await library.design('g1', input('Ada'));
    await expect(library.design('g1', input('Bea'))).rejects.toThrow(/used its 1 voice designs for this month/);
    expect(creates()).toBe(1);
    expect(await registry.pending('g1')).toEqual([]);
  });

  it('a read-only SQLite file fails the write probe and refuses a design before paying', async (ctx) => {
    const file = join(dir, 'bot.sqlite');
    const first = await setUp(`sqlite://${file}`);
    await first.store.close();
    if (!(await lock(file))) return ctx.skip('this file system cannot make a file read-only for root');
    const { store, library } = await setUp(`sqlite://${file}`);
    await expect(probeStore(store, file)).rejects.toBeInstanceOf(StoreUnwritableError);
    await expect(probeStore(store, file)).rejects.toThrow(/cannot be written \(.*readonly/i);
    await expect(library.design('g1', input('Ada'))).rejects.toThrow(/readonly/i);
    expect(creates()).toBe(0);
  });

  it('drain waits for a paid design in flight and its writes', async () => {
    const { library, registry } = await setUp();
    emu.faults.http.onlyAction = 'create';
    emu.faults.http.stallAfterProcessingNext = 1;
    emu.faults.http.stallAfterProcessingMs = 700;
    const designing = library.design('g1', input('Ada'));
    await expect.poll(() => library.inFlight).toBe(1);
    expect(await library.drain(10_000)).toBe(0);
    expect(await registry.get('g1', 'Ada')).toBeDefined();
    await designing;
  });

  it('adopts at the next start a voice that was paid for but not recorded', async () => {
    const { registry, library } = await setUp();
    const request = library.validate(input('Ada')).request;
    await registry.holdPending('g1', {
      id: 'p1',
      name: 'Ada',
      createdBy: 'alice',
      startedAt: 1_000,
      request,
    });
    const created = await client().create(request); // the process died right after this answer
    await registry.holdPending('g2', {
      id: 'p2',
      name: 'Bea',
      createdBy: 'bob',
      startedAt: 2_000,
      request: {
        ...request,
        description: 'Never created.',
      },
    });
    const results = await adoptPendingDesigns(registry, () => library.accountVoices(), ['g1', 'g2', 'g3']);
    expect(results.map((r) => [r.guildId, r.adopted.length, r.dropped.length])).toEqual([
      ['g1', 1, 0],
      ['g2', 0, 1],
    ]);
    expect(await registry.get('g1', 'Ada')).toMatchObject({ voiceId: created.voiceId, createdBy: 'alice' });
    expect(await registry.pending('g1')).toEqual([]);
    expect(await registry.pending('g2')).toEqual([]);
  });
});

/** Read-only even for root: chmod, plus the immutable attribute when running as root. */
async function lock(file: string): Promise<boolean> {
  await chmod(file, 0o444);
  if (process.getuid?.() !== 0) return true;
  try {
    execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function unlock(file: string): Promise<void> {
  if (process.getuid?.() === 0) {
    try {
      execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
    } catch {
      // Not locked, or gone.
    }
  }
  await chmod(file, 0o644).catch(() => undefined);
}
