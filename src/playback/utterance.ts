import type { SpeechTuning } from '../dashscope/realtime/protocol.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';

/** One piece of text to speak in one voice: the unit the queue holds. */
export interface Utterance {
  id: string;
  guildId: string;
  text: string;
  voice: CharacterVoice;
  /** Who asked for it (a Discord user id). */
  requestedBy: string;
  source: 'say' | 'narration';
  /** The text channel where a failure is reported. */
  reportChannelId: string;
  /** The chat message it reads, for narration: edits and deletes find it by this. */
  messageId?: string | undefined;
  /** When the request reached the bot (ms since the epoch), for the request → first packet latency metric. */
  receivedAt?: number | undefined;
  /** The effective speed, pitch and volume (member > voice > server); absent: the voice's own defaults. */
  tuning?: SpeechTuning | undefined;
}
