/** Names of what a message mentions, by id, as the caller resolved them (display names, role and channel names). */
export interface MentionNames {
  users: ReadonlyMap<string, string>;
  roles: ReadonlyMap<string, string>;
  channels: ReadonlyMap<string, string>;
}

/** A file attached to a message. */
export interface ChatAttachment {
  name: string;
  /** MIME type when Discord knows it, e.g. `image/png`. */
  contentType?: string;
}

/**
 * A Discord chat message as narration sees it: plain data, no discord.js.
 * @remarks The caller fills `mentions` from the message's resolved mentions, so narration never
 * looks anything up.
 */
export interface ChatMessage {
  content: string;
  mentions: MentionNames;
  attachments: readonly ChatAttachment[];
  /** Names of the stickers sent with the message. */
  stickers?: readonly string[];
  /** Sent with @silent (Discord's SUPPRESS_NOTIFICATIONS flag). */
  silent?: boolean;
}

/** No mentions resolved: every mention reads as "someone", "a role", "a channel". */
export const NO_MENTIONS: MentionNames = { users: new Map(), roles: new Map(), channels: new Map() };
