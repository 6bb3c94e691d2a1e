import type { CharacterVoice } from './characterVoice.ts';
import type { VoicePreferences } from './preferences.ts';
import { effectiveTuning, type SpeechTuning } from './speechTuning.ts';

/**
 * The speed, pitch and volume `userId` is heard with in `voice`: their own speed when it is the voice they chose
 * with `/voice use`, else the voice's; then the server's speed (`serverSpeed`, narration only); then DashScope's.
 */
export async function tuningFor(
  preferences: VoicePreferences,
  guildId: string,
  userId: string,
  voice: CharacterVoice,
  serverSpeed?: number | null,
): Promise<SpeechTuning> {
  const choice = await preferences.memberChoice(guildId, userId);
  const memberSpeed = choice?.voiceId === voice.voiceId ? choice.speed : undefined;
  return effectiveTuning({ memberSpeed, voice: voice.tuning, serverSpeed: serverSpeed ?? undefined });
}
