/** What a member is told when the store cannot be reached: no markdown, no URL, nothing secret. */
export const STORE_UNAVAILABLE_REPLY = 'Storage is unavailable right now — try again in a moment.';

/**
 * The store could not do an operation in time (Redis down or slow, SQLite locked by another process, an
 * update that kept losing races); nothing was changed by it.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/**
 * node-redis's connection and timeout errors, by class name.
 * @remarks The classes live in `@redis/client`, which is `@keyv/redis`'s dependency rather than ours; matching
 * names keeps us off its internals while still telling an outage from a bug (a wrong command, a bad reply).
 */
const REDIS_FAULTS = new Set([
  'ClientOfflineError',
  'ClientClosedError',
  'TimeoutError',
  'CommandTimeoutDuringMaintenanceError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'SocketTimeoutError',
  'ReconnectStrategyError',
  'DisconnectsClientError',
]);
/** Redis replies that mean "not now": loading its data, a read-only replica, a failed save, a busy script. */
const REDIS_REPLIES = /^(LOADING|READONLY|MISCONF|BUSY|MASTERDOWN|CLUSTERDOWN)\b/;
/** SQLite result codes of a locked, read-only, full or vanished database file (not of a bad statement). */
const SQLITE_FAULTS = /^SQLITE_(BUSY|LOCKED|READONLY|FULL|IOERR|CANTOPEN|PERM|PROTOCOL|NOTADB|CORRUPT)/;
/** Socket errors on the way to the store. */
const NETWORK_FAULTS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** True when `error` (or an error it wraps) says the store is unreachable, locked or too slow, not that we erred. */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (e instanceof StoreUnavailableError) return true;
    if (REDIS_FAULTS.has(e.constructor.name) || e.message === 'The queue is full') return true;
    if (e.constructor.name === 'ErrorReply' && REDIS_REPLIES.test(e.message)) return true;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && (SQLITE_FAULTS.test(code) || NETWORK_FAULTS.has(code))) return true;
  }
  return false;
}

/**
 * True when the failed operation surely changed nothing, so doing it again cannot count twice.
 * @remarks A command refused while Redis is offline (the offline queue is off) or a full queue was never
 * sent, and a SQLite transaction that failed was rolled back; a timed-out Redis command may still have run.
 */
export function surelyNotApplied(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.constructor.name === 'ClientOfflineError' || error.message === 'The queue is full') return true;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}
