import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DashScopeError } from '../../src/dashscope/errors.ts';
import { VoiceDesignClient } from '../../src/dashscope/voiceDesign.ts';
import type { UserError } from '../../src/errors.ts';
import { VoiceRegistry } from '../../src/voices/registry.ts';
import { openStore, type Store } from '../../src/voices/store.ts';
import { type DesignInput, VoiceLibrary } from '../../src/voices/voiceLibrary.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../emulators/dashscope/server.ts';

let emu: DashScopeEmulator;
let store: Store;
let registry: VoiceRegistry;
let library: VoiceLibrary;

const input = (over: Partial<DesignInput> = {}): DesignInput => ({
  description: 'A gravelly old sea captain, slow and warm.',
  previewText: 'Ahoy there, welcome aboard my ship, friend.',
  preferredName: 'captain',
  registryName: 'Captain',
  language: 'en',
  format: 'pcm',
  createdBy: 'user-1',
  ...over,
});
const creates = () => emu.requests.filter((r) => r.action === 'create').length;

beforeAll(async () => {
  emu = await startDashScopeEmulator();
});
afterAll(() => emu.close());
beforeEach(async () => {
  emu.reset();
  await store?.close();
  store = await openStore('memory://');
  registry = new VoiceRegistry(store.keyv, { maxPerGuild: 3 });
  const client = new VoiceDesignClient({
    apiKey: emu.apiKey,
    baseUrl: emu.baseUrl,
    timeoutMs: 1_000,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 2_000 },
  });
  library = new VoiceLibrary({
    client,
    registry,
    defaultModel: 'qwen3-tts-vd-realtime-2026-01-15',
    accountQuota: 5,
    reconcileWindowMs: 600,
  });
});

describe('design', () => {
  it('designs at DashScope and saves the voice in the guild registry', async () => {
    const result = await library.design('g1', input());
    expect(result.recovered).toBe(false);
    expect(result.preview?.audio.length).toBeGreaterThan(0);
    expect(await registry.get('g1', 'captain')).toMatchObject({
      name: 'Captain',
      voiceId: result.voice.voiceId,
      createdBy: 'user-1',
    });
    expect(emu.voices.has(result.voice.voiceId)).toBe(true);
  });

  it('recovers a voice whose create went unanswered, through list, without creating twice', async () => {
    emu.faults.http.onlyAction = 'create';
    emu.faults.http.dropAfterProcessingNext = 1;
    const result = await library.design('g1', input());
    expect(result.recovered).toBe(true);
    expect(result.preview).toBeUndefined();
    expect(emu.voices.size).toBe(1);
    expect([...emu.voices.keys()]).toEqual([result.voice.voiceId]);
    expect(creates()).toBe(1);
  });

  it('recovers after a client timeout too', async () => {
    emu.faults.http.onlyAction = 'create';
    emu.faults.http.stallAfterProcessingNext = 1;
    emu.faults.http.stallAfterProcessingMs = 1_500;
    const result = await library.design('g1', input());
    expect(result.recovered).toBe(true);
    expect(emu.voices.size).toBe(1);
  });

  it('reports a failed create as safe to retry when list shows nothing was made', async () => {
    emu.faults.http.onlyAction = 'create';
    emu.faults.http.serverErrorNext = 1;
    const error = (await library.design('g1', input()).catch((e: unknown) => e)) as DashScopeError;
    expect(error).toBeInstanceOf(DashScopeError);
    expect(error.message).toMatch(/safe to try again/);
    expect(emu.voices.size).toBe(0);
    expect(await registry.list('g1')).toEqual([]);
  });

  it('refuses before any paid call: bad input, taken name, full guild, full account', async () => {
    await expect(library.design('g1', input({ language: 'xx' }))).rejects.toMatchObject({ reason: 'invalid_input' });
    await expect(library.design('g1', input({ registryName: '!!' }))).rejects.toMatchObject({
      reason: 'invalid_input',
    });
    expect(emu.requests).toHaveLength(0);
    await library.design('g1', input());
    await expect(library.design('g1', input({ registryName: 'CAPTAIN' }))).rejects.toMatchObject({
      reason: 'conflict',
    });
    await library.design('g1', input({ registryName: 'b' }));
    await library.design('g1', input({ registryName: 'c' }));
    await expect(library.design('g1', input({ registryName: 'd' }))).rejects.toMatchObject({ reason: 'quota_full' });
    await library.design('g2', input({ registryName: 'e' }));
    await library.design('g2', input({ registryName: 'f' }));
    const full = (await library.design('g3', input({ registryName: 'g' })).catch((e: unknown) => e)) as UserError;
    expect(full.reason).toBe('quota_full');
    expect(full.message).toMatch(/5 of its 5 voices/);
    expect(creates()).toBe(5);
  });
});

describe('isolation and removal', () => {
  it('a guild cannot see, resolve or delete another guild’s voice, by name or by raw id', async () => {
    const { voice } = await library.design('g1', input());
    expect(await registry.list('g2')).toEqual([]);
    expect(await registry.get('g2', voice.voiceId)).toBeUndefined();
    await expect(library.remove('g2', 'Captain')).rejects.toMatchObject({ reason: 'not_found' });
    await expect(library.remove('g2', voice.voiceId)).rejects.toMatchObject({ reason: 'not_found' });
    expect(emu.voices.has(voice.voiceId)).toBe(true);
    expect(emu.requests.filter((r) => r.action === 'delete')).toHaveLength(0);
  });

  it('remove deletes at DashScope and in the registry; a voice gone at DashScope is still removed', async () => {
    const { voice } = await library.design('g1', input());
    await library.remove('g1', 'captain');
    expect(emu.voices.has(voice.voiceId)).toBe(false);
    expect(await registry.get('g1', voice.voiceId)).toBeUndefined();
    const second = await library.design('g1', input({ registryName: 'Other' }));
    emu.voices.delete(second.voice.voiceId);
    await library.remove('g1', second.voice.voiceId);
    expect(await registry.list('g1')).toEqual([]);
  });
});

describe('sync', () => {
  it('reports entries whose voice DashScope no longer has, and prunes them on request', async () => {
    const a = await library.design('g1', input({ registryName: 'a' }));
    const b = await library.design('g1', input({ registryName: 'b' }));
    emu.voices.delete(a.voice.voiceId);
    const report = await library.sync('g1', false);
    expect(report.missing.map((v) => v.name)).toEqual(['a']);
    expect(report.kept.map((v) => v.name)).toEqual(['b']);
    expect(await registry.count('g1')).toBe(2);
    const pruned = await library.sync('g1', true);
    expect(pruned.pruned).toBe(true);
    expect((await registry.list('g1')).map((v) => v.voiceId)).toEqual([b.voice.voiceId]);
  });
});
