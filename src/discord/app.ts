import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { BotMetrics } from '../metrics/botMetrics.ts';
import type { Narrator } from '../narration/narrator.ts';
import type { TypingPrewarm } from '../narration/prewarmOnTyping.ts';
import type { GuildPlayers } from '../playback/guildPlayers.ts';
import type { SpendLedger } from '../spend/ledger.ts';
import type { SpeechSpend } from '../spend/speechSpend.ts';
import type { VoicePreferences } from '../voices/preferences.ts';
import type { VoiceRegistry } from '../voices/registry.ts';
import type { VoiceLibrary } from '../voices/voiceLibrary.ts';
import type { VoiceChannelStatus } from './channelStatus.ts';

/** What the Discord handlers work with; built once in `main.ts`. */
export interface App {
  config: Config;
  log: Logger;
  library: VoiceLibrary;
  registry: VoiceRegistry;
  preferences: VoicePreferences;
  players: GuildPlayers;
  /** Narrated chat: settings, dictionary, and chat messages to utterances. */
  narration: Narrator;
  /** Opens a typing member's voice session before their message arrives. */
  prewarm: TypingPrewarm;
  /** Every paid call's reservation and record, and the budgets. */
  spend: SpendLedger;
  /** Speech held to the budgets: reserve before queueing, settle when spoken. */
  speechSpend: SpeechSpend;
  /** The voice channel status ("Reading #general") while narrating. */
  channelStatus: VoiceChannelStatus;
  /** When each member's last `/voice design` was taken, per `guildId:userId`, for the cooldown. */
  designCooldowns: Map<string, number>;
  /** Counts the DashScope failures interactions meet (absent where nothing is measured, e.g. tests). */
  metrics?: BotMetrics;
}

/** A slash-command handler; `interaction` is always in a cached guild. */
export type Handler = (interaction: ChatInputCommandInteraction<'cached'>, app: App) => Promise<void>;

/**
 * A button handler; `args` are the parts of the custom id after its prefix (`design:discard:<voice>:<user>`).
 * @remarks Buttons carry their whole context in the custom id, so they work after a restart and never
 * race a collector that is still being set up.
 */
export type ButtonHandler = (click: ButtonInteraction<'cached'>, app: App, args: string[]) => Promise<void>;
