/** Spoken in place of one URL, and of several in a row. */
export const LINK_WORD = 'link';
export const LINKS_WORD = 'links';

const URL_MARK = '\uE002';
/** `[text](url)`, optionally `[text](<url>)` or with a title (the URL may hold one level of parentheses). */
const MASKED_LINK =
  /\[([^\]\n]+)\]\(\s*<?[a-z][a-z0-9+.-]*:\/\/(?:[^\s()<>]|\([^\s()<>]*\))*>?(?:\s+"[^"\n]*")?\s*\)/giu;
/** `scheme://…` or `www.…`, optionally in `<…>` (embed suppressed); trailing punctuation stays in the sentence. */
const URL = /<?\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<>]*[^\s<>.,!?:;)'"]>?/giu;
const URL_RUN = /\uE002(?:[\s,;]*\uE002)+/gu;

/** Masked links `[text](url)` read as their text. */
export function replaceMaskedLinks(text: string): string {
  return text.replace(MASKED_LINK, '$1');
}

/**
 * URLs read as "link"; several in a row (separated only by spaces, commas or semicolons) as "links".
 * @remarks Nobody wants a URL spelled out; that a link was posted is worth knowing (TTS Bot, Koe).
 */
export function replaceUrls(text: string): string {
  return text.replace(URL, ` ${URL_MARK} `).replace(URL_RUN, ` ${LINKS_WORD} `).replaceAll(URL_MARK, ` ${LINK_WORD} `);
}
