import type { DesignLanguage } from '../dashscope/limits.ts';
import type { TargetModel } from '../dashscope/models.ts';
import type { SpeechTuning } from '../dashscope/realtime/protocol.ts';

/** A designed voice as one server's registry keeps it. */
export interface CharacterVoice {
  /** Registry name, unique per guild (case-insensitively); what members type. */
  name: string;
  /** DashScope voice id, e.g. `qwen-tts-vd-captain-voice-20260101120000123-a1b2`. */
  voiceId: string;
  /** The model the voice is bound to; synthesis must use it. */
  targetModel: TargetModel;
  /** The words the voice was designed from (`voice_prompt`). */
  description: string;
  language: DesignLanguage;
  /** Who designed it: a Discord user id, or `cli` for the command line. */
  createdBy: string;
  /** Unix milliseconds. */
  createdAt: number;
  /** The voice's default speed, pitch and volume (`/voice tune`); absent: DashScope's defaults. */
  tuning?: SpeechTuning;
}
