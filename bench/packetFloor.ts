/**
 * The floor under the bot's CPU per stream: what a bot on this stack must do for every 20 ms frame besides the Opus
 * encode, each part measured alone on the calling thread, done the way the bot's libraries do it.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { FRAME_MS } from '../src/audio/formats.ts';
import { SPEECH_OPUS_SETTINGS, SpeechOpusEncoder } from '../src/audio/opus.ts';
import { parseServerEvent } from '../src/dashscope/realtime/protocol.ts';
import { PASS_CPU_US, threadCpuUs, threadUsPerStep } from './audioWork.ts';
import { readyDaveSession } from './daveWork.ts';

const require = createRequire(import.meta.url);

/** Packets sent before a turn of the event loop: a few guilds' worth, as a voice cycle sends them. */
const SEND_BATCH = 20;

/** CPU per frame of each part, µs. */
export interface PacketFloor {
  /** DashScope's audio received: its share of a `response.audio.delta` text frame (UTF-8, JSON, base64). */
  receive: number;
  /** DAVE's frame encryption (@snazzah/davey's `encryptOpus`, as @discordjs/voice calls it). */
  dave: number;
  /** The transport encryption as @discordjs/voice seals a packet: RTP header, AES-256-GCM, a cipher per packet. */
  transport: number;
  /** The UDP send as @discordjs/voice makes it (`dgram` `send` to an address), to a socket on another thread. */
  send: number;
}

/** The DashScope event the emulator sends, carrying `pcm` (what DashScope's own look like, spec §1.5). */
function deltaFrame(pcm: Buffer): Buffer {
  const event = {
    event_id: 'event_B1osWMZBtrEQbiIwW0qHQ',
    type: 'response.audio.delta',
    response_id: 'resp_Bv5OZFmqyJbrhUVkZRkVp',
    item_id: 'item_Bv5OZFk0S23s6xM8sE8JX',
    output_index: 0,
    content_index: 0,
    delta: pcm.toString('base64'),
  };
  return Buffer.from(JSON.stringify(event));
}

/**
 * Thread CPU per `response.audio.delta` received as the bot receives it (`ws`, no compression, `parseServerEvent`) from
 * a WebSocket server on a thread of its own that sends `deltas` over and over, µs: the median of three passes of about
 * {@link PASS_CPU_US} after one to size them.
 * @remarks Sent back to back, the deltas arrive several to a socket read, fewer reads than a paced stream needs: a
 * lower bound.
 */
async function receivedUsPerDelta(deltas: readonly Buffer[]): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { WebSocketServer } = require(${JSON.stringify(require.resolve('ws'))});
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    server.on('listening', () => parentPort.postMessage(server.address().port));
    server.on('connection', (socket) => socket.on('message', (count) => {
      let sent = 0;
      const more = () => {
        for (const end = Math.min(sent + 200, Number(count)); sent < end; sent++)
          socket.send(workerData[sent % workerData.length], { binary: false }, sent === end - 1 ? more : undefined);
      };
      more();
    }));`;
  const worker = new Worker(code, { eval: true, workerData: deltas });
  const [port] = (await once(worker, 'message')) as [number];
  const socket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await once(socket, 'open');
  const pass = async (count: number): Promise<number> => {
    const received = Promise.withResolvers<void>();
    let left = count;
    socket.on('message', function onMessage(data) {
      void parseServerEvent(data.toString());
      if (--left > 0) return;
      socket.off('message', onMessage);
      received.resolve();
    });
    const before = threadCpuUs();
    socket.send(String(count));
    await received.promise;
    return (threadCpuUs() - before) / count;
  };
  const count = Math.ceil(PASS_CPU_US / (await pass(5_000)));
  const perDelta = [await pass(count), await pass(count), await pass(count)].sort((a, b) => a - b)[1] as number;
  socket.close();
  await worker.terminate();
  return perDelta;
}

/**
 * A UDP socket on a thread of its own that reads and counts what it gets, as a voice server would read it; `close`
 * resolves with the count.
 */
async function udpSink(): Promise<{ port: number; close(): Promise<number> }> {
  const code = `
    const { createSocket } = require('node:dgram');
    const { parentPort } = require('node:worker_threads');
    const socket = createSocket('udp4');
    let received = 0;
    socket.on('message', () => received++);
    socket.bind(0, '127.0.0.1', () => parentPort.postMessage(socket.address().port));
    parentPort.on('message', () => socket.close(() => parentPort.postMessage(received)));`;
  const worker = new Worker(code, { eval: true });
  const [port] = (await once(worker, 'message')) as [number];
  return {
    port,
    close: async () => {
      worker.postMessage('close');
      const [received] = (await once(worker, 'message')) as [number];
      await worker.terminate();
      return received;
    },
  };
}

/** {@link threadUsPerStep} of `use`, each step on the next of `items` (round and round). */
function usPerItem<T>(items: readonly T[], use: (item: T) => unknown): Promise<number> {
  let i = 0;
  return threadUsPerStep(() => void use(items[i++ % items.length] as T));
}

/** Seals DAVE frames into RTP packets as @discordjs/voice does in `aead_aes256_gcm_rtpsize` (`createAudioPacket`). */
function transportSealer(): (frame: Buffer) => Buffer {
  const key = randomBytes(32);
  const nonce = Buffer.alloc(12);
  let sequence = 0;
  return (frame) => {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = 0x78;
    header.writeUIntBE(sequence++ % 2 ** 16, 2, 2);
    header.writeUIntBE((sequence * 960) % 2 ** 32, 4, 4);
    header.writeUIntBE(0x1234, 8, 4);
    nonce.writeUInt32BE(sequence % 2 ** 32, 0);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(header);
    const encrypted = Buffer.concat([cipher.update(frame), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([header, encrypted, nonce.subarray(0, 4)]);
  };
}

/** Thread CPU per packet sent as @discordjs/voice sends it (`dgram` `send` to an address), µs. */
async function sentUsPerPacket(packets: readonly Buffer[]): Promise<number> {
  const sink = await udpSink();
  const socket = createSocket('udp4');
  let i = 0;
  const send = await threadUsPerStep(
    () => socket.send(packets[i++ % packets.length] as Buffer, sink.port, '127.0.0.1'),
    // the sends of a batch leave on the next tick (dgram looks the address up first), before the next turn
    () => nextTurn(),
    SEND_BATCH,
  );
  socket.close();
  if ((await sink.close()) === 0) throw new Error('no packet reached the UDP reader: the send was not measured');
  return send;
}

/**
 * Measures every part of {@link PacketFloor} over `pcm24k` (20 ms chunks of 24 kHz mono) encoded at `complexity` as
 * the audio stage encodes it, in deltas of `deltaMs` as DashScope sends them, on this thread.
 * @remarks The parts are the least the bot can do on its stack: the Opus packets are encoded in advance (the encode
 * is the audio stage itself), the send goes to a reader on another thread so only the sender's CPU counts here. The
 * receive goes last: it allocates the most, and a grown heap would tax the parts after it.
 */
export async function packetFloor(
  pcm24k: readonly Buffer[],
  deltaMs: number,
  complexity: number,
): Promise<PacketFloor> {
  const encoder = new SpeechOpusEncoder({ ...SPEECH_OPUS_SETTINGS, complexity });
  const opus = pcm24k.flatMap((chunk) => encoder.encode(chunk));
  encoder.destroy();
  const session = readyDaveSession();
  const dave = await usPerItem(opus, (packet) => session.encryptOpus(packet));
  const frames = opus.map((packet) => session.encryptOpus(packet));
  session.reset();
  const seal = transportSealer();
  const transport = await usPerItem(frames, seal);
  const send = await sentUsPerPacket(frames.map(seal));
  const perDelta = Math.max(1, Math.round(deltaMs / FRAME_MS));
  const deltas: Buffer[] = [];
  for (let at = 0; at < pcm24k.length; at += perDelta)
    deltas.push(deltaFrame(Buffer.concat(pcm24k.slice(at, at + perDelta))));
  const receive = (await receivedUsPerDelta(deltas)) / perDelta;
  return { receive, dave, transport, send };
}
