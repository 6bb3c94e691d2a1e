import type Keyv from 'keyv';
import { KeyedSerial } from './keyedSerial.ts';

/**
 * One small JSON record per guild under `<prefix>:<guildId>` (preferences, usage, settings), read
 * through a parser that falls back to a default for a missing or foreign value, and changed by
 * serialized read-modify-write so concurrent updates of one guild lose nothing.
 */
export class GuildRecord<T> {
  readonly #keyv: Keyv;
  readonly #prefix: string;
  readonly #parse: (value: unknown) => T;
  readonly #serial = new KeyedSerial();

  constructor(keyv: Keyv, prefix: string, parse: (value: unknown) => T) {
    this.#keyv = keyv;
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

  /** Replaces the guild's record with `change(current)` and returns the new value. */
  update(guildId: string, change: (current: T) => T): Promise<T> {
    return this.#serial.run(guildId, async () => {
      const next = change(await this.get(guildId));
      await this.#keyv.set(this.#key(guildId), next);
      return next;
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
