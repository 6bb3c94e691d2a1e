/**
 * A voice thread of {@link VoiceThreads}: hosts the voice connections of the guilds it was given — voice gateway,
 * DAVE, transport encryption, UDP and the 20 ms `VoiceCycle` — and encodes their speech to Opus a few frames ahead
 * of playback. The main thread relays the gateway's voice events and the PCM, and gets back gateway payloads, PCM
 * credit and outcomes.
 */
import { stat } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { DiscordGatewayAdapterCreator, DiscordGatewayAdapterLibraryMethods } from '@discordjs/voice';
import { FULL_COMPLEXITY, SpeechOpusEncoder } from '../audio/opus.ts';
import { UserError } from '../errors.ts';
import { connectVoice, type OpusSink, type VoiceLog } from './discordVoiceSink.ts';
import { LATE_FRAME_MS } from './frameSchedule.ts';
import { OpusComplexityGovernor } from './opusComplexity.ts';
import { Outbox } from './outbox.ts';
import { SpeechPackets } from './speechPackets.ts';
import { VoiceCycle } from './voiceCycle.ts';
import {
  type FromVoiceThread,
  type ToVoiceThread,
  VOICE_THREAD_NICE,
  type VoiceLogLevel,
  type VoiceThreadData,
} from './voiceThreadProtocol.ts';

/** How long PCM credit waits for company before it goes to the main thread, ms (it is sent 300 ms ahead of need). */
const CREDIT_COALESCE_MS = 10;
/** How often the thread reports how it kept time, ms. */
const TIMING_REPORT_MS = 1_000;
const LEVELS: readonly VoiceLogLevel[] = ['debug', 'info', 'warn', 'error'];

const port = parentPort;
if (port === null) throw new Error('voiceThread.ts runs as a worker thread of VoiceThreads');
const { logLevel, opusComplexity, trustedCertificates } = workerData as VoiceThreadData;
if (trustedCertificates.length > 0)
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ...trustedCertificates]);
const outbox = new Outbox<FromVoiceThread>((messages) => port.postMessage(messages), CREDIT_COALESCE_MS);
const send = (message: FromVoiceThread): void =>
  outbox.post(message, message.op !== 'taken' && message.op !== 'timing');

/** One join: its adapter's library side (for the gateway events relayed here), a way to give it up, its sink. */
interface Connection {
  adapter: DiscordGatewayAdapterLibraryMethods | undefined;
  giveUp: AbortController;
  sink: OpusSink | undefined;
}
const connections = new Map<number, Connection>();
const streams = new Map<number, { packets: SpeechPackets; stop: AbortController }>();
/** Packets the cycle took since the last timing report, how many of them late and how many at economy. */
const frames = { taken: 0, late: 0, economy: 0 };
const governor = new OpusComplexityGovernor(opusComplexity);
/** The 20 ms cycle that plays every stream of this thread. */
const cycle = new VoiceCycle();
/** The complexity the thread's streams encode at now. */
let complexity = governor.complexity;

/**
 * Log lines go to the bot's logger on the main thread, which filters and redacts them; lines below its level are
 * not sent. Errors travel as plain objects (with their `code`).
 */
const minimumLevel = Math.max(0, LEVELS.indexOf(logLevel as VoiceLogLevel));
const log = Object.fromEntries(
  LEVELS.map((level) => [
    level,
    (fields: Record<string, unknown>, msg: string) => {
      if (LEVELS.indexOf(level) < minimumLevel) return;
      send({ op: 'log', level, fields: cloneable(fields), msg });
    },
  ]),
) as VoiceLog;

raisePriority();

/**
 * Asks the system to run this thread at {@link VOICE_THREAD_NICE} and says which priority it got.
 * @remarks `setPriority` with no pid sets the calling thread's nice value on Linux (one per thread), so the bot's
 * other threads keep theirs; threads this one starts later take it too. Without an `RLIMIT_NICE` that allows it
 * (or CAP_SYS_NICE) the system refuses, and the thread runs as before.
 */
function raisePriority(): void {
  // libuv's pool threads start when some thread first needs one, at that thread's priority: start them now, if no
  // thread has, so that they stay at the normal one.
  stat(fileURLToPath(import.meta.url), () => {});
  try {
    setPriority(VOICE_THREAD_NICE);
    log.info({ nice: VOICE_THREAD_NICE }, 'voice thread runs at raised priority');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    log.info(
      { nice: getPriority(), code },
      'voice thread runs at normal priority: the system refused a raised one (README, "Voice thread priority")',
    );
  }
}

function cloneable(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] =
      value instanceof Error
        ? { type: value.name, message: value.message, stack: value.stack, code: (value as { code?: unknown }).code }
        : value;
  }
  return out;
}

async function join(conn: number, guildId: string, channelId: string): Promise<void> {
  const connection: Connection = { adapter: undefined, giveUp: new AbortController(), sink: undefined };
  connections.set(conn, connection);
  const adapterCreator: DiscordGatewayAdapterCreator = (methods) => {
    connection.adapter = methods;
    return {
      sendPayload: (payload) => {
        send({ op: 'gateway', conn, payload });
        return true; // the main thread answers a refusal with `shard-unavailable`
      },
      destroy: () => {
        connection.adapter = undefined;
        connections.delete(conn);
        send({ op: 'released', conn });
      },
    };
  };
  try {
    connection.sink = await connectVoice({
      adapterCreator,
      guildId,
      channelId,
      log,
      signal: connection.giveUp.signal,
      onGone: () => send({ op: 'gone', conn }),
      cycle,
    });
    send({ op: 'joined', conn });
  } catch (error) {
    if (!(error instanceof UserError)) log.error({ guildId, err: error }, 'voice join failed');
    send({ op: 'join-failed', conn, message: error instanceof UserError ? error.message : 'Could not join voice.' });
  }
}

function play(conn: number, stream: number): void {
  const sink = connections.get(conn)?.sink;
  if (sink === undefined) {
    send({ op: 'played', stream, error: 'the voice connection is gone' });
    return;
  }
  const packets = new SpeechPackets(
    {
      onTaken: (bytes) => send({ op: 'taken', stream, bytes }),
      onFrame: (behindMs) => {
        frames.taken += 1;
        if (behindMs > LATE_FRAME_MS) frames.late += 1;
        if (complexity < FULL_COMPLEXITY) frames.economy += 1;
      },
    },
    complexity,
  );
  const entry = { packets, stop: new AbortController() };
  streams.set(stream, entry);
  governor.playing(streams.size);
  applyComplexity();
  sink
    .play(packets, entry.stop.signal, () => send({ op: 'first-packet', stream }))
    .then(
      () =>
        send(packets.failed ? { op: 'played', stream, error: 'the speech source failed' } : { op: 'played', stream }),
      (error: unknown) => send({ op: 'played', stream, error: String((error as Error)?.message ?? error) }),
    )
    .finally(() => {
      streams.delete(stream);
      packets.destroy();
      governor.playing(streams.size);
      applyComplexity();
    });
}

/** Moves every stream to the governor's complexity when it changed (libopus takes it at the next frame). */
function applyComplexity(): void {
  const next = governor.complexity;
  if (next === complexity) return;
  log.debug({ from: complexity, to: next, streams: streams.size }, 'voice thread Opus complexity changed');
  complexity = next;
  for (const { packets } of streams.values()) packets.setComplexity(next);
}

function handle(message: ToVoiceThread): void {
  switch (message.op) {
    case 'join':
      void join(message.conn, message.guildId, message.channelId);
      return;
    case 'server-update':
      connections.get(message.conn)?.adapter?.onVoiceServerUpdate(message.data);
      return;
    case 'state-update':
      connections.get(message.conn)?.adapter?.onVoiceStateUpdate(message.data);
      return;
    case 'adapter-gone':
      connections.get(message.conn)?.adapter?.destroy();
      return;
    case 'shard-unavailable':
    case 'leave': {
      const connection = connections.get(message.conn);
      connection?.giveUp.abort();
      connection?.sink?.destroy();
      return;
    }
    case 'play':
      play(message.conn, message.stream);
      return;
    case 'pcm':
      streams.get(message.stream)?.packets.addPcm(message.pcm);
      return;
    case 'end':
      streams.get(message.stream)?.packets.endPcm(message.failed);
      return;
    case 'stop': {
      const entry = streams.get(message.stream);
      entry?.stop.abort(new Error('stopped'));
      entry?.packets.destroy();
    }
  }
}

// The thread starts with its first join: load libopus now, not at its first utterance.
new SpeechOpusEncoder().destroy();

// This loop runs the 20 ms voice cycle: how late it turns is how late the audio goes out; the frames say it exactly.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
setInterval(() => {
  const { taken, late, economy } = frames;
  send({ op: 'timing', loopDelayMaxMs: loopDelay.max / 1e6, frames: taken, lateFrames: late, economyFrames: economy });
  const capacity = governor.capacity;
  governor.second({ frames: taken, lateFrames: late, streams: streams.size });
  if (governor.capacity !== capacity)
    log.info(
      { streams: streams.size, capacity: governor.capacity },
      Number.isFinite(governor.capacity)
        ? 'voice thread fell behind: near this many streams it encodes at reduced Opus complexity'
        : 'voice thread kept time for long: it encodes at full Opus complexity at any load again',
    );
  applyComplexity();
  loopDelay.reset();
  frames.taken = 0;
  frames.late = 0;
  frames.economy = 0;
}, TIMING_REPORT_MS).unref();

port.on('message', (messages: readonly ToVoiceThread[]) => {
  for (const message of messages) handle(message);
});
