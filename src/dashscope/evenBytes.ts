/**
 * Re-cuts a byte stream into even-length chunks (whole 16-bit samples).
 * @remarks The spec does not promise whole samples per delta (§1.7), so an odd byte is carried over.
 */
export class EvenBytes {
  #carry: Buffer | undefined;

  /** The even-length part of `carry + bytes` (possibly empty); keeps the odd last byte for next time. */
  take(bytes: Buffer): Buffer {
    const joined = this.#carry === undefined ? bytes : Buffer.concat([this.#carry, bytes]);
    this.#carry = undefined;
    if (joined.length % 2 === 0) return joined;
    this.#carry = joined.subarray(joined.length - 1);
    return joined.subarray(0, joined.length - 1);
  }
}
