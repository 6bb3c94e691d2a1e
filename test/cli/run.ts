import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type DashScopeEmulator, startDashScopeEmulator } from '../emulators/dashscope/server.ts';

/** What one CLI run printed, and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Runs the real CLI in a child process, as a user's `npx voicebot …` does. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; stdin?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** What a CLI test works with: the file's DashScope emulator, and each test's own store folder and environment. */
export interface CliScene {
  emu: DashScopeEmulator;
  dir: string;
  env: Record<string, string>;
}

/**
 * Starts a DashScope emulator for the test file and, before each test, resets it and gives the test a fresh
 * store folder (named `prefix…`) and the environment pointing the CLI at both; everything is removed after.
 */
export function useCliScene(prefix: string): CliScene {
  const scene = { dir: '', env: {} } as CliScene;
  beforeAll(async () => {
    scene.emu = await startDashScopeEmulator({ realtime: { realTimeFactor: 0, chunkMs: 100 } });
  });
  afterAll(async () => {
    await scene.emu.close();
    if (scene.dir) await rm(scene.dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    scene.emu.reset();
    if (scene.dir) await rm(scene.dir, { recursive: true, force: true });
    scene.dir = await mkdtemp(join(tmpdir(), prefix));
    scene.env = {
      DASHSCOPE_API_KEY: scene.emu.apiKey,
      DASHSCOPE_BASE_URL: scene.emu.baseUrl,
      DASHSCOPE_REALTIME_URL: scene.emu.realtimeUrl,
      STORE_URL: `sqlite://${join(scene.dir, 'store.sqlite')}`,
    };
  });
  return scene;
}
