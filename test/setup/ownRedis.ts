import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedis, stopRedis } from './redis.ts';

/**
 * A redis-server of one test's own, on a free loopback port, that the test may kill, freeze and start again.
 * @remarks Append-only persistence in a temporary folder, so data written before a kill is there after the
 * restart, as with a production Redis.
 */
export class OwnRedis {
  readonly port: number;
  readonly #args: string[];
  readonly #dir: string;
  #child: ChildProcess;

  private constructor(port: number, dir: string, args: string[], child: ChildProcess) {
    this.port = port;
    this.#dir = dir;
    this.#args = args;
    this.#child = child;
  }

  static async start(): Promise<OwnRedis> {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'voicebot-redis-'));
    const args = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
    return new OwnRedis(port, dir, args, await startRedis(port, args));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** SIGKILL, as when the server crashes or its machine goes away; resolves once it has exited. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: the server keeps its connections but answers nothing (a hung or unreachable host). */
  freeze(): void {
    this.#child.kill('SIGSTOP');
  }

  thaw(): void {
    this.#child.kill('SIGCONT');
  }

  /** Starts the server again on the same port and data folder; resolves when it answers PING. */
  async restart(): Promise<void> {
    this.#child = await startRedis(this.port, this.#args);
  }

  async close(): Promise<void> {
    this.thaw();
    await stopRedis(this.#child);
    await rm(this.#dir, { recursive: true, force: true });
  }
}
