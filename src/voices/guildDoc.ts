import type Keyv from 'keyv';
import type { CharacterVoice } from './characterVoice.ts';
import { Undecodable } from './storeKeyv.ts';
import { nameKey, parseVoice } from './voiceRecord.ts';

/** Version tag of the per-guild document; bump it with a migration when the shape changes. */
export const GUILD_DOC_VERSION = 1;

/** The keyv key that holds one guild's registry document. */
export function registryKey(guildId: string): string {
  return `voices:${guildId}`;
}

/** Something in the store the registry could not use, reported instead of thrown. */
export interface RegistryProblem {
  guildId: string;
  /** The keyv key (without the store's namespace). */
  key: string;
  /** Position of the bad entry in the stored list; absent when the whole value is unusable. */
  index?: number;
  problem: string;
}

/** One guild's document as read: raw entries in stored order plus the ones that parsed. */
export interface GuildDoc {
  key: string;
  /** False when the stored value is not a registry document; it must then not be overwritten. */
  readable: boolean;
  /** Every stored entry as it was, unusable ones included, newest first. */
  stored: unknown[];
  /** The usable entries, each with its position in `stored`. */
  voices: Array<{ at: number; voice: CharacterVoice }>;
}

/**
 * Reads and validates one guild's document; unusable parts are reported and left out.
 * @remarks Storage failures propagate (the keyv must have `throwOnErrors`), so an outage is
 * never mistaken for an empty guild. Only a value that cannot be decoded or has the wrong
 * shape counts as corrupt.
 */
export async function readGuildDoc(
  keyv: Keyv,
  guildId: string,
  report: (p: RegistryProblem) => void,
): Promise<GuildDoc> {
  let raw: unknown;
  try {
    raw = await keyv.get(registryKey(guildId));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    raw = new Undecodable(error.message);
  }
  return guildDocOf(raw, guildId, report);
}

/** Validates a guild's stored value as read (`undefined` when absent); unusable parts are reported and left out. */
export function guildDocOf(raw: unknown, guildId: string, report: (p: RegistryProblem) => void): GuildDoc {
  const key = registryKey(guildId);
  const unreadable = (problem: string): GuildDoc => {
    report({ guildId, key, problem });
    return { key, readable: false, stored: [], voices: [] };
  };
  if (raw instanceof Undecodable) return unreadable(`value cannot be decoded: ${raw.problem}`);
  if (raw === undefined) return { key, readable: true, stored: [], voices: [] };
  if (!isDocShape(raw)) return unreadable('value is not a voice registry document');
  return { key, readable: true, stored: raw.voices, voices: usableEntries(raw.voices, guildId, key, report) };
}

/** A guild's entries as the one value that holds them, so a guild is never half-written. */
export function guildDocValue(stored: unknown[]): { v: number; voices: unknown[] } {
  return { v: GUILD_DOC_VERSION, voices: stored };
}

function isDocShape(raw: unknown): raw is { v: number; voices: unknown[] } {
  if (typeof raw !== 'object' || raw === null) return false;
  const doc = raw as Record<string, unknown>;
  return doc.v === GUILD_DOC_VERSION && Array.isArray(doc.voices);
}

function usableEntries(
  stored: unknown[],
  guildId: string,
  key: string,
  report: (p: RegistryProblem) => void,
): GuildDoc['voices'] {
  const names = new Set<string>();
  const ids = new Set<string>();
  const voices: GuildDoc['voices'] = [];
  stored.forEach((entry, at) => {
    const parsed = parseVoice(entry);
    const problem = parsed.ok ? duplicateProblem(parsed.voice, names, ids) : parsed.problem;
    if (problem !== undefined || !parsed.ok) {
      report({ guildId, key, index: at, problem: problem ?? 'unusable' });
      return;
    }
    names.add(nameKey(parsed.voice.name));
    ids.add(parsed.voice.voiceId);
    voices.push({ at, voice: parsed.voice });
  });
  return voices;
}

function duplicateProblem(voice: CharacterVoice, names: Set<string>, ids: Set<string>): string | undefined {
  if (names.has(nameKey(voice.name))) return 'duplicate name';
  if (ids.has(voice.voiceId)) return 'duplicate voiceId';
  return undefined;
}
