import { UserError } from '../errors.ts';
import type { GuildBudgets, GuildLimits, Prices } from './budget.ts';
import type { AtomicCounters, Ceiling, Increment } from './counters.ts';
import { bucket, nextPeriods, type Periods, periodsOf } from './periods.ts';
import { SETTLE_RETRY_DELAYS_MS, Settlements } from './settlements.ts';

export type SpendKind = 'design' | 'speech';
/** Who spends: the server, the member, and for speech the voice. */
export interface Spender {
  guildId: string;
  memberId: string;
  voiceId?: string | undefined;
}

/** Units held against the budgets until {@link SpendLedger.settle} replaces them with the real usage. */
export interface Reservation {
  readonly kind: SpendKind;
  readonly units: number;
  readonly spender: Spender;
  readonly periods: Periods;
}

export type LimitName = 'guild-designs' | 'guild-chars' | 'member-chars' | 'account-usd';

/** A reservation that would break a budget: nothing was spent. */
export class BudgetRefusal extends UserError {
  readonly limit: LimitName;
  /** Same for every refusal of one budget in one period: narration posts one notice per key. */
  readonly noticeKey: string;
  constructor(limit: LimitName, noticeKey: string, message: string) {
    super('quota_full', message);
    this.limit = limit;
    this.noticeKey = noticeKey;
  }
}

const MICRO = 1_000_000;

/**
 * The spend ledger: every paid call reserved before it is made and settled with the real usage after.
 * @remarks Counters per server, member and voice, per UTC day and month, plus the account's; dollars are
 * kept in micro-dollars at the price in force when spent. A reservation and its budget checks are one
 * atomic step ({@link AtomicCounters}), so concurrent requests, even from several processes, never overspend.
 */
export class SpendLedger {
  readonly #counters: AtomicCounters;
  readonly #budgets: GuildBudgets;
  readonly #prices: Prices;
  readonly #now: () => number;
  readonly #settlements: Settlements;

  constructor(
    counters: AtomicCounters,
    budgets: GuildBudgets,
    prices: Prices,
    now: () => number = Date.now,
    retryDelaysMs: readonly number[] = SETTLE_RETRY_DELAYS_MS,
  ) {
    this.#counters = counters;
    this.#budgets = budgets;
    this.#prices = prices;
    this.#now = now;
    this.#settlements = new Settlements(counters, retryDelaysMs);
  }

  get budgets(): GuildBudgets {
    return this.#budgets;
  }

  get prices(): Prices {
    return this.#prices;
  }

  /** Reserves one voice design. @throws BudgetRefusal */
  reserveDesign(spender: Spender): Promise<Reservation> {
    return this.#reserve('design', 1, spender);
  }

  /** Reserves `chars` characters of speech. @throws BudgetRefusal */
  reserveSpeech(spender: Spender, chars: number): Promise<Reservation> {
    return this.#reserve('speech', Math.max(0, Math.ceil(chars)), spender);
  }

  /**
   * Replaces a reservation with what was really used (0 when the call failed unbilled).
   * @remarks Retried while the store is briefly unreachable, never counted twice ({@link Settlements}).
   */
  async settle(reservation: Reservation, used: number): Promise<void> {
    const delta = Math.max(0, Math.ceil(used)) - reservation.units;
    if (delta === 0) return;
    const increments = this.#increments(reservation.kind, reservation.units + delta, reservation);
    const before = this.#increments(reservation.kind, reservation.units, reservation);
    await this.#settlements.apply(increments.map((inc, i) => ({ ...inc, by: inc.by - (before[i]?.by ?? 0) })));
  }

  /** Records speech that was spent without a reservation (e.g. an edit's new text); no budget is checked. */
  async record(spender: Spender, chars: number): Promise<void> {
    const units = Math.max(0, Math.ceil(chars));
    if (units === 0) return;
    const periods = periodsOf(this.#now());
    await this.#settlements.apply(this.#increments('speech', units, { spender, periods }));
  }

  /** Cuts settlement retries short and waits for those under way (for shutdown). */
  flush(): Promise<void> {
    return this.#settlements.flush();
  }

  /** Dollars, in micro-dollars, that `units` of `kind` cost. */
  costMicro(kind: SpendKind, units: number): number {
    return kind === 'design'
      ? units * Math.round(this.#prices.designUsd * MICRO)
      : Math.ceil((units * this.#prices.speechUsdPer10kChars * MICRO) / 10_000);
  }

  /** A server's counters for the month `now` falls in (or the account's with `guildId` undefined). */
  async month(guildId: string | undefined, now = this.#now()): Promise<Record<string, number>> {
    const { month } = periodsOf(now);
    return this.#counters.read(guildId === undefined ? bucket.accountMonth(month) : bucket.guildMonth(guildId, month));
  }

  /** The account's counters for the day `now` falls in. */
  async accountDay(now = this.#now()): Promise<Record<string, number>> {
    return this.#counters.read(bucket.accountDay(periodsOf(now).day));
  }

  /** A server's counters for the day `now` falls in. */
  async day(guildId: string, now = this.#now()): Promise<Record<string, number>> {
    return this.#counters.read(bucket.guildDay(guildId, periodsOf(now).day));
  }

  async #reserve(kind: SpendKind, units: number, spender: Spender): Promise<Reservation> {
    const now = this.#now();
    const reservation: Reservation = { kind, units, spender, periods: periodsOf(now) };
    if (units === 0) return reservation;
    const limits = await this.#budgets.limits(spender.guildId);
    const ceilings = this.#ceilings(kind, reservation, limits);
    const verdict = await this.#counters.apply(this.#increments(kind, units, reservation), ceilings);
    if (!verdict.ok) throw this.#refusal(verdict.limit as LimitName, verdict.max, reservation.periods, now);
    return reservation;
  }

  #increments(kind: SpendKind, units: number, r: Omit<Reservation, 'units' | 'kind'>): Increment[] {
    const { guildId, memberId, voiceId } = r.spender;
    const unit = kind === 'design' ? 'designs' : 'chars';
    const usd = this.costMicro(kind, units);
    const guildFields: Array<[string, number]> = [
      [unit, units],
      ['usd_micro', usd],
      [`member:${memberId}:${unit}`, units],
      [`member:${memberId}:usd_micro`, usd],
    ];
    if (kind === 'speech' && voiceId !== undefined) guildFields.push([`voice:${voiceId}:chars`, units]);
    const accountFields: Array<[string, number]> = [
      [unit, units],
      ['usd_micro', usd],
    ];
    const { day, month } = r.periods;
    return [
      ...[bucket.guildMonth(guildId, month), bucket.guildDay(guildId, day)].flatMap((b) =>
        guildFields.map(([field, by]) => ({ bucket: b, field, by })),
      ),
      ...[bucket.accountMonth(month), bucket.accountDay(day)].flatMap((b) =>
        accountFields.map(([field, by]) => ({ bucket: b, field, by })),
      ),
    ];
  }

  #ceilings(kind: SpendKind, r: Reservation, limits: GuildLimits): Ceiling[] {
    const { guildId, memberId } = r.spender;
    const { day, month } = r.periods;
    const account: Ceiling = {
      bucket: bucket.accountDay(day),
      field: 'usd_micro',
      max: Math.round(this.#budgets.operator.accountUsdPerDay * MICRO),
      limit: 'account-usd',
    };
    if (kind === 'design')
      return [
        {
          bucket: bucket.guildMonth(guildId, month),
          field: 'designs',
          max: limits.designsPerMonth,
          limit: 'guild-designs',
        },
        account,
      ];
    return [
      { bucket: bucket.guildMonth(guildId, month), field: 'chars', max: limits.charsPerMonth, limit: 'guild-chars' },
      {
        bucket: bucket.guildDay(guildId, day),
        field: `member:${memberId}:chars`,
        max: limits.memberCharsPerDay,
        limit: 'member-chars',
      },
      account,
    ];
  }

  #refusal(limit: LimitName, max: number, periods: Periods, now: number): BudgetRefusal {
    const next = nextPeriods(now);
    const tomorrow = `<t:${Math.floor(next.day / 1000)}:R>`;
    const nextMonth = `<t:${Math.floor(next.month / 1000)}:D>`;
    const raise = 'or when someone with Manage Server raises it with /voice limits';
    const messages: Record<LimitName, [string, string]> = {
      'guild-designs': [
        periods.month,
        `This server has used its ${max.toLocaleString('en')} voice designs for this month. ` +
          `Designing resumes on ${nextMonth}, ${raise}.`,
      ],
      'guild-chars': [
        periods.month,
        `This server has used its ${max.toLocaleString('en')} characters of speech for this month. ` +
          `Speech resumes on ${nextMonth}, ${raise}.`,
      ],
      'member-chars': [
        periods.day,
        `You have used your ${max.toLocaleString('en')} characters of speech for today; more ${tomorrow}.`,
      ],
      'account-usd': [
        periods.day,
        `The bot has reached its operator's daily spending ceiling ($${(max / MICRO).toFixed(2)}); ` +
          `it spends again ${tomorrow}.`,
      ],
    };
    const [period, message] = messages[limit];
    return new BudgetRefusal(limit, `${limit}:${period}:${max}`, message);
  }
}
