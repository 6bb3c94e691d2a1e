/**
 * The TLS presentation language as MLS uses it (RFC 9420 §2.1.2): fixed-width integers and vectors
 * with a variable-length (1, 2 or 4 byte) length prefix. Pure functions over Buffers.
 */

/** Encodes `length` as an MLS varint (2-bit prefix: 00 → 1 byte, 01 → 2, 10 → 4). */
export function varint(length: number): Buffer {
  if (length < 0x40) return Buffer.from([length]);
  if (length < 0x4000) return Buffer.from([0x40 | (length >> 8), length & 0xff]);
  if (length < 0x40000000) {
    const out = Buffer.alloc(4);
    out.writeUInt32BE((0x80000000 | length) >>> 0, 0);
    return out;
  }
  throw new RangeError(`vector too long: ${length}`);
}

/** A vector: varint length, then the bytes. */
export function vec(...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([varint(body.length), body]);
}

/** Big-endian unsigned integers of 1, 2, 4 or 8 bytes. */
export function u8(value: number): Buffer {
  return Buffer.from([value & 0xff]);
}
export function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value, 0);
  return out;
}
export function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}
export function u64(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(value, 0);
  return out;
}

/** A cursor over TLS-encoded bytes; every read throws a RangeError past the end. */
export class TlsReader {
  offset = 0;
  readonly bytes: Buffer;
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  u8(): number {
    return this.take(1)[0]!;
  }
  u16(): number {
    return this.take(2).readUInt16BE(0);
  }
  u32(): number {
    return this.take(4).readUInt32BE(0);
  }
  u64(): bigint {
    return this.take(8).readBigUInt64BE(0);
  }

  /** A vector's body (without its length prefix). */
  vec(): Buffer {
    return this.take(this.varint());
  }

  /** Reads a varint length. */
  varint(): number {
    const first = this.u8();
    const prefix = first >> 6;
    if (prefix === 0) return first & 0x3f;
    if (prefix === 1) return ((first & 0x3f) << 8) | this.u8();
    if (prefix === 2) return (((first & 0x3f) << 24) | (this.u8() << 16) | (this.u8() << 8) | this.u8()) >>> 0;
    throw new RangeError('invalid varint prefix');
  }

  take(count: number): Buffer {
    if (this.offset + count > this.bytes.length) throw new RangeError('truncated TLS data');
    const out = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  /** The bytes between `start` and the cursor. */
  since(start: number): Buffer {
    return this.bytes.subarray(start, this.offset);
  }
}
