/**
 * A worker thread of the {@link EncoderPool}: upsample + Opus for the streams it was given, each with its own
 * upsampler and encoder, answering every request in order.
 */
import { parentPort } from 'node:worker_threads';
import type { FromEncoder, ToEncoder } from './encodeProtocol.ts';
import { SpeechOpusEncoder } from './opus.ts';
import { Upsampler } from './upsample.ts';

interface Stream {
  upsampler: Upsampler;
  encoder: SpeechOpusEncoder;
}

const streams = new Map<number, Stream>();
const port = parentPort;

/** Packs packets into one buffer the main thread receives without a copy. */
function answer(stream: number, packets: Buffer[]): void {
  const lengths = packets.map((p) => p.length);
  const out = new Uint8Array(lengths.reduce((sum, n) => sum + n, 0));
  let at = 0;
  for (const packet of packets) {
    out.set(packet, at);
    at += packet.length;
  }
  const message: FromEncoder = { stream, packets: out, lengths };
  port?.postMessage(message, [out.buffer]);
}

function handle(message: ToEncoder): void {
  if (message.op === 'open') {
    streams.set(message.stream, { upsampler: new Upsampler(), encoder: new SpeechOpusEncoder() });
    return;
  }
  const stream = streams.get(message.stream);
  if (message.op === 'close') {
    stream?.encoder.destroy();
    streams.delete(message.stream);
    return;
  }
  if (stream === undefined) throw new Error(`no stream ${message.stream}`);
  if (message.op === 'push') {
    const pcm = Buffer.from(message.pcm.buffer, message.pcm.byteOffset, message.pcm.byteLength);
    return answer(message.stream, stream.encoder.encode(stream.upsampler.pushTransient(pcm)));
  }
  const packets = [...stream.encoder.encode(stream.upsampler.flush()), ...stream.encoder.finish()];
  answer(message.stream, packets);
}

port?.on('message', (message: ToEncoder) => {
  try {
    handle(message);
  } catch (error) {
    const reply: FromEncoder = { stream: message.stream, error: String((error as Error).message ?? error) };
    port.postMessage(reply);
  }
});
