import { UserError } from '../../errors.ts';
import type { CharacterVoice } from '../../voices/characterVoice.ts';
import { checkTuning, describeTuning } from '../../voices/speechTuning.ts';
import type { Handler } from '../app.ts';
import { managesServer } from '../permissions.ts';
import { NO_MENTIONS, plain, respond } from '../reply.ts';

/**
 * `/voice tune name [speed] [pitch] [volume] [reset]`: shows a voice's defaults, or (its creator or Manage
 * Server) changes them. Values out of range are refused with their range, and change nothing.
 */
export const tune: Handler = async (interaction, app) => {
  const { options, guildId } = interaction;
  const name = options.getString('name', true);
  const voice = await app.registry.get(guildId, name);
  if (!voice) throw new UserError('not_found', `This server has no voice called "${name}". See /voice list.`);
  const reset = options.getBoolean('reset') ?? false;
  const asked = {
    speechRate: options.getNumber('speed'),
    pitchRate: options.getNumber('pitch'),
    volume: options.getInteger('volume'),
  };
  const changes = Object.values(asked).some((v) => v !== null);
  if (!changes && !reset) {
    return respond(interaction, `**${plain(voice.name)}** speaks with ${describeTuning(voice.tuning)}.`);
  }
  assertMayTune(voice, interaction.user.id, managesServer(interaction));
  const checked = checkTuning(asked);
  const tuning = reset ? checked : { ...voice.tuning, ...checked };
  const saved = await app.registry.tune(guildId, voice.voiceId, tuning);
  if (!saved) throw new UserError('not_found', `**${plain(voice.name)}** was deleted meanwhile.`);
  await respond(interaction, {
    content: `**${plain(saved.name)}** now speaks with ${describeTuning(saved.tuning)}.`,
    allowedMentions: NO_MENTIONS,
  });
};

function assertMayTune(voice: CharacterVoice, userId: string, managesServer: boolean): void {
  if (voice.createdBy !== userId && !managesServer)
    throw new UserError(
      'forbidden',
      `Only <@${voice.createdBy}> or someone with Manage Server can tune **${plain(voice.name)}**.`,
    );
}
