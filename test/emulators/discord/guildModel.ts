/**
 * The emulator's guild state and how a {@link GuildSpec} becomes it (names resolved to ids).
 */
import { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, type Overwrite, toBits } from './permissions.ts';
import type { AddedGuild, ChannelKind, ChannelSpec, GuildSpec, MemberSpec, OverwriteSpec } from './types.ts';

/** A user known to the emulator. */
export interface UserModel {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface RoleModel {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  color: number;
  /** Set for the bot's managed integration role. */
  botId: string | null;
}

export interface ChannelModel {
  id: string;
  type: 0 | 2 | 4;
  name: string;
  parentId: string | null;
  position: number;
  overwrites: Overwrite[];
  userLimit: number;
  topic: string | null;
  /** Voice only: the voice channel status (Set Voice Channel Status), `null` when none. */
  status: string | null;
}

export interface MemberModel {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export interface VoiceStateModel {
  channelId: string;
  sessionId: string;
  selfDeaf: boolean;
  selfMute: boolean;
}

export interface GuildModel {
  id: string;
  name: string;
  ownerId: string;
  locale: string;
  roles: Map<string, RoleModel>;
  channels: Map<string, ChannelModel>;
  members: Map<string, MemberModel>;
  voiceStates: Map<string, VoiceStateModel>;
}

/** What building a guild needs from the emulator. */
export interface GuildBuildContext {
  nextId(): string;
  users: Map<string, UserModel>;
  bot: UserModel;
}

const CHANNEL_TYPES: Record<ChannelKind, 0 | 2 | 4> = { text: 0, voice: 2, category: 4 };
const JOINED_AT = '2024-01-01T00:00:00.000Z';

/** Builds a guild from `spec`, registering its users; returns the model and its ids by name. */
export function buildGuild(spec: GuildSpec, ctx: GuildBuildContext): { guild: GuildModel; added: AddedGuild } {
  const id = spec.id ?? ctx.nextId();
  const guild: GuildModel = {
    id,
    name: spec.name ?? 'Emu Guild',
    ownerId: '',
    locale: spec.locale ?? 'en-US',
    roles: new Map(),
    channels: new Map(),
    members: new Map(),
    voiceStates: new Map(),
  };
  const everyone = spec.roles?.find((r) => r.name === '@everyone');
  addRole(guild, {
    id,
    name: '@everyone',
    permissions: toBits(everyone?.permissions, DEFAULT_EVERYONE_PERMISSIONS),
    position: 0,
  });
  for (const role of spec.roles ?? []) {
    if (role.name === '@everyone') continue;
    const position = role.position ?? guild.roles.size;
    addRole(guild, {
      id: role.id ?? ctx.nextId(),
      name: role.name,
      permissions: toBits(role.permissions),
      position,
      color: role.color,
    });
  }
  const botRoleId = ctx.nextId();
  const botPermissions = toBits(spec.botPermissions, DEFAULT_BOT_PERMISSIONS);
  addRole(guild, {
    id: botRoleId,
    name: ctx.bot.username,
    permissions: botPermissions,
    position: guild.roles.size,
    botId: ctx.bot.id,
  });
  addMember(guild, ctx.bot.id, [botRoleId, ...(spec.botRoles ?? []).map((r) => resolveRole(guild, r))], null);
  for (const member of spec.members) addMemberSpec(guild, member, ctx);
  guild.ownerId = spec.ownerId ? resolveUser(guild, spec.ownerId, ctx.users) : firstHuman(guild, ctx);
  for (const channel of spec.channels) addChannel(guild, channel, ctx);
  for (const state of spec.voiceStates ?? []) {
    const userId = resolveUser(guild, state.userId, ctx.users);
    guild.voiceStates.set(userId, {
      channelId: resolveChannel(guild, state.channelId),
      sessionId: ctx.nextId(),
      selfDeaf: false,
      selfMute: false,
    });
  }
  return { guild, added: describe(guild, botRoleId, ctx.users) };
}

/** A role id from an id or a name (`@everyone` is the guild id). */
export function resolveRole(guild: GuildModel, idOrName: string): string {
  if (guild.roles.has(idOrName)) return idOrName;
  for (const role of guild.roles.values()) if (role.name === idOrName) return role.id;
  throw new Error(`unknown role ${idOrName} in guild ${guild.id}`);
}

/** A channel id from an id or a name. */
export function resolveChannel(guild: GuildModel, idOrName: string): string {
  if (guild.channels.has(idOrName)) return idOrName;
  for (const channel of guild.channels.values()) if (channel.name === idOrName) return channel.id;
  throw new Error(`unknown channel ${idOrName} in guild ${guild.id}`);
}

/** A member's user id from an id or a username. */
export function resolveUser(guild: GuildModel, idOrName: string, users: ReadonlyMap<string, UserModel>): string {
  if (guild.members.has(idOrName)) return idOrName;
  for (const userId of guild.members.keys()) if (users.get(userId)?.username === idOrName) return userId;
  throw new Error(`unknown member ${idOrName} in guild ${guild.id}`);
}

function addRole(
  guild: GuildModel,
  role: Omit<RoleModel, 'color' | 'botId'> & { color?: number; botId?: string },
): void {
  guild.roles.set(role.id, { ...role, color: role.color ?? 0, botId: role.botId ?? null });
}

function addMember(guild: GuildModel, userId: string, roles: string[], nick: string | null): void {
  guild.members.set(userId, { userId, roles, nick, joinedAt: JOINED_AT });
}

function addMemberSpec(guild: GuildModel, spec: MemberSpec, ctx: GuildBuildContext): void {
  const known = spec.id === undefined ? undefined : ctx.users.get(spec.id);
  const user: UserModel = known ?? {
    id: spec.id ?? ctx.nextId(),
    username: spec.username,
    globalName: spec.globalName ?? null,
    bot: spec.bot ?? false,
  };
  ctx.users.set(user.id, user);
  const roles = (spec.roles ?? []).map((r) => resolveRole(guild, r));
  if (spec.permissions !== undefined) {
    const roleId = ctx.nextId();
    addRole(guild, {
      id: roleId,
      name: `perms:${spec.username}`,
      permissions: toBits(spec.permissions),
      position: guild.roles.size,
    });
    roles.push(roleId);
  }
  addMember(guild, user.id, roles, spec.nick ?? null);
}

function addChannel(guild: GuildModel, spec: ChannelSpec, ctx: GuildBuildContext): void {
  const channel: ChannelModel = {
    id: spec.id ?? ctx.nextId(),
    type: CHANNEL_TYPES[spec.type],
    name: spec.name,
    parentId: spec.parent === undefined ? null : resolveChannel(guild, spec.parent),
    position: guild.channels.size,
    overwrites: [],
    userLimit: spec.userLimit ?? 0,
    topic: spec.topic ?? null,
    status: null,
  };
  guild.channels.set(channel.id, channel);
  channel.overwrites = (spec.permissionOverwrites ?? []).map((o) => toOverwrite(guild, o, ctx.users));
}

function toOverwrite(guild: GuildModel, spec: OverwriteSpec, users: ReadonlyMap<string, UserModel>): Overwrite {
  const allow = toBits(spec.allow);
  const deny = toBits(spec.deny);
  if (spec.type !== 'member') {
    const roleId = tryResolve(() => resolveRole(guild, spec.id));
    if (roleId !== undefined) return { id: roleId, type: 'role', allow, deny };
  }
  return { id: resolveUser(guild, spec.id, users), type: 'member', allow, deny };
}

function tryResolve(resolve: () => string): string | undefined {
  try {
    return resolve();
  } catch {
    return undefined;
  }
}

function firstHuman(guild: GuildModel, ctx: GuildBuildContext): string {
  for (const userId of guild.members.keys()) if (!ctx.users.get(userId)?.bot) return userId;
  return ctx.bot.id;
}

function describe(guild: GuildModel, botRoleId: string, users: ReadonlyMap<string, UserModel>): AddedGuild {
  const byName = <T extends { id: string; name: string }>(items: Iterable<T>): Record<string, string> =>
    Object.fromEntries([...items].map((item) => [item.name, item.id]));
  const members = [...guild.members.keys()].map((id) => ({ id, name: users.get(id)?.username ?? id }));
  return {
    id: guild.id,
    name: guild.name,
    everyoneRoleId: guild.id,
    botRoleId,
    channels: byName(guild.channels.values()),
    roles: byName(guild.roles.values()),
    members: byName(members),
  };
}
