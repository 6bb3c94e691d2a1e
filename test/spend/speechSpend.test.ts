import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Utterance } from '../../src/playback/utterance.ts';
import { GuildBudgets } from '../../src/spend/budget.ts';
import { SpendLedger } from '../../src/spend/ledger.ts';
import { billableChars, SpeechSpend } from '../../src/spend/speechSpend.ts';
import { openStore } from '../../src/voices/store.ts';

const budgets = { designsPerMonth: 3, charsPerMonth: 1_000, memberCharsPerDay: 100, accountUsdPerDay: 5 };
let ledger: SpendLedger;
let notices: string[];
let spend: SpeechSpend;
let n = 0;
const utterance = (text: string, requestedBy = 'alice'): Utterance => ({
  id: `u${++n}`,
  guildId: 'g1',
  text,
  voice: { voiceId: 'v1' } as Utterance['voice'],
  requestedBy,
  source: 'narration',
  reportChannelId: 'c1',
});

beforeEach(async () => {
  const store = await openStore('memory://');
  ledger = new SpendLedger(store.counters, new GuildBudgets(store.keyv, budgets), {
    designUsd: 0.2,
    speechUsdPer10kChars: 0.143353,
  });
  notices = [];
  spend = new SpeechSpend(ledger, pino({ level: 'silent' }), (channel, text) => notices.push(`${channel}: ${text}`));
});
const chars = async () => (await ledger.month('g1')).chars ?? 0;

describe('SpeechSpend', () => {
  it('counts a CJK ideograph as two billable characters', () => {
    expect(billableChars('Ahoy 你好')).toBe(9);
  });

  it('settles with what was reported or sent, whichever is more; nothing when never synthesized', async () => {
    const spoken = utterance('x'.repeat(50));
    await spend.reserve(spoken);
    await spend.ended(spoken, { characters: 20, sentCharacters: 20 });
    const dropped = utterance('y'.repeat(30));
    await spend.reserve(dropped);
    await spend.ended(dropped, undefined);
    const cut = utterance('z'.repeat(80)); // skipped in its second piece, before that piece's usage arrived
    await spend.reserve(cut);
    await spend.ended(cut, { characters: 30, sentCharacters: 60 });
    await spend.ended(utterance('never reserved'), { characters: 7, sentCharacters: 7 });
    expect(await chars()).toBe(20 + 0 + 60 + 7);
  });

  it('pauses narration with one notice per budget, and speaks again once a reservation fits', async () => {
    expect(await spend.admit('c1', [utterance('a'.repeat(90))])).toBe(true);
    for (let i = 0; i < 3; i++) expect(await spend.admit('c1', [utterance('b'.repeat(20))])).toBe(false);
    expect(notices).toEqual([expect.stringMatching(/^c1: Narration is paused: You have used your 100 characters/)]);
    expect(await spend.admit('c1', [utterance('c'.repeat(20), 'bob')])).toBe(true);
    expect(await spend.admit('c1', [utterance('d'.repeat(20))])).toBe(false);
    expect(notices).toHaveLength(2);
  });

  it('reserves a message’s utterances all or none, and release gives them back', async () => {
    const parts = [utterance('a'.repeat(60)), utterance('b'.repeat(60))];
    expect(await spend.admit('c1', parts)).toBe(false);
    expect(await chars()).toBe(0);
    const fits = [utterance('a'.repeat(40)), utterance('b'.repeat(40))];
    expect(await spend.admit('c1', fits)).toBe(true);
    await spend.release(fits);
    expect(await chars()).toBe(0);
  });
});
