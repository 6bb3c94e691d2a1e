/**
 * API objects (users, roles, channels, members, voice states, guilds) built from the guild model.
 */
import type { ChannelModel, GuildModel, RoleModel, UserModel } from './guildModel.ts';
import { channelPermissions, type PermissionSubject } from './permissions.ts';

type Json = Record<string, unknown>;

/** A user object. */
export function userPayload(user: UserModel): Json {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName,
    avatar: null,
    bot: user.bot,
    system: false,
    public_flags: 0,
    flags: 0,
  };
}

/** A role object (permissions as a decimal string). */
export function rolePayload(role: RoleModel): Json {
  return {
    id: role.id,
    name: role.name,
    permissions: role.permissions.toString(),
    position: role.position,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: false,
    managed: role.botId !== null,
    mentionable: false,
    flags: 0,
    icon: null,
    unicode_emoji: null,
    ...(role.botId === null ? {} : { tags: { bot_id: role.botId } }),
  };
}

/** A guild channel object. */
export function channelPayload(guild: GuildModel, channel: ChannelModel): Json {
  const base: Json = {
    id: channel.id,
    type: channel.type,
    guild_id: guild.id,
    name: channel.name,
    position: channel.position,
    parent_id: channel.parentId,
    nsfw: false,
    flags: 0,
    permission_overwrites: channel.overwrites.map((o) => ({
      id: o.id,
      type: o.type === 'role' ? 0 : 1,
      allow: o.allow.toString(),
      deny: o.deny.toString(),
    })),
  };
  if (channel.type === 0) return { ...base, topic: channel.topic, last_message_id: null, rate_limit_per_user: 0 };
  if (channel.type === 2)
    return {
      ...base,
      bitrate: 64_000,
      user_limit: channel.userLimit,
      rtc_region: null,
      last_message_id: null,
      rate_limit_per_user: 0,
    };
  return base;
}

/** A guild member object; with `withUser` false, the `user` key is omitted (as in MESSAGE_CREATE). */
export function memberPayload(
  guild: GuildModel,
  userId: string,
  users: ReadonlyMap<string, UserModel>,
  withUser = true,
): Json {
  const member = guild.members.get(userId);
  const user = users.get(userId);
  const body: Json = {
    roles: member?.roles ?? [],
    nick: member?.nick ?? null,
    avatar: null,
    banner: null,
    joined_at: member?.joinedAt ?? '2024-01-01T00:00:00.000Z',
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
  return withUser && user ? { user: userPayload(user), ...body } : body;
}

/** A voice state object of `userId`, or one with `channel_id: null` when the user left. */
export function voiceStatePayload(
  guild: GuildModel,
  userId: string,
  users: ReadonlyMap<string, UserModel>,
  sessionId?: string,
): Json {
  const state = guild.voiceStates.get(userId);
  return {
    guild_id: guild.id,
    channel_id: state?.channelId ?? null,
    user_id: userId,
    member: memberPayload(guild, userId, users),
    session_id: state?.sessionId ?? sessionId ?? 'left',
    deaf: false,
    mute: false,
    self_deaf: state?.selfDeaf ?? false,
    self_mute: state?.selfMute ?? false,
    self_video: false,
    self_stream: false,
    suppress: false,
    request_to_speak_timestamp: null,
  };
}

/** The GUILD_CREATE payload: everything discord.js caches (see spec §2.5). */
export function guildCreatePayload(guild: GuildModel, users: ReadonlyMap<string, UserModel>): Json {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    owner_id: guild.ownerId,
    unavailable: false,
    large: false,
    member_count: guild.members.size,
    joined_at: '2024-01-01T00:00:00.000Z',
    features: [],
    preferred_locale: guild.locale,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    premium_progress_bar_enabled: false,
    application_id: null,
    max_members: 500_000,
    roles: [...guild.roles.values()].map(rolePayload),
    channels: [...guild.channels.values()].map((c) => channelPayload(guild, c)),
    members: [...guild.members.keys()].map((id) => memberPayload(guild, id, users)),
    voice_states: [...guild.voiceStates.keys()].map((id) => {
      const { member: _member, guild_id: _guild, ...state } = voiceStatePayload(guild, id, users);
      return state;
    }),
    threads: [],
    presences: [],
    emojis: [],
    stickers: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    embedded_activities: [],
  };
}

/** The permission view of a guild. */
export function permissionSubject(guild: GuildModel): PermissionSubject {
  const rolePermissions = new Map([...guild.roles.values()].map((r) => [r.id, r.permissions]));
  return { guildId: guild.id, ownerId: guild.ownerId, rolePermissions };
}

/** Permissions of `userId` in `channelId`, as Discord computes them. */
export function permissionsIn(guild: GuildModel, userId: string, channelId: string): bigint {
  const roles = guild.members.get(userId)?.roles ?? [];
  const overwrites = guild.channels.get(channelId)?.overwrites ?? [];
  return channelPermissions(permissionSubject(guild), userId, roles, overwrites);
}
