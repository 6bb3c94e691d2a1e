import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHUTDOWN_BOUND_MS } from '../../src/lifecycle/shutdown.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../emulators/dashscope/server.ts';
import {
  type AddedGuild,
  type DiscordEmulator,
  type DiscordEmulatorOptions,
  type GuildSpec,
  Perm,
  startDiscordEmulator,
} from '../emulators/discord/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Both emulators and the real bot process (`npm start`) wired to them. */
export interface BotWorld {
  discord: DiscordEmulator;
  dashscope: DashScopeEmulator;
  /** Everything the bot printed (JSON log lines and anything else). */
  logs: string[];
  env: Record<string, string>;
  /** Stops the bot (SIGTERM to its process group, as a supervisor would) and waits until it has disconnected. */
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
export function runScript(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
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
export async function startWorld(
  guilds: GuildSpec[],
  extraEnv: Record<string, string> = {},
  discordOptions: DiscordEmulatorOptions = {},
): Promise<BotWorld & { guilds: AddedGuild[] }> {
  const discord = await startDiscordEmulator(discordOptions);
  const dashscope = await startDashScopeEmulator({
    realtime: { realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs: 0, handshakeDelayMs: 0 },
  });
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
    discord,
    dashscope,
    logs,
    env,
    guilds: added,
    async startBot() {
      const seen = logs.length;
      bot = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true });
      bot.stdout?.on('data', (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean)));
      bot.stderr?.on('data', (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean)));
      await discord.gateway.waitForBot(20_000);
      await waitForLog(logs, /"msg":"ready"/, 20_000, seen);
    },
    async stopBot() {
      const child = bot;
      if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const mark = logs.length;
      signalGroup(child.pid, 'SIGTERM');
      const code = await exited;
      // npm and its shell exit at once; the bot itself is done when it logs "stopped", which may take its
      // whole shutdown bound (a paid design in flight waits up to 10 s). Only past that bound is it killed.
      await waitForLog(logs, /"msg":"stopped"/, SHUTDOWN_BOUND_MS + STOP_MARGIN_MS, mark).catch(() =>
        signalGroup(child.pid!, 'SIGKILL'),
      );
      await eventually(() => !discord.gateway.connected(), 10_000, 'the bot to disconnect');
      return code;
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

/**
 * How much longer than the bot's own shutdown bound a stop may take before it is killed: enough for a loaded
 * machine, small enough that a stop stays within the e2e files' 30 s `afterAll`.
 */
const STOP_MARGIN_MS = 5_000;

/**
 * Signals the bot's process group: `npm start` runs the bot under `sh -c`, which does not pass a
 * SIGTERM on, so signalling npm alone would leave the bot running, orphaned.
 */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Resolves when a log line (from index `from` on) matches, or rejects after `timeoutMs` showing the last lines. */
export async function waitForLog(
  logs: readonly string[],
  pattern: RegExp,
  timeoutMs = 10_000,
  from = 0,
): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const line = logs.slice(from).find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > end) throw new Error(`no log line matched ${pattern}; last lines:\n${logs.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls `probe` until it returns a value other than undefined/false. */
export async function eventually<T>(
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
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

/**
 * Designs a voice called `name` as `userId` in `guild`'s general channel, keeps it, and returns its DashScope voice id.
 */
export async function designVoice(
  world: Pick<BotWorld, 'discord' | 'dashscope'>,
  guild: AddedGuild,
  name: string,
  userId = 'alice',
): Promise<string> {
  const where = { guildId: guild.id, channelId: guild.channels.general!, userId: guild.members[userId]! };
  const description = `The voice of ${name}, slow and warm.`;
  const designed = await world.discord
    .slashCommand({ ...where, name: 'voice', subcommand: 'design', options: { name, description } })
    .reply(15_000);
  await world.discord.clickButton({ ...where, messageId: designed.id, customId: buttonId(designed, 'Keep') }).reply();
  const voice = [...world.dashscope.voices.values()].find((v) => v.voicePrompt === description);
  if (!voice) throw new Error(`the emulator has no voice designed as ${name}`);
  return voice.voice;
}
