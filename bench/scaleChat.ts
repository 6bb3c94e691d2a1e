/**
 * The narrated-chat part of `bench/scale.ts`: in each guild a member chats with pauses of 0 to
 * SCALE_CHAT_PAUSE_MAX_S seconds while the bot reads every message; prints realtime sessions opened per utterance.
 */
import type { AddedGuild, DiscordEmulator } from '../test/emulators/discord/server.ts';

const MESSAGES = Number(process.env.SCALE_CHAT_MESSAGES ?? 16);
const PAUSE_MAX_S = Number(process.env.SCALE_CHAT_PAUSE_MAX_S ?? 30);
const LINES = [
  'Anyone up for the harbour walk tonight?',
  'I brought the lantern, it still works.',
  'The fog is rolling in again.',
  'Did you hear the bell from the lighthouse?',
  'Tea is ready in the galley.',
];

/** Deterministic pauses (a small LCG), so runs compare. */
function pauses(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state / 2 ** 31) * PAUSE_MAX_S * 1000;
  };
}

/** The DashScope emulator, wherever it runs. */
export interface Upstream {
  /** Sets the emulator's realtime pacing: audio time per wall time is 1 / `realTimeFactor`. */
  setSpeed(realTimeFactor: number): Promise<void>;
  /** Realtime sessions opened since the emulator started. */
  sessions(): Promise<number>;
}

export interface ChatWorld {
  discord: DiscordEmulator;
  dashscope: Upstream;
  guilds: AddedGuild[];
  load(): string;
}

/** Runs the chat in every guild at once and prints sessions opened per utterance. */
export async function chatWorkload({ discord, dashscope, guilds, load }: ChatWorld): Promise<void> {
  await dashscope.setSpeed(0.5);
  const where = (g: AddedGuild) => ({ guildId: g.id, channelId: g.channels.general as string });
  const replies = new Set<string>();
  for (const g of guilds) {
    // The bot joined these guilds at the start; an overloaded run before may have cost it a connection since.
    await discord.slashCommand({ ...where(g), userId: g.members.alice as string, name: 'join' }).reply(30_000);
    await discord.waitForVoice(g.id, (v) => v.connected, 30_000);
    const command = { ...where(g), userId: g.members.ada as string, name: 'narrate', subcommand: 'start' };
    const reply = (await discord.slashCommand(command).reply(30_000)).content ?? '(no text)';
    replies.add(reply.replace(/<#\d+>/g, '#channel').split('\n')[0] as string);
  }
  console.log(`narrated chat: /narrate start answered ${[...replies].map((r) => JSON.stringify(r)).join(', ')}`);
  const before = await dashscope.sessions();
  const l0 = load();
  const started = performance.now();
  await Promise.all(
    guilds.map(async (g, i) => {
      const pause = pauses(i + 1);
      for (let m = 0; m < MESSAGES; m++) {
        const content = LINES[(i + m) % LINES.length] as string;
        discord.sendMessage({ ...where(g), authorId: g.members.alice as string, content });
        await new Promise((r) => setTimeout(r, pause()));
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 5_000));
  const opened = (await dashscope.sessions()) - before;
  const heardMs = guilds.map((g) => discord.audio(g.id).durationMs);
  const heardS = heardMs.reduce((sum, ms) => sum + ms, 0) / 1000;
  const silent = heardMs.filter((ms) => ms === 0).length;
  const utterances = guilds.length * MESSAGES;
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  console.log(
    `narrated chat: ${guilds.length} guilds × ${MESSAGES} messages, pauses 0–${PAUSE_MAX_S} s, ${minutes} min: ` +
      `${opened} sessions for ${utterances} utterances = ${(opened / utterances).toFixed(2)} per utterance, ` +
      `${heardS.toFixed(0)} s of speech heard${silent > 0 ? ` (none in ${silent} guilds)` : ''} ` +
      `(load ${l0}→${load()})`,
  );
}
