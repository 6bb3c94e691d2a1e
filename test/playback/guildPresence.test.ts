import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { GuildPlayers } from '../../src/playback/guildPlayers.ts';
import type { Utterance } from '../../src/playback/utterance.ts';
import { emptyMetrics, type Synthesis, type TtsEngine } from '../../src/tts/engine.ts';
import { VOICE } from '../narration/fakePlayer.ts';
import { RecordingSink } from './recordingSink.ts';

const IDLE_MS = 1_000;

/** An engine whose speech never arrives: a player fed by it stays `speaking` until stopped. */
const silentEngine: TtsEngine = {
  synthesize: (_req, signal) => {
    const metrics = emptyMetrics();
    const never = (async function* () {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    })();
    return Object.assign(never, { metrics }) satisfies Synthesis;
  },
  close: async () => {},
};

interface Sinks {
  channelId: string;
  sink: RecordingSink;
  gone: () => void;
}

/** Guild players over recording sinks, with the outside world (people in channels, narration) scripted. */
function world() {
  const w = {
    sinks: [] as Sinks[],
    humans: new Map<string, number>(),
    stay: false,
    asked: 0,
    logs: [] as string[],
    failJoin: false,
  };
  const sink = new Writable({
    write: (chunk, _encoding, done) => {
      w.logs.push(String(chunk));
      done();
    },
  });
  const players = new GuildPlayers({
    joinVoice: async (_guildId, channelId, onGone) => {
      await Promise.resolve();
      if (w.failJoin) throw new Error('could not connect');
      const recording = new RecordingSink(channelId);
      w.sinks.push({ channelId, sink: recording, gone: onGone });
      return recording;
    },
    engine: silentEngine,
    maxQueue: 5,
    idleLeaveMs: IDLE_MS,
    log: createLogger('info', sink),
    onError: () => {},
    humansIn: (_guildId, channelId) => w.humans.get(channelId) ?? 0,
    staysWhenIdle: async () => {
      w.asked += 1;
      return w.stay;
    },
  });
  return Object.assign(w, { players });
}
type World = ReturnType<typeof world>;

const leaveReasons = (w: World): string[] =>
  w.logs.filter((l) => l.includes('"msg":"left voice"')).map((l) => JSON.parse(l).reason as string);
const utterance = (text: string): Utterance => ({
  id: text,
  guildId: 'g1',
  text,
  voice: VOICE,
  requestedBy: 'u1',
  source: 'say',
  reportChannelId: 't1',
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('GuildPresence, through GuildPlayers', () => {
  it('leaves once idle for the idle time, and not a moment before', async () => {
    const w = world();
    await w.players.join('g1', 'v1');
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(w.players.presence('g1')?.channelId).toBe('v1');
    await vi.advanceTimersByTimeAsync(1);
    expect(w.players.presence('g1')).toBeUndefined();
    expect(w.sinks[0]!.sink.destroyed).toBe(true);
    expect(leaveReasons(w)).toEqual(['idle']);
  });

  it('does not leave while it speaks; the idle time starts when the queue runs dry', async () => {
    const w = world();
    const player = await w.players.join('g1', 'v1');
    player.enqueue(utterance('A long line.'));
    await vi.advanceTimersByTimeAsync(IDLE_MS * 3);
    expect(w.players.get('g1')).toBe(player);
    expect(w.asked).toBe(0);
    player.stop();
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(w.players.get('g1')).toBe(player);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.players.get('g1')).toBeUndefined();
  });

  it('stays while narration keeps it, asking again every idle period', async () => {
    const w = world();
    w.stay = true;
    await w.players.join('g1', 'v1');
    await vi.advanceTimersByTimeAsync(IDLE_MS * 3);
    expect(w.asked).toBe(3);
    expect(w.players.presence('g1')?.channelId).toBe('v1');
    w.stay = false;
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(w.players.presence('g1')).toBeUndefined();
  });

  it('joins once for concurrent requests, and moves between channels on request', async () => {
    const w = world();
    const [a, b] = await Promise.all([w.players.join('g1', 'v1'), w.players.join('g1', 'v1')]);
    expect(a).toBe(b);
    expect(w.sinks).toHaveLength(1);
    await w.players.join('g1', 'v2');
    expect(w.sinks[0]!.sink.destroyed).toBe(true);
    expect(w.players.presence('g1')?.channelId).toBe('v2');
    expect(leaveReasons(w)).toEqual(['moving']);
  });

  it('follows a moderator’s move: the old channel emptying no longer matters, the new one does', async () => {
    const w = world();
    await w.players.join('g1', 'v1');
    w.humans.set('v2', 1);
    w.players.voiceStateChanged('g1', { userId: 'bot', isSelf: true, isBot: true, before: 'v1', after: 'v2' });
    expect(w.players.presence('g1')?.channelId).toBe('v2');
    expect(w.sinks[0]!.sink.destroyed).toBe(false); // the same connection, moved by Discord
    w.players.voiceStateChanged('g1', { userId: 'alice', isSelf: false, isBot: false, before: 'v1', after: null });
    expect(w.players.presence('g1')?.channelId).toBe('v2');
    w.humans.set('v2', 0);
    w.players.voiceStateChanged('g1', { userId: 'bob', isSelf: false, isBot: false, before: 'v2', after: null });
    expect(w.players.presence('g1')).toBeUndefined();
    expect(leaveReasons(w)).toEqual(['alone']);
  });

  it('leaves at once when moved into an empty channel, or disconnected by a moderator', async () => {
    const w = world();
    await w.players.join('g1', 'v1');
    w.players.voiceStateChanged('g1', { userId: 'bot', isSelf: true, isBot: true, before: 'v1', after: 'v3' });
    expect(w.players.presence('g1')).toBeUndefined();
    await w.players.join('g1', 'v1');
    w.players.voiceStateChanged('g1', { userId: 'bot', isSelf: true, isBot: true, before: 'v1', after: null });
    expect(w.players.presence('g1')).toBeUndefined();
    expect(leaveReasons(w)).toEqual(['alone', 'disconnected']);
  });

  it('ignores another bot leaving, and a member leaving some other channel', async () => {
    const w = world();
    await w.players.join('g1', 'v1');
    w.players.voiceStateChanged('g1', { userId: 'other-bot', isSelf: false, isBot: true, before: 'v1', after: null });
    w.players.voiceStateChanged('g1', { userId: 'carol', isSelf: false, isBot: false, before: 'v9', after: null });
    expect(w.players.presence('g1')?.channelId).toBe('v1');
  });

  it('forgets a connection that ended on its own, and joins afresh next time', async () => {
    const w = world();
    await w.players.join('g1', 'v1');
    w.sinks[0]!.gone();
    expect(w.players.presence('g1')).toBeUndefined();
    expect(leaveReasons(w)).toEqual(['connection_lost']);
    await w.players.join('g1', 'v1');
    expect(w.sinks).toHaveLength(2);
  });

  it('a leave during a join gives the join up and closes the connection it made', async () => {
    const w = world();
    const joining = w.players.join('g1', 'v1');
    expect(w.players.leave('g1')).toBe(true);
    await expect(joining).rejects.toThrow(/leave before it finished joining/);
    expect(w.sinks[0]!.sink.destroyed).toBe(true);
    expect(w.players.presence('g1')).toBeUndefined();
  });

  it('a failed join leaves the guild absent, and the next join tries again', async () => {
    const w = world();
    w.failJoin = true;
    await expect(w.players.join('g1', 'v1')).rejects.toThrow(/could not connect/);
    expect(w.players.presence('g1')).toBeUndefined();
    w.failJoin = false;
    await w.players.join('g1', 'v1');
    expect(w.players.presence('g1')?.channelId).toBe('v1');
  });
});
