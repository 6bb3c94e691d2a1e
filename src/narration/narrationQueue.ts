import { UserError } from '../errors.ts';
import type { Utterance } from '../playback/utterance.ts';

/** What narration needs of a guild's player; `GuildPlayer` is one. */
export interface NarrationPlayer {
  /** The utterance being spoken (first, when there is one) and those waiting, in order. */
  readonly pending: readonly Utterance[];
  /** @throws UserError `quota_full` when the queue is full. */
  enqueue(utterance: Utterance): number;
  drop(match: (utterance: Utterance) => boolean): number;
  skip(): boolean;
}

/** What {@link replaceMessage} found. */
export type ReplaceOutcome = 'replaced' | 'started' | 'absent';

/**
 * Whether `count` more utterances fit while one slot stays free for the skip notice.
 * @remarks `pending` counts the utterance being spoken, so `pending + count ≤ maxQueue` leaves at
 * most `maxQueue − 1` waiting: the last place of the bounded queue is the flood notice's.
 */
export function hasRoom(player: NarrationPlayer, count: number, maxQueue: number): boolean {
  return player.pending.length + count <= maxQueue;
}

/**
 * Queues a message's utterances all or none; returns whether they were queued.
 * @remarks The queue is shared with `/say`, which may take the last place between the room check
 * and here: then the part already queued is taken back, so a message is never half read.
 */
export function enqueueAll(player: NarrationPlayer, utterances: readonly Utterance[]): boolean {
  const ids = new Set<string>();
  for (const utterance of utterances) {
    try {
      player.enqueue(utterance);
      ids.add(utterance.id);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      player.drop((u) => ids.has(u.id));
      return false;
    }
  }
  return true;
}

/**
 * Replaces a message's waiting utterances with `next`, in the same place in the queue.
 * @remarks `GuildPlayer` can only drop and append, so everything from the message's first utterance
 * to the end is taken out and queued again in order, the message's own utterances swapped for
 * `next`. Nothing ahead of the message (in particular the one being prepared) is touched. A message
 * whose first utterance is already playing is left alone: it is being read (`started`).
 */
export function replaceMessage(player: NarrationPlayer, messageId: string, next: readonly Utterance[]): ReplaceOutcome {
  const pending = player.pending;
  const at = pending.findIndex((u) => u.messageId === messageId);
  if (at === -1) return 'absent';
  if (at === 0) return 'started';
  const tail = pending.slice(at);
  const ids = new Set(tail.map((u) => u.id));
  player.drop((u) => ids.has(u.id));
  let placed = false;
  for (const utterance of tail) {
    if (utterance.messageId !== messageId) requeue(player, [utterance]);
    else if (!placed) {
      placed = true;
      requeue(player, next);
    }
  }
  return 'replaced';
}

/**
 * Takes a deleted message out of the queue, and stops it if it is being spoken; returns how many
 * utterances went.
 */
export function removeMessage(player: NarrationPlayer, messageId: string): number {
  const speaking = player.pending[0]?.messageId === messageId;
  const dropped = player.drop((u) => u.messageId === messageId);
  return dropped + (speaking && player.skip() ? 1 : 0);
}

function requeue(player: NarrationPlayer, utterances: readonly Utterance[]): void {
  for (const utterance of utterances) {
    try {
      player.enqueue(utterance);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
    }
  }
}
