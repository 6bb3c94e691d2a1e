/**
 * INTERACTION_CREATE payloads for commands, autocomplete, components and modals (spec §2.7).
 */
import { findCommand } from './commands.ts';
import { type EmulatorContext, requireGuild } from './context.ts';
import { resolveChannel, resolveUser } from './guildModel.ts';
import { channelPayload, memberPayload, permissionsIn } from './guildPayloads.ts';
import { randomToken } from './ids.ts';
import { buildOptions, type OptionValue } from './interactionOptions.ts';
import type { InteractionKind, InteractionRecord } from './interactionRecord.ts';
import { messagePayload } from './messagePayload.ts';

/** Who interacts where; channel and user may be given by name. */
export interface InteractionTarget {
  guildId: string;
  channelId: string;
  userId: string;
  locale?: string;
}

/** A slash command invocation. */
export interface SlashCommandSpec extends InteractionTarget {
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  options?: Record<string, OptionValue>;
}

/** An autocomplete request: the other options plus the one being typed. */
export interface AutocompleteSpec extends SlashCommandSpec {
  focused: { name: string; value: string };
}

/** A click on a button of a message. */
export interface ButtonSpec extends InteractionTarget {
  messageId: string;
  customId: string;
}

/** A choice in a string select menu. */
export interface SelectMenuSpec extends ButtonSpec {
  values: string[];
}

/** A submitted modal: text input values by custom id. */
export interface ModalSubmitSpec extends InteractionTarget {
  customId: string;
  fields: Record<string, string>;
  messageId?: string;
}

type Json = Record<string, unknown>;

const INTERACTION_TYPES: Record<InteractionKind, number> = { command: 2, autocomplete: 4, component: 3, modal: 5 };
const ATTACHMENT_SIZE_LIMIT_BYTES = 26_214_400;

/** Dispatches a chat-input command or autocomplete interaction. */
export function commandInteraction(ctx: EmulatorContext, spec: SlashCommandSpec | AutocompleteSpec): InteractionRecord {
  const guild = requireGuild(ctx, spec.guildId);
  const channelId = resolveChannel(guild, spec.channelId);
  const command = findCommand(ctx.commands, spec.name, guild.id);
  const focused = 'focused' in spec ? spec.focused : undefined;
  const { options, resolved } = buildOptions(ctx, guild, channelId, {
    command,
    subcommandGroup: spec.subcommandGroup,
    subcommand: spec.subcommand,
    options: spec.options ?? {},
    focused,
  });
  const data: Json = { id: command?.id ?? ctx.nextId(), name: spec.name, type: 1, options };
  if (command?.guild_id !== undefined) data.guild_id = command.guild_id;
  if (Object.keys(resolved).length > 0) data.resolved = resolved;
  return dispatchInteraction(ctx, focused === undefined ? 'command' : 'autocomplete', spec, data, null);
}

/** Dispatches a button click (`values` absent) or a string-select choice. */
export function componentInteraction(ctx: EmulatorContext, spec: ButtonSpec | SelectMenuSpec): InteractionRecord {
  const data: Json = { custom_id: spec.customId, component_type: 'values' in spec ? 3 : 2 };
  if ('values' in spec) data.values = spec.values;
  return dispatchInteraction(ctx, 'component', spec, data, spec.messageId);
}

/** Dispatches a modal submission with one labelled text input per field. */
export function modalInteraction(ctx: EmulatorContext, spec: ModalSubmitSpec): InteractionRecord {
  const components = Object.entries(spec.fields).map(([customId, value], index) => ({
    type: 18,
    id: index * 2 + 1,
    component: { type: 4, id: index * 2 + 2, custom_id: customId, value },
  }));
  return dispatchInteraction(ctx, 'modal', spec, { custom_id: spec.customId, components }, spec.messageId ?? null);
}

function dispatchInteraction(
  ctx: EmulatorContext,
  kind: InteractionKind,
  target: InteractionTarget,
  data: Json,
  sourceMessageId: string | null,
): InteractionRecord {
  if (ctx.gatewaySessionId(target.guildId) === null)
    throw new Error(`no bot is connected to the emulator gateway on the shard of guild ${target.guildId}`);
  const guild = requireGuild(ctx, target.guildId);
  const channelId = resolveChannel(guild, target.channelId);
  const userId = resolveUser(guild, target.userId, ctx.users);
  const memberPermissions = permissionsIn(guild, userId, channelId).toString();
  const locale = target.locale ?? 'en-US';
  const record: InteractionRecord = {
    id: ctx.nextId(),
    token: randomToken('itok', 48),
    kind,
    guildId: guild.id,
    channelId,
    userId,
    createdAt: performance.now(),
    payload: {},
    events: [],
    acknowledged: false,
    originalMessageId: null,
    followUpIds: [],
    sourceMessageId,
  };
  record.payload = {
    id: record.id,
    application_id: ctx.bot.id,
    type: INTERACTION_TYPES[kind],
    token: record.token,
    version: 1,
    guild_id: guild.id,
    channel_id: channelId,
    channel: { ...channelPayload(guild, guild.channels.get(channelId)!), permissions: memberPermissions },
    guild: { id: guild.id, locale: guild.locale, features: [] },
    member: { ...memberPayload(guild, userId, ctx.users), permissions: memberPermissions },
    app_permissions: permissionsIn(guild, ctx.bot.id, channelId).toString(),
    locale,
    guild_locale: guild.locale,
    entitlements: [],
    authorizing_integration_owners: { '0': guild.id },
    context: 0,
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT_BYTES,
    data,
  };
  if (sourceMessageId !== null) record.payload.message = sourceMessage(ctx, sourceMessageId, channelId, guild.id);
  ctx.interactions.set(record.token, record);
  ctx.dispatch('INTERACTION_CREATE', record.payload);
  return record;
}

function sourceMessage(ctx: EmulatorContext, messageId: string, channelId: string, guildId: string): Json {
  const stored = ctx.messages.get(messageId);
  if (stored !== undefined) return messagePayload(ctx, stored);
  return {
    id: messageId,
    channel_id: channelId,
    guild_id: guildId,
    type: 0,
    content: '',
    author: { id: ctx.bot.id, username: ctx.bot.username, discriminator: '0', bot: true },
    attachments: [],
    embeds: [],
    components: [],
    mentions: [],
    mention_roles: [],
    pinned: false,
    mention_everyone: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    flags: 0,
  };
}
