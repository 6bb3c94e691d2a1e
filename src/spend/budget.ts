import type Keyv from 'keyv';
import { invalidInput } from '../errors.ts';
import { type AtomicDocs, docsOf } from '../voices/storeKeyv.ts';

/** Prices in US dollars, from the configuration (defaults: DashScope's list prices). */
export interface Prices {
  designUsd: number;
  speechUsdPer10kChars: number;
}

/** A server's budgets. */
export interface GuildLimits {
  designsPerMonth: number;
  charsPerMonth: number;
  memberCharsPerDay: number;
}

/** The operator's ceilings (environment): every server's limits, and the whole account's dollars per day. */
export interface OperatorLimits extends GuildLimits {
  accountUsdPerDay: number;
}

export const LIMIT_KEYS = ['designsPerMonth', 'charsPerMonth', 'memberCharsPerDay'] as const satisfies Array<
  keyof GuildLimits
>;

const limitsKey = (guildId: string): string => `spend-limits:${guildId}`;

/**
 * What a server's admins chose, never above the operator's ceilings.
 * @remarks Stored as the admins' own numbers; the effective limit is the lower of theirs and the operator's,
 * so an operator who lowers a ceiling later lowers every server at once.
 */
export class GuildBudgets {
  readonly #keyv: Keyv;
  readonly #docs: AtomicDocs;
  readonly #operator: OperatorLimits;

  constructor(keyv: Keyv, operator: OperatorLimits) {
    this.#keyv = keyv;
    this.#docs = docsOf(keyv);
    this.#operator = operator;
  }

  get operator(): OperatorLimits {
    return this.#operator;
  }

  /** The limits in force for a server. */
  async limits(guildId: string): Promise<GuildLimits> {
    const chosen = await this.#chosen(guildId);
    const effective = { ...this.#operator } as GuildLimits;
    for (const key of LIMIT_KEYS) effective[key] = Math.min(this.#operator[key], chosen[key] ?? Infinity);
    return {
      designsPerMonth: effective.designsPerMonth,
      charsPerMonth: effective.charsPerMonth,
      memberCharsPerDay: effective.memberCharsPerDay,
    };
  }

  /**
   * Sets some of a server's limits; a value above the operator's ceiling is refused.
   * @returns the limits now in force.
   */
  async lower(guildId: string, changes: Partial<GuildLimits>): Promise<GuildLimits> {
    const key = limitsKey(guildId);
    await this.#docs.update([key], ([raw]) => {
      const chosen = chosenOf(raw);
      for (const name of LIMIT_KEYS) {
        const value = changes[name];
        if (value === undefined) continue;
        if (!Number.isSafeInteger(value) || value < 0) throw invalidInput(`${name} must be a whole number from 0.`);
        if (value > this.#operator[name])
          throw invalidInput(
            `The bot's operator allows at most ${this.#operator[name].toLocaleString('en')} for that.`,
          );
        chosen[name] = value;
      }
      return { writes: { [key]: chosen }, result: undefined };
    });
    return this.limits(guildId);
  }

  async #chosen(guildId: string): Promise<Partial<GuildLimits>> {
    return chosenOf(await this.#keyv.get(limitsKey(guildId)));
  }
}

/** The limits a server's admins chose, from the stored value (anything malformed is left out). */
function chosenOf(raw: unknown): Partial<GuildLimits> {
  const doc = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const chosen: Partial<GuildLimits> = {};
  for (const key of LIMIT_KEYS) {
    const value = doc[key];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) chosen[key] = value;
  }
  return chosen;
}
