/**
 * The API message object of an emulated message (what REST answers and MESSAGE_CREATE carries).
 */
import type { EmulatorContext } from './context.ts';
import { memberPayload, userPayload } from './guildPayloads.ts';
import type { EmulatedAttachment, EmulatedMessage } from './types.ts';

type Json = Record<string, unknown>;

/** The attachment object. */
export function attachmentPayload(attachment: EmulatedAttachment): Json {
  return {
    id: attachment.id,
    filename: attachment.filename,
    size: attachment.data.length,
    url: attachment.url,
    proxy_url: attachment.url,
    ...(attachment.contentType === null ? {} : { content_type: attachment.contentType }),
  };
}

/** A full message object (webhook authors are users with the webhook's id). */
export function messagePayload(ctx: EmulatorContext, message: EmulatedMessage): Json {
  const guild = message.guildId === null ? undefined : ctx.guilds.get(message.guildId);
  const payload: Json = {
    id: message.id,
    channel_id: message.channelId,
    type: message.type,
    content: message.content,
    author: authorPayload(ctx, message),
    attachments: message.attachments.map(attachmentPayload),
    embeds: message.embeds,
    components: message.components,
    mentions: message.mentions.flatMap((id) => {
      const user = ctx.users.get(id);
      if (user === undefined) return [];
      return [
        {
          ...userPayload(user),
          ...(guild?.members.has(id) ? { member: memberPayload(guild, id, ctx.users, false) } : {}),
        },
      ];
    }),
    mention_roles: message.mentionRoles,
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: message.createdAt,
    edited_timestamp: message.editedAt,
    flags: message.flags,
  };
  if (message.guildId !== null) payload.guild_id = message.guildId;
  if (message.webhookId !== null) payload.webhook_id = message.webhookId;
  if (message.source === 'interaction' || message.source === 'followUp') payload.application_id = ctx.bot.id;
  if (guild !== undefined && message.source !== 'webhook' && guild.members.has(message.authorId)) {
    payload.member = memberPayload(guild, message.authorId, ctx.users, false);
  }
  return payload;
}

function authorPayload(ctx: EmulatorContext, message: EmulatedMessage): Json {
  const user = ctx.users.get(message.authorId);
  if (user !== undefined)
    return message.source !== 'webhook' ? userPayload(user) : { ...userPayload(user), discriminator: '0000' };
  return { id: message.authorId, username: 'unknown', discriminator: '0', avatar: null, global_name: null };
}
