/**
 * Scripting helpers: guilds, messages from users and webhooks, and interactions.
 */
import type { EmulatorContext } from './context.ts';
import { buildGuild } from './guildModel.ts';
import { guildCreatePayload } from './guildPayloads.ts';
import { InteractionHandle } from './interactionHandle.ts';
import type { InteractionRecord } from './interactionRecord.ts';
import {
  type AutocompleteSpec,
  type ButtonSpec,
  commandInteraction,
  componentInteraction,
  type ModalSubmitSpec,
  modalInteraction,
  type SelectMenuSpec,
  type SlashCommandSpec,
} from './interactions.ts';
import {
  deleteMessage,
  editUserMessage,
  type MessageEditSpec,
  postUserMessage,
  startTyping,
  type TypingSpec,
  type UserMessageSpec,
} from './messageEvents.ts';
import type { AddedGuild, EmulatedMessage, GuildSpec } from './types.ts';
import { DEFAULT_WAIT_MS } from './watch.ts';

/** Interactions a test can send; each returns a handle to await the bot's answers. */
export interface InteractionApi {
  /** Invokes a slash command as `userId`; option types come from the registered command (else inferred). */
  slashCommand(spec: SlashCommandSpec): InteractionHandle;
  /** Sends an autocomplete request; `focused` is the option being typed. */
  autocomplete(spec: AutocompleteSpec): InteractionHandle;
  /** Clicks a button on a message. */
  clickButton(spec: ButtonSpec): InteractionHandle;
  /** Picks values in a string select menu. */
  selectMenu(spec: SelectMenuSpec): InteractionHandle;
  /** Submits a modal with text-input values by custom id. */
  submitModal(spec: ModalSubmitSpec): InteractionHandle;
}

/** Messages: scripted ones in, the bot's `channel.send` ones out. */
export interface MessageApi {
  /** Posts a message as a member or a webhook (MESSAGE_CREATE). */
  sendMessage(spec: UserMessageSpec): EmulatedMessage;
  /** Edits a message's content (MESSAGE_UPDATE). */
  editMessage(spec: MessageEditSpec): EmulatedMessage;
  /** A member starts typing (TYPING_START, to sessions with the GuildMessageTyping intent). */
  typing(spec: TypingSpec): void;
  /** Deletes a message (MESSAGE_DELETE). */
  deleteMessage(messageId: string): void;
  /** Any message the emulator holds, by id. */
  message(messageId: string): EmulatedMessage | undefined;
  /** Messages the bot posted with `channel.send` in `channelId`, oldest first (deleted ones flagged). */
  channelMessages(channelId: string): EmulatedMessage[];
  /** The first such message (past or future) matching `predicate`. */
  waitForChannelMessage(
    channelId: string,
    predicate?: (message: EmulatedMessage) => boolean,
    timeoutMs?: number,
  ): Promise<EmulatedMessage>;
}

/** Adds a guild; dispatches GUILD_CREATE at once when the bot is connected. */
export function addGuild(ctx: EmulatorContext, spec: GuildSpec): AddedGuild {
  if (spec.id !== undefined && ctx.guilds.has(spec.id)) throw new Error(`guild ${spec.id} exists already`);
  const { guild, added } = buildGuild(spec, ctx);
  ctx.guilds.set(guild.id, guild);
  ctx.dispatch('GUILD_CREATE', guildCreatePayload(guild, ctx.users));
  return added;
}

/** The interaction API over `ctx`. */
export function interactionApi(ctx: EmulatorContext): InteractionApi {
  const handle = (record: InteractionRecord): InteractionHandle => new InteractionHandle(ctx, record);
  return {
    slashCommand: (spec) => handle(commandInteraction(ctx, spec)),
    autocomplete: (spec) => handle(commandInteraction(ctx, spec)),
    clickButton: (spec) => handle(componentInteraction(ctx, spec)),
    selectMenu: (spec) => handle(componentInteraction(ctx, spec)),
    submitModal: (spec) => handle(modalInteraction(ctx, spec)),
  };
}

/** The message API over `ctx`. */
export function messageApi(ctx: EmulatorContext): MessageApi {
  const inChannel = (channelId: string): EmulatedMessage[] =>
    [...ctx.messages.values()].filter(
      (m) => m.channelId === channelId && m.source === 'channel' && m.authorId === ctx.bot.id,
    );
  return {
    sendMessage: (spec) => postUserMessage(ctx, spec),
    editMessage: (spec) => editUserMessage(ctx, spec),
    typing: (spec) => startTyping(ctx, spec),
    deleteMessage: (messageId) => deleteMessage(ctx, messageId),
    message: (messageId) => ctx.messages.get(messageId),
    channelMessages: inChannel,
    waitForChannelMessage: (channelId, predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
      ctx.watch.until(() => inChannel(channelId).find(predicate), timeoutMs, `a bot message in channel ${channelId}`),
  };
}
