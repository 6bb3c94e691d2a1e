import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { GuildPlayer } from './guildPlayer.ts';
import type { JoinVoice, VoiceSink } from './voiceSink.ts';

/** Why the bot left a voice channel (logged). */
export type LeaveReason = 'command' | 'idle' | 'alone' | 'disconnected' | 'connection_lost' | 'moving' | 'shutdown';

/** Where one guild's bot is in voice. */
export type PresenceState =
  | { status: 'absent' }
  | { status: 'joining'; channelId: string; joined: Promise<GuildPlayer>; controller: AbortController }
  | { status: 'present'; channelId: string; player: GuildPlayer; idleTimer: NodeJS.Timeout | undefined };

/** A voice-state change in the guild, in plain ids (`null`: not in a voice channel). */
export interface VoiceStateChange {
  userId: string;
  /** The change is the bot's own (a moderator moved or disconnected it). */
  isSelf: boolean;
  isBot: boolean;
  before: string | null;
  after: string | null;
}

export interface GuildPresenceOptions {
  guildId: string;
  joinVoice: JoinVoice;
  /** A player over a fresh connection; it must call `onIdle` whenever its queue runs dry. */
  newPlayer(sink: VoiceSink, onIdle: () => void): GuildPlayer;
  idleLeaveMs: number;
  /** People (not bots) in a voice channel of this guild right now. */
  humansIn(channelId: string): number;
  /** Asked once the bot has been idle for `idleLeaveMs`: true keeps it (a narrated chat is bound here). */
  staysWhenIdle(channelId: string): Promise<boolean>;
  log: Logger;
}

/**
 * The one owner of a guild's voice presence: which channel the bot is in, why it stays, when it goes.
 * @remarks Fed by commands (`join`, `leave`), the player (idle), the connection (gone) and voice-state
 * events (moved, disconnected, left alone); every leave goes through {@link GuildPresence.leave}.
 */
export class GuildPresence {
  readonly #options: GuildPresenceOptions;
  #state: PresenceState = { status: 'absent' };

  constructor(options: GuildPresenceOptions) {
    this.#options = options;
  }

  get state(): PresenceState {
    return this.#state;
  }

  /** The player and its channel while the bot is in voice. */
  get present(): { player: GuildPlayer; channelId: string } | undefined {
    return this.#state.status === 'present' ? this.#state : undefined;
  }

  /** Joins `channelId` (moving from another channel if needed); resolves with the player there. */
  async join(channelId: string): Promise<GuildPlayer> {
    const state = this.#state;
    if (state.status === 'present' && state.channelId === channelId) return state.player;
    if (state.status === 'joining') {
      if (state.channelId === channelId) return state.joined;
      await state.joined.catch(() => undefined);
      return this.join(channelId);
    }
    if (state.status === 'present') this.leave('moving');
    const controller = new AbortController();
    const joined = this.#connect(channelId, controller.signal);
    this.#state = { status: 'joining', channelId, joined, controller };
    return joined;
  }

  /** Leaves voice (or gives up a join in progress); returns whether the bot was in or joining a channel. */
  leave(reason: LeaveReason): boolean {
    const state = this.#state;
    if (state.status === 'absent') return false;
    this.#state = { status: 'absent' };
    if (state.status === 'joining') state.controller.abort();
    if (state.status === 'present') {
      clearTimeout(state.idleTimer);
      state.player.destroy();
    }
    this.#options.log.info({ guildId: this.#options.guildId, channelId: state.channelId, reason }, 'left voice');
    return true;
  }

  /** Someone's voice state changed in this guild. */
  voiceStateChanged(change: VoiceStateChange): void {
    const state = this.#state;
    if (state.status !== 'present') return;
    if (change.isSelf) this.#selfMoved(state, change.after);
    else if (!change.isBot && change.before === state.channelId && change.after !== state.channelId)
      this.#leaveIfAlone();
  }

  /** A moderator moved the bot (follow it) or disconnected it (forget the channel at once). */
  #selfMoved(state: Extract<PresenceState, { status: 'present' }>, channelId: string | null): void {
    if (channelId === state.channelId) return;
    if (channelId === null) {
      this.leave('disconnected');
      return;
    }
    this.#options.log.info({ guildId: this.#options.guildId, from: state.channelId, to: channelId }, 'moved in voice');
    this.#state = { ...state, channelId };
    this.#leaveIfAlone();
  }

  #leaveIfAlone(): void {
    if (this.#state.status === 'present' && this.#options.humansIn(this.#state.channelId) === 0) this.leave('alone');
  }

  /** Connects; `signal` aborts when the join is given up (a leave came first), and only then is the state not ours. */
  async #connect(channelId: string, signal: AbortSignal): Promise<GuildPlayer> {
    const { guildId, joinVoice, newPlayer, log } = this.#options;
    let player: GuildPlayer | undefined;
    let sink: VoiceSink;
    try {
      sink = await joinVoice(guildId, channelId, () => this.#gone(player));
    } catch (error) {
      if (!signal.aborted) this.#state = { status: 'absent' };
      throw error;
    }
    if (signal.aborted) {
      sink.destroy();
      throw new UserError('conflict', 'The bot was asked to leave before it finished joining.');
    }
    const joined = newPlayer(sink, () => this.#armIdle(joined));
    player = joined;
    this.#state = { status: 'present', channelId, player: joined, idleTimer: undefined };
    log.info({ guildId, channelId }, 'joined voice');
    this.#armIdle(joined);
    return joined;
  }

  /** The connection ended on its own: forget it. */
  #gone(player: GuildPlayer | undefined): void {
    if (this.#state.status === 'present' && this.#state.player === player) this.leave('connection_lost');
  }

  /** The player is idle: leave after `idleLeaveMs` unless it speaks again or the bot should stay. */
  #armIdle(player: GuildPlayer): void {
    const state = this.#state;
    if (state.status !== 'present' || state.player !== player) return;
    clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(() => void this.#idleElapsed(player), this.#options.idleLeaveMs);
    state.idleTimer.unref();
  }

  async #idleElapsed(player: GuildPlayer): Promise<void> {
    const state = this.#state;
    if (state.status !== 'present' || state.player !== player || player.status !== 'idle') return;
    const stay = await this.#options.staysWhenIdle(state.channelId).catch(() => false);
    if (this.present?.player !== player || player.status !== 'idle') return;
    if (stay) this.#armIdle(player);
    else this.leave('idle');
  }
}
