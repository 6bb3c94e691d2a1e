import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/files.ts';
import { channel, zeroCrossingFrequency } from '../audio/signal.ts';
import { expectedTone, synthesizePcm } from '../emulators/dashscope/audio.ts';
import type { DashScopeEmulator } from '../emulators/dashscope/server.ts';
import { runCli, useCliScene } from './run.ts';

const TEXT = 'Ahoy there, sailor.';
let emu: DashScopeEmulator;
let dir: string;
let env: Record<string, string>;
let voiceId: string;

const scene = useCliScene('voicebot-say-');
beforeEach(async () => {
  ({ emu, dir, env } = scene);
  const designed = await runCli(
    [
      'design',
      '--description',
      'A gravelly old sea captain.',
      '--preview-text',
      'Ahoy there, welcome aboard my ship.',
      '--as',
      'Captain',
      '--json',
    ],
    env,
  );
  voiceId = (JSON.parse(designed.stdout) as { voiceId: string }).voiceId;
});

describe('voicebot say', () => {
  it('writes Ogg Opus that ffmpeg decodes to the synthesized tone, and prints metrics as JSON', async () => {
    const out = join(dir, 'hello.ogg');
    const run = await runCli(['say', '--voice', 'captain', '--out', out, '--json', TEXT], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, number | string>;
    const tone = expectedTone(TEXT, voiceId);
    expect(result).toMatchObject({ out, characters: TEXT.length });
    expect(result.durationMs).toBeCloseTo(tone.durationMs, -1);
    expect(typeof result.firstAudioMs).toBe('number');
    const pcm = await decode(out);
    const left = channel(pcm, 2, 0);
    const durationMs = (left.length / 48_000) * 1000;
    expect(Math.abs(durationMs - tone.durationMs)).toBeLessThan(40); // one frame + pre-skip at most
    expect(zeroCrossingFrequency(left, 48_000, 4_800, left.length - 4_800)).toBeCloseTo(tone.frequencyHz, -1);
  });

  it('records what it spoke and designed in the spend ledger, as voicebot usage shows', async () => {
    await runCli(['say', '--voice', 'captain', '--out', join(dir, 'spent.wav'), TEXT], env);
    const server = await runCli(['usage', '--guild', 'local', '--json'], env);
    expect(server.code).toBe(0);
    const report = JSON.parse(server.stdout) as { designs: number; chars: number; topVoices: { id: string }[] };
    expect(report).toMatchObject({ designs: 1, chars: TEXT.length, topVoices: [{ id: voiceId, chars: TEXT.length }] });
    const account = JSON.parse((await runCli(['usage', '--json'], env)).stdout) as { today: { usd: number } };
    expect(account.today.usd).toBeCloseTo(0.2 + Math.ceil(TEXT.length * 14.3353) / 1e6, 6);
  });

  it('writes the received 24 kHz PCM exactly into a WAV, reading the text from stdin', async () => {
    const out = join(dir, 'hello.wav');
    const run = await runCli(['say', '--voice', voiceId, '--out', out], env, { stdin: `${TEXT}\n` });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Wrote .*hello\.wav/);
    const wav = parseWav(await readFile(out));
    expect([wav.sampleRate, wav.channels]).toEqual([24_000, 1]);
    expect(wav.data.equals(synthesizePcm(TEXT, voiceId, 24_000))).toBe(true);
  });

  it('exits 1 with the DashScope code on a failure mid-stream, leaving no file', async () => {
    emu.faults.realtime.errorAfterDeltas = 2;
    const out = join(dir, 'broken.ogg');
    const run = await runCli(['say', '--voice', 'captain', '--out', out, TEXT], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/code=InternalError/);
    expect(await readdir(dir)).not.toContain('broken.ogg');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 2 on bad input without opening a session', async () => {
    for (const args of [
      ['say', '--voice', 'captain', '--out', join(dir, 'x.mp3'), TEXT],
      ['say', '--out', join(dir, 'x.ogg'), TEXT],
      ['say', '--voice', 'nobody', '--out', join(dir, 'x.ogg'), TEXT],
      ['say', '--voice', 'captain', '--out', join(dir, 'x.ogg'), 'x'.repeat(1001)],
    ]) {
      const run = await runCli(args, env);
      expect(run.code, args.join(' ')).toBe(2);
    }
    const empty = await runCli(['say', '--voice', 'captain', '--out', join(dir, 'x.ogg')], env, { stdin: '  ' });
    expect(empty.code).toBe(2);
    expect(emu.ctx.stats.realtimeSessions).toBe(0);
  });
});

describe('voicebot say --speed --pitch --volume', () => {
  it('sends them in session.update, over the voice’s own, with language_type', async () => {
    const out = join(dir, 'tuned.wav');
    const run = await runCli(
      ['say', '--voice', 'captain', '--out', out, '--speed', '1.5', '--pitch', '0.8', '--volume', '30', '--json', TEXT],
      env,
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ tuning: { speechRate: 1.5, pitchRate: 0.8, volume: 30 } });
    const updates = emu.requests.filter((r) => r.action === 'session.update');
    expect(updates.map((r) => (r.body as { session: unknown }).session)).toEqual([
      expect.objectContaining({
        voice: voiceId,
        language_type: 'English',
        speech_rate: 1.5,
        pitch_rate: 0.8,
        volume: 30,
      }),
    ]);
  });

  it('refuses values out of range with the range, exit 2, without opening a session', async () => {
    const run = await runCli(
      ['say', '--voice', 'captain', '--out', join(dir, 'x.wav'), '--speed', '3', '--volume', '101', TEXT],
      env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'Speed must be a number from 0.5 to 2 (got 3). Volume must be a whole number from 0 to 100 (got 101).',
    );
    expect(emu.ctx.stats.realtimeSessions).toBe(0);
  });
});

async function decode(path: string): Promise<Buffer> {
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-f', 's16le', '-ac', '2', '-ar', '48000', '-'],
    { encoding: 'buffer', maxBuffer: 64 << 20 },
  );
  return stdout;
}
