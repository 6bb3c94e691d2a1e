import { randomUUID } from 'node:crypto';
import { UserError } from '../errors.ts';
import type { Utterance } from '../playback/utterance.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';
import type { VoicePreferences } from '../voices/preferences.ts';
import type { VoiceRegistry } from '../voices/registry.ts';
import { resolveVoice } from '../voices/resolveVoice.ts';
import { nameKey } from '../voices/voiceRecord.ts';
import type { ChatAuthor, ChatEvent } from './route.ts';
import type { Segment } from './text/characterLines.ts';

/** A server's voices by {@link nameKey}: who character lines and webhooks can be. */
export type Cast = ReadonlyMap<string, CharacterVoice>;

/** The registry and preferences, where voices come from. */
export interface VoiceSources {
  registry: VoiceRegistry;
  preferences: VoicePreferences;
}

/** The server's voices by name key. */
export async function castOf(registry: VoiceRegistry, guildId: string): Promise<Cast> {
  return new Map((await registry.list(guildId)).map((voice) => [nameKey(voice.name), voice]));
}

/** The character a name stands for in `cast`, if any. */
export function characterIn(cast: Cast, name: string): CharacterVoice | undefined {
  return cast.get(nameKey(name));
}

/**
 * The voice an author's own words are spoken in, or `undefined` for none.
 * @remarks A member or bot: their `/voice use` voice, else the server default. A webhook (PluralKit,
 * Tupperbox) is a character when its display name is a voice of this server; otherwise it is read
 * only with `readBots`, in the server default voice.
 */
export async function authorVoice(
  sources: VoiceSources,
  guildId: string,
  author: ChatAuthor,
  cast: Cast,
  readBots: boolean,
): Promise<CharacterVoice | undefined> {
  if (author.kind === 'webhook') {
    const character = characterIn(cast, author.name);
    if (character || !readBots) return character;
  }
  try {
    return await resolveVoice(sources.registry, sources.preferences, guildId, author.id);
  } catch (error) {
    if (error instanceof UserError && error.reason === 'not_found') return undefined;
    throw error;
  }
}

/** A message's utterances, and how many of the author's segments had no voice to be spoken in. */
export interface Casting {
  utterances: Utterance[];
  voiceless: number;
}

/** One utterance per segment: a character's in that voice, the author's in `voice` (or left out without one). */
export function castSegments(
  event: ChatEvent,
  segments: readonly Segment[],
  voice: CharacterVoice | undefined,
  cast: Cast,
): Casting {
  const utterances: Utterance[] = [];
  let voiceless = 0;
  for (const segment of segments) {
    const speaker = segment.character === undefined ? voice : characterIn(cast, segment.character);
    if (speaker) utterances.push(narrationUtterance(event, segment.text, speaker, event.messageId));
    else voiceless += 1;
  }
  return { utterances, voiceless };
}

/** An utterance of narration in `channelId`'s name; `messageId` is left out for the bot's own lines. */
export function narrationUtterance(
  event: Pick<ChatEvent, 'guildId' | 'channelId' | 'author'>,
  text: string,
  voice: CharacterVoice,
  messageId?: string,
): Utterance {
  return {
    id: randomUUID(),
    guildId: event.guildId,
    text,
    voice,
    requestedBy: event.author.id,
    source: 'narration',
    reportChannelId: event.channelId,
    messageId,
  };
}
