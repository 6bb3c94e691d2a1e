import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Redis server for store tests: `REDIS_URL`, or a private `redis-server` started here. */
    redisUrl: string;
  }
}

/** How long a spawned redis-server may take to answer PING, in milliseconds. */
const REDIS_START_TIMEOUT_MS = 10_000;
/** How long teardown waits for redis-server to exit after SIGTERM, in milliseconds. */
const REDIS_STOP_TIMEOUT_MS = 3_000;
const INSTALL_HINT = 'install redis-server (Debian: apt-get install redis-server) or set REDIS_URL';

/**
 * vitest globalSetup: provides `redisUrl` to every test file.
 * @remarks Uses `REDIS_URL` when set (tests then keep to their own namespaces); otherwise starts
 * an in-memory redis-server on a free loopback port and stops it in teardown.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    project.provide('redisUrl', fromEnv);
    return async () => {};
  }
  const port = await freePort();
  const child = await startRedis(port);
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
  return () => stopRedis(child);
}

export async function startRedis(port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000)));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`Could not start redis-server (${error.message}): ${INSTALL_HINT}.`)),
    );
    child.once('exit', (code) =>
      reject(
        new Error(`redis-server exited with code ${code} before answering PING: ${output.trim()}\n${INSTALL_HINT}.`),
      ),
    );
  });
  failed.catch(() => undefined);
  try {
    await Promise.race([waitForPong(port), failed]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
}

async function waitForPong(port: number): Promise<void> {
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await ping(port)) return;
    await delay(50);
  }
  throw new Error(
    `redis-server on port ${port} did not answer PING within ${REDIS_START_TIMEOUT_MS} ms; ${INSTALL_HINT}.`,
  );
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

export async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), REDIS_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
