/**
 * Voice UDP: IP discovery replies, keep-alives (ignored), and RTP from the bot, decrypted and
 * decoded into the guild's voice record (spec §3.3–3.4). Datagrams arrive stamped from the receiver thread.
 */
import { isIPv4 } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { EmulatorContext } from './context.ts';
import { hearBot } from './daveMembers.ts';
import { PCM_FRAME_BYTES } from './opusDecoder.ts';
import { decryptRtp, isSilenceFrame, OPUS_PAYLOAD_TYPE, parseRtpHeader } from './rtp.ts';
import type { FromReceiver, ReceiverOptions, ToReceiver } from './udpReceiver.ts';

const DISCOVERY_BYTES = 74;
const KEEP_ALIVE_BYTES = 8;
/**
 * The socket's receive buffer, bytes (Linux caps it at `net.core.rmem_max`). The default (~208 KiB) holds about
 * 270 datagrams: a hundred calls at 50 packets a second overflow it in a 60 ms stall of this process, and the kernel
 * drops what the bot sent — Discord's servers do not lose a load test's packets that way.
 */
const RECEIVE_BUFFER_BYTES = 16 * 1024 * 1024;

/** The running UDP endpoint. */
export interface VoiceUdp {
  port: number;
  /** Resolves once every datagram the socket received before the call is in the voice records. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

/** Sends one datagram from the voice socket. */
type Send = (data: Buffer, port: number, address: string) => void;

/** Binds `udp4` on a free loopback port, on the receiver thread (see udpReceiver.ts). */
export async function startVoiceUdp(ctx: EmulatorContext): Promise<VoiceUdp> {
  const worker = new Worker(new URL('./udpReceiver.ts', import.meta.url), {
    workerData: { recvBufferSize: RECEIVE_BUFFER_BYTES } satisfies ReceiverOptions,
  });
  worker.unref();
  const send: Send = (data, port, address) =>
    worker.postMessage({ kind: 'send', data, port, address } satisfies ToReceiver);
  const syncs = new Map<number, () => void>();
  let nextSync = 1;
  const bound = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the voice UDP thread exited (code ${code})`)));
    worker.on('message', (message: FromReceiver) => {
      if (message.kind === 'bound') return resolve(message.port);
      if (message.kind === 'synced') {
        syncs.get(message.id)?.();
        syncs.delete(message.id);
        return;
      }
      for (const { data, address, port, arrivedAt } of message.datagrams) {
        try {
          const msg = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
          onDatagram(ctx, send, msg, { address, port }, arrivedAt - performance.timeOrigin);
        } catch {
          // A malformed datagram must never take the emulator down.
        }
      }
    });
  });
  const port = await bound;
  return {
    port,
    // The answer comes after the batches the thread posted before it, and this thread records a batch as it takes it.
    caughtUp: () =>
      new Promise<void>((resolve) => {
        const id = nextSync++;
        syncs.set(id, resolve);
        worker.postMessage({ kind: 'sync', id } satisfies ToReceiver);
      }),
    close: async () => {
      await worker.terminate();
      for (const resolve of syncs.values()) resolve(); // nothing more arrives
      syncs.clear();
    },
  };
}

/** The sender of a datagram. */
interface Sender {
  address: string;
  port: number;
}

function onDatagram(ctx: EmulatorContext, send: Send, msg: Buffer, rinfo: Sender, receivedAt: number): void {
  if (msg.length === DISCOVERY_BYTES && msg.readUInt16BE(0) === 1) return discover(ctx, send, msg, rinfo);
  if (msg.length === KEEP_ALIVE_BYTES) {
    for (const state of ctx.ssrcs.values()) {
      const address = state.view.clientAddress;
      if (address?.address === rinfo.address && address.port === rinfo.port) state.view.keepAlives += 1;
    }
    return;
  }
  const header = parseRtpHeader(msg);
  if (header === null || header.payloadType !== OPUS_PAYLOAD_TYPE) return;
  const state = ctx.ssrcs.get(header.ssrc);
  if (state === undefined || state.secretKey === null || state.view.mode === null) return;
  const packet = decryptRtp(msg, state.view.mode, state.secretKey);
  if (packet === null) {
    state.view.decryptFailures += 1;
    ctx.watch.notify();
    return;
  }
  const heard = hearBot(ctx, state, header, Buffer.from(packet.opus), receivedAt);
  if (heard !== undefined) {
    if (heard === null) state.view.decryptFailures += 1;
    else state.view.packets.push({ ...heard, nonce: packet.nonce });
    ctx.watch.notify();
    return;
  }
  // Nobody listens: the server decodes what it can; a DAVE frame (magic 0xFAFA) is opaque to it.
  const silence = isSilenceFrame(packet.opus);
  if (!silence && packet.opus.length > 2 && packet.opus.readUInt16BE(packet.opus.length - 2) === 0xfafa) {
    state.view.decryptFailures += 1;
    ctx.watch.notify();
    return;
  }
  const pcm = state.decoder?.decode(packet.opus) ?? Buffer.alloc(0);
  state.view.packets.push({
    receivedAt,
    sequence: header.sequence,
    timestamp: header.timestamp,
    ssrc: header.ssrc,
    nonce: packet.nonce,
    opus: Buffer.from(packet.opus),
    pcm: silence && pcm.length === 0 ? Buffer.alloc(PCM_FRAME_BYTES) : pcm,
    silence,
  });
  ctx.watch.notify();
}

function discover(ctx: EmulatorContext, send: Send, msg: Buffer, rinfo: Sender): void {
  const ssrc = msg.readUInt32BE(4);
  const reply = Buffer.alloc(DISCOVERY_BYTES);
  reply.writeUInt16BE(2, 0);
  reply.writeUInt16BE(70, 2);
  reply.writeUInt32BE(ssrc, 4);
  reply.write(isIPv4(rinfo.address) ? rinfo.address : '127.0.0.1', 8, 'ascii');
  reply.writeUInt16BE(rinfo.port, DISCOVERY_BYTES - 2);
  const state = ctx.ssrcs.get(ssrc);
  if (state !== undefined) state.view.clientAddress = { address: rinfo.address, port: rinfo.port };
  send(reply, rinfo.port, rinfo.address);
  ctx.watch.notify();
}
