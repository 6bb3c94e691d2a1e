import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { openStore, parseStoreUrl, redactUrl, type Store } from '../../src/voices/store.ts';

const redisUrl = inject('redisUrl');
const invalid = expect.objectContaining({ name: 'UserError', reason: 'invalid_input' });

describe('parseStoreUrl', () => {
  it.each([
    ['memory://', { kind: 'memory' }],
    ['memory:', { kind: 'memory' }],
    ['sqlite://./data/voicebot.sqlite', { kind: 'sqlite', path: '/srv/bot/data/voicebot.sqlite' }],
    ['sqlite://data/v.sqlite', { kind: 'sqlite', path: '/srv/bot/data/v.sqlite' }],
    ['sqlite:///var/lib/voicebot/v.sqlite', { kind: 'sqlite', path: '/var/lib/voicebot/v.sqlite' }],
    [' SQLite://../v.sqlite ', { kind: 'sqlite', path: '/srv/v.sqlite' }],
    ['redis://localhost:6379/0', { kind: 'redis', url: 'redis://localhost:6379/0' }],
    ['rediss://user:pw@cache.example:6380', { kind: 'redis', url: 'rediss://user:pw@cache.example:6380' }],
  ])('%s', (url, expected) => {
    expect(parseStoreUrl(url, '/srv/bot')).toEqual(expected);
  });

  it.each([
    ['', /Use one of: sqlite:\/\/.*redis:\/\/.*memory:\/\//],
    ['postgres://admin:s3cret@db/voices', /Unsupported store URL "postgres:\/\/\*\*\*@db\/voices"/],
    ['sqlite:data.sqlite', /Unsupported store URL/],
    ['sqlite://', /needs a file path/],
    ['sqlite://./data/', /needs a file path/],
    ['redis://', /names no host/],
    ['memory://somewhere', /Unsupported store URL/],
  ])('rejects %j as invalid_input', (url, message) => {
    expect(() => parseStoreUrl(url, '/srv/bot')).toThrow(invalid);
    expect(() => parseStoreUrl(url, '/srv/bot')).toThrow(message);
    expect(() => parseStoreUrl(url, '/srv/bot')).not.toThrow(/s3cret/);
  });

  it('redacts credentials from URLs it prints', () => {
    expect(redactUrl('redis://user:pw@host:6379/0')).toBe('redis://***@host:6379/0');
    expect(redactUrl('rediss://:pw@host')).toBe('rediss://***@host');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactUrl('redis://us er:pw@[bad')).toBe('redis:…');
  });
});

describe('openStore', () => {
  let dir: string;
  const opened: Store[] = [];
  const open = async (url: string, namespace?: string): Promise<Store> => {
    const store = await openStore(url, namespace === undefined ? {} : { namespace });
    opened.push(store);
    return store;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'voicebot-store-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('opens memory, with errors thrown rather than swallowed', async () => {
    const store = await open('memory://');
    expect(store.kind).toBe('memory');
    expect(store.keyv.throwOnErrors).toBe(true);
    await store.keyv.set('k', 1);
    expect(await store.keyv.get('k')).toBe(1);
  });

  it('creates the SQLite file and its folders, and closes idempotently', async () => {
    const path = join(dir, 'a', 'b', 'voices.sqlite');
    const store = await open(`sqlite://${path}`);
    expect(store.kind).toBe('sqlite');
    expect(store.keyv.throwOnErrors).toBe(true);
    await store.keyv.set('k', { x: 1 });
    expect((await stat(path)).isFile()).toBe(true);
    await store.close();
    await store.close();
    const again = await open(`sqlite://${path}`);
    expect(await again.keyv.get('k')).toEqual({ x: 1 });
  });

  it('fails clearly when the SQLite file cannot be opened', async () => {
    await writeFile(join(dir, 'file'), '');
    await expect(openStore(`sqlite://${join(dir, 'file', 'v.sqlite')}`)).rejects.toThrow(
      /Could not open the SQLite store at .*file\/v\.sqlite: /,
    );
    await symlink(join(dir, 'absent'), join(dir, 'dangling'));
    await expect(openStore(`sqlite://${join(dir, 'dangling', 'sub', 'v.sqlite')}`)).rejects.toThrow(
      /Could not open .*ENOENT/,
    );
    await writeFile(join(dir, 'garbage.sqlite'), 'x'.repeat(4_096));
    await expect(openStore(`sqlite://${join(dir, 'garbage.sqlite')}`)).rejects.toThrow(
      /Could not open the SQLite store/,
    );
  });

  it('connects to Redis and keeps namespaces apart', async () => {
    const [a, b] = [`t${randomUUID()}`, `t${randomUUID()}`];
    const one = await open(redisUrl, a);
    const two = await open(redisUrl, b);
    expect(one.kind).toBe('redis');
    await one.keyv.set('k', 'one');
    expect(await two.keyv.get('k')).toBeUndefined();
    expect(await one.keyv.get('k')).toBe('one');
    await one.keyv.clear();
  });

  it('fails fast and without credentials when Redis is unreachable or refuses the password', async () => {
    const port = await closedPort();
    const refused = openStore(`redis://bot:hunter2@127.0.0.1:${port}/0`);
    await expect(refused).rejects.toThrow(`Could not connect to the Redis store at redis://***@127.0.0.1:${port}/0: `);
    await expect(refused).rejects.not.toThrow(/hunter2/);
    const badAuth = openStore(redisUrl.replace('redis://', 'redis://:hunter2@'));
    await expect(badAuth).rejects.toThrow(/Could not connect to the Redis store at redis:\/\/\*\*\*@/);
    await expect(badAuth).rejects.not.toThrow(/hunter2/);
  });

  it.each(['memory', 'sqlite', 'redis'])('lets the process exit after close (%s)', async (kind) => {
    const namespace = `exit${randomUUID().replaceAll('-', '')}`;
    const url = { memory: 'memory://', sqlite: `sqlite://${join(dir, 'exit.sqlite')}`, redis: redisUrl }[kind] ?? '';
    const started = Date.now();
    const { code, stderr } = await runChild(url, namespace);
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/Error/) });
    expect(Date.now() - started).toBeLessThan(8_000);
    if (kind === 'redis') await (await open(redisUrl, namespace)).keyv.clear();
  });
});

const storeModule = fileURLToPath(new URL('../../src/voices/store.ts', import.meta.url));
const CHILD = `
const { openStore } = await import(process.argv[1]);
const store = await openStore(process.argv[2], { namespace: process.argv[3] });
await store.keyv.set('k', 'v');
if ((await store.keyv.get('k')) !== 'v') process.exit(3);
await store.close();`;

/** Runs a child process that opens, uses and closes a store, then must exit on its own. */
function runChild(url: string, namespace: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const args = ['--no-warnings', '--input-type=module', '-e', CHILD, storeModule, url, namespace];
    execFile(process.execPath, args, { timeout: 10_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
    });
  });
}

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
