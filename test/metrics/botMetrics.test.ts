import { describe, expect, it } from 'vitest';
import { DashScopeError } from '../../src/dashscope/errors.ts';
import { BotMetrics } from '../../src/metrics/botMetrics.ts';
import { type MetricSources, registerCollectors } from '../../src/metrics/collectors.ts';
import { ALLOWED_LABELS, DASHSCOPE_CODES, dashscopeCodeLabel } from '../../src/metrics/labels.ts';
import type { Utterance } from '../../src/playback/utterance.ts';
import { emptyMetrics } from '../../src/tts/engine.ts';
import { Scrape } from './scrape.ts';

const GUILD = '123456789012345678';
const TEXT = 'Secret words nobody should see in a metric';

function utterance(id: string, over: Partial<Utterance> = {}): Utterance {
  return {
    id,
    guildId: GUILD,
    text: TEXT,
    voice: {
      name: 'Ada',
      voiceId: 'qwen-tts-vd-ada-voice-20260101',
      targetModel: 'qwen3-tts-vd-realtime-2026-01-15',
      description: 'warm',
      language: 'en',
      createdBy: '42',
      createdAt: 0,
    },
    requestedBy: '987654321098765432',
    source: 'say',
    reportChannelId: '223456789012345678',
    ...over,
  };
}

const SOURCES: MetricSources = {
  sessions: () => ({ opened: 3, reused: 7, open: 1 }),
  voice: () => ({ connections: 2, queued: 5 }),
  billedToday: async () => ({ designs: 1, characters: 250, usd: 0.2 }),
  gatewayReady: () => true,
};

/** A bot's metrics with every kind of event recorded once, and the scrape-time collectors. */
function exercised(): BotMetrics {
  const metrics = new BotMetrics('0+1');
  registerCollectors(metrics.registry, SOURCES);
  const spoken = utterance('u1', { receivedAt: 1_000 });
  metrics.firstPacket(spoken, 1_750);
  metrics.spoken(spoken);
  metrics.ended(spoken, { ...emptyMetrics(), firstAudioMs: 300, characters: 40, sentCharacters: 40, warm: true });
  const failed = utterance('u2', { source: 'narration' });
  const refused = new DashScopeError({ status: 429, code: 'Throttling.RateQuota', serverMessage: 'slow down' });
  metrics.failed(failed, refused);
  metrics.ended(failed, emptyMetrics());
  metrics.ended(utterance('u3'), undefined);
  metrics.dashscopeFailed('voices', new Error('wrapped', { cause: new DashScopeError(errorInit(TEXT)) }));
  metrics.storeError();
  metrics.limiter.waited('session', 1_500);
  metrics.limiter.refused('session');
  metrics.limiter.throttled('session');
  metrics.limiter.throttled('design');
  metrics.voiceTiming({ loopDelayMaxMs: 30, frames: 50, lateFrames: 2, economyFrames: 20 });
  return metrics;
}

function errorInit(code: string) {
  return { status: 400, code, serverMessage: TEXT };
}

describe('BotMetrics', () => {
  it('carries no label outside the allow-list, and no id or member text in any label value', async () => {
    const metrics = exercised();
    const families = await metrics.registry.getMetricsAsJSON();
    expect(families.length).toBeGreaterThan(20); // the bot's own and the default process metrics
    const values: string[] = [];
    for (const family of families)
      for (const sample of family.values)
        for (const [label, value] of Object.entries(sample.labels)) {
          expect(ALLOWED_LABELS, `${family.name} label ${label}`).toContain(label);
          values.push(String(value));
        }
    for (const secret of [GUILD, TEXT, 'u1', '987654321098765432', 'qwen-tts-vd-ada-voice-20260101'])
      expect(values.filter((v) => v.includes(secret))).toEqual([]);
    expect(values).toContain('0+1'); // the shard label is on every series
  });

  it('counts outcomes, latencies, billed characters, errors and limiter events', async () => {
    const metrics = exercised();
    const scrape = new Scrape(await metrics.registry.metrics());
    const utterances = 'voicebot_utterances_total';
    expect(scrape.value(utterances, { source: 'say', outcome: 'spoken' })).toBe(1);
    expect(scrape.value(utterances, { source: 'narration', outcome: 'failed' })).toBe(1);
    expect(scrape.value(utterances, { source: 'say', outcome: 'cancelled' })).toBe(1);
    expect(scrape.count('voicebot_request_first_packet_seconds', { source: 'say' })).toBe(1);
    expect(scrape.sum('voicebot_request_first_packet_seconds', { source: 'say' })).toBe(0.75);
    expect(scrape.count('voicebot_tts_first_audio_seconds', { session: 'cold' })).toBe(0);
    expect(scrape.sum('voicebot_tts_first_audio_seconds', { session: 'warm' })).toBe(0.3);
    expect(scrape.value('voicebot_speech_characters_billed_total', { source: 'say' })).toBe(40);
    const errors = 'voicebot_dashscope_errors_total';
    expect(scrape.value(errors, { call: 'speech', code: 'Throttling.RateQuota' })).toBe(1);
    expect(scrape.value(errors, { call: 'voices', code: 'other' })).toBe(1);
    expect(scrape.value('voicebot_tts_sessions_refused_total', { by: 'dashscope' })).toBe(1);
    expect(scrape.value('voicebot_tts_sessions_refused_total', { by: 'limiter' })).toBe(1);
    expect(scrape.value('voicebot_voice_frames_total', { timing: 'on_time' })).toBe(48);
    expect(scrape.value('voicebot_voice_frames_total', { timing: 'late' })).toBe(2);
    expect(scrape.value('voicebot_voice_economy_frames_total')).toBe(20);
    expect(scrape.count('voicebot_voice_thread_loop_delay_seconds')).toBe(1);
    expect(scrape.sum('voicebot_voice_thread_loop_delay_seconds')).toBeCloseTo(0.03);
    expect(scrape.sum('voicebot_limiter_wait_seconds', { kind: 'session' })).toBe(1.5);
    expect(scrape.value('voicebot_limiter_refusals_total', { kind: 'session' })).toBe(1);
    expect(scrape.value('voicebot_dashscope_throttled_total', { kind: 'design' })).toBe(1);
    expect(scrape.value('voicebot_store_errors_total')).toBe(1);
    expect(scrape.value('voicebot_tts_sessions_opened_total')).toBe(3);
    expect(scrape.value('voicebot_tts_sessions_reused_total')).toBe(7);
    expect(scrape.value('voicebot_queue_depth')).toBe(5);
    expect(scrape.value('voicebot_voice_connections')).toBe(2);
    expect(scrape.value('voicebot_account_billed_today', { unit: 'usd' })).toBe(0.2);
    expect(scrape.value('voicebot_gateway_ready')).toBe(1);
    expect(scrape.family('nodejs_eventloop_lag_seconds').type).toBe('GAUGE');
  });

  it('keeps two bots apart: each has its own registry', async () => {
    const [a, b] = [new BotMetrics('all'), new BotMetrics('all')];
    a.storeError();
    expect(await b.registry.metrics()).toMatch(/^voicebot_store_errors_total\{shard="all"\} 0$/m);
  });
});

describe('dashscopeCodeLabel', () => {
  it.each([
    ['Throttling.RateQuota', 'Throttling.RateQuota'],
    ['NetworkError', 'NetworkError'],
    ['HTTP404', 'HTTP4xx'],
    ['HTTP503', 'HTTP5xx'],
    ['HTTP302', 'other'],
    ['Voice qwen-tts-vd-x is not supported', 'other'],
    ['', 'other'],
  ])('%s → %s', (code, label) => expect(dashscopeCodeLabel(code)).toBe(label));

  it('gives every known code a value of its own, a short bounded set', () => {
    expect(new Set(DASHSCOPE_CODES).size).toBe(DASHSCOPE_CODES.length);
    expect(DASHSCOPE_CODES.length).toBeLessThan(50);
  });
});
