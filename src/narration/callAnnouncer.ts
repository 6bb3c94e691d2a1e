import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Utterance } from '../playback/utterance.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';
import { resolveVoice } from '../voices/resolveVoice.ts';
import type { PronunciationDictionary } from './dictionary.ts';
import { speakableName } from './nameAnnouncer.ts';
import { type AuthorNames, nameToSay } from './names.ts';
import { enqueueAll, hasRoom, type NarrationPlayer } from './narrationQueue.ts';
import type { NarrationSettings } from './settings.ts';
import { narrationUtterance, type VoiceSources } from './speakers.ts';
import { announcesMember } from './whoIsRead.ts';

/** A person's voice state changed: plain ids and names (`null`: not in a voice channel). */
export interface CallChange {
  guildId: string;
  userId: string;
  names: AuthorNames;
  roleIds: readonly string[];
  before: string | null;
  after: string | null;
}

/** What the announcer works with (the narrator's own services). */
export interface CallAnnouncerDeps extends VoiceSources {
  dictionary: PronunciationDictionary;
  maxQueue: number;
  log: Logger;
  spend?:
    | {
        admit(channelId: string, u: readonly Utterance[]): Promise<boolean>;
        release(u: readonly Utterance[]): Promise<void>;
      }
    | undefined;
}

/** "joined" or "left" the bot's call, or `undefined` when the change is elsewhere (or a move within it). */
export function callEvent(change: CallChange, botChannelId: string): 'joined' | 'left' | undefined {
  if (change.before === change.after) return undefined;
  if (change.after === botChannelId) return 'joined';
  return change.before === botChannelId ? 'left' : undefined;
}

/**
 * Says "alice joined the call" / "alice left the call" in the bot's voice channel, with `announce_joins` on.
 * @remarks Said in the server default voice (else the member's own), with the name said as in their messages;
 * opted-out and ignored members are not announced. Held to the budgets like any narration, and dropped (not
 * counted as skipped) when the queue has no room: an announcement late by a queue's length is worse than none.
 */
export async function announceCall(
  deps: CallAnnouncerDeps,
  settings: NarrationSettings,
  change: CallChange,
  presence: { player: NarrationPlayer; channelId: string },
): Promise<void> {
  const what = callEvent(change, presence.channelId);
  if (!settings.announceJoins || what === undefined) return;
  if (!announcesMember(settings, change.userId, change.roleIds)) return;
  const voice = await announcerVoice(deps, change);
  if (!voice) return;
  const dictionary = await deps.dictionary.list(change.guildId);
  const name = speakableName(nameToSay(settings, change.userId, change.names, change.names.username), dictionary);
  const author = { id: change.userId, name, kind: 'member' as const, voiceChannelId: change.after };
  const utterance = narrationUtterance(
    { guildId: change.guildId, channelId: presence.channelId, author },
    `${name} ${what} the call`,
    voice,
  );
  if (deps.spend && !(await deps.spend.admit(presence.channelId, [utterance]))) return;
  if (hasRoom(presence.player, 1, deps.maxQueue) && enqueueAll(presence.player, [utterance])) return;
  await deps.spend?.release([utterance]);
  deps.log.debug({ guildId: change.guildId, userId: change.userId }, 'call announcement dropped: queue full');
}

async function announcerVoice(deps: CallAnnouncerDeps, change: CallChange): Promise<CharacterVoice | undefined> {
  const defaultId = await deps.preferences.defaultVoiceId(change.guildId);
  const byDefault = defaultId === undefined ? undefined : await deps.registry.get(change.guildId, defaultId);
  if (byDefault) return byDefault;
  return resolveVoice(deps.registry, deps.preferences, change.guildId, change.userId).catch((error: unknown) => {
    if (error instanceof UserError) return undefined;
    throw error;
  });
}
