/**
 * Public input and record types of the Discord emulator.
 */
import type { AeadMode } from './rtp.ts';

/** Channel kinds the emulator models (API types 0, 2 and 4). */
export type ChannelKind = 'text' | 'voice' | 'category';

/** A permission overwrite; `id` may be a role id or name, a member id or username, or `@everyone`. */
export interface OverwriteSpec {
  id: string;
  /** Inferred from `id` when omitted. */
  type?: 'role' | 'member';
  allow?: bigint | string;
  deny?: bigint | string;
}

/** A channel to create. */
export interface ChannelSpec {
  id?: string;
  type: ChannelKind;
  name: string;
  /** Category name or id. */
  parent?: string;
  permissionOverwrites?: OverwriteSpec[];
  /** Voice only: 0 means unlimited. */
  userLimit?: number;
  topic?: string;
}

/** A role to create. */
export interface RoleSpec {
  id?: string;
  name: string;
  permissions: bigint | string;
  position?: number;
  color?: number;
}

/** A member (and its user) to create. */
export interface MemberSpec {
  id?: string;
  username: string;
  globalName?: string;
  nick?: string;
  bot?: boolean;
  /** Role ids or names. */
  roles?: string[];
  /** Guild-level permissions, granted through a personal role named `perms:<username>`. */
  permissions?: bigint | string;
}

/** A member already in a voice channel. `userId` may be a username, `channelId` a channel name. */
export interface VoiceStateSpec {
  userId: string;
  channelId: string;
}

/** A guild for {@link DiscordEmulator.addGuild}; the bot is always added as a member. */
export interface GuildSpec {
  id?: string;
  name?: string;
  /** Member id or username; defaults to the first non-bot member. */
  ownerId?: string;
  locale?: string;
  channels: ChannelSpec[];
  /** Include `{ name: '@everyone', permissions }` to change @everyone (id = guild id). */
  roles?: RoleSpec[];
  members: MemberSpec[];
  voiceStates?: VoiceStateSpec[];
  /** Permissions of the bot's managed role (default: view, send, embed, attach, history, connect, speak). */
  botPermissions?: bigint | string;
  /** Extra role ids or names for the bot. */
  botRoles?: string[];
}

/** Ids of an added guild, by name: `channels.general`, `roles.DJ`, `members.alice`. */
export interface AddedGuild {
  id: string;
  name: string;
  everyoneRoleId: string;
  botRoleId: string;
  channels: Record<string, string>;
  roles: Record<string, string>;
  members: Record<string, string>;
}

/** Options of {@link startDiscordEmulator}. */
export interface DiscordEmulatorOptions {
  token?: string;
  applicationId?: string;
  botUsername?: string;
  /** Voice modes offered in READY, in order (the client takes the first it supports). */
  modes?: AeadMode[];
  /** Close the voice socket with 4017 when IDENTIFY offers `max_dave_protocol_version` 0. */
  requireDave?: boolean;
  /** Highest DAVE protocol version the voice gateway speaks (default 1; 0 = transport encryption only). */
  daveVersion?: 0 | 1;
  /** Announce the commit that creates a call's MLS group with transition id 0 (default false: a counted id). */
  daveFirstTransitionZero?: boolean;
  /** Main gateway HELLO interval (default 41 250 ms). */
  heartbeatIntervalMs?: number;
  /** Voice gateway HELLO interval (default 13 750 ms). */
  voiceHeartbeatIntervalMs?: number;
  /**
   * Delay between the bot's op 4 join and VOICE_SERVER_UPDATE, ms (default 0). Discord allocates a voice server
   * first and documents no bound on how long that takes.
   */
  voiceServerDelayMs?: number;
  /** How long an interaction accepts its first callback (default 3 000 ms, like Discord). */
  interactionTimeoutMs?: number;
  /** The `shards` that `GET /gateway/bot` recommends (default 1). */
  recommendedShards?: number;
  /** Set Voice Channel Status rules Discord's documentation leaves open (see `restVoiceStatus.ts`). */
  voiceStatus?: VoiceStatusOptions;
}

/** How the emulator treats voice channel statuses where Discord's documentation is silent. */
export interface VoiceStatusOptions {
  /** Require Manage Channels when the bot is not connected to the channel (documented; default true). */
  manageChannelsWhenNotConnected?: boolean;
  /** Clear a channel's status when its last member leaves (undocumented; default false). */
  clearWhenEmpty?: boolean;
}

/** One status change of a voice channel, in order. */
export interface VoiceStatusChange {
  channelId: string;
  status: string | null;
  /** Who changed it: the bot through REST, or the emulator clearing an empty channel. */
  by: 'bot' | 'emptied';
  at: number;
}

/** The options with defaults filled in. */
export type ResolvedOptions = Required<Omit<DiscordEmulatorOptions, 'voiceStatus'>> & {
  voiceStatus: Required<VoiceStatusOptions>;
};

/** A file uploaded in a multipart request. */
export interface RestFile {
  /** Form field, e.g. `files[0]`. */
  field: string;
  /** `n` of `files[n]` (−1 for other fields). */
  index: number;
  filename: string;
  contentType: string | null;
  data: Buffer;
}

/** One REST request the bot made. */
export interface RestCall {
  method: string;
  /** Percent-decoded path after `/api/v10`, e.g. `/webhooks/1/tok/messages/@original`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body (or `payload_json` of a multipart body); `undefined` when empty. */
  body: unknown;
  files: RestFile[];
  /** True when `Authorization: Bot <token>` was sent. */
  authorized: boolean;
  status: number;
  /** `performance.now()` when the request arrived. */
  at: number;
}

/** An attachment of a stored message; `url` is served by the emulator. */
export interface EmulatedAttachment {
  id: string;
  filename: string;
  contentType: string | null;
  data: Buffer;
  url: string;
}

/** Where a message came from. */
export type MessageSource = 'channel' | 'interaction' | 'followUp' | 'user' | 'webhook';

/** A message in the emulator, sent by the bot or scripted by a test. */
export interface EmulatedMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  source: MessageSource;
  /** Message type: 0 default, 20 chat-input command reply, 19 reply. */
  type: number;
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  attachments: EmulatedAttachment[];
  mentions: string[];
  mentionRoles: string[];
  /** `allowed_mentions` of the last body the bot sent (undefined when absent). */
  allowedMentions: unknown;
  /** Every JSON body the bot sent for this message, creation first. */
  bodies: unknown[];
  webhookId: string | null;
  interactionId: string | null;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
}
