import { REGISTRY_NAME_MAX_CHARS } from '../../../commands/limits.ts';

/** A stretch of a message spoken by one voice: a character's, or the author's own (`undefined`). */
export interface Segment {
  character: string | undefined;
  text: string;
}

/** `Name: text`, where the colon is not the start of `://` (so URLs never count). */
const COLON_LINE = /^\s*([^:\n]{1,80}?)\s*:(?!\/\/)[ \t]*(.*)$/u;
/** `[Name] text`, but not a masked link `[text](url)`. */
const BRACKET_LINE = /^\s*\[([^\]\n]{1,80})\](?!\()[ \t]*(.*)$/u;
/** Markdown a writer may wrap a name in: `**Captain:**`, `*Captain*:`. */
const NAME_WRAPPING = /^[\s*_~]+|[\s*_~]+$/gu;

/**
 * Splits raw message content into segments by speaker, in order.
 * @remarks A line `Name: text` or `[Name] text` whose Name is a voice of this server (`isCharacter`)
 * is that character's; every other line is the author's, so "Note: …" stays plain text. Lines inside
 * a code fence or an open spoiler continue the segment they started in, so a spoiler or code block
 * is never cut in two (which would leak it). Adjacent lines of one speaker are merged; blank lines
 * are dropped. Run this on the raw content, before cleaning.
 */
export function splitCharacterLines(text: string, isCharacter: (name: string) => boolean): Segment[] {
  const segments: Segment[] = [];
  let inFence = false;
  let inSpoiler = false;
  for (const line of text.replace(/\r\n?/gu, '\n').split('\n')) {
    const continues = inFence || inSpoiler;
    ({ inFence, inSpoiler } = nextState(line, inFence, inSpoiler));
    const last = segments.at(-1);
    if (continues && last) {
      last.text += `\n${line}`;
      continue;
    }
    if (line.trim() === '') continue;
    const segment = parseLine(line, isCharacter);
    if (last && sameSpeaker(last.character, segment.character)) last.text += `\n${segment.text}`;
    else segments.push(segment);
  }
  return segments.filter((segment) => segment.text.trim() !== '');
}

/** One line as a segment: a character's if it names one, else the author's, whole. */
export function parseLine(line: string, isCharacter: (name: string) => boolean): Segment {
  for (const pattern of [BRACKET_LINE, COLON_LINE]) {
    const match = pattern.exec(line);
    const name = match?.[1]?.replace(NAME_WRAPPING, '');
    if (match && name && [...name].length <= REGISTRY_NAME_MAX_CHARS && isCharacter(name)) {
      return { character: name, text: match[2] ?? '' };
    }
  }
  return { character: undefined, text: line };
}

/** Whether a fence or spoiler is open after `line`: each ``` toggles the fence, each `||` outside one the spoiler. */
function nextState(line: string, inFence: boolean, inSpoiler: boolean): { inFence: boolean; inSpoiler: boolean } {
  let fence = inFence;
  let spoiler = inSpoiler;
  for (const [index, part] of line.split('```').entries()) {
    if (index > 0) fence = !fence;
    if (!fence) spoiler = (part.split('||').length - 1) % 2 === 1 ? !spoiler : spoiler;
  }
  return { inFence: fence, inSpoiler: spoiler };
}

function sameSpeaker(a: string | undefined, b: string | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase());
}
