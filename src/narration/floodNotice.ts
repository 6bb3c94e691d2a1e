import { UserError } from '../errors.ts';
import type { Utterance } from '../playback/utterance.ts';
import type { NarrationPlayer } from './narrationQueue.ts';

/** "1 message skipped", "12 messages skipped". */
export function skippedText(count: number): string {
  return `${count} message${count === 1 ? '' : 's'} skipped`;
}

interface Notice {
  /** The queued notice utterance, or `undefined` when it could not be queued yet. */
  id: string | undefined;
  count: number;
}

/**
 * Says "N messages skipped" once for a run of messages that did not fit in the queue, instead of
 * dropping them silently.
 * @remarks One notice per guild waits at the end of the queue. Each further skipped message takes it
 * out and queues it again with the count one higher, so a flood of any size is one line, said where
 * the skipped messages would have been. Once the notice has started (or `/stop` cleared it), the
 * next skipped message starts a new count.
 */
export class FloodNotices {
  readonly #notices = new Map<string, Notice>();

  /**
   * Counts one skipped message of `guildId` and (re)queues the notice; `make` builds the utterance
   * for a text. Returns the count now announced.
   */
  skipped(player: NarrationPlayer, guildId: string, make: (text: string) => Utterance): number {
    const last = this.#notices.get(guildId);
    const unsaid = last !== undefined && (last.id === undefined || player.drop((u) => u.id === last.id) > 0);
    const count = unsaid ? last.count + 1 : 1;
    const notice = make(skippedText(count));
    try {
      player.enqueue(notice);
      this.#notices.set(guildId, { id: notice.id, count });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      this.#notices.set(guildId, { id: undefined, count });
    }
    return count;
  }
}
