/**
 * Voice UDP: IP discovery replies, keep-alives (ignored), and RTP from the bot, decrypted and
 * decoded into the guild's voice record (spec §3.3–3.4).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { EmulatorContext } from './context.ts';
import { hearBot } from './daveMembers.ts';
import { PCM_FRAME_BYTES } from './opusDecoder.ts';
import { decryptRtp, isSilenceFrame, OPUS_PAYLOAD_TYPE, parseRtpHeader } from './rtp.ts';

const DISCOVERY_BYTES = 74;
const KEEP_ALIVE_BYTES = 8;

/** The running UDP endpoint. */
export interface VoiceUdp {
  port: number;
  socket: Socket;
  close(): Promise<void>;
}

/** Binds `udp4` on a free loopback port. */
export async function startVoiceUdp(ctx: EmulatorContext): Promise<VoiceUdp> {
  const socket = createSocket('udp4');
  socket.on('error', () => {});
  socket.on('message', (msg, rinfo) => {
    try {
      onDatagram(ctx, socket, msg, rinfo);
    } catch {
      // A malformed datagram must never take the emulator down.
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket.address().port));
  });
  return { port, socket, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

function onDatagram(ctx: EmulatorContext, socket: Socket, msg: Buffer, rinfo: RemoteInfo): void {
  if (msg.length === DISCOVERY_BYTES && msg.readUInt16BE(0) === 1) return discover(ctx, socket, msg, rinfo);
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
  const receivedAt = performance.now();
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

function discover(ctx: EmulatorContext, socket: Socket, msg: Buffer, rinfo: RemoteInfo): void {
  const ssrc = msg.readUInt32BE(4);
  const reply = Buffer.alloc(DISCOVERY_BYTES);
  reply.writeUInt16BE(2, 0);
  reply.writeUInt16BE(70, 2);
  reply.writeUInt32BE(ssrc, 4);
  reply.write(isIPv4(rinfo.address) ? rinfo.address : '127.0.0.1', 8, 'ascii');
  reply.writeUInt16BE(rinfo.port, DISCOVERY_BYTES - 2);
  const state = ctx.ssrcs.get(ssrc);
  if (state !== undefined) state.view.clientAddress = { address: rinfo.address, port: rinfo.port };
  socket.send(reply, rinfo.port, rinfo.address);
  ctx.watch.notify();
}
