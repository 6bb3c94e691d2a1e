import { type Client, Events } from 'discord.js';
import type { Logger } from '../log.ts';
import type { Utterance } from '../playback/utterance.ts';
import type { App } from './app.ts';
import { memberMessage } from './memberMessage.ts';
import { onInteraction } from './onInteraction.ts';
import { onMessageCreate, onMessageDelete, onMessageUpdate } from './onMessage.ts';
import { onTypingStart } from './onTyping.ts';
import { onVoiceState } from './onVoiceState.ts';
import { postLine } from './reply.ts';

/** Routes the gateway's events to the handlers. */
export function wireClient(client: Client, app: App): void {
  client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction, app));
  client.on(Events.VoiceStateUpdate, (before, after) => onVoiceState(before, after, app));
  client.on(Events.MessageCreate, (message) => onMessageCreate(message, app));
  client.on(Events.MessageUpdate, (before, after) => onMessageUpdate(before, after, app));
  client.on(Events.MessageDelete, (message) => onMessageDelete(message, app));
  client.on(Events.TypingStart, (typing) => onTypingStart(typing, app));
  client.once(Events.ClientReady, (ready) =>
    app.log.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'ready'),
  );
  client.on(Events.Error, (error) => app.log.error({ err: error }, 'discord client error'));
}

/**
 * Tells the channel that asked why an utterance was not spoken, once; the log gets the operator's detail.
 */
export function reportUtteranceFailure(client: Client, log: Logger, utterance: Utterance, error: unknown): void {
  log.warn({ guildId: utterance.guildId, utteranceId: utterance.id, err: error }, 'utterance failed');
  const reason = memberMessage(error) ?? 'something went wrong on my side.';
  postLine(client, log, utterance.reportChannelId, `Could not say that as **${utterance.voice.name}**: ${reason}`);
}
