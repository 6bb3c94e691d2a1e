import type { NarrationPatch, NarrationSettings, NarrationSettingsStore } from './settings.ts';

/**
 * The narration settings store with each guild's settings kept in memory once read.
 * @remarks Every chat message of every server the bot is in is checked against its guild's bindings,
 * so reading the store each time would put one storage read behind every message. Changes go
 * through here (write-through), and Discord routes a guild's events to one process, so the copy
 * cannot go stale. A failed read is not cached.
 */
export class CachedNarrationSettings {
  readonly store: NarrationSettingsStore;
  readonly #cache = new Map<string, Promise<NarrationSettings>>();

  constructor(store: NarrationSettingsStore) {
    this.store = store;
  }

  get(guildId: string): Promise<NarrationSettings> {
    const cached = this.#cache.get(guildId);
    if (cached) return cached;
    const read = this.store.get(guildId);
    this.#cache.set(guildId, read);
    read.catch(() => {
      if (this.#cache.get(guildId) === read) this.#cache.delete(guildId);
    });
    return read;
  }

  /** Binds a text channel to a voice channel (`null`: wherever the bot is). */
  bind(guildId: string, textChannelId: string, voiceChannelId: string | null): Promise<NarrationSettings> {
    return this.#write(guildId, this.store.bind(guildId, textChannelId, voiceChannelId));
  }

  unbind(guildId: string, textChannelId: string): Promise<NarrationSettings> {
    return this.#write(guildId, this.store.unbind(guildId, textChannelId));
  }

  update(guildId: string, patch: NarrationPatch): Promise<NarrationSettings> {
    return this.#write(guildId, this.store.update(guildId, patch));
  }

  /** Replaces the settings with `change(current)` (the people lists); a throw in `change` writes nothing. */
  change(guildId: string, change: (current: NarrationSettings) => NarrationSettings): Promise<NarrationSettings> {
    return this.#write(guildId, this.store.change(guildId, change));
  }

  async #write(guildId: string, written: Promise<NarrationSettings>): Promise<NarrationSettings> {
    try {
      const settings = await written;
      this.#cache.set(guildId, Promise.resolve(settings));
      return settings;
    } catch (error) {
      this.#cache.delete(guildId);
      throw error;
    }
  }
}
