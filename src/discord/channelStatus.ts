import { ChannelType, type Client, DiscordAPIError, type Guild, PermissionFlagsBits, Routes } from 'discord.js';
import type { Logger } from '../log.ts';
import type { NarrationSettings } from '../narration/settings.ts';
import { narrationStatus } from '../narration/statusText.ts';
import { KeyedSerial } from '../voices/keyedSerial.ts';

/** How long shutdown waits for each status to clear, ms. */
const CLEAR_ON_SHUTDOWN_MS = 3_000;
/** Discord's "Missing Permissions" error code. */
const MISSING_PERMISSIONS = 50_013;

/** The status the bot last set in a guild, and on which voice channel. */
interface SetStatus {
  channelId: string;
  status: string;
}

/**
 * The voice channel status ("Reading #general") while the bot narrates in a voice channel, cleared when it stops
 * or leaves.
 * @remarks discord.js 14 has no helper for Set Voice Channel Status (`PUT /channels/{id}/voice-status`, documented
 * April 2026), so it goes through `client.rest` with `Routes.channelVoiceStatus`. Discord requires Set Voice Channel
 * Status, and Manage Channels too once the bot is no longer connected to the channel (so clearing after a leave
 * needs it). A missing permission is logged once per guild and never reaches a member; the status is a courtesy.
 */
export class VoiceChannelStatus {
  readonly #client: Client;
  readonly #log: Logger;
  readonly #settings: (guildId: string) => Promise<NarrationSettings>;
  readonly #serial = new KeyedSerial();
  readonly #set = new Map<string, SetStatus>();
  readonly #warned = new Set<string>();

  constructor(client: Client, log: Logger, settings: (guildId: string) => Promise<NarrationSettings>) {
    this.#client = client;
    this.#log = log;
    this.#settings = settings;
  }

  /** Brings the status in line with what is read where the bot is in voice now (clearing a channel it left). */
  refresh(guildId: string): Promise<void> {
    return this.#serial.run(guildId, async () => {
      const guild = this.#client.guilds.cache.get(guildId);
      if (!guild) return;
      const channelId = guild.members.me?.voice.channelId ?? null;
      const previous = this.#set.get(guildId);
      if (previous && previous.channelId !== channelId) await this.#put(guild, previous.channelId, null);
      if (channelId === null) return;
      const settings = await this.#settings(guildId);
      const status = narrationStatus(settings, channelId, (id) => guild.channels.cache.get(id)?.name);
      if (status === (this.#set.get(guildId)?.status ?? null)) return;
      await this.#put(guild, channelId, status);
    });
  }

  /** Clears every status the bot set (on shutdown, while it is still connected). */
  async clearAll(): Promise<void> {
    await Promise.allSettled(
      [...this.#set.entries()].map(([guildId, { channelId }]) =>
        this.#serial.run(guildId, async () => {
          const guild = this.#client.guilds.cache.get(guildId);
          if (guild) await this.#put(guild, channelId, null, AbortSignal.timeout(CLEAR_ON_SHUTDOWN_MS));
        }),
      ),
    );
  }

  async #put(guild: Guild, channelId: string, status: string | null, signal?: AbortSignal): Promise<void> {
    const missing = this.#missing(guild, channelId);
    if (missing !== undefined) {
      this.#forget(guild.id, channelId);
      return this.#warnOnce(guild.id, channelId, missing);
    }
    try {
      await this.#client.rest.put(Routes.channelVoiceStatus(channelId), { body: { status }, signal });
      if (status === null) this.#forget(guild.id, channelId);
      else this.#set.set(guild.id, { channelId, status });
      this.#log.debug({ guildId: guild.id, channelId, status }, 'voice channel status set');
    } catch (error) {
      this.#forget(guild.id, channelId);
      if (error instanceof DiscordAPIError && error.code === MISSING_PERMISSIONS)
        return this.#warnOnce(guild.id, channelId, 'refused by Discord (Missing Permissions)');
      this.#log.warn({ err: error, guildId: guild.id, channelId }, 'voice channel status not set');
    }
  }

  /** What the bot lacks to set `channelId`'s status, by Discord's rules, or `undefined`. */
  #missing(guild: Guild, channelId: string): string | undefined {
    const me = guild.members.me;
    const channel = guild.channels.cache.get(channelId);
    if (!me || channel?.type !== ChannelType.GuildVoice) return 'not a voice channel the bot can see';
    const granted = channel.permissionsFor(me);
    if (!granted.has(PermissionFlagsBits.SetVoiceChannelStatus)) return 'missing Set Voice Channel Status';
    const connected = me.voice.channelId === channelId;
    return connected || granted.has(PermissionFlagsBits.ManageChannels)
      ? undefined
      : 'not connected to it, and missing Manage Channels (needed then)';
  }

  #forget(guildId: string, channelId: string): void {
    if (this.#set.get(guildId)?.channelId === channelId) this.#set.delete(guildId);
  }

  #warnOnce(guildId: string, channelId: string, reason: string): void {
    if (this.#warned.has(guildId)) return;
    this.#warned.add(guildId);
    this.#log.info({ guildId, channelId, reason }, 'voice channel status not set (logged once per server)');
  }
}
