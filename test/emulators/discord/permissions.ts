/**
 * Permission bits and Discord's permission algorithm, enough to fill `member.permissions` and
 * `app_permissions` of interactions the way Discord computes them.
 */

/** The permission bits the emulator names (the rest are passed through untouched). */
export const Perm = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  Stream: 1n << 9n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  MoveMembers: 1n << 24n,
  UseVAD: 1n << 25n,
  ChangeNickname: 1n << 26n,
  UseApplicationCommands: 1n << 31n,
  RequestToSpeak: 1n << 32n,
  SendMessagesInThreads: 1n << 38n,
  /** Set Voice Channel Status (documented April 2026). */
  SetVoiceChannelStatus: 1n << 48n,
} as const;

/** Every permission (what an administrator or the owner has). */
export const ALL_PERMISSIONS = (1n << 53n) - 1n;

/** @everyone's permissions in a new guild (close to Discord's default set). */
export const DEFAULT_EVERYONE_PERMISSIONS =
  Perm.CreateInstantInvite |
  Perm.AddReactions |
  Perm.Stream |
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.ReadMessageHistory |
  Perm.UseExternalEmojis |
  Perm.Connect |
  Perm.Speak |
  Perm.UseVAD |
  Perm.ChangeNickname |
  Perm.UseApplicationCommands |
  Perm.RequestToSpeak |
  Perm.SendMessagesInThreads;

/** What a voice bot's invite usually grants (its managed role), Set Voice Channel Status included. */
export const DEFAULT_BOT_PERMISSIONS =
  Perm.SetVoiceChannelStatus |
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.ReadMessageHistory |
  Perm.Connect |
  Perm.Speak |
  Perm.UseVAD;

/** A channel permission overwrite. */
export interface Overwrite {
  id: string;
  type: 'role' | 'member';
  allow: bigint;
  deny: bigint;
}

/** What the algorithm needs to know about a guild. */
export interface PermissionSubject {
  guildId: string;
  ownerId: string;
  rolePermissions: ReadonlyMap<string, bigint>;
}

/** Parses a bigint or decimal string. */
export function toBits(value: bigint | string | number | undefined, fallback = 0n): bigint {
  if (value === undefined) return fallback;
  return typeof value === 'bigint' ? value : BigInt(value);
}

/** Guild-level permissions of a member with `roleIds` (owner and Administrator get everything). */
export function basePermissions(guild: PermissionSubject, userId: string, roleIds: readonly string[]): bigint {
  if (userId === guild.ownerId) return ALL_PERMISSIONS;
  let bits = guild.rolePermissions.get(guild.guildId) ?? 0n;
  for (const roleId of roleIds) bits |= guild.rolePermissions.get(roleId) ?? 0n;
  return (bits & Perm.Administrator) !== 0n ? ALL_PERMISSIONS : bits;
}

/** Permissions in a channel: base, then @everyone, role and member overwrites, in Discord's order. */
export function channelPermissions(
  guild: PermissionSubject,
  userId: string,
  roleIds: readonly string[],
  overwrites: readonly Overwrite[],
): bigint {
  let bits = basePermissions(guild, userId, roleIds);
  if (bits === ALL_PERMISSIONS) return bits;
  const everyone = overwrites.find((o) => o.id === guild.guildId);
  if (everyone) bits = (bits & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 'role' && o.id !== guild.guildId && roleIds.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  bits = (bits & ~deny) | allow;
  const member = overwrites.find((o) => o.type === 'member' && o.id === userId);
  if (member) bits = (bits & ~member.deny) | member.allow;
  return bits;
}
