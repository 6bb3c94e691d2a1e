import type { ChatEvent } from './route.ts';
import type { NarrationSettings } from './settings.ts';

/** Why a message is not read because of who wrote it or how (see {@link notReadBecause}). */
export type WhoReason = 'opted_out' | 'ignored_member' | 'ignored_role' | 'skip_prefix' | 'silent';

/**
 * Whether the server's lists and settings leave a message unread: its author opted out or is ignored (by id or
 * by one of their roles), it starts with the skip prefix, or it was sent with @silent while those are not read.
 * @remarks A roleplay proxy's copy is checked against the member who wrote the original too, so opting out or
 * being ignored cannot be got round through PluralKit.
 */
export function notReadBecause(settings: NarrationSettings, event: ChatEvent): WhoReason | undefined {
  const { author, message } = event;
  const people = [author.id, ...(author.proxyOf ? [author.proxyOf.authorId] : [])];
  if (people.some((id) => settings.optedOut.includes(id))) return 'opted_out';
  if (people.some((id) => settings.ignoredMembers.includes(id))) return 'ignored_member';
  if ((author.roleIds ?? []).some((id) => settings.ignoredRoles.includes(id))) return 'ignored_role';
  if (settings.skipPrefix !== null && message.content.trimStart().startsWith(settings.skipPrefix)) return 'skip_prefix';
  if (message.silent === true && !settings.readSilent) return 'silent';
  return undefined;
}

/** Whether a member's joining or leaving the call may be announced: not opted out or ignored. */
export function announcesMember(settings: NarrationSettings, userId: string, roleIds: readonly string[]): boolean {
  return (
    !settings.optedOut.includes(userId) &&
    !settings.ignoredMembers.includes(userId) &&
    !roleIds.some((id) => settings.ignoredRoles.includes(id))
  );
}
