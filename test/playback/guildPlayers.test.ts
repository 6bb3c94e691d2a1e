import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { toOpusPackets } from '../../src/audio/pipeline.ts';
import { createLogger } from '../../src/log.ts';
import { GuildPlayers } from '../../src/playback/guildPlayers.ts';
import { createTtsEngine } from '../../src/tts/engines.ts';
import { RecordingSink } from './recordingSink.ts';

const quiet = createLogger('error', new Writable({ write: (_c, _e, done) => done() }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function players(stay: boolean | undefined, sinks: RecordingSink[]) {
  return new GuildPlayers({
    joinVoice: async (_guildId, channelId) => {
      const sink = new RecordingSink(channelId);
      sinks.push(sink);
      return sink;
    },
    engine: createTtsEngine({ apiKey: 'unused', baseUrl: 'http://127.0.0.1:9', realtimeUrl: 'ws://127.0.0.1:9' }),
    encode: toOpusPackets,
    maxQueue: 5,
    idleLeaveMs: 80,
    log: quiet,
    onError: () => {},
    ...(stay === undefined ? {} : { stayWhenIdle: async () => stay }),
  });
}

describe('GuildPlayers', () => {
  it('leaves after the idle time', async () => {
    const sinks: RecordingSink[] = [];
    const all = players(undefined, sinks);
    await all.join('g1', 'v1');
    await sleep(200);
    expect(all.get('g1')).toBeUndefined();
    expect(sinks[0]!.destroyed).toBe(true);
  });

  it('stays when its owner asks it to (a narrated chat is bound to the channel)', async () => {
    const sinks: RecordingSink[] = [];
    const all = players(true, sinks);
    await all.join('g1', 'v1');
    await sleep(250); // three idle periods
    expect(all.get('g1')?.sink.channelId).toBe('v1');
    expect(sinks[0]!.destroyed).toBe(false);
    all.leaveAll();
  });

  it('joins once for concurrent requests and moves between channels', async () => {
    const sinks: RecordingSink[] = [];
    const all = players(true, sinks);
    const [a, b] = await Promise.all([all.join('g1', 'v1'), all.join('g1', 'v1')]);
    expect(a).toBe(b);
    expect(sinks).toHaveLength(1);
    await all.join('g1', 'v2');
    expect(sinks[0]!.destroyed).toBe(true);
    expect(all.get('g1')?.sink.channelId).toBe('v2');
    all.leaveAll();
  });
});
