import type { Logger } from '../log.ts';
import type { TtsEngine, UtteranceMetrics } from '../tts/engine.ts';
import { GuildPlayer, type Encode } from './guildPlayer.ts';
import type { Utterance } from './utterance.ts';
import type { JoinVoice } from './voiceSink.ts';

export interface GuildPlayersOptions {
  joinVoice: JoinVoice;
  engine: TtsEngine;
  encode: Encode;
  maxQueue: number;
  idleLeaveMs: number;
  log: Logger;
  onError(utterance: Utterance, error: unknown): void;
  onSpoken?(utterance: Utterance, metrics: UtteranceMetrics): void;
  /** Asked when a guild has been idle for `idleLeaveMs`: true keeps the bot in the channel (e.g. it narrates a bound chat). */
  stayWhenIdle?(guildId: string, channelId: string): Promise<boolean>;
}

/** Every guild's player: the only way to join or leave voice. */
export class GuildPlayers {
  readonly #options: GuildPlayersOptions;
  readonly #players = new Map<string, GuildPlayer>();
  readonly #joining = new Map<string, Promise<GuildPlayer>>();

  constructor(options: GuildPlayersOptions) {
    this.#options = options;
  }

  get(guildId: string): GuildPlayer | undefined {
    return this.#players.get(guildId);
  }

  /** Joins `channelId` (moving from another channel of the guild if needed) and returns the guild's player. */
  async join(guildId: string, channelId: string): Promise<GuildPlayer> {
    const current = this.#players.get(guildId);
    if (current?.sink.channelId === channelId) return current;
    const pending = this.#joining.get(guildId);
    if (pending) return pending;
    const joining = this.#connect(guildId, channelId).finally(() => this.#joining.delete(guildId));
    this.#joining.set(guildId, joining);
    return joining;
  }

  /** Leaves the guild's voice channel (also when the connection ended on its own); returns whether the bot was in one. */
  leave(guildId: string): boolean {
    const player = this.#players.get(guildId);
    if (!player) return false;
    this.#players.delete(guildId);
    player.destroy();
    this.#options.log.info({ guildId }, 'left voice');
    return true;
  }

  leaveAll(): void {
    for (const guildId of [...this.#players.keys()]) this.leave(guildId);
  }

  async #idle(guildId: string, player: GuildPlayer): Promise<void> {
    const stay = await this.#options.stayWhenIdle?.(guildId, player.sink.channelId).catch(() => false);
    if (this.#players.get(guildId) !== player) return;
    if (stay) player.rearmIdle();
    else this.leave(guildId);
  }

  async #connect(guildId: string, channelId: string): Promise<GuildPlayer> {
    this.leave(guildId);
    const sink = await this.#options.joinVoice(guildId, channelId);
    const { engine, encode, maxQueue, idleLeaveMs, onError, onSpoken } = this.#options;
    const player = new GuildPlayer({ engine, encode, sink, maxQueue, idleLeaveMs, onError, onSpoken, onIdle: () => void this.#idle(guildId, player) });
    this.#players.set(guildId, player);
    this.#options.log.info({ guildId, channelId }, 'joined voice');
    return player;
  }
}
