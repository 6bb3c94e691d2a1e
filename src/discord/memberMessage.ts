import { DashScopeError } from '../dashscope/errors.ts';
import { UserError } from '../errors.ts';
import { isStoreUnavailable, STORE_UNAVAILABLE_REPLY } from '../voices/storeFault.ts';

/**
 * What a failure says to a Discord member, or `undefined` for a bug (answered generically).
 * @remarks A `UserError` is written for the member. A `DashScopeError`'s own message is advice for the
 * operator ("Check DASHSCOPE_API_KEY…"): it goes to the log, and the member gets a sentence meant for them.
 * A store that is down, slow or locked is an outage, not a bug: the member is asked to try again.
 */
export function memberMessage(error: unknown): string | undefined {
  if (error instanceof UserError) return error.message;
  if (error instanceof DashScopeError) return forMembers(error.code);
  if (isStoreUnavailable(error)) return STORE_UNAVAILABLE_REPLY;
  return undefined;
}

/** DashScope codes the operator must act on (key, account, network): members can only wait. */
const OPERATOR_CODES = [
  'InvalidApiKey',
  'AccessDenied',
  'Model.AccessDenied',
  'Arrearage',
  'AllocationQuota',
  'NetworkError',
];
const OPERATOR_PROBLEM =
  'The voice service is not available to this bot right now. The bot’s operator has been told in its log; please try ' +
  'again later.';

function forMembers(code: string): string {
  if (OPERATOR_CODES.some((c) => code === c || code.startsWith(`${c}.`)) || code === 'Throttling.AllocationQuota')
    return OPERATOR_PROBLEM;
  if (code.startsWith('Throttling')) return 'The voice service is busy right now. Wait a moment and try again.';
  if (code === 'VoiceNotFound')
    return 'The voice service no longer has this voice (unused voices are removed after a year). Pick another one.';
  if (code === 'DataInspectionFailed')
    return 'The voice service’s content filter refused that text. Rephrase it and try again.';
  if (code === 'NoAudio') return 'The voice service returned no audio for that text.';
  return `The voice service could not do that (${code}). Try again in a moment.`;
}
