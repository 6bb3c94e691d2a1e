import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDashScopeEmulator, type DashScopeEmulator } from '../emulators/dashscope/server.ts';
import { Perm, startDiscordEmulator, type AddedGuild, type DiscordEmulator, type GuildSpec } from '../emulators/discord/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Both emulators and the real bot process (`npm start`) wired to them. */
export interface BotWorld {
  discord: DiscordEmulator;
  dashscope: DashScopeEmulator;
  /** Everything the bot printed (JSON log lines and anything else). */
  logs: string[];
  env: Record<string, string>;
  /** Stops the bot (SIGTERM, as a supervisor would) and waits for it to exit. */
  stopBot(): Promise<number | null>;
  /** Starts the bot again on the same store (for restart tests). */
  startBot(): Promise<void>;
  close(): Promise<void>;
}

/** A server with a text channel, a voice channel, an admin and two members, alice in the voice channel. */
export function standardGuild(name = 'Harbour', over: Partial<GuildSpec> = {}): GuildSpec {
  return {
    name,
    channels: [
      { type: 'text', name: 'general' },
      { type: 'voice', name: 'Lounge' },
    ],
    roles: [{ name: 'Admin', permissions: Perm.ManageGuild }],
    members: [{ username: 'alice' }, { username: 'bob' }, { username: 'ada', roles: ['Admin'] }],
    voiceStates: [{ userId: 'alice', channelId: 'Lounge' }],
    ...over,
  };
}

/** Runs a CLI-like script of the project (`npm run <script>`) against the world's environment. */
export function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { cwd: ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * Starts both emulators, registers the commands with `npm run deploy`, and launches the bot with
 * `npm start`, trusting the loopback voice gateway's certificate through NODE_EXTRA_CA_CERTS.
 */
export async function startWorld(guilds: GuildSpec[], extraEnv: Record<string, string> = {}): Promise<BotWorld & { guilds: AddedGuild[] }> {
  const discord = await startDiscordEmulator();
  const dashscope = await startDashScopeEmulator({ realtime: { realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs: 0, handshakeDelayMs: 0 } });
  const added = guilds.map((g) => discord.addGuild(g));
  const dir = await mkdtemp(join(tmpdir(), 'voicebot-e2e-'));
  const env: Record<string, string> = {
    DISCORD_TOKEN: discord.token,
    DISCORD_REST_URL: discord.restUrl,
    DASHSCOPE_API_KEY: dashscope.apiKey,
    DASHSCOPE_BASE_URL: dashscope.baseUrl,
    DASHSCOPE_REALTIME_URL: dashscope.realtimeUrl,
    STORE_URL: `sqlite://${join(dir, 'bot.sqlite')}`,
    NODE_EXTRA_CA_CERTS: discord.certPath,
    DESIGN_COOLDOWN_SECONDS: '0',
    LOG_LEVEL: 'debug',
    ...extraEnv,
  };
  const deployed = await runScript('deploy', env);
  if (deployed.code !== 0) throw new Error(`npm run deploy failed: ${deployed.output}`);
  const logs: string[] = [];
  let bot: ChildProcess | undefined;
  const world: BotWorld & { guilds: AddedGuild[] } = {
    discord, dashscope, logs, env, guilds: added,
    async startBot() {
      bot = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, ...env } });
      bot.stdout?.on('data', (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean)));
      bot.stderr?.on('data', (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean)));
      await discord.gateway.waitForBot(20_000);
      await waitForLog(logs, /"msg":"ready"/, 20_000);
    },
    async stopBot() {
      const child = bot;
      if (!child || child.exitCode !== null) return child?.exitCode ?? null;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
    async close() {
      await world.stopBot();
      await discord.close();
      await dashscope.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await world.startBot();
  return world;
}

/** Resolves when a log line matches, or rejects after `timeoutMs` showing the last lines. */
export async function waitForLog(logs: readonly string[], pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const line = logs.find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > end) throw new Error(`no log line matched ${pattern}; last lines:\n${logs.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls `probe` until it returns a value other than undefined/false. */
export async function eventually<T>(probe: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The custom id of the button labelled `label` on a message the bot sent. */
export function buttonId(message: { components: unknown[] }, label: string): string {
  const rows = message.components as { components?: { label?: string; custom_id?: string }[] }[];
  const button = rows.flatMap((row) => row.components ?? []).find((b) => b.label === label);
  if (!button?.custom_id) throw new Error(`no button labelled ${label} in ${JSON.stringify(message.components)}`);
  return button.custom_id;
}
