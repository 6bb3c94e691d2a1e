/**
 * What one member may ask the bot to say: characters per minute (/say and narration together) and a share
 * of the queue, so one member can neither run up the bill nor crowd everyone else out.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Utterance } from './utterance.ts';

/** Whether the characters were granted; when not, how long until the member's minute starts again. */
export type Allowance = { granted: true } | { granted: false; retryInMs: number; perMinute: number };

/** Characters per minute per member of a guild, in one process (a one-minute window per member). */
export class MemberRate {
  readonly perMinute: number;
  readonly #limiter: RateLimiterMemory;

  constructor(perMinute: number) {
    this.perMinute = perMinute;
    this.#limiter = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: 'speech' });
  }

  /**
   * Takes `characters` from the member's minute; refused when they would go past it.
   * @remarks A refused request takes nothing: the library counts it first, so it is given back at once.
   */
  async take(guildId: string, userId: string, characters: number): Promise<Allowance> {
    const key = `${guildId}:${userId}`;
    const points = Math.max(1, characters);
    try {
      await this.#limiter.consume(key, points);
      return { granted: true };
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      await this.#limiter.reward(key, points);
      return { granted: false, retryInMs: error.msBeforeNext, perMinute: this.perMinute };
    }
  }
}

/** The member sentence for a refused {@link Allowance}. */
export function rateRefusal(allowance: Extract<Allowance, { granted: false }>): string {
  const seconds = Math.max(1, Math.ceil(allowance.retryInMs / 1000));
  return `You have used your ${allowance.perMinute} characters for this minute; try again in ${seconds} s.`;
}

/** Most utterances one member may have in a queue of `maxQueue` (the one being spoken included): half. */
export function memberShare(maxQueue: number): number {
  return Math.max(1, Math.floor(maxQueue / 2));
}

/** Whether `count` more utterances by `userId` keep them within {@link memberShare} of the queue. */
export function withinShare(pending: readonly Utterance[], userId: string, count: number, maxQueue: number): boolean {
  return pending.filter((u) => u.requestedBy === userId).length + count <= memberShare(maxQueue);
}
