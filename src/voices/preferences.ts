import type Keyv from 'keyv';
import { GuildRecord, objectOrEmpty } from './guildRecord.ts';
import { clampField } from './speechTuning.ts';

/** Which voice each member speaks with, and the server's default; both by DashScope voice id. */
interface PreferenceDoc {
  defaultVoiceId: string | undefined;
  members: Record<string, string>;
  /** A member's own speed for their `/voice use` voice, by user id. */
  speeds: Record<string, number>;
}

/** A member's `/voice use` choice. */
export interface MemberChoice {
  voiceId: string;
  /** Their own speed for it (`/voice use name speed`); absent: the voice's. */
  speed: number | undefined;
}

/** Characters spoken per voice id, for `/voice info`. */
type UsageDoc = Record<string, number>;

const stringsOnly = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries(objectOrEmpty(value)).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );

function parsePreferences(value: unknown): PreferenceDoc {
  const doc = objectOrEmpty(value);
  return {
    defaultVoiceId: typeof doc.defaultVoiceId === 'string' ? doc.defaultVoiceId : undefined,
    members: stringsOnly(doc.members),
    speeds: speedsOnly(doc.speeds),
  };
}

function speedsOnly(value: unknown): Record<string, number> {
  const entries = Object.entries(objectOrEmpty(value)).map(([id, speed]) => [id, clampField('speechRate', speed)]);
  return Object.fromEntries(entries.filter((e): e is [string, number] => e[1] !== undefined));
}

function parseUsage(value: unknown): UsageDoc {
  return Object.fromEntries(
    Object.entries(objectOrEmpty(value)).filter((e): e is [string, number] => Number.isFinite(e[1])),
  );
}

/**
 * Members' `/voice use` choices, the server default (`/voice default`) and usage counts.
 * @remarks Stored by voice id, not name, so a rename keeps them; the caller resolves ids through the
 * guild's registry, so a deleted voice simply stops resolving. Usage lives in its own record so
 * counting never queues behind preference changes.
 */
export class VoicePreferences {
  readonly #prefs: GuildRecord<PreferenceDoc>;
  readonly #usage: GuildRecord<UsageDoc>;

  constructor(keyv: Keyv) {
    this.#prefs = new GuildRecord(keyv, 'prefs', parsePreferences);
    this.#usage = new GuildRecord(keyv, 'usage', parseUsage);
  }

  async memberVoiceId(guildId: string, userId: string): Promise<string | undefined> {
    return (await this.#prefs.get(guildId)).members[userId];
  }

  /** The member's voice and their own speed for it, if they chose one. */
  async memberChoice(guildId: string, userId: string): Promise<MemberChoice | undefined> {
    const doc = await this.#prefs.get(guildId);
    const voiceId = doc.members[userId];
    return voiceId === undefined ? undefined : { voiceId, speed: doc.speeds[userId] };
  }

  /** Sets the member's voice; their speed is set with it, or cleared when `speed` is absent (it was for a voice). */
  async setMemberVoice(guildId: string, userId: string, voiceId: string, speed?: number): Promise<void> {
    await this.#prefs.update(guildId, (doc) => {
      const { [userId]: _, ...speeds } = doc.speeds;
      return {
        ...doc,
        members: { ...doc.members, [userId]: voiceId },
        speeds: speed === undefined ? speeds : { ...speeds, [userId]: speed },
      };
    });
  }

  async defaultVoiceId(guildId: string): Promise<string | undefined> {
    return (await this.#prefs.get(guildId)).defaultVoiceId;
  }

  async setDefaultVoice(guildId: string, voiceId: string): Promise<void> {
    await this.#prefs.update(guildId, (doc) => ({ ...doc, defaultVoiceId: voiceId }));
  }

  /** Adds spoken characters to a voice's count. */
  async addUsage(guildId: string, voiceId: string, characters: number): Promise<void> {
    if (characters <= 0) return;
    await this.#usage.update(guildId, (doc) => ({ ...doc, [voiceId]: (doc[voiceId] ?? 0) + characters }));
  }

  async usage(guildId: string, voiceId: string): Promise<number> {
    return (await this.#usage.get(guildId))[voiceId] ?? 0;
  }
}
