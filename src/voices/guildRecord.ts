import type Keyv from 'keyv';
import { type AtomicDocs, docsOf, Undecodable } from './storeKeyv.ts';

/**
 * One small JSON record per guild under `<prefix>:<guildId>` (preferences, usage, settings), read
 * through a parser that falls back to a default for a missing or foreign value, and changed by the
 * store's atomic read-modify-write, so concurrent updates of one guild, from any process, lose nothing.
 */
export class GuildRecord<T> {
  readonly #keyv: Keyv;
  readonly #docs: AtomicDocs;
  readonly #prefix: string;
  readonly #parse: (value: unknown) => T;

  constructor(keyv: Keyv, prefix: string, parse: (value: unknown) => T) {
    this.#keyv = keyv;
    this.#docs = docsOf(keyv);
    this.#prefix = prefix;
    this.#parse = parse;
  }

  /** The guild's record (the parser's default when there is none, or when the stored bytes are not JSON). */
  async get(guildId: string): Promise<T> {
    try {
      return this.#parse(await this.#keyv.get(this.#key(guildId)));
    } catch (error) {
      // Undecodable bytes are a foreign value, like a wrong shape; a storage failure still propagates.
      if (error instanceof SyntaxError) return this.#parse(undefined);
      throw error;
    }
  }

  /** Replaces the guild's record with `change(current)` and returns the new value; `change` may run twice. */
  update(guildId: string, change: (current: T) => T): Promise<T> {
    const key = this.#key(guildId);
    return this.#docs.update([key], ([stored]) => {
      const next = change(this.#parse(stored instanceof Undecodable ? undefined : stored));
      return { writes: { [key]: next }, result: next };
    });
  }

  #key(guildId: string): string {
    return `${this.#prefix}:${guildId}`;
  }
}

/** A plain object of string keys, or an empty one. */
export function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
