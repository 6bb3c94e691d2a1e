import { randomUUID } from 'node:crypto';
import { SAY_TEXT_MAX_CHARS } from '../../../commands/limits.ts';
import { invalidInput, UserError } from '../../errors.ts';
import type { Utterance } from '../../playback/utterance.ts';
import { resolveVoice } from '../../voices/resolveVoice.ts';
import type { Handler } from '../app.ts';
import { respond } from '../reply.ts';
import { joinFor } from '../voiceChannel.ts';

/** `/join [channel]`. */
export const join: Handler = async (interaction, app) => {
  const channel = interaction.options.getChannel('channel');
  const { channelId } = await joinFor(interaction, app, channel?.isVoiceBased() ? channel : undefined);
  await respond(interaction, `Joined <#${channelId}>.`);
};

/** `/leave`. */
export const leave: Handler = async (interaction, app) => {
  await respond(
    interaction,
    app.players.leave(interaction.guildId) ? 'Left the voice channel.' : 'I’m not in a voice channel.',
  );
};

/** `/say text [voice]`: joins the member's channel when needed, then queues the text. */
export const say: Handler = async (interaction, app) => {
  const text = interaction.options.getString('text', true).trim();
  if (text === '') throw invalidInput('There is nothing to say.');
  if ([...text].length > SAY_TEXT_MAX_CHARS)
    throw invalidInput(`That is ${[...text].length} characters; /say takes at most ${SAY_TEXT_MAX_CHARS}.`);
  const voice = await resolveVoice(
    app.registry,
    app.preferences,
    interaction.guildId,
    interaction.user.id,
    interaction.options.getString('voice') ?? undefined,
  );
  const utterance: Utterance = {
    id: randomUUID(),
    guildId: interaction.guildId,
    text,
    voice,
    requestedBy: interaction.user.id,
    source: 'say',
    reportChannelId: interaction.channelId,
  };
  // Spend: the characters are reserved first (a budget refuses here, with its reason) and given back on failure.
  const ahead = await app.speechSpend.queue(utterance, async () =>
    (app.players.get(interaction.guildId) ?? (await joinFor(interaction, app)).player).enqueue(utterance),
  );
  await respond(
    interaction,
    ahead === 0 ? `Speaking as **${voice.name}**.` : `Queued as **${voice.name}** (${ahead} ahead).`,
  );
};

/** `/skip`. */
export const skip: Handler = async (interaction, app) => {
  const skipped = app.players.get(interaction.guildId)?.skip() ?? false;
  await respond(interaction, skipped ? 'Skipped.' : 'Nothing is being said.');
};

/** `/stop`. */
export const stop: Handler = async (interaction, app) => {
  const player = app.players.get(interaction.guildId);
  if (!player) throw new UserError('not_found', 'I’m not in a voice channel.');
  const dropped = player.stop();
  await respond(
    interaction,
    dropped === 0 ? 'Nothing was queued.' : `Stopped; cleared ${dropped} utterance${dropped === 1 ? '' : 's'}.`,
  );
};
