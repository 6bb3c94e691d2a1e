import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import KeyvRedis, { createClient } from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import { type AtomicCounters, memoryCounters, redisCounters, sqliteCounters } from '../spend/counters.ts';
import { deadlined } from './deadline.ts';
import { redisDocs } from './redisDocs.ts';
import { SqliteConnection, sqliteDocs } from './sqliteDocs.ts';
import { backendDocs, inProcessDocs, StoreKeyv } from './storeKeyv.ts';
import { parseStoreUrl, redactUrl, type StoreLocation } from './storeUrl.ts';

export { parseStoreUrl, redactUrl, STORE_URL_FORMS, type StoreLocation } from './storeUrl.ts';

/** The keyv namespace the bot's data lives under unless told otherwise. */
export const DEFAULT_NAMESPACE = 'voicebot';
/** How long opening a Redis store may take before it fails, in milliseconds. */
export const REDIS_CONNECT_TIMEOUT_MS = 5_000;
/** Default of `STORE_TIMEOUT_MS`: how long one store operation may wait (Redis reply, SQLite lock), in ms. */
export const STORE_TIMEOUT_MS_DEFAULT = 2_000;
/** Longest pause between Redis reconnect attempts once connected, in milliseconds. */
const REDIS_RECONNECT_MAX_MS = 2_000;
/** Most Redis commands sent and unanswered at once; past it a command fails at once instead of queueing. */
export const REDIS_MAX_QUEUED_COMMANDS = 1_000;

/** The store could not be opened; the one-line message names `STORE_URL` and never holds a password. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** An open keyv store and how to close it. */
export interface Store {
  /** Throws on storage errors (`throwOnErrors`), as `VoiceRegistry` requires; `update` is atomic across processes. */
  keyv: StoreKeyv;
  kind: StoreLocation['kind'];
  /** Counters changed atomically across processes: the spend ledger's. */
  counters: AtomicCounters;
  /** Resolves when the store answers a trivial query within the timeout; rejects otherwise (for readiness checks). */
  ping(): Promise<void>;
  /** Closes the database handle or connection so the process can exit; safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** Key namespace; default {@link DEFAULT_NAMESPACE}. Tests use a fresh one each. */
  namespace?: string;
  /** How long one operation may wait on Redis or a locked SQLite file; default {@link STORE_TIMEOUT_MS_DEFAULT}. */
  timeoutMs?: number;
}

/**
 * Opens the store a URL names: `sqlite://<path>`, `redis://…`/`rediss://…` or `memory://`.
 * @remarks Connects (and creates the SQLite file and its folder) before returning, so a bad
 * URL fails at startup with a clear message rather than at the first command. Messages never
 * contain the credentials of a Redis URL.
 */
export async function openStore(storeUrl: string, options: StoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(storeUrl);
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const timeoutMs = options.timeoutMs ?? STORE_TIMEOUT_MS_DEFAULT;
  switch (location.kind) {
    case 'memory': {
      const keyv = new StoreKeyv({ namespace, throwOnErrors: true }, inProcessDocs);
      const close = once(() => keyv.disconnect());
      return { keyv, kind: 'memory', counters: memoryCounters(), ping: async () => undefined, close };
    }
    case 'sqlite':
      return openSqlite(location.path, namespace, timeoutMs);
    case 'redis':
      return openRedis(location.url, namespace, timeoutMs);
  }
}

async function openSqlite(path: string, namespace: string, timeoutMs: number): Promise<Store> {
  const fail = (error: unknown): Error =>
    new StoreError(`Could not open the SQLite store at ${path}: ${messageOf(error)}. Check STORE_URL.`, {
      cause: error,
    });
  try {
    await ensureDir(dirname(path));
  } catch (error) {
    throw fail(error);
  }
  // The busy timeout bounds every wait on another process's lock, so a locked file fails in time for a reply.
  const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: timeoutMs });
  const connection = new SqliteConnection(adapter);
  const docs = backendDocs(sqliteDocs(connection, adapter.opts.table ?? 'keyv', namespace));
  const keyv = new StoreKeyv({ store: adapter, namespace, throwOnErrors: true }, docs);
  let counters: AtomicCounters;
  try {
    await connection.query('SELECT 1');
    counters = await sqliteCounters(connection, namespace);
  } catch (error) {
    await adapter.close().catch(() => undefined);
    throw fail(error);
  }
  const ping = async (): Promise<void> => void (await connection.query('SELECT 1'));
  return { keyv, kind: 'sqlite', counters, ping, close: once(() => adapter.close()) };
}

async function openRedis(url: string, namespace: string, timeoutMs: number): Promise<Store> {
  let connected = false;
  const client = createClient({
    url,
    // Fail fast rather than wait: every command gives up after the timeout, and while the connection is
    // down commands are refused at once (no offline queue) instead of piling up until Redis returns.
    commandOptions: { timeout: timeoutMs },
    disableOfflineQueue: true,
    commandsQueueMaxLength: REDIS_MAX_QUEUED_COMMANDS,
    socket: {
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      // Fail fast while opening; once up, ride out server restarts with capped backoff.
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(2 ** retries * 100, REDIS_RECONNECT_MAX_MS) : cause,
    },
  });
  const adapter = new KeyvRedis(client, { namespace, throwOnErrors: true });
  // Every command we send, through keyv or directly, gets its reply within the timeout or fails.
  const bounded = deadlined(
    adapter,
    ['get', 'getMany', 'set', 'setMany', 'delete', 'deleteMany', 'has', 'clear'],
    timeoutMs,
  );
  const direct = deadlined(client, ['mGet', 'eval', 'hGetAll', 'ping'], timeoutMs);
  const docs = backendDocs(redisDocs(direct, (key) => adapter.createKeyPrefix(key, namespace)));
  const keyv = new StoreKeyv({ store: bounded, namespace, useKeyPrefix: false, throwOnErrors: true }, docs);
  try {
    await client.connect();
    await client.ping();
    connected = true;
  } catch (error) {
    if (client.isOpen) client.destroy();
    const detail = scrub(messageOf(error), url);
    throw new StoreError(`Could not connect to the Redis store at ${redactUrl(url)}: ${detail}. Check STORE_URL.`);
  }
  const close = once(async () => {
    connected = false;
    if (client.isReady) await client.close();
    else if (client.isOpen) client.destroy();
  });
  const ping = async (): Promise<void> => void (await direct.ping());
  return { keyv, kind: 'redis', counters: redisCounters(direct, namespace), ping, close };
}

/**
 * `mkdir -p` that gives up when a directory still cannot be made after its parent exists.
 * @remarks Node's `mkdir(…, { recursive: true })` spins forever when the parent is a dangling
 * symlink or lies under /proc (mkdir keeps answering ENOENT), which would hang startup.
 */
async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await ensureDir(parent);
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

function once(task: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= task());
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join('; ');
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Removes a URL's password from text that might echo it. */
function scrub(text: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text;
  }
  return password === '' ? text : text.replaceAll(password, '***');
}
