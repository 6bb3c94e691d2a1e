/**
 * The labels the bot's metrics may carry, and the bounded values some of them are reduced to.
 * @remarks A label value is a time series: it must come from a small fixed set, never from user text or an
 * unbounded id (a guild, member, voice or utterance id). `shard` (this process's shard ids) is the one label
 * whose value comes from the configuration.
 */
import { DashScopeError } from '../dashscope/errors.ts';

/** Every label name a metric of the bot (default process metrics included) may have. */
export const ALLOWED_LABELS: readonly string[] = [
  'shard',
  'source',
  'outcome',
  'session',
  'call',
  'code',
  'by',
  'kind',
  'unit',
  'timing',
  // prom-client's default process metrics
  'version',
  'major',
  'minor',
  'patch',
  'type',
  'space',
  'le',
  'quantile',
];

/**
 * DashScope's codes that get a label value of their own: the classifier's (src/dashscope/classify.ts) and the
 * server's documented ones (spec §1.5 and §4). Any other code is counted as `other`.
 */
export const DASHSCOPE_CODES: readonly string[] = [
  // The classifier's own codes for failures without a server code.
  'NetworkError',
  'Timeout',
  'ConnectionClosed',
  'NoAudio',
  'InvalidResponse',
  'UnknownError',
  'HTTP4xx',
  'HTTP5xx',
  // The server's codes.
  'invalid_value',
  'InvalidParameter',
  'DataInspectionFailed',
  'InvalidURL',
  'Arrearage',
  'InternalError.Algo.InvalidParameter',
  'VoiceNotFound',
  'InvalidApiKey',
  'AccessDenied',
  'AccessDenied.Unpurchased',
  'AllocationQuota.FreeTierOnly',
  'Workspace.AccessDenied',
  'Model.AccessDenied',
  'ModelNotFound',
  'RequestTimeOut',
  'Throttling',
  'Throttling.RateQuota',
  'Throttling.AllocationQuota',
  'Throttling.BurstRate',
  'LimitRequests',
  'InternalError',
  'InternalError.Algo',
  'SystemError',
  'ModelUnavailable',
];

const KNOWN_CODES = new Set(DASHSCOPE_CODES);

/** The `code` label of a DashScope failure: its code when known, `HTTP4xx`/`HTTP5xx` for a bare status, or `other`. */
export function dashscopeCodeLabel(code: string): string {
  if (KNOWN_CODES.has(code)) return code;
  const status = /^HTTP(\d)\d\d$/.exec(code)?.[1];
  if (status === '4' || status === '5') return `HTTP${status}xx`;
  return 'other';
}

/** The DashScope failure inside `error` (itself or its cause), if any. */
export function dashscopeErrorOf(error: unknown): DashScopeError | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof DashScopeError) return e;
  return undefined;
}
