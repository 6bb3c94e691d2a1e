/**
 * RTP as Discord voice uses it: header parsing and the two "rtpsize" AEAD modes (pure functions).
 * @remarks AAD is the unencrypted header: 12 bytes + 4·CC + (X ? 4 : 0). The extension body is
 * encrypted with the payload and stripped after decryption; the last 4 bytes of the packet are
 * the big-endian nonce counter, padded with zeros to the cipher's nonce size.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

/** The transport encryption modes @discordjs/voice 0.19 can use. */
export type AeadMode = 'aead_aes256_gcm_rtpsize' | 'aead_xchacha20_poly1305_rtpsize';

/** Every supported mode, in the emulator's default offer order. */
export const AEAD_MODES: readonly AeadMode[] = ['aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize'];

/** RTP payload type Discord uses for Opus. */
export const OPUS_PAYLOAD_TYPE = 0x78;
/** The Opus frame the player sends for silence. */
export const SILENCE_FRAME: Readonly<Buffer> = Buffer.from([0xf8, 0xff, 0xfe]);

const TAG_BYTES = 16;
const NONCE_SUFFIX_BYTES = 4;

/** The fields of an RTP header, plus where the encrypted part starts. */
export interface RtpHeader {
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Bytes of unencrypted header (the AAD). */
  headerBytes: number;
  /** Length of the (encrypted) extension body in 32-bit words; 0 without X. */
  extensionWords: number;
}

/** A decrypted packet: the header and the Opus frame (extension and padding removed). */
export interface DecryptedRtp {
  header: RtpHeader;
  opus: Buffer;
  /** The nonce counter from the packet's last 4 bytes. */
  nonce: number;
}

/**
 * Resolves when the ciphers are usable (both are synchronous: AES-GCM from node:crypto, XChaCha from @noble/ciphers).
 */
export function cryptoReady(): Promise<void> {
  return Promise.resolve();
}

/** Parses an RTP version-2 header; `null` when `packet` is not one. */
export function parseRtpHeader(packet: Buffer): RtpHeader | null {
  if (packet.length < 12 || (packet[0]! & 0xc0) !== 0x80) return null;
  const first = packet[0]!;
  const csrcCount = first & 0x0f;
  const extension = (first & 0x10) !== 0;
  let headerBytes = 12 + 4 * csrcCount;
  const extensionWords = extension && packet.length >= headerBytes + 4 ? packet.readUInt16BE(headerBytes + 2) : 0;
  if (extension) headerBytes += 4;
  if (packet.length < headerBytes) return null;
  return {
    padding: (first & 0x20) !== 0,
    extension,
    csrcCount,
    marker: (packet[1]! & 0x80) !== 0,
    payloadType: packet[1]! & 0x7f,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    headerBytes,
    extensionWords,
  };
}

/** Decrypts one packet in `mode`; `null` when it is malformed or fails authentication. */
export function decryptRtp(packet: Buffer, mode: AeadMode, key: Uint8Array): DecryptedRtp | null {
  const header = parseRtpHeader(packet);
  if (header === null || packet.length < header.headerBytes + TAG_BYTES + NONCE_SUFFIX_BYTES) return null;
  const aad = packet.subarray(0, header.headerBytes);
  const nonceSuffix = packet.subarray(packet.length - NONCE_SUFFIX_BYTES);
  const sealed = packet.subarray(header.headerBytes, packet.length - NONCE_SUFFIX_BYTES);
  const plain = openAead(mode, key, nonceSuffix, aad, sealed);
  if (plain === null) return null;
  let opus = plain;
  if (header.padding && opus.length > 0) {
    const padBytes = opus[opus.length - 1]!;
    if (padBytes < opus.length) opus = opus.subarray(0, opus.length - padBytes);
  }
  if (header.extension) opus = opus.subarray(4 * header.extensionWords);
  return { header, opus, nonce: nonceSuffix.readUInt32BE(0) };
}

/** Fields for {@link encryptRtp}; an extension body, when given, is encrypted with the payload. */
export interface RtpPacketSpec {
  sequence: number;
  timestamp: number;
  ssrc: number;
  nonce: number;
  opus: Buffer;
  /** Extension body (a multiple of 4 bytes) sent with profile `0xBEDE`. */
  extension?: Buffer;
}

/** Builds an encrypted packet the way Discord (or @discordjs/voice) does; the inverse of {@link decryptRtp}. */
export function encryptRtp(spec: RtpPacketSpec, mode: AeadMode, key: Uint8Array): Buffer {
  const base = Buffer.alloc(12);
  base[0] = spec.extension ? 0x90 : 0x80;
  base[1] = OPUS_PAYLOAD_TYPE;
  base.writeUInt16BE(spec.sequence & 0xffff, 2);
  base.writeUInt32BE(spec.timestamp >>> 0, 4);
  base.writeUInt32BE(spec.ssrc >>> 0, 8);
  let aad = base;
  let plain = spec.opus;
  if (spec.extension) {
    const extHeader = Buffer.from([0xbe, 0xde, 0, 0]);
    extHeader.writeUInt16BE(spec.extension.length / 4, 2);
    aad = Buffer.concat([base, extHeader]);
    plain = Buffer.concat([spec.extension, spec.opus]);
  }
  const nonceSuffix = Buffer.alloc(NONCE_SUFFIX_BYTES);
  nonceSuffix.writeUInt32BE(spec.nonce >>> 0, 0);
  return Buffer.concat([aad, sealAead(mode, key, nonceSuffix, aad, plain), nonceSuffix]);
}

/** True for the `f8 ff fe` Opus silence frame. */
export function isSilenceFrame(opus: Buffer): boolean {
  return opus.equals(SILENCE_FRAME);
}

function openAead(mode: AeadMode, key: Uint8Array, suffix: Buffer, aad: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < TAG_BYTES) return null;
  try {
    if (mode === 'aead_aes256_gcm_rtpsize') {
      const decipher = createDecipheriv('aes-256-gcm', key, fullNonce(suffix, 12));
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
      decipher.final(); // checks the tag; a GCM decipher has nothing left to return
      return plain;
    }
    const plain = xchacha20poly1305(key, fullNonce(suffix, 24), aad).decrypt(sealed);
    return Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
  } catch {
    return null;
  }
}

function sealAead(mode: AeadMode, key: Uint8Array, suffix: Buffer, aad: Buffer, plain: Buffer): Buffer {
  if (mode === 'aead_aes256_gcm_rtpsize') {
    const cipher = createCipheriv('aes-256-gcm', key, fullNonce(suffix, 12));
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }
  const sealed = xchacha20poly1305(key, fullNonce(suffix, 24), aad).encrypt(plain);
  return Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
}

function fullNonce(suffix: Buffer, size: number): Buffer {
  const nonce = Buffer.alloc(size);
  suffix.copy(nonce, 0);
  return nonce;
}
