import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DashScopeEmulator } from '../emulators/dashscope/server.ts';
import { runCli, useCliScene } from './run.ts';

let emu: DashScopeEmulator;
let dir: string;
let env: Record<string, string>;

const DESIGN = [
  'design',
  '--description',
  'A gravelly old sea captain, slow and warm.',
  '--preview-text',
  'Ahoy there, welcome aboard my ship, friend.',
  '--name',
  'captain',
];

const scene = useCliScene('voicebot-cli-');
beforeEach(() => {
  ({ emu, dir, env } = scene);
});

describe('the CLI contract, as a new user tries it', () => {
  it('design → voices list → show → delete, with a real SQLite store', async () => {
    const out = join(dir, 'preview.wav');
    const designed = await runCli([...DESIGN, '--as', 'Captain Reed', '--out', out, '--json'], env);
    expect(designed.stderr).toBe('');
    expect(designed.code).toBe(0);
    const voice = JSON.parse(designed.stdout) as { name: string; voiceId: string; targetModel: string };
    expect(voice).toMatchObject({ name: 'Captain Reed', targetModel: 'qwen3-tts-vd-realtime-2026-01-15' });
    expect(emu.voices.has(voice.voiceId)).toBe(true);
    const wav = await readFile(out);
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(24_000);

    const listed = await runCli(['voices', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'Captain Reed', voiceId: voice.voiceId, targetModel: voice.targetModel }),
    ]);
    const table = await runCli(['voices', 'list'], env);
    expect(table.stdout).toMatch(/NAME\s+VOICE ID[\s\S]*Captain Reed\s+qwen-tts-vd-captain-voice-/);

    const shown = await runCli(['voices', 'show', 'captain reed', '--json'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ voiceId: voice.voiceId, remote: { exists: true } });

    const deleted = await runCli(['voices', 'delete', voice.voiceId], env);
    expect(deleted.code).toBe(0);
    expect(emu.voices.size).toBe(0);
    expect(JSON.parse((await runCli(['voices', 'list', '--json'], env)).stdout)).toEqual([]);
  });

  it('keeps guilds apart and lists the account with --remote', async () => {
    const a = JSON.parse((await runCli([...DESIGN, '--guild', 'g1', '--json'], env)).stdout) as { voiceId: string };
    expect(JSON.parse((await runCli(['voices', 'list', '--guild', 'g2', '--json'], env)).stdout)).toEqual([]);
    const other = await runCli(['voices', 'delete', a.voiceId, '--guild', 'g2'], env);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/No voice called ".*" in guild "g2"/);
    expect(emu.voices.has(a.voiceId)).toBe(true);
    const remote = JSON.parse(
      (await runCli(['voices', 'list', '--remote', '--guild', 'g1', '--json'], env)).stdout,
    ) as { name: string | null; voiceId: string }[];
    expect(remote).toEqual([expect.objectContaining({ voiceId: a.voiceId, name: 'captain' })]);
  });

  it('sync reports and prunes voices DashScope no longer has', async () => {
    const a = JSON.parse((await runCli([...DESIGN, '--json'], env)).stdout) as { voiceId: string };
    emu.voices.delete(a.voiceId);
    const report = await runCli(['voices', 'sync'], env);
    expect(report.stdout).toMatch(/1 do not[\s\S]*--prune/);
    const pruned = JSON.parse((await runCli(['voices', 'sync', '--prune', '--json'], env)).stdout) as {
      pruned: boolean;
      missing: unknown[];
    };
    expect(pruned).toMatchObject({ pruned: true, missing: [expect.objectContaining({ voiceId: a.voiceId })] });
    expect(JSON.parse((await runCli(['voices', 'list', '--json'], env)).stdout)).toEqual([]);
  });

  it('runs as `npx voicebot` straight after npm ci, with no build step', async () => {
    const { spawnSync } = await import('node:child_process');
    const root = new URL('../..', import.meta.url).pathname;
    const run = spawnSync('npx', ['--no-install', 'voicebot', '--help'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^voicebot: design character voices/);
  });

  it('prints help for every command', async () => {
    for (const args of [['--help'], ['design', '--help'], ['voices', '--help'], ['voices', 'list', '--help']]) {
      const run = await runCli(args, {});
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/Usage:/);
    }
  });

  it('reads .env from the working directory', async () => {
    await writeFile(
      join(dir, '.env'),
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    const run = await runCli(['voices', 'list', '--json'], {}, { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('[]');
  });
});

describe('exit codes', () => {
  const invalid: [string, string[]][] = [
    ['missing description', ['design', '--preview-text', 'Ahoy there, welcome aboard my ship.', '--name', 'x']],
    ['bad language', [...DESIGN, '--language', 'klingon']],
    ['bad name', [...DESIGN.slice(0, -1), 'sea-captain']],
    ['unknown option', [...DESIGN, '--colour', 'blue']],
    ['not a wav', [...DESIGN, '--out', 'x.mp3']],
    ['unknown command', ['voices', 'rename', 'a']],
    ['flag of another command', ['voices', 'list', '--prune']],
  ];
  it.each(invalid)('2 for invalid input, with nothing sent: %s', async (_label, args) => {
    const run = await runCli(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\S/);
    expect(emu.requests).toHaveLength(0);
  });

  it('2 when the key is missing, without asking for a Discord token', async () => {
    const run = await runCli(DESIGN, { STORE_URL: 'memory://' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DASHSCOPE_API_KEY is not set/);
    expect(run.stderr).not.toMatch(/DISCORD_TOKEN/);
  });

  it('1 for a DashScope failure, with its code on stderr and no secret', async () => {
    emu.faults.http.failNextWith = {
      status: 400,
      code: 'Arrearage',
      message: 'Access denied, please make sure your account is in good standing.',
    };
    const run = await runCli(DESIGN, env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/code=Arrearage/);
    expect(run.stderr + run.stdout).not.toContain(emu.apiKey);
    const badKey = await runCli(['voices', 'list', '--remote'], { ...env, DASHSCOPE_API_KEY: 'sk-secret-wrong' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/code=InvalidApiKey/);
    expect(badKey.stderr).not.toContain('sk-secret-wrong');
  });
});
