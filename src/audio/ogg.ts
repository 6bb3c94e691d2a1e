/**
 * A minimal Ogg Opus muxer (RFC 3533 pages, RFC 7845 Opus mapping).
 *
 * @remarks
 * prism-media 1.3.5 (the latest release) only demuxes Ogg (`opus.OggDemuxer`); its muxer,
 * `OggLogicalBitstream`, exists only in the 2.0.0-alpha line. One logical stream of Opus packets
 * needs only page framing, lacing and the Ogg CRC, so it is written here instead of depending on
 * an alpha.
 */

const CRC_POLYNOMIAL = 0x04c11db7;
const CAPTURE = Buffer.from('OggS', 'ascii');
const PAGE_HEADER_BYTES = 27;
const MAX_SEGMENTS = 255;
const MAX_LACING = 255;
const FLAG_BOS = 0x02;
const FLAG_EOS = 0x04;
/** Packets per audio page: 50 × 20 ms = 1 s, the page duration RFC 7845 suggests as an upper bound. */
const PACKETS_PER_PAGE = 50;

/** Ogg's CRC-32: polynomial 0x04c11db7, MSB first, initial value 0, no final XOR. */
const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ CRC_POLYNOMIAL : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** The Ogg page checksum of `bytes` (with the page's CRC field zeroed). */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
  return crc;
}

/** Fields of one Ogg page. */
export interface OggPage {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  packets: readonly Buffer[];
}

/** Serializes one page whose packets all end on it (Opus packets never need continuation). */
export function oggPage(page: OggPage): Buffer {
  const lacing: number[] = [];
  for (const packet of page.packets) {
    for (let left = packet.length; ; left -= MAX_LACING) {
      lacing.push(Math.min(left, MAX_LACING));
      if (left < MAX_LACING) break;
    }
  }
  if (lacing.length > MAX_SEGMENTS) throw new Error(`Ogg page needs ${lacing.length} segments (max 255)`);
  const header = Buffer.alloc(PAGE_HEADER_BYTES + lacing.length);
  CAPTURE.copy(header, 0);
  header.writeUInt8(page.flags, 5);
  header.writeBigInt64LE(page.granule, 6);
  header.writeUInt32LE(page.serial >>> 0, 14);
  header.writeUInt32LE(page.sequence, 18);
  header.writeUInt8(lacing.length, 26);
  Buffer.from(lacing).copy(header, PAGE_HEADER_BYTES);
  const bytes = Buffer.concat([header, ...page.packets]);
  bytes.writeUInt32LE(oggCrc(bytes), 22);
  return bytes;
}

/** Lacing segments a packet occupies. */
function segmentsOf(packet: Buffer): number {
  return Math.floor(packet.length / MAX_LACING) + 1;
}

/** Samples (at 48 kHz) one Opus packet decodes to, from its TOC byte (RFC 6716 §3.1). */
export function opusPacketSamples(packet: Buffer): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const config = toc >> 3;
  const frameSamples =
    config < 12
      ? [480, 960, 1920, 2880][config % 4]
      : config < 16
        ? [480, 960][config % 2]
        : [120, 240, 480, 960][config % 4];
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f;
  return (frameSamples ?? 0) * frames;
}

/** Options of the OpusHead header. */
export interface OpusHeadOptions {
  channels: number;
  preSkip: number;
  inputSampleRate: number;
}

/** The OpusHead identification header (RFC 7845 §5.1), channel mapping family 0. */
export function opusHead(options: OpusHeadOptions): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head.writeUInt8(1, 8);
  head.writeUInt8(options.channels, 9);
  head.writeUInt16LE(options.preSkip, 10);
  head.writeUInt32LE(options.inputSampleRate, 12);
  head.writeInt16LE(0, 16);
  head.writeUInt8(0, 18);
  return head;
}

/** The OpusTags comment header (RFC 7845 §5.2) with a vendor string and no comments. */
export function opusTags(vendor: string): Buffer {
  const vendorBytes = Buffer.from(vendor, 'utf8');
  const tags = Buffer.alloc(8 + 4 + vendorBytes.length + 4);
  tags.write('OpusTags', 0, 'ascii');
  tags.writeUInt32LE(vendorBytes.length, 8);
  vendorBytes.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendorBytes.length);
  return tags;
}

/**
 * Packs Opus packets into Ogg pages: header pages first, ~1 s audio pages, EOS on the last.
 *
 * @remarks
 * The current page is held back until the next packet arrives or {@link OggOpusMuxer.end}, so
 * the last page can carry the end-of-stream flag without knowing the length in advance.
 * Granule positions count 48 kHz samples from the start, pre-skip included.
 */
export class OggOpusMuxer {
  readonly #serial: number;
  #sequence = 0;
  #granule = 0n;
  #pending: Buffer[] = [];
  #segments = 0;

  constructor(serial: number) {
    this.#serial = serial;
  }

  /** The two header pages (OpusHead with BOS, then OpusTags). */
  headers(head: OpusHeadOptions, vendor: string): Buffer {
    return Buffer.concat([this.#page(FLAG_BOS, 0n, [opusHead(head)]), this.#page(0, 0n, [opusTags(vendor)])]);
  }

  /** Adds a packet; returns a finished page when the held one is full, else nothing. */
  add(packet: Buffer): Buffer | undefined {
    const needed = segmentsOf(packet);
    if (needed > MAX_SEGMENTS) throw new Error(`Opus packet of ${packet.length} bytes is too large`);
    let page: Buffer | undefined;
    if (this.#pending.length >= PACKETS_PER_PAGE || this.#segments + needed > MAX_SEGMENTS) {
      page = this.#page(0, this.#granule, this.#pending);
      this.#pending = [];
      this.#segments = 0;
    }
    this.#pending.push(packet);
    this.#segments += needed;
    this.#granule += BigInt(opusPacketSamples(packet));
    return page;
  }

  /** The final page, flagged end-of-stream. */
  end(): Buffer {
    const page = this.#page(FLAG_EOS, this.#granule, this.#pending);
    this.#pending = [];
    return page;
  }

  #page(flags: number, granule: bigint, packets: readonly Buffer[]): Buffer {
    return oggPage({ flags, granule, serial: this.#serial, sequence: this.#sequence++, packets });
  }
}
