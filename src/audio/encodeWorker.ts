/**
 * A worker thread of the {@link EncoderPool}: Opus for the streams it was given, each with its own encoder,
 * answering each message's steps in order with one message.
 */
import { parentPort } from 'node:worker_threads';
import type { EncodeAnswer, EncodeStep, FromEncoder, ToEncoder } from './encodeProtocol.ts';
import { SpeechOpusEncoder } from './opus.ts';

const streams = new Map<number, SpeechOpusEncoder>();
const port = parentPort;

/** Runs one step; the packets of a `push` or `finish`, nothing for `open` and `close`. */
function run(step: EncodeStep): Buffer[] | undefined {
  if (step.op === 'open') {
    streams.set(step.stream, new SpeechOpusEncoder());
    return undefined;
  }
  const encoder = streams.get(step.stream);
  if (step.op === 'close') {
    encoder?.destroy();
    streams.delete(step.stream);
    return undefined;
  }
  if (encoder === undefined) throw new Error(`no stream ${step.stream}`);
  if (step.op === 'push') return encoder.encode(Buffer.from(step.pcm.buffer, step.pcm.byteOffset, step.pcm.byteLength));
  return encoder.finish();
}

/** Packs the answers' packets into one buffer the main thread receives without a copy. */
function answer(answers: EncodeAnswer[], packets: Buffer[]): void {
  const out = new Uint8Array(packets.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const packet of packets) {
    out.set(packet, at);
    at += packet.length;
  }
  const message: FromEncoder = { answers, packets: out };
  port?.postMessage(message, [out.buffer]);
}

port?.on('message', (steps: ToEncoder) => {
  const answers: EncodeAnswer[] = [];
  const packets: Buffer[] = [];
  for (const step of steps) {
    try {
      const out = run(step);
      if (out === undefined) continue;
      answers.push({ stream: step.stream, lengths: out.map((p) => p.length) });
      packets.push(...out);
    } catch (error) {
      answers.push({ stream: step.stream, error: String((error as Error).message ?? error) });
    }
  }
  if (answers.length > 0) answer(answers, packets);
});
