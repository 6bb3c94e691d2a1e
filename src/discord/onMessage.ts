import { type Message, MessageFlags, MessageType, type PartialMessage } from 'discord.js';
import type { AuthorKind, ChatEvent } from '../narration/route.ts';
import type { ChatMessage, MentionNames } from '../narration/text/chatMessage.ts';
import type { App } from './app.ts';

/** A new chat message: handed to narration. The error boundary of narration: logs, never throws. */
export function onMessageCreate(message: Message, app: App): void {
  guard(app, message.id, () => {
    const event = chatEventOf(message);
    return event ? app.narration.message(event) : undefined;
  });
}

/**
 * An edited message: narration re-reads it if it is still waiting.
 * @remarks Discord also sends updates when link previews unfurl or a message is pinned; those keep
 * the content and are ignored.
 */
export function onMessageUpdate(before: Message | PartialMessage, after: Message | PartialMessage, app: App): void {
  if (after.partial || (!before.partial && before.content === after.content)) return;
  guard(app, after.id, () => {
    const event = chatEventOf(after);
    return event ? app.narration.edit(event) : undefined;
  });
}

/** A deleted message: narration drops it if it has not been read yet. */
export function onMessageDelete(message: Message | PartialMessage, app: App): void {
  const guildId = message.guildId;
  if (guildId === null) return;
  guard(app, message.id, () => app.narration.delete(guildId, message.id));
}

/** Runs a narration step, logging any failure: an event callback must never throw. */
function guard(app: App, messageId: string, step: () => Promise<void> | undefined): void {
  try {
    void step()?.catch((error: unknown) => app.log.error({ err: error, messageId }, 'narration failed'));
  } catch (error) {
    app.log.error({ err: error, messageId }, 'narration failed');
  }
}

/**
 * A guild message as narration sees it, or `undefined` for ones never read: direct messages, the
 * bot's own messages and system messages (joins, pins, boosts: Discord writes their text itself).
 */
export function chatEventOf(message: Message): ChatEvent | undefined {
  if (!message.inGuild() || message.system || message.author.id === message.client.user.id) return undefined;
  const kind = authorKind(message);
  const name =
    kind === 'member' ? (message.member?.displayName ?? message.author.displayName) : message.author.displayName;
  const voiceChannelId =
    kind === 'member' ? (message.guild.voiceStates.cache.get(message.author.id)?.channelId ?? null) : null;
  const { member, author } = message;
  const names =
    kind === 'webhook'
      ? undefined
      : { nickname: member?.nickname ?? null, globalName: author.globalName, username: author.username };
  const roleIds = member ? [...member.roles.cache.keys()].filter((id) => id !== message.guildId) : [];
  return {
    guildId: message.guildId,
    channelId: message.channelId,
    messageId: message.id,
    author: { id: author.id, name, kind, voiceChannelId, names, roleIds },
    message: chatMessageOf(message),
  };
}

/**
 * A webhook (PluralKit, Tupperbox, feeds), another bot, or a member.
 * @remarks Interaction replies also carry a webhook id; they are the bot's own words, not a webhook's.
 */
function authorKind(message: Message<true>): AuthorKind {
  const plain = message.type === MessageType.Default || message.type === MessageType.Reply;
  if (message.webhookId !== null && plain && !message.interactionMetadata) return 'webhook';
  return message.author.bot ? 'bot' : 'member';
}

function chatMessageOf(message: Message<true>): ChatMessage {
  return {
    content: message.content,
    mentions: mentionNames(message),
    attachments: message.attachments.map((a) => ({ name: a.name, contentType: a.contentType ?? undefined })),
    stickers: message.stickers.map((s) => s.name),
    silent: message.flags.has(MessageFlags.SuppressNotifications),
  };
}

/** Display names of the members, roles and channels a message mentions. */
function mentionNames(message: Message<true>): MentionNames {
  const users = new Map<string, string>();
  for (const [id, user] of message.mentions.users) {
    users.set(
      id,
      message.mentions.members?.get(id)?.displayName ??
        message.guild.members.cache.get(id)?.displayName ??
        user.displayName,
    );
  }
  const roles = new Map(message.mentions.roles.map((role) => [role.id, role.name]));
  const channels = new Map<string, string>();
  for (const [id, channel] of message.mentions.channels)
    if ('name' in channel && channel.name) channels.set(id, channel.name);
  return { users, roles, channels };
}
