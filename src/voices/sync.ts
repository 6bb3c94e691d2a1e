import type { CharacterVoice } from './characterVoice.ts';
import type { VoiceRegistry } from './registry.ts';

/** How {@link syncGuild} runs. */
export interface SyncOptions {
  /** Remove the missing entries from the registry (otherwise only report them). */
  prune: boolean;
  /**
   * When the account listing began, in Unix milliseconds; entries created at or after it are kept.
   * @remarks The listing is a snapshot: a voice designed and registered while it was being read is
   * absent from it yet alive, and pruning it would orphan a paid voice. Pass it whenever a design
   * can run concurrently; without it every entry is judged.
   */
  listedAt?: number;
}

/** What {@link syncGuild} found. */
export interface SyncResult {
  /** Entries whose voice still exists (or that are newer than the listing), newest first. */
  kept: CharacterVoice[];
  /** Entries whose voice is gone from the account. */
  missing: CharacterVoice[];
  /** True when the missing entries were removed from the registry. */
  pruned: boolean;
}

/**
 * Compares a guild's registry with the voice ids the DashScope account still holds.
 * @remarks DashScope deletes voices unused for a year; their entries would fail at synthesis.
 * Pruning happens in one registry write, so it cannot race with adds to the same guild.
 */
export async function syncGuild(
  registry: VoiceRegistry,
  guildId: string,
  accountVoiceIds: ReadonlySet<string>,
  options: SyncOptions,
): Promise<SyncResult> {
  const { listedAt } = options;
  const isMissing = (v: CharacterVoice): boolean =>
    !accountVoiceIds.has(v.voiceId) && (listedAt === undefined || v.createdAt < listedAt);
  if (options.prune) {
    const missing = (await registry.removeWhere(guildId, isMissing)).sort((a, b) => b.createdAt - a.createdAt);
    return { kept: await registry.list(guildId), missing, pruned: missing.length > 0 };
  }
  const voices = await registry.list(guildId);
  return { kept: voices.filter((v) => !isMissing(v)), missing: voices.filter(isMissing), pruned: false };
}
