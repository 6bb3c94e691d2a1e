import { phraseNarration } from '../../src/narration/nameAnnouncer.ts';
import type { ChatMessage } from '../../src/narration/text/chatMessage.ts';
import { narrate } from '../../src/narration/text/narrate.ts';
import type { SpeechOptions } from '../../src/narration/text/toSpeech.ts';

/** Ids that resolve in {@link message}'s mentions. */
export const ALICE = '111111111111111111';
export const BOB = '222222222222222222';
export const MODS = '333333333333333333';
export const GENERAL = '444444444444444444';
export const UNKNOWN = '999999999999999999';

/** A message with a few resolvable mentions (Alice, a name made of markdown, a role, a channel). */
export function message(content: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return {
    content,
    mentions: {
      users: new Map([
        [ALICE, 'Alice'],
        [BOB, '__Bob__ 🌸'],
      ]),
      roles: new Map([[MODS, 'Mods']]),
      channels: new Map([[GENERAL, 'general']]),
    },
    attachments: [],
    ...extra,
  };
}

/** 2023-11-14T22:13:20Z, a fixed "now" for relative timestamps. */
export const NOW_MS = 1_700_000_000_000;

/**
 * What the bot says for `message` with character lines off and no name read, or `undefined` for nothing:
 * the narrator's own path (`narrate`, then `phraseNarration`), its segments joined.
 */
export function speech(message: ChatMessage, options: SpeechOptions): string | undefined {
  const text = phraseNarration(
    narrate(message, options, () => false),
    undefined,
  )
    .map((s) => s.text)
    .join(' ');
  return text === '' ? undefined : text;
}
