import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DashScopeEmulator } from '../emulators/dashscope/server.ts';
import { type CliRun, runCli, useCliScene } from './run.ts';

let emu: DashScopeEmulator;
let dir: string;
let env: Record<string, string>;

const DESIGN = [
  'design',
  '--description',
  'A gravelly old sea captain, slow and warm.',
  '--preview-text',
  'Ahoy there, welcome aboard my ship, friend.',
];
const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
/** Designs "Captain Reed" in the local scope and returns its voice id. */
const designCaptain = async (): Promise<string> => {
  const run = await runCli([...DESIGN, '--as', 'Captain Reed', '--json'], env);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { voiceId: string }).voiceId;
};

const scene = useCliScene('voicebot-newcomer-');
beforeEach(() => {
  ({ emu, dir, env } = scene);
});

describe('usage and exit codes', () => {
  it('a command without its subcommand is usage on stderr and exit 2, like voicebot alone', async () => {
    for (const args of [[], ['voices']]) {
      const run = await runCli(args, env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/Usage:/);
    }
  });

  it('a taken registry name is invalid input: exit 2 and nothing sent to DashScope', async () => {
    await designCaptain();
    const sent = emu.requests.length;
    const run = await runCli([...DESIGN, '--as', 'captain reed'], env);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/"Captain Reed" is taken in the "local" scope/)]);
    expect(emu.requests.slice(sent)).toEqual([]);
  });

  it("an unknown option is named, with a pointer at --help instead of node's parser text", async () => {
    const run = await runCli([...DESIGN, '--name', 'captain', '--colour', 'blue'], env);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([
      'error: Unknown option --colour for "voicebot design". See "voicebot design --help".',
    ]);
    const sub = await runCli(['voices', 'list', '--prune'], env);
    expect(sub.stderr).toMatch(
      /Unknown option --prune for "voicebot voices list"\. See "voicebot voices list --help"\./,
    );
    const missing = await runCli(['say', '--voice'], env);
    expect(missing.stderr).toMatch(/^error: --voice needs a value\. See "voicebot say --help"\.$/m);
    expect(emu.requests).toEqual([]);
  });

  it('--json on a command without JSON output is refused, and nothing is deleted', async () => {
    const voiceId = await designCaptain();
    const run = await runCli(['voices', 'delete', 'captain reed', '--json'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/"voicebot voices delete" has no JSON output, so --json does not apply/);
    expect(emu.voices.has(voiceId)).toBe(true);
  });
});

describe('names: each option states its own rule', () => {
  it.each([['sea-captain'], [''], ['a_name_of_17_char'], ['Kapitän']])(
    '--name %j: the DashScope preferred-name rule',
    async (name) => {
      const run = await runCli([...DESIGN, '--name', name], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /--name ".*" is not a valid preferred name: it is DashScope's preferred name, part of the voice id/,
      );
      expect(run.stderr).toContain('part of the voice id: 1-16 of A-Z a-z 0-9 _');
      expect(run.stderr).not.toMatch(/registry name members type/);
    },
  );

  it.each([['???'], [''], ['x'.repeat(33)]])('--as %j: the registry-name rule', async (as) => {
    const run = await runCli([...DESIGN, '--name', 'captain', '--as', as], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: --as ".*": .* It is the registry name members type: up to 32 letters, digits, spaces/m,
    );
    expect(run.stderr).not.toMatch(/preferred name/);
  });

  it('nothing reached DashScope for any of them', () => {
    expect(emu.requests).toEqual([]);
  });
});

describe('scope wording without --guild', () => {
  it('speaks of the "local" scope, and of a guild with --guild, never of "this server"', async () => {
    const runs: CliRun[] = [
      await runCli(['voices', 'list'], env),
      await runCli(['voices', 'show', 'nobody'], env),
      await runCli(['voices', 'delete', 'nobody'], env),
      await runCli(['say', '--voice', 'nobody', '--out', join(dir, 'x.ogg'), 'Hello there.'], env),
    ];
    for (const run of runs) {
      expect(run.stdout + run.stderr).toMatch(/the "local" scope \(no --guild given\)/);
      expect(run.stdout + run.stderr).not.toMatch(/this server/i);
    }
    const guild = await runCli(['voices', 'show', 'nobody', '--guild', '123456789012345678'], env);
    expect(guild.stderr).toMatch(/No voice called "nobody" in guild "123456789012345678"/);
  });
});

describe('voices delete and show against what DashScope has', () => {
  it('delete says when DashScope had no such voice, instead of claiming it deleted it there', async () => {
    const voiceId = await designCaptain();
    emu.voices.delete(voiceId);
    const run = await runCli(['voices', 'delete', 'captain reed'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Removed "Captain Reed" .* it was not found at DashScope \(already gone\)\./);
    expect(run.stdout).not.toMatch(/deleted it at DashScope/);
    const again = await designCaptain();
    const deleted = await runCli(['voices', 'delete', again], env);
    expect(deleted.stdout).toMatch(/deleted it at DashScope\./);
    expect(emu.voices.has(again)).toBe(false);
  });

  it('show works offline from the registry and marks the remote part unknown', async () => {
    const voiceId = await designCaptain();
    const offline = { ...env, DASHSCOPE_BASE_URL: 'http://127.0.0.1:1' };
    const text = await runCli(['voices', 'show', 'captain reed'], offline);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Voice id\\s+${voiceId}`));
    expect(text.stdout).toMatch(/At DashScope\s+unknown: Could not reach DashScope\. Check DASHSCOPE_BASE_URL/);
    const json = JSON.parse((await runCli(['voices', 'show', 'captain reed', '--json'], offline)).stdout) as {
      voiceId: string;
      remote: { exists: unknown };
    };
    expect(json).toMatchObject({ voiceId, remote: { exists: null } });
  });
});

describe('failures name the setting to fix', () => {
  it('say with only DASHSCOPE_REALTIME_URL wrong names the realtime URL', async () => {
    await designCaptain();
    const run = await runCli(['say', '--voice', 'captain reed', '--out', join(dir, 'x.ogg'), 'Hello there.'], {
      ...env,
      DASHSCOPE_REALTIME_URL: 'ws://127.0.0.1:1/api-ws/v1/realtime',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Could not reach DashScope\. Check DASHSCOPE_REALTIME_URL and the network/);
    expect(run.stderr).not.toMatch(/DASHSCOPE_BASE_URL/);
  });

  it('an unreachable Redis store is one line: no "Error:", no stack, STORE_URL named, no password', async () => {
    const run = await runCli(['voices', 'list'], { ...env, STORE_URL: 'redis://:hunter2@127.0.0.1:1/0' });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(
        /^error: Could not connect to the Redis store at redis:\/\/\*\*\*@127\.0\.0\.1:1\/0: .*ECONNREFUSED.*URL\.$/,
      ),
    ]);
    expect(run.stderr).toContain('Check STORE_URL.');
    expect(run.stderr).not.toMatch(/Error:|hunter2/);
  });
});

describe('what the README promises around the CLI', () => {
  const ROOT = new URL('../..', import.meta.url).pathname;

  it(".gitignore covers every file the README's examples and npm run demo write", async () => {
    const { execFileSync, spawnSync } = await import('node:child_process');
    const { readFile } = await import('node:fs/promises');
    const texts = await Promise.all(['README.md', 'scripts/demo.ts'].map((f) => readFile(join(ROOT, f), 'utf8')));
    const written = [
      ...new Set(texts.flatMap((t) => [...t.matchAll(/--out['",\s]+([\w.-]+\.(?:wav|ogg))\b/g)].map((m) => m[1]!))),
    ];
    expect(written).toEqual(expect.arrayContaining(['captain.wav', 'demo.ogg', 'demo-preview.wav']));
    expect(
      execFileSync('git', ['check-ignore', '--no-index', ...written], { cwd: ROOT, encoding: 'utf8' })
        .trim()
        .split('\n'),
    ).toEqual(written);
    // Sources elsewhere are not hidden by the pattern.
    expect(spawnSync('git', ['check-ignore', '--no-index', 'test/fixtures/a.wav'], { cwd: ROOT }).status).toBe(1);
  });

  it.each([
    [['--port', '{port}'], {}],
    [[], { PORT: '{port}' }],
  ])('the emulator listens where %j / %j say, as the README shows', async (args, extra) => {
    const { spawn } = await import('node:child_process');
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('npm run emulator -- --port 9000');
    expect(readme).toContain('PORT=9000 npm run emulator');
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const fill = (s: string): string => s.replace('{port}', String(port));
    const child = spawn(process.execPath, [join(ROOT, 'test/emulators/dashscope/main.ts'), ...args.map(fill)], {
      env: { PATH: process.env.PATH ?? '', ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, fill(v)])) },
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('DASHSCOPE_REALTIME_URL=')) resolve();
      });
      child.on('exit', () => reject(new Error(`the emulator exited: ${out}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    expect(out).toContain(`DASHSCOPE_BASE_URL=http://127.0.0.1:${port}`);
  });
});
