import { readdirSync, readFileSync } from 'node:fs';
import type { DiscordGatewayAdapterCreator, DiscordGatewayAdapterLibraryMethods } from '@discordjs/voice';
import { afterEach, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { VOICE_THREAD_NICE, type VoiceTiming } from '../../src/playback/voiceThreadProtocol.ts';
import { VoiceThreads } from '../../src/playback/voiceThreads.ts';

/**
 * The gateway relay between the main thread and a real voice thread (real worker, real @discordjs/voice), with a
 * stand-in for discord.js's adapter. Speech through voice threads is tested end to end against the loopback Discord
 * (test/e2e: /say, /skip, a failing source, moving channels, DAVE transitions, close codes, shutdown).
 */
interface FakeGuild {
  adapterCreator: DiscordGatewayAdapterCreator;
  sent: unknown[];
  destroyed: number;
  methods: DiscordGatewayAdapterLibraryMethods | undefined;
}

/** discord.js's side of one guild's adapter: records what the connection sends; `shardReady` false refuses it. */
function fakeGuild(shardReady = true): FakeGuild {
  const guild: FakeGuild = {
    sent: [],
    destroyed: 0,
    methods: undefined,
    adapterCreator: (methods) => {
      guild.methods = methods;
      return {
        sendPayload: (payload) => {
          guild.sent.push(payload);
          return shardReady;
        },
        destroy: () => {
          guild.destroyed += 1;
        },
      };
    },
  };
  return guild;
}

const silent = createLogger('error', { write: () => true } as unknown as NodeJS.WritableStream);
let threads: VoiceThreads | undefined;
afterEach(async () => {
  await threads?.close();
  threads = undefined;
});

const until = async (probe: () => boolean): Promise<void> => {
  const end = Date.now() + 20_000; // bounds a hang only
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

it('refuses a guild the bot is not in, without starting a thread', async () => {
  threads = new VoiceThreads({ adapterFor: () => undefined, log: silent });
  await expect(threads.joinVoice('g1', 'c1', () => {})).rejects.toMatchObject({ reason: 'not_found' });
  expect(threads.threads).toBe(0);
});

it("relays the thread's join payload to the guild's shard, and gives the join up when the bot stops", async () => {
  const guild = fakeGuild();
  threads = new VoiceThreads({ adapterFor: () => guild.adapterCreator, log: silent, threads: 1 });
  const joined = threads.joinVoice('g1', 'c1', () => {});
  await until(() => guild.sent.length > 0);
  expect(guild.sent[0]).toMatchObject({
    op: 4,
    d: { guild_id: 'g1', channel_id: 'c1', self_deaf: true, self_mute: false },
  });
  expect(threads.connections).toBe(1);
  const givenUp = expect(joined).rejects.toBeInstanceOf(UserError);
  await threads.close();
  await givenUp;
  expect(threads.connections).toBe(0);
  expect(guild.destroyed).toBe(1);
  await expect(threads.joinVoice('g1', 'c1', () => {})).rejects.toMatchObject({ reason: 'conflict' });
});

it('gives a join up at once when the shard refuses its payload (not ready), not after the join timeout', async () => {
  const guild = fakeGuild(false);
  threads = new VoiceThreads({ adapterFor: () => guild.adapterCreator, log: silent, threads: 1 });
  await expect(threads.joinVoice('g1', 'c1', () => {})).rejects.toThrow(/Could not connect to the voice channel/);
  expect(guild.sent[0]).toMatchObject({ op: 4, d: { channel_id: 'c1' } });
  await until(() => guild.destroyed === 1);
  expect(threads.connections).toBe(0);
}, 10_000); // half the 20 s join timeout that waiting for it would take

it('ends a join when discord.js drops the adapter (its shard disconnected)', async () => {
  const guild = fakeGuild();
  threads = new VoiceThreads({ adapterFor: () => guild.adapterCreator, log: silent, threads: 1 });
  const joined = threads.joinVoice('g1', 'c1', () => {});
  await until(() => guild.sent.length > 0);
  guild.methods?.destroy();
  await expect(joined).rejects.toThrow(/Could not connect to the voice channel/);
  expect(guild.sent).toHaveLength(1); // destroyed without a leave payload: the shard is gone
  expect(threads.connections).toBe(0);
});

it('spreads guilds over its threads, the fewest connections first', async () => {
  const guilds = [fakeGuild(), fakeGuild(), fakeGuild()];
  threads = new VoiceThreads({ adapterFor: (id) => guilds[Number(id)]?.adapterCreator, log: silent, threads: 2 });
  const joins = guilds.map((_, i) => threads?.joinVoice(String(i), 'c1', () => {}).catch(() => undefined));
  await until(() => guilds.every((g) => g.sent.length > 0));
  expect(threads.threads).toBe(2);
  await threads.close();
  await Promise.all(joins);
});

it("reports each thread's timing once a second: its longest event-loop delay, no frames while silent", async () => {
  const guild = fakeGuild();
  const timings: VoiceTiming[] = [];
  threads = new VoiceThreads({
    adapterFor: () => guild.adapterCreator,
    log: silent,
    threads: 1,
    onTiming: (timing) => timings.push(timing),
  });
  const joined = threads.joinVoice('g1', 'c1', () => {}).catch(() => undefined);
  await until(() => timings.length >= 2);
  for (const timing of timings) {
    expect(Number.isFinite(timing.loopDelayMaxMs) && timing.loopDelayMaxMs >= 0).toBe(true);
    expect(timing).toMatchObject({ frames: 0, lateFrames: 0 });
  }
  await threads.close();
  await joined;
});

/** The nice value of each thread of this process (Linux keeps one per thread), by thread id. */
function niceByThread(): Map<string, number> {
  const nice = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      nice.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])); // field 19: nice
    } catch {
      // the thread ended meanwhile
    }
  }
  return nice;
}

it('asks for a raised priority for its voice threads alone, and says whether the system granted it', async () => {
  const lines: string[] = [];
  const log = createLogger('info', {
    write: (line: string) => lines.push(line) > 0,
  } as unknown as NodeJS.WritableStream);
  threads = new VoiceThreads({ adapterFor: () => fakeGuild().adapterCreator, log, threads: 1 });
  const joined = threads.joinVoice('g1', 'c1', () => {}).catch(() => undefined);
  await until(() => lines.some((line) => line.includes('voice thread runs at')));
  const said = JSON.parse(lines.find((line) => line.includes('voice thread runs at')) as string) as {
    msg: string;
    nice: number;
    code?: string;
  };
  const nice = niceByThread();
  expect(nice.get(String(process.pid))).toBe(0); // the main thread keeps its priority
  if (said.msg.includes('raised')) {
    expect(said.nice).toBe(VOICE_THREAD_NICE);
    expect([...nice.values()].filter((n) => n === VOICE_THREAD_NICE)).toHaveLength(1);
  } else {
    // Without CAP_SYS_NICE: refused, and no thread of the process runs raised.
    expect(['EACCES', 'EPERM']).toContain(said.code);
    expect([...nice.values()].every((n) => n >= 0)).toBe(true);
  }
  await threads.close();
  await joined;
});
