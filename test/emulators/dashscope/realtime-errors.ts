/**
 * Codes and messages of the realtime `error` events, in one place so they are easy to change once measured.
 * @remarks Only `invalid_value` and the session-update message are documented (spec §1.5); the rest is INFERRED.
 * The designed-voice errors live in `voice-rule.ts`.
 */

/** Messages of `error` events. The first is documented (spec §1.5); the rest are INFERRED. */
export const REALTIME_ERRORS = {
  updateAfterStart: 'Session update error: session already started or finished or failed.',
  emptyCommit: 'Error committing input text buffer: buffer is empty.',
  badJson: 'Invalid JSON in client event.',
  badText: 'Invalid value: input_text_buffer.append requires a string `text`.',
  unknownType: (type: string): string => `Invalid value: unsupported event type '${type}'.`,
  /** Sent by the `errorAfterDeltas` fault. */
  internal: {
    code: 'InternalError',
    message: 'An internal error has occured, please try again later or contact service support.',
  },
} as const;

/** Close code after the `errorAfterDeltas` fault's `error` event. INFERRED (spec §1.9: UNKNOWN). */
export const ERROR_CLOSE_CODE = 1011;

/** `error.code` of every client-caused realtime error (the one documented code). */
export const INVALID_VALUE = 'invalid_value';

/** Refusals of the WebSocket upgrade: status, code and message of the JSON body. INFERRED from spec §1.1, §4. */
export const HANDSHAKE_REFUSALS = {
  401: { code: 'InvalidApiKey', message: 'Invalid API-key provided.' },
  429: { code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' },
  400: { code: 'BadRequest.EmptyModel', message: "Required parameter 'model' missing from request." },
} as const;
