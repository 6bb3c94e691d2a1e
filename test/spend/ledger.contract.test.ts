import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { GuildBudgets, type OperatorLimits } from '../../src/spend/budget.ts';
import { BudgetRefusal, SpendLedger } from '../../src/spend/ledger.ts';
import type { Store } from '../../src/voices/store.ts';
import { type BackendPlace, backends } from '../voices/backends.ts';

const OPERATOR: OperatorLimits = {
  designsPerMonth: 3,
  charsPerMonth: 10_000,
  memberCharsPerDay: 2_000,
  accountUsdPerDay: 5,
};
const PRICES = { designUsd: 0.2, speechUsdPer10kChars: 0.143353 };
const NOW = Date.UTC(2026, 11, 4, 12);
const alice = { guildId: 'g1', memberId: 'alice', voiceId: 'v-1' };

const ledgerOn = (store: Store, operator = OPERATOR, now = () => NOW) =>
  new SpendLedger(store.counters, new GuildBudgets(store.keyv, operator), PRICES, now);

describe.each(backends(inject('redisUrl')))('SpendLedger contract on $kind', (backend) => {
  let place: BackendPlace;
  let store: Store;
  beforeEach(async () => {
    place = await backend.fresh();
    store = await place.open();
  });
  afterEach(() => place.cleanup());

  it('records designs and characters per server, member, voice, day and month, in micro-dollars', async () => {
    const ledger = ledgerOn(store);
    await ledger.settle(await ledger.reserveDesign(alice), 1);
    const speech = await ledger.reserveSpeech(alice, 1_000);
    await ledger.settle(speech, 900);
    const month = await ledger.month('g1');
    expect(month).toMatchObject({
      designs: 1,
      chars: 900,
      'member:alice:chars': 900,
      'member:alice:designs': 1,
      'voice:v-1:chars': 900,
      usd_micro: 200_000 + Math.ceil(900 * 14.3353),
    });
    expect(await ledger.day('g1')).toMatchObject({ chars: 900, designs: 1 });
    expect(await ledger.month(undefined)).toMatchObject({ chars: 900, designs: 1 });
    expect(await ledger.month('g2')).toEqual({});
  });

  it('refuses a design past the monthly cap with a reason, and spends nothing', async () => {
    const ledger = ledgerOn(store);
    for (let i = 0; i < 3; i++) await ledger.reserveDesign(alice);
    const refused = ledger.reserveDesign({ ...alice, memberId: 'bob' });
    await expect(refused).rejects.toBeInstanceOf(BudgetRefusal);
    await expect(refused).rejects.toThrow(/used its 3 voice designs for this month/);
    expect(await ledger.month('g1')).toMatchObject({ designs: 3, usd_micro: 600_000 });
    expect((await ledger.month('g1'))['member:bob:designs']).toBeUndefined();
  });

  it('caps a member per day, and a failed call settled at 0 gives the characters back', async () => {
    const ledger = ledgerOn(store);
    const held = await ledger.reserveSpeech(alice, 1_500);
    await expect(ledger.reserveSpeech(alice, 600)).rejects.toMatchObject({ limit: 'member-chars' });
    await ledger.reserveSpeech({ ...alice, memberId: 'bob' }, 600);
    await ledger.settle(held, 0);
    await ledger.reserveSpeech(alice, 600);
    expect(await ledger.month('g1')).toMatchObject({ chars: 1_200, 'member:alice:chars': 600 });
  });

  it('starts afresh the next month, and the operator ceiling bounds what admins choose', async () => {
    let now = NOW;
    const ledger = ledgerOn(store, OPERATOR, () => now);
    await expect(ledger.budgets.lower('g1', { designsPerMonth: 4 })).rejects.toThrow(/at most 3/);
    await ledger.budgets.lower('g1', { designsPerMonth: 1 });
    await ledger.reserveDesign(alice);
    await expect(ledger.reserveDesign(alice)).rejects.toMatchObject({ limit: 'guild-designs' });
    now = Date.UTC(2027, 0, 1, 0, 0, 1);
    await ledger.reserveDesign(alice);
    expect(await ledger.month('g1')).toMatchObject({ designs: 1 });
  });

  it('holds the account to its daily dollars across servers', async () => {
    const ledger = ledgerOn(store, { ...OPERATOR, accountUsdPerDay: 0.5, designsPerMonth: 10 });
    await ledger.reserveDesign(alice);
    await ledger.reserveDesign({ ...alice, guildId: 'g2' });
    await expect(ledger.reserveDesign({ ...alice, guildId: 'g3' })).rejects.toMatchObject({ limit: 'account-usd' });
  });

  it('never overspends under concurrent reservations, from two connections to the same store', async () => {
    const other = backend.kind === 'memory' ? store : await place.open();
    const ledgers = [ledgerOn(store), ledgerOn(other)];
    const attempts = Array.from({ length: 12 }, (_, i) =>
      ledgers[i % 2]!.reserveDesign({ ...alice, memberId: `m${i}` }).then(
        () => 'ok',
        (e: unknown) => (e instanceof BudgetRefusal ? 'refused' : Promise.reject(e)),
      ),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(await ledgers[0]!.month('g1')).toMatchObject({ designs: 3, usd_micro: 600_000 });
  });
});
