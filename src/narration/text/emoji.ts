import type { Shelf } from './shelf.ts';

/** `<:name:id>` and `<a:name:id>` (animated). */
const CUSTOM_EMOJI = /<a?:([\w~]{1,32}):\d+>/gu;
/**
 * Unicode emoji and their glue: pictographs, regional-indicator flags, skin tones, variation selectors,
 * keycap marks and tag characters (subdivision flags).
 */
const UNICODE_EMOJI =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: joiners are removed one by one on purpose.
  /[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}\uFE0E\uFE0F\u20E3\u{E0020}-\u{E007F}]/gu;
/** A zero-width joiner left beside a removed emoji (inside words it shapes Indic scripts, so it stays there). */
const LOOSE_JOINER = /(?<=\s|^)\u200D+|\u200D+(?=\s|$)/gu;

/** Custom emoji read as their name, underscores as spaces (`<:pepe_laugh:1>` → "pepe laugh"). */
export function replaceCustomEmoji(text: string, shelf: Shelf): string {
  return text.replace(CUSTOM_EMOJI, (_, name: string) => shelf.put(name.replace(/_+/gu, ' ').trim()));
}

/**
 * Unicode emoji are not read.
 * @remarks A reader that names them ("face with tears of joy") triples the length of an emoji-heavy
 * message, the names need a data table we would ship and keep current, and TTS engines vary in what
 * they do with raw emoji (some read the CLDR name, some a code point). Custom emoji differ: their
 * name is chosen by the server and usually means something.
 */
export function removeUnicodeEmoji(text: string): string {
  return text.replace(UNICODE_EMOJI, ' ').replace(LOOSE_JOINER, '');
}
