/**
 * End to end: the real bot (`npm start`) with METRICS_PORT serves /metrics, /healthz and /readyz over HTTP;
 * a real `/say` through the loopback Discord and DashScope moves the metrics it should, by what happened. It runs
 * with OPUS_COMPLEXITY=6, so every frame counts as encoded at reduced complexity: the key reaches the voice threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billableChars } from '../../src/dashscope/billing.ts';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { get, type Scrape, scrape } from '../metrics/scrape.ts';
import { freePort } from '../setup/redis.ts';
import { type BotWorld, designVoice, standardGuild, startWorld } from './harness.ts';

let world: BotWorld;
let g: AddedGuild;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  const started = await startWorld([standardGuild()], { METRICS_PORT: String(port), OPUS_COMPLEXITY: '6' });
  world = started;
  g = started.guilds[0]!;
  base = `http://127.0.0.1:${port}`;
}, 60_000);
afterAll(() => world?.close(), 30_000);

/** Asks `probe` every 100 ms until it gives a value, for at most `timeoutMs`. */
async function poll<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Scrapes until `ok` holds (an utterance is counted when its playback has ended), then returns that scrape. */
function scrapeUntil(ok: (s: Scrape) => boolean, what: string): Promise<Scrape> {
  return poll(async () => {
    const s = await scrape(base);
    return ok(s) ? s : undefined;
  }, what);
}

describe('monitoring endpoint of the running bot', () => {
  it('is alive and ready once the gateway is', async () => {
    expect(await get(base, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    const ready = await get(base, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ready: true });
    const first = await scrape(base);
    expect(first.value('voicebot_gateway_ready')).toBe(1);
    expect(first.value('voicebot_utterances_total')).toBe(0);
    expect(first.family('process_cpu_seconds_total').type).toBe('COUNTER');
  });

  it('counts a real /say: outcome, sessions, latencies, billed characters, voice connection', async () => {
    const before = await scrape(base);
    await designVoice(world, g, 'Captain');
    const text = 'Ahoy there, friends, the tide is turning.';
    const where = { guildId: g.id, channelId: g.channels.general!, userId: g.members.alice! };
    const said = await world.discord
      .slashCommand({ ...where, name: 'say', options: { text, voice: 'Captain' } })
      .reply();
    expect(said.content).toBe('Speaking as **Captain**.');
    const heard = await world.discord.waitForAudio(g.id, { untilIdle: true, timeoutMs: 20_000 });
    const spoken = { source: 'say', outcome: 'spoken' };
    // Every packet the listener heard was timed on the voice thread (reported once a second).
    const framesOf = (s: Scrape): number =>
      s.value('voicebot_voice_frames_total', { timing: 'on_time' }) +
      s.value('voicebot_voice_frames_total', { timing: 'late' });
    const timed = await scrapeUntil((s) => framesOf(s) - framesOf(before) >= heard.frames, 'the frames timed');
    expect(framesOf(timed) - framesOf(before)).toBe(heard.frames);
    const economy = 'voicebot_voice_economy_frames_total';
    expect(timed.value(economy) - before.value(economy)).toBe(heard.frames);
    expect(before.family('voicebot_voice_frames_total').metrics).toHaveLength(2);
    const after = await scrapeUntil((s) => s.value('voicebot_utterances_total', spoken) === 1, 'the /say counted');
    expect(before.value('voicebot_utterances_total', spoken)).toBe(0);
    expect(after.value('voicebot_tts_sessions_opened_total')).toBe(world.dashscope.ctx.stats.realtimeSessions);
    expect(after.value('voicebot_tts_sessions_opened_total')).toBeGreaterThanOrEqual(1);
    expect(after.count('voicebot_tts_first_audio_seconds')).toBe(1);
    expect(after.count('voicebot_request_first_packet_seconds', { source: 'say' })).toBe(1);
    expect(after.sum('voicebot_request_first_packet_seconds', { source: 'say' })).toBeGreaterThan(0);
    expect(after.value('voicebot_speech_characters_billed_total', { source: 'say' })).toBe(billableChars(text));
    expect(after.value('voicebot_account_billed_today', { unit: 'designs' })).toBe(1);
    expect(after.value('voicebot_account_billed_today', { unit: 'characters' })).toBe(billableChars(text));
    expect(after.value('voicebot_voice_connections')).toBe(1);
    expect(after.value('voicebot_queue_depth')).toBe(0);
    expect(after.family('voicebot_dashscope_errors_total').metrics).toEqual([]);
  }, 60_000);

  it('turns /readyz to 503 when the gateway is gone, while /healthz stays 200', async () => {
    world.discord.gateway.disconnect(4004); // authentication failed: discord.js does not reconnect
    const notReady = await poll(async () => {
      const answer = await get(base, '/readyz');
      return answer.status === 503 ? (JSON.parse(answer.body) as unknown) : undefined;
    }, '/readyz to turn 503');
    expect(notReady).toEqual({ ready: false, failing: ['gateway'] });
    expect((await get(base, '/healthz')).status).toBe(200);
    expect((await scrape(base)).value('voicebot_gateway_ready')).toBe(0);
  }, 30_000);
});
