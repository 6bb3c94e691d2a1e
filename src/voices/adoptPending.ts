import type { AccountVoice } from '../dashscope/voiceDesign.ts';
import type { CharacterVoice } from './characterVoice.ts';
import type { PendingDesign } from './pendingDesigns.ts';
import { matchesRequest } from './recoverCreate.ts';
import type { VoiceRegistry } from './registry.ts';

/** What reconciling one guild's pending designs did. */
export interface Adoption {
  guildId: string;
  /** Voices that were paid for but not recorded, now registered. */
  adopted: CharacterVoice[];
  /** Pending entries whose create never made a voice (or whose voice was recorded after all). */
  dropped: PendingDesign[];
}

/**
 * Reconciles designs a previous run left pending (it stopped between the paid create and its write):
 * a matching voice of the account (DashScope's `list`) is adopted into the registry, never orphaned.
 * @remarks Run at start, before this process designs anything for these guilds. `listAccount` is called
 * at most once, and only when some guild has pending designs.
 */
export async function adoptPendingDesigns(
  registry: VoiceRegistry,
  listAccount: () => Promise<AccountVoice[]>,
  guildIds: Iterable<string>,
): Promise<Adoption[]> {
  let account: Promise<AccountVoice[]> | undefined;
  const results: Adoption[] = [];
  for (const guildId of guildIds) {
    const pending = await registry.pending(guildId);
    if (pending.length === 0) continue;
    account ??= listAccount();
    const voices = await account;
    const result: Adoption = { guildId, adopted: [], dropped: [] };
    for (const design of pending.sort((a, b) => a.startedAt - b.startedAt)) {
      const known = new Set((await registry.list(guildId)).map((v) => v.voiceId));
      const match = voices
        .filter((v) => !known.has(v.voiceId) && matchesRequest(v, design.request))
        .sort((a, b) => a.voiceId.localeCompare(b.voiceId))[0];
      if (match && !(await registry.get(guildId, design.name))) {
        const voice = await registry.add(guildId, {
          name: design.name,
          voiceId: match.voiceId,
          targetModel: design.request.targetModel,
          description: design.request.description,
          language: design.request.language,
          createdBy: design.createdBy,
          createdAt: design.startedAt,
        });
        result.adopted.push(voice);
      } else result.dropped.push(design);
      await registry.dropPending(guildId, design.id);
    }
    results.push(result);
  }
  return results;
}
