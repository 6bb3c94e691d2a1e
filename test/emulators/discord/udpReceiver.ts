/**
 * The voice UDP socket, on a thread of its own: it stamps each datagram when it arrives and hands it to the
 * emulator's main thread in batches, so a busy main thread (gateway, REST, decrypting and decoding a hundred calls)
 * delays when a packet is decoded, never the arrival time a test or bench measures.
 */
import { createSocket } from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';

/** One datagram: bytes, sender, and arrival as epoch ms (`performance.timeOrigin + performance.now()`). */
export interface Datagram {
  data: Uint8Array;
  address: string;
  port: number;
  arrivedAt: number;
}

/** From the receiver thread: its port, datagrams as they arrive, and the answer to a `sync`. */
export type FromReceiver =
  | { kind: 'bound'; port: number }
  | { kind: 'datagrams'; datagrams: Datagram[] }
  | { kind: 'synced'; id: number };
/**
 * To the receiver thread: a datagram to send, or a `sync` it answers once it has posted every datagram received
 * before it (the thread ends when the emulator terminates it).
 */
export type ToReceiver =
  | { kind: 'send'; data: Uint8Array; address: string; port: number }
  | { kind: 'sync'; id: number };

/** Options the main thread passes as `workerData`. */
export interface ReceiverOptions {
  recvBufferSize: number;
}

const port = parentPort;
if (port !== null) {
  const { recvBufferSize } = workerData as ReceiverOptions;
  const socket = createSocket({ type: 'udp4', recvBufferSize });
  let batch: Datagram[] = [];
  const flush = (): void => {
    if (batch.length === 0) return; // a sync posted it already
    const datagrams = batch;
    batch = [];
    port.postMessage({ kind: 'datagrams', datagrams } satisfies FromReceiver);
  };
  socket.on('error', () => {});
  socket.on('message', (data, rinfo) => {
    if (batch.length === 0) setImmediate(flush);
    batch.push({
      data,
      address: rinfo.address,
      port: rinfo.port,
      arrivedAt: performance.timeOrigin + performance.now(),
    });
  });
  port.on('message', (message: ToReceiver) => {
    if (message.kind === 'send') {
      socket.send(message.data, message.port, message.address);
      return;
    }
    flush();
    port.postMessage({ kind: 'synced', id: message.id } satisfies FromReceiver);
  });
  socket.bind(0, '127.0.0.1', () =>
    port.postMessage({ kind: 'bound', port: socket.address().port } satisfies FromReceiver),
  );
}
