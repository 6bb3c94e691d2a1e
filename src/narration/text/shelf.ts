/** Marks that open and close a shelved piece; stripped from input so a message cannot forge them. */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const TOKEN = /\uE000(\d+)\uE001/gu;
const RESERVED = /[\uE000-\uE002]/gu;

/**
 * Holds finished pieces of speech (names, "link", inline code) out of reach of later text rules.
 * @remarks A display name like `__Bob__` or an emoji name like `pepe_laugh` must not be read as
 * markdown, so each rule that produces final words puts them here and leaves a token that no later
 * rule matches; {@link Shelf.restore} puts them back.
 */
export class Shelf {
  readonly #items: string[] = [];

  /** Shelves `text`, returning the token that stands for it; `pad` surrounds it with spaces. */
  put(text: string, pad = true): string {
    this.#items.push(text);
    const token = `${OPEN}${this.#items.length - 1}${CLOSE}`;
    return pad ? ` ${token} ` : token;
  }

  /** Replaces every token in `text` with its shelved piece. */
  restore(text: string): string {
    return text.replace(TOKEN, (_, index: string) => this.#items[Number(index)] ?? '');
  }
}

/** Removes the characters shelf tokens are made of. */
export function stripReserved(text: string): string {
  return text.replace(RESERVED, '');
}
