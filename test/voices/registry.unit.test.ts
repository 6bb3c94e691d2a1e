import { setTimeout as delay } from 'node:timers/promises';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { KeyedSerial } from '../../src/voices/keyedSerial.ts';
import { VoiceRegistry } from '../../src/voices/registry.ts';

describe('VoiceRegistry construction', () => {
  it('refuses a keyv that swallows storage errors', () => {
    expect(() => new VoiceRegistry(new Keyv(), { maxPerGuild: 5 })).toThrow(/throwOnErrors/);
  });

  it.each([0, -1, 2.5, 1_001, Number.NaN])('refuses maxPerGuild %d', (maxPerGuild) => {
    expect(() => new VoiceRegistry(new Keyv({ throwOnErrors: true }), { maxPerGuild })).toThrow(RangeError);
  });

  it('propagates storage failures instead of reading them as an empty guild', async () => {
    const keyv = new Keyv({ throwOnErrors: true });
    const registry = new VoiceRegistry(keyv, { maxPerGuild: 5 });
    const broken = new Error('connection lost');
    keyv.store.get = () => Promise.reject(broken);
    await expect(registry.list('g1')).rejects.toBe(broken);
  });
});

describe('KeyedSerial', () => {
  it('runs one key in call order, other keys alongside, and survives failures', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name}:start`);
        await delay(ms);
        log.push(`${name}:end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      serial.run('a', step('a1', 20)),
      serial.run('a', step('a2', 1, true)),
      serial.run('b', step('b1', 5)),
      serial.run('a', step('a3', 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const a = log.filter((l) => l.startsWith('a'));
    expect(a).toEqual(['a1:start', 'a1:end', 'a2:start', 'a2:end', 'a3:start', 'a3:end']);
    expect(log.indexOf('b1:end')).toBeLessThan(log.indexOf('a1:end'));
    await delay(0);
    expect(serial.busyKeys).toBe(0);
  });
});
