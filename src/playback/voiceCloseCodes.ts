/**
 * What to do when Discord closes a voice WebSocket, by close code (discord-api-docs
 * `opcodes-and-status-codes.mdx`, voice close event codes). Pure policy; the voice sink applies it.
 * @remarks @discordjs/voice 0.19.2 resumes below 4000 and on 4015, goes Disconnected on 4014, and
 * rejoins on every other 4xxx, so codes that can never succeed again loop until the join times out.
 */

/** The outcome of one close. */
export type VoiceCloseAction =
  /** Resumable (below 4000, 4015): the library resumes the same session. */
  | { kind: 'resume' }
  /** The session is gone (4006, 4009): one fresh join, which the library starts itself. */
  | { kind: 'rejoin'; reason: string }
  /** Retrying cannot help: leave the channel and do not rejoin. */
  | { kind: 'give-up'; reason: string; level: 'info' | 'error' }
  /** Anything else: the library's default (a rejoin). */
  | { kind: 'default' };

const GIVE_UP: Readonly<Record<number, { reason: string; level: 'info' | 'error' }>> = {
  4004: { reason: 'voice authentication failed', level: 'error' },
  4014: { reason: 'disconnected from the channel (kicked, moved away or the channel was deleted)', level: 'info' },
  4016: { reason: 'Discord does not know the voice encryption mode offered', level: 'error' },
  4017: {
    reason:
      'Discord requires end-to-end encryption (DAVE) for voice and this connection did not offer it; ' +
      'keep @snazzah/davey installed and daveEncryption on. Not retrying',
    level: 'error',
  },
  4021: { reason: 'rate limited by the voice server', level: 'info' },
  4022: { reason: 'the call was terminated', level: 'info' },
};

/** The action for voice close `code`. */
export function voiceCloseAction(code: number): VoiceCloseAction {
  if (code < 4000 || code === 4015) return { kind: 'resume' };
  if (code === 4006) return { kind: 'rejoin', reason: 'the voice session is no longer valid' };
  if (code === 4009) return { kind: 'rejoin', reason: 'the voice session timed out' };
  const giveUp = GIVE_UP[code];
  return giveUp === undefined ? { kind: 'default' } : { kind: 'give-up', ...giveUp };
}
