import { billableChars } from '../dashscope/billing.ts';
import type { Logger } from '../log.ts';
import type { Utterance } from '../playback/utterance.ts';
import { BudgetRefusal, type Reservation, type SpendLedger } from './ledger.ts';

export { billableChars };

/** What the speech spend hook needs of an utterance that ended. */
export interface SpokenMetrics {
  /** Characters DashScope reported. */
  characters: number;
  /** Billable characters of the text sent to DashScope, reported or not. */
  sentCharacters: number;
}

/**
 * Speech held to the budgets: an utterance's characters are reserved before it is queued, and settled with
 * the characters DashScope reported when it ends, however it ends.
 * @remarks The hooks: `/say` calls {@link reserve} before queueing; narration calls {@link admit} and
 * {@link release}; the player calls {@link ended} once per utterance.
 */
export class SpeechSpend {
  readonly #ledger: SpendLedger;
  readonly #log: Logger;
  readonly #notify: (channelId: string, text: string) => void;
  readonly #held = new Map<string, Reservation>();
  /** Per guild, the budget whose notice was posted: one notice per budget and period, not one per message. */
  readonly #noticed = new Map<string, string>();

  constructor(ledger: SpendLedger, log: Logger, notify: (channelId: string, text: string) => void) {
    this.#ledger = ledger;
    this.#log = log;
    this.#notify = notify;
  }

  /** Reserves an utterance's characters. @throws BudgetRefusal, having reserved nothing. */
  async reserve(utterance: Utterance): Promise<void> {
    const spender = { guildId: utterance.guildId, memberId: utterance.requestedBy, voiceId: utterance.voice.voiceId };
    const reservation = await this.#ledger.reserveSpeech(spender, billableChars(utterance.text));
    this.#held.set(utterance.id, reservation);
    this.#noticed.delete(utterance.guildId);
  }

  /** Reserves, then queues with `enqueue`; gives the reservation back when queueing fails. */
  async queue<T>(utterance: Utterance, enqueue: () => Promise<T>): Promise<T> {
    await this.reserve(utterance);
    try {
      return await enqueue();
    } catch (error) {
      await this.release([utterance]);
      throw error;
    }
  }

  /**
   * Reserves every utterance of a narrated message, or none. On refusal posts the reason in the channel
   * once per budget and period (narration pauses), and returns false; the next success resumes it.
   */
  async admit(channelId: string, utterances: readonly Utterance[]): Promise<boolean> {
    const done: Utterance[] = [];
    try {
      for (const u of utterances) {
        await this.reserve(u);
        done.push(u);
      }
      return true;
    } catch (error) {
      await this.release(done);
      if (!(error instanceof BudgetRefusal)) throw error;
      const guildId = utterances[0]?.guildId ?? '';
      this.#log.info({ guildId, limit: error.limit }, 'narration paused by a budget');
      if (this.#noticed.get(guildId) !== error.noticeKey) {
        this.#noticed.set(guildId, error.noticeKey);
        this.#notify(channelId, `Narration is paused: ${error.message}`);
      }
      return false;
    }
  }

  /** Gives back what was reserved for utterances that will not be spoken. */
  release(utterances: readonly Utterance[]): Promise<void> {
    return Promise.all(utterances.map((u) => this.ended(u, undefined))).then(() => undefined);
  }

  /**
   * Settles an utterance that ended: with the characters DashScope reported or, when more text was sent
   * than usage reported (a piece cut off by /skip before its usage arrived), with what was sent; never
   * synthesized (`undefined`): nothing. An utterance that was not reserved (an edit's new text) is recorded
   * all the same.
   */
  ended(utterance: Utterance, metrics: SpokenMetrics | undefined): Promise<void> {
    const reservation = this.#held.get(utterance.id);
    this.#held.delete(utterance.id);
    const used = metrics === undefined ? 0 : Math.max(metrics.characters, metrics.sentCharacters);
    const spender = { guildId: utterance.guildId, memberId: utterance.requestedBy, voiceId: utterance.voice.voiceId };
    const settling = reservation ? this.#ledger.settle(reservation, used) : this.#ledger.record(spender, used);
    return settling.catch((error: unknown) =>
      this.#log.warn({ err: error, guildId: utterance.guildId }, 'spend not settled'),
    );
  }
}
