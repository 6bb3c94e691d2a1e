import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VoiceRegistry } from '../../src/voices/registry.ts';
import { openStore } from '../../src/voices/store.ts';

const CHILD = fileURLToPath(new URL('./registryAdds.child.ts', import.meta.url));
const ADDS_PER_PROCESS = 150;

/** Runs the child in its own process; resolves with what it printed. */
function adds(storeUrl: string, guildId: string, tag: string): Promise<{ added: number; failed: number }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', STORE_URL: storeUrl, VOICES_PER_GUILD: '1000', LOG_LEVEL: 'error' };
    const args = ['--no-warnings', CHILD, guildId, tag, String(ADDS_PER_PROCESS)];
    execFile(process.execPath, args, { env, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`child ${tag} failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'));
    });
  });
}

describe('two processes writing one store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'voicebot-xproc-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['sqlite', () => `sqlite://${join(dir, 'shared.sqlite')}`],
    ['redis', () => inject('redisUrl')],
  ])('150 registry adds each land as 300 voices (%s)', { timeout: 180_000 }, async (_kind, url) => {
    const guildId = `xproc${randomUUID().slice(0, 8)}`;
    const [a, b] = await Promise.all([adds(url(), guildId, 'alpha'), adds(url(), guildId, 'bravo')]);
    expect({ a, b }).toMatchObject({ a: { added: 150, failed: 0 }, b: { added: 150, failed: 0 } });
    const store = await openStore(url());
    try {
      const stored = await new VoiceRegistry(store.keyv, { maxPerGuild: 1000 }).list(guildId);
      expect(stored).toHaveLength(2 * ADDS_PER_PROCESS);
      await store.keyv.delete(`voices:${guildId}`);
    } finally {
      await store.close();
    }
  });
});
