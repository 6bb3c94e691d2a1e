#!/usr/bin/env node
/**
 * Narration pre-warmed on typing: from a chat message to the first audible frame at the listener, with the
 * member's voice session opened when they started typing (TYPING_START) and without (a cold session, paying the
 * handshake), against the loopback DashScope with a 120 ms WebSocket handshake. Target: the pre-warmed p50 within
 * 30 ms of DashScope's own first-packet time. Both run in this process on the same world.
 * @remarks Each run is a different member with a different speed, so no run finds a session another left warm,
 * and the one-pre-warm-per-member-per-10-s bound never holds a run back.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { measureSay, percentile, type SayWorld, startSayWorld } from './sayWorld.ts';

const RUNS = Number(process.env.RUNS ?? 30);
const HANDSHAKE_MS = 120;
const FIRST_PACKET_MS = Number(process.env.FIRST_PACKET_MS ?? 300);
const TEXT = 'Ahoy, the tide is turning.';

type Mode = 'cold' | 'pre-warmed';
const memberName = (mode: Mode, i: number): string => `${mode === 'cold' ? 'c' : 'p'}${i}`;

/** One run: ms from posting the message to its text reaching DashScope, and to the first audible frame. */
interface Sample {
  textMs: number;
  audibleMs: number;
}

/** One message; pre-warmed: the member typed first. */
async function measure(world: SayWorld, mode: Mode, i: number): Promise<Sample> {
  const { discord, dashscope, guild } = world;
  const where = { guildId: guild.id, channelId: guild.channels.general! };
  const userId = guild.members[memberName(mode, i)]!;
  discord.clearAudio(guild.id);
  if (mode === 'pre-warmed') {
    const mark = dashscope.requests.length;
    discord.typing({ ...where, userId });
    while (!dashscope.requests.slice(mark).some((r) => r.action === 'session.update')) await delay(2);
    await delay(30); // a member types for seconds; this only lets `session.updated` reach the bot
  }
  const mark = dashscope.requests.length;
  const [postedAt, postedAtWall] = [performance.now(), Date.now()];
  discord.sendMessage({ ...where, authorId: userId, content: TEXT });
  const audio = await discord.waitForAudio(guild.id, { timeoutMs: 15_000 });
  await discord.waitForAudio(guild.id, { untilIdle: true, timeoutMs: 15_000 });
  // The emulator stamps requests with Date.now(): whole milliseconds.
  const text = dashscope.requests.slice(mark).find((r) => r.action === 'input_text_buffer.append');
  return { textMs: (text?.at ?? Number.NaN) - postedAtWall, audibleMs: audio.firstAt! - postedAt };
}

const members = ['cold', 'pre-warmed'].flatMap((mode) =>
  Array.from({ length: RUNS }, (_, i) => memberName(mode as Mode, i)),
);
const world = await startSayWorld({ firstPacketDelayMs: FIRST_PACKET_MS, handshakeDelayMs: HANDSHAKE_MS, members });
try {
  const { bot, guild } = world;
  const { app } = bot;
  await measureSay(world); // joins the voice channel
  await app.narration.settings.bind(guild.id, guild.channels.general!, guild.channels.Lounge!);
  await app.narration.settings.update(guild.id, { readNames: false, requireVoice: false });
  const voiceId = (await app.registry.list(guild.id))[0]!.voiceId;
  for (const [n, name] of members.entries()) {
    // A speed of its own per member: a session key no other run shares.
    await app.preferences.setMemberVoice(guild.id, guild.members[name]!, voiceId, 0.5 + n / 100);
  }
  const samples: Record<Mode, Sample[]> = { cold: [], 'pre-warmed': [] };
  for (let i = 0; i < RUNS; i++) {
    for (const mode of ['cold', 'pre-warmed'] as const) samples[mode].push(await measure(world, mode, i));
  }
  const p50 = (mode: Mode, key: keyof Sample): number =>
    percentile(
      samples[mode].map((x) => x[key]),
      50,
    );
  const p95 = (mode: Mode, key: keyof Sample): number =>
    percentile(
      samples[mode].map((x) => x[key]),
      95,
    );
  console.log(
    `Chat message → first audible frame at the listener, ${RUNS} runs each (ms); ` +
      `handshake ${HANDSHAKE_MS} ms, DashScope first packet ${FIRST_PACKET_MS} ms`,
  );
  for (const mode of ['cold', 'pre-warmed'] as const) {
    console.log(
      `  ${mode.padEnd(11)} audible p50 ${p50(mode, 'audibleMs').toFixed(1)}` +
        `  p95 ${p95(mode, 'audibleMs').toFixed(1)}` +
        `  beyond first packet ${(p50(mode, 'audibleMs') - FIRST_PACKET_MS).toFixed(1)}` +
        `  · text at DashScope p50 ${p50(mode, 'textMs').toFixed(0)}  p95 ${p95(mode, 'textMs').toFixed(0)}`,
    );
  }
  const beyond = p50('pre-warmed', 'audibleMs') - FIRST_PACKET_MS;
  console.log(`  pre-warmed audible p50 beyond DashScope's first packet: ${beyond.toFixed(1)} ms (target ≤ 30)`);
  console.log(`  of which before DashScope has the text: ${p50('pre-warmed', 'textMs').toFixed(0)} ms`);
  console.log(
    `  pre-warmed/cold audible p50 ratio ${(p50('pre-warmed', 'audibleMs') / p50('cold', 'audibleMs')).toFixed(3)}`,
  );
  const stats = world.dashscope.ctx.stats;
  console.log(`  realtime sessions opened at the emulator: ${stats.realtimeSessions} (${2 * RUNS} runs + warm-up)`);
} finally {
  await world.stop();
}
process.exit(0);
