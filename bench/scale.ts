/**
 * Scale bench: `node bench/scale.ts`. N guilds each `/say` one long utterance at the same moment, through the real
 * bot (its own process, bench/scaleBot.ts) and both loopback servers — Discord in this process, every packet
 * stamped on arrival by its receiver thread, then decrypted and decoded by a listening member; DashScope in its own
 * process (bench/scaleDashScope.ts) at 1× and 2× real time — then a narrated-chat workload with pauses.
 * "late%" is what the listener stamped more than 40 ms late against the RTP clock; "bot late%" is what the bot's
 * voice threads sent more than 40 ms behind schedule (`voicebot_voice_frames_total`): the rest of the first is the
 * way to the listener (its own share of two busy cores included). "idle min%" is the machine's least idle second of
 * the run: near 0, every process waited for a core. "eco%": frames the voice threads encoded at reduced Opus
 * complexity, short of CPU (`OPUS_COMPLEXITY=auto`, the default; the bot takes OPUS_COMPLEXITY from this environment).
 * After the runs, the floor (bench/packetFloor.ts): what each frame needs besides the encode on this stack, measured on
 * the bot's thread, as a ratio to the audio stage — the least "×audio" can be.
 * Env: SCALE_N (default 1,10,25,50,100,150), SCALE_SPEEDS (1,2), SCALE_SECONDS (45), SCALE_CHAT_GUILDS (10),
 * SCALE_CHAT_MESSAGES (16), SCALE_CHAT_PAUSE_MAX_S (30); SCALE_CHAT_GUILDS=0 skips the chat part;
 * SCALE_PREWARM=1 opens every speaking guild's DashScope session before each run; SCALE_RESTART_BOT=1 starts a new
 * bot process for each run (the loopback servers stay);
 * SCALE_MAIN_BLOCK_MS (0) blocks the bot's main thread that long once a second while a run is measured.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PIECE_MAX_CHARS } from '../src/tts/engine.ts';
import { chunkText } from '../src/tts/sentences.ts';
import { expectedTone } from '../test/emulators/dashscope/audio.ts';
import { type AddedGuild, Perm, startDiscordEmulator } from '../test/emulators/discord/server.ts';
import { channelTo, firstMessage } from './ipc.ts';
import { LIMITS_LIFTED, percentile } from './sayWorld.ts';
import type { BotSample, FromBot, ToBot } from './scaleBot.ts';
import { chatWorkload, type Upstream } from './scaleChat.ts';
import type { FromDashScope, ToDashScope } from './scaleDashScope.ts';
import { Ear } from './scaleEar.ts';

const list = (key: string, fallback: string): number[] => (process.env[key] ?? fallback).split(',').map(Number);
const NS = list('SCALE_N', '1,10,25,50,100,150');
const SPEEDS = list('SCALE_SPEEDS', '1,2');
const SECONDS = Number(process.env.SCALE_SECONDS ?? 45);
const CHAT_GUILDS = Number(process.env.SCALE_CHAT_GUILDS ?? 10);
/** `SCALE_PREWARM=1`: each run starts with every speaking guild's session already open (no handshake in the burst). */
const PREWARM = process.env.SCALE_PREWARM === '1';
/** `SCALE_RESTART_BOT=1`: a new bot process for each run, on loopback servers the runs before have warmed. */
const RESTART_BOT = process.env.SCALE_RESTART_BOT === '1';
const PIECE = 'The tide turns slowly under the old harbour lights, and the gulls go quiet for the night. ';
const TEXT = PIECE.repeat(Math.ceil((SECONDS * 21.5) / PIECE.length))
  .slice(0, Math.round(SECONDS * 21.5))
  .trim();
/** The emulator's audio length for TEXT, ms, as the bot sends it a piece at a time. */
const EXPECTED_MS = chunkText(TEXT, PIECE_MAX_CHARS).reduce(
  (ms, piece) => ms + expectedTone(piece.trim(), 'x').durationMs,
  0,
);

/** The loopback servers' own event-loop delay: when it is high, arrival times say more about them than the bot. */
const listenerDelay = monitorEventLoopDelay({ resolution: 5 });
listenerDelay.enable();
const load = (): string => loadavg()[0]?.toFixed(1) ?? '?';

/** The machine's CPU time so far, ms: idle and all (every core). */
function cpuTimes(): { idle: number; all: number } {
  let idle = 0;
  let all = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    all += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, all };
}

/**
 * The machine's least idle second: sampled at most once a second, it keeps the lowest idle share of all cores seen.
 * @remarks Near 0 %, every process on the machine waited for a core in that second: the run was CPU-bound there.
 */
function leastIdle(): { sample(): void; readonly percent: number } {
  let last = { at: performance.now(), ...cpuTimes() };
  let least = Number.POSITIVE_INFINITY;
  return {
    sample() {
      const at = performance.now();
      if (at - last.at < 1_000) return;
      const now = { at, ...cpuTimes() };
      if (now.all > last.all) least = Math.min(least, (100 * (now.idle - last.idle)) / (now.all - last.all));
      last = now;
    },
    get percent() {
      return least;
    },
  };
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Node options for the child processes: this process's, without a CPU profiler meant for this one. */
const ownArgv = process.execArgv.filter((arg) => !arg.startsWith('--cpu-prof'));

/** The DashScope emulator in its own process. */
async function startUpstream(): Promise<
  Upstream & { env: Record<string, string>; deltaMs: number; stop(): Promise<void> }
> {
  const child = fork(new URL('./scaleDashScope.ts', import.meta.url), [], { stdio: 'inherit', execArgv: ownArgv });
  const ready = await firstMessage<FromDashScope>(child);
  if (ready.kind !== 'ready') throw new Error('the DashScope emulator did not start');
  const ask = channelTo<ToDashScope, FromDashScope>(child);
  return {
    env: {
      DASHSCOPE_API_KEY: ready.apiKey,
      DASHSCOPE_BASE_URL: ready.baseUrl,
      DASHSCOPE_REALTIME_URL: ready.realtimeUrl,
    },
    deltaMs: ready.deltaMs,
    setSpeed: async (realTimeFactor) => void (await ask({ kind: 'speed', realTimeFactor })),
    sessions: async () => {
      const reply = await ask({ kind: 'sessions' });
      return reply.kind === 'sessions' ? reply.opened : Number.NaN;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ kind: 'stop' } satisfies ToDashScope);
      await Promise.race([exited, sleep(5_000)]);
      child.kill();
    },
  };
}

const discord = await startDiscordEmulator();
const dashscope = await startUpstream();
const guildCount = Math.max(...NS) + CHAT_GUILDS; // the chat has guilds of its own, with no warm session
const guilds: AddedGuild[] = [];
for (let i = 0; i < guildCount; i++)
  guilds.push(
    discord.addGuild({
      name: `Scale ${i}`,
      channels: [
        { type: 'text', name: 'general' },
        { type: 'voice', name: 'Lounge' },
      ],
      roles: [{ name: 'Admin', permissions: Perm.ManageGuild }],
      members: [{ username: 'alice' }, { username: 'ada', roles: ['Admin'] }],
      voiceStates: [{ userId: 'alice', channelId: 'Lounge' }],
    }),
  );
const env = {
  ...process.env,
  DISCORD_TOKEN: discord.token,
  DISCORD_REST_URL: discord.restUrl,
  ...dashscope.env,
  STORE_URL: 'memory://',
  NODE_EXTRA_CA_CERTS: discord.certPath,
  ...LIMITS_LIFTED,
  BUDGET_MEMBER_CHARS_PER_DAY: '1000000000',
  BUDGET_SERVER_CHARS_PER_MONTH: '1000000000',
  BUDGET_ACCOUNT_USD_PER_DAY: '100000',
};
const alice = (g: AddedGuild) => ({ guildId: g.id, channelId: g.channels.general as string, userId: g.members.alice });
// One shard sends at most 120 gateway payloads a minute; past that a join's op 4 waits, and the bot gives a join
// 20 s. So the set-up asks for at most 100 joins a minute, as an operator restarting a big bot would see them.
const JOINS_PER_MINUTE = 100;

/** The bot process, driven over IPC. */
interface BotProcess {
  child: ChildProcess;
  ask(message: ToBot): Promise<FromBot>;
}

/** Starts the bot, designs each guild's voice and joins every guild's voice channel. */
async function startBotProcess(): Promise<BotProcess> {
  const child = fork(new URL('./scaleBot.ts', import.meta.url), [], {
    env,
    stdio: 'inherit',
    execArgv: [...ownArgv, ...(process.env.SCALE_BOT_NODE_OPTIONS ?? '').split(' ').filter(Boolean)],
  });
  const started = firstMessage<FromBot>(child);
  const ask = channelTo<ToBot, FromBot>(child);
  await started;
  await discord.gateway.waitForBot(30_000);
  await ask({ kind: 'setup', guilds: guilds.map((g) => ({ guildId: g.id, memberId: g.members.alice as string })) });
  const joinedAt: number[] = [];
  for (let i = 0; i < guilds.length; i += 10) {
    const batch = guilds.slice(i, i + 10);
    const recent = joinedAt.filter((t) => performance.now() - t < 60_000);
    if (recent.length + batch.length > JOINS_PER_MINUTE)
      await sleep(60_000 - (performance.now() - (recent[recent.length + batch.length - JOINS_PER_MINUTE - 1] ?? 0)));
    joinedAt.push(...batch.map(() => performance.now()));
    await Promise.all(
      batch.map((g) =>
        discord.slashCommand({ ...alice(g), userId: g.members.alice as string, name: 'join' }).reply(90_000),
      ),
    );
    await Promise.all(batch.map((g) => discord.waitForVoice(g.id, (v) => v.connected, 90_000)));
  }
  return { child, ask };
}

/** Stops the bot gracefully (it leaves voice and closes its sessions), or kills it after 15 s. */
async function stopBotProcess({ child }: BotProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ kind: 'stop' } satisfies ToBot);
  await Promise.race([exited, sleep(15_000)]);
  child.kill();
}

let bot = await startBotProcess();
console.log(
  `scale bench: ${SECONDS} s utterances (${(EXPECTED_MS / 1000).toFixed(1)} s of audio), guilds up to ${guildCount}` +
    (process.env.SCALE_MAIN_BLOCK_MS
      ? `; the bot's main thread blocked ${process.env.SCALE_MAIN_BLOCK_MS} ms a second`
      : '') +
    `; OPUS_COMPLEXITY=${process.env.OPUS_COMPLEXITY ?? 'auto'}`,
);
console.log(
  'speed   N  late%  bot late%  worst ms  gaps  failed  TTFA p50/p95 ms  CPU/stream µs  ×audio  main µs' +
    '  ELD max ms  voice ELD ≤ms (s>40)  RSS/guild MB  sess/utt  ears ELD  cores bot/servers  idle min%  eco%  load',
);

/** Asks the bot to open a session for each of the first `n` guilds' voices; resolves once the emulator saw them. */
async function prewarm(n: number): Promise<void> {
  const before = await dashscope.sessions();
  await bot.ask({ kind: 'prewarm', guilds: n });
  const deadline = performance.now() + 30_000;
  while ((await dashscope.sessions()) - before < n && performance.now() < deadline) await sleep(200);
  await sleep(1_000); // session.update answered
}

/** One run: N guilds say TEXT at once; resolves when every guild has been quiet for a while. */
async function run(n: number, speed: number): Promise<void> {
  await dashscope.setSpeed(1 / speed);
  const active = guilds.slice(0, n);
  for (const g of active) discord.clearAudio(g.id);
  if (PREWARM) await prewarm(n);
  const marked = await bot.ask({ kind: 'mark' });
  const stageUs = marked.kind === 'marked' ? marked.audioStageUsPerFrame : Number.NaN;
  const loadBefore = load();
  const sessionsBefore = await dashscope.sessions();
  listenerDelay.reset();
  const benchCpu = process.cpuUsage();
  const ears = active.map((g) => {
    const say = discord.slashCommand({
      ...alice(g),
      userId: g.members.alice as string,
      name: 'say',
      options: { text: TEXT },
    });
    return new Ear(say.dispatchedAt);
  });
  const deadline = performance.now() + 60_000 + (EXPECTED_MS / speed) * 2;
  const idle = leastIdle();
  for (;;) {
    await sleep(100);
    idle.sample();
    const lookedAt = performance.now();
    // This loop also decodes every packet: when it falls behind, packets the UDP thread stamped long ago still wait
    // for it, and a look at the records alone would take that backlog for silence and end the run early.
    await discord.voiceCaughtUp();
    for (const [i, g] of active.entries()) {
      const voice = discord.voice(g.id);
      ears[i]?.take(voice.packets.splice(0));
      for (const listener of voice.listeners) listener.packets.length = 0; // the same packets, kept per member
    }
    const quiet = ears.every((e) => e.lastPacketAt !== undefined && lookedAt - e.lastPacketAt > 1_500);
    if (quiet || lookedAt > deadline) break;
  }
  const sample = (await bot.ask({ kind: 'sample' })) as { kind: 'sample' } & BotSample;
  const { user, system } = process.cpuUsage(benchCpu);
  const cores = {
    bot: sample.cpuUs / (sample.wallMs * 1000),
    servers: (user + system) / (sample.wallMs * 1000),
    leastIdlePercent: idle.percent,
  };
  report(n, speed, ears, sample, stageUs, (await dashscope.sessions()) - sessionsBefore, loadBefore, cores);
}

function report(
  n: number,
  speed: number,
  ears: Ear[],
  s: BotSample,
  stageUs: number,
  sessions: number,
  l0: string,
  cores: { bot: number; servers: number; leastIdlePercent: number },
) {
  const frames = ears.reduce((sum, e) => sum + e.audioFrames, 0);
  const lateness = ears.map((e) => e.lateness());
  const late = lateness.reduce((sum, l) => sum + l.late, 0);
  const worst = Math.max(...lateness.map((l) => l.worstMs));
  const gaps = ears.reduce((sum, e) => sum + e.gaps, 0);
  const failed = ears.filter((e) => e.audioFrames * 20 < EXPECTED_MS * 0.9).length;
  const ttfa = ears.filter((e) => e.firstAudioAt !== undefined).map((e) => (e.firstAudioAt as number) - e.askedAt);
  const streamFrames = frames; // every audio frame was one stream's 20 ms
  const cpuPerFrame = s.cpuUs / Math.max(1, streamFrames);
  const cols = [
    `${speed}×`.padStart(5),
    String(n).padStart(3),
    ((100 * late) / Math.max(1, frames)).toFixed(2).padStart(6),
    // '–': no voice thread reported frames, as in code from before the frame timing
    (s.voiceFrames.sent > 0 ? ((100 * s.voiceFrames.late) / s.voiceFrames.sent).toFixed(2) : '–').padStart(10),
    worst.toFixed(0).padStart(9),
    String(gaps).padStart(5),
    String(failed).padStart(7),
    `${percentile(ttfa, 50).toFixed(0)}/${percentile(ttfa, 95).toFixed(0)}`.padStart(16),
    cpuPerFrame.toFixed(0).padStart(14),
    (cpuPerFrame / stageUs).toFixed(2).padStart(7),
    (s.mainCpuUs / Math.max(1, streamFrames)).toFixed(0).padStart(8),
    s.eventLoopDelayMaxMs.toFixed(0).padStart(11),
    // NaN (null over IPC): no voice thread reported, as in code from before the voice threads
    (Number.isFinite(s.voiceLoopDelay.atMostMs)
      ? `${s.voiceLoopDelay.atMostMs.toFixed(0)} (${s.voiceLoopDelay.secondsOver40})`
      : '–'
    ).padStart(21),
    ((s.rssMaxBytes - s.rssBaseBytes) / n / 1e6).toFixed(2).padStart(13),
    (sessions / n).toFixed(2).padStart(9),
    (listenerDelay.max / 1e6).toFixed(0).padStart(8),
    `${cores.bot.toFixed(2)}/${cores.servers.toFixed(2)}`.padStart(10),
    (Number.isFinite(cores.leastIdlePercent) ? cores.leastIdlePercent.toFixed(0) : '–').padStart(9),
    (s.voiceFrames.sent > 0 ? ((100 * s.voiceFrames.economy) / s.voiceFrames.sent).toFixed(0) : '–').padStart(5),
    `${l0}→${load()}`.padStart(10),
  ];
  if (process.env.SCALE_DEBUG) {
    const bySecond: number[] = [];
    for (const e of ears) for (const [s, n] of e.lateBySecond().entries()) bySecond[s] = (bySecond[s] ?? 0) + (n ?? 0);
    console.log('late frames by second:', Array.from(bySecond, (n) => n ?? 0).join(' '));
  }
  console.log(cols.join(' '));
}

/** What every frame needs besides the encode, measured on the bot's thread: the least its CPU per stream can be. */
async function reportFloor(): Promise<void> {
  const reply = await bot.ask({ kind: 'floor', deltaMs: dashscope.deltaMs });
  if (reply.kind !== 'floor') throw new Error('the bot did not measure the floor');
  const { stage, stage48k, receive, dave, transport, send } = reply;
  const floor = stage + receive + dave + transport + send;
  const f1 = (us: number): string => us.toFixed(1);
  console.log(
    `floor per stream per 20 ms, each part alone on the bot's main thread (µs): Opus ${f1(stage)} (the audio ` +
      `stage) + DashScope's audio received ${f1(receive)} + DAVE ${f1(dave)} + transport AES-GCM ${f1(transport)} + ` +
      `UDP send ${f1(send)} = ${f1(floor)} → ${(floor / stage).toFixed(2)}× the audio stage`,
  );
  console.log(
    `Opus at 48 kHz over the same audio resampled in advance (what the encoder took until it took 24 kHz): ` +
      `${f1(stage48k)} µs, ${(stage48k / stage).toFixed(2)}× the audio stage`,
  );
}

let runs = 0;
for (const speed of SPEEDS)
  for (const n of NS) {
    if (RESTART_BOT && runs++ > 0) {
      await stopBotProcess(bot);
      bot = await startBotProcess();
    }
    await run(n, speed);
  }
await reportFloor();
if (CHAT_GUILDS > 0) await chatWorkload({ discord, dashscope, guilds: guilds.slice(guildCount - CHAT_GUILDS), load });
await stopBotProcess(bot);
await discord.close();
await dashscope.stop();
process.exit(0);
