import { beforeAll, describe, expect, it } from 'vitest';
import { channelPermissions, Perm } from './discord/permissions.ts';
import {
  AEAD_MODES,
  cryptoReady,
  decryptRtp,
  encryptRtp,
  isSilenceFrame,
  parseRtpHeader,
  SILENCE_FRAME,
} from './discord/rtp.ts';

// Real Discord captures with their keys, from discordjs/discord.js packages/voice/__mocks__/rtp.ts.
const XCHACHA20_SAMPLE = {
  encrypted: Buffer.from([
    144, 120, 86, 102, 191, 243, 52, 48, 0, 0, 191, 25, 190, 222, 0, 2, 211, 29, 103, 76, 73, 102, 37, 162, 65, 41, 39,
    252, 26, 85, 90, 228, 241, 169, 112, 65, 95, 183, 236, 4, 87, 207, 215, 195, 180, 39, 60, 224, 221, 89, 32, 187,
    208, 228, 145, 252, 132, 189, 103, 208, 180, 183, 217, 50, 70, 86, 20, 28, 142, 66, 251, 122, 214, 17, 7, 173, 203,
    117, 148, 232, 118, 103, 8, 136, 227, 136, 249, 243, 135, 41, 31, 103, 146, 15, 1, 0, 0,
  ]),
  key: new Uint8Array([
    105, 217, 109, 27, 247, 101, 71, 49, 71, 151, 172, 85, 91, 11, 201, 23, 43, 242, 147, 81, 96, 60, 157, 50, 63, 200,
    133, 174, 108, 144, 251, 110,
  ]),
  /** Decrypted payload; its first 8 bytes are the (encrypted) header-extension body. */
  decrypted: Buffer.from([
    0x32, 0x64, 0xe6, 0x62, 0x10, 0xe3, 0x90, 0x02, 0x78, 0x07, 0xd6, 0x2f, 0x52, 0x23, 0x20, 0x9a, 0xab, 0x2c, 0xcc,
    0x1c, 0x88, 0x8e, 0xcb, 0xd9, 0x4d, 0xe5, 0x33, 0x7a, 0x4b, 0x2b, 0xed, 0xa7, 0xaf, 0x5f, 0x8d, 0xb2, 0x59, 0x99,
    0x75, 0x36, 0xf2, 0x88, 0xf5, 0xc7, 0x9f, 0x47, 0xaf, 0x92, 0x5a, 0x96, 0x3b, 0xd8, 0x9f, 0x3a, 0xb4, 0x13, 0xce,
    0x2f, 0xae, 0x0a, 0x37,
  ]),
};

const AES256GCM_SAMPLE = {
  encrypted: Buffer.from([
    128, 120, 163, 156, 159, 11, 131, 240, 0, 0, 197, 183, 175, 91, 102, 101, 195, 6, 200, 143, 117, 72, 108, 44, 165,
    123, 121, 49, 111, 38, 3, 0, 0, 0, 90,
  ]),
  key: Buffer.from([
    109, 77, 195, 27, 111, 50, 231, 84, 179, 255, 217, 217, 34, 227, 19, 106, 195, 20, 150, 237, 38, 4, 101, 210, 5, 90,
    8, 241, 58, 223, 24, 24,
  ]),
  decrypted: Buffer.from([0xf8, 0xff, 0xfe]),
};

beforeAll(() => cryptoReady());

describe('decryptRtp with real Discord packets', () => {
  it('opens aead_xchacha20_poly1305_rtpsize with a header extension (16-byte AAD, extension body stripped)', () => {
    const packet = decryptRtp(XCHACHA20_SAMPLE.encrypted, 'aead_xchacha20_poly1305_rtpsize', XCHACHA20_SAMPLE.key);
    expect(packet?.header).toMatchObject({
      sequence: 22_118,
      timestamp: 3_220_386_864,
      ssrc: 48_921,
      extension: true,
      headerBytes: 16,
      extensionWords: 2,
    });
    expect(packet?.opus).toEqual(XCHACHA20_SAMPLE.decrypted.subarray(8));
    expect(packet?.nonce).toBe(XCHACHA20_SAMPLE.encrypted.readUInt32BE(XCHACHA20_SAMPLE.encrypted.length - 4));
  });

  it('opens aead_aes256_gcm_rtpsize (12-byte AAD) to the silence frame', () => {
    const packet = decryptRtp(AES256GCM_SAMPLE.encrypted, 'aead_aes256_gcm_rtpsize', AES256GCM_SAMPLE.key);
    expect(packet?.header).toMatchObject({ sequence: 41_884, timestamp: 2_668_332_016, ssrc: 50_615, headerBytes: 12 });
    expect(packet?.opus).toEqual(AES256GCM_SAMPLE.decrypted);
    expect(packet?.nonce).toBe(90);
    expect(isSilenceFrame(packet!.opus)).toBe(true);
  });

  it('rejects a tampered packet, a wrong key and the wrong mode', () => {
    const tampered = Buffer.from(AES256GCM_SAMPLE.encrypted);
    tampered[1] = 0x79;
    expect(decryptRtp(tampered, 'aead_aes256_gcm_rtpsize', AES256GCM_SAMPLE.key)).toBeNull();
    expect(decryptRtp(AES256GCM_SAMPLE.encrypted, 'aead_aes256_gcm_rtpsize', Buffer.alloc(32))).toBeNull();
    expect(decryptRtp(AES256GCM_SAMPLE.encrypted, 'aead_xchacha20_poly1305_rtpsize', AES256GCM_SAMPLE.key)).toBeNull();
  });
});

describe('encryptRtp ∘ decryptRtp', () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
  const opus = Buffer.from('not really opus but bytes');

  it.each(AEAD_MODES)('round-trips in %s, with and without an extension', (mode) => {
    for (const extension of [undefined, Buffer.from([0x10, 0xff, 0x90, 0x00])]) {
      const packet = encryptRtp(
        { sequence: 65_535, timestamp: 4_294_967_000, ssrc: 4_242, nonce: 1, opus, extension },
        mode,
        key,
      );
      expect(packet.length).toBe(12 + (extension ? 8 : 0) + opus.length + 16 + 4);
      const opened = decryptRtp(packet, mode, key);
      expect(opened?.opus).toEqual(opus);
      expect(opened?.header).toMatchObject({
        sequence: 65_535,
        timestamp: 4_294_967_000,
        ssrc: 4_242,
        payloadType: 0x78,
      });
    }
  });

  it('lays the packet out as @discordjs/voice does: 80 78 header, ciphertext, tag, BE nonce', () => {
    const packet = encryptRtp(
      { sequence: 0x7b9b, timestamp: 0xca0e609b, ssrc: 4_242, nonce: 1, opus: SILENCE_FRAME },
      'aead_aes256_gcm_rtpsize',
      key,
    );
    expect(packet.subarray(0, 12).toString('hex')).toBe('80787b9bca0e609b00001092');
    expect(packet.subarray(-4).toString('hex')).toBe('00000001');
  });
});

describe('parseRtpHeader', () => {
  it('counts CSRCs and the extension header into the AAD and refuses non-RTP', () => {
    const withCsrc = Buffer.alloc(40);
    withCsrc[0] = 0x92;
    withCsrc[1] = 0x78;
    withCsrc.writeUInt16BE(3, 12 + 8 + 2);
    expect(parseRtpHeader(withCsrc)).toMatchObject({ csrcCount: 2, headerBytes: 24, extensionWords: 3 });
    expect(parseRtpHeader(Buffer.alloc(8))).toBeNull();
    expect(parseRtpHeader(Buffer.alloc(20))).toBeNull();
  });
});

describe('channelPermissions', () => {
  const guild = {
    guildId: 'g',
    ownerId: 'owner',
    rolePermissions: new Map([
      ['g', Perm.ViewChannel | Perm.Connect],
      ['dj', Perm.Speak],
      ['admin', Perm.Administrator],
    ]),
  };

  it('applies @everyone, role, then member overwrites; owners and admins get everything', () => {
    const overwrites = [
      { id: 'g', type: 'role' as const, allow: 0n, deny: Perm.Connect },
      { id: 'dj', type: 'role' as const, allow: Perm.Connect, deny: 0n },
      { id: 'u2', type: 'member' as const, allow: 0n, deny: Perm.ViewChannel },
    ];
    expect(channelPermissions(guild, 'u1', [], overwrites) & Perm.Connect).toBe(0n);
    expect(channelPermissions(guild, 'u1', ['dj'], overwrites) & Perm.Connect).toBe(Perm.Connect);
    expect(channelPermissions(guild, 'u2', ['dj'], overwrites) & Perm.ViewChannel).toBe(0n);
    expect(channelPermissions(guild, 'u3', ['admin'], overwrites) & Perm.Connect).toBe(Perm.Connect);
    expect(channelPermissions(guild, 'owner', [], overwrites) & Perm.ViewChannel).toBe(Perm.ViewChannel);
  });
});
