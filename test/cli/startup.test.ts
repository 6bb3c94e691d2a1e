/**
 * `npm start` and `npm run deploy` as a newcomer first runs them: every start-up failure is one line on
 * stderr that names the setting to fix, exit code 1, and no stack unless LOG_LEVEL=debug.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from '../emulators/discord/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let discord: DiscordEmulator;
let dir: string;

beforeAll(async () => {
  discord = await startDiscordEmulator();
  dir = await mkdtemp(join(tmpdir(), 'voicebot-startup-'));
});
afterAll(async () => {
  await discord.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs `npm start` / `npm run deploy` as a user does, in the project root; or, for what depends on `./.env`,
 * `node src/main.ts` in an empty directory (so a developer's own .env cannot leak in).
 */
function npm(
  script: 'start' | 'deploy' | 'start-here',
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [command, args, cwd] =
      script === 'start-here'
        ? [process.execPath, [join(ROOT, 'src/main.ts')], dir]
        : ['npm', script === 'start' ? ['start', '--silent'] : ['run', '--silent', 'deploy'], ROOT];
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
const botEnv = (): Record<string, string> => ({
  DISCORD_TOKEN: 'not-the-token',
  DISCORD_REST_URL: discord.restUrl,
  DASHSCOPE_API_KEY: 'sk-x',
  STORE_URL: 'memory://',
  LOG_LEVEL: 'info',
});

describe('npm start fails in one line that names the setting', () => {
  it('with no .env: names both keys and says to copy .env.example', async () => {
    const run = await npm('start-here', {});
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^DISCORD_TOKEN and DASHSCOPE_API_KEY are not set .*copy \.env\.example to \.env/),
    ]);
  });

  it('with a token Discord refuses: names DISCORD_TOKEN, no stack', async () => {
    const run = await npm('start', botEnv());
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^Discord refused DISCORD_TOKEN \(401 Unauthorized\)/)]);
    expect(run.stderr).not.toContain('not-the-token');
  });

  it('with no network (the host does not resolve): names DISCORD_REST_URL and the cause', async () => {
    const run = await npm('start', { ...botEnv(), DISCORD_REST_URL: 'http://nonexistent.invalid/api' });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(
        /^Could not reach Discord at nonexistent\.invalid \((ENOTFOUND|EAI_AGAIN)\).*DISCORD_REST_URL/,
      ),
    ]);
  });

  it('with an unreachable Redis store: names STORE_URL, no "Error:" and no stack', async () => {
    const run = await npm('start', { ...botEnv(), STORE_URL: 'redis://:hunter2@127.0.0.1:1/0' });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(
        /^Could not connect to the Redis store at redis:\/\/\*\*\*@127\.0\.0\.1:1\/0: .*ECONNREFUSED.*STORE_URL\.$/,
      ),
    ]);
    expect(run.stderr).not.toContain('hunter2');
  });

  it('prints the stack as well with LOG_LEVEL=debug', async () => {
    const run = await npm('start', { ...botEnv(), LOG_LEVEL: 'debug' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Discord refused DISCORD_TOKEN/m);
    expect(run.stderr).toMatch(/^\s+at /m);
  });
});

describe('npm run deploy fails in one line that names the setting', () => {
  it('with a token Discord refuses (401)', async () => {
    const run = await npm('deploy', {
      DISCORD_TOKEN: 'not-the-token',
      DISCORD_REST_URL: discord.restUrl,
      LOG_LEVEL: 'info',
    });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^Discord refused DISCORD_TOKEN \(401 Unauthorized\): reset the token/),
    ]);
  });

  it('with no network', async () => {
    const run = await npm('deploy', {
      DISCORD_TOKEN: 'x',
      DISCORD_REST_URL: 'http://nonexistent.invalid/api',
      LOG_LEVEL: 'info',
    });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^Could not reach Discord at nonexistent\.invalid .*DISCORD_REST_URL/),
    ]);
  });

  it('without DISCORD_TOKEN, and without asking for the DashScope key', async () => {
    const run = await npm('deploy', { DISCORD_TOKEN: '' });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      'DISCORD_TOKEN is not set (the bot token from the Discord developer portal): ' +
        'copy .env.example to .env and fill it in.',
    ]);
  });
});

describe('an unreadable .env', () => {
  it('is one line naming it, for npm start as for the CLI', async () => {
    const { mkdir } = await import('node:fs/promises');
    const { runCli } = await import('./run.ts');
    await mkdir(join(dir, '.env'), { recursive: true }); // a directory where the file should be
    try {
      const start = await npm('start-here', {});
      expect(start.code).toBe(1);
      expect(lines(start.stderr)).toEqual(['.env could not be read (EISDIR): fix or remove it.']);
      const cli = await runCli(['voices', 'list'], {}, { cwd: dir });
      expect(cli.code).toBe(2);
      expect(lines(cli.stderr)).toEqual(['.env could not be read (EISDIR): fix or remove it.']);
    } finally {
      await rm(join(dir, '.env'), { recursive: true, force: true });
    }
  });
});
