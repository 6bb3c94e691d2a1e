import { Readable } from 'node:stream';
import prism from 'prism-media';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DashScopeError } from '../../src/dashscope/errors.ts';
import { GuildPlayer, type GuildPlayerOptions } from '../../src/playback/guildPlayer.ts';
import type { Utterance } from '../../src/playback/utterance.ts';
import type { TtsEngine } from '../../src/tts/engine.ts';
import { createTtsEngine, type RoutingTtsEngine } from '../../src/tts/engines.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { channel, collect, zeroCrossingFrequency } from '../audio/signal.ts';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import { useDashScopeEmulator } from '../emulators/dashscope/fixture.ts';
import type { DashScopeEmulator } from '../emulators/dashscope/server.ts';
import { addVoice } from '../emulators/dashscope-realtime.helpers.ts';
import { RecordingSink } from './recordingSink.ts';

let emu: DashScopeEmulator;
let engine: RoutingTtsEngine;
let sink: RecordingSink;
let voice: CharacterVoice;
let errors: [Utterance, unknown][];
let player: GuildPlayer | undefined;

const LONG = 'The tide is turning and the old ship is ready.'; // ≈ 2.3 s of tone
let ids = 0;
const utterance = (text: string): Utterance => ({
  id: `u${ids++}`,
  guildId: 'g1',
  text,
  voice,
  requestedBy: 'user',
  source: 'say',
  reportChannelId: 't1',
});
const makePlayer = (over: Partial<GuildPlayerOptions> = {}): GuildPlayer =>
  (player = new GuildPlayer({
    engine,
    sink,
    maxQueue: 5,
    onIdle: () => {},
    onError: (u, e) => errors.push([u, e]),
    ...over,
  }));
/** Polls until `probe` holds; the timeout only bounds a hang, no assertion depends on it. */
const until = async (probe: () => boolean, timeoutMs = 20_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const settled = async (p: GuildPlayer, timeoutMs = 20_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (p.pending.length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};
/**
 * Whether `count` 20 ms packets carry a text's whole tone: at least its duration, and at most what the
 * encoder's flush of libopus's 6.5 ms look-ahead adds.
 */
const coversTone = (count: number, text: string): boolean => {
  const ms = expectedTone(text, voice.voiceId).durationMs;
  return count >= Math.ceil(ms / 20) && count <= Math.ceil((ms + 7.5) / 20);
};

useDashScopeEmulator((started) => (emu = started), {
  realTimeFactor: 0.5,
  chunkMs: 100,
  firstPacketDelayMs: 0,
  handshakeDelayMs: 0,
});
beforeEach(() => {
  const voiceId = addVoice(emu, 'captain', 'qwen3-tts-vd-realtime-2026-01-15');
  voice = {
    name: 'Captain',
    voiceId,
    targetModel: 'qwen3-tts-vd-realtime-2026-01-15',
    description: 'd',
    language: 'en',
    createdBy: 'u',
    createdAt: 0,
  };
  engine = createTtsEngine({ apiKey: emu.apiKey, baseUrl: emu.baseUrl, realtimeUrl: emu.realtimeUrl });
  sink = new RecordingSink();
  errors = [];
});
afterEach(async () => {
  player?.destroy();
  await engine.close();
});

describe('GuildPlayer', () => {
  it('starts playing at the first chunk, before DashScope has sent the rest', async () => {
    emu.faults.realtime.stallAfterDeltas = 2; // 200 ms of audio, then nothing more
    makePlayer().enqueue(utterance(LONG));
    await until(() => sink.packetsOf(0).length >= 5);
    // What played can only be what arrived: no waiting for the whole utterance.
    expect(sink.packetsOf(0).length).toBeLessThanOrEqual(10);
  });

  it('plays exactly the synthesized audio', async () => {
    const p = makePlayer();
    p.enqueue(utterance(LONG));
    await settled(p);
    const packets = sink.packetsOf(0);
    expect(coversTone(packets.length, LONG)).toBe(true);
    const pcm = await collect<Buffer>(
      Readable.from(packets.map((x) => x.packet)).pipe(
        new prism.opus.Decoder({ rate: 48_000, channels: 2, frameSize: 960 }),
      ),
    );
    const left = channel(Buffer.concat(pcm), 2, 0);
    expect(zeroCrossingFrequency(left, 48_000, 4_800, left.length - 4_800)).toBeCloseTo(
      expectedTone(LONG, voice.voiceId).frequencyHz,
      -1,
    );
    expect(errors).toEqual([]);
  });

  it('synthesizes the next utterance while the current one plays, in order, with no gap', async () => {
    // Packets the sink had played when each synthesis was complete: an ordering, not a clock.
    const playedWhenSynthesized = new Map<string, number>();
    const observed: TtsEngine = {
      synthesize: (req, signal) => {
        const inner = engine.synthesize(req, signal);
        return {
          metrics: inner.metrics,
          async *[Symbol.asyncIterator]() {
            yield* inner;
            playedWhenSynthesized.set(req.text, sink.played.length);
          },
        };
      },
      close: () => engine.close(),
    };
    const p = makePlayer({ engine: observed });
    p.enqueue(utterance(LONG));
    p.enqueue(utterance('Second line.'));
    await settled(p);
    const first = sink.packetsOf(0);
    expect(sink.played.map((x) => x.stream)).toEqual([...first.map(() => 0), ...sink.packetsOf(1).map(() => 1)]);
    expect(sink.packetsOf(1).length).toBeGreaterThan(0);
    // The second line was wholly synthesized while the first still played: ready before its turn.
    expect(playedWhenSynthesized.get('Second line.')).toBeLessThan(first.length);
  });

  it('skip stops the current utterance at once and closes its DashScope socket; the next one plays', async () => {
    const p = makePlayer();
    p.enqueue(utterance(LONG));
    p.enqueue(utterance('After the skip.'));
    await until(() => sink.packetsOf(0).length >= 10);
    const playedAtSkip = sink.packetsOf(0).length;
    expect(p.skip()).toBe(true);
    await settled(p);
    expect(sink.packetsOf(0).length - playedAtSkip).toBeLessThanOrEqual(1); // at most the packet in hand
    expect(sink.packetsOf(0).length).toBeLessThan(expectedTone(LONG, voice.voiceId).durationMs / 40);
    expect(coversTone(sink.packetsOf(1).length, 'After the skip.')).toBe(true);
    expect(engine.realtime.stats.sessionsDiscarded).toBeGreaterThanOrEqual(1);
  });

  it('stop clears the queue', async () => {
    const p = makePlayer();
    for (const text of [LONG, 'two.', 'three.', 'four.']) p.enqueue(utterance(text));
    while (sink.played.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(p.stop()).toBe(4);
    await settled(p);
    expect(p.pending).toEqual([]);
    expect(new Set(sink.played.map((x) => x.stream))).toEqual(new Set([0]));
  });

  it('refuses beyond its bound with a clear message', () => {
    const p = makePlayer({ maxQueue: 2 });
    p.enqueue(utterance('one.'));
    p.enqueue(utterance('two.'));
    p.enqueue(utterance('three.'));
    expect(() => p.enqueue(utterance('four.'))).toThrow(/queue is full \(2 waiting\)/);
  });

  it('reports a failed utterance once and goes on with the queue', async () => {
    const p = makePlayer();
    emu.faults.realtime.errorAfterDeltas = 2;
    p.enqueue(utterance('This one breaks.'));
    p.enqueue(utterance('This one plays.'));
    await settled(p);
    expect(errors).toHaveLength(1);
    expect(errors[0]![0].text).toBe('This one breaks.');
    expect(errors[0]![1]).toBeInstanceOf(DashScopeError);
    expect(coversTone(sink.packetsOf(1).length, 'This one plays.')).toBe(true);
  });

  it('pauses through a stall (synthesis slower than real time) instead of cutting the utterance', async () => {
    emu.ctx.options.realtime.realTimeFactor = 1.6;
    const p = makePlayer();
    p.enqueue(utterance('Slow and steady.'));
    await settled(p);
    expect(errors).toEqual([]);
    expect(coversTone(sink.packetsOf(0).length, 'Slow and steady.')).toBe(true);
  });

  it('reports idle once each time its queue runs dry, not while it speaks', async () => {
    const idleAt: number[] = [];
    const p = makePlayer({ onIdle: () => idleAt.push(sink.played.length) });
    p.enqueue(utterance('Short.'));
    p.enqueue(utterance('Again.'));
    expect(p.status).toBe('speaking');
    await settled(p);
    await new Promise((r) => setImmediate(r));
    expect(idleAt).toEqual([sink.played.length]); // once, after the last packet of both
    expect(p.status).toBe('idle');
    p.destroy();
    expect(p.status).toBe('destroyed');
    expect(() => p.enqueue(utterance('Too late.'))).toThrow(/left the voice channel/);
  });
});
