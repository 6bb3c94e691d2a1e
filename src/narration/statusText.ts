import type { NarrationSettings } from './settings.ts';

/** Discord's limit on a voice channel status, in characters (Set Voice Channel Status). */
export const VOICE_STATUS_MAX_CHARS = 500;
/** Channel names named in a status; more are counted ("and 2 more"). */
const NAMED = 2;

/**
 * The voice channel status while narrating in `voiceChannelId`: "Reading #general" (or "#general and #deck",
 * "#general, #deck and 1 more"), or `null` when no bound chat is read there.
 * @remarks Names are the channels' own, stripped of markdown and mention characters (the status is shown to the
 * whole server, and whether Discord renders markdown in it is not documented). Unknown channels are left out.
 */
export function narrationStatus(
  settings: Pick<NarrationSettings, 'bindings'>,
  voiceChannelId: string,
  channelName: (channelId: string) => string | undefined,
): string | null {
  const names = Object.entries(settings.bindings)
    .filter(([, voice]) => voice === null || voice === voiceChannelId)
    .map(([text]) => channelName(text))
    .filter((name): name is string => name !== undefined)
    .map((name) => `#${inert(name)}`);
  if (names.length === 0) return null;
  const shown = names.slice(0, NAMED);
  const more = names.length - shown.length;
  const list = more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(' and ');
  return [...`Reading ${list}`].slice(0, VOICE_STATUS_MAX_CHARS).join('');
}

/** A name without markdown, mention or emoji-code characters, spaces collapsed. */
function inert(name: string): string {
  return (
    name
      .replace(/[\\*_~`|<>@#:[\]()]/gu, '')
      .replace(/\s+/gu, ' ')
      .trim() || 'chat'
  );
}
