/**
 * The DashScope emulator of `bench/scale.ts` in its own process, so its real-time pacing is not held up by the
 * listeners decrypting and decoding every packet in the bench process. Driven by its parent over IPC.
 */
import { startDashScopeEmulator } from '../test/emulators/dashscope/server.ts';

/** Messages from the parent. */
export type ToDashScope = { kind: 'speed'; realTimeFactor: number } | { kind: 'sessions' } | { kind: 'stop' };

/** Replies to the parent: the first is `ready`, then one per message. */
export type FromDashScope =
  /** `deltaMs`: the audio each `response.audio.delta` carries. */
  | { kind: 'ready'; apiKey: string; baseUrl: string; realtimeUrl: string; deltaMs: number }
  | { kind: 'speed' }
  | { kind: 'sessions'; opened: number };

const emulator = await startDashScopeEmulator({
  voiceQuota: 100_000, // each bot process of a run with SCALE_RESTART_BOT designs a voice per guild anew
  realtime: { realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs: 300, handshakeDelayMs: 50 },
});
const send = (message: FromDashScope): void => void process.send?.(message);
process.on('message', (message: ToDashScope) => {
  if (message.kind === 'speed') {
    emulator.ctx.options.realtime.realTimeFactor = message.realTimeFactor;
    send({ kind: 'speed' });
  } else if (message.kind === 'sessions') send({ kind: 'sessions', opened: emulator.ctx.stats.realtimeSessions });
  else void emulator.close().then(() => process.exit(0));
});
send({
  kind: 'ready',
  apiKey: emulator.apiKey,
  baseUrl: emulator.baseUrl,
  realtimeUrl: emulator.realtimeUrl,
  deltaMs: emulator.ctx.options.realtime.chunkMs,
});
