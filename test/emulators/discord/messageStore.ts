/**
 * Messages and attachments held by the emulator: creating them from bot bodies (JSON + files) and
 * from test scripts, and applying edits the way Discord does.
 */
import type { EmulatorContext } from './context.ts';
import type { EmulatedAttachment, EmulatedMessage, MessageSource, RestFile } from './types.ts';

/** A file a test attaches to a scripted message or option. */
export interface AttachmentInput {
  filename: string;
  data: Buffer | string;
  contentType?: string;
}

/** Stores an attachment and returns it with the URL the emulator serves it at. */
export function storeAttachment(ctx: EmulatorContext, channelId: string, input: AttachmentInput): EmulatedAttachment {
  const id = ctx.nextId();
  const data = typeof input.data === 'string' ? Buffer.from(input.data) : input.data;
  const url = `${ctx.restOrigin}/attachments/${channelId}/${id}/${encodeURIComponent(input.filename)}`;
  const attachment: EmulatedAttachment = {
    id,
    filename: input.filename,
    contentType: input.contentType ?? null,
    data,
    url,
  };
  ctx.attachments.set(id, attachment);
  return attachment;
}

/** What a new message needs besides its body. */
export interface NewMessage {
  /** Defaults to a new snowflake. */
  id?: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  source: MessageSource;
  type?: number;
  webhookId?: string | null;
  interactionId?: string | null;
}

/** Creates and stores an empty message. */
export function createMessage(ctx: EmulatorContext, init: NewMessage): EmulatedMessage {
  const message: EmulatedMessage = {
    id: init.id ?? ctx.nextId(),
    channelId: init.channelId,
    guildId: init.guildId,
    authorId: init.authorId,
    source: init.source,
    type: init.type ?? 0,
    content: '',
    embeds: [],
    components: [],
    flags: 0,
    attachments: [],
    mentions: [],
    mentionRoles: [],
    allowedMentions: undefined,
    bodies: [],
    webhookId: init.webhookId ?? null,
    interactionId: init.interactionId ?? null,
    createdAt: new Date().toISOString(),
    editedAt: null,
    deleted: false,
  };
  ctx.messages.set(message.id, message);
  return message;
}

/** Applies a bot body (create or edit): content, embeds, components, flags, mentions, attachments. */
export function applyBody(
  ctx: EmulatorContext,
  message: EmulatedMessage,
  body: unknown,
  files: readonly RestFile[],
): void {
  const data = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  message.bodies.push(body);
  if (typeof data.content === 'string') message.content = data.content;
  if (Array.isArray(data.embeds)) message.embeds = data.embeds;
  if (Array.isArray(data.components)) message.components = data.components;
  if (typeof data.flags === 'number') message.flags = data.flags;
  if ('allowed_mentions' in data) message.allowedMentions = data.allowed_mentions;
  message.attachments = nextAttachments(ctx, message, data.attachments, files);
  const mentions = parseMentions(message.content);
  message.mentions = mentions.users;
  message.mentionRoles = mentions.roles;
}

/** Marks a message edited now. */
export function markEdited(message: EmulatedMessage): void {
  message.editedAt = new Date().toISOString();
}

/** User and role ids mentioned as `<@id>`, `<@!id>` and `<@&id>`. */
export function parseMentions(content: string): { users: string[]; roles: string[] } {
  const users = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!);
  const roles = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]!);
  return { users: [...new Set(users)], roles: [...new Set(roles)] };
}

function nextAttachments(
  ctx: EmulatorContext,
  message: EmulatedMessage,
  listed: unknown,
  files: readonly RestFile[],
): EmulatedAttachment[] {
  const upload = (file: RestFile): EmulatedAttachment =>
    storeAttachment(ctx, message.channelId, {
      filename: file.filename,
      data: file.data,
      contentType: file.contentType ?? undefined,
    });
  if (!Array.isArray(listed)) return [...message.attachments, ...files.map(upload)];
  const kept: EmulatedAttachment[] = [];
  for (const entry of listed as Array<{ id?: unknown; filename?: unknown }>) {
    const id = String(entry.id ?? '');
    const existing = message.attachments.find((a) => a.id === id);
    const file = existing === undefined ? files.find((f) => String(f.index) === id) : undefined;
    if (existing !== undefined) kept.push(existing);
    else if (file !== undefined)
      kept.push(upload(typeof entry.filename === 'string' ? { ...file, filename: entry.filename } : file));
  }
  return kept;
}
