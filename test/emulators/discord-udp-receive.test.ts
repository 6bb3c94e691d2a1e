/**
 * The emulator's voice UDP socket lives on its own thread: a packet is stamped when it arrives, not when the busy
 * main thread gets to it, a burst the main thread cannot take in at once is not lost, and a caller can wait until
 * what arrived is recorded.
 */
import { Worker } from 'node:worker_threads';
import * as voiceLib from '@discordjs/voice';
import { type ConnectionData, entersState, type VoiceConnection, VoiceConnectionStatus } from '@discordjs/voice';
import { afterEach, expect, it } from 'vitest';
import { type AeadMode, encryptRtp } from './discord/rtp.ts';
import { startDiscordEmulator } from './discord/server.ts';
import { emulatorWithClient } from './discord.helpers.ts';
import { joinLounge } from './discord-voice.helpers.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A short Opus packet (not the silence frame), so the emulator records it as audio. */
const OPUS = Buffer.from([0xf8, 0xff, 0xfe, 0x00]);

/** A bot connected to the Lounge (no DAVE) and `count` of its RTP packets, encrypted for the emulator. */
async function connectedWithPackets(count: number) {
  const { emu, client, guild } = await emulatorWithClient(() => startDiscordEmulator({}));
  cleanups.push(
    () => emu.close(),
    () => client.destroy(),
  );
  const connection = joinLounge(voiceLib, client, guild, false);
  cleanups.push(() => connection.destroy());
  await entersState(connection, VoiceConnectionStatus.Ready, 10_000);
  const { connectionData, udp } = networkingOf(connection);
  const mode = connectionData.encryptionMode as AeadMode;
  const packets = Array.from({ length: count }, (_, i) =>
    encryptRtp(
      { sequence: i, timestamp: i * 960, ssrc: connectionData.ssrc, nonce: i + 1, opus: OPUS },
      mode,
      connectionData.secretKey,
    ),
  );
  emu.clearAudio(guild.id);
  return { emu, guildId: guild.id, packets, port: udp.remote.port };
}

/** The ready connection's keys and its socket's remote end (the emulator's voice UDP port): library internals. */
function networkingOf(connection: VoiceConnection) {
  type Ready = { networking: { state: { connectionData: ConnectionData; udp: { remote: { port: number } } } } };
  return (connection.state as unknown as Ready).networking.state;
}

/** What a sender thread sends: `packets` once `afterMs` have passed since it was told to go. */
interface Burst {
  afterMs: number;
  packets: Buffer[];
}

const SENDER = `
const { parentPort, workerData } = require('node:worker_threads');
const socket = require('node:dgram').createSocket('udp4');
parentPort.once('message', () => {
  for (const { afterMs, packets } of workerData.bursts)
    setTimeout(() => { for (const p of packets) socket.send(p, workerData.port, '127.0.0.1'); }, afterMs);
});`;

/** Sends `bursts` from another thread while this one is blocked for `blockMs`, as a loaded emulator would be. */
async function sendWhileBlocked(port: number, bursts: Burst[], blockMs: number): Promise<void> {
  const sender = new Worker(SENDER, { eval: true, workerData: { port, bursts } });
  cleanups.push(async () => void (await sender.terminate()));
  await new Promise((resolve) => sender.once('online', resolve));
  sender.postMessage('go');
  const until = performance.now() + blockMs;
  while (performance.now() < until) {
    // busy: the emulator's main thread reads nothing now
  }
}

it('stamps a packet when it arrives, not when the blocked main thread gets to it', async () => {
  const { emu, guildId, packets, port } = await connectedWithPackets(2);
  const [a, b] = packets as [Buffer, Buffer];
  await sendWhileBlocked(
    port,
    [
      { afterMs: 0, packets: [a] },
      { afterMs: 400, packets: [b] },
    ],
    1_500,
  );
  const voice = await emu.waitForVoice(guildId, (v) => v.packets.length >= 2);
  const [first, second] = voice.packets;
  // Stamped on the main thread, both would carry the time the block ended.
  expect(second!.receivedAt - first!.receivedAt).toBeGreaterThan(200);
  expect(voice.decryptFailures).toBe(0);
});

it('loses none of a 3,000-packet burst that arrives while the main thread cannot read', async () => {
  const { emu, guildId, packets, port } = await connectedWithPackets(3_000);
  await sendWhileBlocked(port, [{ afterMs: 0, packets }], 1_500);
  const voice = await emu.waitForVoice(guildId, (v) => v.packets.length >= 3_000, 15_000);
  expect(voice.packets).toHaveLength(3_000);
  expect(new Set(voice.packets.map((p) => p.sequence)).size).toBe(3_000);
  expect(voice.decryptFailures).toBe(0);
});

it('has recorded every packet that arrived before voiceCaughtUp(), however far behind its thread was', async () => {
  const { emu, guildId, packets, port } = await connectedWithPackets(3_000);
  await sendWhileBlocked(port, [{ afterMs: 0, packets }], 1_500);
  // The UDP thread took them all in while this thread was blocked; their batches now wait in its message queue.
  await emu.voiceCaughtUp();
  expect(emu.voice(guildId).packets).toHaveLength(3_000);
});
