import { replaceUrls } from './links.ts';
import type { Shelf } from './shelf.ts';

/** Spoken in place of a fenced code block. */
export const CODE_WORD = 'code';

const CODE_BLOCK = /```[\s\S]*?```/gu;
const ESCAPE = /\\([\\*_~`|>#[\]()<@:.-])/gu;
const INLINE_CODE = /``([\s\S]+?)``|`([^`]+)`/gu;
const SPOILER = /\|\|[\s\S]+?\|\|/gu;
/** Line-start markers, in the order they nest: `> # title`, `> - item`. */
const LINE_MARKERS = [/^[ \t]*>{1,3}(?:[ \t]+|$)/gmu, /^[ \t]*(?:#{1,3}|-#)[ \t]+/gmu, /^[ \t]*[-*+][ \t]+/gmu];
/** Paired inline markers: bold, underline, strikethrough, italics (`_x_` only at word edges, so snake_case stays). */
const PAIRS = [
  /\*\*([\s\S]+?)\*\*/gu,
  /__([\s\S]+?)__/gu,
  /~~([\s\S]+?)~~/gu,
  /\*(?![\s*])([^*]+?)(?<!\s)\*/gu,
  /(?<![\p{L}\p{N}])_(?![\s_])([^_]+?)(?<!\s)_(?![\p{L}\p{N}])/gu,
];
/** Nesting deeper than this is not markdown anyone writes; the stray-marker pass tidies the rest. */
const MAX_PAIR_PASSES = 4;
/** A lone `*` at a word's edge (`*sigh`, `typo*`), but not between digits (`5*3`). */
const EDGE_STAR = /(?<![\p{L}\p{N}])\*(?=[\p{L}\p{N}])|(?<=[\p{L}\p{N}])\*(?![\p{L}\p{N}])/gu;

/** Fenced code blocks become "code". @remarks An unclosed fence is literal text in Discord, so it is read. */
export function replaceCodeBlocks(text: string): string {
  return text.replace(CODE_BLOCK, ` ${CODE_WORD} `);
}

/** Backslash-escaped markdown characters are kept literally, out of reach of the markdown rules. */
export function shelveEscapes(text: string, shelf: Shelf): string {
  return text.replace(ESCAPE, (_, char: string) => shelf.put(char, false));
}

/** Inline code keeps its text, unformatted (a URL in it still reads as "link"). */
export function shelveInlineCode(text: string, shelf: Shelf): string {
  return text.replace(INLINE_CODE, (_, double?: string, single?: string) =>
    shelf.put(replaceUrls(double ?? single ?? '').trim(), false),
  );
}

/** Spoilers are not read at all. @remarks An unclosed `||` is literal text in Discord; its pipes are dropped later. */
export function removeSpoilers(text: string): string {
  return text.replace(SPOILER, ' ');
}

/** Removes markdown: quotes, headings, `-#` subtext, bullets, then bold/italic/underline/strikethrough, then strays. */
export function stripMarkdown(text: string): string {
  let out = LINE_MARKERS.reduce((acc, marker) => acc.replace(marker, ''), text);
  for (let pass = 0; pass < MAX_PAIR_PASSES; pass++) {
    const next = PAIRS.reduce((acc, pair) => acc.replace(pair, '$1'), out);
    if (next === out) break;
    out = next;
  }
  return stripStrays(out);
}

/**
 * Drops markers left unpaired: backticks, `||`, `**`, `~`, edge `*`.
 * @remarks `~` mostly decorates chat (`hi~`) and would be read as "tilde".
 */
function stripStrays(text: string): string {
  return text
    .replace(/`+/gu, '')
    .replace(/\|\|/gu, ' ')
    .replace(/\*{2,}/gu, '')
    .replace(/~+/gu, '')
    .replace(EDGE_STAR, '');
}
