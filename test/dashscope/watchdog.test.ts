import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Watchdog } from '../../src/dashscope/timeouts.ts';

/**
 * The stall watchdog judges the socket, not our loop: a peer in another process streams to a real socket
 * while this thread is blocked, and the watchdog (re-armed on every byte, as the realtime session re-arms it
 * on every audio delta) must not fire; once the peer goes silent it must.
 */
let server: Server | undefined;
let peer: ChildProcess | undefined;
afterEach(() => {
  peer?.kill();
  server?.close();
});

/** A socket fed every 5 ms by a child process until it is killed. */
async function streamingSocket(): Promise<Socket> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = (server as Server).address() as { port: number };
  const script = `const s = require('node:net').connect(${port}, '127.0.0.1'); setInterval(() => s.write('x'), 5);`;
  peer = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return accepted;
}

const blockFor = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // a CPU-bound stretch: no timer, no socket read
  }
};

it('does not fire when our loop was blocked while the socket delivered, and fires when it goes silent', async () => {
  const socket = await streamingSocket();
  const watchdog = new Watchdog();
  let fired = 0;
  const arm = (): void => watchdog.arm(100, () => (fired += 1));
  socket.on('data', arm);
  await new Promise((r) => socket.once('data', r));
  // Blocked in the check phase: the loop reaches the timers (long expired) before it reads the socket again.
  await new Promise<void>((resolve) =>
    setImmediate(() => {
      blockFor(400);
      resolve();
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  expect(fired).toBe(0);
  peer?.kill();
  const end = Date.now() + 10_000;
  while (fired === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(fired).toBe(1);
  watchdog.clear();
  socket.destroy();
});
