/**
 * The HTTP fault switches: which one fires for this request, consuming its counter.
 * @remarks At most one fault before processing and one after it fire per request, in the order the
 * `take*` functions check them, so `throttleNext: 1, serverErrorNext: 1` gives a 429 then a 500.
 */
import { errorReply, type JsonReply } from './http-io.ts';
import type { HttpFaults } from './state.ts';

/** What happens to a request before the emulator looks at it. */
export type PreFault = { kind: 'drop' } | { kind: 'reply'; reply: JsonReply } | null;

/** What happens to a processed request's response. */
export type PostFault = { kind: 'drop' } | { kind: 'stall'; ms: number } | null;

export const THROTTLE_MESSAGE = 'Requests rate limit exceeded, please try again later.';
export const INTERNAL_ERROR_MESSAGE =
  'An internal error has occured, please try again later or contact service support.';

/** Picks and consumes the fault that replaces processing: drop, 429, 500 or `failNextWith`. */
export function takePreFault(faults: HttpFaults): PreFault {
  if (faults.dropNext > 0) {
    faults.dropNext -= 1;
    return { kind: 'drop' };
  }
  if (faults.throttleNext > 0) {
    faults.throttleNext -= 1;
    return { kind: 'reply', reply: errorReply(429, 'Throttling.RateQuota', THROTTLE_MESSAGE) };
  }
  if (faults.serverErrorNext > 0) {
    faults.serverErrorNext -= 1;
    return { kind: 'reply', reply: errorReply(500, 'InternalError', INTERNAL_ERROR_MESSAGE) };
  }
  const fail = faults.failNextWith;
  if (fail !== null) {
    faults.failNextWith = null;
    return { kind: 'reply', reply: errorReply(fail.status, fail.code, fail.message) };
  }
  return null;
}

/** Picks and consumes the fault applied after processing: drop the connection or hold the response. */
export function takePostFault(faults: HttpFaults): PostFault {
  if (faults.dropAfterProcessingNext > 0) {
    faults.dropAfterProcessingNext -= 1;
    return { kind: 'drop' };
  }
  if (faults.stallAfterProcessingNext > 0) {
    faults.stallAfterProcessingNext -= 1;
    return { kind: 'stall', ms: faults.stallAfterProcessingMs };
  }
  return null;
}
