/**
 * The XChaCha20-Poly1305 path end to end: a real @discordjs/voice client encrypting, the emulator
 * decrypting and decoding.
 *
 * @remarks @discordjs/voice 0.19.2 loads its XChaCha library with `await import('libsodium-wrappers')`
 * and calls `lib.crypto_aead_xchacha20poly1305_ietf_encrypt` on the module namespace, but the ESM
 * build of libsodium-wrappers 0.8.4 exports those functions only on `default`, so playback throws
 * "…ietf_encrypt is not a function" in this mode. This file hands @discordjs/voice a namespace
 * that re-exports them (a module resolve hook, before the library is first imported) to test the
 * emulator's side. It does not fix the bot: see the report about the dependency.
 */
import { registerHooks } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorWithClient } from './discord.helpers.ts';
import { expectToneHeard, type VoiceLib } from './discord-voice.helpers.ts';
import { startDiscordEmulator, type AddedGuild, type DiscordEmulator } from './discord/server.ts';
import type { Client } from 'discord.js';

const SODIUM_NAMES = ['crypto_aead_xchacha20poly1305_ietf_encrypt', 'crypto_aead_xchacha20poly1305_ietf_decrypt'];

function shimLibsodiumForVoice(): void {
  const real = import.meta.resolve('libsodium-wrappers');
  const source = `import s from ${JSON.stringify(real)}; await s.ready; export const ready = s.ready; ${SODIUM_NAMES.map((n) => `export const ${n} = s.${n};`).join(' ')}`;
  registerHooks({
    resolve(specifier, context, next) {
      if (specifier === 'libsodium-wrappers' && context.parentURL?.includes('@discordjs/voice')) {
        return { url: `data:text/javascript,${encodeURIComponent(source)}`, shortCircuit: true };
      }
      return next(specifier, context);
    },
  });
}

let lib: VoiceLib;
let emu: DiscordEmulator;
let client: Client;
let ids: AddedGuild;

beforeAll(async () => {
  shimLibsodiumForVoice();
  lib = await import('@discordjs/voice');
  ({ emu, client, guild: ids } = await emulatorWithClient(() => startDiscordEmulator({ modes: ['aead_xchacha20_poly1305_rtpsize'] })));
});

afterAll(async () => {
  await client?.destroy();
  await emu?.close();
});

describe('voice in aead_xchacha20_poly1305_rtpsize', () => {
  it('decrypts and decodes 1 s of a 440 Hz tone played by @discordjs/voice', async () => {
    await expectToneHeard(lib, emu, client, ids);
    expect(emu.voice(ids.id).mode).toBe('aead_xchacha20_poly1305_rtpsize');
  });
});
