import { describe, expect, it } from 'vitest';
import { PROXY_WINDOW_MS, ProxyOriginals } from '../../src/narration/proxyOriginals.ts';
import { type AuthorKind, type ChatEvent, joinsOnArrival, type Route, route } from '../../src/narration/route.ts';
import { DEFAULT_NARRATION_SETTINGS, type NarrationSettings } from '../../src/narration/settings.ts';
import { NO_MENTIONS } from '../../src/narration/text/chatMessage.ts';

const TEXT = '400000000000000001';
const OTHER_TEXT = '400000000000000002';
const LOUNGE = '500000000000000001';
const HALL = '500000000000000002';

const settings = (over: Partial<NarrationSettings> = {}): NarrationSettings => ({
  ...DEFAULT_NARRATION_SETTINGS,
  bindings: { [TEXT]: LOUNGE },
  ...over,
});
const event = (kind: AuthorKind, voiceChannelId: string | null, channelId = TEXT): ChatEvent => ({
  guildId: 'g1',
  channelId,
  messageId: 'm1',
  author: { id: 'a1', name: 'alice', kind, voiceChannelId },
  message: { content: 'hi', mentions: NO_MENTIONS, attachments: [] },
});

describe('route', () => {
  it.each<[string, NarrationSettings, ChatEvent, string | undefined, Route]>([
    ['reads a member listening in the bound channel', settings(), event('member', LOUNGE), LOUNGE, { action: 'read' }],
    [
      'ignores an unbound channel',
      settings(),
      event('member', LOUNGE, OTHER_TEXT),
      LOUNGE,
      { action: 'ignore', reason: 'unbound' },
    ],
    [
      'ignores a member outside the bot’s channel',
      settings(),
      event('member', null),
      LOUNGE,
      { action: 'ignore', reason: 'author_not_listening' },
    ],
    [
      'reads a member outside the call with require_voice off',
      settings({ requireVoice: false }),
      event('member', null),
      LOUNGE,
      { action: 'read' },
    ],
    [
      'ignores a channel bound to another voice channel',
      settings(),
      event('member', HALL),
      HALL,
      { action: 'ignore', reason: 'bound_elsewhere' },
    ],
    [
      'reads into any channel for a binding to wherever the bot is',
      settings({ bindings: { [TEXT]: null } }),
      event('member', HALL),
      HALL,
      { action: 'read' },
    ],
    ['ignores bots by default', settings(), event('bot', null), LOUNGE, { action: 'ignore', reason: 'bot' }],
    [
      'reads bots with read_bots, wherever they are',
      settings({ readBots: true }),
      event('bot', null),
      LOUNGE,
      { action: 'read' },
    ],
    [
      'lets webhooks through without require_voice (their voice decides)',
      settings({ requireVoice: false }),
      event('webhook', null),
      LOUNGE,
      { action: 'read' },
    ],
    [
      'ignores everything while not in voice without auto-join',
      settings(),
      event('member', LOUNGE),
      undefined,
      { action: 'ignore', reason: 'not_in_voice' },
    ],
    [
      'auto-joins the bound channel its author is in',
      settings({ autoJoin: true }),
      event('member', LOUNGE),
      undefined,
      { action: 'join', voiceChannelId: LOUNGE },
    ],
    [
      'does not auto-join another channel',
      settings({ autoJoin: true }),
      event('member', HALL),
      undefined,
      { action: 'ignore', reason: 'not_in_voice' },
    ],
    [
      'auto-joins the author’s channel for a binding to wherever',
      settings({ autoJoin: true, bindings: { [TEXT]: null } }),
      event('member', HALL),
      undefined,
      { action: 'join', voiceChannelId: HALL },
    ],
    [
      'auto-joins the bound channel for a webhook without require_voice',
      settings({ autoJoin: true, requireVoice: false }),
      event('webhook', null),
      undefined,
      { action: 'join', voiceChannelId: LOUNGE },
    ],
  ])('%s', (_, given, message, botChannelId, expected) => {
    expect(route(given, message, botChannelId)).toEqual(expected);
  });
});

describe('joinsOnArrival', () => {
  it('joins only with auto-join, for a channel a text channel is bound to (or any, for wherever)', () => {
    expect(joinsOnArrival(settings(), LOUNGE)).toBe(false);
    expect(joinsOnArrival(settings({ autoJoin: true }), LOUNGE)).toBe(true);
    expect(joinsOnArrival(settings({ autoJoin: true }), HALL)).toBe(false);
    expect(joinsOnArrival(settings({ autoJoin: true, bindings: { [TEXT]: null } }), HALL)).toBe(true);
    expect(joinsOnArrival(settings({ autoJoin: true, bindings: {} }), LOUNGE)).toBe(false);
  });
});

const ignored = (reason: string): Route => ({ action: 'ignore', reason }) as Route;
const join = (voiceChannelId: string): Route => ({ action: 'join', voiceChannelId });
const read: Route = { action: 'read' };

describe('route: a webhook under require_voice', () => {
  const proxied = (voiceChannelId: string | null): ChatEvent => {
    const base = event('webhook', null);
    return { ...base, author: { ...base.author, proxyOf: { authorId: 'a2', voiceChannelId } } };
  };
  it.each<[string, NarrationSettings, ChatEvent, string | undefined, Route]>([
    ['ignores one tied to no member', settings(), event('webhook', null), LOUNGE, ignored('webhook_not_tied')],
    ['reads the copy of a member in the call', settings(), proxied(LOUNGE), LOUNGE, { action: 'read' }],
    ['ignores the copy of a member elsewhere', settings(), proxied(HALL), LOUNGE, ignored('author_not_listening')],
    ['ignores the copy of a member not in voice', settings(), proxied(null), LOUNGE, ignored('author_not_listening')],
    ['joins for a tied copy (auto-join)', settings({ autoJoin: true }), proxied(LOUNGE), undefined, join(LOUNGE)],
    [
      'reads any webhook with require_voice off',
      settings({ requireVoice: false }),
      event('webhook', null),
      LOUNGE,
      read,
    ],
  ])('%s', (_name, s, e, botChannel, expected) => {
    expect(route(s, e, botChannel)).toEqual(expected);
  });
});

describe('ProxyOriginals', () => {
  it('ties a copy to the latest original containing it, seconds apart, once', () => {
    let now = 1_000;
    const originals = new ProxyOriginals(() => now);
    originals.record('c1', { authorId: 'a', voiceChannelId: 'v', content: 'm: Land   ho, off the bow!' });
    originals.record('c2', { authorId: 'b', voiceChannelId: 'v', content: 'Land ho, off the bow!' });
    now += 1_500;
    expect(originals.claim('c1', 'Land ho, off the bow!')).toMatchObject({ authorId: 'a', voiceChannelId: 'v' });
    expect(originals.claim('c1', 'Land ho, off the bow!')).toBeUndefined(); // used up
    expect(originals.claim('c1', 'Something else')).toBeUndefined();
    now += PROXY_WINDOW_MS;
    expect(originals.claim('c2', 'Land ho, off the bow!')).toBeUndefined(); // too old
    expect(originals.claim('c2', '   ')).toBeUndefined();
  });
});
