/**
 * MESSAGE_CREATE / UPDATE / DELETE dispatches, and messages scripted by tests (users and webhooks).
 * @remarks Like Discord, content, embeds, attachments and components are blanked for sessions
 * without the Message Content intent, except in the bot's own messages and ones that mention it.
 */
import { type EmulatorContext, Intent, requireGuild } from './context.ts';
import { resolveChannel, resolveUser } from './guildModel.ts';
import { memberPayload } from './guildPayloads.ts';
import { messagePayload } from './messagePayload.ts';
import {
  type AttachmentInput,
  applyBody,
  createMessage,
  markEdited,
  parseMentions,
  storeAttachment,
} from './messageStore.ts';
import type { EmulatedMessage } from './types.ts';

/** A message a test posts as a member (`authorId`) or as a webhook. */
export interface UserMessageSpec {
  guildId: string;
  /** Id or name. */
  channelId: string;
  /** Member id or username; ignored for webhook messages. */
  authorId?: string;
  content: string;
  /** Post as this webhook instead of a member (sets `webhook_id`, no `member`). */
  webhook?: { id?: string; username: string };
  attachments?: AttachmentInput[];
  /** Extra mentioned user ids or usernames (`<@id>` in content is parsed anyway). */
  mentions?: string[];
  embeds?: unknown[];
  /** Id of a message this one replies to. */
  replyTo?: string;
  /** Sent with @silent: the SUPPRESS_NOTIFICATIONS flag (1 << 12). */
  silent?: boolean;
}

/** Message flag SUPPRESS_NOTIFICATIONS (@silent). */
export const SUPPRESS_NOTIFICATIONS = 1 << 12;

/** An edit of a scripted message. */
export interface MessageEditSpec {
  channelId?: string;
  messageId: string;
  content: string;
}

/** A member starting to type in a channel. */
export interface TypingSpec {
  guildId: string;
  /** Id or name. */
  channelId: string;
  /** Member id or username. */
  userId: string;
}

/** Dispatches TYPING_START (intent GuildMessageTyping), as a client does when a member starts typing. */
export function startTyping(ctx: EmulatorContext, spec: TypingSpec): void {
  const guild = requireGuild(ctx, spec.guildId);
  const userId = resolveUser(guild, spec.userId, ctx.users);
  ctx.dispatch(
    'TYPING_START',
    {
      channel_id: resolveChannel(guild, spec.channelId),
      guild_id: guild.id,
      user_id: userId,
      timestamp: Math.floor(Date.now() / 1000),
      member: memberPayload(guild, userId, ctx.users),
    },
    Intent.GuildMessageTyping,
  );
}

/** Creates the message and dispatches MESSAGE_CREATE; returns it. */
export function postUserMessage(ctx: EmulatorContext, spec: UserMessageSpec): EmulatedMessage {
  const guild = requireGuild(ctx, spec.guildId);
  const channelId = resolveChannel(guild, spec.channelId);
  const webhookId = spec.webhook === undefined ? null : (spec.webhook.id ?? ctx.nextId());
  if (spec.webhook !== undefined && webhookId !== null) {
    ctx.users.set(webhookId, { id: webhookId, username: spec.webhook.username, globalName: null, bot: true });
  }
  const authorId = webhookId ?? resolveUser(guild, spec.authorId ?? '', ctx.users);
  const message = createMessage(ctx, {
    channelId,
    guildId: guild.id,
    authorId,
    source: webhookId === null ? 'user' : 'webhook',
    type: spec.replyTo === undefined ? 0 : 19,
    webhookId,
  });
  applyBody(ctx, message, { content: spec.content, embeds: spec.embeds ?? [] }, []);
  message.attachments = (spec.attachments ?? []).map((a) => storeAttachment(ctx, channelId, a));
  if (spec.silent === true) message.flags |= SUPPRESS_NOTIFICATIONS;
  const extra = (spec.mentions ?? []).map((m) => resolveUser(guild, m, ctx.users));
  message.mentions = [...new Set([...parseMentions(spec.content).users, ...extra])];
  dispatchMessage(ctx, 'MESSAGE_CREATE', message, spec.replyTo);
  return message;
}

/** Edits a message's content and dispatches MESSAGE_UPDATE. */
export function editUserMessage(ctx: EmulatorContext, spec: MessageEditSpec): EmulatedMessage {
  const message = ctx.messages.get(spec.messageId);
  if (message === undefined) throw new Error(`unknown message ${spec.messageId}`);
  applyBody(ctx, message, { content: spec.content }, []);
  markEdited(message);
  dispatchMessage(ctx, 'MESSAGE_UPDATE', message);
  return message;
}

/** Marks a message deleted and dispatches MESSAGE_DELETE. */
export function deleteMessage(ctx: EmulatorContext, messageId: string): void {
  const message = ctx.messages.get(messageId);
  if (message === undefined) throw new Error(`unknown message ${messageId}`);
  message.deleted = true;
  ctx.dispatch(
    'MESSAGE_DELETE',
    { id: message.id, channel_id: message.channelId, ...(message.guildId ? { guild_id: message.guildId } : {}) },
    Intent.GuildMessages,
  );
}

/** Dispatches MESSAGE_CREATE or MESSAGE_UPDATE with per-session content gating. */
export function dispatchMessage(
  ctx: EmulatorContext,
  event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE',
  message: EmulatedMessage,
  replyTo?: string,
): void {
  const payload = messagePayload(ctx, message);
  if (replyTo !== undefined) {
    payload.message_reference = {
      type: 0,
      message_id: replyTo,
      channel_id: message.channelId,
      guild_id: message.guildId,
    };
    const referenced = ctx.messages.get(replyTo);
    if (referenced !== undefined) payload.referenced_message = messagePayload(ctx, referenced);
  }
  const exempt = message.authorId === ctx.bot.id || message.mentions.includes(ctx.bot.id);
  ctx.dispatch(event, payload, Intent.GuildMessages, (intents) =>
    exempt || (intents & Intent.MessageContent) !== 0
      ? payload
      : { ...payload, content: '', embeds: [], attachments: [], components: [] },
  );
}
