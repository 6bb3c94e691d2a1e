/**
 * Builds `data.options` and `data.resolved` of a command interaction from a test's plain values,
 * typed by the registered command when there is one.
 */
import type { CommandOption, RegisteredCommand } from './commands.ts';
import type { EmulatorContext } from './context.ts';
import { type GuildModel, resolveChannel, resolveRole, resolveUser } from './guildModel.ts';
import { channelPayload, memberPayload, permissionsIn, rolePayload, userPayload } from './guildPayloads.ts';
import { attachmentPayload } from './messagePayload.ts';
import { type AttachmentInput, storeAttachment } from './messageStore.ts';

/** A test's option value: users, channels and roles may be given by name. */
export type OptionValue = string | number | boolean | AttachmentInput;

/** Option type numbers. */
export const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

type Json = Record<string, unknown>;

/** Where the options go: path into a registered command and the values. */
export interface OptionRequest {
  command: RegisteredCommand | undefined;
  subcommandGroup?: string;
  subcommand?: string;
  options: Record<string, OptionValue>;
  /** For autocomplete: the focused option, sent as the raw typed string. */
  focused?: { name: string; value: string };
}

/** `options` and `resolved` of the interaction's `data`. */
export function buildOptions(
  ctx: EmulatorContext,
  guild: GuildModel,
  channelId: string,
  request: OptionRequest,
): { options: Json[]; resolved: Json } {
  const resolved: Record<string, Json> = {};
  let defs = request.command?.options;
  if (request.subcommandGroup !== undefined) defs = defs?.find((o) => o.name === request.subcommandGroup)?.options;
  if (request.subcommand !== undefined) defs = defs?.find((o) => o.name === request.subcommand)?.options;
  const leaves: Json[] = Object.entries(request.options).map(([name, value]) =>
    leafOption(
      ctx,
      guild,
      channelId,
      defs?.find((d) => d.name === name),
      name,
      value,
      resolved,
    ),
  );
  if (request.focused !== undefined) {
    const def = defs?.find((d) => d.name === request.focused?.name);
    const rest = leaves.filter((o) => o.name !== request.focused?.name);
    leaves.splice(0, leaves.length, ...rest, {
      name: request.focused.name,
      type: def?.type ?? OptionType.String,
      value: request.focused.value,
      focused: true,
    });
  }
  let options = leaves;
  if (request.subcommand !== undefined) options = [{ name: request.subcommand, type: OptionType.Subcommand, options }];
  if (request.subcommandGroup !== undefined)
    options = [{ name: request.subcommandGroup, type: OptionType.SubcommandGroup, options }];
  return { options, resolved };
}

function leafOption(
  ctx: EmulatorContext,
  guild: GuildModel,
  channelId: string,
  def: CommandOption | undefined,
  name: string,
  value: OptionValue,
  resolved: Record<string, Json>,
): Json {
  const type = def?.type ?? inferType(value);
  const add = (bucket: string, id: string, entry: Json): string => {
    resolved[bucket] = { ...(resolved[bucket] ?? {}), [id]: entry };
    return id;
  };
  switch (type) {
    case OptionType.User:
    case OptionType.Mentionable:
      return { name, type, value: resolveMentionable(ctx, guild, channelId, String(value), type, add) };
    case OptionType.Channel: {
      const id = resolveChannel(guild, String(value));
      const channel = guild.channels.get(id)!;
      const perms = permissionsIn(guild, ctx.bot.id, id).toString();
      return { name, type, value: add('channels', id, { ...channelPayload(guild, channel), permissions: perms }) };
    }
    case OptionType.Role: {
      const id = resolveRole(guild, String(value));
      return { name, type, value: add('roles', id, rolePayload(guild.roles.get(id)!)) };
    }
    case OptionType.Attachment: {
      const input = typeof value === 'object' ? value : { filename: 'file.txt', data: String(value) };
      const attachment = storeAttachment(ctx, channelId, input);
      return { name, type, value: add('attachments', attachment.id, attachmentPayload(attachment)) };
    }
    default:
      return { name, type, value };
  }
}

function resolveMentionable(
  ctx: EmulatorContext,
  guild: GuildModel,
  channelId: string,
  value: string,
  type: number,
  add: (bucket: string, id: string, entry: Json) => string,
): string {
  if (
    type === OptionType.Mentionable &&
    !guild.members.has(value) &&
    ![...ctx.users.values()].some((u) => u.username === value)
  ) {
    const roleId = resolveRole(guild, value);
    return add('roles', roleId, rolePayload(guild.roles.get(roleId)!));
  }
  const userId = resolveUser(guild, value, ctx.users);
  add('users', userId, userPayload(ctx.users.get(userId)!));
  const { user: _user, ...member } = memberPayload(guild, userId, ctx.users);
  return add('members', userId, { ...member, permissions: permissionsIn(guild, userId, channelId).toString() });
}

function inferType(value: OptionValue): number {
  if (typeof value === 'boolean') return OptionType.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? OptionType.Integer : OptionType.Number;
  if (typeof value === 'object') return OptionType.Attachment;
  return OptionType.String;
}
