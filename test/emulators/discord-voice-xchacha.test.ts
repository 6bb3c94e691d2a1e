/**
 * The XChaCha20-Poly1305 path end to end: a real @discordjs/voice client encrypting with the bot's own
 * cipher package (@noble/ciphers), the emulator decrypting and decoding.
 */

import type { Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddedGuild, type DiscordEmulator, startDiscordEmulator } from './discord/server.ts';
import { emulatorWithClient } from './discord.helpers.ts';
import { expectToneHeard, type VoiceLib } from './discord-voice.helpers.ts';

let lib: VoiceLib;
let emu: DiscordEmulator;
let client: Client;
let ids: AddedGuild;

beforeAll(async () => {
  lib = await import('@discordjs/voice');
  ({
    emu,
    client,
    guild: ids,
  } = await emulatorWithClient(() => startDiscordEmulator({ modes: ['aead_xchacha20_poly1305_rtpsize'] })));
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
