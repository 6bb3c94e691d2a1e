/**
 * The shared state of one running Discord emulator.
 */
import { type CommandStore, newCommandStore } from './commands.ts';
import type { GuildModel, UserModel } from './guildModel.ts';
import { snowflakeFactory } from './ids.ts';
import type { InteractionRecord } from './interactionRecord.ts';
import { AEAD_MODES } from './rtp.ts';
import type {
  DiscordEmulatorOptions,
  EmulatedAttachment,
  EmulatedMessage,
  ResolvedOptions,
  RestCall,
  VoiceStatusChange,
} from './types.ts';
import { type GuildVoiceState, newGuildVoice } from './voiceRecord.ts';
import { Watch } from './watch.ts';

/** A scripted REST failure: matching requests get `status` and `body` instead of the real answer. */
export interface RestFault {
  method?: string;
  path: string | RegExp;
  status: number;
  body: { message: string; code: number };
  /** How many requests it still applies to (Infinity = until removed). */
  remaining: number;
}

/** Everything the emulator's parts share; hooks are filled in as the servers start. */
export interface EmulatorContext {
  options: ResolvedOptions;
  nextId: () => string;
  watch: Watch;
  bot: UserModel;
  users: Map<string, UserModel>;
  guilds: Map<string, GuildModel>;
  commands: CommandStore;
  restCalls: RestCall[];
  faults: RestFault[];
  messages: Map<string, EmulatedMessage>;
  attachments: Map<string, EmulatedAttachment>;
  /** Every voice channel status change, in order. */
  voiceStatuses: VoiceStatusChange[];
  /** Interactions by token. */
  interactions: Map<string, InteractionRecord>;
  voice: Map<string, GuildVoiceState>;
  ssrcs: Map<number, GuildVoiceState>;
  restOrigin: string;
  gatewayUrl: string;
  voicePort: number;
  udpPort: number;
  /**
   * Sends a dispatch to every identified bot session whose intents include `intent` (0 = always);
   * `perSession` can tailor the data to the session's intents.
   */
  dispatch(event: string, data: unknown, intent?: number, perSession?: (intents: number) => unknown): void;
  /** The session id of the bot's gateway session (on `guildId`'s shard when given), or null before IDENTIFY. */
  gatewaySessionId(guildId?: string): string | null;
  /** Closes the guild's voice socket from the server side. */
  closeVoiceSocket(guildId: string, code: number, reason: string): void;
}

/** Gateway intent bits the emulator checks. */
export const Intent = {
  Guilds: 1 << 0,
  GuildVoiceStates: 1 << 7,
  GuildMessages: 1 << 9,
  GuildMessageTyping: 1 << 11,
  MessageContent: 1 << 15,
} as const;

/** Fills in defaults and makes an empty context. */
export function createContext(options: DiscordEmulatorOptions): EmulatorContext {
  const nextId = snowflakeFactory();
  const applicationId = options.applicationId ?? nextId();
  const resolved: ResolvedOptions = {
    token: options.token ?? 'emu-token.bot.secret',
    applicationId,
    botUsername: options.botUsername ?? 'emu-bot',
    modes: options.modes ?? [...AEAD_MODES],
    requireDave: options.requireDave ?? false,
    daveVersion: options.daveVersion ?? 1,
    daveFirstTransitionZero: options.daveFirstTransitionZero ?? false,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    voiceHeartbeatIntervalMs: options.voiceHeartbeatIntervalMs ?? 13_750,
    interactionTimeoutMs: options.interactionTimeoutMs ?? 3_000,
    voiceServerDelayMs: options.voiceServerDelayMs ?? 0,
    recommendedShards: options.recommendedShards ?? 1,
    voiceStatus: {
      manageChannelsWhenNotConnected: options.voiceStatus?.manageChannelsWhenNotConnected ?? true,
      clearWhenEmpty: options.voiceStatus?.clearWhenEmpty ?? false,
    },
  };
  const bot: UserModel = { id: applicationId, username: resolved.botUsername, globalName: null, bot: true };
  return {
    options: resolved,
    nextId,
    watch: new Watch(),
    bot,
    users: new Map([[bot.id, bot]]),
    guilds: new Map(),
    commands: newCommandStore(),
    restCalls: [],
    faults: [],
    messages: new Map(),
    attachments: new Map(),
    voiceStatuses: [],
    interactions: new Map(),
    voice: new Map(),
    ssrcs: new Map(),
    restOrigin: '',
    gatewayUrl: '',
    voicePort: 0,
    udpPort: 0,
    dispatch: () => {},
    gatewaySessionId: () => null,
    closeVoiceSocket: () => {},
  };
}

/** The voice state of a guild, created on first use. */
export function guildVoice(ctx: EmulatorContext, guildId: string): GuildVoiceState {
  let state = ctx.voice.get(guildId);
  if (state === undefined) {
    state = newGuildVoice(guildId);
    ctx.voice.set(guildId, state);
  }
  return state;
}

/** The guild or a thrown error naming it (for scripting calls, never socket callbacks). */
export function requireGuild(ctx: EmulatorContext, guildId: string): GuildModel {
  const guild = ctx.guilds.get(guildId);
  if (guild === undefined) throw new Error(`unknown guild ${guildId}`);
  return guild;
}
