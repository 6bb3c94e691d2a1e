import { UserError } from '../errors.ts';
import type { CharacterVoice } from './characterVoice.ts';
import type { VoicePreferences } from './preferences.ts';
import type { VoiceRegistry } from './registry.ts';

/**
 * The voice a member speaks with: the one named, else the member's `/voice use` voice, else the
 * server default.
 * @throws UserError `not_found` naming what to do when none applies.
 */
export async function resolveVoice(
  registry: VoiceRegistry,
  preferences: VoicePreferences,
  guildId: string,
  userId: string,
  requested?: string,
): Promise<CharacterVoice> {
  if (requested !== undefined && requested.trim() !== '') {
    const voice = await registry.get(guildId, requested);
    if (!voice) throw new UserError('not_found', `This server has no voice called "${requested}". See /voice list.`);
    return voice;
  }
  for (const voiceId of [await preferences.memberVoiceId(guildId, userId), await preferences.defaultVoiceId(guildId)]) {
    const voice = voiceId === undefined ? undefined : await registry.get(guildId, voiceId);
    if (voice) return voice;
  }
  throw new UserError(
    'not_found',
    'You have no voice yet. Design one with /voice design, then pick it with /voice use (or ask an admin to set ' +
      '/voice default).',
  );
}
