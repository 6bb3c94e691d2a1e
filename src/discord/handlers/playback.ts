import { randomUUID } from 'node:crypto';
import { QUEUE_MAX_UTTERANCES, SAY_TEXT_MAX_CHARS } from '../../../commands/limits.ts';
import { invalidInput, UserError } from '../../errors.ts';
import { memberShare, rateRefusal, withinShare } from '../../playback/memberShare.ts';
import type { Utterance } from '../../playback/utterance.ts';
import { resolveVoice } from '../../voices/resolveVoice.ts';
import { tuningFor } from '../../voices/tuningFor.ts';
import type { Handler } from '../app.ts';
import { plain, respond } from '../reply.ts';
import { assertInCall, assertMemberMayJoin, joinFor } from '../voiceChannel.ts';

/** `/join [channel]`. */
export const join: Handler = async (interaction, app) => {
  const option = interaction.options.getChannel('channel');
  const channel = option?.isVoiceBased() ? option : undefined;
  if (channel) assertMemberMayJoin(interaction, channel);
  assertInCall(interaction, app, 'Moving me');
  const { channelId } = await joinFor(interaction, app, { channel });
  await respond(interaction, `Joined <#${channelId}>.`);
};

/** `/leave`. */
export const leave: Handler = async (interaction, app) => {
  assertInCall(interaction, app, '/leave');
  await respond(
    interaction,
    app.players.leave(interaction.guildId) ? 'Left the voice channel.' : 'I’m not in a voice channel.',
  );
};

/** `/say text [voice]`: joins the member's channel when needed, then queues the text. */
export const say: Handler = async (interaction, app) => {
  const receivedAt = Date.now();
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
  assertInCall(interaction, app, '/say', interaction.member.voice.channelId);
  await takeShare(interaction, app, [...text].length);
  const utterance: Utterance = {
    id: randomUUID(),
    guildId: interaction.guildId,
    text,
    voice,
    requestedBy: interaction.user.id,
    source: 'say',
    reportChannelId: interaction.channelId,
    receivedAt,
    tuning: await tuningFor(app.preferences, interaction.guildId, interaction.user.id, voice),
  };
  // Spend: the characters are reserved first (a budget refuses here, with its reason) and given back on failure.
  const ahead = await app.speechSpend.queue(utterance, async () =>
    (app.players.get(interaction.guildId) ?? (await joinFor(interaction, app)).player).enqueue(utterance),
  );
  await respond(
    interaction,
    ahead === 0 ? `Speaking as **${plain(voice.name)}**.` : `Queued as **${plain(voice.name)}** (${ahead} ahead).`,
  );
};

/**
 * Takes the member's place and characters for one /say: at most half the queue, and their characters per minute.
 * @throws UserError `quota_full` saying which limit was reached.
 */
async function takeShare(interaction: Parameters<Handler>[0], app: Parameters<Handler>[1], characters: number) {
  const { guildId, user } = interaction;
  const pending = app.players.get(guildId)?.pending ?? [];
  if (!withinShare(pending, user.id, 1, QUEUE_MAX_UTTERANCES)) {
    const share = memberShare(QUEUE_MAX_UTTERANCES);
    throw new UserError('quota_full', `You already have ${share} things to say in the queue; let others speak first.`);
  }
  const allowance = await app.players.rate.take(guildId, user.id, characters);
  if (!allowance.granted) throw new UserError('quota_full', rateRefusal(allowance));
}

/** `/skip`. */
export const skip: Handler = async (interaction, app) => {
  assertInCall(interaction, app, '/skip');
  const skipped = app.players.get(interaction.guildId)?.skip() ?? false;
  await respond(interaction, skipped ? 'Skipped.' : 'Nothing is being said.');
};

/** `/stop`. */
export const stop: Handler = async (interaction, app) => {
  assertInCall(interaction, app, '/stop');
  const player = app.players.get(interaction.guildId);
  if (!player) throw new UserError('not_found', 'I’m not in a voice channel.');
  const dropped = player.stop();
  await respond(
    interaction,
    dropped === 0 ? 'Nothing was queued.' : `Stopped; cleared ${dropped} utterance${dropped === 1 ? '' : 's'}.`,
  );
};
