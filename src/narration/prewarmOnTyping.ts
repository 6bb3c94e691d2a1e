/**
 * Narration that starts before the message is sent: a member who starts typing in a narrated channel has their
 * voice's realtime session opened then, so when the message arrives only DashScope's first-audio time remains.
 * @remarks Bounded to one pre-warm per member per {@link PREWARM_INTERVAL_MS} (Discord repeats TYPING_START about
 * every 10 s while a member types). The session is opened through the engine's pool, which counts it against the
 * account's sessions like any other, and closes it after the usual idle window if no message comes.
 */
import type { Logger } from '../log.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';
import { resolveVoice } from '../voices/resolveVoice.ts';
import type { SpeechTuning } from '../voices/speechTuning.ts';
import { tuningFor } from '../voices/tuningFor.ts';
import { type ChatAuthor, type ChatEvent, type IgnoreReason, route } from './route.ts';
import type { NarrationSettings } from './settings.ts';
import type { VoiceSources } from './speakers.ts';
import { NO_MENTIONS } from './text/chatMessage.ts';

/** At most one pre-warm per member per this many ms. */
export const PREWARM_INTERVAL_MS = 10_000;
/** Members remembered for the bound; past this, those outside the interval are forgotten. */
const REMEMBERED_MEMBERS = 5_000;

/** A member who started typing, as narration sees it. */
export interface TypingEvent {
  guildId: string;
  channelId: string;
  author: ChatAuthor;
}

/** What came of one TYPING_START. */
export type PrewarmOutcome = 'prewarmed' | 'too_soon' | 'not_a_member' | IgnoreReason;

/** What pre-warming works with; side effects come in here. */
export interface TypingPrewarmOptions extends VoiceSources {
  settings: { get(guildId: string): Promise<NarrationSettings> };
  /** The voice channel the bot is in, in `guildId`, if any. */
  botChannel(guildId: string): string | undefined;
  /** Opens the session `voice` will speak in with `tuning` (the engine's `prewarm`). */
  prewarm(voice: CharacterVoice, tuning: SpeechTuning): void;
  log: Logger;
  intervalMs?: number;
  /** Milliseconds clock, for tests. */
  now?: () => number;
}

/** Pre-warms typing members' voice sessions, bounded per member. */
export class TypingPrewarm {
  readonly #options: TypingPrewarmOptions;
  readonly #intervalMs: number;
  readonly #now: () => number;
  /** When each member (`guildId:userId`) was last pre-warmed. */
  readonly #last = new Map<string, number>();

  constructor(options: TypingPrewarmOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? PREWARM_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Opens the typing member's session when their message would be read; says why not otherwise. */
  async typing(event: TypingEvent): Promise<PrewarmOutcome> {
    const { guildId, author } = event;
    if (author.kind !== 'member') return 'not_a_member';
    const key = `${guildId}:${author.id}`;
    const last = this.#last.get(key);
    if (last !== undefined && this.#now() - last < this.#intervalMs) return 'too_soon';
    const settings = await this.#options.settings.get(guildId);
    // Whether a message from them here would be read: the same rules, for a message not written yet.
    const unwritten: ChatEvent = {
      ...event,
      messageId: '',
      message: { content: '', mentions: NO_MENTIONS, attachments: [] },
    };
    const decision = route(settings, unwritten, this.#options.botChannel(guildId));
    if (decision.action === 'ignore') return decision.reason;
    const voice = await this.#voiceOf(guildId, author.id);
    if (voice === undefined) return 'no_voice';
    const tuning = await tuningFor(this.#options.preferences, guildId, author.id, voice, settings.speed);
    this.#remember(key);
    this.#options.prewarm(voice, tuning);
    this.#options.log.debug({ guildId, userId: author.id, voice: voice.voiceId }, 'pre-warmed on typing');
    return 'prewarmed';
  }

  async #voiceOf(guildId: string, userId: string): Promise<CharacterVoice | undefined> {
    const { registry, preferences } = this.#options;
    return resolveVoice(registry, preferences, guildId, userId).catch((error: unknown) => {
      if ((error as { reason?: unknown } | null)?.reason === 'not_found') return undefined;
      throw error;
    });
  }

  #remember(key: string): void {
    const now = this.#now();
    this.#last.set(key, now);
    if (this.#last.size <= REMEMBERED_MEMBERS) return;
    for (const [member, at] of this.#last) if (now - at >= this.#intervalMs) this.#last.delete(member);
  }
}
