import type { Logger } from '../log.ts';
import type { TtsEngine, UtteranceMetrics } from '../tts/engine.ts';
import { GuildPlayer } from './guildPlayer.ts';
import { GuildPresence, type LeaveReason, type VoiceStateChange } from './guildPresence.ts';
import { MemberRate } from './memberShare.ts';
import type { Utterance } from './utterance.ts';
import type { JoinVoice } from './voiceSink.ts';

export interface GuildPlayersOptions {
  joinVoice: JoinVoice;
  engine: TtsEngine;
  maxQueue: number;
  /** Characters one member may have spoken per minute (/say and narration together). */
  memberCharsPerMinute?: number;
  idleLeaveMs: number;
  log: Logger;
  onError(utterance: Utterance, error: unknown): void;
  onSpoken?(utterance: Utterance, metrics: UtteranceMetrics): void;
  /** Once per utterance however it ended (the spend ledger settles here). */
  onEnded?(utterance: Utterance, metrics: UtteranceMetrics | undefined): void;
  /** People (not bots) in a voice channel right now. */
  humansIn(guildId: string, channelId: string): number;
  /** Asked when a guild has been idle for `idleLeaveMs`: true keeps the bot (it narrates a bound chat there). */
  staysWhenIdle(guildId: string, channelId: string): Promise<boolean>;
}

/** Every guild's voice presence and player: the only way to join or leave voice. */
export class GuildPlayers {
  /** Characters per minute per member, for everything queued on these players. */
  readonly rate: MemberRate;
  readonly #options: GuildPlayersOptions;
  readonly #presences = new Map<string, GuildPresence>();

  constructor(options: GuildPlayersOptions) {
    this.#options = options;
    this.rate = new MemberRate(options.memberCharsPerMinute ?? Number.MAX_SAFE_INTEGER);
  }

  /** The guild's player, while the bot is in voice there. */
  get(guildId: string): GuildPlayer | undefined {
    return this.#presences.get(guildId)?.present?.player;
  }

  /** The guild's player and the channel it speaks in, while the bot is in voice there. */
  presence(guildId: string): { player: GuildPlayer; channelId: string } | undefined {
    return this.#presences.get(guildId)?.present;
  }

  /** The voice channel the bot is in or joining in a guild, if any. */
  channelOf(guildId: string): string | undefined {
    const state = this.#presences.get(guildId)?.state;
    return state === undefined || state.status === 'absent' ? undefined : state.channelId;
  }

  /** Joins `channelId` (moving from another channel of the guild if needed) and returns the guild's player. */
  join(guildId: string, channelId: string): Promise<GuildPlayer> {
    return this.#presence(guildId).join(channelId);
  }

  /** Leaves the guild's voice channel; returns whether the bot was in (or joining) one. */
  leave(guildId: string, reason: LeaveReason = 'command'): boolean {
    return this.#presences.get(guildId)?.leave(reason) ?? false;
  }

  /** Every utterance being spoken or waiting, in every guild. */
  pending(): Utterance[] {
    return [...this.#presences.values()].flatMap((p) => p.present?.player.pending ?? []);
  }

  leaveAll(reason: LeaveReason = 'shutdown'): void {
    for (const presence of this.#presences.values()) presence.leave(reason);
  }

  /** A voice-state change in a guild (the bot moved or disconnected, a member left its channel). */
  voiceStateChanged(guildId: string, change: VoiceStateChange): void {
    this.#presences.get(guildId)?.voiceStateChanged(change);
  }

  #presence(guildId: string): GuildPresence {
    let presence = this.#presences.get(guildId);
    if (presence) return presence;
    const { joinVoice, engine, maxQueue, idleLeaveMs, log, onError, onSpoken, onEnded } = this.#options;
    presence = new GuildPresence({
      guildId,
      joinVoice,
      idleLeaveMs,
      log,
      newPlayer: (sink, onIdle) => new GuildPlayer({ engine, sink, maxQueue, onIdle, onError, onSpoken, onEnded }),
      humansIn: (channelId) => this.#options.humansIn(guildId, channelId),
      staysWhenIdle: (channelId) => this.#options.staysWhenIdle(guildId, channelId),
    });
    this.#presences.set(guildId, presence);
    return presence;
  }
}
