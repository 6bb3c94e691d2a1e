/**
 * Ties a roleplay proxy's webhook message to the member whose message it replaced.
 * @remarks PluralKit and Tupperbox read a member's message, post a webhook copy of it (without the proxy tag)
 * in the same channel, and delete the original, all within a second or two. Only a copy tied this way
 * counts as the member speaking; a webhook that cannot be tied is a stranger.
 */

/** How far apart an original and its webhook copy may be, ms. */
export const PROXY_WINDOW_MS = 5_000;
/** Originals remembered per channel (the most recent ones). */
const PER_CHANNEL = 20;

/** A member's message as it was posted. */
export interface Original {
  authorId: string;
  /** The voice channel the member was in when they wrote it, or `null`. */
  voiceChannelId: string | null;
  content: string;
  at: number;
}

/** Recent member messages by channel, to find the original of a webhook copy. */
export class ProxyOriginals {
  readonly #byChannel = new Map<string, Original[]>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Remembers a member's message in `channelId`. */
  record(channelId: string, original: Omit<Original, 'at'>): void {
    const at = this.#now();
    const kept = (this.#byChannel.get(channelId) ?? []).filter((o) => at - o.at <= PROXY_WINDOW_MS);
    kept.push({ ...original, at });
    this.#byChannel.set(channelId, kept.slice(-PER_CHANNEL));
  }

  /** The most recent original in `channelId`, seconds old at most, that contains `copy`; it is then used up. */
  claim(channelId: string, copy: string): Original | undefined {
    const text = squash(copy);
    if (text === '') return undefined;
    const now = this.#now();
    const originals = this.#byChannel.get(channelId) ?? [];
    for (let i = originals.length - 1; i >= 0; i -= 1) {
      const original = originals[i] as Original;
      if (now - original.at > PROXY_WINDOW_MS || !squash(original.content).includes(text)) continue;
      originals.splice(i, 1);
      return original;
    }
    return undefined;
  }
}

/** Lowercase with runs of whitespace made one space, trimmed. */
function squash(text: string): string {
  return text.replace(/\s+/gu, ' ').trim().toLowerCase();
}
