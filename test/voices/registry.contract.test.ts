import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { type RegistryProblem, registryKey, VoiceRegistry } from '../../src/voices/registry.ts';
import type { Store } from '../../src/voices/store.ts';
import { syncGuild } from '../../src/voices/sync.ts';
import { type BackendPlace, backends, voice, writeRaw } from './backends.ts';

const reason = (r: UserError['reason']) => expect.objectContaining({ name: 'UserError', reason: r });
const names = (voices: Array<{ name: string }>) => voices.map((v) => v.name);

describe.each(backends(inject('redisUrl')))('VoiceRegistry contract on $kind', (backend) => {
  let place: BackendPlace;
  let store: Store;
  let problems: RegistryProblem[];
  const registry = (maxPerGuild = 10, on: Store = store) =>
    new VoiceRegistry(on.keyv, { maxPerGuild, onInvalid: (p) => problems.push(p) });

  beforeEach(async () => {
    problems = [];
    place = await backend.fresh();
    store = await place.open();
  });
  afterEach(() => place.cleanup());

  it('adds, lists newest first, gets and removes', async () => {
    const reg = registry();
    const older = await reg.add('g1', voice('Captain'));
    const newer = await reg.add('g1', voice('Narrator'));
    expect(await reg.list('g1')).toEqual([newer, older]);
    expect(await reg.count('g1')).toBe(2);
    expect(await reg.get('g1', 'Captain')).toEqual(older);
    expect(await reg.remove('g1', 'captain')).toEqual(older);
    expect(await reg.remove('g1', 'Captain')).toBeUndefined();
    expect(await reg.list('g1')).toEqual([newer]);
    expect(problems).toEqual([]);
  });

  it('resolves names case-insensitively after NFKC, trim and whitespace collapse, and exact voice ids', async () => {
    const reg = registry();
    const stored = await reg.add('g1', voice('  Ｏｌｄ   Salt '));
    expect(stored.name).toBe('Old Salt');
    for (const query of ['old salt', ' OLD\tSALT ', 'ｏｌｄ ｓａｌｔ', stored.voiceId]) {
      expect(await reg.get('g1', query)).toEqual(stored);
    }
    expect(await reg.get('g1', stored.voiceId.toUpperCase())).toBeUndefined();
    expect(await reg.get('g1', '')).toBeUndefined();
  });

  it('keeps names unique per guild case-insensitively, and voice ids unique', async () => {
    const reg = registry();
    const first = await reg.add('g1', voice('Zoë'));
    await expect(reg.add('g1', voice('ZOË'))).rejects.toEqual(reason('conflict'));
    await expect(reg.add('g1', voice('Other', { voiceId: first.voiceId }))).rejects.toEqual(reason('conflict'));
    expect(await reg.list('g1')).toEqual([first]);
  });

  it.each([
    ['', /cannot be empty/],
    ['   ', /cannot be empty/],
    ['x'.repeat(33), /at most 32 characters; that one has 33/],
    ['-dash', /start with a letter or a digit/],
    ['bad!name', /"!" is not allowed/],
  ])('rejects the name %j as invalid_input', async (name, message) => {
    const reg = registry();
    const attempt = reg.add('g1', voice(name));
    await expect(attempt).rejects.toEqual(reason('invalid_input'));
    await expect(attempt).rejects.toThrow(message);
    expect(await reg.count('g1')).toBe(0);
  });

  it('rejects a voice with a malformed field as invalid_input', async () => {
    const reg = registry();
    await expect(reg.add('g1', voice('Ok', { language: 'xx' as 'en' }))).rejects.toEqual(reason('invalid_input'));
    await expect(reg.add('g1', voice('Ok', { targetModel: 'tts-1' as 'qwen3-tts-vd-2026-01-26' }))).rejects.toThrow(
      /targetModel/,
    );
    expect(await reg.count('g1')).toBe(0);
  });

  it('caps a guild: quota_full names the cap and how to free room', async () => {
    const reg = registry(2);
    await reg.add('g1', voice('One'));
    await reg.assertRoom('g1');
    await reg.add('g1', voice('Two'));
    await expect(reg.assertRoom('g1')).rejects.toEqual(reason('quota_full'));
    await expect(reg.add('g1', voice('Three'))).rejects.toThrow(/limit of 2 voices.*Remove a voice/);
    await reg.assertRoom('g2');
    await reg.remove('g1', 'One');
    await reg.add('g1', voice('Three'));
  });

  it('keeps guilds apart, by name and by raw voice id', async () => {
    const reg = registry();
    const mine = await reg.add('g1', voice('Captain'));
    for (const query of ['Captain', mine.voiceId]) {
      expect(await reg.get('g2', query)).toBeUndefined();
      expect(await reg.remove('g2', query)).toBeUndefined();
    }
    expect(await reg.list('g2')).toEqual([]);
    const theirs = await reg.add('g2', voice('captain'));
    expect(await reg.list('g1')).toEqual([mine]);
    expect(await reg.list('g2')).toEqual([theirs]);
    await expect(reg.get('g1:x', 'Captain')).rejects.toEqual(reason('invalid_input'));
  });

  it('lands every one of 50 parallel adds with distinct names', async () => {
    const reg = registry(60);
    const wanted = Array.from({ length: 50 }, (_, i) => `Voice ${i}`);
    await Promise.all(wanted.map((name) => reg.add('g1', voice(name))));
    expect(names(await reg.list('g1')).sort()).toEqual([...wanted].sort());
  });

  it('lets exactly one of 50 parallel same-name adds win; the rest get conflict', async () => {
    const reg = registry(60);
    const spellings = ['Echo', 'ECHO', 'echo'];
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => reg.add('g1', voice(spellings[i % 3] ?? 'Echo'))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => r.reason)).toEqual(Array(49).fill(reason('conflict')));
    expect(await reg.count('g1')).toBe(1);
  });

  it('never overshoots the cap under parallel adds', async () => {
    const reg = registry(5);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => reg.add('g1', voice(`V${i}`))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(await reg.count('g1')).toBe(5);
  });

  // Skipped for memory://, which by definition keeps nothing once closed.
  it.runIf(backend.persistent)('keeps voices across close and reopen', async () => {
    const reg = registry();
    const a = await reg.add('g1', voice('Alpha'));
    const b = await reg.add('g1', voice('Beta'));
    await store.close();
    const reopened = registry(10, await place.open());
    expect(await reopened.list('g1')).toEqual([b, a]);
    await expect(reopened.add('g1', voice('alpha'))).rejects.toEqual(reason('conflict'));
  });

  it('skips and reports corrupt entries, and keeps them when writing', async () => {
    const good = voice('Good');
    const stored = [good, { name: 42 }, 'junk', { ...good, voiceId: 'qwen-tts-vd-x' }, { ...good, createdAt: -1 }];
    await store.keyv.set(registryKey('g1'), { v: 1, voices: stored });
    const reg = registry();
    expect(await reg.list('g1')).toEqual([good]);
    expect(problems.map((p) => [p.key, p.index])).toEqual([1, 2, 3, 4].map((i) => [registryKey('g1'), i]));
    expect(problems[2]?.problem).toBe('duplicate name');
    const fresh = await reg.add('g1', voice('Fresh'));
    const raw = (await store.keyv.get(registryKey('g1'))) as { voices: unknown[] };
    expect(raw.voices).toEqual([fresh, ...stored]);
  });

  it.each([
    ['a foreign value', (s: Store) => s.keyv.set(registryKey('g1'), 'not a registry'), /not a voice registry/],
    ['an undecodable value', (s: Store) => writeRaw(s, registryKey('g1'), '{"value":'), /cannot be decoded/],
  ])('skips and reports %s, and refuses to overwrite it', async (_, write, problem) => {
    await write(store);
    const reg = registry();
    await reg.add('g2', voice('Elsewhere'));
    expect(await reg.list('g1')).toEqual([]);
    expect(await reg.get('g1', 'x')).toBeUndefined();
    expect(problems[0]).toMatchObject({
      guildId: 'g1',
      key: registryKey('g1'),
      problem: expect.stringMatching(problem),
    });
    await expect(reg.add('g1', voice('New'))).rejects.toThrow(/unreadable; refusing to overwrite/);
    await expect(reg.add('g1', voice('New'))).rejects.not.toBeInstanceOf(UserError);
    expect(names(await reg.list('g2'))).toEqual(['Elsewhere']);
  });

  it('sync reports voices gone from the account, and prunes them only when asked', async () => {
    const reg = registry();
    const listedAt = Date.UTC(2026, 6, 1);
    const alive = await reg.add('g1', voice('Alive'));
    const gone = await reg.add('g1', voice('Gone'));
    const young = await reg.add('g1', voice('Young', { createdAt: listedAt }));
    const other = await reg.add('g2', voice('Other'));
    const account = new Set([alive.voiceId]);

    const report = await syncGuild(reg, 'g1', account, { prune: false, listedAt });
    expect(report).toEqual({ kept: [young, alive], missing: [gone], pruned: false });
    expect(await reg.count('g1')).toBe(3);

    const pruned = await syncGuild(reg, 'g1', account, { prune: true, listedAt });
    expect(pruned).toEqual({ kept: [young, alive], missing: [gone], pruned: true });
    expect(await reg.list('g1')).toEqual([young, alive]);
    expect(await reg.list('g2')).toEqual([other]);
    expect(await syncGuild(reg, 'g1', account, { prune: true, listedAt })).toMatchObject({
      missing: [],
      pruned: false,
    });
    expect(await syncGuild(reg, 'g1', account, { prune: false })).toMatchObject({ missing: [young] });
  });
});
