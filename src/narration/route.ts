import type { Author } from './nameAnnouncer.ts';
import type { AuthorNames } from './names.ts';
import type { NarrationSettings } from './settings.ts';
import type { ChatMessage } from './text/chatMessage.ts';
import { notReadBecause, type WhoReason } from './whoIsRead.ts';

/** Who wrote a message: a member, a bot account, or a webhook (a roleplay proxy, a feed). */
export type AuthorKind = 'member' | 'bot' | 'webhook';

/** The author of a chat message, as narration needs them. */
export interface ChatAuthor extends Author {
  kind: AuthorKind;
  /** The voice channel a member is in, or `null`. */
  voiceChannelId: string | null;
  /** For a webhook: the voice channel of the member whose message it replaced (a roleplay proxy), if tied to one. */
  proxyOf?: { authorId: string; voiceChannelId: string | null } | undefined;
  /** A member's or bot's names, for `name_source` (a webhook has only `name`). */
  names?: AuthorNames | undefined;
  /** A member's roles, for the ignore list. */
  roleIds?: readonly string[] | undefined;
}

/** A guild chat message as narration sees it: plain ids and strings, no discord.js. */
export interface ChatEvent {
  guildId: string;
  channelId: string;
  messageId: string;
  author: ChatAuthor;
  message: ChatMessage;
}

/** Why a message is not read (logged at debug). */
export type IgnoreReason =
  | 'unbound'
  | 'bot'
  | 'bound_elsewhere'
  | 'author_not_listening'
  | 'not_in_voice'
  | 'webhook_without_voice'
  | 'webhook_not_tied'
  | 'nothing_to_say'
  | 'no_voice'
  | 'join_refused'
  | WhoReason;

/** What to do with a message: read it into the bot's channel, join one first, or ignore it. */
export type Route =
  | { action: 'read' }
  | { action: 'join'; voiceChannelId: string }
  | { action: 'ignore'; reason: IgnoreReason };

const ignore = (reason: IgnoreReason): Route => ({ action: 'ignore', reason });

/**
 * Decides whether a message is read, from the server's settings and the voice channel the bot is in.
 * @remarks Only bound text channels are read, and only into the voice channel they are bound to.
 * A member must be in that voice channel unless `requireVoice` is off: narration is for the people
 * listening, and this keeps people outside the call from speaking into it. Bots are read only with `readBots`.
 * A webhook is then read only as the proxied copy of a message by a member in that channel (`proxyOf`);
 * otherwise webhooks pass here and are decided by their voice (a character's, or the default with `readBots`).
 * When the bot is not in voice, `autoJoin` joins the author's channel if it is the bound one.
 * With `textInVoice`, the chat of the voice channel the bot is in counts as bound to it.
 * Opted-out and ignored authors, the skip prefix and @silent are checked first ({@link notReadBecause}).
 */
export function route(settings: NarrationSettings, event: ChatEvent, botChannelId: string | undefined): Route {
  const inVoiceChat = settings.textInVoice && botChannelId !== undefined && event.channelId === botChannelId;
  if (!Object.hasOwn(settings.bindings, event.channelId) && !inVoiceChat) return ignore('unbound');
  const unread = notReadBecause(settings, event);
  if (unread !== undefined) return ignore(unread);
  const { author } = event;
  if (author.kind === 'bot' && !settings.readBots) return ignore('bot');
  if (author.kind === 'webhook' && settings.requireVoice && author.proxyOf === undefined)
    return ignore('webhook_not_tied');
  const bound = inVoiceChat ? event.channelId : (settings.bindings[event.channelId] ?? null);
  const listening = listeningIn(author, settings.requireVoice);
  if (botChannelId !== undefined) {
    if (bound !== null && bound !== botChannelId) return ignore('bound_elsewhere');
    if (listening !== undefined && listening !== botChannelId) return ignore('author_not_listening');
    return { action: 'read' };
  }
  if (!settings.autoJoin) return ignore('not_in_voice');
  const target = author.kind === 'member' ? author.voiceChannelId : (listening ?? bound);
  if (target === null || (bound !== null && target !== bound)) return ignore('not_in_voice');
  return { action: 'join', voiceChannelId: target };
}

/** The voice channel an author must be in to be read (`undefined`: no such rule for them). */
function listeningIn(author: ChatAuthor, requireVoice: boolean): string | null | undefined {
  if (!requireVoice) return undefined;
  if (author.kind === 'member') return author.voiceChannelId;
  return author.kind === 'webhook' ? author.proxyOf?.voiceChannelId : undefined;
}

/** Whether a member joining `voiceChannelId` should bring the bot in (auto-join). */
export function joinsOnArrival(settings: NarrationSettings, voiceChannelId: string): boolean {
  return (
    settings.autoJoin && Object.values(settings.bindings).some((bound) => bound === null || bound === voiceChannelId)
  );
}

/** Whether the bot stays in `voiceChannelId` while idle: a chat read there is bound to it (or to any channel). */
export function staysWhileIdle(settings: NarrationSettings, voiceChannelId: string): boolean {
  return Object.values(settings.bindings).some((bound) => bound === null || bound === voiceChannelId);
}
